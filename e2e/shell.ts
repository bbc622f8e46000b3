// The console's page in Chromium, on a web shell: how the e2e specs start the shell over lab clusters,
// open the page and read it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ClusterTile, FleetDTO } from '../common/contract.ts';
import { Lab, type UpOptions } from '../lab/src/lab.ts';
import { until } from '../lab/src/until.ts';
import { startWebShell, type WebShell } from '../main/server/web.ts';
import { launch, shot } from './browser.ts';

/**
 * The web shell watching a lab's clusters (its merged kubeconfig; the cache and the data in dir), once
 * the clusters of these contexts are live (stopped again when they do not get there).
 */
export async function labWebShell(dir: string, lab: Lab, contexts: readonly string[], liveTimeoutMs = 240_000): Promise<WebShell> {
  const shell = await startWebShell({
    db: join(dir, 'cache.db'),
    kubeconfigs: [lab.state.merged],
    dataDir: join(dir, 'data'),
    port: 0,
    reflector: { watchSeconds: 60, backoffMaxMs: 3000 },
    log: () => {},
  });
  try {
    await until(
      `${contexts.join(', ')} live`,
      () => {
        const s = shell.worker!.statuses();
        return contexts.every((c) => s.find((x) => x.context === c)?.status === 'live');
      },
      liveTimeoutMs,
      500,
    );
    return shell;
  } catch (e) {
    await shell.stop();
    throw e;
  }
}

/**
 * What a spec against lab clusters starts, for its tests to read: its folder (`dir`: the lab, the cache,
 * the data), then as its before() fills them in the lab, the web shell watching it (labWebShell) and
 * Chromium with the console's page (openConsole: `Object.assign(suite, await openConsole(...))`).
 */
export class ConsoleSuite implements ConsolePage {
  readonly dir: string;
  lab!: Lab;
  shell!: WebShell;
  browser!: Browser;
  page!: Page;
  dialogs: string[] = [];
  errors: string[] = [];

  /** dir: a new folder in the system's temporary folder, its name starting with prefix */
  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  /**
   * For before(): the lab up in dir/lab with these options, the web shell watching it once the
   * `live` contexts are live, and Chromium with the console's page painted.
   */
  async start(up: Omit<UpOptions, 'dir'>, live: readonly string[]): Promise<void> {
    this.lab = await Lab.up({ ...up, dir: join(this.dir, 'lab') });
    this.shell = await labWebShell(this.dir, this.lab, live);
    Object.assign(this, await openConsole(this.shell.url, 30_000));
  }

  /** For after(): close Chromium, stop the web shell, take the lab down and remove dir (what of them there is). */
  async tearDown(): Promise<void> {
    const { browser, shell, lab }: Partial<ConsoleSuite> = this;
    await browser?.close();
    await shell?.stop();
    await lab?.down({ removeFiles: true });
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The fleet as the page holds it. */
  fleet(): Promise<FleetDTO | null> {
    return fleetOn(this.page);
  }

  /** The tile of the cluster of this context in the page's fleet. */
  tile(context: string): Promise<ClusterTile | undefined> {
    return tileOn(this.page, context);
  }

  /** The cache's id of the cluster of a context the shell watches. */
  idOf(context: string): string {
    return clusterId(this.shell, context);
  }

  /** Go to a route of the console (the location's hash). */
  goto(hash: string): Promise<void> {
    return gotoRoute(this.page, hash);
  }
}

/** The cache's id of the cluster of a context the shell watches. */
export function clusterId(shell: WebShell, context: string): string {
  const s = shell.worker!.statuses().find((x) => x.context === context);
  if (!s) throw new Error(`the web shell watches no context ${context}`);
  return s.id;
}

/** Chromium with the console's page open. */
export interface ConsolePage {
  browser: Browser;
  page: Page;
  /** the messages of the dialogs the page raised (each one dismissed) */
  dialogs: string[];
  /** the page's uncaught errors, from its first script on */
  errors: string[];
}

/**
 * Launch Chromium, open the console at url (the web shell's, with its token) in a 1440×900 page and
 * wait for its first paint; every dialog is dismissed and kept, every page error kept.
 */
export async function openConsole(url: string, paintedTimeoutMs: number): Promise<ConsolePage> {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('[data-painted]', { timeout: paintedTimeoutMs });
    return { browser, page, dialogs, errors };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/** The fleet as the page's renderer holds it (its debug hook). */
export function fleetOn(page: Page): Promise<FleetDTO | null> {
  return page.evaluate(() => (window as unknown as { __fleetDebug: { fleet(): FleetDTO | null } }).__fleetDebug.fleet());
}

/** The tile of the cluster of this context in the page's fleet. */
export async function tileOn(page: Page, context: string): Promise<ClusterTile | undefined> {
  return (await fleetOn(page))?.clusters.find((c) => c.context === context);
}

/** Find a node with the palette (Ctrl+K): type its name, screenshot the results (as `name`), open the first. */
export async function paletteToNode(page: Page, node: string, name: string): Promise<void> {
  await page.keyboard.press('Control+k');
  await page.waitForSelector('[role=dialog] input');
  await page.keyboard.type(node);
  await page.waitForSelector('#palette-results li');
  await shot(page, name);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`[data-view=node][data-node="${node}"]`);
}

/** Go to a route of the console (the location's hash). */
export async function gotoRoute(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
}
