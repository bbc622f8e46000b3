import test from 'node:test';
import assert from 'node:assert/strict';
import type { ChangeEventDTO, GapDTO } from '../../../common/contract.ts';
import { NO_FILTER } from '../../store/route.ts';
import { HOUR } from '../../store/time.ts';
import {
  appendPage,
  defaultWindow,
  filterKey,
  filterParams,
  gapText,
  kindKey,
  kindLabel,
  nextPageParams,
  objectLabel,
  routeOfChange,
  rowsByTime,
  severitiesOf,
  shownTime,
  typedKinds,
  typedNamespaces,
  words,
} from './text.ts';

const T = new Date(2025, 10, 22, 12, 40).getTime();

function change(id: number, at: number, over: Partial<ChangeEventDTO> = {}): ChangeEventDTO {
  return {
    id,
    at,
    cluster: 'c1',
    clusterContext: 'prod',
    kind: 'apps/deployments',
    uid: `u${id}`,
    namespace: 'shop',
    name: 'web',
    category: 'rollout',
    action: 'image',
    severity: 'info',
    summary: 'image web: nginx:1.25 → nginx:1.26',
    who: 'kubectl',
    fleetKey: null,
    refs: {},
    historyIndex: 3,
    ...over,
  };
}

test('the filter as contract params: only what narrows', () => {
  const w = { from: T - HOUR + 0.4, to: T + 0.2 };
  assert.deepEqual(filterParams(NO_FILTER, w), { from: Math.floor(w.from), to: Math.ceil(w.to) }, 'whole ms');
  assert.deepEqual(
    filterParams(
      {
        ...NO_FILTER,
        clusters: ['a'],
        namespaces: ['shop'],
        kinds: ['pods'],
        categories: ['config'],
        severity: 'problems',
        text: '  web  ',
      },
      w,
    ),
    {
      from: Math.floor(w.from),
      to: Math.ceil(w.to),
      clusters: ['a'],
      namespaces: ['shop'],
      kinds: ['pods'],
      categories: ['config'],
      severities: ['warning', 'critical', 'ok'],
      text: 'web',
    },
  );
  assert.deepEqual(severitiesOf('changes'), ['info']);
  assert.equal(severitiesOf('all'), undefined);
  // the window and the selection are not the filter
  assert.equal(filterKey({ ...NO_FILTER, from: 1, to: 2, change: 5 }), filterKey(NO_FILTER));
  assert.notEqual(filterKey({ ...NO_FILTER, text: 'x' }), filterKey(NO_FILTER));
  assert.equal(filterKey({ ...NO_FILTER, text: ' x ' }), filterKey({ ...NO_FILTER, text: 'x' }));
});

test('where a change opens, and what it is called', () => {
  assert.deepEqual(routeOfChange(change(1, T)), { view: 'object', cluster: 'c1', kind: 'apps/deployments', uid: 'u1' });
  assert.deepEqual(routeOfChange(change(1, T, { kind: 'nodes', name: 'n1' })), { view: 'node', cluster: 'c1', node: 'n1' });
  assert.deepEqual(routeOfChange(change(1, T, { kind: '', name: '' })), { view: 'cluster', cluster: 'c1', tab: 'changes' });
  assert.equal(kindLabel('apps/deployments'), 'Deployment');
  assert.equal(kindLabel('storage.k8s.io/storageclasses'), 'Storageclass');
  assert.equal(kindLabel('networkpolicies'), 'Networkpolicy');
  assert.equal(objectLabel(change(1, T)), 'Deployment shop/web');
  assert.equal(
    objectLabel(change(1, T, { name: 'evil\u202Egnp.exe', namespace: '' })),
    'Deployment evil\uFFFDgnp.exe',
    'bidi made visible',
  );
  assert.equal(objectLabel(change(1, T, { kind: '', name: '' })), 'the cluster');
});

test('kinds as typed become the cache’s keys', () => {
  assert.equal(kindKey('Deployment'), 'apps/deployments');
  assert.equal(kindKey('deploy'), 'apps/deployments');
  assert.equal(kindKey('pod'), 'pods');
  assert.equal(kindKey('storageclass'), 'storage.k8s.io/storageclasses');
  assert.equal(kindKey('networkpolicy'), 'networkpolicy', 'unknown but valid: as typed');
  assert.equal(kindKey('pods; drop'), null);
  assert.equal(kindKey(''), null);
  assert.deepEqual(words(' a, b  c,,a '), ['a', 'b', 'c']);
  assert.deepEqual(typedKinds('deploy, pod Deployment pods;x'), { kinds: ['apps/deployments', 'pods'], unknown: ['pods;x'] });
  assert.deepEqual(typedKinds(''), { kinds: [], unknown: [] });
  assert.deepEqual(typedNamespaces(`shop, ${'n'.repeat(254)} web shop`), ['shop', 'web'], 'unique, none too long');
});

test('the time shown and the default window', () => {
  assert.deepEqual(shownTime(T, null, T + 5), { time: T, label: 'as of', live: false });
  assert.deepEqual(shownTime(null, { mode: 'snapshot', snapshot: { capturedAt: T - 9 } as never }, T), {
    time: T - 9,
    label: 'snapshot',
    live: false,
  });
  assert.deepEqual(shownTime(null, { mode: 'live', snapshot: null }, T), { time: T, label: 'now', live: true });
  assert.deepEqual(shownTime(null, { mode: 'cache', snapshot: null }, T), { time: T, label: 'now', live: false });
  assert.deepEqual(defaultWindow(T), { from: T - HOUR, to: T });
});

test('gaps in words; rows in one order; pages joined', () => {
  const gap: GapDTO = { cluster: 'c1', clusterContext: 'prod', kind: null, start: T - HOUR, end: T - HOUR / 2, reason: 'disconnected' };
  assert.equal(gapText(gap, T), 'changes may be missing between 11:40 and 12:10 (disconnected)');
  assert.equal(gapText({ ...gap, kind: 'pods', end: null }, T), 'pods changes may be missing since 11:40, still open (disconnected)');
  const rows = rowsByTime([change(1, T - 10), change(2, T - HOUR)], [gap]);
  assert.deepEqual(
    rows.map((r) => (r.change ? r.change.id : 'gap')),
    [1, 'gap', 2],
    'newest first, the gap where it ends',
  );
  assert.equal(rowsByTime([change(1, T)], [{ ...gap, end: null }])[0]!.gap?.end, null, 'an open gap is the newest');
  assert.deepEqual(
    appendPage([change(1, T), change(2, T - 1)], [change(2, T - 1), change(3, T - 2)]).map((c) => c.id),
    [1, 2, 3],
  );
});

test("the next page continues with the contract's before cursor (the last change shown), not `to`", () => {
  const base = { cluster: 'c1', kind: 'pods', uid: 'u1', limit: 200, to: T };
  // three changes at the same millisecond: the next page starts after the last one shown, by its id
  const shown = [change(9, T), change(8, T - 5), change(7, T - 5)];
  assert.deepEqual(nextPageParams(base, shown), { ...base, before: { at: T - 5, id: 7 } });
  assert.equal(nextPageParams(base, shown)!.to, T, 'the window stays the same');
  assert.equal(nextPageParams(base, []), null, 'nothing shown: no page after it');
});
