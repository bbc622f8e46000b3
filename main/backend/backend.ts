// The back end both shells share: the cache, the sync worker (unless the cache is only shown), the
// contract's service, and coalesced pushes. The web shell carries it over WebSocket; the desktop app
// over IPC, with the worker in an Electron utilityProcess (it passes its own startWorker).
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Store } from '../store/store.ts';
import { ViewService, type Caller, type LiveSource } from '../views/service.ts';
import { startSyncWorker, type SyncWorkerHandle } from '../worker/client.ts';
import type { StartMessage } from '../worker/protocol.ts';
import type { SourceConfig } from '../fleet/sources.ts';
import type { Params, PushEvent, Result } from '../../common/contract.ts';
import { openSnapshot } from '../snapshot/snapshot.ts';
import { sessionActions } from './session.ts';
import { logFetcher } from '../snapshot/logs.ts';
import { ConnectionPool } from '../kube/pool.ts';
import { loadSyncSettings, saveSyncSettings, syncSettingsPath, type SyncSettings } from '../fleet/sync-settings.ts';
import { DEFAULT_RETENTION } from '../worker/protocol.ts';
import { clusterLabelsPath } from '../fleet/cluster-labels.ts';

export interface BackendOptions {
  db: string;
  sources: SourceConfig;
  contexts?: string[];
  /** show the cache without syncing */
  offline?: boolean;
  /** a snapshot, read-only (implies offline) */
  snapshot?: boolean;
  dataDir: string;
  execPath?: string;
  reflector?: StartMessage['reflector'];
  /** StartMessage.allLiveUpTo (tests and benchmarks: tiered watching in a small fleet) */
  allLiveUpTo?: number;
  /** how to start the sync worker (default: worker_threads) */
  startWorker?: (start: Omit<StartMessage, 'type'>) => SyncWorkerHandle;
  /** called when the kubeconfig sources change (the desktop app persists them) */
  onSources?: (s: SourceConfig) => void;
  /** the live cache, which a snapshot is compared with (default: dataDir/cache.db) */
  cachePath?: string;
  /** the demo snapshot, when installed */
  demoPath?: string;
  /** read-only mode (--read-only, the desktop app's setting): no actions, even if asked */
  readOnly?: boolean;
  /**
   * Read-only mode may be turned on and off from the Settings view (settings.readOnly), and this is
   * told (the desktop app saves it). Absent: it is fixed for the session (--read-only).
   */
  onReadOnly?: (on: boolean) => void;
  /** switch what the session shows (the shell restarts the back end and reloads the renderer) */
  open?: (p: Params<'session.open'>) => Promise<Result<'session.open'>>;
  log?: (line: string) => void;
}

export interface Backend {
  service: ViewService;
  store: Store;
  worker: SyncWorkerHandle | undefined;
  /**
   * Pushes: coalesced "views changed" events (at most 4 a second) and reloads for every page (`to`
   * undefined); a log stream's lines and an action run's progress for the page that started it alone
   * (`to`: its caller id, as it was passed to service.handle/answer). A shell delivers each accordingly.
   */
  onPush(fn: (e: PushEvent, to?: Caller) => void): () => void;
  /** A page went away (its WebSocket closed, the window reloaded or closed): its log streams stop. */
  release(caller: Caller): number;
  /** read-only mode on or off, now: every page re-reads the fleet (FleetDTO.actions) */
  setReadOnly(on: boolean): void;
  stop(): Promise<void>;
}

