// Builds the renderer (React) into build/renderer. The same bundle runs in the Electron window and,
// served by the web shell, in any browser; it picks its transport at start.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../build/renderer',
    emptyOutDir: true,
    target: 'es2023',
    sourcemap: true,
    chunkSizeWarningLimit: 2048,
  },
  server: { host: '127.0.0.1' },
});
