// Whether the object view shows a problem, and which: what offers "What changed before this". Read
// from what the view already has (the object's status and containers), the same signs the cluster's
// "workloads with problems" uses: a Failed pod, containers waiting in CrashLoopBackOff or an image
// pull error, containers not ready; a workload short of available replicas, a failed Job, a node not
// Ready. Pure.
import type { ObjectDTO } from '../../../common/contract.ts';

/** Waiting reasons that are a problem, not a step of starting. */
const BAD_WAITING = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const conditions = (status: Obj): Obj[] => (Array.isArray(status.conditions) ? status.conditions.map(rec) : []);
const cond = (status: Obj, type: string) => conditions(status).find((c) => c.type === type);

/** The problem the object shows (one line), or null. Deleted objects have none to explain here. */
export function objectProblem(d: Pick<ObjectDTO, 'ref' | 'status' | 'containers' | 'body' | 'deleted'>): string | null {
  if (d.deleted) return null;
  const status = rec(d.body.status);
  const spec = rec(d.body.spec);
  switch (d.ref.kind) {
    case 'pods': {
      if (d.status.phase === 'Failed') return `pod Failed${typeof status.reason === 'string' ? ` (${status.reason})` : ''}`;
      for (const c of d.containers) {
        const m = /^waiting: (.+)$/.exec(c.state);
        const reason = m?.[1]?.replace(/^Init:/, '');
        if (reason && BAD_WAITING.has(reason)) return `container ${c.name}: ${reason}`;
      }
      if (d.status.phase === 'Running') {
        const notReady = d.containers.filter((c) => !c.init && !c.ready);
        if (notReady.length) return `not ready: ${notReady.map((c) => c.name).join(', ')}`;
      }
      return null;
    }
    case 'apps/deployments': {
      if (cond(status, 'Available')?.status === 'False') return 'not available';
      const p = cond(status, 'Progressing');
      if (p?.status === 'False') return `not progressing${typeof p.reason === 'string' ? ` (${p.reason})` : ''}`;
      if (cond(status, 'ReplicaFailure')?.status === 'True') return 'replica failure';
      const unavailable = num(status.unavailableReplicas) ?? 0;
      return unavailable > 0 ? `${unavailable} replica(s) unavailable` : null;
    }
    case 'apps/statefulsets':
    case 'apps/replicasets': {
      const want = num(spec.replicas) ?? 1;
      const ready = num(status.readyReplicas) ?? 0;
      return want > 0 && ready < want ? `${ready} of ${want} replicas ready` : null;
    }
    case 'apps/daemonsets': {
      const unavailable = num(status.numberUnavailable) ?? 0;
      return unavailable > 0 ? `${unavailable} pod(s) unavailable` : null;
    }
    case 'batch/jobs':
      return cond(status, 'Failed')?.status === 'True' ? 'job failed' : null;
    case 'nodes': {
      const ready = cond(status, 'Ready');
      return ready && ready.status !== 'True' ? `node not Ready (${String(ready.status)})` : null;
    }
  }
  return null;
}
