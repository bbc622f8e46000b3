// Incident bundles: what an operator hands to someone else about an incident. A .tar.gz with
//
//   cluster/<context>/namespaces/<ns>/<group>_<version>/<kind>/<name>.yaml   namespaced objects
//   cluster/<context>/<group>_<version>/<kind>/<name>.yaml                   cluster-scoped objects
//   cluster/<context>/events.jsonl                                           events, oldest first
//   cluster/<context>/summary/{nodes,accelerators,storage,workloads}.json   the console's derived views
//   logs/<context>/<ns>/<pod>/<container>.log                               last N lines (when connected)
//   timeline.jsonl                                                           every change in the window
//   snapshot.fleetsnap                                                       the same selection, for the app
//   redaction-report.json                                                    what was redacted, where, by which rule
//   manifest.json                                                            versions, selection, counts, SHA-256 of every file
//
// (the core group is "core": core_v1.) Redaction is on unless turned off (benchmarks): every file,
// the snapshot's bodies included, goes through one Redactor. manifest.json is the last member: the
// verifier hashes every member as it streams, then checks them against it. Checksums detect damage
// and casual tampering; they are not a signature.
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { Store, type KObj, type ChangeRecord } from '../store/store.ts';
import { SCHEMA_VERSION } from '../store/schema.ts';
import type { CapturedCluster, FileStamp } from '../store/manifest.ts';
import { CATALOGUE, shownObject } from '../kube/resources.ts';
import { objectDiff } from '../model/diff.ts';
import { eventOccurrences } from '../model/summary.ts';
import { deriveStored } from '../views/derive.ts';
import { APP_NAME } from '../paths.ts';
import { appVersion } from '../version.ts';
import { captureSnapshot, SnapshotError } from './snapshot.ts';
import { toYaml } from '../../common/yaml.ts';
import { Redactor, type Finding } from './redact.ts';
import { TarGzWriter, readTarGz, TarError } from './tar.ts';
import type { BundleSelection } from '../../common/contract.ts';

export const BUNDLE_FORMAT = 'fleet-console-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
const MAX_LOG_PODS = 50;

export interface BundleManifest extends FileStamp<typeof BUNDLE_FORMAT> {
  createdAt: number;
  createdAtText: string;
  selection: BundleSelection;
  window: { from: number | null; to: number };
  clusters: CapturedCluster[];
  counts: { objects: number; events: number; changes: number; logs: number; files: number };
  redaction: { enabled: boolean; tokenized: boolean; findings: number; byRule: Record<string, number> };
  /** every other member: path, size, SHA-256 (hex) */
  files: { path: string; bytes: number; sha256: string }[];
  warnings: string[];
}

export class BundleError extends Error {
  override name = 'BundleError';
  readonly member: string | undefined;
  constructor(message: string, member?: string) {
    super(message);
    this.member = member;
  }
}

/** Fetches the last lines of a container's log; undefined when the cluster is not connected. */
export type LogFetcher = (
  cluster: string,
  namespace: string,
  pod: string,
  container: string,
  tailLines: number,
) => Promise<string | undefined>;

export interface BundleOptions {
  /** the cache or a snapshot file */
  db: string;
  selection: BundleSelection;
  /** turn redaction off: only for benchmarks and the user's own explicit choice */
  redact?: boolean;
  logs?: LogFetcher;
  now?: number;
  /** HMAC key of the tokens (tests); random per bundle otherwise */
  key?: Buffer;
}

export interface ReportFile {
  file: string;
  findings: Finding[];
}

/** Where the pipeline puts files: a tar.gz, or (preview) nowhere but the counts. */
interface Sink {
  add(name: string, data: string | Buffer): Promise<void>;
  addFile(name: string, path: string): Promise<void>;
}

// ------------------------------------------------------------------------------------ paths

/** A path segment from names we do not control (contexts such as arn:aws:eks:...:cluster/prod). */
export function segment(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  let out = s.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_').replace(/^\.+$/, (m) => '_'.repeat(m.length));
  if (!out) out = '_';
  if (Buffer.byteLength(out) > 200) out = `${out.slice(0, 150)}~${createHash('sha256').update(s).digest('hex').slice(0, 12)}`;
  return out;
}

