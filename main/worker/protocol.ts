// Messages between the main thread (CLI, web shell, Electron main) and the sync worker.
import type { SourceConfig } from '../fleet/sources.ts';
import type { ClusterStatusInfo } from '../kube/sync.ts';

export interface StartMessage {
  type: 'start';
  dbPath: string;
  dataDir: string;
  sources: SourceConfig;
  /** only these context names (all when empty) */
  contexts: string[];
  /** PATH for exec plugins; 'login-shell' asks the user's login shell (the desktop app) */
  execPath?: string;
  reflector?: { watchSeconds?: number; pageSize?: number; backoffMaxMs?: number };
  retention?: { maxAgeMs?: number; maxBytes?: number };
  /** SyncOptions.allLiveUpTo: a fleet of at most this many clusters watches every kind everywhere */
  allLiveUpTo?: number;
  /** what is turned off (sync-settings.json): these clusters, and every cluster of these sources */
  off?: OffSet;
}

/** Clusters turned off (ids), and kubeconfig files or folders whose every cluster is (absolute paths). */
export interface OffSet {
  clusters: string[];
  sources: string[];
}

/** The cache's limits when StartMessage.retention does not set them. */
export { DEFAULT_RETENTION } from '../store/writer.ts';

export type ToWorker =
  | StartMessage
  | { type: 'stop' }
  | { type: 'reload' }
  | { type: 'sources'; sources: SourceConfig }
  /** what is turned off now (Settings): those clusters' reflectors stop; those turned on again start */
  | { type: 'off'; off: OffSet }
  /** the cache's retention as set in Settings: the store thread applies it now and from then on */
  | { type: 'retention'; retention: { maxAgeMs: number; maxBytes: number } }
  /** the clusters the views show now: every kind of theirs is watched */
  | {
      type: 'focus';
      clusters: string[];
      /** kinds outside the catalogue the views show → the clusters they show them in (null: every cluster): watched on demand */
      kinds?: Record<string, string[] | null>;
    }
  /** diagnostics: the JS heaps of the worker's two threads */
  | { type: 'heap' };

export type FromWorker =
  | { type: 'status'; clusters: ClusterStatusInfo[]; problems: { path: string; error: string }[]; looked: string[] }
  /** derived views recomputed: cluster id → view version */
  | { type: 'views'; versions: Record<string, number> }
  | { type: 'stopped' }
  /** bytes of JS heap in use: the sync thread's, and the store thread's (null where not measurable) */
  | { type: 'heap'; sync: number; store: number | null }
  | { type: 'error'; message: string };
