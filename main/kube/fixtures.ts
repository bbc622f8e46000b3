// Test support: a stand-in Kubernetes API server on 127.0.0.1 (plain HTTP, a bearer token), enough of
// it for pod logs and the console's actions: pods and their logs (streamed; follow keeps the response
// open and appendLog writes to every follower), SelfSubjectAccessReviews answered by a rule, and any
// other route a test adds. A kubeconfig for it, and the back end's connections to it. Only tests
// import it (eslint.config.js).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileSync } from 'node:fs';
import { discover, sourcesFromPaths } from '../fleet/sources.ts';
import { ConnectionPool } from './pool.ts';

type Obj = Record<string, any>;

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: any;
  headers: IncomingMessage['headers'];
}

export type Route = (r: FakeRequest) => { status?: number; body: unknown } | undefined;

export interface FakeApi {
  server: string;
  kubeconfig: string;
  /** the cluster id of its (file, context) entry */
  cluster: string;
  requests: FakeRequest[];
  pods: Map<string, Obj>;
  /** log lines per "ns/pod/container" */
  logs: Map<string, string[]>;
  /** log responses open now (follow) */
  followers(): number;
  /** append a line to a container's log: followers get it at once */
  appendLog(namespace: string, pod: string, container: string, line: string): void;
  route(r: Route): void;
  pool(dataDir: string): ConnectionPool;
  close(): Promise<void>;
}

export function fakePod(namespace: string, name: string, extra: Obj = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${name}`, resourceVersion: '1', ...(extra.metadata ?? {}) },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'x' }], ...(extra.spec ?? {}) },
    status: { phase: 'Running', ...(extra.status ?? {}) },
  };
}

const status = (code: number, reason: string, message: string) => ({
  status: code,
  body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code },
});

export async function fakeApi(dir: string, opts: { context?: string; token?: string } = {}): Promise<FakeApi> {
  const token = opts.token ?? 'fake-token';
  const requests: FakeRequest[] = [];
  const pods = new Map<string, Obj>();
  const logs = new Map<string, string[]>();
  const open = new Map<string, Set<ServerResponse>>();
  const routes: Route[] = [];

  const handle = (r: FakeRequest, res: ServerResponse) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (r.headers.authorization !== `Bearer ${token}`) return send(401, status(401, 'Unauthorized', 'Unauthorized').body);
    for (const route of routes) {
      const a = route(r);
      if (a) return send(a.status ?? 200, a.body);
    }
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/log)?$/.exec(r.path);
    if (m && r.method === 'GET') {
      const [, ns, name, log] = m as unknown as [string, string, string, string | undefined];
      const pod = pods.get(`${ns}/${name}`);
      if (!pod) return send(404, status(404, 'NotFound', `pods "${name}" not found`).body);
      if (!log) return send(200, pod);
      const container = r.query.get('container') ?? pod.spec.containers[0].name;
      const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c: Obj) => c.name);
      if (!all.includes(container)) return send(400, status(400, 'BadRequest', `container ${container} is not valid for pod ${name}`).body);
      if (r.query.get('previous') === 'true')
        return send(400, status(400, 'BadRequest', `previous terminated container "${container}" in pod "${name}" not found`).body);
      const key = `${ns}/${name}/${container}`;
      let lines = logs.get(key) ?? [];
      const tail = r.query.get('tailLines');
      if (tail !== null) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (const l of lines) res.write(`${l}\n`);
      if (r.query.get('follow') !== 'true') return res.end();
      let set = open.get(key);
      if (!set) open.set(key, (set = new Set()));
      set.add(res);
      res.on('close', () => set.delete(res));
      return;
    }
    send(404, status(404, 'NotFound', `the server could not find the requested resource`).body);
  };

  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const r: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body, headers: req.headers };
      requests.push(r);
      handle(r, res);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  const server = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  const context = opts.context ?? 'fake';
  const kubeconfig = join(dir, `${context}.kubeconfig`);
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server } }],
      users: [{ name: 'u', user: { token } }],
      contexts: [{ name: context, context: { cluster: 'c', user: 'u' } }],
      'current-context': context,
    }),
  );
  const cluster = discover(sourcesFromPaths([kubeconfig])).entries[0]!.id;
  return {
    server,
    kubeconfig,
    cluster,
    requests,
    pods,
    logs,
    followers: () => [...open.values()].reduce((n, s) => n + s.size, 0),
    appendLog(namespace, pod, container, line) {
      const key = `${namespace}/${pod}/${container}`;
      logs.set(key, [...(logs.get(key) ?? []), line]);
      for (const res of open.get(key) ?? []) res.write(`${line}\n`);
    },
    route: (r) => routes.push(r),
    pool: (dataDir) => new ConnectionPool(sourcesFromPaths([kubeconfig]), dataDir),
    close: async () => {
      for (const s of open.values()) for (const res of s) res.destroy();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

export { status as fakeStatus };
