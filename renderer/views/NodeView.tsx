// One node: health, conditions, taints, cordon, versions, capacity per resource (with GPUs), its pods
// with their requests, events, CSINode drivers and its change history; tabs for its changes (its own
// and those of what runs on it) and, when it is critical, what changed before that. Its actions
// (cordon or uncordon, drain) sit in its toolbar; Edit YAML is on its object view.
import type { NodeDTO } from '../../common/contract.ts';
import { formatBytes, formatResource } from '../../common/format.ts';
import { useApp } from '../store/index.ts';
import { useContract } from '../store/useContract.ts';
import { Age, AsOfNote, CapacityBar, ErrorNote, LevelBadge, Link, Loading, Panel } from '../components/common.tsx';
import { Table } from '../components/Table.tsx';
import { EventsTable } from './EventsTable.tsx';
import { HistoryList, SubTabs } from './ObjectView.tsx';
import type { ObjectTab } from '../store/route.ts';
import { ChangesTab } from './changes/ChangesTab.tsx';
import { WhatChanged, WhatChangedButton } from './changes/WhatChanged.tsx';
import { ActionBar } from './operate/ActionBar.tsx';

export function NodeView({ cluster, node, tab }: { cluster: string; node: string; tab?: ObjectTab }) {
  // Ages ("since 30s") count from the time shown: as of T, a snapshot's capture, else now.
  const now = useApp((s) => s.at ?? s.fleet?.snapshot?.capturedAt ?? s.now);
  const at = useApp((s) => s.at);
  const { data, error } = useContract('node.get', at === null ? { cluster, node } : { cluster, node, at }, cluster);
  if (error && !data) return <ErrorNote error={error} />;
  if (!data) return <Loading what="the node" />;
  return <NodeBody d={data} now={now} at={at} tab={tab} />;
}

function NodeBody({ d, now, at, tab: asked }: { d: NodeDTO; now: number; at: number | null; tab: ObjectTab | undefined }) {
  const r = d.row;
  // (a node has no logs tab: its address shows the details)
  const tab = asked === 'logs' ? undefined : asked;
  // a red node is a problem to explain
  const problem = d.health.level === 'critical';
  const base = { view: 'node', cluster: d.cluster, node: r.name } as const;
  return (
    <div
      className="scroll"
      data-view="node"
      data-node={r.name}
      data-level={d.health.level}
      data-cordoned={r.cordoned}
      data-asof={at ?? undefined}
      data-tab={tab ?? 'details'}
    >
      <div className="toolbar">
        <h1 className="title">{r.name}</h1>
        <LevelBadge level={d.health.level} />
        {r.cordoned && <span className="badge warn">cordoned (unschedulable)</span>}
        {d.health.stale && <span className="badge warn">heartbeat stale</span>}
        <span className="muted">
          kubelet {d.info.kubeletVersion ?? '–'} · {d.info.osImage ?? ''} · {d.info.containerRuntimeVersion ?? ''}
        </span>
        <div className="spacer" />
        {problem && tab !== 'whatchanged' && (
          <WhatChangedButton to={{ ...base, tab: 'whatchanged' }} problem={d.health.reasons.join('; ')} />
        )}
        <ActionBar
          cluster={{ id: d.cluster, context: d.clusterContext }}
          target={{ kind: 'nodes', namespace: '', name: r.name }}
          body={{ spec: { unschedulable: r.cordoned } }}
          exclude={['apply']}
        />
        <Link to={{ view: 'object', cluster: d.cluster, kind: 'nodes', uid: d.ref.uid }}>YAML and history diffs</Link>
      </div>
      <AsOfNote at={at} what="this node" />
      {d.health.reasons.length > 0 && (
        <ul className={`notice ${d.health.level === 'critical' ? 'error' : 'warn'}`} data-reasons>
          {d.health.reasons.map((x, i) => (
            <li key={i}>{x}</li>
          ))}
        </ul>
      )}
      <SubTabs base={base} tab={tab} problem={problem} />
      {tab === 'changes' && <ChangesTab of={{ cluster: d.cluster, node: r.name }} title="Changes of this node and what runs on it" />}
      {tab === 'whatchanged' && <WhatChanged cluster={d.cluster} kind="nodes" uid={d.ref.uid} />}
      {tab === undefined && <NodeDetails d={d} now={now} />}
    </div>
  );
}

