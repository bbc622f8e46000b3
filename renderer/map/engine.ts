// The fleet map outside React (the Excalidraw/tldraw shape): React hands it the fleet, the measure and
// the clock; it keeps the hover and the focus cursor, and draws in requestAnimationFrame only when
// something changed (a dirty flag, never a loop: canvas/view.ts). This is the facade that wires the parts:
//   camera.ts   where the screen looks (pan, zoom, clamping, the home view; what keys do)
//   canvas/     the canvas views' machinery: the frame loop and sizing (view.ts), pointer, wheel and
//               keys on the canvas (input.ts), the cameras' move clock, keys and wheel (camera.ts)
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
import { MapCamera, keyCommand, type KeyCommand } from './camera.ts';
import { palette, sameCells, type Palette, type Theme } from './colors.ts';
import type { CanvasInput } from '../canvas/input.ts';
import { CanvasView, cssVars, type CanvasElements } from '../canvas/view.ts';
import { MapPainter } from './paint.ts';
import { SpriteCache } from './sprites.ts';
import { TextFit } from './textfit.ts';
import { MapTooltip, tooltipText } from './tooltip.ts';
import { clusterCounts, safeName, statusLine, statusTime } from './text.ts';

/** The map grouped by a label's value: a heading per group (in order), each cluster's group index. */
export interface MapGrouping {
  headings: string[];
  of: ReadonlyMap<string, number>;
}

export interface MapCallbacks {
  openCluster(cluster: string): void;
  openNode(cluster: string, node: string): void;
  /** the legend follows the theme */
  paletteChanged?(p: Palette): void;
}

export interface MapElements extends CanvasElements {
  /** aria-live region: what the keyboard focus cursor is on */
  live: HTMLElement;
}

