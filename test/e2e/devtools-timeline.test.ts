/**
 * The timeline's habits in the REAL Chromium DevTools (recipe B): the keyboard reaches the panel
 * inside DevTools (Escape closes the detail rather than only toggling DevTools' console drawer),
 * and the column headers, a filter, the paused state and the colour legend as a user sees them in
 * the light and dark DevTools themes (screenshots in test-results/).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'puppeteer-core';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { ARTIFACTS } from '../helpers/browser.js';
import { launchDevtools, type DevtoolsSession } from '../helpers/devtools.js';
import { byTestId, panelActions } from '../helpers/devtools-actions.js';

const GUARD = 20_000;
let server: ScenarioServer;
let session: DevtoolsSession;
const panel = (): Frame => session.panel;
const { field, fill, pressConnect } = panelActions(panel, GUARD);

before(async () => {
  server = await startScenarioServer({ intervalMs: 150, heartbeatMs: 600 });
  session = await launchDevtools();
});
after(async () => {
  await session?.close();
  await server?.close();
});

async function rowCount(): Promise<number> {
  return panel().$eval(byTestId('timeline'), (el) => Number(el.getAttribute('data-rows')));
}

/** A filter and the paused state, on a stream that has ended one attempt (so the strip has a normal end) and runs on. */
async function filterAndPause(): Promise<void> {
  await fill('filter-input', '-heartbeat /^(chat|price)$/');
  await panel().waitForFunction(() => [...document.querySelectorAll('[data-testid="timeline-row"]')].every((r) => ['chat', 'price'].includes(r.getAttribute('data-channel') ?? '')), { timeout: GUARD });
  await (await field('pause-button')).click();
  await panel().waitForFunction(() => /paused, [1-9]/.test(document.querySelector('[data-testid="paused-note"]')?.textContent ?? ''), { timeout: GUARD });
}

async function openLegend(): Promise<void> {
  await (await panel().waitForSelector(`${byTestId('end-legend')} summary`, { timeout: GUARD }))!.click();
  await panel().waitForSelector(`${byTestId('end-legend')} li[data-tone="normal"]`, { visible: true, timeout: GUARD });
}

test('in DevTools the keyboard moves through the timeline, Enter opens the detail and Escape closes it', async () => {
  const url = `${server.url}/events?tag=k1&maxDuration=1200`;
  await fill('url-input', url);
  await fill('header-value', 'Bearer demo-token');
  await pressConnect(url);
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length >= 4, { timeout: GUARD });

  const selected = () => panel().$eval('[data-testid="timeline-row"][aria-selected="true"]', (el) => Number(el.getAttribute('data-seq'))).catch(() => null);
  const firstEvent = await panel().$('[data-testid="timeline-row"][data-kind="event"]');
  await firstEvent!.click();
  await panel().waitForSelector(byTestId('detail-pane'), { timeout: GUARD });
  const clicked = await selected();
  await session.devtools.keyboard.press('Escape');
  await panel().waitForFunction(() => document.querySelector('[data-testid="detail-pane"]') === null, { timeout: GUARD });
  await session.devtools.keyboard.press('ArrowDown');
  assert.equal(await selected(), clicked! + 1, 'Down selects the next row');
  await session.devtools.keyboard.press('Enter');
  await panel().waitForSelector(byTestId('detail-pane'), { timeout: GUARD });
  await session.devtools.keyboard.press('Home');
  const first = await panel().$$eval('[data-testid="timeline-row"]', (els) => Math.min(...els.map((el) => Number(el.getAttribute('data-seq')))));
  assert.equal(await selected(), first, 'Home selects the first row');
});

test('the timeline with headers, a filter, the paused state and the legend, in the light and dark DevTools themes', async () => {
  await panel().waitForFunction(() => document.querySelector('[data-testid="attempt-bar"][data-tone="normal"]') !== null, { timeout: GUARD });
  await filterAndPause();
  const shown = await rowCount();
  await session.screenshot(join(ARTIFACTS, 'devtools-timeline-light.png'));
  await openLegend();
  await session.screenshot(join(ARTIFACTS, 'devtools-legend-light.png'));
  assert.equal(await rowCount(), shown, 'a paused timeline does not move');

  await session.setTheme('dark');
  await panel().waitForSelector('[data-testid="connection-item"]', { timeout: GUARD });
  await (await panel().$('[data-testid="connection-item"]'))!.click();
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length >= 2, { timeout: GUARD });
  await filterAndPause();
  assert.equal(await panel().evaluate(() => document.documentElement.dataset.theme), 'dark');
  await session.screenshot(join(ARTIFACTS, 'devtools-timeline-dark.png'));
  await openLegend();
  await session.screenshot(join(ARTIFACTS, 'devtools-legend-dark.png'));
});
