// One reflector per (cluster, kind): paged LIST into the store, then WATCH from the list's
// resourceVersion with bookmarks; resume from the last version seen; 410 Gone → relist, which prunes
// what vanished meanwhile; network errors → jittered exponential backoff, recorded as a capture gap;
// 403 → "not permitted", retried rarely; 404 → the kind is not served. client-node's informer does
// none of these (no pagination, no bookmarks, stops on errors, keeps everything in memory).
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, ConnectionError, readBody, statusError, type KubeResponse } from './connection.ts';
import type { ServedKind } from './resources.ts';
import { RawObject, ScanError } from './rawobject.ts';
import { StoreWriteError, type KObj, type ObjectInput, type SyncOp } from './sink.ts';
import { namespacedPath } from './access.ts';
import { Backoff } from './backoff.ts';

export type ReflectorState =
  | 'pending'
  | 'listing'
  | 'watching'
  /** watched in the namespaces the credentials may read, the cluster-wide list being refused (a kind's state, see ClusterSync) */
  | 'partial'
  /**
   * listed, and listed again every pollMs, but not watched (a kind the map and the tables do not need,
   * of a cluster no view shows): its data is as of its last list (sync_state.listed_at), never "live"
   */
  | 'polled'
  | 'backoff'
  | 'forbidden'
  | 'unavailable'
  | 'unauthorized'
  | 'needs-approval'
  | 'stopped';

export interface ReflectorEvents {
  /** a batch to write; a promise when it is written in another thread (settles once committed) */
  write(ops: SyncOp[]): void | Promise<void>;
  /** the reflector's state changed (for the cluster's status) */
  state(kind: string, state: ReflectorState, info: { message?: string; listed?: boolean; contact?: boolean }): void;
  /** the latest resourceVersion (from bookmarks and events), cheap to call often */
  progress(kind: string, rv: string, at: number): void;
}

export interface ReflectorOptions {
  pageSize?: number;
  /** watch request timeout (the server ends the watch; we resume) */
  watchSeconds?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** how long a 403 or 404 waits before trying again */
  refusedRetryMs?: number;
  /** how long an unauthorized or unapproved kind waits before trying again */
  authRetryMs?: number;
  /** the backoff's jitter source (tests pin it) */
  random?: () => number;
  /**
   * List and watch one namespace only (credentials that may not list the kind cluster-wide). Such a
   * reflector writes no sync state of its own: its ClusterSync writes the kind's, for all namespaces.
   */
  namespace?: string;
  /** 'poll': list every pollMs instead of watching (setMode switches, keeping what was listed) */
  mode?: ReflectorMode;
  /** how often a polled kind is listed again (jittered ±20 %) */
  pollMs?: number;
}

export type ReflectorMode = 'watch' | 'poll';

/** A polled kind is listed again every 10 minutes unless a view needs it live. */
export const POLL_MS = 10 * 60_000;

class GoneError extends Error {}

/**
 * Watch events are written in batches: every 50 ms, or at this many events (in a burst: a relist's
 * worth of ADDED events, a rollout). One transaction each: the larger, the fewer times the indexes'
 * pages are written again (an insert anywhere in an index rewrites its page in the WAL). 5000 objects
 * are some 10 MB of text, written in a fraction of a second.
 */
export const WATCH_BATCH = 5000;
/** batches of one watch handed to the store and not yet committed, at most */
export const WATCH_WINDOW = 2;

export interface WatchEvent {
  type: string;
  object: ObjectInput;
  /** the object's resourceVersion (where a resumed watch starts) */
  rv?: string;
}

/**
 * One line of a watch stream. The object of an ADDED, MODIFIED or DELETED event stays JSON text (the
 * store cuts what it keeps from it: parsing and re-serialising every event was most of the cost of
 * ingesting it); other events, and anything the scanner does not take, are parsed. undefined: not JSON.
 */
export function decodeWatchLine(line: string): WatchEvent | undefined {
  try {
    const object = RawObject.eventObject(line);
    const type = object.eventType!;
    if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
      const rv = object.resourceVersion;
      return { type, object, rv: typeof rv === 'string' ? rv : undefined };
    }
  } catch (e) {
    if (!(e instanceof ScanError)) throw e;
  }
  try {
    const ev = JSON.parse(line) as WatchEvent | null;
    if (!ev || typeof ev !== 'object') return undefined;
    ev.rv = (ev.object as KObj | undefined)?.metadata?.resourceVersion;
    return ev;
  } catch {
    return undefined;
  }
}

