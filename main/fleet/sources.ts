// Where kubeconfigs come from: ~/.kube/config, $KUBECONFIG (merged like kubectl), and the files and
// folders the user adds (each file on its own; folders are scanned and watched).
import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, join, resolve } from 'node:path';
import { entriesFromFiles, type ContextEntry, type SourceKind } from './kubeconfig.ts';

export interface SourceConfig {
  /** include ~/.kube/config (when KUBECONFIG is unset, as kubectl does) */
  useDefault: boolean;
  /** value of $KUBECONFIG, if any */
  kubeconfigEnv?: string;
  files: string[];
  folders: string[];
}

/** Editor backups, swap and lock files that live next to kubeconfigs and are not kubeconfigs. */
export function isIgnoredName(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.endsWith('~') ||
    /\.(lock|swp|swo|swx|bak|orig|rej|tmp|temp|part|crdownload|pem|crt|key|md|txt|json\.lock)$/i.test(name) ||
    /^#.*#$/.test(name) ||
    /^\.#/.test(name) ||
    name === 'kubectx' ||
    name === 'cache' ||
    name === 'http-cache'
  );
}

/** Folder scan: regular files directly inside (kubeconfig folders are flat), ignored names skipped. */
export function scanFolder(folder: string, maxFiles = 500): { files: string[]; error?: string } {
  try {
    const names = readdirSync(folder)
      .filter((n) => !isIgnoredName(n))
      .sort();
    const files: string[] = [];
    for (const n of names) {
      const p = join(folder, n);
      try {
        if (statSync(p).isFile()) files.push(p);
      } catch {
        /* vanished between readdir and stat */
      }
      if (files.length >= maxFiles) return { files, error: `more than ${maxFiles} files: the rest are not read` };
    }
    return { files };
  } catch (e) {
    return { files: [], error: `cannot read folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

export interface Discovery {
  entries: ContextEntry[];
  /** problems with whole files or folders (a broken file never hides the others) */
  problems: { path: string; source: SourceKind; error: string }[];
  /** where we looked, for "no kubeconfig found" messages */
  looked: string[];
}

/**
 * Kubeconfigs named by the user (command line, dialogs): a folder is watched, anything else is read as a
 * file (a missing path too, so it gets its own error). Paths are made absolute.
 */
export function sourcesFromPaths(paths: readonly string[], isDir: (p: string) => boolean = isDirectory): SourceConfig {
  const cfg: SourceConfig = { useDefault: false, files: [], folders: [] };
  for (const p of paths) (isDir(p) ? cfg.folders : cfg.files).push(resolve(p));
  return cfg;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function defaultSourceConfig(env: NodeJS.ProcessEnv = process.env): SourceConfig {
  const cfg: SourceConfig = { useDefault: !env.KUBECONFIG, files: [], folders: [] };
  if (env.KUBECONFIG) cfg.kubeconfigEnv = env.KUBECONFIG;
  return cfg;
}

export function discover(cfg: SourceConfig, home = homedir()): Discovery {
  const out: Discovery = { entries: [], problems: [], looked: [] };
  const seen = new Set<string>();
  const add = (r: ReturnType<typeof entriesFromFiles>, source: SourceKind) => {
    for (const e of r.entries) {
      if (seen.has(e.id)) continue; // the same (file, context) reached twice
      seen.add(e.id);
      out.entries.push(e);
    }
    for (const f of r.fileErrors) out.problems.push({ path: f.file, source, error: f.error });
  };
  if (cfg.kubeconfigEnv) {
    const paths = cfg.kubeconfigEnv
      .split(delimiter)
      .filter(Boolean)
      .map((p) => resolve(p));
    out.looked.push(...paths.map((p) => `$KUBECONFIG: ${p}`));
    // kubectl ignores KUBECONFIG entries that do not exist.
    add(
      entriesFromFiles(
        paths.filter((p) => existsSync(p)),
        'KUBECONFIG',
        true,
      ),
      'KUBECONFIG',
    );
  }
  if (cfg.useDefault) {
    const p = join(home, '.kube', 'config');
    out.looked.push(p);
    if (existsSync(p)) add(entriesFromFiles([p], 'default', false), 'default');
  }
  for (const f of cfg.files) {
    const p = resolve(f);
    out.looked.push(p);
    add(entriesFromFiles([p], 'file', false), 'file');
  }
  for (const d of cfg.folders) {
    const p = resolve(d);
    out.looked.push(`${p}/`);
    const scan = scanFolder(p);
    if (scan.error) out.problems.push({ path: p, source: 'folder', error: scan.error });
    const r = entriesFromFiles(scan.files, 'folder', false);
    // In a folder, files that are not kubeconfigs at all are common (notes, scripts): report them
    // quietly as problems, but an empty folder is not an error.
    add(r, 'folder');
  }
  markDuplicates(out.entries);
  return out;
}

export interface DuplicateInfo {
  /** id of the entry that is watched for this server + identity */
  duplicateOf?: string;
}

/** The same server reached with the same identity from two places: watch it once. */
export function markDuplicates(entries: (ContextEntry & DuplicateInfo)[]): void {
  const first = new Map<string, string>();
  for (const e of entries) {
    if (!e.identity) continue;
    const prev = first.get(e.identity);
    if (prev) {
      e.duplicateOf = prev;
      e.warnings.push(`same server and user as another entry (${prev}); watched once`);
    } else first.set(e.identity, e.id);
  }
}

export interface WatchOptions {
  /** also look every this many ms (default 3000; 0: never): fs.watch reports nothing on some file systems */
  pollMs?: number;
  /** use fs.watch (default true; tests turn it off to see the poll alone) */
  fsWatch?: boolean;
}

/**
 * What the poll compares: per watched folder its listing with each file's size and mtime, per file its
 * own (or that it is missing). Cheap: a readdir and a stat per kubeconfig, no file is read.
 */
export function sourcesFingerprint(cfg: SourceConfig): string {
  const parts: string[] = [];
  const stamp = (p: string) => {
    try {
      const st = statSync(p);
      return `${p}:${st.isDirectory() ? 'd' : st.size}:${st.mtimeMs}`;
    } catch {
      return `${p}:-`;
    }
  };
  for (const d of cfg.folders) {
    const p = resolve(d);
    try {
      const names = readdirSync(p)
        .filter((n) => !isIgnoredName(n))
        .sort();
      parts.push(`${p}/`, ...names.map((n) => stamp(join(p, n))));
    } catch {
      parts.push(`${p}/:-`);
    }
  }
  const files = [...cfg.files, ...(cfg.kubeconfigEnv?.split(delimiter) ?? [])].filter(Boolean).map((f) => resolve(f));
  if (cfg.useDefault) files.push(join(homedir(), '.kube', 'config'));
  for (const f of files) parts.push(stamp(f));
  return parts.join('\n');
}

/**
 * Watch folders and files for changes (debounced). The callback re-runs discovery; a burst of writes
 * (editors write a temp file then rename it) gives one call. fs.watch misses changes on network file
 * systems (NFS, SMB home folders) and some containers' mounts, so the sources are also stat'ed every
 * few seconds and a change either way reloads.
 */
export function watchSources(cfg: SourceConfig, onChange: () => void, debounceMs = 300, opts: WatchOptions = {}): () => void {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  const kick = (name?: string | null) => {
    if (name && isIgnoredName(basename(name))) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      // what the poll compares with from now on: this change is seen
      last = sourcesFingerprint(cfg);
      onChange();
    }, debounceMs);
  };
  const targets = new Set<string>([...cfg.folders.map((f) => resolve(f))]);
  // Watch the folder of each file: editors replace files (rename), which a file watch would lose.
  for (const f of [...cfg.files, ...(cfg.kubeconfigEnv?.split(delimiter) ?? [])]) if (f) targets.add(resolve(f, '..'));
  if (cfg.useDefault) targets.add(join(homedir(), '.kube'));
  if (opts.fsWatch !== false)
    for (const t of targets) {
      try {
        const w = watch(t, { persistent: false }, (_ev, name) => kick(name));
        w.on('error', () => {});
        watchers.push(w);
      } catch {
        /* folder does not exist (yet): nothing to watch */
      }
    }
  const pollMs = opts.pollMs ?? 3000;
  let poll: NodeJS.Timeout | undefined;
  if (pollMs > 0) {
    last = sourcesFingerprint(cfg);
    poll = setInterval(() => {
      const now = sourcesFingerprint(cfg);
      if (now !== last) {
        last = now;
        kick();
      }
    }, pollMs);
    poll.unref();
  }
  return () => {
    clearTimeout(timer);
    clearInterval(poll);
    for (const w of watchers) w.close();
  };
}
