// The API calls behind the console's actions, and what each needs to be allowed (the access checks
// kubectl auth can-i would make, as SelfSubjectAccessReviews). Every write names its field manager
// (fleet-console) so the object's managedFields say who made it; every error is the API's own message.
//
//   cordon/uncordon  PATCH nodes/{name}                    spec.unschedulable (kubectl cordon)
//   drain            cordon, then POST pods/{name}/eviction for each pod kubectl drain would evict,
//                    retrying those a PodDisruptionBudget refuses (429) until the timeout
//   scale            PATCH {deployments,statefulsets,replicasets}/{name}/scale   spec.replicas
//   restart          PATCH the workload: spec.template.metadata.annotations
//                    ["kubectl.kubernetes.io/restartedAt"] = now (kubectl rollout restart)
//   pause/resume     PATCH deployments/{name}               spec.paused
//   delete           DELETE the object (any kind of the catalogue)
//   apply            PUT the edited object (update), after a server-side dry run (dryRun=All)
import type { ActionName, ActionTarget } from '../../common/contract.ts';
import { RESTARTED_AT_ANNOTATION } from '../model/changes.ts';
import { drainPlan, budgetsOf, type DrainPlan } from '../model/drain.ts';
import { ConnectionError, readBody, type Connection } from './connection.ts';
import { apiError, LogError } from './logs.ts';
import { CATALOGUE, type ResourceKind } from './resources.ts';

export const FIELD_MANAGER = 'fleet-console';

type Obj = Record<string, any>;

/** The API answered with an error: its HTTP status, its Status reason and causes, and its exact message. */
export class ApiError extends LogError {
  readonly reason: string;
  readonly causes: { reason?: string; message?: string; field?: string }[];
  constructor(status: number, body: string) {
    const e = apiError(status, body);
    super(e.kind, e.message, status);
    let reason = '';
    let causes: ApiError['causes'] = [];
    try {
      const s = JSON.parse(body) as { reason?: unknown; details?: { causes?: unknown } };
      if (typeof s.reason === 'string') reason = s.reason;
      if (Array.isArray(s.details?.causes)) causes = s.details.causes as ApiError['causes'];
    } catch {
      /* not a Status */
    }
    this.reason = reason;
    this.causes = causes;
  }
}

