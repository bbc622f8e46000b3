import test from 'node:test';
import assert from 'node:assert/strict';
import { layoutFleet, type Layout } from './layout.ts';
import {
  KEY_ZOOM_IN,
  KEY_ZOOM_OUT,
  MAX_ZOOM,
  MapCamera,
  SETTLE_MS,
  clampCamera,
  keyCommand,
  minZoom,
  revealRect,
  toScreen,
  toWorld,
  zoomAt,
} from './camera.ts';
import { KEY_PAN } from '../canvas/camera.ts';
import { testClock } from '../canvas/fixtures.ts';

/** 50 clusters of 1 to 400 nodes: taller than a 1280×720 screen at zoom 1. */
const FLEET = Array.from({ length: 50 }, (_, i) => ({ id: `c${String(i).padStart(2, '0')}`, nodes: 1 + ((i * 37) % 400) }));
const W = 1280;
const H = 720;
const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);

/** A camera over a layout on a W×H screen, with a clock the test moves and a count of moves. */
function camera(layout: Layout = layoutFleet(FLEET, W), home = 1) {
  const t = testClock();
  const cam = new MapCamera(t.onMove, t.clock);
  cam.setScreen(W, H);
  cam.fit(layout, home);
  return { ...t, cam, layout };
}

test('camera math: world/screen round trip, zoom about a point, clamping, reveal', () => {
  const cam = { x: 100, y: 50, zoom: 2 };
  const w = toWorld(cam, 300, 200);
  assert.deepEqual(toScreen(cam, w.x, w.y), { x: 300, y: 200 });
  const z = zoomAt(cam, 1.5, 300, 200);
  assert.equal(z.zoom, 3);
  const w2 = toWorld(z, 300, 200);
  assert.ok(Math.abs(w2.x - w.x) < 1e-9 && Math.abs(w2.y - w.y) < 1e-9, 'the point under the cursor stays');
  assert.equal(zoomAt(cam, 1000, 0, 0).zoom, MAX_ZOOM);

  const l = layoutFleet(FLEET, W);
  // zooming out stops where the whole map is on screen; then it is centred horizontally, top-aligned
  const mz = minZoom(l, W, H);
  assert.ok(mz < 1 && l.width * mz <= W && l.height * mz <= H);
  assert.equal(minZoom({ width: 100, height: 100 }, W, H), 1, 'a small map is not blown up');
  const small = clampCamera({ x: 500, y: 500, zoom: 0.01 }, l, W, H);
  assert.equal(small.zoom, mz);
  assert.ok(small.x < 0 && small.y === 0);
  // never lost off-screen
  const far = clampCamera({ x: 1e6, y: 1e6, zoom: 1 }, l, W, H);
  assert.ok(far.x <= l.width && far.y <= l.height);
  assert.ok(far.y + H > l.height, 'the bottom of the map is on screen');

  const target = { x: 100, y: 5000, w: 10, h: 10 };
  const r = revealRect({ x: 0, y: 0, zoom: 1 }, target, W, H);
  assert.ok(r.y <= target.y && r.y + H >= target.y + target.h);
  assert.equal(r.x, 0, 'no horizontal move when already visible');
});

test('MapCamera: pan moves by screen pixels at any zoom, and counts as a move', () => {
  const c = camera();
  assert.equal(c.cam.zoom, 1);
  assert.equal(c.cam.moved, false);
  c.cam.panBy(0, 300);
  near(c.cam.cam.y, 300, 'y');
  near(c.cam.cam.x, 0, 'x: the map is as wide as the screen, so it stays');
  assert.equal(c.cam.moved, true);
  assert.equal(c.moves(), 1);
  c.cam.zoomBy(2, 0, 0);
  c.cam.panBy(0, 100);
  near(c.cam.cam.y, 350, 'at zoom 2, 100 screen pixels are 50 world units');
  const before = c.moves();
  c.cam.panBy(0, 0);
  assert.equal(c.moves(), before, 'no move, no report');
});

