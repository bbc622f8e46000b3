// The fleet map's camera: which part of the world the screen shows (pan, zoom about a point, clamped
// to the map, the home view that fits a small fleet), and what the keys do to it (the wheel: the
// canvas views' wheelStep). Pure: no DOM, so node:test covers it; canvas/input.ts turns DOM events
// into these calls.
import { CELL, TILE_GAP, type Direction, type Layout, type Rect, type TileBox } from './layout.ts';
import { KEY_PAN, ViewCamera, browserKey, clamp, viewKey, type KeyInput, type ViewKey } from '../canvas/camera.ts';

/** absolute bounds; the least zoom in use is the one that shows the whole map (minZoom) */
export const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 8;
/** the camera is at rest this long after its last move: then sprites are made sharp */
export const SETTLE_MS = 150;
/** + and − zoom by these factors */
export const KEY_ZOOM_IN = 1.25;
export const KEY_ZOOM_OUT = 0.8;

/** The world point at the screen's top-left corner and the scale: screen = (world - x) × zoom. */
export interface Camera {
  x: number;
  y: number;
  zoom: number;
}

export function worldViewport(cam: Camera, screenW: number, screenH: number): Rect {
  return { x: cam.x, y: cam.y, w: screenW / cam.zoom, h: screenH / cam.zoom };
}

export function toWorld(cam: Camera, sx: number, sy: number): { x: number; y: number } {
  return { x: cam.x + sx / cam.zoom, y: cam.y + sy / cam.zoom };
}

export function toScreen(cam: Camera, wx: number, wy: number): { x: number; y: number } {
  return { x: (wx - cam.x) * cam.zoom, y: (wy - cam.y) * cam.zoom };
}

/** The least useful zoom: the whole map on screen with a margin (never more than 1). */
export function minZoom(layout: Pick<Layout, 'width' | 'height'>, screenW: number, screenH: number): number {
  if (screenW <= 0 || screenH <= 0) return MIN_ZOOM;
  return clamp(0.9 * Math.min(screenW / layout.width, screenH / layout.height), MIN_ZOOM, 1);
}

/**
 * Keep the map on screen: along an axis where the map is smaller than the screen it is centred
 * horizontally and top-aligned vertically; otherwise it may move until a third of the screen is empty.
 */
export function clampCamera(cam: Camera, layout: Pick<Layout, 'width' | 'height'>, screenW: number, screenH: number): Camera {
  const zoom = clamp(cam.zoom, minZoom(layout, screenW, screenH), MAX_ZOOM);
  const vw = screenW / zoom;
  const vh = screenH / zoom;
  const axis = (pos: number, size: number, view: number, centre: boolean) => {
    if (size <= view) return centre ? -(view - size) / 2 : 0;
    const slack = view / 3;
    return clamp(pos, -slack, size - view + slack);
  };
  return { zoom, x: axis(cam.x, layout.width, vw, true), y: axis(cam.y, layout.height, vh, false) };
}

/** Zoom by `factor` (within [min, MAX_ZOOM]) keeping the world point under screen point (sx, sy) where it is. */
export function zoomAt(cam: Camera, factor: number, sx: number, sy: number, min = MIN_ZOOM): Camera {
  const zoom = clamp(cam.zoom * factor, min, MAX_ZOOM);
  const w = toWorld(cam, sx, sy);
  return { zoom, x: w.x - sx / zoom, y: w.y - sy / zoom };
}

/** Pan so that a world rectangle is on screen (with a margin), moving as little as possible. */
export function revealRect(cam: Camera, r: Rect, screenW: number, screenH: number, margin = TILE_GAP): Camera {
  const v = worldViewport(cam, screenW, screenH);
  const m = margin / cam.zoom;
  const axis = (pos: number, view: number, start: number, size: number) => {
    if (size + 2 * m > view) return start - m; // larger than the screen: show its start
    if (start - m < pos) return start - m;
    if (start + size + m > pos + view) return start + size + m - view;
    return pos;
  };
  return { zoom: cam.zoom, x: axis(v.x, v.w, r.x, r.w), y: axis(v.y, v.h, r.y, r.h) };
}

/**
 * The map's camera over a layout and a screen (CSS pixels). Every move the user makes goes through
 * set(): clamped, remembered as a move (the home view no longer follows the layout, the clock of
 * the last move starts) and reported to `onMove`. Fitting a new layout or a new screen size
 * (setScreen, then reclamp) re-clamps in place, without counting as a move.
 */
export class MapCamera extends ViewCamera {
  /** the current camera (replaced on every change, never mutated) */
  cam: Camera = { x: 0, y: 0, zoom: 1 };
  private home = 1;
  private layout: Pick<Layout, 'width' | 'height'> | null = null;

  constructor(onMove?: () => void, clock?: () => number) {
    super(SETTLE_MS, onMove, clock);
  }

  get zoom(): number {
    return this.cam.zoom;
  }

  /** The zoom that shows this fleet best (above 1 for a small fleet: see fitLayout), and where the camera starts. */
  get homeZoom(): number {
    return this.home;
  }

