// The fleet map outside React (the Excalidraw/tldraw shape): React hands it the fleet, the measure and
// the clock; it keeps the hover and the focus cursor, and draws in requestAnimationFrame only when
// something changed (a dirty flag, never a loop). This is the facade that wires the parts:
//   camera.ts   where the screen looks (pan, zoom, clamping, the home view; what keys and wheel do)
//   input.ts    pointer, wheel and keys on the canvas
//   paint.ts    one frame: tiles, cells, headers, overlays
//   sprites.ts  the per-cluster sprite cache (build, budget, eviction)
//   textfit.ts  text measuring
//   tooltip.ts  the hover box
//   layout.ts   the geometry: tiles, rows, cells, hit testing
//
// Up to 2 device pixels per world unit a tile's cells are a sprite (built once per view, measure,
// theme and resolution step, a few ms of building per frame at most), so a frame is one drawImage per
// tile; closer in, the few visible cells are drawn directly, with markers (accelerators, CSI problems,
// cordon) and, from 40 CSS pixels a cell, node names. Headers and overlays are drawn every frame.
import type { ClusterTile, FleetDTO, Measure } from '../../common/contract.ts';
import { cellRect, fitLayout, hitTest, neighbour, visibleTiles, type Direction, type Hit, type Layout, type TileBox } from './layout.ts';
import { MapCamera, type KeyCommand } from './camera.ts';
import { palette, sameCells, type Palette, type Theme } from './colors.ts';
import { MapInput, listen } from './input.ts';
import { MapPainter } from './paint.ts';
import { SpriteCache } from './sprites.ts';
import { TextFit } from './textfit.ts';
import { MapTooltip, tooltipText } from './tooltip.ts';
import { clusterCounts, safeName, statusLine, statusTime } from './text.ts';

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

const MAX_FRAMES = 5000;

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

export class MapEngine {
  /** ms of each draw(), for tests and benchmarks (the same array for the engine's life) */
  readonly frames: number[] = [];
  private readonly el: MapElements;
  private readonly cb: MapCallbacks;
  private readonly painter: MapPainter;
  private readonly camera: MapCamera;
  private readonly input: MapInput;
  private readonly tooltip: MapTooltip;

  private fleet: FleetDTO | null = null;
  private measure: Measure = 'health';
  private now = Date.now();
  private byId = new Map<string, ClusterTile>();
  private layout: Layout | null = null;
  private layoutKey = '';
  private statusSig = '';

  private cssW = 0;
  private cssH = 0;
  private dpr = 1;
  private pal: Palette = palette('light');
  private font = 'system-ui, sans-serif';

  private hover: Hit | null = null;
  private pointer: { x: number; y: number } | null = null;
  private focusId: string | null = null;
  private hasFocus = false;

  private raf = 0;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private paintedFleet: FleetDTO | null = null;
  private readonly cleanup: (() => void)[] = [];

