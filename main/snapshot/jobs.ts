// Snapshot work that reads or writes a whole database (a capture, a comparison of two states) runs on
// a thread of its own, so the process that answers the window (the Electron main process, the web
// shell's server) keeps answering while it runs: a capture of a large cache takes seconds.
//
// A job is plain data (paths and options, no functions): runJob() does it wherever it is called;
// inThread() starts a worker thread for one job (main/worker/snapshot-thread.ts, or its bundle beside
// the desktop app's main.js), waits for its one answer and lets the thread end. Errors come back as the
// same classes (SnapshotError, ContractError with its code), so callers handle them as before.
// Jobs that need functions (the bundle's redaction, logs fetched from clusters) stay in the caller.
import { Worker } from 'node:worker_threads';
import { ContractError } from '../../common/contract.ts';
import { Store } from '../store/store.ts';
import { diffStores, type StoreDiff } from './diff.ts';
import { captureSnapshot, openSnapshot, SnapshotError, type CaptureOptions } from './snapshot.ts';
import type { SnapshotManifest } from '../store/manifest.ts';

/** One side of a comparison: a database read as it is (the cache, this session's file) or a snapshot file opened with its checks. */
export interface DiffSide {
  path: string;
  open: 'store' | 'snapshot';
}

export type SnapshotJob =
  | { kind: 'capture'; options: Omit<CaptureOptions, 'transform' | 'textTransform'> }
  | { kind: 'diff'; from: DiffSide; to: DiffSide; includeEvents?: boolean; clusters?: string[]; tmpDir?: string };

export type JobResult<J extends SnapshotJob> = J extends { kind: 'capture' } ? SnapshotManifest : StoreDiff;

/** What a thread answers. */
export type JobAnswer =
  { ok: true; value: SnapshotManifest | StoreDiff } | { ok: false; error: { name: string; message: string; code?: string } };

function openSide(side: DiffSide, tmpDir: string | undefined): { store: Store; close: () => void } {
  if (side.open === 'store') {
    const store = new Store(side.path, { readonly: true });
    return { store, close: () => store.close() };
  }
  const o = openSnapshot(side.path, tmpDir ? { tmpDir } : {});
  return {
    store: o.store,
    close: () => {
      o.store.close();
      o.cleanup();
    },
  };
}

/** Do a job here, in this thread. */
export function runJob<J extends SnapshotJob>(job: J): JobResult<J> {
  if (job.kind === 'capture') return captureSnapshot(job.options) as JobResult<J>;
  if (job.kind === 'diff') {
    const a = openSide(job.from, job.tmpDir);
    try {
      const b = openSide(job.to, job.tmpDir);
      try {
        return diffStores(a.store, b.store, {
          includeEvents: !!job.includeEvents,
          ...(job.clusters?.length ? { clusters: job.clusters } : {}),
        }) as JobResult<J>;
      } finally {
        b.close();
      }
    } finally {
      a.close();
    }
  }
  throw new Error(`unknown snapshot job ${JSON.stringify((job as { kind?: unknown }).kind)}`);
}

/** An error as it crosses a thread: its class name, message and contract code. */
export function encodeError(e: unknown): { name: string; message: string; code?: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    name: err instanceof ContractError ? 'ContractError' : err.name,
    message: err.message,
    ...(err instanceof ContractError ? { code: err.code } : {}),
  };
}

/** The error a caller sees: the class it would have seen had the job run in its own thread. */
export function decodeError(x: { name: string; message: string; code?: string }): Error {
  if (x.name === 'ContractError') return new ContractError(x.message, x.code);
  if (x.name === 'SnapshotError') return new SnapshotError(x.message);
  const e = new Error(x.message);
  e.name = x.name;
  return e;
}

/** The thread's entry: beside this module's bundle (main.js) as snapshot-thread.js, or the source. */
export const SNAPSHOT_THREAD = new URL(
  import.meta.url.endsWith('.ts') ? '../worker/snapshot-thread.ts' : './snapshot-thread.js',
  import.meta.url,
);

/** A capture of the cache on a thread of its own (no rewriting: the bundle's redaction stays with the bundle). */
export function captureInThread(options: Omit<CaptureOptions, 'transform' | 'textTransform'>): Promise<SnapshotManifest> {
  return inThread({ kind: 'capture', options });
}

/** Do a job on a thread of its own; resolves with its result, rejects with its error. */
export function inThread<J extends SnapshotJob>(job: J, entry: URL = SNAPSHOT_THREAD): Promise<JobResult<J>> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const w = new Worker(entry, { workerData: job });
    w.once('message', (a: JobAnswer) => {
      answered = true;
      if (a.ok) resolve(a.value as JobResult<J>);
      else reject(decodeError(a.error));
    });
    w.once('error', (e) => {
      answered = true;
      reject(new SnapshotError(`the ${job.kind} thread failed: ${e.message}`));
    });
    w.once('exit', (code) => {
      if (!answered) reject(new SnapshotError(`the ${job.kind} thread ended (exit code ${code}) without an answer`));
    });
  });
}
