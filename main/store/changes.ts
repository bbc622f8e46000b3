// The fleet's change events (change_events): derived from each history record as the store writes it,
// when the state before and the state after are both at hand (main/model/changes.ts says what a record
// means), plus capture gaps and cluster status transitions. Deriving on write keeps the timeline a
// plain indexed read, for a week of a large fleet as for the last minute; an older cache gets its events
// from its history once, when it is migrated (backfillChanges).
import type Database from 'better-sqlite3';
import { deriveChanges, gapChange, clusterStatusChange, type ChangeInput } from '../model/changes.ts';
import type { KObj } from '../kube/sink.ts';
import type { ChangeFilter, ChangeRefs, DerivedChange } from '../../common/contract.ts';
import { isPartitionName } from './schema.ts';

export const CHANGE_EVENTS_DDL = `
  CREATE TABLE change_events (
    id INTEGER PRIMARY KEY,
    cluster TEXT NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    uid TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    action TEXT NOT NULL,
    severity TEXT NOT NULL,
    summary TEXT NOT NULL,
    who TEXT NOT NULL,
    fleet_key TEXT,
    refs TEXT NOT NULL,
    -- the history record it was derived from (the object's resourceVersions before and after)
    old_rv TEXT,
    new_rv TEXT
  );
  -- The timeline reads marks from this index alone (time, lane, colour).
  CREATE INDEX change_events_at ON change_events (at, cluster, category, severity);
  CREATE INDEX change_events_cluster ON change_events (cluster, at);
  CREATE INDEX change_events_uid ON change_events (uid, at);
  CREATE INDEX change_events_fleet ON change_events (fleet_key, at) WHERE fleet_key IS NOT NULL;
`;

/** Who made the changes the console itself made (actions): the user, through this console. */
export const CONSOLE_WHO = 'you (fleet console)';

/**
 * An action of the console's, as its change event records it (category 'action'): the target (the
 * cache's kind key, uid '' when unknown, namespace '' for cluster-scoped, name), the action (cordon,
 * uncordon, drain, scale, restart, pause, resume, delete, apply), a summary ("cordoned by you from this
 * console") and, for a fleet-wide run, the fleet key the same action on the same object shares.
 */
export interface ActionRecord
  extends
    Pick<DerivedChange, 'cluster' | 'at' | 'kind' | 'uid' | 'namespace' | 'name' | 'action' | 'summary'>,
    Partial<Pick<DerivedChange, 'fleetKey' | 'refs'>> {
  /** it failed: severity warning (else info) */
  failed: boolean;
}

/** A change event as stored. */
export interface StoredChange extends DerivedChange {
  id: number;
  oldRv: string | null;
  newRv: string | null;
}

/** Kinds whose records never mean a change of their own: Kubernetes Events are a log, ReplicaSets speak through their Deployment. */
const SILENT = new Set(['events', 'apps/replicasets']);

/**
 * Kinds whose objects a LIST or a watch ADDED may present as created: not pods (a rollout's pods are
 * its Deployment's change; a pod's problems are health transitions, recorded when it changes).
 */
const NO_CREATED = new Set([
  'pods',
  'events',
  'apps/replicasets',
  'storage.k8s.io/csistoragecapacities',
  'storage.k8s.io/volumeattachments',
]);

/** What the write path tells the recorder of one history record: the model's input, its states as the store has them. */
export interface RecordedChange extends Omit<ChangeInput, 'before' | 'after' | 'historyIndex'> {
  /** the stored state before (text), null for ADDED */
  before: string | null;
  /** the state after (UTF-8 text), null for DELETED */
  after: Uint8Array | string | null;
  oldRv: string | null;
  newRv: string | null;
}

