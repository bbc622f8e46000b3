// The fleet map's drawing and interaction, outside React (the Excalidraw/tldraw shape): React hands
// it the fleet, the measure and the clock; it keeps the camera, the hover and the focus cursor, and
// draws in requestAnimationFrame only when something changed (a dirty flag, never a loop).
//
// Per frame the work is O(visible tiles + visible cells): tiles are culled with the layout's row index,
// cells with the tile's grid. A cluster's cell colours (buckets) are computed once per (cluster view,
// measure), when the cluster first comes into view. Up to 2 device pixels per world unit a tile's
// cells are a sprite (an offscreen canvas of bare fillRects, built once per view, measure, theme and
// resolution step, a few ms of building per frame at most), so a frame is one drawImage per tile;
// closer in, the few visible cells are drawn directly, with markers (accelerators, CSI problems,
// cordon) and, from 40 CSS pixels a cell, node names. Headers and overlays are drawn every frame.
import type { ClusterTile, FleetDTO, Measure, NodeCell } from '../../common/contract.ts';
import {
  CELL,
  GAP,
  HEADER,
  PAD,
  PITCH,
  cellRect,
  clampCamera,
  fitLayout,
  hitTest,
  minZoom,
  neighbour,
  revealRect,
  toScreen,
  toWorld,
  visibleCells,
  visibleTiles,
  worldViewport,
  zoomAt,
  type Camera,
  type CellRange,
  type Direction,
  type Hit,
  type Layout,
  type TileBox,
} from './layout.ts';
import { cellBuckets, bucketColors, palette, sameCells, textOn, type Palette, type Theme } from './colors.ts';
import { clusterCounts, nodeSummary, num, percent, safeName, shortNames, statusLine, statusTime, type StatusLine } from './text.ts';

export interface MapCallbacks {
  openCluster(cluster: string): void;
  openNode(cluster: string, node: string): void;
  /** the legend follows the theme */
  paletteChanged?(p: Palette): void;
}

export interface MapElements {
  root: HTMLElement;
  canvas: HTMLCanvasElement;
  tooltip: HTMLElement;
  /** aria-live region: what the keyboard focus cursor is on */
  live: HTMLElement;
}

/** Statuses whose data is not current: their cells are dimmed. */
const DIMMED = new Set(['stale', 'unreachable', 'error', 'unauthorized']);
const NAME_FONT = 13;
const STATUS_FONT = 11;
/** node names on cells, CSS pixels */
const NODE_FONT = 10;
const MAX_FRAMES = 5000;
/** header text scales: the largest at or below the zoom (and none past the last: a 40-pixel name helps nobody) */
const TEXT_STEPS = [0.625, 0.75, 1, 1.25, 1.5] as const;
const textScale = (zoom: number) => TEXT_STEPS.findLast((s) => s <= zoom + 1e-9) ?? TEXT_STEPS[0];
/** sprite resolutions (device pixels per world unit); above the last, cells are drawn directly */
const SPRITE_RES = [0.25, 0.5, 1, 2] as const;
const SPRITE_MAX_RES = 2;
/** the camera is at rest this long after its last move: then sprites are made sharp */
const SETTLE_MS = 150;

const idealRes = (z: number) => SPRITE_RES.find((r) => r >= z - 1e-9) ?? SPRITE_MAX_RES;

/** Book-keeping of one frame's sprite use. */
interface SpritePass {
  t0: number;
  moving: boolean;
  /** sprites left to build: another frame follows */
  deferred: boolean;
  /** something was drawn for motion (a sprite not sharp at this zoom, names on one line): redraw at rest */
  unsharp: boolean;
}
/** rebuilding sprites stops for the frame after this long (tiles show their old sprite, scaled) */
const SPRITE_BUDGET_MS = 4;
/** all sprites together: 24 Mpx (96 MB of canvas memory, outside the JS heap); least recently drawn go first */
const SPRITE_MAX_PX = 24e6;

interface HeaderText {
  tile: ClusterTile;
  now: number;
  name: string;
  counts: string;
  status: StatusLine;
  badges: { text: string; tone: 'csi' | 'bad' | 'muted' }[];
}

interface Sprite {
  canvas: OffscreenCanvas | HTMLCanvasElement;
  cells: NodeCell[];
  /** measure, theme, dimming, fills: what the pixels depend on besides the cells */
  key: string;
  res: number;
  cols: number;
  worldW: number;
  worldH: number;
  /** frame it was last drawn in */
  used: number;
  px: number;
}

interface ClusterColours {
  cells: NodeCell[];
  measure: Measure;
  buckets: Uint8Array;
}

/** Measures text once per (font, text); fits names into a width with an ellipsis. */
class TextFit {
  private readonly widths = new Map<string, number>();
  private readonly fits = new Map<string, string>();
  private readonly wraps = new Map<string, string[]>();
  private readonly ctx: CanvasRenderingContext2D;
  constructor(ctx: CanvasRenderingContext2D) {
    this.ctx = ctx;
  }

  width(font: string, s: string): number {
    const k = `${font}\0${s}`;
    let w = this.widths.get(k);
    if (w === undefined) {
      if (this.widths.size > 20_000) this.widths.clear();
      this.ctx.font = font;
      w = this.ctx.measureText(s).width;
      this.widths.set(k, w);
    }
    return w;
  }

  fit(font: string, s: string, max: number): string {
    const m = Math.floor(max);
    const k = `${font}\0${m}\0${s}`;
    let out = this.fits.get(k);
    if (out !== undefined) return out;
    if (this.fits.size > 20_000) this.fits.clear();
    if (m <= 0) out = '';
    else if (this.width(font, s) <= m) out = s;
    else {
      const cps = Array.from(s);
      let lo = 0;
      let hi = cps.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.width(font, `${cps.slice(0, mid).join('')}…`) <= m) lo = mid;
        else hi = mid - 1;
      }
      out = lo ? `${cps.slice(0, lo).join('')}…` : '';
    }
    this.fits.set(k, out);
    return out;
  }

  private readonly chars = new Map<string, Map<string, number>>();

  /** Width of one character (cached per font): node names are measured by summing these. */
  private char(font: string, ch: string): number {
    let m = this.chars.get(font);
    if (!m) this.chars.set(font, (m = new Map()));
    let w = m.get(ch);
    if (w === undefined) {
      this.ctx.font = font;
      w = this.ctx.measureText(ch).width;
      m.set(ch, w);
    }
    return w;
  }

  /**
   * Up to `lines` lines of at most `max` pixels, broken after a separator (- . _ : /) where one is in
   * the second half of a line, else anywhere; the last line ellipsised if cut. Widths are sums of
   * character widths (no kerning; 4 % slack): O(length) per name, however many zoom steps.
   */
  wrap(font: string, s: string, max: number, lines: number): string[] {
    const k = `${font}\0${Math.floor(max)}\0${lines}\0${s}`;
    const hit = this.wraps.get(k);
    if (hit) return hit;
    if (this.wraps.size > 20_000) this.wraps.clear();
    const limit = max * 0.96;
    const cps = Array.from(s);
    const ws = cps.map((ch) => this.char(font, ch));
    const ell = this.char(font, '…');
    const out: string[] = [];
    let start = 0;
    while (start < cps.length && out.length < lines) {
      const last = out.length === lines - 1;
      let w = 0;
      let end = start;
      while (end < cps.length && w + ws[end]! <= limit) w += ws[end++]!;
      if (end >= cps.length) {
        out.push(cps.slice(start).join(''));
        start = end;
        break;
      }
      if (last) {
        // cut, with an ellipsis
        while (end > start && w + ell > limit) w -= ws[--end]!;
        out.push(`${cps.slice(start, end).join('')}…`);
        start = cps.length;
        break;
      }
      if (end === start) end = start + 1; // not even one character fits: show it anyway
      for (let j = end - 1; j > start + (end - start) / 2; j--) {
        if ('-._:/'.includes(cps[j]!)) {
          end = j + 1;
          break;
        }
      }
      out.push(cps.slice(start, end).join(''));
      start = end;
    }
    this.wraps.set(k, out);
    return out;
  }
}

