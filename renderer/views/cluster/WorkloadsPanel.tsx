// The cluster's workloads with problems (each with "What changed before this"), and the Pending pods
// without a node.
import type { ClusterDTO } from '../../../common/contract.ts';
import { formatResource } from '../../../common/format.ts';
import { Link, Panel } from '../../components/common.tsx';
import { WhatChangedButton } from '../changes/WhatChanged.tsx';
import { Table } from '../../components/Table.tsx';
import { refusedOf } from './refused.ts';

export function WorkloadsPanel({ d }: { d: ClusterDTO }) {
  const refused = refusedOf(d, ['pods', 'apps/deployments', 'apps/statefulsets', 'apps/daemonsets', 'batch/jobs']);
  return (
    <Panel
      title={`Workloads with problems (${d.problems.length})`}
      id="workloads"
      {...refused}
      empty={!d.problems.length && 'No workload problems.'}
    >
      <Table name="workload-problems" cols={['Kind', 'Namespace', 'Name', 'Reason', 'Message', 'Changes']}>
        {d.problems.map((p) => (
          <tr key={`${p.kind}|${p.uid}`} data-problem-kind={p.kind} data-problem-uid={p.uid}>
            <td>{p.kind.split('/').pop()}</td>
            <td>{p.namespace}</td>
            <td>
              <Link to={{ view: 'object', cluster: d.tile.id, kind: p.kind, uid: p.uid }}>{p.name}</Link>
            </td>
            <td>{p.reason}</td>
            <td className="wrap">{p.message}</td>
            <td>
              <WhatChangedButton
                to={{ view: 'object', cluster: d.tile.id, kind: p.kind, uid: p.uid, tab: 'whatchanged' }}
                problem={p.reason}
              />
            </td>
          </tr>
        ))}
      </Table>
      {d.pending.pods > 0 && (
        <p className="notice warn">
          {d.pending.pods} pod(s) Pending without a node, asking for{' '}
          {Object.entries(d.pending.requests)
            .map(([r, v]) => `${formatResource(r, v)} ${r}`)
            .join(', ')}
          .
        </p>
      )}
    </Panel>
  );
}
