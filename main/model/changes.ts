// Change events: what one record of an object's history means, in the console's words. The cache keeps
// every object's states (before and after each watch event); deriveChanges turns one such record into
// 0..n typed events (common/contract.ts DerivedChange): a rollout's image, a ConfigMap's keys, a node
// going NotReady, a pod entering CrashLoopBackOff. Pure: the caller gives the time of the change.
//
// Sources: apps/v1 (Deployment/StatefulSet/DaemonSet spec.template, spec.replicas, spec.paused, status
// conditions), core/v1 (Pod status, Node conditions/taints/nodeInfo/allocatable, PVC/PV phases and PVC
// resize conditions), storage.k8s.io/v1 (CSINode.spec.drivers, StorageClass), batch/v1 (Job Complete /
// Failed conditions, status.failed vs spec.backoffLimit, default 6; CronJob schedule/suspend),
// autoscaling/v2 (HPA status.desiredReplicas), apiextensions.k8s.io/v1 (CRD spec.versions served/storage),
// rbac.authorization.k8s.io/v1, and `kubectl rollout restart` (the kubectl.kubernetes.io/restartedAt
// template annotation). Which pod states are problems, and how severe, is workloads.ts's reading; node
// Ready/pressure/cordon is health.ts's; which resources are accelerators is accelerators.ts's.
//
// Judgement calls (so the UI can explain them):
//  - Pods: only health transitions, never creation/deletion or status churn (their owner's rollout is
//    the change). A crash loop is one "crashed"/"oom-killed" event when it starts and one "crashloop"
//    when the container first enters CrashLoopBackOff, not one per restart: a container that restarted
//    after a failure and is not ready yet is still in its crash loop. "recovered" needs the pod Ready
//    again (or, for image pulls, scheduling and start errors, the condition gone). A pod that is not
//    ready is "unready" only if it had been ready (before the change, or by its Ready condition's
//    transition time being later than its containers' start): readiness during startup is not news.
//  - Workload health: workloads.ts's problems, except that partial unavailability (Unavailable,
//    MinimumReplicasUnavailable, NotReady) is ignored while a rollout is in progress, for surge pods
//    (a Deployment with all its desired replicas available), and is news only when availability
//    dropped (a scale-up is not an outage). The "recovered" that ends a scale-up is still reported.
//  - Nodes: heartbeats, images, addresses and cpu/memory allocatable produce nothing; taints the node
//    lifecycle controller and kubelet mirror from conditions and cordon are not reported twice;
//    label keys that look like timestamps (GPU Feature Discovery's nvidia.com/gfd.timestamp) are skipped.
//  - Accelerators: any change in a possible accelerator's allocatable is reported; dropping to 0 is a
//    warning (it may be a kubelet restart: the event says what the node reported, not a verdict).
//  - Secrets: values are never read into any text; only key names and the sizes of the cache's
//    placeholders. The change-cause annotation of a Secret is not used as "who" (kubectl --record
//    stores the command line, which may hold --from-literal values).
//  - Kinds in QUIET_KINDS produce nothing (their owners' events say it, or they churn by design).
import type { ChangeCategory, ChangeRefs, ChangeSeverity, DerivedChange } from '../../common/contract.ts';
import { NO_VALUE } from '../../common/format.ts';
import { isPossibleAccelerator } from './accelerators.ts';
import { deepEqual, objectDiff, type DiffEntry } from './diff.ts';
import { nodeHealth } from './health.ts';
import { parseQuantity } from './quantity.ts';
import type { Node, NodeCondition, Pod } from './types.ts';
import { ageText, arr, condition, controllerOf, entries, isPodReady, isRecord, num, parseTime, str } from './util.ts';
import { workloadProblems, type WorkloadProblemInput } from './workloads.ts';

export interface ChangeInput {
  cluster: string;
  /** cache key: 'pods', 'apps/deployments', 'nodes', 'configmaps', 'storage.k8s.io/csinodes', ... */
  kind: string;
  uid: string;
  namespace: string;
  name: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  at: number;
  /** null for ADDED (or when the cache never saw the earlier state) */
  before: Record<string, any> | null;
  /** null for DELETED */
  after: Record<string, any> | null;
  /** the field manager of the change (the latest managedFields entry of the after-state, "kubectl-edit (Update)"), if known */
  manager: string | null;
  /** index of this change in the object's history (oldest = 0) */
  historyIndex: number;
}

/** ChangeRefs and what the contract's type cannot say yet: the object an HPA scales. */
export interface ChangeRefsWithTarget extends ChangeRefs {
  target?: { kind: string; name: string };
}

/** A ConfigMap data value as the cache stores it: a digest and the size, never the value ("sha256:0123456789ab 42 bytes"). */
export const CONFIGMAP_DATA_DIGEST = /^sha256:[0-9a-f]{12} <?(\d+) bytes>?$/;
/** A Secret data value as the cache stores it: the size only ("<42 bytes>"). */
export const SECRET_DATA_PLACEHOLDER = /^<?(\d+) bytes>?$/;
/** Set by `kubectl --record` and by hand: why a workload changed. */
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
/** Set on the pod template by `kubectl rollout restart`. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
/** Longest summary, in characters (one line). */
export const SUMMARY_MAX = 200;

/**
 * Kinds whose changes are no events: ReplicaSets and ControllerRevisions (their workload's rollout is
 * the change), Events (a log of their own), Leases (renewed every few seconds), Endpoints and
 * EndpointSlices (move with every pod's readiness), ResourceSlices (republished by their driver),
 * ResourceClaims and VolumeAttachments (one per pod or mount, like pods), CSIStorageCapacity
 * (refreshed by the provisioner).
 */
export const QUIET_KINDS: ReadonlySet<string> = new Set([
  'apps/replicasets',
  'apps/controllerrevisions',
  'events',
  'events.k8s.io/events',
  'coordination.k8s.io/leases',
  'endpoints',
  'discovery.k8s.io/endpointslices',
  'resource.k8s.io/resourceslices',
  'resource.k8s.io/resourceclaims',
  'storage.k8s.io/volumeattachments',
  'storage.k8s.io/csistoragecapacities',
]);

// ------------------------------------------------------------------------------------ kinds

/**
 * cache key, how the console names it, the API kind (ownerReferences[].kind), and whether its objects
 * concern the whole cluster (correlation ranks their changes for any problem of the cluster).
 */
const KINDS: readonly (readonly [string, string, string, ('cluster-wide' | '')?])[] = [
  ['pods', 'Pod', 'Pod'],
  ['nodes', 'Node', 'Node', 'cluster-wide'],
  ['namespaces', 'Namespace', 'Namespace'],
  ['services', 'Service', 'Service'],
  ['serviceaccounts', 'ServiceAccount', 'ServiceAccount'],
  ['configmaps', 'ConfigMap', 'ConfigMap'],
  ['secrets', 'Secret', 'Secret'],
  ['persistentvolumeclaims', 'PVC', 'PersistentVolumeClaim'],
  ['persistentvolumes', 'PV', 'PersistentVolume'],
  ['apps/deployments', 'Deployment', 'Deployment'],
  ['apps/statefulsets', 'StatefulSet', 'StatefulSet'],
  ['apps/daemonsets', 'DaemonSet', 'DaemonSet'],
  ['apps/replicasets', 'ReplicaSet', 'ReplicaSet'],
  ['batch/jobs', 'Job', 'Job'],
  ['batch/cronjobs', 'CronJob', 'CronJob'],
  ['autoscaling/horizontalpodautoscalers', 'HPA', 'HorizontalPodAutoscaler'],
  ['storage.k8s.io/storageclasses', 'StorageClass', 'StorageClass', 'cluster-wide'],
  ['storage.k8s.io/csinodes', 'CSINode', 'CSINode', 'cluster-wide'],
  ['storage.k8s.io/csidrivers', 'CSIDriver', 'CSIDriver', 'cluster-wide'],
  ['apiextensions.k8s.io/customresourcedefinitions', 'CRD', 'CustomResourceDefinition', 'cluster-wide'],
  ['resource.k8s.io/deviceclasses', 'DeviceClass', 'DeviceClass', 'cluster-wide'],
  ['rbac.authorization.k8s.io/roles', 'Role', 'Role'],
  ['rbac.authorization.k8s.io/clusterroles', 'ClusterRole', 'ClusterRole', 'cluster-wide'],
  ['rbac.authorization.k8s.io/rolebindings', 'RoleBinding', 'RoleBinding'],
  ['rbac.authorization.k8s.io/clusterrolebindings', 'ClusterRoleBinding', 'ClusterRoleBinding', 'cluster-wide'],
];
const KIND_NAME = new Map(KINDS.map(([key, name]) => [key, name]));
const KIND_KEY = new Map(KINDS.map(([key, , apiKind]) => [apiKind, key]));
const CLUSTER_WIDE = new Set(KINDS.filter((k) => k[3] === 'cluster-wide').map(([key]) => key));

/** Nodes, CRDs, ClusterRoles and their bindings, StorageClasses, DeviceClasses, CSIDrivers, CSINodes: changes that concern the whole cluster. */
export function isClusterWide(key: string): boolean {
  return CLUSTER_WIDE.has(key);
}

/** How the console names a kind key: "apps/deployments" → "Deployment"; unknown kinds by their resource ("widgets" → "widget"). */
export function kindName(key: string): string {
  const known = KIND_NAME.get(key);
  if (known) return known;
  const resource = String(key ?? '').slice(String(key ?? '').lastIndexOf('/') + 1);
  return resource.endsWith('s') ? resource.slice(0, -1) : resource || 'object';
}

