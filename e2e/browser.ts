// Chromium for e2e specs and benchmarks: Debian's /usr/bin/chromium (or $FLEET_CHROMIUM), driven by
// playwright-core. `npx playwright install` cannot download here, and is not needed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { RENDERER_DIR } from '../main/server/web.ts';

export const ARTIFACTS = join(import.meta.dirname, 'artifacts');

/** Headless, no sandbox (containers), no GPU, nothing from the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Build the renderer the web shell serves, unless it is there (CI builds it first). */
export function ensureRenderer(): void {
  if (existsSync(join(RENDERER_DIR, 'index.html'))) return;
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: join(import.meta.dirname, '..'), stdio: 'inherit' });
  assert.equal(r.status, 0, 'vite build failed');
}

export function chromiumPath(): string | undefined {
  for (const p of [process.env.FLEET_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (p && existsSync(p)) return p;
  }
  return undefined;
}

export async function launch(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium found: apt-get install -y chromium, or set FLEET_CHROMIUM');
  return chromium.launch({
    executablePath,
    args: CHROMIUM_ARGS,
  });
}

/** A screenshot under e2e/artifacts (git-ignored), named after the view. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
