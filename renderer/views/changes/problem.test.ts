import test from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerDTO, ObjectDTO } from '../../../common/contract.ts';
import { objectProblem } from './problem.ts';

const container = (over: Partial<ContainerDTO> = {}): ContainerDTO => ({
  name: 'web',
  init: false,
  image: 'nginx',
  ready: true,
  restarts: 0,
  state: 'running',
  requests: {},
  limits: {},
  ...over,
});

function obj(kind: string, body: Record<string, unknown>, over: Partial<ObjectDTO> = {}): Parameters<typeof objectProblem>[0] {
  return {
    ref: { cluster: 'c', kind, uid: 'u', namespace: 'ns', name: 'x' },
    status: { phase: null, node: null, message: null },
    containers: [],
    body,
    deleted: false,
    ...over,
  };
}

test('pods: Failed, crashlooping or image pull errors, not ready', () => {
  assert.equal(objectProblem(obj('pods', {}, { status: { phase: 'Running', node: 'n', message: null }, containers: [container()] })), null);
  assert.equal(
    objectProblem(
      obj(
        'pods',
        {},
        {
          status: { phase: 'Running', node: 'n', message: null },
          containers: [container({ state: 'waiting: CrashLoopBackOff', ready: false })],
        },
      ),
    ),
    'container web: CrashLoopBackOff',
  );
  assert.equal(
    objectProblem(
      obj(
        'pods',
        {},
        {
          status: { phase: 'Pending', node: 'n', message: null },
          containers: [container({ init: true, state: 'waiting: ImagePullBackOff', ready: false })],
        },
      ),
    ),
    'container web: ImagePullBackOff',
  );
  assert.equal(
    objectProblem(
      obj(
        'pods',
        {},
        {
          status: { phase: 'Pending', node: null, message: null },
          containers: [container({ state: 'waiting: ContainerCreating', ready: false })],
        },
      ),
    ),
    null,
    'starting is not a problem',
  );
  assert.equal(
    objectProblem(obj('pods', { status: { reason: 'Evicted' } }, { status: { phase: 'Failed', node: null, message: null } })),
    'pod Failed (Evicted)',
  );
  assert.equal(
    objectProblem(
      obj(
        'pods',
        {},
        { status: { phase: 'Running', node: 'n', message: null }, containers: [container({ ready: false }), container({ name: 'side' })] },
      ),
    ),
    'not ready: web',
  );
  assert.equal(
    objectProblem(obj('pods', {}, { status: { phase: 'Failed', node: null, message: null }, deleted: true })),
    null,
    'deleted: nothing to explain',
  );
});

test('workloads, jobs and nodes', () => {
  assert.equal(objectProblem(obj('apps/deployments', { status: { conditions: [{ type: 'Available', status: 'True' }] } })), null);
  assert.equal(
    objectProblem(obj('apps/deployments', { status: { conditions: [{ type: 'Available', status: 'False' }] } })),
    'not available',
  );
  assert.equal(
    objectProblem(
      obj('apps/deployments', { status: { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] } }),
    ),
    'not progressing (ProgressDeadlineExceeded)',
  );
  assert.equal(objectProblem(obj('apps/deployments', { status: { unavailableReplicas: 2 } })), '2 replica(s) unavailable');
  assert.equal(objectProblem(obj('apps/statefulsets', { spec: { replicas: 3 }, status: { readyReplicas: 1 } })), '1 of 3 replicas ready');
  assert.equal(objectProblem(obj('apps/statefulsets', { spec: { replicas: 0 }, status: {} })), null, 'scaled to zero');
  assert.equal(objectProblem(obj('apps/daemonsets', { status: { numberUnavailable: 1 } })), '1 pod(s) unavailable');
  assert.equal(objectProblem(obj('batch/jobs', { status: { conditions: [{ type: 'Failed', status: 'True' }] } })), 'job failed');
  assert.equal(objectProblem(obj('nodes', { status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } })), 'node not Ready (Unknown)');
  assert.equal(objectProblem(obj('configmaps', { status: 'nonsense' })), null);
  assert.equal(objectProblem(obj('apps/deployments', { status: { conditions: 'not a list' } })), null, 'odd bodies are no problem');
});
