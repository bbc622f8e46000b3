// The sync engine: one ClusterSync per cluster entry, one Reflector per served kind. Writes go to
// the Store (this code runs in the sync worker, never on the UI's main thread).
import { setTimeout as sleep } from 'node:timers/promises';
import { entryFingerprint, safeUrl, type ContextEntry } from '../fleet/kubeconfig.ts';
import { Connection, ConnectionError, statusOfError, type ConnectionDeps } from './connection.ts';
import { Reflector, type ReflectorMode, type ReflectorState } from './reflector.ts';
import {
  ALWAYS_LIVE,
  CATALOGUE,
  discoverResources,
  discoverServed,
  servedKinds,
  type DiscoveredKind,
  type ServedKind,
} from './resources.ts';
import { MAX_WATCHED_NAMESPACES, namespacesFor, pickNamespaces, reviewNamespaces, scopeMessage, type NamespaceRules } from './access.ts';
import type { StoreSink, SyncOp } from './sink.ts';
import { Backoff, type BackoffPolicy } from './backoff.ts';
import type { ClusterStatus as ContractClusterStatus } from '../../common/contract.ts';

/** Connecting and discovering a cluster: 2 s, 4 s, ... up to a minute (each jittered). */
const CONNECT_BACKOFF: BackoffPolicy = { minMs: 2000, maxMs: 60_000 };

/** A cluster's status as the sync sees it: the contract's, but for 'offline' (a session that does not sync at all). */
export type ClusterStatus = Exclude<ContractClusterStatus, 'offline'>;

export interface ClusterStatusInfo {
  id: string;
  context: string;
  status: ClusterStatus;
  message?: string;
  serverVersion?: string;
  /** kinds listed at least once / kinds watched */
  progress: { listed: number; total: number };
  lastContact?: number;
  kinds: Record<string, ReflectorState>;
}

/**
 * The state of a kind watched namespace by namespace, from its cluster-wide reflector's state and its
 * namespaces' (pure; exported for tests). 'partial': listed and watched in the namespaces we may read.
 */
export function scopedKindState(
  parent: ReflectorState,
  children: ReflectorState[],
  anyListed: boolean,
  narrowing: boolean,
): ReflectorState {
  if (parent === 'watching' || parent === 'stopped') return parent; // the cluster-wide list works (again), or the end
  if (!children.length) return parent === 'forbidden' && narrowing ? 'listing' : parent;
  const auth = children.find((c) => c === 'unauthorized' || c === 'needs-approval');
  if (auth) return auth;
  if (children.some((c) => c === 'backoff')) return 'backoff';
  if (anyListed) return 'partial';
  if (children.some((c) => c === 'pending' || c === 'listing')) return 'listing';
  return 'forbidden';
}

/** A kind whose cluster-wide list is refused, watched in the namespaces where we may list it. */
interface ScopedKind {
  abort: AbortController;
  reflectors: Map<string, { r: Reflector; abort: AbortController }>;
  states: Map<string, ReflectorState>;
  listed: Set<string>;
}

/** Terminal for a one-shot sync: nothing more will happen without the user or the network. */
export const SETTLED: ClusterStatus[] = ['live', 'unreachable', 'unauthorized', 'needs-approval', 'error', 'stale', 'off'];

export interface SyncOptions {
  /** called (throttled by the caller) whenever a cluster's status or progress changes */
  onStatus?: (s: ClusterStatusInfo) => void;
  reflector?: ConstructorParameters<typeof Reflector>[4];
  /**
   * A fleet of at most this many clusters watches every kind of every cluster; a larger one watches
   * the kinds outside ALWAYS_LIVE only in the clusters a view shows (FleetSync.setFocus), and lists
   * them every pollMs elsewhere. Default 20.
   */
  allLiveUpTo?: number;
}

export const ALL_LIVE_UP_TO = 20;

