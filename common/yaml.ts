// YAML for bundles: Kubernetes objects (JSON data) written the way kubectl shows them (2-space indent,
// sequences at their key's indent, multi-line strings as literal blocks), ~10× faster than a general
// YAML library, which matters at tens of thousands of objects per bundle. Only JSON data goes in
// (objects, arrays, strings, finite numbers, booleans, null). Scalars are plain only when no YAML reader
// (1.1 or 1.2) could take them for anything else; otherwise double-quoted JSON strings, which are valid
// YAML. yaml.test.ts round-trips hostile input through a full YAML parser.

/** YAML 1.1's booleans and nulls, which 1.2 readers also meet in the wild. */
const RESERVED = /^(?:y|yes|n|no|true|false|on|off|null|~)$/i;
/** Letters first (or / _ <, not the merge key <<), then a conservative set: no ': ', no ' #', no flow
 * or anchor characters. (Redaction placeholders, <redacted:rule>, read as they are.) */
const PLAIN = /^(?!<<)[A-Za-z_/<][-A-Za-z0-9_/.@+=,:<>]*$/;
/** Quantities and versions that start with a digit but are not numbers: 500m, 1Gi, 2.5Gi, 10Mi. */
const QUANTITY = /^[0-9]+(?:\.[0-9]+)?[A-DF-Za-df-z][A-Za-z]*$/;
/** What a literal block may hold: printable characters, tabs and newlines (no CR, no C0/C1 controls,
 * no BOM, no lone surrogates, no U+2028/2029, which YAML 1.1 reads as line breaks). */
const BLOCK_SAFE = /^[\n\t\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;

function scalarString(s: string): string {
  if (s === '') return '""';
  if ((PLAIN.test(s) && !s.endsWith(':') && !RESERVED.test(s)) || QUANTITY.test(s)) return s;
  return JSON.stringify(s);
}

function key(k: string): string {
  return scalarString(k);
}

/** A multi-line string as a literal block, or undefined when it cannot be one. */
function block(s: string, indent: string): string | undefined {
  if (!s.includes('\n') || s.length < 2 || /^[ \t\n]/.test(s) || !BLOCK_SAFE.test(s)) return undefined;
  // Lines ending in spaces are kept by a literal block; a trailing run of newlines needs "keep".
  const trailing = /\n*$/.exec(s)![0].length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = trailing === 0 ? s : s.slice(0, s.length - trailing);
  const lines = body.split('\n').map((l) => (l === '' ? '' : indent + l));
  return `|${chomp}\n${lines.join('\n')}\n${trailing > 1 ? '\n'.repeat(trailing - 1) : ''}`;
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object' || (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return scalarString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return '[]';
  return '{}';
}

/** `value` after "key:" or "- " at this indent: inline scalar, block string, or a nested collection. */
function after(v: unknown, indent: string, out: string[], inSequence: boolean): void {
  if (typeof v === 'string') {
    const b = block(v, `${indent}  `);
    if (b !== undefined) {
      out.push(` ${b}`);
      return;
    }
  }
  if (isScalar(v)) {
    out.push(` ${scalar(v)}\n`);
    return;
  }
  if (Array.isArray(v)) {
    // kubectl's style: a sequence under a key sits at the key's indent; nested in a sequence, deeper.
    out.push('\n');
    seq(v, inSequence ? `${indent}  ` : indent, out);
    return;
  }
  out.push('\n');
  map(v as Record<string, unknown>, `${indent}  `, out);
}

function map(o: Record<string, unknown>, indent: string, out: string[], first = true): void {
  let i = 0;
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    const kk = key(k);
    // A key longer than YAML's 1024-character limit for implicit keys: the explicit "? key" form.
    if (kk.length > 1000) out.push(i === 0 && !first ? '' : indent, '? ', kk, '\n', indent, ':');
    else out.push(i === 0 && !first ? '' : indent, kk, ':');
    after(v, indent, out, false);
    i++;
  }
}

function seq(a: unknown[], indent: string, out: string[]): void {
  for (const v of a) {
    if (!isScalar(v) && !Array.isArray(v)) {
      // "- first: x" then the other keys under it
      out.push(indent, '- ');
      map(v as Record<string, unknown>, `${indent}  `, out, false);
      continue;
    }
    out.push(indent, '-');
    after(v, indent, out, true);
  }
}

/** One YAML document for a JSON value (a Kubernetes object, a summary). Ends with a newline. */
export function toYaml(value: unknown): string {
  const out: string[] = [];
  if (isScalar(value)) return `${scalar(value)}\n`;
  if (Array.isArray(value)) seq(value, '', out);
  else map(value as Record<string, unknown>, '', out);
  return out.join('');
}
