import test from 'node:test';
import assert from 'node:assert/strict';
import { readVersion, type PushedVersions } from './versions.ts';

const s: PushedVersions = { versions: { a: 3, b: 7 }, fleetVersion: 10, reread: 0 };
/** a push that says cluster `id` moved on (the fleet version moves with it) */
const push = (v: PushedVersions, id: string): PushedVersions => ({
  ...v,
  versions: { ...v.versions, [id]: (v.versions[id] ?? 0) + 1 },
  fleetVersion: v.fleetVersion + 1,
});

test("'fleet' (the default) re-reads on every push and after an action", () => {
  assert.notEqual(readVersion(push(s, 'b'), 'a'), readVersion(s, 'a'), "another cluster's push");
  assert.notEqual(readVersion(push(s, 'b'), undefined), readVersion(s, undefined));
  assert.notEqual(readVersion({ ...s, reread: 1 }, 'a'), readVersion(s, 'a'), 'an action was taken');
});

test("'cluster' re-reads only when its own cluster moves (or after an action)", () => {
  assert.equal(readVersion(push(s, 'b'), 'a', 'cluster'), readVersion(s, 'a', 'cluster'), "another cluster's push: no re-read");
  assert.notEqual(readVersion(push(s, 'a'), 'a', 'cluster'), readVersion(s, 'a', 'cluster'), 'its own cluster moved');
  assert.notEqual(readVersion({ ...s, reread: 1 }, 'a', 'cluster'), readVersion(s, 'a', 'cluster'), 'an action was taken');
  assert.notEqual(readVersion(push(s, 'b'), undefined, 'cluster'), readVersion(s, undefined, 'cluster'), 'no cluster: as the fleet');
});

test("'never' does not re-read on pushes nor actions: only when its params change", () => {
  const later = { ...push(push(s, 'a'), 'b'), reread: 5 };
  assert.equal(readVersion(later, 'a', 'never'), readVersion(s, 'a', 'never'));
  assert.equal(readVersion(later, undefined, 'never'), readVersion(s, undefined, 'never'));
});
