// The native menu, as a template built from plain inputs (platform, development or packaged, what the
// window shows) so the tests can read it; main.ts builds it with Menu.buildFromTemplate and supplies the
// actions (dialogs, the back end). Accelerators use CmdOrCtrl; the rest follows each platform's habits
// (the app menu and Window menu on macOS, Exit on Windows, Quit on Linux).
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  addKubeconfigs(): void;
  addFolder(): void;
  openSnapshot(): void;
  backToLive(): void;
  captureSnapshot(): void;
  exportBundle(): void;
  revealDataFolder(): void;
  /** View → Read-only Mode: flip it (saved in settings.json; the back end refuses actions at once) */
  toggleReadOnly(): void;
  /** Settings… (the app menu on macOS, File elsewhere): the window shows the Settings view */
  openSettings(): void;
}

export interface MenuState {
  platform: NodeJS.Platform;
  /** development (not packaged): reload and developer tools */
  dev: boolean;
  /** what the window shows: sources can only be added while watching */
  mode: 'live' | 'cache' | 'snapshot';
  productName: string;
  /** read-only mode is on (the setting, or --read-only) */
  readOnly?: boolean;
  /** --read-only was given: the menu cannot turn it off for this session */
  readOnlyForced?: boolean;
}

export const ACCELERATORS = {
  addKubeconfigs: 'CmdOrCtrl+O',
  addFolder: 'CmdOrCtrl+Shift+O',
  openSnapshot: 'CmdOrCtrl+Alt+O',
  captureSnapshot: 'CmdOrCtrl+Shift+S',
  exportBundle: 'CmdOrCtrl+Shift+E',
  settings: 'CmdOrCtrl+,',
} as const;

export function revealLabel(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Reveal Data Folder in Finder';
  if (platform === 'win32') return 'Show Data Folder in Explorer';
  return 'Open Data Folder';
}

/** A menu command: its id (what the tests find it by), label, action, shortcut and whether it may be used now. */
function command(id: string, label: string, click: () => void, accelerator: string, enabled: boolean): MenuItemConstructorOptions {
  return { id, label, accelerator, enabled, click };
}

export function menuTemplate(s: MenuState, a: MenuActions): MenuItemConstructorOptions[] {
  const mac = s.platform === 'darwin';
  const watching = s.mode === 'live';
  const settings = command('settings', 'Settings…', () => a.openSettings(), ACCELERATORS.settings, true);
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      {
        ...command('add-kubeconfigs', 'Add Kubeconfig File(s)…', () => a.addKubeconfigs(), ACCELERATORS.addKubeconfigs, watching),
        toolTip: watching ? undefined : 'Open the live fleet first (File → Back to Live Fleet)',
      },
      command('add-folder', 'Add Folder to Watch…', () => a.addFolder(), ACCELERATORS.addFolder, watching),
      { type: 'separator' },
      { id: 'open-snapshot', label: 'Open Snapshot…', accelerator: ACCELERATORS.openSnapshot, click: () => a.openSnapshot() },
      { id: 'back-to-live', label: 'Back to Live Fleet', enabled: !watching, click: () => a.backToLive() },
      { type: 'separator' },
      // A snapshot is captured from the cache; a snapshot being shown is one already.
      command('capture-snapshot', 'Capture Snapshot…', () => a.captureSnapshot(), ACCELERATORS.captureSnapshot, s.mode !== 'snapshot'),
      // A bundle is exported from whatever is shown: the live cache, the cache offline, or the snapshot.
      command('export-bundle', 'Export Incident Bundle…', () => a.exportBundle(), ACCELERATORS.exportBundle, true),
      { type: 'separator' },
      { id: 'reveal-data', label: revealLabel(s.platform), click: () => a.revealDataFolder() },
      // macOS keeps Settings… in the app menu
      ...(mac ? [] : [{ type: 'separator' as const }, settings]),
      ...(mac
        ? [{ type: 'separator' as const }, { role: 'close' as const }]
        : [{ type: 'separator' as const }, { role: 'quit' as const, label: s.platform === 'win32' ? 'E&xit' : '&Quit' }]),
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      // No actions on the clusters (cordon, drain, scale, restart, delete, apply), whatever the page asks.
      {
        id: 'read-only',
        label: 'Read-only Mode',
        type: 'checkbox',
        checked: !!s.readOnly || !!s.readOnlyForced,
        enabled: !s.readOnlyForced,
        toolTip: s.readOnlyForced ? 'Started with --read-only' : 'Take no actions on the clusters; views and logs still work',
        click: () => a.toggleReadOnly(),
      },
      { type: 'separator' },
      ...(s.dev
        ? [
            { role: 'reload' as const },
            { role: 'forceReload' as const },
            { role: 'toggleDevTools' as const },
            { type: 'separator' as const },
          ]
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: s.productName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        settings,
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(file, { role: 'editMenu' }, view);
  if (mac) template.push({ role: 'windowMenu' });
  return template;
}

/** The outcome of adding kubeconfig files or folders from the menu, for a dialog when anything failed. */
export function addSourcesReport(results: { path: string; ok: boolean; error?: string; entries?: number }[]): {
  failed: boolean;
  message: string;
  detail: string;
} {
  const failed = results.filter((r) => !r.ok);
  const added = results.filter((r) => r.ok);
  return {
    failed: failed.length > 0,
    message: failed.length
      ? `${failed.length} of ${results.length} could not be added.`
      : `Added ${added.length} ${added.length === 1 ? 'source' : 'sources'}.`,
    detail: [
      ...failed.map((r) => `✗ ${r.path}: ${r.error ?? 'unknown error'}`),
      ...added.map((r) => `✓ ${r.path}${r.entries !== undefined ? ` (${r.entries} contexts watched)` : ''}`),
    ].join('\n'),
  };
}
