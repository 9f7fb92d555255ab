/**
 * The page hook in the observed tab's iframes (issue 12). Chromium's `inspectedWindow.reload({
 * injectedScript })` runs in the top frame only, and Firefox's `inspectedWindow.eval` cannot pick
 * a frame, so for iframes the background does both jobs, the same way in both browsers: while a
 * panel observes a tab, each iframe that commits gets the hook (`scripting.executeScript`, main
 * world, `injectImmediately`: before the frame's first script in most loads, not all:
 * bench/frame-hook.ts, docs/ARCHITECTURE.md), and each poll of the panel drains every iframe's hook
 * by frame id (frame URLs repeat; ids do not). Nothing is put into a tab no panel observes: the
 * commit listener exists only while some tab is observed, and a tab whose panel stopped polling
 * stops being observed.
 *
 * What a frame's hook returns is as hostile as the page: it goes to the same intake, its stream ids
 * scoped to the frame. The frames' URLs come from the browser (webNavigation), not from the page.
 */
import browser from 'webextension-polyfill';
import { LIMITS } from '../../core/limits.js';
import { drainHasRecords, MAX_RECORDS_PER_DRAIN } from '../../core/observe/records.js';
import type { ObservedFrame, ObservedIntake } from '../../protocol/messages.js';
import { OBSERVE_GLOBAL } from '../../protocol/observed.js';

/** A tab whose panel has not polled for this long (DevTools closed, observing off) is no longer observed. */
const EXPIRE_MS = 2_000;
/** Iframes drained per poll; a page with more gets the rest listed as not observed. */
const MAX_FRAMES = 32;
/**
 * An iframe whose hook had nothing for this many polls in a row (about a second) is idle: it is
 * drained at every IDLE_EVERY-th poll only, until it reports again. Each drain runs a script in the
 * frame, on the page's main thread for a same-origin frame: 4 idle iframes drained at every poll cost
 * an idle page about 9 ms of its main thread a second (bench/frame-hook.ts `cost`), and a page may have 32.
 * The hook's queue holds 20,000 records meanwhile.
 */
const IDLE_AFTER = 10;
const IDLE_EVERY = 3;

interface FrameState {
  /** Polls in a row whose drain of this frame had no record. */
  empty: number;
  /** What its last drain found, said again while it is not drained. */
  last: ObservedFrame | null;
}

interface TabState {
  polled: number;
  draining: boolean;
  polls: number;
  frames: Map<number, FrameState>;
}

export interface FrameHooksOptions {
  now(): number;
  /** A frame's drain, the page's word, for the intake; `scope` names the frame, `doc` its document (its hook's `since`). */
  take(tabId: number, pageUrl: string, drain: unknown, scope: string, doc: number): ObservedIntake;
  /** The frame's document is `doc` now (null: it has no hook, so it is not the one hooked before). */
  document(tabId: number, scope: string, doc: number | null): void;
  /** The tab's iframes now, by scope: the others went away. */
  frames(tabId: number, present: ReadonlySet<string>): void;
}

export interface FramePoll {
  /** The tab's iframes as this poll found them; null when another poll of the tab was still running. */
  frames: ObservedFrame[] | null;
  /** The intake's status after the last frame that reported records; null when none did. */
  intake: ObservedIntake | null;
}

// Runs in the frame's main world (the function's source is sent, so it must stand alone): it
// reads as little of the page as it can, and whatever comes back is the page's word.
function drainInPage(key: string, max: number): { hooked: boolean; late: boolean; since: unknown; drain: unknown } {
  try {
    const hook = (globalThis as unknown as Record<symbol, { drain?: unknown; late?: unknown; since?: unknown } | undefined>)[Symbol.for(key)];
    if (!hook || typeof hook.drain !== 'function') return { hooked: false, late: false, since: null, drain: null };
    // Drained means observed: a hook told to stop watching when observing was last switched off watches again.
    if (typeof (hook as { watch?: unknown }).watch === 'function') (hook as { watch: (on: boolean) => void }).watch(true);
    return { hooked: true, late: hook.late === true, since: hook.since, drain: (hook.drain as (n: number) => unknown)(max) };
  } catch {
    return { hooked: false, late: false, since: null, drain: null };
  }
}

// Runs in each frame's main world when observing is switched off: the frame's hook records nothing more.
function unwatchInPage(key: string): null {
  try {
    const hook = (globalThis as unknown as Record<symbol, { watch?: unknown } | undefined>)[Symbol.for(key)];
    if (hook && typeof hook.watch === 'function') (hook.watch as (on: boolean) => void)(false);
  } catch {
    // the page's word only
  }
  return null;
}

/** Chromium and Firefox word a missing host permission differently; both name it. */
const NO_ACCESS = /permission|cannot access/i;

