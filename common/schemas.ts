// The contract's request schemas, validated on the back-end side (web shell and desktop IPC). Every
// argument that crosses the boundary is hostile until one of these says otherwise.
import { z } from 'zod';
import { ACTIONS, CHANGE_CATEGORIES, type Method } from './contract.ts';
import { LABEL_KEY, LABEL_VALUE } from './labels.ts';

const id = z.string().min(1).max(512);
const kind = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9.\-/]+$/);

/** a time in epoch ms */
const time = z.number().int().min(0).max(8.64e15);
/** "as of": a time */
const at = time.optional();
/** a file the session reads: "@this" (what it shows), "@cache" (the live cache), or an absolute path */
const source = z.string().min(1).max(4096);

const selection = z
  .object({
    clusters: z.array(id).max(1000).default([]),
    namespaces: z.array(z.string().min(1).max(253)).max(1000).default([]),
    workloads: z
      .array(
        z
          .string()
          .regex(/^[a-z0-9.\-/]+\/[^/]+\/[^/]+$/, 'kind/namespace/name')
          .max(800),
      )
      .max(1000)
      .default([]),
    nodes: z.array(id).max(10_000).default([]),
    since: z.number().int().positive().max(3.2e11).nullable().default(null),
    logs: z.number().int().min(0).max(100_000).default(0),
    tokenize: z.boolean().default(false),
  })
  .strict();

/** The filter of the fleet's changes: a time window, and what to keep. */
const changeFilter = {
  from: time,
  to: time,
  clusters: z.array(id).max(1000).optional(),
  namespaces: z.array(z.string().min(1).max(253)).max(1000).optional(),
  kinds: z.array(kind).max(200).optional(),
  categories: z.array(z.enum(CHANGE_CATEGORIES)).max(CHANGE_CATEGORIES.length).optional(),
  severities: z
    .array(z.enum(['info', 'ok', 'warning', 'critical']))
    .max(4)
    .optional(),
  text: z.string().max(256).optional(),
};

/** The fleet's changes in a window: the filter and what the method adds to it, from no later than to. */
const inWindow = <T extends z.ZodRawShape>(extra: T) =>
  z
    .object({ ...changeFilter, ...extra })
    .strict()
    .refine((p) => {
      // (T is generic here: the window's ends are the filter's, whatever T adds)
      const w = p as { from: number; to: number };
      return w.from <= w.to;
    }, 'from must not be after to');

/** A page of changes, newest first (at most `limit`); `before` continues a previous page after its last change. */
const page = {
  limit: z.number().int().min(1).max(1000).optional(),
  before: z
    .object({ at: time, id: z.number().int().min(0) })
    .strict()
    .optional(),
};

/** A Kubernetes name (DNS subdomain, generous): what a path segment may hold. */
const objectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][-A-Za-z0-9_.:]*$/, 'a Kubernetes object name');
const namespace = z.union([z.literal(''), objectName]);
const target = z.object({ kind, namespace, name: objectName }).strict();
const action = z.enum(ACTIONS);
/** a cluster label's key (the user's own: Kubernetes-like, an optional DNS prefix) */
const labelKey = z.string().min(1).max(317).regex(LABEL_KEY, 'a label key (prefix/name, 63 letters, digits, - _ . at most)');

