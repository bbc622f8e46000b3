// One row per cluster, sortable by every column; numbers right-aligned in human units. A filter narrows
// the rows; when the session may act, rows have checkboxes (and "select all matching the filter") and
// the selection runs an action on the same object in each selected cluster.
//
// WHY a window of rows above WINDOW_FROM: a sort moves every row and a cleared filter adds them all back,
// and Chromium lays out and paints each cell of each row it (re)inserts: 0.2–0.6 s for 500 rows on 2
// shared cores (bench/ui.bench.ts, ui_table_sort). So a long table renders the rows on screen and OVERSCAN
// either side, with spacer rows for the rest (aria-rowcount / aria-rowindex say where a row is); the
// column widths only grow while scrolling, so they do not jump as other rows come in.
import { Fragment, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ClusterTile } from '../../common/contract.ts';
import { formatBytes, formatCpu, formatCount, formatPercent } from '../../common/format.ts';
import { useApp } from '../store/index.ts';
import { go } from '../store/route.ts';
import { Age, AsOfNote, Link, Loading, SortHeader, StatusBadge, useSort, type SortDir } from '../components/common.tsx';
import { Onboarding } from './Onboarding.tsx';
import { partialText, statusTime } from '../map/text.ts';
import { actionsEnabled } from './operate/actions.ts';
import { FleetSelectionBar } from './operate/FleetSelect.tsx';
import { allState, clusterMatches, toggleAll, toggled } from './operate/select.ts';
import { AddLabel, FavouriteStar, LabelChips } from './ClusterLabels.tsx';
import { OrganiseBar, groupLabel, useOrganised } from './OrganiseBar.tsx';

type Key = 'context' | 'status' | 'version' | 'nodes' | 'cpu' | 'memory' | 'gpu' | 'pending' | 'warnings' | 'storage' | 'age';

const frac = (f: { requested: number; allocatable: number }) => (f.allocatable ? f.requested / f.allocatable : -1);

function keyOf(k: Key, c: ClusterTile, now: number): unknown {
  switch (k) {
    case 'context':
      return c.context;
    case 'status':
      return c.status;
    case 'version':
      return c.serverVersion ?? '';
    case 'nodes':
      return c.nodes.total;
    case 'cpu':
    case 'memory':
    case 'gpu':
      return frac(c[k]);
    case 'pending':
      return c.pendingPods;
    case 'warnings':
      return c.warningEvents;
    case 'storage':
      return c.storageProblems.total;
    case 'age':
      return c.lastContact ? now - c.lastContact : Number.MAX_SAFE_INTEGER;
  }
}

// One collator: String.localeCompare with options builds one per call (~20 ms a sort of 500 names).
const collator = new Intl.Collator(undefined, { numeric: true });

/** As sortRows (components/common.tsx) sorts, each row's key computed once. */
function sortClusters(rows: readonly ClusterTile[], key: (c: ClusterTile) => unknown, dir: SortDir): ClusterTile[] {
  const keyed = rows.map((c) => ({ c, k: key(c) }));
  keyed.sort(({ k: a }, { k: b }) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a ?? ''), String(b ?? '')),
  );
  const out = keyed.map((x) => x.c);
  return dir === 'desc' ? out.reverse() : out;
}

const NO_CLUSTERS: ClusterTile[] = [];

/** Rows from which the table renders a window of them. */
export const WINDOW_FROM = 60;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 20;
/** A row's height before one was measured (13 px text, 4 px padding, 1 px border). */
const ROW_PX = 27;

/**
 * The rows to render of `count`: all of them up to WINDOW_FROM, else those in the scroller's view (from
 * its scroll position, the tbody's place in it and the rows' measured mean height) and OVERSCAN around.
 */
