// The desktop app's main process (bundled to build/app/main.js by scripts/build-app.ts). Electron glue only:
// the decisions live in security.ts, ipc.ts, window-state.ts, settings.ts, startup.ts and menu.ts; the
// back end is the web shell's (main/backend/backend.ts) with the sync worker in a utilityProcess.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  screen,
  session,
  shell,
  type IpcMainInvokeEvent,
  type MessageBoxOptions,
  type OpenDialogOptions,
  type Session,
  type WebContents,
} from 'electron';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ContractError, PUSH_CHANNEL, type Params, type Result } from '../../common/contract.ts';
import { APP_NAME } from '../paths.ts';
import type { Backend, startBackend as StartBackend } from '../backend/backend.ts';
import type { SourceConfig } from '../fleet/sources.ts';
import { callerOf, registerIpc, type IpcMainLike, type SenderInfo } from './ipc.ts';
import { addSourcesReport, menuTemplate, type MenuActions } from './menu.ts';
import { registerAppScheme, serveApp } from './protocol.ts';
import {
  APP_URL,
  isAllowedNavigation,
  isAllowedRequest,
  isAppUrl,
  permissionDecision,
  webPreferences,
  windowOpenDecision,
} from './security.ts';
import { dataFiles, loadSettings, saveSettings, sourcesOf, withReadOnly, withSources, withWindow, type Settings } from './settings.ts';
import { databaseFailure, parseAppArgs, rendererMissing, USAGE, type StartupMessage } from './startup.ts';
import { MIN_SIZE, restoreWindowState } from './window-state.ts';
import { utilityWorkerStarter } from './worker.ts';
import { sourcesFromPaths } from '../fleet/sources.ts';

const PRODUCT_NAME = 'Fleet Console';
// build/app/ once bundled: the preload and the worker sit next to this file, the renderer in build/renderer.
const HERE = import.meta.dirname;
const RENDERER_DIR = join(HERE, '..', 'renderer');
const PRELOAD = join(HERE, 'preload.js');
const WORKER = join(HERE, 'sync-worker.js');
// The demo fleet: an extra resource of the package (electron-builder.yml), resources/ in development.
const DEMO = app.isPackaged ? join(process.resourcesPath, 'demo.fleetsnap') : join(HERE, '..', '..', 'resources', 'demo.fleetsnap');

const log = (line: string) => console.error(`fleet-console: ${line}`);

// ---------------------------------------------------------------------------------- before ready

registerAppScheme();
app.enableSandbox();
const args = parseAppArgs(process.argv, process.cwd());
for (const p of args.problems) log(p);
app.setName(PRODUCT_NAME);
// The same folder as the CLI and the web shell use (main/paths.ts): one cache, one set of approvals.
const userData =
  args.dataDir ?? (process.env.FLEET_DATA_DIR ? resolve(process.env.FLEET_DATA_DIR) : join(app.getPath('appData'), APP_NAME));
app.setPath('userData', userData);
const files = dataFiles(userData);

let settings: Settings = { version: 1 };
let win: BrowserWindow | undefined;
let backend: Backend | undefined;
let offPush: (() => void) | undefined;
let mode: 'live' | 'cache' | 'snapshot' = 'live';
/** kubeconfigs named on the command line are for this session only: the saved list is left alone */
const sessionSources = args.kubeconfigs.length > 0;
let sources: SourceConfig;
let switching: Promise<void> | undefined;
/** loaded at start (see ready): a native module that fails to load is reported, not a crash */
let startBackend: typeof StartBackend;
let quitting = false;

if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  app.exit(0);
} else if (!app.requestSingleInstanceLock()) {
  // Another window of the console is open on this data folder: it gets focused (second-instance).
  app.quit();
} else {
  app.on('second-instance', (_e, argv, cwd) => {
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    const more = parseAppArgs(argv, cwd);
    if (more.snapshot) void switchTo(more.snapshot);
  });
  app.on('web-contents-created', (_e, contents) => harden(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (backend && !win) win = createWindow();
  });
  app.on('before-quit', (e) => {
    const b = backend;
    if (quitting || !b) return;
    // Stop the sync worker and close the cache before leaving: the WAL is checkpointed, watches end.
    e.preventDefault();
    quitting = true;
    backend = undefined;
    offPush?.();
    void b
      .stop()
      .catch((err: Error) => log(`stopping: ${err.message}`))
      .finally(() => app.quit());
  });
  app
    .whenReady()
    .then(ready)
    .catch((e: Error) => fail({ title: 'Fleet console cannot start', message: e.message, detail: e.stack ?? '' }));
}

