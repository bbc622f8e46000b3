// A snapshot is the cache's schema in a file, with a manifest saying what it holds: the format the
// store writes and reads (main/snapshot captures, opens and checks snapshots with it).

/** PRAGMA application_id of a snapshot: "FLTS". */
export const SNAPSHOT_APPLICATION_ID = 0x464c5453;
export const SNAPSHOT_FORMAT = 'fleet-console-snapshot';
export const SNAPSHOT_FORMAT_VERSION = 1;
/** the meta row that holds a snapshot's manifest (JSON) */
export const MANIFEST_KEY = 'snapshot.manifest';

/** A cluster as a snapshot or an incident bundle describes it. */
export interface CapturedCluster {
  id: string;
  context: string;
  serverVersion: string | null;
  /** the cluster's status when captured, and the last contact with it (ms) */
  status: string;
  lastContact: number | null;
}

export interface SnapshotCluster extends CapturedCluster {
  objects: number;
  changes: number;
}

/** What every file the app writes says of itself: its format and version, the app and the schema that wrote it. */
export interface FileStamp<F extends string> {
  format: F;
  formatVersion: number;
  app: { name: string; version: string };
  schemaVersion: number;
}

export interface SnapshotManifest extends FileStamp<typeof SNAPSHOT_FORMAT> {
  /** ms since the epoch, and the same as RFC 3339 */
  capturedAt: number;
  capturedAtText: string;
  modelVersion: number;
  /** the change history it holds: from (null: all the cache had) to capturedAt */
  window: { from: number | null; to: number };
  clusters: SnapshotCluster[];
  counts: { objects: number; changes: number; byKind: Record<string, number> };
  /** namespaces kept (bundles narrow to a selection); absent: all */
  namespaces?: string[];
  /** written for an incident bundle: values redacted by the bundle's rules */
  redacted?: boolean;
}

/** A file that is not a snapshot this app can open, or a snapshot that cannot be made: the message says why. */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

/** A snapshot's manifest from its meta row's text (undefined: no such row), checked to be one this app reads. */
export function parseManifest(name: string, text: string | undefined): SnapshotManifest {
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
