// Redaction for incident bundles: what leaves the machine in a bundle goes through a Redactor first.
// Pure code (no I/O): a deep copy of each object with the rules below applied, and a list of findings
// (where, which rule, how long) that never holds the value itself.
//
// Two kinds of rules:
// - structural ones, that know where they are in a Kubernetes object: Secret data, env values with a
//   credential-looking name, annotation/label values with a credential-looking key, the
//   last-applied-configuration annotation, ConfigMap data under a credential-looking key, the argument
//   after a credential-looking flag in a string array;
// - string ones, applied to every string value (and to free text): URL userinfo, key=value and
//   key: value credentials, CLI flags, PEM private keys, Authorization headers, bearer tokens, JWTs.
//
// The string rules are hand-written scanners (indexOf and short, bounded regular expressions): each
// looks at every character a bounded number of times, so a hostile 1 MiB string costs linear time.
// Each rule reports spans of the original string; overlapping spans are merged and the string is
// rebuilt once, so a placeholder is never scanned again.
//
// Credential-looking names (env names, annotation keys, the key in key=value, flags): the name is split
// into words on anything not a letter or digit, on camelCase boundaries (apiKey, APIKey) and between
// letters and digits (OAUTH2_TOKEN), lower-cased, and looks like a credential when
// - a word is one of CREDENTIAL_WORDS (password, passwd, pwd, pass, secret, token, key, apikey, auth,
//   credential(s), creds, signature...) or contains one of CREDENTIAL_STEMS (DBPASSWORD, accesstoken),
// - unless the name has more than one word and its last word says the value is about the credential
//   rather than the credential (DESCRIPTOR_WORDS: name, file, path, ref, count, size, type, url...):
//   DB_PASSWORD_FILE, SECRET_NAME, KEY_COUNT, TOKEN_URL are kept (their values still go through the
//   string rules). AWS_ACCESS_KEY_ID is redacted ("id" is not a descriptor: key ids are sensitive too).
// So AWS_SECRET_ACCESS_KEY, DB_PASSWORD, GITHUB_TOKEN, apiKey, client_secret, SSH_PRIVATE_KEY,
// CREDENTIALS_JSON are redacted; PATH, HOME, LOG_LEVEL, KEYBOARD_LAYOUT (keyboard is not key),
// KEY_COUNT are not. Two context exceptions: an env variable named exactly PWD is the shell's working
// directory (kept; DB_PWD and pwd= in connection strings are redacted); and in text (key=value,
// key: value, flags) a bare `key` is not enough, since `key: app` (tolerations, selectors,
// secretKeyRef) and `--key /path` are everywhere.

import { createHash, randomBytes, type Hash } from 'node:crypto';

export type RedactionRule =
  | 'secret-data' // Secret .data / .stringData values → keys and sizes only
  | 'env-credential' // env[].value whose name looks like a credential; ConfigMap data under such a key
  | 'url-userinfo' // user:pass@ in a URL of any scheme
  | 'connection-string' // key=value credentials inside strings (ADO.NET, JDBC, query strings, env dumps)
  | 'arg-credential' // CLI flags: --password=x, --token x, and ["--password", "x"] in a string array
  | 'kubeconfig-credential' // key: value credentials in embedded kubeconfig / YAML / JSON text
  | 'private-key' // PEM private key blocks
  | 'bearer-token' // Authorization headers, Bearer and Basic credentials, JWTs
  | 'last-applied' // the kubectl.kubernetes.io/last-applied-configuration annotation: removed
  | 'annotation-credential' // annotation/label values whose key looks like a credential
  | 'depth-limit'; // a subtree nested deeper than maxDepth: replaced

/**
 * One redaction. `path` is where in the object (`spec.containers[0].env[2].value`,
 * `metadata.annotations["x/y"]`; '' for text() and for the root); `length` is the length of what was
 * redacted: for secret-data its decoded size in bytes, for depth-limit the number of values dropped,
 * otherwise the redacted string's length in UTF-16 code units. Never the value.
 */
export interface Finding {
  path: string;
  rule: RedactionRule;
  length: number;
}

