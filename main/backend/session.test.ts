// The console's session actions over a cache and a snapshot: "as of", compare, capture, bundles.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type KObj } from '../store/store.ts';
import { verifyBundle } from '../snapshot/bundle.ts';
import {
  HEALTH_LEVELS,
  type BundleExported,
  type BundlePreview,
  type ClusterDTO,
  type FleetDTO,
  type NodeDTO,
  type ObjectDTO,
  type SnapshotCaptured,
  type SnapshotDiffDTO,
} from '../../common/contract.ts';
import { captureSnapshot, inspectSnapshot, openSnapshot } from '../snapshot/snapshot.ts';
import { H, T0, fill } from '../snapshot/fixtures.ts';
import { ViewService } from '../views/service.ts';
import { sessionActions } from './session.ts';

describe('the console over a snapshot: "as of", diff, capture, bundles', () => {
  let dir: string;
  let cache: string;
  let snap: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-snapsvc-'));
    cache = join(dir, 'cache.db');
    fill(cache);
    snap = join(dir, 's.fleetsnap');
    captureSnapshot({ db: cache, out: snap, now: T0 + 82 * 60_000 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const service = (o: ReturnType<typeof openSnapshot>) =>
    new ViewService(o.store, {
      mode: 'snapshot',
      source: snap,
      derive: 'memory',
      snapshot: { file: 's.fleetsnap', manifest: o.manifest },
      now: () => o.manifest.capturedAt,
      actions: sessionActions({
        db: o.path,
        mode: 'snapshot',
        cachePath: cache,
        dataDir: dir,
        now: () => T0 + 3 * H,
      }),
    });

  it('labels the snapshot and answers as of a time within its history', async () => {
    const o = openSnapshot(snap);
    try {
      const svc = service(o);
      const latest = await svc.handle('fleet.get', {});
      assert.ok(latest.ok);
      const f = latest.result as FleetDTO;
      assert.equal(f.mode, 'snapshot');
      assert.equal(f.snapshot?.capturedAt, T0 + 82 * 60_000);
      assert.equal(f.snapshot?.clusters, 2);
      assert.equal(f.at, null);
      assert.deepEqual(f.history, { from: T0, to: T0 + 82 * 60_000 });
      const level = (fl: FleetDTO, node: string) => fl.clusters.find((c) => c.id === 'c1')!.cells.find((c) => c.n === node)!.h;
      assert.equal(HEALTH_LEVELS[level(f, 'n2')], 'critical');
      const then = (await svc.handle('fleet.get', { at: T0 + 10 * 60_000 })) as { ok: true; result: FleetDTO };
      assert.equal(then.result.at, T0 + 10 * 60_000);
      assert.equal(HEALTH_LEVELS[level(then.result, 'n2')], 'ok');
      // a cluster and a node as of then: one pod fewer on n2 ("new" did not exist yet)
      const c = (await svc.handle('cluster.get', { cluster: 'c1', at: T0 + 10 * 60_000 })) as { ok: true; result: ClusterDTO };
      assert.equal(c.result.nodes.find((n) => n.name === 'n2')!.pods, 1);
      const n = (await svc.handle('node.get', { cluster: 'c1', node: 'n2', at: T0 + 10 * 60_000 })) as { ok: true; result: NodeDTO };
      assert.deepEqual(
        n.result.pods.map((p) => p.name),
        ['j'],
      );
      assert.equal(n.result.health.level, 'ok');
      // an object as of then, and one that did not exist yet
      const pod = (await svc.handle('object.get', { cluster: 'c1', kind: 'pods', uid: 'uid-web-a', at: T0 + 10 * 60_000 })) as {
        ok: true;
        result: ObjectDTO;
      };
      assert.equal((pod.result.body as KObj).spec.containers[0].image, 'app:1');
      const now = (await svc.handle('object.get', { cluster: 'c1', kind: 'pods', uid: 'uid-web-a' })) as { ok: true; result: ObjectDTO };
      assert.equal((now.result.body as KObj).spec.containers[0].image, 'app:2');
      const gone = await svc.handle('object.get', { cluster: 'c1', kind: 'pods', uid: 'uid-web-new', at: T0 + 10 * 60_000 });
      assert.equal(gone.ok, false);
      assert.match((gone as { error: string }).error, /did not exist as of/);
      // the deleted pod is there as of before its deletion
      const j = await svc.handle('object.get', { cluster: 'c1', kind: 'pods', uid: 'uid-jobs-j', at: T0 + 50 * 60_000 });
      assert.equal(j.ok, true);
    } finally {
      o.store.close();
      o.cleanup();
    }
  });

  it('compares this snapshot with the cache and with another snapshot; refuses what is not one', async () => {
    const o = openSnapshot(snap);
    try {
      const svc = service(o);
      const same = (await svc.handle('snapshot.diff', { from: '@this', to: '@cache' })) as { ok: true; result: SnapshotDiffDTO };
      assert.deepEqual(same.result.totals, { added: 0, removed: 0, changed: 0 });
      assert.equal(same.result.from, 'this snapshot');
      assert.equal(same.result.to, 'the cache');
      const bad = join(dir, 'not-a-snapshot.fleetsnap');
      writeFileSync(bad, 'PK\x03\x04 nope');
      const r = await svc.handle('snapshot.diff', { from: bad, to: '@this' });
      assert.equal(r.ok, false);
      assert.match((r as { error: string }).error, /zip archive/);
      const rel = await svc.handle('snapshot.diff', { from: 'relative.fleetsnap', to: '@this' });
      assert.match((rel as { error: string }).error, /absolute path/);
      // capture is for the live fleet or the cache, not a snapshot
      const cap = await svc.handle('snapshot.capture', {});
      assert.equal(cap.ok, false);
      assert.match((cap as { error: string }).error, /shows a snapshot/);
    } finally {
      o.store.close();
      o.cleanup();
    }
  });

  it('captures from the cache into the data folder; previews and exports a bundle there', async () => {
    const store = new Store(cache, { readonly: true });
    try {
      const svc = new ViewService(store, {
        mode: 'cache',
        source: cache,
        derive: 'memory',
        actions: sessionActions({ db: cache, mode: 'cache', cachePath: cache, dataDir: dir, now: () => T0 + 3 * H }),
      });
      const cap = (await svc.handle('snapshot.capture', { clusters: ['prod'], since: 3 * H })) as { ok: true; result: SnapshotCaptured };
      assert.equal(cap.ok, true, JSON.stringify(cap));
      assert.ok(cap.result.path.startsWith(join(dir, 'snapshots')));
      assert.equal(cap.result.clusters, 1);
      assert.equal(inspectSnapshot(cap.result.path).manifest.window.from, T0);
      const sel = { clusters: [], namespaces: ['web'], workloads: [], nodes: [], since: null, logs: 0, tokenize: false };
      const p = (await svc.handle('bundle.preview', sel)) as { ok: true; result: BundlePreview };
      assert.equal(p.ok, true, JSON.stringify(p));
      assert.ok(p.result.objects >= 3);
      const x = (await svc.handle('bundle.export', sel)) as { ok: true; result: BundleExported };
      assert.equal(x.ok, true, JSON.stringify(x));
      assert.ok(x.result.path.startsWith(join(dir, 'bundles')));
      const m = await verifyBundle(x.result.path);
      assert.ok(m.files.some((f) => f.path === 'cluster/prod/namespaces/web/core_v1/pods/a.yaml'));
      assert.ok(!m.files.some((f) => f.path.includes('/namespaces/jobs/')));
    } finally {
      store.close();
    }
  });
});
