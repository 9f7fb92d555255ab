/**
 * The extension's background context: a service worker in Chrome, a background script in Firefox.
 * Wires the connection manager to panels (runtime Ports), storage, and the keep-alive. Listeners
 * are registered synchronously at the top level, as a service worker that is woken by an event
 * must find them there.
 */
import browser from 'webextension-polyfill';
import { originPattern } from '../../core/config.js';
import { LIMITS } from '../../core/limits.js';
import { readSettings } from '../../core/settings.js';
import { PANEL_PORT, isPanelMessage, type PanelMessage } from '../../protocol/messages.js';
import { chromeDebugger, createCompleteCapture } from './complete-capture.js';
import { createFilterCapture, type FilterApi } from './complete-capture-firefox.js';
import { createConnectionManager } from './connection-manager.js';
import { createFrameHooks } from './frame-hooks.js';
import { startKeepAlive } from './keep-alive.js';
import { createIdbPersistence, type SessionArea } from './persistence.js';
import { createPortHub, type PanelPort } from './port-hub.js';
import { observeOwnRequests, sendObserved } from './sent-requests.js';

observeOwnRequests();

const SETTINGS_KEY = 'settings';

const session: SessionArea = {
  get: (key) => browser.storage.session.get(key),
  set: (items) => browser.storage.session.set(items),
  remove: (key) => browser.storage.session.remove(key),
};
const persistence = createIdbPersistence(session);
const hub = createPortHub({ persistence, onError: (err) => console.error('SSE DevTools: could not store entries', err) });
const manager = createConnectionManager({
  persistence,
  sink: hub,
  engineDeps: { send: sendObserved },
  // Declared below; only called once a drain arrives.
  onPageCancel: (tabId, url, openedAt) => filterCapture?.pageCancelled(tabId, url, openedAt),
});
hub.attach(manager);

// Chromium only: Firefox has no chrome.debugger (its complete capture would be filterResponseData).
const debuggerApi = chromeDebugger();
/**
 * Tabs whose debugger this worker attached, kept in session storage: a worker that Chrome stopped
 * forgot them, while the debugger may still be attached (the bar still shown, nobody listening).
 * The next worker detaches those first; a panel that still wants the capture asks again.
 */
const COMPLETE_TABS_KEY = 'complete-capture-tabs';
const completeTabs = new Set<number>();
function completeState(tabId: number, on: boolean, why: string | null): void {
  if (on) completeTabs.add(tabId);
  else completeTabs.delete(tabId);
  void browser.storage.session.set({ [COMPLETE_TABS_KEY]: [...completeTabs] }).catch(() => {});
  hub.broadcast({ type: 'complete-capture-state', tabId, on, why });
}
async function detachStale(): Promise<void> {
  if (!debuggerApi) return;
  const stored = (await browser.storage.session.get(COMPLETE_TABS_KEY))[COMPLETE_TABS_KEY];
  if (!Array.isArray(stored)) return;
  for (const tabId of stored) if (Number.isSafeInteger(tabId)) await debuggerApi.detach({ tabId: tabId as number }).catch(() => {});
  await browser.storage.session.remove(COMPLETE_TABS_KEY);
}
const complete = debuggerApi
  ? createCompleteCapture({
      api: debuggerApi,
      now: () => Date.now(),
      report: (tabId, pageUrl, drain) => {
        manager.observe(tabId, pageUrl, drain, { mode: 'complete' });
      },
      state: completeState,
      forget: (tabId, why) => manager.forgetObserved(tabId, 'complete', why),
    })
  : null;

/** What each panel was last told of its tab's iframes. */
const framesTold = new WeakMap<PanelPort, string>();
const frameHooks = createFrameHooks({
  now: () => Date.now(),
  take: (tabId, pageUrl, drain, scope, doc) => manager.observe(tabId, pageUrl, drain, { scope, doc }),
  document: (tabId, scope, doc) => manager.observedDocument(tabId, scope, doc),
  frames: (tabId, present) => manager.observedFrames(tabId, present),
});

/**
 * Firefox: filterResponseData (Chrome MV3 has none). Firefox adds it to webRequest only once its
 * optional permission is granted, so the API is looked up when used; getBrowserInfo is Firefox's alone.
 */
