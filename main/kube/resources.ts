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

/** The kinds of one API group, by plural: the kind, namespaced; or [the kind, 'cluster'], cluster-scoped. */
type GroupKinds = Record<string, string | [kind: string, scope: 'cluster']>;

/** The kinds of one API group ('': the core group), served at these versions (in order of preference). */
const group = (group: string, versions: string[], kinds: GroupKinds): ResourceKind[] =>
  Object.entries(kinds).map(([plural, k]) => ({
    key: group ? `${group}/${plural}` : plural,
    group,
    versions,
    plural,
    kind: typeof k === 'string' ? k : k[0],
    namespaced: typeof k === 'string',
  }));

export const CATALOGUE: ResourceKind[] = [
  ...group('', ['v1'], {
    nodes: ['Node', 'cluster'],
    pods: 'Pod',
    namespaces: ['Namespace', 'cluster'],
    events: 'Event',
    services: 'Service',
    persistentvolumes: ['PersistentVolume', 'cluster'],
    persistentvolumeclaims: 'PersistentVolumeClaim',
    // Secrets and ConfigMaps come whole and are reduced before anything is written (the store's encoding:
    // key names, and per value its size, plus a digest for ConfigMaps), so which keys changed shows.
    configmaps: 'ConfigMap',
    secrets: 'Secret',
  }),
  ...group('apps', ['v1'], { deployments: 'Deployment', statefulsets: 'StatefulSet', daemonsets: 'DaemonSet', replicasets: 'ReplicaSet' }),
  ...group('batch', ['v1'], { jobs: 'Job', cronjobs: 'CronJob' }),
  ...group('autoscaling', ['v2'], { horizontalpodautoscalers: 'HorizontalPodAutoscaler' }),
  // What changes a cluster's behaviour for everyone: CRDs and RBAC (their changes are events).
  ...group('apiextensions.k8s.io', ['v1'], { customresourcedefinitions: ['CustomResourceDefinition', 'cluster'] }),
  ...group('rbac.authorization.k8s.io', ['v1'], {
    roles: 'Role',
    rolebindings: 'RoleBinding',
    clusterroles: ['ClusterRole', 'cluster'],
    clusterrolebindings: ['ClusterRoleBinding', 'cluster'],
  }),
  ...group('storage.k8s.io', ['v1'], {
    storageclasses: ['StorageClass', 'cluster'],
    csidrivers: ['CSIDriver', 'cluster'],
    csinodes: ['CSINode', 'cluster'],
    csistoragecapacities: 'CSIStorageCapacity',
    volumeattachments: ['VolumeAttachment', 'cluster'],
  }),
  // DRA: v1 since 1.34; older servers serve the betas.
  ...group('resource.k8s.io', ['v1', 'v1beta2', 'v1beta1'], {
    resourceslices: ['ResourceSlice', 'cluster'],
    deviceclasses: ['DeviceClass', 'cluster'],
    resourceclaims: 'ResourceClaim',
  }),
  // CRDs of the external-snapshotter, where installed.
  ...group('snapshot.storage.k8s.io', ['v1'], {
    volumesnapshots: 'VolumeSnapshot',
    volumesnapshotcontents: ['VolumeSnapshotContent', 'cluster'],
    volumesnapshotclasses: ['VolumeSnapshotClass', 'cluster'],
  }),
];

/**
 * The kinds the map, the fleet table and the fleet's figures are made of (the model's inputs: nodes and
 * pods, workloads, storage and CSI, DRA), and namespaces: always watched. The others (Services,
 * ConfigMaps, Secrets, ReplicaSets, CronJobs, HPAs, CRDs, RBAC, DeviceClasses, snapshot contents and
 * classes) are watched while a view shows their cluster, or in a small fleet; otherwise listed every
 * few minutes, and shown as of that list.
 */
export const ALWAYS_LIVE = new Set([
  'nodes',
  'pods',
  'namespaces',
  'events',
  'persistentvolumes',
  'persistentvolumeclaims',
  'apps/deployments',
  'apps/statefulsets',
  'apps/daemonsets',
  'batch/jobs',
  'storage.k8s.io/storageclasses',
  'storage.k8s.io/csidrivers',
  'storage.k8s.io/csinodes',
  'storage.k8s.io/csistoragecapacities',
  'storage.k8s.io/volumeattachments',
  'resource.k8s.io/resourceslices',
  'resource.k8s.io/resourceclaims',
  'snapshot.storage.k8s.io/volumesnapshots',
]);

/**
 * An object as kubectl shows it. LIST items carry no apiVersion/kind, and Secrets and ConfigMaps are
 * cached as PartialObjectMetadata: both get their own apiVersion and kind back, first. (The version is
 * the catalogue's preferred one; the cache does not record which one discovery picked.)
 */
export function shownObject(kind: string, body: Record<string, any>): Record<string, any> {
  const cat = CATALOGUE.find((k) => k.key === kind);
  if (!cat && !body.kind) {
    // a kind watched on demand: listed items carry no apiVersion/kind; discovery said what they are
    const d = discoveredKind(kind);
    return d ? { ...d, ...body } : body;
  }
  if (!cat || (body.kind && body.kind !== 'PartialObjectMetadata')) return body;
  const { apiVersion: _a, kind: _k, ...rest } = body;
  return { apiVersion: cat.group ? `${cat.group}/${cat.versions[0]}` : cat.versions[0], kind: cat.kind, ...rest };
}

