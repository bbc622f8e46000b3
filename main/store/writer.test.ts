// The store thread: batches prepared in one thread and written in another give the same cache as the
// same batches written in place; failures reach the writer of the batch; close commits what is in flight.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWatchLine, watchOp } from '../kube/reflector.ts';
import Database from 'better-sqlite3';
import { BodyEncoder } from './encoding.ts';
import { Store, type KObj, type WriteOp } from './store.ts';
import { prepareBatch, ThreadedStore } from './writer.ts';
import { StoreWriteError } from '../kube/sink.ts';

const STORE_THREAD = new URL('../worker/store-thread.ts', import.meta.url);
const dir = () => mkdtempSync(join(tmpdir(), 'fleet-writer-'));

function pod(i: number, rv: number, extra: KObj = {}): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `pod-${i}`,
      namespace: i % 2 ? 'a' : 'b',
      uid: `uid-${i}`,
      resourceVersion: String(rv),
      creationTimestamp: '2026-11-22T07:00:00Z',
      labels: { app: `naïve-✓-${i}`, 'x<script>': '"\u2028\u0000' },
      managedFields: [{ manager: 'kubelet' }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"x":1}', keep: '🚀'.repeat(i % 5) },
    },
    spec: { nodeName: `node-${i % 3}`, containers: [{ name: 'c', image: 'nginx', args: ['x'.repeat(i * 37)] }] },
    status: { phase: i % 4 ? 'Running' : 'Pending' },
    ...extra,
  };
}

/** a watch event as the API server sends it, decoded as the reflector decodes it */
const event = (type: string, obj: KObj, at: number): WriteOp =>
  watchOp('c1', 'pods', decodeWatchLine(JSON.stringify({ type, object: obj }))!, at)!;

/** A realistic sequence: a LIST page (parsed), watch events (raw text), a delete, a prune, states and a gap. */
function batches(): WriteOp[][] {
  const list: WriteOp[] = [];
  for (let i = 0; i < 300; i++) list.push({ op: 'upsert', cluster: 'c1', kind: 'pods', obj: pod(i, 100 + i), at: 1000 });
  const watch: WriteOp[] = [];
  for (let i = 300; i < 2300; i++) watch.push(event('ADDED', pod(i, 1000 + i), 2000));
  for (let i = 0; i < 50; i++) watch.push(event('MODIFIED', pod(i, 5000 + i, { status: { phase: 'Failed' } }), 3000));
  watch.push(event('DELETED', pod(7, 6000), 3500));
  const secret: WriteOp = {
    op: 'upsert',
    cluster: 'c1',
    kind: 'secrets',
    obj: decodeWatchLine(
      JSON.stringify({ type: 'ADDED', object: { metadata: { name: 's', uid: 'uid-s', resourceVersion: '9' }, data: { p: 'c2VjcmV0' } } }),
    )!.object,
    at: 3600,
  };
  const rest: WriteOp[] = [
    secret,
    { op: 'prune', cluster: 'c1', kind: 'pods', seen: new Set(Array.from({ length: 2290 }, (_, i) => `uid-${i + 10}`)), at: 4000 },
    { op: 'state', cluster: 'c1', kind: 'pods', state: 'watching', rv: '6000', at: 4000 },
    { op: 'gap', cluster: 'c1', kind: 'pods', start: 3700, end: 3800, reason: 'reconnected' },
  ];
  return [list, watch, rest];
}

/** The cache file's rows, read with a connection of its own. */
function dump(path: string) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const objects = db
    .prepare('SELECT cluster, kind, uid, namespace, name, rv, node, phase, created, updated_at, body FROM objects ORDER BY kind, uid')
    .all();
  const history = db
    .prepare('SELECT name FROM partitions ORDER BY name')
    .pluck()
    .all()
    .flatMap((p) =>
      db.prepare(`SELECT cluster, kind, uid, namespace, name, type, at, old_rv, new_rv, body FROM "${p as string}" ORDER BY seq`).all(),
    );
  const state = db.prepare('SELECT cluster, kind, state, rv, objects FROM sync_state').all();
  const gaps = db.prepare('SELECT cluster, kind, start, end, reason FROM gaps').all();
  db.close();
  return { objects, history, state, gaps };
}

