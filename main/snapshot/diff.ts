// Diff of two stores (two snapshots, or a snapshot and the live cache): object-aware, grouped by
// cluster and kind. Objects are matched by (cluster id, kind, uid); equal resourceVersions are equal
// without parsing. Not differences: managedFields, resourceVersion, generation bumps (and the
// observedGeneration that follows them), node heartbeats. Events are a log, not state: left out unless
// asked for (the timeline has them).
import type { Store } from '../store/store.ts';
import { shownObject } from '../kube/resources.ts';
import { objectDiff, withoutNoise, type DiffEntry } from '../model/diff.ts';

export interface DiffObjectRef {
  uid: string;
  namespace: string;
  name: string;
}

export interface KindDiff {
  kind: string;
  added: DiffObjectRef[];
  removed: DiffObjectRef[];
  changed: (DiffObjectRef & { fields: DiffEntry[] })[];
}

export interface ClusterDiff {
  id: string;
  context: string;
  /** 'both' unless the cluster is in one side only (then its objects are not listed one by one) */
  in: 'both' | 'a' | 'b';
  kinds: KindDiff[];
}

export interface StoreDiff {
  clusters: ClusterDiff[];
  totals: { added: number; removed: number; changed: number };
  /** kinds left out (events unless includeEvents) */
  ignoredKinds: string[];
}

export interface DiffOptions {
  includeEvents?: boolean;
  /** cluster ids or context names to compare; none: all */
  clusters?: string[];
  /** at most this many field entries per changed object */
  maxFields?: number;
}

/** The body of a changed object on one side (a diff reads those of every changed object on both). */
function body(store: Store, cluster: string, kind: string, uid: string): unknown {
  const b = store.object(cluster, kind, uid)?.body;
  // LIST items carry no apiVersion/kind, watch events do: compare both as kubectl shows them.
  return b === undefined ? null : shownObject(kind, b);
}

const ref = (r: DiffObjectRef): DiffObjectRef => ({ uid: r.uid, namespace: r.namespace, name: r.name });
const order = (x: DiffObjectRef, y: DiffObjectRef) => x.namespace.localeCompare(y.namespace) || x.name.localeCompare(y.name);

export function diffStores(a: Store, b: Store, opts: DiffOptions = {}): StoreDiff {
  const ca = new Map(a.clusters().map((c) => [c.id, c]));
  const cb = new Map(b.clusters().map((c) => [c.id, c]));
  let ids = [...new Set([...ca.keys(), ...cb.keys()])];
  if (opts.clusters?.length) {
    const w = new Set(opts.clusters);
    ids = ids.filter((id) => w.has(id) || w.has(ca.get(id)?.context ?? '') || w.has(cb.get(id)?.context ?? ''));
  }
  const ignored = opts.includeEvents ? [] : ['events'];
  const totals = { added: 0, removed: 0, changed: 0 };
  const clusters: ClusterDiff[] = [];
  for (const id of ids) {
    const context = cb.get(id)?.context ?? ca.get(id)?.context ?? id;
    if (!ca.has(id) || !cb.has(id)) {
      clusters.push({ id, context, in: ca.has(id) ? 'a' : 'b', kinds: [] });
      continue;
    }
    const kinds = [...new Set([...a.kinds(id), ...b.kinds(id)])].filter((k) => !ignored.includes(k)).sort();
    const out: KindDiff[] = [];
    for (const kind of kinds) {
      const ra = a.objectVersions(id, kind);
      const rb = b.objectVersions(id, kind);
      const kd: KindDiff = { kind, added: [], removed: [], changed: [] };
      for (const [uid, x] of ra) {
        const y = rb.get(uid);
        if (!y) {
          kd.removed.push(ref(x));
          continue;
        }
        if (x.rv === y.rv) continue;
        const fields = withoutNoise(objectDiff(body(a, id, kind, uid), body(b, id, kind, uid)));
        if (fields.length) kd.changed.push({ ...ref(y), fields: fields.slice(0, opts.maxFields ?? 200) });
      }
      for (const [uid, y] of rb) if (!ra.has(uid)) kd.added.push(ref(y));
      if (kd.added.length || kd.removed.length || kd.changed.length) {
        kd.added.sort(order);
        kd.removed.sort(order);
        kd.changed.sort(order);
        totals.added += kd.added.length;
        totals.removed += kd.removed.length;
        totals.changed += kd.changed.length;
        out.push(kd);
      }
    }
    clusters.push({ id, context, in: 'both', kinds: out });
  }
  clusters.sort((x, y) => x.context.localeCompare(y.context));
  return { clusters, totals, ignoredKinds: ignored };
}