/** The cache key of an API kind as ownerReferences name it ("Deployment" → "apps/deployments"), undefined when unknown. */
export function kindKeyOf(apiKind: string): string | undefined {
  return KIND_KEY.get(apiKind);
}

// ------------------------------------------------------------------------------------ readers

type Obj = Record<string, unknown>;

/** x[k1][k2]... through own properties of records only; undefined when a step is missing. */
export function dig(x: unknown, ...path: string[]): unknown {
  let v = x;
  for (const k of path) {
    if (!isRecord(v) || !Object.hasOwn(v, k)) return undefined;
    v = v[k];
  }
  return v;
}

function strings(x: unknown): string[] {
  return arr(x as unknown[]).filter((s): s is string => typeof s === 'string' && s !== '');
}

/** Non-empty string. */
function text(x: unknown): string | undefined {
  const s = str(x);
  return s === undefined || s === '' ? undefined : s;
}

/** A quantity or other scalar as shown: strings and finite numbers, else undefined. */
function scalar(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' && Number.isFinite(x)) return String(x);
  if (typeof x === 'boolean') return String(x);
  return undefined;
}

const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]+/gu;

/** One line of at most `max` characters: control and format characters become spaces, runs of space one. */
export function oneLine(s: string, max = SUMMARY_MAX): string {
  const t = String(s).replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  return `${[...t].slice(0, max - 1).join('')}…`;
}

/** A list for a summary: "a, b, c (+2 more)". */
function listed(list: readonly string[], max = 5): string {
  const shown = list.slice(0, max).map((s) => oneLine(s, 80));
  return list.length > max ? `${shown.join(', ')} (+${list.length - max} more)` : shown.join(', ');
}

function changed(a: string | undefined, b: string | undefined): string {
  return `${a === undefined ? NO_VALUE : oneLine(a, 80)} → ${b === undefined ? NO_VALUE : oneLine(b, 80)}`;
}

/** A diff's paths for a summary: "spec.volumes[name=cfg] (added), spec.paused (+2 more)". Paths only, never values. */
function pathsText(list: readonly DiffEntry[], max = 3): string {
  const shown = list.map((e) => (e.op === 'changed' ? e.path : `${e.path} (${e.op})`));
  return listed(shown, max);
}

interface KeyDiff {
  changed: string[];
  added: string[];
  removed: string[];
}

function keyDiff<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): KeyDiff {
  const d: KeyDiff = { changed: [], added: [], removed: [] };
  for (const [k, v] of b) {
    if (!a.has(k)) d.added.push(k);
    else if (!deepEqual(a.get(k), v)) d.changed.push(k);
  }
  for (const k of a.keys()) if (!b.has(k)) d.removed.push(k);
  return d;
}

function isEmpty(d: KeyDiff): boolean {
  return d.changed.length + d.added.length + d.removed.length === 0;
}

/** "changed: a; added: b; removed: c" (or without the colons: "changed a; added b"). */
function keyParts(d: KeyDiff, colon = true): string {
  const sep = colon ? ': ' : ' ';
  const parts: string[] = [];
  if (d.changed.length) parts.push(`changed${sep}${listed(d.changed)}`);
  if (d.added.length) parts.push(`added${sep}${listed(d.added)}`);
  if (d.removed.length) parts.push(`removed${sep}${listed(d.removed)}`);
  return parts.join('; ');
}

/** Own entries of a map-like field as a Map. */
function mapOf(x: unknown): Map<string, unknown> {
  return new Map(entries(isRecord(x) ? x : undefined));
}

function conditionOf(o: unknown, type: string): Obj | undefined {
  const c: unknown = condition(dig(o, 'status', 'conditions') as NodeCondition[] | undefined, type);
  return isRecord(c) ? c : undefined;
}

function isTrueCondition(o: unknown, type: string): boolean {
  return conditionOf(o, type)?.status === 'True';
}

/** "reason: message" of a condition (or of a status), clipped. */
function because(c: unknown, max = 160): string {
  const parts = [text(dig(c, 'reason')), text(dig(c, 'message'))].filter((s): s is string => s !== undefined);
  return oneLine(parts.join(': '), max);
}

// ------------------------------------------------------------------------------------ references

/** What a pod spec (or a workload's template) references, by name within its namespace. */
export interface SpecRefs {
  images: string[];
  configMaps: string[];
  secrets: string[];
  pvcs: string[];
  storageClasses: string[];
  /** what it mounts as volumes, as "configmaps/<name>", "secrets/<name>", "persistentvolumeclaims/<name>" (the rest it reads through env) */
  mounts: string[];
}

/** The pod spec inside an object of this kind: a pod's spec, a workload's or Job's template, a CronJob's job template. */
export function podSpecOf(kind: string, o: unknown): unknown {
  if (kind === 'pods') return dig(o, 'spec');
  if (kind === 'batch/cronjobs') return dig(o, 'spec', 'jobTemplate', 'spec', 'template', 'spec');
  if (['apps/deployments', 'apps/statefulsets', 'apps/daemonsets', 'apps/replicasets', 'batch/jobs'].includes(kind)) {
    return dig(o, 'spec', 'template', 'spec');
  }
  return undefined;
}

/** Images, ConfigMaps, Secrets (volumes, envFrom, env valueFrom, imagePullSecrets), PVCs and StorageClasses (ephemeral volumes) of a pod spec. */
export function podSpecRefs(spec: unknown): SpecRefs {
  const sets = { images: new Set<string>(), configMaps: new Set<string>(), secrets: new Set<string>(), pvcs: new Set<string>() };
  const storageClasses = new Set<string>();
  const mounts = new Set<string>();
  const add = (set: Set<string>, v: unknown, mount?: string): void => {
    const s = text(v);
    if (s === undefined) return;
    set.add(s);
    if (mount) mounts.add(`${mount}/${s}`);
  };
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of arr(dig(spec, list) as unknown[])) {
      add(sets.images, dig(c, 'image'));
      for (const e of arr(dig(c, 'envFrom') as unknown[])) {
        add(sets.configMaps, dig(e, 'configMapRef', 'name'));
        add(sets.secrets, dig(e, 'secretRef', 'name'));
      }
      for (const e of arr(dig(c, 'env') as unknown[])) {
        add(sets.configMaps, dig(e, 'valueFrom', 'configMapKeyRef', 'name'));
        add(sets.secrets, dig(e, 'valueFrom', 'secretKeyRef', 'name'));
      }
    }
  }
  for (const v of arr(dig(spec, 'volumes') as unknown[])) {
    add(sets.configMaps, dig(v, 'configMap', 'name'), 'configmaps');
    add(sets.secrets, dig(v, 'secret', 'secretName'), 'secrets');
    add(sets.pvcs, dig(v, 'persistentVolumeClaim', 'claimName'), 'persistentvolumeclaims');
    add(storageClasses, dig(v, 'ephemeral', 'volumeClaimTemplate', 'spec', 'storageClassName'));
    for (const s of arr(dig(v, 'projected', 'sources') as unknown[])) {
      add(sets.configMaps, dig(s, 'configMap', 'name'), 'configmaps');
      add(sets.secrets, dig(s, 'secret', 'name'), 'secrets');
    }
  }
  for (const s of arr(dig(spec, 'imagePullSecrets') as unknown[])) add(sets.secrets, dig(s, 'name'));
  return {
    images: [...sets.images],
    configMaps: [...sets.configMaps],
    secrets: [...sets.secrets],
    pvcs: [...sets.pvcs],
    storageClasses: [...storageClasses],
    mounts: [...mounts],
  };
}

export interface ObjectRefs extends SpecRefs {
  node?: string;
  owner?: { kind: string; name: string; uid?: string };
}

/** What an object of this kind references: its pod spec's refs, a pod's node, a PVC's class, a StatefulSet's claim classes, its controller. */
export function refsOf(kind: string, o: unknown): ObjectRefs {
  const r: ObjectRefs = podSpecRefs(podSpecOf(kind, o));
  const name = text(dig(o, 'metadata', 'name'));
  const push = (list: string[], v: unknown): void => {
    const s = text(v);
    if (s !== undefined && !list.includes(s)) list.push(s);
  };
  if (kind === 'apps/statefulsets') {
    for (const t of arr(dig(o, 'spec', 'volumeClaimTemplates') as unknown[])) push(r.storageClasses, dig(t, 'spec', 'storageClassName'));
  } else if (kind === 'persistentvolumeclaims' || kind === 'persistentvolumes') {
    push(r.storageClasses, dig(o, 'spec', 'storageClassName'));
  }
  const node =
    kind === 'pods' ? text(dig(o, 'spec', 'nodeName')) : kind === 'nodes' || kind === 'storage.k8s.io/csinodes' ? name : undefined;
  if (node) r.node = node;
  const owner = controllerOf(o);
  if (owner) r.owner = owner;
  return r;
}

/** The refs an event carries: non-empty lists only, without `mounts` (not in the contract). */
function eventRefs(r: ObjectRefs | ChangeRefsWithTarget): ChangeRefsWithTarget {
  const out: ChangeRefsWithTarget = {};
  for (const k of ['images', 'previousImages', 'configMaps', 'secrets', 'pvcs', 'storageClasses'] as const) {
    const list = (r as ChangeRefs)[k];
    if (Array.isArray(list) && list.length) out[k] = [...new Set(list)];
  }
  if (r.node) out.node = r.node;
  if (r.owner) out.owner = r.owner;
  const target = (r as ChangeRefsWithTarget).target;
  if (target) out.target = target;
  return out;
}

// ------------------------------------------------------------------------------------ events

