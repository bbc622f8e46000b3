// The reflector's loop against a scripted connection: paged LIST, WATCH from the list's
// resourceVersion with bookmarks, resume from the last version seen, 410 Gone -> relist (with a gap),
// network errors -> jittered backoff (with a gap that closes on reconnect), 403 -> forbidden, a batch
// the store fails to commit -> relist. The lab tests run the same loop against real API servers
// (main/worker/sync.lab.test.ts); this pins the decisions without one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { Reflector, type ReflectorState, type StreamOpener } from './reflector.ts';
import { ConnectionError } from './connection.ts';
import { StoreWriteError, type KObj, type SyncOp } from './sink.ts';
import { RawObject } from './rawobject.ts';
import type { ServedKind } from './resources.ts';
import { Backoff, backoffDelay, nominalDelay } from './backoff.ts';

const PODS: ServedKind = {
  key: 'pods',
  group: '',
  versions: ['v1'],
  version: 'v1',
  plural: 'pods',
  kind: 'Pod',
  namespaced: true,
  path: '/api/v1/pods',
};

const pod = (name: string, rv: string): KObj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: rv },
});

interface Request {
  path: string;
  query: URLSearchParams;
}

/** A response: a status and a body sent at once, or a stream the test writes watch lines to. */
type Reply = { status: number; body?: unknown; stream?: PassThrough } | Error;

/**
 * A connection whose answers are scripted per request, in order. Each request is recorded; a request
 * with no scripted answer waits until the test adds one (or the reflector is aborted).
 */
class FakeConnection implements StreamOpener {
  readonly requests: Request[] = [];
  private readonly replies: ((r: Request) => Reply)[] = [];
  private waiting: (() => void) | undefined;

  reply(...fns: ((r: Request) => Reply)[]): void {
    this.replies.push(...fns);
    this.waiting?.();
  }

  async open(path: string, opts: { signal?: AbortSignal } = {}): Promise<IncomingMessage> {
    const url = new URL(path, 'https://fake');
    const req = { path: url.pathname, query: url.searchParams };
    this.requests.push(req);
    while (!this.replies.length) {
      if (opts.signal?.aborted) throw new Error('aborted');
      await new Promise<void>((resolve, reject) => {
        this.waiting = resolve;
        opts.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    }
    const r = this.replies.shift()!(req);
    if (r instanceof Error) throw r;
    const res = r.stream ?? new PassThrough();
    Object.assign(res, { statusCode: r.status });
    if (!r.stream) res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? {}));
    // An aborted request's response errors, as node's does.
    opts.signal?.addEventListener('abort', () => res.destroy(new Error('aborted')), { once: true });
    return res as unknown as IncomingMessage;
  }
}

const list =
  (items: KObj[], rv: string, cont = '') =>
  () => ({
    status: 200,
    body: { kind: 'PodList', metadata: { resourceVersion: rv, ...(cont ? { continue: cont } : {}) }, items },
  });
const watchLine = (type: string, object: unknown) => `${JSON.stringify({ type, object })}\n`;

