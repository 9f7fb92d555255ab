/**
 * Complete capture (issue 12, the opt-in mode) in the REAL Chromium DevTools: the background
 * attaches Chrome's debugger to the inspected tab and the page's streams appear as observed
 * connections marked "complete", with what a hook in the page cannot see: an event type nobody
 * listens to, `retry:`, the requests as they left the browser (a POST's headers including those the
 * browser adds, an EventSource reconnect's Last-Event-ID). No hook is installed here: every record
 * comes from the debugger. The page's own counts of received events equal the server's, and
 * switching off detaches while the page goes on working.
 *
 * Chrome's "started debugging this browser" bar is hidden by the automation flags in this headless
 * run. It was checked headed under xvfb (Chromium 156, without --enable-automation): the bar shows
 * over the inspected tab once capture is on (the page loses 56 px), and pressing its Cancel (a real
 * X click, xdotool) detached the debugger with reason `canceled_by_user`: the panel switched off and
 * said "Cancel was pressed on Chrome's … bar", the page got its 56 px back, and the open observed
 * connections ended with a row saying they are no longer followed. That check is automated,
 * headed, in devtools-debugger-bar.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
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

// The page listens to `message` only: `ghost` events reach its EventSource and nobody handles them.
const PAGE = `<!doctype html><meta charset="utf-8"><title>complete app</title><h1>An app with streams</h1><script>
window.counts = { es: 0, chat: 0 };
window.lastIds = [];
window.openEs = () => {
  const es = new EventSource('/es');
  es.onmessage = (e) => { window.counts.es++; window.lastIds.push(e.lastEventId); if (e.lastEventId === '5') es.close(); };
};
window.chat = async () => {
  const res = await fetch('/chat', { method: 'POST', headers: { Authorization: ${JSON.stringify(TOKEN)}, 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: 'hello' }) });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  window.counts.chat += text.split('\\n\\n').filter((b) => b.includes('data:')).length;
};
// Many apps close their EventSource in onerror, while the browser waits to reconnect, to reconnect in their own way.
window.openClosing = () => {
  const es = new EventSource('/es-once');
  es.onerror = () => { es.close(); window.closedInWait = true; };
};
// A cross-site iframe (localhost is another site than 127.0.0.1): its own process, its own debugger target.
window.addFrame = (src) => { const f = document.createElement('iframe'); f.src = src; document.body.append(f); };
</script>`;

const FRAME = `<!doctype html><meta charset="utf-8"><script>
window.got = 0;
new EventSource('/frame-es').addEventListener('tick', () => { window.got++; });
</script>`;

function startAppServer() {
  const seen: Seen[] = [];
  /** Events the server sent that the page's code handles: `message` on the EventSource, every event of a chat stream. */
  const sent = { esMessages: 0, chatEvents: 0 };
  const server: Server = createServer((req, res: ServerResponse) => {
    if (req.url === '/page.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
      return;
    }
    if (req.url === '/frame.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(FRAME);
      return;
    }
    if (req.url === '/frame-es') {
      seen.push({ url: req.url, method: req.method ?? '', headers: req.headers, body: '' });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: tick\nid: f1\ndata: in the frame\n\n');
      res.on('close', () => res.end());
      return;
    }
    if (req.url === '/es-once') {
      seen.push({ url: req.url, method: req.method ?? '', headers: req.headers, body: '' });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('retry: 200\nid: only\ndata: once\n\n');
      return;
    }
    if (req.url !== '/es' && req.url !== '/chat') {
      res.writeHead(404).end();
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      if (req.url === '/es') {
        if (req.headers['last-event-id'] === undefined) {
          // First attempt: a comment, a short retry, two messages around an unlistened type; then the server ends it.
          sent.esMessages += 2;
          res.end(': hello\nretry: 100\n\nid: 1\ndata: one\n\nevent: ghost\nid: 2\ndata: boo\n\nid: 3\ndata: three\n\n');
        } else {
          // The reconnect resumes after the id it was sent; the page closes on id 5.
          sent.esMessages += 1;
          res.write('event: ghost\nid: 4\ndata: boo again\n\nid: 5\ndata: five\n\n');
          res.on('close', () => res.end());
        }
        return;
      }
      const events = ['Hel', 'lo', ' wor', 'ld'].map((t, i) => `id: ${i + 1}\ndata: {"token":${JSON.stringify(t)}}\n\n`);
      sent.chatEvents += events.length;
      res.end(events.join(''));
    });
  });
  return new Promise<{ url: string; seen: Seen[]; sent: typeof sent; close(): Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        sent,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
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

async function observedCount(url: string): Promise<number> {
  return panel().$$eval(`${OBSERVED} .label`, (ls, u) => ls.filter((l) => l.getAttribute('title') === u).length, url);
}

/** Selects the index-th observed connection with this URL (in the list's order). */
async function selectObserved(url: string, index = 0): Promise<void> {
  await panel().waitForFunction((sel: string, u: string, n: number) => [...document.querySelectorAll(`${sel} .label`)].filter((l) => l.getAttribute('title') === u).length > n, { timeout: GUARD }, OBSERVED, url, index);
  const matching = [];
  for (const item of await panel().$$(OBSERVED)) if ((await item.$eval('.label', (l) => l.getAttribute('title'))) === url) matching.push(item);
  await matching[index]!.click();
}

async function eventRows(): Promise<{ attempt: string; channel: string; id: string; data: string }[]> {
  return panel().$$eval('[data-testid="timeline-row"][data-kind="event"]', (rows) =>
    rows.map((r) => ({ attempt: r.querySelector('.c-attempt')?.textContent ?? '', channel: r.querySelector('.c-channel')?.textContent ?? '', id: r.querySelector('.c-id')?.textContent ?? '', data: r.querySelector('.c-data')?.textContent ?? '' })),
  );
}

async function pageCounts(): Promise<{ es: number; chat: number }> {
  return session.inspected.evaluate(() => (window as unknown as { counts: { es: number; chat: number } }).counts);
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + GUARD;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('switching complete capture on is explained first, then the debugger reports the page\'s streams', async () => {
  await panel().waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="complete-toggle"]')?.disabled, { timeout: GUARD });
  await (await field('complete-toggle')).click();
  const explanation = await (await field('complete-explanation')).evaluate((e) => e.textContent ?? '');
  assert.match(explanation, /started debugging this browser/, 'the bar is announced before it shows');
  assert.match(explanation, /types the page does not listen to/);
  assert.equal(await panel().$eval(byTestId('complete-toggle'), (b) => b.getAttribute('aria-pressed')), 'false', 'nothing attached before the user confirms');
  await (await field('complete-confirm')).click();
  await panel().waitForFunction(() => document.querySelector('[data-testid="complete-toggle"]')?.getAttribute('aria-pressed') === 'true', { timeout: GUARD });
  assert.equal(await panel().$(byTestId('observe-toggle') + '[aria-pressed="true"]'), null, 'no hook: the records come from the debugger alone');

  await session.inspected.evaluate(() => (window as unknown as { openEs(): void }).openEs());
  await session.inspected.evaluate(() => (window as unknown as { chat(): Promise<void> }).chat());
  await until('the page to receive its events', async () => (await pageCounts()).es === 3);
  const counts = await pageCounts();
  assert.equal(counts.es, app.sent.esMessages, 'the page got every message event the server sent');
  assert.equal(counts.chat, app.sent.chatEvents, 'the page got every event of its POST stream');
  assert.deepEqual(await session.inspected.evaluate(() => (window as unknown as { lastIds: string[] }).lastIds), ['1', '3', '5']);
});

test('an EventSource: every type (also one nobody listens to), ids in order, retry, and its reconnect as attempt 2 of the same connection with the Last-Event-ID it sent', async () => {
  const esUrl = `${app.url}/es`;
  await selectObserved(esUrl, 0);
  // The page closes its EventSource on id 5: the connection then stops, nothing more will come.
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === 5 && document.querySelector('[data-testid="timeline-row"][data-kind="stopped"]'), { timeout: GUARD });
  assert.deepEqual(
    (await eventRows()).map((r) => [r.attempt, r.channel, r.id, r.data]),
    [
      ['#1', 'message', '1', 'one'],
      ['#1', 'ghost', '2', 'boo'],
      ['#1', 'message', '3', 'three'],
      ['#2', 'ghost', '4', 'boo again'],
      ['#2', 'message', '5', 'five'],
    ],
  );
  assert.equal(await observedCount(esUrl), 1, 'the reconnect is not a connection of its own');
  const item = (await panel().$(`${OBSERVED}[aria-selected="true"]`))!;
  assert.match(await item.$eval(byTestId('observed-badge'), (b) => b.textContent ?? ''), /observed · EventSource · complete/);
  assert.match(await item.evaluate((el) => el.textContent ?? ''), /2 attempts/);
  assert.ok(await panel().$('[data-testid="timeline-row"][data-kind="retry-changed"]'), 'retry: is seen, as only raw bytes show it');

  // Why each attempt ended, the delay the stream asked for, and the Last-Event-ID the reconnect carried (the server's log agrees).
  const rows = (kind: string) => panel().$$eval(`[data-testid="timeline-row"][data-kind="${kind}"]`, (rs) => rs.map((r) => r.textContent ?? ''));
  const ended = await rows('attempt-ended');
  assert.equal(ended.length, 2);
  assert.match(ended[0]!, /closed-by-server/);
  assert.match(ended[1]!, /closed-by-user.*EventSource\.close\(\)/);
  assert.match((await rows('reconnect-scheduled')).join(), /reconnect in 100 ms as #2 with Last-Event-ID 3/);
  const reconnect = app.seen.find((s) => s.url === '/es' && s.headers['last-event-id'] !== undefined);
  assert.equal(reconnect?.headers['last-event-id'], '3');
  await (await panel().$$('[data-testid="timeline-row"][data-kind="attempt-started"]'))[1]!.click();
  await panel().waitForFunction(() => /last-event-id\s*:?\s*3/i.test(document.querySelector('[data-testid="detail-pane"]')?.textContent ?? document.body.innerText), { timeout: GUARD });
  await session.screenshot(join(ARTIFACTS, 'devtools-complete-capture-eventsource-light.png'));
});

test('an EventSource the page closes while the browser waits to reconnect ends once its reconnect is overdue, saying so, rather than reconnecting forever', async () => {
  await session.inspected.evaluate(() => (window as unknown as { openClosing(): void }).openClosing());
  await until('the page to close it in its wait', async () => session.inspected.evaluate(() => (window as unknown as { closedInWait?: boolean }).closedInWait === true));
  await selectObserved(`${app.url}/es-once`);
  await panel().waitForFunction(() => document.querySelector('[data-testid="timeline-row"][data-kind="stopped"]'), { timeout: GUARD });
  const item = (await panel().$(`${OBSERVED}[aria-selected="true"]`))!;
  assert.equal(await item.evaluate((i) => i.getAttribute('data-phase')), 'closed');
  assert.match(await panel().$eval('[data-testid="timeline-row"][data-kind="stopped"]', (r) => r.textContent ?? ''), /no reconnect request within 2\.2 s \(its retry: of 200 ms, and a margin\)/);
  assert.equal(app.seen.filter((s) => s.url === '/es-once').length, 1, 'the page closed it: no reconnect was made');
  await session.screenshot(join(ARTIFACTS, 'devtools-complete-capture-overdue-light.png'));
});

test('a fetch POST stream: the request\'s real headers (the browser\'s too), the token masked, the events in order', async () => {
  await selectObserved(`${app.url}/chat`);
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === 4, { timeout: GUARD });
  assert.deepEqual((await eventRows()).map((r) => r.id), ['1', '2', '3', '4']);
  const item = (await panel().$(`${OBSERVED}[aria-selected="true"]`))!;
  assert.match(await item.$eval(byTestId('observed-badge'), (b) => b.textContent ?? ''), /observed · fetch · complete/);
  await (await panel().$('[data-testid="timeline-row"][data-kind="attempt-started"]'))!.click();
  await panel().waitForFunction(() => document.body.innerText.includes('Bearer [redacted]'), { timeout: GUARD });
  const text = await panel().evaluate(() => document.body.innerText);
  // Headers the page did not set, which only the browser's network layer reports.
  const page = app.seen.find((s) => s.url === '/chat')!;
  for (const name of ['sec-fetch-mode', 'origin', 'user-agent']) {
    assert.ok(page.headers[name] !== undefined, `the server got ${name}`);
    assert.match(text, new RegExp(name, 'i'), `the panel shows the browser-added ${name}`);
  }
  assert.ok(!text.includes('page-token'), 'the token is masked');
  assert.match(text, /Request headers as the browser sent them/, 'not the hook\'s "headers the page set": these are the browser\'s');
});

