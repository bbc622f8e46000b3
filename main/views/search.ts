// Search across every cluster by name, or by label k=v: nodes, pods, workloads, volumes and services, and
// every other kind the cache holds (Ingresses, HPAs, RBAC objects, CRDs watched on demand...), but events.
import type { ViewContext } from './context.ts';
import type { SearchHit } from '../../common/contract.ts';

const SEARCH_KINDS = [
  'nodes',
  'pods',
  'apps/deployments',
  'apps/statefulsets',
  'apps/daemonsets',
  'batch/jobs',
  'persistentvolumeclaims',
  'persistentvolumes',
  'services',
];

/**
 * Not searched: events name the objects they are about (a search for a pod would list its events too),
 * and node Leases and CSINodes are named after their nodes (the node is what a node's name finds).
 */
const NOT_SEARCHED = new Set(['events', 'events.k8s.io/events', 'coordination.k8s.io/leases', 'storage.k8s.io/csinodes']);

/** The order hits of the same name come in: the console's main kinds first (a node's name opens the node), then the rest. */
const RANK = new Map(SEARCH_KINDS.map((k, i) => [k, i]));

export function searchHits(ctx: ViewContext, q: string, limit: number): SearchHit[] {
  const text = q.trim();
  if (!text) return [];
  const contexts = new Map(ctx.store.clusters().map((c) => [c.id, c.context]));
  // k=v: what carries that label; anything else: names that contain it
  const label = /^([^=\s]+)=(.*)$/.exec(text) as [string, string, string] | null;
  const others = ctx.store.syncedKinds().filter((k) => !RANK.has(k) && !NOT_SEARCHED.has(k));
  const find = (kinds: string[]) =>
    !kinds.length ? [] : label ? ctx.store.searchByLabel(kinds, label[1], label[2], limit) : ctx.store.searchByName(kinds, text, limit);
  // The main kinds and the others each up to the limit, then in one order: exact names first, the main
  // kinds before the others, shorter names first.
  const rank = (k: string) => RANK.get(k) ?? SEARCH_KINDS.length;
  const hits = [...find(SEARCH_KINDS), ...find(others)]
    .map((h, i) => ({ h, i }))
    .sort(
      (a, b) =>
        Number(b.h.name === text) - Number(a.h.name === text) ||
        rank(a.h.kind) - rank(b.h.kind) ||
        (label ? a.i - b.i : a.h.name.length - b.h.name.length || (a.h.name < b.h.name ? -1 : a.h.name > b.h.name ? 1 : 0)),
    )
    .slice(0, limit)
    .map((x) => x.h);
  const match = label ? `${label[1]}=${label[2]}` : 'name';
  return hits.map((h) => ({ ...h, clusterContext: contexts.get(h.cluster) ?? h.cluster, match }));
}
