// Fleet map geometry, in world units (1 unit = 1 CSS pixel at zoom 1). Pure: no DOM, so node:test
// covers it. A tile per cluster (a header, then a grid of node cells, row-major in the fleet's node
// order), packed into rows whose total width is the map's width; camera.ts maps world to screen.
//
// Packing: clusters go largest first (similar heights share a row, so little space is wasted),
// greedily into rows at their natural width (a grid about twice as wide as tall); each row is then
// justified: its leftover width goes, a column at a time, to the tile with the most cell rows, which
// lowers the row. Every tile of a row has the row's height, so the map reads as a grid.

export const CELL = 10;
export const GAP = 2;
export const PITCH = CELL + GAP;
/** inner padding of a tile */
export const PAD = 8;
/** name line + status line */
export const HEADER = 40;
/** space between tiles and around the map */
export const TILE_GAP = 12;
export const MIN_TILE_W = 200;
/** cell rows kept for a tile without nodes (its message goes there) */
const EMPTY_ROWS = 2;
/** natural grid: columns ≈ sqrt(ASPECT × nodes), so the grid is about ASPECT times as wide as tall */
const ASPECT = 2;

/** the most a small fleet is enlarged to fill the screen (cells twice CELL) */
export const MAX_FIT_ZOOM = 2;

export interface ClusterSize {
  id: string;
  /** node cells */
  nodes: number;
  /** a favourite: first (of its group), whatever its size */
  pinned?: boolean;
  /** index into the layout's group headings (grouped by a label): groups in order, each from a new row */
  group?: number;
}

/** height of a group's heading band (grouped by a label) */
export const GROUP_HEADER = 30;

