import test from 'node:test';
import assert from 'node:assert/strict';
import type { GapDTO, TimelineDTO } from '../../common/contract.ts';
import { rng } from '../../common/rng.ts';
import { binLane, buildMarks, countIn, gapAt, hitMark, indexOf, laneOf, laneRange, lowerBound } from './data.ts';
import { AXIS_H, LANE_H, laneAt, visibleLanes } from './camera.ts';
import { DENSITY_PX, LEVELS, TimelinePainter, defaultPalette, levelOf, type DensitySurface, type TimelineFrame } from './paint.ts';
import { TextFit } from '../map/textfit.ts';
import { DAY, HOUR } from '../store/time.ts';

const T0 = Date.UTC(2025, 10, 15);
const WEEK = 7 * DAY;

/** n marks over `lanes` lanes and a week, in time order (as the back end sends them). */
function synth(n: number, lanes: number, seed = 1, gaps: GapDTO[] = []): TimelineDTO {
  const r = rng(seed);
  const at = Array.from({ length: n }, () => T0 + Math.floor(r() * WEEK)).sort((a, b) => a - b);
  return {
    from: T0,
    to: T0 + WEEK,
    lanes: Array.from({ length: lanes }, (_, i) => ({ cluster: `c${i}`, context: `ctx-${i}` })),
    marks: {
      id: at.map((_, i) => i + 1),
      at,
      lane: at.map(() => Math.floor(r() * lanes)),
      category: at.map(() => Math.floor(r() * 16)),
      severity: at.map(() => (r() < 0.9 ? 0 : 1 + Math.floor(r() * 3))),
    },
    truncated: false,
    total: n,
    gaps,
  };
}

test('marks are grouped by lane and ordered by time within each; stray lanes are dropped', () => {
  const d = buildMarks({
    lanes: [
      { cluster: 'a', context: 'A' },
      { cluster: 'b', context: 'B' },
    ],
    marks: {
      id: [1, 2, 3, 4, 5, 6],
      at: [50, 10, 30, 20, 40, 60],
      lane: [1, 0, 1, 0, 7, -1],
      category: [0, 1, 2, 3, 4, 5],
      severity: [3, 2, 1, 0, 0, 0],
    },
    gaps: [],
  });
  assert.equal(d.n, 4, 'marks of lanes that are not there are not drawn elsewhere');
  assert.deepEqual(Array.from(d.laneStart), [0, 2, 4]);
  assert.deepEqual(Array.from(d.at), [10, 20, 30, 50], 'lane 1 sorted (it arrived out of order)');
  assert.deepEqual(Array.from(d.id), [2, 4, 3, 1], 'ids follow their marks');
  assert.deepEqual(Array.from(d.sev), [2, 0, 1, 3]);
  assert.deepEqual(Array.from(d.cat), [1, 3, 2, 0]);
  assert.equal(indexOf(d, 3), 2);
  assert.equal(indexOf(d, 5), -1);
  assert.equal(laneOf(d, 0), 0);
  assert.equal(laneOf(d, 3), 1);
});

