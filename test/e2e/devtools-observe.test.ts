/**
 * Observing the inspected tab (issue 12), in the REAL Chromium DevTools, fed by a STAND-IN hook:
 * only for what the real hook cannot be made to produce on demand. The real hook writes only
 * well-formed records and bounds its own queue, so markup in event types, a 10 MB event, records of
 * the wrong shape and a flood of 150,000 chunks in one go can only come from a page that replaces
 * it, which a hostile page can do. Here the test page installs a few lines at the hook's global,
 * `globalThis[Symbol.for('sse-devtools.observe')]`, with the same `drain(max)` contract. Everything
 * after the drain is the product: the panel's poll through inspectedWindow.eval, the background's
 * checks and limits, storage, the panel's views.
 *
 * The user's path with the real hook (Reload and observe, the page's EventSource, fetch and XHR
 * streams, Open in lab, the page undisturbed) is devtools-observe-real.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'puppeteer-core';
import { ARTIFACTS } from '../helpers/browser.js';
import { launchDevtools, type DevtoolsSession } from '../helpers/devtools.js';
import { byTestId, panelActions } from '../helpers/devtools-actions.js';

const GUARD = 30_000;

const PAGE = `<!doctype html><meta charset="utf-8"><title>observed app</title><h1>An app with streams</h1><script>
const queue = [];
// The stand-in hook: same global, same drain contract as the real one (see the test's header).
globalThis[Symbol.for('sse-devtools.observe')] = { drain(max) { return { records: queue.splice(0, max), dropped: 0 }; } };
let n = 0;
const frame = location.href;
window.hostile = () => {
  const sid = 'h' + ++n, t = Date.now();
  queue.push({ t: 'open', sid, api: 'eventsource', time: t, url: new URL('/hostile', location.href).href, method: 'GET', headers: [], body: null, bodyCut: false, withCredentials: false, frame });
  queue.push({ t: 'es-open', sid, time: t });
  queue.push({ t: 'es-message', sid, time: t, type: '<img src=x onerror="document.title=1">', data: '<scr' + 'ipt>document.title="pwned"</scr' + 'ipt><b>bold?</b>', lastEventId: '<i>' });
  queue.push({ t: 'es-message', sid, time: t, type: 'big', data: 'x'.repeat(10 * 1024 * 1024), lastEventId: '<i>' });
  queue.push({ t: 'es-open', sid: 7 }, null, 'garbage', { t: 'chunk', sid, time: 'never', text: 1 });
  const fid = 'flood' + ++n;
  queue.push({ t: 'open', sid: fid, api: 'fetch', time: t, url: new URL('/flood', location.href).href, method: 'GET', headers: [], body: null, bodyCut: false, withCredentials: false, frame });
  for (let i = 0; i < 150000; i++) queue.push({ t: 'chunk', sid: fid, time: t, text: 'data: ' + i + '\\n\\n' });
};
// One drain of 200 MB: a few small events, then 100 records of 2 MiB each (one string, so the page
// itself holds little), then small events again.
window.huge = () => {
  const sid = 'huge' + ++n, t = Date.now(), big = 'data: ' + 'y'.repeat(2 * 1024 * 1024 - 8) + '\\n\\n';
  queue.push({ t: 'open', sid, api: 'fetch', time: t, url: new URL('/huge', location.href).href, method: 'GET', headers: [], body: null, bodyCut: false, withCredentials: false, frame });
  for (let i = 0; i < 3; i++) queue.push({ t: 'chunk', sid, time: t, text: 'data: before-' + i + '\\n\\n' });
  for (let i = 0; i < 100; i++) queue.push({ t: 'chunk', sid, time: t, text: big });
  for (let i = 0; i < 3; i++) queue.push({ t: 'chunk', sid, time: t, text: 'data: after-' + i + '\\n\\n' });
};
</script>`;

/** Serves the page; the stand-in hook makes no requests of its own. */
function startAppServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/page.html') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    else res.writeHead(404).end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}

let app: Awaited<ReturnType<typeof startAppServer>>;
let session: DevtoolsSession;
const panel = (): Frame => session.panel;
const { field } = panelActions(panel, GUARD);

before(async () => {
  app = await startAppServer();
  session = await launchDevtools();
  await session.inspected.goto(`${app.url}/page.html`);
});

after(async () => {
  await session?.close();
  await app?.close();
});

const OBSERVED = `${byTestId('observed-group')} ${byTestId('connection-item')}`;

