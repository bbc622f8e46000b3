// A cluster: its tile, nodes, capacity, accelerators, storage, workload problems, warning events, and
// the sync state of every kind with its capture gaps.
import { tileRow, type ViewContext } from './context.ts';
import { refused, tile } from './fleet.ts';
import { warningEvents } from './events.ts';
import type { ClusterDTO } from '../../common/contract.ts';

export function clusterDTO(ctx: ViewContext, id: string, atParam?: number): ClusterDTO {
  const at = ctx.asOf(atParam);
  const entry = ctx.clusterRow(id);
  const { row, live } = entry;
  const sv = live?.serverVersion ?? row?.serverVersion;
  const view = at === undefined ? ctx.viewOf(id, sv, !!row) : row ? ctx.viewAt(id, sv, at) : undefined;
  const kinds = ctx.store.syncStates(id);
  const d = view?.derived;
  return {
    tile: tile(ctx, entry, view && tileRow(view), refused(kinds)),
    nodes: d?.nodes ?? [],
    resources: Object.fromEntries(
      Object.entries(d?.summary.resources ?? {}).map(([k, v]) => [
        k,
        { capacity: v.capacity, allocatable: v.allocatable, requested: v.requested, free: v.free },
      ]),
    ),
    pending: { pods: d?.summary.pending.pods ?? 0, requests: d?.summary.pending.requests ?? {} },
    accelerators: d?.accelerators ?? {
      totals: [],
      nodes: [],
      pending: { pods: 0, requests: {} },
      pendingDraPods: 0,
      dra: {
        totals: { devices: 0, allocated: 0, inUse: 0, claims: 0, allocatedClaims: 0, reservedClaims: 0 },
        incompletePools: 0,
        devices: [],
        claims: [],
      },
    },
    storage: d?.storage ?? { drivers: [], matrix: { drivers: [], nodes: [], cells: {} }, problems: [], storageClasses: [] },
    problems: d?.problems ?? [],
    events: warningEvents(ctx.store, id, 100, at),
    kinds: kinds.map((k) => ({
      kind: k.kind,
      state: k.state,
      objects: k.objects,
      message: k.message,
      ...(k.listed_at ? { listedAt: k.listed_at } : {}),
    })),
    gaps: ctx.store
      .gaps(id)
      .slice(-50)
      .map((g) => ({ kind: g.kind, start: g.start, end: g.end, reason: g.reason })),
  };
}
