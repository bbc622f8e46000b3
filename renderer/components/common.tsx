// Small shared pieces: status badges, ages, capacity bars, sortable headers, panels that say why they
// are empty. Everything renders text through React (inert: hostile labels stay text).
import { useState, type ReactNode } from 'react';
import type { ClusterTile, HealthLevel } from '../../common/contract.ts';
import { formatAge, formatPercent, formatResource } from '../../common/format.ts';
import { useApp } from '../store/index.ts';
import { href, type Route } from '../store/route.ts';
import { formatDateTime } from '../store/time.ts';
import { asOfOnly, partialText, statusLine } from '../map/text.ts';

export function StatusBadge({
  tile,
  now,
  at = null,
}: {
  tile: Pick<ClusterTile, 'status' | 'progress' | 'lastContact' | 'statusSince' | 'computedAt' | 'message'>;
  now: number;
  /** the view shows the state as of this time */
  at?: number | null;
}) {
  // As of a past time the badge is neutral (data-status stays the cluster's current status).
  const asOf = at !== null && asOfOnly(tile.status);
  return (
    <span
      className={`badge ${asOf ? 'status-asof' : `status-${tile.status}`}`}
      title={tile.message ?? undefined}
      data-status={tile.status}
      data-asof={at ?? undefined}
    >
      {statusLine(tile, now, at).text}
    </span>
  );
}

export function LevelBadge({ level }: { level: HealthLevel }) {
  return (
    <span className={`badge level-${level}`} data-level={level}>
      {level}
    </span>
  );
}

/** A link to a view; the "as of" time shown now is kept (unless `at` says otherwise: null, the latest). */
export function Link({
  to,
  children,
  className,
  at,
  ...rest
}: {
  to: Route;
  children: ReactNode;
  className?: string;
  at?: number | null;
  'aria-current'?: 'page';
  /** test hooks (data-testid, data-action-change, …) */
  [data: `data-${string}`]: string | number | boolean | undefined;
}) {
  const shown = useApp((s) => s.at);
  return (
    <a href={href(to, at === undefined ? shown : at)} className={className} {...rest}>
      {children}
    </a>
  );
}

/** Said by every view that shows a past state: never presented as the latest. */
export function AsOfNote({ at, what }: { at: number | null | undefined; what: string }) {
  if (at === null || at === undefined) return null;
  return (
    <p className="notice asof" role="note" data-asof={at}>
      <strong>As of {formatDateTime(at)}</strong>: {what} as the history recorded it then, not the latest state.{' '}
      <button type="button" className="linkish" onClick={() => useApp.getState().setAt(null)}>
        Show the latest
      </button>
    </p>
  );
}

/** requested / allocatable as a bar with the numbers beside it. */
export function CapacityBar({ resource, requested, allocatable }: { resource: string; requested: number; allocatable: number }) {
  const frac = allocatable > 0 ? requested / allocatable : null;
  const pct = frac === null ? 0 : Math.min(1, frac) * 100;
  const cls = frac === null ? '' : frac > 1 ? 'over' : frac > 0.85 ? 'high' : '';
  return (
    <div
      className="capbar"
      title={`${resource}: ${formatResource(resource, requested)} requested of ${formatResource(resource, allocatable)} allocatable`}
    >
      <div
        className="capbar-track"
        role="meter"
        aria-valuenow={Math.round(pct)}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-label={`${resource} requested`}
      >
        <div className={`capbar-fill ${cls}`} style={{ width: `${pct}%` }} />
      </div>
      <span className="num">
        {formatResource(resource, requested)} / {formatResource(resource, allocatable)} <span className="muted">{formatPercent(frac)}</span>
      </span>
    </div>
  );
}

/** A figure of a view's summary row: the value large, its label under it. */
export function Figure({ label, value, className, total }: { label: string; value: ReactNode; className?: string; total?: string }) {
  return (
    <div className={className ? `figure ${className}` : 'figure'} data-total={total}>
      <div className="figure-value num">{value}</div>
      <div className="figure-label">{label}</div>
    </div>
  );
}

export function Panel({
  title,
  children,
  forbidden,
  partial,
  empty,
  id,
}: {
  title: string;
  children?: ReactNode;
  forbidden?: string[];
  /** kinds these credentials may list only in some namespaces */
  partial?: { kind: string; namespaces: string[] }[];
  empty?: string | false;
  id?: string;
}) {
  return (
    <section className="panel" aria-labelledby={id ? `${id}-h` : undefined} data-panel={id}>
      <h2 id={id ? `${id}-h` : undefined}>{title}</h2>
      {forbidden && forbidden.length > 0 && (
        <p className="notice forbidden" role="note" data-forbidden={forbidden.join(' ')}>
          Not permitted for these credentials (403): {forbidden.join(', ')}. What follows is what they may see.
        </p>
      )}
      {partial && partial.length > 0 && (
        <p className="notice forbidden" role="note" data-partial={partial.map((p) => p.kind).join(' ')}>
          These credentials may not list the whole cluster, only some namespaces: {partialText(partial)}. Counts and figures here cover only
          those namespaces.
        </p>
      )}
      {empty ? <p className="muted">{empty}</p> : children}
    </section>
  );
}

export type SortDir = 'asc' | 'desc';

export function useSort<K extends string>(initial: K, dir: SortDir = 'asc') {
  const [sort, setSort] = useState<{ key: K; dir: SortDir }>({ key: initial, dir });
  const toggle = (key: K) => setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }));
  return { sort, toggle };
}

export function SortHeader<K extends string>({
  k,
  label,
  sort,
  toggle,
  numeric,
}: {
  k: K;
  label: string;
  sort: { key: K; dir: SortDir };
  toggle(k: K): void;
  numeric?: boolean;
}) {
  const active = sort.key === k;
  return (
    <th aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className={numeric ? 'num' : undefined} scope="col">
      <button type="button" className="sort" onClick={() => toggle(k)}>
        {label}
        <span aria-hidden="true">{active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}

export function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''), undefined, { numeric: true });
}

export function sortRows<T>(rows: readonly T[], key: (r: T) => unknown, dir: SortDir): T[] {
  const out = [...rows].sort((x, y) => compare(key(x), key(y)));
  return dir === 'desc' ? out.reverse() : out;
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorNote({ error }: { error: string }) {
  return (
    <p className="notice error" role="alert">
      {error}
    </p>
  );
}

/** Age since an epoch-ms time, as kubectl prints it. */
export function Age({ at, now }: { at: number | null | undefined; now: number }) {
  if (!at) return <span className="muted">–</span>;
  return (
    <time dateTime={new Date(at).toISOString()} title={new Date(at).toLocaleString()}>
      {formatAge(now - at)}
    </time>
  );
}
