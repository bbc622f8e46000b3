import test from 'node:test';
import assert from 'node:assert/strict';
import { MIN_TICK_PX, STEPS, isMidnight, tickLabel, tickStep, tickTimes } from './ticks.ts';
import { DAY, HOUR, MINUTE, SECOND } from '../store/time.ts';

// Local times: the same wall clock whatever the machine's time zone.
const noon = new Date(2025, 10, 22, 12, 0).getTime();

test('the step: the smallest round one with room for a label', () => {
  // an hour over 1100 px: 10 minutes is 183 px, 5 minutes 92 px, 2 minutes 37 px
  assert.equal(tickStep(HOUR, 1100), 5 * MINUTE);
  assert.equal(tickStep(HOUR, 400), 15 * MINUTE);
  assert.equal(tickStep(7 * DAY, 1100), DAY, 'a week: days');
  assert.equal(tickStep(DAY, 1100), 2 * HOUR, 'a day: hours');
  assert.equal(tickStep(60 * SECOND, 1100), 5 * SECOND, 'a minute: seconds');
  assert.equal(tickStep(10 * 365 * DAY, 1100), STEPS[STEPS.length - 1], 'the largest step at most');
  for (const span of [10 * SECOND, 7 * MINUTE, 3 * HOUR, 2 * DAY, 40 * DAY])
    for (const w of [300, 800, 2400]) {
      const s = tickStep(span, w);
      const i = STEPS.indexOf(s);
      assert.ok((s / span) * w >= MIN_TICK_PX || i === STEPS.length - 1, `${span}/${w}: ${s} leaves room`);
      if (i > 0) assert.ok((STEPS[i - 1]! / span) * w < MIN_TICK_PX, `${span}/${w}: ${s} is the smallest that does`);
    }
});

test('ticks fall on the local clock’s round times', () => {
  const out = new Float64Array(64);
  const n = tickTimes(noon - HOUR + 7 * MINUTE, noon, 15 * MINUTE, out);
  assert.deepEqual(
    Array.from(out.subarray(0, n)).map((t) => new Date(t).getMinutes()),
    [15, 30, 45, 0],
  );
  assert.equal(out[n - 1], noon, 'the end is included');
  const d = tickTimes(noon - 3 * DAY, noon, DAY, out);
  assert.equal(d, 3);
  for (let i = 0; i < d; i++) assert.ok(isMidnight(out[i]!), 'days at local midnight');
  const two = tickTimes(noon - 10 * DAY, noon, 2 * DAY, out);
  assert.ok(two === 5 || two === 4);
  assert.equal((out[1]! - out[0]!) / DAY, 2);
  assert.equal(tickTimes(noon, noon, HOUR, out), 0, 'an empty window');
  assert.equal(tickTimes(noon - DAY, noon, SECOND, out), 64, 'never more than the buffer holds');
});

test('labels: time, with seconds below a minute, the date at midnight and for days', () => {
  assert.equal(tickLabel(new Date(2025, 10, 22, 9, 5).getTime(), 5 * MINUTE), '09:05');
  assert.equal(tickLabel(new Date(2025, 10, 22, 9, 5, 30).getTime(), 10 * SECOND), '09:05:30');
  assert.equal(tickLabel(new Date(2025, 10, 22).getTime(), HOUR), '22 Nov');
  assert.equal(tickLabel(new Date(2025, 10, 22).getTime(), DAY), '22 Nov');
});
