import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NOW, iso } from './fixtures.ts';
import type { KObject, Pod } from './types.ts';
import { workloadProblems, type WorkloadProblem, type WorkloadProblemInput } from './workloads.ts';

const MIN = 60_000;

interface CS {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state?: unknown;
  lastState?: unknown;
}

interface PodOpts {
  namespace?: string;
  phase?: string;
  /** age in ms (creationTimestamp = NOW - age) */
  age?: number;
  ready?: boolean;
  /** Ready condition lastTransitionTime = NOW - readySince */
  readySince?: number;
  readyMessage?: string;
  scheduled?: { reason: string; message?: string };
  containers?: CS[];
  inits?: CS[];
  owner?: { kind: string; name: string; uid?: string };
  nodeName?: string | null;
  /** deletionTimestamp = NOW - deletedAgo */
  deletedAgo?: number;
  reason?: string;
  message?: string;
  gates?: string[];
}

const running = (startedAgo = 60 * MIN) => ({ running: { startedAt: iso(NOW - startedAgo) } });
const waiting = (reason: string, message?: string) => ({ waiting: { reason, ...(message ? { message } : {}) } });
const terminated = (reason: string, exitCode: number, extra: Record<string, unknown> = {}) => ({
  terminated: { reason, exitCode, ...extra },
});

function mkPod(name: string, o: PodOpts = {}): Pod {
  const phase = o.phase ?? 'Running';
  const ready = o.ready ?? phase === 'Running';
  const containers = o.containers ?? [{ name: 'web', ready, restartCount: 0, state: running() }];
  const conditions: Record<string, unknown>[] = [
    o.scheduled
      ? { type: 'PodScheduled', status: 'False', reason: o.scheduled.reason, message: o.scheduled.message }
      : { type: 'PodScheduled', status: 'True' },
    {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      ...(o.readyMessage ? { reason: 'ContainersNotReady', message: o.readyMessage } : {}),
      lastTransitionTime: iso(NOW - (o.readySince ?? 60 * MIN)),
    },
  ];
  const nodeName = o.nodeName === null || o.scheduled ? undefined : (o.nodeName ?? 'node-1');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      creationTimestamp: iso(NOW - (o.age ?? 60 * MIN)),
      ...(o.deletedAgo !== undefined ? { deletionTimestamp: iso(NOW - o.deletedAgo) } : {}),
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'batch/v1', controller: true, ...o.owner }] } : {}),
    },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: containers.map((c) => ({ name: c.name ?? 'web' })),
      ...(o.inits ? { initContainers: o.inits.map((c) => ({ name: c.name ?? 'init' })) } : {}),
      ...(o.gates ? { schedulingGates: o.gates.map((g) => ({ name: g })) } : {}),
    },
    status: {
      phase,
      conditions,
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.message ? { message: o.message } : {}),
      containerStatuses: containers,
      ...(o.inits ? { initContainerStatuses: o.inits } : {}),
    },
  } as Pod;
}

function mkDeploy(name: string, replicas: number | undefined, status: Record<string, unknown> | undefined, namespace = 'default'): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, uid: `uid-${name}` },
    ...({ spec: replicas === undefined ? {} : { replicas } } as object),
    ...(status ? { status } : {}),
  } as KObject;
}

function mkObj(
  kind: string,
  name: string,
  spec: Record<string, unknown>,
  status?: Record<string, unknown>,
  meta: Record<string, unknown> = {},
): KObject {
  return { kind, metadata: { name, namespace: 'default', uid: `uid-${name}`, ...meta }, spec, ...(status ? { status } : {}) } as KObject;
}

function mkJob(name: string, status: Record<string, unknown>, meta: Record<string, unknown> = {}): KObject {
  return mkObj('Job', name, { backoffLimit: 6 }, status, meta);
}

const cond = (type: string, status: string, reason?: string, message?: string) => ({ type, status, reason, message });

