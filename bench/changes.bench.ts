// The fleet's changes (the changes issue's benchmarks), each against a baseline measured in the same run:
//
//   node bench/changes.bench.ts [--clusters 30] [--hours 168] [--rows 200] [--runs 20] [--db PATH] [--keep]
//
// 1. derivation: change events/s derived from a recorded history (Store.rederiveChanges: every history
//    record read in time order, both states parsed, the model's rules, the events written) vs. reading
//    the same history records (Store.changes: the rows with their bodies parsed), records per second.
// 2. timeline query: changes.timeline through the contract's service (what the renderer asks) for a week
//    of a 30-cluster fleet with >= 1M history records: the whole week, the last day, one cluster, a text
//    filter, problems only, a category; p95 over --runs of each, vs. the run's CPU calibration (SHA-256 of
//    256 MiB). Target p95 < 100 ms.
// (3. the timeline's draw time with 100k marks is bench/timeline.bench.ts, in Chromium.)
//
// The cache: a synthetic week written through the store's own writes, as the sync engine writes it (so
// its change events are derived as it is written): per cluster 20 nodes, 40 Deployments of 5 pods with
// a ConfigMap each; every hour per cluster --rows records: status churn of pods (no change), pods going
// unready and back, a crash loop, a ConfigMap edit, a rollout; daily a cordon, a NotReady and back, and
// one image rolled out to every cluster (a fleet change).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type KObj, type WriteOp } from '../main/store/store.ts';
import { ViewService } from '../main/views/service.ts';
import { calibrationMs } from './calibrate.ts';
import { benchArgs, p95 } from './harness.ts';
import type { TimelineDTO } from '../common/contract.ts';

const values = benchArgs({ numbers: { clusters: 30, hours: 168, rows: 200, runs: 20 }, strings: ['db'], flags: ['keep'] });
const { clusters: CLUSTERS, hours: HOURS, rows: ROWS, runs: RUNS } = values;
const H = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const log = (s: string) => process.stderr.write(`# ${s}\n`);
const ts = (t: number) => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');

// A deterministic generator: the same fleet every run.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

const NODES = 20;
const DEPLOYMENTS = 40;
const REPLICAS = 5;

interface PodState {
  name: string;
  deploy: number;
  node: number;
  rv: number;
  tick: number;
  ready: boolean;
  crashing: boolean;
  image: string;
}

function deploymentBody(c: number, d: number, image: string, rv: number): KObj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: `svc-${d}`,
      namespace: `team-${d % 8}`,
      uid: `c${c}-d${d}`,
      resourceVersion: String(rv),
      generation: rv,
      creationTimestamp: ts(T0 - 30 * 24 * H),
    },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: `svc-${d}` } },
      template: {
        metadata: { labels: { app: `svc-${d}` } },
        spec: {
          containers: [
            { name: 'app', image, resources: { requests: { cpu: '250m', memory: '256Mi' } }, env: [{ name: 'MODE', value: 'prod' }] },
          ],
          volumes: [{ name: 'cfg', configMap: { name: `svc-${d}-config` } }],
        },
      },
    },
    status: {
      replicas: REPLICAS,
      readyReplicas: REPLICAS,
      availableReplicas: REPLICAS,
      updatedReplicas: REPLICAS,
      conditions: [{ type: 'Available', status: 'True' }],
    },
  };
}

function podBody(c: number, p: PodState): KObj {
  const d = p.deploy;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: `team-${d % 8}`,
      uid: `c${c}-${p.name}`,
      resourceVersion: String(p.rv),
      creationTimestamp: ts(T0 - 7 * 24 * H),
      labels: { app: `svc-${d}` },
      annotations: { 'bench/tick': String(p.tick) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `svc-${d}-abc`, uid: `c${c}-rs${d}`, controller: true }],
    },
    spec: {
      nodeName: `node-${p.node}`,
      containers: [{ name: 'app', image: p.image, resources: { requests: { cpu: '250m', memory: '256Mi' } } }],
      volumes: [{ name: 'cfg', configMap: { name: `svc-${d}-config` } }],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: p.ready && !p.crashing ? 'True' : 'False', lastTransitionTime: ts(T0) }],
      containerStatuses: [
        p.crashing
          ? {
              name: 'app',
              image: p.image,
              ready: false,
              restartCount: 3 + p.tick,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error' } },
            }
          : { name: 'app', image: p.image, ready: p.ready, restartCount: 0, state: { running: { startedAt: ts(T0 - 7 * 24 * H) } } },
      ],
    },
  };
}

