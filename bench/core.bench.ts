// Fleet-core figures (issue: fleet core). Each figure comes with its same-run baseline.
//
//   node bench/core.bench.ts [--skip-ingest] [--skip-scale] [--skip-memory] [--clusters 10]
//
// 1. ingest: objects/s written to the store from watch-event lines (scan, strip, insert, history),
//    as the sync worker does it (scanning in its thread, SQLite writes in the store thread), as a
//    ratio to plain JSON.parse of the same lines. Target >= 0.5. Also the same in one thread.
// 2. initial sync of the `scale` cluster (1000 nodes, ~30k pods) by `fleet sync --once` (worker,
//    every kind, into SQLite), as a ratio to `kubectl get pods,nodes -A -o json > /dev/null` against
//    the same apiserver. Target <= 1.2. Also: main-thread event-loop delay p99 during that sync (< 50 ms).
// 3. memory: heap of the main thread and of the sync worker, and process RSS, with 1 and with N
//    `mixed` clusters live. Target: main-thread heap flat (objects live in SQLite).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { Lab } from '../lab/src/lab.ts';
import { buildSeed } from '../lab/src/profiles/index.ts';
import { Store, type WriteOp } from '../main/store/store.ts';
import { startSyncWorker } from '../main/worker/client.ts';
import { SETTLED } from '../main/kube/sync.ts';
import { decodeWatchLine, watchOp, WATCH_BATCH, WATCH_WINDOW } from '../main/kube/reflector.ts';
import { ThreadedStore } from '../main/store/writer.ts';

const STORE_THREAD = new URL('../main/worker/store-thread.ts', import.meta.url);
import { MiB } from './calibrate.ts';

const { values } = parseArgs({
  options: {
    'skip-ingest': { type: 'boolean', default: false },
    'skip-scale': { type: 'boolean', default: false },
    'skip-memory': { type: 'boolean', default: false },
    clusters: { type: 'string', default: '10' },
    objects: { type: 'string', default: '30000' },
  },
});
const results: Record<string, unknown> = { at: new Date().toISOString() };
const log = process.env.BENCH_VERBOSE ? (s: string) => process.stderr.write(s) : () => {};
const work = mkdtempSync(join(tmpdir(), 'fleet-core-bench-'));

