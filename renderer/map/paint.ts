// The fleet map's painting: one frame of tiles (border, status stripe, cells from sprites or drawn
// directly, markers, node names), their headers and the hover/focus overlays, onto the map's canvas.
// Per frame the work is O(visible tiles + visible cells): tiles are culled with the layout's row index,
// cells with the tile's grid. What a frame shows comes in as a Frame; what outlives frames is kept here
// per cluster: cell colours (buckets, once per cluster view and measure), short node names, header
// strings (once per view and clock tick); sprites are sprites.ts's.
import type { ClusterTile, FleetDTO, Measure, NodeCell } from '../../common/contract.ts';
import { formatCount } from '../../common/format.ts';
import {
  CELL,
  HEADER,
  PAD,
  PITCH,
  cellRect,
  visibleCells,
  visibleTiles,
  type CellRange,
  type Hit,
  type Layout,
  type Rect,
  type TileBox,
} from './layout.ts';
import { worldViewport, type Camera } from './camera.ts';
import { cellBuckets, fillsFor, textOn, type Palette } from './colors.ts';
import { SPRITE_MAX_RES, spriteKey, spriteRes, type SpriteCache } from './sprites.ts';
import type { TextFit } from './textfit.ts';
import { safeName, shortNames, statusLine, statusTime, type StatusLine } from './text.ts';

/** Statuses whose data is not current: their cells are dimmed. */
const DIMMED = new Set(['stale', 'unreachable', 'error', 'unauthorized', 'off']);
const NAME_FONT = 13;
const STATUS_FONT = 11;
/** node names on cells, CSS pixels */
const NODE_FONT = 10;
/** header text scales: the largest at or below the zoom (and none past the last: a 40-pixel name helps nobody) */
const TEXT_STEPS = [0.625, 0.75, 1, 1.25, 1.5] as const;
const textScale = (zoom: number) => TEXT_STEPS.findLast((s) => s <= zoom + 1e-9) ?? TEXT_STEPS[0];

/** What one frame shows. */
export interface Frame {
  fleet: FleetDTO;
  byId: ReadonlyMap<string, ClusterTile>;
  layout: Layout;
  measure: Measure;
  now: number;
  cam: Camera;
  /** the screen, CSS pixels */
  screenW: number;
  screenH: number;
  /** the canvas, device pixels */
  canvasW: number;
  canvasH: number;
  dpr: number;
  pal: Palette;
  font: string;
  /** when the frame started (the sprite budget's clock) */
  t0: number;
  /** the camera moved within the last moments: sprites a little soft serve, names stay on one line */
  moving: boolean;
  /** the first frame of this fleet: cells are drawn directly rather than sprites built to be drawn once */
  firstFrame: boolean;
  hover: Hit | null;
  /** the map is being dragged: no hover outline */
  dragging: boolean;
  /** the tile with the keyboard focus cursor, while the map has the focus */
  focus: TileBox | undefined;
}

/** What a frame left undone. */
export interface Painted {
  /** sprites left to build: another frame follows */
  deferred: boolean;
  /** something was drawn for motion (a sprite not sharp at this zoom, names on one line): redraw at rest */
  unsharp: boolean;
}

export interface HeaderText {
  tile: ClusterTile;
  now: number;
  name: string;
  counts: string;
  status: StatusLine;
  badges: { text: string; tone: 'csi' | 'bad' | 'muted' }[];
}

interface ClusterColours {
  cells: NodeCell[];
  measure: Measure;
  buckets: Uint8Array;
}

export class MapPainter {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly text: TextFit;
  private readonly sprites: SpriteCache;
  private readonly colours = new Map<string, ClusterColours>();
  private readonly shortNames = new Map<string, { cells: NodeCell[]; names: string[] }>();
  private readonly headers = new Map<string, HeaderText>();

  constructor(ctx: CanvasRenderingContext2D, text: TextFit, sprites: SpriteCache) {
    this.ctx = ctx;
    this.text = text;
    this.sprites = sprites;
  }

