// Snapshot and bundle figures (the snapshot issue's benchmarks), each against a baseline measured in
// the same run:
//
//   node bench/snapshot.bench.ts [--clusters 30] [--nodes 10000] [--pods-per-node 27] [--runs 3]
//                                [--bundle-clusters 4] [--db PATH] [--keep]
//
// 1. capture: captureSnapshot of the whole cache (every cluster, all history) vs. a plain file copy of
//    the same database (checkpointed first, so the copy is the whole database). Median of --runs.
//    1b. the caller's longest event-loop stall with the capture on its thread (captureInThread, what the
//    console does) vs. in place.
// 2. open: openSnapshot (header checks, PRAGMA quick_check over every page, manifest, Store open) and
//    open + the first fleet answer (what the UI paints from), vs. the same file copy.
// 3. bundle export: objects/s of exportBundle with redaction on vs. the same export with redaction off
//    (the same YAML, events, timeline, summaries and snapshot, unredacted), over --bundle-clusters
//    clusters of the cache.
// The cache: bench/synth.ts (the store's own writers), ~300k objects by default (10,000 nodes,
// 270,000 pods, namespaces, storage objects, events), in a temp dir removed afterwards unless --keep.
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Store } from '../main/store/store.ts';
import { synthFleet } from './synth.ts';
import { captureSnapshot, openSnapshot } from '../main/snapshot/snapshot.ts';
import { captureInThread } from '../main/snapshot/jobs.ts';
import { exportBundle } from '../main/snapshot/bundle.ts';
import { ViewService } from '../main/views/service.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '30' },
    nodes: { type: 'string', default: '10000' },
    'pods-per-node': { type: 'string', default: '27' },
    runs: { type: 'string', default: '3' },
    'bundle-clusters': { type: 'string', default: '4' },
    db: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const MiB = 2 ** 20;
