/**
 * Real Chromium with the unpacked extension loaded (shared/recipes/browser-testing.md).
 * Recipe A (`launchWithExtension`): the panel page opened as a tab; fast, and the worker can be
 * reached and stopped. Recipe B lives in devtools.ts: the real DevTools panel.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { CHROMIUM_FLAGS, chromiumPath, EXTENSION_DIR, extensionFlags } from '../../src/tooling/chromium/chromium.js';

export { CHROMIUM_FLAGS, chromiumPath, EXTENSION_DIR, extensionFlags };
export const ARTIFACTS = resolve('test-results');

/** Chromium derives an unpacked extension's id from the manifest's `key`: fixed, so tests can know it without attaching to the worker. */
export function extensionId(manifestPath = resolve('manifest.json')): string {
  const { key } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { key: string };
  const hex = createHash('sha256').update(Buffer.from(key, 'base64')).digest('hex').slice(0, 32);
  return hex.replace(/[0-9a-f]/g, (c) => String.fromCharCode(97 + parseInt(c, 16)));
}

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
  openPanel(query?: string): Promise<Page>;
  /** Stops the extension's service worker as Chrome does when idle; its fetches die with it. */
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** `extensionDir`: another unpacked copy of the extension than extension/ (e.g. a release archive, extracted). */
export async function launchWithExtension(options: { colorScheme?: 'light' | 'dark'; extensionDir?: string } = {}): Promise<ExtensionBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'sse-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    headless: true,
    executablePath: chromiumPath(),
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [...extensionFlags(options.extensionDir), ...CHROMIUM_FLAGS],
    viewport: { width: 1280, height: 760 },
    colorScheme: options.colorScheme ?? 'light',
  });
  let worker: Worker;
  try {
    worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  } catch (error) {
    // An extension Chromium refuses to load never starts a worker: close the browser, or the test process hangs.
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const extensionId = new URL(worker.url()).host;
  let controlPage: Page | null = null;
  return {
    context,
    extensionId,
    worker,
    async openPanel(query = '') {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/panel.html${query}`);
      await page.getByTestId('connect-form').waitFor();
      return page;
    },
    async stopWorker() {
      controlPage ??= await context.newPage();
      const cdp = await context.newCDPSession(controlPage);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Opens the connect form where a successful Connect collapsed it, as a user does with "+ New connection". */
export async function openConnectForm(page: Page): Promise<void> {
  if (!(await page.getByTestId('connect-form').isVisible())) await page.getByTestId('toggle-form').click();
}

/** Sets the entries kept per connection, from the settings menu (⚙) where a user sets it. */
export async function setRetention(page: Page, entries: number): Promise<void> {
  if (!(await page.getByTestId('cap-input').isVisible())) await page.getByTestId('settings-button').click();
  await page.getByTestId('cap-input').fill(String(entries));
  await page.getByTestId('cap-input').press('Enter');
  await page.keyboard.press('Escape');
}
