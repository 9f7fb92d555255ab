/**
 * A fast production stream while Chrome stops the service worker at random moments: whatever the
 * server sent must end up in the panel and in an export exactly once, because every restart resumes
 * from what was stored (never from what was only received). Real Chromium, real IndexedDB, CDP's
 * ServiceWorker.stopAllWorkers, a real server at about 10 000 events/s; and a 100 000-event burst
 * sent as fast as the socket takes it, with the worker stopped in the middle.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { parseCapture } from '../../src/core/capture/schema.js';
import { ARTIFACTS, launchWithExtension, setRetention, type ExtensionBrowser } from '../helpers/browser.js';
import { startFastServer, type FastServer } from '../helpers/fast-server.js';
import { sleep, until } from '../helpers/raw-server.js';

const TOTAL = 60_000;
const STOPS = 5;
const GUARD = 60_000;

let server: FastServer;
let browser: ExtensionBrowser;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startFastServer({ total: TOTAL, perSecond: 10_000 });
  browser = await launchWithExtension();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function exportAll(page: Page) {
  await page.getByTestId('export-selected').click();
  await page.getByTestId('export-dialog').waitFor({ timeout: GUARD });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-save').click()]);
  const parsed = parseCapture(readFileSync(await download.path(), 'utf8'));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n'));
  return parsed.capture;
}

/** Every id 1..total exactly once, in order, or what is missing and repeated. */
function assertEveryIdOnce(ids: number[], total: number, context: string): void {
  const counts = new Map<number, number>();
  for (const n of ids) counts.set(n, (counts.get(n) ?? 0) + 1);
  const missing: number[] = [];
  for (let n = 1; n <= total; n++) if (!counts.has(n)) missing.push(n);
  const repeated = [...counts].filter(([, c]) => c > 1).map(([n]) => n);
  assert.deepEqual(missing.slice(0, 20), [], `${missing.length} ids missing (${context})`);
  assert.deepEqual(repeated.slice(0, 20), [], `${repeated.length} ids repeated (${context})`);
  assert.deepEqual(ids, Array.from({ length: total }, (_, i) => i + 1), 'in order');
}

test('stopping the worker at random moments during a fast stream loses no event and repeats none', async () => {
  const page = await browser.openPanel();
  await page.getByTestId('url-input').fill(server.url);
  await page.getByTestId('header-value').first().fill('Bearer fast');
  await page.getByTestId('toggle-reconnect').click();
  await page.getByTestId('reconnect-delay').fill('200');
  await page.getByTestId('connect-button').click();
  const item = page.getByTestId('connection-item').first();
  await item.waitFor({ timeout: GUARD });

  const delays: number[] = [];
  for (let i = 0; i < STOPS; i++) {
    const before = server.responses.length;
    await until('the stream to be flowing', () => (server.responses.at(-1)?.last ?? 0) > 0 && server.responses.length === before, GUARD);
    const delay = 300 + Math.floor(Math.random() * 1200);
    delays.push(delay);
    await sleep(delay);
    if ((server.responses.at(-1)?.last ?? 0) >= TOTAL) break;
    await browser.stopWorker();
    // The panel wakes the worker again; it resumes with a new request.
    await until(`the stream to resume after stop ${i + 1}`, () => server.responses.length > before, GUARD);
  }
  await until('the server to have sent everything and the connection to stop', async () => (await item.getAttribute('data-phase')) === 'closed', GUARD);

  const sent = new Set<number>();
  for (const r of server.responses) for (let n = r.first; n > 0 && n <= r.last; n++) sent.add(n);
  assert.equal(sent.size, TOTAL, 'the server sent every id at least once');

  const capture = await exportAll(page);
  const entries = capture.connections[0]!.entries;
  const ids = entries.flatMap((e) => (e.kind === 'event' ? [Number(e.id)] : []));
  assertEveryIdOnce(ids, TOTAL, `stops after ${delays.join(', ')} ms; ${server.responses.length} responses`);

  // Each restart says where it resumed: the last id stored before it, which is what the server got.
  const restarts = entries.flatMap((e, i) => (e.kind === 'worker-restarted' ? [i] : []));
  assert.ok(restarts.length >= 1, 'the worker was restarted');
  for (const at of restarts) {
    const lastBefore = entries.slice(0, at).filter((e) => e.kind === 'event').at(-1);
    const said = /Last-Event-ID (\S+)/.exec((entries[at] as { detail: string }).detail)?.[1];
    assert.equal(said, lastBefore?.kind === 'event' ? lastBefore.lastEventId : undefined, 'the restart row names the last stored id');
  }
  assert.match((await item.textContent()) ?? '', new RegExp(`${TOTAL.toLocaleString('en-US')} events`), 'the connection counts each event once');
  await page.screenshot({ path: join(ARTIFACTS, 'worker-stops.png') });
  await page.close();
});

test('a worker stopped in the middle of a 100 000-event burst resumes, and the panel shows every id the server sent exactly once', async () => {
  const total = 100_000;
  // 10 000 events per 10 ms tick: as fast as the socket and the worker's backpressure allow.
  const burst = await startFastServer({ total, perSecond: 1_000_000 });
  try {
    const page = await browser.openPanel();
    // Room for the whole burst and the rows around it: nothing may be dropped by the cap.
    await setRetention(page, 200000);
    await page.getByTestId('url-input').fill(burst.url);
    await page.getByTestId('toggle-reconnect').click();
    await page.getByTestId('reconnect-delay').fill('200');
    await page.getByTestId('connect-button').click();
    const item = page.getByTestId('connection-item').filter({ hasText: new URL(burst.url).host });
    await item.waitFor({ timeout: GUARD });

    // The socket takes the whole burst at once; what counts is what the worker has stored, which the panel shows.
    const shown = async () => Number(/([\d,]+) events/.exec((await item.textContent()) ?? '')?.[1]?.replaceAll(',', '') ?? 0);
    await until('the burst to be under way', async () => (await shown()) >= total / 10, GUARD);
    const shownBeforeStop = await shown();
    await browser.stopWorker();
    await until('the stream to resume after the stop', () => burst.responses.length > 1, GUARD);
    await until('the server to have sent everything and the connection to stop', async () => (await item.getAttribute('data-phase')) === 'closed', GUARD);

    const sent = new Set<number>();
    for (const r of burst.responses) for (let n = r.first; n > 0 && n <= r.last; n++) sent.add(n);
    assert.equal(sent.size, total, 'the server sent every id at least once');
    assert.ok(Number(burst.responses[1]!.lastEventId) < total, 'the worker was stopped before it had the whole burst');

    await item.click();
    const capture = await exportAll(page);
    const entries = capture.connections.find((c) => c.config.url === burst.url)!.entries;
    const ids = entries.flatMap((e) => (e.kind === 'event' ? [Number(e.id)] : []));
    assertEveryIdOnce(ids, total, `stopped with ${shownBeforeStop} shown; ${burst.responses.length} responses resuming after ${burst.responses.map((r) => r.lastEventId).join(', ')}`);
    const restarted = entries.find((e) => e.kind === 'worker-restarted');
    assert.ok(restarted, 'a worker-restarted row says so');
    assert.equal(burst.responses[1]!.lastEventId, /Last-Event-ID (\S+)/.exec(restarted.kind === 'worker-restarted' ? restarted.detail : '')?.[1], 'it resumed with the Last-Event-ID the row names');
    await page.close();
  } finally {
    await burst.close();
  }
});
