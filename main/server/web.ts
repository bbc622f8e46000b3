// The web shell: the renderer and the contract over HTTP + WebSocket, on 127.0.0.1 only.
// `npm run web [-- --db PATH --kubeconfig F ... --port P]`. It starts the sync worker (unless
// --offline or --snapshot), serves the built renderer, and answers the contract on /api (WebSocket).
// A per-launch token gates the API, and the Host and Origin headers must name this server, so other
// local pages (or a DNS-rebinding site) cannot read the fleet.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ViewService } from '../views/service.ts';
import { startBackend, type Backend } from '../backend/backend.ts';
import { resolveSnapshotPath } from '../backend/session.ts';
import type { SyncWorkerHandle } from '../worker/client.ts';
import { defaultSourceConfig, sourcesFromPaths } from '../fleet/sources.ts';
import { dataDir } from '../paths.ts';
import { ContractError, type Params, type PushEvent, type Result, type WireMessage } from '../../common/contract.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const RENDERER_DIR = join(ROOT, 'build', 'renderer');
export const DEMO_PATH = join(ROOT, 'resources', 'demo.fleetsnap');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

export interface WebShellOptions {
  db: string;
  /** kubeconfig files or folders; empty: $KUBECONFIG or ~/.kube/config */
  kubeconfigs?: string[];
  contexts?: string[];
  port?: number;
  /** serve the cache without syncing */
  offline?: boolean;
  /** read-only mode: the console takes no actions (cordon, scale, delete...), even if asked */
  readOnly?: boolean;
  /** open a snapshot file read-only (implies offline) */
  snapshot?: boolean;
  /** the live cache (what "back to the live fleet" opens when started on a snapshot) */
  liveDb?: string;
  /** the demo snapshot (default: resources/demo.fleetsnap) */
  demoPath?: string;
  dataDir?: string;
  rendererDir?: string;
  /** reflector options for tests (short watches) */
  reflector?: { watchSeconds?: number; pageSize?: number; backoffMaxMs?: number };
  log?: (line: string) => void;
}

export interface WebShell {
  url: string;
  port: number;
  token: string;
  service: ViewService;
  worker: SyncWorkerHandle | undefined;
  stop(): Promise<void>;
}

function sameToken(a: string | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startWebShell(opts: WebShellOptions): Promise<WebShell> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const rendererDir = opts.rendererDir ?? RENDERER_DIR;
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(
      `the renderer is not built (${rendererDir}/index.html is missing): run \`npm run build:renderer\` (npm run web does it)`,
    );
  }
  const token = randomBytes(32).toString('base64url');
  const dir = opts.dataDir ?? dataDir();
  const liveDb = opts.liveDb ?? (opts.snapshot ? join(dir, 'cache.db') : opts.db);
  const demoPath = opts.demoPath ?? DEMO_PATH;
  // Every WebSocket is a caller of its own: the pushes of its log streams and action runs go to it
  // alone, and its streams stop when it closes. Everything else (views changed, reload) goes to all.
  const clients = new Map<WebSocket, string>();
  const byCaller = new Map<string, WebSocket>();
  let nextClient = 1;
  const broadcast = (ev: PushEvent) => {
    const msg = JSON.stringify({ push: ev } satisfies WireMessage);
    for (const c of clients.keys()) if (c.readyState === c.OPEN) c.send(msg);
  };
  const deliver = (ev: PushEvent, to?: string) => {
    if (to === undefined) return broadcast(ev);
    const c = byCaller.get(to);
    if (c && c.readyState === c.OPEN) c.send(JSON.stringify({ push: ev } satisfies WireMessage));
  };

  /** A back end for what the session shows: the live fleet (or cache), or a snapshot file. */
  const launch = (target: { db: string; snapshot: boolean }): Backend => {
    const b = startBackend({
      db: target.db,
      sources: opts.kubeconfigs?.length ? sourcesFromPaths(opts.kubeconfigs) : defaultSourceConfig(),
      contexts: opts.contexts ?? [],
      offline: !target.snapshot && !!opts.offline,
      snapshot: target.snapshot,
      dataDir: dir,
      cachePath: liveDb,
      demoPath,
      open,
      readOnly: !!opts.readOnly,
      // The Settings view may turn read-only mode on and off, unless the shell was started --read-only.
      ...(opts.readOnly ? {} : { onReadOnly: () => {} }),
      ...(opts.reflector ? { reflector: opts.reflector } : {}),
      log,
    });
    b.onPush(deliver);
    return b;
  };

  // session.open: start the new back end first (a refused file leaves the session as it was), then
  // tell every page to reload, then stop the old one.
  let switching: Promise<unknown> = Promise.resolve();
  const retiring = new Set<Promise<void>>();
  const open = (p: Params<'session.open'>): Promise<Result<'session.open'>> => {
    const run = switching.then(async () => {
      let target: { db: string; snapshot: boolean };
      let label: string;
      if (p.target === 'demo') {
        if (!existsSync(demoPath)) throw new ContractError('the demo snapshot is not installed', 'not-found');
        target = { db: demoPath, snapshot: true };
        label = 'the demo fleet';
      } else if (p.target === 'file') {
        target = { db: await resolveSnapshotPath(p.path!, dir), snapshot: true };
        label = basename(p.path!);
      } else {
        target = { db: liveDb, snapshot: false };
        label = opts.offline ? 'the cache' : 'the live fleet';
      }
      let next: Backend;
      try {
        next = launch(target);
      } catch (e) {
        throw new ContractError((e as Error).message, 'invalid');
      }
      const old = current;
      current = next;
      setTimeout(() => broadcast({ type: 'reload', reason: `now showing ${label}` }), 20);
      // Stopped in the background; the shell's stop() waits for it (its worker may still be starting).
      const stopping = old.stop().catch((e: Error) => log(`stopping the previous session: ${e.message}`));
      retiring.add(stopping);
      void stopping.finally(() => retiring.delete(stopping));
      return { opening: label };
    });
    switching = run.catch(() => {});
    return run;
  };

  let current = launch({ db: opts.db, snapshot: !!opts.snapshot });

  let port = opts.port ?? 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const csp = () =>
    [
      "default-src 'self'",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "img-src 'self' data:",
      "style-src 'self' 'unsafe-inline'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');

  const serveFile = (req: IncomingMessage, res: ServerResponse) => {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected request: this server answers to 127.0.0.1 only\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname === '/api/fleet') {
      // The first fleet, over plain HTTP: the page asks for it while its bundle is still evaluating
      // (a WebSocket's first message waits for the page's main thread). The token comes in a header:
      // a page of another origin cannot send it without a CORS preflight, which this server never grants.
      if (!sameToken(String(req.headers['x-fleet-token'] ?? ''), token)) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden\n');
        return;
      }
      void current.service.handle('fleet.get', {}).then((answer) => {
        const body = JSON.stringify(answer);
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
      return;
    }
    let rel = decodeURIComponent(url.pathname);
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = resolve(rendererDir, `.${rel}`);
    if (!file.startsWith(rendererDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'content-security-policy': csp(),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      // Hashed assets never change; index.html always revalidates.
      'cache-control': rel.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const http = createServer(serveFile);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const origin = req.headers.origin;
    const okOrigin = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (
      url.pathname !== '/api' ||
      !allowedHosts().has(req.headers.host ?? '') ||
      !okOrigin ||
      !sameToken(url.searchParams.get('token'), token)
    ) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const caller = `ws:${nextClient++}`;
      clients.set(ws, caller);
      byCaller.set(caller, ws);
      ws.on('close', () => {
        clients.delete(ws);
        byCaller.delete(caller);
        // The page went away: its log streams stop.
        current.release(caller);
      });
      ws.on('message', (data) => {
        let msg: { id?: unknown; method?: unknown; params?: unknown };
        try {
          msg = JSON.parse(String(data)) as typeof msg;
        } catch {
          ws.send(JSON.stringify({ id: -1, ok: false, error: 'not JSON', code: 'invalid' }));
          return;
        }
        const id = typeof msg?.id === 'number' && Number.isSafeInteger(msg.id) ? msg.id : -1;
        void current.service.handle(msg?.method, msg?.params, caller).then((answer) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, ...answer }));
        });
      });
    });
  });

  await new Promise<void>((r, j) => {
    http.once('error', j);
    http.listen(port, '127.0.0.1', () => r());
  });
  port = (http.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const c of clients.keys()) c.close(1001, 'server stopping');
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
      http.closeAllConnections();
      await switching;
      await Promise.all([...retiring]);
      await current.stop();
    })());

  return {
    url,
    port,
    token,
    get service() {
      return current.service;
    },
    get worker() {
      return current.worker;
    },
    stop,
  };
}

