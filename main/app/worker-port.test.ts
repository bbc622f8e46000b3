import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { connectSyncWorker } from '../worker/client.ts';
import type { FromWorker, ToWorker } from '../worker/protocol.ts';
import { utilityProcessPort, type UtilityProcessLike } from './worker-port.ts';

/** A stand-in for Electron's UtilityProcess: what the main process posts, and events it can emit. */
class FakeChild extends EventEmitter implements UtilityProcessLike {
  posted: ToWorker[] = [];
  killed = 0;
  alive = true;
  onStop?: () => void;
  postMessage(m: unknown): void {
    this.posted.push(m as ToWorker);
    if ((m as ToWorker).type === 'stop') this.onStop?.();
  }
  send(m: FromWorker): void {
    this.emit('message', m);
  }
  kill(): boolean {
    this.killed++;
    if (!this.alive) return false;
    this.alive = false;
    setImmediate(() => this.emit('exit', 15));
    return true;
  }
}

const START = {
  dbPath: '/d/cache.db',
  dataDir: '/d',
  sources: { useDefault: false, files: [], folders: [] },
  contexts: [],
  execPath: 'login-shell',
};
const status = (n: number): FromWorker => ({
  type: 'status',
  clusters: Array.from({ length: n }, (_, i) => ({ id: `c${i}`, context: `c${i}`, status: 'live' }) as never),
  problems: [],
  looked: ['/k'],
});

describe('the sync worker over a utilityProcess', () => {
  it('starts, relays statuses and view versions, forwards source changes', () => {
    const child = new FakeChild();
    const h = connectSyncWorker(utilityProcessPort(child), START);
    assert.deepEqual(child.posted, [{ type: 'start', ...START }]);
    const views: Record<string, number>[] = [];
    h.onViews((v) => views.push(v));
    child.send(status(2));
    child.send({ type: 'views', versions: { c0: 4 } });
    assert.equal(h.statuses().length, 2);
    assert.deepEqual(h.looked(), ['/k']);
    assert.deepEqual(views, [{ c0: 4 }]);
    h.setSources({ useDefault: false, files: ['/k/a'], folders: [] });
    assert.deepEqual(child.posted.at(-1), { type: 'sources', sources: { useDefault: false, files: ['/k/a'], folders: [] } });
  });

  it('heap: asks the worker, answers in order', async () => {
    const child = new FakeChild();
    const h = connectSyncWorker(utilityProcessPort(child), START);
    const a = h.heap();
    const b = h.heap();
    assert.deepEqual(child.posted.slice(1), [{ type: 'heap' }, { type: 'heap' }]);
    child.send({ type: 'heap', sync: 1, store: 2 });
    child.send({ type: 'heap', sync: 3, store: null });
    assert.deepEqual(await a, { sync: 1, store: 2 });
    assert.deepEqual(await b, { sync: 3, store: null });
  });

  it('stop: asks, waits for "stopped", then ends the process; a kill is not a crash', async () => {
    const child = new FakeChild();
    child.onStop = () => setImmediate(() => child.send({ type: 'stopped' }));
    const h = connectSyncWorker(utilityProcessPort(child), START);
    await h.stop();
    assert.equal(child.posted.at(-1)?.type, 'stop');
    assert.equal(child.killed, 1);
  });

  it('a crash (non-zero exit) surfaces as a failure, and messages to a dead process are dropped', async () => {
    const child = new FakeChild();
    const h = connectSyncWorker(utilityProcessPort(child), START);
    child.alive = false;
    child.emit('exit', 9);
    await assert.rejects(
      h.settled(1000, () => true),
      /the sync worker exited with code 9/,
    );
    const before = child.posted.length;
    h.reload();
    assert.equal(child.posted.length, before);
    await assert.rejects(h.stop(), /exited with code 9/);
  });

  it('a fatal error in the utility process is reported with where it happened', async () => {
    const child = new FakeChild();
    const h = connectSyncWorker(utilityProcessPort(child), START);
    child.emit('error', 'FatalError', 'v8::ToLocalChecked', 'report');
    await assert.rejects(
      h.settled(1000, () => true),
      /the sync worker failed: FatalError at v8::ToLocalChecked/,
    );
  });
});
