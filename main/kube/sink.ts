// What the sync engine writes, and where: the port between kube/ (which lists and watches) and the
// cache that keeps what it sees (main/store implements it, in the same thread or in its own). kube/
// defines it so that it never imports the store: the dependency points from the store to here.
import type { RawObject } from './rawobject.ts';

/** A Kubernetes object as JSON data (open-ended: every kind, every version). */
export type KObj = Record<string, any>;

/**
 * An object to write: parsed, or as the JSON text the API server sent (what the reflector hands over
 * for watch events: the store cuts what it does not keep from the text instead of re-serialising).
 */
export type ObjectInput = KObj | RawObject;

/** A cluster's row in the cache: which kubeconfig entry it is and what its connection last said. */
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

export type SyncOp =
  /** fresh: most likely a new object (a watch's ADDED event) */
  | { op: 'upsert'; cluster: string; kind: string; obj: ObjectInput; at: number; fresh?: boolean }
  | { op: 'delete'; cluster: string; kind: string; obj: ObjectInput; at: number }
  /**
   * After a full LIST: remove what it did not return. With namespace: of that namespace only (after a
   * namespace's LIST); with outside: only what lies outside these namespaces (no longer watched).
   */
  | { op: 'prune'; cluster: string; kind: string; seen: Set<string>; at: number; namespace?: string; outside?: string[] }
  | { op: 'state'; cluster: string; kind: string; state: string; rv?: string; message?: string | null; listedAt?: number; at: number }
  | { op: 'gap'; cluster: string; kind?: string; start: number; end?: number; reason: string }
  | { op: 'cluster'; row: ClusterRow };

/** Where the sync engine writes: the Store (in the same thread) or a ThreadedStore. */
export interface StoreSink {
  /** Apply a batch atomically. A promise when the batch is written elsewhere: it settles once committed. */
  write(ops: SyncOp[]): void | Promise<void>;
  /** Record the latest resourceVersion seen by a watch. */
  touch(cluster: string, kind: string, rv: string, at: number): void;
}

/** A batch the cache could not commit: the reflector that wrote it lists its kind again. */
export class StoreWriteError extends Error {}
