/**
 * Streams a page opened, as its hook reports them, become the timeline entries of an observed
 * connection: parsed like our own streams (the engine against a real server is the reference),
 * secrets masked, each end told with one of the fixed reasons, and hostile records dropped with a
 * row, never a throw.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkDrain } from '../../src/core/observe/records.js';
import { createObservedStream, type ObservedStream } from '../../src/core/observe/observed-stream.js';
import { createConnectionFold } from '../../src/core/fold.js';
import { mcpLens } from '../../src/core/lenses/mcp.js';
import { describeEntry } from '../../src/core/describe.js';
import type { AttemptEndedEntry, EventEntry, TimelineEntry } from '../../src/core/timeline.js';
import type { ObservedRecord } from '../../src/protocol/observed.js';
import { config, run } from '../helpers/harness.js';
import { sseHead, startRawServer, writeChunks, type RawServer } from '../helpers/raw-server.js';

const T0 = 1_800_000_000_000;
const TOKEN = 'Bearer sk-observed-0123456789';

type Open = Extract<ObservedRecord, { t: 'open' }>;
const fetchOpen = (patch: Partial<Open> = {}): Open => ({
  t: 'open',
  sid: 's1',
  api: 'fetch',
  time: T0,
  url: 'http://127.0.0.1:9/chat?stream=1',
  method: 'POST',
  headers: [
    ['Authorization', TOKEN],
    ['Content-Type', 'application/json'],
  ],
  body: '{"q":"hi"}',
  bodyCut: false,
  withCredentials: false,
  frame: 'http://127.0.0.1:9/app',
  ...patch,
});

function observe(open: Open, records: ObservedRecord[]): { entries: TimelineEntry[]; stream: ObservedStream } {
  const entries: TimelineEntry[] = [];
  const stream = createObservedStream({ connectionId: 'o-1', open, onEntry: (e) => entries.push(e) });
  for (const r of records) stream.add(r);
  return { entries, stream };
}

const pick = (es: TimelineEntry[]): object[] =>
  es.flatMap((e): object[] => {
    switch (e.kind) {
      case 'event':
        return [{ kind: e.kind, type: e.type, id: e.id, lastEventId: e.lastEventId, data: e.data }];
      case 'comment':
        return [{ kind: e.kind, text: e.text }];
      case 'retry-changed':
        return [{ kind: e.kind, delayMs: e.delayMs }];
      case 'ignored-line':
        return [{ kind: e.kind, why: e.why, line: e.line }];
      default:
        return [];
    }
  });

/** Awkward for a parser: split fields, CRLF split across chunks, ids without data, empty id, bad retry, unknown field, a BOM. */
const PIECES = ['\uFEFF: hello\n', 'id: 1\nda', 'ta: one\n\n', 'event: tick\r', '\ndata: two\r\ndata: lines\r\n\r\n', 'id: 7\n\n', 'retry: 2500\n', 'retry: 2s\nfoo: bar\n', 'data: after-id\n\n', 'id\ndata: empty id\n\n', 'data: unterminated'];

