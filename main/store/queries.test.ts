// Tiered watching keeps the model's inputs live in every cluster: ALWAYS_LIVE must name each kind the
// map, the fleet table and the fleet's figures are derived from (store/queries.ts), and only kinds the
// catalogue syncs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALWAYS_LIVE, CATALOGUE } from '../kube/resources.ts';
import { MODEL_KINDS } from './queries.ts';

test('every kind the model reads is always live', () => {
  for (const kind of Object.values(MODEL_KINDS)) assert.ok(ALWAYS_LIVE.has(kind), `${kind} is read by the model but not in ALWAYS_LIVE`);
  assert.ok(ALWAYS_LIVE.has('namespaces'), 'namespaces (the namespace picker, access reviews) stay live');
});

test('always-live kinds are kinds of the catalogue, and some catalogue kinds are not (they are polled in a large fleet)', () => {
  const keys = new Set(CATALOGUE.map((k) => k.key));
  for (const k of ALWAYS_LIVE) assert.ok(keys.has(k), `${k} is not a catalogue kind`);
  const detail = [...keys].filter((k) => !ALWAYS_LIVE.has(k));
  assert.ok(detail.includes('services') && detail.includes('secrets'), `detail kinds: ${detail.join(', ')}`);
});
