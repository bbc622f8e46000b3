// No kubeconfig found: say where we looked, let the user add files or folders, offer the demo.
import { useState } from 'react';
import { getApi } from '../api/index.ts';
import { useApp } from '../store/index.ts';
import { useContract } from '../store/useContract.ts';
import { ErrorNote } from '../components/common.tsx';

export function Onboarding() {
  const fleet = useApp((s) => s.fleet);
  const info = useContract('onboarding.get', {});
  const [path, setPath] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const looked = info.data?.looked ?? fleet?.looked ?? [];
  const add = async () => {
    setMsg(null);
    try {
      const r = await getApi().call('sources.add', { path: path.trim() });
      setMsg({ ok: true, text: `Added ${r.added}: ${r.entries} context(s) now watched.` });
      void useApp.getState().loadFleet();
    } catch (e) {
      setMsg({ ok: false, text: (e as Error).message });
    }
  };
  return (
    <section className="onboarding panel" data-view="onboarding">
      <h1>No clusters yet</h1>
      {fleet?.mode === 'live' ? (
        <>
          <p>No kubeconfig context was found. The console looked in:</p>
          <ul className="paths">
            {looked.length ? (
              looked.map((p) => (
                <li key={p}>
                  <code>{p}</code>
                </li>
              ))
            ) : (
              <li className="muted">(nowhere: no KUBECONFIG and no ~/.kube/config)</li>
            )}
          </ul>
          {(info.data?.problems ?? fleet.problems).map((p) => (
            <ErrorNote key={p.path} error={`${p.path}: ${p.error}`} />
          ))}
          <form
            className="add-source"
            onSubmit={(e) => {
              e.preventDefault();
              void add();
            }}
          >
            <label htmlFor="kc-path">Add a kubeconfig file or a folder of them</label>
            <input
              id="kc-path"
              value={path}
              onChange={(e) => setPath(e.target.value)}
              placeholder="/home/me/.kube/clusters"
              spellCheck={false}
            />
            <button type="submit" disabled={!path.trim()}>
              Add
            </button>
          </form>
          {msg && (
            <p className={msg.ok ? 'notice ok' : 'notice error'} role="status">
              {msg.text}
            </p>
          )}
        </>
      ) : (
        <p>This {fleet?.mode === 'snapshot' ? 'snapshot' : 'cache'} holds no clusters.</p>
      )}
      {info.data?.demo ? (
        <p>
          Or open the demo fleet: <code>npm run web -- --snapshot demo</code>.
        </p>
      ) : (
        <p className="muted">A demo snapshot ships with the snapshot feature (not installed in this build).</p>
      )}
    </section>
  );
}
