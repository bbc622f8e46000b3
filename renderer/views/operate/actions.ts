// What the console offers to do, pure: which actions a kind has (and which its state allows: cordon or
// uncordon, pause or resume), the buttons' and confirm buttons' words, what a confirmation says will
// happen, whether the user must type the object's name, actions.run's params with the confirmation that
// names the same clusters and object, and the results in words. No DOM, no clock.
import type {
  ActionCheckDTO,
  ActionName,
  ActionParams,
  ActionResultDTO,
  ActionTarget,
  FleetDTO,
  Params,
} from '../../../common/contract.ts';
import { kindLabel } from '../changes/text.ts';
import { safeName } from '../../map/text.ts';

/** Whether this session may act at all: live, actions on (not read-only), the latest state (not "as of"). */
export function actionsEnabled(fleet: Pick<FleetDTO, 'mode' | 'actions'> | null | undefined, at: number | null): boolean {
  return !!fleet && fleet.mode === 'live' && fleet.actions === true && at === null;
}

/** The state an object's actions depend on. */
export interface ActionState {
  /** a node: spec.unschedulable */
  cordoned?: boolean;
  /** a Deployment: spec.paused */
  paused?: boolean;
}

export function stateOf(kind: string, body: Record<string, unknown> | null | undefined): ActionState {
  const spec = (body as { spec?: Record<string, unknown> } | null | undefined)?.spec;
  if (kind === 'nodes') return { cordoned: spec?.unschedulable === true };
  if (kind === 'apps/deployments') return { paused: spec?.paused === true };
  return {};
}

/** Kinds whose cached body is not the whole object (no data is ever read): editing them would write the placeholders. */
const NOT_EDITABLE = new Set(['secrets', 'configmaps', 'events', 'events.k8s.io/events']);

/**
 * The actions an object of this kind offers, in the order of its buttons. A deleted object offers none;
 * Secrets and ConfigMaps offer no Edit YAML (the cache keeps their keys, never their data).
 */
export function actionsFor(kind: string, state: ActionState = {}, o: { deleted?: boolean } = {}): ActionName[] {
  if (o.deleted) return [];
  const apply: ActionName[] = NOT_EDITABLE.has(kind) ? [] : ['apply'];
  switch (kind) {
    case 'nodes':
      return [state.cordoned ? 'uncordon' : 'cordon', 'drain', ...apply];
    case 'apps/deployments':
      return ['scale', 'restart', state.paused ? 'resume' : 'pause', ...apply];
    case 'apps/statefulsets':
      return ['scale', 'restart', ...apply];
    case 'apps/daemonsets':
      return ['restart', ...apply];
    case 'apps/replicasets':
      return ['scale', ...apply];
    case 'pods':
      return ['delete', ...apply];
    default:
      return apply;
  }
}

/** The actions that run on the same object in several clusters (no deletes, drains or edits fleet-wide). */
const FLEET_SAFE = new Set<ActionName>(['scale', 'restart', 'pause', 'resume']);

/** What a kind offers fleet-wide (pause and resume both: clusters differ in their state). */
export function fleetActionsFor(kind: string): ActionName[] {
  const all = kind === 'apps/deployments' ? ['scale', 'restart', 'pause', 'resume'] : actionsFor(kind);
  return (all as ActionName[]).filter((a) => FLEET_SAFE.has(a));
}

/** The kinds the fleet-wide picker offers, with their labels. */
export const FLEET_KINDS: readonly { kind: string; label: string }[] = [
  { kind: 'apps/deployments', label: 'Deployment' },
  { kind: 'apps/statefulsets', label: 'StatefulSet' },
  { kind: 'apps/daemonsets', label: 'DaemonSet' },
  { kind: 'apps/replicasets', label: 'ReplicaSet' },
];

/** The button's words. */
export const BUTTON: Record<ActionName, string> = {
  cordon: 'Cordon',
  uncordon: 'Uncordon',
  drain: 'Drain…',
  scale: 'Scale…',
  restart: 'Restart',
  pause: 'Pause rollout',
  resume: 'Resume rollout',
  delete: 'Delete…',
  apply: 'Edit YAML',
};

const VERB: Record<ActionName, string> = {
  cordon: 'Cordon',
  uncordon: 'Uncordon',
  drain: 'Drain',
  scale: 'Scale',
  restart: 'Restart',
  pause: 'Pause',
  resume: 'Resume',
  delete: 'Delete',
  apply: 'Apply to',
};

/** Actions after which the user types the object's name: those that take pods away. */
export function needsTypedName(action: ActionName): boolean {
  return action === 'delete' || action === 'drain';
}

const KIND_NAMES: Record<string, string> = {
  nodes: 'Node',
  pods: 'Pod',
  'apps/deployments': 'Deployment',
  'apps/statefulsets': 'StatefulSet',
  'apps/daemonsets': 'DaemonSet',
  'apps/replicasets': 'ReplicaSet',
  'batch/jobs': 'Job',
  'batch/cronjobs': 'CronJob',
  persistentvolumeclaims: 'PersistentVolumeClaim',
  persistentvolumes: 'PersistentVolume',
  services: 'Service',
  namespaces: 'Namespace',
};

