// Human formatting, in one place: counts, percentages, ages, bytes, cpu and resource values, for the
// renderer (tables, the map, its tooltip and legend) and for the model's messages. Inputs are console
// units (see contract.ts): cpu in millicores, memory and storage in bytes, everything else a count;
// times in milliseconds.
//
// WHY no toLocaleString / Intl: output must not depend on the machine's locale (tests, screenshots and
// the two shells must agree), so grouping is a fixed ','. It is also cheaper: the map formats counts
// for every tile header it draws, and formatCount is plain string work (faster than a cached
// Intl.NumberFormat). Callers that want another rendering of the same thing (the model's three cpu
// decimals and em dash) pass an option; there is no second set of formatters.

/** Shown for values that cannot be rendered (null, NaN, negative ages). */
export const NO_VALUE = '–';

export interface FormatOptions {
  /** shown instead of a value that cannot be rendered (default NO_VALUE) */
  missing?: string;
}

/** toFixed without trailing zeros: (1.50, 2) → "1.5", (2, 2) → "2". */
function trimFixed(v: number, decimals: number): string {
  const s = v.toFixed(decimals);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Groups the integer digits of a non-negative decimal string with ','. */
function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Millicores like kubectl: 250 → "250m", 1500 → "1.5", 64000 → "64" (cores with up to `decimals`
 * decimals, default 2: 1234 → "1.23"; the model's messages use 3: 31750 → "31.75", 1234 → "1.234").
 */
export function formatCpu(millis: number, opts: FormatOptions & { decimals?: number } = {}): string {
  if (!Number.isFinite(millis)) return opts.missing ?? NO_VALUE;
  const m = Math.round(millis);
  if (m === 0) return '0';
  if (Math.abs(m) < 1000) return `${m}m`;
  return trimFixed(m / 1000, opts.decimals ?? 2);
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** Bytes in binary units with 3 significant digits: 512 → "512 B", 1536 → "1.5 KiB", 2^34 → "16 GiB"; EiB at most. */
export function formatBytes(bytes: number, opts: FormatOptions = {}): string {
  if (!Number.isFinite(bytes)) return opts.missing ?? NO_VALUE;
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < BINARY_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  let decimals = i === 0 || v >= 100 ? 0 : v < 10 ? 2 : 1;
  // Rounding can carry into the next unit (1023.7 KiB → "1024 KiB"): show "1 MiB" instead.
  if (Number(v.toFixed(decimals)) >= 1024 && i < BINARY_UNITS.length - 1) {
    v /= 1024;
    i++;
    decimals = 2;
  }
  return `${sign}${trimFixed(v, decimals)} ${BINARY_UNITS[i]}`;
}

/** Byte-valued resource names (after an optional ResourceQuota "requests."/"limits." prefix). */
function isBytesResource(base: string): boolean {
  return (
    base === 'memory' || base === 'ephemeral-storage' || base === 'storage' || base.startsWith('hugepages-') || base.endsWith('memory')
  );
}

/**
 * A resource value in console units: "cpu" (millicores) → formatCpu; memory, ephemeral-storage,
 * storage, hugepages-* and names ending in "memory" (bytes) → formatBytes; anything else (pods,
 * nvidia.com/gpu, ...) → a count. ResourceQuota spellings ("requests.memory", "limits.cpu") work too.
 */
export function formatResource(name: string, v: number): string {
  const base = name.replace(/^(?:requests|limits)\./, '');
  if (base === 'cpu') return formatCpu(v);
  if (isBytesResource(base)) return formatBytes(v);
  return formatCount(v);
}

/** A fraction as a whole percentage: 0.456 → "46%", 1.234 → "123%", null → "–". */
export function formatPercent(frac: number | null): string {
  if (frac === null || !Number.isFinite(frac)) return NO_VALUE;
  const p = Math.round(frac * 100);
  return `${p === 0 ? 0 : p}%`; // no "-0%"
}

/**
 * An age like kubectl's AGE column (k8s.io/apimachinery/pkg/util/duration.HumanDuration):
 * "45s", "5m30s", "12m", "3h20m", "10h", "5d4h", "12d", "2y", "3y120d". Negative or NaN → "–".
 */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return NO_VALUE;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/**
 * How long something took (not an age): "840 ms" under a second, "7.8 s" under a minute, then as
 * formatAge ("2m5s"). Negative or NaN → "–".
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return NO_VALUE;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trimFixed(ms / 1000, 1)} s`;
  return formatAge(ms);
}

/** A count with fixed ',' grouping: 12345 → "12,345"; fractions keep up to 2 decimals (1234.5 → "1,234.5"). */
export function formatCount(n: number): string {
  // Whole numbers, nearly every call (the map's tile headers, every frame): no toFixed, no trimming.
  if (Number.isSafeInteger(n)) {
    if (n > -1000 && n < 1000) return String(n); // String(-0) is "0"
    return n < 0 ? `-${group(String(-n))}` : group(String(n));
  }
  if (!Number.isFinite(n)) return NO_VALUE;
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  if (abs >= 1e21) return `${sign}${String(abs)}`; // toFixed switches to exponent notation here
  const text = trimFixed(abs, 2);
  if (text === '0') return '0';
  const dot = text.indexOf('.');
  const int = dot < 0 ? text : text.slice(0, dot);
  const frac = dot < 0 ? '' : text.slice(dot);
  return `${sign}${group(int)}${frac}`;
}
