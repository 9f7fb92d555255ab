/**
 * Connection lifecycle against the real scenario server: requests, statuses, timeouts, reconnects
 * and Last-Event-ID as the server received them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import type { EngineDeps } from '../../src/core/engine.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { config, countOf, run } from '../helpers/harness.js';
import { sseHead, startRawServer } from '../helpers/raw-server.js';

const AUTH: [string, string] = ['Authorization', 'Bearer demo-token'];
let server: ScenarioServer;
before(async () => {
  server = await startScenarioServer({ intervalMs: 20, heartbeatMs: 0 });
});
after(() => server.close());

/** Each test gets its own query string so the server's request log can be filtered per test. */
let testNo = 0;
function eventsUrl(query: string): { url: string; mine: () => ReturnType<ScenarioServer['streamRequests']> } {
  const tag = `t${++testNo}`;
  const url = `${server.url}/events?tag=${tag}${query ? `&${query}` : ''}`;
  return { url, mine: () => server.streamRequests().filter((r) => r.query.tag === tag) };
}

describe('requests', () => {
  test('sends the Authorization header and Accept: text/event-stream, and masks the token in the timeline', async () => {
    const { url, mine } = eventsUrl('count=2');
    const r = run(config(url, { headers: [AUTH], reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    assert.equal(mine()[0]?.headers.authorization, 'Bearer demo-token');
    assert.equal(mine()[0]?.headers.accept, 'text/event-stream');
    const started = r.entries.find((e) => e.kind === 'attempt-started');
    assert.ok(started && started.kind === 'attempt-started');
    assert.deepEqual(started.headers.find(([n]) => n === 'authorization'), ['authorization', 'Bearer [redacted]']);
    assert.ok(!JSON.stringify(r.entries).includes('demo-token'), 'the token appears in no entry');
  });

  test('masks Cookie and headers the user marks secret', async () => {
    const { url } = eventsUrl('count=1');
    const r = run(
      config(url, { headers: [AUTH, ['Cookie', 'sid=abc'], ['X-Api-Key', 'k-123'], ['X-Trace', 'visible']], secretHeaders: ['x-api-key'], reconnect: { maxAttempts: 1 } }),
    );
    await r.untilClosed();
    const started = r.entries.find((e) => e.kind === 'attempt-started');
    assert.ok(started && started.kind === 'attempt-started');
    const h = Object.fromEntries(started.headers);
    assert.equal(h.cookie, '[redacted]');
    assert.equal(h['x-api-key'], '[redacted]');
    assert.equal(h['x-trace'], 'visible');
  });

  test('POST sends the body', async () => {
    const { url, mine } = eventsUrl('count=1');
    const r = run(config(url, { method: 'POST', body: '{"subscribe":["price"]}', headers: [AUTH, ['Content-Type', 'application/json']], reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    assert.equal(mine()[0]?.method, 'POST');
    assert.equal(mine()[0]?.body, '{"subscribe":["price"]}');
    assert.equal(r.events().length, 1);
  });

  test('follows redirects and records the final URL', async () => {
    const r = run(config(`${server.url}/redirect?count=1`, { headers: [AUTH], reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    const response = r.entries.find((e) => e.kind === 'response');
    assert.ok(response && response.kind === 'response');
    assert.equal(response.redirected, true);
    assert.match(response.url, /\/events\?count=1$/);
    assert.equal(r.events().length, 1);
  });
});

describe('statuses and content types', () => {
  test('401 ends the attempt as http-error 401 and does not reconnect', async () => {
    const { url, mine } = eventsUrl('');
    const r = run(config(url, { headers: [['Authorization', 'Bearer wrong']], reconnect: { initialDelayMs: 10 } }));
    await r.untilClosed();
    assert.deepEqual(r.ends().map((e) => [e.reason, e.status]), [['http-error', 401]]);
    assert.equal(countOf('reconnect-scheduled')(r.entries), 0);
    assert.equal(mine().length, 1);
  });

  test('500 fails the connection without reconnecting, unless retry on HTTP errors is on', async () => {
    const spec = eventsUrl('scenario=500');
    const r = run(config(spec.url, { headers: [AUTH], reconnect: { initialDelayMs: 10 } }));
    await r.untilClosed();
    assert.deepEqual(r.ends().map((e) => [e.reason, e.status]), [['http-error', 500]]);

    const retrying = eventsUrl('scenario=500');
    const r2 = run(config(retrying.url, { headers: [AUTH], reconnect: { initialDelayMs: 10, retryOnHttpError: true, maxAttempts: 3 } }));
    await r2.untilClosed();
    assert.deepEqual(r2.ends().map((e) => e.reason), ['http-error', 'http-error', 'http-error']);
    assert.equal(retrying.mine().length, 3);
  });

  test('204 ends as no-content and stops reconnecting', async () => {
    const { url, mine } = eventsUrl('scenario=204');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 10 } }));
    await r.untilClosed();
    assert.deepEqual(r.ends().map((e) => e.reason), ['no-content']);
    assert.equal(mine().length, 1);
  });

  test('a Content-Type other than text/event-stream fails the connection; parameters are allowed', async () => {
    const { url, mine } = eventsUrl('scenario=content-type');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 10 } }));
    await r.untilClosed();
    assert.deepEqual(r.ends().map((e) => e.reason), ['bad-content-type']);
    assert.match(r.ends()[0]!.detail, /text\/html/);
    assert.equal(mine().length, 1);
    // The scenario server's normal stream is "text/event-stream; charset=utf-8" and is accepted.
    const ok = run(config(eventsUrl('count=1').url, { headers: [AUTH], reconnect: { maxAttempts: 1 } }));
    await ok.untilClosed();
    assert.equal(ok.ends()[0]?.reason, 'closed-by-server');
  });

  test('a refused connection ends as network-error with the cause, then reconnects', async () => {
    const dead = await startRawServer(() => {});
    const url = dead.url;
    await dead.close();
    const r = run(config(url, { reconnect: { initialDelayMs: 10, maxAttempts: 2 } }));
    await r.untilClosed();
    assert.deepEqual(r.ends().map((e) => e.reason), ['network-error', 'network-error']);
    assert.match(r.ends()[0]!.detail, /ECONNREFUSED/);
  });
});

describe('reconnection and Last-Event-ID', () => {
  test('when the server closes at its max duration, the reconnect sends the last id as the Last-Event-ID header and the stream resumes', async () => {
    const { url, mine } = eventsUrl('maxDuration=150');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 20 } }));
    await r.until((es) => countOf('attempt-ended')(es) >= 2, 'two server closes');
    r.connection.close();
    const firstEnd = r.ends()[0]!;
    assert.equal(firstEnd.reason, 'closed-by-server');
    const lastOfFirst = r.events().filter((e) => e.attempt === 1).at(-1)!;
    const scheduled = r.entries.find((e) => e.kind === 'reconnect-scheduled');
    assert.ok(scheduled && scheduled.kind === 'reconnect-scheduled');
    assert.equal(scheduled.lastEventId, lastOfFirst.lastEventId);
    assert.equal(scheduled.delayMs, 20);
    assert.equal(mine()[1]?.lastEventId, lastOfFirst.lastEventId);
    assert.equal(mine()[1]?.lastEventIdVia, 'header');
    const firstOfSecond = r.events().find((e) => e.attempt === 2)!;
    assert.equal(Number(firstOfSecond.id), Number(lastOfFirst.id) + 1, 'the server resumed after the last id');
  });

  test('Last-Event-ID can travel as a named query parameter, as the EventSource polyfill does', async () => {
    const { url, mine } = eventsUrl('maxDuration=100&lastEventIdParam=lastId');
    const r = run(config(url, { headers: [AUTH], lastEventIdTransport: { mode: 'query', param: 'lastId' }, reconnect: { initialDelayMs: 10, maxAttempts: 2 } }));
    await r.untilClosed();
    const second = mine()[1]!;
    assert.equal(second.lastEventIdVia, 'query');
    assert.equal(second.headers['last-event-id'], undefined);
    assert.equal(second.lastEventId, r.events().filter((e) => e.attempt === 1).at(-1)!.lastEventId);
    const started = r.entries.filter((e) => e.kind === 'attempt-started');
    assert.equal(started[1]?.kind === 'attempt-started' && started[1].lastEventIdVia, 'query');
  });

  test('an initial Last-Event-ID is sent on the first attempt', async () => {
    const { url, mine } = eventsUrl('count=1');
    const r = run(config(url, { headers: [AUTH], initialLastEventId: '41', reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    assert.equal(mine()[0]?.lastEventId, '41');
    assert.equal(r.events()[0]?.id, '42');
  });

  test('retry: from the server sets the reconnection delay', async () => {
    const { url } = eventsUrl('retry=35&count=1');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 5000, maxAttempts: 2 } }));
    await r.untilClosed();
    const retry = r.entries.find((e) => e.kind === 'retry-changed');
    assert.equal(retry?.kind === 'retry-changed' && retry.delayMs, 35);
    const scheduled = r.entries.find((e) => e.kind === 'reconnect-scheduled');
    assert.ok(scheduled && scheduled.kind === 'reconnect-scheduled');
    assert.equal(scheduled.delayMs, 35);
    assert.match(scheduled.why, /retry: 35 ms from the server/);
  });

  test('an empty id resets the last event ID, so the reconnect sends none', async () => {
    const raw = await startRawServer((res) => {
      sseHead(res);
      res.end('id: 5\ndata: a\n\nid:\ndata: b\n\n');
    });
    const r = run(config(raw.url, { reconnect: { initialDelayMs: 10, maxAttempts: 2 } }));
    await r.untilClosed();
    await raw.close();
    assert.equal(raw.requests[1]?.headers['last-event-id'], undefined);
    const started = r.entries.filter((e) => e.kind === 'attempt-started');
    assert.equal(started[1]?.kind === 'attempt-started' && started[1].lastEventIdVia, 'none');
  });
});

