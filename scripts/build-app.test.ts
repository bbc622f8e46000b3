// The app bundle, checked without an Electron binary: esbuild builds build/app into a scratch folder,
// the preload runs in a vm with only the sandbox's `require('electron')`, and main.js runs under Node
// with a stand-in for the electron module (the sync worker bundle in a worker thread standing in for the
// utilityProcess). What is asserted is the wiring main.ts does: scheme, session, window, IPC, menu,
// quitting, and the dialog when the SQLite engine does not load.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { BRIDGE_FUNCTIONS, channelOf, type Answer, type FleetDTO, type Method } from '../common/contract.ts';
import { buildApp, ROOT } from './build-app.ts';
import { inThread } from '../main/snapshot/jobs.ts';
import { Store } from '../main/store/store.ts';
import { APP_SCHEME_PRIVILEGES, CSP, webPreferences } from '../main/app/security.ts';

const require = createRequire(import.meta.url);
// Under the repository, so the bundles find node_modules/better-sqlite3 as they do in the app.
const BASE = join(ROOT, 'build', `test-app-${process.pid}`);
const OUT = join(BASE, 'app');
const DATA = join(BASE, 'data');

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** A utilityProcess stand-in: the bundled worker in a worker thread (it takes worker_threads' parentPort there). */
class ThreadChild extends EventEmitter {
  readonly w: Worker;
  exited = false;
  constructor(script: string) {
    super();
    this.w = new Worker(script);
    this.w.on('message', (m) => this.emit('message', m));
    this.w.on('exit', (c) => {
      this.exited = true;
      this.emit('exit', c);
    });
    this.w.on('error', (e) => this.emit('error', 'FatalError', e.message, ''));
  }
  postMessage(m: unknown) {
    this.w.postMessage(m);
  }
  kill() {
    void this.w.terminate();
    return true;
  }
}

/** Just enough of the electron module for main.ts, recording what it is asked to do. */
function fakeElectron() {
  const rec = {
    schemes: [] as unknown[],
    sandbox: false,
    appOn: new Map<string, (...a: any[]) => unknown>(),
    windows: [] as any[],
    loaded: [] as string[],
    sent: [] as { channel: string; payload: unknown }[],
    ipc: new Map<string, (event: unknown, ...args: unknown[]) => Promise<Answer<unknown>>>(),
    protocol: new Map<string, (req: Request) => Promise<Response>>(),
    permissionRequest: undefined as undefined | ((...a: any[]) => void),
    permissionCheck: undefined as undefined | ((...a: any[]) => boolean),
    beforeRequest: undefined as undefined | ((details: { url: string }, cb: (r: { cancel: boolean }) => void) => void),
    menu: undefined as unknown,
    dialogs: [] as any[],
    forks: [] as { script: string; options: unknown; child: ThreadChild }[],
    quit: 0,
    exitCode: undefined as number | undefined,
    paths: new Map<string, string>([['appData', join(BASE, 'appData')]]),
  };
  let readyResolve!: () => void;
  const whenReady = new Promise<void>((r) => (readyResolve = r));
  const session = {
    setPermissionRequestHandler: (h: any) => (rec.permissionRequest = h),
    setPermissionCheckHandler: (h: any) => (rec.permissionCheck = h),
    setDevicePermissionHandler: () => {},
    on: () => {},
    webRequest: { onBeforeRequest: (h: any) => (rec.beforeRequest = h) },
    protocol: { handle: (scheme: string, h: any) => rec.protocol.set(scheme, h) },
  };
  class BrowserWindow extends EventEmitter {
    readonly options: any;
    readonly webContents = Object.assign(new EventEmitter(), {
      id: 42,
      getURL: () => 'app://fleet/index.html',
      send: (channel: string, payload: unknown) => rec.sent.push({ channel, payload }),
      reload: () => {},
    });
    constructor(options: any) {
      super();
      this.options = options;
      rec.windows.push(this);
    }
    loadURL(url: string) {
      rec.loaded.push(url);
      return Promise.resolve();
    }
    maximize() {}
    isDestroyed = () => false;
    isMinimized = () => false;
    isMaximized = () => false;
    isFullScreen = () => false;
    getNormalBounds = () => ({ x: 10, y: 20, width: 1200, height: 800 });
  }
  const electron = {
    app: {
      isPackaged: false,
      enableSandbox: () => (rec.sandbox = true),
      setName: () => {},
      getPath: (k: string) => rec.paths.get(k),
      setPath: (k: string, v: string) => rec.paths.set(k, v),
      getVersion: () => '0.1.0',
      requestSingleInstanceLock: () => true,
      on: (ev: string, fn: (...a: any[]) => unknown) => rec.appOn.set(ev, fn),
      whenReady: () => whenReady,
      setAboutPanelOptions: () => {},
      quit: () => rec.quit++,
      exit: (code: number) => (rec.exitCode = code),
    },
    protocol: { registerSchemesAsPrivileged: (s: unknown[]) => rec.schemes.push(...s) },
    session: { defaultSession: session },
    screen: {
      getPrimaryDisplay: () => ({ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
      getAllDisplays: () => [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
    },
    BrowserWindow,
    ipcMain: {
      handle: (channel: string, fn: any) => rec.ipc.set(channel, fn),
      removeHandler: (channel: string) => rec.ipc.delete(channel),
    },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => (rec.menu = m) },
    dialog: {
      showMessageBoxSync: (o: unknown) => (rec.dialogs.push(o), 0),
      showMessageBox: (...a: unknown[]) => (rec.dialogs.push(a.at(-1)), Promise.resolve({ response: 0 })),
      showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
    },
    shell: { openExternal: () => Promise.resolve(), openPath: () => Promise.resolve('') },
    utilityProcess: {
      fork: (script: string, _args: string[], options: unknown) => {
        const child = new ThreadChild(script);
        rec.forks.push({ script, options, child });
        return child;
      },
    },
  };
  return { electron, rec, ready: () => readyResolve() };
}

/** Load build/app/main.js (afresh) with `electron` (and optionally `better-sqlite3`) replaced. */
function loadMain(electron: unknown, overrides: Record<string, () => unknown> = {}): void {
  const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    if (request === 'electron') return electron;
    const o = overrides[request];
    if (o) return o();
    return original.call(this, request, ...rest);
  };
  const main = join(OUT, 'main.js');
  delete require.cache[main];
  try {
    require(main);
  } finally {
    // Requires made later (the lazily loaded back end) go through the hook too: keep it until the test ends.
    restore.push(() => (Module._load = original));
  }
}
const restore: (() => void)[] = [];

describe('the app bundle (build/app)', () => {
  const savedEnv = { ...process.env };
  before(async () => {
    rmSync(BASE, { recursive: true, force: true });
    await buildApp({ outDir: OUT });
    mkdirSync(join(BASE, 'renderer'), { recursive: true });
    writeFileSync(join(BASE, 'renderer', 'index.html'), '<!doctype html><title>Fleet console</title>');
  });
  after(() => {
    for (const r of restore.splice(0)) r();
    process.env = savedEnv;
    rmSync(BASE, { recursive: true, force: true });
  });

  it('produces main.js, sync-worker.js and preload.js, CommonJS, with electron and better-sqlite3 external', () => {
    for (const f of ['main.js', 'sync-worker.js', 'store-thread.js', 'snapshot-thread.js', 'preload.js'])
      assert.ok(existsSync(join(OUT, f)), f);
    assert.deepEqual(JSON.parse(readFileSync(join(OUT, 'package.json'), 'utf8')), { type: 'commonjs' });
    const main = readFileSync(join(OUT, 'main.js'), 'utf8');
    assert.match(main, /require\("electron"\)/);
    assert.match(main, /require\("better-sqlite3"\)/);
    assert.doesNotMatch(main, /class Database\b.*better_sqlite3/s, 'the native module is not inlined');
  });

  it('snapshot-thread.js, as the main process starts it, captures the cache', async () => {
    const cache = join(BASE, 'jobs-cache.db');
    const store = new Store(cache);
    store.write([
      {
        op: 'cluster',
        row: {
          id: 'c1',
          context: 'prod',
          file: '/k',
          source: 'file',
          server: 'https://127.0.0.1:1',
          authKind: 'token',
          status: 'live',
          message: null,
          serverVersion: 'v1.37.1',
          lastContact: 1,
          at: 1,
        },
      },
      {
        op: 'upsert',
        cluster: 'c1',
        kind: 'nodes',
        obj: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'u1', resourceVersion: '1' } },
        at: 1,
      },
    ]);
    store.close();
    const out = join(BASE, 'jobs.fleetsnap');
    const m = await inThread({ kind: 'capture', options: { db: cache, out } }, pathToFileURL(join(OUT, 'snapshot-thread.js')));
    assert.deepEqual([m.clusters.map((c) => c.context), m.counts.objects], [['prod'], 1]);
    assert.ok(existsSync(out));
  });

  it('the preload, as the sandbox runs it, exposes exactly the contract and requires nothing but electron', async () => {
    const code = readFileSync(join(OUT, 'preload.js'), 'utf8');
    const exposed = new Map<string, any>();
    const invoked: unknown[][] = [];
    const listeners = new Map<string, (...a: unknown[]) => void>();
    const required: string[] = [];
    const fake = {
      contextBridge: { exposeInMainWorld: (k: string, v: unknown) => exposed.set(k, v) },
      ipcRenderer: {
        invoke: (...a: unknown[]) => (invoked.push(a), Promise.resolve({ ok: true, result: 1 })),
        on: (c: string, l: (...a: unknown[]) => void) => listeners.set(c, l),
        removeListener: (c: string) => listeners.delete(c),
      },
    };
    runInNewContext(code, {
      require: (m: string) => {
        required.push(m);
        if (m !== 'electron') throw new Error(`a sandboxed preload cannot require ${m}`);
        return fake;
      },
      module: { exports: {} },
      exports: {},
    });
    assert.deepEqual(required, ['electron']);
    assert.deepEqual([...exposed.keys()], ['fleet']);
    const fleet = exposed.get('fleet');
    assert.deepEqual(Object.keys(fleet).sort(), [...Object.values(BRIDGE_FUNCTIONS), 'onPush'].sort());
    await fleet.clusterGet({ cluster: 'c1' }, 'ignored');
    assert.deepEqual(invoked, [['fleet:cluster.get', { cluster: 'c1' }]]);
    const got: unknown[][] = [];
    const off = fleet.onPush((...a: unknown[]) => got.push(a));
    listeners.get('fleet:push')!({ sender: {} }, { type: 'changed' });
    assert.deepEqual(got, [[{ type: 'changed' }]]);
    off();
    assert.equal(listeners.size, 0);
    assert.ok(code.length < 20_000, `the preload stays small (${code.length} bytes)`);
  });

  it('main.js under a stand-in Electron: secure window, app:// protocol, checked IPC, worker, clean quit', async () => {
    process.env.FLEET_DATA_DIR = DATA;
    process.env.KUBECONFIG = join(BASE, 'no-such.kubeconfig');
    const { electron, rec, ready } = fakeElectron();
    loadMain(electron);

    // Before ready: the scheme is privileged and every renderer sandboxed.
    assert.deepEqual(rec.schemes, [{ scheme: 'app', privileges: APP_SCHEME_PRIVILEGES }]);
    assert.equal(rec.sandbox, true);
    assert.equal(rec.paths.get('userData'), DATA);
    for (const ev of ['second-instance', 'web-contents-created', 'window-all-closed', 'before-quit']) assert.ok(rec.appOn.has(ev), ev);
    assert.equal(rec.windows.length, 0);

    ready();
    const win = await until('the window', () => rec.windows[0]);
    assert.deepEqual(win.options.webPreferences, webPreferences(join(OUT, 'preload.js'), { devTools: true }));
    assert.equal(win.options.show, false, 'shown on ready-to-show');
    assert.deepEqual(rec.loaded, ['app://fleet/index.html']);
    assert.ok(existsSync(join(DATA, 'cache.db')), 'the cache opened in the data folder');

    // The sync worker runs as a utility process from the bundle.
    assert.equal(rec.forks.length, 1);
    assert.equal(rec.forks[0]!.script, join(OUT, 'sync-worker.js'));

    // app:// serves the renderer with the CSP.
    const res = await rec.protocol.get('app')!(new Request('app://fleet/index.html'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-security-policy'), CSP);
    assert.equal((await rec.protocol.get('app')!(new Request('app://fleet/..%2f..%2fpackage.json'))).status, 400);

    // The session refuses permissions and remote requests.
    let granted: boolean | undefined;
    rec.permissionRequest!({}, 'geolocation', (g: boolean) => (granted = g), { requestingUrl: 'app://fleet/index.html' });
    assert.equal(granted, false);
    assert.equal(rec.permissionCheck!({}, 'clipboard-read', 'app://fleet'), false);
    let cancel: boolean | undefined;
    rec.beforeRequest!({ url: 'https://example.com/x.js' }, (r) => (cancel = r.cancel));
    assert.equal(cancel, true);
    rec.beforeRequest!({ url: 'app://fleet/assets/x.js' }, (r) => (cancel = r.cancel));
    assert.equal(cancel, false);

    // Any webContents: navigation away and new windows refused.
    const contents = new EventEmitter() as EventEmitter & { setWindowOpenHandler(h: unknown): void; openHandler?: (d: unknown) => unknown };
    contents.setWindowOpenHandler = (h) => (contents.openHandler = h as (d: unknown) => unknown);
    rec.appOn.get('web-contents-created')!({}, contents);
    let prevented = 0;
    contents.emit('will-navigate', { url: 'https://evil.example/', preventDefault: () => prevented++ });
    contents.emit('will-navigate', { url: 'app://fleet/index.html', preventDefault: () => prevented++ });
    contents.emit('will-redirect', { url: 'http://127.0.0.1:1/', preventDefault: () => prevented++ });
    contents.emit('will-attach-webview', { preventDefault: () => prevented++ });
    assert.equal(prevented, 3);
    assert.deepEqual(contents.openHandler!({ url: 'https://kubernetes.io/', disposition: 'new-window' }), { action: 'deny' });

    // IPC: every method's channel, checked.
    assert.deepEqual([...rec.ipc.keys()].sort(), (Object.keys(BRIDGE_FUNCTIONS) as Method[]).map(channelOf).sort());
    const page = { sender: { id: 42 }, senderFrame: { url: 'app://fleet/index.html', parent: null } };
    const fleet = await rec.ipc.get('fleet:fleet.get')!(page, {});
    assert.equal(fleet.ok, true, JSON.stringify(fleet));
    assert.equal((fleet as { result: FleetDTO }).result.mode, 'live');
    const evil = await rec.ipc.get('fleet:fleet.get')!(
      { sender: { id: 42 }, senderFrame: { url: 'https://evil.example/', parent: null } },
      {},
    );
    assert.equal(!evil.ok && evil.code, 'forbidden');
    const other = await rec.ipc.get('fleet:fleet.get')!({ sender: { id: 43 }, senderFrame: page.senderFrame }, {});
    assert.equal(!other.ok && other.code, 'forbidden');
    const bad = await rec.ipc.get('fleet:sources.add')!(page, { path: '' });
    assert.equal(!bad.ok && bad.code, 'invalid');

    // A kubeconfig added through the bridge is watched and remembered in settings.json.
    const kc = join(BASE, 'one.kubeconfig');
    writeFileSync(
      kc,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: one, context: {cluster: c, user: u}}]\ncurrent-context: one\n',
    );
    const added = await rec.ipc.get('fleet:sources.add')!(page, { path: kc });
    assert.equal(added.ok, true, JSON.stringify(added));
    assert.deepEqual(JSON.parse(readFileSync(join(DATA, 'settings.json'), 'utf8')).sources, { files: [kc], folders: [] });
    // The worker's news reaches the page as pushes on the push channel.
    await until('a push to the window', () => rec.sent.find((x) => x.channel === 'fleet:push'), 10_000);

    // The menu is the app's.
    const labels = JSON.stringify(rec.menu);
    for (const l of [
      'Add Kubeconfig File(s)…',
      'Add Folder to Watch…',
      'Open Snapshot…',
      'Capture Snapshot…',
      'Export Incident Bundle…',
      'Read-only Mode',
    ])
      assert.ok(labels.includes(l), l);

    // The window's page reloading releases its log streams; a live session offers actions until
    // View → Read-only Mode is checked, which is saved and refuses actions at once.
    win.webContents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: 'app://fleet/index.html' });
    const menuItem = (id: string) => {
      const walk = (items: any[]): any => {
        for (const i of items) {
          if (i.id === id) return i;
          const sub = Array.isArray(i.submenu) ? walk(i.submenu) : undefined;
          if (sub) return sub;
        }
        return undefined;
      };
      return walk(rec.menu as any[]);
    };
    assert.equal(menuItem('read-only').checked, false);
    const live = await rec.ipc.get('fleet:fleet.get')!(page, {});
    assert.equal((live as { result: FleetDTO }).result.actions, true, 'a live session offers actions');
    menuItem('read-only').click();
    assert.equal(JSON.parse(readFileSync(join(DATA, 'settings.json'), 'utf8')).readOnly, true);
    assert.equal(menuItem('read-only').checked, true, 'the menu is rebuilt with the item checked');
    const ro = await rec.ipc.get('fleet:fleet.get')!(page, {});
    assert.equal((ro as { result: FleetDTO }).result.actions, false, 'read-only: no actions');
    const refused = await rec.ipc.get('fleet:actions.run')!(page, {
      clusters: ['c1'],
      action: 'cordon',
      target: { kind: 'nodes', namespace: '', name: 'n1' },
      confirm: { clusters: ['c1'], namespace: '', name: 'n1' },
    });
    assert.equal(!refused.ok && refused.code, 'forbidden');
    assert.match(!refused.ok ? refused.error : '', /read-only mode/);
    menuItem('read-only').click();
    assert.equal(JSON.parse(readFileSync(join(DATA, 'settings.json'), 'utf8')).readOnly, false);

    // Quitting stops the worker and closes the cache first.
    let held = 0;
    rec.appOn.get('before-quit')!({ preventDefault: () => held++ });
    assert.equal(held, 1);
    await until('app.quit after the back end stopped', () => rec.quit > 0);
    await until('the worker thread ended', () => rec.forks[0]!.child.exited);
    rec.appOn.get('before-quit')!({ preventDefault: () => held++ });
    assert.equal(held, 1, 'the second before-quit goes through');
  });

  it('main.js: when better-sqlite3 cannot be loaded, a dialog says so (error and cache path) and the app exits', async () => {
    process.env.FLEET_DATA_DIR = join(BASE, 'data-2');
    const { electron, rec, ready } = fakeElectron();
    loadMain(electron, {
      'better-sqlite3': () => {
        throw Object.assign(new Error("Cannot find module 'better-sqlite3' (simulated)"), { code: 'MODULE_NOT_FOUND' });
      },
    });
    ready();
    await until('the exit', () => rec.exitCode !== undefined);
    assert.equal(rec.exitCode, 1);
    assert.equal(rec.windows.length, 0, 'no window');
    assert.equal(rec.forks.length, 0, 'no worker');
    const d = rec.dialogs[0];
    assert.equal(d.type, 'error');
    assert.equal(d.message, 'The SQLite engine (better-sqlite3) could not be loaded.');
    assert.match(d.detail, /Cannot find module 'better-sqlite3' \(simulated\)/);
    assert.ok(d.detail.includes(join(BASE, 'data-2', 'cache.db')));
  });
});
