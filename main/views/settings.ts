// settings.get / clusters.enable / sources.enable / sources.remove / settings.readOnly: what the Settings
// view organises. Sources and contexts are read from the kubeconfigs as they are now (discover), with
// what is turned off (sync-settings.json, which the back end saves and hands to the sync worker); an
// off cluster stays in the fleet as 'off' with its cached data, and no request goes to it.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { discover, type Discovery } from '../fleet/sources.ts';
import { RETENTION_LIMITS, inSource, offReason, withClustersEnabled, withSourceEnabled } from '../fleet/sync-settings.ts';
import type { ViewContext } from './context.ts';
import { DEFAULT_RETENTION } from '../store/writer.ts';
import { ContractError, type ClusterStatus, type Params, type SettingsDTO, type SourceDTO } from '../../common/contract.ts';

export class SessionSettings {
  private readonly ctx: ViewContext;

  constructor(ctx: ViewContext) {
    this.ctx = ctx;
  }

  /** Why this session changes no source or context (no kubeconfigs behind it), or null. */
  private refused(): string | null {
    const o = this.ctx.o;
    if (o.mode === 'snapshot') return 'this session shows a snapshot: sources and contexts are organised in a live session';
    if (!o.live?.setOffSettings || !o.live.sources || !o.live.offSettings)
      return 'this session shows the cache without syncing: sources and contexts are organised in a live session';
    return null;
  }

  private live() {
    const refused = this.refused();
    if (refused) throw new ContractError(refused, 'forbidden');
    const l = this.ctx.o.live!;
    return { live: l, sources: l.sources!(), off: l.offSettings!(), setOff: l.setOffSettings!.bind(l) };
  }

  get(): SettingsDTO {
    const o = this.ctx.o;
    const retention = o.live?.offSettings?.().retention ?? o.retention ?? DEFAULT_RETENTION;
    const editable = o.mode === 'live' && !!o.live?.setRetention;
    const base: Pick<SettingsDTO, 'retention' | 'readOnly'> = {
      retention: {
        maxAgeMs: retention.maxAgeMs,
        maxBytes: retention.maxBytes,
        // the cache this session syncs into (a snapshot's session: the live cache beside it)
        cacheBytes: cacheBytes(o.mode === 'snapshot' ? o.cachePath : o.source),
        // Set here (saved in sync-settings.json), applied by the store thread at once.
        editable,
        where: editable
          ? 'saved in sync-settings.json in the data folder; the cache applies it at once and every 10 minutes'
          : 'the limits of the session that syncs this cache (a snapshot or the cache shown offline changes nothing)',
      },
      readOnly: {
        on: this.ctx.readOnly,
        settable: !!o.setReadOnly && o.mode === 'live',
        ...(o.setReadOnly && o.mode === 'live'
          ? {}
          : {
              why:
                o.mode !== 'live'
                  ? 'this session takes no actions at all (a snapshot, or the cache without syncing)'
                  : 'set for this session (--read-only): restart without it to take actions',
            }),
      },
    };
    const refused = this.refused();
    if (refused) return { refused, sources: [], contexts: [], ...base };
    const { live, sources, off } = this.live();
    const found = discover(sources);
    const list: { path: string; kind: SourceDTO['kind'] }[] = [];
    const seen = new Set<string>();
    const push = (path: string, kind: SourceDTO['kind']) => {
      const p = resolve(path);
      if (seen.has(p)) return;
      seen.add(p);
      list.push({ path: p, kind });
    };
    for (const p of sources.kubeconfigEnv?.split(delimiter).filter(Boolean) ?? []) push(p, 'KUBECONFIG');
    if (sources.useDefault) push(join(homedir(), '.kube', 'config'), 'default');
    for (const f of sources.files) push(f, 'file');
    for (const d of sources.folders) push(d, 'folder');
    const dtoSources: SourceDTO[] = list.map(({ path, kind }) => ({
      path,
      kind,
      enabled: !off.offSources.includes(path),
      entries: found.entries.filter((e) => inSource(e.file, path)).length,
      problems: found.problems.filter((x) => inSource(x.path, path)).map((x) => ({ path: x.path, error: x.error })),
      removable: kind === 'file' || kind === 'folder',
    }));
    const statuses = new Map(live.statuses().map((s) => [s.id, s]));
    const entries = this.synced(found, statuses);
    return {
      sources: dtoSources,
      contexts: entries.map((e) => {
        const why = offReason(e, off);
        const st = statuses.get(e.id);
        return {
          id: e.id,
          context: e.context,
          file: e.file,
          enabled: why === null,
          offReason: why,
          status: (st?.status ?? (why ? 'off' : 'connecting')) as ClusterStatus,
        };
      }),
      ...base,
    };
  }

