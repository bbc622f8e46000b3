// Every kind in the app, in Chromium, through the web shell, against two lab clusters: the Kinds page
// (top bar) lists the served kinds, a CRD among them; the kind picker opens the CRD's objects across the
// fleet (watched on demand while the page shows it) with a Cluster column; sorting by a column and the
// text filter work; a row opens its object. Deployments across the fleet, too. Screenshots:
// e2e/artifacts/kinds-*.png.
//
// Waits on the renderer's hooks: [data-view=kinds] (data-kind), [data-testid=kind-search],
// [data-testid=kind-hits] a[data-kind], [data-testid=kind-objects] tr[data-cluster][data-name],
// [data-testid=kinds-filter], [data-testid=kinds-count] (data-total), [data-testid=watch-notes] (data-live).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Lab } from '../lab/src/lab.ts';
import { adminClient } from '../lab/src/cluster.ts';
import { until } from '../lab/src/until.ts';
import { chromiumPath, ensureRenderer, shot } from './browser.ts';
import { ConsoleSuite, labWebShell, openConsole } from './shell.ts';

const skip = chromiumPath() ? false : 'no Chromium on this machine (apt-get install -y chromium, or set FLEET_CHROMIUM)';
if (skip) console.log(`# kinds e2e skipped: ${skip}`);

const W = 'example.com/widgets';

/** The CRD, and widgets named after their cluster. */
async function installWidgets(lab: Lab, cluster: string, names: string[]): Promise<void> {
  const c = adminClient(lab.cluster(cluster));
  try {
    await c.apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    });
    // (429 "storage is (re)initializing" for a moment after it is created)
    await until(
      'the CRD is served',
      () =>
        c.getOrNull('/apis/example.com/v1/widgets').then(
          (x) => x !== null,
          () => false,
        ),
      60_000,
      250,
    );
    for (const name of names)
      await until(
        `widget ${name}`,
        () =>
          c
            .request(
              'PATCH',
              `/apis/example.com/v1/namespaces/default/widgets/${name}?fieldManager=fleet-lab&force=true`,
              { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec: { size: name.length } },
              'application/apply-patch+yaml',
            )
            .then(
              () => true,
              () => false,
            ),
        30_000,
        250,
      );
  } finally {
    c.close();
  }
}

