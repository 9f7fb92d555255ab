/**
 * Observing the inspected tab (issue 12), in the REAL Chromium DevTools: the page's own streams
 * appear in the SSE panel, apart from the lab's, read-only, the page's token masked, and "Open in
 * lab" re-creates one as a working connection of our own with the same request (the server's log
 * of both requests is the reference). Hostile records do not break the panel.
 *
 * Why a stand-in hook: the real hook (extension/page-hook.js, which patches fetch, XHR and
 * EventSource in the page's main world) is being written at the same time as this side of the
 * feature; its own behaviour is tested in test/e2e/page-hook.test.ts. Here the test page installs a
 * few lines at the same global, `globalThis[Symbol.for('sse-devtools.observe')]`, with the same
 * `drain(max)` contract, reporting its own real fetch stream record by record, plus scripted
 * EventSource and hostile records. Everything after the drain is the product: the panel's poll
 * through inspectedWindow.eval, the background's checks and limits, storage, the panel's views.
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
const TOKEN = 'Bearer page-token-0123456789';

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>observed app</title><h1>An app with streams</h1><script>
const queue = [];
// The stand-in hook: same global, same drain contract as the real one (see the test's header).
globalThis[Symbol.for('sse-devtools.observe')] = { drain(max) { return { records: queue.splice(0, max), dropped: 0 }; } };
let n = 0;
const frame = location.href;
window.received = 0;
window.chat = async () => {
  const sid = 'f' + ++n;
  const headers = { Authorization: ${JSON.stringify(TOKEN)}, 'Content-Type': 'application/json' };
  const body = JSON.stringify({ prompt: 'hello' });
  queue.push({ t: 'open', sid, api: 'fetch', time: Date.now(), url: new URL('/chat', location.href).href, method: 'POST', headers: Object.entries(headers), body, bodyCut: false, withCredentials: false, frame });
  const res = await fetch('/chat', { method: 'POST', headers, body });
  queue.push({ t: 'response', sid, time: Date.now(), status: res.status, statusText: res.statusText, headers: [...res.headers], url: res.url });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    queue.push({ t: 'chunk', sid, time: Date.now(), text: value });
  }
  queue.push({ t: 'end', sid, time: Date.now(), reason: 'done', detail: '' });
};
window.scriptedEventSource = () => {
  const sid = 'es' + ++n, t = Date.now(), url = new URL('/events', location.href).href;
  queue.push({ t: 'open', sid, api: 'eventsource', time: t, url, method: 'GET', headers: [], body: null, bodyCut: false, withCredentials: false, frame });
  queue.push({ t: 'es-open', sid, time: t + 1 });
  queue.push({ t: 'es-message', sid, time: t + 2, type: 'message', data: 'first', lastEventId: '10' });
  queue.push({ t: 'es-message', sid, time: t + 3, type: 'price', data: '{"p":1}', lastEventId: '11' });
  queue.push({ t: 'es-error', sid, time: t + 4, readyState: 0 });
  queue.push({ t: 'es-open', sid, time: t + 3004 });
  queue.push({ t: 'es-message', sid, time: t + 3005, type: 'price', data: '{"p":2}', lastEventId: '12' });
};
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
</script>`;

function startAppServer(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url === '/page.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      const events = ['Hel', 'lo', ' wor', 'ld'].map((t, i) => `id: ${i + 1}\ndata: {"token":${JSON.stringify(t)}}\n\n`);
      res.end(`: stream begins\n\n${events.join('')}event: usage\nid: 5\ndata: {"tokens":4}\n\n`);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}

let app: Awaited<ReturnType<typeof startAppServer>>;
let session: DevtoolsSession;
const panel = (): Frame => session.panel;
const { field, pressConnect } = panelActions(panel, GUARD);

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

async function observedLabels(): Promise<string[]> {
  return panel().$$eval(`${OBSERVED} .label`, (ls) => ls.map((l) => l.getAttribute('title') ?? ''));
}

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

test('the page\'s fetch stream appears apart from the lab\'s, read-only, with its events in order and its token masked', async () => {
  // The panel learns the inspected page's origin first: the choice is remembered for it.
  await panel().waitForFunction((origin: string) => document.querySelector('[data-testid="observe-toggle"]')?.getAttribute('title')?.includes(origin), { timeout: GUARD }, app.url);
  await (await field('observe-toggle')).click();
  await field('observe-bar');
  await panel().waitForFunction(() => document.querySelector('[data-testid="observe-status"]')?.textContent?.includes('hook active'), { timeout: GUARD });
  await session.inspected.evaluate(() => (window as unknown as { chat(): Promise<void> }).chat());

  const chatUrl = `${app.url}/chat`;
  await selectObserved(chatUrl);
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === 5, { timeout: GUARD });
  const rows = await eventRows();
  assert.deepEqual(
    rows.map((r) => [r.channel, r.id]),
    [
      ['message', '1'],
      ['message', '2'],
      ['message', '3'],
      ['message', '4'],
      ['usage', '5'],
    ],
  );
  assert.match(rows[0]!.data, /Hel/);
  const item = (await panel().$(`${OBSERVED}[aria-selected="true"]`))!;
  assert.match(await item.$eval(byTestId('observed-badge'), (b) => b.textContent ?? ''), /observed · fetch/);
  assert.match(await item.$eval(byTestId('observed-origin'), (b) => b.textContent ?? ''), /page\.html/);
  assert.equal(await item.$(byTestId('disconnect-button')), null, 'no Disconnect for the page\'s stream');
  assert.equal(await item.$(byTestId('reconnect-button')), null);
  assert.equal(await panel().$(byTestId('simulate-bar')), null, 'no simulations for the page\'s stream');
  assert.equal(await panel().$(`${byTestId('lab-group')} ${byTestId('connection-item')}[data-observed]`), null, 'not in the lab\'s group');

  // The request row shows the page's headers with the token masked; nowhere in the panel is it readable.
  await (await panel().$('[data-testid="timeline-row"][data-kind="attempt-started"]'))!.click();
  await panel().waitForFunction(() => document.body.innerText.includes('Bearer [redacted]'), { timeout: GUARD });
  assert.ok(!(await panel().evaluate(() => document.body.innerText)).includes('page-token'), 'the token is masked');
  await session.screenshot(join(ARTIFACTS, 'devtools-observe-light.png'));
});

test('"Open in lab" fills the form with the page\'s request, and Connect sends the same headers and body to the real server', async () => {
  const chatUrl = `${app.url}/chat`;
  const item = (await panel().$(`${OBSERVED}[aria-selected="true"]`))!;
  await (await item.$(byTestId('open-in-lab')))!.click();
  await panel().waitForFunction((u: string) => document.querySelector<HTMLInputElement>('[data-testid="url-input"]')?.value === u, { timeout: GUARD }, chatUrl);
  const form = await panel().evaluate(() => ({
    method: (document.querySelector('[data-testid="method-select"]') as HTMLSelectElement).value,
    headers: [...document.querySelectorAll('[data-testid="header-row"]')].map((r) => [(r.querySelector('[data-testid="header-name"]') as HTMLInputElement).value, (r.querySelector('[data-testid="header-value"]') as HTMLInputElement).type]),
    body: document.querySelector<HTMLTextAreaElement>('[data-testid="body-input"]')?.value,
    lastEventId: (document.querySelector('[data-testid="last-event-id-input"]') as HTMLInputElement).value,
  }));
  assert.equal(form.method, 'POST');
  assert.deepEqual(form.headers, [
    ['Authorization', 'password'],
    ['Content-Type', 'text'],
  ], 'the token is in the form, hidden like any secret');
  assert.equal(form.body, '{"prompt":"hello"}');
  assert.equal(form.lastEventId, '5', 'the last event id the page saw');
  await session.screenshot(join(ARTIFACTS, 'devtools-observe-open-in-lab-light.png'));

  const chats = () => app.seen.filter((s) => s.url === '/chat');
  const before = chats().length;
  await pressConnect(chatUrl);
  const deadline = Date.now() + GUARD;
  while (chats().length <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const [page, lab] = [chats()[0]!, chats()[before]!];
  assert.ok(lab, 'the lab\'s request reached the server');
  assert.equal(lab.method, page.method);
  assert.equal(lab.headers.authorization, TOKEN, 'the real token, revealed by the background, was sent');
  assert.equal(lab.headers.authorization, page.headers.authorization);
  assert.equal(lab.headers['content-type'], page.headers['content-type']);
  assert.equal(lab.body, page.body);
  assert.equal(lab.headers['last-event-id'], '5');
  // The observed item has the same URL: wait for the new one, in the lab's group, to be the selected one.
  const labItem = await panel().waitForSelector(`${byTestId('lab-group')} ${byTestId('connection-item')}[aria-selected="true"]`, { timeout: GUARD });
  assert.ok(labItem, 'the new connection is the lab\'s own');
  assert.match((await labItem.evaluate((el) => el.getAttribute('data-id'))) ?? '', /^c/);
});

test('an EventSource\'s reopen is a second attempt, and hostile records (markup, 10 MB, a flood) leave the panel working', async () => {
  await session.inspected.evaluate(() => (window as unknown as { scriptedEventSource(): void }).scriptedEventSource());
  await selectObserved(`${app.url}/events`);
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === 3, { timeout: GUARD });
  assert.deepEqual(
    (await eventRows()).map((r) => [r.attempt, r.channel, r.id]),
    [
      ['#1', 'message', '10'],
      ['#1', 'price', '11'],
      ['#2', 'price', '12'],
    ],
  );
  const sent = await panel().$$eval('[data-testid="timeline-row"][data-kind="request-sent"]', (rs) => rs.length);
  assert.equal(sent, 2, 'each attempt says what a hook could not see of its request');

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
  await selectObserved(`${app.url}/events`);
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === 3, { timeout: GUARD });
  await session.screenshot(join(ARTIFACTS, 'devtools-observe-hostile-light.png'));
});

test('dark theme: observing is remembered for the origin after DevTools reloads', async () => {
  await session.setTheme('dark');
  await panel().waitForFunction(() => document.querySelector('[data-testid="observe-toggle"]')?.getAttribute('aria-pressed') === 'true', { timeout: GUARD });
  await selectObserved(`${app.url}/chat`);
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === 5, { timeout: GUARD });
  assert.ok((await observedLabels()).length >= 4);
  await session.screenshot(join(ARTIFACTS, 'devtools-observe-dark.png'));
  await session.setTheme('light');
});
