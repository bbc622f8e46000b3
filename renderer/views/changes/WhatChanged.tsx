// "What changed before this" (changes.whatChanged): the changes ranked as possible causes of a node's,
// a pod's or a workload's problem, with the capture gaps in the window searched (changes there may be
// missing: never "nothing else changed"). Each cause opens like a timeline mark. As of T, the problem
// is the one shown at T.
import { useState } from 'react';
import type { ChangeEventDTO } from '../../../common/contract.ts';
import { useApp } from '../../store/index.ts';
import { changesRoute, type Route } from '../../store/route.ts';
import { useContract } from '../../store/useContract.ts';
import { formatDateTime } from '../../store/time.ts';
import { safeName } from '../../map/text.ts';
import { ErrorNote, Link, Loading, Panel } from '../../components/common.tsx';
import { Table } from '../../components/Table.tsx';
import { ChangeDialog } from './ChangeDetail.tsx';
import { ChangeRow, ClusterCell, OpenButton, SeverityCell, TimeCell, WhoCell } from './ChangeTable.tsx';
import { gapText, gapTitle, objectLabel } from './text.ts';

export function WhatChanged({ cluster, kind, uid }: { cluster: string; kind: string; uid: string }) {
  const at = useApp((s) => s.at);
  const shown = useApp((s) => s.at ?? s.fleet?.snapshot?.capturedAt ?? s.now);
  // read again when its params change or a push says its cluster moved on (not on other clusters' pushes)
  const { data, error } = useContract(
    'changes.whatChanged',
    at === null ? { cluster, kind, uid } : { cluster, kind, uid, at },
    cluster,
    'cluster',
  );
  const [open, setOpen] = useState<number | null>(null);
  const openChange = (c: ChangeEventDTO) => setOpen(c.id);
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
              <ChangeRow key={r.change.id} c={r.change} rank={r.rank} selected={open === r.change.id} onOpen={openChange}>
                <td className="num">{r.rank}</td>
                <td className="wrap">
                  <bdi>{safeName(r.reason, 300)}</bdi>
                </td>
                <td className="wrap">
                  <OpenButton c={r.change} onOpen={openChange} />{' '}
                  <span className="muted small">
                    <bdi>{objectLabel(r.change)}</bdi>
                  </span>
                </td>
                <SeverityCell c={r.change} />
                <WhoCell c={r.change} />
                <TimeCell c={r.change} now={shown} />
                <ClusterCell c={r.change} />
              </ChangeRow>
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