/** A change_events row as read: the event's columns the contract names alike, the rest in the table's words. */
type Row = Pick<DerivedChange, 'cluster' | 'at' | 'kind' | 'uid' | 'namespace' | 'name' | 'action' | 'summary' | 'who'> & {
  id: number;
  /** text as stored: the contract's category and severity once read (toChange) */
  category: string;
  severity: string;
  fleet_key: string | null;
  refs: string;
  old_rv: string | null;
  new_rv: string | null;
};

function toChange(r: Row): StoredChange {
  let refs: ChangeRefs = {};
  try {
    refs = JSON.parse(r.refs) as ChangeRefs;
  } catch {
    /* a damaged row keeps its other fields */
  }
  return {
    id: r.id,
    cluster: r.cluster,
    at: r.at,
    kind: r.kind,
    uid: r.uid,
    namespace: r.namespace,
    name: r.name,
    category: r.category as DerivedChange['category'],
    action: r.action,
    severity: r.severity as DerivedChange['severity'],
    summary: r.summary,
    who: r.who,
    fleetKey: r.fleet_key,
    refs,
    historyIndex: null,
    oldRv: r.old_rv,
    newRv: r.new_rv,
  };
}

const text = (b: Uint8Array | string): string =>
  typeof b === 'string' ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

function parse(t: string | null): KObj | null {
  if (t === null) return null;
  try {
    const o = JSON.parse(t) as unknown;
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as KObj) : null;
  } catch {
    return null;
  }
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The WHERE clause and its arguments for a filter (every value bound, never spliced). */
function where(f: Partial<ChangeFilter> & { from: number; to: number }): { sql: string; args: unknown[] } {
  const w = ['at >= ?', 'at <= ?'];
  const args: unknown[] = [f.from, f.to];
  const inList = (col: string, vals: readonly string[] | undefined) => {
    if (!vals?.length) return;
    w.push(`${col} IN (SELECT value FROM json_each(?))`);
    args.push(JSON.stringify(vals));
  };
  inList('cluster', f.clusters);
  inList('namespace', f.namespaces);
  inList('kind', f.kinds);
  inList('category', f.categories);
  inList('severity', f.severities);
  if (f.text?.trim()) {
    const t = `%${likeEscape(f.text.trim())}%`;
    w.push("(summary LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR namespace LIKE ? ESCAPE '\\' OR who LIKE ? ESCAPE '\\')");
    args.push(t, t, t, t);
  }
  return { sql: w.join(' AND '), args };
}

/** change_events: written by the recorder, read by the views. */
export class ChangeEvents {
  private readonly db: Database.Database;
  private readonly s;

  constructor(db: Database.Database) {
    this.db = db;
    this.s = {
      insert:
        db.prepare(`INSERT INTO change_events (cluster, at, kind, uid, namespace, name, category, action, severity, summary, who, fleet_key, refs, old_rv, new_rv)
        VALUES (@cluster, @at, @kind, @uid, @namespace, @name, @category, @action, @severity, @summary, @who, @fleetKey, @refs, @oldRv, @newRv)`),
      get: db.prepare('SELECT * FROM change_events WHERE id = ?'),
      deleteRange: db.prepare('DELETE FROM change_events WHERE at >= ? AND at < ?'),
      fleet: db.prepare('SELECT * FROM change_events WHERE fleet_key IS NOT NULL AND at >= ? AND at <= ? ORDER BY at, id'),
      problems: db.prepare(
        "SELECT * FROM change_events WHERE at >= ? AND at <= ? AND severity IN ('warning', 'critical') AND category = 'health' ORDER BY at, id LIMIT ?",
      ),
    };
  }

  insert(c: DerivedChange, oldRv: string | null, newRv: string | null): number {
    const r = this.s.insert.run({
      cluster: c.cluster,
      at: c.at,
      kind: c.kind,
      uid: c.uid,
      namespace: c.namespace,
      name: c.name,
      category: c.category,
      action: c.action,
      severity: c.severity,
      summary: c.summary,
      who: c.who,
      fleetKey: c.fleetKey,
      refs: JSON.stringify(c.refs ?? {}),
      oldRv,
      newRv,
    });
    return Number(r.lastInsertRowid);
  }

