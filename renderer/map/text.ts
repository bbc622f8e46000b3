// Text the map shows: status lines, node and cluster summaries, and names made safe to draw. Pure: no
// DOM. Numbers, percentages and ages are common/format.ts's, as in every table.
//
// Names come from kubeconfigs and clusters: hostile input. Canvas fillText and React text never
// interpret markup, but bidi overrides (U+202E…) would reorder what is drawn and zero-width characters
// would make two names look the same, so both are shown as a visible U+FFFD; long names are cut.
import type { ClusterTile, FleetDTO, HealthLevel, NodeCell } from '../../common/contract.ts';
import { HEALTH_LEVELS } from '../../common/contract.ts';
import { formatAge, formatCount, formatPercent } from '../../common/format.ts';
import { statusTone, type StatusTone } from './colors.ts';
import { asOfText } from '../store/time.ts';

// C0/C1 controls, bidi embeddings/overrides/isolates/marks, zero-width and invisible formatting.
/* eslint-disable no-control-regex, no-misleading-character-class -- matching these one by one is the point */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/g;
/* eslint-enable no-control-regex, no-misleading-character-class */

/** A name as it may be drawn: invisible and direction-changing characters made visible, at most `max` characters. */
export function safeName(s: string, max = 120): string {
  return truncate(String(s).replace(UNSAFE, '\uFFFD'), max);
}

/** Cut to `max` characters (code points, never half a surrogate pair) with an ellipsis. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const cps = Array.from(s);
  if (cps.length <= max) return s;
  return `${cps.slice(0, Math.max(1, max - 1)).join('')}…`;
}

export interface StatusLine {
  /** short, for tiles and badges: "live", "syncing 3/12", "stale · data 42s old", "offline · data 3h old" */
  text: string;
  tone: StatusTone;
}

type StatusFields = Pick<ClusterTile, 'status' | 'progress' | 'lastContact' | 'statusSince' | 'computedAt'>;

/**
 * The time a fleet answer's statuses speak of: its "as of" time; for a snapshot at its latest, the
 * capture (the clusters are not offline in it: they are as captured); else null (now).
 */
export function statusTime(fleet: Pick<FleetDTO, 'at' | 'mode' | 'snapshot'> | null | undefined): number | null {
  if (!fleet) return null;
  return fleet.at ?? (fleet.mode === 'snapshot' ? (fleet.snapshot?.capturedAt ?? null) : null);
}

/**
 * As of a past time, does a cluster's current status say nothing worth showing (only that it is not
 * live now)? Then a view shows the time alone, neutral; otherwise "as of T · now unreachable".
 */
export function asOfOnly(status: ClusterTile['status']): boolean {
  return status === 'live' || status === 'syncing' || status === 'connecting' || status === 'offline';
}

/**
 * A cluster's status as every view shows it (map tile, tooltip, table and cluster badges): always with
 * what it means for the data's age, never stale data as live. `at`: the view shows the state as of that
 * time, never "live" then ("as of 12:40", with a problem it had).
 */
export function statusLine(t: StatusFields, now: number, at: number | null = null): StatusLine {
  const tone = statusTone(t.status);
  if (at !== null) {
    const when = asOfText(at, now);
    if (asOfOnly(t.status)) return { text: when, tone: 'neutral' };
    return { text: `${when} · now ${STATUS_WORD[t.status]}`, tone };
  }
  // (a clock a little behind the cluster's reads as "0s", never as no age)
  const since = (x: number | null) => (x === null ? null : formatAge(Math.max(0, now - x)));
  const contact = since(t.lastContact);
  const old = (word: string) => (contact ? `${word} · data ${contact} old` : `${word} · no data yet`);
  switch (t.status) {
    case 'live':
      return { text: 'live', tone };
    case 'connecting':
      return { text: 'connecting…', tone };
    case 'syncing':
      return { text: t.progress ? `syncing ${t.progress.listed}/${t.progress.total}` : 'syncing', tone };
    case 'stale':
      return { text: old('stale'), tone };
    case 'unreachable':
      return { text: old('unreachable'), tone };
    case 'unauthorized':
      return { text: 'unauthorized', tone };
    case 'needs-approval':
      return { text: 'needs approval', tone };
    case 'error':
      return { text: old('error'), tone };
    case 'offline': {
      const asOf = since(t.lastContact ?? t.computedAt);
      return { text: asOf ? `offline · data ${asOf} old` : 'offline · no data', tone };
    }
    case 'off': {
      // Turned off in Settings: what the cache holds is as of the last contact, never live.
      const asOf = since(t.lastContact ?? t.computedAt);
      return { text: asOf ? `off · data ${asOf} old` : 'off · no data', tone };
    }
  }
}