function nodeBody(n: number, rv: number, cordoned: boolean, ready: boolean, at: number): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: `node-${n}`,
      uid: `node-${n}-${rv > 0 ? 'x' : 'x'}`,
      resourceVersion: String(rv),
      creationTimestamp: ts(T0 - 30 * 24 * H),
    },
    spec: cordoned ? { unschedulable: true } : {},
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          reason: ready ? 'KubeletReady' : 'KubeletNotReady',
          lastHeartbeatTime: ts(at),
          lastTransitionTime: ts(T0),
        },
      ],
      allocatable: { cpu: '32', memory: '128Gi', pods: '110' },
      nodeInfo: { kubeletVersion: 'v1.37.1', kernelVersion: '6.1.0' },
    },
  };
}

const configBody = (d: number, rv: number, v: number): KObj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: `svc-${d}-config`,
    namespace: `team-${d % 8}`,
    uid: `cm${d}`,
    resourceVersion: String(rv),
    creationTimestamp: ts(T0 - 30 * 24 * H),
  },
  data: { 'app.yaml': `version: ${v}\n`, 'flags.env': 'A=1' },
});

/** Write the synthetic week; returns the history records written. */
function synth(path: string): number {
  const s = new Store(path);
  let rv = 1000;
  let records = 0;
  const batch: WriteOp[] = [];
  const flush = () => {
    if (batch.length) s.write(batch.splice(0));
  };
  const put = (c: number, kind: string, obj: KObj, at: number) => {
    batch.push({ op: 'upsert', cluster: `c${c}`, kind, obj, at });
    if (batch.length >= 2000) flush();
  };
  const state = Array.from({ length: CLUSTERS }, () => ({
    pods: [] as PodState[],
    images: Array.from({ length: DEPLOYMENTS }, (_, d) => `registry.example/svc-${d}:1.0`),
    config: Array.from({ length: DEPLOYMENTS }, () => 1),
  }));
  for (let c = 0; c < CLUSTERS; c++) {
    s.write([
      {
        op: 'cluster',
        row: {
          id: `c${c}`,
          context: `prod-${String(c).padStart(2, '0')}`,
          file: '/bench',
          source: 'file',
          server: `https://c${c}:6443`,
          authKind: 'cert',
          status: 'live',
          at: T0,
        },
      },
    ]);
    for (let n = 0; n < NODES; n++) put(c, 'nodes', nodeBody(n, ++rv, false, true, T0), T0);
    for (let d = 0; d < DEPLOYMENTS; d++) {
      put(c, 'apps/deployments', deploymentBody(c, d, state[c]!.images[d]!, ++rv), T0);
      put(c, 'configmaps', configBody(d, ++rv, 1), T0);
      for (let r = 0; r < REPLICAS; r++) {
        const p: PodState = {
          name: `svc-${d}-abc-${r}`,
          deploy: d,
          node: (d * REPLICAS + r) % NODES,
          rv: ++rv,
          tick: 0,
          ready: true,
          crashing: false,
          image: state[c]!.images[d]!,
        };
        state[c]!.pods.push(p);
        put(c, 'pods', podBody(c, p), T0);
      }
    }
    flush();
    s.write([{ op: 'state', cluster: `c${c}`, kind: 'pods', state: 'watching', listedAt: T0, at: T0 }]);
  }
  records += CLUSTERS * (NODES + DEPLOYMENTS * (2 + REPLICAS));
  for (let h = 0; h < HOURS; h++) {
    const hourStart = T0 + (h + 1) * H;
    for (let c = 0; c < CLUSTERS; c++) {
      const st = state[c]!;
      let n = 0;
      const at = () => hourStart + Math.floor((n++ / ROWS) * H);
      // a daily image rolled out to every cluster (a fleet change), and one rollout an hour of its own
      const rollout = (d: number, image: string) => {
        st.images[d] = image;
        put(c, 'apps/deployments', deploymentBody(c, d, image, ++rv), at());
        for (const p of st.pods.filter((x) => x.deploy === d).slice(0, 2)) {
          p.image = image;
          p.rv = ++rv;
          put(c, 'pods', podBody(c, p), at());
        }
        records += 3;
      };
      if (h % 24 === 12) rollout(0, `registry.example/svc-0:1.${h / 24 + 1}`);
      rollout(1 + Math.floor(rand() * (DEPLOYMENTS - 1)), `registry.example/svc:${h}-${c}`);
      // a ConfigMap edit
      const d = Math.floor(rand() * DEPLOYMENTS);
      put(c, 'configmaps', configBody(d, ++rv, ++st.config[d]!), at());
      records++;
      // pods going unready and back, a crash loop starting or ending
      for (let i = 0; i < 4; i++) {
        const p = pick(st.pods);
        p.ready = !p.ready;
        p.rv = ++rv;
        put(c, 'pods', podBody(c, p), at());
        records++;
      }
      const cp = pick(st.pods);
      cp.crashing = !cp.crashing;
      cp.rv = ++rv;
      put(c, 'pods', podBody(c, cp), at());
      records++;
      // daily: a cordon and uncordon, a node NotReady and back
      if (h % 24 === 3) {
        put(c, 'nodes', nodeBody(c % NODES, ++rv, true, true, at()), at());
        put(c, 'nodes', nodeBody((c + 1) % NODES, ++rv, false, false, at()), at());
        records += 2;
      }
      if (h % 24 === 5) {
        put(c, 'nodes', nodeBody(c % NODES, ++rv, false, true, at()), at());
        put(c, 'nodes', nodeBody((c + 1) % NODES, ++rv, false, true, at()), at());
        records += 2;
      }
      // the rest: status churn that is no change (a controller's annotation tick)
      while (n < ROWS) {
        const p = pick(st.pods);
        p.tick++;
        p.rv = ++rv;
        put(c, 'pods', podBody(c, p), at());
        records++;
      }
    }
    flush();
    if (h % 24 === 23) log(`synthetic day ${(h + 1) / 24} of ${HOURS / 24}: ${records} history records`);
  }
  flush();
  s.close();
  return records;
}