  /**
   * An action taken from this console (cordon, scale, apply...), done or failed, on its target object:
   * written by the back end's own process as it happens (the sync worker writes the same file; SQLite's
   * busy timeout lets the two take turns), so the timeline and the object's Changes tab show it at once.
   * Returns the change event's id.
   */
  recordAction(a: ActionRecord): number {
    return this.insert(
      {
        cluster: a.cluster,
        at: a.at,
        kind: a.kind,
        uid: a.uid,
        namespace: a.namespace,
        name: a.name,
        category: 'action',
        action: a.action,
        severity: a.failed ? 'warning' : 'info',
        summary: a.summary,
        who: CONSOLE_WHO,
        fleetKey: a.fleetKey ?? null,
        refs: a.refs ?? {},
        historyIndex: null,
      },
      null,
      null,
    );
  }

  get(id: number): StoredChange | undefined {
    const r = this.s.get.get(id) as Row | undefined;
    return r && toChange(r);
  }

  /**
   * The timeline's marks in a window, oldest first, read from the covering index: [id, at, cluster,
   * category, severity] rows, at most `limit`, and how many match in all. Beyond the limit every
   * problem and recovery is kept and the plain changes are thinned evenly over the window (every k-th
   * by id, which follows time), so a zoomed-out view is sparse but honest, never the first part only.
   */
  marks(f: ChangeFilter, limit: number): { rows: [number, number, string, string, string][]; total: number } {
    const { sql, args } = where(f);
    const read = (extra: string, extraArgs: unknown[]) =>
      this.db
        .prepare(`SELECT id, at, cluster, category, severity FROM change_events WHERE ${sql}${extra} ORDER BY at, id LIMIT ?`)
        .raw()
        .all(...args, ...extraArgs, limit) as [number, number, string, string, string][];
    const rows = read('', []);
    if (rows.length < limit) return { rows, total: rows.length };
    const count = (extra: string) =>
      this.db
        .prepare(`SELECT count(*) FROM change_events WHERE ${sql}${extra}`)
        .pluck()
        .get(...args) as number;
    const total = count('');
    if (total <= limit) return { rows, total };
    const problems = count(" AND severity != 'info'");
    const k = Math.max(1, Math.ceil((total - problems) / Math.max(1, limit - problems)));
    return { rows: read(" AND (severity != 'info' OR id % ? = 0)", [k]), total };
  }

  /** A page of changes, newest first; `before` continues after the last one of the previous page. */
  page(f: ChangeFilter, limit: number, before?: { at: number; id: number }): StoredChange[] {
    const { sql, args } = where(f);
    const after = before ? ' AND (at < ? OR (at = ? AND id < ?))' : '';
    const rows = this.db
      .prepare(`SELECT * FROM change_events WHERE ${sql}${after} ORDER BY at DESC, id DESC LIMIT ?`)
      .all(...args, ...(before ? [before.at, before.at, before.id] : []), limit) as Row[];
    return rows.map(toChange);
  }

  /**
   * The changes of one object (uid), of a node and what it runs (node: refs.node), or of a cluster,
   * newest first; `before` continues after the last one of the previous page.
   */
  of(
    cluster: string,
    what: { uid?: string; node?: string },
    from: number,
    to: number,
    limit: number,
    before?: { at: number; id: number },
  ): StoredChange[] {
    const w = ['cluster = ?', 'at >= ?', 'at <= ?'];
    const args: unknown[] = [cluster, from, to];
    if (what.uid !== undefined) {
      w.push('uid = ?');
      args.push(what.uid);
    } else if (what.node !== undefined) {
      w.push("((kind = 'nodes' AND name = ?) OR json_extract(refs, '$.node') = ?)");
      args.push(what.node, what.node);
    }
    if (before) {
      w.push('(at < ? OR (at = ? AND id < ?))');
      args.push(before.at, before.at, before.id);
    }
    const rows = this.db
      .prepare(`SELECT * FROM change_events WHERE ${w.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`)
      .all(...args, limit) as Row[];
    return rows.map(toChange);
  }

