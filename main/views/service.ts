// The contract's back end: answers every request method from the cache (read-only queries plus the
// derived views), whatever carries it (the web shell's WebSocket, the desktop app's IPC). Live cluster
// status comes from the sync worker when this session syncs; otherwise every cluster is "offline" with
// the age of its data, so cached data is never shown as live.
//
// This is the dispatch; each area answers in a module of its own (fleet.ts, cluster.ts, node.ts,
// objects.ts, search.ts, metrics.ts, changes.ts, logs.ts, actions.ts) over what they share (context.ts).
// Logs and actions reach the clusters through the connections the back end injects (live sessions
// only); `caller` says which page asks, so its streams' and runs' pushes go to it alone.
import type { Store } from '../store/store.ts';
import type { ViewTable } from './derive.ts';
import { LOCAL_CALLER, ViewContext, type Caller, type ServiceOptions, type SessionActions } from './context.ts';
import { LogStreams } from './logs.ts';
import { ClusterActions } from './actions.ts';
import { ExecApprovals } from './exec.ts';
import { KindsCatalog, objectsListDTO } from './kinds.ts';
import { SessionSettings } from './settings.ts';
import { ClusterLabelService } from './labels.ts';
import { FleetAnswers } from './fleet.ts';
import { clusterDTO } from './cluster.ts';
import { nodeDTO } from './node.ts';
import { diffDTO, objectDTO } from './objects.ts';
import { searchHits } from './search.ts';
import { onboardingDTO, samplePoints } from './metrics.ts';
import { changeDetailDTO, changeListDTO, changesOfDTO, fleetChangesDTO, timelineDTO, whatChangedDTO } from './changes.ts';
import { parseRequest } from '../../common/schemas.ts';
import {
  ContractError,
  type Answer,
  type ClusterDTO,
  type DiffDTO,
  type FleetDTO,
  type Method,
  type NodeDTO,
  type ObjectDTO,
  type Onboarding,
  type Params,
  type Result,
  type SamplePoint,
  type SearchHit,
} from '../../common/contract.ts';

export type { Caller, Connections, LiveSource, ServiceOptions, SessionActions } from './context.ts';
export { LOCAL_CALLER } from './context.ts';

export class ViewService {
  readonly store: Store;
  readonly views: ViewTable;
  private readonly ctx: ViewContext;
  private readonly fleetAnswers: FleetAnswers;
  private readonly logs: LogStreams;
  private readonly clusterActions: ClusterActions;
  private readonly execApprovals: ExecApprovals;
  private readonly settings: SessionSettings;
  private readonly labels: ClusterLabelService;
  /** per page: the clusters it shows, and the on-demand kinds it lists in them (views.focus) */
  private readonly focused = new Map<Caller, { clusters: string[]; kinds: string[] }>();
  private readonly kinds: KindsCatalog;

  constructor(store: Store, opts: ServiceOptions) {
    this.ctx = new ViewContext(store, opts);
    this.store = store;
    this.views = this.ctx.views;
    this.fleetAnswers = new FleetAnswers(this.ctx);
    this.logs = new LogStreams(this.ctx);
    this.clusterActions = new ClusterActions(this.ctx);
    this.execApprovals = new ExecApprovals(this.ctx);
    this.settings = new SessionSettings(this.ctx);
    this.kinds = new KindsCatalog(this.ctx);
    this.labels = new ClusterLabelService(this.ctx);
  }

  /** read-only mode: no actions (FleetDTO.actions is false, actions.run is refused) */
  get readOnly(): boolean {
    return this.ctx.readOnly;
  }

  /** Turn read-only mode on or off while the session runs; the fleet moves on (FleetDTO.actions). */
  setReadOnly(on: boolean): void {
    this.ctx.readOnly = on;
    this.bump();
  }

