// What the fleet CLI prints of kubeconfig entries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { entriesFromFiles } from '../fleet/kubeconfig.ts';
import { TrustStore } from '../fleet/trust.ts';
import { cluster, ctx, kc, tmp, user } from '../fleet/fixtures.ts';
import { view } from './fleet.ts';

describe('what the CLI shows', () => {
  it('never a token, key, password or exec env value', () => {
    const d = tmp();
    const f = kc(join(d, 'k'), {
      clusters: [cluster('c', 'https://u:pw-in-url@x:6443', { 'certificate-authority-data': 'Q0FEQVRB' })],
      users: [
        user('u', {
          token: 'SECRET-TOKEN',
          'client-key-data': 'SECRET-KEY',
          password: 'SECRET-PW',
          username: 'n',
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: 'x',
            args: ['--flag'],
            env: [{ name: 'K', value: 'SECRET-ENV' }],
            interactiveMode: 'Never',
          },
        }),
      ],
      contexts: [ctx('c', 'c', 'u')],
    });
    const e = entriesFromFiles([f], 'file', false).entries[0]!;
    const text = JSON.stringify(view(e, { status: 'ok' }, new TrustStore(join(d, 't.json'))));
    for (const s of ['SECRET-TOKEN', 'SECRET-KEY', 'SECRET-PW', 'SECRET-ENV', 'pw-in-url']) assert.equal(text.includes(s), false, s);
  });
});
