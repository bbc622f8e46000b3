// Connections of the back end's own (the process that answers the window), for what it asks of a
// cluster directly rather than through the sync worker's watches: pod logs, the user's actions, the
// logs a bundle fetches. The same kubeconfig entries, credentials and exec approvals as the sync
// worker; an exec plugin that is not approved is never run: its cluster says so instead.
import { join } from 'node:path';
import { discover, type SourceConfig } from '../fleet/sources.ts';
import type { ContextEntry } from '../fleet/kubeconfig.ts';
import { TrustStore } from '../fleet/trust.ts';
import { ExecCredentialCache } from './exec.ts';
import { Connection, ConnectionError } from './connection.ts';

export class ConnectionPool {
  private sources: SourceConfig;
  private readonly deps: ConstructorParameters<typeof Connection>[1];
  private entries: ContextEntry[] | undefined;
  private readonly conns = new Map<string, Connection>();

  constructor(sources: SourceConfig, dataDir: string, execPath?: string) {
    this.sources = sources;
    this.deps = {
      trust: new TrustStore(join(dataDir, 'exec-approvals.json')),
      execCache: new ExecCredentialCache(),
      ...(execPath ? { execPath } : {}),
    };
  }

  /** The kubeconfig sources changed: entries are read again when next needed. */
  setSources(sources: SourceConfig): void {
    this.sources = sources;
    this.entries = undefined;
    this.close();
  }

  /** The kubeconfig entry of a cluster id (undefined: no such entry in the sources). */
  entry(cluster: string): ContextEntry | undefined {
    this.entries ??= discover(this.sources).entries;
    return this.entries.find((e) => e.id === cluster);
  }

  /**
   * A connection to the cluster, made once and kept. Throws a ConnectionError saying why there is
   * none: no entry, a broken entry, or an exec plugin not approved yet.
   */
  get(cluster: string): Connection {
    let conn = this.conns.get(cluster);
    if (!conn) {
      const entry = this.entry(cluster);
      if (!entry) throw new ConnectionError('config', `no kubeconfig entry for cluster ${cluster} in this session`);
      if (entry.error) throw new ConnectionError('config', `${entry.context}: ${entry.error}`);
      conn = new Connection(entry, this.deps);
      this.conns.set(cluster, conn);
    }
    const pending = conn.pendingApproval();
    if (pending) throw new ConnectionError('needs-approval', `its exec plugin (${pending.command}) is not approved`);
    return conn;
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}
