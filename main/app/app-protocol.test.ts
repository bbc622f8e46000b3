import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { appProtocolHandler } from './app-protocol.ts';
const ROOT = resolve(import.meta.dirname, '..', '..');
import { CSP } from './security.ts';

describe('the app:// protocol handler', () => {
  const base = mkdtempSync(join(tmpdir(), 'fleet-app-protocol-'));
  const dir = join(base, 'renderer');
  const refused: string[] = [];
  const handle = appProtocolHandler(dir, (l) => refused.push(l));

  before(() => {
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./assets/index.js"></script>');
    writeFileSync(join(dir, 'assets', 'index.js'), 'console.log(1)');
    writeFileSync(join(base, 'secret.txt'), 'not for the page');
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  const get = (url: string, method = 'GET') => handle(new Request(url, { method }));

  it('serves the renderer with the CSP and the right content type', async () => {
    const r = await get('app://fleet/index.html');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-security-policy'), CSP);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(await r.text(), /<script type="module"/);
    const js = await get('app://fleet/assets/index.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('content-security-policy'), CSP);
  });

  it('the root is index.html; HEAD has no body', async () => {
    assert.match(await (await get('app://fleet/')).text(), /doctype/);
    const h = await get('app://fleet/index.html', 'HEAD');
    assert.equal(h.status, 200);
    assert.equal(await h.text(), '');
  });

  it('refuses traversal, other hosts and methods; 404 for what is not a file', async () => {
    assert.equal((await get('app://fleet/..%2fsecret.txt')).status, 400);
    assert.equal((await get('app://fleet/%2e%2e/secret.txt')).status, 404, 'folded into the folder, where there is no such file');
    assert.equal((await get('app://evil/index.html')).status, 403);
    assert.equal((await get('app://fleet/index.html', 'POST')).status, 405);
    assert.equal((await get('app://fleet/missing.js')).status, 404);
    assert.equal((await get('app://fleet/assets')).status, 404, 'a folder is not served');
    for (const r of [await get('app://fleet/..%2fsecret.txt'), await get('app://evil/x')])
      assert.doesNotMatch(await r.text(), /not for the page/);
    assert.ok(
      refused.some((l) => l.includes('app://evil/index.html')),
      'refusals are logged',
    );
  });

  it('the built renderer has no inline script for the CSP to refuse (when built)', (t) => {
    const index = join(ROOT, 'build', 'renderer', 'index.html');
    if (!existsSync(index)) return t.skip('the renderer is not built (npm run build:renderer)');
    const html = readFileSync(index, 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs!, /\bsrc="\.\/assets\//, 'a script file of the app');
      assert.equal(body!.trim(), '', 'no inline code');
    }
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  });
});