  /** The entries the fleet shows: those the worker syncs (after --context), in kubeconfig order. */
  private synced(found: Discovery, statuses: Map<string, unknown>) {
    const all = found.entries.filter((e) => !(e as { duplicateOf?: string }).duplicateOf);
    return statuses.size ? all.filter((e) => statuses.has(e.id)) : all;
  }

  async enableClusters(p: Params<'clusters.enable'>): Promise<SettingsDTO> {
    const { live, sources, off, setOff } = this.live();
    const found = discover(sources);
    const known = new Set(this.synced(found, new Map(live.statuses().map((s) => [s.id, s]))).map((e) => e.id));
    const unknown = p.clusters.filter((id) => !known.has(id));
    if (unknown.length) throw new ContractError(`no cluster ${unknown.slice(0, 3).join(', ')} in this session's kubeconfigs`, 'not-found');
    await setOff(withClustersEnabled(off, p.clusters, p.enabled));
    this.ctx.o.log?.(`${p.clusters.length} cluster(s) turned ${p.enabled ? 'on' : 'off'} in Settings`);
    return this.get();
  }

  private source(path: string): SourceDTO {
    const p = resolve(path);
    const s = this.get().sources.find((x) => x.path === p);
    if (!s) throw new ContractError(`${p} is not one of this session's kubeconfig sources`, 'not-found');
    return s;
  }

  async enableSource(p: Params<'sources.enable'>): Promise<SettingsDTO> {
    const { off, setOff } = this.live();
    const s = this.source(p.path);
    await setOff(withSourceEnabled(off, s.path, p.enabled));
    this.ctx.o.log?.(`kubeconfig source ${s.path} turned ${p.enabled ? 'on' : 'off'} in Settings`);
    return this.get();
  }

  async removeSource(p: Params<'sources.remove'>): Promise<SettingsDTO> {
    const { live, off, setOff } = this.live();
    const s = this.source(p.path);
    if (!s.removable || !live.removeSource)
      throw new ContractError(`${s.path} is read as kubectl does (${s.kind}): turn it off instead`, 'forbidden');
    if (!s.enabled) await setOff(withSourceEnabled(off, s.path, true));
    await live.removeSource(s.path);
    this.ctx.o.log?.(`kubeconfig source ${s.path} removed in Settings`);
    return this.get();
  }

  /** settings.retention: new limits, saved and applied now (history beyond them dropped at once). */
  async setRetention(p: Params<'settings.retention'>): Promise<SettingsDTO> {
    const o = this.ctx.o;
    if (o.mode !== 'live' || !o.live?.setRetention || !o.live.setOffSettings || !o.live.offSettings)
      throw new ContractError('retention is set in a live session (it is the limit of the cache the sync worker writes)', 'forbidden');
    const L = RETENTION_LIMITS;
    if (!(p.maxAgeMs >= L.minAgeMs && p.maxAgeMs <= L.maxAgeMs && p.maxBytes >= L.minBytes && p.maxBytes <= L.maxBytes))
      throw new ContractError('retention: from an hour to 366 days of history, and from 64 MiB to 1 TiB of cache', 'invalid');
    await o.live.setOffSettings({ ...o.live.offSettings(), retention: { maxAgeMs: p.maxAgeMs, maxBytes: p.maxBytes } });
    o.live.setRetention({ maxAgeMs: p.maxAgeMs, maxBytes: p.maxBytes });
    o.log?.(`retention set in Settings: ${Math.round(p.maxAgeMs / 3600_000)} h, ${Math.round(p.maxBytes / 1024 ** 2)} MiB`);
    return this.get();
  }

  setReadOnly(p: Params<'settings.readOnly'>): SettingsDTO {
    const dto = this.get();
    if (!dto.readOnly.settable || !this.ctx.o.setReadOnly)
      throw new ContractError(`read-only mode cannot change: ${dto.readOnly.why}`, 'forbidden');
    this.ctx.o.setReadOnly(p.on);
    return this.get();
  }
}

/** The cache file and its write-ahead log, in bytes (null when it cannot be read). */
function cacheBytes(path: string | undefined): number | null {
  if (!path) return null;
  let total = 0;
  try {
    total += statSync(path).size;
  } catch {
    return null;
  }
  for (const x of ['-wal', '-shm']) {
    try {
      total += statSync(path + x).size;
    } catch {
      /* none */
    }
  }
  return total;
}