export interface RedactorOptions {
  /** Placeholders carry a token (truncated HMAC-SHA256 of the value) so equal values can be matched up. */
  tokenize?: boolean;
  /** The HMAC key; random 32 bytes per Redactor (per bundle) when absent. */
  key?: Buffer;
  /** Objects and arrays nested deeper than this are replaced by a depth-limit placeholder (default 256). */
  maxDepth?: number;
}

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const DEFAULT_MAX_DEPTH = 256;
const TOKEN_HEX_CHARS = 12;
const TOKEN_CACHE_SIZE = 4096;

const CREDENTIAL_WORDS = new Set([
  'password',
  'passwords',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'passcode',
  'secret',
  'secrets',
  'token',
  'tokens',
  'key',
  'keys',
  'apikey',
  'apikeys',
  'credential',
  'credentials',
  'cred',
  'creds',
  'auth',
  'authorization',
  'bearer',
  'sig',
  'signature',
]);
/** Matched inside a word too: DBPASSWORD, ACCESSTOKEN, mysecret. */
const CREDENTIAL_STEMS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'credential', 'apikey', 'privatekey'];
const DESCRIPTOR_WORDS = new Set([
  'name',
  'names',
  'file',
  'files',
  'path',
  'paths',
  'dir',
  'ref',
  'refs',
  'count',
  'size',
  'length',
  'len',
  'type',
  'kind',
  'mode',
  'prefix',
  'suffix',
  'format',
  'ttl',
  'enabled',
  'disabled',
  'required',
  'url',
  'uri',
  'endpoint',
  'host',
  'port',
  'header',
  'version',
]);
/** Every credential word and stem contains one of these. */
const MAYBE_CREDENTIAL = /pass|pwd|secret|token|key|cred|auth|bearer|sig/i;
/** Keys of kubeconfig credentials that the word rule alone would not catch (client certificates). */
const KUBECONFIG_KEYS = new Set(['client-certificate-data', 'client-key-data', 'id-token', 'refresh-token', 'client-secret']);

const isLower = (c: number) => c >= 97 && c <= 122;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Split a name into lower-case words: on non-alphanumerics, camelCase boundaries, letter/digit changes. */
export function nameWords(name: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i <= name.length; i++) {
    const c = i < name.length ? name.charCodeAt(i) : -1;
    const alnum = isLower(c) || isUpper(c) || isDigit(c);
    if (start >= 0) {
      const p = name.charCodeAt(i - 1);
      const boundary =
        !alnum ||
        (isLower(p) && isUpper(c)) ||
        isDigit(p) !== isDigit(c) ||
        // the last capital of a run starts the next word: APIKey → API, Key
        (isUpper(p) && isUpper(c) && isLower(name.charCodeAt(i + 1)));
      if (boundary) {
        words.push(name.slice(start, i).toLowerCase());
        start = -1;
      }
    }
    if (alnum && start < 0) start = i;
  }
  return words;
}

/**
 * Whether a name (env variable, annotation key, the key in key=value, a flag) looks like it names a
 * credential; see the comment at the top of the file. `context`: 'env' (PWD is the working directory),
 * 'annotation', or 'text' (a bare `key` does not count).
 */
export function looksLikeCredentialName(name: string, context: 'env' | 'annotation' | 'text' = 'env'): boolean {
  if (context === 'env' && name === 'PWD') return false;
  if (!MAYBE_CREDENTIAL.test(name)) return false; // the cheap test first: most names have none of these

  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (words.length > 1 && DESCRIPTOR_WORDS.has(last)) return false;
  if (context === 'text' && words.length === 1 && (last === 'key' || last === 'keys')) return false;
  return words.some((w) => CREDENTIAL_WORDS.has(w) || CREDENTIAL_STEMS.some((s) => w.includes(s)));
}

// ---------------------------------------------------------------------------------------------------
// String rules: each scanner adds spans [start, end) of the original string.

interface Span {
  start: number;
  end: number;
  rule: RedactionRule;
}

const isWsCode = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
/** Characters of a key in key=value / key: value (and of a flag name). */
const isKeyChar = (c: number) => isLower(c) || isUpper(c) || isDigit(c) || c === 95 /* _ */ || c === 45 /* - */ || c === 46; /* . */
const isB64Url = (c: number) => isLower(c) || isUpper(c) || isDigit(c) || c === 45 || c === 95;
/** RFC 6750 token68: letters, digits, - . _ ~ + / (then '=' padding). */
const isToken68 = (c: number) => isB64Url(c) || c === 46 || c === 126 || c === 43 || c === 47;
const isB64 = (c: number) => isLower(c) || isUpper(c) || isDigit(c) || c === 43 || c === 47;
const isSchemeChar = (c: number) => isLower(c) || isUpper(c) || isDigit(c) || c === 43 || c === 45 || c === 46;
const MAX_KEY = 128;

