// Node health: what the fleet map colours a node by, and the human reasons behind the colour.
//
// Sources: node conditions and taints as set by the kubelet and the node lifecycle controller
// (k8s.io/api/core/v1 well_known_taints.go, pkg/controller/nodelifecycle), `kubectl cordon`
// (spec.unschedulable), and the version skew policy
// (https://kubernetes.io/releases/version-skew-policy/: "kubelet must not be newer than
// kube-apiserver, and may be up to three minor versions older").
//
// Severity rules (the highest one wins the node's `level`):
//   critical — Ready False or Unknown (NotReady / NodeStatusUnknown); NetworkUnavailable True;
//              out-of-service taint (pods are being force-deleted); not-ready/unreachable taints
//              while the Ready condition still says True (the controller already acts on it).
//   unknown  — no Ready condition at all (node not reported yet), or a Ready heartbeat older than
//              staleAfterMs: we cannot vouch for the current state, so it is never shown as live.
//   warning  — cordoned; Memory/Disk/PID pressure; pressure or unschedulable taints without the
//              matching condition/cordon; any other NoExecute taint; unsupported kubelet version skew.
//   ok       — none of the above.
import type { Node, NodeCondition, Taint } from './types.ts';
import type { HealthLevel as ContractHealthLevel } from '../../common/contract.ts';
import { ageText, arr, condition, isCordoned, parseTime, str } from './util.ts';

/** The contract's health levels, in the order of HEALTH_LEVELS. */
export type HealthLevel = ContractHealthLevel;
export type ReadyStatus = 'True' | 'False' | 'Unknown';

export interface HealthIssue {
  severity: Exclude<HealthLevel, 'ok'>;
  /** stable machine code: NotReady, ReadyUnknown, NoReadyCondition, Stale, Cordoned, MemoryPressure, ... */
  code: string;
  message: string;
}

export interface VersionSkew {
  kubelet: string;
  server: string;
  /** server minor - kubelet minor: positive when the kubelet is older (meaningful when sameMajor) */
  skew: number;
  sameMajor: boolean;
  supported: boolean;
}

export interface NodeHealth {
  name: string;
  ready: ReadyStatus;
  readyReason?: string;
  readyMessage?: string;
  /** True conditions among MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable */
  pressures: string[];
  /** node.kubernetes.io/* taints of note and every NoExecute taint, verbatim */
  taints: { key: string; value?: string; effect: string }[];
  cordoned: boolean;
  kubeletVersion?: string;
  versionSkew?: VersionSkew;
  /** Ready condition lastHeartbeatTime (epoch ms) */
  lastHeartbeat?: number;
  heartbeatAgeMs?: number;
  stale: boolean;
  level: HealthLevel;
  /** human-readable, most severe first */
  reasons: string[];
  issues: HealthIssue[];
}

export interface NodeHealthOptions {
  /** epoch ms of "now" (the caller's clock; model/ never reads it) */
  now: number;
  /** kube-apiserver gitVersion, e.g. "v1.37.1" */
  serverVersion?: string;
  /**
   * A Ready heartbeat older than this is stale. Real kubelets post status at least every 5 min
   * (nodeStatusReportFrequency) and renew a Lease in between; kwok only every 10–20 min: 25 min default.
   */
  staleAfterMs?: number;
}

export const DEFAULT_STALE_AFTER_MS = 25 * 60_000;

/** Taints the node lifecycle controller and kubelet set (k8s.io/api/core/v1 well_known_taints.go). */
const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';
const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
const PRESSURE_TAINTS: Readonly<Record<string, string>> = {
  'node.kubernetes.io/memory-pressure': 'MemoryPressure',
  'node.kubernetes.io/disk-pressure': 'DiskPressure',
  'node.kubernetes.io/pid-pressure': 'PIDPressure',
};
const NOTABLE_TAINTS = new Set([
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  TAINT_OUT_OF_SERVICE,
  TAINT_NETWORK_UNAVAILABLE,
  ...Object.keys(PRESSURE_TAINTS),
]);

const PRESSURE_CONDITIONS = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

const RANK: Record<HealthLevel, number> = { ok: 0, warning: 1, unknown: 2, critical: 3 };

