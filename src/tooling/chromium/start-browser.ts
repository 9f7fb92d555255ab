/**
 * `npm start`'s browser: Chromium with the extension loaded, DevTools open on the SSE tab, and a
 * connection to the demo server already made, so the first thing a new user sees is a live
 * timeline. The inspected tab is the demo page, observed: each of its buttons runs an imitated LLM
 * or MCP stream that the panel shows with its lens, in one click. The lab's way in is the Recent
 * list, filled with the same requests (the token is typed once per connect: Recent keeps no secrets).
 * Usage: node dist/src/tooling/chromium/start-browser.js <demo base URL> <token>
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { defaultConfig, type ConnectionConfig } from '../../core/config.js';
import { LAB_REQUESTS } from '../../servers/catalog.js';
import { seedRecent } from '../../ui/recent.js';
import { devtoolsLaunchOptions, openPanelInDevtools } from './devtools-panel.js';

const [base = 'http://127.0.0.1:8787', token = 'demo-token'] = process.argv.slice(2);

/** The X screen's size (xdpyinfo), so the windows fit it; a common laptop size where it cannot be read. */
function screenSize(): { width: number; height: number } {
  try {
    const out = execFileSync('xdpyinfo', { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /dimensions:\s+(\d+)x(\d+) pixels/.exec(out);
    if (m) return { width: Number(m[1]), height: Number(m[2]) };
  } catch {
    // No X (macOS, Wayland without xdpyinfo): the window manager maximizes instead.
  }
  return { width: 1366, height: 768 };
}

const screen = screenSize();
const userDataDir = mkdtempSync(join(tmpdir(), 'sse-devtools-start-'));
const options = devtoolsLaunchOptions({ headless: false, userDataDir, width: screen.width, height: screen.height });
const browser = await puppeteer.launch({
  ...options,
  // Not a test: no "Chrome is being controlled by automated test software" bar over the page.
  ignoreDefaultArgs: [...(Array.isArray(options.ignoreDefaultArgs) ? options.ignoreDefaultArgs : []), '--enable-automation'],
  args: [...(options.args ?? []), '--window-position=0,0'],
});
browser.on('disconnected', () => process.exit(0));
process.on('SIGINT', () => void browser.close());
process.on('SIGTERM', () => void browser.close());

// DevTools in a window of its own: the SSE panel gets a whole window, not a docked strip.
const { inspected, devtools, panel } = await openPanelInDevtools(browser, 'SSE', 30_000);
// The undocked DevTools window opens at Chromium's own size and place, which may overflow the
// screen: give it the whole screen, then let a window manager, if any, maximize it to its work area.
const cdp = await devtools.createCDPSession();
const { windowId } = await cdp.send('Browser.getWindowForTarget');
await cdp.send('Browser.setWindowBounds', { windowId, bounds: { left: 0, top: 0, width: screen.width, height: screen.height } });
await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'maximized' } });
await cdp.detach();
await inspected.goto(`${base}/`);
// Observing the demo page is what makes its buttons' streams appear in the panel.
await panel.waitForFunction((origin: string) => document.querySelector('[data-testid="observe-toggle"]')?.getAttribute('title')?.includes(origin), { timeout: 20_000 }, base);
if ((await panel.$eval('[data-testid="observe-toggle"]', (b) => b.getAttribute('aria-pressed'))) !== 'true') await panel.click('[data-testid="observe-toggle"]');
// Written before the first connect, which puts /events on top of them.
// One attempt each: a client that reconnected after the answer would ask the model again.
const examples: ConnectionConfig[] = LAB_REQUESTS.map((r) => ({
  ...defaultConfig(base + r.path),
  reconnect: { ...defaultConfig(base).reconnect, maxAttempts: r.method === 'POST' ? 1 : null },
  method: r.method,
  body: r.body === null ? null : JSON.stringify(r.body),
  headers: [['Authorization', ''], ...(r.body === null ? [] : [['Content-Type', 'application/json'] as [string, string]]), ...(r.accept === null ? [] : [['Accept', r.accept] as [string, string]])],
}));
const recent = seedRecent(examples);
await panel.evaluate((key: string, json: string) => localStorage.setItem(key, json), recent.key, recent.json);
await panel.type('[data-testid="url-input"]', `${base}/events`);
await panel.type('[data-testid="header-value"]', `Bearer ${token}`);
await panel.click('[data-testid="connect-button"]');
// For checking what a new user sees (e.g. under xvfb-run): SSE_START_SCREENSHOT=file.png npm start
const shot = process.env.SSE_START_SCREENSHOT;
if (shot) {
  await panel.waitForSelector('[data-testid="timeline-row"][data-kind="event"]', { timeout: 20_000 });
  await new Promise((r) => setTimeout(r, 3000));
  await devtools.screenshot({ path: shot });
  // And after a click on one of the demo page's buttons: SSE_START_CLICK=openai-chat
  const click = process.env.SSE_START_CLICK;
  if (click) {
    await inspected.click(`[data-format="${click.replace(/[^a-z-]/g, '')}"]`);
    await inspected.waitForSelector('[data-testid="demo-status"][data-state="done"]', { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 1000));
    await devtools.screenshot({ path: shot.replace(/\.png$/, '') + '-clicked.png' });
    await panel.click('[data-testid="toggle-form"]');
    await panel.waitForSelector('[data-testid="recent-item"]');
    await devtools.screenshot({ path: shot.replace(/\.png$/, '') + '-recent.png' });
  }
}
console.log(`Chromium is open with DevTools on the SSE tab, connected to ${base}/events. Close the window or press Ctrl-C to stop.`);
