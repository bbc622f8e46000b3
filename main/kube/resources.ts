// The kinds the console watches, and which of them a given server offers (discovery).
import { readBody, statusError, type Connection } from './connection.ts';

export interface ResourceKind {
  /** key used in the store: "pods", "apps/deployments", "resource.k8s.io/resourceslices" */
  key: string;
  group: string;
  /** versions in order of preference; discovery picks the first the server serves */
  versions: string[];
  plural: string;
  kind: string;
  namespaced: boolean;
  /** fetch as PartialObjectMetadata: the server never sends data (Secrets, ConfigMaps) */
  metadataOnly?: boolean;
}

const k = (group: string, versions: string[], plural: string, kind: string, namespaced: boolean, metadataOnly = false): ResourceKind => ({
  key: group ? `${group}/${plural}` : plural,
  group,
  versions,
  plural,
  kind,
  namespaced,
  ...(metadataOnly ? { metadataOnly } : {}),
});

export const CATALOGUE: ResourceKind[] = [
  k('', ['v1'], 'nodes', 'Node', false),
  k('', ['v1'], 'pods', 'Pod', true),
  k('', ['v1'], 'namespaces', 'Namespace', false),
  k('', ['v1'], 'events', 'Event', true),
  k('', ['v1'], 'services', 'Service', true),
  k('', ['v1'], 'persistentvolumes', 'PersistentVolume', false),
  k('', ['v1'], 'persistentvolumeclaims', 'PersistentVolumeClaim', true),
  k('', ['v1'], 'configmaps', 'ConfigMap', true, true),
  k('', ['v1'], 'secrets', 'Secret', true, true),
  k('apps', ['v1'], 'deployments', 'Deployment', true),
  k('apps', ['v1'], 'statefulsets', 'StatefulSet', true),
  k('apps', ['v1'], 'daemonsets', 'DaemonSet', true),
  k('apps', ['v1'], 'replicasets', 'ReplicaSet', true),
  k('batch', ['v1'], 'jobs', 'Job', true),
  k('batch', ['v1'], 'cronjobs', 'CronJob', true),
  k('storage.k8s.io', ['v1'], 'storageclasses', 'StorageClass', false),
  k('storage.k8s.io', ['v1'], 'csidrivers', 'CSIDriver', false),
  k('storage.k8s.io', ['v1'], 'csinodes', 'CSINode', false),
  k('storage.k8s.io', ['v1'], 'csistoragecapacities', 'CSIStorageCapacity', true),
  k('storage.k8s.io', ['v1'], 'volumeattachments', 'VolumeAttachment', false),
  // DRA: v1 since 1.34; older servers serve the betas.
  k('resource.k8s.io', ['v1', 'v1beta2', 'v1beta1'], 'resourceslices', 'ResourceSlice', false),
  k('resource.k8s.io', ['v1', 'v1beta2', 'v1beta1'], 'deviceclasses', 'DeviceClass', false),
  k('resource.k8s.io', ['v1', 'v1beta2', 'v1beta1'], 'resourceclaims', 'ResourceClaim', true),
  // CRDs of the external-snapshotter, where installed.
  k('snapshot.storage.k8s.io', ['v1'], 'volumesnapshots', 'VolumeSnapshot', true),
  k('snapshot.storage.k8s.io', ['v1'], 'volumesnapshotcontents', 'VolumeSnapshotContent', false),
  k('snapshot.storage.k8s.io', ['v1'], 'volumesnapshotclasses', 'VolumeSnapshotClass', false),
];

/**
 * An object as kubectl shows it. LIST items carry no apiVersion/kind, and Secrets and ConfigMaps are
 * cached as PartialObjectMetadata: both get their own apiVersion and kind back, first. (The version is
 * the catalogue's preferred one; the cache does not record which one discovery picked.)
 */
export function shownObject(kind: string, body: Record<string, any>): Record<string, any> {
  const cat = CATALOGUE.find((k) => k.key === kind);
  if (!cat || (body.kind && body.kind !== 'PartialObjectMetadata')) return body;
  const { apiVersion: _a, kind: _k, ...rest } = body;
  return { apiVersion: cat.group ? `${cat.group}/${cat.versions[0]}` : cat.versions[0], kind: cat.kind, ...rest };
}

export interface ServedKind extends ResourceKind {
  version: string;
  /** collection path, e.g. /apis/apps/v1/deployments */
  path: string;
}

/** group/version → served plural names, from aggregated discovery (v2) or the legacy endpoints. */
export async function discoverServed(conn: Connection): Promise<Map<string, Set<string>>> {
  const served = new Map<string, Set<string>>();
  const add = (gv: string, plural: string) => {
    let s = served.get(gv);
    if (!s) served.set(gv, (s = new Set()));
    s.add(plural);
  };
  const aggregated = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;q=0.9';
  for (const root of ['/api', '/apis']) {
    const res = await conn.open(root, { accept: aggregated, timeoutMs: 30_000 });
    const text = await readBody(res);
    if ((res.statusCode ?? 0) >= 300) throw statusError(res.statusCode ?? 0, root, text);
    const doc = JSON.parse(text) as {
      kind?: string;
      items?: { metadata?: { name?: string }; versions?: { version: string; resources?: { resource: string }[] }[] }[];
      groups?: { name: string; versions: { groupVersion: string }[] }[];
      versions?: string[];
    };
    if (doc.kind === 'APIGroupDiscoveryList') {
      for (const g of doc.items ?? []) {
        const group = g.metadata?.name ?? '';
        for (const v of g.versions ?? []) for (const r of v.resources ?? []) add(group ? `${group}/${v.version}` : v.version, r.resource);
      }
      continue;
    }
    // Legacy discovery (servers without aggregated discovery).
    const gvs =
      root === '/api' ? (doc.versions ?? []).map((v) => v) : (doc.groups ?? []).flatMap((g) => g.versions.map((v) => v.groupVersion));
    const wanted = new Set(CATALOGUE.map((c) => c.group));
    for (const gv of gvs) {
      const group = gv.includes('/') ? gv.split('/')[0]! : '';
      if (!wanted.has(group)) continue;
      const list = await conn.getJSON<{ resources?: { name: string }[] }>(`${root}/${gv}`);
      for (const r of list.resources ?? []) if (!r.name.includes('/')) add(gv, r.name);
    }
  }
  return served;
}

export function servedKinds(served: Map<string, Set<string>>): { kinds: ServedKind[]; missing: ResourceKind[] } {
  const kinds: ServedKind[] = [];
  const missing: ResourceKind[] = [];
  for (const c of CATALOGUE) {
    const v = c.versions.find((ver) => served.get(c.group ? `${c.group}/${ver}` : ver)?.has(c.plural));
    if (!v) {
      missing.push(c);
      continue;
    }
    const base = c.group ? `/apis/${c.group}/${v}` : `/api/${v}`;
    kinds.push({ ...c, version: v, path: `${base}/${c.plural}` });
  }
  return { kinds, missing };
}
