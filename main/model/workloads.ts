// Workload problems: the pods, Deployments, StatefulSets, DaemonSets and Jobs an operator would want
// listed, one row per object, like the STATUS / READY columns of `kubectl get` and k9s's colouring.
//
// Sources:
//  - pod status: kubectl's printPod (k8s.io/kubernetes/pkg/printers/internalversion/printers.go):
//    init containers first ("Init:<reason>" for a failed or waiting init container), then each
//    container's waiting reason or non-zero termination; phase Failed with status.reason (Evicted, ...).
//  - kubelet waiting reasons (pkg/kubelet/images/types.go, kuberuntime, container/sync_result.go):
//    CrashLoopBackOff, ErrImagePull, ImagePullBackOff, InvalidImageName, ErrImageNeverPull,
//    CreateContainerConfigError, CreateContainerError, RunContainerError, PreStartHookError, ...
//  - scheduler: PodScheduled=False reason Unschedulable with "0/3 nodes are available: ..." and
//    SchedulingGated while spec.schedulingGates is non-empty (KEP-3521).
//  - apps/v1 status: Deployment availableReplicas/unavailableReplicas and conditions Available,
//    Progressing (reason ProgressDeadlineExceeded) and ReplicaFailure; StatefulSet readyReplicas;
//    DaemonSet desiredNumberScheduled/numberReady/numberUnavailable/numberMisscheduled.
//  - batch/v1 Job conditions Failed (and FailureTarget while the controller terminates pods, 1.31+),
//    Complete (and SuccessCriteriaMet); status.failed counts failed pods.
//
// Judgement calls (documented so the UI can explain them):
//  - Succeeded pods are never problems. Failed pods of a finished Job (Complete or Failed) are left
//    out: the Job's own row carries the failure; Failed pods of a running Job are warnings (retries).
//  - Evicted pods are warnings: their controller has replaced them.
//  - An unschedulable pod is a warning for its first 5 minutes (cluster autoscaler scale-up), then
//    critical; a scheduling-gated pod only shows up (as a warning) after 5 minutes.
//  - A failed Job of a CronJob whose later run completed is downgraded to a warning.
//  - Terminating pods are skipped until 5 minutes past their deletion deadline (then "stuck").
import type { KObject, NodeCondition, ObjectLists, OwnerReference, Pod } from './types.ts';
import { ageText, arr, condition, isRecord, nameOf, namespaceOf, num, parseTime, str } from './util.ts';

export type WorkloadSeverity = 'critical' | 'warning';

export interface WorkloadProblemInput extends ObjectLists<'pods' | 'deployments' | 'statefulSets' | 'daemonSets' | 'jobs'> {
  now: number;
}

export interface WorkloadProblem {
  /** the cache's kind key: 'pods', 'apps/deployments', 'apps/statefulsets', 'apps/daemonsets', 'batch/jobs' */
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  severity: WorkloadSeverity;
  /** short machine-ish reason, kubectl's STATUS where there is one: "CrashLoopBackOff", "Init:ErrImagePull", "Unschedulable" */
  reason: string;
  /** human-readable detail, including the Kubernetes message when there is one */
  message: string;
}

/** Pending (or not Ready, or past the deletion deadline) longer than this is a problem. */
export const PROBLEM_AFTER_MS = 5 * 60_000;
/** A running, not Ready pod with at least this many restarts is a warning. */
export const RESTART_WARNING = 5;

/** Waiting reasons that mean the container cannot start without someone fixing something. */
const CRITICAL_WAITING: ReadonlySet<string> = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'ImageInspectError',
  'RegistryUnavailable',
  'SignatureValidationFailed',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PreCreateHookError',
  'PreStartHookError',
  'PostStartHookError',
  'StartError',
  'ContainerCannotRun',
]);
/** Waiting reasons of a normal start. */
const BENIGN_WAITING: ReadonlySet<string> = new Set(['ContainerCreating', 'PodInitializing']);

interface Issue {
  severity: WorkloadSeverity;
  reason: string;
  message: string;
}

// ------------------------------------------------------------------------------------ readers

function field(x: unknown, key: string): unknown {
  return isRecord(x) && Object.hasOwn(x, key) ? x[key] : undefined;
}

interface Cond {
  status: string | undefined;
  reason: string | undefined;
  message: string | undefined;
  /** lastTransitionTime, epoch ms */
  since: number | undefined;
}

