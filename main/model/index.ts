// Public surface of the pure model layer (no I/O): parse quantities, compute pod requests, node
// capacity, node health, accelerators (device plugins and DRA), storage/CSI health and summaries.
export type * from './types.ts';
export {
  formatBytes,
  formatCpu,
  isValidQuantity,
  milliValue,
  nanosToMillis,
  nanosToNumber,
  nanosToUnits,
  parseQuantity,
  parseQuantityNanos,
  resourceValue,
} from './quantity.ts';
export {
  draServedResources,
  isNativeResource,
  isSupportedPodLevelResource,
  podDevicePluginRequests,
  podLimits,
  podLimitsExact,
  podRequests,
  podRequestsExact,
} from './requests.ts';
export { isSchedulable, nodeCapacity, pendingDemand, podsByNode, podsOccupying, schedulableFree } from './capacity.ts';
export type { NodeResource, PendingDemand } from './capacity.ts';
export { DEFAULT_STALE_AFTER_MS, nodeHealth, parseKubeVersion, versionSkew } from './health.ts';
export type { HealthIssue, HealthLevel, NodeHealth, NodeHealthOptions, ReadyStatus, VersionSkew } from './health.ts';
export {
  acceleratorSpec,
  clusterAccelerators,
  draInventory,
  isPossibleAccelerator,
  KNOWN_ACCELERATORS,
  KNOWN_DRA_DRIVERS,
  nodeAccelerators,
} from './accelerators.ts';
export type {
  AcceleratorKind,
  AcceleratorResourceSpec,
  AcceleratorTotal,
  ClusterAccelerators,
  ClusterAcceleratorsInput,
  DraClaimSummary,
  DraConsumer,
  DraDevice,
  DraInventory,
  DraNodeSummary,
  DraPool,
  MemoryLabel,
  NodeAcceleratorResource,
  NodeAccelerators,
} from './accelerators.ts';
export { storageHealth } from './storage.ts';
export type {
  CoverageCell,
  CoverageMatrix,
  CoverageState,
  DriverCoverage,
  Severity,
  StorageHealth,
  StorageHealthInput,
  StorageProblem,
} from './storage.ts';
export { clusterSummary, clusterView, eventOccurrences, nodeSummaries } from './summary.ts';
export type { ClusterInput, ClusterSummary, ClusterView, NodeSummary, NodeSummaryResource } from './summary.ts';
export { isCordoned, isPodReady, isTerminalPod, isUnboundPending, nodeReadyStatus } from './util.ts';
