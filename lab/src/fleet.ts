// Fleet mode: many clusters on one machine. A few real, slimmed control planes (one kube-apiserver and
// one kwok each, all keeping their keys in ONE shared etcd under their own --etcd-prefix; no
// controller-manager or scheduler), and aliases: the same real apiservers reachable again at other
// loopback addresses through the lab's forwarder daemon (forwarder.ts), each with its own kubeconfig
// cluster entry, so a console sees a fleet of 100 and more distinct clusters.
import { freemem, totalmem, cpus } from 'node:os';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeClient, KubeError, pool, retry, type KObj } from './kube.ts';
import { nodeObject, roster } from './profiles/nodes.ts';
import { isAlive } from './proc.ts';
import type { AliasRecord, ClusterRecord, FleetState } from './state.ts';
import { pkiOf } from './cluster.ts';

/** The name every fleet member's TLS is checked against (a DNS SAN of each lab apiserver certificate). */
export const FLEET_TLS_SERVER_NAME = 'kubernetes';
/** Namespace of the fleet clusters' pods. */
export const FLEET_NAMESPACE = 'fleet-demo';
export const FLEET_DEFAULTS = { nodes: 3, podsPerNode: 2 };

export function fleetEtcdArgs(f: Pick<FleetState, 'etcdDir' | 'etcdPorts'>): string[] {
  const { client, peer } = f.etcdPorts;
  return [
    '--name=fleet',
    `--data-dir=${f.etcdDir}`,
    `--listen-client-urls=http://127.0.0.1:${client}`,
    `--advertise-client-urls=http://127.0.0.1:${client}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=fleet=http://127.0.0.1:${peer}`,
    '--listen-metrics-urls=',
    '--unsafe-no-fsync=true',
    '--snapshot-count=10000',
    '--quota-backend-bytes=4294967296',
    // Many apiservers' watches on one etcd.
    '--max-request-bytes=10485760',
    '--log-level=warn',
  ];
}

export async function waitEtcdAt(port: number, alive: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('the fleet etcd exited');
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      if (r.ok && ((await r.json()) as { health?: string }).health === 'true') return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error(`the fleet etcd is not healthy after ${timeoutMs} ms`);
}

/** Nodes (CPU only) and pods bound to them by name: a fleet cluster needs no scheduler. */
export function fleetSeed(cluster: string, nodes: number, podsPerNode: number, kubeVersion: string): { nodes: KObj[]; objects: KObj[] } {
  const nodeObjs = roster('storage', nodes, kubeVersion).map((n) => nodeObject(n, cluster, kubeVersion));
  const objects: KObj[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: FLEET_NAMESPACE } }];
  for (const n of nodeObjs)
    for (let i = 0; i < podsPerNode; i++)
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `app-${n.metadata.name}-${i}`, namespace: FLEET_NAMESPACE, labels: { app: 'fleet-demo' } },
        spec: {
          nodeName: n.metadata.name,
          containers: [{ name: 'app', image: 'registry.lab.local/fleet-demo:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
          terminationGracePeriodSeconds: 0,
        },
      });
  return { nodes: nodeObjs, objects };
}

/**
 * Nodes first, Ready (kwok manages them), then the pods bound to them; every pod Running. A pod that
 * kwok missed (created while it was still catching up on its node) is created again.
 */
export async function seedFleetCluster(c: KubeClient, seed: { nodes: KObj[]; objects: KObj[] }, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const create = (o: KObj) =>
    retry(async () => {
      try {
        await c.create(o);
      } catch (e) {
        if (!(e instanceof KubeError && e.code === 409)) throw e;
      }
    }, `${o.kind} ${o.metadata.name}`);
  await pool(seed.nodes, 4, create);
  for (;;) {
    const nodes = (await c.listAll('/api/v1/nodes')).items;
    const ready = nodes.filter((n) => n.status?.conditions?.some((x: KObj) => x.type === 'Ready' && x.status === 'True')).length;
    if (ready >= seed.nodes.length) break;
    if (Date.now() > deadline) throw new Error(`fleet cluster did not settle: nodes ready ${ready}/${seed.nodes.length}`);
    await sleep(200);
  }
  const pods = seed.objects.filter((o) => o.kind === 'Pod');
  await pool(
    seed.objects.filter((o) => o.kind !== 'Pod'),
    4,
    create,
  );
  await pool(pods, 4, create);
  let since = Date.now();
  for (;;) {
    const listed = (await c.listAll(`/api/v1/namespaces/${FLEET_NAMESPACE}/pods`)).items;
    const stuck = listed.filter((p) => p.status?.phase !== 'Running');
    if (listed.length >= pods.length && stuck.length === 0) return;
    if (Date.now() > deadline) throw new Error(`fleet cluster did not settle: pods running ${listed.length - stuck.length}/${pods.length}`);
    if (Date.now() - since > 10_000) {
      for (const p of stuck) await c.delete(`/api/v1/namespaces/${FLEET_NAMESPACE}/pods/${p.metadata.name}?gracePeriodSeconds=0`);
      await pool(
        pods.filter((o) => stuck.some((p) => p.metadata.name === o.metadata.name)),
        4,
        create,
      );
      since = Date.now();
    }
    await sleep(300);
  }
}

/** A port free on a loopback address right now. */
export function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The loopback address of the i-th alias (0-based): 127.0.1.1 … 127.0.1.254, then 127.0.2.1 … */
export function aliasHost(i: number): string {
  return `127.0.${1 + Math.floor(i / 254)}.${1 + (i % 254)}`;
}

export function aliasClient(alias: AliasRecord, real: ClusterRecord, maxSockets = 4): KubeClient {
  const p = pkiOf(real);
  return new KubeClient(
    { server: alias.server, ca: p.ca.cert, cert: p.admin.cert, key: p.admin.key, servername: FLEET_TLS_SERVER_NAME },
    maxSockets,
  );
}

export async function forwarderCall(f: FleetState, method: 'GET' | 'POST', path: string, body?: unknown): Promise<KObj> {
  const init: RequestInit = { method, headers: { 'Content-Type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const r = await fetch(`http://127.0.0.1:${f.controlPort}${path}`, init);
  const j = (await r.json()) as KObj;
  if (!r.ok) throw new Error(`forwarder ${path}: ${r.status} ${j.error ?? ''}`);
  return j;
}

export function forwarderAlive(f: FleetState): boolean {
  return !!f.forwarder && isAlive(f.forwarder);
}

/**
 * How many real control planes fit, from the measured RSS of one (apiserver + kwok): at most half the
 * memory available now, and — the tighter bound on small machines — a CPU bound: an idle slim
 * apiserver with its kwok (heartbeats, leases) costs a few percent of a core, and the console syncing
 * the fleet needs the rest; 5 control planes per core.
 */
export function chooseDefaultReal(perClusterBytes: number, wanted: number): { real: number; reason: string } {
  const memBudget = Math.min(freemem(), totalmem() * 0.75) * 0.5;
  const byMemory = Math.max(1, Math.floor(memBudget / Math.max(perClusterBytes, 1)));
  const byCpu = Math.max(1, cpus().length * 5);
  const real = Math.max(1, Math.min(wanted, byMemory, byCpu));
  const reason =
    `${(perClusterBytes / 1048576).toFixed(0)} MiB per real cluster (apiserver + kwok); ` +
    `memory allows ${byMemory} (half of ${(memBudget / 1073741824 / 0.5).toFixed(1)} GiB available), ` +
    `CPU allows ${byCpu} (5 per core × ${cpus().length})`;
  return { real, reason };
}
