// Export an incident bundle: choose what goes in (clusters, namespaces, workloads, nodes, history, log
// lines, tokens for redacted values), preview what that is (counts, redactions, the first findings:
// file, field, rule, never a value), then export exactly what was previewed.
import { useId, useMemo, useState } from 'react';
import type { BundleExported, BundlePreview, BundleSelection } from '../../common/contract.ts';
import { formatBytes, formatCount } from '../../common/units.ts';
import { getApi } from '../api/index.ts';
import { useApp } from '../store/index.ts';
import { sameSelection, selectionOf } from '../store/snapshot.ts';
import { Dialog } from '../components/Dialog.tsx';
import { ErrorNote } from '../components/common.tsx';
import { ClusterChecks, WindowPick, WrittenFile } from '../components/forms.tsx';

/** Findings shown in the table (the back end sends "the first" ones). */
const FINDINGS_SHOWN = 200;

export function BundleDialog({ onClose }: { onClose(): void }) {
  const id = useId();
  const fleet = useApp((s) => s.fleet);
  const clusters = useMemo(() => fleet?.clusters ?? [], [fleet]);
  const all = useMemo(() => clusters.map((c) => c.id), [clusters]);
  const [checked, setChecked] = useState<string[]>(() => all);
  const [namespaces, setNamespaces] = useState('');
  const [workloads, setWorkloads] = useState('');
  const [nodes, setNodes] = useState('');
  const [since, setSince] = useState<number | null>(null);
  const [logs, setLogs] = useState('0');
  const [tokenize, setTokenize] = useState(false);

  const [busy, setBusy] = useState<'preview' | 'export' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ selection: BundleSelection; result: BundlePreview } | null>(null);
  const [exported, setExported] = useState<BundleExported | null>(null);

  const sel = selectionOf({ allClusters: all, clusters: checked, namespaces, workloads, nodes, since, logs, tokenize });
  const current = sel.ok ? sel.selection : null;
  const previewed = preview !== null && sameSelection(preview.selection, current);

  const run = async (what: 'preview' | 'export') => {
    if (!current) return;
    setBusy(what);
    setError(null);
    if (what === 'export') setExported(null);
    try {
      if (what === 'preview') {
        const result = await getApi().call('bundle.preview', current);
        setPreview({ selection: current, result });
        setExported(null);
      } else {
        setExported(await getApi().call('bundle.export', current));
      }
    } catch (e) {
      setError((e as Error).message);
      if (what === 'preview') setPreview(null);
    } finally {
      setBusy(null);
    }
  };

  const p = preview?.result;
  return (
    <Dialog title="Export an incident bundle" onClose={onClose} testid="bundle-dialog" className="wide">
      <form
        className="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run('preview');
        }}
      >
        <p className="muted small">
          A bundle is a .tar.gz to attach to an incident: the chosen objects, events and change history, with secrets and personal values
          redacted. Empty fields mean “all”.
        </p>
        <ClusterChecks clusters={clusters} checked={checked} onChange={setChecked} />
        <div className="field-grid">
          <label htmlFor={`${id}-ns`}>Namespaces</label>
          <input
            id={`${id}-ns`}
            value={namespaces}
            onChange={(e) => setNamespaces(e.target.value)}
            placeholder="shop, payments (empty: all)"
            spellCheck={false}
            data-testid="bundle-namespaces"
          />
          <label htmlFor={`${id}-wl`}>Workloads</label>
          <textarea
            id={`${id}-wl`}
            value={workloads}
            onChange={(e) => setWorkloads(e.target.value)}
            placeholder={'kind/namespace/name, one per line (empty: all)\napps/deployments/shop/web'}
            rows={2}
            spellCheck={false}
            data-testid="bundle-workloads"
          />
          <label htmlFor={`${id}-nodes`}>Nodes</label>
          <textarea
            id={`${id}-nodes`}
            value={nodes}
            onChange={(e) => setNodes(e.target.value)}
            placeholder="node names, comma or one per line (empty: all)"
            rows={2}
            spellCheck={false}
            data-testid="bundle-nodes"
          />
          <label htmlFor={`${id}-logs`}>Log lines per container</label>
          <div>
            <input
              id={`${id}-logs`}
              type="number"
              min={0}
              max={100000}
              step={1}
              value={logs}
              onChange={(e) => setLogs(e.target.value)}
              className="narrow"
              aria-describedby={`${id}-logs-hint`}
              data-testid="bundle-logs"
            />{' '}
            <span id={`${id}-logs-hint`} className="muted small">
              0: none. Fetched live from the clusters this session is connected to.
            </span>
          </div>
        </div>
        <WindowPick value={since} onChange={setSince} legend="History window" />
        <label className="check">
          <input type="checkbox" checked={tokenize} onChange={(e) => setTokenize(e.target.checked)} data-testid="bundle-tokenize" /> Replace
          redacted values by stable tokens <span className="muted small">(the same value gets the same token throughout the bundle)</span>
        </label>
        {!sel.ok && (
          <p className="notice warn" role="status">
            {sel.error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="submit" data-testid="bundle-preview" disabled={!current || busy !== null}>
            {busy === 'preview' ? 'Previewing…' : 'Preview'}
          </button>
          <button
            type="button"
            className="primary"
            data-testid="bundle-export"
            disabled={!previewed || busy !== null}
            onClick={() => void run('export')}
            aria-describedby={`${id}-export-hint`}
          >
            {busy === 'export' ? 'Exporting…' : 'Export'}
          </button>
          <span id={`${id}-export-hint`} className="muted small">
            {previewed ? 'Exports what the preview shows.' : preview ? 'The selection changed: preview it again.' : 'Preview first.'}
          </span>
          <div className="spacer" />
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
      {error && <ErrorNote error={error} />}
      {exported && (
        <WrittenFile
          testid="bundle-result"
          what="Bundle"
          path={exported.path}
          facts={[
            ['Size', formatBytes(exported.bytes)],
            ['Files', formatCount(exported.files)],
            ['Redactions', formatCount(exported.redactions)],
            [
              'SHA-256',
              <code className="hash" data-sha256={exported.sha256}>
                {exported.sha256}
              </code>,
            ],
          ]}
        />
      )}
      {p && (
        <section className={`bundle-preview ${previewed ? '' : 'outdated'}`} aria-label="Preview" data-testid="bundle-preview-result">
          <h3>Preview {!previewed && <span className="badge warn">outdated: the selection changed</span>}</h3>
          <dl className="facts">
            <dt>Clusters</dt>
            <dd>
              {p.clusters.length ? (
                p.clusters.map((c, i) => (
                  <span key={c.id}>
                    {i > 0 && ', '}
                    <bdi>{c.context}</bdi>
                  </span>
                ))
              ) : (
                <span className="muted">none</span>
              )}
            </dd>
            <dt>Files</dt>
            <dd data-count="files">{formatCount(p.files)}</dd>
            <dt>Objects</dt>
            <dd data-count="objects">{formatCount(p.objects)}</dd>
            <dt>Events</dt>
            <dd data-count="events">{formatCount(p.events)}</dd>
            <dt>Changes</dt>
            <dd data-count="changes">{formatCount(p.changes)}</dd>
            <dt>Pods with logs</dt>
            <dd data-count="logPods">{formatCount(p.logPods)}</dd>
          </dl>
          {p.warnings.length > 0 && (
            <ul className="notice warn" data-warnings>
              {p.warnings.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          )}
          <h4>Redactions</h4>
          {p.redactions.length ? (
            <table className="grid compact" data-table="redactions">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col" className="num">
                    Values redacted
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.redactions.map((r) => (
                  <tr key={r.rule} data-rule={r.rule}>
                    <td>
                      <code>{r.rule}</code>
                    </td>
                    <td className="num">{formatCount(r.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">Nothing to redact.</p>
          )}
          <h4>
            First findings{' '}
            <span className="muted small">
              ({p.findings.length > FINDINGS_SHOWN ? `${FINDINGS_SHOWN} of ${p.findings.length}` : p.findings.length}; which file, which
              field, which rule: never the value)
            </span>
          </h4>
          <div className="findings-scroll">
            <table className="grid compact" data-testid="bundle-findings">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Field</th>
                  <th scope="col">Rule</th>
                </tr>
              </thead>
              <tbody>
                {p.findings.slice(0, FINDINGS_SHOWN).map((f, i) => (
                  <tr key={i}>
                    <td className="wrap">
                      <code>{f.file}</code>
                    </td>
                    <td className="wrap">
                      <code>{f.path}</code>
                    </td>
                    <td>
                      <code>{f.rule}</code>
                    </td>
                  </tr>
                ))}
                {!p.findings.length && (
                  <tr>
                    <td colSpan={3} className="muted">
                      No findings.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </Dialog>
  );
}
