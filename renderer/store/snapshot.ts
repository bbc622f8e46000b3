// Pure helpers of the snapshot, diff and bundle UI: the bundle form → a BundleSelection, diff values as
// inert visible text, totals. No DOM, no clock.
import type { BundleSelection, SnapshotDiffDTO } from '../../common/contract.ts';
import { HOUR } from './time.ts';

/** History windows offered for captures and bundles: the last `ms` of history (null: all recorded). */
export const WINDOWS: readonly { label: string; ms: number | null }[] = [
  { label: 'All', ms: null },
  { label: 'Last 1 h', ms: HOUR },
  { label: 'Last 6 h', ms: 6 * HOUR },
  { label: 'Last 24 h', ms: 24 * HOUR },
];

/** "a, b\nc  d" → ["a", "b", "c", "d"]: commas, spaces or new lines separate; duplicates dropped. */
export function parseList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((x) => x !== ''))];
}

/** The contract's workload form: kind/namespace/name, kind as the store names it (apps/deployments). */
const WORKLOAD = /^[a-z0-9.\-/]+\/[^/]+\/[^/]+$/;

/** The workloads that are not "kind/namespace/name". */
export function badWorkloads(list: readonly string[]): string[] {
  return list.filter((w) => !WORKLOAD.test(w) || w.length > 800);
}

export interface BundleForm {
  /** every cluster offered, and the ones checked */
  allClusters: readonly string[];
  clusters: readonly string[];
  namespaces: string;
  workloads: string;
  nodes: string;
  since: number | null;
  logs: string;
  tokenize: boolean;
}

/** Log lines as typed: a whole number 0..100000 (anything else: null, i.e. invalid). */
export function parseLogs(text: string): number | null {
  const t = text.trim();
  if (t === '') return 0;
  if (!/^\d{1,6}$/.test(t)) return null;
  const n = Number(t);
  return n <= 100_000 ? n : null;
}

/** What the form asks for, or why it cannot be asked. All clusters checked is "all" (an empty list). */
export function selectionOf(f: BundleForm): { ok: true; selection: BundleSelection } | { ok: false; error: string } {
  if (!f.clusters.length) return { ok: false, error: 'Choose at least one cluster.' };
  const workloads = parseList(f.workloads);
  const bad = badWorkloads(workloads);
  if (bad.length) return { ok: false, error: `Workloads are kind/namespace/name (e.g. apps/deployments/shop/web): ${bad.join(', ')}` };
  const logs = parseLogs(f.logs);
  if (logs === null) return { ok: false, error: 'Log lines: a whole number from 0 (no logs) to 100000.' };
  const all = f.allClusters.every((c) => f.clusters.includes(c));
  return {
    ok: true,
    selection: {
      clusters: all ? [] : f.allClusters.filter((c) => f.clusters.includes(c)),
      namespaces: parseList(f.namespaces),
      workloads,
      nodes: parseList(f.nodes),
      since: f.since,
      logs,
      tokenize: f.tokenize,
    },
  };
}

/** Two selections ask for the same bundle (the export must be what was previewed). */
export function sameSelection(a: BundleSelection | null, b: BundleSelection | null): boolean {
  if (!a || !b) return false;
  const key = (s: BundleSelection) =>
    JSON.stringify([
      [...s.clusters].sort(),
      [...s.namespaces].sort(),
      [...s.workloads].sort(),
      [...s.nodes].sort(),
      s.since,
      s.logs,
      s.tokenize,
    ]);
  return key(a) === key(b);
}

// C0/C1 controls, bidi embeddings/overrides/isolates/marks, zero-width and invisible formatting (as
// map/text.ts): in a diff they are shown as escapes, so "a" → "a\u200b" is a visible change.
/* eslint-disable no-control-regex, no-misleading-character-class -- matching these one by one is the point */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/g;
/* eslint-enable no-control-regex, no-misleading-character-class */

/** Invisible and direction-changing characters as \uXXXX escapes. */
export function visible(s: string): string {
  return s.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A diff value as text: JSON (strings quoted, so "3" and 3 differ), invisible characters escaped; absent: ''. */
export function valueText(v: unknown): string {
  if (v === undefined) return '';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return visible(s);
}

/** The first `max` characters (code points, never half a pair) and whether there is more. */
export function clip(s: string, max: number): { text: string; clipped: boolean } {
  if (s.length <= max) return { text: s, clipped: false };
  const cps = Array.from(s);
  if (cps.length <= max) return { text: s, clipped: false };
  return { text: `${cps.slice(0, max).join('')}…`, clipped: true };
}

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
}

export function clusterCounts(c: SnapshotDiffDTO['clusters'][number]): DiffCounts {
  const out = { added: 0, removed: 0, changed: 0 };
  for (const k of c.kinds) {
    out.added += k.added.length;
    out.removed += k.removed.length;
    out.changed += k.changed.length;
  }
  return out;
}

/** "+3 −1 ~2", zeros left out ("no differences" when all are). */
export function countsText(c: DiffCounts): string {
  const parts = [c.added ? `+${c.added}` : '', c.removed ? `−${c.removed}` : '', c.changed ? `~${c.changed}` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : 'no differences';
}

/** What a diff source is called while it is being read: "@this" / "@cache" / a file path (its name).
 * The same words as main's answer (session.ts resolveRef), so the title does not change when it lands. */
export function sourceLabel(s: string, mode: 'live' | 'cache' | 'snapshot' | undefined): string {
  if (s === '@this') return mode === 'snapshot' ? 'this snapshot' : 'the cache';
  if (s === '@cache') return 'the cache';
  return s.split('/').pop() || s;
}
