/**
 * The WHATWG parsing rules, each against a real local server that sends exactly the bytes under
 * test, read by the real engine (fetch, TextDecoder, eventsource-parser).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { config, run } from '../helpers/harness.js';
import { sseHead, startRawServer, writeChunks, type RawServer } from '../helpers/raw-server.js';

const servers: RawServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

/** Serves `pieces` once as an SSE body, then ends the response; the connection makes one attempt. */
async function streamOf(pieces: (string | Uint8Array)[]) {
  const server = await startRawServer(async (res) => {
    sseHead(res);
    await writeChunks(res, pieces);
    res.end();
  });
  servers.push(server);
  const r = run(config(server.url, { reconnect: { maxAttempts: 1 } }));
  await r.untilClosed();
  return r;
}

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('parsing follows the WHATWG rules', () => {
  test('an event without an event field is of type "message"', async () => {
    const r = await streamOf(['data: hello\n\n']);
    assert.deepEqual(r.events().map((e) => [e.type, e.data]), [['message', 'hello']]);
  });

  test('the event field names the channel, multi-line data is joined with newlines', async () => {
    const r = await streamOf(['event: price\ndata: a\ndata: b\n\n']);
    assert.deepEqual(r.events().map((e) => [e.type, e.data]), [['price', 'a\nb']]);
  });

  test('CR, LF and CRLF all end lines, also when CRLF is split across chunks', async () => {
    const r = await streamOf(['data: lf\n\n', 'data: cr\r\r', 'data: crlf\r\n\r\n', 'data: split\r', '\n\r\n']);
    assert.deepEqual(r.events().map((e) => e.data), ['lf', 'cr', 'crlf', 'split']);
  });

  test('a leading BOM is skipped, so the first field still counts', async () => {
    const r = await streamOf([bytes(0xef, 0xbb, 0xbf), 'event: first\ndata: x\n\n']);
    assert.deepEqual(r.events().map((e) => e.type), ['first']);
  });

  test('chunk boundaries inside multi-byte UTF-8 characters decode correctly', async () => {
    const text = Buffer.from('data: héllo 🌊 世界\n\n', 'utf8');
    const pieces = [...text].map((b) => bytes(b));
    const r = await streamOf(pieces);
    assert.equal(r.events()[0]?.data, 'héllo 🌊 世界');
    assert.equal(r.events()[0]?.size, Buffer.byteLength('héllo 🌊 世界'));
  });

  test('invalid UTF-8 becomes U+FFFD instead of failing the stream', async () => {
    const r = await streamOf([bytes(0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0xff, 0xfe, 0x41, 0x0a, 0x0a)]);
    assert.equal(r.events()[0]?.data, '\uFFFD\uFFFDA');
  });

  test('a trailing event without its blank line is not dispatched at end of stream', async () => {
    const r = await streamOf(['data: complete\n\n', 'data: incomplete\n']);
    assert.deepEqual(r.events().map((e) => e.data), ['complete']);
    assert.equal(r.ends()[0]?.reason, 'closed-by-server');
  });

  test('lastEventId persists across events without id, an empty id resets it, an id with NUL is ignored', async () => {
    const r = await streamOf(['id: 7\ndata: a\n\n', 'data: b\n\n', 'id: bad\u0000id\ndata: c\n\n', 'id\ndata: d\n\n']);
    assert.deepEqual(
      r.events().map((e) => [e.data, e.id, e.lastEventId]),
      [
        ['a', '7', '7'],
        ['b', null, '7'],
        ['c', null, '7'],
        ['d', '', ''],
      ],
    );
  });

  test('a block with an id and no data sets the last event ID, which the next event carries and the reconnect sends', async () => {
    const server = await startRawServer(async (res, _req, index) => {
      sseHead(res);
      if (index === 0) await writeChunks(res, ['data: a\n\n', 'id: 5\n\n', 'data: b\n\n', 'id: 6\n\n']);
      res.end();
    });
    servers.push(server);
    const r = run(config(server.url, { reconnect: { initialDelayMs: 20, maxAttempts: 2 } }));
    await r.untilClosed();
    assert.deepEqual(r.events().map((e) => [e.data, e.id, e.lastEventId]), [
      ['a', null, ''],
      ['b', null, '5'],
    ]);
    // WHATWG dispatch step 1: the id is set even though no event is dispatched.
    assert.equal(server.requests[1]?.headers['last-event-id'], '6');
    const second = r.entries.find((e) => e.kind === 'attempt-started' && e.attempt === 2);
    assert.equal(second?.kind === 'attempt-started' ? second.lastEventId : undefined, '6');
  });

  test('comments are kept as comments, unknown fields and non-digit retry are shown as ignored lines', async () => {
    const r = await streamOf([': heartbeat\n', 'retry: 1x0\n', 'colour: red\n', 'data: ok\n\n']);
    assert.deepEqual(
      r.entries.filter((e) => e.kind === 'comment' || e.kind === 'ignored-line' || e.kind === 'retry-changed').map((e) => ('text' in e ? e.text : 'why' in e ? e.why : e.kind)),
      ['heartbeat', 'invalid-retry', 'unknown-field'],
    );
    assert.equal(r.events().length, 1);
  });
});
