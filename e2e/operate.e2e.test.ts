// Operate in Chromium, through the web shell, against two real lab clusters: a running pod's logs
// followed (a line appended to the lab's pod.log appears, searchable, hostile text inert; the stream
// stops when the tab closes), a node cordoned through its confirmation (the result, the node marked
// cordoned, then uncordoned again), and a fleet-wide restart of the same Deployment in both clusters
// from the fleet table's selection (each cluster checked, per-cluster results, the restart seen in
// each cluster's cache). Screenshots go to e2e/artifacts/operate-*.png.
//
// Waits on the renderer's hooks: [data-logs] (data-log-stream-state=loading|streaming|done|error,
// data-log-count), [data-log-line], [data-log-search], mark[data-log-hit], [data-action=<name>]
// (data-action-allowed), [data-confirm-dialog=<name>], [data-confirm=<name>], [data-confirm-cancel],
// [data-action-result=<context>] (data-ok), [data-view=node][data-cordoned], [data-fleet-select=<context>],
// [data-fleet-act], [data-fleet-action-form] [data-field=…], [data-fleet-action-continue],
// [data-action-cluster=<context>] (data-exists, data-allowed), [data-readonly].
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../lab/src/lab.ts';
import { chromiumPath, ensureRenderer, shot } from './browser.ts';
import { ConsoleSuite, labWebShell, openConsole } from './shell.ts';
import { until } from '../lab/src/until.ts';

const skip = chromiumPath() ? false : 'no Chromium on this machine (apt-get install -y chromium, or set FLEET_CHROMIUM)';
if (skip) console.log(`# operate e2e skipped: ${skip}`);

/** The annotation kubectl rollout restart (and the console's restart) sets on the pod template. */
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

