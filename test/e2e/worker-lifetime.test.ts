/**
 * Chrome stops an idle extension service worker about 30 s after its last extension event and
 * aborts its fetches; stream bytes do not count. With no debugger attached to the worker (a
 * debugger keeps it alive and would hide the bug) and no panel open, a connection whose server is
 * silent for 45 s at a time must stay open: the worker keeps itself alive.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import puppeteer, { type Browser } from 'puppeteer-core';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { CHROMIUM_FLAGS, chromiumPath, extensionFlags, extensionId } from '../helpers/browser.js';

const EVENT_EVERY_MS = 45_000;
const KEEP_OPEN_MS = 100_000;

let server: ScenarioServer;
let browser: Browser;
const userDataDir = mkdtempSync(join(tmpdir(), 'sse-lifetime-'));

before(async () => {
  server = await startScenarioServer({ intervalMs: EVENT_EVERY_MS, heartbeatMs: 0 });
  browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    userDataDir,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [...extensionFlags(), ...CHROMIUM_FLAGS],
    // Never attach to the worker: an attached debugger keeps it alive.
    targetFilter: (target) => target.type() !== 'service_worker',
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(userDataDir, { recursive: true, force: true });
});

test('with no panel open, a connection silent for 45 s at a time stays open past 100 s', async () => {
  const panelUrl = `chrome-extension://${extensionId()}/panel.html`;
  const page = await browser.newPage();
  await page.goto(panelUrl);
  await page.locator('[data-testid="url-input"]').fill(`${server.url}/events?tag=lifetime&heartbeat=0`);
  await page.locator('[data-testid="header-value"]').fill('Bearer demo-token');
  await page.locator('[data-testid="connect-button"]').click();
  await page.waitForSelector('[data-testid="connection-item"][data-phase="open"]', { timeout: 20_000 });
  await page.close();

  // Wait well past Chrome's ~30 s idle limit, across two 45-second silences.
  await new Promise((r) => setTimeout(r, KEEP_OPEN_MS));
  assert.equal(server.openStreams(), 1, 'the stream is still open at the server');
  assert.equal(server.streamRequests().filter((r) => r.query.tag === 'lifetime').length, 1, 'it never had to reconnect');

  const check = await browser.newPage();
  await check.goto(panelUrl);
  await check.waitForSelector('[data-testid="connection-item"][data-phase="open"]', { timeout: 20_000 });
  const events = await check.$$eval('[data-testid="timeline-row"][data-kind="event"]', (rows) => rows.map((r) => r.textContent ?? ''));
  const ended = await check.$$('[data-testid="timeline-row"][data-kind="attempt-ended"]');
  assert.equal(ended.length, 0, 'no attempt ended');
  // One at once, then one after each 45-second silence.
  assert.ok(events.length >= 3, `the events after 45 s and 90 s arrived (${events.length} events)`);
  await check.close();
});