function runEnd(s: string, i: number, pred: (c: number) => boolean): number {
  while (i < s.length && pred(s.charCodeAt(i))) i++;
  return i;
}

/** The end of the line that i is on ('\n', '\r', or a literal backslash-n/r as in escaped JSON). */
function lineEnd(s: string, i: number): number {
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) return i;
    if (c === 92) {
      const d = s.charCodeAt(i + 1);
      if (d === 110 || d === 114) return i;
    }
  }
  return i;
}

/**
 * The value starting at i: quoted ('…', "…", or \"…\" in escaped JSON) up to its closing quote (or the
 * end of the line when there is none), the quotes themselves kept; otherwise unquoted, up to a
 * delimiter: for key=value whitespace ; & ' " < > ` or an escaped quote/newline; for key: value the end
 * of the line (YAML plain scalars may hold spaces), trailing blanks dropped.
 */
function readValue(s: string, i: number, mode: '=' | ':'): [number, number] {
  const c = s.charCodeAt(i);
  if (c === 34 || c === 39 || (c === 92 && s.charCodeAt(i + 1) === 34)) {
    const escaped = c === 92;
    const start = i + (escaped ? 2 : 1);
    for (let j = start; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === 10 || d === 13) return [start, j];
      if (escaped) {
        if (d === 92 && s.charCodeAt(j + 1) === 34) return [start, j];
        if (d === 92 && (s.charCodeAt(j + 1) === 110 || s.charCodeAt(j + 1) === 114)) return [start, j];
        if (d === 92) j++; // \\ or another escape inside the escaped string
        continue;
      }
      if (d === 92 && c === 34) {
        j++; // an escaped character inside "…"
        continue;
      }
      if (d === c) return [start, j];
    }
    return [start, s.length];
  }
  if (mode === ':') {
    let end = lineEnd(s, i);
    while (end > i && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
    return [i, end];
  }
  let j = i;
  for (; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (isWsCode(d) || d === 59 || d === 38 || d === 34 || d === 39 || d === 60 || d === 62 || d === 96) break;
    if (d === 92) {
      const e = s.charCodeAt(j + 1);
      if (e === 34 || e === 39 || e === 110 || e === 114) break;
    }
  }
  return [i, j];
}

/** -----BEGIN … PRIVATE KEY----- … -----END … PRIVATE KEY----- (to the end of the string when unterminated). */
const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,64}PRIVATE KEY(?: BLOCK)?-----/y;
const PEM_END = /-----END [A-Z0-9 ]{0,64}PRIVATE KEY(?: BLOCK)?-----/y;
function scanPrivateKeys(s: string, spans: Span[]): void {
  let i = 0;
  while ((i = s.indexOf('-----BEGIN ', i)) !== -1) {
    PEM_BEGIN.lastIndex = i;
    const m = PEM_BEGIN.exec(s);
    if (!m) {
      i += 11;
      continue;
    }
    let end = s.length;
    for (let k = i + m[0].length; (k = s.indexOf('-----END ', k)) !== -1; k += 9) {
      PEM_END.lastIndex = k;
      const e = PEM_END.exec(s);
      if (e) {
        end = k + e[0].length;
        break;
      }
    }
    spans.push({ start: i, end, rule: 'private-key' });
    i = end;
  }
}

/**
 * scheme://user:pass@host → the userinfo (user:pass) when it has a password (a ':'); user@host alone is
 * not a credential. The authority ends at / ? # whitespace quotes < > ` \ { } |, and its last '@' ends
 * the userinfo. Reserved characters in a password must be percent-encoded (RFC 3986; drivers want it
 * too): one that is not (a raw '/') ends the authority early and the URL is left alone.
 */
function scanUrlUserinfo(s: string, spans: Span[]): void {
  let i = 0;
  while ((i = s.indexOf('://', i)) !== -1) {
    const start = i + 3;
    if (i === 0 || !isSchemeChar(s.charCodeAt(i - 1))) {
      i = start;
      continue;
    }
    let j = start;
    let at = -1;
    for (; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === 47 || c === 63 || c === 35 || isWsCode(c) || c === 34 || c === 39 || c === 60 || c === 62 || c === 96 || c === 92) break;
      if (c === 123 || c === 125 || c === 124) break;
      if (c === 64) at = j;
    }
    if (at > start && s.slice(start, at).includes(':')) spans.push({ start, end: at, rule: 'url-userinfo' });
    i = j;
  }
}

