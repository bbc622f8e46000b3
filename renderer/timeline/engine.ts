// The fleet timeline outside React (as renderer/map): React hands it the marks, the time shown and the
// selection; it keeps the camera, the hover and the tooltip, and draws in requestAnimationFrame only
// when something changed (a dirty flag, never a loop: canvas/view.ts). The facade wires the parts:
//   camera.ts  the time axis (zoom about a time, pan, clamping, the home window), the lane scroll, keys
//   ticks.ts   the axis's steps and labels (local time)
//   data.ts    the marks in typed arrays per lane, hit testing, binning
//   paint.ts   one frame
//   canvas/    the canvas views' machinery, the map's too: the frame loop and sizing (view.ts),
//              pointer, wheel and keys on the canvas (input.ts)
// The tooltip box and text fitting are the map's (map/tooltip.ts, map/textfit.ts).
import {
  CHANGE_CATEGORIES,
  CHANGE_SEVERITIES,
  type ChangeCategory,
  type ChangeSeverity,
  type GapDTO,
  type TimelineDTO,
} from '../../common/contract.ts';
import {
  AXIS_H,
  LABEL_W,
  LANE_H,
  TimelineCamera,
  keyCommand,
  laneAt,
  lanesHeight,
  type Bounds,
  type KeyCommand,
  type TimeView,
} from './camera.ts';
import { EMPTY_MARKS, buildMarks, countIn, gapAt, hitMark, indexOf, laneOf, type MarkData } from './data.ts';
import { MARK_HALF, TimelinePainter, defaultPalette, hatchPattern, type DensitySurface, type TimelinePalette } from './paint.ts';
import type { CanvasInput } from '../canvas/input.ts';
import { CanvasView, cssVars, type CanvasElements, type Theme } from '../canvas/view.ts';
import { TextFit } from '../map/textfit.ts';
import { MapTooltip, type TooltipText } from '../map/tooltip.ts';
import { safeName } from '../map/text.ts';

/** A mark as the tooltip and the callbacks see it. */
export interface MarkInfo {
  index: number;
  id: number;
  at: number;
  lane: number;
  cluster: string;
  context: string;
  category: ChangeCategory;
  severity: ChangeSeverity;
  /** marks within the pointer's reach (a dense stretch: more than this one) */
  near: number;
}

export interface TimelineCallbacks {
  /** a mark was clicked (null: the empty plot, or Esc) */
  select(id: number | null, mark: MarkInfo | null): void;
  /** the view moved (called on every step of a move; debounce there); custom: not the home window */
  viewChanged?(from: number, to: number, custom: boolean): void;
  /** the pointer is on this mark (or on none) */
  hover?(mark: MarkInfo | null): void;
  describe(m: MarkInfo): TooltipText;
  describeGap(g: GapDTO): TooltipText;
}

export type TimelineElements = CanvasElements;

/** What the time line is drawn against: the time shown and what may be looked at. */
export interface TimelineTime {
  /** now, the snapshot's capture, or "as of" */
  shown: number;
  shownLabel: string;
  bounds: Bounds;
  /** the default window (the hour before the time shown) */
  home: TimeView;
}

/** The app's colours (CSS custom properties), with fallbacks. */
export function timelinePalette(theme: Theme, el: Element | null): TimelinePalette {
  const base = defaultPalette(theme);
  const v = cssVars(el);
  return {
    theme,
    background: v('--bg', base.background),
    panel: v('--bg2', base.panel),
    text: v('--fg', base.text),
    muted: v('--muted', base.muted),
    grid: v('--grid', base.grid),
    line: v('--line', base.line),
    accent: v('--accent', base.accent),
    severity: [v('--c-alloc', base.severity[0]), v('--ok', base.severity[1]), v('--warn', base.severity[2]), v('--bad', base.severity[3])],
  };
}

