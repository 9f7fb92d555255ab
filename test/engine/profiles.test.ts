/**
 * Each client profile's reconnect schedule and status handling, with an injected clock: the delays,
 * the jitter bounds, the reset after a long-lived connection, and which statuses stop it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { defaultConfig } from '../../src/core/config.js';
import type { EngineDeps } from '../../src/core/engine.js';
import { applyProfile, clientError, profileById, PROFILES } from '../../src/core/profiles.js';
import type { ReconnectScheduledEntry } from '../../src/core/timeline.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { run } from '../helpers/harness.js';

const refused: EngineDeps['fetch'] = async () => {
  throw new TypeError('fetch failed');
};

function configFor(id: string, maxAttempts: number) {
  const c = applyProfile(defaultConfig('http://127.0.0.1:9/events'), profileById(id)!);
  c.reconnect.maxAttempts = maxAttempts;
  return c;
}

const delays = (entries: { kind: string }[]) => entries.filter((e): e is ReconnectScheduledEntry => e.kind === 'reconnect-scheduled').map((e) => e.delayMs ?? Number.NaN); // the engine always knows its delay

/** The delays after `n` connection failures in a row, with the random draw fixed. */
async function failingSchedule(id: string, n: number, random: number): Promise<number[]> {
  const clock = fakeClock();
  const r = run(configFor(id, n + 1), { ...clock.deps, fetch: refused, random: () => random });
  await clock.advance(10 * 60_000);
  return delays(r.entries);
}

