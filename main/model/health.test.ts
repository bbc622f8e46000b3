import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NOW, node, type NodeOpts } from './fixtures.ts';
import { nodeHealth, versionSkew, type HealthLevel } from './health.ts';
import type { Node } from './types.ts';

const SERVER = 'v1.37.1';

interface Case {
  name: string;
  opts?: NodeOpts;
  node?: Node;
  level: HealthLevel;
  ready?: 'True' | 'False' | 'Unknown';
  reasons?: string[];
  stale?: boolean;
  staleAfterMs?: number;
}

const cases: Case[] = [
  { name: 'healthy', level: 'ok', ready: 'True', reasons: [] },
  {
    name: 'NotReady is critical with reason and message',
    opts: { ready: 'False', readyReason: 'KubeletNotReady', readyMessage: 'container runtime network not ready' },
    level: 'critical',
    ready: 'False',
    reasons: ['NotReady: KubeletNotReady: container runtime network not ready'],
  },
  {
    name: 'Ready Unknown (kubelet stopped posting) is critical, with the NoExecute taint listed once',
    opts: {
      ready: 'Unknown',
      readyReason: 'NodeStatusUnknown',
      readyMessage: 'Kubelet stopped posting node status.',
      taints: [
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      ],
    },
    level: 'critical',
    ready: 'Unknown',
    reasons: ['Ready Unknown: NodeStatusUnknown: Kubelet stopped posting node status.'],
  },
  {
    name: 'missing Ready condition is unknown',
    opts: { ready: null },
    level: 'unknown',
    ready: 'Unknown',
    reasons: ['No Ready condition reported'],
  },
  {
    name: 'cordoned is a warning',
    opts: { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] },
    level: 'warning',
    reasons: ['Cordoned'],
  },
  {
    name: 'memory pressure',
    opts: {
      conditions: [
        {
          type: 'MemoryPressure',
          status: 'True',
          reason: 'KubeletHasInsufficientMemory',
          message: 'kubelet has insufficient memory available',
        },
      ],
    },
    level: 'warning',
    reasons: ['MemoryPressure: KubeletHasInsufficientMemory: kubelet has insufficient memory available'],
  },
  {
    name: 'disk + PID pressure',
    opts: {
      conditions: [
        { type: 'DiskPressure', status: 'True' },
        { type: 'PIDPressure', status: 'True' },
      ],
    },
    level: 'warning',
    reasons: ['DiskPressure', 'PIDPressure'],
  },
  {
    name: 'NetworkUnavailable is critical',
    opts: { conditions: [{ type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated' }] },
    level: 'critical',
    reasons: ['NetworkUnavailable: NoRouteCreated'],
  },
  {
    name: 'out-of-service taint is critical',
    opts: {
      ready: 'False',
      readyReason: 'KubeletNotReady',
      readyMessage: 'down',
      taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }],
    },
    level: 'critical',
    reasons: ['NotReady: KubeletNotReady: down', 'OutOfService: taint node.kubernetes.io/out-of-service=nodeshutdown:NoExecute'],
  },
  {
    name: 'not-ready taint while Ready True is critical',
    opts: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] },
    level: 'critical',
    reasons: ['Taint node.kubernetes.io/not-ready:NoExecute while Ready is True'],
  },
  {
    name: 'custom NoExecute taint is a warning',
    opts: { taints: [{ key: 'maintenance', value: 'drain', effect: 'NoExecute' }] },
    level: 'warning',
    reasons: ['NoExecute taint maintenance=drain:NoExecute'],
  },
  {
    name: 'custom NoSchedule taint is not a problem',
    opts: { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] },
    level: 'ok',
    reasons: [],
  },
  {
    name: 'pressure taint without condition',
    opts: { taints: [{ key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' }] },
    level: 'warning',
    reasons: ['DiskPressure: taint node.kubernetes.io/disk-pressure:NoSchedule'],
  },
  { name: 'kubelet 3 minors behind is supported', opts: { kubeletVersion: 'v1.34.2' }, level: 'ok', reasons: [] },
  {
    name: 'kubelet 4 minors behind is a warning',
    opts: { kubeletVersion: 'v1.33.7' },
    level: 'warning',
    reasons: ['kubelet v1.33.7 is 4 minors behind v1.37.1 (max 3)'],
  },
  {
    name: 'kubelet newer than server is a warning',
    opts: { kubeletVersion: 'v1.38.0' },
    level: 'warning',
    reasons: ['kubelet v1.38.0 is newer than v1.37.1 (kubelet must not be newer)'],
  },
  { name: 'vendor suffixes parse', opts: { kubeletVersion: 'v1.36.4-eks-9f1b2c' }, level: 'ok', reasons: [] },
  { name: 'unparsable kubelet version: no skew judgement', opts: { kubeletVersion: 'kwok-dev' }, level: 'ok', reasons: [] },
  {
    name: 'stale heartbeat (kwok posts every 10–20 min; 31 min is stale)',
    opts: { heartbeat: NOW - 31 * 60_000 },
    level: 'unknown',
    stale: true,
    reasons: ['Stale: Ready heartbeat 31m old (threshold 25m)'],
  },
  { name: '19 min old heartbeat is fine', opts: { heartbeat: NOW - 19 * 60_000 }, level: 'ok', stale: false },
  { name: 'threshold is a parameter', opts: { heartbeat: NOW - 6 * 60_000 }, staleAfterMs: 5 * 60_000, level: 'unknown', stale: true },
  {
    name: 'critical outranks stale and warnings',
    opts: { heartbeat: NOW - 60 * 60_000, ready: 'False', unschedulable: true },
    level: 'critical',
    stale: true,
  },
  { name: 'empty object never throws', node: {}, level: 'unknown', ready: 'Unknown' },
  { name: 'conditions not an array', node: { status: { conditions: 'x' as unknown as [] } }, level: 'unknown' },
];

describe('nodeHealth', () => {
  for (const t of cases) {
    it(t.name, () => {
      const n = t.node ?? node('node-001', t.opts);
      const h = nodeHealth(n, { now: NOW, serverVersion: SERVER, ...(t.staleAfterMs ? { staleAfterMs: t.staleAfterMs } : {}) });
      assert.equal(h.level, t.level, JSON.stringify(h.reasons));
      if (t.ready) assert.equal(h.ready, t.ready);
      if (t.reasons) assert.deepEqual(h.reasons, t.reasons);
      if (t.stale !== undefined) assert.equal(h.stale, t.stale);
    });
  }
  it('reports taints verbatim, skew and heartbeat age', () => {
    const h = nodeHealth(
      node('n', {
        kubeletVersion: 'v1.33.7',
        heartbeat: NOW - 120_000,
        taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }],
      }),
      {
        now: NOW,
        serverVersion: SERVER,
      },
    );
    assert.deepEqual(h.taints, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]);
    assert.deepEqual(h.versionSkew, { kubelet: 'v1.33.7', server: SERVER, skew: 4, sameMajor: true, supported: false });
    assert.equal(h.heartbeatAgeMs, 120_000);
  });
  it('hostile strings pass through untouched', () => {
    const msg = '<script>alert(1)</script> \u202Egnp.exe\u200B';
    const h = nodeHealth(node('n\u200Bx', { ready: 'False', readyReason: 'KubeletNotReady', readyMessage: msg }), { now: NOW });
    assert.equal(h.name, 'n\u200Bx');
    assert.equal(h.readyMessage, msg);
    assert.equal(h.reasons[0], `NotReady: KubeletNotReady: ${msg}`);
  });
});

describe('versionSkew', () => {
  const cases: [string, string, number, boolean][] = [
    ['v1.37.1', 'v1.37.1', 0, true],
    ['v1.34.0', 'v1.37.1', 3, true],
    ['v1.33.7', 'v1.37.1', 4, false],
    ['v1.38.0', 'v1.37.1', -1, false],
    ['1.36.2', 'v1.37.0+k3s1', 1, true],
  ];
  for (const [k, s, skew, ok] of cases) {
    it(`${k} vs ${s}`, () => {
      const v = versionSkew(k, s);
      assert.equal(v?.skew, skew);
      assert.equal(v?.supported, ok);
    });
  }
  it('different major is unsupported', () => assert.equal(versionSkew('v2.0.0', 'v1.37.1')?.supported, false));
  it('no server version → undefined', () => assert.equal(versionSkew('v1.37.1', undefined), undefined));
});
