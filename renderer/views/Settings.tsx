// Settings (#/settings): what the user organises. Kubeconfig sources (entry counts, problems, add a
// file or folder, remove, on/off), contexts on/off (an off cluster is not synced — no request goes to
// it — and stays in the fleet as "off" with its cached data as of then), exec plugin approvals, the
// cache's retention, the theme, read-only mode. Sources, contexts and read-only mode are the back end's
// (settings.get and friends, kept in the data folder); the theme is this page's (localStorage).
//
// Hooks for tests: [data-settings] (data-refused), [data-source=<path>] (data-source-enabled),
// [data-source-toggle], [data-source-remove], [data-source-add], [data-context-enabled=<context>]
// (its value "true"/"false"), [data-context-toggle=<context>], [data-theme-choice=<theme>],
// [data-readonly-toggle], [data-exec-open=all], [data-retention].
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ClusterLabelsDTO, SettingsDTO, SourceDTO } from '../../common/contract.ts';
import { href } from '../store/route.ts';
import { formatBytes } from '../../common/format.ts';
import { getApi } from '../api/index.ts';
import { useApp } from '../store/index.ts';
import { THEMES, setTheme, storedTheme, type ThemeChoice } from '../store/theme.ts';
import { ErrorNote, Loading, Panel, StatusBadge } from '../components/common.tsx';
import { ExecApprovalsDialog } from './ExecApprovals.tsx';
import { parseRetention } from './retention.ts';

const KIND_LABEL: Record<SourceDTO['kind'], string> = {
  default: '~/.kube/config',
  KUBECONFIG: '$KUBECONFIG',
  file: 'file',
  folder: 'folder (watched)',
};

function days(ms: number): string {
  const d = ms / 86_400_000;
  return d >= 1 ? `${Number.isInteger(d) ? d : d.toFixed(1)} day${d === 1 ? '' : 's'}` : `${Math.round(ms / 3_600_000)} h`;
}

