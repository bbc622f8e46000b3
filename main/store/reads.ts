// Reads of the cache: current objects and their bodies, the change history and the state as of a past
// time, sync states, clusters and gaps, and the lookups the console makes (by name, on a node, events
// about an object, search). Nothing here writes: a snapshot opened read-only answers all of it.
import type Database from 'better-sqlite3';
import type { ClusterRow, KObj } from '../kube/sink.ts';
import type { ObjectColumns } from './encoding.ts';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredObject extends ObjectColumns {
  cluster: string;
  kind: string;
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

/** An object as search finds it: where it is, without its body. */
export type ObjectHit = Pick<StoredObject, 'cluster' | 'kind' | 'uid' | 'namespace' | 'name' | 'node'>;

/** A cluster's object with its body as the JSON text the cache keeps (parsed by whoever needs it). */
export interface ObjectRow extends ObjectColumns {
  kind: string;
  body: string;
}

/** A sync state the credentials limit: the kind may not be listed at all, or only in some namespaces. */
export interface RefusedKind {
  cluster: string;
  kind: string;
  state: 'forbidden' | 'partial';
  message: string | null;
}

/** What the cache holds, counted (a snapshot's manifest says it). */
export interface StoreCounts {
  byKind: Record<string, number>;
  objectsByCluster: Map<string, number>;
  changesByCluster: Map<string, number>;
}

// The columns of StoredObject and ChangeRecord, named as they are: a row is the record but for its body.
const STORED = 'cluster, kind, uid, namespace, name, rv, node, phase, body';
const CHANGE = 'cluster, kind, uid, namespace, name, type, at, old_rv AS oldRv, new_rv AS newRv, body AS before';

const toStored = (r: Omit<StoredObject, 'body'> & { body: string }): StoredObject => ({ ...r, body: JSON.parse(r.body) as KObj });
const toChange = (r: Omit<ChangeRecord, 'before'> & { before: string | null }): ChangeRecord => ({
  ...r,
  before: r.before ? (JSON.parse(r.before) as KObj) : null,
});

/** Escape LIKE wildcards (ESCAPE '\'). */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class StoreReads {
  protected readonly db: Database.Database;
  /** one object by key: prepared once, a diff or a bundle reads thousands */
  private readonly objectByKey: Database.Statement;

  constructor(db: Database.Database) {
    this.db = db;
    this.objectByKey = db.prepare(`SELECT ${STORED} FROM objects WHERE cluster = ? AND kind = ? AND uid = ?`);
  }

  object(cluster: string, kind: string, uid: string): StoredObject | undefined {
    const r = this.objectByKey.get(cluster, kind, uid) as Parameters<typeof toStored>[0] | undefined;
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
    const sql = `SELECT ${STORED} FROM objects WHERE ${where.join(' AND ')} ORDER BY namespace, name LIMIT ? OFFSET ?`;
    args.push(opts.limit ?? -1, opts.offset ?? 0);
    return (this.db.prepare(sql).all(...args) as Parameters<typeof toStored>[0][]).map(toStored);
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
   * A cluster's objects (of one kind, or of every kind but one), ordered by kind, namespace and name,
   * with their bodies as text: for whoever reads every object once and parses only some (a bundle).
   */
  *objectRows(cluster: string, opts: { kind?: string; exceptKind?: string } = {}): Generator<ObjectRow> {
    const kind = opts.kind !== undefined ? ' AND kind = @kind' : opts.exceptKind !== undefined ? ' AND kind != @kind' : '';
    yield* this.db
      .prepare(
        `SELECT kind, uid, namespace, name, rv, node, phase, body FROM objects WHERE cluster = @cluster${kind} ORDER BY kind, namespace, name`,
      )
      .iterate({ cluster, ...(kind ? { kind: opts.kind ?? opts.exceptKind } : {}) }) as Iterable<ObjectRow>;
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

  /** uid → what names the object and its version, of (cluster, kind): two stores are compared with it. */
  objectVersions(cluster: string, kind: string): Map<string, { uid: string; namespace: string; name: string; rv: string }> {
    const m = new Map<string, { uid: string; namespace: string; name: string; rv: string }>();
    for (const r of this.db
      .prepare('SELECT uid, namespace, name, rv FROM objects WHERE cluster = ? AND kind = ?')
      .iterate(cluster, kind) as Iterable<{ uid: string; namespace: string; name: string; rv: string }>)
      m.set(r.uid, r);
    return m;
  }

  /** Every kind synced in any cluster (the catalogue's and those watched on demand), from the small sync_state table. */
  syncedKinds(): string[] {
    return this.db.prepare('SELECT DISTINCT kind FROM sync_state ORDER BY kind').pluck().all() as string[];
  }

  /** The kinds a cluster has objects of. */
  kinds(cluster: string): string[] {
    return this.db.prepare('SELECT DISTINCT kind FROM objects WHERE cluster = ?').pluck().all(cluster) as string[];
  }

  /** An object by namespace and name ('' for cluster-scoped objects). */
  findByName(cluster: string, kind: string, namespace: string, name: string): { uid: string; body: KObj } | undefined {
    const r = this.db
      .prepare('SELECT uid, body FROM objects WHERE cluster = ? AND kind = ? AND namespace = ? AND name = ?')
      .get(cluster, kind, namespace, name) as { uid: string; body: string } | undefined;
    return r ? { uid: r.uid, body: JSON.parse(r.body) as KObj } : undefined;
  }

  /** The pods bound to a node (spec.nodeName, the index column). */
  podsOnNode(cluster: string, node: string): KObj[] {
    return (
      this.db.prepare("SELECT body FROM objects WHERE cluster = ? AND kind = 'pods' AND node = ?").pluck().all(cluster, node) as string[]
    ).map((b) => JSON.parse(b) as KObj);
  }

  /** A cluster's Warning events (type, the index column of events). */
  *warningEvents(cluster: string): Generator<KObj> {
    for (const body of this.db
      .prepare("SELECT body FROM objects WHERE cluster = ? AND kind = 'events' AND phase = 'Warning'")
      .pluck()
      .iterate(cluster) as Iterable<string>)
      yield JSON.parse(body) as KObj;
  }

  /**
   * Events that may be about an object: those of its namespace whose names are its name and a dot,
   * then anything (as the kubelet and the controllers name them). The caller checks involvedObject.
   */
  eventsNamedFor(cluster: string, namespace: string, name: string): KObj[] {
    return (
      this.db
        .prepare("SELECT body FROM objects WHERE cluster = ? AND kind = 'events' AND namespace = ? AND name >= ? AND name < ?")
        .pluck()
        .all(cluster, namespace, `${name}.`, `${name}/`) as string[]
    ).map((b) => JSON.parse(b) as KObj);
  }

  /** Objects of these kinds, in every cluster, whose names contain text: exact names first, then the shortest. */
  searchByName(kinds: readonly string[], text: string, limit: number): ObjectHit[] {
    return this.db
      .prepare(
        `SELECT cluster, kind, uid, namespace, name, node FROM objects WHERE kind IN (${kinds.map(() => '?').join(', ')})
         AND name LIKE ? ESCAPE '\\' ORDER BY (name = ?) DESC, length(name), name LIMIT ?`,
      )
      .all(...kinds, `%${likeEscape(text)}%`, text, limit) as ObjectHit[];
  }

  /** Objects of these kinds, in every cluster, labelled key=value. */
  searchByLabel(kinds: readonly string[], key: string, value: string, limit: number): ObjectHit[] {
    // The label as JSON inside the body, then checked on the parsed labels.
    const needle = `%${likeEscape(JSON.stringify(key))}:${likeEscape(JSON.stringify(value))}%`;
    const rows = this.db
      .prepare(
        `SELECT cluster, kind, uid, namespace, name, node, body FROM objects WHERE kind IN (${kinds.map(() => '?').join(', ')})
         AND body LIKE ? ESCAPE '\\' LIMIT ?`,
      )
      .all(...kinds, needle, limit * 4) as (ObjectHit & { body: string })[];
    const hits: ObjectHit[] = [];
    for (const { body, ...hit } of rows) {
      const labels = (JSON.parse(body) as KObj).metadata?.labels ?? {};
      if (labels[key] !== value) continue;
      hits.push(hit);
      if (hits.length >= limit) break;
    }
    return hits;
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

  /** Every cluster's kinds that its credentials may not list, or only in some namespaces (one query for the fleet). */
  refusedKinds(): RefusedKind[] {
    return this.db
      .prepare("SELECT cluster, kind, state, message FROM sync_state WHERE state IN ('forbidden', 'partial') ORDER BY cluster, kind")
      .all() as RefusedKind[];
  }

  clusters(): (ClusterRow & { statusSince: number })[] {
    return this.db
      .prepare(
        `SELECT id, context, file, source, server, auth_kind AS authKind, status, message, server_version AS serverVersion,
         last_contact AS lastContact, updated_at AS at, status_since AS statusSince FROM clusters ORDER BY context`,
      )
      .all() as (ClusterRow & { statusSince: number })[];
  }

  gaps(cluster?: string): { cluster: string; kind: string | null; start: number; end: number | null; reason: string }[] {
    return (
      cluster
        ? this.db.prepare('SELECT * FROM gaps WHERE cluster = ? ORDER BY start').all(cluster)
        : this.db.prepare('SELECT * FROM gaps ORDER BY start').all()
    ) as never;
  }

  protected partitionNames(from = -Infinity, to = Infinity): string[] {
    return (
      this.db
        .prepare('SELECT name FROM partitions WHERE end > ? AND start <= ? ORDER BY start')
        .all(Number.isFinite(from) ? from : -1e18, Number.isFinite(to) ? to : 1e18) as { name: string }[]
    ).map((r) => r.name);
  }

  /** When the recorded history starts: the time of the first change the cache holds (null: none). */
  historyStart(): number | null {
    const first = this.db.prepare('SELECT name FROM partitions ORDER BY start LIMIT 1').pluck().get() as string | undefined;
    if (!first) return null;
    return this.db.prepare(`SELECT min(at) FROM "${first}"`).pluck().get() as number | null;
  }

  /** Change history of one object, oldest first. */
  history(cluster: string, kind: string, uid: string): ChangeRecord[] {
    const out: ChangeRecord[] = [];
    for (const p of this.partitionNames()) {
      const rows = this.db
        .prepare(`SELECT ${CHANGE} FROM "${p}" WHERE cluster = ? AND kind = ? AND uid = ? ORDER BY seq`)
        .all(cluster, kind, uid) as Parameters<typeof toChange>[0][];
      out.push(...rows.map(toChange));
    }
    return out;
  }

  /** Changes of a cluster in a time window (the timeline), oldest first. */
  changes(cluster: string, from: number, to: number, limit = 10_000): ChangeRecord[] {
    const out: ChangeRecord[] = [];
    for (const p of this.partitionNames(from, to)) {
      const rows = this.db
        .prepare(`SELECT ${CHANGE} FROM "${p}" WHERE cluster = ? AND at >= ? AND at <= ? ORDER BY seq LIMIT ?`)
        .all(cluster, from, to, limit - out.length) as Parameters<typeof toChange>[0][];
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

  /** Objects by kind and by cluster, and changes by cluster. */
  counts(): StoreCounts {
    const byKind: Record<string, number> = {};
    for (const r of this.db.prepare('SELECT kind, count(*) AS n FROM objects GROUP BY kind ORDER BY kind').all() as {
      kind: string;
      n: number;
    }[])
      byKind[r.kind] = r.n;
    const objectsByCluster = new Map(
      (this.db.prepare('SELECT cluster, count(*) AS n FROM objects GROUP BY cluster').all() as { cluster: string; n: number }[]).map(
        (r) => [r.cluster, r.n],
      ),
    );
    const changesByCluster = new Map<string, number>();
    for (const p of this.db.prepare('SELECT name FROM partitions').pluck().all() as string[]) {
      for (const r of this.db.prepare(`SELECT cluster, count(*) AS n FROM "${p}" GROUP BY cluster`).all() as {
        cluster: string;
        n: number;
      }[])
        changesByCluster.set(r.cluster, (changesByCluster.get(r.cluster) ?? 0) + r.n);
    }
    return { byKind, objectsByCluster, changesByCluster };
  }
}
