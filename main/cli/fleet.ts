// `npm run fleet -- <command>`: the console's headless commands.
import { parseArgs } from 'node:util';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSourceConfig, discover, sourcesFromPaths, type SourceConfig } from '../fleet/sources.ts';
import { TrustStore, execRequest } from '../fleet/trust.ts';
import { ExecCredentialCache } from '../kube/exec.ts';
import { probe, staticStatus, type ProbeResult } from '../kube/probe.ts';
import { safeUrl, type ContextEntry } from '../fleet/kubeconfig.ts';
import { dataDir } from '../paths.ts';
import { startSyncWorker } from '../worker/client.ts';
import { SETTLED, type ClusterStatusInfo } from '../kube/sync.ts';
import { Store } from '../store/store.ts';
import { summarize } from '../views/summary.ts';
import { captureSnapshot, openSnapshot, parseDuration } from '../snapshot/snapshot.ts';
import { diffStores, type StoreDiff } from '../snapshot/diff.ts';
import { exportBundle, extractBundle, previewBundle, verifyBundle } from '../snapshot/bundle.ts';
import { logFetcher } from '../snapshot/logs.ts';
import { ViewService } from '../views/service.ts';
import { formatAge, formatBytes, formatCpu, formatDuration } from '../../common/format.ts';
import type { ChangeEventDTO, ChangeListDTO, FleetChangeDTO, GapDTO } from '../../common/contract.ts';

const USAGE = `fleet console CLI

  npm run fleet -- contexts [--kubeconfig F]... [--json] [--no-probe]
      every cluster entry (file, context): source, auth kind, status or error
  npm run fleet -- sync --db PATH [--kubeconfig F]... [--context C]... (--once | --watch)
      list and watch every cluster into the cache; --once exits when all are synced (or failed, with reasons)
  npm run fleet -- summary --db PATH [--json]
      per cluster, per node: health, capacity/allocatable/requested/free, accelerators, storage problems
  npm run fleet -- changes --db PATH [--since DURATION] [--cluster C]... [--json]
      the fleet's changes (rollouts, config, nodes, health, gaps...), newest first, and the same change across
      clusters; PATH is a cache or a .fleetsnap snapshot; --since: 30m, 2h, 7d (default 1h)
  npm run fleet -- approve <entry id> [--kubeconfig F]...
      approve the exec plugin an entry would run (exact command, args and env names, for that file)
  npm run fleet -- snapshot capture --db PATH --out F [--context C]... [--since DURATION]
      copy the cache (all clusters, or the named ones) and its history (all, or the last DURATION: 30m, 2h, 7d) into F
  npm run fleet -- snapshot inspect F [--json]
      check a snapshot (every page) and print its manifest
  npm run fleet -- snapshot diff A (B | --db PATH) [--context C]... [--events] [--json]
      what changed from snapshot A to snapshot B (or to the cache): added, removed, changed fields, by cluster and kind
  npm run fleet -- bundle export --db PATH --out F [--context C]... [--namespace N]... [--workload KIND/NS/NAME]...
                                 [--node N]... [--since DURATION] [--logs N] [--tokenize] [--no-redact] [--dry-run] [--json]
      an incident bundle (.tar.gz): YAML per object, events, timeline, summaries, logs (--logs N: last N lines,
      fetched live with --kubeconfig's credentials), the snapshot, a redaction report; --dry-run previews it
  npm run fleet -- bundle verify F [--json]
      check every file of a bundle against its manifest
  npm run fleet -- bundle extract F --out DIR
      verify, then unpack into DIR (and nowhere else)

  --kubeconfig F   a kubeconfig file or a folder of them (repeatable); default: $KUBECONFIG or ~/.kube/config
  --data-dir D     where approvals and the cache live (default ${dataDir()}, or $FLEET_DATA_DIR)`;

