/**
 * A page's streams end with their document (issue 12): a hook dies with the page it is in and never
 * reports how its streams ended, so when the page reloads or navigates, or an iframe goes, the
 * rows of the streams it was following must not stay live forever. In the real DevTools of
 * Chromium: a page reading a stream that never ends, and the same in its iframe, observed; the page
 * reloads (with "Reload and observe", then by itself): the old streams' rows end saying the page
 * went and the hook could not see how, the new document's are live; an iframe removed ends its own.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'puppeteer-core';
import { ARTIFACTS } from '../helpers/browser.js';
import { launchDevtools, type DevtoolsSession } from '../helpers/devtools.js';
import { byTestId, panelActions } from '../helpers/devtools-actions.js';
import { startObservedPageServer, type ObservedPageServer } from '../helpers/observed-page.js';

const GUARD = 30_000;
const OBSERVED = `${byTestId('observed-group')} ${byTestId('connection-item')}`;

let app: ObservedPageServer;
let session: DevtoolsSession;
const panel = (): Frame => session.panel;
const { field } = panelActions(panel, GUARD);

before(async () => {
  app = await startObservedPageServer();
  session = await launchDevtools();
  await session.inspected.goto(`${app.url}/live?frame`);
});

after(async () => {
  await session?.close();
  await app?.close();
});

/** The observed rows, by the stream's URL: their phase, oldest first. */
async function rows(): Promise<{ url: string; phase: string }[]> {
  return panel().$$eval(OBSERVED, (items) => items.map((i) => ({ url: i.querySelector('.label')?.getAttribute('title') ?? '', phase: i.getAttribute('data-phase') ?? '' })));
}

/** Waits until the rows of `path` are, oldest first, in these phases. */
async function phases(path: string, expected: string[]): Promise<void> {
  const url = `${app.url}${path}`;
  try {
    await panel().waitForFunction(
      (sel: string, u: string, want: string[]) => {
        const got = [...document.querySelectorAll(sel)].filter((i) => i.querySelector('.label')?.getAttribute('title') === u).map((i) => i.getAttribute('data-phase'));
        return JSON.stringify(got) === JSON.stringify(want);
      },
      { timeout: GUARD },
      OBSERVED,
      url,
      expected,
    );
  } catch (error) {
    throw new Error(`${path}: wanted ${JSON.stringify(expected)}, rows are ${JSON.stringify(await rows())}`, { cause: error });
  }
}

const LIVE = ['connecting', 'open'];
const live = (path: string, older: string[] = []) =>
  panel().waitForFunction(
    (sel: string, u: string, n: number, ok: string[]) => {
      const got = [...document.querySelectorAll(sel)].filter((i) => i.querySelector('.label')?.getAttribute('title') === u);
      return got.length === n + 1 && ok.includes(got.at(-1)?.getAttribute('data-phase') ?? '');
    },
    { timeout: GUARD },
    OBSERVED,
    `${app.url}${path}`,
    older.length,
    LIVE,
  );

async function selectNewest(path: string): Promise<void> {
  const url = `${app.url}${path}`;
  for (const item of (await panel().$$(OBSERVED)).reverse()) {
    if ((await item.$eval('.label', (l) => l.getAttribute('title'))) === url) {
      await item.click();
      return;
    }
  }
}

