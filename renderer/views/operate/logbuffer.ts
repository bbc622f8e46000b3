// The lines of one log stream, pure: pushed batches merged in time order (a workload's pods stream side
// by side; a batch from one pod may hold lines older than another pod's last), lines of the same time in
// the order they arrived, made inert as they come in, and capped (the oldest dropped, counted).
import type { LogLine } from '../../../common/contract.ts';
import { formatCount } from '../../../common/format.ts';
import { inertText } from './logtext.ts';

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
 * merged with the part of the buffer after its first line.
 */
export function mergeInto(entries: LogEntry[], batch: readonly LogEntry[]): void {
  if (!batch.length) return;
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
    for (const t of timed) entries.push(t.e);
    return;
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
}

/** A stream's lines: added as pushed, ordered, capped. Mutable (a React view re-reads on `version`). */
export class LogBuffer {
  readonly cap: number;
  entries: LogEntry[] = [];
  /** lines dropped from the start to keep the cap */
  dropped = 0;
  /** moves on every change */
  version = 0;
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
    mergeInto(this.entries, batch);
    const over = this.entries.length - this.cap;
    if (over > 0) {
      this.entries.splice(0, over);
      this.dropped += over;
    }
    this.version++;
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
    this.entries = [];
    this.dropped = 0;
    this.version++;
  }
}

/** How many pod colours the styles define (--pod-0 … --pod-7): pods beyond share them in turn. */
export const POD_COLOURS = 8;

/** "showing the last 50,000 lines: 1,234 earlier lines were dropped" (null: nothing dropped). */
export function droppedText(dropped: number, cap: number): string | null {
  if (dropped <= 0) return null;
  return `Showing the last ${formatCount(cap)} lines: ${formatCount(dropped)} earlier line${dropped === 1 ? ' was' : 's were'} dropped. Narrow the stream (since, tail) to see them.`;
}