function sourceConfig(kubeconfigs: string[]): SourceConfig {
  return kubeconfigs.length ? sourcesFromPaths(kubeconfigs) : defaultSourceConfig();
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      kubeconfig: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
      'no-probe': { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      timeout: { type: 'string' },
      db: { type: 'string' },
      context: { type: 'string', multiple: true, default: [] },
      cluster: { type: 'string', multiple: true, default: [] },
      once: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      out: { type: 'string' },
      since: { type: 'string' },
      events: { type: 'boolean', default: false },
      namespace: { type: 'string', multiple: true, default: [] },
      workload: { type: 'string', multiple: true, default: [] },
      node: { type: 'string', multiple: true, default: [] },
      logs: { type: 'string' },
      tokenize: { type: 'boolean', default: false },
      'no-redact': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const dir = values['data-dir'] ?? dataDir();
  const trust = new TrustStore(join(dir, 'exec-approvals.json'));
  const deps = { trust, execCache: new ExecCredentialCache() };
  switch (cmd) {
    case 'contexts': {
      const found = discover(sourceConfig(values.kubeconfig));
      const timeoutMs = Number(values.timeout ?? '5') * 1000;
      const results = await Promise.all(
        found.entries.map((e) => (values['no-probe'] ? Promise.resolve(staticStatus(e, deps)) : probe(e, deps, timeoutMs))),
      );
      const rows = found.entries.map((e, i) => view(e, results[i]!, trust));
      if (values.json) {
        console.log(JSON.stringify({ entries: rows, problems: found.problems, looked: found.looked }, null, 2));
        return 0;
      }
      if (!rows.length) {
        console.log(`no kubeconfig contexts found; looked in:\n  ${found.looked.join('\n  ') || '(nowhere)'}`);
      }
      for (const r of rows) {
        console.log(
          [r.id, r.context, r.source, r.authKind, r.server ?? '-', r.status + (r.serverVersion ? ` ${r.serverVersion}` : '')].join('\t') +
            (r.message ? `\n    ${r.message}` : '') +
            r.warnings.map((w) => `\n    warning: ${w}`).join(''),
        );
      }
      for (const p of found.problems) console.log(`problem: ${p.path}: ${p.error}`);
      return 0;
    }
    case 'sync': {
      if (!values.db) throw new Error('sync needs --db PATH');
      if (values.once === values.watch) throw new Error('sync needs exactly one of --once or --watch');
      const handle = startSyncWorker({
        dbPath: values.db,
        dataDir: dir,
        sources: sourceConfig(values.kubeconfig),
        contexts: values.context,
      });
      const seen = new Map<string, string>();
      handle.onStatus((all) => {
        for (const s of all) {
          const line = statusLine(s);
          if (seen.get(s.id) !== line) {
            seen.set(s.id, line);
            process.stderr.write(`${line}\n`);
          }
        }
      });
      if (values.once) {
        const t0 = Date.now();
        const timeoutMs = Number(values.timeout ?? '900') * 1000;
        const final = await handle.settled(timeoutMs, (s) => SETTLED.includes(s.status));
        await handle.stop();
        for (const p of handle.problems()) console.log(`problem: ${p.path}: ${p.error}`);
        for (const s of final) console.log(statusLine(s));
        console.log(
          `synced ${final.filter((s) => s.status === 'live').length}/${final.length} clusters in ${formatDuration(Date.now() - t0)}`,
        );
        return final.every((s) => s.status === 'live') ? 0 : 3;
      }
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      process.stderr.write('stopping: closing the cache...\n');
      await handle.stop();
      return 0;
    }
    case 'summary': {
      if (!values.db) throw new Error('summary needs --db PATH');
      if (!existsSync(values.db)) throw new Error(`no cache at ${values.db} (run: npm run fleet -- sync --db ${values.db} --once)`);
      const store = new Store(values.db, { readonly: true });
      try {
        const out = summarize(store, Date.now());
        if (values.json) console.log(JSON.stringify(out, null, 2));
        else {
          for (const c of out.clusters) {
            const cpu = c.summary.resources.cpu;
            const gpu = c.summary.resources['nvidia.com/gpu'];
            console.log(
              `${c.context}\t${c.status}\t${c.serverVersion ?? '-'}\tnodes ${c.summary.nodes.ready}/${c.summary.nodes.total}` +
                `\tcpu ${cpu ? `${formatCpu(cpu.requested)}/${formatCpu(cpu.allocatable)}` : '-'}` +
                `\tgpu ${gpu ? `${gpu.requested}/${gpu.allocatable}` : '-'}\tpending ${c.summary.pending.pods}\tstorage problems ${c.summary.storage.problems}` +
                `\tdata age ${c.dataAgeMs === null ? '-' : formatAge(c.dataAgeMs)}`,
            );
          }
        }
      } finally {
        store.close();
      }
      return 0;
    }
    case 'approve': {
      const id = positionals[0];
      const e = discover(sourceConfig(values.kubeconfig)).entries.find((x) => x.id === id);
      if (!e) throw new Error(`no entry ${id} (see: npm run fleet -- contexts)`);
      const req = execRequest(e);
      if (!req) throw new Error(`entry ${id} (${e.context}) does not use an exec plugin`);
      trust.approve(req);
      console.log(`approved for ${req.file}: ${[req.command, ...req.args].join(' ')}`);
      return 0;
    }
    case 'changes':
      return changesCommand(values);
    case 'snapshot':
      return snapshotCommand(positionals, values);
    case 'bundle':
      return bundleCommand(positionals, values, sourceConfig(values.kubeconfig), dir);
    default:
      console.log(USAGE);
      return cmd ? 2 : 0;
  }
}

/** `fleet changes`: the changes of a cache or a snapshot, as the console's timeline has them. */
async function changesCommand(values: {
  db?: string | undefined;
  since?: string | undefined;
  cluster: string[];
  json: boolean;
}): Promise<number> {
  if (!values.db) throw new Error('changes needs --db PATH (a cache or a .fleetsnap)');
  if (!existsSync(values.db)) throw new Error(`no cache at ${values.db}`);
  const snap = values.db.endsWith('.fleetsnap') ? openSnapshot(values.db) : undefined;
  const store = snap?.store ?? new Store(values.db, { readonly: true });
  try {
    // A snapshot is read as of its capture; a cache as of now.
    const now = snap?.manifest.capturedAt ?? Date.now();
    const service = new ViewService(store, { mode: snap ? 'snapshot' : 'cache', source: values.db, derive: 'memory', now: () => now });
    const byName = new Map(store.clusters().flatMap((c) => [[c.id, c.id] as const, [c.context, c.id] as const]));
    const clusters = values.cluster.map((c) => {
      const id = byName.get(c);
      if (!id)
        throw new Error(
          `no cluster ${c} in ${values.db} (clusters: ${store
            .clusters()
            .map((x) => x.context)
            .join(', ')})`,
        );
      return id;
    });
    const from = now - parseDuration(values.since ?? '1h');
    const window = { from, to: now, ...(clusters.length ? { clusters } : {}) };
    const changes: ChangeEventDTO[] = [];
    let gaps: GapDTO[] = [];
    for (let before: { at: number; id: number } | undefined; ;) {
      const page = (await service.call('changes.list', { ...window, limit: 1000, ...(before ? { before } : {}) })) as ChangeListDTO;
      changes.push(...page.changes);
      gaps = page.gaps;
      const last = page.changes.at(-1);
      if (!page.more || !last) break;
      before = { at: last.at, id: last.id };
    }
    const fleet = ((await service.call('changes.fleet', { from, to: now })) as FleetChangeDTO[]).filter(
      (g) => !clusters.length || g.clusters.some((c) => clusters.includes(c.cluster)),
    );
    if (values.json) {
      console.log(JSON.stringify({ from, to: now, changes, gaps, fleet }, null, 2));
      return 0;
    }
    const time = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);
    for (const g of fleet) console.log(`fleet\t${g.summary}`);
    // Capture gaps are events of their own (category gap): listed with the changes, in time order.
    for (const c of changes) {
      const what = c.kind ? `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}` : '';
      console.log(
        `${time(c.at)}\t${c.clusterContext}\t${c.category}/${c.action}\t${what}\t${c.summary}${c.who !== 'unknown' ? `\tby ${c.who}` : ''}`,
      );
    }
    console.error(`${changes.length} changes, ${gaps.length} capture gaps, ${fleet.length} fleet changes since ${time(from)} UTC`);
    return 0;
  } finally {
    store.close();
    snap?.cleanup();
  }
}

