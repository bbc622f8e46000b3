// Accelerators: device-plugin resources per node (whole GPUs, MIG slices, time-sliced/MPS shares,
// AMD, Intel, Habana, Neuron, TPU) and Dynamic Resource Allocation inventory (resource.k8s.io/v1).
//
// Sources:
//  - NVIDIA GPU Feature Discovery labels (NVIDIA/k8s-device-plugin, gpu-feature-discovery):
//    nvidia.com/gpu.product, gpu.count, gpu.memory, mig.strategy, mig-<profile>.{count,memory,product},
//    gpu.replicas, gpu.sharing-strategy, and the "-SHARED" product suffix under time-slicing/MPS.
//  - AMD node labeller (ROCm/k8s-device-plugin cmd/k8s-node-labeller): amd.com/gpu.product-name,
//    amd.com/gpu.vram formatted "%dG" from bytes / 2^30 (so "192G" is 192 GiB).
//  - GKE: cloud.google.com/gke-accelerator, cloud.google.com/gke-tpu-accelerator.
//  - kubelet device manager (pkg/kubelet/cm/devicemanager): node capacity counts healthy and
//    unhealthy devices, allocatable only healthy ones, so unhealthy = capacity - allocatable.
//  - DRA (k8s.io/dynamic-resource-allocation/structured GatherPools, resource.k8s.io/v1 types):
//    only the highest pool generation counts; a pool is complete when resourceSliceCount slices of
//    that generation exist; allocations are claim.status.allocation.devices.results[] naming
//    (driver, pool, device); a claim is in use while status.reservedFor lists consumers.
//  - KEP-5004 (DRA extended resources): a pod whose extended-resource request was served through DRA
//    has pod.status.extendedResourceClaimStatus; its GPUs are counted from the claim, not from the
//    pod's nvidia.com/gpu request (requests.ts podDevicePluginRequests).
import { podsByNode, podsOccupying, resourceListValues } from './capacity.ts';
import { parseQuantity } from './quantity.ts';
import type { AcceleratorResourceDTO, AcceleratorTotalDTO } from '../../common/contract.ts';
import { podDevicePluginRequests } from './requests.ts';
import type { Device, DeviceAttribute, Node, Pod, ResourceClaim, ResourceSlice } from './types.ts';
import { addTo, arr, entries, get, isUnboundPending, labelsOf, nameOf, namespaceOf, num, str } from './util.ts';

export type AcceleratorKind = 'gpu' | 'mig' | 'gpu-share' | 'tpu' | 'neuron-device' | 'neuron-core' | 'gaudi' | 'other';

/** How to read per-device memory from a node label. */
export interface MemoryLabel {
  /** label key; "{resource}" is replaced by the resource name (MIG: nvidia.com/mig-1g.10gb.memory) */
  label: string;
  /** MiB: GFD's *.memory labels (bytes / 2^20); GiB-suffix: AMD's "192G" (bytes / 2^30) */
  unit: 'MiB' | 'GiB-suffix';
}

export interface AcceleratorResourceSpec {
  /** exact resource name ... */
  resource?: string;
  /** ... or a pattern over resource names */
  pattern?: RegExp;
  vendor: string;
  kind: AcceleratorKind;
  /** node labels naming the model, first present wins; "{resource}" is replaced by the resource name */
  modelLabels?: readonly string[];
  memoryLabels?: readonly MemoryLabel[];
  /** counts physical devices (used for per-vendor physical totals when no count label exists) */
  physical?: boolean;
}

/** The known accelerator resources, as data: adding a vendor is adding a row. */
/** AMD's node labeller publishes each label twice: under amd.com/ and, for older readers, beta.amd.com/. */
const withBeta = (label: string): string[] => [label, `beta.${label}`];

