import test from 'node:test';
import assert from 'node:assert/strict';
import { HOUR, MINUTE, asOfText, clampAt, formatClock, formatDateTime, sliderValue, stepAt, windowText } from './time.ts';

// Local times: the same wall-clock text whatever the machine's time zone.
const T = new Date(2025, 10, 22, 12, 40, 5).getTime();

test('dates and clocks in local time, fixed formats', () => {
  assert.equal(formatDateTime(T), '22 Nov 2025 12:40:05');
  assert.equal(formatDateTime(T, false), '22 Nov 2025 12:40');
  assert.equal(formatDateTime(NaN), '–');
  assert.equal(formatClock(T, new Date(2025, 10, 22, 23, 59).getTime()), '12:40', 'today: the time only');
  assert.equal(formatClock(T, new Date(2025, 10, 23, 0, 1).getTime()), '22 Nov 12:40', 'another day: with the date');
  assert.equal(formatClock(T, new Date(2026, 0, 2).getTime()), '22 Nov 2025 12:40', 'another year: with the year');
  assert.equal(asOfText(T, T), 'as of 12:40');
  assert.equal(windowText({ from: null, to: T }), 'start');
  assert.equal(windowText({ from: T, to: T }), '22 Nov 2025 12:40');
});

test('"as of" stays within the recorded history; its end is the latest state', () => {
  const h = { from: T - 2 * HOUR, to: T };
  assert.equal(clampAt(null, h), null);
  assert.equal(clampAt(T - HOUR, h), T - HOUR);
  assert.equal(clampAt(T - 3 * HOUR, h), T - 2 * HOUR, 'before the history: its start');
  assert.equal(clampAt(T, h), null, 'the end: latest');
  assert.equal(clampAt(T + 1, h), null);
  assert.equal(clampAt(T - HOUR + 0.4, h), T - HOUR, 'whole milliseconds');
  assert.equal(clampAt(NaN, h), null);
  assert.equal(clampAt(5, null), 5);
});

test('step buttons move from the shown time (latest: the end)', () => {
  const h = { from: T - 2 * HOUR, to: T };
  assert.equal(stepAt(null, -5 * MINUTE, h), T - 5 * MINUTE);
  assert.equal(stepAt(T - 5 * MINUTE, -5 * MINUTE, h), T - 10 * MINUTE);
  assert.equal(stepAt(T - 5 * MINUTE, 5 * MINUTE, h), null, 'back to the end: latest');
  assert.equal(stepAt(null, 5 * MINUTE, h), null);
  assert.equal(stepAt(h.from + MINUTE, -5 * MINUTE, h), h.from, 'not before the start');
  assert.equal(stepAt(T - HOUR, -5 * MINUTE, null), null, 'no history: nothing to step through');
});

test('the slider thumb', () => {
  const h = { from: 1000, to: 5000 };
  assert.equal(sliderValue(null, h), 5000);
  assert.equal(sliderValue(2000, h), 2000);
  assert.equal(sliderValue(10, h), 1000);
  assert.equal(sliderValue(9000, h), 5000);
});
