// A synthetic fleet cache for the UI benchmark: N clusters, M nodes in all, written through the
// store's own writers (Store.write ops, as the sync worker writes) and then derived (ViewTable.refresh,
// as the worker does), so the web shell opens it exactly like a real cache. Deterministic (seeded).
//
//   node bench/synth.ts --db PATH [--clusters 50] [--nodes 10000] [--pods-per-node 10] [--seed 1]
//
// Realistic mix: cluster sizes vary (20–600 nodes for 50 clusters / 10,000 nodes, summing exactly),
// node shapes from the lab's profiles (capacity, allocatable, NVIDIA GFD / AMD labels, MIG, time
// slicing), a few GPU-heavy clusters, NotReady / Unknown / pressure / cordoned / stale nodes, kubelet
// version skew, ~10 pods per node whose requests make each cluster more or less busy, some pods
// Pending (Unschedulable), CSI drivers registered on every node with a few failed attachments, Warning
// events, and a few hostile context names (markup, bidi override, very long).
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Store, type ClusterRow, type KObj, type WriteOp } from '../main/store/store.ts';
import { ViewTable } from '../main/views/derive.ts';
import { nodeObject, AMD_TAINT, GPU_TAINT, type LabNode, type NodeKind } from '../lab/src/profiles/nodes.ts';
import { rng } from '../common/rng.ts';

export interface SynthOptions {
  clusters: number;
  nodes: number;
  podsPerNode?: number;
  seed?: number;
  /** the clock of the derived views (default: now) */
  now?: number;
}

export interface SynthResult {
  clusters: { id: string; context: string; nodes: number }[];
  nodes: number;
  pods: number;
  ms: number;
}

type Rng = () => number;

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const normal = (r: Rng) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Cluster sizes: log-normal-ish, within [min, max], summing to exactly `total`. */
export function clusterSizes(count: number, total: number, r: Rng): number[] {
  if (count <= 0) return [];
  const mean = total / count;
  // the floor is half the mean at most: with it at the mean (500 clusters / 3,000 nodes) every cluster
  // below the mean is clamped up to it and only an exact split of the total could hold
  const min = Math.max(1, Math.min(20, Math.floor(mean / 2)));
  const max = Math.max(600, Math.ceil(mean));
  const w = Array.from({ length: count }, () => Math.exp(normal(r) * 0.9));
  const sum = w.reduce((a, b) => a + b, 0);
  let sizes = w.map((x) => clamp(Math.round((x / sum) * total), min, max));
  // Fix the total one node at a time on clusters that are not at a bound.
  for (let guard = 0; guard < total * 4; guard++) {
    const d = total - sizes.reduce((a, b) => a + b, 0);
    if (d === 0) break;
    const i = Math.floor(r() * count);
    const s = sizes[i]!;
    if (d > 0 && s < max) sizes[i] = s + 1;
    else if (d < 0 && s > min) sizes[i] = s - 1;
  }
  // What the random walk left: one node at a time on the clusters not at a bound, in turn.
  let d = total - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0, idle = 0; d !== 0 && idle < count; i = (i + 1) % count) {
    const s = sizes[i]!;
    if (d > 0 ? s < max : s > min) {
      sizes[i] = s + Math.sign(d);
      d -= Math.sign(d);
      idle = 0;
    } else idle++;
  }
  if (d !== 0) sizes = sizes.map((s, i) => (i === 0 ? s + d : s)); // bounds cannot hold: exact total wins
  return sizes;
}

const ENVS = ['prod', 'prod', 'staging', 'dev', 'research', 'ml', 'edge', 'platform'];
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-east-2', 'us-west-2', 'ap-southeast-1', 'ap-northeast-1', 'sa-east-1'];
const APPS = [
  'api',
  'web',
  'worker',
  'ingest',
  'search',
  'billing',
  'auth',
  'cache',
  'queue',
  'metrics',
  'trainer',
  'inference',
  'etl',
  'gateway',
];
const NAMESPACES = [
  'kube-system',
  'monitoring',
  'ingress',
  'team-payments',
  'team-search',
  'team-data',
  'ml-training',
  'ml-serving',
  'platform',
];
const KUBE_MINORS = [31, 32, 33, 34, 35];
const GPU_KINDS: NodeKind[] = ['a100', 'h100', 'h100', 'mig', 'timeslice', 'mi300'];

function hex(r: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
}

