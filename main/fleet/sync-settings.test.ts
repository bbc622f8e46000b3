// What is turned off (sync-settings.json), and the sources' polling fallback where fs.watch reports nothing.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_SYNC_SETTINGS,
  inSource,
  loadSyncSettings,
  offReason,
  saveSyncSettings,
  syncSettingsPath,
  withClustersEnabled,
  withSourceEnabled,
} from './sync-settings.ts';
import { sourcesFingerprint, watchSources } from './sources.ts';

const dir = mkdtempSync(join(tmpdir(), 'fleet-sync-settings-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('sync-settings.json', () => {
  it('round-trips: saved (sorted, deduplicated, absolute), loaded back the same', () => {
    const file = syncSettingsPath(join(dir, 'data'));
    assert.deepEqual(loadSyncSettings(file), { settings: DEFAULT_SYNC_SETTINGS }, 'no file: everything on, no warning');
    let s = withClustersEnabled(DEFAULT_SYNC_SETTINGS, ['b', 'a', 'b'], false);
    s = withSourceEnabled(s, join(dir, 'kube', '..', 'kube'), false);
    saveSyncSettings(file, s);
    const back = loadSyncSettings(file);
    assert.equal(back.warning, undefined);
    assert.deepEqual(back.settings, { version: 1, offClusters: ['a', 'b'], offSources: [join(dir, 'kube')] });
    assert.match(readFileSync(file, 'utf8'), /"offClusters"/);
    // turned on again
    saveSyncSettings(file, withSourceEnabled(withClustersEnabled(back.settings, ['a'], true), join(dir, 'kube'), true));
    assert.deepEqual(loadSyncSettings(file).settings, { version: 1, offClusters: ['b'], offSources: [] });
  });

  it('a damaged file turns nothing off, and says why', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"version":1,"offClusters":');
    const r = loadSyncSettings(file);
    assert.deepEqual(r.settings, DEFAULT_SYNC_SETTINGS);
    assert.match(r.warning!, /not JSON/);
    writeFileSync(file, JSON.stringify({ version: 2, offClusters: 'all' }));
    assert.match(loadSyncSettings(file).warning!, /not valid/);
  });

  it('an entry is off when its context is, or when its file or folder is', () => {
    const s = { offClusters: ['id1'], offSources: ['/k/folder', '/k/one.yaml'] };
    assert.equal(offReason({ id: 'id1', file: '/elsewhere/x' }, s), 'turned off in Settings');
    assert.match(offReason({ id: 'id2', file: '/k/folder/a.yaml' }, s)!, /source \/k\/folder is turned off/);
    assert.match(offReason({ id: 'id3', file: '/k/one.yaml' }, s)!, /one\.yaml/);
    assert.equal(offReason({ id: 'id4', file: '/k/folder2/a.yaml' }, s), null, 'a sibling folder with a longer name is not inside');
    assert.equal(inSource('/k/folder/a', '/k/folder/'), true);
  });
});

describe('watchSources: polling where fs.watch reports nothing', () => {
  it('fs.watch off (as on a network home folder): a new kubeconfig in a watched folder and an edited file are seen by the poll', async () => {
    const folder = join(dir, 'nfs-kube');
    mkdirSync(folder);
    const file = join(dir, 'single.yaml');
    writeFileSync(file, 'apiVersion: v1\n');
    const cfg = { useDefault: false, files: [file], folders: [folder] };
    let calls = 0;
    const stop = watchSources(cfg, () => calls++, 50, { fsWatch: false, pollMs: 200 });
    try {
      await sleep(600);
      assert.equal(calls, 0, 'nothing changed: no reload');
      writeFileSync(join(folder, 'new-cluster.yaml'), 'apiVersion: v1\n');
      const t0 = Date.now();
      while (calls === 0 && Date.now() - t0 < 3000) await sleep(50);
      assert.equal(calls, 1, 'the poll saw the new file');
      // An edit that keeps the size: only the mtime tells (set explicitly, as a copy from another host keeps it).
      writeFileSync(file, 'apiVersion: v2\n');
      utimesSync(file, new Date(), new Date(Date.now() + 5000));
      const t1 = Date.now();
      while (calls === 1 && Date.now() - t1 < 3000) await sleep(50);
      assert.equal(calls, 2, 'the poll saw the edited file');
      // Ignored names (editor swap files) are not kubeconfigs: no reload.
      writeFileSync(join(folder, '.new-cluster.yaml.swp'), 'x');
      await sleep(600);
      assert.equal(calls, 2);
    } finally {
      stop();
    }
  });

  it('the fingerprint is cheap and says what the poll compares: listing, size and mtime; a missing path too', () => {
    const cfg = { useDefault: false, files: [join(dir, 'missing.yaml')], folders: [join(dir, 'no-such-folder')] };
    const a = sourcesFingerprint(cfg);
    assert.match(a, /missing\.yaml:-/);
    assert.equal(sourcesFingerprint(cfg), a, 'stable while nothing changes');
    writeFileSync(join(dir, 'missing.yaml'), 'x');
    assert.notEqual(sourcesFingerprint(cfg), a);
  });

  it('with pollMs 0 and fs.watch off nothing is watched (the stop function still works)', async () => {
    let calls = 0;
    const stop = watchSources({ useDefault: false, files: [], folders: [dir] }, () => calls++, 10, { fsWatch: false, pollMs: 0 });
    writeFileSync(join(dir, 'another.yaml'), 'x');
    await sleep(300);
    stop();
    assert.equal(calls, 0);
  });
});
