import test from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine } from '../../../common/contract.ts';
import { LogBuffer, MatchScan, POD_COLOURS, droppedText, mergeInto, upperBound, type LogEntry } from './logbuffer.ts';
import { findMatches } from './logtext.ts';

const line = (pod: string, at: number | undefined, text = `${pod}@${at}`): LogLine => ({
  pod,
  container: 'app',
  text,
  ...(at === undefined ? {} : { at }),
});
const texts = (b: LogBuffer) => b.entries.map((e) => e.text);

test('lines of one pod are appended as they come', () => {
  const b = new LogBuffer();
  b.add([line('a', 1), line('a', 2)]);
  b.add([line('a', 3)]);
  assert.deepEqual(texts(b), ['a@1', 'a@2', 'a@3']);
  assert.equal(b.version, 2);
});

test("a workload's pods merge in time order, whichever pod's batch comes first", () => {
  const b = new LogBuffer();
  // pod a's tail arrives first, then pod b's (older and newer lines interleaved)
  b.add([line('a', 10), line('a', 20), line('a', 30)]);
  b.add([line('b', 5), line('b', 15), line('b', 35)]);
  assert.deepEqual(texts(b), ['b@5', 'a@10', 'b@15', 'a@20', 'a@30', 'b@35']);
  // then following: a line from each
  b.add([line('a', 40)]);
  b.add([line('b', 38)]);
  assert.deepEqual(texts(b).slice(-3), ['b@35', 'b@38', 'a@40']);
});

test('lines of the same time keep the order they arrived in', () => {
  const b = new LogBuffer();
  b.add([line('a', 10, 'a1'), line('a', 10, 'a2')]);
  b.add([line('b', 10, 'b1'), line('b', 5, 'b0')]);
  assert.deepEqual(texts(b), ['b0', 'a1', 'a2', 'b1']);
});

test('a batch out of order is sorted, stably', () => {
  const b = new LogBuffer();
  b.add([line('a', 3, 'x'), line('b', 1, 'y'), line('c', 3, 'z'), line('d', 2, 'w')]);
  assert.deepEqual(texts(b), ['y', 'w', 'x', 'z']);
});

test('lines without a time count as of the latest time before them (appended in order)', () => {
  const b = new LogBuffer();
  b.add([line('a', 10), line('a', undefined, 'untimed'), line('a', 11)]);
  assert.deepEqual(texts(b), ['a@10', 'untimed', 'a@11']);
  b.add([line('b', undefined, 'late untimed')]);
  assert.equal(texts(b).at(-1), 'late untimed');
});

test('upperBound and mergeInto on plain entries', () => {
  const e = (at: number): LogEntry => ({ pod: 'p', container: 'c', text: String(at), at });
  const entries = [e(1), e(2), e(2), e(4)];
  assert.equal(upperBound(entries, 0), 0);
  assert.equal(upperBound(entries, 2), 3);
  assert.equal(upperBound(entries, 9), 4);
  mergeInto(entries, [e(3), e(0)]);
  assert.deepEqual(
    entries.map((x) => x.at),
    [0, 1, 2, 2, 3, 4],
  );
  mergeInto(entries, []);
  assert.equal(entries.length, 6);
});

test('the buffer is capped: the oldest lines go, counted', () => {
  const b = new LogBuffer(5);
  b.add(Array.from({ length: 4 }, (_, i) => line('a', i)));
  b.add(Array.from({ length: 4 }, (_, i) => line('a', 4 + i)));
  assert.equal(b.entries.length, 5);
  assert.deepEqual(texts(b), ['a@3', 'a@4', 'a@5', 'a@6', 'a@7']);
  assert.equal(b.dropped, 3);
  assert.match(droppedText(b.dropped, b.cap)!, /last 5 lines: 3 earlier lines were dropped/);
  assert.equal(droppedText(0, 5), null);
  assert.match(droppedText(1, 50_000)!, /last 50,000 lines: 1 earlier line was dropped/);
});

test('100k lines in batches stay ordered and capped at 50k', () => {
  const b = new LogBuffer();
  for (let k = 0; k < 100; k++) {
    // two pods, each batch of 500 lines, the second pod 1 ms behind
    b.add(Array.from({ length: 500 }, (_, i) => line('a', k * 1000 + i * 2)));
    b.add(Array.from({ length: 500 }, (_, i) => line('b', k * 1000 + i * 2 - 1)));
  }
  assert.equal(b.entries.length, 50_000);
  assert.equal(b.dropped, 50_000);
  for (let i = 1; i < b.entries.length; i++) assert.ok(b.entries[i - 1]!.at! <= b.entries[i]!.at!, `ordered at ${i}`);
});

test('text is made inert as it comes in', () => {
  const b = new LogBuffer();
  b.add([{ pod: 'a', container: 'app', text: '\u001b[31mred\u001b[0m \u202eevil', at: 1 }]);
  assert.equal(b.entries[0]!.text, 'red \uFFFDevil');
});

