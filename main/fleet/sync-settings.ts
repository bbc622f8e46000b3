// sync-settings.json in the data folder: which contexts and which kubeconfig sources (a file or a
// folder) are turned off. An off cluster stays in the fleet with its cached data (status 'off'), but
// the sync worker runs no reflector for it and makes no request to it. Read by the back end of both
// shells (the web shell and the desktop app) and passed to the sync worker; never in the cache, so a
// snapshot or a bundle carries none of it. A damaged file never stops the console: everything is on.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { ContextEntry } from './kubeconfig.ts';

export const SYNC_SETTINGS_FILE = 'sync-settings.json';

/** What retention may be set to: an hour to a year of history, 64 MiB to 1 TiB of cache. */
export const RETENTION_LIMITS = { minAgeMs: 3600_000, maxAgeMs: 366 * 86_400_000, minBytes: 64 * 1024 ** 2, maxBytes: 1024 ** 4 } as const;

export function syncSettingsPath(dataDir: string): string {
  return join(dataDir, SYNC_SETTINGS_FILE);
}

const schema = z.object({
  version: z.literal(1),
  /** cluster ids (ContextEntry.id) turned off */
  offClusters: z.array(z.string().min(1).max(512)).max(100_000),
  /** kubeconfig files and folders (absolute paths) whose every context is turned off */
  offSources: z.array(z.string().min(1).max(4096)).max(10_000),
  /** the cache's retention as the user set it in Settings (absent: the defaults) */
  retention: z
    .object({
      maxAgeMs: z.number().int().min(RETENTION_LIMITS.minAgeMs).max(RETENTION_LIMITS.maxAgeMs),
      maxBytes: z.number().int().min(RETENTION_LIMITS.minBytes).max(RETENTION_LIMITS.maxBytes),
    })
    .strict()
    .optional(),
});

export type SyncSettings = z.infer<typeof schema>;

export const DEFAULT_SYNC_SETTINGS: SyncSettings = { version: 1, offClusters: [], offSources: [] };

export function loadSyncSettings(file: string): { settings: SyncSettings; warning?: string } {
  const defaults = (): SyncSettings => ({ version: 1, offClusters: [], offSources: [] });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { settings: defaults() };
    return { settings: defaults(), warning: `cannot read ${file}: ${(e as Error).message}; every cluster is on` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { settings: defaults(), warning: `${file} is not JSON (${(e as Error).message}); every cluster is on` };
  }
  const r = schema.safeParse(json);
  if (!r.success) return { settings: defaults(), warning: `${file} is not valid; every cluster is on` };
  return { settings: r.data };
}

/** Written to a temporary file and renamed over the old one: a crash never leaves half a file. */
export function saveSyncSettings(file: string, settings: SyncSettings): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const clean: SyncSettings = {
    version: 1,
    offClusters: [...new Set(settings.offClusters)].sort(),
    offSources: [...new Set(settings.offSources.map((p) => resolve(p)))].sort(),
    ...(settings.retention ? { retention: { maxAgeMs: settings.retention.maxAgeMs, maxBytes: settings.retention.maxBytes } } : {}),
  };
  writeFileSync(tmp, `${JSON.stringify(schema.parse(clean), null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** The cluster ids turned on or off; the other clusters as they were. */
export function withClustersEnabled(s: SyncSettings, ids: readonly string[], enabled: boolean): SyncSettings {
  const off = new Set(s.offClusters);
  for (const id of ids) {
    if (enabled) off.delete(id);
    else off.add(id);
  }
  return { ...s, offClusters: [...off].sort() };
}

export function withSourceEnabled(s: SyncSettings, path: string, enabled: boolean): SyncSettings {
  const p = resolve(path);
  const off = new Set(s.offSources);
  if (enabled) off.delete(p);
  else off.add(p);
  return { ...s, offSources: [...off].sort() };
}

/** Is this file one of the source's: the file itself, or a file inside the folder. */
export function inSource(file: string, source: string): boolean {
  const f = resolve(file);
  const s = resolve(source);
  return f === s || f.startsWith(s.endsWith(sep) ? s : s + sep);
}

/** Why an entry is not synced: its context is off, or its source is; null when it is on. */
export function offReason(e: Pick<ContextEntry, 'id' | 'file'>, s: Pick<SyncSettings, 'offClusters' | 'offSources'>): string | null {
  if (s.offClusters.includes(e.id)) return 'turned off in Settings';
  const src = s.offSources.find((p) => inSource(e.file, p));
  return src ? `its kubeconfig source ${src} is turned off in Settings` : null;
}
