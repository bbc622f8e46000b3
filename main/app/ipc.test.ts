import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BRIDGE_FUNCTIONS, channelOf, type Answer, type Method } from '../../common/contract.ts';
import { methods } from '../../common/schemas.ts';
import { Store } from '../store/store.ts';
import { ViewService } from '../views/service.ts';
import { callerOf, makeHandler, METHODS, registerIpc, senderProblem, type IpcMainLike, type SenderInfo, type ServiceLike } from './ipc.ts';

type Listener = (event: SenderInfo, ...args: unknown[]) => Promise<Answer<unknown>>;

function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  const ipc: IpcMainLike = {
    handle: (channel, l) => {
      assert.ok(!handlers.has(channel), `${channel} registered twice`);
      handlers.set(channel, l);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { ipc, handlers };
}

function fakeService() {
  const calls: { method: unknown; params: unknown }[] = [];
  const service: ServiceLike = {
    answer: async (method, params) => {
      calls.push({ method, params });
      return { ok: true, result: { method } };
    },
  };
  return { service, calls };
}

const WINDOW_ID = 7;
const app = (url = 'app://fleet/index.html#/fleet'): SenderInfo => ({ senderId: WINDOW_ID, senderFrame: { url, parent: null } });

/** Valid params for each method. */
const VALID: Record<Method, unknown> = {
  'fleet.get': {},
  'cluster.get': { cluster: 'c1' },
  'node.get': { cluster: 'c1', node: 'n1' },
  'object.get': { cluster: 'c1', kind: 'pods', name: 'web-0', namespace: 'default' },
  'object.diff': { cluster: 'c1', kind: 'pods', uid: 'u1', from: null, to: 2 },
  search: { q: 'gpu', limit: 20 },
  'metrics.get': { cluster: 'c1', from: 1, to: 2 },
  'onboarding.get': {},
  'sources.add': { path: '/home/me/.kube/config' },
  'snapshot.capture': { since: 3_600_000 },
  'snapshot.diff': { from: '@this', to: '@cache' },
  'bundle.preview': { clusters: ['c1'], namespaces: ['web'] },
  'bundle.export': { clusters: [], tokenize: true, logs: 100 },
  'session.open': { target: 'demo' },
  'changes.timeline': { from: 0, to: 3_600_000, clusters: ['c1'], categories: ['rollout', 'health'], text: 'web' },
  'changes.list': { from: 0, to: 3_600_000, limit: 50, before: { at: 1000, id: 7 } },
  'changes.get': { id: 7 },
  'changes.of': { cluster: 'c1', node: 'n1' },
  'changes.whatChanged': { cluster: 'c1', kind: 'pods', uid: 'u1', at: 1000 },
  'changes.fleet': { from: 0, to: 3_600_000 },
  'logs.start': { cluster: 'c1', namespace: 'web', pod: 'frontend-1', container: 'nginx', follow: true, tailLines: 100 },
  'logs.stop': { stream: 3 },
  'views.focus': { clusters: ['c1'] },
  'exec.list': {},
  'exec.approve': { key: 'a'.repeat(64) },
  'exec.revoke': { key: '0123456789abcdef'.repeat(4) },
  'kinds.list': { cluster: 'c1' },
  'objects.list': { kind: 'example.com/widgets', clusters: ['c1'], namespace: 'default', q: 'w', limit: 100 },
  'actions.check': { clusters: ['c1', 'c2'], action: 'cordon', target: { kind: 'nodes', namespace: '', name: 'n1' } },
  'actions.preview': {
    cluster: 'c1',
    action: 'apply',
    target: { kind: 'configmaps', namespace: 'web', name: 'cfg' },
    params: { manifest: 'data: {}' },
  },
  'actions.run': {
    clusters: ['c1'],
    action: 'scale',
    target: { kind: 'apps/deployments', namespace: 'web', name: 'frontend' },
    params: { replicas: 3 },
    confirm: { clusters: ['c1'], namespace: 'web', name: 'frontend' },
  },
  'settings.get': {},
  'clusters.enable': { clusters: ['c1', 'c2'], enabled: false },
  'sources.enable': { path: '/home/u/.kube/clusters', enabled: true },
  'sources.remove': { path: '/home/u/.kube/extra.yaml' },
  'settings.readOnly': { on: true },
  'settings.retention': { maxAgeMs: 3 * 86_400_000, maxBytes: 512 * 1024 ** 2 },
  'clusters.labels': {},
  'clusters.label': { clusters: ['c1'], set: { env: 'prod', 'team.example.com/owner': 'ops' }, remove: ['tier'] },
  'clusters.favourite': { clusters: ['c1', 'c2'], on: true },
};

/** Something wrong for each method, and what the error names. */
const INVALID: Record<Method, unknown> = {
  'fleet.get': { extra: true },
  'cluster.get': { cluster: '' },
  'node.get': { cluster: 'c1' },
  'object.get': { cluster: 'c1', kind: 'pods' },
  'object.diff': { cluster: 'c1', kind: 'PODS; DROP', uid: 'u1', from: null, to: null },
  search: { q: 'x', limit: 100000 },
  'metrics.get': { cluster: 'c1', from: 'yesterday' },
  'onboarding.get': 'all of it',
  'sources.add': { path: 42 },
  'snapshot.capture': { clusters: 'all' },
  'snapshot.diff': { from: '@this' },
  'bundle.preview': { workloads: ['deployment web'] },
  'bundle.export': { logs: -1 },
  'session.open': { target: 'file' },
  'changes.timeline': { from: 10, to: 5 },
  'changes.list': { from: 0, to: 1, categories: ['gossip'] },
  'changes.get': { id: -1 },
  'changes.of': { cluster: 'c1', kind: 'pods' },
  'changes.whatChanged': { cluster: 'c1', kind: 'pods' },
  'changes.fleet': { from: 'last week', to: 1 },
  'logs.start': { cluster: 'c1', namespace: 'web', pod: 'a', workload: { kind: 'apps/deployments', name: 'b' } },
  'logs.stop': { stream: 'all' },
  'views.focus': { clusters: 'c1' },
  'exec.list': { all: true },
  'exec.approve': { key: 'aws eks get-token' },
  'exec.revoke': { key: 42 },
  'kinds.list': { cluster: 7 },
  'objects.list': { kind: 'Bad Kind!' },
  'actions.check': { clusters: [], action: 'cordon', target: { kind: 'nodes', namespace: '', name: 'n1' } },
  'actions.preview': { cluster: 'c1', action: 'explode', target: { kind: 'nodes', namespace: '', name: 'n1' } },
  'actions.run': {
    clusters: ['c1', 'c2'],
    action: 'cordon',
    target: { kind: 'nodes', namespace: '', name: 'n1' },
    confirm: { clusters: ['c1'], namespace: '', name: 'n1' },
  },
  'settings.get': { theme: 'dark' },
  'clusters.enable': { clusters: [], enabled: false },
  'sources.enable': { path: '/x', enabled: 'yes' },
  'sources.remove': { path: '' },
  'settings.readOnly': { on: 1 },
  'settings.retention': { maxAgeMs: 1000, maxBytes: 512 * 1024 ** 2 },
  'clusters.labels': { extra: true },
  'clusters.label': { clusters: ['c1'], set: { 'env=prod,<script>': 'x' } },
  'clusters.favourite': { clusters: [], on: true },
};

describe('IPC: one channel per contract method', () => {
  it('registers exactly the contract’s channels, and removes them', () => {
    const { ipc, handlers } = fakeIpcMain();
    const dispose = registerIpc(ipc, () => fakeService().service);
    assert.deepEqual(
      [...handlers.keys()].sort(),
      Object.keys(BRIDGE_FUNCTIONS)
        .map((m) => channelOf(m as Method))
        .sort(),
    );
    assert.deepEqual(METHODS.sort(), (Object.keys(BRIDGE_FUNCTIONS) as Method[]).sort());
    dispose();
    assert.equal(handlers.size, 0);
  });

  for (const method of METHODS) {
    const channel = channelOf(method);
    describe(channel, () => {
      const setup = () => {
        const { ipc, handlers } = fakeIpcMain();
        const svc = fakeService();
        registerIpc(ipc, () => svc.service, { webContentsId: () => WINDOW_ID });
        return { h: handlers.get(channel)!, calls: svc.calls };
      };

      it('answers the app’s own page with the service’s answer, params validated', async () => {
        const { h, calls } = setup();
        const a = await h(app(), VALID[method]);
        assert.deepEqual(a, { ok: true, result: { method } });
        assert.equal(calls.length, 1);
        assert.equal(calls[0]!.method, method);
      });

      it('refuses a wrong sender with a clear forbidden error, before the service is reached', async () => {
        const { h, calls } = setup();
        const senders: [string, SenderInfo][] = [
          ['another origin', { senderId: WINDOW_ID, senderFrame: { url: 'https://evil.example/', parent: null } }],
          ['a file page', { senderId: WINDOW_ID, senderFrame: { url: 'file:///tmp/x.html', parent: null } }],
          ['another app host', { senderId: WINDOW_ID, senderFrame: { url: 'app://evil/index.html', parent: null } }],
          ['a subframe', { senderId: WINDOW_ID, senderFrame: { url: 'app://fleet/index.html', parent: {} } }],
          ['a destroyed frame', { senderId: WINDOW_ID, senderFrame: null }],
          ['another webContents', { senderId: WINDOW_ID + 1, senderFrame: { url: 'app://fleet/index.html', parent: null } }],
          ['about:blank', { senderId: WINDOW_ID, senderFrame: { url: 'about:blank', parent: null } }],
        ];
        for (const [what, s] of senders) {
          const a = await h(s, VALID[method]);
          assert.equal(a.ok, false, what);
          assert.equal(!a.ok && a.code, 'forbidden', what);
          assert.match(!a.ok ? a.error : '', new RegExp(`^${channel.replace('.', '\\.')} refused: `), what);
        }
        assert.equal(calls.length, 0);
      });

      it('refuses bad arguments with the schema’s message, before the service is reached', async () => {
        const { h, calls } = setup();
        const bad = await h(app(), INVALID[method]);
        assert.equal(bad.ok, false);
        assert.equal(!bad.ok && bad.code, 'invalid');
        assert.match(!bad.ok ? bad.error : '', new RegExp(`invalid params for ${method.replace('.', '\\.')}: `));
        const extra = await h(app(), VALID[method], 'second argument');
        assert.equal(!extra.ok && extra.code, 'invalid');
        assert.match(!extra.ok ? extra.error : '', /takes one argument/);
        assert.equal(calls.length, 0);
      });
    });
  }
});

describe('makeHandler', () => {
  it('refuses keys the schema does not know (strict schemas)', async () => {
    const h = makeHandler('cluster.get', () => fakeService().service);
    const a = await h(app(), [JSON.parse('{"cluster":"c1","__proto__":{"polluted":true}}')]);
    assert.equal(!a.ok && a.code, 'invalid');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('passes the validated params, not the raw object', async () => {
    const svc = fakeService();
    const h = makeHandler('search', () => svc.service);
    await h(app(), [{ q: 'gpu' }]);
    assert.deepEqual(svc.calls, [{ method: 'search', params: { q: 'gpu' } }]);
  });

  it('answers for the window that asked: its streams and runs are its own (callerOf its webContents)', async () => {
    const callers: unknown[] = [];
    const h = makeHandler('logs.stop', () => ({
      answer: async (_m, _p, caller) => {
        callers.push(caller);
        return { ok: true, result: { stopped: false } };
      },
    }));
    await h(app(), [{ stream: 1 }]);
    await h({ senderId: 9, senderFrame: { url: 'app://fleet/index.html', parent: null } }, [{ stream: 1 }]);
    assert.deepEqual(callers, [callerOf(WINDOW_ID), callerOf(9)]);
    assert.equal(callerOf(WINDOW_ID), 'window:7');
  });

  it('says so while the back end restarts (opening a snapshot)', async () => {
    const a = await makeHandler('fleet.get', () => undefined)(app(), [{}]);
    assert.deepEqual(a, { ok: false, code: 'internal', error: 'fleet:fleet.get: the back end is restarting; try again in a moment' });
  });

  it('never throws across the boundary', async () => {
    const h = makeHandler('fleet.get', () => ({
      answer: () => {
        throw new Error('boom');
      },
    }));
    assert.deepEqual(await h(app(), [{}]), { ok: false, code: 'internal', error: 'fleet:fleet.get: boom' });
  });

  it('without a window id, any webContents showing the app page is accepted', () => {
    assert.equal(senderProblem({ senderFrame: { url: 'app://fleet/index.html', parent: null } }), null);
    assert.match(
      senderProblem({ senderFrame: { url: 'app://fleet/index.html', parent: null } }, { origin: 'app://other' }) ?? '',
      /is not the app \(app:\/\/other\)/,
    );
  });
});

describe('one parse on the IPC path', () => {
  it('the handler validates a request once, and the service answers it without parsing it again', async () => {
    const store = new Store(':memory:');
    const svc = new ViewService(store, { mode: 'cache', source: ':memory:', derive: 'persist' });
    // Count the parses of the method's schema (parseRequest's only way in).
    const schema = methods.search as unknown as { safeParse: (...a: unknown[]) => unknown };
    const safeParse = schema.safeParse;
    let parses = 0;
    schema.safeParse = function (this: unknown, ...a: unknown[]) {
      parses++;
      return safeParse.apply(this, a);
    };
    try {
      const h = makeHandler('search', () => svc);
      assert.deepEqual(await h(app(), [{ q: 'gpu' }]), { ok: true, result: [] });
      assert.equal(parses, 1, 'the IPC handler parsed it; the service did not again');
      // A request as it came (the web shell's messages) goes through handle, which parses it: once.
      assert.deepEqual(await svc.handle('search', { q: 'gpu' }), { ok: true, result: [] });
      assert.equal(parses, 2);
    } finally {
      // (the schema's own safeParse is on its prototype: removing ours restores it)
      delete (schema as { safeParse?: unknown }).safeParse;
      store.close();
    }
  });
});
