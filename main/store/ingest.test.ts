// Watch events as JSON text (RawObject) must land in the store exactly as the same events parsed with
// JSON.parse do: same rows, same index columns, same bodies (as values), same history; and what is not
// JSON must be skipped, as JSON.parse skips it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeWatchLine, watchOp } from '../kube/reflector.ts';
import { RawObject, ScanError } from '../kube/rawobject.ts';
import { stripObject } from './encoding.ts';
import { Store, type KObj, type WriteOp } from './store.ts';
import { pod as fixturePod } from './fixtures.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** What the reflector did before watch events stayed text: JSON.parse, skip what is not JSON. */
function parsedOp(cluster: string, kind: string, line: string, at: number): WriteOp | undefined {
  let ev: { type?: string; object?: KObj };
  try {
    ev = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!ev || typeof ev !== 'object' || !ev.object || typeof ev.object !== 'object') return undefined;
  if (ev.type === 'ADDED' || ev.type === 'MODIFIED') return { op: 'upsert', cluster, kind, obj: ev.object, at };
  if (ev.type === 'DELETED') return { op: 'delete', cluster, kind, obj: ev.object, at };
  return undefined;
}

function rawOp(cluster: string, kind: string, line: string, at: number): WriteOp | undefined {
  const ev = decodeWatchLine(line);
  if (!ev?.object || typeof ev.object !== 'object') return undefined;
  return watchOp(cluster, kind, ev, at);
}

