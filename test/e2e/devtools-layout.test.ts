/**
 * The panel's layout in the REAL Chromium DevTools, at the widths people give it: docked to the
 * side (about 550 px), narrower (400 px) and a full screen. A live stream from the demo server fills
 * the timeline; every pane must stay usable, dividers can be dragged and remember their size, and
 * the connect form and the permission wait behave as a user expects. Screenshots of each width in
 * both themes go to test-results/.
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
const TOKEN = 'Bearer demo-token';
/** Smaller than this and a pane shows nothing a person can use: a title bar, a sliver of a list. */
const USABLE = { width: 150, height: 60 };

let server: ScenarioServer;
let session: DevtoolsSession;
const panel = (): Frame => session.panel;
const { field, fill, showPane, formShown, openForm, pressConnect } = panelActions(panel, GUARD, { visible: true });

before(async () => {
  server = await startScenarioServer();
  session = await launchDevtools();
});

after(async () => {
  await session?.close();
  await server?.close();
});

/** Resizes DevTools and waits for the panel to lay itself out for that width: tabs when narrow, panes side by side when not. */
async function resize(width: number): Promise<void> {
  await session.resize(width);
  const layout = width < 760 ? 'tabs' : 'columns';
  await panel().waitForSelector(`.main[data-layout="${layout}"]`, { timeout: GUARD });
}

/** Opens the form if it is collapsed, fills it in and presses Connect; resolves once the connection is selected. */
async function connect(query: string, origin = server.url): Promise<string> {
  await openForm();
  const url = `${origin}/events?${query}`;
  await fill('url-input', url);
  await fill('header-value', TOKEN);
  await pressConnect(url);
  return url;
}

async function disconnectAll(): Promise<void> {
  await showPane('connections');
  for (const button of await panel().$$(byTestId('disconnect-button'))) await button.click();
}

/**
 * How much of the first element matching `selector` a person can see: its box cut by every
 * ancestor that clips (a scrolled-away list counts for nothing), or zeros when it is not shown.
 */
async function sizeOf(selector: string): Promise<{ width: number; height: number }> {
  return panel().evaluate((sel: string) => {
    const el = document.querySelector(sel);
    if (!el) return { width: 0, height: 0 };
    let { left, top, right, bottom } = el.getBoundingClientRect();
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflow === 'visible') continue;
      const r = a.getBoundingClientRect();
      left = Math.max(left, r.left);
      top = Math.max(top, r.top);
      right = Math.min(right, r.right);
      bottom = Math.min(bottom, r.bottom);
    }
    right = Math.min(right, innerWidth);
    bottom = Math.min(bottom, innerHeight);
    return { width: Math.max(0, Math.round(right - left)), height: Math.max(0, Math.round(bottom - top)) };
  }, selector);
}

function assertUsable(what: string, size: { width: number; height: number }, least = USABLE): void {
  assert.ok(size.width >= least.width && size.height >= least.height, `${what} shows ${size.width}×${size.height} px, too small to use`);
}

/** A connection in the list, all of it: its URL, state, counts and buttons (about 59 px tall). */
const WHOLE_CONNECTION = { width: USABLE.width, height: 50 };

/**
 * Clicks the first event row shown. In the page itself: on a live stream the timeline re-uses its
 * row elements as it follows, so a handle taken a moment before may be gone by the click.
 */
async function clickFirstEventRow(): Promise<void> {
  await panel().waitForSelector('[data-testid="timeline-row"][data-kind="event"]', { visible: true, timeout: GUARD });
  await panel().$eval('[data-testid="timeline-row"][data-kind="event"]', (el) => (el as HTMLElement).click());
}

async function waitForEventRows(count: number): Promise<void> {
  await showPane('timeline');
  await panel().waitForFunction((n: number) => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length >= n, { timeout: GUARD }, count);
}

