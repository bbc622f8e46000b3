// Test fixtures: a small cache of two clusters with an hour and a half of history, written through
// the store's own writers (snapshot, session and service tests share it).
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type KObj, type WriteOp } from '../store/store.ts';

export const H = 3_600_000;
export const T0 = Date.parse('2026-11-20T10:00:00Z');

export function node(name: string, rv: string, ready = 'True', heartbeat = '2026-11-20T10:00:00Z'): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, resourceVersion: rv, creationTimestamp: '2026-11-01T00:00:00Z' },
    status: {
      capacity: { cpu: '8', memory: '32Gi', pods: '110' },
      allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: ready, lastHeartbeatTime: heartbeat, lastTransitionTime: '2026-11-01T00:00:00Z' }],
    },
  };
}

export function pod(ns: string, name: string, rv: string, nodeName: string, image = 'app:1', created = '2026-11-01T00:00:00Z'): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: ns, name, uid: `uid-${ns}-${name}`, resourceVersion: rv, creationTimestamp: created },
    spec: { nodeName, containers: [{ name: 'c', image, resources: { requests: { cpu: '500m', memory: '1Gi' } } }] },
    status: { phase: 'Running' },
  };
}

export function cluster(id: string, context: string, at: number): WriteOp {
  return {
    op: 'cluster',
    row: {
      id,
      context,
      file: '/home/u/.kube/config',
      source: 'file',
      server: 'https://1.2.3.4',
      authKind: 'token',
      status: 'live',
      message: null,
      serverVersion: 'v1.37.1',
      lastContact: at,
      at,
    },
  };
}

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
    up('c1', 'pods', pod('web', 'new', '10', 'n2', 'app:1', '2026-11-20T10:40:00Z'), T0 + 40 * 60_000),
    up('c1', 'nodes', node('n2', '11', 'False'), T0 + 40 * 60_000),
    // a heartbeat-only update: not history, not a difference
    up('c1', 'nodes', node('n1', '12', 'True', '2026-11-20T10:41:00Z'), T0 + 41 * 60_000),
  ]);
  s.write([
    up('c1', 'pods', pod('web', 'a', '20', 'n1', 'app:2'), T0 + 80 * 60_000),
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
