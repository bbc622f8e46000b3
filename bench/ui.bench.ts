/// <reference lib="dom" />
// UI figures (issue: benchmarks 1–3), in headless Chromium against the web shell serving a cache.
//
//   node bench/ui.bench.ts [--clusters 50] [--nodes 10000] [--db PATH] [--runs 5] [--frames 300] [--keep]
//
// 1. open → painted: from navigation start to the fleet map's data-painted attribute (a MutationObserver
//    in the page, performance.now() on the navigation's clock), median of --runs cold loads, each in
//    a fresh browser context. Baseline: the same for a minimal page (one canvas draw) from a plain
//    server in the same browser. Target < 1 s.
// 2. pan/zoom: ~300 frames of scripted pans and zooms (one step per requestAnimationFrame, from the
//    widest to names-on-cells zoom), p95 of the map's draw() durations (window.__fleetMap.frames), and
//    p95 of the rAF interval. Baselines: a trivial canvas draw of the same size, and idle rAF
//    intervals, in the same page. Target < 16 ms.
// 3. JS heap with the fleet open, after a forced GC (CDP Runtime.getHeapUsage), vs. the minimal page.
//    Target < 300 MB.
// Without --db the cache is synthetic (bench/synth.ts: the store's own writers, then the derived
// views), in a temp dir removed afterwards unless --keep. With --db, an existing cache (e.g. one filled
// from the lab by `npm run fleet -- sync --db PATH --kubeconfig <merged kubeconfig> --once`).
// Screenshots (light, whole fleet, dark, hovering a node, zoomed in, CPU measure in dark) go to
// bench/results/map*.png.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startWebShell, type WebShell } from '../main/server/web.ts';
import { synthFleet } from './synth.ts';
import {
  RESULTS,
  ROOT,
  VIEWPORT,
  benchArgs,
  inChromium,
  log,
  median,
  panZoomFigures,
  r1,
  ratio,
  runBench,
  serve,
  writeResults,
  type Stepped,
} from './harness.ts';

// page.evaluate callbacks run in the page: the map's probe (renderer/map/FleetMap.tsx).
declare global {
  interface Window {
    __fleetMap?: {
      frames: number[];
      panBy(dx: number, dy: number): void;
      zoomBy(factor: number, cx?: number, cy?: number): void;
      cellAt(clusterId: string, nodeName: string): { x: number; y: number } | null;
    };
  }
}

// --label names the figures of a --db cache, e.g. lab (a cache filled from real lab clusters)
const values = benchArgs({
  numbers: { clusters: 50, nodes: 10_000, 'pods-per-node': 10, runs: 5, frames: 300 },
  strings: ['db', 'label', 'chromium'],
  flags: ['keep', 'no-build', 'no-screenshots'],
});

// ---------------------------------------------------------------------------------------- helpers

