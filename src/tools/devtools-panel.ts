/**
 * Shows an extension's panel in the real Chromium DevTools and returns its frame. Uses DevTools'
 * own front-end modules (shared/recipes/browser-testing.md, recipe B): internal API, so it lives in
 * this one place for `npm start` and the e2e tests alike.
 */
import type { Browser, Frame, Page } from 'puppeteer-core';

/** Modules of the DevTools front end, resolved inside the DevTools page, and the little we use of them. */
const UI_MODULE = './ui/legacy/legacy.js';
const COMMON_MODULE = './core/common/common.js';
interface LegacyUi {
  InspectorView: { InspectorView: { instance(): { tabbedPane: { tabIds(): string[] }; showPanel(id: string): Promise<void> } } };
}
interface CommonModule {
  Settings: { Settings: { instance(): { moduleSetting(name: string): { set(value: string): void } } } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The DevTools window of the first inspected tab, once its front end has started. */
export async function devtoolsPage(browser: Browser, guardMs = 30_000): Promise<Page> {
  const target = await browser.waitForTarget((t) => t.url().startsWith('devtools://'), { timeout: guardMs });
  const page = await target.asPage();
  return page;
}

/** Selects the tab `title` that an extension added, and waits for its page to load. */
export async function showExtensionPanel(devtools: Page, title: string, pageName: string, guardMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + guardMs;
  for (;;) {
    const shown = await devtools
      .evaluate(async (wanted: string, modulePath: string) => {
        try {
          // The module path is passed in, not written here, so that bundlers leave the import alone.
          const UI = (await import(modulePath)) as LegacyUi;
          const view = UI.InspectorView.InspectorView.instance();
          const id = view.tabbedPane.tabIds().find((t) => t.startsWith('chrome-extension://') && t.endsWith(wanted));
          if (!id) return false;
          await view.showPanel(id);
          return true;
        } catch {
          // DevTools is still starting ("Unable to create settings…"): try again.
          return false;
        }
      }, title, UI_MODULE)
      .catch(() => false);
    if (shown) break;
    if (Date.now() > deadline) throw new Error(`DevTools never offered the "${title}" tab`);
    await sleep(200);
  }
  for (;;) {
    const frame = devtools.frames().find((f) => f.url().includes(pageName));
    if (frame) return frame;
    if (Date.now() > deadline) throw new Error(`the "${title}" panel never loaded ${pageName}`);
    await sleep(100);
  }
}

/** Switches the DevTools theme; panels read it when they load, so reload DevTools after. */
export async function setDevtoolsTheme(devtools: Page, theme: 'light' | 'dark'): Promise<void> {
  await devtools.evaluate(
    async (t: string, modulePath: string) => {
      const Common = (await import(modulePath)) as CommonModule;
      Common.Settings.Settings.instance().moduleSetting('ui-theme').set(t === 'dark' ? 'dark' : 'default');
    },
    theme,
    COMMON_MODULE,
  );
}
