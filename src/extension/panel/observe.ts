/**
 * Observing the inspected tab (issue 12), the panel's side: the toggle (remembered per inspected
 * origin), the hook's installation ("Reload and observe" runs it before the page's own scripts),
 * and a poll of the hook's queue through `devtools.inspectedWindow.eval` about every 100 ms while
 * on. Drains go to the background as they are: the page wrote them, so only the background, which
 * checks them, makes anything of them. The iframes are the background's (frame-hooks.ts): each
 * poll asks it to drain them, and it answers with what it found in each frame. Outside DevTools (the panel opened as a tab) there is no
 * inspected window, and the panel says so instead.
 */
import { computed, signal } from '@preact/signals';
import browser from 'webextension-polyfill';
import { drainHasRecords, MAX_RECORDS_PER_DRAIN } from '../../core/observe/records.js';
import { OBSERVE_GLOBAL } from '../../protocol/observed.js';
import { originPattern } from '../../core/config.js';
import type { Bridge } from './bridge.js';
import { evalIn, inspectedWindowApi } from './inspected-window.js';
import { capDrain } from './drain-cap.js';
import { originOf } from '../../core/origin.js';

const POLL_MS = 100;
const STORAGE_KEY = 'observe-origins';

/** What one poll learns: the page's URL, whether a hook is there, its drain (the page's, unchecked), and the document it is in (the hook's `since`; null without a hook). */
interface Poll {
  page: string;
  hooked: boolean;
  drain: unknown;
  doc: number | null;
}

// Runs in the page's main world, which the page controls: it reads as little as it can and
// catches everything, and whatever comes back is treated as the page's word.
const POLL_CODE = `(() => { try { const h = globalThis[Symbol.for(${JSON.stringify(OBSERVE_GLOBAL)})]; const hooked = !!h && typeof h.drain === 'function'; return { page: String(location.href), hooked, since: hooked ? h.since : null, drain: hooked ? h.drain(${MAX_RECORDS_PER_DRAIN}) : null }; } catch (e) { return { page: '', hooked: false, since: null, drain: null }; } })()`;

/** Tells the page's hook, if any, that observing is on or off: off, it records nothing and frees its queue. */
const watchCode = (on: boolean): string =>
  `(() => { try { const h = globalThis[Symbol.for(${JSON.stringify(OBSERVE_GLOBAL)})]; if (h && typeof h.watch === 'function') h.watch(${on}); } catch (e) {} return null; })()`;

function readPoll(value: unknown): Poll | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { page?: unknown; hooked?: unknown; drain?: unknown; since?: unknown };
  const hooked = v.hooked === true;
  // A hook whose `since` is not a number still names a document: one the panel cannot tell from another.
  const doc = hooked ? (typeof v.since === 'number' && Number.isFinite(v.since) ? v.since : -1) : null;
  return { page: typeof v.page === 'string' ? v.page : '', hooked, drain: v.drain, doc };
}