  /** A page went away (its WebSocket closed, the window reloaded or closed): its log streams stop. Returns how many. */
  release(caller: Caller): number {
    if (this.focused.delete(caller)) this.focusChanged();
    return this.logs.release(caller);
  }

  /** The clusters some page shows now. */
  focus(): string[] {
    return [...new Set([...this.focused.values()].flatMap((f) => f.clusters))].sort();
  }

  /** The on-demand kinds some page lists → the clusters it lists them in (null: every cluster). */
  focusKinds(): Record<string, string[] | null> {
    const out: Record<string, string[] | null> = {};
    for (const f of this.focused.values())
      for (const k of f.kinds) {
        const was = out[k];
        out[k] = was === null || !f.clusters.length ? null : [...new Set([...(was ?? []), ...f.clusters])].sort();
      }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }

  private setFocus(caller: Caller, clusters: string[], kinds: string[] = []): number {
    const before = JSON.stringify([this.focus(), this.focusKinds()]);
    if (clusters.length || kinds.length) this.focused.set(caller, { clusters: [...new Set(clusters)], kinds: [...new Set(kinds)] });
    else this.focused.delete(caller);
    if (JSON.stringify([this.focus(), this.focusKinds()]) !== before) this.focusChanged();
    return this.focus().length;
  }

  private focusChanged(): void {
    this.ctx.o.focus?.(this.focus(), this.focusKinds());
  }

  /** Log streams open now (of one caller, or all). */
  openStreams(caller?: Caller): number {
    return this.logs.open(caller);
  }

  /** The session ends: every log stream stops, and every action run going on. */
  close(): void {
    this.logs.close();
    this.clusterActions.close();
  }

  /** The worker recomputed views: remember the fleet moved on. */
  bump(): number {
    return ++this.ctx.fleetVersion;
  }

  /**
   * Validate and answer one request as it came (a WebSocket message, a shell's own call). Never
   * throws: errors come back as {ok:false}. Where the request is validated already, answer() it.
   */
  async handle(method: unknown, params: unknown, caller: Caller = LOCAL_CALLER): Promise<Answer<unknown>> {
    const req = parseRequest(method, params);
    if (!req.ok) return { ok: false, error: req.error, code: 'invalid' };
    return this.answer(req.method, req.params as never, caller);
  }

  /**
   * Answer one request whose params parseRequest has validated (the desktop app's IPC handler does,
   * before the service sees them): not validated again. Never throws: errors come back as {ok:false}.
   */
  async answer<M extends Method>(method: M, params: Params<M>, caller: Caller = LOCAL_CALLER): Promise<Answer<Result<M>>> {
    try {
      return { ok: true, result: await this.call(method, params, caller) };
    } catch (e) {
      if (e instanceof ContractError) return { ok: false, error: e.message, code: e.code as 'not-found' };
      return { ok: false, error: `internal error in ${method}: ${(e as Error).message}`, code: 'internal' };
    }
  }

