// Log text as the console shows it, pure: a line made inert (ANSI escape sequences stripped, control and
// direction-changing characters shown as U+FFFD, very long lines cut), search matches and the highlight
// segments they cut a line into, the lines as a .log file, and the options a stream is asked with.
// No DOM, no clock.
//
// Log lines are hostile input: a container writes what it likes. React renders them as text (markup
// stays text), but ANSI sequences would show as garbage or, copied to a terminal, act; bidi overrides
// (U+202E…) would reorder what is read ("Trojan source"). Zero-width joiners and variation selectors
// stay (emoji): they cannot reorder text.
import type { LogLine, Params } from '../../../common/contract.ts';

/* eslint-disable no-control-regex -- matching these one by one is the point */
/**
 * ANSI/ECMA-48 escape sequences: OSC (ESC ] … BEL or ST: titles, hyperlinks), DCS/SOS/PM/APC (ESC P/X/^/_ … ST),
 * CSI (ESC [ or the 8-bit U+009B, parameters, intermediates, a final byte: colours, cursor moves), and the
 * other two-byte escapes (ESC ( B, ESC =, …). An unterminated sequence is removed to the end of the line.
 */
const ANSI =
  /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|\u001b[ -/]*[0-~]?/g;
/** C0 and C1 controls but the tab, bidi embeddings/overrides/isolates/marks, zero-width spaces, word joiners, BOM. */
const INERT =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;
/* eslint-enable no-control-regex */

/** The longest line shown whole (characters); the rest is cut, with how much was. */
export const MAX_LINE = 16_384;

/** A log line's text as it may be shown: escape sequences removed, other invisible or reordering characters made visible. */
export function inertText(s: string, max = MAX_LINE): string {
  let t = String(s);
  if (t.includes('\u001b') || t.includes('\u009b')) t = t.replace(ANSI, '');
  t = t.replace(INERT, '\uFFFD');
  if (t.length > max) t = `${t.slice(0, max)}… (${t.length - max} more characters)`;
  return t;
}

/** [start, end) of one match in a line's text. */
export type Range = readonly [number, number];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A case-insensitive matcher of the query (as typed, no patterns), null for an empty query. */
export function matcher(query: string): RegExp | null {
  if (query === '') return null;
  return new RegExp(escapeRegExp(query), 'giu');
}

/** Where the query occurs in a line (case-insensitive, non-overlapping, left to right); indexes into the text itself. */
export function matchRanges(text: string, query: string | RegExp | null): Range[] {
  const re = typeof query === 'string' ? matcher(query) : query;
  if (!re) return [];
  re.lastIndex = 0;
  const out: Range[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

/** One match in the buffer: a line (its index in the lines searched) and a range of its text. */
export interface Match {
  line: number;
  start: number;
  end: number;
}

/** Every match of the query in the lines, in order (at most `limit`; `truncated` says there were more). */
export function findMatches(lines: readonly { text: string }[], query: string, limit = 100_000): { matches: Match[]; truncated: boolean } {
  const re = matcher(query);
  const matches: Match[] = [];
  if (!re) return { matches, truncated: false };
  for (let i = 0; i < lines.length; i++) {
    for (const [start, end] of matchRanges(lines[i]!.text, re)) {
      if (matches.length >= limit) return { matches, truncated: true };
      matches.push({ line: i, start, end });
    }
  }
  return { matches, truncated: false };
}

/** A piece of a line: plain text, a match, or the current match. */
export interface Segment {
  text: string;
  hit: boolean;
  current: boolean;
}

/** A line cut at its matches, for <mark>: `current` is the index (into ranges) of the current match, if it is on this line. */
export function segments(text: string, ranges: readonly Range[], current = -1): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  ranges.forEach(([s, e], i) => {
    const start = Math.max(s, at);
    const end = Math.min(e, text.length);
    if (end <= start) return;
    if (start > at) out.push({ text: text.slice(at, start), hit: false, current: false });
    out.push({ text: text.slice(start, end), hit: true, current: i === current });
    at = end;
  });
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), hit: false, current: false });
  return out;
}

/** The index of the next (or previous) match, wrapping around; -1 when there are none. */
export function stepMatch(current: number, count: number, dir: 1 | -1): number {
  if (count <= 0) return -1;
  if (current < 0 || current >= count) return dir === 1 ? 0 : count - 1;
  return (current + dir + count) % count;
}

/** The first match at or after a line (e.g. the first one on screen), for where "next" starts; -1 when none. */
export function firstMatchFrom(matches: readonly Match[], line: number): number {
  let lo = 0;
  let hi = matches.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (matches[mid]!.line < line) lo = mid + 1;
    else hi = mid;
  }
  return lo < matches.length ? lo : -1;
}

/** "2026-11-01T08:00:01.500Z": a line's time as kubectl --timestamps prints it (UTC, RFC 3339). */
export function lineTime(at: number | null | undefined): string {
  if (at === null || at === undefined || !Number.isFinite(at)) return '';
  return new Date(at).toISOString();
}

