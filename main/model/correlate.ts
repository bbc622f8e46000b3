// Correlation: which recorded changes may have caused a problem (a pod, workload or node that went
// unhealthy at `at`), and the same change across the fleet with the problems that followed it.
//
// rankCauses scores each change by how it relates to the problem, strongest first:
//   the same object > its owner chain (and an HPA scaling one of them) > an object it references
//   (ConfigMap, Secret, PVC, StorageClass) > its node > the same image elsewhere in the cluster > the
//   same namespace > cluster-wide kinds (nodes, CRDs, RBAC, StorageClasses, DeviceClasses, CSI) >
//   anything else in the cluster > other objects' health events (context: consequences or company,
//   rarely causes; a node's or a referenced object's health events keep their relation's place, as
//   a node going NotReady or a PVC lost is a cause).
// Each relation is a band 100 wide; within it, a linear decay over the window puts closer changes
// higher. Changes after the problem, outside the window, in other clusters, capture gaps and the
// problem's own health events are never candidates. A change the object stayed healthy after, for
// SETTLE_MS at least (p.healthy: its last healthy stretch), did not break it on its own: it keeps its
// order, below every change it did not survive.
import type { ChangeCategory, DerivedChange } from '../../common/contract.ts';
import { isClusterWide, kindKeyOf, kindName, refsOf, type ChangeRefsWithTarget } from './changes.ts';
import { arr, isRecord, num, str } from './util.ts';
import { workloadProblems } from './workloads.ts';
import { nodeHealth } from './health.ts';
import type { Node, Pod } from './types.ts';

export interface Problem {
  cluster: string;
  kind: string;
  uid: string;
  namespace: string;
  name: string;
  /** when it went unhealthy */
  at: number;
  node?: string;
  images: string[];
  configMaps: string[];
  secrets: string[];
  pvcs: string[];
  storageClasses: string[];
  /** the owner chain, nearest first: ReplicaSet, then Deployment; Job, then CronJob (resolved by the caller from ownerReferences) */
  owners: { kind: string; name: string; uid?: string }[];
  /** what it mounts as volumes ("configmaps/<name>", "secrets/<name>", "persistentvolumeclaims/<name>"); the rest it reads through env */
  mounts?: string[];
  /** its last healthy stretch before `at` (see healthyStretch) */
  healthy?: { from: number; until: number };
}

/** How long an object must stay healthy after a change for that change to count as survived. */
export const SETTLE_MS = 5 * 60_000;

const WORKLOAD_FIELD: Record<string, 'pods' | 'deployments' | 'statefulSets' | 'daemonSets' | 'jobs'> = {
  pods: 'pods',
  'apps/deployments': 'deployments',
  'apps/statefulsets': 'statefulSets',
  'apps/daemonsets': 'daemonSets',
  'batch/jobs': 'jobs',
};

/** Is this state of an object healthy (no workload problem; a node Ready and not critical)? undefined: not a kind judged so. */
export function isHealthy(kind: string, obj: unknown, now: number): boolean | undefined {
  if (!isRecord(obj)) return undefined;
  if (kind === 'nodes') return nodeHealth(obj as Node, { now }).ready === 'True';
  const field = WORKLOAD_FIELD[kind];
  if (!field) return undefined;
  return workloadProblems({ [field]: [obj as Pod], now }).length === 0;
}

/**
 * The object's last healthy stretch before `before`: from the first of its last run of healthy states
 * until the next state that was not (or `before`). States are its recorded states, each from the time it
 * was written (the object after each change). undefined: not healthy in any recorded state before then.
 */
