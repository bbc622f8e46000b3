// The app:// protocol handler: serves the built renderer (build/renderer, inside the asar when packaged)
// with the CSP on every response. Plain Node (fetch's Request/Response, node:fs): main.ts hands it to
// protocol.handle, the tests call it directly.
import { readFile, stat } from 'node:fs/promises';
import { resolveAppUrl, responseHeaders } from './security.ts';

export type AppProtocolHandler = (request: Request) => Promise<Response>;

export function appProtocolHandler(rendererDir: string, log: (line: string) => void = () => {}): AppProtocolHandler {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
    }
    const r = resolveAppUrl(request.url, rendererDir);
    if (!r.ok) {
      log(`app:// refused ${request.url}: ${r.reason}`);
      return new Response(`${r.reason}\n`, { status: r.status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
    try {
      if (!(await stat(r.file)).isFile()) throw new Error('not a file');
      const body = await readFile(r.file);
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: responseHeaders(r.file) });
    } catch {
      return new Response('not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
  };
}
