// The cluster's storage and CSI health: problems, driver × node coverage, storage classes.
import type { ClusterDTO } from '../../../common/contract.ts';
import { Link, Panel } from '../../components/common.tsx';
import { Table } from '../../components/Table.tsx';
import { refusedOf } from './refused.ts';

const COVERAGE_TEXT = { registered: '✓', missing: '✗ missing', 'plugin-not-ready': '! plugin not ready', 'not-expected': '·' } as const;

const STORAGE_KINDS = [
  'storage.k8s.io/csinodes',
  'storage.k8s.io/csidrivers',
  'storage.k8s.io/volumeattachments',
  'storage.k8s.io/storageclasses',
  'persistentvolumes',
  'persistentvolumeclaims',
  'snapshot.storage.k8s.io/volumesnapshots',
];

export function StoragePanel({ d }: { d: ClusterDTO }) {
  const s = d.storage;
  const cluster = d.tile.id;
  return (
    <>
      <Panel
        title={`Storage problems (${s.problems.length})`}
        id="storage-problems"
        {...refusedOf(d, STORAGE_KINDS)}
        empty={!s.problems.length && 'No storage problems.'}
      >
        <Table name="storage-problems" cols={['Severity', 'Reason', 'Object', 'Node / driver', 'Message']}>
          {s.problems.map((p, i) => (
            <tr key={i} data-reason={p.reason}>
              <td>
                <span className={`badge sev-${p.severity}`}>{p.severity}</span>
              </td>
              <td>{p.reason}</td>
              <td>
                {p.kind} {p.namespace ? `${p.namespace}/` : ''}
                {p.name}
              </td>
              <td>
                {p.node ? <Link to={{ view: 'node', cluster, node: p.node }}>{p.node}</Link> : null} {p.driver ?? ''}
              </td>
              <td className="wrap">{p.message}</td>
            </tr>
          ))}
        </Table>
      </Panel>
      <Panel title="CSI driver coverage" id="csi-coverage" empty={!s.matrix.drivers.length && 'No CSI drivers registered or expected.'}>
        <div className="matrix-scroll">
          <Table name="csi-matrix" className="grid matrix" cols={['Node', ...s.matrix.drivers]}>
            {s.matrix.nodes.map((n) => (
              <tr key={n}>
                <th scope="row">
                  <Link to={{ view: 'node', cluster, node: n }}>{n}</Link>
                </th>
                {s.matrix.drivers.map((dr) => {
                  const st = s.matrix.cells[dr]?.[n] ?? 'not-expected';
                  return (
                    <td key={dr} className={`cov cov-${st}`} data-coverage={st}>
                      {COVERAGE_TEXT[st]}
                    </td>
                  );
                })}
              </tr>
            ))}
          </Table>
        </div>
        <ul className="plain">
          {s.drivers.map((x) => (
            <li key={x.driver}>
              <code>{x.driver}</code>: registered on {x.registered} of {x.expected} expected node(s)
              {x.csiDriver ? '' : ' (no CSIDriver object)'}
              {x.missing.length ? <span className="bad"> · missing on {x.missing.join(', ')}</span> : null}
              {x.pluginNotReady.length ? <span className="warn"> · plugin not ready on {x.pluginNotReady.join(', ')}</span> : null}
            </li>
          ))}
        </ul>
      </Panel>
      <Panel title="Storage classes" id="storage-classes" empty={!s.storageClasses.length && 'No storage classes.'}>
        <Table cols={['Name', 'Provisioner', 'Binding', 'Reclaim']}>
          {s.storageClasses.map((c) => (
            <tr key={c.name}>
              <td>
                {c.name} {c.isDefault && <span className="badge">default</span>}
              </td>
              <td>{c.provisioner}</td>
              <td>{c.bindingMode ?? '–'}</td>
              <td>{c.reclaimPolicy ?? '–'}</td>
            </tr>
          ))}
        </Table>
      </Panel>
    </>
  );
}
