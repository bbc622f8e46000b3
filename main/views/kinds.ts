// Every kind: the kinds the clusters serve (discovery through the back end's own connections, else what
// the cache holds), and one kind's cached objects across clusters as list rows (status, age, owner and
// the kind's own columns) with where they come from (watched now, or as of when). The rows are pure
// (kindRow, kindColumns: exported for tests); the kinds outside the catalogue are watched while a page
// shows them (views.focus kinds, see service.ts).
import type { KObj } from '../kube/sink.ts';
import { CATALOGUE, discoverResources, discoveredKind, rememberKinds, type DiscoveredKind } from '../kube/resources.ts';
import { controllerOf } from '../model/util.ts';
import type { ViewContext } from './context.ts';
import type { KindDTO, KindRowDTO, KindWatchDTO, KindsListDTO, ObjectsListDTO, Params } from '../../common/contract.ts';

type Level = KindRowDTO['level'];

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const time = (v: unknown): number | null => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : null;
};

/** "1h 2m", "45s": a duration as the list shows it. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** The kind's own columns, after cluster, namespace, name, status, owner and age. */
export function kindColumns(kind: string): { key: string; label: string }[] {
  switch (kind) {
    case 'pods':
      return [
        { key: 'ready', label: 'Ready' },
        { key: 'restarts', label: 'Restarts' },
        { key: 'node', label: 'Node' },
      ];
    case 'apps/deployments':
    case 'apps/statefulsets':
    case 'apps/replicasets':
      return [
        { key: 'ready', label: 'Ready' },
        { key: 'upToDate', label: 'Up to date' },
      ];
    case 'apps/daemonsets':
      return [
        { key: 'ready', label: 'Ready' },
        { key: 'desired', label: 'Desired' },
      ];
    case 'batch/jobs':
      return [
        { key: 'completions', label: 'Completions' },
        { key: 'duration', label: 'Duration' },
        { key: 'failures', label: 'Failures' },
      ];
    case 'batch/cronjobs':
      return [
        { key: 'schedule', label: 'Schedule' },
        { key: 'lastSchedule', label: 'Last schedule' },
        { key: 'active', label: 'Active' },
      ];
    case 'services':
      return [
        { key: 'type', label: 'Type' },
        { key: 'clusterIP', label: 'Cluster IP' },
        { key: 'ports', label: 'Ports' },
      ];
    case 'networking.k8s.io/ingresses':
      return [
        { key: 'class', label: 'Class' },
        { key: 'hosts', label: 'Hosts' },
      ];
    case 'autoscaling/horizontalpodautoscalers':
      return [
        { key: 'target', label: 'Target' },
        { key: 'range', label: 'Min–max' },
        { key: 'replicas', label: 'Replicas' },
      ];
    case 'policy/poddisruptionbudgets':
      return [
        { key: 'budget', label: 'Budget' },
        { key: 'allowed', label: 'Allowed disruptions' },
      ];
    case 'persistentvolumeclaims':
      return [
        { key: 'volume', label: 'Volume' },
        { key: 'capacity', label: 'Capacity' },
        { key: 'storageClass', label: 'Storage class' },
      ];
    default:
      return [];
  }
}

