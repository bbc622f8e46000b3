// Cluster labels and favourites: the labels derived from context names, servers and versions (pure),
// the selector the map and the table filter by, cluster-labels.json's round trip, and the contract's
// methods (clusters.labels / clusters.label / clusters.favourite) over a real Store and service.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { derivedLabels, matchSelector, organise, parseSelector, type Selectable } from '../../common/labels.ts';
import { parseRequest } from '../../common/schemas.ts';
import { clusterLabelsPath, loadClusterLabels, saveClusterLabels, withFavourite, withLabels } from '../fleet/cluster-labels.ts';
import { Store } from '../store/store.ts';
import { T0, cluster, node } from '../store/fixtures.ts';
import { ViewService } from './service.ts';
import { scratch } from './fixtures.ts';

const d = (context: string, server = '', serverVersion: string | null = null) => derivedLabels({ context, server, serverVersion });

describe('derived cluster labels', () => {
  it('EKS ARNs: provider, region, env from the cluster name', () => {
    assert.deepEqual(d('arn:aws:eks:us-east-1:123:cluster/prod-a', 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com', 'v1.37.2-eks-1'), {
      env: 'prod',
      provider: 'eks',
      region: 'us-east-1',
      host: 'abcdef.gr7.us-east-1.eks.amazonaws.com',
      version: '1.37',
    });
    assert.deepEqual(d('arn:aws-us-gov:eks:us-gov-west-1:123:cluster/staging').region, 'us-gov-west-1');
    assert.equal(d('arn:aws:eks:eu-west-1:123:cluster/stg-b').env, 'staging');
    assert.equal(d('ops-eks-eu-central-1').provider, 'eks');
    assert.equal(d('ops-eks-eu-central-1').region, 'eu-central-1');
  });

  it('GKE contexts: gke_project_location_name', () => {
    const l = d('gke_my-project_europe-west4_prod-cluster', 'https://34.1.2.3', '1.36.4-gke.100');
    assert.equal(l.provider, 'gke');
    assert.equal(l.region, 'europe-west4');
    assert.equal(l.env, 'prod');
    assert.equal(l.version, '1.36');
    assert.equal(d('gke_p_us-central1-a_dev').region, 'us-central1', 'a zone: its region');
    assert.equal(d('gke_p_us-central1-a_dev').env, 'dev');
  });

  it('AKS: the server host (azmk8s.io) or "aks" in the name; Azure regions', () => {
    const l = d('prod-weu', 'https://prod-weu-dns-1a2b3c.hcp.westeurope.azmk8s.io:443');
    assert.equal(l.provider, 'aks');
    assert.equal(l.region, 'westeurope');
    assert.equal(l.host, 'prod-weu-dns-1a2b3c.hcp.westeurope.azmk8s.io');
    assert.equal(d('aks-staging-eastus2').provider, 'aks');
    assert.equal(d('aks-staging-eastus2').env, 'staging');
    assert.equal(d('aks-staging-eastus2').region, 'eastus2');
  });

  it('local clusters: kind-*, k3d-*, minikube', () => {
    assert.equal(d('kind-dev', 'https://127.0.0.1:40123').provider, 'kind');
    assert.equal(d('kind-dev', 'https://127.0.0.1:40123').host, '127.0.0.1');
    assert.equal(d('kind-dev').env, 'dev');
    assert.equal(d('k3d-mycluster').provider, 'k3d');
    assert.equal(d('minikube', 'https://192.168.49.2:8443').provider, 'minikube');
    assert.equal(d('minikube').env, undefined);
  });

  it('plain names: only what can be told', () => {
    assert.deepEqual(d('alpha'), {});
    assert.deepEqual(d('lab-0', 'https://127.0.0.1:6443', 'v1.37.0'), { host: '127.0.0.1', version: '1.37' });
    assert.equal(d('production').env, 'prod');
    assert.equal(d('products').env, undefined, 'a word, not a prefix');
    assert.equal(d('my-prod-db').env, 'prod');
    assert.equal(d('prodigy').env, undefined);
    assert.equal(d('weeks').provider, undefined, '"eks" inside a word is no provider');
    assert.equal(d('x', 'https://[::1]:6443').host, undefined, 'an IPv6 address is no label value');
    assert.equal(d('x', 'https://user@api.example.com:6443/path').host, 'api.example.com');
  });

  it('hostile text stays inert: values are only letters, digits, - _ .', () => {
    const hostile = [
      '<script>alert(1)</script>',
      'prod\u202e\u200b<img src=x onerror=alert(1)>',
      'кластер-прод',
      '"; DROP TABLE clusters; --',
      'a'.repeat(10_000),
      '',
    ];
    for (const h of hostile) {
      const l = d(h, `https://${h}:443/`, h);
      for (const [k, v] of Object.entries(l)) {
        assert.match(k, /^[a-z]+$/);
        assert.match(v, /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, `${k}=${v}`);
      }
    }
    assert.equal(d('prod\u200b<script>').env, 'prod', 'the word is read; the rest is not kept anywhere');
  });
});

