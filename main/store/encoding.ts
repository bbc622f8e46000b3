// What the cache keeps of an object, and how it is written: the stripped body (no managedFields, no
// last-applied, never Secret/ConfigMap data) as UTF-8, its key and index columns. Pure, and shared by
// the store (which encodes what it is given unprepared) and the sync worker's side of the store thread
// (which prepares a batch before handing it over, see writer.ts).
import { createHash } from 'node:crypto';
import { RawObject, fieldManager } from '../kube/rawobject.ts';
import type { KObj, ObjectInput } from '../kube/sink.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Kinds whose values never reach the disk: each data value is reduced to a placeholder (reduceData). */
const reducedKinds = (kind: string) => kind === 'secrets' || kind === 'configmaps';

/** The placeholder a Secret value is kept as: its size only ("<12 bytes>"). */
export const secretPlaceholder = (bytes: number): string => `<${bytes} bytes>`;
/** The placeholder a ConfigMap value is kept as: its size and a digest, so a change of it shows ("<12 bytes, sha256:0123456789ab>"). */
export const configPlaceholder = (bytes: number, sha256: string): string => `<${bytes} bytes, sha256:${sha256.slice(0, 12)}>`;

/**
 * A Secret's or ConfigMap's data as the cache keeps it: the key names, and per value a placeholder.
 * Secrets: the size only (a digest of a short secret could be reversed by trying candidates).
 * ConfigMaps: the size and a SHA-256 prefix, so which keys changed can be told. binaryData and base64
 * Secret values count their decoded bytes.
 */
function reduceData(kind: string, o: KObj): void {
  const reduce = (field: string, base64: boolean) => {
    const d = o[field] as unknown;
    if (d === undefined) return;
    if (!d || typeof d !== 'object' || Array.isArray(d)) {
      delete o[field];
      return;
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(d as Record<string, unknown>)) {
      const value = typeof v === 'string' ? (base64 ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8')) : Buffer.alloc(0);
      out[k] =
        kind === 'secrets'
          ? secretPlaceholder(value.length)
          : configPlaceholder(value.length, createHash('sha256').update(value).digest('hex'));
    }
    o[field] = out;
  };
  if (kind === 'secrets') {
    reduce('data', true);
    reduce('stringData', false);
  } else {
    reduce('data', false);
    reduce('binaryData', true);
  }
}

/** What the cache keeps of an object: no managedFields, no last-applied, Secret/ConfigMap values as placeholders. */
export function stripObject(kind: string, obj: KObj): KObj {
  const o: KObj = { ...obj, metadata: { ...obj.metadata } };
  delete o.metadata.managedFields;
  if (o.metadata.annotations?.[LAST_APPLIED] !== undefined) {
    o.metadata.annotations = { ...o.metadata.annotations };
    delete o.metadata.annotations[LAST_APPLIED];
  }
  if (reducedKinds(kind)) reduceData(kind, o);
  return o;
}

/** Node status updates that only move heartbeat times are not history. */
function withoutHeartbeats(o: KObj): string {
  const c: KObj = { ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } };
  if (o.status?.conditions) {
    c.status = { ...o.status, conditions: (o.status.conditions as KObj[]).map((x) => ({ ...x, lastHeartbeatTime: undefined })) };
  }
  return JSON.stringify(c);
}

export function isNoiseOnly(kind: string, prevBody: string, next: KObj): boolean {
  if (kind !== 'nodes') return false;
  return withoutHeartbeats(JSON.parse(prevBody) as KObj) === withoutHeartbeats(next);
}

/** What an object's index columns are made of, as JSON.parse gives it (a RawObject has these too). */
export interface IndexFields {
  readonly name: unknown;
  readonly type: unknown;
  readonly nodeName: unknown;
  readonly phase: unknown;
  readonly attached: unknown;
  readonly conditions: unknown;
}

/** A parsed object's IndexFields. */
function indexFields(o: KObj): IndexFields {
  return {
    name: o.metadata?.name,
    type: o.type,
    nodeName: o.spec?.nodeName,
    phase: o.status?.phase,
    attached: o.status?.attached,
    conditions: o.status?.conditions,
  };
}

/** The index columns (node, phase) of an object. */
function indexColumns(kind: string, o: IndexFields): { node: unknown; phase: unknown } {
  switch (kind) {
    case 'pods':
      return { node: o.nodeName ?? null, phase: o.phase ?? null };
    case 'nodes': {
      const ready = (o.conditions as KObj[] | undefined)?.find((c) => c.type === 'Ready');
      return { node: o.name ?? null, phase: ready ? `Ready=${ready.status}` : null };
    }
    case 'storage.k8s.io/volumeattachments':
      return { node: o.nodeName ?? null, phase: o.attached ? 'Attached' : 'Detached' };
    case 'storage.k8s.io/csinodes':
      return { node: o.name ?? null, phase: null };
    case 'resource.k8s.io/resourceslices':
      return { node: o.nodeName ?? null, phase: null };
    case 'persistentvolumes':
    case 'persistentvolumeclaims':
    case 'namespaces':
      return { node: null, phase: o.phase ?? null };
    case 'events':
      return { node: null, phase: o.type ?? null };
    default:
      return { node: null, phase: null };
  }
}

