// The fleet map: every cluster a tile, every node a cell, on one canvas (no DOM node per cell). React
// renders the frame around it (legend, tooltip box, an accessible list of cluster links); the drawing,
// camera, hover and keyboard cursor live in MapEngine, outside React.
import { effectiveTheme } from '../store/theme.ts';
import { useLayoutEffect, useRef, useState, type JSX } from 'react';
import type { FleetDTO, Measure } from '../../common/contract.ts';
import { href } from '../store/route.ts';
import { useApp } from '../store/index.ts';
import { fillsFor, legend, type Palette } from './colors.ts';
import { MapEngine, themePalette, type MapGrouping } from './engine.ts';
import { formatCount } from '../../common/format.ts';
import { clusterCounts, safeName, statusLine, statusTime } from './text.ts';
import '../canvas/canvas.css';
import './map.css';

export interface FleetMapProps {
  fleet: FleetDTO;
  /** grouped by a label: a heading per group (the clusters in `fleet` are in group order) */
  grouping?: MapGrouping | null;
  measure: Measure;
  now: number;
  onOpenCluster(cluster: string): void;
  onOpenNode(cluster: string, node: string): void;
}

/** For e2e tests and benchmarks. */
export interface FleetMapProbe {
  /** ms of each draw() */
  frames: number[];
  /** move the view by (dx, dy) CSS pixels */
  panBy(dx: number, dy: number): void;
  /** zoom by a factor about client coordinates (default: the map's centre) */
  zoomBy(factor: number, cx?: number, cy?: number): void;
  /** client coordinates of a node cell's centre, scrolling it into view if needed */
  cellAt(clusterId: string, nodeName: string): { x: number; y: number } | null;
}

declare global {
  interface Window {
    __fleetMap?: FleetMapProbe;
  }
}

const samePalette = (a: Palette, b: Palette) => JSON.stringify(a) === JSON.stringify(b);

const HELP = 'Arrow keys move between clusters, Enter opens one; Shift+arrows pan; + and − zoom; 0 resets the view.';

function Legend({ measure, pal }: { measure: Measure; pal: Palette }) {
  const lg = legend(measure, pal.theme);
  const fills = fillsFor(measure, pal);
  const ramp = lg.entries.map((e, i) => ({ ...e, color: fills[i] ?? e.color }));
  const steps = ramp.filter((e) => e.ramp);
  const swatches = ramp.filter((e) => !e.ramp);
  return (
    <details className="fleet-map-legend" open>
      <summary>{lg.title}</summary>
      {steps.length > 0 && (
        <div className="ramp" role="img" aria-label={`${steps[0]!.label} to ${steps[steps.length - 1]!.label}, light to strong`}>
          <div className="bar">
            {steps.map((e) => (
              <span key={e.label} style={{ background: e.color }} title={e.label} />
            ))}
          </div>
          <div className="ends">
            <span>0%</span>
            <span>50%</span>
            <span>100%</span>
          </div>
        </div>
      )}
      <ul>
        {swatches.map((e) => (
          <li key={e.label}>
            <span className="sw" style={{ background: e.color }} />
            {e.label}
          </li>
        ))}
      </ul>
      <ul className="marks">
        <li>
          <span className="mk acc" aria-hidden="true">
            ◥
          </span>
          accelerators
        </li>
        <li>
          <span className="mk csi" aria-hidden="true" style={{ color: pal.csi }}>
            ●
          </span>
          CSI problem
        </li>
        <li>
          <span className="mk" aria-hidden="true">
            ╱
          </span>
          cordoned
        </li>
        <li>
          <span className="mk dim" aria-hidden="true" />
          faded: data not current
        </li>
      </ul>
      <p className="hint">
        Drag to pan · wheel to zoom · click to open. Keys: arrows move between clusters, Shift+arrows pan, + − zoom, 0 resets, Enter opens.
      </p>
    </details>
  );
}

export function FleetMap(props: FleetMapProps): JSX.Element {
  const { fleet, measure, now } = props;
  const at = useApp((s) => s.at);
  const root = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const tooltip = useRef<HTMLDivElement>(null);
  const live = useRef<HTMLDivElement>(null);
  const engine = useRef<MapEngine | null>(null);
  const latest = useRef(props);
  // The app's colours are custom properties of :root, so the map's palette is known before it mounts.
  const [pal, setPal] = useState<Palette>(() => themePalette(effectiveTheme(), document.documentElement));

  useLayoutEffect(() => {
    latest.current = props;
  });

  useLayoutEffect(() => {
    const e = new MapEngine(
      { root: root.current!, canvas: canvas.current!, tooltip: tooltip.current!, live: live.current! },
      {
        openCluster: (c) => latest.current.onOpenCluster(c),
        openNode: (c, n) => latest.current.onOpenNode(c, n),
        paletteChanged: (p) => setPal((old) => (samePalette(old, p) ? old : p)),
      },
    );
    engine.current = e;
    setPal((old) => (samePalette(old, e.currentPalette) ? old : e.currentPalette));
    const probe: FleetMapProbe = {
      frames: e.frames,
      panBy: (dx, dy) => e.panBy(dx, dy),
      zoomBy: (f, cx, cy) => e.zoomBy(f, cx, cy),
      cellAt: (c, n) => e.cellAt(c, n),
    };
    window.__fleetMap = probe;
    return () => {
      e.destroy();
      engine.current = null;
      if (window.__fleetMap === probe) delete window.__fleetMap;
    };
  }, []);

  const grouping = props.grouping ?? null;
  useLayoutEffect(() => {
    engine.current?.setData(fleet, measure, now, grouping);
  }, [fleet, measure, now, grouping]);

  const nodes = fleet.clusters.reduce((n, c) => n + c.cells.length, 0);
  const label = `Fleet map: ${fleet.clusters.length} clusters, ${formatCount(nodes)} nodes, coloured by ${legend(measure, pal.theme).title.toLowerCase()}. ${HELP}`;

  return (
    // data-painted="<fleet version>" is set on this element by the engine after it drew that fleet.
    <div className="fleet-map canvas-view" ref={root}>
      <canvas ref={canvas} tabIndex={0} role="application" aria-roledescription="fleet map" aria-label={label} />
      <div className="fleet-map-tooltip canvas-tooltip" ref={tooltip} role="tooltip" hidden />
      <Legend measure={measure} pal={pal} />
      <div className="fleet-map-sr" aria-live="polite" ref={live} />
      <nav className="fleet-map-list" aria-label="Clusters on the map">
        <ul>
          {fleet.clusters.map((c, i) => (
            <li key={c.id} data-cluster={c.id} data-favourite={c.favourite ? '' : undefined}>
              {grouping && grouping.of.get(c.id) !== (i > 0 ? grouping.of.get(fleet.clusters[i - 1]!.id) : -1) && (
                <h3 className="fleet-map-group" data-group={grouping.headings[grouping.of.get(c.id) ?? 0]}>
                  {grouping.headings[grouping.of.get(c.id) ?? 0]}
                </h3>
              )}
              <a
                href={href({ view: 'cluster', cluster: c.id, tab: 'nodes' }, at)}
                onClick={(e) => {
                  e.preventDefault();
                  props.onOpenCluster(c.id);
                }}
              >
                {safeName(c.context)}: {statusLine(c, now, statusTime(fleet)).text}, {clusterCounts(c)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </div>
  );
}
