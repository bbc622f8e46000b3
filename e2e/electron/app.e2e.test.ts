// The desktop app itself, driven by Playwright's Electron launcher, against real lab clusters: start,
// add the lab's kubeconfig, the map shows the clusters, open a snapshot. It runs the development build
// (build/app/main.js with an unfused Electron: the packaged app's fuses refuse --inspect, which Playwright
// needs). Where no Electron binary is installed (ELECTRON_SKIP_BINARY_DOWNLOAD, CI without a display
// stack) every spec is reported as skipped, by name. Set $FLEET_ELECTRON to use a binary elsewhere.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { captureSnapshot } from '../../main/snapshot/snapshot.ts';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { Lab } from '../../lab/src/lab.ts';
import { BRIDGE_FUNCTIONS, type FleetDTO } from '../../common/contract.ts';
import { until } from '../../lab/src/until.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'e2e', 'artifacts');

/**
 * The Electron binary, without `require('electron')` (which downloads it when missing): $FLEET_ELECTRON,
 * or what the electron package recorded in path.txt once its binary was installed.
 */
export function electronBinary(): string | undefined {
  if (process.env.FLEET_ELECTRON) return existsSync(process.env.FLEET_ELECTRON) ? process.env.FLEET_ELECTRON : undefined;
  const pkg = join(ROOT, 'node_modules', 'electron');
  const pathTxt = join(pkg, 'path.txt');
  if (!existsSync(pathTxt)) return undefined;
  const rel = readFileSync(pathTxt, 'utf8').trim();
  const bin = process.env.ELECTRON_OVERRIDE_DIST_PATH ? join(process.env.ELECTRON_OVERRIDE_DIST_PATH, rel) : join(pkg, 'dist', rel);
  return existsSync(bin) ? bin : undefined;
}

const BINARY = electronBinary();
const SKIP = BINARY ? undefined : 'no Electron binary (ELECTRON_SKIP_BINARY_DOWNLOAD)';
/** Each spec carries its own name in the skip reason, so a run without Electron lists what it did not check. */
const spec = (name: string, fn: () => Promise<void>) => it(name, SKIP ? { skip: `${SKIP}: ${name}` } : {}, fn);

