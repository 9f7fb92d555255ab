/**
 * "Opened before observing" in the REAL Chromium DevTools: an app whose EventSource and fetch POST
 * stream started before the user switched "Observe this tab" on. The hook installed then cannot
 * see them; the panel lists them from DevTools' network log (getHAR) as "opened before observing",
 * with what the log knows and the token masked, and not a stream that already ended. "Reload and
 * observe" on one of them reloads the page with the hook first: the EventSource then shows as an
 * observed connection and the list is empty.
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
const TOKEN = 'Bearer before-secret-0123456789';

const PAGE = `<!doctype html><meta charset="utf-8"><title>app before observing</title><h1>An app</h1><script>
window.got = 0;
window.es = new EventSource('/es');
window.es.onmessage = () => window.got++;
fetch('/chat', { method: 'POST', headers: { Authorization: ${JSON.stringify(TOKEN)} }, body: '{"q":"hi"}' }).then(async (r) => { const rd = r.body.getReader(); for (;;) { if ((await rd.read()).done) break; } });
fetch('/done').then((r) => r.text()).then(() => (window.doneRead = true));
</script><iframe src="/frame"></iframe>`;

// In a frame: one stream that ended (its resource timing is the frame's own) and one still open.
const FRAME = `<!doctype html><meta charset="utf-8"><script>
fetch('/frame-done').then((r) => r.text()).then(() => (parent.frameDone = true));
new EventSource('/frame-es');
</script>`;

function startApp(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (req.url === '/frame') return void res.writeHead(200, { 'content-type': 'text/html' }).end(FRAME);
    if (req.url === '/done' || req.url === '/frame-done') return void res.writeHead(200, { 'content-type': 'text/event-stream' }).end('data: short\n\n');
    if (req.url !== '/es' && req.url !== '/chat' && req.url !== '/frame-es') return void res.writeHead(404).end();
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let n = 0;
    const tick = () => res.write(`id: ${++n}\ndata: tick ${n}\n\n`);
    tick();
    const timer = setInterval(tick, 200);
    res.on('close', () => clearInterval(timer));
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}

let app: Awaited<ReturnType<typeof startApp>>;
let session: DevtoolsSession;
const panel = (): Frame => session.panel;
const { field } = panelActions(panel, GUARD);
const OBSERVED = `${byTestId('observed-group')} ${byTestId('connection-item')}`;

before(async () => {
  app = await startApp();
  session = await launchDevtools();
  // DevTools' network log starts when DevTools (re)loads, and a theme switch reloads it: switch first.
  await session.setTheme('dark');
  await loadApp();
});

async function loadApp(): Promise<void> {
  await session.inspected.goto(`${app.url}/`);
  await session.inspected.waitForFunction(() => (window as unknown as { got: number; doneRead?: true }).got >= 2 && (window as unknown as { doneRead?: true }).doneRead && (window as unknown as { frameDone?: true }).frameDone, { timeout: GUARD, polling: 100 });
}

after(async () => {
  await session?.close();
  await app?.close();
});

const items = (): Promise<string[]> => panel().$$eval(byTestId('before-observing-item'), (els) => els.map((e) => e.textContent ?? ''));

test('streams the page opened before observing are listed as such, with what DevTools\' log knows, the token masked', async () => {
  await panel().waitForFunction((origin: string) => document.querySelector('[data-testid="observe-toggle"]')?.getAttribute('title')?.includes(origin), { timeout: GUARD }, app.url);
  await (await field('observe-toggle')).click();
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="before-observing-item"]').length === 3, { timeout: GUARD });
  // Folded, the observe bar's line counts them with a warning mark; the list is behind its disclosure.
  assert.equal(await panel().$eval('[data-testid="observe-bar-tally"][data-key="before"]', (t) => `${t.getAttribute('data-warn')} ${t.textContent}`), 'true ⚠ 3 streams from before observing');
  await (await field('observe-bar-details-toggle')).click();
  const [es, frameEs, chat] = [...(await items())].sort((a, b) => a.localeCompare(b));
  assert.match(es!, /opened before observing\s*GET http:\/\/127\.0\.0\.1:\d+\/es.*EventSource · status 200 · started .* by parser .*· \d+ events? so far, last id \d+/);
  assert.match(chat!, /opened before observing\s*POST http:\/\/127\.0\.0\.1:\d+\/chat.*fetch · status 200/);
  assert.match(frameEs!, /GET http:\/\/127\.0\.0\.1:\d+\/frame-es.*EventSource.*Opened by a frame of the page: after a reload the frame gets its hook as it loads/);
  assert.ok(!(await items()).some((t) => t.includes('done')), 'a stream that ended is not listed, in the page or in its frame');
  // The hook installed now cannot see them: no observed connection for them.
  assert.equal(await panel().$(OBSERVED), null);
  for (const d of await panel().$$('.before-headers')) await d.evaluate((el) => ((el as HTMLDetailsElement).open = true));
  const text = await panel().evaluate(() => document.body.innerText);
  assert.match(text, /Authorization\s*Bearer \[redacted\]/);
  assert.ok(!text.includes('before-secret'), 'the token in DevTools\' log is masked');
  await session.screenshot(join(ARTIFACTS, 'devtools-before-observing-dark.png'));
});

test('a stream from before observing leaves the list when it ends, without the user asking', async () => {
  // The list was read when the user switched observing on; the page (or the server) goes on closing streams.
  await session.inspected.evaluate(() => (window as unknown as { es: EventSource }).es.close());
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="before-observing-item"]').length === 2, { timeout: GUARD });
  assert.ok(!(await items()).some((t) => /\/es\b/.test(t)), 'the closed EventSource is gone');
});

test('"Reload and observe" on one: the page opens it again with the hook first, and it shows as observed', async () => {
  await session.setTheme('light');
  // DevTools' log is new, and the page loaded again (no hook: only a reload from the panel installs it first): its streams are from before observing again.
  await loadApp();
  await panel().waitForFunction(() => document.querySelectorAll('[data-testid="before-observing-item"]').length === 3, { timeout: GUARD });
  await (await field('observe-bar-details-toggle')).click();
  await session.screenshot(join(ARTIFACTS, 'devtools-before-observing-light.png'));
  await (await field('before-reload')).click();
  await panel().waitForFunction((sel: string, u: string) => [...document.querySelectorAll(`${sel} .label`)].some((l) => l.getAttribute('title') === u), { timeout: GUARD }, OBSERVED, `${app.url}/es`);
  await panel().waitForFunction(() => document.querySelector('[data-testid="before-observing-status"]')?.textContent?.startsWith('No stream of this page is open from before observing'), { timeout: GUARD });
  assert.deepEqual(await items(), []);
  await session.screenshot(join(ARTIFACTS, 'devtools-before-observing-reloaded.png'));
});
