import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DerivedChange } from '../../common/contract.ts';
import { clusterStatusChange, deriveChanges, gapChange, QUIET_KINDS, type ChangeInput, type ChangeRefsWithTarget } from './changes.ts';
import { h100Node, iso, node, NOW } from './fixtures.ts';

type Obj = Record<string, any>;
const MIN = 60_000;
const HOUR = 60 * MIN;

/** A copy of `o` changed by `f`. */
const mut = <T>(o: T, f: (o: any) => void): T => {
  const c = structuredClone(o);
  f(c);
  return c;
};

interface Expected {
  category: DerivedChange['category'];
  action: string;
  summary: string;
  severity?: DerivedChange['severity'];
  refs?: ChangeRefsWithTarget;
  fleetKey?: string | null;
}

/** An expected event: severity info, no fleet key and the table's refs unless `more` says otherwise. */
const x = (category: Expected['category'], action: string, summary: string, more: Partial<Expected> = {}): Expected => ({
  category,
  action,
  summary,
  ...more,
});
const health = (action: string, severity: Expected['severity'], summary: string): Expected => x('health', action, summary, { severity });

interface Case {
  name: string;
  before: Obj | null;
  after: Obj | null;
  type?: ChangeInput['type'];
  manager?: string | null;
  /** refs of every expected event unless it says otherwise (default: the table's) */
  refs?: ChangeRefsWithTarget;
  who?: string;
  expect: Expected[];
}

function input(c: Pick<Case, 'before' | 'after' | 'type' | 'manager'> & { kind: string }): ChangeInput {
  const o = c.after ?? c.before ?? {};
  return {
    cluster: 'c1',
    kind: c.kind,
    uid: String(o?.metadata?.uid ?? 'uid-1'),
    namespace: String(o?.metadata?.namespace ?? ''),
    name: String(o?.metadata?.name ?? 'x'),
    type: c.type ?? (c.before && c.after ? 'MODIFIED' : c.before ? 'DELETED' : 'ADDED'),
    at: NOW,
    before: c.before,
    after: c.after,
    manager: c.manager ?? null,
    historyIndex: 7,
  };
}

/** One test per case: the events of kind `kind` are exactly the expected ones (refs default to `refs`). */
function check(kind: string, refs: ChangeRefsWithTarget, cases: readonly Case[]): void {
  for (const c of cases) {
    it(`${kind}: ${c.name}`, () => {
      const got = deriveChanges(input({ ...c, kind }));
      const want = c.expect.map((e) => ({
        category: e.category,
        action: e.action,
        severity: e.severity ?? 'info',
        summary: e.summary,
        refs: e.refs ?? c.refs ?? refs,
        fleetKey: e.fleetKey ?? null,
        who: c.who ?? c.manager ?? 'unknown',
      }));
      const seen = got.map((e) => ({
        category: e.category,
        action: e.action,
        severity: e.severity,
        summary: e.summary,
        refs: e.refs,
        fleetKey: e.fleetKey,
        who: e.who,
      }));
      assert.deepEqual(seen, want);
      for (const e of got) assert.deepEqual([e.cluster, e.at, e.kind, e.historyIndex], ['c1', NOW, kind, 7]);
    });
  }
}

// ------------------------------------------------------------------------------------ workloads

const DEP: Obj = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', uid: 'd-1', resourceVersion: '10', generation: 4 },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate' },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.25',
            env: [
              { name: 'LOG_LEVEL', value: 'info' },
              { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
            ],
            envFrom: [{ configMapRef: { name: 'web-env' } }],
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          },
        ],
        volumes: [
          { name: 'cfg', configMap: { name: 'app-config' } },
          { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } },
        ],
      },
    },
  },
  status: {
    observedGeneration: 4,
    replicas: 3,
    updatedReplicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ],
  },
};
const DEP_REFS = { images: ['nginx:1.25'], configMaps: ['web-env', 'app-config'], secrets: ['db'], pvcs: ['web-data'] };
const DEP_126_REFS = { ...DEP_REFS, images: ['nginx:1.26'] };
const web = (o: Obj) => o.spec.template.spec.containers[0];
/** The rollout event of web's image nginx:1.25 → nginx:1.26. */
const WEB_126 = x('rollout', 'image', 'image web: nginx:1.25 → nginx:1.26', {
  refs: { ...DEP_126_REFS, previousImages: ['nginx:1.25'] },
  fleetKey: 'image:nginx:1.26',
});
/** A status with `available` of the 3 replicas available. */
const unavailable =
  (available: number, extra: Obj = {}) =>
  (o: Obj) =>
    Object.assign(o.status, { readyReplicas: available, availableReplicas: available, unavailableReplicas: 3 - available, ...extra });
