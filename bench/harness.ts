/// <reference lib="dom" />
// What the benches share: their arguments, the figures' statistics, the results file, the process's end;
// and for the canvas benches in headless Chromium (ui.bench.ts: the fleet map, timeline.bench.ts: the
// timeline) the browser, a page server, the frame baselines (idle rAF intervals, a trivial canvas draw)
// and the scripted steps, one per animation frame, whose draw times a view's probe records.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/browser.ts';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const RESULTS = join(ROOT, 'bench', 'results');
/** The canvas benches' page size (CSS pixels). */
export const VIEWPORT = { width: 1280, height: 800 };

export const log = (s: string) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------------------------------- arguments

/**
 * The command line: `numbers` (--name N, with these defaults; not a number: an error), `strings`
 * (--name TEXT, none by default) and `flags` (--name, false by default). Anything else is an error.
 */
export function benchArgs<N extends string, S extends string = never, F extends string = never>(spec: {
  numbers?: Record<N, number>;
  strings?: readonly S[];
  flags?: readonly F[];
}): Record<N, number> & Partial<Record<S, string>> & Record<F, boolean> {
  const numbers: Record<string, number> = spec.numbers ?? {};
  const options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = {};
  for (const [name, n] of Object.entries(numbers)) options[name] = { type: 'string', default: String(n) };
  for (const name of spec.strings ?? []) options[name] = { type: 'string' };
  for (const name of spec.flags ?? []) options[name] = { type: 'boolean', default: false };
  const { values } = parseArgs({ options });
  const out: Record<string, unknown> = { ...values };
  for (const name of Object.keys(numbers)) {
    const n = Number(values[name]);
    if (!Number.isFinite(n)) throw new Error(`--${name} ${String(values[name])}: not a number`);
    out[name] = n;
  }
  return out as Record<N, number> & Partial<Record<S, string>> & Record<F, boolean>;
}

// ---------------------------------------------------------------------------------------- figures

/** The q-quantile (nearest rank) of xs; NaN for none. */
export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
export const median = (xs: readonly number[]) => quantile(xs, 0.5);
export const p95 = (xs: readonly number[]) => quantile(xs, 0.95);
export const r1 = (x: number) => Math.round(x * 10) / 10;
export const r2 = (x: number) => Math.round(x * 100) / 100;
/** a / b: to 2 decimals, whole from 10 on */
export const ratio = (a: number, b: number) => (b > 0 ? (a / b >= 10 ? Math.round(a / b) : r2(a / b)) : Number.NaN);

/** Write the run's results to bench/results/<name>-<time>.json and print its FIGURE lines. */
export function writeResults(name: string, out: Record<string, unknown>, figures: readonly string[]): void {
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `${name}-${Date.now()}.json`);
  writeFileSync(file, `${JSON.stringify({ ...out, figures }, null, 2)}\n`);
  for (const f of figures) console.log(f);
  log(`results: ${file}`);
}

/** Run a bench's main and end the process: 0 when it finished, 1 (and the error) when it threw. */
export function runBench(what: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: Error) => {
      console.error(`${what}: ${e.stack ?? e.message}`);
      process.exit(1);
    },
  );
}

// ---------------------------------------------------------------------------------------- Chromium

/**
 * Run `body` with headless Chromium (`path`: --chromium, else $CHROMIUM, else the one the e2e specs
 * use), closed again after it, whatever happened.
 */
export async function inChromium(path: string | undefined, body: (browser: Browser) => Promise<void>): Promise<void> {
  const executablePath = path ?? process.env.CHROMIUM ?? chromiumPath() ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (--chromium PATH or $CHROMIUM)`);
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    await body(browser);
  } finally {
    await browser.close().catch(() => {});
  }
}

/** A plain HTTP server on 127.0.0.1 (a port of its own) answering with `handle`. */
export function serve(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer(handle);
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () =>
      ok({
        server,
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    );
  });
}

/**
 * rAF intervals and the times of a trivial canvas draw (a `size` canvas of device pixels over the page),
 * with nothing else going on: the frame baselines.
 */
async function frameBaselines(
  page: Page,
  n: number,
  size: { width: number; height: number },
): Promise<{ idleIntervals: number[]; trivialDraws: number[] }> {
  return page.evaluate(
    async ([frames, width, height]) => {
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
      const c = document.createElement('canvas');
      c.width = width;
      c.height = height;
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
    },
    [n, size.width, size.height] as const,
  );
}

/** What the stepper hands back: the draws the probe recorded over the steps, and the rAF intervals. */
export interface Stepped {
  draws: number[];
  intervals: number[];
  steps: number;
}

declare global {
  interface Window {
    /** Run phases ([share of the steps, a step]) one step per animation frame; `frames`: the view's draw times (emptied first). */
    __stepFrames?(phases: [number, () => void][], steps: number, frames: number[]): Promise<Stepped>;
  }
}

/** Put the stepper in the page (window.__stepFrames), for a page.evaluate of scripted steps to call. */
function installStepper(page: Page): Promise<void> {
  return page.evaluate(() => {
    window.__stepFrames = async (phases, steps, frames) => {
      const plan: (() => void)[] = [];
      for (const [share, f] of phases) for (let i = 0; i < Math.round(share * steps); i++) plan.push(f);
      frames.length = 0;
      const intervals: number[] = [];
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
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      // the last step's draw runs in the next frame
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return { draws: [...frames], intervals, steps: plan.length };
    };
  });
}

/**
 * A view's frames while it is panned and zoomed: first the baselines (`frames` idle rAF intervals and
 * trivial draws of a `size` canvas), then `steps` (a page.evaluate that calls window.__stepFrames with
 * the view's scripted steps and its probe's draw times). The figures: the draws' p95 against the
 * trivial draw's, the rAF interval's against the idle one's; `text` says them for a FIGURE line.
 */
export async function panZoomFigures<T extends Stepped>(
  page: Page,
  frames: number,
  size: { width: number; height: number },
  steps: () => Promise<T>,
): Promise<{ stepped: T; figures: Record<string, number>; text: string }> {
  const fb = await frameBaselines(page, frames, size);
  await installStepper(page);
  const stepped = await steps();
  const drawP95 = p95(stepped.draws);
  const trivialP95 = p95(fb.trivialDraws);
  const intervalP95 = p95(stepped.intervals);
  const idleP95 = p95(fb.idleIntervals);
  return {
    stepped,
    figures: {
      steps: stepped.steps,
      draws: stepped.draws.length,
      drawP50: r2(median(stepped.draws)),
      drawP95: r2(drawP95),
      drawMax: r2(Math.max(...stepped.draws)),
      trivialDrawP95: r2(trivialP95),
      rafIntervalP50: r2(median(stepped.intervals)),
      rafIntervalP95: r2(intervalP95),
      idleRafIntervalP95: r2(idleP95),
      drawRatio: ratio(drawP95, trivialP95),
      intervalRatio: ratio(intervalP95, idleP95),
    },
    text:
      `${r2(drawP95)} ms per draw (baseline trivial canvas draw ${r2(trivialP95)} ms, ratio ${ratio(drawP95, trivialP95)}; ` +
      `rAF interval p95 ${r1(intervalP95)} ms vs idle ${r1(idleP95)} ms, ratio ${ratio(intervalP95, idleP95)}; ${stepped.draws.length} draws over ${stepped.steps} steps`,
  };
}
