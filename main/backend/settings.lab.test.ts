// Clusters turned off and on (Settings), against two real lab clusters, through the real back end and
// sync worker: an off cluster's reflectors stop and its watches close; an object created in it meanwhile
// does not reach the cache, and arrives once it is turned on again; the other cluster stays live
// throughout. Then in this thread (where the connection can be looked at): the off cluster's
// connection holds no stream and no session.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lab } from '../../lab/src/lab.ts';
import { until } from '../../lab/src/until.ts';
import { adminClient } from '../../lab/src/cluster.ts';
import type { KubeClient } from '../../lab/src/kube.ts';
import { startBackend, type Backend } from './backend.ts';
import { discover, sourcesFromPaths } from '../fleet/sources.ts';
import { TrustStore } from '../fleet/trust.ts';
import { ExecCredentialCache } from '../kube/exec.ts';
import { FleetSync } from '../kube/sync.ts';
import { ThreadedStore } from '../store/writer.ts';
import { scratch } from '../views/fixtures.ts';

const STORE_THREAD = new URL('../worker/store-thread.ts', import.meta.url);

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: 'v' } });

describe('a cluster turned off stops its watches (lab)', () => {
  const { dir, db, close } = scratch('fleet-settings-lab-');
  let lab: Lab | undefined;
  let b: Backend | undefined;
  const admins: KubeClient[] = [];
  let id1 = '';
  let id2 = '';
  /** lab-2's statuses sampled while lab-1 is off and on again */
  const lab2Seen = new Set<string>();
  let sampler: NodeJS.Timeout | undefined;

  before(async () => {
    lab = await Lab.up({ dir: join(dir, 'lab'), clusters: 2, profile: 'storage', nodes: 2, podsPerNode: 1 });
    admins.push(adminClient(lab.cluster('lab-1')), adminClient(lab.cluster('lab-2')));
    b = startBackend({
      db,
      sources: sourcesFromPaths([lab.state.merged]),
      contexts: ['lab-1', 'lab-2'],
      dataDir: join(dir, 'data'),
      reflector: { watchSeconds: 60, backoffMaxMs: 3000 },
    });
    const live = await b.worker!.settled(240_000, (s) => s.status === 'live');
    for (const s of live) assert.equal(s.status, 'live', `${s.context}: ${s.message}`);
    id1 = live.find((s) => s.context === 'lab-1')!.id;
    id2 = live.find((s) => s.context === 'lab-2')!.id;
  });

  after(async () => {
    clearInterval(sampler);
    for (const a of admins) a.close();
    await close(b, () => lab?.down({ removeFiles: true }));
  });

  const inCache = (cluster: string, uid: string) => b!.store.versions(cluster, 'configmaps').has(uid);

  it('turned off: its status says off, its kinds stopped; the other stays live', async () => {
    // (the views are derived on the store thread just after the first lists: wait for lab-1's figures)
    await until('lab-1’s nodes in its tile', async () =>
      (await b!.service.call('fleet.get', {})).clusters.some((c) => c.id === id1 && c.nodes.total > 0),
    );
    sampler = setInterval(() => lab2Seen.add(b!.worker!.statuses().find((s) => s.id === id2)?.status ?? 'gone'), 100);
    const s = await b!.service.call('clusters.enable', { clusters: [id1], enabled: false });
    assert.equal(s.contexts.find((c) => c.id === id1)!.enabled, false);
    const st = await until('lab-1 off', () => b!.worker!.statuses().find((x) => x.id === id1 && x.status === 'off'));
    const states = new Set(Object.values(st.kinds));
    assert.deepEqual([...states], ['stopped'], `every reflector of lab-1 stopped: ${[...states].join(', ')}`);
    assert.ok(Object.keys(st.kinds).length > 10, 'the kinds it watched are listed, stopped');
    assert.ok(st.lastContact, 'its data is as of its last contact');
    const tile = await until('the tile says off', async () =>
      (await b!.service.call('fleet.get', {})).clusters.find((c) => c.id === id1 && c.status === 'off'),
    );
    assert.ok(tile.nodes.total > 0, 'its cached data is still shown (as of then)');
    // The cluster's own page says so too: every kind stopped (none "watching"), never shown as live.
    const c = await b!.service.call('cluster.get', { cluster: id1 });
    assert.equal(c.tile.status, 'off');
    const kinds = new Set(c.kinds.map((k) => k.state));
    assert.ok(
      [...kinds].every((k) => k === 'stopped' || k === 'unavailable'),
      `cluster.get kinds: ${[...kinds].join(', ')}`,
    );
  });

  it('an object created in the off cluster does not reach the cache; one in the live cluster does', async () => {
    const off = await admins[0]!.create(configMap('made-while-off'));
    const on = await admins[1]!.create(configMap('made-while-off'));
    await until('lab-2’s ConfigMap cached', () => inCache(id2, on.metadata.uid as string), 15_000);
    await sleep(5000);
    assert.equal(inCache(id1, off.metadata.uid as string), false, 'nothing of lab-1 was read while off');
    assert.equal(b!.worker!.statuses().find((s) => s.id === id1)!.status, 'off');
    (globalThis as { offUid?: string }).offUid = off.metadata.uid as string;
  });

  it('turned on: it syncs again and what changed meanwhile arrives; lab-2 was live throughout', async () => {
    await b!.service.call('clusters.enable', { clusters: [id1], enabled: true });
    const uid = (globalThis as { offUid?: string }).offUid!;
    await until('the ConfigMap made while off is cached', () => inCache(id1, uid), 120_000);
    await until('lab-1 live again', () => b!.worker!.statuses().find((s) => s.id === id1)?.status === 'live', 120_000);
    clearInterval(sampler);
    assert.deepEqual([...lab2Seen], ['live'], `lab-2's statuses meanwhile: ${[...lab2Seen].join(', ')}`);
    // The history says changes were not recorded while it was off.
    const gaps = (await b!.service.call('cluster.get', { cluster: id1 })).gaps;
    assert.ok(
      gaps.some((g) => g.reason.startsWith('turned off in Settings') && g.end !== null),
      JSON.stringify(gaps),
    );
  });

  it('in this thread: the off cluster’s connection holds no stream and no session; the other’s still does', async () => {
    await b!.stop();
    b = undefined;
    const writer = new ThreadedStore(STORE_THREAD, { dbPath: join(dir, 'inproc.db'), views: false });
    await writer.ready();
    const fleet = new FleetSync(
      writer,
      { trust: new TrustStore(join(dir, 'approvals.json')), execCache: new ExecCredentialCache() },
      { reflector: { watchSeconds: 60 } },
    );
    try {
      const entries = discover({ useDefault: false, files: [lab!.state.merged], folders: [] }).entries.filter(
        (e) => e.context === 'lab-1' || e.context === 'lab-2',
      );
      await fleet.setEntries(entries);
      await fleet.settled(180_000);
      const one = fleet.clusters.get(id1)!;
      const two = fleet.clusters.get(id2)!;
      await until('lab-1 holds its watch streams', () => one.transport().streams > 0, 30_000);
      const before = one.transport();
      await fleet.setEntries(entries, new Map([[id1, 'turned off in Settings']]));
      assert.equal(fleet.clusters.get(id1)!.info.status, 'off');
      assert.deepEqual(one.transport(), { sessions: 0, streams: 0 }, `lab-1's watches closed (it had ${JSON.stringify(before)})`);
      assert.deepEqual(fleet.clusters.get(id1)!.transport(), { sessions: 0, streams: 0 }, 'the off placeholder never connects');
      assert.ok(two.transport().streams > 0, 'lab-2 keeps watching');
      assert.equal(fleet.clusters.get(id2), two, 'lab-2 was not restarted');
    } finally {
      await fleet.stop();
      await writer.close();
    }
  });
});
