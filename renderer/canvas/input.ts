// A canvas view's input: pointer (hover, click, drag), wheel and keys on its canvas, turned into calls
// on the view's engine. What a key and the wheel mean is the view's camera's (keyCommand) and
// camera.ts's (wheelStep); a drag and a wheel's pan or scroll are one move (moveBy).
import { wheelStep } from './camera.ts';

export interface Point {
  x: number;
  y: number;
}

/** What the input drives. Points are CSS pixels in the canvas. */
export interface CanvasInputTarget<K> {
  /**
   * Move the view by (dx, dy) CSS pixels: a drag (the content follows the pointer, so the view moves
   * the other way) or a wheel's pan (dx) or scroll (dy).
   */
  moveBy(dx: number, dy: number): void;
  /** zoom by `factor` about a point of the canvas */
  zoomAt(factor: number, x: number, y: number): void;
  /** the pointer is at this point (hover), or off the canvas / dragging (null) */
  pointer(p: Point | null): void;
  click(p: Point): void;
  /** true when the key did something (its default is then prevented) */
  key(cmd: K): boolean;
  /** the canvas gained or lost the keyboard focus */
  focus(has: boolean): void;
  /** the canvas's height in CSS pixels (a wheel "page") */
  screenH(): number;
}

export interface CanvasInputOptions<K> {
  keyCommand(e: KeyboardEvent): K | null;
  /** Shift+wheel scrolls (the timeline's lanes) */
  shiftScrolls?: boolean;
  /** a key the view used is not seen by the app's own keys (Esc = back) */
  ownKeys?: boolean;
}

/** Listen, and remember how to stop listening. */
export function listen(
  cleanup: (() => void)[],
  t: EventTarget,
  type: string,
  fn: (e: Event) => void,
  opts?: AddEventListenerOptions,
): void {
  t.addEventListener(type, fn, opts);
  cleanup.push(() => t.removeEventListener(type, fn, opts));
}

/** A drag starts once the pointer has gone this far (CSS pixels) with the button down; less is a click. */
const DRAG_SLOP = 4;

export class CanvasInput<K> {
  private readonly canvas: HTMLCanvasElement;
  private readonly target: CanvasInputTarget<K>;
  private readonly opts: CanvasInputOptions<K>;
  private readonly cleanup: (() => void)[] = [];
  private drag: { id: number; x: number; y: number; moved: boolean } | null = null;

  constructor(canvas: HTMLCanvasElement, target: CanvasInputTarget<K>, opts: CanvasInputOptions<K>) {
    this.canvas = canvas;
    this.target = target;
    this.opts = opts;
    const on = (type: string, fn: (e: Event) => void, o?: AddEventListenerOptions) => listen(this.cleanup, canvas, type, fn, o);
    on('pointerdown', (e) => this.onPointerDown(e as PointerEvent));
    on('pointermove', (e) => this.onPointerMove(e as PointerEvent));
    on('pointerup', (e) => this.onPointerUp(e as PointerEvent));
    on('pointercancel', () => (this.drag = null));
    on('pointerleave', () => target.pointer(null));
    on('wheel', (e) => this.onWheel(e as WheelEvent), { passive: false });
    on('keydown', (e) => this.onKey(e as KeyboardEvent));
    on('focus', () => target.focus(true));
    on('blur', () => target.focus(false));
  }

  /** a button is down on the canvas (a click or a drag in the making) */
  get pressed(): boolean {
    return this.drag !== null;
  }

  /** the view is being dragged */
  get dragging(): boolean {
    return this.drag?.moved ?? false;
  }

  destroy(): void {
    for (const f of this.cleanup.splice(0)) f();
  }

  /** CSS pixels in the canvas of a client point. */
  local(clientX: number, clientY: number): Point {
    const r = this.canvas.getBoundingClientRect();
    return { x: clientX - r.left, y: clientY - r.top };
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    const p = this.local(e.clientX, e.clientY);
    this.drag = { id: e.pointerId, x: p.x, y: p.y, moved: false };
    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch {
      // synthetic events (tests) have no active pointer to capture
    }
  }

  private onPointerMove(e: PointerEvent): void {
    const p = this.local(e.clientX, e.clientY);
    const d = this.drag;
    if (d && d.id === e.pointerId) {
      if (!d.moved && Math.hypot(p.x - d.x, p.y - d.y) < DRAG_SLOP) return;
      if (!d.moved) {
        d.moved = true;
        this.canvas.style.cursor = 'grabbing';
        this.target.pointer(null);
      }
      this.target.moveBy(d.x - p.x, d.y - p.y);
      d.x = p.x;
      d.y = p.y;
      return;
    }
    this.target.pointer(p);
  }

  private onPointerUp(e: PointerEvent): void {
    const d = this.drag;
    this.drag = null;
    if (!d || d.id !== e.pointerId) return;
    this.canvas.style.cursor = '';
    const p = this.local(e.clientX, e.clientY);
    if (d.moved) this.target.pointer(p);
    else this.target.click(p);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const step = wheelStep(e, this.target.screenH(), this.opts.shiftScrolls);
    if ('pan' in step) this.target.moveBy(step.pan, 0);
    else if ('scroll' in step) this.target.moveBy(0, step.scroll);
    else {
      const p = this.local(e.clientX, e.clientY);
      this.target.zoomAt(step.zoom, p.x, p.y);
    }
  }

  private onKey(e: KeyboardEvent): void {
    const cmd = this.opts.keyCommand(e);
    if (cmd && this.target.key(cmd)) {
      e.preventDefault();
      if (this.opts.ownKeys) e.stopPropagation();
    }
  }
}