test('MapCamera: zoom about a point keeps the world point under it; bounded by the whole map and MAX_ZOOM', () => {
  const c = camera();
  c.cam.panBy(0, 400);
  const under = c.cam.toWorld(200, 150);
  c.cam.zoomBy(1.5, 200, 150);
  assert.equal(c.cam.zoom, 1.5);
  const after = c.cam.toWorld(200, 150);
  near(after.x, under.x, 'x');
  near(after.y, under.y, 'y');
  // about the screen's centre by default
  const centre = c.cam.toWorld(W / 2, H / 2);
  c.cam.zoomBy(1.25);
  near(c.cam.toWorld(W / 2, H / 2).y, centre.y, 'the centre stays');
  c.cam.zoomBy(1e6);
  assert.equal(c.cam.zoom, MAX_ZOOM);
  c.cam.zoomBy(1e-6);
  assert.equal(c.cam.zoom, minZoom(c.layout, W, H), 'no further out than the whole map');
  assert.equal(c.cam.minZoom(), minZoom(c.layout, W, H));
});

test('MapCamera: clamping keeps the map on screen', () => {
  const c = camera();
  c.cam.set({ x: -1e6, y: -1e6, zoom: 1 });
  assert.ok(c.cam.cam.x >= -W / 3 - 1e-9 && c.cam.cam.y >= -H / 3 - 1e-9, 'at most a third of the screen empty');
  c.cam.set({ x: 1e6, y: 1e6, zoom: 1 });
  assert.ok(c.cam.cam.y + H > c.layout.height, 'the bottom of the map still on screen');
  assert.deepEqual(c.cam.clamp({ x: 5, y: 5, zoom: 0.0001 }).zoom, minZoom(c.layout, W, H));
  // a map narrower than the screen is centred
  const narrow = camera(layoutFleet(FLEET.slice(0, 1), 400));
  assert.ok(narrow.cam.cam.x < 0);
  near(narrow.cam.cam.x, -(W - narrow.layout.width) / 2, 'centred');
});

test('MapCamera: fit — the home view follows the layout until the user moves; reset goes home again', () => {
  const c = camera(layoutFleet(FLEET.slice(0, 3), W / 1.5), 1.5);
  assert.equal(c.cam.zoom, 1.5);
  assert.equal(c.cam.homeZoom, 1.5);
  assert.equal(c.moves(), 0, 'fitting is not a move');
  const wider = layoutFleet(FLEET.slice(0, 3), W / 1.25);
  c.cam.fit(wider, 1.25);
  assert.equal(c.cam.zoom, 1.25, 'still at home: follows the new home');
  c.cam.zoomBy(1.1);
  const moved = c.cam.cam;
  c.cam.fit(c.layout, 1.5);
  assert.deepEqual(c.cam.cam, c.cam.clamp(moved), 'moved by the user: stays where it is');
  c.cam.reset();
  assert.equal(c.cam.zoom, 1.5);
  assert.equal(c.cam.moved, false);
  c.cam.fit(wider, 1.25);
  assert.equal(c.cam.zoom, 1.25, 'after reset the home is followed again');
  // a new screen size re-clamps in place
  c.cam.setScreen(300, 200);
  c.cam.reclamp();
  assert.deepEqual(c.cam.cam, c.cam.clamp(c.cam.cam));
  assert.deepEqual(c.cam.viewport(), { x: c.cam.cam.x, y: c.cam.cam.y, w: 300 / c.cam.zoom, h: 200 / c.cam.zoom });
});

test('MapCamera: showing a tile and a cell', () => {
  const c = camera();
  const t = c.layout.tiles[c.layout.tiles.length - 1]!;
  c.cam.showTile(t);
  const v = c.cam.viewport();
  assert.ok(t.y >= v.y && t.y < v.y + v.h, 'the tile header is on screen');
  c.cam.zoomBy(1e-6);
  const cell = { x: t.gridX, y: t.gridY, w: 10, h: 10 };
  c.cam.showCell(cell);
  assert.equal(c.cam.zoom, 1, 'cells too small to point at: zoomed in to 1');
  const s = c.cam.toScreen(cell.x + 5, cell.y + 5);
  assert.ok(s.x >= 48 && s.x <= W - 48 && s.y >= 48 && s.y <= H - 48, 'the cell is on screen, off the edges');
});

