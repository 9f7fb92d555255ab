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

/**
 * Runs in the page: everything a page could use to notice the hook, and hostile calls that make the
 * hook's own code throw. Its result must be the same with and without the hook.
 */
async function hostilePage(base: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const errors: string[] = [];
  addEventListener('error', (e) => errors.push(`error: ${e.message}`));
  addEventListener('unhandledrejection', (e) => errors.push(`unhandled: ${String(e.reason)}`));
  const err = (e: unknown) => (e instanceof Error || e instanceof DOMException ? `${e.name}: ${e.message}` : `thrown: ${typeof e}`);
  const attempt = async (name: string, f: () => unknown) => {
    try {
      out[name] = await Promise.race([f(), new Promise((r) => setTimeout(() => r('timed out'), 5000))]);
    } catch (e) {
      out[name] = err(e);
    }
  };
  const text = async (r: Response) => new TextDecoder().decode(new Uint8Array(await r.arrayBuffer()));

  let headerGets = 0;
  await attempt('fetch: headers getter runs once', async () => [await text(await fetch(`${base}/json`, { headers: { get 'X-A'() { headerGets++; return 'a'; } } as unknown as HeadersInit })), headerGets]);
  await attempt('fetch: a throwing init getter', () => fetch(`${base}/json`, { get headers(): HeadersInit { throw new Error('from the page'); } }));
  await attempt('fetch: a symbol', () => fetch(Symbol('x') as unknown as string));
  await attempt('fetch: no arguments', () => (fetch as unknown as () => Promise<Response>)());
  await attempt('fetch: another this', () => fetch.call({}, `${base}/json`));
  await attempt('fetch: a bad URL', () => fetch('http://[bad'));
  const shape = (f: unknown) => (typeof f === 'function' ? [String(f), f.name, f.length, 'prototype' in f] : typeof f);
  out.fetch = shape(fetch);
  out.descriptors = ['fetch', 'EventSource', 'XMLHttpRequest'].map((k) => {
    const d = Object.getOwnPropertyDescriptor(window, k);
    return [k, d?.writable, d?.enumerable, d?.configurable];
  });
  out.EventSource = [shape(EventSource), EventSource.CONNECTING, EventSource.OPEN, EventSource.CLOSED, Object.getOwnPropertyNames(EventSource).sort(), Object.getOwnPropertyNames(EventSource.prototype).sort(), EventSource.prototype.constructor === EventSource, Object.getPrototypeOf(EventSource) === EventTarget];
  out.xhr = (['open', 'send', 'setRequestHeader'] as const).map((k) => shape(XMLHttpRequest.prototype[k]));
  out.others = [shape(EventTarget.prototype.addEventListener), shape(EventSource.prototype.close), shape(Function.prototype.toString), Function.prototype.toString.call(Function.prototype.toString)];
  await attempt('EventSource without new', () => (EventSource as unknown as (u: string) => unknown)(`${base}/es`));
  await attempt('EventSource without a URL', () => new (EventSource as unknown as new () => EventSource)());
  await attempt('EventSource subclass', () => {
    class Mine extends EventSource {}
    const es = new Mine(`${base}/endless?scope=hostile`);
    es.close();
    return [es instanceof Mine, es instanceof EventSource, Object.getPrototypeOf(Mine.prototype) === EventSource.prototype, es.readyState];
  });
  let valueCalls = 0;
  await attempt('XHR: a header value whose toString throws', () => {
    const x = new XMLHttpRequest();
    x.open('GET', `${base}/json`);
    x.setRequestHeader('X-A', { toString() { valueCalls++; throw new Error('page toString'); } } as unknown as string);
  });
  out.valueCalls = valueCalls;
  let methodCalls = 0;
  await attempt('XHR: a method object', () => {
    const x = new XMLHttpRequest();
    x.open({ toString() { methodCalls++; return 'GET'; } } as unknown as string, `${base}/json`);
    return methodCalls;
  });
  await attempt('XHR: open with too few arguments', () => (new XMLHttpRequest().open as unknown as (m: string) => void)('GET'));

  // Request bodies arrive as the page sent them (the hook reads a clone of each).
  const echo = async (init: RequestInit) => (await fetch(`${base}/echo`, { method: 'POST', ...init })).json() as Promise<unknown>;
  await attempt('body: a string, keepalive', () => echo({ body: '{"beacon":1}', keepalive: true }));
  await attempt('body: a Blob', () => echo({ body: new Blob(['blob body'], { type: 'text/x-blob' }) }));
  await attempt('body: FormData', async () => {
    const form = new FormData();
    form.set('a', '1');
    const echoed = (await echo({ body: form })) as { type: string; body: string };
    return [echoed.type.split(';')[0], echoed.body.includes('name="a"')];
  });
  await attempt('body: URLSearchParams', () => echo({ body: new URLSearchParams({ q: 'x y' }) }));
  await attempt('body: a Request with a body', async () => (await fetch(new Request(`${base}/echo`, { method: 'POST', body: 'from a Request' }))).json());
  await attempt('body: a stream', () =>
    echo({
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('streamed'));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit),
  );

  // A stream's Response as the page sees it.
  await attempt('an SSE response', async () => {
    const r = await fetch(`${base}/endless?scope=hostile`);
    let mutable: string;
    try {
      r.headers.set('x-a', 'b');
      mutable = 'mutable';
    } catch (e) {
      mutable = err(e);
    }
    const clone = r.clone();
    const shown = [r instanceof Response, r.status, r.statusText, r.url, r.redirected, r.type, r.ok, r.headers.get('content-type'), Object.keys(r), JSON.stringify(r), r.bodyUsed, mutable, clone.url, clone.type, shape(r.clone)];
    await clone.body?.cancel();
    // A BYOB reader, as a native body allows.
    const reader = (r.body as ReadableStream<Uint8Array>).getReader({ mode: 'byob' });
    const first = await reader.read(new Uint8Array(5));
    await reader.cancel();
    return [...shown, first.value?.byteLength, new TextDecoder().decode(first.value)];
  });
  await attempt('an aborted SSE fetch', async () => {
    const abort = new AbortController();
    const r = await fetch(`${base}/endless?scope=hostile`, { signal: abort.signal });
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    abort.abort();
    return await reader.read();
  });
  await attempt('text() of an SSE response', async () => {
    const r = await fetch(`${base}/xhr?scope=hostile`);
    return (await r.text()).length;
  });

  // The page breaks builtins after the hook installed: its own streams must still work.
  const saved = { now: Date.now, push: Array.prototype.push, slice: String.prototype.slice, get: WeakMap.prototype.get, call: Function.prototype.call, buffer: Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, 'buffer') };
  const boom = () => {
    throw new Error('sabotaged');
  };
  Date.now = boom;
  String.prototype.slice = boom;
  WeakMap.prototype.get = boom;
  // Reading a typed array's buffer now throws: the hook reads it for an XHR body.
  Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype) as object, 'buffer', { get: boom, configurable: true });
  try {
    await attempt('sabotaged: fetch stream', async () => (await text(await fetch(`${base}/xhr?scope=sabotage`))).length);
    await attempt('sabotaged: XHR stream with a byte body', () =>
      new Promise((done) => {
        const x = new XMLHttpRequest();
        x.open('POST', `${base}/xhr?scope=sabotage`);
        x.onload = () => done([x.status, x.responseText.length]);
        x.onerror = () => done('error');
        x.send(new TextEncoder().encode('{"a":1}'));
      }),
    );
    await attempt('sabotaged: EventSource', () =>
      new Promise((done) => {
        const es = new EventSource(`${base}/es?scope=sabotage`);
        const got: string[] = [];
        const heard = (e: MessageEvent<string>) => {
          got[got.length] = `${e.type}:${e.data}`;
          if (got.length === 3) {
            es.close();
            done(got);
          }
        };
        es.onmessage = heard;
        es.addEventListener('price', heard);
      }),
    );
  } finally {
    Date.now = saved.now;
    String.prototype.slice = saved.slice;
    WeakMap.prototype.get = saved.get;
    if (saved.buffer) Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype) as object, 'buffer', saved.buffer);
  }
  out.json = await (await fetch(`${base}/json`)).json();
  await new Promise((r) => setTimeout(r, 100));
  out.errors = errors;
  return out;
}

