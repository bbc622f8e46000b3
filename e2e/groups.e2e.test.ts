// Organising the fleet in Chromium, through the web shell, against two real lab clusters: a favourite
// is pinned first in the map and the table; a label set on the cluster page (env=prod) filters the map
// and the table (?sel=env=prod, in the address); grouping by env draws a heading per value; the
// Settings view lists the labels in use. Screenshots: e2e/artifacts/groups-*.png.
//
// Waits on the renderer's hooks: [data-favourite] (the star: on/off), [data-label="k=v"] (a label chip),
// [data-labels-of] (the cluster page's editor), .fleet-map-list li[data-cluster] (the map's clusters, in
// order) and h3[data-group] (its group headings), [data-shown] (the organise bar's count),
// [data-view=fleet-table] tr[data-cluster] (the table's rows) and tr[data-group] (its sections).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from '../lab/src/until.ts';
import { chromiumPath, ensureRenderer, shot } from './browser.ts';
import { ConsoleSuite } from './shell.ts';

const skip = chromiumPath() ? false : 'no Chromium on this machine (apt-get install -y chromium, or set FLEET_CHROMIUM)';
if (skip) console.log(`# groups e2e skipped: ${skip}`);

describe('Groups, labels and favourites, in Chromium, against lab clusters', { skip }, () => {
  const ui = new ConsoleSuite('fleet-groups-e2e-');

  before(async () => {
    ensureRenderer();
    await ui.start({ clusters: 2, profile: 'storage', nodes: 2, podsPerNode: 1 }, ['lab-1', 'lab-2']);
  });

  after(() => ui.tearDown());

  /** The map's clusters, in the order it shows them (its accessible list follows the layout's order). */
  const mapOrder = () =>
    ui.page.locator('.fleet-map-list li[data-cluster]').evaluateAll((els) => els.map((e) => e.getAttribute('data-cluster')));
  const tableOrder = () =>
    ui.page.locator('[data-view=fleet-table] tbody tr[data-cluster]').evaluateAll((els) => els.map((e) => e.getAttribute('data-cluster')));
  /** Where the map draws each cluster's first node (client coordinates), from the engine's probe. */
  const firstCells = () =>
    ui.page.evaluate(() => {
      const fleet = (
        window as unknown as { __fleetDebug: { fleet(): { clusters: { id: string; cells: { n: string }[] }[] } } }
      ).__fleetDebug.fleet();
      return Object.fromEntries(
        fleet.clusters.map((c) => [
          c.id,
          (window as unknown as { __fleetMap: { cellAt(c: string, n: string): { x: number; y: number } | null } }).__fleetMap.cellAt(
            c.id,
            c.cells[0]?.n ?? '',
          ),
        ]),
      );
    });
  /** a before b in the map's reading order: an upper row, or the same row further left */
  const drawnBefore = (a: { x: number; y: number } | null | undefined, b: { x: number; y: number } | null | undefined) =>
    !!a && !!b && (a.y < b.y - 5 || (Math.abs(a.y - b.y) <= 5 && a.x < b.x));

  it('derived labels on the tiles: host and version from the server', async () => {
    const t = await ui.tile('lab-1');
    assert.equal(t?.labels.host, '127.0.0.1');
    assert.match(t?.labels.version ?? '', /^1\.\d+$/);
    assert.ok(t?.derivedLabels.includes('host'));
    assert.equal(t?.favourite, false);
  });

  it('lab-2 starred on its cluster page: first in the map and in the table', async () => {
    const id2 = ui.idOf('lab-2');
    await ui.goto(`#/cluster/${encodeURIComponent(id2)}`);
    const star = ui.page.locator('[data-view=cluster] button.star');
    await star.waitFor({ timeout: 15_000 });
    assert.equal(await star.getAttribute('data-favourite'), 'off');
    await star.click();
    await ui.page.locator('[data-view=cluster] button.star[data-favourite=on]').waitFor({ timeout: 10_000 });
    await until('lab-2 a favourite in the page’s fleet', async () => (await ui.tile('lab-2'))?.favourite === true, 10_000, 200);
    const file = join(ui.dir, 'data', 'cluster-labels.json');
    assert.ok(existsSync(file), 'kept in the data folder');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).clusters[id2].favourite, true);
    await shot(ui.page, 'groups-cluster-starred');
    await ui.goto('#/fleet');
    await ui.page.waitForSelector('[data-painted]', { timeout: 15_000 });
    await until('lab-2 first on the map', async () => (await mapOrder())[0] === id2, 10_000, 200);
    const cells = await firstCells();
    assert.ok(drawnBefore(cells[id2], cells[ui.idOf('lab-1')]), `the favourite is drawn first: ${JSON.stringify(cells)}`);
    await shot(ui.page, 'groups-map-favourite');
    await ui.goto('#/table');
    await ui.page.waitForSelector('[data-view=fleet-table] tbody tr[data-cluster]', { timeout: 15_000 });
    await until('lab-2 first in the table', async () => (await tableOrder())[0] === 'lab-2', 10_000, 200);
  });

  it('lab-1 labelled env=prod on its cluster page; filter env=prod: only lab-1 in the map and the table', async () => {
    const id1 = ui.idOf('lab-1');
    await ui.goto(`#/cluster/${encodeURIComponent(id1)}`);
    const editor = ui.page.locator(`[data-labels-of="${id1}"]`);
    await editor.waitFor({ timeout: 15_000 });
    await editor.locator('input').fill('env=prod');
    await editor.locator('button[type=submit]').click();
    await editor.locator('[data-label="env=prod"]').waitFor({ timeout: 10_000 });
    // a hostile label is refused in the page, before any request
    await editor.locator('input').fill('<script>=x');
    await editor.locator('button[type=submit]').click();
    await editor.locator('[role=alert]').waitFor({ timeout: 5_000 });
    await shot(ui.page, 'groups-cluster-labelled');
    await until('lab-1 env=prod in the page’s fleet', async () => (await ui.tile('lab-1'))?.labels.env === 'prod', 10_000, 200);

    await ui.goto('#/fleet?sel=env=prod');
    await ui.page.waitForSelector('[data-painted]', { timeout: 15_000 });
    await until('only lab-1 on the map', async () => JSON.stringify(await mapOrder()) === JSON.stringify([id1]), 10_000, 200);
    assert.equal(await ui.page.locator('.organise-bar [data-shown]').getAttribute('data-shown'), '1');
    assert.equal(await ui.page.locator('.organise-selector').inputValue(), 'env=prod', 'the address fills the filter');
    await shot(ui.page, 'groups-map-filtered');

    // typed in the map's filter: the address follows (the lab's kubeconfig has more contexts than lab-1 and lab-2)
    await ui.page.locator('.organise-selector').fill('env!=prod');
    await until(
      'lab-1 off the map, lab-2 on it',
      async () => {
        const o = await mapOrder();
        return !o.includes(id1) && o.includes(ui.idOf('lab-2'));
      },
      10_000,
      200,
    );
    assert.match(decodeURIComponent(ui.page.url()), /#\/fleet\?sel=env!=prod/);

    await ui.goto('#/table?sel=env=prod');
    await until('only lab-1 in the table', async () => JSON.stringify(await tableOrder()) === JSON.stringify(['lab-1']), 10_000, 200);
    await shot(ui.page, 'groups-table-filtered');
  });

  it('grouped by env: a heading per value on the map and in the table; the favourite first of its group', async () => {
    await ui.goto('#/fleet?group=env');
    await ui.page.waitForSelector('[data-painted]', { timeout: 15_000 });
    await until('two group headings', async () => (await ui.page.locator('.fleet-map-list h3[data-group]').count()) === 2, 10_000, 200);
    const headings = await ui.page.locator('.fleet-map-list h3[data-group]').evaluateAll((els) => els.map((e) => e.textContent));
    assert.deepEqual(headings, ['env=prod', 'env: none']);
    assert.deepEqual(
      (await mapOrder()).slice(0, 2),
      [ui.idOf('lab-1'), ui.idOf('lab-2')],
      'groups in order of their value, no value last; the favourite first of its group',
    );
    const cells = await firstCells();
    assert.ok(
      (cells[ui.idOf('lab-1')]?.y ?? 0) < (cells[ui.idOf('lab-2')]?.y ?? 0) - 5,
      `env=prod's group above the other: ${JSON.stringify(cells)}`,
    );
    await shot(ui.page, 'groups-map-grouped');
    await ui.goto('#/table?group=env');
    await until(
      'two table sections',
      async () => (await ui.page.locator('[data-view=fleet-table] tr[data-group]').count()) === 2,
      10_000,
      200,
    );
    assert.deepEqual((await tableOrder()).slice(0, 2), ['lab-1', 'lab-2']);
    await shot(ui.page, 'groups-table-grouped');
  });

  it('the table: a star per row; rows selected get a label at once', async () => {
    await ui.goto('#/table');
    const row = (c: string) => ui.page.locator(`[data-view=fleet-table] tbody tr[data-cluster="${c}"]`);
    await row('lab-1-restricted').waitFor({ timeout: 15_000 });
    await row('lab-1-restricted').locator('[data-fleet-select]').check();
    await row('lab-2-restricted').locator('[data-fleet-select]').check();
    const bar = ui.page.locator('[data-label-selection="2"]');
    await bar.waitFor({ timeout: 5_000 });
    await bar.locator('input').fill('tier=restricted');
    await bar.locator('button[type=submit]').click();
    await until(
      'both restricted clusters labelled',
      async () =>
        (await ui.tile('lab-1-restricted'))?.labels.tier === 'restricted' &&
        (await ui.tile('lab-2-restricted'))?.labels.tier === 'restricted',
      10_000,
      200,
    );
    await row('lab-1-restricted').locator('[data-label="tier=restricted"]').waitFor({ timeout: 5_000 });
    // star lab-1 from its row: it joins lab-2 at the top; unstar lab-2: lab-1 alone leads
    await row('lab-1').locator('button.star').click();
    await until('lab-1 a favourite', async () => (await ui.tile('lab-1'))?.favourite === true, 10_000, 200);
    await row('lab-2').locator('button.star[data-favourite=on]').click();
    await until('lab-2 no favourite', async () => (await ui.tile('lab-2'))?.favourite === false, 10_000, 200);
    await until('lab-1 first in the table', async () => (await tableOrder())[0] === 'lab-1', 10_000, 200);
    await ui.goto('#/table?sel=tier=restricted');
    await until(
      'the restricted clusters only',
      async () => JSON.stringify((await tableOrder()).sort()) === JSON.stringify(['lab-1-restricted', 'lab-2-restricted']),
      10_000,
      200,
    );
    await shot(ui.page, 'groups-table-labelled');
  });

  it('the Settings view lists the labels in use', async () => {
    await ui.goto('#/settings');
    const env = ui.page.locator('[data-labels-in-use] [data-label-key=env]');
    await env.waitFor({ timeout: 15_000 });
    assert.match((await env.textContent()) ?? '', /prod \(1\)/);
    await ui.page.locator('[data-labels-in-use] [data-label-key=host]').waitFor({ timeout: 5_000 });
    await ui.page.locator('[data-panel=settings-labels]').scrollIntoViewIfNeeded();
    await shot(ui.page, 'groups-settings-labels');
    assert.deepEqual(ui.errors, [], 'no page errors');
  });
});
