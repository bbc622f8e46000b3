import test from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterStatus, NodeCell } from '../../common/contract.ts';
import { MEASURES } from '../../common/contract.ts';
import {
  BUCKETS,
  BUCKET_NA,
  BUCKET_OVER,
  RAMP_STEPS,
  bucketColors,
  cellBucket,
  cellBuckets,
  cellColor,
  legend,
  palette,
  rampBucket,
  sameCells,
  statusColor,
  statusTone,
  textOn,
} from './colors.ts';

const cell = (o: Partial<NodeCell> = {}): NodeCell => ({ n: 'n1', h: 0, c: 0.5, m: 0.25, g: null, p: 0.1, a: 0, s: 0, k: false, ...o });

test('ramp buckets: ten 10% steps, then over 100% and n/a', () => {
  assert.equal(rampBucket(0), 0);
  assert.equal(rampBucket(0.05), 0);
  assert.equal(rampBucket(0.1), 0);
  assert.equal(rampBucket(0.1001), 1);
  assert.equal(rampBucket(0.5), 4);
  assert.equal(rampBucket(0.999), 9);
  assert.equal(rampBucket(1), 9);
  assert.equal(rampBucket(1.0004), 9, 'rounding of the ratio is not overcommitment');
  assert.equal(rampBucket(1.2), BUCKET_OVER);
  assert.equal(rampBucket(-0.1), 0);
  assert.equal(rampBucket(null), BUCKET_NA);
  assert.equal(rampBucket(Number.NaN), BUCKET_NA);
  assert.equal(rampBucket(Infinity), BUCKET_NA);
});

test('each measure reads its own field; health uses the level', () => {
  const c = cell({ h: 2, c: 0.95, m: 0.05, g: 1.5, p: null });
  assert.equal(cellBucket(c, 'health'), 2);
  assert.equal(cellBucket(c, 'cpu'), 9);
  assert.equal(cellBucket(c, 'memory'), 0);
  assert.equal(cellBucket(c, 'gpu'), BUCKET_OVER);
  assert.equal(cellBucket(c, 'pods'), BUCKET_NA);
  assert.equal(cellBucket(cell({ h: 9 }), 'health'), 3, 'out-of-range level is unknown');
  assert.equal(cellBucket(cell({ g: null, a: 0 }), 'gpu'), BUCKET_NA, 'no accelerators');
  assert.deepEqual([...cellBuckets([cell({ c: 0 }), cell({ c: 0.55 }), cell({ c: null })], 'cpu')], [0, 5, BUCKET_NA]);
});

test('every bucket has a colour in both themes; themes differ; colours are distinct', () => {
  for (const theme of ['light', 'dark'] as const) {
    for (const m of MEASURES) {
      const colors = bucketColors(m, theme);
      assert.equal(colors.length, m === 'health' ? 4 : BUCKETS);
      for (const col of colors) assert.match(col, /^#[0-9a-f]{6}$/);
      assert.equal(new Set(colors).size, colors.length, `${theme} ${m} colours are distinct`);
    }
    const p = palette(theme);
    assert.notEqual(p.health.ok, p.health.critical);
    assert.equal(cellColor(cell({ h: 2 }), 'health', theme), p.health.critical);
  }
  assert.notEqual(palette('light').background, palette('dark').background);
  // "a lot requested" is the strongest contrast with the background in both themes
  assert.equal(palette('light').ramp[RAMP_STEPS - 1], palette('dark').ramp[0]);
});

test('legend: one entry per colour, ramp steps in order, labels say what they mean', () => {
  const h = legend('health', 'light');
  assert.deepEqual(
    h.entries.map((e) => e.label),
    ['ok', 'warning', 'critical', 'unknown'],
  );
  assert.deepEqual(
    h.entries.map((e) => e.color),
    bucketColors('health', 'light'),
  );
  const c = legend('cpu', 'dark');
  assert.match(c.title, /CPU/);
  assert.equal(c.entries.length, BUCKETS);
  assert.deepEqual(
    c.entries.map((e) => e.color),
    bucketColors('cpu', 'dark'),
  );
  assert.equal(c.entries.filter((e) => e.ramp).length, RAMP_STEPS);
  assert.equal(c.entries[0]!.label, '0–10%');
  assert.equal(c.entries[BUCKET_OVER]!.label, 'over 100%');
  assert.equal(legend('gpu', 'light').entries[BUCKET_NA]!.label, 'no accelerators');
});

test('status tones: live green, syncing blue, stale amber, unreachable red, unauthorized purple, offline neutral', () => {
  const tones: Record<ClusterStatus, string> = {
    live: 'ok',
    connecting: 'progress',
    syncing: 'progress',
    stale: 'warn',
    'needs-approval': 'warn',
    unreachable: 'bad',
    error: 'bad',
    unauthorized: 'auth',
    offline: 'neutral',
    off: 'neutral',
  };
  for (const [s, tone] of Object.entries(tones)) assert.equal(statusTone(s as ClusterStatus), tone);
  assert.equal(statusColor('live', 'light'), palette('light').status.ok);
  assert.equal(statusColor('unauthorized', 'dark'), palette('dark').status.auth);
});

test('text on a cell: black on light fills, white on dark ones', () => {
  assert.equal(textOn('#fde725'), '#000000');
  assert.equal(textOn('#440154'), '#ffffff');
  assert.equal(textOn('#ffffff'), '#000000');
  assert.equal(textOn('#000000'), '#ffffff');
  assert.equal(textOn('not a colour'), '#000000');
});

test('sameCells compares every field', () => {
  const a = [cell(), cell({ n: 'n2', g: 0.5, a: 8 })];
  assert.ok(
    sameCells(
      a,
      a.map((c) => ({ ...c })),
    ),
  );
  assert.ok(!sameCells(a, a.slice(1)));
  for (const [k, v] of Object.entries({ n: 'x', h: 1, c: 0.51, m: null, g: 0.2, p: 0.2, a: 1, s: 1, k: true })) {
    assert.ok(!sameCells(a, [a[0]!, { ...a[1]!, [k]: v }]), `a change of ${k} is seen`);
  }
});
