// The contract between the renderer and the back end (web shell over WebSocket, desktop app over IPC).
// Every request method has a zod schema for its params, validated on the back-end side; results are
// plain data (times in epoch ms, quantities as numbers in console units: cpu millicores, bytes, counts).
// This folder imports nothing from node, electron or the DOM.
import type { z } from 'zod';
import type { methods } from './schemas.ts';

/** How a node cell is coloured on the fleet map. */
export const MEASURES = ['health', 'cpu', 'memory', 'gpu', 'pods'] as const;
export type Measure = (typeof MEASURES)[number];

export type ClusterStatus =
  | 'connecting'
  | 'syncing'
  | 'live'
  | 'stale'
  | 'unreachable'
  | 'unauthorized'
  | 'needs-approval'
  | 'error'
  /** not watched by this session: data as of the last contact (cache or snapshot) */
  | 'offline'
  /** turned off in Settings (the context or its kubeconfig source): not synced, data as of then */
  | 'off';

export type HealthLevel = 'ok' | 'warning' | 'critical' | 'unknown';
/** Index of a HealthLevel in node cells (compact on the wire: 10,000 cells per fleet). */
export const HEALTH_LEVELS: readonly HealthLevel[] = ['ok', 'warning', 'critical', 'unknown'];

// ------------------------------------------------------------------------------------ fleet

/** One node on the map. Short keys: a fleet sends tens of thousands of these. */
export interface NodeCell {
  /** node name */
  n: string;
  /** health level, index into HEALTH_LEVELS */
  h: number;
  /** cpu requested / allocatable (0..1, may exceed 1), null when allocatable is 0 */
  c: number | null;
  /** memory requested / allocatable */
  m: number | null;
  /** accelerators allocated / allocatable, null when the node has none */
  g: number | null;
  /** pods / allocatable pods */
  p: number | null;
  /** accelerator devices (allocatable) on the node */
  a: number;
  /** storage/CSI problems on the node */
  s: number;
  /** cordoned */
  k: boolean;
}

export interface ResourceFigure {
  allocatable: number;
  requested: number;
}

export interface ClusterTile {
  id: string;
  /** the kubeconfig context name */
  context: string;
  file: string;
  server: string;
  authKind: string;
  status: ClusterStatus;
  message: string | null;
  /** when the status last changed (epoch ms) */
  statusSince: number | null;
  /** last successful contact with the apiserver (epoch ms) */
  lastContact: number | null;
  serverVersion: string | null;
  /** kinds listed at least once / kinds watched (while syncing) */
  progress: { listed: number; total: number } | null;
  /** when the derived view was computed (epoch ms): what the figures are as of */
  computedAt: number | null;
  nodes: { total: number; ready: number; cordoned: number; byLevel: Record<HealthLevel, number> };
  cpu: ResourceFigure;
  memory: ResourceFigure;
  pods: ResourceFigure;
  /** every accelerator resource summed (devices, MIG slices, shares) */
  gpu: ResourceFigure;
  pendingPods: number;
  warningEvents: number;
  storageProblems: { total: number; critical: number; warning: number };
  /** kinds the credentials may not list (403) */
  forbiddenKinds: string[];
  /** kinds the credentials may not list cluster-wide, listed in the namespaces where they may */
  partialKinds: { kind: string; namespaces: string[] }[];
  /**
   * The cluster's labels: the user's own (clusters.label) over those derived from its context name,
   * server and version (env, provider, region, host, version; common/labels.ts)
   */
  labels: Record<string, string>;
  /** the keys of `labels` whose value is derived, not set by the user */
  derivedLabels: string[];
  /** starred by the user (clusters.favourite): pinned first in the map and the table */
  favourite: boolean;
  cells: NodeCell[];
}

export interface FleetDTO {
  /** increases whenever any cluster's view changes */
  version: number;
  /** live: watched by this session; cache: a database not being synced; snapshot: a snapshot file */
  mode: 'live' | 'cache' | 'snapshot';
  source: string;
  clusters: ClusterTile[];
  /** kubeconfig files or folders that could not be read */
  problems: { path: string; error: string }[];
  /** where kubeconfigs were looked for (onboarding) */
  looked: string[];
  /** what the snapshot is, when mode is 'snapshot' */
  snapshot: SnapshotInfo | null;
  /** the time this answer shows ("as of T"), null for the latest state */
  at: number | null;
  /** the times "as of" can show: the recorded history's start and end (null: no history recorded) */
  history: { from: number; to: number } | null;
  /**
   * Whether this session can act on clusters (cordon, scale, restart, delete, apply...): only a live
   * session not in read-only mode (a setting, or --read-only). Views hide every action otherwise.
   */
  actions: boolean;
}