  /** Every change with a fleet key in the window (the same change in several clusters), oldest first. */
  fleetKeyed(from: number, to: number): StoredChange[] {
    return (this.s.fleet.all(from, to) as Row[]).map(toChange);
  }

  /** Health events that went wrong (warning, critical) in the window, oldest first. */
  problems(from: number, to: number, limit = 100_000): StoredChange[] {
    return (this.s.problems.all(from, to, limit) as Row[]).map(toChange);
  }

  /** How many change events the cache holds. */
  count(): number {
    return this.db.prepare('SELECT count(*) FROM change_events').pluck().get() as number;
  }

  /** Retention: what a dropped history partition covered goes with it. */
  deleteRange(start: number, end: number): void {
    this.s.deleteRange.run(start, end);
  }
}

/**
 * The write path's hook: turns each history record into change events, in the same transaction.
 * Parsing both states costs more than writing them, so only what can mean something is parsed.
 */
export class ChangeRecorder {
  readonly events: ChangeEvents;
  private readonly listedAt: Database.Statement;
  private readonly clusterStatus: Database.Statement;
  /** (cluster, kind) → when its previous LIST completed, for the batch being written */
  private readonly listed = new Map<string, number | null>();

  constructor(db: Database.Database, events = new ChangeEvents(db)) {
    this.events = events;
    this.listedAt = db.prepare('SELECT listed_at FROM sync_state WHERE cluster = ? AND kind = ?').pluck();
    this.clusterStatus = db.prepare('SELECT status FROM clusters WHERE id = ?').pluck();
  }

  /** A new batch: what was cached for the last one may have moved. */
  reset(): void {
    this.listed.clear();
  }

  /** Does a record of this kind and type need its states (else it cannot mean anything)? */
  wants(kind: string, type: RecordedChange['type'], fresh = false, created: number | null = null, cluster = ''): boolean {
    if (SILENT.has(kind)) return false;
    if (type !== 'ADDED') return true;
    if (NO_CREATED.has(kind)) return false;
    if (fresh) return true;
    // An object a LIST returns: new only if it was created after the kind's previous LIST completed
    // (it appeared while the watch was down); in a cluster's first LIST everything is merely first seen.
    const key = `${cluster}\u0000${kind}`;
    let t = this.listed.get(key);
    if (t === undefined) this.listed.set(key, (t = (this.listedAt.get(cluster, kind) as number | null | undefined) ?? null));
    return t !== null && created !== null && created > t;
  }

  record(c: RecordedChange, historyIndex: number | null = null): void {
    const before = parse(c.before);
    const after = c.after === null ? null : parse(text(c.after));
    // The same version twice (a cache rewriting what it already had) is no change.
    if (before && after && before.metadata?.resourceVersion && before.metadata.resourceVersion === after.metadata?.resourceVersion) return;
    const input: ChangeInput = {
      cluster: c.cluster,
      kind: c.kind,
      uid: c.uid,
      namespace: c.namespace,
      name: c.name,
      type: c.type,
      at: c.at,
      before,
      after,
      manager: c.manager,
      historyIndex: historyIndex ?? 0,
    };
    for (const d of deriveChanges(input)) this.events.insert(d, c.oldRv, c.newRv);
  }

  gap(g: { cluster: string; kind: string | null; start: number; end: number | null; reason: string }): void {
    this.events.insert(gapChange(g), null, null);
  }

  /** cluster → its last settled status (not connecting or syncing): what a reconnect comes back from */
  private readonly settled = new Map<string, string | null>();