describe('an observed fetch stream', () => {
  let server: RawServer;
  before(async () => {
    server = await startRawServer(async (res) => {
      sseHead(res);
      await writeChunks(res, PIECES, 5);
      res.end();
    });
  });
  after(() => server.close());

  test('is parsed exactly as the engine parses the same text', async () => {
    const r = run(config(server.url, { reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    const records: ObservedRecord[] = [
      { t: 'response', sid: 's1', time: T0 + 5, status: 200, statusText: 'OK', headers: [['content-type', 'text/event-stream']], url: '' },
      ...PIECES.map((text, i): ObservedRecord => ({ t: 'chunk', sid: 's1', time: T0 + 10 + i, text })),
      { t: 'end', sid: 's1', time: T0 + 100, reason: 'done', detail: '' },
    ];
    const { entries } = observe(fetchOpen(), records);
    assert.deepEqual(pick(entries), pick(r.entries));
    assert.equal(entries.filter((e) => e.kind === 'event').length, 4);
  });

  test('masks the page\'s token everywhere, keeps the real one for the lab, and says the page ended it', () => {
    const { entries, stream } = observe(fetchOpen(), [
      { t: 'response', sid: 's1', time: T0 + 5, status: 200, statusText: 'OK', headers: [['content-type', 'text/event-stream']], url: 'http://127.0.0.1:9/chat?stream=1' },
      { t: 'chunk', sid: 's1', time: T0 + 6, text: `data: echo ${TOKEN}\n\n` },
      { t: 'end', sid: 's1', time: T0 + 9, reason: 'cancel', detail: '' },
    ]);
    assert.ok(!JSON.stringify(entries).includes('sk-observed'), 'no entry holds the token');
    const started = entries[0]!;
    assert.equal(started.kind, 'attempt-started');
    assert.deepEqual(started.kind === 'attempt-started' && started.headers[0], ['Authorization', 'Bearer [redacted]']);
    assert.equal(stream.request.headers[0]![1], TOKEN);
    assert.equal(stream.request.body, '{"q":"hi"}');
    assert.equal(stream.request.method, 'POST');
    const end = entries.find((e): e is AttemptEndedEntry => e.kind === 'attempt-ended')!;
    assert.equal(end.reason, 'closed-by-user');
    assert.match(end.detail, /the page cancelled it/);
    assert.equal(end.bytes, `data: echo ${TOKEN}\n\n`.length);
    assert.equal(entries.at(-1)!.kind, 'stopped');
    const fold = createConnectionFold();
    entries.forEach((e) => fold.add(e));
    assert.equal(fold.state.phase, 'closed');
    assert.equal(fold.stats.events, 1);
  });

  // The hook sends a fetch's open without waiting past 64 records for its request body (hook.ts): bodyCut.
  test('a request body the hook read only in part says so at the request, masked, and only then', () => {
    const cut = observe(fetchOpen({ body: '{"q":"h', bodyCut: true }), [{ t: 'end', sid: 's1', time: T0 + 1, reason: 'done', detail: '' }]).entries;
    const sent = cut.filter((e) => e.kind === 'request-sent');
    assert.equal(sent.length, 1);
    assert.ok(sent[0]!.kind === 'request-sent' && !sent[0]!.observed && /body was cut: the hook read 7 bytes/.test(sent[0]!.detail) && /Open in lab/.test(sent[0]!.detail));
    assert.deepEqual(sent[0]!.kind === 'request-sent' && sent[0]!.headers[0], ['Authorization', 'Bearer [redacted]', 'form']);
    assert.equal(observe(fetchOpen(), []).entries.filter((e) => e.kind === 'request-sent').length, 0, 'a whole body adds no row');
  });

  test('a stream the server ended, one that failed, one the page aborted', () => {
    const reasons = (['done', 'error', 'abort'] as const).map((reason) => {
      const { entries } = observe(fetchOpen(), [{ t: 'end', sid: 's1', time: T0 + 1, reason, detail: reason === 'error' ? 'TypeError: network error' : '' }]);
      const end = entries.find((e): e is AttemptEndedEntry => e.kind === 'attempt-ended')!;
      return [end.reason, end.detail];
    });
    assert.deepEqual(reasons, [
      ['closed-by-server', 'the server ended the response'],
      ['network-error', "the page's request failed: TypeError: network error"],
      ['closed-by-user', 'the page aborted it'],
    ]);
  });

  test('an event past the limits stops the following of the stream with a row, not a throw', () => {
    const huge = 'x'.repeat(16 * 1024 * 1024 + 10);
    const { entries } = observe(fetchOpen(), [
      { t: 'chunk', sid: 's1', time: T0 + 1, text: `data: ${huge}` },
      { t: 'chunk', sid: 's1', time: T0 + 2, text: '\n\ndata: later\n\n' },
    ]);
    assert.ok(entries.some((e) => e.kind === 'entries-dropped' && /stopped following/.test(e.detail)));
    assert.equal(entries.filter((e) => e.kind === 'event').length, 0);
  });
});

describe('an observed EventSource', () => {
  const esOpen = fetchOpen({ api: 'eventsource', method: 'GET', headers: [], body: null, url: 'http://127.0.0.1:9/events', withCredentials: false });
  const msg = (time: number, type: string, data: string, lastEventId: string): ObservedRecord => ({ t: 'es-message', sid: 's1', time, type, data, lastEventId });

  test('each open is an attempt, reconnects say what the hook could not see, ids come from lastEventId', () => {
    const { entries, stream } = observe(esOpen, [
      { t: 'es-open', sid: 's1', time: T0 + 10 },
      msg(T0 + 11, 'message', 'a', '1'),
      msg(T0 + 12, 'tick', 'b', '2'),
      msg(T0 + 13, 'tick', 'no id', '2'),
      { t: 'es-error', sid: 's1', time: T0 + 20, readyState: 0 },
      { t: 'es-open', sid: 's1', time: T0 + 3020 },
      msg(T0 + 3021, 'message', 'c', '3'),
      { t: 'es-error', sid: 's1', time: T0 + 4000, readyState: 2 },
    ]);
    const events = entries.filter((e): e is EventEntry => e.kind === 'event');
    assert.deepEqual(
      events.map((e) => [e.attempt, e.type, e.id, e.lastEventId, e.data]),
      [
        [1, 'message', '1', '1', 'a'],
        [1, 'tick', '2', '2', 'b'],
        [1, 'tick', null, '2', 'no id'],
        [2, 'message', '3', '3', 'c'],
      ],
    );
    const starts = entries.filter((e) => e.kind === 'attempt-started');
    assert.equal(starts.length, 2);
    const sent = entries.filter((e) => e.kind === 'request-sent');
    assert.equal(sent.length, 2);
    assert.ok(sent.every((e) => e.kind === 'request-sent' && !e.observed && /events of types the page listens to/.test(e.detail)));
    assert.deepEqual(sent[1]!.kind === 'request-sent' && sent[1]!.headers, [['Last-Event-ID', '2', 'browser']]);
    const scheduled = entries.find((e) => e.kind === 'reconnect-scheduled');
    assert.ok(scheduled?.kind === 'reconnect-scheduled' && /cannot see/.test(scheduled.why));
    assert.equal(entries.at(-1)!.kind, 'stopped');
    assert.equal(stream.request.sendBrowserCookies, true, 'a same-origin EventSource sends the page\'s cookies');
    const fold = createConnectionFold();
    entries.forEach((e) => fold.add(e));
    assert.equal(fold.stats.attempts, 2);
    assert.equal(fold.stats.lastEventId, '3');
  });

  // A hook sees only `error` with readyState 0: the server's normal end and a lost network look the same, and the delay is the browser's.
  test('a reconnect claims neither a network error nor a delay the hook cannot know', () => {
    const { entries } = observe(esOpen, [
      { t: 'es-open', sid: 's1', time: T0 + 1 },
      msg(T0 + 2, 'message', 'a', '1'),
      { t: 'es-error', sid: 's1', time: T0 + 3, readyState: 0 },
    ]);
    const end = entries.find((e): e is AttemptEndedEntry => e.kind === 'attempt-ended')!;
    assert.equal(end.reason, 'lost-or-closed');
    assert.match(end.detail, /connection lost or closed by the server/);
    const scheduled = entries.find((e) => e.kind === 'reconnect-scheduled');
    assert.ok(scheduled?.kind === 'reconnect-scheduled');
    assert.equal(scheduled.delayMs, null, 'the delay is the browser\'s, unseen');
    assert.match(describeEntry(scheduled), /reconnect after an unknown delay/);
    assert.doesNotMatch(describeEntry(scheduled), /0 ms/);
    const fold = createConnectionFold();
    entries.forEach((e) => fold.add(e));
    assert.deepEqual(fold.state, { phase: 'waiting', attempt: 2, until: null });
  });

  test('close() by the page ends the attempt as closed by the page', () => {
    const { entries } = observe(esOpen, [{ t: 'es-open', sid: 's1', time: T0 + 1 }, { t: 'end', sid: 's1', time: T0 + 2, reason: 'close', detail: '' }]);
    const end = entries.find((e): e is AttemptEndedEntry => e.kind === 'attempt-ended')!;
    assert.equal(end.reason, 'closed-by-user');
    assert.match(end.detail, /the page closed it/);
  });

  // The real hook follows an error with readyState 2 by an `end` with reason error (hook.ts).
  test('the browser giving up is one failed end, as the hook reports it, and still so when its error record was lost', () => {
    const gaveUp: ObservedRecord[] = [
      { t: 'es-error', sid: 's1', time: T0 + 2, readyState: 2 },
      { t: 'end', sid: 's1', time: T0 + 2, reason: 'error', detail: 'the browser stopped reconnecting' },
    ];
    for (const records of [gaveUp, gaveUp.slice(1)]) {
      const { entries } = observe(esOpen, [{ t: 'es-open', sid: 's1', time: T0 + 1 }, ...records]);
      const ends = entries.filter((e): e is AttemptEndedEntry => e.kind === 'attempt-ended');
      assert.deepEqual(ends.map((e) => e.reason), ['network-error'], JSON.stringify(ends));
      assert.doesNotMatch(ends[0]!.detail, /page closed/);
      assert.deepEqual(entries.filter((e) => e.kind === 'stopped').length, 1);
      assert.equal(entries.at(-1)!.kind, 'stopped');
    }
  });
});

describe('an EventSource seen by complete capture', () => {
  const esOpen = fetchOpen({ api: 'eventsource', method: 'GET', headers: [['Accept', 'text/event-stream']], body: null, url: 'http://127.0.0.1:9/events' });
  const ok: ObservedRecord = { t: 'response', sid: 's1', time: T0 + 1, status: 200, statusText: 'OK', headers: [['Content-Type', 'text/event-stream']], url: 'http://127.0.0.1:9/events' };
  const observeComplete = (records: ObservedRecord[]): TimelineEntry[] => {
    const entries: TimelineEntry[] = [];
    const stream = createObservedStream({ connectionId: 'o-1', open: esOpen, mode: 'complete', onEntry: (e) => entries.push(e) });
    for (const r of records) stream.add(r);
    return entries;
  };

  test('its reconnect is attempt 2 of one connection, with the Last-Event-ID it sent, why each attempt ended, and the retry it will wait', () => {
    const entries = observeComplete([
      ok,
      { t: 'chunk', sid: 's1', time: T0 + 2, text: 'retry: 100\n\nid: 1\ndata: a\n\n' },
      { t: 'end', sid: 's1', time: T0 + 3, reason: 'done', detail: '' },
      { ...esOpen, time: T0 + 110, headers: [['Accept', 'text/event-stream'], ['Last-Event-ID', '1']] },
      { ...ok, time: T0 + 111 },
      { t: 'chunk', sid: 's1', time: T0 + 112, text: 'id: 2\ndata: b\n\n' },
      { t: 'end', sid: 's1', time: T0 + 113, reason: 'cancel', detail: 'net::ERR_ABORTED' },
    ]);
    const starts = entries.filter((e) => e.kind === 'attempt-started');
    assert.deepEqual(starts.map((e) => [e.attempt, e.kind === 'attempt-started' && e.lastEventId]), [[1, null], [2, '1']]);
    const ends = entries.filter((e): e is AttemptEndedEntry => e.kind === 'attempt-ended');
    assert.deepEqual(ends.map((e) => [e.attempt, e.reason]), [[1, 'closed-by-server'], [2, 'closed-by-user']]);
    const scheduled = entries.find((e) => e.kind === 'reconnect-scheduled');
    assert.ok(scheduled?.kind === 'reconnect-scheduled');
    assert.equal(scheduled.delayMs, 100, 'the retry the stream sent');
    assert.deepEqual(entries.filter((e): e is EventEntry => e.kind === 'event').map((e) => [e.attempt, e.id, e.data]), [[1, '1', 'a'], [2, '2', 'b']]);
    assert.equal(entries.at(-1)!.kind, 'stopped');
    const fold = createConnectionFold();
    entries.forEach((e) => fold.add(e));
    assert.equal(fold.stats.attempts, 2);
  });

  test('a response the browser gives up on (not 200) ends it with the status, and nothing follows', () => {
    const entries = observeComplete([{ ...ok, status: 503, statusText: 'Unavailable' }, { t: 'end', sid: 's1', time: T0 + 3, reason: 'done', detail: '' }]);
    const ends = entries.filter((e): e is AttemptEndedEntry => e.kind === 'attempt-ended');
    assert.deepEqual(ends.map((e) => [e.reason, e.status]), [['http-error', 503]]);
    assert.equal(entries.filter((e) => e.kind === 'reconnect-scheduled').length, 0);
    assert.equal(entries.at(-1)!.kind, 'stopped');
  });
});

describe('drains from a hostile page', () => {
  test('are checked record by record and never throw', () => {
    for (const value of [null, 7, 'x', [], {}, { records: 'no' }, { records: [null, 1, 'x', { t: 'open' }] }]) assert.doesNotThrow(() => checkDrain(value));
    const checked = checkDrain({
      records: [
        { t: 'es-open', sid: 's1', time: T0 },
        { t: 'es-open', sid: 's1', time: 'later' },
        { t: 'chunk', sid: 's2', time: T0, text: 'x'.repeat(16 * 1024 * 1024 + 1) },
        { t: 'nope', sid: 's3' },
        { t: 'es-error', sid: {}, time: T0, readyState: 0 },
        { t: 'es-message', sid: 's1', time: T0, type: '<img src=x onerror=alert(1)>', data: '<script>', lastEventId: '' },
      ],
      dropped: 12,
    });
    assert.equal(checked.records.length, 2);
    assert.deepEqual([...checked.invalid.entries()].sort((a, b) => a[0].localeCompare(b[0])), [
      ['', 1],
      ['s1', 1],
      ['s2', 1],
      ['s3', 1],
    ]);
    assert.equal(checked.hookDropped, 12);
  });

  test('past the records a drain may hold, the rest are counted, not read', () => {
    const records = Array.from({ length: 6000 }, (): ObservedRecord => ({ t: 'es-open', sid: 's1', time: T0 }));
    const checked = checkDrain({ records, dropped: 0 });
    assert.equal(checked.records.length, 5000);
    assert.equal(checked.invalid.get(''), 1000);
  });

  test('lost records are a row, and a gap in a stream\'s text restarts its parsing', () => {
    const { entries, stream } = observe(fetchOpen(), [{ t: 'chunk', sid: 's1', time: T0 + 1, text: 'data: half' }]);
    stream.lost(3, 'over the rate limit', true, T0 + 2);
    stream.add({ t: 'chunk', sid: 's1', time: T0 + 3, text: 'data: whole\n\n' });
    const dropped = entries.find((e) => e.kind === 'entries-dropped');
    assert.ok(dropped?.kind === 'entries-dropped' && dropped.count === 3 && /gap/.test(dropped.detail));
    assert.deepEqual(
      entries.filter((e): e is EventEntry => e.kind === 'event').map((e) => e.data),
      ['whole'],
    );
  });
});

describe('a capture of an observed connection', () => {
  test('keeps where it was seen, its URLs masked, and opens again; a connection without it still opens', async () => {
    const { buildCapture, serializeCapture } = await import('../../src/core/capture/format.js');
    const { parseCapture } = await import('../../src/core/capture/schema.js');
    const { entries, stream } = observe(fetchOpen(), [{ t: 'end', sid: 's1', time: T0 + 1, reason: 'done', detail: '' }]);
    const observed = { api: 'fetch', mode: 'hook', tabId: 3, pageUrl: 'http://127.0.0.1:9/app?token=abcdefghijklmnop', frameUrl: 'http://127.0.0.1:9/app', withCredentials: false } as const;
    const file = buildCapture(
      [
        { id: 'o-1', config: stream.request, entries, observed },
        { id: 'c-1', config: stream.request, entries: entries.map((e) => ({ ...e, connectionId: 'c-1' })) },
      ],
      '0.0.0',
    );
    const parsed = parseCapture(serializeCapture(file));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n'));
    const [o, c] = parsed.capture.connections;
    assert.deepEqual(o!.observed, { ...observed, pageUrl: 'http://127.0.0.1:9/app?token=[redacted]' });
    assert.equal(c!.observed, undefined);
    assert.ok(!serializeCapture(file).includes('sk-observed'), 'the page\'s token is redacted');
  });
});

describe("an observed stream's request body", () => {
  test('attempt-started carries what the hook read of it, the page\'s token masked; the MCP lens pairs the call from it', () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'weather', auth: TOKEN } });
    const { entries } = observe(fetchOpen({ url: 'http://127.0.0.1:9/mcp', body, headers: [['Authorization', TOKEN], ['Mcp-Session-Id', 's-1']] }), [
      { t: 'response', sid: 's1', time: T0 + 5, status: 200, statusText: 'OK', headers: [['content-type', 'text/event-stream']], url: 'http://127.0.0.1:9/mcp' },
      { t: 'chunk', sid: 's1', time: T0 + 30, text: `data: ${JSON.stringify({ jsonrpc: '2.0', id: 4, result: { content: [{ type: 'text', text: 'rain' }] } })}\n\n` },
      { t: 'end', sid: 's1', time: T0 + 31, reason: 'done', detail: '' },
    ]);
    const started = entries[0];
    assert.ok(started?.kind === 'attempt-started');
    assert.equal(started.body, body.replace(TOKEN, '[redacted]'));
    assert.ok(!JSON.stringify(entries).includes('sk-observed'));
    const fold = mcpLens.create();
    entries.forEach((e) => fold.add(e));
    assert.deepEqual(fold.summary().calls.map((c) => [c.method, c.id, c.outcome, c.latencyMs, c.requestConnectionId]), [['tools/call', '4', 'result', 30, 'o-1']]);
  });

  test('an EventSource (a GET) has none', () => {
    const { entries } = observe(fetchOpen({ api: 'eventsource', method: 'GET', headers: [], body: null, url: 'http://127.0.0.1:9/events' }), []);
    const started = entries.find((e) => e.kind === 'attempt-started');
    assert.ok(started?.kind === 'attempt-started');
    assert.equal('body' in started, false);
  });
});