async function selectObserved(url: string): Promise<void> {
  await panel().waitForFunction((sel: string, u: string) => [...document.querySelectorAll(`${sel} .label`)].some((l) => l.getAttribute('title') === u), { timeout: GUARD }, OBSERVED, url);
  const items = await panel().$$(OBSERVED);
  for (const item of items) {
    if ((await item.$eval('.label', (l) => l.getAttribute('title'))) === url) {
      await item.click();
      return;
    }
  }
}

async function eventRows(): Promise<{ attempt: string; channel: string; id: string; data: string }[]> {
  return panel().$$eval('[data-testid="timeline-row"][data-kind="event"]', (rows) =>
    rows.map((r) => ({
      attempt: r.querySelector('.c-attempt')?.textContent ?? '',
      channel: r.querySelector('.c-channel')?.textContent ?? '',
      id: r.querySelector('.c-id')?.textContent ?? '',
      data: r.querySelector('.c-data')?.textContent ?? '',
    })),
  );
}

test('hostile records (markup, 10 MB, wrong shapes, a flood) leave the panel working', async () => {
  // The panel learns the inspected page's origin first: the choice is remembered for it.
  await panel().waitForFunction((origin: string) => document.querySelector('[data-testid="observe-toggle"]')?.getAttribute('title')?.includes(origin), { timeout: GUARD }, app.url);
  await (await field('observe-toggle')).click();
  await panel().waitForFunction(() => document.querySelector('[data-testid="observe-status"]')?.textContent?.includes('hook active'), { timeout: GUARD });
  const title = await session.inspected.title();
  await session.inspected.evaluate(() => (window as unknown as { hostile(): void }).hostile());
  await selectObserved(`${app.url}/hostile`);
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === 2, { timeout: GUARD });
  const rows = await eventRows();
  assert.match(rows[0]!.channel, /<img src=x/, 'markup is shown as text');
  assert.match(rows[0]!.data, /<script>/);
  assert.equal(await panel().$('.c-data b, .c-channel img, .c-data script'), null, 'no markup became elements');
  assert.equal(await panel().evaluate(() => document.title === 'pwned' || document.title === '1'), false);
  assert.equal(await session.inspected.title(), title);
  assert.equal(rows[1]!.channel, 'big');

  // The flood: records past the tab's rate are dropped and counted (rows in the timeline, counts in the bar).
  await selectObserved(`${app.url}/flood`);
  await panel().waitForFunction(() => /over the tab's rate limit/.test(document.querySelector('[data-testid="observe-dropped"]')?.textContent ?? ''), { timeout: 60_000 });
  assert.match((await panel().$eval(byTestId('observe-dropped'), (d) => d.textContent ?? '')) ?? '', /not valid/);
  // Still answering: another connection can be selected and shows its rows.
  await selectObserved(`${app.url}/hostile`);
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === 2, { timeout: GUARD });
  await session.screenshot(join(ARTIFACTS, 'devtools-observe-hostile-light.png'));
});

test('a 200 MB drain is cut by the panel before it goes to the background, and the stream says how many records were lost', async () => {
  if (!(await panel().$(byTestId('observe-status')))) await (await field('observe-toggle')).click();
  await panel().waitForFunction(() => document.querySelector('[data-testid="observe-status"]')?.textContent?.includes('hook active'), { timeout: GUARD });
  await session.inspected.evaluate(() => (window as unknown as { huge(): void }).huge());
  await selectObserved(`${app.url}/huge`);
  // What fitted went through: the small events first, then as many 2 MiB events as the cap holds.
  await panel().waitForFunction(() => [...document.querySelectorAll('[data-testid="timeline-row"][data-kind="entries-dropped"]')].some((r) => /cut by the panel/.test(r.textContent ?? '')), { timeout: 60_000 });
  const dropped = await panel().$$eval('[data-testid="timeline-row"][data-kind="entries-dropped"]', (rows) => rows.map((r) => r.textContent ?? ''));
  const lost = dropped.reduce((n, d) => n + Number(/([\d,]+) records? from the page/.exec(d)?.[1]?.replace(/,/g, '') ?? NaN), 0);
  const rows = await eventRows();
  assert.deepEqual(rows.slice(0, 3).map((r) => r.data), ['before-0', 'before-1', 'before-2']);
  const bigKept = rows.filter((r) => r.data.startsWith('yyyy')).length;
  assert.ok(bigKept >= 1 && bigKept < 100, `some 2 MiB events went through, not all (${bigKept})`);
  assert.equal(bigKept + lost, 103, `every record after the cap is counted as lost (${dropped.join(' | ')})`);
  assert.match((await panel().$eval(byTestId('observe-dropped'), (d) => d.textContent ?? '')) ?? '', /cut by the panel/);
  await session.screenshot(join(ARTIFACTS, 'devtools-observe-cut-drain-light.png'));
});
