// Hash routes: every view is linkable. #/fleet, #/table, #/cluster/<id>[/<tab>],
// #/cluster/<id>/node/<name>, #/cluster/<id>/object/<kind>/<uid>, #/search/<query>,
// #/diff?from=<source>&to=<source>.
//
// A query part after the path carries what is kept across views: ?at=<epoch ms> ("as of T": every
// view shows the state recorded at T). E.g. #/cluster/prod-1/storage?at=1763800000000,
// #/diff?from=/tmp/a.fleetsnap&to=@cache&at=1763800000000. Path segments are percent-encoded, so the
// first literal "?" always starts the query.
export type ClusterTab = 'nodes' | 'accelerators' | 'storage' | 'workloads' | 'events' | 'charts' | 'sync';
export const CLUSTER_TABS: readonly ClusterTab[] = ['nodes', 'accelerators', 'storage', 'workloads', 'events', 'charts', 'sync'];

export type Route =
  | { view: 'fleet' }
  | { view: 'table' }
  | { view: 'cluster'; cluster: string; tab: ClusterTab }
  | { view: 'node'; cluster: string; node: string }
  | { view: 'object'; cluster: string; kind: string; uid: string }
  | { view: 'search'; q: string }
  /** from/to: "@this", "@cache" or an absolute path of a .fleetsnap file ('' when not chosen yet) */
  | { view: 'diff'; from: string; to: string };

const enc = encodeURIComponent;
/** query values: percent-encoded, but "@", "/" and ":" stay readable (all legal in a fragment) */
const encValue = (s: string) => encodeURIComponent(s).replace(/%40/g, '@').replace(/%2F/gi, '/').replace(/%3A/gi, ':');

function dec(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The largest time the contract accepts (schemas.ts). */
const MAX_AT = 8.64e15;

function query(pairs: [string, string | number | null | undefined][]): string {
  const parts = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => `${k}=${encValue(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function path(r: Route): string {
  switch (r.view) {
    case 'fleet':
      return '#/fleet';
    case 'table':
      return '#/table';
    case 'cluster':
      return `#/cluster/${enc(r.cluster)}${r.tab === 'nodes' ? '' : `/${r.tab}`}`;
    case 'node':
      return `#/cluster/${enc(r.cluster)}/node/${enc(r.node)}`;
    case 'object':
      return `#/cluster/${enc(r.cluster)}/object/${enc(r.kind)}/${enc(r.uid)}`;
    case 'search':
      return `#/search/${enc(r.q)}`;
    case 'diff':
      return '#/diff';
  }
}

/** The hash of a route; `at` (epoch ms, "as of") is kept in the query part when set. */
export function href(r: Route, at?: number | null): string {
  const t = validAt(at);
  if (r.view === 'diff')
    return `${path(r)}${query([
      ['from', r.from],
      ['to', r.to],
      ['at', t],
    ])}`;
  return `${path(r)}${query([['at', t]])}`;
}

function validAt(at: number | null | undefined): number | null {
  return typeof at === 'number' && Number.isInteger(at) && at >= 0 && at <= MAX_AT ? at : null;
}

function split(hash: string): { path: string; params: Map<string, string> } {
  const h = hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  const params = new Map<string, string>();
  if (q >= 0) {
    for (const kv of h.slice(q + 1).split('&')) {
      if (!kv) continue;
      const eq = kv.indexOf('=');
      const k = dec(eq < 0 ? kv : kv.slice(0, eq));
      // the first occurrence wins
      if (!params.has(k)) params.set(k, eq < 0 ? '' : dec(kv.slice(eq + 1)));
    }
  }
  return { path: q >= 0 ? h.slice(0, q) : h, params };
}

/** The "as of" time in a hash (?at=<epoch ms>), null when absent or not a valid time. */
export function parseAt(hash: string): number | null {
  const v = split(hash).params.get('at');
  if (v === undefined || !/^\d{1,16}$/.test(v)) return null;
  return validAt(Number(v));
}

export function parseRoute(hash: string): Route {
  const { path: p, params } = split(hash);
  const parts = p
    .split('/')
    .filter((x) => x !== '')
    .map(dec);
  const [a, b, c, d, e] = parts;
  if (a === 'table') return { view: 'table' };
  if (a === 'search') return { view: 'search', q: b ?? '' };
  if (a === 'diff') return { view: 'diff', from: params.get('from') ?? '', to: params.get('to') ?? '' };
  if (a === 'cluster' && b) {
    if (c === 'node' && d) return { view: 'node', cluster: b, node: d };
    if (c === 'object' && d && e) return { view: 'object', cluster: b, kind: d, uid: e };
    const tab = (CLUSTER_TABS as readonly string[]).includes(c ?? '') ? (c as ClusterTab) : 'nodes';
    return { view: 'cluster', cluster: b, tab };
  }
  return { view: 'fleet' };
}

/** Navigate; the "as of" time of the current address is kept unless one is given (null: the latest). */
export function go(r: Route, at?: number | null): void {
  window.location.hash = href(r, at === undefined ? parseAt(window.location.hash) : at);
}