// ---- 1. ingest ------------------------------------------------------------------------------
// In a function, so that its 54 MiB of lines are garbage once it returns (the memory figure below is
// measured in this same process).
const ingestBench = async (): Promise<void> => {
  // Realistic pods: the lab's own builders, with the fields a server adds (status, managedFields).
  const seed = buildSeed('scale', 1000, 30, 'bench', 'v1.37.1');
  const templates = seed.objects.filter((o) => o.kind === 'Deployment').map((d) => d.spec.template);
  const n = Number(values.objects);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = templates[i % templates.length]!;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `pod-${i}`,
        namespace: `tenant-${i % 10}`,
        uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        resourceVersion: String(1000 + i),
        creationTimestamp: '2026-11-22T07:00:00Z',
        labels: { ...t.metadata.labels, 'pod-template-hash': '5d8f9c7b6' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'svc-5d8f9c7b6', uid: 'rs-uid', controller: true, blockOwnerDeletion: true },
        ],
        managedFields: [
          {
            manager: 'kube-controller-manager',
            operation: 'Update',
            apiVersion: 'v1',
            time: '2026-11-22T07:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:metadata': { 'f:labels': {} }, 'f:spec': { 'f:containers': {} } },
          },
        ],
      },
      spec: {
        ...t.spec,
        nodeName: `node-${String(i % 1000).padStart(4, '0')}`,
        schedulerName: 'default-scheduler',
        restartPolicy: 'Always',
        dnsPolicy: 'ClusterFirst',
      },
      status: {
        phase: 'Running',
        hostIP: '127.0.0.1',
        podIP: `10.64.${(i >> 8) & 255}.${i & 255}`,
        startTime: '2026-11-22T07:00:01Z',
        qosClass: 'Burstable',
        conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
          type,
          status: 'True',
          lastTransitionTime: '2026-11-22T07:00:01Z',
        })),
        containerStatuses: [
          {
            name: t.spec.containers[0].name,
            image: t.spec.containers[0].image,
            imageID: '',
            ready: true,
            restartCount: 0,
            started: true,
            state: { running: { startedAt: '2026-11-22T07:00:01Z' } },
          },
        ],
      },
    };
    lines.push(JSON.stringify({ type: 'ADDED', object: pod }));
  }
  const bytes = lines.reduce((a, l) => a + l.length, 0);
  // Baseline: JSON.parse of the same lines, in each round below.
  // Measured, as the sync worker ingests: per watch event line what the reflector does (decodeWatchLine,
  // watchOp, batches of WATCH_BATCH) and hands to the store thread (prepareBatch: the stripped text
  // encoded into one transferred buffer per batch), at most WATCH_WINDOW batches uncommitted; the store
  // thread writes each batch (insert, indexes, history row) in one transaction. Timed from the first
  // line to the commit of the last batch. Also the same in one thread (Store.write), for comparison.
  /** The lines as the reflector batches them: decoded (decodeWatchLine, watchOp), WATCH_BATCH ops a batch, the rest last. */
  function* batches(): Generator<WriteOp[]> {
    let batch: WriteOp[] = [];
    for (const l of lines) {
      const ev = decodeWatchLine(l);
      const op = ev && watchOp('bench', 'pods', ev, Date.now());
      if (!op) throw new Error('not a watch event');
      batch.push(op);
      if (batch.length === WATCH_BATCH) {
        yield batch;
        batch = [];
      }
    }
    yield batch;
  }
  const pipeline = async (db: string): Promise<number> => {
    const ts = new ThreadedStore(STORE_THREAD, { dbPath: db });
    await ts.ready();
    const t0 = performance.now();
    const window: Promise<void>[] = [];
    for (const batch of batches()) {
      window.push(ts.write(batch));
      if (window.length >= WATCH_WINDOW) await window.shift();
    }
    await Promise.all(window);
    const ms = performance.now() - t0;
    await ts.close();
    return ms;
  };
  const inThread = (db: string): number => {
    const st = new Store(db);
    const t0 = performance.now();
    for (const batch of batches()) st.write(batch);
    const ms = performance.now() - t0;
    st.close();
    return ms;
  };
  // Rounds interleave the three (the machine is noisy: each ratio is of one round); fresh databases.
  const rounds: { parseMs: number; ingestMs: number; singleMs: number }[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    let sink = 0;
    for (const l of lines) sink += (JSON.parse(l) as { type: string }).type.length;
    const parseMs = performance.now() - t0;
    if (sink === 0) throw new Error('unreachable');
    const db = join(work, `ingest-${r}.db`);
    const ingestMs = await pipeline(db);
    rmSync(db, { force: true });
    const singleMs = inThread(db);
    rmSync(db, { force: true });
    rounds.push({ parseMs, ingestMs, singleMs });
    log(`ingest round ${r}: parse ${parseMs.toFixed(0)} ms, pipeline ${ingestMs.toFixed(0)} ms, one thread ${singleMs.toFixed(0)} ms\n`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ratio = median(rounds.map((x) => x.parseMs / x.ingestMs));
  const singleRatio = median(rounds.map((x) => x.parseMs / x.singleMs));
  const parseMs = median(rounds.map((x) => x.parseMs));
  const ingestMs = median(rounds.map((x) => x.ingestMs));
  const singleMs = median(rounds.map((x) => x.singleMs));
  const parseRate = (n / parseMs) * 1000;
  const ingestRate = (n / ingestMs) * 1000;
  const singleRate = (n / singleMs) * 1000;
  results.ingest = { objects: n, bytes, rounds, parseRate, ingestRate, ratio, singleRate, singleRatio };
  console.log(
    `FIGURE ingest: ${ingestRate.toFixed(0)} objects/s into SQLite (scan thread + store thread) vs ${parseRate.toFixed(0)}/s JSON.parse of the same ${(bytes / MiB).toFixed(0)} MiB = ratio ${ratio.toFixed(2)} (target >= 0.5; median of 5 interleaved rounds, ratios ${rounds.map((x) => (x.parseMs / x.ingestMs).toFixed(2)).join(' ')})`,
  );
  console.log(
    `FIGURE ingest_one_thread: ${singleRate.toFixed(0)} objects/s with scan and writes in one thread = ratio ${singleRatio.toFixed(2)} (ratios ${rounds.map((x) => (x.parseMs / x.singleMs).toFixed(2)).join(' ')})`,
  );
};
if (!values['skip-ingest']) await ingestBench();

// ---- 2. initial sync of the scale cluster ------------------------------------------------------
if (!values['skip-scale']) {
  const labDir = join(work, 'lab-scale');
  const lab = await Lab.up({ dir: labDir, clusters: 1, profile: 'scale', log });
  try {
    const rec = lab.cluster('lab-1');
    const kubectl = lab.state.bin.kubectl;
    // Baseline (best of 2): kubectl's own paged list of pods and nodes, output discarded.
    let kubectlMs = Infinity;
    for (let r = 0; r < 2; r++) {
      const t0 = performance.now();
      const devnull = openSync('/dev/null', 'w');
      execFileSync(kubectl, ['--kubeconfig', rec.kubeconfigs.admin, 'get', 'pods,nodes', '-A', '-o', 'json'], {
        stdio: ['ignore', devnull, 'inherit'],
        maxBuffer: 1 << 30,
      });
      kubectlMs = Math.min(kubectlMs, performance.now() - t0);
    }
    // Measured: the console's sync in its worker, from an empty cache, every kind, until live.
    let syncMs = Infinity;
    let p99 = 0;
    let max = 0;
    for (let r = 0; r < 2; r++) {
      const db = join(work, `scale-${r}.db`);
      const h = monitorEventLoopDelay({ resolution: 10 });
      h.enable();
      const t0 = performance.now();
      const sync = startSyncWorker({
        dbPath: db,
        dataDir: work,
        sources: { useDefault: false, files: [rec.kubeconfigs.admin], folders: [] },
        contexts: [],
      });
      const final = await sync.settled(30 * 60_000, (s) => SETTLED.includes(s.status));
      const ms = performance.now() - t0;
      h.disable();
      await sync.stop();
      if (final[0]?.status !== 'live') throw new Error(`scale sync ended ${final[0]?.status}: ${final[0]?.message}`);
      if (ms < syncMs) {
        syncMs = ms;
        p99 = h.percentile(99) / 1e6;
        max = h.max / 1e6;
      }
      const st = new Store(db, { readonly: true });
      results.scaleCounts = { pods: st.versions(final[0].id, 'pods').size, nodes: st.versions(final[0].id, 'nodes').size };
      st.close();
      rmSync(db, { force: true });
    }
    results.scaleSync = { syncMs, kubectlMs, ratio: syncMs / kubectlMs, eventLoopP99Ms: p99, eventLoopMaxMs: max };
    console.log(
      `FIGURE initial_sync_scale: ${(syncMs / 1000).toFixed(1)} s (${JSON.stringify(results.scaleCounts)}, all kinds) vs kubectl get pods,nodes -A -o json ${(kubectlMs / 1000).toFixed(1)} s = ratio ${(syncMs / kubectlMs).toFixed(2)} (target <= 1.2)`,
    );
    console.log(
      `FIGURE main_thread_event_loop_delay_during_scale_sync: p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms (target p99 < 50 ms)`,
    );
  } finally {
    await lab.down({ removeFiles: true });
  }
}

// ---- 3. memory with 1 and N mixed clusters -----------------------------------------------------
if (!values['skip-memory']) {
  const n = Number(values.clusters);
  const labDir = join(work, 'lab-mem');
  const lab = await Lab.up({ dir: labDir, clusters: 1, profile: 'mixed', log });
  const db = join(work, 'mem.db');
  try {
    // A folder of admin kubeconfigs, watched by the worker: clusters added to it are picked up.
    const kcDir = join(work, 'kubeconfigs');
    mkdirSync(kcDir, { recursive: true });
    const publish = () => {
      for (const c of lab.state.clusters) copyFileSync(c.kubeconfigs.admin, join(kcDir, `${c.name}.kubeconfig`));
    };
    publish();
    const sync = startSyncWorker({ dbPath: db, dataDir: work, sources: { useDefault: false, files: [], folders: [kcDir] }, contexts: [] });
    const measure = async (label: string) => {
      await sync.settled(10 * 60_000, (s) => s.status === 'live');
      await sleep(20_000); // let the watches run
      const gcMain = (globalThis as { gc?: () => void }).gc;
      gcMain?.();
      const heaps = await sync.heap();
      const m = {
        mainHeapBytes: getHeapStatistics().used_heap_size,
        // the sync worker's two threads: sockets and scanning, and the store (writes, views)
        workerHeapBytes: heaps.sync + (heaps.store ?? 0),
        syncThreadHeapBytes: heaps.sync,
        storeThreadHeapBytes: heaps.store,
        rssBytes: process.memoryUsage().rss,
        clusters: sync.statuses().length,
      };
      results[`memory_${label}`] = m;
      console.log(
        `  ${label}: ${m.clusters} clusters live: main heap ${(m.mainHeapBytes / MiB).toFixed(1)} MiB, worker heap ${(m.workerHeapBytes / MiB).toFixed(1)} MiB (sync thread ${(m.syncThreadHeapBytes / MiB).toFixed(1)}, store thread ${((m.storeThreadHeapBytes ?? 0) / MiB).toFixed(1)}), process RSS ${(m.rssBytes / MiB).toFixed(0)} MiB`,
      );
      return m;
    };
    const one = await measure('1');
    await Lab.up({ dir: labDir, clusters: n - 1, profile: 'mixed', parallel: 2, log });
    lab.reload();
    publish();
    await until(() => sync.statuses().length >= n, 120_000);
    const many = await measure(String(n));
    await sync.stop();
    const d = (k: 'mainHeapBytes' | 'workerHeapBytes' | 'rssBytes') => `${((many[k] - one[k]) / MiB).toFixed(1)} MiB`;
    console.log(
      `FIGURE memory_1_to_${n}_mixed_clusters: main heap ${(one.mainHeapBytes / MiB).toFixed(1)} -> ${(many.mainHeapBytes / MiB).toFixed(1)} MiB (${d('mainHeapBytes')}), worker heap ${(one.workerHeapBytes / MiB).toFixed(1)} -> ${(many.workerHeapBytes / MiB).toFixed(1)} MiB (${d('workerHeapBytes')}), RSS ${(one.rssBytes / MiB).toFixed(0)} -> ${(many.rssBytes / MiB).toFixed(0)} MiB`,
    );
  } finally {
    await lab.down({ removeFiles: true });
  }
}

async function until(fn: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(200);
  }
}

rmSync(work, { recursive: true, force: true });
mkdirSync(resolve(import.meta.dirname, 'results'), { recursive: true });
const out = resolve(import.meta.dirname, 'results', `core-${Date.now()}.json`);
writeFileSync(out, JSON.stringify(results, null, 2));
console.log(`results: ${out}`);
