// A fleet of 100 clusters synced LIVE at once by the console's real sync worker: R slim real control
// planes of the lab (one shared etcd, kwok only) and aliases of them (the lab's forwarder, other
// loopback addresses, their own kubeconfig entries). Every cluster's nodes in the cache equal what the
// API lists; a fault takes 30 away (they stop being live, the other 70 stay live); once they are back
// all 100 converge, with what changed during the fault.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Lab } from '../../lab/src/lab.ts';
import { adminClient } from '../../lab/src/cluster.ts';
import { aliasClient } from '../../lab/src/fleet.ts';
import type { KubeClient } from '../../lab/src/kube.ts';
import { rssBytes } from '../../lab/src/proc.ts';
import { until } from '../../lab/src/until.ts';
import { startSyncWorker } from './client.ts';
import { sourcesFromPaths } from '../fleet/sources.ts';
import { Store } from '../store/store.ts';
import { scratch } from '../views/fixtures.ts';

const run = promisify(execFile);
const TOTAL = 100;
/** real control planes (the rest are aliases); FLEET_REAL overrides */
const REAL = Number(process.env.FLEET_REAL ?? 10);
const log = process.env.LAB_TEST_VERBOSE ? (s: string) => process.stderr.write(s) : () => {};
const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe(`the sync worker keeps ${TOTAL} lab clusters live (${REAL} real + ${TOTAL - REAL} aliases)`, () => {
  const { dir, db, close } = scratch('fleet-100-');
  let lab: Lab;
  let store: Store;
  let worker: ReturnType<typeof startSyncWorker>;
  const t0 = Date.now();

  const statusOf = (context: string) => worker.statuses().find((s) => s.context === context);
  const clientOf = (name: string): KubeClient => {
    const a = lab.alias(name);
    return a ? aliasClient(a, lab.cluster(a.aliasOf), 2) : adminClient(lab.cluster(name), 2);
  };
  /** node names in the console's cache for one member */
  const cachedNodes = (name: string): Set<string> => new Set(store.objects(statusOf(name)!.id, 'nodes').map((o) => o.name));
  /** uid → resourceVersion of a kind as the API lists it for one member */
  const apiVersions = async (name: string, path: string): Promise<Map<string, string>> => {
    const c = clientOf(name);
    try {
      return new Map((await c.listAll(path)).items.map((o) => [o.metadata.uid as string, o.metadata.resourceVersion as string]));
    } finally {
      c.close();
    }
  };
  /** every member's cache equals its API's list: same uids and resourceVersions (retried while events are in flight) */
  const assertAllEqual = async (members: string[], timeoutMs: number, kinds = ['nodes']): Promise<void> => {
    let diff: string[] = [];
    const paths: Record<string, string> = { nodes: '/api/v1/nodes', pods: '/api/v1/pods' };
    await until(
      'every cache equals its API',
      async () => {
        diff = [];
        for (const m of members)
          for (const k of kinds) {
            const want = await apiVersions(m, paths[k]!);
            const have = store.versions(statusOf(m)!.id, k);
            if (want.size !== have.size || [...want].some(([u, rv]) => have.get(u) !== rv))
              diff.push(`${m} ${k}: ${have.size} cached vs ${want.size} listed`);
          }
        return diff.length === 0;
      },
      timeoutMs,
      1000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${diff.slice(0, 10).join('; ')}`);
    });
  };
  const labRss = () => {
    const st = lab.status();
    return st.clusters.reduce((a, c) => a + c.rssBytes, 0) + (st.fleet?.rssBytes ?? 0);
  };

  before(async () => {
    lab = await Lab.up({ dir: join(dir, 'lab'), fleet: { real: REAL, total: TOTAL }, parallel: 2, log });
    const upMs = Date.now() - t0;
    const st = lab.status();
    assert.equal(lab.fleetMembers().length, TOTAL);
    const api = st.clusters.map((c) => c.processes.find((p) => p.name === 'kube-apiserver')!.rssBytes);
    console.log(
      `fleet up in ${secs(upMs)}: ${st.fleet!.real.length} real + ${st.fleet!.aliases.length} aliases; ` +
        `slim apiserver RSS ${mib(Math.min(...api))}–${mib(Math.max(...api))}; lab total ${mib(labRss())}`,
    );
    store = new Store(db);
    const t1 = Date.now();
    worker = startSyncWorker({
      dbPath: db,
      dataDir: join(dir, 'data'),
      sources: sourcesFromPaths([st.fleet!.kubeconfig]),
      contexts: [],
      reflector: { watchSeconds: 120, backoffMaxMs: 3000 },
    });
    const live = await worker.settled(240_000, (s) => s.status === 'live');
    const notLive = live.filter((s) => s.status !== 'live');
    assert.equal(live.length, TOTAL);
    assert.deepEqual(
      notLive.map((s) => `${s.context}: ${s.status} ${s.message}`),
      [],
    );
    const heap = await worker.heap();
    console.log(
      `${TOTAL} clusters live in ${secs(Date.now() - t1)} (sync thread heap ${mib(heap.sync)}, store thread ${mib(heap.store ?? 0)}; ` +
        `test process RSS ${mib(rssBytes(process.pid))}; lab ${mib(labRss())})`,
    );
  });

  // Also when up failed half-way (lab unset): stop what the state on disk records.
  after(() => close(worker, store, () => (lab ?? Lab.open(join(dir, 'lab')))?.down({ removeFiles: true })));

  it('every cluster’s nodes in the cache equal what its API lists', async () => {
    const members = lab.fleetMembers();
    assert.equal(members.length, TOTAL);
    assert.equal(new Set(worker.statuses().map((s) => s.id)).size, TOTAL, 'a distinct cluster for each member');
    await assertAllEqual(members, 60_000, ['nodes', 'pods']);
    for (const m of members) assert.equal(cachedNodes(m).size, 3, m);
    // and what kubectl (the lab's own build of it) lists for each context, 4 at a time
    const kubeconfig = lab.status().fleet!.kubeconfig;
    const queue = [...members];
    const mismatches: string[] = [];
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        for (let m = queue.shift(); m; m = queue.shift()) {
          const { stdout } = await run(lab.state.bin.kubectl, ['--kubeconfig', kubeconfig, '--context', m, 'get', 'nodes', '-o', 'name']);
          const listed = new Set(
            stdout
              .split('\n')
              .filter(Boolean)
              .map((l) => l.replace(/^node\//, '')),
          );
          const cached = cachedNodes(m);
          if (listed.size !== cached.size || [...listed].some((n) => !cached.has(n)))
            mismatches.push(`${m}: kubectl ${listed.size}, cache ${cached.size}`);
        }
      }),
    );
    assert.deepEqual(mismatches, [], 'every cluster’s nodes in the cache equal kubectl get nodes');
  });

  it('churn across the fleet (pods, events, node flaps): all 100 stay live and their caches equal the API', async () => {
    const r = await lab.fleetChurn({ rate: 20, seconds: 10, flapEverySeconds: 4 });
    console.log(
      `fleet churn: ${r.rate} ops/s over ${r.clusters.length} real clusters (${r.perCluster} ops/s each), ` +
        `${r.seenRate} ops/s as the console sees it through the aliases; ${r.flaps} node flaps; ${JSON.stringify(r.totals)}`,
    );
    assert.equal(r.totals.errors, 0);
    assert.ok(r.totals.created! > 0 && r.flaps >= 1);
    assert.deepEqual(
      worker
        .statuses()
        .filter((s) => s.status !== 'live')
        .map((s) => `${s.context}: ${s.status}`),
      [],
    );
    await assertAllEqual(lab.fleetMembers(), 60_000, ['nodes', 'pods']);
  });

  it('a fault takes 30 away: they are not live, the other 70 stay live; back, all 100 converge with nothing lost', async () => {
    const st = lab.status().fleet!;
    const real = st.real;
    const aliasesOf = (r: string) => st.aliases.filter((a) => a.aliasOf === r).map((a) => a.name);
    // Two real clusters (and so their aliases too), every alias of a third, one alias of a fourth: 30.
    const away = [real[0]!, ...aliasesOf(real[0]!), real[1]!, ...aliasesOf(real[1]!), ...aliasesOf(real[2]!)];
    away.push(...aliasesOf(real[3]!).slice(0, 30 - away.length));
    assert.equal(away.length, 30);
    const stay = lab.fleetMembers().filter((m) => !away.includes(m));
    assert.equal(stay.length, 70);
    const tf = Date.now();
    await lab.fleetFault(away);
    await until('the 30 are not live', () => away.every((m) => statusOf(m)!.status !== 'live'), 90_000, 250);
    const detected = Date.now() - tf;
    const stayNotLive = stay.filter((m) => statusOf(m)!.status !== 'live');
    assert.deepEqual(stayNotLive, [], 'the other 70 stay live');
    for (const m of away) {
      const s = statusOf(m)!;
      assert.ok(['stale', 'unreachable'].includes(s.status), `${m}: ${s.status}`);
      assert.match(s.message ?? '', /watches down/, m);
    }
    // While they are away: changes in the real clusters whose aliases are (partly) away.
    const added: Record<string, string> = {};
    for (const r of [real[2]!, real[3]!]) {
      const c = adminClient(lab.cluster(r), 2);
      try {
        const name = `during-fault-${r}`;
        await c.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, annotations: { 'kwok.x-k8s.io/node': 'fake' } } });
        added[r] = name;
      } finally {
        c.close();
      }
    }
    // The 70 stay live for a while (and those that see the changes have them).
    const holdUntil = Date.now() + 10_000;
    while (Date.now() < holdUntil) {
      assert.deepEqual(
        stay.filter((m) => statusOf(m)!.status !== 'live'),
        [],
        'the other 70 stay live',
      );
      await new Promise((r) => setTimeout(r, 500));
    }
    await until('real[2] has its new node in the cache', () => cachedNodes(real[2]!).has(added[real[2]!]!), 30_000);
    const tr = Date.now();
    const back = await lab.fleetRestore();
    assert.equal(back.real.length + back.aliases.length, 30);
    await until('all 100 live again', () => worker.statuses().every((s) => s.status === 'live'), 180_000, 250);
    const recovered = Date.now() - tr;
    await assertAllEqual(lab.fleetMembers(), 60_000, ['nodes', 'pods']);
    for (const r of [real[2]!, real[3]!])
      for (const m of [r, ...aliasesOf(r)]) assert.ok(cachedNodes(m).has(added[r]!), `${m} has ${added[r]} created while it was away`);
    console.log(
      `fault of 30 (${away.filter((m) => !lab.alias(m)).length} real + ${away.filter((m) => lab.alias(m)).length} aliases): ` +
        `not live within ${secs(detected)}; restored (apiservers restarted, aliases listening) in ${secs(back.ms)}; ` +
        `all ${TOTAL} live again ${secs(recovered)} after the restore began; test process RSS ${mib(rssBytes(process.pid))}`,
    );
  });
});
