// Exec credential plugins: the ExecCredential answer, how a plugin is run, and the per-entry cache.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecCredentialCache, parseExecCredential, runExecPlugin, type ExecCredential } from './exec.ts';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'fleet-exec-'));
}

describe('exec credentials', () => {
  const script = (body: string) => {
    const p = join(tmp(), 'plugin.sh');
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };
  const spec = (command: string, extra: Partial<Parameters<typeof runExecPlugin>[0]> = {}) => ({
    apiVersion: 'client.authentication.k8s.io/v1',
    command,
    args: [],
    env: [],
    interactiveMode: 'Never' as const,
    provideClusterInfo: false,
    ...extra,
  });

  it('parses v1 and v1beta1 credentials and rejects bad ones', () => {
    const ok = parseExecCredential(
      '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"2030-01-01T00:00:00Z"}}',
      'client.authentication.k8s.io/v1',
    );
    assert.deepEqual(ok, { token: 't', expiresAt: Date.parse('2030-01-01T00:00:00Z') });
    assert.throws(() => parseExecCredential('nope', 'client.authentication.k8s.io/v1'), /not JSON/);
    assert.throws(
      () =>
        parseExecCredential(
          '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}',
          'client.authentication.k8s.io/v1',
        ),
      /asked for/,
    );
    assert.throws(
      () =>
        parseExecCredential(
          '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}',
          'client.authentication.k8s.io/v1',
        ),
      /neither a token/,
    );
    assert.throws(
      () =>
        parseExecCredential(
          '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"soon"}}',
          'client.authentication.k8s.io/v1',
        ),
      /invalid expirationTimestamp/,
    );
  });

  it('passes KUBERNETES_EXEC_INFO and env, surfaces stderr and exit codes, times out', async () => {
    const echo = script(`test "$MY_VAR" = "x" || { echo "MY_VAR missing" >&2; exit 3; }
info="$KUBERNETES_EXEC_INFO"
case "$info" in *'"interactive":false'*) ;; *) echo "bad info $info" >&2; exit 4;; esac
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok"}}'`);
    assert.deepEqual(await runExecPlugin(spec(echo, { env: [{ name: 'MY_VAR', value: 'x' }] })), { token: 'tok' });
    await assert.rejects(runExecPlugin(spec(echo)), /exited with 3: MY_VAR missing/);
    await assert.rejects(
      runExecPlugin(spec('/nonexistent/aws-iam', { installHint: 'install the AWS CLI' })),
      /not found\ninstall the AWS CLI/,
    );
    await assert.rejects(runExecPlugin(spec(script('sleep 10')), { timeoutMs: 300 }), /did not answer within/);
    await assert.rejects(runExecPlugin(spec(echo, { interactiveMode: 'Always' })), /interactive terminal/);
  });

  it('caches per cluster entry until expiry: two kubeconfigs with the same user name never share (client-node #592)', async () => {
    const counter = join(tmp(), 'n');
    const plug = script(
      `echo x >> ${counter}; echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"'"$WHO"'","expirationTimestamp":"2099-01-01T00:00:00Z"}}'`,
    );
    const cache = new ExecCredentialCache();
    const a = await cache.get('entry-a', spec(plug, { env: [{ name: 'WHO', value: 'alice' }] }), {});
    const b = await cache.get('entry-b', spec(plug, { env: [{ name: 'WHO', value: 'bob' }] }), {});
    const a2: ExecCredential = await cache.get('entry-a', spec(plug, { env: [{ name: 'WHO', value: 'alice' }] }), {});
    assert.equal(a.token, 'alice');
    assert.equal(b.token, 'bob');
    assert.equal(a2.token, 'alice');
    assert.equal(readFileSync(counter, 'utf8').trim().split('\n').length, 2, 'the cached credential was reused');
    const expired = new ExecCredentialCache();
    const shortLived = script(
      `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"2000-01-01T00:00:00Z"}}'; echo x >> ${counter}`,
    );
    await expired.get('e', spec(shortLived), {});
    await expired.get('e', spec(shortLived), {});
    assert.equal(readFileSync(counter, 'utf8').trim().split('\n').length, 4, 'an expired credential is fetched again');
  });
});
