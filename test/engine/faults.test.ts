/** Every simulation against the real scenario server, and with a fake clock where order in time is the point. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EngineDeps } from '../../src/core/engine.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { config, countOf, run } from '../helpers/harness.js';
import { fakeClock } from '../helpers/fake-clock.js';

const AUTH: [string, string] = ['Authorization', 'Bearer demo-token'];
let server: ScenarioServer;
before(async () => {
  server = await startScenarioServer({ intervalMs: 50, heartbeatMs: 0 });
});
after(() => server.close());

let n = 0;
function tagged(query = '') {
  const tag = `f${++n}`;
  return { url: `${server.url}/events?tag=${tag}${query ? `&${query}` : ''}`, mine: () => server.streamRequests().filter((r) => r.query.tag === tag) };
}
const faultEntries = (r: ReturnType<typeof run>) => r.entries.filter((e) => e.kind === 'fault-injected').map((e) => (e.kind === 'fault-injected' ? `${e.fault}: ${e.detail}` : ''));

describe('simulations against the scenario server', () => {
  test('idle timeout set during a connection ends the open attempt when the stream goes quiet', async () => {
    const { url } = tagged('interval=400');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 20, maxAttempts: 2 } }));
    await r.until((es) => countOf('event')(es) >= 1, 'the first event');
    r.connection.inject({ kind: 'idle-timeout', ms: 150 });
    await r.untilClosed();
    assert.deepEqual(r.ends().map((e) => e.reason), ['idle-timeout', 'idle-timeout']);
    assert.match(faultEntries(r)[0]!, /^idle-timeout: idle timeout set to 150 ms/);
  });

  test('connect timeout applies from the next attempt', async () => {
    const { url } = tagged('connectDelay=400&count=1');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 20, maxAttempts: 2 } }));
    r.connection.inject({ kind: 'connect-timeout', ms: 100 });
    await r.untilClosed();
    // The first attempt had started before the simulation: it waits for its slow headers.
    assert.deepEqual(r.ends().map((e) => e.reason), ['closed-by-server', 'connect-timeout']);
  });

  test('a proxy idle timeout never cuts a stream whose heartbeats come every N/2', async () => {
    const { url } = tagged('interval=100000&heartbeat=150');
    const r = run(config(url, { headers: [AUTH] }));
    r.connection.inject({ kind: 'proxy-idle-timeout', ms: 300, firstByteMs: null, preset: 'AWS ALB' });
    await r.until((es) => countOf('comment')(es) >= 8, 'eight heartbeats');
    r.connection.close();
    assert.deepEqual(r.ends().map((e) => e.reason), ['closed-by-user']);
    assert.match(faultEntries(r)[0]!, /^proxy-idle-timeout: proxy idle timeout set to 300 ms \(AWS ALB preset\)/);
  });

  test('a proxy idle timeout cuts after N of silence, names itself, and the reconnect resumes from the last id', async () => {
    const { url, mine } = tagged('interval=100000&heartbeat=0');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 20 } }));
    r.connection.inject({ kind: 'proxy-idle-timeout', ms: 300, firstByteMs: null, preset: 'AWS ALB' });
    await r.until((es) => countOf('attempt-ended')(es) >= 2, 'two cuts');
    r.connection.stopFault('proxy-idle-timeout');
    await r.until((es) => countOf('attempt-started')(es) >= 3, 'a third attempt');
    r.connection.close();
    const ends = r.ends();
    assert.deepEqual(ends.map((e) => e.reason), ['fault', 'fault', 'closed-by-user']);
    assert.equal(ends[0]!.detail, 'proxy idle timeout: no byte for 300 ms (AWS ALB preset)');
    // Silence is what cut it: the first event came, then nothing for the window.
    assert.ok(ends[0]!.durationMs >= 300);
    const lastOfFirst = r.events().filter((e) => e.attempt === 1).at(-1)!;
    assert.equal(mine()[1]?.lastEventId, lastOfFirst.lastEventId);
    assert.ok(faultEntries(r).includes('proxy-idle-timeout: proxy-idle-timeout simulation stopped'));
  });

  test('a maximum connection age cuts every connection however busy it is, until stopped', async () => {
    const { url } = tagged('interval=30&heartbeat=20');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 20 } }));
    r.connection.inject({ kind: 'max-connection-age', ms: 300, preset: null });
    await r.until((es) => countOf('attempt-ended')(es) >= 2, 'two cuts');
    r.connection.stopFault('max-connection-age');
    await r.until((es) => countOf('attempt-started')(es) >= 3 && countOf('event')(es.filter((e) => e.attempt === 3)) >= 15, 'a third attempt living past the age');
    r.connection.close();
    const ends = r.ends();
    assert.deepEqual(ends.map((e) => e.reason), ['fault', 'fault', 'closed-by-user']);
    assert.equal(ends[0]!.detail, 'maximum connection age 300 ms');
    assert.ok(r.events().filter((e) => e.attempt === 1).length >= 3, 'events flowed and the age cut anyway');
  });

  test('a drop while the connection waits to reconnect is refused and records nothing', async () => {
    const { url } = tagged('count=1');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 60_000 } }));
    await r.until((es) => countOf('reconnect-scheduled')(es) >= 1, 'the wait to reconnect');
    const before = r.entries.length;
    assert.match(r.connection.inject({ kind: 'drop' }) ?? '', /drop needs an attempt in progress; the connection is waiting to reconnect/);
    assert.match(r.connection.inject({ kind: 'stall', ms: 1000 }) ?? '', /stall needs an attempt in progress/);
    assert.equal(r.entries.length, before, 'no fault-injected row, no cut');
    assert.equal(r.connection.state.phase, 'waiting');
    // What applies to the next attempt is still taken.
    assert.equal(r.connection.inject({ kind: 'latency', ms: 10 }), null);
    r.connection.close();
    assert.deepEqual(r.ends().map((e) => e.reason), ['closed-by-server']);
  });

  test('a proxy idle timeout with a first-byte window (Heroku) cuts a response slower than that window', async () => {
    const { url } = tagged('connectDelay=600');
    const r = run(config(url, { headers: [AUTH], reconnect: { maxAttempts: 1 } }));
    r.connection.inject({ kind: 'proxy-idle-timeout', ms: 5000, firstByteMs: 200, preset: 'Heroku router' });
    await r.untilClosed();
    assert.deepEqual(r.ends().map((e) => [e.reason, e.detail]), [['fault', 'proxy idle timeout: no response within 200 ms (Heroku router preset)']]);
  });

  test('drop now cuts the open connection once; the client reconnects with Last-Event-ID', async () => {
    const { url, mine } = tagged();
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 20 } }));
    await r.until((es) => countOf('event')(es) >= 3, 'three events');
    r.connection.inject({ kind: 'drop' });
    await r.until((es) => countOf('event')(es.filter((e) => e.attempt === 2)) >= 2, 'events on the second attempt');
    r.connection.close();
    assert.equal(r.ends()[0]?.reason, 'fault');
    assert.match(r.ends()[0]!.detail, /simulated network drop/);
    assert.equal(mine()[1]?.lastEventIdVia, 'header');
    assert.deepEqual(r.connection.faults, [], 'a drop is instant: nothing stays in force');
  });

  test('a stall longer than the idle timeout ends the attempt as idle-timeout', async () => {
    const { url } = tagged('interval=30');
    const r = run(config(url, { headers: [AUTH], idleTimeoutMs: 300, reconnect: { maxAttempts: 1 } }));
    await r.until((es) => countOf('event')(es) >= 2, 'two events');
    r.connection.inject({ kind: 'stall', ms: 2000 });
    await r.untilClosed();
    assert.deepEqual(r.ends().map((e) => e.reason), ['idle-timeout']);
  });

  test('a stall without an idle timeout only delays: every event arrives, in order, after it', async () => {
    const { url } = tagged('interval=30');
    const r = run(config(url, { headers: [AUTH], reconnect: { maxAttempts: 1 } }));
    await r.until((es) => countOf('event')(es) >= 2, 'two events');
    r.connection.inject({ kind: 'stall', ms: 400 });
    await r.until((es) => es.some((e) => e.kind === 'fault-injected' && /ended after its duration/.test(e.detail)), 'the stall ending');
    await r.until((es) => countOf('event')(es) >= 20, 'twenty events');
    r.connection.close();
    const ids = r.events().map((e) => Number(e.id));
    assert.deepEqual(ids, ids.map((_, i) => ids[0]! + i), 'no id lost or reordered');
  });

  test('token expiry: from the next reconnect on the changed header is sent, and the server answers 401', async () => {
    const { url, mine } = tagged('maxDuration=200');
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 20 } }));
    await r.until((es) => countOf('event')(es) >= 1, 'an event');
    r.connection.inject({ kind: 'token-expiry', headers: [['Authorization', 'Bearer expired-token']] });
    await r.untilClosed();
    assert.deepEqual(r.ends().map((e) => [e.reason, e.status]), [['closed-by-server', null], ['http-error', 401]]);
    assert.equal(mine()[1]?.headers.authorization, 'Bearer expired-token');
    assert.ok(!faultEntries(r).join().includes('expired-token'), 'the fault entry does not show the new token');
    const second = r.entries.filter((e) => e.kind === 'attempt-started')[1];
    assert.ok(second?.kind === 'attempt-started' && second.headers.some(([k, v]) => k === 'authorization' && v === 'Bearer [redacted]'));
  });

  test('offline: the open attempt fails, every attempt fails as a network error until it ends, then it connects', async () => {
    const { url, mine } = tagged();
    const r = run(config(url, { headers: [AUTH], reconnect: { initialDelayMs: 60 } }));
    await r.until((es) => countOf('event')(es) >= 1, 'an event');
    r.connection.inject({ kind: 'offline', ms: 300 });
    await r.until((es) => es.some((e) => e.kind === 'event' && e.attempt > 1), 'events after the network came back');
    r.connection.close();
    const reasons = r.ends().map((e) => e.reason);
    assert.equal(reasons[0], 'network-error');
    assert.ok(reasons.filter((x) => x === 'network-error').length >= 2, `attempts during the outage failed: ${reasons.join(', ')}`);
    assert.equal(mine().length, 2, 'no request left the machine while offline');
    assert.ok(faultEntries(r).includes('offline: offline simulation ended after its duration'));
  });
});

describe('simulations with an injected clock', () => {
  function streamingFetch() {
    const controllers: ReadableStreamDefaultController<Uint8Array>[] = [];
    const fetch: EngineDeps['fetch'] = async () =>
      new Response(new ReadableStream<Uint8Array>({ start: (c) => void controllers.push(c) }), { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
    const send = (text: string) => controllers.at(-1)!.enqueue(new TextEncoder().encode(text));
    return { fetch, send };
  }

  test('latency delivers each event exactly N ms late, in order', async () => {
    const clock = fakeClock();
    const { fetch, send } = streamingFetch();
    const r = run(config('http://127.0.0.1:9/', { reconnect: { maxAttempts: 1 } }), { ...clock.deps, fetch });
    await clock.advance(0);
    r.connection.inject({ kind: 'latency', ms: 300 });
    send('data: a\n\n');
    await clock.advance(100);
    send('data: b\n\n');
    await clock.advance(199);
    assert.equal(r.events().length, 0);
    await clock.advance(1);
    assert.deepEqual(r.events().map((e) => e.data), ['a']);
    await clock.advance(100);
    assert.deepEqual(r.events().map((e) => e.data), ['a', 'b']);
    const [a, b] = r.events();
    assert.equal(b!.time - a!.time, 100);
    r.connection.close();
  });

  test('no simulation leaves a timer behind once the connection is closed', async () => {
    const clock = fakeClock();
    const { fetch } = streamingFetch();
    const r = run(config('http://127.0.0.1:9/', {}), { ...clock.deps, fetch });
    await clock.advance(0);
    for (const fault of [
      { kind: 'idle-timeout', ms: 5000 },
      { kind: 'connect-timeout', ms: 5000 },
      { kind: 'proxy-idle-timeout', ms: 5000, firstByteMs: null, preset: null },
      { kind: 'max-connection-age', ms: 5000, preset: null },
      { kind: 'stall', ms: 5000 },
      { kind: 'latency', ms: 5000 },
      { kind: 'token-expiry', headers: [['Authorization', 'Bearer x']] },
      { kind: 'offline', ms: 5000 },
    ] as const) {
      r.connection.inject(structuredClone(fault) as Parameters<typeof r.connection.inject>[0]);
    }
    r.connection.close();
    await clock.advance(0);
    assert.equal(clock.pending(), 0);
    assert.deepEqual(r.connection.faults, []);
  });
});