  /** A new layout and its home zoom: a camera still at home follows the new home; one the user moved stays where it is. */
  fit(layout: Pick<Layout, 'width' | 'height'>, homeZoom: number): void {
    this.layout = layout;
    this.home = homeZoom;
    if (!this.moved) this.cam = { x: 0, y: 0, zoom: homeZoom };
    this.reclamp();
  }

  /** Clamp in place (after the screen or the layout changed): not a move. */
  reclamp(): void {
    this.cam = this.clamp(this.cam);
  }

  clamp(cam: Camera): Camera {
    if (!this.layout || !this.screenW || !this.screenH) return cam;
    return clampCamera(cam, this.layout, this.screenW, this.screenH);
  }

  minZoom(): number {
    return this.layout ? minZoom(this.layout, this.screenW, this.screenH) : 1;
  }

  /** Move to `cam` (clamped); false when that is where it already is. */
  set(cam: Camera): boolean {
    const c = this.clamp(cam);
    if (c.x === this.cam.x && c.y === this.cam.y && c.zoom === this.cam.zoom) return false;
    this.cam = c;
    this.moved = true;
    this.reportMove();
    return true;
  }

  /** Move the view by (dx, dy) CSS pixels (the map moves the other way). */
  panBy(dx: number, dy: number): void {
    this.set({ ...this.cam, x: this.cam.x + dx / this.cam.zoom, y: this.cam.y + dy / this.cam.zoom });
  }

  /** Shift+arrow: a fifth of the screen that way. */
  panKey(dir: Direction): void {
    const dx = dir === 'left' ? -this.screenW * KEY_PAN : dir === 'right' ? this.screenW * KEY_PAN : 0;
    const dy = dir === 'up' ? -this.screenH * KEY_PAN : dir === 'down' ? this.screenH * KEY_PAN : 0;
    this.panBy(dx, dy);
  }

  /** Zoom by `factor` about a screen point (default: the screen's centre). */
  zoomBy(factor: number, sx = this.screenW / 2, sy = this.screenH / 2): void {
    this.set(zoomAt(this.cam, factor, sx, sy, this.minZoom()));
  }

  /** + and −: about the focused tile when it is on screen, else about the centre. */
  zoomKey(factor: number, focus?: Rect): void {
    if (focus) {
      const s = toScreen(this.cam, focus.x + focus.w / 2, focus.y + focus.h / 2);
      if (s.x >= 0 && s.y >= 0 && s.x <= this.screenW && s.y <= this.screenH) {
        this.zoomBy(factor, s.x, s.y);
        return;
      }
    }
    this.zoomBy(factor);
  }

  /** Back to the home view ("0"); the camera follows the layout again. */
  reset(): void {
    this.set({ x: 0, y: 0, zoom: this.home });
    this.moved = false;
  }

  /** Show a tile's header at least (a tile can be taller than the screen). */
  showTile(t: TileBox): void {
    const r = { x: t.x, y: t.y, w: Math.min(t.w, this.screenW / this.cam.zoom), h: Math.min(t.h, this.screenH / this.cam.zoom) };
    this.set(revealRect(this.cam, r, this.screenW, this.screenH));
  }

  /** Show a node cell, zooming in to 1 first when cells are too small to point at. */
  showCell(rect: Rect): void {
    let cam = this.cam;
    if (CELL * cam.zoom < 6) cam = { ...cam, zoom: 1 };
    cam = this.clamp(revealRect(cam, rect, this.screenW, this.screenH, 48));
    if (cam.x !== this.cam.x || cam.y !== this.cam.y || cam.zoom !== this.cam.zoom) this.set(cam);
  }

  /** The world rectangle on screen. */
  viewport(): Rect {
    return worldViewport(this.cam, this.screenW, this.screenH);
  }

  toWorld(sx: number, sy: number): { x: number; y: number } {
    return toWorld(this.cam, sx, sy);
  }

  toScreen(wx: number, wy: number): { x: number; y: number } {
    return toScreen(this.cam, wx, wy);
  }
}

/** What a key does on the map (modifier keys other than Shift: nothing, the browser's). */
export type KeyCommand =
  { kind: 'pan'; dir: Direction } | { kind: 'focus'; dir: Direction } | { kind: 'first' } | { kind: 'last' } | { kind: 'open' } | ViewKey;

const ARROWS: Readonly<Record<string, Direction>> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

/** Arrows move the focus cursor, Shift+arrows pan; Home, End: the first, the last tile; Enter or Space opens; + − 0 Esc as in every canvas view. */
export function keyCommand(e: KeyInput): KeyCommand | null {
  if (browserKey(e)) return null;
  const dir = Object.hasOwn(ARROWS, e.key) ? ARROWS[e.key] : undefined;
  if (dir) return e.shiftKey ? { kind: 'pan', dir } : { kind: 'focus', dir };
  switch (e.key) {
    case 'Home':
      return { kind: 'first' };
    case 'End':
      return { kind: 'last' };
    case 'Enter':
    case ' ':
      return { kind: 'open' };
  }
  return viewKey(e.key, KEY_ZOOM_IN, KEY_ZOOM_OUT);
}
