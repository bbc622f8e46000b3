// Operating a real lab cluster through the contract's service, as the back end runs it: the sync worker
// keeps the cache (workloads' pods, the change history), the service answers logs and actions through
// the back end's own connections (kube/pool.ts), pushes go to their caller. Every action with the
// admin user (allowed: done, and recorded in the cache's change history) and the restricted one (its
// check says why not; its run is refused by the API with its exact message, and recorded as failed);
// a drain that a PodDisruptionBudget blocks; an edit applied after its dry-run diff; pod logs
// followed as kwok's pod.log grows, tails, a previous container that never was, a workload's pods merged.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../lab/src/lab.ts';
import { adminClient } from '../../lab/src/cluster.ts';
import { KubeError, type KubeClient } from '../../lab/src/kube.ts';
import { until } from '../../lab/src/until.ts';
import { startSyncWorker } from './client.ts';
import { sourcesFromPaths } from '../fleet/sources.ts';
import { ConnectionPool } from '../kube/pool.ts';
import { Store } from '../store/store.ts';
import { ViewService } from '../views/service.ts';
import type {
  ActionCheckDTO,
  ActionName,
  ActionPreviewDTO,
  ActionProgressEvent,
  ActionRunDTO,
  ActionTarget,
  Answer,
  ChangeListDTO,
  LogsEvent,
  LogStreamDTO,
  PushEvent,
} from '../../common/contract.ts';

type Obj = Record<string, any>;

