// Starts the sync worker in an Electron utilityProcess (a Node.js child process Chromium manages): off
// the main thread and off the renderer, as ARCHITECTURE.md requires. The worker is the bundled
// main/worker/sync-worker.ts, which talks through process.parentPort there.
import { utilityProcess } from 'electron';
import { connectSyncWorker, type SyncWorkerHandle } from '../worker/client.ts';
import type { StartMessage } from '../worker/protocol.ts';
import { utilityProcessPort } from './worker-port.ts';

export function utilityWorkerStarter(script: string): (start: Omit<StartMessage, 'type'>) => SyncWorkerHandle {
  return (start) => {
    const child = utilityProcess.fork(script, [], { serviceName: 'Fleet console sync', stdio: 'inherit' });
    return connectSyncWorker(utilityProcessPort(child), start);
  };
}