describe('timeouts and closing', () => {
  test('a silent stream ends as idle-timeout, then reconnects', async () => {
    const { url, mine } = eventsUrl('scenario=hold');
    const r = run(config(url, { headers: [AUTH], idleTimeoutMs: 150, reconnect: { initialDelayMs: 10, maxAttempts: 2 } }));
    await r.untilClosed();
    assert.deepEqual(r.ends().map((e) => e.reason), ['idle-timeout', 'idle-timeout']);
    assert.equal(countOf('reconnect-scheduled')(r.entries), 1);
    assert.equal(mine().length, 2);
  });

  test('bytes arriving more often than the idle timeout keep the attempt open; it ends that long after the last byte', async () => {
    // An injected clock: the point is the order of bytes and timer, which real time under load blurs.
    const clock = fakeClock();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const fetch: EngineDeps['fetch'] = async () =>
      new Response(new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) }), { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
    const r = run(config('http://127.0.0.1:9/', { idleTimeoutMs: 150, reconnect: { maxAttempts: 1 } }), { ...clock.deps, fetch });
    await clock.advance(0);
    for (let i = 0; i < 10; i++) {
      controller.enqueue(new TextEncoder().encode(`data: ${i}\n\n`));
      await clock.advance(100);
    }
    assert.equal(r.ends().length, 0, 'still open after 1 s of bytes every 100 ms');
    await clock.advance(49);
    assert.equal(r.ends().length, 0);
    await clock.advance(1);
    assert.deepEqual(r.ends().map((e) => e.reason), ['idle-timeout']);
    assert.equal(r.events().length, 10);
  });

  test('response headers that never come end the attempt as connect-timeout, then it reconnects', async () => {
    const { url, mine } = eventsUrl('connectDelay=5000');
    const r = run(config(url, { headers: [AUTH], connectTimeoutMs: 100, reconnect: { initialDelayMs: 10, maxAttempts: 2 } }));
    await r.untilClosed();
    assert.deepEqual(r.ends().map((e) => e.reason), ['connect-timeout', 'connect-timeout']);
    assert.equal(mine().length, 2);
  });

  test('closing by the user stops at once: one closed-by-user end, no reconnect, no more events', async () => {
    const { url } = eventsUrl('');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 10 } }));
    await r.until((es) => countOf('event')(es) >= 2, 'two events');
    r.connection.close();
    const count = r.entries.length;
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(r.entries.length, count, 'nothing after close');
    assert.deepEqual(r.ends().map((e) => e.reason), ['closed-by-user']);
    assert.equal(r.entries.at(-1)?.kind, 'stopped');
    assert.equal(r.connection.state.phase, 'closed');
  });

  test('closing while waiting to reconnect cancels the reconnect', async () => {
    const { url, mine } = eventsUrl('count=1');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 60000 } }));
    await r.until((es) => countOf('reconnect-scheduled')(es) > 0, 'a scheduled reconnect');
    r.connection.close();
    assert.equal(r.connection.state.phase, 'closed');
    assert.equal(mine().length, 1);
    assert.equal(r.entries.at(-1)?.kind, 'stopped');
  });
});

describe('the timeline', () => {
  test('every attempt has exactly one end, entries carry the connection id, and seq only grows', async () => {
    const { url } = eventsUrl('maxDuration=80');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 10, maxAttempts: 3 } }));
    await r.untilClosed();
    const attempts = new Set(r.entries.filter((e) => e.kind === 'attempt-started').map((e) => e.attempt));
    assert.deepEqual([...attempts], [1, 2, 3]);
    for (const a of attempts) assert.equal(r.ends().filter((e) => e.attempt === a).length, 1, `attempt ${a} ends once`);
    assert.ok(r.entries.every((e) => e.connectionId === 'test'));
    assert.ok(r.entries.every((e, i) => i === 0 || e.seq > r.entries[i - 1]!.seq));
    const end = r.ends()[0]!;
    assert.equal(end.events, r.events().filter((e) => e.attempt === 1).length);
    assert.ok(end.bytes > 0);
  });
});
