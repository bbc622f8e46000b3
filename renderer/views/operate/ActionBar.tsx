// An object's action buttons (a node's cordon/uncordon/drain, a workload's scale/restart/pause/resume,
// a pod's delete, any object's Edit YAML), and "Run on other clusters…" for a workload. Shown only when
// the session may act (live, actions on, the latest state); each button is checked first
// (actions.check) and, where these credentials may not, disabled with the reason as its title.
import { useEffect, useState } from 'react';
import type { ActionCheckDTO, ActionName, ActionTarget } from '../../../common/contract.ts';
import { getApi } from '../../api/index.ts';
import { useApp } from '../../store/index.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ActionDialog, ActionPanel } from './ActionDialog.tsx';
import { EditYamlDialog } from './EditYamlDialog.tsx';
import {
  BUTTON,
  actionsEnabled,
  actionsFor,
  checkState,
  fleetActionsFor,
  objectTitle,
  stateOf,
  whatHappens,
  type CheckState,
  type ClusterRef,
} from './actions.ts';
import './operate.css';

export function useActionsEnabled(): boolean {
  const fleet = useApp((s) => s.fleet);
  const at = useApp((s) => s.at);
  return actionsEnabled(fleet, at);
}

/** Each action's check for one cluster and target (re-asked when `again` moves). */
function useChecks(cluster: string, target: ActionTarget, actions: readonly ActionName[], again: number): Record<string, CheckState> {
  const [states, setStates] = useState<Record<string, CheckState>>({});
  const key = JSON.stringify([cluster, target, actions, again]);
  useEffect(() => {
    let live = true;
    setStates(Object.fromEntries(actions.map((a) => [a, { state: 'checking' } as CheckState])));
    for (const action of actions) {
      getApi()
        .call('actions.check', { clusters: [cluster], action, target })
        .then(
          (list: ActionCheckDTO[]) => {
            if (!live) return;
            const c = list.find((x) => x.cluster === cluster) ?? list[0];
            setStates((s) => ({ ...s, [action]: c ? checkState(c) : checkState(null, 'no answer for this cluster') }));
          },
          (e: Error) => live && setStates((s) => ({ ...s, [action]: checkState(null, e.message) })),
        );
    }
    return () => {
      live = false;
    };
    // (`key` is the cluster, target and actions)
  }, [key]);
  return states;
}

export function ActionBar(p: {
  cluster: ClusterRef;
  target: ActionTarget;
  /** the object as cached (its state decides cordon/uncordon, pause/resume; Edit YAML edits it) */
  body: Record<string, unknown> | null;
  deleted?: boolean;
  /** actions not offered here (the node view has no body to edit: its object view does) */
  exclude?: readonly ActionName[];
}) {
  const enabled = useActionsEnabled();
  const [open, setOpen] = useState<ActionName | null>(null);
  const [again, setAgain] = useState(0);
  const offered = enabled
    ? actionsFor(p.target.kind, stateOf(p.target.kind, p.body), { deleted: p.deleted }).filter(
        (a) => !p.exclude?.includes(a) && (a !== 'apply' || p.body),
      )
    : [];
  const checks = useChecks(p.cluster.id, p.target, offered, again);
  if (!enabled || !offered.length) return null;
  const closed = (ran: boolean) => {
    setOpen(null);
    if (ran) setAgain((n) => n + 1);
  };
  return (
    <div className="action-bar" role="group" aria-label={`Actions on ${objectTitle(p.target.kind, p.target)}`} data-action-bar>
      {offered.map((a) => {
        const c = checks[a] ?? { state: 'checking' };
        const allowed = c.state === 'allowed';
        return (
          <button
            key={a}
            type="button"
            className={a === 'delete' || a === 'drain' ? 'danger' : undefined}
            disabled={!allowed}
            title={
              c.state === 'checking'
                ? 'checking the permissions…'
                : c.state === 'denied'
                  ? c.reason
                  : whatHappens(a, p.target.kind, p.target, { body: p.body })
            }
            aria-haspopup="dialog"
            onClick={() => setOpen(a)}
            data-action={a}
            data-action-allowed={allowed}
            data-action-checking={c.state === 'checking' || undefined}
          >
            {BUTTON[a]}
          </button>
        );
      })}
      {open === 'apply' && p.body && <EditYamlDialog cluster={p.cluster} target={p.target} body={p.body} onClose={closed} />}
      {open && open !== 'apply' && (
        <ActionDialog req={{ action: open, target: p.target, clusters: [p.cluster], body: p.body }} onClose={closed} />
      )}
    </div>
  );
}

/** "Run on other clusters…": the same action on the same kind/namespace/name wherever the fleet's caches have it. */
export function RunOnOthers({ cluster, target }: { cluster: ClusterRef; target: ActionTarget }) {
  const enabled = useActionsEnabled();
  const [open, setOpen] = useState(false);
  const actions = fleetActionsFor(target.kind);
  if (!enabled || !actions.length) return null;
  return (
    <>
      <button type="button" aria-haspopup="dialog" onClick={() => setOpen(true)} data-run-on-others>
        Run on other clusters…
      </button>
      {open && <RunOnOthersDialog cluster={cluster} target={target} actions={actions} onClose={() => setOpen(false)} />}
    </>
  );
}

function RunOnOthersDialog(p: { cluster: ClusterRef; target: ActionTarget; actions: ActionName[]; onClose(): void }) {
  const fleet = useApp((s) => s.fleet);
  const [action, setAction] = useState<ActionName>(p.actions.includes('restart') ? 'restart' : p.actions[0]!);
  const [started, setStarted] = useState(false);
  // every cluster of the fleet (this one listed, not chosen at first): where the object is, the panel finds out
  const clusters: ClusterRef[] = (fleet?.clusters ?? []).map((c) => ({ id: c.id, context: c.context }));
  if (!clusters.some((c) => c.id === p.cluster.id)) clusters.unshift(p.cluster);
  return (
    <Dialog
      title={`Run on other clusters: ${objectTitle(p.target.kind, p.target)}`}
      onClose={p.onClose}
      testid="run-on-others"
      className="wide"
    >
      {!started ? (
        <div className="dialog-form" data-run-on-others-pick>
          <p className="muted small">
            The action runs on the same {objectTitle(p.target.kind, p.target)} in every cluster whose cache has it (same kind, namespace and
            name). Each cluster is checked first; you confirm the list.
          </p>
          <fieldset className="window-pick">
            <legend>Action</legend>
            {p.actions.map((a) => (
              <label key={a}>
                <input type="radio" name="run-on-others-action" checked={action === a} onChange={() => setAction(a)} data-pick-action={a} />{' '}
                {BUTTON[a].replace('…', '')}
              </label>
            ))}
          </fieldset>
          <div className="dialog-actions">
            <button type="button" onClick={p.onClose}>
              Cancel
            </button>
            <button type="button" className="primary" onClick={() => setStarted(true)} data-run-on-others-continue>
              Find the clusters
            </button>
          </div>
        </div>
      ) : (
        <ActionPanel req={{ action, target: p.target, clusters, locate: true, uncheck: [p.cluster.id] }} onClose={p.onClose} />
      )}
    </Dialog>
  );
}
