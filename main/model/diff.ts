// Object-aware diff between two versions of a Kubernetes object (JSON): what `kubectl diff` shows,
// but as a list of entries addressed by readable paths instead of a text diff.
//
// Paths: object keys that are plain identifiers are joined with "." (spec.replicas); any other key is
// bracket-quoted as a JSON string (metadata.labels["app.kubernetes.io/name"], requests["nvidia.com/gpu"]).
// Array elements are addressed by identity when the array is a list of objects that all carry one,
// the way the API server's strategic merge patch keys them (patchMergeKey):
//   name        containers, initContainers, env, volumes, volumeMounts, ports, ...   [name=web]
//   type        conditions, node addresses                                          [type=Ready]
//   key+effect  taints                                [key=node.kubernetes.io/unschedulable]
//               (the effect is shown only when one key carries several effects: [key=k,effect=NoSchedule])
//   uid         ownerReferences                                                     [uid=...]
// and by index otherwise ([0]). Identities must be present (non-empty strings) on every element of
// both versions and unique within each, else the array falls back to index matching. Reordering an
// identity-matched list is not a change. Arrays that hold anything but objects (args, finalizers,
// topologyKeys) are compared whole: one "changed" entry at the array's path.
//
// Not reported: metadata.resourceVersion and metadata.managedFields (every write changes them).
// metadata.generation is reported (it moves only when the spec does). Node heartbeats
// (status.conditions[type=Ready].lastHeartbeatTime) are reported. withoutNoise() drops what moves
// without anything a reader would call a change: heartbeats and generation bumps (the spec's own
// changes are listed beside them). Every diff the console shows goes through it.
import { isRecord } from './util.ts';