interface Ctx {
  readonly c: ChangeInput;
  readonly kind: string;
  readonly before: Obj | null;
  readonly after: Obj | null;
  readonly who: string;
  /** refs of the latest state (after, else before) */
  readonly refs: ObjectRefs;
  readonly out: DerivedChange[];
}

interface Emit {
  category: ChangeCategory;
  action: string;
  severity?: ChangeSeverity;
  summary: string;
  refs?: ObjectRefs | ChangeRefsWithTarget;
  fleetKey?: string | null;
}

function emit(x: Ctx, e: Emit): void {
  const c = x.c;
  x.out.push({
    cluster: str(c.cluster) ?? '',
    at: num(c.at) ?? 0,
    kind: x.kind,
    uid: str(c.uid) ?? '',
    namespace: str(c.namespace) ?? '',
    name: str(c.name) ?? '',
    category: e.category,
    action: e.action,
    severity: e.severity ?? 'info',
    summary: oneLine(e.summary),
    // A health transition is the object's status (a kubelet's, a controller's), not somebody's write:
    // the last writer of its spec would be named wrongly.
    who: e.category === 'health' ? 'unknown' : x.who,
    fleetKey: e.fleetKey ?? null,
    refs: eventRefs(e.refs ?? x.refs),
    historyIndex: Number.isInteger(c.historyIndex) ? c.historyIndex : null,
  });
}

type Step = (x: Ctx) => void;

/** Runs only for a MODIFIED record whose both states are known. */
function modified(f: (x: Ctx, a: Obj, b: Obj) => void): Step {
  return (x) => {
    if (x.c.type === 'MODIFIED' && x.before && x.after) f(x, x.before, x.after);
  };
}

/** created (ADDED) / deleted (DELETED). */
function lifecycle(category: ChangeCategory, created: (o: Obj, x: Ctx) => string = () => 'created', key?: (o: Obj) => string | null): Step {
  return (x) => {
    if (x.c.type === 'ADDED') {
      const summary = x.after ? created(x.after, x) : 'created';
      emit(x, { category, action: 'created', summary, fleetKey: x.after && key ? key(x.after) : null });
    } else if (x.c.type === 'DELETED') {
      emit(x, { category, action: 'deleted', summary: 'deleted' });
    }
  };
}

/** The object without what every write or the controllers move: metadata, status, apiVersion, kind. */
function content(o: Obj, drop: readonly string[] = []): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind' || drop.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

/** "changed: <paths>" when anything but metadata and status changed (spec, data, rules, parameters...). */
function contentChanged(category: ChangeCategory, drop: readonly string[] = []): Step {
  return modified((x, a, b) => {
    const d = objectDiff(content(a, drop), content(b, drop));
    if (d.length) emit(x, { category, action: 'changed', summary: `changed: ${pathsText(d)}` });
  });
}

/** "changed: spec.<paths>" for the spec fields a kind's own rules do not read. */
function otherSpec(category: ChangeCategory, read: readonly string[]): Step {
  return modified((x, a, b) => {
    const strip = (o: Obj): Obj => ({ spec: isRecord(o.spec) ? content(o.spec, read) : o.spec });
    const d = objectDiff(strip(a), strip(b));
    if (d.length) emit(x, { category, action: 'changed', summary: `changed: ${pathsText(d)}` });
  });
}

// ------------------------------------------------------------------------------------ pod templates

/** Containers and init containers by name (names are unique across both in a valid pod). */
function containersOf(spec: unknown): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const list of ['initContainers', 'containers']) {
    arr(dig(spec, list) as unknown[]).forEach((c, i) => {
      if (isRecord(c)) out.set(text(c.name) ?? `${list}[${i}]`, c);
    });
  }
  return out;
}

/** name → what the variable is (value or valueFrom), compared, never shown. */
function envOf(c: Obj): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const e of arr(c.env as unknown[])) {
    const name = text(dig(e, 'name'));
    if (name !== undefined) out.set(name, [dig(e, 'value'), dig(e, 'valueFrom')]);
  }
  return out;
}

function envText(a: Obj, b: Obj): string {
  const parts = [keyParts(keyDiff(envOf(a), envOf(b)), false)].filter((s) => s !== '');
  if (!deepEqual(a.envFrom, b.envFrom)) parts.push('envFrom changed');
  return parts.join('; ');
}

function resourcesText(a: Obj, b: Obj): string {
  const parts: string[] = [];
  for (const kind of ['requests', 'limits']) {
    const ra = mapOf(dig(a, 'resources', kind));
    const rb = mapOf(dig(b, 'resources', kind));
    for (const r of new Set([...ra.keys(), ...rb.keys()])) {
      const va = scalar(ra.get(r));
      const vb = scalar(rb.get(r));
      if (va !== vb) parts.push(`${kind}.${oneLine(r, 60)} ${changed(va, vb)}`);
    }
  }
  return listed(parts, 4);
}

/** A container without what templateChanges reports by itself (image, env, requests/limits). */
function stripContainer(c: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === 'image' || k === 'env' || k === 'envFrom') continue;
    out[k] = k === 'resources' && isRecord(v) ? content(v, ['requests', 'limits']) : v;
  }
  return out;
}

/** A template without what templateChanges reports by itself; containers only those in both versions. */
function stripTemplate(t: unknown, common: ReadonlySet<string>): unknown {
  if (!isRecord(t)) return t;
  const out: Obj = { ...t };
  const annotations = dig(t, 'metadata', 'annotations');
  if (isRecord(annotations) && Object.hasOwn(annotations, RESTARTED_AT_ANNOTATION)) {
    const rest = { ...annotations };
    delete rest[RESTARTED_AT_ANNOTATION];
    const metadata: Obj = { ...(t.metadata as Obj), annotations: rest };
    if (Object.keys(rest).length === 0) delete metadata.annotations; // the restart was all there was
    out.metadata = metadata;
  }
  if (isRecord(t.spec)) {
    const spec: Obj = { ...t.spec };
    for (const list of ['initContainers', 'containers']) {
      const cs = spec[list];
      if (!Array.isArray(cs)) continue;
      spec[list] = cs.filter((c) => isRecord(c) && common.has(text(c.name) ?? '')).map((c) => stripContainer(c as Obj));
    }
    out.spec = spec;
  }
  return out;
}

/** A rollout: per container image a → b, env and resources changed; containers added/removed; a restart; other template paths. */
function templateChanges(x: Ctx, ta: unknown, tb: unknown): void {
  const ca = containersOf(dig(ta, 'spec'));
  const cb = containersOf(dig(tb, 'spec'));
  const refs = x.refs;
  const common = new Set<string>();
  for (const [n, b] of cb) {
    const a = ca.get(n);
    const ib = text(b.image);
    if (!a) {
      const summary = `container ${oneLine(n, 60)} added${ib ? `: ${oneLine(ib, 120)}` : ''}`;
      emit(x, {
        category: 'rollout',
        action: 'image',
        summary,
        refs: { ...refs, images: ib ? [ib] : [] },
        fleetKey: ib ? `image:${ib}` : null,
      });
      continue;
    }
    common.add(n);
    const ia = text(a.image);
    if (ia !== ib) {
      const imageRefs = { ...refs, images: ib ? [ib] : [], previousImages: ia ? [ia] : [] };
      emit(x, {
        category: 'rollout',
        action: 'image',
        summary: `image ${n}: ${changed(ia, ib)}`,
        refs: imageRefs,
        fleetKey: ib ? `image:${ib}` : null,
      });
    }
    const env = envText(a, b);
    if (env) emit(x, { category: 'rollout', action: 'env', summary: `env ${n}: ${env}` });
    const res = resourcesText(a, b);
    if (res) emit(x, { category: 'rollout', action: 'resources', summary: `resources ${n}: ${res}` });
  }
  for (const [n, a] of ca) {
    if (cb.has(n)) continue;
    const ia = text(a.image);
    emit(x, { category: 'rollout', action: 'template', summary: `container ${n} removed${ia ? ` (${ia})` : ''}` });
  }
  const ra = text(dig(ta, 'metadata', 'annotations', RESTARTED_AT_ANNOTATION));
  const rb = text(dig(tb, 'metadata', 'annotations', RESTARTED_AT_ANNOTATION));
  if (rb !== undefined && ra !== rb) emit(x, { category: 'rollout', action: 'restarted', summary: 'restarted (rollout restart)' });
  const other = objectDiff(stripTemplate(ta, common), stripTemplate(tb, common));
  if (other.length) emit(x, { category: 'rollout', action: 'template', summary: `template changed: ${pathsText(other)}` });
}

// ------------------------------------------------------------------------------------ workloads

const WORKLOAD_INPUT: ReadonlyMap<string, 'deployments' | 'statefulSets' | 'daemonSets'> = new Map([
  ['apps/deployments', 'deployments'],
  ['apps/statefulsets', 'statefulSets'],
  ['apps/daemonsets', 'daemonSets'],
]);
/** Partial unavailability (workloads.ts reasons): normal while rolling out or scaling. */
const SOFT_REASONS: ReadonlySet<string> = new Set(['Unavailable', 'MinimumReplicasUnavailable', 'NotReady']);
const RANK: Record<ChangeSeverity, number> = { info: 0, ok: 0, warning: 1, critical: 2 };

function desiredReplicas(o: unknown): number {
  return num(dig(o, 'spec', 'replicas')) ?? 1;
}

