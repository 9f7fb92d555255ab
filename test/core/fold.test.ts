/**
 * The fold of a connection's entries: state, counts, bytes and attempts, one entry at a time, and
 * the same whether fed live or from a capture of the same entries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildCapture, serializeCapture } from '../../src/core/capture/format.js';
import { parseCapture } from '../../src/core/capture/schema.js';
import { createConnectionFold, type ConnectionFold } from '../../src/core/fold.js';
import type { EntryBody, TimelineEntry } from '../../src/core/timeline.js';
import { config, run } from '../helpers/harness.js';
import { sseHead, startRawServer, type RawServer } from '../helpers/raw-server.js';
import { entryLog } from '../helpers/entries.js';

const timeline = () => entryLog();

const started = (lastEventId: string | null = null): EntryBody => ({ kind: 'attempt-started', method: 'GET', url: 'http://127.0.0.1/events', headers: [], lastEventId, lastEventIdVia: lastEventId === null ? 'none' : 'header' });
const ok: EntryBody = { kind: 'response', status: 200, statusText: 'OK', url: 'http://127.0.0.1/events', redirected: false, headers: [['content-type', 'text/event-stream']], timeToHeadersMs: 5 };
const event = (id: string, data: string): EntryBody => ({ kind: 'event', type: 'message', id, lastEventId: id, data, size: Buffer.byteLength(data) });
const ended = (bytes: number, events: number): EntryBody => ({ kind: 'attempt-ended', reason: 'closed-by-server', status: null, detail: 'the server ended the response', durationMs: 100, bytes, events });

function fed(entries: readonly TimelineEntry[], fold: ConnectionFold = createConnectionFold()): ConnectionFold {
  for (const e of entries) fold.add(e);
  return fold;
}

describe('the connection fold', () => {
  test('a connection reconnected after it stopped is open, not closed by its old stop', () => {
    const t = timeline();
    t.add(1, started());
    t.add(1, ok);
    t.add(1, event('1', 'one'));
    t.add(1, ended(40, 1));
    t.add(1, { kind: 'stopped', why: 'gave up after 1 attempt (the maximum)' });
    t.add(2, started('1'));
    const response = t.add(2, ok);
    const fold = fed(t.entries);
    assert.deepEqual(fold.state, { phase: 'open', attempt: 2, since: response.time });
    assert.deepEqual(fold.stats, { events: 1, bytes: 40, attempts: 2, lastEventId: '1' });
  });

  test('each lifecycle entry moves the state: connecting, open, waiting with when, closed with why', () => {
    const t = timeline();
    const fold = createConnectionFold();
    // Read through a function: an assertion on the property would narrow it for the lines below.
    const phase = (): string => fold.state.phase;
    assert.equal(phase(), 'closed', 'nothing happened yet');
    fold.add(t.add(1, started()));
    assert.equal(phase(), 'connecting');
    fold.add(t.add(1, ok));
    assert.equal(phase(), 'open');
    fold.add(t.add(1, ended(10, 0)));
    const scheduled = t.add(1, { kind: 'reconnect-scheduled', delayMs: 3000, why: 'initial delay 3000 ms', nextAttempt: 2, lastEventId: null });
    fold.add(scheduled);
    assert.deepEqual(fold.state, { phase: 'waiting', attempt: 2, until: scheduled.time + 3000 });
    fold.add(t.add(2, started()));
    fold.add(t.add(2, { kind: 'attempt-ended', reason: 'http-error', status: 401, detail: 'HTTP 401 Unauthorized', durationMs: 3, bytes: 0, events: 0 }));
    const stopped = t.add(2, { kind: 'stopped', why: 'http-error: the spec does not reconnect after a non-200 status' });
    fold.add(stopped);
    assert.deepEqual(fold.state, { phase: 'closed', why: 'http-error: the spec does not reconnect after a non-200 status', since: stopped.time, lastEnd: 'http-error' });
    assert.deepEqual(fold.attempts.map((a) => [a.summary.attempt, a.summary.end?.reason, a.nextDelayMs]), [[1, 'closed-by-server', 3000], [2, 'http-error', null]]);
  });

  test("bytes: an ended attempt counts every byte it received, an open one its events' data until its end says the whole", () => {
    const t = timeline();
    const fold = createConnectionFold();
    for (const body of [started(), ok, event('1', 'héllo'), event('2', 'world')]) fold.add(t.add(1, body));
    assert.equal(fold.stats.bytes, 6 + 5, 'the data so far, in UTF-8 bytes');
    fold.add(t.add(1, ended(64, 2)));
    assert.equal(fold.stats.bytes, 64, "the end's count replaces the estimate, never adds to it");
    for (const body of [started('2'), ok, event('3', 'abc')]) fold.add(t.add(2, body));
    assert.equal(fold.stats.bytes, 64 + 3);
    assert.equal(fold.stats.events, 3);
  });

  test('totals carried over from a stored record are not counted again; the entries still give state and attempts', () => {
    const t = timeline();
    for (const body of [started(), ok, event('1', 'a'), event('2', 'b')]) t.add(1, body);
    // 5000 events were counted before the retention cap dropped them.
    const stats = { events: 5002, bytes: 90_000, attempts: 1, lastEventId: '2' };
    const fold = fed(t.entries, createConnectionFold({ resume: { stats, throughSeq: t.entries.at(-1)!.seq } }));
    assert.deepEqual(fold.stats, stats);
    assert.equal(fold.state.phase, 'open');
    assert.equal(fold.attempts.length, 1);
    fold.add(t.add(1, event('3', 'c')));
    assert.deepEqual(fold.stats, { events: 5003, bytes: 90_001, attempts: 1, lastEventId: '3' });
  });

  test('kept attempts are bounded: the latest ones, oldest first', () => {
    const t = timeline();
    const fold = createConnectionFold({ keepAttempts: 3 });
    for (let n = 1; n <= 10; n++) {
      fold.add(t.add(n, started()));
      fold.add(t.add(n, ended(1, 0)));
    }
    assert.deepEqual(fold.attempts.map((a) => a.summary.attempt), [8, 9, 10]);
    assert.equal(fold.stats.attempts, 10, 'the count is of all of them');
  });
});

describe('live and captured agree', () => {
  let server: RawServer;
  before(async () => {
    // The first response ends after two events; the second stays open after two more.
    server = await startRawServer((res, _req, index) => {
      sseHead(res);
      if (index === 0) res.end('retry: 20\nid: 1\ndata: one\n\n: heartbeat\n\nid: 2\ndata: two\n\n');
      else res.write('id: 3\ndata: three\n\n: heartbeat\n\nid: 4\ndata: four\n\n');
    });
  });
  after(() => server.close());

  test('a connection captured while open imports with the state, counts, bytes and attempts it had live', async () => {
    const live = createConnectionFold();
    const cfg = config(server.url);
    const r = run(cfg);
    const entries: TimelineEntry[] = [];
    await r.until((es) => es.filter((e) => e.kind === 'event').length === 4, 'four events over two attempts');
    for (const e of r.entries) {
      entries.push(e);
      live.add(e);
    }
    const file = parseCapture(serializeCapture(buildCapture([{ id: r.connection.id, config: cfg, entries }], '1.0.0')));
    r.connection.close();
    assert.ok(file.ok, file.ok ? '' : file.errors.join('\n'));
    const imported = fed(file.capture.connections[0]!.entries);
    assert.equal(live.state.phase, 'open');
    assert.deepEqual(imported.state, live.state);
    assert.deepEqual(imported.stats, live.stats);
    assert.equal(live.stats.bytes, r.ends()[0]!.bytes + Buffer.byteLength('three') + Buffer.byteLength('four'), 'the open attempt counts');
    assert.deepEqual(imported.attempts, live.attempts);
    assert.deepEqual(file.capture.connections[0]!.attempts, live.attempts.map((a) => a.summary));
  });
});
