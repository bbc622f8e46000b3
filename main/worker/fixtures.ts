// Test support for lab tests: the console's own sync worker over lab clusters, as the shells start it
// (a cache file, a data folder, the lab's kubeconfigs, short watches and backoff), and the wait until
// every cluster it watches is live.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sourcesFromPaths } from '../fleet/sources.ts';
import type { ClusterStatusInfo } from '../kube/sync.ts';
import { startSyncWorker } from './client.ts';

export type LabSyncWorker = ReturnType<typeof startSyncWorker>;

/** The sync worker writing `db`, its data in dir/data, over these kubeconfigs (contexts: these, or [] for all). */
export function labSyncWorker(db: string, dir: string, kubeconfigs: string[], contexts: string[] = []): LabSyncWorker {
  return startSyncWorker({
    dbPath: db,
    dataDir: join(dir, 'data'),
    sources: sourcesFromPaths(kubeconfigs),
    contexts,
    reflector: { watchSeconds: 60, backoffMaxMs: 3000 },
  });
}

/** Wait until the worker's clusters are settled (at most timeoutMs) and assert that every one is live. */
export async function allLive(worker: LabSyncWorker, timeoutMs: number): Promise<ClusterStatusInfo[]> {
  const live = await worker.settled(timeoutMs, (s) => s.status === 'live');
  assert.ok(live.length > 0, 'the worker watches a cluster');
  for (const s of live) assert.equal(s.status, 'live', `${s.context}: ${s.message}`);
  return live;
}
