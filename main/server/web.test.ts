// The web shell's boundary: loopback only, a per-launch token, Host and Origin checks, a strict CSP,
// no path traversal, validated requests, and a clean stop on SIGTERM.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { Store } from '../store/store.ts';
import { startWebShell, type WebShell } from './web.ts';
import { fakeApi, fakePod, type FakeApi } from '../kube/fixtures.ts';
import { confirmedRun, scratch } from '../views/fixtures.ts';
import type { FleetDTO, LogStreamDTO, PushEvent } from '../../common/contract.ts';

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function ws(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const s = new WebSocket(url, { origin });
    s.once('open', () => resolve(s));
    s.once('error', reject);
    s.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function ask(s: WebSocket, msg: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    s.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>));
    s.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  });
}

describe('web shell', () => {
  const { dir, db, close } = scratch('fleet-web-');
  const rendererDir = join(dir, 'renderer');
  let shell: WebShell;

  before(async () => {
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'do not serve');
    const store = new Store(db);
    store.write([
      {
        op: 'cluster',
        row: { id: 'c1', context: 'prod', file: '/k', source: 'file', server: 'https://x', authKind: 'token', status: 'live', at: 1 },
      },
    ]);
    store.close();
    shell = await startWebShell({ db, offline: true, port: 0, rendererDir, log: () => {} });
  });

  after(() => close(shell));

  it('listens on 127.0.0.1 only and prints a URL with its token', () => {
    assert.match(shell.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('serves the renderer with a strict CSP; refuses foreign Host headers and traversal', async () => {
    const r = await get(shell.port, '/', { host: `127.0.0.1:${shell.port}` });
    assert.equal(r.status, 200);
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal((await get(shell.port, '/assets/app.js', { host: `localhost:${shell.port}` })).status, 200);
    assert.equal((await get(shell.port, '/', { host: 'evil.example' })).status, 421, 'DNS rebinding');
    assert.equal((await get(shell.port, '/../secret.txt', { host: `127.0.0.1:${shell.port}` })).status, 404);
    assert.equal((await get(shell.port, '/%2e%2e/secret.txt', { host: `127.0.0.1:${shell.port}` })).status, 404);
  });

  it('the first-fleet endpoint needs the token in its header', async () => {
    const host = { host: `127.0.0.1:${shell.port}` };
    assert.equal((await get(shell.port, '/api/fleet', host)).status, 403);
    assert.equal((await get(shell.port, `/api/fleet?token=${shell.token}`, host)).status, 403, 'not in the URL');
    assert.equal((await get(shell.port, '/api/fleet', { ...host, 'x-fleet-token': 'wrong' })).status, 403);
    const r = await get(shell.port, '/api/fleet', { ...host, 'x-fleet-token': shell.token });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).result.clusters[0].context, 'prod');
    assert.equal((await get(shell.port, '/api/fleet', { host: 'evil.example', 'x-fleet-token': shell.token })).status, 421);
  });

  it('the API needs the token and this origin', async () => {
    const api = `ws://127.0.0.1:${shell.port}/api`;
    const origin = `http://127.0.0.1:${shell.port}`;
    await assert.rejects(ws(`${api}?token=wrong`, origin), /403/);
    await assert.rejects(ws(api, origin), /403/);
    await assert.rejects(ws(`${api}?token=${shell.token}`, 'http://evil.example'), /403/);
    await assert.rejects(ws(`${api}?token=${shell.token}`, 'null'), /403/);
    const s = await ws(`${api}?token=${shell.token}`, origin);
    try {
      const f = await ask(s, { id: 1, method: 'fleet.get', params: {} });
      assert.equal(f.id, 1);
      assert.equal(f.ok, true);
      assert.equal((f.result as { clusters: { context: string; status: string }[] }).clusters[0]!.status, 'offline');
      const bad = await ask(s, { id: 2, method: 'cluster.get', params: { cluster: { $gt: '' } } });
      assert.equal(bad.ok, false);
      assert.equal(bad.code, 'invalid');
      const notJson = await ask(s, '{nope');
      assert.equal(notJson.ok, false);
    } finally {
      s.close();
    }
  });

  it('the CLI prints the URL on a line of its own and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'web.ts'), '--db', db, '--offline', '--port', '0'], {
      env: { ...process.env, FLEET_RENDERER_DIR: rendererDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('http://'));
        if (line) resolve(line.trim());
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      process.kill(child.pid!, 'SIGTERM');
    });
    assert.equal(code, 0, err);
  });
});

