// The fleet's changes end to end over a real cache: objects written through the store's own writes
// (as the sync engine writes them) become change events as they are written; the service answers the
// timeline, pages, one change with its diff, an object's and a node's changes, what changed before a
// problem, and the same change across clusters. (The lab test, main/worker/changes.lab.test.ts, does
// the same against real API servers.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type KObj, type WriteOp } from '../store/store.ts';
import { ViewService } from './service.ts';
import { CHANGE_CATEGORIES, type ChangeEventDTO, type TimelineDTO } from '../../common/contract.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const MIN = 60_000;
const ts = (t: number) => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');

const meta = (kind: string, ns: string, name: string, rv: string, extra: KObj = {}) => ({
  metadata: { name, namespace: ns, uid: `${kind}-${ns}-${name}`, resourceVersion: rv, creationTimestamp: ts(T0 - 86_400_000), ...extra },
});

function deployment(cluster: string, image: string, rv: string, replicas = 3): KObj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    ...meta(`${cluster}-deploy`, 'web', 'frontend', rv, { generation: Number(rv) }),
    spec: {
      replicas,
      selector: { matchLabels: { app: 'frontend' } },
      template: {
        metadata: { labels: { app: 'frontend' } },
        spec: { containers: [{ name: 'web', image }], volumes: [{ name: 'cfg', configMap: { name: 'frontend-config' } }] },
      },
    },
    status: { replicas, readyReplicas: replicas, availableReplicas: replicas, conditions: [{ type: 'Available', status: 'True' }] },
  };
}

function pod(cluster: string, name: string, rv: string, image: string, crashing: boolean, node = 'n1'): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    ...meta(`${cluster}-pod`, 'web', name, rv, {
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'frontend-abc', uid: `${cluster}-rs`, controller: true }],
    }),
    spec: {
      nodeName: node,
      containers: [{ name: 'web', image }],
      volumes: [{ name: 'cfg', configMap: { name: 'frontend-config' } }],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: crashing ? 'False' : 'True', lastTransitionTime: ts(T0) }],
      containerStatuses: [
        crashing
          ? {
              name: 'web',
              image,
              ready: false,
              restartCount: 4,
              state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error' } },
            }
          : { name: 'web', image, ready: true, restartCount: 0, state: { running: { startedAt: ts(T0 - 3600_000) } } },
      ],
    },
  };
}

const replicaSet = (cluster: string): KObj => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: 'frontend-abc',
    namespace: 'web',
    uid: `${cluster}-rs`,
    resourceVersion: '5',
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend', uid: `${cluster}-deploy-web-frontend`, controller: true },
    ],
  },
  spec: { replicas: 3 },
});

function configMap(value: string, rv: string): KObj {
  return { apiVersion: 'v1', kind: 'ConfigMap', ...meta('cm', 'web', 'frontend-config', rv), data: { 'app.yaml': value, flags: 'a=1' } };
}

function node(name: string, rv: string, unschedulable: boolean, ready = 'True', heartbeat = ts(T0)): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `node-${name}`, resourceVersion: rv, creationTimestamp: ts(T0 - 86_400_000) },
    spec: unschedulable ? { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } : {},
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready,
          reason: ready === 'True' ? 'KubeletReady' : 'KubeletNotReady',
          lastHeartbeatTime: heartbeat,
          lastTransitionTime: ts(T0),
        },
      ],
      allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
      nodeInfo: { kubeletVersion: 'v1.37.1', kernelVersion: '6.1.0' },
    },
  };
}

const up = (cluster: string, kind: string, obj: KObj, at: number, fresh = false): WriteOp => ({
  op: 'upsert',
  cluster,
  kind,
  obj,
  at,
  ...(fresh ? { fresh } : {}),
});
const clusterRow = (id: string, status: string, at: number): WriteOp => ({
  op: 'cluster',
  row: { id, context: `ctx-${id}`, file: '/k', source: 'file', server: `https://${id}:6443`, authKind: 'cert', status, at },
});