export interface DiffEntry {
  path: string;
  op: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/** Keys of the top-level metadata that change on every write. */
const IGNORED_METADATA: ReadonlySet<string> = new Set(['resourceVersion', 'managedFields']);

/** Separates the fields of a multi-field identity (cannot occur in Kubernetes names or keys). */
const ID_SEP = '\u0000';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Identity values shown unquoted inside [k=v]: DNS names, qualified names, condition types. */
const PLAIN_VALUE = /^[A-Za-z0-9._/:-]+$/;

/** Identity schemes tried in order; ownerReferences prefer uid. */
const SCHEMES: readonly (readonly string[])[] = [['name'], ['type'], ['key', 'effect']];
const UID_SCHEMES: readonly (readonly string[])[] = [['uid'], ...SCHEMES];

function keyPath(base: string, key: string): string {
  if (IDENTIFIER.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

function selector(base: string, fields: readonly string[], values: readonly string[]): string {
  const parts = fields.map((f, i) => {
    const v = values[i] ?? '';
    return `${f}=${PLAIN_VALUE.test(v) ? v : JSON.stringify(v)}`;
  });
  return `${base}[${parts.join(',')}]`;
}

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** An added/removed/changed value without the ignored metadata fields (a whole object or its metadata). */
function clean(path: string, v: unknown): unknown {
  if (path === '' && isRecord(v) && isRecord(v.metadata)) return { ...v, metadata: clean('metadata', v.metadata) };
  if (path === 'metadata' && isRecord(v)) {
    return Object.fromEntries(Object.entries(v).filter(([k]) => !IGNORED_METADATA.has(k)));
  }
  return v;
}

class Differ {
  readonly out: DiffEntry[] = [];

  added(path: string, after: unknown): void {
    this.out.push({ path, op: 'added', after: clean(path, after) });
  }

  removed(path: string, before: unknown): void {
    this.out.push({ path, op: 'removed', before: clean(path, before) });
  }

  value(path: string, a: unknown, b: unknown, key: string): void {
    if (a === b) return;
    if (a === undefined) return this.added(path, b);
    if (b === undefined) return this.removed(path, a);
    if (isRecord(a) && isRecord(b)) return this.object(path, a, b);
    if (Array.isArray(a) && Array.isArray(b)) return this.array(path, a, b, key);
    if (!deepEqual(a, b)) this.out.push({ path, op: 'changed', before: clean(path, a), after: clean(path, b) });
  }

  object(path: string, a: Record<string, unknown>, b: Record<string, unknown>): void {
    const ignore = path === 'metadata' ? IGNORED_METADATA : undefined;
    for (const k of Object.keys(a)) {
      if (ignore?.has(k)) continue;
      const p = keyPath(path, k);
      if (Object.hasOwn(b, k)) this.value(p, a[k], b[k], k);
      else if (a[k] !== undefined) this.removed(p, a[k]);
    }
    for (const k of Object.keys(b)) {
      if (ignore?.has(k) || Object.hasOwn(a, k) || b[k] === undefined) continue;
      this.added(keyPath(path, k), b[k]);
    }
  }

  array(path: string, a: readonly unknown[], b: readonly unknown[], key: string): void {
    if (!a.every(isRecord) || !b.every(isRecord)) {
      if (!deepEqual(a, b)) this.out.push({ path, op: 'changed', before: a, after: b });
      return;
    }
    const keyed = identify(path, a, b, key === 'ownerReferences' ? UID_SCHEMES : SCHEMES);
    if (!keyed) {
      const n = Math.max(a.length, b.length);
      for (let i = 0; i < n; i++) this.value(`${path}[${i}]`, a[i], b[i], '');
      return;
    }
    for (const [id, x] of keyed.a) {
      const y = keyed.b.get(id);
      if (y === undefined) this.removed(keyed.label(id), x);
      else if (x !== y && !deepEqual(x, y)) this.object(keyed.label(id), x, y);
    }
    for (const [id, y] of keyed.b) {
      if (!keyed.a.has(id)) this.added(keyed.label(id), y);
    }
  }
}

interface Keyed {
  /** identity → element, in array order */
  a: Map<string, Record<string, unknown>>;
  b: Map<string, Record<string, unknown>>;
  /** the path of the element with this identity */
  label(id: string): string;
}

/** Matches both arrays by the first scheme every element satisfies uniquely, or undefined. */
function identify(
  path: string,
  a: readonly Record<string, unknown>[],
  b: readonly Record<string, unknown>[],
  schemes: readonly (readonly string[])[],
): Keyed | undefined {
  for (const fields of schemes) {
    const ma = index(a, fields);
    const mb = ma && index(b, fields);
    if (!ma || !mb) continue;
    let shown = fields;
    if (fields.length > 1) {
      // Taints: show only the key when no key carries two effects (the common case).
      const ids = new Set([...ma.keys(), ...mb.keys()]);
      const firsts = new Set([...ids].map((id) => id.slice(0, id.indexOf(ID_SEP))));
      if (firsts.size === ids.size) shown = fields.slice(0, 1);
    }
    const label = (id: string): string => selector(path, shown, fields.length === 1 ? [id] : id.split(ID_SEP));
    return { a: ma, b: mb, label };
  }
  return undefined;
}

/** identity → element, or undefined when an element lacks the identity or repeats one. */
function index(list: readonly Record<string, unknown>[], fields: readonly string[]): Map<string, Record<string, unknown>> | undefined {
  const m = new Map<string, Record<string, unknown>>();
  for (const el of list) {
    let id = '';
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] as string;
      const v = Object.hasOwn(el, f) ? el[f] : undefined;
      if (typeof v !== 'string' || v === '') return undefined;
      id = i === 0 ? v : `${id}${ID_SEP}${v}`;
    }
    if (m.has(id)) return undefined;
    m.set(id, el);
  }
  return m;
}

/**
 * The differences from `before` to `after`, in document order (before's key order, then keys new
 * in after). A null/undefined `before` reports every top-level field of `after` as added; a
 * null/undefined `after` reports every field of `before` as removed.
 */
export function objectDiff(before: unknown, after: unknown): DiffEntry[] {
  const d = new Differ();
  const a = before ?? undefined;
  const b = after ?? undefined;
  if (a === undefined && isRecord(b)) d.object('', {}, b);
  else if (b === undefined && isRecord(a)) d.object('', a, {});
  else d.value('', a, b, '');
  return d.out;
}

/** Drops node heartbeats (status.conditions[...].lastHeartbeatTime) and generation bumps (metadata.generation, status.observedGeneration). */
export function withoutNoise(entries: readonly DiffEntry[]): DiffEntry[] {
  return entries.filter(
    (e) => !e.path.endsWith('.lastHeartbeatTime') && e.path !== 'metadata.generation' && e.path !== 'status.observedGeneration',
  );
}
