// The fleet map's sprite cache: a tile's cells drawn once onto an offscreen canvas (bare fillRects),
// then one drawImage per frame. A sprite shows one cluster view (its cells array), at one resolution
// (device pixels per world unit: 0.25, 0.5, 1 or 2), with one key (measure, theme, dimming, fills:
// what the pixels depend on besides the cells). Building is budgeted per frame (SPRITE_BUDGET_MS) and
// all sprites together are capped (SPRITE_MAX_PX), least recently drawn evicted first. No DOM of its
// own: canvases come from a factory (OffscreenCanvas or <canvas> in the page, a fake in tests).
import type { Measure, NodeCell } from '../../common/contract.ts';
import { GAP, PITCH, type TileBox } from './layout.ts';

/** sprite resolutions (device pixels per world unit); above the last, cells are drawn directly */
export const SPRITE_RES = [0.25, 0.5, 1, 2] as const;
export const SPRITE_MAX_RES = 2;
/** rebuilding sprites stops for the frame after this long (tiles show their old sprite, scaled) */
export const SPRITE_BUDGET_MS = 4;
/** all sprites together: 24 Mpx (96 MB of canvas memory, outside the JS heap); least recently drawn go first */
export const SPRITE_MAX_PX = 24e6;

/** The sprite resolution for a scale: the first at or above it (the last above them all). */
export const spriteRes = (z: number): number => SPRITE_RES.find((r) => r >= z - 1e-9) ?? SPRITE_MAX_RES;

/** What a sprite's pixels depend on besides its cells. */
export function spriteKey(measure: Measure, theme: string, dimmed: boolean, tile: string, fills: readonly string[]): string {
  return `${measure}|${theme}|${dimmed ? 1 : 0}|${tile}|${fills.join(',')}`;
}

/** What a sprite is drawn on: an OffscreenCanvas, a <canvas>, or a test's fake. */
export interface SpriteCanvas {
  width: number;
  height: number;
  getContext(contextId: '2d', options?: { alpha?: boolean }): unknown;
}

export type CanvasFactory = (w: number, h: number) => SpriteCanvas;

/** An OffscreenCanvas where there is one, else a detached <canvas>. */
export const pageCanvas: CanvasFactory = (w, h) => {
  if (typeof OffscreenCanvas === 'function') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
};

export interface Sprite {
  canvas: SpriteCanvas;
  cells: NodeCell[];
  key: string;
  res: number;
  cols: number;
  worldW: number;
  worldH: number;
  /** frame it was last drawn in */
  used: number;
  px: number;
}

export interface SpriteCacheOptions {
  canvas?: CanvasFactory;
  /** the clock of the frame budget (ms) */
  clock?: () => number;
  budgetMs?: number;
  maxPx?: number;
}

export class SpriteCache {
  /** the current frame (beginFrame counts them): a sprite drawn in it is never evicted */
  frame = 0;
  private readonly sprites = new Map<string, Sprite>();
  private total = 0;
  private t0 = 0;
  private readonly canvas: CanvasFactory;
  private readonly clock: () => number;
  private readonly budgetMs: number;
  private readonly maxPx: number;

  constructor(opts: SpriteCacheOptions = {}) {
    this.canvas = opts.canvas ?? pageCanvas;
    this.clock = opts.clock ?? (() => performance.now());
    this.budgetMs = opts.budgetMs ?? SPRITE_BUDGET_MS;
    this.maxPx = opts.maxPx ?? SPRITE_MAX_PX;
  }

  /** pixels of all sprites together */
  get px(): number {
    return this.total;
  }

  get size(): number {
    return this.sprites.size;
  }

  /** A new frame, started at `t0` on the clock: its building budget starts now. */
  beginFrame(t0: number): void {
    this.frame++;
    this.t0 = t0;
  }

  /** Time left in this frame's budget for building sprites? */
  hasBudget(): boolean {
    return this.clock() - this.t0 < this.budgetMs;
  }

  /**
   * The tile's sprite if it shows these cells with this key at a usable resolution: at rest, from
   * 15 % coarser than the scale `z` to 4x finer (hysteresis: zooming to and fro across a step does not
   * rebuild); while moving, 2.5x coarser to 8x finer; `any`: whatever its resolution.
   */
  get(id: string, t: TileBox, cells: NodeCell[], key: string, z: number, moving: boolean, any = false): Sprite | undefined {
    const sp = this.sprites.get(id);
    if (!sp || sp.cells !== cells || sp.cols !== t.cols || sp.key !== key) return undefined;
    if (any) return sp;
    const ok = moving ? sp.res >= z / 2.5 && sp.res <= z * 8 : sp.res >= z / 1.15 && sp.res <= z * 4;
    return ok ? sp : undefined;
  }

  /** Mark a sprite drawn in this frame. */
  touch(sp: Sprite): void {
    sp.used = this.frame;
  }

  /**
   * (Re)build the tile's sprite at resolution `res` (its canvas reused when the size is the same):
   * `paint` draws the whole grid with cell 0 at (0, 0), at `res` device pixels per world unit.
   */
  build(
    id: string,
    t: TileBox,
    cells: NodeCell[],
    key: string,
    res: number,
    paint: (ctx: CanvasRenderingContext2D, w: number, h: number) => void,
  ): Sprite {
    const rows = Math.ceil(t.n / t.cols);
    const worldW = t.cols * PITCH - GAP;
    const worldH = rows * PITCH - GAP;
    const w = Math.max(1, Math.ceil(worldW * res));
    const h = Math.max(1, Math.ceil(worldH * res));
    const old = this.sprites.get(id);
    const canvas = old && old.canvas.width === w && old.canvas.height === h ? old.canvas : this.canvas(w, h);
    const ctx = canvas.getContext('2d', { alpha: false }) as CanvasRenderingContext2D | null;
    if (!ctx) throw new Error('no 2D context for a map sprite');
    paint(ctx, w, h);
    const sp: Sprite = { canvas, cells, key, res, cols: t.cols, worldW, worldH, used: this.frame, px: w * h };
    this.total += sp.px - (old?.px ?? 0);
    this.sprites.set(id, sp);
    return sp;
  }

  /** A new fleet read brought the same cells in a new array: the sprite of `from` now shows `to`. */
  adopt(id: string, from: NodeCell[], to: NodeCell[]): void {
    const sp = this.sprites.get(id);
    if (sp?.cells === from) sp.cells = to;
  }

  /** Drop every sprite whose cluster is gone or shows other cells now. */
  retain(cellsOf: (id: string) => NodeCell[] | undefined): void {
    for (const [id, sp] of this.sprites) {
      if (cellsOf(id) === sp.cells) continue;
      this.sprites.delete(id);
      this.total -= sp.px;
    }
  }

  /** Keep sprites within the pixel cap: drop the least recently drawn, never one drawn this frame, down to 3/4 of it. */
  evict(): void {
    if (this.total <= this.maxPx) return;
    const old = [...this.sprites.entries()].filter(([, s]) => s.used < this.frame).sort((a, b) => a[1].used - b[1].used);
    for (const [id, s] of old) {
      if (this.total <= this.maxPx * 0.75) break;
      this.sprites.delete(id);
      this.total -= s.px;
    }
  }
}