/** The palette of a theme, with the app's own colours (CSS custom properties) where it defines them. */
export function themePalette(theme: Theme, el: Element | null): Palette {
  const base = palette(theme);
  if (!el || typeof getComputedStyle !== 'function') return base;
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  const ok = v('--ok', base.status.ok);
  const warn = v('--warn', base.status.warn);
  const bad = v('--bad', base.status.bad);
  return {
    ...base,
    background: v('--bg', base.background),
    tile: v('--bg2', base.tile),
    tileBorder: v('--line', base.tileBorder),
    text: v('--fg', base.text),
    muted: v('--muted', base.muted),
    focus: v('--accent', base.focus),
    status: { ...base.status, ok, warn, bad, progress: v('--info', base.status.progress), auth: v('--purple', base.status.auth) },
  };
}

/** Cell fills by bucket for a measure: the app's health colours when it defines them. */
export function fillsFor(measure: Measure, pal: Palette): string[] {
  return measure === 'health' ? [pal.status.ok, pal.status.warn, pal.status.bad, pal.health.unknown] : bucketColors(measure, pal.theme);
}

export class MapEngine {
  /** ms of each draw(), for tests and benchmarks (the same array for the engine's life) */
  readonly frames: number[] = [];
  private readonly el: MapElements;
  private readonly cb: MapCallbacks;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly text: TextFit;

  private fleet: FleetDTO | null = null;
  private measure: Measure = 'health';
  private now = Date.now();
  private byId = new Map<string, ClusterTile>();
  private layout: Layout | null = null;
  private layoutKey = '';
  private colours = new Map<string, ClusterColours>();
  private sprites = new Map<string, Sprite>();
  private spritePx = 0;
  private frame = 0;
  private shortNames = new Map<string, { cells: NodeCell[]; names: string[] }>();
  private headers = new Map<string, HeaderText>();
  private statusSig = '';

  private cam: Camera = { x: 0, y: 0, zoom: 1 };
  /** the zoom that shows this fleet best (above 1 for a small fleet: see fitLayout), and where the camera starts */
  private homeZoom = 1;
  /** the user has moved the camera since the map opened (or since "0" reset it) */
  private moved = false;
  private cssW = 0;
  private cssH = 0;
  private dpr = 1;
  private pal: Palette = palette('light');
  private font = 'system-ui, sans-serif';

  private hover: Hit | null = null;
  private pointer: { x: number; y: number } | null = null;
  private drag: { id: number; x: number; y: number; moved: boolean } | null = null;
  private focusId: string | null = null;
  private hasFocus = false;

  private raf = 0;
  private lastMove = -Infinity;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private paintedFleet: FleetDTO | null = null;
  private readonly cleanup: (() => void)[] = [];

  constructor(el: MapElements, cb: MapCallbacks) {
    this.el = el;
    this.cb = cb;
    const ctx = el.canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('no 2D canvas context');
    this.ctx = ctx;
    this.text = new TextFit(ctx);

    const dark = window.matchMedia('(prefers-color-scheme: dark)');
    const onTheme = () => this.setTheme(dark.matches ? 'dark' : 'light');
    onTheme();
    this.listen(dark, 'change', onTheme);

    const ro = new ResizeObserver(() => this.resize());
    ro.observe(el.root);
    this.cleanup.push(() => ro.disconnect());
    // devicePixelRatio changes (browser zoom, a window moved to another screen) do not resize the element.
    let dprQuery: MediaQueryList | null = null;
    const watchDpr = () => {
      dprQuery?.removeEventListener('change', onDpr);
      dprQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
      dprQuery.addEventListener('change', onDpr);
    };
    const onDpr = () => {
      watchDpr();
      this.resize();
    };
    watchDpr();
    this.cleanup.push(() => dprQuery?.removeEventListener('change', onDpr));

    const c = el.canvas;
    this.listen(c, 'pointerdown', (e) => this.onPointerDown(e as PointerEvent));
    this.listen(c, 'pointermove', (e) => this.onPointerMove(e as PointerEvent));
    this.listen(c, 'pointerup', (e) => this.onPointerUp(e as PointerEvent));
    this.listen(c, 'pointercancel', () => (this.drag = null));
    this.listen(c, 'pointerleave', () => this.setHover(null, null));
    this.listen(c, 'wheel', (e) => this.onWheel(e as WheelEvent), { passive: false });
    this.listen(c, 'keydown', (e) => this.onKey(e as KeyboardEvent));
    this.listen(c, 'focus', () => {
      this.hasFocus = true;
      this.invalidate();
    });
    this.listen(c, 'blur', () => {
      this.hasFocus = false;
      this.invalidate();
    });
  }

  private listen(t: EventTarget, type: string, fn: (e: Event) => void, opts?: AddEventListenerOptions): void {
    t.addEventListener(type, fn, opts);
    this.cleanup.push(() => t.removeEventListener(type, fn, opts));
  }

  destroy(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
    for (const f of this.cleanup.splice(0)) f();
  }

  // ------------------------------------------------------------------------------ inputs

