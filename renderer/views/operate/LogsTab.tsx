// The Logs tab of a pod or a workload: a live stream (logs.start / pushes / logs.stop) with its options
// (container, follow, previous instance, since, tail), how it is shown (timestamps, wrap, a workload's
// pods in a coloured column), search with highlighting and next/previous match, and the lines shown as a
// .log file. Lines are rendered virtually (only the rows on screen) from a buffer capped at 50k lines.
// Logs are live: never in a snapshot or "as of" view (the tab says so instead).
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { LogStreamDTO, ObjectDTO } from '../../../common/contract.ts';
import { formatCount } from '../../../common/format.ts';
import { getApi } from '../../api/index.ts';
import { useApp } from '../../store/index.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { LogBuffer, MatchScan, droppedText } from './logbuffer.ts';
import {
  DEFAULT_STREAM,
  SINCE,
  TAIL,
  containerChoices,
  containersOfBody,
  firstMatchFrom,
  lineTime,
  logFileName,
  logFileText,
  matcher,
  matchRanges,
  segments,
  stepMatch,
  streamParams,
  type Match,
  type StreamOptions,
} from './logtext.ts';
import { startLogStream } from './streams.ts';
import { RowOffsetCache, atBottom, charsPerLine, fixedWindow, offsetWindow, scrollToShow, wrappedLines } from './virtual.ts';
import './operate.css';

/** The search's answer: the matches in order, the lines that have one, whether there were more. */
interface Found {
  matches: Match[];
  lines: number[];
  truncated: boolean;
}
const NO_MATCHES: Found = { matches: [], lines: [], truncated: false };

/** One screen line of the log view (px): the CSS's --log-row. */
const ROW = 18;
/** Re-render at most this often while lines pour in (ms). */
const REDRAW_MS = 100;
/** The desktop app's copy dialog shows at most this much text. */
const COPY_MAX = 4 << 20;

export type StreamState = 'loading' | 'streaming' | 'done' | 'error';

export function LogsTab({ d }: { d: ObjectDTO }) {
  const at = useApp((s) => s.at);
  const mode = useApp((s) => s.fleet?.mode);
  if (at !== null)
    return (
      <p className="notice info" data-logs-unavailable="asof" role="note">
        Logs are live: they are read from the cluster as you watch, never cached, so there are none as of a past time.{' '}
        <button type="button" className="linkish" onClick={() => useApp.getState().setAt(null)}>
          Show the latest
        </button>{' '}
        to read them.
      </p>
    );
  if (mode === 'snapshot')
    return (
      <p className="notice info" data-logs-unavailable="snapshot" role="note">
        Logs are live: a snapshot holds none (an incident bundle holds the last lines it fetched, in its files). Go back to the live fleet
        to read them.
      </p>
    );
  if (d.deleted)
    return (
      <p className="notice info" data-logs-unavailable="deleted" role="note">
        This object is deleted (what is shown is its last known state): there are no logs to read.
      </p>
    );
  // (another object: its own options and stream)
  return <LogsPanel key={`${d.ref.cluster}|${d.ref.kind}|${d.ref.uid}`} d={d} />;
}

