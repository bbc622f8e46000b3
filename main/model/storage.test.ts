import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { iso, node, NOW, pod } from './fixtures.ts';
import { storageHealth, type CoverageState, type StorageHealthInput } from './storage.ts';
import type { CSINode, DaemonSet, Pod } from './types.ts';

const CEPHFS = 'cephfs.csi.ceph.com';
const RBD = 'rbd.csi.ceph.com';
const CVMFS = 'cvmfs.csi.cern.ch';
const NFS = 'nfs.csi.k8s.io';

/** ceph-csi style node plugin: the registrar names the registration path. */
function registrarDs(namespace: string, name: string, driver: string): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'driver-registrar',
              image: 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.15.0',
              args: ['--v=1', '--csi-address=/csi/csi.sock', `--kubelet-registration-path=/var/lib/kubelet/plugins/${driver}/csi.sock`],
            },
            {
              name: 'plugin',
              image: 'quay.io/cephcsi/cephcsi:v3.14.1',
              args: ['--nodeid=$(NODE_ID)', '--type=cephfs', '--nodeserver=true'],
            },
          ],
          volumes: [{ name: 'socket-dir', hostPath: { path: `/var/lib/kubelet/plugins/${driver}`, type: 'DirectoryOrCreate' } }],
        },
      },
    },
  };
}

/** The lab's node plugins: no registration path anywhere, only the name says which driver. */
function labDs(namespace: string, name: string): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace },
    spec: { template: { spec: { containers: [{ name, image: `registry.lab.local/${name}:v3.14.1` }] } } },
  };
}

function pluginPod(ds: DaemonSet, nodeName: string, ready = true): Pod {
  return pod(`${ds.metadata!.name}-${nodeName}`, {
    namespace: ds.metadata!.namespace!,
    nodeName,
    ready,
    owner: { kind: 'DaemonSet', name: ds.metadata!.name! },
  });
}

function csiNode(name: string, drivers: string[]): CSINode {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSINode',
    metadata: { name },
    spec: {
      drivers: drivers.map((d) => ({ name: d, nodeID: name, topologyKeys: null, ...(d === RBD ? { allocatable: { count: 64 } } : {}) })),
    },
  };
}

const dsCephfs = registrarDs('ceph-csi', 'csi-cephfsplugin', CEPHFS);
const dsRbd = labDs('ceph-csi', 'csi-rbdplugin');
const dsCvmfs = labDs('cvmfs', 'cvmfs-csi-nodeplugin');
const dsNfs = labDs('nfs-csi', 'csi-nfs-node');
// csi-driver-nfs style: only the plugin's own flag names the driver
dsNfs.spec!.template!.spec!.containers![0]!.args = ['--v=5', '--nodeid=$(NODE_ID)', `--drivername=${NFS}`];
const nodes = ['node-001', 'node-002', 'node-003', 'node-004', 'node-005'];

