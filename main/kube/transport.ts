// HTTP/2 transport for one cluster connection, the way client-go does it: one TLS connection (an HTTP/2
// session) per cluster and client identity, every request (lists, 26 long watches, logs, actions)
// multiplexed on it as a stream. ALPN offers h2 and http/1.1; a server (or proxy) that picks http/1.1
// is remembered, and the caller falls back to its HTTP/1.1 agent. Proxies: the tunnel (HTTP CONNECT or
// SOCKS) is opened here and TLS runs over it. A session that dies is dropped (its streams error out, the
// next request opens a new one); an idle-ish session is pinged so a dead network is noticed early.
import { connect as h2connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { SocksClient, type SocksProxy } from 'socks';

/** A response, whichever transport carried it: a Readable body with the status and headers. */
export interface KubeResponse extends Readable {
  statusCode?: number | undefined;
  headers: IncomingHttpHeaders;
  /** true once the whole body was read (an IncomingMessage's `complete`) */
  complete: boolean;
}

/** What carries a connection's requests; sessions = HTTP/2 sessions, or HTTP/1.1 sockets. */
export interface TransportInfo {
  protocol: 'h2' | 'http/1.1';
  reason?: string;
  sessions: number;
  streams: number;
}

export interface H2Tuning {
  /** ping a session every so often (client-go ReadIdleTimeout: 30 s) */
  pingIntervalMs?: number;
  /** drop the session when a ping is not answered in this time (client-go PingTimeout: 15 s) */
  pingTimeoutMs?: number;
  /** TCP + TLS + first SETTINGS frame must happen within this time */
  connectTimeoutMs?: number;
}

/** The server (or a proxy) does not speak HTTP/2 to us: use HTTP/1.1, for this reason. */
export class H2Unavailable extends Error {}

export interface H2Request {
  method: string;
  /** path with query */
  path: string;
  headers: Record<string, string>;
  body?: string | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

// Headers HTTP/2 forbids (RFC 9113 8.2.2) or carries as pseudo-headers.
const FORBIDDEN = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'te']);

function errorWithCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function usable(e: Entry): boolean {
  return !e.dead && !e.session.closed && !e.session.destroyed;
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason as unknown });
}

interface Entry {
  session: ClientHttp2Session;
  streams: number;
  max: number;
  dead: boolean;
  /** why the session died, for its streams' errors */
  error?: Error;
}

export class H2Pool {
  private readonly server: URL;
  private readonly tls: ConnectionOptions;
  private readonly proxyUrl: string | undefined;
  private readonly tuning: Required<H2Tuning>;
  private readonly entries: Entry[] = [];
  private pending: Promise<Entry> | undefined;
  private closed = false;
  /** set once the server (or proxy) refused h2: the caller uses HTTP/1.1 from then on */
  unavailable: string | undefined;

  constructor(server: URL, tls: ConnectionOptions, proxyUrl: string | undefined, tuning: H2Tuning = {}) {
    this.server = server;
    this.tls = tls;
    this.proxyUrl = proxyUrl;
    this.tuning = {
      pingIntervalMs: tuning.pingIntervalMs ?? 30_000,
      pingTimeoutMs: tuning.pingTimeoutMs ?? 15_000,
      connectTimeoutMs: tuning.connectTimeoutMs ?? 30_000,
    };
  }

  info(): { sessions: number; streams: number } {
    const live = this.entries.filter((e) => !e.dead);
    return { sessions: live.length, streams: live.reduce((n, e) => n + e.streams, 0) };
  }

  /**
   * A session with room for one more stream, the stream reserved on it (entry.streams counted): an open
   * one, or a new one (one connect shared by concurrent callers; a full one leads to the next session).
   */
  private async acquire(): Promise<Entry> {
    for (;;) {
      if (this.closed) throw errorWithCode('connection closed', 'ECONNABORTED');
      if (this.unavailable) throw new H2Unavailable(this.unavailable);
      const free = this.entries.find((e) => usable(e) && e.streams < e.max);
      if (free) return this.reserve(free);
      if (!this.pending) {
        const p = this.openSession().finally(() => {
          if (this.pending === p) this.pending = undefined;
        });
        this.pending = p;
      }
      const e = await this.pending;
      if (usable(e) && e.streams < e.max) return this.reserve(e);
    }
  }

  private reserve(e: Entry): Entry {
    e.streams++;
    if (e.streams === 1) e.session.ref();
    return e;
  }