// ---------------------------------------------------------------------------------- ready

async function ready(): Promise<void> {
  const loaded = loadSettings(files.settings);
  settings = loaded.settings;
  if (loaded.warning) log(loaded.warning);
  sources = sessionSources ? sourcesFromPaths(args.kubeconfigs) : sourcesOf(settings);

  hardenSession(session.defaultSession);
  serveApp(session.defaultSession, RENDERER_DIR, log);
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) return fail(rendererMissing(RENDERER_DIR));

  // The database must open (better-sqlite3 loads, the file opens and migrates) before anything is shown.
  // The back end is imported here, not at the top: in the bundle that defers loading better-sqlite3, so
  // even a missing native module ends in a dialog saying so.
  try {
    ({ startBackend } = await import('../backend/backend.ts'));
    backend = launchBackend(args.snapshot);
  } catch (e) {
    return fail(databaseFailure(e as Error, args.snapshot ?? files.cache, { snapshot: !!args.snapshot }));
  }
  mode = args.snapshot ? 'snapshot' : args.offline ? 'cache' : 'live';
  offPush = forwardPushes(backend);

  const ipc: IpcMainLike = {
    handle: (channel, listener) => ipcMain.handle(channel, (event, ...rest: unknown[]) => listener(senderInfo(event), ...rest)),
    removeHandler: (channel) => ipcMain.removeHandler(channel),
  };
  registerIpc(ipc, () => backend?.service, { webContentsId: () => (win && !win.isDestroyed() ? win.webContents.id : undefined) });

  app.setAboutPanelOptions({ applicationName: PRODUCT_NAME, applicationVersion: app.getVersion() });
  setMenu();
  win = createWindow();
}

function fail(m: StartupMessage): void {
  log(`${m.message}\n${m.detail}`);
  dialog.showMessageBoxSync({ type: 'error', title: m.title, message: m.message, detail: m.detail, buttons: ['Quit'] });
  app.exit(1);
}

/** Read-only mode: --read-only for this session, else the saved setting (View → Read-only Mode). */
function readOnly(): boolean {
  return args.readOnly || !!settings.readOnly;
}

function launchBackend(snapshot?: string): Backend {
  return startBackend({
    db: snapshot ?? files.cache,
    snapshot: !!snapshot,
    offline: !snapshot && args.offline,
    readOnly: readOnly(),
    sources,
    contexts: args.contexts,
    dataDir: userData,
    cachePath: files.cache,
    demoPath: DEMO,
    open: openFromRenderer,
    // Exec plugins (aws, gcloud, kubelogin…) are found on the login shell's PATH, not the GUI session's.
    execPath: 'login-shell',
    startWorker: utilityWorkerStarter(WORKER),
    onSources: (s) => {
      sources = s;
      if (!sessionSources) persist(withSources(settings, s));
    },
    // The Settings view's switch, as View → Read-only Mode: saved, the menu follows (not with --read-only).
    ...(args.readOnly
      ? {}
      : {
          onReadOnly: (on: boolean) => {
            persist(withReadOnly(settings, on));
            setMenu();
          },
        }),
    log,
  });
}

function persist(next: Settings): void {
  settings = next;
  try {
    saveSettings(files.settings, settings);
  } catch (e) {
    log(`cannot save ${files.settings}: ${(e as Error).message}`);
  }
}

function forwardPushes(b: Backend): () => void {
  return b.onPush((ev, to) => {
    // Only to our own page: never to whatever a (refused) navigation might have left in the window.
    if (!win || win.isDestroyed() || !isAppUrl(win.webContents.getURL())) return;
    // A log stream's lines and a run's progress: only to the window that started them.
    if (to !== undefined && to !== callerOf(win.webContents.id)) return;
    win.webContents.send(PUSH_CHANNEL, ev);
  });
}

