// One cluster: status, figures, and tabs for nodes (grid/list), accelerators, storage/CSI, workloads
// with problems, warning events, charts and sync state. Forbidden kinds say so where they would show.
import { useState } from 'react';
import type { ClusterDTO, NodeRow } from '../../common/contract.ts';
import { formatBytes, formatCount, formatPercent, formatResource } from '../../common/units.ts';
import { useApp } from '../store/index.ts';
import { CLUSTER_TABS, type ClusterTab } from '../store/route.ts';
import { useContract } from '../store/useContract.ts';
import { formatClock } from '../store/time.ts';
import {
  Age,
  AsOfNote,
  CapacityBar,
  ErrorNote,
  LevelBadge,
  Link,
  Loading,
  Panel,
  SortHeader,
  StatusBadge,
  sortRows,
  useSort,
} from '../components/common.tsx';
import { Charts } from './Charts.tsx';
import { EventsTable } from './EventsTable.tsx';

const TAB_LABEL: Record<ClusterTab, string> = {
  nodes: 'Nodes',
  accelerators: 'Accelerators',
  storage: 'Storage / CSI',
  workloads: 'Workloads',
  events: 'Events',
  charts: 'Charts',
  sync: 'Sync',
};

/** what a panel showing these kinds must say of them: not permitted, or only in some namespaces */
const refusedOf = (d: ClusterDTO, kinds: string[]) => ({
  forbidden: d.tile.forbiddenKinds.filter((k) => kinds.includes(k)),
  partial: d.tile.partialKinds.filter((p) => kinds.includes(p.kind)),
});

export function ClusterView({ cluster, tab }: { cluster: string; tab: ClusterTab }) {
  const now = useApp((s) => s.now);
  const at = useApp((s) => s.at);
  // event ages count from the time shown (as of T, or a snapshot's capture)
  const snapshotAt = useApp((s) => s.fleet?.snapshot?.capturedAt ?? null);
  const { data, error } = useContract('cluster.get', at === null ? { cluster } : { cluster, at }, cluster);
  if (error && !data) return <ErrorNote error={error} />;
  if (!data) return <Loading what="the cluster" />;
  const t = data.tile;
  return (
    <div className="scroll" data-view="cluster" data-cluster={t.context} data-asof={at ?? undefined}>
      <div className="toolbar">
        <h1 className="title">{t.context}</h1>
        <StatusBadge tile={t} now={now} at={at} />
        <span className="muted">{t.serverVersion ?? 'version unknown'}</span>
        <span className="muted" title={t.file}>
          {t.authKind} · {t.server}
        </span>
      </div>
      <AsOfNote at={at} what="this cluster" />
      {t.message && t.status !== 'live' && (
        <p className={`notice ${t.status === 'syncing' || t.status === 'connecting' ? 'info' : 'error'}`}>{t.message}</p>
      )}
      <div className="figures">
        <Figure
          label="Nodes ready"
          value={data.tile.forbiddenKinds.includes('nodes') ? 'not permitted' : `${t.nodes.ready} / ${t.nodes.total}`}
        />
        <Figure label="CPU requested" value={formatPercent(t.cpu.allocatable ? t.cpu.requested / t.cpu.allocatable : null)} />
        <Figure label="Memory requested" value={formatPercent(t.memory.allocatable ? t.memory.requested / t.memory.allocatable : null)} />
        <Figure label="GPU allocated" value={t.gpu.allocatable ? `${t.gpu.requested} / ${t.gpu.allocatable}` : '–'} />
        <Figure label="Pending pods" value={formatCount(t.pendingPods)} />
        <Figure label="Warnings" value={formatCount(t.warningEvents)} />
        <Figure label="Storage problems" value={formatCount(t.storageProblems.total)} />
        <Figure label="Data as of" value={at === null ? <Age at={t.lastContact} now={now} /> : formatClock(at, now)} />
      </div>
      <nav className="tabs" role="tablist" aria-label="Cluster sections">
        {CLUSTER_TABS.map((k) => (
          <Link key={k} to={{ view: 'cluster', cluster, tab: k }} className={k === tab ? 'active' : undefined}>
            <span role="tab" aria-selected={k === tab}>
              {TAB_LABEL[k]}
            </span>
          </Link>
        ))}
      </nav>
      {tab === 'nodes' && <NodesPanel d={data} />}
      {tab === 'accelerators' && <AcceleratorsPanel d={data} />}
      {tab === 'storage' && <StoragePanel d={data} />}
      {tab === 'workloads' && <WorkloadsPanel d={data} />}
      {tab === 'events' && (
        <Panel
          title="Recent warning events"
          id="events"
          {...refusedOf(data, ['events'])}
          empty={!data.events.length && 'No warning events.'}
        >
          <EventsTable events={data.events} now={at ?? snapshotAt ?? now} />
        </Panel>
      )}
      {tab === 'charts' && <Charts cluster={cluster} />}
      {tab === 'sync' && <SyncPanel d={data} now={now} />}
    </div>
  );
}

