// Export an incident bundle: choose what goes in (clusters, namespaces, workloads, nodes, history, log
// lines, tokens for redacted values), preview what that is (counts, redactions, the first findings:
// file, field, rule, never a value), then export exactly what was previewed.
import { useId, useState, type ReactNode } from 'react';
import type { BundleExported, BundlePreview, BundleSelection } from '../../common/contract.ts';
import { formatCount } from '../../common/format.ts';
import { getApi } from '../api/index.ts';
import { sameSelection, selectionOf } from '../store/snapshot.ts';
import { Dialog } from '../components/Dialog.tsx';
import { CountInput, SelectionForm, TextField, useRequest, useSelection } from '../components/forms.tsx';
import { Table } from '../components/Table.tsx';

/** Findings shown in the table (the back end sends "the first" ones). */
const FINDINGS_SHOWN = 200;

/** The bundle's text fields: name (its state, and data-testid bundle-<name>), label, placeholder, lines. */
const TEXT_FIELDS = [
  ['namespaces', 'Namespaces', 'shop, payments (empty: all)', 1],
  ['workloads', 'Workloads', 'kind/namespace/name, one per line (empty: all)\napps/deployments/shop/web', 2],
  ['nodes', 'Nodes', 'node names, comma or one per line (empty: all)', 2],
] as const;

type TextName = (typeof TEXT_FIELDS)[number][0];

/** What the result says of the bundle written (after its path and size). */
const factsOf = (r: BundleExported): [string, ReactNode][] => [
  ['Files', formatCount(r.files)],
  ['Redactions', formatCount(r.redactions)],
  [
    'SHA-256',
    <code className="hash" data-sha256={r.sha256}>
      {r.sha256}
    </code>,
  ],
];

export function BundleDialog({ onClose }: { onClose(): void }) {
  const id = useId();
  const selection = useSelection();
  const { all, checked, since } = selection;
  const [text, setText] = useState<Record<TextName, string>>({ namespaces: '', workloads: '', nodes: '' });
  const [logs, setLogs] = useState('0');
  const [tokenize, setTokenize] = useState(false);

  const request = useRequest<'preview' | 'export'>();
  const busy = request.busy;
  const [preview, setPreview] = useState<{ selection: BundleSelection; result: BundlePreview } | null>(null);
  const [exported, setExported] = useState<BundleExported | null>(null);

  const sel = selectionOf({ allClusters: all, clusters: checked, ...text, since, logs, tokenize });
  const current = sel.ok ? sel.selection : null;
  const previewed = preview !== null && sameSelection(preview.selection, current);

  const run = (what: 'preview' | 'export') => {
    if (!current) return;
    void request.run(what, async () => {
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
        if (what === 'preview') setPreview(null);
        throw e;
      }
    });
  };

  const p = preview?.result;
  return (
    <Dialog title="Export an incident bundle" onClose={onClose} testid="bundle-dialog" className="wide">
      <SelectionForm
        intro={
          <>
            A bundle is a .tar.gz to attach to an incident: the chosen objects, events and change history, with secrets and personal values
            redacted. Empty fields mean “all”.
          </>
        }
        selection={selection}
        windowLegend="History window"
        fields={
          <div className="field-grid">
            {TEXT_FIELDS.map(([name, label, placeholder, rows]) => (
              <TextField
                key={name}
                id={`${id}-${name}`}
                label={label}
                value={text[name]}
                onChange={(v) => setText((t) => ({ ...t, [name]: v }))}
                placeholder={placeholder}
                rows={rows > 1 ? rows : undefined}
                testid={`bundle-${name}`}
              />
            ))}
            <label htmlFor={`${id}-logs`}>Log lines per container</label>
            <div>
              <CountInput
                id={`${id}-logs`}
                value={logs}
                onChange={setLogs}
                className="narrow"
                aria-describedby={`${id}-logs-hint`}
                data-testid="bundle-logs"
              />{' '}
              <span id={`${id}-logs-hint`} className="muted small">
                0: none. Fetched live from the clusters this session is connected to.
              </span>
            </div>
          </div>
        }
        more={
          <>
            <label className="check">
              <input type="checkbox" checked={tokenize} onChange={(e) => setTokenize(e.target.checked)} data-testid="bundle-tokenize" />{' '}
              Replace redacted values by stable tokens{' '}
              <span className="muted small">(the same value gets the same token throughout the bundle)</span>
            </label>
            {!sel.ok && (
              <p className="notice warn" role="status">
                {sel.error}
              </p>
            )}
          </>
        }
        actions={
          <>
            <button type="submit" data-testid="bundle-preview" disabled={!current || busy !== null}>
              {busy === 'preview' ? 'Previewing…' : 'Preview'}
            </button>
            <button
              type="button"
              className="primary"
              data-testid="bundle-export"
              disabled={!previewed || busy !== null}
              onClick={() => run('export')}
              aria-describedby={`${id}-export-hint`}
            >
              {busy === 'export' ? 'Exporting…' : 'Export'}
            </button>
            <span id={`${id}-export-hint`} className="muted small">
              {previewed ? 'Exports what the preview shows.' : preview ? 'The selection changed: preview it again.' : 'Preview first.'}
            </span>
            <div className="spacer" />
          </>
        }
        onSubmit={() => run('preview')}
        onClose={onClose}
        error={request.error}
        written={exported && { testid: 'bundle-result', what: 'Bundle', file: exported, facts: factsOf(exported) }}
      />
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
            <Table name="redactions" className="grid compact" cols={['Rule', { num: 'Values redacted' }]}>
              {p.redactions.map((r) => (
                <tr key={r.rule} data-rule={r.rule}>
                  <td>
                    <code>{r.rule}</code>
                  </td>
                  <td className="num">{formatCount(r.count)}</td>
                </tr>
              ))}
            </Table>
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
            <Table testid="bundle-findings" className="grid compact" cols={['File', 'Field', 'Rule']}>
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
            </Table>
          </div>
        </section>
      )}
    </Dialog>
  );
}
