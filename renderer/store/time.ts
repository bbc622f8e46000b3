// Times as the UI shows them ("as of", snapshot banner), and the "as of" control's arithmetic. Pure:
// the clock is a parameter. Local time (what the user reads on their wall clock), but fixed formats:
// no Intl locale, so tests and screenshots agree on every machine.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const pad = (n: number) => String(n).padStart(2, '0');

const sameDay = (a: Date, b: Date) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** "22 Nov 2025 12:40:05" (local time, with the date) */
export function formatDateTime(at: number, seconds = true): string {
  if (!Number.isFinite(at)) return '–';
  const d = new Date(at);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}`;
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${time}`;
}

/** "12:40" or "12:40:05" (local time, no date): the timeline's ticks within a day. */
export function formatTime(at: number, seconds = false): string {
  if (!Number.isFinite(at)) return '–';
  const d = new Date(at);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}`;
}

/** "22 Nov" (local date): the timeline's ticks at midnight and in days. */
export function formatDay(at: number): string {
  if (!Number.isFinite(at)) return '–';
  const d = new Date(at);
  return `${d.getDate()} ${MONTHS[d.getMonth()]}`;
}

/** Short, for badges: "12:40" today, "21 Nov 12:40" another day this year, "21 Nov 2024 12:40" before. */
export function formatClock(at: number, now: number): string {
  if (!Number.isFinite(at)) return '–';
  const d = new Date(at);
  const n = new Date(now);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (sameDay(d, n)) return hm;
  if (d.getFullYear() === n.getFullYear()) return `${d.getDate()} ${MONTHS[d.getMonth()]} ${hm}`;
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${hm}`;
}

/** "as of 12:40": what a status badge says instead of "live" when the view shows a past state. */
export function asOfText(at: number, now: number): string {
  return `as of ${formatClock(at, now)}`;
}

export const SECOND = 1000;
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface HistoryRange {
  from: number;
  to: number;
}

/**
 * The "as of" time after a move: clamped to the recorded history; at or past its end is the latest
 * state (null): the state at the end of the recorded history is the latest one.
 */
export function clampAt(at: number | null, history: HistoryRange | null): number | null {
  if (at === null || !Number.isFinite(at)) return null;
  if (!history) return Math.max(0, Math.round(at));
  if (at >= history.to) return null;
  return Math.max(history.from, Math.round(at));
}

/** A step of `delta` ms from the shown time (null: the latest, i.e. the end of the history). */
export function stepAt(at: number | null, delta: number, history: HistoryRange | null): number | null {
  if (!history) return null;
  const base = at ?? history.to;
  return clampAt(base + delta, history);
}

/** Where the slider's thumb sits for a time (the latest sits at the end). */
export function sliderValue(at: number | null, history: HistoryRange): number {
  if (at === null) return history.to;
  return Math.min(history.to, Math.max(history.from, at));
}

/** "history from 21 Nov 2025 09:00" / "from start" */
export function windowText(window: { from: number | null; to: number }): string {
  return window.from === null ? 'start' : formatDateTime(window.from, false);
}
