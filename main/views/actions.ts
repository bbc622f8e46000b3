// actions.check / actions.preview / actions.run: what an operator does from the console, on one
// cluster or many. Checked first (SelfSubjectAccessReviews: may these credentials do it?), previewed
// (a drain's evictions and the PodDisruptionBudgets that block them now; an edit's server-side dry
// run, diffed against the object as it is), confirmed by name (the request repeats the clusters and
// the object), run per cluster a few at a time with the API's exact answer, and recorded in each
// cluster's change history (category 'action'). Never in a snapshot, the cache or read-only mode.
import { parse as parseYaml } from 'yaml';
import {
  accessChecks,
  accessReview,
  catalogueKind,
  deleteObject,
  drain,
  getObject,
  planDrain,
  replaceObject,
  restart,
  scale,
  setPaused,
  setUnschedulable,
  targetProblem,
  whoAmI,
  type AccessAttributes,
} from '../kube/actions.ts';
import { ConnectionError, type Connection } from '../kube/connection.ts';
import type { ResourceKind } from '../kube/resources.ts';
import { shownObject } from '../kube/resources.ts';
import { controllerOf } from '../model/util.ts';
import { objectDiff, withoutNoise } from '../model/diff.ts';
import { contractErrorOf, type Caller, type ViewContext } from './context.ts';
import {
  ContractError,
  type AccessCheckDTO,
  type ActionCheckDTO,
  type ActionName,
  type ActionPreviewDTO,
  type ActionResultDTO,
  type ActionRunDTO,
  type ActionTarget,
  type ChangeRefs,
  type DiffEntry,
  type Params,
} from '../../common/contract.ts';

type Obj = Record<string, any>;

/** Clusters acted on at once in a fleet-wide run (and checked at once). */
export const PARALLEL_CLUSTERS = 4;
/** A drain gives up after this long unless told otherwise (the contract's default). */
export const DRAIN_TIMEOUT_SECONDS = 300;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** "node lab-1-cpu-003", "Deployment web/frontend" */
function targetText(t: ActionTarget): string {
  const k = catalogueKind(t.kind);
  return `${k?.kind ?? t.kind} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
}

/** What a denied check means, as a sentence: "lab-restricted may not patch nodes (cluster-wide)". */
function deniedText(who: string | undefined, a: AccessAttributes, reason: string): string {
  const res = `${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.group ? ` (${a.group})` : ''}`;
  const where = a.namespace ? ` in namespace ${a.namespace}` : ' (cluster-wide)';
  return `${who ?? 'these credentials'} may not ${a.verb} ${res}${where}${reason ? `: ${reason}` : ''}`;
}

/** The cache's placeholder of a Secret's or ConfigMap's value ("<12 bytes>", "<9 bytes, sha256:…>"), never the value. */
const PLACEHOLDER = /^<\d+ bytes(?:, sha256:[0-9a-f]+)?>$/;

/** An edited manifest (YAML or JSON): one object. */
export function parseManifest(text: string): Obj {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new ContractError(`the manifest is not valid YAML or JSON: ${(e as Error).message}`, 'invalid');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ContractError('the manifest must be one object', 'invalid');
  return doc as Obj;
}

/** The manifest names the target (kind, apiVersion of its group, name, namespace): the body to send, and the kind at its version; or why not. */
export function manifestFor(kind: ResourceKind, t: ActionTarget, m: Obj): { body: Obj; kind: ResourceKind } {
  const av = String(m.apiVersion ?? '');
  const [g, v] = av.includes('/') ? av.split('/', 2) : ['', av];
  if (m.kind !== kind.kind || g !== kind.group || !kind.versions.includes(v!))
    throw new ContractError(
      `the manifest is a ${String(m.kind ?? '(no kind)')} (${av || 'no apiVersion'}), not a ${kind.kind} (${kind.group ? `${kind.group}/` : ''}${kind.versions.join(' or ')})`,
      'invalid',
    );
  const md = (m.metadata ?? {}) as Obj;
  if (md.name !== t.name) throw new ContractError(`the manifest names ${String(md.name ?? '(no name)')}, not ${t.name}`, 'invalid');
  const ns = md.namespace ?? (kind.namespaced ? t.namespace : '');
  if ((ns || '') !== t.namespace)
    throw new ContractError(`the manifest's namespace is ${String(ns || '(none)')}, not ${t.namespace || '(none)'}`, 'invalid');
  const body: Obj = { ...m, metadata: { ...md, ...(kind.namespaced ? { namespace: t.namespace } : {}) } };
  delete body.metadata.managedFields;
  return { body, kind: { ...kind, versions: [v!, ...kind.versions.filter((x) => x !== v)] } };
}

