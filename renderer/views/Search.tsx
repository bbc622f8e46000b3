// Search across every cluster: nodes, pods, workloads, PVCs by name (substring) or by label (k=v).
// The palette (Ctrl/Cmd+K) jumps to a hit; the search view lists them all and, when the session may
// act, lets hits be selected: the same object in several clusters takes a fleet-wide action.
import { useEffect, useRef, useState } from 'react';
import type { SearchHit } from '../../common/contract.ts';
import { getApi } from '../api/index.ts';
import { useApp } from '../store/index.ts';
import { go, type Route } from '../store/route.ts';
import { useContract } from '../store/useContract.ts';
import { ErrorNote, Link, Loading } from '../components/common.tsx';
import { Table } from '../components/Table.tsx';
import { actionsEnabled } from './operate/actions.ts';
import { HitSelectionBar } from './operate/FleetSelect.tsx';
import { groupHits, hitKey, targetKey } from './operate/select.ts';

export function routeOf(h: SearchHit): Route {
  if (h.kind === 'nodes') return { view: 'node', cluster: h.cluster, node: h.name };
  return { view: 'object', cluster: h.cluster, kind: h.kind, uid: h.uid };
}

const kindLabel = (k: string) => k.split('/').pop()!.replace(/s$/, '');

export function CommandPalette() {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [sel, setSel] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const close = () => useApp.getState().setPalette(false);

  useEffect(() => {
    input.current?.focus();
    const prev = document.activeElement as HTMLElement | null;
    return () => prev?.focus?.();
  }, []);

  useEffect(() => {
    if (!q.trim()) {
      setHits([]);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      getApi()
        .call('search', { q, limit: 30 })
        .then(
          (h) => {
            if (!live) return;
            setHits(h);
            setSel(0);
            setError(null);
          },
          (e: Error) => live && setError(e.message),
        );
    }, 120);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [q]);

  const open = (h: SearchHit | undefined) => {
    if (!h) return;
    close();
    go(routeOf(h));
  };

  return (
    <div className="palette-backdrop" onMouseDown={close}>
      <div className="palette" role="dialog" aria-modal="true" aria-label="Search the fleet" onMouseDown={(e) => e.stopPropagation()}>
        <input
          ref={input}
          value={q}
          placeholder="Find a node, pod, workload or PVC by name, or a label k=v"
          aria-label="Search"
          aria-controls="palette-results"
          aria-activedescendant={hits[sel] ? `hit-${sel}` : undefined}
          spellCheck={false}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              close();
            } else if (e.key === 'ArrowDown') {
              e.preventDefault();
              setSel((s) => Math.min(s + 1, hits.length - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setSel((s) => Math.max(s - 1, 0));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              if (e.shiftKey || !hits.length) {
                close();
                go({ view: 'search', q });
              } else open(hits[sel]);
            }
          }}
        />
        {error && <ErrorNote error={error} />}
        <ul id="palette-results" role="listbox" className="hits">
          {hits.map((h, i) => (
            <li
              key={`${h.cluster}|${h.kind}|${h.uid}`}
              id={`hit-${i}`}
              role="option"
              aria-selected={i === sel}
              className={i === sel ? 'sel' : undefined}
              onMouseEnter={() => setSel(i)}
              onClick={() => open(h)}
            >
              <span className="badge">{kindLabel(h.kind)}</span> <strong className="ellipsis">{h.name}</strong>{' '}
              <span className="muted">
                {h.namespace ? `${h.namespace} · ` : ''}
                {h.clusterContext}
                {h.match !== 'name' ? ` · ${h.match}` : ''}
              </span>
            </li>
          ))}
        </ul>
        <p className="muted small">↑↓ to choose · Enter to open · Shift+Enter for all results · Esc to close</p>
      </div>
    </div>
  );
}

export function SearchView({ q }: { q: string }) {
  const { data, error } = useContract('search', q.trim() ? { q, limit: 500 } : null);
  const selectable = useApp((s) => actionsEnabled(s.fleet, s.at));
  const [selected, setSelected] = useState<string[]>([]);
  useEffect(() => setSelected([]), [q]);
  if (!q.trim()) return <p className="muted">Type a name or a label (k=v) in the search (Ctrl K).</p>;
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading what="results" />;
  const chosen = data.filter((h) => selected.includes(hitKey(h)));
  const cols = ['Kind', 'Name', 'Namespace', 'Cluster', 'Node', 'Match'];
  // the same object in more than one cluster: one click selects it everywhere
  const spread = new Map(groupHits(data).map((g) => [g.key, g]));
  return (
    <div className="scroll" data-view="search">
      <h1 className="title">
        {data.length} result(s) for “{q}”
      </h1>
      {selectable && <HitSelectionBar hits={chosen} onSelect={(hs) => setSelected(hs.map(hitKey))} />}
      <Table
        head={
          <>
            {selectable && (
              <th scope="col" className="select-col">
                <input
                  type="checkbox"
                  checked={data.length > 0 && chosen.length === data.length}
                  disabled={!data.length}
                  onChange={(e) => setSelected(e.target.checked ? data.map(hitKey) : [])}
                  aria-label="Select all results"
                  data-search-select-all
                />
              </th>
            )}
            {cols.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </>
        }
      >
        {data.map((h) => (
          <tr key={`${h.cluster}|${h.kind}|${h.uid}`} data-hit-cluster={h.clusterContext} data-hit-kind={h.kind} data-hit-name={h.name}>
            {selectable && (
              <td className="select-col">
                <input
                  type="checkbox"
                  checked={selected.includes(hitKey(h))}
                  onChange={(e) => setSelected((s) => (e.target.checked ? [...s, hitKey(h)] : s.filter((k) => k !== hitKey(h))))}
                  aria-label={`Select ${h.name} in ${h.clusterContext}`}
                  data-search-select={hitKey(h)}
                />
              </td>
            )}
            <td>
              {kindLabel(h.kind)}
              {selectable && (spread.get(targetKey(h))?.hits.length ?? 0) > 1 && (
                <>
                  {' '}
                  <button
                    type="button"
                    className="linkish small"
                    title="select this object in every cluster it was found in"
                    onClick={() => setSelected(spread.get(targetKey(h))!.hits.map(hitKey))}
                    data-select-everywhere
                  >
                    in {spread.get(targetKey(h))!.hits.length} clusters
                  </button>
                </>
              )}
            </td>
            <td>
              <Link to={routeOf(h)}>{h.name}</Link>
            </td>
            <td>{h.namespace}</td>
            <td>
              <Link to={{ view: 'cluster', cluster: h.cluster, tab: 'nodes' }}>{h.clusterContext}</Link>
            </td>
            <td>{h.node ? <Link to={{ view: 'node', cluster: h.cluster, node: h.node }}>{h.node}</Link> : ''}</td>
            <td>{h.match}</td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
