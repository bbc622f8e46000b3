// One change (changes.get): what happened, who, where, when, the diff of the object it changed, and
// the ways on: the object as it was right after the change ("as of" its time), the object now, the
// timeline around it. Shown in the timeline's side panel and, elsewhere, in a dialog. Every name and
// summary is text (hostile ones stay inert; bidi and invisible characters shown, not obeyed).
import { useEffect, useRef } from 'react';
import type { ChangeEventDTO } from '../../../common/contract.ts';
import { useApp } from '../../store/index.ts';
import { changesRoute } from '../../store/route.ts';
import { useContract } from '../../store/useContract.ts';
import { HOUR, formatDateTime } from '../../store/time.ts';
import { safeName } from '../../map/text.ts';
import { Age, ErrorNote, Link, Loading } from '../../components/common.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { DiffTable } from '../../components/DiffTable.tsx';
import { objectLabel, routeOfChange } from './text.ts';

export function SeverityBadge({ severity }: { severity: ChangeEventDTO['severity'] }) {
  return (
    <span className={`badge sev-${severity}`} data-severity={severity}>
      {severity}
    </span>
  );
}

export function ChangeDetail({ id, onClose, inTimeline = false }: { id: number; onClose?(): void; inTimeline?: boolean }) {
  // a recorded change and its diff never change: read again only for another change, not on every push
  const { data, error } = useContract('changes.get', { id }, undefined, 'never');
  const now = useApp((s) => s.at ?? s.fleet?.snapshot?.capturedAt ?? s.now);
  const c = data?.change.id === id ? data.change : undefined;
  return (
    <section className="change-detail" data-change-detail={id} aria-label="The selected change">
      <div className="change-detail-head">
        {c && <SeverityBadge severity={c.severity} />}
        {c && (
          <span className="badge" data-category={c.category}>
            {c.category}
          </span>
        )}
        <div className="spacer" />
        {onClose && (
          <button type="button" className="dialog-close" aria-label="Close the change" onClick={onClose}>
            ×
          </button>
        )}
      </div>
      {error && !c && <ErrorNote error={error} />}
      {!c && !error && <Loading what="the change" />}
      {c && data && (
        <>
          <h2 className="change-summary">
            <bdi>{safeName(c.summary, 500)}</bdi>
          </h2>
          <dl className="facts">
            <dt>When</dt>
            <dd>
              <time dateTime={new Date(c.at).toISOString()}>{formatDateTime(c.at)}</time>{' '}
              {c.at <= now ? (
                <span className="muted">
                  (<Age at={c.at} now={now} /> before the time shown)
                </span>
              ) : (
                <span className="muted">(after the time shown)</span>
              )}
            </dd>
            <dt>Who</dt>
            <dd>
              <bdi>{safeName(c.who || 'unknown', 200)}</bdi>
            </dd>
            <dt>Cluster</dt>
            <dd>
              <Link to={{ view: 'cluster', cluster: c.cluster, tab: 'nodes' }}>
                <bdi>{safeName(c.clusterContext, 120)}</bdi>
              </Link>
            </dd>
            <dt>What</dt>
            <dd>
              {objectLabel(c)} <span className="muted small">({c.action})</span>
            </dd>
          </dl>
          <div className="dialog-actions change-actions">
            {/* the object's state right after this change: the view "as of" its time */}
            <Link to={routeOfChange(c)} at={c.at} className="button primary" data-testid="open-as-of-change">
              Open as of this change
            </Link>
            <Link to={routeOfChange(c)} className="button" data-testid="open-object">
              {c.kind ? 'Open the object' : 'Open the cluster'}
            </Link>
            {!inTimeline && (
              <Link
                to={changesRoute({ clusters: [c.cluster], from: c.at - HOUR / 2, to: c.at + HOUR / 2, change: c.id })}
                className="button"
                data-testid="show-in-timeline"
              >
                Show in the timeline
              </Link>
            )}
          </div>
          <h3>Diff</h3>
          {data.diff ? (
            <DiffTable entries={data.diff.entries} empty="No differences in the recorded state." />
          ) : (
            <p className="muted">Not a change of an object’s recorded state: there is no diff to show.</p>
          )}
        </>
      )}
    </section>
  );
}

/** A change in a dialog (the Changes tabs, "what changed before this"); it closes when its links navigate. */
export function ChangeDialog({ id, onClose }: { id: number; onClose(): void }) {
  const where = useApp((s) => `${JSON.stringify(s.route)}|${s.at}`);
  const opened = useRef(where);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    if (where !== opened.current) close.current();
  }, [where]);
  return (
    <Dialog title="Change" onClose={onClose} className="wide" testid="change-dialog">
      <ChangeDetail id={id} />
    </Dialog>
  );
}
