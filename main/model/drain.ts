// What draining a node does to its pods, by kubectl drain's rules (k8s.io/kubectl/pkg/drain/filters.go)
// with --ignore-daemonsets: DaemonSet-managed pods stay (their controller would put them back), mirror
// pods stay (the kubelet owns them: kubernetes.io/config.mirror), pods without a controller are not
// deleted (kubectl refuses them without --force: nothing would recreate them) unless they have finished,
// and every other pod is evicted through the Eviction API, which a PodDisruptionBudget may refuse (429)
// while its status.disruptionsAllowed is 0. Pure: the pods and PDBs come as the API has them.
import { controllerOf, isRecord } from './util.ts';

type Obj = Record<string, any>;

/** A label selector (matchLabels and matchExpressions) against a set of labels, as the API server matches it. */
export function selectorMatches(selector: unknown, labels: Record<string, string> | undefined): boolean {
  if (!isRecord(selector)) return false;
  const l = labels ?? {};
  const ml = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(ml)) if (l[k] !== v) return false;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of exprs) {
    if (!isRecord(e) || typeof e.key !== 'string') return false;
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.hasOwn(l, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(l[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

const terminal = (pod: Obj) => pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed';

/** The PodDisruptionBudgets whose selector picks the pod (same namespace; an empty selector picks every pod, none picks none). */
export function budgetsOf(pod: Obj, pdbs: readonly Obj[]): Obj[] {
  const ns = pod?.metadata?.namespace;
  return pdbs.filter((b) => b?.metadata?.namespace === ns && selectorMatches(b?.spec?.selector, pod?.metadata?.labels));
}

export interface DrainPlan {
  /** evicted, in this order; blockedBy: the PodDisruptionBudget that refuses it now */
  evict: { namespace: string; name: string; uid: string; blockedBy?: string }[];
  /** left on the node, as kubectl drain --ignore-daemonsets leaves them */
  ignored: { namespace: string; name: string; reason: string }[];
  /** not deleted: no controller would recreate them (kubectl drain refuses them without --force) */
  unmanaged: { namespace: string; name: string }[];
}

/**
 * The drain of a node's pods, and which PodDisruptionBudget would block which pod now: a budget lets
 * status.disruptionsAllowed of its pods go, the rest wait (finished pods never wait: the API evicts
 * them whatever the budget).
 */
export function drainPlan(pods: readonly Obj[], pdbs: readonly Obj[]): DrainPlan {
  const plan: DrainPlan = { evict: [], ignored: [], unmanaged: [] };
  const left = new Map<Obj, number>();
  const sorted = [...pods].sort(
    (a, b) =>
      String(a?.metadata?.namespace).localeCompare(String(b?.metadata?.namespace)) ||
      String(a?.metadata?.name).localeCompare(String(b?.metadata?.name)),
  );
  for (const pod of sorted) {
    const namespace = String(pod?.metadata?.namespace ?? '');
    const name = String(pod?.metadata?.name ?? '');
    const annotations = isRecord(pod?.metadata?.annotations) ? pod.metadata.annotations : {};
    if (Object.hasOwn(annotations, MIRROR_ANNOTATION)) {
      plan.ignored.push({ namespace, name, reason: 'mirror pod (the kubelet owns it)' });
      continue;
    }
    const ctrl = controllerOf(pod);
    if (ctrl?.kind === 'DaemonSet') {
      plan.ignored.push({ namespace, name, reason: `DaemonSet-managed (${ctrl.name})` });
      continue;
    }
    if (!ctrl && !terminal(pod)) {
      plan.unmanaged.push({ namespace, name });
      continue;
    }
    const entry: DrainPlan['evict'][number] = { namespace, name, uid: String(pod?.metadata?.uid ?? '') };
    if (!terminal(pod)) {
      for (const b of budgetsOf(pod, pdbs)) {
        const n = left.get(b) ?? Math.max(0, Number(b?.status?.disruptionsAllowed ?? 0) || 0);
        if (n <= 0) {
          entry.blockedBy ??= String(b?.metadata?.name ?? '');
          left.set(b, 0);
        } else left.set(b, n - 1);
      }
    }
    plan.evict.push(entry);
  }
  return plan;
}
