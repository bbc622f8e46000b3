// Small builders for the objects the profiles seed.
import type { KObj } from '../kube.ts';
import { CUSTOM_STATUS, LONG_RUNNING_LABEL } from '../cluster.ts';

/** Annotation on workloads that are expected never to become fully available (Pending GPU demand, crash loops). */
export const EXPECT_PARTIAL = 'lab.fleet/expect-partial';
/**
 * Annotation on queued demand (workloads meant to stay Pending): seeded only after the rest has
 * settled, so that the scheduler cannot give them the capacity the running workloads were meant to get.
 */
export const SEED_LATE = 'lab.fleet/seed-after-settle';
/** Label on pods the lab creates directly (no controller); up means Running. */
export const BARE_LABEL = 'lab.fleet/bare';
/** Label on pods whose status the lab writes itself, naming which status. */
export const STATUS_LABEL = 'lab.fleet/status';

export interface PodOpts {
  image?: string;
  /** the main container's arguments */
  args?: string[];
  requests?: Record<string, string>;
  limits?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: KObj[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  env?: KObj[];
  volumes?: KObj[];
  volumeMounts?: KObj[];
  resourceClaims?: KObj[];
  claimNames?: string[];
  /** the lab sets this pod's status itself (crashloop, notready, containercreating) */
  customStatus?: string;
  longRunning?: boolean;
  nodeName?: string;
  sidecar?: boolean;
  initContainer?: boolean;
  priorityClassName?: string;
}

export function podSpec(app: string, o: PodOpts): KObj {
  const resources: KObj = {};
  if (o.requests) resources.requests = o.requests;
  if (o.limits) resources.limits = o.limits;
  if (o.claimNames) resources.claims = o.claimNames.map((name) => ({ name }));
  const main: KObj = {
    name: app,
    image: o.image ?? `registry.lab.local/${app}:1.0.0`,
    resources,
    ports: [{ containerPort: 8080, name: 'http' }],
  };
  if (o.args) main.args = o.args;
  if (o.env) main.env = o.env;
  if (o.volumeMounts) main.volumeMounts = o.volumeMounts;
  const spec: KObj = { containers: [main], terminationGracePeriodSeconds: 5 };
  if (o.sidecar) {
    // A restartable init container (native sidecar): counts toward requests like an app container.
    spec.initContainers = [
      {
        name: 'log-shipper',
        image: 'registry.lab.local/fluent-bit:3.2',
        restartPolicy: 'Always',
        resources: { requests: { cpu: '50m', memory: '64Mi' } },
      },
    ];
  }
  if (o.initContainer) {
    spec.initContainers = [
      ...(spec.initContainers ?? []),
      { name: 'migrate', image: `registry.lab.local/${app}-migrate:1.0.0`, resources: { requests: { cpu: '500m', memory: '256Mi' } } },
    ];
  }
  if (o.nodeSelector) spec.nodeSelector = o.nodeSelector;
  if (o.tolerations) spec.tolerations = o.tolerations;
  if (o.volumes) spec.volumes = o.volumes;
  if (o.resourceClaims) spec.resourceClaims = o.resourceClaims;
  if (o.nodeName) spec.nodeName = o.nodeName;
  if (o.priorityClassName) spec.priorityClassName = o.priorityClassName;
  return spec;
}

function podMeta(app: string, o: PodOpts): KObj {
  const labels: Record<string, string> = { app, ...(o.labels ?? {}) };
  const annotations: Record<string, string> = { ...(o.annotations ?? {}) };
  if (o.customStatus) {
    labels[STATUS_LABEL] = o.customStatus;
    annotations[CUSTOM_STATUS.key] = CUSTOM_STATUS.value;
  }
  if (o.longRunning) labels[LONG_RUNNING_LABEL] = 'true';
  const m: KObj = { labels };
  if (Object.keys(annotations).length) m.annotations = annotations;
  return m;
}

/** The pod template of the app: its labels and annotations, its spec with `spec` laid over it. */
function template(app: string, o: PodOpts, spec: KObj = {}): KObj {
  return { metadata: podMeta(app, o), spec: { ...podSpec(app, o), ...spec } };
}

/** A controller of the app `name` (labelled app=name); `partial`: expected never to become fully available. */
function controller(apiVersion: string, kind: string, ns: string, name: string, spec: KObj, partial = false): KObj {
  const annotations = partial ? { annotations: { [EXPECT_PARTIAL]: 'true' } } : {};
  return { apiVersion, kind, metadata: { name, namespace: ns, labels: { app: name }, ...annotations }, spec };
}

export function deployment(ns: string, name: string, replicas: number, o: PodOpts = {}, partial = false): KObj {
  const spec = {
    replicas,
    selector: { matchLabels: { app: name } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: template(name, o),
  };
  return controller('apps/v1', 'Deployment', ns, name, spec, partial);
}

export function statefulSet(ns: string, name: string, replicas: number, o: PodOpts = {}): KObj {
  return controller('apps/v1', 'StatefulSet', ns, name, {
    replicas,
    serviceName: name,
    selector: { matchLabels: { app: name } },
    template: template(name, o),
  });
}

export function daemonSet(ns: string, name: string, o: PodOpts = {}): KObj {
  return controller('apps/v1', 'DaemonSet', ns, name, {
    selector: { matchLabels: { app: name } },
    template: template(name, o, { tolerations: o.tolerations ?? [{ operator: 'Exists' }] }),
  });
}

export function job(ns: string, name: string, parallelism: number, o: PodOpts = {}, partial = false): KObj {
  const spec = { parallelism, completions: parallelism, backoffLimit: 2, template: template(name, o, { restartPolicy: 'Never' }) };
  return controller('batch/v1', 'Job', ns, name, spec, partial);
}

export function cronJob(ns: string, name: string, schedule: string, o: PodOpts = {}): KObj {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: ns },
    spec: {
      schedule,
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      jobTemplate: { spec: { template: template(name, o, { restartPolicy: 'OnFailure' }) } },
    },
  };
}

export function pod(ns: string, name: string, o: PodOpts = {}): KObj {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, ...podMeta(name, o) }, spec: podSpec(name, o) };
}

export function ns(name: string, labels: Record<string, string> = {}): KObj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'lab.fleet/seeded': 'true', ...labels } } };
}

export function service(namespace: string, name: string, headless = false): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: {
      selector: { app: name },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      ...(headless ? { clusterIP: 'None' } : {}),
    },
  };
}

export function configMap(namespace: string, name: string, data: Record<string, string>, annotations?: Record<string, string>): KObj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, data };
}

export function secret(namespace: string, name: string, stringData: Record<string, string>, type = 'Opaque'): KObj {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type, stringData };
}

let eventSeq = 0;
/** A core/v1 Event about an object, as a controller or kubelet would post it. */
export function event(
  involved: { kind: string; name: string; namespace?: string; apiVersion?: string; uid?: string },
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  component: string,
  count = 1,
): KObj {
  const namespace = involved.namespace ?? 'default';
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const first = new Date(Date.now() - count * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${involved.name}.lab${(eventSeq++).toString(16).padStart(6, '0')}`, namespace },
    involvedObject: { apiVersion: involved.apiVersion ?? 'v1', ...involved, namespace: involved.namespace },
    type,
    reason,
    message,
    source: { component },
    reportingComponent: component,
    count,
    firstTimestamp: first,
    lastTimestamp: now,
  };
}

export const GPU_TOLERATION = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
export const AMD_TOLERATION = { key: 'amd.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
