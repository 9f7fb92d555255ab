/**
 * The few things that differ between the panel inside DevTools and the same page opened as a tab:
 * the theme, and whether `chrome.devtools` exists. Everything else in the panel is host-agnostic.
 */
interface DevtoolsGlobal {
  devtools?: {
    panels?: {
      themeName?: string;
      /** Firefox. */
      onThemeChanged?: { addListener(fn: (theme: string) => void): void };
      /** Chromium. */
      setThemeChangeHandler?: (fn: (theme: string) => void) => void;
    };
  };
}

/** Follows a theme switch while the panel is open (Firefox's event, Chromium's handler). */
export function onThemeChange(apply: (theme: 'light' | 'dark') => void): void {
  const toTheme = (t: string) => apply(t === 'dark' ? 'dark' : 'light');
  (globalThis as { browser?: DevtoolsGlobal }).browser?.devtools?.panels?.onThemeChanged?.addListener(toTheme);
  (globalThis as { chrome?: DevtoolsGlobal }).chrome?.devtools?.panels?.setThemeChangeHandler?.(toTheme);
}

/** DevTools' own theme when inside DevTools; the OS preference (or ?theme=) in a tab. */
export function detectTheme(): 'light' | 'dark' {
  const forced = new URLSearchParams(location.search).get('theme');
  if (forced === 'dark' || forced === 'light') return forced;
  const themeName = (globalThis as { chrome?: DevtoolsGlobal }).chrome?.devtools?.panels?.themeName;
  if (themeName) return themeName === 'dark' ? 'dark' : 'light';
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
