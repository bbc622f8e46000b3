// A list of changes with the capture gaps between them, newest first: the timeline's list, the
// Changes tabs. A row opens its change (a button in it, for the keyboard; the whole row for the
// pointer); a gap is a row of its own that says changes may be missing there.
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
          <tr
            key={r.change.id}
            data-change-id={r.change.id}
            data-severity={r.change.severity}
            data-category={r.change.category}
            aria-selected={selected === r.change.id}
            className={selected === r.change.id ? 'selected clickable' : 'clickable'}
            onClick={() => onOpen(r.change)}
          >
            <td className="nowrap">
              <time dateTime={new Date(r.change.at).toISOString()} title={formatDateTime(r.change.at)}>
                {formatClock(r.change.at, now)}
              </time>
            </td>
            <td>
              <SeverityBadge severity={r.change.severity} />
            </td>
            <td>{r.change.category}</td>
            {showCluster && (
              <td>
                <bdi className="ellipsis">{safeName(r.change.clusterContext, 80)}</bdi>
              </td>
            )}
            {showObject && (
              <td className="words">
                <bdi>{objectLabel(r.change)}</bdi>
              </td>
            )}
            <td className="words">
              <button
                type="button"
                className="linkish row-open"
                onClick={(e) => {
                  e.stopPropagation();
                  onOpen(r.change);
                }}
              >
                <bdi>{safeName(r.change.summary, 300)}</bdi>
              </button>
            </td>
            <td>
              <bdi className="ellipsis">{safeName(r.change.who || 'unknown', 80)}</bdi>
            </td>
          </tr>
        ),
      )}
    </Table>
  );
}
