// The timeline's fetching arithmetic: which window to ask changes.timeline for, given the one on
// screen, and when to ask again (the view left what was fetched, or the answer was cut at its limit
// and the user has zoomed in far enough for a narrower question to hold every mark). Pure.
import { DAY } from '../store/time.ts';
import type { Bounds } from './camera.ts';

export interface Window {
  from: number;
  to: number;
}

/** The window on screen and half its span on either side: a pan does not ask again at once. */
export function fetchWindow(v: Window): Window {
  const span = Math.max(1, v.to - v.from);
  return { from: Math.max(0, Math.floor(v.from - span / 2)), to: Math.ceil(v.to + span / 2) };
}

export function covers(outer: Window, inner: Window): boolean {
  return outer.from <= inner.from && outer.to >= inner.to;
}

/** Ask again? The view is not all fetched, or a truncated answer is 4× wider than the view. */
export function needsFetch(fetched: Window | null, view: Window, truncated: boolean): boolean {
  if (!fetched || !covers(fetched, view)) return true;
  return truncated && fetched.to - fetched.from > 4 * (view.to - view.from);
}

/** What may be looked at: the recorded history (or the last 30 days before the time shown), up to the time shown or the history's end. */
export function timelineBounds(history: { from: number; to: number } | null, shown: number): Bounds {
  const min = Math.min(history?.from ?? shown - 30 * DAY, shown - DAY);
  return { min, max: Math.max(shown, history?.to ?? shown) };
}
