import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Store } from '../store/store.ts';
import { SCHEMA_VERSION } from '../store/schema.ts';
import { captureSnapshot, inspectSnapshot, openSnapshot, parseDuration, SnapshotError } from './snapshot.ts';
import { SNAPSHOT_APPLICATION_ID } from '../store/manifest.ts';
import { diffStores } from './diff.ts';
import { captureInThread, decodeError, encodeError, inThread } from './jobs.ts';
import { ContractError } from '../../common/contract.ts';

import { H, T0, fill, fixtureCache } from './fixtures.ts';

describe('snapshots', () => {
  const fx = fixtureCache('fleet-snap-');

  it('captures every cluster with its history into one file with a manifest', () => {
    const out = join(fx.dir, 'all.fleetsnap');
    const m = captureSnapshot({ db: fx.cache, out, now: T0 + 2 * H });
    assert.equal(m.format, 'fleet-console-snapshot');
    assert.equal(m.schemaVersion, SCHEMA_VERSION);
    assert.deepEqual(
      m.clusters.map((c) => [c.context, c.serverVersion, c.objects]),
      [
        ['dev', 'v1.37.1', 2],
        ['prod', 'v1.37.1', 4],
      ],
    );
    assert.equal(m.counts.objects, 6);
    assert.deepEqual(m.counts.byKind, { nodes: 3, pods: 3 });
    assert.ok(m.counts.changes >= 8, String(m.counts.changes));
    assert.equal(m.window.from, null);
    // one file: no -wal, no -shm, no temporary left behind
    assert.deepEqual(
      readdirSync(fx.dir).filter((f) => f.includes('all.fleetsnap')),
      ['all.fleetsnap'],
    );
    const again = inspectSnapshot(out);
    assert.deepEqual(again.manifest, m);
    assert.equal(again.header.applicationId, SNAPSHOT_APPLICATION_ID);
    assert.throws(() => captureSnapshot({ db: fx.cache, out, now: T0 }), /already exists/);
  });

  it('selects clusters by context or id and history by window', () => {
    const out = join(fx.dir, 'prod-1h.fleetsnap');
    const m = captureSnapshot({ db: fx.cache, out, clusters: ['prod'], since: T0 + 60 * 60_000, now: T0 + 2 * H });
    assert.deepEqual(
      m.clusters.map((c) => c.id),
      ['c1'],
    );
    assert.equal(m.window.from, T0 + H);
    const o = openSnapshot(out);
    try {
      const history = o.store.changes('c1', 0, Infinity);
      assert.ok(history.length > 0);
      assert.ok(history.every((c) => c.at >= T0 + H));
      assert.equal(o.store.clusters().length, 1);
    } finally {
      o.store.close();
      o.cleanup();
    }
    assert.throws(
      () => captureSnapshot({ db: fx.cache, out: join(fx.dir, 'x.fleetsnap'), clusters: ['nope'] }),
      /no cluster "nope".*dev, prod/,
    );
  });

  it('every cluster with a window: the whole-database copy, its history trimmed to the window', () => {
    const out = join(fx.dir, 'all-1h.fleetsnap');
    const m = captureSnapshot({ db: fx.cache, out, since: T0 + 60 * 60_000, now: T0 + 2 * H });
    assert.equal(m.clusters.length, 2);
    assert.equal(m.counts.objects, 6);
    const o = openSnapshot(out);
    try {
      const all = [...o.store.changes('c1', -Infinity, Infinity), ...o.store.changes('c2', -Infinity, Infinity)];
      assert.ok(all.length > 0 && all.every((c) => c.at >= T0 + H), JSON.stringify(all.map((c) => c.at - T0)));
      assert.equal(m.counts.changes, all.length);
    } finally {
      o.store.close();
      o.cleanup();
    }
  });

  it('opens read-only; objects as of a time come from the history', () => {
    const out = join(fx.dir, 'all.fleetsnap');
    const before = readFileSync(out);
    const o = openSnapshot(out);
    try {
      assert.equal(o.store.readonly, true);
      const names = (t: number) =>
        o.store
          .bodiesAt('c1', 'pods', t)
          .map((p) => `${p.metadata.name}:${p.spec.containers[0].image}`)
          .sort();
      assert.deepEqual(names(T0 + 30 * 60_000), ['a:app:1', 'j:app:1']);
      assert.deepEqual(names(T0 + 60 * 60_000), ['a:app:1', 'j:app:1', 'new:app:1']);
      assert.deepEqual(names(T0 + 90 * 60_000), ['a:app:2', 'new:app:1']);
      const ready = (t: number) => o.store.bodiesAt('c1', 'nodes', t).find((n) => n.metadata.name === 'n2')!.status.conditions[0].status;
      assert.equal(ready(T0 + 30 * 60_000), 'True');
      assert.equal(ready(T0 + 50 * 60_000), 'False');
      assert.throws(() => o.store.write([{ op: 'prune', cluster: 'c1', kind: 'pods', seen: new Set(), at: T0 + 2 * H }]), /readonly/);
    } finally {
      o.store.close();
      o.cleanup();
    }
    assert.ok(readFileSync(out).equals(before), 'opening a snapshot never writes it');
  });

  it('diffs two snapshots: exactly what changed, grouped by cluster and kind', () => {
    // A: the cache as it was before the last changes (captured from a copy that never saw them)
    const early = join(fx.dir, 'early.db');
    fill(early, true);
    captureSnapshot({ db: early, out: join(fx.dir, 'a.fleetsnap'), now: T0 });
    const a = openSnapshot(join(fx.dir, 'a.fleetsnap'));
    const b = openSnapshot(join(fx.dir, 'all.fleetsnap'));
    try {
      const d = diffStores(a.store, b.store);
      assert.deepEqual(d.totals, { added: 1, removed: 1, changed: 2 });
      const prod = d.clusters.find((c) => c.context === 'prod')!;
      assert.deepEqual(
        prod.kinds.map((k) => [k.kind, k.added.map((x) => x.name), k.removed.map((x) => x.name), k.changed.map((x) => x.name)]),
        [
          ['nodes', [], [], ['n2']],
          ['pods', ['new'], ['j'], ['a']],
        ],
      );
      const n2 = prod.kinds[0]!.changed[0]!;
      assert.deepEqual(
        n2.fields.map((f) => [f.path, f.before, f.after]),
        [['status.conditions[type=Ready].status', 'True', 'False']],
      );
      const podA = prod.kinds[1]!.changed[0]!;
      assert.deepEqual(
        podA.fields.map((f) => f.path),
        ['spec.containers[name=c].image'],
      );
      assert.deepEqual(d.clusters.find((c) => c.context === 'dev')!.kinds, []);
      // the other way round: added and removed swap
      const r = diffStores(b.store, a.store);
      assert.deepEqual(r.totals, { added: 1, removed: 1, changed: 2 });
    } finally {
      for (const o of [a, b]) {
        o.store.close();
        o.cleanup();
      }
    }
  });

  describe('refuses what is not a good snapshot, with a message that says why', () => {
    const bad = (name: string, make: (p: string) => void, re: RegExp) =>
      it(name, () => {
        const p = join(fx.dir, `bad-${name.replace(/\W+/g, '-')}.fleetsnap`);
        make(p);
        assert.throws(
          () => {
            const o = openSnapshot(p);
            o.store.close();
            o.cleanup();
          },
          (e: Error) => e instanceof SnapshotError && re.test(e.message),
        );
      });
    const good = () => join(fx.dir, 'all.fleetsnap');
    bad('empty file', (p) => writeFileSync(p, ''), /is empty/);
    bad('a zip archive', (p) => writeFileSync(p, Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200)])), /zip archive/);
    bad('a gzip file', (p) => writeFileSync(p, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])), /gzip.*bundle/);
    bad('a text file', (p) => writeFileSync(p, '{"hello": 1}'), /not a fleet console snapshot/);
    bad(
      'truncated',
      (p) => {
        copyFileSync(good(), p);
        truncateSync(p, Math.floor(statSync(p).size / 2));
      },
      /truncated/,
    );
    bad(
      'truncated mid-page',
      (p) => {
        copyFileSync(good(), p);
        truncateSync(p, statSync(p).size - 100);
      },
      /truncated/,
    );
    bad(
      'corrupt pages',
      (p) => {
        copyFileSync(good(), p);
        const b = readFileSync(p);
        // scribble over everything after the first two pages (the header and schema stay)
        for (let i = 2 * 16384; i < b.length; i++) b[i] = (i * 7919) & 0xff;
        writeFileSync(p, b);
      },
      /damaged|malformed|not a database/,
    );
    // The files below are damaged past the store, with plain file I/O: the SQLite header's fields
    // (application id at byte 68, user_version at 60, big-endian) and the bytes of a row.
    const patched = (p: string, from: string, patch: (b: Buffer) => void) => {
      copyFileSync(from, p);
      const b = readFileSync(p);
      patch(b);
      writeFileSync(p, b);
    };
    bad(
      'a foreign SQLite database',
      (p) => patched(p, good(), (b) => b.writeUInt32BE(0x12345678, 68)),
      /SQLite database but not a fleet console snapshot/,
    );
    bad(
      'a snapshot-marked database without a manifest',
      // the manifest's key renamed in place, in its row and in the key's index: no row has the key any more
      (p) =>
        patched(p, good(), (b) => {
          const key = Buffer.from('snapshot.manifest');
          let at = b.indexOf(key);
          assert.ok(at >= 0, 'the key is in the file');
          for (; at >= 0; at = b.indexOf(key, at + 1)) b.write('snapshot.manifesX', at, 'latin1');
        }),
      /no snapshot manifest/,
    );
    bad(
      'a future schema',
      (p) => patched(p, good(), (b) => b.writeUInt32BE(SCHEMA_VERSION + 5, 60)),
      /newer fleet console.*update the app/,
    );
    bad(
      'a live cache (WAL)',
      (p) => {
        // a cache as the store leaves it (WAL mode), marked as a snapshot
        const cache = `${p}.cache`;
        new Store(cache).close();
        patched(p, cache, (b) => b.writeUInt32BE(SNAPSHOT_APPLICATION_ID, 68));
      },
      /WAL mode: it is a live cache/,
    );
    bad('a folder', (p) => mkdirSync(p), /is a folder/);
  });

  it('durations', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('2d'), 2 * 86_400_000);
    for (const bad of ['', '1', 'h', '1x', '-1h', '1h ', '0s']) assert.throws(() => parseDuration(bad), /not a duration/);
  });
});

