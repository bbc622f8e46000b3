/// <reference lib="dom" />
// The fleet timeline's drawing, in headless Chromium (issue "Fleet changes": < 16 ms p95 with 100k marks).
//
//   node bench/timeline.bench.ts [--marks 100000] [--lanes 30] [--frames 300] [--dpr 1] [--no-screenshots]
//
// The timeline engine alone (renderer/timeline/*.ts and renderer/canvas/*.ts, bundled by esbuild into
// one script) on a page of its own, served from 127.0.0.1: --marks synthetic changes over --lanes
// clusters and a week (seeded: the same marks every run; bursts as real fleets have them over a uniform
// background, 10 % of them problems), then ~--frames scripted pans and zooms (one step per requestAnimationFrame: the whole week,
// in to a few minutes, pans, back out), p95 of the engine's draw() durations and of the rAF interval.
// Baselines, in the same page and run: a trivial canvas draw of the same size, idle rAF intervals.
// Prints `FIGURE timeline_draw_p95_<n>k: …`; results go to bench/results/timeline-<time>.json, a
// screenshot of the week and of a zoomed-in view to bench/results/timeline*.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import type { TimelineDTO } from '../common/contract.ts';
import { rng } from '../common/rng.ts';
import {
  RESULTS,
  ROOT,
  VIEWPORT,
  benchArgs,
  inChromium,
  panZoomFigures,
  r1,
  runBench,
  serve,
  writeResults,
  type Stepped,
} from './harness.ts';

const values = benchArgs({
  numbers: { marks: 100_000, lanes: 30, frames: 300, dpr: 1 },
  strings: ['chromium'],
  flags: ['no-screenshots'],
});

// page.evaluate callbacks run in the page: what the bench script puts on window.
interface BenchEngine {
  frames: number[];
  setTime(t: unknown): void;
  setView(from: number, to: number): void;
  setData(dto: unknown, fetched: { from: number; to: number } | null): void;
  panBy(dx: number): void;
  zoomBy(factor: number, clientX?: number): void;
  scrollBy(dy: number): void;
  view(): { from: number; to: number };
}
declare global {
  interface Window {
    TimelineEngine: new (el: unknown, cb: unknown) => BenchEngine;
    __engine?: BenchEngine;
  }
}

/** The engine and its modules as one classic script (the page has no module loader, no network). */
async function bundle(): Promise<string> {
  const out = await build({
    stdin: {
      contents: `import { TimelineEngine } from './renderer/timeline/engine.ts'; window.TimelineEngine = TimelineEngine;`,
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: 'timeline-bench-entry.ts',
    },
    bundle: true,
    format: 'iife',
    target: 'es2023',
    write: false,
    logLevel: 'warning',
  });
  return out.outputFiles[0]!.text;
}

const PAGE = (height: number) => `<!doctype html><html><head><meta charset="utf-8"><title>timeline bench</title>
<style>
  :root { --bg:#f7f8fa; --bg2:#fff; --fg:#1b1f24; --muted:#66707c; --line:#d8dde3; --grid:#e3e7ec; --accent:#2f6feb;
          --ok:#2e9d57; --warn:#c98a00; --bad:#d1383d; --c-alloc:#7a8694; font: 14px system-ui, sans-serif; }
  body { margin: 0; background: var(--bg); }
  #root { position: relative; width: 1280px; height: ${height}px; contain: strict; }
  #root canvas { display: block; width: 100%; height: 100%; }
  #tip { position: absolute; left: 0; top: 0; }
</style></head>
<body><div id="root"><canvas id="c" tabindex="0"></canvas><div id="tip" hidden></div></div>
<script src="/timeline.js"></script></body></html>`;

const WEEK = 7 * 86_400_000;
const END = Date.UTC(2025, 10, 22, 12);

/** The synthetic week of n marks over L lanes (seeded: the same marks every run), as changes.timeline answers. */
function synthWeek(n: number, L: number): TimelineDTO {
  const rnd = rng(12345);
  const start = END - WEEK;
  // 60 % uniform background, 40 % in 200 bursts (rollouts, node churn): as a fleet's history looks
  const bursts = Array.from({ length: 200 }, () => ({
    at: start + rnd() * WEEK,
    lane: Math.floor(rnd() * L),
    w: 60_000 + rnd() * 1_800_000,
  }));
  const rows: [number, number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    let at: number;
    let lane: number;
    if (rnd() < 0.6) {
      at = start + rnd() * WEEK;
      lane = Math.floor(rnd() * L);
    } else {
      const b = bursts[Math.floor(rnd() * bursts.length)]!;
      at = Math.min(END, b.at + rnd() * b.w);
      lane = rnd() < 0.7 ? b.lane : Math.floor(rnd() * L);
    }
    const sev = rnd() < 0.9 ? 0 : 1 + Math.floor(rnd() * 3);
    rows.push([Math.floor(at), lane, Math.floor(rnd() * 16), sev]);
  }
  rows.sort((x, y) => x[0] - y[0]);
  return {
    from: start,
    to: END,
    lanes: Array.from({ length: L }, (_, i) => ({ cluster: `c${i}`, context: `prod-${String(i).padStart(2, '0')}-eu-west` })),
    marks: {
      id: rows.map((_, i) => i + 1),
      at: rows.map((r) => r[0]),
      lane: rows.map((r) => r[1]),
      category: rows.map((r) => r[2]),
      severity: rows.map((r) => r[3]),
    },
    truncated: false,
    total: n,
    gaps: [
      {
        cluster: 'c3',
        clusterContext: 'prod-03',
        kind: null,
        start: start + WEEK * 0.4,
        end: start + WEEK * 0.43,
        reason: 'disconnected',
      },
      { cluster: 'c7', clusterContext: 'prod-07', kind: 'pods', start: start + WEEK * 0.7, end: null, reason: 'forbidden' },
    ],
  };
}