/** A reflector over a fake connection, with what it wrote and the states it went through. */
function harness(opts: { failWrite?: (ops: SyncOp[]) => boolean; mode?: 'watch' | 'poll'; pollMs?: number } = {}) {
  const conn = new FakeConnection();
  const writes: SyncOp[] = [];
  const states: ReflectorState[] = [];
  const reflector = new Reflector(
    'c1',
    conn,
    PODS,
    {
      write: (ops) => {
        if (opts.failWrite?.(ops)) return Promise.reject(new StoreWriteError('database or disk is full'));
        writes.push(...ops);
        return Promise.resolve();
      },
      state: (_kind, state) => states.push(state),
      progress: () => {},
    },
    {
      pageSize: 2,
      watchSeconds: 1,
      backoffMinMs: 5,
      backoffMaxMs: 20,
      refusedRetryMs: 5,
      random: () => 0.5,
      ...(opts.mode ? { mode: opts.mode } : {}),
      ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
    },
  );
  const ac = new AbortController();
  const done = reflector.run(ac.signal);
  const stop = async () => {
    ac.abort();
    await done;
  };
  return { conn, writes, states, reflector, stop };
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const upserted = (writes: SyncOp[]) =>
  writes.flatMap((w) => (w.op === 'upsert' ? [w.obj instanceof RawObject ? (w.obj.name as string) : (w.obj as KObj).metadata.name] : []));
const gaps = (writes: SyncOp[]) => writes.flatMap((w) => (w.op === 'gap' ? [w] : []));
const watches = (c: FakeConnection) => c.requests.filter((r) => r.query.get('watch') === '1');

describe('reflector (scripted connection)', () => {
  it('lists page by page, prunes, then watches from the list resourceVersion with bookmarks', async () => {
    const h = harness();
    const stream = new PassThrough();
    h.conn.reply(list([pod('a', '1'), pod('b', '2')], '10', 'next'), list([pod('c', '3')], '10'), () => ({ status: 200, stream }));
    await until('watch', () => watches(h.conn).length === 1);
    assert.equal(h.conn.requests[0]!.query.get('limit'), '2');
    assert.equal(h.conn.requests[1]!.query.get('continue'), 'next');
    const w = watches(h.conn)[0]!;
    assert.equal(w.query.get('resourceVersion'), '10');
    assert.equal(w.query.get('allowWatchBookmarks'), 'true');
    assert.deepEqual(upserted(h.writes), ['a', 'b', 'c']);
    const prune = h.writes.find((x) => x.op === 'prune');
    assert.ok(prune && prune.op === 'prune');
    assert.deepEqual([...prune.seen].sort(), ['uid-a', 'uid-b', 'uid-c']);
    assert.deepEqual(h.states.slice(0, 2), ['listing', 'watching']);
    stream.write(watchLine('ADDED', pod('d', '11')));
    await until('ADDED written', () => upserted(h.writes).includes('d'));
    await h.stop();
    assert.equal(h.states.at(-1), 'stopped');
  });

  it('resumes a watch that ended from the last resourceVersion seen, bookmarks included; never relists', async () => {
    const h = harness();
    const first = new PassThrough();
    const second = new PassThrough();
    h.conn.reply(
      list([pod('a', '1')], '10'),
      () => ({ status: 200, stream: first }),
      () => ({ status: 200, stream: second }),
    );
    await until('first watch', () => watches(h.conn).length === 1);
    first.write(watchLine('MODIFIED', pod('a', '12')));
    first.write(watchLine('BOOKMARK', { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '15' } }));
    first.end();
    await until('second watch', () => watches(h.conn).length === 2);
    assert.equal(watches(h.conn)[1]!.query.get('resourceVersion'), '15');
    assert.equal(h.conn.requests.filter((r) => r.query.has('limit')).length, 1, 'one LIST only');
    await h.stop();
  });

  it('410 Gone on the watch: a relist, recorded as a gap, that prunes what vanished', async () => {
    const h = harness();
    h.conn.reply(
      list([pod('a', '1'), pod('b', '2')], '10'),
      () => ({ status: 410, body: { kind: 'Status', code: 410, message: 'too old resource version' } }),
      list([pod('a', '1')], '40'),
    );
    await until('relisted', () => h.conn.requests.filter((r) => r.query.has('limit')).length === 2);
    await until('second prune', () => h.writes.filter((w) => w.op === 'prune').length === 2);
    const prunes = h.writes.filter((w) => w.op === 'prune');
    const last = prunes.at(-1)!;
    assert.ok(last.op === 'prune' && !last.seen.has('uid-b'), 'b is gone: the prune does not keep it');
    assert.ok(gaps(h.writes).some((g) => g.op === 'gap' && /410 Gone/.test(g.reason)));
    await until('watch after relist', () => watches(h.conn).length === 2);
    assert.equal(watches(h.conn)[1]!.query.get('resourceVersion'), '40');
    await h.stop();
  });

  it('an ERROR event with code 410 inside the stream also relists', async () => {
    const h = harness();
    const stream = new PassThrough();
    h.conn.reply(list([pod('a', '1')], '10'), () => ({ status: 200, stream }), list([pod('a', '1')], '50'));
    await until('watch', () => watches(h.conn).length === 1);
    stream.write(watchLine('ERROR', { kind: 'Status', code: 410, message: 'too old resource version: 10 (45)' }));
    await until('relisted', () => h.conn.requests.filter((r) => r.query.has('limit')).length === 2);
    assert.ok(gaps(h.writes).some((g) => g.op === 'gap' && /410 Gone/.test(g.reason)));
    assert.ok(!h.states.includes('backoff'), 'a 410 is not a connection failure');
    await h.stop();
  });

  it('network errors back off with growing delays, open one gap, and close it on reconnect', async () => {
    const h = harness();
    const down = () => new ConnectionError('unreachable', 'connect ECONNREFUSED 127.0.0.1:6443');
    const times: number[] = [];
    const stamp = (r: Reply) => () => {
      times.push(performance.now());
      return r;
    };
    h.conn.reply(stamp(down()), stamp(down()), stamp(down()), stamp(down()));
    await until('4 attempts', () => times.length === 4);
    h.conn.reply(list([pod('a', '1')], '10'));
    await until('watching again', () => h.states.at(-1) === 'watching');
    assert.ok(h.states.includes('backoff'));
    const g = gaps(h.writes);
    assert.equal(g.length, 2, 'one disconnect gap opened, then closed');
    assert.match(g[0]!.op === 'gap' ? g[0]!.reason : '', /disconnected: connect ECONNREFUSED/);
    assert.ok(g[1]!.op === 'gap' && g[1]!.end !== undefined && /reconnected/.test(g[1]!.reason));
    // delays (random pinned at 0.5): 3.75, 7.5, 15 ms — growing; generous bounds for a busy machine
    const waits = times.slice(1).map((t, i) => t - times[i]!);
    assert.ok(waits[2]! >= 14, `third wait ${waits[2]} ms >= 15 ms nominal`);
    await h.stop();
  });

  it('403 on the list: the kind is forbidden (not a backoff), and is tried again later', async () => {
    const h = harness();
    const forbidden = () => ({
      status: 403,
      body: { kind: 'Status', code: 403, message: 'pods is forbidden: User "u" cannot list resource "pods"' },
    });
    h.conn.reply(forbidden, list([pod('a', '1')], '10'));
    await until('watching', () => h.states.at(-1) === 'watching');
    assert.deepEqual(h.states.slice(0, 3), ['listing', 'forbidden', 'listing']);
    const st = h.writes.find((w) => w.op === 'state' && w.state === 'forbidden');
    assert.ok(st && st.op === 'state' && /cannot list resource "pods"/.test(st.message ?? ''));
    await h.stop();
  });

  it('a watch batch the store fails to commit makes the reflector list again', async () => {
    let fail = false;
    // one watch batch fails to commit (a full disk, say), the next ones commit
    const h = harness({
      failWrite: (ops) => {
        if (!fail || !ops.some((o) => o.op === 'upsert')) return false;
        fail = false;
        return true;
      },
    });
    const stream = new PassThrough();
    h.conn.reply(list([pod('a', '1')], '10'), () => ({ status: 200, stream }), list([pod('a', '2')], '30'));
    await until('watch', () => watches(h.conn).length === 1);
    fail = true;
    stream.write(watchLine('MODIFIED', pod('a', '2')));
    await until('relisted', () => h.conn.requests.filter((r) => r.query.has('limit')).length === 2);
    await until('watch after relist', () => watches(h.conn).length === 2);
    assert.equal(watches(h.conn)[1]!.query.get('resourceVersion'), '30');
    await h.stop();
  });
});