  /**
   * A new fleet read: every read brings new arrays, and a cluster whose cells did not change
   * (`same`) keeps its caches; the caches of clusters that changed or left go.
   */
  setFleet(
    before: ReadonlyMap<string, ClusterTile>,
    byId: ReadonlyMap<string, ClusterTile>,
    same: (a: NodeCell[], b: NodeCell[]) => boolean,
  ): void {
    for (const c of byId.values()) {
      const old = before.get(c.id)?.cells;
      if (!old || old === c.cells || !same(old, c.cells)) continue;
      const cc = this.colours.get(c.id);
      if (cc?.cells === old) cc.cells = c.cells;
      this.sprites.adopt(c.id, old, c.cells);
      const sn = this.shortNames.get(c.id);
      if (sn?.cells === old) sn.cells = c.cells;
    }
    this.sprites.retain((id) => byId.get(id)?.cells);
    for (const id of this.shortNames.keys()) if (!byId.has(id)) this.shortNames.delete(id);
    for (const id of this.headers.keys()) if (!byId.has(id)) this.headers.delete(id);
  }

  /**
   * Colours (buckets) are cached per cluster by (cells, measure), i.e. by the cluster's view version
   * and the measure, and computed lazily when the cluster is first drawn: drop those that no longer apply.
   */
  setMeasure(byId: ReadonlyMap<string, ClusterTile>, measure: Measure): void {
    for (const [id, cc] of this.colours) {
      const t = byId.get(id);
      if (!t || t.cells !== cc.cells || cc.measure !== measure) this.colours.delete(id);
    }
  }

  /** A tile header's strings, made once per (cluster view, clock tick) rather than per frame. */
  headerText(c: ClusterTile, now: number, fleet: FleetDTO | null): HeaderText {
    let h = this.headers.get(c.id);
    if (h && h.tile === c && h.now === now) return h;
    const badges: HeaderText['badges'] = [];
    if (c.storageProblems.total) badges.push({ text: `● CSI ${formatCount(c.storageProblems.total)}`, tone: 'csi' });
    if (c.nodes.byLevel.critical) badges.push({ text: `${formatCount(c.nodes.byLevel.critical)} critical`, tone: 'bad' });
    if (c.gpu.allocatable) badges.push({ text: `◥ ${formatCount(c.gpu.allocatable)} accel.`, tone: 'muted' });
    h = {
      tile: c,
      now,
      name: safeName(c.context),
      counts: `${formatCount(c.cells.length)} node${c.cells.length === 1 ? '' : 's'}`,
      status: statusLine(c, now, statusTime(fleet)),
      badges,
    };
    this.headers.set(c.id, h);
    return h;
  }

