/**
 * The panel opened as an extension tab in real Chromium (recipe A), against real local servers:
 * the fast home for the panel's behaviours. The real DevTools flows are in devtools-panel.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { parseCapture } from '../../src/core/capture/schema.js';
import type { CaptureFile } from '../../src/core/capture/format.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { ARTIFACTS, launchWithExtension, openConnectForm, setRetention, type ExtensionBrowser } from '../helpers/browser.js';
import { startFastServer } from '../helpers/fast-server.js';
import { sseHead, startRawServer, type RawServer } from '../helpers/raw-server.js';

let server: ScenarioServer;
let browser: ExtensionBrowser;
const raws: RawServer[] = [];
const GUARD = 20_000;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startScenarioServer({ intervalMs: 100, heartbeatMs: 700 });
  browser = await launchWithExtension();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await Promise.all(raws.map((r) => r.close()));
});

let tagNo = 0;
const tagged = (query = '') => {
  const tag = `p${++tagNo}`;
  return { url: `${server.url}/events?tag=${tag}${query ? `&${query}` : ''}`, mine: () => server.streamRequests().filter((r) => r.query.tag === tag) };
};

async function connect(page: Page, url: string, options: { token?: string; reconnectDelay?: number; maxAttempts?: number } = {}): Promise<void> {
  await openConnectForm(page);
  await page.getByTestId('url-input').fill(url);
  await page.getByTestId('header-value').first().fill(options.token ?? 'Bearer demo-token');
  if (options.reconnectDelay !== undefined || options.maxAttempts !== undefined) {
    if ((await page.getByTestId('reconnect-delay').count()) === 0) await page.getByTestId('toggle-reconnect').click();
    if (options.reconnectDelay !== undefined) await page.getByTestId('reconnect-delay').fill(String(options.reconnectDelay));
    if (options.maxAttempts !== undefined) await page.getByTestId('max-attempts').fill(String(options.maxAttempts));
  }
  const before = await page.getByTestId('connection-item').count();
  await page.getByTestId('connect-button').click();
  await page.getByTestId('connection-item').nth(before).waitFor({ timeout: GUARD });
}

const rows = (page: Page, kind?: string) => page.locator(`[data-testid="timeline-row"]${kind ? `[data-kind="${kind}"]` : ''}`);

async function exportSelected(page: Page): Promise<{ text: string; capture: CaptureFile }> {
  await page.getByTestId('export-selected').click();
  await page.getByTestId('export-dialog').waitFor({ timeout: GUARD });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-save').click()]);
  const path = await download.path();
  const text = readFileSync(path, 'utf8');
  const parsed = parseCapture(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n'));
  return { text, capture: parsed.capture };
}

async function waitForCount(page: Page, kind: string, n: number): Promise<void> {
  await page.waitForFunction(([k, count]) => document.querySelectorAll(`[data-testid="timeline-row"][data-kind="${k}"]`).length >= count, [kind, n] as const, { timeout: GUARD });
}

describe('the connection form', () => {
  test('bad input gets a clear message next to its field, and nothing is sent', async () => {
    const page = await browser.openPanel();
    const requestsBefore = server.requests.length;
    const cases: [string, string, string, RegExp][] = [
      ['not a url', 'Authorization', 'url', /Not a valid absolute URL/],
      ['ftp://127.0.0.1/x', 'Authorization', 'url', /Only http and https/],
      [`${server.url}/events`, 'Bad Name', 'headers.0', /Invalid header name "Bad Name"/],
    ];
    for (const [url, headerName, field, message] of cases) {
      await page.getByTestId('url-input').fill(url);
      await page.getByTestId('header-name').first().fill(headerName);
      await page.getByTestId('connect-button').click();
      const error = page.locator(`[data-testid="field-error"][data-field="${field}"]`);
      await error.waitFor({ timeout: GUARD });
      assert.match((await error.textContent()) ?? '', message);
    }
    await page.getByTestId('idle-timeout').fill('soon');
    await page.getByTestId('header-name').first().fill('Authorization');
    await page.getByTestId('connect-button').click();
    await page.locator('[data-testid="field-error"][data-field="idleTimeoutMs"]').waitFor({ timeout: GUARD });
    assert.equal(await page.getByTestId('connection-item').count(), 0, 'no connection was opened');
    assert.equal(server.requests.length, requestsBefore, 'the server saw no request');
    await page.close();
  });

  test('secret header values are hidden until revealed, and recent connections keep no secret', async () => {
    const page = await browser.openPanel();
    const value = page.getByTestId('header-value').first();
    await value.fill('Bearer demo-token');
    assert.equal(await value.getAttribute('type'), 'password');
    await page.getByTestId('header-reveal').first().click();
    assert.equal(await page.getByTestId('header-value').first().getAttribute('type'), 'text');
    const { url } = tagged('count=1');
    await connect(page, url, { maxAttempts: 1 });
    await openConnectForm(page);
    await page.getByTestId('recent-item').first().waitFor({ timeout: GUARD });
    const stored = await page.evaluate(() => localStorage.getItem('sse-devtools:recent') ?? '');
    assert.match(stored, /tag=p/);
    assert.doesNotMatch(stored, /demo-token/);
    // One click refills the form and asks for the secret it did not keep.
    await page.getByTestId('recent-item').first().click();
    const error = page.locator('[data-testid="field-error"][data-field="headers.0"]');
    await error.waitFor({ timeout: GUARD });
    assert.match((await error.textContent()) ?? '', /Enter the value of Authorization/);
    await page.close();
  });
});

describe('the timeline', () => {
  test('events of several channels appear with ids; channel, text and heartbeat filters narrow the rows', async () => {
    const page = await browser.openPanel();
    const { url } = tagged();
    await connect(page, url);
    await waitForCount(page, 'event', 8);
    await waitForCount(page, 'comment', 1);
    const channels = await page.getByTestId('channel-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-channel')));
    assert.deepEqual(channels, ['chat', 'price', 'status']);
    const firstEvent = rows(page, 'event').first();
    assert.equal(await firstEvent.getAttribute('data-channel'), 'chat');
    assert.match((await firstEvent.textContent()) ?? '', /chat1\{"n":1,"channel":"chat"/);

    await page.locator('[data-testid="channel-item"][data-channel="price"]').click();
    const shown = await rows(page, 'event').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-channel')))]);
    assert.deepEqual(shown, ['price']);
    await page.locator('[data-testid="channel-item"][data-channel="chat"]').click({ modifiers: ['Control'] });
    const two = await rows(page, 'event').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-channel') ?? ''))].sort((a, b) => a.localeCompare(b)));
    assert.deepEqual(two, ['chat', 'price']);
    await page.getByTestId('channel-all').click();

    await page.getByTestId('filter-input').fill('"n":5,');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="event"]').length === 1, undefined, { timeout: GUARD });
    await page.getByTestId('filter-input').fill('');

    await page.getByTestId('toggle-comments').uncheck();
    assert.equal(await rows(page, 'comment').count(), 0);
    await page.getByTestId('toggle-comments').check();

    await rows(page, 'event').nth(2).click();
    await page.getByTestId('json-tree').waitFor({ timeout: GUARD });
    assert.match((await page.getByTestId('detail-pane').textContent()) ?? '', /channel:/);
    await page.screenshot({ path: join(ARTIFACTS, 'panel-tab-light.png') });
    await page.getByTestId('disconnect-button').last().click();
    await page.locator('[data-testid="connection-item"][data-phase="closed"]').last().waitFor({ timeout: GUARD });
    await page.close();
  });

  test('a 401 shows http-error 401 and does not reconnect', async () => {
    const page = await browser.openPanel();
    const { url, mine } = tagged();
    await connect(page, url, { token: 'Bearer expired', reconnectDelay: 100 });
    await waitForCount(page, 'stopped', 1);
    assert.match((await rows(page, 'attempt-ended').first().textContent()) ?? '', /http-error 401/);
    assert.equal(await rows(page, 'reconnect-scheduled').count(), 0);
    assert.match((await page.getByTestId('connection-state').last().textContent()) ?? '', /closed: http-error/);
    assert.equal(mine().length, 1);
    await page.close();
  });

  test('stream data is rendered as text and runs nothing', async () => {
    const hostile = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>';
    const raw = await startRawServer((res) => {
      sseHead(res);
      res.end(`event: <b>bold</b>\nid: <i>1</i>\ndata: ${hostile}\n\n`);
    });
    raws.push(raw);
    const page = await browser.openPanel();
    let dialog = false;
    page.on('dialog', (d) => ((dialog = true), void d.dismiss()));
    await connect(page, raw.url, { maxAttempts: 1 });
    await waitForCount(page, 'event', 1);
    const row = rows(page, 'event').first();
    assert.ok(((await row.textContent()) ?? '').includes(hostile));
    await row.click();
    await page.getByTestId('detail-data').waitFor({ timeout: GUARD });
    assert.equal(await page.getByTestId('detail-data').textContent(), hostile);
    assert.equal(await page.locator('#root img, #root script, #root b, #root i').count(), 0, 'no element was created from stream data');
    assert.notEqual(await page.title(), 'pwned');
    assert.equal(dialog, false);
    await page.close();
  });

  test('a gap in numeric ids is flagged with how many are missing', async () => {
    const raw = await startRawServer((res) => {
      sseHead(res);
      res.end('id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 5\ndata: c\n\nid: 6\ndata: d\n\n');
    });
    raws.push(raw);
    const page = await browser.openPanel();
    await connect(page, raw.url, { maxAttempts: 1 });
    await waitForCount(page, 'event', 4);
    const flags = page.getByTestId('gap-flag');
    assert.equal(await flags.count(), 1);
    assert.equal(await flags.first().textContent(), '⚠2');
    const flagged = page.locator('[data-testid="timeline-row"]', { has: flags });
    assert.match((await flagged.textContent()) ?? '', /5.*c/);
    await page.close();
  });

  test('100 000 retained entries are virtualized: the DOM holds only the visible rows', async () => {
    const total = 99_990;
    const raw = await startRawServer((res) => {
      sseHead(res);
      const parts: string[] = [];
      for (let i = 1; i <= total; i++) parts.push(`id: ${i}\nevent: ${i % 2 ? 'odd' : 'even'}\ndata: {"i":${i}}\n\n`);
      res.end(parts.join(''));
    });
    raws.push(raw);
    const page = await browser.openPanel();
    await connect(page, raw.url, { maxAttempts: 1 });
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="timeline"]')?.getAttribute('data-rows')) >= n, total, { timeout: 60_000 });
    assert.ok((await rows(page).count()) < 120, 'only a window of rows is in the DOM');
    // Following the bottom: the last event is on screen.
    await rows(page, 'event').filter({ hasText: `{"i":${total}}` }).waitFor({ timeout: GUARD });
    // Scrolling to the middle shows the middle rows.
    await page.getByTestId('timeline').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await rows(page, 'event').filter({ hasText: `{"i":${Math.round(total / 2)}}` }).first().waitFor({ timeout: GUARD });
    assert.match((await page.getByTestId('channel-all').textContent()) ?? '', /99,990/);
    await page.close();
  });

  test('the retention cap drops the oldest entries and the timeline says so', async () => {
    const page = await browser.openPanel();
    await setRetention(page, 1000);
    const raw = await startRawServer((res) => {
      sseHead(res);
      const parts: string[] = [];
      for (let i = 1; i <= 1500; i++) parts.push(`id: ${i}\ndata: ${i}\n\n`);
      res.end(parts.join(''));
    });
    raws.push(raw);
    await connect(page, raw.url, { maxAttempts: 1 });
    await waitForCount(page, 'entries-dropped', 1);
    assert.match((await rows(page, 'entries-dropped').first().textContent()) ?? '', /entries dropped.*retention cap of 1,000/);
    const retained = Number(await page.getByTestId('timeline').getAttribute('data-rows'));
    assert.ok(retained <= 1000, `${retained} rows retained`);
    await setRetention(page, 100000);
    await page.close();
  });
});

describe('production volume', () => {
  test('a burst of 200 000 events is counted whole by the panel, the newest are kept in order within its retention, and a panel opened afterwards gets the same', async (t) => {
    const total = 200_000;
    const fast = await startFastServer({ total, perSecond: 1_000_000 });
    const watchLongTasks = (page: Page) =>
      page.evaluate(() => {
        const w = window as unknown as { longTasks: number[] };
        w.longTasks = [];
        new PerformanceObserver((list) => w.longTasks.push(...list.getEntries().map((e) => Math.round(e.duration)))).observe({ type: 'longtask' });
      });
    const longTasks = (page: Page) => page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    const shown = (page: Page, n = total) => page.waitForFunction((count) => document.querySelector('[data-testid="channel-all"] .count')?.textContent === count.toLocaleString('en-US'), n, { timeout: 180_000, polling: 250 });
    try {
      const page = await browser.openPanel();
      // Retained whole: past the default cap of 100 000 the oldest would be dropped.
      await setRetention(page, 250000);
      await watchLongTasks(page);
      await connect(page, fast.url, { maxAttempts: 1 });
      await shown(page);
      const burstTasks = await longTasks(page);
      await page.locator('[data-testid="connection-item"][data-phase="closed"]').last().waitFor({ timeout: GUARD });
      const entries = (await exportSelected(page)).capture.connections[0]!.entries;
      const ids = entries.flatMap((e) => (e.kind === 'event' ? [Number(e.id)] : []));
      // The panel counted every event (the channel total above). What it retains is bounded by bytes
      // too (48 MiB estimated per connection, about 138 000 of these events), so the oldest may have
      // been dropped, said by an entries-dropped row; what is kept is the newest, whole and in order.
      assert.equal(ids.at(-1), total, 'the last event is in the panel');
      assert.ok(ids.every((id, i) => id === ids[0]! + i), 'in order, with no gap and no duplicate');
      assert.equal(ids[0]! > 1, entries.some((e) => e.kind === 'entries-dropped'), 'older events are gone only where a row says entries were dropped');
      // How long the panel's longest tasks were is a figure, not a verdict: on a loaded machine any
      // bound would fail at random (tasks of 200 ms were seen here under a load of 10 on 2 cores).
      // The ad hoc measurement in the commit message compares it with the previous code.
      t.diagnostic(`longest tasks during the burst (ms): ${burstTasks.sort((a, b) => b - a).slice(0, 5).join(', ') || 'none over 50'}`);
      await page.screenshot({ path: join(ARTIFACTS, 'panel-tab-burst.png') });

      const late = await browser.openPanel();
      await watchLongTasks(late);
      await late.locator(`[data-testid="connection-item"]`).last().click();
      // A panel opened later counts what is retained: it never saw the dropped ones.
      await shown(late, ids.length);
      const lateTasks = await longTasks(late);
      const lateIds = (await exportSelected(late)).capture.connections[0]!.entries.flatMap((e) => (e.kind === 'event' ? [Number(e.id)] : []));
      assert.deepEqual(lateIds, ids, 'the late panel holds the same events');
      t.diagnostic(`longest tasks while the late panel loaded 200 000 entries (ms): ${lateTasks.sort((a, b) => b - a).slice(0, 5).join(', ') || 'none over 50'}`);
      await page.getByTestId('remove-button').last().click();
      await setRetention(page, 100000);
      await page.close();
      await late.close();
    } finally {
      await fast.close();
    }
  });
});

describe('history, export and the background', () => {
  test('a panel opened later gets the whole history, then live entries, with no gap and no duplicate', async () => {
    const first = await browser.openPanel();
    const { url } = tagged('interval=50');
    await connect(first, url);
    await waitForCount(first, 'event', 10);
    const second = await browser.openPanel();
    await second.getByTestId('connection-item').last().click();
    await waitForCount(second, 'event', 30);
    await first.getByTestId('disconnect-button').last().click();
    await second.locator('[data-testid="connection-item"][data-phase="closed"]').last().waitFor({ timeout: GUARD });
    const a = (await exportSelected(first)).capture.connections[0]!.entries.map((e) => e.seq);
    const b = (await exportSelected(second)).capture.connections[0]!.entries.map((e) => e.seq);
    assert.deepEqual(b, a, 'both panels hold the same entries');
    assert.deepEqual(b, Array.from({ length: b.length }, (_, i) => i + 1), 'seq 1..n: no gap, no duplicate');
    await first.close();
    await second.close();
  });

  test('export produces a valid capture without the token', async () => {
    const page = await browser.openPanel();
    const { url } = tagged('count=3&token=qs-secret');
    await connect(page, url, { maxAttempts: 1 });
    await waitForCount(page, 'stopped', 1);
    const { text, capture } = await exportSelected(page);
    assert.doesNotMatch(text, /demo-token/);
    assert.doesNotMatch(text, /qs-secret/);
    assert.equal(capture.connections[0]!.entries.filter((e) => e.kind === 'event').length, 3);
    assert.ok(capture.redactions.length > 0);
    await page.close();
  });

  test('an exported open connection imports with the state, counts, bytes and attempts it had live', async () => {
    // The first attempt ends and the connection stops; reconnected by the user, the second stays
    // open and quiet, so what the panel shows live is what the export holds.
    const raw = await startRawServer((res, _req, index) => {
      sseHead(res);
      if (index === 0) res.end('id: 1\ndata: one\n\nid: 2\ndata: two\n\n: heartbeat\n\nid: 3\ndata: three\n\n');
      else res.write('id: 4\ndata: four\n\n: heartbeat\n\nid: 5\ndata: five\n\n');
    });
    raws.push(raw);
    const page = await browser.openPanel();
    await connect(page, raw.url, { maxAttempts: 1 });
    await waitForCount(page, 'stopped', 1);
    await page.getByTestId('reconnect-button').last().click();
    await waitForCount(page, 'event', 5);
    const id = await page.getByTestId('connection-item').last().getAttribute('data-id');
    const live = page.locator(`[data-testid="connection-item"][data-id="${id}"]`);
    await page.locator(`[data-testid="connection-item"][data-id="${id}"][data-phase="open"]`, { hasText: '5 events' }).waitFor({ timeout: GUARD });
    const shown = async (item: typeof live) => ({
      phase: await item.getAttribute('data-phase'),
      // Durations grow while a test runs: the words around them are what must agree.
      state: ((await item.getByTestId('connection-state').textContent()) ?? '').replace(/\d+(\.\d+)? (ms|s)\b/g, 'N'),
      stats: await item.locator('.stats > span').first().textContent(),
    });
    const before = await shown(live);
    const bars = async () => page.getByTestId('attempt-bar').evaluateAll((els) => els.map((e) => e.getAttribute('data-reason')));
    const liveBars = await bars();
    assert.deepEqual(liveBars, ['closed-by-server', 'open']);
    const { text } = await exportSelected(page);
    const path = join(ARTIFACTS, 'open-connection.json');
    writeFileSync(path, text);
    await page.getByTestId('open-capture-input').setInputFiles(path);
    const imported = page.getByTestId('connection-item').filter({ has: page.getByTestId('read-only') });
    await imported.waitFor({ timeout: GUARD });
    const after = await shown(imported);
    assert.equal(after.phase, before.phase);
    assert.equal(after.state, `${before.state} when captured`);
    assert.equal(after.stats, before.stats);
    assert.deepEqual(await bars(), liveBars);
    await live.getByTestId('disconnect-button').click();
    await page.close();
  });

  test('a token-expiry value never shows in the panel or an export; the export lists token-like URL parts', async () => {
    const expired = 'expired-key-7e6d5c4b3a';
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJlLWJ5dGVz';
    const page = await browser.openPanel();
    const { url, mine } = tagged(`interval=100&maxDuration=600&session=${jwt}`);
    await connect(page, url, { reconnectDelay: 100 });
    await waitForCount(page, 'event', 1);
    await page.getByTestId('fault-kind').selectOption('token-expiry');
    await page.getByTestId('fault-header').fill('X-Api-Key');
    await page.getByTestId('fault-value').fill(expired);
    assert.equal(await page.getByTestId('fault-value').getAttribute('type'), 'password', 'typed like a password');
    await page.getByTestId('fault-start').click();
    // The server ends each response after 600 ms; under load the first reconnect may leave before the
    // simulation is applied, so wait for the one after it (bounded by GUARD), then look at what it sent.
    for (const deadline = Date.now() + GUARD; mine().at(-1)?.headers['x-api-key'] === undefined && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-row"][data-kind="attempt-started"]').length >= 2, undefined, { timeout: GUARD });
    assert.equal(mine().at(-1)?.headers['x-api-key'], expired, 'the reconnect sent it');
    await rows(page, 'attempt-started').last().click();
    await page.getByTestId('detail-headers').waitFor({ timeout: GUARD });
    assert.match(await page.getByTestId('detail-headers').innerText(), /x-api-key\s+\[redacted\]/i);
    assert.ok(!(await page.evaluate(() => document.body.innerText)).includes(expired), 'not in the panel');
    assert.ok(!(await page.getByTestId('fault-chip').getAttribute('title'))!.includes(expired), 'not in the chip');

    await page.getByTestId('export-selected').click();
    await page.getByTestId('export-dialog').waitFor({ timeout: GUARD });
    // The JWT is also found as a token-looking value, redacted by default; unticked, the URL-part choice decides alone.
    assert.match(await page.getByTestId('export-token-like').innerText(), /query parameter session eyJhbG… \(\d+ characters, JWT-shaped\), redacted as a JWT \(above\)/);
    await page.screenshot({ path: join(ARTIFACTS, 'export-token-like-light.png') });
    await page.locator('[data-testid="export-token-kind"][data-kind="jwt"]').uncheck();
    assert.match(await page.getByTestId('export-token-like').innerText(), /query parameter session eyJhbG… \(\d+ characters, JWT-shaped\), kept/);
    const [kept] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-save').click()]);
    const keptText = readFileSync(await kept.path(), 'utf8');
    assert.ok(!keptText.includes(expired), 'not in the default export');
    assert.ok(keptText.includes(jwt), 'token-like parts are kept unless asked');

    await page.getByTestId('export-selected').click();
    await page.getByTestId('export-redact-token-like').check();
    assert.match(await page.getByTestId('export-preview').innerText(), /query parameter session eyJhbG… .* looks like a token/);
    const [redacted] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-save').click()]);
    const redactedText = readFileSync(await redacted.path(), 'utf8');
    assert.ok(!redactedText.includes(jwt) && !redactedText.includes(expired));
    assert.ok(parseCapture(redactedText).ok);
    await page.getByTestId('disconnect-button').last().click();

    const dark = await browser.openPanel('?theme=dark');
    assert.equal(await dark.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await dark.getByTestId('connection-item').last().click();
    await dark.getByTestId('export-selected').click();
    await dark.getByTestId('export-dialog').waitFor({ timeout: GUARD });
    await dark.screenshot({ path: join(ARTIFACTS, 'export-token-like-dark.png') });
    await dark.close();
    await page.close();
  });

  test('the export preview lists token-looking values in event data by kind and place, and the saved file has none of them', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJlLWJ5dGVz';
    const key = 'sk-proj-4f9Xa8Lq2Zt7Wm1Rb6Yc0Ve3';
    const password = 'hunter2-but-longer';
    const raw = await startRawServer(async (res) => {
      sseHead(res);
      for (let n = 1; n <= 12; n++) res.write(`id: ${n}\nevent: session\ndata: {"n":${n},"jwt":"${jwt}"}\n\n`);
      res.write(`event: config\ndata: {"api_key":"${key}","db":{"password":"${password}"},"note":"rotate me"}\n\n`);
      res.end();
    });
    raws.push(raw);
    const page = await browser.openPanel();
    await connect(page, raw.url, { maxAttempts: 1 });
    await waitForCount(page, 'stopped', 1);
    await page.getByTestId('export-selected').click();
    await page.getByTestId('export-dialog').waitFor({ timeout: GUARD });
    const listed = await page.getByTestId('export-tokens').innerText();
    assert.match(listed, /JWT: in event data ×12/);
    assert.match(listed, /API key .*: in event data ×1/);
    assert.match(listed, /JSON field named like a secret: in event data ×1/);
    assert.equal(await page.getByTestId('export-token-kind').count(), 3);
    for (const box of await page.getByTestId('export-token-kind').all()) assert.ok(await box.isChecked(), 'each kind is redacted by default');
    assert.match(await page.getByTestId('export-preview').innerText(), /JWT in event data ×12, shown as \[redacted\]/);
    await page.getByTestId('export-dialog').screenshot({ path: join(ARTIFACTS, 'export-tokens-light.png') });
    const [saved] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-save').click()]);
    const text = readFileSync(await saved.path(), 'utf8');
    assert.ok(parseCapture(text).ok);
    for (const secret of [jwt, key, password]) assert.ok(!text.includes(secret), `${secret.slice(0, 6)}… is not in the file`);
    assert.match(text, /rotate me/);

    const dark = await browser.openPanel('?theme=dark');
    await dark.getByTestId('connection-item').last().click();
    await dark.getByTestId('export-selected').click();
    await dark.getByTestId('export-dialog').waitFor({ timeout: GUARD });
    await dark.locator('[data-testid="export-token-kind"][data-kind="jwt"]').uncheck();
    await dark.getByTestId('export-dialog').screenshot({ path: join(ARTIFACTS, 'export-tokens-dark.png') });
    const [kept] = await Promise.all([dark.waitForEvent('download'), dark.getByTestId('export-save').click()]);
    const keptText = readFileSync(await kept.path(), 'utf8');
    assert.ok(keptText.includes(jwt) && !keptText.includes(key), 'an unticked kind is kept, the others still go');
    await dark.close();
    await page.close();
  });

  test('a body marked secret stays out of exports and must be typed again from Recent', async () => {
    const body = '{"refresh_token":"rt-5a4b3c2d1e"}';
    const page = await browser.openPanel();
    const { url, mine } = tagged('count=2');
    await page.getByTestId('method-select').selectOption('POST');
    await page.getByTestId('body-input').fill(body);
    await page.getByTestId('body-secret').click();
    await connect(page, url, { maxAttempts: 1 });
    await waitForCount(page, 'stopped', 1);
    assert.equal(mine().at(-1)?.body, body, 'the real body was sent');
    const { text, capture } = await exportSelected(page);
    assert.ok(!text.includes('rt-5a4b3c2d1e'));
    assert.equal(capture.connections[0]!.config.body, '[redacted]');
    await openConnectForm(page);
    await page.getByTestId('recent-item').first().click();
    assert.match(await page.locator('[data-testid="field-error"][data-field="body"]').innerText(), /a secret body is not remembered/);
    await page.close();
  });

  test('after the service worker is stopped mid-stream the panel keeps every entry and the stream resumes with Last-Event-ID', async () => {
    const page = await browser.openPanel();
    const { url, mine } = tagged('interval=100');
    await connect(page, url);
    await waitForCount(page, 'event', 5);
    await browser.stopWorker();
    await waitForCount(page, 'worker-restarted', 1);
    await page.waitForFunction(() => document.querySelector('[data-testid="background-status"]')?.classList.contains('ok'), undefined, { timeout: GUARD });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="timeline-row"][data-kind="attempt-started"]')].length >= 2, undefined, { timeout: GUARD });
    await waitForCount(page, 'event', 8);
    await page.getByTestId('disconnect-button').last().click();
    await page.locator('[data-testid="connection-item"][data-phase="closed"]').last().waitFor({ timeout: GUARD });
    const { capture } = await exportSelected(page);
    const entries = capture.connections[0]!.entries;
    assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: entries.length }, (_, i) => i + 1), 'no entry lost');
    const restartAt = entries.findIndex((e) => e.kind === 'worker-restarted');
    const lastBefore = entries.slice(0, restartAt).filter((e) => e.kind === 'event').at(-1);
    assert.ok(lastBefore && lastBefore.kind === 'event');
    const resumed = mine().at(-1)!;
    assert.equal(resumed.lastEventId, lastBefore.lastEventId, 'the resumed request carried the last event id');
    const firstAfter = entries.slice(restartAt).find((e) => e.kind === 'event');
    assert.ok(firstAfter && firstAfter.kind === 'event');
    assert.equal(Number(firstAfter.id), Number(lastBefore.id) + 1, 'the stream continued where it stopped');
    await page.screenshot({ path: join(ARTIFACTS, 'panel-tab-restart.png') });
    await page.close();
  });
});

describe('themes', () => {
  test('the panel follows the dark theme', async () => {
    const page = await browser.openPanel('?theme=dark');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(40, 40, 40)');
    await page.getByTestId('connection-item').last().click();
    await page.screenshot({ path: join(ARTIFACTS, 'panel-tab-dark.png') });
    await page.close();
  });
});