describe('store thread', () => {
  it('prepareBatch: one transferred buffer holds every body, intact (non-ASCII, past the first 64 KiB)', () => {
    const enc = new BodyEncoder();
    const [list, watch] = batches();
    const { ops, transfer } = prepareBatch([...list!, ...watch!], enc);
    assert.equal(transfer.length, 1);
    const puts = ops.filter((o) => o.op === 'put');
    assert.equal(puts.length, 300 + 2000 + 50);
    let total = 0;
    for (const o of puts) {
      if (o.op !== 'put') continue;
      assert.equal(o.obj.body.buffer, transfer[0], 'a view of the transferred buffer');
      total += o.obj.body.byteLength;
      const body = JSON.parse(Buffer.from(o.obj.body).toString('utf8')) as KObj;
      assert.equal(body.metadata.uid, o.obj.uid);
      assert.equal(body.metadata.managedFields, undefined);
      assert.equal(body.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], undefined);
      assert.match(body.metadata.labels.app, /^naïve-✓-/);
      assert.equal(o.obj.node, body.spec.nodeName);
    }
    assert.ok(total > 1 << 16, `${total} bytes: the buffer grew`);
    const del = ops.find((o) => o.op === 'delete');
    assert.deepEqual(del && del.obj, { metadata: { uid: 'uid-7' } }, 'a delete crosses as its uid');
    assert.ok(!ops.some((o) => o.op === 'upsert'), 'nothing crosses as a RawObject');
    // The encoder starts a new buffer after a transfer; the old bodies stay as they were.
    const first = (puts[0] as Extract<WriteOp, { op: 'put' }>).obj.body;
    const copy = Buffer.from(first);
    prepareBatch(list!, enc);
    assert.deepEqual(Buffer.from(first), copy);
  });

  it('prepareBatch: Secret values are reduced to their sizes before they cross', () => {
    const [, , rest] = batches();
    const { ops } = prepareBatch(rest!, new BodyEncoder());
    const s = ops.find((o) => o.op === 'put');
    assert.ok(s && s.op === 'put');
    const text = Buffer.from(s.obj.body).toString('utf8');
    assert.doesNotMatch(text, /c2VjcmV0|secret/);
    assert.match(text, /"data":\{"[^"]+":"<\d+ bytes>"/);
  });

  it('the same batches written through the thread give the same cache as written in place', async () => {
    const d = dir();
    const inPlace = new Store(join(d, 'a.db'));
    for (const b of batches()) inPlace.write(b);
    inPlace.close();
    const ts = new ThreadedStore(STORE_THREAD, { dbPath: join(d, 'b.db') });
    await ts.ready();
    // Not awaited one by one: in flight together, committed in order.
    await Promise.all(batches().map((b) => ts.write(b)));
    ts.touch('c1', 'pods', '6001', 4100);
    assert.ok(((await ts.heapUsed()) ?? 0) > 0, 'the thread reports its heap');
    await ts.close();
    const a = dump(join(d, 'a.db'));
    const b = dump(join(d, 'b.db'));
    assert.equal(b.objects.length, 2300 - 10 + 1, 'deleted and pruned objects gone; the Secret kept');
    assert.deepEqual(b.objects, a.objects);
    assert.deepEqual(b.history, a.history);
    assert.deepEqual(b.gaps, a.gaps);
    assert.deepEqual(
      b.state.map((s) => ({ ...(s as object), rv: undefined })),
      a.state.map((s) => ({ ...(s as object), rv: undefined })),
    );
    assert.equal((b.state[0] as { rv: string }).rv, '6001', 'touch went through, after the batches');
  });

  it('new retention limits (Settings) are applied by the thread at once, in order with the writes', async () => {
    const d = dir();
    const ts = new ThreadedStore(STORE_THREAD, { dbPath: join(d, 'r.db') });
    await ts.ready();
    await Promise.all(batches().map((b) => ts.write(b)));
    await ts.flush();
    assert.ok(dump(join(d, 'r.db')).history.length > 0, 'history written (its records are from 1970)');
    // an hour of history: every record of these batches is older
    ts.setRetention({ maxAgeMs: 3600_000, maxBytes: 1024 ** 4 });
    await ts.close();
    const after = dump(join(d, 'r.db'));
    assert.equal(after.history.length, 0, 'the old history dropped by the new limit');
    assert.equal(after.objects.length, 2291, 'current objects are not history: kept');
  });

  it('close() commits what is still in flight', async () => {
    const d = dir();
    const ts = new ThreadedStore(STORE_THREAD, { dbPath: join(d, 'c.db') });
    await ts.ready();
    for (const b of batches()) void ts.write(b);
    assert.ok(ts.inFlight > 0);
    await ts.close();
    assert.equal(dump(join(d, 'c.db')).objects.length, 2291);
  });

  it('a batch that fails rolls back whole, its writer is told, and the next batches are written', async () => {
    const d = dir();
    const errors: string[] = [];
    const ts = new ThreadedStore(STORE_THREAD, { dbPath: join(d, 'f.db') });
    ts.onError((m) => errors.push(m));
    await ts.ready();
    const good = ts.write([{ op: 'upsert', cluster: 'c1', kind: 'pods', obj: pod(1, 1), at: 1 }]);
    // a state without a state (NOT NULL): SQLite refuses it, and with it the pod before it in the batch
    const bad = ts.write([
      { op: 'upsert', cluster: 'c1', kind: 'pods', obj: pod(2, 2), at: 2 },
      { op: 'state', cluster: 'c1', kind: 'pods', state: null as unknown as string, at: 2 },
    ]);
    const after = ts.write([{ op: 'upsert', cluster: 'c1', kind: 'pods', obj: pod(3, 3), at: 3 }]);
    await good;
    await assert.rejects(bad, (e: Error) => e instanceof StoreWriteError && /NOT NULL/.test(e.message));
    await after;
    await ts.close();
    assert.deepEqual(
      dump(join(d, 'f.db')).objects.map((o) => (o as { uid: string }).uid),
      ['uid-1', 'uid-3'],
    );
    assert.equal(errors.length, 1);
  });

  it('a database that cannot be opened is refused with the reason; writes then fail, nothing hangs', async () => {
    const d = dir();
    mkdirSync(join(d, 'is-a-folder.db'));
    const ts = new ThreadedStore(STORE_THREAD, { dbPath: join(d, 'is-a-folder.db') });
    await assert.rejects(ts.ready(), /directory|unable to open|not a database/i);
    await assert.rejects(ts.write([{ op: 'upsert', cluster: 'c1', kind: 'pods', obj: pod(1, 1), at: 1 }]), StoreWriteError);
    await ts.close();
  });

  it('the thread keeps the derived views current when asked to', async () => {
    const d = dir();
    const ts = new ThreadedStore(STORE_THREAD, { dbPath: join(d, 'v.db'), views: true });
    const versions: Record<string, number>[] = [];
    ts.onViews((v) => versions.push(v));
    await ts.ready();
    const nodeObj = {
      metadata: { name: 'node-0', uid: 'n0', resourceVersion: '1' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    };
    const row = {
      id: 'c1',
      context: 'c1',
      file: 'f',
      source: 'file',
      server: 'https://127.0.0.1:1',
      authKind: 'token',
      status: 'live',
      serverVersion: 'v1.37.1',
      at: Date.now(),
    };
    await ts.write([
      { op: 'cluster', row },
      watchOp('c1', 'nodes', decodeWatchLine(JSON.stringify({ type: 'ADDED', object: nodeObj }))!, Date.now())!,
    ]);
    const deadline = Date.now() + 10_000;
    while (!versions.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await ts.close();
    assert.ok(
      versions.some((v) => v.c1 !== undefined),
      `views recomputed for c1: ${JSON.stringify(versions)}`,
    );
  });
});
