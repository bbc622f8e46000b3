// Every kind, on demand, against a real lab cluster: a CRD installed after the sync worker started is
// listed by kinds.list (the back end's own discovery); a page focusing the kind makes the worker list and
// watch it into the same cache (a second object arrives within seconds); the object opens; when no page
// shows it any more its watch stops: its objects stay, as of then, never live (a third object does not arrive).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lab } from '../../lab/src/lab.ts';
import { until } from '../../lab/src/until.ts';
import { adminClient } from '../../lab/src/cluster.ts';
import type { KubeClient } from '../../lab/src/kube.ts';
import { Store } from '../store/store.ts';
import { ConnectionPool } from '../kube/pool.ts';
import { ViewService } from '../views/service.ts';
import { scratch } from '../views/fixtures.ts';
import { startSyncWorker, type SyncWorkerHandle } from './client.ts';
import type { KindsListDTO, ObjectDTO, ObjectsListDTO } from '../../common/contract.ts';

const W = 'example.com/widgets';

const widget = (name: string) => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name, namespace: 'default' },
  spec: { size: name.length },
});

describe('every kind, on demand, in a lab cluster', () => {
  const { dir, db, close } = scratch('fleet-kinds-lab-');
  let lab: Lab;
  let admin: KubeClient;
  let worker: SyncWorkerHandle;
  let store: Store;
  let pool: ConnectionPool;
  let svc: ViewService;
  let id: string;
  const call = async <T>(method: string, params: unknown): Promise<T> => {
    const a = await svc.handle(method, params, 'page-1');
    assert.ok(a.ok, a.ok ? '' : a.error);
    return a.result as T;
  };
  const createWidget = (name: string) =>
    admin.request(
      'PATCH',
      `/apis/example.com/v1/namespaces/default/widgets/${name}?fieldManager=fleet-lab&force=true`,
      widget(name),
      'application/apply-patch+yaml',
    );
  const list = () => call<ObjectsListDTO>('objects.list', { kind: W });

  before(async () => {
    lab = await Lab.up({ dir: join(dir, 'lab'), clusters: 1, profile: 'storage', nodes: 2 });
    admin = adminClient(lab.cluster('lab-1'));
    const sources = { useDefault: false, files: [lab.state.merged], folders: [] };
    worker = startSyncWorker({ dbPath: db, dataDir: join(dir, 'data'), sources, contexts: ['lab-1'], reflector: { watchSeconds: 60 } });
    const statuses = await worker.settled(180_000, (s) => s.status === 'live' || s.status === 'error');
    assert.equal(statuses[0]?.status, 'live', statuses[0]?.message);
    id = statuses[0]!.id;
    // Installed after the worker's discovery: the catalogue does not know it.
    await admin.apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    });
    // (429 "storage is (re)initializing" for a moment after it is created)
    await until(
      'the CRD is served',
      () =>
        admin.getOrNull('/apis/example.com/v1/widgets').then(
          (x) => x !== null,
          () => false,
        ),
      60_000,
    );
    await until(
      'the first widget is created',
      () =>
        createWidget('first').then(
          () => true,
          () => false,
        ),
      30_000,
    );
    store = new Store(db, { readonly: true });
    pool = new ConnectionPool(sources, join(dir, 'data'));
    svc = new ViewService(store, {
      mode: 'live',
      source: db,
      derive: 'none',
      live: { statuses: () => worker.statuses(), problems: () => worker.problems(), looked: () => worker.looked() },
      connections: pool,
      focus: (clusters, kinds) => worker.focus(clusters, kinds),
    });
  });

  after(() =>
    close(
      () => svc?.close(),
      () => pool?.close(),
      worker,
      store,
      () => admin?.close(),
      () => lab?.down({ removeFiles: true }),
    ),
  );

  it('kinds.list lists the CRD (discovery through the back end’s own connection), on demand; the catalogue’s always', async () => {
    const d = await until('the CRD in kinds.list', async () => {
      const k = await call<KindsListDTO>('kinds.list', {});
      return k.kinds.some((x) => x.key === W) && k;
    });
    const w = d.kinds.find((k) => k.key === W)!;
    assert.deepEqual(
      { ...w },
      {
        key: W,
        group: 'example.com',
        version: 'v1',
        kind: 'Widget',
        plural: 'widgets',
        namespaced: true,
        synced: 'on-demand',
        clusters: 1,
      },
    );
    assert.equal(d.kinds.find((k) => k.key === 'apps/deployments')?.synced, 'always');
    assert.ok(d.kinds.some((k) => k.key === 'networking.k8s.io/ingresses' && k.synced === 'on-demand'));
    assert.ok(d.kinds.some((k) => k.key === 'policy/poddisruptionbudgets'));
    assert.deepEqual(d.problems, []);
    // not watched before a page shows it
    const before = await list();
    assert.equal(before.total, 0);
    assert.deepEqual(
      before.watch.map((x) => [x.state, x.live]),
      [['none', false]],
    );
  });

  it('focusing the kind lists and watches it into the cache; a new object arrives within seconds; it opens', async () => {
    await call('views.focus', { clusters: [], kinds: [W] });
    const first = await until('the first widget in the cache', async () => {
      const d = await list();
      return d.rows.some((r) => r.name === 'first') && d;
    });
    assert.equal(first.kind.kind, 'Widget');
    await until('the widgets watched', async () => (await list()).watch[0]?.live === true);
    assert.equal((await list()).watch[0]!.state, 'watching');
    const t = Date.now();
    await createWidget('second');
    const second = await until(
      'the second widget arrives (watched)',
      async () => (await list()).rows.find((r) => r.name === 'second'),
      10_000,
    );
    console.log(`second widget in the cache ${Date.now() - t} ms after it was created`);
    const o = await call<ObjectDTO>('object.get', { cluster: id, kind: W, uid: second.uid });
    assert.equal(o.ref.name, 'second');
    assert.equal((o.body as { kind?: string }).kind, 'Widget');
    assert.equal((o.body as { spec?: { size?: number } }).spec?.size, 6);
    const listed = await call<ObjectDTO>('object.get', { cluster: id, kind: W, namespace: 'default', name: 'first' });
    assert.equal(
      (listed.body as { apiVersion?: string }).apiVersion,
      'example.com/v1',
      'a listed item is shown with its apiVersion and kind',
    );
  });

  it('the object view links a pod to its ReplicaSet, and that to its Deployment (ownerReferences, cached)', async () => {
    const pods = await call<ObjectsListDTO>('objects.list', { kind: 'pods', namespace: 'storage-demo', q: 'web-content' });
    const pod = pods.rows.find((r) => r.owner?.kind === 'ReplicaSet');
    assert.ok(pod, 'a web-content pod owned by a ReplicaSet');
    const o = await call<ObjectDTO>('object.get', { cluster: id, kind: 'pods', uid: pod.uid });
    assert.equal(o.owner?.kind, 'ReplicaSet');
    assert.equal(o.owner?.key, 'apps/replicasets');
    assert.equal(o.owner?.cached, true);
    const rs = await call<ObjectDTO>('object.get', { cluster: id, kind: o.owner.key!, uid: o.owner.uid! });
    assert.deepEqual(
      [rs.owner?.kind, rs.owner?.name, rs.owner?.key, rs.owner?.cached],
      ['Deployment', 'web-content', 'apps/deployments', true],
    );
  });

  it('unfocused, its watch stops: its objects stay as of then, not live; a third object does not arrive', async () => {
    await call('views.focus', { clusters: [] });
    const stopped = await until('the widgets no longer watched', async () => {
      const d = await list();
      return d.watch[0]?.state === 'stopped' && store.syncStates(id).find((s) => s.kind === W)?.state === 'stopped' && d;
    });
    assert.equal(stopped.watch[0]!.live, false);
    assert.ok(stopped.watch[0]!.asOf! > 0);
    assert.deepEqual(
      stopped.rows.map((r) => r.name),
      ['first', 'second'],
    );
    await createWidget('third');
    await sleep(3000);
    assert.deepEqual(
      (await list()).rows.map((r) => r.name),
      ['first', 'second'],
    );
  });
});