function uuid(r: Rng): string {
  return `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-8${hex(r, 3)}-${hex(r, 12)}`;
}

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Allocatable devices of a node shape: [resource, count]. */
function acceleratorOf(kind: NodeKind): [string, number] | null {
  switch (kind) {
    case 'a100':
    case 'h100':
      return ['nvidia.com/gpu', 8];
    case 'mig':
      return ['nvidia.com/mig-1g.10gb', 14];
    case 'timeslice':
      return ['nvidia.com/gpu', 16];
    case 'mi300':
      return ['amd.com/gpu', 8];
    default:
      return null;
  }
}

function cpuMillis(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}

/**
 * Env as real pods have it: plain settings, a downward-API value, and (about one pod in four, chosen by
 * its hash so the random sequence stays the same) credentials written straight into the spec, which an
 * incident bundle must redact.
 */
function envOf(app: string, ns: string, hash: string): KObj[] {
  const env: KObj[] = [
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'PORT', value: '8080' },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  ];
  if ('0123'.includes(hash[0]!)) {
    env.push(
      { name: 'DB_PASSWORD', value: `synth-pw-${hash}` },
      { name: 'DATABASE_URL', value: `postgres://${app}:synth-url-${hash}@db.${ns}.svc:5432/${app}` },
      { name: 'API_TOKEN', value: `synth-token-${hash}` },
    );
  }
  return env;
}

function memMi(q: string): number {
  return Math.floor(Number(q.replace(/Ki$/, '')) / 1024);
}