/** JWTs: eyJ….eyJ….signature (base64url JSON header and payload). */
function scanJwts(s: string, spans: Span[]): void {
  let i = 0;
  while ((i = s.indexOf('eyJ', i)) !== -1) {
    const j = runEnd(s, i, isB64Url);
    // Not at the start of a base64url run: no later eyJ in this run starts a token either.
    if (i > 0 && isB64Url(s.charCodeAt(i - 1))) {
      i = j;
      continue;
    }
    if (s.charCodeAt(j) === 46 && s.startsWith('eyJ', j + 1)) {
      const k = runEnd(s, j + 1, isB64Url);
      if (s.charCodeAt(k) === 46) {
        const end = runEnd(s, k + 1, isB64Url);
        spans.push({ start: i, end, rule: 'bearer-token' });
        i = end;
        continue;
      }
    }
    i = j;
  }
}

const BEARER = /(?<![A-Za-z0-9_-])bearer[ \t]+/gi;
const BASIC = /(?<![A-Za-z0-9_-])basic[ \t]+/gi;
const AUTHORIZATION = /(?<![A-Za-z0-9_-])(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?/gi;
const SCHEME = /^[A-Za-z][A-Za-z0-9-]{0,30}$/;

/** `Bearer <token68>`, `Basic <base64 of user:pass>`, and whatever follows `Authorization:` (after its scheme). */
function scanAuthorization(s: string, spans: Span[]): void {
  for (const m of s.matchAll(BEARER)) {
    const start = m.index + m[0].length;
    let end = runEnd(s, start, isToken68);
    while (s.charCodeAt(end) === 61) end++;
    if (end > start) spans.push({ start, end, rule: 'bearer-token' });
  }
  for (const m of s.matchAll(BASIC)) {
    const start = m.index + m[0].length;
    let end = runEnd(s, start, isB64);
    while (s.charCodeAt(end) === 61) end++;
    if (end - start >= 4 && Buffer.from(s.slice(start, end), 'base64').includes(58 /* : */)) {
      spans.push({ start, end, rule: 'bearer-token' });
    }
  }
  const isCred = (c: number) => !(isWsCode(c) || c === 34 || c === 39 || c === 44 || c === 59);
  for (const m of s.matchAll(AUTHORIZATION)) {
    const start = m.index + m[0].length;
    const end = runEnd(s, start, isCred);
    if (end === start) continue;
    // "Authorization: Scheme credentials" → the credentials; "Authorization: credentials" → all of it.
    let k = end;
    while (s.charCodeAt(k) === 32 || s.charCodeAt(k) === 9) k++;
    const end2 = runEnd(s, k, isCred);
    if (k > end && end2 > k && SCHEME.test(s.slice(start, end))) spans.push({ start: k, end: end2, rule: 'bearer-token' });
    else spans.push({ start, end, rule: 'bearer-token' });
  }
}

/** Authorization headers have their own scanner; the key=value and key: value ones leave them to it. */
const isAuthorizationKey = (key: string) => key.toLowerCase().endsWith('authorization');

/**
 * key=value where the key looks like a credential: Password=…; (ADO.NET), ?password=…& (JDBC, URLs),
 * PWD=, apikey=, AccountKey=, X-Amz-Signature=, DB_PASSWORD=… in an env dump; a key starting with '-'
 * is a flag (--password=…, -Dspring.datasource.password=…): arg-credential.
 */
function scanKeyEquals(s: string, spans: Span[]): void {
  let i = 0;
  while ((i = s.indexOf('=', i)) !== -1) {
    let k = i;
    while (k > 0 && i - k < 8 && s.charCodeAt(k - 1) === 32) k--;
    let ks = k;
    while (ks > 0 && k - ks < MAX_KEY && isKeyChar(s.charCodeAt(ks - 1))) ks--;
    const key = s.slice(ks, k);
    const cmp = s.charCodeAt(i + 1) === 61; // ==: a comparison, not an assignment
    if (
      cmp ||
      ks === k ||
      (ks > 0 && isKeyChar(s.charCodeAt(ks - 1))) ||
      isAuthorizationKey(key) ||
      !looksLikeCredentialName(key, 'text')
    ) {
      i += cmp ? 2 : 1;
      continue;
    }
    let v = i + 1;
    while (v < s.length && v - i <= 8 && (s.charCodeAt(v) === 32 || s.charCodeAt(v) === 9)) v++;
    const [start, end] = readValue(s, v, '=');
    if (end > start) spans.push({ start, end, rule: key.startsWith('-') ? 'arg-credential' : 'connection-string' });
    i = Math.max(end, i + 1);
  }
}

/** `--password xyz`, `-token xyz` (a value not itself a flag). The '=' form is scanKeyEquals's. */
const FLAG = /(?<![A-Za-z0-9_-])--?([A-Za-z][A-Za-z0-9_.-]{0,127})[ \t]+/g;
function scanFlags(s: string, spans: Span[]): void {
  for (const m of s.matchAll(FLAG)) {
    const name = m[1] ?? '';
    const v = m.index + m[0].length;
    if (s.charCodeAt(v) === 45 || !looksLikeCredentialName(name, 'text')) continue;
    const [start, end] = readValue(s, v, '=');
    if (end > start) spans.push({ start, end, rule: 'arg-credential' });
  }
}

/**
 * key: value where the key looks like a credential or is a kubeconfig credential (token:,
 * client-key-data:, client-certificate-data:, password:, id-token:, refresh-token:, client-secret:):
 * YAML (`password: x`, block scalars `key: |` and the more-indented lines after), JSON
 * (`"password":"x"`), escaped JSON (`\"token\":\"x\"`). An unquoted key needs whitespace or the end
 * after its ':' (as YAML does), so https://token:x@host and 12:30 are not keys.
 */
function scanKeyColon(s: string, spans: Span[]): void {
  let i = 0;
  while ((i = s.indexOf(':', i)) !== -1) {
    let k = i;
    while (k > 0 && i - k < 8 && (s.charCodeAt(k - 1) === 32 || s.charCodeAt(k - 1) === 9)) k--;
    const q = s.charCodeAt(k - 1);
    const quoted = q === 34 || q === 39;
    if (quoted) {
      k--;
      if (s.charCodeAt(k - 1) === 92) k--;
    }
    let ks = k;
    while (ks > 0 && k - ks < MAX_KEY && isKeyChar(s.charCodeAt(ks - 1))) ks--;
    const key = s.slice(ks, k);
    const after = s.charCodeAt(i + 1);
    if (
      ks === k ||
      (ks > 0 && isKeyChar(s.charCodeAt(ks - 1))) ||
      (!quoted && i + 1 < s.length && !isWsCode(after)) ||
      isAuthorizationKey(key) ||
      !(KUBECONFIG_KEYS.has(key.toLowerCase()) || looksLikeCredentialName(key, 'text'))
    ) {
      i++;
      continue;
    }
    let v = i + 1;
    while (v < s.length && (s.charCodeAt(v) === 32 || s.charCodeAt(v) === 9)) v++;
    let [start, end] = readValue(s, v, ':');
    const first = s.charCodeAt(start);
    if ((first === 124 || first === 62) && end - start <= 3 && BLOCK_HEADER.test(s.slice(start, end)))
      [start, end] = blockScalar(s, ks, end);
    if (end > start) spans.push({ start, end, rule: 'kubeconfig-credential' });
    i = Math.max(end, i + 1);
  }
}

const BLOCK_HEADER = /^[|>][-+0-9]{0,2}$/;

/**
 * The lines of a YAML block scalar: after the `key: |` line, those blank or indented deeper than the key
 * (its column, counting a sequence's "- "). [0, 0] when there are none.
 */
function blockScalar(s: string, keyStart: number, headerEnd: number): [number, number] {
  if (s.charCodeAt(headerEnd) !== 10 && s.charCodeAt(headerEnd) !== 13) return [0, 0];
  const lineStart = s.lastIndexOf('\n', keyStart - 1) + 1;
  let keyCol = 0;
  while (lineStart + keyCol < keyStart && (s.charCodeAt(lineStart + keyCol) === 32 || s.charCodeAt(lineStart + keyCol) === 45)) keyCol++;
  let start = -1;
  let end = -1;
  for (let ls = s.indexOf('\n', headerEnd) + 1; ls > 0 && ls <= s.length;) {
    let le = s.indexOf('\n', ls);
    if (le === -1) le = s.length;
    let ind = ls;
    while (ind < le && s.charCodeAt(ind) === 32) ind++;
    let contentEnd = le;
    while (contentEnd > ind && isWsCode(s.charCodeAt(contentEnd - 1))) contentEnd--;
    if (contentEnd > ind) {
      if (ind - ls <= keyCol) break;
      if (start < 0) start = ind;
      end = contentEnd;
    }
    ls = le + 1;
  }
  return start < 0 ? [0, 0] : [start, end];
}

/** Spans of every string rule, sorted and merged (an overlap keeps the earlier span's rule). */
/** No rule can match a string without any of these (most names, quantities, labels): skip the scanners. */
const MAYBE = /[:=@\s]|eyJ/;
const AUTH_WORDS = /bearer|basic|authorization/i;

function scanText(s: string): Span[] {
  const spans: Span[] = [];
  if (!MAYBE.test(s)) return spans;
  scanPrivateKeys(s, spans);
  if (AUTH_WORDS.test(s)) scanAuthorization(s, spans);
  scanJwts(s, spans);
  scanUrlUserinfo(s, spans);
  scanKeyColon(s, spans);
  scanKeyEquals(s, spans);
  if (s.includes('-')) scanFlags(s, spans);
  if (spans.length === 0) return spans;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const sp of spans) {
    const last = merged[merged.length - 1];
    if (last && sp.start < last.end) last.end = Math.max(last.end, sp.end);
    else merged.push(sp);
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------------
// Objects

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (IDENT.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Assign without letting a JSON "__proto__" key set the prototype of the copy. */
function assign(dst: any, key: string | number, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(dst, key, { value, enumerable: true, writable: true, configurable: true });
  else dst[key] = value;
}

/** How many values (objects, arrays, scalars) a subtree holds; iterative, for depth-limit findings. */
function countValues(v: unknown): number {
  let n = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    n++;
    if (Array.isArray(x)) for (const y of x) stack.push(y);
    else if (isPlainObject(x)) for (const k of Object.keys(x)) stack.push(x[k]);
  }
  return n;
}

const FLAG_ARG = /^--?([A-Za-z][A-Za-z0-9_.-]{0,127})$/;
const FLAG_LIKE = /^-[A-Za-z-]/;
/** Indices in a string array that follow a credential-looking flag: ["--password", "xyz"] → 1. */
function flagFollowers(a: unknown[]): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i + 1 < a.length; i++) {
    const f = a[i];
    const next = a[i + 1];
    if (typeof f !== 'string' || typeof next !== 'string' || next === '' || FLAG_LIKE.test(next)) continue;
    const m = FLAG_ARG.exec(f);
    if (m && looksLikeCredentialName(m[1] ?? '', 'text')) out.add(i + 1);
  }
  return out;
}

