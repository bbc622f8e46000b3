import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { node } from './fixtures.ts';
import { objectDiff, withoutNoise, type DiffEntry } from './diff.ts';

const clone = <T>(x: T): T => structuredClone(x);

function deployment(): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'u-1',
      resourceVersion: '100',
      generation: 3,
      labels: { app: 'web', 'app.kubernetes.io/name': 'web' },
      managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
      ownerReferences: [{ apiVersion: 'x/v1', kind: 'Shop', name: 'shop', uid: 'o-1' }],
      finalizers: ['a', 'b'],
    },
    spec: {
      replicas: 3,
      template: {
        spec: {
          containers: [
            {
              name: 'web',
              image: 'web:1.0',
              args: ['--port', '8080'],
              env: [
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'MODE', value: 'prod' },
              ],
              resources: { requests: { cpu: '250m', memory: '512Mi' } },
              ports: [{ name: 'http', containerPort: 8080 }],
            },
            { name: 'sidecar', image: 'proxy:2' },
          ],
          tolerations: [{ operator: 'Exists' }],
        },
      },
    },
    status: {
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
      ],
    },
  };
}

interface Case {
  name: string;
  before: unknown;
  after: unknown;
  expect: DiffEntry[];
}

const D = deployment;
const edit = (f: (o: Record<string, any>) => void): Record<string, any> => {
  const o = D();
  f(o);
  return o;
};