export class ClusterSync {
  readonly entry: ContextEntry;
  private readonly store: StoreSink;
  private readonly deps: ConnectionDeps;
  private readonly opts: SyncOptions;
  private readonly abort = new AbortController();
  private conn: Connection | undefined;
  private readonly reflectors = new Map<string, Reflector>();
  private readonly listed = new Set<string>();
  /** per kind: what the UI is told (a scoped kind's aggregate) */
  private readonly kindStates: Record<string, ReflectorState> = {};
  /** per kind: its cluster-wide reflector's own state */
  private readonly ownStates: Record<string, ReflectorState> = {};
  private readonly scoped = new Map<string, ScopedKind>();
  /** kinds whose namespaces are being worked out */
  private readonly narrowing = new Set<string>();
  private review: { at: number; rules: Promise<NamespaceRules> } | undefined;
  /** kinds allowed in more namespaces than are watched → in how many */
  private readonly capped = new Map<string, number>();
  /** namespaces' reflectors still running (stop() waits for their last writes) */
  private readonly childRuns = new Set<Promise<void>>();
  /** kinds outside the catalogue watched while a page shows them (views.focus kinds) → their reflector */
  private readonly demand = new Map<string, { r: Reflector; abort: AbortController }>();
  /** every kind ever watched on demand here (its reflector's states are its own, not the cluster's) */
  private readonly demandKeys = new Set<string>();
  /** the on-demand kinds the pages want now */
  private wanted: string[] = [];
  /** the server's every kind (discovery), refreshed when a wanted kind is not among them */
  private discovered: { at: number; kinds: Promise<DiscoveredKind[]> } | undefined;
  private lastContactWrite = 0;
  /** set once every kind was listed: later disconnects make the cluster stale, not unreachable */
  private everLive = false;
  info: ClusterStatusInfo;
  private running: Promise<void> | undefined;
  /** how the kinds outside ALWAYS_LIVE are kept: watched, or listed every few minutes */
  private detail: ReflectorMode = 'watch';
  /** turned off (why): this ClusterSync never connects; it only says 'off' */
  readonly off: string | undefined;
  readonly createdAt = Date.now();

  /**
   * `off`: the cluster is turned off (the reason); `was`: what the cluster's sync said when it was
   * stopped (its last contact and its kinds, now 'stopped'), kept so its tile and kinds say how old
   * the cached data is.
   */
  constructor(entry: ContextEntry, store: StoreSink, deps: ConnectionDeps, opts: SyncOptions = {}, off?: string, was?: ClusterStatusInfo) {
    this.entry = entry;
    this.store = store;
    this.deps = deps;
    this.opts = opts;
    this.off = off;
    this.info = { id: entry.id, context: entry.context, status: 'connecting', progress: { listed: 0, total: 0 }, kinds: this.kindStates };
    if (was) {
      if (was.lastContact !== undefined) this.info.lastContact = was.lastContact;
      if (was.serverVersion !== undefined) this.info.serverVersion = was.serverVersion;
      Object.assign(this.kindStates, was.kinds);
    }
  }

  /** The connection's open sessions and streams (none once stopped or off): diagnostics and tests. */
  transport(): { sessions: number; streams: number } {
    const t = this.conn?.transport();
    return { sessions: t?.sessions ?? 0, streams: t?.streams ?? 0 };
  }

  private setStatus(status: ClusterStatus, message?: string): void {
    const changed = status !== this.info.status || message !== this.info.message;
    this.info.status = status;
    if (message) this.info.message = message;
    else delete this.info.message;
    if (!changed) return;
    this.writeCluster();
    this.opts.onStatus?.(this.info);
  }

  private writeCluster(): void {
    const e = this.entry;
    void this.store.write([
      {
        op: 'cluster',
        row: {
          id: e.id,
          context: e.context,
          file: e.file,
          source: e.source,
          // no user:password@ in the cache (nor in snapshots and bundles made from it)
          server: e.cluster?.server ? safeUrl(e.cluster.server) : '',
          authKind: e.authKind,
          status: this.info.status,
          message: this.info.message ?? null,
          serverVersion: this.info.serverVersion ?? null,
          lastContact: this.info.lastContact ?? null,
          at: Date.now(),
        },
      },
    ]);
  }

