// The contract's snapshot and bundle methods for one session (web shell or desktop app): capture the
// cache, compare two states, preview and export bundles, open snapshots and bundles. Files are
// written under the session's data folder only (snapshots/, bundles/); paths the user names are
// only read, after the same checks the CLI makes.
import { existsSync, mkdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { SnapshotError } from '../snapshot/snapshot.ts';
import { captureInThread, inThread, type DiffSide } from '../snapshot/jobs.ts';
import { exportBundle, previewBundle, snapshotOfBundle, type LogFetcher } from '../snapshot/bundle.ts';
import { ContractError, type Params, type Result, type SnapshotDiffDTO } from '../../common/contract.ts';
import type { SessionActions } from '../views/service.ts';

export interface SessionFiles {
  /** what this session shows ("@this"): the live cache, or a snapshot file (read-only) */
  db: string;
  mode: 'live' | 'cache' | 'snapshot';
  /** the live cache, to compare a snapshot with ("@cache") */
  cachePath: string;
  /** where captures and bundles are written */
  dataDir: string;
  logs?: LogFetcher;
  /** switch what the session shows (the shell reloads the renderer) */
  open?: (p: Params<'session.open'>) => Promise<Result<'session.open'>>;
  now?: () => number;
}

function stamp(t: number): string {
  return new Date(t)
    .toISOString()
    .replace(/[:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Is it a gzip file (a bundle) rather than a snapshot? */
export function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * A snapshot to read from a path the user gave: a .fleetsnap, or a bundle (verified, its snapshot
 * extracted under dataDir/opened-bundles). Throws ContractError with the reason when refused.
 */
export async function resolveSnapshotPath(path: string, dataDir: string): Promise<string> {
  if (!isAbsolute(path)) throw new ContractError(`${path}: give an absolute path`, 'invalid');
  if (!existsSync(path)) throw new ContractError(`${path}: no such file`, 'not-found');
  if (statSync(path).isDirectory()) throw new ContractError(`${path}: is a folder`, 'invalid');
  if (!isGzip(path)) return path;
  try {
    return (await snapshotOfBundle(path, join(dataDir, 'opened-bundles'))).snapshot;
  } catch (e) {
    throw new ContractError((e as Error).message, 'invalid');
  }
}

export function sessionActions(s: SessionFiles): SessionActions {
  const now = s.now ?? Date.now;
  const refuse = (e: unknown): never => {
    if (e instanceof ContractError) throw e;
    if (e instanceof SnapshotError) throw new ContractError(e.message, 'invalid');
    throw new ContractError((e as Error).message, 'invalid');
  };

  /** One side of a comparison as the snapshot thread opens it, and its label. */
  const side = async (ref: string): Promise<{ side: DiffSide; label: string }> => {
    if (ref === '@this') return { side: { path: s.db, open: 'store' }, label: s.mode === 'snapshot' ? 'this snapshot' : 'the cache' };
    if (ref === '@cache') {
      if (!existsSync(s.cachePath)) throw new ContractError(`there is no cache at ${s.cachePath} to compare with`, 'not-found');
      return { side: { path: s.cachePath, open: 'store' }, label: 'the cache' };
    }
    return { side: { path: await resolveSnapshotPath(ref, s.dataDir), open: 'snapshot' }, label: basename(ref) };
  };

  return {
    async capture(p) {
      if (s.mode === 'snapshot') throw new ContractError('this session shows a snapshot: capture from the live fleet', 'forbidden');
      const t = now();
      const out = join(s.dataDir, 'snapshots', `fleet-${stamp(t)}.fleetsnap`);
      mkdirSync(join(s.dataDir, 'snapshots'), { recursive: true });
      try {
        const m = await captureInThread({
          db: s.db,
          out,
          ...(p.clusters?.length ? { clusters: p.clusters } : {}),
          ...(p.since ? { since: t - p.since } : {}),
          now: t,
        });
        return {
          path: out,
          capturedAt: m.capturedAt,
          clusters: m.clusters.length,
          objects: m.counts.objects,
          changes: m.counts.changes,
          bytes: statSync(out).size,
        };
      } catch (e) {
        return refuse(e);
      }
    },

    async diff(p) {
      if (p.from === p.to) throw new ContractError('compare two different things', 'invalid');
      const a = await side(p.from);
      const b = await side(p.to);
      try {
        const d = await inThread({ kind: 'diff', from: a.side, to: b.side, includeEvents: !!p.includeEvents, tmpDir: s.dataDir });
        const out: SnapshotDiffDTO = {
          from: a.label,
          to: b.label,
          clusters: d.clusters.map((c) => ({ ...c, in: c.in === 'a' ? 'from' : c.in === 'b' ? 'to' : 'both' })),
          totals: d.totals,
          ignoredKinds: d.ignoredKinds,
        };
        return out;
      } catch (e) {
        return refuse(e);
      }
    },

    async bundlePreview(sel) {
      try {
        const r = await previewBundle({ db: s.db, selection: sel as never, ...(s.logs ? { logs: previewLogs } : {}), now: now() });
        const findings = r.report.flatMap((f) => f.findings.map((x) => ({ file: f.file, path: x.path, rule: x.rule })));
        return {
          clusters: r.manifest.clusters.map((c) => ({ id: c.id, context: c.context })),
          files: r.files.length,
          objects: r.manifest.counts.objects,
          events: r.manifest.counts.events,
          changes: r.manifest.counts.changes,
          logPods: r.manifest.counts.logs,
          redactions: Object.entries(r.manifest.redaction.byRule).map(([rule, count]) => ({ rule, count })),
          findings: findings.slice(0, 500),
          warnings: r.manifest.warnings,
        };
      } catch (e) {
        return refuse(e);
      }
    },

    async bundleExport(sel) {
      const t = now();
      const out = join(s.dataDir, 'bundles', `incident-${stamp(t)}.tar.gz`);
      try {
        const r = await exportBundle(out, { db: s.db, selection: sel as never, ...(s.logs ? { logs: s.logs } : {}), now: t });
        return {
          path: r.path,
          bytes: r.bytes,
          files: r.manifest.files.length + 1,
          sha256: r.sha256,
          redactions: r.manifest.redaction.findings,
        };
      } catch (e) {
        return refuse(e);
      }
    },

    async open(p) {
      if (!s.open) throw new ContractError('this session cannot switch what it shows', 'forbidden');
      return s.open(p);
    },
  };
}

/** Preview counts the containers whose logs would be fetched, without fetching them. */
const previewLogs: LogFetcher = async () => '';
