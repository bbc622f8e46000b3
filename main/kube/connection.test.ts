import { after, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  constants,
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
  type Settings,
} from 'node:http2';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { ContextEntry, ResolvedCluster } from '../fleet/kubeconfig.ts';
import { TrustStore, execRequest } from '../fleet/trust.ts';
import { Connection, ConnectionError, oidcMissing, readBody, type ConnectionDeps, type KubeResponse } from './connection.ts';
import { ExecCredentialCache } from './exec.ts';

test('oidcMissing: what an OIDC user without a token to send must do', () => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const jwt = `${b64({ alg: 'RS256' })}.${b64({ exp: 1_800_000_000 })}.sig`;
  assert.match(oidcMissing({}), /no id-token: log in first/);
  assert.equal(
    oidcMissing({ 'id-token': jwt, 'client-id': 'k' }),
    'OIDC: the id-token expired at 2027-01-15T08:00:00.000Z and cannot be renewed (no refresh-token, idp-issuer-url in the kubeconfig): log in again (e.g. kubectl oidc-login)',
  );
  // not a JWT (no expiry to read), every renewal field there: the refresh gave nothing
  assert.equal(
    oidcMissing({ 'id-token': 'opaque', 'client-id': 'k', 'refresh-token': 'r', 'idp-issuer-url': 'https://idp' }),
    'OIDC: the id-token expired and cannot be renewed (no refresh in the kubeconfig): log in again (e.g. kubectl oidc-login)',
  );
  assert.match(oidcMissing({ 'id-token': 'a.%%%.b' }), /expired and cannot be renewed \(no refresh-token, client-id, idp-issuer-url/);
});

// ---- transport: HTTP/2 (one session per connection) and its HTTP/1.1 fallback, against real servers ----