function snapshotCommand(
  positionals: string[],
  values: {
    db?: string | undefined;
    out?: string | undefined;
    since?: string | undefined;
    context: string[];
    json: boolean;
    events: boolean;
  },
): number {
  const [sub, ...files] = positionals;
  switch (sub) {
    case 'capture': {
      if (!values.db || !values.out) throw new Error('snapshot capture needs --db PATH and --out FILE');
      const t0 = performance.now();
      const m = captureSnapshot({
        db: values.db,
        out: values.out,
        clusters: values.context,
        ...(values.since ? { since: Date.now() - parseDuration(values.since) } : {}),
      });
      if (values.json) console.log(JSON.stringify(m, null, 2));
      else
        console.log(
          `captured ${m.clusters.length} cluster(s), ${m.counts.objects} objects, ${m.counts.changes} changes` +
            `${m.window.from === null ? '' : ` since ${new Date(m.window.from).toISOString()}`} into ${values.out} ` +
            `(${formatBytes(statSync(values.out).size)}, ${formatDuration(performance.now() - t0)})`,
        );
      return 0;
    }
    case 'inspect': {
      if (files.length !== 1) throw new Error('snapshot inspect needs one FILE');
      const o = openSnapshot(files[0]!);
      try {
        const m = o.manifest;
        if (values.json) console.log(JSON.stringify(m, null, 2));
        else {
          console.log(`snapshot of ${m.capturedAtText} (app ${m.app.version}, schema ${m.schemaVersion})`);
          console.log(`history: ${m.window.from === null ? 'all the cache had' : `from ${new Date(m.window.from).toISOString()}`}`);
          for (const c of m.clusters)
            console.log(`  ${c.context}\t${c.serverVersion ?? '-'}\t${c.status}\t${c.objects} objects\t${c.changes} changes`);
          console.log(`${m.counts.objects} objects, ${m.counts.changes} changes${m.redacted ? ' (redacted for a bundle)' : ''}`);
        }
      } finally {
        o.store.close();
        o.cleanup();
      }
      return 0;
    }
    case 'diff': {
      if (files.length !== (values.db ? 1 : 2)) throw new Error('snapshot diff needs A and B, or A and --db PATH');
      const a = openSnapshot(files[0]!);
      const b = values.db ? { store: new Store(values.db, { readonly: true }), cleanup: () => {} } : openSnapshot(files[1]!);
      try {
        const d = diffStores(a.store, b.store, { includeEvents: values.events, clusters: values.context });
        if (values.json) console.log(JSON.stringify(d, null, 2));
        else printDiff(d);
        return 0;
      } finally {
        for (const x of [a, b]) {
          x.store.close();
          x.cleanup();
        }
      }
    }
    default:
      throw new Error('snapshot needs a subcommand: capture, inspect or diff');
  }
}