export interface SnapshotInfo {
  /** the snapshot file's name (not its folder) */
  file: string;
  capturedAt: number;
  /** the change history it holds (from null: all the cache had) */
  window: { from: number | null; to: number };
  clusters: number;
  objects: number;
  changes: number;
  /** written for an incident bundle (values redacted) */
  redacted: boolean;
  /** the app version that captured it */
  app: string;
}

// ------------------------------------------------------------------------------------ cluster

export interface ResourceRow {
  capacity: number;
  allocatable: number;
  requested: number;
  free: number;
}

export interface NodeRow {
  name: string;
  ready: boolean;
  level: HealthLevel;
  reasons: string[];
  cordoned: boolean;
  kubeletVersion: string | null;
  resources: Record<string, ResourceRow>;
  accelerators: number;
  storageProblems: number;
  pods: number;
}

// The accelerator, storage and capacity DTOs are the model's own results (main/model types extend
// them), trimmed to what the views show: one definition, so the two cannot drift apart.

/** Accelerators of one kind, model and resource, summed over a cluster's nodes. */
export interface AcceleratorTotalDTO {
  source: 'device-plugin' | 'dra';
  vendor: string;
  model: string;
  /** device-plugin resource name, or the DRA driver */
  resource: string;
  /** gpu, mig, gpu-share, tpu, neuron-device, neuron-core, gaudi, other */
  kind: string;
  nodes: number;
  capacity: number;
  allocatable: number;
  unhealthy: number;
  allocated: number;
  free: number;
  /** DRA: devices whose claim has consumers */
  inUse?: number;
  /** shared GPUs: physical devices behind the shares */
  physical?: number;
}

/** One accelerator resource of one node (a device-plugin resource: nvidia.com/gpu, a MIG profile, ...). */
export interface AcceleratorResourceDTO {
  resource: string;
  vendor: string;
  /** gpu, mig, gpu-share, tpu, neuron-device, neuron-core, gaudi, other */
  kind: string;
  model?: string;
  /** memory of one device (or one MIG slice), bytes */
  memoryBytes?: number;
  capacity: number;
  allocatable: number;
  /** capacity - allocatable: devices the device plugin reports unhealthy */
  unhealthy: number;
  /** requested by non-terminal pods on the node (DRA-served requests excluded) */
  allocated: number;
  /** allocatable - allocated (may be negative) */
  free: number;
  /** time-slicing / MPS: physical GPUs and the shares they are cut into, side by side */
  sharing?: { strategy: string; replicas: number; physical: number; shares: number };
  /** MIG: the profile behind this resource (mixed) or behind nvidia.com/gpu (single) */
  mig?: { strategy?: string; profile: string; count?: number; product?: string; memoryBytes?: number };
}

export interface AcceleratorNodeDTO {
  node: string;
  /** nvidia.com/mig.strategy: none | single | mixed */
  migStrategy?: string;
  resources: AcceleratorResourceDTO[];
}

export interface DraDeviceDTO {
  driver: string;
  pool: string;
  name: string;
  node?: string;
  productName?: string;
  memoryBytes?: number;
  allocated: boolean;
  inUse: boolean;
  claims: { namespace?: string; name: string }[];
}

export interface DraClaimDTO {
  namespace?: string;
  name: string;
  allocated: boolean;
  inUse: boolean;
  devices: { driver: string; pool: string; device: string; request?: string }[];
  consumers: { resource: string; name: string; namespace?: string }[];
}

export interface AcceleratorsDTO {
  totals: AcceleratorTotalDTO[];
  nodes: AcceleratorNodeDTO[];
  pending: { pods: number; requests: Record<string, number> };
  pendingDraPods: number;
  dra: {
    totals: { devices: number; allocated: number; inUse: number; claims: number; allocatedClaims: number; reservedClaims: number };
    incompletePools: number;
    devices: DraDeviceDTO[];
    claims: DraClaimDTO[];
  };
}

export type CoverageState = 'registered' | 'missing' | 'plugin-not-ready' | 'not-expected';

export interface StorageProblemDTO {
  severity: 'critical' | 'warning' | 'info';
  /** Kubernetes kind of the object the problem is about */
  kind: string;
  namespace?: string;
  name: string;
  node?: string;
  driver?: string;
  /** stable machine code, e.g. DriverNotRegistered, AttachError, PVCLost */
  reason: string;
  message: string;
  /** when it was reported (epoch ms), if known */
  time?: number;
}

export interface StorageDTO {
  drivers: { driver: string; csiDriver: boolean; registered: number; expected: number; missing: string[]; pluginNotReady: string[] }[];
  /** coverage[driver][node] */
  matrix: { drivers: string[]; nodes: string[]; cells: Record<string, Record<string, CoverageState>> };
  problems: StorageProblemDTO[];
  storageClasses: { name: string; provisioner: string; isDefault: boolean; bindingMode: string | null; reclaimPolicy: string | null }[];
}

export interface ObjectRef {
  cluster: string;
  /** the catalogue's kind key: "pods", "apps/deployments", "storage.k8s.io/csinodes" */
  kind: string;
  uid: string;
  namespace: string;
  name: string;
}