const lists = (c: FakeConnection) => c.requests.filter((r) => r.query.has('limit'));

describe('reflector modes (tiered watching)', () => {
  it('poll: lists, says polled (never watching), lists again each pollMs, never opens a watch', async () => {
    const h = harness({ mode: 'poll', pollMs: 30 });
    h.conn.reply(list([pod('a', '1')], '10'), list([pod('a', '1'), pod('b', '2')], '11'), list([pod('b', '2')], '12'));
    await until('three lists', () => lists(h.conn).length === 3 && h.states.filter((s) => s === 'polled').length === 3);
    assert.equal(watches(h.conn).length, 0, 'no watch in poll mode');
    assert.ok(!h.states.includes('watching'), 'a polled kind is never said to be watching');
    assert.deepEqual(upserted(h.writes), ['a', 'a', 'b', 'b']);
    // each list prunes what it did not see: b alone is left after the third
    const prunes = h.writes.filter((w) => w.op === 'prune');
    assert.equal(prunes.length, 3);
    const last = prunes.at(-1)!;
    assert.ok(last.op === 'prune');
    assert.deepEqual([...last.seen], ['uid-b']);
    await h.stop();
  });

  it('poll -> watch: the wait ends at once and the watch starts from the last list, without listing again', async () => {
    const h = harness({ mode: 'poll', pollMs: 60_000 });
    const stream = new PassThrough();
    h.conn.reply(list([pod('a', '1')], '10'), () => ({ status: 200, stream }));
    await until('polled', () => h.states.includes('polled'));
    h.reflector.setMode('watch');
    await until('watch', () => watches(h.conn).length === 1);
    assert.equal(watches(h.conn)[0]!.query.get('resourceVersion'), '10');
    assert.equal(lists(h.conn).length, 1, 'one LIST only');
    assert.equal(h.states.at(-1), 'watching');
    stream.write(watchLine('ADDED', pod('c', '11')));
    await until('ADDED written', () => upserted(h.writes).includes('c'));
    await h.stop();
  });

  it('watch -> poll: the watch ends, the kind is polled as of what it delivered, listed again after pollMs', async () => {
    const h = harness({ pollMs: 40 });
    const stream = new PassThrough();
    h.conn.reply(list([pod('a', '1')], '10'), () => ({ status: 200, stream }), list([pod('a', '1')], '20'));
    await until('watch', () => watches(h.conn).length === 1);
    h.reflector.setMode('poll');
    assert.equal(h.reflector.mode, 'poll');
    await until('polled', () => h.states.at(-1) === 'polled');
    assert.ok(stream.destroyed, 'the watch request was ended');
    await until('listed again', () => lists(h.conn).length === 2);
    assert.equal(watches(h.conn).length, 1, 'no new watch');
    assert.ok(!gaps(h.writes).length, 'a mode change is not a gap in the history');
    await h.stop();
  });
});

