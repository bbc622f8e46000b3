import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entriesFromFiles, entryId, safeUrl } from './kubeconfig.ts';
import { discover, isIgnoredName } from './sources.ts';
import { TrustStore, execRequest } from './trust.ts';
import { cluster, ctx, kc, tmp, user } from './fixtures.ts';

describe('kubeconfig entries', () => {
  it('KUBECONFIG: first file wins per name, stanzas resolve across files, paths relative to their own file', () => {
    const d = tmp();
    mkdirSync(join(d, 'a'));
    mkdirSync(join(d, 'b'));
    const a = kc(join(d, 'a', 'config'), {
      clusters: [cluster('prod', 'https://prod.example:6443')],
      contexts: [ctx('prod', 'prod', 'ops'), ctx('shared', 'prod', 'ops')],
    });
    const b = kc(join(d, 'b', 'config'), {
      clusters: [cluster('prod', 'https://IGNORED.example:6443')],
      users: [user('ops', { 'client-certificate': 'certs/ops.crt', 'client-key': 'certs/ops.key' })],
      contexts: [ctx('shared', 'prod', 'nobody')],
    });
    const { entries, fileErrors } = entriesFromFiles([a, b], 'KUBECONFIG', true);
    assert.deepEqual(fileErrors, []);
    assert.equal(entries.length, 2);
    const prod = entries.find((e) => e.context === 'prod')!;
    assert.equal(prod.cluster!.server, 'https://prod.example:6443');
    assert.equal(prod.user!.certFile, join(d, 'b', 'certs', 'ops.crt'), 'resolved against the file that defined the user');
    assert.equal(prod.authKind, 'client-certificate');
    const shared = entries.find((e) => e.context === 'shared')!;
    assert.equal(shared.file, a, 'the first definition of a context wins');
    assert.equal(shared.error, undefined);
  });

  it("without merging, each file stands alone and a missing user is that context's own error", () => {
    const d = tmp();
    const a = kc(join(d, 'a'), { clusters: [cluster('c', 'https://x:6443')], contexts: [ctx('only', 'c', 'ghost')] });
    const { entries } = entriesFromFiles([a], 'file', false);
    assert.match(entries[0]!.error!, /user "ghost" is not defined in this file/);
  });

  it('stable ids per (file, context), different across files', () => {
    assert.equal(entryId('file', '/x/config', 'a'), entryId('folder', '/x/config', 'a'));
    assert.notEqual(entryId('file', '/x/config', 'a'), entryId('file', '/y/config', 'a'));
    assert.notEqual(entryId('file', '/x/config', 'a'), entryId('file', '/x/config', 'b'));
  });

  it('auth kinds and warnings', () => {
    const d = tmp();
    const f = kc(join(d, 'k'), {
      clusters: [
        cluster('insecure', 'https://a:6443', { 'insecure-skip-tls-verify': true }),
        cluster('proxied', 'https://b:6443', { 'proxy-url': 'http://user:pw@proxy:3128', 'tls-server-name': 'api.internal' }),
      ],
      users: [
        user('tok', { token: 'abc' }),
        user('tokfile', { tokenFile: 'tok.txt' }),
        user('ex', {
          exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws', args: ['eks', 'get-token'], interactiveMode: 'Never' },
        }),
        user('oidc', { 'auth-provider': { name: 'oidc', config: { 'client-id': 'k', 'id-token': 'x.y.z' } } }),
        user('gcp', { 'auth-provider': { name: 'gcp', config: {} } }),
        user('basic', { username: 'u', password: 'p' }),
      ],
      contexts: [
        ctx('a', 'insecure', 'tok'),
        ctx('b', 'proxied', 'tokfile'),
        ctx('c', 'insecure', 'ex'),
        ctx('d', 'insecure', 'oidc'),
        ctx('e', 'insecure', 'gcp'),
        ctx('f', 'insecure', 'basic'),
      ],
    });
    const { entries } = entriesFromFiles([f], 'file', false);
    const by = Object.fromEntries(entries.map((e) => [e.context, e]));
    assert.deepEqual(
      entries.map((e) => e.authKind),
      ['token', 'token-file', 'exec', 'oidc', 'auth-provider', 'basic'],
    );
    assert.match(by.a!.warnings.join(), /insecure-skip-tls-verify/);
    assert.match(by.b!.warnings.join(), /proxy/);
    assert.doesNotMatch(by.b!.warnings.join(), /pw/, 'proxy credentials are not shown');
    assert.equal(by.b!.cluster!.tlsServerName, 'api.internal');
    assert.equal(by.b!.user!.tokenFile, join(d, 'tok.txt'));
    assert.equal(by.c!.user!.exec!.command, 'aws', 'a bare command stays a PATH lookup');
    assert.match(by.e!.warnings.join(), /deprecated/);
    // gcp/azure auth-providers: never connected (a request would go out without credentials), and the
    // entry says which exec plugin replaces it; OIDC is supported
    assert.match(by.e!.error ?? '', /unsupported auth-provider "gcp".*gke-gcloud-auth-plugin/);
    assert.equal(by.d!.error, undefined);
    assert.equal(by.a!.error, undefined);
  });

  it('broken files get their own error; the others still load', () => {
    const d = tmp();
    writeFileSync(join(d, 'bad.yaml'), 'clusters: [unclosed\n  - : :');
    writeFileSync(join(d, 'notkc.yaml'), 'kind: Deployment\napiVersion: apps/v1\n');
    writeFileSync(join(d, 'list.yaml'), 'clusters: 5\n');
    writeFileSync(join(d, 'huge.yaml'), 'x'.repeat(5 * 1024 * 1024));
    kc(join(d, 'good.yaml'), {
      clusters: [cluster('c', 'https://ok:6443')],
      users: [user('u', { token: 't' })],
      contexts: [ctx('good', 'c', 'u')],
    });
    writeFileSync(join(d, 'good.yaml.swp'), 'junk');
    writeFileSync(join(d, '.good.yaml.swp'), 'junk');
    writeFileSync(join(d, 'good.yaml~'), 'junk');
    writeFileSync(join(d, 'config.lock'), '');
    const r = discover({ useDefault: false, files: [], folders: [d] });
    assert.deepEqual(
      r.entries.map((e) => e.context),
      ['good'],
    );
    const errs = Object.fromEntries(r.problems.map((p) => [p.path.split('/').pop(), p.error]));
    assert.match(errs['bad.yaml']!, /not valid YAML/);
    assert.match(errs['notkc.yaml']!, /kind is "Deployment"/);
    assert.match(errs['list.yaml']!, /"clusters" is not a list/);
    assert.match(errs['huge.yaml']!, /too large/);
    assert.equal(Object.keys(errs).length, 4, 'backup, swap and lock files are not read at all');
    for (const n of ['x.swp', '.x', 'x~', 'x.lock', '#x#', 'x.bak']) assert.equal(isIgnoredName(n), true, n);
    for (const n of ['config', 'prod.yaml', 'kubeconfig.json', 'lab-1-admin']) assert.equal(isIgnoredName(n), false, n);
  });

  it('a missing file and an unreadable folder are reported, not fatal', () => {
    const r = discover({ useDefault: false, files: ['/nonexistent/kubeconfig'], folders: ['/nonexistent-folder'] });
    assert.equal(r.entries.length, 0);
    assert.equal(r.problems.length, 2);
    assert.match(r.problems[0]!.error, /ENOENT/);
  });

  it('the same server and user from two files is flagged and watched once', () => {
    const d = tmp();
    const doc = {
      clusters: [cluster('c', 'https://Prod.Example:443/')],
      users: [user('u', { token: 'same' })],
      contexts: [ctx('p', 'c', 'u')],
    };
    const a = kc(join(d, 'a'), doc);
    const b = kc(join(d, 'b'), { ...doc, clusters: [cluster('c', 'https://prod.example')] });
    const c = kc(join(d, 'c'), { ...doc, users: [user('u', { token: 'other' })] });
    const r = discover({ useDefault: false, files: [a, b, c], folders: [] });
    const [ea, eb, ec] = r.entries as ((typeof r.entries)[number] & { duplicateOf?: string })[];
    assert.equal(ea!.duplicateOf, undefined);
    assert.equal(eb!.duplicateOf, ea!.id);
    assert.equal(ec!.duplicateOf, undefined, 'another identity on the same server is another entry');
  });

  it('safeUrl hides user:password', () => {
    assert.equal(safeUrl('http://u:p@proxy:3128'), 'http://***@proxy:3128/');
  });
});