function LogsPanel({ d }: { d: ObjectDTO }) {
  const id = useId();
  const { cluster, kind, namespace, name } = d.ref;
  const workload = kind !== 'pods';
  const [opts, setOpts] = useState<StreamOptions>(DEFAULT_STREAM);
  const [timestamps, setTimestamps] = useState(false);
  const [wrap, setWrap] = useState(false);
  const [query, setQuery] = useState('');
  const [onlyMatching, setOnlyMatching] = useState(false);
  const [restart, setRestart] = useState(0);
  const [state, setState] = useState<StreamState>('loading');
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<LogStreamDTO | null>(null);
  const [copy, setCopy] = useState<string | null>(null);
  const buffer = useRef(new LogBuffer());
  const [version, setVersion] = useState(0);

  const params = useMemo(() => streamParams({ cluster, kind, namespace, name }, opts), [cluster, kind, namespace, name, opts]);
  const key = JSON.stringify(params);

  useEffect(() => {
    // a new stream: a new buffer (the old stream's lines would mix in otherwise)
    const b = new LogBuffer();
    buffer.current = b;
    setState('loading');
    setError(null);
    setInfo(null);
    setVersion((v) => v + 1);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const redraw = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        setVersion((v) => v + 1);
      }, REDRAW_MS);
    };
    const stop = startLogStream(params, {
      onStart(s) {
        b.knowPods(s.sources.map((x) => x.pod));
        setInfo(s);
        setState('streaming');
      },
      onLines(lines) {
        b.add(lines);
        redraw();
      },
      onEnd(err) {
        setState(err ? 'error' : 'done');
        setError(err ?? null);
        redraw();
      },
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
    // (`key` is the params)
  }, [key, restart]);

  const b = buffer.current;
  const entries = b.entries;
  const multi = workload || new Set(info?.sources.map((s) => s.pod)).size > 1;
  const choices = info ? containerChoices(info.containers) : containersOfBody(kind, d.body);

  // search: every match in the buffer, scanned incrementally (only the lines that changed since the
  // last redraw: new lines, a late batch merged in; the matches of dropped lines go), not every line
  // every 100 ms; the same answer (and arrays) while nothing changed
  // (the entries change in place: `version` says when)
  const scan = useRef<{ scan: MatchScan; found: Found }>({ scan: new MatchScan(), found: NO_MATCHES });
  const found = useMemo(() => {
    const s = scan.current;
    if (s.scan.update(b, query)) s.found = { matches: s.scan.matches, lines: s.scan.lines, truncated: s.scan.truncated };
    return s.found;
  }, [b, version, query]);
  const [current, setCurrent] = useState(-1);
  useEffect(() => setCurrent(-1), [query]);
  const rows = onlyMatching && query ? found.lines : null;

  const shownLines = () => (rows ? rows.map((i) => entries[i]!) : entries);
  const download = () => {
    const text = logFileText(shownLines(), { timestamps, source: multi });
    const file = logFileName([d.clusterContext, namespace, name, opts.container || undefined, opts.previous ? 'previous' : undefined]);
    if (getApi().transport === 'ipc') {
      // The desktop app refuses every download (its session's will-download policy): the lines go to a copy dialog.
      setCopy(text);
      return;
    }
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = file;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const set = <K extends keyof StreamOptions>(k: K, v: StreamOptions[K]) => setOpts((o) => ({ ...o, [k]: v }));
  const step = (dir: 1 | -1) => setCurrent((c) => stepMatch(c, found.matches.length, dir));
  const dropped = droppedText(b.dropped, b.cap);
  const count = rows ? rows.length : entries.length;

  return (
    <section
      className="panel logs"
      data-logs={kind}
      data-log-stream-state={state}
      data-log-count={entries.length}
      data-log-dropped={b.dropped || undefined}
      aria-labelledby={`${id}-h`}
    >
      <h2 id={`${id}-h`} className="sr-only">
        Logs
      </h2>
      <div className="log-controls" role="group" aria-label="What to stream">
        <label>
          Container{' '}
          <select value={opts.container} onChange={(e) => set('container', e.target.value)} data-log-option="container">
            <option value="">default{info?.sources[0] ? ` (${info.sources[0].container})` : ''}</option>
            {(['app', 'sidecar', 'init'] as const).map((k) => {
              const list = choices.filter((c) => c.kind === k);
              if (!list.length) return null;
              return (
                <optgroup key={k} label={k === 'app' ? 'Containers' : k === 'sidecar' ? 'Sidecars' : 'Init containers'}>
                  {list.map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name}
                    </option>
                  ))}
                </optgroup>
              );
            })}
          </select>
        </label>
        {STREAM_CHECKS.map(([k, text, title]) => (
          <OptionCheck key={k} name={k} checked={opts[k]} onChange={(v) => set(k, v)} title={title}>
            {text}
          </OptionCheck>
        ))}
        <OptionSelect name="since" label="Since" value={opts.since} choices={SINCE} onChange={(v) => set('since', v)} />
        <OptionSelect name="tail" label="Tail" value={opts.tail} choices={TAIL} onChange={(v) => set('tail', v)} />
        <span className="log-sep" aria-hidden="true" />
        <OptionCheck name="timestamps" checked={timestamps} onChange={setTimestamps}>
          Timestamps
        </OptionCheck>
        <OptionCheck name="wrap" checked={wrap} onChange={setWrap}>
          Wrap
        </OptionCheck>
        <div className="spacer" />
        <button type="button" onClick={download} disabled={!count} data-log-download title="the lines shown, as a .log file">
          Download
        </button>
        {(state === 'done' || state === 'error') && (
          <button type="button" onClick={() => setRestart((r) => r + 1)} data-log-restart>
            Restart
          </button>
        )}
      </div>
      <div className="log-controls" role="search" aria-label="Search the lines">
        <input
          type="search"
          value={query}
          placeholder="Search the lines"
          aria-label="Search the lines"
          spellCheck={false}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              step(e.shiftKey ? -1 : 1);
            }
          }}
          data-log-search
        />
        <span className="muted small" data-log-matches={found.matches.length} aria-live="polite">
          {query
            ? found.matches.length
              ? `${current >= 0 ? `${formatCount(current + 1)} of ` : ''}${formatCount(found.matches.length)}${found.truncated ? '+' : ''} matches`
              : 'no matches'
            : ''}
        </span>
        <button type="button" onClick={() => step(-1)} disabled={!found.matches.length} data-log-match-prev aria-label="Previous match">
          ↑
        </button>
        <button type="button" onClick={() => step(1)} disabled={!found.matches.length} data-log-match-next aria-label="Next match">
          ↓
        </button>
        <OptionCheck name="only-matching" checked={onlyMatching} onChange={setOnlyMatching}>
          Only matching lines
        </OptionCheck>
        <div className="spacer" />
        <StreamStatus state={state} info={info} follow={opts.follow} lines={entries.length} workload={workload} />
      </div>
      {error && (
        <p className="notice error" role="alert" data-log-error>
          {error}
        </p>
      )}
      {!!info?.problems?.length && (
        <details className="notice warn small" data-log-problems={info.problems.length}>
          <summary>
            {info.problems.length} pod{info.problems.length === 1 ? ' is' : 's are'} not streamed
          </summary>
          <ul className="plain">
            {info.problems.map((x, i) => (
              <li key={i}>
                <code>
                  {x.pod}
                  {x.container ? `/${x.container}` : ''}
                </code>
                : {x.error}
              </li>
            ))}
          </ul>
        </details>
      )}
      {dropped && (
        <p className="notice warn small" data-log-capped>
          {dropped}
        </p>
      )}
      <LogLines
        buffer={b}
        version={version}
        rows={rows}
        showTime={timestamps}
        showPod={multi}
        wrap={wrap}
        query={query}
        current={current >= 0 ? (found.matches[current] ?? null) : null}
        firstMatchFrom={(line) => firstMatchFrom(found.matches, line)}
        onCurrent={setCurrent}
        empty={
          state === 'loading'
            ? 'Starting the stream…'
            : rows
              ? 'No line matches.'
              : state === 'streaming' && opts.follow
                ? 'No lines yet: new lines appear here as they are written.'
                : 'No log lines.'
        }
      />
      {copy !== null && <CopyDialog text={copy} onClose={() => setCopy(null)} />}
    </section>
  );
}

