// An action's confirmation and run, on one cluster or many: where the object is (object.get per
// cluster, when asked), may these credentials do it (actions.check: each cluster allowed or not, and
// why), what it will do (for a drain: the evictions and what a PodDisruptionBudget blocks, from
// actions.preview), the facts confirmed (clusters, namespace, object), the name typed for deletes and
// drains, then actions.run with a confirmation naming the same clusters and object; per-cluster results
// (the API's exact message), a drain's progress (ActionProgressEvent pushes), what blocked, and links
// to the change events recorded. The views re-read afterwards.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type {
  ActionCheckDTO,
  ActionName,
  ActionParams,
  ActionPreviewDTO,
  ActionProgressEvent,
  ActionRunDTO,
  ActionTarget,
} from '../../../common/contract.ts';
import { ApiError, getApi } from '../../api/index.ts';
import { useApp } from '../../store/index.ts';
import { changesRoute } from '../../store/route.ts';
import { safeName } from '../../map/text.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorNote, Link } from '../../components/common.tsx';
import { Table } from '../../components/Table.tsx';
import { CountInput } from '../../components/forms.tsx';
import {
  confirmFacts,
  confirmLabel,
  currentReplicas,
  denialText,
  dialogTitle,
  needsTypedName,
  parseReplicas,
  progressText,
  resultsLine,
  runParams,
  typedConfirms,
  whatHappens,
  type ClusterRef,
} from './actions.ts';
import { runOwners, type RunClaim } from './runs.ts';
import { eachLimited, presenceOf, presenceText, type Presence } from './select.ts';
import './operate.css';

export interface ActionRequest {
  action: ActionName;
  /** target.kind: the cache's kind key */
  target: ActionTarget;
  /** the clusters to act on (or to look in, with `locate`) */
  clusters: ClusterRef[];
  /** look the object up in each cluster first (fleet-wide: it may not be everywhere) */
  locate?: boolean;
  /** one cluster: the object as cached (its replicas, its controller) */
  body?: Record<string, unknown> | null;
  /** apply: the edited YAML (already previewed) */
  manifest?: string;
  /** listed, but not chosen at first (e.g. the cluster a "run on other clusters" started from) */
  uncheck?: string[];
}

/** Where the object is, cluster by cluster: object.get on each (8 at a time); all present when not asked to look. */
export function useLocate(clusters: readonly ClusterRef[], t: ActionTarget, locate: boolean): Record<string, Presence> {
  const key = JSON.stringify([clusters.map((c) => c.id), t, locate]);
  const [presence, setPresence] = useState<Record<string, Presence>>({});
  useEffect(() => {
    if (!locate) {
      setPresence(Object.fromEntries(clusters.map((c) => [c.id, { state: 'present' } as Presence])));
      return;
    }
    let live = true;
    setPresence(Object.fromEntries(clusters.map((c) => [c.id, { state: 'looking' } as Presence])));
    void eachLimited(clusters, 8, async (c) => {
      let p: Presence;
      try {
        const r = await getApi().call('object.get', {
          cluster: c.id,
          kind: t.kind,
          name: t.name,
          ...(t.namespace ? { namespace: t.namespace } : {}),
        });
        p = presenceOf(r);
      } catch (e) {
        p = presenceOf(null, { code: e instanceof ApiError ? e.code : undefined, message: (e as Error).message });
      }
      if (live) setPresence((s) => ({ ...s, [c.id]: p }));
    });
    return () => {
      live = false;
    };
    // (`key` is the clusters and the target)
  }, [key]);
  return presence;
}

type Phase = 'preparing' | 'ready' | 'running' | 'done';

export function ActionDialog({ req, onClose }: { req: ActionRequest; onClose(ran: boolean): void }) {
  const ran = useRef(false);
  return (
    <Dialog
      title={dialogTitle(req.action, req.target.kind, req.target, req.clusters.length)}
      onClose={() => onClose(ran.current)}
      testid="action-dialog"
      className={req.clusters.length > 1 ? 'wide' : undefined}
    >
      <ActionPanel req={req} onClose={() => onClose(ran.current)} onRan={() => (ran.current = true)} />
    </Dialog>
  );
}

