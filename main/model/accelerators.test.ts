import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceleratorSpec,
  clusterAccelerators,
  draInventory,
  isPossibleAccelerator,
  nodeAccelerators,
  type NodeAcceleratorResource,
} from './accelerators.ts';
import { amdNode, draSlice, h100Node, migNode, node, pod, timeSlicedNode } from './fixtures.ts';
import type { Node, Pod, ResourceClaim, ResourceSlice } from './types.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function res(view: { resources: NodeAcceleratorResource[] }, r: string): NodeAcceleratorResource {
  const got = view.resources.find((x) => x.resource === r);
  assert.ok(got, `no ${r}`);
  return got;
}

/** `resource` on a node that publishes `count` of it, has these labels and runs no pods. */
function publishedAlone(resource: string, count: string, labels: Record<string, string> = {}): NodeAcceleratorResource {
  return res(nodeAccelerators(node('n', { extra: { [resource]: count }, labels }), []), resource);
}

describe('known accelerator list and isPossibleAccelerator', () => {
  const cases: [string, string | undefined, string | undefined, boolean][] = [
    // resource, vendor, kind, possible
    ['nvidia.com/gpu', 'NVIDIA', 'gpu', true],
    ['nvidia.com/mig-1g.10gb', 'NVIDIA', 'mig', true],
    ['nvidia.com/mig-3g.40gb', 'NVIDIA', 'mig', true],
    ['nvidia.com/mig-1c.3g.40gb', 'NVIDIA', 'mig', true],
    ['nvidia.com/mig-1g.10gb.me', 'NVIDIA', 'mig', true],
    ['nvidia.com/gpu.shared', 'NVIDIA', 'gpu-share', true],
    ['amd.com/gpu', 'AMD', 'gpu', true],
    ['gpu.intel.com/i915', 'Intel', 'gpu', true],
    ['gpu.intel.com/xe', 'Intel', 'gpu', true],
    ['habana.ai/gaudi', 'Intel Habana', 'gaudi', true],
    ['aws.amazon.com/neuron', 'AWS', 'neuron-device', true],
    ['aws.amazon.com/neuroncore', 'AWS', 'neuron-core', true],
    ['google.com/tpu', 'Google', 'tpu', true],
    ['example.com/fpga', undefined, undefined, true],
    ['xilinx.com/fpga-xilinx_u250', undefined, undefined, true],
    ['cpu', undefined, undefined, false],
    ['memory', undefined, undefined, false],
    ['hugepages-2Mi', undefined, undefined, false],
    ['kubernetes.io/batch-cpu', undefined, undefined, false],
    ['node.kubernetes.io/foo', undefined, undefined, false],
    ['requests.nvidia.com/gpu', undefined, undefined, false],
    ['nvidia.com/mig-1g.10gb.count', undefined, undefined, true], // not a known profile, but a vendor resource
  ];
  for (const [r, vendor, kind, possible] of cases) {
    it(r, () => {
      const s = acceleratorSpec(r);
      assert.equal(s?.vendor, vendor);
      assert.equal(s?.kind, kind);
      assert.equal(isPossibleAccelerator(r), possible);
    });
  }
});

