// Search across every cluster: nodes, pods, workloads, volumes and services by name, or by label k=v.
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

export function searchHits(ctx: ViewContext, q: string, limit: number): SearchHit[] {
  const text = q.trim();
  if (!text) return [];
  const contexts = new Map(ctx.store.clusters().map((c) => [c.id, c.context]));
  // k=v: what carries that label; anything else: names that contain it
  const label = /^([^=\s]+)=(.*)$/.exec(text) as [string, string, string] | null;
  const hits = label ? ctx.store.searchByLabel(SEARCH_KINDS, label[1], label[2], limit) : ctx.store.searchByName(SEARCH_KINDS, text, limit);
  const match = label ? `${label[1]}=${label[2]}` : 'name';
  return hits.map((h) => ({ ...h, clusterContext: contexts.get(h.cluster) ?? h.cluster, match }));
}
