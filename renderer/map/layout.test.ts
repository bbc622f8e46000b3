import test from 'node:test';
import assert from 'node:assert/strict';
import {
  CELL,
  GAP,
  HEADER,
  MIN_TILE_W,
  PITCH,
  TILE_GAP,
  cellRect,
  fitLayout,
  MAX_FIT_ZOOM,
  hitTest,
  layoutFleet,
  neighbour,
  visibleCells,
  visibleTiles,
  type Layout,
  type Rect,
} from './layout.ts';

/** Deterministic sizes from 1 to 1,000+ nodes, as real fleets are. */
function sizes(n: number, seed = 7): { id: string; nodes: number }[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) as number;
  return Array.from({ length: n }, (_, i) => ({
    id: `c${String(i).padStart(3, '0')}`,
    nodes: i === 0 ? 1 : i === 1 ? 1500 : Math.floor(rnd() ** 3 * 1000),
  }));
}

const intersects = (a: Rect, b: Rect) => a.x < b.x + b.w && a.x + a.w > b.x && a.y < b.y + b.h && a.y + a.h > b.y;

function checkInvariants(l: Layout, clusters: { id: string; nodes: number }[], width: number) {
  assert.equal(l.tiles.length, clusters.length);
  assert.deepEqual(new Set(l.tiles.map((t) => t.id)), new Set(clusters.map((c) => c.id)));
  for (const [k, t] of l.tiles.entries()) {
    assert.equal(l.byId.get(t.id), k);
    assert.equal(t.n, clusters[t.index]!.nodes);
    assert.ok(t.w >= MIN_TILE_W, `${t.id} at least the minimum width`);
    assert.ok(t.x + t.w <= Math.max(width, MIN_TILE_W + 2 * TILE_GAP) - TILE_GAP + 1e-9, `${t.id} within the width`);
    // every node has a cell inside the tile
    assert.ok(Math.ceil(t.n / t.cols) <= t.cellRows, `${t.id} cells fit the rows`);
    assert.ok(t.gridX + t.cols * PITCH - GAP <= t.x + t.w, `${t.id} grid fits horizontally`);
    assert.ok(t.gridY + t.cellRows * PITCH - GAP <= t.y + t.h, `${t.id} grid fits vertically`);
    if (t.n > 0) {
      const last = cellRect(t, t.n - 1);
      assert.ok(last.x + last.w <= t.x + t.w && last.y + last.h <= t.y + t.h);
    }
  }
  for (let a = 0; a < l.tiles.length; a++)
    for (let b = a + 1; b < l.tiles.length; b++) assert.ok(!intersects(l.tiles[a]!, l.tiles[b]!), `tiles ${a} and ${b} overlap`);
  for (const r of l.rows) for (let k = r.start; k < r.end; k++) assert.equal(l.tiles[k]!.h, r.h, 'a row shares its height');
  assert.ok(l.height >= Math.max(...l.tiles.map((t) => t.y + t.h)));
}

test('packs clusters of 1 to 1,500 nodes into rows without overlap', () => {
  for (const [count, width] of [
    [1, 1280],
    [7, 1280],
    [50, 1280],
    [50, 600],
    [300, 1920],
    [50, 100],
  ] as const) {
    const cs = sizes(count);
    checkInvariants(layoutFleet(cs, width), cs, width);
  }
});

test('largest clusters first, rows fill the width, a big cluster is wider than tall', () => {
  const cs = sizes(50);
  const l = layoutFleet(cs, 1280);
  assert.equal(l.tiles[0]!.n, 1500);
  for (let k = 1; k < l.tiles.length; k++) assert.ok(l.tiles[k - 1]!.n >= l.tiles[k]!.n);
  const big = l.tiles[0]!;
  assert.ok(big.cols * PITCH > Math.ceil(big.n / big.cols) * PITCH, 'wider than tall');
  // justified rows end within a column of the right edge (unless every tile is a single row)
  for (const r of l.rows.slice(0, -1)) {
    const last = l.tiles[r.end - 1]!;
    const oneRow = l.tiles.slice(r.start, r.end).every((t) => Math.ceil(t.n / t.cols) <= 1);
    if (!oneRow) assert.ok(1280 - TILE_GAP - (last.x + last.w) < 2 * PITCH + MIN_TILE_W, 'row is filled');
  }
  // space used by cells is a fair share of the map (packing is not wasteful)
  const cells = cs.reduce((n, c) => n + c.nodes, 0) * PITCH * PITCH;
  assert.ok(cells / (l.width * l.height) > 0.35, `density ${(cells / (l.width * l.height)).toFixed(2)}`);
});

