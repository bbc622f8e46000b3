// Any object: status, containers, requests, events, read-only YAML, and its change history with
// object-aware diffs between any two recorded versions; tabs for its changes (changes.of), its logs
// (pods and workloads) and, when it shows a problem, what changed before it. Its actions (Edit YAML,
// and what its kind offers) and, for a workload, "Run on other clusters…" sit in its toolbar.
import { useEffect, useMemo, useState } from 'react';
import type { ChangeDTO, ObjectDTO } from '../../common/contract.ts';
import { formatResource } from '../../common/format.ts';
import { toYaml } from '../../common/yaml.ts';
import { useApp } from '../store/index.ts';
import { useContract } from '../store/useContract.ts';
import { Age, AsOfNote, ErrorNote, Link, Loading, Panel } from '../components/common.tsx';
import { Table } from '../components/Table.tsx';
import { DiffTable } from '../components/DiffTable.tsx';
import { EventsTable } from './EventsTable.tsx';
import type { ObjectTab, Route } from '../store/route.ts';
import { ChangesTab } from './changes/ChangesTab.tsx';
import { WhatChanged, WhatChangedButton } from './changes/WhatChanged.tsx';
import { objectProblem } from './changes/problem.ts';
import { ActionBar, RunOnOthers } from './operate/ActionBar.tsx';
import { LogsTab } from './operate/LogsTab.tsx';
import { hasLogs } from './operate/logtext.ts';

/** Details, Logs (pods and workloads), Changes, and What changed (only where it applies or is asked for). */
export function SubTabs({
  base,
  tab,
  problem,
  logs = false,
}: {
  base: Route & { view: 'node' | 'object' };
  tab: ObjectTab | undefined;
  problem: boolean;
  logs?: boolean;
}) {
  const tabs: { tab: ObjectTab | undefined; label: string }[] = [
    { tab: undefined, label: 'Details' },
    ...(logs ? [{ tab: 'logs' as const, label: 'Logs' }] : []),
    { tab: 'changes', label: 'Changes' },
    ...(problem || tab === 'whatchanged' ? [{ tab: 'whatchanged' as const, label: 'What changed before this' }] : []),
  ];
  return (
    <nav className="tabs" role="tablist" aria-label="Sections">
      {tabs.map((t) => (
        <Link
          key={t.label}
          to={{ ...base, ...(t.tab ? { tab: t.tab } : { tab: undefined }) }}
          className={t.tab === tab ? 'active' : undefined}
        >
          <span role="tab" aria-selected={t.tab === tab} data-tab={t.tab ?? 'details'}>
            {t.label}
          </span>
        </Link>
      ))}
    </nav>
  );
}

export function ObjectView({ cluster, kind, uid, tab }: { cluster: string; kind: string; uid: string; tab?: ObjectTab }) {
  // Ages ("since 30s") count from the time shown: as of T, a snapshot's capture, else now.
  const now = useApp((s) => s.at ?? s.fleet?.snapshot?.capturedAt ?? s.now);
  const at = useApp((s) => s.at);
  const { data, error } = useContract('object.get', at === null ? { cluster, kind, uid } : { cluster, kind, uid, at }, cluster);
  useEffect(() => {
    if (data)
      useApp.setState({
        objectName: { uid: data.ref.uid, name: data.ref.namespace ? `${data.ref.namespace}/${data.ref.name}` : data.ref.name },
      });
  }, [data]);
  if (error && !data) return <ErrorNote error={error} />;
  if (!data) return <Loading what="the object" />;
  return <ObjectBody d={data} now={now} at={at} tab={tab} />;
}

function ObjectBody({ d, now, at, tab }: { d: ObjectDTO; now: number; at: number | null; tab: ObjectTab | undefined }) {
  const kindName = String((d.body as { kind?: string }).kind ?? d.ref.kind);
  const problem = objectProblem(d);
  const base = { view: 'object', cluster: d.ref.cluster, kind: d.ref.kind, uid: d.ref.uid } as const;
  const logs = hasLogs(d.ref.kind);
  const shown = tab === 'logs' && !logs ? undefined : tab;
  const cluster = { id: d.ref.cluster, context: d.clusterContext };
  const target = { kind: d.ref.kind, namespace: d.ref.namespace, name: d.ref.name };
  return (
    <div
      className="scroll"
      data-view="object"
      data-kind={d.ref.kind}
      data-name={d.ref.name}
      data-asof={at ?? undefined}
      data-tab={shown ?? 'details'}
      data-problem={problem ?? undefined}
    >
      <div className="toolbar">
        <h1 className="title">
          {kindName} {d.ref.namespace ? `${d.ref.namespace}/` : ''}
          {d.ref.name}
        </h1>
        {d.deleted && <span className="badge bad">deleted: last known state</span>}
        {d.status.phase && <span className="badge">{d.status.phase}</span>}
        {d.status.node && (
          <span>
            on <Link to={{ view: 'node', cluster: d.ref.cluster, node: d.status.node }}>{d.status.node}</Link>
          </span>
        )}
        {d.owner && (
          <span data-testid="object-owner">
            owned by{' '}
            {d.owner.cached && d.owner.key && d.owner.uid ? (
              <Link to={{ view: 'object', cluster: d.ref.cluster, kind: d.owner.key, uid: d.owner.uid }} data-owner={d.owner.kind}>
                {d.owner.kind} {d.owner.name}
              </Link>
            ) : (
              `${d.owner.kind} ${d.owner.name}`
            )}
          </span>
        )}
        {problem && (
          <>
            <span className="badge bad">{problem}</span>
            {tab !== 'whatchanged' && <WhatChangedButton to={{ ...base, tab: 'whatchanged' }} problem={problem} />}
          </>
        )}
        <div className="spacer" />
        <ActionBar cluster={cluster} target={target} body={d.body} deleted={d.deleted} />
        {!d.deleted && <RunOnOthers cluster={cluster} target={target} />}
      </div>
      <AsOfNote at={at} what="this object" />
      {d.status.message && <p className="notice warn">{d.status.message}</p>}
      <SubTabs base={base} tab={shown} problem={problem !== null} logs={logs} />
      {shown === 'logs' && <LogsTab d={d} />}
      {tab === 'changes' && (
        <ChangesTab of={{ cluster: d.ref.cluster, kind: d.ref.kind, uid: d.ref.uid }} title="Changes of this object" showObject={false} />
      )}
      {tab === 'whatchanged' && <WhatChanged cluster={d.ref.cluster} kind={d.ref.kind} uid={d.ref.uid} />}
      {shown === undefined && <ObjectDetails d={d} now={now} />}
    </div>
  );
}