function Figure({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div className="figure">
      <div className="figure-value num">{value}</div>
      <div className="figure-label">{label}</div>
    </div>
  );
}

type NodeKey = 'name' | 'level' | 'cpu' | 'memory' | 'gpu' | 'pods' | 'version';

function NodesPanel({ d }: { d: ClusterDTO }) {
  const [mode, setMode] = useState<'grid' | 'list'>('list');
  const { sort, toggle } = useSort<NodeKey>('name');
  const cluster = d.tile.id;
  const fr = (n: NodeRow, r: string) => {
    const x = n.resources[r];
    return x && x.allocatable ? x.requested / x.allocatable : -1;
  };
  const key = (n: NodeRow): unknown =>
    sort.key === 'name'
      ? n.name
      : sort.key === 'level'
        ? ['critical', 'warning', 'unknown', 'ok'].indexOf(n.level)
        : sort.key === 'version'
          ? (n.kubeletVersion ?? '')
          : sort.key === 'gpu'
            ? n.accelerators
            : fr(n, sort.key);
  const rows = sortRows(d.nodes, key, sort.dir);
  const h = (k: NodeKey, label: string, numeric = false) => (
    <SortHeader k={k} label={label} sort={sort} toggle={toggle} numeric={numeric} />
  );
  return (
    <Panel
      title={`Nodes (${d.nodes.length})`}
      id="nodes"
      {...refusedOf(d, ['nodes', 'pods'])}
      empty={
        !d.nodes.length &&
        (d.tile.forbiddenKinds.includes('nodes') ? 'Nodes cannot be listed with these credentials.' : 'No nodes in the cache.')
      }
    >
      <div className="segmented" role="group" aria-label="Node layout">
        <button type="button" aria-pressed={mode === 'list'} onClick={() => setMode('list')}>
          List
        </button>
        <button type="button" aria-pressed={mode === 'grid'} onClick={() => setMode('grid')}>
          Grid
        </button>
      </div>
      {mode === 'grid' ? (
        <ul className="node-grid">
          {rows.map((n) => (
            <li key={n.name} className={`node-card level-${n.level}`}>
              <Link to={{ view: 'node', cluster, node: n.name }}>
                <strong className="ellipsis">{n.name}</strong>
              </Link>
              <LevelBadge level={n.level} />
              {n.cordoned && <span className="badge warn">cordoned</span>}
              {['cpu', 'memory', 'pods'].map((r) => (
                <CapacityBar
                  key={r}
                  resource={r}
                  requested={n.resources[r]?.requested ?? 0}
                  allocatable={n.resources[r]?.allocatable ?? 0}
                />
              ))}
              {n.accelerators > 0 && <span className="badge acc">{n.accelerators} accelerators</span>}
              {n.storageProblems > 0 && <span className="badge bad">{n.storageProblems} storage problems</span>}
            </li>
          ))}
        </ul>
      ) : (
        <table className="grid" data-table="nodes">
          <thead>
            <tr>
              {h('name', 'Node')}
              {h('level', 'Health')}
              {h('cpu', 'CPU requested', true)}
              {h('memory', 'Memory requested', true)}
              {h('pods', 'Pods', true)}
              {h('gpu', 'Accelerators', true)}
              {h('version', 'Kubelet')}
            </tr>
          </thead>
          <tbody>
            {rows.map((n) => (
              <tr key={n.name} data-node={n.name} data-level={n.level}>
                <th scope="row">
                  <Link to={{ view: 'node', cluster, node: n.name }}>{n.name}</Link>
                  {n.cordoned && <span className="badge warn">cordoned</span>}
                </th>
                <td>
                  <LevelBadge level={n.level} /> <span className="muted small">{n.reasons[0] ?? ''}</span>
                </td>
                <td className="num">
                  <CapacityBar resource="cpu" requested={n.resources.cpu?.requested ?? 0} allocatable={n.resources.cpu?.allocatable ?? 0} />
                </td>
                <td className="num">
                  <CapacityBar
                    resource="memory"
                    requested={n.resources.memory?.requested ?? 0}
                    allocatable={n.resources.memory?.allocatable ?? 0}
                  />
                </td>
                <td className="num">
                  {n.resources.pods?.requested ?? 0} / {n.resources.pods?.allocatable ?? 0}
                </td>
                <td className="num">{n.accelerators || '–'}</td>
                <td>{n.kubeletVersion ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

function AcceleratorsPanel({ d }: { d: ClusterDTO }) {
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
        <table className="grid" data-table="accelerator-totals">
          <thead>
            <tr>
              <th scope="col">Vendor</th>
              <th scope="col">Model</th>
              <th scope="col">Resource / driver</th>
              <th scope="col">Source</th>
              <th scope="col" className="num">
                Nodes
              </th>
              <th scope="col" className="num">
                Allocatable
              </th>
              <th scope="col" className="num">
                Allocated
              </th>
              <th scope="col" className="num">
                Free
              </th>
              <th scope="col" className="num">
                Unhealthy
              </th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
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
          <table className="grid" data-table="accelerator-nodes">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Resource</th>
                <th scope="col">Model</th>
                <th scope="col" className="num">
                  Memory
                </th>
                <th scope="col">MIG / sharing</th>
                <th scope="col" className="num">
                  Allocated / allocatable
                </th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </Panel>
      )}
      {(a.dra.totals.devices > 0 || a.dra.claims.length > 0) && (
        <Panel title={`DRA: ${a.dra.totals.devices} devices, ${a.dra.totals.allocated} allocated, ${a.dra.totals.claims} claims`} id="dra">
          {a.dra.incompletePools > 0 && <p className="notice warn">{a.dra.incompletePools} ResourceSlice pool(s) incomplete.</p>}
          <table className="grid" data-table="dra-devices">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Driver / pool</th>
                <th scope="col">Node</th>
                <th scope="col">Product</th>
                <th scope="col">Claims</th>
              </tr>
            </thead>
            <tbody>
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
                    {x.claims.length
                      ? x.claims.map((c) => `${c.namespace ?? ''}/${c.name}`).join(', ')
                      : x.allocated
                        ? 'allocated'
                        : 'free'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Claims</h3>
          <table className="grid" data-table="dra-claims">
            <thead>
              <tr>
                <th scope="col">Claim</th>
                <th scope="col">State</th>
                <th scope="col">Devices</th>
                <th scope="col">Used by</th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </Panel>
      )}
    </>
  );
}

const COVERAGE_TEXT = { registered: '✓', missing: '✗ missing', 'plugin-not-ready': '! plugin not ready', 'not-expected': '·' } as const;

function StoragePanel({ d }: { d: ClusterDTO }) {
  const s = d.storage;
  const cluster = d.tile.id;
  const refused = refusedOf(d, [
    'storage.k8s.io/csinodes',
    'storage.k8s.io/csidrivers',
    'storage.k8s.io/volumeattachments',
    'storage.k8s.io/storageclasses',
    'persistentvolumes',
    'persistentvolumeclaims',
    'snapshot.storage.k8s.io/volumesnapshots',
  ]);
  return (
    <>
      <Panel
        title={`Storage problems (${s.problems.length})`}
        id="storage-problems"
        {...refused}
        empty={!s.problems.length && 'No storage problems.'}
      >
        <table className="grid" data-table="storage-problems">
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Reason</th>
              <th scope="col">Object</th>
              <th scope="col">Node / driver</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      </Panel>
      <Panel title="CSI driver coverage" id="csi-coverage" empty={!s.matrix.drivers.length && 'No CSI drivers registered or expected.'}>
        <div className="matrix-scroll">
          <table className="grid matrix" data-table="csi-matrix">
            <thead>
              <tr>
                <th scope="col">Node</th>
                {s.matrix.drivers.map((dr) => (
                  <th key={dr} scope="col">
                    {dr}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
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
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Provisioner</th>
              <th scope="col">Binding</th>
              <th scope="col">Reclaim</th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      </Panel>
    </>
  );
}

function WorkloadsPanel({ d }: { d: ClusterDTO }) {
  const refused = refusedOf(d, ['pods', 'apps/deployments', 'apps/statefulsets', 'apps/daemonsets', 'batch/jobs']);
  return (
    <Panel
      title={`Workloads with problems (${d.problems.length})`}
      id="workloads"
      {...refused}
      empty={!d.problems.length && 'No workload problems.'}
    >
      <table className="grid" data-table="workload-problems">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Namespace</th>
            <th scope="col">Name</th>
            <th scope="col">Reason</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {d.problems.map((p) => (
            <tr key={`${p.kind}|${p.uid}`}>
              <td>{p.kind.split('/').pop()}</td>
              <td>{p.namespace}</td>
              <td>
                <Link to={{ view: 'object', cluster: d.tile.id, kind: p.kind, uid: p.uid }}>{p.name}</Link>
              </td>
              <td>{p.reason}</td>
              <td className="wrap">{p.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
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

function SyncPanel({ d, now }: { d: ClusterDTO; now: number }) {
  return (
    <>
      <Panel title="Watched kinds" id="sync">
        <table className="grid" data-table="kinds">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">State</th>
              <th scope="col" className="num">
                Objects
              </th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {d.kinds.map((k) => (
              <tr key={k.kind} data-kind={k.kind} data-state={k.state}>
                <td>
                  <code>{k.kind}</code>
                </td>
                <td>
                  <span className={`badge kind-${k.state}`}>
                    {k.state === 'forbidden' ? 'not permitted (403)' : k.state === 'partial' ? 'some namespaces' : k.state}
                  </span>
                </td>
                <td className="num">{formatCount(k.objects)}</td>
                <td className="wrap">{k.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
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