function objectPath(context: string, kind: string, body: KObj): string {
  const cat = CATALOGUE.find((k) => k.key === kind);
  const group = cat?.group || 'core';
  const version =
    String(body.apiVersion ?? '')
      .split('/')
      .pop() ||
    cat?.versions[0] ||
    'v1';
  const plural = cat?.plural ?? kind.split('/').pop()!;
  const ns = String(body.metadata?.namespace ?? '');
  const name = segment(String(body.metadata?.name ?? body.metadata?.uid ?? 'unnamed'));
  const gv = `${segment(group)}_${segment(version)}`;
  return ns
    ? `cluster/${segment(context)}/namespaces/${segment(ns)}/${gv}/${segment(plural)}/${name}.yaml`
    : `cluster/${segment(context)}/${gv}/${segment(plural)}/${name}.yaml`;
}

// ------------------------------------------------------------------------------------ selection

function chooseClusters(store: Store, wanted: string[]): CapturedCluster[] {
  const all = store.clusters();
  if (!wanted.length) return all.map((c) => ({ ...c, serverVersion: c.serverVersion ?? null, lastContact: c.lastContact ?? null }));
  return wanted.map((w) => {
    const c = all.find((x) => x.id === w || x.context === w);
    if (!c) throw new BundleError(`no cluster "${w}" in the cache; it has: ${all.map((x) => x.context).join(', ') || '(none)'}`);
    return { ...c, serverVersion: c.serverVersion ?? null, lastContact: c.lastContact ?? null };
  });
}

/** uids of (cluster) objects the selection's workloads and nodes reach: owners' descendants, pods on nodes. */
function narrowed(store: Store, cluster: string, sel: BundleSelection): Set<string> | undefined {
  if (!sel.workloads.length && !sel.nodes.length) return undefined;
  const keep = new Set<string>();
  const rows = [...store.objectRows(cluster, { exceptKind: 'events' })];
  const children = new Map<string, string[]>();
  for (const r of rows) {
    const owners = ((JSON.parse(r.body) as KObj).metadata?.ownerReferences ?? []) as KObj[];
    for (const o of owners) {
      if (typeof o.uid !== 'string') continue;
      const list = children.get(o.uid) ?? [];
      list.push(r.uid);
      children.set(o.uid, list);
    }
  }
  const add = (uid: string) => {
    if (keep.has(uid)) return;
    keep.add(uid);
    for (const c of children.get(uid) ?? []) add(c);
  };
  for (const w of sel.workloads) {
    const i = w.lastIndexOf('/');
    const j = w.lastIndexOf('/', i - 1);
    const [kind, ns, name] = [w.slice(0, j), w.slice(j + 1, i), w.slice(i + 1)];
    const hit = rows.find((r) => r.kind === kind && r.namespace === ns && r.name === name);
    if (hit) add(hit.uid);
  }
  for (const n of sel.nodes) {
    const node = rows.find((r) => r.kind === 'nodes' && r.name === n);
    if (node) keep.add(node.uid);
    for (const r of rows) if (r.kind === 'pods' && r.node === n) add(r.uid);
  }
  return keep;
}

// ------------------------------------------------------------------------------------ pipeline

interface Produced {
  manifest: Omit<BundleManifest, 'files'>;
  report: ReportFile[];
}