/** Available (Deployment), ready (StatefulSet) or available (DaemonSet) pods. */
function availability(kind: string, o: unknown): number {
  const s = (k: string): number | undefined => num(dig(o, 'status', k));
  if (kind === 'apps/statefulsets') return s('readyReplicas') ?? 0;
  if (kind === 'apps/daemonsets') return s('numberAvailable') ?? s('numberReady') ?? 0;
  return s('availableReplicas') ?? 0;
}

/** A rollout (or the first one) is in progress: partial unavailability is expected. */
function rollingOut(kind: string, o: unknown): boolean {
  const s = (k: string): number | undefined => num(dig(o, 'status', k));
  const generation = num(dig(o, 'metadata', 'generation'));
  const observed = s('observedGeneration');
  if (generation !== undefined && observed !== undefined && observed < generation) return true;
  if (kind === 'apps/daemonsets') return (s('updatedNumberScheduled') ?? 0) < (s('desiredNumberScheduled') ?? 0);
  if ((s('updatedReplicas') ?? 0) < desiredReplicas(o)) return true;
  if (kind === 'apps/statefulsets') {
    const update = text(dig(o, 'status', 'updateRevision'));
    return update !== undefined && update !== text(dig(o, 'status', 'currentRevision'));
  }
  const progressing = conditionOf(o, 'Progressing');
  return (s('replicas') ?? 0) > desiredReplicas(o) || (progressing?.status === 'True' && progressing.reason !== 'NewReplicaSetAvailable');
}

interface WorkloadState {
  action: string;
  severity: ChangeSeverity;
  reason: string;
  summary: string;
  soft: boolean;
}

/** workloads.ts's problem of a Deployment/StatefulSet/DaemonSet, as a health state; undefined: none that counts. `raw`: any problem at all. */
function workloadState(kind: string, o: Obj, at: number): { state?: WorkloadState; raw: boolean } {
  const key = WORKLOAD_INPUT.get(kind);
  if (!key) return { raw: false };
  const input: WorkloadProblemInput =
    key === 'deployments'
      ? { deployments: [o], now: at }
      : key === 'statefulSets'
        ? { statefulSets: [o], now: at }
        : { daemonSets: [o], now: at };
  const p = workloadProblems(input)[0];
  if (!p) return { raw: false };
  const soft = SOFT_REASONS.has(p.reason);
  if (soft && rollingOut(kind, o)) return { raw: true };
  if (soft && kind === 'apps/deployments' && availability(kind, o) >= desiredReplicas(o)) return { raw: true };
  const action =
    p.reason === 'ProgressDeadlineExceeded'
      ? 'progress-deadline'
      : p.reason === 'Misscheduled'
        ? 'misscheduled'
        : soft
          ? kind === 'apps/statefulsets'
            ? 'unready'
            : 'unavailable'
          : 'replica-failure';
  return { raw: true, state: { action, severity: p.severity, reason: p.reason, summary: `${p.reason}: ${p.message}`, soft } };
}

function availabilityText(kind: string, o: Obj): string {
  if (kind === 'apps/daemonsets') return `${availability(kind, o)}/${num(dig(o, 'status', 'desiredNumberScheduled')) ?? 0} pods available`;
  return `${availability(kind, o)}/${desiredReplicas(o)} replicas ${kind === 'apps/statefulsets' ? 'ready' : 'available'}`;
}

const workloadHealth = modified((x, a, b) => {
  const at = num(x.c.at) ?? 0;
  const was = workloadState(x.kind, a, at).state;
  const now = workloadState(x.kind, b, at);
  const s = now.state;
  if (s) {
    const news = !was || was.action !== s.action || RANK[s.severity] > RANK[was.severity];
    const dropped = availability(x.kind, b) < availability(x.kind, a);
    if (news && (!s.soft || dropped)) emit(x, { category: 'health', action: s.action, severity: s.severity, summary: s.summary });
  } else if (was && !now.raw) {
    emit(x, {
      category: 'health',
      action: 'recovered',
      severity: 'ok',
      summary: `recovered from ${was.reason}: ${availabilityText(x.kind, b)}`,
    });
  }
});

function workloadCreated(o: Obj, x: Ctx): string {
  const images = listed(x.refs.images, 3);
  const replicas = x.kind === 'apps/daemonsets' ? undefined : desiredReplicas(o);
  const parts = [images, replicas === undefined ? '' : `${replicas} replica${replicas === 1 ? '' : 's'}`].filter((s) => s !== '');
  return parts.length ? `created (${parts.join(', ')})` : 'created';
}

const replicasStep = modified((x, a, b) => {
  if (x.kind === 'apps/daemonsets') return;
  const ra = desiredReplicas(a);
  const rb = desiredReplicas(b);
  if (ra !== rb) emit(x, { category: 'scale', action: 'replicas', summary: `replicas ${ra} → ${rb}` });
});

const pausedStep = modified((x, a, b) => {
  const pa = dig(a, 'spec', 'paused') === true;
  const pb = dig(b, 'spec', 'paused') === true;
  if (pa !== pb) emit(x, { category: 'rollout', action: pb ? 'paused' : 'resumed', summary: pb ? 'rollout paused' : 'rollout resumed' });
});

const WORKLOAD: readonly Step[] = [
  lifecycle('rollout', workloadCreated),
  modified((x, a, b) => templateChanges(x, dig(a, 'spec', 'template'), dig(b, 'spec', 'template'))),
  replicasStep,
  pausedStep,
  otherSpec('rollout', ['template', 'replicas', 'paused']),
  workloadHealth,
];

// ------------------------------------------------------------------------------------ pods

const IMAGE_PULL: ReadonlySet<string> = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName']);

interface Exit {
  reason: string;
  code: number | undefined;
}

interface ContainerState {
  init: boolean;
  label: string;
  name: string;
  ready: boolean;
  restarts: number;
  waiting: string | undefined;
  waitingMessage: string | undefined;
  exited: Exit | undefined;
  last: Exit | undefined;
  startedAt: number | undefined;
}

function exitOf(t: unknown): Exit | undefined {
  return isRecord(t) ? { reason: text(t.reason) ?? 'Error', code: num(t.exitCode) } : undefined;
}

function failedExit(e: Exit | undefined): e is Exit {
  return e !== undefined && (e.code !== undefined ? e.code !== 0 : e.reason !== 'Completed');
}

function exitText(e: Exit): string {
  return e.code === undefined ? e.reason : `${e.reason}, exit code ${e.code}`;
}

/** The pod's init and app container statuses, as far as the change rules read them. */
function containerStates(pod: Obj): ContainerState[] {
  const out: ContainerState[] = [];
  for (const [key, word] of [
    ['initContainerStatuses', 'init container'],
    ['containerStatuses', 'container'],
  ] as const) {
    for (const s of arr(dig(pod, 'status', key) as unknown[])) {
      if (!isRecord(s)) continue;
      const name = text(s.name) ?? '?';
      const waiting = dig(s, 'state', 'waiting');
      out.push({
        init: key === 'initContainerStatuses',
        label: `${word} ${oneLine(name, 60)}`,
        name,
        ready: s.ready === true,
        restarts: Math.max(0, num(s.restartCount) ?? 0),
        waiting: text(dig(waiting, 'reason')),
        waitingMessage: text(dig(waiting, 'message')),
        exited: exitOf(dig(s, 'state', 'terminated')),
        last: exitOf(dig(s, 'lastState', 'terminated')),
        startedAt: parseTime(dig(s, 'state', 'running', 'startedAt')),
      });
    }
  }
  return out;
}

type PodGroup = 'failed' | 'unschedulable' | 'image-pull' | 'crash' | 'start-error' | 'unready';

interface PodState {
  group: PodGroup;
  action: string;
  severity: ChangeSeverity;
  summary: string;
  /** what the recovery names: "CrashLoopBackOff", "Unschedulable" */
  label: string;
  /** restarts of the container at fault */
  restarts: number;
}

/** The pod lost readiness after its containers started (its Ready condition turned False later than every container's start). */
function lostReadiness(pod: Obj, cs: readonly ContainerState[]): boolean {
  const since = parseTime(conditionOf(pod, 'Ready')?.lastTransitionTime);
  const apps = cs.filter((c) => !c.init);
  if (since === undefined || apps.length === 0) return false;
  return apps.every((c) => c.startedAt !== undefined && since > c.startedAt);
}

function memoryLimit(pod: Obj, container: string): string | undefined {
  return scalar(dig(containersOf(dig(pod, 'spec')).get(container), 'resources', 'limits', 'memory'));
}

