// The preload of the app's window (sandboxed, context-isolated; bundled to build/app/preload.js). It
// exposes the contract and nothing else: `window.fleet` from bridge.ts. ipcRenderer itself never
// reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import { buildBridge } from './bridge.ts';

contextBridge.exposeInMainWorld(
  'fleet',
  buildBridge(
    (channel, params) => ipcRenderer.invoke(channel, params),
    (channel, listener) => void ipcRenderer.on(channel, listener),
    (channel, listener) => void ipcRenderer.removeListener(channel, listener),
  ),
);