export function createFrameHooks(options: FrameHooksOptions) {
  const tabs = new Map<number, TabState>();

  const observed = (tabId: number): boolean => {
    const t = tabs.get(tabId);
    if (t && options.now() - t.polled > EXPIRE_MS) stop(tabId);
    return tabs.has(tabId);
  };

  async function inject(tabId: number, frameId: number): Promise<void> {
    try {
      await browser.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, world: 'MAIN', injectImmediately: true, files: ['page-hook.js'] });
    } catch {
      // No access to the frame, or it went away: the next drain says which.
    }
  }

  const onCommitted = (d: { tabId: number; frameId: number }): void => {
    if (d.frameId !== 0 && observed(d.tabId)) void inject(d.tabId, d.frameId);
  };

  /**
   * `switchedOff`: the user switched observing off, so the frames' hooks stop recording too (not when
   * a panel merely stopped polling: it may be reloading, and its streams go on being followed).
   */
  function stop(tabId: number, switchedOff = false): void {
    if (!tabs.delete(tabId)) return;
    if (tabs.size === 0) browser.webNavigation.onCommitted.removeListener(onCommitted);
    if (switchedOff) void browser.scripting.executeScript({ target: { tabId, allFrames: true }, world: 'MAIN', func: unwatchInPage, args: [OBSERVE_GLOBAL] }).catch(() => undefined);
  }

  async function drainFrame(tabId: number, pageUrl: string, frameId: number, url: string, state: FrameState, due: boolean): Promise<{ frame: ObservedFrame; intake: ObservedIntake | null }> {
    if (!due && state.last !== null && state.last.url === url) return { frame: state.last, intake: null };
    const drained = await drainNow(tabId, pageUrl, frameId, url);
    state.empty = drained.records ? 0 : state.empty + 1;
    state.last = drained.frame;
    return drained;
  }

  async function drainNow(tabId: number, pageUrl: string, frameId: number, url: string): Promise<{ frame: ObservedFrame; intake: ObservedIntake | null; records: boolean }> {
    const frame = (state: ObservedFrame['state'], detail = ''): ObservedFrame => ({ url, state, detail });
    try {
      const [result] = await browser.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, world: 'MAIN', func: drainInPage, args: [OBSERVE_GLOBAL, MAX_RECORDS_PER_DRAIN] });
      const r = result?.result as { hooked?: unknown; late?: unknown; since?: unknown; drain?: unknown } | undefined;
      if (typeof r !== 'object' || r === null) return { frame: frame('failed', 'its hook did not answer'), intake: null, records: false };
      const scope = `f${frameId}:`;
      if (r.hooked !== true) {
        // A document without the hook: not the one hooked before, if any, which is gone with its streams.
        options.document(tabId, scope, null);
        // A frame that was there before observing began: hooked now, it shows what it opens from now on.
        await inject(tabId, frameId);
        return { frame: frame('late'), intake: null, records: true };
      }
      // The page's word: a `since` that is not a number still names a document, one not told from another.
      const doc = typeof r.since === 'number' && Number.isFinite(r.since) ? r.since : -1;
      options.document(tabId, scope, doc);
      const records = drainHasRecords(r.drain);
      const intake = records ? options.take(tabId, pageUrl, r.drain, scope, doc) : null;
      return { frame: frame(r.late === true ? 'late' : 'hooked'), intake, records };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // The browser's word on a missing permission names the extension's manifest: the panel says it plainly.
      return { frame: NO_ACCESS.test(message) ? frame('no-access') : frame('failed', message.slice(0, 300)), intake: null, records: false };
    }
  }

  return {
    /** One poll of the panel observing `tabId`: drains its iframes, hooking those that lack it. */
    async poll(tabId: number, pageUrl: string): Promise<FramePoll> {
      let t = tabs.get(tabId);
      if (!t) {
        if (tabs.size === 0) browser.webNavigation.onCommitted.addListener(onCommitted);
        t = { polled: 0, draining: false, polls: 0, frames: new Map() };
        tabs.set(tabId, t);
      }
      t.polled = options.now();
      if (t.draining) return { frames: null, intake: null };
      t.draining = true;
      try {
        const all = (await browser.webNavigation.getAllFrames({ tabId })) ?? [];
        const iframes = all.filter((f) => f.frameId !== 0 && !f.errorOccurred);
        options.frames(tabId, new Set(iframes.map((f) => `f${f.frameId}:`)));
        const observedFrames = iframes.slice(0, MAX_FRAMES);
        const known = t.frames;
        const states = new Map(observedFrames.map((f): [number, FrameState] => [f.frameId, known.get(f.frameId) ?? { empty: 0, last: null }]));
        t.frames = states;
        const idleDue = t.polls++ % IDLE_EVERY === 0;
        const drained = await Promise.all(
          observedFrames.map((f) => {
            const state = states.get(f.frameId)!;
            return drainFrame(tabId, pageUrl, f.frameId, f.url.slice(0, LIMITS.urlChars), state, state.empty < IDLE_AFTER || idleDue);
          }),
        );
        const frames = [
          ...drained.map((d) => d.frame),
          ...iframes.slice(MAX_FRAMES).map((f): ObservedFrame => ({ url: f.url.slice(0, LIMITS.urlChars), state: 'failed', detail: `only the first ${MAX_FRAMES} iframes are observed` })),
        ];
        return { frames, intake: drained.reduce<ObservedIntake | null>((last, d) => d.intake ?? last, null) };
      } catch {
        // The tab is gone or not one scripts may run in (a browser page).
        return { frames: null, intake: null };
      } finally {
        t.draining = false;
      }
    },
    stop,
  };
}