describe('every kind in the app, in Chromium, against two lab clusters', { skip }, () => {
  const ui = new ConsoleSuite('fleet-kinds-e2e-');

  before(async () => {
    ensureRenderer();
    ui.lab = await Lab.up({ dir: join(ui.dir, 'lab'), clusters: 2, profile: 'storage', nodes: 2, podsPerNode: 1 });
    await installWidgets(ui.lab, 'lab-1', ['alpha-1', 'zulu-1']);
    await installWidgets(ui.lab, 'lab-2', ['mike-2']);
    ui.shell = await labWebShell(ui.dir, ui.lab, ['lab-1', 'lab-2']);
    Object.assign(ui, await openConsole(ui.shell.url, 30_000));
  });

  after(() => ui.tearDown());

  const names = async () =>
    ui.page.locator('[data-testid=kind-objects] tbody tr').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-name')));

  it('the Kinds page lists the served kinds; the picker finds the CRD and opens its fleet list (watched on demand)', async () => {
    await ui.page.click('[data-testid=nav-kinds]');
    await ui.page.waitForSelector(`[data-table=kinds] tr[data-kind="${W}"]`, { timeout: 30_000 });
    assert.ok(await ui.page.locator('[data-table=kinds] tr[data-kind="networking.k8s.io/ingresses"]').count());
    await shot(ui.page, 'kinds-served');
    await ui.page.fill('[data-testid=kind-search]', 'widg');
    await ui.page.click(`[data-testid=kind-hits] a[data-kind="${W}"]`);
    await ui.page.waitForSelector(`[data-view=kinds][data-kind="${W}"]`);
    await until('the widgets of both clusters', async () => (await names()).length === 3, 60_000, 250);
    await ui.page.waitForSelector('[data-testid=watch-notes][data-live="2"]', { timeout: 30_000 });
    const header = await ui.page.locator('[data-testid=kind-objects] thead').textContent();
    assert.match(header ?? '', /Cluster.*Namespace.*Name.*Status.*Owner.*Age/);
    assert.deepEqual(
      await names(),
      ['alpha-1', 'zulu-1', 'mike-2'].sort((a, b) => a.localeCompare(b)),
    );
    await shot(ui.page, 'kinds-crd-fleet');
  });

  it('sorts by a column and filters by text', async () => {
    // (the Name column's button, not Namespace's)
    await ui.page.locator('[data-testid=kind-objects] th button', { hasText: /^Name(\s|$)/ }).click();
    assert.deepEqual(await names(), ['zulu-1', 'mike-2', 'alpha-1']);
    await ui.page.locator('[data-testid=kind-objects] th button', { hasText: /^Cluster(\s|$)/ }).click();
    const clusters = await ui.page.locator('[data-testid=kind-objects] tbody tr td:first-child').allTextContents();
    assert.deepEqual(
      clusters,
      [...clusters].sort((a, b) => a.localeCompare(b)),
    );
    await ui.page.fill('[data-testid=kinds-filter]', 'zulu');
    await until('filtered', async () => JSON.stringify(await names()) === '["zulu-1"]', 10_000, 100);
    assert.match(await ui.page.evaluate(() => window.location.hash), /q=zulu/);
    await shot(ui.page, 'kinds-filtered');
  });

  it('a row opens its object', async () => {
    await ui.page.click('[data-testid=kind-objects] a[data-open="zulu-1"]');
    await ui.page.waitForSelector('[data-view=object][data-name="zulu-1"]', { timeout: 15_000 });
    assert.equal(await ui.page.getAttribute('[data-view=object]', 'data-kind'), W);
    const title = await ui.page.locator('[data-view=object] h1').textContent();
    assert.match(title ?? '', /Widget default\/zulu-1/);
    await shot(ui.page, 'kinds-object');
  });

  it('owner navigation: a pod links to its ReplicaSet, the ReplicaSet to its Deployment', async () => {
    const id = ui.idOf('lab-1');
    await ui.goto(`#/kinds/pods?cluster=${encodeURIComponent(id)}&ns=storage-demo&q=web-content`);
    const first = ui.page.locator('[data-testid=kind-objects] a[data-open^="web-content-"]').first();
    await first.waitFor({ timeout: 30_000 });
    const header = await ui.page.locator('[data-testid=kind-objects] thead').textContent();
    assert.doesNotMatch(header ?? '', /Cluster/, 'one cluster: no Cluster column');
    await first.click();
    await ui.page.waitForSelector('[data-view=object][data-kind=pods]', { timeout: 15_000 });
    await ui.page.click('[data-testid=object-owner] a[data-owner=ReplicaSet]');
    await ui.page.waitForSelector('[data-view=object][data-kind="apps/replicasets"]', { timeout: 15_000 });
    await ui.page.click('[data-testid=object-owner] a[data-owner=Deployment]');
    await ui.page.waitForSelector('[data-view=object][data-kind="apps/deployments"][data-name=web-content]', { timeout: 15_000 });
    await shot(ui.page, 'kinds-owner-deployment');
  });

  it('Deployments across the fleet, with a Cluster column and their own columns', async () => {
    await ui.goto('#/kinds/apps%2Fdeployments');
    await until(
      'deployments of both clusters',
      async () => {
        // (the shell watches the lab's other users too: lab-1-restricted sees some namespaces' Deployments)
        const cl = await ui.page.locator('[data-testid=kind-objects] tbody tr td:first-child').allTextContents();
        return cl.includes('lab-1') && cl.includes('lab-2');
      },
      30_000,
      250,
    );
    const header = await ui.page.locator('[data-testid=kind-objects] thead').textContent();
    assert.match(header ?? '', /Cluster.*Ready.*Up to date/);
    await shot(ui.page, 'kinds-deployments');
    assert.deepEqual(ui.errors, [], 'no page errors');
  });
});
