// Pod logs for incident bundles, fetched live through the back end's connections (kube/pool.ts: the
// same entries, credentials and exec approvals as the sync worker; an exec plugin that is not approved
// is not run, the bundle notes it instead), with the console's one log reader (kube/logs.ts).
import type { SourceConfig } from '../fleet/sources.ts';
import { ConnectionPool } from '../kube/pool.ts';
import { MAX_LOG_BYTES, readPodLog } from '../kube/logs.ts';
import type { LogFetcher } from './bundle.ts';

export function logFetcher(sources: SourceConfig | ConnectionPool, dataDir: string, execPath?: string): LogFetcher & { close(): void } {
  const own = !(sources instanceof ConnectionPool);
  const pool = sources instanceof ConnectionPool ? sources : new ConnectionPool(sources, dataDir, execPath);
  const fetch: LogFetcher = async (cluster, namespace, pod, container, tailLines) => {
    if (!pool.entry(cluster)) return undefined;
    // The console's own log reader (kube/logs.ts): the last lines, no follow, bounded.
    return readPodLog(await pool.get(cluster), namespace, pod, { container, tailLines, limitBytes: MAX_LOG_BYTES });
  };
  return Object.assign(fetch, {
    close() {
      if (own) pool.close();
    },
  });
}
