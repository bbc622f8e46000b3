// Fleet-scale figures (issue: scale): the console's sync worker with 10, 30 and 100 live clusters of the
// lab's fleet mode (slim real control planes sharing one etcd, and aliases of them at other loopback
// addresses: lab/src/fleet.ts). For each size, in one run:
//
//   - time until every cluster is live (from an empty cache, every served kind), as a ratio to kubectl
//     listing the same kinds of every cluster in sequence (`kubectl get <kinds> -A -o json`, one
//     cluster after another: what a script or a console without a cache does);
//   - the main thread's event-loop delay p99 while they sync (target < 50 ms);
//   - the sync worker's JS heap (its two threads) and the process's RSS, per cluster, once live;
//   - CPU per cluster at idle (watches open, nothing changing) and under churn (the lab's fleet churn at
//     a stated rate: pod create/update/delete and events, plus a node flap every few seconds), as a
//     share of one core;
//   - TCP sockets per cluster (this process's established connections: HTTP/2 multiplexes every
//     list and watch of a cluster on one, HTTP/1.1 needs one per open watch);
//   - and the largest fleet again over HTTP/1.1 (FLEET_HTTP2=0): the transport's baseline, as ratios.
//
//   node bench/fleet.bench.ts [--sizes 10,30,100] [--real R] [--churn-rate 20] [--window 20]
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { Lab } from '../lab/src/lab.ts';
import { discover } from '../main/fleet/sources.ts';
import { Connection } from '../main/kube/connection.ts';
import { ExecCredentialCache } from '../main/kube/exec.ts';
import { TrustStore } from '../main/fleet/trust.ts';
import { discoverServed, servedKinds } from '../main/kube/resources.ts';
import { SETTLED } from '../main/kube/sync.ts';
import { startSyncWorker } from '../main/worker/client.ts';
import { calibrationMs, MiB } from './calibrate.ts';
import { benchArgs, log, r1, r2, ratio, runBench, writeResults } from './harness.ts';

const run = promisify(execFile);

const args = benchArgs({
  numbers: { real: 0, 'churn-rate': 20, window: 20, 'flap-every': 5 },
  strings: ['sizes'] as const,
});
const SIZES = (args.sizes ?? '10,30,100').split(',').map(Number);

/** Established TCP connections of this process (its sockets' inodes matched in /proc/net/tcp{,6}). */
export function establishedSockets(): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  let n = 0;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '01' && inodes.has(cols[9] ?? '')) n++;
    }
  }
  return n;
}

/** A child Node process that does nothing but measure its own event-loop delay until stopped: its p99 (ms). */
function idleLoopProbe(): { stop(): Promise<number> } {
  const code =
    "const { monitorEventLoopDelay } = require('node:perf_hooks'); const h = monitorEventLoopDelay({ resolution: 10 }); h.enable();" +
    "process.stdin.on('data', () => { process.stdout.write(String(h.percentile(99) / 1e6)); process.exit(0); }); process.stdin.resume();";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return {
    stop: () =>
      new Promise((resolve) => {
        child.on('exit', () => resolve(Number(out)));
        child.stdin.write('x');
      }),
  };
}

/** CPU time of this process (every thread: the sync worker's two, the main one) over `ms`, as a share of one core. */
async function cpuShare(ms: number): Promise<number> {
  const a = process.cpuUsage();
  const t0 = performance.now();
  await sleep(ms);
  const d = process.cpuUsage(a);
  return (d.user + d.system) / 1000 / (performance.now() - t0);
}