  /** One frame. */
  paint(f: Frame): Painted {
    const ctx = this.ctx;
    const { pal, cam, layout } = f;
    this.sprites.beginFrame(f.t0);
    const z = cam.zoom * f.dpr;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.fillStyle = pal.background;
    ctx.fillRect(0, 0, f.canvasW, f.canvasH);
    const vp = worldViewport(cam, f.screenW, f.screenH);
    const vis = visibleTiles(layout, vp);
    const fills = fillsFor(f.measure, pal);
    const keys = [false, true].map((dim) => spriteKey(f.measure, pal.theme, dim, pal.tile, fills));
    const keyOf = (c: ClusterTile) => keys[DIMMED.has(c.status) ? 1 : 0]!;
    const withText = cam.zoom >= TEXT_STEPS[0];
    const out: Painted = { deferred: false, unsharp: false };

    for (const k of vis) {
      const t = layout.tiles[k]!;
      const c = f.byId.get(t.id);
      if (!c) continue;
      const x = (t.x - cam.x) * z;
      const y = (t.y - cam.y) * z;
      const w = t.w * z;
      const h = t.h * z;
      ctx.fillStyle = pal.tileBorder;
      ctx.fillRect(x - 1, y - 1, w + 2, h + 2);
      ctx.fillStyle = pal.tile;
      ctx.fillRect(x, y, w, h);
      ctx.fillStyle = pal.status[this.headerText(c, f.now, f.fleet).status.tone];
      if (withText) ctx.fillRect(x, y, w, Math.max(2, 3 * z));
      else {
        // Too small to read: the whole header is the status colour, so status stays visible.
        ctx.globalAlpha = 0.85;
        ctx.fillRect(x, y, w, HEADER * z);
        ctx.globalAlpha = 1;
      }
      if (t.n === 0) this.drawEmpty(f, t, c, z);
      else if (z > SPRITE_MAX_RES) {
        this.drawCellsVector(f, t, c, vp, fills, z, f.moving);
        // names drawn on one line while moving: wrap them once the camera rests
        if (f.moving && CELL * cam.zoom >= 40) out.unsharp = true;
      } else this.drawCellsSprite(f, t, c, keyOf(c), vp, fills, z, out);
    }
    if (withText) for (const k of vis) this.drawHeader(f, layout.tiles[k]!, z);
    this.drawOverlays(f, z);
    // At rest, with time left: sprites for the tiles around the screen too, so a pan finds them ready.
    if (!f.moving && z <= SPRITE_MAX_RES && !out.deferred) {
      const around = { x: vp.x - vp.w / 2, y: vp.y - vp.h / 2, w: vp.w * 2, h: vp.h * 2 };
      for (const k of visibleTiles(layout, around)) {
        const t = layout.tiles[k]!;
        const c = f.byId.get(t.id);
        if (!c || !t.n || this.sprites.get(t.id, t, c.cells, keyOf(c), z, false)) continue;
        if (!this.sprites.hasBudget()) {
          out.deferred = true;
          break;
        }
        this.buildSprite(f, t, c, keyOf(c), spriteRes(z), fills);
      }
    }
    this.sprites.evict();
    return out;
  }

  private bucketsOf(c: ClusterTile, measure: Measure): Uint8Array {
    let cc = this.colours.get(c.id);
    if (!cc || cc.cells !== c.cells || cc.measure !== measure) {
      cc = { cells: c.cells, measure, buckets: cellBuckets(c.cells, measure) };
      this.colours.set(c.id, cc);
    }
    return cc.buckets;
  }

  private drawEmpty(f: Frame, t: TileBox, c: ClusterTile, z: number): void {
    if (CELL * f.cam.zoom < 7) return;
    const ctx = this.ctx;
    const font = `${Math.round(STATUS_FONT * textScale(f.cam.zoom) * f.dpr)}px ${f.font}`;
    ctx.font = font;
    ctx.fillStyle = f.pal.muted;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const msg = safeName(c.message ?? (c.status === 'offline' ? 'nothing cached for this cluster' : 'no nodes yet'), 200);
    ctx.fillText(this.text.fit(font, msg, (t.w - 2 * PAD) * z), (t.gridX - f.cam.x) * z, (t.gridY + PITCH - f.cam.y) * z);
  }