function useRowWindow(count: number) {
  const scroller = useRef<HTMLDivElement>(null);
  const tbody = useRef<HTMLTableSectionElement>(null);
  const rowPx = useRef(ROW_PX);
  /** the header cells' widths so far, at the scroller's width `at` (measured again when it changes) */
  const widths = useRef<{ at: number; px: number[] }>({ at: 0, px: [] });
  // the view in the tbody's coordinates, to the row (re-rendered when the visible rows change)
  const [view, setView] = useState({ top: 0, height: 1000 });
  const windowed = count > WINDOW_FROM;

  useEffect(() => {
    const el = scroller.current;
    if (!el || !windowed) return;
    let raf = 0;
    const update = () => {
      raf = 0;
      const body = tbody.current;
      if (!body) return;
      const top = el.getBoundingClientRect().top - body.getBoundingClientRect().top;
      const px = rowPx.current;
      // to the row, so scrolling within a row renders nothing
      const next = { top: Math.floor(top / px) * px, height: Math.ceil(el.clientHeight / px) * px };
      setView((v) => (v.top === next.top && v.height === next.height ? v : next));
    };
    const schedule = () => {
      if (!raf) raf = requestAnimationFrame(update);
    };
    update();
    el.addEventListener('scroll', schedule, { passive: true });
    const ro = new ResizeObserver(schedule);
    ro.observe(el);
    return () => {
      el.removeEventListener('scroll', schedule);
      ro.disconnect();
      if (raf) cancelAnimationFrame(raf);
    };
  }, [windowed]);

  // After each render: the rows' mean height, and (windowed) column widths that only grow.
  useLayoutEffect(() => {
    const body = tbody.current;
    const head = body?.parentElement?.querySelector('thead tr');
    if (!body || !head) return;
    const ths = Array.from(head.children) as HTMLElement[];
    const width = scroller.current?.clientWidth ?? 0;
    if (widths.current.px.length && (!windowed || widths.current.at !== width)) {
      for (const th of ths) th.style.minWidth = '';
      widths.current = { at: width, px: [] };
    }
    if (!windowed) return;
    let h = 0;
    let n = 0;
    for (const tr of Array.from(body.rows)) {
      if (tr.hasAttribute('data-spacer')) continue;
      h += tr.getBoundingClientRect().height;
      n++;
    }
    if (n) rowPx.current = Math.max(8, h / n);
    // every width read before any is written: one layout
    const seen = ths.map((th) => Math.ceil(th.getBoundingClientRect().width));
    const px = widths.current.px;
    seen.forEach((w, i) => {
      if (w > (px[i] ?? 0)) {
        px[i] = w;
        ths[i]!.style.minWidth = `${w}px`;
      }
    });
    widths.current.at = width;
  });

  if (!windowed) return { scroller, tbody, windowed, first: 0, last: count, above: 0, below: 0 };
  const px = rowPx.current;
  const first = Math.max(0, Math.min(count, Math.floor(view.top / px) - OVERSCAN));
  const last = Math.max(first, Math.min(count, Math.ceil((view.top + view.height) / px) + OVERSCAN));
  return { scroller, tbody, windowed, first, last, above: first * px, below: (count - last) * px };
}

