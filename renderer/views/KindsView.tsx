// Every kind (#/kinds): the kinds the clusters serve, searchable (the kind picker); and one kind's objects
// (#/kinds/<kind>?cluster=&ns=&q=) of one cluster or across the fleet (a Cluster column), with status,
// owner, age and the kind's own columns, sortable, filtered by text; a row opens its object. A kind the
// console does not always sync is watched while this page shows it (views.focus kinds, App.tsx); once no
// page does, its cached objects are as of then, and the page says so for each cluster.
import { useEffect, useMemo, useState } from 'react';
import type { KindDTO, KindRowDTO, KindsListDTO, KindWatchDTO, ObjectsListDTO } from '../../common/contract.ts';
import { getApi } from '../api/index.ts';
import { useApp } from '../store/index.ts';
import type { Route } from '../store/route.ts';
import { formatDateTime } from '../store/time.ts';
import { Age, ErrorNote, Link, Loading, SortHeader, sortRows, useSort } from '../components/common.tsx';
import { Table } from '../components/Table.tsx';

type KindsRoute = Route & { view: 'kinds' };

/** Read a method now, again when the fleet moves on, and every few seconds (an on-demand kind's objects arrive without a view push). */
function usePolled<T>(read: (() => Promise<T>) | null, key: string, everyMs = 3000): { data: T | undefined; error: string | null } {
  const version = useApp((s) => `${s.fleetVersion}:${s.reread}`);
  const [state, setState] = useState<{ key: string; data: T | undefined; error: string | null }>({ key, data: undefined, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  useEffect(() => {
    if (!read) return;
    let live = true;
    read().then(
      (data) => live && setState({ key, data, error: null }),
      (e: Error) => live && setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: e.message })),
    );
    return () => {
      live = false;
    };
  }, [key, version, tick]);
  return state.key === key ? state : { data: undefined, error: null };
}

export function KindsView({ route }: { route: KindsRoute }) {
  const fleet = useApp((s) => s.fleet);
  const kinds = usePolled(
    () => getApi().call('kinds.list', route.cluster ? { cluster: route.cluster } : {}),
    `kinds:${route.cluster}`,
    15_000,
  );
  const set = (patch: Partial<KindsRoute>) => useApp.getState().replaceRoute({ ...route, ...patch });
  return (
    <div className="scroll" data-view="kinds" data-kind={route.kind || undefined}>
      <div className="toolbar">
        <h1 className="title">{route.kind ? kindLabel(kinds.data, route.kind) : 'Kinds'}</h1>
        <KindPicker kinds={kinds.data} route={route} />
        <label>
          Cluster{' '}
          <select
            value={route.cluster ?? ''}
            onChange={(e) => set({ cluster: e.target.value || null, ns: '' })}
            data-testid="kinds-cluster"
            aria-label="Cluster"
          >
            <option value="">All clusters</option>
            {(fleet?.clusters ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.context}
              </option>
            ))}
          </select>
        </label>
      </div>
      {kinds.error && <ErrorNote error={kinds.error} />}
      {route.kind ? <KindObjects route={route} /> : <KindsTable kinds={kinds.data} route={route} />}
    </div>
  );
}

function kindLabel(list: KindsListDTO | undefined, key: string): string {
  const k = list?.kinds.find((x) => x.key === key);
  return k ? `${k.kind} (${k.group || 'core'})` : key;
}

const matches = (k: KindDTO, q: string) => {
  const t = q.trim().toLowerCase();
  return !t || k.key.includes(t) || k.kind.toLowerCase().includes(t);
};

