/**
 * HTTP/1.1's six connections per origin (issue 14, the doctor's `six-connections`), in the REAL
 * DevTools with the real page hook: a page on a 127.0.0.1 HTTP/1.1 server opens seven EventSource
 * streams to its own origin. Chromium gives them six connections: six streams are open, the
 * seventh never gets its response. The panel counts the tab's open and waiting streams per origin,
 * learns the origin's HTTP version from DevTools' network log, and each observed stream's Health
 * says so, with its evidence; the seventh's row says it is waiting. Two streams: no finding.
 */
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'puppeteer-core';
import { ARTIFACTS } from '../helpers/browser.js';
import { launchDevtools, type DevtoolsSession } from '../helpers/devtools.js';
import { byTestId, panelActions } from '../helpers/devtools-actions.js';

const GUARD = 30_000;
const OBSERVED = `${byTestId('observed-group')} ${byTestId('connection-item')}`;

const PAGE = `<!doctype html><meta charset="utf-8"><title>seven streams</title><h1>Streams to one origin</h1><script>
const sources = [];
let opened = 0;
window.openStreams = (n) => { for (let i = 0; i < n; i++) { const es = new EventSource('/events?stream=' + ++opened); es.onmessage = () => {}; sources.push(es); } };
window.closeStreams = () => { sources.splice(0).forEach((es) => es.close()); };
window.openCount = () => sources.filter((es) => es.readyState === 1).length;
</script>`;

/** A well-behaved HTTP/1.1 stream (ids, no-cache, an event every 300 ms) and the page that opens them. */
function startServer(): Promise<{ url: string; answered: () => number; close(): Promise<void> }> {
  const open = new Set<ServerResponse>();
  let answered = 0;
  const server = createServer((req, res) => {
    if (req.url === '/page.html') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    if (!req.url?.startsWith('/events')) return void res.writeHead(404).end();
    answered++;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let id = 0;
    const tick = () => res.write(`id: ${++id}\ndata: tick ${id}\n\n`);
    tick();
    const timer = setInterval(tick, 300);
    open.add(res);
    res.on('close', () => (clearInterval(timer), open.delete(res)));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        answered: () => answered,
        close: () => {
          for (const res of open) res.destroy();
          server.closeAllConnections();
          return new Promise<void>((done) => server.close(() => done()));
        },
      }),
    ),
  );
}

let app: Awaited<ReturnType<typeof startServer>>;
let session: DevtoolsSession;
const panel = (): Frame => session.panel;
const { field } = panelActions(panel, GUARD);

before(async () => {
  app = await startServer();
  session = await launchDevtools();
  await session.inspected.goto(`${app.url}/page.html`);
});

after(async () => {
  await session?.close();
  await app?.close();
});

interface Item {
  url: string;
  phase: string;
  state: string;
  badge: string | null;
}

const items = (): Promise<Item[]> =>
  panel().$$eval(OBSERVED, (els) =>
    els.map((el) => ({
      url: el.querySelector('.label')?.getAttribute('title') ?? '',
      phase: el.getAttribute('data-phase') ?? '',
      state: el.querySelector('[data-testid="connection-state"]')?.textContent ?? '',
      badge: el.querySelector('[data-testid="health-badge"]')?.getAttribute('data-severity') ?? null,
    })),
  );

async function select(url: string): Promise<void> {
  for (const item of await panel().$$(OBSERVED)) {
    if ((await item.$eval('.label', (l) => l.getAttribute('title'))) === url) {
      await item.click();
      await panel().waitForFunction((u: string) => document.querySelector('[data-testid="connection-item"][aria-selected="true"] .label')?.getAttribute('title') === u, { timeout: GUARD }, url);
      return;
    }
  }
  assert.fail(`no observed stream ${url}`);
}

/**
 * The six-connections finding of the selected connection, once its evidence says `version`. DevTools'
 * network log starts again when DevTools reloads (a theme switch does): the streams opened before
 * are not in it, so their version is unknown then.
 */
async function sixConnectionsFinding(version: RegExp = /\(over HTTP\/1\.1\)/): Promise<{ evidence: string[]; seqs: string[] }> {
  const selector = `${byTestId('health-view')} [data-code="six-connections"]`;
  await panel().waitForFunction((sel: string, v: string) => new RegExp(v).test(document.querySelector(`${sel} .health-evidence`)?.textContent ?? ''), { timeout: GUARD }, selector, version.source);
  return panel().$eval(selector, (f) => ({
    evidence: [...f.querySelectorAll('.health-evidence li')].map((li) => li.textContent ?? ''),
    seqs: [...f.querySelectorAll('[data-testid="health-evidence"]')].map((b) => b.getAttribute('data-seq') ?? ''),
  }));
}

const streamUrl = (n: number): string => `${app.url}/events?stream=${n}`;

