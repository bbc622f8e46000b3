// Entry point of the sync worker. Under plain Node it is a worker_threads Worker; in the desktop app
// an Electron utilityProcess (process.parentPort). The code is the same; only the port differs.
import { parentPort } from 'node:worker_threads';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { ThreadedStore } from '../store/writer.ts';
import { TrustStore } from '../fleet/trust.ts';
import { ExecCredentialCache, resolveExecPath } from '../kube/exec.ts';
import { discover, watchSources } from '../fleet/sources.ts';
import { FleetSync } from '../kube/sync.ts';
import { offReason } from '../fleet/sync-settings.ts';
import { DEFAULT_RETENTION, type FromWorker, type StartMessage, type ToWorker } from './protocol.ts';

interface Port {
  post(m: FromWorker): void;
  on(fn: (m: ToWorker) => void): void;
}

function port(): Port {
  if (parentPort) {
    const p = parentPort;
    return { post: (m) => p.postMessage(m), on: (fn) => p.on('message', fn) };
  }
  // Electron utilityProcess
  const pp = (
    process as unknown as { parentPort?: { postMessage(m: unknown): void; on(ev: 'message', fn: (e: { data: ToWorker }) => void): void } }
  ).parentPort;
  if (!pp) throw new Error('sync-worker must run as a worker thread or an Electron utility process');
  return { post: (m) => pp.postMessage(m), on: (fn) => pp.on('message', (e) => fn(e.data)) };
}

const p = port();
let store: ThreadedStore | undefined;
let fleet: FleetSync | undefined;
let unwatch: (() => void) | undefined;
let cfg: StartMessage | undefined;
let problems: { path: string; error: string }[] = [];
let looked: string[] = [];
let statusTimer: NodeJS.Timeout | undefined;
/** the views' clusters, when they came before the fleet existed */
let focus: { clusters: string[]; kinds: Record<string, string[] | null> } | undefined;
/** the store thread's entry: beside this file (the .ts source, or the app bundle's .js) */
const STORE_THREAD = new URL(import.meta.url.endsWith('.ts') ? './store-thread.ts' : './store-thread.js', import.meta.url);

function postStatus(): void {
  if (statusTimer) return;
  // Coalesce: at most 4 status messages a second.
  statusTimer = setTimeout(() => {
    statusTimer = undefined;
    if (fleet) p.post({ type: 'status', clusters: fleet.statuses(), problems, looked });
  }, 250);
}

/** Reloads one after the other: setEntries of one never interleaves with another's (a settings change during a source change). */
let reloading: Promise<void> = Promise.resolve();
function reload(): Promise<void> {
  reloading = reloading.catch(() => {}).then(reloadNow);
  return reloading;
}

async function reloadNow(): Promise<void> {
  if (!cfg || !fleet) return;
  const found = discover(cfg.sources);
  problems = found.problems.map((x) => ({ path: x.path, error: x.error }));
  looked = found.looked;
  const entries = cfg.contexts.length ? found.entries.filter((e) => cfg!.contexts.includes(e.context)) : found.entries;
  const offSet = { offClusters: cfg.off?.clusters ?? [], offSources: cfg.off?.sources ?? [] };
  const off = new Map<string, string>();
  for (const e of entries) {
    const why = offReason(e, offSet);
    if (why) off.set(e.id, why);
  }
  await fleet.setEntries(entries, off);
  postStatus();
}

async function start(m: StartMessage): Promise<void> {
  cfg = m;
  // The cache is written on its own thread (which also keeps the derived views current and applies
  // retention): this one reads the sockets and scans the events while the last batch commits.
  store = new ThreadedStore(STORE_THREAD, {
    dbPath: m.dbPath,
    views: true,
    retention: {
      maxAgeMs: m.retention?.maxAgeMs ?? DEFAULT_RETENTION.maxAgeMs,
      maxBytes: m.retention?.maxBytes ?? DEFAULT_RETENTION.maxBytes,
    },
  });
  store.onViews((versions) => p.post({ type: 'views', versions }));
  store.onError((message) => console.error(`sync worker: ${message}`));
  await store.ready();
  const execPath = await resolveExecPath(m.execPath);
  const deps = {
    trust: new TrustStore(join(m.dataDir, 'exec-approvals.json')),
    execCache: new ExecCredentialCache(),
    ...(execPath ? { execPath } : {}),
  };
  fleet = new FleetSync(store, deps, {
    onStatus: postStatus,
    ...(m.reflector ? { reflector: m.reflector } : {}),
    ...(m.allLiveUpTo !== undefined ? { allLiveUpTo: m.allLiveUpTo } : {}),
  });
  if (focus) fleet.setFocus(focus.clusters, focus.kinds);
  await reload();
  unwatch = watchSources(m.sources, () => void reload());
}

async function stop(): Promise<void> {
  unwatch?.();
  await fleet?.stop();
  // What the reflectors handed over is committed, the views brought up to date, the database closed.
  await store?.close();
  if (statusTimer) clearTimeout(statusTimer);
  if (fleet) p.post({ type: 'status', clusters: fleet.statuses(), problems, looked });
  p.post({ type: 'stopped' });
}

p.on((m) => {
  if (m.type === 'sources' && cfg) {
    cfg = { ...cfg, sources: m.sources };
    unwatch?.();
    unwatch = watchSources(cfg.sources, () => void reload());
  }
  if (m.type === 'off') {
    if (!cfg) return;
    cfg = { ...cfg, off: m.off };
    // Settings changes come one at a time: the reload after the last one wins.
    reload().catch((e: Error) => p.post({ type: 'error', message: e.message }));
    return;
  }
  if (m.type === 'retention') {
    if (cfg) cfg = { ...cfg, retention: m.retention };
    store?.setRetention(m.retention);
    return;
  }
  if (m.type === 'focus') {
    focus = { clusters: m.clusters, kinds: m.kinds ?? {} };
    fleet?.setFocus(m.clusters, m.kinds ?? {});
    return;
  }
  if (m.type === 'heap') {
    // live data, not garbage, where the runtime lets us collect it (node --expose-gc: the benchmarks)
    (globalThis as { gc?: () => void }).gc?.();
    void (store?.heapUsed() ?? Promise.resolve(null)).then((h) =>
      p.post({ type: 'heap', sync: getHeapStatistics().used_heap_size, store: h }),
    );
    return;
  }
  const run = m.type === 'start' ? start(m) : m.type === 'stop' ? stop() : reload();
  run.catch((e: Error) => p.post({ type: 'error', message: e.message }));
});
