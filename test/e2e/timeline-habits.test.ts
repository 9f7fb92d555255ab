/**
 * The timeline's habits, in the panel opened as a tab in real Chromium against real local servers:
 * one colour language for attempt ends (rows and reconnect strip, with a legend), column headers
 * and resizable columns, the filter's regular expressions and negation, pause and clear on a live
 * stream, and keyboard navigation.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { ARTIFACTS, launchWithExtension, type ExtensionBrowser } from '../helpers/browser.js';

let server: ScenarioServer;
let browser: ExtensionBrowser;
const GUARD = 20_000;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startScenarioServer({ intervalMs: 100, heartbeatMs: 700 });
  browser = await launchWithExtension();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

let tagNo = 0;
const tagged = (query = '') => `${server.url}/events?tag=h${++tagNo}${query ? `&${query}` : ''}`;

async function connect(page: Page, url: string, options: { reconnectDelay?: number; maxAttempts?: number } = {}): Promise<void> {
  await page.getByTestId('url-input').fill(url);
  await page.getByTestId('header-value').first().fill('Bearer demo-token');
  if (options.reconnectDelay !== undefined || options.maxAttempts !== undefined) {
    if ((await page.getByTestId('reconnect-delay').count()) === 0) await page.getByTestId('toggle-reconnect').click();
    if (options.reconnectDelay !== undefined) await page.getByTestId('reconnect-delay').fill(String(options.reconnectDelay));
    if (options.maxAttempts !== undefined) await page.getByTestId('max-attempts').fill(String(options.maxAttempts));
  }
  const before = await page.getByTestId('connection-item').count();
  await page.getByTestId('connect-button').click();
  await page.getByTestId('connection-item').nth(before).waitFor({ timeout: GUARD });
}

async function disconnect(page: Page): Promise<void> {
  await page.locator('[data-testid="connection-item"][aria-selected="true"] [data-testid="disconnect-button"]').click();
  await page.locator('[data-testid="connection-item"][aria-selected="true"][data-phase="closed"]').waitFor({ timeout: GUARD });
}

async function waitForCount(page: Page, kind: string, n: number): Promise<void> {
  await page.waitForFunction(([k, count]) => document.querySelectorAll(`[data-testid="timeline-row"][data-kind="${k}"]`).length >= count, [kind, n] as const, { timeout: GUARD });
}

describe('attempt ends', () => {
  test('an attempt end has the same tone and colour in the timeline and the reconnect strip, and the legend names each tone', async () => {
    const page = await browser.openPanel();
    await connect(page, tagged('maxDuration=500'), { reconnectDelay: 200 });
    await waitForCount(page, 'attempt-ended', 1);
    await page.locator('[data-testid="attempt-bar"][data-attempt="2"]').waitFor({ timeout: GUARD });
    await disconnect(page);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="attempt-bar"]')].some((b) => b.getAttribute('data-reason') === 'closed-by-user'), undefined, { timeout: GUARD });

    const ends = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="timeline-row"][data-kind="attempt-ended"]')].map((row) => {
        const attempt = row.querySelector('.c-attempt')?.textContent?.replace('#', '') ?? '';
        const bar = document.querySelector(`[data-testid="attempt-bar"][data-attempt="${attempt}"]`);
        return {
          attempt,
          text: row.textContent ?? '',
          rowTone: row.getAttribute('data-tone'),
          barTone: bar?.getAttribute('data-tone') ?? null,
          rowColour: getComputedStyle(row).borderLeftColor,
          barColour: bar ? getComputedStyle(bar.querySelector('rect.bar')!).fill : null,
        };
      }),
    );
    const normal = ends.find((e) => e.text.includes('closed-by-server'));
    const user = ends.find((e) => e.text.includes('closed-by-user'));
    assert.ok(normal && user, JSON.stringify(ends));
    for (const e of ends) {
      assert.ok(e.rowTone !== null && e.rowTone === e.barTone, `attempt #${e.attempt}: row tone ${e.rowTone}, bar tone ${e.barTone}`);
      assert.equal(e.rowColour, e.barColour, `attempt #${e.attempt} is drawn in one colour in both places`);
    }
    assert.equal(normal.rowTone, 'normal', 'a server ending the response is a normal end, not an error');
    assert.equal(user.rowTone, 'user');
    assert.notEqual(normal.rowColour, user.rowColour);

    await page.locator('[data-testid="end-legend"] summary').click();
    const legend = await page.locator('[data-testid="end-legend"] li').evaluateAll((els) => els.map((li) => ({ tone: li.getAttribute('data-tone'), text: li.textContent ?? '', colour: getComputedStyle(li.querySelector('.swatch')!).backgroundColor })));
    assert.deepEqual(legend.map((l) => l.tone), ['open', 'normal', 'error', 'simulated', 'user']);
    assert.equal(legend.find((l) => l.tone === 'normal')?.colour, normal.barColour, 'the legend shows the colour the bars use');
    assert.match(legend.find((l) => l.tone === 'error')?.text ?? '', /http-error/);
    await page.screenshot({ path: join(ARTIFACTS, 'timeline-legend-light.png') });
    await page.close();
  });
});