const cases: Case[] = [
  { name: 'identical objects', before: D(), after: D(), expect: [] },
  {
    name: 'resourceVersion and managedFields are ignored, generation is not',
    before: D(),
    after: edit((o) => {
      o.metadata.resourceVersion = '101';
      o.metadata.managedFields = [];
      o.metadata.generation = 4;
    }),
    expect: [{ path: 'metadata.generation', op: 'changed', before: 3, after: 4 }],
  },
  {
    name: 'containers matched by name despite reordering; cpu request change',
    before: D(),
    after: edit((o) => {
      const [web, sidecar] = o.spec.template.spec.containers;
      web.resources.requests.cpu = '500m';
      o.spec.template.spec.containers = [sidecar, web];
    }),
    expect: [{ path: 'spec.template.spec.containers[name=web].resources.requests.cpu', op: 'changed', before: '250m', after: '500m' }],
  },
  {
    name: 'env var changed, added and removed',
    before: D(),
    after: edit((o) => {
      const c = o.spec.template.spec.containers[0];
      c.env = [
        { name: 'NEW', value: '1' },
        { name: 'LOG_LEVEL', value: 'debug' },
      ];
    }),
    expect: [
      { path: 'spec.template.spec.containers[name=web].env[name=LOG_LEVEL].value', op: 'changed', before: 'info', after: 'debug' },
      { path: 'spec.template.spec.containers[name=web].env[name=MODE]', op: 'removed', before: { name: 'MODE', value: 'prod' } },
      { path: 'spec.template.spec.containers[name=web].env[name=NEW]', op: 'added', after: { name: 'NEW', value: '1' } },
    ],
  },
  {
    name: 'condition status change is addressed by type',
    before: D(),
    after: edit((o) => {
      o.status.conditions[0].status = 'False';
      o.status.conditions[0].reason = 'MinimumReplicasUnavailable';
    }),
    expect: [
      { path: 'status.conditions[type=Available].status', op: 'changed', before: 'True', after: 'False' },
      {
        path: 'status.conditions[type=Available].reason',
        op: 'changed',
        before: 'MinimumReplicasAvailable',
        after: 'MinimumReplicasUnavailable',
      },
    ],
  },
  {
    name: 'labels with dots and slashes are bracket-quoted',
    before: D(),
    after: edit((o) => {
      o.metadata.labels['app.kubernetes.io/name'] = 'shop-web';
      o.metadata.labels['team'] = 'payments';
      delete o.metadata.labels.app;
    }),
    expect: [
      { path: 'metadata.labels.app', op: 'removed', before: 'web' },
      { path: 'metadata.labels["app.kubernetes.io/name"]', op: 'changed', before: 'web', after: 'shop-web' },
      { path: 'metadata.labels.team', op: 'added', after: 'payments' },
    ],
  },
  {
    name: 'hyphenated and domain-prefixed resource names are quoted',
    before: { r: { 'ephemeral-storage': '1Gi' } },
    after: { r: { 'ephemeral-storage': '2Gi', 'nvidia.com/gpu': '1' } },
    expect: [
      { path: 'r["ephemeral-storage"]', op: 'changed', before: '1Gi', after: '2Gi' },
      { path: 'r["nvidia.com/gpu"]', op: 'added', after: '1' },
    ],
  },
  {
    name: 'type change: object → scalar, scalar → array, value → null',
    before: { a: { x: 1 }, b: 'x', c: 1 },
    after: { a: 'gone', b: ['x'], c: null },
    expect: [
      { path: 'a', op: 'changed', before: { x: 1 }, after: 'gone' },
      { path: 'b', op: 'changed', before: 'x', after: ['x'] },
      { path: 'c', op: 'changed', before: 1, after: null },
    ],
  },
  {
    name: 'arrays of scalars: one changed entry at the array path',
    before: D(),
    after: edit((o) => {
      o.metadata.finalizers = ['b', 'a'];
      o.spec.template.spec.containers[0].args = ['--port', '9090'];
    }),
    expect: [
      { path: 'metadata.finalizers', op: 'changed', before: ['a', 'b'], after: ['b', 'a'] },
      { path: 'spec.template.spec.containers[name=web].args', op: 'changed', before: ['--port', '8080'], after: ['--port', '9090'] },
    ],
  },
  {
    name: 'objects without identity (tolerations) are matched by index',
    before: { tolerations: [{ operator: 'Exists' }, { key: 'a', operator: 'Exists' }] },
    after: { tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }] },
    expect: [
      { path: 'tolerations[0].effect', op: 'added', after: 'NoSchedule' },
      { path: 'tolerations[1]', op: 'removed', before: { key: 'a', operator: 'Exists' } },
    ],
  },
  {
    name: 'duplicate names fall back to index matching',
    before: {
      items: [
        { name: 'a', v: 1 },
        { name: 'a', v: 2 },
      ],
    },
    after: {
      items: [
        { name: 'a', v: 1 },
        { name: 'a', v: 3 },
      ],
    },
    expect: [{ path: 'items[1].v', op: 'changed', before: 2, after: 3 }],
  },
  {
    name: 'taints keyed by key (+effect when a key carries several effects)',
    before: { spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } },
    after: {
      spec: {
        taints: [
          { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: '2026-10-01T12:00:00Z' },
          { key: 'dedicated', value: 'infra', effect: 'NoSchedule' },
        ],
      },
    },
    expect: [
      { path: 'spec.taints[key=dedicated].value', op: 'changed', before: 'gpu', after: 'infra' },
      {
        path: 'spec.taints[key=node.kubernetes.io/unschedulable]',
        op: 'added',
        after: { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: '2026-10-01T12:00:00Z' },
      },
    ],
  },
  {
    name: 'taints with one key and two effects show the effect',
    before: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] },
    after: {
      taints: [
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 't' },
      ],
    },
    expect: [
      {
        path: 'taints[key=node.kubernetes.io/unreachable,effect=NoExecute]',
        op: 'added',
        after: { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 't' },
      },
    ],
  },
  {
    name: 'ownerReferences matched by uid',
    before: D(),
    after: edit((o) => {
      o.metadata.ownerReferences = [{ apiVersion: 'x/v1', kind: 'Shop', name: 'shop', uid: 'o-2' }];
    }),
    expect: [
      { path: 'metadata.ownerReferences[uid=o-1]', op: 'removed', before: { apiVersion: 'x/v1', kind: 'Shop', name: 'shop', uid: 'o-1' } },
      { path: 'metadata.ownerReferences[uid=o-2]', op: 'added', after: { apiVersion: 'x/v1', kind: 'Shop', name: 'shop', uid: 'o-2' } },
    ],
  },
  {
    name: 'odd identity values are JSON-quoted',
    before: { volumes: [{ name: 'my vol]', x: 1 }] },
    after: { volumes: [{ name: 'my vol]', x: 2 }] },
    expect: [{ path: 'volumes[name="my vol]"].x', op: 'changed', before: 1, after: 2 }],
  },
  {
    name: 'container added to an empty list',
    before: { containers: [] },
    after: { containers: [{ name: 'web' }] },
    expect: [{ path: 'containers[name=web]', op: 'added', after: { name: 'web' } }],
  },
  {
    name: 'document order: before key order, new keys last',
    before: { b: 1, a: 1, c: 1 },
    after: { z: 1, c: 2, a: 2, b: 1 },
    expect: [
      { path: 'a', op: 'changed', before: 1, after: 2 },
      { path: 'c', op: 'changed', before: 1, after: 2 },
      { path: 'z', op: 'added', after: 1 },
    ],
  },
  {
    name: 'null before: every top-level field added (without the ignored metadata)',
    before: null,
    after: { kind: 'ConfigMap', metadata: { name: 'c', resourceVersion: '5', managedFields: [] }, data: { k: 'v' } },
    expect: [
      { path: 'kind', op: 'added', after: 'ConfigMap' },
      { path: 'metadata', op: 'added', after: { name: 'c' } },
      { path: 'data', op: 'added', after: { k: 'v' } },
    ],
  },
  {
    name: 'undefined after: every top-level field removed',
    before: { kind: 'ConfigMap', metadata: { name: 'c', resourceVersion: '5' } },
    after: undefined,
    expect: [
      { path: 'kind', op: 'removed', before: 'ConfigMap' },
      { path: 'metadata', op: 'removed', before: { name: 'c' } },
    ],
  },
  { name: 'both absent', before: null, after: undefined, expect: [] },
  { name: 'scalar roots', before: 1, after: 2, expect: [{ path: '', op: 'changed', before: 1, after: 2 }] },
  {
    name: '__proto__ and numeric keys are plain data',
    before: JSON.parse('{"m":{"__proto__":{"x":1},"0":"a"}}'),
    after: JSON.parse('{"m":{"__proto__":{"x":2},"0":"b"}}'),
    expect: [
      { path: 'm["0"]', op: 'changed', before: 'a', after: 'b' },
      { path: 'm.__proto__.x', op: 'changed', before: 1, after: 2 },
    ],
  },
];