describe('operate a lab cluster: actions and logs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-operate-lab-'));
  const db = join(dir, 'cache.db');
  const dataDir = join(dir, 'data');
  let lab: Lab;
  let worker: ReturnType<typeof startSyncWorker> | undefined;
  let store: Store | undefined;
  let pool: ConnectionPool | undefined;
  let svc: ViewService;
  let admin: KubeClient;
  const pushes: { e: PushEvent; to: string }[] = [];
  let ADMIN = '';
  let RESTRICTED = '';
  let node = '';
  const t0 = Date.now();

  const ask = async <T>(method: string, params: unknown, caller = 'page-1'): Promise<T> => {
    const a = (await svc.handle(method, params, caller)) as Answer<T>;
    if (!a.ok) throw Object.assign(new Error(`${method}: ${a.error}`), { code: a.code, raw: a.error });
    return a.result;
  };
  const refused = async (method: string, params: unknown, caller = 'page-1') => {
    const a = await svc.handle(method, params, caller);
    assert.equal(a.ok, false, `${method} ${JSON.stringify(params)} should fail`);
    return a as { ok: false; error: string; code: string };
  };
  const run = (cluster: string, action: ActionName, target: ActionTarget, params: Obj = {}) =>
    ask<ActionRunDTO>('actions.run', {
      clusters: [cluster],
      action,
      target,
      params,
      confirm: { clusters: [cluster], namespace: target.namespace, name: target.name },
    }).then((r) => r.results[0]!);
  const logsOf = (stream: number, to = 'page-1') =>
    pushes.flatMap((p) => (p.e.type === 'logs' && p.e.stream === stream && p.to === to ? [p.e as LogsEvent] : []));
  /** The API's own message for a request the admin makes directly (KubeError: "GET path: 400 message"). */
  const directError = async (path: string) => {
    try {
      await admin.get(path);
    } catch (e) {
      if (e instanceof KubeError) return /^\S+ \S+: \d+ ([\s\S]*)$/.exec(e.message)![1]!;
      throw e;
    }
    throw new Error(`${path} answered 2xx`);
  };

  const nodeT = (): ActionTarget => ({ kind: 'nodes', namespace: '', name: node });
  const frontend: ActionTarget = { kind: 'apps/deployments', namespace: 'web', name: 'frontend' };
  const config: ActionTarget = { kind: 'configmaps', namespace: 'web', name: 'operate-config' };

  before(async () => {
    lab = await Lab.up({ dir: join(dir, 'lab'), clusters: 1, profile: 'mixed', nodes: 5, podsPerNode: 2 });
    admin = adminClient(lab.cluster('lab-1'));
    // The node to drain: schedulable, untainted; two Deployments pinned to it, one guarded by a
    // PodDisruptionBudget that allows no disruption (minAvailable = replicas).
    const nodes = (await admin.listAll('/api/v1/nodes')).items;
    node = nodes.find((n) => !n.spec?.unschedulable && !n.spec?.taints?.length)!.metadata.name;
    await admin.mergePatch(`/api/v1/nodes/${node}`, { metadata: { labels: { 'lab.fleet/drain-target': 'yes' } } });
    const pinned = (name: string, replicas: number) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'web' },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            nodeSelector: { 'lab.fleet/drain-target': 'yes' },
            containers: [{ name: 'app', image: 'registry.lab.local/app:1.0', resources: { requests: { cpu: '10m' } } }],
          },
        },
      },
    });
    await admin.create(pinned('guarded', 2));
    await admin.create(pinned('movable', 1));
    // (the lab's client knows no PodDisruptionBudget path: the collection's, by hand)
    await admin.request('POST', '/apis/policy/v1/namespaces/web/poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'guarded-pdb', namespace: 'web' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'guarded' } } },
    });
    await admin.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'operate-config', namespace: 'web' },
      data: { 'app.yaml': 'retries: 3\n' },
    });
    // The disruption controller has counted the guarded pods: none may go.
    await until(
      'guarded-pdb counts 2 healthy pods',
      async () => {
        const b = await admin.get('/apis/policy/v1/namespaces/web/poddisruptionbudgets/guarded-pdb');
        return b.status?.currentHealthy === 2 && b.status?.disruptionsAllowed === 0;
      },
      120_000,
      500,
    );
    await until(
      'movable running',
      async () =>
        (await admin.listAll('/api/v1/namespaces/web/pods', { labelSelector: 'app=movable' })).items.some(
          (p) => p.status?.phase === 'Running',
        ),
      120_000,
      500,
    );

    // As the back end: the cache opened (and migrated) first, then the sync worker; its own connections.
    const sources = sourcesFromPaths([lab.state.merged]);
    store = new Store(db);
    worker = startSyncWorker({
      dbPath: db,
      dataDir,
      sources,
      contexts: ['lab-1', 'lab-1-restricted'],
      reflector: { watchSeconds: 60, backoffMaxMs: 3000 },
    });
    const live = await worker.settled(240_000, (s) => s.status === 'live');
    for (const s of live) assert.equal(s.status, 'live', `${s.context}: ${s.message}`);
    ADMIN = live.find((s) => s.context === 'lab-1')!.id;
    RESTRICTED = live.find((s) => s.context === 'lab-1-restricted')!.id;
    pool = new ConnectionPool(sources, dataDir);
    const w = worker;
    svc = new ViewService(store, {
      mode: 'live',
      source: db,
      derive: 'none',
      live: { statuses: () => w.statuses(), problems: () => w.problems(), looked: () => w.looked() },
      connections: pool,
      push: (e, to) => pushes.push({ e, to }),
    });
    // the cache has the Deployments' pods (logs of a workload read them from it)
    await until('the cache has web/frontend’s pods', () => store!.objects(ADMIN, 'pods', { namespace: 'web' }).length >= 3, 60_000);
  });

  after(async () => {
    svc?.close();
    pool?.close();
    await worker?.stop();
    store?.close();
    admin?.close();
    await lab?.down({ removeFiles: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const targets = (): [ActionName, ActionTarget][] => {
    const pod = store!.objects(ADMIN, 'pods', { namespace: 'web' }).find((p) => p.name.startsWith('api-'))!;
    return [
      ['cordon', nodeT()],
      ['uncordon', nodeT()],
      ['drain', nodeT()],
      ['scale', frontend],
      ['restart', frontend],
      ['pause', frontend],
      ['resume', frontend],
      ['delete', { kind: 'pods', namespace: 'web', name: pod.name }],
      ['apply', config],
    ];
  };

  it('actions.check: every action allowed for the admin; for the restricted user, not, saying why', async (t) => {
    for (const [action, target] of targets()) {
      const [a, r] = await ask<ActionCheckDTO[]>('actions.check', { clusters: [ADMIN, RESTRICTED], action, target });
      assert.equal(a!.allowed, true, `${action}: ${a!.reason}`);
      assert.ok(a!.checks.length >= 1 && a!.checks.every((c) => c.allowed), action);
      assert.equal(r!.allowed, false, action);
      assert.equal(r!.clusterContext, 'lab-1-restricted');
      assert.match(r!.reason, /^lab-restricted may not /, `${action}: ${r!.reason}`);
      if (action === 'cordon' || action === 'apply') t.diagnostic(`restricted ${action}: ${r!.reason}`);
      assert.ok(
        r!.checks.some((c) => !c.allowed),
        action,
      );
    }
    const [drain] = await ask<ActionCheckDTO[]>('actions.check', { clusters: [RESTRICTED], action: 'drain', target: nodeT() });
    assert.deepEqual(
      drain!.checks.map((c) => `${c.verb} ${c.group ? `${c.group}/` : ''}${c.resource}`),
      ['patch nodes', 'list pods', 'create pods/eviction', 'list policy/poddisruptionbudgets'],
    );
    assert.match(drain!.reason, /lab-restricted may not patch nodes \(cluster-wide\)/);
    const [scale] = await ask<ActionCheckDTO[]>('actions.check', { clusters: [RESTRICTED], action: 'scale', target: frontend });
    assert.deepEqual(
      [scale!.checks[0]!.verb, scale!.checks[0]!.resource, scale!.checks[0]!.group, scale!.checks[0]!.namespace],
      ['patch', 'deployments/scale', 'apps', 'web'],
    );
  });

  it('the restricted user’s runs are refused by the API, its exact message per action, each recorded as failed', async () => {
    const expect: Record<ActionName, RegExp> = {
      cordon: new RegExp(
        `^nodes "${node}" is forbidden: User "lab-restricted" cannot patch resource "nodes" in API group "" at the cluster scope`,
      ),
      uncordon: /cannot patch resource "nodes" in API group "" at the cluster scope/,
      drain: /cannot patch resource "nodes" in API group "" at the cluster scope/,
      scale:
        /^deployments\.apps "frontend" is forbidden: User "lab-restricted" cannot patch resource "deployments\/scale" in API group "apps" in the namespace "web"/,
      restart:
        /^deployments\.apps "frontend" is forbidden: User "lab-restricted" cannot patch resource "deployments" in API group "apps" in the namespace "web"/,
      pause: /cannot patch resource "deployments" in API group "apps" in the namespace "web"/,
      resume: /cannot patch resource "deployments" in API group "apps" in the namespace "web"/,
      delete: /^pods "api-[^"]+" is forbidden: User "lab-restricted" cannot delete resource "pods" in API group "" in the namespace "web"/,
      apply:
        /^configmaps "operate-config" is forbidden: User "lab-restricted" cannot update resource "configmaps" in API group "" in the namespace "web"/,
    };
    for (const [action, target] of targets()) {
      const params: Obj =
        action === 'scale'
          ? { replicas: 5 }
          : action === 'apply'
            ? {
                manifest:
                  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: operate-config, namespace: web}\ndata: {app.yaml: "retries: 9\\n"}\n',
              }
            : action === 'drain'
              ? { timeoutSeconds: 5 }
              : {};
      const r = await run(RESTRICTED, action, target, params);
      assert.equal(r.ok, false, action);
      assert.match(r.message, expect[action], `${action}: ${r.message}`);
      const ev = store!.changeEvents.get(r.change!)!;
      assert.deepEqual([ev.category, ev.action, ev.severity, ev.who], ['action', action, 'warning', 'you (fleet console)'], action);
      assert.ok(ev.summary.endsWith(`by you from this console failed: ${r.message}`), ev.summary);
    }
    // and the dry run of an edit is refused the same way (before anything is shown)
    const p = await refused('actions.preview', {
      cluster: RESTRICTED,
      action: 'apply',
      target: config,
      params: { manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: operate-config}\ndata: {app.yaml: "x"}\n' },
    });
    assert.equal(p.code, 'forbidden');
    assert.match(p.error, expect.apply);
    // nothing changed on the cluster
    assert.equal((await admin.get(`/api/v1/nodes/${node}`)).spec?.unschedulable, undefined);
    assert.equal((await admin.get('/apis/apps/v1/namespaces/web/deployments/frontend')).spec.replicas, 3);
  });

  it('cordon and uncordon a node: written by fleet-console, recorded in the cache at once', async () => {
    const c = await run(ADMIN, 'cordon', nodeT());
    assert.deepEqual([c.ok, c.message], [true, `cordoned node ${node}`]);
    const n = await admin.get(`/api/v1/nodes/${node}`);
    assert.equal(n.spec.unschedulable, true);
    assert.ok(
      n.metadata.managedFields.some((m: Obj) => m.manager === 'fleet-console'),
      'the field manager is the console',
    );
    const ev = store!.changeEvents.get(c.change!)!;
    assert.deepEqual(
      [ev.category, ev.severity, ev.who, ev.summary, ev.kind, ev.name, ev.uid],
      ['action', 'info', 'you (fleet console)', 'cordoned by you from this console', 'nodes', node, n.metadata.uid],
    );
    // the sync worker sees the cordon too, made by fleet-console (managedFields)
    await until(
      'the watched cordon',
      async () =>
        (await ask<ChangeListDTO>('changes.of', { cluster: ADMIN, node })).changes.find(
          (x) => x.category === 'node' && x.action === 'cordoned',
        ),
      60_000,
      500,
    ).then((x) => assert.match(x.who, /^fleet-console/));
    const u = await run(ADMIN, 'uncordon', nodeT());
    assert.equal(u.ok, true, u.message);
    assert.notEqual((await admin.get(`/api/v1/nodes/${node}`)).spec.unschedulable, true);
  });

  it('scale, restart (rollout restart), pause and resume a Deployment', async () => {
    const s = await run(ADMIN, 'scale', frontend, { replicas: 4 });
    assert.deepEqual([s.ok, s.message], [true, 'scaled Deployment web/frontend to 4 replicas']);
    assert.equal((await admin.get('/apis/apps/v1/namespaces/web/deployments/frontend')).spec.replicas, 4);
    assert.equal(store!.changeEvents.get(s.change!)!.summary, 'scaled to 4 replicas by you from this console');
    assert.equal((await run(ADMIN, 'scale', frontend, { replicas: 3 })).ok, true);

    const r = await run(ADMIN, 'restart', frontend);
    assert.equal(r.ok, true, r.message);
    const d = await admin.get('/apis/apps/v1/namespaces/web/deployments/frontend');
    assert.match(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const p = await run(ADMIN, 'pause', frontend);
    assert.equal(p.ok, true, p.message);
    assert.equal((await admin.get('/apis/apps/v1/namespaces/web/deployments/frontend')).spec.paused, true);
    const again = await run(ADMIN, 'restart', frontend);
    assert.deepEqual(
      [again.ok, again.message],
      [false, `deployments "frontend" can't restart paused deployment (run rollout resume first)`],
    );
    const q = await run(ADMIN, 'resume', frontend);
    assert.equal(q.ok, true, q.message);
    assert.notEqual((await admin.get('/apis/apps/v1/namespaces/web/deployments/frontend')).spec.paused, true);
  });

  it('delete a pod', async () => {
    const pod = store!.objects(ADMIN, 'pods', { namespace: 'web' }).find((p) => p.name.startsWith('api-'))!;
    const preview = await ask<ActionPreviewDTO>('actions.preview', {
      cluster: ADMIN,
      action: 'delete',
      target: { kind: 'pods', namespace: 'web', name: pod.name },
    });
    assert.ok(
      preview.warnings.some((w) => /^its ReplicaSet api-\S+ will replace it$/.test(w)),
      preview.warnings.join(),
    );
    const d = await run(ADMIN, 'delete', { kind: 'pods', namespace: 'web', name: pod.name }, { gracePeriodSeconds: 0 });
    assert.deepEqual([d.ok, d.message], [true, `deleted Pod web/${pod.name}`]);
    await until(
      'the pod gone',
      async () => {
        const cur = await admin.getOrNull(`/api/v1/namespaces/web/pods/${pod.name}`);
        return !cur || cur.metadata.uid !== pod.uid;
      },
      60_000,
      500,
    );
    assert.equal(store!.changeEvents.get(d.change!)!.uid, pod.uid, 'on the object: its Changes tab shows it');
  });

  it('apply an edited ConfigMap: the dry run’s diff first, then the update', async () => {
    const cur = await admin.get('/api/v1/namespaces/web/configmaps/operate-config');
    const manifest = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'operate-config', namespace: 'web' },
      data: { 'app.yaml': 'retries: 5\n', extra: 'on' },
    });
    const p = await ask<ActionPreviewDTO>('actions.preview', { cluster: ADMIN, action: 'apply', target: config, params: { manifest } });
    assert.deepEqual(
      p.diff!.map((e) => [e.path, e.op, e.before, e.after]),
      [
        ['data["app.yaml"]', 'changed', 'retries: 3\n', 'retries: 5\n'],
        ['data.extra', 'added', undefined, 'on'],
      ],
    );
    assert.equal(
      (await admin.get('/api/v1/namespaces/web/configmaps/operate-config')).metadata.resourceVersion,
      cur.metadata.resourceVersion,
      'a dry run stores nothing',
    );
    const a = await run(ADMIN, 'apply', config, { manifest });
    assert.equal(a.ok, true, a.message);
    assert.equal(a.message, 'applied ConfigMap web/operate-config: 2 fields changed');
    const after = await admin.get('/api/v1/namespaces/web/configmaps/operate-config');
    assert.deepEqual(after.data, { 'app.yaml': 'retries: 5\n', extra: 'on' });
    assert.ok(after.metadata.managedFields.some((m: Obj) => m.manager === 'fleet-console'));
    assert.equal(store!.changeEvents.get(a.change!)!.summary, 'edited by you from this console: data["app.yaml"], data.extra');
  });

  it('drain a node where a PodDisruptionBudget blocks a Deployment: reported blocked, naming the budget, after the timeout', async (t) => {
    const preview = await ask<ActionPreviewDTO>('actions.preview', { cluster: ADMIN, action: 'drain', target: nodeT() });
    const guarded = preview.evictions!.filter((e) => e.name.startsWith('guarded-'));
    assert.equal(guarded.length, 2);
    assert.ok(
      guarded.every((e) => e.blockedBy === 'PodDisruptionBudget guarded-pdb'),
      JSON.stringify(guarded),
    );
    assert.ok(preview.evictions!.some((e) => e.name.startsWith('movable-') && !e.blockedBy));
    assert.ok(
      preview.warnings.some((w) => /DaemonSet-managed or mirror/.test(w)),
      preview.warnings.join(),
    );
    const started = Date.now();
    const r = await ask<ActionRunDTO>(
      'actions.run',
      {
        clusters: [ADMIN],
        action: 'drain',
        target: nodeT(),
        params: { timeoutSeconds: 8 },
        confirm: { clusters: [ADMIN], namespace: '', name: node },
      },
      'page-2',
    );
    const res = r.results[0]!;
    t.diagnostic(`drain: ${res.message}; blocked: ${res.blocked!.map((b) => `${b.name} (${b.reason})`).join('; ')}`);
    assert.ok(Date.now() - started >= 8000, 'it retried until the timeout');
    assert.equal(res.ok, false);
    assert.match(
      res.message,
      new RegExp(`^drain of ${node} timed out after 8 s: evicted \\d+ pods?, \\d+ pods? blocked \\(PodDisruptionBudget guarded-pdb\\)$`),
    );
    const blocked = res.blocked!.filter((b) => b.name.startsWith('guarded-'));
    assert.equal(blocked.length, 2);
    for (const b of blocked)
      assert.match(b.reason, /^PodDisruptionBudget guarded-pdb: Cannot evict pod as it would violate the pod's disruption budget\./);
    // the node is cordoned; everything else left it (but the DaemonSet's pod); the guarded pods stayed
    assert.equal((await admin.get(`/api/v1/nodes/${node}`)).spec.unschedulable, true);
    const left = (await admin.listAll('/api/v1/pods', { fieldSelector: `spec.nodeName=${node}` })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );
    assert.deepEqual(
      left
        .filter((p) => !p.metadata.name.startsWith('guarded-') && p.metadata.ownerReferences?.[0]?.kind !== 'DaemonSet')
        .map((p) => p.metadata.name),
      res.blocked!.filter((b) => !b.name.startsWith('guarded-')).map((b) => b.name),
      'only what was reported blocked is left',
    );
    assert.equal(left.filter((p) => p.metadata.name.startsWith('guarded-')).length, 2);
    // progress went to the page that ran it, and to no other
    const progress = pushes.filter((p) => p.e.type === 'action' && (p.e as ActionProgressEvent).run === r.run);
    assert.ok(progress.length >= 3);
    assert.ok(progress.every((p) => p.to === 'page-2'));
    assert.ok(progress.some((p) => /^evicted: web\/movable-/.test((p.e as ActionProgressEvent).message)));
    const ev = store!.changeEvents.get(res.change!)!;
    assert.deepEqual([ev.action, ev.severity, ev.name], ['drain', 'warning', node]);
    assert.match(ev.summary, /^drain by you from this console failed: drain of .* \(PodDisruptionBudget guarded-pdb\)$/);
    assert.equal((await run(ADMIN, 'uncordon', nodeT())).ok, true);
  });

  it('every action is in the cluster’s change history (the timeline’s list), done or failed', async () => {
    const list = await ask<ChangeListDTO>('changes.list', { from: t0, to: Date.now(), categories: ['action'], limit: 1000 });
    const mine = list.changes.filter((c) => c.who === 'you (fleet console)');
    for (const a of ['cordon', 'uncordon', 'drain', 'scale', 'restart', 'pause', 'resume', 'delete', 'apply']) {
      assert.ok(mine.some((c) => c.cluster === ADMIN && c.action === a && c.severity === 'info') || a === 'drain', `${a} done`);
      assert.ok(
        mine.some((c) => c.cluster === RESTRICTED && c.action === a && c.severity === 'warning'),
        `${a} refused`,
      );
    }
    assert.ok(mine.some((c) => c.cluster === ADMIN && c.action === 'drain' && c.severity === 'warning'));
  });

  describe('logs', () => {
    const podLog = () => join(lab.cluster('lab-1').dir, 'pod.log');
    const frontendPods = () =>
      store!
        .objects(ADMIN, 'pods', { namespace: 'web' })
        .filter((p) => p.name.startsWith('frontend-') && p.body.status?.phase === 'Running' && !p.body.metadata?.deletionTimestamp)
        .map((p) => p.name)
        .sort();

    it('follow: lines appended to the pod’s log arrive as pushes to the page that asked; stopping ends the request', async () => {
      const pod = await until('a running frontend pod in the cache', () => frontendPods()[0], 60_000);
      const s = await ask<LogStreamDTO>('logs.start', {
        cluster: ADMIN,
        namespace: 'web',
        pod,
        follow: true,
        tailLines: 1,
        timestamps: true,
      });
      assert.deepEqual(s.sources, [{ pod, container: 'frontend' }]);
      await until('the last line', () => logsOf(s.stream).some((e) => e.lines.length > 0), 30_000, 100);
      const marker = `operate-marker-${Date.now()}`;
      const at = new Date();
      appendFileSync(podLog(), `${at.toISOString()} stdout F ${marker} one\n${at.toISOString()} stderr F ${marker} two\n`);
      const got = await until(
        'the appended lines as pushes',
        () => {
          const lines = logsOf(s.stream)
            .flatMap((e) => e.lines)
            .filter((l) => l.text.startsWith(marker));
          return lines.length === 2 ? lines : undefined;
        },
        30_000,
        100,
      );
      assert.deepEqual(
        got.map((l) => [l.pod, l.container, l.text, l.at]),
        [
          [pod, 'frontend', `${marker} one`, at.getTime()],
          [pod, 'frontend', `${marker} two`, at.getTime()],
        ],
      );
      assert.ok(pushes.filter((p) => p.e.type === 'logs' && (p.e as LogsEvent).stream === s.stream).every((p) => p.to === 'page-1'));
      assert.deepEqual(await ask('logs.stop', { stream: s.stream }), { stopped: true });
      assert.equal(logsOf(s.stream).at(-1)!.done, true);
      assert.equal(svc.openStreams(), 0);
    });

    it('tailLines: the last lines, then done; timestamps from the CRI log', async () => {
      const pod = frontendPods()[0]!;
      const s = await ask<LogStreamDTO>('logs.start', { cluster: ADMIN, namespace: 'web', pod, tailLines: 3, timestamps: true });
      const done = await until('the end', () => logsOf(s.stream).find((e) => e.done), 30_000, 100);
      assert.equal(done.error, undefined);
      const lines = logsOf(s.stream).flatMap((e) => e.lines);
      const file = readFileSync(podLog(), 'utf8').trimEnd().split('\n').slice(-3);
      assert.deepEqual(
        lines.map((l) => [l.at, l.text]),
        file.map((l) => {
          const [time, , , ...msg] = l.split(' ');
          return [Date.parse(time!), msg.join(' ')];
        }),
      );
    });

    it('previous, for a container that never restarted: the API’s own message', async (t) => {
      const pod = frontendPods()[0]!;
      const expected = await directError(`/api/v1/namespaces/web/pods/${pod}/log?container=frontend&previous=true`);
      const r = await refused('logs.start', { cluster: ADMIN, namespace: 'web', pod, previous: true });
      assert.equal(r.error, expected);
      assert.equal(r.code, 'invalid');
      t.diagnostic(`previous: ${r.error}`);
      const c = await refused('logs.start', { cluster: ADMIN, namespace: 'web', pod, container: 'no-such-container' });
      assert.equal(c.error, await directError(`/api/v1/namespaces/web/pods/${pod}/log?container=no-such-container`));
    });

    it('a Deployment’s pods merged, each line with its pod', async () => {
      await until('web/frontend settled: 3 running pods, none terminating', () => frontendPods().length === 3, 120_000, 500);
      // the picker's containers: a sidecar (restartable init container) is one
      const api = await ask<LogStreamDTO>('logs.start', {
        cluster: ADMIN,
        namespace: 'web',
        workload: { kind: 'apps/deployments', name: 'api' },
        tailLines: 1,
      });
      assert.ok(
        api.containers.some((c) => c.name === 'log-shipper' && c.kind === 'sidecar'),
        JSON.stringify(api.containers),
      );
      assert.ok(
        api.sources.every((x) => x.container === 'api'),
        'the first app container, not the sidecar',
      );
      const s = await ask<LogStreamDTO>('logs.start', {
        cluster: ADMIN,
        namespace: 'web',
        workload: { kind: 'apps/deployments', name: 'frontend' },
        tailLines: 2,
      });
      const pods = frontendPods();
      assert.deepEqual(
        s.sources.map((x) => x.pod).sort(),
        pods.filter((p) => s.sources.some((x) => x.pod === p)),
      );
      assert.ok(s.sources.length >= 3, JSON.stringify(s));
      assert.ok(s.sources.every((x) => x.container === 'frontend'));
      await until('the end', () => logsOf(s.stream).find((e) => e.done), 30_000, 100);
      const lines = logsOf(s.stream).flatMap((e) => e.lines);
      assert.equal(lines.length, 2 * s.sources.length);
      assert.deepEqual(new Set(lines.map((l) => l.pod)), new Set(s.sources.map((x) => x.pod)));
    });

    it('a page going away stops its streams', async () => {
      const pod = frontendPods()[0]!;
      await ask<LogStreamDTO>('logs.start', { cluster: ADMIN, namespace: 'web', pod, follow: true }, 'page-3');
      await ask<LogStreamDTO>(
        'logs.start',
        { cluster: ADMIN, namespace: 'web', workload: { kind: 'apps/deployments', name: 'frontend' }, follow: true },
        'page-3',
      );
      assert.equal(svc.openStreams('page-3'), 2);
      assert.equal(svc.release('page-3'), 2);
      assert.equal(svc.openStreams(), 0);
    });
  });
});