export function healthyStretch(
  kind: string,
  states: readonly { at: number; body: unknown }[],
  before: number,
): { from: number; until: number } | undefined {
  const sorted = arr(states as { at: number; body: unknown }[])
    .filter((s) => num(s?.at) !== undefined)
    .sort((a, b) => a.at - b.at);
  let from: number | undefined;
  let until: number | undefined;
  for (const s of sorted) {
    if (s.at >= before) {
      if (from !== undefined && until === undefined) until = s.at;
      break;
    }
    if (isHealthy(kind, s.body, s.at)) {
      if (from === undefined || until !== undefined) {
        from = s.at;
        until = undefined;
      }
    } else if (from !== undefined && until === undefined) until = s.at;
  }
  return from === undefined ? undefined : { from, until: until ?? before };
}

export interface CandidateChange extends DerivedChange {
  id: number;
}

export interface RankedCause {
  change: CandidateChange;
  rank: number;
  score: number;
  reason: string;
}

export interface FleetChange {
  key: string;
  category: ChangeCategory;
  summary: string;
  first: number;
  last: number;
  clusters: { cluster: string; at: number; changes: CandidateChange[]; problemsAfter: CandidateChange[] }[];
}

export const DEFAULT_WINDOW_MS = 24 * 3_600_000;
export const DEFAULT_FOLLOW_MS = 2 * 3_600_000;
export const MAX_CAUSES = 50;

const REFERENCED: readonly (readonly [string, 'configMaps' | 'secrets' | 'pvcs'])[] = [
  ['configmaps', 'configMaps'],
  ['secrets', 'secrets'],
  ['persistentvolumeclaims', 'pvcs'],
];

function strList(x: unknown): string[] {
  return arr(x as unknown[]).filter((s): s is string => typeof s === 'string' && s !== '');
}

/** A problem's references, read from the unhealthy object's body (a pod, workload, Job, node or PVC). */
export function problemOf(kind: string, obj: Record<string, any>, at: number, owners: Problem['owners'], cluster: string): Problem {
  const meta: unknown = isRecord(obj) ? obj.metadata : undefined;
  const field = (k: string): string => (isRecord(meta) ? (str(meta[k]) ?? '') : '');
  const refs = refsOf(kind, obj);
  const chain = arr(owners).filter((o) => isRecord(o) && typeof o.kind === 'string' && typeof o.name === 'string');
  const p: Problem = {
    cluster: str(cluster) ?? '',
    kind: str(kind) ?? '',
    uid: field('uid'),
    namespace: field('namespace'),
    name: field('name'),
    at: num(at) ?? 0,
    images: refs.images,
    configMaps: refs.configMaps,
    secrets: refs.secrets,
    pvcs: refs.pvcs,
    storageClasses: refs.storageClasses,
    owners: chain.map((o) => (o.uid ? { kind: o.kind, name: o.name, uid: o.uid } : { kind: o.kind, name: o.name })),
    mounts: refs.mounts,
  };
  if (refs.node) p.node = refs.node;
  return p;
}

// ------------------------------------------------------------------------------------ ranking

interface Relation {
  /** the band's floor: the score is base + up to 99 by closeness in time */
  base: number;
  reason: string;
}

function isSameObject(p: Problem, c: DerivedChange): boolean {
  if (p.uid && c.uid) return p.uid === c.uid;
  return c.kind === p.kind && c.namespace === p.namespace && c.name === p.name;
}

function isOwner(o: Problem['owners'][number], c: DerivedChange, namespace: string): boolean {
  if (o.uid && c.uid) return o.uid === c.uid;
  return kindKeyOf(o.kind) === c.kind && o.name === c.name && c.namespace === namespace;
}

function label(c: DerivedChange): string {
  return `${kindName(c.kind)} ${c.name}`;
}

function verb(c: DerivedChange): string {
  if (c.action === 'created') return 'was created';
  if (c.action === 'deleted') return 'was deleted';
  if (c.category === 'rollout') return 'rolled out';
  if (c.category === 'scale') return 'was scaled';
  return 'changed';
}

