/// <reference lib="dom" />
// The fleet timeline's drawing, in headless Chromium (issue "Fleet changes": < 16 ms p95 with 100k marks).
//
//   node bench/timeline.bench.ts [--marks 100000] [--lanes 30] [--frames 300] [--dpr 1] [--no-screenshots]
//
// The timeline engine alone (renderer/timeline/*.ts, bundled by esbuild into one script) on a page of
// its own, served from 127.0.0.1: --marks synthetic changes over --lanes clusters and a week (seeded:
// the same marks every run; bursts as real fleets have them over a uniform background, 10 % of them
// problems), then ~--frames scripted pans and zooms (one step per requestAnimationFrame: the whole week,
// in to a few minutes, pans, back out), p95 of the engine's draw() durations and of the rAF interval.
// Baselines, in the same page and run: a trivial canvas draw of the same size, idle rAF intervals.
// Prints `FIGURE timeline_draw_p95_<n>k: …`; results go to bench/results/timeline-<time>.json, a
// screenshot of the week and of a zoomed-in view to bench/results/timeline*.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/browser.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const RESULTS = join(ROOT, 'bench', 'results');
const VIEWPORT = { width: 1280, height: 800 };

const { values } = parseArgs({
  options: {
    marks: { type: 'string', default: '100000' },
    lanes: { type: 'string', default: '30' },
    frames: { type: 'string', default: '300' },
    dpr: { type: 'string', default: '1' },
    'no-screenshots': { type: 'boolean', default: false },
    chromium: { type: 'string', default: process.env.CHROMIUM ?? chromiumPath() ?? '/usr/bin/chromium' },
  },
});
const log = (s: string) => process.stderr.write(`${s}\n`);

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