  private async openSession(): Promise<Entry> {
    const host = this.server.hostname.replace(/^\[|\]$/g, '');
    const port = Number(this.server.port || 443);
    const deadline = AbortSignal.timeout(this.tuning.connectTimeoutMs);
    let raw: Socket | undefined;
    if (this.proxyUrl) raw = await tunnel(this.proxyUrl, host, port, deadline);
    const o: ConnectionOptions = { ...this.tls, ALPNProtocols: ['h2', 'http/1.1'] };
    // host: the name the certificate is checked against when no servername (tls-server-name) is set
    o.host = host;
    if (raw) o.socket = raw;
    else o.port = port;
    if (!o.servername && !isIP(host)) o.servername = host;
    const sock: TLSSocket = await new Promise((resolve, reject) => {
      const s = tlsConnect(o);
      const fail = (e: Error) => {
        s.destroy();
        raw?.destroy();
        reject(e);
      };
      const onAbort = () => fail(errorWithCode(`connect timed out after ${this.tuning.connectTimeoutMs} ms`, 'ETIMEDOUT'));
      deadline.addEventListener('abort', onAbort, { once: true });
      s.once('secureConnect', () => {
        deadline.removeEventListener('abort', onAbort);
        s.removeListener('error', fail);
        resolve(s);
      });
      s.once('error', fail);
    });
    if (sock.alpnProtocol !== 'h2') {
      sock.destroy();
      this.unavailable =
        sock.alpnProtocol === 'http/1.1'
          ? `the ${this.proxyUrl ? 'server (through the proxy)' : 'server'} chose http/1.1 in ALPN`
          : 'the server did not negotiate h2 (no ALPN answer)';
      throw new H2Unavailable(this.unavailable);
    }
    if (this.closed) {
      sock.destroy();
      throw errorWithCode('connection closed', 'ECONNABORTED');
    }
    const session = h2connect(`https://${this.server.host}`, {
      createConnection: () => sock,
      // larger flow-control windows than the 64 KiB default, like client-go (big LIST pages)
      settings: { initialWindowSize: 4 << 20, enablePush: false },
      maxSessionMemory: 64,
    });
    const entry: Entry = { session, streams: 0, max: 100, dead: false };
    // the server's first SETTINGS frame tells how many streams it takes
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => fail(errorWithCode(`HTTP/2 handshake timed out after ${this.tuning.connectTimeoutMs} ms`, 'ETIMEDOUT'));
      const done = () => {
        deadline.removeEventListener('abort', onAbort);
        session.removeListener('error', fail);
        session.removeListener('close', onClose);
      };
      const fail = (e: Error) => {
        done();
        session.destroy();
        // a peer that answered ALPN h2 and then does not speak it (a broken proxy): HTTP/1.1 then
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (code.startsWith('ERR_HTTP2')) {
          this.unavailable = `HTTP/2 handshake failed (${code}: ${e.message})`;
          reject(new H2Unavailable(this.unavailable));
        } else reject(e);
      };
      const onClose = () => fail(errorWithCode('the server closed the connection during the HTTP/2 handshake', 'ECONNRESET'));
      deadline.addEventListener('abort', onAbort, { once: true });
      session.once('error', fail);
      session.once('close', onClose);
      session.once('remoteSettings', (s) => {
        done();
        entry.max = Math.max(1, Math.min(s.maxConcurrentStreams ?? 100, 1_000_000));
        resolve();
      });
    });
    if (this.closed) {
      session.destroy();
      throw errorWithCode('connection closed', 'ECONNABORTED');
    }
    try {
      session.setLocalWindowSize(32 << 20);
    } catch {
      /* a session already going away */
    }
    const drop = () => {
      clearInterval(ping);
      this.drop(entry);
    };
    session.on('remoteSettings', (s) => {
      if (s.maxConcurrentStreams !== undefined) entry.max = Math.max(1, Math.min(s.maxConcurrentStreams, 1_000_000));
    });
    // GOAWAY: no new streams on it (open ones finish); a new request opens a new session
    session.on('goaway', drop);
    session.on('close', drop);
    session.on('error', (e) => {
      entry.error ??= e;
      drop();
    });
    // client-go's ReadIdleTimeout/PingTimeout: a dead network is noticed without waiting for TCP
    let awaiting = false;
    const ping = setInterval(() => {
      if (awaiting || entry.dead || session.destroyed) return;
      awaiting = true;
      const t = setTimeout(() => {
        entry.error ??= errorWithCode(`HTTP/2 ping not answered in ${this.tuning.pingTimeoutMs} ms: the connection is dead`, 'ETIMEDOUT');
        drop();
        session.destroy();
      }, this.tuning.pingTimeoutMs);
      t.unref();
      try {
        session.ping((err) => {
          awaiting = false;
          clearTimeout(t);
          if (err && !session.destroyed) session.destroy(err);
        });
      } catch {
        clearTimeout(t);
        awaiting = false;
      }
    }, this.tuning.pingIntervalMs);
    ping.unref();
    // an idle session does not keep the process alive (like a free keep-alive socket)
    session.unref();
    this.entries.push(entry);
    return entry;
  }

  /** Send one request; resolves with the response once its headers are in. */
  async request(r: H2Request, retry = true): Promise<KubeResponse> {
    const entry = await this.acquireFor(r);
    const headers: OutgoingHttpHeaders = { ':method': r.method, ':path': r.path, ':authority': this.server.host };
    for (const [k, v] of Object.entries(r.headers)) {
      const lk = k.toLowerCase();
      if (!FORBIDDEN.has(lk)) headers[lk] = v;
    }
    const hasBody = r.body !== undefined;
    let stream: ClientHttp2Stream;
    try {
      stream = entry.session.request(headers, { endStream: !hasBody });
    } catch (e) {
      this.release(entry);
      // a session that went away between acquire and request: drop it, try once on a new one
      this.drop(entry);
      if (retry) return this.request(r, false);
      throw e;
    }
    // why the stream ends early, when we end it (abort, timeout)
    let cause: Error | undefined;
    const onAbort = () => {
      cause ??= abortError(r.signal!);
      if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
    };
    r.signal?.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => {
      this.release(entry);
      r.signal?.removeEventListener('abort', onAbort);
    });
    if (r.timeoutMs > 0) {
      // an idle timeout, as the HTTP/1.1 socket timeout (a watch's events keep it alive)
      stream.setTimeout(r.timeoutMs, () => {
        cause ??= errorWithCode(`request timed out after ${r.timeoutMs} ms`, 'ETIMEDOUT');
        if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
      });
    }
    const why = (fallback: string | Error) =>
      cause ??
      (fallback instanceof Error
        ? fallback
        : (entry.error ?? errorWithCode(stream.rstCode ? `${fallback} (HTTP/2 error code ${stream.rstCode})` : fallback, 'ECONNRESET')));
    if (hasBody) stream.end(r.body);
    return new Promise<KubeResponse>((resolve, reject) => {
      const onError = (e: Error) => {
        off();
        reject(cause ?? e);
      };
      const onClose = () => {
        off();
        reject(why('the connection to the server closed before an answer'));
      };
      const onResponse = (h: Record<string, string | string[] | number | undefined>) => {
        off();
        const out: IncomingHttpHeaders = {};
        for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) (out as Record<string, unknown>)[k] = v;
        resolve(new H2Response(stream, Number(h[':status']), out, why, () => entry.error !== undefined));
      };
      const off = () => {
        stream.removeListener('response', onResponse);
        stream.removeListener('error', onError);
        stream.removeListener('close', onClose);
      };
      stream.once('response', onResponse);
      stream.once('error', onError);
      stream.once('close', onClose);
    });
  }

  /** acquire(), bounded by the request's timeout and signal (a reservation that comes too late is given back) */
  private async acquireFor(r: H2Request): Promise<Entry> {
    const timeoutErr = () => errorWithCode(`request timed out after ${r.timeoutMs} ms`, 'ETIMEDOUT');
    if (r.signal?.aborted) throw abortError(r.signal);
    let lost = false;
    const got = this.acquire();
    got.then(
      (e) => lost && this.release(e),
      () => undefined,
    );
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      return await Promise.race([
        got,
        new Promise<never>((_, reject) => {
          if (r.timeoutMs > 0) timer = setTimeout(() => reject(timeoutErr()), r.timeoutMs);
          if (r.signal) {
            onAbort = () => reject(abortError(r.signal!));
            r.signal.addEventListener('abort', onAbort, { once: true });
          }
        }),
      ]);
    } catch (e) {
      lost = true;
      throw e;
    } finally {
      clearTimeout(timer);
      if (onAbort) r.signal?.removeEventListener('abort', onAbort);
    }
  }

  private drop(entry: Entry): void {
    entry.dead = true;
    const i = this.entries.indexOf(entry);
    if (i >= 0) this.entries.splice(i, 1);
  }

  private release(entry: Entry): void {
    entry.streams = Math.max(0, entry.streams - 1);
    if (entry.streams === 0 && !entry.session.destroyed) entry.session.unref();
  }

  close(): void {
    this.closed = true;
    for (const e of [...this.entries]) {
      e.dead = true;
      e.session.destroy();
    }
    this.entries.length = 0;
  }
}