/** In the page: the engine over the week's marks, painted once. */
async function setUp(page: Page, dto: TimelineDTO): Promise<{ buildMs: number }> {
  return page.evaluate(async (dto) => {
    const start = dto.from;
    const end = dto.to;
    const root = document.getElementById('root')!;
    const e = new window.TimelineEngine(
      { root, canvas: document.getElementById('c'), tooltip: document.getElementById('tip') },
      {
        select: () => {},
        describe: () => ({ title: '', sub: '', lines: [] }),
        describeGap: () => ({ title: '', sub: '', lines: [] }),
      },
    );
    window.__engine = e;
    e.setTime({
      shown: end,
      shownLabel: 'now',
      bounds: { min: start - 86_400_000, max: end },
      home: { start: end - 3_600_000, span: 3_600_000 },
    });
    const t0 = performance.now();
    e.setData(dto, { from: start, to: end });
    const buildMs = performance.now() - t0;
    e.setView(start, end);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return { buildMs };
  }, dto);
}

/** Scripted pans and zooms, one step a frame: the week → a few minutes (zooming about moving points) → pans → back out. */
function panZoom(page: Page, n: number): Promise<Stepped & { spans: number[] }> {
  return page.evaluate(async (steps) => {
    const e = window.__engine!;
    const r = document.getElementById('c')!.getBoundingClientRect();
    let k = 0;
    // from the week (~10,000 minutes) to ~10 minutes is ×1000: 0.3 of the steps at ×1.08 each
    const phases: [number, () => void][] = [
      [0.1, () => e.panBy(-8)],
      [0.3, () => e.zoomBy(1.08, r.left + 168 + ((k++ * 37) % (r.width - 168)))],
      [0.15, () => e.panBy(12)],
      [0.05, () => e.scrollBy(22)],
      [0.15, () => e.zoomBy(1 / 1.12)],
      [0.1, () => e.panBy(-20)],
      [0.15, () => e.zoomBy(1 / 1.1)],
    ];
    // the span on screen after each step
    const spans: number[] = [];
    const withSpan = phases.map(([share, f]): [number, () => void] => [
      share,
      () => {
        f();
        const v = e.view();
        spans.push(v.to - v.from);
      },
    ]);
    return { ...(await window.__stepFrames!(withSpan, steps, e.frames)), spans };
  }, n);
}

async function main(): Promise<void> {
  const marks = Math.max(1, values.marks);
  const lanes = Math.max(1, values.lanes);
  const frames = Math.max(30, values.frames);
  const dpr = Math.max(1, values.dpr);
  mkdirSync(RESULTS, { recursive: true });
  const script = await bundle();
  const height = 30 + lanes * 22 > VIEWPORT.height ? VIEWPORT.height - 20 : 30 + lanes * 22 + 4;
  const site = await serve((req, res) => {
    if (req.url === '/timeline.js')
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE(height));
  });
  const out: Record<string, unknown> = {
    at: new Date().toISOString(),
    viewport: VIEWPORT,
    marks,
    lanes,
    frames,
    dpr,
    canvasHeight: height,
  };
  const figures: string[] = [];
  try {
    await inChromium(values.chromium, async (browser) => {
      out.browser = browser.version();
      const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: dpr });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(site.url);
      await page.waitForFunction(() => typeof window.TimelineEngine === 'function');
      const { buildMs } = await setUp(page, synthWeek(marks, lanes));
      await page.waitForSelector('#root[data-painted="1"]', { state: 'attached', timeout: 30_000 });
      const count = Number(await page.getAttribute('#root', 'data-mark-count'));
      if (count !== marks) throw new Error(`the engine holds ${count} marks, not ${marks}`);
      if (!values['no-screenshots']) await page.screenshot({ path: join(RESULTS, 'timeline-week.png') });

      const pz = await panZoomFigures(page, frames, { width: VIEWPORT.width * dpr, height: height * dpr }, () => panZoom(page, frames));
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
      if (!values['no-screenshots']) {
        await page.evaluate(() => window.__engine!.zoomBy(200));
        await page.waitForTimeout(100);
        await page.screenshot({ path: join(RESULTS, 'timeline-zoom.png') });
      }
      const { spans } = pz.stepped;
      out.panzoom = { ...pz.figures, spanMinMs: Math.min(...spans), spanMaxMs: Math.max(...spans), buildMs: r1(buildMs) };
      const label = marks >= 1000 ? `${r1(marks / 1000)}k` : String(marks);
      figures.push(
        `FIGURE timeline_draw_p95_${label}: ${pz.text}, ${lanes} lanes, a week down to ${r1(Math.min(...spans) / 60_000)} min, dpr ${dpr}; target < 16 ms)`,
      );
      await context.close();
    });
  } finally {
    await site.close();
  }
  writeResults('timeline', out, figures);
}

runBench('timeline bench', main);
