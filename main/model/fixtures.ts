// Test fixtures shaped like the lab's seeded objects (lab/src/profiles/nodes.ts, gpu.ts, storage.ts)
// and like what the API server returns; the GPU nodes are built from the lab's own node shapes. Test
// support: only *.test.ts import it, and like them it may use lab/ (eslint.config.js).
import { kindTaints, nodeObject, type NodeKind } from '../../lab/src/profiles/nodes.ts';
import type { Container, Node, Pod, ResourceSlice } from './types.ts';

export const NOW = Date.parse('2026-10-01T12:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  allocCpu?: string;
  allocMemory?: string;
  extra?: Record<string, string>;
  allocExtra?: Record<string, string>;
  labels?: Record<string, string>;
  ready?: 'True' | 'False' | 'Unknown' | null;
  readyReason?: string;
  readyMessage?: string;
  heartbeat?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  unschedulable?: boolean;
  taints?: { key: string; value?: string; effect: string }[];
  kubeletVersion?: string;
}

/** A kwok node like the lab's: cpu "96", allocatable cpu "95750m", memory in Ki. */
export function node(name: string, o: NodeOpts = {}): Node {
  const capacity: Record<string, string> = {
    cpu: o.cpu ?? '32',
    memory: o.memory ?? '134217728Ki',
    pods: '110',
    'ephemeral-storage': '524288000Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    ...(o.extra ?? {}),
  };
  const allocatable: Record<string, string> = {
    ...capacity,
    cpu: o.allocCpu ?? '31750m',
    memory: o.allocMemory ?? '132120576Ki',
    'ephemeral-storage': '471859200Ki',
    ...(o.allocExtra ?? {}),
  };
  const conditions: NonNullable<NonNullable<Node['status']>['conditions']> = [];
  const hb = iso(o.heartbeat ?? NOW - 60_000);
  for (const t of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) {
    conditions.push({ type: t, status: 'False', reason: `KubeletHasNo${t}`, lastHeartbeatTime: hb, lastTransitionTime: hb });
  }
  if (o.ready !== null) {
    conditions.push({
      type: 'Ready',
      status: o.ready ?? 'True',
      reason: o.readyReason ?? 'KubeletReady',
      message: o.readyMessage ?? 'kubelet is posting ready status',
      lastHeartbeatTime: hb,
      lastTransitionTime: hb,
    });
  }
  for (const c of o.conditions ?? []) {
    const i = conditions.findIndex((x) => x.type === c.type);
    const full = { ...c, lastHeartbeatTime: hb, lastTransitionTime: hb };
    if (i >= 0) conditions[i] = full;
    else conditions.push(full);
  }
  const spec: NonNullable<Node['spec']> = {};
  if (o.unschedulable) spec.unschedulable = true;
  if (o.taints) spec.taints = o.taints;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec,
    status: { capacity, allocatable, conditions, nodeInfo: { kubeletVersion: o.kubeletVersion ?? 'v1.37.1' } },
  };
}

export interface PodOpts {
  namespace?: string;
  nodeName?: string;
  phase?: string;
  requests?: Record<string, string>;
  limits?: Record<string, string>;
  containers?: Container[];
  initContainers?: Container[];
  deleting?: boolean;
  ready?: boolean;
  owner?: { kind: string; name: string };
  resourceClaims?: { name: string; resourceClaimName?: string }[];
  extendedResourceClaimStatus?: NonNullable<Pod['status']>['extendedResourceClaimStatus'];
  podResources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  overhead?: Record<string, string>;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const containers: Container[] = o.containers ?? [
    {
      name: 'main',
      image: 'registry.lab.local/app:1.0.0',
      resources: { ...(o.requests ? { requests: o.requests } : {}), ...(o.limits ? { limits: o.limits } : {}) },
    },
  ];
  const phase = o.phase ?? (o.nodeName ? 'Running' : 'Pending');
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      ...(o.deleting ? { deletionTimestamp: iso(NOW - 5000) } : {}),
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: o.owner.kind, name: o.owner.name, controller: true }] } : {}),
    },
    spec: { containers, ...(o.initContainers ? { initContainers: o.initContainers } : {}) },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: (o.ready ?? phase === 'Running') ? 'True' : 'False' }],
    },
  };
  if (o.nodeName) p.spec!.nodeName = o.nodeName;
  if (o.resourceClaims) p.spec!.resourceClaims = o.resourceClaims;
  if (o.podResources) p.spec!.resources = o.podResources;
  if (o.overhead) p.spec!.overhead = o.overhead;
  if (o.extendedResourceClaimStatus) p.status!.extendedResourceClaimStatus = o.extendedResourceClaimStatus;
  return p;
}

export function container(
  name: string,
  requests?: Record<string, string>,
  limits?: Record<string, string>,
  restartPolicy?: string,
): Container {
  const c: Container = { name, resources: {} };
  if (requests) c.resources!.requests = requests;
  if (limits) c.resources!.limits = limits;
  if (restartPolicy) c.restartPolicy = restartPolicy;
  return c;
}

/**
 * node() with what the lab gives a node of this kind (lab/src/profiles/nodes.ts): its capacity,
 * allocatable, labels (GPU Feature Discovery, the AMD labeller) and device-plugin taint.
 */
function labNode(kind: NodeKind, name: string): Node {
  const { metadata, status } = nodeObject({ name, kind, zone: 'zone-a' }, 'model-test', 'v1.37.1');
  return node(name, { extra: status.capacity, allocExtra: status.allocatable, labels: metadata.labels, taints: kindTaints(kind) });
}

/** The lab's A100 MIG "mixed" node: 4 whole GPUs, 2 cut 7× 1g.10gb, 2 cut 2× 3g.40gb. */
export function migNode(name = 'gpu-a100-mig-001'): Node {
  return labNode('mig', name);
}

/** The lab's time-sliced node: 4 physical A100 40GB × 4 replicas = 16 nvidia.com/gpu. */
export function timeSlicedNode(name = 'gpu-a100-shared-001'): Node {
  return labNode('timeslice', name);
}

/** The lab's AMD MI300X node. */
export function amdNode(name = 'gpu-mi300x-001'): Node {
  return labNode('mi300', name);
}

/** The lab's whole-GPU H100 node (8 GPUs), optionally with unhealthy devices (allocatable < capacity). */
export function h100Node(name = 'gpu-h100-001', allocatableGpus = '8'): Node {
  const n = labNode('h100', name);
  n.status!.allocatable!['nvidia.com/gpu'] = allocatableGpus;
  return n;
}

/** A DRA ResourceSlice of gpu.nvidia.com like the lab's draSlice(). */
export function draSlice(
  nodeName: string,
  o: { pool?: string; generation?: number; count?: number; devices?: number; first?: number; name?: string } = {},
): ResourceSlice {
  const n = o.devices ?? 8;
  const first = o.first ?? 0;
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceSlice',
    metadata: { name: o.name ?? `${nodeName}-gpu.nvidia.com` },
    spec: {
      driver: 'gpu.nvidia.com',
      pool: { name: o.pool ?? nodeName, generation: o.generation ?? 1, resourceSliceCount: o.count ?? 1 },
      nodeName,
      devices: Array.from({ length: n }, (_, i) => ({
        name: `gpu-${first + i}`,
        attributes: {
          type: { string: 'gpu' },
          productName: { string: 'NVIDIA H200' },
          index: { int: first + i },
          driverVersion: { version: '570.86.15' },
        },
        capacity: { memory: { value: '141Gi' } },
      })),
    },
  };
}
