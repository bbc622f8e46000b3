import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, sep } from 'node:path';
import {
  APP_ORIGIN,
  APP_SCHEME_PRIVILEGES,
  APP_URL,
  CSP,
  isAllowedNavigation,
  isAllowedRequest,
  isSafeExternalUrl,
  originOf,
  permissionDecision,
  resolveAppUrl,
  responseHeaders,
  webPreferences,
  windowOpenDecision,
} from './security.ts';

describe('webPreferences', () => {
  it('isolates and sandboxes the renderer, with Node nowhere', () => {
    const w = webPreferences('/app/build/app/preload.js');
    assert.equal(w.preload, '/app/build/app/preload.js');
    const on = ['contextIsolation', 'sandbox', 'webSecurity'] as const;
    const noNode = ['nodeIntegration', 'nodeIntegrationInWorker', 'nodeIntegrationInSubFrames'] as const;
    const noUnsafeContent = ['allowRunningInsecureContent', 'webviewTag', 'experimentalFeatures', 'navigateOnDragDrop'] as const;
    for (const k of on) assert.equal(w[k], true, k);
    for (const k of [...noNode, ...noUnsafeContent]) assert.equal(w[k], false, k);
  });

  it('developer tools only when asked (development builds)', () => {
    assert.equal(webPreferences('/p').devTools, false);
    assert.equal(webPreferences('/p', { devTools: true }).devTools, true);
  });
});

