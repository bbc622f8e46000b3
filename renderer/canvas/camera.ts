// What the canvas views' cameras share (the fleet map's 2-D world camera, the timeline's time axis):
// the clock of the last move and the rest after it, clamping, and the keys and the wheel that both
// read alike. Each view's camera.ts keeps its own semantics (what a pan, a zoom, home mean). Pure: no
// DOM, so node:test covers it.

/** Arrows pan by this share of the screen (the map: Shift+arrows; the timeline: of the plot). */
export const KEY_PAN = 0.2;

/** v within [lo, hi] */
export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * A camera over a screen (CSS pixels) with a move clock: every move the user makes is timed (lastMove)
 * and reported to `onMove`; the camera is at rest `settleMs` after its last move (then the map makes
 * its sprites sharp, the timeline reports its window as settled).
 */
export abstract class ViewCamera {
  /** the user has moved the camera since the view opened (or since reset() took it home) */
  moved = false;
  /** the clock's time of the last move */
  lastMove = -Infinity;
  protected screenW = 0;
  protected screenH = 0;
  private readonly settleMs: number;
  private readonly onMove: () => void;
  private readonly clock: () => number;

  constructor(settleMs: number, onMove: () => void = () => {}, clock: () => number = () => performance.now()) {
    this.settleMs = settleMs;
    this.onMove = onMove;
    this.clock = clock;
  }

  /** The screen's size (CSS pixels). */
  setScreen(w: number, h: number): void {
    this.screenW = w;
    this.screenH = h;
  }

  /** ms until the camera is at rest (0: it is), counted from `now` on its clock. */
  restsIn(now: number): number {
    return Math.max(0, this.settleMs - (now - this.lastMove));
  }

  /** The camera moved: start the clock of the last move and report it. */
  protected reportMove(): void {
    this.lastMove = this.clock();
    this.onMove();
  }
}

/** A key as the views read it. */
export interface KeyInput {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** What a key does in every canvas view. */
export type ViewKey = { kind: 'zoom'; factor: number } | { kind: 'reset' } | { kind: 'escape' };

/** Modifier keys other than Shift leave a key to the browser (its zoom, its shortcuts). */
export const browserKey = (e: KeyInput): boolean => e.ctrlKey || e.metaKey || e.altKey;

/** The keys every canvas view reads alike: + (or =) and − (or _) zoom by these factors, 0 resets the view, Esc. */
export function viewKey(key: string, zoomIn: number, zoomOut: number): ViewKey | null {
  switch (key) {
    case '+':
    case '=':
      return { kind: 'zoom', factor: zoomIn };
    case '-':
    case '_':
      return { kind: 'zoom', factor: zoomOut };
    case '0':
      return { kind: 'reset' };
    case 'Escape':
      return { kind: 'escape' };
  }
  return null;
}

/** What a wheel event does: pan by CSS pixels (horizontally), scroll (vertically: the timeline's lanes), or zoom by a factor. */
export type WheelStep = { pan: number } | { scroll: number } | { zoom: number };

export interface WheelInput {
  deltaX: number;
  deltaY: number;
  deltaMode: number;
  ctrlKey: boolean;
  shiftKey?: boolean;
}

/**
 * What a wheel event does: with `shiftScrolls`, Shift+wheel scrolls; a mostly horizontal scroll pans;
 * anything else zooms about the pointer (a trackpad pinch arrives as ctrl+wheel with small deltas: the
 * same formula serves both). Deltas in lines count 16 pixels, in pages a screen's height.
 */
export function wheelStep(e: WheelInput, screenH: number, shiftScrolls = false): WheelStep {
  const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? screenH : 1;
  // (some platforms turn Shift+wheel into a horizontal delta)
  if (shiftScrolls && e.shiftKey && !e.ctrlKey) return { scroll: (Math.abs(e.deltaY) >= Math.abs(e.deltaX) ? e.deltaY : e.deltaX) * unit };
  if (!e.ctrlKey && Math.abs(e.deltaX) > Math.abs(e.deltaY)) return { pan: e.deltaX * unit };
  return { zoom: Math.exp(-e.deltaY * unit * (e.ctrlKey ? 0.01 : 0.0015)) };
}
