// The timeline's marks in typed arrays, ordered by lane and then by time, with each lane's range
// (laneStart): a frame finds a lane's visible marks by binary search, never by scanning 100k. Built
// once per answer of changes.timeline; the drawing and the hit testing read it without allocating.
// Pure: no DOM.
import type { GapDTO, TimelineDTO } from '../../common/contract.ts';

export interface MarkData {
  /** marks */
  n: number;
  lanes: number;
  /** epoch ms, ascending within a lane */
  at: Float64Array;
  id: Float64Array;
  /** index into CHANGE_CATEGORIES */
  cat: Uint8Array;
  /** index into CHANGE_SEVERITIES */
  sev: Uint8Array;
  /** lane l's marks are [laneStart[l], laneStart[l + 1]) */
  laneStart: Uint32Array;
  /** the gaps of each lane (a cluster's), as [start, end, whole cluster ? 1 : 0] triples; end Infinity: still open */
  gaps: Float64Array[];
  /** the gaps as the answer gave them, per lane, in the same order (for the tooltip) */
  gapInfo: GapDTO[][];
}

export const EMPTY_MARKS: MarkData = build([], { id: [], at: [], lane: [], category: [], severity: [] }, [], []);

/** Typed arrays of an answer, grouped by lane (a stable counting sort) and sorted by time within each. */
export function buildMarks(dto: Pick<TimelineDTO, 'lanes' | 'marks' | 'gaps'>): MarkData {
  return build(
    dto.lanes.map((l) => l.cluster),
    dto.marks,
    dto.gaps,
    dto.lanes,
  );
}

function build(laneIds: string[], m: TimelineDTO['marks'], gapList: GapDTO[], lanes: unknown[]): MarkData {
  const L = lanes.length;
  const total = Math.min(m.at.length, m.lane.length, m.id.length, m.category.length, m.severity.length);
  // Count per lane (marks of a lane that is not there are dropped, not drawn in another).
  const laneStart = new Uint32Array(L + 1);
  let n = 0;
  for (let i = 0; i < total; i++) {
    const l = m.lane[i]!;
    if (l >= 0 && l < L && Number.isFinite(m.at[i]!)) {
      laneStart[l + 1]!++;
      n++;
    }
  }
  for (let l = 0; l < L; l++) laneStart[l + 1]! += laneStart[l]!;
  const at = new Float64Array(n);
  const id = new Float64Array(n);
  const cat = new Uint8Array(n);
  const sev = new Uint8Array(n);
  const fill = laneStart.slice(0, L);
  for (let i = 0; i < total; i++) {
    const l = m.lane[i]!;
    if (!(l >= 0 && l < L && Number.isFinite(m.at[i]!))) continue;
    const k = fill[l]!++;
    at[k] = m.at[i]!;
    id[k] = m.id[i]!;
    cat[k] = m.category[i]!;
    sev[k] = m.severity[i]!;
  }
  // The answer is usually in time order, so lanes come out sorted; sort those that do not.
  for (let l = 0; l < L; l++) {
    const lo = laneStart[l]!;
    const hi = laneStart[l + 1]!;
    let sorted = true;
    for (let k = lo + 1; k < hi; k++)
      if (at[k]! < at[k - 1]!) {
        sorted = false;
        break;
      }
    if (!sorted) sortRange(at, id, cat, sev, lo, hi);
  }
  const byCluster = new Map<string, number>();
  laneIds.forEach((c, i) => byCluster.set(c, i));
  const gapInfo: GapDTO[][] = Array.from({ length: L }, () => []);
  for (const g of gapList) {
    const l = byCluster.get(g.cluster);
    if (l !== undefined) gapInfo[l]!.push(g);
  }
  const gaps = gapInfo.map((gs) => {
    const a = new Float64Array(gs.length * 3);
    gs.forEach((g, i) => {
      a[i * 3] = g.start;
      a[i * 3 + 1] = g.end ?? Infinity;
      a[i * 3 + 2] = g.kind === null ? 1 : 0;
    });
    return a;
  });
  return { n, lanes: L, at, id, cat, sev, laneStart, gaps, gapInfo };
}