export interface WorkloadProblem extends ObjectRef {
  reason: string;
  message: string;
}

export interface EventDTO {
  type: string;
  reason: string;
  message: string;
  object: string;
  namespace: string;
  count: number;
  last: number | null;
}

export interface KindState {
  kind: string;
  /** a reflector state: listing, watching, polled (listed every few minutes, not watched), partial, forbidden... */
  state: string;
  objects: number;
  message: string | null;
  /** when the kind was last listed in full (a polled kind's data is as of then) */
  listedAt?: number;
}

export interface ClusterDTO {
  tile: ClusterTile;
  nodes: NodeRow[];
  /** per resource, summed over nodes */
  resources: Record<string, ResourceRow>;
  pending: { pods: number; requests: Record<string, number> };
  accelerators: AcceleratorsDTO;
  storage: StorageDTO;
  problems: WorkloadProblem[];
  events: EventDTO[];
  kinds: KindState[];
  gaps: { kind: string | null; start: number; end: number | null; reason: string }[];
}

// ------------------------------------------------------------------------------------ node, object

export interface PodRow extends ObjectRef {
  phase: string;
  ready: boolean;
  restarts: number;
  /** effective requests, console units */
  requests: Record<string, number>;
}

export interface ChangeDTO {
  /** epoch ms */
  at: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  oldRv: string | null;
  newRv: string | null;
}

export interface NodeDTO {
  cluster: string;
  clusterContext: string;
  ref: ObjectRef;
  row: NodeRow;
  health: { level: HealthLevel; reasons: string[]; stale: boolean; heartbeatAgeMs: number | null };
  conditions: { type: string; status: string; reason: string; message: string; lastTransition: number | null }[];
  taints: { key: string; value?: string; effect: string }[];
  info: Record<string, string>;
  labels: Record<string, string>;
  accelerators: AcceleratorNodeDTO | null;
  pods: PodRow[];
  events: EventDTO[];
  csiDrivers: { name: string; nodeID: string; volumeLimit: number | null; coverage: CoverageState | null }[];
  storageProblems: StorageProblemDTO[];
  history: ChangeDTO[];
}

export interface ContainerDTO {
  name: string;
  init: boolean;
  image: string;
  ready: boolean;
  restarts: number;
  state: string;
  requests: Record<string, string>;
  limits: Record<string, string>;
}

export interface ObjectDTO {
  ref: ObjectRef;
  clusterContext: string;
  /** the object as stored (managedFields, last-applied and Secret/ConfigMap data never are) */
  body: Record<string, unknown>;
  status: { phase: string | null; node: string | null; message: string | null };
  containers: ContainerDTO[];
  /** effective pod requests (pods only) */
  requests: Record<string, number>;
  events: EventDTO[];
  history: ChangeDTO[];
  deleted: boolean;
  /**
   * its controller (ownerReferences): a pod's ReplicaSet, a ReplicaSet's Deployment, a Job's CronJob;
   * key and uid open it when its kind is known and it is cached
   */
  owner?: { kind: string; name: string; key: string | null; uid: string | null; cached: boolean } | null;
}

