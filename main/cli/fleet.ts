// `npm run fleet -- <command>`: the console's headless commands.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSourceConfig, discover, sourcesFromPaths, type SourceConfig } from '../fleet/sources.ts';
import { TrustStore, execRequest } from '../fleet/trust.ts';
import { ExecCredentialCache } from '../fleet/exec.ts';
import { probe, staticStatus, type ProbeResult } from '../fleet/probe.ts';
import { safeUrl, type ContextEntry } from '../fleet/kubeconfig.ts';
import { dataDir } from '../paths.ts';
import { startSyncWorker } from '../worker/client.ts';
import { SETTLED, type ClusterStatusInfo } from '../kube/sync.ts';
import { Store } from '../store/store.ts';
import { clusterInput } from '../store/queries.ts';
import { clusterView, nodeAccelerators, podsByNode } from '../model/index.ts';

const USAGE = `fleet console CLI

  npm run fleet -- contexts [--kubeconfig F]... [--json] [--no-probe]
      every cluster entry (file, context): source, auth kind, status or error
  npm run fleet -- sync --db PATH [--kubeconfig F]... [--context C]... (--once | --watch)
      list and watch every cluster into the cache; --once exits when all are synced (or failed, with reasons)
  npm run fleet -- summary --db PATH [--json]
      per cluster, per node: health, capacity/allocatable/requested/free, accelerators, storage problems
  npm run fleet -- approve <entry id> [--kubeconfig F]...
      approve the exec plugin an entry would run (exact command, args and env names, for that file)

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
      once: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
    },
  });
  const dir = values['data-dir'] ?? dataDir();
  const trust = new TrustStore(join(dir, 'exec-approvals.json'));
  const deps = { trust, execCache: new ExecCredentialCache() };
  const found = discover(sourceConfig(values.kubeconfig));
  switch (cmd) {
    case 'contexts': {
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
          `synced ${final.filter((s) => s.status === 'live').length}/${final.length} clusters in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
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
                `\tcpu ${cpu ? `${(cpu.requested / 1000).toFixed(1)}/${(cpu.allocatable / 1000).toFixed(1)}` : '-'}` +
                `\tgpu ${gpu ? `${gpu.requested}/${gpu.allocatable}` : '-'}\tpending ${c.summary.pending.pods}\tstorage problems ${c.summary.storage.problems}` +
                `\tdata age ${c.dataAgeMs === null ? '-' : `${Math.round(c.dataAgeMs / 1000)} s`}`,
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
      const e = found.entries.find((x) => x.id === id);
      if (!e) throw new Error(`no entry ${id} (see: npm run fleet -- contexts)`);
      const req = execRequest(e);
      if (!req) throw new Error(`entry ${id} (${e.context}) does not use an exec plugin`);
      trust.approve(req);
      console.log(`approved for ${req.file}: ${[req.command, ...req.args].join(' ')}`);
      return 0;
    }
    default:
      console.log(USAGE);
      return cmd ? 2 : 0;
  }
}

/** `fleet summary --json`: {clusters: [{id, context, status, nodes: [{name, ready, resources}]}]} and more. */
export function summarize(store: Store, now: number) {
  return {
    generatedAt: now,
    clusters: store.clusters().map((c) => {
      const input = clusterInput(store, c.id, now, c.serverVersion ?? undefined);
      const view = clusterView(input);
      const byNode = podsByNode(input.pods ?? []);
      const storage = view.storage;
      return {
        id: c.id,
        context: c.context,
        file: c.file,
        status: c.status,
        message: c.message,
        serverVersion: c.serverVersion,
        lastContact: c.lastContact,
        // Never show stale data as live: the age of the newest contact with the cluster.
        dataAgeMs: c.lastContact ? now - c.lastContact : null,
        kinds: store.syncStates(c.id).map((k) => ({ kind: k.kind, state: k.state, objects: k.objects, message: k.message })),
        summary: view.summary,
        storageProblems: storage.problems,
        nodes: view.nodes.map((n) => {
          const node = (input.nodes ?? []).find((x) => x?.metadata?.name === n.name)!;
          return {
            name: n.name,
            ready: n.ready,
            health: { level: n.health.level, reasons: n.health.issues.map((i) => i.message) },
            resources: n.resources,
            accelerators: nodeAccelerators(node, byNode.get(n.name) ?? []),
          };
        }),
      };
    }),
  };
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
