/**
 * "Opened before observing": the event streams in DevTools' network log (a HAR, shaped as
 * Chromium 156's getHAR() returns it) that the page opened before its hook and that are still
 * open, their secrets masked, whatever the log holds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_LISTED, stillOpen, streamsInHar } from '../../src/core/observe/before-observing.js';

const PAGE = Date.parse('2026-11-30T10:00:00.000Z');
const SINCE = PAGE + 5000;
const at = (ms: number) => new Date(PAGE + ms).toISOString();

function entry(url: string, startMs: number, patch: Record<string, unknown> = {}) {
  return {
    _initiator: { type: 'script', stack: { callFrames: [{ url: 'http://app.test/app.js', lineNumber: 11 }] } },
    _resourceType: 'eventsource',
    request: { method: 'GET', url, headers: [{ name: 'Accept', value: 'text/event-stream' }] },
    response: { status: 200, content: { mimeType: 'text/event-stream' }, _error: null },
    startedDateTime: at(startMs),
    _eventSourceMessages: [
      { time: 1, eventName: 'message', eventId: '7', data: 'a' },
      { time: 2, eventName: 'message', eventId: '8', data: 'b' },
    ],
    ...patch,
  };
}

test('lists the streams open from before the hook, with what the log knows, secrets masked', () => {
  const har = {
    entries: [
      entry('http://app.test/old-page-es', -60_000),
      { ...entry('http://app.test/', 0), _resourceType: 'document', response: { status: 200, content: { mimeType: 'text/html' } } },
      entry('http://app.test/es?token=abcdefghijklmnopqrstuvwxyz', 100),
      entry('http://app.test/finished', 200),
      entry('http://app.test/closed', 300, { response: { status: 200, content: { mimeType: 'text/event-stream' }, _error: 'net::ERR_ABORTED' } }),
      entry('http://app.test/chat', 400, {
        _resourceType: 'fetch',
        _eventSourceMessages: undefined,
        request: { method: 'POST', url: 'http://app.test/chat', headers: [{ name: 'Authorization', value: 'Bearer sk-page-secret-0123456789' }] },
        response: { status: 200, content: { mimeType: 'text/event-stream; charset=utf-8' } },
      }),
      entry('http://app.test/observed', 6000),
    ],
  };
  const candidates = streamsInHar(har, PAGE, SINCE);
  assert.deepEqual(candidates.map((c) => c.rawUrl.replace('http://app.test', '')), ['/es?token=abcdefghijklmnopqrstuvwxyz', '/finished', '/chat']);
  // The page says which of them ended: /finished did (its resource timing entry), the others did not.
  const open = stillOpen(candidates, [['http://app.test/finished', PAGE + 203], ['http://app.test/chat', PAGE + 90_000], 'junk', [1, 2]]);
  assert.equal(open.more, 0);
  assert.deepEqual(
    open.streams.map((s) => [s.method, s.url, s.type, s.initiator, s.events, s.lastEventId, s.status]),
    [
      ['GET', 'http://app.test/es?token=[redacted]', 'EventSource', 'script http://app.test/app.js:12', 2, '8', 200],
      ['POST', 'http://app.test/chat', 'fetch', 'script http://app.test/app.js:12', 0, null, 200],
    ],
  );
  assert.deepEqual(open.streams[1]!.headers, [['Authorization', 'Bearer [redacted]']]);
  assert.ok(!JSON.stringify(open.streams.map((s) => [s.url, s.headers, s.initiator])).includes('sk-page-secret'), 'no secret in what is shown');
});

test('without a hook every open stream of the page is listed; a hostile log is read within bounds and never thrown on', () => {
  for (const har of [null, 'x', 42, { entries: 'no' }, { log: { entries: [null, 1, 'x', { response: 'x' }, { _resourceType: { toString: 1 } }] } }]) {
    assert.deepEqual(streamsInHar(har, PAGE, null), []);
  }
  const huge = 'u'.repeat(3_000_000);
  const many = Array.from({ length: 600 }, (_, i) =>
    entry(`http://app.test/${i}`, 10 + i, {
      _initiator: { type: '<b>x</b>'.repeat(100), url: huge },
      request: { method: 'M'.repeat(100), url: `http://app.test/${i}`, headers: Array.from({ length: 500 }, () => ({ name: 'X-Big', value: huge })) },
      _eventSourceMessages: Array.from({ length: 3 }, () => ({ eventId: huge })),
    }),
  );
  const candidates = streamsInHar({ log: { entries: many } }, PAGE, null);
  assert.ok(candidates.length <= 500, 'candidates are bounded');
  const open = stillOpen(candidates, []);
  assert.equal(open.streams.length, MAX_LISTED);
  assert.equal(open.more, candidates.length - MAX_LISTED);
  const s = open.streams[0]!;
  assert.ok(s.method.length <= 16 && s.initiator.length < 5000 && s.headers.length <= 64 && s.headers.every(([, v]) => v.length <= 800) && (s.lastEventId ?? '').length <= 200);
});