/** "DaemonSet" for "apps/daemonsets" (the Kubernetes kind where known, else the key's last part). */
export function kindName(kind: string): string {
  return KIND_NAMES[kind] ?? kindLabel(kind);
}

/** "Deployment web/frontend", "Node node-003" (names made safe to show). */
export function objectTitle(kind: string, t: ActionTarget): string {
  return `${kindName(kind)} ${safeName(t.namespace ? `${t.namespace}/${t.name}` : t.name, 200)}`;
}

/** The confirm button's words: "Cordon node-003", "Scale frontend to 5", "Restart frontend in 7 clusters". */
export function confirmLabel(action: ActionName, t: ActionTarget, clusters: number, params: ActionParams = {}): string {
  let s = `${VERB[action]} ${safeName(t.name, 80)}`;
  if (action === 'scale' && params.replicas !== undefined) s += ` to ${params.replicas}`;
  if (clusters > 1) s += ` in ${clusters} clusters`;
  return s;
}

/** The dialog's title: "Restart Deployment web/frontend in 7 clusters", "Cordon Node node-003". */
export function dialogTitle(action: ActionName, kind: string, t: ActionTarget, clusters: number): string {
  const verb = action === 'apply' ? 'Apply YAML to' : VERB[action];
  return `${verb} ${objectTitle(kind, t)}${clusters > 1 ? ` in ${clusters} clusters` : ''}`;
}

/** The replicas an object asks for now (spec.replicas; Kubernetes' default 1 when unset), null when it has none. */
export function currentReplicas(kind: string, body: Record<string, unknown> | null | undefined): number | null {
  if (!['apps/deployments', 'apps/statefulsets', 'apps/replicasets'].includes(kind)) return null;
  const r = (body as { spec?: { replicas?: unknown } } | null | undefined)?.spec?.replicas;
  if (r === undefined) return body ? 1 : null;
  return typeof r === 'number' && Number.isInteger(r) ? r : null;
}

/** The object's controller (ownerReferences with controller: true). */
export function controllerOf(body: Record<string, unknown> | null | undefined): { kind: string; name: string } | null {
  const refs = (body as { metadata?: { ownerReferences?: unknown } } | null | undefined)?.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return null;
  const c = refs.find((r) => r && (r as { controller?: unknown }).controller === true) as { kind?: unknown; name?: unknown } | undefined;
  return c && typeof c.kind === 'string' && typeof c.name === 'string' ? { kind: c.kind, name: c.name } : null;
}

/** metadata.resourceVersion of an object body (null: it has none). */
export function resourceVersionOf(body: Record<string, unknown> | null | undefined): string | null {
  const rv = (body as { metadata?: { resourceVersion?: unknown } } | null | undefined)?.metadata?.resourceVersion;
  return typeof rv === 'string' && rv !== '' ? rv : null;
}

/**
 * Whether the object changed on the server since an editor opened it: its resourceVersion differs from
 * the one it had then (a body without one: its YAML differs).
 */
export function changedSinceOpened(opened: Record<string, unknown>, live: Record<string, unknown>): boolean {
  if (opened === live) return false;
  const a = resourceVersionOf(opened);
  const b = resourceVersionOf(live);
  if (a !== null && b !== null) return a !== b;
  return JSON.stringify(opened) !== JSON.stringify(live);
}

/** "replicas" as a number field holds it: a whole number 0..100000, else null (invalid). */
export function parseReplicas(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,6}$/.test(t)) return null;
  const n = Number(t);
  return n <= 100_000 ? n : null;
}

/**
 * What will happen, in sentences: said by the confirmation before anything is done. `body` is the
 * object as cached (one cluster), for its replicas and controller; absent fleet-wide.
 */
export function whatHappens(
  action: ActionName,
  kind: string,
  t: ActionTarget,
  o: { params?: ActionParams; body?: Record<string, unknown> | null; clusters?: number } = {},
): string {
  const what = objectTitle(kind, t);
  const each = (o.clusters ?? 1) > 1 ? ' in each cluster' : '';
  const owner = controllerOf(o.body);
  const ownerText = owner ? `${owner.kind} ${safeName(owner.name, 120)}` : null;
  switch (action) {
    case 'cordon':
      return `Mark ${what} unschedulable${each}: no new pods are scheduled on it; the pods running there keep running.`;
    case 'uncordon':
      return `Mark ${what} schedulable again${each}: new pods may be scheduled on it.`;
    case 'drain':
      return (
        `Cordon ${what}${each}, then evict its pods (DaemonSet and mirror pods stay), each with its own grace period. ` +
        `PodDisruptionBudgets are respected: an eviction they refuse is retried until the drain gives up (after ${Math.round((o.params?.timeoutSeconds ?? 300) / 60)} min), and what blocked is reported.`
      );
    case 'scale': {
      const from = currentReplicas(kind, o.body);
      const to = o.params?.replicas;
      const change = to === undefined ? 'Set the replicas of' : from !== null ? `Scale from ${from} to ${to}:` : `Scale to ${to}:`;
      const note = ownerText ? ` Its controller (${ownerText}) may scale it back.` : '';
      return `${change} ${what}${each}.${note}${to === 0 ? ' With 0 replicas it runs no pods.' : ''}`;
    }
    case 'restart':
      return `Roll out the pods of ${what} again${each} (as kubectl rollout restart: a restartedAt annotation on its pod template): pods are replaced as its update strategy says.`;
    case 'pause':
      return `Pause the rollouts of ${what}${each}: changes to its pod template do not roll out until it is resumed.`;
    case 'resume':
      return `Resume the rollouts of ${what}${each}: a pending change to its pod template rolls out now.`;
    case 'delete':
      return `Delete ${what}${each} (it stops after its grace period). ${
        ownerText
          ? `Its controller (${ownerText}) creates a replacement.`
          : o.body
            ? 'It has no controller: nothing recreates it.'
            : 'If it has a controller, that creates a replacement.'
      }`;
    case 'apply':
      return `Replace ${what}${each} with the edited YAML: the differences listed are the API server's own dry run of it.`;
  }
}