/**
 * An HTTP/2 stream's body as a KubeResponse. A ClientHttp2Stream ends ('end') even when it was cut
 * off (the session died, RST_STREAM, our abort): here such a body errors instead ('error' when someone
 * listens, as an IncomingMessage does), so a truncated LIST is never parsed and a watch never looks done.
 */
class H2Response extends Readable implements KubeResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  complete = false;
  private readonly source: ClientHttp2Stream;

  constructor(
    source: ClientHttp2Stream,
    status: number,
    headers: IncomingHttpHeaders,
    why: (what: string | Error) => Error,
    broken: () => boolean,
  ) {
    super();
    this.source = source;
    this.statusCode = status;
    this.headers = headers;
    const fail = (e: Error) => {
      if (this.destroyed) return;
      if (this.listenerCount('error') > 0) this.destroy(e);
      else this.destroy();
    };
    source.on('data', (c: Buffer) => {
      if (!this.push(c)) source.pause();
    });
    source.on('end', () => {
      // a normal end (END_STREAM) comes before the stream closes, or with NO_ERROR
      if (source.closed && (source.rstCode !== constants.NGHTTP2_NO_ERROR || broken())) return fail(why('the stream was cut off'));
      this.complete = true;
      this.push(null);
    });
    source.on('error', (e) => fail(why(e)));
    source.on('close', () => {
      if (!this.complete) fail(why('the connection to the server closed'));
    });
  }

  override _read(): void {
    if (this.source.isPaused()) this.source.resume();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    if (!this.source.closed) this.source.close(constants.NGHTTP2_CANCEL);
    cb(err);
  }
}

