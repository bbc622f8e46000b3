// Exec-plugin trust: a kubeconfig can name any program. The console never runs one before the user
// approved that exact command, arguments and environment variable names, for that file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ContextEntry } from './kubeconfig.ts';

export interface ExecRequest {
  /** what approval is bound to */
  key: string;
  file: string;
  command: string;
  args: string[];
  /** names only: values may be secrets */
  envNames: string[];
  installHint?: string;
}

export interface Approval extends ExecRequest {
  approvedAt: number;
}

export function execRequest(e: ContextEntry): ExecRequest | undefined {
  const x = e.user?.exec;
  if (!x) return undefined;
  // The file that defined the user (not the context) holds the command: with KUBECONFIG they may differ.
  const file = e.user!.file;
  const envNames = x.env.map((v) => v.name).sort();
  const key = createHash('sha256')
    .update(JSON.stringify([file, x.command, x.args, envNames]))
    .digest('hex');
  const r: ExecRequest = { key, file, command: x.command, args: x.args, envNames };
  if (x.installHint) r.installHint = x.installHint;
  return r;
}

export class TrustStore {
  readonly path: string;
  private approvals = new Map<string, Approval>();
  private loadedMtime = -1;

  constructor(path: string) {
    this.path = path;
    this.load();
  }

  private load(): void {
    this.approvals.clear();
    this.loadedMtime = -1;
    if (!existsSync(this.path)) return;
    this.loadedMtime = statSync(this.path).mtimeMs;
    try {
      const data = JSON.parse(readFileSync(this.path, 'utf8')) as { approvals?: Approval[] };
      for (const a of data.approvals ?? []) if (a && typeof a.key === 'string') this.approvals.set(a.key, a);
    } catch {
      // A corrupt trust file must not grant anything: start empty, keep the file for inspection.
      this.approvals.clear();
    }
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, approvals: [...this.approvals.values()] }, null, 2), { mode: 0o600 });
    renameSync(tmp, this.path);
    this.loadedMtime = statSync(this.path).mtimeMs;
  }

  /** Approvals given by another process (the CLI, the app's main process) are seen here too. */
  private refresh(): void {
    try {
      if (statSync(this.path).mtimeMs !== this.loadedMtime) this.load();
    } catch {
      if (this.loadedMtime !== -1) this.load();
    }
  }

  isApproved(req: ExecRequest): boolean {
    this.refresh();
    return this.approvals.has(req.key);
  }

  approve(req: ExecRequest, now = Date.now()): Approval {
    this.refresh();
    const a: Approval = { ...req, approvedAt: now };
    this.approvals.set(req.key, a);
    this.save();
    return a;
  }

  revoke(key: string): boolean {
    const had = this.approvals.delete(key);
    if (had) this.save();
    return had;
  }

  list(): Approval[] {
    return [...this.approvals.values()];
  }
}
