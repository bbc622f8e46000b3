import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MenuItemConstructorOptions } from 'electron';
import { ACCELERATORS, addSourcesReport, menuTemplate, revealLabel, type MenuActions, type MenuState } from './menu.ts';

function actions() {
  const called: string[] = [];
  const a = new Proxy({} as MenuActions, { get: (_t, k) => () => called.push(String(k)) });
  return { a, called };
}

const base: MenuState = { platform: 'linux', dev: false, mode: 'live', productName: 'Fleet Console' };

function flat(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flat(i.submenu) : [])]);
}
const byId = (items: MenuItemConstructorOptions[], id: string) => flat(items).find((i) => i.id === id);
const roles = (items: MenuItemConstructorOptions[]) => flat(items).flatMap((i) => (i.role ? [i.role] : []));

describe('the native menu', () => {
  it('File has every desktop action, each wired to its handler', () => {
    const { a, called } = actions();
    const t = menuTemplate(base, a);
    const ids = [
      'add-kubeconfigs',
      'add-folder',
      'open-snapshot',
      'back-to-live',
      'capture-snapshot',
      'export-bundle',
      'reveal-data',
      'settings',
    ];
    for (const id of ids) {
      const item = byId(t, id);
      assert.ok(item, id);
      (item.click as () => void)();
    }
    assert.deepEqual(called, [
      'addKubeconfigs',
      'addFolder',
      'openSnapshot',
      'backToLive',
      'captureSnapshot',
      'exportBundle',
      'revealDataFolder',
      'openSettings',
    ]);
  });

  it('accelerators are CmdOrCtrl-based, distinct, and on the right items', () => {
    const t = menuTemplate(base, actions().a);
    const accels = flat(t).flatMap((i) => (i.accelerator ? [i.accelerator] : []));
    assert.equal(new Set(accels).size, accels.length, 'no accelerator twice');
    for (const acc of accels) assert.match(acc, /^CmdOrCtrl\+/, `${acc} works on every platform`);
    assert.equal(byId(t, 'add-kubeconfigs')?.accelerator, ACCELERATORS.addKubeconfigs);
    assert.equal(byId(t, 'open-snapshot')?.accelerator, ACCELERATORS.openSnapshot);
  });

  it('macOS: the app menu first (named after the product), a Window menu, Close in File', () => {
    const t = menuTemplate({ ...base, platform: 'darwin' }, actions().a);
    assert.equal(t[0]!.label, 'Fleet Console');
    assert.deepEqual(roles([t[0]!]), ['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit']);
    assert.ok(roles(t).includes('windowMenu'));
    assert.ok(roles([t[1]!]).includes('close'));
    assert.equal(byId(t, 'reveal-data')?.label, 'Reveal Data Folder in Finder');
    // Settings… in the app menu (Cmd+,), not in File
    assert.ok(flat([t[0]!]).some((i) => i.id === 'settings'));
    assert.ok(!flat([t[1]!]).some((i) => i.id === 'settings'));
    assert.equal(byId(t, 'settings')?.accelerator, 'CmdOrCtrl+,');
  });

  it('Windows: Exit in File; Linux: Quit; no app or Window menu', () => {
    const win = menuTemplate({ ...base, platform: 'win32' }, actions().a);
    const quitWin = flat(win).find((i) => i.role === 'quit');
    assert.equal(quitWin?.label, 'E&xit');
    assert.equal(win[0]!.label, '&File');
    assert.ok(!roles(win).includes('windowMenu'));
    assert.equal(revealLabel('win32'), 'Show Data Folder in Explorer');
    const linux = menuTemplate(base, actions().a);
    assert.equal(flat(linux).find((i) => i.role === 'quit')?.label, '&Quit');
  });

  it('reload and developer tools only in development; zoom always', () => {
    const packaged = roles(menuTemplate(base, actions().a));
    for (const r of ['reload', 'forceReload', 'toggleDevTools'] as const) assert.ok(!packaged.includes(r), r);
    for (const r of ['resetZoom', 'zoomIn', 'zoomOut'] as const) assert.ok(packaged.includes(r), r);
    const dev = roles(menuTemplate({ ...base, dev: true }, actions().a));
    for (const r of ['reload', 'toggleDevTools'] as const) assert.ok(dev.includes(r), r);
  });

  it('showing a snapshot: sources cannot be added, the live fleet is one click away', () => {
    const t = menuTemplate({ ...base, mode: 'snapshot' }, actions().a);
    assert.equal(byId(t, 'add-kubeconfigs')?.enabled, false);
    assert.equal(byId(t, 'add-folder')?.enabled, false);
    assert.equal(byId(t, 'back-to-live')?.enabled, true);
    const live = menuTemplate(base, actions().a);
    assert.equal(byId(live, 'add-kubeconfigs')?.enabled, true);
    assert.equal(byId(live, 'back-to-live')?.enabled, false);
  });

  it('capture is offered for the live fleet and the cache, not for a snapshot; export in every mode', () => {
    const enabled = (mode: MenuState['mode'], id: string) => byId(menuTemplate({ ...base, mode }, actions().a), id)?.enabled;
    assert.deepEqual(
      (['live', 'cache', 'snapshot'] as const).map((m) => [m, enabled(m, 'capture-snapshot'), enabled(m, 'export-bundle')]),
      [
        ['live', true, true],
        ['cache', true, true],
        ['snapshot', false, true],
      ],
    );
    // The items are in File, with their accelerators, and each calls its own handler.
    const t = menuTemplate(base, actions().a);
    const file = t.find((m) => m.label === '&File')!;
    assert.ok(flat([file]).some((i) => i.id === 'capture-snapshot' && i.accelerator === ACCELERATORS.captureSnapshot));
    assert.ok(flat([file]).some((i) => i.id === 'export-bundle' && i.accelerator === ACCELERATORS.exportBundle));
  });

  it('View → Read-only Mode: a checkbox showing the mode, flipping it; locked on by --read-only', () => {
    const { a, called } = actions();
    const off = byId(menuTemplate(base, a), 'read-only')!;
    assert.equal(off.label, 'Read-only Mode');
    assert.equal(off.type, 'checkbox');
    assert.equal(off.checked, false);
    assert.equal(off.enabled, true);
    (off.click as () => void)();
    assert.deepEqual(called, ['toggleReadOnly']);
    const view = menuTemplate(base, a).find((m) => m.label === '&View')!;
    assert.ok(
      flat([view]).some((i) => i.id === 'read-only'),
      'in the View menu',
    );
    assert.equal(byId(menuTemplate({ ...base, readOnly: true }, a), 'read-only')?.checked, true);
    const forced = byId(menuTemplate({ ...base, readOnly: false, readOnlyForced: true }, a), 'read-only')!;
    assert.equal(forced.checked, true, '--read-only: on');
    assert.equal(forced.enabled, false, '--read-only: the menu cannot turn it off');
    // In every mode and on every platform.
    for (const mode of ['live', 'cache', 'snapshot'] as const)
      for (const platform of ['linux', 'darwin', 'win32'] as const)
        assert.ok(byId(menuTemplate({ ...base, mode, platform }, a), 'read-only'), `${mode} ${platform}`);
  });

  it('adding sources: failures are listed with their reasons', () => {
    const r = addSourcesReport([
      { path: '/k/a', ok: true, entries: 3 },
      { path: '/k/b', ok: false, error: '/k/b does not exist' },
    ]);
    assert.equal(r.failed, true);
    assert.equal(r.message, '1 of 2 could not be added.');
    assert.equal(r.detail, '✗ /k/b: /k/b does not exist\n✓ /k/a (3 contexts watched)');
    assert.equal(addSourcesReport([{ path: '/k/a', ok: true }]).failed, false);
  });
});
