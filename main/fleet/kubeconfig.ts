// Kubeconfig files → cluster entries. Every (file, context) is one entry with a stable id; KUBECONFIG
// follows kubectl's merge rules (first file wins per cluster/user/context name, paths resolved against
// the file that defined the stanza). Credentials are never copied into an entry's public view: only
// their kind, where they come from, and a fingerprint to detect the same identity in two files.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

/** Refuse kubeconfigs larger than this (a kubeconfig is kilobytes; a multi-MB file is not one). */
export const MAX_KUBECONFIG_BYTES = 4 * 1024 * 1024;

export type AuthKind = 'client-certificate' | 'token' | 'token-file' | 'exec' | 'oidc' | 'auth-provider' | 'basic' | 'none';

export interface ExecSpec {
  apiVersion: string;
  command: string;
  args: string[];
  /** env entries of the kubeconfig; values may be secrets, so only names leave this module's callers */
  env: { name: string; value: string }[];
  interactiveMode: 'Never' | 'IfAvailable' | 'Always';
  provideClusterInfo: boolean;
  installHint?: string;
}

/** A cluster stanza with paths made absolute. Holds secrets (keys, tokens): never persisted or sent to the UI. */
export interface ResolvedCluster {
  name: string;
  server: string;
  caData?: string;
  caFile?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  /** file that defined this stanza */
  file: string;
}

export interface ResolvedUser {
  name: string;
  file: string;
  certData?: string;
  certFile?: string;
  keyData?: string;
  keyFile?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: ExecSpec;
  authProvider?: { name: string; config: Record<string, string> };
  impersonate?: string;
}

export interface ContextEntry {
  /** stable id: sha256 of source, file and context name */
  id: string;
  /** file that defined the context */
  file: string;
  context: string;
  namespace?: string;
  source: SourceKind;
  cluster?: ResolvedCluster;
  user?: ResolvedUser;
  authKind: AuthKind;
  warnings: string[];
  /** set when the context cannot be used: missing cluster/user, bad server URL... */
  error?: string;
  /** hash of server + credential identity, for duplicate detection (no secret is recoverable from it) */
  identity?: string;
}

export type SourceKind = 'default' | 'KUBECONFIG' | 'file' | 'folder';

