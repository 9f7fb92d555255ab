/**
 * `npm start`'s browser: Chromium with the extension loaded, DevTools open on the SSE tab, and a
 * connection to the demo server already made, so the first thing a new user sees is a live
 * timeline. Usage: node dist/src/tooling/chromium/start-browser.js <demo base URL> <token>
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { devtoolsLaunchOptions, openPanelInDevtools } from './devtools-panel.js';

const [base = 'http://127.0.0.1:8787', token = 'demo-token'] = process.argv.slice(2);

const userDataDir = mkdtempSync(join(tmpdir(), 'sse-devtools-start-'));
const browser = await puppeteer.launch(devtoolsLaunchOptions({ headless: false, userDataDir, width: 1400, height: 900 }));
browser.on('disconnected', () => process.exit(0));
process.on('SIGINT', () => void browser.close());
process.on('SIGTERM', () => void browser.close());

// DevTools in a window of its own: the SSE panel gets a whole window, not a docked strip.
const { inspected, devtools, panel } = await openPanelInDevtools(browser, 'SSE', 30_000);
await inspected.goto(`${base}/`);
await panel.type('[data-testid="url-input"]', `${base}/events`);
await panel.type('[data-testid="header-value"]', `Bearer ${token}`);
await panel.click('[data-testid="connect-button"]');
// For checking what a new user sees (e.g. under xvfb-run): SSE_START_SCREENSHOT=file.png npm start
const shot = process.env.SSE_START_SCREENSHOT;
if (shot) {
  await panel.waitForSelector('[data-testid="timeline-row"][data-kind="event"]', { timeout: 20_000 });
  await new Promise((r) => setTimeout(r, 3000));
  await devtools.screenshot({ path: shot });
}
console.log(`Chromium is open with DevTools on the SSE tab, connected to ${base}/events. Close the window or press Ctrl-C to stop.`);