  /** Answer one validated request; throws a ContractError when it cannot be answered. */
  async call<M extends Method>(method: M, params: Params<M>, caller: Caller = LOCAL_CALLER): Promise<Result<M>> {
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
        const live = this.ctx.o.live;
        if (!live?.addSource)
          throw new ContractError('this session does not watch kubeconfigs (it shows a cache or a snapshot)', 'forbidden');
        return (await live.addSource(p.path as string)) as Result<M>;
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
      case 'changes.timeline':
        return timelineDTO(this.ctx, p as Params<'changes.timeline'>) as Result<M>;
      case 'changes.list':
        return changeListDTO(this.ctx, p as Params<'changes.list'>) as Result<M>;
      case 'changes.get':
        return changeDetailDTO(this.ctx, p.id as number) as Result<M>;
      case 'changes.of':
        return changesOfDTO(this.ctx, p as Params<'changes.of'>) as Result<M>;
      case 'changes.whatChanged':
        return whatChangedDTO(this.ctx, p as Params<'changes.whatChanged'>) as Result<M>;
      case 'changes.fleet':
        return fleetChangesDTO(this.ctx, p as Params<'changes.fleet'>) as Result<M>;
      case 'logs.start':
        return (await this.logs.start(p as Params<'logs.start'>, caller)) as Result<M>;
      case 'logs.stop':
        return this.logs.stop(p.stream as number, caller) as Result<M>;
      case 'exec.list':
        return this.execApprovals.list() as Result<M>;
      case 'exec.approve':
        return this.execApprovals.approve(p as Params<'exec.approve'>) as Result<M>;
      case 'exec.revoke':
        return this.execApprovals.revoke(p as Params<'exec.revoke'>) as Result<M>;
      case 'settings.get':
        return this.settings.get() as Result<M>;
      case 'clusters.enable':
        return (await this.settings.enableClusters(p as Params<'clusters.enable'>)) as Result<M>;
      case 'sources.enable':
        return (await this.settings.enableSource(p as Params<'sources.enable'>)) as Result<M>;
      case 'sources.remove':
        return (await this.settings.removeSource(p as Params<'sources.remove'>)) as Result<M>;
      case 'settings.readOnly':
        return this.settings.setReadOnly(p as Params<'settings.readOnly'>) as Result<M>;
      case 'settings.retention':
        return (await this.settings.setRetention(p as Params<'settings.retention'>)) as Result<M>;
      case 'clusters.labels':
        return this.labels.get() as Result<M>;
      case 'clusters.label':
        return this.labels.label(p as Params<'clusters.label'>) as Result<M>;
      case 'clusters.favourite':
        return this.labels.favourite(p as Params<'clusters.favourite'>) as Result<M>;
      case 'views.focus':
        return { clusters: this.setFocus(caller, p.clusters as string[], p.kinds as string[] | undefined) } as Result<M>;
      case 'kinds.list':
        return (await this.kinds.list(p as Params<'kinds.list'>)) as Result<M>;
      case 'objects.list':
        return objectsListDTO(this.ctx, p as Params<'objects.list'>) as Result<M>;
      case 'actions.check':
        return (await this.clusterActions.check(p as Params<'actions.check'>)) as Result<M>;
      case 'actions.preview':
        return (await this.clusterActions.preview(p as Params<'actions.preview'>)) as Result<M>;
      case 'actions.run':
        return (await this.clusterActions.run(p as Params<'actions.run'>, caller)) as Result<M>;
    }
    throw new ContractError(`unknown method ${String(method)}`, 'invalid');
  }

  private action<K extends keyof SessionActions>(k: K, what: string): NonNullable<SessionActions[K]> {
    const actions = this.ctx.o.actions;
    const f = actions?.[k];
    if (!f) throw new ContractError(`this session does not offer ${what}`, 'forbidden');
    return f.bind(actions) as NonNullable<SessionActions[K]>;
  }

  fleet(at?: number): FleetDTO {
    return this.fleetAnswers.get(at);
  }

  cluster(id: string, at?: number): ClusterDTO {
    return clusterDTO(this.ctx, id, at);
  }

  node(cluster: string, name: string, at?: number): NodeDTO {
    return nodeDTO(this.ctx, cluster, name, at);
  }

  object(p: { cluster: string; kind: string; uid?: string; namespace?: string; name?: string; at?: number }): ObjectDTO {
    return objectDTO(this.ctx, p);
  }

  diff(p: { cluster: string; kind: string; uid: string; from: number | null; to: number | null }): DiffDTO {
    return diffDTO(this.ctx, p);
  }

  search(q: string, limit: number): SearchHit[] {
    return searchHits(this.ctx, q, limit);
  }

  metrics(cluster: string, from?: number, to?: number): SamplePoint[] {
    return samplePoints(this.ctx, cluster, from, to);
  }

  onboarding(): Onboarding {
    return onboardingDTO(this.ctx);
  }
}