  private contact(at: number): void {
    this.info.lastContact = at;
    if (at - this.lastContactWrite > 5000) {
      this.lastContactWrite = at;
      this.writeCluster();
    }
  }

  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  /** Watch the kinds outside ALWAYS_LIVE ('watch'), or list them every few minutes ('poll'). */
  setDetail(mode: ReflectorMode): void {
    if (mode === this.detail) return;
    this.detail = mode;
    for (const r of this.reflectors.values()) if (!ALWAYS_LIVE.has(r.kind.key)) r.setMode(mode);
  }

  get detailMode(): ReflectorMode {
    return this.detail;
  }

  /**
   * The kinds outside the catalogue a page shows in this cluster (views.focus kinds): each one it serves
   * is listed and watched into the cache by a Reflector of its own while wanted; when no page wants it
   * any more its watch stops (state 'stopped': its cached objects stay, as of then).
   */
  setOnDemand(keys: readonly string[]): void {
    const next = [...new Set(keys)].sort();
    if (next.join('\n') === this.wanted.join('\n')) return;
    this.wanted = next;
    void this.applyDemand();
  }

  /** The kinds watched on demand now (tests, diagnostics). */
  onDemand(): string[] {
    return [...this.demand.keys()].sort();
  }

  private async applyDemand(): Promise<void> {
    for (const [key, d] of this.demand) {
      if (this.wanted.includes(key)) continue;
      d.abort.abort();
      this.demand.delete(key);
    }
    // (the catalogue's kinds are the catalogue's: synced whatever is shown, or not served)
    const need = () => this.wanted.filter((k) => !this.demand.has(k) && !this.reflectors.has(k) && !CATALOGUE.some((c) => c.key === k));
    // (before the catalogue's reflectors start, run() applies them again)
    if (!need().length || !this.conn || !this.reflectors.size || this.off !== undefined || this.abort.signal.aborted) return;
    let kinds: DiscoveredKind[];
    try {
      const stale = !this.discovered || Date.now() - this.discovered.at > 5000;
      if (stale) this.discovered = { at: Date.now(), kinds: discoverResources(this.conn) };
      kinds = await this.discovered!.kinds;
    } catch {
      this.discovered = undefined;
      this.retryDemand();
      return;
    }
    if (this.abort.signal.aborted) return;
    const now = Date.now();
    let missing = false;
    for (const key of need()) {
      const k = kinds.find((x) => x.key === key);
      if (!k) {
        missing = true;
        void this.store.write([
          { op: 'state', cluster: this.entry.id, kind: key, state: 'unavailable', message: 'not served by this cluster', at: now },
        ]);
        continue;
      }
      const abort = new AbortController();
      const r = this.reflector(k, undefined, 'watch');
      this.demand.set(key, { r, abort });
      this.demandKeys.add(key);
      const run = r.run(AbortSignal.any([this.abort.signal, abort.signal]));
      this.childRuns.add(run);
      void run.finally(() => this.childRuns.delete(run));
    }
    // not served (yet: a CRD being installed), or discovery failed: asked again while still wanted
    if (missing) this.retryDemand();
  }

  private demandRetry: NodeJS.Timeout | undefined;

