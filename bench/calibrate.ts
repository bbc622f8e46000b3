// A fixed CPU workload timed in the same run as a benchmark, so figures from noisy machines can be
// compared as ratios (figure / calibration) rather than as raw seconds.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Milliseconds to SHA-256 256 MiB, best of 3 (one core). */
export function calibrationMs(): number {
  const buf = Buffer.alloc(16 * 1024 * 1024, 7);
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const h = createHash('sha256');
    for (let i = 0; i < 16; i++) h.update(buf);
    h.digest();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

export function memInfo(): { totalBytes: number; availableBytes: number } {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { totalBytes: get('MemTotal'), availableBytes: get('MemAvailable') };
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