describe('web shell: pushes of a stream go to the connection that started it', () => {
  const { dir, db, close } = scratch('fleet-web-push-');
  const rendererDir = join(dir, 'renderer');
  let api: FakeApi;
  let shell: WebShell;
  let ro: WebShell;

  /** A WebSocket that keeps every message: answers by id, pushes in order. */
  async function client(s: WebShell) {
    const sock = await ws(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, `http://127.0.0.1:${s.port}`);
    const pushes: PushEvent[] = [];
    const answers = new Map<number, Record<string, unknown>>();
    sock.on('message', (d) => {
      const m = JSON.parse(String(d)) as { id?: number; push?: PushEvent };
      if (m.push) pushes.push(m.push);
      else if (typeof m.id === 'number') answers.set(m.id, m as Record<string, unknown>);
    });
    let id = 0;
    const call = async (method: string, params: unknown) => {
      const n = ++id;
      sock.send(JSON.stringify({ id: n, method, params }));
      const end = Date.now() + 10_000;
      while (!answers.has(n)) {
        if (Date.now() > end) throw new Error(`no answer to ${method}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return answers.get(n)!;
    };
    return { sock, pushes, call };
  }
  const waitFor = async (what: string, f: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!f()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  before(async () => {
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    api = await fakeApi(dir);
    api.pods.set('web/p1', fakePod('web', 'p1'));
    api.appendLog('web', 'p1', 'app', 'first');
    const common = { kubeconfigs: [api.kubeconfig], port: 0, rendererDir, reflector: { backoffMaxMs: 500 }, log: () => {} };
    shell = await startWebShell({ ...common, db, dataDir: join(dir, 'data') });
    ro = await startWebShell({ ...common, db: join(dir, 'ro.db'), dataDir: join(dir, 'data-ro'), readOnly: true });
  });

  after(() => close(shell, ro, api));

  it('lines reach the page that asked, not the others; its streams stop when its socket closes', async () => {
    const a = await client(shell);
    const b = await client(shell);
    try {
      const started = await a.call('logs.start', { cluster: api.cluster, namespace: 'web', pod: 'p1', follow: true });
      assert.equal(started.ok, true, JSON.stringify(started));
      const stream = (started.result as LogStreamDTO).stream;
      const lines = (c: { pushes: PushEvent[] }) =>
        c.pushes.flatMap((p) => (p.type === 'logs' && p.stream === stream ? p.lines.map((l) => l.text) : []));
      await waitFor('the first line at A', () => lines(a).includes('first'));
      api.appendLog('web', 'p1', 'app', 'second');
      await waitFor('the second line at A', () => lines(a).includes('second'));
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(lines(b), [], 'B started nothing and gets none of it');
      assert.equal(
        b.pushes.some((p) => p.type === 'logs'),
        false,
      );
      // B cannot stop A's stream
      const stop = await b.call('logs.stop', { stream });
      assert.deepEqual(stop.result, { stopped: false });
      assert.equal(api.followers(), 1);
      a.sock.close();
      await waitFor('the stream stopped with its page', () => api.followers() === 0);
      assert.equal(shell.service.openStreams(), 0);
    } finally {
      a.sock.close();
      b.sock.close();
    }
  });

  it('--help documents --read-only', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'web.ts'), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    assert.equal(await new Promise((r) => child.once('exit', r)), 0);
    assert.match(out, /\[--read-only\]/);
    assert.match(out, /--read-only +take no actions on the clusters/);
  });

  it('--read-only: the fleet offers no actions and a run is refused, even if asked', async () => {
    const c = await client(ro);
    try {
      const fleet = await c.call('fleet.get', {});
      assert.equal((fleet.result as FleetDTO).mode, 'live');
      assert.equal((fleet.result as FleetDTO).actions, false);
      const run = await c.call('actions.run', confirmedRun([api.cluster], 'cordon', { kind: 'nodes', namespace: '', name: 'n1' }));
      assert.equal(run.ok, false);
      assert.equal(run.code, 'forbidden');
      assert.match(String(run.error), /read-only mode/);
      const other = await client(shell);
      const live = await other.call('fleet.get', {});
      other.sock.close();
      assert.equal((live.result as FleetDTO).actions, true, 'without --read-only, a live session offers actions');
    } finally {
      c.sock.close();
    }
  });
});
