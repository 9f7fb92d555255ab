/**
 * Firefox's complete capture (`filterResponseData`) against a double of `browser.webRequest` (the
 * real one is driven in test/e2e/firefox-complete-capture.test.ts): an EventSource the page closes
 * while Firefox waits to reconnect makes no request, which webRequest never reports; its stream
 * must end once the reconnect is overdue rather than read "reconnecting" forever.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WebRequest } from 'webextension-polyfill';
import { createFilterCapture, type FilterApi } from '../../src/extension/background/complete-capture-firefox.js';
import type { ObservedDrain, ObservedRecord } from '../../src/protocol/observed.js';

type Listener = (d: never) => void;

function harness() {
  const listeners = new Map<string, Listener>();
  const on = (name: string) => ({ addListener: (cb: Listener) => void listeners.set(name, cb), removeListener: () => void listeners.delete(name) });
  const filters: Partial<WebRequest.StreamFilter>[] = [];
  const api = {
    filterResponseData: () => {
      const f: Partial<WebRequest.StreamFilter> = { write: () => {}, close: () => {}, disconnect: () => {} };
      filters.push(f);
      return f as WebRequest.StreamFilter;
    },
    onBeforeRequest: on('before'),
    onSendHeaders: on('send'),
    onHeadersReceived: on('headers'),
    onCompleted: on('completed'),
    onErrorOccurred: on('error'),
  } as unknown as FilterApi;
  const drains: ObservedDrain[] = [];
  const capture = createFilterCapture({ api, now: () => Date.now(), report: (_t, _p, d) => drains.push(d), state: () => {}, forget: () => {}, reconnectWait: { defaultMs: 5_000, marginMs: 30 } });
  const fire = (name: string, d: object) => (listeners.get(name) as ((d: object) => void) | undefined)?.(d);
  /** One EventSource request to /es, answered 200 text/event-stream; returns its filter. */
  const request = (requestId: string, leid?: string) => {
    const requestHeaders = [{ name: 'Accept', value: 'text/event-stream' }, ...(leid ? [{ name: 'Last-Event-ID', value: leid }] : [])];
    fire('send', { tabId: 7, requestId, requestHeaders });
    fire('headers', { tabId: 7, requestId, url: 'http://app.test/es', method: 'GET', documentUrl: 'http://app.test/', statusCode: 200, statusLine: 'HTTP/1.1 200 OK', responseHeaders: [{ name: 'Content-Type', value: 'text/event-stream' }] });
    return filters.at(-1)!;
  };
  const records = async (): Promise<ObservedRecord[]> => {
    await new Promise((r) => setTimeout(r, 80));
    return drains.flatMap((d) => d.records);
  };
  return { capture, fire, request, records };
}

test('an EventSource the page closes while Firefox waits to reconnect ends once its reconnect is overdue (its retry: and a margin); a late reconnect with a Last-Event-ID continues it', async () => {
  const h = harness();
  h.capture.start(7, 'http://app.test/');
  const f = h.request('r1');
  f.ondata?.({ data: new TextEncoder().encode('retry: 40\nid: 9\ndata: a\n\n').buffer });
  // The server ends the response: the filter stops, webRequest says completed; Firefox will reconnect in 40 ms.
  f.onstop?.({ data: new ArrayBuffer(0) });
  h.fire('completed', { tabId: 7, requestId: 'r1' });
  // The page closes it meanwhile: nothing more happens on the network.
  await new Promise((r) => setTimeout(r, 200));
  const ends = (await h.records()).filter((r): r is Extract<ObservedRecord, { t: 'end' }> => r.t === 'end');
  assert.deepEqual(ends.map((e) => e.reason), ['done', 'close']);
  assert.match(ends[1]!.detail, /no reconnect request within 0\.1 s \(its retry: of 40 ms, and a margin\)/);

  h.request('r2');
  h.request('r3', '9');
  const opens = (await h.records()).filter((r): r is Extract<ObservedRecord, { t: 'open' }> => r.t === 'open');
  assert.notEqual(opens[1]!.sid, opens[0]!.sid, 'no Last-Event-ID after the wait: a new EventSource');
  assert.equal(opens[2]!.sid, opens[0]!.sid, 'a late reconnect with the Last-Event-ID continues the stream');
  h.capture.stop(7);
});
