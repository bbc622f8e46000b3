// What a node cell's colour says, per measure, and the legend that explains it. Pure: no DOM.
//
// Cells are coloured by bucket: the draw loop sets a fill style only when the bucket changes, and a
// cluster's buckets are computed once per (fleet version, measure), not per frame.
//   health: ok / warning / critical / unknown (HEALTH_LEVELS order), in traffic-light colours.
//   cpu, memory, gpu, pods: requested (allocated) share in ten 10% steps on viridis, a perceptually
//     uniform, colour-blind-safe ramp (light theme: pale = little requested, dark = a lot; the dark
//     theme runs the other way, so "a lot" is always the strongest contrast with the background),
//     then "over 100%" (requests above allocatable: overcommitted) in red, and "n/a" (nothing
//     allocatable, or no accelerators for the GPU measure) in a faint grey.
import type { ClusterStatus, HealthLevel, Measure, NodeCell } from '../../common/contract.ts';

export type Theme = 'light' | 'dark';

/** Buckets 0..9: 0–10% … 90–100%; then these. */
export const RAMP_STEPS = 10;
export const BUCKET_OVER = 10;
export const BUCKET_NA = 11;
export const BUCKETS = 12;

// viridis at 10 evenly spaced points
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

export interface Palette {
  theme: Theme;
  background: string;
  tile: string;
  tileBorder: string;
  text: string;
  muted: string;
  focus: string;
  hover: string;
  /** accelerator mark on a cell */
  accelerator: string;
  /** CSI problem badge */
  csi: string;
  /** cordon stroke */
  cordon: string;
  health: Record<HealthLevel, string>;
  /** RAMP_STEPS colours, then over, then n/a: index with a bucket */
  ramp: string[];
  status: Record<StatusTone, string>;
}

export type StatusTone = 'ok' | 'progress' | 'warn' | 'bad' | 'auth' | 'neutral';

const LIGHT: Palette = {
  theme: 'light',
  background: '#f4f5f7',
  tile: '#ffffff',
  tileBorder: '#d5d9e0',
  text: '#1b1f24',
  muted: '#5b6470',
  focus: '#0b63d1',
  hover: '#111111',
  accelerator: '#111111',
  csi: '#c5221f',
  cordon: '#111111',
  health: { ok: '#2e9e4f', warning: '#e8a317', critical: '#d93025', unknown: '#9aa0a6' },
  ramp: [...[...VIRIDIS].reverse(), '#d93025', '#dfe2e6'],
  status: { ok: '#1e8e3e', progress: '#1a73e8', warn: '#b06000', bad: '#d93025', auth: '#8430ce', neutral: '#5f6368' },
};

const DARK: Palette = {
  theme: 'dark',
  background: '#111418',
  tile: '#1b2027',
  tileBorder: '#2d343e',
  text: '#e6e9ed',
  muted: '#9aa4b1',
  focus: '#5ea2ff',
  hover: '#ffffff',
  accelerator: '#ffffff',
  csi: '#ff6b5e',
  cordon: '#ffffff',
  health: { ok: '#3fb950', warning: '#e3b341', critical: '#f85149', unknown: '#6e7681' },
  ramp: [...VIRIDIS, '#f85149', '#2a3038'],
  status: { ok: '#3fb950', progress: '#58a6ff', warn: '#e3b341', bad: '#f85149', auth: '#bc8cff', neutral: '#9aa4b1' },
};

export function palette(theme: Theme): Palette {
  return theme === 'dark' ? DARK : LIGHT;
}

/** Bucket of a share (0..1, may exceed 1; null: not applicable). */
export function rampBucket(v: number | null | undefined): number {
  if (v === null || v === undefined || !Number.isFinite(v)) return BUCKET_NA;
  if (v > 1.0005) return BUCKET_OVER;
  if (v <= 0) return 0;
  return Math.min(RAMP_STEPS - 1, Math.floor(v * RAMP_STEPS - 1e-9));
}

/** The cell field each share measure reads. */
const CELL_FIELD = { cpu: 'c', memory: 'm', gpu: 'g', pods: 'p' } as const satisfies Record<Exclude<Measure, 'health'>, keyof NodeCell>;

/** The value a measure reads from a cell. */
export function cellValue(c: NodeCell, measure: Exclude<Measure, 'health'>): number | null {
  return c[CELL_FIELD[measure]];
}

/** Bucket of a cell under a measure: a health level index for 'health', a ramp bucket otherwise. */
export function cellBucket(c: NodeCell, measure: Measure): number {
  if (measure === 'health') return c.h >= 0 && c.h <= 3 ? c.h : 3;
  return rampBucket(cellValue(c, measure));
}

