// The sync engine: one ClusterSync per cluster entry, one Reflector per served kind. Writes go to
// the Store (this code runs in the sync worker, never on the UI's main thread).
import { setTimeout as sleep } from 'node:timers/promises';
import { safeUrl, type ContextEntry } from '../fleet/kubeconfig.ts';
import { Connection, ConnectionError, statusOfError, type ConnectionDeps } from './connection.ts';
import { Reflector, type ReflectorState } from './reflector.ts';
import { discoverServed, servedKinds, type ServedKind } from './resources.ts';
import type { WriteOp } from '../store/store.ts';
import type { StoreSink } from '../store/writer.ts';

export type ClusterStatus = 'connecting' | 'syncing' | 'live' | 'stale' | 'unreachable' | 'unauthorized' | 'needs-approval' | 'error';

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

/** Terminal for a one-shot sync: nothing more will happen without the user or the network. */
export const SETTLED: ClusterStatus[] = ['live', 'unreachable', 'unauthorized', 'needs-approval', 'error', 'stale'];

export interface SyncOptions {
  /** called (throttled by the caller) whenever a cluster's status or progress changes */
  onStatus?: (s: ClusterStatusInfo) => void;
  reflector?: ConstructorParameters<typeof Reflector>[4];
}

export class ClusterSync {
  readonly entry: ContextEntry;
  private readonly store: StoreSink;
  private readonly deps: ConnectionDeps;
  private readonly opts: SyncOptions;
  private readonly abort = new AbortController();
  private conn: Connection | undefined;
  private readonly reflectors = new Map<string, Reflector>();
  private readonly listed = new Set<string>();
  private readonly kindStates: Record<string, ReflectorState> = {};
  private lastContactWrite = 0;
  /** set once every kind was listed: later disconnects make the cluster stale, not unreachable */
  private everLive = false;
  info: ClusterStatusInfo;
  private running: Promise<void> | undefined;

  constructor(entry: ContextEntry, store: StoreSink, deps: ConnectionDeps, opts: SyncOptions = {}) {
    this.entry = entry;
    this.store = store;
    this.deps = deps;
    this.opts = opts;
    this.info = { id: entry.id, context: entry.context, status: 'connecting', progress: { listed: 0, total: 0 }, kinds: this.kindStates };
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

  private async run(): Promise<void> {
    const signal = this.abort.signal;
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
    let attempt = 0;
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
        const ops: WriteOp[] = found.missing.map((m) => ({
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
        attempt++;
        const wait = Math.min(60_000, 1000 * 2 ** Math.min(attempt, 6));
        await sleep(wait / 2 + Math.random() * (wait / 2), undefined, { signal }).catch(() => {});
      }
    }
    if (signal.aborted) return;
    this.info.progress = { listed: 0, total: kinds.length };
    this.setStatus('syncing', `listing 0/${kinds.length} kinds`);
    // After a restart (or kill -9) every kind is listed again, as client-go does: the store skips
    // objects whose resourceVersion it already has and records what vanished meanwhile as deleted.
    const runs: Promise<void>[] = [];
    for (const k of kinds) {
      const ropts = { ...(this.opts.reflector ?? {}) };
      const r = new Reflector(
        this.entry.id,
        this.conn,
        k,
        {
          write: (ops) => this.store.write(ops),
          progress: (kind, rv2, at) => {
            this.store.touch(this.entry.id, kind, rv2, at);
            this.contact(at);
          },
          state: (kind, state, info) => this.onReflector(kind, state, info),
        },
        ropts,
      );
      this.reflectors.set(k.key, r);
      runs.push(r.run(signal));
    }
    await Promise.all(runs);
  }

  private onReflector(kind: string, state: ReflectorState, info: { message?: string; listed?: boolean; contact?: boolean }): void {
    this.kindStates[kind] = state;
    if (info.listed) this.listed.add(kind);
    if (info.contact) this.contact(Date.now());
    const total = this.reflectors.size || this.info.progress.total;
    const settled = (s: ReflectorState | undefined) => s === 'watching' || s === 'forbidden' || s === 'unavailable';
    this.info.progress = { listed: this.listed.size, total };
    const states = Object.values(this.kindStates);
    const down = states.filter((s) => s === 'backoff');
    const unauthorized = states.find((s) => s === 'unauthorized' || s === 'needs-approval');
    if (unauthorized) {
      this.setStatus(unauthorized === 'needs-approval' ? 'needs-approval' : 'unauthorized', info.message);
    } else if (down.length) {
      // Data is no longer live: stale if we had it, unreachable if we never got it.
      const age = this.info.lastContact ? Math.round((Date.now() - this.info.lastContact) / 1000) : undefined;
      this.setStatus(
        this.everLive ? 'stale' : 'unreachable',
        `${down.length} of ${total} watches down${age !== undefined ? ` (last contact ${age} s ago)` : ''}: ${info.message ?? ''}`,
      );
    } else if (
      this.reflectors.size &&
      [...this.reflectors.keys()].every((k) => settled(this.kindStates[k]) && (this.listed.has(k) || this.kindStates[k] !== 'watching'))
    ) {
      this.everLive = true;
      const refused = [...this.reflectors.keys()].filter((k) => this.kindStates[k] === 'forbidden');
      this.setStatus('live', refused.length ? `not permitted: ${refused.join(', ')}` : undefined);
    } else {
      this.setStatus(this.everLive ? 'stale' : 'syncing', `listing ${this.info.progress.listed}/${total} kinds`);
      this.opts.onStatus?.(this.info);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => {});
    this.conn?.close();
  }
}

function entryFingerprint(e: ContextEntry): string {
  return JSON.stringify([e.identity, e.cluster, e.error, e.user?.tokenFile, e.user?.certFile, e.user?.keyFile]);
}

/** All clusters of a set of entries. */
export class FleetSync {
  readonly clusters = new Map<string, ClusterSync>();
  private readonly store: StoreSink;
  private readonly deps: ConnectionDeps;
  private readonly opts: SyncOptions;
  private readonly listeners = new Set<(s: ClusterStatusInfo) => void>();

  constructor(store: StoreSink, deps: ConnectionDeps, opts: SyncOptions = {}) {
    this.store = store;
    this.deps = deps;
    this.opts = opts;
  }

  onStatus(fn: (s: ClusterStatusInfo) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Start (or keep) a ClusterSync per entry; stop those whose entry went away. Duplicates are skipped. */
  async setEntries(entries: (ContextEntry & { duplicateOf?: string })[]): Promise<void> {
    const want = new Map(entries.filter((e) => !e.duplicateOf).map((e) => [e.id, e]));
    for (const [id, cs] of this.clusters) {
      const next = want.get(id);
      // Gone, or changed (new server, rotated credentials, fixed error): start over with the new entry.
      if (!next || entryFingerprint(next) !== entryFingerprint(cs.entry)) {
        this.clusters.delete(id);
        await cs.stop();
      }
    }
    for (const [id, e] of want) {
      if (this.clusters.has(id)) continue;
      const cs = new ClusterSync(e, this.store, this.deps, {
        ...this.opts,
        onStatus: (s) => {
          this.opts.onStatus?.(s);
          for (const l of this.listeners) l(s);
        },
      });
      this.clusters.set(id, cs);
      void cs.start();
    }
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
