// What every area of the contract's back end shares: the store, the derived views, the session's
// options, which clusters there are (the cache's, or those the sync worker watches) and the clusters'
// views now or "as of" a past time.
import type { Store } from '../store/store.ts';
import type { ClusterStatusInfo } from '../kube/sync.ts';
import type { ClusterTileRow, ClusterViewRow } from '../store/views.ts';
import type { SnapshotManifest } from '../store/manifest.ts';
import { ViewTable, deriveStored } from './derive.ts';
import { ConnectionError, type Connection } from '../kube/connection.ts';
import type { ContextEntry } from '../fleet/kubeconfig.ts';
import type { TrustStore } from '../fleet/trust.ts';
import type { SourceConfig } from '../fleet/sources.ts';
import type { SyncSettings } from '../fleet/sync-settings.ts';
import { statSync } from 'node:fs';
import { emptyClusterLabels, loadClusterLabels, type ClusterLabels } from '../fleet/cluster-labels.ts';
import { ContractError, type ActionProgressEvent, type FleetDTO, type LogsEvent, type Params, type Result } from '../../common/contract.ts';

export interface LiveSource {
  /** the latest statuses from the sync worker */
  statuses(): ClusterStatusInfo[];
  problems(): { path: string; error: string }[];
  looked(): string[];
  /** add a kubeconfig file or folder to what is watched; returns the entry count after reload */
  addSource?(path: string): Promise<{ added: string; entries: number }>;
  /** take a file or folder the user added out of what is watched */
  removeSource?(path: string): Promise<void>;
  /** the kubeconfig sources read now */
  sources?(): SourceConfig;
  /** what is turned off now (sync-settings.json) */
  offSettings?(): SyncSettings;
  /** turn clusters or sources off or on: saved, and the sync worker stops or starts them (resolves once it did) */
  setOffSettings?(next: SyncSettings): Promise<void>;
  /** the cache's retention limits: saved (sync-settings.json) and applied by the store thread now */
  setRetention?(r: { maxAgeMs: number; maxBytes: number }): void;
}

export interface ServiceOptions {
  mode: FleetDTO['mode'];
  source: string;
  live?: LiveSource;
  /**
   * Who derives missing views: 'none' when the sync worker owns the writes (it will), 'persist' for a
   * cache nobody syncs, 'memory' for a read-only snapshot.
   */
  derive: 'none' | 'persist' | 'memory';
  /** the demo snapshot, if installed */
  demoPath?: string;
  /** what the snapshot is (mode 'snapshot'): its manifest and file name */
  snapshot?: { file: string; manifest: SnapshotManifest };
  /** the live cache ("@cache" in snapshot.diff) */
  cachePath?: string;
  /** snapshots, bundles and diffs: files the session reads and writes (see SessionActions) */
  actions?: SessionActions;
  /**
   * The back end's own connections to the clusters (kube/pool.ts), live sessions only: what logs and
   * actions go through. Without them the session reads no logs and takes no actions.
   */
  connections?: Connections;
  /** read-only mode (--read-only, or the desktop app's setting): no actions, even if asked */
  readOnly?: boolean;
  /** turn read-only mode on or off from the Settings view (absent: it cannot be, e.g. --read-only) */
  setReadOnly?: (on: boolean) => void;
  /** the cache's limits (the sync worker's retention) */
  retention?: { maxAgeMs: number; maxBytes: number };
  /** pushes meant for one caller only (its log lines, its run's progress) */
  push?: (e: LogsEvent | ActionProgressEvent, to: string) => void;
  /** the clusters the pages show now changed (views.focus, a page gone): the sync watches their every kind */
  focus?: (clusters: string[], kinds?: Record<string, string[] | null>) => void;
  /** the console wrote to these clusters' change history (an action): their views moved on */
  changed?: (clusters: string[]) => void;
  /** cluster-labels.json in the data folder: the user's cluster labels and favourites (absent: none, and none can be set) */
  labelsFile?: string;
  log?: (line: string) => void;
  now?: () => number;
}