/** Where a value sits, as far as the structural rules care. */
type Ctx = 'none' | 'env-array' | 'env-item' | 'annotations' | 'labels' | 'secret-data' | 'secret-stringdata' | 'configmap-data';

/** A value still to copy, or a replacement already decided (kept in the same stack for document order). */
type Task =
  | { op: 'copy'; src: unknown; dst: any; key: string | number; path: string; depth: number; ctx: Ctx }
  | { op: 'redact'; src: unknown; dst: any; key: string | number; path: string; rule: RedactionRule }
  | { op: 'secret'; src: unknown; dst: any; key: string | number; path: string; encoding: 'base64' | 'utf8' }
  | { op: 'drop'; src: unknown; path: string; rule: RedactionRule };

const redactable = (v: unknown) => v !== undefined && v !== null && v !== '';

export class Redactor {
  private readonly tokenize: boolean;
  private readonly maxDepth: number;
  // HMAC-SHA256 (RFC 2104) from two SHA-256 states primed with the padded key, copied for each value:
  // a few times cheaper than createHmac, which re-imports the key each time (a hostile string may hold
  // 100k credentials). Recent tokens are cached by value for the same reason.
  private readonly inner: Hash;
  private readonly outer: Hash;
  private readonly tokens = new Map<string, string>();

