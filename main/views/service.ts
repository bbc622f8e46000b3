// The contract's back end: answers every request method from the cache (read-only queries plus the
// derived views), whatever carries it (the web shell's WebSocket, the desktop app's IPC). Live cluster
// status comes from the sync worker when this session syncs; otherwise every cluster is "offline" with
// the age of its data, so cached data is never shown as live.
import type { Store, KObj, ChangeRecord } from '../store/store.ts';
import { nodeHealth } from '../model/health.ts';
import { podRequests } from '../model/requests.ts';
import { objectDiff, withoutNoise } from '../model/diff.ts';
import { eventOccurrences } from '../model/summary.ts';
import type { ClusterStatusInfo } from '../kube/sync.ts';
import { shownObject as asShown } from '../kube/resources.ts';
import { parseScope } from '../kube/access.ts';
import { ViewTable, deriveStored } from './derive.ts';
import { acceleratorFigure } from '../model/derive.ts';
import type { ClusterTileRow, ClusterViewRow } from '../store/views.ts';
import type { SnapshotManifest } from '../store/manifest.ts';
import { parseRequest } from '../../common/schemas.ts';
import {
  ContractError,
  type Answer,
  type ChangeDTO,
  type ClusterDTO,
  type ClusterStatus,
  type ClusterTile,
  type ContainerDTO,
  type DiffDTO,
  type EventDTO,
  type FleetDTO,
  type Method,
  type NodeDTO,
  type ObjectDTO,
  type ObjectRef,
  type Onboarding,
  type Params,
  type PodRow,
  type Result,
  type SamplePoint,
  type SearchHit,
} from '../../common/contract.ts';

export interface LiveSource {
  /** the latest statuses from the sync worker */
  statuses(): ClusterStatusInfo[];
  problems(): { path: string; error: string }[];
  looked(): string[];
  /** add a kubeconfig file or folder to what is watched; returns the entry count after reload */
  addSource?(path: string): Promise<{ added: string; entries: number }>;
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
  now?: () => number;
}

/** What the shell around the service does with files: capture, compare, export, switch what is shown. */
export interface SessionActions {
  capture?(p: Params<'snapshot.capture'>): Promise<Result<'snapshot.capture'>>;
  diff?(p: Params<'snapshot.diff'>): Promise<Result<'snapshot.diff'>>;
  bundlePreview?(p: Params<'bundle.preview'>): Promise<Result<'bundle.preview'>>;
  bundleExport?(p: Params<'bundle.export'>): Promise<Result<'bundle.export'>>;
  open?(p: Params<'session.open'>): Promise<Result<'session.open'>>;
}

const SEARCH_KINDS = [
  'nodes',
  'pods',
  'apps/deployments',
  'apps/statefulsets',
  'apps/daemonsets',
  'batch/jobs',
  'persistentvolumeclaims',
  'persistentvolumes',
  'services',
];

function tileRow(v: ClusterViewRow): ClusterTileRow {
  return { cluster: v.cluster, version: v.version, computedAt: v.computedAt, summary: v.derived.summary, cells: v.cells };
}

const LIVE_STATUSES = new Set<ClusterStatus>([
  'connecting',
  'syncing',
  'live',
  'stale',
  'unreachable',
  'unauthorized',
  'needs-approval',
  'error',
]);

function time(x: unknown): number | null {
  if (typeof x !== 'string') return null;
  const t = Date.parse(x);
  return Number.isFinite(t) ? t : null;
}

function eventDTO(e: KObj): EventDTO {
  const involved = e.involvedObject ?? e.regarding ?? {};
  return {
    type: String(e.type ?? ''),
    reason: String(e.reason ?? ''),
    message: String(e.message ?? e.note ?? ''),
    object: `${involved.kind ?? ''}/${involved.name ?? ''}`,
    namespace: String(e.metadata?.namespace ?? ''),
    count: eventOccurrences(e as never),
    last: time(e.series?.lastObservedTime) ?? time(e.lastTimestamp) ?? time(e.eventTime) ?? time(e.metadata?.creationTimestamp),
  };
}

