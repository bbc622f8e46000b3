// Edit YAML: the object as cached (common/yaml.ts, as the object view shows it) in a text editor;
// Preview asks the API server for a dry run of the edit (actions.preview) and shows how what it would
// store differs from now; then the confirmation (cluster, namespace, object) and Apply (actions.run).
// A preview is of the text it was asked for: an edit after it asks for another. The text is the object
// as it was when the dialog opened (a push does not rewrite it under the user's hands); when the cached
// object moves on meanwhile (another resourceVersion), the dialog says so.
import { useState } from 'react';
import type { ActionPreviewDTO, ActionTarget } from '../../../common/contract.ts';
import { toYaml } from '../../../common/yaml.ts';
import { getApi } from '../../api/index.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorNote } from '../../components/common.tsx';
import { DiffTable } from '../../components/DiffTable.tsx';
import { ActionPanel } from './ActionDialog.tsx';
import { changedSinceOpened, dialogTitle, type ClusterRef } from './actions.ts';
import './operate.css';

export function EditYamlDialog(p: {
  cluster: ClusterRef;
  target: ActionTarget;
  body: Record<string, unknown>;
  onClose(ran: boolean): void;
}) {
  // the object as it was when the dialog opened (p.body follows the live object)
  const [opened, setOpened] = useState(() => ({ body: p.body, text: toYaml(p.body) }));
  const original = opened.text;
  const [text, setText] = useState(original);
  const changed = changedSinceOpened(opened.body, p.body);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<{ text: string; result: ActionPreviewDTO } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ran, setRan] = useState(false);
  const [discard, setDiscard] = useState(false);
  const previewed = preview !== null && preview.text === text;

  const close = () => {
    // an edit not applied is not lost to a stray Esc
    if (text !== original && !ran && !discard) setDiscard(true);
    else p.onClose(ran);
  };

  const ask = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await getApi().call('actions.preview', {
        cluster: p.cluster.id,
        action: 'apply',
        target: p.target,
        params: { manifest: text },
      });
      setPreview({ text, result });
    } catch (e) {
      setPreview(null);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const diff = preview?.result.diff ?? [];
  return (
    <Dialog title={dialogTitle('apply', p.target.kind, p.target, 1)} onClose={close} testid="yaml-dialog" className="wide">
      <div className="dialog-form" data-yaml-editor>
        <p className="muted small">
          The object as the cache holds it. Edit it, then <strong>Preview</strong>: the API server runs the edit as a dry run and the
          differences from now are listed; nothing changes until you apply it.
        </p>
        {changed && !ran && (
          <p className="notice warn" role="status" data-yaml-changed>
            The object changed on the server since you opened it: the text is still the object as it was then.{' '}
            <button
              type="button"
              onClick={() => {
                const next = { body: p.body, text: toYaml(p.body) };
                setOpened(next);
                setText(next.text);
                setPreview(null);
                setDiscard(false);
              }}
              data-yaml-reload
            >
              {text === original ? 'Start from the current object' : 'Discard your edits and start from the current object'}
            </button>
          </p>
        )}
        <textarea
          className="yaml-edit"
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={22}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          aria-label="Object YAML"
          readOnly={ran}
          data-yaml-text
        />
        {discard && (
          <p className="notice warn" role="alert" data-yaml-discard>
            Your edits are not applied.{' '}
            <button type="button" onClick={() => p.onClose(ran)} data-yaml-discard-confirm>
              Discard them
            </button>{' '}
            <button type="button" onClick={() => setDiscard(false)}>
              Keep editing
            </button>
          </p>
        )}
        <div className="dialog-actions">
          <button
            type="button"
            className={previewed ? undefined : 'primary'}
            onClick={() => void ask()}
            disabled={busy || ran}
            data-yaml-preview
          >
            {busy ? 'Asking the API server…' : 'Preview'}
          </button>
          <button type="button" onClick={() => setText(original)} disabled={text === original || ran} data-yaml-reset>
            Reset
          </button>
          {preview && !previewed && <span className="muted small">The text changed since the preview: preview again to apply it.</span>}
        </div>
        {error && <ErrorNote error={error} />}
        {previewed && (
          <section data-yaml-diff={diff.length}>
            <h3>What the API server would change</h3>
            <DiffTable entries={diff} name="yaml-diff" empty="No differences: the API server would store the object as it is." />
            {preview.result.warnings.map((w, i) => (
              <p key={i} className="notice warn small">
                {w}
              </p>
            ))}
          </section>
        )}
      </div>
      {previewed && diff.length > 0 && (
        <ActionPanel
          key={text}
          req={{ action: 'apply', target: p.target, clusters: [p.cluster], body: opened.body, manifest: text }}
          onClose={close}
          onRan={() => setRan(true)}
        />
      )}
    </Dialog>
  );
}