/** The palette of a theme, with the app's own colours (CSS custom properties) where it defines them. */
export function themePalette(theme: Theme, el: Element | null): Palette {
  const base = palette(theme);
  const v = cssVars(el);
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
  private readonly el: MapElements;
  private readonly cb: MapCallbacks;
  private readonly screen: CanvasView;
  private readonly painter: MapPainter;
  private readonly camera: MapCamera;
  private readonly input: CanvasInput<KeyCommand>;
  private readonly tooltip: MapTooltip;

  private fleet: FleetDTO | null = null;
  private measure: Measure = 'health';
  private now = Date.now();
  private byId = new Map<string, ClusterTile>();
  private layout: Layout | null = null;
  private layoutKey = '';
  /** grouped by a label: the groups' headings, and each cluster's group */
  private grouping: MapGrouping | null = null;
  private statusSig = '';

  private pal: Palette = palette('light');
  private font = 'system-ui, sans-serif';

  private hover: Hit | null = null;
  private pointer: { x: number; y: number } | null = null;
  private focusId: string | null = null;

  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private paintedFleet: FleetDTO | null = null;

  constructor(el: MapElements, cb: MapCallbacks) {
    this.el = el;
    this.cb = cb;
    this.screen = new CanvasView(el.root, el.canvas, { resized: (sizeChanged) => this.resized(sizeChanged), draw: () => this.draw() });
    const ctx = this.screen.ctx;
    this.painter = new MapPainter(ctx, new TextFit(ctx), new SpriteCache());
    this.tooltip = new MapTooltip(el.tooltip);
    this.camera = new MapCamera(() => {
      if (this.pointer && !this.input.pressed) this.hoverAt(this.pointer.x, this.pointer.y);
      this.screen.invalidate();
    });
    this.screen.watchTheme((theme, font) => this.setTheme(theme, font));

    this.input = this.screen.input<KeyCommand>(
      {
        moveBy: (dx, dy) => this.panBy(dx, dy),
        zoomAt: (f, x, y) => this.camera.zoomBy(f, x, y),
        pointer: (p) => (p ? this.hoverAt(p.x, p.y) : this.setHover(null, null)),
        click: (p) => this.click(p.x, p.y),
        key: (cmd) => this.key(cmd),
      },
      { keyCommand },
    );
  }

  /** ms of each draw(), for tests and benchmarks (the same array for the engine's life) */
  get frames(): number[] {
    return this.screen.frames;
  }

  destroy(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.screen.destroy();
  }

  // ------------------------------------------------------------------------------ inputs

  setData(fleet: FleetDTO, measure: Measure, now: number, grouping: MapGrouping | null = null): void {
    if (grouping !== this.grouping) {
      this.grouping = grouping;
      this.layoutKey = '';
      if (fleet === this.fleet) {
        this.relayout();
        this.screen.invalidate();
      }
    }
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
    if (!this.screen.cssW) {
      // Mounting: the element has its size now (React commits before the browser paints); drawing
      // here puts the map in this very frame instead of after the next frame's ResizeObserver.
      this.screen.resize();
      if (this.paintedFleet === fleet) return;
    }
    this.screen.invalidate();
  }

  /** The status texts of the tiles on screen (a tick that changes none of them draws nothing). */
  private statusSignature(): string {
    const l = this.layout;
    if (!l || !this.screen.cssW) return '';
    let sig = '';
    for (const k of visibleTiles(l, this.camera.viewport())) {
      const c = this.byId.get(l.tiles[k]!.id);
      if (c) sig += `${this.painter.headerText(c, this.now, this.fleet).status.text}\n`;
    }
    return sig;
  }

  private setTheme(theme: Theme, font: string): void {
    this.pal = themePalette(theme, this.el.root);
    if (font) this.font = font;
    this.cb.paletteChanged?.(this.pal);
    this.screen.invalidate();
  }

  get currentPalette(): Palette {
    return this.pal;
  }

  /** The canvas was resized (canvas/view.ts draws right after). */
  private resized(sizeChanged: boolean): void {
    this.camera.setScreen(this.screen.cssW, this.screen.cssH);
    // (the height too: a small fleet's enlargement depends on it)
    if (sizeChanged) this.relayout();
    this.camera.reclamp();
  }

  private relayout(): void {
    const { cssW, cssH } = this.screen;
    if (!this.fleet || !cssW) return;
    const g = this.grouping;
    const key = `${cssW}x${cssH}|${g ? g.headings.join('\u0000') : ''}|${this.fleet.clusters
      .map((c) => `${c.id}:${c.cells.length}:${c.favourite ? 1 : 0}:${g?.of.get(c.id) ?? ''}`)
      .join('|')}`;
    if (key === this.layoutKey && this.layout) return;
    this.layoutKey = key;
    // A small fleet is laid out narrower and shown enlarged (fitLayout); favourites first, by group.
    const fit = fitLayout(
      this.fleet.clusters.map((c) => ({ id: c.id, nodes: c.cells.length, pinned: !!c.favourite, group: g?.of.get(c.id) ?? 0 })),
      cssW,
      cssH,
      g?.headings,
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
        this.screen.invalidate();
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
    this.screen.invalidate();
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
      if (hit && p) this.tooltip.place(p, this.screen.cssW, this.screen.cssH);
      return;
    }
    this.hover = hit;
    this.showTooltip();
    this.screen.invalidate();
  }

  private showTooltip(): void {
    const h = this.hover;
    const c = h ? this.byId.get(h.cluster) : undefined;
    if (!h || !c || !this.pointer) {
      this.tooltip.hide();
      return;
    }
    this.tooltip.show(tooltipText(c, h.nodeIndex, this.now, statusTime(this.fleet)), this.pointer, this.screen.cssW, this.screen.cssH);
  }

  // ------------------------------------------------------------------------------ drawing

  /** The groups' headings (grouped by a label), in the bands the layout left above each group; a star on favourites. */
  private drawHeadings(layout: Layout): void {
    const ctx = this.screen.ctx;
    const cam = this.camera.cam;
    const z = cam.zoom * this.screen.dpr;
    const favs = this.fleet?.clusters.filter((c) => c.favourite) ?? [];
    if (favs.length && cam.zoom >= 0.35) {
      const sz = Math.round(Math.max(10, Math.min(16, 13 * Math.sqrt(cam.zoom))) * this.screen.dpr);
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.font = `${sz}px ${this.font}`;
      ctx.textBaseline = 'top';
      ctx.textAlign = 'right';
      ctx.fillStyle = '#e0a100';
      for (const c of favs) {
        const t = this.tileOf(c.id);
        if (!t) continue;
        ctx.fillText('★', (t.x + t.w - cam.x) * z - 4 * this.screen.dpr, (t.y - cam.y) * z + 4 * this.screen.dpr);
      }
      ctx.restore();
    }
    if (!layout.headings.length) return;
    const px = Math.max(9, Math.min(18, 15 * Math.sqrt(cam.zoom))) * this.screen.dpr;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.font = `600 ${Math.round(px)}px ${this.font}`;
    ctx.textBaseline = 'middle';
    ctx.fillStyle = this.pal.text;
    const canvasH = this.el.canvas.height;
    for (const h of layout.headings) {
      const y = (h.y + h.h / 2 - cam.y) * z;
      if (y < -px || y > canvasH + px) continue;
      const x = Math.max((h.x - cam.x) * z, 4 * this.screen.dpr);
      // (text only: fillText draws it as it is, nothing in it is markup)
      ctx.fillText(`${h.label} · ${h.count}`, x, y);
    }
    ctx.restore();
  }

  private draw(): void {
    const fleet = this.fleet;
    const layout = this.layout;
    const { cssW, cssH } = this.screen;
    if (!fleet || !layout || !cssW || !cssH) return;
    const t0 = performance.now();
    const moving = this.camera.restsIn(t0) > 0;
    const done = this.painter.paint({
      fleet,
      byId: this.byId,
      layout,
      measure: this.measure,
      now: this.now,
      cam: this.camera.cam,
      screenW: cssW,
      screenH: cssH,
      canvasW: this.el.canvas.width,
      canvasH: this.el.canvas.height,
      dpr: this.screen.dpr,
      pal: this.pal,
      font: this.font,
      t0,
      moving,
      firstFrame: this.paintedFleet !== fleet,
      hover: this.hover,
      dragging: this.input.dragging,
      focus: this.focusId && this.screen.hasFocus ? this.tileOf(this.focusId) : undefined,
    });

    this.drawHeadings(layout);
    this.screen.frameDrawn(t0);
    if (this.paintedFleet !== fleet) {
      this.paintedFleet = fleet;
      this.el.root.setAttribute('data-painted', String(fleet.version));
      performance.mark('map:painted');
    }
    // Sprites still to build (the frame showed scaled ones or drew cells directly): continue next
    // frame. Sprites that only are not sharp at this zoom: once the camera has rested.
    if (done.deferred && !moving) this.screen.invalidate();
    else if ((done.deferred || done.unsharp) && moving && !this.settleTimer) {
      this.settleTimer = setTimeout(
        () => {
          this.settleTimer = undefined;
          this.screen.invalidate();
        },
        this.camera.restsIn(performance.now()) + 10,
      );
    }
  }
}