/** One request with a JSON answer; a non-2xx answer is an ApiError with the API's exact message. */
export async function apiRequest<T = Obj>(
  conn: Connection,
  method: string,
  path: string,
  body?: unknown,
  opts: { contentType?: string; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  const res = await conn.open(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(opts.contentType ? { contentType: opts.contentType } : {}),
    timeoutMs: opts.timeoutMs ?? 30_000,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const text = await readBody(res, 64 << 20);
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) throw new ApiError(status, text);
  try {
    return (text ? JSON.parse(text) : {}) as T;
  } catch {
    throw new ConnectionError('server', `${method} ${path}: the server did not answer JSON`);
  }
}

const MERGE = 'application/merge-patch+json';
const withManager = (path: string, extra = '') => `${path}${path.includes('?') ? '&' : '?'}fieldManager=${FIELD_MANAGER}${extra}`;

// ------------------------------------------------------------------------------------ kinds and paths

export function catalogueKind(key: string): ResourceKind | undefined {
  return CATALOGUE.find((k) => k.key === key);
}

/** The object's path at the catalogue's preferred version (+ a subresource). */
export function objectPath(kind: ResourceKind, namespace: string, name: string, sub?: string): string {
  const v = kind.versions[0]!;
  const base = kind.group ? `/apis/${kind.group}/${v}` : `/api/${v}`;
  const ns = kind.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${kind.plural}/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}`;
}

/** The kinds each action works on (the catalogue's keys); undefined: any kind of the catalogue. */
export const ACTION_KINDS: Record<ActionName, readonly string[] | undefined> = {
  cordon: ['nodes'],
  uncordon: ['nodes'],
  drain: ['nodes'],
  scale: ['apps/deployments', 'apps/statefulsets', 'apps/replicasets'],
  restart: ['apps/deployments', 'apps/statefulsets', 'apps/daemonsets'],
  pause: ['apps/deployments'],
  resume: ['apps/deployments'],
  delete: undefined,
  apply: undefined,
};

/** Why the action cannot apply to this target (a kind it does not work on, a namespace where none belongs), or null. */
export function targetProblem(action: ActionName, t: ActionTarget): string | null {
  const kind = catalogueKind(t.kind);
  if (!kind) return `${t.kind} is not a kind the console knows`;
  const kinds = ACTION_KINDS[action];
  if (kinds && !kinds.includes(t.kind)) {
    const names = kinds.map((k) => catalogueKind(k)?.kind ?? k);
    return `${action} works on ${names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0]} objects, not ${kind.kind}`;
  }
  if (kind.namespaced && !t.namespace) return `a ${kind.kind} lives in a namespace: name it`;
  if (!kind.namespaced && t.namespace) return `a ${kind.kind} is cluster-scoped: no namespace`;
  return null;
}

// ------------------------------------------------------------------------------------ access checks

export interface AccessAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** '' : cluster-wide (or every namespace) */
  namespace: string;
  name?: string;
}

/** What an action needs to be allowed: the SelfSubjectAccessReviews to ask. */
export function accessChecks(action: ActionName, t: ActionTarget): AccessAttributes[] {
  const kind = catalogueKind(t.kind);
  if (!kind) return [];
  const on = (verb: string, sub?: string): AccessAttributes => ({
    verb,
    group: kind.group,
    resource: kind.plural,
    ...(sub ? { subresource: sub } : {}),
    namespace: t.namespace,
    name: t.name,
  });
  switch (action) {
    case 'cordon':
    case 'uncordon':
    case 'pause':
    case 'resume':
    case 'restart':
      return [on('patch')];
    case 'drain':
      return [
        on('patch'),
        { verb: 'list', group: '', resource: 'pods', namespace: '' },
        { verb: 'create', group: '', resource: 'pods', subresource: 'eviction', namespace: '' },
        { verb: 'list', group: 'policy', resource: 'poddisruptionbudgets', namespace: '' },
      ];
    case 'scale':
      return [on('patch', 'scale')];
    case 'delete':
      return [on('delete')];
    case 'apply':
      return [on('update')];
  }
}

/** One SelfSubjectAccessReview: may these credentials do it? The API server's answer, with its reason. */
export async function accessReview(conn: Connection, a: AccessAttributes): Promise<{ allowed: boolean; reason: string }> {
  const resourceAttributes: Obj = { verb: a.verb, group: a.group, resource: a.resource, namespace: a.namespace };
  if (a.subresource) resourceAttributes.subresource = a.subresource;
  if (a.name) resourceAttributes.name = a.name;
  const r = await apiRequest(conn, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes },
  });
  const s = (r.status ?? {}) as { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
  const allowed = s.allowed === true && s.denied !== true;
  const reason = [s.reason, s.evaluationError].filter((x) => typeof x === 'string' && x).join('; ');
  return { allowed, reason };
}

/** Who the credentials are (SelfSubjectReview, GA since 1.28); undefined where the server does not say. */
export async function whoAmI(conn: Connection): Promise<string | undefined> {
  try {
    const r = await apiRequest(conn, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    const u = r.status?.userInfo?.username;
    return typeof u === 'string' && u ? u : undefined;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------------ reads

export function getObject(conn: Connection, kind: ResourceKind, namespace: string, name: string): Promise<Obj> {
  return apiRequest(conn, 'GET', objectPath(kind, namespace, name));
}

/** The pods bound to a node, from the API (not the cache: a drain acts on what is there now). */
export async function podsOnNode(conn: Connection, node: string): Promise<Obj[]> {
  const r = await apiRequest(conn, 'GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`);
  return Array.isArray(r.items) ? (r.items as Obj[]) : [];
}

export async function disruptionBudgets(conn: Connection): Promise<Obj[]> {
  const r = await apiRequest(conn, 'GET', '/apis/policy/v1/poddisruptionbudgets');
  return Array.isArray(r.items) ? (r.items as Obj[]) : [];
}

// ------------------------------------------------------------------------------------ writes

export function setUnschedulable(conn: Connection, node: string, unschedulable: boolean): Promise<Obj> {
  return apiRequest(
    conn,
    'PATCH',
    withManager(`/api/v1/nodes/${encodeURIComponent(node)}`),
    { spec: { unschedulable } },
    { contentType: MERGE },
  );
}

export function scale(conn: Connection, kind: ResourceKind, namespace: string, name: string, replicas: number): Promise<Obj> {
  return apiRequest(conn, 'PATCH', withManager(objectPath(kind, namespace, name, 'scale')), { spec: { replicas } }, { contentType: MERGE });
}

/** kubectl's restartedAt: RFC 3339, to the second. */
export function restartStamp(now: number): string {
  return new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function restart(conn: Connection, kind: ResourceKind, namespace: string, name: string, now: number): Promise<Obj> {
  const patch = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartStamp(now) } } } } };
  return apiRequest(conn, 'PATCH', withManager(objectPath(kind, namespace, name)), patch, { contentType: MERGE });
}

