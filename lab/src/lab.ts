// The lab orchestrator's programmatic API: tests and benchmarks use this; the CLI is a thin shell on it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ensureBinaries, type BinPaths } from './build.ts';
import { adminClient, bootstrapRbac, prepareCluster, startComponent, waitApiserver, waitEtcd } from './cluster.ts';
import { certUser, writeKubeconfig, type KubeconfigEntry } from './kubeconfig.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, rssBytes, startProcess, stopProcess, type ProcRecord } from './proc.ts';
import { buildSeed, seedCluster, seedLate, settleCluster, PROFILE_DEFAULTS, PROFILES, type Profile } from './profiles/index.ts';
import {
  COMPONENTS,
  readState,
  withStateLock,
  writeState,
  type AliasRecord,
  type ClusterRecord,
  type Component,
  type FleetState,
  type LabState,
} from './state.ts';
import { defaultLabDir } from './paths.ts';
import { chaos, type ChaosOptions, type ChaosResult } from './chaos.ts';
import { freePorts } from './ports.ts';
import { labRoot } from './paths.ts';
import { until } from './until.ts';
import { retry } from './kube.ts';
import {
  FLEET_DEFAULTS,
  FLEET_TLS_SERVER_NAME,
  aliasHost,
  chooseDefaultReal,
  fleetEtcdArgs,
  fleetSeed,
  forwarderAlive,
  forwarderCall,
  freePortOn,
  seedFleetCluster,
  waitEtcdAt,
} from './fleet.ts';
import type { ForwarderConfig } from './forwarder.ts';

export interface FleetUpOptions {
  /** real (slim) control planes; default: as many as fit, from the measured RSS of the first one */
  real?: number;
  /** alias clusters on top of the real ones (default: total - real) */
  aliases?: number;
  /** members in all, real + aliases (default 100 when neither aliases nor total is given) */
  total?: number;
  /** nodes and pods per node of each real fleet cluster (default 3 and 2) */
  nodes?: number;
  podsPerNode?: number;
}

export interface UpOptions {
  dir?: string;
  /** ordinary clusters to start (not with fleet) */
  clusters?: number;
  /** a fleet: slim real control planes sharing one etcd, plus aliases of them (fleet.ts) */
  fleet?: FleetUpOptions;
  profile?: Profile;
  nodes?: number;
  podsPerNode?: number;
  /** clusters started at once (each start is CPU-bound on 2 cores) */
  parallel?: number;
  log?: (s: string) => void;
  settleTimeoutMs?: number;
}

export interface ClusterStatus {
  name: string;
  profile: string;
  server: string;
  phase: ClusterRecord['phase'];
  error?: string;
  nodes: number;
  podsPerNode: number;
  kubeconfigs: { admin: string; restricted: string; exec: string; all: string };
  contexts: { admin: string; restricted: string; exec: string };
  processes: { name: Component; pid: number; alive: boolean; stopped: boolean; rssBytes: number }[];
  rssBytes: number;
  timings: Record<string, number>;
  /** fleet members only: the aliases that reach this real cluster */
  aliases?: string[];
}

/** A fleet alias: the real cluster `aliasOf`, reached again at `server` through the forwarder. */
export interface AliasStatus {
  name: string;
  aliasOf: string;
  server: string;
  realServer: string;
  tlsServerName: string;
  /** taken away by a fault */
  down: boolean;
  /** the forwarder listens for it and its real apiserver runs */
  reachable: boolean;
}

export interface FleetStatus {
  kubeconfig: string;
  real: string[];
  aliases: AliasStatus[];
  etcd: { pid: number; alive: boolean; rssBytes: number; prefixes: Record<string, string> };
  forwarder: { pid: number; alive: boolean; rssBytes: number; controlPort: number };
  measured?: FleetState['measured'];
  rssBytes: number;
}

export interface FleetFaultResult {
  action: 'fault' | 'restore';
  mode: 'stop' | 'pause';
  real: string[];
  aliases: string[];
  ms: number;
}

export interface FleetChurnResult {
  rate: number;
  perCluster: number;
  seconds: number;
  clusters: string[];
  /** what the console sees: every change of a real cluster again through each of its aliases */
  seenRate: number;
  totals: Record<string, number>;
  flaps: number;
  flapEverySeconds: number;
}