  /**
   * A tile's cells from its sprite: the grid drawn once at 0.25, 0.5, 1 or 2 device pixels per world
   * unit (the first at or above the current scale), then one drawImage per frame. A sprite is rebuilt
   * when the tile's cells, the measure or the theme change, or the zoom leaves its range: while the
   * camera moves, any sprite within 2.5x of the scale serves (slightly soft for a moment); at rest
   * they are rebuilt sharp. Rebuilding stops for the frame after SPRITE_BUDGET_MS (the rest follows in
   * the next frames), so no frame stalls rebuilding every tile at once.
   */
  private drawCellsSprite(f: Frame, t: TileBox, c: ClusterTile, key: string, vp: Rect, fills: string[], z: number, out: Painted): void {
    let sp = this.sprites.get(t.id, t, c.cells, key, z, f.moving);
    if (!sp) {
      const stale = this.sprites.get(t.id, t, c.cells, key, z, true, true);
      // The first frame of a fleet draws cells directly (cheaper than building sprites it would draw
      // once): opening the map is not held up.
      if (!f.firstFrame && this.sprites.hasBudget()) sp = this.buildSprite(f, t, c, key, spriteRes(z), fills);
      else {
        out.deferred = true;
        if (!stale) {
          // At rest (a new fleet, measure or theme) every cell is drawn; mid-pan, a placeholder.
          if (f.firstFrame || !f.moving) this.drawCellsVector(f, t, c, vp, fills, z);
          else this.drawPlaceholder(f, t, c, vp, fills, z);
          return;
        }
        sp = stale;
      }
    }
    if (!this.sprites.get(t.id, t, c.cells, key, z, false)) out.unsharp = true;
    this.sprites.touch(sp);
    const r = visibleCells(t, vp);
    if (r.c1 <= r.c0 || r.r1 <= r.r0) return;
    // Only the visible part of the sprite (whole cells, source pixels clamped to the sprite).
    const wx = r.c0 * PITCH;
    const wy = r.r0 * PITCH;
    const ww = Math.min((r.c1 - r.c0) * PITCH, sp.worldW - wx);
    const wh = Math.min((r.r1 - r.r0) * PITCH, sp.worldH - wy);
    if (ww <= 0 || wh <= 0) return;
    const s = sp.res;
    let dx = (t.gridX + wx - f.cam.x) * z;
    let dy = (t.gridY + wy - f.cam.y) * z;
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
    ctx.drawImage(sp.canvas as CanvasImageSource, wx * s, wy * s, ww * s, wh * s, dx, dy, ww * z, wh * z);
  }

  private buildSprite(f: Frame, t: TileBox, c: ClusterTile, key: string, res: number, fills: string[]) {
    return this.sprites.build(t.id, t, c.cells, key, res, (sctx, w, h) => {
      sctx.setTransform(1, 0, 0, 1, 0, 0);
      sctx.globalAlpha = 1;
      sctx.fillStyle = f.pal.tile;
      sctx.fillRect(0, 0, w, h);
      this.paintCells(f, sctx, t, c, fills, res, 0, 0, { c0: 0, c1: t.cols, r0: 0, r1: Math.ceil(t.n / t.cols) }, 0);
    });
  }

  /**
   * A tile whose sprite is not built yet, while the frame's budget is spent: its grid in the cluster's
   * most common colour, for the frame or two until the sprite is there (cheaper than every cell).
   */
  private drawPlaceholder(f: Frame, t: TileBox, c: ClusterTile, vp: Rect, fills: string[], z: number): void {
    const r = visibleCells(t, vp);
    if (r.c1 <= r.c0 || r.r1 <= r.r0) return;
    const buckets = this.bucketsOf(c, f.measure);
    const counts = new Uint32Array(fills.length);
    for (let i = 0; i < buckets.length; i += 7) counts[buckets[i]!]!++;
    let mode = 0;
    for (let b = 1; b < counts.length; b++) if (counts[b]! > counts[mode]!) mode = b;
    const ctx = this.ctx;
    ctx.globalAlpha = DIMMED.has(c.status) ? 0.3 : 0.6;
    ctx.fillStyle = fills[mode]!;
    const rows = Math.min(r.r1, Math.ceil(t.n / t.cols));
    ctx.fillRect(
      (t.gridX + r.c0 * PITCH - f.cam.x) * z,
      (t.gridY + r.r0 * PITCH - f.cam.y) * z,
      (r.c1 - r.c0) * PITCH * z,
      (rows - r.r0) * PITCH * z,
    );
    ctx.globalAlpha = 1;
  }

  /** Cells straight onto the screen: only when cells are large, so few are visible. */
  private drawCellsVector(f: Frame, t: TileBox, c: ClusterTile, vp: Rect, fills: string[], z: number, moving = false): void {
    const r = visibleCells(t, vp);
    if (r.c1 <= r.c0 || r.r1 <= r.r0) return;
    // Node names once a cell is 40 CSS pixels wide: one line while the camera moves, wrapped at rest.
    const names = CELL * f.cam.zoom < 40 ? 0 : moving ? 1 : 4;
    this.paintCells(f, this.ctx, t, c, fills, z, (t.gridX - f.cam.x) * z, (t.gridY - f.cam.y) * z, r, names);
  }

