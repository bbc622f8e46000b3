// The bars over a fleet-wide selection: the fleet table's selected clusters (what to run on them) and
// the search results' selected hits (the actions on them when they are one object in several clusters).
// Small and in the first bundle with the table and the search; their dialogs load when opened.
import { Suspense, lazy, useState } from 'react';
import type { ActionName, SearchHit } from '../../../common/contract.ts';
import { useApp } from '../../store/index.ts';
import { BUTTON, fleetActionsFor, objectTitle, type ClusterRef } from './actions.ts';
import { groupHits, type HitGroup } from './select.ts';
import './operate.css';

const FleetActionDialog = lazy(() => import('./FleetActions.tsx').then((m) => ({ default: m.FleetActionDialog })));
const ActionDialog = lazy(() => import('./ActionDialog.tsx').then((m) => ({ default: m.ActionDialog })));

/** Over the fleet table: how many clusters are selected, and what to run on them. */
export function FleetSelectionBar({ selected, onClear }: { selected: string[]; onClear(): void }) {
  const fleet = useApp((s) => s.fleet);
  const [open, setOpen] = useState(false);
  if (!selected.length) return null;
  const clusters: ClusterRef[] = (fleet?.clusters ?? [])
    .filter((c) => selected.includes(c.id))
    .map((c) => ({ id: c.id, context: c.context }));
  return (
    <div className="fleet-actions" role="region" aria-label="Selected clusters" data-fleet-actions={selected.length}>
      <strong>
        {selected.length} cluster{selected.length === 1 ? '' : 's'} selected
      </strong>
      <button type="button" className="primary" aria-haspopup="dialog" onClick={() => setOpen(true)} data-fleet-act>
        Run an action on them…
      </button>
      <button type="button" className="linkish" onClick={onClear} data-fleet-clear>
        clear the selection
      </button>
      {open && (
        <Suspense fallback={null}>
          <FleetActionDialog clusters={clusters} onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </div>
  );
}

/** Over the search results: the selected hits, and the actions on them when they are one object in several clusters. */
export function HitSelectionBar({ hits, onSelect }: { hits: SearchHit[]; onSelect(hits: SearchHit[]): void }) {
  const [open, setOpen] = useState<{ action: ActionName; group: HitGroup } | null>(null);
  if (!hits.length) return null;
  const groups = groupHits(hits);
  const one = groups.length === 1 ? groups[0]! : null;
  const actions = one ? fleetActionsFor(one.target.kind) : [];
  return (
    <div className="fleet-actions" role="region" aria-label="Selected results" data-search-actions={hits.length}>
      <strong>
        {hits.length} selected
        {one ? `: ${objectTitle(one.target.kind, one.target)} in ${one.hits.length} cluster${one.hits.length === 1 ? '' : 's'}` : ''}
      </strong>
      {one &&
        actions.map((a) => (
          <button key={a} type="button" aria-haspopup="dialog" onClick={() => setOpen({ action: a, group: one })} data-action={a}>
            {BUTTON[a].replace('…', '')}
            {one.hits.length > 1 ? ` in ${one.hits.length} clusters…` : '…'}
          </button>
        ))}
      {one && !actions.length && <span className="muted small">No fleet-wide actions for this kind: open it to act on it.</span>}
      {!one && (
        <>
          <span className="muted small">
            These are {groups.length} different objects: an action runs on one object (kind, namespace, name) at a time. Keep only
          </span>
          {groups.slice(0, 6).map((g) => (
            <button key={g.key} type="button" className="linkish" onClick={() => onSelect(g.hits)} data-select-group={g.key}>
              {objectTitle(g.target.kind, g.target)} ({g.hits.length})
            </button>
          ))}
        </>
      )}
      <button type="button" className="linkish" onClick={() => onSelect([])} data-search-clear>
        clear the selection
      </button>
      {open && (
        <Suspense fallback={null}>
          <ActionDialog
            req={{
              action: open.action,
              target: open.group.target,
              clusters: open.group.hits.map((h) => ({ id: h.cluster, context: h.clusterContext })),
            }}
            onClose={() => setOpen(null)}
          />
        </Suspense>
      )}
    </div>
  );
}
