import test from 'node:test';
import assert from 'node:assert/strict';
import { formatClock } from '../store/time.ts';
import { clusterCounts, nodeSummary, partialText, safeName, shortNames, statusLine, statusTime, truncate } from './text.ts';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

test('hostile names: markup stays text, bidi and zero-width characters become visible, long names are cut', () => {
  assert.equal(safeName('<script>alert(1)</script>'), '<script>alert(1)</script>', 'markup is only text on a canvas');
  assert.equal(safeName('prod\u202Eved'), 'prod\uFFFDved');
  assert.equal(safeName('a\u200Bb\u200Dc\uFEFFd\u2066e\u2069'), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFD');
  assert.equal(safeName('line\nbreak\u0000'), 'line\uFFFDbreak\uFFFD');
  assert.equal(safeName('x'.repeat(500)).length, 120);
  assert.ok(safeName('x'.repeat(500)).endsWith('…'));
  assert.equal(safeName('مجموعة-الإنتاج'), 'مجموعة-الإنتاج', 'RTL letters themselves are fine');
});

test('truncate never splits a surrogate pair', () => {
  assert.equal(truncate('abc', 3), 'abc');
  assert.equal(truncate('abcd', 3), 'ab…');
  const emoji = '😀'.repeat(10);
  const t = truncate(emoji, 4);
  assert.equal(t, '😀😀😀…');
  assert.equal(truncate('😀😀', 2), '😀😀', 'two code points fit in two');
});

test("ages and percentages are the tables' (common/format.ts): kubectl ages, no space before %", () => {
  const base = { progress: null, statusSince: null, computedAt: null };
  const old = (ms: number) => statusLine({ ...base, status: 'stale', lastContact: NOW - ms }, NOW).text;
  assert.equal(old(0), 'stale · data 0s old');
  assert.equal(old(90_000), 'stale · data 90s old');
  assert.equal(old(5 * 60_000 + 30_000), 'stale · data 5m30s old');
  assert.equal(old(3 * 3_600_000 + 20 * 60_000), 'stale · data 3h20m old');
  assert.equal(old(3 * 86_400_000), 'stale · data 3d old');
  assert.equal(old(-5_000), 'stale · data 0s old', 'a clock behind the data: no negative age');
  const s = nodeSummary({ n: 'n', h: 0, c: 0.456, m: null, g: null, p: 0, a: 0, s: 0, k: false });
  assert.equal(s.lines[1], 'cpu 46% · memory – · pods 0%');
  assert.equal(
    clusterCounts({ nodes: { total: 12345, ready: 0, cordoned: 0, byLevel: { ok: 0, warning: 0, critical: 0, unknown: 0 } } }),
    '12,345 nodes',
  );
});

test('status lines say what the data is worth', () => {
  const base = { progress: null, lastContact: NOW - 3 * 3_600_000, statusSince: null, computedAt: NOW - 3 * 3_600_000 };
  assert.deepEqual(statusLine({ ...base, status: 'live' }, NOW), { text: 'live', tone: 'ok' });
  assert.deepEqual(statusLine({ ...base, status: 'syncing', progress: { listed: 3, total: 12 } }, NOW), {
    text: 'syncing 3/12',
    tone: 'progress',
  });
  assert.deepEqual(statusLine({ ...base, status: 'stale', lastContact: NOW - 42_000 }, NOW), {
    text: 'stale · data 42s old',
    tone: 'warn',
  });
  assert.equal(statusLine({ ...base, status: 'unreachable', lastContact: NOW - 300_000 }, NOW).text, 'unreachable · data 5m old');
  assert.equal(statusLine({ ...base, status: 'unreachable', lastContact: null }, NOW).text, 'unreachable · no data yet');
  assert.equal(statusLine({ ...base, status: 'error', lastContact: null }, NOW).text, 'error · no data yet');
  assert.deepEqual(statusLine({ ...base, status: 'unauthorized' }, NOW), { text: 'unauthorized', tone: 'auth' });
  assert.deepEqual(statusLine({ ...base, status: 'needs-approval' }, NOW), { text: 'needs approval', tone: 'warn' });
  assert.deepEqual(statusLine({ ...base, status: 'offline' }, NOW), { text: 'offline · data 3h old', tone: 'neutral' });
  assert.equal(statusLine({ ...base, status: 'offline', lastContact: null, computedAt: null }, NOW).text, 'offline · no data');
  // turned off in Settings: never live, always with the age of what the cache holds
  assert.deepEqual(statusLine({ ...base, status: 'off', lastContact: NOW - 42_000 }, NOW), { text: 'off · data 42s old', tone: 'neutral' });
  assert.equal(statusLine({ ...base, status: 'off', lastContact: null, computedAt: null }, NOW).text, 'off · no data');
  assert.equal(statusLine({ ...base, status: 'error' }, NOW).tone, 'bad');
});

test('node and cluster summaries', () => {
  const s = nodeSummary({ n: 'gpu\u202E-01', h: 2, c: 0.5, m: 0.25, g: 0.75, p: 0.1, a: 8, s: 2, k: true });
  assert.equal(s.name, 'gpu\uFFFD-01');
  assert.equal(s.level, 'critical');
  assert.deepEqual(s.lines, [
    'health critical · cordoned',
    'cpu 50% · memory 25% · pods 10%',
    'accelerators 8 · allocated 75%',
    '2 storage/CSI problems',
  ]);
  assert.equal(
    clusterCounts({ nodes: { total: 1204, ready: 1200, cordoned: 0, byLevel: { ok: 1199, warning: 2, critical: 3, unknown: 0 } } }),
    '1,204 nodes · 3 critical · 2 warning',
  );
});

test('short names drop what every node of a cluster shares, at separators only', () => {
  assert.deepEqual(
    shortNames([
      'ip-10-3-0-13.eu-west-1.compute.internal',
      'ip-10-3-0-14.eu-west-1.compute.internal',
      'ip-10-3-1-2.eu-west-1.compute.internal',
    ]),
    ['0-13', '0-14', '1-2'],
  );
  assert.deepEqual(shortNames(['node-0001', 'node-0002', 'gpu-a100-0001']), ['node-0001', 'node-0002', 'gpu-a100-0001']);
  assert.deepEqual(shortNames(['worker-10', 'worker-11']), ['10', '11'], 'no cut inside a token: "1" is not a separator');
  assert.deepEqual(shortNames(['a', 'a']), ['a', 'a'], 'never empty');
  assert.deepEqual(shortNames(['only-one']), ['only-one']);
  assert.deepEqual(shortNames([]), []);
  assert.deepEqual(shortNames(['x-1-y', 'x-1-y-z']), ['y', 'y-z']);
});

test('as of a past time, no tile says live', () => {
  const base = { progress: null, lastContact: NOW - 60_000, statusSince: null, computedAt: NOW - 60_000 };
  const at = NOW - 2 * 3_600_000;
  const clock = formatClock(at, NOW);
  for (const status of ['live', 'syncing', 'connecting', 'offline'] as const) {
    const s = statusLine({ ...base, status }, NOW, at);
    assert.equal(s.text, `as of ${clock}`, status);
    assert.equal(s.tone, 'neutral', status);
  }
  assert.equal(statusLine({ ...base, status: 'unreachable' }, NOW, at).text, `as of ${clock} · now unreachable`);
  assert.equal(statusLine({ ...base, status: 'unreachable' }, NOW, at).tone, 'bad');
  assert.equal(statusLine({ ...base, status: 'live' }, NOW, null).text, 'live', 'latest: as before');
});

test('statusTime: as of T; a snapshot at its latest speaks of its capture; live and cache of now', () => {
  const snapshot = { capturedAt: 1_000 } as never;
  assert.equal(statusTime({ at: 500, mode: 'snapshot', snapshot }), 500);
  assert.equal(statusTime({ at: null, mode: 'snapshot', snapshot }), 1_000);
  assert.equal(statusTime({ at: null, mode: 'cache', snapshot: null }), null);
  assert.equal(statusTime({ at: 700, mode: 'live', snapshot: null }), 700);
  assert.equal(statusTime(null), null);
});

test('partialText: kinds grouped by the namespaces they are listed in', () => {
  assert.equal(partialText([{ kind: 'pods', namespaces: ['web'] }]), 'pods in namespace web');
  assert.equal(
    partialText([
      { kind: 'pods', namespaces: ['default', 'web'] },
      { kind: 'apps/deployments', namespaces: ['default', 'web'] },
      { kind: 'events', namespaces: ['web'] },
    ]),
    'pods, apps/deployments in 2 namespaces: default, web; events in namespace web',
  );
  assert.equal(partialText([{ kind: 'pods', namespaces: [] }]), 'pods in no namespace yet');
  assert.equal(partialText([]), '');
});
