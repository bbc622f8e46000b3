// The cache's writes: batches of the sync engine's ops (and of objects prepared in another thread), one
// transaction each, into objects, the history partitions, sync state, gaps and clusters; and retention,
// which drops whole partitions. This is ingest's hot path: its statements are prepared once (per kind,
// per partition), and counters are summed in memory and written once per batch.
import type Database from 'better-sqlite3';
import { RawObject } from '../kube/rawobject.ts';
import type { KObj, ObjectInput, SyncOp } from '../kube/sink.ts';
import { BodyEncoder, isNoiseOnly, prepareObject, type PreparedObject } from './encoding.ts';
import { PARTITION_MS, partitionDDL, partitionName } from './schema.ts';
import { ChangeRecorder } from './changes.ts';

/** What the store writes: the sync engine's ops, and objects already prepared (in another thread). */
export type WriteOp =
  | SyncOp
  /** an object prepared by prepareObject (possibly in another thread); fresh as for upsert */
  | { op: 'put'; cluster: string; kind: string; obj: PreparedObject; at: number; fresh?: boolean };

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

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

export class StoreWriter {
  private readonly db: Database.Database;
  private readonly partitionStmts = new Map<string, PartitionStatements>();
  private readonly s: ReturnType<StoreWriter['prepare']>;

  /** derives change events from what is written, in the same transaction */
  readonly recorder: ChangeRecorder;

  constructor(db: Database.Database) {
    this.db = db;
    this.s = this.prepare();
    this.recorder = new ChangeRecorder(db);
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
    const name = partitionName(start);
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
        if (this.recorder.wants(kind, 'ADDED', fresh, p.created, cluster))
          this.recorder.record(this.recorded(cluster, kind, p, 'ADDED', at, null, body, null));
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
    const wanted = this.recorder.wants(kind, 'MODIFIED');
    const before = kind === 'nodes' || wanted ? (this.s.body.get(rowid) as string) : null;
    if (kind !== 'nodes' || !isNoiseOnly(kind, before!, JSON.parse(body.toString('utf8')) as KObj)) {
      const recorded = this.recordFromRow(cluster, kind, p.uid, rowid, 'MODIFIED', at, p.namespace, p.name, p.rv || null);
      this.addToPartition(recorded.p.name, 1, recorded.bytes);
      if (wanted) this.recorder.record(this.recorded(cluster, kind, p, 'MODIFIED', at, before, body, prev[1] || null));
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

  /** What the change recorder is told of a record of this object. */
  private recorded(
    cluster: string,
    kind: string,
    p: PreparedObject,
    type: 'ADDED' | 'MODIFIED',
    at: number,
    before: string | null,
    after: Uint8Array,
    oldRv: string | null,
  ) {
    return {
      cluster,
      kind,
      uid: p.uid,
      namespace: p.namespace,
      name: p.name,
      type,
      at,
      before,
      after,
      manager: p.manager,
      oldRv,
      newRv: p.rv || null,
    };
  }

  private remove(cluster: string, kind: string, uid: string, at: number): void {
    const prev = this.s.find.get(cluster, kind, uid) as Found | undefined;
    if (!prev) return;
    if (this.recorder.wants(kind, 'DELETED')) {
      const before = this.s.body.get(prev[0]) as string;
      this.recorder.record({
        cluster,
        kind,
        uid,
        namespace: prev[2],
        name: prev[3],
        type: 'DELETED',
        at,
        before,
        after: null,
        manager: null,
        oldRv: prev[1] || null,
        newRv: null,
      });
    }
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
    this.recorder.reset();
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
              this.recorder.gap({ cluster: w.cluster, kind: w.kind ?? null, start: w.start, end: w.end ?? null, reason: w.reason });
              break;
            case 'cluster':
              this.recorder.cluster(w.row.id, w.row.status, w.row.message ?? null, w.row.at);
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

  /** Drop whole history partitions older than maxAgeMs, then the oldest until under maxBytes. */
  retain(opts: { maxAgeMs?: number; maxBytes?: number; now?: number }): { dropped: string[] } {
    const now = opts.now ?? Date.now();
    const parts = this.db.prepare('SELECT name, start, end, bytes FROM partitions ORDER BY start').all() as {
      name: string;
      start: number;
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
        this.recorder.events.deleteRange(p.start, p.end);
      })();
      this.partitionStmts.delete(p.name);
      if (this.current?.p.name === p.name) this.current = undefined;
      total -= p.bytes;
      dropped.push(p.name);
    }
    return { dropped };
  }
}