/** "v1.37.1", "1.33.7-eks-1234", "v1.30.0+k3s1" → {major, minor}. */
export function parseKubeVersion(v: string | undefined): { major: number; minor: number } | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^v?(\d+)\.(\d+)/.exec(v.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/** Kubelet vs API server skew per the version skew policy: kubelet ≤ server, at most 3 minors older. */
export function versionSkew(kubelet: string | undefined, server: string | undefined): VersionSkew | undefined {
  const k = parseKubeVersion(kubelet);
  const s = parseKubeVersion(server);
  if (!k || !s || kubelet === undefined || server === undefined) return undefined;
  const skew = s.minor - k.minor;
  const sameMajor = k.major === s.major;
  return { kubelet, server, skew, sameMajor, supported: sameMajor && skew >= 0 && skew <= 3 };
}

function taintText(t: { key: string; value?: string; effect: string }): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

function conditionText(c: NodeCondition | undefined): string {
  const parts = [str(c?.reason), str(c?.message)].filter((x): x is string => !!x);
  return parts.length ? `: ${parts.join(': ')}` : '';
}

export function nodeHealth(node: Node, opts: NodeHealthOptions): NodeHealth {
  const name = str(node?.metadata?.name) ?? '';
  const conds = node?.status?.conditions;
  const readyCond = condition(conds, 'Ready');
  const readyRaw = str(readyCond?.status);
  const ready: ReadyStatus = readyRaw === 'True' || readyRaw === 'False' ? readyRaw : 'Unknown';
  const issues: HealthIssue[] = [];
  const issue = (severity: HealthIssue['severity'], code: string, message: string) => issues.push({ severity, code, message });

  // Ready
  if (!readyCond) issue('unknown', 'NoReadyCondition', 'No Ready condition reported');
  else if (ready === 'False') issue('critical', 'NotReady', `NotReady${conditionText(readyCond)}`);
  else if (ready === 'Unknown') issue('critical', 'ReadyUnknown', `Ready Unknown${conditionText(readyCond)}`);

  // Staleness of the Ready heartbeat
  const lastHeartbeat = parseTime(readyCond?.lastHeartbeatTime);
  const staleAfter = typeof opts?.staleAfterMs === 'number' && opts.staleAfterMs > 0 ? opts.staleAfterMs : DEFAULT_STALE_AFTER_MS;
  const now = typeof opts?.now === 'number' ? opts.now : Number.NaN;
  const heartbeatAgeMs = lastHeartbeat !== undefined && Number.isFinite(now) ? now - lastHeartbeat : undefined;
  const stale = heartbeatAgeMs !== undefined && heartbeatAgeMs > staleAfter;
  if (stale) issue('unknown', 'Stale', `Stale: Ready heartbeat ${ageText(heartbeatAgeMs)} old (threshold ${ageText(staleAfter)})`);

  // Pressure and network conditions
  const pressures: string[] = [];
  for (const type of PRESSURE_CONDITIONS) {
    const c = condition(conds, type);
    if (c?.status === 'True') {
      pressures.push(type);
      issue('warning', type, `${type}${conditionText(c)}`);
    }
  }
  const net = condition(conds, 'NetworkUnavailable');
  if (net?.status === 'True') {
    pressures.push('NetworkUnavailable');
    issue('critical', 'NetworkUnavailable', `NetworkUnavailable${conditionText(net)}`);
  }

  // Cordon
  const cordoned = isCordoned(node);
  if (cordoned) issue('warning', 'Cordoned', 'Cordoned');

  // Taints: reported verbatim; a reason only where the condition/cordon does not already say it.
  const taints: NodeHealth['taints'] = [];
  for (const t of arr<Taint>(node?.spec?.taints)) {
    const key = str(t?.key);
    const effect = str(t?.effect) ?? '';
    if (!key) continue;
    if (!NOTABLE_TAINTS.has(key) && effect !== 'NoExecute') continue;
    const value = str(t?.value);
    const taint = value ? { key, value, effect } : { key, effect };
    taints.push(taint);
    const text = taintText(taint);
    if (key === TAINT_OUT_OF_SERVICE) issue('critical', 'OutOfService', `OutOfService: taint ${text}`);
    else if (key === TAINT_NOT_READY || key === TAINT_UNREACHABLE) {
      if (ready === 'True') issue('critical', 'Tainted', `Taint ${text} while Ready is True`);
    } else if (key === TAINT_NETWORK_UNAVAILABLE) {
      if (net?.status !== 'True') issue('critical', 'NetworkUnavailable', `NetworkUnavailable: taint ${text}`);
    } else if (key === TAINT_UNSCHEDULABLE) {
      if (!cordoned) issue('warning', 'Unschedulable', `Unschedulable: taint ${text}`);
    } else if (Object.hasOwn(PRESSURE_TAINTS, key)) {
      const cond = PRESSURE_TAINTS[key] ?? key;
      if (!pressures.includes(cond)) issue('warning', cond, `${cond}: taint ${text}`);
    } else {
      issue('warning', 'NoExecute', `NoExecute taint ${text}`);
    }
  }

  // Version skew
  const kubeletVersion = str(node?.status?.nodeInfo?.kubeletVersion);
  const skew = versionSkew(kubeletVersion, opts?.serverVersion);
  if (skew && !skew.supported) {
    const msg = !skew.sameMajor
      ? `kubelet ${skew.kubelet} has a different major version than ${skew.server}`
      : skew.skew < 0
        ? `kubelet ${skew.kubelet} is newer than ${skew.server} (kubelet must not be newer)`
        : `kubelet ${skew.kubelet} is ${skew.skew} minors behind ${skew.server} (max 3)`;
    issue('warning', 'VersionSkew', msg);
  }

  issues.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
  let level: HealthLevel = 'ok';
  for (const i of issues) if (RANK[i.severity] > RANK[level]) level = i.severity;

  const out: NodeHealth = {
    name,
    ready,
    pressures,
    taints,
    cordoned,
    stale,
    level,
    reasons: issues.map((i) => i.message),
    issues,
  };
  const readyReason = str(readyCond?.reason);
  const readyMessage = str(readyCond?.message);
  if (readyReason) out.readyReason = readyReason;
  if (readyMessage) out.readyMessage = readyMessage;
  if (kubeletVersion) out.kubeletVersion = kubeletVersion;
  if (skew) out.versionSkew = skew;
  if (lastHeartbeat !== undefined) out.lastHeartbeat = lastHeartbeat;
  if (heartbeatAgeMs !== undefined) out.heartbeatAgeMs = heartbeatAgeMs;
  return out;
}
