// Hash routes: every view is linkable. #/fleet, #/table, #/cluster/<id>[/<tab>],
// #/cluster/<id>/node/<name>[/changes|/whatchanged], #/cluster/<id>/object/<kind>/<uid>[/changes|/whatchanged|/logs],
// #/search/<query>, #/diff?from=<source>&to=<source>, #/changes?<filter> (the fleet's change timeline), #/settings.
//
// A query part after the path carries what is kept across views: ?at=<epoch ms> ("as of T": every
// view shows the state recorded at T). E.g. #/cluster/prod-1/storage?at=1763800000000,
// #/diff?from=/tmp/a.fleetsnap&to=@cache&at=1763800000000. Path segments are percent-encoded, so the
// first literal "?" always starts the query.
import { CHANGE_CATEGORIES, type ChangeCategory } from '../../common/contract.ts';

export type ClusterTab = 'nodes' | 'accelerators' | 'storage' | 'workloads' | 'events' | 'charts' | 'sync' | 'changes';
export const CLUSTER_TABS: readonly ClusterTab[] = ['nodes', 'accelerators', 'storage', 'workloads', 'events', 'charts', 'sync', 'changes'];

/** The sub-views of a node or an object besides its details: its changes, what changed before its problem, and (pods, workloads) its logs. */
export type ObjectTab = 'changes' | 'whatchanged' | 'logs';
const OBJECT_TABS: readonly ObjectTab[] = ['changes', 'whatchanged', 'logs'];

/** Which severities the timeline keeps: all, changes only (info), or problems (warning, critical and recoveries). */
export type SeverityFilter = 'all' | 'changes' | 'problems';

/**
 * The fleet timeline's filter and window, all in the address so a view of it is linkable:
 * #/changes?from=<ms>&to=<ms>&cluster=<id>&cluster=<id>&ns=a,b&kind=pods,apps/deployments&cat=rollout,config&sev=problems&q=<text>&change=<id>
 * (clusters repeat the key: an id is any string; namespaces, kinds and categories cannot hold a comma).
 */
export interface ChangesQuery {
  /** the visible window (null: the hour before the time shown) */
  from: number | null;
  to: number | null;
  clusters: string[];
  namespaces: string[];
  kinds: string[];
  categories: ChangeCategory[];
  severity: SeverityFilter;
  text: string;
  /** the selected change (its side panel is open) */
  change: number | null;
}

export const NO_FILTER: ChangesQuery = {
  from: null,
  to: null,
  clusters: [],
  namespaces: [],
  kinds: [],
  categories: [],
  severity: 'all',
  text: '',
  change: null,
};

/**
 * How the map and the table organise the fleet, in the address so a view can be shared: a label
 * selector (?sel=env=prod,provider=eks, free text too; common/labels.ts) and a label key to group by
 * (?group=env). Absent: everything, ungrouped.
 */
export interface FleetOrganise {
  sel?: string;
  group?: string;
}

export type Route =
  | ({ view: 'fleet' } & FleetOrganise)
  | ({ view: 'table' } & FleetOrganise)
  | { view: 'cluster'; cluster: string; tab: ClusterTab }
  /** tab: absent for the details */
  | { view: 'node'; cluster: string; node: string; tab?: ObjectTab }
  | { view: 'object'; cluster: string; kind: string; uid: string; tab?: ObjectTab }
  | { view: 'search'; q: string }
  /** from/to: "@this", "@cache" or an absolute path of a .fleetsnap file ('' when not chosen yet) */
  | { view: 'diff'; from: string; to: string }
  | { view: 'changes'; q: ChangesQuery }
  /** sources and contexts on/off, exec approvals, retention, theme, read-only mode */
  | { view: 'settings' }
  /**
   * every served kind (kind ''), or one kind's objects: #/kinds/<kind>?cluster=<id>&ns=<namespace>&q=<text>
   * (cluster null: across the fleet; ns '': every namespace)
   */
  | { view: 'kinds'; kind: string; cluster: string | null; ns: string; q: string };

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

