// Logs and actions through the contract's service, against a stand-in API server: only live sessions
// with connections (forbidden otherwise, read-only refuses actions), pushes to their caller only, a
// workload's pods from the cache, the API's exact messages, access checks as SelfSubjectAccessReviews,
// writes with the console's field manager, and every action recorded in the cluster's change history.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Store, type KObj } from '../store/store.ts';
import { cluster } from '../store/fixtures.ts';
import { fakeApi, fakePod, fakeStatus, type FakeApi } from '../kube/fixtures.ts';
import type { ConnectionPool } from '../kube/pool.ts';
import { ViewService } from './service.ts';
import { confirmedRun, scratch } from './fixtures.ts';
import { MAX_STREAMS_PER_CALLER } from './logs.ts';
import type {
  ActionCheckDTO,
  ActionPreviewDTO,
  ActionProgressEvent,
  ActionRunDTO,
  Answer,
  FleetDTO,
  LogsEvent,
  LogStreamDTO,
} from '../../common/contract.ts';

const until = async <T>(what: string, f: () => T | undefined | false, ms = 5000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const owned = (o: KObj, kind: string, name: string, uid: string): KObj => ({
  ...o,
  metadata: { ...o.metadata, ownerReferences: [{ kind, name, uid, controller: true }] },
});

describe('logs and actions through the service', () => {
  const { dir, db, close } = scratch('fleet-operate-');
  let api: FakeApi;
  let pool: ConnectionPool;
  let store: Store;
  let svc: ViewService;
  const pushes: { e: LogsEvent | ActionProgressEvent; to: string }[] = [];
  const changed: string[][] = [];
  let C: string;

  const ask = async <T>(method: string, params: unknown, caller = 'A'): Promise<T> => {
    const a = (await svc.handle(method, params, caller)) as Answer<T>;
    if (!a.ok) throw Object.assign(new Error(a.error), { code: a.code });
    return a.result;
  };
  const refusal = async (method: string, params: unknown, caller = 'A') => {
    const a = await svc.handle(method, params, caller);
    assert.equal(a.ok, false, `${method} should be refused`);
    return a as { ok: false; error: string; code: string };
  };
  const logsOf = (stream: number, to = 'A') =>
    pushes.filter((p): p is { e: LogsEvent; to: string } => p.e.type === 'logs' && p.e.stream === stream && p.to === to).map((p) => p.e);

  before(async () => {
    api = await fakeApi(dir);
    C = api.cluster;
    pool = api.pool(dir);
    store = new Store(db);
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { namespace: 'web', name: 'frontend', uid: 'd1', resourceVersion: '1' },
    };
    const rs = owned(
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { namespace: 'web', name: 'frontend-abc', uid: 'rs1', resourceVersion: '1' } },
      'Deployment',
      'frontend',
      'd1',
    );
    const p1 = owned(
      fakePod('web', 'frontend-abc-1', {
        spec: {
          initContainers: [{ name: 'setup' }, { name: 'proxy', restartPolicy: 'Always' }],
          containers: [{ name: 'nginx' }, { name: 'metrics' }],
        },
      }),
      'ReplicaSet',
      'frontend-abc',
      'rs1',
    );
    const p2 = owned(fakePod('web', 'frontend-abc-2', { spec: { containers: [{ name: 'nginx' }] } }), 'ReplicaSet', 'frontend-abc', 'rs1');
    const other = owned(fakePod('web', 'api-xyz-1'), 'ReplicaSet', 'api-xyz', 'rs2');
    store.write([
      cluster(C, 'fake', 1),
      { op: 'upsert', cluster: C, kind: 'apps/deployments', obj: dep, at: 1 },
      { op: 'upsert', cluster: C, kind: 'apps/replicasets', obj: rs, at: 1 },
      { op: 'upsert', cluster: C, kind: 'pods', obj: p1, at: 1 },
      { op: 'upsert', cluster: C, kind: 'pods', obj: p2, at: 1 },
      { op: 'upsert', cluster: C, kind: 'pods', obj: other, at: 1 },
      {
        op: 'upsert',
        cluster: C,
        kind: 'nodes',
        obj: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'n1', resourceVersion: '1' }, spec: {} },
        at: 1,
      },
    ]);
    for (const p of [p1, p2, other]) api.pods.set(`web/${p.metadata.name}`, p);
    api.appendLog('web', 'frontend-abc-1', 'nginx', '2026-11-01T08:00:01Z one-a');
    api.appendLog('web', 'frontend-abc-2', 'nginx', '2026-11-01T08:00:02Z two-a');
    svc = new ViewService(store, {
      mode: 'live',
      source: db,
      derive: 'none',
      connections: pool,
      push: (e, to) => pushes.push({ e, to }),
      changed: (c) => changed.push(c),
    });
  });

  after(() => close(svc, pool, store, api));

  describe('only a live session reads logs and takes actions', () => {
    it('a cache or snapshot session: logs.start and actions.run are forbidden, saying why; no actions on the fleet', async () => {
      for (const mode of ['cache', 'snapshot'] as const) {
        const other = new ViewService(store, { mode, source: db, derive: 'memory' });
        const l = await other.handle('logs.start', { cluster: C, namespace: 'web', pod: 'frontend-abc-1' }, 'A');
        assert.equal(!l.ok && l.code, 'forbidden');
        assert.match(!l.ok ? l.error : '', mode === 'snapshot' ? /shows a snapshot/ : /cache without syncing/);
        const r = await other.handle('actions.run', confirmedRun([C], 'cordon', { kind: 'nodes', namespace: '', name: 'node-1' }), 'A');
        assert.equal(!r.ok && r.code, 'forbidden');
        const c = (await other.handle('actions.check', {
          clusters: [C],
          action: 'cordon',
          target: { kind: 'nodes', namespace: '', name: 'node-1' },
        })) as {
          ok: true;
          result: ActionCheckDTO[];
        };
        assert.equal(c.result[0]!.allowed, false);
        assert.match(c.result[0]!.reason, /live fleet only/);
        assert.equal(((await other.handle('fleet.get', {})) as { result: FleetDTO }).result.actions, false);
      }
    });

    it('read-only mode: no actions on the fleet, runs refused even if asked; logs still read', async () => {
      assert.equal((await ask<FleetDTO>('fleet.get', {})).actions, true);
      svc.setReadOnly(true);
      try {
        assert.equal((await ask<FleetDTO>('fleet.get', {})).actions, false);
        const r = await refusal('actions.run', confirmedRun([C], 'cordon', { kind: 'nodes', namespace: '', name: 'node-1' }));
        assert.equal(r.code, 'forbidden');
        assert.match(r.error, /read-only mode/);
        assert.equal(
          (await refusal('actions.preview', { cluster: C, action: 'cordon', target: { kind: 'nodes', namespace: '', name: 'node-1' } }))
            .code,
          'forbidden',
        );
        const [c] = await ask<ActionCheckDTO[]>('actions.check', {
          clusters: [C],
          action: 'cordon',
          target: { kind: 'nodes', namespace: '', name: 'node-1' },
        });
        assert.equal(c!.allowed, false);
        assert.match(c!.reason, /read-only mode/);
        const s = await ask<LogStreamDTO>('logs.start', { cluster: C, namespace: 'web', pod: 'frontend-abc-2' });
        await until('its lines', () => logsOf(s.stream).some((e) => e.done));
      } finally {
        svc.setReadOnly(false);
      }
      assert.equal((await ask<FleetDTO>('fleet.get', {})).actions, true);
    });
  });

  describe('logs', () => {
    it('a pod’s container streamed to its caller alone; the page going away stops it', async () => {
      const s = await ask<LogStreamDTO>('logs.start', {
        cluster: C,
        namespace: 'web',
        pod: 'frontend-abc-1',
        follow: true,
        timestamps: true,
      });
      // its first app container; the picker gets init, sidecar and app containers
      assert.deepEqual(s.sources, [{ pod: 'frontend-abc-1', container: 'nginx' }]);
      assert.deepEqual(s.containers, [
        { pod: 'frontend-abc-1', name: 'setup', kind: 'init' },
        { pod: 'frontend-abc-1', name: 'proxy', kind: 'sidecar' },
        { pod: 'frontend-abc-1', name: 'nginx', kind: 'app' },
        { pod: 'frontend-abc-1', name: 'metrics', kind: 'app' },
      ]);
      await until('the first line', () => logsOf(s.stream).length > 0);
      assert.deepEqual(logsOf(s.stream)[0]!.lines, [
        { pod: 'frontend-abc-1', container: 'nginx', text: 'one-a', at: Date.UTC(2026, 10, 1, 8, 0, 1) },
      ]);
      api.appendLog('web', 'frontend-abc-1', 'nginx', '2026-11-01T08:00:09Z later');
      await until('the appended line', () => logsOf(s.stream).some((e) => e.lines.some((l) => l.text === 'later')));
      assert.ok(
        pushes.filter((p) => p.e.type === 'logs' && p.e.stream === s.stream).every((p) => p.to === 'A'),
        'to its caller only',
      );
      // another caller cannot stop it; its own page going away does
      assert.deepEqual(await ask('logs.stop', { stream: s.stream }, 'B'), { stopped: false });
      assert.equal(svc.openStreams('A'), 1);
      assert.equal(svc.release('A'), 1);
      await until('the server sees the request closed', () => api.followers() === 0);
      assert.equal(logsOf(s.stream).at(-1)!.done, true);
      assert.equal(logsOf(s.stream).at(-1)!.error, undefined, 'stopped, not failed');
      assert.equal(svc.openStreams(), 0);
    });

    it('logs.stop by its caller; a caller may hold only so many streams, with a clear error', async () => {
      const ids: number[] = [];
      for (let i = 0; i < MAX_STREAMS_PER_CALLER; i++)
        ids.push(
          (await ask<LogStreamDTO>('logs.start', { cluster: C, namespace: 'web', pod: 'frontend-abc-2', follow: true }, 'C')).stream,
        );
      const r = await refusal('logs.start', { cluster: C, namespace: 'web', pod: 'frontend-abc-2', follow: true }, 'C');
      assert.equal(r.code, 'forbidden');
      assert.match(r.error, new RegExp(`too many log streams: this page has ${MAX_STREAMS_PER_CALLER} open`));
      // another page is not limited by this one
      const d = await ask<LogStreamDTO>('logs.start', { cluster: C, namespace: 'web', pod: 'frontend-abc-2', follow: true }, 'D');
      assert.deepEqual(await ask('logs.stop', { stream: d.stream }, 'D'), { stopped: true });
      for (const id of ids) assert.deepEqual(await ask('logs.stop', { stream: id }, 'C'), { stopped: true });
      assert.deepEqual(await ask('logs.stop', { stream: ids[0] }, 'C'), { stopped: false });
      await until('every follower closed', () => api.followers() === 0);
    });

    it('a Deployment’s pods from the cache (pod → ReplicaSet → Deployment), merged, each line with its pod', async () => {
      const s = await ask<LogStreamDTO>(
        'logs.start',
        { cluster: C, namespace: 'web', workload: { kind: 'apps/deployments', name: 'frontend' } },
        'W',
      );
      assert.deepEqual(s.sources, [
        { pod: 'frontend-abc-1', container: 'nginx' },
        { pod: 'frontend-abc-2', container: 'nginx' },
      ]);
      const done = await until('the end', () => logsOf(s.stream, 'W').find((e) => e.done));
      const lines = logsOf(s.stream, 'W').flatMap((e) => e.lines);
      assert.deepEqual(new Set(lines.map((l) => l.pod)), new Set(['frontend-abc-1', 'frontend-abc-2']));
      assert.ok(lines.some((l) => l.pod === 'frontend-abc-2' && l.text === '2026-11-01T08:00:02Z two-a'));
      assert.equal(done.error, undefined);
      const rs = await ask<LogStreamDTO>(
        'logs.start',
        { cluster: C, namespace: 'web', workload: { kind: 'apps/replicasets', name: 'frontend-abc' } },
        'W',
      );
      assert.equal(rs.sources.length, 2);
    });

    it('errors are the API’s own messages, with a code', async () => {
      const prev = await refusal('logs.start', { cluster: C, namespace: 'web', pod: 'frontend-abc-2', previous: true });
      assert.deepEqual([prev.code, prev.error], ['invalid', 'previous terminated container "nginx" in pod "frontend-abc-2" not found']);
      const bad = await refusal('logs.start', { cluster: C, namespace: 'web', pod: 'frontend-abc-2', container: 'nope' });
      assert.deepEqual([bad.code, bad.error], ['invalid', 'container nope is not valid for pod frontend-abc-2']);
      const gone = await refusal('logs.start', { cluster: C, namespace: 'web', pod: 'no-such-pod' });
      assert.deepEqual([gone.code, gone.error], ['not-found', 'pods "no-such-pod" not found']);
      const wl = await refusal('logs.start', { cluster: C, namespace: 'web', workload: { kind: 'apps/deployments', name: 'nothing' } });
      assert.equal(wl.code, 'not-found');
      const kind = await refusal('logs.start', { cluster: C, namespace: 'web', workload: { kind: 'services', name: 'x' } });
      assert.equal(kind.code, 'invalid');
      const unknown = await refusal('logs.start', { cluster: 'no-such-cluster', namespace: 'web', pod: 'x' });
      assert.equal(unknown.code, 'not-found');
    });
  });

  describe('actions', () => {
    before(() => {
      // SelfSubjectAccessReview: this user may patch nodes (RBAC's reason), nothing else.
      api.route((r) => {
        if (r.method === 'POST' && r.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
          const a = r.body.spec.resourceAttributes;
          const allowed = a.verb === 'patch' && a.resource === 'nodes';
          return {
            status: 201,
            body: { ...r.body, status: allowed ? { allowed, reason: 'RBAC: allowed by ClusterRoleBinding "ops"' } : { allowed: false } },
          };
        }
        if (r.method === 'POST' && r.path === '/apis/authentication.k8s.io/v1/selfsubjectreviews')
          return { status: 201, body: { status: { userInfo: { username: 'fake-user' } } } };
        if (r.method === 'GET' && r.path === '/api/v1/nodes/node-1')
          return { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'n1' }, spec: {} } };
        if (r.method === 'PATCH' && r.path === '/api/v1/nodes/node-1')
          return { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'n1' }, spec: r.body.spec } };
        if (r.method === 'PATCH' && r.path === '/apis/apps/v1/namespaces/web/deployments/frontend/scale')
          return fakeStatus(
            403,
            'Forbidden',
            'deployments.apps "frontend" is forbidden: User "fake-user" cannot patch resource "deployments/scale" in API group "apps" in the namespace "web"',
          );
        return undefined;
      });
    });

    it('actions.check: one answer per cluster, each check as the API server answered it, a sentence when not allowed', async () => {
      const [ok] = await ask<ActionCheckDTO[]>('actions.check', {
        clusters: [C],
        action: 'cordon',
        target: { kind: 'nodes', namespace: '', name: 'node-1' },
      });
      assert.equal(ok!.allowed, true);
      assert.deepEqual(ok!.checks, [
        { verb: 'patch', resource: 'nodes', group: '', namespace: '', allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "ops"' },
      ]);
      const [drain] = await ask<ActionCheckDTO[]>('actions.check', {
        clusters: [C],
        action: 'drain',
        target: { kind: 'nodes', namespace: '', name: 'node-1' },
      });
      assert.equal(drain!.allowed, false);
      assert.deepEqual(
        drain!.checks.map((c) => [c.verb, c.resource, c.group, c.allowed]),
        [
          ['patch', 'nodes', '', true],
          ['list', 'pods', '', false],
          ['create', 'pods/eviction', '', false],
          ['list', 'poddisruptionbudgets', 'policy', false],
        ],
      );
      assert.match(drain!.reason, /^fake-user may not list pods \(cluster-wide\); fake-user may not create pods\/eviction/);
      const [scale] = await ask<ActionCheckDTO[]>('actions.check', {
        clusters: [C, 'elsewhere'],
        action: 'scale',
        target: { kind: 'apps/deployments', namespace: 'web', name: 'frontend' },
      }).then((x) => [x[0], x[1]]);
      assert.equal(scale!.checks[0]!.resource, 'deployments/scale');
      assert.equal(scale!.reason, 'fake-user may not patch deployments/scale (apps) in namespace web');
      const both = await ask<ActionCheckDTO[]>('actions.check', {
        clusters: [C, 'elsewhere'],
        action: 'cordon',
        target: { kind: 'nodes', namespace: '', name: 'node-1' },
      });
      assert.deepEqual([both[1]!.cluster, both[1]!.allowed, both[1]!.reason], ['elsewhere', false, "not in this session's kubeconfigs"]);
      const wrong = await refusal('actions.check', {
        clusters: [C],
        action: 'scale',
        target: { kind: 'nodes', namespace: '', name: 'node-1' },
      });
      assert.equal(wrong.code, 'invalid');
      assert.match(wrong.error, /scale works on Deployment, StatefulSet and ReplicaSet objects, not Node/);
    });

    it('actions.run: the write with the console’s field manager, the result per cluster, the change recorded (done or failed)', async () => {
      const run = await ask<ActionRunDTO>('actions.run', confirmedRun([C], 'cordon', { kind: 'nodes', namespace: '', name: 'node-1' }));
      assert.equal(run.results[0]!.ok, true, run.results[0]!.message);
      assert.equal(run.results[0]!.message, 'cordoned node node-1');
      const patch = api.requests.find((r) => r.method === 'PATCH' && r.path === '/api/v1/nodes/node-1')!;
      assert.equal(patch.query.get('fieldManager'), 'fleet-console');
      assert.equal(patch.headers['content-type'], 'application/merge-patch+json');
      assert.deepEqual(patch.body, { spec: { unschedulable: true } });
      const ev = store.changeEvents.get(run.results[0]!.change!)!;
      assert.deepEqual(
        [ev.category, ev.action, ev.severity, ev.who, ev.summary, ev.kind, ev.uid, ev.name, ev.refs.node],
        ['action', 'cordon', 'info', 'you (fleet console)', 'cordoned by you from this console', 'nodes', 'n1', 'node-1', 'node-1'],
      );
      assert.deepEqual(changed.at(-1), [C], 'the cluster’s views moved on');
      assert.ok(
        pushes.some((p) => p.e.type === 'action' && p.e.run === run.run && p.to === 'A'),
        'its progress to its caller',
      );

      const failed = await ask<ActionRunDTO>(
        'actions.run',
        confirmedRun([C], 'scale', { kind: 'apps/deployments', namespace: 'web', name: 'frontend' }, { replicas: 5 }),
      );
      const r = failed.results[0]!;
      assert.equal(r.ok, false);
      assert.equal(
        r.message,
        'deployments.apps "frontend" is forbidden: User "fake-user" cannot patch resource "deployments/scale" in API group "apps" in the namespace "web"',
      );
      const fev = store.changeEvents.get(r.change!)!;
      assert.deepEqual([fev.severity, fev.uid, fev.kind], ['warning', 'd1', 'apps/deployments']);
      assert.equal(fev.summary, `scale to 5 replicas by you from this console failed: ${r.message}`);
      // the object's Changes tab shows it
      const of = await ask<{ changes: { id: number }[] }>('changes.of', { cluster: C, kind: 'apps/deployments', uid: 'd1' });
      assert.ok(of.changes.some((c) => c.id === r.change));
    });

    it('actions.run checks the confirmation even without the schema; a cluster it cannot reach says so', async () => {
      await assert.rejects(
        svc.call(
          'actions.run',
          {
            clusters: [C],
            action: 'cordon',
            target: { kind: 'nodes', namespace: '', name: 'node-1' },
            params: {},
            confirm: { clusters: [C], namespace: '', name: 'node-2' },
          } as never,
          'A',
        ),
        /the confirmation must name the same clusters, namespace and object/,
      );
      const run = await ask<ActionRunDTO>(
        'actions.run',
        confirmedRun(['elsewhere'], 'cordon', { kind: 'nodes', namespace: '', name: 'node-1' }),
      );
      assert.deepEqual([run.results[0]!.ok, run.results[0]!.message], [false, "no cluster elsewhere in this session's kubeconfigs"]);
    });

    it('actions.preview of an edit: the server-side dry run diffed against the object now; placeholders warned of', async () => {
      const current = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cfg', namespace: 'web', uid: 'cm1', resourceVersion: '7', managedFields: [{ manager: 'x' }] },
        data: { 'app.yaml': 'retries: 3\n', keep: 'k' },
      };
      api.route((r) => {
        if (r.path !== '/api/v1/namespaces/web/configmaps/cfg') return undefined;
        if (r.method === 'GET') return { body: current };
        if (r.method === 'PUT')
          return { body: { ...r.body, metadata: { ...r.body.metadata, uid: 'cm1', resourceVersion: r.query.get('dryRun') ? '7' : '8' } } };
        return undefined;
      });
      const manifest =
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  app.yaml: "retries: 5\\n"\n  keep: "<1 bytes, sha256:abcdef012345>"\n';
      const p = await ask<ActionPreviewDTO>('actions.preview', {
        cluster: C,
        action: 'apply',
        target: { kind: 'configmaps', namespace: 'web', name: 'cfg' },
        params: { manifest },
      });
      assert.deepEqual(
        p.diff!.map((d) => [d.path, d.op, d.before, d.after]),
        [
          ['data["app.yaml"]', 'changed', 'retries: 3\n', 'retries: 5\n'],
          ['data.keep', 'changed', 'k', '<1 bytes, sha256:abcdef012345>'],
        ],
      );
      assert.ok(p.warnings.some((w) => /data\.keep holds the cache's placeholder/.test(w)));
      const put = api.requests.find((r) => r.method === 'PUT')!;
      assert.equal(put.query.get('dryRun'), 'All');
      assert.equal(put.query.get('fieldManager'), 'fleet-console');
      assert.equal(put.body.metadata.namespace, 'web', 'the namespace filled in');
      const wrong = await refusal('actions.preview', {
        cluster: C,
        action: 'apply',
        target: { kind: 'configmaps', namespace: 'web', name: 'cfg' },
        params: { manifest: 'apiVersion: v1\nkind: Secret\nmetadata: {name: cfg}\n' },
      });
      assert.equal(wrong.code, 'invalid');
      assert.match(wrong.error, /the manifest is a Secret \(v1\), not a ConfigMap/);
    });

    it('a drain evicts what it may, retries what a PodDisruptionBudget refuses, and on timeout names the budget', async () => {
      const onNode = [
        owned(fakePod('web', 'frontend-abc-1', { metadata: { labels: { app: 'frontend' } } }), 'ReplicaSet', 'frontend-abc', 'rs1'),
        owned(fakePod('web', 'api-xyz-1', { metadata: { labels: { app: 'api' } } }), 'ReplicaSet', 'api-xyz', 'rs2'),
        owned(fakePod('monitoring', 'exporter-1'), 'DaemonSet', 'exporter', 'ds1'),
        fakePod('default', 'debug'),
      ];
      const evicted = new Set<string>();
      api.route((r) => {
        if (r.method === 'GET' && r.path === '/api/v1/pods' && r.query.get('fieldSelector') === 'spec.nodeName=node-1')
          return { body: { items: onNode } };
        if (r.method === 'GET' && r.path === '/apis/policy/v1/poddisruptionbudgets')
          return {
            body: {
              items: [
                {
                  metadata: { namespace: 'web', name: 'frontend-pdb' },
                  spec: { selector: { matchLabels: { app: 'frontend' } } },
                  status: { disruptionsAllowed: 0 },
                },
              ],
            },
          };
        const ev = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction$/.exec(r.path);
        if (r.method === 'POST' && ev) {
          if (ev[2] === 'frontend-abc-1')
            return {
              status: 429,
              body: {
                kind: 'Status',
                status: 'Failure',
                message: "Cannot evict pod as it would violate the pod's disruption budget.",
                reason: 'TooManyRequests',
                details: {
                  causes: [
                    { reason: 'DisruptionBudget', message: 'The disruption budget frontend-pdb needs 2 healthy pods and has 2 currently' },
                  ],
                },
                code: 429,
              },
            };
          evicted.add(`${ev[1]}/${ev[2]}`);
          return { status: 201, body: { kind: 'Status', status: 'Success' } };
        }
        const get = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(r.path);
        if (r.method === 'GET' && get && evicted.has(`${get[1]}/${get[2]}`))
          return fakeStatus(404, 'NotFound', `pods "${get[2]}" not found`);
        return undefined;
      });
      const preview = await ask<ActionPreviewDTO>('actions.preview', {
        cluster: C,
        action: 'drain',
        target: { kind: 'nodes', namespace: '', name: 'node-1' },
      });
      assert.deepEqual(preview.evictions, [
        { namespace: 'web', name: 'api-xyz-1' },
        { namespace: 'web', name: 'frontend-abc-1', blockedBy: 'PodDisruptionBudget frontend-pdb' },
        { namespace: 'default', name: 'debug', blockedBy: 'no controller (not deleted)' },
      ]);
      const t0 = Date.now();
      const run = await ask<ActionRunDTO>(
        'actions.run',
        confirmedRun([C], 'drain', { kind: 'nodes', namespace: '', name: 'node-1' }, { timeoutSeconds: 1 }),
      );
      const r = run.results[0]!;
      assert.ok(Date.now() - t0 >= 1000, 'retried until the timeout');
      assert.equal(r.ok, false);
      assert.match(r.message, /^drain of node-1 timed out after 1 s: evicted 1 pod, 2 pods blocked \(PodDisruptionBudget frontend-pdb\)$/);
      assert.deepEqual(
        r.blocked!.map((b) => [b.namespace, b.name]),
        [
          ['default', 'debug'],
          ['web', 'frontend-abc-1'],
        ],
      );
      assert.match(
        r.blocked![1]!.reason,
        /^PodDisruptionBudget frontend-pdb: Cannot evict pod as it would violate the pod's disruption budget\./,
      );
      assert.deepEqual([...evicted], ['web/api-xyz-1'], 'the DaemonSet pod stays; the pod without a controller is not deleted');
      const progress = pushes.filter((p) => p.e.type === 'action' && p.e.run === run.run).map((p) => p.e as ActionProgressEvent);
      assert.ok(progress.some((p) => /^cordoned node-1; 2 pods to evict, 1 left/.test(p.message)));
      assert.ok(progress.some((p) => p.message === 'evicted: web/api-xyz-1' && p.done === 1 && p.total === 2));
      const ev = store.changeEvents.get(r.change!)!;
      assert.deepEqual([ev.action, ev.severity], ['drain', 'warning']);
      assert.match(ev.summary, /^drain by you from this console failed: drain of node-1 timed out/);
    });
  });
});
