// The Settings view's methods (settings.get, clusters.enable, sources.enable, sources.remove,
// settings.readOnly) over a real back end: a real cache, the real sync worker (its clusters point at a
// closed port: nothing answers, which is all these need), real kubeconfig files and folders, and the
// real sync-settings.json in the data folder, read again by a back end started afresh.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { startBackend, type Backend } from './backend.ts';
import { syncSettingsPath } from '../fleet/sync-settings.ts';
import { Store } from '../store/store.ts';
import { ViewService } from '../views/service.ts';
import { scratch } from '../views/fixtures.ts';
import type { SettingsDTO } from '../../common/contract.ts';

const { dir, db, close } = scratch('fleet-settings-');
const dataDir = join(dir, 'data');
const file = join(dir, 'two.yaml');
const folder = join(dir, 'kube.d');

function kubeconfig(contexts: string[]): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: contexts.map((c, i) => ({ name: c, cluster: { server: `https://127.0.0.${i + 2}:9` } })),
    users: contexts.map((c) => ({ name: c, user: { token: `t-${c}` } })),
    contexts: contexts.map((c) => ({ name: c, context: { cluster: c, user: c } })),
  });
}

writeFileSync(file, kubeconfig(['alpha', 'beta']));
mkdirSync(folder);
writeFileSync(join(folder, 'gamma.yaml'), kubeconfig(['gamma']));
writeFileSync(join(folder, 'broken.yaml'), 'apiVersion: v1\nkind: Config\ncontexts: [[[');

const sources = { useDefault: false, files: [file], folders: [folder] };
let readOnlySaved: boolean | undefined;
const open = (): Backend =>
  startBackend({
    db,
    sources,
    dataDir,
    reflector: { backoffMaxMs: 2000 },
    onReadOnly: (on) => (readOnlySaved = on),
  });

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

const byContext = (s: SettingsDTO, c: string) => s.contexts.find((x) => x.context === c)!;

describe('Settings over a real back end and sync worker', () => {
  let b = open();
  after(() => close(() => b.stop()));

  it('settings.get: the sources with their entry counts and problems, every context on', async () => {
    await until('the worker’s first status', () => b.worker!.statuses().length === 3);
    const s = await b.service.call('settings.get', {});
    assert.equal(s.refused, undefined);
    assert.deepEqual(
      s.sources.map((x) => [x.path, x.kind, x.entries, x.enabled, x.removable]),
      [
        [file, 'file', 2, true, true],
        [folder, 'folder', 1, true, true],
      ],
    );
    assert.equal(s.sources[1]!.problems.length, 1, 'the broken file of the folder');
    assert.equal(s.sources[1]!.problems[0]!.path, join(folder, 'broken.yaml'));
    assert.deepEqual(
      s.contexts.map((c) => [c.context, c.enabled]),
      [
        ['alpha', true],
        ['beta', true],
        ['gamma', true],
      ],
    );
    assert.deepEqual([s.retention.maxAgeMs, s.retention.maxBytes, s.retention.editable], [7 * 24 * 3600_000, 2 * 1024 ** 3, true]);
    assert.ok((s.retention.cacheBytes ?? 0) > 0, 'the cache’s size on disk');
    assert.deepEqual(s.readOnly, { on: false, settable: true });
  });

  it('clusters.enable off: the worker stops it (status off, kept in the fleet), saved in sync-settings.json; logs and actions refused', async () => {
    const alpha = byContext(await b.service.call('settings.get', {}), 'alpha').id;
    const s = await b.service.call('clusters.enable', { clusters: [alpha], enabled: false });
    assert.equal(byContext(s, 'alpha').enabled, false);
    assert.equal(byContext(s, 'alpha').offReason, 'turned off in Settings');
    await until('alpha off', () => b.worker!.statuses().find((x) => x.id === alpha)?.status === 'off');
    assert.deepEqual(JSON.parse(readFileSync(syncSettingsPath(dataDir), 'utf8')).offClusters, [alpha]);
    await until('the fleet’s tile says off', async () => {
      const f = await b.service.call('fleet.get', {});
      return f.clusters.find((c) => c.id === alpha)?.status === 'off';
    });
    const f = await b.service.call('fleet.get', {});
    assert.equal(f.clusters.length, 3, 'still in the fleet');
    assert.notEqual(f.clusters.find((c) => c.context === 'beta')!.status, 'off');
    const logs = await b.service.answer('logs.start', { cluster: alpha, namespace: 'default', pod: 'x' });
    assert.equal(logs.ok, false);
    assert.match((logs as { error: string }).error, /turned off/);
  });

  it('persisted: a back end started afresh on the same data folder keeps it off', async () => {
    await b.stop();
    b = open();
    await until('the worker’s first status', () => b.worker!.statuses().length === 3);
    const s = await b.service.call('settings.get', {});
    assert.equal(byContext(s, 'alpha').enabled, false);
    await until('alpha off after the restart', () => b.worker!.statuses().find((x) => x.context === 'alpha')?.status === 'off');
    assert.notEqual(b.worker!.statuses().find((x) => x.context === 'beta')?.status, 'off');
  });

  it('clusters.enable on: it syncs again (connecting to its server: here unreachable)', async () => {
    const alpha = byContext(await b.service.call('settings.get', {}), 'alpha').id;
    const s = await b.service.call('clusters.enable', { clusters: [alpha], enabled: true });
    assert.equal(byContext(s, 'alpha').enabled, true);
    await until('alpha on', () => b.worker!.statuses().find((x) => x.id === alpha)?.status !== 'off');
    assert.deepEqual(JSON.parse(readFileSync(syncSettingsPath(dataDir), 'utf8')).offClusters, []);
  });

  it('sources.enable: a folder off turns its contexts off (saying why); on again', async () => {
    let s = await b.service.call('sources.enable', { path: folder, enabled: false });
    assert.equal(s.sources.find((x) => x.path === folder)!.enabled, false);
    assert.match(byContext(s, 'gamma').offReason!, /kube\.d is turned off/);
    await until('gamma off', () => b.worker!.statuses().find((x) => x.context === 'gamma')?.status === 'off');
    assert.notEqual(b.worker!.statuses().find((x) => x.context === 'alpha')?.status, 'off');
    s = await b.service.call('sources.enable', { path: folder, enabled: true });
    assert.equal(byContext(s, 'gamma').enabled, true);
    await until('gamma on', () => b.worker!.statuses().find((x) => x.context === 'gamma')?.status !== 'off');
    const unknown = await b.service.answer('sources.enable', { path: join(dir, 'nope'), enabled: false });
    assert.deepEqual([unknown.ok, (unknown as { code?: string }).code], [false, 'not-found']);
    const bad = await b.service.answer('clusters.enable', { clusters: ['no-such-id'], enabled: false });
    assert.deepEqual([bad.ok, (bad as { code?: string }).code], [false, 'not-found']);
  });

  it('sources.remove: the folder goes, and its contexts with it', async () => {
    const s = await b.service.call('sources.remove', { path: folder });
    assert.deepEqual(
      s.sources.map((x) => x.path),
      [file],
    );
    await until('gamma gone', () => !b.worker!.statuses().some((x) => x.context === 'gamma'));
    assert.equal(existsSync(folder), true, 'the folder itself is left alone');
  });

  it('settings.readOnly: the fleet takes no actions, and the shell is told (the desktop app saves it)', async () => {
    let s = await b.service.call('settings.readOnly', { on: true });
    assert.equal(s.readOnly.on, true);
    assert.equal(readOnlySaved, true);
    assert.equal(b.service.readOnly, true);
    s = await b.service.call('settings.readOnly', { on: false });
    assert.equal(s.readOnly.on, false);
    assert.equal(readOnlySaved, false);
  });
});