function changeDTO(c: ChangeRecord): ChangeDTO {
  return { at: c.at, type: c.type, oldRv: c.oldRv, newRv: c.newRv };
}

/** Escape LIKE wildcards (ESCAPE '\'). */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class ViewService {
  readonly store: Store;
  readonly views: ViewTable;
  private readonly o: ServiceOptions;
  private fleetVersion = 0;
  private readonly now: () => number;

  constructor(store: Store, opts: ServiceOptions) {
    this.store = store;
    this.views = new ViewTable(store, opts.derive !== 'persist');
    this.o = opts;
    this.now = opts.now ?? Date.now;
  }

  /** The worker recomputed views: remember the fleet moved on. */
  bump(): number {
    return ++this.fleetVersion;
  }

  /** Validate and answer one request. Never throws: errors come back as {ok:false}. */
  async handle(method: unknown, params: unknown): Promise<Answer<unknown>> {
    const req = parseRequest(method, params);
    if (!req.ok) return { ok: false, error: req.error, code: 'invalid' };
    try {
      return { ok: true, result: await this.call(req.method, req.params as never) };
    } catch (e) {
      if (e instanceof ContractError) return { ok: false, error: e.message, code: e.code as 'not-found' };
      return { ok: false, error: `internal error in ${req.method}: ${(e as Error).message}`, code: 'internal' };
    }
  }

  async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    const p = params as Record<string, unknown>;
    switch (method) {
      case 'fleet.get':
        return this.fleet(p.at as number | undefined) as Result<M>;
      case 'cluster.get':
        return this.cluster(p.cluster as string, p.at as number | undefined) as Result<M>;
      case 'node.get':
        return this.node(p.cluster as string, p.node as string, p.at as number | undefined) as Result<M>;
      case 'object.get':
        return this.object(p as never) as Result<M>;
      case 'object.diff':
        return this.diff(p as never) as Result<M>;
      case 'search':
        return this.search(p.q as string, (p.limit as number | undefined) ?? 50) as Result<M>;
      case 'metrics.get':
        return this.metrics(p.cluster as string, p.from as number | undefined, p.to as number | undefined) as Result<M>;
      case 'onboarding.get':
        return this.onboarding() as Result<M>;
      case 'sources.add': {
        if (!this.o.live?.addSource)
          throw new ContractError('this session does not watch kubeconfigs (it shows a cache or a snapshot)', 'forbidden');
        return (await this.o.live.addSource(p.path as string)) as Result<M>;
      }
      case 'snapshot.capture':
        return (await this.action('capture', 'capturing snapshots')(p as never)) as Result<M>;
      case 'snapshot.diff':
        return (await this.action('diff', 'comparing snapshots')(p as never)) as Result<M>;
      case 'bundle.preview':
        return (await this.action('bundlePreview', 'incident bundles')(p as never)) as Result<M>;
      case 'bundle.export':
        return (await this.action('bundleExport', 'incident bundles')(p as never)) as Result<M>;
      case 'session.open':
        return (await this.action('open', 'opening snapshots')(p as never)) as Result<M>;
    }
    throw new ContractError(`unknown method ${String(method)}`, 'invalid');
  }

  private action<K extends keyof SessionActions>(k: K, what: string): NonNullable<SessionActions[K]> {
    const f = this.o.actions?.[k];
    if (!f) throw new ContractError(`this session does not offer ${what}`, 'forbidden');
    return f.bind(this.o.actions) as NonNullable<SessionActions[K]>;
  }

  // ---------------------------------------------------------------------------------- as of T

  /** views of a cluster as of a past time, derived from the history (a few kept) */
  private readonly atViews = new Map<string, ClusterViewRow>();

  private viewAt(id: string, serverVersion: string | null | undefined, at: number): ClusterViewRow {
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

  /** The times "as of" can show: from the first recorded change to now (or the capture). */
  private historyRange(): { from: number; to: number } | null {
    const first = this.store.db.prepare('SELECT name FROM partitions ORDER BY start LIMIT 1').pluck().get() as string | undefined;
    if (!first) return null;
    const from = this.store.db.prepare(`SELECT min(at) FROM "${first}"`).pluck().get() as number | null;
    return from === null ? null : { from, to: this.now() };
  }

  /** an "as of" time within what the cache can show; undefined for the latest */
  private asOf(at: number | undefined): number | undefined {
    if (at === undefined) return undefined;
    if (at >= this.now()) return undefined;
    return at;
  }

  // ---------------------------------------------------------------------------------- fleet

  private clusterRows() {
    const rows = this.store.clusters();
    const live = this.o.live?.statuses();
    // Before the worker's first status (and in cache or snapshot mode), the cache's clusters.
    if (!live?.length)
      return rows.map((r) => ({ id: r.id, row: r as typeof r | undefined, live: undefined as ClusterStatusInfo | undefined }));
    // Live mode shows the clusters this session watches, in kubeconfig order, with what the cache has
    // (no row: nothing of it is cached yet).
    const byId = new Map(rows.map((r) => [r.id, r]));
    return live.map((s) => ({ id: s.id, row: byId.get(s.id), live: s as ClusterStatusInfo | undefined }));
  }

  /** cluster id → the kinds its credentials may not list (or only in some namespaces), in one query for the whole fleet */
  private refusedKinds(): Map<string, Refused> {
    const out = new Map<string, Refused>();
    const rows = this.store.db
      .prepare("SELECT cluster, kind, state, message FROM sync_state WHERE state IN ('forbidden', 'partial') ORDER BY cluster, kind")
      .all() as { cluster: string; kind: string; state: string; message: string | null }[];
    for (const r of rows) {
      let c = out.get(r.cluster);
      if (!c) out.set(r.cluster, (c = refused([])));
      add(c, r);
    }
    return out;
  }

  private tile(
    id: string,
    row: ReturnType<Store['clusters']>[number] | undefined,
    live: ClusterStatusInfo | undefined,
    view: ClusterTileRow | undefined,
    refusedKinds: Refused,
  ): ClusterTile {
    const s = view?.summary;
    const fig = (r: string) => ({ allocatable: s?.resources[r]?.allocatable ?? 0, requested: s?.resources[r]?.requested ?? 0 });
    let status: ClusterStatus;
    let message: string | null;
    if (live) {
      status = LIVE_STATUSES.has(live.status as ClusterStatus) ? (live.status as ClusterStatus) : 'error';
      message = live.message ?? null;
    } else {
      status = this.o.mode === 'live' ? 'connecting' : 'offline';
      message = row?.message ?? null;
    }
    return {
      id,
      context: live?.context ?? row?.context ?? id,
      file: row?.file ?? '',
      server: row?.server ?? '',
      authKind: row?.authKind ?? '',
      status,
      message,
      statusSince: row?.statusSince ?? null,
      lastContact: live?.lastContact ?? row?.lastContact ?? null,
      serverVersion: live?.serverVersion ?? row?.serverVersion ?? null,
      progress: live && live.status === 'syncing' ? { listed: live.progress.listed, total: live.progress.total } : null,
      computedAt: view?.computedAt ?? null,
      nodes: {
        total: s?.nodes.total ?? 0,
        ready: s?.nodes.ready ?? 0,
        cordoned: s?.nodes.cordoned ?? 0,
        byLevel: s?.nodes.byLevel ?? { ok: 0, warning: 0, critical: 0, unknown: 0 },
      },
      cpu: fig('cpu'),
      memory: fig('memory'),
      pods: fig('pods'),
      gpu: s ? acceleratorFigure(s) : { allocatable: 0, requested: 0 },
      pendingPods: s?.pending.pods ?? 0,
      warningEvents: s?.warningEvents ?? 0,
      storageProblems: { total: s?.storage.problems ?? 0, critical: s?.storage.critical ?? 0, warning: s?.storage.warning ?? 0 },
      forbiddenKinds: refusedKinds.forbidden,
      partialKinds: refusedKinds.partial,
      cells: view?.cells ?? [],
    };
  }

  /** A cluster's view; derived now if the cache lacks it and this service derives (not when the worker does). */
  private viewOf(id: string, serverVersion: string | null | undefined, hasObjects: boolean): ClusterViewRow | undefined {
    const existing = this.views.read(id);
    if (existing) return existing;
    return this.derive(id, serverVersion, hasObjects);
  }

  /** The same for the fleet map: the summary and cells only, without parsing the panels. */
  private tileOf(id: string, serverVersion: string | null | undefined, hasObjects: boolean): ClusterTileRow | undefined {
    const existing = this.views.readTile(id);
    if (existing) return existing;
    const v = this.derive(id, serverVersion, hasObjects);
    return v && tileRow(v);
  }

  private derive(id: string, serverVersion: string | null | undefined, hasObjects: boolean): ClusterViewRow | undefined {
    if (!hasObjects || this.o.derive === 'none') return undefined;
    return this.views.refresh(id, this.now(), serverVersion ?? undefined);
  }

  /** the last fleet answer: reused until the fleet moves on (a push), and for 1 s at most while syncing */
  private fleetCache: { version: number; at: number; dto: FleetDTO } | undefined;

  fleet(atParam?: number): FleetDTO {
    const at = this.asOf(atParam);
    if (at !== undefined) return this.computeFleet(at);
    const now = this.now();
    const c = this.fleetCache;
    if (c && c.version === this.fleetVersion && (this.o.mode !== 'live' || now - c.at < 1000)) return c.dto;
    const dto = this.computeFleet();
    this.fleetCache = { version: this.fleetVersion, at: now, dto };
    return dto;
  }

  private computeFleet(at?: number): FleetDTO {
    const refusedByCluster = this.refusedKinds();
    const clusters = this.clusterRows().map(({ id, row, live }) => {
      const sv = live?.serverVersion ?? row?.serverVersion;
      const view = at === undefined ? this.tileOf(id, sv, !!row) : row ? tileRow(this.viewAt(id, sv, at)) : undefined;
      return this.tile(id, row, live, view, refusedByCluster.get(id) ?? refused([]));
    });
    const snap = this.o.snapshot;
    return {
      version: this.fleetVersion,
      mode: this.o.mode,
      source: this.o.source,
      clusters,
      problems: this.o.live?.problems() ?? [],
      looked: this.o.live?.looked() ?? [],
      snapshot: snap
        ? {
            file: snap.file,
            capturedAt: snap.manifest.capturedAt,
            window: snap.manifest.window,
            clusters: snap.manifest.clusters.length,
            objects: snap.manifest.counts.objects,
            changes: snap.manifest.counts.changes,
            redacted: !!snap.manifest.redacted,
            app: snap.manifest.app.version,
          }
        : null,
      at: at ?? null,
      history: this.historyRange(),
    };
  }

  private clusterRow(id: string) {
    const r = this.clusterRows().find((x) => x.id === id);
    if (!r) throw new ContractError(`no cluster ${id}`, 'not-found');
    return r;
  }

  private warningEvents(cluster: string, limit: number, at?: number): EventDTO[] {
    const out: EventDTO[] = [];
    for (const r of this.store.db
      .prepare("SELECT body FROM objects WHERE cluster = ? AND kind = 'events' AND phase = 'Warning'")
      .iterate(cluster) as Iterable<{ body: string }>) {
      const e = eventDTO(JSON.parse(r.body) as KObj);
      // as of T: what had happened by then (an event's later repeats are not in its history)
      if (at !== undefined && (e.last === null || e.last > at)) continue;
      out.push(e);
    }
    return out.sort((a, b) => (b.last ?? 0) - (a.last ?? 0)).slice(0, limit);
  }

  /** Events about one object: their names start with the object's name and a dot. */
  private eventsFor(cluster: string, namespace: string, name: string, uid: string | undefined, kindName: string): EventDTO[] {
    const rows = this.store.db
      .prepare("SELECT body FROM objects WHERE cluster = ? AND kind = 'events' AND namespace = ? AND name >= ? AND name < ?")
      .all(cluster, namespace, `${name}.`, `${name}/`) as { body: string }[];
    return rows
      .map((r) => JSON.parse(r.body) as KObj)
      .filter((e) => {
        const inv = e.involvedObject ?? e.regarding ?? {};
        return inv.name === name && (!uid || !inv.uid || inv.uid === uid) && (!inv.kind || inv.kind === kindName);
      })
      .map(eventDTO)
      .sort((a, b) => (b.last ?? 0) - (a.last ?? 0))
      .slice(0, 200);
  }

  cluster(id: string, atParam?: number): ClusterDTO {
    const at = this.asOf(atParam);
    const { row, live } = this.clusterRow(id);
    const sv = live?.serverVersion ?? row?.serverVersion;
    const view = at === undefined ? this.viewOf(id, sv, !!row) : row ? this.viewAt(id, sv, at) : undefined;
    const kinds = this.store.syncStates(id);
    const tile = this.tile(id, row, live, view && tileRow(view), refused(kinds));
    const d = view?.derived;
    return {
      tile,
      nodes: d?.nodes ?? [],
      resources: Object.fromEntries(
        Object.entries(d?.summary.resources ?? {}).map(([k, v]) => [
          k,
          { capacity: v.capacity, allocatable: v.allocatable, requested: v.requested, free: v.free },
        ]),
      ),
      pending: { pods: d?.summary.pending.pods ?? 0, requests: d?.summary.pending.requests ?? {} },
      accelerators: d?.accelerators ?? {
        totals: [],
        nodes: [],
        pending: { pods: 0, requests: {} },
        pendingDraPods: 0,
        dra: {
          totals: { devices: 0, allocated: 0, inUse: 0, claims: 0, allocatedClaims: 0, reservedClaims: 0 },
          incompletePools: 0,
          devices: [],
          claims: [],
        },
      },
      storage: d?.storage ?? { drivers: [], matrix: { drivers: [], nodes: [], cells: {} }, problems: [], storageClasses: [] },
      problems: d?.problems ?? [],
      events: this.warningEvents(id, 100, at),
      kinds: kinds.map((k) => ({ kind: k.kind, state: k.state, objects: k.objects, message: k.message })),
      gaps: this.store
        .gaps(id)
        .slice(-50)
        .map((g) => ({ kind: g.kind, start: g.start, end: g.end, reason: g.reason })),
    };
  }

  // ---------------------------------------------------------------------------------- node

  private findByName(cluster: string, kind: string, namespace: string, name: string): { uid: string; body: KObj } | undefined {
    const r = this.store.db
      .prepare('SELECT uid, body FROM objects WHERE cluster = ? AND kind = ? AND namespace = ? AND name = ?')
      .get(cluster, kind, namespace, name) as { uid: string; body: string } | undefined;
    return r ? { uid: r.uid, body: JSON.parse(r.body) as KObj } : undefined;
  }

  private podRow(cluster: string, p: KObj): PodRow {
    const statuses = (p.status?.containerStatuses ?? []) as KObj[];
    return {
      cluster,
      kind: 'pods',
      uid: String(p.metadata?.uid ?? ''),
      namespace: String(p.metadata?.namespace ?? ''),
      name: String(p.metadata?.name ?? ''),
      phase: String(p.status?.phase ?? 'Unknown'),
      ready: statuses.length > 0 && statuses.every((c) => c.ready === true),
      restarts: statuses.reduce((s, c) => s + (Number(c.restartCount) || 0), 0),
      requests: podRequests(p as never),
    };
  }

  node(cluster: string, name: string, atParam?: number): NodeDTO {
    const at = this.asOf(atParam);
    const { row, live } = this.clusterRow(cluster);
    let found = this.findByName(cluster, 'nodes', '', name);
    if (found && at !== undefined) {
      const then = this.store.objectAt(cluster, 'nodes', found.uid, at);
      found = then ? { uid: found.uid, body: then } : undefined;
    } else if (!found && at !== undefined) {
      // gone since: the node as it was then, from the history
      const b = this.store.bodiesAt(cluster, 'nodes', at).find((n) => n.metadata?.name === name);
      if (b) found = { uid: String(b.metadata?.uid ?? ''), body: b };
    }
    if (!found)
      throw new ContractError(
        `no node ${name} in the cache of ${row?.context ?? cluster}${at === undefined ? '' : ` as of ${new Date(at).toISOString()}`}`,
        'not-found',
      );
    const node = found.body;
    const serverVersion = live?.serverVersion ?? row?.serverVersion ?? undefined;
    const view = at === undefined ? this.viewOf(cluster, serverVersion, true) : this.viewAt(cluster, serverVersion, at);
    const d = view?.derived;
    const nodeRow = d?.nodes.find((n) => n.name === name);
    const health = nodeHealth(node as never, { now: at ?? this.now(), ...(serverVersion ? { serverVersion } : {}) });
    const podBodies =
      at === undefined
        ? (
            this.store.db.prepare("SELECT body FROM objects WHERE cluster = ? AND kind = 'pods' AND node = ?").all(cluster, name) as {
              body: string;
            }[]
          ).map((r) => JSON.parse(r.body) as KObj)
        : this.store.bodiesAt(cluster, 'pods', at).filter((p) => p.spec?.nodeName === name);
    const pods = podBodies.map((b) => this.podRow(cluster, b));
    pods.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    const csiNode = this.findByName(cluster, 'storage.k8s.io/csinodes', '', name)?.body;
    const coverage = d?.storage.matrix.cells ?? {};
    const ctx = row?.context ?? live?.context ?? cluster;
    return {
      cluster,
      clusterContext: ctx,
      ref: { cluster, kind: 'nodes', uid: found.uid, namespace: '', name },
      row: nodeRow ?? {
        name,
        ready: health.ready === 'True',
        level: health.level,
        reasons: health.reasons,
        cordoned: health.cordoned,
        kubeletVersion: health.kubeletVersion ?? null,
        resources: {},
        accelerators: 0,
        storageProblems: 0,
        pods: pods.length,
      },
      health: { level: health.level, reasons: health.reasons, stale: health.stale, heartbeatAgeMs: health.heartbeatAgeMs ?? null },
      conditions: ((node.status?.conditions ?? []) as KObj[]).map((c) => ({
        type: String(c.type ?? ''),
        status: String(c.status ?? ''),
        reason: String(c.reason ?? ''),
        message: String(c.message ?? ''),
        lastTransition: time(c.lastTransitionTime),
      })),
      taints: ((node.spec?.taints ?? []) as KObj[]).map((t) => ({
        key: String(t.key ?? ''),
        ...(t.value !== undefined ? { value: String(t.value) } : {}),
        effect: String(t.effect ?? ''),
      })),
      info: Object.fromEntries(Object.entries((node.status?.nodeInfo ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
      labels: (node.metadata?.labels ?? {}) as Record<string, string>,
      accelerators: d?.accelerators.nodes.find((n) => n.node === name) ?? null,
      pods,
      events: this.eventsFor(cluster, 'default', name, undefined, 'Node'),
      csiDrivers: ((csiNode?.spec?.drivers ?? []) as KObj[]).map((x) => ({
        name: String(x.name ?? ''),
        nodeID: String(x.nodeID ?? ''),
        volumeLimit: typeof x.allocatable?.count === 'number' ? x.allocatable.count : null,
        coverage: coverage[String(x.name)]?.[name] ?? null,
      })),
      storageProblems: (d?.storage.problems ?? []).filter((p) => p.node === name),
      history: this.store.history(cluster, 'nodes', found.uid).map(changeDTO),
    };
  }

  // ---------------------------------------------------------------------------------- objects

  private locate(p: { cluster: string; kind: string; uid?: string; namespace?: string; name?: string; at?: number }): {
    ref: ObjectRef;
    body: KObj;
    deleted: boolean;
    history: ChangeRecord[];
  } {
    let uid = p.uid;
    let body: KObj | undefined;
    if (uid) body = this.store.object(p.cluster, p.kind, uid)?.body;
    else {
      const f = this.findByName(p.cluster, p.kind, p.namespace ?? '', p.name!);
      if (f) {
        uid = f.uid;
        body = f.body;
      }
    }
    if (!uid) throw new ContractError(`no ${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name} in the cache`, 'not-found');
    const history = this.store.history(p.cluster, p.kind, uid);
    let deleted = false;
    if (p.at !== undefined) {
      // as of T: the state then (before the first change after T), else the current one
      const next = history.find((c) => c.at > p.at!);
      const then = next ? (next.type === 'ADDED' ? undefined : (next.before ?? undefined)) : body;
      if (!then) throw new ContractError(`${p.kind} ${p.name ?? uid} did not exist as of ${new Date(p.at).toISOString()}`, 'not-found');
      body = then;
    } else if (!body) {
      // Gone from the cluster: show its last known state, from the change log.
      const last = [...history].reverse().find((c) => c.type === 'DELETED');
      if (!last?.before) throw new ContractError(`no ${p.kind} with uid ${uid} in the cache`, 'not-found');
      body = last.before;
      deleted = true;
    }
    return {
      ref: {
        cluster: p.cluster,
        kind: p.kind,
        uid,
        namespace: String(body.metadata?.namespace ?? ''),
        name: String(body.metadata?.name ?? ''),
      },
      body,
      deleted,
      history,
    };
  }

  object(p: { cluster: string; kind: string; uid?: string; namespace?: string; name?: string; at?: number }): ObjectDTO {
    const { row, live } = this.clusterRow(p.cluster);
    const at = this.asOf(p.at);
    const { ref, body, deleted, history } = this.locate({ ...p, ...(at === undefined ? {} : { at }) });
    const containers: ContainerDTO[] = [];
    if (p.kind === 'pods') {
      const statuses = new Map<string, KObj>();
      for (const s of [...((body.status?.initContainerStatuses ?? []) as KObj[]), ...((body.status?.containerStatuses ?? []) as KObj[])])
        statuses.set(String(s.name), s);
      const list = (init: boolean, cs: KObj[] | undefined) => {
        for (const c of cs ?? []) {
          const st = statuses.get(String(c.name));
          const state = st?.state ?? {};
          const stateName = Object.keys(state)[0] ?? 'unknown';
          const reason = state[stateName]?.reason;
          containers.push({
            name: String(c.name ?? ''),
            init,
            image: String(c.image ?? ''),
            ready: st?.ready === true,
            restarts: Number(st?.restartCount) || 0,
            state: reason ? `${stateName}: ${reason}` : stateName,
            requests: Object.fromEntries(Object.entries(c.resources?.requests ?? {}).map(([k, v]) => [k, String(v)])),
            limits: Object.fromEntries(Object.entries(c.resources?.limits ?? {}).map(([k, v]) => [k, String(v)])),
          });
        }
      };
      list(true, body.spec?.initContainers);
      list(false, body.spec?.containers);
    }
    const shown = asShown(p.kind, body);
    const kindName = String(shown.kind ?? '');
    const conds = (body.status?.conditions ?? []) as KObj[];
    const bad = conds.find((c) => c.status === 'False' && c.message);
    return {
      ref,
      clusterContext: row?.context ?? live?.context ?? p.cluster,
      body: shown,
      status: {
        phase: body.status?.phase ?? null,
        node: body.spec?.nodeName ?? null,
        message: body.status?.message ?? bad?.message ?? null,
      },
      containers,
      requests: p.kind === 'pods' ? podRequests(body as never) : {},
      events: this.eventsFor(p.cluster, ref.namespace || 'default', ref.name, ref.uid, kindName),
      history: history.map(changeDTO),
      deleted,
    };
  }

  /** The state right after change i of the object's history (undefined for DELETED). */
  private stateAfter(history: ChangeRecord[], i: number, current: KObj | undefined): KObj | undefined {
    if (history[i]?.type === 'DELETED') return undefined;
    const next = history[i + 1];
    return next ? (next.before ?? undefined) : current;
  }

  diff(p: { cluster: string; kind: string; uid: string; from: number | null; to: number | null }): DiffDTO {
    this.clusterRow(p.cluster);
    const history = this.store.history(p.cluster, p.kind, p.uid);
    const current = this.store.object(p.cluster, p.kind, p.uid)?.body;
    for (const i of [p.from, p.to]) {
      if (i !== null && i >= history.length)
        throw new ContractError(`the object has ${history.length} recorded changes; no change #${i}`, 'not-found');
    }
    const shown = (o: KObj | undefined) => o && asShown(p.kind, o);
    const before = shown(p.from === null ? undefined : this.stateAfter(history, p.from, current));
    const after = shown(p.to === null ? current : this.stateAfter(history, p.to, current));
    const at = (i: number | null) => (i === null ? null : (history[i]?.at ?? null));
    const rv = (o: KObj | undefined) => (o?.metadata?.resourceVersion as string | undefined) ?? null;
    let entries = objectDiff(before ?? null, after ?? null);
    if (p.kind === 'nodes') entries = withoutNoise(entries);
    return {
      from: { at: at(p.from), rv: rv(before) },
      to: { at: p.to === null ? null : at(p.to), rv: rv(after) },
      entries: entries.slice(0, 2000),
    };
  }

  // ---------------------------------------------------------------------------------- search

  search(q: string, limit: number): SearchHit[] {
    const text = q.trim();
    if (!text) return [];
    const contexts = new Map(this.store.clusters().map((c) => [c.id, c.context]));
    const hits: SearchHit[] = [];
    const kinds = SEARCH_KINDS.map(() => '?').join(', ');
    const label = /^([^=\s]+)=(.*)$/.exec(text);
    if (label) {
      // k=v: the label, as JSON inside the body (then checked on the parsed labels)
      const [, k, v] = label as unknown as [string, string, string];
      const needle = `%${likeEscape(JSON.stringify(k))}:${likeEscape(JSON.stringify(v))}%`;
      const rows = this.store.db
        .prepare(
          `SELECT cluster, kind, uid, namespace, name, node, body FROM objects WHERE kind IN (${kinds}) AND body LIKE ? ESCAPE '\\' LIMIT ?`,
        )
        .all(...SEARCH_KINDS, needle, limit * 4) as {
        cluster: string;
        kind: string;
        uid: string;
        namespace: string;
        name: string;
        node: string | null;
        body: string;
      }[];
      for (const r of rows) {
        const labels = (JSON.parse(r.body) as KObj).metadata?.labels ?? {};
        if (labels[k] !== v) continue;
        hits.push({
          cluster: r.cluster,
          kind: r.kind,
          uid: r.uid,
          namespace: r.namespace,
          name: r.name,
          node: r.node,
          clusterContext: contexts.get(r.cluster) ?? r.cluster,
          match: `${k}=${v}`,
        });
        if (hits.length >= limit) break;
      }
      return hits;
    }
    const rows = this.store.db
      .prepare(
        `SELECT cluster, kind, uid, namespace, name, node FROM objects WHERE kind IN (${kinds}) AND name LIKE ? ESCAPE '\\'
         ORDER BY (name = ?) DESC, length(name), name LIMIT ?`,
      )
      .all(...SEARCH_KINDS, `%${likeEscape(text)}%`, text, limit) as {
      cluster: string;
      kind: string;
      uid: string;
      namespace: string;
      name: string;
      node: string | null;
    }[];
    for (const r of rows) hits.push({ ...r, clusterContext: contexts.get(r.cluster) ?? r.cluster, match: 'name' });
    return hits;
  }

  metrics(cluster: string, from?: number, to?: number): SamplePoint[] {
    this.clusterRow(cluster);
    const now = this.now();
    return this.views
      .samples(cluster, from ?? now - 24 * 3600_000, to ?? now)
      .map((r) => ({ at: r.at, ...(JSON.parse(r.data) as Omit<SamplePoint, 'at'>) }));
  }

  onboarding(): Onboarding {
    return {
      looked: this.o.live?.looked() ?? [],
      entries: this.o.live?.statuses().length ?? this.store.clusters().length,
      problems: this.o.live?.problems() ?? [],
      demo: !!this.o.demoPath,
    };
  }
}

/** A cluster's kinds refused cluster-wide: not at all, or listed in some namespaces only. */
interface Refused {
  forbidden: string[];
  partial: { kind: string; namespaces: string[] }[];
}

function add(r: Refused, k: { kind: string; state: string; message: string | null }): void {
  if (k.state === 'forbidden') r.forbidden.push(k.kind);
  else if (k.state === 'partial') r.partial.push({ kind: k.kind, namespaces: parseScope(k.message) ?? [] });
}

function refused(kinds: { kind: string; state: string; message: string | null }[]): Refused {
  const r: Refused = { forbidden: [], partial: [] };
  for (const k of kinds) add(r, k);
  return r;
}
