// One lab cluster: its files, its processes and how to start them.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments, stringify } from 'yaml';
import type { BinPaths } from './build.ts';
import { generateClusterPki, type ClusterPki } from './pki.ts';
import { certUser, writeKubeconfig, type KubeconfigEntry } from './kubeconfig.ts';
import { freePorts } from './ports.ts';
import { isAlive, startProcess, tail, type ProcRecord } from './proc.ts';
import { KubeClient, retry, type KObj } from './kube.ts';
import type { ClusterRecord, ClusterSetup, Component } from './state.ts';
import { labRoot } from './paths.ts';

export const EXEC_SCRIPT = join(labRoot, 'exec-credential.sh');
/** Namespaces the restricted user may read (bound to the built-in "view" role, which excludes Secrets). */
export const RESTRICTED_NAMESPACES = ['default', 'web', 'team-a', 'ml-serving', 'storage-demo'];
/** Pods and nodes with this annotation are left alone by kwok: the lab (or chaos) owns their status. */
export const CUSTOM_STATUS = { key: 'kwok.x-k8s.io/status', value: 'custom' };
/** Pods with this label run until deleted (kwok completes other Job pods at once). */
export const LONG_RUNNING_LABEL = 'lab.fleet/long-running';

export function pkiOf(rec: ClusterRecord): ClusterPki {
  const d = join(rec.dir, 'pki');
  const pair = (n: string) => ({ cert: join(d, `${n}.crt`), key: join(d, `${n}.key`) });
  return {
    dir: d,
    ca: pair('ca'),
    apiserver: pair('apiserver'),
    kubeletServing: pair('kubelet-serving'),
    kubeletClient: pair('apiserver-kubelet-client'),
    admin: pair('admin'),
    controllerManager: pair('controller-manager'),
    scheduler: pair('scheduler'),
    kwok: pair('kwok'),
    saKey: join(d, 'sa.key'),
    saPub: join(d, 'sa.pub'),
  };
}

export function adminClient(rec: ClusterRecord, maxSockets = 16): KubeClient {
  const p = pkiOf(rec);
  return new KubeClient({ server: rec.server, ca: p.ca.cert, cert: p.admin.cert, key: p.admin.key }, maxSockets);
}

export function tokenClient(rec: ClusterRecord, who: 'restricted' | 'exec'): KubeClient {
  const token = readFileSync(join(rec.dir, `${who}.token`), 'utf8').trim();
  return new KubeClient({ server: rec.server, ca: pkiOf(rec).ca.cert, token });
}

