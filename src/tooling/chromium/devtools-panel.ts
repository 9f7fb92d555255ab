/**
 * Showing an extension's panel in the real Chromium DevTools (shared/recipes/browser-testing.md,
 * recipe B), for `npm start` and the e2e tests alike. DevTools' front-end modules are not a public
 * API: `callFrontEnd` is the one function to change when a Chromium update moves them.
 *
 * `--auto-open-devtools-for-tabs` opens DevTools for the launch tab too; that window lies hidden
 * behind the new tab, nothing in it paints and input into it never completes. So callers close the
 * other tabs and use the DevTools window whose document is visible.
 */
import type { Browser, Frame, LaunchOptions, Page, Target } from 'puppeteer-core';
import { CHROMIUM_FLAGS, chromiumPath, extensionFlags } from './chromium.js';

export type DevtoolsTheme = 'light' | 'dark';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// DevTools internals. The front end's own modules, called inside the DevTools page; not a public
// API, so this is the one function to change when a Chromium update moves them.
// ---------------------------------------------------------------------------------------------

type FrontEndCall =
  /** Shows the extension tab whose id ends with `title`; false while DevTools is still starting or the tab is not there yet. */
  | { op: 'show-panel'; title: string }
  | { op: 'set-theme'; theme: DevtoolsTheme }
  | { op: 'dock'; side: 'undocked' | 'bottom' | 'right' | 'left' };

interface FrontEndModules {
  InspectorView: { InspectorView: { instance(): { tabbedPane: { tabIds(): string[] }; showPanel(id: string): Promise<void> } } };
  DockController: { DockController: { instance(): { setDockSide(side: string): void } } };
}
interface CommonModule {
  Settings: { Settings: { instance(): { moduleSetting(name: string): { set(value: string): void } } } };
}

export async function callFrontEnd(devtools: Page, call: FrontEndCall): Promise<boolean> {
  return devtools
    .evaluate(
      async (c: FrontEndCall, uiPath: string, commonPath: string) => {
        try {
          // Module paths come in as arguments so that the bundler leaves these imports alone.
          const UI = (await import(uiPath)) as FrontEndModules;
          if (c.op === 'show-panel') {
            const view = UI.InspectorView.InspectorView.instance();
            const id = view.tabbedPane.tabIds().find((t) => t.startsWith('chrome-extension://') && t.endsWith(c.title));
            if (!id) return false;
            await view.showPanel(id);
            return true;
          }
          if (c.op === 'dock') {
            UI.DockController.DockController.instance().setDockSide(c.side);
            return true;
          }
          const Common = (await import(commonPath)) as CommonModule;
          Common.Settings.Settings.instance().moduleSetting('ui-theme').set(c.theme === 'dark' ? 'dark' : 'default');
          return true;
        } catch {
          // Before DevTools has started: "Unable to create settings: global and local storage must be provided".
          return false;
        }
      },
      call,
      './ui/legacy/legacy.js',
      './core/common/common.js',
    )
    .catch(() => false);
}

// ---------------------------------------------------------------------------------------------

export async function until<T>(what: string, guardMs: number, probe: () => Promise<T | null | undefined | false>, everyMs = 150): Promise<T> {
  const deadline = Date.now() + guardMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${guardMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function visibleDocument(target: Target): Promise<Page | null> {
  try {
    const page = await target.asPage();
    return (await page.evaluate(() => document.visibilityState)) === 'visible' ? page : null;
  } catch {
    // A DevTools window still starting, or one going away with its tab ("Requesting main frame too early").
    return null;
  }
}

/** The DevTools window users would be looking at: the only one whose document is visible. */
async function findDevtools(browser: Browser, guardMs: number): Promise<Page> {
  return until('a visible DevTools window', guardMs, async () => {
    for (const target of browser.targets()) {
      if (!target.url().startsWith('devtools://')) continue;
      const page = await visibleDocument(target);
      if (page) return page;
    }
    return null;
  });
}

export async function showPanel(devtools: Page, title: string, guardMs: number): Promise<Frame> {
  await until(`DevTools to offer the "${title}" tab`, guardMs, () => callFrontEnd(devtools, { op: 'show-panel', title }), 200);
  const frame = await until('the panel page to load', guardMs, async () => devtools.frames().find((f) => f.url().includes('/panel.html')) ?? null, 100);
  await frame.waitForSelector('[data-testid="connect-form"]', { timeout: guardMs });
  return frame;
}


/** Closes every tab but `keep` (and so the hidden DevTools windows that belong to them). */
async function closeOtherTabs(browser: Browser, keep: Page): Promise<void> {
  for (const target of browser.targets()) {
    if (target.type() !== 'page' || target === keep.target()) continue;
    const page = await target.asPage().catch(() => null);
    await page?.close().catch(() => undefined);
  }
  await keep.bringToFront();
}

/** Puppeteer options for Chromium with the extension and DevTools opening with each tab. */
export function devtoolsLaunchOptions(o: { headless: boolean; userDataDir: string; width: number; height: number }): LaunchOptions {
  return {
    executablePath: chromiumPath(),
    headless: o.headless,
    handleDevToolsAsPage: true,
    defaultViewport: null,
    userDataDir: o.userDataDir,
    ignoreDefaultArgs: ['--disable-extensions'],
    // A window people look at may use the GPU; headless runs here have none.
    args: [...extensionFlags(), ...CHROMIUM_FLAGS.filter((f) => o.headless || f !== '--disable-gpu'), '--auto-open-devtools-for-tabs', `--window-size=${o.width},${o.height}`],
  };
}

/** One tab, its DevTools in a window of its own, the extension's panel shown in it. */
export async function openPanelInDevtools(browser: Browser, title: string, guardMs: number): Promise<{ inspected: Page; devtools: Page; panel: Frame }> {
  const inspected = await browser.newPage();
  await closeOtherTabs(browser, inspected);
  const devtools = await findDevtools(browser, guardMs);
  // Undocked, the same front end (this Page stays valid) gets a window of its own.
  await until('DevTools to start', guardMs, () => callFrontEnd(devtools, { op: 'dock', side: 'undocked' }), 200);
  const panel = await showPanel(devtools, title, guardMs);
  return { inspected, devtools, panel };
}