const C = (id: string, labels: Record<string, string>, favourite = false): Selectable => ({ id, context: id, labels, favourite });
const fleet = [
  C('a', { env: 'prod', provider: 'eks', region: 'us-east-1' }),
  C('b', { env: 'staging', provider: 'gke' }, true),
  C('c', { env: 'prod', provider: 'gke', team: 'ml' }),
  C('d', {}),
];
const ids = (sel: string) => fleet.filter((c) => matchSelector(c, parseSelector(sel))).map((c) => c.id);

describe('label selectors', () => {
  it('k=v, several terms all hold', () => {
    assert.deepEqual(ids('env=prod'), ['a', 'c']);
    assert.deepEqual(ids('env=prod,provider=eks'), ['a']);
    assert.deepEqual(ids(' env == prod , provider = gke '), ['c']);
    assert.deepEqual(ids(''), ['a', 'b', 'c', 'd']);
  });

  it('!=, in, notin, a|b, !key, favourite', () => {
    assert.deepEqual(ids('env!=prod'), ['b', 'd']);
    assert.deepEqual(ids('env in (prod, staging)'), ['a', 'b', 'c']);
    assert.deepEqual(ids('env notin (prod)'), ['b', 'd']);
    assert.deepEqual(ids('provider=eks|gke'), ['a', 'b', 'c']);
    assert.deepEqual(ids('!env'), ['d']);
    assert.deepEqual(ids('team'), ['c'], 'a key: has it');
    assert.deepEqual(ids('favourite'), ['b']);
    assert.deepEqual(ids('!favourite'), ['a', 'c', 'd']);
    assert.deepEqual(ids('favourite=true,env=staging'), ['b']);
  });

  it('keys like constructor or toString are labels like any other (own properties only)', () => {
    const c = C('x', { constructor: 'a', toString: 'b' });
    assert.equal(matchSelector(c, parseSelector('constructor=a,toString=b')), true);
    assert.equal(matchSelector(C('y', {}), parseSelector('constructor')), false);
    assert.equal(matchSelector(C('y', {}), parseSelector('hasOwnProperty=x')), false);
    assert.deepEqual(
      organise([C('y', {})], '', 'constructor').groups.map((g) => g.value),
      [null],
    );
  });

  it('free text: the name or any label value', () => {
    assert.deepEqual(ids('us-east'), ['a']);
    assert.deepEqual(ids('GKE'), ['b', 'c']);
    assert.deepEqual(ids('ml,prod'), ['c']);
    assert.deepEqual(ids('<script>'), []);
  });

  it('organise: favourites first, then grouped by a key (no value last)', () => {
    const o = organise(fleet, '', 'env');
    assert.deepEqual(
      o.groups.map((g) => [g.value, g.clusters.map((c) => c.id)]),
      [
        ['prod', ['a', 'c']],
        ['staging', ['b']],
        [null, ['d']],
      ],
    );
    assert.deepEqual(
      organise(fleet, '', '').groups[0]!.clusters.map((c) => c.id),
      ['b', 'a', 'c', 'd'],
    );
    assert.equal(organise(fleet, 'provider=gke', 'provider').shown, 2);
  });
});

describe('cluster-labels.json', () => {
  const { dir, close } = scratch('fleet-labels-file-');
  after(() => close());
  const file = clusterLabelsPath(join(dir, 'data'));

  it('round trip: labels and favourites saved and read again; empty clusters dropped', () => {
    let l = loadClusterLabels(file).labels;
    assert.deepEqual(l, { version: 1, clusters: {} });
    l = withLabels(l, ['x', 'y'], { env: 'prod', 'team.example.com/owner': 'ops' });
    l = withFavourite(l, ['y'], true);
    l = withLabels(l, ['x'], {}, ['env']);
    l = withFavourite(withLabels(l, ['z'], { a: '1' }), ['z'], false);
    l = withLabels(l, ['z'], {}, ['a']);
    saveClusterLabels(file, l);
    const again = loadClusterLabels(file);
    assert.equal(again.warning, undefined);
    assert.deepEqual(again.labels, {
      version: 1,
      clusters: {
        x: { labels: { 'team.example.com/owner': 'ops' } },
        y: { labels: { env: 'prod', 'team.example.com/owner': 'ops' }, favourite: true },
      },
    });
  });

  it('a damaged or hostile file never stops the console: no labels, a warning', () => {
    writeFileSync(file, '{not json');
    assert.match(loadClusterLabels(file).warning ?? '', /not JSON/);
    writeFileSync(file, JSON.stringify({ version: 1, clusters: { x: { labels: { 'a=b,<script>': 'x' } } } }));
    assert.match(loadClusterLabels(file).warning ?? '', /not valid/);
    assert.deepEqual(loadClusterLabels(file).labels.clusters, {});
  });
});