/** `commas`: "," stays readable too (the timeline's lists; nothing in them may hold a comma, and only they are split on one). */
function query(pairs: [string, string | number | null | undefined][], commas = false): string {
  const enc = commas ? (s: string) => encValue(s).replace(/%2C/gi, ',') : encValue;
  const parts = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => `${k}=${enc(String(v))}`);
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
      return `#/cluster/${enc(r.cluster)}/node/${enc(r.node)}${r.tab ? `/${r.tab}` : ''}`;
    case 'object':
      return `#/cluster/${enc(r.cluster)}/object/${enc(r.kind)}/${enc(r.uid)}${r.tab ? `/${r.tab}` : ''}`;
    case 'search':
      return `#/search/${enc(r.q)}`;
    case 'diff':
      return '#/diff';
    case 'changes':
      return '#/changes';
    case 'settings':
      return '#/settings';
    case 'kinds':
      return `#/kinds${r.kind ? `/${enc(r.kind)}` : ''}`;
  }
}

/** The timeline filter's query pairs (defaults left out), in a fixed order. */
function changesPairs(q: ChangesQuery): [string, string | number | null][] {
  return [
    ['from', validAt(q.from)],
    ['to', validAt(q.to)],
    ...q.clusters.map((c): [string, string] => ['cluster', c]),
    ['ns', q.namespaces.join(',')],
    ['kind', q.kinds.join(',')],
    ['cat', q.categories.join(',')],
    ['sev', q.severity === 'all' ? null : q.severity],
    ['q', q.text],
    ['change', q.change !== null && Number.isSafeInteger(q.change) && q.change >= 0 ? q.change : null],
  ];
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
  if (r.view === 'changes') return `${path(r)}${query([...changesPairs(r.q), ['at', t]], true)}`;
  if (r.view === 'fleet' || r.view === 'table')
    return `${path(r)}${query(
      [
        ['sel', r.sel?.slice(0, MAX_SEL)],
        ['group', r.group?.slice(0, 317)],
        ['at', t],
      ],
      true,
    )}`;
  if (r.view === 'kinds')
    return `${path(r)}${query([
      ['cluster', r.cluster],
      ['ns', r.ns],
      ['q', r.q],
      ['at', t],
    ])}`;
  return `${path(r)}${query([['at', t]])}`;
}

function validAt(at: number | null | undefined): number | null {
  return typeof at === 'number' && Number.isInteger(at) && at >= 0 && at <= MAX_AT ? at : null;
}

function split(hash: string): { path: string; params: Map<string, string>; all: Map<string, string[]> } {
  const h = hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  const params = new Map<string, string>();
  // every occurrence, for the keys that repeat (cluster=)
  const all = new Map<string, string[]>();
  if (q >= 0) {
    for (const kv of h.slice(q + 1).split('&')) {
      if (!kv) continue;
      const eq = kv.indexOf('=');
      const k = dec(eq < 0 ? kv : kv.slice(0, eq));
      const v = eq < 0 ? '' : dec(kv.slice(eq + 1));
      // the first occurrence wins
      if (!params.has(k)) params.set(k, v);
      const list = all.get(k);
      if (list) list.push(v);
      else all.set(k, [v]);
    }
  }
  return { path: q >= 0 ? h.slice(0, q) : h, params, all };
}

/** A time in a query value (epoch ms), null when absent or not a valid time. */
function timeParam(v: string | undefined): number | null {
  if (v === undefined || !/^\d{1,16}$/.test(v)) return null;
  return validAt(Number(v));
}

/** The longest selector the address carries. */
const MAX_SEL = 1024;

/** The map's and the table's selector and group-by in a query (only what is set). */
function organiseParams(params: Map<string, string>): FleetOrganise {
  const sel = (params.get('sel') ?? '').slice(0, MAX_SEL);
  const group = (params.get('group') ?? '').trim().slice(0, 317);
  return { ...(sel.trim() ? { sel } : {}), ...(group ? { group } : {}) };
}