export function synthFleet(dbPath: string, opts: SynthOptions): SynthResult {
  const t0 = performance.now();
  const r = rng(opts.seed ?? 1);
  const now = opts.now ?? Date.now();
  const podsPerNode = opts.podsPerNode ?? 10;
  const sizes = clusterSizes(opts.clusters, opts.nodes, r);
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  const store = new Store(dbPath);
  const out: SynthResult = { clusters: [], nodes: 0, pods: 0, ms: 0 };
  let rv = 1000;
  const meta = (name: string, namespace?: string, extra: KObj = {}): KObj => ({
    name,
    ...(namespace ? { namespace } : {}),
    uid: uuid(r),
    resourceVersion: String(++rv),
    creationTimestamp: iso(now - Math.floor(r() * 90 * 86_400_000)),
    ...extra,
  });

  try {
    const used = new Set<string>();
    for (let ci = 0; ci < sizes.length; ci++) {
      const size = sizes[ci]!;
      const env = pick(r, ENVS);
      const region = pick(r, REGIONS);
      let context = `${env}-${region}-${String(ci + 1).padStart(2, '0')}`;
      // Hostile and awkward names, as kubeconfigs have them.
      if (ci === 3) context = `<script>alert("ctx")</script>-lab`;
      if (ci === 7) context = `prod-\u202Eeu-west-1\u202C-\u200Bshadow`;
      if (ci === 11) context = `arn:aws:eks:${region}:123456789012:cluster/${env}-very-long-cluster-name-for-the-data-platform-team-${ci}`;
      while (used.has(context)) context += '-x';
      used.add(context);
      const id = `synth-${String(ci + 1).padStart(3, '0')}`;
      const minor = pick(r, KUBE_MINORS);
      const serverVersion = `v1.${minor}.${Math.floor(r() * 8)}`;
      const lastContact = now - Math.floor(r() * r() * 8 * 3_600_000);
      const style = pick(r, ['eks', 'eks', 'gke', 'onprem'] as const);
      // How much of the cluster is GPU, how busy it is.
      const g = r();
      const gpuShare = g < 0.6 ? r() * 0.05 : g < 0.85 ? 0.1 + r() * 0.3 : 0.6 + r() * 0.3;
      const busy = 0.2 + r() * 0.65;
      const ops: WriteOp[] = [];
      const flush = () => {
        if (ops.length) store.write(ops.splice(0));
      };
      const upsert = (kind: string, obj: KObj) => {
        ops.push({ op: 'upsert', cluster: id, kind, obj, at: now });
        if (ops.length >= 2000) flush();
      };
      const row: ClusterRow = {
        id,
        context,
        file: `/home/ops/.kube/fleet/${env}-${region}.yaml`,
        source: 'kubeconfig',
        server: `https://10.${ci % 250}.${Math.floor(r() * 250)}.${1 + Math.floor(r() * 250)}:6443`,
        authKind: style === 'eks' ? 'exec' : style === 'gke' ? 'exec' : 'client-certificate',
        status: 'live',
        message: null,
        serverVersion,
        lastContact,
        at: lastContact,
      };
      ops.push({ op: 'cluster', row });
      for (const ns of NAMESPACES)
        upsert('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns), status: { phase: 'Active' } });
      const driver = style === 'gke' ? 'pd.csi.storage.gke.io' : style === 'eks' ? 'ebs.csi.aws.com' : 'rbd.csi.ceph.com';
      upsert('storage.k8s.io/csidrivers', {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'CSIDriver',
        metadata: meta(driver),
        spec: { attachRequired: true, podInfoOnMount: false, storageCapacity: false, volumeLifecycleModes: ['Persistent'] },
      });
      upsert('storage.k8s.io/storageclasses', {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: meta('standard', undefined, { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }),
        provisioner: driver,
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'WaitForFirstConsumer',
      });

      const nodeNames: string[] = [];
      const pending: KObj[] = [];
      let pods = 0;
      for (let ni = 0; ni < size; ni++) {
        const kind: NodeKind = r() < gpuShare ? pick(r, GPU_KINDS) : 'cpu';
        const zone = `${region}${'abc'[ni % 3]}`;
        const name =
          style === 'eks'
            ? `ip-10-${ci % 250}-${Math.floor(ni / 250)}-${ni % 250}.${region}.compute.internal`
            : style === 'gke'
              ? `gke-${env}-${kind === 'cpu' ? 'default-pool' : `${kind}-pool`}-${hex(r, 8)}-${hex(r, 4)}`
              : `${kind === 'cpu' ? 'node' : `gpu-${kind}`}-${String(ni + 1).padStart(4, '0')}`;
        nodeNames.push(name);
        const x = r();
        const health = x < 0.01 ? 'notready' : x < 0.014 ? 'unknown' : x < 0.019 ? 'pressure' : x < 0.022 ? 'stale' : 'ok';
        const cordoned = r() < 0.012;
        const skew = r();
        const lab: LabNode = {
          name,
          kind,
          zone,
          ...(cordoned ? { cordoned } : {}),
          ...(skew < 0.002 ? { kubeletVersion: `v1.${minor - 4}.9` } : skew < 0.03 ? { kubeletVersion: `v1.${minor - 1}.11` } : {}),
        };
        const taints: KObj[] = [];
        if (kind === 'mi300') taints.push(AMD_TAINT);
        else if (kind !== 'cpu') taints.push(GPU_TAINT);
        if (cordoned) taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: iso(now - 3_600_000) });
        if (health === 'notready') taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: iso(now - 600_000) });
        if (health === 'unknown')
          taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(now - 900_000) });
        if (taints.length) lab.taints = taints as LabNode['taints'];
        const node = nodeObject(lab, id, serverVersion);
        node.metadata = { ...meta(name), ...node.metadata, labels: { ...node.metadata.labels, 'kubernetes.io/hostname': name } };
        delete node.metadata.annotations['kwok.x-k8s.io/node'];
        const beat = health === 'stale' ? now - 40 * 60_000 : health === 'unknown' ? now - 6 * 60_000 : now - Math.floor(r() * 50_000);
        const cond = (type: string, status: string, reason: string, message: string) => ({
          type,
          status,
          reason,
          message,
          lastHeartbeatTime: iso(beat),
          lastTransitionTime: iso(now - 20 * 86_400_000),
        });
        node.status.conditions = [
          cond(
            'MemoryPressure',
            health === 'pressure' ? 'True' : 'False',
            health === 'pressure' ? 'KubeletHasInsufficientMemory' : 'KubeletHasSufficientMemory',
            'kubelet has sufficient memory available',
          ),
          cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
          cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
          health === 'notready'
            ? cond(
                'Ready',
                'False',
                'KubeletNotReady',
                'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady',
              )
            : health === 'unknown'
              ? cond('Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.')
              : cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        ];
        node.status.addresses = [
          { type: 'InternalIP', address: `10.${ci % 250}.${Math.floor(ni / 250)}.${ni % 250}` },
          { type: 'Hostname', address: name },
        ];
        upsert('nodes', node);
        upsert('storage.k8s.io/csinodes', {
          apiVersion: 'storage.k8s.io/v1',
          kind: 'CSINode',
          metadata: meta(name),
          spec: {
            drivers: [
              { name: driver, nodeID: `i-${hex(r, 17)}`, topologyKeys: ['topology.kubernetes.io/zone'], allocatable: { count: 25 } },
            ],
          },
        });
        if (r() < 0.006) {
          // A volume that will not attach: a CSI problem on this node.
          upsert('storage.k8s.io/volumeattachments', {
            apiVersion: 'storage.k8s.io/v1',
            kind: 'VolumeAttachment',
            metadata: meta(`csi-${hex(r, 40)}`),
            spec: { attacher: driver, nodeName: name, source: { persistentVolumeName: `pvc-${uuid(r)}` } },
            status: {
              attached: false,
              attachError: {
                time: iso(now - 120_000),
                message: `rpc error: code = Internal desc = Could not attach volume to node ${name}: volume limit reached`,
              },
            },
          });
        }

        // Pods: requests that make the node about as busy as its cluster (± noise).
        const alloc = node.status.allocatable as Record<string, string>;
        const cpuAlloc = cpuMillis(alloc.cpu!);
        const memAlloc = memMi(alloc.memory!);
        const u = r() < 0.003 ? 1.04 : clamp(busy + normal(r) * 0.18, 0.01, 0.99);
        const um = clamp(u + normal(r) * 0.15, 0.01, 0.99);
        const count = Math.min(110, Math.max(1, Math.round(podsPerNode * (0.4 + r() * 1.2))));
        const accel = acceleratorOf(kind);
        let devicesLeft = accel ? Math.round(accel[1] * clamp(busy + normal(r) * 0.3, 0, 1)) : 0;
        // Pods of uneven sizes whose requests add up to the node's share (the scheduler never
        // overfills a node; the rare node above 100 % is one whose allocatable shrank).
        const weights = (k: number) => {
          const w = Array.from({ length: k }, () => 0.3 + r() * 1.4);
          const sum = w.reduce((a, b) => a + b, 0);
          return w.map((x) => x / sum);
        };
        const cpuW = weights(count);
        const memW = weights(count);
        for (let pi = 0; pi < count; pi++) {
          const share = u * cpuW[pi]!;
          const memShare = um * memW[pi]!;
          const app = pick(r, APPS);
          const ns = app === 'trainer' || app === 'inference' ? pick(r, ['ml-training', 'ml-serving']) : pick(r, NAMESPACES);
          const requests: Record<string, string> = {
            cpu: `${Math.max(10, Math.floor((cpuAlloc * share) / 10) * 10)}m`,
            memory: `${Math.max(16, Math.floor(memAlloc * memShare))}Mi`,
          };
          const limits: Record<string, string> = { memory: requests.memory! };
          if (accel && devicesLeft > 0) {
            const d = Math.min(devicesLeft, 1 + Math.floor(r() * 4));
            devicesLeft -= d;
            requests[accel[0]] = String(d);
            limits[accel[0]] = String(d);
          }
          upsert('pods', podObject(r, meta, app, ns, requests, limits, name, kind, now));
          pods++;
        }
        // Pending: some clusters cannot place everything (GPU-heavy ones especially).
        if (r() < 0.02 + gpuShare * 0.05) {
          const app = pick(r, kind === 'cpu' ? APPS : ['trainer', 'inference']);
          const requests: Record<string, string> = { cpu: '4', memory: '16Gi' };
          if (kind !== 'cpu') requests['nvidia.com/gpu'] = '8';
          pending.push(
            podObject(r, meta, app, kind === 'cpu' ? pick(r, NAMESPACES) : 'ml-training', requests, { ...requests }, null, kind, now, size),
          );
        }
      }
      for (const p of pending) {
        upsert('pods', p);
        pods++;
        upsert('events', {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: meta(`${p.metadata.name}.${hex(r, 16)}`, p.metadata.namespace),
          involvedObject: { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid },
          reason: 'FailedScheduling',
          message: p.status.conditions[0].message,
          type: 'Warning',
          count: 1 + Math.floor(r() * 40),
          firstTimestamp: iso(now - 3_600_000),
          lastTimestamp: iso(now - Math.floor(r() * 600_000)),
          source: { component: 'default-scheduler' },
        });
      }
      for (let e = 0; e < Math.ceil(size / 40); e++) {
        const node = pick(r, nodeNames);
        upsert('events', {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: meta(`${node}.${hex(r, 16)}`, 'default'),
          involvedObject: { kind: 'Node', name: node },
          reason: pick(r, ['NodeNotReady', 'Rebooted', 'ContainerGCFailed', 'FreeDiskSpaceFailed']),
          message: 'synthetic warning',
          type: 'Warning',
          count: 1,
          lastTimestamp: iso(now - Math.floor(r() * 3_600_000)),
          source: { component: 'kubelet', host: node },
        });
      }
      const kinds = [
        'nodes',
        'pods',
        'namespaces',
        'events',
        'storage.k8s.io/csidrivers',
        'storage.k8s.io/csinodes',
        'storage.k8s.io/storageclasses',
        'storage.k8s.io/volumeattachments',
      ];
      for (const kind of kinds)
        ops.push({ op: 'state', cluster: id, kind, state: 'watching', rv: String(rv), listedAt: lastContact, at: lastContact });
      // Some credentials may not list secrets: the tile says so.
      if (ci % 9 === 4)
        ops.push({ op: 'state', cluster: id, kind: 'secrets', state: 'forbidden', message: 'secrets is forbidden', at: lastContact });
      flush();
      out.clusters.push({ id, context, nodes: size });
      out.nodes += size;
      out.pods += pods;
    }
    // The derived views, as the sync worker keeps them.
    const views = new ViewTable(store);
    const rows = new Map(store.clusters().map((c) => [c.id, c]));
    for (const c of out.clusters) views.refresh(c.id, now, rows.get(c.id)?.serverVersion ?? undefined);
  } finally {
    store.close();
  }
  out.ms = performance.now() - t0;
  return out;
}

