// The contract's back end over a small cache written through the store's own writers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../store/store.ts';
import { T0, cluster, node, pod } from '../store/fixtures.ts';
import { ViewService } from './service.ts';
import { scopeMessage } from '../kube/access.ts';
import { ViewTable } from './derive.ts';
import { MODEL_VERSION } from '../model/derive.ts';
import { HEALTH_LEVELS } from '../../common/contract.ts';

const iso = (t: number) => new Date(t).toISOString();

describe('view service over a cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-views-'));
  const db = join(dir, 'cache.db');
  let store: Store;
  let svc: ViewService;

  before(() => {
    store = new Store(db);
    const c = 'c1';
    store.write([
      cluster(c, 'prod-eu', T0),
      { op: 'upsert', cluster: c, kind: 'nodes', obj: node('n1'), at: T0 },
      { op: 'upsert', cluster: c, kind: 'nodes', obj: node('n2', '1', { ready: false }), at: T0 },
      {
        op: 'upsert',
        cluster: c,
        kind: 'nodes',
        obj: node('gpu-1', '1', { gpus: { count: 8, product: 'NVIDIA-H100-80GB-HBM3' } }),
        at: T0,
      },
      { op: 'upsert', cluster: c, kind: 'pods', obj: pod('web', 'web-1', '1', 'n1', { cpu: '2' }), at: T0 },
      { op: 'upsert', cluster: c, kind: 'pods', obj: pod('web', 'web-2', '1', 'n1'), at: T0 },
      {
        op: 'upsert',
        cluster: c,
        kind: 'pods',
        obj: pod('ml', 'train-1', '1', 'gpu-1', { cpu: '4', requests: { 'nvidia.com/gpu': '4' } }),
        at: T0,
      },
      {
        op: 'upsert',
        cluster: c,
        kind: 'pods',
        obj: pod('ml', 'train-2', '1', undefined, { cpu: '4', requests: { 'nvidia.com/gpu': '8' } }),
        at: T0,
      },
      {
        op: 'upsert',
        cluster: c,
        kind: 'events',
        obj: {
          metadata: { namespace: 'default', name: 'n2.1a2b', uid: 'ev1', resourceVersion: '1' },
          type: 'Warning',
          reason: 'NodeNotReady',
          message: 'Node n2 status is now: NodeNotReady <script>x</script>',
          involvedObject: { kind: 'Node', name: 'n2' },
          count: 3,
          lastTimestamp: iso(T0),
        },
        at: T0,
      },
      { op: 'state', cluster: c, kind: 'nodes', state: 'watching', at: T0 },
      { op: 'state', cluster: c, kind: 'secrets', state: 'forbidden', message: 'forbidden', at: T0 },
      { op: 'state', cluster: c, kind: 'events', state: 'partial', message: scopeMessage(['default', 'web']), at: T0 },
    ]);
    // A later change to web-1: history to diff.
    const changed = pod('web', 'web-1', '1', 'n1', { cpu: '2' });
    changed.metadata.resourceVersion = '2';
    changed.metadata.labels.tier = 'front';
    store.write([{ op: 'upsert', cluster: c, kind: 'pods', obj: changed, at: T0 + 60_000 }]);
    svc = new ViewService(store, { mode: 'cache', source: db, derive: 'persist', now: () => T0 + 120_000 });
  });

  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fleet.get: a tile per cluster with node cells; cached data is never shown as live', async () => {
    const a = await svc.handle('fleet.get', {});
    assert.equal(a.ok, true);
    const f = (a as { result: import('../../common/contract.ts').FleetDTO }).result;
    assert.equal(f.clusters.length, 1);
    const t = f.clusters[0]!;
    assert.equal(t.status, 'offline', 'not watched by this session');
    assert.equal(t.lastContact, T0);
    assert.equal(t.nodes.total, 3);
    assert.equal(t.nodes.ready, 2);
    assert.deepEqual(t.forbiddenKinds, ['secrets']);
    assert.deepEqual(t.partialKinds, [{ kind: 'events', namespaces: ['default', 'web'] }]);
    const n1 = t.cells.find((x) => x.n === 'n1')!;
    assert.equal(n1.c, 0.313, '2.5 of 8 cores, to 3 decimals');
    assert.equal(HEALTH_LEVELS[t.cells.find((x) => x.n === 'n2')!.h], 'critical');
    const g = t.cells.find((x) => x.n === 'gpu-1')!;
    assert.equal(g.g, 0.5);
    assert.equal(g.a, 8);
    assert.equal(t.pendingPods, 1);
    assert.equal(t.gpu.allocatable, 8);
    assert.equal(t.gpu.requested, 4);
    // The view was derived once and stored with the model version.
    assert.equal(store.views.read('c1', MODEL_VERSION)?.version, 1);
  });

  it('cluster.get, node.get and object.get answer from the cache', async () => {
    const c = (await svc.call('cluster.get', { cluster: 'c1' }))!;
    assert.equal(c.nodes.length, 3);
    assert.deepEqual(c.tile.forbiddenKinds, ['secrets']);
    assert.deepEqual(c.tile.partialKinds, [{ kind: 'events', namespaces: ['default', 'web'] }]);
    assert.equal(c.events[0]!.reason, 'NodeNotReady');
    assert.equal(c.accelerators.pending.pods, 1);
    assert.equal(c.accelerators.pending.requests['nvidia.com/gpu'], 8);
    const n = await svc.call('node.get', { cluster: 'c1', node: 'n1' });
    assert.deepEqual(
      n.pods.map((p) => p.name),
      ['web-1', 'web-2'],
    );
    assert.equal(n.row.resources.cpu!.requested, 2500);
    const n2 = await svc.call('node.get', { cluster: 'c1', node: 'n2' });
    assert.equal(n2.events.length, 1, 'the node’s own events');
    assert.equal(n2.health.level, 'critical');
    const o = await svc.call('object.get', { cluster: 'c1', kind: 'pods', namespace: 'web', name: 'web-1' });
    assert.equal(o.ref.uid, 'uid-web-web-1');
    assert.equal(o.containers[0]!.requests.cpu, '2');
    assert.equal(o.history.length, 2);
  });

  it('object.diff: object-aware differences between versions', async () => {
    const d = await svc.call('object.diff', { cluster: 'c1', kind: 'pods', uid: 'uid-web-web-1', from: 0, to: null });
    assert.deepEqual(
      d.entries.map((e) => [e.path, e.op, e.after]),
      [['metadata.labels.tier', 'added', 'front']],
    );
    const all = await svc.call('object.diff', { cluster: 'c1', kind: 'pods', uid: 'uid-web-web-1', from: null, to: 0 });
    assert.ok(all.entries.length >= 1, 'from creation: everything added');
  });

  it('search: by name across kinds, and by label k=v', async () => {
    const byName = await svc.call('search', { q: 'train' });
    assert.deepEqual(byName.map((h) => h.name).sort(), ['train-1', 'train-2']);
    assert.equal(byName[0]!.clusterContext, 'prod-eu');
    const byLabel = await svc.call('search', { q: 'tier=front' });
    assert.deepEqual(
      byLabel.map((h) => h.name),
      ['web-1'],
    );
    assert.deepEqual(await svc.call('search', { q: '%' }), [], 'LIKE wildcards are literal');
  });

  it('search: any kind the cache syncs (an Ingress, a CRD watched on demand), never events', async () => {
    const c = 'c1';
    const obj = (apiVersion: string, kind: string, name: string, uid: string) => ({
      apiVersion,
      kind,
      metadata: { name, namespace: 'web', uid, resourceVersion: '1', labels: { team: 'checkout' } },
    });
    store.write([
      { op: 'state', cluster: c, kind: 'networking.k8s.io/ingresses', state: 'watching', at: T0 },
      {
        op: 'upsert',
        cluster: c,
        kind: 'networking.k8s.io/ingresses',
        obj: obj('networking.k8s.io/v1', 'Ingress', 'checkout-ing', 'ing-1'),
        at: T0,
      },
      { op: 'state', cluster: c, kind: 'example.com/widgets', state: 'watching', at: T0 },
      { op: 'upsert', cluster: c, kind: 'example.com/widgets', obj: obj('example.com/v1', 'Widget', 'checkout-widget', 'w-1'), at: T0 },
      { op: 'upsert', cluster: c, kind: 'events', obj: obj('v1', 'Event', 'checkout-ing.17a', 'ev-1'), at: T0 },
      // named after what they belong to: never hits of their own
      { op: 'state', cluster: c, kind: 'coordination.k8s.io/leases', state: 'watching', at: T0 },
      {
        op: 'upsert',
        cluster: c,
        kind: 'coordination.k8s.io/leases',
        obj: obj('coordination.k8s.io/v1', 'Lease', 'checkout-widget', 'l-1'),
        at: T0,
      },
      { op: 'upsert', cluster: c, kind: 'services', obj: obj('v1', 'Service', 'checkout-widget', 'svc-9'), at: T0 },
    ]);
    const hits = await svc.call('search', { q: 'checkout' });
    assert.deepEqual(hits.map((h) => `${h.kind} ${h.name}`).sort(), [
      'example.com/widgets checkout-widget',
      'networking.k8s.io/ingresses checkout-ing',
      'services checkout-widget',
    ]);
    // the same exact name in a main kind and another: the main kind's first (a node's name opens the node)
    const exact = await svc.call('search', { q: 'checkout-widget' });
    assert.deepEqual(
      exact.map((h) => h.kind),
      ['services', 'example.com/widgets'],
    );
    const byLabel = await svc.call('search', { q: 'team=checkout' });
    assert.equal(byLabel.length, 3);
  });

  it('hostile requests get {ok:false}, never a throw', async () => {
    for (const [m, p] of [
      ['nope', {}],
      ['__proto__', {}],
      ['cluster.get', {}],
      ['cluster.get', { cluster: 1 }],
      ['cluster.get', { cluster: 'c1', extra: true }],
      ['object.get', { cluster: 'c1', kind: 'pods' }],
      ['object.get', { cluster: 'c1', kind: '../../etc', name: 'x' }],
      ['search', { q: 'x'.repeat(10_000) }],
      ['node.get', { cluster: 'c1', node: 'missing' }],
      ['cluster.get', { cluster: 'missing' }],
      [42, null],
    ] as const) {
      const a = await svc.handle(m, p);
      assert.equal(a.ok, false, `${String(m)} ${JSON.stringify(p).slice(0, 60)}`);
      assert.ok(!a.ok && a.error.length > 0);
    }
    const missing = await svc.handle('node.get', { cluster: 'c1', node: 'missing' });
    assert.equal(!missing.ok && missing.code, 'not-found');
  });

  it('handle validates what it is given; answer takes params validated already and does not parse them again', async () => {
    const raw = { cluster: 'c1', extra: true };
    const refused = await svc.handle('cluster.get', raw);
    assert.equal(!refused.ok && refused.code, 'invalid', 'a key the schema does not know');
    const answered = await svc.answer('cluster.get', raw);
    assert.equal(answered.ok && answered.result.tile.id, 'c1', 'answered as given: no second validation');
    const missing = await svc.answer('node.get', { cluster: 'c1', node: 'missing' });
    assert.equal(!missing.ok && missing.code, 'not-found', 'errors come back as {ok:false}, as from handle');
  });

  it('a read-only cache (a snapshot) derives its views in memory', async () => {
    store.views.forget('c1');
    const ro = new Store(db, { readonly: true });
    try {
      const s = new ViewService(ro, { mode: 'snapshot', source: db, derive: 'memory', now: () => T0 });
      const f = await s.call('fleet.get', {});
      assert.equal(f.clusters[0]!.cells.length, 3);
      assert.deepEqual(store.views.outdated(MODEL_VERSION), ['c1'], 'nothing written');
    } finally {
      ro.close();
    }
  });

  it('samples: one per minute for charts', () => {
    const v = new ViewTable(store);
    v.refresh('c1', T0 + 10_000);
    v.refresh('c1', T0 + 20_000);
    v.refresh('c1', T0 + 70_000);
    const s = v.samples('c1', T0 - 1, T0 + 90_000);
    assert.equal(s.length, 2);
  });
});
