// Lint: typescript-eslint's recommended rules, plus the project's boundaries (ARCHITECTURE.md):
// the folder decides the runtime, so a wrong import fails here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'dist/', 'tmp/', 'e2e/artifacts/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        NodeJS: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        URLSearchParams: 'readonly',
        TextDecoder: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Kubernetes objects are open-ended JSON; the lab and store type them as records of any.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['main/model/**/*.ts'],
    rules: {
      // model/ is pure: no I/O, no clocks.
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'fs', 'path', 'child_process', 'http', 'https', 'better-sqlite3', '@kubernetes/*'] },
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'take `now` as a parameter' }],
    },
  },
  {
    // The renderer runs in a browser page (Electron's sandboxed window or the web shell): DOM only.
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        localStorage: 'readonly',
        sessionStorage: 'readonly',
        WebSocket: 'readonly',
        requestAnimationFrame: 'readonly',
        cancelAnimationFrame: 'readonly',
        ResizeObserver: 'readonly',
        MutationObserver: 'readonly',
        HTMLElement: 'readonly',
        HTMLCanvasElement: 'readonly',
        HTMLInputElement: 'readonly',
        CanvasRenderingContext2D: 'readonly',
        KeyboardEvent: 'readonly',
        MouseEvent: 'readonly',
        WheelEvent: 'readonly',
        PointerEvent: 'readonly',
        devicePixelRatio: 'readonly',
        matchMedia: 'readonly',
        navigator: 'readonly',
      },
    },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'electron', 'better-sqlite3', '@kubernetes/*', '../main/*', '../../main/*', '../../../main/*'] },
      ],
    },
  },
  {
    // Unit tests of the renderer's pure modules run under node:test.
    files: ['renderer/**/*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The contract: no node, electron or DOM.
    files: ['common/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['node:*', 'electron', 'react', 'react-dom'] }] },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/app/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'only main/app/ imports electron' }] }] },
  },
  {
    // The preload runs in the sandboxed renderer: electron's contextBridge and ipcRenderer, and the contract.
    files: ['preload/**/*.ts'],
    ignores: ['preload/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'fs',
            'path',
            'child_process',
            'better-sqlite3',
            '@kubernetes/*',
            'react',
            'react-dom',
            '../main/*',
            '../renderer/*',
          ],
        },
      ],
    },
  },
  {
    // The bridge itself is pure (the test builds it with fakes): only preload.ts touches electron.
    files: ['preload/bridge.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['node:*', 'electron', '../main/*', '../renderer/*'] }] },
  },
);