/** A pod's health as the change rules track it; undefined: nothing tracked is wrong. */
function podState(pod: Obj, at: number, wasReady: boolean): PodState | undefined {
  const problem = workloadProblems({ pods: [pod as Pod], now: at })[0];
  const severity: ChangeSeverity = problem?.severity ?? 'warning';
  const phase = text(dig(pod, 'status', 'phase'));
  const cs = containerStates(pod);
  if (phase === 'Succeeded') return undefined;
  if (phase === 'Failed') {
    if (!problem) return undefined;
    const dead = cs.find((c) => failedExit(c.exited));
    const why = text(dig(pod, 'status', 'message')) ?? (dead?.exited ? `${dead.label}: ${exitText(dead.exited)}` : undefined);
    const summary = `failed (${problem.reason})${why ? `: ${oneLine(why, 160)}` : ''}`;
    return { group: 'failed', action: 'failed', severity, summary, label: problem.reason, restarts: 0 };
  }
  const sched = conditionOf(pod, 'PodScheduled');
  if (sched?.status === 'False' && sched.reason === 'Unschedulable') {
    const summary = `Unschedulable: ${oneLine(text(sched.message) ?? 'no node fits', 160)}`;
    return { group: 'unschedulable', action: 'unschedulable', severity, summary, label: 'Unschedulable', restarts: 0 };
  }
  const pull = cs.find((c) => c.waiting !== undefined && IMAGE_PULL.has(c.waiting));
  if (pull?.waiting) {
    const image = text(dig(containersOf(dig(pod, 'spec')).get(pull.name), 'image'));
    const summary = `${pull.waiting}: ${pull.label}${image ? `, image ${oneLine(image, 120)}` : ''}`;
    return { group: 'image-pull', action: 'image-pull', severity, summary, label: pull.waiting, restarts: pull.restarts };
  }
  const loop = cs.find((c) => c.waiting === 'CrashLoopBackOff');
  if (loop) {
    const summary = `CrashLoopBackOff: ${loop.label}${loop.last ? ` (last exit: ${exitText(loop.last)})` : ''}`;
    return { group: 'crash', action: 'crashloop', severity, summary, label: 'CrashLoopBackOff', restarts: loop.restarts };
  }
  // A container that just failed, or restarted after a failure and is not ready yet: still crashing.
  const exited = cs.find((c) => failedExit(c.exited));
  const restarted = cs.find((c) => !c.ready && c.restarts > 0 && failedExit(c.last) && c.waiting === undefined);
  const dead = exited ?? restarted;
  const death = exited?.exited ?? restarted?.last;
  if (dead && death) {
    if (death.reason === 'OOMKilled') {
      const limit = memoryLimit(pod, dead.name);
      const summary = `OOMKilled: ${dead.label}${limit ? ` (memory limit ${oneLine(limit, 40)})` : ''}`;
      return { group: 'crash', action: 'oom-killed', severity, summary, label: 'OOMKilled', restarts: dead.restarts };
    }
    const summary = `${dead.label} crashed: ${exitText(death)}`;
    return { group: 'crash', action: 'crashed', severity, summary, label: death.reason, restarts: dead.restarts };
  }
  const stuck =
    problem?.severity === 'critical' ? cs.find((c) => c.waiting !== undefined && problem.reason.endsWith(c.waiting)) : undefined;
  if (stuck?.waiting) {
    const summary = `${stuck.waiting}: ${stuck.label}${stuck.waitingMessage ? `: ${oneLine(stuck.waitingMessage, 160)}` : ''}`;
    return { group: 'start-error', action: 'start-error', severity, summary, label: stuck.waiting, restarts: stuck.restarts };
  }
  if (phase === 'Running' && conditionOf(pod, 'Ready')?.status !== 'True' && (wasReady || lostReadiness(pod, cs))) {
    const unready = cs.filter((c) => !c.ready).map((c) => c.label);
    const summary = `not ready${unready.length ? `: ${listed(unready, 3)}` : ''}`;
    return { group: 'unready', action: 'unready', severity: 'warning', summary, label: 'not ready', restarts: 0 };
  }
  return undefined;
}

function recoveredText(was: PodState, pod: Obj): string {
  if (was.group === 'unschedulable') {
    const node = text(dig(pod, 'spec', 'nodeName'));
    return `recovered from Unschedulable: scheduled${node ? ` on ${node}` : ''}`;
  }
  if (was.group === 'image-pull') return `recovered from ${was.label}: image pulled`;
  if (was.group === 'start-error') return `recovered from ${was.label}: containers started`;
  return `recovered from ${was.label}: ready`;
}

const podHealth = modified((x, a, b) => {
  if (text(dig(b, 'metadata', 'deletionTimestamp')) !== undefined) return; // going away: not news
  const at = num(x.c.at) ?? 0;
  const was = podState(a, at, false);
  const now = podState(b, at, isPodReady(a as Pod));
  if (now) {
    // Within a crash loop, only its first entry into CrashLoopBackOff is news (not every restart).
    const firstLoop = was?.group === 'crash' && now.action === 'crashloop' && was.action !== 'crashloop' && was.restarts <= 1;
    if (was?.group !== now.group || firstLoop)
      emit(x, { category: 'health', action: now.action, severity: now.severity, summary: now.summary });
  } else if (was && was.group !== 'failed') {
    const back = isPodReady(b as Pod) || was.group === 'image-pull' || was.group === 'unschedulable' || was.group === 'start-error';
    if (back) emit(x, { category: 'health', action: 'recovered', severity: 'ok', summary: recoveredText(was, b) });
  }
  if (now?.group === 'crash' || was?.group === 'crash') return;
  // An OOM kill the watch saw only as a restart (the container is running again).
  const before = new Map(containerStates(a).map((c) => [c.name, c.restarts]));
  for (const c of containerStates(b)) {
    if (c.last?.reason === 'OOMKilled' && c.restarts > (before.get(c.name) ?? c.restarts)) {
      const limit = memoryLimit(b, c.name);
      const summary = `OOMKilled: ${c.label}, restarted${limit ? ` (memory limit ${oneLine(limit, 40)})` : ''}`;
      emit(x, { category: 'health', action: 'oom-killed', severity: 'warning', summary });
    }
  }
});

// ------------------------------------------------------------------------------------ ConfigMaps, Secrets

function dataOf(o: Obj): Map<string, unknown> {
  const m = mapOf(o.data);
  for (const [k, v] of mapOf(o.binaryData)) if (!m.has(k)) m.set(k, v);
  return m;
}

function keysCreated(o: Obj): string {
  const keys = [...dataOf(o).keys()];
  return `created: ${keys.length} key${keys.length === 1 ? '' : 's'}${keys.length ? ` (${listed(keys, 5)})` : ''}`;
}

const CONFIGMAP: readonly Step[] = [
  lifecycle('config', keysCreated),
  modified((x, a, b) => {
    const d = keyDiff(dataOf(a), dataOf(b));
    if (!isEmpty(d)) emit(x, { category: 'config', action: 'keys', summary: `keys ${keyParts(d)}` });
  }),
];

/** The byte size a Secret placeholder says, undefined for anything else (an unexpected value is never read). */
function secretSize(v: unknown): number | undefined {
  const m = typeof v === 'string' ? SECRET_DATA_PLACEHOLDER.exec(v) : null;
  return m ? Number(m[1]) : undefined;
}

const SECRET: readonly Step[] = [
  lifecycle('secret', keysCreated),
  modified((x, a, b) => {
    const da = dataOf(a);
    const db = dataOf(b);
    const d = keyDiff(da, db);
    const sized: string[] = [];
    const other: string[] = [];
    for (const k of d.changed) {
      const sa = secretSize(da.get(k));
      const sb = secretSize(db.get(k));
      if (sa !== undefined && sb !== undefined) sized.push(`${oneLine(k, 80)} ${sa} → ${sb} bytes`);
      else other.push(k);
    }
    const parts: string[] = [];
    if (d.added.length) parts.push(`added: ${listed(d.added)}`);
    if (d.removed.length) parts.push(`removed: ${listed(d.removed)}`);
    if (sized.length) parts.push(`size changed: ${listed(sized)}`);
    if (other.length) parts.push(`changed: ${listed(other)}`);
    if (parts.length) emit(x, { category: 'secret', action: 'keys', summary: `keys ${parts.join('; ')}` });
  }),
];

// ------------------------------------------------------------------------------------ nodes

/** Taints the node lifecycle controller and kubelet set from conditions and cordon: the node's own events say them. */
const MIRRORED_TAINTS: ReadonlySet<string> = new Set([
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
  'node.kubernetes.io/unschedulable',
  'node.kubernetes.io/memory-pressure',
  'node.kubernetes.io/disk-pressure',
  'node.kubernetes.io/pid-pressure',
  'node.kubernetes.io/network-unavailable',
]);

/** status.nodeInfo fields reported: field, action, label, fleet key prefix. */
const NODE_INFO: readonly (readonly [string, string, string, string | null])[] = [
  ['kubeletVersion', 'kubelet', 'kubelet', 'kubelet'],
  ['kernelVersion', 'kernel', 'kernel', 'kernel'],
  ['containerRuntimeVersion', 'runtime', 'container runtime', null],
  ['osImage', 'os', 'OS', null],
];

function accelerators(o: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const [r, v] of entries(dig(o, 'status', 'allocatable') as Record<string, unknown> | undefined)) {
    const s = scalar(v);
    if (isPossibleAccelerator(r) && s !== undefined) out.set(r, s);
  }
  return out;
}

function count(v: string | undefined): number {
  const n = v === undefined ? 0 : parseQuantity(v);
  return Number.isNaN(n) ? 0 : n;
}

function nodeJoined(o: Obj): string {
  const kubelet = text(dig(o, 'status', 'nodeInfo', 'kubeletVersion'));
  const acc = [...accelerators(o)].filter(([, v]) => count(v) > 0).map(([r, v]) => `${oneLine(v, 20)} ${oneLine(r, 80)}`);
  const parts = [kubelet ? `kubelet ${oneLine(kubelet, 40)}` : '', ...acc].filter((s) => s !== '');
  return parts.length ? `joined (${listed(parts, 4)})` : 'joined';
}

function taints(o: unknown): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const t of arr(dig(o, 'spec', 'taints') as unknown[])) {
    const key = text(dig(t, 'key'));
    if (key === undefined || MIRRORED_TAINTS.has(key) || !isRecord(t)) continue;
    out.set(`${key}:${text(t.effect) ?? ''}`, t);
  }
  return out;
}

function labelsOf(o: unknown): Map<string, unknown> {
  const m = mapOf(dig(o, 'metadata', 'labels'));
  for (const k of m.keys()) if (/timestamp/i.test(k)) m.delete(k);
  return m;
}

