// The derived views' rows: cluster_views (each cluster's summary, node cells and panels, with the
// model version that made them) and samples (per-minute figures for the charts). Written by whoever
// derives (the sync worker's store thread, or a reader of a cache nobody syncs); read by the views.
import type Database from 'better-sqlite3';
import type { ClusterSummary } from '../model/summary.ts';
import type { ClusterViewRow, DerivedCluster } from '../model/derive.ts';
import type { NodeCell } from '../../common/contract.ts';

export type { ClusterViewRow } from '../model/derive.ts';

/** What the fleet map needs of a cluster: its summary and cells, without the panels. */
export interface ClusterTileRow {
  cluster: string;
  version: number;
  computedAt: number;
  summary: ClusterSummary;
  cells: NodeCell[];
}

export class ViewRows {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      full: db.prepare('SELECT version, computed_at, summary, nodes, panels, model_version FROM cluster_views WHERE cluster = ?'),
      tile: db.prepare('SELECT version, computed_at, summary, nodes, model_version FROM cluster_views WHERE cluster = ?'),
      version: db.prepare('SELECT version FROM cluster_views WHERE cluster = ? AND model_version = ?').pluck(),
      upsert: db.prepare(
        `INSERT INTO cluster_views (cluster, model_version, version, computed_at, summary, nodes, panels) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (cluster) DO UPDATE SET model_version = excluded.model_version, version = excluded.version,
           computed_at = excluded.computed_at, summary = excluded.summary, nodes = excluded.nodes, panels = excluded.panels`,
      ),
      sample: db.prepare('INSERT OR REPLACE INTO samples (cluster, at, data) VALUES (?, ?, ?)'),
      outdated: db.prepare('SELECT id FROM clusters WHERE id NOT IN (SELECT cluster FROM cluster_views WHERE model_version = ?)').pluck(),
      samples: db.prepare('SELECT at, data FROM samples WHERE cluster = ? AND at >= ? AND at <= ? ORDER BY at'),
      forget: db.prepare('DELETE FROM cluster_views WHERE cluster = ?'),
    };
    this.writeTx = db.transaction((row: ClusterViewRow, modelVersion: number, sample: { at: number; data: unknown } | undefined) => {
      const { summary, ...panels } = row.derived;
      this.s.upsert.run(
        row.cluster,
        modelVersion,
        row.version,
        row.computedAt,
        JSON.stringify(summary),
        JSON.stringify(row.cells),
        JSON.stringify(panels),
      );
      if (sample) this.s.sample.run(row.cluster, sample.at, JSON.stringify(sample.data));
    });
  }

  private readonly writeTx: (row: ClusterViewRow, modelVersion: number, sample: { at: number; data: unknown } | undefined) => void;

  /** A cluster's view, if one made by this model version is stored. */
  read(cluster: string, modelVersion: number): ClusterViewRow | undefined {
    const r = this.s.full.get(cluster) as
      { version: number; computed_at: number; summary: string; nodes: string; panels: string; model_version: number } | undefined;
    if (!r || r.model_version !== modelVersion) return undefined;
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
  readTile(cluster: string, modelVersion: number): ClusterTileRow | undefined {
    const r = this.s.tile.get(cluster) as
      { version: number; computed_at: number; summary: string; nodes: string; model_version: number } | undefined;
    if (!r || r.model_version !== modelVersion) return undefined;
    return {
      cluster,
      version: r.version,
      computedAt: r.computed_at,
      summary: JSON.parse(r.summary) as ClusterSummary,
      cells: JSON.parse(r.nodes) as NodeCell[],
    };
  }

  /** the stored view's version (0: none by this model version) */
  version(cluster: string, modelVersion: number): number {
    return (this.s.version.get(cluster, modelVersion) as number | undefined) ?? 0;
  }

  /** Store a view, and a chart sample with it, in one transaction. */
  write(row: ClusterViewRow, modelVersion: number, sample?: { at: number; data: unknown }): void {
    this.writeTx(row, modelVersion, sample);
  }

  /** Clusters of the cache whose view is missing or was made by another model version. */
  outdated(modelVersion: number): string[] {
    return this.s.outdated.all(modelVersion) as string[];
  }

  samples(cluster: string, from: number, to: number): { at: number; data: string }[] {
    return this.s.samples.all(cluster, from, to) as { at: number; data: string }[];
  }

  forget(cluster: string): void {
    this.s.forget.run(cluster);
  }
}
