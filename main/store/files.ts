// Snapshot files as SQLite sees them: the statements of capturing, checking and opening a snapshot
// (main/snapshot/ decides what to capture and checks a file's header bytes before SQLite parses it).
// A snapshot is the store's schema in one file: rollback-journal mode (no -wal), the snapshot's
// application id, and its manifest in the meta table (manifest.ts).
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Store } from './store.ts';
import { isPartitionName, partitionDDL } from './schema.ts';
import { MANIFEST_KEY, SNAPSHOT_APPLICATION_ID, SnapshotError, parseManifest, type SnapshotManifest } from './manifest.ts';

/** The schema version a database file was written with (PRAGMA user_version), read without migrating it. */
export function schemaVersionOf(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

function openChecked(path: string): Database.Database {
  try {
    return new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new SnapshotError(`${basename(path)} cannot be opened: ${(e as Error).message}`);
  }
}

function readManifest(db: Database.Database, name: string): SnapshotManifest {
  let text: string | undefined;
  try {
    text = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(MANIFEST_KEY) as string | undefined;
  } catch (e) {
    throw new SnapshotError(`${name} is damaged: ${(e as Error).message}`);
  }
  return parseManifest(name, text);
}

/** Every page readable and every index consistent (PRAGMA quick_check): what opening a snapshot runs. */
function quickCheck(db: Database.Database, name: string): void {
  let rows: string[];
  try {
    rows = (db.pragma('quick_check(5)') as unknown[]).map((r) => String((r as Record<string, unknown>).quick_check));
  } catch (e) {
    throw new SnapshotError(`${name} is damaged: ${(e as Error).message}`);
  }
  if (rows.length !== 1 || rows[0] !== 'ok') throw new SnapshotError(`${name} is damaged: ${rows.slice(0, 3).join('; ')}`);
}

/**
 * A snapshot file's manifest, read-only; with `check`, after SQLite has read every page (quick_check).
 * SnapshotError says what is wrong with a file that cannot be read so.
 */
export function readSnapshotManifest(path: string, check: boolean): SnapshotManifest {
  const name = basename(path);
  const db = openChecked(path);
  try {
    if (check) quickCheck(db, name);
    return readManifest(db, name);
  } finally {
    db.close();
  }
}

/**
 * A snapshot of an older schema, migrated in a copy under tmpDir (the file itself is never written):
 * the copy, and what removes it (after closing what reads it).
 */
export function migratedCopy(path: string, fromVersion: number, tmpDir: string): { file: string; cleanup: () => void } {
  const name = basename(path);
  const tmp = mkdtempSync(join(tmpDir, 'fleetsnap-'));
  const file = join(tmp, name);
  copyFileSync(path, file);
  try {
    const db = new Database(file);
    try {
      readManifest(db, name);
      // The store migrates it as it opens; then it is one file again.
      new SnapshotFile(file).closeAsOneFile();
    } finally {
      if (db.open) db.close();
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e instanceof SnapshotError
      ? e
      : new SnapshotError(`${name} (schema ${fromVersion}) could not be migrated: ${(e as Error).message}`);
  }
  return { file, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

/**
 * Copy a whole cache into a new file: VACUUM INTO copies the database inside one read transaction (a
 * consistent point in time while the sync worker keeps writing), table by table in b-tree order,
 * about as fast as copying the file. Nothing is left at `to` when it fails.
 */
export function copyDatabase(from: string, to: string): void {
  const src = new Database(from, { readonly: true, fileMustExist: true });
  try {
    src.prepare('VACUUM INTO ?').run(to);
  } catch (e) {
    rmSync(to, { force: true });
    throw new SnapshotError(`cannot copy the cache ${from}: ${(e as Error).message}`);
  } finally {
    src.close();
  }
}

/** What a capture copies of a cache, row by row. */
export interface SnapshotSelection {
  /** the cache (a live one: the sync worker may be writing to it) */
  source: string;
  /** cluster ids */
  clusters: string[];
  /** history from this time (ms); null: all the cache has */
  since: number | null;
  /** keep namespaced objects of these namespaces only (cluster-scoped objects are kept) */
  namespaces?: string[] | undefined;
  /** rewrite every stored body (current and history) on the way: the bundle's redaction */
  transform?: ((kind: string, body: string) => string) | undefined;
  /** and every free-text column (status messages, gap reasons) */
  textTransform?: ((text: string) => string) | undefined;
}

const OBJECT_COLS = 'cluster, kind, uid, namespace, name, rv, node, phase, created, updated_at, body';
const CHANGE_COLS = 'seq, cluster, kind, uid, namespace, name, type, at, old_rv, new_rv, body';

/**
 * A snapshot being written: a store on the new file (empty, or a whole copy of the cache), filled,
 * then sealed into a snapshot.
 */
export class SnapshotFile extends Store {
  /** Copy the selected clusters (namespaces, window; rewritten by the transforms) from the cache. */
  copySelection(o: SnapshotSelection): void {
    const db = this.db;
    // Rewritten values must not survive in free space: zero what is deleted or overwritten.
    if (o.transform || o.textTransform) db.pragma('secure_delete = ON');
    db.prepare('ATTACH DATABASE ? AS src').run(o.source);
    if (o.transform) {
      const t = o.transform;
      db.function('fleet_transform', { deterministic: true }, (kind, body) =>
        body === null ? null : t(String(kind), typeof body === 'string' ? body : String(body)),
      );
    }
    const body = o.transform ? 'fleet_transform(kind, body)' : 'body';
    const sel = JSON.stringify(o.clusters);
    const nsFilter = o.namespaces?.length ? ` AND (namespace = '' OR namespace IN (SELECT value FROM json_each(@ns)))` : '';
    const params = { sel, ns: JSON.stringify(o.namespaces ?? []), since: o.since ?? -1e18 };
    const inSel = 'cluster IN (SELECT value FROM json_each(@sel))';
    // One transaction: its reads of src are one consistent point in time (WAL snapshot isolation).
    db.transaction(() => {
      db.prepare(`INSERT INTO main.clusters SELECT * FROM src.clusters WHERE id IN (SELECT value FROM json_each(@sel))`).run({ sel });
      db.prepare(
        `INSERT INTO main.objects (${OBJECT_COLS}) SELECT ${OBJECT_COLS.replace(/body$/, body)} FROM src.objects WHERE ${inSel}${nsFilter}
         ORDER BY cluster, kind, namespace, name`,
      ).run(o.namespaces?.length ? params : { sel });
      db.prepare(`INSERT INTO main.sync_state SELECT * FROM src.sync_state WHERE ${inSel}`).run({ sel });
      db.prepare(
        `INSERT INTO main.gaps (cluster, kind, start, end, reason) SELECT cluster, kind, start, end, reason FROM src.gaps
         WHERE ${inSel} AND (end IS NULL OR end >= @since) ORDER BY id`,
      ).run({ sel, since: params.since });
      // Derived views describe what a snapshot holds only when nothing was narrowed or rewritten.
      if (!o.namespaces?.length && !o.transform) {
        db.prepare(`INSERT INTO main.cluster_views SELECT * FROM src.cluster_views WHERE ${inSel}`).run({ sel });
      }
      db.prepare(`INSERT INTO main.samples SELECT * FROM src.samples WHERE ${inSel} AND at >= @since`).run({ sel, since: params.since });
      const parts = db
        .prepare('SELECT name, start, end FROM src.partitions WHERE end > @since ORDER BY start')
        .all({ since: params.since }) as {
        name: string;
        start: number;
        end: number;
      }[];
      for (const p of parts) {
        if (!isPartitionName(p.name)) continue;
        db.exec(partitionDDL(p.name));
        const r = db
          .prepare(
            `INSERT INTO main."${p.name}" (${CHANGE_COLS}) SELECT ${CHANGE_COLS.replace(/body$/, body)} FROM src."${p.name}"
             WHERE ${inSel} AND at >= @since${nsFilter} ORDER BY seq`,
          )
          .run(o.namespaces?.length ? params : { sel, since: params.since });
        if (r.changes === 0) {
          db.exec(`DROP TABLE main."${p.name}"`);
          continue;
        }
        db.prepare(
          `INSERT INTO main.partitions (name, start, end, rows, bytes) SELECT ?, ?, ?, count(*), coalesce(sum(length(body)), 0) FROM main."${p.name}"`,
        ).run(p.name, p.start, p.end);
      }
      if (o.textTransform) {
        const t = o.textTransform;
        db.function('fleet_text', { deterministic: true }, (x) => (x === null ? null : t(String(x))));
        db.exec(`UPDATE main.clusters SET message = fleet_text(message) WHERE message IS NOT NULL;
          UPDATE main.sync_state SET message = fleet_text(message) WHERE message IS NOT NULL;
          UPDATE main.gaps SET reason = fleet_text(reason)`);
      }
    })();
    db.exec('DETACH DATABASE src');
  }

  /** Drop the history before `since`: whole partitions, then the older rows of the one that straddles it. */
  trimHistory(since: number): void {
    const db = this.db;
    db.transaction(() => {
      for (const p of db.prepare('SELECT name, start, end FROM partitions ORDER BY start').all() as {
        name: string;
        start: number;
        end: number;
      }[]) {
        if (!isPartitionName(p.name)) continue;
        if (p.end <= since) {
          db.exec(`DROP TABLE IF EXISTS "${p.name}"`);
          db.prepare('DELETE FROM partitions WHERE name = ?').run(p.name);
        } else if (p.start < since) {
          db.prepare(`DELETE FROM "${p.name}" WHERE at < ?`).run(since);
          db.prepare(
            `UPDATE partitions SET rows = (SELECT count(*) FROM "${p.name}"), bytes = (SELECT coalesce(sum(length(body)), 0) FROM "${p.name}") WHERE name = ?`,
          ).run(p.name);
        }
      }
      db.prepare('DELETE FROM gaps WHERE end IS NOT NULL AND end < ?').run(since);
      db.prepare('DELETE FROM samples WHERE at < ?').run(since);
    })();
  }

  /** Write the manifest, mark the file a snapshot (its application id) and close it as one file. */
  seal(manifest: SnapshotManifest): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(MANIFEST_KEY, JSON.stringify(manifest));
    this.db.pragma(`application_id = ${SNAPSHOT_APPLICATION_ID}`);
    this.checkpoint();
    this.closeAsOneFile();
  }

  /** Leave WAL mode (rollback journal: no -wal, no -shm beside the file) and close. */
  closeAsOneFile(): void {
    this.db.pragma('journal_mode = DELETE');
    this.close();
  }
}