describe('operate (logs, actions, fleet-wide actions) in Chromium against lab clusters', { skip }, () => {
  const ui = new ConsoleSuite('fleet-operate-e2e-');
  const ids: Record<string, string> = {};
  const enc = encodeURIComponent;

  before(async () => {
    ensureRenderer();
    ui.lab = await Lab.up({ dir: join(ui.dir, 'lab'), clusters: 2, profile: 'mixed', nodes: 4, podsPerNode: 2 });
    ui.shell = await labWebShell(ui.dir, ui.lab, ['lab-1', 'lab-2']);
    ids['lab-1'] = ui.idOf('lab-1');
    ids['lab-2'] = ui.idOf('lab-2');
    Object.assign(ui, await openConsole(ui.shell.url, 30_000));
  });

  after(() => ui.tearDown());

  it('a live session that may act shows no read-only badge', async () => {
    await until('the fleet says actions are on', async () => (await ui.fleet())?.actions === true, 15_000, 250);
    assert.equal(await ui.page.locator('[data-readonly]').count(), 0, 'not read-only');
  });

  it("logs are followed from a running pod: a line appended to the lab's pod.log appears", async () => {
    const cluster = ids['lab-1']!;
    const pod = ui.shell.service.store
      .objects(cluster, 'pods')
      .find((p) => p.body?.status?.phase === 'Running' && typeof p.body?.spec?.nodeName === 'string');
    assert.ok(pod, 'a running pod in lab-1');
    await ui.goto(`#/cluster/${enc(cluster)}/object/pods/${enc(pod.uid)}/logs`);
    await ui.page.waitForSelector('[data-view=object][data-tab=logs] [data-logs=pods]', { timeout: 15_000 });
    await ui.page.waitForSelector('[data-logs][data-log-stream-state=streaming]', { timeout: 30_000 });
    // the lab's sample log (200 lines, CRI format) is there first
    await until('the sample lines', async () => Number(await ui.page.getAttribute('[data-logs]', 'data-log-count')) > 0, 30_000, 250);
    await shot(ui.page, 'operate-logs');

    // a new line, in the CRI format kwok's kubelet API parses
    const marker = `operate-e2e-${Date.now()}`;
    appendFileSync(join(ui.lab.cluster('lab-1').dir, 'pod.log'), `${new Date().toISOString()} stdout F ${marker} appeared\n`);
    await until(
      'the appended line is shown (followed, kept in view)',
      async () => (await ui.page.locator('[data-log-line]', { hasText: marker }).count()) > 0,
      30_000,
      250,
    );

    // search highlights it
    await ui.page.locator('[data-log-search]').fill(marker);
    await until('a match', async () => Number(await ui.page.getAttribute('[data-log-matches]', 'data-log-matches')) >= 1, 5000, 100);
    await ui.page.locator('[data-log-match-next]').click();
    assert.ok((await ui.page.locator('mark[data-log-hit][data-current]', { hasText: marker }).count()) >= 1, 'the current match is marked');
    await shot(ui.page, 'operate-logs-search');
    await ui.page.locator('[data-log-search]').fill('');

    // hostile lines stay text: escape sequences stripped, markup inert, bidi overrides visible
    const hostile = `hostile-${Date.now()}`;
    appendFileSync(
      join(ui.lab.cluster('lab-1').dir, 'pod.log'),
      `${new Date().toISOString()} stdout F \u001b[31m${hostile}\u001b[0m <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> \u202eevil\n`,
    );
    const row = ui.page.locator('[data-log-line]', { hasText: hostile });
    await until('the hostile line is shown', async () => (await row.count()) > 0, 30_000, 250);
    const text = (await row.first().textContent()) ?? '';
    assert.ok(!text.includes('\u001b'), 'no escape sequence');
    assert.ok(text.includes('<script>'), 'markup shown as text');
    assert.ok(!text.includes('\u202e') && text.includes('\uFFFD'), 'the bidi override made visible');
    assert.equal(await row.first().locator('script, img').count(), 0);
    assert.equal(await ui.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);

    // the stream stops when the tab closes
    assert.ok(ui.shell.service.openStreams() >= 1, 'a stream is open');
    await ui.goto(`#/cluster/${enc(cluster)}/object/pods/${enc(pod.uid)}`);
    await ui.page.waitForSelector('[data-view=object][data-tab=details]');
    await until('logs.stop', () => ui.shell.service.openStreams() === 0, 10_000, 100);
  });

  it('a node is cordoned through its confirmation, marked cordoned, then uncordoned', async () => {
    const cluster = ids['lab-1']!;
    const node = (await ui.tile('lab-1'))!.cells.find((c) => !c.k)!.n;
    await ui.goto(`#/cluster/${enc(cluster)}/node/${enc(node)}`);
    await ui.page.waitForSelector(`[data-view=node][data-node="${node}"][data-cordoned=false]`, { timeout: 15_000 });
    // checked first (actions.check), then enabled
    await ui.page.waitForSelector('[data-action=cordon][data-action-allowed=true]', { timeout: 15_000 });
    await ui.page.locator('[data-action=cordon]').click();
    const dialog = ui.page.locator('[data-confirm-dialog=cordon]');
    await dialog.waitFor();
    const said = (await dialog.textContent()) ?? '';
    assert.match(said, /lab-1/, 'names the cluster');
    assert.match(said, /cluster-scoped/, 'says the namespace (none)');
    assert.ok(said.includes(node), 'names the node');
    const confirm = ui.page.locator('[data-confirm=cordon]');
    await until('the confirmation is ready', async () => !(await confirm.isDisabled()), 15_000, 100);
    assert.equal((await confirm.textContent())?.trim(), `Cordon ${node}`);
    await shot(ui.page, 'operate-cordon-confirm');
    await confirm.click();
    await ui.page.waitForSelector('[data-action-result="lab-1"]', { timeout: 30_000 });
    assert.equal(
      await ui.page.getAttribute('[data-action-result="lab-1"]', 'data-ok'),
      'true',
      (await ui.page.locator('[data-action-result]').textContent()) ?? '',
    );
    assert.ok((await ui.page.locator('[data-action-changes-link]').count()) > 0, 'a link to the change recorded');
    await shot(ui.page, 'operate-cordon-result');
    await ui.page.locator('[data-confirm-cancel]').click();
    // the view re-reads: the node is cordoned (in the node view and on the map's tile)
    await ui.page.waitForSelector(`[data-view=node][data-cordoned=true]`, { timeout: 30_000 });
    await until(
      'the tile marks it cordoned',
      async () => (await ui.tile('lab-1'))?.cells.find((c) => c.n === node)?.k === true,
      30_000,
      250,
    );

    // and back
    await ui.page.waitForSelector('[data-action=uncordon][data-action-allowed=true]', { timeout: 15_000 });
    await ui.page.locator('[data-action=uncordon]').click();
    const back = ui.page.locator('[data-confirm=uncordon]');
    await until('the confirmation is ready', async () => !(await back.isDisabled()), 15_000, 100);
    await back.click();
    await ui.page.waitForSelector('[data-action-result="lab-1"][data-ok=true]', { timeout: 30_000 });
    await ui.page.locator('[data-confirm-cancel]').click();
    await ui.page.waitForSelector(`[data-view=node][data-cordoned=false]`, { timeout: 30_000 });
  });

  it('the same Deployment is restarted in 2 clusters from the fleet table selection, with per-cluster results', async () => {
    const target = { namespace: 'web', name: 'frontend' };
    for (const ctx of ['lab-1', 'lab-2'])
      assert.ok(ui.shell.service.store.findByName(ids[ctx]!, 'apps/deployments', target.namespace, target.name), `${ctx} has web/frontend`);
    const restartedAt = (ctx: string) =>
      ui.shell.service.store.findByName(ids[ctx]!, 'apps/deployments', target.namespace, target.name)?.body?.spec?.template?.metadata
        ?.annotations?.[RESTARTED_AT] as string | undefined;
    const before = { 'lab-1': restartedAt('lab-1'), 'lab-2': restartedAt('lab-2') };

    await ui.goto('#/table');
    await ui.page.waitForSelector('[data-fleet-select="lab-1"]', { timeout: 15_000 });
    await ui.page.locator('[data-fleet-select="lab-1"]').check();
    await ui.page.locator('[data-fleet-select="lab-2"]').check();
    await ui.page.waitForSelector('[data-fleet-actions="2"]');
    await ui.page.locator('[data-fleet-act]').click();
    const form = ui.page.locator('[data-fleet-action-form]');
    await form.waitFor();
    await form.locator('[data-field=kind]').selectOption('apps/deployments');
    await form.locator('[data-field=namespace]').fill(target.namespace);
    await form.locator('[data-field=name]').fill(target.name);
    await form.locator('[data-field=action]').selectOption('restart');
    await ui.page.locator('[data-fleet-action-continue]').click();

    // each cluster: the object found, allowed
    for (const ctx of ['lab-1', 'lab-2'])
      await ui.page.waitForSelector(`[data-action-cluster="${ctx}"][data-exists=true][data-allowed=true]`, { timeout: 30_000 });
    const confirm = ui.page.locator('[data-confirm=restart]');
    await until('the confirmation is ready', async () => !(await confirm.isDisabled()), 15_000, 100);
    assert.equal((await confirm.textContent())?.trim(), `Restart ${target.name} in 2 clusters`);
    assert.match(
      (await ui.page.locator('[data-testid=fleet-action-dialog] h2').textContent()) ?? '',
      /Restart Deployment web\/frontend in 2 clusters/,
    );
    await shot(ui.page, 'operate-fleet-confirm');
    await confirm.click();

    for (const ctx of ['lab-1', 'lab-2']) {
      const r = ui.page.locator(`[data-action-result="${ctx}"]`);
      await r.waitFor({ timeout: 60_000 });
      assert.equal(await r.getAttribute('data-ok'), 'true', (await r.textContent()) ?? '');
    }
    await shot(ui.page, 'operate-fleet-results');
    await ui.page.locator('[data-confirm-cancel]').click();
    // the restart reached each cluster (as its cache sees it)
    for (const ctx of ['lab-1', 'lab-2'] as const)
      await until(`${ctx} restarted`, () => restartedAt(ctx) !== undefined && restartedAt(ctx) !== before[ctx], 30_000, 250);
  });

  it('hostile text stays text; no page errors, no dialogs', async () => {
    assert.equal(await ui.page.evaluate(() => document.querySelectorAll('script:not([src])').length), 0);
    assert.deepEqual(ui.dialogs, []);
    assert.deepEqual(ui.errors, [], 'no page errors');
  });
});