  setData(fleet: FleetDTO, measure: Measure, now: number): void {
    const fleetChanged = fleet !== this.fleet;
    const nowOnly = !fleetChanged && measure === this.measure && now !== this.now;
    if (fleetChanged) {
      const before = this.byId;
      this.fleet = fleet;
      this.byId = new Map(fleet.clusters.map((c) => [c.id, c]));
      // Every fleet read brings new arrays; a cluster whose cells did not change keeps its caches.
      for (const c of fleet.clusters) {
        const old = before.get(c.id)?.cells;
        if (!old || old === c.cells || !sameCells(old, c.cells)) continue;
        const cc = this.colours.get(c.id);
        if (cc?.cells === old) cc.cells = c.cells;
        const sp = this.sprites.get(c.id);
        if (sp?.cells === old) sp.cells = c.cells;
        const sn = this.shortNames.get(c.id);
        if (sn?.cells === old) sn.cells = c.cells;
      }
      for (const [id, sp] of this.sprites) {
        if (this.byId.get(id)?.cells === sp.cells) continue;
        this.sprites.delete(id);
        this.spritePx -= sp.px;
      }
      for (const id of this.shortNames.keys()) if (!this.byId.has(id)) this.shortNames.delete(id);
      for (const id of this.headers.keys()) if (!this.byId.has(id)) this.headers.delete(id);
      this.relayout();
    }
    if (fleetChanged || measure !== this.measure) {
      this.measure = measure;
      // Colours (buckets) are cached per cluster by (cells, measure), i.e. by the cluster's view version
      // and the measure, and computed lazily when the cluster is first drawn.
      for (const [id, cc] of this.colours) {
        const t = this.byId.get(id);
        if (!t || t.cells !== cc.cells || cc.measure !== measure) this.colours.delete(id);
      }
    }
    this.now = now;
    if (nowOnly) {
      // The clock ticks every few seconds; ages in the text change far less often.
      const sig = this.statusSignature();
      if (sig === this.statusSig) return;
      this.statusSig = sig;
    } else this.statusSig = this.statusSignature();
    if (this.hover && !this.byId.has(this.hover.cluster)) this.setHover(null, null);
    else if (this.hover) this.showTooltip();
    if (!this.cssW) {
      // Mounting: the element has its size now (React commits before the browser paints); drawing
      // here puts the map in this very frame instead of after the next frame's ResizeObserver.
      this.resize();
      if (this.paintedFleet === fleet) return;
    }
    this.invalidate();
  }

  /** The status texts of the tiles on screen (a tick that changes none of them draws nothing). */
  private statusSignature(): string {
    const l = this.layout;
    if (!l || !this.cssW) return '';
    let sig = '';
    for (const k of visibleTiles(l, worldViewport(this.cam, this.cssW, this.cssH))) {
      const c = this.byId.get(l.tiles[k]!.id);
      if (c) sig += `${this.headerText(c).status.text}\n`;
    }
    return sig;
  }

  private setTheme(theme: Theme): void {
    this.pal = themePalette(theme, this.el.root);
    const ff = typeof getComputedStyle === 'function' ? getComputedStyle(this.el.root).fontFamily : '';
    if (ff) this.font = ff;
    this.cb.paletteChanged?.(this.pal);
    this.invalidate();
  }

  get currentPalette(): Palette {
    return this.pal;
  }

  private resize(): void {
    const r = this.el.root.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(0, Math.floor(r.width));
    const h = Math.max(0, Math.floor(r.height));
    if (w === this.cssW && h === this.cssH && dpr === this.dpr) return;
    const sizeChanged = w !== this.cssW || h !== this.cssH;
    this.cssW = w;
    this.cssH = h;
    this.dpr = dpr;
    this.el.canvas.width = Math.max(1, Math.round(w * dpr));
    this.el.canvas.height = Math.max(1, Math.round(h * dpr));
    // (the height too: a small fleet's enlargement depends on it)
    if (sizeChanged) this.relayout();
    this.cam = this.clamp(this.cam);
    // Resizing cleared the canvas: draw now, before this frame is painted (ResizeObserver runs after
    // layout, before paint), rather than show a blank frame.
    this.drawNow();
  }

  private relayout(): void {
    if (!this.fleet || !this.cssW) return;
    const key = `${this.cssW}x${this.cssH}|${this.fleet.clusters.map((c) => `${c.id}:${c.cells.length}`).join('|')}`;
    if (key === this.layoutKey && this.layout) return;
    this.layoutKey = key;
    // A small fleet is laid out narrower and shown enlarged (fitLayout). A camera still at home follows
    // the new home; one the user moved stays where it is.
    const fit = fitLayout(
      this.fleet.clusters.map((c) => ({ id: c.id, nodes: c.cells.length })),
      this.cssW,
      this.cssH,
    );
    this.layout = fit.layout;
    this.homeZoom = fit.zoom;
    if (!this.moved) this.cam = { x: 0, y: 0, zoom: fit.zoom };
    this.cam = this.clamp(this.cam);
    if (this.hover) this.setHover(null, null);
  }

  private clamp(cam: Camera): Camera {
    if (!this.layout || !this.cssW || !this.cssH) return cam;
    return clampCamera(cam, this.layout, this.cssW, this.cssH);
  }

  private minZoom(): number {
    return this.layout ? minZoom(this.layout, this.cssW, this.cssH) : 1;
  }

  private setCamera(cam: Camera): void {
    const c = this.clamp(cam);
    if (c.x === this.cam.x && c.y === this.cam.y && c.zoom === this.cam.zoom) return;
    this.cam = c;
    this.moved = true;
    this.lastMove = performance.now();
    if (this.pointer && !this.drag) this.updateHover(this.pointer.x, this.pointer.y);
    this.invalidate();
  }

  /** Move the view by (dx, dy) CSS pixels (the map moves the other way). */
  panBy(dx: number, dy: number): void {
    this.setCamera({ ...this.cam, x: this.cam.x + dx / this.cam.zoom, y: this.cam.y + dy / this.cam.zoom });
  }

  /** Zoom by `factor` about a point given in client coordinates (default: the map's centre). */
  zoomBy(factor: number, clientX?: number, clientY?: number): void {
    const r = this.el.canvas.getBoundingClientRect();
    const sx = clientX === undefined ? this.cssW / 2 : clientX - r.left;
    const sy = clientY === undefined ? this.cssH / 2 : clientY - r.top;
    this.setCamera(zoomAt(this.cam, factor, sx, sy, this.minZoom()));
  }

  resetView(): void {
    this.setCamera({ x: 0, y: 0, zoom: this.homeZoom });
    this.moved = false;
  }