/** What one cluster is, in a confirmation. */
export interface ClusterRef {
  id: string;
  context: string;
}

/** The facts a confirmation states before the user confirms: where, which namespace, which object. */
export function confirmFacts(kind: string, t: ActionTarget, clusters: readonly ClusterRef[]): [string, string][] {
  const names = clusters.map((c) => safeName(c.context, 120));
  return [
    [
      clusters.length > 1 ? `Clusters (${clusters.length})` : 'Cluster',
      names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', '),
    ],
    ['Namespace', t.namespace ? safeName(t.namespace, 120) : '(cluster-scoped)'],
    ['Object', objectTitle(kind, t)],
  ];
}

/** Whether what was typed confirms the name (exactly: no trimming, no case folding). */
export function typedConfirms(typed: string, t: ActionTarget): boolean {
  return typed === t.name;
}

/** actions.run's params: `confirm` repeats the clusters, namespace and name confirmed (the back end checks they match). */
export function runParams(
  action: ActionName,
  t: ActionTarget,
  clusters: readonly string[],
  params: ActionParams = {},
): Params<'actions.run'> {
  const p: ActionParams = {};
  if (params.replicas !== undefined) p.replicas = params.replicas;
  if (params.manifest !== undefined) p.manifest = params.manifest;
  if (params.gracePeriodSeconds !== undefined) p.gracePeriodSeconds = params.gracePeriodSeconds;
  if (params.timeoutSeconds !== undefined) p.timeoutSeconds = params.timeoutSeconds;
  return {
    clusters: [...clusters],
    action,
    target: { kind: t.kind, namespace: t.namespace, name: t.name },
    params: p,
    confirm: { clusters: [...clusters], namespace: t.namespace, name: t.name },
  };
}

/** A button's state from its check: allowed, or disabled with the reason as its title. */
export type CheckState = { state: 'checking' } | { state: 'allowed' } | { state: 'denied'; reason: string };

export function checkState(c: ActionCheckDTO | undefined | null, error?: string | null): CheckState {
  if (error) return { state: 'denied', reason: `could not check the permissions: ${error}` };
  if (!c) return { state: 'checking' };
  if (c.allowed) return { state: 'allowed' };
  return { state: 'denied', reason: denialText(c) };
}

/** Why a check said no: its reason, else the checks that failed ("may not patch nodes"). */
export function denialText(c: Pick<ActionCheckDTO, 'reason' | 'checks'>): string {
  if (c.reason.trim()) return c.reason;
  const failed = c.checks.filter((x) => !x.allowed);
  if (!failed.length) return 'not allowed';
  return failed
    .map(
      (x) =>
        `may not ${x.verb} ${x.group ? `${x.resource}.${x.group}` : x.resource}${x.namespace ? ` in ${x.namespace}` : ''}${x.reason ? ` (${x.reason})` : ''}`,
    )
    .join('; ');
}

/** "Restarted in 5 of 7 clusters; 2 failed" — the results in one line. */
export function resultsLine(action: ActionName, results: readonly ActionResultDTO[]): string {
  const ok = results.filter((r) => r.ok).length;
  const failed = results.length - ok;
  const done = PAST[action];
  if (results.length === 1) return results[0]!.ok ? `${done}.` : 'Failed.';
  if (!failed) return `${done} in ${ok} clusters.`;
  if (!ok) return `Failed in all ${failed} clusters.`;
  return `${done} in ${ok} of ${results.length} clusters; ${failed} failed.`;
}

const PAST: Record<ActionName, string> = {
  cordon: 'Cordoned',
  uncordon: 'Uncordoned',
  drain: 'Drained',
  scale: 'Scaled',
  restart: 'Restarted',
  pause: 'Paused',
  resume: 'Resumed',
  delete: 'Deleted',
  apply: 'Applied',
};

/** "3 of 12 pods evicted": a progress push in words. */
export function progressText(p: { message: string; done: number; total: number }): string {
  const count = p.total > 0 ? `${p.done} of ${p.total}` : `${p.done}`;
  return p.message ? `${count} · ${p.message}` : count;
}
