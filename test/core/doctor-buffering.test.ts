/**
 * The doctor's buffering check: events produced apart that arrive together, from entries as an
 * engine writes them and from a real server that imitates a buffering proxy, read by the real
 * engine (which now says which network read carried each event).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildCapture, serializeCapture } from '../../src/core/capture/format.js';
import { parseCapture } from '../../src/core/capture/schema.js';
import { defaultConfig } from '../../src/core/config.js';
import { producedAt } from '../../src/core/doctor/buffering.js';
import { createDoctor } from '../../src/core/doctor/doctor.js';
import type { DoctorFinding } from '../../src/core/doctor/check.js';
import type { EntryBody, EventEntry, TimelineEntry } from '../../src/core/timeline.js';
import { DOCTOR_PATH } from '../../src/servers/doctor/catalog.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { config, run } from '../helpers/harness.js';
import { entryLog } from '../helpers/entries.js';

const timeline = () => entryLog();

const response: EntryBody = { kind: 'response', status: 200, statusText: 'OK', url: 'http://127.0.0.1/events', redirected: false, headers: [['content-type', 'text/event-stream']], timeToHeadersMs: 5 };
const event = (n: number, read?: number, at?: number): EntryBody => {
  const data = at === undefined ? `{"n":${n}}` : `{"n":${n},"ts":${at}}`;
  return { kind: 'event', type: 'message', id: String(n), lastEventId: String(n), data, size: data.length, ...(read === undefined ? {} : { read }) };
};

function bufferingFindings(entries: readonly TimelineEntry[]): DoctorFinding[] {
  const doctor = createDoctor();
  entries.forEach((e) => doctor.add(e));
  return doctor.health().findings.filter((f) => f.check === 'buffering');
}

const codes = (fs: DoctorFinding[]) => fs.map((f) => f.code).sort();

describe('buffering check over entries', () => {
  test('one event per read, a second apart: no finding', () => {
    const t = timeline();
    t.add(1, response);
    for (let i = 1; i <= 40; i++) t.add(1, event(i, i), 1000);
    assert.deepEqual(bufferingFindings(t.entries), []);
  });

  test('ten events produced 200 ms apart (their ts field) arriving in one read after 2 s: buffered bursts', () => {
    const t = timeline();
    t.add(1, response);
    t.add(1, event(1, 1), 50);
    t.add(1, { kind: 'comment', text: 'hb' }, 2000);
    const produced = 1_800_000_000_000;
    for (let i = 0; i < 10; i++) t.add(1, event(2 + i, 2, produced + i * 200), 0);
    const [f, ...rest] = bufferingFindings(t.entries);
    assert.deepEqual(rest, []);
    assert.equal(f?.code, 'buffered-bursts');
    assert.equal(f?.severity, 'warning');
    assert.match(f?.evidence[0]?.note ?? '', /^10 events \(rows 4–13\) arrived in one network read after 2\.0 s of silence \(attempt 1\); their own ts fields span 1\.8 s/);
    assert.match(f?.fix ?? '', /proxy_buffering off/);
    assert.match(f?.fix ?? '', /X-Accel-Buffering: no/);
    assert.match(f?.fix ?? '', /no-transform/);
  });

  test('repeated bursts without timestamps, told apart by arrival time where reads are unknown', () => {
    const t = timeline();
    t.add(1, response);
    for (let b = 0; b < 3; b++) {
      t.add(1, event(b * 4 + 1), 3000);
      for (let i = 2; i <= 4; i++) t.add(1, event(b * 4 + i), 0);
    }
    assert.deepEqual(codes(bufferingFindings(t.entries)), ['buffered-bursts']);
    assert.match(bufferingFindings(t.entries)[0]?.evidence[0]?.note ?? '', /arrived at the same moment/);
  });

  test('a single lump without timestamps is no burst (a server may write a few at once)', () => {
    const t = timeline();
    t.add(1, response);
    t.add(1, event(1, 1), 50);
    for (let i = 2; i <= 4; i++) t.add(1, event(i, 2), i === 2 ? 3000 : 0);
    assert.deepEqual(bufferingFindings(t.entries), []);
  });

  test('the first read late and large: first bytes held', () => {
    const t = timeline();
    t.add(1, response);
    const big = 'x'.repeat(300);
    for (let i = 1; i <= 10; i++) t.add(1, { kind: 'event', type: 'message', id: String(i), lastEventId: String(i), data: big, size: 300, read: 1 }, i === 1 ? 4000 : 0);
    assert.deepEqual(codes(bufferingFindings(t.entries)), ['first-bytes-held']);
  });

  test('every attempt holding its first events back is first-bytes-held, not bursts as well (a reconnect of /doctor/held)', () => {
    const t = timeline();
    for (let a = 1; a <= 2; a++) {
      t.add(a, response, 3000);
      for (let i = 1; i <= 4; i++) t.add(a, event(a * 10 + i, a * 10, 1_800_000_000_000 + i * 300), i === 1 ? 1200 : 0);
      for (let i = 5; i <= 7; i++) t.add(a, event(a * 10 + i, a * 10 + i), 500);
    }
    assert.deepEqual(codes(bufferingFindings(t.entries)), ['first-bytes-held']);
  });

  test('a backlog replayed at once on connect is no held first read', () => {
    const t = timeline();
    t.add(1, response);
    for (let i = 1; i <= 10; i++) t.add(1, event(i, 1, 1_700_000_000_000 + i * 1000), i === 1 ? 5 : 0);
    assert.deepEqual(bufferingFindings(t.entries), []);
  });

  test('most events several to a read, no silences: info', () => {
    const t = timeline();
    t.add(1, response);
    for (let r = 1; r <= 6; r++) for (let i = 0; i < 5; i++) t.add(1, event(r * 10 + i, r), i === 0 ? 100 : 0);
    const [f] = bufferingFindings(t.entries);
    assert.equal(f?.code, 'many-events-per-read');
    assert.equal(f?.severity, 'info');
  });

  test('timestamps: epoch seconds, milliseconds and ISO strings', () => {
    assert.deepEqual(producedAt('{"ts":1700000000}'), { field: 'ts', ms: 1_700_000_000_000 });
    assert.deepEqual(producedAt('{"a":1,"timestamp":1700000000123}'), { field: 'timestamp', ms: 1_700_000_000_123 });
    assert.deepEqual(producedAt('{"at":"2026-01-01T00:00:00.000Z"}'), { field: 'at', ms: Date.parse('2026-01-01T00:00:00.000Z') });
    assert.equal(producedAt('{"time":"noon"}'), null);
    assert.equal(producedAt('plain text'), null);
  });

  test('a capture keeps each event read; one written before reads existed still loads', () => {
    const entries: TimelineEntry[] = [
      { connectionId: 'c1', attempt: 1, seq: 1, time: 1_800_000_000_000, ...response },
      { connectionId: 'c1', attempt: 1, seq: 2, time: 1_800_000_000_010, ...event(1, 3) },
      { connectionId: 'c1', attempt: 1, seq: 3, time: 1_800_000_000_020, ...event(2) },
    ];
    const capture = buildCapture([{ id: 'c1', config: defaultConfig('http://127.0.0.1/events'), entries }], '1.0.0');
    const back = parseCapture(serializeCapture(capture));
    assert.ok(back.ok, back.ok ? '' : back.errors.join('\n'));
    const events = back.capture.connections[0]?.entries.filter((e): e is EventEntry => e.kind === 'event') ?? [];
    assert.deepEqual(events.map((e) => e.read), [3, undefined]);
  });
});

describe('buffering check on real streams', () => {
  let demo: ScenarioServer;
  before(async () => {
    demo = await startScenarioServer();
  });
  after(() => demo.close());

  test('events produced apart but flushed together (/doctor/buffered): the engine counts them in one read, and the doctor says buffered', async () => {
    const r = run(config(`${demo.url}${DOCTOR_PATH}buffered`, { reconnect: { maxAttempts: 1 } }));
    await r.until((es) => es.some((e) => e.kind === 'attempt-ended'), 'the end of the stream');
    r.connection.close();
    const reads = r.events().map((e) => e.read);
    assert.deepEqual(reads, [1, 2, 2, 2, 2, 3, 3, 3, 3], 'each lump came in one read');
    const fs = bufferingFindings(r.entries);
    assert.deepEqual(codes(fs), ['buffered-bursts']);
    assert.match(fs[0]?.evidence[0]?.note ?? '', /4 events .* arrived in one network read .* their own ts fields span/);
  });

  test('the first events held back (/doctor/held)', async () => {
    const r = run(config(`${demo.url}${DOCTOR_PATH}held`, { reconnect: { maxAttempts: 1 } }));
    await r.until((es) => es.filter((e) => e.kind === 'event').length >= 6, 'the held lump and two events after it');
    r.connection.close();
    assert.deepEqual(codes(bufferingFindings(r.entries)), ['first-bytes-held']);
  });

  test('the demo /events stream: one event per read, no finding', async () => {
    const r = run(config(`${demo.url}/events`, { headers: [['Authorization', 'Bearer demo-token']], reconnect: { maxAttempts: 1 } }));
    await r.until((es) => es.filter((e) => e.kind === 'event').length >= 4, 'four events');
    r.connection.close();
    const reads = r.events().map((e) => e.read);
    assert.equal(new Set(reads).size, reads.length, 'one event per read');
    assert.deepEqual(bufferingFindings(r.entries), []);
  });
});
