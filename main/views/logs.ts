// logs.start / logs.stop: pod logs streamed to the page that asked, live sessions only. A pod's
// container (the one asked for, or its first app container), or a workload's pods merged (resolved
// from the cache: pod → ReplicaSet → Deployment, a StatefulSet's, DaemonSet's, Job's or ReplicaSet's
// own pods), each line with its pod. Lines go out as LogsEvent pushes to the stream's owner only, at
// most ~10 a second per stream and a bounded number per push; a stream ends with its log (done), on
// logs.stop, or when its page goes away (the shell releases the page's streams).
import { openPodLog, LineBatcher, MAX_LOG_BYTES, type PodLogStream, type RawLogLine } from '../kube/logs.ts';
import { catalogueKind, getObject } from '../kube/actions.ts';
import type { Connection } from '../kube/connection.ts';
import { controllerOf } from '../model/util.ts';
import type { KObj } from '../store/store.ts';
import { contractErrorOf, type Caller, type ViewContext } from './context.ts';
import { ContractError, type LogLine, type LogStreamDTO, type LogsEvent, type Params } from '../../common/contract.ts';

/** Streams one page may have open at once. */
export const MAX_STREAMS_PER_CALLER = 8;
/** Streams of the whole session (every page). */
export const MAX_STREAMS = 64;
/** Pods of a workload streamed at once (the first ones, running first). */
export const MAX_PODS_PER_STREAM = 20;
/** Lines in one push. */
export const MAX_LINES_PER_PUSH = 1000;

const WORKLOAD_KINDS: Record<string, string> = {
  'apps/deployments': 'Deployment',
  'apps/statefulsets': 'StatefulSet',
  'apps/daemonsets': 'DaemonSet',
  'apps/replicasets': 'ReplicaSet',
  'batch/jobs': 'Job',
};

type Container = LogStreamDTO['containers'][number];

/** A pod's containers for the picker: init containers, sidecars (restartable init containers), app containers. */
export function podContainers(pod: KObj): Omit<Container, 'pod'>[] {
  const init = Array.isArray(pod?.spec?.initContainers) ? (pod.spec.initContainers as KObj[]) : [];
  const app = Array.isArray(pod?.spec?.containers) ? (pod.spec.containers as KObj[]) : [];
  return [
    ...init.map((c) => ({ name: String(c.name), kind: (c.restartPolicy === 'Always' ? 'sidecar' : 'init') as Container['kind'] })),
    ...app.map((c) => ({ name: String(c.name), kind: 'app' as const })),
  ];
}

const stoppedEarly = () => new ContractError('the stream was stopped before it started (its page went away)', 'invalid');

interface Stream {
  id: number;
  owner: Caller;
  cluster: string;
  sources: PodLogStream[];
  batcher: LineBatcher<LogLine>;
  errors: string[];
  stopped: boolean;
  /** aborts what its start still waits for (the log requests) when it is stopped */
  abort: AbortController;
}

export class LogStreams {
  private readonly ctx: ViewContext;
  private readonly streams = new Map<number, Stream>();
  private next = 1;

  constructor(ctx: ViewContext) {
    this.ctx = ctx;
  }

  /** Streams open now (of one caller, or all). */
  open(owner?: Caller): number {
    let n = 0;
    for (const s of this.streams.values()) if (owner === undefined || s.owner === owner) n++;
    return n;
  }

  /** Why this session reads no logs (a snapshot, the cache), or null when it may. */
  private refused(): string | null {
    const o = this.ctx.o;
    if (o.mode === 'snapshot') return 'logs are read live from the cluster: this session shows a snapshot';
    if (o.mode === 'cache' || !o.connections)
      return 'logs are read live from the cluster: this session shows the cache without syncing (offline)';
    return null;
  }