async function loadHookScript(): Promise<string | null> {
  try {
    const response = await fetch(browser.runtime.getURL('page-hook.js'));
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}

const HOOK_MISSING = 'The page hook (page-hook.js) is not part of this build of SSE DevTools, so nothing can be installed in the page.';

export function createObserver(bridge: Bridge) {
  const api = inspectedWindowApi();
  /** Null outside DevTools: there is no inspected tab to observe. */
  const available = api !== null;
  const on = signal(false);
  const origin = signal<string | null>(null);
  /** The inspected page's URL as the last poll read it (the page's word: shown as text, sent as a label). */
  const page = signal('');
  /** Whether the last poll found the hook in the page. */
  const hooked = signal(false);
  const problem = signal<string | null>(null);
  let timer: ReturnType<typeof setInterval> | null = null;
  let polling = false;
  /** The top document the background was last told of: when another one is there, the streams of this one end. */
  let doc: number | null | undefined;

  /** Told on or off: a page navigated away from is gone whether or not the new one is observed. */
  function tellDocument(next: number | null): void {
    if (!api || next === doc) return;
    doc = next;
    bridge.send({ type: 'observed-document', tabId: api.tabId, doc: next });
  }

  async function remembered(): Promise<Record<string, boolean>> {
    const stored = (await browser.storage.local.get(STORAGE_KEY))[STORAGE_KEY];
    return typeof stored === 'object' && stored !== null ? (stored as Record<string, boolean>) : {};
  }

  async function remember(value: boolean): Promise<void> {
    const key = origin.value;
    if (key === null) return;
    const all = await remembered();
    if (value) all[key] = true;
    else delete all[key];
    await browser.storage.local.set({ [STORAGE_KEY]: all });
  }

  async function poll(): Promise<void> {
    if (!api || polling) return;
    polling = true;
    try {
      const result = readPoll(await evalIn(api, POLL_CODE));
      if (!result) return;
      tellDocument(result.doc);
      hooked.value = result.hooked;
      page.value = result.page;
      const pageOrigin = originOf(result.page);
      if (pageOrigin !== origin.value) {
        origin.value = pageOrigin;
        // Another origin in the same tab: its own choice applies.
        const want = pageOrigin !== null && (await remembered())[pageOrigin] === true;
        if (!want) stop();
      }
      if (!on.value) return;
      if (drainHasRecords(result.drain)) {
        const { drain, cut } = capDrain(result.drain);
        bridge.send({ type: 'observed', tabId: api.tabId, pageUrl: result.page, drain, ...(cut.length > 0 ? { cut } : {}), ...(result.doc !== null ? { doc: result.doc } : {}) });
      }
      bridge.send({ type: 'observe-frames', tabId: api.tabId, pageUrl: result.page, on: true });
    } finally {
      polling = false;
    }
  }

  function start(): void {
    on.value = true;
    if (api) void evalIn(api, watchCode(true));
    timer ??= setInterval(() => void poll(), POLL_MS);
  }

  function stop(): void {
    if (on.value && api) {
      bridge.send({ type: 'observe-frames', tabId: api.tabId, pageUrl: page.value, on: false });
      void evalIn(api, watchCode(false));
    }
    on.value = false;
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  let settled: Promise<void> = Promise.resolve();
  if (api) {
    // The panel opened on a page whose origin was observed before: go on observing it.
    settled = (async () => {
      const first = readPoll(await evalIn(api, POLL_CODE));
      origin.value = first ? originOf(first.page) : null;
      page.value = first?.page ?? '';
      hooked.value = first?.hooked ?? false;
      if (first) tellDocument(first.doc);
      if (origin.value !== null && (await remembered())[origin.value] === true) start();
      // Keep learning the page's origin and whether the hook is there, also while off.
      setInterval(() => {
        if (!on.value) void poll();
      }, 1000);
    })();
  }

  return {
    available,
    /** Resolves once the panel knows whether it goes on observing (never rejects): the first paint can wait for it so the bar does not push the panel down under the user's pointer. */
    settled: settled.catch(() => undefined),
    on,
    origin,
    page,
    hooked,
    problem,
    /** The inspected tab's iframes as the background last found them (their URLs are the browser's); null until it said. */
    frames: computed(() => (api && bridge.frames.value?.tabId === api.tabId ? bridge.frames.value.frames : null)),
    tabId: api?.tabId ?? null,
    async setOn(value: boolean): Promise<void> {
      problem.value = null;
      if (value) start();
      else stop();
      await remember(value);
      if (value && api && !hooked.value) {
        // Installed now, the hook sees the streams the page opens from now on.
        const script = await loadHookScript();
        if (script === null) problem.value = HOOK_MISSING;
        else await evalIn(api, script);
      }
    },
    /**
     * Asks for host access to an iframe's site, so the hook can run there. Chrome lets the panel
     * ask during the click (so no await before it); Firefox gives panels no permissions API, so
     * there the background opens our grant tab.
     */
    allowFrame(url: string): void {
      const permissions = (browser as { permissions?: typeof browser.permissions }).permissions;
      let origins: string[];
      try {
        origins = [originPattern(url)];
      } catch {
        return;
      }
      if (permissions?.request) void permissions.request({ origins }).catch(() => false);
      else bridge.send({ type: 'grant-frame-access', url });
    },
    /** Reloads the inspected page with the hook running before any of the page's own scripts. */
    async reloadAndObserve(): Promise<void> {
      if (!api) return;
      problem.value = null;
      const script = await loadHookScript();
      if (script === null) {
        problem.value = HOOK_MISSING;
        return;
      }
      start();
      // The background hooks each iframe as it commits once it knows the tab is observed: tell it before the reload.
      bridge.send({ type: 'observe-frames', tabId: api.tabId, pageUrl: page.value, on: true });
      await remember(true);
      api.reload({ injectedScript: script });
    },
  };
}

export type Observer = ReturnType<typeof createObserver>;