  /** Paint a range of a tile's cells at `z` device pixels per world unit, cell 0 at (gx, gy). */
  private paintCells(
    f: Frame,
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
    const pal = f.pal;
    const buckets = this.bucketsOf(c, f.measure);
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
      // accelerators: a corner triangle, top right. WHY no closePath: fill() closes each subpath anyway,
      // and Chromium's closePath costs the length of the path so far: quadratic in the accelerator cells
      // (the sprite of one 65,000-node cluster took 10 s; bench/ui.bench.ts --shapes 1x65000).
      const m = s * 0.45;
      ctx.beginPath();
      for (const i of acc) {
        const o = at(i);
        ctx.moveTo(o.x + s - m, o.y);
        ctx.lineTo(o.x + s, o.y);
        ctx.lineTo(o.x + s, o.y + m);
      }
      ctx.fillStyle = pal.accelerator;
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
      ctx.strokeStyle = pal.cordon;
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
      ctx.fillStyle = pal.csi;
      ctx.fill();
      if (ring) {
        ctx.strokeStyle = pal.tile;
        ctx.lineWidth = Math.max(1, rad * 0.4);
        ctx.stroke();
      }
    }
    if (names) this.paintNames(f, ctx, t, c, buckets, fills, z, gx, gy, r, names);
  }

  /** Node names on cells (large cells only): the part that tells a cluster's nodes apart, wrapped. */
  private paintNames(
    f: Frame,
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
    const fontPx = Math.round(NODE_FONT * f.dpr);
    const font = `${fontPx}px ${f.font}`;
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

  private drawHeader(f: Frame, t: TileBox, z: number): void {
    const c = f.byId.get(t.id);
    if (!c) return;
    const ctx = this.ctx;
    const pal = f.pal;
    const cam = f.cam;
    // Text grows with the zoom in a few steps (each font size costs its glyphs once), and sticks to the
    // screen's edges while the tile is wider than the screen.
    const tz = textScale(cam.zoom) * f.dpr;
    const top = (t.y - cam.y) * z;
    const edge = 4 * f.dpr;
    const x = Math.max((t.x - cam.x) * z + PAD * tz, edge);
    const right = Math.min((t.x + t.w - cam.x) * z - PAD * tz, f.canvasW - edge);
    const avail = right - x;
    if (avail < 20) return;
    const y1 = top + 19 * tz;
    const y2 = top + 34 * tz;
    ctx.textBaseline = 'alphabetic';
    const hd = this.headerText(c, f.now, f.fleet);
    // line 1: the context name, and the node count on the right
    const small = `${Math.round(STATUS_FONT * tz)}px ${f.font}`;
    const countsW = this.text.width(small, hd.counts);
    const bold = `600 ${Math.round(NAME_FONT * tz)}px ${f.font}`;
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

  private drawOverlays(f: Frame, z: number): void {
    const ctx = this.ctx;
    const { cam, pal, dpr } = f;
    const h = f.hover;
    if (h && !f.dragging) {
      const t = f.layout.tiles[h.tile];
      if (t && t.id === h.cluster) {
        const r = h.nodeIndex === undefined ? { x: t.x, y: t.y, w: t.w, h: t.h } : cellRect(t, h.nodeIndex);
        ctx.strokeStyle = pal.hover;
        ctx.lineWidth = Math.max(1.5, dpr * 1.5);
        const o = ctx.lineWidth / 2 + (h.nodeIndex === undefined ? 0 : 1);
        ctx.strokeRect((r.x - cam.x) * z - o, (r.y - cam.y) * z - o, r.w * z + 2 * o, r.h * z + 2 * o);
      }
    }
    const t = f.focus;
    if (t) {
      ctx.strokeStyle = pal.focus;
      ctx.lineWidth = 3 * dpr;
      const o = 4 * dpr;
      ctx.strokeRect((t.x - cam.x) * z - o, (t.y - cam.y) * z - o, t.w * z + 2 * o, t.h * z + 2 * o);
    }
  }
}