const minimumUnavailable = [
  { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
  { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
];
const deadline = {
  type: 'Progressing',
  status: 'False',
  reason: 'ProgressDeadlineExceeded',
  message: 'ReplicaSet "web-7d9f8b6c4" has timed out progressing.',
};
const rolling = { replicas: 4, updatedReplicas: 1, unavailableReplicas: 1 };

describe('deriveChanges: Deployments, StatefulSets, DaemonSets', () => {
  check('apps/deployments', DEP_REFS, [
    {
      name: 'image change: one rollout event per changed container, the new image as fleet key, who is the manager',
      before: DEP,
      after: mut(DEP, (o) => ((web(o).image = 'nginx:1.26'), (o.metadata.generation = 5))),
      manager: 'kubectl-set (Update)',
      expect: [WEB_126],
    },
    {
      name: 'who: the change-cause annotation when no manager is known',
      before: DEP,
      after: mut(
        DEP,
        (o) => (
          (web(o).image = 'nginx:1.26'),
          (o.metadata.annotations = { 'kubernetes.io/change-cause': 'kubectl set image deployment/web web=nginx:1.26' })
        ),
      ),
      who: 'kubectl set image deployment/web web=nginx:1.26',
      expect: [WEB_126],
    },
    {
      name: 'who: credentials in a change-cause are not repeated',
      before: DEP,
      after: mut(
        DEP,
        (o) => ((o.spec.paused = true), (o.metadata.annotations = { 'kubernetes.io/change-cause': 'deploy.sh --token=s3cr3t --env prod' })),
      ),
      who: 'deploy.sh --token=… --env prod',
      expect: [x('rollout', 'paused', 'rollout paused')],
    },
    {
      name: 'env: names of variables changed, added and removed, never their values',
      before: DEP,
      after: mut(
        DEP,
        (o) =>
          (web(o).env = [
            { name: 'LOG_LEVEL', value: 'debug' },
            { name: 'API_TOKEN', value: 'tok-3f9a' },
          ]),
      ),
      refs: { images: DEP_REFS.images, configMaps: DEP_REFS.configMaps, pvcs: DEP_REFS.pvcs },
      expect: [x('rollout', 'env', 'env web: changed LOG_LEVEL; added API_TOKEN; removed DB_PASSWORD')],
    },
    {
      name: 'resources: which container, which requests and limits',
      before: DEP,
      after: mut(
        DEP,
        (o) => (web(o).resources = { requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '256Mi', 'nvidia.com/gpu': '1' } }),
      ),
      expect: [x('rollout', 'resources', 'resources web: requests.cpu 100m → 250m, limits.nvidia.com/gpu – → 1')],
    },
    {
      name: 'other template changes: the changed paths (diff.ts), not their values',
      before: DEP,
      after: mut(DEP, (o) => {
        web(o).args = ['--password=hunter2'];
        o.spec.template.spec.volumes.push({ name: 'extra', emptyDir: {} });
        o.spec.template.spec.nodeSelector = { gpu: 'a100' };
      }),
      expect: [
        x(
          'rollout',
          'template',
          'template changed: spec.containers[name=web].args (added), spec.volumes[name=extra] (added), spec.nodeSelector (added)',
        ),
      ],
    },
    {
      name: 'a container added is a rollout of its image; one removed is a template change',
      before: mut(DEP, (o) => o.spec.template.spec.containers.push({ name: 'metrics', image: 'exporter:0.9' })),
      after: mut(DEP, (o) => o.spec.template.spec.containers.push({ name: 'envoy', image: 'envoyproxy/envoy:v1.31' })),
      refs: { ...DEP_REFS, images: ['nginx:1.25', 'envoyproxy/envoy:v1.31'] },
      expect: [
        x('rollout', 'image', 'container envoy added: envoyproxy/envoy:v1.31', {
          refs: { ...DEP_REFS, images: ['envoyproxy/envoy:v1.31'] },
          fleetKey: 'image:envoyproxy/envoy:v1.31',
        }),
        x('rollout', 'template', 'container metrics removed (exporter:0.9)'),
      ],
    },
    {
      name: 'kubectl rollout restart: "restarted", not a template change',
      before: DEP,
      after: mut(DEP, (o) => (o.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-10-01T11:59:00Z' })),
      expect: [x('rollout', 'restarted', 'restarted (rollout restart)')],
    },
    {
      name: 'replicas n → m (the status still to catch up: no health event)',
      before: DEP,
      after: mut(DEP, (o) => ((o.spec.replicas = 5), (o.metadata.generation = 5))),
      expect: [x('scale', 'replicas', 'replicas 3 → 5')],
    },
    { name: 'paused', before: DEP, after: mut(DEP, (o) => (o.spec.paused = true)), expect: [x('rollout', 'paused', 'rollout paused')] },
    { name: 'resumed', before: mut(DEP, (o) => (o.spec.paused = true)), after: DEP, expect: [x('rollout', 'resumed', 'rollout resumed')] },
    {
      name: 'other spec fields: their paths',
      before: DEP,
      after: mut(DEP, (o) => (o.spec.strategy.rollingUpdate = { maxSurge: 1 })),
      expect: [x('rollout', 'changed', 'changed: spec.strategy.rollingUpdate (added)')],
    },
    { name: 'created', before: null, after: DEP, expect: [x('rollout', 'created', 'created (nginx:1.25, 3 replicas)')] },
    { name: 'deleted', before: DEP, after: null, expect: [x('rollout', 'deleted', 'deleted')] },
    {
      name: 'health: unavailableReplicas appearing outside a rollout is a warning',
      before: DEP,
      after: mut(DEP, unavailable(2)),
      expect: [health('unavailable', 'warning', 'Unavailable: 2/3 replicas available, 1 unavailable')],
    },
    {
      name: 'health: Available=False is critical',
      before: DEP,
      after: mut(DEP, unavailable(1, { conditions: minimumUnavailable })),
      expect: [
        health(
          'unavailable',
          'critical',
          'MinimumReplicasUnavailable: 1/3 replicas available, 2 unavailable: Deployment does not have minimum availability.',
        ),
      ],
    },
    {
      name: 'health: Progressing=False ProgressDeadlineExceeded is critical, even mid-rollout',
      before: mut(DEP, (o) => (o.status.updatedReplicas = 1)),
      after: mut(DEP, (o) => ((o.status.updatedReplicas = 1), (o.status.conditions[1] = deadline))),
      expect: [health('progress-deadline', 'critical', 'ProgressDeadlineExceeded: ReplicaSet "web-7d9f8b6c4" has timed out progressing.')],
    },
    {
      name: 'health: back to all available is "recovered"',
      before: mut(DEP, unavailable(2)),
      after: DEP,
      expect: [health('recovered', 'ok', 'recovered from Unavailable: 3/3 replicas available')],
    },
    // what must produce nothing
    {
      name: 'nothing: status-only updates while rolling (observedGeneration, replica counts, a surge pod unavailable)',
      before: mut(DEP, (o) => Object.assign(o.status, rolling)),
      after: mut(DEP, (o) => {
        o.metadata.resourceVersion = '11';
        Object.assign(o.status, rolling, { updatedReplicas: 2 });
        o.status.conditions[1].reason = 'ReplicaSetUpdated';
      }),
      expect: [],
    },
    {
      name: 'nothing: a surge pod of a finished rollout',
      before: DEP,
      after: mut(DEP, (o) => (o.status.unavailableReplicas = 1)),
      expect: [],
    },
    {
      name: 'nothing: a scale-up filling in (availability did not drop)',
      before: mut(DEP, (o) => (o.spec.replicas = 5)),
      after: mut(DEP, (o) => ((o.spec.replicas = 5), Object.assign(o.status, { replicas: 5, updatedReplicas: 5, unavailableReplicas: 2 }))),
      expect: [],
    },
    { name: 'nothing: a resourceVersion-only bump', before: DEP, after: mut(DEP, (o) => (o.metadata.resourceVersion = '99')), expect: [] },
  ]);

  check('apps/statefulsets', DEP_126_REFS, [
    {
      name: 'image and replicas',
      before: DEP,
      after: mut(
        DEP,
        (o) => ((o.spec.replicas = 2), (web(o).image = 'nginx:1.26'), (o.metadata.generation = o.status.observedGeneration = 5)),
      ),
      expect: [WEB_126, x('scale', 'replicas', 'replicas 3 → 2')],
    },
  ]);

  const ds = (status: Obj, spec: Obj = {}): Obj => ({ metadata: { name: 'agent', namespace: 'kube-system' }, spec, status });
  check('apps/daemonsets', {}, [
    {
      name: 'a spec change, and a pod going unavailable outside a rollout is a warning',
      before: ds({ desiredNumberScheduled: 4, numberReady: 4, numberAvailable: 4, updatedNumberScheduled: 4 }),
      after: ds(
        { desiredNumberScheduled: 4, numberReady: 3, numberAvailable: 3, numberUnavailable: 1, updatedNumberScheduled: 4 },
        { updateStrategy: { type: 'OnDelete' } },
      ),
      expect: [
        x('rollout', 'changed', 'changed: spec.updateStrategy (added)'),
        health('unavailable', 'warning', 'Unavailable: 3/4 pods ready, 1 unavailable'),
      ],
    },
  ]);

  check('apps/replicasets', {}, [
    {
      name: 'nothing: ReplicaSets speak through their Deployment',
      before: DEP,
      after: mut(DEP, (o) => ((o.spec.replicas = 0), (web(o).image = 'nginx:1.26'))),
      expect: [],
    },
    { name: 'nothing: a ReplicaSet created', before: null, after: DEP, expect: [] },
  ]);
});

// ------------------------------------------------------------------------------------ pods

const POD: Obj = {
  metadata: {
    name: 'web-7d9f8b6c4-x2x9z',
    namespace: 'shop',
    uid: 'p-1',
    creationTimestamp: iso(NOW - HOUR),
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9f8b6c4', uid: 'rs-1', controller: true }],
  },
  spec: {
    nodeName: 'node-1',
    containers: [
      { name: 'web', image: 'nginx:1.26', envFrom: [{ secretRef: { name: 'web-secrets' } }], resources: { limits: { memory: '256Mi' } } },
    ],
    volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }],
  },
  status: { phase: 'Running', podIP: '10.0.0.7', conditions: [], containerStatuses: [] },
};
const POD_REFS: ChangeRefsWithTarget = {
  images: ['nginx:1.26'],
  configMaps: ['app-config'],
  secrets: ['web-secrets'],
  node: 'node-1',
  owner: { kind: 'ReplicaSet', name: 'web-7d9f8b6c4', uid: 'rs-1' },
};

interface PodOpts {
  phase?: string;
  /** the pod's Ready condition */
  ready?: boolean;
  /** the Ready condition's lastTransitionTime: NOW - readySince */
  readySince?: number;
  restarts?: number;
  state?: Obj;
  last?: Obj;
  scheduled?: { reason: string; message: string };
  reason?: string;
  message?: string;
}

const running = (ago = HOUR) => ({ running: { startedAt: iso(NOW - ago) } });
const waiting = (reason: string, message?: string) => ({ waiting: message ? { reason, message } : { reason } });
const exited = (reason: string, exitCode: number) => ({ terminated: { reason, exitCode } });
const ERROR_1 = exited('Error', 1);
const OOM = exited('OOMKilled', 137);
const PENDING = { phase: 'Pending', ready: false };
const CRASHLOOP = health('crashloop', 'critical', 'CrashLoopBackOff: container web (last exit: Error, exit code 1)');

/** POD with one container status (none while unscheduled) and its Ready and PodScheduled conditions. */
function pod(o: PodOpts = {}): Obj {
  return mut(POD, (p) => {
    const ready = o.ready ?? true;
    Object.assign(p.status, { phase: o.phase ?? 'Running' }, o.reason ? { reason: o.reason, message: o.message } : {});
    const readyCondition = { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: iso(NOW - (o.readySince ?? 50 * MIN)) };
    p.status.conditions = [
      o.scheduled ? { type: 'PodScheduled', status: 'False', ...o.scheduled } : { type: 'PodScheduled', status: 'True' },
      readyCondition,
    ];
    if (o.scheduled) delete p.spec.nodeName;
    const status = {
      name: 'web',
      ready,
      restartCount: o.restarts ?? 0,
      state: o.state ?? running(),
      ...(o.last ? { lastState: o.last } : {}),
    };
    p.status.containerStatuses = o.scheduled ? [] : [status];
  });
}

describe('deriveChanges: pods (health transitions only)', () => {
  const unscheduled = pod({
    ...PENDING,
    scheduled: { reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.' },
  });
  check('pods', POD_REFS, [
    {
      name: 'a container entering CrashLoopBackOff',
      before: pod(),
      after: pod({
        ready: false,
        restarts: 1,
        state: waiting('CrashLoopBackOff', 'back-off 10s restarting failed container'),
        last: ERROR_1,
      }),
      expect: [CRASHLOOP],
    },
    {
      name: 'its first crash',
      before: pod(),
      after: pod({ ready: false, state: ERROR_1 }),
      expect: [health('crashed', 'critical', 'container web crashed: Error, exit code 1')],
    },
    {
      name: 'crashed, restarted, crashed again: the first CrashLoopBackOff is news',
      before: pod({ ready: false, restarts: 1, state: ERROR_1, last: ERROR_1 }),
      after: pod({ ready: false, restarts: 1, state: waiting('CrashLoopBackOff'), last: ERROR_1 }),
      expect: [CRASHLOOP],
    },
    {
      name: 'ErrImagePull',
      before: pod({ ...PENDING, state: waiting('ContainerCreating') }),
      after: pod({ ...PENDING, state: waiting('ErrImagePull', 'rpc error: not found') }),
      expect: [health('image-pull', 'critical', 'ErrImagePull: container web, image nginx:1.26')],
    },
    {
      name: 'pulled at last: recovered',
      before: pod({ ...PENDING, state: waiting('ImagePullBackOff') }),
      after: pod({ ready: false, state: running(10_000), readySince: 20_000 }),
      expect: [health('recovered', 'ok', 'recovered from ImagePullBackOff: image pulled')],
    },
    {
      name: 'OOMKilled as the last state of a restarted container',
      before: pod(),
      after: pod({ ready: false, restarts: 1, state: running(5_000), last: OOM }),
      expect: [health('oom-killed', 'warning', 'OOMKilled: container web (memory limit 256Mi)')],
    },
    {
      name: 'OOMKilled seen only as a restart (ready again already)',
      before: pod(),
      after: pod({ restarts: 1, state: running(60_000), last: OOM }),
      expect: [health('oom-killed', 'warning', 'OOMKilled: container web, restarted (memory limit 256Mi)')],
    },
    {
      name: 'ready again after an OOM kill: recovered',
      before: pod({ ready: false, restarts: 1, state: running(5_000), last: OOM }),
      after: pod({ restarts: 1, state: running(5_000), last: OOM }),
      expect: [health('recovered', 'ok', 'recovered from OOMKilled: ready')],
    },
    {
      name: 'Ready → not Ready while running (a failing readiness probe)',
      before: pod(),
      after: pod({ ready: false, readySince: 10_000 }),
      expect: [health('unready', 'warning', 'not ready: container web')],
    },
    {
      name: 'ready again after losing readiness: recovered',
      before: pod({ ready: false, readySince: 10_000 }),
      after: pod({ readySince: 1_000 }),
      expect: [health('recovered', 'ok', 'recovered from not ready: ready')],
    },
    {
      name: 'PodScheduled=False reason Unschedulable (a warning for its first minutes)',
      before: mut(
        pod(PENDING),
        (p) => ((p.status.containerStatuses = []), delete p.spec.nodeName, (p.metadata.creationTimestamp = iso(NOW - 20_000))),
      ),
      after: mut(unscheduled, (p) => (p.metadata.creationTimestamp = iso(NOW - 20_000))),
      refs: { images: POD_REFS.images, configMaps: POD_REFS.configMaps, secrets: POD_REFS.secrets, owner: POD_REFS.owner },
      expect: [health('unschedulable', 'warning', 'Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.')],
    },
    {
      name: 'scheduled at last: recovered',
      before: unscheduled,
      after: pod({ ...PENDING, state: waiting('ContainerCreating') }),
      expect: [health('recovered', 'ok', 'recovered from Unschedulable: scheduled on node-1')],
    },
    {
      name: 'phase Failed (evicted: a warning, its controller replaces it)',
      before: pod(),
      after: pod({
        phase: 'Failed',
        ready: false,
        reason: 'Evicted',
        message: 'The node was low on resource: memory.',
        state: exited('Error', 137),
      }),
      expect: [health('failed', 'warning', 'failed (Evicted): The node was low on resource: memory.')],
    },
    {
      name: 'a container that cannot start (CreateContainerConfigError)',
      before: pod({ ...PENDING, state: waiting('ContainerCreating') }),
      after: pod({ ...PENDING, state: waiting('CreateContainerConfigError', 'configmap "app-config" not found') }),
      expect: [health('start-error', 'critical', 'CreateContainerConfigError: container web: configmap "app-config" not found')],
    },
    // what must produce nothing
    {
      name: 'nothing: a container becoming ready during startup',
      before: pod({ ready: false, readySince: 5 * MIN, state: running(2 * MIN) }),
      after: pod({ readySince: 0, state: running(2 * MIN) }),
      expect: [],
    },
    {
      name: 'nothing: started, not ready yet',
      before: pod({ ...PENDING, readySince: 5 * MIN, state: waiting('ContainerCreating') }),
      after: pod({ ready: false, readySince: 5 * MIN, state: running(2 * MIN) }),
      expect: [],
    },
    {
      name: 'nothing: status churn (IP, condition times)',
      before: pod(),
      after: mut(pod(), (p) => ((p.status.podIP = '10.0.0.8'), (p.status.conditions[0].lastProbeTime = iso(NOW)))),
      expect: [],
    },
    {
      name: 'nothing: the next turn of a crash loop (restarted, running, not ready)',
      before: pod({ ready: false, restarts: 2, state: waiting('CrashLoopBackOff'), last: ERROR_1 }),
      after: pod({ ready: false, restarts: 3, state: running(1_000), last: ERROR_1 }),
      expect: [],
    },
    {
      name: 'nothing: back in CrashLoopBackOff after later restarts',
      before: pod({ ready: false, restarts: 3, state: ERROR_1, last: ERROR_1 }),
      after: pod({ ready: false, restarts: 3, state: waiting('CrashLoopBackOff'), last: ERROR_1 }),
      expect: [],
    },
    {
      name: 'nothing: ErrImagePull ↔ ImagePullBackOff',
      before: pod({ ...PENDING, state: waiting('ErrImagePull') }),
      after: pod({ ...PENDING, state: waiting('ImagePullBackOff') }),
      expect: [],
    },
    { name: 'nothing: pod ADDED', before: null, after: pod(), expect: [] },
    { name: 'nothing: pod DELETED', before: pod({ state: waiting('CrashLoopBackOff') }), after: null, expect: [] },
    {
      name: 'nothing: a crashlooping pod being deleted',
      before: pod({ ready: false, restarts: 4, state: waiting('CrashLoopBackOff') }),
      after: mut(pod({ ready: false }), (p) => (p.metadata.deletionTimestamp = iso(NOW))),
      expect: [],
    },
  ]);
});

// ------------------------------------------------------------------------------------ ConfigMaps, Secrets

const CM: Obj = {
  metadata: { name: 'app-config', namespace: 'shop', uid: 'cm-1' },
  data: { 'app.yaml': 'sha256:0a1b2c3d4e5f 120 bytes', 'log.level': 'sha256:ffeeddccbbaa 4 bytes' },
};
const secret = (data: Obj): Obj => ({ metadata: { name: 'tls', namespace: 'shop' }, type: 'kubernetes.io/tls', data });

describe('deriveChanges: ConfigMaps and Secrets', () => {
  check('configmaps', {}, [
    {
      name: 'keys changed (the digest differs) and added, names only',
      before: CM,
      after: mut(CM, (o) => Object.assign(o.data, { 'app.yaml': 'sha256:99887766554a 133 bytes', flags: 'sha256:123456789abc 9 bytes' })),
      expect: [x('config', 'keys', 'keys changed: app.yaml; added: flags')],
    },
    {
      name: 'a key removed; binaryData counts too',
      before: CM,
      after: mut(CM, (o) => (delete o.data['log.level'], (o.binaryData = { 'logo.png': 'sha256:aaaaaaaaaaaa 2048 bytes' }))),
      expect: [x('config', 'keys', 'keys added: logo.png; removed: log.level')],
    },
    { name: 'created', before: null, after: CM, expect: [x('config', 'created', 'created: 2 keys (app.yaml, log.level)')] },
    { name: 'deleted', before: CM, after: null, expect: [x('config', 'deleted', 'deleted')] },
    {
      name: 'nothing: metadata only (a leader-election annotation)',
      before: CM,
      after: mut(CM, (o) => (o.metadata.annotations = { 'control-plane.alpha.kubernetes.io/leader': '{"holderIdentity":"a"}' })),
      expect: [],
    },
  ]);

  check('secrets', {}, [
    {
      name: 'keys added and removed, sizes where they differ',
      before: secret({ 'tls.crt': '<1704 bytes>', 'tls.key': '<227 bytes>', old: '<5 bytes>' }),
      after: secret({ 'tls.crt': '<1712 bytes>', 'tls.key': '<227 bytes>', token: '<32 bytes>' }),
      expect: [x('secret', 'keys', 'keys added: token; removed: old; size changed: tls.crt 1704 → 1712 bytes')],
    },
    {
      name: 'created',
      before: null,
      after: secret({ 'tls.crt': '<1704 bytes>', 'tls.key': '<227 bytes>' }),
      expect: [x('secret', 'created', 'created: 2 keys (tls.crt, tls.key)')],
    },
  ]);

  it('never puts a Secret value in a summary, refs, fleet key or who, whatever the values', () => {
    const hostile = [
      '<script>alert(document.cookie)</script>',
      'pässwörd-🔑-\u202Eevil\u200B',
      'x'.repeat(64 * 1024),
      'hunter2',
      '"}],"summary":"injected',
      '<7 bytes>x',
    ];
    const data = (vals: readonly string[]) => Object.fromEntries(vals.map((v, i) => [`k${i}`, v]));
    const cause = `kubectl create secret generic db --from-literal=password=${hostile[3]} --record`;
    const meta = { name: 'db', namespace: 'shop', annotations: { 'kubernetes.io/change-cause': cause } };
    const before = { metadata: meta, data: data(hostile), stringData: { password: hostile[3] } };
    const after = { metadata: meta, data: { ...data([...hostile].reverse()), k9: hostile[0], k10: hostile[2] } };
    const events = [
      ...deriveChanges(input({ kind: 'secrets', before: null, after: before })),
      ...deriveChanges(input({ kind: 'secrets', before, after })),
      ...deriveChanges(input({ kind: 'secrets', before: after, after: null })),
    ];
    assert.equal(events.length, 3);
    for (const e of events) {
      const shown = JSON.stringify([e.summary, e.refs, e.fleetKey, e.who]);
      for (const v of hostile) {
        for (const part of [v, v.slice(0, 16), v.slice(-16)])
          assert.ok(!shown.includes(part), `${JSON.stringify(part.slice(0, 40))} in ${shown.slice(0, 200)}`);
      }
    }
    assert.equal(events[1]?.summary, 'keys added: k9, k10; changed: k0, k1, k2, k3, k4 (+1 more)');
  });
});

// ------------------------------------------------------------------------------------ nodes

const N1 = node('node-1', { kubeletVersion: 'v1.36.2' }) as Obj;
N1.metadata.resourceVersion = '100';
N1.status.nodeInfo.kernelVersion = '6.8.0-45-generic';
const condition = (o: Obj, type: string): Obj => o.status.conditions.find((c: Obj) => c.type === type);
/** N1 with one of its conditions changed. */
const withCondition = (type: string, fields: Obj): Obj => mut(N1, (o) => Object.assign(condition(o, type), fields));
const notReady = (summary: string): Expected => health('not-ready', 'critical', summary);
const GPU_REFS = { node: 'gpu-1' };

describe('deriveChanges: nodes', () => {
  check('nodes', { node: 'node-1' }, [
    { name: 'joined', before: null, after: N1, expect: [x('node', 'joined', 'joined (kubelet v1.36.2)')] },
    {
      name: 'joined with accelerators',
      before: null,
      after: h100Node('gpu-1') as Obj,
      refs: GPU_REFS,
      expect: [x('node', 'joined', 'joined (kubelet v1.37.1, 8 nvidia.com/gpu)')],
    },
    { name: 'left', before: N1, after: null, expect: [x('node', 'left', 'left')] },
    {
      name: 'Ready True → False: critical (its mirrored not-ready taint is not a second event)',
      before: N1,
      after: mut(N1, (o) => {
        Object.assign(condition(o, 'Ready'), {
          status: 'False',
          reason: 'KubeletNotReady',
          message: 'container runtime network not ready',
        });
        o.spec.taints = [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }];
      }),
      expect: [notReady('NotReady: KubeletNotReady: container runtime network not ready')],
    },
    {
      name: 'Ready True → Unknown: critical',
      before: N1,
      after: withCondition('Ready', { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }),
      expect: [notReady('NotReady (Unknown): NodeStatusUnknown: Kubelet stopped posting node status.')],
    },
    {
      name: 'Ready again: ok',
      before: withCondition('Ready', { status: 'Unknown', reason: 'NodeStatusUnknown' }),
      after: N1,
      expect: [health('ready', 'ok', 'Ready again')],
    },
    {
      name: 'DiskPressure appearing',
      before: N1,
      after: withCondition('DiskPressure', { status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }),
      expect: [health('pressure', 'warning', 'DiskPressure: KubeletHasDiskPressure: kubelet has disk pressure')],
    },
    {
      name: 'cordoned (the unschedulable taint is the cordon)',
      before: N1,
      after: mut(N1, (o) =>
        Object.assign(o.spec, { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }),
      ),
      manager: 'kubectl-cordon (Update)',
      expect: [x('node', 'cordoned', 'cordoned')],
    },
    {
      name: 'uncordoned',
      before: mut(N1, (o) => (o.spec.unschedulable = true)),
      after: N1,
      expect: [x('node', 'uncordoned', 'uncordoned')],
    },
    {
      name: 'taints added (NoExecute: a warning) and removed, as key:effect',
      before: mut(N1, (o) => (o.spec.taints = [{ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }])),
      after: mut(N1, (o) => (o.spec.taints = [{ key: 'gpu', value: 'broken', effect: 'NoExecute' }])),
      expect: [
        x('node', 'taint-added', 'taint added: gpu:NoExecute', { severity: 'warning' }),
        x('node', 'taint-removed', 'taint removed: dedicated:NoSchedule'),
      ],
    },
    {
      name: 'kubelet and kernel versions, with fleet keys',
      before: N1,
      after: mut(N1, (o) => Object.assign(o.status.nodeInfo, { kubeletVersion: 'v1.37.1', kernelVersion: '6.8.0-49-generic' })),
      expect: [
        x('node', 'kubelet', 'kubelet v1.36.2 → v1.37.1', { fleetKey: 'kubelet:v1.37.1' }),
        x('node', 'kernel', 'kernel 6.8.0-45-generic → 6.8.0-49-generic', { fleetKey: 'kernel:6.8.0-49-generic' }),
      ],
    },
    {
      name: 'accelerator allocatable dropping to 0: a warning',
      before: h100Node('gpu-1') as Obj,
      after: h100Node('gpu-1', '0') as Obj,
      refs: GPU_REFS,
      expect: [x('accelerator', 'vanished', 'nvidia.com/gpu 8 → 0', { severity: 'warning' })],
    },
    {
      name: 'accelerator allocatable appearing, and a partial dip (one unhealthy device)',
      before: mut(h100Node('gpu-1') as Obj, (o) => (o.status.allocatable['example.com/fpga'] = '2')),
      after: mut(h100Node('gpu-1', '7') as Obj, (o) => (o.status.allocatable['amd.com/gpu'] = '4')),
      refs: GPU_REFS,
      expect: [
        x('accelerator', 'changed', 'nvidia.com/gpu 8 → 7'),
        x('accelerator', 'vanished', 'example.com/fpga 2 → 0', { severity: 'warning' }),
        x('accelerator', 'appeared', 'amd.com/gpu 0 → 4'),
      ],
    },
    {
      name: 'labels: keys only, timestamps skipped',
      before: mut(N1, (o) => Object.assign(o.metadata.labels, { 'nvidia.com/gpu.product': 'A100', 'nvidia.com/gfd.timestamp': '1' })),
      after: mut(N1, (o) =>
        Object.assign(o.metadata.labels, { 'nvidia.com/gpu.product': 'H100', 'nvidia.com/gfd.timestamp': '2', team: 'ml' }),
      ),
      expect: [x('node', 'labels', 'labels changed: nvidia.com/gpu.product; added: team')],
    },
    // what must produce nothing
    {
      name: 'nothing: a heartbeat-only update',
      before: N1,
      after: mut(N1, (o) => {
        o.metadata.resourceVersion = '101';
        for (const c of o.status.conditions) c.lastHeartbeatTime = iso(NOW);
      }),
      expect: [],
    },
    {
      name: 'nothing: images, addresses and cpu allocatable',
      before: N1,
      after: mut(N1, (o) =>
        Object.assign(o.status, {
          images: [{ names: ['nginx:1.26'] }],
          addresses: [{ address: '10.0.0.1' }],
          allocatable: { ...o.status.allocatable, cpu: '31' },
        }),
      ),
      expect: [],
    },
  ]);
});

// ------------------------------------------------------------------------------------ CSI, storage

const csiNode = (...drivers: string[]): Obj => ({
  metadata: { name: 'node-1', uid: 'csin-1' },
  spec: { drivers: drivers.map((name) => ({ name, nodeID: 'node-1' })) },
});
const csiDriver = (spec: Obj): Obj => ({ metadata: { name: 'rbd.csi.ceph.com' }, spec });
const PVC_BASE: Obj = {
  metadata: { name: 'web-data', namespace: 'shop', uid: 'pvc-1' },
  spec: { storageClassName: 'rbd', resources: { requests: { storage: '10Gi' } } },
  status: { phase: 'Pending' },
};
/** PVC_BASE bound to pvc-123, changed by `f`. */
const boundPvc = (f: (o: Obj) => void = () => {}): Obj =>
  mut(PVC_BASE, (o) => {
    o.spec.volumeName = 'pvc-123';
    o.status = { phase: 'Bound', capacity: { storage: '10Gi' } };
    f(o);
  });
const PV_BASE: Obj = {
  metadata: { name: 'pvc-123', uid: 'pv-1' },
  spec: {
    storageClassName: 'rbd',
    capacity: { storage: '10Gi' },
    claimRef: { namespace: 'shop', name: 'web-data' },
    csi: { driver: 'rbd.csi.ceph.com' },
  },
  status: { phase: 'Bound' },
};
const SC: Obj = {
  metadata: { name: 'fast', uid: 'sc-1', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'rbd.csi.ceph.com',
  parameters: { pool: 'rbd' },
  reclaimPolicy: 'Delete',
};
const SC_KEY = { fleetKey: 'storageclass:fast:rbd.csi.ceph.com' };

describe('deriveChanges: CSI and storage', () => {
  check('storage.k8s.io/csinodes', { node: 'node-1' }, [
    {
      name: 'a driver registered and one unregistered on the node',
      before: csiNode('rbd.csi.ceph.com', 'cvmfs.csi.cern.ch'),
      after: csiNode('rbd.csi.ceph.com', 'cephfs.csi.ceph.com'),
      expect: [
        x('csi', 'registered', 'CSI driver cephfs.csi.ceph.com registered'),
        x('csi', 'unregistered', 'CSI driver cvmfs.csi.cern.ch unregistered', { severity: 'warning' }),
      ],
    },
    {
      name: 'created with its drivers',
      before: null,
      after: csiNode('rbd.csi.ceph.com'),
      expect: [x('csi', 'registered', 'CSI driver rbd.csi.ceph.com registered')],
    },
  ]);

  check('storage.k8s.io/csidrivers', {}, [
    {
      name: 'changed',
      before: csiDriver({ fsGroupPolicy: 'File' }),
      after: csiDriver({ fsGroupPolicy: 'None' }),
      expect: [x('csi', 'changed', 'changed: spec.fsGroupPolicy')],
    },
    { name: 'created', before: null, after: csiDriver({}), expect: [x('csi', 'created', 'created')] },
  ]);

  check('persistentvolumeclaims', { storageClasses: ['rbd'] }, [
    { name: 'Pending → Bound', before: PVC_BASE, after: boundPvc(), expect: [x('storage', 'bound', 'bound to pvc-123')] },
    {
      name: '→ Lost is critical',
      before: boundPvc(),
      after: boundPvc((o) => (o.status.phase = 'Lost')),
      expect: [health('lost', 'critical', 'Lost: its volume pvc-123 is gone')],
    },
    {
      name: 'resize requested, Resizing, then a controller resize error',
      before: boundPvc(),
      after: boundPvc((o) => {
        o.spec.resources.requests.storage = '20Gi';
        o.status.conditions = [
          { type: 'Resizing', status: 'True' },
          { type: 'ControllerResizeError', status: 'True', message: 'resize volume pvc-123 failed: quota exceeded' },
        ];
      }),
      expect: [
        x('storage', 'resize', 'resize requested: 10Gi → 20Gi'),
        x('storage', 'resizing', 'Resizing'),
        health('resize-failed', 'warning', 'ControllerResizeError: resize volume pvc-123 failed: quota exceeded'),
      ],
    },
    {
      name: 'resized',
      before: boundPvc(
        (o) => (
          (o.spec.resources.requests.storage = '20Gi'),
          (o.status.conditions = [{ type: 'FileSystemResizePending', status: 'True' }])
        ),
      ),
      after: boundPvc((o) => ((o.spec.resources.requests.storage = '20Gi'), (o.status.capacity.storage = '20Gi'))),
      expect: [x('storage', 'resized', 'capacity 10Gi → 20Gi')],
    },
    { name: 'created', before: null, after: PVC_BASE, expect: [x('storage', 'created', 'created: 10Gi, StorageClass rbd')] },
  ]);

  check('persistentvolumes', { storageClasses: ['rbd'] }, [
    {
      name: 'Bound → Released',
      before: PV_BASE,
      after: mut(PV_BASE, (o) => (o.status.phase = 'Released')),
      expect: [x('storage', 'released', 'released by shop/web-data')],
    },
    {
      name: '→ Failed is critical',
      before: mut(PV_BASE, (o) => (o.status.phase = 'Released')),
      after: mut(PV_BASE, (o) => (o.status = { phase: 'Failed', message: 'error getting deleter volume plugin' })),
      expect: [health('failed', 'critical', 'Failed: error getting deleter volume plugin')],
    },
  ]);

  check('storage.k8s.io/storageclasses', {}, [
    {
      name: 'created, with its fleet key',
      before: null,
      after: SC,
      expect: [x('storage', 'created', 'created: rbd.csi.ceph.com (default)', SC_KEY)],
    },
    {
      name: 'parameters changed, and no longer the default',
      before: SC,
      after: mut(SC, (o) => ((o.parameters.pool = 'ssd'), (o.metadata.annotations = {}))),
      expect: [x('storage', 'changed', 'changed: parameters.pool', SC_KEY), x('storage', 'default', 'no longer the default StorageClass')],
    },
    { name: 'deleted', before: SC, after: null, expect: [x('storage', 'deleted', 'deleted')] },
  ]);
});

// ------------------------------------------------------------------------------------ Jobs, CronJobs, HPAs

const JOB_BASE: Obj = {
  metadata: {
    name: 'nightly-29000000',
    namespace: 'batch',
    uid: 'job-1',
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'cj-1', controller: true }],
  },
  spec: { backoffLimit: 2, template: { spec: { containers: [{ name: 'etl', image: 'etl:2.1' }], restartPolicy: 'Never' } } },
  status: { startTime: '2026-10-01T11:50:00Z', active: 1 },
};
const jobStatus = (status: Obj): Obj => mut(JOB_BASE, (o) => Object.assign(o.status, status));
const backoffLimitExceeded = {
  type: 'Failed',
  status: 'True',
  reason: 'BackoffLimitExceeded',
  message: 'Job has reached the specified backoff limit',
};
const CRON: Obj = {
  metadata: { name: 'nightly', namespace: 'batch', uid: 'cj-1' },
  spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'etl', image: 'etl:2.1' }] } } } } },
};
const HPA_BASE: Obj = {
  metadata: { name: 'web', namespace: 'shop', uid: 'hpa-1' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 10 },
  status: { currentReplicas: 3, desiredReplicas: 3 },
};