function ObjectDetails({ d, now }: { d: ObjectDTO; now: number }) {
  // The bundle's own YAML writer: the object reads here exactly as it does in an exported bundle.
  const yaml = useMemo(() => toYaml(d.body), [d.body]);
  return (
    <>
      {(d.ref.kind === 'secrets' || d.ref.kind === 'configmaps') && (
        <p className="notice info">Metadata only: the console never reads or caches the data of Secrets and ConfigMaps.</p>
      )}
      {d.containers.length > 0 && (
        <Panel title="Containers" id="containers">
          <Table name="containers" cols={['Name', 'Image', 'State', { num: 'Restarts' }, 'Requests', 'Limits']}>
            {d.containers.map((c) => (
              <tr key={`${c.init}|${c.name}`}>
                <td>
                  {c.name} {c.init && <span className="badge">init</span>}
                </td>
                <td className="wrap">
                  <code>{c.image}</code>
                </td>
                <td className={c.ready ? 'ok' : undefined}>{c.state}</td>
                <td className="num">{c.restarts}</td>
                <td>{quantities(c.requests)}</td>
                <td>{quantities(c.limits)}</td>
              </tr>
            ))}
          </Table>
          {Object.keys(d.requests).length > 0 && (
            <p>
              Effective pod requests (as the scheduler counts them):{' '}
              {Object.entries(d.requests)
                .map(([k, v]) => `${k} ${formatResource(k, v)}`)
                .join(', ')}
            </p>
          )}
        </Panel>
      )}
      <Panel title="Events" id="object-events" empty={!d.events.length && 'No events for this object in the cache.'}>
        <EventsTable events={d.events} now={now} />
      </Panel>
      <Panel title={`Change history (${d.history.length})`} id="history" empty={!d.history.length && 'No recorded changes.'}>
        <HistoryDiff d={d} now={now} />
      </Panel>
      <Panel title="YAML (read-only)" id="yaml">
        <pre className="yaml" tabIndex={0} aria-label="Object YAML">
          {yaml}
        </pre>
      </Panel>
    </>
  );
}

export function HistoryList({ history, now, objectLink }: { history: ChangeDTO[]; now: number; objectLink: Route }) {
  return (
    <>
      <ol className="history" reversed>
        {history
          .map((h, i) => ({ h, i }))
          .reverse()
          .slice(0, 50)
          .map(({ h, i }) => (
            <li key={i} data-change={h.type}>
              <span className={`badge change-${h.type}`}>{h.type}</span> <Age at={h.at} now={now} /> ago{' '}
              <span className="muted small">
                rv {h.oldRv ?? '–'} → {h.newRv ?? '–'}
              </span>
            </li>
          ))}
      </ol>
      <Link to={objectLink}>Compare versions</Link>
    </>
  );
}

function HistoryDiff({ d, now }: { d: ObjectDTO; now: number }) {
  const n = d.history.length;
  // Default: the change before the latest → the current object.
  const [from, setFrom] = useState<number | null>(n >= 2 ? n - 2 : null);
  const [to, setTo] = useState<number | null>(d.deleted ? n - 2 : null);
  const diff = useContract('object.diff', { cluster: d.ref.cluster, kind: d.ref.kind, uid: d.ref.uid, from, to }, d.ref.cluster);
  return (
    <div className="history-diff">
      <div className="diff-pick">
        <VersionPick label="From" none="(nothing: creation)" value={from} onChange={setFrom} history={d.history} />
        <VersionPick label="To" none={d.deleted ? '(deleted)' : 'current'} value={to} onChange={setTo} history={d.history} />
      </div>
      {diff.error && <ErrorNote error={diff.error} />}
      {diff.data && <DiffTable entries={diff.data.entries} />}
      <HistoryList
        history={d.history}
        now={now}
        objectLink={{ view: 'object', cluster: d.ref.cluster, kind: d.ref.kind, uid: d.ref.uid }}
      />
    </div>
  );
}

/** One end of a diff: a recorded change (the state right after it), or the end the label names (null). */
function VersionPick(p: { label: string; none: string; value: number | null; onChange(v: number | null): void; history: ChangeDTO[] }) {
  return (
    <label>
      {p.label}{' '}
      <select value={p.value ?? -1} onChange={(e) => p.onChange(Number(e.target.value) < 0 ? null : Number(e.target.value))}>
        <option value={-1}>{p.none}</option>
        {p.history.map((h, i) => (
          <option key={i} value={i}>
            #{i + 1} {h.type} · {new Date(h.at).toLocaleString()}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A container's requests or limits as written: "cpu: 250m, memory: 1Gi", or "–". */
const quantities = (q: Record<string, string>) =>
  Object.entries(q)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ') || '–';
