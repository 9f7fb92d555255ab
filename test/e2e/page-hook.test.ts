/**
 * The hook in the inspected page's main world (issue 12), in real Chromium against a real server:
 * it reports the page's own EventSource, fetch and XHR streams in order, and the page cannot tell
 * it is there. Injected with addInitScript, as a plain script and wrapped in a function the way
 * Chromium runs `inspectedWindow.reload({ injectedScript })`; no extension needed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { OBSERVE_GLOBAL, type ObservedDrain, type ObservedRecord } from '../../src/protocol/observed.js';
import { CHROMIUM_FLAGS, chromiumPath } from '../helpers/browser.js';
import { ES_HEARD, ES_FIRST, ES_SECOND, FETCH_EVENTS, PAGE_CHAT_BODY, PAGE_TOKEN, XHR_EVENTS, chatText, startObservedPageServer, xhrText, type ObservedPageServer } from '../helpers/observed-page.js';
import { until } from '../helpers/raw-server.js';

const HOOK = readFileSync(resolve('extension/page-hook.js'), 'utf8');
/** What Chromium does with an injectedScript: the script becomes the body of a function. */
const HOOK_AS_FUNCTION = `(function () {\n${HOOK}\n})()`;
const GUARD = 20_000;

let server: ObservedPageServer;
let browser: Browser;

before(async () => {
  server = await startObservedPageServer();
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_FLAGS });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function newPage(hook: string | null, firstScript?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  if (firstScript !== undefined) await context.addInitScript({ content: firstScript });
  if (hook !== null) await context.addInitScript({ content: hook });
  return { context, page: await context.newPage() };
}

/** What the panel does: drain until the hook has nothing more. */
async function drainAll(frame: Page | Frame, max = 5000): Promise<ObservedDrain> {
  const all: ObservedDrain = { records: [], dropped: 0 };
  for (;;) {
    const d = await frame.evaluate(([key, n]) => (globalThis as unknown as Record<symbol, { drain(max: number): ObservedDrain } | undefined>)[Symbol.for(key)]?.drain(n) ?? null, [OBSERVE_GLOBAL, max] as const);
    if (d === null) throw new Error('no hook in this frame');
    all.records.push(...d.records);
    all.dropped += d.dropped;
    if (d.records.length < max) return all;
  }
}

interface PageStreams {
  es: { message: number; price: number; opens: number; errors: number; closed: boolean };
  fetch: { events: number; text: string; done: boolean };
  xhr: { events: number; text: string; done: boolean };
  done: boolean;
}

const pageStreams = (frame: Page | Frame) => frame.evaluate(() => (window as unknown as { pageStreams?: PageStreams }).pageStreams ?? null);

async function runStreamsPage(hook: string | null): Promise<{ context: BrowserContext; page: Page; frame: Frame }> {
  const { context, page } = await newPage(hook);
  await page.goto(`${server.url}/`);
  const frame = page.frames().find((f) => f.url().endsWith('/frame'));
  assert.ok(frame, 'the page has its iframe');
  await until('the page and its iframe finished their streams', async () => (await pageStreams(page))?.done === true && (await pageStreams(frame))?.done === true, GUARD);
  return { context, page, frame };
}

const sent = (path: string, scope: string) => server.streams.filter((s) => s.path === path && s.scope === scope);

/** The page received every event the server sent it: with or without the hook. */
async function assertPageUndisturbed(frame: Page | Frame, scope: string): Promise<void> {
  const streams = await pageStreams(frame);
  assert.ok(streams);
  const chat = sent('/chat', scope).at(-1);
  const xhr = sent('/xhr', scope).at(-1);
  assert.equal(streams.fetch.events, chat?.events, 'fetch: events the page read = events the server sent');
  assert.equal(streams.fetch.events, FETCH_EVENTS + 1);
  assert.equal(streams.fetch.text, chatText());
  assert.equal(streams.xhr.events, xhr?.events, 'XHR: events the page read = events the server sent');
  assert.equal(streams.xhr.events, XHR_EVENTS);
  assert.equal(streams.es.message + streams.es.price, ES_HEARD.length, 'EventSource: each listened event once');
  assert.equal(streams.es.price, 3);
  assert.equal(streams.es.opens, 2, 'the EventSource reconnected once');
}

function bySid(records: ObservedRecord[]): Map<string, ObservedRecord[]> {
  const out = new Map<string, ObservedRecord[]>();
  for (const r of records) out.set(r.sid, [...(out.get(r.sid) ?? []), r]);
  return out;
}

const text = (records: ObservedRecord[]) => records.map((r) => (r.t === 'chunk' ? r.text : '')).join('');
const kinds = (records: ObservedRecord[]) => [...new Set(records.map((r) => r.t))];