describe('deriveChanges: Jobs, CronJobs, HPAs', () => {
  check('batch/jobs', { images: ['etl:2.1'], owner: { kind: 'CronJob', name: 'nightly', uid: 'cj-1' } }, [
    { name: 'started (by its CronJob)', before: null, after: JOB_BASE, expect: [x('job', 'started', 'started by CronJob nightly')] },
    {
      name: 'completed',
      before: JOB_BASE,
      after: jobStatus({
        completionTime: '2026-10-01T11:54:12Z',
        active: 0,
        succeeded: 1,
        conditions: [{ type: 'Complete', status: 'True' }],
      }),
      expect: [x('job', 'completed', 'completed in 4m12s')],
    },
    {
      name: 'failed (its Failed condition): critical',
      before: JOB_BASE,
      after: jobStatus({ failed: 3, conditions: [backoffLimitExceeded] }),
      expect: [health('failed', 'critical', 'failed: BackoffLimitExceeded: Job has reached the specified backoff limit')],
    },
    {
      name: 'failed (status.failed past backoffLimit, before the condition)',
      before: jobStatus({ failed: 2 }),
      after: jobStatus({ failed: 3 }),
      expect: [health('failed', 'critical', 'failed: 3 failed pods, past backoffLimit 2')],
    },
    { name: 'nothing: retrying within its backoffLimit', before: jobStatus({ failed: 1 }), after: jobStatus({ failed: 2 }), expect: [] },
    { name: 'nothing: deleted (history limits, TTL)', before: JOB_BASE, after: null, expect: [] },
  ]);

  check('batch/cronjobs', { images: ['etl:2.1'] }, [
    {
      name: 'schedule and suspend',
      before: CRON,
      after: mut(CRON, (o) => Object.assign(o.spec, { schedule: '*/5 * * * *', suspend: true })),
      expect: [x('job', 'schedule', 'schedule 0 * * * * → */5 * * * *'), x('job', 'suspended', 'suspended')],
    },
    {
      name: 'its job template image',
      before: CRON,
      after: mut(CRON, (o) => (o.spec.jobTemplate.spec.template.spec.containers[0].image = 'etl:2.2')),
      expect: [
        x('rollout', 'image', 'image etl: etl:2.1 → etl:2.2', {
          refs: { images: ['etl:2.2'], previousImages: ['etl:2.1'] },
          fleetKey: 'image:etl:2.2',
        }),
      ],
    },
  ]);

  check('autoscaling/horizontalpodautoscalers', { target: { kind: 'Deployment', name: 'web' } }, [
    {
      name: 'desiredReplicas a → b',
      before: HPA_BASE,
      after: mut(HPA_BASE, (o) => (o.status.desiredReplicas = 5)),
      expect: [x('scale', 'scaled', 'HPA scaled web: 3 → 5')],
    },
    {
      name: 'min and max',
      before: HPA_BASE,
      after: mut(HPA_BASE, (o) => Object.assign(o.spec, { minReplicas: 3, maxReplicas: 20 })),
      expect: [x('scale', 'limits', 'min replicas 2 → 3, max replicas 10 → 20')],
    },
    { name: 'created', before: null, after: HPA_BASE, expect: [x('scale', 'created', 'created: web 2–10 replicas')] },
  ]);
});

