import { takeInitialFleet } from './boot.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { startStore, useApp } from './store/index.ts';
import './styles.css';
import { applyTheme, storedTheme } from './store/theme.ts';

// Before the first paint: no flash of the other theme.
applyTheme(storedTheme());

startStore(takeInitialFleet());
// Read-only hook for e2e tests and benchmarks: what the views are drawing from.
Object.defineProperty(window, '__fleetDebug', { value: Object.freeze({ fleet: () => useApp.getState().fleet }) });
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
