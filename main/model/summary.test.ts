import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { draSlice, migNode, node, NOW, pod } from './fixtures.ts';
import { clusterSummary, clusterView, eventOccurrences, nodeSummaries, type ClusterInput } from './summary.ts';
import type { Event } from './types.ts';

const GiB = 1024 ** 3;

const input: ClusterInput = {
  now: NOW,
  serverVersion: 'v1.37.1',
  nodes: [
    node('node-001'),
    node('node-002', { unschedulable: true }),
    node('node-003', { ready: 'False', readyReason: 'KubeletNotReady', readyMessage: 'PLEG is not healthy' }),
    node('node-004', { kubeletVersion: 'v1.33.7' }),
    migNode(),
    node('gpu-h200-dra-001'),
  ],
  pods: [
    pod('web-0', { nodeName: 'node-001', requests: { cpu: '250m', memory: '256Mi' } }),
    pod('web-1', { nodeName: 'node-001', requests: { cpu: '250m', memory: '256Mi' }, deleting: true }),
    pod('job-done', { nodeName: 'node-001', phase: 'Succeeded', requests: { cpu: '8' } }),
    pod('emb-0', { nodeName: 'gpu-a100-mig-001', requests: { cpu: '2', memory: '16Gi' }, limits: { 'nvidia.com/mig-1g.10gb': '1' } }),
    pod('finetune-0', { requests: { cpu: '32', memory: '512Gi' }, limits: { 'nvidia.com/gpu': '8' } }),
  ],
  events: [
    { type: 'Warning', reason: 'BackOff', count: 12 },
    { type: 'Warning', reason: 'GPUXidError', count: 2 },
    { type: 'Warning', reason: 'FailedScheduling', series: { count: 30 }, count: 1 },
    { type: 'Warning', reason: 'Once' },
    { type: 'Normal', reason: 'Scheduled', count: 100 },
  ],
  resourceSlices: [draSlice('gpu-h200-dra-001')],
  pvcs: [{ metadata: { name: 'lost', namespace: 'x' }, status: { phase: 'Lost' } }],
};

describe('clusterSummary', () => {
  const s = clusterSummary(input);
  it('node counts', () => {
    assert.deepEqual(s.nodes, {
      total: 6,
      ready: 5,
      notReady: 1,
      cordoned: 1,
      stale: 0,
      byLevel: { ok: 3, warning: 2, critical: 1, unknown: 0 },
    });
  });
  it('per-resource totals over nodes, including extended resources', () => {
    assert.deepEqual(s.resources.cpu, {
      capacity: 5 * 32000 + 96000,
      allocatable: 5 * 31750 + 95750,
      requested: 2500,
      limits: 0,
      free: 5 * 31750 + 95750 - 2500,
      // cordoned node-002 and NotReady node-003 contribute nothing
      schedulableFree: 3 * 31750 + 95750 - 2500,
    });
    assert.equal(s.resources.pods?.requested, 3);
    assert.equal(s.resources.memory?.requested, 16 * GiB + 512 * 1024 ** 2);
    assert.deepEqual(s.resources['nvidia.com/mig-1g.10gb'], {
      capacity: 14,
      allocatable: 14,
      requested: 1,
      limits: 1,
      free: 13,
      schedulableFree: 13,
    });
    assert.equal(s.resources['nvidia.com/gpu']?.allocatable, 4);
  });
  it('pending demand apart', () => {
    assert.deepEqual(s.pending, {
      pods: 1,
      requests: { cpu: 32000, memory: 512 * GiB, 'nvidia.com/gpu': 8 },
      podsPerResource: { cpu: 1, memory: 1, 'nvidia.com/gpu': 1 },
    });
  });
  it('warning events counted by occurrences', () => assert.equal(s.warningEvents, 12 + 2 + 30 + 1));
  it('pods by phase', () => assert.deepEqual(s.pods, { total: 5, byPhase: { Running: 3, Succeeded: 1, Pending: 1 } }));
  it('storage problems', () => assert.deepEqual(s.storage, { problems: 1, critical: 1, warning: 0, info: 0 }));
  it('accelerator rollup with DRA', () => {
    assert.equal(s.accelerators.dra.devices, 8);
    assert.deepEqual(s.accelerators.pending, { pods: 1, requests: { 'nvidia.com/gpu': 8 } });
    assert.deepEqual(s.accelerators.vendors, { NVIDIA: { nodes: 2, physical: 16 } });
  });
  it('is plain JSON data', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
  });
});

describe('nodeSummaries (CLI shape)', () => {
  const rows = nodeSummaries(input);
  it('name, boolean ready, health, resources keyed by resource name', () => {
    const r = rows.find((x) => x.name === 'node-001');
    assert.ok(r);
    assert.deepEqual(Object.keys(r).sort(), ['health', 'name', 'ready', 'resources']);
    assert.equal(r.ready, true);
    assert.deepEqual(r.resources.cpu, { capacity: 32000, allocatable: 31750, requested: 500, free: 31250 });
    assert.deepEqual(r.resources.memory, {
      capacity: 128 * GiB,
      allocatable: 126 * GiB,
      requested: 512 * 1024 ** 2,
      free: 126 * GiB - 512 * 1024 ** 2,
    });
    assert.deepEqual(r.resources.pods, { capacity: 110, allocatable: 110, requested: 2, free: 108 });
  });
  it('ready is a boolean also for NotReady', () => {
    const r = rows.find((x) => x.name === 'node-003');
    assert.equal(r?.ready, false);
    assert.equal(r?.health.level, 'critical');
    assert.deepEqual(r?.health.reasons, ['NotReady: KubeletNotReady: PLEG is not healthy']);
  });
  it('skew reason on the old kubelet', () => {
    assert.deepEqual(rows.find((x) => x.name === 'node-004')?.health.reasons, ['kubelet v1.33.7 is 4 minors behind v1.37.1 (max 3)']);
  });
  it('same rows as clusterView', () => {
    assert.deepEqual(clusterView(input).nodes, rows);
  });
  it('hostile node names pass through as data', () => {
    const name = 'node-\u202Eevil\u200B<script>';
    const [r] = nodeSummaries({ now: NOW, nodes: [node(name)], pods: [] });
    assert.equal(r?.name, name);
  });
  it('empty cluster', () => {
    assert.deepEqual(nodeSummaries({ now: NOW }), []);
    const s = clusterSummary({ now: NOW });
    assert.equal(s.nodes.total, 0);
    assert.deepEqual(s.resources, {});
  });
});

describe('eventOccurrences', () => {
  const cases: [Event, number][] = [
    [{ count: 5 }, 5],
    [{ series: { count: 7 }, count: 1 }, 7],
    [{ deprecatedCount: 3 }, 3],
    [{}, 1],
    [{ count: 0 }, 1],
    [{ count: 'x' as unknown as number }, 1],
  ];
  for (const [e, n] of cases) it(`${JSON.stringify(e)} → ${n}`, () => assert.equal(eventOccurrences(e), n));
});
