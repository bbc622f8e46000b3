// Effective pod requests and limits, as the scheduler and `kubectl describe node` count them.
//
// Follows k8s.io/component-helpers/resource (helpers.go) PodRequests / PodLimits with default
// options (spec values, overhead included), which kubectl describe node uses for "Allocated
// resources" (kubectl/pkg/describe: getPodsTotalRequestsAndLimits → resourcehelper.PodRequestsAndLimits):
//
//   1. sum the app containers;
//   2. walk init containers in order (KEP-753 sidecar containers): a restartable one (restartPolicy
//      "Always") adds to that sum AND to a running sidecar total; an ordinary init container runs
//      next to the sidecars started before it, so its candidate is its own request + that running
//      sidecar total; restartable ones contribute the running sidecar total as their candidate;
//   3. result = per-resource max(sum, peak candidate);
//   4. pod-level spec.resources (KEP-2837) override for cpu, memory and hugepages-* only
//      (IsSupportedPodLevelResource);
//   5. + spec.overhead (for limits: only onto limits that are set and non-zero).
//
// API defaulting (pkg/apis/core/v1/defaults.go SetDefaults_Pod) sets a container's missing request
// to its limit; objects read from the server already carry it, but templates and hand-written
// fixtures may not, and for extended resources (nvidia.com/gpu: limit only) it decides everything,
// so we apply it here too, and likewise defaultPodRequests for pod-level requests.
//
// All arithmetic is exact (BigInt nanounits, see quantity.ts); only the final per-pod values are
// rounded: cpu to millicores (MilliValue), the rest up to integers (Value), like the scheduler's
// NodeInfo does per pod.
import { nanosFor, parseQuantityNanos } from './quantity.ts';
import type { Container, Pod, ResourceList } from './types.ts';
import { arr, entries } from './util.ts';

type Exact = Map<string, bigint>;

/** Resources the pod-level resources feature honours (component-helpers IsSupportedPodLevelResource). */
export function isSupportedPodLevelResource(name: string): boolean {
  return name === 'cpu' || name === 'memory' || name.startsWith('hugepages-');
}

function exactList(list: ResourceList | null | undefined): Exact {
  const out: Exact = new Map();
  for (const [name, q] of entries(list)) {
    const n = parseQuantityNanos(q);
    if (n !== undefined) out.set(name, n);
  }
  return out;
}

function add(into: Exact, from: Exact): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0n) + v);
}

function maxInto(into: Exact, from: Exact): void {
  for (const [k, v] of from) {
    const cur = into.get(k);
    if (cur === undefined || v > cur) into.set(k, v);
  }
}

/** Container requests after API defaulting: a resource with a limit but no request requests its limit. */
function containerRequests(c: Container): Exact {
  const out = exactList(c?.resources?.limits);
  for (const [k, v] of exactList(c?.resources?.requests)) out.set(k, v);
  return out;
}

function containerLimits(c: Container): Exact {
  return exactList(c?.resources?.limits);
}

/** aggregateContainerResourcesByFn: app sum + sidecars, max'd with the init-container peak. */
function aggregate(pod: Pod, of: (c: Container) => Exact): Exact {
  const result: Exact = new Map();
  for (const c of arr(pod?.spec?.containers)) add(result, of(c));
  const sidecars: Exact = new Map();
  const initPeak: Exact = new Map();
  for (const c of arr(pod?.spec?.initContainers)) {
    const own = of(c);
    if (c?.restartPolicy === 'Always') {
      add(result, own);
      add(sidecars, own);
      maxInto(initPeak, sidecars);
    } else {
      const candidate: Exact = new Map(own);
      add(candidate, sidecars);
      maxInto(initPeak, candidate);
    }
  }
  maxInto(result, initPeak);
  return result;
}

function finish(m: Exact): Record<string, number> {
  return Object.fromEntries([...m].map(([k, v]) => [k, nanosFor(k, v)]));
}

/** Exact effective requests (nanounits) — for callers that sum many pods without rounding. */
export function podRequestsExact(pod: Pod): Map<string, bigint> {
  const reqs = aggregate(pod, containerRequests);
  const podLevel = exactList(pod?.spec?.resources?.requests);
  // pkg/apis/core/v1/defaults.go defaultPodRequests, for objects that were not defaulted: with a
  // pod-level limit and no pod-level request, an overcommittable resource (cpu, memory) that
  // containers request keeps the containers' aggregate; otherwise (nobody requests it, or hugepages)
  // the request becomes the pod-level limit.
  for (const [k, v] of exactList(pod?.spec?.resources?.limits)) {
    if (!isSupportedPodLevelResource(k) || podLevel.has(k)) continue;
    if (!reqs.has(k) || k.startsWith('hugepages-')) podLevel.set(k, v);
  }
  for (const [k, v] of podLevel) if (isSupportedPodLevelResource(k)) reqs.set(k, v);
  add(reqs, exactList(pod?.spec?.overhead));
  return reqs;
}

/** Exact effective limits (nanounits). */
export function podLimitsExact(pod: Pod): Map<string, bigint> {
  const limits = aggregate(pod, containerLimits);
  for (const [k, v] of exactList(pod?.spec?.resources?.limits)) if (isSupportedPodLevelResource(k)) limits.set(k, v);
  // PodLimits: "Add overhead to non-zero limits": an unset limit means unlimited and stays unset.
  for (const [k, v] of exactList(pod?.spec?.overhead)) {
    const cur = limits.get(k);
    if (cur !== undefined && cur !== 0n) limits.set(k, cur + v);
  }
  return limits;
}

/**
 * Effective pod requests: cpu in millicores, memory/storage/hugepages in bytes, everything else a
 * count. Resources nobody requests are absent (not 0).
 */
export function podRequests(pod: Pod): Record<string, number> {
  return finish(podRequestsExact(pod));
}

/** Effective pod limits in the same units as podRequests; absent means unlimited. */
export function podLimits(pod: Pod): Record<string, number> {
  return finish(podLimitsExact(pod));
}

/**
 * Extended resources of this pod that the scheduler served through DRA instead of a device plugin
 * (KEP-5004, pod.status.extendedResourceClaimStatus). They are accounted as ResourceClaim
 * allocations, so counting them again against node allocatable would double count. When the status
 * is present without mappings, every non-native resource is treated as DRA-served.
 */
export function draServedResources(pod: Pod): Set<string> | 'all-extended' | undefined {
  const st = pod?.status?.extendedResourceClaimStatus;
  if (st === undefined || st === null || typeof st !== 'object') return undefined;
  const out = new Set<string>();
  for (const m of arr(st.requestMappings)) {
    const r =
      (m as { resourceName?: unknown; extendedResourceName?: unknown } | null)?.resourceName ??
      (m as { extendedResourceName?: unknown } | null)?.extendedResourceName;
    if (typeof r === 'string' && r) out.add(r);
  }
  return out.size > 0 ? out : 'all-extended';
}

/** Native (kubernetes.io-domain) resource names: cpu, memory, ephemeral-storage, pods, hugepages-*, ... */
export function isNativeResource(name: string): boolean {
  if (!name.includes('/')) return true;
  const domain = name.slice(0, name.indexOf('/'));
  return domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io');
}

/** podRequests minus the extended resources served by DRA (see draServedResources). */
export function podDevicePluginRequests(pod: Pod): Record<string, number> {
  const reqs = podRequests(pod);
  const served = draServedResources(pod);
  if (served === undefined) return reqs;
  return Object.fromEntries(Object.entries(reqs).filter(([k]) => (served === 'all-extended' ? isNativeResource(k) : !served.has(k))));
}