/** A group's heading (world units): drawn above its first row. */
export interface GroupHeading {
  label: string;
  /** clusters in the group */
  count: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface TileBox {
  id: string;
  /** index of the cluster in the input */
  index: number;
  /** node cells */
  n: number;
  x: number;
  y: number;
  w: number;
  h: number;
  /** cell grid: columns, and rows available (the row's height; only ceil(n / cols) are used) */
  cols: number;
  cellRows: number;
  /** world position of cell 0's top-left corner */
  gridX: number;
  gridY: number;
  /** layout row */
  row: number;
}

export interface LayoutRow {
  y: number;
  h: number;
  /** tiles[start, end) */
  start: number;
  end: number;
}

export interface Layout {
  /** visual order: row by row, left to right */
  tiles: TileBox[];
  rows: LayoutRow[];
  /** cluster id → index into tiles */
  byId: Map<string, number>;
  /** group headings (only when grouped) */
  headings: GroupHeading[];
  width: number;
  height: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const colsForWidth = (w: number) => Math.max(1, Math.floor((w - 2 * PAD + GAP) / PITCH));
const widthForCols = (cols: number) => Math.max(MIN_TILE_W, cols * PITCH - GAP + 2 * PAD);
const rowsOf = (n: number, cols: number) => (n === 0 ? EMPTY_ROWS : Math.ceil(n / cols));

/**
 * Pack clusters into rows `width` world units wide (the map's width at zoom 1). `groups`: the
 * headings of ClusterSize.group (grouped by a label): each group starts a row under its heading;
 * within a group (or the whole fleet) pinned clusters (favourites) come first.
 */
export function layoutFleet(clusters: readonly ClusterSize[], width: number, groups?: readonly string[]): Layout {
  const W = Math.max(MIN_TILE_W + 2 * TILE_GAP, Math.floor(width));
  const inner = W - 2 * TILE_GAP;
  const maxCols = colsForWidth(inner);
  const minCols = colsForWidth(MIN_TILE_W);
  const grouped = !!groups?.length;
  const order = clusters
    .map((c, index) => ({ id: c.id, index, n: Math.max(0, Math.floor(c.nodes)), pin: c.pinned ? 0 : 1, g: grouped ? (c.group ?? 0) : 0 }))
    .sort((a, b) => a.g - b.g || a.pin - b.pin || b.n - a.n || (a.id < b.id ? -1 : a.id > b.id ? 1 : a.index - b.index));

  const tiles: TileBox[] = [];
  const rows: LayoutRow[] = [];
  const headings: GroupHeading[] = [];
  let y = TILE_GAP;
  let i = 0;
  while (i < order.length) {
    // A group starts under its heading, on a row of its own.
    const g = order[i]!.g;
    if (grouped && (i === 0 || order[i - 1]!.g !== g)) {
      let count = 0;
      for (let k = i; k < order.length && order[k]!.g === g; k++) count++;
      headings.push({ label: groups[g] ?? '', count, x: TILE_GAP, y, w: inner, h: GROUP_HEADER });
      y += GROUP_HEADER;
    }
    // Greedy: natural widths while they fit (at least one tile per row); a row holds one group.
    const row: { id: string; index: number; n: number; cols: number }[] = [];
    let used = 0;
    while (i < order.length) {
      const c = order[i]!;
      if (row.length && c.g !== g) break;
      const natural = Math.min(maxCols, Math.max(minCols, Math.ceil(Math.sqrt(ASPECT * c.n))));
      const w = widthForCols(natural);
      const add = (row.length ? TILE_GAP : 0) + w;
      if (row.length && used + add > inner) break;
      row.push({ ...c, cols: natural });
      used += add;
      i++;
    }
    // Justify: spare columns lower the tallest tile first.
    let spare = Math.floor((inner - used) / PITCH);
    while (spare > 0) {
      let best = -1;
      let bestRows = 1;
      for (let k = 0; k < row.length; k++) {
        const t = row[k]!;
        const r = rowsOf(t.n, t.cols);
        if (r > bestRows && t.cols < t.n) {
          best = k;
          bestRows = r;
        }
      }
      if (best < 0) break;
      const t = row[best]!;
      // A tile at its minimum width already has spare columns inside it: growing it costs less.
      const grow = widthForCols(t.cols + 1) - widthForCols(t.cols);
      const cost = Math.ceil(grow / PITCH);
      if (cost > spare) break;
      t.cols++;
      spare -= cost;
    }
    const cellRows = Math.max(...row.map((t) => rowsOf(t.n, t.cols)));
    const h = HEADER + cellRows * PITCH - GAP + PAD;
    let x = TILE_GAP;
    const start = tiles.length;
    for (const t of row) {
      const w = widthForCols(t.cols);
      // A minimum-width tile uses every column it has room for (fewer rows).
      const cols = Math.max(t.cols, colsForWidth(w));
      tiles.push({ id: t.id, index: t.index, n: t.n, x, y, w, h, cols, cellRows, gridX: x + PAD, gridY: y + HEADER, row: rows.length });
      x += w + TILE_GAP;
    }
    rows.push({ y, h, start, end: tiles.length });
    y += h + TILE_GAP;
  }
  const width2 = Math.max(W, ...tiles.map((t) => t.x + t.w + TILE_GAP));
  return { tiles, rows, byId: new Map(tiles.map((t, k) => [t.id, k])), headings, width: width2, height: Math.max(y, TILE_GAP * 2) };
}

/** First row whose bottom is below `y` (binary search). */
function rowAt(layout: Layout, y: number): number {
  let lo = 0;
  let hi = layout.rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = layout.rows[mid]!;
    if (r.y + r.h <= y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Hit {
  cluster: string;
  /** index into layout.tiles */
  tile: number;
  /** index into the cluster's cells, when the point is on a node cell */
  nodeIndex?: number;
}

/** What is at a world point: a tile (its header or empty grid space) or one of its node cells. */
export function hitTest(layout: Layout, wx: number, wy: number): Hit | null {
  const ri = rowAt(layout, wy);
  const row = layout.rows[ri];
  if (!row || wy < row.y) return null;
  for (let k = row.start; k < row.end; k++) {
    const t = layout.tiles[k]!;
    if (wx < t.x || wx >= t.x + t.w) continue;
    const col = Math.floor((wx - t.gridX) / PITCH);
    const r = Math.floor((wy - t.gridY) / PITCH);
    // The gap after a cell counts as the cell: no flicker between cells when hovering.
    if (col >= 0 && col < t.cols && r >= 0 && wx - t.gridX < t.cols * PITCH - GAP / 2) {
      const idx = r * t.cols + col;
      if (idx < t.n) return { cluster: t.id, tile: k, nodeIndex: idx };
    }
    return { cluster: t.id, tile: k };
  }
  return null;
}

const overlaps = (t: Rect, v: Rect) => t.x < v.x + v.w && t.x + t.w > v.x && t.y < v.y + v.h && t.y + t.h > v.y;

/** Indexes (into layout.tiles) of the tiles that intersect a world rectangle: O(log rows + visible). */
export function visibleTiles(layout: Layout, viewport: Rect): number[] {
  const out: number[] = [];
  for (let ri = rowAt(layout, viewport.y); ri < layout.rows.length; ri++) {
    const row = layout.rows[ri]!;
    if (row.y >= viewport.y + viewport.h) break;
    for (let k = row.start; k < row.end; k++) if (overlaps(layout.tiles[k]!, viewport)) out.push(k);
  }
  return out;
}

export interface CellRange {
  c0: number;
  c1: number;
  r0: number;
  r1: number;
}

/** Columns [c0, c1) and rows [r0, r1) of a tile's grid that intersect a world rectangle (may be empty). */
export function visibleCells(t: TileBox, viewport: Rect): CellRange {
  const used = Math.ceil(t.n / t.cols);
  const c0 = Math.max(0, Math.floor((viewport.x - t.gridX) / PITCH));
  const c1 = Math.min(t.cols, Math.ceil((viewport.x + viewport.w - t.gridX) / PITCH));
  const r0 = Math.max(0, Math.floor((viewport.y - t.gridY) / PITCH));
  const r1 = Math.min(used, Math.ceil((viewport.y + viewport.h - t.gridY) / PITCH));
  return { c0, c1: Math.max(c0, c1), r0, r1: Math.max(r0, r1) };
}

/** World rectangle of a node cell. */
export function cellRect(t: TileBox, i: number): Rect {
  return { x: t.gridX + (i % t.cols) * PITCH, y: t.gridY + Math.floor(i / t.cols) * PITCH, w: CELL, h: CELL };
}

// ------------------------------------------------------------------------------------ keyboard

export type Direction = 'left' | 'right' | 'up' | 'down';

/** The tile the focus cursor moves to from tile `from` (index into layout.tiles), or `from` at an edge. */
export function neighbour(layout: Layout, from: number, dir: Direction): number {
  const n = layout.tiles.length;
  if (!n) return -1;
  if (from < 0 || from >= n) return 0;
  if (dir === 'left') return Math.max(0, from - 1);
  if (dir === 'right') return Math.min(n - 1, from + 1);
  const t = layout.tiles[from]!;
  const row = layout.rows[t.row + (dir === 'up' ? -1 : 1)];
  if (!row) return from;
  // The tile of the next row whose horizontal centre is nearest.
  const cx = t.x + t.w / 2;
  let best = row.start;
  let bestD = Infinity;
  for (let k = row.start; k < row.end; k++) {
    const u = layout.tiles[k]!;
    const d = Math.abs(u.x + u.w / 2 - cx);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

// ------------------------------------------------------------------------------------ home view

/**
 * The home view: a fleet that leaves most of the screen empty at zoom 1 (a handful of clusters) is
 * laid out for a narrower world and shown enlarged, so that it fills the screen: the largest zoom,
 * in steps of 1/4 up to MAX_FIT_ZOOM, at which the whole map still fits. A fleet taller than the
 * screen keeps zoom 1 (and the layout for the screen's width).
 */
export function fitLayout(
  clusters: readonly ClusterSize[],
  screenW: number,
  screenH: number,
  groups?: readonly string[],
): { layout: Layout; zoom: number } {
  const plain = layoutFleet(clusters, screenW, groups);
  if (screenW <= 0 || screenH <= 0 || plain.height * 1.25 > screenH || clusters.length === 0) return { layout: plain, zoom: 1 };
  let best = { layout: plain, zoom: 1 };
  for (let zoom = 1.25; zoom <= MAX_FIT_ZOOM + 1e-9; zoom += 0.25) {
    // At least one minimum-width tile must fit across.
    if (screenW / zoom < MIN_TILE_W + 2 * TILE_GAP) break;
    const layout = layoutFleet(clusters, screenW / zoom, groups);
    if (layout.height * zoom > screenH) break;
    best = { layout, zoom };
  }
  return best;
}
