import test from 'node:test';
import assert from 'node:assert/strict';
import type { ActionCheckDTO, ActionResultDTO } from '../../../common/contract.ts';
import {
  actionsEnabled,
  actionsFor,
  changedSinceOpened,
  checkState,
  confirmFacts,
  confirmLabel,
  controllerOf,
  currentReplicas,
  denialText,
  dialogTitle,
  fleetActionsFor,
  needsTypedName,
  objectTitle,
  parseReplicas,
  progressText,
  resourceVersionOf,
  resultsLine,
  runParams,
  stateOf,
  typedConfirms,
  whatHappens,
} from './actions.ts';

const node = { kind: 'nodes', namespace: '', name: 'node-003' };
const deploy = { kind: 'apps/deployments', namespace: 'web', name: 'frontend' };
const pod = { kind: 'pods', namespace: 'web', name: 'frontend-7d9f-abcde' };

test('only a live session with actions on, at the latest state, may act', () => {
  assert.equal(actionsEnabled({ mode: 'live', actions: true }, null), true);
  assert.equal(actionsEnabled({ mode: 'live', actions: false }, null), false, 'read-only');
  assert.equal(actionsEnabled({ mode: 'live', actions: true }, 1_700_000_000_000), false, 'as of a past time');
  assert.equal(actionsEnabled({ mode: 'snapshot', actions: true }, null), false, 'a snapshot');
  assert.equal(actionsEnabled({ mode: 'cache', actions: true }, null), false, 'cache only');
  assert.equal(actionsEnabled(null, null), false);
});

test('which actions a kind offers, as its state allows', () => {
  assert.deepEqual(actionsFor('nodes', stateOf('nodes', { spec: {} })), ['cordon', 'drain', 'apply']);
  assert.deepEqual(actionsFor('nodes', stateOf('nodes', { spec: { unschedulable: true } })), ['uncordon', 'drain', 'apply']);
  assert.deepEqual(actionsFor('apps/deployments', stateOf('apps/deployments', { spec: {} })), ['scale', 'restart', 'pause', 'apply']);
  assert.deepEqual(actionsFor('apps/deployments', stateOf('apps/deployments', { spec: { paused: true } })), [
    'scale',
    'restart',
    'resume',
    'apply',
  ]);
  assert.deepEqual(actionsFor('apps/statefulsets'), ['scale', 'restart', 'apply']);
  assert.deepEqual(actionsFor('apps/daemonsets'), ['restart', 'apply']);
  assert.deepEqual(actionsFor('apps/replicasets'), ['scale', 'apply']);
  assert.deepEqual(actionsFor('pods'), ['delete', 'apply']);
  assert.deepEqual(actionsFor('batch/jobs'), ['apply']);
  assert.deepEqual(actionsFor('services'), ['apply']);
  // the cache never holds their data: no edits
  assert.deepEqual(actionsFor('secrets'), []);
  assert.deepEqual(actionsFor('configmaps'), []);
  // a deleted object: nothing
  assert.deepEqual(actionsFor('pods', {}, { deleted: true }), []);
});

test('fleet-wide: only the safe workload actions', () => {
  assert.deepEqual(fleetActionsFor('apps/deployments'), ['scale', 'restart', 'pause', 'resume']);
  assert.deepEqual(fleetActionsFor('apps/statefulsets'), ['scale', 'restart']);
  assert.deepEqual(fleetActionsFor('apps/daemonsets'), ['restart']);
  assert.deepEqual(fleetActionsFor('pods'), []);
  assert.deepEqual(fleetActionsFor('nodes'), []);
});

test('the confirm button says the action and the object', () => {
  assert.equal(confirmLabel('cordon', node, 1), 'Cordon node-003');
  assert.equal(confirmLabel('drain', node, 1), 'Drain node-003');
  assert.equal(confirmLabel('scale', deploy, 1, { replicas: 5 }), 'Scale frontend to 5');
  assert.equal(confirmLabel('restart', deploy, 7), 'Restart frontend in 7 clusters');
  assert.equal(confirmLabel('apply', deploy, 1), 'Apply to frontend');
  assert.equal(confirmLabel('delete', pod, 1), 'Delete frontend-7d9f-abcde');
  assert.equal(dialogTitle('restart', 'apps/deployments', deploy, 7), 'Restart Deployment web/frontend in 7 clusters');
  assert.equal(dialogTitle('cordon', 'nodes', node, 1), 'Cordon Node node-003');
  assert.equal(
    objectTitle('apps/daemonsets', { kind: 'apps/daemonsets', namespace: 'kube-system', name: 'cni' }),
    'DaemonSet kube-system/cni',
  );
});

