// The window's size and position, remembered across launches and restored onto a display that is
// still there: a window saved on a monitor since unplugged comes back centred on the primary display,
// one that hangs off an edge is pulled inside, one larger than the display is shrunk to it.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1440, height: 900 };
export const MIN_SIZE = { width: 800, height: 560 };
/** at least this much of the window must be on a display for the saved position to be kept */
const MIN_VISIBLE = { width: 160, height: 80 };

function overlap(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const r = Math.min(a.x + a.width, b.x + b.width);
  const bt = Math.min(a.y + a.height, b.y + b.height);
  return r > x && bt > y ? { x, y, width: r - x, height: bt - y } : null;
}

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

export function isRect(r: unknown): r is Rect {
  const o = r as Partial<Rect> | null;
  return !!o && finite(o.x) && finite(o.y) && finite(o.width) && finite(o.height) && o.width > 0 && o.height > 0;
}

function centred(area: Rect, width: number, height: number): Rect {
  const w = Math.min(width, area.width);
  const h = Math.min(height, area.height);
  return { x: Math.round(area.x + (area.width - w) / 2), y: Math.round(area.y + (area.height - h) / 2), width: w, height: h };
}

/**
 * Where to open the window. `workAreas` are the displays' work areas (screen.getAllDisplays()), the
 * primary first; `saved` is what the last session remembered, if anything.
 */
export function restoreWindowState(saved: Partial<WindowState> | undefined, workAreas: Rect[]): WindowState {
  const primary = workAreas[0] ?? { x: 0, y: 0, width: DEFAULT_SIZE.width, height: DEFAULT_SIZE.height };
  const maximized = saved?.maximized === true;
  if (!saved || !isRect(saved.bounds)) return { bounds: centred(primary, DEFAULT_SIZE.width, DEFAULT_SIZE.height), maximized };
  const b = {
    ...saved.bounds,
    width: Math.max(MIN_SIZE.width, Math.round(saved.bounds.width)),
    height: Math.max(MIN_SIZE.height, Math.round(saved.bounds.height)),
    x: Math.round(saved.bounds.x),
    y: Math.round(saved.bounds.y),
  };
  // The display showing most of the window.
  let best: { area: Rect; seen: number } | undefined;
  for (const area of workAreas) {
    const o = overlap(b, area);
    const seen = o ? o.width * o.height : 0;
    if (
      o &&
      o.width >= Math.min(MIN_VISIBLE.width, b.width) &&
      o.height >= Math.min(MIN_VISIBLE.height, b.height) &&
      seen > (best?.seen ?? 0)
    ) {
      best = { area, seen };
    }
  }
  if (!best) return { bounds: centred(primary, b.width, b.height), maximized };
  const a = best.area;
  const width = Math.min(b.width, a.width);
  const height = Math.min(b.height, a.height);
  const x = Math.min(Math.max(b.x, a.x), a.x + a.width - width);
  const y = Math.min(Math.max(b.y, a.y), a.y + a.height - height);
  return { bounds: { x, y, width, height }, maximized };
}
