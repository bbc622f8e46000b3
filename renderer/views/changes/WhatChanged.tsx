// "What changed before this" (changes.whatChanged): the changes ranked as possible causes of a node's,
// a pod's or a workload's problem, with the capture gaps in the window searched (changes there may be
// missing: never "nothing else changed"). Each cause opens like a timeline mark. As of T, the problem
// is the one shown at T.
import { useState } from 'react';
import { useApp } from '../../store/index.ts';
import { changesRoute, type Route } from '../../store/route.ts';
import { useContract } from '../../store/useContract.ts';
import { formatClock, formatDateTime } from '../../store/time.ts';
import { safeName } from '../../map/text.ts';
import { ErrorNote, Link, Loading, Panel } from '../../components/common.tsx';
import { Table } from '../../components/Table.tsx';
import { ChangeDialog, SeverityBadge } from './ChangeDetail.tsx';
import { gapText, gapTitle, objectLabel } from './text.ts';

export function WhatChanged({ cluster, kind, uid }: { cluster: string; kind: string; uid: string }) {
  const at = useApp((s) => s.at);
  const shown = useApp((s) => s.at ?? s.fleet?.snapshot?.capturedAt ?? s.now);
  const { data, error } = useContract('changes.whatChanged', at === null ? { cluster, kind, uid } : { cluster, kind, uid, at }, cluster);
  const [open, setOpen] = useState<number | null>(null);
  if (error && !data) return <ErrorNote error={error} />;
  if (!data) return <Loading what="what changed before this" />;
  const p = data.problem;
  return (
    <Panel title="What changed before this" id="whatchanged">
      <div data-whatchanged data-problem-at={p.at} data-causes={data.causes.length}>
        <p className="notice warn" data-problem>
          <strong>
            <bdi>{objectLabel(p)}</bdi>
          </strong>{' '}
          in <bdi>{safeName(p.clusterContext, 120)}</bdi>: <bdi>{safeName(p.summary, 400)}</bdi> at{' '}
          <time dateTime={new Date(p.at).toISOString()}>{formatDateTime(p.at)}</time>.
        </p>
        <p className="muted">
          Changes from {formatDateTime(data.from)} to {formatDateTime(p.at)}, the likeliest causes first.{' '}
          <Link
            to={changesRoute({ clusters: [p.cluster], from: data.from, to: Math.max(p.at, data.from + 60_000) })}
            data-testid="whatchanged-timeline"
          >
            See the window in the timeline
          </Link>
        </p>
        {data.gaps.length > 0 && (
          <ul className="notice warn gaps" data-gaps={data.gaps.length}>
            {data.gaps.map((g, i) => (
              <li key={i} data-gap={g.kind ?? 'all'} title={gapTitle(g)}>
                <bdi>{safeName(g.clusterContext, 80)}</bdi>: {gapText(g, shown)}
              </li>
            ))}
          </ul>
        )}
        {!data.causes.length ? (
          <p className="muted">
            No recorded change in the window{data.gaps.length ? ' (but changes may be missing in the gaps above)' : ''}.
          </p>
        ) : (
          <Table name="causes" className="grid changes" cols={[{ num: 'Rank' }, 'Why', 'Change', 'Severity', 'Who', 'Time', 'Cluster']}>
            {data.causes.map((r) => (
              <tr
                key={r.change.id}
                data-cause-rank={r.rank}
                data-change-id={r.change.id}
                className={open === r.change.id ? 'selected clickable' : 'clickable'}
                onClick={() => setOpen(r.change.id)}
              >
                <td className="num">{r.rank}</td>
                <td className="wrap">
                  <bdi>{safeName(r.reason, 300)}</bdi>
                </td>
                <td className="wrap">
                  <button
                    type="button"
                    className="linkish row-open"
                    onClick={(e) => {
                      e.stopPropagation();
                      setOpen(r.change.id);
                    }}
                  >
                    <bdi>{safeName(r.change.summary, 300)}</bdi>
                  </button>{' '}
                  <span className="muted small">
                    <bdi>{objectLabel(r.change)}</bdi>
                  </span>
                </td>
                <td>
                  <SeverityBadge severity={r.change.severity} />
                </td>
                <td>
                  <bdi className="ellipsis">{safeName(r.change.who || 'unknown', 80)}</bdi>
                </td>
                <td className="nowrap">
                  <time dateTime={new Date(r.change.at).toISOString()} title={formatDateTime(r.change.at)}>
                    {formatClock(r.change.at, shown)}
                  </time>
                </td>
                <td>
                  <bdi className="ellipsis">{safeName(r.change.clusterContext, 80)}</bdi>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </div>
      {open !== null && <ChangeDialog id={open} onClose={() => setOpen(null)} />}
    </Panel>
  );
}

/** The action on a problem: opens its "what changed before this" (a route: linkable). */
export function WhatChangedButton({ to, problem }: { to: Route; problem: string }) {
  return (
    <Link to={to} className="button warn" data-testid="what-changed">
      <span title={problem}>What changed before this</span>
    </Link>
  );
}
