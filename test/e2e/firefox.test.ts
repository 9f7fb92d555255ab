/**
 * The same extension build in real Firefox (Debian firefox-esr) over WebDriver BiDi with
 * puppeteer-core: shared/recipes/browser-testing.md, "Firefox". BiDi cannot navigate to a
 * moz-extension:// URL, so this uses dist/extension-firefox-e2e, whose background script opens
 * panel.html in a tab by itself (__SSE_E2E_OPEN_PANEL__ in src/tooling/build.mjs); everything else in
 * that folder is the normal extension. Streaming events in that page proves Firefox runs the
 * background script (engine, runtime Ports, storage) and the panel.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';

const EXTENSION_DIR = resolve('dist', 'extension-firefox-e2e');
const ARTIFACTS = resolve('test-results');
const FIXED_UUID = '6f3b1c2e-5a4d-4e8f-9b7a-0c1d2e3f4a5b';

interface Manifest {
  browser_specific_settings: { gecko: { id: string } };
}

function firefoxPath(): string | null {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

const executablePath = firefoxPath();

async function findPanelPage(browser: Browser, timeoutMs = 15_000): Promise<Page> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const page of await browser.pages()) {
      // The tab the extension opened reports about:blank as its url(): identify it by its DOM.
      const found = await page.$('[data-testid="connect-form"]').catch(() => null);
      if (found) return page;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the extension did not open its panel page in Firefox');
}

describe('Firefox: the extension loads and streams', { skip: executablePath ? false : 'no Firefox found (set FIREFOX_PATH)' }, () => {
  let browser: Browser;
  let server: ScenarioServer;
  let extensionId: string;
  const consoleLines: string[] = [];
  /** Firefox's own stdout and stderr: where the background script's console.error lines land. */
  const firefoxOutput: string[] = [];
  /** The product's own console.error lines all start with this. */
  const productErrors = () => firefoxOutput.filter((l) => l.includes('SSE DevTools:'));

  before(async () => {
    assert.ok(existsSync(join(EXTENSION_DIR, 'manifest.json')), `${EXTENSION_DIR} is missing: run node src/tooling/build.mjs`);
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as Manifest;
    server = await startScenarioServer({ token: 'demo-token' });
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: executablePath!,
      headless: true,
      defaultViewport: { width: 1280, height: 760 },
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [manifest.browser_specific_settings.gecko.id]: FIXED_UUID }),
        // console.* of extension pages, the background script included, goes to Firefox's stdout.
        'devtools.console.stdout.content': true,
      },
    });
    for (const stream of [browser.process()?.stdout, browser.process()?.stderr]) {
      stream?.on('data', (chunk: Buffer) => firefoxOutput.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim() !== '')));
    }
    extensionId = await browser.installExtension(EXTENSION_DIR);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (consoleLines.length > 0) console.log(`panel console:\n  ${consoleLines.join('\n  ')}`);
    if (productErrors().length > 0) console.log(`extension errors in Firefox's output:\n  ${productErrors().join('\n  ')}`);
  });

  test('installs as a temporary add-on with the gecko id from the manifest', () => {
    assert.equal(extensionId, 'sse-devtools@sse-devtools.dev');
  });

  test('the panel connects through the background script and shows events of several channels', async () => {
    const page = await findPanelPage(browser);
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${String(e)}`));
    assert.equal(await page.evaluate(() => location.href), `moz-extension://${FIXED_UUID}/panel.html`);

    const streamUrl = `${server.url}/events?interval=100`;
    await page.locator('[data-testid="url-input"]').fill(streamUrl);
    await page.locator('[data-testid="header-value"]').fill('Bearer demo-token');
    const requested = server.nextRequest();
    await page.locator('[data-testid="connect-button"]').click();

    const request = await requested;
    assert.equal(request.headers.authorization, 'Bearer demo-token');

    await page.waitForFunction(
      () => {
        const rows = document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]');
        return new Set([...rows].map((r) => r.getAttribute('data-channel'))).size >= 2;
      },
      { timeout: 15_000 },
    );
    const channels = await page.$$eval('[data-testid="timeline-row"][data-kind="event"]', (rows) => [...new Set(rows.map((r) => r.getAttribute('data-channel')))]);
    assert.ok(channels.length >= 2, `events from at least two channels, got ${channels.join(', ')}`);
    for (const c of channels) assert.ok(['price', 'chat', 'status'].includes(c ?? ''), `unexpected channel ${String(c)}`);
    assert.ok(server.streamRequests().every((r) => r.headers.authorization === 'Bearer demo-token'));

    await page.mouse.move(900, 600); // off the Connect button, so the screenshot shows it at rest
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'firefox-panel.png') });
    assert.deepEqual(consoleLines.filter((l) => l.startsWith('error') || l.startsWith('pageerror')), []);
    assert.deepEqual(productErrors(), []);
  });

  test('a reloaded panel gets its connection back from the background, which kept streaming', async () => {
    const before = await findPanelPage(browser);
    const count = async (p: Page) => Number((await p.$eval('[data-testid="connection-item"]', (e) => e.textContent ?? '')).match(/(\d+) events?/)?.[1] ?? 0);
    const seenBefore = await count(before);
    // page.reload() waits for a BiDi navigation, which Firefox refuses for moz-extension:// pages.
    await before.evaluate(() => location.reload());
    await new Promise((r) => setTimeout(r, 500));
    const page = await findPanelPage(browser);
    await page.waitForSelector('[data-testid="connection-item"]', { timeout: 10_000 });
    await page.waitForFunction((n: number) => {
      const text = document.querySelector('[data-testid="connection-item"]')?.textContent ?? '';
      return Number(text.match(/(\d+) events?/)?.[1] ?? 0) > n;
    }, { timeout: 10_000 }, seenBefore);
    assert.ok((await count(page)) > seenBefore);
    assert.ok((await page.$$('[data-testid="timeline-row"][data-kind="event"]')).length > 0);
    assert.equal(server.streamRequests().length, 1, 'the background kept its one stream open across the panel reload');
    assert.deepEqual(productErrors(), []);
  });

  test('Cookie and User-Agent from the form reach the server, and the request-sent row says they were observed', async () => {
    const page = await findPanelPage(browser);
    await page.locator('[data-testid="url-input"]').fill(`${server.url}/events?interval=100&tag=ff-request`);
    await page.locator('[data-testid="header-value"]').fill('Bearer demo-token');
    for (const [i, name, value] of [[1, 'Cookie', 'manual=1'], [2, 'User-Agent', 'MyApp/1.0']] as const) {
      await page.locator('[data-testid="add-header"]').click();
      await (await page.$$('[data-testid="header-name"]'))[i]!.type(name);
      await (await page.$$('[data-testid="header-value"]'))[i]!.type(value);
    }
    await page.locator('[data-testid="connect-button"]').click();
    const deadline = Date.now() + 15_000;
    while (!server.streamRequests().some((r) => r.query.tag === 'ff-request') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const request = server.streamRequests().find((r) => r.query.tag === 'ff-request');
    assert.equal(request?.headers.cookie, 'manual=1');
    assert.equal(request?.headers['user-agent'], 'MyApp/1.0');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="timeline-row"][data-kind="request-sent"]')].some((r) => /sent \d+ headers/.test(r.textContent ?? '')), { timeout: 15_000 });
    await page.waitForSelector('[data-testid="timeline-row"][data-kind="event"]', { timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'firefox-request-sent.png') });
    assert.deepEqual(productErrors(), []);
  });
});
