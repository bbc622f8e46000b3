// The cluster's sync state: every watched kind (watching, not permitted, some namespaces…) and the
// gaps in the change history.
import type { ClusterDTO } from '../../../common/contract.ts';
import { formatCount } from '../../../common/format.ts';
import { Age, Panel } from '../../components/common.tsx';
import { Table } from '../../components/Table.tsx';

const STATE_TEXT: Partial<Record<ClusterDTO['kinds'][number]['state'], string>> = {
  forbidden: 'not permitted (403)',
  partial: 'some namespaces',
  polled: 'listed every 10 min',
};

export function SyncPanel({ d, now }: { d: ClusterDTO; now: number }) {
  return (
    <>
      <Panel title="Watched kinds" id="sync">
        <Table name="kinds" cols={['Kind', 'State', { num: 'Objects' }, 'Message']}>
          {d.kinds.map((k) => (
            <tr key={k.kind} data-kind={k.kind} data-state={k.state}>
              <td>
                <code>{k.kind}</code>
              </td>
              <td>
                <span className={`badge kind-${k.state}`}>{STATE_TEXT[k.state] ?? k.state}</span>
              </td>
              <td className="num">{formatCount(k.objects)}</td>
              <td className="wrap">
                {k.state === 'polled' && k.listedAt ? (
                  <>
                    as of its last list, <Age at={k.listedAt} now={now} /> ago (not watched: a large fleet watches it only while its cluster
                    is open){k.message ? `; ${k.message}` : ''}
                  </>
                ) : (
                  (k.message ?? '')
                )}
              </td>
            </tr>
          ))}
        </Table>
      </Panel>
      <Panel title="Capture gaps" id="gaps" empty={!d.gaps.length && 'No gaps: the change history is complete since the first sync.'}>
        <ul className="plain">
          {d.gaps
            .slice()
            .reverse()
            .map((g, i) => (
              <li key={i}>
                <Age at={g.start} now={now} /> ago {g.kind ? <code>{g.kind}</code> : 'all kinds'}: {g.reason}
                {g.end ? ` (${Math.round((g.end - g.start) / 1000)} s)` : ' (open)'}
              </li>
            ))}
        </ul>
      </Panel>
    </>
  );
}
