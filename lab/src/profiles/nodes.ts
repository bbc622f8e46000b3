// Node roster of a profile: kwok-managed nodes whose labels, capacity and nodeInfo look like the
// real thing (NVIDIA GPU Feature Discovery, AMD labeller, MIG "mixed", time-slicing, DRA drivers).
import { createHash } from 'node:crypto';
import type { KObj } from '../kube.ts';

export type NodeKind = 'cpu' | 'a100' | 'h100' | 'mig' | 'timeslice' | 'mi300' | 'dra';

export interface LabNode {
  name: string;
  kind: NodeKind;
  zone: string;
  cordoned?: boolean;
  taints?: { key: string; value?: string; effect: string }[];
  kubeletVersion?: string;
}

const PATTERNS: Record<string, NodeKind[]> = {
  gpu: ['a100', 'h100', 'mig', 'timeslice', 'mi300', 'dra', 'cpu', 'a100', 'h100', 'cpu'],
  storage: ['cpu'],
  mixed: ['cpu', 'a100', 'cpu', 'h100', 'cpu', 'mig', 'cpu', 'timeslice', 'cpu', 'mi300', 'cpu', 'dra'],
  // A big CPU fleet with a sprinkling of GPU nodes, as large research clusters look.
  scale: [...Array<NodeKind>(18).fill('cpu'), 'a100', 'h100'],
};

const PREFIX: Record<NodeKind, string> = {
  cpu: 'node',
  a100: 'gpu-a100',
  h100: 'gpu-h100',
  mig: 'gpu-a100-mig',
  timeslice: 'gpu-a100-shared',
  mi300: 'gpu-mi300x',
  dra: 'gpu-h200-dra',
};

export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' };
export const AMD_TAINT = { key: 'amd.com/gpu', value: 'present', effect: 'NoSchedule' };

/** The taints a kind's nodes carry for its device plugin (CPU nodes: none). */
export function kindTaints(kind: NodeKind): LabNode['taints'] {
  if (kind === 'cpu') return undefined;
  return [kind === 'mi300' ? AMD_TAINT : GPU_TAINT];
}

export function roster(profile: string, n: number, kubeVersion: string): LabNode[] {
  const pattern = PATTERNS[profile] ?? PATTERNS.mixed!;
  const counters = new Map<NodeKind, number>();
  const width = n >= 1000 ? 4 : 3;
  const nodes: LabNode[] = [];
  for (let i = 0; i < n; i++) {
    const kind = pattern[i % pattern.length]!;
    const k = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, k);
    const node: LabNode = { name: `${PREFIX[kind]}-${String(k).padStart(width, '0')}`, kind, zone: `zone-${'abc'[i % 3]}` };
    const taints = kindTaints(kind);
    if (taints) node.taints = taints;
    nodes.push(node);
  }
  if (profile === 'mixed') {
    // The awkward nodes every real fleet has: cordoned, tainted for a team, and a kubelet too old
    // for the control plane (more than 3 minors behind: outside the supported skew).
    const cpu = nodes.filter((x) => x.kind === 'cpu');
    if (cpu[1]) cpu[1].cordoned = true;
    if (cpu[2]) cpu[2].taints = [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }];
    if (cpu[3]) {
      const minor = Number(kubeVersion.split('.')[1] ?? '37');
      cpu[3].kubeletVersion = `v1.${minor - 4}.7`;
    }
  }
  return nodes;
}

interface Shape {
  instanceType: string;
  cpu: string;
  memoryKi: number;
  extra: Record<string, string>;
  labels: Record<string, string>;
}

const GiKi = 1024 * 1024;

/** A machine: instance type, CPUs, memory (GiB), the device resources it publishes and its device stack's labels. */
function machine(
  instanceType: string,
  cpus: number,
  memoryGi: number,
  extra: Record<string, string> = {},
  labels: Record<string, string> = {},
): Shape {
  return { instanceType, cpu: String(cpus), memoryKi: memoryGi * GiKi, extra, labels };
}

