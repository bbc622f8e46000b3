import test from 'node:test';
import assert from 'node:assert/strict';
import { NO_FILTER, changesRoute, href, parseAt, parseRoute, type Route } from './route.ts';

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
    ['#/settings', { view: 'settings' }],
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
    { view: 'settings' },
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

test('node and object tabs: changes and "what changed before this"', () => {
  parses([
    ['#/cluster/c/node/n1/changes', { view: 'node', cluster: 'c', node: 'n1', tab: 'changes' }],
    ['#/cluster/c/node/n1/whatchanged', { view: 'node', cluster: 'c', node: 'n1', tab: 'whatchanged' }],
    ['#/cluster/c/node/n1/nonsense', { view: 'node', cluster: 'c', node: 'n1' }, 'an unknown tab is the details'],
    [
      '#/cluster/c/object/apps%2Fdeployments/u-1/whatchanged',
      { view: 'object', cluster: 'c', kind: 'apps/deployments', uid: 'u-1', tab: 'whatchanged' },
    ],
    [`#/cluster/c/object/pods/u-1/changes?at=${AT}`, { view: 'object', cluster: 'c', kind: 'pods', uid: 'u-1', tab: 'changes' }],
    ['#/cluster/c/changes', { view: 'cluster', cluster: 'c', tab: 'changes' }],
  ]);
  assert.equal(
    href({ view: 'object', cluster: 'c', kind: 'pods', uid: 'u', tab: 'whatchanged' }, AT),
    `#/cluster/c/object/pods/u/whatchanged?at=${AT}`,
  );
  assert.equal(href({ view: 'node', cluster: 'c', node: 'n', tab: undefined }), '#/cluster/c/node/n', 'no tab: the details address');
});

test('the object Logs tab is an address of its own', () => {
  parses([
    ['#/cluster/c/object/pods/u-1/logs', { view: 'object', cluster: 'c', kind: 'pods', uid: 'u-1', tab: 'logs' }],
    ['#/cluster/c/object/apps%2Fdeployments/u-2/logs', { view: 'object', cluster: 'c', kind: 'apps/deployments', uid: 'u-2', tab: 'logs' }],
  ]);
  assert.equal(href({ view: 'object', cluster: 'c', kind: 'pods', uid: 'u', tab: 'logs' }), '#/cluster/c/object/pods/u/logs');
});

test('the timeline: its filter, window and selection are the address', () => {
  parses([['#/changes', changesRoute()]]);
  assert.deepEqual(changesRoute(), { view: 'changes', q: NO_FILTER });
  const q = {
    from: AT - 3_600_000,
    to: AT,
    clusters: ['prod 1', 'a&b=c', 'x,y'],
    namespaces: ['shop', 'kube-system'],
    kinds: ['pods', 'apps/deployments'],
    categories: ['rollout' as const, 'config' as const],
    severity: 'problems' as const,
    text: 'nginx:1.26 & <script>',
    change: 42,
  };
  const r: Route = { view: 'changes', q };
  const h = href(r, AT);
  assert.equal(
    h,
    `#/changes?from=${AT - 3_600_000}&to=${AT}&cluster=prod%201&cluster=a%26b%3Dc&cluster=x,y&ns=shop,kube-system&kind=pods,apps/deployments&cat=rollout,config&sev=problems&q=nginx:1.26%20%26%20%3Cscript%3E&change=42&at=${AT}`,
  );
  assert.deepEqual(parseRoute(h), r, 'round trip (a cluster id may hold a comma: clusters repeat the key, and are never split)');
  assert.equal(parseAt(h), AT, 'the "as of" time is kept beside the filter');
  assert.equal(href(changesRoute()), '#/changes', 'defaults are left out');
  assert.equal(href(changesRoute(), AT), `#/changes?at=${AT}`);
});

test('the timeline: what the address may not carry is dropped, never passed on', () => {
  const q = (hash: string) => {
    const r = parseRoute(hash);
    assert.equal(r.view, 'changes');
    return (r as Extract<Route, { view: 'changes' }>).q;
  };
  assert.deepEqual(q('#/changes?from=5&to=3'), NO_FILTER, 'a window backwards is no window');
  assert.deepEqual(q('#/changes?from=5'), NO_FILTER, 'one end is no window');
  assert.deepEqual(q('#/changes?from=abc&to=1e9'), NO_FILTER);
  assert.deepEqual(q('#/changes?cat=rollout,bogus,,rollout').categories, ['rollout'], 'unknown categories dropped, duplicates once');
  assert.deepEqual(q('#/changes?kind=Pods,apps/deployments,a%20b').kinds, ['apps/deployments'], 'kinds as the contract takes them');
  assert.equal(q('#/changes?sev=everything').severity, 'all');
  assert.equal(q('#/changes?sev=changes').severity, 'changes');
  assert.equal(q('#/changes?change=-1').change, null);
  assert.equal(q('#/changes?change=7').change, 7);
  assert.equal(q(`#/changes?q=${'x'.repeat(300)}`).text.length, 256);
  assert.deepEqual(q('#/changes?cluster=&cluster=a&cluster=a').clusters, ['a']);
  assert.equal(q(`#/changes?cluster=${'c'.repeat(600)}`).clusters.length, 0, 'longer than an id may be');
  assert.equal(
    q(`#/changes?ns=${Array.from({ length: 300 }, (_, i) => `n${i}`).join(',')}`).namespaces.length,
    200,
    'at most 200 of a list',
  );
});

test('the map and the table carry their selector and group-by in the address', () => {
  const r = { view: 'fleet', sel: 'env=prod,provider=eks|gke', group: 'env' } as const;
  const h = href(r, null);
  assert.equal(h, '#/fleet?sel=env%3Dprod,provider%3Deks%7Cgke&group=env');
  assert.deepEqual(parseRoute(h), r);
  assert.deepEqual(parseRoute('#/table?sel=!favourite&group=region&at=1763800000000'), {
    view: 'table',
    sel: '!favourite',
    group: 'region',
  });
  assert.deepEqual(parseRoute('#/fleet?sel=%20&group='), { view: 'fleet' }, 'blank: left out');
  const hostile = '<script>alert(1)</script>&x=\u202e';
  assert.deepEqual(
    parseRoute(href({ view: 'table', sel: hostile }, null)),
    { view: 'table', sel: hostile },
    'any text round-trips, as text',
  );
  assert.equal(parseRoute(`#/fleet?sel=${'a'.repeat(5000)}`).view, 'fleet');
  assert.equal((parseRoute(`#/fleet?sel=${'a'.repeat(5000)}`) as { sel?: string }).sel?.length, 1024);
});

test('every kind: #/kinds lists the served kinds, #/kinds/<kind> one kind of a cluster or the fleet', () => {
  const all = { view: 'kinds', kind: '', cluster: null, ns: '', q: '' } as const;
  assert.equal(href(all, null), '#/kinds');
  assert.deepEqual(parseRoute('#/kinds'), all);
  const one = { view: 'kinds', kind: 'example.com/widgets', cluster: 'c 1', ns: 'team-a', q: 'zulu' } as const;
  const h = href(one, AT);
  assert.equal(h, `#/kinds/example.com%2Fwidgets?cluster=c%201&ns=team-a&q=zulu&at=${AT}`);
  assert.deepEqual(parseRoute(h), one);
  assert.equal(parseAt(h), AT);
  assert.deepEqual(parseRoute('#/kinds/Not%20A%20Kind'), all, 'not a kind key: the served kinds');
});