/** A Secret's values never show: a diff of its data says which keys changed, and their sizes. */
function redactSecretDiff(entries: DiffEntry[]): DiffEntry[] {
  const size = (v: unknown, b64: boolean) => {
    if (typeof v !== 'string') return v;
    const bytes = b64 ? Buffer.from(v, 'base64').length : Buffer.byteLength(v);
    return `<${bytes} bytes>`;
  };
  return entries.map((e) => {
    const m = /^(data|stringData)(?:\.|\[|$)/.exec(e.path);
    if (!m) return e;
    const b64 = m[1] === 'data';
    const redact = (v: unknown) =>
      v && typeof v === 'object' ? Object.fromEntries(Object.entries(v as Obj).map(([k, x]) => [k, size(x, b64)])) : size(v, b64);
    return {
      ...e,
      ...(e.before !== undefined ? { before: redact(e.before) } : {}),
      ...(e.after !== undefined ? { after: redact(e.after) } : {}),
    };
  });
}

/** The objects as kubectl shows them, for the diff (managedFields and resourceVersion are never a difference). */
function shown(kind: ResourceKind, o: Obj): Obj {
  const { managedFields: _m, ...metadata } = (o.metadata ?? {}) as Obj;
  return shownObject(kind.key, { ...o, metadata });
}

export class ClusterActions {
  private readonly ctx: ViewContext;
  private runs = 0;
  /** the runs going on now: aborted when the session closes */
  private readonly active = new Set<AbortController>();

  constructor(ctx: ViewContext) {
    this.ctx = ctx;
  }

  private contextOf(cluster: string): string {
    return this.ctx.o.connections?.entry(cluster)?.context ?? this.ctx.store.clusters().find((c) => c.id === cluster)?.context ?? cluster;
  }

  private validTarget(action: ActionName, t: ActionTarget): ResourceKind {
    const problem = targetProblem(action, t);
    if (problem) throw new ContractError(problem, 'invalid');
    return catalogueKind(t.kind)!;
  }

  /** The connection to a cluster, or a ContractError saying why there is none. */
  private connection(cluster: string): Promise<Connection> {
    return this.ctx.connection(cluster, this.ctx.actionsRefused());
  }

  /** The session ends: the runs going on stop (a drain stops evicting and waiting; clusters not reached yet are not acted on). */
  close(): void {
    for (const ac of this.active) ac.abort();
    this.active.clear();
  }

  // ------------------------------------------------------------------------------ check

  async check(p: Params<'actions.check'>): Promise<ActionCheckDTO[]> {
    this.validTarget(p.action, p.target);
    const attrs = accessChecks(p.action, p.target);
    return mapLimit(p.clusters, PARALLEL_CLUSTERS, async (cluster) => {
      const base = { cluster, clusterContext: this.contextOf(cluster), action: p.action, target: p.target };
      const no = (reason: string, checks: AccessCheckDTO[] = []): ActionCheckDTO => ({ ...base, allowed: false, reason, checks });
      const refused = this.ctx.actionsRefused();
      if (refused) return no(refused);
      const pool = this.ctx.o.connections!;
      if (!pool.entry(cluster)) return no(`not in this session's kubeconfigs`);
      let conn: Connection;
      try {
        conn = await pool.get(cluster);
      } catch (e) {
        const ce = e as ConnectionError;
        return no(ce.kind === 'needs-approval' ? `${ce.message}: approve it first (it runs to reach the cluster)` : ce.message);
      }
      const answers = await Promise.all(attrs.map((a) => accessReview(conn, a).catch((e: Error) => e)));
      const failed = answers.find((a): a is Error => a instanceof Error);
      if (failed) {
        const unreachable =
          failed instanceof ConnectionError && ['unreachable', 'timeout', 'tls'].includes(failed.kind) ? 'unreachable: ' : '';
        const approval = failed instanceof ConnectionError && failed.kind === 'needs-approval' ? ': approve it first' : '';
        return no(`${unreachable}${failed.message}${approval}`);
      }
      const results = answers as { allowed: boolean; reason: string }[];
      const checks: AccessCheckDTO[] = attrs.map((a, i) => ({
        verb: a.verb,
        resource: `${a.resource}${a.subresource ? `/${a.subresource}` : ''}`,
        group: a.group,
        namespace: a.namespace,
        allowed: results[i]!.allowed,
        reason: results[i]!.reason,
      }));
      if (checks.every((c) => c.allowed)) return { ...base, allowed: true, reason: '', checks };
      const who = await whoAmI(conn);
      const reason = attrs
        .map((a, i) => (results[i]!.allowed ? null : deniedText(who, a, results[i]!.reason)))
        .filter((x): x is string => x !== null)
        .join('; ');
      return no(reason, checks);
    });
  }

  // ------------------------------------------------------------------------------ preview

  async preview(p: Params<'actions.preview'>): Promise<ActionPreviewDTO> {
    const kind = this.validTarget(p.action, p.target);
    const conn = await this.connection(p.cluster);
    const t = p.target;
    const out: ActionPreviewDTO = {
      cluster: p.cluster,
      clusterContext: this.contextOf(p.cluster),
      action: p.action,
      target: t,
      warnings: [],
    };
    const current = await getObject(conn, kind, t.namespace, t.name).catch((e) => {
      throw contractErrorOf(e);
    });
    try {
      switch (p.action) {
        case 'cordon':
        case 'uncordon':
          if (!!current.spec?.unschedulable === (p.action === 'cordon')) out.warnings.push(`${t.name} is ${p.action}ed already`);
          break;
        case 'drain': {
          const plan = await planDrain(conn, t.name);
          out.evictions = [
            ...plan.evict.map((e) => ({
              namespace: e.namespace,
              name: e.name,
              ...(e.blockedBy ? { blockedBy: `PodDisruptionBudget ${e.blockedBy}` } : {}),
            })),
            ...plan.unmanaged.map((u) => ({ ...u, blockedBy: 'no controller (not deleted)' })),
          ];
          const blocked = plan.evict.filter((e) => e.blockedBy);
          if (blocked.length)
            out.warnings.push(
              `${plural(blocked.length, 'pod')} would wait for a PodDisruptionBudget (${[...new Set(blocked.map((b) => b.blockedBy))].join(', ')}): the drain retries them until it times out`,
            );
          if (plan.unmanaged.length)
            out.warnings.push(
              `${plural(plan.unmanaged.length, 'pod')} without a controller would not be deleted (nothing would recreate them)`,
            );
          if (plan.ignored.length) out.warnings.push(`${plural(plan.ignored.length, 'pod')} stay: DaemonSet-managed or mirror pods`);
          break;
        }
        case 'scale': {
          const hpa = this.ctx.store
            .objects(p.cluster, 'autoscaling/horizontalpodautoscalers', { namespace: t.namespace })
            .find((h) => h.body.spec?.scaleTargetRef?.kind === kind.kind && h.body.spec?.scaleTargetRef?.name === t.name);
          if (hpa) out.warnings.push(`HorizontalPodAutoscaler ${hpa.name} manages its replicas: it will scale it back`);
          break;
        }
        case 'restart':
          if (current.spec?.paused) out.warnings.push(`${t.name} is paused: a paused Deployment cannot be restarted (resume it first)`);
          break;
        case 'pause':
        case 'resume':
          if (!!current.spec?.paused === (p.action === 'pause')) out.warnings.push(`${t.name} is ${p.action}d already`);
          break;
        case 'delete': {
          const c = controllerOf(current);
          if (c) out.warnings.push(`its ${c.kind} ${c.name} will replace it`);
          break;
        }
        case 'apply': {
          if (p.params?.manifest === undefined) throw new ContractError('apply needs params.manifest (the edited object)', 'invalid');
          const { body, kind: at } = manifestFor(kind, t, parseManifest(p.params.manifest));
          const dry = await replaceObject(conn, at, t.namespace, t.name, body, true);
          let diff = withoutNoise(objectDiff(shown(kind, current), shown(kind, dry)));
          if (kind.key === 'secrets') diff = redactSecretDiff(diff);
          out.diff = diff;
          if (!diff.length) out.warnings.push('the API server would store the object as it is: nothing changes');
          if (kind.key === 'secrets' || kind.key === 'configmaps') {
            for (const field of ['data', 'stringData', 'binaryData'])
              for (const [k, v] of Object.entries((body[field] ?? {}) as Obj))
                if (typeof v === 'string' && PLACEHOLDER.test(v))
                  out.warnings.push(
                    `${field}.${k} holds the cache's placeholder (${v}), not its value: applying would write the placeholder`,
                  );
          }
          break;
        }
      }
    } catch (e) {
      throw contractErrorOf(e);
    }
    return out;
  }

  // ------------------------------------------------------------------------------ run

  async run(p: Params<'actions.run'>, caller: Caller): Promise<ActionRunDTO> {
    const refused = this.ctx.actionsRefused();
    if (refused) throw new ContractError(refused, 'forbidden');
    const kind = this.validTarget(p.action, p.target);
    const params = p.params ?? {};
    // The schema checks it too; a caller that skipped the schema must not get past it.
    if (
      p.confirm.name !== p.target.name ||
      p.confirm.namespace !== p.target.namespace ||
      [...p.confirm.clusters].sort().join() !== [...p.clusters].sort().join()
    )
      throw new ContractError('the confirmation must name the same clusters, namespace and object', 'invalid');
    if (p.action === 'scale' && params.replicas === undefined) throw new ContractError('scale needs params.replicas', 'invalid');
    let manifest: { body: Obj; kind: ResourceKind } | undefined;
    if (p.action === 'apply') {
      if (params.manifest === undefined) throw new ContractError('apply needs params.manifest', 'invalid');
      manifest = manifestFor(kind, p.target, parseManifest(params.manifest));
    }
    const run = ++this.runs;
    const clusters = [...new Set(p.clusters)];
    const ac = new AbortController();
    this.active.add(ac);
    let results: ActionResultDTO[];
    try {
      results = await mapLimit(clusters, PARALLEL_CLUSTERS, (cluster) =>
        this.runOne(run, caller, cluster, manifest?.kind ?? kind, p, manifest?.body, ac.signal),
      );
    } finally {
      this.active.delete(ac);
    }
    const recorded = results.filter((r) => r.change !== undefined).map((r) => r.cluster);
    if (recorded.length) this.ctx.o.changed?.(recorded);
    return { run, results };
  }

  private async runOne(
    run: number,
    caller: Caller,
    cluster: string,
    kind: ResourceKind,
    p: Params<'actions.run'>,
    body: Obj | undefined,
    signal: AbortSignal,
  ): Promise<ActionResultDTO> {
    const t = p.target;
    const params = p.params ?? {};
    const clusterContext = this.contextOf(cluster);
    // The session ended before this cluster's turn: nothing was done there, nothing to record.
    if (signal.aborted) return { cluster, clusterContext, ok: false, message: 'not run: the session ended before it reached this cluster' };
    // Progress to the page that ran it; a cluster's last event says it finished (done === total).
    let steps = 1;
    const progress = (message: string, done: number, total: number) => {
      steps = Math.max(1, total);
      this.ctx.o.push?.({ type: 'action', run, cluster, message, done, total }, caller);
    };
    let result: ActionResultDTO;
    let obj: Obj | undefined;
    let changedPaths: string[] = [];
    try {
      const conn = await this.connection(cluster);
      const r = await this.perform(conn, kind, p, body, progress, signal);
      obj = r.obj;
      changedPaths = r.paths ?? [];
      result = { cluster, clusterContext, ok: r.ok, message: r.message, ...(r.blocked?.length ? { blocked: r.blocked } : {}) };
    } catch (e) {
      result = { cluster, clusterContext, ok: false, message: (e as Error).message };
    }
    progress(result.message, steps, steps);
    const change = this.record(cluster, kind, t, p.action, params, result, obj, changedPaths);
    if (change !== undefined) result.change = change;
    return result;
  }

  /** The action on one cluster: its API calls, and what to say about it. */
  private async perform(
    conn: Connection,
    kind: ResourceKind,
    p: Params<'actions.run'>,
    body: Obj | undefined,
    progress: (message: string, done: number, total: number) => void,
    signal: AbortSignal,
  ): Promise<{ ok: boolean; message: string; obj?: Obj; blocked?: ActionResultDTO['blocked']; paths?: string[] }> {
    const t = p.target;
    const params = p.params ?? {};
    const what = targetText(t);
    switch (p.action) {
      case 'cordon':
      case 'uncordon': {
        const obj = await setUnschedulable(conn, t.name, p.action === 'cordon');
        return { ok: true, message: `${p.action}ed node ${t.name}`, obj };
      }
      case 'drain': {
        const out = await drain(conn, t.name, {
          timeoutSeconds: params.timeoutSeconds ?? DRAIN_TIMEOUT_SECONDS,
          ...(params.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: params.gracePeriodSeconds } : {}),
          onProgress: (x) => progress(x.message, x.done, x.total),
          signal,
        });
        return { ok: out.ok, message: out.message, blocked: out.blocked };
      }
      case 'scale': {
        const obj = await scale(conn, kind, t.namespace, t.name, params.replicas!);
        return { ok: true, message: `scaled ${what} to ${plural(params.replicas!, 'replica')}`, obj };
      }
      case 'restart': {
        if (kind.key === 'apps/deployments') {
          const cur = await getObject(conn, kind, t.namespace, t.name);
          // kubectl rollout restart's own refusal
          if (cur.spec?.paused)
            return { ok: false, message: `deployments "${t.name}" can't restart paused deployment (run rollout resume first)` };
        }
        const obj = await restart(conn, kind, t.namespace, t.name, this.ctx.now());
        return { ok: true, message: `restarted ${what}`, obj };
      }
      case 'pause':
      case 'resume': {
        const obj = await setPaused(conn, kind, t.namespace, t.name, p.action === 'pause');
        return { ok: true, message: `${p.action}d ${what}`, obj };
      }
      case 'delete': {
        const obj = await deleteObject(conn, kind, t.namespace, t.name, params.gracePeriodSeconds);
        return { ok: true, message: `deleted ${what}`, obj };
      }
      case 'apply': {
        const before = await getObject(conn, kind, t.namespace, t.name);
        const obj = await replaceObject(conn, kind, t.namespace, t.name, body!, false);
        const paths = withoutNoise(objectDiff(shown(kind, before), shown(kind, obj))).map((e) => e.path);
        return {
          ok: true,
          message: `applied ${what}: ${paths.length ? plural(paths.length, 'field') + ' changed' : 'nothing changed'}`,
          obj,
          paths,
        };
      }
    }
  }

  /** The change event of an action, done or failed: in the back end's own process, on the target object. */
  private record(
    cluster: string,
    kind: ResourceKind,
    t: ActionTarget,
    action: ActionName,
    params: NonNullable<Params<'actions.run'>['params']>,
    r: ActionResultDTO,
    obj: Obj | undefined,
    paths: string[],
  ): number | undefined {
    // Never fails the answer: a cluster whose change cannot be recorded (its cache read or write fails) is logged.
    try {
      const store = this.ctx.store;
      if (store.readonly) return undefined;
      const cached = store.findByName(cluster, kind.key, t.namespace, t.name);
      const uid = cached?.uid ?? (typeof obj?.metadata?.uid === 'string' ? obj.metadata.uid : '');
      const body = cached?.body ?? obj;
      const refs: ChangeRefs = {};
      if (kind.key === 'nodes') refs.node = t.name;
      else if (typeof body?.spec?.nodeName === 'string') refs.node = body.spec.nodeName;
      const owner = body ? controllerOf(body) : undefined;
      if (owner) refs.owner = owner;
      const by = 'by you from this console';
      const fields = paths.length ? `: ${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ` and ${paths.length - 5} more` : ''}` : '';
      const done: Record<ActionName, string> = {
        cordon: `cordoned ${by}`,
        uncordon: `uncordoned ${by}`,
        drain: `drained ${by}: ${r.message}`,
        scale: `scaled to ${plural(params.replicas ?? 0, 'replica')} ${by}`,
        restart: `restarted ${by} (rollout restart)`,
        pause: `rollout paused ${by}`,
        resume: `rollout resumed ${by}`,
        delete: `deleted ${by}`,
        apply: `edited ${by}${fields}`,
      };
      const verb: Record<ActionName, string> = {
        cordon: 'cordon',
        uncordon: 'uncordon',
        drain: 'drain',
        scale: `scale to ${plural(params.replicas ?? 0, 'replica')}`,
        restart: 'restart',
        pause: 'pause',
        resume: 'resume',
        delete: 'delete',
        apply: 'edit',
      };
      return store.recordAction({
        cluster,
        at: this.ctx.now(),
        kind: kind.key,
        uid,
        namespace: t.namespace,
        name: t.name,
        action,
        failed: !r.ok,
        summary: r.ok ? done[action] : `${verb[action]} ${by} failed: ${r.message}`,
        fleetKey: r.ok ? `action:${action}:${kind.key}:${t.namespace}/${t.name}${action === 'scale' ? `:${params.replicas}` : ''}` : null,
        refs,
      });
    } catch (e) {
      this.ctx.o.log?.(`recording the ${action} of ${targetText(t)} in ${cluster}: ${(e as Error).message}`);
      return undefined;
    }
  }
}
