/**
 * The doctor's heartbeat check: the silences a stream left against every client's read timeout and
 * every proxy's idle timeout, from entries as an engine writes them and from real streams read by
 * the real engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDoctor, type Doctor } from '../../src/core/doctor/doctor.js';
import type { DoctorFinding } from '../../src/core/doctor/check.js';
import type { EntryBody, TimelineEntry } from '../../src/core/timeline.js';
import { DOCTOR_PATH } from '../../src/servers/doctor/catalog.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { config, run } from '../helpers/harness.js';
import { entryLog } from '../helpers/entries.js';

const timeline = () => entryLog();

const response: EntryBody = { kind: 'response', status: 200, statusText: 'OK', url: 'http://127.0.0.1/events', redirected: false, headers: [['content-type', 'text/event-stream']], timeToHeadersMs: 5 };
const event = (id: string): EntryBody => ({ kind: 'event', type: 'message', id, lastEventId: id, data: `{"n":${id}}`, size: 8 });
const beat: EntryBody = { kind: 'comment', text: 'heartbeat' };
const ended = (durationMs: number): EntryBody => ({ kind: 'attempt-ended', reason: 'closed-by-user', status: null, detail: '', durationMs, bytes: 100, events: 1 });

function heartbeatFindings(entries: readonly TimelineEntry[], commentsHidden = false): DoctorFinding[] {
  const doctor: Doctor = createDoctor({ openStreamsOfOrigin: null, commentsHidden });
  entries.forEach((e) => doctor.add(e));
  return doctor.health().findings.filter((f) => f.check === 'heartbeat');
}

const row = (f: DoctorFinding, who: string): string[] | undefined => f.table?.rows.find((r) => r[0]?.startsWith(who));

describe('heartbeat check over entries', () => {
  test('events every second: no finding', () => {
    const t = timeline();
    t.add(1, response);
    for (let i = 1; i <= 30; i++) t.add(1, event(String(i)), 1000);
    t.add(1, ended(30_000), 500);
    assert.deepEqual(heartbeatFindings(t.entries), []);
  });

  test('heartbeats every 15 s and nothing else: okhttp-eventsource would cut it, no proxy would (info: only where that client reads it)', () => {
    const t = timeline();
    t.add(1, response);
    t.add(1, event('1'), 100);
    for (let i = 0; i < 8; i++) t.add(1, beat, 15_000);
    t.add(1, ended(121_000), 1000);
    const [f, ...rest] = heartbeatFindings(t.entries);
    assert.equal(rest.length, 0);
    assert.ok(f);
    assert.equal(f.severity, 'info');
    assert.equal(f.code, 'silence-exceeds-timeout');
    assert.match(f.title, /okhttp-eventsource.*5\.0 s read\/idle timeout would have cut this stream 8 times; your heartbeat is about every 15\.0 s/);
    assert.equal(row(f, 'okhttp')?.[3], '8 times');
    assert.equal(row(f, 'nginx')?.[3], 'never');
    assert.equal(row(f, 'EventSource polyfill')?.[3], 'never');
    assert.match(f.fix, /at least every 2\.0 s/);
    assert.equal(f.evidence.length, 8);
    assert.ok(f.evidence.every((e) => e.connectionId === 'c1' && e.seq !== null));
  });

  test('a 70 s silence: cut by nginx, ALB, Heroku and the polyfill (warning); past every proxy (error)', () => {
    const t = timeline();
    t.add(1, response);
    t.add(1, event('1'), 100);
    t.add(1, event('2'), 70_000);
    t.add(1, ended(71_000), 1000);
    const [f] = heartbeatFindings(t.entries);
    assert.ok(f);
    assert.equal(f.severity, 'warning');
    for (const who of ['nginx', 'AWS ALB', 'Heroku', 'EventSource polyfill', 'okhttp']) assert.equal(row(f, who)?.[3], 'once', who);
    assert.equal(row(f, 'Cloudflare')?.[3], 'never');
    assert.match(f.why, /no heartbeat comments were seen/);

    const u = timeline();
    u.add(1, response);
    u.add(1, event('1'), 100);
    u.add(1, event('2'), 130_000);
    const [g] = heartbeatFindings(u.entries);
    assert.equal(g?.severity, 'error');
  });

  test('a silence before the attempt ended counts; silences are per attempt (a reconnect is no silence)', () => {
    const t = timeline();
    t.add(1, response);
    t.add(1, event('1'), 100);
    t.add(1, ended(7_000), 6_500);
    t.add(2, { kind: 'attempt-started', method: 'GET', url: 'http://127.0.0.1/events', headers: [], lastEventId: '1', lastEventIdVia: 'header' }, 60_000);
    t.add(2, response, 10);
    t.add(2, event('2'), 500);
    const [f] = heartbeatFindings(t.entries);
    assert.ok(f);
    assert.equal(row(f, 'okhttp')?.[3], 'once');
    assert.equal(row(f, 'nginx')?.[3], 'never');
    assert.match(f.evidence[0]?.note ?? '', /before the attempt ended \(attempt 1\)/);
  });

  test('a 40 s silence: cut by okhttp-eventsource only, half-way to the proxies (info)', () => {
    const t = timeline();
    t.add(1, response);
    t.add(1, event('1'), 100);
    t.add(1, event('2'), 40_000);
    const [f] = heartbeatFindings(t.entries);
    assert.equal(f?.severity, 'info');
    assert.equal(f && row(f, 'EventSource polyfill')?.[3], 'never');
    assert.equal(f && row(f, 'Heroku')?.[3], 'never');
  });

  test("a page's EventSource hides comments: its silences between events are only info, and say why", () => {
    const t = timeline();
    t.add(1, response);
    t.add(1, event('1'), 100);
    t.add(1, event('2'), 70_000);
    const [f] = heartbeatFindings(t.entries, true);
    assert.equal(f?.severity, 'info');
    assert.match(f?.title ?? '', /hides comments/);
  });

  test('a response that is not 200 has no stream to be silent', () => {
    const t = timeline();
    t.add(1, { ...response, status: 503 });
    t.add(1, ended(60_000), 60_000);
    assert.deepEqual(heartbeatFindings(t.entries), []);
  });
});

describe('heartbeat check on real streams', () => {
  let demo: ScenarioServer;
  before(async () => {
    demo = await startScenarioServer();
  });
  after(() => demo.close());

  test('a stream silent for longer than 5 s (/doctor/silent) through the engine: okhttp-eventsource would have cut it once', async () => {
    const r = run(config(`${demo.url}${DOCTOR_PATH}silent`, { reconnect: { maxAttempts: 1 } }));
    await r.until((es) => es.some((e) => e.kind === 'attempt-ended'), 'the end of the stream');
    r.connection.close();
    const [f] = heartbeatFindings(r.entries);
    assert.ok(f, 'a heartbeat finding');
    assert.equal(f.severity, 'info');
    assert.match(f.title, /okhttp-eventsource \(Android\)'s 5\.0 s read\/idle timeout would have cut this stream once; no heartbeat comments were seen/);
    assert.equal(row(f, 'okhttp')?.[3], 'once');
    assert.equal(row(f, 'nginx')?.[3], 'never');
    assert.equal(row(f, 'Browser EventSource — Chromium')?.[3], 'never');
    const second = r.events().find((e) => e.id === '2');
    assert.equal(f.evidence[0]?.seq, second?.seq, 'the evidence is the event that ended the silence');
  });

  test('the demo /events stream (an event every second, a heartbeat every 15 s): no finding', async () => {
    const r = run(config(`${demo.url}/events`, { headers: [['Authorization', 'Bearer demo-token']], reconnect: { maxAttempts: 1 } }));
    await r.until((es) => es.filter((e) => e.kind === 'event').length >= 4, 'four events');
    r.connection.close();
    await r.until((es) => es.some((e) => e.kind === 'attempt-ended'), 'the attempt end');
    assert.deepEqual(heartbeatFindings(r.entries), []);
  });
});
