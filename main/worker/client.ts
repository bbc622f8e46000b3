// Main-thread side of the sync worker (plain Node: worker_threads).
import { Worker } from 'node:worker_threads';
import type { FromWorker, StartMessage } from './protocol.ts';
import type { ClusterStatusInfo } from '../kube/sync.ts';

export interface SyncWorkerHandle {
  worker: Worker;
  statuses(): ClusterStatusInfo[];
  problems(): { path: string; error: string }[];
  onStatus(fn: (s: ClusterStatusInfo[]) => void): () => void;
  /** resolves once every cluster is settled (live or failed) or the timeout passes */
  settled(timeoutMs: number, isSettled: (s: ClusterStatusInfo) => boolean): Promise<ClusterStatusInfo[]>;
  reload(): void;
  stop(): Promise<void>;
}

export function startSyncWorker(start: Omit<StartMessage, 'type'>): SyncWorkerHandle {
  const worker = new Worker(new URL('./sync-worker.ts', import.meta.url));
  let latest: ClusterStatusInfo[] = [];
  let problems: { path: string; error: string }[] = [];
  let gotFirst = false;
  const listeners = new Set<(s: ClusterStatusInfo[]) => void>();
  let stopped: () => void = () => {};
  const stoppedP = new Promise<void>((r) => (stopped = r));
  let failure: Error | undefined;
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'status') {
      latest = m.clusters;
      problems = m.problems;
      gotFirst = true;
      for (const l of listeners) l(latest);
    } else if (m.type === 'stopped') stopped();
    else if (m.type === 'error') failure = new Error(m.message);
  });
  worker.on('error', (e) => {
    failure = e;
    stopped();
  });
  worker.on('exit', () => stopped());
  worker.postMessage({ type: 'start', ...start });
  return {
    worker,
    statuses: () => latest,
    problems: () => problems,
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
    reload: () => worker.postMessage({ type: 'reload' }),
    async stop() {
      worker.postMessage({ type: 'stop' });
      const t = setTimeout(() => void worker.terminate(), 15_000);
      await stoppedP;
      clearTimeout(t);
      await worker.terminate();
      if (failure) throw failure;
    },
  };
}
