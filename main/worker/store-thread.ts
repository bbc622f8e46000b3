// The cache writer's thread (started by ThreadedStore, main/store/writer.ts, from the sync worker). It
// owns the Store: it applies the batches in the order they come, keeps the derived views current and
// applies retention. Every batch is one transaction, so a kill -9 of the process leaves whole batches.
import { parentPort } from 'node:worker_threads';
import { Store } from '../store/store.ts';
import type { FromStoreThread, ToStoreThread } from '../store/writer.ts';
import { ViewRefresher } from '../views/refresher.ts';

if (!parentPort) throw new Error('store-thread must run as a worker thread');
const port = parentPort;
const post = (m: FromStoreThread) => port.postMessage(m);

let store: Store | undefined;
let refresher: ViewRefresher | undefined;
let retentionTimer: NodeJS.Timeout | undefined;
/** the API server's version per cluster, from the cluster rows that pass (node version skew) */
const serverVersions = new Map<string, string>();

function open(m: Extract<ToStoreThread, { type: 'open' }>): void {
  store = new Store(m.dbPath);
  if (m.views) {
    refresher = new ViewRefresher(store, {
      onChanged: (versions) => post({ type: 'views', versions }),
      serverVersion: (c) => serverVersions.get(c),
    });
    refresher.observe(store);
  }
  if (m.retention) retention(m.retention);
}

/** Retention with these limits: now, then every `everyMs` (replacing the limits before). */
function retention(r: { maxAgeMs: number; maxBytes: number; everyMs?: number }): void {
  if (retentionTimer) clearInterval(retentionTimer);
  const retain = () => store?.retain({ maxAgeMs: r.maxAgeMs, maxBytes: r.maxBytes });
  retain();
  retentionTimer = setInterval(retain, r.everyMs ?? 10 * 60_000);
  retentionTimer.unref();
}

port.on('message', (m: ToStoreThread) => {
  switch (m.type) {
    case 'open':
      try {
        open(m);
        post({ type: 'ready' });
      } catch (e) {
        post({ type: 'error', message: (e as Error).message });
      }
      return;
    case 'write':
      if (!store) {
        post({ type: 'failed', seq: m.seq, message: 'the cache is not open' });
        return;
      }
      for (const w of m.ops) if (w.op === 'cluster' && w.row.serverVersion) serverVersions.set(w.row.id, w.row.serverVersion);
      try {
        store.write(m.ops);
        post({ type: 'done', seq: m.seq });
      } catch (e) {
        post({ type: 'failed', seq: m.seq, message: (e as Error).message });
      }
      return;
    case 'touch':
      try {
        store?.touch(m.cluster, m.kind, m.rv, m.at);
      } catch {
        // a resume point not recorded: the next one will be (and a restart relists anyway)
      }
      return;
    case 'retention':
      try {
        retention(m.retention);
      } catch (e) {
        post({ type: 'error', message: `retention: ${(e as Error).message}` });
      }
      return;
    case 'close':
      if (retentionTimer) clearInterval(retentionTimer);
      refresher?.stop();
      try {
        refresher?.flush();
      } finally {
        store?.close();
        store = undefined;
        post({ type: 'closed' });
      }
      return;
  }
});