/** The window's page went away (reloaded, navigated, closed, crashed): its log streams stop. */
function releasePage(webContentsId: number): void {
  backend?.release(callerOf(webContentsId));
}

/** View → Read-only Mode: saved, and the back end flips at once (no restart: the sync worker keeps its watches). */
function toggleReadOnly(): void {
  if (args.readOnly) return;
  persist(withReadOnly(settings, !settings.readOnly));
  backend?.setReadOnly(readOnly());
  setMenu();
}

/** session.open from the renderer: the demo, a snapshot or bundle file, or the live fleet again. */
async function openFromRenderer(p: Params<'session.open'>): Promise<Result<'session.open'>> {
  if (p.target === 'demo' && !existsSync(DEMO)) throw new ContractError('the demo snapshot is not installed', 'not-found');
  const target = p.target === 'demo' ? DEMO : p.target === 'file' ? p.path : undefined;
  void switchTo(target);
  return { opening: p.target === 'demo' ? 'the demo fleet' : p.target === 'file' ? p.path! : 'the live fleet' };
}

/**
 * Replace the back end (a snapshot or bundle file, or the live fleet when `snapshot` is undefined) and
 * reload the page. A bundle is verified and its snapshot extracted under the data folder first.
 */
function switchTo(snapshot: string | undefined): Promise<void> {
  const run = async () => {
    let next: Backend;
    try {
      if (snapshot) {
        const { resolveSnapshotPath } = await import('../backend/session.ts');
        snapshot = await resolveSnapshotPath(snapshot, userData);
      }
      next = launchBackend(snapshot);
    } catch (e) {
      const m = databaseFailure(e as Error, snapshot ?? files.cache, { snapshot: !!snapshot });
      await showMessage({ type: 'error', title: m.title, message: m.message, detail: m.detail });
      return;
    }
    const old = backend;
    backend = undefined;
    offPush?.();
    await old?.stop().catch((e: Error) => log(`stopping the previous back end: ${e.message}`));
    backend = next;
    mode = snapshot ? 'snapshot' : args.offline ? 'cache' : 'live';
    offPush = forwardPushes(next);
    setMenu();
    if (win && !win.isDestroyed()) win.webContents.reload();
  };
  switching = (switching ?? Promise.resolve()).then(run, run);
  return switching;
}

// ---------------------------------------------------------------------------------- window

function createWindow(): BrowserWindow {
  const areas = [screen.getPrimaryDisplay(), ...screen.getAllDisplays().filter((d) => d.id !== screen.getPrimaryDisplay().id)].map(
    (d) => d.workArea,
  );
  const state = restoreWindowState(settings.window, areas);
  const w = new BrowserWindow({
    ...state.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: PRODUCT_NAME,
    backgroundColor: '#15181d',
    webPreferences: webPreferences(PRELOAD, { devTools: !app.isPackaged }),
  });
  if (state.maximized) w.maximize();
  w.once('ready-to-show', () => w.show());
  let timer: NodeJS.Timeout | undefined;
  const remember = () => {
    if (w.isDestroyed() || w.isMinimized() || w.isFullScreen()) return;
    persist(withWindow(settings, { bounds: w.getNormalBounds(), maximized: w.isMaximized() }));
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(remember, 500);
  };
  w.on('resize', later);
  w.on('move', later);
  w.on('close', () => {
    clearTimeout(timer);
    remember();
  });
  // Streams stop when their page goes away: a reload (or any new document in the window), a crash, the window closed.
  const contentsId = w.webContents.id;
  w.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) releasePage(contentsId);
  });
  w.webContents.on('render-process-gone', () => releasePage(contentsId));
  w.on('closed', () => {
    releasePage(contentsId);
    if (win === w) win = undefined;
  });
  void w.loadURL(APP_URL);
  return w;
}

