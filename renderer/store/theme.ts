// The console's theme: follow the OS (system), or light or dark whatever the OS says. Kept in
// localStorage (a renderer preference: nothing of the back end's), applied as data-theme on <html>,
// which the stylesheet's custom properties and the canvases' palettes follow.
export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEMES: readonly ThemeChoice[] = ['system', 'light', 'dark'];
const KEY = 'fleet.theme';

export function storedTheme(): ThemeChoice {
  try {
    const v = globalThis.localStorage?.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** data-theme on <html> ('system': none, the OS decides through prefers-color-scheme). */
export function applyTheme(t: ThemeChoice, root: HTMLElement | undefined = globalThis.document?.documentElement): void {
  if (!root) return;
  if (t === 'system') delete root.dataset.theme;
  else root.dataset.theme = t;
}

export function setTheme(t: ThemeChoice): void {
  try {
    if (t === 'system') globalThis.localStorage?.removeItem(KEY);
    else globalThis.localStorage?.setItem(KEY, t);
  } catch {
    /* storage refused (private mode): for this page only */
  }
  applyTheme(t);
}

/** The theme in effect: the chosen one, or the OS's. */
export function effectiveTheme(root: HTMLElement | undefined = globalThis.document?.documentElement): 'light' | 'dark' {
  const t = root?.dataset.theme;
  if (t === 'light' || t === 'dark') return t;
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
