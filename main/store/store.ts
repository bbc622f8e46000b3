// The cache: current objects, their change history and the sync state of every (cluster, kind),
// in SQLite (WAL). Writes come in batches, one transaction each, from the sync worker; readers
// (model, views, CLI) open the same file. kill -9 at any moment leaves a database that opens and
// resumes: every batch is atomic, and the WAL is replayed by SQLite on the next open.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { RawObject } from '../kube/rawobject.ts';
import type { ClusterRow, KObj, ObjectInput, SyncOp } from '../kube/sink.ts';
import { migrate, partitionDDL } from './schema.ts';
import { ViewRows } from './views.ts';

export type { ClusterRow, KObj, ObjectInput } from '../kube/sink.ts';

export const PARTITION_MS = 3_600_000;

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** What the store writes: the sync engine's ops, and objects already prepared (in another thread). */
export type WriteOp =
  | SyncOp
  /** an object prepared by prepareObject (possibly in another thread); fresh as for upsert */
  | { op: 'put'; cluster: string; kind: string; obj: PreparedObject; at: number; fresh?: boolean };

export interface StoredObject {
  cluster: string;
  kind: string;
  uid: string;
  namespace: string;
  name: string;
  rv: string;
  node: string | null;
  phase: string | null;
  body: KObj;
}

