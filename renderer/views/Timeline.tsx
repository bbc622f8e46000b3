// The fleet's changes over time (#/changes): filters, the changes made to several clusters at once
// (changes.fleet), the timeline canvas (one lane per cluster, changes.timeline for the window on
// screen and some either side, asked again as the user zooms and pans past it), and the list of the
// window's changes (changes.list, newest first, paged). A mark or a row opens the change in the side
// panel. The filter, the window and the selection are the address (#/changes?…), replaced as they
// change. Everything counts from the time shown: now, the snapshot's capture, or "as of".
import { useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { CHANGE_CATEGORIES, type ChangeCategory, type ChangeEventDTO, type FleetChangeDTO } from '../../common/contract.ts';
import { formatAge, formatCount } from '../../common/format.ts';
import { getApi } from '../api/index.ts';
import { useApp } from '../store/index.ts';
import { NO_FILTER, type ChangesQuery, type SeverityFilter } from '../store/route.ts';
import { useLatest, type Latest } from '../store/useLatest.ts';
import { DAY, HOUR, MINUTE, formatClock, formatDateTime } from '../store/time.ts';
import { safeName } from '../map/text.ts';
import type { TooltipText } from '../map/tooltip.ts';
import { ClusterChecks } from '../components/forms.tsx';
import { ErrorNote, Loading, Panel } from '../components/common.tsx';
import { TimelineCanvas } from '../timeline/TimelineCanvas.tsx';
import type { MarkInfo, TimelineCallbacks, TimelineTime } from '../timeline/engine.ts';
import { GLYPH_OF } from '../timeline/paint.ts';
import { fetchWindow, needsFetch, timelineBounds, type Window } from '../timeline/window.ts';
import { ChangeDetail } from './changes/ChangeDetail.tsx';
import { ChangeTable } from './changes/ChangeTable.tsx';
import {
  KNOWN_KINDS,
  appendPage,
  defaultWindow,
  filterKey,
  filterParams,
  gapText,
  objectLabel,
  shownTime,
  typedKinds,
  typedNamespaces,
} from './changes/text.ts';

/** The most marks one answer may carry (the contract's default). */
const MARK_LIMIT = 100_000;
const LIST_PAGE = 100;
/** The window is reported this long after the camera last moved. */
const SETTLE_MS = 250;
/** Typed filters reach the address this long after the last key. */
const TYPE_MS = 400;
const DETAILS_MAX = 2000;

/** Change the timeline's query (replaced in the address: a filter or a pan is not a history entry). */
function patchQuery(patch: Partial<ChangesQuery>): void {
  const s = useApp.getState();
  const r = s.route;
  if (r.view !== 'changes') return;
  s.replaceRoute({ view: 'changes', q: { ...r.q, ...patch } });
}

export function Timeline({ q }: { q: ChangesQuery }) {
  const { fleet, at, now } = useApp(useShallow((s) => ({ fleet: s.fleet, at: s.at, now: s.now })));
  const shown = shownTime(at, fleet, now);
  // Live, the home window moves by the minute (not with every tick of the clock): the list and the
  // fleet changes are not asked again every few seconds; pushes bring what is new meanwhile.
  const homeEnd = shown.live ? Math.ceil(shown.time / MINUTE) * MINUTE : shown.time;
  const historyFrom = fleet?.history?.from ?? null;
  const historyTo = fleet?.history?.to ?? null;
  const time: TimelineTime = useMemo(() => {
    const home = defaultWindow(homeEnd);
    return {
      shown: shown.time,
      shownLabel: shown.label,
      bounds: timelineBounds(historyFrom === null || historyTo === null ? null : { from: historyFrom, to: historyTo }, homeEnd),
      home: { start: home.from, span: home.to - home.from },
    };
  }, [shown.time, shown.label, homeEnd, historyFrom, historyTo]);

  const urlView = q.from !== null && q.to !== null ? { from: q.from, to: q.to } : null;
  // The window on screen once the camera rests: what the list and the fleet changes are asked for.
  const [settled, setSettled] = useState<Window>(() => urlView ?? defaultWindow(homeEnd));
  const [fetchWin, setFetchWin] = useState<Window>(() => fetchWindow(settled));
  const fk = filterKey(q);

  const tlParams = useMemo(() => ({ ...filterParams(q, fetchWin), limit: MARK_LIMIT }), [fk, fetchWin]);
  const tl = useLatest('changes.timeline', tlParams, 200, 5000);
  const tlCurrent = tl.params !== undefined && tl.params === tlParams;
  const fetched = useMemo(() => (tl.params ? { from: tl.params.from, to: tl.params.to } : null), [tl.params]);
  useEffect(() => {
    const truncated = !!tl.data?.truncated && tlCurrent;
    if (needsFetch(fetchWin, settled, truncated)) setFetchWin(fetchWindow(settled));
  }, [settled, tl.data, tlCurrent, fetchWin]);

  const listParams = useMemo(() => ({ ...filterParams(q, settled), limit: LIST_PAGE }), [fk, settled.from, settled.to]);
  const list = useLatest('changes.list', listParams, 300, 3000);
  const fleetChanges = useLatest('changes.fleet', { from: settled.from, to: settled.to }, 400, 10_000);

  // Tooltip details: the list's rows, and changes.get for a hovered mark not among them.
  const details = useRef(new Map<number, ChangeEventDTO>());
  const [detailsSeq, setDetailsSeq] = useState(0);
  useEffect(() => {
    if (!list.data) return;
    if (details.current.size > DETAILS_MAX) details.current.clear();
    for (const c of list.data.changes) details.current.set(c.id, c);
    setDetailsSeq((n) => n + 1);
  }, [list.data]);
  const hoverTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const settleTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(
    () => () => {
      clearTimeout(hoverTimer.current);
      clearTimeout(settleTimer.current);
    },
    [],
  );

  const [reveal, setReveal] = useState(0);
  const shownRef = useRef(shown.time);
  shownRef.current = shown.time;

  const callbacks = useMemo<TimelineCallbacks>(
    () => ({
      select: (id) => patchQuery({ change: id }),
      viewChanged: (from, to, custom) => {
        clearTimeout(settleTimer.current);
        settleTimer.current = setTimeout(() => {
          setSettled((s) => (s.from === from && s.to === to ? s : { from, to }));
          // the address says the window the user chose; none for the default one
          const r = useApp.getState().route;
          if (r.view !== 'changes') return;
          const want = custom ? { from, to } : { from: null, to: null };
          if (r.q.from !== want.from || r.q.to !== want.to) patchQuery(want);
        }, SETTLE_MS);
      },
      hover: (m) => {
        clearTimeout(hoverTimer.current);
        if (!m || details.current.has(m.id)) return;
        const id = m.id;
        hoverTimer.current = setTimeout(() => {
          getApi()
            .call('changes.get', { id })
            .then(
              (d) => {
                details.current.set(id, d.change);
                setDetailsSeq((n) => n + 1);
              },
              () => {},
            );
        }, 120);
      },
      describe: (m) => describeMark(m, details.current.get(m.id)),
      describeGap: (g) => ({
        title: 'Capture gap',
        sub: safeName(g.clusterContext, 60),
        lines: [gapText(g, shownRef.current), 'what changed here is not known (nothing is implied either way)'],
      }),
    }),
    [],
  );

  const openRow = (c: ChangeEventDTO) => {
    patchQuery({ change: c.id });
    setReveal((n) => n + 1);
  };

  const anyFilter = fk !== filterKey(NO_FILTER);
  return (
    <div className="scroll timeline-view" data-view="changes" data-selected-change={q.change ?? undefined} data-asof={at ?? undefined}>
      <div className="toolbar">
        <h1 className="title">Fleet changes</h1>
        <WindowText w={settled} shown={shown.time} />
        <WindowPresets shown={homeEnd} custom={urlView !== null} />
        <div className="spacer" />
        {tl.loading && <span className="muted small">updating…</span>}
      </div>
      {at !== null && (
        <p className="notice asof" role="note" data-asof={at}>
          <strong>As of {formatDateTime(at)}</strong>: the blue line marks that time; the window ends there until you move it. Changes
          recorded after it are shown to its right.{' '}
          <button type="button" className="linkish" onClick={() => useApp.getState().setAt(null)}>
            Show the latest
          </button>
        </p>
      )}
      <Filters q={q} anyFilter={anyFilter} />
      {fleetChanges.data && fleetChanges.data.length > 0 && <FleetChanges list={fleetChanges.data} />}
      {fleetChanges.error && !fleetChanges.data && <ErrorNote error={`Fleet changes: ${fleetChanges.error}`} />}
      <div className={q.change !== null ? 'timeline-main with-side' : 'timeline-main'}>
        <div className="timeline-col">
          {tl.error && <ErrorNote error={tl.error} />}
          {tl.data?.truncated && tlCurrent && (
            <p className="notice warn" data-truncated-note>
              {formatCount(tl.data.marks.at.length)} of {formatCount(tl.data.total)} changes in this window are drawn: zoom in to see every
              one (the timeline asks again as you zoom).
            </p>
          )}
          {tl.data && !tl.data.lanes.length && <p className="muted">No cluster matches the filter.</p>}
          {!tl.data && !tl.error && <Loading what="the timeline" />}
          <TimelineCanvas
            data={tl.data}
            fetched={fetched}
            time={time}
            view={urlView}
            selected={q.change}
            reveal={reveal}
            details={detailsSeq}
            callbacks={callbacks}
          />
          <Legend />
          <ChangeList q={q} params={listParams} first={list} shown={shown.time} onOpen={openRow} />
        </div>
        {q.change !== null && (
          <aside className="timeline-side panel" data-selected-change={q.change} aria-label="Change">
            <ChangeDetail id={q.change} inTimeline onClose={() => patchQuery({ change: null })} />
          </aside>
        )}
      </div>
    </div>
  );
}

/** What the tooltip says of a mark: its details when known, else its category and time. */
function describeMark(m: MarkInfo, c: ChangeEventDTO | undefined): TooltipText {
  const lines: string[] = [];
  if (c) {
    lines.push(objectLabel(c));
    lines.push(`by ${safeName(c.who || 'unknown', 80)}`);
  }
  lines.push(`${m.severity} · ${m.category}`);
  if (!c) lines.push('loading its details…');
  if (m.near > 1) lines.push(`${formatCount(m.near)} changes here: zoom in to tell them apart`);
  lines.push('click to open the change');
  return {
    title: c ? safeName(c.summary, 160) : `${m.category} change`,
    sub: `${safeName(m.context, 60)} · ${formatDateTime(m.at)}`,
    lines,
  };
}

function WindowText({ w, shown }: { w: Window; shown: number }) {
  return (
    <span className="muted" data-window={`${w.from}-${w.to}`}>
      {formatClock(w.from, shown)} – {formatClock(w.to, shown)} ({formatAge(w.to - w.from)})
    </span>
  );
}

const PRESETS: readonly { label: string; ms: number }[] = [
  { label: '1 h', ms: HOUR },
  { label: '6 h', ms: 6 * HOUR },
  { label: '24 h', ms: DAY },
  { label: '7 d', ms: 7 * DAY },
];

/** The last 1 h (the default), 6 h, a day, a week before the time shown. */
function WindowPresets({ shown, custom }: { shown: number; custom: boolean }) {
  const r = useApp((s) => s.route);
  const q = r.view === 'changes' ? r.q : NO_FILTER;
  return (
    <div className="segmented" role="group" aria-label="Window">
      {PRESETS.map((p) => {
        const active = p.ms === HOUR ? !custom : q.from === shown - p.ms && q.to === shown;
        return (
          <button
            key={p.label}
            type="button"
            aria-pressed={active}
            data-window-preset={p.ms}
            onClick={() => patchQuery(p.ms === HOUR ? { from: null, to: null } : { from: shown - p.ms, to: shown })}
          >
            {p.label}
          </button>
        );
      })}
    </div>
  );
}

// ------------------------------------------------------------------------------------ filters

const SEVERITY_FILTERS: readonly { value: SeverityFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'changes', label: 'Changes' },
  { value: 'problems', label: 'Problems' },
];

