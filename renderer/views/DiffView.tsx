// Two states of the fleet compared (snapshot.diff): totals, then per cluster (collapsible) and kind the
// objects added (+), removed (−) and changed (~) with their field-level changes. Every name and value is
// text (invisible characters shown as escapes), long values are cut with a way to see them whole.
import { useEffect, useId, useState } from 'react';
import type { SnapshotDiffDTO, SnapshotDiffRef } from '../../common/contract.ts';
import { formatCount } from '../../common/format.ts';
import { getApi } from '../api/index.ts';
import { useApp } from '../store/index.ts';
import { go } from '../store/route.ts';
import { clusterCounts, countsText, sourceLabel, visible } from '../store/snapshot.ts';
import { ErrorNote, Figure, Loading } from '../components/common.tsx';
import { TextField } from '../components/forms.tsx';
import { DiffTable } from '../components/DiffTable.tsx';

/** Objects listed per kind and side before "show all". */
const LIST_FIRST = 100;

export function DiffView({ from, to }: { from: string; to: string }) {
  const mode = useApp((s) => s.fleet?.mode);
  const [state, setState] = useState<{ key: string; data?: SnapshotDiffDTO; error?: string } | null>(null);
  const key = JSON.stringify([from, to]);
  const ready = from !== '' && to !== '';

  // Read once per pair: a comparison is a report, not a live view (pushes do not re-run it).
  useEffect(() => {
    if (!ready) return;
    let live = true;
    setState({ key });
    getApi()
      .call('snapshot.diff', { from, to })
      .then(
        (data) => live && setState({ key, data }),
        (e: Error) => live && setState({ key, error: e.message }),
      );
    return () => {
      live = false;
    };
  }, [key, ready, from, to]);

  const cur = state?.key === key ? state : null;
  // What the view shows, for whoever waits on it: a comparison of this pair, loading, done or failed.
  const shown = !ready ? 'empty' : cur?.error ? 'error' : cur?.data ? 'done' : 'loading';
  return (
    <div className="scroll" data-view="diff" data-testid="diff-view" data-diff-state={shown} data-diff-pair={`${from} → ${to}`}>
      <div className="toolbar">
        <h1 className="title">
          Compare <bdi className="src">{cur?.data?.from ?? sourceLabel(from, mode)}</bdi> →{' '}
          <bdi className="src">{cur?.data?.to ?? sourceLabel(to, mode)}</bdi>
        </h1>
      </div>
      <CompareForm from={from} to={to} />
      {!ready ? (
        <p className="muted">
          Choose what to compare: a snapshot file (absolute path) and “@this” (what this session shows) or “@cache” (the live cache).
        </p>
      ) : !cur || (!cur.data && !cur.error) ? (
        <Loading what="the comparison" />
      ) : cur.error ? (
        <div data-diff-error>
          <ErrorNote error={cur.error} />
        </div>
      ) : cur.data ? (
        <DiffBody d={cur.data} />
      ) : null}
    </div>
  );
}

/** Change either side (a path, "@this", "@cache") and compare again. */
function CompareForm({ from, to }: { from: string; to: string }) {
  const id = useId();
  const [f, setF] = useState(from);
  const [t, setT] = useState(to);
  useEffect(() => {
    setF(from);
    setT(to);
  }, [from, to]);
  return (
    <form
      className="compare-form"
      onSubmit={(e) => {
        e.preventDefault();
        go({ view: 'diff', from: f.trim(), to: t.trim() });
      }}
    >
      <TextField
        id={`${id}-from`}
        label="From"
        value={f}
        onChange={setF}
        placeholder="/path/to/a.fleetsnap, @this or @cache"
        testid="diff-from"
      />
      <TextField id={`${id}-to`} label="To" value={t} onChange={setT} placeholder="@this, @cache or a path" testid="diff-to" />
      <button type="submit" disabled={!f.trim() || !t.trim() || (f.trim() === from && t.trim() === to)}>
        Compare
      </button>
    </form>
  );
}

