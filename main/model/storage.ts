// Storage and CSI health: the driver × node coverage matrix and a flat list of problems.
//
// Sources:
//  - kubelet CSI plugin registration (pkg/volume/csi/csi_plugin.go RegisterPlugin, nodeinfomanager):
//    a node plugin registers through node-driver-registrar, whose --kubelet-registration-path is
//    /var/lib/kubelet/plugins/<driver>/csi.sock; on success the kubelet adds the driver to the node's
//    CSINode spec.drivers. A driver missing from CSINode while its node plugin runs there means
//    registration failed; mounts then fail with the kubelet error
//    "driver name <X> not found in the list of registered CSI drivers" (csi_client.go newCsiDriverClient).
//  - external-attacher: VolumeAttachment status.attachError / detachError {time, message}.
//  - PV/PVC phases and PVC conditions (k8s.io/api/core/v1 PersistentVolumeClaimConditionType),
//    allocatedResourceStatuses (KEP-1790 recover from resize failure).
//  - external-snapshotter: VolumeSnapshot status.readyToUse / error.
//  - CSIStorageCapacity (KEP-1472): capacity "0" means the topology segment is full.
//
// Finding a driver's node-plugin DaemonSet: by its pod template, a container arg, command or env
// value, or a hostPath volume, naming /plugins/<driver>/ (the registrar's --kubelet-registration-path
// or the plugin's socket directory), or the plugin's --drivername=<driver> flag. When no template
// names the driver (some charts template the path through variables), a DaemonSet that looks like a CSI plugin is matched by name: the
// driver's distinctive domain labels (cephfs, rbd, manila, cvmfs, ...) found in the DaemonSet's
// namespace/name, weighted by how rare the label is among the drivers, and only a unique best match
// counts. Every match says how it was made (identifiedBy).
import { parseQuantity } from './quantity.ts';
import type { StorageProblemDTO } from '../../common/contract.ts';
import type { Container, CSIDriver, Event, ObjectLists, Pod, PodSpec, StorageClass } from './types.ts';
import { addTo, ageText, arr, entries, isPodReady, isRecord, isTerminalPod, nameOf, namespaceOf, num, parseTime, str } from './util.ts';

export type CoverageState = 'registered' | 'missing' | 'plugin-not-ready' | 'not-expected';

export interface CoverageCell {
  state: CoverageState;
  /** the driver is in this node's CSINode spec.drivers */
  registered: boolean;
  /** the node has a CSINode object at all */
  csiNode: boolean;
  /** the driver's node-plugin pod(s) on this node */
  pluginPods: { namespace: string; name: string; ready: boolean }[];
  nodeID?: string;
  /** CSINode allocatable.count: the per-node volume limit */
  volumeLimit?: number;
  /** "not found in the list of registered CSI drivers" events pointing at this node */
  mountErrors: number;
}

export interface DriverCoverage {
  driver: string;
  /** a CSIDriver object exists (drivers can register without one) */
  csiDriver: boolean;
  attachRequired?: boolean;
  storageCapacity?: boolean;
  daemonSet?: { namespace: string; name: string; identifiedBy: 'template' | 'name' };
  registered: number;
  /** nodes where the node plugin runs */
  expected: number;
  missing: string[];
  pluginNotReady: string[];
}

export interface CoverageMatrix {
  drivers: string[];
  nodes: string[];
  /** cells[driver][node] */
  cells: Record<string, Record<string, CoverageCell>>;
}

export type Severity = StorageProblemDTO['severity'];

/** One storage problem (the contract's DTO is this very type). */
export type StorageProblem = StorageProblemDTO;

export type StorageHealthInput = ObjectLists<
  | 'csiDrivers'
  | 'csiNodes'
  | 'nodes'
  | 'daemonSets'
  | 'pods'
  | 'events'
  | 'volumeAttachments'
  | 'pvs'
  | 'pvcs'
  | 'volumeSnapshots'
  | 'storageClasses'
  | 'csiStorageCapacities'
>;

