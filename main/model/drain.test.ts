import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { budgetsOf, drainPlan, selectorMatches } from './drain.ts';
import { controllerOf } from './util.ts';

type Obj = Record<string, any>;

const pod = (ns: string, name: string, o: { labels?: Obj; owner?: string; phase?: string; mirror?: boolean } = {}): Obj => ({
  metadata: {
    namespace: ns,
    name,
    uid: `u-${name}`,
    labels: o.labels ?? {},
    ...(o.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc' } } : {}),
    ...(o.owner ? { ownerReferences: [{ kind: o.owner, name: `${o.owner.toLowerCase()}-1`, uid: 'o1', controller: true }] } : {}),
  },
  status: { phase: o.phase ?? 'Running' },
});
const pdb = (ns: string, name: string, selector: unknown, allowed: number): Obj => ({
  metadata: { namespace: ns, name },
  spec: { selector },
  status: { disruptionsAllowed: allowed },
});

describe('label selectors', () => {
  const cases: [unknown, Obj, boolean][] = [
    [{ matchLabels: { app: 'web' } }, { app: 'web', tier: 'x' }, true],
    [{ matchLabels: { app: 'web' } }, { app: 'api' }, false],
    [{}, { anything: 'at all' }, true],
    [undefined, { app: 'web' }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, { tier: 'b' }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] }, {}, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, {}, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, { tier: 'a' }, false],
    [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, { gpu: '' }, true],
    [{ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }, { gpu: '' }, false],
    [{ matchExpressions: [{ key: 'gpu', operator: 'Gt', values: ['1'] }] }, { gpu: '2' }, false],
  ];
  for (const [sel, labels, want] of cases)
    it(`${JSON.stringify(sel)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, () =>
      assert.equal(selectorMatches(sel, labels), want));
});

describe('a drain’s plan (kubectl drain --ignore-daemonsets)', () => {
  it('evicts what has a controller; leaves DaemonSet and mirror pods; never deletes a pod without a controller; finished ones go', () => {
    const plan = drainPlan(
      [
        pod('web', 'frontend-b', { owner: 'ReplicaSet', labels: { app: 'frontend' } }),
        pod('web', 'frontend-a', { owner: 'ReplicaSet', labels: { app: 'frontend' } }),
        pod('monitoring', 'node-exporter-x', { owner: 'DaemonSet' }),
        pod('kube-system', 'etcd-node-1', { mirror: true }),
        pod('default', 'debug', {}),
        pod('default', 'done', { phase: 'Succeeded' }),
        pod('data', 'redis-0', { owner: 'StatefulSet', labels: { app: 'redis' } }),
      ],
      [pdb('web', 'frontend-pdb', { matchLabels: { app: 'frontend' } }, 1), pdb('data', 'redis-pdb', { matchLabels: { app: 'redis' } }, 0)],
    );
    assert.deepEqual(plan.evict, [
      { namespace: 'data', name: 'redis-0', uid: 'u-redis-0', blockedBy: 'redis-pdb' },
      { namespace: 'default', name: 'done', uid: 'u-done' },
      { namespace: 'web', name: 'frontend-a', uid: 'u-frontend-a' },
      { namespace: 'web', name: 'frontend-b', uid: 'u-frontend-b', blockedBy: 'frontend-pdb' },
    ]);
    assert.deepEqual(plan.ignored, [
      { namespace: 'kube-system', name: 'etcd-node-1', reason: 'mirror pod (the kubelet owns it)' },
      { namespace: 'monitoring', name: 'node-exporter-x', reason: 'DaemonSet-managed (daemonset-1)' },
    ]);
    assert.deepEqual(plan.unmanaged, [{ namespace: 'default', name: 'debug' }]);
  });

  it('a budget counts in its own namespace only; finished pods never wait for one', () => {
    const budgets = [pdb('web', 'all', {}, 0)];
    assert.deepEqual(budgetsOf(pod('web', 'x'), budgets).length, 1);
    assert.deepEqual(budgetsOf(pod('other', 'x'), budgets).length, 0);
    const plan = drainPlan([pod('web', 'a', { owner: 'Job', phase: 'Failed' })], budgets);
    assert.equal(plan.evict[0]!.blockedBy, undefined);
  });

  it('reads the controller from ownerReferences[controller=true] only', () => {
    assert.deepEqual(controllerOf(pod('a', 'b', { owner: 'ReplicaSet' })), { kind: 'ReplicaSet', name: 'replicaset-1', uid: 'o1' });
    assert.equal(controllerOf({ metadata: { ownerReferences: [{ kind: 'ReplicaSet', name: 'r' }] } }), undefined);
    assert.equal(controllerOf({}), undefined);
  });
});
