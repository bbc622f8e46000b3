// The cluster's accelerators: totals per model and source (device plugins, DRA), Pending demand, per
// node resources (MIG, time-slicing), and DRA devices and claims.
import type { ClusterDTO } from '../../../common/contract.ts';
import { formatBytes } from '../../../common/format.ts';
import { Link, Panel } from '../../components/common.tsx';
import { Table } from '../../components/Table.tsx';
import { refusedOf } from './refused.ts';

export function AcceleratorsPanel({ d }: { d: ClusterDTO }) {
  const a = d.accelerators;
  const cluster = d.tile.id;
  const refused = refusedOf(d, ['nodes', 'pods', 'resource.k8s.io/resourceslices', 'resource.k8s.io/resourceclaims']);
  const nothing = !a.totals.length && !a.dra.totals.devices && !a.pending.pods && !a.pendingDraPods;
  return (
    <>
      <Panel
        title="Accelerators"
        id="accelerators"
        {...refused}
        empty={nothing && 'No accelerators (device plugins or DRA devices) in this cluster.'}
      >
        <Table
          name="accelerator-totals"
          cols={[
            'Vendor',
            'Model',
            'Resource / driver',
            'Source',
            { num: 'Nodes' },
            { num: 'Allocatable' },
            { num: 'Allocated' },
            { num: 'Free' },
            { num: 'Unhealthy' },
          ]}
        >
          {a.totals.map((t) => (
            <tr key={`${t.source}|${t.resource}|${t.model}`}>
              <td>{t.vendor}</td>
              <td>{t.model}</td>
              <td>
                <code>{t.resource}</code> <span className="muted small">{t.kind}</span>
              </td>
              <td>{t.source}</td>
              <td className="num">{t.nodes}</td>
              <td className="num">
                {t.allocatable}
                {t.physical ? <span className="muted small"> ({t.physical} physical)</span> : null}
              </td>
              <td className="num">{t.allocated}</td>
              <td className="num">{t.free}</td>
              <td className="num">{t.unhealthy || ''}</td>
            </tr>
          ))}
        </Table>
        {(a.pending.pods > 0 || a.pendingDraPods > 0) && (
          <p className="notice warn" data-pending-gpu>
            Pending demand: {a.pending.pods} pod(s) waiting for{' '}
            {Object.entries(a.pending.requests)
              .map(([r, v]) => `${v} ${r}`)
              .join(', ') || 'accelerators'}
            {a.pendingDraPods ? `; ${a.pendingDraPods} pod(s) waiting on ResourceClaims` : ''}.
          </p>
        )}
      </Panel>
      {a.nodes.length > 0 && (
        <Panel title="Per node" id="acc-nodes">
          <Table
            name="accelerator-nodes"
            cols={['Node', 'Resource', 'Model', { num: 'Memory' }, 'MIG / sharing', { num: 'Allocated / allocatable' }]}
          >
            {a.nodes.flatMap((n) =>
              n.resources.map((r, i) => (
                <tr key={`${n.node}|${r.resource}`}>
                  <td>{i === 0 ? <Link to={{ view: 'node', cluster, node: n.node }}>{n.node}</Link> : ''}</td>
                  <td>
                    <code>{r.resource}</code>
                  </td>
                  <td>{r.model ?? '–'}</td>
                  <td className="num">{r.memoryBytes ? formatBytes(r.memoryBytes) : '–'}</td>
                  <td>
                    {r.mig ? `MIG ${r.mig.profile}${r.mig.strategy ? ` (${r.mig.strategy})` : ''}` : ''}
                    {r.sharing
                      ? `${r.sharing.strategy}: ${r.sharing.physical} GPU × ${r.sharing.replicas} = ${r.sharing.shares} shares`
                      : ''}
                  </td>
                  <td className="num">
                    {r.allocated} / {r.allocatable}
                    {r.unhealthy ? <span className="bad small"> ({r.unhealthy} unhealthy)</span> : null}
                  </td>
                </tr>
              )),
            )}
          </Table>
        </Panel>
      )}
      {(a.dra.totals.devices > 0 || a.dra.claims.length > 0) && (
        <Panel title={`DRA: ${a.dra.totals.devices} devices, ${a.dra.totals.allocated} allocated, ${a.dra.totals.claims} claims`} id="dra">
          {a.dra.incompletePools > 0 && <p className="notice warn">{a.dra.incompletePools} ResourceSlice pool(s) incomplete.</p>}
          <Table name="dra-devices" cols={['Device', 'Driver / pool', 'Node', 'Product', 'Claims']}>
            {a.dra.devices.map((x) => (
              <tr key={`${x.driver}|${x.pool}|${x.name}`}>
                <td>{x.name}</td>
                <td>
                  {x.driver} / {x.pool}
                </td>
                <td>{x.node ?? 'shared'}</td>
                <td>
                  {x.productName ?? '–'} {x.memoryBytes ? formatBytes(x.memoryBytes) : ''}
                </td>
                <td>
                  {x.claims.length ? x.claims.map((c) => `${c.namespace ?? ''}/${c.name}`).join(', ') : x.allocated ? 'allocated' : 'free'}
                </td>
              </tr>
            ))}
          </Table>
          <h3>Claims</h3>
          <Table name="dra-claims" cols={['Claim', 'State', 'Devices', 'Used by']}>
            {a.dra.claims.map((c) => (
              <tr key={`${c.namespace}/${c.name}`}>
                <td>
                  {c.namespace}/{c.name}
                </td>
                <td>{c.inUse ? 'reserved' : c.allocated ? 'allocated' : 'pending'}</td>
                <td>{c.devices.map((x) => x.device).join(', ') || '–'}</td>
                <td>{c.consumers.map((x) => `${x.resource}/${x.name}`).join(', ') || '–'}</td>
              </tr>
            ))}
          </Table>
        </Panel>
      )}
    </>
  );
}