test('hit testing with 100k marks: the nearest mark of the lane within reach, in microseconds', () => {
  const dto = synth(100_000, 30);
  const t0 = performance.now();
  const d = buildMarks(dto);
  const buildMs = performance.now() - t0;
  assert.equal(d.n, 100_000);
  for (let l = 0; l < d.lanes; l++)
    for (let k = d.laneStart[l]! + 1; k < d.laneStart[l + 1]!; k++) assert.ok(d.at[k]! >= d.at[k - 1]!, 'sorted within the lane');

  // against a brute force scan, at random points
  const r = rng(7);
  const tol = 60_000;
  const probes = 2000;
  let hits = 0;
  const s0 = performance.now();
  const found: number[] = [];
  for (let i = 0; i < probes; i++) {
    const lane = Math.floor(r() * 30);
    const t = T0 + r() * WEEK;
    found.push(hitMark(d, lane, t, tol));
  }
  const perHitUs = ((performance.now() - s0) / probes) * 1000;
  const r2 = rng(7);
  for (let i = 0; i < probes; i++) {
    const lane = Math.floor(r2() * 30);
    const t = T0 + r2() * WEEK;
    let best = Infinity;
    for (let k = d.laneStart[lane]!; k < d.laneStart[lane + 1]!; k++) best = Math.min(best, Math.abs(d.at[k]! - t));
    const k = found[i]!;
    if (best <= tol) {
      hits++;
      assert.ok(k >= 0, `probe ${i}: a mark within reach is found`);
      assert.ok(k >= d.laneStart[lane]! && k < d.laneStart[lane + 1]!, 'in the lane asked');
      assert.equal(Math.abs(d.at[k]! - t), best, `probe ${i}: the nearest`);
    } else assert.equal(k, -1, `probe ${i}: nothing within reach`);
  }
  assert.ok(hits > probes / 4, `enough hits to mean something (${hits})`);
  assert.ok(perHitUs < 50, `a hit test costs ${perHitUs.toFixed(2)} µs`);
  assert.ok(buildMs < 500, `building 100k marks took ${buildMs.toFixed(0)} ms`);

  // ties: the later mark (drawn last, on top)
  const tie = buildMarks({
    lanes: [{ cluster: 'a', context: 'A' }],
    marks: { id: [1, 2, 3], at: [100, 100, 200], lane: [0, 0, 0], category: [0, 0, 0], severity: [0, 0, 0] },
    gaps: [],
  });
  assert.equal(tie.id[hitMark(tie, 0, 100, 5)!], 2);
  assert.equal(hitMark(tie, 1, 100, 5), -1, 'no such lane');
  assert.equal(countIn(tie, 0, 95, 105), 2);
  assert.equal(countIn(tie, 0, 100, 200), 3, 'both ends included');
});

test('lane virtualisation: 500 lanes, only those on screen are looked at', () => {
  const d = buildMarks(synth(50_000, 500, 3));
  const screenH = 480;
  for (const top of [0, 1000, 500 * LANE_H - (screenH - AXIS_H)]) {
    const v = visibleLanes(top, screenH, d.lanes);
    assert.ok(v.last - v.first + 1 <= Math.ceil((screenH - AXIS_H) / LANE_H) + 1, `${v.first}..${v.last}`);
    // the lane under the first and last row of pixels is among them
    assert.equal(laneAt(AXIS_H, top, d.lanes), v.first);
    assert.equal(laneAt(screenH - 1, top, d.lanes), v.last);
  }
  const range = new Uint32Array(2);
  laneRange(d, 499, T0, T0 + WEEK, range);
  assert.equal(range[1]! - range[0]!, d.laneStart[500]! - d.laneStart[499]!, 'a lane’s range is its own');
  assert.equal(lowerBound(d.at, 0, 0, 5), 0, 'an empty range');
});

test('binning: per pixel column, counts add up, the worst severity wins, touched range reported', () => {
  const d = buildMarks(synth(100_000, 30, 5));
  const cols = 1100;
  const count = new Uint32Array(cols);
  const top = new Uint8Array(cols);
  const range = new Uint32Array(2);
  const msPerCol = WEEK / cols;
  let total = 0;
  for (let l = 0; l < 30; l++) {
    const packed = binLane(d, l, T0, msPerCol, cols, count, top, range);
    assert.ok(packed >= 0);
    const c0 = Math.floor(packed / 65536);
    const c1 = packed % 65536;
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      if (c < c0 || c > c1) assert.equal(count[c], 0, 'nothing outside the touched range');
      sum += count[c]!;
    }
    assert.equal(sum, d.laneStart[l + 1]! - d.laneStart[l]!, `lane ${l}: every mark in one column`);
    // the worst severity of each column, against the marks
    for (let k = d.laneStart[l]!; k < d.laneStart[l + 1]!; k++) {
      const c = Math.min(cols - 1, Math.floor((d.at[k]! - T0) / msPerCol));
      assert.ok(top[c]! >= d.sev[k]! + 1);
    }
    total += sum;
    count.fill(0, c0, c1 + 1);
    top.fill(0, c0, c1 + 1);
  }
  assert.equal(total, 100_000);
  // a window before every mark touches nothing
  assert.equal(binLane(d, 0, T0 - WEEK, msPerCol / 10, cols, count, top, range), -1);
});

