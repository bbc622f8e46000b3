// Capture a snapshot of the cache (live and cache modes): which clusters, how much history. The answer
// says where the file went, how big it is and what it holds.
import { useState } from 'react';
import type { SnapshotCaptured } from '../../common/contract.ts';
import { formatBytes, formatCount } from '../../common/units.ts';
import { getApi } from '../api/index.ts';
import { useApp } from '../store/index.ts';
import { formatDateTime } from '../store/time.ts';
import { Dialog } from '../components/Dialog.tsx';
import { ErrorNote } from '../components/common.tsx';
import { ClusterChecks, WindowPick, WrittenFile } from '../components/forms.tsx';

export function CaptureDialog({ onClose }: { onClose(): void }) {
  const fleet = useApp((s) => s.fleet);
  const clusters = fleet?.clusters ?? [];
  const all = clusters.map((c) => c.id);
  const [checked, setChecked] = useState<string[]>(() => all);
  const [since, setSince] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<SnapshotCaptured | null>(null);

  const capture = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const everyone = all.every((c) => checked.includes(c));
      const r = await getApi().call('snapshot.capture', {
        ...(everyone ? {} : { clusters: all.filter((c) => checked.includes(c)) }),
        ...(since === null ? {} : { since }),
      });
      setResult(r);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Capture a snapshot" onClose={onClose} testid="capture-dialog">
      <form
        className="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          void capture();
        }}
      >
        <p className="muted small">
          A snapshot is one file holding the cached objects of the chosen clusters and their change history: open it later (or elsewhere)
          read-only, or compare it with another state.
        </p>
        <ClusterChecks clusters={clusters} checked={checked} onChange={setChecked} />
        <WindowPick value={since} onChange={setSince} legend="History to include" />
        <div className="dialog-actions">
          <button type="submit" className="primary" data-testid="capture-submit" disabled={busy || !checked.length}>
            {busy ? 'Capturing…' : 'Capture'}
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
      {error && <ErrorNote error={error} />}
      {result && (
        <WrittenFile
          testid="capture-result"
          what="Snapshot"
          path={result.path}
          facts={[
            ['Size', formatBytes(result.bytes)],
            ['Captured', formatDateTime(result.capturedAt)],
            ['Clusters', formatCount(result.clusters)],
            ['Objects', formatCount(result.objects)],
            ['Changes', formatCount(result.changes)],
          ]}
        />
      )}
    </Dialog>
  );
}
