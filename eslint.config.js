// Lint: typescript-eslint's recommended rules, plus the project's boundaries (ARCHITECTURE.md):
// the folder decides the runtime, so a wrong import fails here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { readdirSync } from 'node:fs';

/**
 * main/ is layered (ARCHITECTURE.md): a folder imports only from the folders before it in this
 * list (and from common/ and the files at main/'s root); the shells at the end import from any layer
 * but not from each other. Lab integration tests (*.lab.test.ts) live in the lowest layer that holds
 * everything they exercise; every test may also use lab/ (real clusters and their fixtures). A folder's
 * test support (shared fixtures) is named fixtures.ts: it is linted as a test, and only tests import it.
 */
export const LAYERS = ['model', 'fleet', 'kube', 'store', 'views', 'snapshot', 'worker', 'backend'];
export const SHELLS = ['server', 'cli', 'app'];
/** Test files of a folder of main/, relative to it: the tests and their support (fixtures.ts). */
const TEST_FILES = ['**/*.test.ts', '**/fixtures.ts'];

/** What each layer may not import, beyond the higher layers. */
const LAYER_EXTRA = {
  // model/ is pure: no I/O, no database, no Kubernetes client.
  model: ['node:*', 'fs', 'path', 'child_process', 'http', 'https', 'better-sqlite3', '@kubernetes/*'],
};

function mainLayers() {
  const all = [...LAYERS, ...SHELLS];
  const outside = ['../../renderer/*', '../../preload/*', '../../scripts/*', '../../bench/*', '../../e2e/*'];
  const electron = { name: 'electron', message: 'only main/app/ imports electron' };
  const configs = [];
  for (const folder of all) {
    const i = LAYERS.indexOf(folder);
    const above = i >= 0 ? all.slice(i + 1) : SHELLS.filter((s) => s !== folder);
    const below = i >= 0 ? all.slice(0, i) : LAYERS;
    const layerRule = (extra, test) => [
      'error',
      {
        paths: folder === 'app' ? [] : [electron],
        patterns: [
          ...(LAYER_EXTRA[folder] && !test ? [{ group: LAYER_EXTRA[folder], message: `main/${folder}/ is pure: no I/O` }] : []),
          ...(test ? [] : [{ group: ['**/fixtures.ts'], message: 'fixtures.ts is test support: only tests import it' }]),
          { group: [...outside, ...extra], message: 'main/ runs under Node: it imports no renderer, preload, script, bench or e2e code' },
          {
            group: above.flatMap((h) => [`../${h}/*`, `../${h}`]),
            message: `main/${folder}/ may import only from ${below.length ? below.map((b) => `${b}/`).join(', ') : 'no other folder of main/'} (the layers in eslint.config.js, ARCHITECTURE.md)`,
          },
        ],
      },
    ];
    configs.push(
      {
        files: [`main/${folder}/**/*.ts`],
        ignores: TEST_FILES.map((f) => `main/${folder}/${f}`),
        rules: { 'no-restricted-imports': layerRule(['../../lab/*'], false) },
      },
      { files: TEST_FILES.map((f) => `main/${folder}/${f}`), rules: { 'no-restricted-imports': layerRule([], true) } },
    );
  }
  // Files at main/'s root (paths, version) are below every layer.
  configs.push({
    files: ['main/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [{ group: [...outside, '../lab/*', './*/*'], message: "main/'s root files are below every layer" }],
        },
      ],
    },
  });
  // A new folder of main/ must be given its place in the order.
  const folders = readdirSync(new URL('./main/', import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory());
  const unplaced = folders.map((d) => d.name).filter((n) => !all.includes(n));
  if (unplaced.length) throw new Error(`eslint.config.js: main/${unplaced.join(', main/')} is in no layer: add it to LAYERS or SHELLS`);
  configs.push({
    files: ['main/model/**/*.ts'],
    rules: { 'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'take `now` as a parameter' }] },
  });
  return configs;
}

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
    ignores: ['common/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'electron', 'react', 'react-dom', '../main/*', '../renderer/*', '../preload/*', '../lab/*'] },
      ],
    },
  },
  {
    // Tests of the contract run under node:test; they may use node and the lab's fixtures.
    files: ['common/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['electron', 'react', 'react-dom', '../main/*', '../renderer/*'] }] },
  },
  ...mainLayers(),
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
