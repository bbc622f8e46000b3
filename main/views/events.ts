// Events as the views show them: a cluster's warnings, and the events about one object.
import type { Store, KObj } from '../store/store.ts';
import { eventOccurrences } from '../model/summary.ts';
import type { EventDTO } from '../../common/contract.ts';

/** Milliseconds of an RFC 3339 time; null when absent or not a time. */
export function time(x: unknown): number | null {
  if (typeof x !== 'string') return null;
  const t = Date.parse(x);
  return Number.isFinite(t) ? t : null;
}

function eventDTO(e: KObj): EventDTO {
  const involved = e.involvedObject ?? e.regarding ?? {};
  return {
    type: String(e.type ?? ''),
    reason: String(e.reason ?? ''),
    message: String(e.message ?? e.note ?? ''),
    object: `${involved.kind ?? ''}/${involved.name ?? ''}`,
    namespace: String(e.metadata?.namespace ?? ''),
    count: eventOccurrences(e as never),
    last: time(e.series?.lastObservedTime) ?? time(e.lastTimestamp) ?? time(e.eventTime) ?? time(e.metadata?.creationTimestamp),
  };
}

const latestFirst = (a: EventDTO, b: EventDTO) => (b.last ?? 0) - (a.last ?? 0);

/** A cluster's Warning events, latest first; as of T, what had happened by then. */
export function warningEvents(store: Store, cluster: string, limit: number, at?: number): EventDTO[] {
  const out: EventDTO[] = [];
  for (const body of store.warningEvents(cluster)) {
    const e = eventDTO(body);
    // as of T: what had happened by then (an event's later repeats are not in its history)
    if (at !== undefined && (e.last === null || e.last > at)) continue;
    out.push(e);
  }
  return out.sort(latestFirst).slice(0, limit);
}

/** Events about one object (kindName: its kind as events name it, Node or Pod), latest first. */
export function eventsFor(
  store: Store,
  cluster: string,
  namespace: string,
  name: string,
  uid: string | undefined,
  kindName: string,
): EventDTO[] {
  return store
    .eventsNamedFor(cluster, namespace, name)
    .filter((e) => {
      const inv = e.involvedObject ?? e.regarding ?? {};
      return inv.name === name && (!uid || !inv.uid || inv.uid === uid) && (!inv.kind || inv.kind === kindName);
    })
    .map(eventDTO)
    .sort(latestFirst)
    .slice(0, 200);
}
