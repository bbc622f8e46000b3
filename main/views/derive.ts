// Derived views kept in the cache itself (cluster_views), so the UI opens a fleet of thousands of
// nodes without re-deriving it, and a snapshot carries its views. The sync worker recomputes a cluster
// when its objects change (coalesced, see refresher.ts); a reader recomputes (in memory when
// read-only) when the row is missing or was made by an older model.
import type { Store } from '../store/store.ts';
import { clusterInput } from '../store/queries.ts';
import type { ClusterTileRow, ClusterViewRow } from '../store/views.ts';
import { MODEL_VERSION, acceleratorFigure, deriveCluster, type DerivedCluster } from '../model/derive.ts';
import type { NodeCell } from '../../common/contract.ts';

/**
 * One cluster's derived views from the cache: as it is now, or (at) as the history had it then,
 * judged as of `now`.
 */
export function deriveStored(
  store: Store,
  cluster: string,
  now: number,
  serverVersion?: string,
  at?: number,
): { derived: DerivedCluster; cells: NodeCell[] } {
  return deriveCluster(cluster, clusterInput(store, cluster, now, serverVersion, at));
}

/** Reads of the derived views, and their recomputation (stored, or kept in memory for a read-only cache). */
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
    return !this.inMemory && !this.store.readonly;
  }

  read(cluster: string): ClusterViewRow | undefined {
    return this.memo.get(cluster) ?? this.store.views.read(cluster, MODEL_VERSION);
  }

  /** The summary and cells only (the fleet map): skips the cluster's panels, which are most of the bytes. */
  readTile(cluster: string): ClusterTileRow | undefined {
    const m = this.memo.get(cluster);
    if (m) return { cluster, version: m.version, computedAt: m.computedAt, summary: m.derived.summary, cells: m.cells };
    return this.store.views.readTile(cluster, MODEL_VERSION);
  }

  version(cluster: string): number {
    return this.memo.get(cluster)?.version ?? this.store.views.version(cluster, MODEL_VERSION);
  }

  /** Recompute one cluster's view and store it (and a chart sample, at most one a minute). */
  refresh(cluster: string, now: number, serverVersion?: string): ClusterViewRow {
    const { derived, cells } = deriveStored(this.store, cluster, now, serverVersion);
    const version = this.version(cluster) + 1;
    const row: ClusterViewRow = { cluster, version, computedAt: now, derived, cells };
    if (!this.writable) {
      this.memo.set(cluster, row);
      return row;
    }
    const s = derived.summary;
    const fig = (r: string) => ({ allocatable: s.resources[r]?.allocatable ?? 0, requested: s.resources[r]?.requested ?? 0 });
    const sample = { cpu: fig('cpu'), memory: fig('memory'), gpu: acceleratorFigure(s), nodes: s.nodes.byLevel };
    this.store.views.write(row, MODEL_VERSION, { at: Math.floor(now / 60_000) * 60_000, data: sample });
    return row;
  }

  /** The view of a cluster, computing it if missing or made by an older model. */
  get(cluster: string, now: number, serverVersion?: string): ClusterViewRow {
    return this.read(cluster) ?? this.refresh(cluster, now, serverVersion);
  }

  /** Clusters of the cache whose view is missing or was made by another model version. */
  outdated(): string[] {
    return this.store.views.outdated(MODEL_VERSION);
  }

  samples(cluster: string, from: number, to: number): { at: number; data: string }[] {
    return this.store.views.samples(cluster, from, to);
  }

  forget(cluster: string): void {
    this.memo.delete(cluster);
    if (this.writable) this.store.views.forget(cluster);
  }
}