describe('clusters.labels / clusters.label / clusters.favourite over a real store', () => {
  const { dir, db, close } = scratch('fleet-labels-svc-');
  const store = new Store(db);
  store.write([
    cluster('c1', 'arn:aws:eks:us-east-1:123:cluster/prod-a', T0, { server: 'https://x.eks.amazonaws.com' }),
    cluster('c2', 'kind-dev', T0, { server: 'https://127.0.0.1:6443' }),
    { op: 'upsert', cluster: 'c1', kind: 'nodes', obj: node('n1'), at: T0 },
  ]);
  const labelsFile = clusterLabelsPath(join(dir, 'data'));
  const open = () => new ViewService(store, { mode: 'cache', source: db, derive: 'persist', now: () => T0 + 60_000, labelsFile });
  let svc = open();
  after(() => close(store));
  const tile = (id: string) => svc.fleet().clusters.find((c) => c.id === id)!;

  it('tiles carry derived labels (marked) and no favourite at first', () => {
    const t = tile('c1');
    assert.equal(t.labels.env, 'prod');
    assert.equal(t.labels.provider, 'eks');
    assert.equal(t.labels.region, 'us-east-1');
    assert.equal(t.labels.version, '1.37');
    assert.deepEqual([...t.derivedLabels].sort(), ['env', 'host', 'provider', 'region', 'version']);
    assert.equal(t.favourite, false);
    assert.equal(tile('c2').labels.provider, 'kind');
  });

  it('clusters.label sets and removes; the user wins over the derived label; the fleet moves on', async () => {
    const v0 = svc.fleet().version;
    const r = await svc.call('clusters.label', { clusters: ['c2'], set: { env: 'prod', team: 'ml' } });
    assert.deepEqual(r.labels, { c2: { env: 'prod', team: 'ml' } });
    assert.ok(svc.fleet().version > v0);
    assert.equal(tile('c2').labels.env, 'prod');
    assert.equal(tile('c2').labels.team, 'ml');
    assert.ok(!tile('c2').derivedLabels.includes('env'), 'env is the user’s now');
    assert.ok(tile('c2').derivedLabels.includes('provider'));
    await svc.call('clusters.label', { clusters: ['c2'], remove: ['team'] });
    assert.equal(tile('c2').labels.team, undefined);
    const inUse = (await svc.call('clusters.labels', {})).inUse;
    const env = inUse.find((k) => k.key === 'env')!;
    assert.equal(env.derived, false);
    assert.deepEqual(env.values, [{ value: 'prod', clusters: 2 }]);
    assert.equal(inUse.find((k) => k.key === 'provider')!.derived, true);
  });

  it('clusters.favourite: on and off, saved in the data folder and read by a new service', async () => {
    await svc.call('clusters.favourite', { clusters: ['c2'], on: true });
    assert.equal(tile('c2').favourite, true);
    assert.ok(existsSync(labelsFile));
    assert.deepEqual(JSON.parse(readFileSync(labelsFile, 'utf8')).clusters.c2, { labels: { env: 'prod' }, favourite: true });
    svc = open();
    assert.equal(tile('c2').favourite, true);
    assert.deepEqual((await svc.call('clusters.labels', {})).favourites, ['c2']);
    await svc.call('clusters.favourite', { clusters: ['c2'], on: false });
    assert.equal(tile('c2').favourite, false);
  });

  it('refused: unknown clusters, hostile keys and values, a session without a data folder', async () => {
    const a = await svc.handle('clusters.label', { clusters: ['nope'], set: { env: 'prod' } });
    assert.equal(!a.ok && a.code, 'not-found');
    for (const bad of [
      { clusters: ['c1'], set: { 'env,x=y': 'prod' } },
      { clusters: ['c1'], set: { env: '<script>' } },
      { clusters: ['c1'], set: { env: 'a'.repeat(64) } },
      { clusters: ['c1'] },
      { clusters: ['c1'], set: {}, remove: [] },
    ]) {
      const r = parseRequest('clusters.label', bad);
      assert.equal(r.ok, false, JSON.stringify(bad));
    }
    const none = new ViewService(store, { mode: 'cache', source: db, derive: 'persist' });
    const r = await none.handle('clusters.favourite', { clusters: ['c1'], on: true });
    assert.equal(!r.ok && r.code, 'forbidden');
    assert.match((await none.call('clusters.labels', {})).refused ?? '', /no data folder/);
  });
});
