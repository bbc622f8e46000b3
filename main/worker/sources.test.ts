// The sync worker follows its kubeconfigs: a context added to a watched file, and a file dropped into a
// watched folder, appear in the fleet within seconds; a context removed from the file leaves it. (Their
// servers are closed loopback ports: what is checked is that the entries appear, not that they connect.)
import { after, describe, it } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { until } from '../../lab/src/until.ts';
import { startSyncWorker } from './client.ts';
import { scratch } from '../views/fixtures.ts';

const { dir, db, close } = scratch('fleet-sources-');

/** Each context its own server (the same server and user twice would be one cluster, watched once). */
function kubeconfig(path: string, contexts: string[], firstPort = 9): void {
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: contexts.map((c, i) => ({ name: c, cluster: { server: `https://127.0.0.1:${firstPort + i}` } })),
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: contexts.map((c) => ({ name: c, context: { cluster: c, user: 'u' } })),
    }),
  );
}

describe('the sync worker follows its kubeconfig sources', () => {
  const file = join(dir, 'clusters.yaml');
  const folder = join(dir, 'kube.d');
  mkdirSync(folder);
  kubeconfig(file, ['alpha']);
  const worker = startSyncWorker({
    dbPath: db,
    dataDir: join(dir, 'data'),
    sources: { useDefault: false, files: [file], folders: [folder] },
    contexts: [],
    reflector: { backoffMaxMs: 1000 },
  });
  after(() => close(worker));
  const contexts = () =>
    worker
      .statuses()
      .map((s) => s.context)
      .sort()
      .join(',');

  it('starts with the file’s one context', async () => {
    await until('alpha in the fleet', () => contexts() === 'alpha', 30_000);
  });

  it('a context added to the watched file appears', async () => {
    kubeconfig(file, ['alpha', 'beta']);
    await until('beta in the fleet', () => contexts() === 'alpha,beta', 30_000);
  });

  it('a kubeconfig dropped into the watched folder adds its context; one removed from the file leaves', async () => {
    kubeconfig(join(folder, 'gamma.yaml'), ['gamma'], 19);
    await until('gamma in the fleet', () => contexts() === 'alpha,beta,gamma', 30_000);
    kubeconfig(file, ['alpha']);
    await until('beta gone', () => contexts() === 'alpha,gamma', 30_000);
  });
});
