// Exec approval in the app, in Chromium, through the web shell, against a real lab cluster: its exec
// user (the lab's credential script, as aws/gke-gcloud-auth-plugin/kubelogin would be) waits for
// approval without running; the fleet says so and offers the review; the cluster's own page opens the
// dialog with the exact command, arguments, env names and file; Approve makes the cluster go live (the
// script runs only then); the dialog then offers Revoke. Screenshots: e2e/artifacts/exec-*.png.
//
// Waits on the renderer's hooks: [data-needs-approval], [data-exec-open=<cluster id>|all],
// [data-testid=exec-dialog] [data-exec-plugins], [data-exec-plugin] (data-approved), [data-exec-command],
// [data-exec-approve], [data-exec-revoke].
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../lab/src/lab.ts';
import { until } from '../lab/src/until.ts';
import { chromiumPath, ensureRenderer, shot } from './browser.ts';
import { ConsoleSuite, labWebShell, openConsole } from './shell.ts';

const skip = chromiumPath() ? false : 'no Chromium on this machine (apt-get install -y chromium, or set FLEET_CHROMIUM)';
if (skip) console.log(`# exec approval e2e skipped: ${skip}`);

describe('exec plugins approved in the app, in Chromium, against a lab cluster', { skip }, () => {
  const ui = new ConsoleSuite('fleet-exec-e2e-');

  before(async () => {
    ensureRenderer();
    ui.lab = await Lab.up({ dir: join(ui.dir, 'lab'), clusters: 1, profile: 'storage', nodes: 2, podsPerNode: 1 });
    ui.shell = await labWebShell(ui.dir, ui.lab, ['lab-1']);
    await until(
      'lab-1-exec waits for approval',
      () => ui.shell.worker!.statuses().find((s) => s.context === 'lab-1-exec')?.status === 'needs-approval',
      60_000,
      250,
    );
    Object.assign(ui, await openConsole(ui.shell.url, 30_000));
  });

  after(() => ui.tearDown());

  it('the fleet says a cluster waits for an exec plugin, and nothing ran', async () => {
    await ui.page.waitForSelector('[data-needs-approval="1"]', { timeout: 15_000 });
    assert.equal(existsSync(ui.lab.cluster('lab-1').exec.invocationLog), false, 'the exec plugin never ran');
    await shot(ui.page, 'exec-fleet-notice');
  });

  it("the cluster's page opens the review: the exact command, its arguments, env names and the file", async () => {
    const id = ui.idOf('lab-1-exec');
    await ui.goto(`#/cluster/${encodeURIComponent(id)}/nodes`);
    await ui.page.click(`[data-exec-open="${id}"]`);
    const dialog = ui.page.locator('[data-testid=exec-dialog]');
    await dialog.locator('[data-exec-plugins="1"]').waitFor({ timeout: 10_000 });
    const plugin = dialog.locator('[data-exec-plugin]');
    assert.equal(await plugin.getAttribute('data-approved'), 'false');
    const command = (await plugin.locator('[data-exec-command]').textContent()) ?? '';
    const rec = ui.lab.cluster('lab-1');
    assert.match(command, /exec-credential\.sh/, command);
    assert.ok(command.includes('--token-file') && command.includes(rec.exec.tokenFile), command);
    const text = (await plugin.textContent()) ?? '';
    assert.ok(text.includes(rec.kubeconfigs.exec) || text.includes(ui.lab.state.merged), `the file is shown: ${text}`);
    await shot(ui.page, 'exec-review');
  });

  it('Approve: the cluster goes live (the plugin runs only now), and the dialog offers Revoke', async () => {
    const dialog = ui.page.locator('[data-testid=exec-dialog]');
    await dialog.locator('[data-exec-approve]').click();
    await dialog.locator('[data-exec-plugin][data-approved=true]').waitFor({ timeout: 10_000 });
    await dialog.locator('[data-exec-revoke]').waitFor();
    await until('lab-1-exec live', async () => (await ui.tile('lab-1-exec'))?.status === 'live', 90_000, 500);
    assert.ok(existsSync(ui.lab.cluster('lab-1').exec.invocationLog), 'the exec plugin ran once approved');
    await shot(ui.page, 'exec-approved');
    await ui.page.keyboard.press('Escape');
    await ui.goto('#/');
    await until('no cluster waits for approval', async () => (await ui.page.locator('[data-needs-approval]').count()) === 0, 15_000, 250);
    assert.deepEqual(ui.errors, [], 'no page errors');
  });
});