/** The records of one page's streams, checked field by field against what the page did and the server sent. */
function assertRecords(drain: ObservedDrain, frameUrl: string, scope: string): void {
  assert.equal(drain.dropped, 0);
  const streams = bySid(drain.records);
  assert.equal(streams.size, 3, 'three streams: EventSource, fetch, XHR');
  const times = drain.records.map((r) => r.time);
  assert.ok(times.every((t) => Number.isFinite(t) && t > 0));
  const pick = (api: string) => [...streams.values()].find((rs) => rs[0]?.t === 'open' && rs[0].api === api) ?? [];

  const fetchRecords = pick('fetch');
  const open = fetchRecords[0];
  assert.ok(open?.t === 'open');
  assert.equal(open.url, `${server.url}/chat?scope=${scope}`);
  assert.equal(open.method, 'POST');
  assert.deepEqual(
    open.headers.filter(([n]) => n !== 'content-type'),
    [['authorization', PAGE_TOKEN]],
  );
  assert.deepEqual(
    open.headers.find(([n]) => n === 'content-type'),
    ['content-type', 'application/json'],
  );
  assert.equal(open.body, PAGE_CHAT_BODY);
  assert.equal(open.bodyCut, false);
  assert.equal(open.frame, frameUrl);
  const response = fetchRecords[1];
  assert.ok(response?.t === 'response');
  assert.equal(response.status, 200);
  assert.equal(response.url, open.url);
  assert.ok(response.headers.some(([n, v]) => n === 'content-type' && v.startsWith('text/event-stream')));
  assert.deepEqual(kinds(fetchRecords), ['open', 'response', 'chunk', 'end']);
  assert.equal(text(fetchRecords), chatText(), 'fetch: the chunks are the bytes the server sent, in order');
  assert.deepEqual(fetchRecords.at(-1), { ...fetchRecords.at(-1), t: 'end', reason: 'done' });

  const xhrRecords = pick('xhr');
  const xhrOpen = xhrRecords[0];
  assert.ok(xhrOpen?.t === 'open');
  assert.equal(xhrOpen.url, `${server.url}/xhr?scope=${scope}`);
  assert.equal(xhrOpen.method, 'GET');
  assert.deepEqual(xhrOpen.headers, [['X-Trace', 'abc']]);
  assert.equal(xhrOpen.body, null);
  assert.equal(xhrOpen.frame, frameUrl);
  assert.deepEqual(kinds(xhrRecords), ['open', 'response', 'chunk', 'end']);
  assert.equal(text(xhrRecords), xhrText());
  assert.deepEqual(xhrRecords.at(-1), { ...xhrRecords.at(-1), t: 'end', reason: 'done' });

  const es = pick('eventsource');
  const esOpen = es[0];
  assert.ok(esOpen?.t === 'open');
  assert.equal(esOpen.url, `${server.url}/es?scope=${scope}`);
  assert.equal(esOpen.withCredentials, false);
  assert.equal(esOpen.method, 'GET');
  assert.equal(esOpen.frame, frameUrl);
  // Two attempts: open, three events, error (reconnecting), open, two events, closed by the page.
  assert.deepEqual(
    es.map((r) => (r.t === 'es-message' ? `${r.type}:${r.data}:${r.lastEventId}` : r.t === 'es-error' ? `error:${r.readyState}` : r.t === 'end' ? `end:${r.reason}` : r.t)),
    ['open', 'es-open', ...ES_HEARD.slice(0, 3).map((e) => e.join(':')), 'error:0', 'es-open', ...ES_HEARD.slice(3).map((e) => e.join(':')), 'end:close'],
  );
  // What each connection sent, of which the hook can see only the types the page listens to.
  assert.ok(ES_FIRST.includes('event: ignored') && !es.some((r) => r.t === 'es-message' && r.type === 'ignored'));
  assert.ok(ES_SECOND.length > 0);
  assert.equal(sent('/es', scope).at(-1)?.headers['last-event-id'], '4', 'the reconnect resumed after id 4');
}

describe('the page hook', () => {
  for (const [how, hook] of [
    ['as a plain script', HOOK],
    ['wrapped in a function, as Chromium runs an injectedScript', HOOK_AS_FUNCTION],
  ] as const) {
    test(`${how}: reports the page's EventSource, fetch and XHR streams in order, in the page and its iframe, and the page gets every event`, async () => {
      const { context, page, frame } = await runStreamsPage(hook);
      try {
        await assertPageUndisturbed(page, 'top');
        await assertPageUndisturbed(frame, 'frame');
        const top = await drainAll(page);
        const inFrame = await drainAll(frame);
        assertRecords(top, `${server.url}/`, 'top');
        assertRecords(inFrame, `${server.url}/frame`, 'frame');
        const topSids = new Set(top.records.map((r) => r.sid));
        assert.ok(!inFrame.records.some((r) => topSids.has(r.sid)), 'stream ids are unique across frames');
        assert.deepEqual((await drainAll(page)).records, [], 'a drain takes records once');
      } finally {
        await context.close();
      }
    });
  }

  test('without the hook the same page receives the same events (the reference)', async () => {
    const { context, page, frame } = await runStreamsPage(null);
    try {
      await assertPageUndisturbed(page, 'top');
      await assertPageUndisturbed(frame, 'frame');
      assert.equal(await page.evaluate((key) => Symbol.for(key) in globalThis, OBSERVE_GLOBAL), false);
    } finally {
      await context.close();
    }
  });
});