/** Milliseconds of an RFC 3339 time (creationTimestamp), null when absent or not a time. */
function timeOf(t: unknown): number | null {
  if (typeof t !== 'string' || !t) return null;
  // The API server's form, 2006-01-02T15:04:05Z, without Date.parse (it is slow); anything else with it.
  if (t.length === 20 && t.charCodeAt(4) === 45 && t.charCodeAt(7) === 45 && t.charCodeAt(10) === 84 && t.charCodeAt(13) === 58) {
    if (t.charCodeAt(16) === 58 && t.charCodeAt(19) === 90) {
      const n = (at: number, len: number) => {
        let v = 0;
        for (let i = at; i < at + len; i++) {
          const d = t.charCodeAt(i) - 48;
          if (d < 0 || d > 9) return -1;
          v = v * 10 + d;
        }
        return v;
      };
      const [y, mo, d, h, mi, sec] = [n(0, 4), n(5, 2), n(8, 2), n(11, 2), n(14, 2), n(17, 2)];
      if (y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 59) {
        return Date.UTC(y, mo - 1, d, h, mi, sec);
      }
    }
  }
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

/** What the objects table holds of an object beside its cluster, kind and body: its key and index columns. */
export interface ObjectColumns {
  uid: string;
  namespace: string;
  name: string;
  rv: string;
  node: string | null;
  phase: string | null;
}

/**
 * An object ready to write: its key, its index columns, and the text the cache keeps of it as UTF-8.
 * Plain data, so that it can be made in one thread and written in another (the body a view of a
 * transferred buffer).
 */
export interface PreparedObject extends ObjectColumns {
  created: number | null;
  /** who last wrote the object (its managedFields, which the body no longer has); null: unknown */
  manager: string | null;
  body: Uint8Array;
}

/** An index column's value: text, or null (whatever else a hostile object puts there). */
const column = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;

/**
 * Where object bodies are encoded. reset() starts a new run; each body is appended after the last, in
 * one growing buffer, and stays valid until the next reset (the store resets for every object: it
 * binds the body before the next; a batch for another thread resets once per batch and transfers it).
 */
export class BodyEncoder {
  private ab = new ArrayBuffer(1 << 16);
  private buf = Buffer.from(this.ab);
  private used = 0;

  reset(): void {
    this.used = 0;
  }

  /** the buffer the bodies since the last reset are in, and how many bytes they take */
  take(): { buffer: ArrayBuffer; used: number } {
    const r = { buffer: this.ab, used: this.used };
    // The buffer goes away (transferred): start a new one the size the last batch needed.
    this.ab = new ArrayBuffer(Math.max(1 << 16, 2 ** Math.ceil(Math.log2(this.used + 1))));
    this.buf = Buffer.from(this.ab);
    this.used = 0;
    return r;
  }

  private room(bytes: number): void {
    if (this.used + bytes <= this.buf.length) return;
    const ab = new ArrayBuffer(Math.max(this.buf.length * 2, this.used + bytes));
    const buf = Buffer.from(ab);
    this.buf.copy(buf, 0, 0, this.used);
    this.ab = ab;
    this.buf = buf;
  }

  raw(raw: RawObject): Buffer {
    this.room((raw.end - raw.start) * 3);
    const start = this.used;
    this.used += raw.encode(this.buf.subarray(start));
    return this.buf.subarray(start, this.used);
  }

  text(text: string): Buffer {
    this.room(text.length * 3);
    const start = this.used;
    this.used += this.buf.write(text, start, 'utf8');
    return this.buf.subarray(start, this.used);
  }
}

/**
 * Kinds whose changes never name who made them (a pod's only change events are its health, which is
 * its status; Events are a log): their managedFields are not read at all, which keeps them, most of
 * what is ingested, on the scanner's fast path.
 */
const NAMELESS = new Set(['pods', 'events']);

/** Who last wrote an object as text (read from its managedFields only where a change event may name it). */
const whoWrote = (kind: string, raw: RawObject): string | null => (NAMELESS.has(kind) ? null : raw.manager);

/**
 * What the store writes of an object: key, index columns, and the stripped text (managedFields and
 * last-applied cut, never Secret/ConfigMap data). undefined: not an object the cache can key (no uid).
 */
export function prepareObject(kind: string, input: ObjectInput, out: BodyEncoder): PreparedObject | undefined {
  if (input instanceof RawObject) {
    // JSON text: kept as it is, minus what the cache does not keep. Secrets and ConfigMaps are parsed,
    // to reduce their values to placeholders.
    if (reducedKinds(kind)) {
      const parsed = input.parse();
      return parsed ? prepareObject(kind, parsed, out) : undefined;
    }
    const uid = column(input.uid);
    if (!uid) return undefined;
    const { namespace, name, resourceVersion, creationTimestamp } = input;
    return prepared(
      uid,
      namespace,
      name,
      resourceVersion,
      creationTimestamp,
      indexColumns(kind, input),
      whoWrote(kind, input),
      out.raw(input),
    );
  }
  const manager = NAMELESS.has(kind) ? null : fieldManager(input.metadata?.managedFields);
  const obj = stripObject(kind, input);
  const m = (obj.metadata ?? {}) as KObj;
  const uid = column(m.uid);
  if (!uid) return undefined;
  const { namespace, name, resourceVersion, creationTimestamp } = m;
  const cols = indexColumns(kind, indexFields(obj));
  return prepared(uid, namespace, name, resourceVersion, creationTimestamp, cols, manager, out.text(JSON.stringify(obj)));
}

/**
 * The PreparedObject of an object's fields as it has them (a RawObject's, or parsed metadata's; read
 * by the caller, where each kind of object has them): text columns, or null for anything else.
 */
function prepared(
  uid: string,
  namespace: unknown,
  name: unknown,
  rv: unknown,
  created: unknown,
  cols: { node: unknown; phase: unknown },
  manager: string | null,
  body: Uint8Array,
): PreparedObject {
  return {
    uid,
    namespace: column(namespace) ?? '',
    name: column(name) ?? '',
    rv: column(rv) ?? '',
    node: column(cols.node),
    phase: column(cols.phase),
    created: timeOf(created),
    manager,
    body,
  };
}