export function setPaused(conn: Connection, kind: ResourceKind, namespace: string, name: string, paused: boolean): Promise<Obj> {
  return apiRequest(conn, 'PATCH', withManager(objectPath(kind, namespace, name)), { spec: { paused } }, { contentType: MERGE });
}

/** DELETE (DeleteOptions carry no field manager); gracePeriodSeconds as kubectl delete --grace-period, in the DeleteOptions as kubectl sends it. */
export function deleteObject(
  conn: Connection,
  kind: ResourceKind,
  namespace: string,
  name: string,
  gracePeriodSeconds?: number,
): Promise<Obj> {
  return apiRequest(conn, 'DELETE', objectPath(kind, namespace, name), {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    propagationPolicy: 'Background',
    ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
  });
}

/** PUT the whole object (update); dryRun: the API server validates, defaults and admits it, and stores nothing. */
export function replaceObject(
  conn: Connection,
  kind: ResourceKind,
  namespace: string,
  name: string,
  body: Obj,
  dryRun: boolean,
): Promise<Obj> {
  return apiRequest(conn, 'PUT', withManager(objectPath(kind, namespace, name), dryRun ? '&dryRun=All' : ''), body);
}

/** One eviction (policy/v1): done, the pod was gone already, or refused for now (429: a PodDisruptionBudget). */
export async function evict(
  conn: Connection,
  namespace: string,
  name: string,
  gracePeriodSeconds?: number,
): Promise<{ outcome: 'evicted' | 'gone' } | { outcome: 'refused'; message: string; budget?: string }> {
  const path = withManager(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/eviction`);
  try {
    await apiRequest(conn, 'POST', path, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name, namespace },
      ...(gracePeriodSeconds === undefined ? {} : { deleteOptions: { gracePeriodSeconds } }),
    });
    return { outcome: 'evicted' };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { outcome: 'gone' };
    if (e instanceof ApiError && e.status === 429) {
      // "The disruption budget frontend-pdb needs 3 healthy pods and has 3 currently"
      const cause = e.causes.find((c) => c.reason === 'DisruptionBudget')?.message;
      const budget = cause ? /disruption budget (\S+)/.exec(cause)?.[1] : undefined;
      return { outcome: 'refused', message: cause ? `${e.message} ${cause}` : e.message, ...(budget ? { budget } : {}) };
    }
    throw e;
  }
}

// ------------------------------------------------------------------------------------ drain

export interface DrainProgress {
  message: string;
  done: number;
  total: number;
}

export interface DrainOutcome {
  ok: boolean;
  message: string;
  evicted: { namespace: string; name: string }[];
  blocked: { namespace: string; name: string; reason: string }[];
  ignored: DrainPlan['ignored'];
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** The drain's plan on the node now: its pods and the PodDisruptionBudgets as the API has them. */
export async function planDrain(conn: Connection, node: string): Promise<DrainPlan & { pods: Obj[]; budgets: Obj[] }> {
  const [pods, budgets] = await Promise.all([podsOnNode(conn, node), disruptionBudgets(conn)]);
  return { ...drainPlan(pods, budgets), pods, budgets };
}

/**
 * kubectl drain --ignore-daemonsets: cordon, evict every pod but DaemonSet-managed and mirror pods
 * (pods without a controller are reported blocked, never deleted), retry the evictions a
 * PodDisruptionBudget refuses every few seconds until the timeout, then wait for the evicted pods
 * to be gone (one list of the node's pods a second). On timeout, what blocked: the pod and the
 * budget that refused it. Like kubectl drain, a drain that fails or stops after the cordon leaves
 * the node cordoned, and says so. `signal`: stop (the session ends): no more evictions or waiting.
 */
export async function drain(
  conn: Connection,
  node: string,
  opts: {
    timeoutSeconds: number;
    gracePeriodSeconds?: number;
    onProgress?: (p: DrainProgress) => void;
    retryMs?: number;
    now?: () => number;
    signal?: AbortSignal;
  },
): Promise<DrainOutcome> {
  const now = opts.now ?? Date.now;
  const signal = opts.signal;
  const deadline = now() + opts.timeoutSeconds * 1000;
  const retryMs = opts.retryMs ?? 2000;
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  await setUnschedulable(conn, node, true);
  let plan: Awaited<ReturnType<typeof planDrain>>;
  try {
    plan = await planDrain(conn, node);
  } catch (e) {
    const message = `cordoned ${node}, then could not plan its drain: ${(e as Error).message}; ${node} is left cordoned (uncordon it to undo)`;
    return { ok: false, message, evicted: [], blocked: [], ignored: [] };
  }
  const blocked: DrainOutcome['blocked'] = plan.unmanaged.map((p) => ({
    ...p,
    reason: 'no controller: it would not be recreated, so it is not deleted (kubectl drain needs --force for it)',
  }));
  const total = plan.evict.length;
  const evicted: DrainOutcome['evicted'] = [];
  const progress = (message: string) => opts.onProgress?.({ message, done: evicted.length, total });
  progress(
    `cordoned ${node}; ${total} pod${total === 1 ? '' : 's'} to evict${plan.ignored.length ? `, ${plan.ignored.length} left (DaemonSet-managed or mirror)` : ''}`,
  );
  let waiting = plan.evict.map((p) => ({ ...p, refusal: '' }));
  const budgetName = (p: { namespace: string; name: string }) => {
    const pod = plan.pods.find((x) => x.metadata?.namespace === p.namespace && x.metadata?.name === p.name);
    return pod ? budgetsOf(pod, plan.budgets)[0]?.metadata?.name : undefined;
  };
  while (waiting.length && !signal?.aborted) {
    const still: typeof waiting = [];
    // A few at a time: each eviction is one request.
    for (let i = 0; i < waiting.length; i += 5) {
      const part = waiting.slice(i, i + 5);
      if (signal?.aborted) {
        still.push(...part);
        continue;
      }
      const answers = await Promise.all(part.map((p) => evict(conn, p.namespace, p.name, opts.gracePeriodSeconds).catch((e: Error) => e)));
      answers.forEach((a, j) => {
        const p = part[j]!;
        if (a instanceof Error) {
          blocked.push({ namespace: p.namespace, name: p.name, reason: a.message });
        } else if (a.outcome === 'refused') {
          const budget = a.budget ?? budgetName(p);
          still.push({ ...p, refusal: budget ? `PodDisruptionBudget ${budget}: ${a.message}` : a.message });
        } else {
          evicted.push({ namespace: p.namespace, name: p.name });
          progress(`${a.outcome === 'gone' ? 'already gone' : 'evicted'}: ${p.namespace}/${p.name}`);
        }
      });
    }
    waiting = still;
    if (!waiting.length || now() >= deadline || signal?.aborted) break;
    progress(`waiting: ${waiting.length} pod${waiting.length === 1 ? '' : 's'} refused by a PodDisruptionBudget, retrying`);
    await sleep(Math.min(retryMs, Math.max(0, deadline - now())), signal);
  }
  for (const p of waiting)
    blocked.push({ namespace: p.namespace, name: p.name, reason: p.refusal || 'not evicted: the drain was stopped first' });
  // Evicted pods are deleted gracefully: wait until they are gone from the node (a pod of the same
  // name recreated there is another pod: another uid). One list of the node's pods per look.
  const key = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;
  const uids = new Map(plan.evict.map((p) => [key(p), p.uid]));
  let terminating = evicted.filter((p) => uids.get(key(p)));
  // At least one look, even when the retries took the whole time.
  for (let first = true; terminating.length && !signal?.aborted && (first || now() < deadline); first = false) {
    if (!first) await sleep(Math.min(1000, Math.max(0, deadline - now())), signal);
    if (signal?.aborted) break;
    let onNode: Set<string>;
    try {
      onNode = new Set((await podsOnNode(conn, node)).map((p) => String(p.metadata?.uid ?? '')));
    } catch {
      continue; // not known to be gone: look again
    }
    terminating = terminating.filter((p) => onNode.has(uids.get(key(p))!));
  }
  let message: string;
  if (signal?.aborted) {
    message = `drain of ${node} stopped before it finished (the session ended): evicted ${n(evicted.length, 'pod')}, ${n(blocked.length, 'pod')} not evicted; ${node} is left cordoned`;
  } else if (blocked.length) {
    const budgets = [...new Set(blocked.map((b) => /^PodDisruptionBudget (\S+):/.exec(b.reason)?.[1]).filter(Boolean))];
    message =
      `drain of ${node} ${waiting.length ? `timed out after ${opts.timeoutSeconds} s` : 'is incomplete'}: evicted ${n(evicted.length, 'pod')}, ` +
      `${n(blocked.length, 'pod')} blocked${budgets.length ? ` (PodDisruptionBudget ${budgets.join(', ')})` : ''}`;
  } else if (terminating.length) {
    message = `drain of ${node} timed out after ${opts.timeoutSeconds} s: evicted ${n(evicted.length, 'pod')}, ${terminating.length} still terminating`;
  } else
    message = `drained ${node}: evicted ${n(evicted.length, 'pod')}${plan.ignored.length ? `, left ${plan.ignored.length} DaemonSet-managed or mirror` : ''}`;
  return { ok: !signal?.aborted && !blocked.length && !terminating.length, message, evicted, blocked, ignored: plan.ignored };
}
