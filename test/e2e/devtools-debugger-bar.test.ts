/**
 * Chrome's "SSE DevTools started debugging this browser" bar, headed (the automation flags hide it
 * in the other tests): complete capture on shows it over the inspected tab (the page loses room),
 * and pressing its Cancel (a real X click, xdotool: the bar is browser UI, out of reach of CDP)
 * detaches the debugger: the panel switches complete capture off and says that Cancel was pressed,
 * and the page gets its room back. Needs an X display (the test runner's xvfb) and xdotool.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'puppeteer-core';
import { ARTIFACTS } from '../helpers/browser.js';
import { launchDevtools, type DevtoolsSession } from '../helpers/devtools.js';
import { byTestId, panelActions } from '../helpers/devtools-actions.js';

const GUARD = 30_000;
const canRun = !!process.env.DISPLAY && spawnSync('which', ['xdotool']).status === 0;

function startPage(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title><h1>An app</h1>'));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    ),
  );
}

/** Puts a page's browser window where the test wants it on the X screen. */
async function place(page: Page, bounds: { left: number; top: number; width: number; height: number }): Promise<void> {
  const cdp = await page.createCDPSession();
  try {
    const { windowId } = await cdp.send('Browser.getWindowForTarget');
    await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'normal' } });
    await cdp.send('Browser.setWindowBounds', { windowId, bounds });
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

const innerHeight = (page: Page) => page.evaluate(() => window.innerHeight);

describe('Chrome\'s debugging bar, headed', { skip: canRun ? false : 'needs an X display and xdotool' }, () => {
  let app: Awaited<ReturnType<typeof startPage>>;
  let session: DevtoolsSession;

  before(async () => {
    app = await startPage();
    session = await launchDevtools({ headed: true });
    await session.inspected.goto(`${app.url}/`);
    // Side by side, so that an X click on the inspected window's bar lands there and not on DevTools.
    await place(session.inspected, { left: 0, top: 0, width: 700, height: 600 });
    await place(session.devtools, { left: 700, top: 0, width: 700, height: 1000 });
  });

  after(async () => {
    await session?.close();
    await app?.close();
  });

  test('Cancel on the bar stops complete capture: the panel says so, the page gets its room back', async () => {
    const panel = () => session.panel;
    const { field } = panelActions(panel, GUARD);
    const full = await innerHeight(session.inspected);
    await panel().waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="complete-toggle"]')?.disabled, { timeout: GUARD });
    await (await field('complete-toggle')).click();
    await (await field('complete-confirm')).click();
    await panel().waitForFunction(() => document.querySelector('[data-testid="complete-toggle"]')?.getAttribute('aria-pressed') === 'true', { timeout: GUARD });
    // The bar shows over the inspected tab: the page has less room.
    await session.inspected.waitForFunction((h: number) => window.innerHeight < h, { timeout: GUARD }, full);
    const withBar = await innerHeight(session.inspected);
    await session.screenshot(join(ARTIFACTS, 'devtools-debugger-bar-on-light.png'));

    // The bar is the strip just above the page's content; its Cancel button sits at its right end.
    // Its exact place depends on the font, so the click walks leftwards along the strip until the
    // debugger detaches (a click on the bar's text does nothing).
    const box = await session.inspected.evaluate(() => ({ x: window.screenX, y: window.screenY, outerW: window.outerWidth, outerH: window.outerHeight, innerW: window.innerWidth, innerH: window.innerHeight }));
    const contentTop = box.y + box.outerH - box.innerH;
    const barY = Math.round(contentTop - (full - withBar) / 2);
    const right = box.x + box.outerW - (box.outerW - box.innerW);
    let detached = false;
    for (let x = right - 20; x > right - 300 && !detached; x -= 20) {
      execFileSync('xdotool', ['mousemove', String(x), String(barY), 'click', '1']);
      detached = await panel()
        .waitForFunction(() => document.querySelector('[data-testid="complete-toggle"]')?.getAttribute('aria-pressed') === 'false', { timeout: 700 })
        .then(() => true)
        .catch(() => false);
    }
    assert.ok(detached, 'a click on the bar\'s Cancel switched complete capture off');
    const why = await panel().$eval(byTestId('complete-problem'), (p) => p.textContent ?? '');
    assert.match(why, /Cancel was pressed/);
    await session.inspected.waitForFunction((h: number) => window.innerHeight === h, { timeout: GUARD }, full);
    await session.screenshot(join(ARTIFACTS, 'devtools-debugger-bar-cancelled-light.png'));
  });
});
