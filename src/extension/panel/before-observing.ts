/**
 * "Opened before observing" (issue 12): the inspected page's event streams that started before the
 * hook did, so no hook will ever see them, listed from DevTools' own network log
 * (`devtools.network.getHAR()`, no permission) so the user can reload and observe them. A getHAR
 * call returns the whole log (megabytes on a busy page): it is called when the list is first shown,
 * when the page or its hook changed (a reload, a navigation; checked every 2 s with a small eval),
 * when the user asks, and otherwise again only after twenty times its own last duration (at least
 * REFRESH_MS), so a page that keeps opening and closing streams is followed at a bounded cost:
 * streams a page opens after the first look (its frames load later) appear, ended ones leave.
 *
 * Firefox hands extensions that log only once its Network panel has been opened in the toolbox: an
 * empty log there says so. The log and the page's answers are the page's traffic: everything goes
 * through src/core/observe/before-observing.ts (bounded, masked) before it is shown, as text.
 */
import { signal } from '@preact/signals';
import { stillOpen, streamsInHar, type HarStreams, type StreamBefore } from '../../core/observe/before-observing.js';
import { OBSERVE_GLOBAL } from '../../protocol/observed.js';
import { inFirefox } from './in-firefox.js';
import { evalIn, getHar, inspectedWindowApi, networkApi } from './inspected-window.js';

const CHECK_MS = 2000;
const REFRESH_MS = 4000;
/** A look costs at most 1/REFRESH_FACTOR of the panel's time. */
const REFRESH_FACTOR = 20;
/** Finished requests the page is asked for at most. */
const MAX_FINISHED = 2000;

/** The page's load and its hook: when either changes, the list is looked at again. */
const PAGE_CODE = `(() => { try { const h = globalThis[Symbol.for(${JSON.stringify(OBSERVE_GLOBAL)})]; return { start: Number(performance.timeOrigin), since: h && typeof h.since === 'number' ? h.since : null, href: String(location.href) }; } catch (e) { return null; } })()`;

/** The page's finished requests among `urls`, as [url, start]; runs in the page, which may lie (a stream then shows as open or not). */
const finishedCode = (urls: string[]): string =>
  `(() => { try { const want = new Set(${JSON.stringify(urls)}); const o = performance.timeOrigin; return performance.getEntriesByType('resource').filter((e) => want.has(e.name)).slice(-${MAX_FINISHED}).map((e) => [String(e.name), o + e.startTime]); } catch (e) { return []; } })()`;

/** Frames asked about their finished requests at most, besides the top one. */
const MAX_FRAMES = 8;

interface PageState {
  start: number;
  since: number | null;
  href: string;
}

function readPage(value: unknown): PageState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { start?: unknown; since?: unknown };
  if (typeof v.start !== 'number' || !Number.isFinite(v.start)) return null;
  const href = (value as { href?: unknown }).href;
  return { start: v.start, since: typeof v.since === 'number' && Number.isFinite(v.since) ? v.since : null, href: typeof href === 'string' ? href : '' };
}

function harSize(har: unknown): number {
  const h = har as { entries?: unknown; log?: { entries?: unknown } } | null;
  const entries = h?.entries ?? h?.log?.entries;
  return Array.isArray(entries) ? entries.length : 0;
}

interface BeforeObservingResult extends HarStreams {
  /** Why the list may be empty although streams are open (Firefox's log, DevTools opened late). */
  note: string | null;
  /** Streams a frame sent (their Referer is not the top page): a reload observes them only if the frame's hook wins its race (frame-hooks.ts). */
  inFrame: ReadonlySet<StreamBefore>;
}

export function createBeforeObserving() {
  const api = inspectedWindowApi();
  const network = networkApi();
  const result = signal<BeforeObservingResult | null>(null);
  const looking = signal(false);
  let lastKey = '';
  let nextRefresh = 0;
  let timer: ReturnType<typeof setInterval> | null = null;

  async function look(): Promise<void> {
    if (!api || !network || looking.value) return;
    looking.value = true;
    const began = Date.now();
    try {
      const page = readPage(await evalIn(api, PAGE_CODE));
      if (!page) return;
      lastKey = `${page.start}|${page.since}`;
      const har = await getHar(network);
      const candidates = streamsInHar(har, page.start, page.since);
      const finished: unknown[] = [];
      const ask = async (urls: string[], frameURL?: string) => {
        const answer = urls.length === 0 ? null : await evalIn(api, finishedCode([...new Set(urls)]), frameURL);
        if (Array.isArray(answer)) finished.push(...(answer as unknown[]).slice(0, MAX_FINISHED));
      };
      await ask(candidates.map((c) => c.rawUrl));
      // A frame's requests are in its own resource timing: ask the frames that sent them (their Referer), a few at most.
      const frames = [...new Set(candidates.map((c) => c.referer).filter((r) => r !== '' && r !== page.href))].slice(0, MAX_FRAMES);
      for (const frameURL of frames) await ask(candidates.filter((c) => c.referer === frameURL).map((c) => c.rawUrl), frameURL);
      const note =
        inFirefox() && harSize(har) === 0
          ? 'Firefox gives extensions its network log only once the Network panel has been opened in this toolbox, and only from then on: open it, reload, and look again.'
          : null;
      const open = stillOpen(candidates, finished);
      result.value = { ...open, note, inFrame: new Set(open.streams.filter((c) => c.referer !== '' && c.referer !== page.href)) };
    } finally {
      looking.value = false;
      nextRefresh = Date.now() + Math.max(REFRESH_MS, (Date.now() - began) * REFRESH_FACTOR);
    }
  }

  async function check(): Promise<void> {
    if (!api || !network || looking.value) return;
    const page = readPage(await evalIn(api, PAGE_CODE));
    if (page && (`${page.start}|${page.since}` !== lastKey || Date.now() >= nextRefresh)) await look();
  }

  return {
    available: api !== null && network !== null,
    result,
    looking,
    look,
    /** Looks now, and again whenever the page reloads or its hook changes, until stopped. */
    start(): void {
      void look();
      timer ??= setInterval(() => void check(), CHECK_MS);
    },
    stop(): void {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}

export type BeforeObservingStore = ReturnType<typeof createBeforeObserving>;
