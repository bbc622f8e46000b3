// The lines of one log stream, pure: pushed batches merged in time order (a workload's pods stream side
// by side; a batch from one pod may hold lines older than another pod's last), lines of the same time in
// the order they arrived, made inert as they come in, and capped (the oldest dropped, counted).
import type { LogLine } from '../../../common/contract.ts';
import { formatCount } from '../../../common/format.ts';
import { inertText, matchRanges, matcher, type Match } from './logtext.ts';

export interface LogEntry {
  pod: string;
  container: string;
  /** inert text (logtext.ts inertText) */
  text: string;
  /** epoch ms, null when the line came without a time */
  at: number | null;
}

/** The lines kept at most: beyond it the oldest go (the view says how many). */
export const LOG_CAP = 50_000;

/** The index of the first entry later than `at` (entries ordered by time): where a line of that time goes after its equals. */
export function upperBound(entries: readonly LogEntry[], at: number, from = 0): number {
  let lo = from;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((entries[mid]!.at ?? -Infinity) <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Merge a batch into entries ordered by time, in place. The batch is sorted first (stable: lines of the
 * same time keep their order); lines without a time are taken as of the latest time so far (appended).
 * Appending (the usual case while following) costs the batch alone; a batch older than the tail is
 * merged with the part of the buffer after its first line. Returns the index from which entries
 * changed (those before it are as they were).
 */
export function mergeInto(entries: LogEntry[], batch: readonly LogEntry[]): number {
  if (!batch.length) return entries.length;
  const last = entries.length ? entries[entries.length - 1]!.at : null;
  let latest = last ?? -Infinity;
  // lines without a time: as of the latest time before them
  const timed = batch.map((e, i) => {
    const at = e.at ?? latest;
    if (at > latest) latest = at;
    return { e, at, i };
  });
  timed.sort((a, b) => a.at - b.at || a.i - b.i);
  const first = timed[0]!.at;
  if (last === null || first >= last) {
    const from = entries.length;
    for (const t of timed) entries.push(t.e);
    return from;
  }
  const cut = upperBound(entries, first);
  const tail = entries.splice(cut);
  let i = 0;
  let j = 0;
  while (i < tail.length && j < timed.length) {
    // the buffer's line first on equal times: it arrived earlier
    if ((tail[i]!.at ?? -Infinity) <= timed[j]!.at) entries.push(tail[i++]!);
    else entries.push(timed[j++]!.e);
  }
  while (i < tail.length) entries.push(tail[i++]!);
  while (j < timed.length) entries.push(timed[j++]!.e);
  return cut;
}

/** A stream's lines: added as pushed, ordered, capped. Mutable (a React view re-reads on `version`). */
export class LogBuffer {
  readonly cap: number;
  entries: LogEntry[] = [];
  /** lines dropped from the start to keep the cap */
  dropped = 0;
  /** moves on every change */
  version = 0;
  /**
   * Entries gone from the start since the buffer began (dropped to keep the cap, or cleared): entry i is
   * line `removed + i` of the stream, whatever was dropped since. (changedSince counts in these.)
   */
  removed = 0;
  /** per change (the last ones): its version and the stream line from which entries changed */
  private readonly changes: { version: number; from: number }[] = [];
  /** the pods seen, in the order they first appeared (their colours) */
  readonly pods: string[] = [];
  private readonly podIndex = new Map<string, number>();

  constructor(cap = LOG_CAP) {
    this.cap = Math.max(1, cap);
  }

  add(lines: readonly LogLine[]): void {
    if (!lines.length) return;
    const batch: LogEntry[] = lines.map((l) => {
      const pod = String(l.pod ?? '');
      if (!this.podIndex.has(pod)) {
        this.podIndex.set(pod, this.pods.length);
        this.pods.push(pod);
      }
      return {
        pod,
        container: String(l.container ?? ''),
        text: inertText(String(l.text ?? '')),
        at: typeof l.at === 'number' && Number.isFinite(l.at) ? l.at : null,
      };
    });
    const from = this.removed + mergeInto(this.entries, batch);
    const over = this.entries.length - this.cap;
    if (over > 0) {
      this.entries.splice(0, over);
      this.dropped += over;
      this.removed += over;
    }
    this.changed(from);
  }

  private changed(from: number): void {
    this.version++;
    this.changes.push({ version: this.version, from });
    if (this.changes.length > CHANGES_KEPT) this.changes.splice(0, this.changes.length - CHANGES_KEPT);
  }

  /**
   * What changed since `version` (one this buffer had): the stream line (as `removed` counts) from which
   * entries may differ; entries before it, those not removed, are as they were. Infinity: nothing changed.
   * A version too old to tell (or not this buffer's): 0, everything.
   */
  changedSince(version: number): number {
    if (version === this.version) return Infinity;
    if (version > this.version) return 0;
    const first = this.changes[0];
    if (!first || first.version > version + 1) return 0;
    let from = Infinity;
    for (let i = this.changes.length - 1; i >= 0 && this.changes[i]!.version > version; i--) from = Math.min(from, this.changes[i]!.from);
    return from;
  }

  /** Colour index of a pod (the order it was first seen in, or the stream's own order when given first). */
  colourOf(pod: string): number {
    return (this.podIndex.get(pod) ?? 0) % POD_COLOURS;
  }

  /** Set the pods' order (the stream's sources) before lines arrive: colours follow the listing. */
  knowPods(pods: readonly string[]): void {
    for (const p of pods) {
      if (this.podIndex.has(p)) continue;
      this.podIndex.set(p, this.pods.length);
      this.pods.push(p);
    }
  }

  clear(): void {
    this.removed += this.entries.length;
    this.entries = [];
    this.dropped = 0;
    this.changed(this.removed);
  }
}

/** How many changes a buffer remembers for changedSince (a reader further behind reads it all again). */
const CHANGES_KEPT = 256;

/**
 * The search of a log buffer, kept up to date incrementally: each update scans only the lines that
 * changed since the last one (new lines, the part a late batch merged into) and drops the matches of
 * lines dropped from the start, instead of every line of the buffer each time it moves. `matches` (in
 * order) and `lines` (the lines with a match, for "only matching lines") are new arrays when they
 * changed, the same ones when they did not.
 */
export class MatchScan {
  matches: Match[] = [];
  lines: number[] = [];
  /** more matches than the limit: the scan stopped at `next` */
  truncated = false;
  private readonly limit: number;
  private buffer: LogBuffer | null = null;
  private query = '';
  private re: RegExp | null = null;
  private version = -1;
  /** buffer.removed at the last update */
  private base = 0;
  /** the first entry not scanned yet (entries.length when all are) */
  private next = 0;

  constructor(limit = 100_000) {
    this.limit = limit;
  }

  /** Bring the matches up to the buffer and the query; whether they changed. */
  update(buffer: LogBuffer, query: string): boolean {
    const entries = buffer.entries;
    const fresh = buffer !== this.buffer || query !== this.query;
    if (!fresh && buffer.version === this.version) return false;
    let matches = this.matches;
    let lines = this.lines;
    let start = 0;
    let changed = false;
    if (fresh) {
      changed = matches.length > 0 || this.truncated;
      this.buffer = buffer;
      this.query = query;
      this.re = matcher(query);
      matches = [];
      lines = [];
    } else {
      const shift = buffer.removed - this.base;
      start = Math.max(0, Math.min(buffer.changedSince(this.version) - buffer.removed, this.next - shift));
      // keep the matches of lines still there and unchanged: [shift, start + shift) as they were numbered
      const m0 = lowerLine(matches, shift);
      const m1 = lowerLine(matches, start + shift);
      const l0 = lowerIndex(lines, shift);
      const l1 = lowerIndex(lines, start + shift);
      if (m0 > 0 || m1 < matches.length || (shift > 0 && matches.length > 0)) {
        matches = matches.slice(m0, m1);
        lines = lines.slice(l0, l1);
        if (shift > 0) {
          matches = matches.map((m) => ({ ...m, line: m.line - shift }));
          lines = lines.map((l) => l - shift);
        }
        changed = true;
      }
    }
    this.version = buffer.version;
    this.base = buffer.removed;
    let i = start;
    let truncated = false;
    if (this.re) {
      let copied = matches !== this.matches;
      scan: for (; i < entries.length; i++) {
        let on = false;
        for (const [s, e] of matchRanges(entries[i]!.text, this.re)) {
          if (matches.length >= this.limit) {
            // stopped here: this line is scanned again next time (its matches so far are kept until then)
            truncated = true;
            if (on) lines.push(i);
            break scan;
          }
          if (!copied) {
            // (new arrays when they change: the view compares them)
            matches = matches.slice();
            lines = lines.slice();
            copied = true;
          }
          matches.push({ line: i, start: s, end: e });
          on = true;
        }
        if (on) lines.push(i);
      }
      if (copied && matches.length !== this.matches.length) changed = true;
    } else i = entries.length;
    if (truncated !== this.truncated) changed = true;
    this.matches = matches;
    this.lines = lines;
    this.truncated = truncated;
    this.next = i;
    return changed;
  }
}

/** The first match on a line at or after `line`. */
function lowerLine(matches: readonly Match[], line: number): number {
  let lo = 0;
  let hi = matches.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (matches[mid]!.line < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerIndex(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many pod colours the styles define (--pod-0 … --pod-7): pods beyond share them in turn. */
export const POD_COLOURS = 8;

/** "showing the last 50,000 lines: 1,234 earlier lines were dropped" (null: nothing dropped). */
export function droppedText(dropped: number, cap: number): string | null {
  if (dropped <= 0) return null;
  return `Showing the last ${formatCount(cap)} lines: ${formatCount(dropped)} earlier line${dropped === 1 ? ' was' : 's were'} dropped. Narrow the stream (since, tail) to see them.`;
}