function NodeDetails({ d, now }: { d: NodeDTO; now: number }) {
  const r = d.row;
  const resources = Object.entries(r.resources);
  return (
    <>
      <div className="two-col">
        <Panel title="Conditions" id="conditions">
          <Table name="conditions" cols={['Type', 'Status', 'Reason', 'Since', 'Message']}>
            {d.conditions.map((c) => (
              <tr key={c.type} data-condition={c.type} data-status={c.status}>
                <td>{c.type}</td>
                <td className={(c.type === 'Ready') === (c.status === 'True') ? 'ok' : 'bad'}>{c.status}</td>
                <td>{c.reason}</td>
                <td>
                  <Age at={c.lastTransition} now={now} />
                </td>
                <td className="wrap">{c.message}</td>
              </tr>
            ))}
          </Table>
          <h3>Taints</h3>
          {d.taints.length ? (
            <ul className="plain">
              {d.taints.map((t, i) => (
                <li key={i}>
                  <code>
                    {t.key}
                    {t.value ? `=${t.value}` : ''}:{t.effect}
                  </code>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No taints.</p>
          )}
        </Panel>
        <Panel title="Capacity" id="capacity">
          <Table
            name="resources"
            cols={['Resource', { num: 'Capacity' }, { num: 'Allocatable' }, { num: 'Requested' }, { num: 'Free' }, 'Use']}
          >
            {resources.map(([name, v]) => (
              <tr key={name} data-resource={name}>
                <td>
                  <code>{name}</code>
                </td>
                <td className="num">{formatResource(name, v.capacity)}</td>
                <td className="num">{formatResource(name, v.allocatable)}</td>
                <td className="num" data-requested={v.requested}>
                  {formatResource(name, v.requested)}
                </td>
                <td className={`num ${v.free < 0 ? 'bad' : ''}`}>{formatResource(name, v.free)}</td>
                <td>
                  <CapacityBar resource={name} requested={v.requested} allocatable={v.allocatable} />
                </td>
              </tr>
            ))}
          </Table>
          {d.accelerators && d.accelerators.resources.length > 0 && (
            <>
              <h3>Accelerators</h3>
              <ul className="plain">
                {d.accelerators.resources.map((x) => (
                  <li key={x.resource}>
                    <code>{x.resource}</code>: {x.model ?? x.vendor}
                    {x.memoryBytes ? `, ${formatBytes(x.memoryBytes)}` : ''}
                    {x.mig ? `, MIG ${x.mig.profile}` : ''}
                    {x.sharing ? `, ${x.sharing.strategy} ×${x.sharing.replicas} (${x.sharing.physical} physical)` : ''} — {x.allocated} of{' '}
                    {x.allocatable} allocated
                    {x.unhealthy ? <span className="bad"> ({x.unhealthy} unhealthy)</span> : null}
                  </li>
                ))}
              </ul>
            </>
          )}
        </Panel>
      </div>
      <Panel title={`Pods (${d.pods.length})`} id="pods" empty={!d.pods.length && 'No pods on this node.'}>
        <Table name="pods" cols={['Namespace', 'Pod', 'Phase', { num: 'Restarts' }, { num: 'CPU' }, { num: 'Memory' }, 'Other requests']}>
          {d.pods.map((p) => (
            <tr key={p.uid} data-pod={p.name}>
              <td>{p.namespace}</td>
              <td>
                <Link to={{ view: 'object', cluster: d.cluster, kind: 'pods', uid: p.uid }}>{p.name}</Link>
              </td>
              <td>
                {p.phase}
                {!p.ready && p.phase === 'Running' ? <span className="warn"> (not ready)</span> : null}
              </td>
              <td className="num">{p.restarts}</td>
              <td className="num">{p.requests.cpu ? formatResource('cpu', p.requests.cpu) : '–'}</td>
              <td className="num">{p.requests.memory ? formatResource('memory', p.requests.memory) : '–'}</td>
              <td>
                {Object.entries(p.requests)
                  .filter(([k]) => k !== 'cpu' && k !== 'memory')
                  .map(([k, v]) => `${k}: ${formatResource(k, v)}`)
                  .join(', ')}
              </td>
            </tr>
          ))}
        </Table>
      </Panel>
      <div className="two-col">
        <Panel
          title="CSI drivers on this node (CSINode)"
          id="csinode"
          empty={!d.csiDrivers.length && 'No CSI drivers registered on this node.'}
        >
          <ul className="plain">
            {d.csiDrivers.map((c) => (
              <li key={c.name}>
                <code>{c.name}</code> node ID {c.nodeID}
                {c.volumeLimit !== null ? `, up to ${c.volumeLimit} volumes` : ''}
              </li>
            ))}
          </ul>
          {d.storageProblems.map((p, i) => (
            <p key={i} className={`notice ${p.severity === 'critical' ? 'error' : 'warn'}`}>
              {p.reason}: {p.message}
            </p>
          ))}
        </Panel>
        <Panel title="Labels" id="labels">
          <ul className="plain labels">
            {Object.entries(d.labels).map(([k, v]) => (
              <li key={k}>
                <code className="ellipsis" title={`${k}=${v}`}>
                  {k}={v}
                </code>
              </li>
            ))}
          </ul>
        </Panel>
      </div>
      <Panel title="Events" id="node-events" empty={!d.events.length && 'No events for this node in the cache.'}>
        <EventsTable events={d.events} now={now} />
      </Panel>
      <Panel
        title={`Change history (${d.history.length})`}
        id="node-history"
        empty={!d.history.length && 'No recorded changes (heartbeat-only updates are not history).'}
      >
        <HistoryList history={d.history} now={now} objectLink={{ view: 'object', cluster: d.cluster, kind: 'nodes', uid: d.ref.uid }} />
      </Panel>
    </>
  );
}
