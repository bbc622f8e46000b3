import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSchedulable, nodeCapacity, pendingDemand, podsByNode, schedulableFree } from './capacity.ts';
import { h100Node, node, pod } from './fixtures.ts';
import type { Node, Pod } from './types.ts';

const N = 'node-001';
const GiB = 1024 ** 3;

describe('nodeCapacity', () => {
  const pods: Pod[] = [
    pod('running', { nodeName: N, requests: { cpu: '2', memory: '8Gi' }, limits: { memory: '16Gi' } }),
    pod('terminating', { nodeName: N, deleting: true, requests: { cpu: '1', memory: '1Gi' } }),
    pod('pending-bound', { nodeName: N, phase: 'Pending', requests: { cpu: '500m' } }),
    pod('done', { nodeName: N, phase: 'Succeeded', requests: { cpu: '8', memory: '64Gi' } }),
    pod('crashed', { nodeName: N, phase: 'Failed', requests: { cpu: '8' } }),
    pod('elsewhere', { nodeName: 'node-002', requests: { cpu: '4' } }),
    pod('unbound', { requests: { cpu: '4' } }),
  ];
  const cap = nodeCapacity(node(N), pods);

  const cases: [string, number, number, number, number][] = [
    // resource, capacity, allocatable, requested, free
    ['cpu', 32000, 31750, 3500, 28250],
    ['memory', 128 * GiB, 126 * GiB, 9 * GiB, 117 * GiB],
    ['pods', 110, 110, 3, 107],
    ['ephemeral-storage', 500 * GiB, 450 * GiB, 0, 450 * GiB],
    ['hugepages-2Mi', 0, 0, 0, 0],
  ];
  for (const [r, capacity, allocatable, requested, free] of cases) {
    it(`${r}: excludes Succeeded/Failed and other nodes, includes terminating and bound-Pending`, () => {
      const got = cap[r];
      assert.ok(got, `missing ${r}`);
      assert.deepEqual(
        { capacity: got.capacity, allocatable: got.allocatable, requested: got.requested, free: got.free },
        { capacity, allocatable, requested, free },
      );
    });
  }
  it('limits are summed where set', () => assert.equal(cap.memory?.limits, 16 * GiB));
  it('schedulable free equals free on a Ready, uncordoned node', () => assert.equal(cap.cpu?.schedulableFree, 28250));

  it('negative free when requests exceed allocatable (unhealthy GPUs under running pods)', () => {
    const n = h100Node('gpu-h100-001', '6');
    const got = nodeCapacity(n, [pod('train', { nodeName: 'gpu-h100-001', limits: { 'nvidia.com/gpu': '8' } })]);
    assert.deepEqual(got['nvidia.com/gpu'], { capacity: 8, allocatable: 6, requested: 8, limits: 8, free: -2, schedulableFree: 0 });
  });

  it('a resource only requested still appears', () => {
    const got = nodeCapacity(node(N), [pod('x', { nodeName: N, limits: { 'example.com/fpga': '1' } })]);
    assert.deepEqual(got['example.com/fpga'], { capacity: 0, allocatable: 0, requested: 1, limits: 1, free: -1, schedulableFree: 0 });
  });

  it('DRA-served extended resource is not charged to node allocatable', () => {
    const p = pod('x', {
      nodeName: N,
      limits: { 'nvidia.com/gpu': '1' },
      extendedResourceClaimStatus: {
        resourceClaimName: 'x-gpu',
        requestMappings: [{ containerName: 'main', resourceName: 'nvidia.com/gpu', requestName: 'r0' }],
      },
    });
    assert.equal(nodeCapacity(node(N), [p])['nvidia.com/gpu'], undefined);
  });

  it('hostile node: no status, garbage quantities', () => {
    assert.deepEqual(nodeCapacity({}, []), { pods: { capacity: 0, allocatable: 0, requested: 0, limits: 0, free: 0, schedulableFree: 0 } });
    const weird = {
      metadata: { name: 'w' },
      status: { capacity: { cpu: 'many', memory: 42 as unknown as string }, allocatable: null as never },
    } as Node;
    const got = nodeCapacity(weird, null as unknown as Pod[]);
    assert.equal(got.cpu, undefined);
    assert.equal(got.memory?.capacity, 42);
  });

  it('a resource key "__proto__" is data, not a prototype', () => {
    const n = node(N, { extra: JSON.parse('{"__proto__": "3"}') as Record<string, string> });
    const got = nodeCapacity(n, []);
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
    assert.equal(Object.hasOwn(got, '__proto__'), true);
  });
});

describe('schedulable free', () => {
  const cases: [string, Node, boolean][] = [
    ['ready', node(N), true],
    ['cordoned', node(N, { unschedulable: true }), false],
    ['NotReady', node(N, { ready: 'False', readyReason: 'KubeletNotReady' }), false],
    ['Ready Unknown', node(N, { ready: 'Unknown', readyReason: 'NodeStatusUnknown' }), false],
    ['no Ready condition', node(N, { ready: null }), false],
  ];
  for (const [name, n, want] of cases) {
    it(`${name} → schedulable ${want}`, () => {
      assert.equal(isSchedulable(n), want);
      const free = schedulableFree(n, [pod('a', { nodeName: N, requests: { cpu: '1' } })]);
      assert.equal(free.cpu, want ? 30750 : 0);
      // free itself is not hidden: only the schedulable figure drops to 0
      assert.equal(nodeCapacity(n, [])['cpu']?.free, 31750);
    });
  }
  it('schedulable free never goes below 0', () => {
    const free = schedulableFree(node(N), [pod('a', { nodeName: N, requests: { cpu: '40' } })]);
    assert.equal(free.cpu, 0);
  });
});

describe('pendingDemand', () => {
  const pods: Pod[] = [
    pod('q1', { requests: { cpu: '32', memory: '512Gi' }, limits: { 'nvidia.com/gpu': '8' } }),
    pod('q2', { requests: { cpu: '32', memory: '512Gi' }, limits: { 'nvidia.com/gpu': '8' } }),
    pod('bound-pending', { nodeName: N, phase: 'Pending', requests: { cpu: '1' } }),
    pod('running', { nodeName: N, requests: { cpu: '1' } }),
    pod('failed-unbound', { phase: 'Failed', requests: { cpu: '1' } }),
  ];
  it('sums only unbound Pending pods', () => {
    assert.deepEqual(pendingDemand(pods), {
      pods: 2,
      requests: { cpu: 64000, memory: 1024 * GiB, 'nvidia.com/gpu': 16 },
      podsPerResource: { cpu: 2, memory: 2, 'nvidia.com/gpu': 2 },
    });
  });
  it('empty / hostile input', () => {
    assert.deepEqual(pendingDemand(undefined as unknown as Pod[]), { pods: 0, requests: {}, podsPerResource: {} });
  });
});

describe('podsByNode', () => {
  it('groups by spec.nodeName and skips unbound', () => {
    const m = podsByNode([pod('a', { nodeName: 'x' }), pod('b', { nodeName: 'x' }), pod('c', { nodeName: 'y' }), pod('d')]);
    assert.deepEqual([...m.keys()].sort(), ['x', 'y']);
    assert.equal(m.get('x')?.length, 2);
  });
});
