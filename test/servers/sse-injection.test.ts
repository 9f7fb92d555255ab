/**
 * Values from a capture or a request never become SSE fields of their own: the replay and demo
 * servers write every stream through one writer, checked here with hostile values against the real
 * parser, a real replay server and the real demo server.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { sseComment, sseEvent, sseRetry } from '../../src/core/sse-writer.js';
import { startReplayServer } from '../../src/servers/replay-server.js';
import { startScenarioServer } from '../../src/servers/scenario-server.js';
import { config, run } from '../helpers/harness.js';
import { madeCapture } from '../helpers/captures.js';

function parse(text: string): { events: EventSourceMessage[]; comments: string[]; retries: number[] } {
  const out = { events: [] as EventSourceMessage[], comments: [] as string[], retries: [] as number[] };
  const parser = createParser({ onEvent: (e) => out.events.push(e), onComment: (c) => out.comments.push(c), onRetry: (r) => out.retries.push(r) });
  parser.feed(text);
  return out;
}

const HOSTILE_DATA = ['a\rdata: INJECTED\r\rb', 'x\r\nevent: y\r\n\r\n', 'id: 6\nretry: 1\n\n', '\n\n\n', '\r', 'ok', '', ' leading space', 'tail\n'];

describe('the SSE writer', () => {
  test('data with CR, LF or CRLF stays one event whose data has LF line breaks', () => {
    for (const data of HOSTILE_DATA) {
      const parsed = parse(sseEvent({ type: 'price', id: '7', data }));
      assert.equal(parsed.events.length, 1, JSON.stringify(data));
      assert.deepEqual(parsed.retries, []);
      assert.equal(parsed.events[0]!.data, data.replace(/\r\n|\r/g, '\n'));
      assert.equal(parsed.events[0]!.event, 'price');
      assert.equal(parsed.events[0]!.id, '7');
    }
  });

  test('an id or event type with a line break is refused, never written', () => {
    assert.throws(() => sseEvent({ type: 'x\ndata: INJECTED\n\nevent: y', data: 'd' }), /event type.*line break/);
    assert.throws(() => sseEvent({ id: '5\nretry: 1\nid: 6', data: 'd' }), /id.*line break/);
    assert.throws(() => sseEvent({ id: '5\r', data: 'd' }), /id.*line break/);
    assert.throws(() => sseRetry(1.5), /whole number/);
  });

  test('a comment with line breaks stays comments', () => {
    const parsed = parse(`${sseComment('beat\ndata: INJECTED\r\n\r')}${sseEvent({ data: 'real' })}`);
    assert.deepEqual(parsed.events.map((e) => e.data), ['real']);
    assert.deepEqual(parsed.comments, ['beat', 'data: INJECTED', '', '']);
  });
});

describe('replay of a hostile capture', () => {
  test('a capture whose event type or id holds a line break is refused, naming the entry', async () => {
    for (const bad of [{ type: 'x\ndata: INJECTED\n\nevent: y', data: 'd' }, { id: '5\nretry: 1\nid: 6', data: 'd' }]) {
      // A server that starts anyway is closed, so the failure is reported rather than left running.
      const started = startReplayServer({ capture: madeCapture([{ data: 'fine' }, bad]) }).then(async (s) => s.close());
      await assert.rejects(started, /connections\[0\]\.entries\[3\].*line break/);
    }
  });

  test('data holding CR is replayed as data lines: the client gets the event, and nothing injected', async () => {
    const capture = madeCapture([{ id: '1', data: 'a\rdata: INJECTED\r\rb' }, { id: '2', data: 'second' }]);
    const replay = await startReplayServer({ capture, speed: 0 });
    try {
      const r = run(config(replay.url, { reconnect: { maxAttempts: 1 } }));
      await r.untilClosed();
      assert.deepEqual(r.events().map((e) => [e.id, e.data]), [['1', 'a\ndata: INJECTED\n\nb'], ['2', 'second']]);
      assert.ok(!r.entries.some((e) => e.kind === 'retry-changed' || e.kind === 'ignored-line'));
    } finally {
      await replay.close();
    }
  });
});

describe('demo server', () => {
  test('a channel name with a line break from the query string is refused, not written into the stream', async () => {
    const server = await startScenarioServer({ token: null, intervalMs: 5 });
    try {
      const res = await fetch(`${server.url}/events?count=2&channels=${encodeURIComponent('x\ndata: INJECTED\n\nevent: y')}`);
      const body = await res.text();
      assert.equal(res.status, 400);
      assert.doesNotMatch(body, /^data: INJECTED/m);
      assert.match(body, /channels/);
    } finally {
      await server.close();
    }
  });
});
