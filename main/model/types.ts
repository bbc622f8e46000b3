// Minimal structural types for the Kubernetes JSON this layer reads.
//
// WHY so loose: objects come straight from the API server (via the SQLite cache), from any of the
// 1.34–1.37 servers the console supports, sometimes from CRDs with no schema (VolumeSnapshot), and
// sometimes from RBAC-trimmed or hand-written fixtures. Every field is optional and every reader in
// model/ goes through the guards in util.ts, so an odd value (a number where a map was expected, a
// null list) degrades to "absent" instead of throwing. Only the fields model/ reads are declared;
// field names follow k8s.io/api (core/v1, apps/v1, storage/v1, resource/v1) exactly.

/** resource.Quantity on the wire: normally a string ("31750m"); numbers are accepted too (Quantity.UnmarshalJSON). */
export type Quantity = string | number;
export type ResourceList = Record<string, Quantity>;
export type Labels = Record<string, string>;

export interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Labels;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

// ---------------------------------------------------------------- core/v1 Node

export interface NodeCondition {
  type?: string;
  status?: string; // "True" | "False" | "Unknown"
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface Taint {
  key?: string;
  value?: string;
  effect?: string; // NoSchedule | PreferNoSchedule | NoExecute
  timeAdded?: string;
}

export interface Node extends KObject {
  spec?: {
    unschedulable?: boolean;
    taints?: Taint[];
    providerID?: string;
  };
  status?: {
    capacity?: ResourceList;
    allocatable?: ResourceList;
    conditions?: NodeCondition[];
    nodeInfo?: {
      kubeletVersion?: string;
      kubeProxyVersion?: string;
      containerRuntimeVersion?: string;
      kernelVersion?: string;
      osImage?: string;
      architecture?: string;
      operatingSystem?: string;
    };
  };
}

// ---------------------------------------------------------------- core/v1 Pod

export interface ResourceRequirements {
  requests?: ResourceList;
  limits?: ResourceList;
  claims?: { name?: string; request?: string }[];
}

export interface EnvVar {
  name?: string;
  value?: string;
}

export interface Container {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  resources?: ResourceRequirements;
  /** only on init containers: "Always" marks a restartable init container (native sidecar) */
  restartPolicy?: string;
}

export interface Volume {
  name?: string;
  hostPath?: { path?: string; type?: string };
  csi?: { driver?: string };
  persistentVolumeClaim?: { claimName?: string };
}

export interface PodSpec {
  nodeName?: string;
  containers?: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  /** pod-level resources (KEP-2837): only cpu, memory and hugepages-* are honoured */
  resources?: ResourceRequirements;
  overhead?: ResourceList;
  resourceClaims?: { name?: string; resourceClaimName?: string; resourceClaimTemplateName?: string }[];
  schedulingGates?: { name?: string }[];
}

export interface PodCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface Pod extends KObject {
  spec?: PodSpec;
  status?: {
    phase?: string; // Pending | Running | Succeeded | Failed | Unknown
    conditions?: PodCondition[];
    reason?: string;
    message?: string;
    /** DRA extended resources (KEP-5004): the scheduler served these extended-resource requests from a ResourceClaim */
    extendedResourceClaimStatus?: {
      resourceClaimName?: string;
      requestMappings?: { containerName?: string; resourceName?: string; requestName?: string }[];
    };
  };
}

// ---------------------------------------------------------------- core/v1 Event

export interface Event extends KObject {
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string; apiVersion?: string };
  type?: string; // Normal | Warning
  reason?: string;
  message?: string;
  count?: number;
  series?: { count?: number; lastObservedTime?: string };
  /** events.k8s.io/v1 spelling, when events are read through that API */
  deprecatedCount?: number;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
}

// ---------------------------------------------------------------- core/v1 PV / PVC

export interface PersistentVolume extends KObject {
  spec?: {
    capacity?: ResourceList;
    storageClassName?: string;
    persistentVolumeReclaimPolicy?: string;
    claimRef?: { namespace?: string; name?: string; uid?: string };
    csi?: { driver?: string; volumeHandle?: string };
  };
  status?: { phase?: string; reason?: string; message?: string; lastPhaseTransitionTime?: string };
}

export interface PersistentVolumeClaim extends KObject {
  spec?: {
    storageClassName?: string;
    volumeName?: string;
    resources?: { requests?: ResourceList };
  };
  status?: {
    phase?: string; // Pending | Bound | Lost
    capacity?: ResourceList;
    conditions?: { type?: string; status?: string; reason?: string; message?: string; lastTransitionTime?: string }[];
    allocatedResourceStatuses?: Record<string, string>;
  };
}

// ---------------------------------------------------------------- storage.k8s.io/v1

