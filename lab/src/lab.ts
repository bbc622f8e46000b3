// The lab orchestrator's programmatic API: tests and benchmarks use this; the CLI is a thin shell on it.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ensureBinaries, type BinPaths } from './build.ts';
import { adminClient, bootstrapRbac, prepareCluster, startComponent, waitApiserver, waitEtcd } from './cluster.ts';
import { writeKubeconfig, type KubeconfigEntry } from './kubeconfig.ts';
import { isAlive, rssBytes, stopProcess } from './proc.ts';
import { buildSeed, seedCluster, seedLate, settleCluster, PROFILE_DEFAULTS, PROFILES, type Profile } from './profiles/index.ts';
import { COMPONENTS, readState, withStateLock, writeState, type ClusterRecord, type Component, type LabState } from './state.ts';
import { defaultLabDir } from './paths.ts';
import { chaos, type ChaosOptions, type ChaosResult } from './chaos.ts';

export interface UpOptions {
  dir?: string;
  clusters: number;
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
}

export interface LabStatus {
  dir: string;
  bin: Record<string, string>;
  kubernetesVersion: string;
  merged: string;
  clusters: ClusterStatus[];
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
    const defaults = PROFILE_DEFAULTS[profile];
    const nodes = opts.nodes ?? defaults.nodes;
    const podsPerNode = opts.podsPerNode ?? defaults.podsPerNode;
    const firstIndex = Math.max(0, ...lab.state.clusters.map((c) => c.index)) + 1;
    const names = Array.from({ length: opts.clusters }, (_, i) => ({ index: firstIndex + i, name: `lab-${firstIndex + i}` }));
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
    if (entries.length) writeKubeconfig(this.state.merged, entries);
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
    return {
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
        return s;
      }),
    };
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
            await stopProcess(p);
            stopped++;
          }
        }
      }),
    );
    // Cluster folders (etcd data, certificates) are disposable: a later `up` must start clean.
    for (const c of this.state.clusters) rmSync(c.dir, { recursive: true, force: true });
    if (opts.removeFiles) rmSync(this.dir, { recursive: true, force: true });
    else {
      await withStateLock(this.dir, () => {
        const s = readState(this.dir);
        if (s) {
          s.clusters = [];
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
