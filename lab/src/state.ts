// The lab's state on disk: enough to find, inspect and stop every process after the orchestrator
// that started them is gone (crashed, killed, or simply a CLI that exited after `up`).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withDirLock, type ProcRecord } from './proc.ts';
import type { BinPaths } from './build.ts';

export const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;
export type Component = (typeof COMPONENTS)[number];

/** What a cluster is asked to be: its name, place in the lab, profile, size and folder. */
export interface ClusterSetup {
  name: string;
  index: number;
  profile: string;
  nodes: number;
  podsPerNode: number;
  dir: string;
}

export interface ClusterRecord extends ClusterSetup {
  server: string;
  ports: Record<'etcd' | 'etcdPeer' | 'apiserver' | 'controllerManager' | 'scheduler' | 'kwok', number>;
  procs: Partial<Record<Component, ProcRecord>>;
  /** components deliberately stopped by chaos (not a failure) */
  stopped: Component[];
  kubeconfigs: { admin: string; restricted: string; exec: string; all: string };
  /** files the exec-credential script reads/writes */
  exec: { tokenFile: string; invocationLog: string };
  phase: 'starting' | 'seeding' | 'ready' | 'failed';
  error?: string;
  timings: Record<string, number>;
  /** a slim fleet control plane: its keys live under this prefix of the fleet's shared etcd */
  fleet?: { etcdPrefix: string; paused?: boolean };
}

/** The same real apiserver reached again at another loopback address, through the fleet forwarder. */
export interface AliasRecord {
  name: string;
  /** the real cluster it forwards to */
  aliasOf: string;
  host: string;
  port: number;
  server: string;
  /** taken away by a fault (the forwarder does not listen for it) */
  down: boolean;
}

export interface FleetState {
  /** the one etcd every fleet control plane shares (each under its own --etcd-prefix) */
  etcd?: ProcRecord;
  etcdDir: string;
  etcdPorts: { client: number; peer: number };
  forwarder?: ProcRecord;
  forwarderConfig: string;
  controlPort: number;
  aliases: AliasRecord[];
  /** kubeconfig with one admin context per fleet member, real and alias */
  kubeconfig: string;
  /** what the lab measured to pick the number of real control planes */
  measured?: { apiserverRssBytes: number; kwokRssBytes: number; defaultReal: number; reason: string };
}

export interface LabState {
  version: 1;
  dir: string;
  createdAt: string;
  bin: BinPaths;
  merged: string;
  clusters: ClusterRecord[];
  fleet?: FleetState;
}

export function statePath(dir: string): string {
  return join(dir, 'state.json');
}

export function readState(dir: string): LabState | undefined {
  const p = statePath(dir);
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as LabState;
}

export function writeState(state: LabState): void {
  mkdirSync(state.dir, { recursive: true });
  const p = statePath(state.dir);
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, p);
}

/** Serialise read-modify-write of the state file between processes (CLI chaos while tests run, etc.). */
export function withStateLock<T>(dir: string, fn: () => Promise<T> | T): Promise<T> {
  mkdirSync(dir, { recursive: true });
  return withDirLock(join(dir, '.state.lock'), fn, { stealAfterMs: 60_000 });
}