/** Fails twice, stays open `openMs`, then fails twice more: the delays scheduled. */
async function scheduleAroundOpen(id: string, openMs: number): Promise<number[]> {
  const clock = fakeClock();
  let call = 0;
  let close: (() => void) | null = null;
  const fetch: EngineDeps['fetch'] = async () => {
    call++;
    if (call !== 3) throw new TypeError('fetch failed');
    return new Response(new ReadableStream<Uint8Array>({ start: (c) => void (close = () => c.close()) }), { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
  };
  const config = configFor(id, 5);
  // Long enough idle timeouts never fire during the open period.
  config.idleTimeoutMs = null;
  const r = run(config, { ...clock.deps, fetch, random: () => 0 });
  // The two failures take at most 1 + 2 + 4 s of delays; then the third attempt is open.
  await clock.advance(7_000);
  await clock.advance(openMs);
  close!();
  await clock.advance(10 * 60_000);
  return delays(r.entries);
}

async function endsFor(id: string, status: number): Promise<{ reasons: string[]; stopped: string }> {
  const clock = fakeClock();
  const fetch: EngineDeps['fetch'] = async () => new Response(status === 204 ? null : 'nope', { status });
  const r = run(configFor(id, 3), { ...clock.deps, fetch, random: () => 0 });
  await clock.advance(10 * 60_000);
  const stopped = r.entries.find((e) => e.kind === 'stopped');
  return { reasons: r.ends().map((e) => e.reason), stopped: stopped?.kind === 'stopped' ? stopped.why : '' };
}

describe('reconnect schedules', () => {
  test('browsers wait a constant delay: Chromium 3 s, Firefox 5 s', async () => {
    assert.deepEqual(await failingSchedule('chromium', 4, 0.5), [3000, 3000, 3000, 3000]);
    assert.deepEqual(await failingSchedule('firefox', 4, 0.5), [5000, 5000, 5000, 5000]);
  });

  test('the EventSource polyfill doubles from 1 s to 16 × its initial delay, without jitter', async () => {
    assert.deepEqual(await failingSchedule('polyfill', 7, 0.9), [1000, 2000, 4000, 8000, 16000, 16000, 16000]);
  });

  test('okhttp-eventsource doubles from 1 s to 30 s and jitter takes off up to half', async () => {
    assert.deepEqual(await failingSchedule('okhttp', 7, 0), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    const jittered = await failingSchedule('okhttp', 7, 0.999);
    assert.deepEqual(jittered, [501, 1001, 2002, 4004, 8008, 15015, 15015]);
  });

  test('LDSwiftEventSource starts one doubling in, caps at 30 s, draws from [half, full]', async () => {
    assert.deepEqual(await failingSchedule('swift', 6, 0), [2000, 4000, 8000, 16000, 30000, 30000]);
    assert.deepEqual(await failingSchedule('swift', 2, 0.999), [1001, 2002]);
  });

  test('a connection open past 60 s resets okhttp and Swift backoff; a shorter one does not', async () => {
    assert.deepEqual(await scheduleAroundOpen('okhttp', 61_000), [1000, 2000, 1000, 2000]);
    assert.deepEqual(await scheduleAroundOpen('okhttp', 30_000), [1000, 2000, 4000, 8000]);
    assert.deepEqual(await scheduleAroundOpen('swift', 61_000), [2000, 4000, 1000, 2000]);
  });

  test('the polyfill resets its delay whenever a connection opens', async () => {
    assert.deepEqual(await scheduleAroundOpen('polyfill', 1000), [1000, 2000, 1000, 2000]);
  });
});

describe('statuses', () => {
  test('browsers and the polyfill stop on 401; okhttp and Swift keep retrying', async () => {
    for (const id of ['chromium', 'firefox', 'polyfill']) {
      assert.deepEqual((await endsFor(id, 401)).reasons, ['http-error'], id);
    }
    for (const id of ['okhttp', 'swift']) {
      const { reasons, stopped } = await endsFor(id, 401);
      assert.deepEqual(reasons, ['http-error', 'http-error', 'http-error'], id);
      assert.match(stopped, /gave up after 3 attempts/);
    }
  });

  test('204 stops browsers, the polyfill and Swift; okhttp treats it as a closed stream and retries', async () => {
    for (const id of ['chromium', 'polyfill', 'swift']) assert.deepEqual((await endsFor(id, 204)).reasons, ['no-content'], id);
    assert.deepEqual((await endsFor('okhttp', 204)).reasons, ['no-content', 'no-content', 'no-content']);
  });

  test('each profile names the error its client raises', () => {
    assert.equal(clientError('okhttp', 'http-error', 401), 'StreamHttpErrorException: Server returned HTTP error 401');
    assert.match(clientError('okhttp', 'idle-timeout', null)!, /StreamIOException wrapping java.net.SocketTimeoutException/);
    assert.equal(clientError('okhttp', 'closed-by-server', null), 'StreamClosedByServerException: Stream closed by server');
    assert.match(clientError('swift', 'no-content', 204)!, /UnsuccessfulResponseError\(responseCode: 204\).*shutdown/);
    assert.match(clientError('polyfill', 'idle-timeout', null)!, /No activity within 45000 milliseconds/);
    assert.equal(clientError(null, 'http-error', 401), null);
    for (const p of PROFILES) for (const reason of Object.keys(p.errors)) assert.ok(p.errors[reason as keyof typeof p.errors].length > 0);
  });

  test('the polyfill sends Last-Event-ID as the lastEventId query parameter, the others as a header', () => {
    assert.deepEqual(profileById('polyfill')!.lastEventIdTransport, { mode: 'query', param: 'lastEventId' });
    for (const id of ['chromium', 'firefox', 'okhttp', 'swift']) assert.deepEqual(profileById(id)!.lastEventIdTransport, { mode: 'header' });
  });
});

describe('docs/profiles.md', () => {
  test('cites every number each profile uses', () => {
    const doc = readFileSync('docs/profiles.md', 'utf8');
    for (const p of PROFILES.filter((x) => x.id !== 'spec')) {
      const section = doc.slice(doc.indexOf(`## ${p.name.split(' (')[0]!.split(' — ')[0]}`));
      const numbers = [p.connectTimeoutMs, p.idleTimeoutMs, p.reconnect.initialDelayMs, p.reconnect.backoffFactor > 1 ? p.reconnect.maxDelayMs : null, p.reconnect.backoffResetAfterMs || null]
        .filter((n): n is number => n !== null)
        .filter((n) => !(p.id === 'polyfill' && n === 18_000_000));
      for (const n of numbers) {
        const forms = [String(n), `${n / 1000} s`, `${(n / 1000).toFixed(1)} s`];
        assert.ok(forms.some((f) => section.includes(f)), `${p.id}: ${n} is cited`);
      }
    }
  });
});
