// Snapshots and incident bundles against a real lab cluster, through the CLI as users run it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lab } from '../../lab/src/lab.ts';
import { adminClient } from '../../lab/src/cluster.ts';
import { until } from '../../lab/src/until.ts';
import { LAB_SECRET_VALUES } from '../../lab/src/profiles/workloads.ts';
import { deployment } from '../../lab/src/profiles/builders.ts';
import { allLive, labSyncWorker, type LabSyncWorker } from '../worker/fixtures.ts';
import { Store, type KObj } from '../store/store.ts';
import type { StoreDiff } from '../snapshot/diff.ts';
import type { BundleManifest } from '../snapshot/bundle.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, 'fleet.ts');
const fleet = (...args: string[]) => run(process.execPath, [CLI, ...args], { maxBuffer: 256 << 20 });

/** Credentials the bundle must never contain, beyond the lab's own (LAB_SECRET_VALUES). */
const EXTRA = {
  clientSecret: 'lab-client-s3cret-9q',
  argPassword: 'lab-arg-pw-77x',
  webhookPassword: 'lab-webhook-pw-31',
  eventPassword: 'lab-event-pw-52',
  lastApplied: 'lab-lastapplied-pw-8',
};
const NEVER = [...Object.values(LAB_SECRET_VALUES), ...Object.values(EXTRA)];

