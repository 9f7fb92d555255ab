/**
 * Complete capture in real Firefox (Debian firefox-esr, WebDriver BiDi): `filterResponseData` on
 * the app tab's event-stream responses. The Firefox DevTools toolbox is not reachable by automation
 * here (shared/recipes/browser-testing.md), so the panel page the e2e build opens in a tab of its own
 * stands in for it: it sends the same message the panel's switch sends, for the app tab's id, over
 * a runtime Port of its own, and shows the observed connections as the panel does.
 *
 * The cancel trap (the page's reader.cancel() does not close a filtered connection) is covered with
 * the real page hook injected into the app tab: the test forwards its drain to the background as the
 * panel's poll does, and the background disconnects the filter of the stream the page cancelled.
 *
 * Not covered here: the panel's own switch and explanation in Firefox's toolbox, and the grant tab
 * for an origin without host access.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const EXTENSION_DIR = resolve('dist', 'extension-firefox-e2e');
const FIXED_UUID = '6f3b1c2e-5a4d-4e8f-9b7a-0c1d2e3f4a5c';
const GUARD = 20_000;
const TOKEN = 'Bearer page-token-0123456789';
const executablePath = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'].find((p): p is string => !!p && existsSync(p)) ?? null;

const PAGE = `<!doctype html><meta charset="utf-8"><title>app</title><script>
window.counts = { es: 0, chat: 0 };
window.openEs = () => { const es = new EventSource('/es'); es.onmessage = (e) => { window.counts.es++; if (e.lastEventId === '3') es.close(); }; };
// Reconnects once (the server ends the first response), closes on the resumed stream's event.
window.heard = [];
window.openResuming = () => { const es = new EventSource('/resume'); es.onmessage = (e) => { window.heard.push(e.lastEventId); if (e.lastEventId === 'r2') es.close(); }; };
window.readOneThenCancel = async () => {
  const reader = (await fetch('/endless')).body.getReader();
  await reader.read();
  await reader.cancel();
};
window.chat = async () => {
  const res = await fetch('/chat', { method: 'POST', headers: { Authorization: ${JSON.stringify(TOKEN)}, 'Content-Type': 'application/json' }, body: '{"prompt":"hello"}' });
  const text = await res.text();
  window.counts.chat += text.split('\\n\\n').filter((b) => b.includes('data:')).length;
};
</script>`;

interface Seen {
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

function startApp(): Promise<{ url: string; seen: Seen[]; endless: { closed: boolean }[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const endless: { closed: boolean }[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url === '/page.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (req.url === '/resume') {
      seen.push({ url: req.url, headers: req.headers });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (req.headers['last-event-id'] === undefined) return void res.end('retry: 50\n\nid: r1\ndata: one\n\n');
      res.write('id: r2\ndata: two\n\n');
      return void res.on('close', () => res.end());
    }
    if (req.url === '/endless') {
      const log = { closed: false };
      endless.push(log);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => res.write('data: tick\n\n'), 50);
      res.on('close', () => {
        clearInterval(timer);
        log.closed = true;
      });
      return;
    }
    if (req.url !== '/es' && req.url !== '/chat') return void res.writeHead(404).end();
    seen.push({ url: req.url, headers: req.headers });
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (req.url === '/es') res.end(': hi\nretry: 60000\n\nid: 1\ndata: one\n\nevent: ghost\nid: 2\ndata: boo\n\nid: 3\ndata: three\n\n');
    else res.end('id: 1\ndata: a\n\nid: 2\ndata: b\n\n');
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        endless,
        close: () => new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      }),
    ),
  );
}

interface StateMessage {
  type: string;
  on?: boolean;
  why?: string | null;
}

/** In the panel page: the app tab's id, and a Port that sends one message and returns the background's complete-capture answer. */
async function send(panel: Page, message: object): Promise<StateMessage> {
  return panel.evaluate(
    (m) =>
      new Promise<StateMessage>((resolveState) => {
        const b = (globalThis as unknown as { browser: { runtime: { connect(o: { name: string }): { postMessage(x: unknown): void; onMessage: { addListener(f: (x: StateMessage) => void): void }; disconnect(): void } } } }).browser;
        const port = b.runtime.connect({ name: 'sse-devtools-panel' });
        port.onMessage.addListener((x) => {
          if (x.type === 'complete-capture-state') {
            port.disconnect();
            resolveState(x);
          }
        });
        port.postMessage(m);
      }),
    message,
  );
}

