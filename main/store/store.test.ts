import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { stripObject } from './encoding.ts';
import { PARTITION_MS, Store, type KObj } from './store.ts';
import { SCHEMA_VERSION, SchemaError } from './schema.ts';

const dbPath = () => join(mkdtempSync(join(tmpdir(), 'fleet-store-')), 'cache.db');

function node(name: string, rv: string, heartbeat: string, ready = 'True'): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, resourceVersion: rv, managedFields: [{ manager: 'kubelet' }] },
    status: { conditions: [{ type: 'Ready', status: ready, lastHeartbeatTime: heartbeat, lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  };
}

describe('store', () => {
  it('strips managedFields and last-applied; Secret and ConfigMap values become placeholders (sizes, ConfigMap digests)', () => {
    const s = stripObject('secrets', {
      metadata: {
        name: 'x',
        managedFields: [1],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"p"}}', keep: 'me' },
      },
      data: { password: 'cGFzc3dvcmQ=', empty: '', odd: 42 },
      stringData: { a: 'bé' },
    });
    assert.deepEqual(s, {
      metadata: { name: 'x', annotations: { keep: 'me' } },
      data: { password: '<8 bytes>', empty: '<0 bytes>', odd: '<0 bytes>' },
      stringData: { a: '<3 bytes>' },
    });
    const c = stripObject('configmaps', { metadata: { name: 'c' }, data: { 'app.yaml': 'port: 80\n' }, binaryData: { logo: 'AAEC' } });
    assert.deepEqual(c, {
      metadata: { name: 'c' },
      // sha256("port: 80\n") and sha256(00 01 02), 12 hex digits
      data: { 'app.yaml': '<9 bytes, sha256:9a15d119375b>' },
      binaryData: { logo: '<3 bytes, sha256:ae4b3280e56e>' },
    });
    assert.deepEqual(stripObject('secrets', { metadata: { name: 'y' }, data: ['not', 'a', 'map'] }), { metadata: { name: 'y' } });
  });

  it('records added/modified/deleted with resourceVersions; heartbeat-only node updates are not history', () => {
    const st = new Store(dbPath());
    const c = 'c1';
    st.write([{ op: 'upsert', cluster: c, kind: 'nodes', obj: node('n1', '10', '2026-11-01T00:00:00Z'), at: 1000 }]);
    st.write([{ op: 'upsert', cluster: c, kind: 'nodes', obj: node('n1', '11', '2026-11-01T00:00:40Z'), at: 2000 }]);
    st.write([{ op: 'upsert', cluster: c, kind: 'nodes', obj: node('n1', '12', '2026-11-01T00:01:20Z', 'False'), at: 3000 }]);
    st.write([{ op: 'delete', cluster: c, kind: 'nodes', obj: node('n1', '13', 'x'), at: 4000 }]);
    const h = st.history(c, 'nodes', 'uid-n1');
    assert.deepEqual(
      h.map((x) => [x.type, x.oldRv, x.newRv]),
      [
        ['ADDED', null, '10'],
        ['MODIFIED', '11', '12'],
        ['DELETED', '12', null],
      ],
    );
    assert.equal(h[0]!.before, null, 'ADDED: nothing before');
    assert.equal(h[1]!.before!.metadata.managedFields, undefined);
    assert.equal(h[1]!.before!.metadata.resourceVersion, '11', 'MODIFIED keeps the state it replaced');
    assert.equal(st.objectAt(c, 'nodes', 'uid-n1', 2500)!.metadata.resourceVersion, '11', 'as of T, heartbeats included');
    assert.equal(st.objectAt(c, 'nodes', 'uid-n1', 3500)!.status.conditions[0].status, 'False');
    assert.equal(st.objectAt(c, 'nodes', 'uid-n1', 4500), undefined);
    assert.equal(st.object(c, 'nodes', 'uid-n1'), undefined);
    st.close();
  });

  it('the current row follows heartbeats (resourceVersion, body) even when history skips them', () => {
    const st = new Store(dbPath());
    st.write([{ op: 'upsert', cluster: 'c', kind: 'nodes', obj: node('n', '1', 'a'), at: 1 }]);
    st.write([{ op: 'upsert', cluster: 'c', kind: 'nodes', obj: node('n', '2', 'b'), at: 2 }]);
    assert.equal(st.object('c', 'nodes', 'uid-n')!.rv, '2');
    assert.equal(st.object('c', 'nodes', 'uid-n')!.phase, 'Ready=True');
    assert.equal(st.history('c', 'nodes', 'uid-n').length, 1);
    st.close();
  });

  it('prune after a relist deletes what vanished (with history), keeps the rest', () => {
    const st = new Store(dbPath());
    const pod = (n: string) => ({
      metadata: { name: n, namespace: 'ns', uid: n, resourceVersion: '1' },
      spec: { nodeName: 'n1' },
      status: { phase: 'Running' },
    });
    st.write(['a', 'b', 'c'].map((n) => ({ op: 'upsert' as const, cluster: 'c', kind: 'pods', obj: pod(n), at: 5 })));
    st.write([{ op: 'prune', cluster: 'c', kind: 'pods', seen: new Set(['a', 'c']), at: 6 }]);
    assert.deepEqual(
      st.objects('c', 'pods').map((o) => o.name),
      ['a', 'c'],
    );
    assert.equal(st.history('c', 'pods', 'b').at(-1)!.type, 'DELETED');
    assert.deepEqual(
      st.objects('c', 'pods', { node: 'n1' }).map((o) => o.name),
      ['a', 'c'],
    );
    assert.equal(st.syncStates('c').length, 0);
    st.close();
  });

  it('prune after one namespace is listed touches that namespace only; outside: what is no longer watched', () => {
    const st = new Store(dbPath());
    const pod = (ns: string, n: string) => ({ metadata: { name: n, namespace: ns, uid: `${ns}-${n}`, resourceVersion: '1' } });
    st.write(
      [pod('web', 'a'), pod('web', 'b'), pod('team-a', 'b'), pod('team-a', 'c')].map((obj) => ({
        op: 'upsert' as const,
        cluster: 'c',
        kind: 'pods',
        obj,
        at: 5,
      })),
    );
    // web was listed and returned only a; team-a was not listed here (another reflector's)
    st.write([{ op: 'prune', cluster: 'c', kind: 'pods', seen: new Set(['web-a']), at: 6, namespace: 'web' }]);
    assert.deepEqual(
      st
        .objects('c', 'pods')
        .map((o) => o.uid)
        .sort(),
      ['team-a-b', 'team-a-c', 'web-a'],
    );
    // what lies outside the namespaces still watched goes (with history: it is no longer known)
    st.write([{ op: 'prune', cluster: 'c', kind: 'pods', seen: new Set(), at: 7, outside: ['web', 'team-a'] }]);
    assert.equal(st.objects('c', 'pods').length, 3);
    st.write([{ op: 'prune', cluster: 'c', kind: 'pods', seen: new Set(), at: 8, outside: ['web'] }]);
    assert.deepEqual(
      st.objects('c', 'pods').map((o) => o.uid),
      ['web-a'],
    );
    assert.equal(st.history('c', 'pods', 'team-a-b').at(-1)!.type, 'DELETED');
    st.close();
  });

  it('retention drops whole partitions by age, then by size, never the current hour', () => {
    const st = new Store(dbPath());
    const now = 100 * PARTITION_MS + 10;
    for (let h = 90; h <= 100; h++) {
      // Added, then modified within the hour: the MODIFIED row keeps the ~1 KB state it replaced.
      for (const rv of ['1', '2']) {
        st.write([
          {
            op: 'upsert',
            cluster: 'c',
            kind: 'pods',
            obj: { metadata: { name: `p${h}`, uid: `u${h}`, resourceVersion: rv }, spec: { pad: 'x'.repeat(1000), rv } },
            at: h * PARTITION_MS + Number(rv),
          },
        ]);
      }
    }
    const byAge = st.retain({ maxAgeMs: 5 * PARTITION_MS, now });
    assert.equal(byAge.dropped.length, 5);
    const bySize = st.retain({ maxBytes: 2500, now });
    assert.ok(bySize.dropped.length >= 3);
    assert.ok(!bySize.dropped.includes(`changes_${100 * PARTITION_MS}`));
    assert.equal(st.history('c', 'pods', 'u100').length, 2);
    assert.equal(st.history('c', 'pods', 'u90').length, 0);
    st.close();
  });

  it('refuses a database from a newer schema, with a clear message', () => {
    const p = dbPath();
    new Store(p).close();
    const raw = new Database(p);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(
      () => new Store(p),
      (e: unknown) => e instanceof SchemaError && /newer than this app understands/.test((e as Error).message),
    );
  });

  it('a process killed mid-write leaves a database that opens and holds every committed batch', () => {
    const p = dbPath();
    const script = `
      import { Store } from ${JSON.stringify(new URL('./store.ts', import.meta.url).pathname)};
      const st = new Store(${JSON.stringify(p)});
      let i = 0;
      setInterval(() => {
        const ops = [];
        for (let k = 0; k < 200; k++, i++) ops.push({ op: 'upsert', cluster: 'c', kind: 'pods', obj: { metadata: { name: 'p' + i, uid: 'u' + i, resourceVersion: String(i) } }, at: Date.now() });
        st.write(ops);
        if (i === 2000) process.stdout.write('ready\\n');
      }, 1);`;
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `${script}; setTimeout(() => process.kill(process.pid, 'SIGKILL'), 600);`],
      { encoding: 'utf8' },
    );
    assert.equal(r.signal, 'SIGKILL');
    const st = new Store(p);
    const n = st.objects('c', 'pods').length;
    assert.ok(n >= 200 && n % 200 === 0, `whole batches only (${n})`);
    st.close();
  });
});