/** The density bars' image: an ImageData on a canvas of its own, grown as needed, never per frame. */
export function canvasSurface(): DensitySurface | null {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  let img: ImageData | null = null;
  const surface = {
    pixels: new Uint32Array(0),
    width: 0,
    source: canvas as CanvasImageSource,
    ensure(w: number, h: number): boolean {
      if (w <= 0 || h <= 0 || w > 32_768) return false;
      if (img && img.width === w && img.height >= h) return true;
      const old = img && img.width === w ? surface.pixels : null;
      img = new ImageData(w, Math.max(h, old ? img!.height * 2 : 32 * 6));
      canvas.width = img.width;
      canvas.height = img.height;
      surface.pixels = new Uint32Array(img.data.buffer);
      // (rows of this frame written before it grew are kept)
      if (old) surface.pixels.set(old);
      surface.width = w;
      return true;
    },
    commit(h: number): void {
      if (img) ctx.putImageData(img, 0, 0, 0, 0, img.width, Math.min(h, img.height));
    },
    rgba(colour: string): number {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#808080';
      ctx.fillStyle = colour;
      ctx.fillRect(0, 0, 1, 1);
      const d = ctx.getImageData(0, 0, 1, 1).data;
      // ImageData is RGBA bytes: as a little-endian word, A B G R
      return ((d[3]! << 24) | (d[2]! << 16) | (d[1]! << 8) | d[0]!) >>> 0;
    },
  };
  return surface;
}

export class TimelineEngine {
  private readonly el: TimelineElements;
  private readonly cb: TimelineCallbacks;
  private readonly screen: CanvasView;
  private readonly painter: TimelinePainter;
  private readonly camera: TimelineCamera;
  private readonly input: CanvasInput<KeyCommand>;
  private readonly tooltip: MapTooltip;

  private data: MarkData = EMPTY_MARKS;
  private lanes: TimelineDTO['lanes'] = [];
  private labels: string[] = [];
  private fetched: { from: number; to: number } | null = null;
  private time: TimelineTime | null = null;
  private selectedId: number | null = null;
  private selected = -1;
  private hover = -1;
  private hoverLane = -1;
  private hoverGap: { lane: number; gap: number } | null = null;
  private hoverNear = 0;
  private pointer: { x: number; y: number } | null = null;

  private pal: TimelinePalette = defaultPalette('light');
  private font = 'system-ui, sans-serif';
  private dataSeq = 0;
  private paintedSeq = -1;

  constructor(el: TimelineElements, cb: TimelineCallbacks) {
    this.el = el;
    this.cb = cb;
    this.screen = new CanvasView(el.root, el.canvas, {
      resized: () => this.camera.setScreen(this.screen.cssW, this.screen.cssH),
      draw: () => this.draw(),
    });
    const ctx = this.screen.ctx;
    this.painter = new TimelinePainter(ctx, new TextFit(ctx), (pal, dpr) => hatchPattern(ctx, pal, dpr), canvasSurface());
    this.tooltip = new MapTooltip(el.tooltip);
    this.camera = new TimelineCamera(() => {
      if (this.pointer && !this.input.pressed) this.hoverAt(this.pointer.x, this.pointer.y);
      this.notifyView();
      this.screen.invalidate();
    });
    this.screen.watchTheme((theme, font) => {
      this.pal = timelinePalette(theme, el.root);
      if (font) this.font = font;
      this.screen.invalidate();
    });

    this.input = this.screen.input<KeyCommand>(
      {
        // a drag: the content follows the pointer (dragging right shows earlier times), and scrolls the lanes
        moveBy: (dx, dy) => {
          if (dx) this.camera.panBy(dx);
          if (dy) this.camera.scrollBy(dy);
        },
        zoomAt: (f, x) => this.camera.zoomBy(f, x),
        pointer: (p) => (p ? this.hoverAt(p.x, p.y) : this.clearHover()),
        click: (p) => this.click(p.x, p.y),
        key: (cmd) => this.key(cmd),
      },
      { keyCommand, shiftScrolls: true, ownKeys: true },
    );
  }

  /** ms of each draw(), for tests and benchmarks (the same array for the engine's life) */
  get frames(): number[] {
    return this.screen.frames;
  }

  destroy(): void {
    this.screen.destroy();
  }

  // ------------------------------------------------------------------------------ inputs

  /** New marks (an answer of changes.timeline) and the window they cover. */
  setData(dto: TimelineDTO | null, fetched: { from: number; to: number } | null): void {
    this.data = dto ? buildMarks(dto) : EMPTY_MARKS;
    this.lanes = dto?.lanes ?? [];
    this.labels = this.lanes.map((l) => safeName(l.context, 80));
    this.fetched = fetched;
    this.dataSeq++;
    this.camera.setLanes(this.data.lanes);
    this.selected = this.selectedId === null ? -1 : indexOf(this.data, this.selectedId);
    this.hover = -1;
    this.hoverGap = null;
    if (this.pointer) this.hoverAt(this.pointer.x, this.pointer.y);
    else this.tooltip.hide();
    if (!this.screen.cssW) this.screen.resize();
    this.screen.invalidate();
  }