export interface ChangeRecord {
  cluster: string;
  kind: string;
  uid: string;
  namespace: string;
  name: string;
  type: ChangeType;
  at: number;
  oldRv: string | null;
  newRv: string | null;
  /** the object as it was before this change (null for ADDED) */
  before: KObj | null;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const metadataOnly = (kind: string) => kind === 'secrets' || kind === 'configmaps';

/** What the cache keeps of an object: no managedFields, no last-applied, never Secret/ConfigMap data. */
export function stripObject(kind: string, obj: KObj): KObj {
  const o: KObj = { ...obj, metadata: { ...obj.metadata } };
  delete o.metadata.managedFields;
  if (o.metadata.annotations?.[LAST_APPLIED] !== undefined) {
    o.metadata.annotations = { ...o.metadata.annotations };
    delete o.metadata.annotations[LAST_APPLIED];
  }
  if (metadataOnly(kind)) {
    // Metadata only (the reflector asks for PartialObjectMetadata; this is the second lock).
    delete o.data;
    delete o.stringData;
    delete o.binaryData;
  }
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

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

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

/** rowid, rv, namespace, name, node of a stored object */
type Found = [number, string, string, string, unknown];

interface PartitionStatements {
  name: string;
  fromRow: Database.Statement;
  added: Database.Statement;
}

/** The statements that write objects of one kind (their index columns differ). */
interface KindStatements {
  insert: Database.Statement;
  update: Database.Statement;
  updateRow: Database.Statement;
}

/**
 * An object ready to write: its key, its index columns, and the text the cache keeps of it as UTF-8.
 * Plain data, so that it can be made in one thread and written in another (the body a view of a
 * transferred buffer).
 */
export interface PreparedObject {
  uid: string;
  namespace: string;
  name: string;
  rv: string;
  node: string | null;
  phase: string | null;
  created: number | null;
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
 * What the store writes of an object: key, index columns, and the stripped text (managedFields and
 * last-applied cut, never Secret/ConfigMap data). undefined: not an object the cache can key (no uid).
 */
export function prepareObject(kind: string, input: ObjectInput, out: BodyEncoder): PreparedObject | undefined {
  if (input instanceof RawObject) {
    // JSON text: kept as it is, minus what the cache does not keep. Secrets and ConfigMaps (metadata
    // only, small) are parsed, to drop any data.
    if (metadataOnly(kind)) {
      const parsed = input.parse();
      return parsed ? prepareObject(kind, parsed, out) : undefined;
    }
    const uid = column(input.uid);
    if (!uid) return undefined;
    const cols = indexColumns(kind, input);
    return {
      uid,
      namespace: column(input.namespace) ?? '',
      name: column(input.name) ?? '',
      rv: column(input.resourceVersion) ?? '',
      node: column(cols.node),
      phase: column(cols.phase),
      created: timeOf(input.creationTimestamp),
      body: out.raw(input),
    };
  }
  const obj = stripObject(kind, input);
  const m = (obj.metadata ?? {}) as KObj;
  const uid = column(m.uid);
  if (!uid) return undefined;
  const cols = indexColumns(kind, indexFields(obj));
  return {
    uid,
    namespace: column(m.namespace) ?? '',
    name: column(m.name) ?? '',
    rv: column(m.resourceVersion) ?? '',
    node: column(cols.node),
    phase: column(cols.phase),
    created: timeOf(m.creationTimestamp),
    body: out.text(JSON.stringify(obj)),
  };
}

export interface StoreOptions {
  readonly?: boolean;
}

export class Store {
  readonly db: Database.Database;
  readonly path: string;
  private readonly partitionStmts = new Map<string, PartitionStatements>();
  private readonly s: ReturnType<Store['prepare']>;
  /** the derived views' rows (cluster_views, samples) */
  readonly views: ViewRows;

  constructor(path: string, opts: StoreOptions = {}) {
    this.path = path;
    if (!opts.readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
    this.db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      // 16 KiB pages (for a new file; an existing one keeps its size): an object is a 1-4 KiB row, and
      // each page goes through the WAL and back to the file, a system call each way: a relist of
      // thousands of objects writes 4 times fewer pages than with 4 KiB. Not larger: a change to one
      // object rewrites its whole page in the WAL (updates that keep the indexed columns write no
      // index page, see kindStatements).
      this.db.pragma('page_size = 16384');
      this.db.pragma('journal_mode = WAL');
      // Checkpoint (copy the WAL into the file, two fsyncs) every 64 MiB of WAL rather than every 1000
      // pages: fewer, larger checkpoints, in bursts and in steady state alike.
      this.db.pragma(`wal_autocheckpoint = ${Math.round((64 * 2 ** 20) / (this.db.pragma('page_size', { simple: true }) as number))}`);
      // NORMAL in WAL mode: a power loss may lose the last transactions, never corrupt the file.
      this.db.pragma('synchronous = NORMAL');
      // 64 MiB of page cache: the key and name indexes of a large fleet stay in memory.
      this.db.pragma('cache_size = -65536');
    }
    migrate(this.db, !!opts.readonly);
    this.s = this.prepare();
    this.views = new ViewRows(this.db);
  }

  /** opened read-only (a snapshot, or a reader of someone else's cache) */
  get readonly(): boolean {
    return this.db.readonly;
  }

  private prepare() {
    const db = this.db;
    return {
      find: db.prepare('SELECT rowid, rv, namespace, name, node FROM objects WHERE cluster = ? AND kind = ? AND uid = ?').raw(),
      body: db.prepare('SELECT body FROM objects WHERE rowid = ?').pluck(),
      del: db.prepare('DELETE FROM objects WHERE rowid = ?'),
      kindUids: db.prepare('SELECT uid FROM objects WHERE cluster = ? AND kind = ?').pluck(),
      kindUidsIn: db.prepare('SELECT uid FROM objects WHERE cluster = ? AND kind = ? AND namespace = ?').pluck(),
      kindUidsByNamespace: db.prepare('SELECT uid, namespace FROM objects WHERE cluster = ? AND kind = ?'),
      state: db.prepare(`INSERT INTO sync_state (cluster, kind, state, rv, message, listed_at, updated_at, last_event_at)
        VALUES (@cluster, @kind, @state, @rv, @message, @listedAt, @at, NULL)
        ON CONFLICT (cluster, kind) DO UPDATE SET state = excluded.state, rv = COALESCE(excluded.rv, sync_state.rv),
          message = excluded.message, listed_at = COALESCE(excluded.listed_at, sync_state.listed_at), updated_at = excluded.updated_at`),
      touchState: db.prepare('UPDATE sync_state SET rv = ?, last_event_at = ?, updated_at = ? WHERE cluster = ? AND kind = ?'),
      countKind: db.prepare('UPDATE sync_state SET objects = objects + ? WHERE cluster = ? AND kind = ?'),
      gap: db.prepare('INSERT INTO gaps (cluster, kind, start, end, reason) VALUES (?, ?, ?, ?, ?)'),
      cluster:
        db.prepare(`INSERT INTO clusters (id, context, file, source, server, auth_kind, status, message, server_version, last_contact, status_since, updated_at)
        VALUES (@id, @context, @file, @source, @server, @authKind, @status, @message, @serverVersion, @lastContact, @at, @at)
        ON CONFLICT (id) DO UPDATE SET context = excluded.context, file = excluded.file, source = excluded.source, server = excluded.server,
          auth_kind = excluded.auth_kind, message = excluded.message,
          server_version = COALESCE(excluded.server_version, clusters.server_version),
          last_contact = COALESCE(excluded.last_contact, clusters.last_contact),
          status_since = CASE WHEN clusters.status = excluded.status THEN clusters.status_since ELSE excluded.status_since END,
          status = excluded.status, updated_at = excluded.updated_at`),
      partition: db.prepare('INSERT OR IGNORE INTO partitions (name, start, end) VALUES (?, ?, ?)'),
      partitionAdd: db.prepare('UPDATE partitions SET rows = rows + ?, bytes = bytes + ? WHERE name = ?'),
    };
  }

  /** the partition written last, and its time range */
  private current: { p: PartitionStatements; start: number; end: number } | undefined;

  private partition(at: number): PartitionStatements {
    const c = this.current;
    if (c && at >= c.start && at < c.end) return c.p;
    const start = Math.floor(at / PARTITION_MS) * PARTITION_MS;
    const p = this.openPartition(start);
    this.current = { p, start, end: start + PARTITION_MS };
    return p;
  }

  private openPartition(start: number): PartitionStatements {
    const name = `changes_${start}`;
    let p = this.partitionStmts.get(name);
    if (!p) {
      this.db.exec(partitionDDL(name));
      this.s.partition.run(name, start, start + PARTITION_MS);
      const cols = `"${name}" (cluster, kind, uid, namespace, name, type, at, old_rv, new_rv, body)`;
      p = {
        name,
        // the object as stored (before a change or a delete): history's "before". (VALUES, one row:
        // SQLite keeps no statement journal for it, as it does for an INSERT ... SELECT.)
        fromRow: this.db
          .prepare(
            `INSERT INTO ${cols} VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT rv FROM objects WHERE rowid = ?), ?,
           (SELECT body FROM objects WHERE rowid = ?)) RETURNING length(body)`,
          )
          .pluck(),
        // objects just inserted (consecutive rowids): ADDED, at the time each was written (one statement
        // for a batch's run of new objects)
        added: this.db.prepare(
          `INSERT INTO ${cols} SELECT cluster, kind, uid, namespace, name, 'ADDED', updated_at, NULL, NULLIF(rv, ''), NULL
           FROM objects WHERE rowid BETWEEN ? AND ? ORDER BY rowid`,
        ),
      };
      this.partitionStmts.set(name, p);
    }
    return p;
  }

  /** partition → [rows, bytes] added by the batch being written (one counter update per batch) */
  private readonly pendingPartitionAdds = new Map<string, [number, number]>();

  private addToPartition(name: string, rows: number, bytes: number): void {
    const acc = this.pendingPartitionAdds.get(name);
    if (acc) {
      acc[0] += rows;
      acc[1] += bytes;
    } else this.pendingPartitionAdds.set(name, [rows, bytes]);
  }

  /**
   * ADDED history of objects inserted in this batch, not yet written: rowids first..last, all in one
   * partition. Written in one statement, before anything else touches history or those rows.
   */
  private added: { p: PartitionStatements; first: number; last: number } | undefined;

  private flushAdded(): void {
    const a = this.added;
    if (!a) return;
    this.added = undefined;
    a.p.added.run(a.first, a.last);
    this.addToPartition(a.p.name, a.last - a.first + 1, (a.last - a.first + 1) * 64);
  }

  /** objects added (+) or removed (-) per cluster and kind in the batch being written */
  private readonly countDeltas = new Map<string, Map<string, number>>();

  private bump(cluster: string, kind: string, d: number): void {
    let byKind = this.countDeltas.get(cluster);
    if (!byKind) this.countDeltas.set(cluster, (byKind = new Map()));
    byKind.set(kind, (byKind.get(kind) ?? 0) + d);
  }

  private readonly kindStmts = new Map<string, KindStatements>();

  private kindStatements(kind: string): KindStatements {
    let k = this.kindStmts.get(kind);
    if (!k) {
      // The kind as a literal: one string less to bind per object. The body is bound as UTF-8 bytes (a
      // Buffer is copied as it is; a string would be encoded again).
      k = {
        insert: this.db.prepare(`INSERT INTO objects (cluster, kind, uid, namespace, name, rv, node, phase, created, updated_at, body)
          VALUES (?, ${sqlString(kind)}, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT)) ON CONFLICT (cluster, kind, uid) DO NOTHING`),
        update: this.db
          .prepare(`UPDATE objects SET namespace = ?, name = ?, rv = ?, node = ?, phase = ?, updated_at = ?, body = CAST(? AS TEXT)
          WHERE rowid = ?`),
        // the same when namespace, name and node stay: SQLite then writes no index (it rewrites the
        // entries of any indexed column an UPDATE sets, to the same value or not)
        updateRow: this.db.prepare('UPDATE objects SET rv = ?, phase = ?, updated_at = ?, body = CAST(? AS TEXT) WHERE rowid = ?'),
      };
      this.kindStmts.set(kind, k);
    }
    return k;
  }

  private upsert(cluster: string, kind: string, input: ObjectInput, at: number, fresh: boolean): void {
    // A relist re-delivering what we have is skipped before the object is encoded.
    let prev: Found | undefined;
    if (!fresh) {
      const uid = input instanceof RawObject ? input.uid : input.metadata?.uid;
      if (!uid) return;
      prev = this.s.find.get(cluster, kind, uid) as Found | undefined;
      if (prev !== undefined && prev[1] === (input instanceof RawObject ? input.resourceVersion : input.metadata?.resourceVersion)) return;
    }
    const p = prepareObject(kind, input, this.encoder);
    if (p) this.put(cluster, kind, p, at, fresh, prev ?? null);
  }

  /** where this store encodes the objects it is given unprepared */
  private readonly encoder = new BodyEncoder();

  /**
   * Write an object. `fresh`: most likely new (an ADDED event): try inserting before looking it up.
   * `prev`: the stored row, when the caller has looked it up already (null: looked up, not there).
   */
  private put(cluster: string, kind: string, p: PreparedObject, at: number, fresh: boolean, prev?: Found | null): void {
    const k = this.kindStatements(kind);
    const body = Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body.buffer, p.body.byteOffset, p.body.byteLength);
    if (prev === undefined && !fresh) {
      prev = this.s.find.get(cluster, kind, p.uid) as Found | undefined;
      if (prev !== undefined && prev[1] === p.rv) return; // a relist re-delivering what we have
    }
    if (!prev) {
      const r = k.insert.run(cluster, p.uid, p.namespace, p.name, p.rv, p.node, p.phase, p.created, at, body);
      if (r.changes) {
        this.bump(cluster, kind, 1);
        // ADDED history: extend the pending run of inserted rows, or start a new one.
        const rowid = Number(r.lastInsertRowid);
        const part = this.partition(at);
        const a = this.added;
        if (a && a.p === part && a.last + 1 === rowid) a.last = rowid;
        else {
          this.flushAdded();
          this.added = { p: part, first: rowid, last: rowid };
        }
        return;
      }
      // It was there after all.
      prev = this.s.find.get(cluster, kind, p.uid) as Found;
      if (prev[1] === p.rv) return;
    }
    // An existing object: its stored state becomes history (unless only heartbeats moved).
    const rowid = prev[0];
    if (kind !== 'nodes' || !isNoiseOnly(kind, this.s.body.get(rowid) as string, JSON.parse(body.toString('utf8')) as KObj)) {
      const recorded = this.recordFromRow(cluster, kind, p.uid, rowid, 'MODIFIED', at, p.namespace, p.name, p.rv || null);
      this.addToPartition(recorded.p.name, 1, recorded.bytes);
    } else this.flushAdded();
    if (prev[2] === p.namespace && prev[3] === p.name && prev[4] === p.node) k.updateRow.run(p.rv, p.phase, at, body, rowid);
    else k.update.run(p.namespace, p.name, p.rv, p.node, p.phase, at, body, rowid);
  }

  /**
   * History row for a change to (or the delete of) the stored object at rowid: it keeps the stored
   * state. A change is recorded under the object's new namespace and name, a delete under the stored.
   * Counted in its partition by the caller, once the change is made.
   */
  private recordFromRow(
    cluster: string,
    kind: string,
    uid: unknown,
    row: number,
    type: 'MODIFIED' | 'DELETED',
    at: number,
    namespace: unknown,
    name: unknown,
    newRv: unknown,
  ): { p: PartitionStatements; bytes: number } {
    this.flushAdded();
    const p = this.partition(at);
    const len = p.fromRow.get(cluster, kind, uid, namespace, name, type, at, row, newRv, row) as number;
    return { p, bytes: len + 64 };
  }

  private remove(cluster: string, kind: string, uid: string, at: number): void {
    const prev = this.s.find.get(cluster, kind, uid) as Found | undefined;
    if (!prev) return;
    const recorded = this.recordFromRow(cluster, kind, uid, prev[0], 'DELETED', at, prev[2], prev[3], null);
    this.addToPartition(recorded.p.name, 1, recorded.bytes);
    this.s.del.run(prev[0]);
    this.bump(cluster, kind, -1);
  }

  private delete(cluster: string, kind: string, input: ObjectInput, at: number): void {
    const uid = input instanceof RawObject ? input.uid : input.metadata?.uid;
    if (uid) this.remove(cluster, kind, uid as string, at);
  }

  /** Apply a batch of writes atomically. */
  write(ops: WriteOp[]): void {
    if (!ops.length) return;
    try {
      this.db.transaction(() => {
        for (const w of ops) {
          switch (w.op) {
            case 'upsert':
              this.encoder.reset();
              this.upsert(w.cluster, w.kind, w.obj, w.at, !!w.fresh);
              break;
            case 'put':
              this.put(w.cluster, w.kind, w.obj, w.at, !!w.fresh);
              break;
            case 'delete':
              this.delete(w.cluster, w.kind, w.obj, w.at);
              break;
            case 'prune': {
              const keep = w.outside && new Set(w.outside);
              const uids = keep
                ? (this.s.kindUidsByNamespace.all(w.cluster, w.kind) as { uid: string; namespace: string }[])
                    .filter((o) => !keep.has(o.namespace))
                    .map((o) => o.uid)
                : w.namespace === undefined
                  ? this.s.kindUids.all(w.cluster, w.kind)
                  : this.s.kindUidsIn.all(w.cluster, w.kind, w.namespace);
              for (const uid of uids as string[]) {
                if (!w.seen.has(uid)) this.remove(w.cluster, w.kind, uid, w.at);
              }
              break;
            }
            case 'state':
              this.s.state.run({
                cluster: w.cluster,
                kind: w.kind,
                state: w.state,
                rv: w.rv ?? null,
                message: w.message ?? null,
                listedAt: w.listedAt ?? null,
                at: w.at,
              });
              break;
            case 'gap':
              this.s.gap.run(w.cluster, w.kind ?? null, w.start, w.end ?? null, w.reason);
              break;
            case 'cluster':
              this.s.cluster.run({
                id: w.row.id,
                context: w.row.context,
                file: w.row.file,
                source: w.row.source,
                server: w.row.server,
                authKind: w.row.authKind,
                status: w.row.status,
                message: w.row.message ?? null,
                serverVersion: w.row.serverVersion ?? null,
                lastContact: w.row.lastContact ?? null,
                at: w.row.at,
              });
              break;
          }
        }
        this.flushAdded();
        for (const [c, byKind] of this.countDeltas) for (const [k, d] of byKind) if (d) this.s.countKind.run(d, c, k);
        this.countDeltas.clear();
        for (const [name, [rows, bytes]] of this.pendingPartitionAdds) this.s.partitionAdd.run(rows, bytes, name);
        this.pendingPartitionAdds.clear();
      })();
    } catch (e) {
      // The transaction rolled back: so do the batch's counters.
      this.countDeltas.clear();
      this.pendingPartitionAdds.clear();
      this.added = undefined;
      // A partition created in this transaction is gone with it: prepare again when next needed.
      this.partitionStmts.clear();
      this.current = undefined;
      throw e;
    }
  }

  /** Record the latest resourceVersion seen by a watch (bookmarks, events) without other changes. */
  touch(cluster: string, kind: string, rv: string, at: number): void {
    this.s.touchState.run(rv, at, at, cluster, kind);
  }

  // ---- reads ---------------------------------------------------------------------------------

  object(cluster: string, kind: string, uid: string): StoredObject | undefined {
    const r = this.db.prepare('SELECT * FROM objects WHERE cluster = ? AND kind = ? AND uid = ?').get(cluster, kind, uid) as
      Record<string, unknown> | undefined;
    return r ? toStored(r) : undefined;
  }

  objects(
    cluster: string,
    kind: string,
    opts: { namespace?: string; node?: string; limit?: number; offset?: number } = {},
  ): StoredObject[] {
    const where = ['cluster = ?', 'kind = ?'];
    const args: unknown[] = [cluster, kind];
    if (opts.namespace !== undefined) {
      where.push('namespace = ?');
      args.push(opts.namespace);
    }
    if (opts.node !== undefined) {
      where.push('node = ?');
      args.push(opts.node);
    }
    const sql = `SELECT * FROM objects WHERE ${where.join(' AND ')} ORDER BY namespace, name LIMIT ? OFFSET ?`;
    args.push(opts.limit ?? -1, opts.offset ?? 0);
    return (this.db.prepare(sql).all(...args) as Record<string, unknown>[]).map(toStored);
  }

  /** Bodies only, streamed: for the model, which reads a cluster's objects of a kind once. */
  *bodies(cluster: string, kind: string): Generator<KObj> {
    for (const r of this.db.prepare('SELECT body FROM objects WHERE cluster = ? AND kind = ?').iterate(cluster, kind) as Iterable<{
      body: string;
    }>) {
      yield JSON.parse(r.body) as KObj;
    }
  }

  /**
   * Bodies of (cluster, kind) as the cache saw them at time t ("as of T"): for every object changed
   * after t, its state before the first such change (none if that change was its ADDED); every other
   * current object unless it was created after t.
   */
  bodiesAt(cluster: string, kind: string, t: number): KObj[] {
    const first = new Map<string, { type: string; body: string | null }>();
    for (const p of this.partitionNames(t, Infinity)) {
      for (const r of this.db
        .prepare(`SELECT uid, type, body FROM "${p}" WHERE cluster = ? AND kind = ? AND at > ? ORDER BY seq`)
        .iterate(cluster, kind, t) as Iterable<{ uid: string; type: string; body: string | null }>) {
        if (!first.has(r.uid)) first.set(r.uid, r);
      }
    }
    const out: KObj[] = [];
    for (const r of this.db
      .prepare('SELECT uid, created, body FROM objects WHERE cluster = ? AND kind = ?')
      .iterate(cluster, kind) as Iterable<{ uid: string; created: number | null; body: string }>) {
      if (first.has(r.uid) || (r.created !== null && r.created > t)) continue;
      out.push(JSON.parse(r.body) as KObj);
    }
    for (const c of first.values()) if (c.type !== 'ADDED' && c.body) out.push(JSON.parse(c.body) as KObj);
    return out;
  }

  /** uid → resourceVersion of (cluster, kind): what a fresh LIST is compared with. */
  versions(cluster: string, kind: string): Map<string, string> {
    const m = new Map<string, string>();
    for (const r of this.db.prepare('SELECT uid, rv FROM objects WHERE cluster = ? AND kind = ?').iterate(cluster, kind) as Iterable<{
      uid: string;
      rv: string;
    }>)
      m.set(r.uid, r.rv);
    return m;
  }

  syncStates(cluster?: string): {
    cluster: string;
    kind: string;
    state: string;
    rv: string | null;
    objects: number;
    listed_at: number | null;
    last_event_at: number | null;
    message: string | null;
    updated_at: number;
  }[] {
    const sql = cluster ? 'SELECT * FROM sync_state WHERE cluster = ? ORDER BY kind' : 'SELECT * FROM sync_state ORDER BY cluster, kind';
    return (cluster ? this.db.prepare(sql).all(cluster) : this.db.prepare(sql).all()) as never;
  }

  clusters(): (ClusterRow & { statusSince: number })[] {
    return (this.db.prepare('SELECT * FROM clusters ORDER BY context').all() as Record<string, unknown>[]).map((r) => ({
      id: r.id as string,
      context: r.context as string,
      file: r.file as string,
      source: r.source as string,
      server: r.server as string,
      authKind: r.auth_kind as string,
      status: r.status as string,
      message: (r.message as string) ?? null,
      serverVersion: (r.server_version as string) ?? null,
      lastContact: (r.last_contact as number) ?? null,
      at: r.updated_at as number,
      statusSince: r.status_since as number,
    }));
  }

  gaps(cluster?: string): { cluster: string; kind: string | null; start: number; end: number | null; reason: string }[] {
    return (
      cluster
        ? this.db.prepare('SELECT * FROM gaps WHERE cluster = ? ORDER BY start').all(cluster)
        : this.db.prepare('SELECT * FROM gaps ORDER BY start').all()
    ) as never;
  }

  private partitionNames(from = -Infinity, to = Infinity): string[] {
    return (
      this.db
        .prepare('SELECT name FROM partitions WHERE end > ? AND start <= ? ORDER BY start')
        .all(Number.isFinite(from) ? from : -1e18, Number.isFinite(to) ? to : 1e18) as { name: string }[]
    ).map((r) => r.name);
  }

  /** Change history of one object, oldest first. */
  history(cluster: string, kind: string, uid: string): ChangeRecord[] {
    const out: ChangeRecord[] = [];
    for (const p of this.partitionNames()) {
      const rows = this.db
        .prepare(`SELECT * FROM "${p}" WHERE cluster = ? AND kind = ? AND uid = ? ORDER BY seq`)
        .all(cluster, kind, uid) as Record<string, unknown>[];
      out.push(...rows.map(toChange));
    }
    return out;
  }

  /** Changes of a cluster in a time window (the timeline), oldest first. */
  changes(cluster: string, from: number, to: number, limit = 10_000): ChangeRecord[] {
    const out: ChangeRecord[] = [];
    for (const p of this.partitionNames(from, to)) {
      const rows = this.db
        .prepare(`SELECT * FROM "${p}" WHERE cluster = ? AND at >= ? AND at <= ? ORDER BY seq LIMIT ?`)
        .all(cluster, from, to, limit - out.length) as Record<string, unknown>[];
      out.push(...rows.map(toChange));
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * The object as it was at time t: the state before the first change after t, else the current
   * object (undefined: it did not exist at t, or t is before what the cache has seen of it).
   */
  objectAt(cluster: string, kind: string, uid: string, t: number): KObj | undefined {
    const next = this.history(cluster, kind, uid).find((c) => c.at > t);
    if (next) return next.type === 'ADDED' ? undefined : (next.before ?? undefined);
    const cur = this.object(cluster, kind, uid);
    if (!cur) return undefined;
    const created = Date.parse(cur.body.metadata?.creationTimestamp ?? '');
    return Number.isFinite(created) && created > t ? undefined : cur.body;
  }

  /** Drop whole history partitions older than maxAgeMs, then the oldest until under maxBytes. */
  retain(opts: { maxAgeMs?: number; maxBytes?: number; now?: number }): { dropped: string[] } {
    const now = opts.now ?? Date.now();
    const parts = this.db.prepare('SELECT name, start, end, bytes FROM partitions ORDER BY start').all() as {
      name: string;
      end: number;
      bytes: number;
    }[];
    const dropped: string[] = [];
    let total = parts.reduce((a, p) => a + p.bytes, 0);
    const current = Math.floor(now / PARTITION_MS) * PARTITION_MS;
    for (const p of parts) {
      const tooOld = opts.maxAgeMs !== undefined && p.end < now - opts.maxAgeMs;
      const tooBig = opts.maxBytes !== undefined && total > opts.maxBytes && !p.name.endsWith(`_${current}`);
      if (!tooOld && !tooBig) continue;
      this.db.transaction(() => {
        this.db.exec(`DROP TABLE IF EXISTS "${p.name}"`);
        this.db.prepare('DELETE FROM partitions WHERE name = ?').run(p.name);
      })();
      this.partitionStmts.delete(p.name);
      if (this.current?.p.name === p.name) this.current = undefined;
      total -= p.bytes;
      dropped.push(p.name);
    }
    return { dropped };
  }

  close(): void {
    this.db.close();
  }
}

function toStored(r: Record<string, unknown>): StoredObject {
  return {
    cluster: r.cluster as string,
    kind: r.kind as string,
    uid: r.uid as string,
    namespace: r.namespace as string,
    name: r.name as string,
    rv: r.rv as string,
    node: (r.node as string) ?? null,
    phase: (r.phase as string) ?? null,
    body: JSON.parse(r.body as string) as KObj,
  };
}

function toChange(r: Record<string, unknown>): ChangeRecord {
  return {
    cluster: r.cluster as string,
    kind: r.kind as string,
    uid: r.uid as string,
    namespace: r.namespace as string,
    name: r.name as string,
    type: r.type as ChangeType,
    at: r.at as number,
    oldRv: (r.old_rv as string) ?? null,
    newRv: (r.new_rv as string) ?? null,
    before: r.body ? (JSON.parse(r.body as string) as KObj) : null,
  };
}