/** The stream's on/off options: its key (and data-log-option), the label's text, its tooltip. */
const STREAM_CHECKS: [k: 'follow' | 'previous', text: string, title: string][] = [
  ['follow', 'Follow', 'keep the stream open: new lines appear as they are written'],
  ['previous', 'Previous instance', "the logs of the container's previous instance (before its last restart)"],
];

/** A stream or display option as a checkbox and its label (data-log-option=<name>). */
function OptionCheck(p: { name: string; checked: boolean; onChange(on: boolean): void; title?: string; children: ReactNode }) {
  return (
    <label title={p.title}>
      <input type="checkbox" checked={p.checked} onChange={(e) => p.onChange(e.target.checked)} data-log-option={p.name} /> {p.children}
    </label>
  );
}

/** A stream option with a few fixed choices (since, tail) as a labelled select (data-log-option=<name>). */
function OptionSelect<K extends string>(p: {
  name: string;
  label: string;
  value: K;
  choices: readonly { key: K; label: string }[];
  onChange(key: K): void;
}) {
  return (
    <label>
      {p.label}{' '}
      <select value={p.value} onChange={(e) => p.onChange(e.target.value as K)} data-log-option={p.name}>
        {p.choices.map((c) => (
          <option key={c.key} value={c.key}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function StreamStatus(p: { state: StreamState; info: LogStreamDTO | null; follow: boolean; lines: number; workload: boolean }) {
  const pods = p.info ? [...new Set(p.info.sources.map((s) => s.pod))] : [];
  const what = p.info
    ? p.workload
      ? `${pods.length} pod${pods.length === 1 ? '' : 's'}`
      : p.info.sources.map((s) => `${s.pod}/${s.container}`).join(', ')
    : '';
  const text =
    p.state === 'loading'
      ? 'starting…'
      : p.state === 'streaming'
        ? `${p.follow ? 'following' : 'reading'} ${what}`
        : p.state === 'done'
          ? `ended · ${what}`
          : 'ended with an error';
  return (
    <span
      className={`badge log-state log-state-${p.state}`}
      title={p.info?.sources.map((s) => `${s.pod}/${s.container}`).join('\n')}
      data-log-state-text
    >
      {text} · {formatCount(p.lines)} lines
    </span>
  );
}

/** The lines, virtually: only the rows on screen are in the DOM; the list keeps to its end while it is there. */
function LogLines(p: {
  buffer: LogBuffer;
  version: number;
  rows: number[] | null;
  showTime: boolean;
  showPod: boolean;
  wrap: boolean;
  query: string;
  current: { line: number; start: number; end: number } | null;
  firstMatchFrom(line: number): number;
  onCurrent(i: number): void;
  empty: string;
}) {
  const { buffer, rows, wrap } = p;
  const entries = buffer.entries;
  const scroller = useRef<HTMLDivElement>(null);
  const probe = useRef<HTMLSpanElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [size, setSize] = useState({ width: 800, height: 400 });
  const [charWidth, setCharWidth] = useState(7.5);
  const stick = useRef(true);
  const [stuck, setStuck] = useState(true);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => {
      setSize({ width: el.clientWidth, height: el.clientHeight });
      const w = probe.current?.getBoundingClientRect().width;
      if (w) setCharWidth(w / 100);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const count = rows ? rows.length : entries.length;
  const entryAt = (r: number) => entries[rows ? rows[r]! : r]!;
  // the time and pod columns, in characters (as the CSS sizes them)
  const prefixChars = (p.showTime ? 25 : 0) + (p.showPod ? 29 : 0);
  const perLine = charsPerLine(size.width - 16 - prefixChars * charWidth, charWidth);
  // wrapped rows' heights, measured incrementally: all the lines, only those changed since the last
  // redraw (buffer.changedSince); the matching lines, when their list changes
  const cache = useMemo(() => ({ offsets: new RowOffsetCache(), version: buffer.version, removed: buffer.removed }), [buffer]);
  const offsets = useMemo(
    () => {
      if (!wrap) return null;
      const from = rows ? 0 : buffer.changedSince(cache.version) - buffer.removed;
      const shift = rows ? 0 : buffer.removed - cache.removed;
      cache.version = buffer.version;
      cache.removed = buffer.removed;
      return cache.offsets.offsets(`${rows ? 'matching' : 'all'}|${perLine}`, count, rows ? 0 : from, shift, (r) => {
        const t = entryAt(r).text;
        let tabs = 0;
        for (let i = t.indexOf('\t'); i >= 0; i = t.indexOf('\t', i + 1)) tabs++;
        return wrappedLines(t.length + tabs * 3, perLine) * ROW;
      });
    },
    // (the entries change in place: `version` says when; the matching lines are a new list when they change)
    [wrap, count, perLine, rows ?? p.version, cache],
  );
  const win = offsets ? offsetWindow(scrollTop, size.height, offsets) : fixedWindow(scrollTop, size.height, ROW, count);
  const rowTop = (r: number) => (offsets ? offsets[r]! : r * ROW);
  const rowBottom = (r: number) => (offsets ? offsets[r + 1]! : (r + 1) * ROW);

  // a new stream (its options changed): follow its end again
  useLayoutEffect(() => {
    stick.current = true;
    setStuck(true);
  }, [buffer]);

  // keep to the end while the user has not scrolled away from it
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [p.version, count, win.total]);

  // the current match: scroll it into view (and stop following the end: the user is reading)
  const cur = p.current;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !cur) return;
    const r = rows ? rows.indexOf(cur.line) : cur.line;
    if (r < 0) return;
    const y = scrollToShow(rowTop(r), rowBottom(r), el.scrollTop, el.clientHeight, win.total);
    if (y !== el.scrollTop) {
      stick.current = false;
      setStuck(false);
      el.scrollTop = y;
    }
    // (only when the match moves)
  }, [cur?.line, cur?.start, rows]);

  const re = useMemo(() => matcher(p.query), [p.query]);
  const lines: ReactNode[] = [];
  for (let r = win.start; r < win.end; r++) {
    const i = rows ? rows[r]! : r;
    const e = entries[i];
    if (!e) continue;
    const ranges = re ? matchRanges(e.text, re) : [];
    const curIdx = cur && cur.line === i ? ranges.findIndex((x) => x[0] === cur.start) : -1;
    const colour = buffer.colourOf(e.pod);
    lines.push(
      <div
        key={i}
        className="log-line"
        style={wrap ? { minHeight: rowBottom(r) - rowTop(r) } : undefined}
        data-log-line={i}
        data-log-pod={e.pod}
        data-log-container={e.container}
      >
        {p.showTime && <span className="log-time">{lineTime(e.at)}</span>}
        {p.showPod && (
          <span className={`log-pod pod-c${colour}`} style={{ color: `var(--pod-${colour})` }} title={`${e.pod}/${e.container}`}>
            {e.pod}
          </span>
        )}
        <span className="log-text">
          {segments(e.text, ranges, curIdx).map((s, k) =>
            s.hit ? (
              <mark key={k} data-log-hit data-current={s.current || undefined} className={s.current ? 'current' : undefined}>
                {s.text}
              </mark>
            ) : (
              s.text
            ),
          )}
        </span>
      </div>,
    );
  }

  return (
    <div className="log-frame">
      <div
        ref={scroller}
        className={`log-scroll ${wrap ? 'log-wrap' : 'log-nowrap'}`}
        tabIndex={0}
        role="log"
        aria-label="Log lines"
        aria-live="off"
        dir="ltr"
        onScroll={(ev) => {
          const el = ev.currentTarget;
          setScrollTop(el.scrollTop);
          const end = atBottom(el.scrollTop, el.clientHeight, el.scrollHeight);
          if (end !== stick.current) {
            stick.current = end;
            setStuck(end);
          }
        }}
        onClick={(ev) => {
          // a click on a match makes it the current one
          const m = (ev.target as HTMLElement).closest('mark[data-log-hit]');
          const line = m?.closest('[data-log-line]')?.getAttribute('data-log-line');
          if (!m || line === null || line === undefined) return;
          const idx = p.firstMatchFrom(Number(line));
          if (idx >= 0) p.onCurrent(idx);
        }}
      >
        <span ref={probe} className="log-probe" aria-hidden="true">
          {'M'.repeat(100)}
        </span>
        {count === 0 ? (
          <p className="muted log-empty">{p.empty}</p>
        ) : (
          <div className="log-space" style={{ height: win.total }}>
            <div className="log-window" style={{ transform: `translateY(${win.top}px)` }} data-log-window={`${win.start}-${win.end}`}>
              {lines}
            </div>
          </div>
        )}
      </div>
      {!stuck && count > 0 && (
        <button
          type="button"
          className="log-jump"
          onClick={() => {
            stick.current = true;
            setStuck(true);
            const el = scroller.current;
            if (el) el.scrollTop = el.scrollHeight;
          }}
          data-log-jump
        >
          ↓ Latest
        </button>
      )}
    </div>
  );
}

/** The desktop app's stand-in for a download (its policy refuses every download): the lines to copy. */
function CopyDialog({ text, onClose }: { text: string; onClose(): void }) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const shown = text.length > COPY_MAX ? text.slice(0, COPY_MAX) : text;
  const doCopy = async () => {
    try {
      await navigator.clipboard.writeText(shown);
      setMsg('Copied.');
      return;
    } catch {
      // the async clipboard is a permission the app refuses: the selection's copy command instead
    }
    area.current?.select();
    setMsg(document.execCommand('copy') ? 'Copied.' : 'Copying was refused: the text is selected, press Ctrl+C (⌘C).');
  };
  return (
    <Dialog title="Download is off in the desktop app" onClose={onClose} testid="log-copy-dialog" className="wide">
      <div className="dialog-form">
        <p className="muted small">
          The desktop app refuses every download by policy (no file is written from a page). Copy the lines below instead, or open the
          console in the web shell (<code>npm run web</code>), where Download saves them as a .log file.
          {text.length > COPY_MAX ? ` Only the first ${formatCount(COPY_MAX)} characters are shown.` : ''}
        </p>
        <textarea ref={area} className="log-copy" readOnly value={shown} rows={16} spellCheck={false} aria-label="The lines shown" />
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={() => void doCopy()} data-log-copy>
            Copy
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
          {msg && <span className="muted small">{msg}</span>}
        </div>
      </div>
    </Dialog>
  );
}