test('docked to the side (550 px), a live stream leaves every pane usable', async () => {
  await resize(550);
  await connect('channels=alpha,beta&interval=20&tag=l1');
  await waitForEventRows(30);
  await clickFirstEventRow();
  await session.screenshot(join(ARTIFACTS, 'devtools-layout-550-live.png'));

  await showPane('connections');
  assertUsable('the connection in the Connections list', await sizeOf(byTestId('connection-item')), WHOLE_CONNECTION);
  await showPane('timeline');
  assertUsable('the timeline', await sizeOf(byTestId('timeline')));
  // Narrow, the channels are a strip of chips above the timeline: each must be shown whole.
  for (const channel of ['alpha', 'beta']) {
    assertUsable(`channel ${channel}`, await sizeOf(`[data-testid="channel-item"][data-channel="${channel}"]`), { width: 40, height: 16 });
  }
  await showPane('detail');
  assertUsable('the detail pane', await sizeOf(byTestId('detail-pane')));
  await disconnectAll();
});

test('at 400 px the panes are tabs; a clicked row opens its detail, and the Timeline tab leads back', async () => {
  await resize(400);
  await connect('channels=alpha,beta&interval=50&tag=l2');
  assert.equal(await panel().$eval('.main', (el) => el.getAttribute('data-layout')), 'tabs');
  // A new connection shows its timeline, not the form it came from.
  assert.equal(await panel().$eval(byTestId('pane-tab-timeline'), (el) => el.getAttribute('aria-selected')), 'true');
  await waitForEventRows(10);
  assertUsable('the timeline', await sizeOf(byTestId('timeline')));

  await clickFirstEventRow();
  const detail = await panel().waitForSelector(byTestId('detail-pane'), { visible: true, timeout: GUARD });
  assertUsable('the detail pane', await sizeOf(byTestId('detail-pane')));
  const seq = await panel().$eval('[data-testid="timeline-row"][aria-selected="true"]', (el) => el.getAttribute('data-seq'));
  assert.match((await detail!.evaluate((el) => el.textContent)) ?? '', new RegExp(`seq ${seq}(?![0-9])`), 'the detail is that of the selected row');
  assert.equal(await sizeOf(byTestId('timeline')).then((s) => s.height), 0, 'the detail has the pane to itself');
  await session.screenshot(join(ARTIFACTS, 'devtools-layout-400-detail.png'));

  await (await field('pane-tab-timeline')).click();
  assertUsable('the timeline, back again', await sizeOf(byTestId('timeline')));
  await (await field('pane-tab-connections')).click();
  assertUsable('the connection in the Connections list', await sizeOf(byTestId('connection-item')), WHOLE_CONNECTION);
  assert.equal(await sizeOf(byTestId('timeline')).then((s) => s.height), 0);
  await disconnectAll();
});

test('Connect collapses the form so the connections show; "+ New connection" opens it again as it was', async () => {
  await resize(1280);
  const url = await connect('channels=alpha&interval=200&tag=l3');
  assert.equal(await formShown(), false, 'the form is collapsed after a successful Connect');
  assert.equal(await panel().$eval(byTestId('toggle-form'), (el) => el.getAttribute('aria-pressed')), 'false');
  assertUsable('the connection in the Connections list', await sizeOf(byTestId('connection-item')), WHOLE_CONNECTION);
  await (await field('toggle-form')).click();
  assert.equal(await formShown(), true, 'one click opens it again');
  assert.equal(await panel().$eval(byTestId('url-input'), (el) => (el as HTMLInputElement).value), url, 'with what was typed');

  // A rejected Connect keeps the form open, with its message.
  await fill('url-input', 'ftp://example.test/stream');
  await (await field('connect-button')).click();
  await field('field-error');
  assert.equal(await formShown(), true, 'a Connect that failed leaves the form open');
  await disconnectAll();
});

test('a dragged divider keeps its size when the panel is reloaded, and moves with the arrow keys', async () => {
  await resize(1280);
  await connect('channels=alpha,beta&interval=100&tag=l4');
  await waitForEventRows(3);
  const sidebarWidth = async () => (await sizeOf('.sidebar')).width;
  const before = await sidebarWidth();
  const divider = await field('divider-sidebar');
  const box = (await divider.boundingBox())!;
  const mouse = session.devtools.mouse;
  // The panel is a frame of the DevTools page: page coordinates are the frame's plus its offset.
  const offset = await (await panel().frameElement())!.boundingBox();
  const x = offset!.x + box.x + box.width / 2;
  const y = offset!.y + box.y + box.height / 2;
  await mouse.move(x, y);
  await mouse.down();
  await mouse.move(x + 60, y, { steps: 5 });
  await mouse.up();
  const dragged = await sidebarWidth();
  assert.ok(Math.abs(dragged - (before + 60)) <= 3, `the list is ${dragged} px wide after a 60 px drag from ${before} px`);

  await divider.focus();
  await divider.press('ArrowLeft');
  const keyed = await sidebarWidth();
  assert.ok(Math.abs(keyed - (dragged - 10)) <= 2, `ArrowLeft narrows the list by 10 px: ${dragged} → ${keyed}`);

  await session.reload();
  await panel().waitForSelector(byTestId('connection-item'), { timeout: GUARD });
  assert.equal(await sidebarWidth(), keyed, 'the width survives a reload');
  await disconnectAll();
});