test('a cluster without nodes still gets a tile; an empty fleet is empty', () => {
  const l = layoutFleet([{ id: 'a', nodes: 0 }], 800);
  assert.equal(l.tiles.length, 1);
  assert.ok(l.tiles[0]!.h > HEADER);
  assert.deepEqual(visibleCells(l.tiles[0]!, { x: 0, y: 0, w: 800, h: 800 }), { c0: 0, c1: l.tiles[0]!.cols, r0: 0, r1: 0 });
  const e = layoutFleet([], 800);
  assert.equal(e.tiles.length, 0);
  assert.equal(hitTest(e, 10, 10), null);
  assert.deepEqual(visibleTiles(e, { x: 0, y: 0, w: 800, h: 800 }), []);
  assert.equal(neighbour(e, 0, 'right'), -1);
});

test('a huge cluster is capped to the width', () => {
  const l = layoutFleet([{ id: 'huge', nodes: 20000 }], 1000);
  const t = l.tiles[0]!;
  assert.ok(t.x + t.w <= 1000 - TILE_GAP);
  assert.ok(t.cols * Math.ceil(20000 / t.cols) >= 20000);
});

test('hitTest finds every cell centre, the header, and nothing between tiles', () => {
  const cs = sizes(30);
  const l = layoutFleet(cs, 1280);
  for (const [k, t] of l.tiles.entries()) {
    for (let i = 0; i < t.n; i += Math.max(1, Math.floor(t.n / 17))) {
      const r = cellRect(t, i);
      assert.deepEqual(hitTest(l, r.x + CELL / 2, r.y + CELL / 2), { cluster: t.id, tile: k, nodeIndex: i });
      // the corners belong to the cell too
      assert.equal(hitTest(l, r.x, r.y)?.nodeIndex, i);
      assert.equal(hitTest(l, r.x + CELL - 0.01, r.y + CELL - 0.01)?.nodeIndex, i);
    }
    assert.deepEqual(hitTest(l, t.x + 5, t.y + 5), { cluster: t.id, tile: k });
    // past the last cell, inside the tile
    if (t.n % t.cols !== 0) {
      const after = cellRect(t, t.n - 1);
      assert.deepEqual(hitTest(l, after.x + PITCH + 2, after.y + 2), { cluster: t.id, tile: k });
    }
  }
  assert.equal(hitTest(l, TILE_GAP / 2, TILE_GAP / 2), null);
  assert.equal(hitTest(l, 5, l.height + 100), null);
  assert.equal(hitTest(l, -5, 20), null);
  const t0 = l.tiles[0]!;
  assert.equal(hitTest(l, t0.x + t0.w + TILE_GAP / 2, t0.y + 20), null, 'the gap between tiles');
});

test('visibleTiles culls to the viewport and agrees with brute force', () => {
  const cs = sizes(200);
  const l = layoutFleet(cs, 1400);
  for (const v of [
    { x: 0, y: 0, w: 1280, h: 720 },
    { x: 300, y: 900, w: 400, h: 300 },
    { x: -500, y: -500, w: 100, h: 100 },
    { x: 0, y: 0, w: l.width, h: l.height },
    { x: 100, y: l.height - 50, w: 2000, h: 2000 },
  ]) {
    const brute = l.tiles.flatMap((t, k) => (intersects(t, v) ? [k] : []));
    assert.deepEqual(visibleTiles(l, v), brute);
  }
  const v = { x: 0, y: 0, w: 1280, h: 720 };
  assert.ok(visibleTiles(l, v).length < l.tiles.length / 2, 'culls most of a big fleet');
});

test('visibleCells covers exactly the cells that intersect the viewport', () => {
  const l = layoutFleet([{ id: 'a', nodes: 1000 }], 1280);
  const t = l.tiles[0]!;
  const v = { x: t.gridX + 5 * PITCH + 3, y: t.gridY + 4 * PITCH + 11, w: 7 * PITCH, h: 3 * PITCH };
  const r = visibleCells(t, v);
  for (let i = 0; i < t.n; i++) {
    const c = cellRect(t, i);
    const col = i % t.cols;
    const row = Math.floor(i / t.cols);
    const inRange = col >= r.c0 && col < r.c1 && row >= r.r0 && row < r.r1;
    if (intersects(c, v)) assert.ok(inRange, `cell ${i} visible but not in range`);
  }
  assert.ok((r.c1 - r.c0) * (r.r1 - r.r0) <= 9 * 5, 'O(visible cells)');
});