test('pods keep one colour each, in the order the stream lists them', () => {
  const b = new LogBuffer();
  b.knowPods(['web-a', 'web-b']);
  b.add([line('web-c', 1), line('web-b', 2)]);
  assert.equal(b.colourOf('web-a'), 0);
  assert.equal(b.colourOf('web-b'), 1);
  assert.equal(b.colourOf('web-c'), 2);
  b.knowPods(Array.from({ length: 10 }, (_, i) => `p${i}`));
  assert.ok(b.colourOf('p9') < POD_COLOURS);
});

test('changedSince: where the entries changed since a version (appends, late batches, drops, clear)', () => {
  const b = new LogBuffer(5);
  b.add([line('a', 10), line('a', 20)]);
  const v1 = b.version;
  assert.equal(b.changedSince(v1), Infinity, 'nothing since');
  b.add([line('a', 30)]);
  assert.equal(b.changedSince(v1), 2, 'appended after the two there were');
  const v2 = b.version;
  b.add([line('b', 15)]);
  assert.equal(b.changedSince(v2), 1, 'a late line merged in after a@10');
  assert.equal(b.changedSince(v1), 1, 'the earliest change since');
  b.add([line('a', 40), line('a', 50)]); // 6 lines: the oldest dropped
  assert.equal(b.removed, 1);
  assert.equal(b.changedSince(v2) - b.removed, 0, 'counted in stream lines: entry 0 is line 1 now');
  assert.equal(b.changedSince(-5), 0, 'not a version of this buffer: everything');
  const v3 = b.version;
  b.clear();
  assert.equal(b.changedSince(v3) - b.removed, 0, 'cleared: everything');
});

/** The incremental scan must say what a full scan says. */
const full = (b: LogBuffer, q: string) => {
  const f = findMatches(b.entries, q);
  return { matches: f.matches, lines: [...new Set(f.matches.map((m) => m.line))], truncated: f.truncated };
};
const of = (s: MatchScan) => ({ matches: s.matches, lines: s.lines, truncated: s.truncated });

test('MatchScan: incremental, as a full scan says, scanning only what changed', () => {
  const b = new LogBuffer(6);
  const s = new MatchScan();
  b.add([line('a', 10, 'err one'), line('a', 20, 'ok'), line('a', 30, 'ERR two err')]);
  assert.equal(s.update(b, 'err'), true);
  assert.deepEqual(of(s), full(b, 'err'));
  const before = s.matches;
  assert.equal(s.update(b, 'err'), false, 'nothing changed: no scan');
  b.add([line('a', 40, 'fine')]);
  assert.equal(s.update(b, 'err'), false, 'a line without a match: the same answer');
  assert.equal(s.matches, before, 'the same array');
  b.add([line('b', 15, 'late err')]); // merged in the middle
  assert.equal(s.update(b, 'err'), true);
  assert.deepEqual(of(s), full(b, 'err'));
  assert.notEqual(s.matches, before, 'a new array when it changed');
  b.add([line('a', 50, 'err 5'), line('a', 60, 'x')]); // 7 lines: the oldest ("err one") dropped
  assert.equal(s.update(b, 'err'), true);
  assert.deepEqual(of(s), full(b, 'err'), 'the dropped line’s match gone, lines renumbered');
  assert.equal(s.update(b, 'two'), true, 'another query: scanned again');
  assert.deepEqual(of(s), full(b, 'two'));
  assert.equal(s.update(b, ''), true);
  assert.deepEqual(of(s), { matches: [], lines: [], truncated: false });
  const c = new LogBuffer(6);
  c.add([line('a', 1, 'err')]);
  s.update(c, 'err');
  assert.deepEqual(of(s), full(c, 'err'), 'another buffer (a new stream): its own matches');
});

test('MatchScan: the limit, then lines after it once room is made', () => {
  const b = new LogBuffer(4);
  const s = new MatchScan(3);
  b.add([line('a', 1, 'x x'), line('a', 2, 'x x')]);
  s.update(b, 'x');
  assert.deepEqual(s.matches.length, 3);
  assert.equal(s.truncated, true);
  b.add([line('a', 3, 'y'), line('a', 4, 'y'), line('a', 5, 'y')]); // the first line dropped
  s.update(b, 'x');
  assert.deepEqual(
    s.matches.map((m) => [m.line, m.start]),
    [
      [0, 0],
      [0, 2],
    ],
  );
  assert.equal(s.truncated, false);
});

test('MatchScan: a random stream (late batches, drops) always agrees with a full scan', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const b = new LogBuffer(50);
  const s = new MatchScan();
  let t = 0;
  for (let round = 0; round < 300; round++) {
    const batch: LogLine[] = [];
    for (let i = 0, n = Math.floor(rnd() * 6); i < n; i++)
      batch.push(
        line(rnd() < 0.5 ? 'a' : 'b', (t += Math.floor(rnd() * 3)) - Math.floor(rnd() * 10), rnd() < 0.3 ? 'an error here' : 'fine'),
      );
    b.add(batch);
    s.update(b, 'error');
    assert.deepEqual(of(s), full(b, 'error'), `round ${round}`);
  }
});
