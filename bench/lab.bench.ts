// Lab figures: `up --clusters 3` time, idle RSS per `mixed` cluster, how many `mixed` clusters fit
// with 8 GiB left free (verified by starting them), `scale` profile time to fully up, and (opt-in)
// a cold build of every binary. Each time is also printed as a ratio to a CPU calibration run here.
//
//   node bench/lab.bench.ts [--skip-fit] [--fit-max N] [--skip-scale] [--cold-build]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Lab } from '../lab/src/lab.ts';
import { calibrationMs, GiB, MiB, memInfo } from './calibrate.ts';

const { values } = parseArgs({
  options: {
    'skip-fit': { type: 'boolean', default: false },
    'skip-scale': { type: 'boolean', default: false },
    'cold-build': { type: 'boolean', default: false },
    'keep-free-gib': { type: 'string', default: '8' },
    'fit-max': { type: 'string', default: '12' },
    'only-scale': { type: 'boolean', default: false },
  },
});
const results: Record<string, unknown> = { at: new Date().toISOString() };
const calib = calibrationMs();
results.calibrationMs = calib;
console.log(`calibration: sha256 of 256 MiB = ${calib.toFixed(0)} ms`);
const fig = (name: string, ms: number) => {
  results[name] = { ms, ratioToCalibration: ms / calib };
  console.log(`FIGURE ${name}: ${(ms / 1000).toFixed(1)} s (${(ms / calib).toFixed(1)}x calibration)`);
};
const log = process.env.BENCH_VERBOSE ? (s: string) => process.stderr.write(s) : () => {};

async function clusterRss(lab: Lab, samples = 3): Promise<{ perCluster: number[]; byComponent: Record<string, number> }> {
  const per: number[][] = [];
  const byComponent: Record<string, number[]> = {};
  for (let i = 0; i < samples; i++) {
    const st = lab.status();
    per.push(st.clusters.map((c) => c.rssBytes));
    for (const c of st.clusters) for (const p of c.processes) (byComponent[p.name] ??= []).push(p.rssBytes);
    await sleep(5000);
  }
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  return {
    perCluster: per[0]!.map((_, i) => mean(per.map((s) => s[i]!))),
    byComponent: Object.fromEntries(Object.entries(byComponent).map(([k, v]) => [k, mean(v)])),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'fleet-lab-bench-'));
let lab: Lab | undefined;
try {
  let t0 = performance.now();
  if (!values['only-scale']) {
    // 1. up --clusters 3 (mixed)
    lab = await Lab.up({ dir, clusters: 3, profile: 'mixed', log });
    fig('up_3_mixed', performance.now() - t0);

    // 2. idle RSS per mixed cluster, after a minute of settling (Go heaps grow after start).
    await sleep(60_000);
    const rss = await clusterRss(lab);
    const perCluster = rss.perCluster.reduce((a, b) => a + b, 0) / rss.perCluster.length;
    results.idleRssPerMixedClusterBytes = perCluster;
    results.idleRssByComponentBytes = rss.byComponent;
    console.log(
      `FIGURE idle_rss_per_mixed_cluster: ${(perCluster / MiB).toFixed(0)} MiB (${Object.entries(rss.byComponent)
        .map(([k, v]) => `${k} ${(v / MiB).toFixed(0)}`)
        .join(', ')} MiB)`,
    );

    // 3. how many mixed clusters fit while keeping `keep-free-gib` free. RSS double-counts the pages of
    // the shared binaries, so measure what each added cluster takes from MemAvailable (least squares
    // over 3..fit-max running clusters, each point after the new clusters idled), then extrapolate.
    const keepFree = Number(values['keep-free-gib']) * GiB;
    const fitMax = Number(values['fit-max']);
    const points: [number, number][] = [];
    const sample = async () => {
      await sleep(30_000);
      points.push([lab!.state.clusters.length, memInfo().availableBytes]);
      console.log(
        `  ${lab!.state.clusters.length} clusters running: ${(memInfo().availableBytes / GiB).toFixed(2)} GiB available, load ${loadavg()[0]!.toFixed(1)}`,
      );
    };
    await sample();
    if (!values['skip-fit']) {
      while (lab.state.clusters.length < fitMax) {
        await Lab.up({ dir, clusters: Math.min(3, fitMax - lab.state.clusters.length), profile: 'mixed', parallel: 2, log });
        lab.reload();
        await sample();
      }
    }
    if (points.length >= 2) {
      const n = points.length;
      const mx = points.reduce((a, p) => a + p[0], 0) / n;
      const my = points.reduce((a, p) => a + p[1], 0) / n;
      const slope = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
      const marginal = -slope;
      const availWithNone = my + marginal * mx;
      const fits = Math.floor((availWithNone - keepFree) / marginal);
      results.marginalBytesPerMixedCluster = marginal;
      results.fit = { clusters: fits, verifiedRunning: lab.state.clusters.length, points, loadAvg: loadavg() };
      console.log(
        `FIGURE marginal_memory_per_mixed_cluster: ${(marginal / MiB).toFixed(0)} MiB (MemAvailable slope over ${points.map((p) => p[0]).join(',')} clusters)`,
      );
      console.log(
        `FIGURE mixed_clusters_fit_with_${values['keep-free-gib']}GiB_free: ${fits} (memory bound, extrapolated; ${lab.state.clusters.length} verified running; load average then ${loadavg()
          .map((x) => x.toFixed(1))
          .join(' ')} on ${cpus().length} cores)`,
      );
    }
    await lab.down();
  }

  // 4. scale: 1000 nodes, 30 pods per node.
  if (!values['skip-scale']) {
    t0 = performance.now();
    lab = await Lab.up({ dir, clusters: 1, profile: 'scale', log });
    fig('scale_profile_fully_up', performance.now() - t0);
    const st = lab.status();
    results.scaleRssBytes = st.clusters[0]!.rssBytes;
    console.log(
      `  scale cluster RSS ${(st.clusters[0]!.rssBytes / MiB).toFixed(0)} MiB; phases: ${JSON.stringify(st.clusters[0]!.timings)}`,
    );
    await lab.down();
  }
} finally {
  if (lab) await lab.down({ removeFiles: true });
  rmSync(dir, { recursive: true, force: true });
}

// 5. cold build (opt-in: ~13 min on 2 cores): empty Go build and module caches, empty binary cache.
if (values['cold-build']) {
  const tmp = mkdtempSync(join(tmpdir(), 'fleet-cold-build-'));
  const env = { ...process.env, GOCACHE: join(tmp, 'gocache'), GOMODCACHE: join(tmp, 'gomod'), FLEET_LAB_CACHE: join(tmp, 'lab') };
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [resolve(import.meta.dirname, '../lab/src/cli.ts'), 'build'], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error('cold build failed');
  fig('cold_build_all_binaries_incl_module_download', performance.now() - t0);
  spawnSync('chmod', ['-R', 'u+w', tmp]);
  rmSync(tmp, { recursive: true, force: true });
}

mkdirSync(resolve(import.meta.dirname, 'results'), { recursive: true });
const out = resolve(import.meta.dirname, 'results', `lab-${Date.now()}.json`);
writeFileSync(out, JSON.stringify(results, null, 2));
console.log(`results: ${out}`);
