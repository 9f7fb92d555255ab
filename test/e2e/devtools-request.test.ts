/**
 * The request the panel shows is the request that was sent: in the REAL Chromium DevTools, against
 * an echo server on 127.0.0.1 whose own log of each request's headers is the reference.
 *
 * - Headers fetch forbids (Cookie, User-Agent) typed in the form reach the server.
 * - The "request sent" row lists exactly what the server received, each header marked as from the
 *   form, from SSE DevTools or from the browser.
 * - A Set-Cookie of attempt 1 goes with attempt 2 of the same connection, and nowhere else: not on
 *   another connection, not into the browser's cookie jar.
 * - The form's Clear leaves no empty Authorization header behind.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'puppeteer-core';
import { maskHeaders } from '../../src/core/secrets.js';
import { ARTIFACTS } from '../helpers/browser.js';
import { launchDevtools, type DevtoolsSession } from '../helpers/devtools.js';
import { byTestId, panelActions } from '../helpers/devtools-actions.js';

const GUARD = 20_000;

interface Seen {
  tag: string;
  /** Lower-case name, value: what arrived, in order. */
  headers: [string, string][];
}

/**
 * Each request gets one event and the end of the response; a request that carries no `sid`
 * cookie gets a Set-Cookie naming its tag, so where that cookie travels afterwards is visible.
 */
function startEchoServer(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const tag = url.searchParams.get('tag') ?? '';
    const headers: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
    seen.push({ tag, headers });
    const cookie = req.headers.cookie ?? '';
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      ...(/\bsid=/.test(cookie) ? {} : { 'set-cookie': `sid=from-${tag}; Path=/; Max-Age=600` }),
    });
    res.end(`id: ${seen.length}\ndata: hello ${tag}\n\n`);
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

let echo: Awaited<ReturnType<typeof startEchoServer>>;
let session: DevtoolsSession;
const panel = (): Frame => session.panel;
const { field, fill, openForm, pressConnect, disconnectSelected } = panelActions(panel, GUARD);

before(async () => {
  echo = await startEchoServer();
  session = await launchDevtools();
});

after(async () => {
  await session?.close();
  await echo?.close();
});