async function main(): Promise<void> {
  const calib = calibrationMs();
  log(`calibration: sha256 of 256 MiB = ${calib.toFixed(0)} ms`);
  const work = mkdtempSync(join(tmpdir(), 'fleet-scale-bench-'));
  const total = Math.max(...SIZES);
  const lab = await Lab.up({
    dir: join(work, 'lab'),
    fleet: { total, ...(args.real > 0 ? { real: args.real } : {}) },
    log: process.env.BENCH_VERBOSE ? (s) => process.stderr.write(s) : () => {},
  });
  const out: Record<string, unknown> = { at: new Date().toISOString(), calibrationMs: calib };
  const figures: string[] = [];
  try {
    const fleet = lab.status().fleet!;
    const kubeconfig = fleet.kubeconfig;
    const doc = parseYaml(readFileSync(kubeconfig, 'utf8')) as { contexts: { name: string }[] };
    const contexts = doc.contexts.map((c) => c.name);
    if (contexts.length < total) throw new Error(`the fleet has ${contexts.length} contexts, ${total} asked for`);
    // Real clusters first, then aliases, interleaved so that each size has some of each.
    const aliasOf = new Map(fleet.aliases.map((a) => [a.name, a.aliasOf]));
    const ordered = [...contexts.filter((c) => !aliasOf.has(c)), ...contexts.filter((c) => aliasOf.has(c))];
    out.fleet = { real: fleet.real.length, aliases: fleet.aliases.length, rssBytes: fleet.rssBytes };
    log(`fleet: ${fleet.real.length} real + ${fleet.aliases.length} aliases`);

    // The kinds the console syncs (served ones of the catalogue), for kubectl's baseline.
    const entries = discover({ useDefault: false, files: [kubeconfig], folders: [] }).entries;
    const conn = new Connection(
      entries.find((e) => e.context === ordered[0])!,
      {
        trust: new TrustStore(join(work, 'approvals.json')),
        execCache: new ExecCredentialCache(),
      },
    );
    const kinds = servedKinds(await discoverServed(conn)).kinds;
    conn.close();
    const resources = kinds.map((k) => (k.group ? `${k.plural}.${k.group}` : k.plural)).join(',');
    const kubectl = lab.state.bin.kubectl;

    const base = { rss: process.memoryUsage().rss, sockets: establishedSockets() };
    type Measured = {
      clusters: number;
      transport: string;
      liveMs: number;
      eventLoopP99Ms: number;
      idleProcessP99Ms: number;
      loadAverage: number;
      workerHeapMiB: number;
      rssMiB: number;
      sockets: number;
      cpuIdlePct: number;
      cpuChurnPct: number;
      churn: unknown;
    };
    /** One fleet of n clusters synced from an empty cache, then idle, then churned; HTTP/2 or HTTP/1.1. */
    const measure = async (n: number, http2: boolean): Promise<Measured> => {
      const chosen = ordered.slice(0, n);
      const db = join(work, `cache-${n}-${http2 ? 'h2' : 'h1'}.db`);
      // the worker thread takes the environment as it is when it starts
      if (http2) delete process.env.FLEET_HTTP2;
      else process.env.FLEET_HTTP2 = '0';
      const h = monitorEventLoopDelay({ resolution: 10 });
      h.enable();
      // Baseline in the same window: an idle Node process's own event-loop delay (what the machine's
      // load alone does to a thread that has nothing to do).
      const idleProbe = idleLoopProbe();
      const t0 = performance.now();
      const sync = startSyncWorker({
        dbPath: db,
        dataDir: work,
        sources: { useDefault: false, files: [kubeconfig], folders: [] },
        contexts: chosen,
      });
      delete process.env.FLEET_HTTP2;
      try {
        const final = await sync.settled(20 * 60_000, (s) => SETTLED.includes(s.status));
        const liveMs = performance.now() - t0;
        h.disable();
        const idleP99 = await idleProbe.stop();
        const notLive = final.filter((s) => s.status !== 'live');
        if (final.length !== n || notLive.length)
          throw new Error(
            `${n} clusters: ${final.length} synced, not live: ${notLive.map((s) => `${s.context} ${s.status} ${s.message ?? ''}`).join('; ')}`,
          );
        const p99 = h.percentile(99) / 1e6;
        const load = loadavg()[0]!;
        await sleep(10_000); // the watches settle (bookmarks, the views computed)
        (globalThis as { gc?: () => void }).gc?.();
        const heaps = await sync.heap();
        const rss = process.memoryUsage().rss;
        const sockets = establishedSockets() - base.sockets;
        const idle = await cpuShare(args.window * 1000);
        const churning = lab.fleetChurn({ rate: args['churn-rate'], seconds: args.window + 2, flapEverySeconds: args['flap-every'] });
        await sleep(1000);
        const churn = await cpuShare(args.window * 1000);
        const churned = await churning;
        return {
          clusters: n,
          transport: http2 ? 'HTTP/2' : 'HTTP/1.1',
          liveMs,
          eventLoopP99Ms: r1(p99),
          idleProcessP99Ms: r1(idleP99),
          loadAverage: r1(load),
          workerHeapMiB: r1((heaps.sync + (heaps.store ?? 0)) / MiB),
          rssMiB: r1((rss - base.rss) / MiB),
          sockets,
          cpuIdlePct: r2(idle * 100),
          cpuChurnPct: r2(churn * 100),
          churn: churned,
        };
      } finally {
        await sync.stop();
        for (const x of ['', '-wal', '-shm']) rmSync(`${db}${x}`, { force: true });
      }
    };
    const per = (x: number, n: number) => r2(x / n);
    const line = (m: Measured) =>
      `worker heap ${m.workerHeapMiB} MiB (${per(m.workerHeapMiB, m.clusters)} per cluster), process RSS +${m.rssMiB} MiB (${per(m.rssMiB, m.clusters)}), ` +
      `sockets ${m.sockets} (${per(m.sockets, m.clusters)}), CPU idle ${m.cpuIdlePct} % of a core (${per(m.cpuIdlePct, m.clusters)}), ` +
      `under churn ${m.cpuChurnPct} % (${per(m.cpuChurnPct, m.clusters)})`;

    for (const n of SIZES) {
      // Baseline: kubectl lists the same kinds of each cluster, one cluster after another.
      const k0 = performance.now();
      for (const ctx of ordered.slice(0, n)) {
        await run(kubectl, ['--kubeconfig', kubeconfig, '--context', ctx, 'get', resources, '-A', '-o', 'json'], {
          maxBuffer: 1 << 30,
        });
      }
      const kubectlMs = performance.now() - k0;
      const m = await measure(n, true);
      out[`fleet_${n}`] = { ...m, kubectlMs, liveVsKubectl: ratio(m.liveMs, kubectlMs) };
      figures.push(
        `FIGURE fleet_${n}_time_to_live: ${r1(m.liveMs / 1000)} s vs kubectl listing the same ${kinds.length} kinds of each cluster in sequence ${r1(kubectlMs / 1000)} s = ratio ${ratio(m.liveMs, kubectlMs)}`,
        `FIGURE fleet_${n}_main_event_loop_p99_while_syncing: ${m.eventLoopP99Ms} ms (target < 50 ms) vs an idle process's ${m.idleProcessP99Ms} ms in the same window (load average ${m.loadAverage} on ${cpus().length} cores)`,
        `FIGURE fleet_${n}_resources (${m.transport}; churn ${args['churn-rate']} ops/s across the fleet's real clusters, a node flap every ${args['flap-every']} s; per cluster in brackets): ${line(m)}`,
      );
      for (const f of figures.slice(-3)) log(f);
    }
    // The same largest fleet over HTTP/1.1 (a socket per open watch): the baseline of the transport.
    const n = Math.max(...SIZES);
    const h2 = out[`fleet_${n}`] as Measured;
    const h1 = await measure(n, false);
    out[`fleet_${n}_http1`] = h1;
    figures.push(
      `FIGURE fleet_${n}_http1_baseline: ${line(h1)}; time to live ${r1(h1.liveMs / 1000)} s, event-loop p99 ${h1.eventLoopP99Ms} ms`,
      `FIGURE fleet_${n}_http2_vs_http1: sockets ${ratio(h2.sockets, h1.sockets)}, worker heap ${ratio(h2.workerHeapMiB, h1.workerHeapMiB)}, CPU under churn ${ratio(h2.cpuChurnPct, h1.cpuChurnPct)}, time to live ${ratio(h2.liveMs, h1.liveMs)}`,
    );
    for (const f of figures.slice(-2)) log(f);
  } finally {
    await lab.down({ removeFiles: true });
    rmSync(work, { recursive: true, force: true });
  }
  writeResults('fleet', out, figures);
}

runBench('fleet bench', main);
