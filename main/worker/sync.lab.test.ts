// The fleet core against real lab clusters.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lab } from '../../lab/src/lab.ts';
import { until } from '../../lab/src/until.ts';
import { LAB_SECRET_VALUES } from '../../lab/src/profiles/workloads.ts';
import { RESTRICTED_NAMESPACES, adminClient } from '../../lab/src/cluster.ts';
import { discover } from '../fleet/sources.ts';
import { TrustStore, execRequest } from '../fleet/trust.ts';
import { ExecCredentialCache } from '../kube/exec.ts';
import { Store } from '../store/store.ts';
import { ThreadedStore } from '../store/writer.ts';
import { StoreWriteError } from '../kube/sink.ts';
import type { WriteOp } from '../store/store.ts';
import { Connection } from '../kube/connection.ts';
import { Reflector, type ReflectorState } from '../kube/reflector.ts';
import { discoverServed, servedKinds } from '../kube/resources.ts';
import { FleetSync, type ClusterStatusInfo } from '../kube/sync.ts';
import { CATALOGUE } from '../kube/resources.ts';
import { parseScope } from '../kube/access.ts';
import { summarize } from '../views/summary.ts';
import { scratch } from '../views/fixtures.ts';
import { parseQuantity } from '../model/quantity.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'cli', 'fleet.ts');
const STORE_THREAD = new URL('../worker/store-thread.ts', import.meta.url);

/** uid → resourceVersion per kind, from a fresh LIST as the admin. */
async function freshList(lab: Lab, cluster: string, kinds: string[]): Promise<Map<string, Map<string, string>>> {
  const c = adminClient(lab.cluster(cluster));
  const out = new Map<string, Map<string, string>>();
  try {
    for (const key of kinds) {
      const k = CATALOGUE.find((x) => x.key === key)!;
      const path = k.group ? `/apis/${k.group}/${k.versions[0]}/${k.plural}` : `/api/v1/${k.plural}`;
      const got = await c.listAll(path);
      out.set(key, new Map(got.items.map((o) => [o.metadata.uid as string, o.metadata.resourceVersion as string])));
    }
  } finally {
    c.close();
  }
  return out;
}