async function bundleCommand(
  positionals: string[],
  v: {
    db?: string | undefined;
    out?: string | undefined;
    since?: string | undefined;
    logs?: string | undefined;
    context: string[];
    namespace: string[];
    workload: string[];
    node: string[];
    tokenize: boolean;
    'no-redact': boolean;
    'dry-run': boolean;
    json: boolean;
  },
  sources: SourceConfig,
  dataDirPath: string,
): Promise<number> {
  const [sub, ...files] = positionals;
  switch (sub) {
    case 'export': {
      if (!v.db || (!v.out && !v['dry-run'])) throw new Error('bundle export needs --db PATH and --out FILE (or --dry-run)');
      const logs = v.logs === undefined ? 0 : Number(v.logs);
      if (!Number.isInteger(logs) || logs < 0) throw new Error(`--logs ${v.logs}: a number of lines`);
      for (const w of v.workload)
        if (!/^[a-z0-9.\-/]+\/[^/]+\/[^/]+$/.test(w))
          throw new Error(`--workload ${w}: KIND/NAMESPACE/NAME, e.g. apps/deployments/web/frontend`);
      const selection = {
        clusters: v.context,
        namespaces: v.namespace,
        workloads: v.workload,
        nodes: v.node,
        since: v.since ? parseDuration(v.since) : null,
        logs,
        tokenize: v.tokenize,
      };
      if (v['no-redact'])
        process.stderr.write('warning: --no-redact: values of credentials will be in the bundle as they are in the cache\n');
      const fetcher = logs > 0 ? logFetcher(sources, dataDirPath) : undefined;
      try {
        const opts = { db: v.db, selection, redact: !v['no-redact'], ...(fetcher ? { logs: fetcher } : {}) };
        if (v['dry-run']) {
          const p = await previewBundle(opts);
          if (v.json) console.log(JSON.stringify({ manifest: p.manifest, files: p.files, report: p.report }, null, 2));
          else {
            console.log(
              `would write ${p.files.length} files: ${p.manifest.counts.objects} objects, ${p.manifest.counts.events} events, ${p.manifest.counts.changes} changes, ${p.manifest.counts.logs} logs`,
            );
            for (const [rule, n] of Object.entries(p.manifest.redaction.byRule)) console.log(`  redact ${rule}: ${n}`);
            for (const f of p.report.slice(0, 50))
              for (const x of f.findings.slice(0, 5)) console.log(`    ${f.file}: ${x.path} (${x.rule})`);
            for (const w of p.manifest.warnings) console.log(`warning: ${w}`);
          }
          return 0;
        }
        const t0 = performance.now();
        const r = await exportBundle(v.out!, opts);
        if (v.json) console.log(JSON.stringify({ path: r.path, bytes: r.bytes, sha256: r.sha256, manifest: r.manifest }, null, 2));
        else {
          const m = r.manifest;
          console.log(
            `wrote ${r.path}: ${m.files.length + 1} files, ${m.counts.objects} objects, ${m.counts.events} events, ${m.counts.changes} changes, ` +
              `${m.counts.logs} logs, ${m.redaction.findings} values redacted, ${formatBytes(r.bytes)} in ${formatDuration(performance.now() - t0)}`,
          );
          console.log(`sha256 ${r.sha256}`);
          for (const w of m.warnings) console.log(`warning: ${w}`);
        }
        return 0;
      } finally {
        fetcher?.close();
      }
    }
    case 'verify': {
      if (files.length !== 1) throw new Error('bundle verify needs one FILE');
      const m = await verifyBundle(files[0]!);
      if (v.json) console.log(JSON.stringify(m, null, 2));
      else
        console.log(
          `ok: ${m.files.length} files match the manifest; bundle of ${m.createdAtText} (app ${m.app.version}), ` +
            `${m.clusters.map((c) => c.context).join(', ')}; redaction ${m.redaction.enabled ? `on (${m.redaction.findings} values)` : 'OFF'}`,
        );
      return 0;
    }
    case 'extract': {
      if (files.length !== 1 || !v.out) throw new Error('bundle extract needs FILE and --out DIR');
      const m = await extractBundle(files[0]!, v.out);
      console.log(`extracted ${m.files.length + 1} files into ${v.out}`);
      return 0;
    }
    default:
      throw new Error('bundle needs a subcommand: export, verify or extract');
  }
}