const USAGE = `npm run web [-- --db PATH] [--kubeconfig F]... [--context C]... [--port P] [--offline | --snapshot FILE] [--read-only]

  Serves the console on http://127.0.0.1:P (P: any free port by default) and prints the URL to open,
  with its per-launch token.
  --db PATH       the cache (default ${join(dataDir(), 'cache.db')})
  --kubeconfig F  a kubeconfig file or folder (repeatable; default $KUBECONFIG or ~/.kube/config)
  --context C     only these contexts (repeatable)
  --offline       show the cache without syncing
  --data-dir DIR  the data folder (default ${dataDir()}): captures, bundles, exec approvals
  --snapshot FILE open a snapshot (or an incident bundle, verified first) read-only; "demo": the demo fleet
  --read-only     take no actions on the clusters (cordon, drain, scale, restart, delete, apply...): the
                  console only reads (logs included), and refuses actions even if asked`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      kubeconfig: { type: 'string', multiple: true, default: [] },
      context: { type: 'string', multiple: true, default: [] },
      port: { type: 'string' },
      offline: { type: 'boolean', default: false },
      'read-only': { type: 'boolean', default: false },
      snapshot: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}: not a port number`);
  const dir = values['data-dir'] ?? dataDir();
  // --snapshot demo: the demo fleet; a bundle (.tar.gz) is verified and its snapshot opened
  const snapshot =
    values.snapshot === 'demo' ? DEMO_PATH : values.snapshot ? await resolveSnapshotPath(resolve(values.snapshot), dir) : undefined;
  const shell = await startWebShell({
    db: snapshot ?? values.db ?? join(dir, 'cache.db'),
    ...(values.db ? { liveDb: values.db } : {}),
    kubeconfigs: values.kubeconfig,
    contexts: values.context,
    port,
    offline: values.offline,
    readOnly: values['read-only'],
    snapshot: !!snapshot,
    dataDir: dir,
    ...(process.env.FLEET_RENDERER_DIR ? { rendererDir: resolve(process.env.FLEET_RENDERER_DIR) } : {}),
  });
  // Handlers first: whoever reads the URL may signal at once.
  const signalled = new Promise<void>((r) => {
    process.once('SIGINT', () => r());
    process.once('SIGTERM', () => r());
  });
  process.stderr.write(
    `fleet console web shell on 127.0.0.1:${shell.port} (${values.snapshot ? 'snapshot' : values.offline ? 'cache only' : 'syncing'}${values['read-only'] ? ', read-only' : ''}); open:\n`,
  );
  console.log(shell.url);
  await signalled;
  process.stderr.write('stopping: closing the cache...\n');
  await shell.stop();
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`fleet web: ${e.message}`);
      process.exit(1);
    },
  );
}