/** Status text and level of any object: what its kind's status says, else its conditions or phase. */
export function statusOf(kind: string, o: KObj, now: number): { status: string; level: Level; extra: Record<string, string> } {
  const st = (o.status ?? {}) as KObj;
  const spec = (o.spec ?? {}) as KObj;
  const extra: Record<string, string> = {};
  const conds = (Array.isArray(st.conditions) ? st.conditions : []) as KObj[];
  const cond = (t: string) => conds.find((c) => c.type === t);
  switch (kind) {
    case 'pods': {
      const cs = [...((st.initContainerStatuses ?? []) as KObj[]), ...((st.containerStatuses ?? []) as KObj[])];
      const main = (st.containerStatuses ?? []) as KObj[];
      extra.ready = `${main.filter((c) => c.ready === true).length}/${((spec.containers ?? []) as KObj[]).length}`;
      extra.restarts = String(cs.reduce((n, c) => n + (num(c.restartCount) ?? 0), 0));
      extra.node = str(spec.nodeName) ?? '';
      const waiting = cs.map((c) => str(c.state?.waiting?.reason) ?? str(c.state?.terminated?.reason)).find((r) => r && r !== 'Completed');
      const phase = str(st.phase) ?? 'Unknown';
      if (o.metadata?.deletionTimestamp) return { status: 'Terminating', level: 'warn', extra };
      if (waiting) return { status: waiting, level: /BackOff|Err|OOM|Invalid/.test(waiting) ? 'bad' : 'warn', extra };
      const level: Level = phase === 'Running' || phase === 'Succeeded' ? 'ok' : phase === 'Failed' ? 'bad' : 'warn';
      return { status: phase, level, extra };
    }
    case 'apps/deployments':
    case 'apps/statefulsets':
    case 'apps/replicasets': {
      const want = num(spec.replicas) ?? 1;
      const ready = num(st.readyReplicas) ?? 0;
      extra.ready = `${ready}/${want}`;
      extra.upToDate = String(num(st.updatedReplicas) ?? (kind === 'apps/replicasets' ? ready : 0));
      const failed = conds.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
      if (failed) return { status: str(failed.reason) ?? 'ReplicaFailure', level: 'bad', extra };
      if (want === 0) return { status: 'Scaled to 0', level: 'info', extra };
      return ready >= want ? { status: 'Ready', level: 'ok', extra } : { status: `${ready} of ${want} ready`, level: 'warn', extra };
    }
    case 'apps/daemonsets': {
      const want = num(st.desiredNumberScheduled) ?? 0;
      const ready = num(st.numberReady) ?? 0;
      extra.ready = String(ready);
      extra.desired = String(want);
      return ready >= want ? { status: 'Ready', level: 'ok', extra } : { status: `${ready} of ${want} ready`, level: 'warn', extra };
    }
    case 'batch/jobs': {
      const succeeded = num(st.succeeded) ?? 0;
      extra.completions = `${succeeded}/${num(spec.completions) ?? 1}`;
      const start = time(st.startTime);
      const end = time(st.completionTime);
      extra.duration = start !== null ? duration((end ?? now) - start) : '';
      extra.failures = String(num(st.failed) ?? 0);
      if (cond('Failed')?.status === 'True')
        return { status: `Failed${cond('Failed')?.reason ? `: ${cond('Failed')!.reason}` : ''}`, level: 'bad', extra };
      if (cond('Complete')?.status === 'True') return { status: 'Complete', level: 'ok', extra };
      if (spec.suspend === true) return { status: 'Suspended', level: 'info', extra };
      return { status: 'Running', level: 'info', extra };
    }
    case 'batch/cronjobs': {
      extra.schedule = str(spec.schedule) ?? '';
      const last = time(st.lastScheduleTime);
      extra.lastSchedule = last !== null ? `${duration(now - last)} ago` : 'never';
      extra.active = String(Array.isArray(st.active) ? st.active.length : 0);
      return spec.suspend === true ? { status: 'Suspended', level: 'info', extra } : { status: 'Scheduled', level: 'ok', extra };
    }
    case 'services': {
      extra.type = str(spec.type) ?? 'ClusterIP';
      extra.clusterIP = str(spec.clusterIP) ?? '';
      extra.ports = ((spec.ports ?? []) as KObj[])
        .map((p) => `${p.port}${p.protocol && p.protocol !== 'TCP' ? `/${p.protocol}` : ''}`)
        .join(', ');
      const lb = ((st.loadBalancer?.ingress ?? []) as KObj[]).map((i) => str(i.ip) ?? str(i.hostname)).filter(Boolean);
      if (extra.type === 'LoadBalancer' && !lb.length) return { status: 'Pending load balancer', level: 'warn', extra };
      return { status: lb.length ? lb.join(', ') : 'Active', level: 'ok', extra };
    }
    case 'networking.k8s.io/ingresses': {
      extra.class = str(spec.ingressClassName) ?? '';
      extra.hosts = ((spec.rules ?? []) as KObj[]).map((r) => str(r.host) ?? '*').join(', ');
      const lb = ((st.loadBalancer?.ingress ?? []) as KObj[]).map((i) => str(i.ip) ?? str(i.hostname)).filter(Boolean);
      return lb.length ? { status: lb.join(', '), level: 'ok', extra } : { status: 'No address', level: 'warn', extra };
    }
    case 'autoscaling/horizontalpodautoscalers': {
      extra.target = `${spec.scaleTargetRef?.kind ?? ''}/${spec.scaleTargetRef?.name ?? ''}`;
      extra.range = `${num(spec.minReplicas) ?? 1}–${num(spec.maxReplicas) ?? '?'}`;
      extra.replicas = `${num(st.currentReplicas) ?? 0}→${num(st.desiredReplicas) ?? 0}`;
      break;
    }
    case 'policy/poddisruptionbudgets': {
      extra.budget =
        spec.minAvailable !== undefined
          ? `min ${spec.minAvailable}`
          : spec.maxUnavailable !== undefined
            ? `max unavailable ${spec.maxUnavailable}`
            : '';
      const allowed = num(st.disruptionsAllowed) ?? 0;
      extra.allowed = String(allowed);
      return allowed > 0 ? { status: 'OK', level: 'ok', extra } : { status: 'No disruptions allowed', level: 'warn', extra };
    }
    case 'persistentvolumeclaims': {
      extra.volume = str(spec.volumeName) ?? '';
      extra.capacity = str(st.capacity?.storage) ?? '';
      extra.storageClass = str(spec.storageClassName) ?? '';
      break;
    }
  }
  // Any kind: the usual conditions, else a phase, else nothing to say.
  const ready = cond('Ready') ?? cond('Available') ?? cond('Established') ?? cond('Accepted') ?? cond('Programmed');
  if (ready) {
    if (ready.status === 'True') return { status: String(ready.type), level: 'ok', extra };
    return {
      status: `Not ${String(ready.type).toLowerCase()}${ready.reason ? `: ${ready.reason}` : ''}`,
      level: ready.status === 'False' ? 'bad' : 'warn',
      extra,
    };
  }
  const phase = str(st.phase);
  if (phase) {
    const level: Level = /^(Bound|Active|Running|Succeeded|Available|Ready|Released)$/.test(phase)
      ? 'ok'
      : /^(Failed|Lost|Error)$/.test(phase)
        ? 'bad'
        : 'warn';
    return { status: phase, level, extra };
  }
  return { status: '', level: 'info', extra };
}