/** The owner this change is about: the owner itself, or the HPA that scales it. */
function ownerOf(p: Problem, c: DerivedChange): { owner: Problem['owners'][number]; via: 'self' | 'hpa' } | undefined {
  for (const o of p.owners) if (isOwner(o, c, p.namespace)) return { owner: o, via: 'self' };
  const target = (c.refs as ChangeRefsWithTarget | undefined)?.target;
  if (c.kind === 'autoscaling/horizontalpodautoscalers' && target && c.namespace === p.namespace) {
    for (const o of p.owners) if (o.kind === target.kind && o.name === target.name) return { owner: o, via: 'hpa' };
  }
  return undefined;
}

function referenced(p: Problem, c: DerivedChange): string | undefined {
  for (const [kind, list] of REFERENCED) {
    if (c.kind !== kind || c.namespace !== p.namespace || !p[list].includes(c.name)) continue;
    const how = kind === 'persistentvolumeclaims' || (p.mounts ?? []).includes(`${kind}/${c.name}`) ? 'mounts' : 'reads';
    return c.action === 'keys' ? `${how} ${label(c)}, whose ${c.summary}` : `${how} ${label(c)}: ${c.summary}`;
  }
  if (c.kind === 'storage.k8s.io/storageclasses' && p.storageClasses.includes(c.name)) return `uses ${label(c)}: ${c.summary}`;
  return undefined;
}

function sharedImage(p: Problem, c: DerivedChange): string | undefined {
  const images = strList(c.refs?.images);
  return p.images.find((i) => images.includes(i));
}

function onNode(p: Problem, c: DerivedChange): boolean {
  if (!p.node) return false;
  return c.kind === 'nodes' ? c.name === p.node : c.kind !== 'pods' && c.refs?.node === p.node;
}

/** How a change relates to the problem, as a score band and the words for it. */
function relate(p: Problem, c: DerivedChange): Relation {
  const health = c.category === 'health';
  if (isSameObject(p, c)) return { base: 1000, reason: `the ${kindName(c.kind)} itself: ${c.summary}` };
  const owned = ownerOf(p, c);
  if (owned && !health) {
    const who = `its ${owned.owner.kind} ${owned.owner.name}`;
    return { base: 900, reason: owned.via === 'hpa' ? `the autoscaler of ${who}: ${c.summary}` : `${who} ${verb(c)}: ${c.summary}` };
  }
  const ref = referenced(p, c);
  if (ref) return { base: 800, reason: ref };
  if (onNode(p, c)) return { base: 700, reason: `its node ${p.node}: ${c.summary}` };
  const image = sharedImage(p, c);
  if (health) {
    const where = owned
      ? ` (its ${owned.owner.kind} ${owned.owner.name})`
      : p.node && c.refs?.node === p.node
        ? ' (same node)'
        : image
          ? ' (same image)'
          : c.namespace !== '' && c.namespace === p.namespace
            ? ' (same namespace)'
            : '';
    const bonus = owned ? 60 : where === ' (same node)' ? 50 : image ? 40 : where ? 30 : 0;
    const what = c.kind === '' ? 'the cluster' : label(c);
    return { base: 100 + bonus, reason: `also unhealthy${where}: ${what}: ${c.summary}` };
  }
  if (image) return { base: 600, reason: `the same image ${image} in ${label(c)}: ${c.summary}` };
  if (p.namespace !== '' && c.namespace === p.namespace) return { base: 500, reason: `in the same namespace, ${label(c)}: ${c.summary}` };
  if (isClusterWide(c.kind)) return { base: 400, reason: `cluster-wide, ${label(c)}: ${c.summary}` };
  const where = c.namespace ? `${kindName(c.kind)} ${c.namespace}/${c.name}` : label(c);
  return { base: 300, reason: `elsewhere in the cluster, ${where}: ${c.summary}` };
}

/**
 * The changes that may have caused the problem, most likely first (rank 1), at most 50: only changes
 * in the problem's cluster at or before p.at and within windowMs (default 24 h) before it; never gaps
 * nor the problem's own health events. Ties: later first, then lower id.
 */
