// The Changes tab of an object, a node or a cluster (changes.of): its changes newest first with the
// capture gaps among them, each opening in a dialog with its diff and the "as of" link. As of T, the
// list ends at T: what had happened by then.
import { useEffect, useState } from 'react';
import type { ChangeEventDTO, Params } from '../../../common/contract.ts';
import { getApi } from '../../api/index.ts';
import { useApp } from '../../store/index.ts';
import { changesRoute } from '../../store/route.ts';
import { useContract } from '../../store/useContract.ts';
import { HOUR } from '../../store/time.ts';
import { ErrorNote, Link, Loading, Panel } from '../../components/common.tsx';
import { ChangeDialog } from './ChangeDetail.tsx';
import { ChangeTable } from './ChangeTable.tsx';
import { appendPage, nextPageParams } from './text.ts';

const PAGE = 200;

export function ChangesTab({
  of,
  title,
  showObject = true,
}: {
  /** cluster; kind + uid (an object); node (a node: its own changes and those of what runs on it) */
  of: { cluster: string; kind?: string; uid?: string; node?: string };
  title: string;
  showObject?: boolean;
}) {
  const at = useApp((s) => s.at);
  const shown = useApp((s) => s.at ?? s.fleet?.snapshot?.capturedAt ?? s.now);
  // Older pages: the contract's `before` cursor at the last change shown (its time and id), so changes
  // at the same millisecond as a page's last one are neither asked for again nor skipped.
  const [older, setOlder] = useState<{ changes: ChangeEventDTO[]; more: boolean } | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [pageError, setPageError] = useState<string | null>(null);
  const base: Params<'changes.of'> = { ...of, limit: PAGE, ...(at === null ? {} : { to: at }) };
  const { data, error } = useContract('changes.of', base, of.cluster);
  const key = JSON.stringify(base);
  useEffect(() => setOlder(null), [key]);

  const more = async () => {
    const list = older?.changes ?? data?.changes ?? [];
    const params = nextPageParams(base, list);
    if (!params) return;
    try {
      const page = await getApi().call('changes.of', params);
      setOlder({ changes: appendPage(list, page.changes), more: page.more });
      setPageError(null);
    } catch (e) {
      setPageError((e as Error).message);
    }
  };

  if (error && !data) return <ErrorNote error={error} />;
  if (!data) return <Loading what="the changes" />;
  const changes = older?.changes ?? data.changes;
  const hasMore = older ? older.more : data.more;
  const first = changes[changes.length - 1]?.at;
  return (
    <Panel title={`${title} (${changes.length}${hasMore ? '+' : ''})`} id="changes">
      <div className="toolbar small">
        <Link
          to={changesRoute({
            clusters: [of.cluster],
            ...(first !== undefined ? { from: Math.min(first, shown - HOUR), to: shown } : {}),
          })}
          data-testid="changes-in-timeline"
        >
          Show the cluster in the timeline
        </Link>
      </div>
      {!changes.length && !data.gaps.length ? (
        <p className="muted">No recorded changes{at === null ? '' : ' up to the time shown'}.</p>
      ) : (
        <ChangeTable
          changes={changes}
          gaps={data.gaps}
          now={shown}
          selected={open}
          onOpen={(c) => setOpen(c.id)}
          showCluster={false}
          showObject={showObject}
          name="changes-of"
        />
      )}
      {!changes.length && data.gaps.length > 0 && (
        <p className="muted">No recorded changes, but changes may be missing in the gaps above.</p>
      )}
      {hasMore && (
        <button type="button" className="linkish" onClick={() => void more()} data-testid="changes-more">
          Older changes…
        </button>
      )}
      {pageError && <ErrorNote error={pageError} />}
      {open !== null && <ChangeDialog id={open} onClose={() => setOpen(null)} />}
    </Panel>
  );
}
