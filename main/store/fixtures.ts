// Test fixtures: Kubernetes objects as a watch hands them to the store (a node, a pod: uid-<name>,
// uid-<namespace>-<name>) and the cluster row a shell writes. The store's tests use them, and the
// layers above build their small caches from them (views/service.test.ts, snapshot/fixtures.ts).
import type { ClusterRow, KObj, WriteOp } from './store.ts';

export const T0 = Date.parse('2026-11-20T10:00:00Z');
const CREATED = '2026-11-01T00:00:00Z';

/** A cluster row as written when its connection is up at `at` (`row`: what differs). */
export function cluster(id: string, context: string, at: number, row: Partial<ClusterRow> = {}): WriteOp {
  return {
    op: 'cluster',
    row: {
      id,
      context,
      file: '/home/u/.kube/config',
      source: 'file',
      server: 'https://1.2.3.4',
      authKind: 'token',
      status: 'live',
      message: null,
      serverVersion: 'v1.37.1',
      lastContact: at,
      at,
      ...row,
    },
  };
}

/**
 * A node of 8 cores, 32 GiB and 110 pods: ready (heartbeat at T0) unless `o` says otherwise; `gpus`:
 * that many NVIDIA accelerators of that product.
 */
export function node(
  name: string,
  rv = '1',
  o: { ready?: boolean; heartbeat?: string; gpus?: { count: number; product: string } } = {},
): KObj {
  const resources = () => ({ cpu: '8', memory: '32Gi', pods: '110', ...(o.gpus && { 'nvidia.com/gpu': String(o.gpus.count) }) });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: rv,
      creationTimestamp: CREATED,
      ...(o.gpus && { labels: { 'nvidia.com/gpu.product': o.gpus.product } }),
    },
    status: {
      capacity: resources(),
      allocatable: resources(),
      conditions: [
        {
          type: 'Ready',
          status: o.ready === false ? 'False' : 'True',
          lastHeartbeatTime: o.heartbeat ?? '2026-11-20T10:00:00Z',
          lastTransitionTime: CREATED,
        },
      ],
    },
  };
}

/**
 * A pod of one container (c) requesting `cpu` (default 500m), 1Gi and `requests` (accelerators), of
 * the workload its name's first word names (label app), running on `node` (none: Pending).
 */
export function pod(
  ns: string,
  name: string,
  rv = '1',
  node?: string,
  o: { image?: string; created?: string; cpu?: string; requests?: Record<string, string> } = {},
): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: ns,
      name,
      uid: `uid-${ns}-${name}`,
      resourceVersion: rv,
      creationTimestamp: o.created ?? CREATED,
      labels: { app: name.split('-')[0]! },
    },
    spec: {
      ...(node !== undefined && { nodeName: node }),
      containers: [
        { name: 'c', image: o.image ?? 'app:1', resources: { requests: { cpu: o.cpu ?? '500m', memory: '1Gi', ...o.requests } } },
      ],
    },
    status: { phase: node === undefined ? 'Pending' : 'Running' },
  };
}