  /** The pods to stream: the one named (the cache's, else the API's), or a workload's from the cache. */
  private async pods(conn: Connection, p: Params<'logs.start'>): Promise<KObj[]> {
    const { cluster, namespace } = p;
    if (p.pod !== undefined) {
      const cached = this.ctx.store.findByName(cluster, 'pods', namespace, p.pod)?.body;
      if (cached) return [cached];
      try {
        return [await getObject(conn, catalogueKind('pods')!, namespace, p.pod)];
      } catch (e) {
        throw contractErrorOf(e);
      }
    }
    const w = p.workload!;
    const kindName = WORKLOAD_KINDS[w.kind];
    if (!kindName)
      throw new ContractError(
        `logs of a workload: a Deployment, StatefulSet, DaemonSet, ReplicaSet or Job (${Object.keys(WORKLOAD_KINDS).join(', ')}), not ${w.kind}`,
        'invalid',
      );
    const found = this.ctx.store.findByName(cluster, w.kind, namespace, w.name);
    if (!found) throw new ContractError(`no ${kindName} ${namespace}/${w.name} in the cache of this cluster`, 'not-found');
    const owners = new Set([found.uid]);
    if (w.kind === 'apps/deployments') {
      owners.clear();
      for (const rs of this.ctx.store.objects(cluster, 'apps/replicasets', { namespace }))
        if (controllerOf(rs.body)?.uid === found.uid) owners.add(rs.uid);
    }
    const pods = this.ctx.store
      .objects(cluster, 'pods', { namespace })
      .map((o) => o.body)
      .filter((pod) => {
        const c = controllerOf(pod);
        return c?.uid !== undefined && owners.has(c.uid);
      });
    if (!pods.length) throw new ContractError(`${kindName} ${namespace}/${w.name} has no pods`, 'not-found');
    const running = (pod: KObj) => (pod.status?.phase === 'Running' ? 0 : 1);
    return pods.sort((a, b) => running(a) - running(b) || String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  }

  async start(p: Params<'logs.start'>, owner: Caller): Promise<LogStreamDTO> {
    const refused = this.refused();
    if (refused) throw new ContractError(refused, 'forbidden');
    if (this.open(owner) >= MAX_STREAMS_PER_CALLER)
      throw new ContractError(
        `too many log streams: this page has ${MAX_STREAMS_PER_CALLER} open (the most it may); stop one (logs.stop) before starting another`,
        'forbidden',
      );
    if (this.open() >= MAX_STREAMS)
      throw new ContractError(`too many log streams: the session has ${MAX_STREAMS} open (the most it may); stop one first`, 'forbidden');
    // Registered before anything is awaited: it counts against the limits from now on, and a stop or
    // its page going away while it starts ends it (what it waits for aborted, nothing left open).
    const id = this.next++;
    const merged = { timestamps: !!p.timestamps, pods: 0 };
    const stream: Stream = {
      id,
      owner,
      cluster: p.cluster,
      sources: [],
      errors: [],
      stopped: false,
      abort: new AbortController(),
      batcher: new LineBatcher<LogLine>(
        (lines, last) => {
          // Merged pods with timestamps: each push in time order.
          if (merged.timestamps && merged.pods > 1) lines.sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
          const ev: LogsEvent = { type: 'logs', stream: id, lines };
          if (last) {
            ev.done = true;
            if (stream.errors.length && !stream.stopped) ev.error = stream.errors.join('; ');
            this.streams.delete(id);
          }
          this.ctx.o.push?.(ev, owner);
        },
        { cap: MAX_LINES_PER_PUSH },
      ),
    };
    this.streams.set(id, stream);
    try {
      return await this.begin(stream, p, merged);
    } catch (e) {
      // Nothing streams: what did open stops, the stream goes (its caller gets the error, no push).
      stream.abort.abort();
      for (const s of stream.sources) s.stop();
      this.streams.delete(id);
      throw stream.stopped ? stoppedEarly() : e;
    }
  }

  /** A registered stream's start: its pods, their containers, their logs opened (with the stream's signal). */
  private async begin(stream: Stream, p: Params<'logs.start'>, merged: { pods: number }): Promise<LogStreamDTO> {
    const conn = await this.ctx.connection(p.cluster, this.refused());
    if (stream.stopped) throw stoppedEarly();
    const pods = await this.pods(conn, p);
    if (stream.stopped) throw stoppedEarly();
    const containers: LogStreamDTO['containers'] = [];
    const problems: NonNullable<LogStreamDTO['problems']> = [];
    const wanted: { pod: string; container: string }[] = [];
    for (const pod of pods) {
      const name = String(pod.metadata?.name ?? '');
      const cs = podContainers(pod);
      for (const c of cs) containers.push({ pod: name, ...c });
      const container = p.container ?? cs.find((c) => c.kind === 'app')?.name ?? cs[0]?.name;
      if (!container) {
        problems.push({ pod: name, container: '', error: 'the pod has no containers' });
        continue;
      }
      if (p.workload && !pod.spec?.nodeName) {
        problems.push({ pod: name, container, error: 'not scheduled to a node yet: no logs' });
        continue;
      }
      if (wanted.length >= MAX_PODS_PER_STREAM) {
        problems.push({ pod: name, container, error: `not streamed: at most ${MAX_PODS_PER_STREAM} pods in one stream` });
        continue;
      }
      wanted.push({ pod: name, container });
    }
    merged.pods = wanted.length;

    // A fast log must not fill memory: the sockets pause while many lines wait for their push.
    let paused = false;
    stream.batcher.onDrain = () => {
      if (!paused) return;
      paused = false;
      for (const s of stream.sources) s.resume();
    };
    const onLines = (pod: string, container: string) => (lines: RawLogLine[]) => {
      stream.batcher.add(lines.map((l) => ({ pod, container, text: l.text, ...(l.at !== undefined ? { at: l.at } : {}) })));
      if (!paused && stream.batcher.backlog > MAX_LINES_PER_PUSH * 4) {
        paused = true;
        for (const s of stream.sources) s.pause();
      }
    };
    const opts = {
      follow: p.follow,
      previous: p.previous,
      timestamps: p.timestamps,
      ...(p.sinceSeconds !== undefined ? { sinceSeconds: p.sinceSeconds } : {}),
      ...(p.tailLines !== undefined ? { tailLines: p.tailLines } : {}),
      ...(p.follow ? {} : { limitBytes: MAX_LOG_BYTES }),
    };
    const signal = stream.abort.signal;
    const opened = await Promise.all(
      wanted.map(async (w) => {
        try {
          const s = await openPodLog(conn, p.namespace, w.pod, { ...opts, container: w.container }, onLines(w.pod, w.container), {
            signal,
          });
          return { ...w, s };
        } catch (e) {
          return { ...w, e: contractErrorOf(e) };
        }
      }),
    );
    const sources: LogStreamDTO['sources'] = [];
    let firstError: ContractError | undefined;
    for (const o of opened) {
      if ('s' in o && o.s) {
        stream.sources.push(o.s);
        sources.push({ pod: o.pod, container: o.container });
      } else if ('e' in o && o.e) {
        firstError ??= o.e;
        problems.push({ pod: o.pod, container: o.container, error: o.e.message });
      }
    }
    if (stream.stopped) throw stoppedEarly();
    if (!stream.sources.length) throw firstError ?? new ContractError(problems[0]?.error ?? 'nothing to stream', 'not-found');
    // Ends when every source has ended: the last push says done (and why, when a source failed).
    void Promise.all(
      stream.sources.map((s, i) =>
        s.ended.then(({ error }) => {
          if (error) stream.errors.push(sources.length > 1 ? `${sources[i]!.pod}: ${error}` : error);
        }),
      ),
    ).then(() => stream.batcher.close());
    return { stream: stream.id, sources, containers, ...(problems.length ? { problems } : {}) };
  }

  /** logs.stop: only the page that started a stream stops it. */
  stop(id: number, owner: Caller): { stopped: boolean } {
    const s = this.streams.get(id);
    if (!s || s.owner !== owner) return { stopped: false };
    this.end(s);
    return { stopped: true };
  }

  private end(s: Stream): void {
    s.stopped = true;
    s.abort.abort();
    for (const src of s.sources) src.stop();
    s.batcher.close(true);
    this.streams.delete(s.id);
  }

  /** The page went away (its WebSocket closed, the window reloaded): its streams stop. Returns how many. */
  release(owner: Caller): number {
    let n = 0;
    for (const s of [...this.streams.values()])
      if (s.owner === owner) {
        this.end(s);
        n++;
      }
    return n;
  }

  /** The session ends: every stream stops. */
  close(): void {
    for (const s of [...this.streams.values()]) this.end(s);
  }
}
