// Namespace-scoped access: which rules allow listing a kind, paths, the scope message, and the state a
// kind watched namespace by namespace shows (pure functions; the lab test runs it against RBAC).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { namespacedPath, namespacesFor, parseScope, pickNamespaces, rulesAllow, scopeMessage, type ResourceRule } from './access.ts';
import { servedKinds } from './resources.ts';
import { scopedKindState } from './sync.ts';
import type { ReflectorState } from './reflector.ts';

const pods = { group: '', plural: 'pods' };
const deployments = { group: 'apps', plural: 'deployments' };

describe('rulesAllow: list and watch of every object of a kind', () => {
  const cases: [string, ResourceRule[], { group: string; plural: string }, boolean][] = [
    ['the view role', [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'services'] }], pods, true],
    ['list without watch', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }], pods, false],
    [
      'list and watch from two rules',
      [
        { verbs: ['list'], apiGroups: [''], resources: ['pods'] },
        { verbs: ['watch'], apiGroups: [''], resources: ['pods'] },
      ],
      pods,
      true,
    ],
    ['verb wildcard', [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }], pods, true],
    ['group and resource wildcards', [{ verbs: ['list', 'watch'], apiGroups: ['*'], resources: ['*'] }], deployments, true],
    ['another group', [{ verbs: ['list', 'watch'], apiGroups: ['extensions'], resources: ['deployments'] }], deployments, false],
    ['the core group is not apps', [{ verbs: ['list', 'watch'], apiGroups: [''], resources: ['deployments'] }], deployments, false],
    ['a subresource only', [{ verbs: ['list', 'watch'], apiGroups: [''], resources: ['pods/log'] }], pods, false],
    [
      'named objects only: a LIST is refused',
      [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'], resourceNames: ['one'] }],
      pods,
      false,
    ],
    ['no rules', [], pods, false],
    ['missing fields', [{}], pods, false],
  ];
  for (const [name, rules, kind, want] of cases) it(name, () => assert.equal(rulesAllow(rules, kind), want));
});

describe('namespacedPath', () => {
  const { kinds } = servedKinds(
    new Map([
      ['v1', new Set(['pods', 'nodes'])],
      ['apps/v1', new Set(['deployments'])],
      ['resource.k8s.io/v1beta1', new Set(['resourceclaims'])],
    ]),
  );
  const path = (key: string, ns: string) =>
    namespacedPath(
      kinds.find((k) => k.key === key)!,
      ns,
    );
  it('core, named groups and non-preferred versions', () => {
    assert.equal(path('pods', 'web'), '/api/v1/namespaces/web/pods');
    assert.equal(path('apps/deployments', 'team-a'), '/apis/apps/v1/namespaces/team-a/deployments');
    assert.equal(path('resource.k8s.io/resourceclaims', 'ml'), '/apis/resource.k8s.io/v1beta1/namespaces/ml/resourceclaims');
  });
  it('a name is one path segment, whatever it holds', () => {
    assert.equal(path('pods', 'a/../b'), '/api/v1/namespaces/a%2F..%2Fb/pods');
  });
});

describe('the scope message', () => {
  it('round-trips the namespaces', () => {
    for (const ns of [['default'], ['default', 'ml-serving', 'web'], []]) assert.deepEqual(parseScope(scopeMessage(ns)), ns);
    assert.equal(scopeMessage(['web']), 'watched in 1 namespace (the cluster-wide list is not permitted): web');
  });
  it('is not read from any other message', () => {
    for (const m of [null, undefined, '', 'pods is forbidden', 'watched in 3 namespaces (the cluster-wide list is not permitted): a, b'])
      assert.equal(parseScope(m), undefined, String(m));
  });
});

describe('namespacesFor', () => {
  it('the namespaces whose rules allow the kind, sorted', () => {
    const view: ResourceRule[] = [{ verbs: ['get', 'list', 'watch'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments'] }];
    const rules = new Map<string, ResourceRule[]>([
      ['web', view],
      ['kube-system', []],
      ['default', view],
      ['batch', [{ verbs: ['list', 'watch'], apiGroups: ['apps'], resources: ['deployments'] }]],
    ]);
    assert.deepEqual(namespacesFor({ rules }, pods), ['default', 'web']);
    assert.deepEqual(namespacesFor({ rules }, deployments), ['batch', 'default', 'web']);
    assert.deepEqual(namespacesFor({ rules: new Map() }, pods), []);
  });
});

describe('scopedKindState: a kind refused cluster-wide, watched per namespace', () => {
  const cases: [string, ReflectorState, ReflectorState[], boolean, boolean, ReflectorState][] = [
    ['a kind never refused is its own state', 'watching', [], false, false, 'watching'],
    ['refused, namespaces being worked out: still listing', 'forbidden', [], false, true, 'listing'],
    ['refused and no namespace allows it', 'forbidden', [], false, false, 'forbidden'],
    ['namespaces listing', 'forbidden', ['listing', 'pending'], false, false, 'listing'],
    ['every namespace listed and watched', 'forbidden', ['watching', 'watching'], true, false, 'partial'],
    ['one namespace refused after all, others watched', 'forbidden', ['watching', 'forbidden'], true, false, 'partial'],
    ['every namespace refused after all', 'forbidden', ['forbidden', 'forbidden'], false, false, 'forbidden'],
    ['a namespace relisting (410) keeps the rest', 'forbidden', ['watching', 'listing'], true, false, 'partial'],
    ['the cluster-wide retry in progress keeps the namespaces', 'listing', ['watching'], true, false, 'partial'],
    ['a namespace watch down', 'forbidden', ['watching', 'backoff'], true, false, 'backoff'],
    ['credentials rejected', 'forbidden', ['unauthorized', 'watching'], true, false, 'unauthorized'],
    ['the cluster-wide list works again', 'watching', ['watching'], true, false, 'watching'],
    ['stopping', 'stopped', ['watching'], true, false, 'stopped'],
  ];
  for (const [name, parent, children, listed, narrowing, want] of cases)
    it(name, () => assert.equal(scopedKindState(parent, children, listed, narrowing), want));
});

describe('pickNamespaces: at most so many watched per kind', () => {
  const all = Array.from({ length: 8 }, (_, i) => `ns-${i}`);
  it('all of them up to the cap', () => assert.deepEqual(pickNamespaces(all, 'ns-7', 8), all));
  it("beyond, the context's own and then the first by name", () => {
    assert.deepEqual(pickNamespaces(all, 'ns-7', 3), ['ns-0', 'ns-1', 'ns-7']);
    assert.deepEqual(pickNamespaces(all, 'elsewhere', 3), ['ns-0', 'ns-1', 'ns-2']);
    assert.deepEqual(pickNamespaces(all, undefined, 2), ['ns-0', 'ns-1']);
  });
});
