// The fleet map (canvas) with its measure picker, or onboarding when there is nothing to show.
import { useShallow } from 'zustand/react/shallow';
import { useMemo } from 'react';
import { MEASURES, type ClusterTile, type FleetDTO, type Measure } from '../../common/contract.ts';
import type { MapGrouping } from '../map/engine.ts';
import { OrganiseBar, groupLabel, useOrganised } from './OrganiseBar.tsx';
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

/** The fleet the map shows: the clusters the selector keeps, favourites first; a heading per group. */
function useMapFleet(fleet: FleetDTO | null) {
  const organised = useOrganised(fleet?.clusters ?? NO_CLUSTERS);
  return useMemo(() => {
    if (!fleet) return { shown: null, grouping: null, count: 0 };
    const grouped = organised.groups.length > 0 && organised.groups[0]!.key !== '';
    const clusters = organised.groups.flatMap((g) => g.clusters);
    const of = new Map<string, number>();
    organised.groups.forEach((g, i) => g.clusters.forEach((c) => of.set(c.id, i)));
    const shown: FleetDTO =
      clusters.length === fleet.clusters.length && clusters.every((c, i) => c === fleet.clusters[i]) ? fleet : { ...fleet, clusters };
    const grouping: MapGrouping | null = grouped ? { headings: organised.groups.map(groupLabel), of } : null;
    return { shown, grouping, count: organised.shown };
  }, [fleet, organised]);
}

const NO_CLUSTERS: ClusterTile[] = [];

export function FleetView() {
  const { fleet, measure, now } = useApp(useShallow((s) => ({ fleet: s.fleet, measure: s.measure, now: s.now })));
  const { shown, grouping, count } = useMapFleet(fleet);
  if (!fleet || !shown) return <Loading what="the fleet" />;
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
      <OrganiseBar clusters={fleet.clusters} shown={count} other="table" />
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
          fleet={shown}
          grouping={grouping}
          measure={measure}
          now={now}
          onOpenCluster={(cluster) => go({ view: 'cluster', cluster, tab: 'nodes' })}
          onOpenNode={(cluster, node) => go({ view: 'node', cluster, node })}
        />
      </div>
    </div>
  );
}
