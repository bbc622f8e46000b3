// `npm run demo:build [-- --minutes 60 --out resources/demo.fleetsnap]`: the demo fleet the app offers
// when it finds no kubeconfig. Starts three lab clusters (gpu, storage, mixed), watches them with the
// console's own sync worker for the given time (an hour by default, real time: the history, chart
// samples and heartbeats are real), with a rollout, a node failure and a second rollout along the way,
// then captures a snapshot of it all. Regenerate it when the schema changes (a test opens it), or
// `-- --upgrade`: the same recorded hour, migrated to the current schema (what opening it in the app
// does in a temporary copy) and captured again as of its original time, in seconds.
import { parseArgs } from 'node:util';
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lab } from '../lab/src/lab.ts';
import { startSyncWorker } from '../main/worker/client.ts';
import { sourcesFromPaths } from '../main/fleet/sources.ts';
import { captureSnapshot, openSnapshot } from '../main/snapshot/snapshot.ts';
import { DEMO_CONTEXTS } from '../main/snapshot/demo-contexts.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    out: { type: 'string', default: join(import.meta.dirname, '..', 'resources', 'demo.fleetsnap') },
    keep: { type: 'boolean', default: false },
    upgrade: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error('--minutes must be > 0');
const out = resolve(values.out);
const dir = mkdtempSync(join(tmpdir(), 'fleet-demo-'));
const log = (s: string) => process.stderr.write(`[demo ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

if (values.upgrade) {
  const snap = openSnapshot(out, { tmpDir: dir });
  const { path, manifest } = snap;
  snap.store.close();
  const next = join(dir, 'upgraded.fleetsnap');
  try {
    const m = captureSnapshot({ db: path, out: next, now: manifest.capturedAt });
    renameSync(next, out);
    log(
      `${out}: schema ${manifest.schemaVersion} → ${m.schemaVersion}, ${m.clusters.length} clusters, ${m.counts.objects} objects, ${m.counts.changes} changes`,
    );
  } finally {
    snap.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

const labDir = join(dir, 'lab');
let lab: Lab | undefined;
let worker: ReturnType<typeof startSyncWorker> | undefined;
try {
  log(`lab in ${labDir}`);
  await Lab.up({ dir: labDir, clusters: 1, profile: 'gpu', nodes: 8 });
  await Lab.up({ dir: labDir, clusters: 1, profile: 'storage', nodes: 6 });
  lab = await Lab.up({ dir: labDir, clusters: 1, profile: 'mixed', nodes: 10, podsPerNode: 5 });
  const [gpu, storage, mixed] = lab.state.clusters.map((c) => c.name) as [string, string, string];
  // A kubeconfig with the demo's context names, admin users.
  const docs = lab.state.clusters.map((c) => c.kubeconfigs.admin);
  const kubeconfig = join(dir, 'demo.kubeconfig');
  const merged = { apiVersion: 'v1', kind: 'Config', clusters: [] as unknown[], users: [] as unknown[], contexts: [] as unknown[] };
  const rename: Record<string, string> = { [gpu]: DEMO_CONTEXTS.gpu, [storage]: DEMO_CONTEXTS.storage, [mixed]: DEMO_CONTEXTS.mixed };
  for (const f of docs) {
    const d = parse(readFileSync(f, 'utf8')) as { clusters: unknown[]; users: unknown[]; contexts: { name: string; context: unknown }[] };
    merged.clusters.push(...d.clusters);
    merged.users.push(...d.users);
    merged.contexts.push(...d.contexts.map((x) => ({ ...x, name: rename[x.name] ?? x.name })));
  }
  writeFileSync(kubeconfig, stringify({ ...merged, 'current-context': DEMO_CONTEXTS.mixed }), { mode: 0o600 });

  const db = join(dir, 'cache.db');
  worker = startSyncWorker({ dbPath: db, dataDir: join(dir, 'data'), sources: sourcesFromPaths([kubeconfig]), contexts: [] });
  const live = await worker.settled(600_000, (s) => s.status === 'live');
  log(`watching: ${live.map((s) => `${s.context} ${s.status}`).join(', ')}`);
  const t0 = Date.now();
  const at = async (fraction: number, what: string, fn: () => Promise<unknown>) => {
    const wait = t0 + fraction * minutes * 60_000 - Date.now();
    if (wait > 0) await sleep(wait);
    log(what);
    await fn();
  };
  await at(0.25, `${DEMO_CONTEXTS.mixed}: rollout web/frontend`, () => lab!.chaos(mixed, 'rollout', ['web/frontend']));
  await at(0.5, `${DEMO_CONTEXTS.gpu}: node gpu-a100-001 NotReady`, () => lab!.chaos(gpu, 'node-notready', ['gpu-a100-001']));
  await at(0.7, `${DEMO_CONTEXTS.gpu}: rollout ml-serving/model-gateway`, () => lab!.chaos(gpu, 'rollout', ['ml-serving/model-gateway']));
  await at(0.8, `${DEMO_CONTEXTS.storage}: churn`, () => lab!.chaos(storage, 'churn', [], { rate: 2, seconds: 60 }));
  await at(1, 'capturing', async () => {});
  await worker.stop();
  worker = undefined;
  rmSync(out, { force: true });
  const m = captureSnapshot({ db, out });
  log(
    `${out}: ${m.clusters.length} clusters, ${m.counts.objects} objects, ${m.counts.changes} changes, ${(statSync(out).size / 2 ** 20).toFixed(1)} MiB`,
  );
} finally {
  await worker?.stop().catch(() => {});
  await lab?.down().catch((e: Error) => log(`lab down: ${e.message}`));
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
