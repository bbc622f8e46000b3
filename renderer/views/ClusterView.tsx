// One cluster: status, figures, and tabs for nodes (grid/list), accelerators, storage/CSI, workloads
// with problems, warning events, charts, sync state and its changes; each tab's panels in views/cluster/. Forbidden
// kinds say so where they would show.
import { formatCount, formatPercent } from '../../common/format.ts';
import { useApp } from '../store/index.ts';
import { CLUSTER_TABS, type ClusterTab } from '../store/route.ts';
import { useContract } from '../store/useContract.ts';
import { formatClock } from '../store/time.ts';
import { ExecApprovalsButton } from './ExecApprovals.tsx';
import { Age, AsOfNote, ErrorNote, Figure, Link, Loading, Panel, StatusBadge } from '../components/common.tsx';
import { Charts } from './Charts.tsx';
import { EventsTable } from './EventsTable.tsx';
import { AcceleratorsPanel } from './cluster/AcceleratorsPanel.tsx';
import { NodesPanel } from './cluster/NodesPanel.tsx';
import { refusedOf } from './cluster/refused.ts';
import { StoragePanel } from './cluster/StoragePanel.tsx';
import { SyncPanel } from './cluster/SyncPanel.tsx';
import { WorkloadsPanel } from './cluster/WorkloadsPanel.tsx';
import { ChangesTab } from './changes/ChangesTab.tsx';
import { FavouriteStar, LabelsEditor } from './ClusterLabels.tsx';

const TAB_LABEL: Record<ClusterTab, string> = {
  nodes: 'Nodes',
  accelerators: 'Accelerators',
  storage: 'Storage / CSI',
  workloads: 'Workloads',
  events: 'Events',
  charts: 'Charts',
  sync: 'Sync',
  changes: 'Changes',
};

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
        <FavouriteStar tile={t} />
        <h1 className="title">{t.context}</h1>
        <StatusBadge tile={t} now={now} at={at} />
        <span className="muted">{t.serverVersion ?? 'version unknown'}</span>
        <span className="muted" title={t.file}>
          {t.authKind} · {t.server}
        </span>
      </div>
      <LabelsEditor tile={t} />
      <AsOfNote at={at} what="this cluster" />
      {t.message && t.status !== 'live' && (
        <p
          className={`notice ${t.status === 'syncing' || t.status === 'connecting' ? 'info' : t.status === 'needs-approval' ? 'warn' : 'error'}`}
        >
          {t.message}
          {t.status === 'needs-approval' && (
            <>
              {' '}
              <ExecApprovalsButton cluster={cluster} label="Review and approve…" />
            </>
          )}
        </p>
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
      {tab === 'changes' && <ChangesTab of={{ cluster }} title="Changes in this cluster" />}
    </div>
  );
}