  private retryDemand(): void {
    if (this.demandRetry || this.abort.signal.aborted) return;
    this.demandRetry = setTimeout(() => {
      this.demandRetry = undefined;
      if (!this.abort.signal.aborted) void this.applyDemand();
    }, 15_000);
    this.demandRetry.unref();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    if (this.off !== undefined) {
      // No connection, no request: the cache keeps what it had, and the status says it is off.
      this.setStatus('off', this.off);
      return;
    }
    if (this.entry.error) {
      this.setStatus('error', this.entry.error);
      return;
    }
    try {
      this.conn = new Connection(this.entry, this.deps);
    } catch (e) {
      this.setStatus('error', (e as Error).message);
      return;
    }
    this.writeCluster();
    const backoff = new Backoff(CONNECT_BACKOFF);
    let kinds: ServedKind[] = [];
    // Connect and discover, with backoff; the cluster's status says why it is not there yet.
    while (!signal.aborted) {
      const pending = this.conn.pendingApproval();
      if (pending) {
        this.setStatus('needs-approval', `exec plugin needs approval: ${[pending.command, ...pending.args].join(' ')}`);
        await sleep(5000, undefined, { signal }).catch(() => {});
        continue;
      }
      try {
        const v = await this.conn.getJSON<{ gitVersion?: string }>('/version', 15_000);
        if (v.gitVersion) this.info.serverVersion = v.gitVersion;
        const found = servedKinds(await discoverServed(this.conn));
        kinds = found.kinds;
        const now = Date.now();
        const ops: SyncOp[] = found.missing.map((m) => ({
          op: 'state',
          cluster: this.entry.id,
          kind: m.key,
          state: 'unavailable',
          message: 'not served by this cluster',
          at: now,
        }));
        void this.store.write(ops);
        this.contact(now);
        break;
      } catch (e) {
        const ce = e instanceof ConnectionError ? e : new ConnectionError('unreachable', (e as Error).message);
        // A cluster whose /version or discovery is forbidden to us is, for the whole cluster, unauthorized.
        const st0 = statusOfError(ce.kind);
        const st: ClusterStatus = st0 === 'forbidden' ? 'unauthorized' : st0;
        this.setStatus(st, ce.message);
        await sleep(backoff.fail(), undefined, { signal }).catch(() => {});
      }
    }
    if (signal.aborted) return;
    this.info.progress = { listed: 0, total: kinds.length };
    this.setStatus('syncing', `listing 0/${kinds.length} kinds`);
    // After a restart (or kill -9) every kind is listed again, as client-go does: the store skips
    // objects whose resourceVersion it already has and records what vanished meanwhile as deleted.
    const runs: Promise<void>[] = [];
    for (const k of kinds) {
      const r = this.reflector(k);
      this.reflectors.set(k.key, r);
      runs.push(r.run(signal));
    }
    void this.applyDemand();
    await Promise.all(runs);
  }

  /** A kind's reflector: cluster-wide, or in one namespace. */
  private reflector(k: ServedKind, namespace?: string, fixed?: ReflectorMode): Reflector {
    // A namespace's reflector (a kind refused cluster-wide) always watches: there are few of them.
    const mode: ReflectorMode = fixed ?? (namespace === undefined && !ALWAYS_LIVE.has(k.key) ? this.detail : 'watch');
    const ropts = { ...(this.opts.reflector ?? {}), mode, ...(namespace !== undefined ? { namespace } : {}) };
    return new Reflector(
      this.entry.id,
      this.conn!,
      k,
      {
        write: (ops) => this.store.write(ops),
        progress: (kind, rv2, at) => {
          this.store.touch(this.entry.id, kind, rv2, at);
          this.contact(at);
        },
        state: (id, state, info) => this.onReflector(id, state, info),
      },
      ropts,
    );
  }

  private onReflector(id: string, state: ReflectorState, info: { message?: string; listed?: boolean; contact?: boolean }): void {
    const at = id.indexOf('@'); // kind keys have no '@'; a namespace's reflector is "kind@namespace"
    const kind = at < 0 ? id : id.slice(0, at);
    if (at < 0 && this.demandKeys.has(kind)) {
      // a kind watched on demand: its state is its own (the cluster's status is the catalogue's)
      this.kindStates[kind] = state;
      if (info.contact) this.contact(Date.now());
      this.opts.onStatus?.(this.info);
      return;
    }
    const sc = this.scoped.get(kind);
    if (at >= 0) {
      if (!sc) return; // a namespace's reflector stopping after its kind was widened again
      const ns = id.slice(at + 1);
      if (!sc.reflectors.has(ns)) return;
      sc.states.set(ns, state);
      if (info.listed) sc.listed.add(ns);
    } else {
      this.ownStates[kind] = state;
      if (info.listed) this.listed.add(kind);
      const served = this.reflectors.get(kind)?.kind;
      if (state === 'forbidden' && served?.namespaced) void this.narrow(served);
      if (state === 'watching' && sc) this.widen(kind);
    }
    if (info.contact) this.contact(Date.now());
    this.updateKind(kind, at < 0 ? info.message : undefined);
    this.updateStatus(info.message);
  }