const isFirefox = typeof (browser.runtime as { getBrowserInfo?: unknown }).getBrowserInfo === 'function';
const filterApi: FilterApi = {
  filterResponseData: (requestId) => browser.webRequest.filterResponseData(requestId),
  onBeforeRequest: browser.webRequest.onBeforeRequest,
  onSendHeaders: browser.webRequest.onSendHeaders,
  onHeadersReceived: browser.webRequest.onHeadersReceived,
  onCompleted: browser.webRequest.onCompleted,
  onErrorOccurred: browser.webRequest.onErrorOccurred,
};
const filterCapture =
  !complete && isFirefox
    ? createFilterCapture({
        api: filterApi,
        now: () => Date.now(),
        report: (tabId, pageUrl, drain) => {
          manager.observe(tabId, pageUrl, drain, { mode: 'complete' });
        },
        state: (tabId, on, why) => hub.broadcast({ type: 'complete-capture-state', tabId, on, why }),
        forget: (tabId, why) => manager.forgetObserved(tabId, 'complete', why),
      })
    : null;

const ready = (async () => {
  const stored = await browser.storage.local.get(SETTINGS_KEY);
  manager.setSettings(readSettings(stored[SETTINGS_KEY]));
  await detachStale().catch(() => {});
  await manager.restore();
})().catch((err: unknown) => console.error('SSE DevTools: restoring connections failed', err));

// Debugger events keep the worker awake while they flow; a silent stream would not.
startKeepAlive(() => manager.hasActive() || (complete?.active() ?? false) || (filterCapture?.active() ?? false), () => browser.runtime.getPlatformInfo());

/** The match pattern of a page's origin, or null when it is not a web page. */
function pageOriginPattern(pageUrl: string): string | null {
  try {
    const u = new URL(pageUrl);
    return u.protocol === 'http:' || u.protocol === 'https:' ? originPattern(pageUrl) : null;
  } catch {
    return null;
  }
}

async function hasHostAccess(url: string): Promise<boolean> {
  try {
    return await browser.permissions.contains({ origins: [originPattern(url)] });
  } catch {
    return true;
  }
}

