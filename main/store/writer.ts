// Writing the cache from another thread. The sync worker reads sockets and scans watch events; the
// SQLite writes (inserts, indexes, history, commits) are the other half of ingesting them. On their own
// thread (main/worker/store-thread.ts) the two halves run at once: while one batch commits, the next is
// scanned. Objects cross as PreparedObjects: key, index columns, and the stripped text already encoded
// as UTF-8 into one buffer per batch, which is transferred, not copied.
import { Worker } from 'node:worker_threads';
import { RawObject } from '../kube/rawobject.ts';
import { StoreWriteError, type KObj, type StoreSink } from '../kube/sink.ts';
import { BodyEncoder, prepareObject } from './encoding.ts';
import type { WriteOp } from './writes.ts';

/** The cache's limits when the sync worker is not told others: a week of history, 2 GiB. */
export const DEFAULT_RETENTION = { maxAgeMs: 7 * 24 * 3600_000, maxBytes: 2 * 1024 ** 3 } as const;

/**
 * The batch as it crosses to the store thread: every object prepared (the bodies in one buffer, to
 * transfer), deletes reduced to their uid (a RawObject does not survive structured cloning).
 */
export function prepareBatch(ops: readonly WriteOp[], encoder: BodyEncoder): { ops: WriteOp[]; transfer: ArrayBuffer[] } {
  encoder.reset();
  const out: WriteOp[] = [];
  const pending: { obj: { body: Uint8Array }; start: number; length: number }[] = [];
  let offset = 0;
  for (const w of ops) {
    if (w.op === 'upsert') {
      const p = prepareObject(w.kind, w.obj, encoder);
      if (!p) continue;
      // The body is a view of the encoder's buffer, which may still grow (and move): remember where it is.
      pending.push({ obj: p, start: offset, length: p.body.byteLength });
      offset += p.body.byteLength;
      out.push({ op: 'put', cluster: w.cluster, kind: w.kind, obj: p, at: w.at, ...(w.fresh ? { fresh: true } : {}) });
    } else if (w.op === 'delete') {
      const uid = w.obj instanceof RawObject ? w.obj.uid : (w.obj as KObj).metadata?.uid;
      if (typeof uid !== 'string' || !uid) continue;
      out.push({ op: 'delete', cluster: w.cluster, kind: w.kind, obj: { metadata: { uid } }, at: w.at });
    } else out.push(w);
  }
  if (!pending.length) return { ops: out, transfer: [] };
  const { buffer, used } = encoder.take();
  if (used !== offset) throw new Error(`prepareBatch: ${used} bytes encoded, ${offset} accounted for`);
  for (const x of pending) x.obj.body = new Uint8Array(buffer, x.start, x.length);
  return { ops: out, transfer: [buffer] };
}

export interface StoreThreadOptions {
  dbPath: string;
  /** keep the derived views current (the sync worker's job); off for a plain writer */
  views?: boolean;
  retention?: { maxAgeMs: number; maxBytes: number; everyMs?: number };
}

export type ToStoreThread =
  | ({ type: 'open' } & StoreThreadOptions)
  | { type: 'write'; seq: number; ops: WriteOp[] }
  | { type: 'touch'; cluster: string; kind: string; rv: string; at: number }
  /** new retention limits (Settings): applied now, and from then on every `everyMs` */
  | { type: 'retention'; retention: { maxAgeMs: number; maxBytes: number; everyMs?: number } }
  | { type: 'close' };

export type FromStoreThread =
  | { type: 'ready' }
  | { type: 'done'; seq: number }
  | { type: 'failed'; seq: number; message: string }
  | { type: 'views'; versions: Record<string, number> }
  | { type: 'error'; message: string }
  | { type: 'closed' };

/**
 * The sync worker's side of the store thread. write() hands a batch over and returns at once; its
 * promise settles when the batch is committed (or failed: the caller relists what it was writing).
 * Callers bound what they have in flight by awaiting those promises (the reflector keeps two batches).
 */