  /** The state of a kind from its reflectors; a scoped kind's is written to the store here. */
  private updateKind(kind: string, message: string | undefined): void {
    const sc = this.scoped.get(kind);
    const own = this.ownStates[kind] ?? 'pending';
    if (!sc) {
      this.kindStates[kind] = scopedKindState(own, [], false, this.narrowing.has(kind));
      return;
    }
    const state = scopedKindState(own, [...sc.states.values()], sc.listed.size > 0, this.narrowing.has(kind));
    this.kindStates[kind] = state;
    if (state === 'watching') return; // the cluster-wide reflector writes its own state again
    if (state === 'partial') this.listed.add(kind);
    const namespaces = [...sc.listed].filter((ns) => sc.reflectors.has(ns)).sort();
    // After the cluster-wide reflector's own write (its retries write 'listing', then 'forbidden').
    void this.store.write([
      {
        op: 'state',
        cluster: this.entry.id,
        kind,
        state,
        message: state === 'partial' ? scopeMessage(namespaces) : (message ?? null),
        ...(state === 'partial' ? { listedAt: Date.now() } : {}),
        at: Date.now(),
      },
    ]);
  }

  /**
   * Rules reviewed per namespace, shared by the kinds refused at about the same time (the cluster-wide
   * retries of every refused kind come together): at most once a minute, or per half a retry interval.
   */
  private reviewed(): Promise<NamespaceRules> {
    const ttl = Math.min(60_000, (this.opts.reflector?.refusedRetryMs ?? 10 * 60_000) / 2);
    if (!this.review || Date.now() - this.review.at > ttl) {
      this.review = { at: Date.now(), rules: reviewNamespaces(this.conn!, this.entry.namespace, this.abort.signal) };
    }
    return this.review.rules;
  }

  /**
   * A namespaced kind refused cluster-wide: watch it in each namespace whose rules allow list and watch
   * (again at each retry of the cluster-wide list: namespaces and RoleBindings come and go).
   */
  private async narrow(kind: ServedKind): Promise<void> {
    if (this.narrowing.has(kind.key) || !this.conn) return;
    this.narrowing.add(kind.key);
    try {
      const allowed = namespacesFor(await this.reviewed(), kind);
      if (this.abort.signal.aborted || this.ownStates[kind.key] === 'watching') return;
      const want = pickNamespaces(allowed, this.entry.namespace || 'default');
      if (want.length < allowed.length) this.capped.set(kind.key, allowed.length);
      else this.capped.delete(kind.key);
      let sc = this.scoped.get(kind.key);
      if (!sc && !want.length) return; // not in any namespace either: stays "not permitted"
      if (!sc) {
        sc = { abort: new AbortController(), reflectors: new Map(), states: new Map(), listed: new Set() };
        this.scoped.set(kind.key, sc);
      }
      for (const [ns, child] of sc.reflectors) {
        if (want.includes(ns)) continue;
        // No longer readable there: stop.
        child.abort.abort();
        sc.reflectors.delete(ns);
        sc.states.delete(ns);
        sc.listed.delete(ns);
        const now = Date.now();
        void this.store.write([
          { op: 'gap', cluster: this.entry.id, kind: kind.key, start: now, end: now, reason: `no longer permitted in namespace ${ns}` },
        ]);
      }
      // What the cache holds of this kind outside those namespaces would never change again (a namespace
      // no longer readable, or objects cached before a restart with other rights): it goes.
      void this.store.write([{ op: 'prune', cluster: this.entry.id, kind: kind.key, seen: new Set(), at: Date.now(), outside: want }]);
      for (const ns of want) {
        if (sc.reflectors.has(ns)) continue;
        const abort = new AbortController();
        const r = this.reflector(kind, ns);
        sc.reflectors.set(ns, { r, abort });
        sc.states.set(ns, 'pending');
        const run = r.run(AbortSignal.any([this.abort.signal, sc.abort.signal, abort.signal]));
        this.childRuns.add(run);
        void run.finally(() => this.childRuns.delete(run));
      }
    } finally {
      this.narrowing.delete(kind.key);
      this.updateKind(kind.key, undefined);
      this.updateStatus(undefined);
    }
  }

