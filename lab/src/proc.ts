// Processes of the lab: started detached (they outlive the CLI that started them), stopped by PID only.
// A PID is only signalled after checking that it is still the process we started (same executable and
// same start time in /proc), so a recycled PID is never killed.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcRecord {
  /** component name, e.g. "kube-apiserver" */
  name: string;
  pid: number;
  /** absolute path of the executable */
  bin: string;
  args: string[];
  log: string;
  /** /proc/<pid>/stat starttime (clock ticks since boot), to recognise PID reuse */
  startTicks: number;
  env?: Record<string, string>;
}

export function procStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: fields after the last ')' are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); starttime is field 22.
    const v = Number(rest[22 - 3]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** True when the PID still runs the process described by the record (not a zombie, not reused). */
export function isAlive(rec: Pick<ProcRecord, 'pid' | 'startTicks'>): boolean {
  const ticks = procStartTicks(rec.pid);
  if (ticks === undefined || ticks !== rec.startTicks) return false;
  const st = procState(rec.pid);
  return st !== undefined && st !== 'Z' && st !== 'X';
}

export function startProcess(name: string, bin: string, args: string[], log: string, env?: Record<string, string>): ProcRecord {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(bin, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...env },
    });
    if (child.pid === undefined) throw new Error(`${name}: could not start ${bin}`);
    child.unref();
    const startTicks = procStartTicks(child.pid) ?? -1;
    const rec: ProcRecord = { name, pid: child.pid, bin, args, log, startTicks };
    if (env) rec.env = env;
    return rec;
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM, wait up to graceMs, then SIGKILL. Returns once the process is gone. */
export async function stopProcess(rec: ProcRecord, graceMs = 10_000): Promise<void> {
  if (!isAlive(rec)) return;
  try {
    process.kill(rec.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(rec)) return;
    await sleep(50);
  }
  if (isAlive(rec)) {
    try {
      process.kill(rec.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    while (isAlive(rec)) await sleep(20);
  }
}

/** Resident set size in bytes of a live process (VmRSS), or 0. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Last n lines of a log file, for error messages. */
export function tail(file: string, n = 15): string {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Run fn holding a lock between processes (a directory with the holder's PID). A lock whose holder is
 * dead is taken over; with stealAfterMs, so is one held longer than that.
 */
export async function withDirLock<T>(
  lockDir: string,
  fn: () => Promise<T> | T,
  opts: { pollMs?: number; stealAfterMs?: number } = {},
): Promise<T> {
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = opts.stealAfterMs === undefined ? Infinity : Date.now() + opts.stealAfterMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch {
      let holderDead = false;
      try {
        process.kill(Number(readFileSync(join(lockDir, 'pid'), 'utf8')), 0);
      } catch (e) {
        // No pid file yet: its holder is between mkdir and write; anything else: the holder is gone.
        holderDead = (e as NodeJS.ErrnoException).code !== 'ENOENT';
      }
      if (holderDead || Date.now() > deadline) rmSync(lockDir, { recursive: true, force: true });
      else await sleep(opts.pollMs ?? 50);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
