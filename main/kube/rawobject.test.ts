// Who wrote an object, read from its managedFields on the watch line itself (fieldsV1 is skipped).
// The store's ingest test (main/store/ingest.test.ts) covers the rest of the scanner.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawObject, fieldManager } from './rawobject.ts';

const entry = (manager: unknown, time: string, extra: Record<string, unknown> = {}) => ({
  manager,
  operation: 'Update',
  apiVersion: 'apps/v1',
  time,
  fieldsType: 'FieldsV1',
  fieldsV1: { 'f:spec': { 'f:template': { 'f:manager': {}, 'f:time': {} } } },
  ...extra,
});

const deployment = (managedFields: unknown) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '5', managedFields },
  spec: { replicas: 3 },
});

describe('field manager', () => {
  it('the latest writer of the object, not of its status; the same from the text and from the parsed object', () => {
    const cases: [unknown, string | null][] = [
      [
        [entry('kubectl-client-side-apply', '2026-01-01T00:00:00Z'), entry('kubectl-edit', '2026-01-02T00:00:00Z')],
        'kubectl-edit (Update)',
      ],
      [
        [
          entry('kubectl', '2026-01-02T00:00:00Z', { operation: 'Apply' }),
          entry('kube-controller-manager', '2026-01-03T00:00:00Z', { subresource: 'status' }),
        ],
        'kubectl (Apply)',
      ],
      // a scale is a write of the object (kubectl scale, an HPA)
      [
        [entry('kubectl', '2026-01-01T00:00:00Z'), entry('kube-controller-manager', '2026-01-05T00:00:00Z', { subresource: 'scale' })],
        'kube-controller-manager (Update)',
      ],
      // same time: the later entry
      [[entry('a', '2026-01-01T00:00:00Z'), entry('b', '2026-01-01T00:00:00Z')], 'b (Update)'],
      // hostile names: quotes, a "manager": inside the name, unicode
      [[entry('evil","manager":"spoof', '2026-01-01T00:00:00Z')], 'evil","manager":"spoof (Update)'],
      [[entry('‮ärger 🚀', '2026-01-01T00:00:00Z')], '‮ärger 🚀 (Update)'],
      [[entry('kube-controller-manager', '2026-01-01T00:00:00Z', { subresource: 'status' })], null],
      [[], null],
      [[{ operation: 'Update' }], null],
      [[entry(42, '2026-01-01T00:00:00Z')], null],
    ];
    for (const [managed, want] of cases) {
      const text = JSON.stringify(deployment(managed));
      assert.equal(RawObject.of(text).manager, want, text);
      assert.equal(fieldManager(managed), want, text);
      assert.equal(RawObject.eventObject(JSON.stringify({ type: 'MODIFIED', object: deployment(managed) })).manager, want);
    }
  });

  it('says nothing when managedFields is missing or not an array', () => {
    for (const managed of [undefined, null, 'x', { manager: 'a' }]) {
      const o = deployment(managed);
      if (managed === undefined) delete (o.metadata as Record<string, unknown>).managedFields;
      assert.equal(RawObject.of(JSON.stringify(o)).manager, null);
      assert.equal(fieldManager(managed), null);
    }
  });

  it('is not confused by the scanner state of another text', () => {
    const a = RawObject.of(JSON.stringify(deployment([entry('first\\"quoted', '2026-01-01T00:00:00Z')])));
    RawObject.of(JSON.stringify({ metadata: { uid: 'x', name: 'no\\backslash\\here' } }));
    assert.equal(a.manager, 'first\\"quoted (Update)');
  });
});