/** A TCP tunnel to host:port through an HTTP CONNECT or SOCKS proxy. */
export async function tunnel(proxyUrl: string, host: string, port: number, signal?: AbortSignal): Promise<Socket> {
  const p = new URL(proxyUrl);
  if (p.protocol.startsWith('socks')) {
    const type = p.protocol.startsWith('socks4') ? 4 : 5;
    // socks5h / socks4a: the proxy resolves the name; socks5 / socks4: we do
    const remote = p.protocol === 'socks5h:' || p.protocol === 'socks4a:';
    let dest = host;
    if (!remote && !isIP(host)) dest = (await lookup(host, { family: type === 4 ? 4 : 0 })).address;
    const proxy: SocksProxy = { host: p.hostname.replace(/^\[|\]$/g, ''), port: Number(p.port || 1080), type };
    if (p.username) proxy.userId = decodeURIComponent(p.username);
    if (p.password) proxy.password = decodeURIComponent(p.password);
    const { socket } = await SocksClient.createConnection({
      proxy,
      command: 'connect',
      destination: { host: dest, port },
      timeout: 30_000,
    });
    return socket;
  }
  const target = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { Host: target };
  if (p.username) {
    headers['Proxy-Authorization'] =
      `Basic ${Buffer.from(`${decodeURIComponent(p.username)}:${decodeURIComponent(p.password)}`).toString('base64')}`;
  }
  const fn = p.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = fn({
      host: p.hostname.replace(/^\[|\]$/g, ''),
      port: Number(p.port || (p.protocol === 'https:' ? 443 : 80)),
      method: 'CONNECT',
      path: target,
      headers,
      agent: false,
    });
    // (not the request's own signal option: aborting it later would destroy the tunnel socket)
    const onAbort = () => req.destroy(errorWithCode(`proxy ${p.host}: CONNECT timed out`, 'ETIMEDOUT'));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.once('close', () => signal?.removeEventListener('abort', onAbort));
    req.once('connect', (res, socket) => {
      signal?.removeEventListener('abort', onAbort);
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(
          errorWithCode(`proxy ${p.host} refused CONNECT ${target}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim(), 'ECONNREFUSED'),
        );
        return;
      }
      resolve(socket);
    });
    req.once('error', reject);
    req.end();
  });
}
