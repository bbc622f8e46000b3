import test from 'node:test';
import assert from 'node:assert/strict';
import { covers, fetchWindow, needsFetch, timelineBounds } from './window.ts';
import { DAY, HOUR } from '../store/time.ts';

const T = Date.UTC(2025, 10, 22, 12);

test('the fetched window: the view and half its span either side', () => {
  const v = { from: T - HOUR, to: T };
  assert.deepEqual(fetchWindow(v), { from: T - 1.5 * HOUR, to: T + HOUR / 2 });
  assert.equal(fetchWindow({ from: 10, to: 1000 }).from, 0, 'never before 0');
  assert.ok(covers(fetchWindow(v), v));
});

test('ask again when the view leaves what was fetched, or a cut answer is far wider than the view', () => {
  const f = fetchWindow({ from: T - HOUR, to: T });
  assert.equal(needsFetch(null, { from: T - HOUR, to: T }, false), true, 'nothing fetched yet');
  assert.equal(needsFetch(f, { from: T - HOUR - 10 * 60_000, to: T - 10 * 60_000 }, false), false, 'a small pan stays inside');
  assert.equal(needsFetch(f, { from: T - 2 * HOUR, to: T - HOUR }, false), true, 'panned past it');
  assert.equal(needsFetch(f, { from: T - 3 * HOUR, to: T + HOUR }, false), true, 'zoomed out past it');
  const zoomed = { from: T - 40 * 60_000, to: T - 30 * 60_000 };
  assert.equal(needsFetch(f, zoomed, false), false, 'zoomed in, the answer complete: nothing to ask');
  assert.equal(needsFetch(f, zoomed, true), true, 'zoomed in on a truncated answer: a narrower question holds more');
  assert.equal(needsFetch(f, { from: T - HOUR, to: T }, true), false, 'truncated but not zoomed in: asking again gives the same');
});

test('bounds: the recorded history, at least the last day, up to the time shown', () => {
  assert.deepEqual(timelineBounds(null, T), { min: T - 30 * DAY, max: T });
  assert.deepEqual(timelineBounds({ from: T - HOUR, to: T - HOUR / 2 }, T), { min: T - DAY, max: T });
  assert.deepEqual(
    timelineBounds({ from: T - 90 * DAY, to: T + HOUR }, T),
    { min: T - 90 * DAY, max: T + HOUR },
    'as of T, later history is there too',
  );
});