  /** Client coordinates of a node cell's centre, panning (and zooming in if cells are tiny) to show it. */
  cellAt(cluster: string, node: string): { x: number; y: number } | null {
    const t = this.tileOf(cluster);
    const tile = this.byId.get(cluster);
    if (!t || !tile) return null;
    const i = tile.cells.findIndex((c) => c.n === node);
    if (i < 0) return null;
    const rect = cellRect(t, i);
    let cam = this.cam;
    if (CELL * cam.zoom < 6) cam = { ...cam, zoom: 1 };
    cam = this.clamp(revealRect(cam, rect, this.cssW, this.cssH, 48));
    if (cam.x !== this.cam.x || cam.y !== this.cam.y || cam.zoom !== this.cam.zoom) this.setCamera(cam);
    const s = toScreen(this.cam, rect.x + rect.w / 2, rect.y + rect.h / 2);
    const r = this.el.canvas.getBoundingClientRect();
    return { x: r.left + s.x, y: r.top + s.y };
  }

  private tileOf(cluster: string): TileBox | undefined {
    const k = this.layout?.byId.get(cluster);
    return k === undefined ? undefined : this.layout?.tiles[k];
  }

  // ------------------------------------------------------------------------------ pointer, keys

  private local(e: MouseEvent): { x: number; y: number } {
    const r = this.el.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    const p = this.local(e);
    this.drag = { id: e.pointerId, x: p.x, y: p.y, moved: false };
    try {
      this.el.canvas.setPointerCapture(e.pointerId);
    } catch {
      // synthetic events (tests) have no active pointer to capture
    }
  }

  private onPointerMove(e: PointerEvent): void {
    const p = this.local(e);
    const d = this.drag;
    if (d && d.id === e.pointerId) {
      if (!d.moved && Math.hypot(p.x - d.x, p.y - d.y) < 4) return;
      if (!d.moved) {
        d.moved = true;
        this.el.canvas.style.cursor = 'grabbing';
        this.setHover(null, null);
      }
      this.panBy(d.x - p.x, d.y - p.y);
      d.x = p.x;
      d.y = p.y;
      return;
    }
    this.updateHover(p.x, p.y);
  }