describe('nodeAccelerators', () => {
  it('MIG mixed A100 node: whole GPUs and per-profile slices', () => {
    const n = migNode();
    const pods: Pod[] = [
      ...Array.from({ length: 12 }, (_, i) =>
        pod(`embeddings-${i}`, {
          nodeName: 'gpu-a100-mig-001',
          requests: { cpu: '2', memory: '16Gi' },
          limits: { 'nvidia.com/mig-1g.10gb': '1' },
        }),
      ),
      ...Array.from({ length: 3 }, (_, i) =>
        pod(`reranker-${i}`, { nodeName: 'gpu-a100-mig-001', requests: { cpu: '4' }, limits: { 'nvidia.com/mig-3g.40gb': '1' } }),
      ),
      pod('done', { nodeName: 'gpu-a100-mig-001', phase: 'Succeeded', limits: { 'nvidia.com/mig-3g.40gb': '1' } }),
    ];
    const v = nodeAccelerators(n, pods);
    assert.equal(v.migStrategy, 'mixed');
    assert.deepEqual(v.physicalByVendor, { NVIDIA: 8 });
    assert.deepEqual(
      v.resources.map((r) => r.resource),
      ['nvidia.com/gpu', 'nvidia.com/mig-1g.10gb', 'nvidia.com/mig-3g.40gb'],
    );
    const whole = res(v, 'nvidia.com/gpu');
    assert.equal(whole.model, 'NVIDIA-A100-SXM4-80GB');
    assert.equal(whole.memoryBytes, 81920 * MiB);
    assert.equal(whole.capacity, 4);
    assert.equal(whole.allocated, 0);
    const small = res(v, 'nvidia.com/mig-1g.10gb');
    assert.deepEqual(
      {
        capacity: small.capacity,
        allocatable: small.allocatable,
        allocated: small.allocated,
        free: small.free,
        kind: small.kind,
        model: small.model,
      },
      { capacity: 14, allocatable: 14, allocated: 12, free: 2, kind: 'mig', model: 'NVIDIA-A100-SXM4-80GB' },
    );
    assert.deepEqual(small.mig, {
      profile: '1g.10gb',
      strategy: 'mixed',
      count: 14,
      product: 'NVIDIA-A100-SXM4-80GB-MIG-1g.10gb',
      memoryBytes: 9728 * MiB,
    });
    const big = res(v, 'nvidia.com/mig-3g.40gb');
    assert.equal(big.allocated, 3);
    assert.equal(big.free, 1);
    assert.equal(big.mig?.memoryBytes, 40192 * MiB);
  });

  it('time-sliced node: 16 shares of 4 physical GPUs side by side', () => {
    const n = timeSlicedNode();
    const pods = Array.from({ length: 12 }, (_, i) =>
      pod(`nb-${i}`, { nodeName: 'gpu-a100-shared-001', limits: { 'nvidia.com/gpu': '1' } }),
    );
    const v = nodeAccelerators(n, pods);
    const g = res(v, 'nvidia.com/gpu');
    assert.equal(g.model, 'NVIDIA-A100-SXM4-40GB', '-SHARED suffix stripped');
    assert.deepEqual(g.sharing, { strategy: 'time-slicing', replicas: 4, physical: 4, shares: 16 });
    assert.deepEqual({ allocatable: g.allocatable, allocated: g.allocated, free: g.free }, { allocatable: 16, allocated: 12, free: 4 });
    assert.deepEqual(v.physicalByVendor, { NVIDIA: 4 });
    assert.equal(g.memoryBytes, 40 * GiB);
  });

  it('time-slicing without gpu.count: physical = capacity / replicas', () => {
    const n = timeSlicedNode();
    delete n.metadata!.labels!['nvidia.com/gpu.count'];
    const g = res(nodeAccelerators(n, []), 'nvidia.com/gpu');
    assert.deepEqual(g.sharing, { strategy: 'time-slicing', replicas: 4, physical: 4, shares: 16 });
  });

  // A resource on a node that publishes it and nothing else: what the node's labels make of it (the
  // fields named in `want`).
  const alone: [name: string, resource: string, count: string, labels: Record<string, string>, want: Partial<NodeAcceleratorResource>][] = [
    [
      'renamed shares (nvidia.com/gpu.shared) and MPS',
      'nvidia.com/gpu.shared',
      '20',
      {
        'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3-SHARED',
        'nvidia.com/gpu.count': '2',
        'nvidia.com/gpu.replicas': '10',
        'nvidia.com/gpu.sharing-strategy': 'mps',
      },
      { kind: 'gpu-share', model: 'NVIDIA-H100-80GB-HBM3', sharing: { strategy: 'mps', replicas: 10, physical: 2, shares: 20 } },
    ],
    [
      'MIG single: profile read from the product label',
      'nvidia.com/gpu',
      '28',
      { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB-MIG-1g.10gb', 'nvidia.com/mig.strategy': 'single', 'nvidia.com/gpu.count': '28' },
      { mig: { strategy: 'single', profile: '1g.10gb', count: 28, product: 'NVIDIA-A100-SXM4-80GB-MIG-1g.10gb' } },
    ],
    [
      'GKE TPU model label',
      'google.com/tpu',
      '4',
      { 'cloud.google.com/gke-tpu-accelerator': 'tpu-v5-lite-podslice', 'cloud.google.com/gke-tpu-topology': '2x2' },
      { model: 'tpu-v5-lite-podslice', kind: 'tpu' },
    ],
    ['unknown vendor resource is reported as possible', 'xilinx.com/fpga', '2', {}, { known: false, vendor: 'xilinx.com' }],
  ];
  for (const [name, resource, count, labels, want] of alone) {
    it(name, () => {
      const g = publishedAlone(resource, count, labels);
      assert.deepEqual(Object.fromEntries(Object.keys(want).map((k) => [k, g[k as keyof NodeAcceleratorResource]])), want);
    });
  }

  it('AMD MI300X node: product name and 192G VRAM (GiB)', () => {
    const v = nodeAccelerators(amdNode(), [pod('rocm', { nodeName: 'gpu-mi300x-001', limits: { 'amd.com/gpu': '4' } })]);
    const g = res(v, 'amd.com/gpu');
    assert.deepEqual(
      { vendor: g.vendor, model: g.model, memoryBytes: g.memoryBytes, capacity: g.capacity, allocated: g.allocated, free: g.free },
      { vendor: 'AMD', model: 'AMD_Instinct_MI300X_OAM', memoryBytes: 192 * GiB, capacity: 8, allocated: 4, free: 4 },
    );
    assert.deepEqual(v.physicalByVendor, { AMD: 8 });
  });

  it('unhealthy = capacity - allocatable', () => {
    const g = res(nodeAccelerators(h100Node('h', '7'), []), 'nvidia.com/gpu');
    assert.equal(g.unhealthy, 1);
    assert.equal(g.allocatable, 7);
  });

  it('CPU node has no accelerators', () => {
    assert.deepEqual(nodeAccelerators(node('cpu'), []).resources, []);
  });

  it('hostile label values pass through untouched', () => {
    const product = '<script>alert("x")</script>\u202E\u200B';
    const n = h100Node('h');
    n.metadata!.labels!['nvidia.com/gpu.product'] = product;
    n.metadata!.labels!['nvidia.com/gpu.memory'] = '80GB; DROP TABLE';
    const g = res(nodeAccelerators(n, []), 'nvidia.com/gpu');
    assert.equal(g.model, product);
    assert.equal(g.memoryBytes, undefined);
  });

  it('never throws on junk', () => {
    assert.deepEqual(nodeAccelerators({} as Node, null as unknown as Pod[]), { node: '', physicalByVendor: {}, resources: [] });
  });
});

// ------------------------------------------------------------------ DRA

function claim(
  name: string,
  results: { pool: string; device: string; adminAccess?: boolean }[],
  reservedFor: string[] = [],
  allocated = true,
): ResourceClaim {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata: { name, namespace: 'ml-training' },
    status: allocated
      ? {
          allocation: { devices: { results: results.map((r) => ({ request: 'gpu', driver: 'gpu.nvidia.com', ...r })) } },
          reservedFor: reservedFor.map((p) => ({ resource: 'pods', name: p, uid: `uid-${p}` })),
        }
      : {},
  };
}