  /**
   * Before a cluster's row is written: a transition between settled statuses (live → unreachable, and
   * back to live through connecting and syncing) is an event.
   */
  cluster(id: string, status: string, message: string | null, at: number): void {
    if (!this.settled.has(id)) this.settled.set(id, (this.clusterStatus.get(id) as string | undefined) ?? null);
    if (status === 'connecting' || status === 'syncing') return;
    const from = this.settled.get(id) ?? null;
    this.settled.set(id, status);
    if (from === status) return;
    const c = clusterStatusChange({ cluster: id, at, from, to: status, message });
    if (c) this.events.insert(c, null, null);
  }
}

/**
 * Derive the change events of a history that has none (a cache or snapshot from before they were
 * kept): every record in time order, each one's after-state the next record's before-state of the
 * same object, or the current object. Returns how many records were read.
 */
export function backfillChanges(db: Database.Database): number {
  const recorder = new ChangeRecorder(db);
  const parts = (db.prepare('SELECT name FROM partitions ORDER BY start').pluck().all() as string[]).filter(isPartitionName);
  /** object key → its record whose after-state is not known yet: where it is, and what it said */
  const pending = new Map<string, { part: string; seq: number }>();
  const bodyOf = new Map<string, Database.Statement>();
  const recordAt = (part: string) => {
    let st = bodyOf.get(part);
    if (!st) bodyOf.set(part, (st = db.prepare(`SELECT * FROM "${part}" WHERE seq = ?`)));
    return st;
  };
  type H = {
    seq: number;
    cluster: string;
    kind: string;
    uid: string;
    namespace: string;
    name: string;
    type: string;
    at: number;
    old_rv: string | null;
    new_rv: string | null;
    body: string | null;
  };
  const emit = (h: H, after: string | null) => {
    const type = h.type as RecordedChange['type'];
    if (SILENT.has(h.kind)) return;
    if (type === 'ADDED') {
      // Whether a LIST or a watch delivered it is not recorded: an object seen within a minute of its
      // creation was created while watched; anything else was merely first seen.
      if (NO_CREATED.has(h.kind)) return;
      const created = Date.parse(String(parse(after)?.metadata?.creationTimestamp ?? ''));
      if (!(Number.isFinite(created) && h.at - created < 60_000)) return;
    }
    recorder.record({
      cluster: h.cluster,
      kind: h.kind,
      uid: h.uid,
      namespace: h.namespace,
      name: h.name,
      type,
      at: h.at,
      before: h.body,
      after: type === 'DELETED' ? null : after,
      manager: null,
      oldRv: h.old_rv,
      newRv: h.new_rv,
    });
  };
  let read = 0;
  for (const part of parts) {
    // In pages, not one open iteration: the events are written on the same connection meanwhile.
    const page = db.prepare(`SELECT * FROM "${part}" WHERE seq > ? ORDER BY seq LIMIT 2000`);
    for (let last = -1, rows = page.all(last) as H[]; rows.length; last = rows.at(-1)!.seq, rows = page.all(last) as H[])
      for (const h of rows) {
        read++;
        const key = `${h.cluster}\u0000${h.kind}\u0000${h.uid}`;
        const prev = pending.get(key);
        if (prev) {
          emit(recordAt(prev.part).get(prev.seq) as H, h.body);
          pending.delete(key);
        }
        pending.set(key, { part, seq: h.seq });
      }
  }
  const current = db.prepare('SELECT body FROM objects WHERE cluster = ? AND kind = ? AND uid = ?').pluck();
  for (const [key, at] of pending) {
    const [cluster, kind, uid] = key.split('\u0000') as [string, string, string];
    const h = recordAt(at.part).get(at.seq) as H;
    emit(h, h.type === 'DELETED' ? null : ((current.get(cluster, kind, uid) as string | undefined) ?? null));
  }
  for (const g of db.prepare('SELECT cluster, kind, start, end, reason FROM gaps ORDER BY start').all() as {
    cluster: string;
    kind: string | null;
    start: number;
    end: number | null;
    reason: string;
  }[])
    recorder.gap(g);
  return read;
}