export function FleetTable() {
  const { fleet, now, at } = useApp(useShallow((s) => ({ fleet: s.fleet, now: s.now, at: s.at })));
  const { sort, toggle } = useSort<Key>('context');
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const clusters = fleet?.clusters ?? NO_CLUSTERS;
  // The organise bar's selector and group-by (in the address); in each group, favourites first, then the sort.
  const organised = useOrganised(clusters);
  const grouped = organised.groups.length > 0 && organised.groups[0]!.key !== '';
  const groupOf = new Map<string, { label: string; count: number }>();
  const rows = organised.groups.flatMap((g) => {
    const sorted = sortClusters(
      g.clusters.filter((c) => clusterMatches(c, filter)),
      (c) => keyOf(sort.key, c, now),
      sort.dir,
    );
    const label = grouped ? groupLabel(g) : '';
    for (const c of sorted) groupOf.set(c.id, { label, count: sorted.length });
    return [...sorted.filter((c) => c.favourite), ...sorted.filter((c) => !c.favourite)];
  });
  const win = useRowWindow(rows.length);
  if (!fleet) return <Loading what="the fleet" />;
  if (!fleet.clusters.length) return <Onboarding />;
  const selectable = actionsEnabled(fleet, at);
  const order = fleet.clusters.map((c) => c.id);
  const known = new Set(order);
  const matching = rows.map((c) => c.id);
  const chosen = selected.filter((id) => known.has(id));
  const isChosen = new Set(chosen);
  const all = allState(chosen, matching);
  // Rows are checkable whenever labels can be set (the selection's actions only when the session may act).
  const checkable = selectable || fleet.mode !== 'snapshot';
  const columns = (checkable ? 13 : 12) + (grouped ? 1 : 0);
  const spacer = (px: number, at: string) =>
    px > 0 && (
      <tr aria-hidden="true" data-spacer={at} style={{ height: px }}>
        <td colSpan={columns} style={{ padding: 0, border: 0 }} />
      </tr>
    );
  const h = (k: Key, label: string, numeric = true) => <SortHeader k={k} label={label} sort={sort} toggle={toggle} numeric={numeric} />;
  return (
    <div className="scroll" data-view="fleet-table" ref={win.scroller}>
      <div className="toolbar">
        <h1 className="title">Clusters</h1>
        <input
          type="search"
          className="fleet-filter"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="Filter: name, status, version, server"
          aria-label="Filter the clusters"
          spellCheck={false}
          data-fleet-filter
        />
        {filter && (
          <span className="muted small" data-fleet-matching={rows.length}>
            {rows.length} of {fleet.clusters.length}
          </span>
        )}
      </div>
      <OrganiseBar clusters={clusters} shown={organised.shown} other="fleet" />
      <AsOfNote at={fleet.at} what="the clusters" />
      {selectable && <FleetSelectionBar selected={chosen} onClear={() => setSelected([])} />}
      {checkable && chosen.length > 0 && (
        <div className="label-selection" data-label-selection={chosen.length}>
          <span className="muted">
            Label {chosen.length} selected cluster{chosen.length === 1 ? '' : 's'}:
          </span>
          <AddLabel clusters={chosen} label="Add label" />
        </div>
      )}
      <table className="grid" aria-rowcount={win.windowed ? rows.length + 1 : undefined} data-rows-rendered={win.last - win.first}>
        <thead>
          <tr>
            {checkable && (
              <th scope="col" className="select-col">
                <input
                  type="checkbox"
                  checked={all === 'all'}
                  ref={(el) => {
                    if (el) el.indeterminate = all === 'some';
                  }}
                  disabled={!matching.length}
                  onChange={() => setSelected(toggleAll(chosen, matching, order))}
                  aria-label={filter ? 'Select all clusters matching the filter' : 'Select all clusters'}
                  title={filter ? 'select all matching the filter' : 'select all'}
                  data-fleet-select-all
                />
              </th>
            )}
            <th scope="col" className="star-col" aria-label="Favourite">
              ★
            </th>
            {grouped && <th scope="col">Group</th>}
            {h('context', 'Cluster', false)}
            {h('status', 'Status', false)}
            {h('version', 'Version', false)}
            {h('nodes', 'Nodes ready/total')}
            {h('cpu', 'CPU requested / allocatable')}
            {h('memory', 'Memory requested / allocatable')}
            {h('gpu', 'GPU allocated / allocatable')}
            {h('pending', 'Pending pods')}
            {h('warnings', 'Warnings')}
            {h('storage', 'Storage problems')}
            {h('age', 'Data age')}
          </tr>
        </thead>
        <tbody ref={win.tbody}>
          {spacer(win.above, 'above')}
          {rows.slice(win.first, win.last).map((c, i, shown) => (
            <Fragment key={c.id}>
              {grouped && (i === 0 || groupOf.get(shown[i - 1]!.id)?.label !== groupOf.get(c.id)?.label) && (
                <tr className="group-heading" data-group={groupOf.get(c.id)?.label}>
                  <th colSpan={columns} scope="rowgroup">
                    {groupOf.get(c.id)?.label} · {groupOf.get(c.id)?.count}
                  </th>
                </tr>
              )}
              <tr
                aria-rowindex={win.windowed ? win.first + i + 2 : undefined}
                data-cluster={c.context}
                data-selected={checkable ? isChosen.has(c.id) : undefined}
                data-favourite={c.favourite ? '' : undefined}
                onDoubleClick={() => go({ view: 'cluster', cluster: c.id, tab: 'nodes' })}
              >
                {checkable && (
                  <td className="select-col">
                    <input
                      type="checkbox"
                      checked={isChosen.has(c.id)}
                      onChange={(e) => setSelected(toggled(chosen, c.id, e.target.checked, order))}
                      aria-label={`Select ${c.context}`}
                      data-fleet-select={c.context}
                    />
                  </td>
                )}
                <td className="star-col">
                  <FavouriteStar tile={c} />
                </td>
                {grouped && <td className="muted">{groupOf.get(c.id)?.label}</td>}
                <th scope="row">
                  <Link to={{ view: 'cluster', cluster: c.id, tab: 'nodes' }}>{c.context}</Link> <LabelChips tile={c} />
                </th>
                <td>
                  <StatusBadge tile={c} now={now} at={statusTime(fleet)} />
                  {c.forbiddenKinds.length > 0 && (
                    <span className="badge warn" title={`not permitted: ${c.forbiddenKinds.join(', ')}`}>
                      {c.forbiddenKinds.length} kinds forbidden
                    </span>
                  )}
                  {c.partialKinds.length > 0 && (
                    <span className="badge warn" title={`only in some namespaces: ${partialText(c.partialKinds)}`}>
                      {c.partialKinds.length} kinds in some namespaces
                    </span>
                  )}
                </td>
                <td>{c.serverVersion ?? '–'}</td>
                <td className="num">
                  {c.forbiddenKinds.includes('nodes') ? (
                    <span className="muted">not permitted</span>
                  ) : (
                    `${formatCount(c.nodes.ready)} / ${formatCount(c.nodes.total)}`
                  )}
                </td>
                <td className="num">
                  {formatCpu(c.cpu.requested)} / {formatCpu(c.cpu.allocatable)}{' '}
                  <span className="muted">{formatPercent(c.cpu.allocatable ? c.cpu.requested / c.cpu.allocatable : null)}</span>
                </td>
                <td className="num">
                  {formatBytes(c.memory.requested)} / {formatBytes(c.memory.allocatable)}{' '}
                  <span className="muted">{formatPercent(c.memory.allocatable ? c.memory.requested / c.memory.allocatable : null)}</span>
                </td>
                <td className="num">{c.gpu.allocatable ? `${formatCount(c.gpu.requested)} / ${formatCount(c.gpu.allocatable)}` : '–'}</td>
                <td className="num">{formatCount(c.pendingPods)}</td>
                <td className="num">{formatCount(c.warningEvents)}</td>
                <td className="num">
                  {c.storageProblems.total ? (
                    <span className={c.storageProblems.critical ? 'bad' : 'warn'}>{formatCount(c.storageProblems.total)}</span>
                  ) : (
                    '0'
                  )}
                </td>
                <td className="num">
                  <Age at={c.lastContact} now={now} />
                </td>
              </tr>
            </Fragment>
          ))}
          {spacer(win.below, 'below')}
        </tbody>
      </table>
      {!rows.length && <p className="muted">No cluster matches the filter.</p>}
    </div>
  );
}