function nvidiaLabels(product: string, memMB: number, count: number, family: string, major: number, minor: number): Record<string, string> {
  return {
    'nvidia.com/gpu.present': 'true',
    'nvidia.com/gpu.product': product,
    'nvidia.com/gpu.memory': String(memMB),
    'nvidia.com/gpu.count': String(count),
    'nvidia.com/gpu.family': family,
    'nvidia.com/gpu.compute.major': String(major),
    'nvidia.com/gpu.compute.minor': String(minor),
    'nvidia.com/gpu.machine': 'DGX-' + family.toUpperCase(),
    'nvidia.com/cuda.driver.major': '570',
    'nvidia.com/cuda.driver.minor': '86',
    'nvidia.com/cuda.driver.rev': '15',
    'nvidia.com/cuda.runtime.major': '12',
    'nvidia.com/cuda.runtime.minor': '8',
    'nvidia.com/gfd.timestamp': '1761955200',
    'nvidia.com/mig.capable': family === 'ampere' || family === 'hopper' ? 'true' : 'false',
    'nvidia.com/mig.strategy': 'none',
  };
}

/** GFD's labels of one MIG profile (e.g. 1g.10gb) under the "mixed" strategy; `slices` GPU and compute instances each. */
function migProfileLabels(
  gpu: string,
  profile: string,
  count: number,
  memMB: number,
  multiprocessors: number,
  slices: number,
): Record<string, string> {
  const p = `nvidia.com/mig-${profile}`;
  return {
    [`${p}.count`]: String(count),
    [`${p}.memory`]: String(memMB),
    [`${p}.multiprocessors`]: String(multiprocessors),
    [`${p}.product`]: `${gpu}-MIG-${profile}`,
    [`${p}.slices.gi`]: String(slices),
    [`${p}.slices.ci`]: String(slices),
  };
}

const A100_80 = 'NVIDIA-A100-SXM4-80GB';

/** MIG "mixed": 4 GPUs left whole, 2 cut into 7x 1g.10gb, 2 into 2x 3g.40gb. */
const MIG_MIXED_DEVICES = { 'nvidia.com/gpu': '4', 'nvidia.com/mig-1g.10gb': '14', 'nvidia.com/mig-3g.40gb': '4' };
const MIG_MIXED_LABELS = {
  ...nvidiaLabels(A100_80, 81920, 8, 'ampere', 8, 0),
  'nvidia.com/mig.strategy': 'mixed',
  'nvidia.com/mig.config': 'custom-mixed',
  ...migProfileLabels(A100_80, '1g.10gb', 14, 9728, 14, 1),
  ...migProfileLabels(A100_80, '3g.40gb', 4, 40192, 42, 3),
};

/** 4 physical A100 40GB, time-sliced 4 ways: allocatable nvidia.com/gpu = 16 shares. */
const TIME_SLICED_LABELS = {
  ...nvidiaLabels('NVIDIA-A100-SXM4-40GB-SHARED', 40960, 4, 'ampere', 8, 0),
  'nvidia.com/gpu.replicas': '4',
  'nvidia.com/gpu.sharing-strategy': 'time-slicing',
};

/** The AMD node labeller's labels of an MI300X node. */
const MI300X_LABELS = {
  'amd.com/gpu.product-name': 'AMD_Instinct_MI300X_OAM',
  'amd.com/gpu.vram': '192G',
  'amd.com/gpu.family': 'AI',
  'amd.com/gpu.device-id': '74a1',
  'amd.com/gpu.driver-version': '6.10.5',
  'beta.amd.com/gpu.family.AI': '8',
};

/** GPUs published through DRA (ResourceSlices of gpu.nvidia.com), not a device plugin: no device resource. */
const DRA_LABELS = { 'nvidia.com/gpu.present': 'true', 'nvidia.com/dra-driver.present': 'true', 'nvidia.com/gpu.product': 'NVIDIA-H200' };

