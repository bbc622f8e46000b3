// Per-node capacity, allocatable, requested and free, the way `kubectl describe node` shows
// "Allocated resources" (kubectl/pkg/describe/describe.go describeNodeResource): pods selected by
// spec.nodeName=<node>,status.phase!=Succeeded,status.phase!=Failed, summed with PodRequests /
// PodLimits (requests.ts).
//
// WHY terminating pods count: a pod with a deletionTimestamp still runs until its containers stop,
// and the scheduler (NodeInfo) keeps its requests, and for device-plugin resources (GPUs) the kubelet
// keeps the devices assigned until the containers are gone. Succeeded/Failed pods release everything.
//
// WHY free may be negative: allocatable can shrink under running pods (a kubelet restart with new
// reservations, a GPU turning unhealthy), and pods bound with spec.nodeName bypass the scheduler.
import { podDevicePluginRequests, podLimits } from './requests.ts';
import { resourceValue } from './quantity.ts';
import type { Node, Pod } from './types.ts';
import { addTo, entries, isCordoned, isTerminalPod, isUnboundPending, nameOf, nodeReadyStatus, str } from './util.ts';

export interface NodeResource {
  /** status.capacity (0 when the node does not report the resource) */
  capacity: number;
  /** status.allocatable: capacity minus kubelet reservations and unhealthy devices */
  allocatable: number;
  /** sum of effective pod requests of non-terminal pods bound to the node */
  requested: number;
  /** sum of effective pod limits (0 where no pod sets one) */
  limits: number;
  /** allocatable - requested; negative when overcommitted */
  free: number;
  /** free, but 0 on cordoned or not-Ready nodes, and never below 0: what new pods could still get */
  schedulableFree: number;
}

/** A node takes new pods only when it is Ready and not cordoned (the "schedulable free" rule). */
export function isSchedulable(node: Node): boolean {
  return !isCordoned(node) && nodeReadyStatus(node) === 'True';
}

/** Pods that occupy the node (kubectl describe node's field selector). */
export function podsOccupying(nodeName: string, pods: readonly Pod[]): Pod[] {
  const out: Pod[] = [];
  if (!nodeName) return out;
  for (const p of Array.isArray(pods) ? pods : []) {
    if (str(p?.spec?.nodeName) === nodeName && !isTerminalPod(p)) out.push(p);
  }
  return out;
}

/** A resource list (status.capacity, status.allocatable) as numbers per resource (cpu in millicores, bytes, counts). */
export function resourceListValues(list: unknown): Map<string, number> {
  const m = new Map<string, number>();
  for (const [name, q] of entries(list as Record<string, unknown>)) {
    const v = resourceValue(name, q);
    // An unparsable quantity is reported as absent rather than poisoning every total with NaN.
    if (!Number.isNaN(v)) m.set(name, v);
  }
  return m;
}

/**
 * Capacity per resource for one node. Every resource in capacity or allocatable appears, plus any
 * resource that is only requested (e.g. a GPU request on a node whose device plugin is gone).
 * "pods": requested is the number of occupying pods (limits stays 0: pods have no limit).
 *
 * Extended resources that the scheduler served through DRA (pod.status.extendedResourceClaimStatus)
 * are not counted here: they consume ResourceSlice devices, not node allocatable (see accelerators.ts).
 */
export function nodeCapacity(node: Node, podsOnNode: readonly Pod[]): Record<string, NodeResource> {
  const capacity = resourceListValues(node?.status?.capacity);
  const allocatable = resourceListValues(node?.status?.allocatable);
  const pods = podsOccupying(nameOf(node), podsOnNode);
  const requested = new Map<string, number>();
  const limits = new Map<string, number>();
  for (const p of pods) {
    for (const [k, v] of Object.entries(podDevicePluginRequests(p))) addTo(requested, k, v);
    for (const [k, v] of Object.entries(podLimits(p))) addTo(limits, k, v);
  }
  requested.set('pods', pods.length);
  limits.delete('pods');

  const schedulable = isSchedulable(node);
  const names = new Set<string>([...capacity.keys(), ...allocatable.keys(), ...requested.keys()]);
  const out = new Map<string, NodeResource>();
  for (const name of [...names].sort()) {
    const alloc = allocatable.get(name) ?? 0;
    const req = requested.get(name) ?? 0;
    const free = alloc - req;
    out.set(name, {
      capacity: capacity.get(name) ?? 0,
      allocatable: alloc,
      requested: req,
      limits: limits.get(name) ?? 0,
      free,
      schedulableFree: schedulable ? Math.max(0, free) : 0,
    });
  }
  return Object.fromEntries(out);
}

/** Per-resource schedulable free of one node (0 for cordoned / not-Ready nodes). */
export function schedulableFree(node: Node, podsOnNode: readonly Pod[]): Record<string, number> {
  return Object.fromEntries(Object.entries(nodeCapacity(node, podsOnNode)).map(([k, v]) => [k, v.schedulableFree]));
}

export interface PendingDemand {
  /** number of unbound Pending pods */
  pods: number;
  /** their effective requests summed per resource (cpu millicores, bytes, counts) */
  requests: Record<string, number>;
  /** how many of those pods request each resource */
  podsPerResource: Record<string, number>;
}

/**
 * Queued demand: pods the scheduler has not placed yet (phase Pending, no spec.nodeName). Shown
 * apart from node figures because it is not on any node; it says what the cluster is short of.
 */
export function pendingDemand(pods: readonly Pod[]): PendingDemand {
  const requests = new Map<string, number>();
  const perResource = new Map<string, number>();
  let count = 0;
  for (const p of Array.isArray(pods) ? pods : []) {
    if (!isUnboundPending(p)) continue;
    count++;
    for (const [k, v] of Object.entries(podDevicePluginRequests(p))) {
      addTo(requests, k, v);
      addTo(perResource, k, 1);
    }
  }
  return { pods: count, requests: Object.fromEntries(requests), podsPerResource: Object.fromEntries(perResource) };
}

/** Groups pods by spec.nodeName once, so per-node work is O(pods) overall rather than O(nodes × pods). */
export function podsByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const m = new Map<string, Pod[]>();
  for (const p of Array.isArray(pods) ? pods : []) {
    const n = str(p?.spec?.nodeName);
    if (!n) continue;
    let list = m.get(n);
    if (!list) m.set(n, (list = []));
    list.push(p);
  }
  return m;
}
