import test from 'node:test';
import assert from 'node:assert/strict';
import type { ActionProgressEvent } from '../../../common/contract.ts';
import { RunOwners } from './runs.ts';

const ev = (run: number, cluster = 'c1', done = 1, total = 3): ActionProgressEvent => ({
  type: 'action',
  run,
  cluster,
  message: `run ${run}`,
  done,
  total,
});

/** A panel's claim and what it was given. */
function panel(o: RunOwners) {
  const got: number[] = [];
  const claim = o.begin((e) => got.push(e.run));
  return { claim, got };
}

test("a panel's own run: its progress before the answer, nothing of the run before it", () => {
  const o = new RunOwners();
  // an earlier dialog's drain, closed before its answer: its run goes on
  const old = panel(o);
  o.push(ev(4));
  assert.equal(old.claim.run, 4, 'the only run in flight: its progress names it');
  old.claim.detach();
  const next = panel(o);
  o.push(ev(4, 'c1', 2)); // the old drain's progress goes on
  o.push(ev(5));
  o.push(ev(4, 'c1', 3));
  assert.deepEqual(next.got, [5], 'the new panel takes its own run only');
  assert.deepEqual(old.got, [4], 'a detached panel gets nothing more');
  old.claim.answered(4);
  next.claim.answered(5);
  assert.equal(next.claim.run, 5);
});

test('two runs not identified yet: progress held until the answers say whose', () => {
  const o = new RunOwners();
  const a = panel(o);
  const b = panel(o);
  o.push(ev(8));
  o.push(ev(7));
  assert.deepEqual([a.got, b.got], [[], []], 'held: either could be either');
  b.claim.answered(8);
  assert.deepEqual(b.got, [8], "b's answer: its held progress");
  assert.deepEqual(a.got, [7], 'the one left without its id takes the other run');
  o.push(ev(7, 'c1', 2));
  o.push(ev(8, 'c1', 3)); // an answered run is no one's
  assert.deepEqual(a.got, [7, 7]);
  assert.deepEqual(b.got, [8]);
});

test('progress with no panel waiting, and of answered runs, is dropped', () => {
  const o = new RunOwners();
  o.push(ev(1));
  const p = panel(o);
  p.claim.answered(2);
  o.push(ev(2));
  const q = panel(o);
  o.push(ev(2));
  assert.deepEqual(p.got, []);
  assert.deepEqual(q.got, [], 'run 2 was answered: not the new panel’s');
  o.push(ev(3));
  assert.deepEqual(q.got, [3]);
  q.claim.failed();
  o.push(ev(3));
  assert.deepEqual(q.got, [3], 'a claim over gets nothing');
});