test('a host that needs permission says so while it waits, and Cancel connects nothing', async () => {
  await resize(1280);
  const before = (await panel().$$(byTestId('connection-item'))).length;
  // 127.0.0.2 is outside the manifest's host_permissions, so Connect must ask for it first.
  const origin = new URL(server.url.replace('127.0.0.1', '127.0.0.2')).origin;
  await openForm();
  await fill('url-input', `${origin}/events?tag=p1`);
  await (await field('connect-button')).click();

  const waiting = await field('permission-wait');
  assert.equal(await waiting.evaluate((el) => el.textContent), `Waiting for permission for ${origin}…`);
  await session.screenshot(join(ARTIFACTS, 'devtools-permission-wait.png'));
  await (await field('permission-cancel')).click();

  await panel().waitForFunction(() => !document.querySelector('[data-testid="permission-wait"]'), { timeout: GUARD });
  const button = await field('connect-button');
  assert.deepEqual(await button.evaluate((el) => ({ disabled: (el as HTMLButtonElement).disabled, text: el.textContent })), { disabled: false, text: 'Connect' });
  assert.equal((await panel().$$(byTestId('connection-item'))).length, before, 'no connection was made');
  assert.equal(await panel().$(byTestId('field-error')), null, 'cancelling is not an error');
});

test('the retention setting is in the ⚙ menu, which fits a narrow panel; the status says it is live', async () => {
  await resize(400);
  const status = await field('background-status');
  assert.match((await status.evaluate((el) => el.textContent)) ?? '', /live/);
  assert.match((await status.evaluate((el) => el.getAttribute('aria-label'))) ?? '', /Connected to the background/);
  assert.equal(await panel().$eval(byTestId('cap-input'), (el) => (el as HTMLElement).checkVisibility()), false, 'not in the toolbar');
  await (await field('settings-button')).click();
  const cap = await field('cap-input');
  assert.equal(await cap.evaluate((el) => (el as HTMLInputElement).value), '100000');
  const menu = await sizeOf(byTestId('settings-menu'));
  const whole = await panel().$eval(byTestId('settings-menu'), (el) => ({ width: Math.round(el.getBoundingClientRect().width), height: Math.round(el.getBoundingClientRect().height) }));
  assert.deepEqual(menu, whole, 'the menu is shown whole inside the panel');
  await session.screenshot(join(ARTIFACTS, 'devtools-settings-menu-400.png'));
  await cap.press('Escape');
  await panel().waitForFunction(() => !document.querySelector('[data-testid="cap-input"]')?.checkVisibility(), { timeout: GUARD });
});

test('screenshots: a live stream with a selected row at 400 px, 550 px and full width, light and dark', async () => {
  await connect('channels=alpha,beta,content_block_delta&interval=120&tag=l5');
  await waitForEventRows(12);
  const widths = [400, 550, 1400];
  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') await session.setTheme('dark');
    for (const width of widths) {
      await resize(width);
      await waitForEventRows(6);
      await clickFirstEventRow();
      await showPane('detail');
      await panel().waitForSelector(byTestId('detail-pane'), { visible: true, timeout: GUARD });
      assertUsable(`the detail pane at ${width} px`, await sizeOf(byTestId('detail-pane')));
      await session.screenshot(join(ARTIFACTS, `devtools-layout-${width}-${theme}.png`));
      // Narrow, the detail has a tab of its own: the timeline with the selected row is the other half of the picture.
      if (await panel().$(byTestId('pane-tab-timeline'))) {
        await showPane('timeline');
        await session.screenshot(join(ARTIFACTS, `devtools-layout-${width}-${theme}-timeline.png`));
      }
    }
  }
  await session.setTheme('light');
  await disconnectAll();
});
