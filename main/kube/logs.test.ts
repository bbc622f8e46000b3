// The one log reader: the request kubectl makes, lines split across chunks (UTF-8 and CRLF safe), the
// kubelet's timestamps read off, the API's own message on an error, follow until stopped, and pushes
// batched (a pace, a cap per push, the last one marked).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LineBatcher,
  LineSplitter,
  LogError,
  MAX_LINE_CHARS,
  openPodLog,
  parseTimestamped,
  podLogPath,
  readPodLog,
  type RawLogLine,
} from './logs.ts';
import { fakeApi, fakePod, type FakeApi } from './fixtures.ts';
import type { ConnectionPool } from './pool.ts';

const until = async (what: string, f: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('pod log requests', () => {
  it('asks as kubectl logs does, only for what is set', () => {
    assert.equal(podLogPath('web', 'frontend-1'), '/api/v1/namespaces/web/pods/frontend-1/log');
    assert.equal(
      podLogPath('web', 'frontend-1', {
        container: 'nginx',
        follow: true,
        previous: true,
        timestamps: true,
        sinceSeconds: 600,
        tailLines: 0,
        limitBytes: 1024,
      }),
      '/api/v1/namespaces/web/pods/frontend-1/log?container=nginx&follow=true&previous=true&timestamps=true&sinceSeconds=600&tailLines=0&limitBytes=1024',
    );
    assert.equal(podLogPath('a b', 'p/q', { follow: false }), '/api/v1/namespaces/a%20b/pods/p%2Fq/log');
  });
});

describe('lines', () => {
  it('splits across chunks: a line cut anywhere, a UTF-8 character cut in two, CRLF, the last line without a newline', () => {
    const s = new LineSplitter();
    const euro = Buffer.from('€');
    assert.deepEqual(s.push(Buffer.from('one\ntw')), ['one']);
    assert.deepEqual(s.push(Buffer.concat([Buffer.from('o '), euro.subarray(0, 1)])), []);
    assert.deepEqual(s.push(Buffer.concat([euro.subarray(1), Buffer.from('\r\nthree\n\nfour')])), ['two €', 'three', '']);
    assert.deepEqual(s.end(), ['four']);
    assert.deepEqual(s.end(), []);
  });

  it('a runaway line is cut, never kept whole', () => {
    const s = new LineSplitter();
    const big = 'x'.repeat(MAX_LINE_CHARS * 5);
    assert.deepEqual(s.push(big), []);
    const [line] = s.push('tail\n');
    assert.equal(line!.length, MAX_LINE_CHARS + 1);
    assert.ok(line!.endsWith('…'));
  });

  it('reads the kubelet’s RFC 3339 timestamp (nanoseconds, offsets) into epoch ms, and leaves other lines alone', () => {
    assert.deepEqual(parseTimestamped('2026-11-01T08:00:00.123456789Z level=info msg=ok'), {
      at: Date.UTC(2026, 10, 1, 8, 0, 0, 123),
      text: 'level=info msg=ok',
    });
    assert.deepEqual(parseTimestamped('2026-11-01T09:00:00+01:00 x'), { at: Date.UTC(2026, 10, 1, 8), text: 'x' });
    assert.deepEqual(parseTimestamped('2026-11-01T08:00:00Z'), { at: Date.UTC(2026, 10, 1, 8), text: '' });
    assert.deepEqual(parseTimestamped('no time here'), { text: 'no time here' });
    assert.deepEqual(parseTimestamped('2026-13-45T99:00:00Z bad'), { text: '2026-13-45T99:00:00Z bad' });
  });
});

describe('batches of lines for pushes', () => {
  it('at most one push per interval, at most `cap` lines each; the rest follows; the last is marked', async () => {
    const pushes: { n: number; last: boolean; t: number }[] = [];
    const b = new LineBatcher<number>((lines, last) => pushes.push({ n: lines.length, last, t: Date.now() }), { intervalMs: 40, cap: 3 });
    b.add([1, 2, 3, 4, 5, 6, 7]);
    assert.equal(b.backlog, 7);
    await until('three pushes', () => pushes.length === 3);
    assert.deepEqual(
      pushes.map((p) => p.n),
      [3, 3, 1],
    );
    for (let i = 1; i < pushes.length; i++) assert.ok(pushes[i]!.t - pushes[i - 1]!.t >= 35, 'paced');
    b.add([8]);
    b.close();
    await until('the last push', () => pushes.at(-1)?.last === true);
    assert.deepEqual(pushes.at(-1)!.n, 1);
    b.add([9]);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(pushes.filter((p) => p.last).length, 1, 'nothing after the last');
  });

  it('close(now): the backlog is dropped and the end pushed at once; drained calls back', async () => {
    const pushes: { n: number; last: boolean }[] = [];
    let drained = 0;
    const b = new LineBatcher<number>((lines, last) => pushes.push({ n: lines.length, last }), { intervalMs: 1000, cap: 2 });
    b.onDrain = () => drained++;
    b.add([1]);
    await until('the first push', () => pushes.length === 1);
    assert.equal(drained, 1);
    b.add([2, 3, 4, 5]);
    b.close(true);
    assert.deepEqual(pushes, [
      { n: 1, last: false },
      { n: 0, last: true },
    ]);
  });
});

describe('a pod’s log through the API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-logs-'));
  let api: FakeApi;
  let pool: ConnectionPool;

  before(async () => {
    api = await fakeApi(dir);
    pool = api.pool(dir);
    api.pods.set('web/p1', fakePod('web', 'p1'));
    for (let i = 0; i < 5; i++) api.appendLog('web', 'p1', 'app', `2026-11-01T08:00:0${i}.5Z line ${i}`);
  });
  after(async () => {
    pool.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the last lines (what bundles take), with */* as the Accept header', async () => {
    const text = await readPodLog(await pool.get(api.cluster), 'web', 'p1', { container: 'app', tailLines: 2 });
    assert.equal(text, '2026-11-01T08:00:03.5Z line 3\n2026-11-01T08:00:04.5Z line 4\n');
    const req = api.requests.at(-1)!;
    assert.equal(req.headers.accept, '*/*');
    assert.equal(req.query.get('tailLines'), '2');
    assert.equal(req.headers['user-agent']?.startsWith('fleet-console'), true);
  });

  it('timestamps: each line’s time in `at`, the text without it', async () => {
    const got: RawLogLine[] = [];
    const s = await openPodLog(await pool.get(api.cluster), 'web', 'p1', { timestamps: true }, (l) => got.push(...l));
    assert.deepEqual(await s.ended, {});
    assert.equal(got.length, 5);
    assert.deepEqual(got[0], { at: Date.UTC(2026, 10, 1, 8, 0, 0, 500), text: 'line 0' });
  });

  it('an error is the API’s exact message, with its status', async () => {
    const conn = await pool.get(api.cluster);
    await assert.rejects(
      openPodLog(conn, 'web', 'p1', { container: 'app', previous: true }, () => {}),
      (e: unknown) =>
        e instanceof LogError && e.status === 400 && e.message === 'previous terminated container "app" in pod "p1" not found',
    );
    await assert.rejects(
      openPodLog(conn, 'web', 'p1', { container: 'nope' }, () => {}),
      (e: unknown) => e instanceof LogError && e.message === 'container nope is not valid for pod p1',
    );
    await assert.rejects(
      openPodLog(conn, 'web', 'gone', {}, () => {}),
      (e: unknown) => e instanceof LogError && e.status === 404 && e.message === 'pods "gone" not found',
    );
  });

  it('follow: new lines arrive as they are written; stop() (or the signal) ends the request', async () => {
    const got: string[] = [];
    const ac = new AbortController();
    const s = await openPodLog(
      await pool.get(api.cluster),
      'web',
      'p1',
      { follow: true, tailLines: 1 },
      (l) => got.push(...l.map((x) => x.text)),
      {
        signal: ac.signal,
      },
    );
    await until('the tail', () => got.length === 1);
    assert.equal(api.followers(), 1);
    api.appendLog('web', 'p1', 'app', 'appended later');
    await until('the new line', () => got.includes('appended later'));
    s.pause();
    s.resume();
    ac.abort();
    assert.deepEqual(await s.ended, {}, 'stopped: no error');
    await until('the server sees the request closed', () => api.followers() === 0);
    // and stop() does the same
    const s2 = await openPodLog(await pool.get(api.cluster), 'web', 'p1', { follow: true }, () => {});
    await until('following', () => api.followers() === 1);
    s2.stop();
    assert.deepEqual(await s2.ended, {});
    await until('closed', () => api.followers() === 0);
  });
});