/** Create the cluster's folder: certificates, tokens, kubeconfigs, component configs. No process yet. */
export async function prepareCluster(s: ClusterSetup, bin: BinPaths): Promise<ClusterRecord> {
  const t0 = Date.now();
  mkdirSync(join(s.dir, 'logs'), { recursive: true });
  mkdirSync(join(s.dir, 'etcd'), { recursive: true, mode: 0o700 });
  const pki = generateClusterPki(join(s.dir, 'pki'), s.name);
  const [etcd, etcdPeer, apiserver, controllerManager, scheduler, kwok] = (await freePorts(6)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const server = `https://127.0.0.1:${apiserver}`;

  const tokens = { restricted: randomBytes(24).toString('hex'), exec: randomBytes(24).toString('hex') };
  writeFileSync(join(s.dir, 'restricted.token'), tokens.restricted + '\n', { mode: 0o600 });
  writeFileSync(join(s.dir, 'exec.token'), tokens.exec + '\n', { mode: 0o600 });
  // Static token authentication (--token-auth-file): token,user,uid,"groups"
  writeFileSync(
    join(s.dir, 'tokens.csv'),
    `${tokens.restricted},lab-restricted,lab-restricted,"lab:restricted"\n${tokens.exec},lab-exec,lab-exec,"lab:exec"\n`,
    { mode: 0o600 },
  );

  const invocationLog = join(s.dir, 'exec-invocations.log');
  const cluster = s.name;
  const mk = (context: string, user: KubeconfigEntry['user']): KubeconfigEntry => ({ context, cluster, server, caFile: pki.ca.cert, user });
  const admin = mk(s.name, certUser(`${s.name}-admin`, pki.admin.cert, pki.admin.key));
  const restricted = mk(`${s.name}-restricted`, { name: `${s.name}-restricted`, user: { token: tokens.restricted } });
  const exec = mk(`${s.name}-exec`, {
    name: `${s.name}-exec`,
    user: {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: EXEC_SCRIPT,
        args: ['--token-file', join(s.dir, 'exec.token'), '--log', invocationLog],
        interactiveMode: 'Never',
        provideClusterInfo: false,
        installHint: 'exec-credential.sh is part of the fleet lab (lab/ in the fleet-console repository)',
      },
    },
  });
  const kubeconfigs = {
    admin: writeKubeconfig(join(s.dir, 'admin.kubeconfig'), [admin]),
    restricted: writeKubeconfig(join(s.dir, 'restricted.kubeconfig'), [restricted]),
    exec: writeKubeconfig(join(s.dir, 'exec.kubeconfig'), [exec]),
    all: writeKubeconfig(join(s.dir, 'kubeconfig'), [admin, restricted, exec], admin.context),
  };
  // The components' own identities.
  writeKubeconfig(join(s.dir, 'controller-manager.kubeconfig'), [
    mk('cm', certUser('cm', pki.controllerManager.cert, pki.controllerManager.key)),
  ]);
  writeKubeconfig(join(s.dir, 'scheduler.kubeconfig'), [mk('scheduler', certUser('scheduler', pki.scheduler.cert, pki.scheduler.key))]);
  writeKubeconfig(join(s.dir, 'kwok.kubeconfig'), [mk('kwok', certUser('kwok', pki.kwok.cert, pki.kwok.key))]);

  const rec: ClusterRecord = {
    name: s.name,
    index: s.index,
    profile: s.profile,
    nodes: s.nodes,
    podsPerNode: s.podsPerNode,
    dir: s.dir,
    server,
    ports: { etcd, etcdPeer, apiserver, controllerManager, scheduler, kwok },
    procs: {},
    stopped: [],
    kubeconfigs,
    exec: { tokenFile: join(s.dir, 'exec.token'), invocationLog },
    phase: 'starting',
    timings: {},
  };
  writeSchedulerConfig(rec);
  writeKwokConfig(rec, bin);
  writeFileSync(join(s.dir, 'pod.log'), samplePodLog(s.name));
  rec.timings.prepareMs = Date.now() - t0;
  return rec;
}

/** Scale needs the client rate limits out of the way; ordinary profiles keep Kubernetes' defaults. */
function unlimited(rec: ClusterRecord): boolean {
  return rec.profile === 'scale';
}

function writeSchedulerConfig(rec: ClusterRecord): void {
  const qps = unlimited(rec) ? 5000 : 100;
  const doc = {
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    clientConnection: { kubeconfig: join(rec.dir, 'scheduler.kubeconfig'), qps, burst: qps * 2 },
    leaderElection: { leaderElect: false },
    // At 1000 nodes the default (adaptive, ~42%) makes scheduling CPU-bound on a 2-core machine;
    // large clusters are tuned like this in production too.
    ...(unlimited(rec) ? { percentageOfNodesToScore: 10 } : {}),
  };
  writeFileSync(join(rec.dir, 'scheduler.yaml'), stringify(doc));
}