// ------------------------------------------------------------------------------------ CRDs, DeviceClasses, RBAC, others

const CRD_BASE: Obj = {
  metadata: { name: 'widgets.example.com', uid: 'crd-1' },
  spec: {
    group: 'example.com',
    names: { kind: 'Widget', plural: 'widgets' },
    scope: 'Namespaced',
    versions: [
      { name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      { name: 'v1beta1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
    ],
  },
  status: { storedVersions: ['v1beta1'] },
};
const deviceClass = (spec: Obj): Obj => ({ metadata: { name: 'gpu.nvidia.com' }, spec });
const role = (...rules: Obj[]): Obj => ({ metadata: { name: 'reader', namespace: 'shop' }, rules });
const binding = (roleRef: Obj, ...subjects: Obj[]): Obj => ({ metadata: { name: 'ops' }, roleRef, subjects });
const EDIT = { kind: 'ClusterRole', name: 'edit' };
const widget = (o: Obj): Obj => ({
  metadata: { name: 'w', namespace: 'shop', resourceVersion: '1', generation: 1 },
  spec: { size: 3 },
  ...o,
});

describe('deriveChanges: CRDs, DeviceClasses, RBAC and any other kind', () => {
  check('apiextensions.k8s.io/customresourcedefinitions', {}, [
    {
      name: 'created, with its fleet key',
      before: null,
      after: CRD_BASE,
      expect: [x('crd', 'created', 'created: served v1, v1beta1; storage v1beta1', { fleetKey: 'crd:widgets.example.com:v1,v1beta1' })],
    },
    {
      name: 'versions served/storage changed, and a schema',
      before: CRD_BASE,
      after: mut(CRD_BASE, (o) => {
        Object.assign(o.spec.versions[0], {
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } },
        });
        Object.assign(o.spec.versions[1], { served: false, storage: false });
      }),
      expect: [
        x('crd', 'versions', 'served v1, v1beta1 → v1; storage v1beta1 → v1', { fleetKey: 'crd:widgets.example.com:v1' }),
        x('crd', 'schema', 'schema changed: v1'),
      ],
    },
    {
      name: 'nothing: a status update',
      before: CRD_BASE,
      after: mut(CRD_BASE, (o) => (o.status = { storedVersions: ['v1beta1', 'v1'], acceptedNames: { kind: 'Widget' } })),
      expect: [],
    },
  ]);

  check('resource.k8s.io/deviceclasses', {}, [
    { name: 'created', before: null, after: deviceClass({ selectors: [] }), expect: [x('deviceclass', 'created', 'created')] },
    {
      name: 'changed',
      before: deviceClass({ selectors: [] }),
      after: deviceClass({ selectors: [{ cel: { expression: 'true' } }], extendedResourceName: 'nvidia.com/gpu' }),
      expect: [x('deviceclass', 'changed', 'changed: spec.selectors[0] (added), spec.extendedResourceName (added)')],
    },
  ]);

  check('rbac.authorization.k8s.io/roles', {}, [
    {
      name: 'rules changed: count, verbs and resources',
      before: role({ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }),
      after: role(
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
        { apiGroups: ['', 'apps'], resources: ['secrets'], verbs: ['get'] },
      ),
      expect: [x('rbac', 'rules', 'rules 1 → 2: added get on secrets,apps/secrets')],
    },
  ]);

  check('rbac.authorization.k8s.io/clusterrolebindings', {}, [
    {
      name: 'subjects added and removed',
      before: binding(EDIT, { kind: 'Group', name: 'devs' }),
      after: binding(EDIT, { kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' }),
      expect: [x('rbac', 'subjects', 'subjects added: User alice, ServiceAccount ci/deployer; removed: Group devs')],
    },
    {
      name: 'created',
      before: null,
      after: binding({ kind: 'ClusterRole', name: 'view' }, { kind: 'User', name: 'alice' }),
      expect: [x('rbac', 'created', 'created: ClusterRole view → User alice')],
    },
  ]);

  check('services', {}, [
    {
      name: 'any other kind: changed, with up to 3 paths',
      before: {
        metadata: { name: 'web', namespace: 'shop' },
        spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80 }], selector: { app: 'web' } },
      },
      after: {
        metadata: { name: 'web', namespace: 'shop' },
        spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 8080 }], selector: { app: 'web2' }, externalTrafficPolicy: 'Local' },
      },
      expect: [x('object', 'changed', 'changed: spec.type, spec.ports[name=http].port, spec.selector.app (+1 more)')],
    },
  ]);

  check('example.com/widgets', {}, [
    {
      name: 'a custom resource created',
      before: null,
      after: widget({ apiVersion: 'example.com/v1', kind: 'Widget' }),
      expect: [x('object', 'created', 'created')],
    },
    {
      name: 'nothing: status and metadata only (and a LIST item that lacked apiVersion/kind)',
      before: widget({ status: { phase: 'A' } }),
      after: widget({
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w', namespace: 'shop', resourceVersion: '2', generation: 1, labels: { x: 'y' } },
        status: { phase: 'B' },
      }),
      expect: [],
    },
  ]);

  it('produces nothing for the quiet kinds (ReplicaSets, Events, Leases, EndpointSlices...)', () => {
    const a = { metadata: { name: 'a' }, spec: { x: 1 } };
    const pairs: [Obj | null, Obj][] = [
      [null, a],
      [a, { ...a, spec: { x: 2 } }],
    ];
    for (const kind of QUIET_KINDS)
      for (const [before, after] of pairs) assert.deepEqual(deriveChanges(input({ kind, before, after })), [], kind);
  });

  it('derives nothing from a MODIFIED whose earlier state the cache never saw', () => {
    assert.deepEqual(deriveChanges(input({ kind: 'apps/deployments', type: 'MODIFIED', before: null, after: DEP })), []);
    assert.deepEqual(deriveChanges(input({ kind: 'nodes', type: 'MODIFIED', before: null, after: N1 })), []);
  });
});