describe('objectDiff', () => {
  for (const t of cases) {
    it(t.name, () => assert.deepEqual(objectDiff(t.before, t.after), t.expect));
  }

  it('does not modify its inputs', () => {
    const a = D();
    const b = edit((o) => (o.spec.replicas = 5));
    const [ca, cb] = [clone(a), clone(b)];
    objectDiff(a, b);
    assert.deepEqual(a, ca);
    assert.deepEqual(b, cb);
  });

  it('huge objects: 20,000 env vars, one change, reordered', () => {
    const env = Array.from({ length: 20_000 }, (_, i) => ({ name: `VAR_${i}`, value: String(i) }));
    const before = { spec: { containers: [{ name: 'big', env }] } };
    const env2 = clone(env).reverse();
    const changed = env2.find((e) => e.name === 'VAR_12345');
    if (changed) changed.value = 'x';
    const after = { spec: { containers: [{ name: 'big', env: env2 }] } };
    const t0 = performance.now();
    const d = objectDiff(before, after);
    assert.ok(performance.now() - t0 < 2000);
    assert.deepEqual(d, [{ path: 'spec.containers[name=big].env[name=VAR_12345].value', op: 'changed', before: '12345', after: 'x' }]);
  });
});

describe('withoutNoise', () => {
  it('drops node heartbeats and generation bumps, nothing else', () => {
    const before = node('n1', { heartbeat: Date.parse('2026-10-01T11:00:00Z') });
    const after = node('n1', { heartbeat: Date.parse('2026-10-01T11:10:00Z'), ready: 'False', readyReason: 'KubeletNotReady' });
    const all = objectDiff(before, after);
    assert.ok(all.some((e) => e.path === 'status.conditions[type=MemoryPressure].lastHeartbeatTime'));
    assert.deepEqual(
      withoutNoise(all).map((e) => e.path),
      [
        'status.conditions[type=MemoryPressure].lastTransitionTime',
        'status.conditions[type=DiskPressure].lastTransitionTime',
        'status.conditions[type=PIDPressure].lastTransitionTime',
        'status.conditions[type=Ready].status',
        'status.conditions[type=Ready].reason',
        'status.conditions[type=Ready].lastTransitionTime',
      ],
    );
  });
  it('keeps a condition that appeared (even though it has a heartbeat)', () => {
    const e: DiffEntry[] = [
      { path: 'status.conditions[type=Ready]', op: 'added', after: { type: 'Ready', lastHeartbeatTime: 't' } },
      { path: 'status.conditions[type=Ready].lastHeartbeatTime', op: 'changed', before: 'a', after: 'b' },
    ];
    assert.deepEqual(withoutNoise(e), [e[0]]);
  });
  it('drops generation bumps, keeps the spec change beside them', () => {
    const d = objectDiff(
      { metadata: { name: 'web', generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1 } },
      { metadata: { name: 'web', generation: 2 }, spec: { replicas: 3 }, status: { observedGeneration: 2 } },
    );
    assert.deepEqual(
      withoutNoise(d).map((e) => e.path),
      ['spec.replicas'],
    );
  });
});