const nodeConditions = modified((x, a, b) => {
  const at = num(x.c.at) ?? 0;
  const ha = nodeHealth(a as Node, { now: at });
  const hb = nodeHealth(b as Node, { now: at });
  const hadReady = conditionOf(a, 'Ready') !== undefined;
  const hasReady = conditionOf(b, 'Ready') !== undefined;
  if (ha.ready === 'True' && hb.ready !== 'True' && hasReady) {
    const why = because(conditionOf(b, 'Ready'));
    const summary = `NotReady${hb.ready === 'Unknown' ? ' (Unknown)' : ''}${why ? `: ${why}` : ''}`;
    emit(x, { category: 'health', action: 'not-ready', severity: 'critical', summary });
  } else if (ha.ready !== 'True' && hadReady && hb.ready === 'True') {
    emit(x, { category: 'health', action: 'ready', severity: 'ok', summary: 'Ready again' });
  }
  for (const p of hb.pressures) {
    if (ha.pressures.includes(p)) continue;
    const why = because(conditionOf(b, p));
    const severity = p === 'NetworkUnavailable' ? 'critical' : 'warning';
    emit(x, { category: 'health', action: 'pressure', severity, summary: `${p}${why ? `: ${why}` : ''}` });
  }
  for (const p of ha.pressures) {
    if (!hb.pressures.includes(p)) emit(x, { category: 'health', action: 'recovered', severity: 'ok', summary: `${p} cleared` });
  }
  if (ha.cordoned !== hb.cordoned) {
    emit(x, { category: 'node', action: hb.cordoned ? 'cordoned' : 'uncordoned', summary: hb.cordoned ? 'cordoned' : 'uncordoned' });
  }
});

const nodeTaints = modified((x, a, b) => {
  const ta = taints(a);
  const tb = taints(b);
  for (const [id, t] of tb) {
    if (ta.has(id)) continue;
    const severity = t.effect === 'NoExecute' ? 'warning' : 'info';
    emit(x, { category: 'node', action: 'taint-added', severity, summary: `taint added: ${oneLine(id, 120)}` });
  }
  for (const id of ta.keys())
    if (!tb.has(id)) emit(x, { category: 'node', action: 'taint-removed', summary: `taint removed: ${oneLine(id, 120)}` });
});

const nodeInfo = modified((x, a, b) => {
  for (const [field, action, label, prefix] of NODE_INFO) {
    const va = text(dig(a, 'status', 'nodeInfo', field));
    const vb = text(dig(b, 'status', 'nodeInfo', field));
    if (va === vb) continue;
    emit(x, { category: 'node', action, summary: `${label} ${changed(va, vb)}`, fleetKey: prefix && vb ? `${prefix}:${vb}` : null });
  }
});

const nodeAccelerators = modified((x, a, b) => {
  const aa = accelerators(a);
  const ab = accelerators(b);
  for (const r of new Set([...aa.keys(), ...ab.keys()])) {
    const na = count(aa.get(r));
    const nb = count(ab.get(r));
    if (na === nb) continue;
    const action = nb === 0 ? 'vanished' : na === 0 ? 'appeared' : 'changed';
    const summary = `${oneLine(r, 80)} ${oneLine(aa.get(r) ?? '0', 20)} → ${oneLine(ab.get(r) ?? '0', 20)}`;
    emit(x, { category: 'accelerator', action, severity: nb === 0 ? 'warning' : 'info', summary });
  }
});

const nodeLabels = modified((x, a, b) => {
  const d = keyDiff(labelsOf(a), labelsOf(b));
  if (!isEmpty(d)) emit(x, { category: 'node', action: 'labels', summary: `labels ${keyParts(d)}` });
});

const NODE: readonly Step[] = [
  (x) => {
    if (x.c.type === 'ADDED') emit(x, { category: 'node', action: 'joined', summary: x.after ? nodeJoined(x.after) : 'joined' });
    else if (x.c.type === 'DELETED') emit(x, { category: 'node', action: 'left', summary: 'left' });
  },
  nodeConditions,
  nodeTaints,
  nodeInfo,
  nodeAccelerators,
  nodeLabels,
];

// ------------------------------------------------------------------------------------ CSI, storage

function csiDrivers(o: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const d of arr(dig(o, 'spec', 'drivers') as unknown[])) {
    const name = text(dig(d, 'name'));
    if (name !== undefined) out.set(name, d);
  }
  return out;
}

const CSINODE: readonly Step[] = [
  (x) => {
    if (x.c.type === 'DELETED' || !x.after) return; // the node's own "left" says it
    if (x.c.type === 'MODIFIED' && !x.before) return;
    const da = x.c.type === 'ADDED' || !x.before ? new Map<string, unknown>() : csiDrivers(x.before);
    const db = csiDrivers(x.after);
    for (const [n, d] of db) {
      const old = da.get(n);
      if (old === undefined) emit(x, { category: 'csi', action: 'registered', summary: `CSI driver ${oneLine(n, 120)} registered` });
      else if (!deepEqual(old, d)) {
        emit(x, {
          category: 'csi',
          action: 'driver-changed',
          summary: `CSI driver ${oneLine(n, 120)} changed: ${pathsText(objectDiff(old, d))}`,
        });
      }
    }
    for (const n of da.keys()) {
      if (!db.has(n))
        emit(x, { category: 'csi', action: 'unregistered', severity: 'warning', summary: `CSI driver ${oneLine(n, 120)} unregistered` });
    }
  },
];

function quantityAt(o: unknown, ...path: string[]): string | undefined {
  return scalar(dig(o, ...path));
}

/** PVC conditions reported when they appear: type → action, category, severity. */
const PVC_CONDITIONS: ReadonlyMap<string, readonly [string, ChangeCategory, ChangeSeverity]> = new Map([
  ['Resizing', ['resizing', 'storage', 'info']],
  ['FileSystemResizePending', ['resize-pending', 'storage', 'info']],
  ['ControllerResizeError', ['resize-failed', 'health', 'warning']],
  ['NodeResizeError', ['resize-failed', 'health', 'warning']],
  ['ModifyVolumeError', ['modify-failed', 'health', 'warning']],
  ['ModifyingVolume', ['modifying', 'storage', 'info']],
]);

const PVC: readonly Step[] = [
  lifecycle('storage', (o) => {
    const size = quantityAt(o, 'spec', 'resources', 'requests', 'storage');
    const sc = text(dig(o, 'spec', 'storageClassName'));
    return `created: ${size ? oneLine(size, 20) : NO_VALUE}${sc ? `, StorageClass ${sc}` : ''}`;
  }),
  modified((x, a, b) => {
    const pa = text(dig(a, 'status', 'phase'));
    const pb = text(dig(b, 'status', 'phase'));
    if (pa === pb) return;
    const volume = text(dig(b, 'spec', 'volumeName'));
    if (pb === 'Lost')
      emit(x, {
        category: 'health',
        action: 'lost',
        severity: 'critical',
        summary: `Lost: its volume${volume ? ` ${volume}` : ''} is gone`,
      });
    else if (pb === 'Bound' && pa === 'Lost')
      emit(x, { category: 'health', action: 'recovered', severity: 'ok', summary: `recovered from Lost: bound to ${volume ?? NO_VALUE}` });
    else if (pb === 'Bound') emit(x, { category: 'storage', action: 'bound', summary: `bound${volume ? ` to ${volume}` : ''}` });
  }),
  modified((x, a, b) => {
    const ra = quantityAt(a, 'spec', 'resources', 'requests', 'storage');
    const rb = quantityAt(b, 'spec', 'resources', 'requests', 'storage');
    if (ra !== rb && ra !== undefined && rb !== undefined)
      emit(x, { category: 'storage', action: 'resize', summary: `resize requested: ${changed(ra, rb)}` });
    const ca = quantityAt(a, 'status', 'capacity', 'storage');
    const cb = quantityAt(b, 'status', 'capacity', 'storage');
    if (ca !== cb && ca !== undefined && cb !== undefined)
      emit(x, { category: 'storage', action: 'resized', summary: `capacity ${changed(ca, cb)}` });
  }),
  modified((x, a, b) => {
    for (const [type, [action, category, severity]] of PVC_CONDITIONS) {
      const was = isTrueCondition(a, type);
      const is = isTrueCondition(b, type);
      if (is && !was) {
        const why = because(conditionOf(b, type));
        emit(x, { category, action, severity, summary: `${type}${why ? `: ${why}` : ''}` });
      } else if (was && !is && category === 'health') {
        emit(x, { category: 'health', action: 'recovered', severity: 'ok', summary: `${type} cleared` });
      }
    }
  }),
];

const PV: readonly Step[] = [
  lifecycle('storage', (o) => {
    const size = quantityAt(o, 'spec', 'capacity', 'storage');
    const driver = text(dig(o, 'spec', 'csi', 'driver'));
    return `created: ${size ? oneLine(size, 20) : NO_VALUE}${driver ? ` (${driver})` : ''}`;
  }),
  modified((x, a, b) => {
    const pa = text(dig(a, 'status', 'phase'));
    const pb = text(dig(b, 'status', 'phase'));
    if (pa === pb || pb === undefined) return;
    const claim = [text(dig(b, 'spec', 'claimRef', 'namespace')), text(dig(b, 'spec', 'claimRef', 'name'))].filter(Boolean).join('/');
    const why = because(dig(b, 'status'));
    if (pb === 'Failed') emit(x, { category: 'health', action: 'failed', severity: 'critical', summary: `Failed${why ? `: ${why}` : ''}` });
    else if (pb === 'Released') emit(x, { category: 'storage', action: 'released', summary: `released${claim ? ` by ${claim}` : ''}` });
    else if (pb === 'Bound') emit(x, { category: 'storage', action: 'bound', summary: `bound${claim ? ` to ${claim}` : ''}` });
    else emit(x, { category: 'storage', action: pb.toLowerCase(), summary: `phase ${changed(pa, pb)}` });
  }),
];