export interface ServedKind extends ResourceKind {
  version: string;
  /** collection path, e.g. /apis/apps/v1/deployments */
  path: string;
}

/** One discovery root (/api or /apis) as the server answers it: aggregated (v2) when it can, else the legacy list. */
interface DiscoveryDoc {
  kind?: string;
  items?: {
    metadata?: { name?: string };
    versions?: {
      version: string;
      resources?: { resource: string; responseKind?: { kind?: string }; scope?: string; verbs?: string[] }[];
    }[];
  }[];
  groups?: { name: string; preferredVersion?: { groupVersion: string }; versions: { groupVersion: string }[] }[];
  versions?: string[];
}

async function discoveryDoc(conn: Connection, root: '/api' | '/apis'): Promise<DiscoveryDoc> {
  const aggregated = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;q=0.9';
  const res = await conn.open(root, { accept: aggregated, timeoutMs: 30_000 });
  const text = await readBody(res);
  if ((res.statusCode ?? 0) >= 300) throw statusError(res.statusCode ?? 0, root, text);
  return JSON.parse(text) as DiscoveryDoc;
}

/** group/version → served plural names, from aggregated discovery (v2) or the legacy endpoints. */
export async function discoverServed(conn: Connection): Promise<Map<string, Set<string>>> {
  const served = new Map<string, Set<string>>();
  const add = (gv: string, plural: string) => {
    let s = served.get(gv);
    if (!s) served.set(gv, (s = new Set()));
    s.add(plural);
  };
  for (const root of ['/api', '/apis'] as const) {
    const doc = await discoveryDoc(conn, root);
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

/** A served kind as discovery describes it (any kind, not only the catalogue's), at its preferred version. */
export interface DiscoveredKind extends ServedKind {
  /** in the always-synced catalogue (else watched on demand, while a page shows it) */
  catalogue: boolean;
}

/** The store key of a group's plural: "group/plural", or "plural" for the core group. */
export const kindKey = (group: string, plural: string): string => (group ? `${group}/${plural}` : plural);

/**
 * Every resource the server serves that can be listed and watched (no subresources), one per group and
 * plural at the group's preferred version: aggregated discovery (v2), or the legacy endpoints.
 * A kind named "secrets" in any group is fetched as metadata only: its values never reach the cache.
 */
export async function discoverResources(conn: Connection): Promise<DiscoveredKind[]> {
  const out = new Map<string, DiscoveredKind>();
  const add = (group: string, version: string, plural: string, kind: string, namespaced: boolean, verbs: string[] | undefined) => {
    if (plural.includes('/') || (verbs && !(verbs.includes('list') && verbs.includes('watch')))) return;
    const key = kindKey(group, plural);
    if (out.has(key)) return; // the first version listed is the preferred one
    const cat = CATALOGUE.find((c) => c.key === key);
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    out.set(key, {
      key,
      group,
      versions: [version],
      version,
      plural,
      kind: cat?.kind ?? kind,
      namespaced,
      path: `${base}/${plural}`,
      catalogue: !!cat,
      ...(plural === 'secrets' || cat?.metadataOnly ? { metadataOnly: true } : {}),
    });
  };
  for (const root of ['/api', '/apis'] as const) {
    const doc = await discoveryDoc(conn, root);
    if (doc.kind === 'APIGroupDiscoveryList') {
      for (const g of doc.items ?? []) {
        const group = g.metadata?.name ?? '';
        for (const v of g.versions ?? [])
          for (const r of v.resources ?? [])
            add(group, v.version, r.resource, r.responseKind?.kind ?? r.resource, r.scope !== 'Cluster', r.verbs);
      }
      continue;
    }
    const gvs =
      root === '/api'
        ? (doc.versions ?? [])
        : (doc.groups ?? []).map((g) => g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion).filter((x): x is string => !!x);
    for (const gv of gvs) {
      const [group, version] = gv.includes('/') ? [gv.split('/')[0]!, gv.split('/')[1]!] : ['', gv];
      const list = await conn.getJSON<{ resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[] }>(
        `${root}/${gv}`,
      );
      for (const r of list.resources ?? []) add(group, version, r.name, r.kind, r.namespaced, r.verbs);
    }
  }
  return [...out.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** Kinds discovery described in this process (key → apiVersion and kind): how a listed object outside the catalogue is shown. */
const discovered = new Map<string, { apiVersion: string; kind: string }>();

export function rememberKinds(kinds: readonly ServedKind[]): void {
  for (const k of kinds) discovered.set(k.key, { apiVersion: k.group ? `${k.group}/${k.version}` : k.version, kind: k.kind });
}

/** The apiVersion and kind of a kind key outside the catalogue, when discovery described it here. */
export function discoveredKind(key: string): { apiVersion: string; kind: string } | undefined {
  return discovered.get(key);
}