async function handle(port: PanelPort, message: PanelMessage): Promise<void> {
  await ready;
  switch (message.type) {
    case 'hello':
      await hub.addPort(port);
      return;
    case 'connect': {
      if (!(await hasHostAccess(message.config.url))) {
        const origin = new URL(message.config.url).origin;
        // Firefox panels cannot ask; an extension tab can.
        await browser.tabs.create({ url: browser.runtime.getURL(`grant.html?origin=${encodeURIComponent(originPattern(message.config.url))}`) });
        hub.post(port, {
          type: 'connect-result',
          requestId: message.requestId,
          connectionId: null,
          errors: [{ field: 'url', message: `SSE DevTools needs your permission to connect to ${origin}. Allow it in the tab that just opened, then press Connect again.` }],
        });
        return;
      }
      const result = manager.open(message.config);
      hub.post(port, { type: 'connect-result', requestId: message.requestId, connectionId: result.id, errors: result.errors });
      return;
    }
    case 'disconnect':
      manager.disconnect(message.connectionId);
      return;
    case 'reconnect':
      manager.reconnect(message.connectionId);
      return;
    case 'remove':
      manager.remove(message.connectionId);
      return;
    case 'fault': {
      const problem = manager.inject(message.connectionId, message.fault);
      if (problem) console.warn(`SSE DevTools: simulation refused: ${problem}`);
      return;
    }
    case 'stop-fault':
      manager.stopFault(message.connectionId, message.kind);
      return;
    case 'get-secrets': {
      const secrets = manager.secrets(message.connectionId);
      hub.post(port, { type: 'secrets', requestId: message.requestId, url: secrets?.url ?? null, headers: secrets?.headers ?? [], body: secrets?.body ?? null, bodyCut: secrets?.bodyCut ?? false });
      return;
    }
    case 'observed': {
      // From our own panel, but carrying the page's data: only the tab and page URL are ours to check here.
      const { tabId, pageUrl } = message;
      if (!Number.isSafeInteger(tabId) || tabId < 0 || typeof pageUrl !== 'string') return;
      const doc = typeof message.doc === 'number' && Number.isFinite(message.doc) ? message.doc : undefined;
      const intake = manager.observe(tabId, pageUrl.slice(0, LIMITS.urlChars), message.drain, { cut: message.cut, doc });
      hub.post(port, { type: 'observed-intake', ...intake });
      return;
    }
    case 'observed-document': {
      const { tabId, doc } = message;
      if (!Number.isSafeInteger(tabId) || tabId < 0 || !(doc === null || (typeof doc === 'number' && Number.isFinite(doc)))) return;
      manager.observedDocument(tabId, '', doc);
      // The top document's iframes went with it: those no longer in the tab end too, whether or not the new page is observed.
      const frames = await browser.webNavigation.getAllFrames({ tabId }).catch(() => null);
      if (frames) manager.observedFrames(tabId, new Set(frames.filter((f) => f.frameId !== 0).map((f) => `f${f.frameId}:`)));
      return;
    }
    case 'observe-frames': {
      const { tabId, pageUrl, on } = message;
      if (!Number.isSafeInteger(tabId) || tabId < 0 || typeof pageUrl !== 'string') return;
      if (on !== true) {
        frameHooks.stop(tabId, true);
        manager.forgetObserved(tabId, 'hook', 'observing was switched off: SSE DevTools no longer follows this stream; the page still receives it');
        return;
      }
      const polled = await frameHooks.poll(tabId, pageUrl.slice(0, LIMITS.urlChars));
      // Each panel hears of the frames when they change for it (a panel that reloaded hears them again).
      const told = polled.frames ? JSON.stringify(polled.frames) : null;
      if (polled.frames && told !== null && told !== framesTold.get(port)) {
        framesTold.set(port, told);
        hub.post(port, { type: 'observed-frames', tabId, frames: polled.frames });
      }
      if (polled.intake) hub.post(port, { type: 'observed-intake', ...polled.intake });
      return;
    }
    case 'grant-frame-access': {
      const pattern = typeof message.url === 'string' ? pageOriginPattern(message.url) : null;
      if (pattern !== null) await browser.tabs.create({ url: browser.runtime.getURL(`grant.html?frames=1&origin=${encodeURIComponent(pattern)}`) });
      return;
    }
    case 'complete-capture': {
      const { tabId, on, pageUrl } = message;
      if (!Number.isSafeInteger(tabId) || tabId < 0 || typeof pageUrl !== 'string') return;
      // Besides the broadcast to every panel, the asking port hears the outcome itself, even one that has not said hello yet.
      const answer = (isOn: boolean) => hub.post(port, { type: 'complete-capture-state', tabId, on: isOn, why: null });
      if (complete) {
        if (on) await complete.start(tabId, pageUrl.slice(0, LIMITS.urlChars));
        else await complete.stop(tabId);
        if (complete.isOn(tabId) === on) answer(on);
        return;
      }
      if (filterCapture) {
        if (!on) {
          filterCapture.stop(tabId);
          answer(false);
          return;
        }
        const pattern = pageOriginPattern(pageUrl);
        if (pattern === null) {
          hub.post(port, { type: 'complete-capture-state', tabId, on: false, why: 'Complete capture needs a page on http or https.' });
          return;
        }
        // Host access to the page's origin is optional, and a Firefox panel cannot ask: a tab of ours can.
        if (!(await browser.permissions.contains({ origins: [pattern] }))) {
          await browser.tabs.create({ url: browser.runtime.getURL(`grant.html?complete=1&origin=${encodeURIComponent(pattern)}`) });
          hub.post(port, { type: 'complete-capture-state', tabId, on: false, why: `Complete capture needs your permission to filter the responses of ${new URL(pageUrl).origin}. Allow it in the tab that just opened, then switch it on again.` });
          return;
        }
        filterCapture.start(tabId, pageUrl.slice(0, LIMITS.urlChars));
        answer(true);
        return;
      }
      hub.post(port, { type: 'complete-capture-state', tabId, on: false, why: 'Complete capture is not available in this browser.' });
      return;
    }
    case 'settings': {
      const settings = readSettings(message.settings);
      manager.setSettings(settings);
      await browser.storage.local.set({ [SETTINGS_KEY]: settings });
      hub.broadcast({ type: 'settings', settings });
      return;
    }
  }
}

// A closed tab's observation state goes with it (tab ids are not reused): no leak over a long session.
browser.tabs.onRemoved.addListener((tabId) => void ready.then(() => manager.tabClosed(tabId)));

browser.runtime.onConnect.addListener((runtimePort) => {
  if (runtimePort.name !== PANEL_PORT) return;
  const port: PanelPort = { postMessage: (m) => runtimePort.postMessage(m) };
  runtimePort.onMessage.addListener((message: unknown) => {
    if (isPanelMessage(message)) void handle(port, message);
  });
  runtimePort.onDisconnect.addListener(() => hub.removePort(port));
});

// Firefox e2e only (src/tooling/build.mjs): the test build of dist/extension-firefox-e2e defines this
// true so the extension opens its own panel page, which WebDriver BiDi cannot navigate to but can
// drive. Every other build defines it false and minifySyntax drops the block.
declare const __SSE_E2E_OPEN_PANEL__: boolean;
if (__SSE_E2E_OPEN_PANEL__) void browser.tabs.create({ url: browser.runtime.getURL('panel.html') });
