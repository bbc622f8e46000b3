import test from 'node:test';
import assert from 'node:assert/strict';
import {
  AXIS_H,
  KEY_ZOOM,
  LABEL_W,
  LANE_H,
  MAX_SPAN,
  MIN_SPAN,
  TimelineCamera,
  clampView,
  keyCommand,
  laneAt,
  maxScroll,
  maxSpan,
  panBy,
  timeAt,
  visibleLanes,
  xOf,
  zoomAt,
} from './camera.ts';
import { DAY, HOUR, MINUTE } from '../store/time.ts';
import { testClock } from '../canvas/fixtures.ts';

const T = Date.UTC(2025, 10, 22, 12, 0);
const W = 1280;
const H = 500;
const PLOT = W - LABEL_W;
const near = (a: number, b: number, what: string, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${what}: ${a} ≠ ${b}`);
const bounds = { min: T - 7 * DAY, max: T };

/** A camera on a W×H screen over 30 lanes, at home on the hour before T, with a clock the test moves. */
function camera(lanes = 30) {
  const t = testClock();
  const cam = new TimelineCamera(t.onMove, t.clock);
  cam.setScreen(W, H);
  cam.setLanes(lanes);
  cam.fit(bounds, { start: T - HOUR, span: HOUR });
  return { ...t, cam };
}

test('time ↔ x round trip; zoom keeps the time under the pointer', () => {
  const v = { start: T - HOUR, span: HOUR };
  for (const x of [0, 1, 333.5, PLOT]) near(xOf(v, timeAt(v, x, PLOT), PLOT), x, `x ${x}`);
  for (const x of [0, 200, 700, PLOT]) {
    const t = timeAt(v, x, PLOT);
    const z = zoomAt(v, 4, x, PLOT);
    near(z.span, HOUR / 4, 'span');
    near(timeAt(z, x, PLOT), t, `the time under x=${x} stays`, 1e-3);
    const out = zoomAt(z, 1 / 4, x, PLOT);
    near(out.span, HOUR, 'zoomed back out');
    near(out.start, v.start, 'to where it was', 1e-3);
  }
});

test('pan moves by the pointer distance in time', () => {
  const v = { start: T - HOUR, span: HOUR };
  const p = panBy(v, PLOT / 4, PLOT);
  near(p.start, v.start + HOUR / 4, 'a quarter of the plot is a quarter of the span');
  assert.equal(p.span, v.span);
  near(panBy(p, -PLOT / 4, PLOT).start, v.start, 'and back');
});

test('clamping: span within [MIN_SPAN, maxSpan], at most a quarter of the view past either end', () => {
  assert.equal(clampView({ start: T, span: 1 }, bounds).span, MIN_SPAN);
  assert.equal(maxSpan(bounds), 7 * DAY * 1.25);
  assert.equal(clampView({ start: 0, span: 1e15 }, bounds).span, 7 * DAY * 1.25);
  assert.equal(maxSpan({ min: T - 60_000, max: T }), DAY, 'a short history still zooms out to a day');
  assert.equal(maxSpan({ min: 0, max: T }), MAX_SPAN, 'a long one stops at MAX_SPAN');
  // past the end: a quarter of the view may be empty, no more
  const late = clampView({ start: T + 5 * HOUR, span: HOUR }, bounds);
  assert.equal(late.start + late.span, T + HOUR / 4);
  const early = clampView({ start: T - 30 * DAY, span: HOUR }, bounds);
  assert.equal(early.start, bounds.min - HOUR / 4);
  // inside: untouched
  assert.deepEqual(clampView({ start: T - 2 * HOUR, span: HOUR }, bounds), { start: T - 2 * HOUR, span: HOUR });
  // wider than the history (+ slack): centred on it
  const tiny = { min: T - MINUTE, max: T };
  const c = clampView({ start: 0, span: DAY }, tiny);
  near(c.start + c.span / 2, T - MINUTE / 2, 'centred');
});

test('the camera: home follows the clock until the user moves it; 0 goes home again', () => {
  const { cam, moves, tick } = camera();
  assert.deepEqual(cam.view, { start: T - HOUR, span: HOUR });
  assert.equal(cam.moved, false);
  // the clock moves on: a camera at home follows
  cam.fit({ min: bounds.min, max: T + MINUTE }, { start: T - HOUR + MINUTE, span: HOUR });
  assert.equal(cam.view.start, T - HOUR + MINUTE);
  assert.equal(moves(), 0, 'following the clock is not a move');
  tick(10);
  cam.zoomBy(2, LABEL_W + PLOT); // about the right edge
  assert.equal(moves(), 1);
  assert.equal(cam.moved, true);
  near(cam.view.start + cam.view.span, T + MINUTE, 'the right edge stays');
  near(cam.view.span, HOUR / 2, 'half the span');
  assert.equal(cam.restsIn(cam.lastMove), 200);
  // a moved camera stays where it is when the clock moves
  const before = cam.view;
  cam.fit({ min: bounds.min, max: T + 2 * MINUTE }, { start: T - HOUR + 2 * MINUTE, span: HOUR });
  assert.deepEqual(cam.view, before);
  cam.reset();
  assert.equal(cam.moved, false);
  assert.deepEqual(cam.view, { start: T - HOUR + 2 * MINUTE, span: HOUR });
  assert.equal(moves(), 2, 'reset reports its move');
  // zooming in at the limit reports nothing
  for (let i = 0; i < 40; i++) cam.zoomBy(KEY_ZOOM);
  assert.equal(cam.view.span, MIN_SPAN);
  const n = moves();
  cam.zoomBy(KEY_ZOOM);
  assert.equal(moves(), n, 'no move at the limit');
});

test('show() takes a window from the address: no report, but the home no longer applies', () => {
  const { cam, moves } = camera();
  assert.equal(cam.show({ start: T - 3 * HOUR, span: 2 * HOUR }), true);
  assert.equal(moves(), 0);
  assert.equal(cam.moved, true);
  assert.deepEqual(cam.view, { start: T - 3 * HOUR, span: 2 * HOUR });
  assert.equal(cam.show({ start: T - 3 * HOUR, span: 2 * HOUR }), false, 'already there');
});

test('reveal brings a time and a lane on screen, moving as little as possible', () => {
  const { cam } = camera(500);
  cam.reveal(T - HOUR / 2);
  assert.deepEqual(cam.view, { start: T - HOUR, span: HOUR }, 'already on screen: no move');
  cam.reveal(T - 5 * HOUR);
  near(cam.view.start + cam.view.span / 2, T - 5 * HOUR, 'centred on it');
  assert.equal(cam.view.span, HOUR, 'the span kept');
  cam.reveal(T - 5 * HOUR, 400);
  const lanes = visibleLanes(cam.top, H, 500);
  assert.ok(lanes.first <= 400 && lanes.last >= 400, `lane 400 in ${lanes.first}..${lanes.last}`);
  assert.equal(cam.top, 401 * LANE_H - (H - AXIS_H), 'at the bottom edge');
  cam.reveal(T - 5 * HOUR, 3);
  assert.equal(cam.top, 3 * LANE_H, 'at the top edge');
});

test('lane scrolling is clamped; lanes on screen are a window of the 500', () => {
  const { cam } = camera(500);
  assert.equal(cam.scrollBy(-10), false, 'not above the first lane');
  cam.scrollBy(1e9);
  assert.equal(cam.top, maxScroll(500, H));
  assert.equal(maxScroll(500, H), 500 * LANE_H - (H - AXIS_H));
  assert.equal(maxScroll(10, H), 0, 'every lane fits: no scroll');
  const v = visibleLanes(cam.top, H, 500);
  assert.equal(v.last, 499);
  assert.ok(v.last - v.first + 1 <= Math.ceil((H - AXIS_H) / LANE_H) + 1, 'only the lanes on screen');
  assert.deepEqual(visibleLanes(0, H, 0), { first: 0, last: -1 }, 'no lanes');
  assert.deepEqual(visibleLanes(0, AXIS_H, 10), { first: 0, last: -1 }, 'no room');
  assert.deepEqual(visibleLanes(LANE_H * 2.5, AXIS_H + LANE_H, 10), { first: 2, last: 3 }, 'a partly shown lane counts');
  // fewer lanes: the scroll follows
  cam.setLanes(12);
  assert.equal(cam.top, 0);
  // the lane under a point
  assert.equal(laneAt(AXIS_H - 1, 0, 10), -1, 'the axis');
  assert.equal(laneAt(AXIS_H, 0, 10), 0);
  assert.equal(laneAt(AXIS_H + LANE_H * 3 + 1, 0, 10), 3);
  assert.equal(laneAt(AXIS_H + 1, LANE_H * 7, 10), 7, 'scrolled');
  assert.equal(laneAt(AXIS_H + LANE_H * 10, 0, 10), -1, 'below the last');
});

test('keys', () => {
  const k = (key: string, shiftKey = false) => keyCommand({ key, shiftKey, ctrlKey: false, metaKey: false, altKey: false });
  assert.deepEqual(k('ArrowRight'), { kind: 'pan', share: 0.2 });
  assert.deepEqual(k('ArrowLeft', true), { kind: 'pan', share: -0.05 });
  assert.deepEqual(k('ArrowDown'), { kind: 'scroll', lanes: 1 });
  assert.deepEqual(k('PageUp'), { kind: 'page', dir: -1 });
  assert.deepEqual(k('+'), { kind: 'zoom', factor: KEY_ZOOM });
  assert.deepEqual(k('-'), { kind: 'zoom', factor: 1 / KEY_ZOOM });
  assert.deepEqual(k('0'), { kind: 'reset' });
  assert.deepEqual(k('Escape'), { kind: 'escape' });
  assert.equal(k('g'), null, 'the app’s keys pass through');
  assert.equal(keyCommand({ key: '+', shiftKey: false, ctrlKey: true, metaKey: false, altKey: false }), null, 'browser zoom');
});
