// The HTTP/2 transport against a real lab kube-apiserver: one session carries every list and every watch
// of a cluster (client-go's way), and what it reads equals what the HTTP/1.1 path reads.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../lab/src/lab.ts';
import { discover } from '../fleet/sources.ts';
import { TrustStore } from '../fleet/trust.ts';
import { ExecCredentialCache } from './exec.ts';
import { Connection, readBody, type KubeResponse } from './connection.ts';
import { discoverServed, servedKinds, type ServedKind } from './resources.ts';

type List = { metadata: { resourceVersion: string }; items: { metadata: { uid: string; name: string; resourceVersion: string } }[] };

async function listJSON(c: Connection, path: string): Promise<List> {
  const res = await c.open(path, { timeoutMs: 60_000 });
  const text = await readBody(res);
  assert.equal(res.statusCode, 200, `${path}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as List;
}

/** Lines of a watch body as they come, until `stop` says enough. */
function watchUntil(res: KubeResponse, stop: (ev: { type: string; object: { metadata?: { name?: string } } }) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() && stop(JSON.parse(line) as never)) resolve();
      }
    });
    res.on('error', reject);
    res.on('end', () => reject(new Error('the watch ended')));
  });
}

describe('HTTP/2 transport against a lab kube-apiserver', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-h2-'));
  let lab: Lab;
  let h2: Connection;
  let h1: Connection;
  let kinds: ServedKind[];

  before(async () => {
    lab = await Lab.up({ dir: join(dir, 'lab'), clusters: 1, profile: 'storage', nodes: 2 });
    const entry = discover({ useDefault: false, files: [lab.cluster('lab-1').kubeconfigs.admin], folders: [] }).entries[0]!;
    const deps = { trust: new TrustStore(join(dir, 'approvals.json')), execCache: new ExecCredentialCache() };
    h2 = new Connection(entry, { ...deps, transport: { http2: true } });
    h1 = new Connection(entry, { ...deps, transport: { http2: false } });
    kinds = servedKinds(await discoverServed(h2)).kinds;
  });
  after(async () => {
    h2?.close();
    h1?.close();
    await lab?.down({ removeFiles: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('the lab apiserver speaks h2: one session for discovery', () => {
    assert.ok(kinds.length >= 20, `served kinds: ${kinds.length}`);
    const t = h2.transport();
    assert.equal(t.protocol, 'h2');
    assert.equal(t.sessions, 1);
    assert.equal(h1.transport().protocol, 'http/1.1');
  });

  it('every kind listed over h2 equals the same list (same resourceVersion) over HTTP/1.1', async () => {
    const viaH2 = await Promise.all(kinds.map((k) => listJSON(h2, k.path)));
    assert.equal(h2.transport().sessions, 1);
    // the same snapshot over HTTP/1.1: resourceVersionMatch=Exact reads the store as of that version
    const viaH1 = await Promise.all(
      kinds.map((k, i) => listJSON(h1, `${k.path}?resourceVersion=${viaH2[i]!.metadata.resourceVersion}&resourceVersionMatch=Exact`)),
    );
    let objects = 0;
    for (const [i, k] of kinds.entries()) {
      assert.deepEqual(viaH2[i]!.items, viaH1[i]!.items, k.key);
      objects += viaH2[i]!.items.length;
    }
    assert.ok(objects > 50, `objects: ${objects}`);
    assert.equal(h1.transport().protocol, 'http/1.1');
  });

  it(`a watch on every kind plus all the lists at once: one h2 session; events equal the HTTP/1.1 watch's`, async () => {
    const lists = await Promise.all(kinds.map((k) => listJSON(h2, k.path)));
    const ac = new AbortController();
    try {
      const watches = await Promise.all(
        kinds.map((k, i) =>
          h2.open(`${k.path}?watch=1&allowWatchBookmarks=true&resourceVersion=${lists[i]!.metadata.resourceVersion}&timeoutSeconds=300`, {
            timeoutMs: 0,
            signal: ac.signal,
          }),
        ),
      );
      assert.ok(watches.every((w) => w.statusCode === 200));
      // all the lists again while every watch is open
      const again = await Promise.all(kinds.map((k) => listJSON(h2, k.path)));
      assert.equal(again.length, kinds.length);
      const t = h2.transport();
      assert.equal(t.protocol, 'h2');
      assert.equal(t.sessions, 1, JSON.stringify(t));
      assert.ok(t.streams >= kinds.length, JSON.stringify(t));
      console.log(`# h2 transport with ${kinds.length} watches open: ${JSON.stringify(t)}`);

      // a change is seen on the h2 watch and on an HTTP/1.1 watch of the same kind alike
      const cm = kinds.findIndex((k) => k.key === 'configmaps');
      assert.ok(cm >= 0);
      const rv = lists[cm]!.metadata.resourceVersion;
      const w1 = await h1.open(`${kinds[cm]!.path}?watch=1&resourceVersion=${rv}&timeoutSeconds=300`, { timeoutMs: 0, signal: ac.signal });
      const name = `h2-probe-${Date.now()}`;
      const seen: unknown[] = [];
      const got = (ev: { type: string; object: { metadata?: { name?: string } } }) => {
        if (ev.type === 'ADDED' && ev.object.metadata?.name === name) {
          seen.push(ev.object);
          return true;
        }
        return false;
      };
      const events = Promise.all([watchUntil(watches[cm]!, got), watchUntil(w1, got)]);
      const created = await h2.open('/api/v1/namespaces/default/configmaps', {
        method: 'POST',
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { via: 'h2' } }),
        timeoutMs: 30_000,
      });
      assert.equal(created.statusCode, 201, await readBody(created));
      await events;
      assert.equal(seen.length, 2);
      assert.deepEqual(seen[0], seen[1]);
      const del = await h2.open(`/api/v1/namespaces/default/configmaps/${name}`, { method: 'DELETE', timeoutMs: 30_000 });
      assert.equal(del.statusCode, 200, await readBody(del));
    } finally {
      ac.abort();
    }
    const deadline = Date.now() + 5000;
    while (h2.transport().streams > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(h2.transport(), { protocol: 'h2', sessions: 1, streams: 0 });
  });
});