/** Limits of the contract's change filter (schemas.ts): what the address may carry. */
const KIND = /^[a-z0-9.\-/]+$/;
const MAX_LIST = 200;

/** "a,b,,c" → ["a", "b", "c"] (duplicates dropped, at most MAX_LIST). */
function listParam(v: string | undefined, ok: (x: string) => boolean): string[] {
  if (!v) return [];
  return [...new Set(v.split(',').map((x) => x.trim()))].filter((x) => x !== '' && ok(x)).slice(0, MAX_LIST);
}

function parseChanges(params: Map<string, string>, all: Map<string, string[]>): ChangesQuery {
  const cats = new Set<string>(CHANGE_CATEGORIES);
  const sev = params.get('sev');
  const change = params.get('change');
  let from = timeParam(params.get('from'));
  let to = timeParam(params.get('to'));
  // a window is both ends, in order; anything else is the default window
  if (from === null || to === null || from >= to) from = to = null;
  return {
    from,
    to,
    clusters: [...new Set(all.get('cluster') ?? [])].filter((c) => c !== '' && c.length <= 512).slice(0, MAX_LIST),
    namespaces: listParam(params.get('ns'), (x) => x.length <= 253),
    kinds: listParam(params.get('kind'), (x) => x.length <= 253 && KIND.test(x)),
    categories: listParam(params.get('cat'), (x) => cats.has(x)) as ChangeCategory[],
    severity: sev === 'changes' || sev === 'problems' ? sev : 'all',
    text: (params.get('q') ?? '').slice(0, 256),
    change: change !== undefined && /^\d{1,15}$/.test(change) ? Number(change) : null,
  };
}

/** The "as of" time in a hash (?at=<epoch ms>), null when absent or not a valid time. */
export function parseAt(hash: string): number | null {
  return timeParam(split(hash).params.get('at'));
}

export function parseRoute(hash: string): Route {
  const { path: p, params, all } = split(hash);
  const parts = p
    .split('/')
    .filter((x) => x !== '')
    .map(dec);
  const [a, b, c, d, e, f] = parts;
  const objectTab = (x: string | undefined) => ((OBJECT_TABS as readonly string[]).includes(x ?? '') ? { tab: x as ObjectTab } : {});
  if (a === 'table') return { view: 'table', ...organiseParams(params) };
  if (a === 'settings') return { view: 'settings' };
  if (a === 'search') return { view: 'search', q: b ?? '' };
  if (a === 'diff') return { view: 'diff', from: params.get('from') ?? '', to: params.get('to') ?? '' };
  if (a === 'changes') return { view: 'changes', q: parseChanges(params, all) };
  if (a === 'kinds') {
    const cluster = params.get('cluster');
    return {
      view: 'kinds',
      kind: b && b.length <= 253 && KIND.test(b) ? b : '',
      cluster: cluster && cluster.length <= 512 ? cluster : null,
      ns: (params.get('ns') ?? '').slice(0, 253),
      q: (params.get('q') ?? '').slice(0, 256),
    };
  }
  if (a === 'cluster' && b) {
    // (the tab only when there is one: a details route stays what it always was)
    if (c === 'node' && d) return { view: 'node', cluster: b, node: d, ...objectTab(e) };
    if (c === 'object' && d && e) return { view: 'object', cluster: b, kind: d, uid: e, ...objectTab(f) };
    const tab = (CLUSTER_TABS as readonly string[]).includes(c ?? '') ? (c as ClusterTab) : 'nodes';
    return { view: 'cluster', cluster: b, tab };
  }
  return { view: 'fleet', ...organiseParams(params) };
}

/** Navigate; the "as of" time of the current address is kept unless one is given (null: the latest). */
export function go(r: Route, at?: number | null): void {
  window.location.hash = href(r, at === undefined ? parseAt(window.location.hash) : at);
}

/** The timeline with a filter (the rest of the query as NO_FILTER has it). */
export function changesRoute(q: Partial<ChangesQuery> = {}): Route {
  return { view: 'changes', q: { ...NO_FILTER, ...q } };
}