function writeKwokConfig(rec: ClusterRecord, bin: BinPaths): void {
  const pki = pkiOf(rec);
  const docs: unknown[] = [
    {
      apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
      kind: 'KwokConfiguration',
      options: {
        cidr: `10.${64 + (rec.index % 128)}.0.1/16`,
        nodeIP: '127.0.0.1',
        nodePort: rec.ports.kwok,
        serverAddress: `127.0.0.1:${rec.ports.kwok}`,
        tlsCertFile: pki.kubeletServing.cert,
        tlsPrivateKeyFile: pki.kubeletServing.key,
        manageNodesWithAnnotationSelector: 'kwok.x-k8s.io/node=fake',
        disregardStatusWithAnnotationSelector: `${CUSTOM_STATUS.key}=${CUSTOM_STATUS.value}`,
        nodeLeaseDurationSeconds: 40,
        // kwok's own defaults are not applied to options read from a file: spell them out.
        nodeLeaseParallelism: unlimited(rec) ? 16 : 4,
        podPlayStageParallelism: unlimited(rec) ? 16 : 4,
        nodePlayStageParallelism: unlimited(rec) ? 16 : 4,
        podsOnNodeSyncParallelism: 4,
        enablePodsOnNodeSyncListPager: true,
        enablePodsOnNodeSyncStreamWatch: false,
        // logs/exec/attach on the kubelet API: what makes `kubectl logs` work on lab pods
        enableDebuggingHandlers: true,
        enableProfilingHandler: false,
        enableContentionProfiling: false,
      },
    },
  ];
  for (const f of ['node-initialize', 'node-heartbeat-with-lease', 'pod-ready', 'pod-complete', 'pod-delete']) {
    for (const d of parseAllDocuments(readFileSync(join(bin.kwokStages, `${f}.yaml`), 'utf8'))) {
      const stage = d.toJS() as KObj;
      if (!stage) continue;
      if (f === 'pod-complete') {
        // Training Jobs in the profiles hold their GPUs: keep pods labelled long-running Running.
        stage.spec.selector.matchExpressions.push({ key: `.metadata.labels["${LONG_RUNNING_LABEL}"]`, operator: 'DoesNotExist' });
      }
      docs.push(stage);
    }
  }
  docs.push({
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterLogs',
    metadata: { name: 'lab-logs' },
    spec: { logs: [{ containers: [], logsFile: join(rec.dir, 'pod.log'), follow: true }] },
  });
  writeFileSync(join(rec.dir, 'kwok.yaml'), docs.map((d) => stringify(d)).join('---\n'));
}

function samplePodLog(cluster: string): string {
  const lines: string[] = [];
  const t = Date.UTC(2026, 10, 1, 8, 0, 0);
  const msgs = [
    'level=info msg="starting server" addr=:8080',
    'level=info msg="connected to upstream" latency_ms=12',
    'level=warn msg="slow request" path=/api/v1/items duration_ms=950',
    'level=info msg="request served" path=/healthz status=200',
    'level=error msg="upstream timeout" retry=1',
  ];
  // CRI log format, which kwok's kubelet API parses: <RFC3339 time> <stream> <F|P> <message>
  for (let i = 0; i < 200; i++) {
    const stream = i % 5 === 4 ? 'stderr' : 'stdout';
    lines.push(`${new Date(t + i * 1500).toISOString()} ${stream} F ${cluster} ${msgs[i % msgs.length]} seq=${i}`);
  }
  return lines.join('\n') + '\n';
}

