/**
 * The few things that differ between the panel inside DevTools and the same page opened as a tab:
 * the theme, and whether `chrome.devtools` exists. Everything else in the panel is host-agnostic.
 */
interface DevtoolsGlobal {
  devtools?: { panels?: { themeName?: string } };
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
