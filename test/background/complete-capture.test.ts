/**
 * Complete capture's translation of the debugger's Network events into observed records, against
 * a double of `chrome.debugger` (the real one is driven in test/e2e/devtools-complete-capture.test.ts):
 * the order of bytes when a response ends before its buffered content arrives, what the page
 * controls (hostile shapes and sizes) staying within the records' limits, the user's Cancel on
 * Chrome's bar, and iframes never left waiting.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCompleteCapture, detachReason, type DebuggerApi, type Debuggee } from '../../src/extension/background/complete-capture.js';
import { checkDrain } from '../../src/core/observe/records.js';
import { createObservedStream } from '../../src/core/observe/observed-stream.js';
import type { ReconnectWait } from '../../src/extension/background/es-reconnects.js';
import type { TimelineEntry } from '../../src/core/timeline.js';
import type { ObservedDrain, ObservedRecord } from '../../src/protocol/observed.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function harness(respond: (method: string, params: unknown, target: Debuggee) => unknown = () => ({}), reconnectWait?: ReconnectWait) {
  let onEvent: (source: Debuggee, method: string, params?: unknown) => void = () => {};
  let onDetach: (source: Debuggee, reason: string) => void = () => {};
  const commands: { method: string; target: Debuggee }[] = [];
  const api: DebuggerApi = {
    attach: () => Promise.resolve(),
    detach: () => Promise.resolve(),
    sendCommand: async (target, method, params) => {
      commands.push({ method, target });
      await Promise.resolve();
      const r = respond(method, params, target);
      if (r instanceof Error) throw r;
      return r;
    },
    onEvent: { addListener: (cb) => (onEvent = cb) },
    onDetach: { addListener: (cb) => (onDetach = cb) },
  };
  const drains: ObservedDrain[] = [];
  const states: { on: boolean; why: string | null }[] = [];
  const forgotten: string[] = [];
  const capture = createCompleteCapture({
    api,
    now: () => Date.now(),
    ...(reconnectWait ? { reconnectWait } : {}),
    report: (_tab, _page, drain) => drains.push(drain),
    state: (_tab, on, why) => states.push({ on, why }),
    forget: (_tab, why) => forgotten.push(why),
  });
  const records = async (): Promise<ObservedRecord[]> => {
    await new Promise((r) => setTimeout(r, 80));
    return drains.flatMap((d) => d.records);
  };
  return { capture, commands, states, forgotten, records, event: (method: string, params: unknown, sessionId?: string) => onEvent({ tabId: 7, ...(sessionId ? { sessionId } : {}) }, method, params), detach: (reason: string) => onDetach({ tabId: 7 }, reason) };
}

test('a response that ends before its buffered content arrives keeps its bytes before its end; every record is valid', async () => {
  const h = harness((method) => (method === 'Network.streamResourceContent' ? { bufferedData: b64('id: 1\ndata: a\n\nevent: ghost\ndata: b\n\n') } : {}));
  await h.capture.start(7, 'http://app.test/');
  h.event('Network.requestWillBeSent', { requestId: 'r1', type: 'EventSource', documentURL: 'http://app.test/', request: { url: 'http://app.test/es', method: 'GET', headers: { Accept: 'text/event-stream' } } });
  h.event('Network.requestWillBeSentExtraInfo', { requestId: 'r1', headers: { Accept: 'text/event-stream', 'Last-Event-ID': '0', Cookie: 'a=b' } });
  h.event('Network.responseReceived', { requestId: 'r1', type: 'EventSource', response: { url: 'http://app.test/es', status: 200, statusText: 'OK', mimeType: 'text/event-stream', headers: { 'Content-Type': 'text/event-stream' } } });
  h.event('Network.loadingFinished', { requestId: 'r1' });
  const records = await h.records();
  assert.deepEqual(records.map((r) => r.t), ['open', 'response', 'chunk', 'end']);
  const open = records[0] as Extract<ObservedRecord, { t: 'open' }>;
  assert.equal(open.api, 'eventsource');
  assert.deepEqual(open.headers.find(([n]) => n === 'Last-Event-ID'), ['Last-Event-ID', '0'], 'the headers as they left, from ExtraInfo');
  assert.equal(checkDrain({ records, dropped: 0 }).records.length, records.length);
});

test('what the page controls is cut to the limits; hostile shapes are ignored, never thrown on', async () => {
  const h = harness((method) => (method === 'Network.streamResourceContent' ? { bufferedData: 12 } : {}));
  await h.capture.start(7, 'http://app.test/');
  for (const params of [null, 'x', 42, { requestId: { toString: 1 } }, { requestId: 'r', request: 'nope' }]) {
    for (const m of ['Network.requestWillBeSent', 'Network.responseReceived', 'Network.dataReceived', 'Network.loadingFailed', 'Target.attachedToTarget']) h.event(m, params);
  }
  const headers = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`x-${i}`, 'v'.repeat(100_000)]));
  h.event('Network.requestWillBeSent', { requestId: 'big', type: 'Fetch', request: { url: `http://app.test/${'u'.repeat(2_000_000)}`, method: 'P'.repeat(100), headers, postData: 'b'.repeat(1_000_000) } });
  h.event('Network.responseReceived', { requestId: 'big', type: 'Fetch', response: { mimeType: 'TEXT/EVENT-STREAM', status: 1e9, headers } });
  h.event('Network.dataReceived', { requestId: 'big', data: '%%%not base64' });
  h.event('Network.loadingFailed', { requestId: 'big', canceled: true, errorText: 'net::ERR_ABORTED' });
  const records = await h.records();
  assert.deepEqual(records.map((r) => r.t), ['open', 'response', 'end']);
  const checked = checkDrain({ records, dropped: 0 });
  assert.equal(checked.records.length, records.length, 'every record passes the intake\'s checks');
  assert.equal((records[2] as Extract<ObservedRecord, { t: 'end' }>).reason, 'cancel');
});

test('iframes (auto-attached targets) get the Network domain and are never left waiting, even when a command fails', async () => {
  const h = harness((method, _p, target) => (target.sessionId === 's1' && method === 'Network.enable' ? new Error('gone') : {}));
  await h.capture.start(7, 'http://app.test/');
  h.event('Target.attachedToTarget', { sessionId: 's1', waitingForDebugger: true, targetInfo: { type: 'iframe' } });
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(h.commands.some((c) => c.target.sessionId === 's1' && c.method === 'Runtime.runIfWaitingForDebugger'));
  assert.ok(h.commands.some((c) => c.target.sessionId === undefined && c.method === 'Target.setAutoAttach'));
});

test('Cancel on Chrome\'s bar switches the capture off and says why; the open streams say they are no longer followed', async () => {
  const h = harness();
  await h.capture.start(7, 'http://app.test/');
  assert.deepEqual(h.states.at(-1), { on: true, why: null });
  h.detach('canceled_by_user');
  assert.equal(h.capture.isOn(7), false);
  assert.equal(h.states.at(-1)?.on, false);
  assert.equal(h.states.at(-1)?.why, detachReason('canceled_by_user'));
  assert.match(h.states.at(-1)?.why ?? '', /Cancel/);
  assert.equal(h.forgotten.length, 1);
});

test('an EventSource\'s reconnect (same URL and frame, after the last request ended) keeps its stream, carrying the Last-Event-ID it sent; after the page\'s close() a new one is a new stream', async () => {
  const h = harness();
  await h.capture.start(7, 'http://app.test/');
  const request = (id: string, leid?: string) => {
    h.event('Network.requestWillBeSent', { requestId: id, type: 'EventSource', documentURL: 'http://app.test/', request: { url: 'http://app.test/es', method: 'GET', headers: { Accept: 'text/event-stream' } } });
    if (leid) h.event('Network.requestWillBeSentExtraInfo', { requestId: id, headers: { Accept: 'text/event-stream', 'Last-Event-ID': leid } });
    h.event('Network.responseReceived', { requestId: id, type: 'EventSource', response: { url: 'http://app.test/es', status: 200, mimeType: 'text/event-stream', headers: {} } });
  };
  // The browser waits (retry:) before it reconnects: the ended request's content has been read by then.
  const later = () => new Promise((r) => setTimeout(r, 10));
  request('r1');
  h.event('Network.loadingFinished', { requestId: 'r1' });
  await later();
  // The server is down for one reconnect: a request without a response, an attempt that failed.
  h.event('Network.requestWillBeSent', { requestId: 'r1b', type: 'EventSource', documentURL: 'http://app.test/', request: { url: 'http://app.test/es', method: 'GET', headers: {} } });
  h.event('Network.loadingFailed', { requestId: 'r1b', errorText: 'net::ERR_CONNECTION_REFUSED' });
  request('r2', '3');
  h.event('Network.loadingFailed', { requestId: 'r2', canceled: true, errorText: 'net::ERR_ABORTED' });
  await later();
  request('r3');
  const opens = (await h.records()).filter((r): r is Extract<ObservedRecord, { t: 'open' }> => r.t === 'open');
  assert.equal(opens.length, 4);
  assert.deepEqual(opens.slice(1, 3).map((o) => o.sid), [opens[0]!.sid, opens[0]!.sid], 'the reconnects are the same stream');
  assert.deepEqual(opens[2]!.headers.find(([n]) => n === 'Last-Event-ID'), ['Last-Event-ID', '3']);
  assert.notEqual(opens[3]!.sid, opens[0]!.sid, 'closed by the page: a new EventSource is a new stream');
});

test('an EventSource the page closes while it waits to reconnect ends once its reconnect is overdue (its retry: and a margin), saying so; a late reconnect with a Last-Event-ID still continues it, one without is a new EventSource', async () => {
  const h = harness((method) => (method === 'Network.streamResourceContent' ? { bufferedData: b64('retry: 40\nid: 7\ndata: a\n\n') } : {}), { defaultMs: 3_000, marginMs: 30 });
  await h.capture.start(7, 'http://app.test/');
  const request = (id: string, leid?: string) => {
    h.event('Network.requestWillBeSent', { requestId: id, type: 'EventSource', documentURL: 'http://app.test/', request: { url: 'http://app.test/es', method: 'GET', headers: { Accept: 'text/event-stream' } } });
    if (leid) h.event('Network.requestWillBeSentExtraInfo', { requestId: id, headers: { Accept: 'text/event-stream', 'Last-Event-ID': leid } });
    h.event('Network.responseReceived', { requestId: id, type: 'EventSource', response: { url: 'http://app.test/es', status: 200, mimeType: 'text/event-stream', headers: { 'Content-Type': 'text/event-stream' } } });
  };
  request('r1');
  await new Promise((r) => setTimeout(r, 10));
  h.event('Network.loadingFinished', { requestId: 'r1' });
  // The page closes it during the 40 ms wait: no request comes, and nothing on the network says so.
  await new Promise((r) => setTimeout(r, 200));
  const ends = (await h.records()).filter((r): r is Extract<ObservedRecord, { t: 'end' }> => r.t === 'end');
  assert.deepEqual(ends.map((e) => e.reason), ['done', 'close']);
  assert.match(ends[1]!.detail, /no reconnect request within 0\.1 s \(its retry: of 40 ms, and a margin\): the page closed the EventSource while it waited to reconnect, or its reconnect was not seen/);

  // Folded as the background does: the row stops (no longer waiting), and says why.
  const entries: TimelineEntry[] = [];
  const all = await h.records();
  const stream = createObservedStream({ connectionId: 'o-1', open: all[0] as Extract<ObservedRecord, { t: 'open' }>, mode: 'complete', onEntry: (e) => entries.push(e) });
  for (const r of all.slice(1)) stream.add(r);
  assert.equal(stream.stopped, true);
  assert.match(JSON.stringify(entries.at(-1)), /"kind":"stopped".*no reconnect request within/);

  // After the wait, a new EventSource to the same URL sends no Last-Event-ID: a stream of its own.
  request('r2');
  // A reconnect that comes late anyway (a throttled tab) carries the Last-Event-ID: the same stream's next attempt.
  request('r3', '7');
  const after = await h.records();
  const opens = after.filter((r): r is Extract<ObservedRecord, { t: 'open' }> => r.t === 'open');
  assert.notEqual(opens[1]!.sid, opens[0]!.sid, 'a request without a Last-Event-ID after the wait is a new EventSource');
  assert.equal(opens[2]!.sid, opens[0]!.sid, 'the late reconnect continues the stream');
  for (const r of after.slice(all.length)) if (r.sid === opens[0]!.sid) stream.add(r);
  assert.equal(stream.stopped, false, 'taken up again: a second attempt');
  assert.ok(entries.some((e) => e.kind === 'attempt-started' && e.attempt === 2 && e.lastEventId === '7'), JSON.stringify(entries.map((e) => e.kind)));
});
