// The fleet map (canvas) with its measure picker, or onboarding when there is nothing to show.
import { useShallow } from 'zustand/react/shallow';
import { MEASURES, type Measure } from '../../common/contract.ts';
import { formatCount } from '../../common/format.ts';
import { useApp } from '../store/index.ts';
import { go } from '../store/route.ts';
import { FleetMap } from '../map/FleetMap.tsx';
import { AsOfNote, Loading } from '../components/common.tsx';
import { Onboarding } from './Onboarding.tsx';
import { ExecApprovalsButton } from './ExecApprovals.tsx';
import { asOfText } from '../store/time.ts';

const MEASURE_LABEL: Record<Measure, string> = {
  health: 'Health',
  cpu: 'CPU requested',
  memory: 'Memory requested',
  gpu: 'GPU allocated',
  pods: 'Pods',
};

export function MeasurePicker() {
  const measure = useApp((s) => s.measure);
  return (
    <div className="measures" role="radiogroup" aria-label="Colour nodes by">
      {MEASURES.map((m) => (
        <label key={m} className={m === measure ? 'active' : undefined}>
          <input type="radio" name="measure" value={m} checked={m === measure} onChange={() => useApp.getState().setMeasure(m)} />
          {MEASURE_LABEL[m]}
        </label>
      ))}
    </div>
  );
}

export function FleetView() {
  const { fleet, measure, now } = useApp(useShallow((s) => ({ fleet: s.fleet, measure: s.measure, now: s.now })));
  if (!fleet) return <Loading what="the fleet" />;
  if (!fleet.clusters.length) return <Onboarding />;
  const nodes = fleet.clusters.reduce((n, c) => n + c.nodes.total, 0);
  const counts = new Map<string, number>();
  for (const c of fleet.clusters) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  return (
    <div className="fleet-view">
      <div className="toolbar">
        <h1 className="title">
          {fleet.clusters.length} clusters · {formatCount(nodes)} nodes
        </h1>
        {fleet.at != null ? (
          <span className="badge status-asof" data-asof={fleet.at}>
            {asOfText(fleet.at, now)}
          </span>
        ) : fleet.mode === 'snapshot' && fleet.snapshot ? (
          // In a snapshot every cluster is "offline" to this session: what counts is when it was captured.
          <span className="muted" data-captured={fleet.snapshot.capturedAt}>
            {asOfText(fleet.snapshot.capturedAt, now)}
          </span>
        ) : (
          <span className="muted">{[...counts].map(([s, n]) => `${n} ${s}`).join(' · ')}</span>
        )}
        <div className="spacer" />
        <MeasurePicker />
      </div>
      <AsOfNote at={fleet.at} what="the fleet" />
      {fleet.problems.length > 0 && (
        <details className="notice warn">
          <summary>{fleet.problems.length} kubeconfig problem(s)</summary>
          <ul>
            {fleet.problems.map((p) => (
              <li key={p.path}>
                <code>{p.path}</code>: {p.error}
              </li>
            ))}
          </ul>
        </details>
      )}
      {(counts.get('needs-approval') ?? 0) > 0 && fleet.mode !== 'snapshot' && (
        <p className="notice warn" data-needs-approval={counts.get('needs-approval')}>
          {counts.get('needs-approval') === 1 ? '1 cluster waits' : `${counts.get('needs-approval')} clusters wait`} for an exec plugin to
          be approved: nothing runs until you have seen what it runs. <ExecApprovalsButton label="Review exec plugins" />
        </p>
      )}
      <div className="map-host">
        <FleetMap
          fleet={fleet}
          measure={measure}
          now={now}
          onOpenCluster={(cluster) => go({ view: 'cluster', cluster, tab: 'nodes' })}
          onOpenNode={(cluster, node) => go({ view: 'node', cluster, node })}
        />
      </div>
    </div>
  );
}