/** The body of a confirmation (in its own dialog, or in the YAML editor's). */
export function ActionPanel({ req, onClose, onRan }: { req: ActionRequest; onClose(): void; onRan?(): void }) {
  const { action, target: t } = req;
  const id = useId();
  const presence = useLocate(req.clusters, t, !!req.locate);
  const located = req.clusters.every((c) => presence[c.id] && presence[c.id]!.state !== 'looking');
  const present = useMemo(
    () => req.clusters.filter((c) => presence[c.id]?.state === 'present'),
    // (the clusters' presence is what decides)
    [JSON.stringify(presence), req.clusters],
  );

  // may these credentials do it, cluster by cluster
  const [checks, setChecks] = useState<Record<string, ActionCheckDTO> | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const presentKey = present.map((c) => c.id).join('\n');
  useEffect(() => {
    if (!located) return;
    setChecks(null);
    setCheckError(null);
    if (!present.length) {
      setChecks({});
      return;
    }
    let live = true;
    getApi()
      .call('actions.check', { clusters: present.map((c) => c.id), action, target: t })
      .then(
        (list) => {
          if (!live) return;
          const byCluster = Object.fromEntries(list.map((c) => [c.cluster, c]));
          setChecks(byCluster);
          setChosen(present.filter((c) => byCluster[c.id]?.allowed && !req.uncheck?.includes(c.id)).map((c) => c.id));
        },
        (e: Error) => live && setCheckError(e.message),
      );
    return () => {
      live = false;
    };
    // (the clusters where the object is, once all are known)
  }, [located, presentKey, action, JSON.stringify(t)]);

  // what it would do, per allowed cluster (actions.preview): a drain's evictions and what blocks them,
  // and every action's warnings (an HPA that scales back, a paused Deployment that cannot restart…).
  // An edit's preview is the YAML editor's own.
  const [previews, setPreviews] = useState<Record<string, ActionPreviewDTO | { error: string }>>({});
  useEffect(() => {
    if (action === 'apply' || !checks) return;
    let live = true;
    const allowed = present.filter((c) => checks[c.id]?.allowed);
    void eachLimited(allowed, 4, async (c) => {
      let p: ActionPreviewDTO | { error: string };
      try {
        p = await getApi().call('actions.preview', { cluster: c.id, action, target: t });
      } catch (e) {
        p = { error: (e as Error).message };
      }
      if (live) setPreviews((s) => ({ ...s, [c.id]: p }));
    });
    return () => {
      live = false;
    };
  }, [checks]);

  // params and the typed name
  const fromBody = req.clusters.length === 1 ? currentReplicas(t.kind, req.body) : null;
  const [replicasText, setReplicasText] = useState(fromBody === null ? '' : String(fromBody));
  const replicas = parseReplicas(replicasText);
  const [typed, setTyped] = useState('');
  const params: ActionParams = {
    ...(action === 'scale' && replicas !== null ? { replicas } : {}),
    ...(action === 'apply' && req.manifest !== undefined ? { manifest: req.manifest } : {}),
  };

  // the run, its progress and results
  const [phase, setPhase] = useState<Phase>('preparing');
  useEffect(() => {
    if (phase === 'preparing' && (checks || checkError)) setPhase('ready');
  }, [phase, checks, checkError]);
  const [run, setRun] = useState<ActionRunDTO | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [progress, setProgress] = useState<Record<string, ActionProgressEvent>>({});
  // this panel's run (runs.ts: its progress, never another run's, even one of a dialog closed meanwhile)
  const claim = useRef<RunClaim | null>(null);
  const reread = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      claim.current?.detach();
      clearTimeout(reread.current);
    };
  }, []);

  const chosenRefs = req.clusters.filter((c) => chosen.includes(c.id));
  const typedOk = !needsTypedName(action) || typedConfirms(typed, t);
  const paramsOk = action !== 'scale' || replicas !== null;
  const canRun = phase === 'ready' && chosenRefs.length > 0 && typedOk && paramsOk;

  const doRun = async () => {
    if (!canRun) return;
    setPhase('running');
    setRunError(null);
    setProgress({});
    const chosenIds = new Set(chosen);
    claim.current?.detach();
    const mine = runOwners().begin((e) => {
      if (chosenIds.has(e.cluster)) setProgress((s) => ({ ...s, [e.cluster]: e }));
    });
    claim.current = mine;
    onRan?.();
    try {
      const r = await getApi().call(
        'actions.run',
        runParams(
          action,
          t,
          chosenRefs.map((c) => c.id),
          params,
        ),
      );
      mine.answered(r.run);
      // (only this run's progress: the answer names it)
      setProgress((s) => Object.fromEntries(Object.entries(s).filter(([, e]) => e.run === r.run)));
      setRun(r);
    } catch (e) {
      mine.failed();
      setRunError((e as Error).message);
    } finally {
      setPhase('done');
      // the cache changes as the watches see it; read again now, and once more when it has
      useApp.getState().rereadViews();
      clearTimeout(reread.current);
      if (mounted.current) reread.current = setTimeout(() => useApp.getState().rereadViews(), 1500);
    }
  };

  // Focus stays in the panel: its first field when it opens in place of other content, Close once it is done
  // (the confirm button that had it is gone).
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = root.current;
    if (el && !el.closest('dialog')?.contains(document.activeElement))
      el.querySelector<HTMLElement>('input:not(:disabled), button:not(:disabled)')?.focus();
  }, []);
  useEffect(() => {
    if (phase === 'done') root.current?.querySelector<HTMLElement>('[data-confirm-cancel]')?.focus();
  }, [phase]);

  const single = req.clusters.length === 1 && !req.locate;
  const onlyCheck = single ? checks?.[req.clusters[0]!.id] : undefined;
  const facts = confirmFacts(t.kind, t, phase === 'preparing' || chosenRefs.length === 0 ? req.clusters : chosenRefs);

  return (
    <div className="dialog-form" data-confirm-dialog={action} data-phase={phase} ref={root}>
      <dl className="confirm-facts">
        {facts.map(([k, v]) => (
          <div key={k} style={{ display: 'contents' }}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <p className="confirm-what" data-confirm-what>
        {whatHappens(action, t.kind, t, { params, body: req.body, clusters: Math.max(1, chosenRefs.length) })}
      </p>
      {checkError && <ErrorNote error={`Could not check the permissions: ${checkError}`} />}
      {single && onlyCheck && !onlyCheck.allowed && (
        <p className="notice error" role="alert" data-action-denied>
          Not allowed: {denialText(onlyCheck)}
        </p>
      )}
      {!single && (
        <ClusterList
          clusters={req.clusters}
          presence={presence}
          checks={checks}
          chosen={chosen}
          onChosen={setChosen}
          disabled={phase !== 'ready'}
          uncheck={req.uncheck}
        />
      )}
      {action !== 'apply' && <Preview action={action} clusters={present} checks={checks} previews={previews} />}
      {action === 'scale' && (
        <label className="field">
          Replicas{' '}
          <CountInput
            value={replicasText}
            onChange={setReplicasText}
            disabled={phase !== 'ready'}
            aria-invalid={replicasText !== '' && replicas === null}
            data-action-param="replicas"
          />
          {fromBody !== null && <span className="muted small"> (now {fromBody})</span>}
        </label>
      )}
      {needsTypedName(action) && phase !== 'done' && (
        <label className="field" htmlFor={`${id}-name`}>
          Type the name <code>{safeName(t.name, 200)}</code> to confirm{' '}
          <input
            id={`${id}-name`}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            spellCheck={false}
            autoComplete="off"
            disabled={phase !== 'ready'}
            aria-invalid={typed !== '' && !typedOk}
            data-confirm-name
          />
        </label>
      )}
      {phase === 'running' && <Progress clusters={chosenRefs} progress={progress} action={action} />}
      {runError && (
        <p className="notice error" role="alert" data-action-error>
          {runError}
        </p>
      )}
      {run && <Results action={action} run={run} progress={progress} />}
      <div className="dialog-actions">
        <button type="button" onClick={onClose} data-confirm-cancel>
          {phase === 'done' ? 'Close' : 'Cancel'}
        </button>
        {phase !== 'done' && (
          <button
            type="button"
            className={`primary ${action === 'delete' || action === 'drain' ? 'danger' : ''}`}
            disabled={!canRun}
            onClick={() => void doRun()}
            data-confirm={action}
          >
            {phase === 'running' ? 'Working…' : confirmLabel(action, t, Math.max(1, chosenRefs.length), params)}
          </button>
        )}
        {phase === 'preparing' && (
          <span className="muted small" role="status">
            {located ? 'Checking the permissions…' : 'Looking for the object in each cluster…'}
          </span>
        )}
      </div>
    </div>
  );
}

/** Each cluster: is the object there, may these credentials act, why not; a checkbox for those that may. */
function ClusterList(p: {
  clusters: ClusterRef[];
  presence: Record<string, Presence>;
  checks: Record<string, ActionCheckDTO> | null;
  chosen: string[];
  onChosen(ids: string[]): void;
  disabled: boolean;
  uncheck?: string[];
}) {
  const allowedIds = p.clusters.filter((c) => p.checks?.[c.id]?.allowed).map((c) => c.id);
  const allOn = allowedIds.length > 0 && allowedIds.every((x) => p.chosen.includes(x));
  return (
    <div className="action-clusters">
      <Table
        name="action-clusters"
        head={
          <>
            <th scope="col" className="select-col">
              <input
                type="checkbox"
                aria-label="All allowed clusters"
                checked={allOn}
                disabled={p.disabled || !allowedIds.length}
                onChange={(e) => p.onChosen(e.target.checked ? allowedIds : [])}
                data-action-choose-all
              />
            </th>
            <th scope="col">Cluster</th>
            <th scope="col">Object</th>
            <th scope="col">Allowed</th>
            <th scope="col">Why</th>
          </>
        }
      >
        {p.clusters.map((c) => {
          const pr = p.presence[c.id] ?? { state: 'looking' };
          const check = p.checks?.[c.id];
          const allowed = !!check?.allowed;
          return (
            <tr
              key={c.id}
              data-action-cluster={c.context}
              data-exists={pr.state === 'looking' ? undefined : pr.state === 'present'}
              data-allowed={check ? allowed : undefined}
            >
              <td className="select-col">
                <input
                  type="checkbox"
                  aria-label={`Act on ${c.context}`}
                  checked={p.chosen.includes(c.id)}
                  disabled={p.disabled || !allowed}
                  onChange={(e) => p.onChosen(e.target.checked ? [...p.chosen, c.id] : p.chosen.filter((x) => x !== c.id))}
                  data-action-choose={c.context}
                />
              </td>
              <th scope="row">
                <bdi>{safeName(c.context, 120)}</bdi>
                {p.uncheck?.includes(c.id) && <span className="muted small"> (this cluster)</span>}
              </th>
              <td className={pr.state === 'present' ? 'ok' : pr.state === 'error' ? 'bad' : 'muted'}>{presenceText(pr)}</td>
              <td className={check ? (allowed ? 'ok' : 'bad') : 'muted'}>
                {pr.state !== 'present' ? '–' : check ? (allowed ? 'yes' : 'no') : p.checks ? 'not checked' : 'checking…'}
              </td>
              <td className="why small">{check && !allowed ? denialText(check) : ''}</td>
            </tr>
          );
        })}
      </Table>
    </div>
  );
}

/** What the API server says the action would do, per allowed cluster: a drain's evictions (and what blocks them), the warnings. */
function Preview(p: {
  action: ActionName;
  clusters: ClusterRef[];
  checks: Record<string, ActionCheckDTO> | null;
  previews: Record<string, ActionPreviewDTO | { error: string }>;
}) {
  const allowed = p.clusters.filter((c) => p.checks?.[c.id]?.allowed);
  const drain = p.action === 'drain';
  // (only a drain always says something; other actions only their warnings)
  const said = allowed.filter((c) => {
    const pv = p.previews[c.id];
    return drain || (pv && ('error' in pv || pv.warnings.length > 0));
  });
  if (!said.length) return null;
  const many = allowed.length > 1;
  return (
    <div className="evictions" data-action-preview={p.action} data-drain-preview={drain || undefined}>
      {said.map((c) => {
        const pv = p.previews[c.id];
        return (
          <section key={c.id} data-preview-cluster={c.context}>
            {many && <h3>{safeName(c.context, 120)}</h3>}
            {!pv ? (
              <p className="muted small" role="status">
                Asking what the drain would evict…
              </p>
            ) : 'error' in pv ? (
              <ErrorNote error={`The preview failed: ${pv.error}`} />
            ) : (
              <>
                {drain && <Evictions evictions={pv.evictions ?? []} />}
                {pv.warnings.map((w, i) => (
                  <p key={i} className="notice warn small" data-preview-warning>
                    {w}
                  </p>
                ))}
              </>
            )}
          </section>
        );
      })}
    </div>
  );
}

function Evictions({ evictions }: { evictions: NonNullable<ActionPreviewDTO['evictions']> }) {
  const blocked = evictions.filter((e) => e.blockedBy).length;
  return (
    <>
      <p className="small">
        {evictions.length
          ? `It would evict ${evictions.length} pod${evictions.length === 1 ? '' : 's'}${
              blocked ? `; ${blocked} of them would be blocked now` : ''
            }:`
          : 'It would evict no pods (only DaemonSet or mirror pods run there, if any).'}
      </p>
      {evictions.length > 0 && (
        <ul className="plain small">
          {evictions.map((e) => (
            <li key={`${e.namespace}/${e.name}`} data-drain-eviction={`${e.namespace}/${e.name}`} data-blocked={!!e.blockedBy}>
              <code>
                {safeName(e.namespace, 120)}/{safeName(e.name, 200)}
              </code>
              {e.blockedBy && <span className="bad"> — blocked by {safeName(e.blockedBy, 200)}</span>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Progress({
  clusters,
  progress,
  action,
}: {
  clusters: ClusterRef[];
  progress: Record<string, ActionProgressEvent>;
  action: ActionName;
}) {
  return (
    <ul className="action-results" role="status" aria-live="polite" data-action-progress-list>
      {clusters.map((c) => {
        const e = progress[c.id];
        return (
          <li key={c.id} data-action-progress={c.context} data-done={e?.done} data-total={e?.total}>
            <strong>
              <bdi>{safeName(c.context, 120)}</bdi>
            </strong>{' '}
            {e ? (
              <>
                {e.total > 0 && <progress max={e.total} value={e.done} aria-label={`${action} progress`} />} {progressText(e)}
              </>
            ) : (
              <span className="muted">working…</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function Results({ action, run, progress }: { action: ActionName; run: ActionRunDTO; progress: Record<string, ActionProgressEvent> }) {
  return (
    <div role="status" data-action-results={run.run}>
      <p>
        <strong>{resultsLine(action, run.results)}</strong>{' '}
        <Link to={changesRoute({ categories: ['action'] })} data-action-changes-link>
          See {run.results.length > 1 ? 'them' : 'it'} in Changes
        </Link>
      </p>
      <ul className="action-results">
        {run.results.map((r) => (
          <li key={r.cluster} data-action-result={r.clusterContext} data-cluster-id={r.cluster} data-ok={r.ok}>
            <strong>
              <bdi>{safeName(r.clusterContext, 120)}</bdi>
            </strong>{' '}
            <span className={r.ok ? 'ok' : 'bad'}>{r.ok ? 'done' : 'failed'}:</span> <span data-action-message>{r.message}</span>
            {action === 'drain' && progress[r.cluster] && progress[r.cluster]!.total > 1 && (
              <span className="muted small"> (last progress: {progressText(progress[r.cluster]!)})</span>
            )}
            {r.change !== undefined && (
              <>
                {' '}
                <Link to={changesRoute({ change: r.change })} data-action-change={r.change}>
                  See it in Changes
                </Link>
              </>
            )}
            {!!r.blocked?.length && (
              <>
                <div className="small">What blocked:</div>
                <ul className="small" data-action-blocked>
                  {r.blocked.map((b) => (
                    <li key={`${b.namespace}/${b.name}`}>
                      <code>
                        {safeName(b.namespace, 120)}/{safeName(b.name, 200)}
                      </code>
                      : {b.reason}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
