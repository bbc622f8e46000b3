// Every kind: list rows (status, owner, age, the kind's own columns) built from real objects, and the
// service's kinds.list / objects.list / views.focus kinds over a real Store: a kind outside the catalogue
// (a CRD's objects, listed without apiVersion/kind), across clusters, filtered by namespace and text,
// with where each cluster's rows come from (a stopped watch is as of then, never live).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../store/store.ts';
import { T0, cluster } from '../store/fixtures.ts';
import type { KObj } from '../store/store.ts';
import { ViewService } from './service.ts';
import { scratch } from './fixtures.ts';
import { duration, kindColumns, kindRow, statusOf } from './kinds.ts';
import type { KindsListDTO, ObjectsListDTO } from '../../common/contract.ts';

const meta = (name: string, namespace: string, extra: KObj = {}): KObj => ({
  name,
  namespace,
  uid: `uid-${namespace}-${name}`,
  resourceVersion: '1',
  creationTimestamp: '2026-11-20T09:00:00Z',
  ...extra,
});

const job = (name: string, status: KObj): KObj => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: meta(name, 'batch', {
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'uid-batch-nightly', controller: true }],
  }),
  spec: { completions: 3 },
  status,
});

/** A CRD's object as a LIST returns it: no apiVersion, no kind. */
const widget = (name: string, namespace: string, ready: boolean): KObj => ({
  metadata: meta(name, namespace),
  spec: { size: 3 },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'Up' : 'Broken' }] },
});

