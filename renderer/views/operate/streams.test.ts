import test from 'node:test';
import assert from 'node:assert/strict';
import type { Api, LogStreamDTO, PushEvent } from '../../../common/contract.ts';
import { startLogStream } from './streams.ts';

/** A transport whose logs.start answers when the test says, recording every call. */
function fakeApi() {
  const calls: { method: string; params: unknown }[] = [];
  const pushes = new Set<(e: PushEvent) => void>();
  const conn = new Set<(up: boolean) => void>();
  let answer!: (s: LogStreamDTO) => void;
  const api: Api = {
    transport: 'websocket',
    call(method, params) {
      calls.push({ method, params });
      if (method === 'logs.start') return new Promise((resolve) => (answer = resolve as (s: LogStreamDTO) => void)) as never;
      return Promise.resolve({ stopped: true }) as never;
    },
    onPush(fn) {
      pushes.add(fn);
      return () => pushes.delete(fn);
    },
    onConnection(fn) {
      conn.add(fn);
      return () => conn.delete(fn);
    },
  };
  return {
    api,
    calls,
    answer: (s: LogStreamDTO) => answer(s),
    push: (e: PushEvent) => pushes.forEach((f) => f(e)),
    down: () => conn.forEach((f) => f(false)),
  };
}

const stream = (id: number): LogStreamDTO => ({ stream: id, sources: [{ pod: 'p', container: 'c' }], containers: [] });
const params = { cluster: 'c', namespace: 'n', pod: 'p' };
const logs = (id: number, text: string): PushEvent => ({ type: 'logs', stream: id, lines: [{ pod: 'p', container: 'c', text, at: 1 }] });
const tick = () => new Promise((r) => setTimeout(r, 0));

function handlers() {
  const seen: string[] = [];
  return {
    seen,
    h: {
      onStart: (s: LogStreamDTO) => seen.push(`start ${s.stream}`),
      onLines: (l: { text: string }[]) => seen.push(`lines ${l.map((x) => x.text).join(',')}`),
      onEnd: (e?: string) => seen.push(`end${e ? ` ${e.slice(0, 20)}` : ''}`),
    },
  };
}

test('a late logs.start answer after the stream ended (the connection dropped) does not start it again: it is stopped', async () => {
  const f = fakeApi();
  const { seen, h } = handlers();
  startLogStream(params, h, f.api);
  f.down();
  assert.deepEqual(seen, ['end the connection to th']);
  f.answer(stream(7));
  await tick();
  f.push(logs(7, 'late'));
  assert.deepEqual(seen, ['end the connection to th'], 'no start, no lines after the end');
  assert.deepEqual(f.calls.at(-1), { method: 'logs.stop', params: { stream: 7 } }, 'the stream the answer names is stopped');
});

test('an answer in time starts the stream; one after stop() is stopped', async () => {
  const f = fakeApi();
  const { seen, h } = handlers();
  startLogStream(params, h, f.api);
  f.push(logs(3, 'early'));
  f.answer(stream(3));
  await tick();
  assert.deepEqual(seen, ['start 3', 'lines early'], 'pushes before the answer are held for it');

  const g = fakeApi();
  const other = handlers();
  const stop = startLogStream(params, other.h, g.api);
  stop();
  g.answer(stream(4));
  await tick();
  assert.deepEqual(other.seen, []);
  assert.deepEqual(g.calls.at(-1), { method: 'logs.stop', params: { stream: 4 } });
});