/** One object as a list row. */
export function kindRow(kind: string, o: KObj, at: { cluster: string; clusterContext: string; uid: string }, now: number): KindRowDTO {
  const { status, level, extra } = statusOf(kind, o, now);
  const owner = controllerOf(o);
  return {
    cluster: at.cluster,
    clusterContext: at.clusterContext,
    namespace: str(o.metadata?.namespace) ?? '',
    name: str(o.metadata?.name) ?? '',
    uid: at.uid,
    status,
    level,
    created: time(o.metadata?.creationTimestamp),
    owner: owner ? { kind: owner.kind, name: owner.name } : null,
    extra,
  };
}

/** Served kinds per cluster, from the back end's own connections (a short cache: a CRD installed shows within it). */
const DISCOVERY_TTL_MS = 15_000;

export class KindsCatalog {
  private readonly ctx: ViewContext;
  private readonly byCluster = new Map<string, { at: number; kinds: Promise<DiscoveredKind[]> }>();

  constructor(ctx: ViewContext) {
    this.ctx = ctx;
  }

  private async discovered(cluster: string): Promise<DiscoveredKind[]> {
    const hit = this.byCluster.get(cluster);
    if (hit && this.ctx.now() - hit.at < DISCOVERY_TTL_MS) return hit.kinds;
    const kinds = this.ctx.connection(cluster, this.ctx.o.mode === 'live' ? null : 'this session does not sync').then(discoverResources);
    this.byCluster.set(cluster, { at: this.ctx.now(), kinds });
    kinds.then(rememberKinds, () => this.byCluster.delete(cluster));
    return kinds;
  }

  async list(p: Params<'kinds.list'>): Promise<KindsListDTO> {
    const clusters = p.cluster !== undefined ? [this.ctx.clusterRow(p.cluster)] : this.ctx.clusterRows();
    const kinds = new Map<string, KindDTO & { in: Set<string> }>();
    const add = (cluster: string, k: Omit<KindDTO, 'clusters'>) => {
      let e = kinds.get(k.key);
      if (!e) kinds.set(k.key, (e = { ...k, clusters: 0, in: new Set() }));
      e.in.add(cluster);
    };
    const problems: KindsListDTO['problems'] = [];
    const canDiscover = this.ctx.o.mode === 'live' && !!this.ctx.o.connections;
    await Promise.all(
      clusters.map(async (c) => {
        if (canDiscover && c.live?.status !== 'off') {
          try {
            for (const k of await this.discovered(c.id))
              add(c.id, {
                key: k.key,
                group: k.group,
                version: k.version,
                kind: k.kind,
                plural: k.plural,
                namespaced: k.namespaced,
                synced: k.catalogue ? 'always' : 'on-demand',
              });
            return;
          } catch (e) {
            problems.push({ cluster: c.id, clusterContext: c.row?.context ?? c.live?.context ?? c.id, error: (e as Error).message });
          }
        }
        // Without discovery: the kinds the cache holds of it (listed once, or watched on demand before).
        const states = this.ctx.store.syncStates(c.id).filter((s) => s.state !== 'unavailable');
        const keys = new Set([...states.map((s) => s.kind), ...this.ctx.store.kinds(c.id)]);
        for (const key of keys) add(c.id, cachedKind(this.ctx, c.id, key));
      }),
    );
    return {
      kinds: [...kinds.values()].map(({ in: set, ...k }) => ({ ...k, clusters: set.size })).sort((a, b) => a.key.localeCompare(b.key)),
      problems,
    };
  }
}

