/**
 * A lab connection keeps its own cookies; Chrome stopping the service worker must not make it a
 * stranger to its server. Real Chromium, the worker stopped with CDP, a real server whose own
 * request log says which cookie the resumed attempt carried. The cookie is a secret: it may sit in
 * storage.session for the browser session, never in IndexedDB (on disk), and goes when the
 * connection is removed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser.js';
import { sseHead, startRawServer, until, type RawServer } from '../helpers/raw-server.js';

const GUARD = 30_000;
const SESSION = 'sid=abc-7Hq2xZ';
const VALUE = SESSION.split('=')[1]!;

let server: RawServer;
let browser: ExtensionBrowser;

before(async () => {
  // A session server: a request without its cookie gets one; each request gets one event, and the
  // stream stays open until the client goes.
  server = await startRawServer(async (res, req, index) => {
    if (!(req.headers.cookie ?? '').includes('sid=')) res.setHeader('Set-Cookie', `${SESSION}; Path=/; HttpOnly; Max-Age=3600`);
    sseHead(res);
    res.write(`id: ${index + 1}\ndata: request ${index + 1}\n\n`);
    await new Promise((r) => res.on('close', r));
  });
  browser = await launchWithExtension();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Everything the extension keeps for the browser session, and everything it keeps on disk, as text. */
const sessionStorage = () => browser.worker.evaluate<string>('chrome.storage.session.get(null).then((all) => JSON.stringify(all))');
const diskStorage = () =>
  browser.worker.evaluate<string>(`new Promise((resolve, reject) => {
    const open = indexedDB.open('sse-devtools');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction([...db.objectStoreNames], 'readonly');
      const all = [...db.objectStoreNames].map((name) => new Promise((done) => { const r = tx.objectStore(name).getAll(); r.onsuccess = () => done(r.result); }));
      Promise.all(all).then((stores) => resolve(JSON.stringify(stores)), reject);
    };
  })`);

test('after Chrome stops the worker, the resumed attempt carries the cookie the server set, which was never on disk', async () => {
  const page = await browser.openPanel();
  await page.getByTestId('url-input').fill(server.url);
  await page.getByTestId('connect-button').click();
  const item = page.getByTestId('connection-item').first();
  await item.waitFor({ timeout: GUARD });
  await page.getByTestId('timeline-row').filter({ hasText: 'request 1' }).waitFor({ timeout: GUARD });
  assert.equal(server.requests[0]!.headers.cookie, undefined, 'the first attempt had no cookie');
  // Kept for the browser session before the worker goes.
  await until('the cookie to be kept for the session', async () => (await sessionStorage()).includes(VALUE), GUARD);

  await browser.stopWorker();
  await until('the background to resume the connection', () => server.requests.length >= 2, GUARD);
  const resumed = server.requests[1]!;
  assert.equal(resumed.headers['last-event-id'], '1', 'it resumed after the last stored event');
  assert.equal(resumed.headers.cookie, SESSION, "the resumed attempt carried the connection's cookie");
  await page.getByTestId('timeline-row').filter({ hasText: 'request 2' }).waitFor({ timeout: GUARD });
  await page.locator('[data-testid="timeline-row"][data-kind="worker-restarted"]').waitFor({ timeout: GUARD });

  assert.ok(!(await diskStorage()).includes(VALUE), 'the cookie never reached IndexedDB');
  await item.getByTestId('remove-button').click();
  await until('the removed connection to be forgotten', async () => !(await sessionStorage()).includes(VALUE), GUARD);
  await page.close();
});
