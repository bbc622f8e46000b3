import test from 'node:test';
import assert from 'node:assert/strict';
import { href, parseAt, parseRoute, type Route } from './route.ts';

const AT = 1763800000000;

/** Each address and the route it is. */
function parses(rows: [hash: string, route: Route, what?: string][]): void {
  for (const [hash, route, what] of rows) assert.deepEqual(parseRoute(hash), route, what ?? hash);
}

test('existing addresses keep working (no query part)', () => {
  parses([
    ['', { view: 'fleet' }],
    ['#/fleet', { view: 'fleet' }],
    ['#/table', { view: 'table' }],
    ['#/cluster/prod-1', { view: 'cluster', cluster: 'prod-1', tab: 'nodes' }],
    ['#/cluster/prod-1/storage', { view: 'cluster', cluster: 'prod-1', tab: 'storage' }],
    ['#/cluster/prod-1/nonsense', { view: 'cluster', cluster: 'prod-1', tab: 'nodes' }],
    ['#/cluster/a%2Fb/node/n%201', { view: 'node', cluster: 'a/b', node: 'n 1' }],
    ['#/cluster/c/object/apps%2Fdeployments/u-1', { view: 'object', cluster: 'c', kind: 'apps/deployments', uid: 'u-1' }],
    ['#/search/app%3Dweb', { view: 'search', q: 'app=web' }],
    ['#/cluster/%E0%A4%A', { view: 'cluster', cluster: '%E0%A4%A', tab: 'nodes' }, 'bad escapes stay as typed'],
  ]);
  assert.equal(parseAt('#/cluster/prod-1'), null);
});

test('the "as of" time is a query part, parsed from every view', () => {
  assert.equal(parseAt(`#/fleet?at=${AT}`), AT);
  assert.equal(parseAt(`#/cluster/prod-1/storage?at=${AT}`), AT);
  parses([
    [`#/cluster/prod-1/storage?at=${AT}`, { view: 'cluster', cluster: 'prod-1', tab: 'storage' }],
    [`#/cluster/c/node/n1?at=${AT}`, { view: 'node', cluster: 'c', node: 'n1' }],
    [`#/table?at=${AT}`, { view: 'table' }],
    [`#/search/web?at=${AT}`, { view: 'search', q: 'web' }],
  ]);
  assert.equal(parseAt(`#/fleet?x=1&at=${AT}&at=5`), AT, 'the first occurrence wins');
  assert.equal(parseAt(`#?at=${AT}`), AT);
});

test('invalid times are ignored, never passed on', () => {
  for (const bad of ['abc', '-5', '1.5', '', '1e12', '99999999999999999', '0x10', ' 12'])
    assert.equal(parseAt(`#/fleet?at=${bad}`), null, bad);
  assert.equal(parseAt('#/fleet?at'), null);
  assert.equal(parseAt('#/fleet?at=0'), 0);
});

test('href keeps the time and round-trips every route', () => {
  const routes: Route[] = [
    { view: 'fleet' },
    { view: 'table' },
    { view: 'cluster', cluster: 'prod 1/β', tab: 'nodes' },
    { view: 'cluster', cluster: 'c', tab: 'charts' },
    { view: 'node', cluster: 'c', node: 'ip-10-0-0-1?x=1' },
    { view: 'object', cluster: 'c', kind: 'apps/deployments', uid: 'u&at=5' },
    { view: 'search', q: 'app=web?at=3' },
    { view: 'diff', from: '/tmp/my snaps/a&b.fleetsnap', to: '@cache' },
    { view: 'diff', from: '@this', to: '@cache' },
  ];
  for (const r of routes) {
    assert.deepEqual(parseRoute(href(r)), r, href(r));
    assert.equal(parseAt(href(r)), null, href(r));
    assert.deepEqual(parseRoute(href(r, AT)), r, href(r, AT));
    assert.equal(parseAt(href(r, AT)), AT, href(r, AT));
  }
  assert.equal(href({ view: 'cluster', cluster: 'prod-1', tab: 'nodes' }, AT), `#/cluster/prod-1?at=${AT}`);
  assert.equal(href({ view: 'fleet' }, null), '#/fleet');
  assert.equal(href({ view: 'fleet' }, 1.5), '#/fleet', 'not a time: left out');
  assert.equal(href({ view: 'fleet' }, -1), '#/fleet');
});

test('diff routes: readable sources, missing ones are empty', () => {
  assert.equal(href({ view: 'diff', from: '@this', to: '@cache' }), '#/diff?from=@this&to=@cache');
  assert.equal(href({ view: 'diff', from: '/tmp/a.fleetsnap', to: '@this' }, AT), `#/diff?from=/tmp/a.fleetsnap&to=@this&at=${AT}`);
  parses([
    ['#/diff', { view: 'diff', from: '', to: '' }],
    ['#/diff?to=@cache', { view: 'diff', from: '', to: '@cache' }],
    ['#/diff?from=%2Ftmp%2Fx%20y.fleetsnap&to=%40this', { view: 'diff', from: '/tmp/x y.fleetsnap', to: '@this' }],
    ['#/diff?from=a+b&to=c', { view: 'diff', from: 'a+b', to: 'c' }, '"+" is a plus, not a space'],
  ]);
  assert.equal(href({ view: 'diff', from: '', to: '' }), '#/diff');
});
