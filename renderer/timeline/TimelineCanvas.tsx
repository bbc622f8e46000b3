// The fleet timeline's canvas: React renders the frame around it (the tooltip box, the help); the
// drawing, the camera, the hover and the selection ring live in TimelineEngine, outside React.
import { useLayoutEffect, useRef, type JSX } from 'react';
import type { TimelineDTO } from '../../common/contract.ts';
import { AXIS_H, LANE_H } from './camera.ts';
import { TimelineEngine, type TimelineCallbacks, type TimelineTime } from './engine.ts';
import '../canvas/canvas.css';

/** For e2e tests and benchmarks. */
export interface TimelineProbe {
  /** ms of each draw() */
  frames: number[];
  panBy(dx: number): void;
  /** zoom by a factor about a client x (default: the plot's centre) */
  zoomBy(factor: number, clientX?: number): void;
  scrollBy(dy: number): void;
  /** the visible window */
  view(): { from: number; to: number };
  /** client coordinates of a change's mark, brought on screen (null: not among the marks) */
  markAt(id: number): { x: number; y: number } | null;
}

declare global {
  interface Window {
    __timeline?: TimelineProbe;
  }
}

export interface TimelineCanvasProps {
  data: TimelineDTO | undefined;
  /** the window `data` covers */
  fetched: { from: number; to: number } | null;
  time: TimelineTime;
  /** the window the address asks for (null: the home window) */
  view: { from: number; to: number } | null;
  selected: number | null;
  /** changed: bring the selected mark on screen (it was chosen in the list, not on the canvas) */
  reveal: number;
  /** details arrived for the tooltip: a counter */
  details: number;
  callbacks: TimelineCallbacks;
}

const HELP =
  'Fleet change timeline: one lane per cluster, a mark per change. Wheel or + and − zoom, drag or the arrow keys pan, Shift+wheel, Up and Down scroll the clusters, 0 resets the window. The list below has every change of the window.';

/** The canvas's height for n lanes: every lane up to a cap, the rest scrolls. */
export function canvasHeight(lanes: number): number {
  return Math.min(520, Math.max(140, AXIS_H + Math.max(1, lanes) * LANE_H + 4));
}

export function TimelineCanvas(props: TimelineCanvasProps): JSX.Element {
  const root = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const tooltip = useRef<HTMLDivElement>(null);
  const engine = useRef<TimelineEngine | null>(null);
  const latest = useRef(props);

  useLayoutEffect(() => {
    latest.current = props;
  });

  useLayoutEffect(() => {
    const cb = () => latest.current.callbacks;
    const e = new TimelineEngine(
      { root: root.current!, canvas: canvas.current!, tooltip: tooltip.current! },
      {
        select: (id, m) => cb().select(id, m),
        viewChanged: (f, t, u) => cb().viewChanged?.(f, t, u),
        hover: (m) => cb().hover?.(m),
        describe: (m) => cb().describe(m),
        describeGap: (g) => cb().describeGap(g),
      },
    );
    engine.current = e;
    e.setTime(latest.current.time);
    if (latest.current.view) e.setView(latest.current.view.from, latest.current.view.to);
    const probe: TimelineProbe = {
      frames: e.frames,
      panBy: (dx) => e.panBy(dx),
      zoomBy: (f, x) => e.zoomBy(f, x),
      scrollBy: (dy) => e.scrollBy(dy),
      view: () => e.view(),
      markAt: (id) => e.markAt(id),
    };
    window.__timeline = probe;
    return () => {
      e.destroy();
      engine.current = null;
      if (window.__timeline === probe) delete window.__timeline;
    };
  }, []);

  const { time, data, fetched, view, selected, reveal, details } = props;
  useLayoutEffect(() => {
    engine.current?.setTime(time);
  }, [time]);
  useLayoutEffect(() => {
    engine.current?.setData(data ?? null, data ? fetched : null);
  }, [data, fetched]);
  useLayoutEffect(() => {
    const e = engine.current;
    if (!e) return;
    // no window in the address: the home window (a "last hour" after a pan resets)
    if (!view) {
      if (e.movedByUser) e.resetView();
      return;
    }
    // the address follows the camera: only a window that differs (a link, back) moves it
    const v = e.view();
    if (Math.abs(v.from - view.from) > 1000 || Math.abs(v.to - view.to) > 1000) e.setView(view.from, view.to);
  }, [view?.from, view?.to]);
  useLayoutEffect(() => {
    engine.current?.select(selected);
  }, [selected, data]);
  useLayoutEffect(() => {
    if (reveal) engine.current?.select(latest.current.selected, true);
  }, [reveal]);
  useLayoutEffect(() => {
    engine.current?.refreshTooltip();
  }, [details]);

  const lanes = data?.lanes.length ?? 0;
  return (
    <div
      className="timeline-canvas canvas-view"
      ref={root}
      data-timeline
      data-lanes={lanes}
      data-truncated={data?.truncated || undefined}
      style={{ height: canvasHeight(lanes) }}
    >
      <canvas ref={canvas} tabIndex={0} role="application" aria-roledescription="timeline" aria-label={HELP} />
      <div className="timeline-tooltip canvas-tooltip" ref={tooltip} role="tooltip" hidden />
    </div>
  );
}
