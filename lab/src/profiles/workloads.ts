// Ordinary workloads of the `mixed` profile, the filler that reaches --pods-per-node, and `scale`.
import type { KObj } from '../kube.ts';
import type { LabNode } from './nodes.ts';
import { BARE_LABEL, configMap, cronJob, daemonSet, deployment, event, job, ns, pod, secret, service, statefulSet } from './builders.ts';

/** Values that must never leave the machine in a bundle: the redaction tests look for them. */
export const LAB_SECRET_VALUES = {
  dbPassword: 'lab-Sup3r-s3cret-pw',
  apiToken: 'lab-tok-7f9a2c4e1b8d',
  urlPassword: 'lab-url-pa55',
};

/** A ConfigMap whose annotations are hostile to naive renderers (script, bidi, zero-width, 64 KiB). */
export function hostileConfigMap(namespace: string): KObj {
  return configMap(
    namespace,
    'hostile-annotations',
    { 'index.html': '<img src=x onerror=alert(1)>' },
    {
      'lab.fleet/description': '<script>alert("owned")</script><b>bold?</b>',
      'lab.fleet/bidi': 'safe\u202Egnp.exe\u202C name',
      'lab.fleet/zero-width': 'ad\u200Bmin\u200D\uFEFF',
      'lab.fleet/emoji': '🚀 ✓ Ωmega — ünïcödé ' + '\u{1F9EA}',
      'lab.fleet/big': 'x'.repeat(64 * 1024),
    },
  );
}

export function ordinaryObjects(nodes: LabNode[]): { early: KObj[]; objects: KObj[]; events: KObj[] } {
  const early = ['web', 'payments', 'data', 'monitoring', 'batch', 'team-a', 'team-b'].map((n) => ns(n));
  const { dbPassword, apiToken, urlPassword } = LAB_SECRET_VALUES;
  const objects: KObj[] = [
    deployment('web', 'frontend', 3, {
      image: 'docker.io/library/nginx:1.29',
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { memory: '512Mi' },
    }),
    deployment('web', 'api', 3, { requests: { cpu: '1', memory: '2Gi' }, sidecar: true, initContainer: true }),
    service('web', 'frontend'),
    service('web', 'api'),
    configMap('web', 'frontend-config', { 'nginx.conf': 'server { listen 8080; }' }),
    secret('web', 'frontend-tls', { 'tls.crt': 'lab-not-a-real-cert', 'tls.key': 'lab-not-a-real-key' }, 'kubernetes.io/tls'),
    secret('payments', 'db-credentials', { username: 'payments', password: dbPassword }),
    configMap('payments', 'payment-api-config', {
      'application.yaml': `datasource:\n  url: postgres://payments:${urlPassword}@postgres.data.svc:5432/payments\n`,
      LOG_LEVEL: 'info',
    }),
    deployment('payments', 'payment-api', 2, {
      requests: { cpu: '500m', memory: '1Gi' },
      env: [
        { name: 'DB_PASSWORD', value: dbPassword },
        { name: 'STRIPE_API_TOKEN', value: apiToken },
        { name: 'DATABASE_URL', value: `postgres://payments:${urlPassword}@postgres.data.svc:5432/payments?sslmode=require` },
        { name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'username' } } },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
    }),
    service('payments', 'payment-api'),
    statefulSet('data', 'redis', 3, { image: 'docker.io/library/redis:8.2', requests: { cpu: '500m', memory: '2Gi' } }),
    service('data', 'redis', true),
    daemonSet('monitoring', 'node-exporter', {
      image: 'quay.io/prometheus/node-exporter:v1.9.1',
      requests: { cpu: '50m', memory: '64Mi' },
    }),
    deployment('monitoring', 'prometheus', 1, { image: 'quay.io/prometheus/prometheus:v3.6.0', requests: { cpu: '2', memory: '8Gi' } }),
    cronJob('batch', 'nightly-report', '0 2 * * *', { requests: { cpu: '1', memory: '1Gi' } }),
    job('batch', 'backfill-2026-10', 3, { requests: { cpu: '1', memory: '2Gi' } }),
    // Crash-looping pods, as operators meet them daily.
    deployment('team-a', 'checkout-worker', 2, { requests: { cpu: '500m', memory: '512Mi' }, customStatus: 'crashloop' }, true),
    deployment('team-a', 'cart', 2, { requests: { cpu: '500m', memory: '512Mi' } }),
    deployment('team-b', 'ingest', 2, { requests: { cpu: '1', memory: '4Gi' } }),
    hostileConfigMap('team-b'),
  ];
  const events: KObj[] = [];
  const cordoned = nodes.find((n) => n.cordoned);
  if (cordoned) {
    events.push(
      event(
        { kind: 'Node', name: cordoned.name },
        'Normal',
        'NodeNotSchedulable',
        `Node ${cordoned.name} status is now: NodeNotSchedulable`,
        'kubelet',
      ),
    );
  }
  return { early, objects, events };
}

/** Filler Deployments so that schedulable CPU nodes carry about `perNode` pods, with varied sizes. */
export function fillerObjects(nodes: LabNode[], perNode: number, existingPods: number, profile: string): KObj[] {
  const cpuNodes = nodes.filter((n) => n.kind === 'cpu' && !n.cordoned && !n.taints).length;
  let want = Math.max(0, perNode * cpuNodes - existingPods);
  const out: KObj[] = [];
  if (profile === 'scale') {
    // --pods-per-node x every node (30,000 for 1000 x 30), carried by the CPU nodes (GPU nodes are
    // tainted). Bound by the lab itself, round-robin: on a 2-core machine the ReplicaSet controller,
    // scheduler and kwok cannot churn through 30k pods at once without starving the apiserver, and
    // this profile exists to load the console's sync, not the scheduler.
    want = Math.max(0, perNode * nodes.length - existingPods);
    const namespaces = Array.from({ length: 10 }, (_, i) => `tenant-${String(i).padStart(2, '0')}`);
    out.push(...namespaces.map((n) => ns(n)));
    const cpu = nodes.filter((n) => n.kind === 'cpu');
    for (let i = 0; i < want; i++) {
      const app = `svc-${String(Math.floor(i / 100)).padStart(4, '0')}`;
      out.push(
        pod(namespaces[Math.floor(i / 100) % 10]!, `${app}-${String(i % 100).padStart(2, '0')}`, {
          labels: { app, [BARE_LABEL]: 'true' },
          requests: { cpu: '100m', memory: '128Mi' },
          nodeName: cpu[i % cpu.length]!.name,
        }),
      );
    }
    return out;
  }
  const sizes = [
    { cpu: '500m', memory: '1Gi' },
    { cpu: '2', memory: '4Gi' },
    { cpu: '4', memory: '16Gi' },
    { cpu: '1', memory: '2Gi' },
  ];
  const namespaces = ['web', 'team-a', 'team-b', 'data'];
  let i = 0;
  while (want > 0) {
    const r = Math.min(8, want);
    out.push(deployment(namespaces[i % namespaces.length]!, `worker-${i}`, r, { requests: sizes[i % sizes.length]! }));
    want -= r;
    i++;
  }
  return out;
}