test('gaps: per lane, the whole cluster or one kind, open ones end at the time shown', () => {
  const gap = (cluster: string, kind: string | null, start: number, end: number | null): GapDTO => ({
    cluster,
    clusterContext: cluster,
    kind,
    start,
    end,
    reason: 'disconnected',
  });
  const d = buildMarks(
    synth(10, 3, 1, [gap('c1', null, T0, T0 + HOUR), gap('c1', 'pods', T0 + 2 * HOUR, null), gap('nope', null, T0, T0 + 1)]),
  );
  assert.equal(d.gaps[1]!.length, 6);
  assert.equal(d.gaps[0]!.length, 0);
  assert.equal(d.gapInfo[1]![1]!.kind, 'pods');
  assert.equal(gapAt(d, 1, T0 + 1000, Infinity), 0);
  assert.equal(gapAt(d, 1, T0 + 3 * HOUR, T0 + 4 * HOUR), 1, 'open: up to the time shown');
  assert.equal(gapAt(d, 1, T0 + 5 * HOUR, T0 + 4 * HOUR), -1, 'not past it');
  assert.equal(gapAt(d, 0, T0 + 1000, Infinity), -1);
});

/** A 2D context that counts what it is asked to do. */
function countingContext() {
  const calls = { fillRect: 0, fillText: 0, fillStyle: 0, rect: 0, fill: 0, drawImage: 0 };
  let style: unknown = '';
  const ctx = {
    setTransform() {},
    save() {},
    restore() {},
    strokeRect() {},
    drawImage() {
      calls.drawImage++;
    },
    imageSmoothingEnabled: true,
    beginPath() {},
    rect() {
      calls.rect++;
    },
    fill() {
      calls.fill++;
    },
    fillRect() {
      calls.fillRect++;
    },
    fillText() {
      calls.fillText++;
    },
    measureText: (s: string) => ({ width: s.length * 6 }),
    get fillStyle() {
      return style;
    },
    set fillStyle(v: unknown) {
      calls.fillStyle++;
      style = v;
    },
    globalAlpha: 1,
    font: '',
    textAlign: 'left',
    textBaseline: 'middle',
    strokeStyle: '',
    lineWidth: 1,
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls };
}

/** A density image in memory: what the engine's canvas surface does, without a canvas. */
function memorySurface(): DensitySurface & { commits: number[] } {
  const s = {
    pixels: new Uint32Array(0),
    width: 0,
    source: {} as CanvasImageSource,
    commits: [] as number[],
    ensure(w: number, h: number) {
      if (s.width === w && s.pixels.length >= w * h) return true;
      const old = s.width === w ? s.pixels : null;
      s.pixels = new Uint32Array(w * Math.max(h, 2 * (old ? old.length / w : 0)));
      if (old) s.pixels.set(old);
      s.width = w;
      return true;
    },
    commit(h: number) {
      s.commits.push(h);
    },
    rgba: (c: string) => (Number.parseInt(c.slice(1), 16) | 0xff000000) >>> 0,
  };
  return s;
}

/** A frame of the whole week of 100k marks over 30 lanes (seed 9), on a 1280-pixel screen with every lane. */
function weekFrame(over: Partial<TimelineFrame> = {}): TimelineFrame {
  const dto = synth(100_000, 30, 9);
  return {
    data: buildMarks(dto),
    labels: dto.lanes.map((l) => l.context),
    view: { start: T0, span: WEEK },
    top: 0,
    screenW: 1280,
    screenH: 30 + 30 * LANE_H,
    dpr: 1,
    pal: defaultPalette('light'),
    font: 'sans-serif',
    fetched: null,
    shown: T0 + WEEK,
    shownLabel: 'now',
    hover: -1,
    selected: -1,
    hoverLane: -1,
    focused: false,
    ...over,
  };
}