function sortRange(at: Float64Array, id: Float64Array, cat: Uint8Array, sev: Uint8Array, lo: number, hi: number): void {
  const idx = Array.from({ length: hi - lo }, (_, i) => lo + i).sort((a, b) => at[a]! - at[b]! || id[a]! - id[b]!);
  const a2 = idx.map((i) => at[i]!);
  const i2 = idx.map((i) => id[i]!);
  const c2 = idx.map((i) => cat[i]!);
  const s2 = idx.map((i) => sev[i]!);
  for (let k = 0; k < idx.length; k++) {
    at[lo + k] = a2[k]!;
    id[lo + k] = i2[k]!;
    cat[lo + k] = c2[k]!;
    sev[lo + k] = s2[k]!;
  }
}

/** The first index in [lo, hi) whose time is ≥ t (hi when none is). */
export function lowerBound(at: Float64Array, lo: number, hi: number, t: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Lane l's marks in [t0, t1): the index range, written into out[0], out[1] (no allocation). */
export function laneRange(d: MarkData, l: number, t0: number, t1: number, out: Uint32Array): void {
  const lo = d.laneStart[l]!;
  const hi = d.laneStart[l + 1]!;
  out[0] = lowerBound(d.at, lo, hi, t0);
  out[1] = lowerBound(d.at, out[0], hi, t1);
}

/**
 * The mark of lane l nearest to time t within ±tol ms, or -1. O(log n): a binary search, then the
 * neighbours on either side. Ties go to the later mark (drawn last, so on top).
 */
export function hitMark(d: MarkData, l: number, t: number, tol: number): number {
  if (l < 0 || l >= d.lanes) return -1;
  const lo = d.laneStart[l]!;
  const hi = d.laneStart[l + 1]!;
  const k = lowerBound(d.at, lo, hi, t);
  let best = -1;
  let bestD = Infinity;
  // the last of the marks at the time after t, and the one before t
  let after = k;
  if (after < hi) {
    const ta = d.at[after]!;
    while (after + 1 < hi && d.at[after + 1] === ta) after++;
    const dd = ta - t;
    if (dd <= tol) {
      best = after;
      bestD = dd;
    }
  }
  if (k - 1 >= lo) {
    const dd = t - d.at[k - 1]!;
    if (dd <= tol && dd < bestD) best = k - 1;
  }
  return best;
}

/** How many marks of lane l are within [t0, t1]. */
export function countIn(d: MarkData, l: number, t0: number, t1: number): number {
  const lo = d.laneStart[l]!;
  const hi = d.laneStart[l + 1]!;
  return lowerBound(d.at, lo, hi, t1 + 1e-6) - lowerBound(d.at, lo, hi, t0);
}

/** The index of a change id, or -1: a linear scan (a click or a selection, not a frame). */
export function indexOf(d: MarkData, id: number): number {
  for (let k = 0; k < d.n; k++) if (d.id[k] === id) return k;
  return -1;
}

/** The lane of mark k (binary search over laneStart). */
export function laneOf(d: MarkData, k: number): number {
  let lo = 0;
  let hi = d.lanes;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (d.laneStart[mid + 1]! <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The gap of lane l at time t (index into gapInfo[l]), or -1. */
export function gapAt(d: MarkData, l: number, t: number, end: number): number {
  if (l < 0 || l >= d.lanes) return -1;
  const g = d.gaps[l]!;
  for (let i = 0; i < g.length; i += 3) if (t >= g[i]! && t <= Math.min(g[i + 1]!, end)) return i / 3;
  return -1;
}

/**
 * Bin lane l's marks into pixel columns: column c holds [start + c·msPerCol, start + (c+1)·msPerCol).
 * count[c] counts them, top[c] holds the highest severity + 1 (0: empty). Only columns [0, cols) are
 * written, and only those with marks: the caller clears the touched range ([first, last] returned
 * packed as first * 65536 + last, or -1 when no column was touched) before binning the next lane.
 */
export function binLane(
  d: MarkData,
  l: number,
  start: number,
  msPerCol: number,
  cols: number,
  count: Uint32Array,
  top: Uint8Array,
  range: Uint32Array,
): number {
  laneRange(d, l, start, start + cols * msPerCol, range);
  const a = range[0]!;
  const b = range[1]!;
  if (a >= b) return -1;
  let first = cols;
  let last = -1;
  const at = d.at;
  const sev = d.sev;
  const inv = 1 / msPerCol;
  for (let k = a; k < b; k++) {
    let c = Math.floor((at[k]! - start) * inv);
    if (c < 0) c = 0;
    else if (c >= cols) c = cols - 1;
    count[c]!++;
    const s = sev[k]! + 1;
    if (s > top[c]!) top[c] = s;
    if (c < first) first = c;
    if (c > last) last = c;
  }
  return last < 0 ? -1 : first * 65536 + last;
}
