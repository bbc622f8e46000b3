// The map's and the table's organisation: a label selector (env=prod,provider=eks, free text too),
// a label key to group by, and what they leave shown. Both live in the address (#/fleet?sel=…&group=…),
// so a view of the fleet can be shared or bookmarked.
import { useMemo } from 'react';
import type { ClusterTile } from '../../common/contract.ts';
import { organise } from '../../common/labels.ts';
import { useApp } from '../store/index.ts';
import { href } from '../store/route.ts';

/** The fleet's clusters as the selector and group-by organise them (favourites first in each group). */
export function useOrganised(clusters: readonly ClusterTile[]) {
  const { sel = '', group = '' } = useApp((s) => s.organise);
  return useMemo(() => organise(clusters, sel, group), [clusters, sel, group]);
}

/** A group's heading: "env=prod", or "env: none" for the clusters without the label. */
export function groupLabel(g: { key: string; value: string | null }): string {
  return g.value === null ? `${g.key}: none` : `${g.key}=${g.value}`;
}

export function OrganiseBar({ clusters, shown, other }: { clusters: readonly ClusterTile[]; shown: number; other: 'fleet' | 'table' }) {
  const o = useApp((s) => s.organise);
  const at = useApp((s) => s.at);
  const keys = useMemo(() => {
    const ks = new Set<string>();
    for (const c of clusters) for (const k of Object.keys(c.labels ?? {})) ks.add(k);
    if (o.group) ks.add(o.group);
    return [...ks].sort();
  }, [clusters, o.group]);
  const set = useApp.getState().setOrganise;
  return (
    <div className="organise-bar" role="search" aria-label="Filter and group the clusters">
      <input
        type="search"
        className="organise-selector"
        aria-label="Filter clusters by label selector or text"
        placeholder="Filter: env=prod,provider=eks or text"
        value={o.sel ?? ''}
        maxLength={1024}
        spellCheck={false}
        onChange={(e) => set({ ...o, sel: e.target.value })}
      />
      <label className="organise-group">
        Group by{' '}
        <select aria-label="Group clusters by label" value={o.group ?? ''} onChange={(e) => set({ ...o, group: e.target.value })}>
          <option value="">(none)</option>
          {keys.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      {(o.sel || o.group) && (
        <button type="button" className="link" onClick={() => set({})}>
          Clear
        </button>
      )}
      <span className="muted organise-shown" data-shown={shown}>
        {shown === clusters.length ? `${shown} shown` : `${shown} of ${clusters.length} shown`}
      </span>
      <a className="organise-other" href={href({ view: other, ...o }, at)}>
        {other === 'table' ? 'As a table' : 'On the map'}
      </a>
    </div>
  );
}