type Expect = Pick<WorkloadProblem, 'kind' | 'name' | 'severity' | 'reason'> & { message?: string };

interface Case {
  name: string;
  input: Omit<WorkloadProblemInput, 'now'>;
  expect: Expect[];
}

const P = 'pods';
const D = 'apps/deployments';
const S = 'apps/statefulsets';
const DS = 'apps/daemonsets';
const J = 'batch/jobs';

const cases: Case[] = [
  // ------------------------------------------------------------------ pods
  { name: 'healthy running pod', input: { pods: [mkPod('ok')] }, expect: [] },
  {
    name: 'CrashLoopBackOff is critical, with the kubelet message, restarts and last termination',
    input: {
      pods: [
        mkPod('crash', {
          ready: false,
          containers: [
            {
              name: 'web',
              ready: false,
              restartCount: 12,
              state: waiting('CrashLoopBackOff', 'back-off 5m0s restarting failed container=web pod=crash_default(uid-crash)'),
              lastState: terminated('OOMKilled', 137),
            },
          ],
        }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'crash',
        severity: 'critical',
        reason: 'CrashLoopBackOff',
        message:
          'container web: back-off 5m0s restarting failed container=web pod=crash_default(uid-crash) (12 restarts, last terminated: OOMKilled, exit code 137)',
      },
    ],
  },
  {
    name: 'ImagePullBackOff on a young pending pod',
    input: {
      pods: [
        mkPod('pull', {
          phase: 'Pending',
          age: 30_000,
          containers: [{ name: 'app', state: waiting('ImagePullBackOff', 'Back-off pulling image "registry.lab.local/app:nope"') }],
        }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'pull',
        severity: 'critical',
        reason: 'ImagePullBackOff',
        message: 'container app: Back-off pulling image "registry.lab.local/app:nope"',
      },
    ],
  },
  {
    name: 'ErrImagePull',
    input: { pods: [mkPod('pull2', { phase: 'Pending', age: 5000, containers: [{ name: 'app', state: waiting('ErrImagePull') }] })] },
    expect: [{ kind: P, name: 'pull2', severity: 'critical', reason: 'ErrImagePull', message: 'container app: ErrImagePull' }],
  },
  {
    name: 'CreateContainerConfigError names the missing secret',
    input: {
      pods: [
        mkPod('cfg', {
          phase: 'Pending',
          age: 5000,
          containers: [{ name: 'app', state: waiting('CreateContainerConfigError', 'secret "db-password" not found') }],
        }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'cfg',
        severity: 'critical',
        reason: 'CreateContainerConfigError',
        message: 'container app: secret "db-password" not found',
      },
    ],
  },
  {
    name: 'init container in CrashLoopBackOff is Init:CrashLoopBackOff',
    input: {
      pods: [
        mkPod('init-crash', {
          phase: 'Pending',
          age: 2 * MIN,
          inits: [
            { name: 'migrate', restartCount: 3, state: waiting('CrashLoopBackOff', 'back-off 40s'), lastState: terminated('Error', 1) },
          ],
          containers: [{ name: 'app', state: waiting('PodInitializing') }],
        }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'init-crash',
        severity: 'critical',
        reason: 'Init:CrashLoopBackOff',
        message: 'init container migrate: back-off 40s (3 restarts, last terminated: Error, exit code 1)',
      },
    ],
  },
  {
    name: 'init container that exited non-zero is Init:Error',
    input: {
      pods: [
        mkPod('init-err', {
          phase: 'Pending',
          age: MIN,
          inits: [{ name: 'migrate', state: terminated('Error', 2, { message: 'relation "users" does not exist' }) }],
          containers: [{ name: 'app', state: waiting('PodInitializing') }],
        }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'init-err',
        severity: 'critical',
        reason: 'Init:Error',
        message: 'init container migrate terminated: Error, exit code 2: relation "users" does not exist',
      },
    ],
  },
  {
    name: 'a completed init container and PodInitializing are a normal start',
    input: {
      pods: [
        mkPod('init-ok', {
          phase: 'Pending',
          age: MIN,
          inits: [{ name: 'migrate', state: terminated('Completed', 0) }],
          containers: [{ name: 'app', state: waiting('PodInitializing') }],
        }),
      ],
    },
    expect: [],
  },
  {
    name: 'unknown waiting reason is a warning',
    input: { pods: [mkPod('odd', { phase: 'Pending', age: 5000, containers: [{ name: 'app', state: waiting('SomethingNew', 'hm') }] })] },
    expect: [{ kind: P, name: 'odd', severity: 'warning', reason: 'SomethingNew', message: 'container app: hm' }],
  },
  {
    name: 'OOMKilled last termination of a running container is a warning',
    input: {
      pods: [
        mkPod('oom', {
          containers: [
            {
              name: 'web',
              ready: true,
              restartCount: 2,
              state: running(MIN),
              lastState: terminated('OOMKilled', 137, { finishedAt: iso(NOW - 3 * MIN) }),
            },
          ],
        }),
      ],
    },
    expect: [
      { kind: P, name: 'oom', severity: 'warning', reason: 'OOMKilled', message: 'container web was OOMKilled 3m ago (2 restarts)' },
    ],
  },
  {
    name: 'container terminated non-zero in a running pod is critical',
    input: {
      pods: [
        mkPod('exited', {
          ready: false,
          containers: [
            { name: 'web', ready: true, state: running() },
            { name: 'worker', ready: false, state: terminated('Error', 1) },
          ],
        }),
      ],
    },
    expect: [
      { kind: P, name: 'exited', severity: 'critical', reason: 'Error', message: 'container worker terminated: Error, exit code 1' },
    ],
  },
  {
    name: 'Failed phase: container exit code',
    input: { pods: [mkPod('failed', { phase: 'Failed', containers: [{ name: 'main', state: terminated('Error', 1) }] })] },
    expect: [{ kind: P, name: 'failed', severity: 'critical', reason: 'Error', message: 'container main terminated: Error, exit code 1' }],
  },
  {
    name: 'Failed phase: status reason and message win',
    input: {
      pods: [
        mkPod('deadline', {
          phase: 'Failed',
          reason: 'DeadlineExceeded',
          message: 'Pod was active on the node longer than the specified deadline',
          containers: [{ name: 'main', state: terminated('Error', 137) }],
        }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'deadline',
        severity: 'critical',
        reason: 'DeadlineExceeded',
        message: 'Pod was active on the node longer than the specified deadline',
      },
    ],
  },
  {
    name: 'Evicted pods are warnings',
    input: {
      pods: [
        mkPod('evicted', {
          phase: 'Failed',
          reason: 'Evicted',
          message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki.',
          containers: [],
        }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'evicted',
        severity: 'warning',
        reason: 'Evicted',
        message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki.',
      },
    ],
  },
  {
    name: 'Succeeded pods of a Job are not problems',
    input: {
      pods: [
        mkPod('job-ok-x1', {
          phase: 'Succeeded',
          owner: { kind: 'Job', name: 'job-ok' },
          containers: [{ name: 'main', state: terminated('Completed', 0) }],
        }),
      ],
      jobs: [mkJob('job-ok', { succeeded: 1, conditions: [cond('Complete', 'True')] })],
    },
    expect: [],
  },
  {
    name: 'Failed pods: skipped for a completed Job, warning while it retries, skipped once the Job failed (the Job row says it)',
    input: {
      pods: [
        mkPod('done-a', {
          phase: 'Failed',
          owner: { kind: 'Job', name: 'done', uid: 'uid-done' },
          containers: [{ name: 'main', state: terminated('Error', 1) }],
        }),
        mkPod('retry-a', {
          phase: 'Failed',
          owner: { kind: 'Job', name: 'retry' },
          containers: [{ name: 'main', state: terminated('Error', 1) }],
        }),
        mkPod('dead-a', {
          phase: 'Failed',
          owner: { kind: 'Job', name: 'dead' },
          containers: [{ name: 'main', state: terminated('Error', 1) }],
        }),
      ],
      jobs: [
        mkJob('done', { failed: 1, succeeded: 1, conditions: [cond('SuccessCriteriaMet', 'True'), cond('Complete', 'True')] }),
        mkJob('retry', { failed: 1, active: 1 }),
        mkJob('dead', {
          failed: 7,
          conditions: [
            cond('FailureTarget', 'True', 'BackoffLimitExceeded'),
            cond('Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
          ],
        }),
      ],
    },
    expect: [
      {
        kind: J,
        name: 'dead',
        severity: 'critical',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit (7 failed pods)',
      },
      { kind: J, name: 'retry', severity: 'warning', reason: 'Retrying', message: '1 pod failed so far (backoffLimit 6), still retrying' },
      { kind: P, name: 'retry-a', severity: 'warning', reason: 'Error', message: 'container main terminated: Error, exit code 1' },
    ],
  },
  {
    name: 'unschedulable for a minute is a warning with the scheduler message',
    input: {
      pods: [
        mkPod('unsched', {
          phase: 'Pending',
          age: MIN,
          containers: [],
          scheduled: {
            reason: 'Unschedulable',
            message:
              '0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
          },
        }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'unsched',
        severity: 'warning',
        reason: 'Unschedulable',
        message:
          'pending 60s: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      },
    ],
  },
  {
    name: 'unschedulable for 10 minutes is critical',
    input: {
      pods: [
        mkPod('unsched-old', {
          phase: 'Pending',
          age: 10 * MIN,
          containers: [],
          scheduled: { reason: 'Unschedulable', message: '0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: infra}.' },
        }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'unsched-old',
        severity: 'critical',
        reason: 'Unschedulable',
        message: 'pending 10m: 0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: infra}.',
      },
    ],
  },
  {
    name: 'scheduling-gated pods only after 5 minutes, as warnings',
    input: {
      pods: [
        mkPod('gated-new', {
          phase: 'Pending',
          age: 2 * MIN,
          containers: [],
          gates: ['kueue.x-k8s.io/admission'],
          scheduled: { reason: 'SchedulingGated' },
        }),
        mkPod('gated-old', {
          phase: 'Pending',
          age: 20 * MIN,
          containers: [],
          gates: ['kueue.x-k8s.io/admission'],
          scheduled: { reason: 'SchedulingGated' },
        }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'gated-old',
        severity: 'warning',
        reason: 'SchedulingGated',
        message: 'pending 20m, waiting for scheduling gates: kueue.x-k8s.io/admission',
      },
    ],
  },
  {
    name: 'scheduled but Pending for 7 minutes (stuck ContainerCreating) is a warning; 2 minutes is not',
    input: {
      pods: [
        mkPod('stuck', { phase: 'Pending', age: 7 * MIN, containers: [{ name: 'app', state: waiting('ContainerCreating') }] }),
        mkPod('starting', { phase: 'Pending', age: 2 * MIN, containers: [{ name: 'app', state: waiting('ContainerCreating') }] }),
      ],
    },
    expect: [{ kind: P, name: 'stuck', severity: 'warning', reason: 'Pending', message: 'pending 7m: container app ContainerCreating' }],
  },
  {
    name: 'Pending 7 minutes without node nor PodScheduled condition (no scheduler)',
    input: {
      pods: [
        {
          metadata: { name: 'orphan', namespace: 'default', creationTimestamp: iso(NOW - 7 * MIN) },
          spec: { containers: [{ name: 'a' }] },
          status: { phase: 'Pending' },
        },
      ],
    },
    expect: [{ kind: P, name: 'orphan', severity: 'warning', reason: 'Pending', message: 'pending 7m, not scheduled' }],
  },
  {
    name: 'running, not ready, 6 restarts is a warning',
    input: {
      pods: [
        mkPod('flappy', {
          ready: false,
          readySince: 30_000,
          readyMessage: 'containers with unready status: [web]',
          containers: [{ name: 'web', ready: false, restartCount: 6, state: running(30_000), lastState: terminated('Error', 1) }],
        }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'flappy',
        severity: 'warning',
        reason: 'NotReady',
        message: '0/1 containers ready, 6 restarts: containers with unready status: [web]',
      },
    ],
  },
  {
    name: 'not ready with few restarts: only after 5 minutes not ready',
    input: {
      pods: [
        mkPod('warming', { ready: false, readySince: MIN, containers: [{ name: 'web', ready: false, restartCount: 1, state: running() }] }),
        mkPod('probe-failing', {
          ready: false,
          readySince: 10 * MIN,
          readyMessage: 'containers with unready status: [web]',
          containers: [{ name: 'web', ready: false, restartCount: 1, state: running() }],
        }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'probe-failing',
        severity: 'warning',
        reason: 'NotReady',
        message: '0/1 containers ready, 1 restart, not ready for 10m: containers with unready status: [web]',
      },
    ],
  },
  {
    name: 'ready pod with many restarts is fine',
    input: { pods: [mkPod('restarted', { containers: [{ name: 'web', ready: true, restartCount: 40, state: running() }] })] },
    expect: [],
  },
  {
    name: 'terminating: skipped within 5 minutes of the deadline, then stuck',
    input: {
      pods: [
        mkPod('going', { deletedAgo: -20_000, containers: [{ name: 'web', state: waiting('CrashLoopBackOff') }] }),
        mkPod('stuck-term', { deletedAgo: 12 * MIN }),
      ],
    },
    expect: [
      {
        kind: P,
        name: 'stuck-term',
        severity: 'warning',
        reason: 'Terminating',
        message: 'stuck terminating: 12m past its deletion deadline',
      },
    ],
  },
  {
    name: 'phase Unknown',
    input: { pods: [mkPod('lost', { phase: 'Unknown', message: 'node node-7 which was running pod lost is unresponsive' })] },
    expect: [
      { kind: P, name: 'lost', severity: 'warning', reason: 'Unknown', message: 'node node-7 which was running pod lost is unresponsive' },
    ],
  },
  // ------------------------------------------------------------------ deployments
  {
    name: 'healthy and scaled-to-zero deployments',
    input: {
      deployments: [
        mkDeploy('ok', 3, {
          replicas: 3,
          availableReplicas: 3,
          readyReplicas: 3,
          conditions: [cond('Available', 'True'), cond('Progressing', 'True', 'NewReplicaSetAvailable')],
        }),
        mkDeploy('zero', 0, { conditions: [cond('Available', 'True')] }),
        mkDeploy('no-status', 3, undefined),
      ],
    },
    expect: [],
  },
  {
    name: 'deployment with an unavailable replica (rolling) is a warning',
    input: {
      deployments: [
        mkDeploy('web', 3, {
          availableReplicas: 2,
          unavailableReplicas: 1,
          conditions: [cond('Available', 'True', 'MinimumReplicasAvailable')],
        }),
      ],
    },
    expect: [{ kind: D, name: 'web', severity: 'warning', reason: 'Unavailable', message: '2/3 replicas available, 1 unavailable' }],
  },
  {
    name: 'availableReplicas < replicas without unavailableReplicas',
    input: { deployments: [mkDeploy('web', 3, { availableReplicas: 1 })] },
    expect: [{ kind: D, name: 'web', severity: 'warning', reason: 'Unavailable', message: '1/3 replicas available' }],
  },
  {
    name: 'Available=False is critical with the condition reason',
    input: {
      deployments: [
        mkDeploy('api', 3, {
          unavailableReplicas: 3,
          conditions: [cond('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.')],
        }),
      ],
    },
    expect: [
      {
        kind: D,
        name: 'api',
        severity: 'critical',
        reason: 'MinimumReplicasUnavailable',
        message: '0/3 replicas available, 3 unavailable: Deployment does not have minimum availability.',
      },
    ],
  },
  {
    name: 'ProgressDeadlineExceeded outranks unavailability',
    input: {
      deployments: [
        mkDeploy('rollout', 4, {
          availableReplicas: 3,
          unavailableReplicas: 2,
          conditions: [
            cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
            cond('Progressing', 'False', 'ProgressDeadlineExceeded', 'ReplicaSet "rollout-7d4b9c" has timed out progressing.'),
          ],
        }),
      ],
    },
    expect: [
      {
        kind: D,
        name: 'rollout',
        severity: 'critical',
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "rollout-7d4b9c" has timed out progressing. 3/4 replicas available, 2 unavailable',
      },
    ],
  },
  {
    name: 'ReplicaFailure (quota)',
    input: {
      deployments: [
        mkDeploy('quota', 2, {
          availableReplicas: 1,
          conditions: [
            cond('Available', 'True'),
            cond(
              'ReplicaFailure',
              'True',
              'FailedCreate',
              'pods "quota-5f7c-abcde" is forbidden: exceeded quota: compute, requested: cpu=2, used: cpu=8, limited: cpu=8',
            ),
          ],
        }),
      ],
    },
    expect: [
      {
        kind: D,
        name: 'quota',
        severity: 'critical',
        reason: 'FailedCreate',
        message:
          'pods "quota-5f7c-abcde" is forbidden: exceeded quota: compute, requested: cpu=2, used: cpu=8, limited: cpu=8; 1/2 replicas available',
      },
    ],
  },
  {
    name: 'spec.replicas defaults to 1; none available is critical',
    input: { deployments: [mkDeploy('single', undefined, { observedGeneration: 1 })] },
    expect: [{ kind: D, name: 'single', severity: 'critical', reason: 'Unavailable', message: '0/1 replicas available' }],
  },
  // ------------------------------------------------------------------ statefulsets
  {
    name: 'statefulsets: ready, partly ready, none ready, no status',
    input: {
      statefulSets: [
        mkObj('StatefulSet', 'db', { replicas: 3 }, { replicas: 3, readyReplicas: 3 }),
        mkObj('StatefulSet', 'kafka', { replicas: 3 }, { replicas: 3, readyReplicas: 1 }),
        mkObj('StatefulSet', 'zk', { replicas: 2 }, { replicas: 2 }),
        mkObj('StatefulSet', 'new', { replicas: 2 }),
      ],
    },
    expect: [
      { kind: S, name: 'zk', severity: 'critical', reason: 'NotReady', message: '0/2 replicas ready' },
      { kind: S, name: 'kafka', severity: 'warning', reason: 'NotReady', message: '1/3 replicas ready' },
    ],
  },
  // ------------------------------------------------------------------ daemonsets
  {
    name: 'daemonsets: unavailable, none ready, misscheduled',
    input: {
      daemonSets: [
        mkObj('DaemonSet', 'ok', {}, { desiredNumberScheduled: 5, currentNumberScheduled: 5, numberReady: 5, numberAvailable: 5 }),
        mkObj('DaemonSet', 'cni', {}, { desiredNumberScheduled: 5, numberReady: 4, numberAvailable: 4, numberUnavailable: 1 }),
        mkObj('DaemonSet', 'csi', {}, { desiredNumberScheduled: 5, numberReady: 0, numberUnavailable: 5 }),
        mkObj('DaemonSet', 'exporter', {}, { desiredNumberScheduled: 3, numberReady: 3, numberMisscheduled: 2 }),
        mkObj('DaemonSet', 'logs', {}, { desiredNumberScheduled: 3, numberReady: 2, numberMisscheduled: 1 }),
        mkObj('DaemonSet', 'nowhere', {}, { desiredNumberScheduled: 0, numberReady: 0 }),
      ],
    },
    expect: [
      { kind: DS, name: 'csi', severity: 'critical', reason: 'Unavailable', message: '0/5 pods ready, 5 unavailable' },
      { kind: DS, name: 'cni', severity: 'warning', reason: 'Unavailable', message: '4/5 pods ready, 1 unavailable' },
      {
        kind: DS,
        name: 'exporter',
        severity: 'warning',
        reason: 'Misscheduled',
        message: '2 pods running on nodes that should not run them',
      },
      {
        kind: DS,
        name: 'logs',
        severity: 'warning',
        reason: 'Unavailable',
        message: '2/3 pods ready; 1 pod running on nodes that should not run them',
      },
    ],
  },
  // ------------------------------------------------------------------ jobs
  {
    name: 'jobs: failed (deadline), complete, running without failures',
    input: {
      jobs: [
        mkJob('backup', { conditions: [cond('Failed', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline')] }),
        mkJob('ok', { succeeded: 1, conditions: [cond('Complete', 'True')] }),
        mkJob('busy', { active: 2 }),
      ],
    },
    expect: [
      {
        kind: J,
        name: 'backup',
        severity: 'critical',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      },
    ],
  },
  {
    name: 'a failed CronJob run followed by a successful one is only a warning',
    input: {
      jobs: [
        mkJob(
          'nightly-100',
          { failed: 7, conditions: [cond('Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] },
          {
            creationTimestamp: iso(NOW - 48 * 60 * MIN),
            ownerReferences: [{ kind: 'CronJob', name: 'nightly', uid: 'cj-1', controller: true }],
          },
        ),
        mkJob(
          'nightly-200',
          { succeeded: 1, conditions: [cond('Complete', 'True')] },
          {
            creationTimestamp: iso(NOW - 24 * 60 * MIN),
            ownerReferences: [{ kind: 'CronJob', name: 'nightly', uid: 'cj-1', controller: true }],
          },
        ),
        mkJob(
          'hourly-7',
          { failed: 1, conditions: [cond('Failed', 'True', 'BackoffLimitExceeded')] },
          {
            creationTimestamp: iso(NOW - 60 * MIN),
            ownerReferences: [{ kind: 'CronJob', name: 'hourly', uid: 'cj-2', controller: true }],
          },
        ),
      ],
    },
    expect: [
      { kind: J, name: 'hourly-7', severity: 'critical', reason: 'BackoffLimitExceeded', message: 'Job failed (1 failed pod)' },
      {
        kind: J,
        name: 'nightly-100',
        severity: 'warning',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit (7 failed pods); a later run of its CronJob completed',
      },
    ],
  },
];

describe('workloadProblems', () => {
  for (const t of cases) {
    it(t.name, () => {
      const got = workloadProblems({ ...t.input, now: NOW });
      const shaped = got.map((p, i) => {
        const e = t.expect[i];
        const base: Expect = { kind: p.kind, name: p.name, severity: p.severity, reason: p.reason };
        return e?.message !== undefined ? { ...base, message: p.message } : base;
      });
      assert.deepEqual(shaped, t.expect, JSON.stringify(got, null, 1));
    });
  }

  it('fills namespace and uid, sorts critical first then namespace/name/kind', () => {
    const got = workloadProblems({
      now: NOW,
      pods: [
        mkPod('b', { namespace: 'team-a', containers: [{ name: 'w', state: waiting('CrashLoopBackOff') }] }),
        mkPod('z', {
          namespace: 'team-a',
          containers: [{ name: 'w', ready: true, state: running(), lastState: terminated('OOMKilled', 137) }],
        }),
        mkPod('a', { namespace: 'team-b', containers: [{ name: 'w', state: waiting('ErrImagePull') }] }),
      ],
      deployments: [mkDeploy('a', 2, { availableReplicas: 1 }, 'team-a'), mkDeploy('b', 2, { availableReplicas: 0 }, 'team-a')],
    });
    assert.deepEqual(
      got.map((p) => [p.severity, p.namespace, p.name, p.kind]),
      [
        ['critical', 'team-a', 'b', 'apps/deployments'],
        ['critical', 'team-a', 'b', 'pods'],
        ['critical', 'team-b', 'a', 'pods'],
        ['warning', 'team-a', 'a', 'apps/deployments'],
        ['warning', 'team-a', 'z', 'pods'],
      ],
    );
    assert.equal(got[1]?.uid, 'uid-b');
  });

  it('no input lists → no problems', () => {
    assert.deepEqual(workloadProblems({ now: NOW }), []);
  });

  it('malformed objects never throw', () => {
    const junk = [
      null,
      undefined,
      5,
      'pod',
      [],
      {},
      { metadata: 'x', status: 'bad', spec: 7 },
      { metadata: { name: 5, namespace: [], ownerReferences: 'x', creationTimestamp: 'yesterday' }, status: { phase: 3 } },
      { status: { phase: 'Running', containerStatuses: 'x', conditions: {} } },
      {
        status: {
          phase: 'Running',
          containerStatuses: [null, 5, 'x', { state: 'x', lastState: 5, restartCount: 'many' }],
          conditions: [null, 4],
        },
      },
      {
        status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 5, message: {} }] },
        spec: { schedulingGates: 'x' },
      },
      { status: { phase: 'Failed', reason: 5, initContainerStatuses: [{ state: { terminated: { exitCode: 'x' } } }] } },
      { metadata: { ownerReferences: [null, 5, { kind: 'Job', name: 7, uid: 9 }] }, status: { phase: 'Failed' } },
      { metadata: { deletionTimestamp: 12 }, status: { phase: 'Running' } },
      {
        status: {
          conditions: [
            { type: 'Available', status: 5 },
            { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 3 },
          ],
        },
      },
      {
        spec: { replicas: 'three', backoffLimit: {} },
        status: { availableReplicas: 'x', unavailableReplicas: null, readyReplicas: [], failed: '2' },
      },
      { status: { desiredNumberScheduled: '5', numberReady: null, numberMisscheduled: NaN } },
      { metadata: { ownerReferences: [{ kind: 'CronJob' }] }, status: { conditions: [{ type: 'Failed', status: 'True' }] } },
    ] as unknown as KObject[];
    const run = () =>
      workloadProblems({
        now: NOW,
        pods: junk as Pod[],
        deployments: junk,
        statefulSets: junk,
        daemonSets: junk,
        jobs: junk,
      });
    assert.doesNotThrow(run);
    for (const p of run()) {
      assert.equal(typeof p.name, 'string');
      assert.equal(typeof p.namespace, 'string');
      assert.equal(typeof p.message, 'string');
      assert.ok(p.reason.length > 0);
    }
    assert.doesNotThrow(() =>
      workloadProblems({
        now: NOW,
        pods: 'x',
        deployments: {},
        statefulSets: null,
        daemonSets: 5,
        jobs: 'y',
      } as unknown as WorkloadProblemInput),
    );
    assert.doesNotThrow(() => workloadProblems(undefined as unknown as WorkloadProblemInput));
  });

  it('hostile strings pass through untouched', () => {
    const msg = '<img src=x onerror=alert(1)> \u202Eexe.gnp';
    const [p] = workloadProblems({
      now: NOW,
      pods: [mkPod('h\u200Bx', { containers: [{ name: 'w', state: waiting('CrashLoopBackOff', msg) }] })],
    });
    assert.equal(p?.name, 'h\u200Bx');
    assert.equal(p?.message, `container w: ${msg}`);
  });
});
