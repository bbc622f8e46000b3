// One cluster entry's connection: TLS material, credentials and transport, built from the entry's own
// kubeconfig stanzas only (never merged across files by user name: client-node #592). Every request
// gets fresh credentials: token files are re-read when they change, exec credentials are refreshed
// before they expire, and an exec plugin never runs unless the user approved it (TrustStore).
import { Agent, request, type AgentOptions } from 'node:https';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { HttpsProxyAgent, HttpProxyAgent } from 'hpagent';
import { SocksProxyAgent } from 'socks-proxy-agent';
// client-node is loaded only for an OIDC user (its one use here): it takes about half a second to load,
// and every thread that reads the cache (snapshot jobs, the store thread) would pay it.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ContextEntry } from '../fleet/kubeconfig.ts';
import { execRequest, type ExecRequest, type TrustStore } from '../fleet/trust.ts';
import { ExecCredentialCache, type ExecCredential } from './exec.ts';
import { H2Pool, H2Unavailable, type H2Tuning, type KubeResponse, type TransportInfo } from './transport.ts';

export type { KubeResponse, TransportInfo } from './transport.ts';

export type ConnectionErrorKind =
  'needs-approval' | 'config' | 'unreachable' | 'unauthorized' | 'forbidden' | 'tls' | 'timeout' | 'server' | 'auth-plugin';

export class ConnectionError extends Error {
  readonly kind: ConnectionErrorKind;
  readonly status?: number;
  readonly exec?: ExecRequest;
  constructor(kind: ConnectionErrorKind, message: string, extra: { status?: number; exec?: ExecRequest } = {}) {
    super(message);
    this.kind = kind;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.exec) this.exec = extra.exec;
  }
}

export interface ConnectionDeps {
  trust: TrustStore;
  execCache: ExecCredentialCache;
  /** PATH for exec plugins (the login shell's, in the desktop app) */
  execPath?: string;
  execTimeoutMs?: number;
  /**
   * HTTP/2 (one session per cluster, every request a stream on it) or HTTP/1.1 (a socket per open
   * request). On unless `http2: false` here or FLEET_HTTP2=0 in the environment.
   */
  transport?: { http2?: boolean } & H2Tuning;
}

/** HTTP/2 unless switched off (deps.transport.http2, else FLEET_HTTP2=0|off|false). */
function http2Wanted(deps: ConnectionDeps): boolean {
  if (deps.transport?.http2 !== undefined) return deps.transport.http2;
  const env = process.env.FLEET_HTTP2?.trim().toLowerCase();
  if (env === '0' || env === 'off' || env === 'false' || env === 'no') return false;
  return true;
}

/** The transports of one TLS identity: an HTTP/2 pool (when h2 may be tried) and the HTTP/1.1 agent. */
interface Route {
  agent: HttpAgent;
  h2: H2Pool | undefined;
}

function countSockets(agent: HttpAgent): { open: number; busy: number } {
  const n = (m: NodeJS.ReadOnlyDict<unknown[]> | undefined) => Object.values(m ?? {}).reduce((a, l) => a + (l?.length ?? 0), 0);
  const busy = n(agent.sockets);
  return { open: busy + n(agent.freeSockets), busy };
}