export const KNOWN_ACCELERATORS: readonly AcceleratorResourceSpec[] = [
  {
    resource: 'nvidia.com/gpu',
    vendor: 'NVIDIA',
    kind: 'gpu',
    modelLabels: ['nvidia.com/gpu.product', 'cloud.google.com/gke-accelerator'],
    memoryLabels: [{ label: 'nvidia.com/gpu.memory', unit: 'MiB' }],
    physical: true,
  },
  {
    // MIG "mixed" strategy: one resource per profile, e.g. nvidia.com/mig-1g.10gb, mig-3g.40gb,
    // mig-1c.3g.40gb (compute-instance profiles), mig-1g.10gb.me (media extensions).
    pattern: /^nvidia\.com\/mig-(?:\d+c\.)?\d+g\.\d+gb(?:\.me(?:\.all)?)?$/,
    vendor: 'NVIDIA',
    kind: 'mig',
    modelLabels: ['{resource}.product'],
    memoryLabels: [{ label: '{resource}.memory', unit: 'MiB' }],
  },
  {
    // Time-slicing / MPS with renameByDefault: shares are published as nvidia.com/gpu.shared.
    resource: 'nvidia.com/gpu.shared',
    vendor: 'NVIDIA',
    kind: 'gpu-share',
    modelLabels: ['nvidia.com/gpu.product'],
    memoryLabels: [{ label: 'nvidia.com/gpu.memory', unit: 'MiB' }],
  },
  {
    resource: 'amd.com/gpu',
    vendor: 'AMD',
    kind: 'gpu',
    modelLabels: withBeta('amd.com/gpu.product-name'),
    memoryLabels: withBeta('amd.com/gpu.vram').map((label) => ({ label, unit: 'GiB-suffix' as const })),
    physical: true,
  },
  { resource: 'gpu.intel.com/i915', vendor: 'Intel', kind: 'gpu', physical: true },
  { resource: 'gpu.intel.com/xe', vendor: 'Intel', kind: 'gpu', physical: true },
  { resource: 'habana.ai/gaudi', vendor: 'Intel Habana', kind: 'gaudi', physical: true },
  {
    resource: 'aws.amazon.com/neuron',
    vendor: 'AWS',
    kind: 'neuron-device',
    modelLabels: ['node.kubernetes.io/instance-type'],
    physical: true,
  },
  { resource: 'aws.amazon.com/neuroncore', vendor: 'AWS', kind: 'neuron-core', modelLabels: ['node.kubernetes.io/instance-type'] },
  { resource: 'google.com/tpu', vendor: 'Google', kind: 'tpu', modelLabels: ['cloud.google.com/gke-tpu-accelerator'], physical: true },
];

/** Known DRA drivers → vendor (unknown drivers are shown under their own name). */
export const KNOWN_DRA_DRIVERS: readonly { driver: string; vendor: string }[] = [
  { driver: 'gpu.nvidia.com', vendor: 'NVIDIA' },
  { driver: 'gpu.amd.com', vendor: 'AMD' },
  { driver: 'gpu.intel.com', vendor: 'Intel' },
];

export function acceleratorSpec(resource: string): AcceleratorResourceSpec | undefined {
  for (const s of KNOWN_ACCELERATORS) {
    if (s.resource !== undefined ? s.resource === resource : s.pattern?.test(resource)) return s;
  }
  return undefined;
}

/**
 * Any non-standard resource with a vendor domain may be an accelerator (device plugins publish
 * "<domain>/<name>"). Standard names have no domain or use kubernetes.io (k8s.io/api
 * IsNativeResource); hugepages-* and quota names (requests.*) are never devices. Known accelerators
 * are possible accelerators too.
 */
