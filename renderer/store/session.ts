// Switching what the session shows (the demo, a snapshot or bundle file, the live fleet again). The back
// end answers, then pushes {type:'reload'}: every view, time and cache of this page belongs to the old
// session, so the page reloads itself at the fleet.
import type { Params } from '../../common/contract.ts';
import { getApi } from '../api/index.ts';

/** How long to wait for the reload push after the back end accepted a switch. */
export const RELOAD_FALLBACK_MS = 2000;

let reloading = false;

/** Start again at #/fleet (no "as of": the old session's times mean nothing in the new one). */
export function reloadApp(): void {
  if (reloading) return;
  reloading = true;
  window.history.replaceState(null, '', '#/fleet');
  window.location.reload();
}

/**
 * Ask the back end to show something else. Resolves with what it is opening (then the page reloads:
 * on the push, or after RELOAD_FALLBACK_MS if none arrives); rejects with the refusal (shown in place).
 */
export async function openSession(p: Params<'session.open'>): Promise<string> {
  const r = await getApi().call('session.open', p);
  setTimeout(reloadApp, RELOAD_FALLBACK_MS);
  return r.opening;
}