/** Every file under dir, recursively. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}

describe('snapshots and bundles against a lab cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-snaplab-'));
  const db = join(dir, 'cache.db');
  let lab: Lab;
  let worker: LabSyncWorker | undefined;
  let cacheId = '';
  const FAILED = 'node-002';

  before(async () => {
    lab = await Lab.up({ dir: join(dir, 'lab'), clusters: 1, profile: 'mixed', nodes: 8, podsPerNode: 3 });
    const c = adminClient(lab.cluster('lab-1'));
    try {
      // Credentials in the places bundles leak them from: env, args, annotations, last-applied, events.
      const billing = deployment('payments', 'legacy-billing', 1, {
        image: 'registry.lab.local/billing:7',
        args: ['--listen=:8080', `--password=${EXTRA.argPassword}`],
        env: [{ name: 'OAUTH_CLIENT_SECRET', value: EXTRA.clientSecret }],
        requests: { cpu: '100m', memory: '128Mi' },
      });
      billing.metadata.annotations = {
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ spec: { password: EXTRA.lastApplied } }),
        'example.com/webhook': `https://ops:${EXTRA.webhookPassword}@hooks.example.com/notify`,
      };
      await c.request('POST', '/apis/apps/v1/namespaces/payments/deployments', billing);
      await c.request('POST', '/api/v1/namespaces/payments/events', {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'legacy-billing.pull', namespace: 'payments' },
        involvedObject: { kind: 'Deployment', name: 'legacy-billing', namespace: 'payments', apiVersion: 'apps/v1' },
        type: 'Warning',
        reason: 'Failed',
        message: `Failed to pull image from https://robot:${EXTRA.eventPassword}@registry.example.com/billing:7`,
        source: { component: 'lab' },
        firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        count: 1,
      });
    } finally {
      c.close();
    }
    worker = labSyncWorker(db, dir, [lab.cluster('lab-1').kubeconfigs.admin]);
    cacheId = (await allLive(worker, 180_000))[0]!.id;
    await until(
      'the legacy-billing pod in the cache',
      () => {
        const s = new Store(db, { readonly: true });
        try {
          return s.objects(cacheId, 'pods').some((p) => p.name.startsWith('legacy-billing-'));
        } finally {
          s.close();
        }
      },
      90_000,
    );
  });

  after(async () => {
    await worker?.stop();
    await lab?.down();
    rmSync(dir, { recursive: true, force: true });
  });

  const read = <T>(fn: (s: Store) => T): T => {
    const s = new Store(db, { readonly: true });
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };

  it('a diff of snapshots around `chaos rollout` + `chaos node-notready` shows exactly those changes', async () => {
    const a = join(dir, 'before.fleetsnap');
    const b = join(dir, 'after.fleetsnap');
    // Let the fresh cluster settle (controllers finish their first rounds) before the first capture.
    await sleep(5000);
    const cap = await fleet('snapshot', 'capture', '--db', db, '--out', a);
    assert.match(cap.stdout, /captured 1 cluster\(s\), \d+ objects/);

    await lab.chaos('lab-1', 'rollout', ['web/frontend']);
    await lab.chaos('lab-1', 'node-notready', [FAILED]);
    await until(
      'rollout complete and node NotReady in the cache',
      () =>
        read((s) => {
          const d = s.objects(cacheId, 'apps/deployments', { namespace: 'web' }).find((x) => x.name === 'frontend')!.body;
          const done =
            d.status?.observedGeneration === d.metadata.generation &&
            d.status?.updatedReplicas === d.spec.replicas &&
            d.status?.replicas === d.spec.replicas &&
            d.status?.availableReplicas === d.spec.replicas;
          const frontendPods = s.objects(cacheId, 'pods', { namespace: 'web' }).filter((p) => p.name.startsWith('frontend-'));
          const node = s.objects(cacheId, 'nodes').find((n) => n.name === FAILED)!;
          const notReady = (node.body.status.conditions as KObj[]).some((c) => c.type === 'Ready' && c.status === 'False');
          return done && frontendPods.length === d.spec.replicas && notReady;
        }),
      90_000,
    );
    await sleep(5000); // the controllers' follow-up writes (pod conditions on the failed node)
    await fleet('snapshot', 'capture', '--db', db, '--out', b);
    const { stdout } = await fleet('snapshot', 'diff', a, b, '--json');
    const d = JSON.parse(stdout) as StoreDiff;
    const cl = d.clusters.find((c) => c.id === cacheId)!;
    assert.equal(cl.in, 'both');
    const kind = (k: string) => cl.kinds.find((x) => x.kind === k);

    // the node: its Ready condition (and what the node lifecycle controller adds: the not-ready taint)
    const node = kind('nodes')!;
    assert.deepEqual(
      node.changed.map((x) => x.name),
      [FAILED],
    );
    assert.ok(node.changed[0]!.fields.some((f) => f.path === 'status.conditions[type=Ready].status' && f.after === 'False'));
    assert.deepEqual(node.added, []);
    assert.deepEqual(node.removed, []);

    // the rollout: the deployment, a new ReplicaSet, the old one scaled down, pods replaced
    assert.deepEqual(
      kind('apps/deployments')!.changed.map((x) => x.name),
      ['frontend'],
    );
    const rs = kind('apps/replicasets')!;
    assert.equal(rs.added.length, 1);
    assert.match(rs.added[0]!.name, /^frontend-/);
    assert.ok(rs.changed.every((x) => x.name.startsWith('frontend-')));

    // Pods: frontend's replaced; and the failed node's pods marked not ready (status only).
    const onFailed = new Set(read((s) => s.objects(cacheId, 'pods', { node: FAILED }).map((p) => `${p.namespace}/${p.name}`)));
    const pods = kind('pods')!;
    assert.ok(
      pods.added.length >= 1 && pods.added.every((x) => x.namespace === 'web' && x.name.startsWith('frontend-')),
      JSON.stringify(pods.added),
    );
    assert.ok(
      pods.removed.length >= 1 && pods.removed.every((x) => x.namespace === 'web' && x.name.startsWith('frontend-')),
      JSON.stringify(pods.removed),
    );
    for (const p of pods.changed) {
      const ok =
        (p.namespace === 'web' && p.name.startsWith('frontend-')) ||
        (onFailed.has(`${p.namespace}/${p.name}`) && p.fields.every((f) => f.path.startsWith('status.')));
      assert.ok(ok, `unexpected pod change ${p.namespace}/${p.name}: ${JSON.stringify(p.fields)}`);
    }

    // Workloads whose pods run on the failed node: their status counts only.
    for (const k of ['apps/daemonsets', 'apps/statefulsets', 'apps/deployments', 'apps/replicasets']) {
      for (const x of kind(k)?.changed ?? []) {
        if (x.name.startsWith('frontend')) continue;
        assert.ok(
          x.fields.every((f) => f.path.startsWith('status.')),
          `${k} ${x.namespace}/${x.name} changed beyond its status: ${JSON.stringify(x.fields)}`,
        );
      }
      assert.deepEqual(kind(k)?.removed ?? [], [], k);
    }
    // And nothing else at all.
    const expected = new Set(['nodes', 'pods', 'apps/deployments', 'apps/replicasets', 'apps/daemonsets', 'apps/statefulsets']);
    assert.deepEqual(
      cl.kinds.map((k) => k.kind).filter((k) => !expected.has(k)),
      [],
      JSON.stringify(cl.kinds.filter((k) => !expected.has(k.kind))),
    );
    assert.deepEqual(d.ignoredKinds, ['events']);
    // The text form names the same things.
    const text = (await fleet('snapshot', 'diff', a, b)).stdout;
    assert.match(text, new RegExp(`~ nodes ${FAILED}`));
    assert.match(text, /status\.conditions\[type=Ready\]\.status: "True" → "False"/);

    // The snapshot against the live cache, and inspect.
    const vsCache = JSON.parse((await fleet('snapshot', 'diff', a, '--db', db, '--json')).stdout) as StoreDiff;
    assert.ok(vsCache.totals.changed >= d.totals.changed - 5);
    const inspect = JSON.parse((await fleet('snapshot', 'inspect', b, '--json')).stdout) as { clusters: { context: string }[] };
    assert.deepEqual(
      inspect.clusters.map((c) => c.context),
      ['lab-1'],
    );
    // "as of" the first capture, the second snapshot shows the node Ready again
    const t = JSON.parse((await fleet('snapshot', 'inspect', a, '--json')).stdout).capturedAt as number;
    const s2 = new Store(b, { readonly: true });
    try {
      const n = s2.bodiesAt(cacheId, 'nodes', t).find((x) => x.metadata.name === FAILED)!;
      assert.equal((n.status.conditions as KObj[]).find((c) => c.type === 'Ready')!.status, 'True');
    } finally {
      s2.close();
    }
  });

  it('a bundle holds no credential anywhere (every file, the snapshot included); the report lists each', async () => {
    const out = join(dir, 'incident.tar.gz');
    const r = await fleet(
      'bundle',
      'export',
      '--db',
      db,
      '--out',
      out,
      '--since',
      '2h',
      '--logs',
      '5',
      '--namespace',
      'payments',
      '--namespace',
      'web',
      '--kubeconfig',
      lab.cluster('lab-1').kubeconfigs.admin,
      '--data-dir',
      join(dir, 'data'),
    );
    assert.match(r.stdout, /wrote .*incident\.tar\.gz: \d+ files, \d+ objects/);
    const v = await fleet('bundle', 'verify', out);
    assert.match(v.stdout, /^ok: \d+ files match the manifest/);
    const x = join(dir, 'extracted');
    await fleet('bundle', 'extract', out, '--out', x);
    const files = walk(x).map((f) => relative(x, f));
    for (const want of ['manifest.json', 'redaction-report.json', 'timeline.jsonl', 'snapshot.fleetsnap', 'cluster/lab-1/events.jsonl']) {
      assert.ok(files.includes(want), `${want} in ${files.slice(0, 20).join(', ')}`);
    }
    assert.ok(files.includes('cluster/lab-1/namespaces/payments/apps_v1/deployments/payment-api.yaml'));
    assert.ok(files.includes('cluster/lab-1/core_v1/nodes/node-001.yaml'));
    assert.ok(files.some((f) => f.startsWith('cluster/lab-1/summary/')));
    assert.ok(
      files.some((f) => /^logs\/lab-1\/payments\/payment-api-[^/]+\/[^/]+\.log$/.test(f)),
      'pod logs fetched live',
    );
    assert.ok(!files.some((f) => f.includes('/namespaces/team-a/')), 'other namespaces left out');
    // The scan: no credential value in any byte of any file.
    for (const f of walk(x)) {
      const bytes = readFileSync(f);
      for (const secret of NEVER) {
        assert.equal(bytes.includes(secret), false, `${relative(x, f)} contains ${secret.slice(0, 6)}…`);
        assert.equal(bytes.includes(Buffer.from(secret).toString('base64')), false, `${relative(x, f)} contains a base64 credential`);
      }
    }
    // ... nor in the archive itself (compressed members could hide nothing, but the check is cheap)
    const raw = gunzipSync(readFileSync(out));
    for (const secret of NEVER) assert.equal(raw.includes(secret), false);
    // The report names each place, by rule.
    const report = JSON.parse(readFileSync(join(x, 'redaction-report.json'), 'utf8')) as {
      files: { file: string; findings: { path: string; rule: string }[] }[];
    };
    const found = (file: string, path: RegExp, rule: string) =>
      report.files.some((f) => f.file === file && f.findings.some((g) => path.test(g.path) && g.rule === rule));
    const api = 'cluster/lab-1/namespaces/payments/apps_v1/deployments/payment-api.yaml';
    const billing = 'cluster/lab-1/namespaces/payments/apps_v1/deployments/legacy-billing.yaml';
    assert.ok(found(api, /env\[0\]\.value$/, 'env-credential'), 'DB_PASSWORD');
    assert.ok(found(api, /env\[1\]\.value$/, 'env-credential'), 'STRIPE_API_TOKEN');
    assert.ok(found(api, /env\[2\]\.value$/, 'url-userinfo'), 'DATABASE_URL');
    assert.ok(found(billing, /env\[0\]\.value$/, 'env-credential'), 'OAUTH_CLIENT_SECRET');
    assert.ok(found(billing, /args\[1\]$/, 'connection-string') || found(billing, /args\[1\]$/, 'arg-credential'), '--password=');
    assert.ok(found(billing, /webhook/, 'url-userinfo'), 'annotation URL');
    assert.ok(found('cluster/lab-1/events.jsonl', /message/, 'url-userinfo'), 'event message');
    assert.ok(
      report.files.some((f) => f.file === 'snapshot.fleetsnap' && f.findings.length > 0),
      'the snapshot is redacted too',
    );
    const manifest = JSON.parse(readFileSync(join(x, 'manifest.json'), 'utf8')) as BundleManifest;
    assert.equal(manifest.redaction.enabled, true);
    assert.ok(manifest.redaction.findings > 0);
    // The redacted YAML still reads as the object: placeholders where values were.
    const y = readFileSync(join(x, api), 'utf8');
    assert.match(y, /name: DB_PASSWORD\n\s+value: <redacted:env-credential>/);
    assert.match(y, /postgres:\/\/<redacted:url-userinfo>@postgres\.data\.svc/);
    // The app opens the bundle's snapshot (verified first), read-only.
    const inspect = JSON.parse((await fleet('snapshot', 'inspect', join(x, 'snapshot.fleetsnap'), '--json')).stdout) as {
      redacted: boolean;
    };
    assert.equal(inspect.redacted, true);
  });

  it('tokens: the same value gets the same placeholder everywhere in one bundle', async () => {
    const out = join(dir, 'tokens.tar.gz');
    await fleet('bundle', 'export', '--db', db, '--out', out, '--namespace', 'payments', '--tokenize');
    const x = join(dir, 'tokens');
    await fleet('bundle', 'extract', out, '--out', x);
    const y = readFileSync(join(x, 'cluster/lab-1/namespaces/payments/apps_v1/deployments/payment-api.yaml'), 'utf8');
    const tok = /name: DB_PASSWORD\n\s+value: (<redacted:env-credential:tok_[0-9a-f]+>)/.exec(y)?.[1];
    assert.ok(tok, y.slice(0, 2000));
    const pods = walk(join(x, 'cluster/lab-1/namespaces/payments/core_v1/pods')).filter((f) => /payment-api-/.test(f));
    assert.ok(pods.length > 0);
    for (const p of pods) assert.ok(readFileSync(p, 'utf8').includes(tok), `${p} uses the same token`);
    for (const f of walk(x)) for (const secret of NEVER) assert.equal(readFileSync(f).includes(secret), false);
  });

  it('refuses tampered, truncated, foreign and path-escaping bundles, naming the file; writes nothing outside the folder', async () => {
    const good = join(dir, 'incident.tar.gz');
    const refused = async (file: string, re: RegExp) => {
      const target = join(dir, `x-${Math.random().toString(36).slice(2)}`);
      const e = await fleet('bundle', 'extract', file, '--out', target).then(
        () => assert.fail(`${file} was accepted`),
        (err: { stderr: string; code: number }) => err,
      );
      assert.equal(e.code, 1);
      assert.match(e.stderr, re);
      assert.equal(existsSync(target), false, 'nothing extracted from a refused bundle');
    };
    // tampered: one byte of one member's content, in a re-compressed archive
    const tar = gunzipSync(readFileSync(good));
    const at = tar.indexOf(Buffer.from('kind: Deployment'));
    assert.ok(at > 0);
    const tampered = Buffer.from(tar);
    tampered[at] = 'K'.charCodeAt(0) === tampered[at] ? 0x6b : 0x4b;
    writeFileSync(join(dir, 'tampered.tar.gz'), gzipSync(tampered));
    await refused(join(dir, 'tampered.tar.gz'), /cluster\/lab-1\/.*\.yaml does not match its checksum/);
    // truncated
    const bytes = readFileSync(good);
    writeFileSync(join(dir, 'truncated.tar.gz'), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await refused(join(dir, 'truncated.tar.gz'), /truncated|unexpected end/i);
    // foreign: a zip, a random file
    writeFileSync(join(dir, 'foreign.zip'), Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(300, 7)]));
    await refused(join(dir, 'foreign.zip'), /zip/i);
    // path-escaping: a member named ../escaped.txt, listed in a (recomputed) manifest
    const escape = join(dir, 'escape');
    mkdirSync(escape);
    const { TarGzWriter } = await import('../snapshot/tar.ts');
    for (const name of ['../escaped.txt', '/tmp/absolute.txt']) {
      const p = join(escape, `${name.startsWith('/') ? 'abs' : 'dotdot'}.tar.gz`);
      // our writer refuses such names: write the raw header by hand
      const w = await TarGzWriter.create(p);
      await w.add('manifest.json', '{}');
      await w.close();
      const raw = gunzipSync(readFileSync(p));
      raw.write(name.padEnd(100, '\0'), 0, 100, 'latin1');
      let sum = 0;
      raw.fill(' ', 148, 156);
      for (let i = 0; i < 512; i++) sum += raw[i]!;
      raw.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
      writeFileSync(p, gzipSync(raw));
      await refused(p, /\.\.|absolute/);
    }
    assert.equal(existsSync(join(dir, 'escaped.txt')), false);
    assert.equal(existsSync('/tmp/absolute.txt'), false);
    // and the good one still verifies
    assert.match((await fleet('bundle', 'verify', good)).stdout, /^ok/);
    assert.ok(statSync(good).size > 0);
  });
});
