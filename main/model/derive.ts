// The derived views of one cluster: what the map, the fleet table and the cluster view show, made
// from its objects by the model. Pure: the caller reads the objects (main/store's clusterInput) and
// keeps the result (cluster_views, through the store).
import { clusterView, type ClusterInput, type ClusterSummary } from './summary.ts';
import type { ObjectLists } from './types.ts';
import { workloadProblems } from './workloads.ts';
import type { AcceleratorsDTO, CoverageState, NodeCell, NodeRow, StorageDTO, WorkloadProblem } from '../../common/contract.ts';
import { HEALTH_LEVELS } from '../../common/contract.ts';

type KObj = Record<string, any>;

/** Bump when the derivation changes: rows of an older model are recomputed on open. */
export const MODEL_VERSION = 2;

export interface DerivedCluster {
  summary: ClusterSummary;
  nodes: NodeRow[];
  accelerators: AcceleratorsDTO;
  storage: StorageDTO;
  problems: WorkloadProblem[];
}

export interface ClusterViewRow {
  cluster: string;
  version: number;
  computedAt: number;
  derived: DerivedCluster;
  cells: NodeCell[];
}

const ACCELERATOR_KINDS = new Set(['gpu', 'mig', 'gpu-share', 'tpu', 'neuron-device', 'neuron-core', 'gaudi']);

function ratio(requested: number | undefined, allocatable: number | undefined): number | null {
  if (!allocatable) return null;
  return Math.round(((requested ?? 0) / allocatable) * 1000) / 1000;
}

/**
 * The DTO of a model object: the fields named in keys, and of those named in ifSet only the ones
 * that are set (a DTO leaves out an empty model, a memory of 0, no sharing, rather than carry them).
 */
function pick<T extends object, K extends keyof T, O extends keyof T = never>(
  o: T,
  keys: readonly K[],
  ifSet: readonly O[] = [],
): Pick<T, K> & Partial<Pick<T, O>> {
  const out: Partial<T> = {};
  for (const k of keys) out[k] = o[k];
  for (const k of ifSet) if (o[k]) out[k] = o[k];
  return out as Pick<T, K> & Partial<Pick<T, O>>;
}

/** The model's input for one cluster's derived views: what clusterView takes, plus the workloads. */
export interface DeriveInput extends ClusterInput, ObjectLists<'deployments' | 'statefulSets' | 'jobs'> {}

/**
 * Run the model over one cluster's objects (as they are now, or as the history had them at a past
 * time: the caller reads them; this only derives), judged as of input.now.
 */
