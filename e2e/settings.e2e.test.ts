// The Settings view in Chromium, through the web shell, against two real lab clusters: it lists the
// sources and the contexts; switching a context off makes its tile "off" in the fleet (map and table:
// its data as of then, never live) while the other stays live; on again, it is live again. The theme
// switch sets data-theme on <html>. Screenshots: e2e/artifacts/settings-*.png.
//
// Waits on the renderer's hooks: [data-settings=ready], [data-source=<path>], [data-context-enabled=<context>]
// (data-enabled), [data-context-toggle=<context>], [data-theme-choice=<theme>], [data-status] (table badges).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from '../lab/src/until.ts';
import { chromiumPath, ensureRenderer, shot } from './browser.ts';
import { ConsoleSuite } from './shell.ts';

const skip = chromiumPath() ? false : 'no Chromium on this machine (apt-get install -y chromium, or set FLEET_CHROMIUM)';
if (skip) console.log(`# settings e2e skipped: ${skip}`);

describe('Settings: contexts on and off, in Chromium, against lab clusters', { skip }, () => {
  const ui = new ConsoleSuite('fleet-settings-e2e-');

  before(async () => {
    ensureRenderer();
    await ui.start({ clusters: 2, profile: 'storage', nodes: 2, podsPerNode: 1 }, ['lab-1', 'lab-2']);
  });

  after(() => ui.tearDown());

  const row = (context: string) => ui.page.locator(`[data-context-enabled="${context}"]`);

  it('the top bar links to the settings view; it lists the sources and every context, on', async () => {
    await ui.page.click('[data-testid=nav-settings]');
    await ui.page.waitForSelector('[data-settings=ready]', { timeout: 15_000 });
    assert.match(ui.page.url(), /#\/settings$/);
    await ui.page.locator(`[data-source="${ui.lab.state.merged}"]`).waitFor({ timeout: 10_000 });
    for (const c of ['lab-1', 'lab-2']) {
      await row(c).waitFor({ timeout: 10_000 });
      assert.equal(await row(c).getAttribute('data-enabled'), 'true');
    }
    await shot(ui.page, 'settings-view');
  });

  it('lab-1 switched off: its row and its tile say off (data as of then); lab-2 stays live', async () => {
    await ui.page.locator('[data-context-search]').fill('lab-1');
    await ui.page.click('[data-context-toggle="lab-1"]');
    await ui.page.locator('[data-context-enabled="lab-1"][data-enabled="false"]').waitFor({ timeout: 15_000 });
    await until('lab-1 off in the page’s fleet', async () => (await ui.tile('lab-1'))?.status === 'off', 20_000, 250);
    await ui.page.locator('[data-context-enabled="lab-1"] [data-status="off"]').waitFor({ timeout: 10_000 });
    await shot(ui.page, 'settings-lab1-off');
    assert.equal((await ui.tile('lab-2'))?.status, 'live');
    await ui.goto('#/fleet');
    await ui.page.waitForSelector('[data-painted]', { timeout: 15_000 });
    await shot(ui.page, 'settings-fleet-off');
    await ui.goto('#/table');
    const badge = ui.page.locator('[data-status="off"]').first();
    await badge.waitFor({ timeout: 15_000 });
    assert.match((await badge.textContent()) ?? '', /^off · data .* old$/, 'never shown as live: the data’s age');
    await shot(ui.page, 'settings-table-off');
  });

  it('lab-1 switched on again: live again', async () => {
    await ui.goto('#/settings');
    await ui.page.waitForSelector('[data-settings=ready]', { timeout: 15_000 });
    await ui.page.click('[data-context-toggle="lab-1"]');
    await ui.page.locator('[data-context-enabled="lab-1"][data-enabled="true"]').waitFor({ timeout: 15_000 });
    await until('lab-1 live again', async () => (await ui.tile('lab-1'))?.status === 'live', 120_000, 500);
    assert.equal((await ui.tile('lab-2'))?.status, 'live');
    await ui.page.locator('[data-context-enabled="lab-1"] [data-status="live"]').waitFor({ timeout: 15_000 });
    await shot(ui.page, 'settings-lab1-on');
  });

  it('the theme switch: dark on <html>, kept in localStorage, back to system', async () => {
    await ui.page.click('[data-theme-choice=dark]');
    assert.equal(await ui.page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await ui.page.evaluate(() => localStorage.getItem('fleet.theme')), 'dark');
    const bg = await ui.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(15, 18, 22)', 'the dark palette’s background');
    await shot(ui.page, 'settings-dark');
    await ui.page.reload();
    await ui.page.waitForSelector('[data-settings=ready]', { timeout: 15_000 });
    assert.equal(await ui.page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'kept across a reload');
    await ui.page.click('[data-theme-choice=system]');
    assert.equal(await ui.page.evaluate(() => document.documentElement.dataset.theme ?? null), null);
    assert.deepEqual(ui.errors, [], 'no page errors');
  });

  it('retention: 3 days and 1 GiB applied, shown and saved; a value out of range is refused in the page', async () => {
    await ui.page.fill('[data-retention-days]', '0');
    assert.equal(await ui.page.isDisabled('[data-retention-save]'), true, 'out of range: nothing to apply');
    await ui.page.locator('[data-retention-form] [role=alert]').waitFor();
    await ui.page.fill('[data-retention-days]', '3');
    await ui.page.fill('[data-retention-gib]', '1');
    await ui.page.click('[data-retention-save]');
    await ui.page.locator(`[data-retention="${3 * 86_400_000}/${1024 ** 3}"]`).waitFor({ timeout: 15_000 });
    const saved = JSON.parse(readFileSync(join(ui.dir, 'data', 'sync-settings.json'), 'utf8')) as { retention?: unknown };
    assert.deepEqual(saved.retention, { maxAgeMs: 3 * 86_400_000, maxBytes: 1024 ** 3 });
    await shot(ui.page, 'settings-retention');
  });
});
