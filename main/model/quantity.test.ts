import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatCpu, isValidQuantity, milliValue, parseQuantity, parseQuantityNanos, resourceValue } from './quantity.ts';

// Expected values computed by hand against k8s.io/apimachinery resource.ParseQuantity semantics.
describe('parseQuantity', () => {
  const cases: [string | number, number][] = [
    // plain and fractional
    ['0', 0],
    ['1', 1],
    ['+5', 5],
    ['-5', -5],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['1.', 1],
    ['007', 7],
    // decimal SI suffixes
    ['5n', 5e-9],
    ['5u', 5e-6],
    ['100m', 0.1],
    ['31750m', 31.75],
    ['1k', 1000],
    ['1M', 1e6],
    ['1G', 1e9],
    ['1T', 1e12],
    ['1P', 1e15],
    ['1E', 1e18],
    ['2.5k', 2500],
    // binary SI suffixes
    ['1Ki', 1024],
    ['1Mi', 1048576],
    ['1Gi', 1073741824],
    ['1.5Gi', 1610612736],
    ['1Ti', 2 ** 40],
    ['1Pi', 2 ** 50],
    ['1Ei', 2 ** 60],
    ['132120576Ki', 135291469824],
    ['0.5Ki', 512],
    ['-1.5Mi', -1572864],
    // decimal exponents
    ['1e3', 1000],
    ['1E3', 1000],
    ['1.5e-3', 0.0015],
    ['12e+2', 1200],
    ['12e2', 1200],
    ['-2e1', -20],
    ['1e-9', 1e-9],
    // below nano precision: ParseQuantity rounds non-zero values up to 1n
    ['1e-12', 1e-9],
    ['0.0000000001', 1e-9],
    ['-0.0000000001', -1e-9],
    ['1.0000000001', 1.000000001],
    // JSON numbers (Quantity.UnmarshalJSON accepts them)
    [107374182400, 107374182400],
    [0.25, 0.25],
  ];
  for (const [q, want] of cases) {
    it(`${JSON.stringify(q)} → ${want}`, () => assert.equal(parseQuantity(q), want));
  }

  const invalid: unknown[] = [
    '',
    ' 1',
    '1 ',
    'Ki',
    'm',
    '.',
    '-',
    '1K',
    '1KiB',
    '1.5.5',
    '1e',
    '1e3.5',
    '1ee3',
    'abc',
    '1Gi ',
    '0x10',
    '1,5',
    '∞',
    '1e99999',
    'x'.repeat(300),
    NaN,
    Infinity,
    null,
    undefined,
    {},
    [],
    true,
  ];
  for (const q of invalid) {
    it(`invalid ${typeof q === 'string' && q.length > 20 ? 'long string' : String(q)} → NaN, never throws`, () => {
      assert.ok(Number.isNaN(parseQuantity(q)));
      assert.equal(isValidQuantity(q), false);
      assert.ok(Number.isNaN(milliValue(q)));
    });
  }

  it('is exact where float arithmetic is not', () => {
    // 0.1 + 0.2 style errors: "0.3" scaled by 1000 in floating point is 300.00000000000006 → ceil 301
    assert.equal(milliValue('0.3'), 300);
    assert.equal(milliValue('0.7'), 700);
    assert.equal(parseQuantityNanos('1.1Gi'), 1181116006400000000n);
    assert.equal(resourceValue('memory', '1.1Gi'), 1181116007); // 1181116006.4 → Value() rounds up
  });
});

describe('milliValue (ceil like Quantity.MilliValue)', () => {
  const cases: [string, number][] = [
    ['1', 1000],
    ['100m', 100],
    ['31750m', 31750],
    ['0.0001', 1],
    ['0.0011', 2],
    ['1.0001', 1001],
    ['1n', 1],
    ['1u', 1],
    ['250m', 250],
    ['1.5', 1500],
    ['-0.0001', -1],
    ['1e-3', 1],
    ['2k', 2_000_000],
    ['0', 0],
  ];
  for (const [q, want] of cases) it(`${q} → ${want}`, () => assert.equal(milliValue(q), want));
});

describe('resourceValue', () => {
  const cases: [string, string, number][] = [
    ['cpu', '31750m', 31750],
    ['cpu', '96', 96000],
    ['cpu', '0.5', 500],
    ['memory', '132120576Ki', 135291469824],
    ['memory', '16Gi', 17179869184],
    ['memory', '100m', 1], // Value() rounds up to a whole byte
    ['ephemeral-storage', '471859200Ki', 483183820800],
    ['hugepages-2Mi', '1Gi', 1073741824],
    ['pods', '110', 110],
    ['nvidia.com/gpu', '8', 8],
    ['nvidia.com/mig-1g.10gb', '14', 14],
  ];
  for (const [name, q, want] of cases) it(`${name} ${q} → ${want}`, () => assert.equal(resourceValue(name, q), want));
  it('NaN on garbage', () => assert.ok(Number.isNaN(resourceValue('cpu', 'lots'))));
});

describe('formatting', () => {
  const cpu: [number, string][] = [
    [0, '0'],
    [250, '250m'],
    [1000, '1'],
    [2000, '2'],
    [31750, '31.75'],
    [1500, '1.5'],
    [-500, '-500m'],
    [NaN, '—'],
  ];
  for (const [m, want] of cpu) it(`formatCpu(${m}) = ${want}`, () => assert.equal(formatCpu(m), want));
  const bytes: [number, string][] = [
    [0, '0 B'],
    [512, '512 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [1610612736, '1.5 GiB'],
    [135291469824, '126 GiB'],
    [2 ** 60, '1 EiB'],
    [-1610612736, '-1.5 GiB'],
    [Infinity, '—'],
  ];
  for (const [b, want] of bytes) it(`formatBytes(${b}) = ${want}`, () => assert.equal(formatBytes(b), want));
});