export const methods = {
  'fleet.get': z.object({ at }).strict(),
  'cluster.get': z.object({ cluster: id, at }).strict(),
  'node.get': z.object({ cluster: id, node: id, at }).strict(),
  'object.get': z
    .object({ cluster: id, kind, uid: id.optional(), namespace: z.string().max(253).optional(), name: id.optional(), at })
    .strict()
    .refine((p) => p.uid !== undefined || p.name !== undefined, 'uid or name is required'),
  // from/to: indexes into the object's history (the state right after that change); null from is
  // "nothing" (the object's creation), null to is the current object.
  'object.diff': z
    .object({
      cluster: id,
      kind,
      uid: id,
      from: z.number().int().nonnegative().max(1e6).nullable(),
      to: z.number().int().nonnegative().max(1e6).nullable(),
    })
    .strict(),
  search: z.object({ q: z.string().max(256), limit: z.number().int().min(1).max(500).optional() }).strict(),
  'metrics.get': z.object({ cluster: id, from: z.number().int().optional(), to: z.number().int().optional() }).strict(),
  'onboarding.get': z.object({}).strict(),
  'sources.add': z.object({ path: z.string().min(1).max(4096) }).strict(),
  // a snapshot of the clusters (ids; none: all) with the last `since` ms of history (none: all)
  'snapshot.capture': z
    .object({ clusters: z.array(id).max(1000).optional(), since: z.number().int().positive().max(3.2e11).optional() })
    .strict(),
  'snapshot.diff': z.object({ from: source, to: source, includeEvents: z.boolean().optional() }).strict(),
  'bundle.preview': selection,
  'bundle.export': selection,
  // show something else: the demo snapshot, a snapshot or bundle file, or the live fleet again
  'session.open': z
    .object({ target: z.enum(['demo', 'file', 'live']), path: z.string().min(1).max(4096).optional() })
    .strict()
    .refine((p) => (p.target === 'file') === (p.path !== undefined), 'a path with target "file", and only then'),
  // the timeline's marks in a window (at most `limit`, default 100,000), with the gaps
  'changes.timeline': inWindow({ limit: z.number().int().min(1).max(200_000).optional() }),
  // a page of changes, newest first; `before` continues a previous page
  'changes.list': inWindow(page),
  'changes.get': z.object({ id: z.number().int().min(0) }).strict(),
  // the changes of one object (kind + uid), of a node (node: the node's own and those of what runs on it), or of a cluster
  'changes.of': z
    .object({
      cluster: id,
      kind: kind.optional(),
      uid: id.optional(),
      node: id.optional(),
      from: time.optional(),
      to: time.optional(),
      ...page,
    })
    .strict()
    .refine((p) => (p.kind === undefined) === (p.uid === undefined), 'kind and uid go together'),
  // what changed before a problem: the object (kind + uid) that went unhealthy at `at` (default: now)
  'changes.whatChanged': z
    .object({
      cluster: id,
      kind,
      uid: id,
      at,
      windowMs: z
        .number()
        .int()
        .min(60_000)
        .max(30 * 86_400_000)
        .optional(),
    })
    .strict(),
  // the same change in several clusters, and the problems after it in each
  'changes.fleet': z
    .object({ from: time, to: time })
    .strict()
    .refine((p) => p.from <= p.to, 'from must not be after to'),
  // a pod's logs (pod), or a workload's pods' logs merged (workload: its kind key and name)
  'logs.start': z
    .object({
      cluster: id,
      namespace: objectName,
      pod: objectName.optional(),
      workload: z.object({ kind, name: objectName }).strict().optional(),
      container: objectName.optional(),
      follow: z.boolean().default(false),
      previous: z.boolean().default(false),
      timestamps: z.boolean().default(false),
      sinceSeconds: z
        .number()
        .int()
        .positive()
        .max(30 * 86_400)
        .optional(),
      tailLines: z.number().int().min(0).max(100_000).optional(),
    })
    .strict()
    .refine((p) => (p.pod === undefined) !== (p.workload === undefined), 'a pod or a workload, one of them'),
  'logs.stop': z.object({ stream: z.number().int().min(0) }).strict(),
  // kinds: on-demand kinds the page lists, watched in its clusters (every cluster when it names none)
  'views.focus': z.object({ clusters: z.array(id).max(1000), kinds: z.array(kind).max(50).optional() }).strict(),
  // every served kind (discovery, else what the cache holds), of one cluster or the fleet
  'kinds.list': z.object({ cluster: id.optional() }).strict(),
  // a kind's cached objects, of some clusters (all when none) and a namespace, filtered by text
  'objects.list': z
    .object({
      kind,
      clusters: z.array(id).max(1000).optional(),
      namespace: z.string().max(253).optional(),
      q: z.string().max(256).optional(),
      limit: z.number().int().min(1).max(5000).optional(),
      offset: z.number().int().min(0).max(1_000_000).optional(),
    })
    .strict(),
  // Settings: sources and contexts on or off (persisted in the data folder), read-only mode
  'settings.get': z.object({}).strict(),
  'clusters.enable': z.object({ clusters: z.array(id).min(1).max(10_000), enabled: z.boolean() }).strict(),
  'sources.enable': z.object({ path: z.string().min(1).max(4096), enabled: z.boolean() }).strict(),
  'sources.remove': z.object({ path: z.string().min(1).max(4096) }).strict(),
  'settings.readOnly': z.object({ on: z.boolean() }).strict(),
  // the cache's retention: an hour to a year of history, 64 MiB to 1 TiB (main/fleet/sync-settings.ts RETENTION_LIMITS)
  'settings.retention': z
    .object({
      maxAgeMs: z
        .number()
        .int()
        .min(3600_000)
        .max(366 * 86_400_000),
      maxBytes: z
        .number()
        .int()
        .min(64 * 1024 ** 2)
        .max(1024 ** 4),
    })
    .strict(),
  // the user's cluster labels and favourites (cluster-labels.json in the data folder)
  'clusters.labels': z.object({}).strict(),
  'clusters.label': z
    .object({
      clusters: z.array(id).min(1).max(10_000),
      set: z
        .record(labelKey, z.string().max(63).regex(LABEL_VALUE, 'a label value (63 letters, digits, - _ . at most)'))
        .refine((r) => Object.keys(r).length <= 64, 'at most 64 labels at once')
        .optional(),
      remove: z.array(labelKey).max(64).optional(),
    })
    .strict()
    .refine((p) => Object.keys(p.set ?? {}).length + (p.remove?.length ?? 0) > 0, 'set or remove at least one label'),
  'clusters.favourite': z.object({ clusters: z.array(id).min(1).max(10_000), on: z.boolean() }).strict(),
  // exec plugins: every one the kubeconfigs name, approved or not; approve one exactly as listed (its key)
  'exec.list': z.object({}).strict(),
  'exec.approve': z.object({ key: z.string().regex(/^[0-9a-f]{64}$/, 'an exec plugin key (exec.list)') }).strict(),
  'exec.revoke': z.object({ key: z.string().regex(/^[0-9a-f]{64}$/, 'an exec plugin key (exec.list)') }).strict(),
  // may these clusters' credentials do this? (SelfSubjectAccessReview per cluster)
  'actions.check': z.object({ clusters: z.array(id).min(1).max(1000), action, target }).strict(),
  // what it would do: an edit's server-side dry run and diff, a drain's evictions
  'actions.preview': z
    .object({
      cluster: id,
      action,
      target,
      params: z
        .object({
          manifest: z
            .string()
            .max(4 << 20)
            .optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
  // do it, on each cluster; `confirm` repeats what the user confirmed (the clusters and the object's name)
  'actions.run': z
    .object({
      clusters: z.array(id).min(1).max(1000),
      action,
      target,
      params: z
        .object({
          replicas: z.number().int().min(0).max(100_000).optional(),
          manifest: z
            .string()
            .max(4 << 20)
            .optional(),
          gracePeriodSeconds: z.number().int().min(0).max(86_400).optional(),
          timeoutSeconds: z.number().int().min(1).max(86_400).optional(),
        })
        .strict()
        .default({}),
      confirm: z.object({ clusters: z.array(id).min(1).max(1000), namespace, name: objectName }).strict(),
    })
    .strict()
    .refine(
      (p) =>
        p.confirm.name === p.target.name &&
        p.confirm.namespace === p.target.namespace &&
        [...p.confirm.clusters].sort().join() === [...p.clusters].sort().join(),
      'the confirmation must name the same clusters, namespace and object',
    )
    .refine((p) => p.action !== 'scale' || p.params.replicas !== undefined, 'scale needs params.replicas')
    .refine((p) => p.action !== 'apply' || p.params.manifest !== undefined, 'apply needs params.manifest'),
} as const;

/** Validate a request: {ok:false} on anything off, never throws. */
export function parseRequest(
  method: unknown,
  params: unknown,
): { ok: true; method: Method; params: unknown } | { ok: false; error: string } {
  if (typeof method !== 'string' || !Object.hasOwn(methods, method))
    return { ok: false, error: `unknown method ${JSON.stringify(method)}` };
  const r = methods[method as Method].safeParse(params ?? {});
  if (!r.success)
    return {
      ok: false,
      error: `invalid params for ${method}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    };
  return { ok: true, method: method as Method, params: r.data };
}
