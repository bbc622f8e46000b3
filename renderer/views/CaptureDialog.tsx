// Capture a snapshot of the cache (live and cache modes): which clusters, how much history. The answer
// says where the file went, how big it is and what it holds.
import { useState, type ReactNode } from 'react';
import type { SnapshotCaptured } from '../../common/contract.ts';
import { formatCount } from '../../common/format.ts';
import { getApi } from '../api/index.ts';
import { formatDateTime } from '../store/time.ts';
import { Dialog } from '../components/Dialog.tsx';
import { SelectionForm, useRequest, useSelection } from '../components/forms.tsx';

/** What the result says of the snapshot written (after its path and size). */
const factsOf = (r: SnapshotCaptured): [string, ReactNode][] => [
  ['Captured', formatDateTime(r.capturedAt)],
  ['Clusters', formatCount(r.clusters)],
  ['Objects', formatCount(r.objects)],
  ['Changes', formatCount(r.changes)],
];

export function CaptureDialog({ onClose }: { onClose(): void }) {
  const selection = useSelection();
  const { all, checked, since } = selection;
  const request = useRequest<'capture'>();
  const [result, setResult] = useState<SnapshotCaptured | null>(null);

  const capture = () =>
    request.run('capture', async () => {
      setResult(null);
      const everyone = all.every((c) => checked.includes(c));
      setResult(
        await getApi().call('snapshot.capture', {
          ...(everyone ? {} : { clusters: all.filter((c) => checked.includes(c)) }),
          ...(since === null ? {} : { since }),
        }),
      );
    });

  return (
    <Dialog title="Capture a snapshot" onClose={onClose} testid="capture-dialog">
      <SelectionForm
        intro={
          <>
            A snapshot is one file holding the cached objects of the chosen clusters and their change history: open it later (or elsewhere)
            read-only, or compare it with another state.
          </>
        }
        selection={selection}
        windowLegend="History to include"
        actions={
          <button type="submit" className="primary" data-testid="capture-submit" disabled={request.busy !== null || !checked.length}>
            {request.busy ? 'Capturing…' : 'Capture'}
          </button>
        }
        onSubmit={() => void capture()}
        onClose={onClose}
        error={request.error}
        written={result && { testid: 'capture-result', what: 'Snapshot', file: result, facts: factsOf(result) }}
      />
    </Dialog>
  );
}