/**
 * Three clusters: at T0 each lists its objects; at T0+10m c1 edits a ConfigMap; at T0+20m every
 * cluster rolls out the bad image web:1.4 and c1, c2 get crash-looping pods; c1's node n2 is cordoned
 * and n3 goes NotReady; heartbeats move; c3 has a relist gap and goes unreachable and back.
 */
function fill(path: string): void {
  const s = new Store(path);
  for (const c of ['c1', 'c2', 'c3']) {
    s.write([clusterRow(c, 'live', T0)]);
    s.write([
      up(c, 'apps/deployments', deployment(c, 'registry.example/web:1.3', '10'), T0),
      up(c, 'apps/replicasets', replicaSet(c), T0),
      up(c, 'pods', pod(c, 'frontend-abc-1', '11', 'registry.example/web:1.3', false), T0),
      up(c, 'nodes', node('n1', '12', false), T0),
      up(c, 'nodes', node('n2', '13', false), T0),
      up(c, 'nodes', node('n3', '14', false), T0),
      up(c, 'configmaps', configMap('port: 80\n', '15'), T0),
      { op: 'state', cluster: c, kind: 'pods', state: 'watching', listedAt: T0, at: T0 },
    ]);
  }
  s.write([up('c1', 'configmaps', configMap('port: 8080\n', '20'), T0 + 10 * MIN)]);
  s.write([up('c1', 'nodes', node('n2', '21', true), T0 + 12 * MIN)]);
  // heartbeats only: never a change
  s.write([up('c1', 'nodes', node('n1', '22', false, 'True', ts(T0 + 13 * MIN)), T0 + 13 * MIN)]);
  for (const [i, c] of ['c1', 'c2', 'c3'].entries()) {
    const t = T0 + 20 * MIN + i * 1000;
    s.write([up(c, 'apps/deployments', deployment(c, 'registry.example/web:1.4', '30'), t)]);
    if (c !== 'c3') s.write([up(c, 'pods', pod(c, 'frontend-abc-1', '31', 'registry.example/web:1.4', true), t + 2 * MIN)]);
  }
  s.write([up('c1', 'nodes', node('n3', '40', false, 'False'), T0 + 25 * MIN)]);
  s.write([
    {
      op: 'gap',
      cluster: 'c3',
      kind: 'pods',
      start: T0 + 30 * MIN,
      end: T0 + 30 * MIN,
      reason: 'relist after 410 Gone (resourceVersion too old)',
    },
  ]);
  s.write([clusterRow('c3', 'unreachable', T0 + 31 * MIN)]);
  s.write([clusterRow('c3', 'live', T0 + 33 * MIN)]);
  s.close();
}

