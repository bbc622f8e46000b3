import test from 'node:test';
import assert from 'node:assert/strict';
import type { SnapshotDiffDTO } from '../../common/contract.ts';
import {
  badWorkloads,
  clip,
  clusterCounts,
  countsText,
  parseList,
  parseLogs,
  sameSelection,
  selectionOf,
  sourceLabel,
  valueText,
  visible,
  type BundleForm,
} from './snapshot.ts';

const form = (f: Partial<BundleForm> = {}): BundleForm => ({
  allClusters: ['a', 'b', 'c'],
  clusters: ['a', 'b', 'c'],
  namespaces: '',
  workloads: '',
  nodes: '',
  since: null,
  logs: '0',
  tokenize: false,
  ...f,
});

test('lists: commas, spaces and new lines separate; duplicates go', () => {
  assert.deepEqual(parseList(''), []);
  assert.deepEqual(parseList(' shop, kube-system\nmonitoring  shop ,'), ['shop', 'kube-system', 'monitoring']);
});

test('workloads must be kind/namespace/name', () => {
  assert.deepEqual(badWorkloads(['apps/deployments/shop/web', 'pods/default/x', 'batch/jobs/ns/j']), []);
  assert.deepEqual(badWorkloads(['web', 'Deployment/shop/web', 'pods/x']), ['web', 'Deployment/shop/web', 'pods/x']);
});

test('log lines', () => {
  assert.equal(parseLogs(''), 0);
  assert.equal(parseLogs(' 200 '), 200);
  assert.equal(parseLogs('100000'), 100000);
  for (const bad of ['-1', '1.5', 'abc', '100001', '1e3']) assert.equal(parseLogs(bad), null, bad);
});

test('the form becomes the contract selection', () => {
  assert.deepEqual(selectionOf(form()), {
    ok: true,
    selection: { clusters: [], namespaces: [], workloads: [], nodes: [], since: null, logs: 0, tokenize: false },
  });
  const r = selectionOf(
    form({
      clusters: ['c', 'a'],
      namespaces: 'shop, web',
      workloads: 'apps/deployments/shop/web',
      nodes: 'n1\nn2',
      since: 3600_000,
      logs: '50',
      tokenize: true,
    }),
  );
  assert.deepEqual(r, {
    ok: true,
    selection: {
      clusters: ['a', 'c'],
      namespaces: ['shop', 'web'],
      workloads: ['apps/deployments/shop/web'],
      nodes: ['n1', 'n2'],
      since: 3600_000,
      logs: 50,
      tokenize: true,
    },
  });
  assert.equal(selectionOf(form({ clusters: [] })).ok, false);
  assert.equal(selectionOf(form({ workloads: 'web' })).ok, false);
  assert.equal(selectionOf(form({ logs: 'many' })).ok, false);
});

test('export needs the previewed selection', () => {
  const s = (x: Partial<BundleForm>) => {
    const r = selectionOf(form(x));
    assert.ok(r.ok);
    return r.selection;
  };
  assert.equal(sameSelection(s({ namespaces: 'a,b' }), s({ namespaces: 'b a' })), true, 'order does not matter');
  assert.equal(sameSelection(s({ namespaces: 'a' }), s({ namespaces: 'a,b' })), false);
  assert.equal(sameSelection(s({ tokenize: true }), s({})), false);
  assert.equal(sameSelection(s({ logs: '5' }), s({})), false);
  assert.equal(sameSelection(null, s({})), false);
});

test('diff values: inert, visible text', () => {
  assert.equal(valueText(undefined), '');
  assert.equal(valueText('3'), '"3"');
  assert.equal(valueText(3), '3');
  assert.equal(valueText(null), 'null');
  assert.equal(valueText({ a: [1, 'x'] }), '{"a":[1,"x"]}');
  assert.equal(valueText('<script>alert(1)</script>'), '"<script>alert(1)</script>"', 'markup is only text');
  assert.equal(valueText('a\u200bb'), '"a\\u200bb"', 'zero-width shown');
  assert.equal(visible('prod\u202eved'), 'prod\\u202eved', 'bidi override shown');
  assert.equal(visible('مجموعة'), 'مجموعة', 'RTL letters are fine');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(valueText(cyclic), '[object Object]');
});

test('long values are clipped on a code point', () => {
  assert.deepEqual(clip('abc', 3), { text: 'abc', clipped: false });
  assert.deepEqual(clip('abcd', 3), { text: 'abc…', clipped: true });
  assert.deepEqual(clip('😀😀😀', 2), { text: '😀😀…', clipped: true });
  assert.deepEqual(clip('😀😀', 2), { text: '😀😀', clipped: false });
});

test('diff totals and names', () => {
  const c: SnapshotDiffDTO['clusters'][number] = {
    id: 'a',
    context: 'a',
    in: 'both',
    kinds: [
      { kind: 'pods', added: [{ uid: '1', namespace: 'n', name: 'p' }], removed: [], changed: [] },
      {
        kind: 'nodes',
        added: [],
        removed: [{ uid: '2', namespace: '', name: 'n' }],
        changed: [{ uid: '3', namespace: '', name: 'm', fields: [] }],
      },
    ],
  };
  assert.deepEqual(clusterCounts(c), { added: 1, removed: 1, changed: 1 });
  assert.equal(countsText({ added: 1, removed: 1, changed: 1 }), '+1 −1 ~1');
  assert.equal(countsText({ added: 0, removed: 0, changed: 4 }), '~4');
  assert.equal(countsText({ added: 0, removed: 0, changed: 0 }), 'no differences');
  assert.equal(sourceLabel('@this', 'snapshot'), 'this snapshot');
  assert.equal(sourceLabel('@cache', 'snapshot'), 'the cache');
  assert.equal(sourceLabel('@this', 'live'), 'the cache', 'what main calls it (session.ts)');
  assert.equal(sourceLabel('/tmp/x/a.fleetsnap', 'live'), 'a.fleetsnap');
});
