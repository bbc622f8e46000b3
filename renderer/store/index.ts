// One zustand store of typed slices. Components select the smallest value they need (useShallow for
// objects). View data other than the fleet is pulled by the views (useContract) and re-read when a
// push says its cluster moved on.
import { create } from 'zustand';
import type { FleetDTO, Measure, PushEvent } from '../../common/contract.ts';
import { getApi } from '../api/index.ts';
import { href, parseAt, parseRoute, type FleetOrganise, type Route } from './route.ts';
import { reloadApp } from './session.ts';

export interface ConnectionSlice {
  connected: boolean;
  connectionError: string | null;
}

export interface FleetSlice {
  fleet: FleetDTO | null;
  fleetError: string | null;
  /** cluster id → view version (pushed) */
  versions: Record<string, number>;
  fleetVersion: number;
  /** moves when the views should re-read now (after an action: the cache is about to change) */
  reread: number;
  loadFleet(initial?: Promise<FleetDTO>): Promise<void>;
  /** re-read the fleet and every view shown (an action was taken) */
  rereadViews(): void;
  applyPush(e: PushEvent): void;
}

export interface UiSlice {
  route: Route;
  /** "as of T" (epoch ms) from the address's ?at=, null for the latest state */
  at: number | null;
  measure: Measure;
  paletteOpen: boolean;
  /** the name of the object the object view shows (for the breadcrumbs, which only know its uid) */
  objectName: { uid: string; name: string } | null;
  /** ticks every few seconds so ages ("stale 42s") stay true without a push */
  now: number;
  setMeasure(m: Measure): void;
  setPalette(open: boolean): void;
  setRoute(r: Route): void;
  /** show another state of the same view (the timeline's filter, window, selection): the address is
   * replaced, not pushed, so typing a filter or panning is not a trail of history entries */
  replaceRoute(r: Route): void;
  /** show the state as of T (null: the latest): kept in the address, the fleet re-read */
  setAt(at: number | null): void;
  /**
   * How the map and the table organise the fleet: a label selector and a group-by key, from the
   * address of the fleet or table view shown last (its toolbar's links to the other keep them).
   */
  organise: FleetOrganise;
  /** filter or group the map or table shown: in the address (replaced, so typing is no trail of history) */
  setOrganise(o: FleetOrganise): void;
}

export type AppState = ConnectionSlice & FleetSlice & UiSlice;

let loading: Promise<void> | undefined;
let again = false;

export const useApp = create<AppState>()((set, get) => ({
  connected: false,
  connectionError: null,

  fleet: null,
  fleetError: null,
  versions: {},
  fleetVersion: 0,
  reread: 0,
  rereadViews() {
    set((s) => ({ reread: s.reread + 1 }));
    void get().loadFleet();
  },
  async loadFleet(initial) {
    // One load at a time; a push during a load asks for one more afterwards.
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      const at = get().at;
      try {
        const fleet = await (initial ?? getApi().call('fleet.get', at === null ? {} : { at }));
        performance.mark('fleet:received');
        // The time moved on meanwhile: this answer is for another time; the next load is queued.
        if (get().at !== at) again = true;
        else set({ fleet, fleetError: null });
      } catch (e) {
        if (get().at !== at) again = true;
        else set({ fleetError: (e as Error).message });
      } finally {
        loading = undefined;
        if (again) {
          again = false;
          void get().loadFleet();
        }
      }
    })();
    return loading;
  },
  applyPush(e) {
    if (e.type === 'reload') {
      reloadApp();
      return;
    }
    // Log lines and action progress go to the views that asked for them (their own subscriptions).
    if (e.type !== 'changed') return;
    set((s) => ({ versions: { ...s.versions, ...e.clusters }, fleetVersion: e.fleetVersion }));
    void get().loadFleet();
  },

  route: parseRoute(typeof window === 'undefined' ? '' : window.location.hash),
  at: typeof window === 'undefined' ? null : parseAt(window.location.hash),
  measure: readMeasure(),
  paletteOpen: false,
  objectName: null,
  now: Date.now(),
  setMeasure(m) {
    localStorage.setItem('fleet.measure', m);
    set({ measure: m });
  },
  setPalette(open) {
    set({ paletteOpen: open });
  },
  setRoute(r) {
    set({ route: r, ...organiseOf(r) });
  },
  replaceRoute(r) {
    const h = href(r, get().at);
    if (h !== window.location.hash) window.history.replaceState(window.history.state, '', h);
    set({ route: r, ...organiseOf(r) });
  },
  organise: organiseOf(parseRoute(typeof window === 'undefined' ? '' : window.location.hash)).organise ?? {},
  setOrganise(o) {
    const r = get().route;
    const next: FleetOrganise = { ...(o.sel?.trim() ? { sel: o.sel } : {}), ...(o.group ? { group: o.group } : {}) };
    if (r.view === 'fleet' || r.view === 'table') get().replaceRoute({ view: r.view, ...next });
    else set({ organise: next });
  },
  setAt(at) {
    if (at === get().at) return;
    // The address says what is shown (linkable); replaced, not pushed: a slider drag is not history.
    window.history.replaceState(window.history.state, '', href(get().route, at));
    set({ at });
    void get().loadFleet();
  },
}));

/** The organisation a fleet or table route carries (other routes leave it as it was). */
function organiseOf(r: Route): { organise?: FleetOrganise } {
  if (r.view !== 'fleet' && r.view !== 'table') return {};
  return { organise: { ...(r.sel ? { sel: r.sel } : {}), ...(r.group ? { group: r.group } : {}) } };
}

function readMeasure(): Measure {
  const m = typeof localStorage === 'undefined' ? null : localStorage.getItem('fleet.measure');
  return m === 'cpu' || m === 'memory' || m === 'gpu' || m === 'pods' || m === 'health' ? m : 'health';
}

/** Wire the store to the transport and the clock (once, at start). */
export function startStore(initialFleet?: Promise<FleetDTO>): void {
  const api = getApi();
  let wasDown = false;
  api.onConnection((up) => {
    useApp.setState({ connected: up, connectionError: up ? null : 'connection to the console server lost; retrying…' });
    // A reconnect re-reads the fleet (pushes were missed); the first connection is the initial load's own.
    if (up && wasDown) void useApp.getState().loadFleet();
    if (!up) wasDown = true;
  });
  api.onPush((e) => useApp.getState().applyPush(e));
  void useApp
    .getState()
    .loadFleet(initialFleet)
    .then(() => useApp.setState({ connected: !useApp.getState().fleetError }));
  window.addEventListener('hashchange', () => {
    const s = useApp.getState();
    s.setRoute(parseRoute(window.location.hash));
    const at = parseAt(window.location.hash);
    if (at !== s.at) {
      useApp.setState({ at });
      void s.loadFleet();
    }
  });
  setInterval(() => useApp.setState({ now: Date.now() }), 5000);
}
