/**
 * The few things that differ between the panel inside DevTools and the same page opened as a tab:
 * the theme, and whether `chrome.devtools` exists. Everything else in the panel is host-agnostic.
 */
interface DevtoolsGlobal {
  devtools?: { panels?: { themeName?: string; onThemeChanged?: { addListener(fn: (theme: string) => void): void } } };
}

/** Firefox tells a panel when the DevTools theme changes; Chrome applies a new theme on reopen. */
export function onThemeChange(apply: (theme: 'light' | 'dark') => void): void {
  (globalThis as { browser?: DevtoolsGlobal }).browser?.devtools?.panels?.onThemeChanged?.addListener((t) => apply(t === 'dark' ? 'dark' : 'light'));
}

export function inDevtools(): boolean {
  return typeof (globalThis as { chrome?: DevtoolsGlobal }).chrome?.devtools?.panels === 'object';
}

/** DevTools' own theme when inside DevTools; the OS preference (or ?theme=) in a tab. */
export function detectTheme(): 'light' | 'dark' {
  const forced = new URLSearchParams(location.search).get('theme');
  if (forced === 'dark' || forced === 'light') return forced;
  const themeName = (globalThis as { chrome?: DevtoolsGlobal }).chrome?.devtools?.panels?.themeName;
  if (themeName) return themeName === 'dark' ? 'dark' : 'light';
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