function readMaybe(file: string | undefined, what: string): Buffer | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ConnectionError('config', `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function b64(data: string | undefined): Buffer | undefined {
  return data ? Buffer.from(data, 'base64') : undefined;
}

/** What a failed connection means for a cluster's status (forbidden kept apart: per-kind for reflectors). */
export function statusOfError(kind: ConnectionErrorKind): 'unauthorized' | 'forbidden' | 'needs-approval' | 'error' | 'unreachable' {
  switch (kind) {
    case 'unauthorized':
    case 'forbidden':
    case 'needs-approval':
      return kind;
    case 'config':
    case 'auth-plugin':
      return 'error';
    default:
      return 'unreachable';
  }
}

/** Classify a low-level error the way a user needs to read it. */
export function classifyError(e: unknown): ConnectionError {
  if (e instanceof ConnectionError) return e;
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = err.code ?? '';
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/.test(code) || /certificate/i.test(err.message)) {
    return new ConnectionError('tls', `TLS: ${err.message}`);
  }
  if (code === 'ETIMEDOUT' || /timed out/i.test(err.message)) return new ConnectionError('timeout', err.message);
  if (['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED'].includes(code)) {
    return new ConnectionError('unreachable', `${code}: ${err.message}`);
  }
  return new ConnectionError('unreachable', err.message);
}

export class Connection {
  readonly entry: ContextEntry;
  readonly server: URL;
  private readonly deps: ConnectionDeps;
  private readonly route: Route;
  /** why HTTP/2 is never tried for this connection (plain http://, switched off) */
  private readonly h2Off: string | undefined;
  private readonly exec: ExecRequest | undefined;
  private tokenFileCache: { mtimeMs: number; token: string } | undefined;
  private execCert: ExecCredential | undefined;
  private oidc: Promise<KubeConfig> | undefined;
  private routeWithExecCert: Route | undefined;

  constructor(entry: ContextEntry, deps: ConnectionDeps) {
    if (entry.error || !entry.cluster) throw new ConnectionError('config', entry.error ?? 'no cluster');
    this.entry = entry;
    this.deps = deps;
    this.server = new URL(entry.cluster.server);
    this.exec = execRequest(entry);
    this.h2Off = !http2Wanted(deps)
      ? 'HTTP/2 switched off (FLEET_HTTP2=0 or transport.http2: false)'
      : this.server.protocol !== 'https:'
        ? 'plain http:// server: HTTP/1.1 (no h2c)'
        : undefined;
    this.route = this.makeRoute();
  }

  /** What would run, when an exec plugin still needs the user's approval. */
  pendingApproval(): ExecRequest | undefined {
    return this.exec && !this.deps.trust.isApproved(this.exec) ? this.exec : undefined;
  }

  private tlsOptions(cert?: Buffer, key?: Buffer): AgentOptions {
    const c = this.entry.cluster!;
    const u = this.entry.user;
    const o: AgentOptions = { rejectUnauthorized: !c.insecureSkipTlsVerify };
    const ca = b64(c.caData) ?? readMaybe(c.caFile, 'certificate-authority');
    if (ca) o.ca = ca;
    const crt = cert ?? b64(u?.certData) ?? readMaybe(u?.certFile, 'client-certificate');
    const k = key ?? b64(u?.keyData) ?? readMaybe(u?.keyFile, 'client-key');
    if (crt && k) {
      o.cert = crt;
      o.key = k;
    } else if (crt || k) {
      throw new ConnectionError('config', 'the user has a client certificate without its key (or the reverse)');
    }
    if (c.tlsServerName) o.servername = c.tlsServerName;
    return o;
  }

  private makeAgent(cert?: Buffer, key?: Buffer): HttpAgent {
    const c = this.entry.cluster!;
    // HTTP/1.1 needs a socket per open watch (26 kinds per cluster): no per-host cap, or watches queue
    // behind each other in the agent and never start. (HTTP/2 would multiplex them on one connection.)
    const tls = { ...this.tlsOptions(cert, key), keepAlive: true, maxSockets: Infinity };
    if (c.proxyUrl) {
      if (c.proxyUrl.startsWith('socks')) return new SocksProxyAgent(c.proxyUrl, tls) as unknown as HttpAgent;
      if (this.server.protocol === 'https:') return new HttpsProxyAgent({ ...tls, proxy: c.proxyUrl }) as unknown as HttpAgent;
      return new HttpProxyAgent({ keepAlive: true, maxSockets: Infinity, proxy: c.proxyUrl }) as unknown as HttpAgent;
    }
    return this.server.protocol === 'https:' ? new Agent(tls) : new HttpAgent({ keepAlive: true, maxSockets: Infinity });
  }

  private makeRoute(cert?: Buffer, key?: Buffer): Route {
    const agent = this.makeAgent(cert, key);
    const h2 = this.h2Off
      ? undefined
      : new H2Pool(this.server, this.tlsOptions(cert, key), this.entry.cluster!.proxyUrl, this.deps.transport ?? {});
    return { agent, h2 };
  }

  /** What carries this connection's requests now: h2 sessions (or HTTP/1.1 sockets) and open streams. */
  transport(): TransportInfo {
    const route = this.routeWithExecCert ?? this.route;
    const routes = [this.route, this.routeWithExecCert].filter((r): r is Route => !!r);
    if (route.h2 && !route.h2.unavailable) {
      const s = routes.map((r) => r.h2?.info() ?? { sessions: 0, streams: 0 });
      return { protocol: 'h2', sessions: s.reduce((a, i) => a + i.sessions, 0), streams: s.reduce((a, i) => a + i.streams, 0) };
    }
    const c = routes.map((r) => countSockets(r.agent));
    const info: TransportInfo = {
      protocol: 'http/1.1',
      sessions: c.reduce((a, i) => a + i.open, 0),
      streams: c.reduce((a, i) => a + i.busy, 0),
    };
    const reason = route.h2?.unavailable ?? this.h2Off;
    if (reason) info.reason = reason;
    return info;
  }

  private tokenFromFile(file: string): string {
    let st;
    try {
      st = statSync(file);
    } catch (e) {
      throw new ConnectionError('config', `cannot read tokenFile ${file}: ${(e as NodeJS.ErrnoException).code}`);
    }
    if (!this.tokenFileCache || this.tokenFileCache.mtimeMs !== st.mtimeMs) {
      this.tokenFileCache = { mtimeMs: st.mtimeMs, token: readFileSync(file, 'utf8').trim() };
    }
    return this.tokenFileCache.token;
  }

  /** Headers and agent for the next request. */
  async auth(): Promise<{ headers: Record<string, string>; agent: HttpAgent; h2: H2Pool | undefined }> {
    const u = this.entry.user;
    const headers: Record<string, string> = {};
    let route = this.route;
    if (u?.exec && this.exec) {
      if (!this.deps.trust.isApproved(this.exec)) {
        throw new ConnectionError('needs-approval', `exec plugin not approved: ${this.exec.command} ${this.exec.args.join(' ')}`, {
          exec: this.exec,
        });
      }
      let cred: ExecCredential;
      try {
        const opts: Parameters<ExecCredentialCache['get']>[2] = { timeoutMs: this.deps.execTimeoutMs ?? 60_000 };
        if (this.deps.execPath) opts.path = this.deps.execPath;
        if (u.exec.provideClusterInfo) {
          opts.cluster = { server: this.entry.cluster!.server };
          if (this.entry.cluster!.caData) opts.cluster['certificate-authority-data'] = this.entry.cluster!.caData;
        }
        cred = await this.deps.execCache.get(this.entry.id, u.exec, opts);
      } catch (e) {
        throw new ConnectionError('auth-plugin', (e as Error).message);
      }
      if (cred.token) headers.Authorization = `Bearer ${cred.token}`;
      if (cred.clientCertificateData && cred.clientKeyData) {
        if (this.execCert !== cred || !this.routeWithExecCert) {
          this.routeWithExecCert?.agent.destroy();
          this.routeWithExecCert?.h2?.close();
          this.routeWithExecCert = this.makeRoute(Buffer.from(cred.clientCertificateData), Buffer.from(cred.clientKeyData));
          this.execCert = cred;
        }
        route = this.routeWithExecCert;
      }
    } else if (u?.authProvider?.name === 'oidc') {
      // client-node's OIDC support (refresh with the refresh-token), one KubeConfig per entry so its
      // token state is never shared between users (one promise: concurrent requests share the one).
      this.oidc ??= oidcConfig(this.entry);
      const opts: { headers: Record<string, string> } = { headers: {} };
      try {
        await (await this.oidc).applyToHTTPSOptions(opts as never);
      } catch (e) {
        throw new ConnectionError('auth-plugin', `OIDC: ${(e as Error).message}`);
      }
      // client-node gives no token, silently, for an expired id-token it cannot renew: the request
      // would go out anonymous, and a cluster that lets anonymous users read /version would look live.
      if (!opts.headers.Authorization) throw new ConnectionError('unauthorized', oidcMissing(u.authProvider.config ?? {}));
      Object.assign(headers, opts.headers);
    } else if (u?.token) headers.Authorization = `Bearer ${u.token}`;
    else if (u?.tokenFile) headers.Authorization = `Bearer ${this.tokenFromFile(u.tokenFile)}`;
    else if (u?.username && u.password !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;
    }
    if (u?.impersonate) headers['Impersonate-User'] = u.impersonate;
    return { headers, agent: route.agent, h2: route.h2 };
  }

  /** A raw request; the response is returned unread (for streaming LIST and WATCH bodies). */
  async open(
    path: string,
    opts: { method?: string; timeoutMs?: number; signal?: AbortSignal; accept?: string; body?: string; contentType?: string } = {},
  ): Promise<KubeResponse> {
    const { headers, agent, h2 } = await this.auth();
    headers.Accept = opts.accept ?? 'application/json';
    if (opts.body !== undefined) {
      // a patch says which kind it is: application/merge-patch+json, application/strategic-merge-patch+json
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    }
    headers['User-Agent'] = 'fleet-console/0.1';
    const url = new URL(this.server.pathname.replace(/\/$/, '') + path, this.server);
    if (h2 && !h2.unavailable) {
      let res: KubeResponse | undefined;
      try {
        res = await h2.request({
          method: opts.method ?? 'GET',
          path: url.pathname + url.search,
          headers,
          body: opts.body,
          timeoutMs: opts.timeoutMs ?? 30_000,
          signal: opts.signal,
        });
      } catch (e) {
        // the server (or a proxy) refused h2 before anything was sent: HTTP/1.1 from now on
        if (!(e instanceof H2Unavailable)) throw classifyError(e);
      }
      if (res) {
        if (res.statusCode === 401 && this.entry.user?.exec) this.deps.execCache.invalidate(this.entry.id);
        return res;
      }
    }
    const fn = url.protocol === 'https:' ? request : httpRequest;
    return new Promise((resolve, reject) => {
      const req = fn(
        url,
        { method: opts.method ?? 'GET', agent, headers, timeout: opts.timeoutMs ?? 30_000, signal: opts.signal },
        (res) => {
          if (res.statusCode === 401 && this.entry.user?.exec) this.deps.execCache.invalidate(this.entry.id);
          resolve(res);
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error(`request timed out after ${opts.timeoutMs ?? 30_000} ms`), { code: 'ETIMEDOUT' })),
      );
      req.on('error', (e) => reject(classifyError(e)));
      req.end(opts.body);
    });
  }

  /** GET a JSON document; non-2xx becomes a ConnectionError with the server's message. */
  async getJSON<T = unknown>(path: string, timeoutMs = 30_000): Promise<T> {
    const res = await this.open(path, { timeoutMs });
    const text = await readBody(res);
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ConnectionError('server', `${path}: the server did not answer JSON`);
      }
    }
    throw statusError(status, path, text);
  }

  close(): void {
    for (const r of [this.route, this.routeWithExecCert]) {
      r?.agent.destroy();
      r?.h2?.close();
    }
  }
}

export function readBody(res: KubeResponse, limit = 256 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    res.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        res.destroy(new Error(`response larger than ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

export function statusError(status: number, path: string, body: string): ConnectionError {
  let message = body.slice(0, 300);
  try {
    const s = JSON.parse(body) as { message?: string };
    if (s.message) message = s.message;
  } catch {
    /* not a Status */
  }
  const kind: ConnectionErrorKind = status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'server';
  return new ConnectionError(kind, `${status}: ${message}`, { status });
}

/** Why an OIDC user has no token to send: what the user does about it. */
export function oidcMissing(config: Record<string, string | undefined>): string {
  if (!config['id-token']) return 'OIDC: the kubeconfig has no id-token: log in first (e.g. kubectl oidc-login)';
  const missing = ['refresh-token', 'client-id', 'idp-issuer-url'].filter((k) => !config[k]);
  let exp = '';
  try {
    const payload = JSON.parse(Buffer.from(config['id-token'].split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    if (typeof payload.exp === 'number') exp = ` at ${new Date(payload.exp * 1000).toISOString()}`;
  } catch {
    /* not a JWT: then it never had an expiry client-node could read */
  }
  return `OIDC: the id-token expired${exp} and cannot be renewed (no ${missing.join(', ') || 'refresh'} in the kubeconfig): log in again (e.g. kubectl oidc-login)`;
}

async function oidcConfig(e: ContextEntry): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  const c = e.cluster!;
  const u = e.user!;
  const cluster: Record<string, unknown> = { name: e.id, server: c.server, skipTLSVerify: c.insecureSkipTlsVerify };
  if (c.caData) cluster.caData = c.caData;
  if (c.caFile) cluster.caFile = c.caFile;
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: e.id, authProvider: { name: 'oidc', config: { ...u.authProvider!.config } } }],
    contexts: [{ name: e.id, cluster: e.id, user: e.id }],
    currentContext: e.id,
  });
  return kc;
}
