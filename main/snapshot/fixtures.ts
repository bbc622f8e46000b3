// Test fixtures: a small cache of two clusters with an hour and a half of history, written through
// the store's own writers (snapshot and session tests share it) of the store's fixture objects.
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type KObj, type WriteOp } from '../store/store.ts';
import { T0, cluster, node, pod } from '../store/fixtures.ts';

export const H = 3_600_000;
export { T0 };

/**
 * Two clusters with an hour and a half of history: T0 (list), T0+40m (pod added, node NotReady),
 * T0+80m (image change, pod deleted). `listOnly`: the T0 state alone (a cache that never saw the rest).
 */
export function fill(path: string, listOnly = false): void {
  const s = new Store(path);
  const up = (c: string, kind: string, obj: KObj, at: number): WriteOp => ({ op: 'upsert', cluster: c, kind, obj, at });
  s.write([cluster('c1', 'prod', T0), cluster('c2', 'dev', T0)]);
  s.write([
    up('c1', 'nodes', node('n1', '1'), T0),
    up('c1', 'nodes', node('n2', '2'), T0),
    up('c1', 'pods', pod('web', 'a', '3', 'n1'), T0),
    up('c1', 'pods', pod('jobs', 'j', '4', 'n2'), T0),
    up('c2', 'nodes', node('d1', '1'), T0),
    up('c2', 'pods', pod('web', 'b', '2', 'd1'), T0),
  ]);
  if (listOnly) return s.close();
  s.write([
    up('c1', 'pods', pod('web', 'new', '10', 'n2', { created: '2026-11-20T10:40:00Z' }), T0 + 40 * 60_000),
    up('c1', 'nodes', node('n2', '11', { ready: false }), T0 + 40 * 60_000),
    // a heartbeat-only update: not history, not a difference
    up('c1', 'nodes', node('n1', '12', { heartbeat: '2026-11-20T10:41:00Z' }), T0 + 41 * 60_000),
  ]);
  s.write([
    up('c1', 'pods', pod('web', 'a', '20', 'n1', { image: 'app:2' }), T0 + 80 * 60_000),
    { op: 'delete', cluster: 'c1', kind: 'pods', obj: pod('jobs', 'j', '21', 'n2'), at: T0 + 81 * 60_000 },
  ]);
  s.close();
}

/** A suite's temporary folder with the fixture cache in it (cache.db): filled before the suite, removed after it. */
export function fixtureCache(prefix: string): { readonly dir: string; readonly cache: string } {
  const fx = { dir: '', cache: '' };
  before(() => {
    fx.dir = mkdtempSync(join(tmpdir(), prefix));
    fx.cache = join(fx.dir, 'cache.db');
    fill(fx.cache);
  });
  after(() => rmSync(fx.dir, { recursive: true, force: true }));
  return fx;
}
