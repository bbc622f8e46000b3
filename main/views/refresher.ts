// Keeps the derived views of a live cache current: clusters whose objects changed are recomputed,
// coalesced (a cluster at most once per interval, and the interval grows with what a recompute costs,
// so a 30,000-pod cluster does not spend its sync re-deriving itself), and every cluster once a minute
// (node staleness is a matter of time, not of writes).
import type { Store, WriteOp } from '../store/store.ts';
import { ViewTable } from './derive.ts';

export interface RefresherOptions {
  minIntervalMs?: number;
  periodicMs?: number;
  /** cluster id → its new view version */
  onChanged(versions: Record<string, number>): void;
  serverVersion(cluster: string): string | undefined;
  now?: () => number;
}

export class ViewRefresher {
  private readonly views: ViewTable;
  private readonly o: Required<Omit<RefresherOptions, 'now'>> & { now: () => number };
  private readonly dirty = new Set<string>();
  private readonly nextAllowed = new Map<string, number>();
  private readonly known = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(store: Store, opts: RefresherOptions) {
    this.views = new ViewTable(store);
    this.o = { minIntervalMs: 1000, periodicMs: 60_000, now: Date.now, ...opts };
    this.periodic = setInterval(() => {
      for (const c of this.known) this.dirty.add(c);
      this.schedule(0);
    }, this.o.periodicMs);
    this.periodic.unref();
    // Views missing from the cache (or made by an older model) are derived first.
    for (const c of this.views.outdated()) this.mark(c);
  }

  /** Wrap a store's write so every batch that changes objects marks its clusters dirty. */
  observe(store: Store): void {
    const write = store.write.bind(store);
    store.write = (ops: WriteOp[]) => {
      write(ops);
      for (const op of ops) if (op.op === 'upsert' || op.op === 'put' || op.op === 'delete' || op.op === 'prune') this.mark(op.cluster);
    };
  }

  mark(cluster: string): void {
    if (this.stopped) return;
    this.known.add(cluster);
    if (this.dirty.has(cluster)) return;
    this.dirty.add(cluster);
    this.schedule(Math.max(0, (this.nextAllowed.get(cluster) ?? 0) - this.o.now()));
  }

  forget(cluster: string): void {
    this.known.delete(cluster);
    this.dirty.delete(cluster);
  }

  private schedule(delay: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, delay);
  }

  private run(): void {
    const now = this.o.now();
    const changed: Record<string, number> = {};
    let wait = Infinity;
    for (const c of [...this.dirty]) {
      const allowed = this.nextAllowed.get(c) ?? 0;
      if (allowed > now) {
        wait = Math.min(wait, allowed - now);
        continue;
      }
      this.dirty.delete(c);
      const t0 = performance.now();
      this.refreshInto(c, this.o.now(), changed);
      const cost = performance.now() - t0;
      this.nextAllowed.set(c, this.o.now() + Math.max(this.o.minIntervalMs, cost * 5));
      // Yield between clusters: one refresh per turn keeps the worker's writes flowing.
      if (this.dirty.size) {
        wait = 0;
        break;
      }
    }
    if (Object.keys(changed).length) this.o.onChanged(changed);
    if (this.dirty.size && Number.isFinite(wait)) this.schedule(wait);
  }

  /** Compute every dirty cluster now (used on stop, so the cache closes with current views). */
  flush(): void {
    const now = this.o.now();
    const changed: Record<string, number> = {};
    for (const c of [...this.dirty]) {
      this.dirty.delete(c);
      this.refreshInto(c, now, changed);
    }
    if (Object.keys(changed).length) this.o.onChanged(changed);
  }

  private refreshInto(c: string, now: number, changed: Record<string, number>): void {
    try {
      changed[c] = this.views.refresh(c, now, this.o.serverVersion(c)).version;
    } catch {
      // A cluster whose objects cannot be derived keeps its previous view; the next write retries.
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.periodic) clearInterval(this.periodic);
  }
}
