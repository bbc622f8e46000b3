// The `storage` profile's objects: the CSI drivers of research/HEP fleets with their node plugins,
// CSINodes (some missing a driver), classes, PVs/PVCs in every phase, attachments (one failing),
// capacity, VolumeSnapshot CRDs with ready and failed snapshots, and the warnings that go with them.
import type { KObj } from '../kube.ts';
import type { LabNode } from './nodes.ts';
import { daemonSet, deployment, event, ns, pod } from './builders.ts';

interface Driver {
  name: string;
  namespace: string;
  plugin: string;
  attachRequired: boolean;
  storageClass: string;
  modes: string[];
  storageCapacity?: boolean;
  topologyKey?: string;
}

export const DRIVERS: Driver[] = [
  {
    name: 'cephfs.csi.ceph.com',
    namespace: 'ceph-csi',
    plugin: 'csi-cephfsplugin',
    attachRequired: false,
    storageClass: 'cephfs',
    modes: ['Persistent'],
  },
  {
    name: 'rbd.csi.ceph.com',
    namespace: 'ceph-csi',
    plugin: 'csi-rbdplugin',
    attachRequired: true,
    storageClass: 'rbd',
    modes: ['Persistent'],
    storageCapacity: true,
    topologyKey: 'topology.rbd.csi.ceph.com/zone',
  },
  {
    name: 'nfs.manila.csi.openstack.org',
    namespace: 'manila-csi',
    plugin: 'openstack-manila-csi-nodeplugin',
    attachRequired: false,
    storageClass: 'manila-nfs',
    modes: ['Persistent'],
  },
  {
    name: 'cvmfs.csi.cern.ch',
    namespace: 'cvmfs',
    plugin: 'cvmfs-csi-nodeplugin',
    attachRequired: false,
    storageClass: 'cvmfs',
    modes: ['Persistent', 'Ephemeral'],
  },
  {
    name: 'eosxd.csi.cern.ch',
    namespace: 'eos',
    plugin: 'eosxd-csi-nodeplugin',
    attachRequired: false,
    storageClass: 'eosxd',
    modes: ['Persistent', 'Ephemeral'],
  },
  {
    name: 'nfs.csi.k8s.io',
    namespace: 'nfs-csi',
    plugin: 'csi-nfs-node',
    attachRequired: false,
    storageClass: 'nfs-csi',
    modes: ['Persistent'],
  },
];

/** Name of the VolumeAttachment source PV whose attach fails. */
export const FAILING_ATTACH_PV = 'pv-rbd-scratch';

