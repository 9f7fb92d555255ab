/**
 * The doctor's resumability check (issue 14, item 5): from entries written by hand, then from real
 * misbehaving servers on 127.0.0.1 through the real engine (no ids, Last-Event-ID ignored, ids
 * skipped across a reconnect, `retry: 10`), and no finding on the demo stream across a reconnect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DOCTOR_PATH } from '../../src/servers/doctor/catalog.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { BEARER } from '../helpers/demo-streams.js';
import { codes, healthOf, timeline } from '../helpers/doctor.js';
import { config, countOf, run } from '../helpers/harness.js';

describe('doctor: resumability, from entries', () => {
  test('ids that move forward and a reconnect that resumes after the last one: no finding', () => {
    const t = timeline().attempt().response().event('1').event('2').end().reconnect(3000, '2').at(3000).attempt('2').response().event('3');
    assert.deepEqual(codes(healthOf(t.entries)), []);
  });

  test('events without ids: a GET stream cannot resume (warning); a POST answer is only told (info)', () => {
    const get = healthOf(timeline().attempt().response().event(null).event(null).entries);
    assert.deepEqual(codes(get), ['no-ids']);
    assert.equal(get.findings[0]?.severity, 'warning');
    assert.deepEqual(get.findings[0]?.evidence.map((e) => [e.seq, e.note]), [[3, 'attempt 1: from this message event on, no event has had an id']]);
    const post = timeline();
    post.entries.push({ connectionId: 'c1', attempt: 1, seq: 1, time: 0, kind: 'attempt-started', method: 'POST', url: 'http://x/', headers: [], lastEventId: null, lastEventIdVia: 'none' });
    post.response().event(null);
    const h = healthOf(post.entries);
    assert.deepEqual(codes(h), ['no-ids-request']);
    assert.equal(h.findings[0]?.severity, 'info');
  });

  test('an event without its own id after one with an id can still resume: no finding', () => {
    assert.deepEqual(codes(healthOf(timeline().attempt().response().event('1').event(null).entries)), []);
  });

  test('ids that repeat or go backwards within a response', () => {
    assert.deepEqual(codes(healthOf(timeline().attempt().response().event('a').event('a').entries)), ['id-repeated']);
    const back = healthOf(timeline().attempt().response().event('5').event('6').event('4').entries);
    assert.deepEqual(codes(back), ['id-backwards']);
    assert.equal(back.findings[0]?.evidence[0]?.note, 'id 4 after id 6');
  });

  test('the first event after a reconnect repeats the Last-Event-ID sent: the server ignored it (error)', () => {
    const t = timeline().attempt().response().event('1').event('2').end().reconnect(1000, '2').at(1000).attempt('2').response().event('1');
    const h = healthOf(t.entries);
    assert.deepEqual(codes(h), ['last-event-id-ignored']);
    assert.equal(h.findings[0]?.severity, 'error');
    assert.equal(h.findings[0]?.evidence[0]?.note, 'attempt 2 sent Last-Event-ID: 2; its first event has id 1');
    assert.equal(h.findings[0]?.evidence[0]?.seq, t.entries.at(-1)?.seq);
  });

  test('the first event after a reconnect skips ids: a gap, measured in the stream’s own step', () => {
    const t = timeline().attempt().response().event('10').event('20').end().reconnect(1000, '20').at(1000).attempt('20').response().event('50');
    const h = healthOf(t.entries);
    assert.deepEqual(codes(h), ['gap-after-reconnect']);
    assert.match(h.findings[0]?.evidence[0]?.note ?? '', /\(2 events missing\)$/);
    const steady = timeline().attempt().response().event('10').event('20').end().reconnect(1000, '20').at(1000).attempt('20').response().event('30');
    assert.deepEqual(codes(healthOf(steady.entries)), []);
  });

  test('ids that are equal as numbers but written apart (1, 01) set no step: the next id after a reconnect is no gap', () => {
    const t = timeline().attempt().response().event('1').event('01').end().reconnect(1000, '01').at(1000).attempt('01').response().event('2');
    assert.deepEqual(codes(healthOf(t.entries)), []);
  });

  test('retry: below a second is a storm warning; retry: 3000 is not', () => {
    assert.deepEqual(codes(healthOf(timeline().attempt().response().retry(10).event('1').entries)), ['retry-storm']);
    assert.deepEqual(codes(healthOf(timeline().attempt().response().retry(3000).event('1').entries)), []);
  });

  test('a reconnect that starts before its scheduled delay ran out', () => {
    const t = timeline().attempt().response().event('1').end().reconnect(3000, '1').at(200).attempt('1').response().event('2');
    const h = healthOf(t.entries);
    assert.deepEqual(codes(h), ['reconnect-too-fast']);
    assert.match(h.findings[0]?.evidence[0]?.note ?? '', /^attempt 2 started 200 ms after a reconnect was scheduled in 3000 ms/);
    const unknown = timeline().attempt().response().event('1').end().reconnect(null, '1').at(200).attempt('1').response().event('2');
    assert.deepEqual(codes(healthOf(unknown.entries)), [], 'a browser-chosen delay is not judged');
  });
});

/** Two attempts through the engine against `url`, reconnecting after 50 ms (the policy's, not the server's). */
async function twoAttempts(url: string, headers = [] as [string, string][]) {
  const r = run(config(url, { headers, reconnect: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 50 } }), undefined, 'r1');
  await r.until((es) => countOf('attempt-ended')(es) >= 2, 'two attempt ends');
  r.connection.close();
  return r;
}

