// Choosing where a fleet-wide action runs, pure: the fleet table's filter and its selection (select all
// matching the filter), search hits grouped by the object they are (the same kind, namespace and name
// in several clusters), and which clusters an object was found in. No DOM.
import type { ActionTarget, ClusterTile, SearchHit } from '../../../common/contract.ts';

/** Whether a cluster matches the table's filter: every word of it in the context, status, version or server (case-insensitive). */
export function clusterMatches(c: Pick<ClusterTile, 'context' | 'status' | 'serverVersion' | 'server'>, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = `${c.context}\n${c.status}\n${c.serverVersion ?? ''}\n${c.server}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** The selection with one id added or removed (kept in the order given by `order`). */
export function toggled(selected: readonly string[], id: string, on: boolean, order: readonly string[]): string[] {
  const set = new Set(selected);
  if (on) set.add(id);
  else set.delete(id);
  const known = order.filter((x) => set.has(x));
  // ids not in the order (a cluster gone from the fleet) are dropped
  return known;
}

/** "Select all matching": the selection with every matching id added (or, when all of them are in, removed). */
export function toggleAll(selected: readonly string[], matching: readonly string[], order: readonly string[]): string[] {
  const set = new Set(selected);
  const all = matching.length > 0 && matching.every((id) => set.has(id));
  for (const id of matching) {
    if (all) set.delete(id);
    else set.add(id);
  }
  return order.filter((x) => set.has(x));
}

/** The header checkbox: all matching selected, some, or none. */
export function allState(selected: readonly string[], matching: readonly string[]): 'all' | 'some' | 'none' {
  const set = new Set(selected);
  const n = matching.filter((id) => set.has(id)).length;
  if (n === 0) return 'none';
  return n === matching.length ? 'all' : 'some';
}

/** A hit's key in a selection. */
export const hitKey = (h: Pick<SearchHit, 'cluster' | 'kind' | 'uid'>): string => `${h.cluster}|${h.kind}|${h.uid}`;

/** The object a hit is, whatever the cluster. */
export const targetKey = (h: Pick<SearchHit, 'kind' | 'namespace' | 'name'>): string => `${h.kind}|${h.namespace}|${h.name}`;

export interface HitGroup {
  key: string;
  target: ActionTarget;
  hits: SearchHit[];
}

/** Hits grouped by the object they are (the same kind, namespace and name), in the order first seen; a cluster once per group. */
export function groupHits(hits: readonly SearchHit[]): HitGroup[] {
  const groups = new Map<string, HitGroup>();
  for (const h of hits) {
    const k = targetKey(h);
    let g = groups.get(k);
    if (!g) {
      g = { key: k, target: { kind: h.kind, namespace: h.namespace, name: h.name }, hits: [] };
      groups.set(k, g);
    }
    if (!g.hits.some((x) => x.cluster === h.cluster)) g.hits.push(h);
  }
  return [...groups.values()];
}

/** What a located object is in one cluster: there, not there, there but deleted (last known state), or unknown (the error). */
export type Presence =
  { state: 'looking' } | { state: 'present' } | { state: 'absent' } | { state: 'deleted' } | { state: 'error'; error: string };

/** From object.get's answer or error: 'not-found' is absence, anything else a failure to say. */
export function presenceOf(r: { deleted: boolean } | null, error?: { code?: string; message: string } | null): Presence {
  if (error) return error.code === 'not-found' ? { state: 'absent' } : { state: 'error', error: error.message };
  if (!r) return { state: 'looking' };
  return r.deleted ? { state: 'deleted' } : { state: 'present' };
}

/** How a presence reads in the cluster list. */
export function presenceText(p: Presence): string {
  switch (p.state) {
    case 'looking':
      return 'looking…';
    case 'present':
      return 'in the cache';
    case 'absent':
      return 'not in this cluster';
    case 'deleted':
      return 'deleted (only its last known state is cached)';
    case 'error':
      return p.error;
  }
}

/** Run `fn` over items with at most `limit` at a time (object.get on every cluster of a large fleet). */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const x = items[next++]!;
      await fn(x);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