/** Buckets of every cell of a cluster (computed once per fleet version and measure, not per frame). */
export function cellBuckets(cells: readonly NodeCell[], measure: Measure): Uint8Array {
  const out = new Uint8Array(cells.length);
  for (let i = 0; i < cells.length; i++) out[i] = cellBucket(cells[i]!, measure);
  return out;
}

/** Same cells, field by field: a new fleet read of an unchanged cluster keeps its cached colours. */
export function sameCells(a: readonly NodeCell[], b: readonly NodeCell[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.n !== y.n ||
      x.h !== y.h ||
      x.c !== y.c ||
      x.m !== y.m ||
      x.g !== y.g ||
      x.p !== y.p ||
      x.a !== y.a ||
      x.s !== y.s ||
      x.k !== y.k
    ) {
      return false;
    }
  }
  return true;
}

const HEALTH_ORDER: HealthLevel[] = ['ok', 'warning', 'critical', 'unknown'];

/** Fill colours indexed by bucket, for a measure. */
export function bucketColors(measure: Measure, theme: Theme): string[] {
  const p = palette(theme);
  return measure === 'health' ? HEALTH_ORDER.map((h) => p.health[h]) : p.ramp;
}

/** Cell fills by bucket for a measure and a palette: the app's health colours (themePalette) when it defines them. */
export function fillsFor(measure: Measure, pal: Palette): string[] {
  return measure === 'health' ? [pal.status.ok, pal.status.warn, pal.status.bad, pal.health.unknown] : bucketColors(measure, pal.theme);
}

/** Colour of one cell (tests, tooltips; the draw loop uses buckets). */
export function cellColor(c: NodeCell, measure: Measure, theme: Theme): string {
  return bucketColors(measure, theme)[cellBucket(c, measure)]!;
}

export const MEASURE_TITLE: Record<Measure, string> = {
  health: 'Node health',
  cpu: 'CPU requested / allocatable',
  memory: 'Memory requested / allocatable',
  gpu: 'Accelerators allocated / allocatable',
  pods: 'Pods / allocatable pods',
};

export interface LegendEntry {
  label: string;
  color: string;
  /** a ramp step (drawn as one continuous bar) or a separate swatch */
  ramp: boolean;
}

export interface Legend {
  title: string;
  entries: LegendEntry[];
}

/** The legend of a measure: what each colour means. */
export function legend(measure: Measure, theme: Theme): Legend {
  const p = palette(theme);
  if (measure === 'health') {
    return {
      title: MEASURE_TITLE.health,
      entries: [
        { label: 'ok', color: p.health.ok, ramp: false },
        { label: 'warning', color: p.health.warning, ramp: false },
        { label: 'critical', color: p.health.critical, ramp: false },
        { label: 'unknown', color: p.health.unknown, ramp: false },
      ],
    };
  }
  const entries: LegendEntry[] = [];
  for (let i = 0; i < RAMP_STEPS; i++) {
    entries.push({ label: `${i * 10}–${(i + 1) * 10}%`, color: p.ramp[i]!, ramp: true });
  }
  entries.push({ label: 'over 100%', color: p.ramp[BUCKET_OVER]!, ramp: false });
  entries.push({ label: measure === 'gpu' ? 'no accelerators' : 'n/a', color: p.ramp[BUCKET_NA]!, ramp: false });
  return { title: MEASURE_TITLE[measure], entries };
}

/** The tone (colour family) of a cluster status. */
export function statusTone(s: ClusterStatus): StatusTone {
  switch (s) {
    case 'live':
      return 'ok';
    case 'syncing':
    case 'connecting':
      return 'progress';
    case 'stale':
    case 'needs-approval':
      return 'warn';
    case 'unreachable':
    case 'error':
      return 'bad';
    case 'unauthorized':
      return 'auth';
    case 'offline':
    case 'off':
      return 'neutral';
  }
}

export function statusColor(s: ClusterStatus, theme: Theme): string {
  return palette(theme).status[statusTone(s)];
}

/** Black or white, whichever reads better on a fill colour (#rrggbb): for node names drawn on cells. */
export function textOn(hex: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) return '#000000';
  const lin = (h: string) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * lin(m[1]!) + 0.7152 * lin(m[2]!) + 0.0722 * lin(m[3]!);
  // WCAG contrast against black (l + 0.05) / 0.05 vs against white 1.05 / (l + 0.05): equal at l ≈ 0.179
  return l > 0.179 ? '#000000' : '#ffffff';
}
