// The timeline's input: pointer (hover, click, drag to pan the time axis and scroll the lanes), wheel
// and keys on its canvas, turned into calls on the engine (what they mean is camera.ts's: wheelStep,
// keyCommand).
import { keyCommand, wheelStep, type KeyCommand } from './camera.ts';
import { listen } from '../map/input.ts';

/** What the input drives. Points are CSS pixels in the canvas. */
export interface TimelineInputTarget {
  /** pan the time axis by dx and scroll the lanes by dy (CSS pixels) */
  dragBy(dx: number, dy: number): void;
  panBy(dx: number): void;
  scrollBy(dy: number): void;
  zoomAt(factor: number, x: number): void;
  pointer(p: { x: number; y: number } | null): void;
  click(p: { x: number; y: number }): void;
  key(cmd: KeyCommand): boolean;
  focus(has: boolean): void;
  screenH(): number;
}

/** A drag starts once the pointer has gone this far (CSS pixels) with the button down; less is a click. */
const DRAG_SLOP = 4;

export class TimelineInput {
  private readonly canvas: HTMLCanvasElement;
  private readonly target: TimelineInputTarget;
  private readonly cleanup: (() => void)[] = [];
  private drag: { id: number; x: number; y: number; moved: boolean } | null = null;

  constructor(canvas: HTMLCanvasElement, target: TimelineInputTarget) {
    this.canvas = canvas;
    this.target = target;
    const on = (type: string, fn: (e: Event) => void, opts?: AddEventListenerOptions) => listen(this.cleanup, canvas, type, fn, opts);
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

  get pressed(): boolean {
    return this.drag !== null;
  }

  get dragging(): boolean {
    return this.drag?.moved ?? false;
  }

  destroy(): void {
    for (const f of this.cleanup.splice(0)) f();
  }

  local(clientX: number, clientY: number): { x: number; y: number } {
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
      // the content follows the pointer: dragging right shows earlier times
      this.target.dragBy(d.x - p.x, d.y - p.y);
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
    const step = wheelStep(e, this.target.screenH());
    if ('pan' in step) this.target.panBy(step.pan);
    else if ('scroll' in step) this.target.scrollBy(step.scroll);
    else this.target.zoomAt(step.zoom, this.local(e.clientX, e.clientY).x);
  }

  private onKey(e: KeyboardEvent): void {
    const cmd = keyCommand(e);
    if (cmd && this.target.key(cmd)) {
      e.preventDefault();
      // the app's own keys (Esc = back) do not see a key the timeline used
      e.stopPropagation();
    }
  }
}