export function rankCauses(p: Problem, candidates: CandidateChange[], opts?: { windowMs?: number }): RankedCause[] {
  const w = num(opts?.windowMs);
  const windowMs = w !== undefined && w > 0 ? w : DEFAULT_WINDOW_MS;
  const at = num(p?.at);
  if (at === undefined) return [];
  const scored: Omit<RankedCause, 'rank'>[] = [];
  for (const c of arr(candidates)) {
    if (!isRecord(c) || c.cluster !== p.cluster || c.category === 'gap') continue;
    const t = num(c.at);
    if (t === undefined || t > at || t < at - windowMs) continue;
    if (c.category === 'health' && isSameObject(p, c)) continue;
    const rel = relate(p, c);
    const closeness = 1 - (at - t) / windowMs;
    const cap = rel.base >= 300 ? 99 : 39; // context bands (100..199) share one hundred
    const survived = p.healthy !== undefined && Math.max(t, p.healthy.from) + SETTLE_MS <= p.healthy.until;
    const score = (rel.base + cap * closeness) / (survived ? 10 : 1);
    const reason = survived ? `${rel.reason} (it was healthy for a while after this)` : rel.reason;
    scored.push({ change: c, score: Math.round(score * 1000) / 1000, reason });
  }
  scored.sort((a, b) => b.score - a.score || b.change.at - a.change.at || a.change.id - b.change.id);
  return scored.slice(0, MAX_CAUSES).map((s, i) => ({ ...s, rank: i + 1 }));
}

// ------------------------------------------------------------------------------------ the fleet

/** A problem plausibly follows a change: the same object or image, a pod of the changed workload, a crashloop in its namespace, on its node. */
function follows(problem: DerivedChange, change: DerivedChange): boolean {
  if (problem.uid !== '' && problem.uid === change.uid) return true;
  const images = strList(change.refs?.images);
  if (strList(problem.refs?.images).some((i) => images.includes(i))) return true;
  const owner = problem.refs?.owner;
  if (owner && problem.namespace === change.namespace) {
    if (owner.uid && owner.uid === change.uid) return true;
    if (kindKeyOf(owner.kind) === change.kind && owner.name === change.name) return true;
    // A Deployment's pods are owned by its ReplicaSets, named <deployment>-<pod-template-hash>.
    const rest = owner.kind === 'ReplicaSet' && owner.name.startsWith(`${change.name}-`) ? owner.name.slice(change.name.length + 1) : '';
    if (change.kind === 'apps/deployments' && /^[a-z0-9]{4,12}$/.test(rest)) return true;
  }
  if (problem.action === 'crashloop' && change.namespace !== '' && problem.namespace === change.namespace) return true;
  return change.kind === 'nodes' && problem.refs?.node === change.name;
}

