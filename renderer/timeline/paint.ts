// The timeline's painting: one frame of lanes, ticks, capture gaps, marks, the "now" line, the lane
// labels and the time axis, onto its canvas. Per frame the work is O(visible lanes × log n + visible
// marks), and nothing is allocated per mark: marks go into per-severity rectangle batches (typed
// arrays kept across frames), drawn one batch per colour, four fillStyle changes a frame. A lane with
// more marks on screen than there is room to tell apart is binned per device pixel column and drawn
// as a density bar (its height the count's order of magnitude, its colour the column's worst
// severity). The bars of all such lanes are written as pixels into one small image (a row per level
// and lane) and drawn with one scaled drawImage per lane: a frame's cost does not grow with the
// marks, where a rectangle per bar (25,000 for a week of 100k marks) would cost more than a frame.
import { CHANGE_CATEGORIES, type ChangeCategory } from '../../common/contract.ts';
import { AXIS_H, LABEL_W, LANE_H, visibleLanes, type TimeView } from './camera.ts';
import { binLane, laneOf, laneRange, type MarkData } from './data.ts';
import { tickLabel, tickStep, tickTimes, isMidnight } from './ticks.ts';
import type { TextFit } from '../map/textfit.ts';

export interface TimelinePalette {
  theme: 'light' | 'dark';
  background: string;
  panel: string;
  text: string;
  muted: string;
  grid: string;
  line: string;
  accent: string;
  /** by CHANGE_SEVERITIES: info (neutral), ok, warning, critical */
  severity: readonly [string, string, string, string];
}

export function defaultPalette(theme: 'light' | 'dark'): TimelinePalette {
  return theme === 'dark'
    ? {
        theme,
        background: '#0f1216',
        panel: '#171b21',
        text: '#e4e8ee',
        muted: '#8d97a3',
        grid: '#232a32',
        line: '#2b323b',
        accent: '#5b93ff',
        severity: ['#8d97a3', '#3fb96b', '#e0a526', '#ef5a5f'],
      }
    : {
        theme,
        background: '#f7f8fa',
        panel: '#ffffff',
        text: '#1b1f24',
        muted: '#66707c',
        grid: '#e3e7ec',
        line: '#d8dde3',
        accent: '#2f6feb',
        severity: ['#7a8694', '#2e9d57', '#c98a00', '#d1383d'],
      };
}

// ------------------------------------------------------------------------------------ glyphs
// A mark's shape says its kind of change, its colour the severity: squares for workloads, tall bars
// for definitions (config, secrets, RBAC, CRDs), flat bars for the infrastructure (nodes,
// accelerators, CSI, storage), a plus for health, a small square for other objects, a hairline for
// a gap event. Rectangles relative to the mark's centre, CSS pixels: fillRect draws every one.

export type Glyph = 'square' | 'tall' | 'flat' | 'plus' | 'small' | 'hair';

export const GLYPH_OF: Readonly<Record<ChangeCategory, Glyph>> = {
  rollout: 'square',
  scale: 'square',
  job: 'square',
  action: 'square',
  config: 'tall',
  secret: 'tall',
  crd: 'tall',
  deviceclass: 'tall',
  rbac: 'tall',
  node: 'flat',
  accelerator: 'flat',
  csi: 'flat',
  storage: 'flat',
  health: 'plus',
  object: 'small',
  gap: 'hair',
};

const GLYPH_RECTS: Readonly<Record<Glyph, readonly (readonly [number, number, number, number])[]>> = {
  square: [[-3.5, -3.5, 7, 7]],
  tall: [[-1.5, -6, 3, 12]],
  flat: [[-4.5, -2, 9, 4]],
  plus: [
    [-4.5, -1, 9, 2],
    [-1, -4.5, 2, 9],
  ],
  small: [[-2.5, -2.5, 5, 5]],
  hair: [[-0.5, -8, 1, 16]],
};