/** Sends one message over a Port of the panel page's own and waits for the background's answer of type `reply`. */
async function post(panel: Page, message: object, reply: string): Promise<void> {
  await panel.evaluate(
    (m, r) =>
      new Promise<void>((done) => {
        const b = (globalThis as unknown as { browser: { runtime: { connect(o: { name: string }): { postMessage(x: unknown): void; onMessage: { addListener(f: (x: { type: string }) => void): void }; disconnect(): void } } } }).browser;
        const port = b.runtime.connect({ name: 'sse-devtools-panel' });
        port.onMessage.addListener((x) => {
          if (x.type === r) {
            port.disconnect();
            done();
          }
        });
        port.postMessage(m);
      }),
    message,
    reply,
  );
}

async function findPage(browser: Browser, selector: string): Promise<Page> {
  const deadline = Date.now() + GUARD;
  while (Date.now() < deadline) {
    for (const page of await browser.pages()) if (await page.$(selector).catch(() => null)) return page;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no page with ${selector}`);
}

describe('Firefox: complete capture with filterResponseData', { skip: executablePath ? false : 'no Firefox found (set FIREFOX_PATH)' }, () => {
  let browser: Browser;
  let app: Awaited<ReturnType<typeof startApp>>;
  let panel: Page;
  let page: Page;
  let tabId: number;

  before(async () => {
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as { browser_specific_settings: { gecko: { id: string } } };
    app = await startApp();
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: executablePath!,
      headless: true,
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [manifest.browser_specific_settings.gecko.id]: FIXED_UUID }),
      },
    });
    await browser.installExtension(EXTENSION_DIR);
    panel = await findPage(browser, '[data-testid="connect-form"]');
    page = await browser.newPage();
    await page.goto(`${app.url}/page.html`);
    const id = await panel.evaluate(async (u) => {
      const b = (globalThis as unknown as { browser: { tabs: { query(q: object): Promise<{ id?: number; url?: string }[]> } } }).browser;
      return (await b.tabs.query({})).find((t) => t.url === u)?.id ?? -1;
    }, `${app.url}/page.html`);
    assert.ok(id >= 0, 'the app tab was found');
    tabId = id;
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  test('the tab\'s streams are seen: every type (also one nobody listens to), ids, the POST\'s headers as sent; the page unaffected, also once off', async () => {
    const pageUrl = `${app.url}/page.html`;
    // 127.0.0.1 is among the manifest's host permissions: no grant tab (other origins are asked for there).
    const on = await send(panel, { type: 'complete-capture', tabId, on: true, pageUrl });
    assert.deepEqual([on.on, on.why], [true, null]);

    await page.evaluate(() => (window as unknown as { openEs(): void }).openEs());
    await page.evaluate(() => (window as unknown as { chat(): Promise<void> }).chat());
    await page.waitForFunction(() => (window as unknown as { counts: { es: number } }).counts.es === 2, { timeout: GUARD });
    assert.deepEqual(await page.evaluate(() => (window as unknown as { counts: object }).counts), { es: 2, chat: 2 }, 'the page got every event it handles');

    const OBSERVED = '[data-testid="observed-group"] [data-testid="connection-item"]';
    for (const [url, rows] of [
      [`${app.url}/es`, [['message', '1'], ['ghost', '2'], ['message', '3']]],
      [`${app.url}/chat`, [['message', '1'], ['message', '2']]],
    ] as const) {
      await panel.waitForFunction((sel: string, u: string) => [...document.querySelectorAll(`${sel} .label`)].some((l) => l.getAttribute('title') === u), { timeout: GUARD }, OBSERVED, url);
      await panel.evaluate((sel: string, u: string) => [...document.querySelectorAll<HTMLElement>(sel)].find((i) => i.querySelector('.label')?.getAttribute('title') === u)?.click(), OBSERVED, url);
      await panel.waitForFunction((n: number) => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === n, { timeout: GUARD }, rows.length);
      const got = await panel.$$eval('[data-testid="timeline-row"][data-kind="event"]', (rs) => rs.map((r) => [r.querySelector('.c-channel')?.textContent ?? '', r.querySelector('.c-id')?.textContent ?? '']));
      assert.deepEqual(got, rows.map((r) => [...r]));
    }
    assert.match(await panel.$eval(`${OBSERVED}[aria-selected="true"] [data-testid="observed-badge"]`, (b) => b.textContent ?? ''), /observed · fetch · complete/);
    await panel.click('[data-testid="timeline-row"][data-kind="attempt-started"]');
    await panel.waitForFunction(() => document.body.innerText.includes('Bearer [redacted]'), { timeout: GUARD });
    assert.match(await panel.evaluate(() => document.body.innerText), /user-agent/i, 'a header the browser added');
    assert.ok(!(await panel.evaluate(() => document.body.innerText)).includes('page-token'));
    mkdirSync('test-results', { recursive: true });
    await panel.screenshot({ path: resolve('test-results', 'firefox-complete-capture.png') });

    // An EventSource that reconnects is one connection, its reconnect attempt 2 with the Last-Event-ID it sent.
    await page.evaluate(() => (window as unknown as { openResuming(): void }).openResuming());
    await page.waitForFunction(() => (window as unknown as { heard: string[] }).heard.length === 2, { timeout: GUARD, polling: 100 });
    assert.deepEqual(app.seen.filter((x) => x.url === '/resume').map((x) => x.headers['last-event-id'] ?? null), [null, 'r1']);
    const resume = `${app.url}/resume`;
    await panel.waitForFunction((sel: string, u: string) => [...document.querySelectorAll(`${sel} .label`)].some((l) => l.getAttribute('title') === u), { timeout: GUARD }, OBSERVED, resume);
    await panel.evaluate((sel: string, u: string) => [...document.querySelectorAll<HTMLElement>(sel)].find((i) => i.querySelector('.label')?.getAttribute('title') === u)?.click(), OBSERVED, resume);
    await panel.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === 2, { timeout: GUARD });
    assert.equal(await panel.$$eval(`${OBSERVED} .label`, (ls, u) => ls.filter((l) => l.getAttribute('title') === u).length, resume), 1, 'one connection');
    assert.deepEqual(
      await panel.$$eval('[data-testid="timeline-row"][data-kind="event"]', (rs) => rs.map((r) => [r.querySelector('.c-attempt')?.textContent ?? '', r.querySelector('.c-id')?.textContent ?? ''])),
      [['#1', 'r1'], ['#2', 'r2']],
    );
    assert.match((await panel.$$eval('[data-testid="timeline-row"][data-kind="attempt-started"]', (rs) => rs.map((r) => r.textContent ?? '')))[1] ?? '', /Last-Event-ID r1/);
    // The page's close() stops the filter as a server's end would; webRequest says which it was.
    await panel.waitForFunction(() => document.querySelector('[data-testid="timeline-row"][data-kind="stopped"]'), { timeout: GUARD });
    const ends = await panel.$$eval('[data-testid="timeline-row"][data-kind="attempt-ended"]', (rs) => rs.map((r) => r.textContent ?? ''));
    assert.deepEqual(ends.map((e) => /closed-by-server|closed-by-user/.exec(e)?.[0]), ['closed-by-server', 'closed-by-user']);
    await panel.screenshot({ path: resolve('test-results', 'firefox-complete-capture-reconnect.png') });
    // After the page's close(), a new EventSource to the same URL is a connection of its own.
    await page.evaluate(() => (window as unknown as { openResuming(): void }).openResuming());
    await page.waitForFunction(() => (window as unknown as { heard: string[] }).heard.length === 4, { timeout: GUARD, polling: 100 });
    await panel.waitForFunction((sel: string, u: string) => [...document.querySelectorAll(`${sel} .label`)].filter((l) => l.getAttribute('title') === u).length === 2, { timeout: GUARD }, OBSERVED, resume);

    const off = await send(panel, { type: 'complete-capture', tabId, on: false, pageUrl });
    assert.equal(off.on, false);
    await page.evaluate(() => (window as unknown as { chat(): Promise<void> }).chat());
    assert.equal(await page.evaluate(() => (window as unknown as { counts: { chat: number } }).counts.chat), 4, 'the page goes on working once off');
  });

  test('the page\'s reader.cancel() closes the connection with complete capture on: the hook reports the cancel and the filter steps aside', async () => {
    const pageUrl = `${app.url}/page.html`;
    assert.deepEqual((await send(panel, { type: 'complete-capture', tabId, on: true, pageUrl })).on, true);
    // The real page hook, in the page's own realm as "Observe this tab" installs it (BiDi's evaluate is not that realm).
    await page.evaluate((src: string) => {
      const script = document.createElement('script');
      script.textContent = src;
      document.documentElement.append(script);
    }, readFileSync(resolve('extension', 'page-hook.js'), 'utf8'));
    await page.evaluate(() => (window as unknown as { readOneThenCancel(): Promise<void> }).readOneThenCancel());
    // The panel's poll: the hook's drain, forwarded to the background for this tab.
    const drain = await page.evaluate(() => (globalThis as unknown as Record<symbol, { drain(n: number): unknown }>)[Symbol.for('sse-devtools.observe')]!.drain(5000));
    assert.match(JSON.stringify(drain), /"reason":"cancel"/, `the hook saw the page cancel: ${JSON.stringify(drain).slice(0, 600)}`);
    await post(panel, { type: 'observed', tabId, pageUrl, drain }, 'observed-intake');
    const deadline = Date.now() + GUARD;
    while (!app.endless.every((s) => s.closed) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(app.endless.length, 1);
    assert.ok(app.endless[0]!.closed, 'the server saw the connection close after the page cancelled');
    await send(panel, { type: 'complete-capture', tabId, on: false, pageUrl });
  });
});