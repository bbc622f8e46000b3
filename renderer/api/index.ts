// The contract client. The transport is chosen once, at start: the desktop app's preload exposes
// `window.fleet` (IPC); otherwise the page was served by the web shell and talks WebSocket to it.
// Nothing else in the renderer knows which.
import {
  BRIDGE_FUNCTIONS,
  type Answer,
  type FleetDTO,
  type Api,
  type FleetBridge,
  type Method,
  type Params,
  type PushEvent,
  type Result,
  type WireMessage,
  type WireRequest,
} from '../../common/contract.ts';

export class ApiError extends Error {
  readonly code: string;
  constructor(message: string, code = 'internal') {
    super(message);
    this.code = code;
  }
}

function ipcApi(bridge: FleetBridge): Api {
  return {
    transport: 'ipc',
    async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
      const fn = bridge[BRIDGE_FUNCTIONS[method]] as unknown as (p: Params<M>) => Promise<Answer<Result<M>>>;
      const a = await fn(params);
      if (!a.ok) throw new ApiError(a.error, a.code);
      return a.result as Result<M>;
    },
    onPush: (fn) => bridge.onPush(fn),
    onConnection: () => () => {},
  };
}

/** The token comes in the URL the web shell printed; it is kept for this tab and removed from the address bar. */
function takeToken(): string | null {
  const url = new URL(window.location.href);
  const t = url.searchParams.get('token');
  if (t) {
    sessionStorage.setItem('fleet.token', t);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return t;
  }
  return sessionStorage.getItem('fleet.token');
}

function wsApi(): Api {
  const token = takeToken();
  let ws: WebSocket | undefined;
  let nextId = 1;
  let up = false;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const pushes = new Set<(e: PushEvent) => void>();
  const conn = new Set<(up: boolean) => void>();
  let opened: Promise<WebSocket> | undefined;
  let retry = 500;

  const setUp = (v: boolean) => {
    if (up === v) return;
    up = v;
    for (const f of conn) f(v);
  };

  const open = (): Promise<WebSocket> =>
    (opened ??= new Promise<WebSocket>((resolve, reject) => {
      if (!token) {
        reject(new ApiError('this page has no access token: open the URL the web shell printed (it ends in ?token=…)', 'forbidden'));
        return;
      }
      const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
      const sock = new WebSocket(`${proto}//${window.location.host}/api?token=${encodeURIComponent(token)}`);
      sock.onopen = () => {
        ws = sock;
        retry = 500;
        setUp(true);
        resolve(sock);
      };
      sock.onmessage = (ev) => {
        let m: WireMessage;
        try {
          m = JSON.parse(String(ev.data)) as WireMessage;
        } catch {
          return;
        }
        if ('push' in m) {
          for (const f of pushes) f(m.push);
          return;
        }
        const w = waiting.get(m.id);
        if (!w) return;
        waiting.delete(m.id);
        if (m.ok) w.resolve(m.result);
        else w.reject(new ApiError(m.error, m.code));
      };
      sock.onclose = () => {
        const wasUp = ws === sock;
        ws = undefined;
        opened = undefined;
        setUp(false);
        for (const [, w] of waiting) w.reject(new ApiError('the connection to the console server was lost', 'internal'));
        waiting.clear();
        if (!wasUp) reject(new ApiError('cannot reach the console server (stopped, or the token is wrong)', 'internal'));
        // Reconnect with backoff: the server may be restarting.
        setTimeout(() => void open().catch(() => {}), retry);
        retry = Math.min(retry * 2, 10_000);
      };
    }));

  return {
    transport: 'websocket',
    async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
      const sock = ws ?? (await open());
      const id = nextId++;
      return new Promise<Result<M>>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        sock.send(JSON.stringify({ id, method, params } satisfies WireRequest));
      });
    },
    onPush(fn) {
      pushes.add(fn);
      void open().catch(() => {});
      return () => pushes.delete(fn);
    },
    onConnection(fn) {
      conn.add(fn);
      return () => conn.delete(fn);
    },
  };
}

/**
 * The first fleet, as early as possible: over HTTP from the web shell (it can arrive while the bundle
 * still evaluates), or the usual call over IPC.
 */
export function initialFleet(at: number | null = null): Promise<FleetDTO> {
  const a = getApi();
  // "as of T" (a linked address): over the contract, which takes the time.
  if (at !== null) return a.call('fleet.get', { at });
  if (a.transport !== 'websocket') return a.call('fleet.get', {});
  const token = sessionStorage.getItem('fleet.token');
  if (!token) return a.call('fleet.get', {});
  return fetch('/api/fleet', { headers: { 'x-fleet-token': token }, cache: 'no-store' })
    .then((r) => (r.ok ? (r.json() as Promise<Answer<FleetDTO>>) : Promise.reject(new ApiError(`HTTP ${r.status}`))))
    .then((ans) => (ans.ok ? ans.result : Promise.reject(new ApiError(ans.error, ans.code))))
    .catch(() => a.call('fleet.get', {}));
}

let api: Api | undefined;

export function getApi(): Api {
  if (api) return api;
  const bridge = (window as unknown as { fleet?: FleetBridge }).fleet;
  api = bridge ? ipcApi(bridge) : wsApi();
  return api;
}
