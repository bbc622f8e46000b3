// Cluster and node summaries: what the fleet map and `fleet summary` print per cluster.
//
// nodeSummaries() has the exact shape the CLI prints inside
// {clusters: [{id, context, status, nodes: [{name, ready, resources}]}]}: `ready` is a boolean
// (Ready condition True) and resources are keyed by the Kubernetes resource name with
// {capacity, allocatable, requested, free} in console units (cpu millicores, bytes, counts).
import { clusterAccelerators, draInventory, type ClusterAccelerators, type DraInventory } from './accelerators.ts';
import { nodeCapacity, pendingDemand, podsByNode, type NodeResource, type PendingDemand } from './capacity.ts';
import { nodeHealth, type HealthLevel, type NodeHealth } from './health.ts';
import { storageHealth, type StorageHealth, type StorageHealthInput } from './storage.ts';
import type { Event, Node, ObjectLists, Pod } from './types.ts';
import { arr, isCordoned, nameOf, num } from './util.ts';
import type { ClusterTile, ResourceRow } from '../../common/contract.ts';

export interface ClusterInput extends StorageHealthInput, ObjectLists<'nodes' | 'pods' | 'events' | 'resourceSlices' | 'resourceClaims'> {
  /** kube-apiserver gitVersion, for kubelet version skew */
  serverVersion?: string;
  /** epoch ms */
  now: number;
  staleAfterMs?: number;
}

/** A node's (or cluster's) figures for one resource: the contract's ResourceRow. */
export type NodeSummaryResource = ResourceRow;

export interface NodeSummary {
  name: string;
  /** Ready condition is True */
  ready: boolean;
  health: NodeHealth;
  resources: Record<string, NodeSummaryResource>;
}

export interface ClusterSummary {
  /** the fleet tile's node counts (total, ready, cordoned, byLevel), and: */
  nodes: ClusterTile['nodes'] & {
    /** Ready False or Unknown (or missing) */
    notReady: number;
    stale: number;
  };
  /** totals over nodes per resource (cpu, memory, pods and every extended resource) */
  resources: Record<string, NodeResource>;
  /** unbound Pending pods: queued demand, not on any node */
  pending: PendingDemand;
  pods: { total: number; byPhase: Record<string, number> };
  /** Warning events, counted by occurrences (series.count, count) */
  warningEvents: number;
  storage: { problems: number; critical: number; warning: number; info: number };
  accelerators: Omit<ClusterAccelerators, 'nodes'>;
}

export interface ClusterView {
  summary: ClusterSummary;
  nodes: NodeSummary[];
  /** the details the summary counts, for views that show them (computed once, here) */
  storage: StorageHealth;
  dra: DraInventory;
  accelerators: ClusterAccelerators;
}

/** How many times a (possibly aggregated) event happened: series.count, else count, else 1. */
export function eventOccurrences(e: Event): number {
  const series = num(e?.series?.count);
  if (series !== undefined && series > 0) return series;
  const count = num(e?.count) ?? num(e?.deprecatedCount);
  return count !== undefined && count > 0 ? count : 1;
}

type HealthOpts = Pick<ClusterInput, 'now' | 'serverVersion' | 'staleAfterMs'>;

function nodeRow(node: Node, podsOnNode: readonly Pod[], opts: HealthOpts): { row: NodeSummary; capacity: Record<string, NodeResource> } {
  const name = nameOf(node);
  const healthOpts: { now: number; serverVersion?: string; staleAfterMs?: number } = { now: opts.now };
  if (opts.serverVersion !== undefined) healthOpts.serverVersion = opts.serverVersion;
  if (opts.staleAfterMs !== undefined) healthOpts.staleAfterMs = opts.staleAfterMs;
  const health = nodeHealth(node, healthOpts);
  const capacity = nodeCapacity(node, podsOnNode);
  const resources = Object.fromEntries(
    Object.entries(capacity).map(([r, v]) => [
      r,
      { capacity: v.capacity, allocatable: v.allocatable, requested: v.requested, free: v.free },
    ]),
  );
  return { row: { name, ready: health.ready === 'True', health, resources }, capacity };
}

/** Computes the cluster summary and the node rows in one pass over the data. */
export function clusterView(input: ClusterInput): ClusterView {
  const nodes = arr(input?.nodes);
  const pods = arr(input?.pods);
  const byNode = podsByNode(pods);
  const now = input?.now;

  const rows: NodeSummary[] = [];
  const totals = new Map<string, NodeResource>();
  const byLevel: Record<HealthLevel, number> = { ok: 0, warning: 0, critical: 0, unknown: 0 };
  let ready = 0;
  let cordoned = 0;
  let stale = 0;
  for (const node of nodes) {
    const { row, capacity } = nodeRow(node, byNode.get(nameOf(node)) ?? [], input);
    const health = row.health;
    for (const [r, v] of Object.entries(capacity)) {
      const t = totals.get(r) ?? { capacity: 0, allocatable: 0, requested: 0, limits: 0, free: 0, schedulableFree: 0 };
      t.capacity += v.capacity;
      t.allocatable += v.allocatable;
      t.requested += v.requested;
      t.limits += v.limits;
      t.free += v.free;
      t.schedulableFree += v.schedulableFree;
      totals.set(r, t);
    }
    if (row.ready) ready++;
    if (isCordoned(node)) cordoned++;
    if (health.stale) stale++;
    byLevel[health.level]++;
    rows.push(row);
  }

  const byPhase = new Map<string, number>();
  for (const p of pods) {
    const phase = typeof p?.status?.phase === 'string' && p.status.phase ? p.status.phase : 'Unknown';
    byPhase.set(phase, (byPhase.get(phase) ?? 0) + 1);
  }

  let warningEvents = 0;
  for (const e of arr(input?.events)) if (e?.type === 'Warning') warningEvents += eventOccurrences(e);

  const storage = storageHealth(input, now);
  const dra = draInventory(input?.resourceSlices ?? [], input?.resourceClaims ?? [], nodes);
  const accelerators = clusterAccelerators({ nodes, pods, dra });
  const { totals: accTotals, vendors, pending, pendingDraPods, dra: draTotals } = accelerators;

  const sortedTotals = [...totals.keys()].sort().map((k) => [k, totals.get(k) as NodeResource] as const);
  return {
    summary: {
      nodes: { total: nodes.length, ready, notReady: nodes.length - ready, cordoned, stale, byLevel },
      resources: Object.fromEntries(sortedTotals),
      pending: pendingDemand(pods),
      pods: { total: pods.length, byPhase: Object.fromEntries(byPhase) },
      warningEvents,
      storage: {
        problems: storage.counts.total,
        critical: storage.counts.critical,
        warning: storage.counts.warning,
        info: storage.counts.info,
      },
      accelerators: { totals: accTotals, vendors, pending, pendingDraPods, dra: draTotals },
    },
    nodes: rows,
    storage,
    dra,
    accelerators,
  };
}

/** Per-cluster figures: nodes, resources, queued demand, warnings, storage problems, accelerators. */
export function clusterSummary(input: ClusterInput): ClusterSummary {
  return clusterView(input).summary;
}

/** Per-node rows: {name, ready (boolean), health, resources keyed by Kubernetes resource name}. */
export function nodeSummaries(input: Pick<ClusterInput, 'nodes' | 'pods' | 'now' | 'serverVersion' | 'staleAfterMs'>): NodeSummary[] {
  const byNode = podsByNode(arr(input?.pods));
  return arr(input?.nodes).map((node) => nodeRow(node, byNode.get(nameOf(node)) ?? [], input).row);
}
