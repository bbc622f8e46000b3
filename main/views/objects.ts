// Any object: its status, containers, effective requests, events and change history (now, as of a
// past time, or its last state once deleted), and object-aware diffs between two of its versions.
import type { KObj, ChangeRecord } from '../store/store.ts';
import { podRequests } from '../model/requests.ts';
import { objectDiff, withoutNoise } from '../model/diff.ts';
import { shownObject as asShown } from '../kube/resources.ts';
import { controllerOf } from '../model/util.ts';
import { kindKeyOf } from '../model/changes.ts';
import type { ViewContext } from './context.ts';
import { eventsFor } from './events.ts';
import { ContractError, type ChangeDTO, type ContainerDTO, type DiffDTO, type ObjectDTO, type ObjectRef } from '../../common/contract.ts';

export function changeDTO(c: ChangeRecord): ChangeDTO {
  return { at: c.at, type: c.type, oldRv: c.oldRv, newRv: c.newRv };
}

function locate(
  ctx: ViewContext,
  p: { cluster: string; kind: string; uid?: string; namespace?: string; name?: string; at?: number },
): {
  ref: ObjectRef;
  body: KObj;
  deleted: boolean;
  history: ChangeRecord[];
} {
  let uid = p.uid;
  let body: KObj | undefined;
  if (uid) body = ctx.store.object(p.cluster, p.kind, uid)?.body;
  else {
    const f = ctx.store.findByName(p.cluster, p.kind, p.namespace ?? '', p.name!);
    if (f) {
      uid = f.uid;
      body = f.body;
    }
  }
  if (!uid) throw new ContractError(`no ${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name} in the cache`, 'not-found');
  const history = ctx.store.history(p.cluster, p.kind, uid);
  let deleted = false;
  if (p.at !== undefined) {
    // as of T: the state then (before the first change after T), else the current one
    const next = history.find((c) => c.at > p.at!);
    const then = next ? (next.type === 'ADDED' ? undefined : (next.before ?? undefined)) : body;
    if (!then) throw new ContractError(`${p.kind} ${p.name ?? uid} did not exist as of ${new Date(p.at).toISOString()}`, 'not-found');
    body = then;
  } else if (!body) {
    // Gone from the cluster: show its last known state, from the change log.
    const last = [...history].reverse().find((c) => c.type === 'DELETED');
    if (!last?.before) throw new ContractError(`no ${p.kind} with uid ${uid} in the cache`, 'not-found');
    body = last.before;
    deleted = true;
  }
  return {
    ref: {
      cluster: p.cluster,
      kind: p.kind,
      uid,
      namespace: String(body.metadata?.namespace ?? ''),
      name: String(body.metadata?.name ?? ''),
    },
    body,
    deleted,
    history,
  };
}

export function objectDTO(
  ctx: ViewContext,
  p: { cluster: string; kind: string; uid?: string; namespace?: string; name?: string; at?: number },
): ObjectDTO {
  const { row, live } = ctx.clusterRow(p.cluster);
  const at = ctx.asOf(p.at);
  const { ref, body, deleted, history } = locate(ctx, { ...p, ...(at === undefined ? {} : { at }) });
  const containers: ContainerDTO[] = [];
  if (p.kind === 'pods') {
    const statuses = new Map<string, KObj>();
    for (const s of [...((body.status?.initContainerStatuses ?? []) as KObj[]), ...((body.status?.containerStatuses ?? []) as KObj[])])
      statuses.set(String(s.name), s);
    const list = (init: boolean, cs: KObj[] | undefined) => {
      for (const c of cs ?? []) {
        const st = statuses.get(String(c.name));
        const state = st?.state ?? {};
        const stateName = Object.keys(state)[0] ?? 'unknown';
        const reason = state[stateName]?.reason;
        containers.push({
          name: String(c.name ?? ''),
          init,
          image: String(c.image ?? ''),
          ready: st?.ready === true,
          restarts: Number(st?.restartCount) || 0,
          state: reason ? `${stateName}: ${reason}` : stateName,
          requests: Object.fromEntries(Object.entries(c.resources?.requests ?? {}).map(([k, v]) => [k, String(v)])),
          limits: Object.fromEntries(Object.entries(c.resources?.limits ?? {}).map(([k, v]) => [k, String(v)])),
        });
      }
    };
    list(true, body.spec?.initContainers);
    list(false, body.spec?.containers);
  }
  const shown = asShown(p.kind, body);
  const kindName = String(shown.kind ?? '');
  const conds = (body.status?.conditions ?? []) as KObj[];
  const bad = conds.find((c) => c.status === 'False' && c.message);
  return {
    ref,
    clusterContext: row?.context ?? live?.context ?? p.cluster,
    body: shown,
    status: {
      phase: body.status?.phase ?? null,
      node: body.spec?.nodeName ?? null,
      message: body.status?.message ?? bad?.message ?? null,
    },
    containers,
    requests: p.kind === 'pods' ? podRequests(body as never) : {},
    events: eventsFor(ctx.store, p.cluster, ref.namespace || 'default', ref.name, ref.uid, kindName),
    history: history.map(changeDTO),
    deleted,
    owner: ownerOf(ctx, p.cluster, body),
  };
}

/** The object's controller, and whether the cache holds it (so the object view links it). */
function ownerOf(ctx: ViewContext, cluster: string, body: KObj): ObjectDTO['owner'] {
  const o = controllerOf(body);
  if (!o) return null;
  const key = kindKeyOf(o.kind) ?? null;
  const uid = o.uid ?? null;
  return { kind: o.kind, name: o.name, key, uid, cached: !!(key && uid && ctx.store.object(cluster, key, uid)) };
}

/** The state right after change i of the object's history (undefined for DELETED). */
function stateAfter(history: ChangeRecord[], i: number, current: KObj | undefined): KObj | undefined {
  if (history[i]?.type === 'DELETED') return undefined;
  const next = history[i + 1];
  return next ? (next.before ?? undefined) : current;
}

export function diffDTO(
  ctx: ViewContext,
  p: { cluster: string; kind: string; uid: string; from: number | null; to: number | null },
): DiffDTO {
  ctx.clusterRow(p.cluster);
  const history = ctx.store.history(p.cluster, p.kind, p.uid);
  const current = ctx.store.object(p.cluster, p.kind, p.uid)?.body;
  for (const i of [p.from, p.to]) {
    if (i !== null && i >= history.length)
      throw new ContractError(`the object has ${history.length} recorded changes; no change #${i}`, 'not-found');
  }
  const shown = (o: KObj | undefined) => o && asShown(p.kind, o);
  const before = shown(p.from === null ? undefined : stateAfter(history, p.from, current));
  const after = shown(p.to === null ? current : stateAfter(history, p.to, current));
  const at = (i: number | null) => (i === null ? null : (history[i]?.at ?? null));
  const rv = (o: KObj | undefined) => (o?.metadata?.resourceVersion as string | undefined) ?? null;
  const entries = withoutNoise(objectDiff(before ?? null, after ?? null));
  return {
    from: { at: at(p.from), rv: rv(before) },
    to: { at: p.to === null ? null : at(p.to), rv: rv(after) },
    entries: entries.slice(0, 2000),
  };
}