/** A text field whose value reaches `onCommit` once typing pauses (and follows the address meanwhile). */
function TypedField({
  label,
  value,
  onCommit,
  filter,
  placeholder,
  list,
  error,
}: {
  label: string;
  value: string;
  onCommit(v: string): void;
  filter: string;
  placeholder?: string;
  list?: string;
  error?: string | null;
}) {
  const [text, setText] = useState(value);
  const committed = useRef(value);
  const commit = useRef(onCommit);
  commit.current = onCommit;
  useEffect(() => {
    // the address changed under the field (back, a link, "clear"): show it
    if (value !== committed.current) {
      committed.current = value;
      setText(value);
    }
  }, [value]);
  useEffect(() => {
    if (text === committed.current) return;
    const t = setTimeout(() => {
      committed.current = text;
      commit.current(text);
    }, TYPE_MS);
    return () => clearTimeout(t);
  }, [text]);
  return (
    <label className="filter-field">
      <span>{label}</span>
      <input
        type="search"
        value={text}
        placeholder={placeholder}
        list={list}
        data-filter={filter}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        onChange={(e) => setText(e.target.value)}
      />
      {error && <span className="bad small">{error}</span>}
    </label>
  );
}

function Filters({ q, anyFilter }: { q: ChangesQuery; anyFilter: boolean }) {
  const clusters = useApp((s) => s.fleet?.clusters) ?? [];
  const [kindError, setKindError] = useState<string | null>(null);
  const all = clusters.map((c) => c.id);
  const toggleCat = (c: ChangeCategory) =>
    patchQuery({ categories: q.categories.includes(c) ? q.categories.filter((x) => x !== c) : [...q.categories, c] });
  return (
    <div className="timeline-filters" role="search" aria-label="Filter the changes">
      <details className="filter-pop" data-filter="cluster">
        <summary>
          Clusters: {q.clusters.length ? `${q.clusters.length} of ${clusters.length}` : 'all'}
          {q.clusters.length > 0 && (
            <span className="badge" data-cluster-filter={q.clusters.length}>
              filtered
            </span>
          )}
        </summary>
        <div className="filter-pop-body">
          <ClusterChecks
            clusters={clusters}
            checked={q.clusters.length ? q.clusters.filter((c) => all.includes(c)) : all}
            onChange={(ids) => patchQuery({ clusters: ids.length === all.length || !ids.length ? [] : ids })}
          />
          <p className="muted small">None or all checked: every cluster.</p>
        </div>
      </details>
      <TypedField
        label="Namespace"
        filter="ns"
        value={q.namespaces.join(', ')}
        placeholder="any"
        onCommit={(v) => patchQuery({ namespaces: typedNamespaces(v) })}
      />
      <TypedField
        label="Kind"
        filter="kind"
        value={q.kinds.join(', ')}
        placeholder="any (pods, deployment…)"
        list="timeline-kinds"
        error={kindError}
        onCommit={(v) => {
          const { kinds, unknown } = typedKinds(v);
          setKindError(unknown.length ? `not a kind: ${unknown.join(', ')}` : null);
          patchQuery({ kinds });
        }}
      />
      <datalist id="timeline-kinds">
        {KNOWN_KINDS.map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
      <TypedField
        label="Text"
        filter="q"
        value={q.text}
        placeholder="summary, name, who"
        onCommit={(v) => patchQuery({ text: v.slice(0, 256) })}
      />
      <div className="segmented" role="group" aria-label="Severity" data-filter="sev">
        {SEVERITY_FILTERS.map((s) => (
          <button
            key={s.value}
            type="button"
            aria-pressed={q.severity === s.value}
            data-sev={s.value}
            onClick={() => patchQuery({ severity: s.value })}
          >
            {s.label}
          </button>
        ))}
      </div>
      {anyFilter && (
        <button
          type="button"
          className="linkish"
          data-testid="filters-clear"
          onClick={() => {
            setKindError(null);
            patchQuery({ clusters: [], namespaces: [], kinds: [], categories: [], severity: 'all', text: '' });
          }}
        >
          Clear filters
        </button>
      )}
      <div className="chips" role="group" aria-label="Categories" data-filter="cat">
        {CHANGE_CATEGORIES.map((c) => (
          <button key={c} type="button" className="chip" aria-pressed={q.categories.includes(c)} data-cat={c} onClick={() => toggleCat(c)}>
            <span className={`glyph glyph-${GLYPH_OF[c]}`} aria-hidden="true" />
            {c}
          </button>
        ))}
      </div>
    </div>
  );
}

/** The legend's entries: a swatch or glyph (its class) and what it means. */
const LEGEND: readonly (readonly [mark: string, meaning: string])[] = [
  ['sw sev-info', 'change'],
  ['sw sev-ok', 'recovered'],
  ['sw sev-warning', 'warning'],
  ['sw sev-critical', 'critical'],
  ['glyph glyph-square', 'workloads'],
  ['glyph glyph-tall', 'config, secrets, RBAC, CRDs'],
  ['glyph glyph-flat', 'nodes, accelerators, storage'],
  ['glyph glyph-plus', 'health'],
  ['sw gap', 'capture gap: changes may be missing'],
];

function Legend() {
  return (
    <p className="timeline-legend muted small" aria-hidden="true">
      {LEGEND.map(([mark, meaning]) => (
        <span key={mark}>
          <span className={mark} /> {meaning}
        </span>
      ))}
      <span>bars: more changes than room (taller: more)</span>
    </p>
  );
}

// ------------------------------------------------------------------------------------ fleet changes

/** The same change made to several clusters, and the problems that followed it in each. */
function FleetChanges({ list }: { list: FleetChangeDTO[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? list : list.slice(0, 5);
  return (
    <section className="panel fleet-changes" data-panel="fleet-changes" aria-labelledby="fleet-changes-h">
      <h2 id="fleet-changes-h">Fleet changes in this window ({list.length})</h2>
      <ul className="plain">
        {shown.map((f) => (
          <li key={f.key} data-fleet-change={f.key}>
            <button
              type="button"
              className="linkish"
              title="Show only these clusters"
              onClick={() => patchQuery({ clusters: [...new Set(f.clusters.map((c) => c.cluster))] })}
            >
              <bdi>{safeName(f.summary, 300)}</bdi>
            </button>{' '}
            <span className="badge">{f.category}</span>
            <span className="cluster-chips">
              {f.clusters.map((c) => (
                <button
                  key={c.cluster}
                  type="button"
                  className={c.problemsAfter ? 'chip bad' : 'chip'}
                  data-fleet-cluster={c.cluster}
                  data-problems-after={c.problemsAfter}
                  title={`${formatDateTime(c.at)}: ${c.changes} change(s)${c.problemsAfter ? `, ${c.problemsAfter} problem(s) since` : ''}`}
                  onClick={() => patchQuery({ clusters: [c.cluster] })}
                >
                  <bdi>{safeName(c.clusterContext, 40)}</bdi>
                  {c.problemsAfter > 0 && <span aria-label={`${c.problemsAfter} problems since`}> ⚠ {c.problemsAfter}</span>}
                </button>
              ))}
            </span>
          </li>
        ))}
      </ul>
      {list.length > shown.length && (
        <button type="button" className="linkish" onClick={() => setAll(true)}>
          Show all {list.length}
        </button>
      )}
    </section>
  );
}

// ------------------------------------------------------------------------------------ the list

function ChangeList({
  q,
  params,
  first,
  shown,
  onOpen,
}: {
  q: ChangesQuery;
  params: ReturnType<typeof filterParams> & { limit: number };
  first: Latest<'changes.list'>;
  shown: number;
  onOpen(c: ChangeEventDTO): void;
}) {
  // pages after the first, for the params they continue
  const [more, setMore] = useState<{ params: object; changes: ChangeEventDTO[]; more: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const data = first.data;
  const current = first.params === params;
  const pages = more && more.params === first.params ? more : null;
  const changes = pages?.changes ?? data?.changes ?? [];
  const hasMore = pages ? pages.more : !!data?.more;

  const next = async () => {
    const last = changes[changes.length - 1];
    if (!last || !first.params) return;
    setBusy(true);
    try {
      const page = await getApi().call('changes.list', { ...first.params, before: { at: last.at, id: last.id } });
      setMore({ params: first.params, changes: appendPage(changes, page.changes), more: page.more });
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel title={`Changes in the window${data ? ` (${formatCount(changes.length)}${hasMore ? '+' : ''})` : ''}`} id="change-list">
      {first.error && <ErrorNote error={first.error} />}
      {!data && !first.error && <Loading what="the changes" />}
      {data && !changes.length && !data.gaps.length && (
        <p className="muted">No recorded change in this window{q.text || q.categories.length ? ' matches the filter' : ''}.</p>
      )}
      {data && (changes.length > 0 || data.gaps.length > 0) && (
        <div className={current ? undefined : 'outdated'}>
          <ChangeTable changes={changes} gaps={data.gaps} now={shown} selected={q.change} onOpen={onOpen} name="change-list" />
        </div>
      )}
      {error && <ErrorNote error={error} />}
      {hasMore && (
        <button type="button" onClick={() => void next()} disabled={busy} data-testid="change-list-more">
          {busy ? 'Loading…' : 'Older changes'}
        </button>
      )}
    </Panel>
  );
}
