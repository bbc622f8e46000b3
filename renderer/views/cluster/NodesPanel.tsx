// The cluster's nodes: a sortable list with capacity bars, or a grid of cards.
import { useState } from 'react';
import type { ClusterDTO, NodeRow } from '../../../common/contract.ts';
import { CapacityBar, LevelBadge, Link, Panel, SortHeader, sortRows, useSort } from '../../components/common.tsx';
import { Table } from '../../components/Table.tsx';
import { refusedOf } from './refused.ts';

type NodeKey = 'name' | 'level' | 'cpu' | 'memory' | 'gpu' | 'pods' | 'version';

const LEVEL_ORDER = ['critical', 'warning', 'unknown', 'ok'];

/** requested / allocatable of a resource, -1 where nothing is allocatable (sorts first) */
const share = (n: NodeRow, r: string) => {
  const x = n.resources[r];
  return x && x.allocatable ? x.requested / x.allocatable : -1;
};

function sortKey(k: NodeKey, n: NodeRow): unknown {
  switch (k) {
    case 'name':
      return n.name;
    case 'level':
      return LEVEL_ORDER.indexOf(n.level);
    case 'version':
      return n.kubeletVersion ?? '';
    case 'gpu':
      return n.accelerators;
    default:
      return share(n, k);
  }
}

/** A node's requested / allocatable of a resource as a bar. */
const Bar = ({ n, r }: { n: NodeRow; r: string }) => (
  <CapacityBar resource={r} requested={n.resources[r]?.requested ?? 0} allocatable={n.resources[r]?.allocatable ?? 0} />
);

export function NodesPanel({ d }: { d: ClusterDTO }) {
  const [mode, setMode] = useState<'grid' | 'list'>('list');
  const { sort, toggle } = useSort<NodeKey>('name');
  const cluster = d.tile.id;
  const rows = sortRows(d.nodes, (n) => sortKey(sort.key, n), sort.dir);
  const h = (k: NodeKey, label: string, numeric = false) => (
    <SortHeader k={k} label={label} sort={sort} toggle={toggle} numeric={numeric} />
  );
  return (
    <Panel
      title={`Nodes (${d.nodes.length})`}
      id="nodes"
      {...refusedOf(d, ['nodes', 'pods'])}
      empty={
        !d.nodes.length &&
        (d.tile.forbiddenKinds.includes('nodes') ? 'Nodes cannot be listed with these credentials.' : 'No nodes in the cache.')
      }
    >
      <div className="segmented" role="group" aria-label="Node layout">
        <button type="button" aria-pressed={mode === 'list'} onClick={() => setMode('list')}>
          List
        </button>
        <button type="button" aria-pressed={mode === 'grid'} onClick={() => setMode('grid')}>
          Grid
        </button>
      </div>
      {mode === 'grid' ? (
        <ul className="node-grid">
          {rows.map((n) => (
            <li key={n.name} className={`node-card level-${n.level}`}>
              <Link to={{ view: 'node', cluster, node: n.name }}>
                <strong className="ellipsis">{n.name}</strong>
              </Link>
              <LevelBadge level={n.level} />
              {n.cordoned && <span className="badge warn">cordoned</span>}
              {['cpu', 'memory', 'pods'].map((r) => (
                <Bar key={r} n={n} r={r} />
              ))}
              {n.accelerators > 0 && <span className="badge acc">{n.accelerators} accelerators</span>}
              {n.storageProblems > 0 && <span className="badge bad">{n.storageProblems} storage problems</span>}
            </li>
          ))}
        </ul>
      ) : (
        <Table
          name="nodes"
          head={
            <>
              {h('name', 'Node')}
              {h('level', 'Health')}
              {h('cpu', 'CPU requested', true)}
              {h('memory', 'Memory requested', true)}
              {h('pods', 'Pods', true)}
              {h('gpu', 'Accelerators', true)}
              {h('version', 'Kubelet')}
            </>
          }
        >
          {rows.map((n) => (
            <tr key={n.name} data-node={n.name} data-level={n.level}>
              <th scope="row">
                <Link to={{ view: 'node', cluster, node: n.name }}>{n.name}</Link>
                {n.cordoned && <span className="badge warn">cordoned</span>}
              </th>
              <td>
                <LevelBadge level={n.level} /> <span className="muted small">{n.reasons[0] ?? ''}</span>
              </td>
              <td className="num">
                <Bar n={n} r="cpu" />
              </td>
              <td className="num">
                <Bar n={n} r="memory" />
              </td>
              <td className="num">
                {n.resources.pods?.requested ?? 0} / {n.resources.pods?.allocatable ?? 0}
              </td>
              <td className="num">{n.accelerators || '–'}</td>
              <td>{n.kubeletVersion ?? '–'}</td>
            </tr>
          ))}
        </Table>
      )}
    </Panel>
  );
}