test('seven EventSource streams to one HTTP/1.1 origin: six open, the seventh waits, and each says why in its Health', async () => {
  await panel().waitForFunction((origin: string) => document.querySelector('[data-testid="observe-toggle"]')?.getAttribute('title')?.includes(origin), { timeout: GUARD }, app.url);
  await (await field('observe-toggle')).click();
  await panel().waitForFunction(() => document.querySelector('[data-testid="observe-status"]')?.textContent?.includes('hook active'), { timeout: GUARD });
  await session.inspected.evaluate(() => (window as unknown as { openStreams(n: number): void }).openStreams(7));

  // What the browser did: six streams answered, the seventh queued behind them.
  await session.inspected.waitForFunction(() => (window as unknown as { openCount(): number }).openCount() === 6, { timeout: GUARD });
  await panel().waitForFunction((sel: string) => document.querySelectorAll(sel).length === 7, { timeout: GUARD }, OBSERVED);
  await panel().waitForFunction((sel: string) => [...document.querySelectorAll(sel)].filter((e) => e.getAttribute('data-phase') === 'open').length === 6, { timeout: GUARD }, OBSERVED);
  assert.equal(app.answered(), 6, 'the server answered six requests; the seventh never reached it');

  // Every one of the tab's streams to the origin carries the warning (seven open or waiting, five is the threshold).
  await panel().waitForFunction((sel: string) => [...document.querySelectorAll(sel)].every((e) => e.querySelector('[data-testid="health-badge"]')?.getAttribute('data-severity') === 'warning'), { timeout: GUARD }, OBSERVED);
  const listed = await items();
  const waiting = listed.filter((i) => i.phase === 'connecting');
  assert.equal(waiting.length, 1, 'one stream has no response');
  assert.match(waiting[0]!.state, /^waiting for its response for \d/, 'its row says it is waiting');

  // The waiting one: its request row is the evidence, with the count and the origin's version from DevTools' network log.
  await select(waiting[0]!.url);
  const pending = await sixConnectionsFinding();
  assert.match(pending.evidence[0]!, /7 streams of this origin are open or waiting in the tab \(over HTTP\/1\.1\); the limit is 6; this request has no response yet/);
  assert.equal(pending.seqs[0], await panel().$eval('[data-testid="timeline-row"][data-kind="attempt-started"]', (r) => r.getAttribute('data-seq')), 'linked to its request row');
  await session.screenshot(join(ARTIFACTS, 'devtools-six-connections-waiting-light.png'));

  // An open one: its response row, the same count.
  const open = listed.find((i) => i.phase === 'open')!;
  await select(open.url);
  const answered = await sixConnectionsFinding();
  assert.match(answered.evidence[0]!, /^row \d+ ?7 streams of this origin are open or waiting in the tab \(over HTTP\/1\.1\); the limit is 6$/);
  assert.equal(answered.seqs[0], await panel().$eval('[data-testid="timeline-row"][data-kind="response"]', (r) => r.getAttribute('data-seq')), 'linked to its response row');
  await session.screenshot(join(ARTIFACTS, 'devtools-six-connections-open-light.png'));

  // DevTools reopened (here: its theme switched) has a fresh network log: the count stands, the version is unknown.
  await session.setTheme('dark');
  await select(waiting[0]!.url);
  await sixConnectionsFinding(/\(HTTP version unknown\)/);
  await session.screenshot(join(ARTIFACTS, 'devtools-six-connections-waiting-dark.png'));
  await session.setTheme('light');
});

test('two streams to the origin: no six-connections finding, and the ended seven lose theirs', async () => {
  // The seventh has waited long enough for a wait to count as no response (2 s).
  await panel().waitForFunction(
    (sel: string, u: string) => [...document.querySelectorAll(sel)].some((e) => e.querySelector('.label')?.getAttribute('title') === u && /waiting for its response for ([2-9]|\d\d+(\.\d+)?) s/.test(e.textContent ?? '')),
    { timeout: GUARD },
    OBSERVED,
    streamUrl(7),
  );
  await session.inspected.evaluate(() => (window as unknown as { closeStreams(): void }).closeStreams());
  await panel().waitForFunction((sel: string) => [...document.querySelectorAll(sel)].every((e) => e.getAttribute('data-phase') === 'closed'), { timeout: GUARD }, OBSERVED);
  await session.inspected.evaluate(() => (window as unknown as { openStreams(n: number): void }).openStreams(2));
  await panel().waitForFunction((sel: string) => [...document.querySelectorAll(sel)].filter((e) => e.getAttribute('data-phase') === 'open').length === 2, { timeout: GUARD }, OBSERVED);
  const now = (await items()).filter((i) => i.phase === 'open');
  assert.deepEqual(now.map((i) => i.url).sort(), [streamUrl(8), streamUrl(9)]);
  // The six that were answered lose their warning with the crowd. The seventh never got a response
  // before the page closed it: that stays true (no-response), and names the browser's queue.
  const answered = [1, 2, 3, 4, 5, 6, 8, 9].map(streamUrl);
  await panel().waitForFunction(
    (sel: string, urls: string[]) =>
      [...document.querySelectorAll(sel)]
        .filter((e) => urls.includes(e.querySelector('.label')?.getAttribute('title') ?? ''))
        .every((e) => e.querySelector('[data-testid="health-badge"]')?.getAttribute('data-severity') !== 'warning'),
    { timeout: GUARD },
    OBSERVED,
    answered,
  );
  await select(streamUrl(7));
  if (!(await panel().$(byTestId('health-view')))) await (await field('health-toggle')).click();
  const waited = await panel().waitForSelector(`${byTestId('health-view')} [data-code="no-response"]`, { timeout: GUARD });
  assert.match(await waited!.evaluate((el) => (el as HTMLElement).innerText), /six connections per origin/, 'the seventh: the browser may never have sent it');
  assert.equal(await panel().$(`${byTestId('health-view')} [data-code="six-connections"]`), null, 'the crowd is gone');
  await select(streamUrl(9));
  if (!(await panel().$(byTestId('health-view')))) await (await field('health-toggle')).click();
  await panel().waitForSelector(byTestId('health-view'), { timeout: GUARD });
  assert.equal(await panel().$(`${byTestId('health-view')} [data-code="six-connections"]`), null, 'two streams: no finding');
  await session.screenshot(join(ARTIFACTS, 'devtools-six-connections-two-light.png'));
});
