// The timeline's camera: which span of time the plot shows (zoom about a time, pan, clamped to the
// times there is anything to see), how far the lanes are scrolled, and what the keys do (the wheel:
// the canvas views' wheelStep, Shift scrolling the lanes). Pure: no DOM, so node:test covers it;
// canvas/input.ts turns DOM events into these calls, engine.ts owns one.
import { DAY, HOUR, SECOND } from '../store/time.ts';
import { KEY_PAN, ViewCamera, browserKey, clamp, viewKey, type KeyInput, type ViewKey } from '../canvas/camera.ts';

/** CSS pixels: the lane label column at the left, the time axis at the top, one lane's height. */
export const LABEL_W = 168;
export const AXIS_H = 30;
export const LANE_H = 22;

/** The closest zoom: 10 s across the plot (a finer view separates nothing the cache records). */
export const MIN_SPAN = 10 * SECOND;
/** The widest: 180 days (the zoom out stops earlier where the history is shorter; see maxSpan). */
export const MAX_SPAN = 180 * DAY;
/** + and − zoom by this factor (arrows pan by KEY_PAN of the plot) */
export const KEY_ZOOM = 1.5;
/** the camera is at rest this long after its last move: then the view is reported as settled */
export const SETTLE_MS = 200;

/** The times on screen: [start, start + span) across the plot's width. */
export interface TimeView {
  start: number;
  span: number;
}

/** The times worth looking at: the recorded history up to the time shown (epoch ms). */
export interface Bounds {
  min: number;
  max: number;
}

/** The widest view of these bounds: the history and a quarter more, at least a day, at most MAX_SPAN. */
export function maxSpan(b: Bounds): number {
  return clamp((b.max - b.min) * 1.25, DAY, MAX_SPAN);
}

/**
 * Keep the view on the history: its span within [MIN_SPAN, maxSpan], and at most a quarter of the
 * plot past either end (so the ends can be seen as ends); a view wider than the history is centred on it.
 */
export function clampView(v: TimeView, b: Bounds): TimeView {
  const span = clamp(v.span, MIN_SPAN, maxSpan(b));
  const slack = span / 4;
  const lo = b.min - slack;
  const hi = b.max + slack - span;
  if (hi < lo) return { span, start: (b.min + b.max) / 2 - span / 2 };
  return { span, start: clamp(v.start, lo, hi) };
}

/** The time under plot x (CSS pixels from the plot's left edge). */
export function timeAt(v: TimeView, x: number, plotW: number): number {
  return v.start + (x / plotW) * v.span;
}

/** Plot x (CSS pixels from the plot's left edge) of a time. */
export function xOf(v: TimeView, t: number, plotW: number): number {
  return ((t - v.start) / v.span) * plotW;
}

/** Zoom in by `factor` (> 1 in, < 1 out) keeping the time under plot x where it is. */
export function zoomAt(v: TimeView, factor: number, x: number, plotW: number): TimeView {
  const t = timeAt(v, x, plotW);
  const span = v.span / factor;
  return { span, start: t - (x / plotW) * span };
}

/** Pan by dx CSS pixels (positive: later times come into view). */
export function panBy(v: TimeView, dx: number, plotW: number): TimeView {
  return { span: v.span, start: v.start + (dx / plotW) * v.span };
}

/** The view of a window [from, to]. */
export function viewOf(w: { from: number; to: number }): TimeView {
  return { start: w.from, span: Math.max(1, w.to - w.from) };
}

/** The height of the lanes' area (CSS pixels) for a screen of height h. */
export const lanesHeight = (h: number) => Math.max(0, h - AXIS_H);

/** The largest lane scroll: the last lane at the bottom of the screen (0 when every lane fits). */
export function maxScroll(lanes: number, screenH: number): number {
  return Math.max(0, lanes * LANE_H - lanesHeight(screenH));
}

/**
 * The lanes on screen, [first, last] (last < first when there are none): the only ones drawn and
 * hit-tested, so 500 lanes cost what the 20 on screen cost.
 */
export function visibleLanes(top: number, screenH: number, lanes: number): { first: number; last: number } {
  const h = lanesHeight(screenH);
  if (lanes <= 0 || h <= 0) return { first: 0, last: -1 };
  const first = Math.max(0, Math.floor(top / LANE_H));
  const last = Math.min(lanes - 1, Math.floor((top + h - 1) / LANE_H));
  return { first, last };
}

/** The lane under screen y (CSS pixels from the canvas top), or -1 (the axis, or below the last lane). */
export function laneAt(y: number, top: number, lanes: number): number {
  if (y < AXIS_H) return -1;
  const l = Math.floor((y - AXIS_H + top) / LANE_H);
  return l >= 0 && l < lanes ? l : -1;
}

/**
 * The timeline's camera over a screen (CSS pixels), a number of lanes and the bounds. Every move the
 * user makes goes through set(): clamped, remembered as a move (the home window no longer follows
 * the clock), reported to onMove. New bounds or a new screen re-clamp without counting as a move.
 */
