import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { toYaml } from './yaml.ts';
import { hostileConfigMap } from '../lab/src/profiles/workloads.ts';

/** Read back by a full YAML parser, as YAML 1.2 and as 1.1 (older readers): the same data. */
function roundTrip(v: unknown): void {
  const y = toYaml(v);
  assert.deepEqual(parse(y), v, y);
  assert.deepEqual(parse(y, { version: '1.1' }), v, `as YAML 1.1:\n${y}`);
}

const STRINGS = [
  '',
  ' ',
  'plain',
  'true',
  'True',
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  'null',
  '~',
  '0',
  '007',
  '1.5',
  '1e3',
  '1E3',
  '0x1F',
  '0o17',
  '.inf',
  '-.inf',
  '.nan',
  '1_000',
  '1:20:30',
  '2026-11-22',
  '2026-11-22T07:00:00Z',
  '500m',
  '1Gi',
  '2.5Gi',
  '1h30m',
  'a: b',
  'a:b',
  'a:',
  'key #not comment',
  'key#x',
  '# comment',
  '- item',
  '-',
  '? key',
  '[a, b]',
  '{a: b}',
  '*alias',
  '&anchor',
  '!tag',
  '%directive',
  '@at',
  '`tick',
  "'single'",
  '"double"',
  'back\\slash',
  '---',
  '...',
  '|',
  '>',
  '<<',
  '<<x',
  '<redacted:env-credential>',
  '<a>:',
  '<',
  'http://user@host:8080/path?q=1#frag',
  '/var/lib/kubelet',
  'docker.io/library/nginx:1.29',
  'node.kubernetes.io/not-ready',
  'line\nbreak',
  'trailing newline\n',
  'two trailing\n\n',
  'three trailing\n\n\n',
  '\nleading newline',
  ' leading space\nsecond',
  'first\n  indented second\n\tthird with tab',
  'blank\n\nlines\n \n  \nend',
  'trailing spaces   \nnext  ',
  'cr\r\nlf',
  'tab\tin',
  'nul\u0000byte',
  'bell\u0007',
  'nel\u0085',
  'c1\u009b',
  'ls\u2028ps\u2029',
  'bom\ufeffinside',
  '\ufeffbom first',
  'rtl \u202egnp.exe\u202c',
  'zero\u200bwidth\u200d',
  'emoji 🚀 ✓ Ωmega — ünïcödé \u{1F9EA}',
  'lone \ud800 surrogate',
  '<script>alert("x")</script>',
  'x'.repeat(70_000),
  'multi\nline '.repeat(2000),
];

describe('YAML for bundles', () => {
  it('round-trips every awkward string, as a value, a key, and in sequences', () => {
    for (const s of STRINGS) {
      roundTrip(s);
      roundTrip({ k: s });
      roundTrip({ [s]: 'v' });
      roundTrip([s, { a: s }, [s]]);
      roundTrip({ list: [s, s], nested: { deeper: { s } } });
    }
  });

  it('round-trips numbers, booleans, null, empties and nesting', () => {
    roundTrip({ a: 1, b: -2.5, c: 0, d: 1e21, e: true, f: false, g: null, h: {}, i: [], j: [[]], k: [{}] });
    roundTrip([[1, [2, [3, { x: [4] }]]], { y: [{ z: [] }] }]);
    roundTrip([]);
    roundTrip({});
    roundTrip('scalar');
    roundTrip(42);
  });

  it('round-trips a real object, kubectl-style', () => {
    const cm = hostileConfigMap('default');
    roundTrip(cm);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-0', namespace: 'web', labels: { app: 'web', 'app.kubernetes.io/name': 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.29',
            args: ['--port=8080', '--config', '/etc/web.conf'],
            env: [{ name: 'A', value: 'multi\nline\n' }],
            resources: { requests: { cpu: '500m', memory: '1Gi', 'nvidia.com/gpu': '1' } },
          },
        ],
      },
    };
    roundTrip(pod);
    const y = toYaml(pod);
    assert.match(y, /^spec:\n {2}containers:\n {2}- name: web\n {4}image: nginx:1\.29\n/m);
    assert.match(y, /cpu: 500m\n/);
    assert.match(toYaml({ value: '<redacted:env-credential:tok_0123456789ab>' }), /^value: <redacted:env-credential:tok_0123456789ab>\n$/);
    assert.match(y, /value: \|\n {8}multi\n {8}line\n/);
  });

  it('is fast: 10,000 pods', () => {
    const pods = Array.from({ length: 10_000 }, (_, i) => ({
      metadata: { name: `p-${i}`, labels: { app: 'x', i: String(i) } },
      spec: { containers: [{ name: 'c', image: 'img:1', resources: { requests: { cpu: '100m' } } }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-22T07:00:00Z' }] },
    }));
    const t0 = performance.now();
    for (const p of pods) toYaml(p);
    assert.ok(performance.now() - t0 < 5000);
  });
});
