// Cluster entries against a real lab cluster: every auth kind the lab offers, exec gated by approval,
// and the failures a user meets (unreachable server, wrong CA, revoked token).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { Lab } from '../../lab/src/lab.ts';
import { adminClient } from '../../lab/src/cluster.ts';
import { retry } from '../../lab/src/kube.ts';
import { discover } from '../fleet/sources.ts';
import { TrustStore, execRequest } from '../fleet/trust.ts';
import { ExecCredentialCache } from './exec.ts';
import { probe } from './probe.ts';
import type { ContextEntry } from '../fleet/kubeconfig.ts';

describe('cluster entries against a lab cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-entries-'));
  let lab: Lab;
  let trust: TrustStore;
  const deps = () => ({ trust, execCache: new ExecCredentialCache() });

  before(async () => {
    lab = await Lab.up({ dir: join(dir, 'lab'), clusters: 1, profile: 'storage', nodes: 3 });
    trust = new TrustStore(join(dir, 'approvals.json'));
  });
  after(async () => {
    await lab?.down({ removeFiles: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const entries = (): ContextEntry[] => discover({ useDefault: false, files: [lab.state.merged], folders: [] }).entries;

  it('admin (client cert) and restricted (token) are live', async () => {
    const es = entries();
    assert.deepEqual(
      es.map((e) => e.authKind),
      ['client-certificate', 'token', 'exec'],
    );
    for (const e of es.slice(0, 2)) {
      const r = await probe(e, deps());
      assert.equal(r.status, 'live', `${e.context}: ${r.message}`);
      assert.equal(r.serverVersion, lab.state.bin.kubernetesVersion);
    }
  });

  it('the exec user needs approval and its plugin never runs before it; after approval it is live', async () => {
    const rec = lab.cluster('lab-1');
    const exec = entries().find((e) => e.authKind === 'exec')!;
    const r1 = await probe(exec, deps());
    assert.equal(r1.status, 'needs-approval');
    assert.match(r1.message!, /exec-credential\.sh --token-file/);
    assert.equal(existsSync(rec.exec.invocationLog), false, 'the plugin did not run');
    trust.approve(execRequest(exec)!);
    const r2 = await probe(exec, deps());
    assert.equal(r2.status, 'live', r2.message);
    assert.equal(readFileSync(rec.exec.invocationLog, 'utf8').trim().split('\n').length, 1);
  });

  it('a changed exec command needs a new approval', async () => {
    const rec = lab.cluster('lab-1');
    const f = join(dir, 'changed.kubeconfig');
    const doc = parse(readFileSync(rec.kubeconfigs.exec, 'utf8'));
    doc.users[0].user.exec.args.push('--log', join(dir, 'other.log'));
    writeFileSync(f, stringify(doc));
    // Same command in another file: approvals are per file too.
    const e = discover({ useDefault: false, files: [f], folders: [] }).entries[0]!;
    assert.equal((await probe(e, deps())).status, 'needs-approval');
  });

  it('an OIDC user: a current id-token is the bearer token; an expired one is never sent anonymous, and a failed refresh says why', async () => {
    const rec = lab.cluster('lab-1');
    // A JWT the apiserver accepts: a ServiceAccount token (TokenRequest), as an OIDC provider's id-token would be.
    const admin = adminClient(rec);
    let idToken: string;
    try {
      const tr = await retry(
        () =>
          admin.request('POST', '/api/v1/namespaces/default/serviceaccounts/default/token', {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenRequest',
            spec: { expirationSeconds: 600 },
          }),
        'TokenRequest for default/default',
      );
      idToken = (tr as { status: { token: string } }).status.token;
    } finally {
      admin.close();
    }
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const expired = `${b64({ alg: 'none' })}.${b64({ sub: 'u', exp: Math.floor(Date.now() / 1000) - 3600 })}.x`;
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const oidcFile = (name: string, config: Record<string, string>) => {
      const doc = parse(readFileSync(rec.kubeconfigs.restricted, 'utf8'));
      doc.users[0].user = { 'auth-provider': { name: 'oidc', config } };
      const f = join(dir, `${name}.kubeconfig`);
      writeFileSync(f, stringify(doc));
      return f;
    };
    const es = discover({
      useDefault: false,
      files: [
        oidcFile('oidc-current', { 'client-id': 'fleet', 'id-token': idToken, 'idp-issuer-url': `https://127.0.0.1:${closed}` }),
        oidcFile('oidc-expired', { 'client-id': 'fleet', 'id-token': expired }),
        oidcFile('oidc-refresh', {
          'client-id': 'fleet',
          'id-token': expired,
          'refresh-token': 'r',
          'idp-issuer-url': `https://127.0.0.1:${closed}`,
        }),
      ],
      folders: [],
    }).entries;
    assert.deepEqual(
      es.map((e) => e.authKind),
      ['oidc', 'oidc', 'oidc'],
    );
    const [current, expiredR, refresh] = await Promise.all(es.map((e) => probe(e, deps(), 10_000)));
    assert.equal(current!.status, 'live', current!.message ?? '');
    assert.equal(expiredR!.status, 'unauthorized', expiredR!.message ?? '');
    assert.match(expiredR!.message!, /id-token expired at .*\(no refresh-token, idp-issuer-url in the kubeconfig\): log in again/);
    assert.equal(refresh!.status, 'error', refresh!.message ?? '');
    assert.match(refresh!.message!, /^OIDC: /);
  });

  it('wrong CA, revoked token and a stopped apiserver each get their own message', async () => {
    const rec = lab.cluster('lab-1');
    const admin = parse(readFileSync(rec.kubeconfigs.admin, 'utf8'));
    const other = parse(readFileSync(rec.kubeconfigs.admin, 'utf8'));
    // A CA that did not sign the server's certificate: another cluster's would do; our own client cert works.
    other.clusters[0].cluster['certificate-authority-data'] = admin.users[0].user['client-certificate-data'];
    writeFileSync(join(dir, 'wrong-ca.kubeconfig'), stringify(other));
    const restricted = parse(readFileSync(rec.kubeconfigs.restricted, 'utf8'));
    restricted.users[0].user.token = 'revoked-token';
    writeFileSync(join(dir, 'revoked.kubeconfig'), stringify(restricted));
    const es = discover({
      useDefault: false,
      files: [join(dir, 'wrong-ca.kubeconfig'), join(dir, 'revoked.kubeconfig')],
      folders: [],
    }).entries;
    const [wrongCa, revoked] = await Promise.all(es.map((e) => probe(e, deps())));
    assert.equal(wrongCa!.status, 'unreachable');
    assert.match(wrongCa!.message!, /TLS|certificate/i);
    assert.equal(revoked!.status, 'unauthorized');
    await lab.chaos('lab-1', 'stop-apiserver');
    try {
      const r = await probe(entries()[0]!, deps(), 3000);
      assert.equal(r.status, 'unreachable');
      assert.match(r.message!, /ECONNREFUSED/);
    } finally {
      await lab.chaos('lab-1', 'start-apiserver');
    }
  });
});