function printDiff(d: StoreDiff): void {
  for (const c of d.clusters) {
    if (c.in !== 'both') {
      console.log(`${c.context}: only in ${c.in === 'a' ? 'the first' : 'the second'}`);
      continue;
    }
    if (!c.kinds.length) continue;
    console.log(`${c.context}:`);
    for (const k of c.kinds) {
      const n = (r: { namespace: string; name: string }) => (r.namespace ? `${r.namespace}/${r.name}` : r.name);
      for (const r of k.added) console.log(`  + ${k.kind} ${n(r)}`);
      for (const r of k.removed) console.log(`  - ${k.kind} ${n(r)}`);
      for (const r of k.changed) {
        console.log(`  ~ ${k.kind} ${n(r)}`);
        for (const f of r.fields.slice(0, 20))
          console.log(
            `      ${f.path}: ${f.op === 'added' ? '' : JSON.stringify(f.before)} → ${f.op === 'removed' ? '(removed)' : JSON.stringify(f.after)}`,
          );
      }
    }
  }
  console.log(
    `${d.totals.added} added, ${d.totals.removed} removed, ${d.totals.changed} changed${d.ignoredKinds.length ? ` (not compared: ${d.ignoredKinds.join(', ')})` : ''}`,
  );
}

function statusLine(s: ClusterStatusInfo): string {
  const progress = s.status === 'syncing' ? ` ${s.progress.listed}/${s.progress.total}` : '';
  return `${s.context}\t${s.status}${progress}${s.serverVersion ? `\t${s.serverVersion}` : ''}${s.message ? `\t${s.message}` : ''}`;
}

export interface ContextRow {
  id: string;
  context: string;
  file: string;
  source: string;
  namespace?: string;
  server?: string;
  authKind: string;
  status: string;
  message?: string;
  serverVersion?: string;
  warnings: string[];
  duplicateOf?: string;
  exec?: { command: string; args: string[]; envNames: string[]; approved: boolean };
}

/** What may be shown of an entry: no token, key, password or exec env value. */
export function view(e: ContextEntry & { duplicateOf?: string }, r: ProbeResult, trust: TrustStore): ContextRow {
  const row: ContextRow = {
    id: e.id,
    context: e.context,
    file: e.file,
    source: e.source,
    authKind: e.authKind,
    status: r.status,
    warnings: e.warnings,
  };
  if (e.namespace) row.namespace = e.namespace;
  if (e.cluster?.server) row.server = safeUrl(e.cluster.server);
  if (r.message) row.message = r.message;
  if (r.serverVersion) row.serverVersion = r.serverVersion;
  if (e.duplicateOf) row.duplicateOf = e.duplicateOf;
  const x = execRequest(e);
  if (x) row.exec = { command: x.command, args: x.args, envNames: x.envNames, approved: trust.isApproved(x) };
  return row;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`fleet: ${e.message}`);
      process.exit(1);
    },
  );
}