describe('the page cannot tell the hook is there', () => {
  test('everything a hostile page checks or provokes reads the same with and without the hook, and no error of the hook reaches it', async () => {
    const results: Record<string, unknown>[] = [];
    let drained: ObservedDrain | null = null;
    for (const hook of [null, HOOK]) {
      const { context, page } = await newPage(hook);
      try {
        await page.goto(`${server.url}/blank`);
        results.push(await page.evaluate(hostilePage, server.url));
        if (hook !== null) drained = await drainAll(page);
      } finally {
        await context.close();
      }
    }
    const [without, withHook] = results;
    assert.deepEqual(withHook, without);
    assert.deepEqual(without?.errors, []);
    assert.match(String(without?.['an aborted SSE fetch']), /^AbortError/);
    // While sabotaged the hook may miss things, but it kept working for what it could see.
    const ends = drained?.records.filter((r) => r.t === 'end').map((r) => (r.t === 'end' ? r.reason : '')) ?? [];
    assert.ok(ends.includes('cancel') && ends.includes('abort'), `ends seen: ${ends.join(', ')}`);
  });

  test("the page's reader.cancel() closes the server's connection at once, and the hook reports the cancel", async () => {
    const { context, page } = await newPage(HOOK);
    try {
      await page.goto(`${server.url}/blank`);
      await page.evaluate(async (url) => {
        const r = await fetch(url);
        const reader = (r.body as ReadableStream<Uint8Array>).getReader();
        await reader.read();
        await reader.cancel('the page is done');
      }, `${server.url}/endless?scope=cancel`);
      await until('the server saw the connection close', () => sent('/endless', 'cancel').at(-1)?.closed === true, 5000);
      assert.equal(sent('/endless', 'cancel').at(-1)?.endedByServer, false);
      const records = (await drainAll(page)).records;
      assert.deepEqual(records.at(-1), { ...records.at(-1), t: 'end', reason: 'cancel', detail: 'the page is done' });
    } finally {
      await context.close();
    }
  });

  test('a response that is not an event stream reaches the page as the very object fetch resolved with', async () => {
    // Runs before the hook: keeps every Response the native fetch resolves with.
    const spy = `{ const f = fetch; window.__native = []; window.fetch = function fetch(...a) { return f.apply(this, a).then((r) => (window.__native.push(r), r)); }; }`;
    const { context, page } = await newPage(HOOK, spy);
    try {
      await page.goto(`${server.url}/blank`);
      const same = await page.evaluate(async (base) => {
        const native = (window as unknown as { __native: Response[] }).__native;
        const json = await fetch(`${base}/json`);
        const stream = await fetch(`${base}/xhr?scope=identity`);
        await stream.text();
        return [native.includes(json), await json.json(), native.includes(stream), Object.getOwnPropertyNames(json).length];
      }, server.url);
      assert.deepEqual(same, [true, { ok: true }, false, 0]);
      const records = (await drainAll(page)).records;
      assert.equal(new Set(records.map((r) => r.sid)).size, 1, 'only the event stream was observed');
      assert.deepEqual(kinds(records), ['open', 'response', 'chunk', 'end']);
    } finally {
      await context.close();
    }
  });
});

