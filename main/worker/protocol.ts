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
}

export type ToWorker =
  | StartMessage
  | { type: 'stop' }
  | { type: 'reload' }
  | { type: 'sources'; sources: SourceConfig }
  /** the clusters the views show now: every kind of theirs is watched */
  | { type: 'focus'; clusters: string[] }
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