export function isPossibleAccelerator(resource: string): boolean {
  if (typeof resource !== 'string' || !resource.includes('/')) return false;
  if (resource.startsWith('hugepages-') || resource.startsWith('requests.') || resource.startsWith('limits.')) return false;
  const domain = resource.slice(0, resource.indexOf('/'));
  if (!domain || domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io')) return false;
  return true;
}

function vendorOf(resource: string): string {
  return acceleratorSpec(resource)?.vendor ?? resource.slice(0, resource.indexOf('/'));
}

// ------------------------------------------------------------------------------------ node view

export interface NodeAcceleratorResource extends Omit<AcceleratorResourceDTO, 'kind'> {
  kind: AcceleratorKind;
  /** in KNOWN_ACCELERATORS (false: a vendor-domain resource that merely might be one) */
  known: boolean;
}

export interface NodeAccelerators {
  node: string;
  /** nvidia.com/mig.strategy: none | single | mixed */
  migStrategy?: string;
  /** physical devices per vendor: GFD's nvidia.com/gpu.count when present, else whole-device resources */
  physicalByVendor: Record<string, number>;
  resources: NodeAcceleratorResource[];
}

function intLabel(labels: Record<string, string>, key: string): number | undefined {
  const v = get(labels, key);
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number(v);
}

function fill(template: string, resource: string): string {
  return template.replace('{resource}', resource);
}

function readMemory(labels: Record<string, string>, specs: readonly MemoryLabel[] | undefined, resource: string): number | undefined {
  for (const m of specs ?? []) {
    const v = get(labels, fill(m.label, resource));
    if (v === undefined) continue;
    if (m.unit === 'MiB') {
      if (/^\d+$/.test(v)) return Number(v) * 1024 * 1024;
    } else {
      // "192G" / "192Gi" / "192GB" as written by the AMD labeller (GiB); a plain number is GiB too.
      const g = /^(\d+(?:\.\d+)?)\s*(?:G|Gi|GB|GiB)?$/.exec(v.trim());
      if (g) return Math.round(Number(g[1]) * 2 ** 30);
    }
  }
  return undefined;
}

function readModel(labels: Record<string, string>, spec: AcceleratorResourceSpec | undefined, resource: string): string | undefined {
  for (const l of spec?.modelLabels ?? []) {
    const v = get(labels, fill(l, resource));
    if (v) return v;
  }
  return undefined;
}

/** Accelerator resources of one node with their models, memory, MIG and sharing layout. */
export function nodeAccelerators(node: Node, podsOnNode: readonly Pod[]): NodeAccelerators {
  const name = nameOf(node);
  const labels = labelsOf(node);
  const capacity = resourceListValues(node?.status?.capacity);
  const allocatable = resourceListValues(node?.status?.allocatable);
  const allocated = new Map<string, number>();
  for (const p of podsOccupying(name, podsOnNode)) {
    for (const [k, v] of Object.entries(podDevicePluginRequests(p))) if (isPossibleAccelerator(k)) addTo(allocated, k, v);
  }
  const migStrategy = get(labels, 'nvidia.com/mig.strategy');
  const product = get(labels, 'nvidia.com/gpu.product');
  const gpuCount = intLabel(labels, 'nvidia.com/gpu.count');
  const replicasLabel = intLabel(labels, 'nvidia.com/gpu.replicas');
  const sharingStrategy = get(labels, 'nvidia.com/gpu.sharing-strategy');
  const productShared = product?.endsWith('-SHARED') ?? false;

  const names = [...new Set([...capacity.keys(), ...allocatable.keys(), ...allocated.keys()])].filter(isPossibleAccelerator).sort();
  const resources: NodeAcceleratorResource[] = [];
  const physical = new Map<string, number>();
  for (const resource of names) {
    const spec = acceleratorSpec(resource);
    const cap = capacity.get(resource) ?? 0;
    const alloc = allocatable.get(resource) ?? 0;
    const used = allocated.get(resource) ?? 0;
    const r: NodeAcceleratorResource = {
      resource,
      vendor: vendorOf(resource),
      kind: spec?.kind ?? 'other',
      known: spec !== undefined,
      capacity: cap,
      allocatable: alloc,
      unhealthy: Math.max(0, cap - alloc),
      allocated: used,
      free: alloc - used,
    };
    let model = readModel(labels, spec, resource);
    const memoryBytes = readMemory(labels, spec?.memoryLabels, resource);
    if (memoryBytes !== undefined) r.memoryBytes = memoryBytes;

    if (resource === 'nvidia.com/gpu' || resource === 'nvidia.com/gpu.shared') {
      // Sharing: GFD sets gpu.replicas and gpu.sharing-strategy ("none" when off) and appends
      // "-SHARED" to the product; with renameByDefault the shares are nvidia.com/gpu.shared.
      const shared =
        resource === 'nvidia.com/gpu.shared' ||
        (replicasLabel ?? 1) > 1 ||
        (sharingStrategy !== undefined && sharingStrategy !== '' && sharingStrategy !== 'none') ||
        productShared;
      if (model?.endsWith('-SHARED')) model = model.slice(0, -'-SHARED'.length);
      if (shared) {
        const replicas = (replicasLabel ?? 0) > 1 ? (replicasLabel as number) : gpuCount ? Math.max(1, Math.round(cap / gpuCount)) : 1;
        const phys = gpuCount ?? Math.round(cap / replicas);
        r.sharing = {
          strategy: sharingStrategy && sharingStrategy !== 'none' ? sharingStrategy : 'time-slicing',
          replicas,
          physical: phys,
          shares: alloc,
        };
        addTo(physical, r.vendor, phys);
      } else if (migStrategy === 'single' && model) {
        // MIG "single": every GPU is cut the same way and the slices are published as nvidia.com/gpu;
        // the product label carries the profile ("NVIDIA-A100-SXM4-40GB-MIG-1g.5gb").
        const m = /-MIG-(.+)$/.exec(model);
        if (m?.[1]) r.mig = { strategy: 'single', profile: m[1], count: cap, product: model };
      }
      if (!shared && r.mig === undefined && gpuCount === undefined) addTo(physical, r.vendor, cap);
    } else if (spec?.kind === 'mig') {
      const profile = resource.slice('nvidia.com/mig-'.length);
      const mig: NonNullable<NodeAcceleratorResource['mig']> = { profile };
      if (migStrategy) mig.strategy = migStrategy;
      const count = intLabel(labels, `${resource}.count`);
      if (count !== undefined) mig.count = count;
      const migProduct = get(labels, `${resource}.product`);
      if (migProduct) mig.product = migProduct;
      if (memoryBytes !== undefined) mig.memoryBytes = memoryBytes;
      r.mig = mig;
      // The model of a slice is the parent GPU's product.
      model = product;
    } else if (spec?.physical) {
      addTo(physical, r.vendor, cap);
    }
    if (model) r.model = model;
    resources.push(r);
  }
  // GFD's gpu.count is the number of physical NVIDIA GPUs whatever the MIG/sharing layout.
  if (gpuCount !== undefined && resources.some((r) => r.vendor === 'NVIDIA')) physical.set('NVIDIA', gpuCount);
  const out: NodeAccelerators = { node: name, physicalByVendor: Object.fromEntries(physical), resources };
  if (migStrategy) out.migStrategy = migStrategy;
  return out;
}

// ------------------------------------------------------------------------------------ DRA

export interface DraPool {
  driver: string;
  pool: string;
  /** the highest generation seen; older generations are being replaced and are ignored */
  generation: number;
  resourceSliceCount: number;
  slicesSeen: number;
  /** slices ignored because a newer generation of the pool exists */
  staleSlices: number;
  complete: boolean;
  /** node-local pool (spec.nodeName); undefined for nodeSelector/allNodes pools */
  node?: string;
  nodeLocal: boolean;
  devices: number;
  /** device names listed twice in the pool (GatherPools marks such a pool invalid) */
  duplicateDevices: string[];
  /** the pool's node is not among the nodes passed in */
  nodeMissing?: boolean;
}

export interface DraConsumer {
  resource: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export interface DraDevice {
  driver: string;
  pool: string;
  name: string;
  node?: string;
  nodeLocal: boolean;
  poolComplete: boolean;
  attributes: Record<string, string | number | boolean>;
  productName?: string;
  memoryBytes?: number;
  capacity: Record<string, number>;
  taints: { key: string; value?: string; effect: string }[];
  allocated: boolean;
  inUse: boolean;
  claims: { namespace?: string; name: string }[];
  consumers: DraConsumer[];
}

export interface DraClaimSummary {
  namespace?: string;
  name: string;
  allocated: boolean;
  inUse: boolean;
  devices: { driver: string; pool: string; device: string; request?: string; adminAccess?: boolean }[];
  consumers: DraConsumer[];
  /** allocation results that name no device of a current pool generation */
  unknownDevices: number;
}

export interface DraNodeSummary {
  node: string;
  devices: number;
  allocated: number;
  inUse: number;
  byModel: Record<string, number>;
}

export interface DraInventory {
  pools: DraPool[];
  incompletePools: DraPool[];
  /** pools published with nodeSelector/allNodes: not tied to one node */
  sharedPools: DraPool[];
  devices: DraDevice[];
  nodes: Record<string, DraNodeSummary>;
  claims: DraClaimSummary[];
  totals: { devices: number; allocated: number; inUse: number; claims: number; allocatedClaims: number; reservedClaims: number };
}

const SEP = '\u0000';

function attributeValue(a: DeviceAttribute | undefined): string | number | boolean | undefined {
  if (a === null || typeof a !== 'object') return undefined;
  if (typeof a.string === 'string') return a.string;
  if (typeof a.version === 'string') return a.version;
  if (typeof a.int === 'number') return a.int;
  if (typeof a.bool === 'boolean') return a.bool;
  return undefined;
}

/** An attribute or capacity key, unqualified or qualified with the driver's domain. */
function lookup<V>(m: Map<string, V>, driver: string, key: string): V | undefined {
  return m.get(key) ?? m.get(`${driver}/${key}`);
}

/**
 * DRA inventory: pools (highest generation only), devices with attributes, and which devices claims
 * allocated (status.allocation.devices.results, joined on driver/pool/device) and use
 * (status.reservedFor non-empty). Devices of incomplete pools are listed (the allocator still
 * allocates from them for ExactCount requests) and the pool is reported incomplete.
 * adminAccess results do not make a device allocated: admin access does not consume it.
 */
export function draInventory(slices: readonly ResourceSlice[], claims: readonly ResourceClaim[], nodes?: readonly Node[]): DraInventory {
  // 1. Highest generation per (driver, pool).
  type Group = { driver: string; pool: string; generation: number; slices: ResourceSlice[]; stale: number };
  const groups = new Map<string, Group>();
  for (const s of arr(slices)) {
    const driver = str(s?.spec?.driver);
    const pool = str(s?.spec?.pool?.name);
    if (!driver || !pool) continue;
    const generation = num(s?.spec?.pool?.generation) ?? 0;
    const key = driver + SEP + pool;
    const g = groups.get(key);
    if (!g) groups.set(key, { driver, pool, generation, slices: [s], stale: 0 });
    else if (generation > g.generation) {
      g.stale += g.slices.length;
      g.generation = generation;
      g.slices = [s];
    } else if (generation === g.generation) g.slices.push(s);
    else g.stale++;
  }
  const nodeNames = nodes ? new Set(arr(nodes).map(nameOf)) : undefined;

  // 2. Claims: allocation results and consumers.
  const claimSummaries: DraClaimSummary[] = [];
  const byDevice = new Map<string, { claims: { namespace?: string; name: string }[]; consumers: DraConsumer[]; inUse: boolean }>();
  for (const c of arr(claims)) {
    const namespace = namespaceOf(c);
    const name = nameOf(c);
    const consumers: DraConsumer[] = [];
    for (const r of arr(c?.status?.reservedFor)) {
      const cname = str(r?.name);
      if (!cname) continue;
      const consumer: DraConsumer = { resource: str(r?.resource) ?? 'pods', name: cname };
      if (namespace) consumer.namespace = namespace;
      const uid = str(r?.uid);
      if (uid) consumer.uid = uid;
      consumers.push(consumer);
    }
    const devices: DraClaimSummary['devices'] = [];
    for (const r of arr(c?.status?.allocation?.devices?.results)) {
      const driver = str(r?.driver);
      const pool = str(r?.pool);
      const device = str(r?.device);
      if (!driver || !pool || !device) continue;
      const d: DraClaimSummary['devices'][number] = { driver, pool, device };
      const request = str(r?.request);
      if (request) d.request = request;
      if (r?.adminAccess === true) d.adminAccess = true;
      devices.push(d);
    }
    const allocated = c?.status?.allocation !== undefined && c?.status?.allocation !== null;
    const summary: DraClaimSummary = { name, allocated, inUse: consumers.length > 0, devices, consumers, unknownDevices: 0 };
    if (namespace) summary.namespace = namespace;
    claimSummaries.push(summary);
    for (const d of devices) {
      if (d.adminAccess) continue;
      const key = d.driver + SEP + d.pool + SEP + d.device;
      let e = byDevice.get(key);
      if (!e) byDevice.set(key, (e = { claims: [], consumers: [], inUse: false }));
      e.claims.push(namespace ? { namespace, name } : { name });
      e.consumers.push(...consumers);
      if (consumers.length > 0) e.inUse = true;
    }
  }

  // 3. Devices of current generations.
  const pools: DraPool[] = [];
  const devices: DraDevice[] = [];
  const known = new Set<string>();
  for (const g of [...groups.values()].sort((a, b) => (a.driver + SEP + a.pool < b.driver + SEP + b.pool ? -1 : 1))) {
    const first = g.slices[0];
    const expected = num(first?.spec?.pool?.resourceSliceCount) ?? 1;
    const poolNode = str(first?.spec?.nodeName);
    const complete = g.slices.length >= expected;
    const seen = new Set<string>();
    const duplicates: string[] = [];
    for (const s of g.slices) {
      const sliceNode = str(s?.spec?.nodeName);
      const perDevice = s?.spec?.perDeviceNodeSelection === true;
      for (const d of arr<Device>(s?.spec?.devices)) {
        const dname = str(d?.name);
        if (!dname) continue;
        if (seen.has(dname)) {
          duplicates.push(dname);
          continue;
        }
        seen.add(dname);
        const node = perDevice ? str(d?.nodeName) : sliceNode;
        const attributes = new Map<string, string | number | boolean>();
        for (const [k, a] of entries(d?.attributes)) {
          const v = attributeValue(a);
          if (v !== undefined) attributes.set(k, v);
        }
        const capacity = new Map<string, number>();
        for (const [k, c] of entries(d?.capacity)) {
          const v = parseQuantity((c as { value?: unknown } | null)?.value);
          if (!Number.isNaN(v)) capacity.set(k, v);
        }
        const taints: DraDevice['taints'] = [];
        for (const t of arr(d?.taints)) {
          const key = str(t?.key);
          if (!key) continue;
          const value = str(t?.value);
          taints.push(value ? { key, value, effect: str(t?.effect) ?? '' } : { key, effect: str(t?.effect) ?? '' });
        }
        const key = g.driver + SEP + g.pool + SEP + dname;
        known.add(key);
        const use = byDevice.get(key);
        const dev: DraDevice = {
          driver: g.driver,
          pool: g.pool,
          name: dname,
          nodeLocal: node !== undefined,
          poolComplete: complete,
          attributes: Object.fromEntries(attributes),
          capacity: Object.fromEntries(capacity),
          taints,
          allocated: use !== undefined,
          inUse: use?.inUse ?? false,
          claims: use?.claims ?? [],
          consumers: use?.consumers ?? [],
        };
        if (node) dev.node = node;
        const product = lookup(attributes, g.driver, 'productName');
        if (typeof product === 'string') dev.productName = product;
        const memory = lookup(capacity, g.driver, 'memory');
        if (memory !== undefined) dev.memoryBytes = memory;
        devices.push(dev);
      }
    }
    const pool: DraPool = {
      driver: g.driver,
      pool: g.pool,
      generation: g.generation,
      resourceSliceCount: expected,
      slicesSeen: g.slices.length,
      staleSlices: g.stale,
      complete,
      nodeLocal: poolNode !== undefined,
      devices: seen.size,
      duplicateDevices: duplicates,
    };
    if (poolNode) {
      pool.node = poolNode;
      if (nodeNames && !nodeNames.has(poolNode)) pool.nodeMissing = true;
    }
    pools.push(pool);
  }
  for (const c of claimSummaries) {
    c.unknownDevices = c.devices.filter((d) => !known.has(d.driver + SEP + d.pool + SEP + d.device)).length;
  }

  // 4. Per node.
  const perNode = new Map<string, DraNodeSummary>();
  const byModel = new Map<string, Map<string, number>>();
  for (const d of devices) {
    if (!d.node) continue;
    let s = perNode.get(d.node);
    if (!s) perNode.set(d.node, (s = { node: d.node, devices: 0, allocated: 0, inUse: 0, byModel: {} }));
    s.devices++;
    if (d.allocated) s.allocated++;
    if (d.inUse) s.inUse++;
    let models = byModel.get(d.node);
    if (!models) byModel.set(d.node, (models = new Map()));
    addTo(models, d.productName ?? d.driver, 1);
  }
  for (const [n, s] of perNode) s.byModel = Object.fromEntries(byModel.get(n) ?? []);

  return {
    pools,
    incompletePools: pools.filter((p) => !p.complete),
    sharedPools: pools.filter((p) => !p.nodeLocal),
    devices,
    nodes: Object.fromEntries(perNode),
    claims: claimSummaries,
    totals: {
      devices: devices.length,
      allocated: devices.filter((d) => d.allocated).length,
      inUse: devices.filter((d) => d.inUse).length,
      claims: claimSummaries.length,
      allocatedClaims: claimSummaries.filter((c) => c.allocated).length,
      reservedClaims: claimSummaries.filter((c) => c.inUse).length,
    },
  };
}

// ------------------------------------------------------------------------------------ cluster rollup

export interface AcceleratorTotal extends Omit<AcceleratorTotalDTO, 'kind'> {
  kind: AcceleratorKind;
}

export interface ClusterAccelerators {
  totals: AcceleratorTotal[];
  vendors: Record<string, { nodes: number; physical: number }>;
  /** unbound Pending pods asking for accelerator resources (requests served by DRA excluded) */
  pending: { pods: number; requests: Record<string, number> };
  /** unbound Pending pods that reference ResourceClaims: queued DRA demand */
  pendingDraPods: number;
  dra: DraInventory['totals'] & { incompletePools: number; sharedPools: number };
  nodes: NodeAccelerators[];
}

export interface ClusterAcceleratorsInput {
  nodes: readonly Node[];
  pods: readonly Pod[];
  resourceSlices?: readonly ResourceSlice[];
  resourceClaims?: readonly ResourceClaim[];
  /** a precomputed draInventory(resourceSlices, resourceClaims, nodes), to avoid doing it twice */
  dra?: DraInventory;
}

function draVendor(driver: string): string {
  return KNOWN_DRA_DRIVERS.find((d) => d.driver === driver)?.vendor ?? driver;
}

/** The total of (source, vendor, model, resource), created at zero the first time it is asked for. */
function totalOf(
  totals: Map<string, AcceleratorTotal>,
  row: Pick<AcceleratorTotal, 'source' | 'vendor' | 'model' | 'resource' | 'kind'>,
): AcceleratorTotal {
  const key = [row.source, row.vendor, row.model, row.resource].join(SEP);
  let t = totals.get(key);
  if (!t) {
    t = { ...row, nodes: 0, capacity: 0, allocatable: 0, unhealthy: 0, allocated: 0, free: 0 };
    // DRA devices are in use while a claim reserves them; device plugins do not say.
    if (row.source === 'dra') t.inUse = 0;
    totals.set(key, t);
  }
  return t;
}

/**
 * Fleet rollup for one cluster: device-plugin accelerators per (vendor, model, resource), DRA
 * devices per (vendor, model, driver), physical devices per vendor, and queued accelerator demand.
 */
export function clusterAccelerators(input: ClusterAcceleratorsInput): ClusterAccelerators {
  const byNode = podsByNode(input?.pods ?? []);
  const totals = new Map<string, AcceleratorTotal>();
  const vendors = new Map<string, { nodes: number; physical: number }>();
  const nodeViews: NodeAccelerators[] = [];
  for (const node of arr(input?.nodes)) {
    const view = nodeAccelerators(node, byNode.get(nameOf(node)) ?? []);
    if (view.resources.length === 0) continue;
    nodeViews.push(view);
    const seenVendors = new Set<string>();
    for (const r of view.resources) {
      const t = totalOf(totals, {
        source: 'device-plugin',
        vendor: r.vendor,
        model: r.model ?? r.resource,
        resource: r.resource,
        kind: r.kind,
      });
      t.nodes++;
      t.capacity += r.capacity;
      t.allocatable += r.allocatable;
      t.unhealthy += r.unhealthy;
      t.allocated += r.allocated;
      t.free += r.free;
      if (r.sharing) t.physical = (t.physical ?? 0) + r.sharing.physical;
      if (r.known) seenVendors.add(r.vendor);
    }
    for (const v of seenVendors) {
      const e = vendors.get(v) ?? { nodes: 0, physical: 0 };
      e.nodes++;
      e.physical += view.physicalByVendor[v] ?? 0;
      vendors.set(v, e);
    }
  }

  const dra = input?.dra ?? draInventory(input?.resourceSlices ?? [], input?.resourceClaims ?? [], input?.nodes);
  const draNodesByTotal = new Map<AcceleratorTotal, Set<string>>();
  const draVendorNodes = new Map<string, Set<string>>();
  for (const d of dra.devices) {
    const vendor = draVendor(d.driver);
    const kind = KNOWN_DRA_DRIVERS.some((k) => k.driver === d.driver) ? 'gpu' : 'other';
    const t = totalOf(totals, { source: 'dra', vendor, model: d.productName ?? d.driver, resource: d.driver, kind });
    // A NoSchedule/NoExecute device taint keeps the allocator away from the device.
    const tainted = d.taints.some((x) => x.effect === 'NoSchedule' || x.effect === 'NoExecute');
    t.capacity++;
    if (tainted) t.unhealthy++;
    else t.allocatable++;
    if (d.allocated) t.allocated++;
    if (d.inUse) t.inUse = (t.inUse ?? 0) + 1;
    t.free = t.allocatable - t.allocated;
    if (d.node) {
      let s = draNodesByTotal.get(t);
      if (!s) draNodesByTotal.set(t, (s = new Set()));
      s.add(d.node);
      let vs = draVendorNodes.get(vendor);
      if (!vs) draVendorNodes.set(vendor, (vs = new Set()));
      vs.add(d.node);
    }
    const e = vendors.get(vendor) ?? { nodes: 0, physical: 0 };
    e.physical++;
    vendors.set(vendor, e);
  }
  for (const [t, s] of draNodesByTotal) t.nodes = s.size;
  for (const [vendor, s] of draVendorNodes) {
    const e = vendors.get(vendor);
    if (e) e.nodes += s.size;
  }

  const pendingRequests = new Map<string, number>();
  let pendingPods = 0;
  let pendingDraPods = 0;
  for (const p of arr(input?.pods)) {
    if (!isUnboundPending(p)) continue;
    if (arr(p?.spec?.resourceClaims).length > 0) pendingDraPods++;
    let counted = false;
    for (const [k, v] of Object.entries(podDevicePluginRequests(p))) {
      if (!isPossibleAccelerator(k) || v <= 0) continue;
      addTo(pendingRequests, k, v);
      counted = true;
    }
    if (counted) pendingPods++;
  }

  return {
    totals: [...totals.values()].sort((a, b) =>
      a.source !== b.source
        ? a.source < b.source
          ? -1
          : 1
        : a.vendor !== b.vendor
          ? a.vendor < b.vendor
            ? -1
            : 1
          : a.model < b.model
            ? -1
            : a.model > b.model
              ? 1
              : a.resource < b.resource
                ? -1
                : 1,
    ),
    vendors: Object.fromEntries(vendors),
    pending: { pods: pendingPods, requests: Object.fromEntries(pendingRequests) },
    pendingDraPods,
    dra: { ...dra.totals, incompletePools: dra.incompletePools.length, sharedPools: dra.sharedPools.length },
    nodes: nodeViews,
  };
}