describe('backoff', () => {
  it('doubles from the minimum up to the maximum, each delay jittered within [nominal/2, nominal]', () => {
    const p = { minMs: 500, maxMs: 30_000 };
    assert.deepEqual(
      [1, 2, 3, 4, 7, 8, 60].map((a) => nominalDelay(p, a)),
      [500, 1000, 2000, 4000, 30_000, 30_000, 30_000],
    );
    assert.equal(
      backoffDelay(p, 3, () => 0),
      1000,
    );
    assert.equal(
      backoffDelay(p, 3, () => 0.999999),
      1999.999,
    );
    const b = new Backoff(p, () => 1);
    assert.deepEqual([b.fail(), b.fail(), b.fail()], [500, 1000, 2000]);
    b.reset();
    assert.equal(b.fail(), 500);
    assert.equal(b.attempts, 1);
  });

  it('spreads a fleet that fails at once over the second half of the delay', () => {
    const p = { minMs: 2000, maxMs: 60_000 };
    const delays = Array.from({ length: 1000 }, () => backoffDelay(p, 4));
    assert.ok(Math.min(...delays) >= 8000 && Math.max(...delays) <= 16_000);
    const spread = new Set(delays.map((d) => Math.floor(d / 1000))).size;
    assert.equal(spread, 8, 'every second of the window gets some of them');
  });
});
