// Pod logs for incident bundles, fetched live through the back end's connections (kube/pool.ts: the
// same entries, credentials and exec approvals as the sync worker; an exec plugin that is not approved
// is not run, the bundle notes it instead).
import type { SourceConfig } from '../fleet/sources.ts';
import { ConnectionPool } from '../kube/pool.ts';
import { readBody, statusError } from '../kube/connection.ts';
import type { LogFetcher } from './bundle.ts';

const MAX_LOG_BYTES = 8 << 20;

export function logFetcher(sources: SourceConfig | ConnectionPool, dataDir: string, execPath?: string): LogFetcher & { close(): void } {
  const own = !(sources instanceof ConnectionPool);
  const pool = sources instanceof ConnectionPool ? sources : new ConnectionPool(sources, dataDir, execPath);
  const fetch: LogFetcher = async (cluster, namespace, pod, container, tailLines) => {
    if (!pool.entry(cluster)) return undefined;
    const conn = pool.get(cluster);
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
      if (own) pool.close();
    },
  });
}