describe('snapshot jobs on a thread of their own (jobs.ts)', () => {
  const fx = fixtureCache('fleet-jobs-');
  let snapA: string;
  before(() => {
    snapA = join(fx.dir, 'a.fleetsnap');
    const first = join(fx.dir, 'first.db');
    fill(first, true);
    captureSnapshot({ db: first, out: snapA, now: T0 });
  });

  it('a capture on the thread writes what one in place writes; the caller keeps running meanwhile', async () => {
    const here = captureSnapshot({ db: fx.cache, out: join(fx.dir, 'here.fleetsnap'), now: T0 + 2 * H });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const there = await inThread({ kind: 'capture', options: { db: fx.cache, out: join(fx.dir, 'there.fleetsnap'), now: T0 + 2 * H } });
      assert.deepEqual(there, here);
      // In place, the capture would hold this thread until it returned: no timer could fire.
      assert.ok(ticks > 0, 'timers fired while the thread worked');
    } finally {
      clearInterval(timer);
    }
    const rows = (p: string) => {
      const s = new Store(p, { readonly: true });
      try {
        return s
          .clusters()
          .flatMap((c) => [...s.objectRows(c.id)].map((r) => ({ cluster: c.id, kind: r.kind, uid: r.uid, rv: r.rv, body: r.body })));
      } finally {
        s.close();
      }
    };
    assert.deepEqual(rows(join(fx.dir, 'there.fleetsnap')), rows(join(fx.dir, 'here.fleetsnap')));
    const m = await captureInThread({
      db: fx.cache,
      out: join(fx.dir, 'prod.fleetsnap'),
      clusters: ['prod'],
      since: T0 + H,
      now: T0 + 2 * H,
    });
    assert.deepEqual(
      m.clusters.map((c) => c.context),
      ['prod'],
    );
    assert.equal(m.window.from, T0 + H);
  });

  it('a comparison on the thread finds what one in place finds (a snapshot opened with its checks, a cache as it is)', async () => {
    const o = openSnapshot(snapA);
    const c = new Store(fx.cache, { readonly: true });
    let here;
    try {
      here = diffStores(o.store, c);
    } finally {
      c.close();
      o.store.close();
      o.cleanup();
    }
    const there = await inThread({
      kind: 'diff',
      from: { path: snapA, open: 'snapshot' },
      to: { path: fx.cache, open: 'store' },
      tmpDir: fx.dir,
    });
    assert.deepEqual(there, here);
    assert.ok(there.totals.added >= 1 && there.totals.removed >= 1 && there.totals.changed >= 1, JSON.stringify(there.totals));
  });

  it('errors come back as their own class and message; a thread that dies says so', async () => {
    await assert.rejects(
      inThread({ kind: 'capture', options: { db: join(fx.dir, 'none.db'), out: join(fx.dir, 'x.fleetsnap') } }),
      (e: Error) => e instanceof SnapshotError && /no cache at .*none\.db/.test(e.message),
    );
    const bad = join(fx.dir, 'bad.fleetsnap');
    writeFileSync(bad, 'PK\x03\x04 nope');
    await assert.rejects(
      inThread({ kind: 'diff', from: { path: bad, open: 'snapshot' }, to: { path: fx.cache, open: 'store' } }),
      (e: Error) => e instanceof SnapshotError && /zip archive/.test(e.message),
    );
    assert.ok(!existsSync(join(fx.dir, 'x.fleetsnap')), 'nothing written');
    // encode/decode keep the contract's code
    const back = decodeError(encodeError(new ContractError('no such file', 'not-found')));
    assert.ok(back instanceof ContractError);
    assert.equal((back as ContractError).code, 'not-found');
    assert.equal(decodeError(encodeError(new TypeError('x'))).name, 'TypeError');
    // a thread that cannot even start: refused with the reason, nothing hangs
    const broken = join(fx.dir, 'broken-thread.mjs');
    writeFileSync(broken, 'throw new Error("boom at start");\n');
    await assert.rejects(
      inThread({ kind: 'capture', options: { db: fx.cache, out: join(fx.dir, 'y.fleetsnap') } }, pathToFileURL(broken)),
      /capture thread failed: boom at start/,
    );
    const silent = join(fx.dir, 'silent-thread.mjs');
    writeFileSync(silent, 'process.exit(3);\n');
    await assert.rejects(
      inThread({ kind: 'capture', options: { db: fx.cache, out: join(fx.dir, 'y.fleetsnap') } }, pathToFileURL(silent)),
      /ended \(exit code 3\) without an answer/,
    );
  });
});
