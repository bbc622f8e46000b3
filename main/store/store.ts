// The cache: current objects, their change history and the sync state of every (cluster, kind),
// in SQLite (WAL). Writes come in batches, one transaction each, from the sync worker; readers
// (model, views, CLI) open the same file. kill -9 at any moment leaves a database that opens and
// resumes: every batch is atomic, and the WAL is replayed by SQLite on the next open.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate, partitionDDL } from './schema.ts';

export type KObj = Record<string, any>;

export const PARTITION_MS = 3_600_000;

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export type WriteOp =
  | { op: 'upsert'; cluster: string; kind: string; obj: KObj; at: number }
  | { op: 'delete'; cluster: string; kind: string; obj: KObj; at: number }
  /** after a complete LIST: everything of (cluster, kind) not in `seen` is gone */
  | { op: 'prune'; cluster: string; kind: string; seen: Set<string>; at: number }
  | { op: 'state'; cluster: string; kind: string; state: string; rv?: string; message?: string | null; listedAt?: number; at: number }
  | { op: 'gap'; cluster: string; kind?: string; start: number; end?: number; reason: string }
  | { op: 'cluster'; row: ClusterRow };

export interface ClusterRow {
  id: string;
  context: string;
  file: string;
  source: string;
  server: string;
  authKind: string;
  status: string;
  message?: string | null;
  serverVersion?: string | null;
  lastContact?: number | null;
  at: number;
}

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

