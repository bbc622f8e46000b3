// Where credentials that may not list a kind cluster-wide may still list it: namespace by namespace.
// Many users of a shared cluster hold RoleBindings in a few namespaces and nothing cluster-wide; for
// them a 403 on GET /api/v1/pods is not "no pods", it is "ask per namespace". Which namespaces is
// asked of the API server itself, as `kubectl auth can-i --list -n NS` does: one
// SelfSubjectRulesReview per namespace (every authenticated user may create them; the review reads
// nothing and changes nothing), whose rules say for every kind at once whether list and watch are
// allowed there.
import { readBody, statusError, type Connection } from './connection.ts';
import type { ResourceKind, ServedKind } from './resources.ts';

export interface ResourceRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** May these rules list and watch every object of this kind (no resourceNames restriction)? */
export function rulesAllow(rules: ResourceRule[], kind: Pick<ResourceKind, 'group' | 'plural'>, verbs = ['list', 'watch']): boolean {
  const granted = new Set<string>();
  for (const r of rules) {
    if (r.resourceNames?.length) continue; // named objects only: a LIST is refused
    const group = (r.apiGroups ?? []).some((g) => g === '*' || g === kind.group);
    const res = (r.resources ?? []).some((x) => x === '*' || x === kind.plural);
    if (!group || !res) continue;
    for (const v of r.verbs ?? []) granted.add(v);
  }
  return granted.has('*') || verbs.every((v) => granted.has(v));
}

/** The collection path of a kind in one namespace: /apis/apps/v1/namespaces/web/deployments */
export function namespacedPath(kind: ServedKind, namespace: string): string {
  const base = kind.path.slice(0, kind.path.length - kind.plural.length);
  return `${base}namespaces/${encodeURIComponent(namespace)}/${kind.plural}`;
}

const SCOPE = /^watched in (\d+) namespaces? \(the cluster-wide list is not permitted\): (.*)$/;

/** The message of a kind watched namespace by namespace (sync_state, status, snapshots carry it). */
export function scopeMessage(namespaces: string[]): string {
  return `watched in ${namespaces.length} namespace${namespaces.length === 1 ? '' : 's'} (the cluster-wide list is not permitted): ${namespaces.join(', ')}`;
}

/** The namespaces of a scopeMessage, or undefined for any other message. */
export function parseScope(message: string | null | undefined): string[] | undefined {
  const m = message ? SCOPE.exec(message) : null;
  if (!m) return undefined;
  const list = m[2]!.split(', ').filter(Boolean);
  return list.length === Number(m[1]) ? list : undefined;
}

/**
 * Namespaces watched at most per kind (a list and a long-lived watch each): beyond, the context's own
 * namespace and then the first by name, and the status says how many more there are.
 */
export const MAX_WATCHED_NAMESPACES = 50;

/** The namespaces to watch a kind in, of those that allow it: the context's first, at most max. */
export function pickNamespaces(allowed: string[], own: string | undefined, max = MAX_WATCHED_NAMESPACES): string[] {
  if (allowed.length <= max) return allowed;
  const first = own && allowed.includes(own) ? [own] : [];
  return [...first, ...allowed.filter((n) => n !== own)].slice(0, max).sort();
}

/** Namespaces reviewed at most, per cluster and round (one small POST each). */
export const MAX_REVIEWED_NAMESPACES = 500;

export interface NamespaceRules {
  /** namespace → the rules the server reported for us there */
  rules: Map<string, ResourceRule[]>;
  /** why fewer namespaces were reviewed than exist, or why none could be */
  note?: string;
}

/**
 * Review our rules in every namespace we can find: all of them where we may list namespaces, else the
 * context's own namespace (kubectl's default: "default").
 */
export async function reviewNamespaces(
  conn: Connection,
  contextNamespace: string | undefined,
  signal?: AbortSignal,
): Promise<NamespaceRules> {
  let names: string[] = [];
  let note: string | undefined;
  try {
    let cont = '';
    do {
      const q = new URLSearchParams({ limit: '500' });
      if (cont) q.set('continue', cont);
      const page = await conn.getJSON<{ metadata?: { continue?: string }; items?: { metadata?: { name?: string } }[] }>(
        `/api/v1/namespaces?${q}`,
      );
      for (const n of page.items ?? []) if (n.metadata?.name) names.push(n.metadata.name);
      cont = page.metadata?.continue ?? '';
    } while (cont && names.length < MAX_REVIEWED_NAMESPACES);
  } catch {
    names = []; // namespaces not listable: the context's namespace is all we know
  }
  // The context's namespace first: reviewed even where the cap cuts the list.
  const own = contextNamespace || 'default';
  names = [own, ...names.filter((n) => n !== own).sort()];
  if (names.length > MAX_REVIEWED_NAMESPACES) {
    note = `only the first ${MAX_REVIEWED_NAMESPACES} namespaces were reviewed`;
    names = names.slice(0, MAX_REVIEWED_NAMESPACES);
  }
  const rules = new Map<string, ResourceRule[]>();
  let failed: string | undefined;
  // A few at a time: a round is not a burst of hundreds of requests.
  const queue = [...names];
  const worker = async () => {
    for (let ns = queue.shift(); ns !== undefined && !signal?.aborted; ns = queue.shift()) {
      try {
        rules.set(ns, await reviewRules(conn, ns));
      } catch (e) {
        failed ??= (e as Error).message;
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  if (failed && !rules.size) note = `the access review failed: ${failed}`;
  return note ? { rules, note } : { rules };
}

async function reviewRules(conn: Connection, namespace: string): Promise<ResourceRule[]> {
  const path = '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews';
  const body = JSON.stringify({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectRulesReview',
    spec: { namespace },
  });
  const res = await conn.open(path, { method: 'POST', body, timeoutMs: 15_000 });
  const text = await readBody(res);
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) throw statusError(status, path, text);
  const doc = JSON.parse(text) as { status?: { resourceRules?: ResourceRule[] } };
  return doc.status?.resourceRules ?? [];
}

/** The namespaces where the reviewed rules allow listing and watching a kind, sorted. */
export function namespacesFor(reviewed: NamespaceRules, kind: Pick<ResourceKind, 'group' | 'plural'>): string[] {
  return [...reviewed.rules]
    .filter(([, rules]) => rulesAllow(rules, kind))
    .map(([ns]) => ns)
    .sort();
}
