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

/**
 * rowOffsets kept across updates of a list that grows at its end, takes lines out at its start, and
 * changes from some row on (a log buffer): rows before `from` keep the heights they had (after the
 * `shift` rows that left the top), only the rows from there on are measured. Another `key` (the width,
 * another list) measures every row. Returns a view of its own storage: valid until the next call.
 */
export class RowOffsetCache {
  private buf = new Float64Array(1);
  private count = 0;
  private key: string | null = null;
  /** rows measured by the last call (for tests and benches) */
  measured = 0;

  offsets(key: string, count: number, from: number, shift: number, heightOf: (i: number) => number): Float64Array {
    count = Math.max(0, count);
    let keep = 0;
    if (key === this.key) keep = Math.max(0, Math.min(from, count, this.count - shift));
    this.key = key;
    if (keep > 0 && shift > 0) {
      const base = this.buf[shift]!;
      this.buf.copyWithin(0, shift, shift + keep + 1);
      for (let i = 0; i <= keep; i++) this.buf[i]! -= base;
    }
    if (this.buf.length < count + 1) {
      const next = new Float64Array(Math.max(count + 1, this.buf.length * 2));
      next.set(this.buf.subarray(0, keep + 1));
      this.buf = next;
    }
    this.buf[0] = keep > 0 ? this.buf[0]! : 0;
    for (let i = keep; i < count; i++) this.buf[i + 1] = this.buf[i]! + Math.max(0, heightOf(i));
    this.measured = count - keep;
    this.count = count;
    return this.buf.subarray(0, count + 1);
  }
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