export function componentArgs(rec: ClusterRecord, comp: Component): string[] {
  const d = rec.dir;
  const pki = pkiOf(rec);
  switch (comp) {
    case 'etcd':
      return [
        '--name=default',
        `--data-dir=${join(d, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${rec.ports.etcd}`,
        `--advertise-client-urls=http://127.0.0.1:${rec.ports.etcd}`,
        `--listen-peer-urls=http://127.0.0.1:${rec.ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${rec.ports.etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${rec.ports.etcdPeer}`,
        '--listen-metrics-urls=',
        // A lab cluster is disposable: skip fsync, keep the WAL small.
        '--unsafe-no-fsync=true',
        '--snapshot-count=10000',
        '--quota-backend-bytes=4294967296',
        '--log-level=warn',
      ];
    case 'kube-apiserver': {
      if (rec.fleet) return fleetApiserverArgs(rec);
      const args = [...apiserverBaseArgs(rec), '--authorization-mode=Node,RBAC', '--allow-privileged=true', ...apiserverTailArgs(rec)];
      if (unlimited(rec)) {
        args.push('--max-requests-inflight=0', '--max-mutating-requests-inflight=0', '--enable-priority-and-fairness=false');
      }
      return args;
    }
    case 'kube-controller-manager': {
      const qps = unlimited(rec) ? 5000 : 100;
      const kc = join(d, 'controller-manager.kubeconfig');
      return [
        `--kubeconfig=${kc}`,
        `--authentication-kubeconfig=${kc}`,
        `--authorization-kubeconfig=${kc}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${rec.ports.controllerManager}`,
        '--leader-elect=false',
        `--service-account-private-key-file=${pki.saKey}`,
        `--root-ca-file=${pki.ca.cert}`,
        `--cluster-signing-cert-file=${pki.ca.cert}`,
        `--cluster-signing-key-file=${pki.ca.key}`,
        '--use-service-account-credentials=false',
        `--kube-api-qps=${qps}`,
        `--kube-api-burst=${qps * 2}`,
        '--concurrent-deployment-syncs=10',
        '--concurrent-replicaset-syncs=10',
        '--profiling=false',
      ];
    }
    case 'kube-scheduler': {
      const kc = join(d, 'scheduler.kubeconfig');
      return [
        `--config=${join(d, 'scheduler.yaml')}`,
        `--authentication-kubeconfig=${kc}`,
        `--authorization-kubeconfig=${kc}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${rec.ports.scheduler}`,
        '--profiling=false',
      ];
    }
    case 'kwok':
      return [`--kubeconfig=${join(d, 'kwok.kubeconfig')}`, `--config=${join(d, 'kwok.yaml')}`];
  }
}

