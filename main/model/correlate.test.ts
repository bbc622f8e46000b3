import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deriveChanges, type ChangeInput } from './changes.ts';
import { fleetChanges, healthyStretch, isHealthy, problemOf, rankCauses, type CandidateChange, type Problem } from './correlate.ts';
import { NOW } from './fixtures.ts';

type Obj = Record<string, any>;
const MIN = 60_000;
const HOUR = 60 * MIN;

type EventOpts = Partial<CandidateChange> & Pick<CandidateChange, 'id' | 'kind' | 'name' | 'category' | 'action' | 'summary'>;

/** A change event as the cache would hand it over. */
function ev(o: EventOpts): CandidateChange {
  return {
    cluster: 'c1',
    at: NOW,
    uid: '',
    namespace: '',
    severity: 'info',
    who: 'unknown',
    fleetKey: null,
    refs: {},
    historyIndex: null,
    ...o,
  };
}

/** An event of the Deployment web of shop (d-1: the problem pod's owner), a rollout's unless `o` says otherwise. */
const webDeployment = (id: number, action: string, summary: string, at: number, o: Partial<CandidateChange> = {}) =>
  ev({ id, kind: 'apps/deployments', name: 'web', uid: 'd-1', namespace: 'shop', category: 'rollout', action, summary, at, ...o });

/** A ConfigMap of shop whose keys changed. */
const configEdit = (id: number, name: string, summary: string, at: number, o: Partial<CandidateChange> = {}) =>
  ev({ id, kind: 'configmaps', name, namespace: 'shop', category: 'config', action: 'keys', summary, at, ...o });

/** The first event deriveChanges makes of a record, with an id. */
function derived(id: number, c: Omit<ChangeInput, 'cluster' | 'manager' | 'historyIndex'> & { cluster?: string }): CandidateChange {
  const e = deriveChanges({ cluster: 'c1', manager: null, historyIndex: 0, ...c })[0];
  assert.ok(e, 'deriveChanges made an event');
  return { ...e, id };
}

const POD: Obj = {
  metadata: {
    name: 'web-7d9f8b6c4-x2x9z',
    namespace: 'shop',
    uid: 'p-1',
    ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d9f8b6c4', uid: 'rs-1', controller: true }],
  },
  spec: {
    nodeName: 'node-1',
    containers: [{ name: 'web', image: 'nginx:1.26', envFrom: [{ secretRef: { name: 'web-secrets' } }] }],
    volumes: [
      { name: 'cfg', configMap: { name: 'app-config' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } },
      { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: { storageClassName: 'fast' } } } },
    ],
  },
  status: { phase: 'Running' },
};
const OWNERS: Problem['owners'] = [
  { kind: 'ReplicaSet', name: 'web-7d9f8b6c4', uid: 'rs-1' },
  { kind: 'Deployment', name: 'web', uid: 'd-1' },
];
const problem = (): Problem => problemOf('pods', POD, NOW, OWNERS, 'c1');

const deployment = (name: string, image: string, uid: string) => ({
  metadata: { name, namespace: 'shop', uid },
  spec: { replicas: 2, template: { spec: { containers: [{ name, image }] } } },
});

/** The image event of a Deployment of shop rolled out from images[0] to images[1], as deriveChanges makes it. */
const rolloutOf = (id: number, name: string, uid: string, images: [string, string], at: number): CandidateChange =>
  derived(id, {
    kind: 'apps/deployments',
    uid,
    namespace: 'shop',
    name,
    type: 'MODIFIED',
    at,
    before: deployment(name, images[0], uid),
    after: deployment(name, images[1], uid),
  });

describe('problemOf', () => {
  it('reads the references of a pod body', () => {
    assert.deepEqual(problem(), {
      cluster: 'c1',
      kind: 'pods',
      uid: 'p-1',
      namespace: 'shop',
      name: 'web-7d9f8b6c4-x2x9z',
      at: NOW,
      node: 'node-1',
      images: ['nginx:1.26'],
      configMaps: ['app-config'],
      secrets: ['web-secrets'],
      pvcs: ['web-data'],
      storageClasses: ['fast'],
      owners: OWNERS,
      mounts: ['configmaps/app-config', 'persistentvolumeclaims/web-data'],
    });
  });

  it('reads a workload, a node, and survives a hostile body', () => {
    const dep = problemOf('apps/deployments', deployment('web', 'nginx:1.26', 'd-1'), NOW, [], 'c1');
    assert.deepEqual([dep.name, dep.uid, dep.images, dep.node], ['web', 'd-1', ['nginx:1.26'], undefined]);
    const n = problemOf('nodes', { metadata: { name: 'node-1', uid: 'n-1' } }, NOW, [], 'c1');
    assert.equal(n.node, 'node-1');
    const bad = problemOf(
      'pods',
      { metadata: null, spec: { containers: 'x', volumes: 3 } },
      NOW,
      [null, { kind: 1 }] as unknown as Problem['owners'],
      'c1',
    );
    assert.deepEqual([bad.name, bad.images, bad.owners], ['', [], []]);
  });
});

