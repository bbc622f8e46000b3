// `npm run lab -- <command>`: the lab's command line. Every command is a thin shell on Lab (lab.ts).
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ensureBinaries } from './build.ts';
import { Lab, type LabStatus } from './lab.ts';
import { CHAOS_VERBS, type ChaosOptions } from './chaos.ts';
import { PROFILES, type Profile } from './profiles/index.ts';
import { defaultLabDir } from './paths.ts';

const USAGE = `fleet lab: real Kubernetes control planes on loopback

  npm run lab:build                                   build (or reuse) the pinned binaries
  npm run lab -- up [--clusters N] [--profile P] [--nodes M] [--pods-per-node K] [--parallel J]
                                                      start N more clusters (profiles: ${PROFILES.join(', ')})
  npm run lab -- up --fleet N [--real R] [--nodes M] [--pods-per-node K] [--parallel J]
                                                      a fleet of N clusters: R real slim control planes (one
                                                      shared etcd, kwok only; default R: as many as fit, from
                                                      the measured RSS of one) + N-R aliases of them
  npm run lab -- fleet-fault [members...] [--count K] [--mode stop|pause]
                                                      take fleet members away (aliases: the forwarder stops
                                                      listening and resets; real: apiserver stopped/SIGSTOP)
  npm run lab -- fleet-restore [members...]           bring them back (all that are away by default)
  npm run lab -- fleet-churn --rate R --seconds S [--flap-every F]
                                                      R ops/s across the real fleet clusters + a node flap every F s
  npm run lab -- status [--json]                      clusters, servers, kubeconfigs, processes
  npm run lab -- down                                 stop every process of the lab (by PID)
  npm run lab -- chaos <cluster> <verb> [arg] [--rate R --seconds S] [--image I --crashloop]
                                                      verbs: ${CHAOS_VERBS.join(', ')}
  npm run lab -- kubectl <cluster> [kubectl args...]  run the lab's kubectl as the cluster's admin

  --dir D   the lab's state folder (default ${defaultLabDir()}, or $FLEET_LAB_DIR)`;

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(0)} MiB`;
}

function printFleet(f: NonNullable<LabStatus['fleet']>): void {
  const m = f.measured;
  if (m)
    console.log(
      `fleet: slim apiserver RSS ${mib(m.apiserverRssBytes)}, kwok ${mib(m.kwokRssBytes)} → default R=${m.defaultReal} (${m.reason})`,
    );
  console.log(
    `fleet: ${f.real.length} real + ${f.aliases.length} aliases = ${f.real.length + f.aliases.length} clusters; ` +
      `shared etcd pid ${f.etcd.pid} ${f.etcd.alive ? 'up' : 'DEAD'} ${mib(f.etcd.rssBytes)}; ` +
      `forwarder pid ${f.forwarder.pid} ${f.forwarder.alive ? 'up' : 'DEAD'} ${mib(f.forwarder.rssBytes)}`,
  );
  for (const a of f.aliases)
    console.log(
      `${a.name}\talias of ${a.aliasOf}\t${a.server} → ${a.realServer}\t${a.down ? 'DOWN (fault)' : a.reachable ? 'up' : 'unreachable'}`,
    );
  console.log(`fleet kubeconfig: ${f.kubeconfig}`);
}

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0];
  if (cmd === 'kubectl') {
    const cluster = argv[1];
    if (!cluster) throw new Error('usage: kubectl <cluster> [kubectl args...]');
    const lab = Lab.open(defaultLabDir());
    if (!lab) throw new Error('no lab is running (npm run lab -- up)');
    const alias = lab.alias(cluster);
    const kc = alias
      ? ['--kubeconfig', lab.state.fleet!.kubeconfig, '--context', cluster]
      : ['--kubeconfig', lab.cluster(cluster).kubeconfigs.admin];
    const r = spawnSync(lab.state.bin.kubectl, [...kc, ...argv.slice(2)], { stdio: 'inherit' });
    return r.status ?? 1;
  }
  const { values, positionals } = parseArgs({
    args: argv.slice(1),
    allowPositionals: true,
    options: {
      clusters: { type: 'string', default: '1' },
      profile: { type: 'string', default: 'mixed' },
      nodes: { type: 'string' },
      'pods-per-node': { type: 'string' },
      parallel: { type: 'string' },
      json: { type: 'boolean', default: false },
      dir: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      image: { type: 'string' },
      crashloop: { type: 'boolean', default: false },
      fleet: { type: 'string' },
      real: { type: 'string' },
      aliases: { type: 'string' },
      count: { type: 'string' },
      mode: { type: 'string' },
      'flap-every': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const dir = values.dir ?? defaultLabDir();
  const num = (s: string | undefined, what: string): number | undefined => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${what} must be a non-negative number, got "${s}"`);
    return n;
  };
  const log = (s: string) => process.stderr.write(s);
  switch (cmd) {
    case 'build': {
      const b = await ensureBinaries(log);
      console.log(b.builtMs ? `built in ${(b.builtMs / 1000).toFixed(0)} s: ${b.dir}` : `cached: ${b.dir}`);
      return 0;
    }
    case 'up': {
      const profile = values.profile as Profile;
      if (!PROFILES.includes(profile)) throw new Error(`unknown profile "${profile}" (one of ${PROFILES.join(', ')})`);
      const t0 = Date.now();
      const opts: Parameters<typeof Lab.up>[0] = { dir, clusters: num(values.clusters, 'clusters') ?? 1, profile, log };
      const nodes = num(values.nodes, 'nodes');
      const ppn = num(values['pods-per-node'], 'pods-per-node');
      const par = num(values.parallel, 'parallel');
      if (nodes !== undefined) opts.nodes = nodes;
      if (ppn !== undefined) opts.podsPerNode = ppn;
      if (par !== undefined) opts.parallel = par;
      const fleet = num(values.fleet, 'fleet');
      if (fleet !== undefined) {
        const real = num(values.real, 'real');
        const aliases = num(values.aliases, 'aliases');
        opts.fleet = { total: fleet };
        if (real !== undefined) opts.fleet.real = real;
        if (aliases !== undefined) opts.fleet.aliases = aliases;
        if (nodes !== undefined) opts.fleet.nodes = nodes;
        if (ppn !== undefined) opts.fleet.podsPerNode = ppn;
      }
      const lab = await Lab.up(opts);
      const st = lab.status();
      if (values.json) console.log(JSON.stringify(st, null, 2));
      else if (st.fleet) {
        console.log(`up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        printFleet(st.fleet);
      } else {
        console.log(`up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        for (const c of st.clusters) console.log(`${c.name}\t${c.profile}\t${c.server}\t${c.kubeconfigs.all}`);
        console.log(`merged kubeconfig: ${st.merged}`);
      }
      return 0;
    }
    case 'status': {
      const lab = Lab.open(dir);
      if (!lab) {
        if (values.json) console.log(JSON.stringify({ dir, bin: {}, merged: null, clusters: [] }));
        else console.log(`no lab at ${dir}`);
        return 0;
      }
      const st = lab.status();
      if (values.json) {
        console.log(JSON.stringify(st, null, 2));
        return 0;
      }
      console.log(`lab at ${st.dir} (Kubernetes ${st.kubernetesVersion}); merged kubeconfig ${st.merged}`);
      for (const c of st.clusters) {
        const procs = c.processes.map((p) => `${p.name}:${p.alive ? 'up' : p.stopped ? 'stopped' : 'DEAD'}`).join(' ');
        const al = c.aliases?.length ? `\taliases: ${c.aliases.length}` : '';
        console.log(
          `${c.name}\t${c.phase}\t${c.profile}\t${c.server}\t${mib(c.rssBytes)}\t${procs}${al}${c.error ? `\n  error: ${c.error}` : ''}`,
        );
      }
      if (st.fleet) printFleet(st.fleet);
      return 0;
    }
    case 'down': {
      const lab = Lab.open(dir);
      if (!lab) {
        console.log(`no lab at ${dir}`);
        return 0;
      }
      const r = await lab.down();
      console.log(`stopped ${r.stopped} processes`);
      return 0;
    }
    case 'chaos': {
      const [cluster, verb, ...rest] = positionals;
      if (!cluster || !verb) throw new Error(`usage: chaos <cluster> <verb> [arg]; verbs: ${CHAOS_VERBS.join(', ')}`);
      const lab = Lab.open(dir);
      if (!lab) throw new Error(`no lab at ${dir}`);
      const opts: ChaosOptions = {};
      if (values.image) opts.image = values.image;
      if (values.crashloop) opts.crashloop = true;
      const rate = num(values.rate, 'rate');
      const seconds = num(values.seconds, 'seconds');
      if (rate !== undefined) opts.rate = rate;
      if (seconds !== undefined) opts.seconds = seconds;
      const r = await lab.chaos(cluster, verb, rest, opts);
      console.log(JSON.stringify(r));
      return 0;
    }
    case 'fleet-fault':
    case 'fleet-restore': {
      const lab = Lab.open(dir);
      if (!lab) throw new Error(`no lab at ${dir}`);
      const r =
        cmd === 'fleet-fault'
          ? await lab.fleetFault(lab.pickFleet(positionals, num(values.count, 'count')), {
              mode: values.mode === 'pause' ? 'pause' : 'stop',
            })
          : await lab.fleetRestore(positionals);
      console.log(
        `${r.action}: ${r.real.length} real (${r.real.join(' ') || '-'}), ${r.aliases.length} aliases (${r.aliases.join(' ') || '-'}) in ${r.ms} ms`,
      );
      return 0;
    }
    case 'fleet-churn': {
      const lab = Lab.open(dir);
      if (!lab) throw new Error(`no lab at ${dir}`);
      const rate = num(values.rate, 'rate') ?? 10;
      const seconds = num(values.seconds, 'seconds') ?? 30;
      const flap = num(values['flap-every'], 'flap-every') ?? 0;
      console.log(`churn: ${rate} ops/s across the real fleet clusters for ${seconds} s${flap ? `, a node flap every ${flap} s` : ''}`);
      const r = await lab.fleetChurn({ rate, seconds, flapEverySeconds: flap });
      console.log(
        `churn: ${r.rate} ops/s over ${r.clusters.length} real clusters (${r.perCluster.toFixed(2)} ops/s each), ` +
          `seen by a console through the aliases as ${r.seenRate.toFixed(1)} ops/s; ${r.flaps} node flaps; ${JSON.stringify(r.totals)}`,
      );
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return 0;
    default:
      console.error(`unknown command "${cmd}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`lab: ${e.message}`);
    process.exit(1);
  },
);
