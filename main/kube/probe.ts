// A quick look at one cluster entry: can we reach it, who are we, what version is it.
import type { ContextEntry } from '../fleet/kubeconfig.ts';
import { Connection, ConnectionError, statusOfError, type ConnectionDeps } from './connection.ts';

export type EntryStatus = 'ok' | 'live' | 'needs-approval' | 'unreachable' | 'unauthorized' | 'forbidden' | 'error' | 'duplicate';

export interface ProbeResult {
  status: EntryStatus;
  message?: string;
  serverVersion?: string;
}

/** Status without touching the network: config errors, duplicates, pending approvals. */
export function staticStatus(e: ContextEntry & { duplicateOf?: string }, deps: ConnectionDeps): ProbeResult {
  if (e.error) return { status: 'error', message: e.error };
  if (e.duplicateOf) return { status: 'duplicate', message: `same server and user as ${e.duplicateOf}` };
  try {
    const c = new Connection(e, deps);
    const pending = c.pendingApproval();
    c.close();
    if (pending)
      return {
        status: 'needs-approval',
        message: `would run: ${[pending.command, ...pending.args].join(' ')}${pending.envNames.length ? ` (env: ${pending.envNames.join(', ')})` : ''}`,
      };
  } catch (err) {
    return { status: 'error', message: (err as Error).message };
  }
  return { status: 'ok' };
}

export async function probe(e: ContextEntry & { duplicateOf?: string }, deps: ConnectionDeps, timeoutMs = 5000): Promise<ProbeResult> {
  const s = staticStatus(e, deps);
  if (s.status !== 'ok') return s;
  const c = new Connection(e, deps);
  try {
    const v = await c.getJSON<{ gitVersion?: string }>('/version', timeoutMs);
    // /version is readable anonymously on most clusters; check that our identity is accepted too.
    await c.getJSON('/apis/authentication.k8s.io/v1', timeoutMs).catch((err: unknown) => {
      if (err instanceof ConnectionError && err.kind === 'unauthorized') throw err;
    });
    const r: ProbeResult = { status: 'live' };
    if (v.gitVersion) r.serverVersion = v.gitVersion;
    return r;
  } catch (err) {
    const ce = err instanceof ConnectionError ? err : new ConnectionError('unreachable', (err as Error).message);
    const status: EntryStatus = statusOfError(ce.kind);
    return { status, message: ce.message };
  } finally {
    c.close();
  }
}