test('neighbour moves the focus cursor through rows', () => {
  const l = layoutFleet(sizes(40), 1280);
  assert.equal(neighbour(l, -1, 'right'), 0);
  assert.equal(neighbour(l, 0, 'left'), 0);
  assert.equal(neighbour(l, 0, 'right'), 1);
  assert.equal(neighbour(l, l.tiles.length - 1, 'right'), l.tiles.length - 1);
  assert.equal(neighbour(l, 0, 'up'), 0);
  const down = neighbour(l, 0, 'down');
  assert.equal(l.tiles[down]!.row, 1);
  assert.equal(l.tiles[neighbour(l, down, 'up')]!.row, 0);
  const last = l.tiles.length - 1;
  assert.equal(neighbour(l, last, 'down'), last);
});

test('fitLayout: a small fleet is enlarged to fill the screen, a large one keeps zoom 1', () => {
  const small = [
    { id: 'web-prod', nodes: 10 },
    { id: 'gpu-east', nodes: 8 },
    { id: 'storage-west', nodes: 6 },
  ];
  const f = fitLayout(small, 1280, 560);
  assert.ok(f.zoom > 1 && f.zoom <= MAX_FIT_ZOOM, `zoom ${f.zoom}`);
  assert.equal((f.zoom * 4) % 1, 0, 'in quarter steps');
  assert.ok(f.layout.height * f.zoom <= 560, 'the whole map fits the screen');
  assert.ok(f.layout.width * f.zoom <= 1280 + 1e-6);
  // the next step up would not fit (or is past the cap)
  if (f.zoom < MAX_FIT_ZOOM) assert.ok(layoutFleet(small, 1280 / (f.zoom + 0.25)).height * (f.zoom + 0.25) > 560);
  // every cluster is still there, without overlap
  assert.deepEqual(f.layout.tiles.map((t) => t.id).sort(), small.map((c) => c.id).sort());
  // the enlarged fleet fills more of the screen than at zoom 1
  assert.ok(f.layout.height * f.zoom > layoutFleet(small, 1280).height);

  const big = Array.from({ length: 50 }, (_, i) => ({ id: `c${i}`, nodes: 200 }));
  const g = fitLayout(big, 1280, 560);
  assert.equal(g.zoom, 1);
  assert.deepEqual(g.layout, layoutFleet(big, 1280));

  assert.equal(fitLayout([], 1280, 560).zoom, 1, 'an empty fleet is not zoomed');
  assert.equal(fitLayout(small, 0, 0).zoom, 1, 'nor a map not yet measured');
  assert.equal(fitLayout(small, 230, 2000).zoom, 1, 'nor one too narrow for a tile at a larger zoom');
});

test('favourites first, whatever their size; grouped: a heading per group, each group from a row of its own', () => {
  const clusters = [
    { id: 'big', nodes: 500 },
    { id: 'small-fav', nodes: 3, pinned: true },
    { id: 'mid', nodes: 40 },
  ];
  const l = layoutFleet(clusters, 1400);
  assert.equal(l.tiles[0]!.id, 'small-fav', 'the favourite leads');
  assert.deepEqual(l.headings, [], 'not grouped: no headings');

  const grouped = layoutFleet(
    [
      { id: 'a', nodes: 10, group: 1 },
      { id: 'b', nodes: 900, group: 0 },
      { id: 'c', nodes: 5, group: 1, pinned: true },
      { id: 'd', nodes: 2, group: 0 },
    ],
    1400,
    ['env=prod', 'env: none'],
  );
  assert.deepEqual(
    grouped.tiles.map((t) => t.id),
    ['b', 'd', 'c', 'a'],
  );
  assert.deepEqual(
    grouped.headings.map((h) => [h.label, h.count]),
    [
      ['env=prod', 2],
      ['env: none', 2],
    ],
  );
  const [h0, h1] = grouped.headings;
  const rowOf = (id: string) => grouped.rows[grouped.tiles[grouped.byId.get(id)!]!.row]!;
  assert.ok(h0!.y + h0!.h <= rowOf('b').y, "the first heading above its group's first row");
  assert.ok(rowOf('d').y + rowOf('d').h <= h1!.y, 'the second group starts below the first');
  assert.ok(h1!.y + h1!.h <= rowOf('c').y);
  assert.notEqual(rowOf('d'), rowOf('c'), 'groups never share a row');
  // hit testing still finds every tile
  for (const t of grouped.tiles) assert.equal(hitTest(grouped, t.x + 1, t.y + 1)?.cluster, t.id);
  assert.equal(hitTest(grouped, h1!.x + 5, h1!.y + 5), null, 'a heading is no tile');
  const fit = fitLayout([{ id: 'x', nodes: 2, group: 0 }], 1400, 900, ['g']);
  assert.equal(fit.layout.headings.length, 1, 'the home view keeps the headings');
});