/** The back end's connections by cluster id (ConnectionPool): an entry, and a connection that rejects with a ConnectionError saying why there is none. */
export interface Connections {
  entry(cluster: string): ContextEntry | undefined;
  /** every entry of the session's kubeconfigs; `fresh`: read the files again now */
  allEntries(fresh?: boolean): ContextEntry[];
  /** the exec approvals (the same file the sync worker reads) */
  readonly trust: TrustStore;
  get(cluster: string): Promise<Connection>;
}

/** The ContractError of an API or connection error: the API's exact message, a code after its status. */
export function contractErrorOf(e: unknown): ContractError {
  if (e instanceof ContractError) return e;
  if (e instanceof ConnectionError) {
    const code =
      e.status === 400 || e.status === 422 || e.status === 409
        ? 'invalid'
        : e.status === 404
          ? 'not-found'
          : e.kind === 'forbidden' || e.kind === 'unauthorized' || e.kind === 'needs-approval'
            ? 'forbidden'
            : 'internal';
    return new ContractError(e.message, code);
  }
  return new ContractError((e as Error).message, 'internal');
}

/** Who asks: a page (a WebSocket connection, the desktop window); pushes of its streams and runs go to it alone. */
export type Caller = string;
export const LOCAL_CALLER: Caller = 'local';

/** What the shell around the service does with files: capture, compare, export, switch what is shown. */
export interface SessionActions {
  capture?(p: Params<'snapshot.capture'>): Promise<Result<'snapshot.capture'>>;
  diff?(p: Params<'snapshot.diff'>): Promise<Result<'snapshot.diff'>>;
  bundlePreview?(p: Params<'bundle.preview'>): Promise<Result<'bundle.preview'>>;
  bundleExport?(p: Params<'bundle.export'>): Promise<Result<'bundle.export'>>;
  open?(p: Params<'session.open'>): Promise<Result<'session.open'>>;
}

/** A cluster as the views know it: its row in the cache (none: nothing cached yet) and its live status (none: not watched). */
export interface ClusterEntry {
  id: string;
  row: ReturnType<Store['clusters']>[number] | undefined;
  live: ClusterStatusInfo | undefined;
}

export function tileRow(v: ClusterViewRow): ClusterTileRow {
  return { cluster: v.cluster, version: v.version, computedAt: v.computedAt, summary: v.derived.summary, cells: v.cells };
}

export class ViewContext {
  readonly store: Store;
  readonly views: ViewTable;
  readonly o: ServiceOptions;
  readonly now: () => number;
  /** bumped when the worker recomputed views: the fleet moved on */
  fleetVersion = 0;
  /** read-only mode: may change while the session runs (the desktop app's menu) */
  readOnly: boolean;

  constructor(store: Store, opts: ServiceOptions) {
    this.store = store;
    this.views = new ViewTable(store, opts.derive !== 'persist');
    this.o = opts;
    this.now = opts.now ?? Date.now;
    this.readOnly = !!opts.readOnly;
  }

  /** Why this session takes no actions (a snapshot, the cache, read-only mode), or null when it may. */
  actionsRefused(): string | null {
    if (this.o.mode === 'snapshot') return 'this session shows a snapshot: actions are taken on the live fleet only';
    if (this.o.mode === 'cache') return 'this session shows the cache without syncing (offline): actions are taken on the live fleet only';
    if (this.readOnly) return 'the console is in read-only mode (--read-only, or the Read-only Mode setting): no actions are taken';
    if (!this.o.connections) return 'this session has no connections to the clusters: no actions are taken';
    return null;
  }