describe('the fleet’s changes over a cache', () => {
  let dir: string;
  let store: Store;
  let svc: ViewService;
  const now = T0 + 40 * MIN;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-changes-'));
    fill(join(dir, 'cache.db'));
    store = new Store(join(dir, 'cache.db'), { readonly: true });
    svc = new ViewService(store, { mode: 'cache', source: 'test', derive: 'memory', now: () => now });
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async <T>(method: string, params: unknown): Promise<T> => {
    const a = await svc.handle(method, params);
    assert.ok(a.ok, a.ok ? '' : a.error);
    return a.result as T;
  };
  const list = async (params: object) =>
    (await call<{ changes: ChangeEventDTO[] }>('changes.list', { from: T0 - MIN, to: now, limit: 1000, ...params })).changes;

  it('derives typed events with summaries as the history is written; heartbeats and first LISTs are not changes', async () => {
    const all = await list({});
    const of = (cluster: string, category: string, action?: string) =>
      all.filter((c) => c.cluster === cluster && c.category === category && (!action || c.action === action));
    assert.equal(of('c1', 'rollout', 'image').length, 1);
    assert.match(of('c1', 'rollout', 'image')[0]!.summary, /web:1\.3.*web:1\.4/);
    assert.equal(of('c1', 'config').length, 1);
    assert.match(of('c1', 'config')[0]!.summary, /app\.yaml/);
    assert.doesNotMatch(of('c1', 'config')[0]!.summary, /8080/, 'key names only, never values');
    assert.equal(of('c1', 'node', 'cordoned').length, 1);
    assert.ok(all.some((c) => c.cluster === 'c1' && c.name === 'n3' && c.category === 'health' && c.severity === 'critical'));
    assert.ok(of('c1', 'health').some((c) => c.kind === 'pods' && c.action === 'crashloop'));
    assert.equal(all.filter((c) => c.name === 'n1').length, 0, 'heartbeats are never a change');
    assert.equal(all.filter((c) => c.at === T0 && c.category !== 'health').length, 0, 'what the first LIST found is not news');
    assert.ok(of('c3', 'gap', 'relist').length === 1);
    assert.ok(of('c3', 'health').some((c) => c.action === 'unreachable' && c.severity === 'critical'));
    assert.ok(
      of('c3', 'health').some((c) => c.severity === 'ok'),
      'and back',
    );
    // newest first
    assert.deepEqual(
      all.map((c) => c.at),
      [...all.map((c) => c.at)].sort((a, b) => b - a),
    );
  });

  it('the timeline: columnar marks per cluster lane, filters, limits, and gaps', async () => {
    const t = await call<TimelineDTO>('changes.timeline', { from: T0 - MIN, to: now });
    assert.deepEqual(
      t.lanes.map((l) => l.context),
      ['ctx-c1', 'ctx-c2', 'ctx-c3'],
    );
    const n = t.marks.id.length;
    assert.ok(n > 8 && [t.marks.at, t.marks.lane, t.marks.category, t.marks.severity].every((a) => a.length === n));
    assert.equal(t.total, n);
    assert.ok(
      t.marks.at.every((x, i) => i === 0 || x >= t.marks.at[i - 1]!),
      'oldest first',
    );
    assert.ok(t.gaps.some((g) => g.cluster === 'c3' && /410/.test(g.reason)));
    const rollouts = await call<TimelineDTO>('changes.timeline', { from: T0 - MIN, to: now, categories: ['rollout'] });
    assert.equal(rollouts.marks.id.length, 3);
    assert.ok(rollouts.marks.category.every((c) => CHANGE_CATEGORIES[c] === 'rollout'));
    const c2 = await call<TimelineDTO>('changes.timeline', { from: T0 - MIN, to: now, clusters: ['c2'], text: 'web:1.4' });
    assert.deepEqual(
      c2.lanes.map((l) => l.cluster),
      ['c2'],
    );
    assert.ok(c2.marks.id.length >= 1);
    // Beyond the limit: every problem and recovery is kept, the plain changes thinned over the window.
    const problems = t.marks.severity.filter((x) => x !== 0).length;
    const few = await call<TimelineDTO>('changes.timeline', { from: T0 - MIN, to: now, limit: problems + 2 });
    assert.ok(few.truncated && few.total === n);
    assert.ok(few.marks.id.length <= problems + 2);
    assert.equal(few.marks.severity.filter((x) => x !== 0).length, problems, 'no problem left out');
    assert.ok(few.marks.at.at(-1)! > T0 + 30 * MIN, 'the whole window, not its first part');
  });

  it('one change with its object-aware diff; as of a change the object is as it was', async () => {
    const cm = (await list({ categories: ['config'] }))[0]!;
    const d = await call<{ diff: { entries: { path: string }[] }; historyIndex: number }>('changes.get', { id: cm.id });
    assert.deepEqual(
      d.diff.entries.map((e) => e.path),
      ['data["app.yaml"]'],
    );
    const obj = await call<{ body: KObj }>('object.get', { cluster: 'c1', kind: 'configmaps', uid: cm.uid, at: cm.at - 1 });
    assert.match(String(obj.body.data['app.yaml']), /^<9 bytes, sha256:/);
    assert.ok(d.historyIndex >= 0);
  });

  it('an object’s, a node’s and a cluster’s changes', async () => {
    const dep = (await list({ categories: ['rollout'], clusters: ['c1'] }))[0]!;
    const ofDep = await call<{ changes: ChangeEventDTO[] }>('changes.of', { cluster: 'c1', kind: 'apps/deployments', uid: dep.uid });
    assert.ok(ofDep.changes.length >= 1 && ofDep.changes.every((c) => c.uid === dep.uid));
    const ofNode = await call<{ changes: ChangeEventDTO[] }>('changes.of', { cluster: 'c1', node: 'n1' });
    assert.ok(
      ofNode.changes.some((c) => c.kind === 'pods'),
      'the pods on it',
    );
    const ofCluster = await call<{ changes: ChangeEventDTO[]; gaps: unknown[] }>('changes.of', { cluster: 'c3' });
    assert.ok(ofCluster.changes.every((c) => c.cluster === 'c3') && ofCluster.gaps.length >= 1);
    // paged: the next page starts after the last one of the previous
    const first = await call<{ changes: ChangeEventDTO[]; more: boolean }>('changes.of', { cluster: 'c1', limit: 2 });
    assert.ok(first.more && first.changes.length === 2);
    const last = first.changes[1]!;
    const second = await call<{ changes: ChangeEventDTO[] }>('changes.of', {
      cluster: 'c1',
      limit: 2,
      before: { at: last.at, id: last.id },
    });
    assert.ok(second.changes.every((c) => c.at < last.at || (c.at === last.at && c.id < last.id)));
  });

  it('what changed before a crash-looping pod: the ConfigMap it mounts and its Deployment’s rollout first, with reasons', async () => {
    const a = await call<{ causes: { rank: number; reason: string; change: ChangeEventDTO }[]; problem: { at: number } }>(
      'changes.whatChanged',
      {
        cluster: 'c1',
        kind: 'pods',
        uid: 'c1-pod-web-frontend-abc-1',
      },
    );
    assert.equal(a.problem.at, T0 + 22 * MIN, 'when it went unhealthy');
    const top = a.causes
      .slice(0, 2)
      .map((c) => c.change.category)
      .sort();
    assert.deepEqual(top, ['config', 'rollout']);
    assert.ok(
      a.causes.every((c) => c.change.at <= a.problem.at),
      'only what came before',
    );
    assert.ok(a.causes.every((c, i) => c.rank === i + 1 && c.reason.length > 0));
    assert.ok(!a.causes.some((c) => c.change.name === 'n3'), 'a node going NotReady after the problem is no cause');
  });

  it('the same rollout in three clusters is one fleet change, with the problems that followed in each', async () => {
    const f = await call<{ key: string; summary: string; clusters: { cluster: string; problemsAfter: number }[] }[]>('changes.fleet', {
      from: T0 - MIN,
      to: now,
    });
    const g = f.find((x) => x.key.includes('web:1.4'));
    assert.ok(g, JSON.stringify(f));
    assert.deepEqual(g.clusters.map((c) => c.cluster).sort(), ['c1', 'c2', 'c3']);
    assert.deepEqual(Object.fromEntries(g.clusters.map((c) => [c.cluster, c.problemsAfter > 0])), { c1: true, c2: true, c3: false });
    assert.match(g.summary, /3 clusters.*2 of them/);
  });

  it('refuses what it cannot answer, with a reason', async () => {
    const a = await svc.handle('changes.get', { id: 999_999 });
    assert.ok(!a.ok && a.code === 'not-found');
    const b = await svc.handle('changes.timeline', { from: 10, to: 1 });
    assert.ok(!b.ok && b.code === 'invalid');
  });
});