export interface LabStatus {
  dir: string;
  bin: Record<string, string>;
  kubernetesVersion: string;
  merged: string;
  clusters: ClusterStatus[];
  fleet?: FleetStatus;
}

export class Lab {
  readonly dir: string;
  state: LabState;

  private constructor(state: LabState) {
    this.dir = state.dir;
    this.state = state;
  }

  /** The lab recorded in `dir`, if any (its processes may or may not still run). */
  static open(dir = defaultLabDir()): Lab | undefined {
    const s = readState(dir);
    return s ? new Lab(s) : undefined;
  }

  /** Start `clusters` more clusters in the lab at `dir` (a new lab if there is none). */
  static async up(opts: UpOptions): Promise<Lab> {
    const dir = opts.dir ?? defaultLabDir();
    const log = opts.log ?? (() => {});
    const profile = opts.profile ?? 'mixed';
    if (!PROFILES.includes(profile)) throw new Error(`unknown profile ${profile} (one of ${PROFILES.join(', ')})`);
    const bin = await ensureBinaries(log);
    mkdirSync(dir, { recursive: true });
    const lab = await withStateLock(dir, () => {
      const existing = readState(dir);
      const state: LabState = existing ?? {
        version: 1,
        dir,
        createdAt: new Date().toISOString(),
        bin,
        merged: join(dir, 'merged.kubeconfig'),
        clusters: [],
      };
      state.bin = bin;
      writeState(state);
      return new Lab(state);
    });
    if (opts.fleet) {
      await lab.upFleet(opts.fleet, bin, log, opts.parallel ?? 2, opts.settleTimeoutMs);
      return lab;
    }
    const defaults = PROFILE_DEFAULTS[profile];
    const nodes = opts.nodes ?? defaults.nodes;
    const podsPerNode = opts.podsPerNode ?? defaults.podsPerNode;
    const firstIndex = Math.max(0, ...lab.state.clusters.map((c) => c.index)) + 1;
    const names = Array.from({ length: opts.clusters ?? 1 }, (_, i) => ({ index: firstIndex + i, name: `lab-${firstIndex + i}` }));
    const queue = [...names];
    const parallel = Math.max(1, opts.parallel ?? 2);
    const errors: string[] = [];
    await Promise.all(
      Array.from({ length: Math.min(parallel, queue.length) }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          try {
            await lab.startCluster(next.name, next.index, profile, nodes, podsPerNode, bin, log, opts.settleTimeoutMs);
          } catch (e) {
            errors.push(`${next.name}: ${(e as Error).message}`);
          }
        }
      }),
    );
    await lab.writeMerged();
    if (errors.length) throw new Error(`lab up failed:\n${errors.join('\n')}`);
    return lab;
  }

  private async persist(rec?: ClusterRecord): Promise<void> {
    await withStateLock(this.dir, () => {
      const onDisk = readState(this.dir) ?? this.state;
      if (rec) {
        const i = onDisk.clusters.findIndex((c) => c.name === rec.name);
        if (i >= 0) onDisk.clusters[i] = rec;
        else onDisk.clusters.push(rec);
      }
      onDisk.bin = this.state.bin;
      this.state = onDisk;
      writeState(onDisk);
    });
  }

  private async startCluster(
    name: string,
    index: number,
    profile: Profile,
    nodes: number,
    podsPerNode: number,
    bin: BinPaths,
    log: (s: string) => void,
    settleTimeoutMs?: number,
  ): Promise<void> {
    const t0 = Date.now();
    const rec = await prepareCluster({ name, index, profile, nodes, podsPerNode, dir: join(this.dir, 'clusters', name) }, bin);
    await this.persist(rec);
    const step = async (comp: Component, wait?: () => Promise<void>) => {
      rec.procs[comp] = startComponent(rec, bin, comp);
      await this.persist(rec);
      if (wait) await wait();
    };
    try {
      log(`${name}: starting (${profile}, ${nodes} nodes, ${podsPerNode} pods/node) at ${rec.server}\n`);
      await step('etcd', () => waitEtcd(rec));
      await step('kube-apiserver', () => waitApiserver(rec));
      rec.timings.apiserverReadyMs = Date.now() - t0;
      await step('kube-controller-manager');
      await step('kube-scheduler');
      await step('kwok');
      rec.phase = 'seeding';
      await this.persist(rec);
      const c = adminClient(rec, nodes > 200 ? 48 : 16);
      try {
        await bootstrapRbac(c);
        const seed = buildSeed(profile, nodes, podsPerNode, name, bin.kubernetesVersion);
        await seedCluster(c, seed, (s) => log(`${name}:${s}`));
        rec.timings.seededMs = Date.now() - t0;
        const settleMs = settleTimeoutMs ?? (nodes > 200 ? 30 : 5) * 60_000;
        await settleCluster(c, seed, settleMs, (s) => log(`${name}:${s}`));
        if (await seedLate(c, seed)) await settleCluster(c, seed, settleMs, (s) => log(`${name}:${s}`));
      } finally {
        c.close();
      }
      rec.phase = 'ready';
      rec.timings.readyMs = Date.now() - t0;
      await this.persist(rec);
      log(`${name}: ready in ${(rec.timings.readyMs / 1000).toFixed(1)} s\n`);
    } catch (e) {
      rec.phase = 'failed';
      rec.error = (e as Error).message;
      await this.persist(rec);
      throw e;
    }
  }

  /** Merged kubeconfig of every cluster and user (kubectl's merge of the per-cluster files). */
  async writeMerged(): Promise<void> {
    const entries: KubeconfigEntry[] = [];
    for (const c of this.state.clusters) {
      if (!existsSync(c.kubeconfigs.all)) continue;
      const doc = parse(readFileSync(c.kubeconfigs.all, 'utf8')) as {
        clusters: { name: string; cluster: { server: string } }[];
        users: { name: string; user: Record<string, unknown> }[];
        contexts: { name: string; context: { user: string } }[];
      };
      for (const ctx of doc.contexts) {
        const user = doc.users.find((u) => u.name === ctx.context.user)!;
        entries.push({ context: ctx.name, cluster: c.name, server: c.server, caFile: join(c.dir, 'pki', 'ca.crt'), user });
      }
    }
    entries.push(...this.fleetEntries().filter((e) => this.alias(e.context)));
    if (entries.length) writeKubeconfig(this.state.merged, entries);
  }

  /** Change the fleet's state on disk (read-modify-write under the state lock); `init` when there is none yet. */
  private async updateFleet(fn: (f: FleetState) => void, init?: FleetState): Promise<FleetState> {
    return withStateLock(this.dir, () => {
      const onDisk = readState(this.dir) ?? this.state;
      const f = onDisk.fleet ?? init;
      if (!f) throw new Error(`no fleet in the lab at ${this.dir}`);
      fn(f);
      onDisk.fleet = f;
      onDisk.bin = this.state.bin;
      this.state = onDisk;
      writeState(onDisk);
      return f;
    });
  }

  /** The shared etcd of the fleet (started once). */
  private async ensureFleetEtcd(bin: BinPaths, log: (s: string) => void): Promise<FleetState> {
    let f = this.state.fleet;
    if (!f) {
      const [client, peer, controlPort] = (await freePorts(3)) as [number, number, number];
      const fdir = join(this.dir, 'fleet');
      mkdirSync(join(fdir, 'etcd'), { recursive: true, mode: 0o700 });
      const init: FleetState = {
        etcdDir: join(fdir, 'etcd'),
        etcdPorts: { client, peer },
        forwarderConfig: join(fdir, 'forwarder.json'),
        controlPort,
        aliases: [],
        kubeconfig: join(this.dir, 'fleet.kubeconfig'),
      };
      f = await this.updateFleet(() => {}, init);
    }
    if (!f.etcd || !isAlive(f.etcd)) {
      const fdir = join(this.dir, 'fleet');
      mkdirSync(fdir, { recursive: true });
      const p = startProcess('etcd', bin.etcd, fleetEtcdArgs(f), join(fdir, 'etcd.log'), { GOGC: '50' });
      f = await this.updateFleet((x) => (x.etcd = p));
      await waitEtcdAt(f.etcdPorts.client, () => isAlive(p));
      log(`fleet: shared etcd at 127.0.0.1:${f.etcdPorts.client} (pid ${p.pid})\n`);
    }
    return f;
  }

  private async startFleetCluster(
    name: string,
    index: number,
    f: FleetState,
    nodes: number,
    podsPerNode: number,
    bin: BinPaths,
    log: (s: string) => void,
    settleTimeoutMs = 120_000,
  ): Promise<ClusterRecord> {
    const t0 = Date.now();
    const rec = await prepareCluster({ name, index, profile: 'fleet', nodes, podsPerNode, dir: join(this.dir, 'clusters', name) }, bin);
    rec.fleet = { etcdPrefix: `/cluster-${String(index).padStart(2, '0')}` };
    rec.ports.etcd = f.etcdPorts.client;
    await this.persist(rec);
    try {
      rec.procs['kube-apiserver'] = startComponent(rec, bin, 'kube-apiserver');
      await this.persist(rec);
      await waitApiserver(rec);
      rec.timings.apiserverReadyMs = Date.now() - t0;
      rec.procs.kwok = startComponent(rec, bin, 'kwok');
      rec.phase = 'seeding';
      await this.persist(rec);
      const c = adminClient(rec, 4);
      try {
        const seed = fleetSeed(name, nodes, podsPerNode, bin.kubernetesVersion);
        await seedFleetCluster(c, seed, settleTimeoutMs);
      } finally {
        c.close();
      }
      rec.phase = 'ready';
      rec.timings.readyMs = Date.now() - t0;
      await this.persist(rec);
      log(`${name}: ready in ${(rec.timings.readyMs / 1000).toFixed(1)} s (etcd prefix ${rec.fleet.etcdPrefix}) at ${rec.server}\n`);
      return rec;
    } catch (e) {
      rec.phase = 'failed';
      rec.error = (e as Error).message;
      await this.persist(rec);
      throw e;
    }
  }

  /** Real slim control planes (one shared etcd), then aliases of them through the forwarder. */
  private async upFleet(
    o: FleetUpOptions,
    bin: BinPaths,
    log: (s: string) => void,
    parallel: number,
    settleTimeoutMs?: number,
  ): Promise<void> {
    const t0 = Date.now();
    const f = await this.ensureFleetEtcd(bin, log);
    const nodes = o.nodes ?? FLEET_DEFAULTS.nodes;
    const podsPerNode = o.podsPerNode ?? FLEET_DEFAULTS.podsPerNode;
    const total = o.total ?? (o.aliases !== undefined && o.real !== undefined ? o.real + o.aliases : 100);
    let firstIndex = Math.max(0, ...this.state.clusters.map((c) => c.index)) + 1;
    const width = Math.max(3, String(total + this.fleetMembers().length).length);
    let member = this.fleetMembers().length;
    const nextName = () => `fleet-${String(++member).padStart(width, '0')}`;
    const real: ClusterRecord[] = [];
    let want = o.real;
    if (want === undefined) {
      // Measure one slim control plane, then choose how many fit.
      const first = await this.startFleetCluster(nextName(), firstIndex++, f, nodes, podsPerNode, bin, log, settleTimeoutMs);
      real.push(first);
      await sleep(2000);
      const apiserverRssBytes = rssBytes(first.procs['kube-apiserver']!.pid);
      const kwokRssBytes = rssBytes(first.procs.kwok!.pid);
      const choice = chooseDefaultReal(apiserverRssBytes + kwokRssBytes, total);
      want = choice.real;
      const measured = { apiserverRssBytes, kwokRssBytes, defaultReal: want, reason: choice.reason };
      await this.updateFleet((x) => (x.measured = measured));
      log(
        `fleet: slim kube-apiserver RSS ${(apiserverRssBytes / 1048576).toFixed(0)} MiB, kwok ${(kwokRssBytes / 1048576).toFixed(0)} MiB ` +
          `→ default real control planes R=${want} (${choice.reason})\n`,
      );
    }
    const queue = Array.from({ length: Math.max(0, want - real.length) }, () => ({ name: nextName(), index: firstIndex++ }));
    const errors: string[] = [];
    await Promise.all(
      Array.from({ length: Math.min(Math.max(1, parallel), queue.length) }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          try {
            real.push(await this.startFleetCluster(next.name, next.index, f, nodes, podsPerNode, bin, log, settleTimeoutMs));
          } catch (e) {
            errors.push(`${next.name}: ${(e as Error).message}`);
          }
        }
      }),
    );
    if (errors.length) throw new Error(`fleet up failed:\n${errors.join('\n')}`);
    real.sort((a, b) => a.index - b.index);
    const aliasCount = o.aliases ?? Math.max(0, total - want);
    const added: AliasRecord[] = [];
    const have = this.state.fleet?.aliases.length ?? 0;
    for (let i = 0; i < aliasCount; i++) {
      const host = aliasHost(have + i);
      const port = await freePortOn(host);
      const of = real[i % real.length]!;
      added.push({ name: nextName(), aliasOf: of.name, host, port, server: `https://${host}:${port}`, down: false });
    }
    await this.updateFleet((x) => x.aliases.push(...added));
    await this.startForwarder(log);
    this.writeFleetKubeconfig();
    await this.writeMerged();
    log(
      `fleet: ${this.fleetReal().length} real + ${this.state.fleet!.aliases.length} aliases = ${this.fleetMembers().length} clusters up in ` +
        `${((Date.now() - t0) / 1000).toFixed(1)} s; kubeconfig ${f.kubeconfig}\n`,
    );
  }

  /** (Re)start the forwarder with every alias (listening for those not taken away). */
  private async startForwarder(log: (s: string) => void): Promise<void> {
    this.reload();
    const f = this.state.fleet!;
    if (f.forwarder && isAlive(f.forwarder)) await stopProcess(f.forwarder);
    await this.updateFleet((x) => delete x.forwarder);
    if (!f.aliases.length) return;
    const readyFile = join(this.dir, 'fleet', 'forwarder.ready');
    rmSync(readyFile, { force: true });
    const byName = new Map(this.state.clusters.map((c) => [c.name, c]));
    const cfg: ForwarderConfig = {
      controlPort: f.controlPort,
      readyFile,
      aliases: f.aliases.map((a) => ({
        name: a.name,
        host: a.host,
        port: a.port,
        target: { host: '127.0.0.1', port: byName.get(a.aliasOf)!.ports.apiserver },
      })),
    };
    writeFileSync(f.forwarderConfig, JSON.stringify(cfg, null, 2));
    const p = startProcess(
      'fleet-forwarder',
      process.execPath,
      [join(labRoot, 'src', 'forwarder.ts'), f.forwarderConfig],
      join(this.dir, 'fleet', 'forwarder.log'),
    );
    await this.updateFleet((x) => (x.forwarder = p));
    await until(
      'the fleet forwarder listening',
      () => {
        if (!isAlive(p))
          throw new Error(`the fleet forwarder exited: ${readFileSync(join(this.dir, 'fleet', 'forwarder.log'), 'utf8').slice(-2000)}`);
        return existsSync(readyFile);
      },
      30_000,
      50,
    );
    const down = f.aliases.filter((a) => a.down).map((a) => a.name);
    if (down.length) await forwarderCall(f, 'POST', '/down', { names: down });
    log(`fleet: forwarder (pid ${p.pid}) serves ${f.aliases.length} aliases on 127.0.1.x; control port ${f.controlPort}\n`);
  }

  private fleetReal(): ClusterRecord[] {
    return this.state.clusters.filter((c) => c.fleet);
  }

  /** Names of every fleet member, real and alias, in order. */
  fleetMembers(): string[] {
    return [...this.fleetReal().map((c) => c.name), ...(this.state.fleet?.aliases ?? []).map((a) => a.name)].sort();
  }

  /** A fleet alias by name. */
  alias(name: string): AliasRecord | undefined {
    return this.state.fleet?.aliases.find((a) => a.name === name);
  }

  private fleetEntries(): KubeconfigEntry[] {
    const out: KubeconfigEntry[] = [];
    const real = this.fleetReal();
    const adminOf = (c: ClusterRecord) => {
      const p = join(c.dir, 'pki');
      return certUser(`${c.name}-admin`, join(p, 'admin.crt'), join(p, 'admin.key'));
    };
    for (const c of real)
      out.push({ context: c.name, cluster: c.name, server: c.server, caFile: join(c.dir, 'pki', 'ca.crt'), user: adminOf(c) });
    for (const a of this.state.fleet?.aliases ?? []) {
      const c = real.find((r) => r.name === a.aliasOf);
      if (!c) continue;
      out.push({
        context: a.name,
        cluster: a.name,
        server: a.server,
        caFile: join(c.dir, 'pki', 'ca.crt'),
        user: adminOf(c),
        tlsServerName: FLEET_TLS_SERVER_NAME,
      });
    }
    return out.sort((x, y) => x.context.localeCompare(y.context));
  }

  private writeFleetKubeconfig(): void {
    const f = this.state.fleet;
    if (!f) return;
    const entries = this.fleetEntries();
    if (entries.length) writeKubeconfig(f.kubeconfig, entries);
  }

  /** Resolve fleet member names (real or alias); `count` picks the last K members. */
  pickFleet(names: string[], count?: number): string[] {
    this.reload();
    const all = this.fleetMembers();
    if (count !== undefined) return all.slice(Math.max(0, all.length - count));
    for (const n of names) if (!all.includes(n)) throw new Error(`${n} is not a fleet member (have ${all[0]} … ${all[all.length - 1]})`);
    return names;
  }

  /**
   * Take fleet members away at once: an alias's forwarder stops listening and resets its open
   * connections (connection refused, then); a real cluster's apiserver is killed (mode 'stop': SIGTERM,
   * SIGKILL after 1 s; connection refused, and reset through its aliases) or frozen with SIGSTOP (mode 'pause': connections
   * hang, as a wedged server's do).
   */
  async fleetFault(names: string[], opts: { mode?: 'stop' | 'pause' } = {}): Promise<FleetFaultResult> {
    const t0 = Date.now();
    this.reload();
    const f = this.state.fleet;
    if (!f) throw new Error(`no fleet in the lab at ${this.dir}`);
    const mode = opts.mode ?? 'stop';
    const aliases = names.filter((n) => this.alias(n));
    const real = names.filter((n) => !this.alias(n));
    for (const n of real) if (!this.cluster(n).fleet) throw new Error(`${n} is not a fleet cluster`);
    if (aliases.length) {
      await forwarderCall(f, 'POST', '/down', { names: aliases });
      await this.updateFleet((x) => {
        for (const a of x.aliases) if (aliases.includes(a.name)) a.down = true;
      });
    }
    await Promise.all(
      real.map(async (n) => {
        const rec = this.cluster(n);
        const p = rec.procs['kube-apiserver'];
        if (mode === 'pause') {
          if (p && isAlive(p)) process.kill(p.pid, 'SIGSTOP');
          rec.fleet = { ...rec.fleet!, paused: true };
          if (!rec.stopped.includes('kube-apiserver')) rec.stopped.push('kube-apiserver');
          await this.persist(rec);
        } else {
          // A crash, not a graceful shutdown: a kube-apiserver with open watches can take its whole
          // 15 s grace to exit on SIGTERM; after 1 s it is killed.
          if (p && isAlive(p)) await stopProcess(p, 1000);
          if (!rec.stopped.includes('kube-apiserver')) rec.stopped.push('kube-apiserver');
          await this.persist(rec);
        }
      }),
    );
    return { action: 'fault', mode, real, aliases, ms: Date.now() - t0 };
  }

  /** Bring fleet members back (all that are away when `names` is empty). */
  async fleetRestore(names: string[] = []): Promise<FleetFaultResult> {
    const t0 = Date.now();
    this.reload();
    const f = this.state.fleet;
    if (!f) throw new Error(`no fleet in the lab at ${this.dir}`);
    const targets = names.length
      ? names
      : [
          ...f.aliases.filter((a) => a.down).map((a) => a.name),
          ...this.fleetReal()
            .filter((c) => c.stopped.includes('kube-apiserver'))
            .map((c) => c.name),
        ];
    const aliases = targets.filter((n) => this.alias(n));
    const real = targets.filter((n) => !this.alias(n));
    let paused = false;
    // Real apiservers first (two at a time: each start is CPU-bound), then the aliases listen again.
    const queue = [...real];
    await Promise.all(
      Array.from({ length: Math.min(2, queue.length) }, async () => {
        for (let n = queue.shift(); n; n = queue.shift()) {
          const rec = this.cluster(n);
          const p = rec.procs['kube-apiserver'];
          if (rec.fleet?.paused) {
            paused = true;
            if (p && isAlive(p)) process.kill(p.pid, 'SIGCONT');
            rec.fleet = { etcdPrefix: rec.fleet.etcdPrefix };
            rec.stopped = rec.stopped.filter((c) => c !== 'kube-apiserver');
            await this.persist(rec);
            await waitApiserver(rec);
          } else await chaos(rec, this.state.bin, 'start-apiserver', [], {}, () => this.persist(rec));
        }
      }),
    );
    if (aliases.length) {
      if (!forwarderAlive(f)) await this.startForwarder(() => {});
      await forwarderCall(f, 'POST', '/up', { names: aliases });
      await this.updateFleet((x) => {
        for (const a of x.aliases) if (aliases.includes(a.name)) a.down = false;
      });
    }
    return { action: 'restore', mode: paused ? 'pause' : 'stop', real, aliases, ms: Date.now() - t0 };
  }

  /**
   * Churn across the fleet's reachable real clusters: `rate` operations a second in all (pod create,
   * label update, delete, events: chaos.ts's churn, rate/R on each), plus a node flap (NotReady, then
   * Ready again half the period later) every `flapEverySeconds` on a random real cluster.
   */
  async fleetChurn(opts: { rate: number; seconds: number; flapEverySeconds?: number }): Promise<FleetChurnResult> {
    this.reload();
    const f = this.state.fleet;
    if (!f) throw new Error(`no fleet in the lab at ${this.dir}`);
    const reals = this.fleetReal().filter((c) => c.phase === 'ready' && !c.stopped.includes('kube-apiserver'));
    if (!reals.length) throw new Error('no reachable real fleet cluster to churn');
    const perCluster = opts.rate / reals.length;
    // chaos churn waits for the namespace's default ServiceAccount: a fleet cluster has no
    // controller-manager to create it, so the lab does.
    await Promise.all(
      reals.map(async (rec) => {
        const c = adminClient(rec, 2);
        try {
          await retry(() => c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab-churn' } }), 'namespace lab-churn');
          await retry(
            () => c.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'lab-churn' } }),
            'lab-churn/default',
          );
        } finally {
          c.close();
        }
      }),
    );
    const flapEvery = opts.flapEverySeconds ?? 0;
    let flaps = 0;
    const end = Date.now() + opts.seconds * 1000;
    const flapper = (async () => {
      if (!(flapEvery > 0)) return;
      let k = 0;
      while (Date.now() + flapEvery * 1000 <= end) {
        const rec = reals[k++ % reals.length]!;
        const node = `node-${String(1 + (k % rec.nodes)).padStart(3, '0')}`;
        await chaos(rec, this.state.bin, 'node-notready', [node], {}, () => this.persist(rec));
        await sleep((flapEvery * 1000) / 2);
        await chaos(rec, this.state.bin, 'node-ready', [node], {}, () => this.persist(rec));
        flaps++;
        await sleep((flapEvery * 1000) / 2);
      }
    })();
    const results = await Promise.all(
      reals.map((rec) => chaos(rec, this.state.bin, 'churn', [], { rate: perCluster, seconds: opts.seconds }, () => this.persist(rec))),
    );
    await flapper;
    const totals: Record<string, number> = {};
    for (const r of results)
      for (const [k, v] of Object.entries(r.detail)) if (typeof v === 'number' && !k.endsWith('Ms')) totals[k] = (totals[k] ?? 0) + v;
    const seen = reals.reduce((a, r) => a + 1 + f.aliases.filter((x) => x.aliasOf === r.name && !x.down).length, 0);
    return {
      rate: opts.rate,
      perCluster,
      seconds: opts.seconds,
      clusters: reals.map((r) => r.name),
      seenRate: perCluster * seen,
      totals,
      flaps,
      flapEverySeconds: flapEvery,
    };
  }

  private fleetStatus(): FleetStatus | undefined {
    const f = this.state.fleet;
    if (!f) return undefined;
    const real = this.fleetReal();
    const proc = (p: ProcRecord | undefined) => {
      const alive = !!p && isAlive(p);
      return { pid: p?.pid ?? 0, alive, rssBytes: alive ? rssBytes(p.pid) : 0 };
    };
    const etcd = { ...proc(f.etcd), prefixes: Object.fromEntries(real.map((c) => [c.name, c.fleet!.etcdPrefix])) };
    const forwarder = { ...proc(f.forwarder), controlPort: f.controlPort };
    const aliases: AliasStatus[] = f.aliases.map((a) => {
      const c = real.find((r) => r.name === a.aliasOf);
      const api = c?.procs['kube-apiserver'];
      return {
        name: a.name,
        aliasOf: a.aliasOf,
        server: a.server,
        realServer: c?.server ?? '',
        tlsServerName: FLEET_TLS_SERVER_NAME,
        down: a.down,
        reachable: !a.down && forwarder.alive && !!api && isAlive(api) && !c!.stopped.includes('kube-apiserver'),
      };
    });
    const s: FleetStatus = {
      kubeconfig: f.kubeconfig,
      real: real.map((c) => c.name),
      aliases,
      etcd,
      forwarder,
      rssBytes: etcd.rssBytes + forwarder.rssBytes,
    };
    if (f.measured) s.measured = f.measured;
    return s;
  }

  cluster(name: string): ClusterRecord {
    const c = this.state.clusters.find((x) => x.name === name);
    if (!c)
      throw new Error(
        `no cluster ${name} in the lab at ${this.dir} (have: ${this.state.clusters.map((x) => x.name).join(', ') || 'none'})`,
      );
    return c;
  }

  reload(): void {
    this.state = readState(this.dir) ?? this.state;
  }

  status(): LabStatus {
    this.reload();
    const bin: Record<string, string> = {};
    for (const k of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok', 'etcd'] as const)
      bin[k] = this.state.bin[k];
    const st: LabStatus = {
      dir: this.dir,
      bin,
      kubernetesVersion: this.state.bin.kubernetesVersion,
      merged: this.state.merged,
      clusters: this.state.clusters.map((c) => {
        const processes = COMPONENTS.filter((k) => c.procs[k]).map((k) => {
          const p = c.procs[k]!;
          const alive = isAlive(p);
          return { name: k, pid: p.pid, alive, stopped: c.stopped.includes(k), rssBytes: alive ? rssBytes(p.pid) : 0 };
        });
        const s: ClusterStatus = {
          name: c.name,
          profile: c.profile,
          server: c.server,
          phase: c.phase,
          nodes: c.nodes,
          podsPerNode: c.podsPerNode,
          kubeconfigs: c.kubeconfigs,
          contexts: { admin: c.name, restricted: `${c.name}-restricted`, exec: `${c.name}-exec` },
          processes,
          rssBytes: processes.reduce((a, p) => a + p.rssBytes, 0),
          timings: c.timings,
        };
        if (c.error) s.error = c.error;
        if (c.fleet) s.aliases = (this.state.fleet?.aliases ?? []).filter((a) => a.aliasOf === c.name).map((a) => a.name);
        return s;
      }),
    };
    const fleet = this.fleetStatus();
    if (fleet) st.fleet = fleet;
    return st;
  }

  /** Stop every process of the lab by PID (also those of an orchestrator that crashed). */
  async down(opts: { removeFiles?: boolean } = {}): Promise<{ stopped: number }> {
    this.reload();
    let stopped = 0;
    // Reverse start order: kwok and controllers first, etcd last.
    const order = [...COMPONENTS].reverse();
    await Promise.all(
      this.state.clusters.map(async (c) => {
        for (const k of order) {
          const p = c.procs[k];
          if (p && isAlive(p)) {
            // A frozen (SIGSTOP) fleet apiserver must run again to handle SIGTERM.
            if (c.fleet?.paused) process.kill(p.pid, 'SIGCONT');
            await stopProcess(p);
            stopped++;
          }
        }
      }),
    );
    // The fleet's forwarder, then its shared etcd (after every apiserver that used it).
    const f = this.state.fleet;
    for (const p of [f?.forwarder, f?.etcd]) {
      if (p && isAlive(p)) {
        await stopProcess(p);
        stopped++;
      }
    }
    if (f) rmSync(join(this.dir, 'fleet'), { recursive: true, force: true });
    // Cluster folders (etcd data, certificates) are disposable: a later `up` must start clean.
    for (const c of this.state.clusters) rmSync(c.dir, { recursive: true, force: true });
    if (opts.removeFiles) rmSync(this.dir, { recursive: true, force: true });
    else {
      await withStateLock(this.dir, () => {
        const s = readState(this.dir);
        if (s) {
          s.clusters = [];
          delete s.fleet;
          writeState(s);
        }
      });
      this.reload();
    }
    return { stopped };
  }

  async chaos(cluster: string, verb: string, args: string[] = [], opts: ChaosOptions = {}): Promise<ChaosResult> {
    this.reload();
    const rec = this.cluster(cluster);
    const result = await chaos(rec, this.state.bin, verb, args, opts, () => this.persist(rec));
    return result;
  }
}
