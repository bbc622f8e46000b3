// The console's page in Chromium, on a web shell: how the e2e specs open it and read it.
import type { Browser, Page } from 'playwright-core';
import type { ClusterTile, FleetDTO } from '../common/contract.ts';
import { launch, shot } from './browser.ts';

/** Chromium with the console's page open. */
export interface ConsolePage {
  browser: Browser;
  page: Page;
  /** the messages of the dialogs the page raised (each one dismissed) */
  dialogs: string[];
}

/**
 * Launch Chromium, open the console at url (the web shell's, with its token) in a 1440×900 page and
 * wait for its first paint; every dialog is dismissed and kept.
 */
export async function openConsole(url: string, paintedTimeoutMs: number): Promise<ConsolePage> {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(url);
    await page.waitForSelector('[data-painted]', { timeout: paintedTimeoutMs });
    return { browser, page, dialogs };
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
