// The fleet's changes as the contract answers them: the timeline's marks, pages of changes, one change
// with its diff, an object's / node's / cluster's changes, what changed before a problem, and the same
// change across clusters. The events are the store's (derived as history was written); ranking and
// grouping are the model's (correlate.ts); this joins them with what the views know (contexts, gaps,
// the objects' states then).
import type { KObj, ChangeRecord } from '../store/store.ts';
import type { StoredChange } from '../store/changes.ts';
import { objectDiff, withoutNoise } from '../model/diff.ts';
import { kindKeyOf } from '../model/changes.ts';
import { controllerOf } from '../model/util.ts';
import {
  DEFAULT_FOLLOW_MS,
  DEFAULT_WINDOW_MS,
  fleetChanges,
  healthyStretch,
  problemOf,
  rankCauses,
  type Problem,
} from '../model/correlate.ts';
import { shownObject } from '../kube/resources.ts';
import type { ViewContext } from './context.ts';
import {
  CHANGE_CATEGORIES,
  CHANGE_SEVERITIES,
  ContractError,
  type ChangeDetailDTO,
  type ChangeEventDTO,
  type ChangeFilter,
  type ChangeListDTO,
  type FleetChangeDTO,
  type GapDTO,
  type Params,
  type TimelineDTO,
  type WhatChangedDTO,
} from '../../common/contract.ts';

const CATEGORY_INDEX = new Map<string, number>(CHANGE_CATEGORIES.map((c, i) => [c, i]));
const SEVERITY_INDEX = new Map<string, number>(CHANGE_SEVERITIES.map((s, i) => [s, i]));

/** cluster id → its context name (what the user calls it) */
function contexts(ctx: ViewContext): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of ctx.clusterRows()) m.set(c.id, c.live?.context ?? c.row?.context ?? c.id);
  return m;
}

function dto(c: StoredChange, names: Map<string, string>): ChangeEventDTO {
  const { oldRv: _o, newRv: _n, ...rest } = c;
  return { ...rest, clusterContext: names.get(c.cluster) ?? c.cluster };
}

/**
 * Capture gaps overlapping [from, to]: a disconnect is written when it starts and again when it ends
 * (same start); the closed one stands for both.
 */
function gapsIn(ctx: ViewContext, from: number, to: number, names: Map<string, string>, clusters?: string[]): GapDTO[] {
  const keep = clusters?.length ? new Set(clusters) : undefined;
  const byStart = new Map<string, GapDTO>();
  for (const g of ctx.store.gaps()) {
    if (keep && !keep.has(g.cluster)) continue;
    if (g.start > to || (g.end !== null && g.end < from)) continue;
    const key = `${g.cluster}\u0000${g.kind ?? ''}\u0000${g.start}`;
    const prev = byStart.get(key);
    if (prev && prev.end !== null && g.end === null) continue;
    byStart.set(key, {
      cluster: g.cluster,
      clusterContext: names.get(g.cluster) ?? g.cluster,
      kind: g.kind,
      start: g.start,
      end: g.end,
      reason: g.reason,
    });
  }
  const out = [...byStart.values()];
  // A gap the cache never saw closed is open until now, or until the cache was last written: a later
  // "reconnected" row of the same kind closes it.
  return out.sort((a, b) => a.start - b.start);
}

/** A window for changes: what the request says, within what the cache can show. */
function window(ctx: ViewContext, p: { from?: number; to?: number }): { from: number; to: number } {
  const to = Math.min(p.to ?? ctx.now(), ctx.now());
  const from = p.from ?? to - 3_600_000;
  return { from: Math.min(from, to), to };
}