describe('doctor: resumability, from real servers through the engine', () => {
  let demo: ScenarioServer;
  before(async () => {
    demo = await startScenarioServer();
  });
  after(() => demo.close());

  test('the demo stream, cut and resumed with Last-Event-ID: no finding', async () => {
    const r = await twoAttempts(`${demo.url}/events?interval=20&maxDuration=150`, [BEARER]);
    assert.ok(r.events().length >= 4);
    assert.equal(demo.streamRequests().at(-1)?.lastEventId, r.events().filter((e) => e.attempt === 1).at(-1)?.id, 'the reconnect resumed');
    assert.deepEqual(healthOf(r.entries).findings, []);
  });

  const catalog = (name: string): string => `${demo.url}${DOCTOR_PATH}${name}`;
  const requestsTo = (name: string) => demo.requests.filter((q) => q.path === `${DOCTOR_PATH}${name}`);

  test('a server that sends no ids (/doctor/no-ids)', async () => {
    assert.deepEqual(codes(healthOf((await twoAttempts(catalog('no-ids'))).entries)), ['no-ids']);
  });

  test('ids that repeat, then go backwards (/doctor/bad-ids)', async () => {
    const r = run(config(catalog('bad-ids'), { reconnect: { maxAttempts: 1 } }), undefined, 'r1');
    await r.until((es) => es.some((e) => e.kind === 'attempt-ended'), 'the attempt end');
    r.connection.close();
    assert.deepEqual(codes(healthOf(r.entries)), ['id-backwards', 'id-repeated']);
  });

  test('a server that ignores Last-Event-ID and starts over at id 1 (/doctor/ignores-last-event-id)', async () => {
    const r = await twoAttempts(catalog('ignores-last-event-id'));
    assert.equal(requestsTo('ignores-last-event-id')[1]?.lastEventId, '2', 'the engine did send it');
    const h = healthOf(r.entries);
    assert.deepEqual(codes(h), ['last-event-id-ignored']);
    assert.equal(h.findings[0]?.evidence[0]?.note, 'attempt 2 sent Last-Event-ID: 2; its first event has id 1');
  });

  test('a server that resumes from its live position, skipping what was sent during the drop (/doctor/gap-after-reconnect)', async () => {
    const h = healthOf((await twoAttempts(catalog('gap-after-reconnect'))).entries);
    assert.deepEqual(codes(h), ['gap-after-reconnect']);
    assert.match(h.findings[0]?.evidence[0]?.note ?? '', /Last-Event-ID: 2; its first event has id 7 \(4 events missing\)/);
  });

  test('a server that sends retry: 10 (/doctor/retry-storm): the engine takes it as its delay, and the doctor warns of a storm', async () => {
    const r = run(config(catalog('retry-storm'), { reconnect: { maxAttempts: 1 } }), undefined, 'r1');
    await r.until((es) => es.some((e) => e.kind === 'retry-changed') && es.some((e) => e.kind === 'event'), 'the retry and an event');
    r.connection.close();
    const retry = r.entries.find((e) => e.kind === 'retry-changed');
    assert.equal(retry?.kind === 'retry-changed' ? retry.delayMs : null, 10);
    assert.deepEqual(codes(healthOf(r.entries)), ['retry-storm']);
  });
});