describe('rankCauses', () => {
  it('ranks a ConfigMap edit the pod mounts above a later, unrelated rollout in its namespace', () => {
    const before = {
      metadata: { name: 'app-config', namespace: 'shop', uid: 'cm-1' },
      data: { 'app.yaml': 'sha256:000000000000 10 bytes' },
    };
    const after = {
      metadata: { name: 'app-config', namespace: 'shop', uid: 'cm-1' },
      data: { 'app.yaml': 'sha256:111111111111 12 bytes' },
    };
    const cm = derived(1, {
      kind: 'configmaps',
      uid: 'cm-1',
      namespace: 'shop',
      name: 'app-config',
      type: 'MODIFIED',
      at: NOW - 30 * MIN,
      before,
      after,
    });
    const other = rolloutOf(2, 'api', 'd-2', ['api:1.0', 'api:1.1'], NOW - 5 * MIN);
    const ranked = rankCauses(problem(), [other, cm]);
    assert.deepEqual(
      ranked.map((r) => [r.rank, r.change.id, r.reason]),
      [
        [1, 1, 'mounts ConfigMap app-config, whose keys changed: app.yaml'],
        [2, 2, 'in the same namespace, Deployment api: image api: api:1.0 → api:1.1'],
      ],
    );
    assert.ok(ranked[0]!.score > ranked[1]!.score);
  });

  it('ranks its owner chain rolling out above a cordon of its node', () => {
    const rollout = rolloutOf(3, 'web', 'd-1', ['nginx:1.25', 'nginx:1.26'], NOW - 2 * HOUR);
    const cordon = ev({
      id: 4,
      kind: 'nodes',
      name: 'node-1',
      uid: 'n-1',
      category: 'node',
      action: 'cordoned',
      summary: 'cordoned',
      at: NOW - 10 * MIN,
      refs: { node: 'node-1' },
    });
    assert.deepEqual(
      rankCauses(problem(), [cordon, rollout]).map((r) => [r.change.id, r.reason]),
      [
        [3, 'its Deployment web rolled out: image web: nginx:1.25 → nginx:1.26'],
        [4, 'its node node-1: cordoned'],
      ],
    );
  });

  it('orders every relation, strongest first, and leaves out what cannot be a cause', () => {
    const appConfigEdit = (id: number, at: number, cluster = 'c1') =>
      configEdit(id, 'app-config', 'keys changed: app.yaml', at, { cluster });
    const ns = { namespace: 'shop' };
    const candidates = [
      ev({
        id: 10,
        kind: 'pods',
        name: POD.metadata.name,
        uid: 'p-1',
        ...ns,
        category: 'health',
        action: 'crashloop',
        severity: 'critical',
        summary: 'CrashLoopBackOff: container web',
      }),
      ev({
        id: 11,
        kind: 'example.com/widgets',
        name: 'w',
        namespace: 'other',
        category: 'object',
        action: 'changed',
        summary: 'changed: spec.size',
        at: NOW - HOUR,
      }),
      ev({
        id: 12,
        kind: 'apiextensions.k8s.io/customresourcedefinitions',
        name: 'widgets.example.com',
        category: 'crd',
        action: 'created',
        summary: 'created: served v1',
        at: NOW - HOUR,
      }),
      ev({
        id: 13,
        kind: 'services',
        name: 'web',
        uid: 's-1',
        ...ns,
        category: 'object',
        action: 'changed',
        summary: 'changed: spec.ports[name=http].port',
        at: NOW - HOUR,
      }),
      ev({
        id: 14,
        kind: 'apps/deployments',
        name: 'web-canary',
        uid: 'd-3',
        namespace: 'canary',
        category: 'rollout',
        action: 'image',
        summary: 'image web: nginx:1.25 → nginx:1.26',
        refs: { images: ['nginx:1.26'] },
        at: NOW - HOUR,
      }),
      ev({
        id: 15,
        kind: 'storage.k8s.io/csinodes',
        name: 'node-1',
        category: 'csi',
        action: 'unregistered',
        severity: 'warning',
        summary: 'CSI driver rbd.csi.ceph.com unregistered',
        refs: { node: 'node-1' },
        at: NOW - HOUR,
      }),
      ev({
        id: 16,
        kind: 'nodes',
        name: 'node-1',
        category: 'health',
        action: 'not-ready',
        severity: 'critical',
        summary: 'NotReady',
        refs: { node: 'node-1' },
        at: NOW - 2 * HOUR,
      }),
      ev({
        id: 17,
        kind: 'secrets',
        name: 'web-secrets',
        uid: 'sec-1',
        ...ns,
        category: 'secret',
        action: 'keys',
        summary: 'keys size changed: token 32 → 40 bytes',
        at: NOW - HOUR,
      }),
      ev({
        id: 18,
        kind: 'persistentvolumeclaims',
        name: 'web-data',
        ...ns,
        category: 'health',
        action: 'lost',
        severity: 'critical',
        summary: 'Lost: its volume pvc-1 is gone',
        at: NOW - HOUR,
      }),
      ev({
        id: 19,
        kind: 'autoscaling/horizontalpodautoscalers',
        name: 'web-hpa',
        ...ns,
        category: 'scale',
        action: 'scaled',
        summary: 'HPA scaled web: 3 → 5',
        refs: { target: { kind: 'Deployment', name: 'web' } } as CandidateChange['refs'],
        at: NOW - HOUR,
      }),
      ev({
        id: 20,
        kind: 'storage.k8s.io/storageclasses',
        name: 'fast',
        category: 'storage',
        action: 'changed',
        summary: 'changed: parameters.pool',
        at: NOW - HOUR,
      }),
      ev({
        id: 21,
        kind: 'pods',
        name: 'api-1',
        ...ns,
        category: 'health',
        action: 'crashloop',
        severity: 'critical',
        summary: 'CrashLoopBackOff: container api',
        refs: { node: 'node-2' },
        at: NOW - MIN,
      }),
      webDeployment(22, 'unavailable', 'Unavailable: 2/3', NOW - MIN, { category: 'health', severity: 'warning' }),
      // never candidates: a gap, after the problem, before the window, another cluster
      ev({ id: 30, kind: '', name: '', category: 'gap', action: 'relist', severity: 'warning', summary: 'capture gap', at: NOW - MIN }),
      appConfigEdit(31, NOW + 1),
      appConfigEdit(32, NOW - 25 * HOUR),
      appConfigEdit(33, NOW - MIN, 'c2'),
    ];
    const ranked = rankCauses(problem(), candidates);
    const rows = ranked.map((r) => [r.rank, r.change.id, r.reason]);
    // other objects' health events come last, as context
    assert.deepEqual(rows.slice(10), [
      [11, 22, 'also unhealthy (its Deployment web): Deployment web: Unavailable: 2/3'],
      [12, 21, 'also unhealthy (same namespace): Pod api-1: CrashLoopBackOff: container api'],
    ]);
    assert.deepEqual(rows.slice(0, 10), [
      [1, 19, 'the autoscaler of its Deployment web: HPA scaled web: 3 → 5'],
      [2, 17, 'reads Secret web-secrets, whose keys size changed: token 32 → 40 bytes'],
      [3, 18, 'mounts PVC web-data: Lost: its volume pvc-1 is gone'],
      [4, 20, 'uses StorageClass fast: changed: parameters.pool'],
      [5, 15, 'its node node-1: CSI driver rbd.csi.ceph.com unregistered'],
      [6, 16, 'its node node-1: NotReady'],
      [7, 14, 'the same image nginx:1.26 in Deployment web-canary: image web: nginx:1.25 → nginx:1.26'],
      [8, 13, 'in the same namespace, Service web: changed: spec.ports[name=http].port'],
      [9, 12, 'cluster-wide, CRD widgets.example.com: created: served v1'],
      [10, 11, 'elsewhere in the cluster, widget other/w: changed: spec.size'],
    ]);
    const scores = ranked.map((r) => r.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
  });

  it('ranks the problem object itself first when it changed (a Deployment that rolled out)', () => {
    const p = problemOf('apps/deployments', deployment('web', 'nginx:1.26', 'd-1'), NOW, [], 'c1');
    const self = webDeployment(1, 'image', 'image web: a → b', NOW - 20 * HOUR);
    const near = configEdit(2, 'x', 'keys added: y', NOW);
    assert.deepEqual(
      rankCauses(p, [near, self]).map((r) => [r.change.id, r.reason]),
      [
        [1, 'the Deployment itself: image web: a → b'],
        [2, 'in the same namespace, ConfigMap x: keys added: y'],
      ],
    );
  });

  it('ranks closer changes higher within a relation; ties by time, then id; honours windowMs; at most 50', () => {
    const cm = (id: number, at: number) => configEdit(id, `c${id}`, 'keys added: a', at);
    const ranked = rankCauses(problem(), [cm(5, NOW - 3 * HOUR), cm(4, NOW - HOUR), cm(3, NOW - HOUR), cm(2, NOW - 10 * HOUR)]);
    assert.deepEqual(
      ranked.map((r) => r.change.id),
      [3, 4, 5, 2],
    );
    assert.deepEqual(
      rankCauses(problem(), [cm(1, NOW - 30 * MIN), cm(2, NOW - 2 * HOUR)], { windowMs: HOUR }).map((r) => r.change.id),
      [1],
    );
    const many = Array.from({ length: 70 }, (_, i) => cm(i + 1, NOW - i * MIN));
    const top = rankCauses(problem(), many);
    assert.equal(top.length, 50);
    assert.deepEqual(
      top.map((r) => r.rank),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.deepEqual(rankCauses(problem(), [null, 'x', { id: 1 }] as unknown as CandidateChange[]), []);
  });
});

describe('healthy after a change', () => {
  const ready = {
    ...POD,
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'web', ready: true, restartCount: 0, state: { running: {} } }],
    },
  };
  const crashing = {
    ...POD,
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'web', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
    },
  };

  it('judges a state as the workload rules do, and finds the last healthy stretch before the problem', () => {
    assert.equal(isHealthy('pods', ready, NOW), true);
    assert.equal(isHealthy('pods', crashing, NOW), false);
    assert.equal(isHealthy('configmaps', {}, NOW), undefined);
    const states = [
      { at: NOW - 90 * MIN, body: crashing },
      { at: NOW - 50 * MIN, body: ready },
      { at: NOW - 20 * MIN, body: ready },
      { at: NOW - 10 * MIN, body: crashing },
      { at: NOW + MIN, body: ready },
    ];
    assert.deepEqual(healthyStretch('pods', states, NOW), { from: NOW - 50 * MIN, until: NOW - 10 * MIN });
    assert.deepEqual(healthyStretch('pods', states.slice(0, 3), NOW), { from: NOW - 50 * MIN, until: NOW }, 'healthy until the problem');
    assert.equal(healthyStretch('pods', states.slice(3, 4), NOW), undefined);
  });

  it('a change the pod stayed healthy after ranks below every change it did not survive, whatever its relation', () => {
    const created = webDeployment(1, 'created', 'created', NOW - 40 * MIN);
    const edit = configEdit(2, 'app-config', 'keys changed: app.yaml', NOW - 3 * MIN);
    // healthy from 39 minutes before until the problem: it survived the creation, not the edit (3 < 5 minutes)
    const p = { ...problem(), healthy: { from: NOW - 39 * MIN, until: NOW } };
    const ranked = rankCauses(p, [created, edit]);
    assert.deepEqual(
      ranked.map((r) => r.change.id),
      [2, 1],
    );
    assert.match(ranked[1]!.reason, /healthy for a while after this/);
    assert.deepEqual(
      rankCauses(problem(), [created, edit]).map((r) => r.change.id),
      [1, 2],
      'without a healthy stretch the owner ranks first',
    );
  });
});

