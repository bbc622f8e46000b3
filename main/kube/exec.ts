// Running an approved exec credential plugin (client.authentication.k8s.io v1 / v1beta1), as kubectl
// does: KUBERNETES_EXEC_INFO on the environment, stdout parsed as an ExecCredential, cached until
// its expirationTimestamp. Unlike client-node's ExecAuth, results are cached per cluster entry (never
// by user name: client-node #592), the plugin has a timeout and its stderr reaches the user.
import { spawn } from 'node:child_process';
import type { ExecSpec } from '../fleet/kubeconfig.ts';

export interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** epoch ms; undefined: valid until the server says 401 */
  expiresAt?: number;
}

export class ExecError extends Error {
  readonly stderr: string;
  constructor(message: string, stderr = '') {
    super(message);
    this.stderr = stderr;
  }
}

const SUPPORTED = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

export interface ExecOptions {
  timeoutMs?: number;
  /** PATH to run bare command names with (the login shell's, in the desktop app) */
  path?: string;
  /** a terminal is available to the plugin (never, for the console's background sync) */
  interactive?: boolean;
  cluster?: { server: string; 'certificate-authority-data'?: string; 'tls-server-name'?: string; 'insecure-skip-tls-verify'?: boolean };
}

export function runExecPlugin(spec: ExecSpec, opts: ExecOptions = {}): Promise<ExecCredential> {
  const apiVersion = spec.apiVersion || 'client.authentication.k8s.io/v1beta1';
  if (!SUPPORTED.includes(apiVersion)) {
    return Promise.reject(new ExecError(`exec plugin apiVersion ${apiVersion} is not supported (use ${SUPPORTED.join(' or ')})`));
  }
  if (apiVersion.endsWith('/v1') && !['Never', 'IfAvailable', 'Always'].includes(spec.interactiveMode)) {
    return Promise.reject(new ExecError('exec plugin: interactiveMode is required for client.authentication.k8s.io/v1'));
  }
  const interactive = !!opts.interactive && spec.interactiveMode !== 'Never';
  if (spec.interactiveMode === 'Always' && !interactive) {
    return Promise.reject(
      new ExecError(
        `${spec.command} needs an interactive terminal (interactiveMode: Always): log in with it in a terminal first, or change interactiveMode`,
      ),
    );
  }
  const info = {
    apiVersion,
    kind: 'ExecCredential',
    spec: { interactive, ...(spec.provideClusterInfo && opts.cluster ? { cluster: opts.cluster } : {}) },
  };
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  if (opts.path) env.PATH = opts.path;
  for (const e of spec.env) env[e.name] = e.value;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const child = spawn(spec.command, spec.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ExecError(`${spec.command} did not answer within ${Math.round(timeoutMs / 1000)} s`, err));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (out.length < 1 << 20) out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < 64 << 10) err += d;
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint = spec.installHint ? `\n${spec.installHint}` : '';
      reject(
        new ExecError(
          e.code === 'ENOENT' ? `exec plugin "${spec.command}" not found${hint}` : `exec plugin "${spec.command}": ${e.message}`,
        ),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        const last = err.trim().split('\n').slice(-3).join(' | ');
        reject(new ExecError(`exec plugin "${spec.command}" exited with ${code}${last ? `: ${last}` : ''}`, err));
        return;
      }
      try {
        resolve(parseExecCredential(out, apiVersion));
      } catch (e) {
        reject(new ExecError((e as Error).message, err));
      }
    });
  });
}

