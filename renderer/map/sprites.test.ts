import test from 'node:test';
import assert from 'node:assert/strict';
import type { NodeCell } from '../../common/contract.ts';
import { layoutFleet, type TileBox } from './layout.ts';
import { SPRITE_BUDGET_MS, SpriteCache, spriteKey, spriteRes, type SpriteCanvas } from './sprites.ts';

/** A canvas that records what it was asked: its size and the rectangles filled on it. */
class FakeCanvas implements SpriteCanvas {
  width: number;
  height: number;
  readonly fills: string[] = [];
  constructor(w: number, h: number) {
    this.width = w;
    this.height = h;
  }
  getContext(): unknown {
    const fills = this.fills;
    const ctx = {
      fillStyle: '',
      fillRect: (x: number, y: number, w: number, h: number) => fills.push(`${ctx.fillStyle}@${x},${y},${w},${h}`),
    };
    return ctx;
  }
}

const cells = (n: number): NodeCell[] =>
  Array.from({ length: n }, (_, i) => ({ n: `n${i}`, h: 0, c: 0.5, m: 0.5, g: null, p: 0.1, a: 0, s: 0, k: false }));
const KEY = spriteKey('health', 'light', false, '#fff', ['#0f0', '#ff0', '#f00', '#999']);

function setup(opts: { maxPx?: number } = {}) {
  let now = 0;
  const made: FakeCanvas[] = [];
  const cache = new SpriteCache({
    canvas: (w, h) => {
      const c = new FakeCanvas(w, h);
      made.push(c);
      return c;
    },
    clock: () => now,
    ...opts,
  });
  const layout = layoutFleet(
    ['a', 'b', 'c', 'd'].map((id) => ({ id, nodes: 100 })),
    1280,
  );
  const tile = (id: string) => layout.tiles[layout.byId.get(id)!]!;
  let painted = 0;
  const build = (t: TileBox, cs: NodeCell[], res = 1, key = KEY) =>
    cache.build(t.id, t, cs, key, res, (ctx, w, h) => {
      painted++;
      ctx.fillStyle = 'bg';
      ctx.fillRect(0, 0, w, h);
    });
  return { cache, made, tile, build, painted: () => painted, setClock: (t: number) => (now = t) };
}

test('sprite resolutions and keys', () => {
  // the first resolution at or above the scale; the last above them all
  const steps = [
    [0.1, 0.25],
    [0.25, 0.25],
    [0.3, 0.5],
    [1, 1],
    [1.5, 2],
    [7, 2],
  ] as const;
  for (const [z, res] of steps) assert.equal(spriteRes(z), res, `scale ${z}`);
  // every input of the key changes it
  const base = ['cpu', 'light', false, '#fff', ['a']] as const;
  const changed: [string, Parameters<typeof spriteKey>][] = [
    ['measure', ['memory', 'light', false, '#fff', ['a']]],
    ['theme', ['cpu', 'dark', false, '#fff', ['a']]],
    ['dimming', ['cpu', 'light', true, '#fff', ['a']]],
    ['tile colour', ['cpu', 'light', false, '#000', ['a']]],
    ['fills', ['cpu', 'light', false, '#fff', ['b']]],
  ];
  for (const [what, args] of changed) assert.notEqual(spriteKey(...args), spriteKey(...base), what);
});

test('a built sprite is a hit for its cells, key and scale; painted through the factory canvas', () => {
  const s = setup();
  const t = s.tile('a');
  const cs = cells(100);
  assert.equal(s.cache.get('a', t, cs, KEY, 1, false), undefined, 'nothing yet');
  const sp = s.build(t, cs, 1);
  assert.equal(s.painted(), 1);
  assert.equal(s.made.length, 1);
  assert.equal(sp.canvas, s.made[0]);
  assert.equal(sp.canvas.width, Math.ceil(sp.worldW));
  assert.deepEqual(s.made[0]!.fills, [`bg@0,0,${sp.canvas.width},${sp.canvas.height}`]);
  assert.equal(s.cache.px, sp.canvas.width * sp.canvas.height);
  assert.equal(s.cache.get('a', t, cs, KEY, 1, false), sp);
  assert.equal(s.cache.get('a', t, cs, KEY, 0.9, false), sp, 'a little finer than the scale serves');
  assert.equal(s.cache.get('b', s.tile('b'), cs, KEY, 1, false), undefined, 'per cluster');
});

