/**
 * Sharing in real Chromium: export then import round-trips the timeline; broken and hostile files
 * are refused with a precise message and touch nothing; the standalone viewer opens a capture from
 * file://; a HAR recorded by the browser itself imports as a capture.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { buildCapture, serializeCapture, type CaptureFile } from '../../src/core/capture/format.js';
import { parseCapture } from '../../src/core/capture/schema.js';
import { harToCapture } from '../../src/core/capture/har.js';
import { LIMITS } from '../../src/core/limits.js';
import type { TimelineEntry } from '../../src/core/timeline.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { ARTIFACTS, CHROMIUM_FLAGS, chromiumPath, launchWithExtension, type ExtensionBrowser } from '../helpers/browser.js';
import { config, run } from '../helpers/harness.js';

const GUARD = 20_000;
let server: ScenarioServer;
let openServer: ScenarioServer;
let browser: ExtensionBrowser;
let capture: CaptureFile;
const dir = mkdtempSync(join(tmpdir(), 'sse-share-'));

before(async () => {
  server = await startScenarioServer({ intervalMs: 30, heartbeatMs: 100 });
  openServer = await startScenarioServer({ intervalMs: 30, heartbeatMs: 0, token: null });
  browser = await launchWithExtension();
  const cfg = config(`${server.url}/events?maxDuration=300`, { headers: [['Authorization', 'Bearer demo-token']], reconnect: { initialDelayMs: 20, maxAttempts: 2 } });
  const r = run(cfg);
  await r.untilClosed();
  capture = buildCapture([{ id: r.connection.id, config: cfg, entries: r.entries }], '1.0.0');
});
after(async () => {
  await browser?.close();
  await server?.close();
  await openServer?.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function open(page: Page, path: string): Promise<void> {
  await page.getByTestId('open-capture-input').setInputFiles(path);
}

const normalized = (entries: readonly TimelineEntry[]) => entries.map((e) => ({ ...e, connectionId: '' }));

describe('import in the panel', () => {
  test('export then import gives back the same timeline, entry by entry, read-only', async () => {
    const page = await browser.openPanel();
    await open(page, file('shared.json', serializeCapture(capture)));
    const item = page.locator('[data-testid="connection-item"]', { hasText: 'shared.json' });
    await item.waitFor({ timeout: GUARD });
    assert.equal(await item.getByTestId('read-only').count(), 1);
    // Side by side at its narrowest, the list is about 200 px wide: the badge still reads on one line.
    await page.setViewportSize({ width: 780, height: 760 });
    const badge = await item.getByTestId('read-only').evaluate((el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).fontSize));
    assert.ok(badge < 2, `the read-only badge is on one line (${badge.toFixed(1)} em tall)`);
    await page.setViewportSize({ width: 1280, height: 760 });
    assert.equal(await item.getByTestId('disconnect-button').count(), 0);
    await page.locator('[data-testid="timeline-row"][data-kind="event"]').first().waitFor({ timeout: GUARD });
    assert.equal(await page.getByTestId('simulate-bar').count(), 0, 'nothing to simulate on a capture');
    await page.getByTestId('export-selected').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-save').click()]);
    const again = parseCapture(readFileSync(await download.path(), 'utf8'));
    assert.ok(again.ok, again.ok ? '' : again.errors.join('\n'));
    assert.deepEqual(normalized(again.capture.connections[0]!.entries), normalized(capture.connections[0]!.entries));
    assert.deepEqual(again.capture.connections[0]!.attempts, capture.connections[0]!.attempts);
    await page.screenshot({ path: join(ARTIFACTS, 'panel-imported.png') });
    await page.close();
  });

  test('broken and hostile files are refused with a precise message, and nothing else changes', async () => {
    const page = await browser.openPanel();
    const good = JSON.parse(serializeCapture(capture)) as { connections: { entries: Record<string, unknown>[]; id: string }[]; version: number };
    const variant = (change: (c: typeof good) => void) => {
      const c = structuredClone(good);
      change(c);
      return JSON.stringify(c);
    };
    await page.locator('[data-testid="background-status"]', { hasText: '●' }).waitFor({ timeout: GUARD });
    const before = await page.locator('[data-testid="connection-item"]').allTextContents();
    const cases: [string, string, RegExp][] = [
      ['empty.json', '', /Not valid JSON/],
      ['page.json', '<!doctype html><script>alert(1)</script>', /Not valid JSON/],
      ['truncated.json', serializeCapture(capture).slice(0, 300), /truncated/],
      ['array.json', '[1,2,3]', /must be a JSON object/],
      ['other.json', '{"format":"something-else","version":1}', /Not an SSE DevTools capture/],
      ['future.json', variant((c) => (c.version = 9)), /version 9 is newer/],
      ['types.json', variant((c) => (c.connections[0]!.entries[2]!.seq = 'x')), /entries\[2\]\.seq/],
      ['kind.json', variant((c) => (c.connections[0]!.entries[0]!.kind = '<img src=x onerror=alert(1)>')), /entries\[0\]\.kind/],
      ['huge-data.json', variant((c) => (c.connections[0]!.entries.find((e) => e.kind === 'event')!.data = 'x'.repeat(16 * 1024 * 1024 + 1))), /data: Too big/],
      ['order.json', variant((c) => c.connections[0]!.entries.reverse()), /does not follow/],
      ['dupes.json', variant((c) => c.connections.push(structuredClone(c.connections[0]!))), /duplicate connection id/],
      ['no-sse.har', JSON.stringify({ log: { entries: [] } }), /no text\/event-stream responses/],
    ];
    for (const [name, content, message] of cases) {
      await open(page, file(name, content));
      const error = page.getByTestId('import-error');
      await error.waitFor({ timeout: GUARD });
      const text = (await error.textContent()) ?? '';
      assert.match(text, new RegExp(name.replace('.', '\\.')), `${name}: names the file`);
      assert.match(text, message, `${name}: ${text}`);
      assert.equal(await page.locator('#root img, #root script').count(), 0, `${name}: nothing from the file became markup`);
      await error.getByRole('button', { name: 'Dismiss' }).click();
    }
    assert.deepEqual(await page.locator('[data-testid="connection-item"]').allTextContents(), before, 'the other connections are untouched');
    await page.close();
  });

  test('markup inside a valid capture is shown as text and runs nothing', async () => {
    const hostile = structuredClone(capture);
    const event = hostile.connections[0]!.entries.find((e) => e.kind === 'event');
    if (event?.kind === 'event') event.data = '<img src=x onerror="document.title=\'pwned\'">';
    hostile.connections[0]!.id = '<b>evil</b>';
    for (const e of hostile.connections[0]!.entries) e.connectionId = '<b>evil</b>';
    const page = await browser.openPanel();
    await open(page, file('hostile.json', serializeCapture(hostile)));
    await page.locator('[data-testid="timeline-row"][data-kind="event"]', { hasText: '<img src=x' }).first().waitFor({ timeout: GUARD });
    assert.equal(await page.locator('#root img, #root b').count(), 0);
    assert.notEqual(await page.title(), 'pwned');
    await page.close();
  });
});

describe('hostile files cannot hang, crash or exhaust the tool', () => {
  /** An event at 2^54 × 1000 ms: past 2^53 whole seconds stop advancing, which hung the channel rates. */
  const farFuture = () => {
    const c = structuredClone(capture);
    const event = c.connections[0]!.entries.find((e) => e.kind === 'event')!;
    event.time = 2 ** 54 * 1000;
    return serializeCapture(c);
  };
  const TIME_RANGE = /time: must be a time between 2000-01-01 and 2200-01-01/;

  async function refusedThenUsable(page: Page, name: string, content: string, message: RegExp): Promise<void> {
    await open(page, file(name, content));
    const error = page.getByTestId('import-error');
    await error.waitFor({ timeout: GUARD });
    assert.match((await error.textContent()) ?? '', message);
    await error.getByRole('button', { name: 'Dismiss' }).click();
    // Still responsive: a good capture opens and its channels show their rates.
    await open(page, file(`good-after-${name}`, serializeCapture(capture)));
    await page.locator('[data-testid="connection-item"]', { hasText: `good-after-${name}` }).click({ timeout: GUARD });
    await page.getByTestId('channel-item').first().waitFor({ timeout: GUARD });
  }

  test('a capture whose time would hang the channel rates is refused in the panel, which stays responsive', async () => {
    const page = await browser.openPanel();
    await refusedThenUsable(page, 'far-future.json', farFuture(), TIME_RANGE);
    await page.close();
  });

  test('the same capture is refused by the standalone viewer, which stays responsive', async () => {
    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sse-viewer-')), { headless: true, executablePath: chromiumPath(), args: CHROMIUM_FLAGS });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${resolve('dist/sse-devtools-viewer.html')}`);
      const worker = page.waitForEvent('worker', { timeout: GUARD });
      await refusedThenUsable(page, 'far-future-viewer.json', farFuture(), TIME_RANGE);
      assert.match((await worker).url(), /^blob:/, 'the viewer opens files in a worker too');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('times no date can show are refused; times at the edges of the range show in the detail pane', async () => {
    const page = await browser.openPanel();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const unshowable = structuredClone(capture);
    for (const e of unshowable.connections[0]!.entries) e.time = 9e15;
    await refusedThenUsable(page, 'invalid-date.json', serializeCapture(unshowable), TIME_RANGE);

    const edges = structuredClone(capture);
    const entries = edges.connections[0]!.entries;
    entries.forEach((e, i) => (e.time = i === entries.length - 1 ? LIMITS.timeMax : LIMITS.timeMin + i));
    edges.connections[0]!.attempts = buildCapture([{ id: edges.connections[0]!.id, config: edges.connections[0]!.config, entries }], '1.0.0').connections[0]!.attempts;
    await open(page, file('edges.json', serializeCapture(edges)));
    await page.locator('[data-testid="connection-item"]', { hasText: 'edges.json' }).click({ timeout: GUARD });
    await page.locator('[data-testid="timeline-row"]').first().click({ timeout: GUARD });
    await page.getByTestId('detail-pane').getByText('2000-01-01T00:00:00.000Z').waitFor({ timeout: GUARD });
    await page.locator('[data-testid="timeline-row"]').last().click();
    await page.getByTestId('detail-pane').getByText('2200-01-01T00:00:00.000Z').waitFor({ timeout: GUARD });
    assert.equal(await page.getByText('NaN').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a HAR whose streams add up past the whole-file budget is refused, saying how big it would have been, and a live connection keeps streaming', async () => {
    const page = await browser.openPanel();
    await page.getByTestId('url-input').fill(`${openServer.url}/events?channels=live`);
    await page.getByTestId('header-value').first().fill('Bearer unused');
    await page.getByTestId('connect-button').click();
    const live = page.locator('[data-testid="connection-item"][data-phase="open"]');
    await live.waitFor({ timeout: GUARD });
    // 3 streams of 700 000 events: each under the per-connection limit, 2.1 million entries in all.
    const body = 'data:\n\n'.repeat(700_000);
    const har = {
      log: {
        entries: [0, 1, 2].map((i) => ({
          startedDateTime: '2026-01-01T00:00:00.000Z',
          time: 10,
          request: { method: 'GET', url: `http://127.0.0.1/s${i}`, headers: [] },
          response: { status: 200, statusText: 'OK', headers: [], content: { mimeType: 'text/event-stream', text: body } },
          timings: { wait: 1 },
        })),
      },
    };
    // Opened off the page, in a dedicated worker, which the page holds only while it converts.
    const worker = page.waitForEvent('worker', { timeout: GUARD });
    await open(page, file('expands.har', JSON.stringify(har)));
    assert.match((await worker).url(), /import-worker\.js$/);
    const error = page.getByTestId('import-error');
    await error.waitFor({ timeout: GUARD });
    assert.match((await error.textContent()) ?? '', /would become 2,100,012 timeline entries \(3 streams\).*at most 2,000,000/);
    assert.equal(await page.locator('[data-testid="connection-item"]', { hasText: 'expands.har' }).count(), 0);
    // The live connection was never cut: still open, and its events keep coming.
    const events = async () => Number(/([\d,]+) events/.exec((await live.textContent()) ?? '')?.[1]?.replaceAll(',', '') ?? -1);
    const before = await events();
    await page.waitForFunction((n) => {
      const text = document.querySelector('[data-testid="connection-item"][data-phase="open"]')?.textContent ?? '';
      return Number(/([\d,]+) events/.exec(text)?.[1]?.replaceAll(',', '') ?? -1) > n;
    }, before, { timeout: GUARD });
    assert.equal(await live.count(), 1);
    await live.getByTestId('disconnect-button').click();
    await page.close();
  });
});

describe('the standalone viewer', () => {
  test('opens a capture from file:// with no network and no extension', async () => {
    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sse-viewer-')), { headless: true, executablePath: chromiumPath(), args: CHROMIUM_FLAGS });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${resolve('dist/sse-devtools-viewer.html')}`);
      await page.getByTestId('open-capture').waitFor({ timeout: GUARD });
      await page.getByTestId('open-capture-input').setInputFiles(file('for-viewer.json', serializeCapture(capture)));
      await page.locator('[data-testid="timeline-row"][data-kind="event"]').first().waitFor({ timeout: GUARD });
      const channels = await page.getByTestId('channel-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-channel')));
      assert.deepEqual(channels, ['chat', 'price', 'status']);
      assert.equal(await page.locator('[data-testid="attempt-bar"]').count(), 2);
      await page.locator('[data-testid="timeline-row"][data-kind="event"]').nth(1).click();
      await page.getByTestId('json-tree').waitFor({ timeout: GUARD });
      assert.deepEqual(requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:') && !u.startsWith('blob:')), [], 'no network');
      assert.deepEqual(errors, []);
      await page.screenshot({ path: join(ARTIFACTS, 'viewer.png') });
    } finally {
      await context.close();
    }
  });
});