describe('the hook stays small and single', () => {
  test('a flood past the queue bounds: the page still gets every byte, the hook drops text and says how much, and keeps the stream ends', async () => {
    const { context, page } = await newPage(HOOK);
    try {
      await page.goto(`${server.url}/blank`);
      // Nobody drains while 40 MiB arrive; the queue holds at most 32 MiB of text.
      const got = await page.evaluate(async (url) => {
        const reader = ((await fetch(url)).body as ReadableStream<Uint8Array>).getReader();
        let bytes = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return bytes;
          bytes += value.byteLength;
        }
      }, `${server.url}/flood?mib=40&scope=flood`);
      assert.equal(got, sent('/flood', 'flood').at(-1)?.bytes, 'the page read every byte the server sent');
      const drain = await drainAll(page, 1000);
      assert.ok(drain.dropped > 0, 'the hook said it dropped records');
      const kept = text(drain.records).length;
      assert.ok(kept <= 32 * 1024 * 1024 && kept > 16 * 1024 * 1024, `text kept: ${kept}`);
      assert.deepEqual(kinds(drain.records), ['open', 'response', 'chunk', 'end']);
      assert.equal(drain.records.at(-1)?.t, 'end', 'the end was kept though the text was not');
      // Drained, it takes records again, and counts drops per drain.
      await page.evaluate((url) => fetch(url).then((r) => r.text()), `${server.url}/xhr?scope=after-flood`);
      const next = await drainAll(page);
      assert.equal(next.dropped, 0);
      assert.equal(text(next.records), xhrText());
    } finally {
      await context.close();
    }
  });

  test('an EventSource flood past the record cap: every event reaches the page, the hook keeps 20,000 records and counts the rest', async () => {
    const { context, page } = await newPage(HOOK);
    try {
      await page.goto(`${server.url}/blank`);
      // 25 × 16 × 64 events of about 1 KB: fewer bytes than the text cap, more events than the record cap.
      const total = 25 * 16 * 64;
      const heard = await page.evaluate(
        ([url, n]) =>
          new Promise<number>((done) => {
            const es = new EventSource(url);
            let count = 0;
            es.onmessage = () => {
              if (++count === n) {
                es.close();
                done(count);
              }
            };
          }),
        [`${server.url}/flood?mib=25&scope=es-flood`, total] as const,
      );
      assert.equal(heard, sent('/flood', 'es-flood')[0]?.events);
      const drain = await drainAll(page);
      const messages = drain.records.filter((r) => r.t === 'es-message').length;
      assert.ok(drain.records.length <= 20_000 + 1_000, `records kept: ${drain.records.length}`);
      assert.equal(messages + drain.dropped, total, 'every event was either kept or counted as dropped');
      assert.equal(drain.records.at(-1)?.t, 'end', 'the close was kept');
    } finally {
      await context.close();
    }
  });

  test('installs once: a second run changes nothing, and the drain object is frozen and hidden from enumeration', async () => {
    const { context, page } = await newPage(HOOK);
    try {
      await page.goto(`${server.url}/blank`);
      await page.evaluate(() => {
        const w = window as unknown as Record<string, unknown>;
        w.__before = [fetch, XMLHttpRequest.prototype.open, EventSource, EventTarget.prototype.addEventListener, Function.prototype.toString];
      });
      await page.addScriptTag({ content: HOOK });
      await page.evaluate(HOOK_AS_FUNCTION);
      const state = await page.evaluate((key) => {
        const w = window as unknown as Record<string, unknown> & Record<symbol, unknown>;
        const now = [fetch, XMLHttpRequest.prototype.open, EventSource, EventTarget.prototype.addEventListener, Function.prototype.toString];
        const desc = Object.getOwnPropertyDescriptor(w, Symbol.for(key));
        const api = desc?.value as { version: number; drain: unknown; late: unknown };
        return {
          late: api.late,
          same: now.every((f, i) => f === (w.__before as unknown[])[i]),
          enumerable: desc?.enumerable,
          writable: desc?.writable,
          configurable: desc?.configurable,
          frozen: Object.isFrozen(api),
          version: api.version,
          keys: Object.keys(api).sort(),
          inKeys: Object.keys(w).length === Object.keys(w).filter((k) => !k.includes('sse')).length,
        };
      }, OBSERVE_GLOBAL);
      assert.deepEqual(state, { late: false, same: true, enumerable: false, writable: false, configurable: false, frozen: true, version: 1, keys: ['drain', 'late', 'since', 'version', 'watch'], inKeys: true }, 'installed before the page\'s scripts: not late');
      await page.evaluate((url) => fetch(url).then((r) => r.text()), `${server.url}/xhr?scope=once`);
      const records = (await drainAll(page)).records;
      assert.equal(records.filter((r) => r.t === 'open').length, 1, 'one stream reported once');
      assert.equal(text(records), xhrText());
    } finally {
      await context.close();
    }
  });

  test('a hook installed after the page ran a script says it came late (the panel then says streams opened before are not seen)', async () => {
    const { context, page } = await newPage(null);
    try {
      await page.goto(`${server.url}/`);
      await page.addScriptTag({ content: HOOK });
      assert.equal(await page.evaluate((key) => (window as unknown as Record<symbol, { late: unknown }>)[Symbol.for(key)]?.late, OBSERVE_GLOBAL), true);
    } finally {
      await context.close();
    }
  });
});
