// The app shell: top bar (breadcrumbs, mode, connection, search), the routed view, the palette.
import { Suspense, lazy, useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from './store/index.ts';
import { changesRoute, go, type Route } from './store/route.ts';
import { getApi } from './api/index.ts';
import { Link, ErrorNote, Loading } from './components/common.tsx';
import { FleetView } from './views/FleetView.tsx';
import { FleetTable } from './views/FleetTable.tsx';
import { CommandPalette, SearchView } from './views/Search.tsx';
import { SessionBar } from './views/SessionBar.tsx';

// The fleet opens first: the other views (recharts, yaml) load on first use.
const ClusterView = lazy(() => import('./views/ClusterView.tsx').then((m) => ({ default: m.ClusterView })));
const NodeView = lazy(() => import('./views/NodeView.tsx').then((m) => ({ default: m.NodeView })));
const ObjectView = lazy(() => import('./views/ObjectView.tsx').then((m) => ({ default: m.ObjectView })));
// (the search view shares its module with the palette, which the shell always needs: not lazy)
const DiffView = lazy(() => import('./views/DiffView.tsx').then((m) => ({ default: m.DiffView })));
const Timeline = lazy(() => import('./views/Timeline.tsx').then((m) => ({ default: m.Timeline })));
const SettingsView = lazy(() => import('./views/Settings.tsx').then((m) => ({ default: m.SettingsView })));
const KindsView = lazy(() => import('./views/KindsView.tsx').then((m) => ({ default: m.KindsView })));

const TAB_CRUMB = { changes: 'Changes', whatchanged: 'What changed before this', logs: 'Logs' } as const;

function contextOf(cluster: string): string {
  return useApp.getState().fleet?.clusters.find((c) => c.id === cluster)?.context ?? cluster;
}

function Breadcrumbs({ route }: { route: Route }) {
  const crumbs: { to: Route; label: string }[] = [{ to: { view: 'fleet' }, label: 'Fleet' }];
  if (route.view === 'table') crumbs.push({ to: route, label: 'Table' });
  if (route.view === 'search') crumbs.push({ to: route, label: `Search “${route.q}”` });
  if (route.view === 'diff') crumbs.push({ to: route, label: 'Compare' });
  if (route.view === 'changes') crumbs.push({ to: changesRoute(), label: 'Changes' });
  if (route.view === 'settings') crumbs.push({ to: route, label: 'Settings' });
  if (route.view === 'kinds') {
    crumbs.push({ to: { view: 'kinds', kind: '', cluster: route.cluster, ns: '', q: '' }, label: 'Kinds' });
    if (route.kind) crumbs.push({ to: route, label: route.kind });
  }
  if (route.view === 'cluster' || route.view === 'node' || route.view === 'object') {
    crumbs.push({ to: { view: 'cluster', cluster: route.cluster, tab: 'nodes' }, label: contextOf(route.cluster) });
  }
  if (route.view === 'node') crumbs.push({ to: { view: 'node', cluster: route.cluster, node: route.node }, label: route.node });
  if (route.view === 'object') {
    const named = useApp.getState().objectName;
    crumbs.push({
      to: { view: 'object', cluster: route.cluster, kind: route.kind, uid: route.uid },
      label: `${route.kind.split('/').pop()}/${named?.uid === route.uid ? named.name : route.uid}`,
    });
  }
  if ((route.view === 'node' || route.view === 'object') && route.tab) crumbs.push({ to: route, label: TAB_CRUMB[route.tab] });
  return (
    <nav aria-label="Breadcrumbs" className="crumbs">
      <ol>
        {crumbs.map((c, i) => (
          <li key={i}>{i === crumbs.length - 1 ? <span aria-current="page">{c.label}</span> : <Link to={c.to}>{c.label}</Link>}</li>
        ))}
      </ol>
    </nav>
  );
}

export function App() {
  const { route, fleet, fleetError, connected, connectionError, paletteOpen } = useApp(
    useShallow((s) => ({
      route: s.route,
      fleet: s.fleet,
      fleetError: s.fleetError,
      connected: s.connected,
      connectionError: s.connectionError,
      paletteOpen: s.paletteOpen,
      objectName: s.objectName,
    })),
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        useApp.getState().setPalette(true);
      }
      const target = e.target as HTMLElement | null;
      const typing = target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);
      // a modal dialog is open (focus may have fallen to the page when its content changed): its keys are its own
      const modal = document.querySelector('dialog[open]') !== null;
      if (typing || modal || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === '/') {
        e.preventDefault();
        useApp.getState().setPalette(true);
      } else if (e.key === 'g') go({ view: 'fleet' });
      else if (e.key === 't') go({ view: 'table' });
      else if (e.key === 'c') go(changesRoute());
      else if (e.key === 'Backspace' || (e.key === 'Escape' && !useApp.getState().paletteOpen)) {
        const r = useApp.getState().route;
        // up one level: the selected change closes first, a node's or object's tab goes to its details
        if (r.view === 'changes' && r.q.change !== null) useApp.getState().replaceRoute({ view: 'changes', q: { ...r.q, change: null } });
        else if (r.view === 'node' && r.tab) go({ view: 'node', cluster: r.cluster, node: r.node });
        else if (r.view === 'object' && r.tab) go({ view: 'object', cluster: r.cluster, kind: r.kind, uid: r.uid });
        else if (r.view === 'node' || r.view === 'object') go({ view: 'cluster', cluster: r.cluster, tab: 'nodes' });
        else if (r.view !== 'fleet') go({ view: 'fleet' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // The cluster this page shows (its cluster, node or object view): in a large fleet the back end
  // watches every kind of the clusters shown, and lists the others' detail kinds every few minutes.
  // Said again after a reconnect (a new connection is a new page to the back end).
  // A kind's list watches that kind (on demand, if it is not always synced) in the clusters it shows.
  const focusCluster =
    route.view === 'cluster' || route.view === 'node' || route.view === 'object'
      ? route.cluster
      : route.view === 'kinds'
        ? route.cluster
        : null;
  // (an object of a kind watched on demand keeps its kind watched while it is shown)
  const focusKind = (route.view === 'kinds' || route.view === 'object') && route.kind ? route.kind : null;
  useEffect(() => {
    if (!connected) return;
    getApi()
      .call('views.focus', { clusters: focusCluster ? [focusCluster] : [], ...(focusKind ? { kinds: [focusKind] } : {}) })
      .catch(() => {});
  }, [focusCluster, focusKind, connected]);

  useEffect(() => {
    // Focus the main region on navigation so keyboard users land in the new view.
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route]);

  let view;
  switch (route.view) {
    case 'fleet':
      view = <FleetView />;
      break;
    case 'table':
      view = <FleetTable />;
      break;
    case 'cluster':
      view = <ClusterView cluster={route.cluster} tab={route.tab} />;
      break;
    case 'node':
      view = <NodeView cluster={route.cluster} node={route.node} tab={route.tab} />;
      break;
    case 'object':
      view = <ObjectView cluster={route.cluster} kind={route.kind} uid={route.uid} tab={route.tab} />;
      break;
    case 'changes':
      view = <Timeline q={route.q} />;
      break;
    case 'search':
      view = <SearchView q={route.q} />;
      break;
    case 'diff':
      view = <DiffView from={route.from} to={route.to} />;
      break;
    case 'settings':
      view = <SettingsView />;
      break;
    case 'kinds':
      view = <KindsView route={route} />;
      break;
  }

  return (
    <div className="app">
      <header className="header">
        <div className="topbar">
          <Link className="brand" to={{ view: 'fleet' }}>
            Fleet console
          </Link>
          <Breadcrumbs route={route} />
          <div className="spacer" />
          {fleet && (
            <span className={`badge mode-${fleet.mode}`} title={fleet.source} data-mode={fleet.mode}>
              {fleet.mode === 'live' ? 'watching' : fleet.mode === 'cache' ? 'cache only (not syncing)' : 'snapshot (read-only)'}
            </span>
          )}
          {fleet?.mode === 'live' && !fleet.actions && (
            <span
              className="badge readonly"
              title="actions are off: started with --read-only or the setting"
              data-readonly
              tabIndex={0}
              aria-label="read-only: actions are off (started with --read-only or the setting)"
            >
              read-only
            </span>
          )}
          <span className={`conn ${connected ? 'up' : 'down'}`} role="status" aria-live="polite">
            {connected ? 'connected' : 'disconnected'}
          </span>
          <nav className="viewswitch" aria-label="Views">
            <Link to={{ view: 'fleet' }} className={route.view === 'fleet' ? 'active' : undefined}>
              Map
            </Link>
            <Link to={{ view: 'table' }} className={route.view === 'table' ? 'active' : undefined}>
              Table
            </Link>
            <Link to={changesRoute()} className={route.view === 'changes' ? 'active' : undefined} data-testid="nav-changes">
              Changes
            </Link>
            <Link
              to={{ view: 'kinds', kind: '', cluster: null, ns: '', q: '' }}
              className={route.view === 'kinds' ? 'active' : undefined}
              data-testid="nav-kinds"
            >
              Kinds
            </Link>
            <Link to={{ view: 'settings' }} className={route.view === 'settings' ? 'active' : undefined} data-testid="nav-settings">
              Settings
            </Link>
          </nav>
          <button
            type="button"
            className="search-btn"
            onClick={() => useApp.getState().setPalette(true)}
            aria-keyshortcuts="Control+K Meta+K"
          >
            Search <kbd>Ctrl K</kbd>
          </button>
        </div>
        <SessionBar />
      </header>
      {connectionError && !connected && fleet && <ErrorNote error={connectionError} />}
      {fleetError && <ErrorNote error={fleetError} />}
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="the view" />}>{view}</Suspense>
      </main>
      {paletteOpen && <CommandPalette />}
    </div>
  );
}
