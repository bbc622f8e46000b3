// Pod logs for incident bundles, fetched live from the clusters the user's kubeconfigs reach (the
// same entries, credentials and exec approvals as the sync worker; an exec plugin that is not
// approved is not run, the bundle notes it instead).
import { join } from 'node:path';
import { discover, type SourceConfig } from '../fleet/sources.ts';
import { TrustStore } from '../fleet/trust.ts';
import { ExecCredentialCache } from '../kube/exec.ts';
import { Connection, readBody, statusError } from '../kube/connection.ts';
import type { LogFetcher } from './bundle.ts';

const MAX_LOG_BYTES = 8 << 20;

export function logFetcher(sources: SourceConfig, dataDir: string, execPath?: string): LogFetcher & { close(): void } {
  const deps = {
    trust: new TrustStore(join(dataDir, 'exec-approvals.json')),
    execCache: new ExecCredentialCache(),
    ...(execPath ? { execPath } : {}),
  };
  let entries: ReturnType<typeof discover>['entries'] | undefined;
  const conns = new Map<string, Connection>();
  const fetch: LogFetcher = async (cluster, namespace, pod, container, tailLines) => {
    entries ??= discover(sources).entries;
    const entry = entries.find((e) => e.id === cluster);
    if (!entry) return undefined;
    let conn = conns.get(cluster);
    if (!conn) {
      conn = new Connection(entry, deps);
      conns.set(cluster, conn);
    }
    const pending = conn.pendingApproval();
    if (pending) throw new Error(`its exec plugin (${pending.command}) is not approved`);
    const path =
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log` +
      `?container=${encodeURIComponent(container)}&tailLines=${tailLines}&limitBytes=${MAX_LOG_BYTES}`;
    // (the log endpoint refuses text/plain in Accept; kubectl sends */*)
    const res = await conn.open(path, { accept: '*/*', timeoutMs: 15_000 });
    const text = await readBody(res, MAX_LOG_BYTES + 65536);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw statusError(status, path, text);
    return text;
  };
  return Object.assign(fetch, {
    close() {
      for (const c of conns.values()) c.close();
      conns.clear();
    },
  });
}