describe('Settings: the cache retention', () => {
  it('settings.retention: saved in sync-settings.json, shown, kept across a restart; out-of-range limits refused', async () => {
    let b2 = open();
    try {
      let s = await b2.service.call('settings.get', {});
      assert.equal(s.retention.editable, true);
      s = await b2.service.call('settings.retention', { maxAgeMs: 2 * 86_400_000, maxBytes: 256 * 1024 ** 2 });
      assert.deepEqual([s.retention.maxAgeMs, s.retention.maxBytes], [2 * 86_400_000, 256 * 1024 ** 2]);
      const saved = JSON.parse(readFileSync(join(dataDir, 'sync-settings.json'), 'utf8')) as { retention?: unknown };
      assert.deepEqual(saved.retention, { maxAgeMs: 2 * 86_400_000, maxBytes: 256 * 1024 ** 2 });
      const bad = await b2.service.handle('settings.retention', { maxAgeMs: 1000, maxBytes: 256 * 1024 ** 2 });
      assert.deepEqual([bad.ok, (bad as { code?: string }).code], [false, 'invalid']);
      await b2.stop();
      b2 = open();
      s = await b2.service.call('settings.get', {});
      assert.equal(s.retention.maxAgeMs, 2 * 86_400_000, 'the back end started afresh applies the saved limits');
    } finally {
      await b2.stop();
    }
  });
});

describe('Settings where nothing can change', () => {
  it('a back end fixed read-only (--read-only) says so; the cache shown offline organises nothing', async () => {
    const { dir: d2, db: db2, close: close2 } = scratch('fleet-settings-ro-');
    const store = new Store(db2);
    try {
      const svc = new ViewService(store, { mode: 'cache', source: db2, derive: 'persist', readOnly: true });
      const s = await svc.call('settings.get', {});
      assert.match(s.refused!, /without syncing/);
      assert.deepEqual([s.sources, s.contexts], [[], []]);
      assert.equal(s.readOnly.settable, false);
      const r = await svc.answer('clusters.enable', { clusters: ['x'], enabled: false });
      assert.deepEqual([r.ok, (r as { code?: string }).code], [false, 'forbidden']);
      const ro = await svc.answer('settings.readOnly', { on: false });
      assert.deepEqual([ro.ok, (ro as { code?: string }).code], [false, 'forbidden']);
      void d2;
    } finally {
      await close2(store);
    }
  });
});