/** Per category index, its glyph's rectangles flattened (dx, dy, w, h)*. */
const CAT_RECTS: readonly Float32Array[] = CHANGE_CATEGORIES.map((c) => Float32Array.from(GLYPH_RECTS[GLYPH_OF[c]].flat()));
/** A glyph's half-width, CSS pixels: how far a mark reaches from its time. */
export const MARK_HALF = 4.5;
/** A lane switches to density bars when it has more marks on screen than one per this many CSS pixels. */
export const DENSITY_PX = 4;
/** Density bar levels: 1, 2–3, 4–7, 8–15, 16–31, 32+ marks in a device pixel column (18 px bars: 3 px a level). */
export const LEVELS = 6;
/** The level of a count (1..LEVELS). */
export const levelOf = (n: number) => Math.min(LEVELS, 32 - Math.clz32(n));

/**
 * Rectangles of one colour, drawn together (grows as needed; kept across frames). Flushed as one path
 * of rect()s and a single fill(): measured in headless Chromium, 50,000 fillRect calls cost 23–32 ms
 * (a draw call each, dearer on a larger canvas), the same rectangles as one path 6–9 ms. Every corner
 * is on a whole device pixel, so the path fills exactly the pixels fillRect would.
 */
class RectBatch {
  data = new Float32Array(4 * 4096);
  n = 0;
  push(x: number, y: number, w: number, h: number): void {
    if ((this.n + 1) * 4 > this.data.length) {
      const d = new Float32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    const o = this.n * 4;
    this.data[o] = x;
    this.data[o + 1] = y;
    this.data[o + 2] = w;
    this.data[o + 3] = h;
    this.n++;
  }
  flush(ctx: CanvasRenderingContext2D, style: string): void {
    if (!this.n) return;
    ctx.fillStyle = style;
    const d = this.data;
    if (this.n <= 8) {
      for (let i = 0, o = 0; i < this.n; i++, o += 4) ctx.fillRect(d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!);
    } else {
      ctx.beginPath();
      for (let i = 0, o = 0; i < this.n; i++, o += 4) ctx.rect(d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!);
      ctx.fill();
    }
    this.n = 0;
  }
}

/** What one frame shows. */
export interface TimelineFrame {
  data: MarkData;
  /** lane labels, safe to draw */
  labels: readonly string[];
  view: TimeView;
  /** lane scroll, CSS pixels */
  top: number;
  screenW: number;
  screenH: number;
  dpr: number;
  pal: TimelinePalette;
  font: string;
  /** the window the data covers: outside it nothing is known yet (greyed, "loading") */
  fetched: { from: number; to: number } | null;
  /** the time shown (now, the snapshot's capture, "as of"): the vertical line, and where open gaps end */
  shown: number;
  shownLabel: string;
  hover: number;
  selected: number;
  hoverLane: number;
  /** the keyboard focus is on the canvas */
  focused: boolean;
}

export interface PaintStats {
  lanes: number;
  glyphs: number;
  bins: number;
}

/** Where the density bars are written: a canvas of its own (none in unit tests: bars are then rectangles). */
export interface DensitySurface {
  /** make the image at least w × h pixels; false when it cannot be */
  ensure(w: number, h: number): boolean;
  /** the pixels (RGBA, little-endian words) and the image's width */
  readonly pixels: Uint32Array;
  readonly width: number;
  /** put rows [0, h) of the pixels on the surface */
  commit(h: number): void;
  /** what drawImage draws from */
  readonly source: CanvasImageSource;
  /** a CSS colour as a pixel word (resolved once per palette) */
  rgba(colour: string): number;
}

export class TimelinePainter {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly text: TextFit;
  private readonly batches = [new RectBatch(), new RectBatch(), new RectBatch(), new RectBatch()];
  private count = new Uint32Array(0);
  private top = new Uint8Array(0);
  private readonly range = new Uint32Array(2);
  private readonly ticks = new Float64Array(64);
  private readonly tickCache = new Map<number, string>();
  private tickCacheStep = 0;
  private hatch: CanvasPattern | null = null;
  private hatchKey = '';
  private readonly makePattern: (pal: TimelinePalette, dpr: number) => CanvasPattern | null;
  private readonly surface: DensitySurface | null;
  private sevWords = new Uint32Array(4);
  private sevKey = '';
  /** the dense lanes of this frame: lane, slot in the image */
  private denseLanes = new Int32Array(64);
  readonly stats: PaintStats = { lanes: 0, glyphs: 0, bins: 0 };