describe('kind rows (pure)', () => {
  it('a Job: completions, duration, failures; its CronJob as owner; Failed is bad, Complete ok', () => {
    const now = Date.parse('2026-11-20T10:00:00Z');
    const running = kindRow(
      'batch/jobs',
      job('run-1', { startTime: '2026-11-20T09:58:30Z', succeeded: 1, failed: 2 }),
      { cluster: 'c1', clusterContext: 'ctx', uid: 'u' },
      now,
    );
    assert.deepEqual(running.extra, { completions: '1/3', duration: '1m 30s', failures: '2' });
    assert.deepEqual(running.owner, { kind: 'CronJob', name: 'nightly' });
    assert.equal(running.status, 'Running');
    assert.equal(running.created, Date.parse('2026-11-20T09:00:00Z'));
    const failed = statusOf(
      'batch/jobs',
      job('f', { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] }),
      now,
    );
    assert.deepEqual([failed.status, failed.level], ['Failed: BackoffLimitExceeded', 'bad']);
    const done = statusOf('batch/jobs', job('d', { conditions: [{ type: 'Complete', status: 'True' }], succeeded: 3 }), now);
    assert.deepEqual([done.status, done.level], ['Complete', 'ok']);
    assert.deepEqual(
      kindColumns('batch/jobs').map((c) => c.key),
      ['completions', 'duration', 'failures'],
    );
  });

  it('a CronJob: schedule, last schedule, active', () => {
    const now = Date.parse('2026-11-20T10:00:00Z');
    const s = statusOf(
      'batch/cronjobs',
      {
        metadata: meta('nightly', 'batch'),
        spec: { schedule: '0 3 * * *' },
        status: { lastScheduleTime: '2026-11-20T09:00:00Z', active: [{}] },
      },
      now,
    );
    assert.deepEqual(s.extra, { schedule: '0 3 * * *', lastSchedule: '1h 0m ago', active: '1' });
    assert.deepEqual(
      kindColumns('batch/cronjobs').map((c) => c.label),
      ['Schedule', 'Last schedule', 'Active'],
    );
  });

  it('pods, workloads and any kind by its conditions or phase', () => {
    const now = T0;
    const crash = statusOf(
      'pods',
      {
        metadata: meta('p', 'a'),
        spec: { containers: [{ name: 'c' }], nodeName: 'n1' },
        status: {
          phase: 'Running',
          containerStatuses: [{ name: 'c', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
        },
      },
      now,
    );
    assert.deepEqual([crash.status, crash.level, crash.extra.restarts, crash.extra.node], ['CrashLoopBackOff', 'bad', '7', 'n1']);
    const dep = statusOf(
      'apps/deployments',
      { metadata: meta('d', 'a'), spec: { replicas: 3 }, status: { readyReplicas: 2, updatedReplicas: 3 } },
      now,
    );
    assert.deepEqual([dep.status, dep.level, dep.extra.ready], ['2 of 3 ready', 'warn', '2/3']);
    assert.deepEqual(statusOf('example.com/widgets', widget('w', 'a', false), now), {
      status: 'Not ready: Broken',
      level: 'bad',
      extra: {},
    });
    assert.deepEqual(statusOf('example.com/widgets', widget('w', 'a', true), now).level, 'ok');
    assert.deepEqual(
      statusOf('persistentvolumeclaims', { metadata: meta('c', 'a'), spec: {}, status: { phase: 'Pending' } }, now).level,
      'warn',
    );
    assert.deepEqual(statusOf('example.com/things', { metadata: meta('t', 'a') }, now), { status: '', level: 'info', extra: {} });
    assert.equal(duration(3 * 86_400_000 + 3_600_000), '3d 1h');
  });
});

describe('kinds.list / objects.list / views.focus kinds over a real store', () => {
  const { db, close } = scratch('fleet-kinds-');
  const store = new Store(db);
  const W = 'example.com/widgets';
  store.write([
    cluster('c1', 'prod', T0),
    cluster('c2', 'dev', T0),
    { op: 'upsert', cluster: 'c1', kind: W, obj: widget('alpha', 'team-a', true), at: T0 },
    { op: 'upsert', cluster: 'c1', kind: W, obj: widget('beta', 'team-b', false), at: T0 },
    { op: 'upsert', cluster: 'c2', kind: W, obj: widget('gamma', 'team-a', true), at: T0 },
    {
      op: 'upsert',
      cluster: 'c1',
      kind: 'batch/jobs',
      obj: job('run-1', { succeeded: 3, conditions: [{ type: 'Complete', status: 'True' }] }),
      at: T0,
    },
    // c1's watch of the widgets stopped (no page shows them); c2's never was this session's
    { op: 'state', cluster: 'c1', kind: W, state: 'stopped', listedAt: T0 - 60_000, at: T0 },
    { op: 'state', cluster: 'c2', kind: W, state: 'watching', listedAt: T0 - 120_000, at: T0 - 120_000 },
  ]);
  const focused: { clusters: string[]; kinds?: Record<string, string[] | null> }[] = [];
  const svc = new ViewService(store, {
    mode: 'cache',
    source: db,
    derive: 'persist',
    now: () => T0 + 60_000,
    focus: (clusters, kinds) => focused.push({ clusters, ...(kinds ? { kinds } : {}) }),
  });
  after(() => close(store));
  const call = async <T>(method: string, params: unknown, caller?: string): Promise<T> => {
    const a = await svc.handle(method, params, caller);
    assert.ok(a.ok, a.ok ? '' : a.error);
    return a.result as T;
  };

  it('lists a cached kind outside the catalogue across the fleet, as of its last known time, never live', async () => {
    const d = await call<ObjectsListDTO>('objects.list', { kind: W });
    assert.deepEqual(
      d.rows.map((r) => [r.clusterContext, r.namespace, r.name, r.status, r.level]),
      [
        ['dev', 'team-a', 'gamma', 'Ready', 'ok'],
        ['prod', 'team-a', 'alpha', 'Ready', 'ok'],
        ['prod', 'team-b', 'beta', 'Not ready: Broken', 'bad'],
      ],
    );
    assert.equal(d.total, 3);
    assert.deepEqual(d.namespaces, ['team-a', 'team-b']);
    assert.equal(d.kind.namespaced, true);
    assert.deepEqual(d.columns, []);
    const byCluster = Object.fromEntries(d.watch.map((w) => [w.cluster, w]));
    assert.equal(byCluster.c1!.state, 'stopped');
    assert.equal(byCluster.c1!.live, false);
    assert.equal(byCluster.c1!.asOf, T0);
    // a cache shown offline: its "watching" row is as of then, not live
    assert.equal(byCluster.c2!.state, 'stopped');
    assert.equal(byCluster.c2!.live, false);
  });

  it('filters by cluster, namespace and text; pages with limit/offset', async () => {
    const one = await call<ObjectsListDTO>('objects.list', { kind: W, clusters: ['c1'], namespace: 'team-b' });
    assert.deepEqual(
      one.rows.map((r) => r.name),
      ['beta'],
    );
    assert.deepEqual(
      one.watch.map((w) => w.cluster),
      ['c1'],
    );
    const text = await call<ObjectsListDTO>('objects.list', { kind: W, q: 'BROKEN' });
    assert.deepEqual(
      text.rows.map((r) => r.name),
      ['beta'],
    );
    const page = await call<ObjectsListDTO>('objects.list', { kind: W, limit: 1, offset: 1 });
    assert.deepEqual([page.total, page.rows.map((r) => r.name)], [3, ['alpha']]);
    const jobs = await call<ObjectsListDTO>('objects.list', { kind: 'batch/jobs' });
    assert.deepEqual(jobs.rows[0]!.extra, { completions: '3/3', duration: '', failures: '0' });
    assert.deepEqual(jobs.rows[0]!.owner, { kind: 'CronJob', name: 'nightly' });
    const bad = await svc.handle('objects.list', { kind: 'Not A Kind' });
    assert.equal(bad.ok, false);
  });

  it('kinds.list without discovery: the kinds the cache holds, with how many clusters', async () => {
    const d = await call<KindsListDTO>('kinds.list', {});
    const w = d.kinds.find((k) => k.key === W)!;
    assert.deepEqual(
      { ...w },
      { key: W, group: 'example.com', version: '', kind: 'widgets', plural: 'widgets', namespaced: true, synced: 'on-demand', clusters: 2 },
    );
    const jobs = d.kinds.find((k) => k.key === 'batch/jobs')!;
    assert.deepEqual([jobs.kind, jobs.synced, jobs.clusters], ['Job', 'always', 1]);
    const c2 = await call<KindsListDTO>('kinds.list', { cluster: 'c2' });
    assert.deepEqual(
      c2.kinds.map((k) => k.key),
      [W],
    );
  });

  it('views.focus kinds: per page, in its clusters or every cluster; a page gone drops them', async () => {
    await call('views.focus', { clusters: ['c1'], kinds: [W] }, 'page-1');
    assert.deepEqual(focused.at(-1), { clusters: ['c1'], kinds: { [W]: ['c1'] } });
    await call('views.focus', { clusters: [], kinds: [W, 'networking.k8s.io/ingresses'] }, 'page-2');
    assert.deepEqual(focused.at(-1), { clusters: ['c1'], kinds: { [W]: null, 'networking.k8s.io/ingresses': null } });
    svc.release('page-2');
    assert.deepEqual(focused.at(-1), { clusters: ['c1'], kinds: { [W]: ['c1'] } });
    await call('views.focus', { clusters: [] }, 'page-1');
    assert.deepEqual(focused.at(-1), { clusters: [], kinds: {} });
  });
});