export class ThreadedStore implements StoreSink {
  private readonly worker: Worker;
  private readonly encoder = new BodyEncoder();
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void; promise: Promise<void> }>();
  private seq = 0;
  private dead: Error | undefined;
  private readonly opened: Promise<void>;
  private closedResolve: (() => void) | undefined;
  private viewsListener: ((versions: Record<string, number>) => void) | undefined;
  private errorListener: ((message: string) => void) | undefined;

  /** entry: main/worker/store-thread.ts (or its bundle, next to the sync worker's) */
  constructor(entry: URL, opts: StoreThreadOptions) {
    this.worker = new Worker(entry);
    let openResolve!: () => void;
    let openReject!: (e: Error) => void;
    this.opened = new Promise<void>((res, rej) => {
      openResolve = res;
      openReject = rej;
    });
    this.opened.catch(() => {});
    this.worker.on('message', (m: FromStoreThread) => {
      switch (m.type) {
        case 'ready':
          openResolve();
          break;
        case 'done':
          this.pending.get(m.seq)?.resolve();
          this.pending.delete(m.seq);
          break;
        case 'failed':
          this.pending.get(m.seq)?.reject(new StoreWriteError(`the cache could not be written: ${m.message}`));
          this.pending.delete(m.seq);
          this.errorListener?.(m.message);
          break;
        case 'views':
          this.viewsListener?.(m.versions);
          break;
        case 'error':
          openReject(new Error(m.message));
          this.errorListener?.(m.message);
          break;
        case 'closed':
          this.closedResolve?.();
          break;
      }
    });
    const fail = (e: Error) => {
      this.dead ??= e;
      openReject(e);
      for (const p of this.pending.values()) p.reject(new StoreWriteError(`the cache writer stopped: ${e.message}`));
      this.pending.clear();
      this.closedResolve?.();
    };
    this.worker.on('error', (e) => fail(e));
    this.worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    this.post({ type: 'open', ...opts });
  }

  /** Resolves once the thread has opened (and migrated) the database; rejects with why it could not. */
  ready(): Promise<void> {
    return this.opened;
  }

  onViews(fn: (versions: Record<string, number>) => void): void {
    this.viewsListener = fn;
  }

  /** a batch failed to commit, or the database failed to open */
  onError(fn: (message: string) => void): void {
    this.errorListener = fn;
  }

  /** JS heap in use by the store thread (null where the runtime cannot tell) */
  async heapUsed(): Promise<number | null> {
    const w = this.worker as Worker & { getHeapStatistics?: () => Promise<{ used_heap_size: number }> };
    if (this.dead || typeof w.getHeapStatistics !== 'function') return null;
    return (await w.getHeapStatistics()).used_heap_size;
  }

  /** batches handed over and not yet committed */
  get inFlight(): number {
    return this.pending.size;
  }

  private post(m: ToStoreThread, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  write(ops: WriteOp[]): Promise<void> {
    if (this.dead) return Promise.reject(new StoreWriteError(`the cache writer stopped: ${this.dead.message}`));
    if (!ops.length) return Promise.resolve();
    const seq = ++this.seq;
    const batch = prepareBatch(ops, this.encoder);
    let settle!: { resolve: () => void; reject: (e: Error) => void };
    const p = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.pending.set(seq, { ...settle, promise: p });
    // Callers that do not wait (state and gap records) must not turn a failure into an unhandled
    // rejection: the failure reaches onError, and the next awaited write of that reflector.
    p.catch(() => {});
    this.post({ type: 'write', seq, ops: batch.ops }, batch.transfer);
    return p;
  }

  touch(cluster: string, kind: string, rv: string, at: number): void {
    if (!this.dead) this.post({ type: 'touch', cluster, kind, rv, at });
  }

  /** New retention limits: the store thread applies them at once (in order with the writes) and from then on. */
  setRetention(retention: { maxAgeMs: number; maxBytes: number; everyMs?: number }): void {
    if (!this.dead) this.post({ type: 'retention', retention });
  }

  /** Resolves when every batch handed over so far is committed (or failed). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending.values()].map((p) => p.promise));
  }

  /** Commit what is in flight, stop the views, close the database, end the thread. */
  async close(): Promise<void> {
    if (!this.dead) {
      const closed = new Promise<void>((r) => (this.closedResolve = r));
      this.post({ type: 'close' });
      await closed;
    }
    await this.worker.terminate();
  }
}