test('hostile names are shown inert in confirmations', () => {
  const evil = { kind: 'pods', namespace: 'web', name: 'a\u202egnp.exe' };
  assert.equal(confirmLabel('delete', evil, 1), 'Delete a\uFFFDgnp.exe');
  assert.ok(!whatHappens('delete', 'pods', evil).includes('\u202e'));
});

test('the confirmation names the cluster, the namespace and the object', () => {
  assert.deepEqual(confirmFacts('nodes', node, [{ id: 'c1', context: 'prod-eu' }]), [
    ['Cluster', 'prod-eu'],
    ['Namespace', '(cluster-scoped)'],
    ['Object', 'Node node-003'],
  ]);
  const many = Array.from({ length: 8 }, (_, i) => ({ id: `c${i}`, context: `prod-${i}` }));
  const [clusters, ns, obj] = confirmFacts('apps/deployments', deploy, many);
  assert.deepEqual(clusters, ['Clusters (8)', 'prod-0, prod-1, prod-2, prod-3, prod-4, prod-5 and 2 more']);
  assert.deepEqual(ns, ['Namespace', 'web']);
  assert.deepEqual(obj, ['Object', 'Deployment web/frontend']);
});

test('what will happen, in words', () => {
  assert.match(whatHappens('cordon', 'nodes', node), /^Mark Node node-003 unschedulable: no new pods .* keep running\.$/);
  assert.match(whatHappens('uncordon', 'nodes', node), /schedulable again/);
  assert.match(whatHappens('drain', 'nodes', node), /evict its pods .*PodDisruptionBudgets are respected.*after 5 min/);
  assert.match(whatHappens('drain', 'nodes', node, { params: { timeoutSeconds: 600 } }), /after 10 min/);
  assert.equal(
    whatHappens('scale', 'apps/deployments', deploy, { params: { replicas: 5 }, body: { spec: { replicas: 3 } } }),
    'Scale from 3 to 5: Deployment web/frontend.',
  );
  assert.match(
    whatHappens('scale', 'apps/deployments', deploy, { params: { replicas: 0 }, body: { spec: { replicas: 3 } } }),
    /runs no pods/,
  );
  assert.match(
    whatHappens(
      'scale',
      'apps/replicasets',
      { ...deploy, kind: 'apps/replicasets' },
      {
        params: { replicas: 2 },
        body: { spec: { replicas: 1 }, metadata: { ownerReferences: [{ kind: 'Deployment', name: 'frontend', controller: true }] } },
      },
    ),
    /Its controller \(Deployment frontend\) may scale it back/,
  );
  assert.match(whatHappens('restart', 'apps/deployments', deploy, { clusters: 7 }), /again in each cluster .*rollout restart/);
  assert.match(whatHappens('pause', 'apps/deployments', deploy), /do not roll out until it is resumed/);
  assert.match(whatHappens('resume', 'apps/deployments', deploy), /rolls out now/);
  assert.match(
    whatHappens('delete', 'pods', pod, {
      body: { metadata: { ownerReferences: [{ kind: 'ReplicaSet', name: 'frontend-7d9f', controller: true }] } },
    }),
    /Its controller \(ReplicaSet frontend-7d9f\) creates a replacement/,
  );
  assert.match(whatHappens('delete', 'pods', pod, { body: { metadata: {} } }), /no controller: nothing recreates it/);
  assert.match(whatHappens('apply', 'apps/deployments', deploy), /dry run/);
});

test('typing the name: for deletes and drains, exactly', () => {
  assert.equal(needsTypedName('delete'), true);
  assert.equal(needsTypedName('drain'), true);
  assert.equal(needsTypedName('cordon'), false);
  assert.equal(needsTypedName('restart'), false);
  assert.equal(typedConfirms('node-003', node), true);
  assert.equal(typedConfirms(' node-003', node), false);
  assert.equal(typedConfirms('NODE-003', node), false);
});

test('actions.run params: the confirmation names the same clusters, namespace and object', () => {
  const p = runParams('scale', deploy, ['c1', 'c2'], { replicas: 4 });
  assert.deepEqual(p, {
    clusters: ['c1', 'c2'],
    action: 'scale',
    target: deploy,
    params: { replicas: 4 },
    confirm: { clusters: ['c1', 'c2'], namespace: 'web', name: 'frontend' },
  });
  assert.deepEqual(runParams('cordon', node, ['c1']).params, {});
  assert.equal(runParams('apply', deploy, ['c1'], { manifest: 'kind: Deployment' }).params!.manifest, 'kind: Deployment');
});