const STATUS_WORD: Record<ClusterTile['status'], string> = {
  connecting: 'connecting',
  syncing: 'syncing',
  live: 'live',
  stale: 'stale',
  unreachable: 'unreachable',
  unauthorized: 'unauthorized',
  'needs-approval': 'needs approval',
  error: 'error',
  offline: 'offline',
  off: 'off',
};

/** One line about a node for the tooltip and screen readers. */
export function nodeSummary(c: NodeCell): { name: string; level: HealthLevel; lines: string[] } {
  const level = HEALTH_LEVELS[c.h] ?? 'unknown';
  const lines = [
    `health ${level}${c.k ? ' · cordoned' : ''}`,
    `cpu ${formatPercent(c.c)} · memory ${formatPercent(c.m)} · pods ${formatPercent(c.p)}`,
  ];
  if (c.a > 0 || c.g !== null) lines.push(`accelerators ${c.a} · allocated ${formatPercent(c.g)}`);
  if (c.s > 0) lines.push(`${c.s} storage/CSI problem${c.s === 1 ? '' : 's'}`);
  return { name: safeName(c.n), level, lines };
}

/** "1,204 nodes · 3 critical · 2 warning" */
export function clusterCounts(t: Pick<ClusterTile, 'nodes'>): string {
  const parts = [`${formatCount(t.nodes.total)} node${t.nodes.total === 1 ? '' : 's'}`];
  if (t.nodes.byLevel.critical) parts.push(`${t.nodes.byLevel.critical} critical`);
  if (t.nodes.byLevel.warning) parts.push(`${t.nodes.byLevel.warning} warning`);
  if (t.nodes.byLevel.unknown) parts.push(`${t.nodes.byLevel.unknown} unknown`);
  return parts.join(' · ');
}

const SEPARATORS = /[-._:/]/;

/**
 * Names without what all of them share: a cluster's nodes are "ip-10-3-0-13.eu-west-1.compute.internal",
 * "ip-10-3-0-14.eu-west-1.compute.internal", ...: on a small cell "0-13" says more. Cuts only at
 * separators (- . _ : /); a name that would be left empty stays whole.
 */
export function shortNames(names: readonly string[]): string[] {
  if (names.length < 2) return [...names];
  let pre = names[0]!;
  let suf = names[0]!;
  for (const n of names) {
    let i = 0;
    while (i < pre.length && i < n.length && pre[i] === n[i]) i++;
    pre = pre.slice(0, i);
    let j = 0;
    while (j < suf.length && j < n.length && suf[suf.length - 1 - j] === n[n.length - 1 - j]) j++;
    suf = suf.slice(suf.length - j);
    if (!pre && !suf) break;
  }
  let cut = -1;
  for (let i = pre.length - 1; i >= 0; i--) {
    if (SEPARATORS.test(pre[i]!)) {
      cut = i;
      break;
    }
  }
  pre = pre.slice(0, cut + 1);
  const first = suf.search(SEPARATORS);
  suf = first < 0 ? '' : suf.slice(first);
  return names.map((n) => {
    if (pre.length + suf.length >= n.length) return n;
    return n.slice(pre.length, n.length - suf.length);
  });
}

/** Kinds listed in some namespaces only, grouped by those namespaces: "pods, apps/deployments in default, web" */
export function partialText(partial: { kind: string; namespaces: string[] }[]): string {
  const groups = new Map<string, { namespaces: string[]; kinds: string[] }>();
  for (const p of partial) {
    const key = p.namespaces.join(', ');
    const g = groups.get(key) ?? { namespaces: p.namespaces, kinds: [] };
    g.kinds.push(p.kind);
    groups.set(key, g);
  }
  return [...groups]
    .map(([ns, { namespaces, kinds }]) => {
      const n = namespaces.length;
      return `${kinds.join(', ')} in ${n ? `${n === 1 ? 'namespace' : `${n} namespaces:`} ${ns}` : 'no namespace yet'}`;
    })
    .join('; ');
}