/** The store write a watch event asks for, if any. */
export function watchOp(cluster: string, kind: string, ev: WatchEvent, at: number): SyncOp | undefined {
  if (!ev.object || typeof ev.object !== 'object') return undefined;
  if (ev.type === 'ADDED') return { op: 'upsert', cluster, kind, obj: ev.object, at, fresh: true };
  if (ev.type === 'MODIFIED') return { op: 'upsert', cluster, kind, obj: ev.object, at };
  if (ev.type === 'DELETED') return { op: 'delete', cluster, kind, obj: ev.object, at };
  return undefined;
}

const META_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;q=0.9';
const META_ONE = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json;q=0.9';

/** What a reflector needs of a connection: a request whose response it reads as a stream. */
export type StreamOpener = Pick<Connection, 'open'>;

export class Reflector {
  readonly kind: ServedKind;
  private readonly conn: StreamOpener;
  private readonly cluster: string;
  private readonly ev: ReflectorEvents;
  private readonly o: Required<Omit<ReflectorOptions, 'namespace' | 'mode'>>;
  private modeNow: ReflectorMode;
  /** aborted when the mode changes: ends a watch or a poll's wait, not a list in flight */
  private wake = new AbortController();
  /** the namespace this reflector is limited to, if any */
  readonly namespace: string | undefined;
  /** kind key, or "kind@namespace" for a namespace's reflector (what state events name) */
  readonly id: string;
  private readonly path: string;
  private rv: string | undefined;
  private gapStart: number | undefined;
  state: ReflectorState = 'pending';

  constructor(cluster: string, conn: StreamOpener, kind: ServedKind, ev: ReflectorEvents, opts: ReflectorOptions = {}) {
    this.cluster = cluster;
    this.conn = conn;
    this.kind = kind;
    this.ev = ev;
    this.o = {
      pageSize: opts.pageSize ?? 500,
      watchSeconds: opts.watchSeconds ?? 300,
      backoffMinMs: opts.backoffMinMs ?? 500,
      backoffMaxMs: opts.backoffMaxMs ?? 30_000,
      refusedRetryMs: opts.refusedRetryMs ?? 10 * 60_000,
      authRetryMs: opts.authRetryMs ?? 60_000,
      random: opts.random ?? Math.random,
      pollMs: opts.pollMs ?? POLL_MS,
    };
    this.modeNow = opts.mode ?? 'watch';
    this.namespace = opts.namespace;
    this.id = opts.namespace === undefined ? kind.key : `${kind.key}@${opts.namespace}`;
    this.path = opts.namespace === undefined ? kind.path : namespacedPath(kind, opts.namespace);
  }

  /** " (namespace web)" for a namespace's reflector (gap reasons) */
  private get where(): string {
    return this.namespace === undefined ? '' : ` (namespace ${this.namespace})`;
  }

  private set(state: ReflectorState, info: { message?: string; listed?: boolean; contact?: boolean } = {}): void {
    this.state = state;
    if (this.namespace === undefined) {
      const op: SyncOp = { op: 'state', cluster: this.cluster, kind: this.kind.key, state, message: info.message ?? null, at: Date.now() };
      if (this.rv) op.rv = this.rv;
      if (info.listed) op.listedAt = Date.now();
      void this.write([op]);
    }
    this.ev.state(this.id, state, info);
  }

  /** a write of this reflector that failed to commit, not yet answered by a relist */
  private writeFailed: Error | undefined;

  /**
   * Hand a batch to the store. A batch written in another thread settles later: if it fails, what the
   * cache holds of this kind is no longer what the watch delivered, so the next round lists it again.
   */
  private write(ops: SyncOp[]): Promise<void> | undefined {
    const p = this.ev.write(ops);
    if (!p) return undefined;
    p.catch((e: Error) => (this.writeFailed ??= e));
    return p;
  }

  get mode(): ReflectorMode {
    return this.modeNow;
  }

  /**
   * Watch, or list every pollMs. To 'watch': the watch starts from the last list's resourceVersion (a
   * 410 relists). To 'poll': the watch ends; what it delivered is complete as of now, listed again later.
   */
  setMode(mode: ReflectorMode): void {
    if (mode === this.modeNow) return;
    this.modeNow = mode;
    this.wake.abort();
  }

