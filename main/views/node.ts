// A node: conditions, taints, versions, capacity with GPUs, its pods and their requests, events,
// CSINode drivers, labels and its change history (now, or as of a past time).
import type { KObj } from '../store/store.ts';
import { nodeHealth } from '../model/health.ts';
import { podRequests } from '../model/requests.ts';
import type { ViewContext } from './context.ts';
import { eventsFor, time } from './events.ts';
import { changeDTO } from './objects.ts';
import { ContractError, type NodeDTO, type PodRow } from '../../common/contract.ts';

function podRow(cluster: string, p: KObj): PodRow {
  const statuses = (p.status?.containerStatuses ?? []) as KObj[];
  return {
    cluster,
    kind: 'pods',
    uid: String(p.metadata?.uid ?? ''),
    namespace: String(p.metadata?.namespace ?? ''),
    name: String(p.metadata?.name ?? ''),
    phase: String(p.status?.phase ?? 'Unknown'),
    ready: statuses.length > 0 && statuses.every((c) => c.ready === true),
    restarts: statuses.reduce((s, c) => s + (Number(c.restartCount) || 0), 0),
    requests: podRequests(p as never),
  };
}

export function nodeDTO(ctx: ViewContext, cluster: string, name: string, atParam?: number): NodeDTO {
  const store = ctx.store;
  const at = ctx.asOf(atParam);
  const { row, live } = ctx.clusterRow(cluster);
  let found = store.findByName(cluster, 'nodes', '', name);
  if (found && at !== undefined) {
    const then = store.objectAt(cluster, 'nodes', found.uid, at);
    found = then ? { uid: found.uid, body: then } : undefined;
  } else if (!found && at !== undefined) {
    // gone since: the node as it was then, from the history
    const b = store.bodiesAt(cluster, 'nodes', at).find((n) => n.metadata?.name === name);
    if (b) found = { uid: String(b.metadata?.uid ?? ''), body: b };
  }
  if (!found)
    throw new ContractError(
      `no node ${name} in the cache of ${row?.context ?? cluster}${at === undefined ? '' : ` as of ${new Date(at).toISOString()}`}`,
      'not-found',
    );
  const node = found.body;
  const serverVersion = live?.serverVersion ?? row?.serverVersion ?? undefined;
  const view = at === undefined ? ctx.viewOf(cluster, serverVersion, true) : ctx.viewAt(cluster, serverVersion, at);
  const d = view?.derived;
  const nodeRow = d?.nodes.find((n) => n.name === name);
  const health = nodeHealth(node as never, { now: at ?? ctx.now(), ...(serverVersion ? { serverVersion } : {}) });
  const podBodies =
    at === undefined ? store.podsOnNode(cluster, name) : store.bodiesAt(cluster, 'pods', at).filter((p) => p.spec?.nodeName === name);
  const pods = podBodies.map((b) => podRow(cluster, b));
  pods.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  const csiNode = store.findByName(cluster, 'storage.k8s.io/csinodes', '', name)?.body;
  const coverage = d?.storage.matrix.cells ?? {};
  const contextName = row?.context ?? live?.context ?? cluster;
  return {
    cluster,
    clusterContext: contextName,
    ref: { cluster, kind: 'nodes', uid: found.uid, namespace: '', name },
    row: nodeRow ?? {
      name,
      ready: health.ready === 'True',
      level: health.level,
      reasons: health.reasons,
      cordoned: health.cordoned,
      kubeletVersion: health.kubeletVersion ?? null,
      resources: {},
      accelerators: 0,
      storageProblems: 0,
      pods: pods.length,
    },
    health: { level: health.level, reasons: health.reasons, stale: health.stale, heartbeatAgeMs: health.heartbeatAgeMs ?? null },
    conditions: ((node.status?.conditions ?? []) as KObj[]).map((c) => ({
      type: String(c.type ?? ''),
      status: String(c.status ?? ''),
      reason: String(c.reason ?? ''),
      message: String(c.message ?? ''),
      lastTransition: time(c.lastTransitionTime),
    })),
    taints: ((node.spec?.taints ?? []) as KObj[]).map((t) => ({
      key: String(t.key ?? ''),
      ...(t.value !== undefined ? { value: String(t.value) } : {}),
      effect: String(t.effect ?? ''),
    })),
    info: Object.fromEntries(Object.entries((node.status?.nodeInfo ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
    labels: (node.metadata?.labels ?? {}) as Record<string, string>,
    accelerators: d?.accelerators.nodes.find((n) => n.node === name) ?? null,
    pods,
    events: eventsFor(store, cluster, 'default', name, undefined, 'Node'),
    csiDrivers: ((csiNode?.spec?.drivers ?? []) as KObj[]).map((x) => ({
      name: String(x.name ?? ''),
      nodeID: String(x.nodeID ?? ''),
      volumeLimit: typeof x.allocatable?.count === 'number' ? x.allocatable.count : null,
      coverage: coverage[String(x.name)]?.[name] ?? null,
    })),
    storageProblems: (d?.storage.problems ?? []).filter((p) => p.node === name),
    history: store.history(cluster, 'nodes', found.uid).map(changeDTO),
  };
}
