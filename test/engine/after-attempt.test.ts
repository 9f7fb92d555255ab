/** What happens after an attempt ends (stop, or reconnect after how long): pure, no clock needed. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideAfterAttempt, NO_BACKOFF_YET, reasonToStop, type EndedAttempt } from '../../src/core/engine/after-attempt.js';
import { SPEC_POLICY, type ReconnectPolicy } from '../../src/core/policy.js';

const policy = (p: Partial<ReconnectPolicy> = {}): ReconnectPolicy => ({ ...SPEC_POLICY, ...p });
const ended = (e: Partial<EndedAttempt> = {}): EndedAttempt => ({ reason: 'network-error', attemptsMade: 1, openedAt: null, endedAt: 10_000, ...e });
const noRandom = (): number => assert.fail('random drawn without jitter to apply');

describe('reasonToStop', () => {
  test('the user closing stops, whatever the policy', () => {
    assert.equal(reasonToStop(policy({ retryOnHttpError: true, retryOnNoContent: true }), 'closed-by-user', 1), 'closed by the user');
  });

  test('the spec stops after 204 and a wrong Content-Type; a client that retries on 204 goes on', () => {
    assert.equal(reasonToStop(policy(), 'no-content', 1), 'no-content: the spec does not reconnect after this');
    assert.equal(reasonToStop(policy(), 'bad-content-type', 1), 'bad-content-type: the spec does not reconnect after this');
    assert.equal(reasonToStop(policy({ retryOnNoContent: true }), 'no-content', 1), null);
  });

  test('the spec stops after an HTTP error; a client that retries on errors goes on', () => {
    assert.equal(reasonToStop(policy(), 'http-error', 1), 'http-error: the spec does not reconnect after a non-200 status');
    assert.equal(reasonToStop(policy({ retryOnHttpError: true }), 'http-error', 1), null);
  });

  test('the attempt limit counts the ended attempt', () => {
    assert.equal(reasonToStop(policy({ maxAttempts: 3 }), 'network-error', 2), null);
    assert.equal(reasonToStop(policy({ maxAttempts: 3 }), 'network-error', 3), 'gave up after 3 attempts (the maximum)');
    assert.equal(reasonToStop(policy({ maxAttempts: 1 }), 'closed-by-server', 1), 'gave up after 1 attempt (the maximum)');
  });

  test('without a limit, failures and server closes reconnect', () => {
    for (const reason of ['closed-by-server', 'idle-timeout', 'connect-timeout', 'network-error', 'fault'] as const) assert.equal(reasonToStop(policy(), reason, 1000), null);
  });
});

describe('decideAfterAttempt', () => {
  test('a stop leaves the random source alone', () => {
    assert.deepEqual(decideAfterAttempt(policy({ jitter: 0.5 }), ended({ reason: 'closed-by-user' }), NO_BACKOFF_YET, null, noRandom), { next: 'stop', why: 'closed by the user' });
  });

  test("the spec reconnects after its initial delay, or the server's retry once it sent one", () => {
    const first = decideAfterAttempt(policy(), ended(), NO_BACKOFF_YET, null, noRandom);
    assert.deepEqual(first, { next: 'reconnect', delayMs: 3000, why: 'initial delay 3000 ms', backoff: { failures: 1, everReset: false } });
    const fromServer = decideAfterAttempt(policy(), ended(), NO_BACKOFF_YET, 1500, noRandom);
    assert.equal(fromServer.next === 'reconnect' && fromServer.delayMs, 1500);
    assert.match(fromServer.next === 'reconnect' ? fromServer.why : '', /retry: 1500 ms from the server/);
  });

  test('consecutive failures back off', () => {
    const p = policy({ initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 10_000 });
    let backoff = NO_BACKOFF_YET;
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const d = decideAfterAttempt(p, ended({ attemptsMade: i + 1 }), backoff, null, noRandom);
      assert.equal(d.next, 'reconnect');
      if (d.next !== 'reconnect') return;
      delays.push(d.delayMs);
      backoff = d.backoff;
    }
    assert.deepEqual(delays, [100, 200, 400, 800]);
    assert.deepEqual(backoff, { failures: 4, everReset: false });
  });

  test('an attempt that stayed open long enough resets the backoff; a short one or one that never opened does not', () => {
    const p = policy({ initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 10_000, backoffResetAfterMs: 60_000 });
    const failing = { failures: 3, everReset: false };
    const long = decideAfterAttempt(p, ended({ openedAt: 0, endedAt: 60_000 }), failing, null, noRandom);
    assert.deepEqual(long.next === 'reconnect' && [long.delayMs, long.backoff], [100, { failures: 1, everReset: true }]);
    const short = decideAfterAttempt(p, ended({ openedAt: 0, endedAt: 59_999 }), failing, null, noRandom);
    assert.deepEqual(short.next === 'reconnect' && [short.delayMs, short.backoff], [800, { failures: 4, everReset: false }]);
    const neverOpened = decideAfterAttempt(p, ended({ openedAt: null, endedAt: 1_000_000 }), failing, null, noRandom);
    assert.deepEqual(neverOpened.next === 'reconnect' && neverOpened.backoff, { failures: 4, everReset: false });
  });

  test('a reset is remembered: later failures keep everReset', () => {
    const p = policy({ backoffResetAfterMs: 1000 });
    const d = decideAfterAttempt(p, ended(), { failures: 1, everReset: true }, null, noRandom);
    assert.deepEqual(d.next === 'reconnect' && d.backoff, { failures: 2, everReset: true });
  });

  test('jitter draws once from the random source', () => {
    let draws = 0;
    const d = decideAfterAttempt(policy({ jitter: 0.5 }), ended(), NO_BACKOFF_YET, null, () => (draws++, 1));
    assert.equal(draws, 1);
    assert.equal(d.next === 'reconnect' && d.delayMs, 1500);
  });
});