  constructor(
    ctx: CanvasRenderingContext2D,
    text: TextFit,
    makePattern: (pal: TimelinePalette, dpr: number) => CanvasPattern | null,
    surface: DensitySurface | null = null,
  ) {
    this.ctx = ctx;
    this.text = text;
    this.makePattern = makePattern;
    this.surface = surface;
  }

  paint(f: TimelineFrame): void {
    const ctx = this.ctx;
    const { pal, dpr, view } = f;
    const W = Math.round(f.screenW * dpr);
    const H = Math.round(f.screenH * dpr);
    const x0 = LABEL_W * dpr;
    const plotW = Math.max(1, W - x0);
    const y0 = AXIS_H * dpr;
    const laneH = LANE_H * dpr;
    const pxPerMs = plotW / view.span;
    const end = view.start + view.span;
    const X = (t: number) => x0 + (t - view.start) * pxPerMs;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.fillStyle = pal.panel;
    ctx.fillRect(0, 0, W, H);

    const lanes = visibleLanes(f.top, f.screenH, f.data.lanes);
    const laneY = (l: number) => y0 + (l * LANE_H - f.top) * dpr;
    this.stats.lanes = Math.max(0, lanes.last - lanes.first + 1);
    this.stats.glyphs = 0;
    this.stats.bins = 0;

    // lanes: every other one tinted, the hovered one highlighted
    ctx.fillStyle = pal.grid;
    ctx.globalAlpha = 0.45;
    for (let l = lanes.first; l <= lanes.last; l++) if (l % 2) ctx.fillRect(x0, laneY(l), plotW, laneH);
    if (f.hoverLane >= lanes.first && f.hoverLane <= lanes.last) {
      ctx.fillStyle = pal.accent;
      ctx.globalAlpha = 0.07;
      ctx.fillRect(0, laneY(f.hoverLane), W, laneH);
    }
    ctx.globalAlpha = 1;

    // ticks: grid lines through the lanes
    const step = tickStep(view.span, f.screenW - LABEL_W);
    const nt = tickTimes(view.start, end, step, this.ticks);
    ctx.fillStyle = pal.line;
    for (let i = 0; i < nt; i++) {
      const t = this.ticks[i]!;
      ctx.globalAlpha = isMidnight(t) ? 1 : 0.6;
      ctx.fillRect(Math.round(X(t)), y0, Math.max(1, Math.round(dpr)), H - y0);
    }
    ctx.globalAlpha = 1;

    // what is not loaded yet: greyed, so an empty stretch there never reads as "nothing changed"
    if (f.fetched) {
      ctx.fillStyle = pal.muted;
      ctx.globalAlpha = 0.12;
      const a = X(f.fetched.from);
      const b = X(f.fetched.to);
      if (a > x0) ctx.fillRect(x0, y0, Math.min(a, W) - x0, H - y0);
      if (b < W) ctx.fillRect(Math.max(b, x0), y0, W - Math.max(b, x0), H - y0);
      ctx.globalAlpha = 1;
    }

    // capture gaps: hatched (the whole cluster) or hatched lighter (one kind)
    const hatch = this.pattern(pal, dpr);
    for (let l = lanes.first; l <= lanes.last; l++) {
      const g = f.data.gaps[l]!;
      if (!g.length) continue;
      const y = laneY(l);
      for (let i = 0; i < g.length; i += 3) {
        const s = g[i]!;
        const e = Math.min(g[i + 1]!, f.shown);
        if (e < view.start || s > end) continue;
        const a = Math.max(x0, X(s));
        const b = Math.min(W, Math.max(X(e), a + dpr));
        const whole = g[i + 2] === 1;
        ctx.globalAlpha = whole ? 0.22 : 0.1;
        ctx.fillStyle = pal.muted;
        ctx.fillRect(a, y, b - a, laneH);
        if (hatch) {
          ctx.globalAlpha = whole ? 1 : 0.5;
          ctx.fillStyle = hatch;
          ctx.fillRect(a, y, b - a, laneH);
        }
      }
    }
    ctx.globalAlpha = 1;

    // marks
    this.marks(f, lanes.first, lanes.last, x0, plotW, laneY, laneH, pxPerMs);

    // the time shown
    const nx = X(f.shown);
    if (nx >= x0 && nx <= W) {
      // (ending at the time: at the home window's right edge the line is still seen)
      const lw = Math.max(1, Math.round(1.5 * dpr));
      ctx.fillStyle = pal.accent;
      ctx.fillRect(Math.min(Math.round(nx), W) - lw, y0 - 4 * dpr, lw, H - y0 + 4 * dpr);
    }

    // hover and selection rings
    this.ring(f, f.selected, pal.accent, 2, X, laneY);
    if (f.hover !== f.selected) this.ring(f, f.hover, pal.text, 1, X, laneY);

    // the label column
    ctx.fillStyle = pal.background;
    ctx.fillRect(0, y0, x0, H - y0);
    ctx.fillStyle = pal.line;
    ctx.fillRect(x0 - Math.max(1, Math.round(dpr)), y0, Math.max(1, Math.round(dpr)), H - y0);
    const labelFont = `${12 * dpr}px ${f.font}`;
    const fontKey = `12px ${f.font}`;
    ctx.font = labelFont;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    for (let l = lanes.first; l <= lanes.last; l++) {
      const s = this.text.fit(fontKey, f.labels[l] ?? '', LABEL_W - 16);
      ctx.fillStyle = l === f.hoverLane ? pal.accent : pal.text;
      ctx.fillText(s, 8 * dpr, laneY(l) + laneH / 2);
    }

    // the axis
    ctx.fillStyle = pal.background;
    ctx.fillRect(0, 0, W, y0);
    ctx.fillStyle = pal.line;
    ctx.fillRect(0, y0 - Math.max(1, Math.round(dpr)), W, Math.max(1, Math.round(dpr)));
    ctx.font = `${11 * dpr}px ${f.font}`;
    ctx.textBaseline = 'middle';
    if (step !== this.tickCacheStep) {
      this.tickCache.clear();
      this.tickCacheStep = step;
    }
    for (let i = 0; i < nt; i++) {
      const t = this.ticks[i]!;
      const x = X(t);
      if (x < x0 + 2 * dpr) continue;
      let label = this.tickCache.get(t);
      if (label === undefined) {
        if (this.tickCache.size > 512) this.tickCache.clear();
        label = tickLabel(t, step);
        this.tickCache.set(t, label);
      }
      const midnight = isMidnight(t);
      ctx.fillStyle = midnight ? pal.text : pal.muted;
      ctx.fillRect(Math.round(x), y0 - 6 * dpr, Math.max(1, Math.round(dpr)), 6 * dpr);
      ctx.textAlign = 'left';
      ctx.fillText(label, x + 3 * dpr, y0 / 2 - 2 * dpr);
    }
    if (nx >= x0 && nx <= W) {
      ctx.fillStyle = pal.accent;
      ctx.textAlign = nx > W - 60 * dpr ? 'right' : 'left';
      ctx.fillText(f.shownLabel, nx + (ctx.textAlign === 'right' ? -4 : 4) * dpr, y0 - 8 * dpr);
    }
    ctx.textAlign = 'left';
    ctx.fillStyle = pal.muted;
    ctx.fillText(f.data.lanes === 1 ? '1 cluster' : `${f.data.lanes} clusters`, 8 * dpr, y0 / 2);

    // a scroll indicator when the lanes do not all fit
    const all = f.data.lanes * LANE_H;
    const vis = f.screenH - AXIS_H;
    if (all > vis && vis > 0) {
      const h = Math.max(16, (vis / all) * vis);
      const y = AXIS_H + (f.top / (all - vis)) * (vis - h);
      ctx.fillStyle = pal.muted;
      ctx.globalAlpha = 0.5;
      ctx.fillRect(W - 5 * dpr, y * dpr, 3 * dpr, h * dpr);
      ctx.globalAlpha = 1;
    }
    if (f.focused) {
      ctx.strokeStyle = pal.accent;
      ctx.lineWidth = 2 * dpr;
      ctx.strokeRect(dpr, dpr, W - 2 * dpr, H - 2 * dpr);
    }
  }

