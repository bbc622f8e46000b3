// settings.json in the app's data folder (app.getPath('userData')): the kubeconfig files and folders the
// user added, the window's bounds, and read-only mode (View → Read-only Mode). Next to it: cache.db (the cache) and exec-approvals.json (exec
// plugin trust, shared with the CLI). A damaged file never stops the app: it starts with defaults and
// says so.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { defaultSourceConfig, type SourceConfig } from '../fleet/sources.ts';
import type { WindowState } from './window-state.ts';

export const SETTINGS_FILE = 'settings.json';
export const CACHE_FILE = 'cache.db';
export const APPROVALS_FILE = 'exec-approvals.json';

export function dataFiles(userData: string): { settings: string; cache: string; approvals: string } {
  return { settings: join(userData, SETTINGS_FILE), cache: join(userData, CACHE_FILE), approvals: join(userData, APPROVALS_FILE) };
}

const path = z.string().min(1).max(4096);
const rect = z.object({ x: z.number().finite(), y: z.number().finite(), width: z.number().positive(), height: z.number().positive() });

const schema = z.object({
  version: z.literal(1),
  sources: z.object({ files: z.array(path).max(1000), folders: z.array(path).max(1000) }).optional(),
  window: z.object({ bounds: rect, maximized: z.boolean() }).optional(),
  /** View → Read-only Mode: the console takes no actions on the clusters */
  readOnly: z.boolean().optional(),
});

export type Settings = z.infer<typeof schema>;

export const DEFAULT_SETTINGS: Settings = { version: 1 };

export function loadSettings(file: string): { settings: Settings; warning?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { settings: { ...DEFAULT_SETTINGS } };
    return { settings: { ...DEFAULT_SETTINGS }, warning: `cannot read ${file}: ${(e as Error).message}; using defaults` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { settings: { ...DEFAULT_SETTINGS }, warning: `${file} is not JSON (${(e as Error).message}); using defaults` };
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const why = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return { settings: { ...DEFAULT_SETTINGS }, warning: `${file} is not valid (${why}); using defaults` };
  }
  return { settings: r.data };
}

/** Written to a temporary file and renamed over the old one: a crash never leaves half a file. */
export function saveSettings(file: string, settings: Settings): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(schema.parse(settings), null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** The session's kubeconfig sources: $KUBECONFIG or ~/.kube/config as kubectl, plus what the user added. */
export function sourcesOf(settings: Settings, env: NodeJS.ProcessEnv = process.env): SourceConfig {
  return { ...defaultSourceConfig(env), files: [...(settings.sources?.files ?? [])], folders: [...(settings.sources?.folders ?? [])] };
}

/** Only what the user added is remembered; $KUBECONFIG is read again at every start. */
export function withSources(settings: Settings, sources: SourceConfig): Settings {
  return { ...settings, sources: { files: [...sources.files], folders: [...sources.folders] } };
}

export function withReadOnly(settings: Settings, readOnly: boolean): Settings {
  return { ...settings, readOnly };
}

export function withWindow(settings: Settings, window: WindowState): Settings {
  return { ...settings, window: { bounds: { ...window.bounds }, maximized: window.maximized } };
}