export class TimelineCamera extends ViewCamera {
  view: TimeView = { start: 0, span: HOUR };
  /** lane scroll, CSS pixels (moved says whether the time axis moved: scrolling is not counted there) */
  top = 0;
  private home: TimeView = { start: 0, span: HOUR };
  private bounds: Bounds = { min: 0, max: HOUR };
  private lanes = 0;

  constructor(onMove?: () => void, clock?: () => number) {
    super(SETTLE_MS, onMove, clock);
  }

  /** The plot's width, CSS pixels (the screen less the label column). */
  get plotW(): number {
    return Math.max(1, this.screenW - LABEL_W);
  }

  get height(): number {
    return this.screenH;
  }

  override setScreen(w: number, h: number): void {
    super.setScreen(w, h);
    this.top = Math.min(this.top, maxScroll(this.lanes, h));
  }

  setLanes(n: number): void {
    this.lanes = n;
    this.top = Math.min(this.top, maxScroll(n, this.screenH));
  }

  /** The history and the home window (the hour before the time shown): a camera at home follows it. */
  fit(bounds: Bounds, home: TimeView): void {
    this.bounds = bounds;
    this.home = home;
    if (!this.moved) this.view = clampView(home, bounds);
    else this.view = clampView(this.view, bounds);
  }

  /** Show this window (from the address): counts as the user's, the home window no longer applies. */
  show(v: TimeView): boolean {
    const c = clampView(v, this.bounds);
    if (c.start === this.view.start && c.span === this.view.span) return false;
    this.view = c;
    this.moved = true;
    return true;
  }

  /** Move to `v` (clamped); false when that is where it already is. */
  set(v: TimeView): boolean {
    const c = clampView(v, this.bounds);
    if (c.start === this.view.start && c.span === this.view.span) return false;
    this.view = c;
    this.moved = true;
    this.reportMove();
    return true;
  }

  /** Pan the time axis by dx CSS pixels. */
  panBy(dx: number): void {
    this.set(panBy(this.view, dx, this.plotW));
  }

  /** Zoom by `factor` about screen x (default: the plot's centre). */
  zoomBy(factor: number, sx = LABEL_W + this.plotW / 2): void {
    const x = clamp(sx - LABEL_W, 0, this.plotW);
    // the span's limits first: at a limit the zoom stops rather than sliding the view sideways
    const span = clamp(this.view.span / factor, MIN_SPAN, maxSpan(this.bounds));
    if (span === this.view.span) return;
    this.set(zoomAt(this.view, this.view.span / span, x, this.plotW));
  }

  /** Scroll the lanes by dy CSS pixels (clamped); false when they did not move. */
  scrollBy(dy: number): boolean {
    const top = clamp(this.top + dy, 0, maxScroll(this.lanes, this.screenH));
    if (top === this.top) return false;
    this.top = top;
    this.reportMove();
    return true;
  }

  /** Back to the home window ("0"); the camera follows the clock again (moved is false by the time onMove hears of it). */
  reset(): void {
    const c = clampView(this.home, this.bounds);
    this.moved = false;
    if (c.start === this.view.start && c.span === this.view.span) return;
    this.view = c;
    this.reportMove();
  }

  /** Bring a time (and a lane) on screen, moving as little as possible: the span is kept. */
  reveal(t: number, lane?: number): void {
    const v = this.view;
    const margin = v.span * 0.1;
    if (t < v.start + margin || t > v.start + v.span - margin) this.set({ span: v.span, start: t - v.span / 2 });
    if (lane !== undefined && lane >= 0) {
      const y = lane * LANE_H;
      const h = lanesHeight(this.screenH);
      if (y < this.top) this.scrollBy(y - this.top);
      else if (y + LANE_H > this.top + h) this.scrollBy(y + LANE_H - h - this.top);
    }
  }

  /** The time under screen x. */
  timeAt(sx: number): number {
    return timeAt(this.view, sx - LABEL_W, this.plotW);
  }

  /** Screen x of a time. */
  xOf(t: number): number {
    return LABEL_W + xOf(this.view, t, this.plotW);
  }
}

/** What a key does on the timeline (modifier keys other than Shift: nothing, the browser's). */
export type KeyCommand = { kind: 'pan'; share: number } | { kind: 'scroll'; lanes: number } | { kind: 'page'; dir: 1 | -1 } | ViewKey;

/** Left and Right pan (Shift: a quarter as far), Up and Down scroll a lane, Page Up and Down a screen; + − 0 Esc as in every canvas view. */
export function keyCommand(e: KeyInput): KeyCommand | null {
  if (browserKey(e)) return null;
  switch (e.key) {
    case 'ArrowLeft':
      return { kind: 'pan', share: -(e.shiftKey ? KEY_PAN / 4 : KEY_PAN) };
    case 'ArrowRight':
      return { kind: 'pan', share: e.shiftKey ? KEY_PAN / 4 : KEY_PAN };
    case 'ArrowUp':
      return { kind: 'scroll', lanes: -1 };
    case 'ArrowDown':
      return { kind: 'scroll', lanes: 1 };
    case 'PageUp':
      return { kind: 'page', dir: -1 };
    case 'PageDown':
      return { kind: 'page', dir: 1 };
  }
  return viewKey(e.key, KEY_ZOOM, 1 / KEY_ZOOM);
}