const MB = 1024 * 1024;

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestMtime(p));
    else if (!e.name.endsWith('.test.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** Build the renderer when it is missing or older than its sources (and the contract it imports). */
function ensureRenderer(): void {
  const index = join(ROOT, 'build', 'renderer', 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(newestMtime(join(ROOT, 'renderer')), newestMtime(join(ROOT, 'common')));
  if (built && (values['no-build'] || built >= sources)) return;
  log(built ? 'renderer sources changed: npx vite build' : 'renderer not built: npx vite build');
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
}

/** The baseline page: a minimal document that draws one canvas frame and marks itself painted. */
const BLANK_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>blank</title></head>
<body style="margin:0"><canvas id="c" width="1280" height="800" style="display:block"></canvas><script>
requestAnimationFrame(() => {
  const ctx = document.getElementById('c').getContext('2d', { alpha: false });
  ctx.fillStyle = '#f7f8fa'; ctx.fillRect(0, 0, 1280, 800);
  ctx.fillStyle = '#2e9d57'; ctx.fillRect(12, 12, 200, 100);
  document.body.setAttribute('data-painted', '0');
});
</script></body></html>`;

const startBlankServer = () =>
  serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(BLANK_HTML);
  });

/** Runs before any page script: when data-painted first appears, note the time on the navigation's clock. */
const PAINT_PROBE = () => {
  const w = window as unknown as { __paintedAt?: number; __presentedAt?: number };
  const obs = new MutationObserver((muts) => {
    for (const m of muts) {
      if ((m.target as Element).hasAttribute?.('data-painted')) {
        w.__paintedAt = performance.now();
        // the next frame starts once the painted one was handed to the compositor
        requestAnimationFrame(() => (w.__presentedAt = performance.now()));
        obs.disconnect();
        return;
      }
    }
  });
  obs.observe(document, { subtree: true, attributes: true, attributeFilter: ['data-painted'] });
};

interface LoadTiming {
  paintedMs: number;
  presentedMs: number;
  wallMs: number;
  responseEndMs: number;
  domContentLoadedMs: number;
}

async function coldLoad(browser: Browser, url: string): Promise<LoadTiming> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  try {
    await context.addInitScript(PAINT_PROBE);
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForSelector('[data-painted]', { state: 'attached', timeout: 120_000 });
    const wallMs = performance.now() - t0;
    await page.waitForFunction(() => (window as unknown as { __presentedAt?: number }).__presentedAt !== undefined, null, {
      timeout: 10_000,
    });
    const t = await page.evaluate(() => {
      const w = window as unknown as { __paintedAt: number; __presentedAt: number };
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return {
        paintedMs: w.__paintedAt,
        presentedMs: w.__presentedAt,
        responseEndMs: nav?.responseEnd ?? 0,
        domContentLoadedMs: nav?.domContentLoadedEventEnd ?? 0,
      };
    });
    return { ...t, wallMs };
  } finally {
    await context.close();
  }
}

async function heapUsed(page: Page): Promise<{ usedSize: number; jsHeapUsed: number }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.enable');
    for (let i = 0; i < 2; i++) await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const jsHeapUsed = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    return { usedSize, jsHeapUsed };
  } finally {
    await cdp.detach();
  }
}

/** Scripted pans and zooms, one step a frame: from the widest view (every cell) to node names on cells. */
function panZoom(page: Page, n: number): Promise<Stepped> {
  return page.evaluate(async (steps) => {
    const m = window.__fleetMap!;
    // zoom 1 → the whole fleet on screen (the map's least zoom, ~0.45 for 10k nodes) → node names on
    // cells (~6.6) → back out; pans where the map is larger than the screen. Every step moves the camera.
    let wobble = 0;
    const phases: [number, () => void][] = [
      [0.2, () => m.panBy(6, 10)],
      [0.13, () => m.zoomBy(0.98)],
      [0.13, () => m.zoomBy(wobble++ % 2 ? 1 / 1.04 : 1.04)],
      [0.2, () => m.zoomBy(1.045)],
      [0.17, () => m.panBy(14, 9)],
      [0.17, () => m.zoomBy(0.95)],
    ];
    return window.__stepFrames!(phases, steps, m.frames);
  }, n);
}

async function openMap(browser: Browser, url: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector('[data-painted]', { state: 'attached', timeout: 120_000 });
  await page.waitForFunction(() => !!window.__fleetMap);
  return page;
}

/** Two frames and a pause: the map sharpens sprites and wraps node names 150 ms after the camera rests. */
const settle = (page: Page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 250)))));

// ---------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const runs = Math.max(1, values.runs);
  const frames = Math.max(30, values.frames);
  ensureRenderer();
  mkdirSync(RESULTS, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'fleet-ui-bench-'));
  let shell: WebShell | undefined;
  let blank: Awaited<ReturnType<typeof startBlankServer>> | undefined;
  const out: Record<string, unknown> = { at: new Date().toISOString(), viewport: VIEWPORT, runs, frames };
  const figures: string[] = [];
  try {
    let db: string;
    let source: string;
    if (values.db) {
      db = resolve(values.db);
      if (!existsSync(db)) throw new Error(`no cache at ${db}`);
      source = 'db';
    } else {
      db = join(work, 'synth.db');
      source = 'synthetic';
      const { clusters, nodes } = values;
      log(`synthesising ${clusters} clusters / ${nodes} nodes into ${db} ...`);
      const s = synthFleet(db, { clusters, nodes, podsPerNode: values['pods-per-node'], seed: 1 });
      log(`  ${s.clusters.length} clusters, ${s.nodes} nodes, ${s.pods} pods in ${(s.ms / 1000).toFixed(1)} s`);
      out.synth = { clusters: s.clusters.length, nodes: s.nodes, pods: s.pods, ms: Math.round(s.ms) };
    }
    shell = await startWebShell({ db, offline: true, port: 0, log });
    // The fleet as the page will get it (and its views derived once, if the cache lacked them).
    const fleet = shell.service.fleet();
    const nClusters = fleet.clusters.length;
    const nNodes = fleet.clusters.reduce((n, c) => n + c.cells.length, 0);
    if (!nClusters) throw new Error(`${db} has no clusters`);
    const size = `${nClusters}x${nNodes >= 1000 ? `${r1(nNodes / 1000)}k` : nNodes}`;
    const label = source === 'db' ? `${values.label ?? 'db'}_${size}` : size;
    out.fleet = { source, db: values.db ? db : undefined, clusters: nClusters, nodes: nNodes, label };
    log(`fleet: ${nClusters} clusters, ${nNodes} nodes (${source}); web shell ${shell.url.replace(/token=.*/, 'token=…')}`);

    blank = await startBlankServer();
    const [mapUrl, blankUrl] = [shell.url, blank.url];
    await inChromium(values.chromium, async (browser) => {
      out.browser = browser.version();

      // 1. open → painted (interleaved with the baseline, so drift hits both alike)
      await coldLoad(browser, blankUrl); // warm the browser process itself
      const map: LoadTiming[] = [];
      const base: LoadTiming[] = [];
      for (let i = 0; i < runs; i++) {
        base.push(await coldLoad(browser, blankUrl));
        map.push(await coldLoad(browser, mapUrl));
        log(`  load ${i + 1}/${runs}: map painted at ${r1(map[i]!.paintedMs)} ms, blank page at ${r1(base[i]!.paintedMs)} ms`);
      }
      const openMs = median(map.map((t) => t.paintedMs));
      const blankMs = median(base.map((t) => t.paintedMs));
      out.open = {
        paintedMs: map.map((t) => r1(t.paintedMs)),
        presentedMs: map.map((t) => r1(t.presentedMs)),
        wallMs: map.map((t) => r1(t.wallMs)),
        responseEndMs: map.map((t) => r1(t.responseEndMs)),
        domContentLoadedMs: map.map((t) => r1(t.domContentLoadedMs)),
        baselinePaintedMs: base.map((t) => r1(t.paintedMs)),
        medianMs: r1(openMs),
        baselineMedianMs: r1(blankMs),
        ratio: ratio(openMs, blankMs),
      };
      figures.push(
        `FIGURE ui_open_to_paint_${label}: ${Math.round(openMs)} ms (baseline blank page ${r1(blankMs)} ms, ratio ${ratio(openMs, blankMs)}; median of ${runs} cold loads; target < 1000 ms)`,
      );

      // 2. pan/zoom frames, 3. heap: one page with the fleet open
      const page = await openMap(browser, mapUrl);
      await settle(page);
      const pz = await panZoomFigures(page, frames, VIEWPORT, () => panZoom(page, frames));
      out.panzoom = pz.figures;
      figures.push(`FIGURE ui_panzoom_p95_${label}: ${pz.text}; target < 16 ms)`);

      await page.evaluate(() => window.__fleetMap!.zoomBy(1e-3)); // back to the widest view
      await settle(page);
      const heap = await heapUsed(page);
      const bctx = await browser.newContext({ viewport: VIEWPORT });
      const bpage = await bctx.newPage();
      await bpage.goto(blankUrl);
      await bpage.waitForSelector('[data-painted]', { state: 'attached' });
      const blankHeap = await heapUsed(bpage);
      await bctx.close();
      out.heap = {
        usedBytes: heap.usedSize,
        jsHeapUsedBytes: heap.jsHeapUsed,
        baselineUsedBytes: blankHeap.usedSize,
        ratio: ratio(heap.usedSize, blankHeap.usedSize),
      };
      figures.push(
        `FIGURE ui_heap_${label}: ${r1(heap.usedSize / MB)} MB (baseline blank page ${r1(blankHeap.usedSize / MB)} MB, ratio ${ratio(heap.usedSize, blankHeap.usedSize)}; after GC; target < 300 MB)`,
      );

      // Screenshots, to look at: light, the whole fleet, dark, hovering a node, zoomed in (names on
      // cells), the CPU measure in dark.
      if (!values['no-screenshots']) {
        const shots: string[] = [];
        // back to the initial view (key 0), no focus cursor, no hover
        await page.locator('.fleet-map canvas').focus();
        await page.keyboard.press('0');
        await page.keyboard.press('Escape');
        await page.mouse.move(1, 1);
        await settle(page);
        const shot = async (name: string) => {
          const p = join(RESULTS, name);
          await page.screenshot({ path: p });
          shots.push(p);
        };
        await shot('map.png');
        await page.evaluate(() => window.__fleetMap!.zoomBy(1e-3)); // the whole fleet
        await page.waitForTimeout(300); // at rest: sprites sharpened
        await shot('map-all.png');
        await page.keyboard.press('0');
        await page.emulateMedia({ colorScheme: 'dark' });
        await settle(page);
        await shot('map-dark.png');
        await page.emulateMedia({ colorScheme: 'light' });
        // hover a node of the first cluster (cellAt scrolls it into view), then zoom in around it
        const first = fleet.clusters[0]!;
        const node = first.cells[Math.min(first.cells.length - 1, 5)];
        if (node) {
          const at = await page.evaluate(([c, n]) => window.__fleetMap!.cellAt(c!, n!), [first.id, node.n]);
          if (at) {
            await settle(page);
            await page.mouse.move(at.x, at.y);
            await settle(page);
            await shot('map-hover.png');
            await page.evaluate(([x, y]) => window.__fleetMap!.zoomBy(5, x, y), [at.x, at.y]);
            await page.mouse.move(at.x + 30, at.y + 30);
            await page.waitForTimeout(400); // at rest: names wrapped, sprites sharp
            await shot('map-zoom.png');
          }
        }
        // another measure, dark: the ramp colours (the measure picker is the app's; skipped if it changed)
        try {
          await page.mouse.move(1, 1);
          await page.getByRole('radio', { name: /cpu/i }).check({ timeout: 2000 });
          await page.emulateMedia({ colorScheme: 'dark' });
          await page.locator('.fleet-map canvas').focus();
          await page.keyboard.press('0');
          await page.keyboard.press('Escape');
          await settle(page);
          await shot('map-cpu-dark.png');
        } catch (e) {
          log(`no CPU-measure screenshot: ${(e as Error).message.split('\n')[0]}`);
        }
        out.screenshots = shots;
      }
      await page.context().close();
    });
  } finally {
    await blank?.close();
    await shell?.stop().catch((e: Error) => log(`web shell stop: ${e.message}`));
    if (values.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  writeResults('ui', out, figures);
}

runBench('ui bench', main);
