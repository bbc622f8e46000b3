// Derived views: what the model makes of one cluster's cached objects, kept in the cache itself
// (cluster_views) so the UI opens a fleet of thousands of nodes without re-deriving it, and a snapshot
// carries its views. The sync worker recomputes a cluster when its objects change (coalesced); a reader
// recomputes (in memory when read-only) when the row is missing or was made by an older model.
import type { Store, KObj } from '../store/store.ts';
import { clusterInput } from '../store/queries.ts';
import { clusterView, type ClusterSummary } from '../model/index.ts';
import { workloadProblems } from '../model/workloads.ts';
import type { AcceleratorsDTO, CoverageState, NodeCell, NodeRow, StorageDTO, WorkloadProblem } from '../../common/contract.ts';
import { HEALTH_LEVELS } from '../../common/contract.ts';

/** Bump when the derivation changes: rows of an older model are recomputed on open. */
export const MODEL_VERSION = 1;

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
 * Run the model over one cluster's objects. Reads the cluster's bodies into memory for the duration.
 * With `at`, over the objects as the cache saw them at that time (history), judged as of `now`.
 */
export function deriveCluster(
  store: Store,
  cluster: string,
  now: number,
  serverVersion?: string,
  at?: number,
): { derived: DerivedCluster; cells: NodeCell[] } {
  const input = clusterInput(store, cluster, now, serverVersion, at);
  const view = clusterView(input);
  const nodes = input.nodes ?? [];
  const pods = input.pods ?? [];
  const { storage, dra, accelerators: acc } = view;
  const bodies = (kind: string) => (at === undefined ? ([...store.bodies(cluster, kind)] as KObj[]) : store.bodiesAt(cluster, kind, at));
  const problems: WorkloadProblem[] = workloadProblems({
    pods,
    deployments: bodies('apps/deployments'),
    statefulSets: bodies('apps/statefulsets'),
    daemonSets: bodies('apps/daemonsets'),
    jobs: bodies('batch/jobs'),
    now,
  })
    .slice(0, 500)
    .map((p) => ({ cluster, kind: p.kind, uid: p.uid, namespace: p.namespace, name: p.name, reason: p.reason, message: p.message }));

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
    drivers: storage.drivers.map((d) => ({
      driver: d.driver,
      csiDriver: d.csiDriver,
      registered: d.registered,
      expected: d.expected,
      missing: d.missing,
      pluginNotReady: d.pluginNotReady,
    })),
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
        node: n.node,
        ...(n.migStrategy ? { migStrategy: n.migStrategy } : {}),
        resources: n.resources.map((r) => ({
          resource: r.resource,
          vendor: r.vendor,
          kind: r.kind,
          ...(r.model ? { model: r.model } : {}),
          ...(r.memoryBytes ? { memoryBytes: r.memoryBytes } : {}),
          capacity: r.capacity,
          allocatable: r.allocatable,
          allocated: r.allocated,
          free: r.free,
          unhealthy: r.unhealthy,
          ...(r.sharing ? { sharing: r.sharing } : {}),
          ...(r.mig ? { mig: r.mig } : {}),
        })),
      })),
    pending: acc.pending,
    pendingDraPods: acc.pendingDraPods,
    dra: {
      totals: dra.totals,
      incompletePools: dra.incompletePools.length,
      devices: dra.devices.slice(0, 2000).map((d) => ({
        driver: d.driver,
        pool: d.pool,
        name: d.name,
        ...(d.node ? { node: d.node } : {}),
        ...(d.productName ? { productName: d.productName } : {}),
        ...(d.memoryBytes ? { memoryBytes: d.memoryBytes } : {}),
        allocated: d.allocated,
        inUse: d.inUse,
        claims: d.claims,
      })),
      claims: dra.claims.slice(0, 2000).map((c) => ({
        ...(c.namespace ? { namespace: c.namespace } : {}),
        name: c.name,
        allocated: c.allocated,
        inUse: c.inUse,
        devices: c.devices.map((x) => ({ driver: x.driver, pool: x.pool, device: x.device, ...(x.request ? { request: x.request } : {}) })),
        consumers: c.consumers.map((x) => ({ resource: x.resource, name: x.name, ...(x.namespace ? { namespace: x.namespace } : {}) })),
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

/** What the fleet map needs of a cluster: its summary and cells, without the panels. */
export interface ClusterTileRow {
  cluster: string;
  version: number;
  computedAt: number;
  summary: ClusterSummary;
  cells: NodeCell[];
}

/** Reads and writes of cluster_views and samples. */
export class ViewTable {
  private readonly store: Store;
  /** read-only databases (snapshots) keep recomputed views here instead */
  private readonly memo = new Map<string, ClusterViewRow>();
  private readonly inMemory: boolean;
  constructor(store: Store, inMemory = false) {
    this.store = store;
    this.inMemory = inMemory;
  }

  private get writable(): boolean {
    return !this.inMemory && !this.store.db.readonly;
  }

  read(cluster: string): ClusterViewRow | undefined {
    const m = this.memo.get(cluster);
    if (m) return m;
    const r = this.store.db
      .prepare('SELECT version, computed_at, summary, nodes, panels, model_version FROM cluster_views WHERE cluster = ?')
      .get(cluster) as
      { version: number; computed_at: number; summary: string; nodes: string; panels: string; model_version: number } | undefined;
    if (!r || r.model_version !== MODEL_VERSION) return undefined;
    const panels = JSON.parse(r.panels) as Omit<DerivedCluster, 'summary'>;
    return {
      cluster,
      version: r.version,
      computedAt: r.computed_at,
      derived: { summary: JSON.parse(r.summary) as ClusterSummary, ...panels },
      cells: JSON.parse(r.nodes) as NodeCell[],
    };
  }

  /** The summary and cells only (the fleet map): skips the cluster's panels, which are most of the bytes. */
  readTile(cluster: string): ClusterTileRow | undefined {
    const m = this.memo.get(cluster);
    if (m) return { cluster, version: m.version, computedAt: m.computedAt, summary: m.derived.summary, cells: m.cells };
    const r = this.store.db
      .prepare('SELECT version, computed_at, summary, nodes, model_version FROM cluster_views WHERE cluster = ?')
      .get(cluster) as { version: number; computed_at: number; summary: string; nodes: string; model_version: number } | undefined;
    if (!r || r.model_version !== MODEL_VERSION) return undefined;
    return {
      cluster,
      version: r.version,
      computedAt: r.computed_at,
      summary: JSON.parse(r.summary) as ClusterSummary,
      cells: JSON.parse(r.nodes) as NodeCell[],
    };
  }

  version(cluster: string): number {
    const m = this.memo.get(cluster);
    if (m) return m.version;
    const v = this.store.db
      .prepare('SELECT version FROM cluster_views WHERE cluster = ? AND model_version = ?')
      .pluck()
      .get(cluster, MODEL_VERSION);
    return (v as number | undefined) ?? 0;
  }

  /** Recompute one cluster's view and store it (and a chart sample, at most one a minute). */
  refresh(cluster: string, now: number, serverVersion?: string): ClusterViewRow {
    const { derived, cells } = deriveCluster(this.store, cluster, now, serverVersion);
    const version = this.version(cluster) + 1;
    const row: ClusterViewRow = { cluster, version, computedAt: now, derived, cells };
    if (!this.writable) {
      this.memo.set(cluster, row);
      return row;
    }
    const db = this.store.db;
    db.transaction(() => {
      const { summary, ...panels } = derived;
      db.prepare(
        `INSERT INTO cluster_views (cluster, model_version, version, computed_at, summary, nodes, panels) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (cluster) DO UPDATE SET model_version = excluded.model_version, version = excluded.version,
           computed_at = excluded.computed_at, summary = excluded.summary, nodes = excluded.nodes, panels = excluded.panels`,
      ).run(cluster, MODEL_VERSION, version, now, JSON.stringify(summary), JSON.stringify(cells), JSON.stringify(panels));
      const minute = Math.floor(now / 60_000) * 60_000;
      const s = derived.summary;
      const fig = (r: string) => ({ allocatable: s.resources[r]?.allocatable ?? 0, requested: s.resources[r]?.requested ?? 0 });
      const sample = { cpu: fig('cpu'), memory: fig('memory'), gpu: acceleratorFigure(s), nodes: s.nodes.byLevel };
      db.prepare('INSERT OR REPLACE INTO samples (cluster, at, data) VALUES (?, ?, ?)').run(cluster, minute, JSON.stringify(sample));
    })();
    return row;
  }

  /** The view of a cluster, computing it if missing or made by an older model. */
  get(cluster: string, now: number, serverVersion?: string): ClusterViewRow {
    return this.read(cluster) ?? this.refresh(cluster, now, serverVersion);
  }

  /** Clusters of the cache whose view is missing or was made by another model version. */
  outdated(): string[] {
    return this.store.db
      .prepare('SELECT id FROM clusters WHERE id NOT IN (SELECT cluster FROM cluster_views WHERE model_version = ?)')
      .pluck()
      .all(MODEL_VERSION) as string[];
  }

  samples(cluster: string, from: number, to: number): { at: number; data: string }[] {
    return this.store.db
      .prepare('SELECT at, data FROM samples WHERE cluster = ? AND at >= ? AND at <= ? ORDER BY at')
      .all(cluster, from, to) as { at: number; data: string }[];
  }

  forget(cluster: string): void {
    this.memo.delete(cluster);
    if (this.writable) this.store.db.prepare('DELETE FROM cluster_views WHERE cluster = ?').run(cluster);
  }
}
