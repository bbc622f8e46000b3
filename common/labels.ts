// Cluster labels: derived ones (from the context name, the server and the Kubernetes version), the
// user's own (key=value, kept in the data folder), and the selector the map and the table filter by
// ("env=prod,provider=eks", "env!=dev", "region", "!favourite", free words). Pure: no node, no DOM;
// the back end derives, the renderer parses and matches.

/** A label key as the user may set one: Kubernetes-like (an optional DNS prefix, a name of 63). */
export const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label value: empty, or a Kubernetes-like value of at most 63 characters. */
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** The keys the back end derives (the user's own label of the same key wins over the derived one). */
export const DERIVED_KEYS = ['env', 'provider', 'region', 'host', 'version'] as const;

const ENV_WORDS: [string, RegExp][] = [
  ['prod', /^(prod|prd|production|live)$/],
  ['staging', /^(staging|stage|stg|preprod|uat)$/],
  ['dev', /^(dev|develop|development|sandbox|test|qa)$/],
];

/** AWS (us-east-1, eu-west-1, ap-southeast-2, us-gov-west-1), GCP (europe-west4, us-central1, asia-east1), Azure (westeurope, eastus2). */
const AWS_REGION =
  /\b((?:us|eu|ap|sa|ca|me|af|il|mx)(?:-gov)?-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d)\b/;
const GCP_REGION =
  /\b((?:us|europe|asia|australia|northamerica|southamerica|me|africa)-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)\d{1,2})(?:-[a-f])?\b/;
const AZURE_REGION =
  /\b((?:east|west|north|south|central|northcentral|southcentral|westcentral)(?:us|europe|asia|india|japan|uk)\d?|uksouth|ukwest|francecentral|germanywestcentral|swedencentral|australiaeast|japaneast|koreacentral|canadacentral|brazilsouth)\b/;

/** The host of a server URL (https://host:port/path), lower case; '' when there is none. */
function hostOf(server: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[0-9a-f:.]+\]|[^:/?#]+)/i.exec(server.trim());
  return m ? m[1]!.toLowerCase() : '';
}

function words(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** A valid label value from any text (or '' when nothing of it is). */
function asValue(s: string): string {
  const v = s
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
    .slice(0, 63)
    .replace(/[^A-Za-z0-9]+$/, '');
  return LABEL_VALUE.test(v) ? v : '';
}

/**
 * The labels a cluster gets from what is known of it: env (prod/staging/dev from words of the context
 * name), provider (eks/gke/aks/kind/k3d/minikube/openshift from the context or the server's host),
 * region (AWS/GCP/Azure names in the context or the host), host (the server's host) and version
 * (the Kubernetes minor: 1.37). Only what can be told; nothing is guessed.
 */
export function derivedLabels(c: { context: string; server: string; serverVersion: string | null }): Record<string, string> {
  const out: Record<string, string> = {};
  const ctx = c.context.toLowerCase();
  const host = hostOf(c.server);
  const ws = words(c.context);
  for (const [env, re] of ENV_WORDS)
    if (ws.some((w) => re.test(w))) {
      out.env = env;
      break;
    }
  const provider =
    /^arn:aws(-[a-z]+)?:eks:/.test(ctx) || /\.eks\.amazonaws\.com$/.test(host) || /(^|[^a-z])eks([^a-z]|$)/.test(ctx)
      ? 'eks'
      : /^gke_/.test(ctx) || /(^|[^a-z])gke([^a-z]|$)/.test(ctx)
        ? 'gke'
        : /\.azmk8s\.io$/.test(host) || /(^|[^a-z])aks([^a-z]|$)/.test(ctx)
          ? 'aks'
          : /^kind-/.test(ctx)
            ? 'kind'
            : /^k3d-/.test(ctx)
              ? 'k3d'
              : ctx === 'minikube' || /^minikube([^a-z]|$)/.test(ctx)
                ? 'minikube'
                : /\.openshiftapps\.com$/.test(host)
                  ? 'openshift'
                  : null;
  if (provider) out.provider = provider;
  const arn = /^arn:aws[a-z-]*:eks:([a-z0-9-]+):/.exec(ctx);
  const gke = /^gke_[^_]+_([a-z0-9-]+)_/.exec(ctx);
  const region =
    arn?.[1] ??
    gke?.[1]?.replace(/-[a-f]$/, '') ??
    AWS_REGION.exec(ctx)?.[1] ??
    AWS_REGION.exec(host)?.[1] ??
    GCP_REGION.exec(ctx)?.[1] ??
    AZURE_REGION.exec(host)?.[1] ??
    AZURE_REGION.exec(ctx)?.[1];
  if (region && asValue(region)) out.region = asValue(region);
  if (host && !host.startsWith('[') && asValue(host) === host) out.host = host;
  const v = /^v?(\d+)\.(\d+)/.exec(c.serverVersion ?? '');
  if (v) out.version = `${Number(v[1])}.${Number(v[2])}`;
  return out;
}

// ------------------------------------------------------------------------------------ selector

export type SelectorTerm =
  | { kind: 'eq'; key: string; values: string[] }
  | { kind: 'ne'; key: string; values: string[] }
  | { kind: 'has'; key: string }
  | { kind: 'not'; key: string }
  /** free text: a word of the context name, the id, or any label's key or value */
  | { kind: 'text'; text: string };

export interface Selectable {
  id: string;
  context: string;
  labels: Record<string, string>;
  favourite: boolean;
}

/**
 * A selector: comma-separated terms, all of which must hold: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k=a|b`, `k` (has the label), `!k` (has not), `favourite`/`!favourite` (starred), or free text (any
 * other word, matched case-insensitively against the context, id and labels).
 */
export function parseSelector(input: string): SelectorTerm[] {
  const terms: SelectorTerm[] = [];
  // split on commas outside parentheses
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of input.slice(0, 2048)) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    let m = /^([^\s=!(),]+)\s+(notin|in)\s*\(([^)]*)\)$/i.exec(p);
    if (m) {
      const values = m[3]!
        .split(/[,|]/)
        .map((s) => s.trim())
        .filter(Boolean);
      terms.push({ kind: m[2]!.toLowerCase() === 'in' ? 'eq' : 'ne', key: m[1]!, values });
      continue;
    }
    m = /^([^\s=!(),]+)\s*(!=|==|=)\s*(.*)$/.exec(p);
    if (m) {
      const values = m[3]!.split('|').map((s) => s.trim());
      terms.push({ kind: m[2] === '!=' ? 'ne' : 'eq', key: m[1]!, values });
      continue;
    }
    m = /^!\s*([^\s=!(),]+)$/.exec(p);
    if (m) {
      terms.push({ kind: 'not', key: m[1]! });
      continue;
    }
    // A bare word: a label key (the cluster has it), "favourite", or text in the name or a value.
    terms.push({ kind: 'text', text: p });
  }
  return terms;
}

