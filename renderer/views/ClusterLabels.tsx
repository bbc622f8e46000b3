// A cluster's labels and its favourite star: shown on the cluster page and in the fleet table, set
// through clusters.label / clusters.favourite (kept in the data folder). Derived labels (env, provider,
// region, host, version: from the context name, the server and the version) are marked and cannot be
// removed, only overridden by a label of the same key. Every key and value is rendered as text.
import { useState } from 'react';
import type { ClusterTile } from '../../common/contract.ts';
import { LABEL_KEY, LABEL_VALUE } from '../../common/labels.ts';
import { getApi } from '../api/index.ts';
import { useApp } from '../store/index.ts';

/** Parse "k=v, k2=v2" into labels to set, or say what is wrong. */
export function parseLabelInput(text: string): { set: Record<string, string> } | { error: string } {
  const set: Record<string, string> = {};
  for (const part of text.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    const k = (eq < 0 ? p : p.slice(0, eq)).trim();
    const v = eq < 0 ? '' : p.slice(eq + 1).trim();
    if (!LABEL_KEY.test(k) || k.length > 317)
      return { error: `“${k.slice(0, 64)}” is not a label key (letters, digits, - _ . and a prefix/)` };
    if (!LABEL_VALUE.test(v) || v.length > 63)
      return { error: `“${v.slice(0, 64)}” is not a label value (63 letters, digits, - _ . at most)` };
    set[k] = v;
  }
  if (!Object.keys(set).length) return { error: 'type a label: key=value' };
  return { set };
}

/** Set or remove labels on clusters; the fleet and the views re-read. */
export async function labelClusters(clusters: string[], set: Record<string, string>, remove: string[] = []): Promise<void> {
  await getApi().call('clusters.label', { clusters, ...(Object.keys(set).length ? { set } : {}), ...(remove.length ? { remove } : {}) });
  useApp.getState().rereadViews();
}

export async function favouriteClusters(clusters: string[], on: boolean): Promise<void> {
  await getApi().call('clusters.favourite', { clusters, on });
  useApp.getState().rereadViews();
}

export function FavouriteStar({ tile }: { tile: Pick<ClusterTile, 'id' | 'context' | 'favourite'> }) {
  const [busy, setBusy] = useState(false);
  const on = !!tile.favourite;
  return (
    <button
      type="button"
      className={`star${on ? ' on' : ''}`}
      aria-pressed={on}
      aria-label={on ? `Unstar ${tile.context}` : `Star ${tile.context}`}
      title={on ? 'A favourite: pinned first in the map and the table. Click to unstar.' : 'Star: pin it first in the map and the table'}
      disabled={busy}
      data-favourite={on ? 'on' : 'off'}
      onClick={(e) => {
        e.stopPropagation();
        setBusy(true);
        void favouriteClusters([tile.id], !on).finally(() => setBusy(false));
      }}
    >
      {on ? '★' : '☆'}
    </button>
  );
}

/** Label chips: "key=value", derived ones marked. */
export function LabelChips({ tile, onRemove }: { tile: Pick<ClusterTile, 'labels' | 'derivedLabels'>; onRemove?: (key: string) => void }) {
  const labels = tile.labels ?? {};
  const derived = new Set(tile.derivedLabels ?? []);
  const keys = Object.keys(labels).sort((a, b) => Number(derived.has(a)) - Number(derived.has(b)) || (a < b ? -1 : a > b ? 1 : 0));
  return (
    <span className="label-chips">
      {keys.map((k) => (
        <span
          key={k}
          className={`label-chip${derived.has(k) ? ' derived' : ''}`}
          data-label={`${k}=${labels[k]}`}
          title={derived.has(k) ? 'derived from the context name, the server or the version' : 'set by you'}
        >
          {k}={labels[k]}
          {onRemove && !derived.has(k) && (
            <button type="button" className="link" aria-label={`Remove label ${k}`} onClick={() => onRemove(k)}>
              ×
            </button>
          )}
        </span>
      ))}
    </span>
  );
}

/** Add a label (key=value, several with commas), for one cluster or several. */
export function AddLabel({ clusters, label = 'Add label' }: { clusters: string[]; label?: string }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = () => {
    const p = parseLabelInput(text);
    if ('error' in p) {
      setError(p.error);
      return;
    }
    setBusy(true);
    setError(null);
    labelClusters(clusters, p.set)
      .then(() => setText(''))
      .catch((e: unknown) => setError((e as Error).message))
      .finally(() => setBusy(false));
  };
  return (
    <form
      className="add-label"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <input
        type="text"
        aria-label={`${label}: key=value`}
        placeholder="key=value"
        value={text}
        maxLength={400}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" disabled={busy || !clusters.length}>
        {label}
      </button>
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

/** The cluster page's labels: every label, the user's removable, and a field to add one. */
export function LabelsEditor({ tile }: { tile: ClusterTile }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="labels-editor" data-labels-of={tile.id}>
      <span className="muted">Labels</span>
      <LabelChips
        tile={tile}
        onRemove={(k) => void labelClusters([tile.id], {}, [k]).catch((e: unknown) => setError((e as Error).message))}
      />
      <AddLabel clusters={[tile.id]} />
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
