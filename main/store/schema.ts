// The cache's SQLite schema. Migrations are ordered steps applied inside one transaction each;
// PRAGMA user_version records how far a database has come. A snapshot is the same schema in a file.
import type Database from 'better-sqlite3';
import { CHANGE_EVENTS_DDL, backfillChanges } from './changes.ts';

export const SCHEMA_VERSION = 3;

const MIGRATIONS: ((db: Database.Database) => void)[] = [
  // 1: objects, history partitions, sync state, gaps
  (db) => {
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE clusters (
        id TEXT PRIMARY KEY,
        context TEXT NOT NULL,
        file TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        server TEXT NOT NULL DEFAULT '',
        auth_kind TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        message TEXT,
        server_version TEXT,
        last_contact INTEGER,
        status_since INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      -- Current objects. body is JSON with managedFields and the last-applied annotation removed;
      -- Secrets and ConfigMaps are stored as metadata only (no data at all).
      CREATE TABLE objects (
        cluster TEXT NOT NULL,
        kind TEXT NOT NULL,
        uid TEXT NOT NULL,
        namespace TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL,
        rv TEXT NOT NULL,
        node TEXT,
        phase TEXT,
        created INTEGER,
        updated_at INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      -- A rowid table: bodies are kilobytes, which WITHOUT ROWID tables store badly.
      CREATE UNIQUE INDEX objects_key ON objects (cluster, kind, uid);
      CREATE INDEX objects_by_name ON objects (cluster, kind, namespace, name);
      CREATE INDEX objects_by_node ON objects (cluster, node) WHERE node IS NOT NULL;

      -- One row per (cluster, kind): where its reflector is, what it last said.
      CREATE TABLE sync_state (
        cluster TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        rv TEXT,
        objects INTEGER NOT NULL DEFAULT 0,
        listed_at INTEGER,
        last_event_at INTEGER,
        message TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (cluster, kind)
      ) WITHOUT ROWID;

      -- Windows in which changes may have been missed: disconnects, relists after 410, refused kinds.
      CREATE TABLE gaps (
        id INTEGER PRIMARY KEY,
        cluster TEXT NOT NULL,
        kind TEXT,
        start INTEGER NOT NULL,
        end INTEGER,
        reason TEXT NOT NULL
      );
      CREATE INDEX gaps_by_cluster ON gaps (cluster, start);

      -- History is partitioned by time (one table per hour) so retention drops whole tables. Each row
      -- holds the object as it was BEFORE the change (none for ADDED): the current state is in objects,
      -- so every state is stored once.
      CREATE TABLE partitions (
        name TEXT PRIMARY KEY,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        rows INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0
      );
    `);
  },
  // 2: derived views (what the UI opens with, so a large cache paints without re-deriving) and samples
  (db) => {
    db.exec(`
      -- One row per cluster: the model's summary and node cells, recomputed by the sync worker when the
      -- cluster's objects change (coalesced), and by any reader whose model is newer (model_version).
      CREATE TABLE cluster_views (
        cluster TEXT PRIMARY KEY,
        model_version INTEGER NOT NULL,
        version INTEGER NOT NULL,
        computed_at INTEGER NOT NULL,
        -- small: what a fleet tile shows (read for every cluster when the fleet opens)
        summary TEXT NOT NULL,
        -- the node cells of the map
        nodes TEXT NOT NULL,
        -- large: the cluster view's panels (node rows, accelerators, storage, workload problems)
        panels TEXT NOT NULL
      );

      -- Time series for charts: one sample per cluster per minute at most, taken from the summary.
      CREATE TABLE samples (
        cluster TEXT NOT NULL,
        at INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (cluster, at)
      ) WITHOUT ROWID;
    `);
  },
  // 3: the fleet's change events, derived from the history kept so far; Secrets and ConfigMaps keep
  // their key names and value placeholders (they were metadata only): rewritten at the next LIST
  (db) => {
    db.exec(CHANGE_EVENTS_DDL);
    backfillChanges(db);
    // An empty resourceVersion makes the next LIST write them again, with their keys (a rewrite of the
    // same version, which is no change event).
    db.exec("UPDATE objects SET rv = '' WHERE kind IN ('configmaps', 'secrets')");
  },
];

/** The time a history partition covers (one table per hour). */
export const PARTITION_MS = 3_600_000;

/** The history partition that holds the changes of [start, start + PARTITION_MS). */
export const partitionName = (start: number): string => `changes_${start}`;

/** A partitions row names a history table (and only such a name is ever put in SQL). */
export const isPartitionName = (name: string): boolean => /^changes_-?\d+$/.test(name);

export function partitionDDL(name: string): string {
  return `
    CREATE TABLE IF NOT EXISTS "${name}" (
      seq INTEGER PRIMARY KEY,
      cluster TEXT NOT NULL,
      kind TEXT NOT NULL,
      uid TEXT NOT NULL,
      namespace TEXT NOT NULL DEFAULT '',
      name TEXT NOT NULL,
      type TEXT NOT NULL,
      at INTEGER NOT NULL,
      old_rv TEXT,
      new_rv TEXT,
      body TEXT
    );
    -- One index: an object's history. The partition is itself the time index (a timeline scans its hours).
    CREATE INDEX IF NOT EXISTS "${name}_uid" ON "${name}" (uid);`;
}

export class SchemaError extends Error {}

/** Bring a database to SCHEMA_VERSION; refuse one from the future (a newer app wrote it). */
export function migrate(db: Database.Database, readonly = false): void {
  const v = db.pragma('user_version', { simple: true }) as number;
  if (v > SCHEMA_VERSION) {
    throw new SchemaError(`this database has schema version ${v}, newer than this app understands (${SCHEMA_VERSION}): update the app`);
  }
  if (v === SCHEMA_VERSION) return;
  if (readonly)
    throw new SchemaError(`this database has schema version ${v}; it needs migrating to ${SCHEMA_VERSION} and is opened read-only`);
  for (let i = v; i < SCHEMA_VERSION; i++) {
    db.transaction(() => {
      MIGRATIONS[i]!(db);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}