  /** The visible lanes' marks: glyphs where they can be told apart, density bars where not. */
  private marks(
    f: TimelineFrame,
    first: number,
    last: number,
    x0: number,
    plotW: number,
    laneY: (l: number) => number,
    laneH: number,
    pxPerMs: number,
  ): void {
    const d = f.data;
    if (!d.n) return;
    const { dpr, view } = f;
    const ctx = this.ctx;
    const cols = Math.max(1, Math.floor(plotW));
    if (this.count.length < cols) {
      this.count = new Uint32Array(cols);
      this.top = new Uint8Array(cols);
    }
    const count = this.count;
    const top = this.top;
    const range = this.range;
    const b = this.batches;
    // marks reaching into the plot from just outside it count too
    const reach = (MARK_HALF * dpr) / pxPerMs;
    const t0 = view.start - reach;
    const t1 = view.start + view.span + reach;
    const dense = ((plotW / dpr) | 0) / DENSITY_PX;
    const at = d.at;
    const cat = d.cat;
    const sev = d.sev;
    const innerH = laneH - 4 * dpr;
    let img = this.surface;
    if (img) this.resolveColours(f.pal, img);
    let nDense = 0;
    for (let l = first; l <= last; l++) {
      laneRange(d, l, t0, t1, range);
      const a = range[0]!;
      const z = range[1]!;
      if (a >= z) continue;
      const cy = laneY(l) + laneH / 2;
      if (z - a > dense) {
        // one column per device pixel
        const msPerCol = view.span / cols;
        const packed = binLane(d, l, view.start, msPerCol, cols, count, top, range);
        if (packed < 0) continue;
        const c0 = Math.floor(packed / 65536);
        const c1 = packed % 65536;
        if (img) {
          if (nDense >= this.denseLanes.length) {
            const grown = new Int32Array(this.denseLanes.length * 2);
            grown.set(this.denseLanes);
            this.denseLanes = grown;
          }
          this.denseLanes[nDense] = l;
          if (!img.ensure(cols, (nDense + 1) * LEVELS)) img = null;
        }
        if (img) {
          // LEVELS rows for this lane, the top row first: a column's bar fills its lowest `level` rows
          const px = img.pixels;
          const iw = img.width;
          const row0 = nDense * LEVELS * iw;
          px.fill(0, row0, row0 + LEVELS * iw);
          for (let c = c0; c <= c1; c++) {
            const n = count[c]!;
            if (n) {
              const word = this.sevWords[top[c]! - 1]!;
              for (let k = LEVELS - levelOf(n); k < LEVELS; k++) px[row0 + k * iw + c] = word;
              this.stats.bins++;
            }
            count[c] = 0;
            top[c] = 0;
          }
          nDense++;
          continue;
        }
        // no image to write into: a bar per run of equal columns
        const base = laneY(l) + laneH - 2 * dpr;
        let runStart = c0;
        let runLevel = 0;
        let runSev = 0;
        for (let c = c0; c <= c1 + 1; c++) {
          let level = 0;
          let sv = 0;
          if (c <= c1) {
            const n = count[c]!;
            if (n) {
              level = levelOf(n);
              sv = top[c]!;
            }
            count[c] = 0;
            top[c] = 0;
          }
          if (level !== runLevel || sv !== runSev) {
            if (runLevel) {
              const h = Math.round((innerH * runLevel) / LEVELS);
              b[runSev - 1]!.push(x0 + runStart, base - h, c - runStart, h);
              this.stats.bins++;
            }
            runStart = c;
            runLevel = level;
            runSev = sv;
          }
        }
        continue;
      }
      // glyphs: consecutive marks on the same device pixel with the same look are drawn once
      let lastX = -1;
      let lastCat = -1;
      let lastSev = -1;
      for (let k = a; k < z; k++) {
        const x = Math.round(x0 + (at[k]! - view.start) * pxPerMs);
        const c = cat[k]!;
        const s = sev[k]!;
        if (x === lastX && c === lastCat && s === lastSev) continue;
        lastX = x;
        lastCat = c;
        lastSev = s;
        const rects = CAT_RECTS[c] ?? CAT_RECTS[12]!;
        const batch = b[s] ?? b[0]!;
        for (let r = 0; r < rects.length; r += 4) {
          batch.push(
            x + Math.round(rects[r]! * dpr),
            Math.round(cy + rects[r + 1]! * dpr),
            Math.max(1, Math.round(rects[r + 2]! * dpr)),
            Math.max(1, Math.round(rects[r + 3]! * dpr)),
          );
        }
        this.stats.glyphs++;
      }
    }
    if (img && nDense) {
      img.commit(nDense * LEVELS);
      ctx.imageSmoothingEnabled = false;
      for (let i = 0; i < nDense; i++) {
        const y = laneY(this.denseLanes[i]!) + 2 * dpr;
        ctx.drawImage(img.source, 0, i * LEVELS, cols, LEVELS, x0, y, cols, innerH);
      }
    }
    for (let s = 0; s < 4; s++) b[s]!.flush(ctx, f.pal.severity[s]!);
  }

