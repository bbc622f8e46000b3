// The machinery a canvas view (the fleet map, the timeline) runs on outside React: its canvas sized to
// its root in CSS and device pixels (a ResizeObserver, and a watch on the device pixel ratio, which
// browser zoom or another screen change without resizing anything), frames drawn in
// requestAnimationFrame only when something changed (a dirty flag, never a loop), the time of each
// frame, the OS theme, the canvas's input and keyboard focus, and the listeners to remove when the
// view goes.
import { effectiveTheme } from '../store/theme.ts';
import { CanvasInput, listen, type CanvasInputOptions, type CanvasInputTarget } from './input.ts';

export type Theme = 'light' | 'dark';

/** The elements of a canvas view: the host (sized by the page), its canvas and the hover box. */
export interface CanvasElements {
  root: HTMLElement;
  canvas: HTMLCanvasElement;
  tooltip: HTMLElement;
}

export interface CanvasHooks {
  /** The canvas's size (sizeChanged) or the device pixel ratio changed; a frame is drawn right after. */
  resized(sizeChanged: boolean): void;
  /** Draw a frame (or nothing, when there is nothing to draw yet). */
  draw(): void;
}

/** Frame times kept (the older half is dropped past this). */
const MAX_FRAMES = 5000;

/** A CSS custom property of an element (the app's colours), or the fallback where it has none. */
export function cssVars(el: Element | null): (name: string, fallback: string) => string {
  if (!el || typeof getComputedStyle !== 'function') return (_name, fallback) => fallback;
  const cs = getComputedStyle(el);
  return (name, fallback) => cs.getPropertyValue(name).trim() || fallback;
}

export class CanvasView {
  /** ms of each frame drawn, for tests and benchmarks (the same array for the view's life) */
  readonly frames: number[] = [];
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
  /** the canvas's size in CSS pixels, and device pixels per CSS pixel */
  cssW = 0;
  cssH = 0;
  dpr = 1;
  /** the canvas has the keyboard focus */
  hasFocus = false;
  private readonly hooks: CanvasHooks;
  private readonly cleanup: (() => void)[] = [];
  private raf = 0;

  constructor(root: HTMLElement, canvas: HTMLCanvasElement, hooks: CanvasHooks) {
    this.root = root;
    this.canvas = canvas;
    this.hooks = hooks;
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('no 2D canvas context');
    this.ctx = ctx;

    const ro = new ResizeObserver(() => this.resize());
    ro.observe(root);
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
  }

  /**
   * Follow the theme: the one chosen in Settings (data-theme on <html>), else the OS's; `fn` now and at
   * every change, with the root's font family ('' where it has none).
   */
  watchTheme(fn: (theme: Theme, font: string) => void): void {
    const dark = window.matchMedia('(prefers-color-scheme: dark)');
    const on = () => fn(effectiveTheme(), typeof getComputedStyle === 'function' ? getComputedStyle(this.root).fontFamily : '');
    on();
    listen(this.cleanup, dark, 'change', on);
    if (typeof MutationObserver === 'function') {
      const mo = new MutationObserver(on);
      mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
      this.cleanup.push(() => mo.disconnect());
    }
  }

  /** The canvas's pointer, wheel and keys, driving `target` (the focus is the view's: hasFocus, redrawn as it changes). */
  input<K>(target: Omit<CanvasInputTarget<K>, 'focus' | 'screenH'>, opts: CanvasInputOptions<K>): CanvasInput<K> {
    const input = new CanvasInput<K>(
      this.canvas,
      {
        ...target,
        focus: (has) => {
          this.hasFocus = has;
          this.invalidate();
        },
        screenH: () => this.cssH,
      },
      opts,
    );
    this.cleanup.push(() => input.destroy());
    return input;
  }

  destroy(): void {
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
    for (const f of this.cleanup.splice(0)) f();
  }

  /** Something on screen changed: draw in the next animation frame (once, however often this is called). */
  invalidate(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.hooks.draw();
    });
  }

  /** Draw now (a frame asked for meanwhile is not drawn again). */
  drawNow(): void {
    if (this.raf) {
      cancelAnimationFrame(this.raf);
      this.raf = 0;
    }
    this.hooks.draw();
  }

  /** A frame begun at t0 (performance.now()) is drawn: keep its time. */
  frameDrawn(t0: number): void {
    const ms = performance.now() - t0;
    if (this.frames.length >= MAX_FRAMES) this.frames.splice(0, MAX_FRAMES / 2);
    this.frames.push(ms);
  }

  /** Size the canvas to its root (CSS pixels × the device pixel ratio) when either changed, and draw. */
  resize(): void {
    const r = this.root.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(0, Math.floor(r.width));
    const h = Math.max(0, Math.floor(r.height));
    if (w === this.cssW && h === this.cssH && dpr === this.dpr) return;
    const sizeChanged = w !== this.cssW || h !== this.cssH;
    this.cssW = w;
    this.cssH = h;
    this.dpr = dpr;
    this.canvas.width = Math.max(1, Math.round(w * dpr));
    this.canvas.height = Math.max(1, Math.round(h * dpr));
    this.hooks.resized(sizeChanged);
    // Resizing cleared the canvas: draw now, before this frame is painted (ResizeObserver runs after
    // layout, before paint), rather than show a blank frame.
    this.drawNow();
  }
}
