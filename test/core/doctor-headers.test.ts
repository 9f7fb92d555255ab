/**
 * The doctor's compression and headers checks (issue 14, items 2 and 3): each finding from entries
 * written by hand, then from real servers on 127.0.0.1 read by the real engine, and none on the
 * demo server's stream.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DOCTOR_PATH } from '../../src/servers/doctor/catalog.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { BEARER, get } from '../helpers/demo-streams.js';
import { codes, healthOf, STREAM_HEADERS, timeline } from '../helpers/doctor.js';
import { config, run } from '../helpers/harness.js';

describe('doctor: compression and headers, from entries', () => {
  test('a well-formed stream response has no finding', () => {
    assert.deepEqual(codes(healthOf(timeline().attempt().response().event('1').entries)), []);
  });

  test('Content-Encoding: gzip is a compressed-stream warning whose evidence is the header', () => {
    const t = timeline().attempt().response([...STREAM_HEADERS, ['Content-Encoding', 'gzip']]).event('1');
    const h = healthOf(t.entries);
    const f = h.findings.find((x) => x.code === 'compressed');
    assert.ok(f, JSON.stringify(h));
    assert.equal(f.severity, 'warning');
    assert.equal(f.evidence[0]?.header, 'Content-Encoding');
    assert.equal(f.evidence[0]?.seq, 2);
    assert.match(f.evidence[0]?.note ?? "", /gzip/);
    assert.match(f.fix, /no-transform/);
    assert.match(f.fix, /text\/event-stream/);
  });

  test('Content-Encoding: identity is no compression', () => {
    assert.deepEqual(codes(healthOf(timeline().attempt().response([...STREAM_HEADERS, ['content-encoding', 'identity']]).entries)), []);
  });

  test('each header trap is its own finding, with the header as evidence', () => {
    const h = healthOf(timeline().attempt().response([['Content-Type', 'application/json; charset=iso-8859-1'], ['Content-Length', '120'], ['Connection', 'close']]).entries);
    assert.deepEqual(codes(h), ['cache-control', 'charset', 'connection-close', 'content-length', 'content-type']);
    const by = Object.fromEntries(h.findings.map((f) => [f.code, f]));
    assert.equal(by['content-type']?.severity, 'error');
    assert.equal(by['content-type']?.evidence[0]?.note, 'Content-Type: application/json; charset=iso-8859-1 (attempt 1)');
    assert.equal(by['cache-control']?.evidence[0]?.note, 'no Cache-Control (attempt 1)');
    assert.equal(by['content-length']?.evidence[0]?.header, 'Content-Length');
    assert.equal(h.findings[0]?.severity, 'error', 'errors first');
  });

  test('no-store counts as no-cache; utf-8 in any spelling is fine', () => {
    const h = healthOf(timeline().attempt().response([['content-type', 'text/event-stream;charset="UTF8"'], ['cache-control', 'private, no-store']]).entries);
    assert.deepEqual(codes(h), []);
  });

  test('a non-200 response is not judged as a stream', () => {
    assert.deepEqual(codes(healthOf(timeline().attempt().response([['content-type', 'text/html']], 401).entries)), []);
  });

  test('where a page hook saw only some headers (an observed EventSource), a missing header is unknown, not a finding', () => {
    const entries = timeline().attempt().response([['content-type', 'text/event-stream']]).entries;
    assert.deepEqual(codes(healthOf(entries, { openStreamsOfOrigin: null, headersSeen: 'some' })), []);
    assert.deepEqual(codes(healthOf(entries)), ['cache-control'], 'with every header seen, it is absent');
    const seen = timeline().attempt().response([['content-type', 'text/event-stream'], ['cache-control', 'max-age=60'], ['content-encoding', 'br']]).entries;
    assert.deepEqual(codes(healthOf(seen, { openStreamsOfOrigin: null, headersSeen: 'some' })), ['cache-control', 'compressed'], 'what is seen is judged');
  });

  test('one finding per code, its evidence bounded, over many attempts', () => {
    const t = timeline();
    for (let i = 0; i < 40; i++) t.attempt().response([['content-type', 'text/event-stream']]).end();
    const f = healthOf(t.entries).findings;
    assert.equal(f.length, 1);
    assert.equal(f[0]?.evidence.length, 20);
  });

  test('five open streams of the origin warn of the six-connection limit, unless the stream is HTTP/2', () => {
    const entries = timeline().attempt().response().entries;
    assert.deepEqual(codes(healthOf(entries, { openStreamsOfOrigin: 4 })), []);
    const h = healthOf(entries, { openStreamsOfOrigin: 5 });
    assert.deepEqual(codes(h), ['six-connections']);
    assert.match(h.findings[0]!.evidence[0]!.note, /^5 streams of this origin are open/);
    assert.deepEqual(codes(healthOf(entries, { openStreamsOfOrigin: 7, httpVersion: 'h2' })), []);
    assert.deepEqual(codes(healthOf(entries, { openStreamsOfOrigin: 6, httpVersion: 'HTTP/1.1' })), ['six-connections']);
  });

  test('a stream with no response yet (queued behind the limit) points at its request', () => {
    const entries = timeline().attempt().entries;
    const h = healthOf(entries, { openStreamsOfOrigin: 7, httpVersion: 'HTTP/1.1' });
    assert.deepEqual(codes(h), ['six-connections']);
    assert.equal(h.findings[0]!.evidence[0]!.seq, 1, 'the request row');
    assert.match(h.findings[0]!.evidence[0]!.note, /^7 streams of this origin are open or waiting in the tab \(over HTTP\/1\.1\).*no response yet/);
    const reconnecting = timeline().attempt().response().end().attempt().entries;
    assert.equal(healthOf(reconnecting, { openStreamsOfOrigin: 5 }).findings[0]!.evidence[0]!.seq, 4, "a reconnect not yet answered: its request, not the last attempt's response");
  });

  test('the open-stream count is read when findings are asked for: the host updates it', () => {
    const context = { openStreamsOfOrigin: 1 as number | null };
    const entries = timeline().attempt().response().entries;
    assert.deepEqual(codes(healthOf(entries, context)), []);
    context.openStreamsOfOrigin = 5;
    assert.deepEqual(codes(healthOf(entries, context)), ['six-connections']);
  });
});

async function entriesFrom(url: string) {
  const r = run(config(url, { reconnect: { maxAttempts: 1 } }), undefined, 'd1');
  await r.until((es) => es.some((e) => e.kind === 'attempt-ended'), 'the attempt end');
  r.connection.close();
  return r.entries;
}

describe('doctor: compression and headers, from real servers through the engine', () => {
  let demo: ScenarioServer;
  before(async () => {
    demo = await startScenarioServer();
  });
  after(() => demo.close());

  test('the demo stream (/events) has no finding', async () => {
    const r = get(`${demo.url}/events?interval=20&heartbeat=30`, [BEARER]);
    await r.until((es) => es.filter((e) => e.kind === 'event').length >= 5, 'five events');
    r.connection.close();
    assert.deepEqual(healthOf(r.entries).findings, []);
  });

  test('a gzip-compressed stream (/doctor/gzip): its events arrive (the engine decodes it), and the doctor says it is compressed', async () => {
    const entries = await entriesFrom(`${demo.url}${DOCTOR_PATH}gzip`);
    assert.equal(entries.filter((e) => e.kind === 'event').length, 3);
    assert.deepEqual(codes(healthOf(entries)), ['compressed']);
  });

  for (const [name, code] of [['charset', 'charset'], ['no-cache-control', 'cache-control'], ['content-length', 'content-length'], ['connection-close', 'connection-close'], ['content-type', 'content-type']] as const) {
    test(`${DOCTOR_PATH}${name}: ${code}, and nothing else`, async () => {
      assert.deepEqual(codes(healthOf(await entriesFrom(`${demo.url}${DOCTOR_PATH}${name}`))), [code]);
    });
  }
});
