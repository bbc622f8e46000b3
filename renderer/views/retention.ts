// The Settings view's retention form: what the user typed, as the limits settings.retention takes.

/** Days and GiB as the user types them: whole days 1..366 (or hours below a day), 0.0625..1024 GiB. */
export function parseRetention(daysText: string, gibText: string): { maxAgeMs: number; maxBytes: number } | string {
  const d = Number(daysText.trim());
  const g = Number(gibText.trim());
  if (!Number.isFinite(d) || d < 1 / 24 || d > 366) return 'history: from 1 hour (0.042 days) to 366 days';
  if (!Number.isFinite(g) || g < 0.0625 || g > 1024) return 'size: from 0.0625 GiB (64 MiB) to 1024 GiB';
  return { maxAgeMs: Math.round(d * 86_400_000), maxBytes: Math.round(g * 1024 ** 3) };
}
