// One row per cluster, sortable by every column; numbers right-aligned in human units. A filter narrows
// the rows; when the session may act, rows have checkboxes (and "select all matching the filter") and
// the selection runs an action on the same object in each selected cluster.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ClusterTile } from '../../common/contract.ts';
import { formatBytes, formatCpu, formatCount, formatPercent } from '../../common/format.ts';
import { useApp } from '../store/index.ts';
import { go } from '../store/route.ts';
import { Age, AsOfNote, Link, Loading, SortHeader, StatusBadge, sortRows, useSort } from '../components/common.tsx';
import { Onboarding } from './Onboarding.tsx';
import { partialText, statusTime } from '../map/text.ts';
import { actionsEnabled } from './operate/actions.ts';
import { FleetSelectionBar } from './operate/FleetSelect.tsx';
import { allState, clusterMatches, toggleAll, toggled } from './operate/select.ts';

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

export function FleetTable() {
  const { fleet, now, at } = useApp(useShallow((s) => ({ fleet: s.fleet, now: s.now, at: s.at })));
  const { sort, toggle } = useSort<Key>('context');
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  if (!fleet) return <Loading what="the fleet" />;
  if (!fleet.clusters.length) return <Onboarding />;
  const selectable = actionsEnabled(fleet, at);
  const rows = sortRows(
    fleet.clusters.filter((c) => clusterMatches(c, filter)),
    (c) => keyOf(sort.key, c, now),
    sort.dir,
  );
  const order = fleet.clusters.map((c) => c.id);
  const matching = rows.map((c) => c.id);
  const chosen = selected.filter((id) => order.includes(id));
  const all = allState(chosen, matching);
  const h = (k: Key, label: string, numeric = true) => <SortHeader k={k} label={label} sort={sort} toggle={toggle} numeric={numeric} />;
  return (
    <div className="scroll" data-view="fleet-table">
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
      <AsOfNote at={fleet.at} what="the clusters" />
      {selectable && <FleetSelectionBar selected={chosen} onClear={() => setSelected([])} />}
      <table className="grid">
        <thead>
          <tr>
            {selectable && (
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
        <tbody>
          {rows.map((c) => (
            <tr
              key={c.id}
              data-cluster={c.context}
              data-selected={selectable ? chosen.includes(c.id) : undefined}
              onDoubleClick={() => go({ view: 'cluster', cluster: c.id, tab: 'nodes' })}
            >
              {selectable && (
                <td className="select-col">
                  <input
                    type="checkbox"
                    checked={chosen.includes(c.id)}
                    onChange={(e) => setSelected(toggled(chosen, c.id, e.target.checked, order))}
                    aria-label={`Select ${c.context}`}
                    data-fleet-select={c.context}
                  />
                </td>
              )}
              <th scope="row">
                <Link to={{ view: 'cluster', cluster: c.id, tab: 'nodes' }}>{c.context}</Link>
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
          ))}
        </tbody>
      </table>
      {!rows.length && <p className="muted">No cluster matches the filter.</p>}
    </div>
  );
}