interface RawNamed<T> {
  name?: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

type Raw = Record<string, unknown>;

export class KubeconfigError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.file = file;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function entryId(source: SourceKind, file: string, context: string): string {
  // The source is not part of the id: the same file reached as ~/.kube/config and through a folder
  // is the same cluster entry for the user (its settings, approvals and cache must follow it).
  void source;
  return createHash('sha256').update(resolve(file)).update('\0').update(context).digest('hex').slice(0, 16);
}

/**
 * What a connection to an entry is made of (server, TLS, credentials, the files it re-reads, its
 * error): equal fingerprints, the same connection will do; different, make a new one.
 */
export function entryFingerprint(e: ContextEntry): string {
  return JSON.stringify([e.identity, e.cluster, e.error, e.user?.tokenFile, e.user?.certFile, e.user?.keyFile]);
}

/** Read and parse one kubeconfig file; throws KubeconfigError with a message a user can act on. */
export function readKubeconfig(file: string): Raw {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new KubeconfigError(file, 'not a regular file');
    size = st.size;
  } catch (e) {
    if (e instanceof KubeconfigError) throw e;
    throw new KubeconfigError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (size > MAX_KUBECONFIG_BYTES)
    throw new KubeconfigError(file, `too large for a kubeconfig (${size} bytes, limit ${MAX_KUBECONFIG_BYTES})`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KubeconfigError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (text.trim() === '') return {};
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100, prettyErrors: true, uniqueKeys: false });
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    throw new KubeconfigError(file, `not valid YAML: ${first}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new KubeconfigError(file, 'not a kubeconfig: the document is not a mapping');
  const kind = (doc as Raw).kind;
  if (kind !== undefined && kind !== 'Config')
    throw new KubeconfigError(file, `not a kubeconfig: kind is ${JSON.stringify(kind)}, expected "Config"`);
  for (const k of ['clusters', 'users', 'contexts']) {
    const v = (doc as Raw)[k];
    if (v !== undefined && v !== null && !Array.isArray(v)) throw new KubeconfigError(file, `not a kubeconfig: "${k}" is not a list`);
  }
  return doc as Raw;
}

function absPath(p: string | undefined, file: string): string | undefined {
  if (!p) return undefined;
  if (p.startsWith('~/')) return resolve(process.env.HOME ?? '', p.slice(2));
  return isAbsolute(p) ? p : resolve(dirname(file), p);
}

function resolveCluster(name: string, c: Raw, file: string): ResolvedCluster {
  const out: ResolvedCluster = {
    name,
    server: str(c.server) ?? '',
    insecureSkipTlsVerify: c['insecure-skip-tls-verify'] === true,
    file,
  };
  const caData = str(c['certificate-authority-data']);
  if (caData) out.caData = caData;
  const caFile = absPath(str(c['certificate-authority']), file);
  if (caFile) out.caFile = caFile;
  const tsn = str(c['tls-server-name']);
  if (tsn) out.tlsServerName = tsn;
  const proxy = str(c['proxy-url']);
  if (proxy) out.proxyUrl = proxy;
  return out;
}

function resolveUser(name: string, u: Raw, file: string): ResolvedUser {
  const out: ResolvedUser = { name, file };
  const set = <K extends keyof ResolvedUser>(k: K, v: ResolvedUser[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('certData', str(u['client-certificate-data']));
  set('certFile', absPath(str(u['client-certificate']), file));
  set('keyData', str(u['client-key-data']));
  set('keyFile', absPath(str(u['client-key']), file));
  set('token', str(u.token));
  set('tokenFile', absPath(str(u.tokenFile), file));
  set('username', str(u.username));
  set('password', str(u.password));
  set('impersonate', str(u.as));
  const exec = u.exec as Raw | undefined;
  if (exec && typeof exec === 'object') {
    const command = str(exec.command) ?? '';
    // kubectl: a command with a path separator is relative to the kubeconfig's folder; a bare name is looked up on PATH.
    const resolvedCommand = command.includes('/') ? (absPath(command, file) ?? command) : command;
    const mode = str(exec.interactiveMode);
    out.exec = {
      apiVersion: str(exec.apiVersion) ?? '',
      command: resolvedCommand,
      args: Array.isArray(exec.args) ? exec.args.map((a) => String(a)) : [],
      env: Array.isArray(exec.env)
        ? (exec.env as Raw[])
            .filter((e) => e && typeof e === 'object')
            .map((e) => ({ name: String(e.name ?? ''), value: String(e.value ?? '') }))
        : [],
      interactiveMode: mode === 'Never' || mode === 'Always' ? mode : 'IfAvailable',
      provideClusterInfo: exec.provideClusterInfo === true,
    };
    const hint = str(exec.installHint);
    if (hint) out.exec.installHint = hint;
  }
  const ap = u['auth-provider'] as Raw | undefined;
  if (ap && typeof ap === 'object') {
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries((ap.config as Raw) ?? {})) config[k] = String(v);
    out.authProvider = { name: str(ap.name) ?? '', config };
  }
  return out;
}

export function authKindOf(u: ResolvedUser | undefined): AuthKind {
  if (!u) return 'none';
  if (u.exec) return 'exec';
  if (u.authProvider) return u.authProvider.name === 'oidc' ? 'oidc' : 'auth-provider';
  if (u.certData || u.certFile) return 'client-certificate';
  if (u.token) return 'token';
  if (u.tokenFile) return 'token-file';
  if (u.username || u.password) return 'basic';
  return 'none';
}

/** A fingerprint of who this user is, without keeping any secret (hash of hashes). */
function userFingerprint(u: ResolvedUser | undefined): string {
  if (!u) return 'none';
  const h = createHash('sha256');
  const part = (k: string, v: string | undefined) =>
    h
      .update(k)
      .update('\0')
      .update(v ?? '')
      .update('\0');
  if (u.exec) {
    part('exec', u.exec.command);
    part('args', JSON.stringify(u.exec.args));
    part('env', JSON.stringify(u.exec.env.map((e) => [e.name, createHash('sha256').update(e.value).digest('hex')])));
  } else if (u.authProvider) {
    part('ap', u.authProvider.name);
    part('client', u.authProvider.config['client-id']);
    part('issuer', u.authProvider.config['idp-issuer-url']);
    part('idtoken', u.authProvider.config['id-token'] ? createHash('sha256').update(u.authProvider.config['id-token']).digest('hex') : '');
  } else {
    for (const [k, v] of [
      ['cd', u.certData],
      ['cf', u.certFile],
      ['t', u.token],
      ['tf', u.tokenFile],
      ['u', u.username],
    ] as const) {
      part(k, v ? createHash('sha256').update(v).digest('hex') : undefined);
    }
  }
  part('as', u.impersonate);
  return h.digest('hex').slice(0, 24);
}

/**
 * Why a user's auth-provider cannot be used (undefined: it can). Only OIDC is: the gcp and azure
 * providers were removed from kubectl and client-go (1.26) in favour of exec plugins, and a request
 * without their credentials would go out anonymous, so such an entry is never connected.
 */
export function unsupportedAuthProvider(u: ResolvedUser | undefined): string | undefined {
  const name = u?.authProvider?.name;
  if (u?.authProvider === undefined || name === 'oidc') return undefined;
  const plugin: Record<string, string> = {
    gcp: 'gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin, then gcloud container clusters get-credentials)',
    azure: 'kubelogin (kubelogin convert-kubeconfig -l azurecli)',
  };
  const use = plugin[name ?? ''] ?? 'its exec plugin';
  return `unsupported auth-provider "${name || '(unnamed)'}": removed from Kubernetes clients in 1.26; use the exec plugin ${use}. Nothing is sent to this cluster without credentials`;
}

function warningsFor(c: ResolvedCluster | undefined, u: ResolvedUser | undefined): string[] {
  const w: string[] = [];
  if (c?.insecureSkipTlsVerify) w.push("insecure-skip-tls-verify: the server's certificate is not checked");
  if (c?.proxyUrl) w.push(`traffic goes through proxy ${safeUrl(c.proxyUrl)}`);
  if (c?.server.startsWith('http://')) w.push('plain HTTP: credentials and data travel unencrypted');
  if (u?.username && u.password) w.push('basic authentication (removed from Kubernetes since 1.19)');
  if (u?.authProvider && u.authProvider.name !== 'oidc') {
    w.push(`auth-provider "${u.authProvider.name}" is deprecated in Kubernetes; use its exec plugin`);
  }
  return w;
}

/** A URL for display: user:password@ removed. */
export function safeUrl(u: string): string {
  try {
    const url = new URL(u);
    if (url.username || url.password) {
      url.username = '***';
      url.password = '';
    }
    return url.toString();
  } catch {
    return u.replace(/\/\/[^@/]*@/, '//***@');
  }
}

function named(list: unknown, key: 'cluster' | 'user' | 'context'): [string, Raw][] {
  if (!Array.isArray(list)) return [];
  const out: [string, Raw][] = [];
  for (const item of list as RawNamed<Raw>[]) {
    if (!item || typeof item !== 'object') continue;
    const name = str(item.name);
    if (!name) continue;
    const body = item[key];
    out.push([name, body && typeof body === 'object' ? (body as Raw) : {}]);
  }
  return out;
}

function checkServer(server: string): string | undefined {
  if (!server) return 'the cluster has no server URL';
  try {
    const u = new URL(server);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return `unsupported server URL scheme ${u.protocol}`;
  } catch {
    return `invalid server URL ${JSON.stringify(server)}`;
  }
  return undefined;
}

/**
 * Entries of a set of files. With `merge` (KUBECONFIG), names are resolved across files with
 * kubectl's rule: the first file that defines a name wins. Without it, each file stands alone.
 */
export function entriesFromFiles(
  files: string[],
  source: SourceKind,
  merge: boolean,
): { entries: ContextEntry[]; fileErrors: { file: string; error: string }[] } {
  const fileErrors: { file: string; error: string }[] = [];
  const docs: { file: string; doc: Raw }[] = [];
  for (const file of files) {
    try {
      docs.push({ file: resolve(file), doc: readKubeconfig(file) });
    } catch (e) {
      fileErrors.push({ file: resolve(file), error: (e as Error).message });
    }
  }
  const entries: ContextEntry[] = [];
  const build = (group: { file: string; doc: Raw }[]) => {
    const clusters = new Map<string, ResolvedCluster>();
    const users = new Map<string, ResolvedUser>();
    const contexts = new Map<string, { file: string; body: Raw }>();
    for (const { file, doc } of group) {
      for (const [n, b] of named(doc.clusters, 'cluster')) if (!clusters.has(n)) clusters.set(n, resolveCluster(n, b, file));
      for (const [n, b] of named(doc.users, 'user')) if (!users.has(n)) users.set(n, resolveUser(n, b, file));
      for (const [n, b] of named(doc.contexts, 'context')) if (!contexts.has(n)) contexts.set(n, { file, body: b });
    }
    for (const [name, { file, body }] of contexts) {
      const clusterName = str(body.cluster);
      const userName = str(body.user);
      const cluster = clusterName ? clusters.get(clusterName) : undefined;
      const user = userName ? users.get(userName) : undefined;
      const e: ContextEntry = {
        id: entryId(source, file, name),
        file,
        context: name,
        source,
        authKind: authKindOf(user),
        warnings: warningsFor(cluster, user),
      };
      const ns = str(body.namespace);
      if (ns) e.namespace = ns;
      if (cluster) e.cluster = cluster;
      if (user) e.user = user;
      if (!clusterName) e.error = 'the context names no cluster';
      else if (!cluster) e.error = `cluster "${clusterName}" is not defined in ${merge ? 'any KUBECONFIG file' : 'this file'}`;
      else if (userName && !user) e.error = `user "${userName}" is not defined in ${merge ? 'any KUBECONFIG file' : 'this file'}`;
      else e.error = checkServer(cluster.server) ?? unsupportedAuthProvider(user);
      if (!e.error)
        e.identity = createHash('sha256')
          .update(normalizeServer(cluster!.server))
          .update('\0')
          .update(userFingerprint(user))
          .digest('hex')
          .slice(0, 24);
      if (e.error === undefined) delete e.error;
      entries.push(e);
    }
  };
  if (merge) build(docs);
  else for (const d of docs) build([d]);
  return { entries, fileErrors };
}

export function normalizeServer(server: string): string {
  try {
    const u = new URL(server);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    return `${u.protocol}//${u.hostname.toLowerCase()}:${port}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return server;
  }
}