/** The flags every lab apiserver has, first: its etcd, loopback address, serving TLS and tokens. */
function apiserverBaseArgs(rec: ClusterRecord): string[] {
  const d = rec.dir;
  const pki = pkiOf(rec);
  return [
    `--etcd-servers=http://127.0.0.1:${rec.ports.etcd}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${rec.ports.apiserver}`,
    `--tls-cert-file=${pki.apiserver.cert}`,
    `--tls-private-key-file=${pki.apiserver.key}`,
    `--client-ca-file=${pki.ca.cert}`,
    `--token-auth-file=${join(d, 'tokens.csv')}`,
    `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    '--service-cluster-ip-range=10.96.0.0/16',
  ];
}

/** The flags every lab apiserver has after its authorization: kubelet client, no profiling, no endpoint reconciler. */
function apiserverTailArgs(rec: ClusterRecord): string[] {
  const pki = pkiOf(rec);
  return [
    `--kubelet-client-certificate=${pki.kubeletClient.cert}`,
    `--kubelet-client-key=${pki.kubeletClient.key}`,
    '--kubelet-preferred-address-types=InternalIP,Hostname',
    '--profiling=false',
    '--endpoint-reconciler-type=none',
  ];
}

/**
 * A slim control plane of the fleet: its keys under its own prefix of the fleet's shared etcd, no
 * controller-manager or scheduler (kwok owns nodes and pods), and the apiserver's optional machinery off.
 */
function fleetApiserverArgs(rec: ClusterRecord): string[] {
  return [
    ...apiserverBaseArgs(rec),
    `--etcd-prefix=${rec.fleet!.etcdPrefix}`,
    // The admin is in system:masters; the Node authorizer's graph of pods and secrets is not needed.
    '--authorization-mode=RBAC',
    ...apiserverTailArgs(rec),
    // Memory: no priority-and-fairness machinery (its config objects and informers), a low fixed
    // in-flight limit instead; the watch cache kept (the console watches) but small.
    '--enable-priority-and-fairness=false',
    '--max-requests-inflight=50',
    '--max-mutating-requests-inflight=25',
    '--default-watch-cache-size=20',
    // No garbage-collector controller runs in a fleet cluster (no controller-manager).
    '--enable-garbage-collector=false',
    // Admission: only what a kwok-only cluster needs. Without a controller-manager there is no
    // default ServiceAccount, so the ServiceAccount plugin would refuse every pod.
    `--disable-admission-plugins=${FLEET_DISABLED_ADMISSION.join(',')}`,
    '--event-ttl=10m',
    // API groups a kwok-only fleet cluster does not use: ~35 MiB less RSS per apiserver (measured:
    // 245 → ~215 MiB), at no CPU cost. (GOMEMLIMIT=120MiB saved as much but cost 5× the CPU in GC.)
    `--runtime-config=${FLEET_DISABLED_APIS.map((g) => `${g}=false`).join(',')}`,
  ];
}

/**
 * API group versions a fleet apiserver does not serve. (Not networking.k8s.io: the apiserver's
 * service IP allocator needs ServiceCIDR/IPAddress; not admissionregistration: its policy
 * plugins' informers wait for it.)
 */
export const FLEET_DISABLED_APIS = [
  'autoscaling/v1',
  'autoscaling/v2',
  'certificates.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1',
  'node.k8s.io/v1',
  'policy/v1',
  'scheduling.k8s.io/v1',
  'events.k8s.io/v1',
];

/** Default admission plugins a fleet apiserver turns off (each costs informers, i.e. memory). */
export const FLEET_DISABLED_ADMISSION = [
  'ServiceAccount',
  'LimitRanger',
  'ResourceQuota',
  'PodSecurity',
  'Priority',
  'DefaultStorageClass',
  'DefaultIngressClass',
  'StorageObjectInUseProtection',
  'PersistentVolumeClaimResize',
  'RuntimeClass',
  'CertificateApproval',
  'CertificateSigning',
  'CertificateSubjectRestriction',
  'ClusterTrustBundleAttest',
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionWebhook',
  'ValidatingAdmissionPolicy',
];

export function startComponent(rec: ClusterRecord, bin: BinPaths, comp: Component): ProcRecord {
  const env: Record<string, string> = {};
  // Keep each Go component's heap in check on a 2-core laptop-sized machine.
  if (comp !== 'kube-apiserver' || rec.fleet) env.GOGC = '50';
  return startProcess(comp, bin[comp], componentArgs(rec, comp), join(rec.dir, 'logs', `${comp}.log`), env);
}

export async function waitEtcd(rec: ClusterRecord, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const p = rec.procs.etcd;
    if (p && !isAlive(p)) throw new Error(`${rec.name}: etcd exited:\n${tail(p.log)}`);
    try {
      const r = await fetch(`http://127.0.0.1:${rec.ports.etcd}/health`);
      if (r.ok && ((await r.json()) as { health?: string }).health === 'true') return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error(`${rec.name}: etcd not healthy after ${timeoutMs} ms`);
}

export async function waitApiserver(rec: ClusterRecord, timeoutMs = 120_000): Promise<void> {
  const c = adminClient(rec, 1);
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const p = rec.procs['kube-apiserver'];
      if (p && !isAlive(p)) throw new Error(`${rec.name}: kube-apiserver exited:\n${tail(p.log)}`);
      try {
        await c.request('GET', '/readyz', undefined, 'application/json', 2000);
        return;
      } catch {
        await sleep(200);
      }
    }
    throw new Error(`${rec.name}: kube-apiserver not ready after ${timeoutMs} ms:\n${tail(rec.procs['kube-apiserver']?.log ?? '')}`);
  } finally {
    c.close();
  }
}

/** RBAC for the restricted and exec users. */
export async function bootstrapRbac(c: KubeClient): Promise<void> {
  const objs: KObj[] = [
    ...RESTRICTED_NAMESPACES.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } })),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'lab:namespace-reader' },
      rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'lab:restricted-namespaces' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'lab:namespace-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'lab:restricted' }],
    },
    ...RESTRICTED_NAMESPACES.map((ns) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'lab:restricted-view', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'lab:restricted' }],
    })),
    {
      // The exec user is a fleet operator: read everything, change nothing.
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'lab:fleet-reader' },
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
        { nonResourceURLs: ['*'], verbs: ['get'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'lab:exec-fleet-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'lab:fleet-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'lab:exec' }],
    },
  ];
  for (const o of objs) await retry(() => c.apply(o), `apply ${o.kind} ${o.metadata.name}`);
}
