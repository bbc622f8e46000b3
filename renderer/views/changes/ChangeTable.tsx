// A list of changes with the capture gaps between them, newest first: the timeline's list, the
// Changes tabs. A row opens its change (a button in it, for the keyboard; the whole row for the
// pointer); a gap is a row of its own that says changes may be missing there. The row and its cells
// are also the causes' ("what changed before this", WhatChanged.tsx).
import type { ReactNode } from 'react';
import type { ChangeEventDTO, GapDTO } from '../../../common/contract.ts';
import { formatClock, formatDateTime } from '../../store/time.ts';
import { safeName } from '../../map/text.ts';
import { Table } from '../../components/Table.tsx';
import { SeverityBadge } from './ChangeDetail.tsx';
import { gapText, gapTitle, objectLabel, rowsByTime } from './text.ts';

export function ChangeTable({
  changes,
  gaps,
  now,
  selected = null,
  onOpen,
  showCluster = true,
  showObject = true,
  name = 'changes',
}: {
  changes: readonly ChangeEventDTO[];
  gaps: readonly GapDTO[];
  /** the time shown: times of that day show as "12:40" */
  now: number;
  selected?: number | null;
  onOpen(c: ChangeEventDTO): void;
  showCluster?: boolean;
  showObject?: boolean;
  name?: string;
}) {
  const rows = rowsByTime(changes, gaps);
  const cols = ['Time', 'Severity', 'Category', ...(showCluster ? ['Cluster'] : []), ...(showObject ? ['Object'] : []), 'Change', 'Who'];
  return (
    <Table name={name} className="grid changes" cols={cols}>
      {rows.map((r) =>
        r.gap ? (
          <tr key={`g|${r.gap.cluster}|${r.gap.kind}|${r.gap.start}`} className="gap-row" data-gap={r.gap.kind ?? 'all'}>
            <td title={gapTitle(r.gap)}>{formatClock(r.gap.end ?? r.gap.start, now)}</td>
            <td colSpan={cols.length - 1}>
              <span className="badge">gap</span>
              {showCluster && (
                <>
                  <bdi>{safeName(r.gap.clusterContext, 80)}</bdi>:{' '}
                </>
              )}
              {gapText(r.gap, now)}
            </td>
          </tr>
        ) : (
          <ChangeRow key={r.change.id} c={r.change} selected={selected === r.change.id} onOpen={onOpen}>
            <TimeCell c={r.change} now={now} />
            <SeverityCell c={r.change} />
            <td>{r.change.category}</td>
            {showCluster && <ClusterCell c={r.change} />}
            {showObject && (
              <td className="words">
                <bdi>{objectLabel(r.change)}</bdi>
              </td>
            )}
            <td className="words">
              <OpenButton c={r.change} onOpen={onOpen} />
            </td>
            <WhoCell c={r.change} />
          </ChangeRow>
        ),
      )}
    </Table>
  );
}

/** A change's row: the whole row opens it (for the pointer); data-change-id, -severity and -category say which. */
export function ChangeRow({
  c,
  selected,
  onOpen,
  rank,
  children,
}: {
  c: ChangeEventDTO;
  selected: boolean;
  onOpen(c: ChangeEventDTO): void;
  /** a cause's rank (data-cause-rank) */
  rank?: number;
  children: ReactNode;
}) {
  return (
    <tr
      data-change-id={c.id}
      data-severity={c.severity}
      data-category={c.category}
      data-cause-rank={rank}
      aria-selected={selected}
      className={selected ? 'selected clickable' : 'clickable'}
      onClick={() => onOpen(c)}
    >
      {children}
    </tr>
  );
}

/** The change's summary as the button that opens it (for the keyboard). */
export function OpenButton({ c, onOpen }: { c: ChangeEventDTO; onOpen(c: ChangeEventDTO): void }) {
  return (
    <button
      type="button"
      className="linkish row-open"
      onClick={(e) => {
        e.stopPropagation();
        onOpen(c);
      }}
    >
      <bdi>{safeName(c.summary, 300)}</bdi>
    </button>
  );
}

/** When: the clock time (on the day shown; else the date too), the whole time as the title. */
export function TimeCell({ c, now }: { c: ChangeEventDTO; now: number }) {
  return (
    <td className="nowrap">
      <time dateTime={new Date(c.at).toISOString()} title={formatDateTime(c.at)}>
        {formatClock(c.at, now)}
      </time>
    </td>
  );
}

export function SeverityCell({ c }: { c: ChangeEventDTO }) {
  return (
    <td>
      <SeverityBadge severity={c.severity} />
    </td>
  );
}

export function ClusterCell({ c }: { c: ChangeEventDTO }) {
  return (
    <td>
      <bdi className="ellipsis">{safeName(c.clusterContext, 80)}</bdi>
    </td>
  );
}

export function WhoCell({ c }: { c: ChangeEventDTO }) {
  return (
    <td>
      <bdi className="ellipsis">{safeName(c.who || 'unknown', 80)}</bdi>
    </td>
  );
}