  constructor(opts: RedactorOptions = {}) {
    this.tokenize = opts.tokenize ?? false;
    this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
    if (opts.key !== undefined && opts.key.length === 0) throw new Error('Redactor: the HMAC key is empty');
    let key = opts.key ?? randomBytes(32);
    if (key.length > 64) key = createHash('sha256').update(key).digest();
    const ipad = Buffer.alloc(64, 0x36);
    const opad = Buffer.alloc(64, 0x5c);
    for (let i = 0; i < key.length; i++) {
      ipad[i]! ^= key[i]!;
      opad[i]! ^= key[i]!;
    }
    this.inner = createHash('sha256').update(ipad);
    this.outer = createHash('sha256').update(opad);
  }

  /** The token for a value: the first 12 hex digits of HMAC-SHA256(key, value). */
  private token(value: string | Buffer): string {
    const cached = typeof value === 'string' ? this.tokens.get(value) : undefined;
    if (cached !== undefined) return cached;
    const mac = this.outer.copy().update(this.inner.copy().update(value).digest()).digest('hex');
    const tok = mac.slice(0, TOKEN_HEX_CHARS);
    if (typeof value === 'string') {
      if (this.tokens.size >= TOKEN_CACHE_SIZE) this.tokens.clear();
      this.tokens.set(value, tok);
    }
    return tok;
  }

