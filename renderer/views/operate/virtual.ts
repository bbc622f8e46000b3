// The log view's virtual window, pure: which rows to render for a scroll position (only those on screen,
// and a few either side), where the rendered block sits, how tall the whole list is, whether the view
// is at its end (autoscroll), and where to scroll to show a row. Rows are one line high, or — wrapped —
// as many lines as a monospace text of that length takes at the view's width.

export interface VirtualWindow {
  /** the first row to render */
  start: number;
  /** one past the last */
  end: number;
  /** where the first rendered row starts (px from the top of the list) */
  top: number;
  /** the whole list's height (px) */
  total: number;
}

/** Rows of one height: the rows from scrollTop to scrollTop + viewport, `overscan` more either side. */
export function fixedWindow(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 8): VirtualWindow {
  const total = count * rowHeight;
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, top: 0, total: Math.max(0, total) };
  const y = Math.min(Math.max(0, scrollTop), Math.max(0, total - viewport));
  const first = Math.floor(y / rowHeight);
  const last = Math.ceil((y + Math.max(0, viewport)) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, Math.max(last, first + 1) + overscan);
  return { start, end, top: start * rowHeight, total };
}

/** How many screen lines a text of `length` characters takes, wrapped at `perLine` characters (at least one). */
export function wrappedLines(length: number, perLine: number): number {
  if (perLine <= 0 || length <= perLine) return 1;
  return Math.ceil(length / perLine);
}

/** The characters of monospace text that fit in `width` px (at least one). */
export function charsPerLine(width: number, charWidth: number): number {
  if (!(charWidth > 0) || !(width > 0)) return 1;
  return Math.max(1, Math.floor(width / charWidth));
}

/** Rows' tops: offsets[i] is where row i starts, offsets[count] the total height. */
export function rowOffsets(count: number, heightOf: (i: number) => number): Float64Array {
  const out = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) out[i + 1] = out[i]! + Math.max(0, heightOf(i));
  return out;
}

/** The row at height y (the last row whose top is at or above it). */
export function rowAt(offsets: Float64Array, y: number): number {
  const count = offsets.length - 1;
  if (count <= 0) return 0;
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Rows of their own heights (offsets from rowOffsets): the window as fixedWindow has it. */
export function offsetWindow(scrollTop: number, viewport: number, offsets: Float64Array, overscan = 8): VirtualWindow {
  const count = offsets.length - 1;
  const total = offsets[count] ?? 0;
  if (count <= 0) return { start: 0, end: 0, top: 0, total: 0 };
  const y = Math.min(Math.max(0, scrollTop), Math.max(0, total - viewport));
  const first = rowAt(offsets, y);
  const last = rowAt(offsets, y + Math.max(0, viewport) - 0.5);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, last + 1 + overscan);
  return { start, end, top: offsets[start]!, total };
}

/** Whether a scrolled view shows its end (within `slack` px): while it does, following keeps it there. */
export function atBottom(scrollTop: number, clientHeight: number, scrollHeight: number, slack = 8): boolean {
  return scrollHeight - (scrollTop + clientHeight) <= slack;
}

/**
 * The scrollTop that shows the row from `top` to `bottom` (px): unchanged when it is already on screen,
 * else the row a third down the view (a match found reads with some context above it).
 */
export function scrollToShow(top: number, bottom: number, scrollTop: number, viewport: number, total: number): number {
  if (top >= scrollTop && bottom <= scrollTop + viewport) return scrollTop;
  const want = top - Math.floor(viewport / 3);
  return Math.max(0, Math.min(want, Math.max(0, total - viewport)));
}
