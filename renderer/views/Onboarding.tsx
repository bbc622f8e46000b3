// No kubeconfig found: say where we looked, let the user add files or folders, offer the demo.
import { useState } from 'react';
import { getApi } from '../api/index.ts';
import { useApp } from '../store/index.ts';
import { useContract } from '../store/useContract.ts';
import { ErrorNote } from '../components/common.tsx';
import { openSession } from '../store/session.ts';

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
        <DemoButton />
      ) : (
        <p className="muted">No demo snapshot is installed in this build. A snapshot or bundle file can be opened from the header.</p>
      )}
    </section>
  );
}

/** Show the demo fleet (a snapshot that ships with the app): the back end switches, the page reloads. */
function DemoButton() {
  const [state, setState] = useState<{ busy: boolean; text: string | null; error: boolean }>({ busy: false, text: null, error: false });
  const open = async () => {
    setState({ busy: true, text: null, error: false });
    try {
      const what = await openSession({ target: 'demo' });
      setState({ busy: true, text: `Opening ${what}… the console reloads.`, error: false });
    } catch (e) {
      setState({ busy: false, text: (e as Error).message, error: true });
    }
  };
  return (
    <div className="demo">
      <p>Or look around a demo fleet first (a read-only snapshot of made-up clusters):</p>
      <button type="button" className="primary" data-testid="open-demo" disabled={state.busy} onClick={() => void open()}>
        Open the demo fleet
      </button>
      {state.text && (
        <p className={`notice ${state.error ? 'error' : 'info'}`} role={state.error ? 'alert' : 'status'}>
          {state.text}
        </p>
      )}
    </div>
  );
}
