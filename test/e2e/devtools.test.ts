/**
 * The product as users see it: the SSE tab in the REAL Chromium DevTools (recipe B), against the
 * real demo server. Headed, so input reaches the panel as it does for a person; `npm test` runs
 * under xvfb-run when there is no display.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';
import { parseCapture } from '../../src/core/capture/schema.js';
import { startScenarioServer, type ScenarioServer } from '../../src/demo/scenario-server.js';
import { devtoolsPage, setDevtoolsTheme, showExtensionPanel } from '../../src/tools/devtools-panel.js';
import { ARTIFACTS, CHROMIUM_FLAGS, chromiumPath, extensionFlags } from '../helpers/browser.js';

const GUARD = 20_000;
let server: ScenarioServer;
let browser: Browser;
let devtools: Page;
let panel: Frame;
const userDataDir = mkdtempSync(join(tmpdir(), 'sse-devtools-e2e-'));
const downloads = mkdtempSync(join(tmpdir(), 'sse-downloads-'));

async function openPanel(): Promise<void> {
  panel = await showExtensionPanel(devtools, 'SSE', 'panel.html', GUARD);
  await panel.waitForSelector('[data-testid="connect-form"]', { timeout: GUARD });
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startScenarioServer({ intervalMs: 100, heartbeatMs: 600 });
  browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: false,
    handleDevToolsAsPage: true,
    defaultViewport: null,
    userDataDir,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [...extensionFlags(), ...CHROMIUM_FLAGS, '--auto-open-devtools-for-tabs', '--window-size=1400,1000'],
    // A hung call should fail its test, not the whole file at the runner's timeout.
    protocolTimeout: 30_000,
  });
  const cdp = await browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads, eventsEnabled: true });
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  devtools = await devtoolsPage(browser, GUARD);
  await devtools.bringToFront();
  await openPanel();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(userDataDir, { recursive: true, force: true });
  rmSync(downloads, { recursive: true, force: true });
});

let tagNo = 0;
function tagged(query = '') {
  const tag = `d${++tagNo}`;
  return { url: `${server.url}/events?tag=${tag}${query ? `&${query}` : ''}`, mine: () => server.streamRequests().filter((r) => r.query.tag === tag) };
}

async function fill(testid: string, value: string, nth = 0): Promise<void> {
  const handles = await panel.$$(`[data-testid="${testid}"]`);
  const input = handles[nth];
  assert.ok(input, `${testid} is on screen`);
  await input.click({ count: 3 });
  await input.press('Backspace');
  if (value !== '') await input.type(value);
}

async function click(selector: string): Promise<void> {
  const el = await panel.waitForSelector(selector, { timeout: GUARD });
  await el!.click();
}

/** Fills the form and connects; the new connection becomes the selected one. */
async function connect(url: string, options: { token?: string; reconnectDelay?: number; idleTimeout?: number } = {}): Promise<void> {
  const before = (await panel.$$('[data-testid="connection-item"]')).length;
  await fill('url-input', url);
  await fill('header-value', options.token ?? 'Bearer demo-token');
  await fill('idle-timeout', options.idleTimeout === undefined ? '' : String(options.idleTimeout));
  if (options.reconnectDelay !== undefined) {
    if (!(await panel.$('[data-testid="reconnect-delay"]'))) await click('[data-testid="toggle-reconnect"]');
    await fill('reconnect-delay', String(options.reconnectDelay));
  }
  await click('[data-testid="connect-button"]');
  await panel.waitForFunction((n) => document.querySelectorAll('[data-testid="connection-item"]').length > n, { timeout: GUARD }, before);
}

const rowsOf = (kind: string) => panel.$$eval(`[data-testid="timeline-row"][data-kind="${kind}"]`, (rows) => rows.map((r) => r.textContent ?? ''));
const waitRows = (kind: string, n = 1, guard = GUARD) =>
  panel.waitForFunction((k, count) => document.querySelectorAll(`[data-testid="timeline-row"][data-kind="${k}"]`).length >= count, { timeout: guard }, kind, n);