export interface DiffEntry {
  /** JSON path, e.g. "spec.containers[name=web].resources.requests.cpu" */
  path: string;
  op: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

export interface DiffDTO {
  from: { at: number | null; rv: string | null };
  to: { at: number | null; rv: string | null };
  entries: DiffEntry[];
}

// ------------------------------------------------------------------------------------ changes
// The fleet's changes: typed events derived from the recorded history (main/model/changes.ts), health
// transitions, capture gaps and the console's own actions, with who made them where the object says.

export const CHANGE_CATEGORIES = [
  /** Deployment / StatefulSet / DaemonSet template changes (image, env, resources), pause/resume */
  'rollout',
  /** replicas of a workload, HPA decisions */
  'scale',
  /** ConfigMap keys (names only) */
  'config',
  /** Secret keys and sizes (never values) */
  'secret',
  /** Node joined/left/NotReady/Ready/cordoned/taints/kubelet and kernel versions */
  'node',
  /** GPU and other device-plugin resources appearing or vanishing on a node; DRA devices */
  'accelerator',
  /** CSI driver registrations on nodes (CSINode), CSIDrivers */
  'csi',
  /** PVCs bound/lost, PVs, StorageClasses */
  'storage',
  /** Jobs started/completed/failed, CronJobs */
  'job',
  /** CustomResourceDefinitions (and their versions) */
  'crd',
  /** DeviceClasses */
  'deviceclass',
  /** Roles, ClusterRoles and their bindings */
  'rbac',
  /** created/changed/deleted, for kinds without a more specific reading */
  'object',
  /** a workload, pod, node or cluster going unhealthy, or recovering */
  'health',
  /** a capture gap: a disconnect, a relist after 410, a kind refused by RBAC (changes may be missing) */
  'gap',
  /** an action taken from this console (cordon, scale, restart...) */
  'action',
] as const;
export type ChangeCategory = (typeof CHANGE_CATEGORIES)[number];

/** info: a change; warning/critical: something went unhealthy; ok: it recovered. */
export type ChangeSeverity = 'info' | 'ok' | 'warning' | 'critical';

/** What a change touches, for correlation: objects referenced, by name within the change's namespace. */
export interface ChangeRefs {
  /** container images after the change (rollouts: the new ones) */
  images?: string[];
  /** images before the change, where they changed */
  previousImages?: string[];
  node?: string;
  configMaps?: string[];
  secrets?: string[];
  pvcs?: string[];
  storageClasses?: string[];
  /** the object's controller (ownerReferences[controller=true]) */
  owner?: { kind: string; name: string; uid?: string };
}

/** A change event as the model derives it (no identity yet: the cache gives it one). */
export interface DerivedChange {
  cluster: string;
  /** epoch ms: when the cache saw it (the watch event), not when the API server made it */
  at: number;
  /** the cache's kind key ("pods", "apps/deployments"); "" for cluster-wide events (a cluster's status, a gap of all kinds) */
  kind: string;
  uid: string;
  namespace: string;
  name: string;
  category: ChangeCategory;
  /** what happened, machine-readable: image, replicas, env, resources, paused, resumed, created, deleted, keys, joined, left,
   * not-ready, ready, cordoned, uncordoned, taint-added, taint-removed, registered, unregistered, bound, lost, started,
   * completed, failed, scaled, crashloop, image-pull, oom-killed, unready, unschedulable, recovered, unreachable, relist,
   * disconnected, forbidden, ... */
  action: string;
  severity: ChangeSeverity;
  /** one line for a human, e.g. "image web: nginx:1.25 → nginx:1.26" */
  summary: string;
  /** who made it, when the object says (managedFields manager, change-cause annotation), else "unknown" */
  who: string;
  /** the same change in several clusters shares this key (e.g. "image:nginx:1.26", "crd:foo.example.com:v2"); null: not a fleet change */
  fleetKey: string | null;
  refs: ChangeRefs;
  /** where the object's history has this change (object.diff's index); null for events not from an object's history */
  historyIndex: number | null;
}

export interface ChangeEventDTO extends DerivedChange {
  /** stable within one cache or snapshot */
  id: number;
  clusterContext: string;
}

/** A capture gap: changes in it may be missing, so "nothing changed" is never claimed across it. */
export interface GapDTO {
  cluster: string;
  clusterContext: string;
  /** null: every kind of the cluster */
  kind: string | null;
  start: number;
  /** null: still open */
  end: number | null;
  reason: string;
}

export interface ChangeFilter {
  from: number;
  to: number;
  clusters?: string[];
  namespaces?: string[];
  kinds?: string[];
  categories?: ChangeCategory[];
  /** matched against summary, name, namespace and who (case-insensitive) */
  text?: string;
  /** only these severities (e.g. warning and critical: the problems) */
  severities?: ChangeSeverity[];
}

/**
 * The timeline's marks, columnar for 100k of them: mark i is at at[i] in lane[i] (an index into
 * lanes), with category[i] (index into CHANGE_CATEGORIES) and severity[i] (index into
 * CHANGE_SEVERITIES), and id[i] to fetch it.
 */
export interface TimelineDTO {
  from: number;
  to: number;
  lanes: { cluster: string; context: string }[];
  marks: { id: number[]; at: number[]; lane: number[]; category: number[]; severity: number[] };
  /** marks beyond the limit were left out (the client zooms in to see them) */
  truncated: boolean;
  total: number;
  gaps: GapDTO[];
}

export const CHANGE_SEVERITIES: readonly ChangeSeverity[] = ['info', 'ok', 'warning', 'critical'];

/** A page of changes, newest first, with the capture gaps of the same window. */
export interface ChangeListDTO {
  changes: ChangeEventDTO[];
  gaps: GapDTO[];
  /** more changes match than this page holds: ask again with before = the last one */
  more: boolean;
}

/** One change, with the object-aware diff of the object it changed (when it is a change of an object). */
export interface ChangeDetailDTO {
  change: ChangeEventDTO;
  /** the object's state before and after, compared (null: not a change of an object's recorded state) */
  diff: DiffDTO | null;
  /** indexes into the object's history for object.diff (null: not in the object's history) */
  historyIndex: number | null;
}

/** A change ranked as a possible cause of a problem. */
export interface RankedChangeDTO {
  change: ChangeEventDTO;
  /** 1: most likely related */
  rank: number;
  score: number;
  /** why it is ranked here: "the pod's owner Deployment web rolled out", "mounts ConfigMap app-config" */
  reason: string;
}

/** What changed before a problem (a node, workload or cluster that went unhealthy at `at`). */
export interface WhatChangedDTO {
  problem: ObjectRef & { clusterContext: string; at: number; summary: string };
  /** the window searched: [from, at] */
  from: number;
  causes: RankedChangeDTO[];
  /** capture gaps in the window: changes there may be missing */
  gaps: GapDTO[];
}

/** The same change in several clusters, and the problems that followed it in each. */
export interface FleetChangeDTO {
  key: string;
  category: ChangeCategory;
  /** "image web:1.4 rolled out to 7 clusters; 3 of them have crashlooping pods since" */
  summary: string;
  first: number;
  last: number;
  clusters: {
    cluster: string;
    clusterContext: string;
    at: number;
    changes: number;
    /** health events (warning/critical) after the change in this cluster, within the follow window */
    problemsAfter: number;
    examples: ChangeEventDTO[];
  }[];
}

// ------------------------------------------------------------------------------------ search, charts

export interface SearchHit extends ObjectRef {
  clusterContext: string;
  /** why it matched: "name" or the matching label "k=v" */
  match: string;
  node: string | null;
}

export interface SamplePoint {
  at: number;
  cpu: ResourceFigure;
  memory: ResourceFigure;
  gpu: ResourceFigure;
  nodes: Record<HealthLevel, number>;
}

export interface Onboarding {
  looked: string[];
  entries: number;
  problems: { path: string; error: string }[];
  /** a demo snapshot is available to open */
  demo: boolean;
}

// ------------------------------------------------------------------------------------ snapshots, bundles

export interface SnapshotCaptured {
  path: string;
  capturedAt: number;
  clusters: number;
  objects: number;
  changes: number;
  bytes: number;
}

export interface SnapshotDiffRef {
  uid: string;
  namespace: string;
  name: string;
}

/** Two states of the fleet compared: grouped by cluster, then kind. */
export interface SnapshotDiffDTO {
  /** what was compared, as the user would name it ("this snapshot", "the cache", a file name) */
  from: string;
  to: string;
  clusters: {
    id: string;
    context: string;
    /** 'both', or the side the cluster is only in (its objects are then not listed) */
    in: 'both' | 'from' | 'to';
    kinds: {
      kind: string;
      added: SnapshotDiffRef[];
      removed: SnapshotDiffRef[];
      changed: (SnapshotDiffRef & { fields: DiffEntry[] })[];
    }[];
  }[];
  totals: { added: number; removed: number; changed: number };
  ignoredKinds: string[];
}

/** What goes into an incident bundle. Empty lists mean "all". */
export interface BundleSelection {
  clusters: string[];
  namespaces: string[];
  /** "kind/namespace/name", kind as the store names it (apps/deployments, batch/jobs, pods...) */
  workloads: string[];
  nodes: string[];
  /** history window: the last `since` ms (null: all recorded) */
  since: number | null;
  /** last N lines of each selected pod's containers, fetched live (0: none) */
  logs: number;
  /** replace redacted values by stable per-bundle tokens */
  tokenize: boolean;
}

export interface BundlePreview {
  clusters: { id: string; context: string }[];
  files: number;
  objects: number;
  events: number;
  changes: number;
  /** pods whose logs would be fetched (only clusters this session is connected to) */
  logPods: number;
  redactions: { rule: string; count: number }[];
  /** the first findings: which file, which field, which rule (never the value) */
  findings: { file: string; path: string; rule: string }[];
  warnings: string[];
}

export interface BundleExported {
  path: string;
  bytes: number;
  files: number;
  /** SHA-256 of the .tar.gz */
  sha256: string;
  redactions: number;
}

// ------------------------------------------------------------------------------------ logs
// Pod logs through the kubelet API, streamed: logs.start answers with a stream id, the lines arrive as
// pushes (LogsEvent) until the stream ends or logs.stop; a stream also stops when its page goes away.

export interface LogLine {
  pod: string;
  container: string;
  /** the line without its newline; with timestamps, the kubelet's RFC 3339 time is in `at` and not in the text */
  text: string;
  /** epoch ms, when timestamps were asked for */
  at?: number;
}

export interface LogStreamDTO {
  stream: number;
  /** what is streamed: one pod's container, or a workload's pods (each with the container asked for, or its first) */
  sources: { pod: string; container: string }[];
  /** a pod's containers, for the picker: init containers, sidecars (restartable init containers) and app containers */
  containers: { pod: string; name: string; kind: 'init' | 'sidecar' | 'app' }[];
  /** a workload's pods that are not streamed, and why (the API's message, not scheduled yet, over the limit) */
  problems?: { pod: string; container: string; error: string }[];
}

export interface LogsEvent {
  type: 'logs';
  stream: number;
  lines: LogLine[];
  /** the stream ended (the container's log ended, the request finished, or logs.stop) */
  done?: boolean;
  /** why it ended, when it was not asked to: the API's message */
  error?: string;
}

// ------------------------------------------------------------------------------------ actions
// What an operator does from the console: checked first (SelfSubjectAccessReview), confirmed by name,
// reported with the API's exact answer, and recorded in the cache's change history (category
// 'action'). Never in a snapshot or "as of" view, never in read-only mode.

export const ACTIONS = ['cordon', 'uncordon', 'drain', 'scale', 'restart', 'pause', 'resume', 'delete', 'apply'] as const;
export type ActionName = (typeof ACTIONS)[number];

/** What an action is on: the cache's kind key, namespace ('' for cluster-scoped) and name. */
export interface ActionTarget {
  kind: string;
  namespace: string;
  name: string;
}

/** One access check of an action (SelfSubjectAccessReview), as the API server answered it. */
export interface AccessCheckDTO {
  verb: string;
  /** resource[/subresource] in its API group: "nodes", "deployments/scale", "pods/eviction" */
  resource: string;
  group: string;
  namespace: string;
  allowed: boolean;
  /** the API server's reason (RBAC's), or why it was not asked */
  reason: string;
}

export interface ActionCheckDTO {
  cluster: string;
  clusterContext: string;
  action: ActionName;
  target: ActionTarget;
  /** every check passed: the action may be offered */
  allowed: boolean;
  /** why not, in a sentence for the button's tooltip */
  reason: string;
  checks: AccessCheckDTO[];
}

/** What an action would do, before it is done: an edit's diff (server-side dry run), a drain's evictions. */
export interface ActionPreviewDTO {
  cluster: string;
  clusterContext: string;
  action: ActionName;
  target: ActionTarget;
  /** apply: the object as the API server would store it (dry run), and how it differs from now */
  diff?: DiffEntry[];
  /** drain: the pods that would be evicted, and which a PodDisruptionBudget would block now */
  evictions?: { namespace: string; name: string; blockedBy?: string }[];
  warnings: string[];
}

/**
 * views.focus: the clusters a page shows now (its cluster, node or object view; [] for the fleet). In a
 * large fleet only these clusters watch every kind; the others keep the map's and the tables' kinds
 * live and list the rest every few minutes (shown as of that list). Replaces the page's earlier focus;
 * a page that goes away drops its focus.
 */
// ------------------------------------------------------------------------------------ every kind
// Every kind a cluster serves (discovery): the catalogue's are always synced; any other one (Ingresses,
// Gateways, PDBs, NetworkPolicies, CRDs...) is listed and watched into the cache while a page shows it
// (views.focus kinds), and is as of then once no page does.

export interface KindDTO {
  /** the store's key: "group/plural", or "plural" for the core group */
  key: string;
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** always: the catalogue's (synced whatever is shown); on-demand: watched while a page shows it */
  synced: 'always' | 'on-demand';
  /** in how many clusters it is served (or, without discovery, cached) */
  clusters: number;
}

export interface KindsListDTO {
  kinds: KindDTO[];
  /** clusters whose discovery failed, and why (their kinds are the cached ones) */
  problems: { cluster: string; clusterContext: string; error: string }[];
}

/** Where a kind's objects of one cluster come from: watched now, or as of when (never "live" otherwise). */
export interface KindWatchDTO {
  cluster: string;
  clusterContext: string;
  /** the sync state: watching, listing, polled, stopped, forbidden, unavailable... ('none': never listed) */
  state: string;
  /** watched now by this session */
  live: boolean;
  /** when the cached objects were last known current (their last list or event), null when never */
  asOf: number | null;
  message: string | null;
}

export interface KindRowDTO {
  cluster: string;
  clusterContext: string;
  namespace: string;
  name: string;
  uid: string;
  status: string;
  level: 'ok' | 'warn' | 'bad' | 'info';
  /** creationTimestamp (epoch ms), for the age */
  created: number | null;
  /** the controller among its ownerReferences */
  owner: { kind: string; name: string } | null;
  /** the kind's own columns (ObjectsListDTO.columns), as text */
  extra: Record<string, string>;
}

export interface ObjectsListDTO {
  kind: { key: string; kind: string; namespaced: boolean };
  /** the kind's own columns, after the common ones */
  columns: { key: string; label: string }[];
  rows: KindRowDTO[];
  /** rows matching before limit/offset */
  total: number;
  watch: KindWatchDTO[];
  /** the namespaces its cached objects are in */
  namespaces: string[];
}

export interface ViewsFocusDTO {
  /** clusters in focus now, over every page */
  clusters: number;
}

/**
 * An exec plugin of the session's kubeconfigs (aws, gke-gcloud-auth-plugin, kubelogin...): what would
 * run to get a cluster's credentials, and whether the user approved it. Approval binds this exact
 * command, these arguments and these environment variable names, for this file (`key`); a kubeconfig
 * that changes any of them asks again.
 */
export interface ExecPluginDTO {
  key: string;
  /** the kubeconfig file that defines the user */
  file: string;
  command: string;
  args: string[];
  /** names only: their values may be secrets */
  envNames: string[];
  installHint?: string;
  approved: boolean;
  approvedAt?: number;
  /** the clusters (kubeconfig contexts) whose user runs it; none for an approval of a plugin no kubeconfig names any more */
  clusters: { id: string; context: string }[];
}

export interface ExecListDTO {
  plugins: ExecPluginDTO[];
  /** why nothing can be approved in this session (a snapshot, the cache shown offline), if so */
  refused?: string;
}

// ------------------------------------------------------------------------------------ settings
// What the user organises: kubeconfig sources and contexts turned on or off (an off cluster is not
// synced, no request is made to it, and it stays in the fleet as 'off' with its cached data as of
// then), the cache's limits, read-only mode. Kept in the data folder (sync-settings.json), not in the cache.

export interface SourceDTO {
  /** the file or folder (absolute) */
  path: string;
  /** default: ~/.kube/config; KUBECONFIG: a file of $KUBECONFIG; file/folder: added by the user */
  kind: 'default' | 'KUBECONFIG' | 'file' | 'folder';
  enabled: boolean;
  /** contexts read from it now */
  entries: number;
  /** what could not be read (the file, or files of the folder) */
  problems: { path: string; error: string }[];
  /** added by the user: sources.remove takes it out ($KUBECONFIG and ~/.kube/config are turned off instead) */
  removable: boolean;
}

export interface ContextSettingDTO {
  id: string;
  context: string;
  file: string;
  enabled: boolean;
  /** why it is not synced (itself turned off, or its source), null when on */
  offReason: string | null;
  status: ClusterStatus;
}

export interface SettingsDTO {
  /** why nothing here can change in this session (a snapshot, the cache without syncing), if so */
  refused?: string;
  sources: SourceDTO[];
  contexts: ContextSettingDTO[];
  /** the cache's limits: changes older than maxAgeMs are dropped, and the oldest beyond maxBytes */
  retention: { maxAgeMs: number; maxBytes: number; cacheBytes: number | null; editable: boolean; where: string };
  readOnly: { on: boolean; settable: boolean; why?: string };
}

/** The user's cluster labels and favourites (cluster-labels.json in the data folder), and every label in use. */
export interface ClusterLabelsDTO {
  /** why nothing here can change in this session (no data folder), if so */
  refused?: string;
  /** cluster id → the labels the user set on it */
  labels: Record<string, Record<string, string>>;
  favourites: string[];
  /** every label key in use over the fleet, user-set or derived, with its values and how many clusters have each */
  inUse: { key: string; derived: boolean; values: { value: string; clusters: number }[] }[];
}

export interface ActionParams {
  /** scale */
  replicas?: number;
  /** apply: the edited object, YAML or JSON */
  manifest?: string;
  /** delete, drain: the pods' grace period */
  gracePeriodSeconds?: number;
  /** drain: give up after this long (default 5 min) */
  timeoutSeconds?: number;
}

export interface ActionResultDTO {
  cluster: string;
  clusterContext: string;
  ok: boolean;
  /** what happened ("cordoned node-003", "evicted 12 pods") or the API's exact error */
  message: string;
  /** the change event recorded for it, when it was done */
  change?: number;
  /** drain: what blocked (a PodDisruptionBudget, a pod without a controller) */
  blocked?: { namespace: string; name: string; reason: string }[];
}

export interface ActionRunDTO {
  /** identifies the run's progress pushes */
  run: number;
  results: ActionResultDTO[];
}

/** Progress of a long action (a drain) on one cluster. */
export interface ActionProgressEvent {
  type: 'action';
  run: number;
  cluster: string;
  message: string;
  done: number;
  total: number;
}

// ------------------------------------------------------------------------------------ methods
// The request schemas (zod) live in schemas.ts: the back end validates with them; the renderer, which
// only needs the types, does not carry zod.

export type Method = keyof typeof methods;
export type Params<M extends Method> = z.input<(typeof methods)[M]>;

export interface Results {
  'fleet.get': FleetDTO;
  'cluster.get': ClusterDTO;
  'node.get': NodeDTO;
  'object.get': ObjectDTO;
  'object.diff': DiffDTO;
  search: SearchHit[];
  'metrics.get': SamplePoint[];
  'onboarding.get': Onboarding;
  'sources.add': { added: string; entries: number };
  'snapshot.capture': SnapshotCaptured;
  'snapshot.diff': SnapshotDiffDTO;
  'bundle.preview': BundlePreview;
  'bundle.export': BundleExported;
  'session.open': { opening: string };
  'changes.timeline': TimelineDTO;
  'changes.list': ChangeListDTO;
  'changes.get': ChangeDetailDTO;
  'changes.of': ChangeListDTO;
  'changes.whatChanged': WhatChangedDTO;
  'changes.fleet': FleetChangeDTO[];
  'logs.start': LogStreamDTO;
  'logs.stop': { stopped: boolean };
  'views.focus': ViewsFocusDTO;
  'exec.list': ExecListDTO;
  'exec.approve': ExecPluginDTO;
  'exec.revoke': { revoked: boolean };
  'kinds.list': KindsListDTO;
  'objects.list': ObjectsListDTO;
  'actions.check': ActionCheckDTO[];
  'actions.preview': ActionPreviewDTO;
  'actions.run': ActionRunDTO;
  'settings.get': SettingsDTO;
  'clusters.enable': SettingsDTO;
  'sources.enable': SettingsDTO;
  'sources.remove': SettingsDTO;
  'settings.readOnly': SettingsDTO;
  'settings.retention': SettingsDTO;
  'clusters.labels': ClusterLabelsDTO;
  'clusters.label': ClusterLabelsDTO;
  'clusters.favourite': ClusterLabelsDTO;
}

export type Result<M extends Method> = Results[M];

export type Answer<T> = { ok: true; result: T } | { ok: false; error: string; code?: 'invalid' | 'not-found' | 'forbidden' | 'internal' };

/** Pushed by the back end: these views changed; re-read them if shown. Coalesced, a few per second. */
export interface ChangedEvent {
  type: 'changed';
  fleetVersion: number;
  /** cluster id → its view version */
  clusters: Record<string, number>;
}

/** The session now shows something else (a snapshot was opened, the demo, the live fleet): reload. */
export interface ReloadEvent {
  type: 'reload';
  reason: string;
}

export type PushEvent = ChangedEvent | ReloadEvent | LogsEvent | ActionProgressEvent;

/** Over the WebSocket: requests carry an id; answers echo it; pushes have none. */
export interface WireRequest {
  id: number;
  method: string;
  params: unknown;
}

export type WireMessage = ({ id: number } & Answer<unknown>) | { push: PushEvent };

/**
 * The desktop app's preload exposes exactly these functions on `window.fleet` (contextBridge), one per
 * contract method plus one subscription; each IPC channel is named after its method (`fleet:<method>`).
 * No generic send/invoke crosses the bridge.
 */
export const BRIDGE_FUNCTIONS = {
  'fleet.get': 'fleetGet',
  'cluster.get': 'clusterGet',
  'node.get': 'nodeGet',
  'object.get': 'objectGet',
  'object.diff': 'objectDiff',
  search: 'search',
  'metrics.get': 'metricsGet',
  'onboarding.get': 'onboardingGet',
  'sources.add': 'sourcesAdd',
  'snapshot.capture': 'snapshotCapture',
  'snapshot.diff': 'snapshotDiff',
  'bundle.preview': 'bundlePreview',
  'bundle.export': 'bundleExport',
  'session.open': 'sessionOpen',
  'changes.timeline': 'changesTimeline',
  'changes.list': 'changesList',
  'changes.get': 'changesGet',
  'changes.of': 'changesOf',
  'changes.whatChanged': 'changesWhatChanged',
  'changes.fleet': 'changesFleet',
  'logs.start': 'logsStart',
  'logs.stop': 'logsStop',
  'views.focus': 'viewsFocus',
  'exec.list': 'execList',
  'exec.approve': 'execApprove',
  'exec.revoke': 'execRevoke',
  'kinds.list': 'kindsList',
  'objects.list': 'objectsList',
  'actions.check': 'actionsCheck',
  'actions.preview': 'actionsPreview',
  'actions.run': 'actionsRun',
  'settings.get': 'settingsGet',
  'clusters.enable': 'clustersEnable',
  'sources.enable': 'sourcesEnable',
  'sources.remove': 'sourcesRemove',
  'settings.readOnly': 'settingsReadOnly',
  'settings.retention': 'settingsRetention',
  'clusters.labels': 'clustersLabels',
  'clusters.label': 'clustersLabel',
  'clusters.favourite': 'clustersFavourite',
} as const satisfies Record<Method, string>;

export const PUSH_CHANNEL = 'fleet:push';
export const channelOf = (m: Method): string => `fleet:${m}`;

export type FleetBridge = {
  readonly [M in Method as (typeof BRIDGE_FUNCTIONS)[M]]: (params: Params<M>) => Promise<Answer<Result<M>>>;
} & {
  /** subscribe to pushes; the listener receives the payload only; returns the unsubscribe function */
  readonly onPush: (listener: (e: PushEvent) => void) => () => void;
};

/** The renderer's view of the back end, whatever carries it. */
export interface Api {
  call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>>;
  onPush(fn: (e: PushEvent) => void): () => void;
  /** connection state of the transport (the web shell can lose its server) */
  onConnection(fn: (up: boolean) => void): () => void;
  readonly transport: 'ipc' | 'websocket';
}

export class ContractError extends Error {
  readonly code: string;
  constructor(message: string, code = 'internal') {
    super(message);
    this.code = code;
  }
}
