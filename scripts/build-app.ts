// Bundles the desktop app's five entry points with esbuild into build/app/:
//   main.js        the main process (main/app/main.ts and everything it imports)
//   sync-worker.js the sync worker, run as an Electron utilityProcess (main/worker/sync-worker.ts)
//   store-thread.js the cache writer, a worker thread of the sync worker (main/worker/store-thread.ts)
//   snapshot-thread.js captures and comparisons, worker threads of the main process (main/worker/snapshot-thread.ts)
//   preload.js     the window's preload (preload/preload.ts): one file, since a sandboxed preload cannot
//                  require local modules
// Node's type stripping does not reach into Electron's asar, and the sandboxed preload needs a single
// script, hence a bundle. `electron` is provided by the runtime and `better-sqlite3` is a native module
// loaded from node_modules (unpacked from the asar), so both stay external. CommonJS output (with a
// package.json saying so next to it) is what every Electron context loads alike.
// `node scripts/build-app.ts [--production] [--out DIR]`
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const ROOT = resolve(import.meta.dirname, '..');
export const APP_OUT = join(ROOT, 'build', 'app');

/** Electron 45: Node 22 in the main and utility processes, Chromium 140 in the renderer. */
const NODE_TARGET = 'node22';
const CHROME_TARGET = 'chrome140';

export const EXTERNAL = ['electron', 'better-sqlite3'];

/**
 * In the preload, zod is a stand-in that accepts any chain of calls: the preload imports the contract for
 * its method and channel names only (validation happens in the main process), and the sandboxed script
 * stays a few kilobytes instead of carrying the schema library.
 */
export const zodStandIn: Plugin = {
  name: 'zod-stand-in',
  setup(b) {
    b.onResolve({ filter: /^zod(\/.*)?$/ }, (a) => ({ path: a.path, namespace: 'zod-stand-in' }));
    b.onLoad({ filter: /.*/, namespace: 'zod-stand-in' }, () => ({
      loader: 'js',
      contents:
        "const z = new Proxy(function () {}, { get: (_t, k) => (typeof k === 'symbol' || k === 'then' ? undefined : z), apply: () => z, construct: () => z });\n" +
        'module.exports = { z, default: z };\n',
    }));
  },
};

export interface BuildAppOptions {
  outDir?: string;
  production?: boolean;
}

export async function buildApp(opts: BuildAppOptions = {}): Promise<string[]> {
  const outDir = resolve(opts.outDir ?? APP_OUT);
  mkdirSync(outDir, { recursive: true });
  const common: BuildOptions = {
    absWorkingDir: ROOT,
    bundle: true,
    format: 'cjs',
    external: EXTERNAL,
    minify: !!opts.production,
    keepNames: true,
    sourcemap: opts.production ? false : 'linked',
    logLevel: 'warning',
    legalComments: 'none',
    metafile: true,
  };
  const node: BuildOptions = {
    ...common,
    platform: 'node',
    target: NODE_TARGET,
    // The sources are ES modules that read import.meta; in a CommonJS bundle these are the file's own.
    define: { 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename', 'import.meta.url': '__fleet_import_meta_url' },
    banner: { js: "var __fleet_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  };
  const results = await Promise.all([
    build({ ...node, entryPoints: { main: join(ROOT, 'main/app/main.ts') }, outdir: outDir }),
    build({ ...node, entryPoints: { 'sync-worker': join(ROOT, 'main/worker/sync-worker.ts') }, outdir: outDir }),
    // the cache writer's thread, started by the sync worker from the file beside it
    build({ ...node, entryPoints: { 'store-thread': join(ROOT, 'main/worker/store-thread.ts') }, outdir: outDir }),
    // snapshot captures and comparisons, a thread of the main process (main/snapshot/jobs.ts)
    build({ ...node, entryPoints: { 'snapshot-thread': join(ROOT, 'main/worker/snapshot-thread.ts') }, outdir: outDir }),
    // The sandboxed preload: browser platform, so a Node built-in pulled in by mistake fails the build.
    build({
      ...common,
      platform: 'browser',
      target: CHROME_TARGET,
      plugins: [zodStandIn],
      entryPoints: { preload: join(ROOT, 'preload/preload.ts') },
      outdir: outDir,
    }),
  ]);
  // The repository's package.json says "type": "module"; these bundles are CommonJS.
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
  const outputs = results.flatMap((r) => Object.keys(r.metafile?.outputs ?? {})).map((f) => resolve(ROOT, f));
  return [...outputs, join(outDir, 'package.json')];
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { production: { type: 'boolean', default: false }, out: { type: 'string' } } });
  const t0 = performance.now();
  buildApp({ production: values.production, ...(values.out ? { outDir: values.out } : {}) }).then(
    (files) => {
      const shown = files.filter((f) => !f.endsWith('.map')).map((f) => relative(ROOT, f));
      console.error(`build:app: ${shown.join(', ')} (${Math.round(performance.now() - t0)} ms)`);
    },
    (e: Error) => {
      console.error(`build:app: ${e.message}`);
      process.exit(1);
    },
  );
}
