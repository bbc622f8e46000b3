// The fleet's changes against three real lab clusters, watched by the console's own sync worker:
// a bad-image rollout in all three is one fleet change with the crash-looping pods after it in each;
// a ConfigMap edit is ranked first for the pods that mount it; a cordon and a NotReady are events; a
// relist after 410 Gone is a gap; heartbeats are never a change; who made a change comes from the
// object's managedFields.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../lab/src/lab.ts';
import { adminClient, CUSTOM_STATUS } from '../../lab/src/cluster.ts';
import { customPodStatus } from '../../lab/src/profiles/index.ts';
import { deployment } from '../../lab/src/profiles/builders.ts';
import { until } from '../../lab/src/until.ts';
import { allLive, labSyncWorker, type LabSyncWorker } from './fixtures.ts';
import { Store } from '../store/store.ts';
import { ViewService } from '../views/service.ts';
import type { ChangeEventDTO, ChangeListDTO, FleetChangeDTO, TimelineDTO, WhatChangedDTO } from '../../common/contract.ts';

const BAD_IMAGE = 'registry.lab.local/frontend:1.4-bad';

describe('the fleet’s changes against three lab clusters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-changes-lab-'));
  const db = join(dir, 'cache.db');
  let lab: Lab;
  let worker: LabSyncWorker | undefined;
  let ids: Record<string, string> = {};
  const t0 = Date.now();

  /** The service over what the worker has written so far (a reader of its own, as the shells are). */
  async function ask<T>(method: string, params: unknown): Promise<T> {
    const store = new Store(db, { readonly: true });
    try {
      const a = await new ViewService(store, { mode: 'cache', source: db, derive: 'memory' }).handle(method, params);
      if (!a.ok) throw new Error(`${method}: ${a.error}`);
      return a.result as T;
    } finally {
      store.close();
    }
  }
  const changes = async (params: object = {}) =>
    (await ask<ChangeListDTO>('changes.list', { from: t0 - 600_000, to: Date.now(), limit: 1000, ...params })).changes;

  before(async () => {
    lab = await Lab.up({ dir: join(dir, 'lab'), clusters: 3, profile: 'mixed', nodes: 5, podsPerNode: 2 });
    // A workload that mounts a ConfigMap, there before the console watches (no change it saw).
    const admin = adminClient(lab.cluster('lab-2'));
    try {
      await admin.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'checkout-config', namespace: 'team-a' },
        data: { 'app.yaml': 'retries: 3\n' },
      });
      await admin.create(
        deployment('team-a', 'checkout-api', 1, {
          image: 'registry.lab.local/checkout:2.0',
          // Burstable, as the lab's kubelet status for a crash loop says
          requests: { cpu: '100m' },
          volumeMounts: [{ name: 'cfg', mountPath: '/etc/checkout' }],
          volumes: [{ name: 'cfg', configMap: { name: 'checkout-config' } }],
        }),
      );
    } finally {
      admin.close();
    }
    worker = labSyncWorker(db, dir, [lab.state.merged], ['lab-1', 'lab-2', 'lab-3']);
    ids = Object.fromEntries((await allLive(worker, 240_000)).map((s) => [s.context, s.id]));
  });

  after(async () => {
    await worker?.stop();
    await lab?.down({ removeFiles: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('a bad-image rollout in three clusters is one fleet change, with the crash-looping pods after it in each', async () => {
    for (const c of ['lab-1', 'lab-2', 'lab-3']) {
      const r = await lab.chaos(c, 'rollout', ['web/frontend'], { image: BAD_IMAGE, crashloop: true });
      assert.ok(Number(r.detail.crashlooping) >= 1, JSON.stringify(r));
    }
    const group = await until(
      'one fleet change with problems after it in each cluster',
      async () => {
        const f = await ask<FleetChangeDTO[]>('changes.fleet', { from: t0, to: Date.now() });
        const g = f.find((x) => x.key === `image:${BAD_IMAGE}`);
        return g && g.clusters.length === 3 && g.clusters.every((c) => c.problemsAfter >= 1) ? g : undefined;
      },
      120_000,
      1000,
    );
    assert.match(group.summary, /3 clusters; 3 of them have crash-?looping pods/);
    assert.deepEqual(group.clusters.map((c) => c.clusterContext).sort(), ['lab-1', 'lab-2', 'lab-3']);
    for (const c of group.clusters) assert.ok(c.examples.every((e) => e.kind === 'pods' && e.namespace === 'web' && e.at >= c.at));
    // Each cluster's own rollout event, with who made it (the lab's client, from managedFields).
    const rollouts = (await changes({ categories: ['rollout'] })).filter((c) => c.name === 'frontend' && c.action === 'image');
    assert.equal(rollouts.length, 3);
    for (const r of rollouts) {
      assert.match(r.summary, /frontend: docker\.io\/library\/nginx:1\.29 → registry\.lab\.local\/frontend:1\.4-bad/);
      assert.equal(r.who, 'fleet-lab (Update)', 'who comes from the object’s managedFields (the lab client’s)');
    }
  });

  it('a ConfigMap edit is ranked first for the pods that mount it', async () => {
    const c = adminClient(lab.cluster('lab-2'));
    try {
      const pod = await until(
        'the checkout-api pod running',
        async () => {
          const l = await c.listAll('/api/v1/namespaces/team-a/pods', { labelSelector: 'app=checkout-api' });
          return l.items.find((p) => p.status?.phase === 'Running');
        },
        90_000,
        500,
      );
      // Somebody edits the config; an unrelated rollout follows in the same namespace; the pod crashes.
      await c.mergePatch('/api/v1/namespaces/team-a/configmaps/checkout-config', { data: { 'app.yaml': 'retries: -1\n' } });
      await lab.chaos('lab-2', 'rollout', ['team-a/checkout-worker']).catch(() => undefined);
      await c.mergePatch(`/api/v1/namespaces/team-a/pods/${pod.metadata.name}`, {
        metadata: { annotations: { [CUSTOM_STATUS.key]: CUSTOM_STATUS.value } },
      });
      await c.mergePatch(`/api/v1/namespaces/team-a/pods/${pod.metadata.name}/status`, { status: customPodStatus(pod, 'crashloop') });
      const uid = String(pod.metadata.uid);
      const answer = await until(
        'the pod’s crash loop in the cache, and what changed before it',
        async () => {
          const a = await ask<WhatChangedDTO>('changes.whatChanged', { cluster: ids['lab-2'], kind: 'pods', uid });
          return a.problem.summary !== 'as it is now' && a.causes.length ? a : undefined;
        },
        60_000,
        1000,
      );
      const first = answer.causes[0]!;
      assert.equal(first.change.kind, 'configmaps', JSON.stringify(answer.causes.slice(0, 3), null, 1));
      assert.equal(first.change.name, 'checkout-config');
      assert.match(first.change.summary, /app\.yaml/);
      assert.doesNotMatch(JSON.stringify(answer), /retries: -1/, 'key names only, never values');
      assert.match(first.reason, /checkout-config/);
      assert.ok(answer.causes.every((x) => x.change.at <= answer.problem.at));
    } finally {
      c.close();
    }
  });

  it('a node cordon and a NotReady are events; the other nodes’ heartbeats are not', async () => {
    const c = adminClient(lab.cluster('lab-3'));
    // Two nodes not cordoned yet (the profile has a cordoned one already).
    let cordon = '';
    let notReady = '';
    try {
      const nodes = (await c.listAll('/api/v1/nodes')).items.filter((n) => !n.spec?.unschedulable);
      assert.ok(nodes.length >= 2, 'two schedulable nodes');
      cordon = String(nodes[0]!.metadata.name);
      notReady = String(nodes[1]!.metadata.name);
      await c.mergePatch(`/api/v1/nodes/${cordon}`, { spec: { unschedulable: true } });
    } finally {
      c.close();
    }
    await lab.chaos('lab-3', 'node-notready', [notReady]);
    let seen: ChangeEventDTO[] = [];
    const events = await until(
      'the cordon and the NotReady',
      async () => {
        const all = (seen = await changes({ clusters: [ids['lab-3']], kinds: ['nodes'] }));
        const cordoned = all.find((e) => e.name === cordon && e.action === 'cordoned');
        const down = all.find((e) => e.name === notReady && e.category === 'health' && e.severity === 'critical');
        return cordoned && down ? { all, cordoned, down } : undefined;
      },
      60_000,
      1000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; node events seen: ${JSON.stringify(seen.map((x) => [x.name, x.category, x.action, x.summary]))}`);
    });
    assert.match(events.down.summary, /NotReady/);
    const ofNode = await ask<ChangeListDTO>('changes.of', { cluster: ids['lab-3'], node: cordon });
    assert.ok(ofNode.changes.some((e) => e.action === 'cordoned'));
    // Every node heartbeats every few seconds (kwok); minutes have passed: none of it is a change.
    const nodeEvents = (await changes({ kinds: ['nodes'] })).filter((e) => e.at > t0 + 1000);
    const touched = new Set([cordon, notReady]);
    const others = nodeEvents.filter((e: ChangeEventDTO) => !(e.cluster === ids['lab-3'] && touched.has(e.name)));
    assert.deepEqual(
      others.map((e) => `${e.clusterContext} ${e.name} ${e.summary}`),
      [],
      'heartbeats produced a change',
    );
  });

  it('a relist after 410 Gone is a capture gap, on the timeline and as an event', async () => {
    await lab.chaos('lab-1', 'compact');
    const gap = await until(
      'the relist gap',
      async () => (await changes({ clusters: [ids['lab-1']], categories: ['gap'] })).find((e) => e.action === 'relist'),
      120_000,
      1000,
    );
    assert.match(gap.summary, /410/);
    const t = await ask<TimelineDTO>('changes.timeline', { from: t0, to: Date.now(), clusters: [ids['lab-1']] });
    assert.ok(
      t.gaps.some((g) => /410 Gone/.test(g.reason)),
      JSON.stringify(t.gaps),
    );
    assert.ok(t.marks.id.includes(gap.id));
  });
});