const input: StorageHealthInput = {
  csiDrivers: [CEPHFS, RBD, CVMFS, NFS].map((d) => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: { name: d },
    spec: { attachRequired: d === RBD, storageCapacity: d === RBD },
  })),
  nodes: nodes.map((n) => node(n)),
  csiNodes: [
    csiNode('node-001', [CEPHFS, RBD, CVMFS, NFS]),
    csiNode('node-002', [CEPHFS, RBD, NFS]), // cvmfs never registered: its plugin pod is NotReady
    csiNode('node-003', [CEPHFS, RBD, CVMFS, NFS]), // nfs plugin pod NotReady but still registered
    // node-004 has no CSINode at all
    csiNode('node-005', []), // no plugins run here (e.g. excluded by nodeSelector)
  ],
  daemonSets: [dsCephfs, dsRbd, dsCvmfs, dsNfs, labDs('kube-system', 'kube-proxy')],
  pods: [
    ...['node-001', 'node-002', 'node-003', 'node-004'].flatMap((n) => [
      pluginPod(dsCephfs, n),
      pluginPod(dsRbd, n),
      pluginPod(dsCvmfs, n, n !== 'node-002'),
      pluginPod(dsNfs, n, n !== 'node-003'),
    ]),
    pod('cvmfs-reader', { namespace: 'storage-demo', nodeName: 'node-002', phase: 'Pending' }),
    { ...pluginPod(dsCvmfs, 'node-005', false), status: { phase: 'Failed', reason: 'Evicted' } },
  ],
  events: [
    {
      kind: 'Event',
      metadata: { name: 'cvmfs-reader.1', namespace: 'storage-demo' },
      involvedObject: { kind: 'Pod', name: 'cvmfs-reader', namespace: 'storage-demo' },
      type: 'Warning',
      reason: 'FailedMount',
      message:
        'MountVolume.SetUp failed for volume "cvmfs" : kubernetes.io/csi: mounter.SetUpAt failed to get CSI client: driver name cvmfs.csi.cern.ch not found in the list of registered CSI drivers',
      count: 9,
      lastTimestamp: iso(NOW - 60_000),
    },
  ],
  volumeAttachments: [
    {
      metadata: { name: 'csi-0123' },
      spec: { attacher: RBD, nodeName: 'node-003', source: { persistentVolumeName: 'pv-rbd-scratch' } },
      status: {
        attached: false,
        attachError: { time: iso(NOW - 300_000), message: 'rpc error: code = Internal desc = rbd: map failed <script>x</script>' },
      },
    },
    {
      metadata: { name: 'csi-4567' },
      spec: { attacher: RBD, nodeName: 'node-001', source: { persistentVolumeName: 'pv-rbd-old' } },
      status: { attached: true, detachError: { message: 'timed out' } },
    },
    { metadata: { name: 'csi-ok' }, spec: { attacher: RBD, nodeName: 'node-001' }, status: { attached: true } },
  ],
  storageClasses: [
    { metadata: { name: 'rbd' }, provisioner: RBD, volumeBindingMode: 'WaitForFirstConsumer' },
    { metadata: { name: 'manila-nfs' }, provisioner: 'nfs.manila.csi.openstack.org', volumeBindingMode: 'Immediate' },
    { metadata: { name: 'eosxd' }, provisioner: 'eosxd.csi.cern.ch' },
  ],
  pvcs: [
    {
      metadata: { name: 'scratch-manila', namespace: 'storage-demo', creationTimestamp: iso(NOW - 600_000) },
      spec: { storageClassName: 'manila-nfs' },
      status: { phase: 'Pending' },
    },
    { metadata: { name: 'wffc', namespace: 'storage-demo' }, spec: { storageClassName: 'rbd' }, status: { phase: 'Pending' } },
    {
      metadata: { name: 'archive-eos', namespace: 'storage-demo' },
      spec: { storageClassName: 'eosxd', volumeName: 'pv-eos-archive' },
      status: { phase: 'Lost' },
    },
    {
      metadata: { name: 'data-0', namespace: 'storage-demo' },
      spec: { storageClassName: 'rbd' },
      status: {
        phase: 'Bound',
        conditions: [{ type: 'ControllerResizeError', status: 'True', message: 'quota exceeded' }],
        allocatedResourceStatuses: { storage: 'ControllerResizeInfeasible' },
      },
    },
    {
      metadata: { name: 'data-1', namespace: 'storage-demo' },
      spec: { storageClassName: 'rbd' },
      status: { phase: 'Bound', conditions: [{ type: 'FileSystemResizePending', status: 'True' }] },
    },
    { metadata: { name: 'fine', namespace: 'storage-demo' }, status: { phase: 'Bound' } },
  ],
  pvs: [
    {
      metadata: { name: 'pv-rbd-old-results' },
      spec: { persistentVolumeReclaimPolicy: 'Retain', csi: { driver: RBD }, claimRef: { namespace: 'storage-demo', name: 'old-results' } },
      status: { phase: 'Released' },
    },
    {
      metadata: { name: 'pv-stuck' },
      spec: { persistentVolumeReclaimPolicy: 'Delete', csi: { driver: RBD } },
      status: { phase: 'Released' },
    },
    { metadata: { name: 'pv-broken' }, spec: { csi: { driver: CEPHFS } }, status: { phase: 'Failed', message: 'recycler failed' } },
    { metadata: { name: 'pv-ok' }, status: { phase: 'Bound' } },
  ],
  volumeSnapshots: [
    { metadata: { name: 'data-0-nightly', namespace: 'storage-demo' }, status: { readyToUse: true, restoreSize: '100Gi' } },
    {
      metadata: { name: 'scratch-nightly', namespace: 'storage-demo' },
      status: { readyToUse: false, error: { time: iso(NOW), message: 'rbd: ret=-28, No space left on device' } },
    },
    { metadata: { name: 'in-progress', namespace: 'storage-demo' }, status: { readyToUse: false } },
    { metadata: { name: 'new', namespace: 'storage-demo' } },
  ],
  csiStorageCapacities: [
    {
      metadata: { name: 'csisc-rbd-zone-a', namespace: 'ceph-csi' },
      storageClassName: 'rbd',
      nodeTopology: { matchLabels: { 'topology.kubernetes.io/zone': 'zone-a' } },
      capacity: '10Ti',
    },
    {
      metadata: { name: 'csisc-rbd-zone-c', namespace: 'ceph-csi' },
      storageClassName: 'rbd',
      nodeTopology: { matchLabels: { 'topology.kubernetes.io/zone': 'zone-c' } },
      capacity: '0',
    },
    { metadata: { name: 'no-capacity-field', namespace: 'ceph-csi' }, storageClassName: 'rbd' },
  ],
};