test('density bars as an image: one drawImage per dense lane, whatever the marks', () => {
  const frame = weekFrame({ dpr: 2 });
  const d = frame.data;
  const { ctx, calls } = countingContext();
  const surface = memorySurface();
  const p = new TimelinePainter(ctx, new TextFit(ctx), () => null, surface);
  p.paint(frame);
  const cols = (1280 - 168) * 2;
  assert.equal(surface.width, cols, 'a column per device pixel');
  assert.equal(calls.drawImage, 30, 'one per lane');
  assert.deepEqual(surface.commits, [30 * LEVELS], 'one upload a frame');
  assert.equal(calls.rect, 0, 'no rectangle per bar');
  // lane 4's rows against its marks: the bar of each column is as high as its count's level
  const lane = 4;
  const counts = new Uint32Array(cols);
  const worst = new Uint8Array(cols);
  for (let k = d.laneStart[lane]!; k < d.laneStart[lane + 1]!; k++) {
    const c = Math.min(cols - 1, Math.floor((d.at[k]! - T0) / (WEEK / cols)));
    counts[c]!++;
    worst[c] = Math.max(worst[c]!, d.sev[k]! + 1);
  }
  const sev = defaultPalette('light').severity.map((c) => (Number.parseInt(c.slice(1), 16) | 0xff000000) >>> 0);
  for (const c of [0, 17, 500, 1333, cols - 1]) {
    const filled = Array.from({ length: LEVELS }, (_, k) => surface.pixels[(lane * LEVELS + k) * cols + c]);
    const want = counts[c] ? levelOf(counts[c]!) : 0;
    assert.equal(filled.filter((x) => x !== 0).length, want, `column ${c}: level ${want}`);
    if (want) assert.equal(filled[LEVELS - 1], sev[worst[c]! - 1], `column ${c}: the worst severity's colour`);
  }
  assert.deepEqual([1, 2, 3, 4, 8, 31, 32, 1000].map(levelOf), [1, 2, 2, 3, 4, 5, 6, 6]);
});

test('painting 100k marks: density bars where marks crowd, a bounded number of rectangles, four colours', () => {
  const frame = weekFrame({ fetched: { from: T0, to: T0 + WEEK }, selected: 5, hoverLane: 3 });
  const { ctx, calls } = countingContext();
  // no image to write bars into: they are rectangles (runs of equal columns)
  const p = new TimelinePainter(ctx, new TextFit(ctx), () => null);
  p.paint(frame);
  const plotW = 1280 - 168;
  assert.equal(p.stats.glyphs, 0, 'a week of 3,300 marks a lane: bars, not squares');
  assert.ok(p.stats.bins > 0 && p.stats.bins <= 30 * plotW, `${p.stats.bins} bars, at most one per column and lane`);
  assert.ok(calls.rect <= 30 * plotW && calls.rect === p.stats.bins, `${calls.rect} rectangles for 100k marks`);
  assert.ok(calls.fill <= 4, `${calls.fill} fills: one per severity`);
  assert.ok(calls.fillRect < 300, `${calls.fillRect} fillRects: the frame around the marks, never one per mark`);
  assert.ok(calls.fillStyle < 200, `${calls.fillStyle} colour changes`);
  assert.equal(calls.fillText > 30, true, 'lane labels and ticks are text');

  // zoomed in to an hour: few enough marks to draw each one
  p.paint({ ...frame, view: { start: T0 + 3 * DAY, span: HOUR } });
  assert.equal(p.stats.bins, 0);
  assert.ok(p.stats.glyphs > 0 && p.stats.glyphs < 1000, `${p.stats.glyphs} glyphs in an hour`);
  // a lane turns into bars only past one mark per DENSITY_PX pixels
  assert.ok(DENSITY_PX >= 2);

  // 500 lanes: only those on screen are drawn
  const many = buildMarks(synth(100_000, 500, 11));
  p.paint({ ...frame, data: many, labels: [], screenH: 400 });
  assert.ok(p.stats.lanes <= Math.ceil((400 - 30) / LANE_H) + 1, `${p.stats.lanes} lanes drawn`);
});
