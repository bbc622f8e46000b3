// Profiles: what a lab cluster holds, seeded through the real API, and when it counts as "up".
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeClient, KubeError, pool, retry, objectPath, type KObj } from '../kube.ts';
import { nodeObject, roster, type LabNode } from './nodes.ts';
import { gpuObjects } from './gpu.ts';
import { storageObjects, FAILING_ATTACH_PV } from './storage.ts';
import { fillerObjects, ordinaryObjects } from './workloads.ts';
import { BARE_LABEL, EXPECT_PARTIAL, SEED_LATE, STATUS_LABEL, event, ns } from './builders.ts';
import { CUSTOM_STATUS } from '../cluster.ts';

export const PROFILES = ['mixed', 'gpu', 'storage', 'scale'] as const;
export type Profile = (typeof PROFILES)[number];

export const PROFILE_DEFAULTS: Record<Profile, { nodes: number; podsPerNode: number }> = {
  mixed: { nodes: 12, podsPerNode: 6 },
  gpu: { nodes: 10, podsPerNode: 4 },
  storage: { nodes: 8, podsPerNode: 4 },
  scale: { nodes: 1000, podsPerNode: 30 },
};

export interface Seed {
  nodes: LabNode[];
  crds: KObj[];
  early: KObj[];
  nodeObjects: KObj[];
  objects: KObj[];
  statuses: KObj[];
  events: KObj[];
  notReadyPlugins: { namespace: string; app: string; node: string }[];
}

function replicasOnCpu(objs: KObj[]): number {
  let n = 0;
  for (const o of objs) {
    if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') continue;
    const spec = o.spec.template.spec;
    if (spec.tolerations?.length || spec.nodeName) continue;
    n += o.spec.replicas ?? 1;
  }
  return n;
}