  /**
   * The placeholder for a value: `<redacted:RULE>`, with a note (`<redacted:secret-data:37 bytes>`) and,
   * tokenized, `:tok_` and the first 12 hex digits of HMAC-SHA256(key, value): the same value (as
   * UTF-8 bytes; Secret data as its decoded bytes) gives the same token within one Redactor.
   */
  placeholder(rule: RedactionRule, value: string | Buffer, note?: string): string {
    let p = `<redacted:${rule}`;
    if (note !== undefined) p += `:${note}`;
    if (this.tokenize && rule !== 'depth-limit') p += `:tok_${this.token(value)}`;
    return p + '>';
  }

  /** Free text (an event message, a log line, a timeline entry): the string rules. Findings' path is ''. */
  text(s: string): { value: string; findings: Finding[] } {
    const findings: Finding[] = [];
    const value = this.redactString(s, '', findings);
    return { value, findings };
  }

  /**
   * A deep copy of a Kubernetes object (JSON data; `kind` is the store's kind key such as "pods",
   * "apps/deployments", "secrets") with every rule applied; the input is never mutated. Iterative (no
   * recursion), so nesting depth cannot overflow the stack; below maxDepth a subtree is replaced.
   */
  object(kind: string, obj: unknown): { value: unknown; findings: Finding[] } {
    const findings: Finding[] = [];
    const holder: { value?: unknown } = {};
    const rootSecret = kind === 'secrets' || kind === 'Secret';
    const rootConfigMap = kind === 'configmaps' || kind === 'ConfigMap';
    const stack: Task[] = [{ op: 'copy', src: obj, dst: holder, key: 'value', path: '', depth: 0, ctx: 'none' }];

