// The object the preload exposes as `window.fleet`: exactly one function per contract method (named by
// BRIDGE_FUNCTIONS, each invoking that method's own channel with its params and nothing else) and
// onPush. Listeners get the payload only (never the IPC event, which would hand the page `sender`), and
// get back their unsubscribe function. No generic send/invoke, no channel names chosen by the page.
// Pure: preload.ts passes ipcRenderer's functions; the test passes fakes.
import { BRIDGE_FUNCTIONS, channelOf, PUSH_CHANNEL, type FleetBridge, type Method, type PushEvent } from '../common/contract.ts';

export type Invoke = (channel: string, params: unknown) => Promise<unknown>;
export type IpcListener = (event: unknown, payload: unknown) => void;
export type Subscribe = (channel: string, listener: IpcListener) => void;

export function buildBridge(invoke: Invoke, on: Subscribe, off: Subscribe): FleetBridge {
  const bridge: Record<string, unknown> = {};
  for (const method of Object.keys(BRIDGE_FUNCTIONS) as Method[]) {
    const channel = channelOf(method);
    // One argument crosses, whatever the page passes.
    bridge[BRIDGE_FUNCTIONS[method]] = (params: unknown) => invoke(channel, params);
  }
  bridge.onPush = (listener: (e: PushEvent) => void) => {
    if (typeof listener !== 'function') throw new TypeError('onPush takes a function');
    const wrapped: IpcListener = (_event, payload) => listener(payload as PushEvent);
    on(PUSH_CHANNEL, wrapped);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      off(PUSH_CHANNEL, wrapped);
    };
  };
  return Object.freeze(bridge) as unknown as FleetBridge;
}