  /** The time shown, the bounds and the home window; a camera at home follows them (the clock ticks). */
  setTime(t: TimelineTime): void {
    const before = this.camera.view;
    this.time = t;
    this.camera.fit(t.bounds, t.home);
    if (before.start !== this.camera.view.start || before.span !== this.camera.view.span) this.notifyView();
    this.screen.invalidate();
  }

  /** Show a window (from the address, a link). */
  setView(from: number, to: number): void {
    if (this.camera.show({ start: from, span: Math.max(1, to - from) })) {
      this.notifyView();
      this.screen.invalidate();
    }
  }

  /** The selected change (highlighted; null: none). */
  select(id: number | null, reveal = false): void {
    this.selectedId = id;
    this.selected = id === null ? -1 : indexOf(this.data, id);
    if (reveal && this.selected >= 0) this.camera.reveal(this.data.at[this.selected]!, laneOf(this.data, this.selected));
    this.screen.invalidate();
  }

  /** Details for the tooltip arrived (changes.get): say them if the pointer is still there. */
  refreshTooltip(): void {
    this.showTooltip();
  }

  /** The visible window. */
  view(): { from: number; to: number } {
    const v = this.camera.view;
    return { from: Math.floor(v.start), to: Math.ceil(v.start + v.span) };
  }

  get movedByUser(): boolean {
    return this.camera.moved;
  }

  panBy(dx: number): void {
    this.camera.panBy(dx);
  }

  /** Zoom by `factor` about a client x (default: the plot's centre). */
  zoomBy(factor: number, clientX?: number): void {
    this.camera.zoomBy(factor, clientX === undefined ? undefined : this.input.local(clientX, 0).x);
  }

  scrollBy(dy: number): void {
    this.camera.scrollBy(dy);
  }

  resetView(): void {
    this.camera.reset();
  }

  /** Client coordinates of a change's mark, bringing it on screen; null when it is not in the data. */
  markAt(id: number): { x: number; y: number } | null {
    const k = indexOf(this.data, id);
    if (k < 0) return null;
    const lane = laneOf(this.data, k);
    this.camera.reveal(this.data.at[k]!, lane);
    this.screen.drawNow();
    const r = this.el.canvas.getBoundingClientRect();
    return { x: r.left + this.camera.xOf(this.data.at[k]!), y: r.top + AXIS_H + lane * LANE_H - this.camera.top + LANE_H / 2 };
  }

  private notifyView(): void {
    const v = this.view();
    this.el.root.setAttribute('data-window-from', String(v.from));
    this.el.root.setAttribute('data-window-to', String(v.to));
    this.cb.viewChanged?.(v.from, v.to, this.camera.moved);
  }

  // ------------------------------------------------------------------------------ pointer, keys

  private markInfo(k: number, near: number): MarkInfo {
    const lane = laneOf(this.data, k);
    const l = this.lanes[lane];
    return {
      index: k,
      id: this.data.id[k]!,
      at: this.data.at[k]!,
      lane,
      cluster: l?.cluster ?? '',
      context: l?.context ?? '',
      category: CHANGE_CATEGORIES[this.data.cat[k]!] ?? 'object',
      severity: CHANGE_SEVERITIES[this.data.sev[k]!] ?? 'info',
      near,
    };
  }

  /** The mark under a point, with how many are within reach, or -1. */
  private hitAt(sx: number, sy: number): { k: number; near: number; lane: number } {
    const lane = laneAt(sy, this.camera.top, this.data.lanes);
    if (lane < 0 || sx < LABEL_W) return { k: -1, near: 0, lane };
    const t = this.camera.timeAt(sx);
    const tol = ((MARK_HALF + 2) / this.camera.plotW) * this.camera.view.span;
    const k = hitMark(this.data, lane, t, tol);
    return { k, near: k < 0 ? 0 : countIn(this.data, lane, t - tol, t + tol), lane };
  }

