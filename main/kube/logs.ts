// Pod logs, streamed: GET /api/v1/namespaces/{ns}/pods/{pod}/log through the kubelet (container,
// follow, previous, timestamps, sinceSeconds, tailLines, limitBytes), split into lines as they arrive,
// the kubelet's RFC 3339 timestamp read off each line when asked for, stopped by an AbortSignal. One
// reader for everything that reads logs: the console's streams (views/logs.ts) and the incident
// bundles' last lines (snapshot/logs.ts).
import { StringDecoder } from 'node:string_decoder';
import { ConnectionError, readBody, type Connection, type ConnectionErrorKind, type KubeResponse } from './connection.ts';

export interface PodLogOptions {
  container?: string;
  follow?: boolean;
  /** the previous (terminated) instance of the container */
  previous?: boolean;
  /** the kubelet prefixes each line with its RFC 3339 time: parsed into `at`, cut from the text */
  timestamps?: boolean;
  sinceSeconds?: number;
  tailLines?: number;
  limitBytes?: number;
}

export interface RawLogLine {
  text: string;
  /** epoch ms, with timestamps */
  at?: number;
}

/** A line longer than this is cut (a binary blob or a runaway JSON line must not fill memory). */
export const MAX_LINE_CHARS = 64 * 1024;
/** A log read to its end (no follow: a stream's, a bundle's) is read at most this far (the API's limitBytes). */
export const MAX_LOG_BYTES = 8 << 20;

/** The log endpoint's path and query, as kubectl asks for it. */
export function podLogPath(namespace: string, pod: string, o: PodLogOptions = {}): string {
  const q = new URLSearchParams();
  if (o.container) q.set('container', o.container);
  if (o.follow) q.set('follow', 'true');
  if (o.previous) q.set('previous', 'true');
  if (o.timestamps) q.set('timestamps', 'true');
  if (o.sinceSeconds !== undefined) q.set('sinceSeconds', String(o.sinceSeconds));
  if (o.tailLines !== undefined) q.set('tailLines', String(o.tailLines));
  if (o.limitBytes !== undefined) q.set('limitBytes', String(o.limitBytes));
  const qs = q.toString();
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log${qs ? `?${qs}` : ''}`;
}

// The kubelet's (and CRI's) timestamp: RFC 3339 with up to nanoseconds, then one space.
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) ?/;

/** Reads the kubelet's timestamp off a line (timestamps=true): the time in epoch ms and the rest. */
export function parseTimestamped(line: string): RawLogLine {
  const m = STAMP.exec(line);
  if (!m) return { text: line };
  const at = Date.parse(m[1]!);
  return Number.isFinite(at) ? { text: line.slice(m[0].length), at } : { text: line };
}

/** Splits a byte stream into lines (\n or \r\n), UTF-8 safe across chunks; the last line without a newline comes at end(). */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  push(chunk: Buffer | string): string[] {
    const s = this.rest + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = s.split('\n');
    this.rest = parts.pop() ?? '';
    // A line that never ends is cut, and its remainder dropped until the next newline.
    if (this.rest.length > MAX_LINE_CHARS * 4) this.rest = this.rest.slice(0, MAX_LINE_CHARS);
    return parts.map(clean);
  }

  end(): string[] {
    const s = this.rest + this.decoder.end();
    this.rest = '';
    return s === '' ? [] : [clean(s)];
  }
}

function clean(line: string): string {
  const l = line.endsWith('\r') ? line.slice(0, -1) : line;
  return l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS)}…` : l;
}

/** What the API answered instead of a log: its status and its exact message (the Status's, or the body). */
export class LogError extends ConnectionError {
  constructor(kind: ConnectionErrorKind, message: string, status?: number) {
    super(kind, message, status === undefined ? {} : { status });
  }
}

/** The API's exact message of a non-2xx answer: a Status's message, else the body's text. */
export function apiMessage(body: string): string {
  try {
    const s = JSON.parse(body) as { message?: unknown };
    if (typeof s?.message === 'string' && s.message) return s.message;
  } catch {
    /* not a Status */
  }
  return body.trim().slice(0, 1000) || '(no message)';
}

export function apiError(status: number, body: string): LogError {
  const kind: ConnectionErrorKind = status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'server';
  return new LogError(kind, apiMessage(body), status);
}

export interface PodLogStream {
  /** stop reading (the request is aborted); `ended` then resolves without an error */
  stop(): void;
  /** stop delivering lines for a while (the socket is paused: the server waits) */
  pause(): void;
  resume(): void;
  /** the log ended: the body finished, the request failed midway (error: why), or stop() */
  readonly ended: Promise<{ error?: string }>;
}

/**
 * Opens a pod's log and delivers it line by line. Resolves once the API answered 2xx; rejects with a
 * LogError carrying the API's exact message otherwise (a container that is not in the pod, a
 * previous instance that does not exist, forbidden...), or with the connection's error.
 */