describe('draInventory', () => {
  const slices: ResourceSlice[] = [
    // node A: generation 1 superseded by generation 2 (the driver restarted and republished)
    draSlice('gpu-h200-dra-001', { generation: 1, devices: 8 }),
    draSlice('gpu-h200-dra-001', { generation: 2, devices: 8, name: 'a-gen2' }),
    // node B: a pool of 2 slices of which only one is seen yet
    draSlice('gpu-h200-dra-002', { count: 2, devices: 4, name: 'b-1' }),
    // a network-attached pool shared by many nodes
    {
      apiVersion: 'resource.k8s.io/v1',
      kind: 'ResourceSlice',
      metadata: { name: 'shared' },
      spec: {
        driver: 'gpu.nvidia.com',
        pool: { name: 'fabric', generation: 1, resourceSliceCount: 1 },
        allNodes: true,
        devices: [{ name: 'fabric-gpu-0' }],
      },
    },
    // garbage is skipped
    { spec: { driver: 'gpu.nvidia.com' } },
    {} as ResourceSlice,
  ];
  const claims: ResourceClaim[] = [
    claim('dra-inference-0-gpu', [{ pool: 'gpu-h200-dra-001', device: 'gpu-0' }], ['dra-inference-0']),
    claim(
      'shared-h200-pair',
      [
        { pool: 'gpu-h200-dra-001', device: 'gpu-1' },
        { pool: 'gpu-h200-dra-001', device: 'gpu-2' },
      ],
      ['dra-shared-a', 'dra-shared-b'],
    ),
    claim('reserved-for-benchmark', [{ pool: 'gpu-h200-dra-002', device: 'gpu-0' }]),
    claim('monitor', [{ pool: 'gpu-h200-dra-001', device: 'gpu-7', adminAccess: true }], ['dcgm']),
    claim('stale-result', [{ pool: 'gone-pool', device: 'gpu-9' }]),
    claim('unallocated', [], [], false),
  ];
  const inv = draInventory(slices, claims, [node('gpu-h200-dra-001'), node('gpu-h200-dra-002')]);

  it('uses only the highest generation per pool', () => {
    const a = inv.pools.find((p) => p.pool === 'gpu-h200-dra-001');
    assert.deepEqual(
      { generation: a?.generation, slicesSeen: a?.slicesSeen, staleSlices: a?.staleSlices, devices: a?.devices, complete: a?.complete },
      { generation: 2, slicesSeen: 1, staleSlices: 1, devices: 8, complete: true },
    );
  });
  it('reports the incomplete pool', () => {
    assert.deepEqual(
      inv.incompletePools.map((p) => ({ pool: p.pool, resourceSliceCount: p.resourceSliceCount, slicesSeen: p.slicesSeen })),
      [{ pool: 'gpu-h200-dra-002', resourceSliceCount: 2, slicesSeen: 1 }],
    );
  });
  it('separates shared (allNodes) pools from node-local ones', () => {
    assert.deepEqual(
      inv.sharedPools.map((p) => p.pool),
      ['fabric'],
    );
    const d = inv.devices.find((x) => x.name === 'fabric-gpu-0');
    assert.equal(d?.nodeLocal, false);
    assert.equal(d?.node, undefined);
  });
  it('devices carry attributes, product and memory', () => {
    const d = inv.devices.find((x) => x.pool === 'gpu-h200-dra-001' && x.name === 'gpu-3');
    assert.equal(d?.productName, 'NVIDIA H200');
    assert.equal(d?.memoryBytes, 141 * GiB);
    assert.deepEqual(d?.attributes, { type: 'gpu', productName: 'NVIDIA H200', index: 3, driverVersion: '570.86.15' });
    assert.equal(d?.node, 'gpu-h200-dra-001');
  });
  it('allocated vs in use (reservedFor), adminAccess not counted', () => {
    const a = (name: string) => inv.devices.find((x) => x.pool === 'gpu-h200-dra-001' && x.name === name);
    assert.deepEqual([a('gpu-0')?.allocated, a('gpu-0')?.inUse], [true, true]);
    assert.deepEqual(
      a('gpu-1')?.consumers.map((c) => c.name),
      ['dra-shared-a', 'dra-shared-b'],
    );
    assert.deepEqual(a('gpu-1')?.claims, [{ namespace: 'ml-training', name: 'shared-h200-pair' }]);
    assert.deepEqual([a('gpu-7')?.allocated, a('gpu-7')?.inUse], [false, false]);
    const b0 = inv.devices.find((x) => x.pool === 'gpu-h200-dra-002' && x.name === 'gpu-0');
    assert.deepEqual([b0?.allocated, b0?.inUse], [true, false]);
  });
  it('per node and totals', () => {
    /** a node's summary: all its devices are H200s */
    const h200 = (node: string, devices: number, allocated: number, inUse: number) => ({
      node,
      devices,
      allocated,
      inUse,
      byModel: { 'NVIDIA H200': devices },
    });
    assert.deepEqual(inv.nodes['gpu-h200-dra-001'], h200('gpu-h200-dra-001', 8, 3, 3));
    assert.deepEqual(inv.nodes['gpu-h200-dra-002'], h200('gpu-h200-dra-002', 4, 1, 0));
    assert.deepEqual(inv.totals, { devices: 13, allocated: 4, inUse: 3, claims: 6, allocatedClaims: 5, reservedClaims: 3 });
  });
  it('claims: allocation results that point at no current device are counted', () => {
    assert.equal(inv.claims.find((c) => c.name === 'stale-result')?.unknownDevices, 1);
    assert.equal(inv.claims.find((c) => c.name === 'unallocated')?.allocated, false);
  });
  it('slices naming a node we do not know are flagged', () => {
    const inv2 = draInventory([draSlice('ghost')], [], [node('other')]);
    assert.equal(inv2.pools[0]?.nodeMissing, true);
  });
  it('duplicate device names in a pool are reported once', () => {
    const inv3 = draInventory(
      [draSlice('n', { count: 2, devices: 2, name: 's1' }), draSlice('n', { count: 2, devices: 2, name: 's2' })],
      [],
    );
    assert.deepEqual(inv3.pools[0]?.duplicateDevices, ['gpu-0', 'gpu-1']);
    assert.equal(inv3.devices.length, 2);
  });
  it('never throws on junk', () => {
    const inv4 = draInventory(null as unknown as ResourceSlice[], [{ status: { reservedFor: 'x' as unknown as [] } } as ResourceClaim]);
    assert.equal(inv4.totals.devices, 0);
  });
});

