/**
 * Recipe B (shared/recipes/browser-testing.md): the extension's "SSE" tab in the REAL Chromium
 * DevTools, headless, driven with puppeteer-core. `launchDevtools()` opens one tab, finds the
 * DevTools window that inspects it, shows the SSE panel and returns the panel's frame, plus
 * screenshots, a theme switch and download capture.
 *
 * What it took here (Chromium 156, puppeteer-core 24):
 * - `--auto-open-devtools-for-tabs` opens DevTools for the launch tab AND for `browser.newPage()`.
 *   The launch tab's DevTools lies behind the new tab: its document is hidden, so nothing in it
 *   paints, IntersectionObserver never fires and puppeteer's click/type wait forever. So the
 *   launch tab is closed and the DevTools window used is the one whose document is visible.
 * - DevTools is undocked (its own 1280×900 window), so the panel gets the room a user gives it
 *   and screenshots show the whole DevTools window.
 * - The theme: setting DevTools' `ui-theme` recolours DevTools at once, but an extension panel
 *   learns the theme (chrome.devtools.panels.themeName) only when DevTools loads it, so the
 *   DevTools window is reloaded after the switch.
 * - Downloads from the panel (an <a download> of a blob: URL) are allowed and reported through
 *   the browser-level CDP session (Browser.setDownloadBehavior with eventsEnabled).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import puppeteer, { type Browser, type CDPSession, type Frame, type Page } from 'puppeteer-core';
import { callFrontEnd, devtoolsLaunchOptions, openPanelInDevtools, showPanel, until, type DevtoolsTheme } from '../../src/tooling/chromium/devtools-panel.js';
import { EXTENSION_DIR } from './browser.js';

export type { DevtoolsTheme };

export interface LaunchDevtoolsOptions {
  /** The title the extension gave its panel. */
  panelTitle?: string;
  /** Guard for every wait while starting, in ms. */
  guardMs?: number;
  /**
   * A headed browser on the X display (the test runner's xvfb), without --enable-automation: the
   * browser's own bars (Chrome's "started debugging this browser") show, and only X input reaches them.
   */
  headed?: boolean;
}

export interface Download {
  /** Where the file was saved. */
  path: string;
  suggestedFilename: string;
  url: string;
}

export interface DevtoolsSession {
  browser: Browser;
  /** The tab DevTools inspects. */
  inspected: Page;
  /** The DevTools window (its front end, a devtools:// page). */
  devtools: Page;
  /** The SSE panel's frame; a new frame after `setTheme` reloads DevTools. */
  readonly panel: Frame;
  extensionId: string;
  /** Resolves with the next download that completes; call it before the click that starts one. */
  expectDownload(guardMs?: number): Promise<Download>;
  /** A PNG of the whole DevTools window. */
  screenshot(path: string): Promise<void>;
  /** Switches DevTools' theme, reloads DevTools so the panel picks it up, and shows the panel again. */
  setTheme(theme: DevtoolsTheme): Promise<Frame>;
  /** Reloads DevTools (and so the panel), as closing and reopening it does, and shows the panel again. */
  reload(): Promise<Frame>;
  /** Resizes the (undocked) DevTools window, as a user drags its edge. */
  resize(width: number, height?: number): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_GUARD = 30_000;
const WINDOW = { width: 1280, height: 900 };

function checkBuilt(): void {
  const missing = ['manifest.json', 'devtools.js', 'panel.js', 'background.js'].filter((f) => !existsSync(join(EXTENSION_DIR, f)));
  if (missing.length > 0) throw new Error(`${EXTENSION_DIR} lacks ${missing.join(', ')}: run \`node src/tooling/build.mjs\` first`);
}

export async function launchDevtools(options: LaunchDevtoolsOptions = {}): Promise<DevtoolsSession> {
  checkBuilt();
  const title = options.panelTitle ?? 'SSE';
  const guardMs = options.guardMs ?? DEFAULT_GUARD;
  const userDataDir = mkdtempSync(join(tmpdir(), 'sse-devtools-'));
  const downloadsDir = mkdtempSync(join(tmpdir(), 'sse-downloads-'));
  const launch = devtoolsLaunchOptions({ headless: !options.headed, userDataDir, ...WINDOW });
  const browser = await puppeteer.launch(options.headed ? { ...launch, ignoreDefaultArgs: [...(Array.isArray(launch.ignoreDefaultArgs) ? launch.ignoreDefaultArgs : []), '--enable-automation'] } : launch);
  try {
    const cdp: CDPSession = await browser.target().createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allowAndName', downloadPath: downloadsDir, eventsEnabled: true });

    const opened = await openPanelInDevtools(browser, title, guardMs);
    const { inspected, devtools } = opened;
    let panel = opened.panel;
    const extensionId = new URL(panel.url()).host;

    const session: DevtoolsSession = {
      browser,
      inspected,
      devtools,
      get panel() {
        return panel;
      },
      extensionId,
      expectDownload(waitMs = guardMs) {
        return new Promise<Download>((resolve, reject) => {
          let begun: { guid: string; suggestedFilename: string; url: string } | null = null;
          const timer = setTimeout(() => finish(new Error(`no download completed within ${waitMs} ms${begun ? ` (${begun.suggestedFilename} began)` : ''}`)), waitMs);
          const onBegin = (e: { guid: string; suggestedFilename: string; url: string }) => {
            begun ??= e;
          };
          const onProgress = (e: { guid: string; state: 'inProgress' | 'completed' | 'canceled' }) => {
            if (!begun || e.guid !== begun.guid) return;
            if (e.state === 'completed') finish(null, { path: join(downloadsDir, begun.guid), suggestedFilename: begun.suggestedFilename, url: begun.url });
            else if (e.state === 'canceled') finish(new Error(`download of ${begun.suggestedFilename} was canceled`));
          };
          function finish(error: Error | null, download?: Download): void {
            clearTimeout(timer);
            cdp.off('Browser.downloadWillBegin', onBegin);
            cdp.off('Browser.downloadProgress', onProgress);
            if (error) reject(error);
            else resolve(download!);
          }
          cdp.on('Browser.downloadWillBegin', onBegin);
          cdp.on('Browser.downloadProgress', onProgress);
        });
      },
      async screenshot(path) {
        mkdirSync(dirname(path), { recursive: true });
        await devtools.screenshot({ path });
      },
      async setTheme(theme) {
        await until(`DevTools to take the ${theme} theme`, guardMs, () => callFrontEnd(devtools, { op: 'set-theme', theme }), 200);
        return session.reload();
      },
      async reload() {
        await devtools.reload();
        panel = await showPanel(devtools, title, guardMs);
        return panel;
      },
      async resize(width, height = WINDOW.height) {
        const page = await devtools.createCDPSession();
        try {
          const { windowId } = await page.send('Browser.getWindowForTarget');
          await page.send('Browser.setWindowBounds', { windowId, bounds: { width, height } });
        } finally {
          await page.detach().catch(() => undefined);
        }
        await until(`the panel to be ${width} px wide`, guardMs, () => panel.evaluate((w: number) => Math.abs(innerWidth - w) < 40, width), 100);
      },
      async close() {
        await browser.close().catch(() => undefined);
        rmSync(userDataDir, { recursive: true, force: true });
        rmSync(downloadsDir, { recursive: true, force: true });
      },
    };
    return session;
  } catch (error) {
    await browser.close().catch(() => undefined);
    rmSync(userDataDir, { recursive: true, force: true });
    rmSync(downloadsDir, { recursive: true, force: true });
    throw error;
  }
}
