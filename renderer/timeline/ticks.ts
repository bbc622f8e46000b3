// The time axis's ticks: the step (the smallest round one that leaves room for a label), the tick
// times aligned to the local wall clock (whole minutes, hours, midnights), and their labels
// ("12:40", "12:40:30", "22 Nov" at midnight and for day steps) through store/time.ts. Pure.
import { DAY, HOUR, MINUTE, SECOND, formatDay, formatTime } from '../store/time.ts';

/** The round steps, smallest first. */
export const STEPS: readonly number[] = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  28 * DAY,
];

/** Labels need this much room (CSS pixels): "12:40:30" in 11 px type and a gap. */
export const MIN_TICK_PX = 84;

/** The smallest step at least `minPx` apart on a plot `plotW` pixels wide showing `span` ms. */
export function tickStep(span: number, plotW: number, minPx = MIN_TICK_PX): number {
  const msPerPx = span / Math.max(1, plotW);
  for (const s of STEPS) if (s / msPerPx >= minPx) return s;
  return STEPS[STEPS.length - 1]!;
}

/** The local time zone's offset at t, ms (east of UTC positive). */
const offsetAt = (t: number) => -new Date(t).getTimezoneOffset() * MINUTE;

/**
 * The tick times in [start, end] for a step, written into `out` (reused: no allocation per frame);
 * returns how many. Steps below a day fall on the local clock's round times (xx:00, xx:15...); day
 * steps on local midnights, every `step / DAY` days counted from the epoch's local day.
 */
export function tickTimes(start: number, end: number, step: number, out: Float64Array): number {
  let n = 0;
  if (!(end > start) || !(step > 0)) return 0;
  if (step < DAY) {
    // (the offset at each tick: a DST change inside the window moves the later ticks with the clock)
    let off = offsetAt(start);
    let t = Math.ceil((start + off) / step) * step - off;
    while (t <= end && n < out.length) {
      const o = offsetAt(t);
      if (o !== off) {
        off = o;
        t = Math.ceil((t + off) / step) * step - off;
        if (t > end) break;
      }
      out[n++] = t;
      t += step;
    }
    return n;
  }
  const days = Math.round(step / DAY);
  const d = new Date(start);
  d.setHours(0, 0, 0, 0);
  if (d.getTime() < start) d.setDate(d.getDate() + 1);
  // align to a multiple of `days` local days since 1 Jan 1970 (local)
  const dayNo = (x: Date) => Math.round((Date.UTC(x.getFullYear(), x.getMonth(), x.getDate()) - Date.UTC(1970, 0, 1)) / DAY);
  const r = ((dayNo(d) % days) + days) % days;
  if (r) d.setDate(d.getDate() + (days - r));
  while (d.getTime() <= end && n < out.length) {
    out[n++] = d.getTime();
    d.setDate(d.getDate() + days);
  }
  return n;
}

/** A tick at local midnight: labelled with the date, drawn stronger. */
export function isMidnight(t: number): boolean {
  const d = new Date(t);
  return d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0 && d.getMilliseconds() === 0;
}

/** The label of a tick: the date at midnight and for day steps, else the time (with seconds below a minute). */
export function tickLabel(t: number, step: number): string {
  if (step >= DAY || isMidnight(t)) return formatDay(t);
  return formatTime(t, step < MINUTE);
}