async function requestsTagged(tag: string, count: number): Promise<Seen[]> {
  const deadline = Date.now() + GUARD;
  while (echo.seen.filter((s) => s.tag === tag).length < count) {
    if (Date.now() > deadline) throw new Error(`the server saw ${echo.seen.filter((s) => s.tag === tag).length} requests tagged ${tag}, expected ${count}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return echo.seen.filter((s) => s.tag === tag);
}

const header = (s: Seen, name: string): string | undefined => s.headers.find(([n]) => n === name)?.[1];
/** What the server saw, as the panel may show it: secrets masked, Host and Connection left out (the recipe's reference). */
const shownAs = (s: Seen): string[] =>
  maskHeaders(s.headers.filter(([n]) => n !== 'host' && n !== 'connection'))
    .map(([n, v]) => `${n}: ${v}`)
    .sort();

/** Opens the "request sent" row of `attempt` in the detail pane; returns its header rows. */
async function sentHeadersOf(attempt: number): Promise<{ name: string; value: string; source: string }[]> {
  const rows = '[data-testid="timeline-row"][data-kind="request-sent"]';
  const ofAttempt = async () => {
    for (const r of await panel().$$(rows)) if ((await r.$eval('.c-attempt', (c) => c.textContent)) === `#${attempt}`) return r;
    return null;
  };
  const deadline = Date.now() + GUARD;
  let row = await ofAttempt();
  while (!row && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    row = await ofAttempt();
  }
  assert.ok(row, `a request-sent row of attempt #${attempt}`);
  await row.click();
  await panel().waitForSelector(`${byTestId('sent-headers')} tr`, { timeout: GUARD });
  return panel().$$eval(`${byTestId('sent-headers')} tr`, (trs) =>
    trs.map((tr) => ({ name: tr.querySelector('th')?.textContent ?? '', value: tr.querySelector('td')?.textContent ?? '', source: tr.getAttribute('data-source') ?? '' })),
  );
}

test('Cookie and User-Agent from the form reach the server, and the request row shows what the server received, marked form or browser', async () => {
  const url = `${echo.url}/sse?tag=a`;
  await fill('url-input', url);
  await fill('header-value', 'Bearer token-abcdef-123');
  await (await field('add-header')).click();
  await fill('header-name', 'Cookie', 1);
  await fill('header-value', 'manual=1', 1);
  await (await field('add-header')).click();
  await fill('header-name', 'User-Agent', 2);
  await fill('header-value', 'MyApp/1.0', 2);
  await (await field('toggle-reconnect')).click();
  await fill('reconnect-delay', '300');
  await pressConnect(url);

  const [first, second] = await requestsTagged('a', 2);
  assert.equal(header(first!, 'user-agent'), 'MyApp/1.0', 'the form\'s User-Agent reached the server');
  assert.equal(header(first!, 'cookie'), 'manual=1', 'the form\'s cookie, and only it, reached the server');
  assert.equal(header(first!, 'authorization'), 'Bearer token-abcdef-123');
  // The connection keeps the cookie its server set, and sends it on its next attempt.
  assert.deepEqual(header(second!, 'cookie')?.split('; ').sort(), ['manual=1', 'sid=from-a']);

  const sent1 = await sentHeadersOf(1);
  await session.screenshot(join(ARTIFACTS, 'devtools-request-sent-light.png'));
  assert.deepEqual(sent1.map((h) => `${h.name.toLowerCase()}: ${h.value}`).sort(), shownAs(first!), 'the row lists exactly what the server received');
  const sourceOf = (list: typeof sent1, name: string) => list.find((h) => h.name.toLowerCase() === name)?.source;
  assert.equal(sourceOf(sent1, 'user-agent'), 'form');
  assert.equal(sourceOf(sent1, 'cookie'), 'form');
  assert.equal(sourceOf(sent1, 'authorization'), 'form');
  assert.equal(sourceOf(sent1, 'accept'), 'sse-devtools');
  assert.equal(sourceOf(sent1, 'sec-fetch-mode'), 'browser');
  assert.doesNotMatch(JSON.stringify(sent1), /token-abcdef|manual=1/, 'secret values are masked as in the form');

  // The response row shows the Set-Cookie that fetch hides, masked like any secret header.
  const response1 = '[data-testid="timeline-row"][data-kind="response"]';
  await (await panel().$(response1))!.click();
  await panel().waitForFunction(() => [...document.querySelectorAll('[data-testid="detail-headers"] th')].some((th) => th.textContent === 'set-cookie'), { timeout: GUARD });

  const sent2 = await sentHeadersOf(2);
  assert.deepEqual(sent2.map((h) => `${h.name.toLowerCase()}: ${h.value}`).sort(), shownAs(second!));
  await disconnectSelected();
});

test('a cookie one connection got is not sent by another connection, nor stored in the browser\'s jar', async () => {
  // With the browser's cookies on, this connection would carry sid=from-a had it reached the jar.
  const url = `${echo.url}/sse?tag=b`;
  await openForm();
  await fill('url-input', url);
  await (await field('browser-cookies')).click();
  await pressConnect(url);
  const [first] = await requestsTagged('b', 1);
  assert.doesNotMatch(header(first!, 'cookie') ?? '', /from-a/);
  await disconnectSelected();
  await openForm();
  await (await field('browser-cookies')).click();
});

test('after Clear, Connect sends no empty Authorization header', async () => {
  await openForm();
  await (await field('form-clear')).click();
  const url = `${echo.url}/sse?tag=c`;
  await fill('url-input', url);
  await pressConnect(url);
  const [first] = await requestsTagged('c', 1);
  assert.equal(header(first!, 'authorization'), undefined, `the server got ${JSON.stringify(first!.headers)}`);
  await disconnectSelected();
});

test('the request-sent detail in the dark theme (screenshot)', async () => {
  await session.setTheme('dark');
  const label = `[data-testid="connection-item"] .label[title="${echo.url}/sse?tag=a"]`;
  await panel().waitForSelector(label, { timeout: GUARD });
  await (await panel().$(label))!.click();
  await sentHeadersOf(1);
  await session.screenshot(join(ARTIFACTS, 'devtools-request-sent-dark.png'));
});
