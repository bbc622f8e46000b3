// Connections of the back end's own (the process that answers the window), for what it asks of a
// cluster directly rather than through the sync worker's watches: pod logs, the user's actions, the
// logs a bundle fetches. The same kubeconfig entries, credentials and exec approvals as the sync
// worker, and exec plugins on the same PATH (the login shell's, in the desktop app: resolved once,
// before the first connection is handed out); an exec plugin that is not approved is never run: its
// cluster says so instead.
import { join } from 'node:path';
import { discover, type SourceConfig } from '../fleet/sources.ts';
import { entryFingerprint, type ContextEntry } from '../fleet/kubeconfig.ts';
import { TrustStore } from '../fleet/trust.ts';
import { ExecCredentialCache, resolveExecPath } from './exec.ts';
import { Connection, ConnectionError, type ConnectionDeps } from './connection.ts';

export class ConnectionPool {
  private sources: SourceConfig;
  /** the connections' dependencies, once exec plugins' PATH is known (execPath: a PATH, or 'login-shell') */
  private readonly deps: Promise<ConnectionDeps>;
  private entries: ContextEntry[] | undefined;
  /** the exec approvals this pool's connections (and the sync worker's, through the same file) obey */
  readonly trust: TrustStore;
  private readonly conns = new Map<string, { conn: Connection; fingerprint: string }>();

  constructor(sources: SourceConfig, dataDir: string, execPath?: string) {
    this.sources = sources;
    const trust = new TrustStore(join(dataDir, 'exec-approvals.json'));
    this.trust = trust;
    const execCache = new ExecCredentialCache();
    this.deps = resolveExecPath(execPath).then((path) => ({ trust, execCache, ...(path ? { execPath: path } : {}) }));
  }

  /**
   * The kubeconfig sources changed: their entries are read again. A connection whose entry is the
   * same as before (server, TLS, credentials) is kept; one whose entry changed or went is closed.
   */
  setSources(sources: SourceConfig): void {
    this.sources = sources;
    this.entries = discover(sources).entries;
    const now = new Map(this.entries.map((e) => [e.id, e]));
    for (const [id, c] of this.conns) {
      const e = now.get(id);
      if (e && entryFingerprint(e) === c.fingerprint) continue;
      c.conn.close();
      this.conns.delete(id);
    }
  }

  /**
   * Every entry of the sources: as last read, or (`fresh`) read again now (what exec approvals are
   * shown and checked against: the files as they are, not as they were when the session began).
   */
  allEntries(fresh = false): ContextEntry[] {
    if (fresh || !this.entries) this.entries = discover(this.sources).entries;
    return this.entries;
  }

  /** The kubeconfig entry of a cluster id (undefined: no such entry in the sources). */
  entry(cluster: string): ContextEntry | undefined {
    this.entries ??= discover(this.sources).entries;
    return this.entries.find((e) => e.id === cluster);
  }

  /**
   * A connection to the cluster, made once and kept. Rejects with a ConnectionError saying why there
   * is none: no entry, a broken entry, or an exec plugin not approved yet.
   */
  async get(cluster: string): Promise<Connection> {
    const deps = await this.deps;
    let c = this.conns.get(cluster);
    if (!c) {
      const entry = this.entry(cluster);
      if (!entry) throw new ConnectionError('config', `no kubeconfig entry for cluster ${cluster} in this session`);
      if (entry.error) throw new ConnectionError('config', `${entry.context}: ${entry.error}`);
      c = { conn: new Connection(entry, deps), fingerprint: entryFingerprint(entry) };
      this.conns.set(cluster, c);
    }
    const pending = c.conn.pendingApproval();
    if (pending) throw new ConnectionError('needs-approval', `its exec plugin (${pending.command}) is not approved`);
    return c.conn;
  }

  close(): void {
    for (const c of this.conns.values()) c.conn.close();
    this.conns.clear();
  }
}
