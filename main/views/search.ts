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

/** Not searched: events name the objects they are about (a search for a pod would list its events too). */
const NOT_SEARCHED = new Set(['events']);

export function searchHits(ctx: ViewContext, q: string, limit: number): SearchHit[] {
  const text = q.trim();
  if (!text) return [];
  const contexts = new Map(ctx.store.clusters().map((c) => [c.id, c.context]));
  // k=v: what carries that label; anything else: names that contain it
  const label = /^([^=\s]+)=(.*)$/.exec(text) as [string, string, string] | null;
  const kinds = [...new Set([...SEARCH_KINDS, ...ctx.store.syncedKinds().filter((k) => !NOT_SEARCHED.has(k))])];
  const hits = label ? ctx.store.searchByLabel(kinds, label[1], label[2], limit) : ctx.store.searchByName(kinds, text, limit);
  const match = label ? `${label[1]}=${label[2]}` : 'name';
  return hits.map((h) => ({ ...h, clusterContext: contexts.get(h.cluster) ?? h.cluster, match }));
}
