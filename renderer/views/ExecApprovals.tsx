// Exec plugins in the app (exec.list / exec.approve / exec.revoke): what a kubeconfig would run to get a
// cluster's credentials — the exact command, its arguments, the names of the environment variables it
// gets and the file that asks for it — shown before anything runs, as `fleet approve` shows it. Approve
// runs nothing itself: the sync worker connects the clusters that use it within seconds. An approval
// can be revoked; a kubeconfig that changes the command asks again.
import { useCallback, useEffect, useState } from 'react';
import type { ExecListDTO, ExecPluginDTO } from '../../common/contract.ts';
import { formatClock } from '../store/time.ts';
import { getApi } from '../api/index.ts';
import { useApp } from '../store/index.ts';
import { Dialog } from '../components/Dialog.tsx';
import { ErrorNote, Loading } from '../components/common.tsx';

/** The plugins to show: those of one cluster, or every one (waiting for approval first). */
export function pluginsFor(list: ExecListDTO | null, cluster: string | undefined): ExecPluginDTO[] {
  const all = list?.plugins ?? [];
  return cluster ? all.filter((p) => p.clusters.some((c) => c.id === cluster)) : all;
}

/** The command line as a shell would read it (each argument quoted when it needs to be). */
export function commandLine(p: Pick<ExecPluginDTO, 'command' | 'args'>): string {
  const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [p.command, ...p.args].map(q).join(' ');
}

export function ExecApprovalsDialog({ cluster, onClose }: { cluster?: string; onClose(): void }) {
  const [list, setList] = useState<ExecListDTO | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const now = useApp((s) => s.now);
  const load = useCallback(async () => {
    try {
      setList(await getApi().call('exec.list', {}));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const act = async (p: ExecPluginDTO, how: 'approve' | 'revoke') => {
    setBusy(p.key);
    try {
      if (how === 'approve') await getApi().call('exec.approve', { key: p.key });
      else await getApi().call('exec.revoke', { key: p.key });
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
      await load();
      useApp.getState().rereadViews();
    }
  };

  const plugins = pluginsFor(list, cluster);
  return (
    <Dialog title={cluster ? 'Exec plugin of this cluster' : 'Exec plugins'} onClose={onClose} testid="exec-dialog">
      <div className="dialog-form" data-exec-plugins={list ? plugins.length : undefined}>
        <p className="muted">
          A kubeconfig can name any program to get credentials. Nothing runs until you approve this exact command, these arguments and these
          environment variable names, for this file; a change to any of them asks again.
        </p>
        {error && <ErrorNote error={error} />}
        {!list && !error && <Loading what="the exec plugins" />}
        {list?.refused && <p className="notice info">{list.refused}</p>}
        {list && !list.refused && !plugins.length && <p className="muted">No exec plugin in the kubeconfigs of this session.</p>}
        {plugins.map((p) => (
          <section key={p.key} className="exec-plugin" data-exec-plugin={p.command} data-approved={p.approved}>
            <h3>
              <code>{p.command}</code>{' '}
              <span className={`badge ${p.approved ? '' : 'warn'}`}>{p.approved ? 'approved' : 'not approved'}</span>
            </h3>
            <dl className="facts">
              <dt>Runs</dt>
              <dd>
                <code data-exec-command>{commandLine(p)}</code>
              </dd>
              <dt>Environment</dt>
              <dd>
                {p.envNames.length ? (
                  p.envNames.map((n) => <code key={n}>{n} </code>)
                ) : (
                  <span className="muted">no variables of its own</span>
                )}
              </dd>
              <dt>Asked for by</dt>
              <dd>
                <code>{p.file}</code>
              </dd>
              <dt>Clusters</dt>
              <dd>{p.clusters.length ? p.clusters.map((c) => c.context).join(', ') : <span className="muted">none now</span>}</dd>
              {p.installHint && (
                <>
                  <dt>Install hint</dt>
                  <dd className="wrap">{p.installHint}</dd>
                </>
              )}
              {p.approvedAt !== undefined && (
                <>
                  <dt>Approved</dt>
                  <dd>{formatClock(p.approvedAt, now)}</dd>
                </>
              )}
            </dl>
            <div className="exec-buttons">
              {p.approved ? (
                <button type="button" disabled={busy !== null} onClick={() => void act(p, 'revoke')} data-exec-revoke={p.command}>
                  Revoke
                </button>
              ) : (
                <button
                  type="button"
                  className="primary"
                  disabled={busy !== null || !p.clusters.length}
                  onClick={() => void act(p, 'approve')}
                  data-exec-approve={p.command}
                >
                  Approve and run it for {p.clusters.length === 1 ? p.clusters[0]!.context : `${p.clusters.length} clusters`}
                </button>
              )}
            </div>
          </section>
        ))}
      </div>
    </Dialog>
  );
}

/** A button that opens the dialog (the fleet's notice, a cluster waiting for approval). */
export function ExecApprovalsButton({ cluster, label }: { cluster?: string; label: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} data-exec-open={cluster ?? 'all'}>
        {label}
      </button>
      {open && <ExecApprovalsDialog {...(cluster ? { cluster } : {})} onClose={() => setOpen(false)} />}
    </>
  );
}
