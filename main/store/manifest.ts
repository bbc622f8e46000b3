// A snapshot is the cache's schema in a file, with a manifest saying what it holds: the format the
// store writes and reads (main/snapshot captures, opens and checks snapshots with it).

/** PRAGMA application_id of a snapshot: "FLTS". */
export const SNAPSHOT_APPLICATION_ID = 0x464c5453;
export const SNAPSHOT_FORMAT = 'fleet-console-snapshot';
export const SNAPSHOT_FORMAT_VERSION = 1;
/** the meta row that holds a snapshot's manifest (JSON) */
export const MANIFEST_KEY = 'snapshot.manifest';

export interface SnapshotCluster {
  id: string;
  context: string;
  serverVersion: string | null;
  /** the cluster's status when captured, and the last contact with it (ms) */
  status: string;
  lastContact: number | null;
  objects: number;
  changes: number;
}

export interface SnapshotManifest {
  format: typeof SNAPSHOT_FORMAT;
  formatVersion: number;
  /** ms since the epoch, and the same as RFC 3339 */
  capturedAt: number;
  capturedAtText: string;
  app: { name: string; version: string };
  schemaVersion: number;
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
