// Chaos verbs: the failures a fleet console must survive, applied to a real lab cluster.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BinPaths } from './build.ts';
import { adminClient, startComponent, waitApiserver, CUSTOM_STATUS } from './cluster.ts';
import { KubeError, retry, type KObj } from './kube.ts';
import { isAlive, stopProcess } from './proc.ts';
import type { ClusterRecord } from './state.ts';
import { customPodStatus } from './profiles/index.ts';
import { STATUS_LABEL } from './profiles/builders.ts';

export const CHAOS_VERBS = [
  'restart-apiserver',
  'stop-apiserver',
  'start-apiserver',
  'compact',
  'node-notready',
  'node-ready',
  'rollout',
  'delete-node',
  'churn',
] as const;

export interface ChaosOptions {
  /** churn: operations a second, for how long */
  rate?: number;
  seconds?: number;
  /** rollout: the new image of the first container (default: the same image with a new tag) */
  image?: string;
  /** rollout: the new pods crash-loop (as a bad image would make them); their kubelet status is the lab's */
  crashloop?: boolean;
}

export interface ChaosResult {
  verb: string;
  cluster: string;
  ms: number;
  detail: Record<string, unknown>;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function etcdCall(rec: ClusterRecord, path: string, body: unknown): Promise<KObj> {
  const r = await fetch(`http://127.0.0.1:${rec.ports.etcd}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const j = (await r.json()) as KObj;
  if (!r.ok) throw new Error(`etcd ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

async function stopApiserver(rec: ClusterRecord, persist: () => Promise<void>): Promise<void> {
  const p = rec.procs['kube-apiserver'];
  if (p && isAlive(p)) await stopProcess(p, 15_000);
  if (!rec.stopped.includes('kube-apiserver')) rec.stopped.push('kube-apiserver');
  await persist();
}

async function startApiserver(rec: ClusterRecord, bin: BinPaths, persist: () => Promise<void>): Promise<void> {
  const p = rec.procs['kube-apiserver'];
  if (!p || !isAlive(p)) {
    rec.procs['kube-apiserver'] = startComponent(rec, bin, 'kube-apiserver');
  }
  rec.stopped = rec.stopped.filter((c) => c !== 'kube-apiserver');
  await persist();
  await waitApiserver(rec);
}

function ts(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

async function setNodeReady(rec: ClusterRecord, node: string, ready: boolean): Promise<KObj> {
  const c = adminClient(rec, 2);
  try {
    const path = `/api/v1/nodes/${encodeURIComponent(node)}`;
    const n = await c.get(path);
    // While the annotation is set, kwok leaves the node's status alone (as if its kubelet were gone).
    await c.mergePatch(path, { metadata: { annotations: { [CUSTOM_STATUS.key]: ready ? null : CUSTOM_STATUS.value } } });
    const now = ts();
    const conditions = (n.status?.conditions ?? []).map((x: KObj) =>
      x.type === 'Ready'
        ? {
            ...x,
            status: ready ? 'True' : 'False',
            reason: ready ? 'KubeletReady' : 'KubeletNotReady',
            message: ready
              ? 'kubelet is posting ready status'
              : 'lab chaos: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady',
            lastHeartbeatTime: now,
            lastTransitionTime: x.status === (ready ? 'True' : 'False') ? x.lastTransitionTime : now,
          }
        : { ...x, lastHeartbeatTime: now },
    );
    return await c.mergePatch(`${path}/status`, { status: { conditions } });
  } finally {
    c.close();
  }
}

/** Write CrashLoopBackOff into the pods of a rollout (image `image`) once they are scheduled; how many. */
async function crashloopNewPods(c: ReturnType<typeof adminClient>, namespace: string, image: string): Promise<number> {
  const deadline = Date.now() + 60_000;
  const done = new Set<string>();
  for (;;) {
    const pods = await c.listAll(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, {
      labelSelector: `${STATUS_LABEL}=crashloop`,
    });
    const mine = pods.items.filter((p: KObj) => p.spec?.containers?.[0]?.image === image && !p.metadata.deletionTimestamp);
    for (const p of mine) {
      if (done.has(p.metadata.uid) || !p.spec.nodeName) continue;
      await c.mergePatch(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(p.metadata.name)}/status`, {
        status: customPodStatus(p, 'crashloop'),
      });
      done.add(p.metadata.uid);
    }
    // The Deployment creates new pods up to its surge; stop once those are all crash-looping.
    if (done.size > 0 && mine.every((p: KObj) => done.has(p.metadata.uid))) return done.size;
    if (Date.now() > deadline) {
      if (done.size) return done.size;
      throw new Error(`rollout: no pod with image ${image} was scheduled within 60 s`);
    }
    await sleep(500);
  }
}

async function churn(rec: ClusterRecord, rate: number, seconds: number): Promise<Record<string, number | string>> {
  if (!(rate > 0) || !(seconds > 0)) throw new Error('churn needs --rate R (ops/s) and --seconds S, both > 0');
  const c = adminClient(rec, 8);
  const counts = { created: 0, updated: 0, deleted: 0, events: 0, errors: 0 };
  let firstError = '';
  const ns = 'lab-churn';
  const t0 = Date.now();
  let setupMs = 0;
  try {
    await retry(() => c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }), 'namespace');
    // Pods are refused until the controller-manager has created the namespace's default ServiceAccount.
    await retry(async () => {
      if (!(await c.getOrNull(`/api/v1/namespaces/${ns}/serviceaccounts/default`))) throw new Error('no default ServiceAccount yet');
    }, `ServiceAccount ${ns}/default`);
    setupMs = Date.now() - t0;
    const live: string[] = [];
    const end = Date.now() + seconds * 1000;
    const interval = 1000 / rate;
    let next = Date.now();
    let i = 0;
    const inflight = new Set<Promise<void>>();
    while (Date.now() < end) {
      const op = i % 4;
      const n = i++;
      const task = (async () => {
        try {
          if (op === 0 || live.length < 3) {
            const name = `churn-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
            await c.create({
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name, namespace: ns, labels: { app: 'churn', gen: '0' } },
              spec: {
                containers: [{ name: 'c', image: 'registry.lab.local/churn:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
                terminationGracePeriodSeconds: 0,
              },
            });
            live.push(name);
            counts.created++;
          } else if (op === 1) {
            const name = live[n % live.length]!;
            await c.mergePatch(`/api/v1/namespaces/${ns}/pods/${name}`, { metadata: { labels: { gen: String(n) } } });
            counts.updated++;
          } else if (op === 2) {
            const name = live.shift()!;
            await c.delete(`/api/v1/namespaces/${ns}/pods/${name}?gracePeriodSeconds=0`);
            counts.deleted++;
          } else {
            await c.create({
              apiVersion: 'v1',
              kind: 'Event',
              metadata: { name: `churn.${Date.now().toString(36)}${randomBytes(3).toString('hex')}`, namespace: ns },
              involvedObject: { kind: 'Pod', name: live[n % live.length]!, namespace: ns, apiVersion: 'v1' },
              type: n % 8 === 3 ? 'Warning' : 'Normal',
              reason: 'LabChurn',
              message: `churn operation ${n}`,
              source: { component: 'fleet-lab' },
              firstTimestamp: ts(),
              lastTimestamp: ts(),
              count: 1,
            });
            counts.events++;
          }
        } catch (e) {
          if (!(e instanceof KubeError && e.code === 404)) {
            counts.errors++;
            if (!firstError) firstError = (e as Error).message;
          }
        }
      })();
      inflight.add(task);
      void task.finally(() => inflight.delete(task));
      next += interval;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(inflight);
  } finally {
    c.close();
  }
  // setupMs: waiting for the namespace and its ServiceAccount (after an apiserver restart the
  // controller-manager may take a while to reconnect); loopMs: the churn itself, bounded by --seconds.
  const timing = { setupMs, loopMs: Date.now() - t0 - setupMs };
  return firstError ? { ...counts, ...timing, firstError } : { ...counts, ...timing };
}

export async function chaos(
  rec: ClusterRecord,
  bin: BinPaths,
  verb: string,
  args: string[],
  opts: ChaosOptions,
  persist: () => Promise<void>,
): Promise<ChaosResult> {
  const t0 = Date.now();
  const detail: Record<string, unknown> = {};
  const need = (what: string) => {
    if (!args[0]) throw new Error(`chaos ${verb} needs ${what}`);
    return args[0];
  };
  switch (verb) {
    case 'restart-apiserver':
      await stopApiserver(rec, persist);
      await startApiserver(rec, bin, persist);
      detail.pid = rec.procs['kube-apiserver']?.pid;
      break;
    case 'stop-apiserver':
      await stopApiserver(rec, persist);
      break;
    case 'start-apiserver':
      await startApiserver(rec, bin, persist);
      detail.pid = rec.procs['kube-apiserver']?.pid;
      break;
    case 'compact': {
      // Every watcher's last resourceVersion must fall behind the compacted revision and out of the
      // apiserver's watch cache: stop the apiserver (so nobody sees the write), advance etcd's
      // revision with a key outside the apiserver's prefix, compact to it, start a fresh apiserver
      // (whose watch cache starts at that revision). Resuming from an older RV then gets 410 Gone.
      await stopApiserver(rec, persist);
      const put = await etcdCall(rec, '/v3/kv/put', { key: b64('/fleet-lab/compact-marker'), value: b64(ts()) });
      const revision = String(put.header.revision);
      await etcdCall(rec, '/v3/kv/compaction', { revision, physical: true });
      detail.compactedRevision = revision;
      await startApiserver(rec, bin, persist);
      break;
    }
    case 'node-notready':
      await setNodeReady(rec, need('a node name'), false);
      detail.node = args[0];
      break;
    case 'node-ready':
      await setNodeReady(rec, need('a node name'), true);
      detail.node = args[0];
      break;
    case 'rollout': {
      const target = need('<namespace>/<deployment>');
      const [namespace, name] = target.split('/');
      if (!namespace || !name) throw new Error('rollout needs <namespace>/<deployment>');
      const c = adminClient(rec, 2);
      try {
        const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(name)}`;
        const d = await c.get(path);
        const containers = d.spec.template.spec.containers as KObj[];
        const image = String(containers[0]!.image);
        const m = /^(.*?)(?::([^:/@]+))?$/.exec(image)!;
        const newImage = opts.image ?? `${m[1]}:lab-${Date.now().toString(36)}`;
        // A crash-looping rollout: kwok leaves the new pods' status alone (the annotation), and the lab
        // writes the kubelet's CrashLoopBackOff into them once they are scheduled.
        const metadata = opts.crashloop
          ? { labels: { [STATUS_LABEL]: 'crashloop' }, annotations: { [CUSTOM_STATUS.key]: CUSTOM_STATUS.value } }
          : undefined;
        await c.request(
          'PATCH',
          path,
          {
            spec: {
              template: { ...(metadata ? { metadata } : {}), spec: { containers: [{ name: containers[0]!.name, image: newImage }] } },
            },
          },
          'application/strategic-merge-patch+json',
        );
        detail.from = image;
        detail.to = newImage;
        if (opts.crashloop) detail.crashlooping = await crashloopNewPods(c, namespace, newImage);
      } finally {
        c.close();
      }
      break;
    }
    case 'delete-node': {
      const node = need('a node name');
      const c = adminClient(rec, 2);
      try {
        await c.request('DELETE', `/api/v1/nodes/${encodeURIComponent(node)}`);
      } finally {
        c.close();
      }
      detail.node = node;
      break;
    }
    case 'churn':
      Object.assign(detail, await churn(rec, opts.rate ?? 5, opts.seconds ?? 10));
      break;
    default:
      throw new Error(`unknown chaos verb ${verb} (one of ${CHAOS_VERBS.join(', ')})`);
  }
  return { verb, cluster: rec.name, ms: Date.now() - t0, detail };
}