/** status.conditions[type] of any object, its fields type-checked. */
function cond(o: unknown, type: string): Cond | undefined {
  const c: unknown = condition(field(field(o, 'status'), 'conditions') as NodeCondition[] | undefined, type);
  if (!isRecord(c)) return undefined;
  return { status: str(c.status), reason: nonEmpty(c.reason), message: nonEmpty(c.message), since: parseTime(c.lastTransitionTime) };
}

function nonEmpty(x: unknown): string | undefined {
  return typeof x === 'string' && x !== '' ? x : undefined;
}

function isTrue(o: unknown, type: string): boolean {
  return cond(o, type)?.status === 'True';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function owner(o: KObject, kind: string): OwnerReference | undefined {
  let first: OwnerReference | undefined;
  for (const r of arr(o?.metadata?.ownerReferences)) {
    if (!isRecord(r) || r.kind !== kind) continue;
    if (r.controller === true) return r;
    first ??= r;
  }
  return first;
}

interface Terminated {
  reason: string | undefined;
  message: string | undefined;
  exitCode: number | undefined;
  signal: number | undefined;
  finishedAt: number | undefined;
}

interface CStatus {
  name: string;
  init: boolean;
  ready: boolean;
  restarts: number;
  /** state.waiting, when the container is waiting */
  waiting: { reason: string | undefined; message: string | undefined } | undefined;
  terminated: Terminated | undefined;
  last: Terminated | undefined;
}

function readTerminated(x: unknown): Terminated | undefined {
  if (!isRecord(x)) return undefined;
  return {
    reason: nonEmpty(x.reason),
    message: nonEmpty(x.message),
    exitCode: num(x.exitCode),
    signal: num(x.signal),
    finishedAt: parseTime(x.finishedAt),
  };
}

/** status.containerStatuses / initContainerStatuses (not in types.ts: only this module reads them). */
function containerStatuses(pod: Pod, key: 'containerStatuses' | 'initContainerStatuses'): CStatus[] {
  const out: CStatus[] = [];
  for (const s of arr(field(pod?.status, key) as unknown[] | undefined)) {
    if (!isRecord(s)) continue;
    const state = s.state;
    const waiting = field(state, 'waiting');
    out.push({
      name: str(s.name) ?? '?',
      init: key === 'initContainerStatuses',
      ready: s.ready === true,
      restarts: Math.max(0, num(s.restartCount) ?? 0),
      waiting: isRecord(waiting) ? { reason: nonEmpty(waiting.reason), message: nonEmpty(waiting.message) } : undefined,
      terminated: readTerminated(field(state, 'terminated')),
      last: readTerminated(field(s.lastState, 'terminated')),
    });
  }
  return out;
}

/** A termination that is not a clean exit 0. */
function isFailure(t: Terminated): boolean {
  if (t.exitCode !== undefined) return t.exitCode !== 0;
  return t.reason !== undefined && t.reason !== 'Completed';
}

/** "OOMKilled, exit code 137" / "Error, signal 9". */
function terminationText(t: Terminated): string {
  const code = t.exitCode !== undefined ? `, exit code ${t.exitCode}` : t.signal ? `, signal ${t.signal}` : '';
  return `${t.reason ?? 'Error'}${code}`;
}

/** "(12 restarts, last terminated: OOMKilled, exit code 137)", '' when there is nothing to add. */
function restartSuffix(c: CStatus): string {
  const parts: string[] = [];
  if (c.restarts > 0) parts.push(plural(c.restarts, 'restart'));
  if (c.last && isFailure(c.last)) parts.push(`last terminated: ${terminationText(c.last)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function containerLabel(c: CStatus): string {
  return `${c.init ? 'init container' : 'container'} ${c.name}`;
}

/** Joins messages; a message ending in "." is followed by a space rather than "; ". */
function joinMessages(messages: readonly string[]): string {
  let out = '';
  const seen = new Set<string>();
  for (const m of messages) {
    if (m === '' || seen.has(m)) continue;
    seen.add(m);
    out = out === '' ? m : `${out}${out.endsWith('.') ? ' ' : '; '}${m}`;
  }
  return out;
}

// ------------------------------------------------------------------------------------ jobs

type JobState = 'complete' | 'failed' | 'active';

function jobState(job: KObject): JobState {
  if (isTrue(job, 'Failed') || isTrue(job, 'FailureTarget')) return 'failed';
  if (isTrue(job, 'Complete') || isTrue(job, 'SuccessCriteriaMet')) return 'complete';
  return 'active';
}

interface JobIndex {
  byUid: Map<string, JobState>;
  byName: Map<string, JobState>;
}

function nsKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

function indexJobs(jobs: readonly KObject[]): JobIndex {
  const byUid = new Map<string, JobState>();
  const byName = new Map<string, JobState>();
  for (const j of jobs) {
    const state = jobState(j);
    const uid = str(j?.metadata?.uid);
    if (uid) byUid.set(uid, state);
    byName.set(nsKey(namespaceOf(j) ?? '', nameOf(j)), state);
  }
  return { byUid, byName };
}

/** undefined: not owned by a Job; null: owned by a Job that is not in the input. */
function owningJobState(pod: Pod, jobs: JobIndex): JobState | null | undefined {
  const ref = owner(pod, 'Job');
  if (!ref) return undefined;
  const uid = str(ref.uid);
  const byUid = uid ? jobs.byUid.get(uid) : undefined;
  return byUid ?? jobs.byName.get(nsKey(namespaceOf(pod) ?? '', str(ref.name) ?? '')) ?? null;
}

/** Later completed runs per CronJob: key → creation times of its completed Jobs. */
function completedCronRuns(jobs: readonly KObject[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const j of jobs) {
    const key = cronKey(j);
    const created = parseTime(j?.metadata?.creationTimestamp);
    if (key === undefined || created === undefined || jobState(j) !== 'complete') continue;
    const list = out.get(key);
    if (list) list.push(created);
    else out.set(key, [created]);
  }
  return out;
}

function cronKey(job: KObject): string | undefined {
  const ref = owner(job, 'CronJob');
  if (!ref) return undefined;
  const id = str(ref.uid) || str(ref.name);
  return id ? nsKey(namespaceOf(job) ?? '', id) : undefined;
}

function jobIssues(job: KObject, completedRuns: Map<string, number[]>): Issue[] {
  const failedPods = num(field(field(job, 'status'), 'failed')) ?? 0;
  const failed = [cond(job, 'Failed'), cond(job, 'FailureTarget')].find((c) => c?.status === 'True');
  if (failed) {
    const count = failedPods > 0 ? ` (${plural(failedPods, 'failed pod')})` : '';
    const issue: Issue = { severity: 'critical', reason: failed.reason ?? 'Failed', message: `${failed.message ?? 'Job failed'}${count}` };
    const key = cronKey(job);
    const created = parseTime(job?.metadata?.creationTimestamp);
    if (key !== undefined && created !== undefined && (completedRuns.get(key) ?? []).some((t) => t > created)) {
      issue.severity = 'warning';
      issue.message += '; a later run of its CronJob completed';
    }
    return [issue];
  }
  if (jobState(job) === 'active' && failedPods > 0) {
    const limit = num(field(field(job, 'spec'), 'backoffLimit'));
    const of = limit !== undefined ? ` (backoffLimit ${limit})` : '';
    return [{ severity: 'warning', reason: 'Retrying', message: `${plural(failedPods, 'pod')} failed so far${of}, still retrying` }];
  }
  return [];
}

// ------------------------------------------------------------------------------------ pods

function podIssues(pod: Pod, now: number, jobs: JobIndex): Issue[] {
  const status = pod?.status;
  const phase = str(field(status, 'phase'));
  if (phase === 'Succeeded') return [];

  const deadline = parseTime(pod?.metadata?.deletionTimestamp);
  if (deadline !== undefined) {
    const over = now - deadline;
    if (!(over >= PROBLEM_AFTER_MS)) return [];
    return [{ severity: 'warning', reason: 'Terminating', message: `stuck terminating: ${ageText(over)} past its deletion deadline` }];
  }

  const inits = containerStatuses(pod, 'initContainerStatuses');
  const containers = containerStatuses(pod, 'containerStatuses');
  const all = [...inits, ...containers];

  if (phase === 'Failed') {
    const job = owningJobState(pod, jobs);
    if (job === 'complete' || job === 'failed') return [];
    let cReason: string | undefined;
    let cText: string | undefined;
    for (const c of all) {
      const t = c.terminated;
      if (!t || !isFailure(t)) continue;
      cReason = `${c.init ? 'Init:' : ''}${t.reason ?? 'Error'}`;
      cText = `${containerLabel(c)} terminated: ${terminationText(t)}${t.message ? `: ${t.message}` : ''}`;
      break;
    }
    const reason = nonEmpty(field(status, 'reason')) ?? cReason ?? 'Failed';
    const message = nonEmpty(field(status, 'message')) ?? cText ?? 'pod failed';
    const severity = reason === 'Evicted' || job !== undefined ? 'warning' : 'critical';
    return [{ severity, reason, message }];
  }
  if (phase === 'Unknown') {
    return [
      {
        severity: 'warning',
        reason: 'Unknown',
        message: nonEmpty(field(status, 'message')) ?? 'pod state unknown: its node stopped reporting',
      },
    ];
  }

  const issues: Issue[] = [];
  for (const c of all) {
    const prefix = c.init ? 'Init:' : '';
    const w = c.waiting;
    const t = c.terminated;
    if (w?.reason !== undefined && !BENIGN_WAITING.has(w.reason)) {
      issues.push({
        severity: CRITICAL_WAITING.has(w.reason) ? 'critical' : 'warning',
        reason: `${prefix}${w.reason}`,
        message: `${containerLabel(c)}: ${w.message ?? w.reason}${restartSuffix(c)}`,
      });
    } else if (t && isFailure(t)) {
      issues.push({
        severity: 'critical',
        reason: `${prefix}${t.reason ?? 'Error'}`,
        message: `${containerLabel(c)} terminated: ${terminationText(t)}${t.message ? `: ${t.message}` : ''}${c.restarts > 0 ? ` (${plural(c.restarts, 'restart')})` : ''}`,
      });
    } else if (!w && !t && c.last?.reason === 'OOMKilled') {
      const ago = c.last.finishedAt !== undefined && now >= c.last.finishedAt ? ` ${ageText(now - c.last.finishedAt)} ago` : '';
      issues.push({
        severity: 'warning',
        reason: 'OOMKilled',
        message: `${containerLabel(c)} was OOMKilled${ago}${c.restarts > 0 ? ` (${plural(c.restarts, 'restart')})` : ''}`,
      });
    }
  }

  const created = parseTime(pod?.metadata?.creationTimestamp);
  const age = created === undefined ? undefined : now - created;
  const old = age !== undefined && age >= PROBLEM_AFTER_MS;
  const pendingFor = age !== undefined && age >= 0 ? `pending ${ageText(age)}` : 'pending';

  if (phase === 'Pending') {
    const sched = cond(pod, 'PodScheduled');
    if (sched?.status === 'False') {
      const reason = sched.reason ?? 'Unschedulable';
      if (reason === 'SchedulingGated') {
        const gates = arr(pod?.spec?.schedulingGates)
          .map((g) => str(g?.name))
          .filter((n): n is string => !!n);
        if (old) {
          const on = gates.length ? `: ${gates.join(', ')}` : '';
          issues.push({ severity: 'warning', reason, message: `${pendingFor}, waiting for scheduling gates${on}` });
        }
      } else {
        issues.push({ severity: old ? 'critical' : 'warning', reason, message: `${pendingFor}: ${sched.message ?? 'not scheduled'}` });
      }
    } else if (issues.length === 0 && old) {
      const waits = all.filter((c) => c.waiting).map((c) => `${containerLabel(c)} ${c.waiting?.reason ?? 'waiting'}`);
      const where = str(pod?.spec?.nodeName) ? '' : ', not scheduled';
      const detail = [nonEmpty(field(status, 'message')), ...waits].filter((m): m is string => !!m);
      issues.push({
        severity: 'warning',
        reason: 'Pending',
        message: `${pendingFor}${where}${detail.length ? `: ${detail.join('; ')}` : ''}`,
      });
    }
  }

  if (phase === 'Running' && !issues.some((i) => i.severity === 'critical')) {
    const ready = cond(pod, 'Ready');
    if (ready?.status !== 'True') {
      const restarts = all.reduce((s, c) => s + c.restarts, 0);
      const notReadyFor = ready?.status === 'False' && ready.since !== undefined ? now - ready.since : undefined;
      const longNotReady = notReadyFor !== undefined && notReadyFor >= PROBLEM_AFTER_MS;
      if (restarts >= RESTART_WARNING || longNotReady) {
        const total = containers.length || arr(pod?.spec?.containers).length;
        const parts = [`${containers.filter((c) => c.ready).length}/${total} containers ready`];
        if (restarts > 0) parts.push(plural(restarts, 'restart'));
        if (longNotReady) parts.push(`not ready for ${ageText(notReadyFor)}`);
        issues.push({
          severity: 'warning',
          reason: 'NotReady',
          message: `${parts.join(', ')}${ready?.message ? `: ${ready.message}` : ''}`,
        });
      }
    }
  }
  return issues;
}

// ------------------------------------------------------------------------------------ apps/v1

function replicasOf(o: KObject): number {
  return num(field(field(o, 'spec'), 'replicas')) ?? 1; // apps/v1 defaults spec.replicas to 1
}

function deploymentIssues(d: KObject): Issue[] {
  const issues: Issue[] = [];
  const progressing = cond(d, 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    issues.push({
      severity: 'critical',
      reason: 'ProgressDeadlineExceeded',
      message: progressing.message ?? 'rollout exceeded its progress deadline',
    });
  }
  const failure = cond(d, 'ReplicaFailure');
  if (failure?.status === 'True') {
    issues.push({
      severity: 'critical',
      reason: failure.reason ?? 'ReplicaFailure',
      message: failure.message ?? 'pods could not be created',
    });
  }
  const status = field(d, 'status');
  if (isRecord(status)) {
    const desired = replicasOf(d);
    const available = num(status.availableReplicas) ?? 0;
    const unavailable = num(status.unavailableReplicas) ?? 0;
    const counts = `${available}/${desired} replicas available${unavailable > 0 ? `, ${unavailable} unavailable` : ''}`;
    const avail = cond(d, 'Available');
    if (avail?.status === 'False') {
      issues.push({
        severity: 'critical',
        reason: avail.reason ?? 'Unavailable',
        message: `${counts}${avail.message ? `: ${avail.message}` : ''}`,
      });
    } else if (unavailable > 0 || available < desired) {
      issues.push({ severity: available === 0 && desired > 0 ? 'critical' : 'warning', reason: 'Unavailable', message: counts });
    }
  }
  return issues;
}

function statefulSetIssues(s: KObject): Issue[] {
  const status = field(s, 'status');
  if (!isRecord(status)) return [];
  const desired = replicasOf(s);
  const ready = num(status.readyReplicas) ?? 0;
  if (ready >= desired) return [];
  return [{ severity: ready === 0 ? 'critical' : 'warning', reason: 'NotReady', message: `${ready}/${desired} replicas ready` }];
}

function daemonSetIssues(ds: KObject): Issue[] {
  const status = field(ds, 'status');
  if (!isRecord(status)) return [];
  const issues: Issue[] = [];
  const desired = num(status.desiredNumberScheduled) ?? 0;
  const ready = num(status.numberReady) ?? 0;
  const unavailable = num(status.numberUnavailable) ?? 0;
  const misscheduled = num(status.numberMisscheduled) ?? 0;
  if (ready < desired || unavailable > 0) {
    issues.push({
      severity: ready === 0 && desired > 0 ? 'critical' : 'warning',
      reason: 'Unavailable',
      message: `${ready}/${desired} pods ready${unavailable > 0 ? `, ${unavailable} unavailable` : ''}`,
    });
  }
  if (misscheduled > 0) {
    issues.push({
      severity: 'warning',
      reason: 'Misscheduled',
      message: `${plural(misscheduled, 'pod')} running on nodes that should not run them`,
    });
  }
  return issues;
}

// ------------------------------------------------------------------------------------ public

const RANK: Record<WorkloadSeverity, number> = { critical: 0, warning: 1 };

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toProblem(kind: string, o: KObject, issues: readonly Issue[]): WorkloadProblem | undefined {
  const primary = issues.find((i) => i.severity === 'critical') ?? issues[0];
  if (!primary) return undefined;
  return {
    kind,
    namespace: namespaceOf(o) ?? '',
    name: nameOf(o),
    uid: str(o?.metadata?.uid) ?? '',
    severity: primary.severity,
    reason: primary.reason,
    message: joinMessages([primary.message, ...issues.filter((i) => i !== primary).map((i) => i.message)]),
  };
}

/**
 * Everything wrong with the given workloads, one problem per object: critical first, then by
 * namespace, name and kind. Never throws on malformed objects (they are skipped or read as absent).
 */
export function workloadProblems(input: WorkloadProblemInput): WorkloadProblem[] {
  const now = input?.now ?? Number.NaN;
  const jobs = arr(input?.jobs);
  const jobIndex = indexJobs(jobs);
  const cronRuns = completedCronRuns(jobs);
  const out: WorkloadProblem[] = [];
  const add = <T extends KObject>(kind: string, list: readonly T[] | undefined, check: (o: T) => Issue[]): void => {
    for (const o of arr(list)) {
      if (!isRecord(o)) continue;
      const p = toProblem(kind, o, check(o));
      if (p) out.push(p);
    }
  };
  add('pods', input?.pods, (p) => podIssues(p, now, jobIndex));
  add('apps/deployments', input?.deployments, deploymentIssues);
  add('apps/statefulsets', input?.statefulSets, statefulSetIssues);
  add('apps/daemonsets', input?.daemonSets, daemonSetIssues);
  add('batch/jobs', jobs, (j) => jobIssues(j, cronRuns));
  return out.sort(
    (a, b) => RANK[a.severity] - RANK[b.severity] || cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.kind, b.kind),
  );
}