  /**
   * The live connection to a cluster, or a ContractError saying why there is none: `refused` (why this
   * session may not reach the clusters for what is asked, or null when it may), no such cluster in
   * its kubeconfigs, or the connection's own reason (an exec plugin not approved yet...).
   */
  async connection(cluster: string, refused: string | null): Promise<Connection> {
    if (refused) throw new ContractError(refused, 'forbidden');
    const pool = this.o.connections;
    if (!pool) throw new ContractError('this session has no connections to the clusters', 'forbidden');
    if (!pool.entry(cluster)) throw new ContractError(`no cluster ${cluster} in this session's kubeconfigs`, 'not-found');
    // Turned off in Settings: no request to it at all, logs and actions included.
    const st = this.o.live?.statuses().find((s) => s.id === cluster);
    if (st?.status === 'off')
      throw new ContractError(`the cluster is turned off (${st.message ?? 'Settings'}): turn it on to reach it`, 'forbidden');
    try {
      return await pool.get(cluster);
    } catch (e) {
      throw contractErrorOf(e);
    }
  }

  private labelsCache: { key: string; labels: ClusterLabels } | undefined;

  /** The user's cluster labels and favourites (re-read when the file changed). */
  userLabels(): ClusterLabels {
    const file = this.o.labelsFile;
    if (!file) return emptyClusterLabels();
    let key = 'none';
    try {
      const st = statSync(file);
      key = `${st.mtimeMs}|${st.size}`;
    } catch {
      /* no file: no labels */
    }
    if (this.labelsCache?.key === key) return this.labelsCache.labels;
    const loaded = key === 'none' ? { labels: emptyClusterLabels() } : loadClusterLabels(file);
    if (loaded.warning) this.o.log?.(loaded.warning);
    this.labelsCache = { key, labels: loaded.labels };
    return loaded.labels;
  }

  /** an "as of" time within what the cache can show; undefined for the latest */
  asOf(at: number | undefined): number | undefined {
    if (at === undefined) return undefined;
    if (at >= this.now()) return undefined;
    return at;
  }

  clusterRows(): ClusterEntry[] {
    const rows = this.store.clusters();
    const live = this.o.live?.statuses();
    // Before the worker's first status (and in cache or snapshot mode), the cache's clusters.
    if (!live?.length) return rows.map((r) => ({ id: r.id, row: r, live: undefined }));
    // Live mode shows the clusters this session watches, in kubeconfig order, with what the cache has
    // (no row: nothing of it is cached yet).
    const byId = new Map(rows.map((r) => [r.id, r]));
    return live.map((s) => ({ id: s.id, row: byId.get(s.id), live: s }));
  }

  clusterRow(id: string): ClusterEntry {
    const r = this.clusterRows().find((x) => x.id === id);
    if (!r) throw new ContractError(`no cluster ${id}`, 'not-found');
    return r;
  }

  /** A cluster's view; derived now if the cache lacks it and this service derives (not when the worker does). */
  viewOf(id: string, serverVersion: string | null | undefined, hasObjects: boolean): ClusterViewRow | undefined {
    const existing = this.views.read(id);
    if (existing) return existing;
    return this.derive(id, serverVersion, hasObjects);
  }

  /** The same for the fleet map: the summary and cells only, without parsing the panels. */
  tileOf(id: string, serverVersion: string | null | undefined, hasObjects: boolean): ClusterTileRow | undefined {
    const existing = this.views.readTile(id);
    if (existing) return existing;
    const v = this.derive(id, serverVersion, hasObjects);
    return v && tileRow(v);
  }

  private derive(id: string, serverVersion: string | null | undefined, hasObjects: boolean): ClusterViewRow | undefined {
    if (!hasObjects || this.o.derive === 'none') return undefined;
    return this.views.refresh(id, this.now(), serverVersion ?? undefined);
  }

  /** views of a cluster as of a past time, derived from the history (a few kept) */
  private readonly atViews = new Map<string, ClusterViewRow>();

  viewAt(id: string, serverVersion: string | null | undefined, at: number): ClusterViewRow {
    const key = `${id}@${at}`;
    const hit = this.atViews.get(key);
    if (hit) return hit;
    // Judged as of T too: a heartbeat is as old as it was then.
    const { derived, cells } = deriveStored(this.store, id, at, serverVersion ?? undefined, at);
    const row: ClusterViewRow = { cluster: id, version: 0, computedAt: at, derived, cells };
    this.atViews.set(key, row);
    while (this.atViews.size > 256) this.atViews.delete(this.atViews.keys().next().value!);
    return row;
  }
}