/** The store's view equals a fresh LIST (same uids and resourceVersions), retried while events are in flight. */
async function assertStoreEqualsList(lab: Lab, store: Store, labCluster: string, entryId: string, kinds: string[]): Promise<void> {
  let diff = '';
  const ok = await until(
    `store equals a fresh list for ${labCluster}`,
    async () => {
      const fresh = await freshList(lab, labCluster, kinds);
      diff = '';
      for (const k of kinds) {
        const want = fresh.get(k)!;
        const have = store.versions(entryId, k);
        if (want.size !== have.size) diff += `${k}: ${have.size} stored vs ${want.size} listed; `;
        else
          for (const [uid, rv] of want)
            if (have.get(uid) !== rv) {
              diff += `${k}: ${uid} rv ${have.get(uid)} vs ${rv}; `;
              break;
            }
      }
      return diff === '' ? true : undefined;
    },
    60_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}: ${diff}`);
  });
  assert.equal(ok, true);
}

describe('fleet core against three lab clusters', () => {
  const { dir, db: dbPath, close } = scratch('fleet-core-');
  let lab: Lab;
  /** where the sync engine writes, as in the app: the store thread */
  let writer: ThreadedStore;
  /** what the tests read: a connection of their own to the same cache */
  let store: Store;
  let trust: TrustStore;
  let fleet: FleetSync;
  const status = (context: string): ClusterStatusInfo | undefined => fleet.statuses().find((s) => s.context === context);
  const idOf = (context: string) => status(context)!.id;

  before(async () => {
    const labDir = join(dir, 'lab');
    lab = await Lab.up({ dir: labDir, clusters: 1, profile: 'gpu' });
    await Lab.up({ dir: labDir, clusters: 1, profile: 'storage', nodes: 4 });
    lab = await Lab.up({ dir: labDir, clusters: 1, profile: 'mixed', nodes: 6, podsPerNode: 4 });
    writer = new ThreadedStore(STORE_THREAD, { dbPath, views: true });
    await writer.ready();
    store = new Store(dbPath, { readonly: true });
    trust = new TrustStore(join(dir, 'approvals.json'));
    fleet = new FleetSync(writer, { trust, execCache: new ExecCredentialCache() }, { reflector: { watchSeconds: 60 } });
    await fleet.setEntries(discover({ useDefault: false, files: [lab.state.merged], folders: [] }).entries);
  });

  after(() => close(fleet, writer, store, () => lab?.down({ removeFiles: true })));

  it('syncs three clusters with all three users at once; exec waits for approval without running', async () => {
    const final = await fleet.settled(180_000);
    // Statuses come from the reflectors; what they handed to the store thread commits just after.
    await writer.flush();
    const by = Object.fromEntries(final.map((s) => [s.context, s]));
    for (const n of ['lab-1', 'lab-2', 'lab-3']) {
      assert.equal(by[n]!.status, 'live', `${n}: ${by[n]!.message}`);
      assert.equal(by[`${n}-exec`]!.status, 'needs-approval');
      assert.equal(existsSync(lab.cluster(n).exec.invocationLog), false, 'the exec plugin never ran');
    }
    assert.equal(store.versions(idOf('lab-1'), 'nodes').size, 10);
    assert.ok(store.versions(idOf('lab-1'), 'resource.k8s.io/resourceslices').size >= 1);
    assert.ok(store.versions(idOf('lab-2'), 'snapshot.storage.k8s.io/volumesnapshots').size >= 1, 'CRD kinds where installed');
    // ConfigMaps and Secrets: key names and placeholders (sizes; digests for ConfigMaps), never values.
    const secrets = store.objects(idOf('lab-3'), 'secrets', { namespace: 'payments' });
    assert.ok(secrets.length >= 1);
    for (const s of secrets) for (const v of Object.values((s.body.data ?? {}) as Record<string, string>)) assert.match(v, /^<\d+ bytes>$/);
    const configMaps = store.objects(idOf('lab-3'), 'configmaps');
    assert.ok(
      configMaps.some((c) =>
        Object.values((c.body.data ?? {}) as Record<string, string>).some((v) => /^<\d+ bytes, sha256:[0-9a-f]{12}>$/.test(v)),
      ),
    );
    const cached = JSON.stringify([...secrets, ...configMaps]);
    assert.equal(cached.includes('postgres://'), false);
    for (const v of Object.values(LAB_SECRET_VALUES)) assert.equal(cached.includes(v), false, 'a Secret value reached the cache');
  });

  it('the restricted user degrades per kind, not per cluster, and reads namespaced kinds where its RoleBindings allow', async () => {
    const r = status('lab-3-restricted')!;
    assert.equal(r.status, 'live');
    assert.match(r.message!, /not permitted: .*nodes/);
    assert.match(r.message!, /only in the namespaces these credentials may read: .*pods/);
    await writer.flush();
    const rows = Object.fromEntries(store.syncStates(r.id).map((s) => [s.kind, s]));
    // cluster-scoped, or not in the "view" role (Secrets): not permitted anywhere
    for (const k of ['nodes', 'secrets', 'persistentvolumes', 'storage.k8s.io/storageclasses'])
      assert.equal(rows[k]?.state, 'forbidden', k);
    assert.equal(rows.namespaces?.state, 'watching');
    assert.ok(store.versions(r.id, 'namespaces').size > 5);
    // refused cluster-wide, listed and watched in the five namespaces of its RoleBindings
    for (const k of ['pods', 'events', 'apps/deployments', 'persistentvolumeclaims', 'configmaps']) {
      assert.equal(rows[k]?.state, 'partial', k);
      assert.deepEqual(parseScope(rows[k]!.message), [...RESTRICTED_NAMESPACES].sort(), k);
    }
    // exactly what the admin lists in those namespaces, and nothing of the others
    const admin = adminClient(lab.cluster('lab-3'));
    let diff = '';
    try {
      await until(
        'the restricted pods equal the admin list of its namespaces',
        async () => {
          const want = new Map<string, string>();
          for (const ns of RESTRICTED_NAMESPACES)
            for (const p of (await admin.listAll(`/api/v1/namespaces/${ns}/pods`)).items)
              want.set(p.metadata.uid as string, p.metadata.resourceVersion as string);
          const have = store.versions(r.id, 'pods');
          diff = `${have.size} stored vs ${want.size} listed`;
          return want.size > 0 && want.size === have.size && [...want].every(([u, v]) => have.get(u) === v);
        },
        60_000,
      ).catch((e: Error) => {
        throw new Error(`${e.message}: ${diff}`);
      });
    } finally {
      admin.close();
    }
    const namespaces = new Set(store.objects(r.id, 'pods').map((p) => p.namespace));
    assert.deepEqual(
      [...namespaces].filter((ns) => !RESTRICTED_NAMESPACES.includes(ns)),
      [],
    );
    // the admin's view of the same cluster has pods elsewhere too
    assert.ok(store.objects(idOf('lab-3'), 'pods').some((p) => !RESTRICTED_NAMESPACES.includes(p.namespace)));
  });

  it('namespaced access follows RoleBindings: a revoked namespace leaves the cache, a granted one joins it', async () => {
    // A sync of its own for the restricted user, retrying refused kinds every 2 s (the app: 10 min).
    const own = new Store(join(dir, 'restricted.db'));
    const entry = discover({ useDefault: false, files: [lab.state.merged], folders: [] }).entries.find(
      (e) => e.context === 'lab-3-restricted',
    )!;
    const sync = new FleetSync(
      own,
      { trust, execCache: new ExecCredentialCache() },
      { reflector: { watchSeconds: 60, refusedRetryMs: 2000 } },
    );
    const admin = adminClient(lab.cluster('lab-3'));
    const binding = `/apis/rbac.authorization.k8s.io/v1/namespaces/web/rolebindings/lab:restricted-view`;
    const saved = await admin.get(binding);
    const scope = () => parseScope(own.syncStates(entry.id).find((k) => k.kind === 'pods')?.message);
    const podNamespaces = () => new Set(own.objects(entry.id, 'pods').map((p) => p.namespace));
    try {
      await sync.setEntries([entry]);
      await until('pods in the five namespaces', () => scope()?.length === 5 && podNamespaces().has('web'), 60_000);
      await admin.delete(binding);
      await until('web revoked', () => scope()?.length === 4 && !scope()!.includes('web') && !podNamespaces().has('web'), 60_000);
      assert.ok(
        own.gaps(entry.id).some((g) => g.reason === 'no longer permitted in namespace web'),
        'the revocation is a recorded gap',
      );
      assert.equal(sync.statuses()[0]!.status, 'live');
      const { metadata, ...rest } = saved;
      await admin.apply({ ...rest, metadata: { name: metadata.name, namespace: metadata.namespace } });
      await until('web granted again', () => scope()?.length === 5 && podNamespaces().has('web'), 60_000);
    } finally {
      // the lab as it was, for the tests that follow
      if (!(await admin.getOrNull(binding))) {
        const { metadata, ...rest } = saved;
        await admin.apply({ ...rest, metadata: { name: metadata.name, namespace: metadata.namespace } });
      }
      admin.close();
      await sync.stop();
      own.close();
    }
  });

  it('an approved exec plugin runs and its cluster goes live', async () => {
    const e = discover({ useDefault: false, files: [lab.state.merged], folders: [] }).entries.find((x) => x.context === 'lab-2-exec')!;
    trust.approve(execRequest(e)!);
    await until('lab-2-exec live', () => status('lab-2-exec')?.status === 'live', 60_000);
    assert.ok(existsSync(lab.cluster('lab-2').exec.invocationLog));
  });

  it('a node made NotReady shows up in the store within seconds', async () => {
    const id = idOf('lab-3');
    const t0 = Date.now();
    await lab.chaos('lab-3', 'node-notready', ['node-002']);
    await until(
      'NotReady in the store',
      () => store.objects(id, 'nodes').find((n) => n.name === 'node-002')?.phase === 'Ready=False',
      10_000,
    );
    const ms = Date.now() - t0;
    assert.ok(ms < 10_000, `${ms} ms`);
    const uid = store.objects(id, 'nodes').find((n) => n.name === 'node-002')!.uid;
    const ready = (o: { status?: { conditions?: { type: string; status: string }[] } } | null | undefined) =>
      o?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    // The flip is in the history: a change that replaced a Ready=True state (the node controller's
    // not-ready taint may follow it), and the node as of just before the chaos was Ready.
    const flip = store.history(id, 'nodes', uid).find((c) => c.type === 'MODIFIED' && c.at >= t0 && ready(c.before) === 'True');
    assert.ok(flip, 'a MODIFIED change replaced the Ready=True state');
    assert.equal(ready(store.objectAt(id, 'nodes', uid, t0 - 1)), 'True');
    assert.equal(ready(store.objectAt(id, 'nodes', uid, Date.now())), 'False');
    await lab.chaos('lab-3', 'node-ready', ['node-002']);
  });

  const KINDS = [
    'nodes',
    'pods',
    'namespaces',
    'apps/deployments',
    'apps/replicasets',
    'persistentvolumeclaims',
    'storage.k8s.io/volumeattachments',
  ];

  it('after chaos compact (410 Gone) the store equals a fresh list', async () => {
    const id = idOf('lab-2');
    // Changes the watchers will not see before the compaction.
    await lab.chaos('lab-2', 'compact');
    await lab.chaos('lab-2', 'rollout', ['storage-demo/web-content']);
    await until('relist recorded', () => store.gaps(id).some((g) => /410/.test(g.reason)), 60_000);
    await until('lab-2 live again', () => status('lab-2')?.status === 'live', 60_000);
    await assertStoreEqualsList(lab, store, 'lab-2', id, KINDS);
  });

  it('after restart-apiserver the store equals a fresh list, and the outage is a recorded gap', async () => {
    const id = idOf('lab-1');
    await lab.chaos('lab-1', 'restart-apiserver');
    await lab.chaos('lab-1', 'rollout', ['ml-serving/model-gateway']);
    await until('lab-1 live again', () => status('lab-1')?.status === 'live', 90_000);
    await assertStoreEqualsList(lab, store, 'lab-1', id, KINDS);
  });

  it('a stopped apiserver makes the cluster stale (with the age of its data), and it recovers', async () => {
    await lab.chaos('lab-1', 'stop-apiserver');
    try {
      const s = await until('stale', () => (status('lab-1')?.status === 'stale' ? status('lab-1') : undefined), 60_000);
      assert.match(s.message!, /watches down/);
      assert.ok(s.lastContact! < Date.now());
    } finally {
      await lab.chaos('lab-1', 'start-apiserver');
    }
    await until('lab-1 live again', () => status('lab-1')?.status === 'live', 90_000);
    assert.ok(store.gaps(idOf('lab-1')).some((g) => /disconnected/.test(g.reason)));
  });

  it('a batch the store fails to commit makes its reflector list again; nothing is lost', async () => {
    const entry = discover({ useDefault: false, files: [lab.cluster('lab-3').kubeconfigs.admin], folders: [] }).entries[0]!;
    const conn = new Connection(entry, { trust, execCache: new ExecCredentialCache() });
    const kind = servedKinds(await discoverServed(conn)).kinds.find((k) => k.key === 'pods')!;
    const db = join(dir, 'failing.db');
    const w = new ThreadedStore(STORE_THREAD, { dbPath: db });
    await w.ready();
    const states: ReflectorState[] = [];
    let refused = 0;
    const ac = new AbortController();
    const r = new Reflector(
      'lab-3',
      conn,
      kind,
      {
        // The first batch of objects fails as a full disk would: the store thread says so after the fact.
        write: (ops: WriteOp[]) => {
          if (!refused && ops.some((o) => o.op === 'upsert')) {
            refused++;
            return Promise.reject(new StoreWriteError('the cache could not be written: database or disk is full'));
          }
          return w.write(ops);
        },
        progress: (k, rv, at) => w.touch('lab-3', k, rv, at),
        state: (_k, st) => states.push(st),
      },
      { backoffMinMs: 50, backoffMaxMs: 200 },
    );
    const running = r.run(ac.signal);
    try {
      await until('watching after a relist', () => states.filter((x) => x === 'listing').length >= 2 && r.state === 'watching', 60_000);
      assert.equal(refused, 1);
      assert.ok(states.includes('backoff'), `states: ${states.join(' → ')}`);
      await w.flush();
      const s = new Store(db, { readonly: true });
      try {
        await assertStoreEqualsList(lab, s, 'lab-3', 'lab-3', ['pods']);
      } finally {
        s.close();
      }
    } finally {
      ac.abort();
      await running;
      conn.close();
      await w.close();
    }
  });

  it('a large fleet: kinds outside the map and tables are polled (never said to be watching) until a view shows the cluster', async () => {
    // allLiveUpTo 0: this one-cluster fleet behaves as one larger than the threshold does.
    const entries = discover({ useDefault: false, files: [lab.cluster('lab-3').kubeconfigs.admin], folders: [] }).entries;
    const db = join(dir, 'tiered.db');
    const w = new ThreadedStore(STORE_THREAD, { dbPath: db });
    await w.ready();
    const tiered = new FleetSync(w, { trust, execCache: new ExecCredentialCache() }, { allLiveUpTo: 0, reflector: { watchSeconds: 60 } });
    const s = new Store(db, { readonly: true });
    try {
      await tiered.setEntries(entries);
      const [st] = await tiered.settled(120_000);
      assert.equal(st!.status, 'live', st!.message);
      // the map's and tables' kinds watched, the others listed (complete as of their list) but polled
      for (const k of ['nodes', 'pods', 'apps/deployments', 'events', 'namespaces']) assert.equal(st!.kinds[k], 'watching', k);
      for (const k of ['services', 'configmaps', 'secrets', 'apps/replicasets']) assert.equal(st!.kinds[k], 'polled', k);
      await w.flush();
      await assertStoreEqualsList(lab, s, 'lab-3', st!.id, ['services', 'configmaps', 'pods']);
      // a page opens the cluster: its every kind is watched, from the last list (no relist needed)
      tiered.setFocus([st!.id]);
      await until('services watched once in focus', () => tiered.statuses()[0]!.kinds.services === 'watching');
      const c = adminClient(lab.cluster('lab-3'));
      try {
        await c.request('POST', '/api/v1/namespaces/default/services', {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'tiered-probe' },
          spec: { ports: [{ port: 80 }] },
        });
        // watched: the new Service reaches the cache within seconds, not at the next poll
        await until(
          'the new Service in the cache',
          async () => {
            await w.flush();
            return s.findByName(st!.id, 'services', 'default', 'tiered-probe') !== undefined;
          },
          30_000,
        );
        await c.request('DELETE', '/api/v1/namespaces/default/services/tiered-probe');
      } finally {
        c.close();
      }
      // the page goes: back to polling, the cluster still live
      tiered.setFocus([]);
      await until('services polled again', () => tiered.statuses()[0]!.kinds.services === 'polled');
      assert.equal(tiered.statuses()[0]!.status, 'live');
    } finally {
      await tiered.stop();
      s.close();
      await w.close();
    }
  });

  it('kill -9 of the sync process: the next run opens the cache, resumes, and equals a fresh list', async () => {
    const db = join(dir, 'killed.db');
    const args = [CLI, 'sync', '--db', db, '--kubeconfig', lab.cluster('lab-3').kubeconfigs.admin, '--data-dir', dir];
    const child = spawn(process.execPath, [...args, '--watch'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    await until('live', () => /\tlive/.test(err), 120_000);
    await lab.chaos('lab-3', 'churn', [], { rate: 20, seconds: 2 });
    process.kill(child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // Changes while no one watches.
    await lab.chaos('lab-3', 'rollout', ['web/frontend']);
    await lab.chaos('lab-3', 'churn', [], { rate: 20, seconds: 2 });
    const { stdout } = await run(process.execPath, [...args, '--once']);
    assert.match(stdout, /synced 1\/1 clusters/);
    const s = new Store(db, { readonly: true });
    try {
      const id = s.clusters()[0]!.id;
      await assertStoreEqualsList(lab, s, 'lab-3', id, KINDS);
    } finally {
      s.close();
    }
  });

  it('per-node requested cpu, memory and nvidia.com/gpu equal kubectl describe node (gpu profile)', async () => {
    const id = idOf('lab-1');
    const kubectl = lab.state.bin.kubectl;
    const kc = lab.cluster('lab-1').kubeconfigs.admin;
    // Both sides are read at slightly different moments: compare until they agree (pods of the
    // earlier rollout may still be terminating), and show both pod lists if they never do.
    let mismatch = '';
    const compare = async (): Promise<boolean> => {
      const summary = summarize(store, Date.now()).clusters.find((c) => c.id === id)!;
      assert.equal(summary.nodes.length, 10);
      assert.ok(summary.summary.pending.pods >= 2, 'the 8-GPU Job stays Pending, counted as queued demand');
      for (const n of summary.nodes) {
        const { stdout } = await run(kubectl, ['--kubeconfig', kc, 'describe', 'node', n.name]);
        const block = stdout.slice(stdout.indexOf('Allocated resources:'));
        const req = (res: string) => {
          const m = new RegExp(`^\\s+${res.replace(/\./g, '\\.')}\\s+(\\S+)`, 'm').exec(block);
          return m ? parseQuantity(m[1]!) : 0;
        };
        const pairs: [string, number, number][] = [
          ['cpu', n.resources.cpu!.requested, Math.round(req('cpu') * 1000)],
          ['memory', n.resources.memory!.requested, req('memory')],
          ['nvidia.com/gpu', n.resources['nvidia.com/gpu']?.requested ?? 0, req('nvidia.com/gpu')],
        ];
        for (const [r, ours, theirs] of pairs) {
          if (ours !== theirs) {
            const inStore = store.objects(id, 'pods', { node: n.name }).map((p) => `${p.namespace}/${p.name}:${p.phase}`);
            mismatch = `${n.name} ${r}: ours ${ours}, kubectl ${theirs}; store pods: ${inStore.join(' ')}; kubectl: ${stdout.slice(stdout.indexOf('Non-terminated Pods:'), stdout.indexOf('Allocated resources:'))}`;
            return false;
          }
        }
      }
      return true;
    };
    const deadline = Date.now() + 30_000;
    let ok = await compare();
    while (!ok && Date.now() < deadline) {
      await sleep(2000);
      ok = await compare();
    }
    assert.ok(ok, mismatch);
  });
});
