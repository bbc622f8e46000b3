// Hash routes: every view is linkable. #/fleet, #/table, #/cluster/<id>[/<tab>],
// #/cluster/<id>/node/<name>, #/cluster/<id>/object/<kind>/<uid>, #/search/<query>.
export type ClusterTab = 'nodes' | 'accelerators' | 'storage' | 'workloads' | 'events' | 'charts' | 'sync';
export const CLUSTER_TABS: readonly ClusterTab[] = ['nodes', 'accelerators', 'storage', 'workloads', 'events', 'charts', 'sync'];

export type Route =
  | { view: 'fleet' }
  | { view: 'table' }
  | { view: 'cluster'; cluster: string; tab: ClusterTab }
  | { view: 'node'; cluster: string; node: string }
  | { view: 'object'; cluster: string; kind: string; uid: string }
  | { view: 'search'; q: string };

const enc = encodeURIComponent;

export function href(r: Route): string {
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
  }
}

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const [a, b, c, d, e] = parts;
  if (a === 'table') return { view: 'table' };
  if (a === 'search') return { view: 'search', q: b ?? '' };
  if (a === 'cluster' && b) {
    if (c === 'node' && d) return { view: 'node', cluster: b, node: d };
    if (c === 'object' && d && e) return { view: 'object', cluster: b, kind: d, uid: e };
    const tab = (CLUSTER_TABS as readonly string[]).includes(c ?? '') ? (c as ClusterTab) : 'nodes';
    return { view: 'cluster', cluster: b, tab };
  }
  return { view: 'fleet' };
}

export function go(r: Route): void {
  window.location.hash = href(r);
}