describe('the CSP', () => {
  const directives = new Map(
    CSP.split(';')
      .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
      .map(([k, ...v]) => [k, v]),
  );

  it("allows the app's own scripts only: no inline script, no eval, no remote origin", () => {
    assert.deepEqual(directives.get('default-src'), ["'self'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'"]);
    assert.doesNotMatch(CSP, /unsafe-eval|wasm-unsafe-eval|strict-dynamic|'nonce-|'sha256-/);
    assert.doesNotMatch(directives.get('script-src')!.join(' '), /unsafe-inline/);
    assert.doesNotMatch(CSP, /https?:|wss?:|file:|\*/, 'no remote or wildcard source anywhere');
  });

  it('no connections, frames, plugins, forms or base URL elsewhere', () => {
    assert.deepEqual(directives.get('connect-src'), ["'self'"]);
    for (const d of ['object-src', 'frame-src', 'child-src', 'worker-src', 'base-uri', 'form-action', 'frame-ancestors']) {
      assert.deepEqual(directives.get(d), ["'none'"], d);
    }
  });

  it('is sent with every app:// response, with nosniff', () => {
    const h = responseHeaders('/r/index.html');
    assert.equal(h['content-security-policy'], CSP);
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.equal(h['content-type'], 'text/html; charset=utf-8');
    assert.equal(responseHeaders('/r/assets/index-abc.js')['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(responseHeaders('/r/x.unknown')['content-type'], 'application/octet-stream');
  });
});

describe('the app:// scheme', () => {
  it('is a standard, secure scheme that bypasses nothing', () => {
    assert.partialDeepStrictEqual(APP_SCHEME_PRIVILEGES, {
      standard: true,
      secure: true,
      bypassCSP: false,
      corsEnabled: false,
      allowServiceWorkers: false,
    });
    assert.equal(APP_URL, 'app://fleet/index.html');
  });

  const dir = resolve('/opt/fleet/build/renderer');
  const cases: [string, string | number][] = [
    ['app://fleet/index.html', join(dir, 'index.html')],
    ['app://fleet/', join(dir, 'index.html')],
    ['app://fleet', join(dir, 'index.html')],
    ['app://fleet/assets/index-abc.js', join(dir, 'assets', 'index-abc.js')],
    ['app://fleet/assets/a%20b.css', join(dir, 'assets', 'a b.css')],
    ['app://fleet/index.html?x=1#/fleet', join(dir, 'index.html')],
    // Traversal, plain (URL parsing already folds it) or encoded: never outside the folder.
    ['app://fleet/../../etc/passwd', join(dir, 'etc', 'passwd')],
    ['app://fleet/%2e%2e/%2e%2e/etc/passwd', join(dir, 'etc', 'passwd')],
    ['app://fleet/assets/%2E%2E/%2E%2E/%2E%2E/secret', join(dir, 'secret')],
    ['app://fleet/assets/..%2f..%2fsecret', 400],
    ['app://fleet/assets/%2e%2e%5csecret', 400],
    ['app://fleet/a%5c..%5c..%5csecret', 400],
    ['app://fleet/index.html%00.js', 400],
    ['app://fleet/%E0%A4%A', 400],
    ['app://evil/index.html', 403],
    ['app://user:pw@fleet/index.html', 403],
    ['https://fleet/index.html', 403],
    ['file:///etc/passwd', 403],
    ['not a url', 400],
  ];
  for (const [url, want] of cases) {
    it(`${url} → ${typeof want === 'number' ? want : 'served'}`, () => {
      const r = resolveAppUrl(url, dir);
      if (typeof want === 'number') {
        assert.equal(r.ok, false);
        assert.equal(!r.ok && r.status, want);
      } else {
        assert.deepEqual(r, { ok: true, file: want });
        assert.ok(want.startsWith(dir + sep), 'inside the renderer folder');
      }
    });
  }
});

describe('navigation, new windows, external links', () => {
  it('origins of custom schemes are built by hand (WHATWG says "null")', () => {
    assert.equal(new URL('app://fleet/index.html').origin, 'null');
    assert.equal(originOf('app://fleet/index.html#/x'), APP_ORIGIN);
    assert.equal(originOf('https://example.com:8443/a'), 'https://example.com:8443');
    assert.equal(originOf('about:blank'), null);
    assert.equal(originOf('junk'), null);
  });

  const nav: [string, boolean][] = [
    ['app://fleet/index.html', true],
    ['app://fleet/index.html#/cluster/x', true],
    ['app://other/index.html', false],
    ['https://example.com/', false],
    ['http://127.0.0.1:5173/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['about:blank', false],
    ['devtools://devtools/bundled/inspector.html', false],
  ];
  for (const [url, ok] of nav) it(`navigation to ${url}: ${ok ? 'allowed' : 'refused'}`, () => assert.equal(isAllowedNavigation(url), ok));

  const ext: [string, boolean][] = [
    ['https://kubernetes.io/docs/', true],
    ['http://kubernetes.io/', false],
    ['https://user:pw@kubernetes.io/', false],
    ['file:///etc/passwd', false],
    ['smb://server/share', false],
    ['javascript:alert(1)', false],
    ['ms-settings:', false],
    ['app://fleet/index.html', false],
    ['https:', false],
  ];
  for (const [url, ok] of ext)
    it(`external ${url}: ${ok ? 'opened in the browser' : 'never'}`, () => assert.equal(isSafeExternalUrl(url), ok));

  it('window.open never creates a window; only a clicked https link leaves for the browser', () => {
    assert.deepEqual(windowOpenDecision({ url: 'https://kubernetes.io/', disposition: 'foreground-tab' }), {
      action: 'deny',
      openExternal: 'https://kubernetes.io/',
    });
    assert.deepEqual(windowOpenDecision({ url: 'https://kubernetes.io/', disposition: 'background-tab' }), {
      action: 'deny',
      openExternal: 'https://kubernetes.io/',
    });
    // window.open() with features from script: a popup, not a click.
    assert.deepEqual(windowOpenDecision({ url: 'https://kubernetes.io/', disposition: 'new-window' }), {
      action: 'deny',
      openExternal: null,
    });
    assert.deepEqual(windowOpenDecision({ url: 'https://kubernetes.io/', disposition: 'other' }), { action: 'deny', openExternal: null });
    assert.deepEqual(windowOpenDecision({ url: 'file:///etc/passwd', disposition: 'foreground-tab' }), {
      action: 'deny',
      openExternal: null,
    });
    assert.deepEqual(windowOpenDecision({ url: 'app://fleet/index.html', disposition: 'foreground-tab' }), {
      action: 'deny',
      openExternal: null,
    });
  });
});

describe('permissions and requests', () => {
  it('every permission request and check is refused', () => {
    // Electron 45's list (Session.setPermissionRequestHandler).
    const all = [
      'ar',
      'clipboard-read',
      'clipboard-sanitized-write',
      'display-capture',
      'fileSystem',
      'fullscreen',
      'geolocation',
      'hid',
      'idle-detection',
      'keyboardLock',
      'local-fonts',
      'media',
      'mediaKeySystem',
      'midi',
      'midiSysex',
      'notifications',
      'openExternal',
      'pointerLock',
      'serial',
      'storage-access',
      'usb',
      'window-management',
      'unknown',
    ];
    for (const p of all) assert.equal(permissionDecision(p, 'app://fleet/index.html'), false, p);
  });

  const req: [string, boolean][] = [
    ['app://fleet/assets/index.js', true],
    ['app://evil/x.js', false],
    ['data:image/png;base64,AAAA', true],
    ['blob:app://fleet/0b1c', true],
    ['devtools://devtools/bundled/inspector.html', true],
    ['https://example.com/beacon', false],
    ['http://169.254.169.254/latest/meta-data/', false],
    ['ws://127.0.0.1:8080/api', false],
    ['file:///etc/passwd', false],
  ];
  for (const [url, ok] of req) it(`request ${url}: ${ok ? 'allowed' : 'cancelled'}`, () => assert.equal(isAllowedRequest(url), ok));
});
