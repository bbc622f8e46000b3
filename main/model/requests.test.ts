import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { container as c, pod } from './fixtures.ts';
import { podDevicePluginRequests, podLimits, podRequests } from './requests.ts';
import type { Pod } from './types.ts';

interface Case {
  name: string;
  pod: Pod;
  requests: Record<string, number>;
  limits?: Record<string, number>;
}

// Expected values follow component-helpers PodRequests/PodLimits (KEP-753 formula) by hand.
const cases: Case[] = [
  {
    name: 'app containers are summed',
    pod: pod('p', { containers: [c('a', { cpu: '500m', memory: '256Mi' }), c('b', { cpu: '1', memory: '1Gi' })] }),
    requests: { cpu: 1500, memory: 1342177280 },
    limits: {},
  },
  {
    name: 'init peak wins: a big ordinary init container',
    pod: pod('p', {
      initContainers: [c('migrate', { cpu: '4', memory: '8Gi' })],
      containers: [c('app', { cpu: '1', memory: '1Gi' })],
    }),
    requests: { cpu: 4000, memory: 8589934592 },
  },
  {
    name: 'init candidate includes the sidecars started before it',
    pod: pod('p', {
      initContainers: [c('log-shipper', { cpu: '500m' }, undefined, 'Always'), c('migrate', { cpu: '2' })],
      containers: [c('app', { cpu: '1' })],
    }),
    // app sum incl. sidecar = 1.5; init candidate = 2 + 0.5 sidecar = 2.5
    requests: { cpu: 2500 },
  },
  {
    name: 'sidecars make the app sum win',
    pod: pod('p', {
      initContainers: [
        c('migrate', { cpu: '1', memory: '256Mi' }),
        c('log-shipper', { cpu: '50m', memory: '64Mi' }, undefined, 'Always'),
        c('proxy', { cpu: '1', memory: '512Mi' }, undefined, 'Always'),
      ],
      containers: [c('app', { cpu: '16', memory: '128Gi' })],
    }),
    requests: { cpu: 17050, memory: 138042933248 },
  },
  {
    name: 'a sidecar after an init container does not add to that init candidate',
    pod: pod('p', {
      initContainers: [c('migrate', { cpu: '3' }), c('proxy', { cpu: '1' }, undefined, 'Always')],
      containers: [c('app', { cpu: '1' })],
    }),
    // app sum = 2; init candidates: 3 (nothing before), 1 (sidecar) → max 3
    requests: { cpu: 3000 },
  },
  {
    name: 'limit defaults the request (nvidia.com/gpu limit only)',
    pod: pod('p', { containers: [c('train', { cpu: '32', memory: '512Gi' }, { 'nvidia.com/gpu': '8' })] }),
    requests: { cpu: 32000, memory: 549755813888, 'nvidia.com/gpu': 8 },
    limits: { 'nvidia.com/gpu': 8 },
  },
  {
    name: 'explicit request is kept when a limit also exists',
    pod: pod('p', { containers: [c('app', { cpu: '250m' }, { cpu: '1', memory: '1Gi' })] }),
    requests: { cpu: 250, memory: 1073741824 },
    limits: { cpu: 1000, memory: 1073741824 },
  },
  {
    name: 'pod-level requests override cpu and memory only',
    pod: pod('p', {
      containers: [c('a', { cpu: '1', memory: '1Gi', 'nvidia.com/gpu': '1' }), c('b', { cpu: '1' })],
      podResources: { requests: { cpu: '4', memory: '8Gi', 'nvidia.com/gpu': '3' } },
    }),
    requests: { cpu: 4000, memory: 8589934592, 'nvidia.com/gpu': 1 },
  },
  {
    name: 'pod-level limit defaults a request nobody makes',
    pod: pod('p', { containers: [c('a', { memory: '1Gi' })], podResources: { limits: { cpu: '2', memory: '4Gi' } } }),
    requests: { cpu: 2000, memory: 1073741824 },
    limits: { cpu: 2000, memory: 4294967296 },
  },
  {
    name: 'pod-level hugepages override',
    pod: pod('p', { containers: [c('a', { 'hugepages-2Mi': '2Mi' })], podResources: { requests: { 'hugepages-2Mi': '1Gi' } } }),
    requests: { 'hugepages-2Mi': 1073741824 },
  },
  {
    name: 'overhead is added to requests, and to set limits only',
    pod: pod('p', {
      containers: [c('a', { cpu: '1', memory: '1Gi' }, { memory: '2Gi' })],
      overhead: { cpu: '250m', memory: '120Mi' },
    }),
    requests: { cpu: 1250, memory: 1199570944 },
    limits: { memory: 2273312768 },
  },
  {
    name: 'exact sum of fractional cpu before rounding (3 × 0.0001 → 1m, not 3m)',
    pod: pod('p', { containers: [c('a', { cpu: '0.0001' }), c('b', { cpu: '0.0001' }), c('c', { cpu: '0.0001' })] }),
    requests: { cpu: 1 },
  },
  {
    name: 'garbage quantities are ignored, never thrown',
    pod: pod('p', { containers: [c('a', { cpu: 'lots', memory: '1Gi' })] }),
    requests: { memory: 1073741824 },
  },
  {
    name: 'hostile shapes: containers not an array, resources null',
    pod: { spec: { containers: 'nope' as unknown as [], initContainers: [null as never, { resources: null as never }] } },
    requests: {},
    limits: {},
  },
  { name: 'empty object', pod: {}, requests: {}, limits: {} },
];

describe('podRequests / podLimits', () => {
  for (const t of cases) {
    it(t.name, () => {
      assert.deepEqual(podRequests(t.pod), t.requests);
      if (t.limits) assert.deepEqual(podLimits(t.pod), t.limits);
    });
  }
  it('null pod does not throw', () => {
    assert.deepEqual(podRequests(null as unknown as Pod), {});
    assert.deepEqual(podLimits(undefined as unknown as Pod), {});
  });
});

describe('podDevicePluginRequests (DRA extended resources)', () => {
  const base = { nodeName: 'n', containers: [c('a', { cpu: '1' }, { 'nvidia.com/gpu': '2' })] };
  const cases: [string, Pod, Record<string, number>][] = [
    ['no DRA status: everything counts', pod('p', base), { cpu: 1000, 'nvidia.com/gpu': 2 }],
    [
      'mapped resource served by DRA is dropped',
      pod('p', {
        ...base,
        extendedResourceClaimStatus: {
          resourceClaimName: 'p-extended-resources-abc',
          requestMappings: [{ containerName: 'a', resourceName: 'nvidia.com/gpu', requestName: 'container-0-request-0' }],
        },
      }),
      { cpu: 1000 },
    ],
    [
      'status without mappings: all extended resources dropped',
      pod('p', { ...base, extendedResourceClaimStatus: { resourceClaimName: 'x' } }),
      { cpu: 1000 },
    ],
  ];
  for (const [name, p, want] of cases) it(name, () => assert.deepEqual(podDevicePluginRequests(p), want));
});