test('a cross-site iframe\'s stream is seen too (auto-attached), with its frame URL', async () => {
  const port = new URL(app.url).port;
  const frameUrl = `http://localhost:${port}/frame.html`;
  await session.inspected.evaluate((src) => (window as unknown as { addFrame(s: string): void }).addFrame(src), frameUrl);
  await selectObserved(`http://localhost:${port}/frame-es`);
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === 1, { timeout: GUARD });
  assert.deepEqual((await eventRows()).map((r) => [r.channel, r.id, r.data]), [['tick', 'f1', 'in the frame']]);
  const item = (await panel().$(`${OBSERVED}[aria-selected="true"]`))!;
  assert.match(await item.$eval(byTestId('observed-origin'), (o) => o.textContent ?? ''), /localhost:\d+\/frame\.html in http:\/\/127\.0\.0\.1/);
  const frame = session.inspected.frames().find((f) => f.url() === frameUrl);
  assert.ok(frame, 'the frame loaded');
  await until('the frame to get its event', async () => (await frame.evaluate(() => (window as unknown as { got: number }).got)) === 1);
});

test('switching off detaches: the page keeps working and its new streams are no longer reported', async () => {
  await (await field('complete-toggle')).click();
  await panel().waitForFunction(() => document.querySelector('[data-testid="complete-toggle"]')?.getAttribute('aria-pressed') === 'false', { timeout: GUARD });
  assert.equal(await panel().$(byTestId('complete-problem')), null, 'switched off by the user: nothing to explain');
  const chats = await observedCount(`${app.url}/chat`);
  const before = (await pageCounts()).chat;
  await session.inspected.evaluate(() => (window as unknown as { chat(): Promise<void> }).chat());
  assert.equal((await pageCounts()).chat, before + 4, 'the page\'s stream still works');
  assert.equal(app.seen.filter((s) => s.url === '/chat').length, 2, 'the page made its request once; nothing was requested again');
  // A report would have been flushed within a fraction of a second; a second round trip through the panel is past that.
  await panel().evaluate(() => new Promise((r) => setTimeout(r, 500)));
  assert.equal(await observedCount(`${app.url}/chat`), chats, 'no new observed connection once off');
  // And it can be switched on again: the debugger had really been detached.
  await (await field('complete-toggle')).click();
  await (await field('complete-confirm')).click();
  await panel().waitForFunction(() => document.querySelector('[data-testid="complete-toggle"]')?.getAttribute('aria-pressed') === 'true', { timeout: GUARD });
  await (await field('complete-toggle')).click();
  await panel().waitForFunction(() => document.querySelector('[data-testid="complete-toggle"]')?.getAttribute('aria-pressed') === 'false', { timeout: GUARD });
});

