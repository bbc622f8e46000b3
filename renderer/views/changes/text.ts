// Pure helpers of the changes views: the timeline's filter as contract params, where a change opens,
// the time the views count from, gaps as words, kinds as the cache names them. No DOM, no clock.
import type { ChangeEventDTO, ChangeSeverity, FleetDTO, GapDTO, Params } from '../../../common/contract.ts';
import type { ChangesQuery, Route, SeverityFilter } from '../../store/route.ts';
import { HOUR, formatClock, formatDateTime } from '../../store/time.ts';
import { safeName } from '../../map/text.ts';

/** The severities a severity filter keeps (undefined: all). */
export function severitiesOf(f: SeverityFilter): ChangeSeverity[] | undefined {
  if (f === 'changes') return ['info'];
  // recoveries (ok) belong with the problems they end
  if (f === 'problems') return ['warning', 'critical', 'ok'];
  return undefined;
}

/** The filter part of changes.timeline / changes.list params: only what narrows (empty lists left out). */
export function filterParams(q: ChangesQuery, w: { from: number; to: number }): Params<'changes.timeline'> {
  const p: Params<'changes.timeline'> = { from: Math.max(0, Math.floor(w.from)), to: Math.max(0, Math.ceil(w.to)) };
  if (q.clusters.length) p.clusters = q.clusters;
  if (q.namespaces.length) p.namespaces = q.namespaces;
  if (q.kinds.length) p.kinds = q.kinds;
  if (q.categories.length) p.categories = q.categories;
  const sev = severitiesOf(q.severity);
  if (sev) p.severities = sev;
  const text = q.text.trim();
  if (text) p.text = text.slice(0, 256);
  return p;
}

/** The filter without the window and the selection: what, when it changes, means asking again. */
export function filterKey(q: ChangesQuery): string {
  return JSON.stringify([q.clusters, q.namespaces, q.kinds, q.categories, q.severity, q.text.trim()]);
}

/** Where a change opens: its node, its object, or (a cluster-wide event) its cluster. */
export function routeOfChange(c: Pick<ChangeEventDTO, 'cluster' | 'kind' | 'uid' | 'name'>): Route {
  if (!c.kind) return { view: 'cluster', cluster: c.cluster, tab: 'changes' };
  if (c.kind === 'nodes') return { view: 'node', cluster: c.cluster, node: c.name };
  return { view: 'object', cluster: c.cluster, kind: c.kind, uid: c.uid };
}

/** "Deployment" for "apps/deployments": the kind key's last part, singular, capitalised. */
export function kindLabel(kind: string): string {
  if (!kind) return 'cluster';
  const last = kind.split('/').pop() ?? kind;
  const one = last.endsWith('ies') ? `${last.slice(0, -3)}y` : last.endsWith('sses') ? last.slice(0, -2) : last.replace(/s$/, '');
  return one.charAt(0).toUpperCase() + one.slice(1);
}

/** "Deployment shop/web" (names made safe to show). */
export function objectLabel(c: Pick<ChangeEventDTO, 'kind' | 'namespace' | 'name'>): string {
  if (!c.kind && !c.name) return 'the cluster';
  return `${kindLabel(c.kind)} ${safeName(c.namespace ? `${c.namespace}/${c.name}` : c.name, 200)}`;
}

/** Kind keys as the cache names them, for the kind filter's suggestions. */
export const KNOWN_KINDS: readonly string[] = [
  'pods',
  'nodes',
  'apps/deployments',
  'apps/statefulsets',
  'apps/daemonsets',
  'apps/replicasets',
  'batch/jobs',
  'batch/cronjobs',
  'configmaps',
  'secrets',
  'services',
  'persistentvolumeclaims',
  'persistentvolumes',
  'storage.k8s.io/storageclasses',
  'storage.k8s.io/csinodes',
  'storage.k8s.io/csidrivers',
  'autoscaling/horizontalpodautoscalers',
  'apiextensions.k8s.io/customresourcedefinitions',
  'resource.k8s.io/deviceclasses',
  'rbac.authorization.k8s.io/roles',
  'rbac.authorization.k8s.io/rolebindings',
  'rbac.authorization.k8s.io/clusterroles',
  'rbac.authorization.k8s.io/clusterrolebindings',
];

/** The contract's kind: lower case letters, digits, ".", "-", "/". */
const KIND = /^[a-z0-9.\-/]+$/;

/**
 * A kind as typed ("Deployment", "deploy", "pods", "apps/deployments") → the cache's key, or null when
 * it cannot be one. A known kind's singular or plural name finds its key; anything else that is a
 * valid key is taken as typed (the cache may watch kinds the list does not know).
 */
