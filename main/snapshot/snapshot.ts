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
// schema version, then the manifest. The statements of it all are the store's (main/store/files.ts).
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { Store } from '../store/store.ts';
import { SCHEMA_VERSION } from '../store/schema.ts';
import { SnapshotFile, copyDatabase, migratedCopy, readSnapshotManifest, schemaVersionOf } from '../store/files.ts';
import { MODEL_VERSION } from '../model/derive.ts';
import { APP_NAME } from '../paths.ts';
import { appVersion } from '../version.ts';
import {
  SNAPSHOT_APPLICATION_ID,
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotError,
  type SnapshotManifest,
} from '../store/manifest.ts';

export { SnapshotError } from '../store/manifest.ts';

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

/** The manifest of a snapshot file, after checking it is one. Does not check every page (see verify). */
export function inspectSnapshot(path: string): { manifest: SnapshotManifest; header: SnapshotHeader } {
  const header = readHeader(path);
  return { manifest: readSnapshotManifest(path, false), header };
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
  const copy = header.userVersion < SCHEMA_VERSION ? migratedCopy(path, header.userVersion, opts.tmpDir ?? tmpdir()) : undefined;
  const file = copy?.file ?? path;
  const cleanup = () => copy?.cleanup();
  try {
    const manifest = readSnapshotManifest(file, opts.check !== false);
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
  const srcVersion = schemaVersionOf(o.db);
  if (srcVersion !== SCHEMA_VERSION) {
    throw new SnapshotError(
      srcVersion > SCHEMA_VERSION
        ? `the cache ${o.db} has schema ${srcVersion}, newer than this app (${SCHEMA_VERSION})`
        : `the cache ${o.db} has schema ${srcVersion}; open it with this version of the app first (it migrates it)`,
    );
  }
  const src = new Store(o.db, { readonly: true });
  let rows: { id: string; context: string }[];
  try {
    rows = src.clusters();
  } finally {
    src.close();
  }
  const ids = selectClusters(rows, o.clusters);
  mkdirSync(dirname(o.out), { recursive: true });
  const tmp = join(dirname(o.out), `.${basename(o.out)}.${process.pid}.partial`);
  rmSync(tmp, { force: true });
  const since = o.since ?? null;
  let manifest: SnapshotManifest;
  // Everything, unchanged: the whole database copied at once (a consistent point in time), then the
  // history before the window dropped. Otherwise the selected rows are copied one by one.
  const whole = !o.namespaces?.length && !o.transform && !o.textTransform && ids.length === rows.length;
  if (whole) copyDatabase(o.db, tmp);
  const target = new SnapshotFile(tmp);
  try {
    if (whole) {
      if (since !== null) target.trimHistory(since);
    } else {
      target.copySelection({
        source: o.db,
        clusters: ids,
        since,
        namespaces: o.namespaces,
        transform: o.transform,
        textTransform: o.textTransform,
      });
    }
    manifest = describe(target, { now, since, ...(o.namespaces?.length ? { namespaces: o.namespaces } : {}), redacted: !!o.transform });
    target.seal(manifest);
  } catch (e) {
    target.close();
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
    throw e;
  }
  renameSync(tmp, o.out);
  return manifest;
}

function describe(store: Store, o: { now: number; since: number | null; namespaces?: string[]; redacted: boolean }): SnapshotManifest {
  const { byKind, objectsByCluster, changesByCluster } = store.counts();
  const clusters = store.clusters().map((c) => ({
    id: c.id,
    context: c.context,
    serverVersion: c.serverVersion ?? null,
    status: c.status,
    lastContact: c.lastContact ?? null,
    objects: objectsByCluster.get(c.id) ?? 0,
    changes: changesByCluster.get(c.id) ?? 0,
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