/** The lines shown, as a .log file: "<time> <pod>/<container> <text>" (the time and source when they are shown). */
export function logFileText(
  lines: readonly { pod: string; container: string; text: string; at: number | null }[],
  o: { timestamps: boolean; source: boolean },
): string {
  let out = '';
  for (const l of lines) {
    let s = '';
    if (o.timestamps && l.at !== null) s += `${lineTime(l.at)} `;
    if (o.source) s += `${l.pod}/${l.container} `;
    out += `${s}${l.text}\n`;
  }
  return out;
}

/** "lab-1_web_frontend_app.log": the download's name, from the cluster's context and the object (safe characters only). */
export function logFileName(parts: readonly (string | undefined)[]): string {
  const name = parts
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, ''))
    .filter((p) => p !== '')
    .join('_')
    .slice(0, 180);
  return `${name || 'logs'}.log`;
}

/** How far back a stream starts: the last 5 minutes, hour, 6 hours, or all the log. */
export const SINCE = [
  { key: '5m', label: 'last 5 min', seconds: 300 },
  { key: '1h', label: 'last hour', seconds: 3600 },
  { key: '6h', label: 'last 6 h', seconds: 21_600 },
  { key: 'all', label: 'all', seconds: null },
] as const;
export type Since = (typeof SINCE)[number]['key'];

/** How many of the last lines a stream starts with. */
export const TAIL = [
  { key: '100', label: 'last 100', lines: 100 },
  { key: '1000', label: 'last 1000', lines: 1000 },
  { key: 'all', label: 'all', lines: null },
] as const;
export type Tail = (typeof TAIL)[number]['key'];

/** What the user chose of a stream (the display-only options — timestamps, wrap, search — are not here). */
export interface StreamOptions {
  /** '' for the default container */
  container: string;
  follow: boolean;
  previous: boolean;
  since: Since;
  tail: Tail;
}

export const DEFAULT_STREAM: StreamOptions = { container: '', follow: true, previous: false, since: 'all', tail: '1000' };

/**
 * logs.start's params for an object's logs: a pod's, or a workload's pods' (merged). Timestamps are always
 * asked for: they order the lines of several pods, and showing them is then a display choice (no new stream).
 */
export function streamParams(
  o: { cluster: string; kind: string; namespace: string; name: string },
  s: StreamOptions,
): Params<'logs.start'> {
  const since = SINCE.find((x) => x.key === s.since)?.seconds ?? null;
  const tail = TAIL.find((x) => x.key === s.tail)?.lines ?? null;
  return {
    cluster: o.cluster,
    namespace: o.namespace,
    ...(o.kind === 'pods' ? { pod: o.name } : { workload: { kind: o.kind, name: o.name } }),
    ...(s.container ? { container: s.container } : {}),
    follow: s.follow,
    previous: s.previous,
    timestamps: true,
    ...(since !== null ? { sinceSeconds: since } : {}),
    ...(tail !== null ? { tailLines: tail } : {}),
  };
}

/** The kinds whose view has a Logs tab: pods, and the workloads whose pods' logs are merged. */
export const LOG_KINDS: readonly string[] = [
  'pods',
  'apps/deployments',
  'apps/statefulsets',
  'apps/daemonsets',
  'apps/replicasets',
  'batch/jobs',
];

export function hasLogs(kind: string): boolean {
  return LOG_KINDS.includes(kind);
}

/** A container for the picker: its name and what it is (init, sidecar = a restartable init container, app). */
export interface ContainerChoice {
  name: string;
  kind: 'init' | 'sidecar' | 'app';
}

/** The containers of an object's pod spec (a pod's own, a workload's template), before a stream says them. */
export function containersOfBody(kind: string, body: Record<string, unknown> | null | undefined): ContainerChoice[] {
  const spec = (body as { spec?: any } | null | undefined)?.spec;
  const pod = kind === 'pods' ? spec : spec?.template?.spec;
  if (!pod || typeof pod !== 'object') return [];
  const out: ContainerChoice[] = [];
  for (const c of Array.isArray(pod.containers) ? pod.containers : [])
    if (typeof c?.name === 'string') out.push({ name: c.name, kind: 'app' });
  for (const c of Array.isArray(pod.initContainers) ? pod.initContainers : [])
    if (typeof c?.name === 'string') out.push({ name: c.name, kind: c.restartPolicy === 'Always' ? 'sidecar' : 'init' });
  return out;
}

/** The picker's choices from a stream's containers (every pod's, one entry per name): app containers, then sidecars, then init. */
export function containerChoices(containers: readonly { name: string; kind: 'init' | 'sidecar' | 'app' }[]): ContainerChoice[] {
  const seen = new Map<string, ContainerChoice>();
  for (const c of containers) if (!seen.has(c.name)) seen.set(c.name, { name: c.name, kind: c.kind });
  const order = { app: 0, sidecar: 1, init: 2 } as const;
  return [...seen.values()].sort((a, b) => order[a.kind] - order[b.kind]);
}

/** Lines as the back end sends them, for tests and the buffer. */
export type { LogLine };