export function kindKey(typed: string): string | null {
  const t = typed.trim().toLowerCase();
  if (!t) return null;
  const short: Record<string, string> = {
    deploy: 'apps/deployments',
    sts: 'apps/statefulsets',
    ds: 'apps/daemonsets',
    rs: 'apps/replicasets',
  };
  short.pvc = 'persistentvolumeclaims';
  short.pv = 'persistentvolumes';
  short.cm = 'configmaps';
  short.hpa = 'autoscaling/horizontalpodautoscalers';
  short.crd = 'apiextensions.k8s.io/customresourcedefinitions';
  if (Object.hasOwn(short, t)) return short[t]!;
  for (const k of KNOWN_KINDS) {
    const last = k.split('/').pop()!;
    if (t === k || t === last || `${t}s` === last || `${t}es` === last || (t.endsWith('y') && `${t.slice(0, -1)}ies` === last)) return k;
  }
  return KIND.test(t) && t.length <= 253 ? t : null;
}

/** "a, b c" → unique non-empty words (commas or spaces separate). */
export function words(s: string): string[] {
  return [...new Set(s.split(/[\s,]+/).filter((x) => x !== ''))];
}

/** The kind filter as typed ("deploy, pod"): the cache's keys of the kinds it names, and the words that name none. */
export function typedKinds(typed: string): { kinds: string[]; unknown: string[] } {
  const ws = words(typed);
  const keys = ws.map(kindKey);
  return { kinds: [...new Set(keys.filter((k): k is string => k !== null))], unknown: ws.filter((_, i) => keys[i] === null) };
}

/** The namespace filter as typed: its names (none longer than a namespace may be). */
export function typedNamespaces(typed: string): string[] {
  return words(typed).filter((x) => x.length <= 253);
}

/** The time the views count from and say: "as of" T, the snapshot's capture, or now. */
export function shownTime(
  at: number | null,
  fleet: Pick<FleetDTO, 'mode' | 'snapshot'> | null,
  now: number,
): { time: number; label: string; live: boolean } {
  if (at !== null) return { time: at, label: 'as of', live: false };
  if (fleet?.mode === 'snapshot' && fleet.snapshot) return { time: fleet.snapshot.capturedAt, label: 'snapshot', live: false };
  return { time: now, label: 'now', live: fleet?.mode !== 'cache' };
}

/** The default window: the hour before the time shown. */
export function defaultWindow(shown: number): { from: number; to: number } {
  return { from: shown - HOUR, to: shown };
}

/** "changes may be missing between 12:40 and 12:52 (disconnected)" — "… since 12:40, still open (…)" while open. */
export function gapText(g: Pick<GapDTO, 'start' | 'end' | 'reason' | 'kind'>, now: number): string {
  const what = g.kind ? `${safeName(g.kind, 100)} changes` : 'changes';
  const when =
    g.end === null
      ? `since ${formatClock(g.start, now)}, still open`
      : `between ${formatClock(g.start, now)} and ${formatClock(g.end, now)}`;
  return `${what} may be missing ${when}${g.reason ? ` (${safeName(g.reason, 200)})` : ''}`;
}

/** The full times of a gap, for a title. */
export function gapTitle(g: Pick<GapDTO, 'start' | 'end'>): string {
  return `${formatDateTime(g.start)} – ${g.end === null ? 'open' : formatDateTime(g.end)}`;
}

/** A list's rows: changes and gaps in one order, newest first (a gap by its start). */
export type ChangeRow = { change: ChangeEventDTO; gap?: undefined } | { gap: GapDTO; change?: undefined };

export function rowsByTime(changes: readonly ChangeEventDTO[], gaps: readonly GapDTO[]): ChangeRow[] {
  const rows: (ChangeRow & { t: number })[] = [
    ...changes.map((c) => ({ change: c, t: c.at })),
    ...gaps.map((g) => ({ gap: g, t: g.end ?? Infinity })),
  ];
  // a gap sits where it ends (newest first): the changes after it above it, those before below
  return rows.sort((a, b) => b.t - a.t).map(({ t: _t, ...r }) => r as ChangeRow);
}

/**
 * The params of the page after the changes shown (changes.list, changes.of): the same query with the
 * contract's `before` cursor at the last one shown (its time and id), so changes at the same
 * millisecond as a page's last are neither repeated nor skipped. null: nothing shown, no page after.
 */
export function nextPageParams<P extends object>(
  base: P,
  shown: readonly Pick<ChangeEventDTO, 'at' | 'id'>[],
): (P & { before: { at: number; id: number } }) | null {
  const last = shown[shown.length - 1];
  return last ? { ...base, before: { at: last.at, id: last.id } } : null;
}

/** Pages of a list joined: a change already shown is not shown twice (pages may overlap at their edge). */
export function appendPage(have: readonly ChangeEventDTO[], page: readonly ChangeEventDTO[]): ChangeEventDTO[] {
  const seen = new Set(have.map((c) => c.id));
  return [...have, ...page.filter((c) => !seen.has(c.id))];
}