export const SNAPSHOT_CRDS = ['VolumeSnapshotClass', 'VolumeSnapshotContent', 'VolumeSnapshot'].map((kind) => {
  const plural = {
    VolumeSnapshotClass: 'volumesnapshotclasses',
    VolumeSnapshotContent: 'volumesnapshotcontents',
    VolumeSnapshot: 'volumesnapshots',
  }[kind]!;
  const namespaced = kind === 'VolumeSnapshot';
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${plural}.snapshot.storage.k8s.io`,
      annotations: { 'api-approved.kubernetes.io': 'https://github.com/kubernetes-csi/external-snapshotter/pull/814' },
    },
    spec: {
      group: 'snapshot.storage.k8s.io',
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular: kind.toLowerCase(),
        shortNames: [{ VolumeSnapshotClass: 'vsclass', VolumeSnapshotContent: 'vsc', VolumeSnapshot: 'vs' }[kind]!],
      },
      scope: namespaced ? 'Namespaced' : 'Cluster',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          // The lab only needs the API to exist; the schema stays open like a pre-structural CRD.
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          ...(kind === 'VolumeSnapshotClass' ? {} : { subresources: { status: {} } }),
          additionalPrinterColumns:
            kind === 'VolumeSnapshotClass'
              ? [{ name: 'Driver', type: 'string', jsonPath: '.driver' }]
              : [{ name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse' }],
        },
      ],
    },
  };
});

export interface StorageSeed {
  crds: KObj[];
  early: KObj[];
  objects: KObj[];
  /** objects whose status the lab writes (via the status subresource) once they exist */
  statuses: KObj[];
  events: KObj[];
  /** DaemonSet pods to turn NotReady after they are created: plugin app → node */
  notReadyPlugins: { namespace: string; app: string; node: string }[];
}

export function storageObjects(nodes: LabNode[]): StorageSeed {
  const early: KObj[] = [ns('storage-demo', { team: 'data' })];
  const objects: KObj[] = [];
  const statuses: KObj[] = [];
  const events: KObj[] = [];
  for (const nsName of new Set(DRIVERS.map((d) => d.namespace))) early.push(ns(nsName, { 'lab.fleet/role': 'csi' }));

  for (const d of DRIVERS) {
    early.push({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: { name: d.name },
      spec: {
        attachRequired: d.attachRequired,
        podInfoOnMount: d.name.endsWith('cern.ch'),
        volumeLifecycleModes: d.modes,
        fsGroupPolicy: d.name.startsWith('nfs') || d.name.includes('cvmfs') ? 'None' : 'File',
        storageCapacity: !!d.storageCapacity,
      },
    });
    early.push({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: d.storageClass,
        ...(d.storageClass === 'rbd' ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
      },
      provisioner: d.name,
      reclaimPolicy: 'Delete',
      volumeBindingMode: d.storageCapacity ? 'WaitForFirstConsumer' : 'Immediate',
      allowVolumeExpansion: d.name.includes('ceph'),
      parameters: d.name.includes('ceph') ? { clusterID: 'ceph-prod-1', pool: d.storageClass === 'rbd' ? 'kube-rbd' : 'cephfs' } : {},
    });
    objects.push(nodePlugin(d));
  }

  // CSINode per node, as kubelet's plugin registration writes them. Node #2 never registered cvmfs
  // (its node plugin pod is not Ready), node #4 has no CSINode at all.
  const missingCvmfs = nodes[1]?.name;
  const noCsiNode = nodes.length > 4 ? nodes[3]?.name : undefined;
  for (const n of nodes) {
    if (n.name === noCsiNode) continue;
    objects.push({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSINode',
      metadata: { name: n.name },
      spec: {
        drivers: DRIVERS.filter((d) => !(n.name === missingCvmfs && d.name === 'cvmfs.csi.cern.ch')).map((d) => ({
          name: d.name,
          nodeID: d.name === 'rbd.csi.ceph.com' ? `${n.name}.rbd` : n.name,
          topologyKeys: d.topologyKey ? [d.topologyKey] : null,
          ...(d.attachRequired ? { allocatable: { count: 64 } } : {}),
        })),
      },
    });
  }
  const notReadyPlugins = missingCvmfs ? [{ namespace: 'cvmfs', app: 'cvmfs-csi-nodeplugin', node: missingCvmfs }] : [];

  // Ceph RBD volumes bound to PVCs, each used by a single-replica database Deployment: the real
  // attach/detach controller creates their VolumeAttachments (the lab plays external-attacher).
  const rbdCount = Math.max(1, Math.min(4, Math.floor(nodes.length / 2)));
  const rbdPvs = [...Array.from({ length: rbdCount }, (_, i) => `pv-rbd-data-${i}`), FAILING_ATTACH_PV];
  rbdPvs.forEach((pvName, i) => {
    const claim = pvName === FAILING_ATTACH_PV ? 'scratch' : `data-${i}`;
    objects.push(pv(pvName, 'rbd.csi.ceph.com', 'rbd', '100Gi', 'ReadWriteOnce', { namespace: 'storage-demo', name: claim }));
    objects.push(pvc('storage-demo', claim, 'rbd', '100Gi', 'ReadWriteOnce', pvName));
    const failing = pvName === FAILING_ATTACH_PV;
    objects.push(
      deployment(
        'storage-demo',
        `db-${claim}`,
        1,
        {
          image: 'docker.io/library/postgres:17.6',
          requests: { cpu: '2', memory: '8Gi' },
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }],
          volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
          // Its volume never attaches: the pod stays in ContainerCreating.
          ...(failing ? { customStatus: 'containercreating' } : {}),
        },
        failing,
      ),
    );
  });
  // Shared CephFS volume (RWX), no attach needed.
  objects.push(
    pv('pv-cephfs-shared', 'cephfs.csi.ceph.com', 'cephfs', '1Ti', 'ReadWriteMany', { namespace: 'storage-demo', name: 'shared-content' }),
  );
  objects.push(pvc('storage-demo', 'shared-content', 'cephfs', '1Ti', 'ReadWriteMany', 'pv-cephfs-shared'));
  objects.push(
    deployment('storage-demo', 'web-content', 2, {
      requests: { cpu: '250m', memory: '256Mi' },
      volumes: [{ name: 'content', persistentVolumeClaim: { claimName: 'shared-content' } }],
      volumeMounts: [{ name: 'content', mountPath: '/srv' }],
    }),
  );
  // Available (no claim) and Released (its claim is gone, Retain keeps it).
  objects.push(pv('pv-cephfs-spare', 'cephfs.csi.ceph.com', 'cephfs', '500Gi', 'ReadWriteMany'));
  objects.push(
    pv(
      'pv-rbd-old-results',
      'rbd.csi.ceph.com',
      'rbd',
      '2Ti',
      'ReadWriteOnce',
      {
        namespace: 'storage-demo',
        name: 'old-results',
        uid: '6f1c1d7e-0b5e-4c61-9f0a-4a1f3c2b9d10',
      },
      'Retain',
    ),
  );
  // Pending: nothing provisions Manila shares here. Lost: its PV vanished.
  objects.push(pvc('storage-demo', 'scratch-manila', 'manila-nfs', '5Ti', 'ReadWriteMany'));
  const lost = pvc('storage-demo', 'archive-eos', 'eosxd', '10Ti', 'ReadOnlyMany', 'pv-eos-archive');
  lost.metadata.annotations = { 'pv.kubernetes.io/bind-completed': 'yes' };
  objects.push(lost);
  events.push(
    event(
      { kind: 'PersistentVolumeClaim', name: 'scratch-manila', namespace: 'storage-demo' },
      'Warning',
      'ProvisioningFailed',
      'failed to provision volume with StorageClass "manila-nfs": rpc error: code = ResourceExhausted desc = share quota exceeded for project "hep-analysis"',
      'nfs.manila.csi.openstack.org_openstack-manila-csi-controllerplugin-0',
      6,
    ),
  );

  // A pod on the node without the cvmfs registration: stuck in ContainerCreating, kubelet's warning.
  if (missingCvmfs) {
    objects.push(
      pod('storage-demo', 'cvmfs-reader', {
        image: 'registry.cern.ch/sft/analysis:2026.10',
        requests: { cpu: '1', memory: '2Gi' },
        nodeName: missingCvmfs,
        volumes: [{ name: 'cvmfs', csi: { driver: 'cvmfs.csi.cern.ch', volumeAttributes: { repository: 'sft.cern.ch' } } }],
        volumeMounts: [{ name: 'cvmfs', mountPath: '/cvmfs/sft.cern.ch', readOnly: true }],
        customStatus: 'containercreating',
      }),
    );
    events.push(
      event(
        { kind: 'Pod', name: 'cvmfs-reader', namespace: 'storage-demo' },
        'Warning',
        'FailedMount',
        'MountVolume.SetUp failed for volume "cvmfs" : kubernetes.io/csi: mounter.SetUpAt failed to get CSI client: driver name cvmfs.csi.cern.ch not found in the list of registered CSI drivers',
        'kubelet',
        9,
      ),
    );
  }

  // Capacity published by the rbd driver per zone; zone-c's pool is full.
  ['zone-a', 'zone-b', 'zone-c'].forEach((zone, i) => {
    objects.push({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIStorageCapacity',
      metadata: { name: `csisc-rbd-${zone}`, namespace: 'ceph-csi' },
      storageClassName: 'rbd',
      nodeTopology: { matchLabels: { 'topology.kubernetes.io/zone': zone } },
      capacity: ['10Ti', '3Ti', '0'][i],
      maximumVolumeSize: ['2Ti', '2Ti', '0'][i],
    });
  });

  // Snapshots: one ready, one failed.
  objects.push({
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotClass',
    metadata: { name: 'rbd-snapclass' },
    driver: 'rbd.csi.ceph.com',
    deletionPolicy: 'Delete',
    parameters: { clusterID: 'ceph-prod-1' },
  });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const snaps = [
    { name: 'data-0-nightly', claim: 'data-0', ok: true },
    { name: 'scratch-nightly', claim: 'scratch', ok: false },
  ];
  for (const s of snaps) {
    const content = `snapcontent-${s.name}`;
    objects.push({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: { name: s.name, namespace: 'storage-demo' },
      spec: { volumeSnapshotClassName: 'rbd-snapclass', source: { persistentVolumeClaimName: s.claim } },
    });
    statuses.push({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: { name: s.name, namespace: 'storage-demo' },
      status: s.ok
        ? { boundVolumeSnapshotContentName: content, creationTime: now, readyToUse: true, restoreSize: '100Gi' }
        : {
            readyToUse: false,
            error: {
              time: now,
              message:
                'Failed to create snapshot: failed to take snapshot of the volume pv-rbd-scratch: "rpc error: code = Internal desc = rbd: ret=-28, No space left on device"',
            },
          },
    });
    if (s.ok) {
      objects.push({
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshotContent',
        metadata: { name: content },
        spec: {
          deletionPolicy: 'Delete',
          driver: 'rbd.csi.ceph.com',
          source: { volumeHandle: '0001-0009-ceph-prod-1-0000000000000002-data-0' },
          volumeSnapshotClassName: 'rbd-snapclass',
          volumeSnapshotRef: { name: s.name, namespace: 'storage-demo', apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot' },
        },
      });
      statuses.push({
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshotContent',
        metadata: { name: content },
        status: {
          creationTime: Date.now() * 1_000_000,
          readyToUse: true,
          restoreSize: 107374182400,
          snapshotHandle: `0001-0009-ceph-prod-1-snap-${s.name}`,
        },
      });
    } else {
      events.push(
        event(
          { kind: 'VolumeSnapshot', name: s.name, namespace: 'storage-demo', apiVersion: 'snapshot.storage.k8s.io/v1' },
          'Warning',
          'SnapshotCreationFailed',
          'Failed to create snapshot: rbd: ret=-28, No space left on device',
          'snapshot-controller',
          3,
        ),
      );
    }
  }
  return { crds: SNAPSHOT_CRDS, early, objects, statuses, events, notReadyPlugins };
}

/** A node-plugin DaemonSet shaped like the real ones: the registrar names the driver's socket path. */
function nodePlugin(d: Driver): KObj {
  const ds = daemonSet(d.namespace, d.plugin, {
    image: `registry.lab.local/${d.plugin}:v3.14.1`,
    requests: { cpu: '50m', memory: '128Mi' },
  });
  const spec = ds.spec.template.spec;
  spec.containers[0].args = ['--nodeid=$(NODE_ID)', '--endpoint=unix:///csi/csi.sock', `--drivername=${d.name}`];
  spec.containers[0].env = [{ name: 'NODE_ID', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }];
  spec.containers.unshift({
    name: 'node-driver-registrar',
    image: 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.15.0',
    args: ['--v=2', '--csi-address=/csi/csi.sock', `--kubelet-registration-path=/var/lib/kubelet/plugins/${d.name}/csi.sock`],
    resources: { requests: { cpu: '10m', memory: '32Mi' } },
  });
  spec.serviceAccountName = 'default';
  return ds;
}

function pv(
  name: string,
  driver: string,
  sc: string,
  size: string,
  mode: string,
  claim?: { namespace: string; name: string; uid?: string },
  reclaim = 'Delete',
): KObj {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': driver } },
    spec: {
      capacity: { storage: size },
      accessModes: [mode],
      persistentVolumeReclaimPolicy: reclaim,
      storageClassName: sc,
      volumeMode: 'Filesystem',
      csi: {
        driver,
        volumeHandle: `0001-0009-ceph-prod-1-${name}`,
        fsType: driver.startsWith('rbd') ? 'ext4' : undefined,
        volumeAttributes: { clusterID: 'ceph-prod-1' },
      },
      ...(claim ? { claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...claim } } : {}),
    },
  };
}

function pvc(namespace: string, name: string, sc: string, size: string, mode: string, volumeName?: string): KObj {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace },
    spec: {
      accessModes: [mode],
      storageClassName: sc,
      resources: { requests: { storage: size } },
      ...(volumeName ? { volumeName } : {}),
    },
  };
}
