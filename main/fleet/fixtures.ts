// Test fixtures: kubeconfig files written to a fresh folder, built from their stanzas (the fleet's
// and the CLI's tests share them). Test support: only *.test.ts import it (eslint.config.js).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** A fresh folder under the system's temporary one. */
export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'fleet-kc-'));
}

/** Write a kubeconfig (apiVersion and kind added) to path; returns path. */
export function kc(path: string, doc: Record<string, unknown>): string {
  writeFileSync(path, stringify({ apiVersion: 'v1', kind: 'Config', ...doc }));
  return path;
}

export const cluster = (name: string, server: string, extra: Record<string, unknown> = {}) => ({ name, cluster: { server, ...extra } });
export const user = (name: string, u: Record<string, unknown>) => ({ name, user: u });
export const ctx = (name: string, c: string, u: string) => ({ name, context: { cluster: c, user: u } });
