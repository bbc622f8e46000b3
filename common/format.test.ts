// Tests for common/format.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge, formatBytes, formatCount, formatCpu, formatDuration, formatPercent, formatResource } from './format.ts';

const KI = 1024;
const MI = KI * 1024;
const GI = MI * 1024;
const TI = GI * 1024;
const PI = TI * 1024;

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

function table<T>(name: string, fn: (x: T) => string, rows: [T, string][]): void {
  describe(name, () => {
    for (const [input, want] of rows) {
      it(`${String(input)} → ${want}`, () => assert.equal(fn(input), want));
    }
  });
}

table('formatCpu', formatCpu, [
  [250, '250m'],
  [1500, '1.5'],
  [64000, '64'],
  [1000, '1'],
  [31750, '31.75'],
  [1234, '1.23'],
  [1995, '2'],
  [999, '999m'],
  [999.6, '1'],
  [1, '1m'],
  [0, '0'],
  [0.4, '0'],
  [-250, '-250m'],
  [-1500, '-1.5'],
  [Number.NaN, '–'],
  [Number.POSITIVE_INFINITY, '–'],
]);

table('formatBytes', formatBytes, [
  [0, '0 B'],
  [512, '512 B'],
  [1023, '1023 B'],
  [1024, '1 KiB'],
  [1536, '1.5 KiB'],
  [10 * KI + 512, '10.5 KiB'],
  [123.456 * MI, '123 MiB'],
  [12.345 * MI, '12.3 MiB'],
  [1.2345 * GI, '1.23 GiB'],
  [17179869184, '16 GiB'],
  [132120576 * KI, '126 GiB'],
  [1023.9 * KI, '1 MiB'],
  [1023.99 * GI, '1 TiB'],
  [3.5 * TI, '3.5 TiB'],
  [2 * PI, '2 PiB'],
  [4096 * PI, '4 EiB'],
  [2 ** 60, '1 EiB'],
  [-1536, '-1.5 KiB'],
  [0.4, '0 B'],
  [Number.NaN, '–'],
]);

table('formatPercent', formatPercent, [
  [null, '–'],
  [0.456, '46%'],
  [1.234, '123%'],
  [0, '0%'],
  [1, '100%'],
  [0.004, '0%'],
  [0.005, '1%'],
  [-0.001, '0%'],
  [-0.5, '-50%'],
  [Number.NaN, '–'],
]);

table('formatAge', formatAge, [
  [0, '0s'],
  [45 * S, '45s'],
  [45 * S + 999, '45s'],
  [119 * S, '119s'],
  [2 * M, '2m'],
  [5 * M + 30 * S, '5m30s'],
  [12 * M, '12m'],
  [179 * M, '179m'],
  [3 * H, '3h'],
  [3 * H + 20 * M, '3h20m'],
  [10 * H, '10h'],
  [47 * H, '47h'],
  [5 * D, '5d'],
  [5 * D + 4 * H, '5d4h'],
  [12 * D, '12d'],
  [729 * D, '729d'],
  [2 * Y, '2y'],
  [3 * Y + 120 * D, '3y120d'],
  [10 * Y + 100 * D, '10y'],
  [-1, '–'],
  [-5 * M, '–'],
  [Number.NaN, '–'],
]);

table('formatCount', formatCount, [
  [0, '0'],
  [7, '7'],
  [999, '999'],
  [1000, '1,000'],
  [12345, '12,345'],
  [1234567, '1,234,567'],
  [-12345, '-12,345'],
  [1234.5, '1,234.5'],
  [0.125, '0.13'],
  [-0.001, '0'],
  [-0, '0'],
  [-999, '-999'],
  [-1000, '-1,000'],
  [2 ** 53 - 1, '9,007,199,254,740,991'],
  [2 ** 53, '9,007,199,254,740,992'],
  [1e21, '1e+21'],
  [Number.NaN, '–'],
]);

describe('options: one formatter, another rendering where a caller needs it', () => {
  it("cpu with three decimals (the model's messages)", () => {
    assert.equal(formatCpu(1234, { decimals: 3 }), '1.234');
    assert.equal(formatCpu(31750, { decimals: 3 }), '31.75');
    assert.equal(formatCpu(2000, { decimals: 3 }), '2');
    assert.equal(formatCpu(250, { decimals: 3 }), '250m');
  });
  it('what stands for a value that cannot be rendered', () => {
    assert.equal(formatCpu(Number.NaN, { missing: '—' }), '—');
    assert.equal(formatBytes(Number.POSITIVE_INFINITY, { missing: '—' }), '—');
    assert.equal(formatBytes(1536, { missing: '—' }), '1.5 KiB');
  });
});

describe('formatResource', () => {
  const rows: [string, number, string][] = [
    ['cpu', 1500, '1.5'],
    ['cpu', 250, '250m'],
    ['memory', 1536, '1.5 KiB'],
    ['ephemeral-storage', 500 * GI, '500 GiB'],
    ['storage', 10 * GI, '10 GiB'],
    ['hugepages-2Mi', 512 * MI, '512 MiB'],
    ['hugepages-1Gi', 4 * GI, '4 GiB'],
    ['example.com/gpu-memory', 80 * GI, '80 GiB'],
    ['requests.memory', 2 * GI, '2 GiB'],
    ['limits.cpu', 8000, '8'],
    ['pods', 110, '110'],
    ['nvidia.com/gpu', 8, '8'],
    ['example.com/widgets', 12345, '12,345'],
    ['requests.nvidia.com/gpu', 16, '16'],
    ['cpu-manager', 4000, '4,000'],
  ];
  for (const [name, v, want] of rows) {
    it(`${name} ${v} → ${want}`, () => assert.equal(formatResource(name, v), want));
  }
});

describe('formatDuration', () => {
  it('milliseconds, then seconds with a decimal, then as an age', () => {
    assert.deepEqual([0, 840.4, 999.6, 1000, 7840, 59_999, 125_000, -1, Number.NaN].map(formatDuration), [
      '0 ms',
      '840 ms',
      '1000 ms',
      '1 s',
      '7.8 s',
      '60 s',
      '2m5s',
      '–',
      '–',
    ]);
  });
});