function quantile(xs: number[], q: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
const median = (xs: number[]) => quantile(xs, 0.5);
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const ratio = (a: number, b: number) => (b > 0 ? (a / b >= 10 ? Math.round(a / b) : r2(a / b)) : Number.NaN);

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

function serve(script: string, height: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/timeline.js')
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE(height));
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` }));
  });
}

/** In the page: the synthetic week of marks, the engine over it, painted once. */
async function setUp(page: Page, marks: number, lanes: number): Promise<{ buildMs: number; end: number }> {
  return page.evaluate(
    async ([n, L]) => {
      let a = 12345;
      const rnd = () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const WEEK = 7 * 86_400_000;
      const end = Date.UTC(2025, 10, 22, 12);
      const start = end - WEEK;
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
          at = Math.min(end, b.at + rnd() * b.w);
          lane = rnd() < 0.7 ? b.lane : Math.floor(rnd() * L);
        }
        const sev = rnd() < 0.9 ? 0 : 1 + Math.floor(rnd() * 3);
        rows.push([Math.floor(at), lane, Math.floor(rnd() * 16), sev]);
      }
      rows.sort((x, y) => x[0] - y[0]);
      const dto = {
        from: start,
        to: end,
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
      return { buildMs, end };
    },
    [marks, lanes] as const,
  );
}

/** rAF intervals and trivial canvas draw times with nothing else going on: the frame baselines. */
async function frameBaselines(page: Page, n: number): Promise<{ idleIntervals: number[]; trivialDraws: number[] }> {
  return page.evaluate(async (frames) => {
    const idleIntervals: number[] = [];
    await new Promise<void>((done) => {
      let last = -1;
      const tick = (t: number) => {
        if (last >= 0) idleIntervals.push(t - last);
        last = t;
        if (idleIntervals.length >= frames) done();
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const root = document.getElementById('root')!;
    const c = document.createElement('canvas');
    c.width = root.clientWidth * devicePixelRatio;
    c.height = root.clientHeight * devicePixelRatio;
    c.style.cssText = 'position:fixed;left:0;top:0;pointer-events:none;opacity:0.01';
    document.body.appendChild(c);
    const ctx = c.getContext('2d', { alpha: false })!;
    const trivialDraws: number[] = [];
    await new Promise<void>((done) => {
      let i = 0;
      const tick = () => {
        const t0 = performance.now();
        ctx.fillStyle = '#f7f8fa';
        ctx.fillRect(0, 0, c.width, c.height);
        ctx.fillStyle = '#2e9d57';
        ctx.fillRect((i * 7) % c.width, 40, 200, 100);
        ctx.font = '13px system-ui';
        ctx.fillStyle = '#1b1f24';
        ctx.fillText(`frame ${i}`, 20, 20);
        trivialDraws.push(performance.now() - t0);
        if (++i >= frames) done();
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    c.remove();
    return { idleIntervals, trivialDraws };
  }, n);
}

/** Scripted pans and zooms, one step a frame: the week → a few minutes (zooming about moving points) → pans → back out. */
async function panZoom(page: Page, n: number): Promise<{ draws: number[]; intervals: number[]; steps: number; spans: number[] }> {
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
    const plan: (() => void)[] = [];
    for (const [share, f] of phases) for (let i = 0; i < Math.round(share * steps); i++) plan.push(f);
    e.frames.length = 0;
    const intervals: number[] = [];
    const spans: number[] = [];
    await new Promise<void>((done) => {
      let i = 0;
      let last = -1;
      const tick = (t: number) => {
        if (last >= 0) intervals.push(t - last);
        last = t;
        if (i >= plan.length) {
          done();
          return;
        }
        plan[i++]!();
        const v = e.view();
        spans.push(v.to - v.from);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
    return { draws: [...e.frames], intervals, steps: plan.length, spans };
  }, n);
}

async function main(): Promise<void> {
  const marks = Math.max(1, Number(values.marks));
  const lanes = Math.max(1, Number(values.lanes));
  const frames = Math.max(30, Number(values.frames));
  const dpr = Math.max(1, Number(values.dpr));
  mkdirSync(RESULTS, { recursive: true });
  const script = await bundle();
  const height = 30 + lanes * 22 > VIEWPORT.height ? VIEWPORT.height - 20 : 30 + lanes * 22 + 4;
  const site = await serve(script, height);
  let browser: Browser | undefined;
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
    browser = await chromium.launch({ executablePath: values.chromium, args: CHROMIUM_ARGS });
    out.browser = browser.version();
    const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: dpr });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(site.url);
    await page.waitForFunction(() => typeof window.TimelineEngine === 'function');
    const { buildMs } = await setUp(page, marks, lanes);
    await page.waitForSelector('#root[data-painted="1"]', { state: 'attached', timeout: 30_000 });
    const count = Number(await page.getAttribute('#root', 'data-mark-count'));
    if (count !== marks) throw new Error(`the engine holds ${count} marks, not ${marks}`);
    if (!values['no-screenshots']) await page.screenshot({ path: join(RESULTS, 'timeline-week.png') });

    const fb = await frameBaselines(page, frames);
    const pz = await panZoom(page, frames);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    if (!values['no-screenshots']) {
      await page.evaluate(() => window.__engine!.zoomBy(200));
      await page.waitForTimeout(100);
      await page.screenshot({ path: join(RESULTS, 'timeline-zoom.png') });
    }
    const drawP95 = quantile(pz.draws, 0.95);
    const trivialP95 = quantile(fb.trivialDraws, 0.95);
    const intervalP95 = quantile(pz.intervals, 0.95);
    const idleP95 = quantile(fb.idleIntervals, 0.95);
    out.panzoom = {
      steps: pz.steps,
      draws: pz.draws.length,
      spanMinMs: Math.min(...pz.spans),
      spanMaxMs: Math.max(...pz.spans),
      buildMs: r1(buildMs),
      drawP50: r2(median(pz.draws)),
      drawP95: r2(drawP95),
      drawMax: r2(Math.max(...pz.draws)),
      trivialDrawP95: r2(trivialP95),
      rafIntervalP50: r2(median(pz.intervals)),
      rafIntervalP95: r2(intervalP95),
      idleRafIntervalP95: r2(idleP95),
      drawRatio: ratio(drawP95, trivialP95),
    };
    const label = marks >= 1000 ? `${r1(marks / 1000)}k` : String(marks);
    figures.push(
      `FIGURE timeline_draw_p95_${label}: ${r2(drawP95)} ms per draw (baseline trivial canvas draw ${r2(trivialP95)} ms, ratio ${ratio(drawP95, trivialP95)}; ` +
        `rAF interval p95 ${r1(intervalP95)} ms vs idle ${r1(idleP95)} ms; ${pz.draws.length} draws over ${pz.steps} steps, ${lanes} lanes, a week down to ${r1(Math.min(...pz.spans) / 60_000)} min, dpr ${dpr}; target < 16 ms)`,
    );
    await context.close();
  } finally {
    await browser?.close().catch(() => {});
    await new Promise<void>((r) => site.server.close(() => r()));
  }
  out.figures = figures;
  const file = join(RESULTS, `timeline-${Date.now()}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  for (const f of figures) console.log(f);
  log(`results: ${file}`);
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`timeline bench: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