function DiffBody({ d }: { d: SnapshotDiffDTO }) {
  const [openAll, setOpenAll] = useState<boolean | null>(null);
  const total = d.totals.added + d.totals.removed + d.totals.changed;
  return (
    <>
      <div className="figures" data-totals>
        <Figure label="added" value={`+${formatCount(d.totals.added)}`} className="d-add" total="added" />
        <Figure label="removed" value={`−${formatCount(d.totals.removed)}`} className="d-rem" total="removed" />
        <Figure label="changed" value={`~${formatCount(d.totals.changed)}`} className="d-chg" total="changed" />
        <Figure label="clusters" value={formatCount(d.clusters.length)} total="clusters" />
      </div>
      {d.ignoredKinds.length > 0 && (
        <p className="muted small" data-ignored>
          Not compared (they change all the time or are not kept): {d.ignoredKinds.join(', ')}.
        </p>
      )}
      {!total && !d.clusters.some((c) => c.in !== 'both') && <p className="notice ok">No differences.</p>}
      {d.clusters.length > 1 && (
        <div className="segmented" role="group" aria-label="Clusters">
          <button type="button" onClick={() => setOpenAll(true)}>
            Expand all
          </button>
          <button type="button" onClick={() => setOpenAll(false)}>
            Collapse all
          </button>
        </div>
      )}
      {d.clusters.map((c) => (
        <ClusterDiff
          key={`${c.id}|${openAll}`}
          c={c}
          d={d}
          open={openAll ?? (c.in !== 'both' || (c.kinds.length > 0 && d.clusters.length <= 10))}
        />
      ))}
    </>
  );
}

function ClusterDiff({ c, d, open }: { c: SnapshotDiffDTO['clusters'][number]; d: SnapshotDiffDTO; open: boolean }) {
  const n = clusterCounts(c);
  return (
    <details className="panel diff-cluster" open={open} data-diff-cluster={c.id} data-in={c.in}>
      <summary>
        <strong>
          <bdi>{visible(c.context)}</bdi>
        </strong>{' '}
        {c.in === 'both' ? (
          <span className="muted">{countsText(n)}</span>
        ) : (
          <span className="badge warn" data-only={c.in}>
            only in {c.in === 'from' ? d.from : d.to}
          </span>
        )}
      </summary>
      {c.in !== 'both' ? (
        <p className="muted">
          This cluster is only in {c.in === 'from' ? <bdi>{d.from}</bdi> : <bdi>{d.to}</bdi>}: its objects are not listed.
        </p>
      ) : !c.kinds.length ? (
        <p className="muted">No differences.</p>
      ) : (
        c.kinds.map((k) => <KindDiff key={k.kind} k={k} />)
      )}
    </details>
  );
}

const refName = (r: SnapshotDiffRef) => visible(r.namespace ? `${r.namespace}/${r.name}` : r.name);

function KindDiff({ k }: { k: SnapshotDiffDTO['clusters'][number]['kinds'][number] }) {
  return (
    <section className="diff-kind" data-diff-kind={k.kind}>
      <h3>
        <code>{k.kind}</code>{' '}
        <span className="muted small">{countsText({ added: k.added.length, removed: k.removed.length, changed: k.changed.length })}</span>
      </h3>
      <Capped items={k.added} what="added">
        {(r) => (
          <li key={`a|${r.uid}`} className="d-add" data-op="added">
            <span aria-label="added">+</span> <bdi>{refName(r)}</bdi>
          </li>
        )}
      </Capped>
      <Capped items={k.removed} what="removed">
        {(r) => (
          <li key={`r|${r.uid}`} className="d-rem" data-op="removed">
            <span aria-label="removed">−</span> <bdi>{refName(r)}</bdi>
          </li>
        )}
      </Capped>
      <Capped items={k.changed} what="changed">
        {(r) => (
          <li key={`c|${r.uid}`} className="d-chg" data-op="changed">
            <span aria-label="changed">~</span> <bdi>{refName(r)}</bdi>{' '}
            <span className="muted small">
              {r.fields.length} field{r.fields.length === 1 ? '' : 's'}
            </span>
            {r.fields.length > 0 && <DiffTable entries={r.fields} name="diff-fields" compact />}
          </li>
        )}
      </Capped>
    </section>
  );
}

/** The first LIST_FIRST items, then a button for the rest. */
function Capped<T>({ items, what, children }: { items: T[]; what: string; children(x: T): React.ReactNode }) {
  const [all, setAll] = useState(false);
  if (!items.length) return null;
  const shown = all ? items : items.slice(0, LIST_FIRST);
  return (
    <>
      <ul className="diff-list" data-list={what}>
        {shown.map((x) => children(x))}
      </ul>
      {items.length > shown.length && (
        <button type="button" className="linkish" onClick={() => setAll(true)}>
          Show all {formatCount(items.length)} {what} (another {formatCount(items.length - shown.length)})
        </button>
      )}
    </>
  );
}