const SHAPES: Record<NodeKind, Shape> = {
  cpu: machine('m6i.8xlarge', 32, 128),
  a100: machine('p4de.24xlarge', 96, 1152, { 'nvidia.com/gpu': '8' }, nvidiaLabels(A100_80, 81920, 8, 'ampere', 8, 0)),
  h100: machine('p5.48xlarge', 192, 2048, { 'nvidia.com/gpu': '8' }, nvidiaLabels('NVIDIA-H100-80GB-HBM3', 81559, 8, 'hopper', 9, 0)),
  mig: machine('p4de.24xlarge', 96, 1152, MIG_MIXED_DEVICES, MIG_MIXED_LABELS),
  timeslice: machine('p4d.24xlarge', 96, 1152, { 'nvidia.com/gpu': '16' }, TIME_SLICED_LABELS),
  mi300: machine('ND-MI300X-v5', 96, 1850, { 'amd.com/gpu': '8' }, MI300X_LABELS),
  dra: machine('p5e.48xlarge', 192, 2048, {}, DRA_LABELS),
};

function hex(seed: string, len: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, len);
}

export function nodeObject(n: LabNode, cluster: string, kubeVersion: string): KObj {
  const s = SHAPES[n.kind];
  const capacity: Record<string, string> = {
    cpu: s.cpu,
    memory: `${s.memoryKi}Ki`,
    pods: '110',
    'ephemeral-storage': `${500 * GiKi}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    ...s.extra,
  };
  // Kubelet reserves: system-reserved + kube-reserved + eviction threshold.
  const allocatable: Record<string, string> = {
    ...capacity,
    cpu: `${Number(s.cpu) * 1000 - 250}m`,
    memory: `${s.memoryKi - 2 * GiKi}Ki`,
    'ephemeral-storage': `${Math.floor(500 * GiKi * 0.9)}Ki`,
  };
  const spec: KObj = {};
  if (n.cordoned) spec.unschedulable = true;
  if (n.taints) spec.taints = n.taints;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': s.instanceType,
        'topology.kubernetes.io/region': 'lab-1',
        'topology.kubernetes.io/zone': n.zone,
        'node-role.kubernetes.io/worker': '',
        'lab.fleet/kind': n.kind,
        type: 'kwok',
        ...s.labels,
      },
      annotations: {
        'kwok.x-k8s.io/node': 'fake',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec,
    status: {
      capacity,
      allocatable,
      nodeInfo: {
        architecture: 'amd64',
        bootID: hex(`${cluster}/${n.name}/boot`, 32),
        machineID: hex(`${cluster}/${n.name}/machine`, 32),
        systemUUID: hex(`${cluster}/${n.name}/uuid`, 32),
        containerRuntimeVersion: 'containerd://2.1.4',
        kernelVersion: n.kind === 'cpu' ? '6.8.0-1031-aws' : n.kind === 'mi300' ? '6.8.0-1031-azure' : '6.8.0-1031-nvidia',
        kubeProxyVersion: '',
        kubeletVersion: n.kubeletVersion ?? kubeVersion,
        operatingSystem: 'linux',
        osImage: 'Ubuntu 24.04.3 LTS',
      },
    },
  };
}

/** ResourceSlice of the DRA driver gpu.nvidia.com for one node: 8 H200 devices. */
export function draSlice(n: LabNode): KObj {
  const devices = Array.from({ length: 8 }, (_, i) => ({
    name: `gpu-${i}`,
    attributes: {
      type: { string: 'gpu' },
      productName: { string: 'NVIDIA H200' },
      architecture: { string: 'Hopper' },
      brand: { string: 'Nvidia' },
      cudaComputeCapability: { version: '9.0.0' },
      driverVersion: { version: '570.86.15' },
      index: { int: i },
      uuid: { string: `GPU-${hex(`${n.name}/${i}`, 8)}-${hex(`${n.name}/${i}/b`, 4)}` },
    },
    capacity: { memory: { value: '141Gi' } },
  }));
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceSlice',
    metadata: { name: `${n.name}-gpu.nvidia.com` },
    spec: {
      driver: 'gpu.nvidia.com',
      pool: { name: n.name, generation: 1, resourceSliceCount: 1 },
      nodeName: n.name,
      devices,
    },
  };
}