/** What the cache keeps of an object: no managedFields, no last-applied, never Secret/ConfigMap data. */
export function stripObject(kind: string, obj: KObj): KObj {
  const o: KObj = { ...obj, metadata: { ...obj.metadata } };
  delete o.metadata.managedFields;
  if (o.metadata.annotations?.[LAST_APPLIED] !== undefined) {
    o.metadata.annotations = { ...o.metadata.annotations };
    delete o.metadata.annotations[LAST_APPLIED];
  }
  if (kind === 'secrets' || kind === 'configmaps') {
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

function indexColumns(kind: string, o: KObj): { node: string | null; phase: string | null } {
  switch (kind) {
    case 'pods':
      return { node: o.spec?.nodeName ?? null, phase: o.status?.phase ?? null };
    case 'nodes': {
      const ready = (o.status?.conditions as KObj[] | undefined)?.find((c) => c.type === 'Ready');
      return { node: o.metadata?.name ?? null, phase: ready ? `Ready=${ready.status}` : null };
    }
    case 'storage.k8s.io/volumeattachments':
      return { node: o.spec?.nodeName ?? null, phase: o.status?.attached ? 'Attached' : 'Detached' };
    case 'storage.k8s.io/csinodes':
      return { node: o.metadata?.name ?? null, phase: null };
    case 'resource.k8s.io/resourceslices':
      return { node: o.spec?.nodeName ?? null, phase: null };
    case 'persistentvolumes':
    case 'persistentvolumeclaims':
    case 'namespaces':
      return { node: null, phase: o.status?.phase ?? null };
    case 'events':
      return { node: null, phase: o.type ?? null };
    default:
      return { node: null, phase: null };
  }
}

export interface StoreOptions {
  readonly?: boolean;
}

export class Store {
  readonly db: Database.Database;
  readonly path: string;
  private readonly partitionStmts = new Map<string, Database.Statement>();
  private readonly s: ReturnType<Store['prepare']>;

  constructor(path: string, opts: StoreOptions = {}) {
    this.path = path;
    if (!opts.readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
    this.db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a power loss may lose the last transactions, never corrupt the file.
      this.db.pragma('synchronous = NORMAL');
      // 64 MiB of page cache: the key and name indexes of a large fleet stay in memory.
      this.db.pragma('cache_size = -65536');
    }
    migrate(this.db, !!opts.readonly);
    this.s = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      get: db.prepare('SELECT rv, body FROM objects WHERE cluster = ? AND kind = ? AND uid = ?'),
      getRv: db.prepare('SELECT rv FROM objects WHERE cluster = ? AND kind = ? AND uid = ?').pluck(),
      upsert: db.prepare(`INSERT INTO objects (cluster, kind, uid, namespace, name, rv, node, phase, created, updated_at, body)
        VALUES (@cluster, @kind, @uid, @namespace, @name, @rv, @node, @phase, @created, @at, @body)
        ON CONFLICT (cluster, kind, uid) DO UPDATE SET namespace = excluded.namespace, name = excluded.name, rv = excluded.rv,
          node = excluded.node, phase = excluded.phase, updated_at = excluded.updated_at, body = excluded.body`),
      del: db.prepare('DELETE FROM objects WHERE cluster = ? AND kind = ? AND uid = ?'),
      kindUids: db.prepare('SELECT uid FROM objects WHERE cluster = ? AND kind = ?').pluck(),
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

  private partitionInsert(at: number): { stmt: Database.Statement; name: string } {
    const start = Math.floor(at / PARTITION_MS) * PARTITION_MS;
    const name = `changes_${start}`;
    let stmt = this.partitionStmts.get(name);
    if (!stmt) {
      this.db.exec(partitionDDL(name));
      this.s.partition.run(name, start, start + PARTITION_MS);
      stmt = this.db.prepare(
        `INSERT INTO "${name}" (cluster, kind, uid, namespace, name, type, at, old_rv, new_rv, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      this.partitionStmts.set(name, stmt);
    }
    return { stmt, name };
  }

  private recordChange(
    cluster: string,
    kind: string,
    o: KObj,
    type: ChangeType,
    at: number,
    oldRv: string | null,
    body: string | null,
  ): void {
    const { stmt, name } = this.partitionInsert(at);
    const m = o.metadata ?? {};
    stmt.run(
      cluster,
      kind,
      m.uid,
      m.namespace ?? '',
      m.name ?? '',
      type,
      at,
      oldRv,
      type === 'DELETED' ? null : (m.resourceVersion ?? null),
      body,
    );
    const acc = this.pendingPartitionAdds.get(name) ?? [0, 0];
    acc[0] += 1;
    acc[1] += (body?.length ?? 0) + 64;
    this.pendingPartitionAdds.set(name, acc);
  }

  /** partition → [rows, bytes] added by the batch being written (one counter update per batch) */
  private readonly pendingPartitionAdds = new Map<string, [number, number]>();

  /** objects added (+) or removed (-) per "cluster\0kind" in the batch being written */
  private readonly countDeltas = new Map<string, number>();

  private bump(cluster: string, kind: string, d: number): void {
    const k = `${cluster}\0${kind}`;
    this.countDeltas.set(k, (this.countDeltas.get(k) ?? 0) + d);
  }

  private upsert(cluster: string, kind: string, raw: KObj, at: number): void {
    const obj = stripObject(kind, raw);
    const m = obj.metadata ?? {};
    if (!m.uid) return; // not an object we can key
    const prevRv = this.s.getRv.get(cluster, kind, m.uid) as string | undefined;
    if (prevRv !== undefined && prevRv === m.resourceVersion) return; // a relist re-delivering what we have
    const body = JSON.stringify(obj);
    // An existing object: its previous state becomes history (unless only heartbeats moved).
    let before: string | undefined;
    if (prevRv !== undefined) {
      const prev = this.s.get.get(cluster, kind, m.uid) as { rv: string; body: string };
      if (!isNoiseOnly(kind, prev.body, obj)) before = prev.body;
    }
    const cols = indexColumns(kind, obj);
    this.s.upsert.run({
      cluster,
      kind,
      uid: m.uid,
      namespace: m.namespace ?? '',
      name: m.name ?? '',
      rv: m.resourceVersion ?? '',
      node: cols.node,
      phase: cols.phase,
      created: m.creationTimestamp ? Date.parse(m.creationTimestamp) : null,
      at,
      body,
    });
    if (prevRv === undefined) {
      this.bump(cluster, kind, 1);
      this.recordChange(cluster, kind, obj, 'ADDED', at, null, null);
    } else if (before !== undefined) this.recordChange(cluster, kind, obj, 'MODIFIED', at, prevRv, before);
  }

  private remove(cluster: string, kind: string, uid: string, at: number): void {
    const prev = this.s.get.get(cluster, kind, uid) as { rv: string; body: string } | undefined;
    if (!prev) return;
    this.s.del.run(cluster, kind, uid);
    this.bump(cluster, kind, -1);
    this.recordChange(cluster, kind, JSON.parse(prev.body) as KObj, 'DELETED', at, prev.rv, prev.body);
  }

  /** Apply a batch of writes atomically. */
  write(ops: WriteOp[]): void {
    if (!ops.length) return;
    try {
      this.db.transaction(() => {
        for (const w of ops) {
          switch (w.op) {
            case 'upsert':
              this.upsert(w.cluster, w.kind, w.obj, w.at);
              break;
            case 'delete':
              if (w.obj.metadata?.uid) this.remove(w.cluster, w.kind, w.obj.metadata.uid, w.at);
              break;
            case 'prune': {
              for (const uid of this.s.kindUids.all(w.cluster, w.kind) as string[]) {
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
        for (const [key, d] of this.countDeltas) {
          const [c, k] = key.split('\0') as [string, string];
          if (d) this.s.countKind.run(d, c, k);
        }
        this.countDeltas.clear();
        for (const [name, [rows, bytes]] of this.pendingPartitionAdds) this.s.partitionAdd.run(rows, bytes, name);
        this.pendingPartitionAdds.clear();
      })();
    } catch (e) {
      // The transaction rolled back: so do the batch's counters.
      this.countDeltas.clear();
      this.pendingPartitionAdds.clear();
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
