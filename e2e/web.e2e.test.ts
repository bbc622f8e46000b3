// The console in Chromium, through the web shell, against three real lab clusters (gpu, storage,
// mixed) watched with all three users. Screenshots of every view go to e2e/artifacts/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lab } from '../lab/src/lab.ts';
import { HEALTH_LEVELS } from '../common/contract.ts';
import { chromiumPath, ensureRenderer, shot } from './browser.ts';
import { ConsoleSuite, labWebShell, openConsole, paletteToNode } from './shell.ts';
import { until } from '../lab/src/until.ts';
import { WebSocket } from 'ws';

const skip = chromiumPath() ? false : 'no Chromium on this machine (apt-get install -y chromium, or set FLEET_CHROMIUM)';
if (skip) console.log(`# e2e skipped: ${skip}`);

describe('the console in Chromium against real lab clusters', { skip }, () => {
  const ui = new ConsoleSuite('fleet-e2e-');

  before(async () => {
    ensureRenderer();
    const labDir = join(ui.dir, 'lab');
    await Lab.up({ dir: labDir, clusters: 1, profile: 'gpu' });
    await Lab.up({ dir: labDir, clusters: 1, profile: 'storage', nodes: 4 });
    ui.lab = await Lab.up({ dir: labDir, clusters: 1, profile: 'mixed', nodes: 6, podsPerNode: 4 });
    ui.shell = await labWebShell(ui.dir, ui.lab, ['lab-1', 'lab-2', 'lab-3', 'lab-3-restricted']);
    Object.assign(ui, await openConsole(ui.shell.url, 30_000));
  });

  after(() => ui.tearDown());

  it('the token leaves the address bar; the API refuses other origins and wrong tokens', async () => {
    assert.doesNotMatch(ui.page.url(), /token=/);
    // A page of another origin holding the token still gets no API; nor does this origin with a wrong token.
    const refused = (origin: string, token: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${ui.shell.port}/api?token=${encodeURIComponent(token)}`, { origin });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => {
          ws.close();
          reject(new Error(`the API accepted origin ${origin}`));
        });
        ws.once('error', () => {});
      });
    assert.equal(await refused('http://evil.example', ui.shell.token), 403, 'a foreign origin is refused');
    assert.equal(await refused(`http://127.0.0.1:${ui.shell.port}`, 'wrong'), 403, 'a wrong token is refused');
    const other = await ui.browser.newPage();
    await other.goto(`http://127.0.0.1:${ui.shell.port}/`);
    await other.waitForSelector('.notice.error', { timeout: 15_000 });
    assert.match((await other.textContent('.notice.error')) ?? '', /token/);
    await other.close();
  });

  it('the fleet map and table show every cluster with its status', async () => {
    await until('map data for all clusters', async () => {
      const f = await ui.fleet();
      const live = ['lab-1', 'lab-2', 'lab-3'].every((c) =>
        f?.clusters.find((x) => x.context === c && x.status === 'live' && x.nodes.total > 0),
      );
      return live && f?.clusters.find((x) => x.context === 'lab-1-exec')?.status === 'needs-approval';
    });
    assert.equal((await ui.tile('lab-1'))!.nodes.total, 10);
    assert.ok((await ui.tile('lab-1'))!.gpu.allocatable > 0, 'the gpu cluster has accelerators');
    await shot(ui.page, 'fleet-map-health');
    await ui.page.getByText('GPU allocated', { exact: true }).click();
    await sleep(300);
    await shot(ui.page, 'fleet-map-gpu');
    await ui.page.getByText('Health', { exact: true }).click();

    await ui.goto('#/table');
    await ui.page.waitForSelector('[data-view=fleet-table]');
    for (const c of ['lab-1', 'lab-2', 'lab-3', 'lab-3-restricted']) {
      const row = ui.page.locator(`tr[data-cluster="${c}"]`);
      assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'live', c);
    }
    assert.equal(await ui.page.locator('tr[data-cluster="lab-2-exec"] [data-status]').getAttribute('data-status'), 'needs-approval');
    // Sorting by a column reorders the rows.
    await ui.page.getByRole('button', { name: /Nodes ready\/total/ }).click();
    await ui.page.getByRole('button', { name: /Nodes ready\/total/ }).click();
    const first = await ui.page.locator('tbody tr').first().getAttribute('data-cluster');
    assert.equal(first, 'lab-1', 'the 10-node gpu cluster first when sorted by nodes, descending');
    await shot(ui.page, 'fleet-table');
  });

  it('drills down fleet → cluster → node → pod and back', async () => {
    await ui.goto('#/fleet');
    await ui.page.waitForSelector('[data-painted]');
    const id = ui.idOf('lab-3');
    const node = (await ui.tile('lab-3'))!.cells[0]!.n;
    const at = await ui.page.evaluate(
      ([c, n]) =>
        (window as unknown as { __fleetMap: { cellAt(c: string, n: string): { x: number; y: number } | null } }).__fleetMap.cellAt(c!, n!),
      [id, node],
    );
    assert.ok(at, 'the node has a cell on the map');
    await ui.page.mouse.move(at.x, at.y);
    await until('hover shows the node', async () => (await ui.page.locator('body').innerText()).includes(node), 5000);
    await shot(ui.page, 'fleet-map-hover');
    await ui.page.mouse.click(at.x, at.y);
    await ui.page.waitForSelector(`[data-view=node][data-node="${node}"]`);
    assert.match(ui.page.url(), new RegExp(`#/cluster/${encodeURIComponent(id)}/node/${node}$`));
    assert.ok((await ui.page.locator('[data-table=conditions] [data-condition=Ready]').count()) === 1);
    await shot(ui.page, 'node');

    const pod = ui.page.locator('[data-table=pods] tbody tr a').first();
    const podName = await pod.textContent();
    await pod.click();
    await ui.page.waitForSelector('[data-view=object][data-kind=pods]');
    assert.match((await ui.page.locator('pre.yaml').textContent()) ?? '', /kind: Pod/);
    assert.match((await ui.page.locator('pre.yaml').textContent()) ?? '', new RegExp(`name: ${podName}`));
    await shot(ui.page, 'pod');

    await ui.page.locator('.crumbs a', { hasText: 'lab-3' }).click();
    await ui.page.waitForSelector('[data-view=cluster][data-cluster="lab-3"]');
    assert.ok((await ui.page.locator('[data-table=nodes] tbody tr').count()) >= 6);
    await shot(ui.page, 'cluster-nodes');
    await ui.page.locator('.crumbs a', { hasText: 'Fleet' }).click();
    await ui.page.waitForSelector('[data-painted]');
    // Back/forward work: the views are URLs.
    await ui.page.goBack();
    await ui.page.waitForSelector('[data-view=cluster]');
    await ui.page.goForward();
    await ui.page.waitForSelector('[data-painted]');
  });

  it('every cluster tab renders real lab data', async () => {
    const gpu = ui.idOf('lab-1');
    await ui.goto(`#/cluster/${encodeURIComponent(gpu)}/accelerators`);
    await ui.page.waitForSelector('[data-table=accelerator-totals]');
    assert.match((await ui.page.locator('[data-table=accelerator-totals]').textContent()) ?? '', /nvidia\.com\/gpu/);
    await shot(ui.page, 'cluster-accelerators');

    const storage = ui.idOf('lab-2');
    await ui.goto(`#/cluster/${encodeURIComponent(storage)}/storage`);
    await ui.page.waitForSelector('[data-table=csi-matrix]');
    assert.ok((await ui.page.locator('[data-coverage=registered]').count()) > 0);
    assert.ok((await ui.page.locator('[data-table=storage-problems] tbody tr').count()) > 0, 'the storage profile has problems to show');
    await shot(ui.page, 'cluster-storage');

    const mixed = ui.idOf('lab-3');
    for (const tab of ['workloads', 'events', 'charts', 'sync']) {
      await ui.goto(`#/cluster/${encodeURIComponent(mixed)}/${tab}`);
      await ui.page.waitForSelector(`[data-panel=${tab}]`);
      await shot(ui.page, `cluster-${tab}`);
    }
    assert.ok((await ui.page.locator('[data-table=kinds] tr[data-state=watching]').count()) >= 20);
  });

  it('the palette (Ctrl+K) finds a node across clusters', async () => {
    await ui.goto('#/fleet');
    await paletteToNode(ui.page, (await ui.tile('lab-2'))!.cells[1]!.n, 'search-palette');
  });

  it('the restricted user: forbidden kinds say so in place, the rest still shows', async () => {
    const id = ui.idOf('lab-3-restricted');
    await ui.goto(`#/cluster/${encodeURIComponent(id)}`);
    await ui.page.waitForSelector('[data-view=cluster]');
    assert.match((await ui.page.locator('[data-panel=nodes] [data-forbidden]').textContent()) ?? '', /nodes/);
    await shot(ui.page, 'restricted-nodes');
    await ui.goto(`#/cluster/${encodeURIComponent(id)}/sync`);
    await ui.page.waitForSelector('[data-table=kinds]');
    assert.equal(await ui.page.locator('tr[data-kind=nodes]').getAttribute('data-state'), 'forbidden');
    assert.match((await ui.page.locator('tr[data-kind=nodes]').textContent()) ?? '', /not permitted/);
    assert.equal(await ui.page.locator('tr[data-kind=namespaces]').getAttribute('data-state'), 'watching');
    // refused cluster-wide, watched in the namespaces of its RoleBindings: said where it shows
    assert.equal(await ui.page.locator('tr[data-kind=pods]').getAttribute('data-state'), 'partial');
    assert.match((await ui.page.locator('tr[data-kind=pods]').textContent()) ?? '', /some namespaces.*watched in 5 namespaces/);
    await ui.goto(`#/cluster/${encodeURIComponent(id)}/workloads`);
    await ui.page.waitForSelector('[data-panel=workloads]');
    const partial = ui.page.locator('[data-panel=workloads] [data-partial]');
    assert.match((await partial.getAttribute('data-partial')) ?? '', /\bpods\b/);
    assert.match((await partial.textContent()) ?? '', /5 namespaces: default, ml-serving, storage-demo, team-a, web/);
    await shot(ui.page, 'restricted-workloads');
  });

  it('hostile data renders as inert text', async () => {
    const id = ui.idOf('lab-3');
    const uid = ui.shell.service.store.objects(id, 'configmaps').find((o) => o.name === 'hostile-annotations')?.uid as string;
    assert.ok(uid, 'the mixed profile has the hostile ConfigMap');
    await ui.goto(`#/cluster/${encodeURIComponent(id)}/object/configmaps/${uid}`);
    await ui.page.waitForSelector('[data-view=object] pre.yaml');
    const yaml = (await ui.page.locator('pre.yaml').textContent()) ?? '';
    // (common/yaml.ts double-quotes a value no YAML reader may take as plain, as a bundle holds it)
    assert.ok(yaml.includes('"<script>alert(\\"owned\\")</script><b>bold?</b>"'), 'shown as text');
    assert.ok(yaml.includes('\u202E'), 'bidi control kept as text');
    assert.match(yaml, /^apiVersion: v1\nkind: ConfigMap\n/, 'shown as the ConfigMap it is');
    await ui.page.waitForSelector('[data-table=diff]');
    assert.doesNotMatch((await ui.page.locator('[data-table=diff]').textContent()) ?? '', /PartialObjectMetadata/, 'its history too');
    assert.equal(await ui.page.locator('pre.yaml b, pre.yaml script, pre.yaml img').count(), 0, 'no element injected');
    assert.equal(await ui.page.evaluate(() => document.querySelectorAll('script:not([src])').length), 0);
    assert.deepEqual(ui.dialogs, []);
    await shot(ui.page, 'hostile-object');
  });

  it('live: node-notready turns the cell unhealthy within 10 s without a reload', async () => {
    await ui.goto('#/fleet');
    await ui.page.waitForSelector('[data-painted]');
    await ui.page.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 1));
    const id = ui.idOf('lab-3');
    const node = (await ui.tile('lab-3'))!.cells.find((c) => HEALTH_LEVELS[c.h] === 'ok')!.n;
    const t0 = Date.now();
    await ui.lab.chaos('lab-3', 'node-notready', [node]);
    const level = await until(
      'the cell turns unhealthy',
      async () => {
        const c = (await ui.tile('lab-3'))?.cells.find((x) => x.n === node);
        return c && HEALTH_LEVELS[c.h] !== 'ok' ? HEALTH_LEVELS[c.h] : undefined;
      },
      10_000,
      100,
    );
    const ms = Date.now() - t0;
    console.log(`# node ${node} shown ${level} ${ms} ms after chaos node-notready`);
    assert.equal(await ui.page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload), 1, 'no reload');
    assert.equal(await ui.page.locator('[data-painted]').count(), 1);
    await shot(ui.page, 'live-node-notready');
    const cell = await ui.page.evaluate(
      ([c, n]) => (window as unknown as { __fleetMap: { cellAt(c: string, n: string): unknown } }).__fleetMap.cellAt(c!, n!),
      [id, node],
    );
    assert.ok(cell, 'the unhealthy node still has its cell on the map');
    await ui.lab.chaos('lab-3', 'node-ready', [node]);
  });

  it('live: stop-apiserver marks the cluster stale with its age, and it recovers on start', async () => {
    await ui.lab.chaos('lab-3', 'stop-apiserver');
    const t = await until(
      'lab-3 stale or unreachable',
      async () => {
        const x = await ui.tile('lab-3');
        return x && (x.status === 'stale' || x.status === 'unreachable') ? x : undefined;
      },
      90_000,
      250,
    );
    assert.ok(t.lastContact, 'the age of the data is known');
    await ui.goto('#/table');
    await ui.page.waitForSelector('tr[data-cluster="lab-3"]');
    await until(
      'the table says how old the data is',
      async () => /data \d+s old/.test((await ui.page.locator('tr[data-cluster="lab-3"] [data-status]').textContent()) ?? ''),
      15_000,
    );
    await shot(ui.page, 'live-stale');
    await ui.goto('#/fleet');
    await ui.page.waitForSelector('[data-painted]');
    await shot(ui.page, 'live-stale-map');
    await ui.lab.chaos('lab-3', 'start-apiserver');
    await until('lab-3 live again', async () => (await ui.tile('lab-3'))?.status === 'live', 120_000, 500);
    await shot(ui.page, 'live-recovered');
  });
});