export function parseExecCredential(stdout: string, apiVersion: string): ExecCredential {
  let obj: { apiVersion?: string; kind?: string; status?: Record<string, unknown> };
  try {
    obj = JSON.parse(stdout);
  } catch {
    throw new Error('exec plugin did not print an ExecCredential (not JSON)');
  }
  if (obj.kind !== 'ExecCredential') throw new Error(`exec plugin printed kind ${JSON.stringify(obj.kind)}, expected ExecCredential`);
  if (obj.apiVersion !== apiVersion) throw new Error(`exec plugin answered ${obj.apiVersion}, the kubeconfig asked for ${apiVersion}`);
  const s = obj.status ?? {};
  const c: ExecCredential = {};
  if (typeof s.token === 'string' && s.token) c.token = s.token;
  if (typeof s.clientCertificateData === 'string') c.clientCertificateData = s.clientCertificateData;
  if (typeof s.clientKeyData === 'string') c.clientKeyData = s.clientKeyData;
  if (!c.token && !(c.clientCertificateData && c.clientKeyData))
    throw new Error('exec plugin returned neither a token nor a client certificate and key');
  if (!!c.clientCertificateData !== !!c.clientKeyData)
    throw new Error('exec plugin returned a client certificate without its key (or the reverse)');
  if (typeof s.expirationTimestamp === 'string') {
    const t = Date.parse(s.expirationTimestamp);
    if (Number.isNaN(t)) throw new Error(`exec plugin returned an invalid expirationTimestamp ${JSON.stringify(s.expirationTimestamp)}`);
    c.expiresAt = t;
  }
  return c;
}

/** Credentials per cluster entry id, refreshed a little before they expire. */
export class ExecCredentialCache {
  private readonly byEntry = new Map<
    string,
    { cred: ExecCredential; inflight?: undefined } | { inflight: Promise<ExecCredential>; cred?: undefined }
  >();
  private readonly skewMs: number;

  constructor(skewMs = 30_000) {
    this.skewMs = skewMs;
  }

  async get(entryId: string, spec: ExecSpec, opts: ExecOptions, now = Date.now()): Promise<ExecCredential> {
    const hit = this.byEntry.get(entryId);
    if (hit?.cred && (hit.cred.expiresAt === undefined || hit.cred.expiresAt - this.skewMs > now)) return hit.cred;
    if (hit?.inflight) return hit.inflight;
    const inflight = runExecPlugin(spec, opts);
    this.byEntry.set(entryId, { inflight });
    try {
      const cred = await inflight;
      this.byEntry.set(entryId, { cred });
      return cred;
    } catch (e) {
      this.byEntry.delete(entryId);
      throw e;
    }
  }

  /** After a 401: the next get runs the plugin again. */
  invalidate(entryId: string): void {
    this.byEntry.delete(entryId);
  }
}

/** What the desktop app passes for exec plugins' PATH: the login shell's, resolved where they run (resolveExecPath). */
export const LOGIN_SHELL_PATH = 'login-shell';

/**
 * The PATH exec plugins run with, from what a shell passed: LOGIN_SHELL_PATH is the login shell's
 * (loginShellPath), anything else is a PATH as it is, undefined the process's own.
 */
export function resolveExecPath(execPath: string | undefined): Promise<string | undefined> {
  return execPath === LOGIN_SHELL_PATH ? loginShellPath() : Promise.resolve(execPath);
}

/**
 * PATH as the user's login shell sets it. A desktop app started from the Dock or a launcher does not
 * inherit the terminal's PATH, so `aws`, `gke-gcloud-auth-plugin` or `kubelogin` would not be found.
 * Falls back to the current PATH when the shell does not answer in time.
 */
export function loginShellPath(timeoutMs = 5000): Promise<string> {
  const fallback = process.env.PATH ?? '';
  const shell = process.env.SHELL;
  if (!shell || process.platform === 'win32') return Promise.resolve(fallback);
  return new Promise((resolve) => {
    let out = '';
    const marker = '__FLEET_PATH__';
    const child = spawn(shell, ['-ilc', `printf '${marker}%s${marker}' "$PATH"`], { stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(fallback);
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', () => {
      clearTimeout(timer);
      resolve(fallback);
    });
    child.on('close', () => {
      clearTimeout(timer);
      const m = new RegExp(`${marker}(.*)${marker}`, 's').exec(out);
      resolve(m?.[1] || fallback);
    });
  });
}
