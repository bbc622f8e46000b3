import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetention } from './retention.ts';

test('retention as typed: days and GiB to the limits, out of range or not a number refused with why', () => {
  assert.deepEqual(parseRetention('7', '2'), { maxAgeMs: 7 * 86_400_000, maxBytes: 2 * 1024 ** 3 });
  assert.deepEqual(parseRetention(' 0.5 ', '0.25'), { maxAgeMs: 43_200_000, maxBytes: 256 * 1024 ** 2 });
  assert.match(parseRetention('0', '2') as string, /history/);
  assert.match(parseRetention('400', '2') as string, /history/);
  assert.match(parseRetention('seven', '2') as string, /history/);
  assert.match(parseRetention('7', '0.01') as string, /size/);
  assert.match(parseRetention('7', '2048') as string, /size/);
  assert.match(parseRetention('7', '') as string, /size/);
});