const h = storageHealth(input, NOW);

describe('storageHealth: coverage matrix', () => {
  it('drivers and nodes', () => {
    assert.deepEqual(h.matrix.drivers, [CEPHFS, CVMFS, NFS, RBD]);
    assert.deepEqual(h.matrix.nodes, nodes);
  });
  const cases: [string, string, CoverageState][] = [
    [CEPHFS, 'node-001', 'registered'],
    [CVMFS, 'node-001', 'registered'],
    [CVMFS, 'node-002', 'plugin-not-ready'],
    [NFS, 'node-003', 'plugin-not-ready'],
    [CEPHFS, 'node-004', 'missing'],
    [RBD, 'node-004', 'missing'],
    [CVMFS, 'node-004', 'missing'],
    [CEPHFS, 'node-005', 'not-expected'],
    [CVMFS, 'node-005', 'not-expected'], // the evicted (Failed) plugin pod says nothing
  ];
  for (const [d, n, state] of cases) it(`${d} on ${n}: ${state}`, () => assert.equal(h.matrix.cells[d]?.[n]?.state, state));

  it('cell details: CSINode presence, volume limit, plugin pods, mount errors', () => {
    assert.equal(h.matrix.cells[CEPHFS]?.['node-004']?.csiNode, false);
    assert.equal(h.matrix.cells[RBD]?.['node-001']?.volumeLimit, 64);
    assert.deepEqual(h.matrix.cells[CVMFS]?.['node-002']?.pluginPods, [
      { namespace: 'cvmfs', name: 'cvmfs-csi-nodeplugin-node-002', ready: false },
    ]);
    assert.equal(h.matrix.cells[CVMFS]?.['node-002']?.mountErrors, 1);
  });

  it('identifies node plugins by registration path or --drivername, else by name', () => {
    const ds = Object.fromEntries(h.drivers.map((d) => [d.driver, d.daemonSet]));
    assert.deepEqual(ds[CEPHFS], { namespace: 'ceph-csi', name: 'csi-cephfsplugin', identifiedBy: 'template' });
    assert.deepEqual(ds[RBD], { namespace: 'ceph-csi', name: 'csi-rbdplugin', identifiedBy: 'name' });
    assert.deepEqual(ds[CVMFS], { namespace: 'cvmfs', name: 'cvmfs-csi-nodeplugin', identifiedBy: 'name' });
    assert.deepEqual(ds[NFS], { namespace: 'nfs-csi', name: 'csi-nfs-node', identifiedBy: 'template' });
  });

  it('per-driver coverage', () => {
    const cvmfs = h.drivers.find((d) => d.driver === CVMFS);
    assert.deepEqual(
      { registered: cvmfs?.registered, expected: cvmfs?.expected, missing: cvmfs?.missing, pluginNotReady: cvmfs?.pluginNotReady },
      { registered: 2, expected: 4, missing: ['node-004'], pluginNotReady: ['node-002'] },
    );
    assert.equal(h.drivers.find((d) => d.driver === RBD)?.attachRequired, true);
  });

  it('works without DaemonSets (RBAC): plugin pods found through their owner references', () => {
    const h2 = storageHealth({ ...input, daemonSets: [] }, NOW);
    assert.equal(h2.matrix.cells[CEPHFS]?.['node-004']?.state, 'missing');
    assert.equal(h2.drivers.find((d) => d.driver === CVMFS)?.daemonSet?.name, 'cvmfs-csi-nodeplugin');
  });

  it('a driver registered without a CSIDriver object still gets a row', () => {
    const h3 = storageHealth({ csiNodes: [csiNode('n1', ['hostpath.csi.k8s.io'])], nodes: [node('n1'), node('n2')] }, NOW);
    assert.deepEqual(h3.matrix.cells['hostpath.csi.k8s.io'], {
      n1: { state: 'registered', registered: true, csiNode: true, pluginPods: [], nodeID: 'n1', mountErrors: 0 },
      n2: { state: 'not-expected', registered: false, csiNode: false, pluginPods: [], mountErrors: 0 },
    });
    assert.equal(h3.drivers[0]?.csiDriver, false);
  });
});

