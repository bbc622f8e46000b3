// The lab's own tests, against real control planes it starts (and stops, by PID) itself.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lab } from '../src/lab.ts';
import { adminClient, tokenClient } from '../src/cluster.ts';
import { KubeError, type KObj } from '../src/kube.ts';
import { isAlive, type ProcRecord } from '../src/proc.ts';
import { readState } from '../src/state.ts';

const run = promisify(execFile);
const log = process.env.LAB_TEST_VERBOSE ? (s: string) => process.stderr.write(s) : () => {};

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await sleep(250);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

async function expectCode(p: Promise<unknown>, code: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof KubeError && e.code === code);
}

describe('lab: two mixed clusters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-lab-test-'));
  let lab: Lab;
  let procs: ProcRecord[] = [];

  before(async () => {
    lab = await Lab.up({ dir, clusters: 2, profile: 'mixed', log });
    procs = lab.state.clusters.flatMap((c) => Object.values(c.procs));
  });

  after(async () => {
    // Stop what we started even when a test failed; then check nothing is left.
    if (lab) await lab.down({ removeFiles: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('status lists both clusters with the fields other scripts rely on', () => {
    const st = lab.status();
    assert.equal(st.clusters.length, 2);
    assert.ok(existsSync(st.merged));
    assert.ok(existsSync(st.bin.kubectl!));
    for (const c of st.clusters) {
      assert.equal(c.phase, 'ready');
      assert.match(c.server, /^https:\/\/127\.0\.0\.1:\d+$/);
      for (const k of ['admin', 'restricted', 'exec'] as const) assert.ok(existsSync(c.kubeconfigs[k]), k);
      assert.ok(
        c.processes.every((p) => p.alive),
        'every process alive',
      );
    }
    assert.notEqual(st.clusters[0]!.server, st.clusters[1]!.server);
  });

  it('admin (client cert) sees the seeded nodes; kubectl works with the written kubeconfig', async () => {
    const rec = lab.cluster('lab-1');
    const c = adminClient(rec);
    try {
      const nodes = await c.listAll('/api/v1/nodes');
      assert.equal(nodes.items.length, 12);
      const ready = nodes.items.filter((n) => n.status.conditions.some((x: KObj) => x.type === 'Ready' && x.status === 'True'));
      assert.equal(ready.length, 12);
    } finally {
      c.close();
    }
    const { stdout } = await run(lab.state.bin.kubectl, ['--kubeconfig', rec.kubeconfigs.admin, 'get', 'nodes', '-o', 'name']);
    assert.equal(stdout.trim().split('\n').length, 12);
    // The merged file reaches both clusters through their own contexts.
    const { stdout: v } = await run(lab.state.bin.kubectl, [
      '--kubeconfig',
      lab.state.merged,
      '--context',
      'lab-2',
      'version',
      '-o',
      'json',
    ]);
    assert.equal(JSON.parse(v).serverVersion.gitVersion, lab.state.bin.kubernetesVersion);
  });

  it('restricted user (token): 403 on nodes, secrets and cluster storage, reads its namespaces', async () => {
    const c = tokenClient(lab.cluster('lab-1'), 'restricted');
    try {
      await expectCode(c.get('/api/v1/nodes'), 403);
      await expectCode(c.get('/api/v1/namespaces/web/secrets'), 403);
      await expectCode(c.get('/api/v1/persistentvolumes'), 403);
      await expectCode(c.get('/apis/storage.k8s.io/v1/storageclasses'), 403);
      await expectCode(c.get('/api/v1/pods'), 403); // cluster-wide
      await expectCode(c.get('/api/v1/namespaces/payments/pods'), 403); // not one of its namespaces
      const pods = await c.get('/api/v1/namespaces/web/pods');
      assert.ok(pods.items.length > 0);
      const nss = await c.get('/api/v1/namespaces');
      assert.ok(nss.items.length > 5);
    } finally {
      c.close();
    }
    const r = await run(lab.state.bin.kubectl, ['--kubeconfig', lab.cluster('lab-1').kubeconfigs.restricted, 'get', 'nodes']).catch(
      (e: { stderr: string }) => e,
    );
    assert.match((r as { stderr: string }).stderr, /forbidden/i);
  });

  it('exec-plugin user authenticates through the lab credential script', async () => {
    const rec = lab.cluster('lab-2');
    const before = existsSync(rec.exec.invocationLog) ? readFileSync(rec.exec.invocationLog, 'utf8').split('\n').length : 0;
    const { stdout } = await run(lab.state.bin.kubectl, ['--kubeconfig', rec.kubeconfigs.exec, 'get', 'nodes', '-o', 'name']);
    assert.equal(stdout.trim().split('\n').length, 12);
    const afterLines = readFileSync(rec.exec.invocationLog, 'utf8').split('\n').length;
    assert.ok(afterLines > before, 'the plugin ran');
    // Read-only: it cannot delete.
    const del = await run(lab.state.bin.kubectl, [
      '--kubeconfig',
      rec.kubeconfigs.exec,
      'delete',
      'namespace',
      'web',
      '--dry-run=server',
    ]).catch((e: { stderr: string }) => e);
    assert.match((del as { stderr: string }).stderr, /forbidden/i);
  });

  it('seeds GPUs, DRA, storage and broken things through the real API', async () => {
    const c = adminClient(lab.cluster('lab-1'));
    try {
      const nodes = (await c.listAll('/api/v1/nodes')).items;
      const gpuNodes = nodes.filter((n) => n.status.allocatable['nvidia.com/gpu']);
      assert.ok(gpuNodes.length >= 3);
      assert.ok(nodes.some((n) => n.status.allocatable['nvidia.com/mig-1g.10gb'] === '14'));
      assert.ok(
        nodes.some(
          (n) => n.metadata.labels['nvidia.com/gpu.sharing-strategy'] === 'time-slicing' && n.status.allocatable['nvidia.com/gpu'] === '16',
        ),
      );
      assert.ok(nodes.some((n) => n.status.allocatable['amd.com/gpu'] === '8'));
      assert.ok(
        nodes.some((n) => n.spec.unschedulable === true),
        'a cordoned node',
      );
      assert.ok(
        nodes.some((n) => /^v1\.33\./.test(n.status.nodeInfo.kubeletVersion)),
        'a skewed kubelet',
      );
      // kwok kept our capacity (it only fills in what is missing).
      assert.equal(nodes.find((n) => n.metadata.name === 'node-001')!.status.capacity.cpu, '32');

      const pods = (await c.listAll('/api/v1/pods')).items;
      const pendingGpu = pods.filter(
        (p) =>
          p.status.phase === 'Pending' &&
          !p.spec.nodeName &&
          p.spec.containers.some((x: KObj) => x.resources?.requests?.['nvidia.com/gpu']),
      );
      assert.ok(pendingGpu.length >= 1, 'GPU demand that does not fit stays Pending');
      assert.ok(pods.some((p) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff'));
      const running = pods.filter((p) => p.status.phase === 'Running');
      assert.ok(running.length > 50);

      const claims = (await c.listAll('/apis/resource.k8s.io/v1/resourceclaims')).items;
      const allocated = claims.filter((x) => x.status?.allocation?.devices?.results?.length);
      assert.ok(allocated.length >= 2, 'the scheduler allocated DRA claims');
      assert.ok(
        claims.some((x) => (x.status?.reservedFor?.length ?? 0) === 2),
        'a shared claim reserved by two pods',
      );
      const slices = (await c.listAll('/apis/resource.k8s.io/v1/resourceslices')).items;
      assert.ok(slices.length >= 1);

      const csinodes = (await c.listAll('/apis/storage.k8s.io/v1/csinodes')).items;
      assert.ok(csinodes.length < nodes.length, 'a node without CSINode');
      assert.ok(csinodes.some((x) => !x.spec.drivers.some((d: KObj) => d.name === 'cvmfs.csi.cern.ch')));
      const vas = (await c.listAll('/apis/storage.k8s.io/v1/volumeattachments')).items;
      assert.ok(vas.some((v) => v.status?.attached === true));
      assert.ok(vas.some((v) => v.status?.attachError?.message));
      const pvcs = (await c.listAll('/api/v1/persistentvolumeclaims')).items;
      const phases = new Set(pvcs.map((p) => p.status.phase));
      for (const ph of ['Bound', 'Pending', 'Lost']) assert.ok(phases.has(ph), `a ${ph} PVC (have ${[...phases]})`);
      const snaps = (await c.listAll('/apis/snapshot.storage.k8s.io/v1/volumesnapshots')).items;
      assert.ok(snaps.some((s) => s.status?.readyToUse === true));
      assert.ok(snaps.some((s) => s.status?.error?.message));
      const events = (await c.listAll('/api/v1/events', { fieldSelector: 'type=Warning' })).items;
      assert.ok(events.some((e) => /not found in the list of registered CSI drivers/.test(e.message)));
      assert.ok(
        events.some((e) => e.reason === 'FailedScheduling'),
        'the real scheduler reports unschedulable GPU pods',
      );
    } finally {
      c.close();
    }
  });

  it('pods serve logs (kwok), so kubectl logs works', async () => {
    const rec = lab.cluster('lab-1');
    const { stdout } = await run(lab.state.bin.kubectl, [
      '--kubeconfig',
      rec.kubeconfigs.admin,
      '-n',
      'web',
      'logs',
      'deploy/frontend',
      '--tail=5',
    ]);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[0]!, /lab-1 level=/);
  });

  it('a watch resuming after chaos compact receives 410 Gone', async () => {
    const rec = lab.cluster('lab-2');
    const c = adminClient(rec);
    let rv: string;
    try {
      const list = await c.get('/api/v1/namespaces/web/configmaps?limit=1');
      rv = list.metadata.resourceVersion;
      // Changes after our RV (another kind's watcher would have seen none of them).
      await c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-rv', namespace: 'web' }, data: { a: '1' } });
    } finally {
      c.close();
    }
    const r = await lab.chaos('lab-2', 'compact');
    assert.ok(Number(r.detail.compactedRevision) > Number(rv));
    const c2 = adminClient(lab.cluster('lab-2'));
    try {
      const events: KObj[] = [];
      const code = await c2.watch('/api/v1/namespaces/web/configmaps', rv, (ev) => events.push(ev), { timeoutSeconds: 5, bookmarks: true });
      const gone = code === 410 || events.some((e) => e.type === 'ERROR' && e.object.code === 410);
      assert.ok(gone, `expected 410, got HTTP ${code} and ${JSON.stringify(events.slice(0, 2))}`);
      // A fresh list works.
      const fresh = await c2.get('/api/v1/namespaces/web/configmaps');
      assert.ok(fresh.items.some((x: KObj) => x.metadata.name === 'after-rv'));
    } finally {
      c2.close();
    }
  });

  it('chaos rollout produces a new ReplicaSet and pods', async () => {
    const c = adminClient(lab.cluster('lab-1'));
    try {
      const before = (await c.get('/apis/apps/v1/namespaces/web/replicasets')).items.filter((x: KObj) =>
        x.metadata.name.startsWith('frontend-'),
      );
      const r = await lab.chaos('lab-1', 'rollout', ['web/frontend']);
      assert.notEqual(r.detail.from, r.detail.to);
      const newRs = await eventually('new ReplicaSet ready', async () => {
        const rss = (await c.get('/apis/apps/v1/namespaces/web/replicasets')).items as KObj[];
        const n = rss.find(
          (x) => x.metadata.name.startsWith('frontend-') && !before.some((b: KObj) => b.metadata.name === x.metadata.name),
        );
        return n && n.status.readyReplicas === 3 ? n : undefined;
      });
      const pods = (
        await c.get(`/api/v1/namespaces/web/pods?labelSelector=pod-template-hash=${newRs.metadata.labels['pod-template-hash']}`)
      ).items as KObj[];
      assert.equal(pods.filter((p) => p.status.phase === 'Running').length, 3);
      assert.ok(pods.every((p) => p.spec.containers[0].image === r.detail.to));
    } finally {
      c.close();
    }
  });

  it('node-notready / node-ready flip the node condition and kwok takes over again', async () => {
    const c = adminClient(lab.cluster('lab-1'));
    const ready = async () =>
      ((await c.get('/api/v1/nodes/node-002')).status.conditions as KObj[]).find((x) => x.type === 'Ready')!.status as string;
    try {
      await lab.chaos('lab-1', 'node-notready', ['node-002']);
      assert.equal(await ready(), 'False');
      // It stays NotReady (kwok does not heal it behind our back), and the node controller taints it.
      await eventually(
        'not-ready taint',
        async () => {
          const n = await c.get('/api/v1/nodes/node-002');
          return (n.spec.taints ?? []).some((t: KObj) => t.key === 'node.kubernetes.io/not-ready') || undefined;
        },
        30_000,
      );
      assert.equal(await ready(), 'False');
      await lab.chaos('lab-1', 'node-ready', ['node-002']);
      assert.equal(await ready(), 'True');
    } finally {
      c.close();
    }
  });

  it('stop-apiserver / start-apiserver; churn runs bounded in time', async () => {
    const rec = lab.cluster('lab-2');
    await lab.chaos('lab-2', 'stop-apiserver');
    const c = adminClient(rec);
    try {
      await assert.rejects(c.request('GET', '/readyz', undefined, 'application/json', 2000));
    } finally {
      c.close();
    }
    assert.equal(lab.status().clusters[1]!.processes.find((p) => p.name === 'kube-apiserver')!.stopped, true);
    await lab.chaos('lab-2', 'start-apiserver');
    const r = await lab.chaos('lab-2', 'churn', [], { rate: 20, seconds: 2 });
    const d = r.detail as Record<string, number>;
    // The churn loop is bounded by --seconds (plus its last in-flight requests); the setup before it
    // waits for the controller-manager, which on a loaded CI machine can take tens of seconds after
    // the apiserver restart, so it only has retry()'s own deadline.
    assert.ok(d.loopMs! < 20_000, JSON.stringify(d));
    assert.ok(d.created! > 0 && d.updated! > 0 && d.deleted! > 0 && d.events! > 0, JSON.stringify(d));
    assert.equal(d.errors, 0);
  });

  it('down stops every process it started, by PID', async () => {
    // (after() also runs down; doing it here lets us assert on it.)
    const all = lab.state.clusters.flatMap((c) => Object.values(c.procs));
    assert.ok(all.length >= procs.length);
    await lab.down();
    for (const p of all) assert.equal(isAlive(p), false, `${p.name} ${p.pid} still alive`);
    assert.equal(readState(dir)!.clusters.length, 0);
  });
});

describe('lab: down after the orchestrator crashed', () => {
  it('kill -9 of `lab up` mid-start, then `lab down` from state on disk stops everything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-lab-crash-'));
    const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
    const child = spawn(process.execPath, [cli, 'up', '--dir', dir, '--clusters', '1', '--profile', 'storage', '--nodes', '4'], {
      stdio: 'ignore',
    });
    try {
      // Wait until the apiserver is recorded, then kill the orchestrator without warning.
      await eventually('apiserver started', async () => readState(dir)?.clusters[0]?.procs['kube-apiserver'] ?? undefined, 120_000);
      process.kill(child.pid!, 'SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const recs = Object.values(readState(dir)!.clusters[0]!.procs);
      assert.ok(
        recs.some((p) => isAlive(p)),
        'processes outlive the orchestrator',
      );
      const { stdout } = await run(process.execPath, [cli, 'down', '--dir', dir]);
      assert.match(stdout, /stopped \d+ processes/);
      for (const p of recs) assert.equal(isAlive(p), false, `${p.name} ${p.pid} still alive`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      const st = readState(dir);
      if (st) await Lab.open(dir)!.down({ removeFiles: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
