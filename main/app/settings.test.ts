import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dataFiles, loadSettings, saveSettings, sourcesOf, withReadOnly, withSources, withWindow } from './settings.ts';
import { sourcesFromPaths } from '../fleet/sources.ts';

describe('settings.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-settings-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the data folder holds the cache, the approvals and the settings', () => {
    assert.deepEqual(dataFiles('/data'), {
      settings: join('/data', 'settings.json'),
      cache: join('/data', 'cache.db'),
      approvals: join('/data', 'exec-approvals.json'),
    });
  });

  it('round-trips sources and window bounds, written atomically', () => {
    const file = join(dir, 'a', 'settings.json');
    assert.deepEqual(loadSettings(file), { settings: { version: 1 } }, 'missing: defaults, no warning');
    let s = withSources({ version: 1 }, { useDefault: true, kubeconfigEnv: '/x', files: ['/k/a.yaml'], folders: ['/k/d'] });
    s = withWindow(s, { bounds: { x: 1, y: 2, width: 1000, height: 700 }, maximized: true });
    saveSettings(file, s);
    assert.deepEqual(loadSettings(file), { settings: s });
    assert.deepEqual(
      JSON.parse(readFileSync(file, 'utf8')).sources,
      { files: ['/k/a.yaml'], folders: ['/k/d'] },
      '$KUBECONFIG is not remembered',
    );
    assert.deepEqual(readdirSync(join(dir, 'a')), ['settings.json'], 'no temporary file left');
  });

  it('read-only mode (View → Read-only Mode) is remembered; a damaged value is refused', () => {
    const file = join(dir, 'ro', 'settings.json');
    saveSettings(
      file,
      withReadOnly(withWindow({ version: 1 }, { bounds: { x: 0, y: 0, width: 900, height: 600 }, maximized: false }), true),
    );
    assert.equal(loadSettings(file).settings.readOnly, true);
    assert.equal(loadSettings(file).settings.window?.bounds.width, 900, 'the rest kept');
    saveSettings(file, withReadOnly(loadSettings(file).settings, false));
    assert.equal(loadSettings(file).settings.readOnly, false);
    writeFileSync(file, '{"version": 1, "readOnly": "yes"}');
    assert.match(loadSettings(file).warning ?? '', /readOnly/);
  });

  it('a damaged file gives defaults and a warning, never a crash', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"version": 1, "sources": {"files": [42]}}');
    const r = loadSettings(bad);
    assert.deepEqual(r.settings, { version: 1 });
    assert.match(r.warning ?? '', /bad\.json is not valid \(sources\.files\.0: /);
    writeFileSync(bad, '{not json');
    assert.match(loadSettings(bad).warning ?? '', /is not JSON/);
    if (process.getuid?.() !== 0) {
      chmodSync(bad, 0o000);
      assert.match(loadSettings(bad).warning ?? '', /cannot read/);
    }
  });

  it('sources: $KUBECONFIG or ~/.kube/config as kubectl, plus the saved files and folders', () => {
    const s = { version: 1 as const, sources: { files: ['/k/a'], folders: ['/k/d'] } };
    assert.deepEqual(sourcesOf(s, {}), { useDefault: true, files: ['/k/a'], folders: ['/k/d'] });
    assert.deepEqual(sourcesOf(s, { KUBECONFIG: '/e/1:/e/2' }), {
      useDefault: false,
      kubeconfigEnv: '/e/1:/e/2',
      files: ['/k/a'],
      folders: ['/k/d'],
    });
    assert.deepEqual(sourcesOf({ version: 1 }, {}), { useDefault: true, files: [], folders: [] });
  });

  it('command-line kubeconfigs: folders are watched, files read, nothing else', () => {
    const folder = join(dir, 'kc');
    mkdirSync(folder);
    assert.ok(existsSync(folder));
    assert.deepEqual(sourcesFromPaths([folder, join(dir, 'one.yaml'), 'rel.yaml']), {
      useDefault: false,
      files: [join(dir, 'one.yaml'), resolve('rel.yaml')],
      folders: [folder],
    });
  });
});