function storageClassKey(o: Obj): string | null {
  const name = text(dig(o, 'metadata', 'name'));
  const provisioner = text(o.provisioner);
  return name && provisioner ? `storageclass:${name}:${provisioner}` : null;
}

const STORAGECLASS: readonly Step[] = [
  lifecycle(
    'storage',
    (o) => {
      const def = dig(o, 'metadata', 'annotations', DEFAULT_CLASS_ANNOTATION) === 'true';
      return `created: ${oneLine(text(o.provisioner) ?? NO_VALUE, 120)}${def ? ' (default)' : ''}`;
    },
    storageClassKey,
  ),
  modified((x, a, b) => {
    const d = objectDiff(content(a), content(b));
    if (d.length) emit(x, { category: 'storage', action: 'changed', summary: `changed: ${pathsText(d)}`, fleetKey: storageClassKey(b) });
    const da = dig(a, 'metadata', 'annotations', DEFAULT_CLASS_ANNOTATION) === 'true';
    const db = dig(b, 'metadata', 'annotations', DEFAULT_CLASS_ANNOTATION) === 'true';
    if (da !== db)
      emit(x, {
        category: 'storage',
        action: 'default',
        summary: db ? 'now the default StorageClass' : 'no longer the default StorageClass',
      });
  }),
];

// ------------------------------------------------------------------------------------ Jobs, CronJobs, HPAs

function jobCreated(_o: Obj, x: Ctx): string {
  const owner = x.refs.owner;
  return owner?.kind === 'CronJob' ? `started by CronJob ${owner.name}` : 'started';
}

function suspendStep(category: ChangeCategory, ...path: string[]): Step {
  return modified((x, a, b) => {
    const sa = dig(a, ...path) === true;
    const sb = dig(b, ...path) === true;
    if (sa !== sb) emit(x, { category, action: sb ? 'suspended' : 'resumed', summary: sb ? 'suspended' : 'resumed' });
  });
}

const JOB: readonly Step[] = [
  (x) => {
    if (x.c.type === 'ADDED') emit(x, { category: 'job', action: 'started', summary: x.after ? jobCreated(x.after, x) : 'started' });
  },
  modified((x, a, b) => {
    if (isTrueCondition(b, 'Complete') && !isTrueCondition(a, 'Complete')) {
      const start = parseTime(dig(b, 'status', 'startTime'));
      const end = parseTime(dig(b, 'status', 'completionTime'));
      const took = start !== undefined && end !== undefined && end >= start ? ` in ${ageText(end - start)}` : '';
      emit(x, { category: 'job', action: 'completed', summary: `completed${took}` });
    }
    if (isTrueCondition(a, 'Failed')) return;
    if (isTrueCondition(b, 'Failed')) {
      const why = because(conditionOf(b, 'Failed'));
      emit(x, { category: 'health', action: 'failed', severity: 'critical', summary: `failed${why ? `: ${why}` : ''}` });
      return;
    }
    const limit = num(dig(b, 'spec', 'backoffLimit')) ?? 6;
    const fa = num(dig(a, 'status', 'failed')) ?? 0;
    const fb = num(dig(b, 'status', 'failed')) ?? 0;
    if (fa <= limit && fb > limit) {
      emit(x, {
        category: 'health',
        action: 'failed',
        severity: 'critical',
        summary: `failed: ${fb} failed pods, past backoffLimit ${limit}`,
      });
    }
  }),
  suspendStep('job', 'spec', 'suspend'),
];

function schedule(o: unknown): string | undefined {
  const s = text(dig(o, 'spec', 'schedule'));
  const tz = text(dig(o, 'spec', 'timeZone'));
  return s === undefined ? undefined : `${s}${tz ? ` (${tz})` : ''}`;
}

const CRONJOB: readonly Step[] = [
  lifecycle('job', (o) => `created: schedule ${oneLine(schedule(o) ?? NO_VALUE, 80)}`),
  modified((x, a, b) => {
    const sa = schedule(a);
    const sb = schedule(b);
    if (sa !== sb) emit(x, { category: 'job', action: 'schedule', summary: `schedule ${changed(sa, sb)}` });
  }),
  suspendStep('job', 'spec', 'suspend'),
  modified((x, a, b) =>
    templateChanges(x, dig(a, 'spec', 'jobTemplate', 'spec', 'template'), dig(b, 'spec', 'jobTemplate', 'spec', 'template')),
  ),
  otherSpec('job', ['schedule', 'timeZone', 'suspend', 'jobTemplate']),
];

function hpaRefs(x: Ctx, o: Obj): ChangeRefsWithTarget {
  const kind = text(dig(o, 'spec', 'scaleTargetRef', 'kind'));
  const name = text(dig(o, 'spec', 'scaleTargetRef', 'name'));
  return kind && name ? { ...eventRefs(x.refs), target: { kind, name } } : eventRefs(x.refs);
}

function hpaTarget(o: Obj): string {
  return oneLine(text(dig(o, 'spec', 'scaleTargetRef', 'name')) ?? NO_VALUE, 80);
}

const HPA: readonly Step[] = [
  (x) => {
    const o = x.after ?? x.before;
    if (!o) return;
    if (x.c.type === 'ADDED') {
      const range = `${num(dig(o, 'spec', 'minReplicas')) ?? 1}–${num(dig(o, 'spec', 'maxReplicas')) ?? NO_VALUE}`;
      emit(x, { category: 'scale', action: 'created', summary: `created: ${hpaTarget(o)} ${range} replicas`, refs: hpaRefs(x, o) });
    } else if (x.c.type === 'DELETED') emit(x, { category: 'scale', action: 'deleted', summary: 'deleted', refs: hpaRefs(x, o) });
  },
  modified((x, a, b) => {
    const da = num(dig(a, 'status', 'desiredReplicas'));
    const db = num(dig(b, 'status', 'desiredReplicas'));
    if (da !== undefined && db !== undefined && da !== db) {
      emit(x, { category: 'scale', action: 'scaled', summary: `HPA scaled ${hpaTarget(b)}: ${da} → ${db}`, refs: hpaRefs(x, b) });
    }
    const parts: string[] = [];
    for (const [field, label] of [
      ['minReplicas', 'min replicas'],
      ['maxReplicas', 'max replicas'],
    ] as const) {
      const va = num(dig(a, 'spec', field)) ?? (field === 'minReplicas' ? 1 : undefined);
      const vb = num(dig(b, 'spec', field)) ?? (field === 'minReplicas' ? 1 : undefined);
      if (va !== vb) parts.push(`${label} ${va ?? NO_VALUE} → ${vb ?? NO_VALUE}`);
    }
    if (parts.length) emit(x, { category: 'scale', action: 'limits', summary: parts.join(', '), refs: hpaRefs(x, b) });
  }),
  otherSpec('scale', ['minReplicas', 'maxReplicas']),
];

// ------------------------------------------------------------------------------------ CRDs, RBAC

function crdVersions(o: unknown): { served: string[]; storage: string | undefined; schemas: Map<string, unknown> } {
  const served: string[] = [];
  let storage: string | undefined;
  const schemas = new Map<string, unknown>();
  for (const v of arr(dig(o, 'spec', 'versions') as unknown[])) {
    const name = text(dig(v, 'name'));
    if (name === undefined || !isRecord(v)) continue;
    if (v.served === true) served.push(name);
    if (v.storage === true) storage = name;
    schemas.set(name, [v.schema, v.subresources, v.additionalPrinterColumns]);
  }
  return { served, storage, schemas };
}

function crdKey(o: Obj): string | null {
  const name = text(dig(o, 'metadata', 'name'));
  return name ? `crd:${name}:${[...crdVersions(o).served].sort().join(',')}` : null;
}

const CRD: readonly Step[] = [
  lifecycle(
    'crd',
    (o) => {
      const v = crdVersions(o);
      return `created: served ${listed(v.served) || 'none'}${v.storage ? `; storage ${v.storage}` : ''}`;
    },
    crdKey,
  ),
  modified((x, a, b) => {
    const va = crdVersions(a);
    const vb = crdVersions(b);
    const parts: string[] = [];
    if (!deepEqual(va.served, vb.served)) parts.push(`served ${listed(va.served) || 'none'} → ${listed(vb.served) || 'none'}`);
    if (va.storage !== vb.storage) parts.push(`storage ${changed(va.storage, vb.storage)}`);
    if (parts.length) emit(x, { category: 'crd', action: 'versions', summary: parts.join('; '), fleetKey: crdKey(b) });
    const schema = [...vb.schemas].filter(([n, s]) => va.schemas.has(n) && !deepEqual(va.schemas.get(n), s)).map(([n]) => n);
    if (schema.length) emit(x, { category: 'crd', action: 'schema', summary: `schema changed: ${listed(schema)}` });
  }),
  otherSpec('crd', ['versions']),
];

