// Snapshots in Chromium, through the web shell: captured from two live lab clusters (before and after
// a node fails), then opened with the lab stopped, where every view still works; "as of" a time before
// the failure, a diff with the first capture and with the live cache, an incident bundle exported with
// its preview, opened redacted (a tampered copy refused), and the onboarding's "open the demo".
// Screenshots go to e2e/artifacts/snapshot-*.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { Lab } from '../lab/src/lab.ts';
import { isAlive, type ProcRecord } from '../lab/src/proc.ts';
import { LAB_SECRET_VALUES } from '../lab/src/profiles/workloads.ts';
import { startWebShell, type WebShell } from '../main/server/web.ts';
import { verifyBundle } from '../main/snapshot/bundle.ts';
import { inspectSnapshot } from '../main/snapshot/snapshot.ts';
import type { FleetDTO, HealthLevel } from '../common/contract.ts';
import { HEALTH_LEVELS } from '../common/contract.ts';
import { chromiumPath, ensureRenderer, shot } from './browser.ts';
import { fleetOn, gotoRoute, openConsole, paletteToNode, tileOn } from './shell.ts';
import { until } from '../lab/src/until.ts';

const ROOT = join(import.meta.dirname, '..');

const skip = chromiumPath() ? false : 'no Chromium on this machine (apt-get install -y chromium, or set FLEET_CHROMIUM)';
if (skip) console.log(`# e2e skipped: ${skip}`);