export function deriveCluster(cluster: string, input: DeriveInput): { derived: DerivedCluster; cells: NodeCell[] } {
  const view = clusterView(input);
  const nodes = (input.nodes ?? []) as readonly KObj[];
  const pods = input.pods ?? [];
  const { storage, dra, accelerators: acc } = view;
  const problems: WorkloadProblem[] = workloadProblems({
    pods,
    deployments: input.deployments ?? [],
    statefulSets: input.statefulSets ?? [],
    daemonSets: input.daemonSets ?? [],
    jobs: input.jobs ?? [],
    now: input.now,
  })
    .slice(0, 500)
    .map((p) => ({ cluster, ...pick(p, ['kind', 'uid', 'namespace', 'name', 'reason', 'message']) }));

  const storageByNode = new Map<string, number>();
  for (const p of storage.problems) if (p.node) storageByNode.set(p.node, (storageByNode.get(p.node) ?? 0) + 1);
  const accByNode = new Map(acc.nodes.map((n) => [n.node, n]));
  const nodeByName = new Map(nodes.map((n) => [n.metadata?.name as string, n]));

  const rows: NodeRow[] = [];
  const cells: NodeCell[] = [];
  for (const n of view.nodes) {
    const a = accByNode.get(n.name);
    let accAlloc = 0;
    let accUsed = 0;
    for (const r of a?.resources ?? []) {
      if (!ACCELERATOR_KINDS.has(r.kind)) continue;
      accAlloc += r.allocatable;
      accUsed += r.allocated;
    }
    const draDevices = dra.nodes[n.name];
    if (draDevices) {
      accAlloc += draDevices.devices;
      accUsed += draDevices.allocated;
    }
    const physical = Object.values(a?.physicalByVendor ?? {}).reduce((s, x) => s + x, 0);
    const res = n.resources;
    const node = nodeByName.get(n.name);
    const cordoned = n.health.cordoned;
    rows.push({
      name: n.name,
      ready: n.ready,
      level: n.health.level,
      reasons: n.health.reasons,
      cordoned,
      kubeletVersion: n.health.kubeletVersion ?? null,
      resources: res,
      accelerators: physical || accAlloc,
      storageProblems: storageByNode.get(n.name) ?? 0,
      pods: res.pods?.requested ?? 0,
    });
    cells.push({
      n: n.name,
      h: Math.max(0, HEALTH_LEVELS.indexOf(n.health.level)),
      c: ratio(res.cpu?.requested, res.cpu?.allocatable),
      m: ratio(res.memory?.requested, res.memory?.allocatable),
      g: accAlloc ? ratio(accUsed, accAlloc) : null,
      p: ratio(res.pods?.requested, res.pods?.allocatable),
      a: physical || accAlloc,
      s: storageByNode.get(n.name) ?? 0,
      k: cordoned || node?.spec?.unschedulable === true,
    });
  }

  const coverage: Record<string, Record<string, CoverageState>> = {};
  for (const [driver, byNode] of Object.entries(storage.matrix.cells)) {
    coverage[driver] = Object.fromEntries(Object.entries(byNode).map(([node, cell]) => [node, cell.state]));
  }
  const storageDTO: StorageDTO = {
    drivers: storage.drivers.map((d) => pick(d, ['driver', 'csiDriver', 'registered', 'expected', 'missing', 'pluginNotReady'])),
    matrix: { drivers: storage.matrix.drivers, nodes: storage.matrix.nodes, cells: coverage },
    problems: storage.problems.slice(0, 1000),
    storageClasses: (input.storageClasses ?? []).map((sc) => {
      const o = sc as KObj;
      return {
        name: String(o.metadata?.name ?? ''),
        provisioner: String(o.provisioner ?? ''),
        isDefault:
          o.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ||
          o.metadata?.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true',
        bindingMode: o.volumeBindingMode ?? null,
        reclaimPolicy: o.reclaimPolicy ?? null,
      };
    }),
  };

  const accelerators: AcceleratorsDTO = {
    totals: acc.totals,
    nodes: acc.nodes
      .filter((n) => n.resources.length)
      .map((n) => ({
        ...pick(n, ['node'], ['migStrategy']),
        resources: n.resources.map((r) =>
          pick(
            r,
            ['resource', 'vendor', 'kind', 'capacity', 'allocatable', 'allocated', 'free', 'unhealthy'],
            ['model', 'memoryBytes', 'sharing', 'mig'],
          ),
        ),
      })),
    pending: acc.pending,
    pendingDraPods: acc.pendingDraPods,
    dra: {
      totals: dra.totals,
      incompletePools: dra.incompletePools.length,
      devices: dra.devices
        .slice(0, 2000)
        .map((d) => pick(d, ['driver', 'pool', 'name', 'allocated', 'inUse', 'claims'], ['node', 'productName', 'memoryBytes'])),
      claims: dra.claims.slice(0, 2000).map((c) => ({
        ...pick(c, ['name', 'allocated', 'inUse'], ['namespace']),
        devices: c.devices.map((x) => pick(x, ['driver', 'pool', 'device'], ['request'])),
        consumers: c.consumers.map((x) => pick(x, ['resource', 'name'], ['namespace'])),
      })),
    },
  };

  return { derived: { summary: view.summary, nodes: rows, accelerators, storage: storageDTO, problems }, cells };
}

/** Totals of accelerator resources (every device plugin kind, plus DRA devices) for the fleet figures. */
export function acceleratorFigure(s: ClusterSummary): { allocatable: number; requested: number } {
  let allocatable = 0;
  let requested = 0;
  for (const t of s.accelerators.totals) {
    if (!ACCELERATOR_KINDS.has(t.kind) && t.source !== 'dra') continue;
    allocatable += t.allocatable;
    requested += t.allocated;
  }
  return { allocatable, requested };
}