function ruleText(r: unknown): string {
  const verbs = strings(dig(r, 'verbs'));
  // apiGroups [""] is the core group: its resources read without a group ("pods", "apps/deployments").
  const groups = arr(dig(r, 'apiGroups') as unknown[]).filter((g): g is string => typeof g === 'string');
  const resources = strings(dig(r, 'resources'));
  const names = strings(dig(r, 'resourceNames'));
  const targets = resources.length
    ? resources.flatMap((res) => (groups.length ? groups.map((g) => (g === '' ? res : `${g}/${res}`)) : [res]))
    : strings(dig(r, 'nonResourceURLs'));
  return `${verbs.join(',') || NO_VALUE} on ${targets.join(',') || NO_VALUE}${names.length ? ` (${names.join(',')})` : ''}`;
}

function rulesOf(o: unknown): string[] {
  return arr(dig(o, 'rules') as unknown[]).map(ruleText);
}

function without(list: readonly string[], other: readonly string[]): string[] {
  const left = [...other];
  const out: string[] = [];
  for (const s of list) {
    const i = left.indexOf(s);
    if (i >= 0) left.splice(i, 1);
    else out.push(s);
  }
  return out;
}

const ROLE: readonly Step[] = [
  lifecycle('rbac', (o) => {
    const n = rulesOf(o).length;
    return `created: ${n} rule${n === 1 ? '' : 's'}`;
  }),
  modified((x, a, b) => {
    const ra = rulesOf(a);
    const rb = rulesOf(b);
    const added = without(rb, ra);
    const removed = without(ra, rb);
    if (!added.length && !removed.length) return;
    const parts = [added.length ? `added ${listed(added, 2)}` : '', removed.length ? `removed ${listed(removed, 2)}` : ''].filter(
      (s) => s !== '',
    );
    const head = ra.length === rb.length ? 'rules changed' : `rules ${ra.length} → ${rb.length}`;
    emit(x, { category: 'rbac', action: 'rules', summary: `${head}: ${parts.join('; ')}` });
  }),
  modified((x, a, b) => {
    if (!deepEqual(a.aggregationRule, b.aggregationRule))
      emit(x, { category: 'rbac', action: 'changed', summary: 'changed: aggregationRule' });
  }),
];

function subjectsOf(o: unknown): string[] {
  return arr(dig(o, 'subjects') as unknown[]).map((s) => {
    const ns = text(dig(s, 'namespace'));
    return `${text(dig(s, 'kind')) ?? NO_VALUE} ${ns ? `${ns}/` : ''}${text(dig(s, 'name')) ?? NO_VALUE}`;
  });
}

function roleRef(o: unknown): string {
  return `${text(dig(o, 'roleRef', 'kind')) ?? NO_VALUE} ${text(dig(o, 'roleRef', 'name')) ?? NO_VALUE}`;
}

const BINDING: readonly Step[] = [
  lifecycle('rbac', (o) => {
    const subjects = subjectsOf(o);
    return `created: ${roleRef(o)} → ${subjects.length ? listed(subjects, 3) : 'no subjects'}`;
  }),
  modified((x, a, b) => {
    const sa = subjectsOf(a);
    const sb = subjectsOf(b);
    const added = without(sb, sa);
    const removed = without(sa, sb);
    const parts = [added.length ? `added: ${listed(added, 3)}` : '', removed.length ? `removed: ${listed(removed, 3)}` : ''].filter(
      (s) => s !== '',
    );
    if (parts.length) emit(x, { category: 'rbac', action: 'subjects', summary: `subjects ${parts.join('; ')}` });
    if (roleRef(a) !== roleRef(b)) emit(x, { category: 'rbac', action: 'roleRef', summary: `roleRef ${changed(roleRef(a), roleRef(b))}` });
  }),
];

// ------------------------------------------------------------------------------------ dispatch

const GENERIC: readonly Step[] = [lifecycle('object'), contentChanged('object')];

const RULES: ReadonlyMap<string, readonly Step[]> = new Map([
  ['pods', [podHealth]],
  ['apps/deployments', WORKLOAD],
  ['apps/statefulsets', WORKLOAD],
  ['apps/daemonsets', WORKLOAD],
  ['nodes', NODE],
  ['configmaps', CONFIGMAP],
  ['secrets', SECRET],
  ['storage.k8s.io/csinodes', CSINODE],
  ['storage.k8s.io/csidrivers', [lifecycle('csi'), contentChanged('csi')]],
  ['persistentvolumeclaims', PVC],
  ['persistentvolumes', PV],
  ['storage.k8s.io/storageclasses', STORAGECLASS],
  ['batch/jobs', JOB],
  ['batch/cronjobs', CRONJOB],
  ['autoscaling/horizontalpodautoscalers', HPA],
  ['apiextensions.k8s.io/customresourcedefinitions', CRD],
  ['resource.k8s.io/deviceclasses', [lifecycle('deviceclass'), contentChanged('deviceclass')]],
  ['rbac.authorization.k8s.io/roles', ROLE],
  ['rbac.authorization.k8s.io/clusterroles', ROLE],
  ['rbac.authorization.k8s.io/rolebindings', BINDING],
  ['rbac.authorization.k8s.io/clusterrolebindings', BINDING],
]);

/** Command-line credentials in a change-cause ("kubectl create secret ... --from-literal=k=v --record"). */
const CREDENTIAL_ARGS = /(--(?:from-literal|password|token|client-secret|secret|docker-password)[= ])\S+/gi;

function whoOf(c: ChangeInput, kind: string, after: Obj | null): string {
  const manager = text(c.manager);
  if (manager) return oneLine(manager, 120);
  const cause = kind === 'secrets' ? undefined : text(dig(after, 'metadata', 'annotations', CHANGE_CAUSE_ANNOTATION));
  return cause ? oneLine(cause.replace(CREDENTIAL_ARGS, '$1…'), 160) : 'unknown';
}

/**
 * The events one history record means (0..n): see the rules above. Never throws: a hostile body
 * (wrong types, null metadata) yields what the rules can still read.
 */
export function deriveChanges(c: ChangeInput): DerivedChange[] {
  if (!isRecord(c)) return [];
  const kind = str(c.kind) ?? '';
  if (QUIET_KINDS.has(kind)) return [];
  if (c.type !== 'ADDED' && c.type !== 'MODIFIED' && c.type !== 'DELETED') return [];
  const before = isRecord(c.before) ? c.before : null;
  const after = isRecord(c.after) ? c.after : null;
  let refs: ObjectRefs;
  let who: string;
  try {
    refs = refsOf(kind, after ?? before);
    who = whoOf(c, kind, after);
  } catch {
    refs = podSpecRefs(undefined);
    who = 'unknown';
  }
  const x: Ctx = { c, kind, before, after, who, refs, out: [] };
  for (const step of RULES.get(kind) ?? GENERIC) {
    try {
      step(x);
    } catch {
      // A rule that met a body it cannot read: the other rules still report what they can.
    }
  }
  return x.out;
}

// ------------------------------------------------------------------------------------ gaps, clusters

/** An event that is not a change of an object's recorded state: a cluster's or a kind's. */
function bare(
  cluster: unknown,
  at: number,
  kind: string,
  category: ChangeCategory,
  action: string,
  severity: ChangeSeverity,
  summary: string,
): DerivedChange {
  const c = str(cluster) ?? '';
  return {
    cluster: c,
    at,
    kind,
    uid: '',
    namespace: '',
    name: '',
    category,
    action,
    severity,
    summary: oneLine(summary),
    who: 'unknown',
    fleetKey: null,
    refs: {},
    historyIndex: null,
  };
}

/** A capture gap (disconnect, relist after 410, a kind refused by RBAC) as an event: changes in it may be missing. */
export function gapChange(g: { cluster: string; kind: string | null; start: number; end: number | null; reason: string }): DerivedChange {
  const reason = oneLine(str(g?.reason) ?? '', 140);
  const action = /forbidden|denied|rbac|\b403\b|unauthori[sz]ed/i.test(reason)
    ? 'forbidden'
    : /relist|\b410\b|gone|expired|too old/i.test(reason)
      ? 'relist'
      : /reconnect/i.test(reason)
        ? 'reconnected'
        : 'disconnected';
  const start = num(g?.start) ?? 0;
  const end = num(g?.end);
  const scope = str(g?.kind) || 'all kinds';
  const span = end === undefined ? 'still open' : ageText(end - start);
  return bare(g?.cluster, start, str(g?.kind) ?? '', 'gap', action, 'warning', `capture gap (${scope}): ${reason || action}; ${span}`);
}

const CLUSTER_DOWN: ReadonlySet<string> = new Set(['unreachable', 'unauthorized', 'error']);

/**
 * A cluster's status change as a health event: to unreachable/unauthorized/error is critical, to stale
 * a warning, back to live from one of those ok. Connecting/syncing and the rest: nothing. `from` is the
 * status before (pass the last one that was not connecting/syncing, so a recovery through a resync is seen).
 */
export function clusterStatusChange(p: {
  cluster: string;
  at: number;
  from: string | null;
  to: string;
  message: string | null;
}): DerivedChange | undefined {
  const from = str(p?.from) ?? null;
  const to = str(p?.to) ?? '';
  if (from === to) return undefined;
  const message = text(p?.message);
  let severity: ChangeSeverity;
  let action: string;
  let summary: string;
  if (CLUSTER_DOWN.has(to) || (to === 'stale' && from === 'live')) {
    severity = to === 'stale' ? 'warning' : 'critical';
    action = to;
    summary = `cluster ${to}${message ? `: ${message}` : ''}`;
  } else if (to === 'live' && from !== null && (CLUSTER_DOWN.has(from) || from === 'stale')) {
    severity = 'ok';
    action = 'recovered';
    summary = `cluster live again (was ${from})`;
  } else {
    return undefined;
  }
  return bare(p?.cluster, num(p?.at) ?? 0, '', 'health', action, severity, summary);
}