function podObject(
  r: Rng,
  meta: (name: string, namespace?: string, extra?: KObj) => KObj,
  app: string,
  ns: string,
  requests: Record<string, string>,
  limits: Record<string, string>,
  nodeName: string | null,
  kind: NodeKind,
  now: number,
  clusterSize = 0,
): KObj {
  const hash = hex(r, 10);
  const name = `${app}-${hash}-${hex(r, 5)}`;
  const rs = `${app}-${hash}`;
  const started = now - Math.floor(r() * 20 * 86_400_000);
  const tolerations: KObj[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  if (kind === 'mi300') tolerations.push({ key: 'amd.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  else if (kind !== 'cpu') tolerations.push({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  const image = `registry.example.com/${ns}/${app}:1.${Math.floor(r() * 40)}.${Math.floor(r() * 10)}`;
  const restarts = r() < 0.05 ? Math.floor(r() * 30) : 0;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(name, ns, {
      labels: { app, 'pod-template-hash': hash },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${hash}`, controller: true, blockOwnerDeletion: true },
      ],
    }),
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [
        { name: app, image, env: envOf(app, ns, hash), resources: { requests, limits }, ports: [{ containerPort: 8080, protocol: 'TCP' }] },
      ],
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      serviceAccountName: 'default',
      tolerations,
      priority: 0,
    },
    status: nodeName
      ? {
          phase: 'Running',
          qosClass: 'Burstable',
          startTime: iso(started),
          hostIP: '10.0.0.1',
          podIP: `100.64.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}`,
          conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
            type,
            status: 'True',
            lastTransitionTime: iso(started),
          })),
          containerStatuses: [
            {
              name: app,
              image,
              imageID: `${image}@sha256:${hex(r, 64)}`,
              ready: true,
              started: true,
              restartCount: restarts,
              state: { running: { startedAt: iso(started) } },
            },
          ],
        }
      : {
          phase: 'Pending',
          qosClass: 'Burstable',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              lastTransitionTime: iso(now - 3_600_000),
              message: `0/${clusterSize} nodes are available: ${Math.ceil(clusterSize * 0.8)} Insufficient ${requests['nvidia.com/gpu'] ? 'nvidia.com/gpu' : 'cpu'}, ${Math.floor(clusterSize * 0.2)} node(s) had untolerated taint(s). preemption: 0/${clusterSize} nodes are available: ${clusterSize} No preemption victims found for incoming pod.`,
            },
          ],
        },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      clusters: { type: 'string', default: '50' },
      nodes: { type: 'string', default: '10000' },
      'pods-per-node': { type: 'string', default: '10' },
      seed: { type: 'string', default: '1' },
    },
  });
  if (!values.db) {
    console.error('usage: node bench/synth.ts --db PATH [--clusters 50] [--nodes 10000] [--pods-per-node 10] [--seed 1]');
    process.exit(2);
  }
  const res = synthFleet(values.db, {
    clusters: Number(values.clusters),
    nodes: Number(values.nodes),
    podsPerNode: Number(values['pods-per-node']),
    seed: Number(values.seed),
  });
  const sizes = res.clusters.map((c) => c.nodes);
  console.log(
    `${values.db}: ${res.clusters.length} clusters (${Math.min(...sizes)}–${Math.max(...sizes)} nodes), ${res.nodes} nodes, ${res.pods} pods in ${(res.ms / 1000).toFixed(1)} s`,
  );
}