// ------------------------------------------------------------------------------------ hostile input

describe('deriveChanges: hostile bodies', () => {
  const BODIES: unknown[] = [
    null,
    'a string',
    42,
    [],
    { metadata: null },
    { metadata: 'x', spec: [], status: 7, data: 'x', rules: 'all', subjects: {} },
    {
      metadata: { name: 5, annotations: 'x', ownerReferences: 'x', labels: [1] },
      spec: { template: { spec: { containers: 'oops', volumes: {} } }, replicas: '3', paused: 'true' },
    },
    {
      metadata: { name: 'n', namespace: {} },
      spec: {
        containers: { name: 'x' },
        taints: 'NoSchedule',
        unschedulable: 'true',
        drivers: null,
        versions: 'v1',
        schedule: 5,
        scaleTargetRef: [],
      },
      status: {
        phase: 7,
        conditions: 'Ready',
        containerStatuses: [null, 1, { name: 5, state: 'x', restartCount: '3', lastState: { terminated: 'OOMKilled' } }],
        allocatable: [],
        nodeInfo: 1,
      },
    },
    {
      spec: {
        template: { spec: { containers: [null, 1, 'x', { name: 3, image: 4, env: 'x', resources: { requests: 'x', limits: [] } }] } },
      },
      data: [1],
      binaryData: 'x',
    },
    JSON.parse(
      '{"__proto__":{"polluted":1},"metadata":{"name":"p"},"data":{"__proto__":"<1 bytes>","constructor":"<2 bytes>"},"spec":{"template":{"spec":{"containers":[{"name":"__proto__","image":"x"}]}}}}',
    ),
  ];
  const KINDS = [
    'pods',
    'apps/deployments',
    'apps/statefulsets',
    'apps/daemonsets',
    'nodes',
    'configmaps',
    'secrets',
    'storage.k8s.io/csinodes',
    'storage.k8s.io/csidrivers',
    'persistentvolumeclaims',
    'persistentvolumes',
    'storage.k8s.io/storageclasses',
    'batch/jobs',
    'batch/cronjobs',
    'autoscaling/horizontalpodautoscalers',
    'apiextensions.k8s.io/customresourcedefinitions',
    'resource.k8s.io/deviceclasses',
    'rbac.authorization.k8s.io/roles',
    'rbac.authorization.k8s.io/clusterrolebindings',
    'services',
  ];

  it('never throws, whatever the bodies', () => {
    for (const kind of KINDS) {
      for (const before of BODIES) {
        for (const after of BODIES) {
          for (const type of ['ADDED', 'MODIFIED', 'DELETED'] as const) {
            const events = deriveChanges(input({ kind, type, before: before as Obj, after: after as Obj }));
            assert.ok(Array.isArray(events));
            for (const e of events) assert.equal(typeof e.summary, 'string');
          }
        }
      }
    }
    assert.equal(({} as Obj).polluted, undefined);
    assert.deepEqual(deriveChanges(null as unknown as ChangeInput), []);
    assert.deepEqual(
      deriveChanges({ ...input({ kind: 'nodes', before: N1, after: N1 }), kind: 7 as unknown as string, type: 'X' as 'ADDED' }),
      [],
    );
  });

  it('still reports what it can read', () => {
    const broken = mut(DEP, (o) => ((o.spec.template.spec.containers = 'oops'), (o.status = 'x')));
    const scaled = mut(broken, (o) => (o.spec.replicas = 5));
    assert.deepEqual(
      deriveChanges(input({ kind: 'apps/deployments', before: broken, after: scaled })).map((e) => e.summary),
      ['replicas 3 → 5'],
    );
    const bare = { metadata: null, spec: { unschedulable: false }, status: null };
    assert.deepEqual(
      deriveChanges(input({ kind: 'nodes', before: bare, after: { ...bare, spec: { unschedulable: true } } })).map((e) => e.action),
      ['cordoned'],
    );
    const cm = { metadata: { name: 'c' }, data: { a: 1, b: null } };
    assert.deepEqual(
      deriveChanges(input({ kind: 'configmaps', before: cm, after: { metadata: { name: 'c' }, data: { a: '1', c: [] } } })).map(
        (e) => e.summary,
      ),
      ['keys changed: a; added: c; removed: b'],
    );
  });
});

