// Read-side assembly: the model's inputs for one cluster, from the store.
import type { Store, KObj } from './store.ts';
import type { DeriveInput } from '../model/derive.ts';

/** The kinds the model reads (kube/resources.ts ALWAYS_LIVE keeps every one of them watched). */
export const MODEL_KINDS = {
  nodes: 'nodes',
  pods: 'pods',
  events: 'events',
  csiDrivers: 'storage.k8s.io/csidrivers',
  csiNodes: 'storage.k8s.io/csinodes',
  daemonSets: 'apps/daemonsets',
  volumeAttachments: 'storage.k8s.io/volumeattachments',
  pvs: 'persistentvolumes',
  pvcs: 'persistentvolumeclaims',
  volumeSnapshots: 'snapshot.storage.k8s.io/volumesnapshots',
  storageClasses: 'storage.k8s.io/storageclasses',
  csiStorageCapacities: 'storage.k8s.io/csistoragecapacities',
  resourceSlices: 'resource.k8s.io/resourceslices',
  resourceClaims: 'resource.k8s.io/resourceclaims',
  deployments: 'apps/deployments',
  statefulSets: 'apps/statefulsets',
  jobs: 'batch/jobs',
} as const;

/** The model's input for one cluster: as it is now, or (at) as the cache saw it at that time. */
export function clusterInput(store: Store, cluster: string, now: number, serverVersion?: string, at?: number): DeriveInput {
  const input: Record<string, unknown> = { now };
  if (serverVersion) input.serverVersion = serverVersion;
  for (const [field, kind] of Object.entries(MODEL_KINDS))
    input[field] = at === undefined ? ([...store.bodies(cluster, kind)] as KObj[]) : store.bodiesAt(cluster, kind, at);
  return input as unknown as DeriveInput;
}