const dir = mkdtempSync(join(tmpdir(), 'fleet-conn-'));
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ],
  { stdio: 'ignore' },
);
const KEY = readFileSync(join(dir, 'key.pem'));
const CERT = readFileSync(join(dir, 'cert.pem'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Everything a test starts, closed at its end. */
class Bag {
  private readonly closers: (() => unknown)[] = [];
  add<T>(c: () => unknown, v: T): T {
    this.closers.push(c);
    return v;
  }
  async close(): Promise<void> {
    for (const c of this.closers.reverse()) await c();
  }
}

function entry(server: string, cluster: Partial<ResolvedCluster> = {}): ContextEntry {
  return {
    id: `test-${server}`,
    file: join(dir, 'kubeconfig'),
    context: 'test',
    source: 'file',
    authKind: 'token',
    warnings: [],
    cluster: {
      name: 't',
      server,
      caData: CERT.toString('base64'),
      insecureSkipTlsVerify: false,
      file: join(dir, 'kubeconfig'),
      ...cluster,
    },
    user: { name: 'u', file: join(dir, 'kubeconfig'), token: 'tok' },
  };
}

function conn(
  bag: Bag,
  server: string,
  o: { cluster?: Partial<ResolvedCluster>; transport?: ConnectionDeps['transport'] } = {},
): Connection {
  const deps: ConnectionDeps = { trust: new TrustStore(join(dir, 'approvals.json')), execCache: new ExecCredentialCache() };
  if (o.transport) deps.transport = o.transport;
  const c = new Connection(entry(server, o.cluster), deps);
  return bag.add(() => c.close(), c);
}

interface Seen {
  path: string;
  version: string;
  auth: string | undefined;
  body: string;
}

type Handler = (req: Http2ServerRequest | IncomingMessage, res: Http2ServerResponse | ServerResponse, seen: Seen) => void;

/** Answers /echo with what it saw; /hang never answers; /watch writes a line now and keeps the body open. */
const defaultHandler: Handler = (req, r, seen) => {
  const res = r as ServerResponse;
  if (seen.path.startsWith('/hang')) return;
  if (seen.path.startsWith('/watch')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(JSON.stringify({ type: 'ADDED', object: { path: seen.path } }) + '\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ...seen, contentType: req.headers['content-type'] ?? null }));
};

async function listen(s: Server | Http2SecureServer | NetServer): Promise<number> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

/** An HTTPS server: h2 (and HTTP/1.1 for clients without h2), or HTTP/1.1 only. Counts TLS connections. */
async function apiServer(
  bag: Bag,
  kind: 'h2' | 'http1' | 'http1-alpn' | 'plain',
  o: { settings?: Settings; handler?: Handler; tls?: { requestCert: boolean; rejectUnauthorized: boolean } } = {},
): Promise<{ url: string; seen: Seen[]; connections: () => number; sockets: Set<Duplex>; sessions: Set<ServerHttp2Session> }> {
  const seen: Seen[] = [];
  const sockets = new Set<Duplex>();
  const sessions = new Set<ServerHttp2Session>();
  let connections = 0;
  const handler = o.handler ?? defaultHandler;
  const onRequest = (req: Http2ServerRequest | IncomingMessage, res: Http2ServerResponse | ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const s: Seen = { path: req.url ?? '', version: req.httpVersion, auth: req.headers.authorization, body };
      seen.push(s);
      handler(req, res, s);
    });
  };
  let server: Server | Http2SecureServer;
  if (kind === 'h2') {
    const h2: Http2SecureServer = createSecureServer(
      { key: KEY, cert: CERT, allowHTTP1: true, ...o.tls, ...(o.settings ? { settings: o.settings } : {}) },
      onRequest,
    );
    h2.on('session', (s: ServerHttp2Session) => {
      sessions.add(s);
      s.on('close', () => sessions.delete(s));
    });
    server = h2;
  } else if (kind === 'plain') server = createHttpServer(onRequest);
  else server = createHttpsServer({ key: KEY, cert: CERT, ...(kind === 'http1-alpn' ? { ALPNProtocols: ['http/1.1'] } : {}) }, onRequest);
  server.on(kind === 'plain' ? 'connection' : 'secureConnection', (s: Duplex) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  bag.add(async () => {
    for (const s of sockets) s.destroy();
    for (const s of sessions) s.destroy();
    await new Promise((r) => server.close(r));
  }, undefined);
  return { url: `${kind === 'plain' ? 'http' : 'https'}://127.0.0.1:${port}`, seen, connections: () => connections, sockets, sessions };
}

async function json(res: KubeResponse): Promise<Record<string, unknown>> {
  assert.equal(res.statusCode, 200);
  return JSON.parse(await readBody(res)) as Record<string, unknown>;
}

/** The first line of a streamed body, the stream left open. */
function firstLine(res: KubeResponse): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const on = (c: Buffer) => {
      buf += c.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        res.removeListener('data', on);
        resolve(buf.slice(0, nl));
      }
    };
    res.on('data', on);
    res.once('error', reject);
  });
}

function streamError(res: KubeResponse): Promise<Error> {
  return new Promise((resolve, reject) => {
    res.on('error', resolve);
    res.on('end', () => reject(new Error('the stream ended instead of failing')));
    res.resume();
  });
}

