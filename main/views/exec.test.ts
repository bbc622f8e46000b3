// Exec plugins approved through the contract (exec.list / exec.approve / exec.revoke), over real
// kubeconfig files and the real approvals file the sync worker reads: what is listed is exactly what
// would run, approving binds that (a kubeconfig changed since it was shown is refused), nothing runs,
// and sessions without kubeconfigs (a snapshot, the cache offline) approve nothing.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Store } from '../store/store.ts';
import { ConnectionPool } from '../kube/pool.ts';
import { TrustStore } from '../fleet/trust.ts';
import { ViewService } from './service.ts';
import { scratch } from './fixtures.ts';

const { dir, db, close } = scratch('fleet-exec-');
const kubeconfig = join(dir, 'cloud.yaml');
const ranMarker = join(dir, 'ran');

/** Two contexts of one EKS-like user, one of a token user, and an azure auth-provider user. */
function writeKubeconfig(args: string[]): void {
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'eks', cluster: { server: 'https://127.0.0.1:9' } }],
      users: [
        {
          name: 'aws',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              // would leave a trace if it ever ran
              command: 'sh',
              args: ['-c', `touch ${ranMarker}`, ...args],
              env: [{ name: 'AWS_PROFILE', value: 'prod-secret-profile' }],
              interactiveMode: 'Never',
              installHint: 'install the AWS CLI',
            },
          },
        },
        { name: 'tok', user: { token: 'abc' } },
        { name: 'az', user: { 'auth-provider': { name: 'azure', config: { 'tenant-id': 't' } } } },
      ],
      contexts: [
        { name: 'eks-a', context: { cluster: 'eks', user: 'aws' } },
        { name: 'eks-b', context: { cluster: 'eks', user: 'aws' } },
        { name: 'plain', context: { cluster: 'eks', user: 'tok' } },
        { name: 'azure', context: { cluster: 'eks', user: 'az' } },
      ],
    }),
  );
}

describe('exec plugins approved in the app (exec.*)', () => {
  writeKubeconfig([]);
  const store = new Store(db);
  const dataDir = join(dir, 'data');
  const pool = new ConnectionPool({ useDefault: false, files: [kubeconfig], folders: [] }, dataDir);
  const svc = new ViewService(store, { mode: 'live', source: db, derive: 'persist', connections: pool });
  after(() => close(() => pool.close(), store));

  it('lists the plugin once with every cluster that runs it: command, args, env names (never values), file', async () => {
    const l = await svc.call('exec.list', {});
    assert.equal(l.refused, undefined);
    assert.equal(l.plugins.length, 1, 'one plugin: the token and auth-provider users run nothing');
    const p = l.plugins[0]!;
    assert.equal(p.command, 'sh');
    assert.deepEqual(p.args, ['-c', `touch ${ranMarker}`]);
    assert.deepEqual(p.envNames, ['AWS_PROFILE']);
    assert.equal(p.file, kubeconfig);
    assert.equal(p.installHint, 'install the AWS CLI');
    assert.equal(p.approved, false);
    assert.deepEqual(
      p.clusters.map((c) => c.context),
      ['eks-a', 'eks-b'],
    );
    assert.equal(JSON.stringify(l).includes('prod-secret-profile'), false, 'env values are never shown');
  });

  it('approve binds that exact plugin in the approvals file the sync worker reads; nothing runs; revoke undoes it', async () => {
    const [p] = (await svc.call('exec.list', {})).plugins;
    const a = await svc.call('exec.approve', { key: p!.key });
    assert.equal(a.approved, true);
    assert.ok(a.approvedAt);
    // another process's view of the same file (the sync worker's TrustStore)
    const worker = new TrustStore(join(dataDir, 'exec-approvals.json'));
    assert.deepEqual(
      worker.list().map((x) => [x.command, x.args, x.envNames]),
      [['sh', ['-c', `touch ${ranMarker}`], ['AWS_PROFILE']]],
    );
    assert.equal((await svc.call('exec.list', {})).plugins[0]!.approved, true);
    assert.equal((await pool.get(p!.clusters[0]!.id)).pendingApproval(), undefined, 'the back end’s connections see it too');
    assert.equal(existsSync(ranMarker), false, 'approving runs nothing');
    assert.deepEqual(await svc.call('exec.revoke', { key: p!.key }), { revoked: true });
    assert.equal(new TrustStore(join(dataDir, 'exec-approvals.json')).list().length, 0);
    assert.deepEqual(await svc.call('exec.revoke', { key: p!.key }), { revoked: false });
  });

  it('a kubeconfig changed since it was listed: the old key is refused, the new plugin is listed to review', async () => {
    const [before] = (await svc.call('exec.list', {})).plugins;
    writeKubeconfig(['--and-more']);
    const r = await svc.handle('exec.approve', { key: before!.key });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.code === 'not-found' && /changed since it was shown/.test(r.error), JSON.stringify(r));
    const [now] = (await svc.call('exec.list', {})).plugins;
    assert.notEqual(now!.key, before!.key);
    assert.deepEqual(now!.args.at(-1), '--and-more');
  });

  it('an unsupported auth-provider (azure) is an entry error naming the exec plugin to use, never a connection', async () => {
    const e = pool.allEntries(true).find((x) => x.context === 'azure')!;
    assert.match(e.error ?? '', /unsupported auth-provider "azure".*kubelogin/);
    await assert.rejects(pool.get(e.id), /unsupported auth-provider/);
  });

  it('sessions without kubeconfigs approve nothing, and say why', async () => {
    const snap = new ViewService(store, { mode: 'snapshot', source: db, derive: 'memory' });
    const l = await snap.call('exec.list', {});
    assert.deepEqual(l.plugins, []);
    assert.match(l.refused ?? '', /snapshot/);
    const r = await snap.handle('exec.approve', { key: 'a'.repeat(64) });
    assert.ok(!r.ok && r.code === 'forbidden');
    const bad = await svc.handle('exec.approve', { key: 'not a key' });
    assert.ok(!bad.ok && bad.code === 'invalid', 'params are checked');
  });
});