describe('snapshots in Chromium: captured from live lab clusters, opened with the lab stopped', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-e2e-snap-'));
  const labDir = join(dir, 'lab');
  const dataDir = join(dir, 'data');
  /** the mixed cluster (lab-1) loses this node between the two captures (its one plain CPU node:
   * with 6 nodes, node-002 is cordoned and node-003 tainted) */
  const FAILED = 'node-001';
  const t0 = Date.now();
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  let lab: Lab | undefined;
  let labProcs: ProcRecord[] = [];
  const shells: WebShell[] = [];
  let shell: WebShell;
  let browser: Browser;
  let page: Page;
  let dialogs: string[] = [];
  // what the live part leaves for the rest
  let snapA = '';
  let snapB = '';
  let bundle = '';
  /** before the failure: when snapshot A was captured */
  let t1 = 0;

  const fleet = () => fleetOn(page);
  const tile = (context: string) => tileOn(page, context);
  const level = async (context: string, node: string): Promise<HealthLevel | undefined> => {
    const c = (await tile(context))?.cells.find((x) => x.n === node);
    return c ? HEALTH_LEVELS[c.h] : undefined;
  };
  const idOf = async (context: string) => (await tile(context))!.id;
  const goto = (hash: string) => gotoRoute(page, hash);
  /** no error box anywhere on the page */
  const noErrors = async (where: string) => {
    const errors = await page.locator('.notice.error, [role=alert]').allTextContents();
    assert.deepEqual(errors, [], `${where}: error box shown`);
  };
  const start = async (o: Parameters<typeof startWebShell>[0]) => {
    const s = await startWebShell({ port: 0, log, ...o });
    shells.push(s);
    return s;
  };
  const stopShell = async (s: WebShell) => {
    await s.stop();
    shells.splice(shells.indexOf(s), 1);
  };
  /** A session switch makes the page reload itself: mark the page, act, wait for a fresh page. */
  const reloaded = async (act: () => Promise<void>) => {
    await page.evaluate(() => ((window as unknown as { __beforeSwitch?: number }).__beforeSwitch = 1));
    await act();
    await until(
      'the page reloads into the new session',
      async () => (await page.evaluate(() => (window as unknown as { __beforeSwitch?: number }).__beforeSwitch)) === undefined,
      60_000,
      250,
    );
    await page.waitForLoadState('load');
  };
  /** The capture dialog: capture everything, return the file written. */
  const captureUI = async (name: string): Promise<string> => {
    await page.getByTestId('capture-open').click();
    await page.getByTestId('capture-dialog').waitFor();
    await page.getByTestId('capture-submit').click();
    const result = page.getByTestId('capture-result');
    await result.waitFor({ timeout: 120_000 });
    const path = ((await result.locator('code.path').textContent()) ?? '').trim();
    assert.ok(path.startsWith(join(dataDir, 'snapshots') + '/'), `${path} is under the data folder's snapshots/`);
    assert.match(path, /\.fleetsnap$/);
    assert.ok(existsSync(path), `${path} written`);
    assert.match((await result.textContent()) ?? '', /Clusters\s*2/);
    await shot(page, `snapshot-capture-${name}`);
    await page.getByTestId('capture-dialog').getByText('Close', { exact: true }).click();
    await page.getByTestId('capture-dialog').waitFor({ state: 'detached' });
    return path;
  };

  before(async () => {
    ensureRenderer();
    // lab-1: mixed (the payments workloads with credentials in env), lab-2: gpu. The gpu profile's
    // first CPU node is its 7th: with fewer nodes its CPU-only pods never schedule and it never settles.
    await Lab.up({ dir: labDir, clusters: 1, profile: 'mixed', nodes: 6, podsPerNode: 3 });
    console.log(`# lab-1 (mixed, 6 nodes) up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    lab = await Lab.up({ dir: labDir, clusters: 1, profile: 'gpu', nodes: 8, podsPerNode: 2 });
    labProcs = lab.state.clusters.flatMap((c) => Object.values(c.procs).filter((p): p is ProcRecord => !!p));
    assert.ok(labProcs.length >= 10 && labProcs.every(isAlive), 'the lab runs');
    console.log(`# lab-2 (gpu, 8 nodes) up at ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    shell = await start({
      db: join(dataDir, 'cache.db'),
      kubeconfigs: [lab.state.merged],
      contexts: ['lab-1', 'lab-2'],
      dataDir,
      reflector: { watchSeconds: 60, backoffMaxMs: 3000 },
    });
    await until(
      'both lab clusters live',
      () => {
        const s = shell.worker!.statuses();
        return s.length === 2 && s.every((x) => x.status === 'live');
      },
      240_000,
      500,
    );
    ({ browser, page, dialogs } = await openConsole(shell.url, 60_000));
    await until(
      'both clusters on the map with every node ready',
      async () => {
        const a = await tile('lab-1');
        const b = await tile('lab-2');
        return a?.status === 'live' && b?.status === 'live' && a.nodes.ready === 6 && b.nodes.ready === 8 && a.cells.length === 6;
      },
      120_000,
      500,
    );
    assert.notEqual(await level('lab-1', FAILED), 'critical');
  });

  after(async () => {
    await browser?.close();
    for (const s of [...shells].reverse()) await s.stop().catch(() => {});
    // also when Lab.up failed half-way (its record says which processes it started)
    await (lab ?? Lab.open(labDir))?.down({ removeFiles: true });
    rmSync(dir, { recursive: true, force: true });
    console.log(`# snapshot e2e: ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
  });

  it('live: captures before and after a node fails, and exports a bundle with its preview (verified)', async () => {
    await shot(page, 'snapshot-live-map');
    assert.match((await page.locator('.fleet-map-list').textContent()) ?? '', /lab-1: live/);
    // Let the fresh clusters' controllers finish their first rounds before the "before" capture.
    await sleep(3000);
    snapA = await captureUI('a');
    t1 = inspectSnapshot(snapA).manifest.capturedAt;
    assert.ok(t1 > t0 && t1 <= Date.now());
    await sleep(1500); // a capture file is named by the second

    await lab!.chaos('lab-1', 'node-notready', [FAILED]);
    await until('the failed node turns critical', async () => (await level('lab-1', FAILED)) === 'critical', 60_000, 250);
    await shot(page, 'snapshot-live-failed');
    snapB = await captureUI('b');
    assert.notEqual(snapB, snapA);
    assert.ok(inspectSnapshot(snapB).manifest.capturedAt > t1);

    // The bundle: the payments namespace, previewed (findings: file, field, rule), then exported.
    await page.getByTestId('bundle-open').click();
    await page.getByTestId('bundle-dialog').waitFor();
    assert.equal(await page.getByTestId('bundle-export').isDisabled(), true, 'export only what was previewed');
    await page.getByTestId('bundle-namespaces').fill('payments');
    await page.getByTestId('bundle-preview').click();
    await page.getByTestId('bundle-preview-result').waitFor({ timeout: 120_000 });
    const findings = await page
      .getByTestId('bundle-findings')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent ?? '')));
    const api = 'cluster/lab-1/namespaces/payments/apps_v1/deployments/payment-api.yaml';
    const found = (path: RegExp, rule: string) => findings.some(([f, p, r]) => f === api && path.test(p ?? '') && r === rule);
    assert.ok(found(/env\[0\]\.value$/, 'env-credential'), `DB_PASSWORD in the findings: ${JSON.stringify(findings.slice(0, 20))}`);
    assert.ok(found(/env\[1\]\.value$/, 'env-credential'), 'STRIPE_API_TOKEN in the findings');
    assert.ok(found(/env\[2\]\.value$/, 'url-userinfo'), 'DATABASE_URL in the findings');
    const previewText = (await page.getByTestId('bundle-preview-result').textContent()) ?? '';
    for (const secret of Object.values(LAB_SECRET_VALUES)) assert.ok(!previewText.includes(secret), 'the preview never shows a value');
    await page.getByTestId('bundle-findings').scrollIntoViewIfNeeded();
    await shot(page, 'snapshot-bundle-preview');
    await page.getByTestId('bundle-export').click();
    const result = page.getByTestId('bundle-result');
    await result.waitFor({ timeout: 120_000 });
    bundle = ((await result.locator('code.path').textContent()) ?? '').trim();
    assert.ok(bundle.startsWith(join(dataDir, 'bundles') + '/'), bundle);
    const sha = await result.locator('[data-sha256]').getAttribute('data-sha256');
    assert.match(sha ?? '', /^[0-9a-f]{64}$/);
    await shot(page, 'snapshot-bundle-exported');
    const manifest = await verifyBundle(bundle);
    assert.equal(manifest.redaction.enabled, true);
    assert.ok(manifest.files.some((f) => f.path === 'snapshot.fleetsnap'));
    assert.ok(manifest.files.some((f) => f.path === api));
    const cli = spawnSync(process.execPath, [join(ROOT, 'main', 'cli', 'fleet.ts'), 'bundle', 'verify', bundle], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /^ok: \d+ files match the manifest/);
    const raw = gunzipSync(readFileSync(bundle));
    for (const secret of Object.values(LAB_SECRET_VALUES)) assert.equal(raw.includes(secret), false, 'no credential in the bundle');
    await page.getByTestId('bundle-dialog').getByText('Close', { exact: true }).click();
    await page.getByTestId('bundle-dialog').waitFor({ state: 'detached' });
    assert.deepEqual(dialogs, []);
  });

  it('with the lab stopped, the snapshot opens and every view works', async () => {
    assert.ok(snapB, 'snapshot B was captured');
    await stopShell(shell);
    await lab!.down({ removeFiles: true });
    lab = undefined;
    // (a stopped child may stay a zombie until reaped: isAlive says what runs)
    assert.deepEqual(
      labProcs.filter(isAlive).map((p) => p.pid),
      [],
      'no lab process runs',
    );

    shell = await start({ db: snapB, snapshot: true, dataDir });
    assert.equal(shell.worker, undefined, 'a snapshot session syncs nothing');
    await page.goto(shell.url);
    await page.waitForSelector('[data-painted]', { timeout: 60_000 });
    const banner = page.getByTestId('snapshot-banner');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /Snapshot of .+ · 2 clusters · history from/);
    assert.equal(await banner.getAttribute('data-redacted'), null, 'a capture is not redacted');
    assert.equal(await page.locator('[data-mode]').getAttribute('data-mode'), 'snapshot');
    const f = (await fleet())!;
    assert.equal(f.mode, 'snapshot');
    assert.equal(f.at, null);
    assert.ok(f.history && f.history.from < t1 && t1 < f.history.to, `history ${JSON.stringify(f.history)} covers T1 ${t1}`);
    assert.deepEqual(
      f.clusters.map((c) => [c.context, c.status, c.cells.length]),
      [
        ['lab-1', 'offline', 6],
        ['lab-2', 'offline', 8],
      ],
    );
    assert.equal(await level('lab-1', FAILED), 'critical', 'the failed node, as captured');
    assert.equal((await tile('lab-1'))!.nodes.ready, 5);
    assert.ok((await tile('lab-2'))!.gpu.allocatable > 0, 'the gpu cluster has accelerators');
    const listed = (await page.locator('.fleet-map-list').textContent()) ?? '';
    assert.doesNotMatch(listed, /\blive\b/, 'nothing says live');
    assert.doesNotMatch(listed, /offline · data/, 'a snapshot is as captured, not "offline" with an age from now');
    assert.match(listed, /as of /);
    const cell = await page.evaluate(
      ([c, n]) =>
        (window as unknown as { __fleetMap: { cellAt(c: string, n: string): { x: number; y: number } | null } }).__fleetMap.cellAt(c!, n!),
      [await idOf('lab-1'), FAILED],
    );
    assert.ok(cell, 'the failed node has its cell on the map');
    await noErrors('map');
    await shot(page, 'snapshot-map');

    await goto('#/table');
    await page.waitForSelector('[data-view=fleet-table]');
    for (const c of ['lab-1', 'lab-2']) {
      assert.equal(await page.locator(`tr[data-cluster="${c}"] [data-status]`).getAttribute('data-status'), 'offline', c);
    }
    await noErrors('table');
    await shot(page, 'snapshot-table');

    const panels: Record<string, string> = {
      nodes: 'nodes',
      accelerators: 'accelerators',
      storage: 'storage-problems',
      workloads: 'workloads',
      events: 'events',
      charts: 'charts',
      sync: 'sync',
    };
    for (const context of ['lab-1', 'lab-2']) {
      const id = await idOf(context);
      for (const [tab, panel] of Object.entries(panels)) {
        await goto(`#/cluster/${encodeURIComponent(id)}/${tab}`);
        await page.waitForSelector(`[data-view=cluster][data-cluster="${context}"] [data-panel="${panel}"]`, { timeout: 30_000 });
        await noErrors(`${context} ${tab}`);
        await shot(page, `snapshot-${context}-${tab}`);
      }
    }
    // the views hold the captured data
    const mixed = await idOf('lab-1');
    await goto(`#/cluster/${encodeURIComponent(mixed)}`);
    await page.waitForSelector('[data-table=nodes]');
    assert.equal(await page.locator('[data-table=nodes] tbody tr').count(), 6);
    await goto(`#/cluster/${encodeURIComponent(await idOf('lab-2'))}/accelerators`);
    await page.waitForSelector('[data-table=accelerator-totals]');
    assert.match((await page.locator('[data-table=accelerator-totals]').textContent()) ?? '', /nvidia\.com\/gpu/);
    await goto(`#/cluster/${encodeURIComponent(mixed)}/sync`);
    await page.waitForSelector('[data-table=kinds]');
    assert.ok((await page.locator('[data-table=kinds] tbody tr').count()) >= 20);

    // a node, then one of its pods
    await goto(`#/cluster/${encodeURIComponent(mixed)}/node/${FAILED}`);
    await page.waitForSelector(`[data-view=node][data-node="${FAILED}"]`);
    assert.equal(await page.locator('[data-view=node]').getAttribute('data-level'), 'critical');
    assert.equal(await page.locator('[data-table=conditions] [data-condition=Ready]').getAttribute('data-status'), 'False');
    await shot(page, 'snapshot-node');
    const pod = page.locator('[data-table=pods] tbody tr a').first();
    const podName = ((await pod.textContent()) ?? '').trim();
    assert.ok(podName, 'the node has pods');
    await pod.click();
    await page.waitForSelector('[data-view=object][data-kind=pods] pre.yaml');
    const yaml = (await page.locator('pre.yaml').textContent()) ?? '';
    assert.match(yaml, /kind: Pod/);
    assert.ok(yaml.includes(`name: ${podName}`), `the YAML of ${podName}`);
    await noErrors('pod');
    await shot(page, 'snapshot-pod');

    // the palette finds a node of the other cluster
    await goto('#/fleet');
    await page.waitForSelector('[data-painted]');
    await paletteToNode(page, (await tile('lab-2'))!.cells[1]!.n, 'snapshot-search');
    await noErrors('node found by search');
    assert.deepEqual(dialogs, []);
  });

  it('"as of" a time before the failure shows the node ready, never "live"; Latest brings the failure back', async () => {
    await goto('#/fleet');
    await page.waitForSelector('[data-painted]');
    const slider = page.getByTestId('asof-slider');
    await slider.waitFor();
    assert.equal(await page.getByTestId('asof-latest').isDisabled(), true, 'at the latest already');
    await slider.fill(String(t1));
    await until('the fleet as of T1', async () => (await fleet())?.at === t1, 30_000, 200);
    assert.notEqual(await level('lab-1', FAILED), 'critical', 'before the failure the node was ready');
    assert.equal((await tile('lab-1'))!.nodes.ready, 6);
    assert.equal(await page.getByTestId('asof-label').getAttribute('data-at'), String(t1));
    assert.doesNotMatch((await page.getByTestId('asof-label').textContent()) ?? '', /Latest/);
    assert.match(page.url(), new RegExp(`[?&]at=${t1}$`), 'the time is in the address');
    await page.waitForSelector(`.badge.status-asof[data-asof="${t1}"]`);
    const list = (await page.locator('.fleet-map-list').textContent()) ?? '';
    assert.doesNotMatch(list, /\blive\b/, 'no tile says live as of a past time');
    assert.match(list, /as of/);
    await noErrors('map as of T1');
    await shot(page, 'snapshot-asof-map');

    // the node view keeps the time
    const mixed = await idOf('lab-1');
    await goto(`#/cluster/${encodeURIComponent(mixed)}/node/${FAILED}?at=${t1}`);
    await page.waitForSelector(`[data-view=node][data-node="${FAILED}"][data-asof="${t1}"]`);
    assert.notEqual(await page.locator('[data-view=node]').getAttribute('data-level'), 'critical');
    assert.equal(await page.locator('[data-table=conditions] [data-condition=Ready]').getAttribute('data-status'), 'True');
    await shot(page, 'snapshot-asof-node');

    await goto(`#/fleet?at=${t1}`);
    await page.waitForSelector('[data-painted]');
    await page.getByTestId('asof-latest').click();
    await until('back at the latest', async () => (await fleet())?.at === null, 30_000, 200);
    assert.equal(await level('lab-1', FAILED), 'critical');
    assert.doesNotMatch(page.url(), /at=/);
    await shot(page, 'snapshot-asof-latest');
  });

  it('compares with snapshot A (the node and its Ready condition) and with the live cache', async () => {
    await goto('#/fleet');
    await page.getByTestId('diff-file-open').click();
    await page.getByTestId('diff-file-input').fill(snapA);
    await page.getByTestId('diff-file-submit').click();
    await page.getByTestId('diff-view').waitFor();
    await page.waitForSelector('[data-view=diff]:is([data-diff-state=done], [data-diff-state=error])', { timeout: 60_000 });
    await noErrors('diff with A');
    const mixed = await idOf('lab-1');
    const nodes = page.locator(`[data-diff-cluster="${mixed}"] [data-diff-kind=nodes]`);
    const changed = (await nodes.locator('li[data-op=changed] > bdi').allTextContents()).map((s) => s.trim());
    assert.ok(changed.includes(FAILED), `${FAILED} changed: ${JSON.stringify(changed)}`);
    const item = nodes.locator('li[data-op=changed]').filter({ has: page.locator('bdi', { hasText: FAILED }) });
    const fields = await item.locator('[data-table=diff-fields] tbody tr td:first-child').allTextContents();
    assert.ok(fields.includes('status.conditions[type=Ready].status'), JSON.stringify(fields));
    const ready = item.locator('[data-table=diff-fields] tbody tr').filter({ hasText: 'status.conditions[type=Ready].status' });
    assert.match((await ready.textContent()) ?? '', /True.*False/s);
    await shot(page, 'snapshot-diff-a');

    await page.getByTestId('diff-compare-cache').click();
    await until('the diff route is @this → @cache', () => /from=@this&to=@cache/.test(page.url()), 10_000);
    // The view of the pair just asked for, settled: the previous comparison's totals stay on screen
    // for a frame after the address changes, and must not be taken for this one.
    const settled = page.locator('[data-view=diff][data-diff-pair="@this → @cache"]:is([data-diff-state=done], [data-diff-state=error])');
    await settled.waitFor({ timeout: 60_000 });
    // The cache this console synced into (cache.db, still written by the worker) is there to compare.
    const text = (await page.getByTestId('diff-view').innerText()).trim();
    assert.equal(await settled.getAttribute('data-diff-state'), 'done', text.slice(0, 300));
    assert.match((await page.locator('[data-view=diff] h1').textContent()) ?? '', /this snapshot.*the cache/s);
    assert.equal(await page.locator('[data-view=diff] [data-diff-cluster]').count(), 2, 'both clusters compared');
    await shot(page, 'snapshot-diff-cache');

    // A Node stays a Node: its apiVersion and kind are not changes. (Snapshot A holds the node as the
    // first LIST stored it, without apiVersion/kind; B as a WATCH event stored it, with them. The
    // object view shows both through shownObject(); the comparison must too.)
    assert.deepEqual(
      fields.filter((p) => p === 'kind' || p === 'apiVersion'),
      [],
      `${FAILED}'s changes as listed: ${JSON.stringify(fields)}`,
    );
  });

  it('opens the exported bundle redacted; a tampered copy is refused, naming the member, and nothing changes', async () => {
    assert.ok(bundle, 'the bundle was exported');
    await goto('#/fleet');
    await reloaded(async () => {
      await page.getByTestId('open-file-input').fill(bundle);
      await page.getByTestId('open-file-submit').click();
    });
    const banner = page.locator('[data-testid=snapshot-banner][data-redacted]');
    await banner.waitFor({ timeout: 60_000 });
    assert.match((await banner.textContent()) ?? '', /redacted/);
    await page.waitForSelector('[data-painted]', { timeout: 60_000 });
    assert.equal((await fleet())!.snapshot?.redacted, true);
    await shot(page, 'snapshot-bundle-opened');

    const store = shell.service.store;
    const row = store
      .clusters()
      .map((c) => ({ cluster: c.id, uid: store.findByName(c.id, 'apps/deployments', 'payments', 'payment-api')?.uid }))
      .find((r): r is { cluster: string; uid: string } => r.uid !== undefined);
    assert.ok(row, 'the bundle holds payments/payment-api');
    await goto(`#/cluster/${encodeURIComponent(row.cluster)}/object/${encodeURIComponent('apps/deployments')}/${row.uid}`);
    await page.waitForSelector('[data-view=object][data-name=payment-api] pre.yaml');
    const yaml = (await page.locator('pre.yaml').textContent()) ?? '';
    assert.match(yaml, /name: DB_PASSWORD\n\s+value: <redacted:env-credential>/);
    for (const secret of Object.values(LAB_SECRET_VALUES)) assert.ok(!yaml.includes(secret), 'no lab credential in the YAML');
    const body = await page.locator('body').innerText();
    for (const secret of Object.values(LAB_SECRET_VALUES)) assert.ok(!body.includes(secret), 'nor anywhere on the page');
    await noErrors('redacted object');
    // the screenshot shows the redacted env (the YAML is one text block: scroll to its line)
    await page.locator('pre.yaml').evaluate((el) => {
      const text = el.textContent ?? '';
      const line = text.slice(0, text.indexOf('DB_PASSWORD')).split('\n').length;
      el.scrollIntoView();
      el.closest('.scroll')?.scrollBy(0, Math.max(0, line * (parseFloat(getComputedStyle(el).lineHeight) || 18) - 150));
    });
    await shot(page, 'snapshot-bundle-object');

    // One byte of one member's content changed, in a re-compressed archive.
    const tar = gunzipSync(readFileSync(bundle));
    const at = tar.indexOf(Buffer.from('kind: Deployment'));
    assert.ok(at > 0);
    tar[at] = tar[at] === 0x4b ? 0x6b : 0x4b;
    mkdirSync(join(dir, 'tampered'), { recursive: true });
    const tampered = join(dir, 'tampered', 'incident-tampered.tar.gz');
    writeFileSync(tampered, gzipSync(tar));
    await page.evaluate(() => ((window as unknown as { __beforeTamper?: number }).__beforeTamper = 1));
    const hash = new URL(page.url()).hash;
    await page.getByTestId('open-file-input').fill(tampered);
    await page.getByTestId('open-file-submit').click();
    const error = page.getByTestId('session-error');
    await error.waitFor({ timeout: 60_000 });
    const message = (await error.textContent()) ?? '';
    assert.match(message, /cluster\/lab-1\/\S+\.yaml does not match its checksum/, message);
    await shot(page, 'snapshot-bundle-tampered');
    await sleep(3000); // longer than the renderer's reload fallback after an accepted switch
    assert.equal(await page.evaluate(() => (window as unknown as { __beforeTamper?: number }).__beforeTamper), 1, 'no reload');
    assert.equal(new URL(page.url()).hash, hash, 'the same view');
    assert.ok(await page.locator('[data-testid=snapshot-banner][data-redacted]').isVisible(), 'still the bundle');
    assert.equal((await fleet())!.snapshot?.redacted, true);
    assert.ok(await page.locator('[data-view=object][data-name=payment-api]').isVisible());
    const again = (await shell.service.handle('fleet.get', {})) as { ok: boolean; result?: FleetDTO };
    assert.equal(again.ok && again.result?.snapshot?.redacted, true, 'the back end still shows the bundle');
  });

  it('onboarding without a kubeconfig opens the demo', async () => {
    assert.ok(snapB);
    await stopShell(shell);
    const fresh = join(dir, 'fresh');
    const none = join(dir, 'no-kubeconfigs');
    mkdirSync(none, { recursive: true });
    shell = await start({ db: join(fresh, 'cache.db'), kubeconfigs: [none], dataDir: fresh, demoPath: snapB });
    await page.goto(shell.url);
    await page.waitForSelector('[data-view=onboarding]', { timeout: 60_000 });
    const demo = page.getByTestId('open-demo');
    await demo.waitFor();
    await shot(page, 'snapshot-onboarding');
    await reloaded(() => demo.click());
    await page.getByTestId('snapshot-banner').waitFor({ timeout: 60_000 });
    await page.waitForSelector('[data-painted]', { timeout: 60_000 });
    const f = (await fleet())!;
    assert.equal(f.mode, 'snapshot');
    assert.deepEqual(
      f.clusters.map((c) => c.context),
      ['lab-1', 'lab-2'],
    );
    assert.equal(await level('lab-1', FAILED), 'critical');
    await noErrors('demo');
    await shot(page, 'snapshot-demo');

    // Stopped means stopped: the session the demo replaced (a sync worker over fresh/cache.db) too.
    await page.goto('about:blank');
    await stopShell(shell);
    rmSync(fresh, { recursive: true, force: true });
    await sleep(3000);
    assert.equal(existsSync(fresh), false, 'nothing of the stopped shell writes its data folder after stop()');
  });
});
