// Main-thread side of the sync worker. The protocol logic is the same whatever carries the messages:
// a worker_threads Worker under plain Node (here), an Electron utilityProcess in the desktop app
// (main/app/worker.ts, through connectSyncWorker).
import { Worker } from 'node:worker_threads';
import type { FromWorker, OffSet, StartMessage, ToWorker } from './protocol.ts';
import type { ClusterStatusInfo } from '../kube/sync.ts';

export interface SyncWorkerHandle {
  statuses(): ClusterStatusInfo[];
  problems(): { path: string; error: string }[];
  looked(): string[];
  /** derived views recomputed by the worker: cluster id → view version */
  onViews(fn: (versions: Record<string, number>) => void): () => void;
  /** replace the kubeconfig sources (files and folders) and reload */
  setSources(sources: StartMessage['sources']): void;
  /** what is turned off (Settings): those clusters' reflectors stop, those turned on again start */
  setOff(off: OffSet): void;
  /** the cache's retention limits, now (Settings) */
  setRetention(retention: { maxAgeMs: number; maxBytes: number }): void;
  onStatus(fn: (s: ClusterStatusInfo[]) => void): () => void;
  /** resolves once every cluster is settled (live or failed) or the timeout passes */
  settled(timeoutMs: number, isSettled: (s: ClusterStatusInfo) => boolean): Promise<ClusterStatusInfo[]>;
  reload(): void;
  /** the clusters the views show now (every kind of theirs watched, in a fleet of any size) */
  focus(clusters: string[], kinds?: Record<string, string[] | null>): void;
  /** diagnostics: JS heap in use by the worker's sync thread and its store thread */
  heap(): Promise<{ sync: number; store: number | null }>;
  stop(): Promise<void>;
}

/** What carries the messages to and from the worker. */
export interface SyncWorkerPort {
  post(m: ToWorker): void;
  onMessage(fn: (m: FromWorker) => void): void;
  /** the worker ended; with an error when it crashed */
  onExit(fn: (error?: Error) => void): void;
  terminate(): Promise<unknown> | void;
}

export function connectSyncWorker(port: SyncWorkerPort, start: Omit<StartMessage, 'type'>): SyncWorkerHandle {
  let latest: ClusterStatusInfo[] = [];
  let problems: { path: string; error: string }[] = [];
  let looked: string[] = [];
  const viewListeners = new Set<(v: Record<string, number>) => void>();
  let gotFirst = false;
  const listeners = new Set<(s: ClusterStatusInfo[]) => void>();
  let stopped: () => void = () => {};
  const stoppedP = new Promise<void>((r) => (stopped = r));
  let failure: Error | undefined;
  const heapWaiters: ((h: { sync: number; store: number | null }) => void)[] = [];
  port.onMessage((m) => {
    if (m.type === 'status') {
      latest = m.clusters;
      problems = m.problems;
      looked = m.looked;
      gotFirst = true;
      for (const l of listeners) l(latest);
    } else if (m.type === 'views') {
      for (const l of viewListeners) l(m.versions);
    } else if (m.type === 'heap') heapWaiters.shift()?.({ sync: m.sync, store: m.store });
    else if (m.type === 'stopped') stopped();
    else if (m.type === 'error') failure = new Error(m.message);
  });
  port.onExit((e) => {
    if (e) failure = e;
    stopped();
  });
  port.post({ type: 'start', ...start });
  return {
    statuses: () => latest,
    problems: () => problems,
    looked: () => looked,
    onViews: (fn) => {
      viewListeners.add(fn);
      return () => viewListeners.delete(fn);
    },
    setSources: (sources) => port.post({ type: 'sources', sources }),
    setOff: (off) => port.post({ type: 'off', off }),
    setRetention: (retention) => port.post({ type: 'retention', retention }),
    onStatus: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async settled(timeoutMs, isSettled) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (failure) throw failure;
        if (gotFirst && latest.every(isSettled)) return latest;
        await new Promise((r) => setTimeout(r, 100));
      }
      return latest;
    },
    reload: () => port.post({ type: 'reload' }),
    focus: (clusters, kinds) => port.post({ type: 'focus', clusters, ...(kinds ? { kinds } : {}) }),
    heap() {
      return new Promise((resolve) => {
        heapWaiters.push(resolve);
        port.post({ type: 'heap' });
      });
    },
    async stop() {
      port.post({ type: 'stop' });
      const t = setTimeout(() => void port.terminate(), 15_000);
      await stoppedP;
      clearTimeout(t);
      await port.terminate();
      if (failure) throw failure;
    },
  };
}

export function startSyncWorker(start: Omit<StartMessage, 'type'>): SyncWorkerHandle & { worker: Worker } {
  const worker = new Worker(new URL('./sync-worker.ts', import.meta.url));
  const port: SyncWorkerPort = {
    post: (m) => worker.postMessage(m),
    onMessage: (fn) => worker.on('message', fn),
    onExit: (fn) => {
      worker.on('error', (e) => fn(e));
      worker.on('exit', () => fn());
    },
    terminate: () => worker.terminate(),
  };
  return { ...connectSyncWorker(port, start), worker };
}