  private resolveColours(pal: TimelinePalette, img: DensitySurface): void {
    const key = pal.severity.join('|');
    if (key === this.sevKey) return;
    this.sevKey = key;
    for (let i = 0; i < 4; i++) this.sevWords[i] = img.rgba(pal.severity[i]!);
  }

  private ring(f: TimelineFrame, k: number, colour: string, width: number, X: (t: number) => number, laneY: (l: number) => number): void {
    if (k < 0 || k >= f.data.n) return;
    const l = laneOf(f.data, k);
    if (l >= f.data.lanes || l * LANE_H + LANE_H < f.top || l * LANE_H > f.top + f.screenH - AXIS_H) return;
    const dpr = f.dpr;
    const x = X(f.data.at[k]!);
    const y = laneY(l) + (LANE_H * dpr) / 2;
    const r = 7 * dpr;
    this.ctx.strokeStyle = colour;
    this.ctx.lineWidth = width * dpr;
    this.ctx.strokeRect(Math.round(x - r), Math.round(y - r), Math.round(2 * r), Math.round(2 * r));
  }

  /** The hatching of gaps: one small tile per theme and resolution, repeated. */
  private pattern(pal: TimelinePalette, dpr: number): CanvasPattern | null {
    const key = `${pal.muted}|${dpr}`;
    if (key !== this.hatchKey) {
      this.hatchKey = key;
      this.hatch = this.makePattern(pal, dpr);
    }
    return this.hatch;
  }
}

/** A hatching tile (diagonal lines) for the gaps, on a canvas of its own. */
export function hatchPattern(ctx: CanvasRenderingContext2D, pal: TimelinePalette, dpr: number): CanvasPattern | null {
  const size = Math.max(4, Math.round(8 * dpr));
  const c = document.createElement('canvas');
  c.width = size;
  c.height = size;
  const g = c.getContext('2d');
  if (!g) return null;
  g.strokeStyle = pal.muted;
  g.globalAlpha = 0.55;
  g.lineWidth = Math.max(1, dpr);
  g.beginPath();
  // two strokes so the tiles join into unbroken diagonals
  g.moveTo(0, size);
  g.lineTo(size, 0);
  g.moveTo(-size / 2, size / 2);
  g.lineTo(size / 2, -size / 2);
  g.moveTo(size / 2, size * 1.5);
  g.lineTo(size * 1.5, size / 2);
  g.stroke();
  return ctx.createPattern(c, 'repeat');
}