  private click(sx: number, sy: number): void {
    const { k, near } = this.hitAt(sx, sy);
    if (k < 0) {
      if (sy > AXIS_H && sx >= LABEL_W && this.selectedId !== null) this.cb.select(null, null);
      return;
    }
    this.selectedId = this.data.id[k]!;
    this.selected = k;
    this.screen.invalidate();
    this.cb.select(this.selectedId, this.markInfo(k, near));
  }

  private key(cmd: KeyCommand): boolean {
    switch (cmd.kind) {
      case 'pan':
        this.camera.panBy(cmd.share * this.camera.plotW);
        return true;
      case 'scroll':
        this.camera.scrollBy(cmd.lanes * LANE_H);
        return true;
      case 'page':
        this.camera.scrollBy(cmd.dir * Math.max(LANE_H, lanesHeight(this.screen.cssH) - LANE_H));
        return true;
      case 'zoom':
        this.camera.zoomBy(cmd.factor);
        return true;
      case 'reset':
        this.camera.reset();
        return true;
      case 'escape':
        if (this.selectedId === null) return false;
        this.cb.select(null, null);
        return true;
    }
  }

  private hoverAt(sx: number, sy: number): void {
    this.pointer = { x: sx, y: sy };
    const { k, near, lane } = this.hitAt(sx, sy);
    let gap: { lane: number; gap: number } | null = null;
    if (k < 0 && lane >= 0 && sx >= LABEL_W) {
      const g = gapAt(this.data, lane, this.camera.timeAt(sx), this.time?.shown ?? Infinity);
      if (g >= 0) gap = { lane, gap: g };
    }
    const changed = k !== this.hover || lane !== this.hoverLane || gap?.lane !== this.hoverGap?.lane || gap?.gap !== this.hoverGap?.gap;
    this.el.canvas.style.cursor = k >= 0 ? 'pointer' : '';
    if (!changed) {
      this.tooltip.place(this.pointer, this.screen.cssW, this.screen.cssH);
      return;
    }
    this.hover = k;
    this.hoverLane = lane;
    this.hoverGap = gap;
    this.hoverNear = near;
    this.cb.hover?.(k >= 0 ? this.markInfo(k, near) : null);
    this.showTooltip();
    this.screen.invalidate();
  }

  private clearHover(): void {
    this.pointer = null;
    if (this.hover < 0 && this.hoverLane < 0 && !this.hoverGap) return;
    this.hover = -1;
    this.hoverLane = -1;
    this.hoverGap = null;
    this.cb.hover?.(null);
    this.tooltip.hide();
    this.screen.invalidate();
  }

  private showTooltip(): void {
    const p = this.pointer;
    if (!p) return this.tooltip.hide();
    if (this.hover >= 0)
      return this.tooltip.show(this.cb.describe(this.markInfo(this.hover, this.hoverNear)), p, this.screen.cssW, this.screen.cssH);
    const g = this.hoverGap && this.data.gapInfo[this.hoverGap.lane]?.[this.hoverGap.gap];
    if (g) return this.tooltip.show(this.cb.describeGap(g), p, this.screen.cssW, this.screen.cssH);
    if (this.hoverLane >= 0 && p.x < LABEL_W) {
      const l = this.lanes[this.hoverLane];
      if (l) return this.tooltip.show({ title: safeName(l.context), sub: 'cluster', lines: [] }, p, this.screen.cssW, this.screen.cssH);
    }
    this.tooltip.hide();
  }

  // ------------------------------------------------------------------------------ drawing

  private draw(): void {
    const { cssW, cssH } = this.screen;
    if (!cssW || !cssH || !this.time) return;
    const t0 = performance.now();
    this.painter.paint({
      data: this.data,
      labels: this.labels,
      view: this.camera.view,
      top: this.camera.top,
      screenW: cssW,
      screenH: cssH,
      dpr: this.screen.dpr,
      pal: this.pal,
      font: this.font,
      fetched: this.fetched,
      shown: this.time.shown,
      shownLabel: this.time.shownLabel,
      hover: this.hover,
      selected: this.selected,
      hoverLane: this.hoverLane,
      focused: this.screen.hasFocus,
    });
    this.screen.frameDrawn(t0);
    if (this.paintedSeq !== this.dataSeq) {
      this.paintedSeq = this.dataSeq;
      // for tests: the marks of this answer are on screen
      this.el.root.setAttribute('data-painted', String(this.dataSeq));
      this.el.root.setAttribute('data-mark-count', String(this.data.n));
    }
  }
}