function senderInfo(event: IpcMainInvokeEvent): SenderInfo {
  try {
    const f = event.senderFrame;
    return { senderId: event.sender.id, senderFrame: f ? { url: f.url, parent: f.parent } : null };
  } catch {
    // A disposed frame throws on access: treat it as gone.
    return { senderId: event.sender.id, senderFrame: null };
  }
}

/** Every webContents (the window, and anything else Chromium creates): no navigation away, no new windows, no webviews. */
function harden(contents: WebContents): void {
  contents.on('will-navigate', (e) => {
    if (!isAllowedNavigation(e.url)) {
      e.preventDefault();
      log(`navigation to ${e.url} refused`);
    }
  });
  contents.on('will-redirect', (e) => {
    if (!isAllowedNavigation(e.url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler((details) => {
    const d = windowOpenDecision(details);
    if (d.openExternal) void shell.openExternal(d.openExternal);
    else log(`window.open(${details.url}) refused`);
    return { action: d.action };
  });
}

function hardenSession(s: Session): void {
  s.setPermissionRequestHandler((_wc, permission, callback, details) => callback(permissionDecision(permission, details.requestingUrl)));
  s.setPermissionCheckHandler((_wc, permission, origin) => permissionDecision(permission, origin));
  s.setDevicePermissionHandler(() => false);
  s.on('will-download', (e) => e.preventDefault());
  s.webRequest.onBeforeRequest((details, callback) => {
    const cancel = !isAllowedRequest(details.url);
    if (cancel) log(`request to ${details.url} refused`);
    callback({ cancel });
  });
}

// ---------------------------------------------------------------------------------- menu and dialogs

function parent(): BrowserWindow | undefined {
  return win && !win.isDestroyed() ? win : undefined;
}

/** A message box; resolves to the index of the button chosen. */
async function showMessage(o: MessageBoxOptions): Promise<number> {
  const p = parent();
  return (await (p ? dialog.showMessageBox(p, o) : dialog.showMessageBox(o))).response;
}

async function pick(o: OpenDialogOptions): Promise<string[]> {
  const p = parent();
  const r = await (p ? dialog.showOpenDialog(p, o) : dialog.showOpenDialog(o));
  return r.canceled ? [] : r.filePaths;
}

async function addSources(paths: string[]): Promise<void> {
  const b = backend;
  if (!b || !paths.length) return;
  const results = [];
  for (const path of paths) {
    const a = await b.service.handle('sources.add', { path });
    results.push(a.ok ? { path, ok: true, entries: (a.result as { entries: number }).entries } : { path, ok: false, error: a.error });
  }
  const report = addSourcesReport(results);
  if (report.failed) await showMessage({ type: 'warning', title: 'Add kubeconfig', message: report.message, detail: report.detail });
}

const actions: MenuActions = {
  addKubeconfigs: () =>
    void pick({
      title: 'Add kubeconfig files',
      defaultPath: join(homedir(), '.kube'),
      properties: ['openFile', 'multiSelections', 'showHiddenFiles'],
    }).then(addSources),
  addFolder: () =>
    void pick({
      title: 'Add a folder of kubeconfigs to watch',
      defaultPath: homedir(),
      properties: ['openDirectory', 'showHiddenFiles'],
    }).then(addSources),
  openSnapshot: () =>
    void pick({
      title: 'Open snapshot',
      properties: ['openFile'],
      filters: [
        { name: 'Snapshots and incident bundles', extensions: ['fleetsnap', 'gz'] },
        { name: 'All files', extensions: ['*'] },
      ],
    }).then(([file]) => (file ? switchTo(file) : undefined)),
  backToLive: () => void switchTo(undefined),
  captureSnapshot: () => void captureFromMenu(),
  exportBundle: () => void exportFromMenu(),
  toggleReadOnly,
  // the renderer's own route: nothing crosses the bridge, the page navigates as a link would
  openSettings: () => void win?.webContents.executeJavaScript("window.location.hash = '#/settings'").catch(() => {}),
  revealDataFolder: () =>
    void shell
      .openPath(userData)
      .then((error) =>
        error ? showMessage({ type: 'error', title: 'Data folder', message: `Cannot open ${userData}`, detail: error }) : undefined,
      ),
};

function stamp(): string {
  return new Date()
    .toISOString()
    .replace(/:/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** File → Capture Snapshot…: every cluster of the cache, all its history, to a file the user picks. */
async function captureFromMenu(): Promise<void> {
  const w = parent();
  const r = await (w ? dialog.showSaveDialog(w, captureDialog()) : dialog.showSaveDialog(captureDialog()));
  const out = r.filePath;
  if (r.canceled || !out) return;
  await reportJob('Capture snapshot', 'The snapshot could not be captured.', async () => {
    // On a thread of its own: the window keeps answering while a large cache is copied.
    const { captureInThread } = await import('../snapshot/jobs.ts');
    const m = await captureInThread({ db: files.cache, out, overwrite: true });
    return { message: `Captured ${m.clusters.length} clusters, ${m.counts.objects} objects, ${m.counts.changes} changes.`, detail: out };
  });
}

/** A File-menu job's outcome in a message box: what it did, or `failed` and the error. */
async function reportJob(title: string, failed: string, job: () => Promise<{ message: string; detail: string }>): Promise<void> {
  try {
    await showMessage({ type: 'info', title, ...(await job()) });
  } catch (e) {
    await showMessage({ type: 'error', title, message: failed, detail: (e as Error).message });
  }
}

function captureDialog() {
  return {
    title: 'Capture snapshot',
    defaultPath: join(app.getPath('documents'), `fleet-${stamp()}.fleetsnap`),
    filters: [{ name: 'Fleet console snapshot', extensions: ['fleetsnap'] }],
  };
}

/**
 * File → Export Incident Bundle…: every cluster, the last hour, redaction on. The preview (what goes in,
 * what is redacted) is shown first; the console's own export dialog offers the finer selection.
 */
async function exportFromMenu(): Promise<void> {
  const b = backend;
  if (!b) return;
  const selection = { clusters: [], namespaces: [], workloads: [], nodes: [], since: 3_600_000, logs: 0, tokenize: false };
  const preview = await b.service.handle('bundle.preview', selection);
  if (!preview.ok) {
    await showMessage({ type: 'error', title: 'Export incident bundle', message: 'Nothing could be exported.', detail: preview.error });
    return;
  }
  const p = preview.result as Result<'bundle.preview'>;
  const go = await showMessage({
    type: 'question',
    title: 'Export incident bundle',
    message: `${p.clusters.length} clusters, ${p.objects} objects, ${p.events} events, ${p.changes} changes in the last hour.`,
    detail:
      `Redacted: ${p.redactions.map((x) => `${x.rule} ×${x.count}`).join(', ') || 'nothing found to redact'}.\n` +
      `${p.warnings.join('\n')}\nFor a narrower selection, use the console's Export dialog.`,
    buttons: ['Export…', 'Cancel'],
    defaultId: 0,
    cancelId: 1,
  });
  if (go !== 0) return;
  const r = await dialog.showSaveDialog({
    title: 'Export incident bundle',
    defaultPath: join(app.getPath('documents'), `incident-${stamp()}.tar.gz`),
    filters: [{ name: 'Incident bundle', extensions: ['gz'] }],
  });
  const out = r.filePath;
  if (r.canceled || !out) return;
  await reportJob('Export incident bundle', 'The bundle could not be exported.', async () => {
    const { exportBundle } = await import('../snapshot/bundle.ts');
    const { rmSync } = await import('node:fs');
    rmSync(out, { force: true });
    const x = await exportBundle(out, { db: mode === 'snapshot' ? b.service.store.path : files.cache, selection });
    return {
      message: `Exported ${x.manifest.files.length + 1} files (${(x.bytes / 2 ** 20).toFixed(1)} MiB), ${x.manifest.redaction.findings} values redacted.`,
      detail: `${out}\nSHA-256 ${x.sha256}`,
    };
  });
}

function setMenu(): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        {
          platform: process.platform,
          dev: !app.isPackaged,
          mode,
          productName: PRODUCT_NAME,
          readOnly: readOnly(),
          readOnlyForced: args.readOnly,
        },
        actions,
      ),
    ),
  );
}
