// Charts from the stored samples (one per cluster per minute while the cache is synced):
// allocatable vs requested CPU, memory and accelerators, and node count by health.
import { useState, type ReactElement } from 'react';
import {
  Area,
  AreaChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useApp } from '../store/index.ts';
import { formatBytes, formatCpu } from '../../common/format.ts';
import { useContract } from '../store/useContract.ts';
import { ErrorNote, Loading, Panel } from '../components/common.tsx';

const RANGES = [
  { label: '1 h', ms: 3600_000 },
  { label: '6 h', ms: 6 * 3600_000 },
  { label: '24 h', ms: 24 * 3600_000 },
  { label: '7 d', ms: 7 * 24 * 3600_000 },
];

const time = (t: number) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function Charts({ cluster }: { cluster: string }) {
  const [range, setRange] = useState(RANGES[2]!.ms);
  // "as of T": the time the other panels show, marked on the charts (the samples around it stay).
  const at = useApp((s) => s.at);
  // The window is fixed per choice (rounded to the minute) so re-reads on push keep the same key.
  const [to] = useState(() => Math.ceil(Date.now() / 60_000) * 60_000 + 3600_000);
  const { data, error } = useContract('metrics.get', { cluster, from: to - 3600_000 - range, to }, cluster);
  if (error && !data) return <ErrorNote error={error} />;
  if (!data) return <Loading what="history" />;
  const rows = data.map((p) => ({
    at: p.at,
    cpuAlloc: p.cpu.allocatable,
    cpuReq: p.cpu.requested,
    memAlloc: p.memory.allocatable,
    memReq: p.memory.requested,
    gpuAlloc: p.gpu.allocatable,
    gpuReq: p.gpu.requested,
    ok: p.nodes.ok,
    warning: p.nodes.warning,
    critical: p.nodes.critical,
    unknown: p.nodes.unknown,
  }));
  const hasGpu = rows.some((r) => r.gpuAlloc > 0);
  const marker =
    at !== null && rows.length && at >= rows[0]!.at && at <= rows[rows.length - 1]!.at ? (
      <ReferenceLine
        x={at}
        stroke="var(--warn)"
        strokeDasharray="4 2"
        label={{ value: 'as of', fill: 'var(--warn)', position: 'insideTopLeft' }}
      />
    ) : null;
  const picker = (
    <div className="segmented" role="group" aria-label="Time range">
      {RANGES.map((r) => (
        <button key={r.label} type="button" aria-pressed={range === r.ms} onClick={() => setRange(r.ms)}>
          {r.label}
        </button>
      ))}
    </div>
  );
  if (rows.length < 2) {
    return (
      <Panel title="History" id="charts">
        {picker}
        <p className="muted">
          {rows.length ? 'One sample so far' : 'No samples in this window'}: the console samples each cluster once a minute while it syncs.
        </p>
      </Panel>
    );
  }
  // What every chart has: the grid, the time axis, a tooltip, the legend and the "as of" marker
  // (an array of elements, not a component: recharts reads its children's types).
  const frame = (yAxis: ReactElement, fmt?: (v: number) => string) => [
    <CartesianGrid key="grid" strokeDasharray="3 3" stroke="var(--grid)" />,
    <XAxis key="x" dataKey="at" type="number" domain={['dataMin', 'dataMax']} tickFormatter={time} stroke="var(--muted)" />,
    yAxis,
    <Tooltip
      key="tooltip"
      labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
      {...(fmt ? { formatter: (v: unknown) => fmt(Number(v)) } : {})}
      contentStyle={{ background: 'var(--bg2)', border: '1px solid var(--line)' }}
    />,
    <Legend key="legend" />,
    marker,
  ];
  const chart = (title: string, a: 'cpu' | 'mem' | 'gpu', fmt: (v: number) => string) => (
    <ChartFigure title={title} k={a}>
      <LineChart data={rows} margin={MARGIN}>
        {frame(<YAxis key="y" tickFormatter={(v: number) => fmt(v)} stroke="var(--muted)" width={72} />, fmt)}
        <Line type="stepAfter" dataKey={`${a}Alloc`} name="allocatable" stroke="var(--c-alloc)" dot={false} isAnimationActive={false} />
        <Line type="stepAfter" dataKey={`${a}Req`} name="requested" stroke="var(--c-req)" dot={false} isAnimationActive={false} />
      </LineChart>
    </ChartFigure>
  );
  return (
    <Panel title="History" id="charts">
      {picker}
      <div className="charts">
        {chart('CPU: allocatable vs requested', 'cpu', (v) => formatCpu(v))}
        {chart('Memory: allocatable vs requested', 'mem', (v) => formatBytes(v))}
        {hasGpu && chart('Accelerators: allocatable vs allocated', 'gpu', (v) => String(v))}
        <ChartFigure title="Nodes by health" k="health">
          <AreaChart data={rows} margin={MARGIN}>
            {frame(<YAxis key="y" allowDecimals={false} stroke="var(--muted)" width={48} />)}
            <Area type="stepAfter" dataKey="ok" stackId="1" stroke="var(--ok)" fill="var(--ok)" isAnimationActive={false} />
            <Area type="stepAfter" dataKey="warning" stackId="1" stroke="var(--warn)" fill="var(--warn)" isAnimationActive={false} />
            <Area type="stepAfter" dataKey="critical" stackId="1" stroke="var(--bad)" fill="var(--bad)" isAnimationActive={false} />
            <Area type="stepAfter" dataKey="unknown" stackId="1" stroke="var(--muted)" fill="var(--muted)" isAnimationActive={false} />
          </AreaChart>
        </ChartFigure>
      </div>
    </Panel>
  );
}

const MARGIN = { left: 8, right: 16, top: 8, bottom: 0 };

function ChartFigure({ title, k, children }: { title: string; k: string; children: ReactElement }) {
  return (
    <figure className="chart" data-chart={k}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={200}>
        {children}
      </ResponsiveContainer>
    </figure>
  );
}