export function SettingsView() {
  const [s, setS] = useState<SettingsDTO | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [q, setQ] = useState('');
  const [path, setPath] = useState('');
  const [execOpen, setExecOpen] = useState(false);
  const [theme, setThemeState] = useState<ThemeChoice>(storedTheme);
  const fleet = useApp((x) => x.fleet);
  const now = useApp((x) => x.now);

  const load = useCallback(async () => {
    try {
      setS(await getApi().call('settings.get', {}));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);
  useEffect(() => void load(), [load]);
  // Statuses move on (an off cluster goes off, one turned on connects): read again with the fleet, at
  // most once a second (settings.get reads the kubeconfigs again: a folder of hundreds of files).
  const fleetVersion = fleet?.version;
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (fleetVersion === undefined || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void load();
    }, 1000);
  }, [fleetVersion, load]);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
      pending.current = null;
    },
    [],
  );

  /** Run one change; its answer is the settings as they are now. */
  const change = async (run: () => Promise<SettingsDTO>) => {
    setBusy(true);
    try {
      setS(await run());
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
      useApp.getState().rereadViews();
    }
  };
  const api = getApi();

  const contexts = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const all = s?.contexts ?? [];
    return needle ? all.filter((c) => c.context.toLowerCase().includes(needle) || c.file.toLowerCase().includes(needle)) : all;
  }, [s, q]);
  const tiles = useMemo(() => new Map((fleet?.clusters ?? []).map((t) => [t.id, t])), [fleet]);

  if (!s && !error) return <Loading what="the settings" />;
  const refused = s?.refused;
  const offCount = s?.contexts.filter((c) => !c.enabled).length ?? 0;

  return (
    <div
      className="scroll settings-view"
      data-view="settings"
      data-settings={s ? 'ready' : 'error'}
      data-refused={refused ? 'true' : undefined}
    >
      <div className="toolbar">
        <h1 className="title">Settings</h1>
      </div>
      {error && <ErrorNote error={error} />}
      {refused && (
        <p className="notice info" role="note">
          {refused}
        </p>
      )}

      <div className="settings-grid">
        <Panel title="Kubeconfig sources" id="settings-sources">
          <p className="muted small">
            Files are read on their own; folders are watched (and looked at every few seconds, for network home folders). A source turned
            off keeps its contexts in the fleet, not synced.
          </p>
          <table className="grid compact settings-table">
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">
                  Contexts
                </th>
                <th scope="col">Synced</th>
                <th scope="col">
                  <span className="sr-only">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(s?.sources ?? []).map((src) => (
                <tr key={src.path} data-source={src.path} data-source-enabled={String(src.enabled)}>
                  <td className="wrap">
                    <code>{src.path}</code>
                    {src.problems.map((p) => (
                      <div key={p.path} className="bad small" data-source-problem={p.path}>
                        {p.path === src.path ? p.error : `${p.path}: ${p.error}`}
                      </div>
                    ))}
                  </td>
                  <td className="muted">{KIND_LABEL[src.kind]}</td>
                  <td className="num">{src.entries}</td>
                  <td>
                    <label className="switch">
                      <input
                        type="checkbox"
                        role="switch"
                        checked={src.enabled}
                        disabled={busy}
                        data-source-toggle={src.path}
                        aria-label={`sync the contexts of ${src.path}`}
                        onChange={(e) => void change(() => api.call('sources.enable', { path: src.path, enabled: e.target.checked }))}
                      />
                      {src.enabled ? 'on' : 'off'}
                    </label>
                  </td>
                  <td>
                    {src.removable && (
                      <button
                        type="button"
                        className="linkish"
                        disabled={busy}
                        data-source-remove={src.path}
                        onClick={() => void change(() => api.call('sources.remove', { path: src.path }))}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {!refused && (
            <form
              className="toolbar settings-add"
              onSubmit={(e) => {
                e.preventDefault();
                const p = path.trim();
                if (!p) return;
                void change(async () => {
                  await api.call('sources.add', { path: p });
                  setPath('');
                  return api.call('settings.get', {});
                });
              }}
            >
              <input
                type="text"
                value={path}
                onChange={(e) => setPath(e.target.value)}
                placeholder="/path/to/kubeconfig or /path/to/folder"
                aria-label="kubeconfig file or folder to add"
                data-source-path
                className="wide"
              />
              <button type="submit" disabled={busy || !path.trim()} data-source-add>
                Add
              </button>
            </form>
          )}
        </Panel>

        <Panel title="Appearance and safety" id="settings-general">
          <h3>Theme</h3>
          <div className="segmented" role="radiogroup" aria-label="Theme">
            {THEMES.map((t) => (
              <button
                key={t}
                type="button"
                role="radio"
                aria-checked={theme === t}
                aria-pressed={theme === t}
                data-theme-choice={t}
                onClick={() => {
                  setTheme(t);
                  setThemeState(t);
                }}
              >
                {t === 'system' ? 'System' : t === 'light' ? 'Light' : 'Dark'}
              </button>
            ))}
          </div>
          <h3>Read-only mode</h3>
          {s && (
            <label className="switch" title={s.readOnly.why}>
              <input
                type="checkbox"
                role="switch"
                checked={s.readOnly.on}
                disabled={busy || !s.readOnly.settable}
                data-readonly-toggle={String(s.readOnly.on)}
                onChange={(e) => void change(() => api.call('settings.readOnly', { on: e.target.checked }))}
              />
              {s.readOnly.on ? 'on: the console takes no actions on the clusters' : 'off: actions are offered where the credentials allow'}
            </label>
          )}
          {s?.readOnly.why && <p className="muted small">{s.readOnly.why}</p>}
          <h3>Exec plugins</h3>
          <p className="muted small">
            Commands kubeconfigs run to get credentials (aws, gke-gcloud-auth-plugin, kubelogin): approved here first.
          </p>
          <button type="button" data-exec-open="all" onClick={() => setExecOpen(true)}>
            Review exec plugins…
          </button>
          <h3>Cache retention</h3>
          {s && (
            <dl className="facts" data-retention={`${s.retention.maxAgeMs}/${s.retention.maxBytes}`}>
              <dt>History kept</dt>
              <dd>{days(s.retention.maxAgeMs)}</dd>
              <dt>Size limit</dt>
              <dd>{formatBytes(s.retention.maxBytes)}</dd>
              <dt>Cache now</dt>
              <dd>{s.retention.cacheBytes === null ? '—' : formatBytes(s.retention.cacheBytes)}</dd>
            </dl>
          )}
          {s && s.retention.editable && (
            <RetentionForm
              key={`${s.retention.maxAgeMs}/${s.retention.maxBytes}`}
              maxAgeMs={s.retention.maxAgeMs}
              maxBytes={s.retention.maxBytes}
              busy={busy}
              onSave={(r) => void change(() => api.call('settings.retention', r))}
            />
          )}
          {s && <p className="muted small">{s.retention.editable ? s.retention.where : `Not changeable here: ${s.retention.where}.`}</p>}
        </Panel>
      </div>

      <Panel title={`Contexts${offCount ? ` · ${offCount} off` : ''}`} id="settings-contexts">
        <div className="toolbar">
          <input
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder="Filter contexts"
            aria-label="filter contexts"
            data-context-search
          />
          <span className="muted small">
            {contexts.length} of {s?.contexts.length ?? 0}
          </span>
          <div className="spacer" />
          <button
            type="button"
            disabled={busy || !contexts.some((c) => !c.enabled)}
            onClick={() => void change(() => api.call('clusters.enable', { clusters: contexts.map((c) => c.id), enabled: true }))}
          >
            Turn these on
          </button>
          <button
            type="button"
            disabled={busy || !contexts.some((c) => c.enabled)}
            onClick={() => void change(() => api.call('clusters.enable', { clusters: contexts.map((c) => c.id), enabled: false }))}
          >
            Turn these off
          </button>
        </div>
        <table className="grid compact settings-table">
          <thead>
            <tr>
              <th scope="col">Synced</th>
              <th scope="col">Context</th>
              <th scope="col">Status</th>
              <th scope="col">Kubeconfig</th>
            </tr>
          </thead>
          <tbody>
            {contexts.map((c) => {
              const tile = tiles.get(c.id);
              return (
                <tr key={c.id} data-context-enabled={c.context} data-enabled={String(c.enabled)}>
                  <td>
                    <label className="switch">
                      <input
                        type="checkbox"
                        role="switch"
                        checked={c.enabled}
                        disabled={busy}
                        data-context-toggle={c.context}
                        aria-label={`sync ${c.context}`}
                        onChange={(e) => void change(() => api.call('clusters.enable', { clusters: [c.id], enabled: e.target.checked }))}
                      />
                      {c.enabled ? 'on' : 'off'}
                    </label>
                  </td>
                  <th scope="row" className="wrap">
                    {c.context}
                  </th>
                  <td>
                    {tile ? <StatusBadge tile={tile} now={now} /> : <span className="muted">{c.status}</span>}
                    {c.offReason && !c.enabled && <div className="muted small">{c.offReason}</div>}
                  </td>
                  <td className="muted small wrap">{c.file}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Panel>
      <LabelsInUse version={fleetVersion} />
      {execOpen && <ExecApprovalsDialog onClose={() => setExecOpen(false)} />}
    </div>
  );
}

/** Every cluster label in use (the user's and the derived ones), its values, and links that filter the map by them. */
function LabelsInUse({ version }: { version: number | undefined }) {
  const [d, setD] = useState<ClusterLabelsDTO | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getApi()
      .call('clusters.labels', {})
      .then((x) => {
        setD(x);
        setError(null);
      })
      .catch((e: unknown) => setError((e as Error).message));
  }, [version]);
  return (
    <Panel
      title="Cluster labels in use"
      id="settings-labels"
      empty={!!d && !d.inUse.length && 'No labels yet: set some on a cluster page or in the fleet table.'}
    >
      {error && <ErrorNote error={error} />}
      {d?.refused && <p className="notice info">{d.refused}</p>}
      {d && d.inUse.length > 0 && (
        <>
          <p className="muted small">
            {d.favourites.length} favourite{d.favourites.length === 1 ? '' : 's'}; kept in cluster-labels.json in the data folder. Derived
            labels come from the context name, the server and the version.
          </p>
          <table className="grid compact settings-table" data-labels-in-use>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Values (clusters)</th>
              </tr>
            </thead>
            <tbody>
              {d.inUse.map((k) => (
                <tr key={k.key} data-label-key={k.key}>
                  <th scope="row" className="wrap">
                    {k.key} {k.derived && <span className="muted small">derived</span>}
                  </th>
                  <td className="wrap">
                    {k.values.map((v, i) => (
                      <span key={v.value}>
                        {i > 0 && ' · '}
                        <a href={href({ view: 'fleet', sel: `${k.key}=${v.value}` })}>
                          {v.value || '(empty)'} ({v.clusters})
                        </a>
                      </span>
                    ))}{' '}
                    <a className="muted small" href={href({ view: 'fleet', group: k.key })}>
                      group by
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Panel>
  );
}

function RetentionForm(p: { maxAgeMs: number; maxBytes: number; busy: boolean; onSave(r: { maxAgeMs: number; maxBytes: number }): void }) {
  const [daysText, setDays] = useState(String(Math.round((p.maxAgeMs / 86_400_000) * 100) / 100));
  const [gibText, setGib] = useState(String(Math.round((p.maxBytes / 1024 ** 3) * 100) / 100));
  const parsed = parseRetention(daysText, gibText);
  const same = typeof parsed !== 'string' && parsed.maxAgeMs === p.maxAgeMs && parsed.maxBytes === p.maxBytes;
  return (
    <form
      className="retention-form"
      data-retention-form
      onSubmit={(e) => {
        e.preventDefault();
        if (typeof parsed !== 'string') p.onSave(parsed);
      }}
    >
      <label>
        Keep history for{' '}
        <input className="narrow" inputMode="decimal" value={daysText} onChange={(e) => setDays(e.target.value)} data-retention-days /> days
      </label>{' '}
      <label>
        and at most{' '}
        <input className="narrow" inputMode="decimal" value={gibText} onChange={(e) => setGib(e.target.value)} data-retention-gib /> GiB
      </label>{' '}
      <button type="submit" disabled={p.busy || typeof parsed === 'string' || same} data-retention-save>
        Apply
      </button>
      {typeof parsed === 'string' && (
        <p className="notice warn small" role="alert">
          {parsed}
        </p>
      )}
    </form>
  );
}