describe('exec plugin trust', () => {
  const mk = (args: string[], env: { name: string; value: string }[] = []) => {
    const d = tmp();
    const f = kc(join(d, 'k'), {
      clusters: [cluster('c', 'https://x:6443')],
      users: [
        user('u', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './plugin.sh', args, env, interactiveMode: 'Never' } }),
      ],
      contexts: [ctx('x', 'c', 'u')],
    });
    return entriesFromFiles([f], 'file', false).entries[0]!;
  };

  it('approval binds file, exact command, args and env names (not values), and persists', () => {
    const store = join(tmp(), 'approvals.json');
    const e = mk(['--region', 'eu'], [{ name: 'AWS_PROFILE', value: 'prod' }]);
    const req = execRequest(e)!;
    assert.equal(req.command, join(e.file, '..', 'plugin.sh'), 'a relative command resolves against the kubeconfig folder');
    const t = new TrustStore(store);
    assert.equal(t.isApproved(req), false);
    t.approve(req);
    assert.equal(new TrustStore(store).isApproved(req), true, 'persists');
    const sameFileOtherArgs = { ...req, args: ['--region', 'us'] };
    assert.notEqual(execRequest({ ...e, user: { ...e.user!, exec: { ...e.user!.exec!, args: ['--region', 'us'] } } })!.key, req.key);
    void sameFileOtherArgs;
    const otherValue = execRequest({
      ...e,
      user: { ...e.user!, exec: { ...e.user!.exec!, env: [{ name: 'AWS_PROFILE', value: 'dev' }] } },
    })!;
    assert.equal(otherValue.key, req.key, 'env values are not part of the key (they are not shown either)');
    const otherName = execRequest({ ...e, user: { ...e.user!, exec: { ...e.user!.exec!, env: [{ name: 'EVIL', value: '' }] } } })!;
    assert.notEqual(otherName.key, req.key);
    assert.equal(readFileSync(store, 'utf8').includes('prod"'), false, 'env values never written');
  });

  it('a corrupt approvals file grants nothing', () => {
    const store = join(tmp(), 'approvals.json');
    writeFileSync(store, '{not json');
    const t = new TrustStore(store);
    assert.equal(t.list().length, 0);
  });
});
