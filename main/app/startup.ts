// What the desktop app reads from its command line, and what it tells the user when it cannot start.
// Pure: main.ts passes process.argv and shows the messages in native dialogs.
import { isAbsolute, resolve } from 'node:path';

export interface AppArgs {
  /** kubeconfig files or folders for this session (instead of the saved ones; not saved) */
  kubeconfigs: string[];
  /** only these contexts */
  contexts: string[];
  /** open this snapshot read-only instead of watching */
  snapshot?: string;
  /** show the cache without syncing */
  offline: boolean;
  /** read-only mode for this session (no actions), whatever the setting says */
  readOnly: boolean;
  /** the data folder instead of the OS's app-data folder */
  dataDir?: string;
  /** --help: print the usage and quit */
  help: boolean;
  problems: string[];
}

const VALUED = new Set(['kubeconfig', 'context', 'snapshot', 'data-dir']);

export const USAGE = `fleet-console [--kubeconfig F]... [--context C]... [--snapshot FILE | --offline] [--read-only] [--data-dir DIR]
  --kubeconfig F  a kubeconfig file or folder for this session (repeatable; default: the saved ones,
                  $KUBECONFIG or ~/.kube/config)
  --context C     only these contexts (repeatable)
  --snapshot FILE open a snapshot read-only
  --offline       show the cache without syncing
  --read-only     take no actions on the clusters (cordon, drain, scale, restart, delete, apply...) in
                  this session, whatever View → Read-only Mode says
  --data-dir DIR  keep the cache, settings and approvals in DIR`;

/**
 * The app's own options, picked out of the whole argv: Electron and Chromium put their switches and the
 * script path (development) anywhere in it, so unknown arguments are skipped, not errors. Relative
 * paths resolve against `cwd` (the second instance's working directory when forwarded).
 */
export function parseAppArgs(argv: readonly string[], cwd: string): AppArgs {
  const out: AppArgs = { kubeconfigs: [], contexts: [], offline: false, readOnly: false, help: false, problems: [] };
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(a);
    if (!m) continue;
    const name = m[1]!;
    if (name === 'offline') {
      out.offline = true;
      continue;
    }
    if (name === 'help') {
      out.help = true;
      continue;
    }
    if (name === 'read-only') {
      out.readOnly = true;
      continue;
    }
    if (!VALUED.has(name)) continue;
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        out.problems.push(`--${name} needs a value`);
        continue;
      }
      value = next;
      i++;
    }
    if (!value) {
      out.problems.push(`--${name} needs a value`);
      continue;
    }
    if (name === 'kubeconfig') out.kubeconfigs.push(abs(value));
    else if (name === 'context') out.contexts.push(value);
    else if (name === 'snapshot') out.snapshot = abs(value);
    else if (name === 'data-dir') out.dataDir = abs(value);
  }
  if (out.snapshot && out.offline) out.problems.push('--snapshot and --offline: the snapshot is opened (it is read-only anyway)');
  return out;
}

export interface StartupMessage {
  title: string;
  message: string;
  detail: string;
}

/** A native module that does not load, as opposed to a database file that does not open. */
export function isNativeLoadError(e: Error): boolean {
  return /NODE_MODULE_VERSION|was compiled against a different|invalid ELF header|wrong ELF class|dlopen|Cannot find module|better_sqlite3\.node|\.node['"]?: |The specified module could not be found|image not found|not a valid Win32 application|ERR_DLOPEN_FAILED/i.test(
    `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`,
  );
}

/**
 * What the user reads when the cache cannot be opened at start: the exact error, where the file is,
 * and what to do. The app then quits cleanly.
 */
export function databaseFailure(e: Error, dbPath: string, opts: { snapshot?: boolean; platform?: string } = {}): StartupMessage {
  const err = `${(e as NodeJS.ErrnoException).code ? `${(e as NodeJS.ErrnoException).code}: ` : ''}${e.message}`;
  if (isNativeLoadError(e)) {
    return {
      title: 'Fleet console cannot start',
      message: 'The SQLite engine (better-sqlite3) could not be loaded.',
      detail: [
        `Error: ${err}`,
        '',
        `The cache would be at ${dbPath}.`,
        'The native module ships as a prebuilt Node-API binary for this platform; it is missing or does not match ' +
          `this system (${opts.platform ?? process.platform}-${process.arch}). Reinstall the app; when running from source, ` +
          'run `npm install` again (the prebuilds come with better-sqlite3 13).',
      ].join('\n'),
    };
  }
  const what = opts.snapshot ? 'snapshot' : 'cache';
  return {
    title: 'Fleet console cannot start',
    message: `The ${what} database could not be opened.`,
    detail: [
      `Error: ${err}`,
      '',
      `File: ${dbPath}`,
      opts.snapshot
        ? 'Check that the file is a fleet console snapshot and that you can read it.'
        : 'Check that you can write to that folder and that the disk is not full. If the file is damaged, move it aside: ' +
          'the console builds a new cache from the clusters (its history starts again).',
    ].join('\n'),
  };
}

export function rendererMissing(rendererDir: string): StartupMessage {
  return {
    title: 'Fleet console cannot start',
    message: 'The user interface is not built.',
    detail: `${rendererDir}/index.html is missing. Run \`npm run build:renderer\` (npm start does it).`,
  };
}
