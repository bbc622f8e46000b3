// clusters.labels / clusters.label / clusters.favourite: the user's own cluster labels and favourites,
// kept in cluster-labels.json in the data folder (beside sync-settings.json). They take no action on
// any cluster, so every session with a data folder sets them (a snapshot's too: the ids are the
// same); the fleet moves on, and every page re-reads its tiles.
import { saveClusterLabels, withFavourite, withLabels } from '../fleet/cluster-labels.ts';
import { tileLabels } from './fleet.ts';
import type { ViewContext } from './context.ts';
import { ContractError, type ClusterLabelsDTO, type Params } from '../../common/contract.ts';

export class ClusterLabelService {
  private readonly ctx: ViewContext;

  constructor(ctx: ViewContext) {
    this.ctx = ctx;
  }

  get(): ClusterLabelsDTO {
    const ctx = this.ctx;
    const user = ctx.userLabels();
    const counts = new Map<string, { derived: boolean; values: Map<string, number> }>();
    for (const { id, row, live } of ctx.clusterRows()) {
      const t = tileLabels(
        ctx,
        id,
        live?.context ?? row?.context ?? id,
        row?.server ?? '',
        live?.serverVersion ?? row?.serverVersion ?? null,
      );
      for (const [k, v] of Object.entries(t.labels)) {
        let c = counts.get(k);
        if (!c) counts.set(k, (c = { derived: true, values: new Map() }));
        if (!t.derivedLabels.includes(k)) c.derived = false;
        c.values.set(v, (c.values.get(v) ?? 0) + 1);
      }
    }
    const labels: ClusterLabelsDTO['labels'] = {};
    const favourites: string[] = [];
    for (const [id, c] of Object.entries(user.clusters)) {
      if (Object.keys(c.labels).length) labels[id] = { ...c.labels };
      if (c.favourite) favourites.push(id);
    }
    return {
      ...(ctx.o.labelsFile ? {} : { refused: 'this session has no data folder: cluster labels are kept in a session that has one' }),
      labels,
      favourites: favourites.sort(),
      inUse: [...counts]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, c]) => ({
          key,
          derived: c.derived,
          values: [...c.values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([value, clusters]) => ({ value, clusters })),
        })),
    };
  }

  private write(
    ids: string[],
    change: (l: ReturnType<ViewContext['userLabels']>) => ReturnType<ViewContext['userLabels']>,
  ): ClusterLabelsDTO {
    const file = this.ctx.o.labelsFile;
    if (!file) throw new ContractError('this session has no data folder: cluster labels cannot be kept', 'forbidden');
    const known = new Set(this.ctx.clusterRows().map((c) => c.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) throw new ContractError(`no cluster ${unknown.slice(0, 3).join(', ')} in this fleet`, 'not-found');
    saveClusterLabels(file, change(this.ctx.userLabels()));
    // The tiles changed: the next fleet.get computes them afresh, and every page is told.
    this.ctx.fleetVersion++;
    this.ctx.o.changed?.([...new Set(ids)]);
    return this.get();
  }

  label(p: Params<'clusters.label'>): ClusterLabelsDTO {
    const set = p.set ?? {};
    const remove = p.remove ?? [];
    const r = this.write(p.clusters, (l) => withLabels(l, p.clusters, set, remove));
    this.ctx.o.log?.(`labels of ${p.clusters.length} cluster(s) changed`);
    return r;
  }

  favourite(p: Params<'clusters.favourite'>): ClusterLabelsDTO {
    return this.write(p.clusters, (l) => withFavourite(l, p.clusters, p.on));
  }
}
