// Imported first by main.tsx, so it runs before React and the views are evaluated: the connection to
// the back end and the first fleet request start while the rest of the bundle is still loading.
import { initialFleet } from './api/index.ts';
import { parseAt } from './store/route.ts';
import type { FleetDTO } from '../common/contract.ts';

performance.mark('fleet:request');
let first: Promise<FleetDTO> | undefined = initialFleet(parseAt(window.location.hash));
// A rejection is handled by whoever takes the promise; don't report it as unhandled meanwhile.
first.catch(() => {});

/** The first fleet request, once; later loads make their own. */
export function takeInitialFleet(): Promise<FleetDTO> | undefined {
  const p = first;
  first = undefined;
  return p;
}