describe('HAR import', () => {
  test('a HAR recorded by Chromium while a page reads an EventSource and a fetch stream becomes a capture', async () => {
    const harPath = join(dir, 'recorded.har');
    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sse-har-')), {
      headless: true,
      executablePath: chromiumPath(),
      args: CHROMIUM_FLAGS,
      recordHar: { path: harPath, content: 'embed' },
    });
    const page = await context.newPage();
    await page.goto(`${openServer.url}/`);
    await page.evaluate(async () => {
      // A native EventSource (it stops on the 204 that ends the demo's count) and a fetch stream.
      await new Promise<void>((done) => {
        const es = new EventSource('/events?count=3&channels=a,b');
        let n = 0;
        es.addEventListener('a', () => ++n >= 2 && (es.close(), done()));
        es.addEventListener('b', () => ++n >= 2 && (es.close(), done()));
      });
      const res = await fetch('/events?count=2&channels=c', { headers: { Accept: 'text/event-stream' } });
      await res.text();
    });
    await context.close();
    const result = harToCapture(JSON.parse(readFileSync(harPath, 'utf8')), '1.0.0');
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    const fetched = result.capture.connections.find((c) => c.config.url.includes('channels=c'));
    assert.ok(fetched, 'the fetch stream is a connection');
    const events = fetched.entries.filter((e) => e.kind === 'event');
    assert.deepEqual(events.map((e) => (e.kind === 'event' ? [e.type, e.id] : [])), [['c', '1'], ['c', '2']]);
    const viaEventSource = result.capture.connections.find((c) => c.config.url.includes('channels=a,b'));
    assert.ok(viaEventSource, 'the EventSource stream is a connection');
    const ended = viaEventSource.entries.find((e) => e.kind === 'attempt-ended');
    // The browser may or may not keep the body of a stream that a page closed: either its events or a note.
    assert.ok(ended?.kind === 'attempt-ended' && (viaEventSource.entries.some((e) => e.kind === 'event') || /saved no content/.test(ended.detail)));

    // The same file opens in the panel.
    const panel = await browser.openPanel();
    await open(panel, harPath);
    await panel.locator('[data-testid="connection-item"]', { hasText: 'recorded.har' }).first().waitFor({ timeout: GUARD });
    await panel.close();
  });
});