describe('storageHealth: problems', () => {
  const key = (p: { reason: string; namespace?: string; name: string; node?: string; driver?: string }) =>
    [p.reason, p.namespace ?? '', p.name, p.node ?? '', p.driver ?? ''].join('|');
  const want: [string, string][] = [
    // [severity, key]
    ['critical', `DriverNotRegistered||node-004|node-004|${CEPHFS}`],
    ['critical', `DriverNotRegistered||node-004|node-004|${CVMFS}`],
    ['critical', `DriverNotRegistered||node-004|node-004|${NFS}`],
    ['critical', `DriverNotRegistered||node-004|node-004|${RBD}`],
    ['critical', `PluginNotReady|cvmfs|cvmfs-csi-nodeplugin-node-002|node-002|${CVMFS}`],
    ['warning', `PluginNotReady|nfs-csi|csi-nfs-node-node-003|node-003|${NFS}`],
    ['critical', `DriverNotFound|storage-demo|cvmfs-reader|node-002|${CVMFS}`],
    ['critical', `AttachError||csi-0123|node-003|${RBD}`],
    ['warning', `DetachError||csi-4567|node-001|${RBD}`],
    ['warning', 'PVCPending|storage-demo|scratch-manila||nfs.manila.csi.openstack.org'],
    ['info', `PVCWaitingForConsumer|storage-demo|wffc||${RBD}`],
    ['critical', 'PVCLost|storage-demo|archive-eos||eosxd.csi.cern.ch'],
    ['warning', `ControllerResizeError|storage-demo|data-0||${RBD}`],
    ['warning', `ControllerResizeInfeasible|storage-demo|data-0||${RBD}`],
    ['info', `FileSystemResizePending|storage-demo|data-1||${RBD}`],
    ['info', `PVReleased||pv-rbd-old-results||${RBD}`],
    ['warning', `PVReleased||pv-stuck||${RBD}`],
    ['critical', `PVFailed||pv-broken||${CEPHFS}`],
    ['warning', 'SnapshotError|storage-demo|scratch-nightly||'],
    ['info', 'SnapshotNotReady|storage-demo|in-progress||'],
    ['warning', `CapacityExhausted|ceph-csi|csisc-rbd-zone-c||${RBD}`],
  ];
  const got = new Map(h.problems.map((p) => [key(p), p]));
  for (const [severity, k] of want) {
    it(`${severity} ${k}`, () => {
      const p = got.get(k);
      assert.ok(p, `missing problem ${k}; have:\n${[...got.keys()].join('\n')}`);
      assert.equal(p.severity, severity);
    });
  }
  it('nothing else is reported', () => assert.equal(h.problems.length, want.length, [...got.keys()].join('\n')));
  it('counts', () => {
    assert.deepEqual(
      { total: h.counts.total, critical: h.counts.critical, warning: h.counts.warning, info: h.counts.info },
      { total: 21, critical: 9, warning: 8, info: 4 },
    );
    assert.equal(h.counts.byReason.DriverNotRegistered, 4);
  });
  it('critical first', () => assert.equal(h.problems[0]?.severity, 'critical'));
  it('messages are readable and keep hostile text as data', () => {
    assert.equal(
      got.get(`AttachError||csi-0123|node-003|${RBD}`)?.message,
      'attach of pv-rbd-scratch to node node-003 failed: rpc error: code = Internal desc = rbd: map failed <script>x</script>',
    );
    assert.equal(got.get(`AttachError||csi-0123|node-003|${RBD}`)?.time, NOW - 300_000);
    assert.match(got.get('PVCPending|storage-demo|scratch-manila||nfs.manila.csi.openstack.org')?.message ?? '', /^Pending for 10m/);
    assert.equal(
      got.get(`CapacityExhausted|ceph-csi|csisc-rbd-zone-c||${RBD}`)?.message,
      'StorageClass rbd has no capacity left in topology.kubernetes.io/zone=zone-c',
    );
  });
  it('event node from source.host when the pod is unknown', () => {
    const h4 = storageHealth(
      {
        events: [
          {
            involvedObject: { kind: 'Pod', name: 'x', namespace: 'y' },
            source: { component: 'kubelet', host: 'node-9' },
            message: 'driver name foo.csi.example.com not found in the list of registered CSI drivers',
          },
        ],
      },
      NOW,
    );
    assert.equal(h4.problems[0]?.node, 'node-9');
    assert.equal(h4.problems[0]?.driver, 'foo.csi.example.com');
  });
  it('empty and hostile input never throws', () => {
    assert.equal(storageHealth({}, NOW).counts.total, 0);
    const junk = storageHealth(
      {
        csiNodes: [{ spec: { drivers: 'x' as unknown as [] } }],
        pods: [null as unknown as Pod],
        events: [{ message: 42 as unknown as string }],
        volumeAttachments: [{ status: { attachError: 'boom' as never } }],
      },
      NaN,
    );
    assert.equal(junk.counts.total, 0);
  });
});
