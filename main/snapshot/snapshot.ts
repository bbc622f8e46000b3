// Snapshots (.fleetsnap): a point-in-time copy of the cache, for offline review. The file is the
// store's own SQLite schema (so the same code reads it) in rollback-journal mode (one file, no -wal),
// marked with an application id, with a manifest in the meta table:
//
//   meta['snapshot.manifest'] = SnapshotManifest (JSON)
//
// Capture copies, inside one read transaction on the cache (a consistent point in time while the
// sync worker keeps writing), the selected clusters' current objects, sync state, gaps, derived
// views, chart samples and the change history within the window. Opening checks the file before
// SQLite parses it: magic, truncation (the header's page count against the file size), application id,
// schema version, then the manifest.
import { closeSync, copyFileSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { Store } from '../store/store.ts';
import { SCHEMA_VERSION, partitionDDL } from '../store/schema.ts';
import { MODEL_VERSION } from '../model/derive.ts';
import { APP_NAME } from '../paths.ts';
import { appVersion } from '../version.ts';
import {
  MANIFEST_KEY,
  SNAPSHOT_APPLICATION_ID,
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  type SnapshotManifest,
} from '../store/manifest.ts';

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export interface CaptureOptions {
  /** the cache to copy (a live one, the sync worker may be writing to it) */
  db: string;
  out: string;
  /** cluster ids or context names; none: every cluster */
  clusters?: string[];
  /** history from this time (ms); none: all the cache has */
  since?: number;
  /** keep namespaced objects of these namespaces only (cluster-scoped objects are kept) */
  namespaces?: string[];
  /** rewrite every stored body (current and history) on the way: the bundle's redaction */
  transform?: (kind: string, body: string) => string;
  /** and every free-text column (status messages, gap reasons) */
  textTransform?: (text: string) => string;
  overwrite?: boolean;
  now?: number;
}

// ------------------------------------------------------------------------------------ header

export interface SnapshotHeader {
  pageSize: number;
  pages: number;
  userVersion: number;
  applicationId: number;
  wal: boolean;
  bytes: number;
}

/** What a file's first bytes say it is, for messages about files that are not snapshots. */
function sniff(head: Buffer): string {
  if (head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return 'a zip archive';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'a gzip file (an incident bundle? open it with "bundle verify")';
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'a PDF document';
  if (/^\s*[{[]/.test(head.subarray(0, 16).toString('latin1'))) return 'a JSON or text file';
  return 'not a SQLite database';
}

/** Read and check a snapshot's SQLite header (without opening it with SQLite). */
export function readHeader(path: string): SnapshotHeader {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SnapshotError(
      code === 'ENOENT' ? `${path}: no such file` : code === 'EISDIR' ? `${path}: is a folder` : `${path}: ${(e as Error).message}`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new SnapshotError(`${path}: is a folder`);
    const bytes = st.size;
    const head = Buffer.alloc(100);
    const n = readSync(fd, head, 0, 100, 0);
    const name = basename(path);
    if (n === 0) throw new SnapshotError(`${name} is empty`);
    if (head.subarray(0, 16).toString('latin1') !== 'SQLite format 3\0') {
      throw new SnapshotError(`${name} is not a fleet console snapshot: it is ${sniff(head.subarray(0, n))}`);
    }
    if (n < 100) throw new SnapshotError(`${name} is truncated: ${bytes} bytes, shorter than a SQLite header`);
    const rawPage = head.readUInt16BE(16);
    const pageSize = rawPage === 1 ? 65536 : rawPage;
    if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new SnapshotError(`${name} is corrupt: page size ${rawPage}`);
    const pages = head.readUInt32BE(28);
    // The page count is valid when the "version-valid-for" number equals the change counter.
    const countValid = head.readUInt32BE(92) === head.readUInt32BE(24) && pages > 0;
    if (countValid && bytes < pages * pageSize) {
      throw new SnapshotError(`${name} is truncated: its header says ${pages * pageSize} bytes, the file has ${bytes}`);
    }
    if (bytes % pageSize !== 0) throw new SnapshotError(`${name} is truncated or corrupt: ${bytes} bytes is not a whole number of pages`);
    const applicationId = head.readUInt32BE(68);
    const userVersion = head.readUInt32BE(60);
    if (applicationId !== SNAPSHOT_APPLICATION_ID) {
      throw new SnapshotError(
        `${name} is a SQLite database but not a fleet console snapshot (application id 0x${applicationId.toString(16).padStart(8, '0')})`,
      );
    }
    if (userVersion > SCHEMA_VERSION) {
      throw new SnapshotError(
        `${name} was written by a newer fleet console (schema ${userVersion}; this one reads up to ${SCHEMA_VERSION}): update the app to open it`,
      );
    }
    return { pageSize, pages, userVersion, applicationId, wal: head[18] === 2 || head[19] === 2, bytes };
  } finally {
    closeSync(fd);
  }
}

function parseManifest(name: string, text: string | undefined): SnapshotManifest {
  if (text === undefined) throw new SnapshotError(`${name} has no snapshot manifest: it is not a fleet console snapshot, or it is damaged`);
  let m: SnapshotManifest;
  try {
    m = JSON.parse(text) as SnapshotManifest;
  } catch {
    throw new SnapshotError(`${name}: its manifest is not valid JSON (the file is damaged)`);
  }
  const ok =
    m &&
    typeof m === 'object' &&
    m.format === SNAPSHOT_FORMAT &&
    typeof m.capturedAt === 'number' &&
    Array.isArray(m.clusters) &&
    m.window &&
    typeof m.window.to === 'number' &&
    m.counts &&
    typeof m.counts.objects === 'number';
  if (!ok) throw new SnapshotError(`${name}: its manifest is not a fleet console snapshot manifest`);
  if (m.formatVersion > SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotError(
      `${name} is snapshot format ${m.formatVersion}; this app reads up to ${SNAPSHOT_FORMAT_VERSION}: update the app`,
    );
  }
  return m;
}

/** The manifest of a snapshot file, after checking it is one. Does not check every page (see verify). */
export function inspectSnapshot(path: string): { manifest: SnapshotManifest; header: SnapshotHeader } {
  const header = readHeader(path);
  const db = openChecked(path);
  try {
    return { manifest: readManifest(db, basename(path)), header };
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

// ------------------------------------------------------------------------------------ open

export interface OpenedSnapshot {
  store: Store;
  manifest: SnapshotManifest;
  /** the file the store reads: the snapshot itself, or a migrated copy of an older one */
  path: string;
  /** remove the migrated copy, if any (after closing the store) */
  cleanup(): void;
}

/**
 * Open a snapshot read-only, after checking it: header, every page (quick_check), manifest. A
 * snapshot from an older schema is migrated in a copy under tmpDir; the file itself is never written.
 */
export function openSnapshot(path: string, opts: { tmpDir?: string; check?: boolean } = {}): OpenedSnapshot {
  const header = readHeader(path);
  const name = basename(path);
  if (header.wal) throw new SnapshotError(`${name} is in WAL mode: it is a live cache, not a snapshot (capture one from it)`);
  let file = path;
  let tmp: string | undefined;
  if (header.userVersion < SCHEMA_VERSION) {
    tmp = mkdtempSync(join(opts.tmpDir ?? tmpdir(), 'fleetsnap-'));
    file = join(tmp, name);
    copyFileSync(path, file);
    try {
      const db = new Database(file);
      try {
        readManifest(db, name);
        const s = new Store(file);
        s.db.pragma('journal_mode = DELETE');
        s.close();
      } finally {
        if (db.open) db.close();
      }
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e instanceof SnapshotError
        ? e
        : new SnapshotError(`${name} (schema ${header.userVersion}) could not be migrated: ${(e as Error).message}`);
    }
  }
  const cleanup = () => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
  try {
    const db = openChecked(file);
    let manifest: SnapshotManifest;
    try {
      if (opts.check !== false) quickCheck(db, name);
      manifest = readManifest(db, name);
    } finally {
      db.close();
    }
    let store: Store;
    try {
      store = new Store(file, { readonly: true });
    } catch (e) {
      throw new SnapshotError(`${name} cannot be read: ${(e as Error).message}`);
    }
    return { store, manifest, path: file, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

// ------------------------------------------------------------------------------------ capture

const OBJECT_COLS = 'cluster, kind, uid, namespace, name, rv, node, phase, created, updated_at, body';
const CHANGE_COLS = 'seq, cluster, kind, uid, namespace, name, type, at, old_rv, new_rv, body';

/** Resolve cluster ids or context names against a cache's clusters. */
function selectClusters(rows: { id: string; context: string }[], wanted: string[] | undefined): string[] {
  if (!wanted?.length) return rows.map((r) => r.id);
  const out: string[] = [];
  for (const w of wanted) {
    const hits = rows.filter((r) => r.id === w || r.context === w);
    if (!hits.length) {
      throw new SnapshotError(`no cluster "${w}" in the cache; it has: ${rows.map((r) => r.context).join(', ') || '(none)'}`);
    }
    for (const h of hits) if (!out.includes(h.id)) out.push(h.id);
  }
  return out;
}

/**
 * Copy the cache (or part of it) into a new snapshot file. Written next to `out` under a temporary
 * name and renamed when complete: a failed capture leaves no half-written snapshot.
 */
export function captureSnapshot(o: CaptureOptions): SnapshotManifest {
  if (!existsSync(o.db)) throw new SnapshotError(`no cache at ${o.db}`);
  if (existsSync(o.out) && !o.overwrite) throw new SnapshotError(`${o.out} already exists`);
  const now = o.now ?? Date.now();
  const src = new Database(o.db, { readonly: true, fileMustExist: true });
  let srcVersion: number;
  let rows: { id: string; context: string }[];
  try {
    srcVersion = src.pragma('user_version', { simple: true }) as number;
    if (srcVersion !== SCHEMA_VERSION) {
      throw new SnapshotError(
        srcVersion > SCHEMA_VERSION
          ? `the cache ${o.db} has schema ${srcVersion}, newer than this app (${SCHEMA_VERSION})`
          : `the cache ${o.db} has schema ${srcVersion}; open it with this version of the app first (it migrates it)`,
      );
    }
    rows = src.prepare('SELECT id, context FROM clusters ORDER BY context').all() as { id: string; context: string }[];
  } finally {
    src.close();
  }
  const ids = selectClusters(rows, o.clusters);
  mkdirSync(dirname(o.out), { recursive: true });
  const tmp = join(dirname(o.out), `.${basename(o.out)}.${process.pid}.partial`);
  rmSync(tmp, { force: true });
  const since = o.since ?? null;
  let manifest: SnapshotManifest;
  // Everything, unchanged: VACUUM INTO copies the whole database inside one read transaction (a
  // consistent point in time), table by table in b-tree order, about as fast as copying the file;
  // then the history before the window is dropped. Otherwise the selected rows are copied one by one.
  const whole = !o.namespaces?.length && !o.transform && !o.textTransform && ids.length === rows.length;
  if (whole) {
    const src = new Database(o.db, { readonly: true, fileMustExist: true });
    try {
      src.prepare('VACUUM INTO ?').run(tmp);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new SnapshotError(`cannot copy the cache ${o.db}: ${(e as Error).message}`);
    } finally {
      src.close();
    }
  }
  const target = new Store(tmp);
  try {
    const db = target.db;
    if (whole) {
      if (since !== null) trimHistory(db, since);
    } else copySelection(db, o, ids, since);
    manifest = describe(target, { now, since, ...(o.namespaces?.length ? { namespaces: o.namespaces } : {}), redacted: !!o.transform });
    db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(MANIFEST_KEY, JSON.stringify(manifest));
    db.pragma(`application_id = ${SNAPSHOT_APPLICATION_ID}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    target.close();
  } catch (e) {
    if (target.db.open) target.close();
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
    throw e;
  }
  renameSync(tmp, o.out);
  return manifest;
}

/** Copy the selected clusters (namespaces, window; rewritten by the transforms) from the cache into db. */
function copySelection(db: Database.Database, o: CaptureOptions, ids: string[], since: number | null): void {
  // Rewritten values must not survive in free space: zero what is deleted or overwritten.
  if (o.transform || o.textTransform) db.pragma('secure_delete = ON');
  db.prepare('ATTACH DATABASE ? AS src').run(o.db);
  if (o.transform) {
    const t = o.transform;
    db.function('fleet_transform', { deterministic: true }, (kind, body) =>
      body === null ? null : t(String(kind), typeof body === 'string' ? body : String(body)),
    );
  }
  const body = o.transform ? 'fleet_transform(kind, body)' : 'body';
  const sel = JSON.stringify(ids);
  const nsFilter = o.namespaces?.length ? ` AND (namespace = '' OR namespace IN (SELECT value FROM json_each(@ns)))` : '';
  const params = { sel, ns: JSON.stringify(o.namespaces ?? []), since: since ?? -1e18 };
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
      if (!/^changes_-?\d+$/.test(p.name)) continue;
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
function trimHistory(db: Database.Database, since: number): void {
  db.transaction(() => {
    for (const p of db.prepare('SELECT name, start, end FROM partitions ORDER BY start').all() as {
      name: string;
      start: number;
      end: number;
    }[]) {
      if (!/^changes_-?\d+$/.test(p.name)) continue;
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

function describe(store: Store, o: { now: number; since: number | null; namespaces?: string[]; redacted: boolean }): SnapshotManifest {
  const db = store.db;
  const byKind: Record<string, number> = {};
  for (const r of db.prepare('SELECT kind, count(*) AS n FROM objects GROUP BY kind ORDER BY kind').all() as { kind: string; n: number }[])
    byKind[r.kind] = r.n;
  const objectsBy = new Map(
    (db.prepare('SELECT cluster, count(*) AS n FROM objects GROUP BY cluster').all() as { cluster: string; n: number }[]).map((r) => [
      r.cluster,
      r.n,
    ]),
  );
  const changesBy = new Map<string, number>();
  for (const p of db.prepare('SELECT name FROM partitions').pluck().all() as string[]) {
    for (const r of db.prepare(`SELECT cluster, count(*) AS n FROM "${p}" GROUP BY cluster`).all() as { cluster: string; n: number }[])
      changesBy.set(r.cluster, (changesBy.get(r.cluster) ?? 0) + r.n);
  }
  const clusters = store.clusters().map((c) => ({
    id: c.id,
    context: c.context,
    serverVersion: c.serverVersion ?? null,
    status: c.status,
    lastContact: c.lastContact ?? null,
    objects: objectsBy.get(c.id) ?? 0,
    changes: changesBy.get(c.id) ?? 0,
  }));
  return {
    format: SNAPSHOT_FORMAT,
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    capturedAt: o.now,
    capturedAtText: new Date(o.now).toISOString(),
    app: { name: APP_NAME, version: appVersion() },
    schemaVersion: SCHEMA_VERSION,
    modelVersion: MODEL_VERSION,
    window: { from: o.since, to: o.now },
    clusters,
    counts: {
      objects: clusters.reduce((a, c) => a + c.objects, 0),
      changes: clusters.reduce((a, c) => a + c.changes, 0),
      byKind,
    },
    ...(o.namespaces ? { namespaces: o.namespaces } : {}),
    ...(o.redacted ? { redacted: true } : {}),
  };
}

/** Parse a duration such as 90s, 15m, 1h, 2d, 1h30m into ms. */
export function parseDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
  const unit: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };
  let total = 0;
  let used = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]!]!;
    used += m[0].length;
  }
  if (!s || used !== s.length || !(total > 0)) throw new SnapshotError(`"${s}" is not a duration (examples: 30m, 1h, 2h30m, 7d)`);
  return total;
}