export function startBackend(opts: BackendOptions): Backend {
  const log = opts.log ?? (() => {});
  const offline = !!opts.offline || !!opts.snapshot;
  if (offline && !existsSync(opts.db)) throw new Error(`no cache at ${opts.db}`);
  // A snapshot is checked first (header, pages, manifest); an older one is read through a migrated copy.
  const snap = opts.snapshot ? openSnapshot(opts.db, { tmpDir: opts.dataDir }) : undefined;
  // Open (and migrate) the cache before the worker does: one migrator, never two at once.
  const store = snap ? snap.store : new Store(opts.db);
  let sources = opts.sources;
  let worker: SyncWorkerHandle | undefined;
  // The back end's own connections (logs, actions, bundles' logs): live sessions only.
  const pool = !offline ? new ConnectionPool(sources, opts.dataDir, opts.execPath) : undefined;
  let live: LiveSource | undefined;
  // What is turned off (Settings): read here, handed to the worker, saved when it changes.
  const offFile = syncSettingsPath(opts.dataDir);
  let offSettings: SyncSettings = { version: 1, offClusters: [], offSources: [] };
  if (!offline) {
    const loaded = loadSyncSettings(offFile);
    if (loaded.warning) log(loaded.warning);
    offSettings = loaded.settings;
  }
  /** The worker answers with a status once it has re-read the sources (or the settings). */
  const nextStatus = (w: SyncWorkerHandle) =>
    new Promise<void>((r) => {
      const off = w.onStatus(() => {
        off();
        r();
      });
      setTimeout(r, 5000);
    });
  if (!offline) {
    worker = (opts.startWorker ?? startSyncWorker)({
      dbPath: opts.db,
      dataDir: opts.dataDir,
      sources,
      contexts: opts.contexts ?? [],
      ...(opts.execPath ? { execPath: opts.execPath } : {}),
      ...(opts.reflector ? { reflector: opts.reflector } : {}),
      ...(opts.allLiveUpTo !== undefined ? { allLiveUpTo: opts.allLiveUpTo } : {}),
      off: { clusters: offSettings.offClusters, sources: offSettings.offSources },
      ...(offSettings.retention ? { retention: offSettings.retention } : {}),
    });
    const w = worker;
    live = {
      statuses: () => w.statuses(),
      problems: () => w.problems(),
      looked: () => w.looked(),
      addSource: async (path: string) => {
        const p = resolve(path);
        if (!existsSync(p)) throw new Error(`${p} does not exist`);
        const isDir = statSync(p).isDirectory();
        sources = {
          ...sources,
          files: isDir || sources.files.includes(p) ? sources.files : [...sources.files, p],
          folders: !isDir || sources.folders.includes(p) ? sources.folders : [...sources.folders, p],
        };
        w.setSources(sources);
        pool?.setSources(sources);
        opts.onSources?.(sources);
        await nextStatus(w);
        return { added: p, entries: w.statuses().length };
      },
      removeSource: async (path: string) => {
        const p = resolve(path);
        sources = {
          ...sources,
          files: sources.files.filter((f) => resolve(f) !== p),
          folders: sources.folders.filter((f) => resolve(f) !== p),
        };
        w.setSources(sources);
        pool?.setSources(sources);
        opts.onSources?.(sources);
        await nextStatus(w);
      },
      sources: () => sources,
      offSettings: () => offSettings,
      setOffSettings: async (next) => {
        saveSyncSettings(offFile, next);
        offSettings = loadSyncSettings(offFile).settings;
        const waiting = nextStatus(w);
        w.setOff({ clusters: offSettings.offClusters, sources: offSettings.offSources });
        await waiting;
      },
      setRetention: (r) => w.setRetention(r),
    };
  }
  const mode = opts.snapshot ? 'snapshot' : offline ? 'cache' : 'live';
  const logs = pool ? logFetcher(pool, opts.dataDir) : undefined;
  const cachePath = opts.cachePath ?? join(opts.dataDir, 'cache.db');
  const listeners = new Set<(e: PushEvent, to?: Caller) => void>();
  const setReadOnly = (on: boolean) => {
    service.setReadOnly(on);
    // Every cluster's tile may offer its actions or not: a push moves the fleet's version on, and
    // every page re-reads what it shows (no cluster's own version changed).
    push({});
  };
  const service: ViewService = new ViewService(store, {
    readOnly: !!opts.readOnly,
    retention: offSettings.retention ?? DEFAULT_RETENTION,
    ...(opts.onReadOnly
      ? {
          setReadOnly: (on: boolean) => {
            setReadOnly(on);
            opts.onReadOnly!(on);
          },
        }
      : {}),
    // Logs and actions go through the back end's own connections (live only); their pushes to their caller.
    ...(pool && mode === 'live' ? { connections: pool } : {}),
    push: (e, to) => {
      for (const l of listeners) l(e, to);
    },
    // The pages' clusters: the sync watches every kind of theirs (in a large fleet, only of theirs).
    focus: (clusters, kinds) => worker?.focus(clusters, kinds),
    // An action was recorded in these clusters' change history: their views (the timeline) moved on.
    changed: (clusters) => push(Object.fromEntries(clusters.map((c) => [c, service.views.version(c)]))),
    log,
    // The user's cluster labels and favourites: in the data folder, whatever the session shows.
    labelsFile: clusterLabelsPath(opts.dataDir),
    mode,
    source: opts.db,
    derive: offline ? (opts.snapshot ? 'memory' : 'persist') : 'none',
    ...(live ? { live } : {}),
    ...(snap ? { snapshot: { file: basename(opts.db), manifest: snap.manifest }, now: () => snap.manifest.capturedAt } : {}),
    ...(opts.demoPath && existsSync(opts.demoPath) ? { demoPath: opts.demoPath } : {}),
    cachePath,
    actions: sessionActions({
      db: snap ? snap.path : opts.db,
      mode,
      cachePath,
      dataDir: opts.dataDir,
      ...(logs ? { logs } : {}),
      ...(opts.open ? { open: opts.open } : {}),
    }),
  });

  const pending: Record<string, number> = {};
  let pushTimer: NodeJS.Timeout | undefined;
  const push = (versions: Record<string, number>) => {
    Object.assign(pending, versions);
    if (pushTimer) return;
    // Coalesced: at most 4 pushes a second, whatever the worker does.
    pushTimer = setTimeout(() => {
      pushTimer = undefined;
      const ev: PushEvent = { type: 'changed', fleetVersion: service.bump(), clusters: { ...pending } };
      for (const k of Object.keys(pending)) delete pending[k];
      for (const l of listeners) l(ev);
    }, 250);
  };
  worker?.onViews((v) => push(v));
  // Status changes (live → stale, progress) change the tiles even when no object changed.
  const lastStatus = new Map<string, string>();
  worker?.onStatus((all) => {
    const changed: Record<string, number> = {};
    for (const s of all) {
      const key = `${s.status}|${s.message ?? ''}|${s.progress.listed}/${s.progress.total}|${s.serverVersion ?? ''}`;
      if (lastStatus.get(s.id) !== key) {
        lastStatus.set(s.id, key);
        changed[s.id] = service.views.version(s.id);
      }
    }
    if (Object.keys(changed).length) push(changed);
  });

  let stopping: Promise<void> | undefined;
  return {
    service,
    store,
    worker,
    onPush(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    release: (caller) => service.release(caller),
    setReadOnly,
    stop: () =>
      (stopping ??= (async () => {
        if (pushTimer) clearTimeout(pushTimer);
        service.close();
        listeners.clear();
        try {
          await worker?.stop();
        } catch (e) {
          log(`sync worker: ${(e as Error).message}`);
        }
        logs?.close();
        pool?.close();
        store.close();
        snap?.cleanup();
      })()),
  };
}
