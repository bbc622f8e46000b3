// Test support for the suites that open a cache over a scratch folder: the service's (views/), the web
// shell's (server/), the worker's lab tests (worker/). The folder is made when the suite is declared;
// its after() closes what the suite opened there, then removes it. And the actions.run request a
// confirmation sends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionName, ActionParams, ActionTarget } from '../../common/contract.ts';

/** Something a suite opened: stopped (a shell, a sync engine) or closed (a store, a service, a pool, an API), or a step of its own. */
export type Opened = { stop(): unknown } | { close(): unknown } | (() => unknown) | undefined;

/**
 * A suite's scratch folder (`dir`, new in the system's temporary folder, its name starting with prefix)
 * and its cache file (`db`, not yet made); `close(...opened)` for its after(): each one stopped or
 * closed in the order given, awaited (one never opened, undefined, skipped), then the folder removed.
 */
export function scratch(prefix: string): { dir: string; db: string; close(...opened: Opened[]): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    db: join(dir, 'cache.db'),
    async close(...opened) {
      for (const x of opened) await (typeof x === 'function' ? x() : x && ('stop' in x ? x.stop() : x.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An actions.run request as the confirmation sends it: the clusters and the object named again (`confirm`). */
export function confirmedRun(clusters: string[], action: ActionName, target: ActionTarget, params?: ActionParams) {
  return { clusters, action, target, ...(params && { params }), confirm: { clusters, namespace: target.namespace, name: target.name } };
}