/** What a cached kind is, without discovery: the catalogue's entry, else what a cached object says. */
function cachedKind(ctx: ViewContext, cluster: string, key: string): Omit<KindDTO, 'clusters'> {
  const slash = key.lastIndexOf('/');
  const group = slash < 0 ? '' : key.slice(0, slash);
  const plural = slash < 0 ? key : key.slice(slash + 1);
  const cat = CATALOGUE.find((c) => c.key === key);
  if (cat) return { key, group, version: cat.versions[0]!, kind: cat.kind, plural, namespaced: cat.namespaced, synced: 'always' };
  const one = ctx.store.objects(cluster, key, { limit: 20 }).map((o) => o.body);
  const typed = one.find((b) => typeof b.kind === 'string' && typeof b.apiVersion === 'string');
  const apiVersion = String(typed?.apiVersion ?? '');
  return {
    key,
    group,
    version: apiVersion.includes('/') ? apiVersion.split('/')[1]! : apiVersion,
    kind: String(typed?.kind ?? plural),
    plural,
    namespaced: one.some((b) => !!b.metadata?.namespace),
    synced: 'on-demand',
  };
}

/** Where a kind's cached objects of one cluster come from: its sync state, and this session's watch of it. */
export function watchOf(ctx: ViewContext, c: ReturnType<ViewContext['clusterRows']>[number], kind: string): KindWatchDTO {
  const row = ctx.store.syncStates(c.id).find((s) => s.kind === kind);
  const liveState = ctx.o.mode === 'live' ? c.live?.kinds[kind] : undefined;
  const state = liveState ?? row?.state ?? 'none';
  // (partial: watched in the namespaces these credentials may read)
  const live = ctx.o.mode === 'live' && c.live?.status !== 'off' && (liveState === 'watching' || liveState === 'partial');
  const times = [row?.listed_at, row?.last_event_at, row?.updated_at].filter((t): t is number => typeof t === 'number');
  return {
    cluster: c.id,
    clusterContext: c.row?.context ?? c.live?.context ?? c.id,
    // never called live when this session does not watch it (a cache, a snapshot, a watch stopped)
    state: !live && state === 'watching' ? 'stopped' : state,
    live,
    asOf: live ? ctx.now() : times.length ? Math.max(...times) : null,
    // (nothing of it yet: the cluster's own status may say why)
    message: row?.message ?? (c.live && c.live.status !== 'live' ? `the cluster is ${c.live.status}` : null),
  };
}

/** A kind's cached objects, of some clusters (all when none), a namespace, a text filter. */
export function objectsListDTO(ctx: ViewContext, p: Params<'objects.list'>): ObjectsListDTO {
  const all = ctx.clusterRows();
  const clusters = p.clusters?.length ? all.filter((c) => p.clusters!.includes(c.id)) : all;
  const now = ctx.now();
  const q = (p.q ?? '').trim().toLowerCase();
  const rows: KindRowDTO[] = [];
  const namespaces = new Set<string>();
  let named: { kind: string; namespaced: boolean } | undefined;
  for (const c of clusters) {
    const context = c.row?.context ?? c.live?.context ?? c.id;
    for (const o of ctx.store.objects(c.id, p.kind)) {
      if (o.namespace) namespaces.add(o.namespace);
      if (p.namespace && o.namespace !== p.namespace) continue;
      const r = kindRow(p.kind, o.body, { cluster: c.id, clusterContext: context, uid: o.uid }, now);
      if (q && ![r.name, r.namespace, r.status, context, r.owner?.name ?? ''].some((s) => s.toLowerCase().includes(q))) continue;
      if (!named && typeof o.body.kind === 'string') named = { kind: o.body.kind, namespaced: !!o.namespace };
      rows.push(r);
    }
  }
  rows.sort(
    (a, b) => a.clusterContext.localeCompare(b.clusterContext) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
  );
  const cat = CATALOGUE.find((k) => k.key === p.kind);
  const offset = p.offset ?? 0;
  return {
    kind: {
      key: p.kind,
      kind: cat?.kind ?? discoveredKind(p.kind)?.kind ?? named?.kind ?? p.kind.split('/').pop()!,
      namespaced: cat?.namespaced ?? named?.namespaced ?? rows.some((r) => r.namespace !== ''),
    },
    columns: kindColumns(p.kind),
    rows: rows.slice(offset, offset + (p.limit ?? 1000)),
    total: rows.length,
    watch: clusters.map((c) => watchOf(ctx, c, p.kind)),
    namespaces: [...namespaces].sort(),
  };
}