test('invalidation: a new view (cells), measure, theme or resolution misses', () => {
  const s = setup();
  const t = s.tile('a');
  const cs = cells(100);
  s.build(t, cs, 1);
  assert.equal(s.cache.get('a', t, cells(100), KEY, 1, false), undefined, 'another cluster view (a new cells array)');
  assert.equal(s.cache.get('a', t, cs, spriteKey('cpu', 'light', false, '#fff', ['#0f0']), 1, false), undefined, 'another measure');
  assert.equal(
    s.cache.get('a', t, cs, spriteKey('health', 'dark', false, '#fff', ['#0f0', '#ff0', '#f00', '#999']), 1, false),
    undefined,
    'theme',
  );
  assert.equal(s.cache.get('a', t, cs, KEY, 2, false), undefined, 'zoomed in past its resolution, at rest');
  assert.equal(s.cache.get('a', t, cs, KEY, 0.2, false), undefined, 'zoomed far out: too fine (costly) at rest');
  assert.ok(s.cache.get('a', t, cs, KEY, 2, true), 'while moving, 2x serves (soft for a moment)');
  assert.equal(s.cache.get('a', t, cs, KEY, 3, true), undefined, 'not 3x');
  assert.ok(s.cache.get('a', t, cs, KEY, 100, false, true), 'any resolution when asked for a stale one');
  // The same cells in a new array (a fleet re-read): adopted, still a hit.
  const again = cs.map((c) => ({ ...c }));
  s.cache.adopt('a', cs, again);
  assert.ok(s.cache.get('a', t, again, KEY, 1, false));
  // retain drops sprites of clusters gone or changed
  s.build(s.tile('b'), cs, 1);
  const px = s.cache.px;
  s.cache.retain((id) => (id === 'a' ? again : undefined));
  assert.equal(s.cache.size, 1);
  assert.ok(s.cache.px < px);
  assert.ok(s.cache.get('a', t, again, KEY, 1, false));
});

test('rebuilding reuses a canvas of the same size and accounts pixels once', () => {
  const s = setup();
  const t = s.tile('a');
  const cs = cells(100);
  const first = s.build(t, cs, 1);
  const px = s.cache.px;
  const second = s.build(t, cs, 1, spriteKey('cpu', 'light', false, '#fff', ['x']));
  assert.equal(second.canvas, first.canvas, 'same size: same canvas');
  assert.equal(s.cache.px, px);
  const sharper = s.build(t, cs, 2);
  assert.notEqual(sharper.canvas, first.canvas, 'another resolution: another size');
  assert.equal(s.made.length, 2);
  assert.equal(s.cache.px, sharper.px);
  assert.ok(sharper.px > px * 3.5);
});

test('the building budget: SPRITE_BUDGET_MS per frame on the cache clock', () => {
  const s = setup();
  s.setClock(100);
  s.cache.beginFrame(100);
  assert.equal(s.cache.hasBudget(), true);
  s.setClock(100 + SPRITE_BUDGET_MS - 0.1);
  assert.equal(s.cache.hasBudget(), true);
  s.setClock(100 + SPRITE_BUDGET_MS);
  assert.equal(s.cache.hasBudget(), false, 'spent');
  s.cache.beginFrame(100 + SPRITE_BUDGET_MS);
  assert.equal(s.cache.hasBudget(), true, 'a new frame, a new budget');
});

test('the pixel cap: least recently drawn go first, down to 3/4, never one drawn this frame', () => {
  const probe = setup();
  const cs = cells(100);
  const px = Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, probe.build(probe.tile(id), cs, 1).px]));
  const cap = px.a! + px.b! + px.c!;
  const s = setup({ maxPx: cap });
  for (const id of ['a', 'b', 'c']) {
    s.cache.beginFrame(0);
    s.build(s.tile(id), cs, 1);
  }
  s.cache.evict();
  assert.equal(s.cache.size, 3, 'at the cap: nothing goes');
  // 'a' is drawn again: now 'b' is the least recently drawn
  s.cache.beginFrame(0);
  s.cache.touch(s.cache.get('a', s.tile('a'), cs, KEY, 1, false)!);
  s.cache.beginFrame(0);
  s.build(s.tile('d'), cs, 1);
  assert.equal(s.cache.px, cap + px.d!);
  s.cache.evict();
  assert.equal(s.cache.get('b', s.tile('b'), cs, KEY, 1, false), undefined, 'b went first');
  assert.equal(s.cache.get('c', s.tile('c'), cs, KEY, 1, false), undefined, 'then c, to get below 3/4 of the cap');
  assert.ok(s.cache.get('a', s.tile('a'), cs, KEY, 1, false), 'a was drawn more recently');
  assert.ok(s.cache.get('d', s.tile('d'), cs, KEY, 1, false), 'd is this frame: kept');
  assert.ok(s.cache.px <= cap * 0.75);

  // Everything drawn this frame stays, even over the cap.
  const t = setup({ maxPx: px.a! });
  t.cache.beginFrame(0);
  for (const id of ['a', 'b', 'c']) t.build(t.tile(id), cs, 1);
  t.cache.evict();
  assert.equal(t.cache.size, 3);
});