export async function openPodLog(
  conn: Connection,
  namespace: string,
  pod: string,
  o: PodLogOptions,
  onLines: (lines: RawLogLine[]) => void,
  opts: { signal?: AbortSignal; headerTimeoutMs?: number } = {},
): Promise<PodLogStream> {
  const ac = new AbortController();
  const outer = opts.signal;
  const onOuter = () => ac.abort();
  if (outer?.aborted) ac.abort();
  outer?.addEventListener('abort', onOuter, { once: true });
  const path = podLogPath(namespace, pod, o);
  // No idle timeout on a followed log (it may be quiet for hours); the answer's headers must come soon.
  const headerTimeout = setTimeout(() => ac.abort(), opts.headerTimeoutMs ?? 30_000);
  let res: KubeResponse;
  try {
    // (the log endpoint refuses text/plain in Accept; kubectl sends */*)
    res = await conn.open(path, { accept: '*/*', timeoutMs: o.follow ? 0 : 60_000, signal: ac.signal });
  } catch (e) {
    outer?.removeEventListener('abort', onOuter);
    if (ac.signal.aborted && !outer?.aborted)
      throw new LogError('timeout', `${pod}: the API server did not answer the log request within 30 s`);
    throw e;
  } finally {
    clearTimeout(headerTimeout);
  }
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    outer?.removeEventListener('abort', onOuter);
    const body = await readBody(res, 1 << 20).catch(() => '');
    throw apiError(status, body);
  }
  const split = new LineSplitter();
  const deliver = (lines: string[]) => {
    if (lines.length) onLines(o.timestamps ? lines.map(parseTimestamped) : lines.map((text) => ({ text })));
  };
  let stopped = false;
  const ended = new Promise<{ error?: string }>((resolve) => {
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      outer?.removeEventListener('abort', onOuter);
      resolve(error && !stopped && !ac.signal.aborted ? { error } : {});
    };
    res.on('data', (chunk: Buffer) => deliver(split.push(chunk)));
    res.on('end', () => {
      deliver(split.end());
      finish();
    });
    res.on('error', (e) => finish(e.message));
    res.on('close', () => {
      // closed before its end: aborted (stop, the page went away) or the connection broke
      if (!res.complete) finish(ac.signal.aborted ? undefined : 'the connection to the API server closed');
      else finish();
    });
  });
  return {
    stop() {
      stopped = true;
      ac.abort();
      res.destroy();
    },
    pause: () => res.pause(),
    resume: () => res.resume(),
    ended,
  };
}

/** A pod's log read whole (no follow): the last `tailLines`, at most `limitBytes`. What bundles take. */
export async function readPodLog(
  conn: Connection,
  namespace: string,
  pod: string,
  o: PodLogOptions,
  signal?: AbortSignal,
): Promise<string> {
  const out: string[] = [];
  const s = await openPodLog(
    conn,
    namespace,
    pod,
    { ...o, follow: false },
    (lines) => {
      for (const l of lines) out.push(l.at !== undefined ? `${new Date(l.at).toISOString()} ${l.text}` : l.text);
    },
    signal ? { signal } : {},
  );
  const { error } = await s.ended;
  if (error) throw new LogError('unreachable', error);
  return out.length ? `${out.join('\n')}\n` : '';
}

/**
 * Lines gathered for pushes: at most one push per interval (~10 a second), at most `cap` lines in a
 * push; what is beyond the cap waits for the next one. `backlog` says how many wait (the reader pauses
 * its sources while it is large, so a fast log cannot fill memory).
 */
export class LineBatcher<T> {
  private buf: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private closed = false;
  private readonly flushFn: (lines: T[], last: boolean) => void;
  private readonly intervalMs: number;
  private readonly cap: number;
  private last = 0;
  /** called when the backlog fell under the cap again */
  onDrain: (() => void) | undefined;

  constructor(flush: (lines: T[], last: boolean) => void, opts: { intervalMs?: number; cap?: number } = {}) {
    this.flushFn = flush;
    this.intervalMs = opts.intervalMs ?? 100;
    this.cap = opts.cap ?? 1000;
  }

  get backlog(): number {
    return this.buf.length;
  }

  add(lines: readonly T[]): void {
    if (this.closing || !lines.length) return;
    for (const l of lines) this.buf.push(l);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const wait = Math.max(0, this.last + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushNow();
    }, wait);
  }

  private flushNow(): void {
    if (!this.buf.length && !this.closing) return;
    const lines = this.buf.length > this.cap ? this.buf.splice(0, this.cap) : this.buf.splice(0);
    this.last = Date.now();
    const last = this.closing && !this.buf.length;
    if (last) this.closed = true;
    this.flushFn(lines, last);
    if (this.buf.length) this.schedule();
    else if (!last) this.onDrain?.();
  }

  /**
   * No more lines: what is left is pushed at the same pace, the last push marked (at once when nothing
   * is left). `now`: drop the backlog and mark the end at once (the stream was stopped).
   */
  close(now = false): void {
    if (this.closing) {
      if (!now || this.closed) return;
    }
    this.closing = true;
    if (now) this.buf = [];
    if (!this.buf.length) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.flushNow();
    } else this.schedule();
  }
}