  /** The cluster-wide list works again: the namespaces' reflectors stop. */
  private widen(kind: string): void {
    this.scoped.get(kind)?.abort.abort();
    this.scoped.delete(kind);
    this.capped.delete(kind);
  }

  private updateStatus(message: string | undefined): void {
    const total = this.reflectors.size || this.info.progress.total;
    const settled = (s: ReflectorState | undefined) =>
      s === 'watching' || s === 'polled' || s === 'partial' || s === 'forbidden' || s === 'unavailable';
    this.info.progress = { listed: this.listed.size, total };
    const states = Object.values(this.kindStates);
    const down = states.filter((s) => s === 'backoff');
    const unauthorized = states.find((s) => s === 'unauthorized' || s === 'needs-approval');
    if (unauthorized) {
      this.setStatus(unauthorized === 'needs-approval' ? 'needs-approval' : 'unauthorized', message);
    } else if (down.length) {
      // Data is no longer live: stale if we had it, unreachable if we never got it.
      const age = this.info.lastContact ? Math.round((Date.now() - this.info.lastContact) / 1000) : undefined;
      this.setStatus(
        this.everLive ? 'stale' : 'unreachable',
        `${down.length} of ${total} watches down${age !== undefined ? ` (last contact ${age} s ago)` : ''}: ${message ?? ''}`,
      );
    } else if (
      this.reflectors.size &&
      [...this.reflectors.keys()].every(
        (k) =>
          settled(this.kindStates[k]) && (this.listed.has(k) || (this.kindStates[k] !== 'watching' && this.kindStates[k] !== 'polled')),
      )
    ) {
      this.everLive = true;
      const keys = [...this.reflectors.keys()];
      const refused = keys.filter((k) => this.kindStates[k] === 'forbidden');
      const partial = keys.filter((k) => this.kindStates[k] === 'partial');
      const parts = [
        refused.length ? `not permitted: ${refused.join(', ')}` : '',
        partial.length ? `only in the namespaces these credentials may read: ${partial.join(', ')}` : '',
        this.capped.size
          ? `watched in the first ${MAX_WATCHED_NAMESPACES} namespaces only: ${[...this.capped].map(([k, n]) => `${k} (of ${n})`).join(', ')}`
          : '',
      ].filter(Boolean);
      this.setStatus('live', parts.length ? parts.join('; ') : undefined);
    } else {
      this.setStatus(this.everLive ? 'stale' : 'syncing', `listing ${this.info.progress.listed}/${total} kinds`);
      this.opts.onStatus?.(this.info);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.demandRetry);
    await this.running?.catch(() => {});
    await Promise.all([...this.childRuns]);
    this.conn?.close();
  }
}

/** All clusters of a set of entries. */
export class FleetSync {
  readonly clusters = new Map<string, ClusterSync>();
  private readonly store: StoreSink;
  private readonly deps: ConnectionDeps;
  private readonly opts: SyncOptions;
  private readonly listeners = new Set<(s: ClusterStatusInfo) => void>();
  /** clusters a view shows (their every kind is watched) */
  private focus = new Set<string>();
  /** clusters turned off → why (Settings) */
  private off = new Map<string, string>();
  /** kinds outside the catalogue a page shows → the clusters it shows them in (null: every cluster) */
  private focusKinds: Record<string, string[] | null> = {};

  constructor(store: StoreSink, deps: ConnectionDeps, opts: SyncOptions = {}) {
    this.store = store;
    this.deps = deps;
    this.opts = opts;
  }