/** What a problem event is, in a few words for the fleet summary. */
function problemWords(e: DerivedChange): string {
  const pod = e.kind === 'pods';
  switch (e.action) {
    case 'crashloop':
    case 'crashed':
      return 'crashlooping pods';
    case 'oom-killed':
      return 'OOMKilled pods';
    case 'image-pull':
      return 'image pull errors';
    case 'start-error':
      return 'pods failing to start';
    case 'unschedulable':
      return 'unschedulable pods';
    case 'unready':
      return pod ? 'pods not ready' : 'workloads not ready';
    case 'not-ready':
      return 'NotReady nodes';
    case 'pressure':
      return 'nodes under pressure';
    case 'unavailable':
      return 'unavailable workloads';
    case 'progress-deadline':
      return 'stalled rollouts';
    case 'lost':
      return 'lost volumes';
    case 'failed':
      return pod ? 'failed pods' : e.kind === 'batch/jobs' ? 'failed jobs' : 'failures';
    default:
      return 'problems';
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "image registry/web:1.4 rolled out to 7 clusters" and the like, from the fleet key. */
function headline(key: string, first: DerivedChange, n: number): string {
  const clusters = plural(n, 'cluster');
  const i = key.indexOf(':');
  const kind = key.slice(0, i);
  const rest = key.slice(i + 1);
  if (kind === 'image') return `image ${rest} rolled out to ${clusters}`;
  if (kind === 'kernel' || kind === 'kubelet') return `${kind} ${rest} on nodes of ${clusters}`;
  const j = rest.indexOf(':');
  if (kind === 'crd' && j > 0)
    return `CRD ${rest.slice(0, j)} serving ${rest.slice(j + 1).replaceAll(',', ', ') || 'no versions'} in ${clusters}`;
  if (kind === 'storageclass' && j > 0) return `StorageClass ${rest.slice(0, j)} (${rest.slice(j + 1)}) in ${clusters}`;
  return `${first.summary} in ${clusters}`;
}

/**
 * The same change (events sharing a fleetKey) in at least minClusters clusters (default 2), and per
 * cluster the health events (warning/critical) within followMs (default 2 h) after that cluster's
 * first change of the group that plausibly follow it. Newest groups first.
 */
export function fleetChanges(events: CandidateChange[], opts?: { followMs?: number; minClusters?: number }): FleetChange[] {
  const f = num(opts?.followMs);
  const followMs = f !== undefined && f >= 0 ? f : DEFAULT_FOLLOW_MS;
  const m = num(opts?.minClusters);
  const minClusters = m !== undefined && m >= 1 ? m : 2;
  const all = arr(events).filter((e): e is CandidateChange => isRecord(e) && num(e.at) !== undefined && typeof e.cluster === 'string');
  const groups = new Map<string, Map<string, CandidateChange[]>>();
  for (const e of all) {
    if (typeof e.fleetKey !== 'string' || e.fleetKey === '') continue;
    const byCluster = groups.get(e.fleetKey) ?? new Map<string, CandidateChange[]>();
    groups.set(e.fleetKey, byCluster);
    const list = byCluster.get(e.cluster) ?? [];
    byCluster.set(e.cluster, list);
    list.push(e);
  }
  const problems = all.filter((e) => e.category === 'health' && (e.severity === 'warning' || e.severity === 'critical'));
  const out: FleetChange[] = [];
  for (const [key, byCluster] of groups) {
    if (byCluster.size < minClusters) continue;
    const clusters: FleetChange['clusters'] = [];
    for (const [cluster, changes] of byCluster) {
      changes.sort((a, b) => a.at - b.at || a.id - b.id);
      const at = changes[0]?.at ?? 0;
      const problemsAfter = problems
        .filter((e) => e.cluster === cluster && e.at >= at && e.at <= at + followMs && changes.some((c) => follows(e, c)))
        .sort((a, b) => a.at - b.at || a.id - b.id);
      clusters.push({ cluster, at, changes, problemsAfter });
    }
    clusters.sort((a, b) => a.at - b.at || (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
    const first = clusters[0]?.changes[0];
    if (!first) continue;
    const hit = clusters.filter((c) => c.problemsAfter.length > 0);
    const words = new Map<string, number>();
    for (const c of hit) for (const w of new Set(c.problemsAfter.map(problemWords))) words.set(w, (words.get(w) ?? 0) + 1);
    const what = [...words].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
    const named = what.length > 3 ? [...what.slice(0, 3), 'more'] : what;
    const tail =
      hit.length === 0
        ? 'no problems since'
        : `${hit.length} of them ${hit.length === 1 ? 'has' : 'have'} ${named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : named[0]} since`;
    out.push({
      key,
      category: first.category,
      summary: `${headline(key, first, clusters.length)}; ${tail}`,
      first: Math.min(...clusters.map((c) => c.at)),
      last: Math.max(...clusters.flatMap((c) => c.changes.map((e) => e.at))),
      clusters,
    });
  }
  return out.sort((a, b) => b.last - a.last || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