test('after the background restarts (Chrome stopped its worker), the panel never shows complete capture on while nothing is captured', async () => {
  await (await field('complete-toggle')).click();
  await (await field('complete-confirm')).click();
  await panel().waitForFunction(() => document.querySelector('[data-testid="complete-toggle"]')?.getAttribute('aria-pressed') === 'true', { timeout: GUARD });
  const chats = await observedCount(`${app.url}/chat`);
  const cdp = await session.inspected.createCDPSession();
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
  // The panel's port drops and comes back (which starts the worker again); meanwhile it does not claim the capture is on.
  await panel().waitForFunction(() => document.querySelector('[data-testid="background-status"]')?.textContent?.includes('live'), { timeout: GUARD });
  await panel().evaluate(() => new Promise((r) => setTimeout(r, 1500)));
  await session.inspected.evaluate(() => (window as unknown as { chat(): Promise<void> }).chat());
  // The panel asked again for what the user had switched on: the capture resumed, and reports the page's new stream.
  await until('the new stream reported', async () => (await observedCount(`${app.url}/chat`)) > chats);
  assert.equal(await panel().$eval(byTestId('complete-toggle'), (b) => b.getAttribute('aria-pressed')), 'true');
  assert.equal(await panel().$(byTestId('complete-problem')), null);
  await session.screenshot(join(ARTIFACTS, 'devtools-complete-after-worker-restart-light.png'));
  await (await field('complete-toggle')).click();
});