test('MapCamera: the settle clock starts at every move', () => {
  const c = camera();
  assert.equal(c.cam.restsIn(c.now()), 0, 'at rest before any move');
  c.cam.panBy(0, 10);
  assert.equal(c.cam.restsIn(c.now()), SETTLE_MS);
  c.tick(100);
  assert.equal(c.cam.restsIn(c.now()), SETTLE_MS - 100);
  c.tick(100);
  assert.equal(c.cam.restsIn(c.now()), 0);
});

test('keys: Shift+arrows pan a fifth of the screen, arrows move the focus, + − zoom, 0 resets', () => {
  const k = (key: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
    keyCommand({ key, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });
  assert.deepEqual(k('ArrowLeft'), { kind: 'focus', dir: 'left' });
  assert.deepEqual(k('ArrowDown', { shiftKey: true }), { kind: 'pan', dir: 'down' });
  assert.deepEqual(k('+'), { kind: 'zoom', factor: KEY_ZOOM_IN });
  assert.deepEqual(k('='), { kind: 'zoom', factor: KEY_ZOOM_IN });
  assert.deepEqual(k('-'), { kind: 'zoom', factor: KEY_ZOOM_OUT });
  assert.deepEqual(k('_'), { kind: 'zoom', factor: KEY_ZOOM_OUT });
  assert.deepEqual(k('0'), { kind: 'reset' });
  assert.deepEqual(k('Home'), { kind: 'first' });
  assert.deepEqual(k('End'), { kind: 'last' });
  assert.deepEqual(k('Enter'), { kind: 'open' });
  assert.deepEqual(k(' '), { kind: 'open' });
  assert.deepEqual(k('Escape'), { kind: 'escape' });
  assert.equal(k('ArrowLeft', { ctrlKey: true }), null, "the browser's");
  assert.equal(k('+', { metaKey: true }), null);
  assert.equal(k('0', { altKey: true }), null);
  assert.equal(k('x'), null);
  assert.equal(k('toString'), null, 'only own keys of the arrow table');

  const c = camera();
  c.cam.zoomBy(2, 0, 0);
  c.cam.panBy(0, 1000);
  const at = c.cam.cam;
  c.cam.panKey('down');
  near(c.cam.cam.y, at.y + (H * KEY_PAN) / 2, 'down: a fifth of the screen, at zoom 2');
  c.cam.panKey('up');
  near(c.cam.cam.y, at.y, 'and back');
  c.cam.panKey('right');
  near(c.cam.cam.x, at.x + (W * KEY_PAN) / 2, 'right');
  c.cam.panKey('left');
  near(c.cam.cam.x, at.x, 'left');

  // + about the focused tile when it is on screen, else about the centre
  const focus = c.layout.tiles.find((t) => {
    const s = c.cam.toScreen(t.x + t.w / 2, t.y + t.h / 2);
    return s.x > 0 && s.y > 0 && s.x < W && s.y < H;
  })!;
  const fc = { x: focus.x + focus.w / 2, y: focus.y + focus.h / 2 };
  const before = c.cam.toScreen(fc.x, fc.y);
  c.cam.zoomKey(KEY_ZOOM_IN, focus);
  const after = c.cam.toScreen(fc.x, fc.y);
  near(after.x, before.x, 'the focused tile stays put (x)');
  near(after.y, before.y, 'the focused tile stays put (y)');
  const off = { x: 1e5, y: 1e5, w: 10, h: 10 };
  const centre = c.cam.toWorld(W / 2, H / 2);
  c.cam.zoomKey(KEY_ZOOM_OUT, off);
  near(c.cam.toWorld(W / 2, H / 2).x, centre.x, 'off screen: about the centre');
});
