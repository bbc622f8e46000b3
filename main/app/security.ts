// The desktop app's security decisions, as pure data and functions (Electron's security checklist):
// the window's webPreferences, the renderer's CSP, what the app:// protocol serves, where the page may
// navigate, which links leave for the browser, and what permission requests get. main.ts wires them to
// Electron; the tests assert them here. No electron import at runtime.
import { extname, resolve, sep } from 'node:path';
import type { WebPreferences } from 'electron';

/** The renderer is served from app://fleet/ (a standard, secure custom scheme), never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'fleet';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Privileges of the app scheme (protocol.registerSchemesAsPrivileged): a secure origin, nothing more. */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  // Left off on purpose: bypassCSP (the CSP applies), corsEnabled (no other origin may read app://),
  // allowServiceWorkers, stream.
  bypassCSP: false,
  corsEnabled: false,
  allowServiceWorkers: false,
  stream: false,
} as const;

/** The window's webPreferences. Developer tools only in development (not packaged). */
export function webPreferences(preload: string, opts: { devTools?: boolean } = {}): WebPreferences {
  return {
    preload,
    devTools: opts.devTools ?? false,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    disableDialogs: false,
    enableWebSQL: false,
  };
}

/**
 * The renderer's Content-Security-Policy: its own scripts only (no inline script, no eval, no remote
 * origin), no connections anywhere (the contract goes over IPC), no frames, no plugins, no forms.
 * Inline styles are allowed as in the web shell (React style attributes, the chart library's SVG).
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'none'",
  "frame-src 'none'",
  "child-src 'none'",
  "object-src 'none'",
  "media-src 'none'",
  "manifest-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Headers of every app:// response. */
export function responseHeaders(file: string): Record<string, string> {
  return {
    'content-type': contentType(file),
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-cache',
  };
}

export type AppUrlResolution = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * The file an app:// request names, inside the renderer folder, or why not: another scheme or host,
 * a path that escapes the folder (`..`, encoded or not), backslashes, NUL bytes. The caller checks that
 * the file exists.
 */
export function resolveAppUrl(requestUrl: string, rendererDir: string): AppUrlResolution {
  const url = URL.parse(requestUrl);
  if (!url) return { ok: false, status: 400, reason: 'not a URL' };
  if (url.protocol !== `${APP_SCHEME}:`) return { ok: false, status: 403, reason: `scheme ${url.protocol} is not served` };
  if (url.host !== APP_HOST || url.username || url.password) return { ok: false, status: 403, reason: `host ${url.host} is not served` };
  // The raw path, before and after decoding: a %2e%2e or %2f must not smuggle a traversal.
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  if (path.includes('\0') || path.includes('\\') || /%2f|%5c/i.test(url.pathname))
    return { ok: false, status: 400, reason: 'bad characters in path' };
  if (path.split('/').some((seg) => seg === '..')) return { ok: false, status: 403, reason: 'path traversal' };
  if (path === '/' || path === '') path = '/index.html';
  const root = resolve(rendererDir);
  const file = resolve(root, `.${path}`);
  if (!file.startsWith(root + sep)) return { ok: false, status: 403, reason: 'outside the renderer folder' };
  return { ok: true, file };
}

/** `scheme://host` of a URL; WHATWG gives "null" as the origin of custom schemes, so build it by hand. */
export function originOf(url: string): string | null {
  const u = URL.parse(url);
  return u?.host ? `${u.protocol}//${u.host}` : null;
}

export function isAppUrl(url: string): boolean {
  return originOf(url) === APP_ORIGIN;
}

/**
 * will-navigate / will-redirect: the page may only move within the app's own origin (the renderer
 * routes with the hash, which does not navigate at all). Everything else is refused.
 */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

/** A URL the system browser may open: https, a host, no credentials. */
export function isSafeExternalUrl(url: string): boolean {
  const u = URL.parse(url);
  return !!u && u.protocol === 'https:' && !!u.hostname && !u.username && !u.password;
}

export interface WindowOpenRequest {
  url: string;
  /** Chromium's WindowOpenDisposition: a link click opens a foreground or background tab */
  disposition: string;
}

/**
 * setWindowOpenHandler: no window is ever created. A link the user clicked (a tab disposition, not a
 * scripted popup) to an https URL goes to the system browser; anything else is dropped.
 */
export function windowOpenDecision(req: WindowOpenRequest): { action: 'deny'; openExternal: string | null } {
  const clicked = req.disposition === 'foreground-tab' || req.disposition === 'background-tab';
  return { action: 'deny', openExternal: clicked && isSafeExternalUrl(req.url) ? req.url : null };
}

/**
 * Permission requests and checks (camera, microphone, geolocation, notifications, clipboard read,
 * HID/USB/serial, fullscreen…): the console needs none of them, so every one is refused.
 */
export function permissionDecision(_permission: string, _requestingUrl?: string): boolean {
  return false;
}

/**
 * Requests the session lets through (webRequest.onBeforeRequest): the app's own scheme and the built-in
 * pages (devtools in development, data:/blob: URLs the page made itself). Any http(s), ws(s) or file URL is
 * cancelled, whatever the CSP says: defence in depth.
 */
export function isAllowedRequest(url: string): boolean {
  const u = URL.parse(url);
  return !!u && ['app:', 'devtools:', 'data:', 'blob:'].includes(u.protocol) && (u.protocol !== 'app:' || u.host === APP_HOST);
}