describe('the desktop app (Electron) against real lab clusters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-electron-e2e-'));
  let lab: Lab | undefined;
  let app: ElectronApplication | undefined;
  let page: Page;

  const env = (extra: Record<string, string>): Record<string, string> => {
    const e: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) e[k] = v;
    // Never the developer's own clusters: $KUBECONFIG names a file that does not exist.
    return { ...e, KUBECONFIG: join(dir, 'none.kubeconfig'), ...extra };
  };
  const launch = async (args: string[]) => {
    app = await _electron.launch({
      executablePath: BINARY!,
      args: [join(ROOT, 'build', 'app', 'main.js'), ...args],
      env: env({}),
      cwd: ROOT,
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  };
  const close = async () => {
    await app?.close();
    app = undefined;
  };
  const fleet = () => page.evaluate(() => (window as unknown as { __fleetDebug: { fleet(): FleetDTO | null } }).__fleetDebug.fleet());
  const shot = async (name: string) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, `electron-${name}.png`) });
  };
  const liveLab = () =>
    until(
      'lab-1 and lab-2 live on the map',
      async () => {
        const f = await fleet();
        const live = (c: string) => f?.clusters.some((x) => x.context === c && x.status === 'live' && x.nodes.total > 0);
        return f && live('lab-1') && live('lab-2') ? f : undefined;
      },
      240_000,
      500,
    );

  if (!SKIP) {
    before(async () => {
      // The app bundle and the renderer, as `npm start` builds them.
      const r = spawnSync('npm', ['run', '--silent', 'build:renderer'], { cwd: ROOT, stdio: 'inherit' });
      assert.equal(r.status, 0, 'vite build failed');
      const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-app.ts')], { cwd: ROOT, stdio: 'inherit' });
      assert.equal(b.status, 0, 'build:app failed');
      lab = await Lab.up({ dir: join(dir, 'lab'), clusters: 2, profile: 'mixed', nodes: 3, podsPerNode: 2 });
    });
    after(async () => {
      await close();
      await lab?.down({ removeFiles: true });
      rmSync(dir, { recursive: true, force: true });
    });
  } else {
    console.log(`# electron e2e skipped: ${SKIP}; install it with \`npx install-electron\` or set FLEET_ELECTRON`);
    after(() => rmSync(dir, { recursive: true, force: true }));
  }

  spec('starts: a sandboxed window on app:// with exactly the contract on window.fleet, showing onboarding', async () => {
    await launch(['--data-dir', join(dir, 'data-1')]);
    assert.match(page.url(), /^app:\/\/fleet\/index\.html/);
    await page.waitForSelector('[data-view=onboarding]', { timeout: 30_000 });
    const surface = await page.evaluate(() => ({
      fleet: Object.keys((window as unknown as { fleet: object }).fleet).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      ipcRenderer: typeof (window as unknown as { ipcRenderer?: unknown }).ipcRenderer,
    }));
    assert.deepEqual(surface, {
      fleet: [...Object.values(BRIDGE_FUNCTIONS), 'onPush'].sort(),
      require: 'undefined',
      process: 'undefined',
      ipcRenderer: 'undefined',
    });
    // Navigation away and popups are refused; the page stays the app.
    const opened = await page.evaluate(() => window.open('https://example.com/') === null);
    assert.equal(opened, true);
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await sleep(500);
    assert.match(page.url(), /^app:\/\/fleet\//);
    await shot('onboarding');
  });

  spec("adds the lab's kubeconfig from onboarding: the map shows its clusters", async () => {
    await page.fill('#kc-path', lab!.state.merged);
    await page.click('form.add-source button[type=submit]');
    await page.waitForSelector('.notice.ok', { timeout: 30_000 });
    const f = await liveLab();
    assert.equal(f.mode, 'live');
    await page.waitForSelector('[data-painted]', { timeout: 30_000 });
    await shot('map');
    // Remembered for the next start.
    const settings = JSON.parse(readFileSync(join(dir, 'data-1', 'settings.json'), 'utf8')) as { sources: { files: string[] } };
    assert.deepEqual(settings.sources.files, [lab!.state.merged]);
    await close();
  });

  spec('starts with --kubeconfig: the map shows the clusters straight away', async () => {
    await launch(['--data-dir', join(dir, 'data-2'), '--kubeconfig', lab!.state.merged]);
    await liveLab();
    await page.waitForSelector('[data-painted]', { timeout: 30_000 });
    assert.ok(
      !existsSync(join(dir, 'data-2', 'settings.json')) || !readFileSync(join(dir, 'data-2', 'settings.json'), 'utf8').includes('merged'),
      'command-line sources are not saved',
    );
    await close();
  });

  spec('opens a snapshot (--snapshot): the clusters as captured, read-only', async () => {
    const snapshot = join(dir, 'incident.fleetsnap');
    captureSnapshot({ db: join(dir, 'data-2', 'cache.db'), out: snapshot });
    await launch(['--data-dir', join(dir, 'data-3'), '--snapshot', snapshot]);
    const f = await until('the snapshot on the map', async () => {
      const x = await fleet();
      return x?.mode === 'snapshot' && x.clusters.length >= 2 ? x : undefined;
    });
    assert.equal(f.source, snapshot);
    assert.ok(f.snapshot && f.snapshot.clusters >= 2);
    assert.ok(f.clusters.every((c) => c.status === 'offline'));
    assert.ok(f.clusters.find((c) => c.context === 'lab-1')!.nodes.total >= 3);
    await page.waitForSelector('[data-painted]', { timeout: 30_000 });
    // Nothing can be added to a snapshot.
    const answer = await page.evaluate(() =>
      (window as unknown as { fleet: { sourcesAdd(p: { path: string }): Promise<{ ok: boolean; code?: string }> } }).fleet.sourcesAdd({
        path: '/tmp',
      }),
    );
    assert.deepEqual({ ok: answer.ok, code: answer.code }, { ok: false, code: 'forbidden' });
    await shot('snapshot');
    await close();
  });
});