  private onPointerUp(e: PointerEvent): void {
    const d = this.drag;
    this.drag = null;
    if (!d || d.id !== e.pointerId) return;
    this.el.canvas.style.cursor = '';
    const p = this.local(e);
    if (d.moved) {
      this.updateHover(p.x, p.y);
      return;
    }
    const w = toWorld(this.cam, p.x, p.y);
    const hit = this.layout ? hitTest(this.layout, w.x, w.y) : null;
    if (!hit) return;
    this.focusId = hit.cluster;
    const cell = hit.nodeIndex === undefined ? undefined : this.byId.get(hit.cluster)?.cells[hit.nodeIndex];
    if (cell) this.cb.openNode(hit.cluster, cell.n);
    else this.cb.openCluster(hit.cluster);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.cssH : 1;
    if (!e.ctrlKey && Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      this.panBy(e.deltaX * unit, 0);
      return;
    }
    // Trackpad pinch arrives as ctrl+wheel with small deltas: the same formula serves both.
    const factor = Math.exp(-e.deltaY * unit * (e.ctrlKey ? 0.01 : 0.0015));
    this.zoomBy(factor, e.clientX, e.clientY);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const dirs: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };
    const dir = dirs[e.key];
    let handled = true;
    if (dir && e.shiftKey) {
      const step = 0.2;
      const dx = dir === 'left' ? -this.cssW * step : dir === 'right' ? this.cssW * step : 0;
      const dy = dir === 'up' ? -this.cssH * step : dir === 'down' ? this.cssH * step : 0;
      this.panBy(dx, dy);
    } else if (dir) this.moveFocus(dir);
    else if (e.key === 'Home' || e.key === 'End') {
      const n = this.layout?.tiles.length ?? 0;
      if (n) this.focusTile(e.key === 'Home' ? 0 : n - 1);
    } else if (e.key === '+' || e.key === '=') this.zoomKey(1.25);
    else if (e.key === '-' || e.key === '_') this.zoomKey(0.8);
    else if (e.key === '0') this.resetView();
    else if (e.key === 'Enter' || e.key === ' ') {
      if (this.focusId) this.cb.openCluster(this.focusId);
    } else if (e.key === 'Escape' && this.focusId) {
      this.focusId = null;
      this.el.live.textContent = '';
      this.invalidate();
    } else handled = false;
    if (handled) e.preventDefault();
  }

  /** Keys zoom about the focused tile when it is on screen, else about the centre. */
  private zoomKey(f: number): void {
    const t = this.focusId ? this.tileOf(this.focusId) : undefined;
    if (t) {
      const s = toScreen(this.cam, t.x + t.w / 2, t.y + t.h / 2);
      if (s.x >= 0 && s.y >= 0 && s.x <= this.cssW && s.y <= this.cssH) {
        this.setCamera(zoomAt(this.cam, f, s.x, s.y, this.minZoom()));
        return;
      }
    }
    this.setCamera(zoomAt(this.cam, f, this.cssW / 2, this.cssH / 2, this.minZoom()));
  }

  private moveFocus(dir: Direction): void {
    const l = this.layout;
    if (!l || !l.tiles.length) return;
    const cur = this.focusId === null ? -1 : (l.byId.get(this.focusId) ?? -1);
    let next: number;
    if (cur < 0) {
      // Start from the first tile on screen.
      const vis = visibleTiles(l, worldViewport(this.cam, this.cssW, this.cssH));
      next = vis[0] ?? 0;
    } else next = neighbour(l, cur, dir);
    this.focusTile(next);
  }

  private focusTile(k: number): void {
    const t = this.layout?.tiles[k];
    if (!t) return;
    this.focusId = t.id;
    // Show the tile's header at least (a tile can be taller than the screen).
    const r = { x: t.x, y: t.y, w: Math.min(t.w, this.cssW / this.cam.zoom), h: Math.min(t.h, this.cssH / this.cam.zoom) };
    this.setCamera(revealRect(this.cam, r, this.cssW, this.cssH));
    const c = this.byId.get(t.id);
    if (c) {
      const s = statusLine(c, this.now, statusTime(this.fleet));
      this.el.live.textContent = `${safeName(c.context)}: ${s.text}, ${clusterCounts(c)}. Enter opens it.`;
    }
    this.invalidate();
  }

  private updateHover(sx: number, sy: number): void {
    if (!this.layout) return;
    const w = toWorld(this.cam, sx, sy);
    this.setHover(hitTest(this.layout, w.x, w.y), { x: sx, y: sy });
  }

  private setHover(hit: Hit | null, p: { x: number; y: number } | null): void {
    this.pointer = p;
    const same = hit?.cluster === this.hover?.cluster && hit?.nodeIndex === this.hover?.nodeIndex;
    this.el.canvas.style.cursor = hit ? 'pointer' : '';
    if (same) {
      if (hit) this.placeTooltip();
      return;
    }
    this.hover = hit;
    this.showTooltip();
    this.invalidate();
  }

  // ------------------------------------------------------------------------------ tooltip

  private showTooltip(): void {
    const tip = this.el.tooltip;
    const h = this.hover;
    const c = h ? this.byId.get(h.cluster) : undefined;
    if (!h || !c || !this.pointer) {
      tip.hidden = true;
      return;
    }
    const lines: string[] = [];
    let title: string;
    let sub: string;
    const cell = h.nodeIndex === undefined ? undefined : c.cells[h.nodeIndex];
    if (cell) {
      const s = nodeSummary(cell);
      title = s.name;
      sub = `${safeName(c.context, 60)} · ${statusLine(c, this.now, statusTime(this.fleet)).text}`;
      lines.push(...s.lines, 'click to open the node');
    } else {
      title = safeName(c.context);
      sub = statusLine(c, this.now, statusTime(this.fleet)).text;
      if (c.message) lines.push(safeName(c.message, 200));
      lines.push(clusterCounts(c));
      const share = (f: { allocatable: number; requested: number }) => percent(f.allocatable ? f.requested / f.allocatable : null);
      lines.push(`cpu ${share(c.cpu)} · memory ${share(c.memory)} · pods ${share(c.pods)} requested`);
      if (c.gpu.allocatable) lines.push(`accelerators ${c.gpu.requested}/${c.gpu.allocatable} allocated`);
      if (c.pendingPods) lines.push(`${c.pendingPods} pods pending`);
      if (c.storageProblems.total) lines.push(`${c.storageProblems.total} storage/CSI problems (${c.storageProblems.critical} critical)`);
      if (c.forbiddenKinds.length)
        lines.push(`not permitted: ${c.forbiddenKinds.slice(0, 4).join(', ')}${c.forbiddenKinds.length > 4 ? '…' : ''}`);
      if (c.partialKinds.length) {
        const kinds = c.partialKinds.map((p) => p.kind);
        lines.push(`only in some namespaces: ${kinds.slice(0, 4).join(', ')}${kinds.length > 4 ? '…' : ''}`);
      }
      if (c.computedAt) lines.push(`data as of ${new Date(c.computedAt).toLocaleString()}`);
      lines.push('click to open the cluster');
    }
    // Text nodes only: names and messages are never parsed as markup.
    const kids: HTMLElement[] = [];
    const strong = document.createElement('strong');
    strong.textContent = title;
    kids.push(strong);
    const s2 = document.createElement('div');
    s2.className = 'sub';
    s2.textContent = sub;
    kids.push(s2);
    for (const l of lines) {
      const d = document.createElement('div');
      d.textContent = l;
      kids.push(d);
    }
    tip.replaceChildren(...kids);
    tip.hidden = false;
    this.placeTooltip();
  }

  private placeTooltip(): void {
    const tip = this.el.tooltip;
    const p = this.pointer;
    if (!p || tip.hidden) return;
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    let x = p.x + 14;
    let y = p.y + 16;
    if (x + w > this.cssW - 4) x = Math.max(4, p.x - 14 - w);
    if (y + h > this.cssH - 4) y = Math.max(4, p.y - 12 - h);
    tip.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }

  // ------------------------------------------------------------------------------ drawing

  private invalidate(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.draw();
    });
  }

  private drawNow(): void {
    if (this.raf) {
      cancelAnimationFrame(this.raf);
      this.raf = 0;
    }
    this.draw();
  }

  private bucketsOf(c: ClusterTile): Uint8Array {
    let cc = this.colours.get(c.id);
    if (!cc || cc.cells !== c.cells || cc.measure !== this.measure) {
      cc = { cells: c.cells, measure: this.measure, buckets: cellBuckets(c.cells, this.measure) };
      this.colours.set(c.id, cc);
    }
    return cc.buckets;
  }

  private draw(): void {
    const fleet = this.fleet;
    const layout = this.layout;
    if (!fleet || !layout || !this.cssW || !this.cssH) return;
    const t0 = performance.now();
    this.frame++;
    const ctx = this.ctx;
    const pal = this.pal;
    const z = this.cam.zoom * this.dpr;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.fillStyle = pal.background;
    ctx.fillRect(0, 0, this.el.canvas.width, this.el.canvas.height);
    const vp = worldViewport(this.cam, this.cssW, this.cssH);
    const vis = visibleTiles(layout, vp);
    const fills = fillsFor(this.measure, pal);
    const withText = this.cam.zoom >= TEXT_STEPS[0];
    const moving = t0 - this.lastMove < SETTLE_MS;
    const sprites: SpritePass = { t0, moving, deferred: false, unsharp: false };

    for (const k of vis) {
      const t = layout.tiles[k]!;
      const c = this.byId.get(t.id);
      if (!c) continue;
      const x = (t.x - this.cam.x) * z;
      const y = (t.y - this.cam.y) * z;
      const w = t.w * z;
      const h = t.h * z;
      ctx.fillStyle = pal.tileBorder;
      ctx.fillRect(x - 1, y - 1, w + 2, h + 2);
      ctx.fillStyle = pal.tile;
      ctx.fillRect(x, y, w, h);
      ctx.fillStyle = pal.status[this.headerText(c).status.tone];
      if (withText) ctx.fillRect(x, y, w, Math.max(2, 3 * z));
      else {
        // Too small to read: the whole header is the status colour, so status stays visible.
        ctx.globalAlpha = 0.85;
        ctx.fillRect(x, y, w, HEADER * z);
        ctx.globalAlpha = 1;
      }
      if (t.n === 0) this.drawEmpty(t, c, z);
      else if (z > SPRITE_MAX_RES) {
        this.drawCellsVector(t, c, vp, fills, z, moving);
        // names drawn on one line while moving: wrap them once the camera rests
        if (moving && CELL * this.cam.zoom >= 40) sprites.unsharp = true;
      } else this.drawCellsSprite(t, c, vp, fills, z, sprites);
    }
    if (withText) for (const k of vis) this.drawHeader(layout.tiles[k]!, z);
    this.drawOverlays(layout, z);
    // At rest, with time left: sprites for the tiles around the screen too, so a pan finds them ready.
    if (!moving && z <= SPRITE_MAX_RES && !sprites.deferred) {
      const around = { x: vp.x - vp.w / 2, y: vp.y - vp.h / 2, w: vp.w * 2, h: vp.h * 2 };
      for (const k of visibleTiles(layout, around)) {
        const t = layout.tiles[k]!;
        const c = this.byId.get(t.id);
        if (!c || !t.n || this.spriteFor(t, c, fills, z, false)) continue;
        if (performance.now() - t0 >= SPRITE_BUDGET_MS) {
          sprites.deferred = true;
          break;
        }
        this.buildSprite(t, c, this.spriteKey(c, fills), idealRes(z), fills).used = this.frame;
      }
    }
    this.evictSprites();

    const ms = performance.now() - t0;
    if (this.frames.length >= MAX_FRAMES) this.frames.splice(0, MAX_FRAMES / 2);
    this.frames.push(ms);
    if (this.paintedFleet !== fleet) {
      this.paintedFleet = fleet;
      this.el.root.setAttribute('data-painted', String(fleet.version));
      performance.mark('map:painted');
    }
    // Sprites still to build (the frame showed scaled ones or drew cells directly): continue next
    // frame. Sprites that only are not sharp at this zoom: once the camera has rested.
    if (sprites.deferred && !moving) this.invalidate();
    else if ((sprites.deferred || sprites.unsharp) && moving && !this.settleTimer) {
      this.settleTimer = setTimeout(
        () => {
          this.settleTimer = undefined;
          this.invalidate();
        },
        Math.max(0, SETTLE_MS - (performance.now() - this.lastMove)) + 10,
      );
    }
  }

  private drawEmpty(t: TileBox, c: ClusterTile, z: number): void {
    if (CELL * this.cam.zoom < 7) return;
    const ctx = this.ctx;
    const font = `${Math.round(STATUS_FONT * textScale(this.cam.zoom) * this.dpr)}px ${this.font}`;
    ctx.font = font;
    ctx.fillStyle = this.pal.muted;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const msg = safeName(c.message ?? (c.status === 'offline' ? 'nothing cached for this cluster' : 'no nodes yet'), 200);
    ctx.fillText(this.text.fit(font, msg, (t.w - 2 * PAD) * z), (t.gridX - this.cam.x) * z, (t.gridY + PITCH - this.cam.y) * z);
  }

  /**
   * A tile's cells from its sprite: the grid drawn once at 0.25, 0.5, 1 or 2 device pixels per world
   * unit (the first at or above the current scale), then one drawImage per frame. A sprite is rebuilt
   * when the tile's cells, the measure or the theme change, or the zoom leaves its range: while the
   * camera moves, any sprite within 2.5x of the scale serves (slightly soft for a moment); at rest
   * they are rebuilt sharp. Rebuilding stops for the frame after SPRITE_BUDGET_MS (the rest follows in
   * the next frames), so no frame stalls rebuilding every tile at once.
   */
  private drawCellsSprite(
    t: TileBox,
    c: ClusterTile,
    vp: ReturnType<typeof worldViewport>,
    fills: string[],
    z: number,
    pass: SpritePass,
  ): void {
    let sp = this.spriteFor(t, c, fills, z, pass.moving);
    if (!sp) {
      const stale = this.spriteFor(t, c, fills, z, true, true);
      // The first frame of a fleet draws cells directly (cheaper than building sprites it would draw
      // once): opening the map is not held up.
      const firstFrame = this.paintedFleet !== this.fleet;
      if (!firstFrame && performance.now() - pass.t0 < SPRITE_BUDGET_MS)
        sp = this.buildSprite(t, c, this.spriteKey(c, fills), idealRes(z), fills);
      else {
        pass.deferred = true;
        if (!stale) {
          // At rest (a new fleet, measure or theme) every cell is drawn; mid-pan, a placeholder.
          if (firstFrame || !pass.moving) this.drawCellsVector(t, c, vp, fills, z);
          else this.drawPlaceholder(t, c, vp, fills, z);
          return;
        }
        sp = stale;
      }
    }
    if (!this.spriteFor(t, c, fills, z, false)) pass.unsharp = true;
    sp.used = this.frame;
    const r = visibleCells(t, vp);
    if (r.c1 <= r.c0 || r.r1 <= r.r0) return;
    // Only the visible part of the sprite (whole cells, source pixels clamped to the sprite).
    const wx = r.c0 * PITCH;
    const wy = r.r0 * PITCH;
    const ww = Math.min((r.c1 - r.c0) * PITCH, sp.worldW - wx);
    const wh = Math.min((r.r1 - r.r0) * PITCH, sp.worldH - wy);
    if (ww <= 0 || wh <= 0) return;
    const s = sp.res;
    let dx = (t.gridX + wx - this.cam.x) * z;
    let dy = (t.gridY + wy - this.cam.y) * z;
    const ctx = this.ctx;
    if (Math.abs(z - s) < 1e-9) {
      // 1:1: on whole pixels, no resampling
      dx = Math.round(dx);
      dy = Math.round(dy);
      ctx.imageSmoothingEnabled = false;
    } else {
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'low';
    }
    ctx.drawImage(sp.canvas, wx * s, wy * s, ww * s, wh * s, dx, dy, ww * z, wh * z);
  }

  /**
   * A tile whose sprite is not built yet, while the frame's budget is spent: its grid in the cluster's
   * most common colour, for the frame or two until the sprite is there (cheaper than every cell).
   */
  private drawPlaceholder(t: TileBox, c: ClusterTile, vp: ReturnType<typeof worldViewport>, fills: string[], z: number): void {
    const r = visibleCells(t, vp);
    if (r.c1 <= r.c0 || r.r1 <= r.r0) return;
    const buckets = this.bucketsOf(c);
    const counts = new Uint32Array(fills.length);
    for (let i = 0; i < buckets.length; i += 7) counts[buckets[i]!]!++;
    let mode = 0;
    for (let b = 1; b < counts.length; b++) if (counts[b]! > counts[mode]!) mode = b;
    const ctx = this.ctx;
    ctx.globalAlpha = DIMMED.has(c.status) ? 0.3 : 0.6;
    ctx.fillStyle = fills[mode]!;
    const rows = Math.min(r.r1, Math.ceil(t.n / t.cols));
    ctx.fillRect(
      (t.gridX + r.c0 * PITCH - this.cam.x) * z,
      (t.gridY + r.r0 * PITCH - this.cam.y) * z,
      (r.c1 - r.c0) * PITCH * z,
      (rows - r.r0) * PITCH * z,
    );
    ctx.globalAlpha = 1;
  }

  private spriteKey(c: ClusterTile, fills: string[]): string {
    return `${this.measure}|${this.pal.theme}|${DIMMED.has(c.status) ? 1 : 0}|${this.pal.tile}|${fills.join(',')}`;
  }

  /**
   * The tile's sprite if it shows the current cells and colours at a usable resolution: at rest, from
   * 15 % coarser than the scale to 4x finer (hysteresis: zooming to and fro across a step does not
   * rebuild); while moving, 2.5x either way; `any`: whatever its resolution.
   */
  private spriteFor(t: TileBox, c: ClusterTile, fills: string[], z: number, moving: boolean, any = false): Sprite | undefined {
    const sp = this.sprites.get(t.id);
    if (!sp || sp.cells !== c.cells || sp.cols !== t.cols || sp.key !== this.spriteKey(c, fills)) return undefined;
    if (any) return sp;
    const ok = moving ? sp.res >= z / 2.5 && sp.res <= z * 8 : sp.res >= z / 1.15 && sp.res <= z * 4;
    return ok ? sp : undefined;
  }

  private buildSprite(t: TileBox, c: ClusterTile, key: string, res: number, fills: string[]): Sprite {
    const rows = Math.ceil(t.n / t.cols);
    const worldW = t.cols * PITCH - GAP;
    const worldH = rows * PITCH - GAP;
    const w = Math.max(1, Math.ceil(worldW * res));
    const h = Math.max(1, Math.ceil(worldH * res));
    const old = this.sprites.get(t.id);
    let canvas: OffscreenCanvas | HTMLCanvasElement;
    if (old && old.canvas.width === w && old.canvas.height === h) canvas = old.canvas;
    else if (typeof OffscreenCanvas === 'function') canvas = new OffscreenCanvas(w, h);
    else {
      canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
    }
    const sctx = canvas.getContext('2d', { alpha: false }) as CanvasRenderingContext2D | null;
    if (!sctx) throw new Error('no 2D context for a map sprite');
    sctx.setTransform(1, 0, 0, 1, 0, 0);
    sctx.globalAlpha = 1;
    sctx.fillStyle = this.pal.tile;
    sctx.fillRect(0, 0, w, h);
    this.paintCells(sctx, t, c, fills, res, 0, 0, { c0: 0, c1: t.cols, r0: 0, r1: rows }, 0);
    const sp: Sprite = { canvas, cells: c.cells, key, res, cols: t.cols, worldW, worldH, used: this.frame, px: w * h };
    this.spritePx += sp.px - (old?.px ?? 0);
    this.sprites.set(t.id, sp);
    return sp;
  }

  /** Keep sprites within SPRITE_MAX_PX: drop the least recently drawn, never one drawn this frame. */
  private evictSprites(): void {
    if (this.spritePx <= SPRITE_MAX_PX) return;
    const old = [...this.sprites.entries()].filter(([, s]) => s.used < this.frame).sort((a, b) => a[1].used - b[1].used);
    for (const [id, s] of old) {
      if (this.spritePx <= SPRITE_MAX_PX * 0.75) break;
      this.sprites.delete(id);
      this.spritePx -= s.px;
    }
  }

  /** Cells straight onto the screen: only when cells are large, so few are visible. */
  private drawCellsVector(
    t: TileBox,
    c: ClusterTile,
    vp: ReturnType<typeof worldViewport>,
    fills: string[],
    z: number,
    moving = false,
  ): void {
    const r = visibleCells(t, vp);
    if (r.c1 <= r.c0 || r.r1 <= r.r0) return;
    // Node names once a cell is 40 CSS pixels wide: one line while the camera moves, wrapped at rest.
    const names = CELL * this.cam.zoom < 40 ? 0 : moving ? 1 : 4;
    this.paintCells(this.ctx, t, c, fills, z, (t.gridX - this.cam.x) * z, (t.gridY - this.cam.y) * z, r, names);
  }

  /** Paint a range of a tile's cells at `z` device pixels per world unit, cell 0 at (gx, gy). */
  private paintCells(
    ctx: CanvasRenderingContext2D,
    t: TileBox,
    c: ClusterTile,
    fills: string[],
    z: number,
    gx: number,
    gy: number,
    r: CellRange,
    /** at most this many lines of node name per cell (0: none) */
    names: number,
  ): void {
    const buckets = this.bucketsOf(c);
    const cells = c.cells;
    const p = PITCH * z;
    const s = CELL * z;
    const crisp = s >= 3;
    const dim = DIMMED.has(c.status);
    if (dim) ctx.globalAlpha = 0.45;
    const marks = s >= 6;
    let acc: number[] | null = null;
    let csi: number[] | null = null;
    let cordon: number[] | null = null;
    let cur = -1;
    const cols = t.cols;
    const n = t.n;
    for (let row = r.r0; row < r.r1; row++) {
      const y0 = gy + row * p;
      const yy = crisp ? Math.round(y0) : y0;
      const hh = crisp ? Math.round(y0 + s) - yy : s;
      let i = row * cols + r.c0;
      for (let col = r.c0; col < r.c1 && i < n; col++, i++) {
        const b = buckets[i]!;
        if (b !== cur) {
          cur = b;
          ctx.fillStyle = fills[b]!;
        }
        const x0 = gx + col * p;
        if (crisp) {
          const xx = Math.round(x0);
          ctx.fillRect(xx, yy, Math.round(x0 + s) - xx, hh);
        } else ctx.fillRect(x0, y0, s, s);
        if (marks) {
          const cell = cells[i]!;
          if (cell.a > 0) (acc ??= []).push(i);
          if (cell.s > 0) (csi ??= []).push(i);
          if (cell.k) (cordon ??= []).push(i);
        }
      }
    }
    if (dim) ctx.globalAlpha = 1;
    if (!marks) return;
    const at = (i: number) => ({ x: gx + (i % cols) * p, y: gy + Math.floor(i / cols) * p });
    if (acc) {
      // accelerators: a corner triangle, top right
      const m = s * 0.45;
      ctx.beginPath();
      for (const i of acc) {
        const o = at(i);
        ctx.moveTo(o.x + s - m, o.y);
        ctx.lineTo(o.x + s, o.y);
        ctx.lineTo(o.x + s, o.y + m);
        ctx.closePath();
      }
      ctx.fillStyle = this.pal.accelerator;
      ctx.fill();
    }
    if (cordon) {
      // cordoned: a diagonal stroke
      ctx.beginPath();
      for (const i of cordon) {
        const o = at(i);
        ctx.moveTo(o.x + s * 0.15, o.y + s * 0.85);
        ctx.lineTo(o.x + s * 0.85, o.y + s * 0.15);
      }
      ctx.strokeStyle = this.pal.cordon;
      ctx.lineWidth = Math.max(1, s * 0.1);
      ctx.stroke();
    }
    if (csi) {
      // CSI problems: a dot, bottom left (ringed once there is room, so it shows on any fill)
      const ring = s >= 16;
      const rad = ring ? s * 0.16 : Math.max(1.6, s * 0.22);
      const off = ring ? rad * 1.7 : rad + Math.max(0.5, s * 0.06);
      ctx.beginPath();
      for (const i of csi) {
        const o = at(i);
        ctx.moveTo(o.x + off + rad, o.y + s - off);
        ctx.arc(o.x + off, o.y + s - off, rad, 0, Math.PI * 2);
      }
      ctx.fillStyle = this.pal.csi;
      ctx.fill();
      if (ring) {
        ctx.strokeStyle = this.pal.tile;
        ctx.lineWidth = Math.max(1, rad * 0.4);
        ctx.stroke();
      }
    }
    if (names) this.paintNames(ctx, t, c, buckets, fills, z, gx, gy, r, names);
  }

  /** Node names on cells (large cells only): the part that tells a cluster's nodes apart, wrapped. */
  private paintNames(
    ctx: CanvasRenderingContext2D,
    t: TileBox,
    c: ClusterTile,
    buckets: Uint8Array,
    fills: string[],
    z: number,
    gx: number,
    gy: number,
    r: CellRange,
    lines: number,
  ): void {
    const short = this.shortNamesOf(c);
    const s = CELL * z;
    const p = PITCH * z;
    // One size at every zoom (more lines on bigger cells): each new font size costs a frame its glyphs.
    const fontPx = Math.round(NODE_FONT * this.dpr);
    const font = `${fontPx}px ${this.font}`;
    const lineH = fontPx * 1.2;
    const maxLines = Math.max(1, Math.min(lines, Math.floor((s * 0.9) / lineH)));
    // in steps of 8 device pixels, so zooming does not miss the wrap cache on every frame
    const inner = Math.max(8, Math.floor((s * 0.88) / 8) * 8);
    ctx.font = font;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const on = fills.map(textOn);
    const cols = t.cols;
    for (let row = r.r0; row < r.r1; row++) {
      for (let col = r.c0, i = row * cols + r.c0; col < r.c1 && i < t.n; col++, i++) {
        const text = this.text.wrap(font, short[i] ?? '', inner, maxLines);
        ctx.fillStyle = on[buckets[i]!]!;
        const x = gx + col * p + s * 0.06;
        const y = gy + row * p + s / 2 - ((text.length - 1) * lineH) / 2;
        for (let l = 0; l < text.length; l++) ctx.fillText(text[l]!, x, y + l * lineH);
      }
    }
  }

  private shortNamesOf(c: ClusterTile): string[] {
    let sn = this.shortNames.get(c.id);
    if (!sn || sn.cells !== c.cells) {
      sn = { cells: c.cells, names: shortNames(c.cells.map((x) => safeName(x.n))) };
      this.shortNames.set(c.id, sn);
    }
    return sn.names;
  }

  private drawHeader(t: TileBox, z: number): void {
    const c = this.byId.get(t.id);
    if (!c) return;
    const ctx = this.ctx;
    const pal = this.pal;
    // Text grows with the zoom in a few steps (each font size costs its glyphs once), and sticks to the
    // screen's edges while the tile is wider than the screen.
    const tz = textScale(this.cam.zoom) * this.dpr;
    const top = (t.y - this.cam.y) * z;
    const edge = 4 * this.dpr;
    const x = Math.max((t.x - this.cam.x) * z + PAD * tz, edge);
    const right = Math.min((t.x + t.w - this.cam.x) * z - PAD * tz, this.el.canvas.width - edge);
    const avail = right - x;
    if (avail < 20) return;
    const y1 = top + 19 * tz;
    const y2 = top + 34 * tz;
    ctx.textBaseline = 'alphabetic';
    const hd = this.headerText(c);
    // line 1: the context name, and the node count on the right
    const small = `${Math.round(STATUS_FONT * tz)}px ${this.font}`;
    const countsW = this.text.width(small, hd.counts);
    const bold = `600 ${Math.round(NAME_FONT * tz)}px ${this.font}`;
    ctx.font = bold;
    ctx.textAlign = 'left';
    ctx.fillStyle = pal.text;
    ctx.fillText(this.text.fit(bold, hd.name, avail - countsW - 8 * tz), x, y1);
    ctx.font = small;
    ctx.fillStyle = pal.muted;
    ctx.textAlign = 'right';
    ctx.fillText(hd.counts, right, y1);
    // line 2: the status, and badges on the right
    let bx = right;
    for (const b of hd.badges) {
      const bw = this.text.width(small, b.text);
      if (bx - bw < x + avail * 0.45) break;
      ctx.fillStyle = b.tone === 'csi' ? pal.csi : b.tone === 'bad' ? pal.status.bad : pal.muted;
      ctx.fillText(b.text, bx, y2);
      bx -= bw + 8 * tz;
    }
    ctx.textAlign = 'left';
    ctx.fillStyle = pal.status[hd.status.tone];
    ctx.fillText(this.text.fit(small, hd.status.text, bx - x - 4 * tz), x, y2);
  }

  /** A tile header's strings, made once per (cluster view, clock tick) rather than per frame. */
  private headerText(c: ClusterTile): HeaderText {
    let h = this.headers.get(c.id);
    if (h && h.tile === c && h.now === this.now) return h;
    const badges: HeaderText['badges'] = [];
    if (c.storageProblems.total) badges.push({ text: `● CSI ${num(c.storageProblems.total)}`, tone: 'csi' });
    if (c.nodes.byLevel.critical) badges.push({ text: `${num(c.nodes.byLevel.critical)} critical`, tone: 'bad' });
    if (c.gpu.allocatable) badges.push({ text: `◥ ${num(c.gpu.allocatable)} accel.`, tone: 'muted' });
    h = {
      tile: c,
      now: this.now,
      name: safeName(c.context),
      counts: `${num(c.cells.length)} node${c.cells.length === 1 ? '' : 's'}`,
      status: statusLine(c, this.now, statusTime(this.fleet)),
      badges,
    };
    this.headers.set(c.id, h);
    return h;
  }

  private drawOverlays(layout: Layout, z: number): void {
    const ctx = this.ctx;
    const h = this.hover;
    if (h && !this.drag?.moved) {
      const t = layout.tiles[h.tile];
      if (t && t.id === h.cluster) {
        const r = h.nodeIndex === undefined ? { x: t.x, y: t.y, w: t.w, h: t.h } : cellRect(t, h.nodeIndex);
        ctx.strokeStyle = this.pal.hover;
        ctx.lineWidth = Math.max(1.5, this.dpr * 1.5);
        const o = ctx.lineWidth / 2 + (h.nodeIndex === undefined ? 0 : 1);
        ctx.strokeRect((r.x - this.cam.x) * z - o, (r.y - this.cam.y) * z - o, r.w * z + 2 * o, r.h * z + 2 * o);
      }
    }
    if (this.focusId && this.hasFocus) {
      const t = this.tileOf(this.focusId);
      if (t) {
        ctx.strokeStyle = this.pal.focus;
        ctx.lineWidth = 3 * this.dpr;
        const o = 4 * this.dpr;
        ctx.strokeRect((t.x - this.cam.x) * z - o, (t.y - this.cam.y) * z - o, t.w * z + 2 * o, t.h * z + 2 * o);
      }
    }
  }
}