  /** Run until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ minMs: this.o.backoffMinMs, maxMs: this.o.backoffMaxMs }, this.o.random);
    while (!signal.aborted) {
      if (this.wake.signal.aborted) this.wake = new AbortController();
      const woken = AbortSignal.any([signal, this.wake.signal]);
      try {
        if (this.writeFailed) {
          this.writeFailed = undefined;
          this.rv = undefined;
        }
        if (this.modeNow === 'poll') {
          await this.poll(signal, woken);
          backoff.reset();
          continue;
        }
        if (!this.rv) {
          this.set('listing');
          await this.list(signal);
          this.set('watching', { listed: true, contact: true });
        } else if (this.state !== 'watching') {
          this.set('watching', { contact: true });
        }
        this.closeGap();
        backoff.reset();
        await this.watch(woken);
      } catch (e) {
        if (signal.aborted) break;
        if (this.wake.signal.aborted) continue; // the mode changed: the watch (or the wait) ended for it
        if (e instanceof StoreWriteError) this.rv = undefined; // relist: the cache missed a batch
        if (e instanceof GoneError) {
          // Our resourceVersion is compacted away: list again; prune removes what vanished.
          void this.write([
            {
              op: 'gap',
              cluster: this.cluster,
              kind: this.kind.key,
              start: Date.now(),
              end: Date.now(),
              reason: `relist after 410 Gone (resourceVersion too old)${this.where}`,
            },
          ]);
          this.rv = undefined;
          continue;
        }
        const ce = e instanceof ConnectionError ? e : new ConnectionError('unreachable', (e as Error).message);
        if (ce.kind === 'forbidden' || ce.status === 404) {
          const state = ce.kind === 'forbidden' ? 'forbidden' : 'unavailable';
          this.set(state, { message: ce.message, contact: true });
          this.rv = undefined;
          await sleep(this.o.refusedRetryMs, undefined, { signal }).catch(() => {});
          continue;
        }
        if (ce.kind === 'unauthorized' || ce.kind === 'needs-approval' || ce.kind === 'auth-plugin' || ce.kind === 'config') {
          this.set(ce.kind === 'needs-approval' ? 'needs-approval' : 'unauthorized', { message: ce.message });
          this.openGap(ce.message);
          await sleep(this.o.authRetryMs, undefined, { signal }).catch(() => {});
          continue;
        }
        const delay = backoff.fail();
        this.openGap(ce.message);
        this.set('backoff', { message: ce.message });
        await sleep(delay, undefined, { signal }).catch(() => {});
      }
    }
    this.set('stopped');
  }

  /**
   * One round of a polled kind: list (unless it was just watched, so complete as of now), then wait
   * pollMs (jittered, so a fleet's polls spread) or until the mode changes. The next round lists again.
   */
  private async poll(signal: AbortSignal, woken: AbortSignal): Promise<void> {
    if (!this.rv) {
      this.set('listing');
      await this.list(signal);
    }
    this.set('polled', { listed: true, contact: true });
    this.closeGap();
    const wait = this.o.pollMs * (0.8 + this.o.random() * 0.4);
    await sleep(wait, undefined, { signal: woken }).catch(() => {});
    // Listed again at the next round; switched to watch, the watch resumes from this list's version.
    if (this.modeNow === 'poll') this.rv = undefined;
  }

  private openGap(reason: string): void {
    if (this.gapStart === undefined) {
      this.gapStart = Date.now();
      void this.write([
        { op: 'gap', cluster: this.cluster, kind: this.kind.key, start: this.gapStart, reason: `disconnected${this.where}: ${reason}` },
      ]);
    }
  }

