import test from 'node:test';
import assert from 'node:assert/strict';
import { atBottom, charsPerLine, fixedWindow, offsetWindow, rowAt, rowOffsets, scrollToShow, wrappedLines } from './virtual.ts';

test('fixed rows: only the rows on screen, with overscan, for 100k lines', () => {
  // 100k rows of 18 px, a 540 px view (30 rows)
  assert.deepEqual(fixedWindow(0, 540, 18, 100_000, 5), { start: 0, end: 35, top: 0, total: 1_800_000 });
  const w = fixedWindow(18 * 50_000 + 9, 540, 18, 100_000, 5);
  assert.equal(w.start, 49_995);
  assert.equal(w.end, 50_036);
  assert.equal(w.top, 49_995 * 18);
  assert.ok(w.end - w.start < 50, 'a few dozen rows rendered, not 100k');
  // the end
  const e = fixedWindow(1_800_000, 540, 18, 100_000, 5);
  assert.equal(e.end, 100_000);
  assert.equal(e.start, 100_000 - 30 - 5);
});

test('fixed rows: empty, fewer rows than the view, negative scroll', () => {
  assert.deepEqual(fixedWindow(0, 500, 18, 0), { start: 0, end: 0, top: 0, total: 0 });
  assert.deepEqual(fixedWindow(0, 500, 18, 3, 8), { start: 0, end: 3, top: 0, total: 54 });
  assert.deepEqual(fixedWindow(-100, 500, 18, 3, 8), { start: 0, end: 3, top: 0, total: 54 });
  // scrolled beyond the end (the list shrank): clamped to the last page
  assert.deepEqual(fixedWindow(10_000, 36, 18, 4, 0), { start: 2, end: 4, top: 36, total: 72 });
});

test('wrapped lines: how many screen lines a text takes', () => {
  assert.equal(wrappedLines(0, 80), 1);
  assert.equal(wrappedLines(80, 80), 1);
  assert.equal(wrappedLines(81, 80), 2);
  assert.equal(wrappedLines(16_384, 100), 164);
  assert.equal(wrappedLines(50, 0), 1);
  assert.equal(charsPerLine(800, 7.8), 102);
  assert.equal(charsPerLine(3, 7.8), 1);
  assert.equal(charsPerLine(800, 0), 1);
});

test('rows of their own heights: offsets, the row at a height, the window', () => {
  const heights = [18, 36, 18, 54, 18];
  const off = rowOffsets(heights.length, (i) => heights[i]!);
  assert.deepEqual([...off], [0, 18, 54, 72, 126, 144]);
  assert.equal(rowAt(off, 0), 0);
  assert.equal(rowAt(off, 17.9), 0);
  assert.equal(rowAt(off, 18), 1);
  assert.equal(rowAt(off, 100), 3);
  assert.equal(rowAt(off, 10_000), 4);
  assert.deepEqual(offsetWindow(60, 30, off, 0), { start: 2, end: 4, top: 54, total: 144 });
  assert.deepEqual(offsetWindow(60, 30, off, 1), { start: 1, end: 5, top: 18, total: 144 });
  assert.deepEqual(
    offsetWindow(
      0,
      100,
      rowOffsets(0, () => 18),
    ),
    { start: 0, end: 0, top: 0, total: 0 },
  );
});

test('rows of their own heights: 100k wrapped lines', () => {
  const off = rowOffsets(100_000, (i) => (i % 10 === 0 ? 54 : 18));
  const w = offsetWindow(off[60_000]!, 900, off, 4);
  assert.equal(w.start, 60_000 - 4);
  assert.ok(w.end - w.start < 70);
  assert.equal(w.top, off[w.start]);
});

test('at the bottom: autoscroll follows only while the end is shown', () => {
  assert.equal(atBottom(1000, 500, 1500), true);
  assert.equal(atBottom(995, 500, 1500), true);
  assert.equal(atBottom(900, 500, 1500), false);
  assert.equal(atBottom(0, 500, 300), true, 'a short list is at its end');
});

test('scrolling to show a row: unchanged when on screen, else a third down the view', () => {
  assert.equal(scrollToShow(100, 118, 50, 300, 10_000), 50);
  assert.equal(scrollToShow(1000, 1018, 50, 300, 10_000), 900);
  assert.equal(scrollToShow(10, 28, 500, 300, 10_000), 0);
  assert.equal(scrollToShow(9990, 10_000, 0, 300, 10_000), 9700);
});
