// The fleet: a tile per cluster (status, figures, node cells), reused until the fleet moves on.
import { parseScope } from '../kube/access.ts';
import { acceleratorFigure } from '../model/derive.ts';
import type { ClusterTileRow } from '../store/views.ts';
import type { RefusedKind } from '../store/store.ts';
import { tileRow, type ClusterEntry, type ViewContext } from './context.ts';
import { derivedLabels } from '../../common/labels.ts';
import type { ClusterStatus, ClusterTile, FleetDTO } from '../../common/contract.ts';

const LIVE_STATUSES = new Set<ClusterStatus>([
  'connecting',
  'syncing',
  'live',
  'stale',
  'unreachable',
  'unauthorized',
  'needs-approval',
  'error',
  'off',
]);

/** A cluster's kinds refused cluster-wide: not at all, or listed in some namespaces only. */
export interface Refused {
  forbidden: string[];
  partial: { kind: string; namespaces: string[] }[];
}

type KindState = Pick<RefusedKind, 'kind' | 'message'> & { state: string };

function add(r: Refused, k: KindState): void {
  if (k.state === 'forbidden') r.forbidden.push(k.kind);
  else if (k.state === 'partial') r.partial.push({ kind: k.kind, namespaces: parseScope(k.message) ?? [] });
}

/** What of these sync states the credentials refuse. */
export function refused(kinds: KindState[]): Refused {
  const r: Refused = { forbidden: [], partial: [] };
  for (const k of kinds) add(r, k);
  return r;
}

/** cluster id → the kinds its credentials may not list (or only in some namespaces), in one query for the whole fleet */
function refusedKinds(ctx: ViewContext): Map<string, Refused> {
  const out = new Map<string, Refused>();
  for (const r of ctx.store.refusedKinds()) {
    let c = out.get(r.cluster);
    if (!c) out.set(r.cluster, (c = refused([])));
    add(c, r);
  }
  return out;
}

/** A cluster's tile: its status (never "live" unless this session watches it), figures and node cells. */
export function tile(
  ctx: ViewContext,
  { id, row, live }: ClusterEntry,
  view: ClusterTileRow | undefined,
  refusedKinds: Refused,
): ClusterTile {
  const s = view?.summary;
  const fig = (r: string) => ({ allocatable: s?.resources[r]?.allocatable ?? 0, requested: s?.resources[r]?.requested ?? 0 });
  let status: ClusterStatus;
  let message: string | null;
  if (live) {
    status = LIVE_STATUSES.has(live.status as ClusterStatus) ? (live.status as ClusterStatus) : 'error';
    message = live.message ?? null;
  } else {
    status = ctx.o.mode === 'live' ? 'connecting' : 'offline';
    message = row?.message ?? null;
  }
  return {
    id,
    context: live?.context ?? row?.context ?? id,
    file: row?.file ?? '',
    server: row?.server ?? '',
    authKind: row?.authKind ?? '',
    status,
    message,
    statusSince: row?.statusSince ?? null,
    lastContact: live?.lastContact ?? row?.lastContact ?? null,
    serverVersion: live?.serverVersion ?? row?.serverVersion ?? null,
    progress: live && live.status === 'syncing' ? { listed: live.progress.listed, total: live.progress.total } : null,
    computedAt: view?.computedAt ?? null,
    nodes: {
      total: s?.nodes.total ?? 0,
      ready: s?.nodes.ready ?? 0,
      cordoned: s?.nodes.cordoned ?? 0,
      byLevel: s?.nodes.byLevel ?? { ok: 0, warning: 0, critical: 0, unknown: 0 },
    },
    cpu: fig('cpu'),
    memory: fig('memory'),
    pods: fig('pods'),
    gpu: s ? acceleratorFigure(s) : { allocatable: 0, requested: 0 },
    pendingPods: s?.pending.pods ?? 0,
    warningEvents: s?.warningEvents ?? 0,
    storageProblems: { total: s?.storage.problems ?? 0, critical: s?.storage.critical ?? 0, warning: s?.storage.warning ?? 0 },
    forbiddenKinds: refusedKinds.forbidden,
    partialKinds: refusedKinds.partial,
    ...tileLabels(ctx, id, live?.context ?? row?.context ?? id, row?.server ?? '', live?.serverVersion ?? row?.serverVersion ?? null),
    cells: view?.cells ?? [],
  };
}

/** A cluster's labels (the user's over the derived ones) and whether it is a favourite. */
export function tileLabels(
  ctx: ViewContext,
  id: string,
  context: string,
  server: string,
  serverVersion: string | null,
): Pick<ClusterTile, 'labels' | 'derivedLabels' | 'favourite'> {
  const derived = derivedLabels({ context, server, serverVersion });
  const user = ctx.userLabels().clusters[id];
  const labels = { ...derived, ...user?.labels };
  return {
    labels,
    derivedLabels: Object.keys(derived).filter((k) => !user || !Object.hasOwn(user.labels, k)),
    favourite: !!user?.favourite,
  };
}

/** The fleet as it is, or as of a past time. */
function computeFleet(ctx: ViewContext, at?: number): FleetDTO {
  const refusedByCluster = refusedKinds(ctx);
  const clusters = ctx.clusterRows().map((entry) => {
    const { id, row, live } = entry;
    const sv = live?.serverVersion ?? row?.serverVersion;
    const view = at === undefined ? ctx.tileOf(id, sv, !!row) : row ? tileRow(ctx.viewAt(id, sv, at)) : undefined;
    return tile(ctx, entry, view, refusedByCluster.get(id) ?? refused([]));
  });
  const snap = ctx.o.snapshot;
  const from = ctx.store.historyStart();
  return {
    version: ctx.fleetVersion,
    mode: ctx.o.mode,
    source: ctx.o.source,
    clusters,
    problems: ctx.o.live?.problems() ?? [],
    looked: ctx.o.live?.looked() ?? [],
    snapshot: snap
      ? {
          file: snap.file,
          capturedAt: snap.manifest.capturedAt,
          window: snap.manifest.window,
          clusters: snap.manifest.clusters.length,
          objects: snap.manifest.counts.objects,
          changes: snap.manifest.counts.changes,
          redacted: !!snap.manifest.redacted,
          app: snap.manifest.app.version,
        }
      : null,
    at: at ?? null,
    // Actions: a live session with connections, not in read-only mode, showing the fleet as it is.
    actions: at === undefined && ctx.actionsRefused() === null,
    // The times "as of" can show: from the first recorded change to now (or the capture).
    history: from === null ? null : { from, to: ctx.now() },
  };
}

/** A service's fleet answers: the last one is reused until the fleet moves on (a push), and for 1 s at most while syncing. */
export class FleetAnswers {
  private readonly ctx: ViewContext;
  private last: { version: number; at: number; dto: FleetDTO } | undefined;

  constructor(ctx: ViewContext) {
    this.ctx = ctx;
  }

  get(atParam?: number): FleetDTO {
    const ctx = this.ctx;
    const at = ctx.asOf(atParam);
    if (at !== undefined) return computeFleet(ctx, at);
    const now = ctx.now();
    const c = this.last;
    if (c && c.version === ctx.fleetVersion && (ctx.o.mode !== 'live' || now - c.at < 1000)) return c.dto;
    const dto = computeFleet(ctx);
    this.last = { version: ctx.fleetVersion, at: now, dto };
    return dto;
  }
}