// ------------------------------------------------------------------------------------ gaps, cluster status

describe('gapChange and clusterStatusChange', () => {
  it('names the gap by its reason', () => {
    const cases: [string, string | null, number | null, string, string][] = [
      ['relist after 410 Gone', 'pods', NOW + 12_000, 'relist', 'capture gap (pods): relist after 410 Gone; 12s'],
      [
        'forbidden: cannot watch secrets',
        'secrets',
        null,
        'forbidden',
        'capture gap (secrets): forbidden: cannot watch secrets; still open',
      ],
      [
        'disconnected: dial tcp 10.0.0.1:6443: connection refused',
        null,
        NOW + 3 * MIN,
        'disconnected',
        'capture gap (all kinds): disconnected: dial tcp 10.0.0.1:6443: connection refused; 3m',
      ],
      [
        'reconnected after a network error',
        null,
        NOW + 45_000,
        'reconnected',
        'capture gap (all kinds): reconnected after a network error; 45s',
      ],
    ];
    for (const [reason, kind, end, action, summary] of cases) {
      const g = gapChange({ cluster: 'c1', kind, start: NOW, end, reason });
      assert.deepEqual(
        {
          category: g.category,
          action: g.action,
          severity: g.severity,
          summary: g.summary,
          kind: g.kind,
          at: g.at,
          historyIndex: g.historyIndex,
        },
        { category: 'gap', action, severity: 'warning', summary, kind: kind ?? '', at: NOW, historyIndex: null },
      );
    }
  });

  it('turns cluster status transitions into health events', () => {
    const cs = (from: string | null, to: string, message: string | null = null) => {
      const e = clusterStatusChange({ cluster: 'c1', at: NOW, from, to, message });
      return e && [e.category, e.action, e.severity, e.summary, e.kind];
    };
    assert.deepEqual(cs('live', 'unreachable', 'dial tcp: i/o timeout'), [
      'health',
      'unreachable',
      'critical',
      'cluster unreachable: dial tcp: i/o timeout',
      '',
    ]);
    assert.deepEqual(cs('live', 'unauthorized'), ['health', 'unauthorized', 'critical', 'cluster unauthorized', '']);
    assert.deepEqual(cs('live', 'error', 'x'), ['health', 'error', 'critical', 'cluster error: x', '']);
    assert.deepEqual(cs('live', 'stale'), ['health', 'stale', 'warning', 'cluster stale', '']);
    assert.deepEqual(cs('unreachable', 'live'), ['health', 'recovered', 'ok', 'cluster live again (was unreachable)', '']);
    const quiet: [string | null, string][] = [
      [null, 'connecting'],
      ['connecting', 'syncing'],
      ['syncing', 'live'],
      ['live', 'syncing'],
      ['live', 'live'],
      [null, 'live'],
    ];
    for (const [from, to] of quiet) assert.equal(cs(from, to), undefined, `${from} → ${to}`);
  });
});