const dir = mkdtempSync(join(tmpdir(), 'fleet-changesbench-'));
try {
  let db = values.db;
  let records = 0;
  if (!db) {
    db = join(dir, 'cache.db');
    const t0 = performance.now();
    records = synth(db);
    log(
      `synthetic cache: ${CLUSTERS} clusters, ${HOURS} h, ${records} history records written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  const store = new Store(db);
  const clusters = store.clusters().map((c) => c.id);
  const from = store.historyStart() ?? T0;
  const to = T0 + (HOURS + 1) * H;
  log(`${store.changeEvents.count()} change events as written`);

  // ---- 1. derivation ---------------------------------------------------------------------------
  const readT0 = performance.now();
  let read = 0;
  for (const c of clusters) read += store.changes(c, from, to, Number.MAX_SAFE_INTEGER).length;
  const readMs = performance.now() - readT0;
  const deriveT0 = performance.now();
  const derived = store.rederiveChanges();
  const deriveMs = performance.now() - deriveT0;
  const readRate = (read / readMs) * 1000;
  const deriveRate = (derived.records / deriveMs) * 1000;
  console.log(
    `FIGURE changes_derivation: ${Math.round(deriveRate)} history records/s derived into ${derived.events} change events ` +
      `(${Math.round((derived.events / deriveMs) * 1000)} events/s) vs ${Math.round(readRate)} records/s reading the same ${read} records ` +
      `(bodies parsed) = ratio ${(deriveRate / readRate).toFixed(2)}`,
  );

  // ---- 2. timeline query -----------------------------------------------------------------------
  const svc = new ViewService(store, { mode: 'cache', source: db, derive: 'memory', now: () => to });
  const week = { from: to - 7 * 24 * H, to };
  const queries: [string, Record<string, unknown>][] = [
    ['week', week],
    ['day', { from: to - 24 * H, to }],
    ['one cluster, week', { ...week, clusters: [clusters[0]] }],
    ['text, week', { ...week, text: 'svc-0' }],
    ['problems, week', { ...week, severities: ['warning', 'critical'] }],
    ['rollouts, week', { ...week, categories: ['rollout'] }],
  ];
  const cal = calibrationMs();
  const all: number[] = [];
  const per: Record<string, { p95: number; marks: number; total: number }> = {};
  for (const [name, q] of queries) {
    const times: number[] = [];
    let last: TimelineDTO | undefined;
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const a = await svc.handle('changes.timeline', q);
      times.push(performance.now() - t0);
      if (!a.ok) throw new Error(`${name}: ${a.error}`);
      last = a.result as TimelineDTO;
    }
    all.push(...times);
    per[name] = { p95: p95(times), marks: last!.marks.id.length, total: last!.total };
    log(
      `timeline ${name}: p95 ${p95(times).toFixed(1)} ms, ${last!.marks.id.length} marks of ${last!.total}${last!.truncated ? ' (thinned)' : ''}`,
    );
  }
  const worst = Object.entries(per).sort((a, b) => b[1].p95 - a[1].p95)[0]!;
  console.log(
    `FIGURE timeline_query_week: p95 ${p95(all).toFixed(1)} ms over ${all.length} queries ` +
      `(${queries.length} kinds x ${RUNS}; worst: ${worst[0]} ${worst[1].p95.toFixed(1)} ms, ${worst[1].marks} marks of ${worst[1].total}) ` +
      `vs calibration ${cal.toFixed(0)} ms = ratio ${(p95(all) / cal).toFixed(3)} (target p95 < 100 ms; ${records} history records, ${store.changeEvents.count()} change events)`,
  );
  const results = join(import.meta.dirname, 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(
    join(results, `changes-${Date.now()}.json`),
    JSON.stringify({ records, read, readMs, deriveMs, derived, per, p95: p95(all), calibrationMs: cal }, null, 2),
  );
  store.close();
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