export function buildSeed(profile: Profile, nodeCount: number, podsPerNode: number, cluster: string, kubeVersion: string): Seed {
  const nodes = roster(profile, nodeCount, kubeVersion);
  const seed: Seed = {
    nodes,
    crds: [],
    early: [],
    nodeObjects: nodes.map((n) => nodeObject(n, cluster, kubeVersion)),
    objects: [],
    statuses: [],
    events: [],
    notReadyPlugins: [],
  };
  const add = (part: Partial<Seed>) => {
    for (const k of ['crds', 'early', 'objects', 'statuses', 'events', 'notReadyPlugins'] as const) {
      if (part[k]) (seed[k] as unknown[]).push(...(part[k] as unknown[]));
    }
  };
  if (profile === 'gpu' || profile === 'mixed') add(gpuObjects(nodes));
  if (profile === 'storage' || profile === 'mixed') add(storageObjects(nodes));
  if (profile === 'mixed') add(ordinaryObjects(nodes));
  if (profile === 'scale') {
    // A few GPU workloads so accelerators show up at scale too.
    add(gpuObjects(nodes));
  }
  add({ objects: fillerObjects(nodes, podsPerNode, replicasOnCpu(seed.objects), profile) });
  // Every namespace an object lives in exists first.
  const have = new Set(seed.early.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  for (const o of [...seed.objects, ...seed.events]) {
    const n = o.metadata.namespace;
    if (n && !have.has(n)) {
      have.add(n);
      seed.early.unshift(ns(n));
    }
  }
  return seed;
}

const EARLY_ORDER = ['Namespace', 'CustomResourceDefinition'];

async function applyAll(c: KubeClient, objs: KObj[], concurrency: number, create = false): Promise<void> {
  await pool(objs, concurrency, (o) =>
    retry(
      async () => {
        if (!create) return c.apply(o);
        try {
          return await c.create(o);
        } catch (e) {
          if (e instanceof KubeError && e.code === 409) return undefined; // already there (re-seed)
          throw e;
        }
      },
      `${o.kind} ${o.metadata.namespace ? o.metadata.namespace + '/' : ''}${o.metadata.name}`,
      120_000,
    ),
  );
}

async function waitCrdsEstablished(c: KubeClient, crds: KObj[]): Promise<void> {
  for (const crd of crds) {
    await retry(
      async () => {
        const got = await c.get(objectPath(crd));
        const ok = (got.status?.conditions ?? []).some((x: KObj) => x.type === 'Established' && x.status === 'True');
        if (!ok) throw new Error('not established yet');
        // Discovery of the new group can lag behind Established.
        await c.get(`/apis/${crd.spec.group}/v1`);
      },
      `CRD ${crd.metadata.name}`,
      60_000,
    );
  }
}

const isLate = (o: KObj) => !!o.metadata.annotations?.[SEED_LATE];

/** Seed the queued demand (after settleCluster), see SEED_LATE. */
export async function seedLate(c: KubeClient, seed: Seed): Promise<number> {
  const late = seed.objects.filter(isLate);
  await applyAll(c, late, 8);
  return late.length;
}

/** Seed a freshly started cluster (all but the queued demand: seedLate). */
export async function seedCluster(c: KubeClient, seed: Seed, log: (s: string) => void = () => {}): Promise<void> {
  const big = seed.nodeObjects.length > 200;
  await applyAll(c, seed.crds, 4);
  await waitCrdsEstablished(c, seed.crds);
  const early = [...seed.early].sort((a, b) => EARLY_ORDER.indexOf(b.kind) - EARLY_ORDER.indexOf(a.kind));
  await applyAll(
    c,
    early.filter((o) => o.kind === 'Namespace'),
    8,
  );
  await applyAll(
    c,
    early.filter((o) => o.kind !== 'Namespace'),
    8,
  );
  log(`  ${seed.nodeObjects.length} nodes\n`);
  // Nodes are created (not applied) so that their status (capacity, nodeInfo) is stored as kubelet would.
  await applyAll(c, seed.nodeObjects, big ? 32 : 8, true);
  log(`  ${seed.objects.length} objects\n`);
  // Objects with their own order: PVs before the PVCs that name them happens to be irrelevant (the
  // PV controller reconciles), so one pass with bounded concurrency.
  await applyAll(
    c,
    seed.objects.filter((o) => !isLate(o)),
    big ? 32 : 8,
  );
  for (const s of seed.statuses) {
    await retry(() => c.mergePatch(`${objectPath(s)}/status`, { status: s.status }), `status of ${s.kind} ${s.metadata.name}`);
  }
  await applyAll(c, seed.events, 8, true);
}

function podIP(seedText: string): string {
  let h = 0;
  for (const ch of seedText) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `10.250.${(h >> 8) & 255}.${(h & 253) + 1}`;
}

/** Status the lab writes for pods it owns (crash loops, a NotReady CSI plugin, stuck mounts). */
export function customPodStatus(pod: KObj, which: string): KObj {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const earlier = new Date(Date.now() - 3 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const containers = pod.spec.containers as KObj[];
  const base = {
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    startTime: earlier,
    qosClass: 'Burstable',
  };
  const cond = (ready: boolean, reason?: string) => [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: earlier },
    { type: 'Initialized', status: 'True', lastTransitionTime: earlier },
    { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now, ...(reason ? { reason } : {}) },
    { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now, ...(reason ? { reason } : {}) },
  ];
  const ip = podIP(pod.metadata.name);
  const containerStatus = (
    c: KObj,
    digest: string,
    s: { ready: boolean; started: boolean; restartCount: number; state: KObj; lastState?: KObj },
  ) => ({
    name: c.name,
    image: c.image,
    imageID: `${c.image}@sha256:${digest.repeat(64)}`,
    ...s,
  });
  // The first container carries the failure; any others run normally.
  const healthy = (c: KObj) =>
    containerStatus(c, '2', { ready: true, started: true, restartCount: 0, state: { running: { startedAt: earlier } } });
  const running = (first: KObj) => ({
    ...base,
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    conditions: cond(false, 'ContainersNotReady'),
    containerStatuses: [first, ...containers.slice(1).map(healthy)],
  });
  const c0 = containers[0]!;
  switch (which) {
    case 'crashloop':
      return running(
        containerStatus(c0, '0', {
          ready: false,
          started: false,
          restartCount: 14,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off 5m0s restarting failed container=${c0.name} pod=${pod.metadata.name}_${pod.metadata.namespace}`,
            },
          },
          lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: earlier, finishedAt: now } },
        }),
      );
    case 'notready':
      return running(
        containerStatus(c0, '1', {
          ready: false,
          started: true,
          restartCount: 3,
          state: { running: { startedAt: earlier } },
          lastState: { terminated: { exitCode: 137, reason: 'Error', startedAt: earlier, finishedAt: earlier } },
        }),
      );
    default: // containercreating
      return {
        ...base,
        phase: 'Pending',
        conditions: cond(false, 'ContainersNotReady'),
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          started: false,
          restartCount: 0,
          state: { waiting: { reason: 'ContainerCreating' } },
        })),
      };
  }
}

/**
 * Drive the cluster to its seeded steady state and return when it is there: nodes Ready, workloads
 * available (except those expected to be partial), the lab-owned statuses written.
 */
export async function settleCluster(c: KubeClient, seed: Seed, timeoutMs: number, log: (s: string) => void = () => {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let attachDone = false;
  let lastReport = '';
  const vaWaitStart = Date.now();
  for (;;) {
    const pending: string[] = [];
    // 1. Lab-owned pod statuses.
    const custom = await c.listAll('/api/v1/pods', { labelSelector: STATUS_LABEL });
    for (const p of custom.items) {
      if (!p.spec.nodeName) {
        pending.push(`pod ${p.metadata.name} unscheduled`);
        continue;
      }
      if (p.status?.containerStatuses?.length) continue;
      await c.mergePatch(`/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`, {
        status: customPodStatus(p, p.metadata.labels[STATUS_LABEL]),
      });
      if (p.metadata.labels[STATUS_LABEL] === 'crashloop') {
        await c.create(
          event(
            { kind: 'Pod', name: p.metadata.name, namespace: p.metadata.namespace, uid: p.metadata.uid },
            'Warning',
            'BackOff',
            `Back-off restarting failed container ${p.spec.containers[0].name} in pod ${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})`,
            'kubelet',
            61,
          ),
        );
      }
    }
    for (const np of seed.notReadyPlugins) {
      const pods = await c.listAll(`/api/v1/namespaces/${np.namespace}/pods`, {
        labelSelector: `app=${np.app}`,
        fieldSelector: `spec.nodeName=${np.node}`,
      });
      const p = pods.items[0];
      if (!p) {
        pending.push(`${np.app} pod on ${np.node}`);
        continue;
      }
      if (p.metadata.labels?.[STATUS_LABEL]) continue;
      await c.mergePatch(`/api/v1/namespaces/${np.namespace}/pods/${p.metadata.name}`, {
        metadata: { labels: { [STATUS_LABEL]: 'notready' }, annotations: { [CUSTOM_STATUS.key]: CUSTOM_STATUS.value } },
      });
      await c.mergePatch(`/api/v1/namespaces/${np.namespace}/pods/${p.metadata.name}/status`, { status: customPodStatus(p, 'notready') });
      await c.create(
        event(
          { kind: 'Pod', name: p.metadata.name, namespace: np.namespace, uid: p.metadata.uid },
          'Warning',
          'Unhealthy',
          'Readiness probe failed: csi-node-driver-registrar: registration socket /registration/cvmfs.csi.cern.ch-reg.sock not found',
          'kubelet',
          40,
        ),
      );
    }
    // 2. VolumeAttachments: the attach/detach controller creates them; the lab answers as the external-attacher would.
    if (!attachDone && seed.objects.some((o) => o.kind === 'PersistentVolume')) {
      const vas = await c.listAll('/apis/storage.k8s.io/v1/volumeattachments');
      const wanted = seed.objects.filter(
        (o) => o.kind === 'PersistentVolume' && o.spec.csi?.driver === 'rbd.csi.ceph.com' && o.spec.claimRef?.uid === undefined,
      ).length;
      for (const va of vas.items) {
        if (va.status?.attached || va.status?.attachError) continue;
        const failing = va.spec.source?.persistentVolumeName === FAILING_ATTACH_PV;
        const status = failing
          ? {
              attached: false,
              attachError: {
                time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
                message:
                  'rpc error: code = Internal desc = rbd: map failed with error exit status 110, rbd error output: rbd: sysfs write failed\nrbd: map failed: (110) Connection timed out',
              },
            }
          : { attached: true, attachmentMetadata: { devicePath: '/dev/rbd0' } };
        await c.mergePatch(`/apis/storage.k8s.io/v1/volumeattachments/${va.metadata.name}/status`, { status });
        if (failing) {
          await c.create(
            event(
              { kind: 'Pod', name: `db-scratch`, namespace: 'storage-demo' },
              'Warning',
              'FailedAttachVolume',
              `AttachVolume.Attach failed for volume "${FAILING_ATTACH_PV}" : rpc error: code = Internal desc = rbd: map failed with error exit status 110`,
              'attachdetach-controller',
              5,
            ),
          );
        }
      }
      const done = vas.items.length >= wanted;
      if (done) attachDone = true;
      else if (Date.now() - vaWaitStart > 60_000) {
        // No attach/detach controller action within a minute: not fatal, but say so.
        log(`  warning: only ${vas.items.length}/${wanted} VolumeAttachments were created by the attach/detach controller\n`);
        attachDone = true;
      } else pending.push(`volumeattachments ${vas.items.length}/${wanted}`);
    }
    // 3. Nodes Ready.
    const nodes = await c.listAll('/api/v1/nodes');
    const ready = nodes.items.filter((n) => n.status?.conditions?.some((x: KObj) => x.type === 'Ready' && x.status === 'True')).length;
    if (ready < seed.nodeObjects.length) pending.push(`nodes ready ${ready}/${seed.nodeObjects.length}`);
    // 4. Workloads.
    const deps = await c.listAll('/apis/apps/v1/deployments');
    let podsWanted = 0;
    let podsReady = 0;
    for (const d of deps.items) {
      if (d.metadata.annotations?.[EXPECT_PARTIAL]) continue;
      podsWanted += d.spec.replicas;
      podsReady += Math.min(d.spec.replicas, d.status?.availableReplicas ?? 0);
    }
    const sts = await c.listAll('/apis/apps/v1/statefulsets');
    for (const s of sts.items) {
      podsWanted += s.spec.replicas;
      podsReady += Math.min(s.spec.replicas, s.status?.readyReplicas ?? 0);
    }
    const dss = await c.listAll('/apis/apps/v1/daemonsets');
    for (const d of dss.items) {
      const notReadyHere = seed.notReadyPlugins.filter((p) => p.app === d.metadata.name).length;
      const desired = d.status?.desiredNumberScheduled ?? 0;
      if (desired === 0) pending.push(`daemonset ${d.metadata.name} not scheduled yet`);
      podsWanted += desired - notReadyHere;
      podsReady += Math.min(desired - notReadyHere, d.status?.numberReady ?? 0);
    }
    // Bare pods (scale): every one Running (seedCluster created them all before settling starts).
    const bare = seed.objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.[BARE_LABEL]).length;
    if (bare) {
      const notRunning = await c.listAll('/api/v1/pods', { labelSelector: BARE_LABEL, fieldSelector: 'status.phase!=Running' });
      podsWanted += bare;
      podsReady += bare - notRunning.items.length;
    }
    if (podsReady < podsWanted) pending.push(`pods ready ${podsReady}/${podsWanted}`);
    if (pending.length === 0) return;
    const report = pending.join(', ');
    if (report !== lastReport) {
      log(`  waiting: ${report}\n`);
      lastReport = report;
    }
    if (Date.now() > deadline) throw new Error(`cluster did not settle in ${Math.round(timeoutMs / 1000)} s: ${report}`);
    await sleep(seed.nodeObjects.length > 200 ? 10_000 : 500);
  }
}