  private closeGap(): void {
    if (this.gapStart !== undefined) {
      void this.write([
        {
          op: 'gap',
          cluster: this.cluster,
          kind: this.kind.key,
          start: this.gapStart,
          end: Date.now(),
          reason: `reconnected${this.where}`,
        },
      ]);
      this.gapStart = undefined;
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    const seen = new Set<string>();
    let cont = '';
    let rv = '';
    // One page in flight to the store while the next is fetched.
    let writing: Promise<void> | undefined;
    for (;;) {
      const q = new URLSearchParams({ limit: String(this.o.pageSize) });
      if (cont) q.set('continue', cont);
      const res = await this.conn.open(`${this.path}?${q}`, {
        signal,
        timeoutMs: 120_000,
        ...(this.kind.metadataOnly ? { accept: META_LIST } : {}),
      });
      const text = await readBody(res);
      const status = res.statusCode ?? 0;
      if (status === 410 && cont) {
        // The continue token expired mid-list: start over (a full relist).
        cont = '';
        seen.clear();
        continue;
      }
      if (status !== 200) throw statusError(status, this.path, text);
      const page = JSON.parse(text) as { metadata?: { continue?: string; resourceVersion?: string }; items?: KObj[] };
      const at = Date.now();
      const ops: SyncOp[] = [];
      for (const item of page.items ?? []) {
        if (!item.metadata?.uid) continue;
        seen.add(item.metadata.uid);
        ops.push({ op: 'upsert', cluster: this.cluster, kind: this.kind.key, obj: item, at });
      }
      const w = this.write(ops);
      await writing;
      writing = w;
      cont = page.metadata?.continue ?? '';
      rv = page.metadata?.resourceVersion ?? rv;
      if (!cont) break;
    }
    const prune: SyncOp = { op: 'prune', cluster: this.cluster, kind: this.kind.key, seen, at: Date.now() };
    if (this.namespace !== undefined) prune.namespace = this.namespace;
    const pruned = this.write([prune]);
    await writing;
    await pruned;
    this.rv = rv;
    this.ev.progress(this.kind.key, rv, Date.now());
  }

  private async watch(signal: AbortSignal): Promise<void> {
    const q = new URLSearchParams({
      watch: '1',
      allowWatchBookmarks: 'true',
      resourceVersion: this.rv!,
      // Spread watch ends so a fleet's reflectors do not reconnect in lockstep.
      timeoutSeconds: String(Math.round(this.o.watchSeconds * (0.8 + Math.random() * 0.4))),
    });
    const res: KubeResponse = await this.conn.open(`${this.path}?${q}`, {
      signal,
      timeoutMs: (this.o.watchSeconds + 60) * 1000,
      ...(this.kind.metadataOnly ? { accept: META_ONE } : {}),
    });
    const status = res.statusCode ?? 0;
    if (status === 410) {
      await readBody(res);
      throw new GoneError();
    }
    if (status !== 200) throw statusError(status, this.path, await readBody(res));
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      let pending: SyncOp[] = [];
      let timer: NodeJS.Timeout | undefined;
      // Settle once: destroying the response (after an ERROR event) emits 'aborted'/'error' synchronously,
      // which must not overwrite the real reason (a 410 must lead to a relist, not to a backoff loop).
      let settled = false;
      // Batches handed to a store in another thread and not yet committed: at WATCH_WINDOW, the
      // response is paused until one commits (backpressure on the API server's stream, not memory).
      let inFlight = 0;
      let paused = false;
      const flush = () => {
        timer = undefined;
        if (pending.length) {
          const ops = pending;
          pending = [];
          const w = this.write(ops);
          if (w) {
            inFlight++;
            if (inFlight >= WATCH_WINDOW && !paused) {
              paused = true;
              res.pause();
            }
            w.then(
              () => {
                inFlight--;
                if (paused && inFlight < WATCH_WINDOW) {
                  paused = false;
                  res.resume();
                }
              },
              (e: Error) => {
                finish(e instanceof StoreWriteError ? e : new StoreWriteError(e.message));
                res.destroy();
              },
            );
          }
        }
        if (this.rv) this.ev.progress(this.kind.key, this.rv, Date.now());
      };
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        flush();
        if (err) reject(err);
        else resolve();
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (settled) return;
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.trim()) continue;
          const ev = decodeWatchLine(line);
          if (!ev) continue;
          if (ev.type === 'ERROR') {
            const status = ev.object as KObj | undefined;
            const code = status?.code;
            finish(
              code === 410
                ? new GoneError()
                : new ConnectionError(code === 403 ? 'forbidden' : 'server', `watch error ${code}: ${status?.message ?? ''}`, {
                    status: code,
                  }),
            );
            res.destroy();
            return;
          }
          if (ev.rv) this.rv = ev.rv;
          const op = watchOp(this.cluster, this.kind.key, ev, Date.now());
          if (op) pending.push(op);
          // Batch: write at most every 50 ms or WATCH_BATCH events.
          if (pending.length >= WATCH_BATCH) {
            if (timer) clearTimeout(timer);
            flush();
          } else if (!timer) timer = setTimeout(flush, 50);
        }
      });
      res.on('end', () => finish());
      res.on('error', (e) => finish(signal.aborted ? e : new ConnectionError('unreachable', `watch interrupted: ${e.message}`)));
      res.on('aborted', () => finish(new ConnectionError('unreachable', 'watch interrupted')));
    });
  }
}