/** Search over the served kinds: the first matches as links. */
function KindPicker({ kinds, route }: { kinds: KindsListDTO | undefined; route: KindsRoute }) {
  const [q, setQ] = useState('');
  // a kind picked (or another route): the matches close
  useEffect(() => setQ(''), [route.kind]);
  const hits = useMemo(() => (q.trim() ? (kinds?.kinds ?? []).filter((k) => matches(k, q)).slice(0, 12) : []), [kinds, q]);
  return (
    <div className="kind-picker">
      <input
        type="search"
        placeholder="Find a kind…"
        aria-label="Find a kind"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        data-testid="kind-search"
      />
      {hits.length > 0 && (
        <ul className="kind-hits" data-testid="kind-hits">
          {hits.map((k) => (
            <li key={k.key}>
              <Link to={{ view: 'kinds', kind: k.key, cluster: route.cluster, ns: '', q: '' }} data-kind={k.key}>
                {k.kind} <span className="muted small">{k.key}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function KindsTable({ kinds, route }: { kinds: KindsListDTO | undefined; route: KindsRoute }) {
  const [q, setQ] = useState('');
  if (!kinds) return <Loading what="the served kinds" />;
  const shown = kinds.kinds.filter((k) => matches(k, q));
  return (
    <section className="panel" data-panel="kinds">
      <h2>Served kinds ({kinds.kinds.length})</h2>
      {kinds.problems.map((p) => (
        <p key={p.cluster} className="notice warn">
          {p.clusterContext}: discovery failed ({p.error}); its kinds are those the cache holds.
        </p>
      ))}
      <input type="search" placeholder="Filter kinds" aria-label="Filter kinds" value={q} onChange={(e) => setQ(e.target.value)} />
      <Table name="kinds" cols={['Kind', 'Group', 'Version', 'Scope', 'Synced', { num: 'Clusters' }]}>
        {shown.map((k) => (
          <tr key={k.key} data-kind={k.key}>
            <td>
              <Link to={{ view: 'kinds', kind: k.key, cluster: route.cluster, ns: '', q: '' }}>{k.kind}</Link>
            </td>
            <td>{k.group || 'core'}</td>
            <td>{k.version}</td>
            <td>{k.namespaced ? 'Namespaced' : 'Cluster'}</td>
            <td>{k.synced === 'always' ? 'always' : 'while shown'}</td>
            <td className="num">{k.clusters}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

/** Where each cluster's rows come from: watched now, or as of when (never called live otherwise). */
function WatchNotes({ watch, now }: { watch: KindWatchDTO[]; now: number }) {
  const notLive = watch.filter((w) => !w.live);
  const live = watch.length - notLive.length;
  return (
    <div className="watch-notes" data-testid="watch-notes" data-live={live} data-notlive={notLive.length}>
      {live > 0 && (
        <p className="notice info" data-watch="live">
          Watched now in {live} cluster{live === 1 ? '' : 's'}
          {watch.some((w) => w.live && w.state === 'partial') ? ' (some only in the namespaces their credentials may read)' : ''}.
        </p>
      )}
      {notLive.map((w) => (
        <p key={w.cluster} className="notice warn" data-watch={w.state} data-cluster={w.cluster}>
          {w.clusterContext}:{' '}
          {w.state === 'none'
            ? `not listed yet${w.message ? ` (${w.message})` : ''}`
            : w.state === 'listing' || w.state === 'pending'
              ? 'listing…'
              : w.state === 'forbidden' || w.state === 'unavailable'
                ? `${w.state === 'forbidden' ? 'not permitted' : 'not served'}${w.message ? ` (${w.message})` : ''}`
                : w.asOf
                  ? `as of ${formatDateTime(w.asOf)} (${Math.max(0, Math.round((now - w.asOf) / 60_000))} min ago), not watched now (${w.state})`
                  : `not watched now (${w.state})`}
        </p>
      ))}
    </div>
  );
}

type SortKey = 'cluster' | 'namespace' | 'name' | 'status' | 'owner' | 'age' | `x:${string}`;

function KindObjects({ route }: { route: KindsRoute }) {
  const now = useApp((s) => s.now);
  const params = {
    kind: route.kind,
    ...(route.cluster ? { clusters: [route.cluster] } : {}),
    ...(route.ns ? { namespace: route.ns } : {}),
    ...(route.q ? { q: route.q } : {}),
    limit: 2000,
  };
  const list = usePolled<ObjectsListDTO>(() => getApi().call('objects.list', params), JSON.stringify(params));
  const { sort, toggle } = useSort<SortKey>('name');
  const [text, setText] = useState(route.q);
  useEffect(() => setText(route.q), [route.q]);
  useEffect(() => {
    // the filter goes into the address (linkable) a moment after typing stops
    if (text === route.q) return;
    const t = setTimeout(() => useApp.getState().replaceRoute({ ...route, q: text }), 250);
    return () => clearTimeout(t);
  }, [text]);
  if (list.error && !list.data) return <ErrorNote error={list.error} />;
  if (!list.data) return <Loading what={`the ${route.kind} objects`} />;
  const d = list.data;
  const fleetWide = !route.cluster;
  const value = (r: KindRowDTO): unknown =>
    sort.key === 'age'
      ? -(r.created ?? 0)
      : sort.key.startsWith('x:')
        ? r.extra[sort.key.slice(2)]
        : sort.key === 'cluster'
          ? r.clusterContext
          : sort.key === 'owner'
            ? r.owner
              ? `${r.owner.kind}/${r.owner.name}`
              : ''
            : r[sort.key as 'namespace' | 'name' | 'status'];
  const rows = sortRows(d.rows, value, sort.dir);
  const h = (k: SortKey, label: string) => <SortHeader key={k} k={k} label={label} sort={sort} toggle={toggle} />;
  return (
    <>
      <div className="toolbar">
        {d.kind.namespaced && (
          <label>
            Namespace{' '}
            <select
              value={route.ns}
              onChange={(e) => useApp.getState().replaceRoute({ ...route, ns: e.target.value })}
              data-testid="kinds-namespace"
              aria-label="Namespace"
            >
              <option value="">All namespaces</option>
              {d.namespaces.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        )}
        <input
          type="search"
          placeholder="Filter by name, namespace, status, owner"
          aria-label="Filter"
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="kinds-filter"
        />
        <span className="muted" data-testid="kinds-count" data-total={d.total}>
          {d.total} {d.kind.kind}
          {d.total === 1 ? '' : 's'}
          {d.rows.length < d.total ? ` (first ${d.rows.length} shown)` : ''}
        </span>
      </div>
      <WatchNotes watch={d.watch} now={now} />
      <Table
        name="kind-objects"
        testid="kind-objects"
        head={
          <>
            {fleetWide && h('cluster', 'Cluster')}
            {d.kind.namespaced && h('namespace', 'Namespace')}
            {h('name', 'Name')}
            {h('status', 'Status')}
            {h('owner', 'Owner')}
            {h('age', 'Age')}
            {d.columns.map((c) => h(`x:${c.key}`, c.label))}
          </>
        }
      >
        {rows.map((r) => (
          <tr key={`${r.cluster}|${r.uid}`} data-cluster={r.cluster} data-name={r.name} data-uid={r.uid}>
            {fleetWide && <td>{r.clusterContext}</td>}
            {d.kind.namespaced && <td>{r.namespace}</td>}
            <td>
              <Link to={{ view: 'object', cluster: r.cluster, kind: d.kind.key, uid: r.uid }} data-open={r.name}>
                {r.name}
              </Link>
            </td>
            <td className={`level-${r.level}`} data-level={r.level}>
              {r.status || <span className="muted">–</span>}
            </td>
            <td>{r.owner ? `${r.owner.kind}/${r.owner.name}` : <span className="muted">–</span>}</td>
            <td>
              <Age at={r.created} now={now} />
            </td>
            {d.columns.map((c) => (
              <td key={c.key}>{r.extra[c.key] ?? ''}</td>
            ))}
          </tr>
        ))}
      </Table>
      {!rows.length && (
        <p className="muted">
          No {d.kind.kind} objects in the cache{route.q ? ' match the filter' : ''}.
        </p>
      )}
    </>
  );
}
