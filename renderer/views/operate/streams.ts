// Log streams over the contract: logs.start answers with a stream id, the lines come as LogsEvent pushes
// (on the one push channel, beside ChangedEvent) until the stream ends or logs.stop. Pushes may come
// before the answer does: they are held until it says which stream is ours. A stream is stopped when
// its view lets go of it, when it is stopped before it started (as soon as the answer comes), when the
// connection drops (the server ends it; the view says so), and on page unload. An answer that comes
// after the stream ended (the connection dropped, the start failed) is for a stream no one reads any
// more: it is stopped, never started again under the view.
import type { Api, LogLine, LogStreamDTO, LogsEvent, Params } from '../../../common/contract.ts';
import { getApi } from '../../api/index.ts';

export interface StreamHandlers {
  /** the answer to logs.start: what is streamed, and every container of the pods */
  onStart(s: LogStreamDTO): void;
  onLines(lines: LogLine[]): void;
  /** the stream ended: done (error undefined) or with the API's message */
  onEnd(error?: string): void;
}

/** Streams started and not stopped yet, for the page's unload. */
const open = new Set<number>();
let unloadHooked = false;

function hookUnload(): void {
  if (unloadHooked || typeof window === 'undefined') return;
  unloadHooked = true;
  // pagehide fires on reload, close and navigation away (and, unlike unload, with the bfcache too)
  window.addEventListener('pagehide', () => {
    for (const stream of open)
      void getApi()
        .call('logs.stop', { stream })
        .catch(() => {});
    open.clear();
  });
}

/** How many pushes are held for a stream whose id is not known yet. */
const EARLY_MAX = 2000;

/** Start a stream; returns its stop (idempotent: stop as often as you like, before or after it started). */
export function startLogStream(params: Params<'logs.start'>, h: StreamHandlers, api: Api = getApi()): () => void {
  hookUnload();
  let stream: number | null = null;
  let stopped = false;
  let ended = false;
  const early: LogsEvent[] = [];

  const end = (error?: string) => {
    if (ended || stopped) return;
    ended = true;
    if (stream !== null) open.delete(stream);
    h.onEnd(error);
  };
  const take = (e: LogsEvent) => {
    if (e.lines?.length) h.onLines(e.lines);
    if (e.done) end(e.error);
  };

  const offPush = api.onPush((e) => {
    if (stopped || ended || e.type !== 'logs') return;
    if (stream === null) {
      if (early.length < EARLY_MAX) early.push(e);
      return;
    }
    if (e.stream === stream) take(e);
  });
  const offConn = api.onConnection((up) => {
    if (!up) end('the connection to the console server was lost: the stream ended (Restart to stream again)');
  });

  api.call('logs.start', params).then(
    (s) => {
      if (stopped || ended) {
        // the view let go before the answer came, or the stream ended meanwhile (the connection
        // dropped): this answer is for a stream no one reads, stop it (never start it again)
        early.length = 0;
        void api.call('logs.stop', { stream: s.stream }).catch(() => {});
        return;
      }
      stream = s.stream;
      open.add(s.stream);
      h.onStart(s);
      for (const e of early.splice(0)) if (e.stream === s.stream && !ended) take(e);
    },
    (e: Error) => {
      early.length = 0;
      end(e.message);
    },
  );

  return () => {
    if (stopped) return;
    stopped = true;
    offPush();
    offConn();
    early.length = 0;
    if (stream !== null) {
      const id = stream;
      open.delete(id);
      // a stream that ended by itself needs no stop; one still running does
      if (!ended) void api.call('logs.stop', { stream: id }).catch(() => {});
    }
  };
}
