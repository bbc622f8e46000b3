// Fleet mode: slim real control planes on one shared etcd, aliases of them through the forwarder,
// faults of several members at once, churn across the fleet, and a down that leaves nothing running.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Lab } from '../src/lab.ts';
import { adminClient } from '../src/cluster.ts';
import { aliasClient } from '../src/fleet.ts';
import type { KubeClient } from '../src/kube.ts';
import { isAlive, rssBytes, type ProcRecord } from '../src/proc.ts';
import { readState } from '../src/state.ts';
import { until } from '../src/until.ts';

const run = promisify(execFile);
const log = process.env.LAB_TEST_VERBOSE ? (s: string) => process.stderr.write(s) : () => {};
const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;

describe('lab fleet: 2 real control planes + 6 aliases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-lab-fleet-'));
  let lab: Lab;

  before(async () => {
    lab = await Lab.up({ dir, fleet: { real: 2, aliases: 6 }, log });
  });

  after(async () => {
    // Also when up failed half-way (lab unset): stop what the state on disk records.
    await (lab ?? Lab.open(dir))?.down({ removeFiles: true });
    rmSync(dir, { recursive: true, force: true });
  });

  /** A client for a member, real or alias. */
  const clientOf = (name: string): KubeClient => {
    const a = lab.alias(name);
    return a ? aliasClient(a, lab.cluster(a.aliasOf)) : adminClient(lab.cluster(name), 4);
  };
  const nodeCount = async (name: string, timeoutMs = 5000): Promise<number> => {
    const c = clientOf(name);
    try {
      return (await c.request('GET', '/api/v1/nodes', undefined, 'application/json', timeoutMs)).items.length as number;
    } finally {
      c.close();
    }
  };
  /** The error code of a request that must fail (ECONNREFUSED, ECONNRESET, a timeout...). */
  const failure = async (name: string, timeoutMs = 3000): Promise<string> => {
    try {
      await nodeCount(name, timeoutMs);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return err.code ?? err.message;
    }
    return 'answered';
  };

  it('status: which clusters are real, which are aliases of which; one shared etcd, kwok only', () => {
    const st = lab.status();
    const f = st.fleet!;
    assert.deepEqual(f.real, ['fleet-001', 'fleet-002']);
    assert.equal(f.aliases.length, 6);
    assert.equal(st.clusters.length, 2);
    for (const c of st.clusters) {
      assert.equal(c.phase, 'ready');
      assert.deepEqual(
        c.processes.map((p) => p.name).sort(),
        ['kube-apiserver', 'kwok'],
        'no etcd, controller-manager or scheduler of its own',
      );
      assert.ok(c.processes.every((p) => p.alive));
      assert.equal(c.aliases!.length, 3);
    }
    for (const a of f.aliases) {
      assert.match(a.server, /^https:\/\/127\.0\.1\.\d+:\d+$/);
      assert.ok(f.real.includes(a.aliasOf));
      assert.equal(a.realServer, lab.cluster(a.aliasOf).server);
      assert.equal(a.reachable, true);
    }
    assert.equal(new Set(f.aliases.map((a) => a.server)).size, 6);
    assert.ok(f.etcd.alive && f.forwarder.alive);
    // Both apiservers use the one etcd, each under its own prefix.
    const [a, b] = lab.state.clusters;
    assert.equal(a!.ports.etcd, b!.ports.etcd);
    assert.notEqual(f.etcd.prefixes[a!.name], f.etcd.prefixes[b!.name]);
    assert.ok(a!.procs['kube-apiserver']!.args.includes(`--etcd-prefix=${f.etcd.prefixes[a!.name]}`));
    const api = rssBytes(a!.procs['kube-apiserver']!.pid);
    const kwok = rssBytes(a!.procs.kwok!.pid);
    console.log(
      `fleet: slim kube-apiserver RSS ${mib(api)}, kwok ${mib(kwok)}, shared etcd ${mib(f.etcd.rssBytes)}, forwarder ${mib(f.forwarder.rssBytes)}`,
    );
  });

  it('every alias answers with the same nodes as its real cluster (lab client and kubectl with tls-server-name)', async () => {
    const f = lab.status().fleet!;
    const realCounts = Object.fromEntries(await Promise.all(f.real.map(async (n) => [n, await nodeCount(n)] as const)));
    for (const n of f.real) assert.equal(realCounts[n], 3);
    for (const a of f.aliases) assert.equal(await nodeCount(a.name), realCounts[a.aliasOf], a.name);
    // A node created in a real cluster shows through its aliases (the same server).
    const c = adminClient(lab.cluster('fleet-001'));
    try {
      await c.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'extra-1', annotations: { 'kwok.x-k8s.io/node': 'fake' } } });
    } finally {
      c.close();
    }
    for (const a of f.aliases.filter((x) => x.aliasOf === 'fleet-001')) assert.equal(await nodeCount(a.name), 4, a.name);
    const alias = f.aliases.find((x) => x.aliasOf === 'fleet-002')!;
    const { stdout } = await run(lab.state.bin.kubectl, [
      '--kubeconfig',
      f.kubeconfig,
      '--context',
      alias.name,
      'get',
      'nodes',
      '-o',
      'name',
    ]);
    assert.equal(stdout.trim().split('\n').length, 3);
    // The merged kubeconfig has the aliases too.
    const { stdout: v } = await run(lab.state.bin.kubectl, [
      '--kubeconfig',
      lab.state.merged,
      '--context',
      alias.name,
      'get',
      'ns',
      '-o',
      'name',
    ]);
    assert.match(v, /namespace\/fleet-demo/);
  });

  it('a fault takes K members away at once (refused / reset) and brings them back', async () => {
    const f = lab.status().fleet!;
    const of2 = f.aliases.filter((a) => a.aliasOf === 'fleet-002').map((a) => a.name);
    const of1 = f.aliases.filter((a) => a.aliasOf === 'fleet-001').map((a) => a.name);
    // An open connection through an alias is reset when the alias goes.
    const watcher = clientOf(of1[0]!);
    const watchEnd = watcher
      .watch('/api/v1/namespaces/fleet-demo/pods', '0', () => {}, { timeoutSeconds: 60 })
      .then(
        (code) => `ended ${code}`,
        (e: NodeJS.ErrnoException) => e.code ?? e.message,
      );
    await new Promise((r) => setTimeout(r, 500));
    const away = ['fleet-002', of1[0]!, of1[1]!];
    const r = await lab.fleetFault(away);
    assert.deepEqual(r.real, ['fleet-002']);
    assert.deepEqual(r.aliases.sort(), [of1[0], of1[1]].sort());
    assert.match(await watchEnd, /ECONNRESET|aborted|socket hang up|ended/);
    watcher.close();
    for (const n of away) assert.equal(await failure(n), 'ECONNREFUSED', n);
    // fleet-002's own aliases: the forwarder listens, but the real server is gone: reset.
    for (const n of of2) assert.match(await failure(n), /ECONNRESET|socket hang up/, n);
    assert.equal(await nodeCount('fleet-001'), 4);
    assert.equal(await nodeCount(of1[2]!), 4);
    const st = lab.status().fleet!;
    assert.equal(st.aliases.filter((a) => a.down).length, 2);
    assert.equal(st.aliases.filter((a) => !a.reachable).length, 2 + of2.length);
    await lab.fleetRestore();
    for (const n of lab.fleetMembers()) await until(`${n} answers`, async () => (await nodeCount(n)) >= 3, 30_000);
    assert.equal(
      lab.status().fleet!.aliases.every((a) => a.reachable),
      true,
    );
  });

  it('pause mode freezes a real apiserver (requests hang), restore thaws it', async () => {
    await lab.fleetFault(['fleet-001'], { mode: 'pause' });
    assert.match(await failure('fleet-001', 1500), /timed out/);
    await lab.fleetRestore(['fleet-001']);
    assert.equal(await nodeCount('fleet-001'), 4);
  });

  it('churn across the fleet at a stated rate, with node flaps', async () => {
    const r = await lab.fleetChurn({ rate: 10, seconds: 4, flapEverySeconds: 2 });
    console.log(
      `fleet churn: ${r.rate} ops/s over ${r.clusters.length} real clusters (${r.perCluster} ops/s each), ` +
        `${r.seenRate} ops/s seen through the aliases; ${r.flaps} node flaps; ${JSON.stringify(r.totals)}`,
    );
    assert.equal(r.clusters.length, 2);
    assert.equal(r.totals.errors, 0);
    assert.ok(r.totals.created! > 0 && r.totals.deleted! > 0 && r.totals.events! > 0, JSON.stringify(r.totals));
    assert.ok(r.flaps >= 1);
    assert.equal(r.seenRate, 40);
  });

  it('down stops every process, by PID: apiservers, kwoks, the shared etcd, the forwarder', async () => {
    const f = lab.state.fleet!;
    const all: ProcRecord[] = [...lab.state.clusters.flatMap((c) => Object.values(c.procs)), f.etcd!, f.forwarder!];
    assert.equal(all.length, 6);
    assert.ok(all.every((p) => isAlive(p)));
    const r = await lab.down();
    assert.equal(r.stopped, 6);
    for (const p of all) assert.equal(isAlive(p), false, `${p.name} ${p.pid} still alive`);
    const s = readState(dir)!;
    assert.equal(s.clusters.length, 0);
    assert.equal(s.fleet, undefined);
  });
});