describe('clusterAccelerators', () => {
  const nodes = [
    migNode(),
    timeSlicedNode(),
    amdNode(),
    h100Node('gpu-h100-001'),
    h100Node('gpu-h100-002', '7'),
    node('gpu-h200-dra-001'),
    node('node-001'),
  ];
  const pods: Pod[] = [
    pod('llm-0', { nodeName: 'gpu-h100-001', limits: { 'nvidia.com/gpu': '4' } }),
    pod('llm-1', { nodeName: 'gpu-h100-001', limits: { 'nvidia.com/gpu': '4' } }),
    pod('llm-2', { nodeName: 'gpu-h100-002', limits: { 'nvidia.com/gpu': '4' } }),
    pod('nb-0', { nodeName: 'gpu-a100-shared-001', limits: { 'nvidia.com/gpu': '1' } }),
    // queued demand
    pod('finetune-0', { requests: { cpu: '32' }, limits: { 'nvidia.com/gpu': '8' } }),
    pod('finetune-1', { requests: { cpu: '32' }, limits: { 'nvidia.com/gpu': '8' } }),
    // pending pod whose GPU request the scheduler already mapped to DRA: not device-plugin demand
    pod('dra-ext', {
      limits: { 'nvidia.com/gpu': '1' },
      extendedResourceClaimStatus: {
        resourceClaimName: 'dra-ext-gpu',
        requestMappings: [{ containerName: 'main', resourceName: 'nvidia.com/gpu', requestName: 'r' }],
      },
    }),
    pod('dra-claim-pending', { requests: { cpu: '8' }, resourceClaims: [{ name: 'gpu', resourceClaimName: 'x' }] }),
    // bound pod served by DRA: must not count against device-plugin GPUs on its node
    pod('dra-bound', {
      nodeName: 'gpu-h100-002',
      limits: { 'nvidia.com/gpu': '1' },
      extendedResourceClaimStatus: {
        resourceClaimName: 'c',
        requestMappings: [{ containerName: 'main', resourceName: 'nvidia.com/gpu', requestName: 'r' }],
      },
    }),
  ];
  const slices = [draSlice('gpu-h200-dra-001')];
  const claims = [claim('c0', [{ pool: 'gpu-h200-dra-001', device: 'gpu-0' }], ['dra-0'])];
  const r = clusterAccelerators({ nodes, pods, resourceSlices: slices, resourceClaims: claims });

  it('totals by source, vendor, model, resource', () => {
    const rows = r.totals.map((t) => [
      t.source,
      t.vendor,
      t.model,
      t.resource,
      t.nodes,
      t.capacity,
      t.allocatable,
      t.unhealthy,
      t.allocated,
      t.free,
    ]);
    assert.deepEqual(rows, [
      ['device-plugin', 'AMD', 'AMD_Instinct_MI300X_OAM', 'amd.com/gpu', 1, 8, 8, 0, 0, 8],
      ['device-plugin', 'NVIDIA', 'NVIDIA-A100-SXM4-40GB', 'nvidia.com/gpu', 1, 16, 16, 0, 1, 15],
      ['device-plugin', 'NVIDIA', 'NVIDIA-A100-SXM4-80GB', 'nvidia.com/gpu', 1, 4, 4, 0, 0, 4],
      ['device-plugin', 'NVIDIA', 'NVIDIA-A100-SXM4-80GB', 'nvidia.com/mig-1g.10gb', 1, 14, 14, 0, 0, 14],
      ['device-plugin', 'NVIDIA', 'NVIDIA-A100-SXM4-80GB', 'nvidia.com/mig-3g.40gb', 1, 4, 4, 0, 0, 4],
      ['device-plugin', 'NVIDIA', 'NVIDIA-H100-80GB-HBM3', 'nvidia.com/gpu', 2, 16, 15, 1, 12, 3],
      ['dra', 'NVIDIA', 'NVIDIA H200', 'gpu.nvidia.com', 1, 8, 8, 0, 1, 7],
    ]);
    assert.equal(r.totals.find((t) => t.model === 'NVIDIA-A100-SXM4-40GB')?.physical, 4);
    assert.equal(r.totals.find((t) => t.source === 'dra')?.inUse, 1);
  });
  it('physical devices per vendor', () => {
    // NVIDIA: MIG node 8 (gpu.count) + time-sliced 4 + H100 8 + 8 + DRA 8 = 36
    assert.deepEqual(r.vendors, { AMD: { nodes: 1, physical: 8 }, NVIDIA: { nodes: 5, physical: 36 } });
  });
  it('pending accelerator demand excludes DRA-served requests', () => {
    assert.deepEqual(r.pending, { pods: 2, requests: { 'nvidia.com/gpu': 16 } });
    assert.equal(r.pendingDraPods, 1);
  });
  it('dra summary', () => {
    assert.deepEqual(r.dra, {
      devices: 8,
      allocated: 1,
      inUse: 1,
      claims: 1,
      allocatedClaims: 1,
      reservedClaims: 1,
      incompletePools: 0,
      sharedPools: 0,
    });
  });
});
