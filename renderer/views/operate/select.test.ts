import test from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterStatus, SearchHit } from '../../../common/contract.ts';
import { allState, clusterMatches, eachLimited, groupHits, presenceOf, presenceText, toggleAll, toggled } from './select.ts';

const tile = (context: string, status: ClusterStatus = 'live', serverVersion = 'v1.31.2') => ({
  context,
  status,
  serverVersion,
  server: `https://${context}:6443`,
});

test('the fleet table filter: every word somewhere, case-insensitive', () => {
  assert.equal(clusterMatches(tile('prod-eu-1'), ''), true);
  assert.equal(clusterMatches(tile('prod-eu-1'), 'PROD'), true);
  assert.equal(clusterMatches(tile('prod-eu-1'), 'prod us'), false);
  assert.equal(clusterMatches(tile('prod-eu-1', 'stale'), 'eu stale'), true);
  assert.equal(clusterMatches(tile('dev', 'live', 'v1.29.0'), '1.29'), true);
});

test('selecting clusters: one at a time, and all matching the filter', () => {
  const order = ['a', 'b', 'c', 'd'];
  assert.deepEqual(toggled([], 'c', true, order), ['c']);
  assert.deepEqual(toggled(['c'], 'a', true, order), ['a', 'c'], 'in the table’s order');
  assert.deepEqual(toggled(['a', 'c'], 'a', false, order), ['c']);
  assert.deepEqual(toggled(['gone', 'a'], 'b', true, order), ['a', 'b'], 'clusters gone from the fleet drop out');
  // select all matching (b, d), keeping what was selected
  assert.deepEqual(toggleAll(['a'], ['b', 'd'], order), ['a', 'b', 'd']);
  // all matching selected: the header clears them
  assert.deepEqual(toggleAll(['a', 'b', 'd'], ['b', 'd'], order), ['a']);
  assert.deepEqual(toggleAll([], [], order), []);
  assert.equal(allState(['a'], ['b', 'd']), 'none');
  assert.equal(allState(['b'], ['b', 'd']), 'some');
  assert.equal(allState(['b', 'd', 'a'], ['b', 'd']), 'all');
});

const hit = (cluster: string, name: string, kind = 'apps/deployments', namespace = 'web'): SearchHit => ({
  cluster,
  clusterContext: cluster,
  kind,
  uid: `${cluster}-${name}`,
  namespace,
  name,
  match: 'name',
  node: null,
});

test('search hits grouped by the object they are, each cluster once', () => {
  const groups = groupHits([
    hit('c1', 'frontend'),
    hit('c2', 'frontend'),
    hit('c1', 'frontend', 'apps/statefulsets'),
    hit('c3', 'frontend'),
    hit('c2', 'api'),
  ]);
  assert.deepEqual(
    groups.map((g) => [g.target.kind, g.target.name, g.hits.map((h) => h.cluster)]),
    [
      ['apps/deployments', 'frontend', ['c1', 'c2', 'c3']],
      ['apps/statefulsets', 'frontend', ['c1']],
      ['apps/deployments', 'api', ['c2']],
    ],
  );
  assert.equal(groupHits([hit('c1', 'x', 'pods', 'a'), hit('c1', 'x', 'pods', 'b')]).length, 2, 'namespaces differ');
});

test('where an object is: object.get’s answer or error', () => {
  assert.deepEqual(presenceOf({ deleted: false }), { state: 'present' });
  assert.deepEqual(presenceOf({ deleted: true }), { state: 'deleted' });
  assert.deepEqual(presenceOf(null, { code: 'not-found', message: 'no such object' }), { state: 'absent' });
  assert.deepEqual(presenceOf(null, { code: 'internal', message: 'boom' }), { state: 'error', error: 'boom' });
  assert.deepEqual(presenceOf(null), { state: 'looking' });
  assert.equal(presenceText({ state: 'absent' }), 'not in this cluster');
});

test('eachLimited runs at most `limit` at a time, every item once', async () => {
  let running = 0;
  let most = 0;
  const seen: number[] = [];
  await eachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 2));
    seen.push(x);
    running--;
  });
  assert.equal(most, 3);
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    [1, 2, 3, 4, 5, 6, 7],
  );
  await eachLimited([], 3, async () => assert.fail('no items'));
});