test('replicas as typed, the object’s replicas and controller', () => {
  assert.equal(parseReplicas('3'), 3);
  assert.equal(parseReplicas(' 0 '), 0);
  assert.equal(parseReplicas('-1'), null);
  assert.equal(parseReplicas('1.5'), null);
  assert.equal(parseReplicas('100001'), null);
  assert.equal(parseReplicas(''), null);
  assert.equal(currentReplicas('apps/deployments', { spec: { replicas: 3 } }), 3);
  assert.equal(currentReplicas('apps/deployments', { spec: {} }), 1, "Kubernetes' default");
  assert.equal(currentReplicas('apps/daemonsets', { spec: {} }), null);
  assert.equal(currentReplicas('apps/deployments', null), null);
  assert.equal(controllerOf({ metadata: { ownerReferences: [{ kind: 'Node', name: 'n' }] } }), null);
});

test('a check as a button state: allowed, or disabled with the reason', () => {
  const base: ActionCheckDTO = {
    cluster: 'c1',
    clusterContext: 'prod',
    action: 'cordon',
    target: node,
    allowed: true,
    reason: '',
    checks: [],
  };
  assert.deepEqual(checkState(undefined), { state: 'checking' });
  assert.deepEqual(checkState(base), { state: 'allowed' });
  assert.deepEqual(checkState({ ...base, allowed: false, reason: 'RBAC: may not patch nodes' }), {
    state: 'denied',
    reason: 'RBAC: may not patch nodes',
  });
  assert.deepEqual(checkState(undefined, 'timeout'), { state: 'denied', reason: 'could not check the permissions: timeout' });
  assert.equal(
    denialText({
      reason: '',
      checks: [
        { verb: 'create', resource: 'pods/eviction', group: '', namespace: 'web', allowed: false, reason: '' },
        { verb: 'patch', resource: 'nodes', group: '', namespace: '', allowed: true, reason: '' },
      ],
    }),
    'may not create pods/eviction in web',
  );
  assert.equal(
    denialText({
      reason: '',
      checks: [
        { verb: 'patch', resource: 'deployments/scale', group: 'apps', namespace: '', allowed: false, reason: 'no RBAC policy matched' },
      ],
    }),
    'may not patch deployments/scale.apps (no RBAC policy matched)',
  );
});

test('results and progress in words', () => {
  const r = (ok: boolean): ActionResultDTO => ({ cluster: 'c', clusterContext: 'c', ok, message: ok ? 'restarted' : 'forbidden' });
  assert.equal(resultsLine('restart', [r(true)]), 'Restarted.');
  assert.equal(resultsLine('restart', [r(false)]), 'Failed.');
  assert.equal(resultsLine('restart', [r(true), r(true)]), 'Restarted in 2 clusters.');
  assert.equal(resultsLine('restart', [r(true), r(false), r(true)]), 'Restarted in 2 of 3 clusters; 1 failed.');
  assert.equal(resultsLine('cordon', [r(false), r(false)]), 'Failed in all 2 clusters.');
  assert.equal(progressText({ message: 'evicting web/a', done: 3, total: 12 }), '3 of 12 · evicting web/a');
  assert.equal(progressText({ message: '', done: 1, total: 0 }), '1');
});

test('the YAML editor knows when the object changed on the server since it opened', () => {
  const at = (rv: string, replicas = 3) => ({ metadata: { name: 'frontend', resourceVersion: rv }, spec: { replicas } });
  const opened = at('100');
  assert.equal(resourceVersionOf(opened), '100');
  assert.equal(resourceVersionOf({ metadata: {} }), null);
  assert.equal(changedSinceOpened(opened, opened), false, 'the same body');
  assert.equal(changedSinceOpened(opened, at('100')), false, 'a new body of the same version (a push re-read it)');
  assert.equal(changedSinceOpened(opened, at('101', 5)), true, 'another resourceVersion');
  // bodies without a resourceVersion: their content says
  assert.equal(changedSinceOpened({ spec: { replicas: 3 } }, { spec: { replicas: 3 } }), false);
  assert.equal(changedSinceOpened({ spec: { replicas: 3 } }, { spec: { replicas: 4 } }), true);
});
