// The sync worker as an Electron utilityProcess: the same protocol as the worker_threads Worker of the
// CLI and web shell (main/worker/client.ts), carried by the child's postMessage/'message' instead. Typed
// against the parts of UtilityProcess it uses, so a test drives it with a fake child.
import type { SyncWorkerPort } from '../worker/client.ts';
import type { FromWorker } from '../worker/protocol.ts';

export interface UtilityProcessLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown;
  kill(): boolean;
}

export function utilityProcessPort(child: UtilityProcessLike): SyncWorkerPort {
  let exited = false;
  let killed = false;
  const exitWaiters: (() => void)[] = [];
  child.on('exit', () => {
    exited = true;
    for (const w of exitWaiters.splice(0)) w();
  });
  return {
    post: (m) => {
      if (!exited) child.postMessage(m);
    },
    onMessage: (fn) => child.on('message', (m) => fn(m as FromWorker)),
    onExit: (fn) => {
      child.on('exit', (code) => fn(code === 0 || killed ? undefined : new Error(`the sync worker exited with code ${code}`)));
      child.on('error', (type, location) => fn(new Error(`the sync worker failed: ${type}${location ? ` at ${location}` : ''}`)));
    },
    terminate: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        exitWaiters.push(resolve);
        killed = true;
        if (!child.kill()) {
          // Already gone (or never started): nothing will say 'exit'.
          exited = true;
          resolve();
        }
      }),
  };
}