export interface StorageHealth {
  matrix: CoverageMatrix;
  drivers: DriverCoverage[];
  problems: StorageProblem[];
  counts: { total: number; critical: number; warning: number; info: number; byReason: Record<string, number> };
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every string of a pod spec that could carry a plugin path. */
function specStrings(spec: PodSpec | undefined): string[] {
  const out: string[] = [];
  const containers: readonly Container[] = [...arr(spec?.containers), ...arr(spec?.initContainers)];
  for (const c of containers) {
    for (const a of arr(c?.args)) if (typeof a === 'string') out.push(a);
    for (const a of arr(c?.command)) if (typeof a === 'string') out.push(a);
    for (const e of arr(c?.env)) if (typeof e?.value === 'string') out.push(e.value);
  }
  for (const v of arr(spec?.volumes)) if (typeof v?.hostPath?.path === 'string') out.push(v.hostPath.path);
  return out;
}

type DriverPaths = readonly { driver: string; re: RegExp }[];

/**
 * One regex per driver: "/plugins/<driver>/" or a path ending in "/plugins/<driver>", or the
 * plugin's own --drivername=<driver> / --driver-name=<driver> flag (ceph-csi, csi-driver-nfs, ...).
 */
function driverPaths(drivers: readonly string[]): DriverPaths {
  return drivers.map((driver) => {
    const d = escapeRe(driver);
    return { driver, re: new RegExp(`/plugins/${d}(?:/|$)|^--driver-?name=${d}$`) };
  });
}

function pathDrivers(spec: PodSpec | undefined, paths: DriverPaths): Set<string> {
  const strings = specStrings(spec);
  const found = new Set<string>();
  if (strings.length === 0) return found;
  for (const { driver, re } of paths) if (strings.some((s) => re.test(s))) found.add(driver);
  return found;
}

const GENERIC_LABELS = new Set(['csi', 'k8s', 'kubernetes', 'io', 'com', 'org', 'net', 'driver', 'x']);

/** Distinctive labels of a driver name: domain labels minus the TLD and generic words. */
function driverTokens(driver: string): string[] {
  const labels = driver.toLowerCase().split(/[./_]/).filter(Boolean);
  if (labels.length > 1) labels.pop();
  return [...new Set(labels.filter((l) => l.length >= 2 && !GENERIC_LABELS.has(l)))];
}

interface PluginSet {
  namespace: string;
  name: string;
  /** the pod template (from the DaemonSet, else from its first pod: all pods share the template) */
  spec?: PodSpec;
  pods: Pod[];
  pathDrivers: Set<string>;
}

function ownerDaemonSet(pod: Pod): string | undefined {
  for (const o of arr(pod?.metadata?.ownerReferences)) if (o?.kind === 'DaemonSet' && typeof o?.name === 'string') return o.name;
  return undefined;
}

function looksLikeCsiPlugin(set: PluginSet): boolean {
  const text = `${set.namespace}/${set.name}`.toLowerCase();
  if (text.includes('csi') || text.includes('plugin')) return true;
  const spec = set.spec;
  return [...arr(spec?.containers), ...arr(spec?.initContainers)].some(
    (c) => /registrar|csi/i.test(str(c?.name) ?? '') || /registrar|csi/i.test(str(c?.image) ?? ''),
  );
}

function eventTime(e: Event): number | undefined {
  return parseTime(e?.series?.lastObservedTime) ?? parseTime(e?.lastTimestamp) ?? parseTime(e?.eventTime) ?? parseTime(e?.firstTimestamp);
}

const DRIVER_NOT_FOUND_RE = /driver name (\S+?)[,.;:]?\s+not found in the list of registered CSI drivers/;

export function storageHealth(input: StorageHealthInput, now: number): StorageHealth {
  const problems: StorageProblem[] = [];
  const problem = (p: StorageProblem) => problems.push(p);

  // ---- drivers: CSIDriver objects plus drivers that registered without one
  const csiDriverByName = new Map<string, CSIDriver>();
  for (const d of arr(input?.csiDrivers)) {
    const n = nameOf(d);
    if (n) csiDriverByName.set(n, d);
  }
  const csiNodeByName = new Map<string, Map<string, { nodeID?: string; volumeLimit?: number }>>();
  for (const cn of arr(input?.csiNodes)) {
    const n = nameOf(cn);
    if (!n) continue;
    const drivers = new Map<string, { nodeID?: string; volumeLimit?: number }>();
    for (const d of arr(cn?.spec?.drivers)) {
      const dn = str(d?.name);
      if (!dn) continue;
      const info: { nodeID?: string; volumeLimit?: number } = {};
      const nodeID = str(d?.nodeID);
      if (nodeID) info.nodeID = nodeID;
      const limit = num(d?.allocatable?.count);
      if (limit !== undefined) info.volumeLimit = limit;
      drivers.set(dn, info);
    }
    csiNodeByName.set(n, drivers);
  }
  const driverSet = new Set<string>(csiDriverByName.keys());
  for (const drivers of csiNodeByName.values()) for (const d of drivers.keys()) driverSet.add(d);
  const drivers = [...driverSet].sort();

  // ---- nodes: Node objects plus CSINodes of nodes we were not given
  const nodeSet = new Set<string>();
  for (const n of arr(input?.nodes)) {
    const name = nameOf(n);
    if (name) nodeSet.add(name);
  }
  for (const n of csiNodeByName.keys()) nodeSet.add(n);

  // ---- node-plugin sets: DaemonSets, and DaemonSet-owned pods (also when DaemonSets are not readable)
  const paths = driverPaths(drivers);
  const sets = new Map<string, PluginSet>();
  for (const ds of arr(input?.daemonSets)) {
    const name = nameOf(ds);
    const namespace = namespaceOf(ds) ?? '';
    if (!name) continue;
    const spec = isRecord(ds?.spec?.template?.spec) ? ds.spec?.template?.spec : undefined;
    const set: PluginSet = { namespace, name, pods: [], pathDrivers: pathDrivers(spec, paths) };
    if (spec) set.spec = spec;
    sets.set(`${namespace}/${name}`, set);
  }
  const podsByKey = new Map<string, Pod>();
  for (const p of arr(input?.pods)) {
    const namespace = namespaceOf(p) ?? '';
    podsByKey.set(`${namespace}/${nameOf(p)}`, p);
    const owner = ownerDaemonSet(p);
    // Succeeded/Failed pods (evicted plugin pods) are replaced by the DaemonSet: they say nothing.
    if (!owner || isTerminalPod(p)) continue;
    const key = `${namespace}/${owner}`;
    let set = sets.get(key);
    if (!set) {
      set = { namespace, name: owner, pods: [], pathDrivers: new Set() };
      sets.set(key, set);
    }
    set.pods.push(p);
    if (!set.spec && isRecord(p?.spec)) {
      set.spec = p.spec;
      for (const d of pathDrivers(p.spec, paths)) set.pathDrivers.add(d);
    }
  }

  // driver → its plugin set
  const pluginOf = new Map<string, { set: PluginSet; identifiedBy: 'template' | 'name' }>();
  for (const set of sets.values())
    for (const d of set.pathDrivers) if (!pluginOf.has(d)) pluginOf.set(d, { set, identifiedBy: 'template' });
  const unclaimed = [...sets.values()].filter((s) => s.pathDrivers.size === 0 && looksLikeCsiPlugin(s));
  const tokenDf = new Map<string, number>();
  for (const d of drivers) for (const t of driverTokens(d)) addTo(tokenDf, t, 1);
  for (const d of drivers) {
    if (pluginOf.has(d)) continue;
    const tokens = driverTokens(d);
    let best: PluginSet | undefined;
    let bestScore = 0;
    let tie = false;
    for (const s of unclaimed) {
      const text = `${s.namespace}/${s.name}`.toLowerCase();
      let score = 0;
      for (const t of tokens) if (text.includes(t)) score += 1 / (tokenDf.get(t) ?? 1);
      if (score > bestScore + 1e-9) {
        best = s;
        bestScore = score;
        tie = false;
      } else if (score > 0 && Math.abs(score - bestScore) <= 1e-9) tie = true;
    }
    if (best && !tie) pluginOf.set(d, { set: best, identifiedBy: 'name' });
  }

  // ---- matrix
  const cells = new Map<string, Map<string, CoverageCell>>();
  const coverage: DriverCoverage[] = [];
  const pluginPodsByDriver = new Map<string, Map<string, Pod[]>>();
  for (const d of drivers) {
    const plugin = pluginOf.get(d);
    const podsOnNode = new Map<string, Pod[]>();
    for (const p of plugin?.set.pods ?? []) {
      const n = str(p?.spec?.nodeName);
      if (!n) continue;
      let l = podsOnNode.get(n);
      if (!l) podsOnNode.set(n, (l = []));
      l.push(p);
      nodeSet.add(n);
    }
    pluginPodsByDriver.set(d, podsOnNode);
    const cd = csiDriverByName.get(d);
    const cov: DriverCoverage = { driver: d, csiDriver: cd !== undefined, registered: 0, expected: 0, missing: [], pluginNotReady: [] };
    if (typeof cd?.spec?.attachRequired === 'boolean') cov.attachRequired = cd.spec.attachRequired;
    if (typeof cd?.spec?.storageCapacity === 'boolean') cov.storageCapacity = cd.spec.storageCapacity;
    if (plugin) cov.daemonSet = { namespace: plugin.set.namespace, name: plugin.set.name, identifiedBy: plugin.identifiedBy };
    coverage.push(cov);
  }
  // Nodes are final only once every driver added the nodes its plugin pods run on.
  const nodes = [...nodeSet].sort();
  for (const cov of coverage) {
    const d = cov.driver;
    const row = new Map<string, CoverageCell>();
    cells.set(d, row);
    const podsOnNode = pluginPodsByDriver.get(d) ?? new Map<string, Pod[]>();
    for (const n of nodes) {
      const csiNode = csiNodeByName.get(n);
      const info = csiNode?.get(d);
      const pods = podsOnNode.get(n) ?? [];
      const pluginPods = pods.map((p) => ({ namespace: namespaceOf(p) ?? '', name: nameOf(p), ready: isPodReady(p) }));
      const pluginReady = pluginPods.some((p) => p.ready);
      const registered = info !== undefined;
      const state: CoverageState =
        pods.length > 0 && !pluginReady
          ? 'plugin-not-ready'
          : pods.length > 0 && !registered
            ? 'missing'
            : registered
              ? 'registered'
              : 'not-expected';
      const cell: CoverageCell = { state, registered, csiNode: csiNode !== undefined, pluginPods, mountErrors: 0 };
      if (info?.nodeID) cell.nodeID = info.nodeID;
      if (info?.volumeLimit !== undefined) cell.volumeLimit = info.volumeLimit;
      row.set(n, cell);
      if (registered) cov.registered++;
      if (pods.length > 0) cov.expected++;
      const pluginName = pluginPods[0] ? `${pluginPods[0].namespace}/${pluginPods[0].name}` : '';
      if (state === 'missing') {
        cov.missing.push(n);
        problem({
          severity: 'critical',
          kind: 'CSINode',
          name: n,
          node: n,
          driver: d,
          reason: 'DriverNotRegistered',
          message: csiNode
            ? `CSI driver ${d} is not registered on node ${n} (its CSINode lacks the driver) although node plugin ${pluginName} runs there`
            : `CSI driver ${d} is not registered on node ${n} (the node has no CSINode) although node plugin ${pluginName} runs there`,
        });
      } else if (state === 'plugin-not-ready') {
        cov.pluginNotReady.push(n);
        const pod = pluginPods[0];
        problem({
          severity: registered ? 'warning' : 'critical',
          kind: 'Pod',
          namespace: pod?.namespace ?? '',
          name: pod?.name ?? '',
          node: n,
          driver: d,
          reason: 'PluginNotReady',
          message: `node plugin ${pluginName} of CSI driver ${d} on node ${n} is not Ready${registered ? '' : ' and the driver is not registered there'}`,
        });
      }
    }
  }

  // ---- kubelet mount errors: driver not registered
  for (const e of arr(input?.events)) {
    const msg = str(e?.message);
    if (!msg) continue;
    const m = DRIVER_NOT_FOUND_RE.exec(msg);
    if (!m?.[1]) continue;
    const driver = m[1];
    const inv = e?.involvedObject;
    const invNs = str(inv?.namespace) ?? namespaceOf(e);
    const invName = str(inv?.name) ?? nameOf(e);
    let node = str(e?.source?.host);
    if (!node && inv?.kind === 'Pod') node = str(podsByKey.get(`${invNs ?? ''}/${invName}`)?.spec?.nodeName);
    if (node) {
      const cell = cells.get(driver)?.get(node);
      if (cell) cell.mountErrors++;
    }
    const p: StorageProblem = {
      severity: 'critical',
      kind: str(inv?.kind) ?? 'Event',
      name: invName,
      driver,
      reason: 'DriverNotFound',
      message: msg,
    };
    if (invNs) p.namespace = invNs;
    if (node) p.node = node;
    const t = eventTime(e);
    if (t !== undefined) p.time = t;
    problem(p);
  }

  // ---- VolumeAttachments
  for (const va of arr(input?.volumeAttachments)) {
    const node = str(va?.spec?.nodeName);
    const driver = str(va?.spec?.attacher);
    const pv = str(va?.spec?.source?.persistentVolumeName) ?? '(inline volume)';
    for (const [field, severity, reason, verb] of [
      ['attachError', 'critical', 'AttachError', 'attach'],
      ['detachError', 'warning', 'DetachError', 'detach'],
    ] as const) {
      const err = va?.status?.[field];
      if (!isRecord(err)) continue;
      const p: StorageProblem = {
        severity,
        kind: 'VolumeAttachment',
        name: nameOf(va),
        reason,
        message: `${verb} of ${pv}${node ? ` ${verb === 'attach' ? 'to' : 'from'} node ${node}` : ''} failed: ${str(err.message) ?? '(no message)'}`,
      };
      if (node) p.node = node;
      if (driver) p.driver = driver;
      const t = parseTime(err.time);
      if (t !== undefined) p.time = t;
      problem(p);
    }
  }

  // ---- PVCs
  const classByName = new Map<string, StorageClass>();
  for (const sc of arr(input?.storageClasses)) if (nameOf(sc)) classByName.set(nameOf(sc), sc);
  for (const pvc of arr(input?.pvcs)) {
    const namespace = namespaceOf(pvc);
    const name = nameOf(pvc);
    const scName = str(pvc?.spec?.storageClassName);
    const sc = scName ? classByName.get(scName) : undefined;
    const driver = str(sc?.provisioner);
    const base = (severity: Severity, reason: string, message: string, time?: number): StorageProblem => {
      const p: StorageProblem = { severity, kind: 'PersistentVolumeClaim', name, reason, message };
      if (namespace) p.namespace = namespace;
      if (driver) p.driver = driver;
      if (time !== undefined) p.time = time;
      return p;
    };
    const phase = str(pvc?.status?.phase);
    const created = parseTime(pvc?.metadata?.creationTimestamp);
    const age = created !== undefined && Number.isFinite(now) ? ` for ${ageText(now - created)}` : '';
    if (phase === 'Pending') {
      // WaitForFirstConsumer claims stay Pending until a pod using them is scheduled: normal.
      if (str(sc?.volumeBindingMode) === 'WaitForFirstConsumer') {
        problem(base('info', 'PVCWaitingForConsumer', `Pending${age}: StorageClass ${scName} binds on first consumer`, created));
      } else {
        problem(base('warning', 'PVCPending', `Pending${age}${scName ? ` (StorageClass ${scName})` : ''}`, created));
      }
    } else if (phase === 'Lost') {
      const vol = str(pvc?.spec?.volumeName);
      problem(base('critical', 'PVCLost', `Lost: its PersistentVolume${vol ? ` ${vol}` : ''} no longer exists`));
    }
    for (const c of arr(pvc?.status?.conditions)) {
      const type = str(c?.type);
      if (!type || str(c?.status) === 'False') continue;
      const detail = [str(c?.reason), str(c?.message)].filter(Boolean).join(': ');
      const text = `${type}${detail ? `: ${detail}` : ''}`;
      const t = parseTime(c?.lastTransitionTime);
      if (type === 'ControllerResizeError' || type === 'NodeResizeError' || type === 'ModifyVolumeError') {
        problem(base('warning', type, text, t));
      } else if (type === 'Resizing' || type === 'FileSystemResizePending' || type === 'ModifyingVolume') {
        problem(base('info', type, text, t));
      }
    }
    for (const [resource, status] of entries(pvc?.status?.allocatedResourceStatuses)) {
      if (status === 'ControllerResizeInfeasible' || status === 'NodeResizeInfeasible') {
        problem(base('warning', status, `${status} for ${resource}`));
      }
    }
  }

  // ---- PVs
  for (const pv of arr(input?.pvs)) {
    const phase = str(pv?.status?.phase);
    if (phase !== 'Failed' && phase !== 'Released') continue;
    const driver = str(pv?.spec?.csi?.driver);
    const policy = str(pv?.spec?.persistentVolumeReclaimPolicy);
    const claim = pv?.spec?.claimRef;
    const claimText = claim?.name ? ` (was ${claim.namespace ? `${claim.namespace}/` : ''}${claim.name})` : '';
    const detail = str(pv?.status?.message);
    const p: StorageProblem =
      phase === 'Failed'
        ? {
            severity: 'critical',
            kind: 'PersistentVolume',
            name: nameOf(pv),
            reason: 'PVFailed',
            message: `Failed${claimText}${detail ? `: ${detail}` : ''}`,
          }
        : {
            severity: policy === 'Retain' ? 'info' : 'warning',
            kind: 'PersistentVolume',
            name: nameOf(pv),
            reason: 'PVReleased',
            message:
              policy === 'Retain'
                ? `Released${claimText}: kept by reclaim policy Retain until an admin reclaims it`
                : `Released${claimText} but reclaim policy ${policy ?? '(unset)'} has not removed it${detail ? `: ${detail}` : ''}`,
          };
    if (driver) p.driver = driver;
    const t = parseTime(pv?.status?.lastPhaseTransitionTime);
    if (t !== undefined) p.time = t;
    problem(p);
  }

  // ---- VolumeSnapshots
  for (const vs of arr(input?.volumeSnapshots)) {
    const st = vs?.status;
    if (!isRecord(st)) continue;
    const namespace = namespaceOf(vs);
    const err = st.error;
    let p: StorageProblem | undefined;
    if (isRecord(err)) {
      p = {
        severity: 'warning',
        kind: 'VolumeSnapshot',
        name: nameOf(vs),
        reason: 'SnapshotError',
        message: str(err.message) ?? 'snapshot failed (no message)',
      };
      const t = parseTime(err.time);
      if (t !== undefined) p.time = t;
    } else if (st.readyToUse === false) {
      p = { severity: 'info', kind: 'VolumeSnapshot', name: nameOf(vs), reason: 'SnapshotNotReady', message: 'not ready to use yet' };
    }
    if (p) {
      if (namespace) p.namespace = namespace;
      problem(p);
    }
  }

  // ---- CSIStorageCapacity
  for (const c of arr(input?.csiStorageCapacities)) {
    if (c?.capacity === undefined || parseQuantity(c.capacity) !== 0) continue;
    const scName = str(c?.storageClassName);
    const topo = entries(c?.nodeTopology?.matchLabels)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(',');
    const p: StorageProblem = {
      severity: 'warning',
      kind: 'CSIStorageCapacity',
      name: nameOf(c),
      reason: 'CapacityExhausted',
      message: `StorageClass ${scName ?? '(unset)'} has no capacity left${topo ? ` in ${topo}` : ''}`,
    };
    const ns = namespaceOf(c);
    if (ns) p.namespace = ns;
    const driver = scName ? str(classByName.get(scName)?.provisioner) : undefined;
    if (driver) p.driver = driver;
    problem(p);
  }

  problems.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  const byReason = new Map<string, number>();
  for (const p of problems) addTo(byReason, p.reason, 1);
  const matrixCells: Record<string, Record<string, CoverageCell>> = Object.fromEntries(
    [...cells].map(([d, row]) => [d, Object.fromEntries(row)]),
  );
  return {
    matrix: { drivers, nodes, cells: matrixCells },
    drivers: coverage,
    problems,
    counts: {
      total: problems.length,
      critical: problems.filter((p) => p.severity === 'critical').length,
      warning: problems.filter((p) => p.severity === 'warning').length,
      info: problems.filter((p) => p.severity === 'info').length,
      byReason: Object.fromEntries(byReason),
    },
  };
}