export function timelineDTO(ctx: ViewContext, p: Params<'changes.timeline'>): TimelineDTO {
  const names = contexts(ctx);
  const w = window(ctx, p);
  const f: ChangeFilter = { ...p, ...w };
  const limit = p.limit ?? 100_000;
  const { rows, total } = ctx.store.changeEvents.marks(f, limit);
  const laneOf = new Map<string, number>();
  const lanes: TimelineDTO['lanes'] = [];
  const lane = (cluster: string) => {
    let i = laneOf.get(cluster);
    if (i === undefined) {
      laneOf.set(cluster, (i = lanes.length));
      lanes.push({ cluster, context: names.get(cluster) ?? cluster });
    }
    return i;
  };
  // Every cluster shown gets its lane, with changes or not (a quiet lane is information too).
  for (const id of p.clusters?.length ? p.clusters : [...names.keys()]) lane(id);
  const n = rows.length;
  const marks = {
    id: new Array<number>(n),
    at: new Array<number>(n),
    lane: new Array<number>(n),
    category: new Array<number>(n),
    severity: new Array<number>(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    marks.id[i] = r[0];
    marks.at[i] = r[1];
    marks.lane[i] = lane(r[2]);
    marks.category[i] = CATEGORY_INDEX.get(r[3]) ?? CATEGORY_INDEX.get('object')!;
    marks.severity[i] = SEVERITY_INDEX.get(r[4]) ?? 0;
  }
  return { from: w.from, to: w.to, lanes, marks, truncated: total > n, total, gaps: gapsIn(ctx, w.from, w.to, names, p.clusters) };
}

export function changeListDTO(ctx: ViewContext, p: Params<'changes.list'>): ChangeListDTO {
  const names = contexts(ctx);
  const w = window(ctx, p);
  const limit = p.limit ?? 200;
  const rows = ctx.store.changeEvents.page({ ...p, ...w }, limit + 1, p.before);
  return {
    changes: rows.slice(0, limit).map((c) => dto(c, names)),
    gaps: gapsIn(ctx, w.from, w.to, names, p.clusters),
    more: rows.length > limit,
  };
}

/** Where in its object's history a change is: the record it was derived from. */
function historyIndexOf(history: ChangeRecord[], c: StoredChange): number {
  return history.findIndex((h) => h.at === c.at && (h.newRv ?? null) === (c.newRv ?? null) && (h.oldRv ?? null) === (c.oldRv ?? null));
}

export function changeDetailDTO(ctx: ViewContext, id: number): ChangeDetailDTO {
  const c = ctx.store.changeEvents.get(id);
  if (!c) throw new ContractError(`no change #${id} in the cache`, 'not-found');
  const names = contexts(ctx);
  if (!c.kind || !c.uid || c.category === 'gap') return { change: dto(c, names), diff: null, historyIndex: null };
  const history = ctx.store.history(c.cluster, c.kind, c.uid);
  const i = historyIndexOf(history, c);
  if (i < 0) return { change: dto(c, names), diff: null, historyIndex: null };
  const rec = history[i]!;
  // The state after a record: the next record's state before, or the object now (none after a delete).
  const after =
    rec.type === 'DELETED'
      ? undefined
      : i + 1 < history.length
        ? (history[i + 1]!.before ?? undefined)
        : ctx.store.object(c.cluster, c.kind, c.uid)?.body;
  const shown = (o: KObj | null | undefined) => (o ? shownObject(c.kind, o) : null);
  const before = shown(rec.before);
  const afterShown = shown(after);
  const entries = withoutNoise(objectDiff(before, afterShown));
  const rv = (o: KObj | null) => (o?.metadata?.resourceVersion as string | undefined) ?? null;
  return {
    change: { ...dto(c, names), historyIndex: i },
    diff: {
      from: { at: i > 0 ? history[i - 1]!.at : null, rv: rv(before) },
      to: { at: rec.at, rv: rv(afterShown) },
      entries: entries.slice(0, 2000),
    },
    historyIndex: i,
  };
}

export function changesOfDTO(ctx: ViewContext, p: Params<'changes.of'>): ChangeListDTO {
  ctx.clusterRow(p.cluster);
  const names = contexts(ctx);
  const w = { from: p.from ?? 0, to: Math.min(p.to ?? ctx.now(), ctx.now()) };
  const limit = p.limit ?? 200;
  const e = ctx.store.changeEvents;
  const rows = e.of(
    p.cluster,
    { ...(p.uid !== undefined ? { uid: p.uid } : {}), ...(p.node !== undefined ? { node: p.node } : {}) },
    w.from,
    w.to,
    limit + 1,
    p.before,
  );
  const from = rows.length ? Math.min(...rows.map((r) => r.at)) : w.from;
  return {
    changes: rows.slice(0, limit).map((c) => dto(c, names)),
    gaps: gapsIn(ctx, from, w.to, names, [p.cluster]),
    more: rows.length > limit,
  };
}

/** The controller chain of an object, nearest first (ReplicaSet, then Deployment; Job, then CronJob), from the cache. */
function ownerChain(ctx: ViewContext, cluster: string, body: KObj): Problem['owners'] {
  const chain: Problem['owners'] = [];
  let cur: KObj | undefined = body;
  for (let depth = 0; cur && depth < 4; depth++) {
    const o = controllerOf(cur);
    if (!o) break;
    chain.push(o);
    const kind = kindKeyOf(o.kind);
    cur = kind && o.uid ? ctx.store.object(cluster, kind, o.uid)?.body : undefined;
  }
  return chain;
}

export function whatChangedDTO(ctx: ViewContext, p: Params<'changes.whatChanged'>): WhatChangedDTO {
  ctx.clusterRow(p.cluster);
  const names = contexts(ctx);
  const at0 = ctx.asOf(p.at) ?? ctx.now();
  // The problem: when the object last went unhealthy (its latest health event up to then), else now.
  const own = ctx.store.changeEvents.of(p.cluster, { uid: p.uid }, 0, at0, 200);
  const wentBad = own.find((c) => c.category === 'health' && (c.severity === 'warning' || c.severity === 'critical'));
  const at = wentBad?.at ?? at0;
  const body = ctx.store.objectAt(p.cluster, p.kind, p.uid, at) ?? ctx.store.object(p.cluster, p.kind, p.uid)?.body;
  if (!body) throw new ContractError(`no ${p.kind} with uid ${p.uid} in the cache`, 'not-found');
  const problem = problemOf(p.kind, body, at, ownerChain(ctx, p.cluster, body), p.cluster);
  // When it was last seen healthy: each recorded state from when it was written (the state after a
  // record is the next record's state before, or the object now).
  const history = ctx.store.history(p.cluster, p.kind, p.uid);
  const current = ctx.store.object(p.cluster, p.kind, p.uid)?.body;
  const states = history.flatMap((h, i) =>
    h.type === 'DELETED' ? [] : [{ at: h.at, body: i + 1 < history.length ? history[i + 1]!.before : current }],
  );
  const healthy = healthyStretch(p.kind, states, at);
  if (healthy) problem.healthy = healthy;
  const windowMs = p.windowMs ?? DEFAULT_WINDOW_MS;
  const from = at - windowMs;
  // What happened in the cluster before it (plenty: the model ranks and keeps the first 50).
  const candidates = ctx.store.changeEvents.of(p.cluster, {}, from, at, 20_000);
  const causes = rankCauses(problem, candidates, { windowMs });
  return {
    problem: {
      cluster: p.cluster,
      kind: p.kind,
      uid: p.uid,
      namespace: problem.namespace,
      name: problem.name,
      clusterContext: names.get(p.cluster) ?? p.cluster,
      at,
      summary: wentBad?.summary ?? 'as it is now',
    },
    from,
    causes: causes.map((r) => ({ change: dto(r.change as StoredChange, names), rank: r.rank, score: r.score, reason: r.reason })),
    gaps: gapsIn(ctx, from, at, names, [p.cluster]),
  };
}

export function fleetChangesDTO(ctx: ViewContext, p: Params<'changes.fleet'>): FleetChangeDTO[] {
  const names = contexts(ctx);
  const w = window(ctx, p);
  const e = ctx.store.changeEvents;
  // Problems that followed a change may come after the window's end.
  const events = [...e.fleetKeyed(w.from, w.to), ...e.problems(w.from, w.to + DEFAULT_FOLLOW_MS)];
  return fleetChanges(events).map((g) => ({
    key: g.key,
    category: g.category,
    summary: g.summary,
    first: g.first,
    last: g.last,
    clusters: g.clusters.map((c) => ({
      cluster: c.cluster,
      clusterContext: names.get(c.cluster) ?? c.cluster,
      at: c.at,
      changes: c.changes.length,
      problemsAfter: c.problemsAfter.length,
      examples: c.problemsAfter.slice(0, 5).map((x) => dto(x as StoredChange, names)),
    })),
  }));
}