  /** The clusters the views show now: their every kind is watched, in a fleet of any size. */
  setFocus(ids: Iterable<string>, kinds: Record<string, string[] | null> = {}): void {
    this.focus = new Set(ids);
    this.focusKinds = kinds;
    this.applyDetail();
  }

  /** A small fleet, or a cluster in view: every kind watched; otherwise the detail kinds are polled. */
  private detailFor(id: string): ReflectorMode {
    return this.clusters.size <= (this.opts.allLiveUpTo ?? ALL_LIVE_UP_TO) || this.focus.has(id) ? 'watch' : 'poll';
  }

  private applyDetail(): void {
    for (const [id, cs] of this.clusters) {
      cs.setDetail(this.detailFor(id));
      cs.setOnDemand(Object.keys(this.focusKinds).filter((k) => this.focusKinds[k] === null || this.focusKinds[k]!.includes(id)));
    }
  }

  onStatus(fn: (s: ClusterStatusInfo) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Start (or keep) a ClusterSync per entry; stop those whose entry went away. Duplicates are skipped.
   * `off`: the clusters turned off (id → why): their reflectors stop (their watches close) and they
   * stay in the fleet as 'off'; a cluster turned on again starts over (listing what changed meanwhile).
   */
  async setEntries(entries: (ContextEntry & { duplicateOf?: string })[], off: ReadonlyMap<string, string> = this.off): Promise<void> {
    this.off = new Map(off);
    const want = new Map(entries.filter((e) => !e.duplicateOf).map((e) => [e.id, e]));
    const was = new Map<string, ClusterStatusInfo>();
    const stopping: Promise<void>[] = [];
    for (const [id, cs] of this.clusters) {
      const next = want.get(id);
      // Gone, or changed (new server, rotated credentials, fixed error), or turned off or on: start over.
      if (!next || entryFingerprint(next) !== entryFingerprint(cs.entry) || (cs.off !== undefined) !== this.off.has(id)) {
        if (cs.off !== undefined && next && !this.off.has(id)) {
          // Turned on again: what happened while it was off was not recorded (the relist brings the
          // state as of now), so the history says so, from its last contact.
          const now = Date.now();
          void this.store.write([
            {
              op: 'gap',
              cluster: id,
              start: Math.min(cs.info.lastContact ?? cs.createdAt, now),
              end: now,
              reason: 'turned off in Settings: changes meanwhile were not recorded',
            },
          ]);
        }
        this.clusters.delete(id);
        stopping.push(cs.stop());
        was.set(id, cs.info);
      } else if (cs.off !== undefined && cs.off !== this.off.get(id)) {
        // off for another reason (its source, not itself): the same placeholder, another message
        this.clusters.set(id, this.clusterSync(next, this.off.get(id), cs.info));
      }
    }
    await Promise.all(stopping);
    for (const [id, e] of want) {
      if (this.clusters.has(id)) continue;
      const prev = was.get(id);
      this.clusters.set(id, this.clusterSync(e, this.off.get(id), this.off.has(id) ? prev : undefined));
    }
    // Before the new clusters start: their reflectors begin in the mode the fleet's size asks for.
    this.applyDetail();
    for (const cs of this.clusters.values()) void cs.start();
  }

  private clusterSync(e: ContextEntry, off: string | undefined, was: ClusterStatusInfo | undefined): ClusterSync {
    const opts: SyncOptions = {
      ...this.opts,
      onStatus: (s) => {
        this.opts.onStatus?.(s);
        for (const l of this.listeners) l(s);
      },
    };
    return new ClusterSync(e, this.store, this.deps, opts, off, was);
  }

  statuses(): ClusterStatusInfo[] {
    return [...this.clusters.values()].map((c) => c.info);
  }

  /** Resolves when every cluster is live or has failed in a way only the user or the network can fix. */
  async settled(timeoutMs: number): Promise<ClusterStatusInfo[]> {
    const deadline = Date.now() + timeoutMs;
    const done = () => this.statuses().every((s) => SETTLED.includes(s.status));
    while (!done() && Date.now() < deadline) await sleep(100);
    return this.statuses();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.clusters.values()].map((c) => c.stop()));
  }
}