async function produce(o: BundleOptions, sink: Sink, withSnapshot: string | undefined): Promise<Produced> {
  const now = o.now ?? Date.now();
  const sel = o.selection;
  const redactOn = o.redact !== false;
  const redactor = new Redactor({ tokenize: sel.tokenize, ...(o.key ? { key: o.key } : {}) });
  const report: ReportFile[] = [];
  const byRule: Record<string, number> = {};
  const note = (file: string, findings: Finding[]) => {
    if (!findings.length) return;
    report.push({ file, findings });
    for (const f of findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  };
  const obj = (file: string, kind: string, v: unknown): unknown => {
    if (!redactOn) return v;
    const r = redactor.object(kind, v);
    note(file, r.findings);
    return r.value;
  };
  const text = (file: string, s: string, prefix = ''): string => {
    if (!redactOn) return s;
    const r = redactor.text(s);
    note(
      file,
      r.findings.map((f) => ({ ...f, path: prefix + f.path })),
    );
    return r.value;
  };

  const store = openSource(o.db);
  const warnings: string[] = [];
  const counts = { objects: 0, events: 0, changes: 0, logs: 0, files: 0 };
  const from = sel.since === null ? null : now - sel.since;
  let clusters: CapturedCluster[];
  try {
    clusters = chooseClusters(store, sel.clusters);
    const ns = new Set(sel.namespaces);
    const timeline: { at: number; line: string }[] = [];
    for (const c of clusters) {
      const keep = narrowed(store, c.id, sel);
      const inSelection = (namespace: string, uid: string, kind: string) =>
        (!namespace || !ns.size || ns.has(namespace)) &&
        (!keep || keep.has(uid) || (!namespace && kind !== 'nodes' && kind !== 'namespaces'));
      // objects
      const events: KObj[] = [];
      const included = new Set<string>();
      const files = new Set<string>();
      for (const r of store.objectRows(c.id)) {
        if (r.kind === 'events') {
          if (!ns.size || ns.has(r.namespace)) events.push(JSON.parse(r.body) as KObj);
          continue;
        }
        if (!inSelection(r.namespace, r.uid, r.kind)) continue;
        included.add(r.uid);
        const body = shownObject(r.kind, JSON.parse(r.body) as KObj);
        let file = objectPath(c.context, r.kind, body);
        // two names that segment() makes alike: the uid tells them apart
        if (files.has(file)) file = file.replace(/\.yaml$/, `.${segment(r.uid)}.yaml`);
        files.add(file);
        await sink.add(file, toYaml(obj(file, r.kind, body)));
        counts.objects++;
      }
      // events: those of the selected objects (narrowed), or all in the namespaces
      const evFile = `cluster/${segment(c.context)}/events.jsonl`;
      const evLines: { t: number; line: string }[] = [];
      for (const e of events) {
        const inv = (e.involvedObject ?? e.regarding ?? {}) as KObj;
        if (keep && !(typeof inv.uid === 'string' && included.has(inv.uid))) continue;
        const t = Date.parse(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '') || 0;
        if (from !== null && t && t < from) continue;
        const rec = {
          time: t ? new Date(t).toISOString() : null,
          type: e.type ?? null,
          reason: e.reason ?? null,
          object: `${inv.kind ?? ''}/${inv.name ?? ''}`,
          namespace: e.metadata?.namespace ?? '',
          count: eventOccurrences(e as never),
          message: String(e.message ?? e.note ?? ''),
          source: e.source?.component ?? e.reportingController ?? null,
        };
        evLines.push({ t, line: JSON.stringify(obj(evFile, 'events-line', rec)) });
      }
      evLines.sort((a, b) => a.t - b.t);
      counts.events += evLines.length;
      await sink.add(evFile, evLines.map((l) => `${l.line}\n`).join(''));
      // summaries: the console's derived view of the whole cluster
      const { derived } = deriveStored(store, c.id, now, c.serverVersion ?? undefined);
      const sumDir = `cluster/${segment(c.context)}/summary`;
      const parts: [string, unknown][] = [
        ['nodes', { summary: derived.summary.nodes, resources: derived.summary.resources, nodes: derived.nodes }],
        ['accelerators', derived.accelerators],
        ['storage', derived.storage],
        ['workloads', derived.problems],
      ];
      for (const [name, v] of parts) {
        const f = `${sumDir}/${name}.json`;
        await sink.add(f, `${JSON.stringify(obj(f, 'summary', v), null, 2)}\n`);
      }
      // timeline: the window's changes, with the fields each one changed (paths, not values)
      const changes = store.changes(c.id, from ?? -1e18, now, 5_000_000);
      const byUid = new Map<string, ChangeRecord[]>();
      for (const ch of changes) {
        if (ch.kind === 'events') continue;
        if (!inSelection(ch.namespace, ch.uid, ch.kind)) continue;
        const l = byUid.get(ch.uid) ?? [];
        l.push(ch);
        byUid.set(ch.uid, l);
      }
      for (const list of byUid.values()) {
        // the state after each change: the next change's "before", or the current object
        let current: KObj | null | undefined;
        const now = () => {
          if (current === undefined) current = store.object(c.id, list[0]!.kind, list[0]!.uid)?.body ?? null;
          return current;
        };
        list.forEach((ch, i) => {
          const fields =
            ch.type === 'MODIFIED'
              ? objectDiff(shown(ch.kind, ch.before), shown(ch.kind, i + 1 < list.length ? list[i + 1]!.before : now())).map((d) => d.path)
              : [];
          const rec = {
            time: new Date(ch.at).toISOString(),
            at: ch.at,
            cluster: c.context,
            kind: ch.kind,
            namespace: ch.namespace,
            name: ch.name,
            uid: ch.uid,
            type: ch.type,
            oldResourceVersion: ch.oldRv,
            newResourceVersion: ch.newRv,
            fields: fields.filter((p) => p !== 'metadata.generation' && !p.endsWith('.lastHeartbeatTime')).slice(0, 200),
          };
          timeline.push({ at: ch.at, line: JSON.stringify(obj('timeline.jsonl', 'timeline', rec)) });
        });
      }
      // logs
      if (o.logs && sel.logs > 0) {
        const chosen = [...store.objectRows(c.id, { kind: 'pods' })].filter((p) => inSelection(p.namespace, p.uid, 'pods'));
        if (chosen.length > MAX_LOG_PODS)
          warnings.push(`${c.context}: logs of the first ${MAX_LOG_PODS} of ${chosen.length} selected pods only`);
        let connected = true;
        for (const p of chosen.slice(0, MAX_LOG_PODS)) {
          if (!connected) break;
          const containers = (((JSON.parse(p.body) as KObj).spec?.containers ?? []) as KObj[]).map((x) => String(x.name));
          for (const container of containers) {
            let log: string | undefined;
            try {
              log = await o.logs(c.id, p.namespace, p.name, container, sel.logs);
            } catch (e) {
              warnings.push(`${c.context}: logs of ${p.namespace}/${p.name}/${container}: ${(e as Error).message}`);
              continue;
            }
            if (log === undefined) {
              warnings.push(`${c.context}: not connected; no logs`);
              connected = false;
              break;
            }
            const f = `logs/${segment(c.context)}/${segment(p.namespace)}/${segment(p.name)}/${segment(container)}.log`;
            const lines = log.split('\n').map((l, i) => text(f, l, `line ${i + 1}: `));
            await sink.add(f, lines.join('\n'));
            counts.logs++;
          }
        }
      }
    }
    timeline.sort((a, b) => a.at - b.at);
    counts.changes = timeline.length;
    await sink.add('timeline.jsonl', timeline.map((l) => `${l.line}\n`).join(''));
  } finally {
    store.close();
  }

  // the snapshot: the same clusters, namespaces and window, every body through the same redactor
  if (withSnapshot) {
    captureSnapshot({
      db: o.db,
      out: withSnapshot,
      clusters: clusters.map((c) => c.id),
      ...(from !== null ? { since: from } : {}),
      ...(sel.namespaces.length ? { namespaces: sel.namespaces } : {}),
      ...(redactOn
        ? {
            transform: (kind: string, body: string) => {
              const b = JSON.parse(body) as KObj;
              const r = redactor.object(kind, b);
              const who = `${kind} ${b.metadata?.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata?.name ?? ''}: `;
              note(
                'snapshot.fleetsnap',
                r.findings.map((f) => ({ ...f, path: who + f.path })),
              );
              return JSON.stringify(r.value);
            },
            textTransform: (s: string) => redactor.text(s).value,
          }
        : {}),
      now,
    });
    await sink.addFile('snapshot.fleetsnap', withSnapshot);
  }
  const findings = Object.values(byRule).reduce((a, b) => a + b, 0);
  const rules = Object.fromEntries(Object.entries(byRule).sort());
  await sink.add(
    'redaction-report.json',
    `${JSON.stringify(
      {
        enabled: redactOn,
        tokenized: redactOn && sel.tokenize,
        note: 'values are never listed here: each finding names the file, the field (or line) and the rule that replaced it',
        totals: rules,
        files: report,
      },
      null,
      2,
    )}\n`,
  );
  return {
    manifest: {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      createdAt: now,
      createdAtText: new Date(now).toISOString(),
      app: { name: APP_NAME, version: appVersion() },
      schemaVersion: SCHEMA_VERSION,
      selection: sel,
      window: { from, to: now },
      clusters,
      counts,
      redaction: { enabled: redactOn, tokenized: redactOn && sel.tokenize, findings, byRule: rules },
      warnings,
    },
    report,
  };
}

/** As kubectl shows it (LIST items lack apiVersion/kind, watch events have them: not a change). */
function shown(kind: string, o: KObj | null): KObj | null {
  return o && shownObject(kind, o);
}

function openSource(db: string): Store {
  if (!existsSync(db)) throw new BundleError(`no cache at ${db}`);
  return new Store(db, { readonly: true });
}

// ------------------------------------------------------------------------------------ export

export interface ExportResult {
  manifest: BundleManifest;
  path: string;
  bytes: number;
  sha256: string;
}

/** Write a bundle to `out` (a temporary name first, renamed when complete). */
export async function exportBundle(out: string, o: BundleOptions): Promise<ExportResult> {
  if (existsSync(out)) throw new BundleError(`${out} already exists`);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.partial`);
  const work = mkdtempSync(join(dirname(out), '.bundle-'));
  const files: BundleManifest['files'] = [];
  let tar: TarGzWriter | undefined;
  try {
    tar = await TarGzWriter.create(tmp);
    const w = tar;
    const sink: Sink = {
      async add(name, data) {
        const e = await w.add(name, data);
        files.push({ path: name, bytes: e.size, sha256: e.sha256 });
      },
      async addFile(name, path) {
        const e = await w.addFile(name, path);
        files.push({ path: name, bytes: e.size, sha256: e.sha256 });
      },
    };
    const { manifest } = await produce(o, sink, join(work, 'snapshot.fleetsnap'));
    const full: BundleManifest = { ...manifest, counts: { ...manifest.counts, files: files.length }, files };
    await w.add('manifest.json', `${JSON.stringify(full, null, 2)}\n`);
    await w.close();
    tar = undefined;
    renameSync(tmp, out);
    return { manifest: full, path: out, bytes: statSync(out).size, sha256: await sha256File(out) };
  } catch (e) {
    if (tar) await tar.abort().catch(() => {});
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface PreviewResult {
  manifest: Omit<BundleManifest, 'files'>;
  files: { path: string; bytes: number }[];
  report: ReportFile[];
}

/** Everything an export would write (and redact), without writing it (the snapshot is not built). */
export async function previewBundle(o: BundleOptions): Promise<PreviewResult> {
  const files: { path: string; bytes: number }[] = [];
  const sink: Sink = {
    async add(name, data) {
      files.push({ path: name, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.length });
    },
    async addFile(name, path) {
      files.push({ path: name, bytes: statSync(path).size });
    },
  };
  const { manifest, report } = await produce(o, sink, undefined);
  files.push({ path: 'snapshot.fleetsnap', bytes: 0 }, { path: 'manifest.json', bytes: 0 });
  const warnings = [...manifest.warnings];
  if (manifest.redaction.enabled)
    warnings.push('the bundled snapshot is redacted by the same rules; its findings are added to these counts at export');
  return { manifest: { ...manifest, warnings, counts: { ...manifest.counts, files: files.length } }, files, report };
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

// ------------------------------------------------------------------------------------ verify, extract

/** Check every member against the manifest. Refuses (BundleError naming the file) anything off. */
export async function verifyBundle(path: string): Promise<BundleManifest> {
  if (!existsSync(path)) throw new BundleError(`${path}: no such file`);
  let entries: { name: string; size: number; sha256: string }[];
  let manifestText: string | undefined;
  try {
    entries = await readTarGz(path, async (e, content) => {
      if (e.name !== 'manifest.json') return;
      if (e.size > 64 << 20) throw new BundleError('manifest.json is larger than any manifest this app writes', 'manifest.json');
      manifestText = (await streamToBuffer(content)).toString('utf8');
    });
  } catch (e) {
    if (e instanceof BundleError) throw e;
    if (e instanceof TarError) throw new BundleError(`${basename(path)} refused: ${e.message}`, e.member);
    throw new BundleError(`${basename(path)} refused: ${(e as Error).message}`);
  }
  const name = basename(path);
  if (manifestText === undefined)
    throw new BundleError(`${name} refused: it has no manifest.json (not a fleet console bundle)`, 'manifest.json');
  if (entries.at(-1)?.name !== 'manifest.json') throw new BundleError(`${name} refused: members after manifest.json`, entries.at(-1)?.name);
  let m: BundleManifest;
  try {
    m = JSON.parse(manifestText) as BundleManifest;
  } catch {
    throw new BundleError(`${name} refused: manifest.json is not valid JSON`, 'manifest.json');
  }
  if (m?.format !== BUNDLE_FORMAT || !Array.isArray(m.files))
    throw new BundleError(`${name} refused: manifest.json is not a fleet console bundle manifest`, 'manifest.json');
  if (m.formatVersion > BUNDLE_FORMAT_VERSION)
    throw new BundleError(`${name} is bundle format ${m.formatVersion}; this app reads up to ${BUNDLE_FORMAT_VERSION}: update the app`);
  const listed = new Map(m.files.map((f) => [f.path, f]));
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.name === 'manifest.json') continue;
    const f = listed.get(e.name);
    if (!f) throw new BundleError(`${name} refused: ${e.name} is not in the manifest (added after export?)`, e.name);
    if (f.bytes !== e.size || f.sha256 !== e.sha256)
      throw new BundleError(`${name} refused: ${e.name} does not match its checksum in the manifest (tampered or damaged)`, e.name);
    seen.add(e.name);
  }
  for (const f of m.files) if (!seen.has(f.path)) throw new BundleError(`${name} refused: ${f.path} is missing (truncated?)`, f.path);
  return m;
}

async function streamToBuffer(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(parts);
}

/**
 * Verify, then write the members (all, or those `only` names) under `dir`, and nowhere else: each
 * path is resolved and must stay inside; files are created exclusively (never over an existing file
 * or through a symlink).
 */
export async function extractBundle(path: string, dir: string, only?: (name: string) => boolean): Promise<BundleManifest> {
  const m = await verifyBundle(path);
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  await readTarGz(path, async (e, content) => {
    if (only && !only(e.name)) {
      content.resume();
      return;
    }
    const target = resolve(root, e.name);
    if (!target.startsWith(root + sep)) throw new BundleError(`${e.name} would be written outside ${root}`, e.name);
    mkdirSync(dirname(target), { recursive: true });
    const fd = openSync(target, 'wx', 0o600);
    try {
      for await (const c of content) writeSync(fd, c as Buffer);
    } finally {
      closeSync(fd);
    }
  });
  return m;
}

/** Open a bundle for viewing: verify it, extract its snapshot under `dir`, return the snapshot's path. */
export async function snapshotOfBundle(path: string, dir: string): Promise<{ snapshot: string; manifest: BundleManifest }> {
  const m = await verifyBundle(path);
  if (!m.files.some((f) => f.path === 'snapshot.fleetsnap')) throw new SnapshotError(`${basename(path)} has no snapshot to open`);
  const h = createHash('sha256').update(JSON.stringify(m.files)).digest('hex').slice(0, 16);
  const target = join(dir, h);
  const file = join(target, 'snapshot.fleetsnap');
  if (!existsSync(file)) {
    rmSync(target, { recursive: true, force: true });
    await extractBundle(path, target, (n) => n === 'snapshot.fleetsnap');
  }
  return { snapshot: file, manifest: m };
}