const isFavKey = (k: string) => k === 'favourite' || k === 'favorite' || k === 'starred';

function labelOf(c: Selectable, key: string): string | undefined {
  if (isFavKey(key)) return c.favourite ? 'true' : undefined;
  return c.labels && Object.hasOwn(c.labels, key) ? c.labels[key] : undefined;
}

export function matchTerm(c: Selectable, t: SelectorTerm): boolean {
  switch (t.kind) {
    case 'eq': {
      const v = labelOf(c, t.key);
      if (isFavKey(t.key)) return (t.values.includes('true') || t.values.includes('yes')) === (v !== undefined);
      return v !== undefined && t.values.includes(v);
    }
    case 'ne': {
      const v = labelOf(c, t.key);
      return v === undefined || !t.values.includes(v);
    }
    case 'has':
      return labelOf(c, t.key) !== undefined;
    case 'not':
      return labelOf(c, t.key) === undefined;
    case 'text': {
      const q = t.text.toLowerCase();
      if (isFavKey(q)) return c.favourite;
      if (c.context.toLowerCase().includes(q) || c.id.toLowerCase().includes(q)) return true;
      for (const [k, v] of Object.entries(c.labels ?? {})) if (k.toLowerCase() === q || v.toLowerCase().includes(q)) return true;
      return false;
    }
  }
}

export function matchSelector(c: Selectable, terms: readonly SelectorTerm[]): boolean {
  return terms.every((t) => matchTerm(c, t));
}

/**
 * The clusters a view shows: those the selector matches, favourites first (each part in its given
 * order), and grouped by a label key when asked (groups in order of their value; clusters without
 * the label last, under "(none)").
 */
export function organise<T extends Selectable>(
  clusters: readonly T[],
  selector: string,
  groupBy: string,
): { groups: { key: string; value: string | null; clusters: T[] }[]; shown: number } {
  const terms = parseSelector(selector);
  const kept = clusters.filter((c) => matchSelector(c, terms));
  const pinned = [...kept.filter((c) => c.favourite), ...kept.filter((c) => !c.favourite)];
  if (!groupBy) return { groups: [{ key: '', value: null, clusters: pinned }], shown: pinned.length };
  const by = new Map<string | null, T[]>();
  for (const c of pinned) {
    const v = labelOf(c, groupBy) ?? null;
    const list = by.get(v);
    if (list) list.push(c);
    else by.set(v, [c]);
  }
  const values = [...by.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
  return { groups: values.map((v) => ({ key: groupBy, value: v, clusters: by.get(v)! })), shown: pinned.length };
}