  constructor(el: MapElements, cb: MapCallbacks) {
    this.el = el;
    this.cb = cb;
    const ctx = el.canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('no 2D canvas context');
    this.painter = new MapPainter(ctx, new TextFit(ctx), new SpriteCache());
    this.tooltip = new MapTooltip(el.tooltip);
    this.camera = new MapCamera(() => {
      if (this.pointer && !this.input.pressed) this.hoverAt(this.pointer.x, this.pointer.y);
      this.invalidate();
    });

    const dark = window.matchMedia('(prefers-color-scheme: dark)');
    const onTheme = () => this.setTheme(dark.matches ? 'dark' : 'light');
    onTheme();
    listen(this.cleanup, dark, 'change', onTheme);

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

    this.input = new MapInput(el.canvas, {
      panBy: (dx, dy) => this.panBy(dx, dy),
      zoomAt: (f, x, y) => this.camera.zoomBy(f, x, y),
      pointer: (p) => (p ? this.hoverAt(p.x, p.y) : this.setHover(null, null)),
      click: (p) => this.click(p.x, p.y),
      key: (cmd) => this.key(cmd),
      focus: (has) => {
        this.hasFocus = has;
        this.invalidate();
      },
      screenH: () => this.cssH,
    });
    this.cleanup.push(() => this.input.destroy());
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
      this.painter.setFleet(before, this.byId, sameCells);
      this.relayout();
    }
    if (fleetChanged || measure !== this.measure) {
      this.measure = measure;
      this.painter.setMeasure(this.byId, measure);
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
    for (const k of visibleTiles(l, this.camera.viewport())) {
      const c = this.byId.get(l.tiles[k]!.id);
      if (c) sig += `${this.painter.headerText(c, this.now, this.fleet).status.text}\n`;
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
    this.camera.setScreen(w, h);
    this.el.canvas.width = Math.max(1, Math.round(w * dpr));
    this.el.canvas.height = Math.max(1, Math.round(h * dpr));
    // (the height too: a small fleet's enlargement depends on it)
    if (sizeChanged) this.relayout();
    this.camera.reclamp();
    // Resizing cleared the canvas: draw now, before this frame is painted (ResizeObserver runs after
    // layout, before paint), rather than show a blank frame.
    this.drawNow();
  }

  private relayout(): void {
    if (!this.fleet || !this.cssW) return;
    const key = `${this.cssW}x${this.cssH}|${this.fleet.clusters.map((c) => `${c.id}:${c.cells.length}`).join('|')}`;
    if (key === this.layoutKey && this.layout) return;
    this.layoutKey = key;
    // A small fleet is laid out narrower and shown enlarged (fitLayout).
    const fit = fitLayout(
      this.fleet.clusters.map((c) => ({ id: c.id, nodes: c.cells.length })),
      this.cssW,
      this.cssH,
    );
    this.layout = fit.layout;
    this.camera.fit(fit.layout, fit.zoom);
    if (this.hover) this.setHover(null, null);
  }

  /** Move the view by (dx, dy) CSS pixels (the map moves the other way). */
  panBy(dx: number, dy: number): void {
    this.camera.panBy(dx, dy);
  }

  /** Zoom by `factor` about a point given in client coordinates (default: the map's centre). */
  zoomBy(factor: number, clientX?: number, clientY?: number): void {
    const p = this.input.local(clientX ?? 0, clientY ?? 0);
    this.camera.zoomBy(factor, clientX === undefined ? undefined : p.x, clientY === undefined ? undefined : p.y);
  }

  resetView(): void {
    this.camera.reset();
  }

  /** Client coordinates of a node cell's centre, panning (and zooming in if cells are tiny) to show it. */
  cellAt(cluster: string, node: string): { x: number; y: number } | null {
    const t = this.tileOf(cluster);
    const tile = this.byId.get(cluster);
    if (!t || !tile) return null;
    const i = tile.cells.findIndex((c) => c.n === node);
    if (i < 0) return null;
    const rect = cellRect(t, i);
    this.camera.showCell(rect);
    const s = this.camera.toScreen(rect.x + rect.w / 2, rect.y + rect.h / 2);
    const r = this.el.canvas.getBoundingClientRect();
    return { x: r.left + s.x, y: r.top + s.y };
  }

  private tileOf(cluster: string): TileBox | undefined {
    const k = this.layout?.byId.get(cluster);
    return k === undefined ? undefined : this.layout?.tiles[k];
  }

  // ------------------------------------------------------------------------------ pointer, keys, focus

  private click(sx: number, sy: number): void {
    const w = this.camera.toWorld(sx, sy);
    const hit = this.layout ? hitTest(this.layout, w.x, w.y) : null;
    if (!hit) return;
    this.focusId = hit.cluster;
    const cell = hit.nodeIndex === undefined ? undefined : this.byId.get(hit.cluster)?.cells[hit.nodeIndex];
    if (cell) this.cb.openNode(hit.cluster, cell.n);
    else this.cb.openCluster(hit.cluster);
  }

  private key(cmd: KeyCommand): boolean {
    switch (cmd.kind) {
      case 'pan':
        this.camera.panKey(cmd.dir);
        return true;
      case 'focus':
        this.moveFocus(cmd.dir);
        return true;
      case 'first':
      case 'last': {
        const n = this.layout?.tiles.length ?? 0;
        if (n) this.focusTile(cmd.kind === 'first' ? 0 : n - 1);
        return true;
      }
      case 'zoom':
        this.camera.zoomKey(cmd.factor, this.focusId ? this.tileOf(this.focusId) : undefined);
        return true;
      case 'reset':
        this.resetView();
        return true;
      case 'open':
        if (this.focusId) this.cb.openCluster(this.focusId);
        return true;
      case 'escape':
        if (!this.focusId) return false;
        this.focusId = null;
        this.el.live.textContent = '';
        this.invalidate();
        return true;
    }
  }

  private moveFocus(dir: Direction): void {
    const l = this.layout;
    if (!l || !l.tiles.length) return;
    const cur = this.focusId === null ? -1 : (l.byId.get(this.focusId) ?? -1);
    // From nothing: the first tile on screen.
    const next = cur < 0 ? (visibleTiles(l, this.camera.viewport())[0] ?? 0) : neighbour(l, cur, dir);
    this.focusTile(next);
  }

  private focusTile(k: number): void {
    const t = this.layout?.tiles[k];
    if (!t) return;
    this.focusId = t.id;
    this.camera.showTile(t);
    const c = this.byId.get(t.id);
    if (c) {
      const s = statusLine(c, this.now, statusTime(this.fleet));
      this.el.live.textContent = `${safeName(c.context)}: ${s.text}, ${clusterCounts(c)}. Enter opens it.`;
    }
    this.invalidate();
  }

  private hoverAt(sx: number, sy: number): void {
    if (!this.layout) return;
    const w = this.camera.toWorld(sx, sy);
    this.setHover(hitTest(this.layout, w.x, w.y), { x: sx, y: sy });
  }

  private setHover(hit: Hit | null, p: { x: number; y: number } | null): void {
    this.pointer = p;
    const same = hit?.cluster === this.hover?.cluster && hit?.nodeIndex === this.hover?.nodeIndex;
    this.el.canvas.style.cursor = hit ? 'pointer' : '';
    if (same) {
      if (hit && p) this.tooltip.place(p, this.cssW, this.cssH);
      return;
    }
    this.hover = hit;
    this.showTooltip();
    this.invalidate();
  }

  private showTooltip(): void {
    const h = this.hover;
    const c = h ? this.byId.get(h.cluster) : undefined;
    if (!h || !c || !this.pointer) {
      this.tooltip.hide();
      return;
    }
    this.tooltip.show(tooltipText(c, h.nodeIndex, this.now, statusTime(this.fleet)), this.pointer, this.cssW, this.cssH);
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

  private draw(): void {
    const fleet = this.fleet;
    const layout = this.layout;
    if (!fleet || !layout || !this.cssW || !this.cssH) return;
    const t0 = performance.now();
    const moving = this.camera.restsIn(t0) > 0;
    const done = this.painter.paint({
      fleet,
      byId: this.byId,
      layout,
      measure: this.measure,
      now: this.now,
      cam: this.camera.cam,
      screenW: this.cssW,
      screenH: this.cssH,
      canvasW: this.el.canvas.width,
      canvasH: this.el.canvas.height,
      dpr: this.dpr,
      pal: this.pal,
      font: this.font,
      t0,
      moving,
      firstFrame: this.paintedFleet !== fleet,
      hover: this.hover,
      dragging: this.input.dragging,
      focus: this.focusId && this.hasFocus ? this.tileOf(this.focusId) : undefined,
    });

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
    if (done.deferred && !moving) this.invalidate();
    else if ((done.deferred || done.unsharp) && moving && !this.settleTimer) {
      this.settleTimer = setTimeout(
        () => {
          this.settleTimer = undefined;
          this.invalidate();
        },
        this.camera.restsIn(performance.now()) + 10,
      );
    }
  }
}
