import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BRIDGE_FUNCTIONS, channelOf, PUSH_CHANNEL, type Method, type PushEvent } from '../common/contract.ts';
import { buildBridge, type IpcListener } from './bridge.ts';

function fakeIpc() {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<IpcListener>>();
  return {
    invoked,
    listeners,
    invoke: (...args: unknown[]) => {
      invoked.push({ channel: args[0] as string, args: args.slice(1) });
      return Promise.resolve({ ok: true, result: null });
    },
    on: (channel: string, l: IpcListener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
    },
    off: (channel: string, l: IpcListener) => {
      listeners.get(channel)?.delete(l);
    },
    emit: (channel: string, event: unknown, payload: unknown) => {
      for (const l of listeners.get(channel) ?? []) l(event, payload);
    },
  };
}

describe('the preload bridge (window.fleet)', () => {
  it('exposes exactly one function per contract method, plus onPush, and nothing else', () => {
    const ipc = fakeIpc();
    const bridge = buildBridge(ipc.invoke, ipc.on, ipc.off);
    assert.deepEqual(Object.keys(bridge).sort(), [...Object.values(BRIDGE_FUNCTIONS), 'onPush'].sort());
    for (const k of Object.keys(bridge)) assert.equal(typeof (bridge as unknown as Record<string, unknown>)[k], 'function', k);
    assert.ok(Object.isFrozen(bridge), 'the page cannot add or replace functions');
    for (const generic of ['send', 'invoke', 'on', 'ipcRenderer', 'call']) assert.equal(generic in bridge, false, generic);
  });

  it("each function invokes its own method's channel with the params only", async () => {
    const ipc = fakeIpc();
    const bridge = buildBridge(ipc.invoke, ipc.on, ipc.off) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const [method, fn] of Object.entries(BRIDGE_FUNCTIONS) as [Method, string][]) {
      ipc.invoked.length = 0;
      const params = { probe: method };
      // Extra arguments from the page do not cross.
      await bridge[fn]!(params, 'extra', { channel: 'fleet:sources.add' });
      assert.deepEqual(ipc.invoked, [{ channel: channelOf(method), args: [params] }], fn);
    }
  });

  it('push listeners get the payload only, and an unsubscribe function', () => {
    const ipc = fakeIpc();
    const bridge = buildBridge(ipc.invoke, ipc.on, ipc.off);
    const got: unknown[][] = [];
    const off = bridge.onPush((...a: unknown[]) => got.push(a));
    const ev: PushEvent = { type: 'changed', fleetVersion: 3, clusters: { c1: 2 } };
    const ipcEvent = { sender: { send() {} }, ports: [] };
    ipc.emit(PUSH_CHANNEL, ipcEvent, ev);
    assert.deepEqual(got, [[ev]], 'no IPC event (and so no sender) reaches the page');
    assert.equal(typeof off, 'function');
    off();
    off();
    ipc.emit(PUSH_CHANNEL, ipcEvent, ev);
    assert.equal(got.length, 1, 'unsubscribed');
    assert.equal(ipc.listeners.get(PUSH_CHANNEL)?.size, 0, 'the IPC listener itself is removed');
  });

  it('subscribes only to the push channel and refuses a non-function listener', () => {
    const ipc = fakeIpc();
    const bridge = buildBridge(ipc.invoke, ipc.on, ipc.off);
    bridge.onPush(() => {});
    assert.deepEqual([...ipc.listeners.keys()], [PUSH_CHANNEL]);
    assert.throws(() => bridge.onPush('fleet:sources.add' as never), TypeError);
  });
});