describe('transport', () => {
  it('HTTP/2: many concurrent requests (lists and long watches) share ONE session', async () => {
    const bag = new Bag();
    try {
      const api = await apiServer(bag, 'h2');
      const c = conn(bag, api.url);
      const watches = await Promise.all(Array.from({ length: 26 }, (_, i) => c.open(`/watch/${i}?watch=1`, { timeoutMs: 0 })));
      const lines = await Promise.all(watches.map(firstLine));
      assert.deepEqual(
        lines.map((l) => (JSON.parse(l) as { object: { path: string } }).object.path),
        Array.from({ length: 26 }, (_, i) => `/watch/${i}?watch=1`),
      );
      const lists = await Promise.all(Array.from({ length: 30 }, (_, i) => c.open(`/echo/${i}`).then(json)));
      assert.ok(lists.every((l) => l.version === '2.0' && l.auth === 'Bearer tok'));
      await until(() => c.transport().streams === 26); // (a read list's stream closes just after its end)
      assert.deepEqual(c.transport(), { protocol: 'h2', sessions: 1, streams: 26 });
      // a request body with its Content-Type (Content-Length is node's business in h2)
      const posted = await json(
        await c.open('/echo/post', { method: 'POST', body: '{"a":1}', contentType: 'application/merge-patch+json' }),
      );
      assert.equal(posted.body, '{"a":1}');
      assert.equal(posted.contentType, 'application/merge-patch+json');
      assert.equal(api.connections(), 1, 'one TLS connection for 57 requests');
      for (const w of watches) w.destroy();
      await until(() => c.transport().streams === 0);
      assert.deepEqual(c.transport(), { protocol: 'h2', sessions: 1, streams: 0 });
    } finally {
      await bag.close();
    }
  });

  it('beyond the server’s maxConcurrentStreams, requests go on a second session instead of queueing', async () => {
    const bag = new Bag();
    try {
      const api = await apiServer(bag, 'h2', { settings: { maxConcurrentStreams: 4 } });
      const c = conn(bag, api.url);
      const watches = await Promise.all(Array.from({ length: 10 }, (_, i) => c.open(`/watch/${i}`, { timeoutMs: 0 })));
      await Promise.all(watches.map(firstLine));
      const t = c.transport();
      assert.equal(t.protocol, 'h2');
      assert.equal(t.sessions, 3);
      assert.equal(t.streams, 10);
      assert.equal(api.connections(), 3);
      for (const w of watches) w.destroy();
    } finally {
      await bag.close();
    }
  });

  for (const kind of ['http1', 'http1-alpn'] as const) {
    it(`an HTTP/1.1-only server (${kind === 'http1' ? 'node https defaults' : 'ALPN http/1.1 only'}): fallback to HTTP/1.1 with the reason, requests work`, async () => {
      const bag = new Bag();
      try {
        const api = await apiServer(bag, kind);
        const c = conn(bag, api.url);
        const got = await Promise.all(Array.from({ length: 5 }, (_, i) => c.open(`/echo/${i}`).then(json)));
        assert.ok(got.every((g) => g.version === '1.1' && g.auth === 'Bearer tok'));
        const posted = await json(await c.open('/echo/post', { method: 'POST', body: 'x', contentType: 'text/plain' }));
        assert.equal(posted.body, 'x');
        const t = c.transport();
        assert.equal(t.protocol, 'http/1.1');
        assert.match(t.reason!, /chose http\/1\.1/);
        assert.ok(t.sessions >= 1 && t.sessions <= 5, `sockets ${t.sessions}`);
      } finally {
        await bag.close();
      }
    });
  }

  it('plain http:// stays HTTP/1.1 (no h2c), and HTTP/2 can be switched off', async () => {
    const bag = new Bag();
    try {
      const plain = await apiServer(bag, 'plain');
      const c = conn(bag, plain.url);
      assert.equal((await json(await c.open('/echo'))).version, '1.1');
      assert.deepEqual(c.transport(), { protocol: 'http/1.1', reason: 'plain http:// server: HTTP/1.1 (no h2c)', sessions: 1, streams: 0 });
      const h2 = await apiServer(bag, 'h2');
      const off = conn(bag, h2.url, { transport: { http2: false } });
      assert.equal((await json(await off.open('/echo'))).version, '1.1');
      assert.match(off.transport().reason!, /switched off/);
    } finally {
      await bag.close();
    }
  });

  it('h2 through an HTTP CONNECT proxy and through a SOCKS5 proxy: one tunnel, one session', async () => {
    const bag = new Bag();
    try {
      const api = await apiServer(bag, 'h2');
      const target = new URL(api.url);
      const tunnels: string[] = [];
      const open = new Set<Socket>();
      const track = (s: Socket) => {
        open.add(s);
        s.on('close', () => open.delete(s));
        return s;
      };
      // HTTP CONNECT
      const http = createHttpServer();
      http.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
        tunnels.push(`connect ${req.url}`);
        const [h, p] = (req.url ?? '').split(':');
        const up = track(
          netConnect(Number(p), h!, () => {
            client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
            up.write(head);
            up.pipe(client).pipe(up);
          }),
        );
        track(client);
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
      });
      const httpPort = await listen(http);
      bag.add(async () => {
        for (const s of open) s.destroy();
        await new Promise((r) => http.close(r));
      }, undefined);
      // SOCKS5 (no auth, CONNECT, IPv4 or a name)
      const socks = createNetServer((client) => {
        track(client);
        client.on('error', () => client.destroy());
        client.once('data', (hello: Buffer) => {
          assert.equal(hello[0], 5);
          client.write(Buffer.from([5, 0]));
          client.once('data', (req: Buffer) => {
            assert.equal(req[1], 1, 'CONNECT');
            let host: string;
            let at: number;
            if (req[3] === 1) {
              host = [...req.subarray(4, 8)].join('.');
              at = 8;
            } else {
              host = req.subarray(5, 5 + req[4]!).toString();
              at = 5 + req[4]!;
            }
            const port = req.readUInt16BE(at);
            tunnels.push(`socks ${host}:${port}`);
            const up = track(
              netConnect(port, host, () => {
                client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
                up.pipe(client).pipe(up);
              }),
            );
            up.on('error', () => client.destroy());
          });
        });
      });
      const socksPort = await listen(socks);
      bag.add(async () => {
        for (const s of open) s.destroy();
        await new Promise((r) => socks.close(r));
      }, undefined);

      for (const proxyUrl of [`http://127.0.0.1:${httpPort}`, `socks5://127.0.0.1:${socksPort}`]) {
        const before = api.connections();
        const c = conn(bag, api.url, { cluster: { proxyUrl } });
        const got = await Promise.all(Array.from({ length: 12 }, (_, i) => c.open(`/echo/${i}`).then(json)));
        assert.ok(
          got.every((g) => g.version === '2.0'),
          proxyUrl,
        );
        await until(() => c.transport().streams === 0);
        assert.deepEqual(c.transport(), { protocol: 'h2', sessions: 1, streams: 0 }, proxyUrl);
        assert.equal(api.connections() - before, 1, proxyUrl);
      }
      assert.deepEqual(tunnels, [`connect 127.0.0.1:${target.port}`, `socks 127.0.0.1:${target.port}`]);
    } finally {
      await bag.close();
    }
  });

  it('abort (before and after the answer) cancels the stream; a timeout is a timeout ConnectionError', async () => {
    const bag = new Bag();
    try {
      const resets: number[] = [];
      const api = await apiServer(bag, 'h2', {
        handler: (req, res, seen) => {
          (req as Http2ServerRequest).stream.on('close', () => resets.push((req as Http2ServerRequest).stream.rstCode));
          defaultHandler(req, res, seen);
        },
      });
      const c = conn(bag, api.url);
      // before the answer
      const ac = new AbortController();
      const p = c.open('/hang', { signal: ac.signal });
      await until(() => api.seen.length === 1);
      ac.abort();
      await assert.rejects(p, (e: ConnectionError) => /aborted/.test(e.message));
      // after the answer: a watch
      const ac2 = new AbortController();
      const w = await c.open('/watch/x', { signal: ac2.signal, timeoutMs: 0 });
      await firstLine(w);
      const failed = streamError(w);
      ac2.abort();
      assert.match((await failed).message, /aborted/);
      await until(() => resets.length === 2);
      assert.deepEqual(resets, [constants.NGHTTP2_CANCEL, constants.NGHTTP2_CANCEL]);
      // a request timeout
      const t0 = Date.now();
      await assert.rejects(
        c.open('/hang', { timeoutMs: 300 }),
        (e: ConnectionError) => e.kind === 'timeout' && /timed out after 300 ms/.test(e.message),
      );
      assert.ok(Date.now() - t0 < 2000);
      await until(() => c.transport().streams === 0);
      assert.equal(c.transport().sessions, 1, 'aborts and timeouts do not cost the session');
      assert.equal((await json(await c.open('/echo'))).version, '2.0');
    } finally {
      await bag.close();
    }
  });

  it('a server killed mid-watch: the watch errors, the next request opens a new session', async () => {
    const bag = new Bag();
    try {
      const api = await apiServer(bag, 'h2');
      const c = conn(bag, api.url);
      const w = await c.open('/watch/a', { timeoutMs: 0 });
      await firstLine(w);
      const failed = streamError(w);
      for (const s of api.sockets) s.destroy(); // as a killed process: the TCP connection just goes
      const e = await failed;
      assert.ok(e instanceof Error);
      await until(() => c.transport().sessions === 0);
      assert.equal((await json(await c.open('/echo'))).version, '2.0');
      assert.equal(api.connections(), 2);
      await until(() => c.transport().streams === 0);
      assert.deepEqual(c.transport(), { protocol: 'h2', sessions: 1, streams: 0 });
      // GOAWAY (a server shutting down gracefully): the next request goes on a new session too
      for (const s of api.sessions) s.goaway();
      await until(() => c.transport().sessions === 0);
      assert.equal((await json(await c.open('/echo'))).version, '2.0');
      assert.equal(api.connections(), 3);
    } finally {
      await bag.close();
    }
  });

  it('a LIST body cut off by a dying server is an error, never a short body', async () => {
    const bag = new Bag();
    try {
      const sockets = new Set<Duplex>();
      const api = await apiServer(bag, 'h2', {
        handler: (_req, r) => {
          const res = r as ServerResponse;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"kind":"PodList","items":[{"metadata":');
          setTimeout(() => {
            for (const s of sockets) s.destroy();
          }, 50);
        },
      });
      const c = conn(bag, api.url);
      const res = await c.open('/api/v1/pods');
      for (const s of api.sockets) sockets.add(s);
      await assert.rejects(readBody(res));
      assert.equal(res.complete, false);
    } finally {
      await bag.close();
    }
  });

  it('a silent session (no PING answer) is dropped: its watch errors, the next request reconnects', async () => {
    const bag = new Bag();
    try {
      const api = await apiServer(bag, 'h2');
      // a TCP relay that can go silent, as a dead network does (nothing is closed, nothing arrives)
      const target = Number(new URL(api.url).port);
      let frozen = false;
      const relays = new Set<Socket>();
      const relay = createNetServer((client) => {
        relays.add(client);
        const up = netConnect(target, '127.0.0.1');
        relays.add(up);
        client.on('data', (d) => frozen || up.write(d));
        up.on('data', (d) => frozen || client.write(d));
        for (const s of [client, up]) {
          s.on('error', () => undefined);
          s.on('close', () => {
            client.destroy();
            up.destroy();
          });
        }
      });
      const port = await listen(relay);
      bag.add(async () => {
        for (const s of relays) s.destroy();
        await new Promise((r) => relay.close(r));
      }, undefined);
      const c = conn(bag, `https://127.0.0.1:${port}`, { transport: { pingIntervalMs: 150, pingTimeoutMs: 300 } });
      const w = await c.open('/watch/a', { timeoutMs: 0 });
      await firstLine(w);
      await new Promise((r) => setTimeout(r, 400)); // pings answered: still there
      assert.equal(c.transport().sessions, 1);
      const failed = streamError(w);
      frozen = true;
      const t0 = Date.now();
      assert.match((await failed).message, /ping not answered/);
      assert.ok(Date.now() - t0 < 2000);
      assert.equal(c.transport().sessions, 0);
      frozen = false;
      assert.equal((await json(await c.open('/echo'))).version, '2.0');
      assert.equal(c.transport().sessions, 1);
    } finally {
      await bag.close();
    }
  });

  it('a wrong CA is a TLS error over h2 as over HTTP/1.1', async () => {
    const bag = new Bag();
    try {
      const api = await apiServer(bag, 'h2');
      const c = conn(bag, api.url, { cluster: { caData: undefined } });
      await assert.rejects(c.open('/echo'), (e: ConnectionError) => e.kind === 'tls');
      const off = conn(bag, api.url, { cluster: { caData: undefined }, transport: { http2: false } });
      await assert.rejects(off.open('/echo'), (e: ConnectionError) => e.kind === 'tls');
      const skip = conn(bag, api.url, { cluster: { caData: undefined, insecureSkipTlsVerify: true } });
      assert.equal((await json(await skip.open('/echo'))).version, '2.0');
    } finally {
      await bag.close();
    }
  });
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('transport: exec credentials', () => {
  it('an exec client certificate gets its own h2 session; a 401 makes the plugin run again', async () => {
    const bag = new Bag();
    try {
      const peers: string[] = [];
      const api = await apiServer(bag, 'h2', {
        handler: (req, r, seen) => {
          const tls = (req as Http2ServerRequest).stream.session!.socket as TLSSocket;
          peers.push(String(tls.getPeerCertificate().subject?.CN ?? 'none'));
          const res = r as ServerResponse;
          if (seen.path === '/unauth') {
            res.writeHead(401, { 'content-type': 'application/json' });
            res.end('{"kind":"Status","message":"Unauthorized"}');
          } else defaultHandler(req, r, seen);
        },
        tls: { requestCert: true, rejectUnauthorized: false },
      });
      const d = mkdtempSync(join(dir, 'exec-'));
      const cred = {
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: { clientCertificateData: CERT.toString(), clientKeyData: KEY.toString() },
      };
      writeFileSync(join(d, 'cred.json'), JSON.stringify(cred));
      const plugin = join(d, 'plugin.sh');
      writeFileSync(plugin, `#!/bin/sh\necho run >> "${join(d, 'runs')}"\ncat "${join(d, 'cred.json')}"\n`);
      chmodSync(plugin, 0o755);
      const runs = () => readFileSync(join(d, 'runs'), 'utf8').trim().split('\n').length;
      const e = entry(api.url);
      e.authKind = 'exec';
      e.user = {
        name: 'u',
        file: e.file,
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: plugin,
          args: [],
          env: [],
          interactiveMode: 'Never',
          provideClusterInfo: false,
        },
      };
      const trust = new TrustStore(join(d, 'approvals.json'));
      trust.approve(execRequest(e)!);
      const c = new Connection(e, { trust, execCache: new ExecCredentialCache() });
      bag.add(() => c.close(), undefined);
      const got = await Promise.all(Array.from({ length: 8 }, (_, i) => c.open(`/echo/${i}`).then(json)));
      assert.ok(got.every((g) => g.version === '2.0'));
      assert.deepEqual(peers, Array(8).fill('127.0.0.1'), 'the exec client certificate is presented');
      assert.equal(runs(), 1);
      await until(() => c.transport().streams === 0);
      assert.deepEqual(c.transport(), { protocol: 'h2', sessions: 1, streams: 0 });
      assert.equal(await c.open('/unauth').then(async (r) => (await readBody(r), r.statusCode)), 401);
      assert.equal((await json(await c.open('/echo/after'))).version, '2.0');
      assert.equal(runs(), 2, 'the 401 invalidated the cached credential');
      await until(() => c.transport().streams === 0);
      assert.deepEqual(c.transport(), { protocol: 'h2', sessions: 1, streams: 0 });
      assert.equal(api.connections(), 2, 'a new credential, a new session');
    } finally {
      await bag.close();
    }
  });
});