const dir = mkdtempSync(join(tmpdir(), 'fleet-ingest-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** The content of the store's file (a connection of its own), bodies as values (text may differ: whitespace, escapes, key order). */
function dump(st: Store): unknown {
  const db = new Database(st.path, { readonly: true });
  try {
    const norm = (t: string | null) => (t === null ? null : JSON.stringify(JSON.parse(t)));
    const objects = (db.prepare('SELECT * FROM objects ORDER BY cluster, kind, uid').all() as Record<string, unknown>[]).map((r) => ({
      ...r,
      body: norm(r.body as string),
    }));
    const parts = db.prepare('SELECT name FROM partitions ORDER BY start').pluck().all() as string[];
    const history = parts.flatMap((p) =>
      (db.prepare(`SELECT * FROM "${p}" ORDER BY seq`).all() as Record<string, unknown>[]).map((r) => ({
        ...r,
        body: norm(r.body as string | null),
      })),
    );
    const counts = db.prepare('SELECT cluster, kind, objects FROM sync_state ORDER BY cluster, kind').all();
    // (bytes: what is stored, which keeps the text's whitespace)
    const partitions = db.prepare('SELECT name, rows FROM partitions ORDER BY start').all();
    return { objects, history, counts, partitions };
  } finally {
    db.close();
  }
}

/** Write the lines both ways (each line one batch, or all in one) and compare. */
function same(kind: string, lines: string[], opts: { oneBatch?: boolean } = {}): void {
  const raw = new Store(join(dir, `${++files}-raw.db`));
  const parsed = new Store(join(dir, `${files}-parsed.db`));
  for (const st of [raw, parsed]) {
    st.write([{ op: 'state', cluster: 'c', kind, state: 'watching', at: 0 }]);
  }
  const rawOps: WriteOp[] = [];
  const parsedOps: WriteOp[] = [];
  lines.forEach((l, i) => {
    const at = 1_000_000 + i * 1000;
    const r = rawOp('c', kind, l, at);
    const p = parsedOp('c', kind, l, at);
    if (r) rawOps.push(r);
    if (p) parsedOps.push(p);
  });
  if (opts.oneBatch) {
    raw.write(rawOps);
    parsed.write(parsedOps);
  } else {
    for (const op of rawOps) raw.write([op]);
    for (const op of parsedOps) parsed.write([op]);
  }
  try {
    assert.deepEqual(dump(raw), dump(parsed), `${kind}: ${lines.join('\n')}`);
  } finally {
    raw.close();
    parsed.close();
  }
}

const ev = (type: string, object: unknown, ws = '') =>
  `{${ws}"type"${ws}:${ws}${JSON.stringify(type)}${ws},${ws}"object"${ws}:${ws}${typeof object === 'string' ? object : JSON.stringify(object)}${ws}}`;

/** The fixture pod in ns on n1, with what the store strips (managedFields, last-applied) and text that looks like it. */
function pod(name: string, rv: string, extra: KObj = {}): KObj {
  const p = fixturePod('ns', name, rv, 'n1', { created: '2026-11-22T07:00:00Z' });
  return {
    ...p,
    metadata: {
      ...p.metadata,
      labels: { app: 'x', managedFields: 'a label, kept' },
      annotations: { [LAST_APPLIED]: '{"metadata":{"managedFields":[]}}', keep: '"managedFields":[1]' },
      managedFields: [{ manager: 'kubelet', fieldsV1: { 'f:status': {} } }],
      ...extra.metadata,
    },
    spec: { ...p.spec, containers: [{ name: 'c', image: 'i', args: ['{"metadata":', '\\"', 'managedFields'] }], ...extra.spec },
    status: { ...p.status, ...extra.status },
  };
}

describe('watch events as JSON text', () => {
  it('scan: type, metadata, and the text without managedFields and last-applied', () => {
    const p = pod('a', '7');
    const { type, object } = RawObject.event(ev('ADDED', p));
    assert.equal(type, 'ADDED');
    assert.deepEqual(
      [object.uid, object.name, object.namespace, object.resourceVersion, object.creationTimestamp],
      ['uid-ns-a', 'a', 'ns', '7', '2026-11-22T07:00:00Z'],
    );
    assert.deepEqual(JSON.parse(object.stripped().join('')), stripObject('pods', p));
  });

  it('cuts members wherever they are: first, last, only, around annotations; any whitespace; escaped keys', () => {
    const texts = [
      '{"metadata":{"managedFields":[1],"uid":"u","name":"a"}}',
      '{"metadata":{"uid":"u","name":"a","managedFields":[1]}}',
      '{"metadata":{"managedFields":[1]},"spec":{}}',
      '{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"},"managedFields":[{"a":[{}]}],"uid":"u"}}',
      '{"metadata":{"managedFields":null,"annotations":{"x":"1","kubectl.kubernetes.io/last-applied-configuration":"{}"},"uid":"u"}}',
      '{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}","x":"1"},"uid":"u"}}',
      '{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"},"uid":"u"}}',
      '{ "apiVersion" : "v1" ,\t"metadata" :\r\n{ "uid" : "u" , "managedFields" : [ 1 , 2 ] , "name" : "a" } , "spec" : { } }',
      '{"metadata":{"uid":"u","managed\\u0046ields":[1],"n\\u0061me":"\\u0061\\"b"}}',
      '{"kind":"X","metadata":{"uid":"u","annotations":{"kubectl.kubernetes.io\\/last-applied-configuration":"{}"}}}',
      '{"metadata":{},"uid":"not metadata"}',
      '{"spec":{"metadata":{"managedFields":[]}},"metadata":{"uid":"u","managedFields":[]}}',
    ];
    for (const t of texts) {
      const o = RawObject.of(t);
      const parsed = JSON.parse(t) as KObj;
      assert.deepEqual(JSON.parse(o.stripped().join('')), stripObject('pods', parsed), t);
      assert.equal(o.uid, parsed.metadata?.uid, t);
      assert.equal(o.name, parsed.metadata?.name, t);
    }
  });

  it('refuses what it cannot vouch for (the caller parses it then)', () => {
    for (const t of [
      '{"metadata":{"uid":"u","uid":"v"}}', // JSON.parse keeps the last one
      '{"metadata":{"managedFields":[1 2]}}',
      '{"metadata":{"managedFields":["\u0001"]}}', // a control character, in what is cut
      '{"metadata":{"uid":"a long string, longer than twenty-four characters\u0001"}}',
      '{"spec":{"nodeName":"n","nodeName":"m"}}',
      '{"metadata":{"uid":"\\x"}}',
      '{"metadata":{"uid":"u",}}',
      '{"metadata" {}}',
      '[1]',
    ]) {
      assert.throws(() => RawObject.of(t), ScanError, t);
    }
  });

  it('stores the same rows and history as parsed events, for each kind', () => {
    const events = (kind: string, make: (name: string, rv: string) => KObj) => [
      ev('ADDED', make('a', '1')),
      ev('ADDED', make('b', '2'), ' '),
      ev('MODIFIED', make('a', '3')),
      ev('MODIFIED', make('a', '3')), // again: nothing new
      ev('ADDED', make('a', '4')), // ADDED for what is there: a change
      ev('DELETED', make('b', '5')),
      ev('DELETED', make('zz', '6')), // unknown
      ev('BOOKMARK', { metadata: { resourceVersion: '7' } }),
      ev('MODIFIED', { ...make('c', '8'), metadata: { ...make('c', '8').metadata, managedFields: undefined, annotations: undefined } }),
      `${ev('ADDED', make('d', '9')).slice(0, -1)}, "extra": 1}`, // not what the API server writes, but JSON
      ev('ADDED', make('j', '15')).replace('"kind":"Pod"', '"kind":"Pod","kind":"Pod2"'), // a key twice (JSON.parse keeps the last)
      ev('ADDED', make('e', '10')).replace('"Running"', '"Run\u0001ning"'), // not JSON (a control character)
      ev('ADDED', make('f', '11')).replace('"spec":{', '"spec":{,'), // not JSON
      ev('ADDED', make('g', '12')).replace('"spec":{', '"spec":{nodeName:"x",'), // JSON5, which SQLite's JSON functions take: not JSON
      ev('ADDED', make('h', '13')).slice(0, -3), // cut short
      ev('ADDED', make('i', '14'), '\t\r'),
    ];
    const node = (name: string, rv: string): KObj => ({
      ...pod(name, rv),
      status: { conditions: [{ type: 'Ready', status: rv === '3' ? 'False' : 'True', lastHeartbeatTime: rv }] },
    });
    const kinds: [string, (name: string, rv: string) => KObj][] = [
      ['pods', (n, rv) => pod(n, rv)],
      ['nodes', node],
      ['events', (n, rv) => ({ ...pod(n, rv), type: 'Warning' })],
      ['storage.k8s.io/volumeattachments', (n, rv) => pod(n, rv, { status: { attached: rv !== '3' } })],
      ['storage.k8s.io/csinodes', (n, rv) => pod(n, rv)],
      ['persistentvolumeclaims', (n, rv) => pod(n, rv, { status: { phase: 'Bound' } })],
      ['secrets', (n, rv) => ({ ...pod(n, rv), data: { password: 'cA==' }, stringData: { a: 'b' } })],
      ['example.com/widgets', (n, rv) => pod(n, rv)],
    ];
    for (const [kind, make] of kinds) {
      same(kind, events(kind, make));
      same(kind, events(kind, make), { oneBatch: true });
    }
  });

  it('stores the same as parsed events for mutated lines (what is still JSON, and what is not)', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ['"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'a', '0', '-', 'e', '.', 'u', '\t', '\u0001', 'é', 'null', 'true'];
    const base = [
      ev('ADDED', pod('a', '1')),
      ev('MODIFIED', pod('a', '2', { spec: { nodeName: 'n2' } }), ' '),
      ev('ADDED', pod('b', '3', { metadata: { managedFields: [], annotations: {} } })),
    ];
    for (let i = 0; i < 400; i++) {
      const lines = base.map((l) => {
        let m = l;
        for (let k = 0, n = 1 + rnd(2); k < n; k++) {
          const at = rnd(m.length);
          const op = rnd(3);
          const c = alphabet[rnd(alphabet.length)]!;
          m =
            op === 0
              ? m.slice(0, at) + m.slice(at + 1)
              : op === 1
                ? m.slice(0, at) + c + m.slice(at)
                : m.slice(0, at) + c + m.slice(at + 1);
        }
        return m;
      });
      same('pods', [...lines, ...base]);
    }
  });
});