const dir = mkdtempSync(join(tmpdir(), 'fleet-snapbench-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = (fn: () => void): number => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};
const r2 = (x: number) => x.toFixed(2);

try {
  let db = values.db;
  if (!db) {
    db = join(dir, 'cache.db');
    const s = synthFleet(db, {
      clusters: Number(values.clusters),
      nodes: Number(values.nodes),
      podsPerNode: Number(values['pods-per-node']),
    });
    console.log(`# synthetic cache: ${s.clusters.length} clusters, ${s.nodes} nodes, ${s.pods} pods in ${(s.ms / 1000).toFixed(1)} s`);
  }
  {
    // A checkpointed, quiet database: the copy baseline copies everything the capture reads.
    const s = new Store(db);
    s.checkpoint();
    const objects = Object.values(s.counts().byKind).reduce((a, n) => a + n, 0);
    s.close();
    console.log(`# cache ${db}: ${objects} objects, ${(statSync(db).size / MiB).toFixed(0)} MiB`);
  }

  // 1. capture vs copy (alternating, so drift hits both)
  const copyMs: number[] = [];
  const captureMs: number[] = [];
  const snap = join(dir, 'bench.fleetsnap');
  for (let i = 0; i < runs; i++) {
    const copy = join(dir, 'copy.db');
    rmSync(copy, { force: true });
    copyMs.push(time(() => copyFileSync(db, copy)));
    rmSync(copy, { force: true });
    rmSync(snap, { force: true });
    captureMs.push(time(() => captureSnapshot({ db, out: snap })));
  }
  const copy = median(copyMs);
  const cap = median(captureMs);
  console.log(
    `FIGURE snapshot_capture_300k: ${Math.round(cap)} ms (baseline plain file copy ${Math.round(copy)} ms, ratio ${r2(cap / copy)}; ` +
      `${(statSync(db).size / MiB).toFixed(0)} MiB cache -> ${(statSync(snap).size / MiB).toFixed(0)} MiB snapshot; median of ${runs})`,
  );

  // 1b. the same capture on its own thread (what the console does): the caller's event loop keeps
  //     turning; its longest stall, against the stall of the capture in place (the whole capture)
  {
    const stalls: { inPlace: number[]; thread: number[]; wall: number[] } = { inPlace: [], thread: [], wall: [] };
    const longestStall = async (fn: () => Promise<unknown> | unknown): Promise<number> => {
      const h = monitorEventLoopDelay({ resolution: 5 });
      h.enable();
      // one turn first, so the histogram has a start
      await new Promise((r) => setTimeout(r, 20));
      await fn();
      await new Promise((r) => setTimeout(r, 20));
      h.disable();
      return h.max / 1e6;
    };
    for (let i = 0; i < runs; i++) {
      rmSync(snap, { force: true });
      stalls.inPlace.push(await longestStall(() => captureSnapshot({ db, out: snap })));
      rmSync(snap, { force: true });
      const t0 = performance.now();
      stalls.thread.push(await longestStall(() => captureInThread({ db, out: snap })));
      stalls.wall.push(performance.now() - t0 - 40);
    }
    const inPlace = median(stalls.inPlace);
    const thread = median(stalls.thread);
    console.log(
      `FIGURE snapshot_capture_caller_stall: longest event-loop stall of the caller ${thread.toFixed(1)} ms with the capture on its thread ` +
        `(baseline the capture in place ${Math.round(inPlace)} ms, ratio ${(thread / inPlace).toFixed(3)}); ` +
        `capture on its thread ${Math.round(median(stalls.wall))} ms wall vs ${Math.round(cap)} ms in place; median of ${runs}`,
    );
  }

  // 2. open vs copy
  const openMs: number[] = [];
  const firstFleetMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    let fleetMs = 0;
    const ms = time(() => {
      const o = openSnapshot(snap);
      const t = performance.now();
      const svc = new ViewService(o.store, {
        mode: 'snapshot',
        source: snap,
        derive: 'memory',
        snapshot: { file: 'bench.fleetsnap', manifest: o.manifest },
        now: () => o.manifest.capturedAt,
      });
      const f = svc.fleet();
      if (!f.clusters.length) throw new Error('empty fleet');
      fleetMs = performance.now() - t;
      o.store.close();
      o.cleanup();
    });
    openMs.push(ms - fleetMs);
    firstFleetMs.push(ms);
  }
  const open = median(openMs);
  const openFleet = median(firstFleetMs);
  console.log(
    `FIGURE snapshot_open_300k: ${Math.round(open)} ms checked open (every page) (baseline plain file copy ${Math.round(copy)} ms, ratio ${r2(open / copy)}); ` +
      `${Math.round(openFleet)} ms to the first fleet answer (ratio ${r2(openFleet / copy)}); median of ${runs}`,
  );

  // 3. bundle export, redaction on vs off
  const d = new Store(db, { readonly: true });
  const ids = d
    .clusters()
    .map((c) => c.id)
    .sort()
    .slice(0, Number(values['bundle-clusters']));
  // the objects a bundle writes a file for: all but events
  const objects = ids.reduce((n, id) => n + d.kinds(id).reduce((m, k) => m + (k === 'events' ? 0 : d.versions(id, k).size), 0), 0);
  d.close();
  const selection = { clusters: ids, namespaces: [], workloads: [], nodes: [], since: null, logs: 0, tokenize: false };
  const rate: Record<'on' | 'off', number[]> = { on: [], off: [] };
  let findings = 0;
  for (let i = 0; i < runs; i++) {
    for (const mode of ['off', 'on'] as const) {
      const out = join(dir, `bundle-${mode}.tar.gz`);
      rmSync(out, { force: true });
      const t0 = performance.now();
      const r = await exportBundle(out, { db, selection, redact: mode === 'on' });
      const ms = performance.now() - t0;
      rate[mode].push(objects / (ms / 1000));
      if (mode === 'on') findings = r.manifest.redaction.findings;
      rmSync(out, { force: true });
    }
  }
  const on = median(rate.on);
  const off = median(rate.off);
  console.log(
    `FIGURE bundle_export_redacted: ${Math.round(on)} objects/s (baseline the same export without redaction ${Math.round(off)} objects/s, ` +
      `ratio ${r2(on / off)}; ${objects} objects of ${ids.length} clusters, ${findings} values redacted; median of ${runs})`,
  );
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
  else console.log(`# kept ${dir}`);
}