describe('fleetChanges', () => {
  const T0 = NOW - 6 * HOUR;
  const IMAGE = 'registry/web:1.4';
  const rollout = (id: number, cluster: string, at: number) =>
    webDeployment(id, 'image', `image web: registry/web:1.3 → ${IMAGE}`, at, {
      cluster,
      uid: `d-${cluster}`,
      refs: { images: [IMAGE], previousImages: ['registry/web:1.3'] },
      fleetKey: `image:${IMAGE}`,
    });
  const crash = (id: number, cluster: string, at: number, o: Partial<CandidateChange> = {}) =>
    ev({
      id,
      cluster,
      at,
      kind: 'pods',
      uid: `p-${id}`,
      namespace: 'shop',
      name: `web-5f6d7c8b9-${id}`,
      category: 'health',
      action: 'crashloop',
      severity: 'critical',
      summary: 'CrashLoopBackOff: container web',
      refs: { images: [IMAGE], owner: { kind: 'ReplicaSet', name: 'web-5f6d7c8b9' } },
      ...o,
    });

  it('groups a bad image rolled out to 3 clusters, with crashlooping pods in 2 of them', () => {
    const events = [
      rollout(1, 'c1', T0),
      rollout(2, 'c2', T0 + 10 * MIN),
      rollout(3, 'c3', T0 + 20 * MIN),
      crash(10, 'c1', T0 + 5 * MIN),
      crash(11, 'c1', T0 + 6 * MIN),
      // owned by the rolled-out Deployment (its ReplicaSet), without the image in its refs
      crash(12, 'c2', T0 + 40 * MIN, { refs: { owner: { kind: 'ReplicaSet', name: 'web-5f6d7c8b9' } } }),
      // not following it: another namespace and image, after the follow window, before the change
      crash(13, 'c2', T0 + 30 * MIN, { namespace: 'other', refs: { images: ['other:1'] }, action: 'unready', severity: 'warning' }),
      crash(14, 'c3', T0 + 20 * MIN + 3 * HOUR),
      crash(15, 'c3', T0 + 19 * MIN),
      // an ok event is not a problem
      crash(16, 'c3', T0 + 30 * MIN, { action: 'recovered', severity: 'ok' }),
      // a fleet key in only one cluster is not a fleet change
      ev({
        id: 20,
        cluster: 'c1',
        kind: 'nodes',
        name: 'n1',
        category: 'node',
        action: 'kernel',
        summary: 'kernel a → b',
        fleetKey: 'kernel:b',
        at: T0,
      }),
    ];
    const groups = fleetChanges(events);
    assert.equal(groups.length, 1);
    const g = groups[0]!;
    assert.deepEqual(
      { key: g.key, category: g.category, summary: g.summary, first: g.first, last: g.last },
      {
        key: `image:${IMAGE}`,
        category: 'rollout',
        summary: 'image registry/web:1.4 rolled out to 3 clusters; 2 of them have crashlooping pods since',
        first: T0,
        last: T0 + 20 * MIN,
      },
    );
    assert.deepEqual(
      g.clusters.map((c) => [c.cluster, c.at, c.changes.map((e) => e.id), c.problemsAfter.map((e) => e.id)]),
      [
        ['c1', T0, [1], [10, 11]],
        ['c2', T0 + 10 * MIN, [2], [12]],
        ['c3', T0 + 20 * MIN, [3], []],
      ],
    );
  });

  it('says "no problems since", names several kinds of problems, and honours its options', () => {
    const crd = (id: number, cluster: string, at: number) =>
      ev({
        id,
        cluster,
        at,
        kind: 'apiextensions.k8s.io/customresourcedefinitions',
        name: 'widgets.example.com',
        category: 'crd',
        action: 'versions',
        summary: 'served v1beta1 → v1, v2',
        fleetKey: 'crd:widgets.example.com:v1,v2',
      });
    const kernel = (id: number, cluster: string) =>
      ev({
        id,
        cluster,
        at: T0,
        kind: 'nodes',
        name: 'n1',
        category: 'node',
        action: 'kernel',
        summary: 'kernel a → 6.8.0-49',
        fleetKey: 'kernel:6.8.0-49',
        refs: { node: 'n1' },
      });
    const events = [
      crd(1, 'c1', T0 + HOUR),
      crd(2, 'c2', T0 + HOUR),
      kernel(3, 'c1'),
      kernel(4, 'c2'),
      ev({
        id: 5,
        cluster: 'c1',
        at: T0 + MIN,
        kind: 'nodes',
        name: 'n1',
        category: 'health',
        action: 'not-ready',
        severity: 'critical',
        summary: 'NotReady',
        refs: { node: 'n1' },
      }),
      crash(6, 'c1', T0 + 2 * MIN, { refs: { node: 'n1' }, namespace: 'kube-system' }),
    ];
    assert.deepEqual(
      fleetChanges(events).map((g) => g.summary),
      [
        'CRD widgets.example.com serving v1, v2 in 2 clusters; no problems since',
        'kernel 6.8.0-49 on nodes of 2 clusters; 1 of them has NotReady nodes and crashlooping pods since',
      ],
    );
    assert.deepEqual(fleetChanges(events, { minClusters: 3 }), []);
    assert.deepEqual(
      fleetChanges(events, { followMs: 30_000 }).map((g) => g.summary.split('; ')[1]),
      ['no problems since', 'no problems since'],
    );
    assert.deepEqual(fleetChanges([null, 3, { fleetKey: 'x' }] as unknown as CandidateChange[]), []);
  });
});
