/**
 * What the panel reaches of the page it inspects, whichever browser (Chromium and Firefox both
 * take callbacks on `chrome.devtools`); null outside DevTools (the panel opened as a tab). Whatever
 * the page's world answers is the page's word: an exception reads as null, never a throw.
 */
export interface InspectedWindowApi {
  tabId: number;
  eval(code: string, options: { frameURL?: string }, callback: (result: unknown, exception: unknown) => void): void;
  reload(options: { injectedScript?: string; ignoreCache?: boolean }): void;
}

interface NetworkApi {
  getHAR(callback: (har: unknown) => void): void;
}

const devtools = (): { inspectedWindow?: InspectedWindowApi; network?: NetworkApi } | undefined =>
  (globalThis as { chrome?: { devtools?: { inspectedWindow?: InspectedWindowApi; network?: NetworkApi } } }).chrome?.devtools;

export function inspectedWindowApi(): InspectedWindowApi | null {
  const api = devtools()?.inspectedWindow;
  return api && typeof api.eval === 'function' ? api : null;
}

export function networkApi(): NetworkApi | null {
  const api = devtools()?.network;
  return api && typeof api.getHAR === 'function' ? api : null;
}

/** Runs `code` in the inspected page (or its frame of that URL, Chromium only). */
export function evalIn(api: InspectedWindowApi, code: string, frameURL?: string): Promise<unknown> {
  return new Promise((resolve) => {
    try {
      api.eval(code, frameURL === undefined ? {} : { frameURL }, (result, exception) => resolve(exception ? null : result));
    } catch {
      resolve(null);
    }
  });
}

/** DevTools' network log, or null when it cannot be had. */
export function getHar(api: NetworkApi): Promise<unknown> {
  return new Promise((resolve) => {
    try {
      api.getHAR((har) => resolve(har));
    } catch {
      resolve(null);
    }
  });
}