test('a reload ends the old document\'s streams, saying the page went and the hook could not see how; the new document\'s streams are live', async () => {
  await panel().waitForFunction((origin: string) => document.querySelector('[data-testid="observe-toggle"]')?.getAttribute('title')?.includes(origin), { timeout: GUARD }, app.url);
  await (await field('observe-toggle')).click();
  await (await field('reload-and-observe')).click();
  await live('/endless?scope=top');
  await live('/endless?scope=frame');

  // Reload and observe again: a new document with a hook of its own.
  await (await field('reload-and-observe')).click();
  await phases('/endless?scope=top', ['closed', 'open']);
  await phases('/endless?scope=frame', ['closed', 'open']);
  // Still reading: the page's new streams were not disturbed.
  await session.inspected.waitForFunction(() => (window as unknown as { liveChunks: number }).liveChunks > 3, { timeout: GUARD });

  // The old stream's row says how it ended.
  const items = await panel().$$(OBSERVED);
  for (const item of items) {
    const [url, phase] = await item.evaluate((i) => [i.querySelector('.label')?.getAttribute('title') ?? '', i.getAttribute('data-phase') ?? '']);
    if (url === `${app.url}/endless?scope=top` && phase === 'closed') {
      await item.click();
      break;
    }
  }
  const rowText = (kind: string) => panel().$eval(`[data-testid="timeline-row"][data-kind="${kind}"]`, (r) => r.textContent ?? '');
  await panel().waitForSelector('[data-testid="timeline-row"][data-kind="stopped"]', { timeout: GUARD });
  assert.match(await rowText('attempt-ended'), /closed-by-user.*the page navigated away or was reloaded/);
  assert.match(await rowText('stopped'), /its hook, which could not see how this one ended/);
  await session.screenshot(join(ARTIFACTS, 'devtools-observe-navigation.png'));

  // A plain reload: no hook in the new page, so no new top stream is seen; the old one ends all the same.
  await session.inspected.reload();
  await phases('/endless?scope=top', ['closed', 'closed']);
  // The iframe of the new page is hooked by the background as it commits: its stream is live, the old frame's ended.
  await phases('/endless?scope=frame', ['closed', 'closed', 'open']);
});

test('an iframe removed ends its own streams only; the page\'s go on', async () => {
  await (await field('reload-and-observe')).click();
  await phases('/endless?scope=top', ['closed', 'closed', 'open']);
  await phases('/endless?scope=frame', ['closed', 'closed', 'closed', 'open']);
  await session.inspected.evaluate(() => document.querySelector('iframe')?.remove());
  await phases('/endless?scope=frame', ['closed', 'closed', 'closed', 'closed']);
  await phases('/endless?scope=top', ['closed', 'closed', 'open']);
  await selectNewest('/endless?scope=frame');
  await panel().waitForFunction(() => /its iframe went away/.test(document.querySelector('[data-testid="timeline-row"][data-kind="attempt-ended"]')?.textContent ?? ''), { timeout: GUARD });
  assert.deepEqual((await rows()).filter((r) => r.phase !== 'closed').map((r) => r.url), [`${app.url}/endless?scope=top`]);
});

test('switching observing off ends the streams it followed, saying so, and the hooks stop recording; the page reads on; on again, a reload observes anew', async () => {
  await (await field('reload-and-observe')).click();
  await phases('/endless?scope=top', ['closed', 'closed', 'closed', 'open']);
  await phases('/endless?scope=frame', ['closed', 'closed', 'closed', 'closed', 'open']);
  await (await field('observe-toggle')).click();
  await phases('/endless?scope=top', ['closed', 'closed', 'closed', 'closed']);
  await phases('/endless?scope=frame', ['closed', 'closed', 'closed', 'closed', 'closed']);
  await selectNewest('/endless?scope=top');
  await panel().waitForFunction(() => /observing was switched off/.test(document.querySelector('[data-testid="timeline-row"][data-kind="stopped"]')?.textContent ?? ''), { timeout: GUARD });
  // The page reads on, and its hooks (the page's and the iframe's) keep nothing of it any more.
  const chunks = await session.inspected.evaluate(() => (window as unknown as { liveChunks: number }).liveChunks);
  await session.inspected.waitForFunction((n: number) => (window as unknown as { liveChunks: number }).liveChunks > n + 3, { timeout: GUARD, polling: 100 }, chunks);
  const kept = async (f: Frame) => f.evaluate((key: string) => (globalThis as unknown as Record<symbol, { drain(): { records: unknown[] } }>)[Symbol.for(key)]?.drain().records.length ?? -1, 'sse-devtools.observe');
  assert.equal(await kept(session.inspected.mainFrame()), 0, 'the page\'s hook records nothing while off');
  const frame = session.inspected.frames().find((f) => f !== session.inspected.mainFrame());
  if (frame) assert.equal(await kept(frame), 0, 'the iframe\'s hook records nothing while off');
  // On again: the streams followed before stay ended (their bytes were not followed meanwhile); a reload observes anew.
  await (await field('observe-toggle')).click();
  await (await field('reload-and-observe')).click();
  await phases('/endless?scope=top', ['closed', 'closed', 'closed', 'closed', 'open']);
});
