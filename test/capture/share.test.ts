/**
 * Sharing a capture: export choices and their preview, replay as a live server (to our engine and
 * to the independent `eventsource` package), and HAR files turned into captures.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EventSource } from 'eventsource';
import { describeTokenLike, exportCapture, tokenLikeUrlParts } from '../../src/core/capture/export.js';
import { buildCapture, type CaptureFile } from '../../src/core/capture/format.js';
import { harToCapture } from '../../src/core/capture/har.js';
import { loadCaptureText } from '../../src/core/capture/load.js';
import { REDACTED } from '../../src/core/secrets.js';
import type { EventEntry } from '../../src/core/timeline.js';
import { startReplayServer } from '../../src/servers/replay-server.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { config, run } from '../helpers/harness.js';

let server: ScenarioServer;
let capture: CaptureFile;
const eventsOf = (entries: { kind: string }[]) => (entries.filter((e) => e.kind === 'event') as EventEntry[]).map((e) => [e.type, e.id, e.data]);

before(async () => {
  server = await startScenarioServer({ intervalMs: 30, heartbeatMs: 70 });
  // Two attempts cut by the server, a retry: value, heartbeats: what a replay must reproduce.
  const cfg = config(`${server.url}/events?maxDuration=250&retry=50&token=qs-secret`, { headers: [['Authorization', 'Bearer demo-token']], reconnect: { maxAttempts: 2 } });
  const r = run(cfg);
  await r.untilClosed();
  capture = buildCapture([{ id: r.connection.id, config: cfg, entries: r.entries }], '1.0.0');
});
after(() => server.close());

describe('export', () => {
  test('redacts Last-Event-IDs on request and lists it in the preview', () => {
    const out = exportCapture(capture.connections, '1.0.0', { redactSecrets: true, redactLastEventIds: true, channels: null, from: null, to: null });
    const text = JSON.stringify(out);
    const events = out.connections[0]!.entries.filter((e): e is EventEntry => e.kind === 'event');
    assert.ok(events.every((e) => e.id === REDACTED && e.lastEventId === REDACTED));
    const second = out.connections[0]!.entries.filter((e) => e.kind === 'attempt-started')[1];
    assert.ok(second?.kind === 'attempt-started' && second.lastEventId === REDACTED);
    assert.ok(second.headers.some(([n, v]) => n === 'last-event-id' && v === REDACTED));
    assert.ok(out.redactions.some((r) => /event ids and Last-Event-IDs/.test(r.what)));
    assert.doesNotMatch(text, /demo-token|qs-secret/);
  });

  test('keeps only the chosen channels, and says so', () => {
    const out = exportCapture(capture.connections, '1.0.0', { redactSecrets: true, redactLastEventIds: false, channels: ['chat'], from: null, to: null });
    const types = new Set(out.connections[0]!.entries.filter((e): e is EventEntry => e.kind === 'event').map((e) => e.type));
    assert.deepEqual([...types], ['chat']);
    assert.ok(out.connections[0]!.entries.some((e) => e.kind === 'attempt-ended'), 'lifecycle entries stay');
    assert.ok(out.redactions.some((r) => /only the channels chat/.test(r.what)));
  });
});

describe('export: what masking does not know', () => {
  const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJlLWJ5dGVz';
  const HEX = '8f3a9c0d1e2b4a5f6c7d8e9f';
  let tokened: CaptureFile;
  before(async () => {
    const url = `${server.url}/events?count=2&session=${JWT}&trace=${HEX}&request=550e8400-e29b-41d4-a716-446655440000&channels=price&token=qs-secret`;
    const cfg = config(url, { method: 'POST', body: '{"password":"pw-9a8b7c6d"}', secretBody: true, headers: [['Authorization', 'Bearer demo-token']], reconnect: { maxAttempts: 1 } });
    const r = run(cfg);
    await r.untilClosed();
    tokened = buildCapture([{ id: r.connection.id, config: cfg, entries: r.entries }], '1.0.0');
  });

  test('URL parts that look like tokens are listed for the preview but kept by default', () => {
    const parts = tokenLikeUrlParts(tokened.connections);
    assert.deepEqual(parts.map((p) => [p.part, p.shape]), [['query parameter session', 'JWT'], ['query parameter trace', 'hex']]);
    assert.match(describeTokenLike(parts[0]!), /^query parameter session eyJhbG… \(\d+ characters, JWT-shaped\)$/);
    const out = JSON.stringify(exportCapture(tokened.connections, '1.0.0'));
    assert.ok(out.includes(JWT) && out.includes(HEX), 'kept unless asked');
    assert.doesNotMatch(out, /qs-secret|pw-9a8b7c6d|demo-token/);
  });

  test('on request they are redacted wherever they appear, and the preview says so', () => {
    const out = exportCapture(tokened.connections, '1.0.0', { redactSecrets: true, redactLastEventIds: false, channels: null, from: null, to: null, redactTokenLikeUrlParts: true });
    const text = JSON.stringify(out);
    assert.ok(!text.includes(JWT) && !text.includes(HEX), 'no token-like part left');
    assert.ok(text.includes('550e8400-e29b-41d4-a716-446655440000'), 'a UUID is not token-like');
    assert.equal(out.redactions.filter((r) => /looks like a token/.test(r.what)).length, 2);
  });
});

describe('replay', () => {
  test('our engine receives the captured events, across the captured attempt boundary, resuming by Last-Event-ID', async () => {
    const replay = await startReplayServer({ capture, speed: 4 });
    try {
      const r = run(config(replay.url, { reconnect: { initialDelayMs: 10, maxAttempts: 3 } }));
      await r.untilClosed();
      assert.deepEqual(eventsOf(r.entries), eventsOf(capture.connections[0]!.entries));
      const ends = r.ends().map((e) => e.reason);
      assert.deepEqual(ends.slice(0, 2), ['closed-by-server', 'closed-by-server'], 'closed where the original server closed');
      assert.equal(ends[2], 'no-content', 'then 204: every attempt was replayed');
      assert.ok(r.entries.some((e) => e.kind === 'retry-changed' && e.delayMs === 50), 'retry: is replayed');
      assert.ok(r.entries.some((e) => e.kind === 'comment' && e.text === 'heartbeat'), 'comments are replayed');
    } finally {
      await replay.close();
    }
  });

  test('the eventsource npm package, an independent client, receives the same events', async () => {
    const replay = await startReplayServer({ capture, speed: 4 });
    const expected = eventsOf(capture.connections[0]!.entries);
    const got: (string | null)[][] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const es = new EventSource(replay.url);
        const guard = setTimeout(() => (es.close(), reject(new Error(`got ${got.length} of ${expected.length} events`))), 15_000);
        for (const type of new Set(expected.map(([t]) => t!))) {
          es.addEventListener(type, (e) => {
            got.push([e.type, e.lastEventId, e.data]);
            if (got.length === expected.length) {
              clearTimeout(guard);
              es.close();
              resolve();
            }
          });
        }
      });
      assert.deepEqual(got, expected);
    } finally {
      await replay.close();
    }
  });

  test('--loop starts over after the last attempt instead of answering 204', async () => {
    const replay = await startReplayServer({ capture, speed: 0, loop: true });
    try {
      const r = run(config(replay.url, { reconnect: { initialDelayMs: 10, maxAttempts: 3 } }));
      await r.untilClosed();
      assert.deepEqual(r.ends().map((e) => e.reason), ['closed-by-server', 'closed-by-server', 'closed-by-server']);
    } finally {
      await replay.close();
    }
  });

  test('an attempt that got an HTTP error is replayed with that status', async () => {
    const cfg = config(`${server.url}/events`, { headers: [['Authorization', 'Bearer wrong']] });
    const r = run(cfg);
    await r.untilClosed();
    const denied = buildCapture([{ id: r.connection.id, config: cfg, entries: r.entries }], '1.0.0');
    const replay = await startReplayServer({ capture: denied });
    try {
      const again = run(config(replay.url));
      await again.untilClosed();
      assert.deepEqual(again.ends().map((e) => [e.reason, e.status]), [['http-error', 401]]);
    } finally {
      await replay.close();
    }
  });
});

describe('HAR import', () => {
  const har = (content: Record<string, unknown>) => ({
    log: {
      version: '1.2',
      entries: [
        { startedDateTime: '2026-11-25T10:00:00.000Z', time: 1500, request: { method: 'GET', url: 'https://api.example.com/other', headers: [] }, response: { status: 200, statusText: 'OK', headers: [], content: { mimeType: 'application/json', text: '{}' } } },
        {
          startedDateTime: '2026-11-25T10:00:01.000Z',
          time: 2000,
          timings: { blocked: 1, dns: -1, connect: 2, send: 1, wait: 16, receive: 1980 },
          request: { method: 'GET', url: 'https://api.example.com/stream?token=har-secret', headers: [{ name: 'Authorization', value: 'Bearer har-token' }, { name: ':authority', value: 'x' }] },
          response: { status: 200, statusText: 'OK', headers: [{ name: 'Content-Type', value: 'text/event-stream' }], content },
        },
      ],
    },
  });

  test('each text/event-stream response becomes a connection whose events are parsed from the body', () => {
    const result = harToCapture(har({ mimeType: 'text/event-stream', text: 'retry: 2000\n\nid: 1\nevent: price\ndata: {"p":1}\n\n: ping\n\nid: 2\ndata: two\n\n' }), '1.0.0');
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    const c = result.capture.connections;
    assert.equal(c.length, 1);
    assert.deepEqual(eventsOf(c[0]!.entries), [['price', '1', '{"p":1}'], ['message', '2', 'two']]);
    assert.ok(c[0]!.entries.some((e) => e.kind === 'comment' && e.text === 'ping'));
    assert.equal(c[0]!.attempts[0]?.response?.timeToHeadersMs, 20);
    const text = JSON.stringify(result.capture);
    assert.doesNotMatch(text, /har-token|har-secret/);
    assert.doesNotMatch(text, /:authority/);
  });

  test('a block with an id and no data sets the last event ID of the events after it, as in a live stream', () => {
    const result = harToCapture(har({ mimeType: 'text/event-stream', text: 'id: 4\n\ndata: after\n\n' }), '1.0.0');
    assert.ok(result.ok);
    const event = result.capture.connections[0]!.entries.find((e) => e.kind === 'event');
    assert.equal(event?.kind === 'event' ? event.lastEventId : undefined, '4');
  });

  test("the request's secrets echoed in the saved body are masked, as the engine masks them", () => {
    const result = harToCapture(har({ mimeType: 'text/event-stream', text: 'data: hello har-token and har-secret\n\n' }), '1.0.0');
    assert.ok(result.ok);
    const event = result.capture.connections[0]!.entries.find((e) => e.kind === 'event');
    assert.equal(event?.kind === 'event' ? event.data : undefined, 'hello [redacted] and [redacted]');
  });

  test('a stream the browser saved no content for is kept, with a note that its events are unknown', () => {
    const result = harToCapture(har({ mimeType: 'text/event-stream', size: 0 }), '1.0.0');
    assert.ok(result.ok);
    const ended = result.capture.connections[0]!.entries.find((e) => e.kind === 'attempt-ended');
    assert.match(ended?.kind === 'attempt-ended' ? ended.detail : '', /saved no content/);
  });

  test('base64 bodies are decoded; a HAR without event streams is refused with a reason', () => {
    const result = harToCapture(har({ mimeType: 'text/event-stream', encoding: 'base64', text: Buffer.from('data: é\n\n').toString('base64') }), '1.0.0');
    assert.ok(result.ok);
    assert.deepEqual(eventsOf(result.capture.connections[0]!.entries), [['message', null, 'é']]);
    const none = loadCaptureText(JSON.stringify({ log: { entries: [] } }), '1.0.0');
    assert.ok(!none.ok && /no text\/event-stream responses/.test(none.errors[0]!));
  });
});
