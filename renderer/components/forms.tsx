// Form pieces: the selection form the capture and bundle dialogs share (cluster checkboxes, the
// history window, the written file), a labelled text field and a count field.
import { Fragment, useId, useMemo, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import type { ClusterTile } from '../../common/contract.ts';
import { formatBytes } from '../../common/format.ts';
import { useApp } from '../store/index.ts';
import { WINDOWS } from '../store/snapshot.ts';
import { ErrorNote } from './common.tsx';

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

/** "<What> written: <path>", its size and its other facts: what Capture and Export show when a file is written. */
export function WrittenFile({
  testid,
  what,
  file,
  facts,
}: {
  testid: string;
  what: string;
  file: { path: string; bytes: number };
  facts: [string, ReactNode][];
}) {
  return (
    <div className="notice result" data-testid={testid} role="status">
      <p>
        {what} written: <code className="path">{file.path}</code>
      </p>
      <dl className="facts">
        {[['Size', formatBytes(file.bytes)] as [string, ReactNode], ...facts].map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}

/** One request at a time: which one is running, and the error of the last one. */
export function useRequest<K extends string>() {
  const [busy, setBusy] = useState<K | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (what: K, request: () => Promise<void>): Promise<void> => {
    setBusy(what);
    setError(null);
    try {
      await request();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, run };
}

/** The fleet's clusters to choose from, those chosen (all, at first), and the history window (all). */
export function useSelection() {
  const fleet = useApp((s) => s.fleet);
  const clusters = useMemo(() => fleet?.clusters ?? [], [fleet]);
  const all = useMemo(() => clusters.map((c) => c.id), [clusters]);
  const [checked, setChecked] = useState<string[]>(() => all);
  const [since, setSince] = useState<number | null>(null);
  return { clusters, all, checked, setChecked, since, setSince };
}

/**
 * The form of the capture and bundle dialogs: what it makes, the clusters, its own fields, the history
 * window, more of its own, then its actions and Close; under it an error or the file written.
 */
export function SelectionForm({
  intro,
  selection,
  windowLegend,
  fields,
  more,
  actions,
  onSubmit,
  onClose,
  error,
  written,
}: {
  intro: ReactNode;
  selection: ReturnType<typeof useSelection>;
  windowLegend: string;
  fields?: ReactNode;
  more?: ReactNode;
  actions: ReactNode;
  onSubmit(): void;
  onClose(): void;
  error: string | null;
  written: Parameters<typeof WrittenFile>[0] | null;
}) {
  return (
    <>
      <form
        className="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        <p className="muted small">{intro}</p>
        <ClusterChecks clusters={selection.clusters} checked={selection.checked} onChange={selection.setChecked} />
        {fields}
        <WindowPick value={selection.since} onChange={selection.setSince} legend={windowLegend} />
        {more}
        <div className="dialog-actions">
          {actions}
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
      {error && <ErrorNote error={error} />}
      {written && <WrittenFile {...written} />}
    </>
  );
}

/** A label and its text field (an input, or a textarea of `rows` lines); no spell checking: names and paths. */
export function TextField({
  id,
  label,
  value,
  onChange,
  placeholder,
  testid,
  rows,
  labelClassName,
  autoFocus,
}: {
  id: string;
  label: ReactNode;
  value: string;
  onChange(v: string): void;
  placeholder: string;
  testid: string;
  rows?: number;
  labelClassName?: string;
  autoFocus?: boolean;
}) {
  const field = { id, value, placeholder, spellCheck: false, 'data-testid': testid };
  return (
    <>
      <label htmlFor={id} className={labelClassName}>
        {label}
      </label>
      {rows ? (
        <textarea {...field} rows={rows} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...field} autoFocus={autoFocus} onChange={(e) => onChange(e.target.value)} />
      )}
    </>
  );
}

/** A whole number from 0 to 100000 (replicas, log lines), kept as the text typed; the rest goes to the input. */
export function CountInput({
  value,
  onChange,
  ...rest
}: Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'min' | 'max' | 'step' | 'value' | 'onChange'> & {
  value: string;
  onChange(text: string): void;
}) {
  return <input {...rest} type="number" min={0} max={100000} step={1} value={value} onChange={(e) => onChange(e.target.value)} />;
}