export interface CSIDriver extends KObject {
  spec?: {
    attachRequired?: boolean;
    podInfoOnMount?: boolean;
    volumeLifecycleModes?: string[];
    storageCapacity?: boolean;
    fsGroupPolicy?: string;
  };
}

export interface CSINodeDriver {
  name?: string;
  nodeID?: string;
  topologyKeys?: string[] | null;
  allocatable?: { count?: number };
}

export interface CSINode extends KObject {
  spec?: { drivers?: CSINodeDriver[] };
}

export interface VolumeError {
  time?: string;
  message?: string;
  errorCode?: number;
}

export interface VolumeAttachment extends KObject {
  spec?: {
    attacher?: string;
    nodeName?: string;
    source?: { persistentVolumeName?: string };
  };
  status?: {
    attached?: boolean;
    attachError?: VolumeError;
    detachError?: VolumeError;
  };
}

export interface CSIStorageCapacity extends KObject {
  storageClassName?: string;
  nodeTopology?: { matchLabels?: Labels };
  capacity?: Quantity;
  maximumVolumeSize?: Quantity;
}

export interface StorageClass extends KObject {
  provisioner?: string;
  volumeBindingMode?: string; // Immediate | WaitForFirstConsumer
  reclaimPolicy?: string;
}

// ---------------------------------------------------------------- apps/v1

export interface DaemonSet extends KObject {
  spec?: { template?: { metadata?: ObjectMeta; spec?: PodSpec } };
  status?: { desiredNumberScheduled?: number; numberReady?: number };
}

// ---------------------------------------------------------------- resource.k8s.io/v1 (DRA)

/** DeviceAttribute: exactly one of the value fields is set. */
export interface DeviceAttribute {
  int?: number;
  bool?: boolean;
  string?: string;
  version?: string;
}

export interface DeviceTaint {
  key?: string;
  value?: string;
  effect?: string;
}

export interface Device {
  name?: string;
  attributes?: Record<string, DeviceAttribute>;
  capacity?: Record<string, { value?: Quantity }>;
  taints?: DeviceTaint[];
  /** with spec.perDeviceNodeSelection, each device carries its own node selection */
  nodeName?: string;
  nodeSelector?: unknown;
  allNodes?: boolean;
}

export interface ResourceSlice extends KObject {
  spec?: {
    driver?: string;
    pool?: { name?: string; generation?: number; resourceSliceCount?: number };
    nodeName?: string;
    nodeSelector?: unknown;
    allNodes?: boolean;
    perDeviceNodeSelection?: boolean;
    devices?: Device[];
  };
}

export interface DeviceRequestAllocationResult {
  request?: string;
  driver?: string;
  pool?: string;
  device?: string;
  adminAccess?: boolean;
}

export interface ResourceClaimConsumerReference {
  apiGroup?: string;
  resource?: string;
  name?: string;
  uid?: string;
}

export interface ResourceClaim extends KObject {
  spec?: unknown;
  status?: {
    allocation?: {
      devices?: { results?: DeviceRequestAllocationResult[] };
      nodeSelector?: unknown;
    };
    reservedFor?: ResourceClaimConsumerReference[];
  };
}

export interface DeviceClass extends KObject {
  spec?: { extendedResourceName?: string; selectors?: unknown[] };
}

// ---------------------------------------------------------------- snapshot.storage.k8s.io/v1 (CRD)

export interface VolumeSnapshot extends KObject {
  spec?: { volumeSnapshotClassName?: string; source?: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string } };
  status?: {
    readyToUse?: boolean;
    boundVolumeSnapshotContentName?: string;
    restoreSize?: Quantity;
    error?: VolumeError;
  };
}

// ---------------------------------------------------------------- the model's inputs

/**
 * The lists of objects the model reads, by the name its inputs give them (main/store's clusterInput
 * fills each from the cache's kind of that name), and their type: one type for a name, wherever it is read.
 */
export interface ObjectKinds {
  nodes: Node;
  pods: Pod;
  events: Event;
  deployments: KObject;
  statefulSets: KObject;
  daemonSets: DaemonSet;
  jobs: KObject;
  pvs: PersistentVolume;
  pvcs: PersistentVolumeClaim;
  storageClasses: StorageClass;
  csiDrivers: CSIDriver;
  csiNodes: CSINode;
  csiStorageCapacities: CSIStorageCapacity;
  volumeAttachments: VolumeAttachment;
  volumeSnapshots: VolumeSnapshot;
  resourceSlices: ResourceSlice;
  resourceClaims: ResourceClaim;
}

/** An input that reads these lists of objects: each optional (absent: none). */
export type ObjectLists<K extends keyof ObjectKinds> = { [P in K]?: readonly ObjectKinds[P][] };
