import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../store/store.ts';
import { databaseFailure, isNativeLoadError, parseAppArgs, rendererMissing, USAGE } from './startup.ts';

describe('command line', () => {
  it('picks its options out of whatever Electron, Chromium and Playwright put around them', () => {
    const argv = [
      '/opt/electron/electron',
      '--inspect=0',
      '--remote-debugging-port=0',
      'build/app/main.js',
      '--kubeconfig',
      'lab/merged.kubeconfig',
      '--kubeconfig=/abs/folder',
      '--context',
      'lab-1',
      '--no-sandbox',
      '--data-dir',
      '/tmp/fleet-data',
      '-psn_0_12345',
    ];
    assert.deepEqual(parseAppArgs(argv, '/work'), {
      kubeconfigs: ['/work/lab/merged.kubeconfig', '/abs/folder'],
      contexts: ['lab-1'],
      offline: false,
      readOnly: false,
      help: false,
      dataDir: '/tmp/fleet-data',
      problems: [],
    });
  });

  it('--read-only for this session, --help for the usage (which documents both)', () => {
    assert.equal(parseAppArgs(['app', '--read-only'], '/w').readOnly, true);
    assert.equal(parseAppArgs(['app', '--offline'], '/w').readOnly, false);
    assert.equal(parseAppArgs(['app', '--help'], '/w').help, true);
    assert.match(USAGE, /--read-only/);
    assert.match(USAGE, /Read-only Mode/);
  });

  it('a snapshot, offline, and what is wrong', () => {
    assert.deepEqual(parseAppArgs(['app', '--snapshot', 'incident.db', '--offline'], '/w'), {
      kubeconfigs: [],
      contexts: [],
      snapshot: '/w/incident.db',
      offline: true,
      readOnly: false,
      help: false,
      problems: ['--snapshot and --offline: the snapshot is opened (it is read-only anyway)'],
    });
    assert.deepEqual(parseAppArgs(['app', '--kubeconfig', '--snapshot='], '/w').problems, [
      '--kubeconfig needs a value',
      '--snapshot needs a value',
    ]);
    assert.deepEqual(parseAppArgs(['app', '--kubeconfig'], '/w').problems, ['--kubeconfig needs a value']);
  });
});

describe('when the cache cannot be opened', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-startup-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a native module that does not load says so, with the error and where the cache is', () => {
    const e = new Error(
      "The module '/app/node_modules/better-sqlite3/prebuilds/linux-x64.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 127. This version of Node.js requires NODE_MODULE_VERSION 139.",
    );
    assert.ok(isNativeLoadError(e));
    const m = databaseFailure(e, '/home/me/.config/fleet-console/cache.db', { platform: 'linux' });
    assert.equal(m.message, 'The SQLite engine (better-sqlite3) could not be loaded.');
    assert.ok(m.detail.includes(`Error: ${e.message}`), 'the exact error');
    assert.match(m.detail, /The cache would be at \/home\/me\/\.config\/fleet-console\/cache\.db\./);
    assert.ok(isNativeLoadError(Object.assign(new Error('Cannot find module better-sqlite3'), { code: 'MODULE_NOT_FOUND' })));
    assert.ok(
      isNativeLoadError(
        Object.assign(new Error('\\\\?\\C:\\app\\better_sqlite3.node is not a valid Win32 application.'), { code: 'ERR_DLOPEN_FAILED' }),
      ),
    );
  });

  it('a database that does not open: the exact error (with its code), the file, what to do', () => {
    let err: Error | undefined;
    try {
      new Store(join(dir, 'missing-folder', 'no.db'), { readonly: true }).close();
    } catch (e) {
      err = e as Error;
    }
    assert.ok(err, 'opening a missing read-only file fails');
    assert.equal(isNativeLoadError(err), false);
    const m = databaseFailure(err, join(dir, 'missing-folder', 'no.db'), { snapshot: true });
    assert.equal(m.message, 'The snapshot database could not be opened.');
    assert.ok(m.detail.includes(err.message));
    assert.ok(m.detail.includes(`File: ${join(dir, 'missing-folder', 'no.db')}`));
    const cache = databaseFailure(Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' }), '/d/cache.db');
    assert.equal(cache.message, 'The cache database could not be opened.');
    assert.match(cache.detail, /^Error: SQLITE_NOTADB: file is not a database\n/);
    assert.match(cache.detail, /move it aside/);
  });

  it('an unbuilt renderer says how to build it', () => {
    assert.match(rendererMissing('/r').detail, /\/r\/index\.html is missing\. Run `npm run build:renderer`/);
  });
});