async function disconnectSelected(): Promise<void> {
  const button = await panel.$('[data-testid="connection-item"][aria-selected="true"] [data-testid="disconnect-button"]');
  if (button) await button.click();
}

describe('the SSE tab in the real DevTools', () => {
  test('connecting with a Bearer token shows events of several channels with their ids', async () => {
    const { url, mine } = tagged();
    await connect(url);
    await panel.waitForSelector('[data-testid="timeline-row"][data-kind="event"][data-channel="status"]', { timeout: GUARD });
    const channels = await panel.$$eval('[data-testid="timeline-row"][data-kind="event"]', (rows) => [...new Set(rows.map((r) => r.getAttribute('data-channel')))]);
    assert.ok(channels.length >= 2, `several channels: ${channels.join(', ')}`);
    const first = (await rowsOf('event'))[0]!;
    assert.match(first, /chat1\{"n":1,"channel":"chat"/);
    assert.equal(mine()[0]?.headers.authorization, 'Bearer demo-token');
    await devtools.screenshot({ path: join(ARTIFACTS, 'devtools-panel-light.png') });
  });

  test('selecting a channel filters the timeline; All shows every channel again', async () => {
    await click('[data-testid="channel-item"][data-channel="price"]');
    const only = await panel.$$eval('[data-testid="timeline-row"][data-kind="event"]', (rows) => [...new Set(rows.map((r) => r.getAttribute('data-channel')))]);
    assert.deepEqual(only, ['price']);
    await click('[data-testid="channel-all"]');
    await panel.waitForFunction(() => new Set([...document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]')].map((r) => r.getAttribute('data-channel'))).size >= 2, { timeout: GUARD });
    await disconnectSelected();
  });

  test('a server close at max duration ends the attempt as closed-by-server, then reconnects with the last id, which the server receives', async () => {
    const { url, mine } = tagged('maxDuration=1200');
    await connect(url, { reconnectDelay: 300 });
    await waitRows('reconnect-scheduled');
    await waitRows('attempt-started', 2);
    const ended = (await rowsOf('attempt-ended'))[0]!;
    assert.match(ended, /closed-by-server/);
    const lastEvent = await panel.$$eval('[data-testid="timeline-row"][data-kind="event"]', (rows) => {
      const firstAttempt = rows.filter((r) => r.querySelector('.c-attempt')?.textContent === '#1');
      return firstAttempt.at(-1)?.querySelector('.c-id')?.textContent ?? '';
    });
    const scheduled = (await rowsOf('reconnect-scheduled'))[0]!;
    assert.match(scheduled, new RegExp(`with Last-Event-ID ${lastEvent} `));
    assert.equal(mine()[1]?.lastEventId, lastEvent);
    assert.equal(mine()[1]?.lastEventIdVia, 'header');
    await disconnectSelected();
  });

  test('a silent stream ends as idle-timeout', async () => {
    const { url } = tagged('fault=hold');
    await connect(url, { idleTimeout: 800, reconnectDelay: 60000 });
    await waitRows('attempt-ended');
    assert.match((await rowsOf('attempt-ended'))[0]!, /idle-timeout — no bytes for 800 ms/);
    await disconnectSelected();
  });

  test('a 401 shows http-error 401 and does not reconnect', async () => {
    const { url, mine } = tagged();
    await connect(url, { token: 'Bearer expired', reconnectDelay: 100 });
    await waitRows('stopped');
    assert.match((await rowsOf('attempt-ended'))[0]!, /http-error 401/);
    assert.equal((await rowsOf('reconnect-scheduled')).length, 0);
    assert.equal(mine().length, 1);
  });

  test('the idle timeout simulation, set during a connection, ends it and is recorded as a fault', async () => {
    const { url } = tagged('interval=2000&heartbeat=0');
    await connect(url, { reconnectDelay: 60000 });
    await waitRows('event');
    await panel.select('[data-testid="fault-kind"]', 'idle-timeout');
    await fill('fault-ms', '700');
    await click('[data-testid="fault-start"]');
    await waitRows('attempt-ended');
    assert.match((await rowsOf('fault-injected'))[0]!, /idle-timeout: idle timeout set to 700 ms/);
    assert.match((await rowsOf('attempt-ended'))[0]!, /idle-timeout/);
    await disconnectSelected();
  });

  test('a proxy cut ends every connection after N ms, and the reconnect strip shows the cuts', async () => {
    const { url } = tagged();
    await connect(url, { reconnectDelay: 200 });
    await waitRows('event');
    await panel.select('[data-testid="fault-kind"]', 'proxy-cut');
    await fill('fault-ms', '600');
    await click('[data-testid="fault-start"]');
    await panel.waitForSelector('[data-testid="fault-chip"][data-kind="proxy-cut"]', { timeout: GUARD });
    await waitRows('attempt-ended', 2);
    const ends = await rowsOf('attempt-ended');
    assert.ok(ends.slice(0, 2).every((e) => /simulated proxy cut 0.6 s after the connection opened/.test(e)), ends.join('\n'));
    const bars = await panel.$$eval('[data-testid="attempt-bar"]', (gs) => gs.map((g) => g.getAttribute('data-reason')));
    assert.ok(bars.filter((r) => r === 'fault').length >= 2, `strip: ${bars.join(', ')}`);
    await click('[data-testid="fault-stop"]');
    await panel.waitForFunction(() => !document.querySelector('[data-testid="fault-chip"]'), { timeout: GUARD });
    assert.ok((await rowsOf('fault-injected')).some((r) => /proxy-cut simulation stopped/.test(r)));
    await devtools.screenshot({ path: join(ARTIFACTS, 'devtools-proxy-cut.png') });
    await disconnectSelected();
  });

  test('token expiry: the next reconnect sends the expired token and gets 401', async () => {
    const { url, mine } = tagged('maxDuration=1000');
    await connect(url, { reconnectDelay: 200 });
    await waitRows('event');
    await panel.select('[data-testid="fault-kind"]', 'token-expiry');
    await fill('fault-value', 'Bearer expired-token');
    await click('[data-testid="fault-start"]');
    await waitRows('stopped', 1, 30_000);
    const ends = await rowsOf('attempt-ended');
    assert.match(ends.at(-1)!, /http-error 401/);
    assert.equal(mine().at(-1)?.headers.authorization, 'Bearer expired-token');
    const faults = (await rowsOf('fault-injected')).join('\n');
    assert.doesNotMatch(faults, /expired-token/, 'the new token is not shown');
  });

  test('export produces a valid capture file without the token', async () => {
    const before = new Set(readdirSync(downloads));
    await click('[data-testid="export-selected"]');
    let file: string | undefined;
    for (let i = 0; i < 100 && !file; i++) {
      file = readdirSync(downloads).find((f) => !before.has(f) && f.endsWith('.json'));
      if (!file) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(file, 'a capture file was downloaded');
    const text = readFileSync(join(downloads, file), 'utf8');
    const parsed = parseCapture(text);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n'));
    assert.doesNotMatch(text, /demo-token/);
    assert.doesNotMatch(text, /expired-token/);
  });

  test('the panel follows the dark DevTools theme', async () => {
    await setDevtoolsTheme(devtools, 'dark');
    await devtools.reload();
    await openPanel();
    await panel.waitForSelector('[data-testid="connection-item"]', { timeout: GUARD });
    assert.equal(await panel.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await panel.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(40, 40, 40)');
    await click('[data-testid="connection-item"]');
    await waitRows('event');
    await devtools.screenshot({ path: join(ARTIFACTS, 'devtools-panel-dark.png') });
    await setDevtoolsTheme(devtools, 'light');
  });
});
