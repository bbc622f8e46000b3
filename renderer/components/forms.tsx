// Form pieces shared by the capture and bundle dialogs: cluster checkboxes, the history window, the written file.
import { Fragment, useId, type ReactNode } from 'react';
import type { ClusterTile } from '../../common/contract.ts';
import { WINDOWS } from '../store/snapshot.ts';

/** One checkbox per cluster (names as text), with all / none. */
export function ClusterChecks({
  clusters,
  checked,
  onChange,
}: {
  clusters: readonly Pick<ClusterTile, 'id' | 'context'>[];
  checked: readonly string[];
  onChange(ids: string[]): void;
}) {
  const all = clusters.map((c) => c.id);
  const toggle = (id: string, on: boolean) =>
    onChange(on ? all.filter((c) => c === id || checked.includes(c)) : checked.filter((c) => c !== id));
  return (
    <fieldset className="checks" data-field="clusters">
      <legend>
        Clusters{' '}
        <span className="muted small">
          ({checked.length} of {all.length})
        </span>
      </legend>
      <div className="checks-actions">
        <button type="button" className="linkish" onClick={() => onChange(all)} disabled={checked.length === all.length}>
          all
        </button>
        <button type="button" className="linkish" onClick={() => onChange([])} disabled={!checked.length}>
          none
        </button>
      </div>
      {clusters.length ? (
        <ul className="checks-list">
          {clusters.map((c) => (
            <li key={c.id}>
              <label>
                <input
                  type="checkbox"
                  checked={checked.includes(c.id)}
                  onChange={(e) => toggle(c.id, e.target.checked)}
                  data-cluster={c.id}
                />{' '}
                <bdi className="ellipsis">{c.context}</bdi>
              </label>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No clusters.</p>
      )}
    </fieldset>
  );
}

/** All history, or the last 1 / 6 / 24 hours. */
export function WindowPick({ value, onChange, legend }: { value: number | null; onChange(ms: number | null): void; legend: string }) {
  const id = useId();
  return (
    <fieldset className="window-pick" data-field="window">
      <legend>{legend}</legend>
      {WINDOWS.map((w) => (
        <label key={w.label}>
          <input type="radio" name={`${id}-window`} checked={value === w.ms} onChange={() => onChange(w.ms)} data-window={w.ms ?? 'all'} />{' '}
          {w.label}
        </label>
      ))}
    </fieldset>
  );
}

/** "<What> written: <path>" and its facts: what Capture and Export show when a file is written. */
export function WrittenFile({ testid, what, path, facts }: { testid: string; what: string; path: string; facts: [string, ReactNode][] }) {
  return (
    <div className="notice result" data-testid={testid} role="status">
      <p>
        {what} written: <code className="path">{path}</code>
      </p>
      <dl className="facts">
        {facts.map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}