    while (stack.length > 0) {
      const t = stack.pop()!;
      if (t.op === 'drop') {
        findings.push({ path: t.path, rule: t.rule, length: typeof t.src === 'string' ? t.src.length : 0 });
        continue;
      }
      if (t.op === 'redact') {
        const s = typeof t.src === 'string' ? t.src : JSON.stringify(t.src);
        findings.push({ path: t.path, rule: t.rule, length: s.length });
        assign(t.dst, t.key, this.placeholder(t.rule, s));
        continue;
      }
      if (t.op === 'secret') {
        if (typeof t.src === 'string') {
          const bytes = Buffer.from(t.src, t.encoding);
          findings.push({ path: t.path, rule: 'secret-data', length: bytes.length });
          assign(t.dst, t.key, this.placeholder('secret-data', bytes, `${bytes.length} bytes`));
        } else {
          // Not a string (not a valid Secret): replaced all the same, without a size.
          findings.push({ path: t.path, rule: 'secret-data', length: 0 });
          assign(t.dst, t.key, this.placeholder('secret-data', JSON.stringify(t.src) ?? ''));
        }
        continue;
      }

      const { src, dst, key, path, depth, ctx } = t;
      if (typeof src === 'string') {
        assign(dst, key, this.redactString(src, path, findings));
        continue;
      }
      if (typeof src !== 'object' || src === null) {
        assign(dst, key, src);
        continue;
      }
      if (depth >= this.maxDepth) {
        findings.push({ path, rule: 'depth-limit', length: countValues(src) });
        assign(dst, key, this.placeholder('depth-limit', ''));
        continue;
      }

      if (Array.isArray(src)) {
        const out: unknown[] = [];
        assign(dst, key, out);
        const follows = flagFollowers(src);
        for (let i = src.length - 1; i >= 0; i--) {
          const p = childPath(path, i);
          if (follows.has(i)) stack.push({ op: 'redact', src: src[i], dst: out, key: i, path: p, rule: 'arg-credential' });
          else
            stack.push({
              op: 'copy',
              src: src[i],
              dst: out,
              key: i,
              path: p,
              depth: depth + 1,
              ctx: ctx === 'env-array' ? 'env-item' : 'none',
            });
        }
        continue;
      }

      const o = src as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      assign(dst, key, out);
      const isSecret = (depth === 0 && rootSecret) || o.kind === 'Secret';
      const isConfigMap = (depth === 0 && rootConfigMap) || o.kind === 'ConfigMap';
      // An env entry {name, value} whose name looks like a credential (valueFrom entries have no value).
      const envValue = ctx === 'env-item' && typeof o.name === 'string' && redactable(o.value) && looksLikeCredentialName(o.name, 'env');
      const keys = Object.keys(o);
      for (let n = keys.length - 1; n >= 0; n--) {
        const k = keys[n]!;
        const v = o[k];
        const p = childPath(path, k);
        if (ctx === 'secret-data' || ctx === 'secret-stringdata') {
          stack.push({ op: 'secret', src: v, dst: out, key: k, path: p, encoding: ctx === 'secret-data' ? 'base64' : 'utf8' });
        } else if (ctx === 'annotations' && k === LAST_APPLIED) {
          stack.push({ op: 'drop', src: v, path: p, rule: 'last-applied' });
        } else if (
          (ctx === 'annotations' || ctx === 'labels') &&
          redactable(v) &&
          looksLikeCredentialName(k.slice(k.lastIndexOf('/') + 1), 'annotation')
        ) {
          stack.push({ op: 'redact', src: v, dst: out, key: k, path: p, rule: 'annotation-credential' });
        } else if (ctx === 'configmap-data' && redactable(v) && looksLikeCredentialName(k, 'env')) {
          // ConfigMap keys are env names under envFrom: DB_PASSWORD in a ConfigMap is as secret as in env.
          stack.push({ op: 'redact', src: v, dst: out, key: k, path: p, rule: 'env-credential' });
        } else if (envValue && k === 'value') {
          stack.push({ op: 'redact', src: v, dst: out, key: k, path: p, rule: 'env-credential' });
        } else if (isSecret && (k === 'data' || k === 'stringData')) {
          if (isPlainObject(v)) {
            stack.push({
              op: 'copy',
              src: v,
              dst: out,
              key: k,
              path: p,
              depth: depth + 1,
              ctx: k === 'data' ? 'secret-data' : 'secret-stringdata',
            });
          } else if (v !== undefined && v !== null) {
            stack.push({ op: 'secret', src: v, dst: out, key: k, path: p, encoding: k === 'data' ? 'base64' : 'utf8' });
          } else {
            assign(out, k, v);
          }
        } else {
          let c: Ctx = 'none';
          if (k === 'env' && Array.isArray(v)) c = 'env-array';
          else if (k === 'annotations' && isPlainObject(v)) c = 'annotations';
          else if (k === 'labels' && isPlainObject(v)) c = 'labels';
          else if (k === 'data' && isConfigMap && isPlainObject(v)) c = 'configmap-data';
          stack.push({ op: 'copy', src: v, dst: out, key: k, path: p, depth: depth + 1, ctx: c });
        }
      }
    }
    return { value: holder.value, findings };
  }

  /** The string rules on one string: spans replaced by placeholders, one finding per span. */
  private redactString(s: string, path: string, findings: Finding[]): string {
    const spans = scanText(s);
    if (spans.length === 0) return s;
    const parts: string[] = [];
    let pos = 0;
    for (const sp of spans) {
      const secret = s.slice(sp.start, sp.end);
      parts.push(s.slice(pos, sp.start), this.placeholder(sp.rule, secret));
      findings.push({ path, rule: sp.rule, length: secret.length });
      pos = sp.end;
    }
    parts.push(s.slice(pos));
    return parts.join('');
  }
}
