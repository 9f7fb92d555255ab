/**
 * The reconnect schedule with an injected clock, timers and fetch: delays, backoff, jitter bounds,
 * the cap, reset after a long-lived connection and the attempt limit, without waiting for real time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineDeps } from '../../src/core/engine.js';
import { nextDelay, SPEC_POLICY, type ReconnectPolicy } from '../../src/core/policy.js';
import type { ReconnectScheduledEntry } from '../../src/core/timeline.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { config, run } from '../helpers/harness.js';

const refused = async (): Promise<Response> => {
  throw new TypeError('fetch failed');
};

function scheduleOf(entries: { kind: string }[]): number[] {
  return entries.filter((e): e is ReconnectScheduledEntry => e.kind === 'reconnect-scheduled').map((e) => e.delayMs ?? Number.NaN);
}

const policy = (p: Partial<ReconnectPolicy>): ReconnectPolicy => ({ ...SPEC_POLICY, ...p });

describe('nextDelay', () => {
  test('the spec policy waits the same delay every time', () => {
    for (const failures of [1, 2, 10]) assert.equal(nextDelay(SPEC_POLICY, { baseDelayMs: 3000, fromServer: false, failures }, Math.random).delayMs, 3000);
  });

  test('backoff doubles per consecutive failure up to the cap', () => {
    const p = policy({ initialDelayMs: 1000, backoffFactor: 2, maxDelayMs: 30000 });
    const delays = [1, 2, 3, 4, 5, 6, 7].map((failures) => nextDelay(p, { baseDelayMs: 1000, fromServer: false, failures }, () => 0).delayMs);
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    assert.match(nextDelay(p, { baseDelayMs: 1000, fromServer: false, failures: 7 }, () => 0).why, /capped at 30000 ms/);
  });

  test('jitter stays within [delay × (1 − jitter), delay]', () => {
    const p = policy({ backoffFactor: 2, maxDelayMs: 60000, jitter: 0.5 });
    for (const r of [0, 0.25, 0.999]) {
      const { delayMs } = nextDelay(p, { baseDelayMs: 1000, fromServer: false, failures: 3 }, () => r);
      assert.ok(delayMs >= 2000 && delayMs <= 4000, `${delayMs} within [2000, 4000]`);
    }
    assert.equal(nextDelay(p, { baseDelayMs: 1000, fromServer: false, failures: 3 }, () => 0.5).delayMs, 3000);
  });
});

describe('the engine follows its policy over time', () => {
  test('failed attempts back off, then the attempt limit stops the connection', async () => {
    const clock = fakeClock();
    const r = run(
      config('http://127.0.0.1:9/events', { reconnect: { initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 500, maxAttempts: 6 } }),
      { ...clock.deps, fetch: refused, random: () => 0 },
    );
    await clock.advance(10_000);
    assert.deepEqual(scheduleOf(r.entries), [100, 200, 400, 500, 500]);
    assert.equal(r.entries.at(-1)?.kind, 'stopped');
    assert.match(r.entries.at(-1)?.kind === 'stopped' ? r.entries.at(-1)!.kind && (r.entries.at(-1) as { why: string }).why : '', /gave up after 6 attempts/);
    assert.equal(clock.pending(), 0, 'no timer left behind');
  });

  test('reconnects happen exactly when scheduled on the injected clock', async () => {
    const clock = fakeClock();
    const r = run(config('http://127.0.0.1:9/events', { reconnect: { initialDelayMs: 1000, maxAttempts: 3 } }), { ...clock.deps, fetch: refused });
    await clock.advance(999);
    assert.equal(r.entries.filter((e) => e.kind === 'attempt-started').length, 1);
    await clock.advance(1);
    assert.equal(r.entries.filter((e) => e.kind === 'attempt-started').length, 2);
    const starts = r.entries.filter((e) => e.kind === 'attempt-started').map((e) => e.time);
    assert.equal(starts[1]! - starts[0]!, 1000);
    r.connection.close();
  });

  /**
   * Attempts 1-2 fail at once; attempt 3 opens and stays open 61 s; attempts 4-5 fail again.
   * Returns the reconnect delays the engine scheduled.
   */
  async function scheduleAroundLongLivedAttempt(backoffResetAfterMs: number | null): Promise<number[]> {
    const clock = fakeClock();
    let call = 0;
    const controllers: ReadableStreamDefaultController<Uint8Array>[] = [];
    const fetchFake: EngineDeps['fetch'] = async () => {
      call++;
      if (call !== 3) throw new TypeError('fetch failed');
      const body = new ReadableStream<Uint8Array>({ start: (c) => void controllers.push(c) });
      return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
    };
    const r = run(
      config('http://127.0.0.1:9/events', { reconnect: { initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 10000, backoffResetAfterMs, maxAttempts: 5 } }),
      { ...clock.deps, fetch: fetchFake, random: () => 0 },
    );
    await clock.advance(100 + 200);
    await clock.advance(61_000);
    controllers[0]!.close();
    await clock.advance(10_000);
    return scheduleOf(r.entries);
  }

  test('a connection that stayed open past the reset threshold starts the backoff over', async () => {
    // 100, 200 back off; after the long-lived attempt 3 the count restarts: 100, then 200.
    assert.deepEqual(await scheduleAroundLongLivedAttempt(60_000), [100, 200, 100, 200]);
  });

  test('the same schedule without the reset threshold keeps backing off', async () => {
    assert.deepEqual(await scheduleAroundLongLivedAttempt(null), [100, 200, 400, 800]);
  });
});
