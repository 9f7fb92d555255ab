/**
 * Framing traps: what the parsing path notes on the entries (the real engine reading real servers
 * that send each trap), and the doctor's "would this client parse this stream?" findings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDoctor } from '../../src/core/doctor/doctor.js';
import type { DoctorFinding } from '../../src/core/doctor/check.js';
import { createStreamParser } from '../../src/core/engine/stream-parser.js';
import { createObservedStream } from '../../src/core/observe/observed-stream.js';
import type { ObservedRecord } from '../../src/protocol/observed.js';
import { decodeEntries, encodeEntries } from '../../src/protocol/messages.js';
import { FRAMING_TRAPS, type FramingNote, type TimelineEntry } from '../../src/core/timeline.js';
import { DOCTOR_PATH } from '../../src/servers/doctor/catalog.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { config, run } from '../helpers/harness.js';
import { sseHead, startRawServer } from '../helpers/raw-server.js';

/** The notes the shared parser hands over, feeding `chunks` and ending the stream. */
function notesOf(chunks: string[]): { events: string[]; notes: FramingNote[] } {
  const events: string[] = [];
  const notes: FramingNote[] = [];
  const parser = createStreamParser({
    event: (m, framing) => {
      events.push(m.data);
      if (framing) notes.push(...framing);
    },
    id: () => {},
    comment: () => {},
    retry: () => {},
    ignored: () => {},
    overflow: () => {},
  });
  chunks.forEach((c) => parser.feed(c));
  notes.push(...parser.finish());
  return { events, notes };
}

const traps = (notes: FramingNote[]) => notes.map((n) => n.trap).sort();

function framingFindings(entries: readonly TimelineEntry[]): DoctorFinding[] {
  const doctor = createDoctor();
  entries.forEach((e) => doctor.add(e));
  return doctor.health().findings.filter((f) => f.check === 'framing');
}

describe('framing notes from the parsing path', () => {
  test('a clean stream: no note, and the events are what they were', () => {
    const { events, notes } = notesOf(['id: 1\ndata: {"a":1}\n\n', ': hb\n\n', 'data: two\r\n\r\n']);
    assert.deepEqual(events, ['{"a":1}', 'two']);
    assert.deepEqual(notes, []);
  });

  test('each trap, once however often it comes', () => {
    assert.deepEqual(traps(notesOf(['data: a\rdata: b\r\r', 'data: c\r\r']).notes), ['cr-only']);
    assert.deepEqual(traps(notesOf(['data: a\r', '\ndata: b\r\n\r\n']).notes), [], 'a CRLF split across chunks is no CR-only line');
    assert.deepEqual(traps(notesOf(['\uFEFFdata: a\n\n']).notes), ['bom']);
    assert.deepEqual(traps(notesOf(['data:a\n\n', 'data:b\n\n']).notes), ['no-space']);
    assert.deepEqual(traps(notesOf(['data: {"a":\ndata: 1}\n\n']).notes), ['multi-line-json']);
    assert.deepEqual(traps(notesOf(['id: a\u0000b\ndata: x\n\n']).notes), ['nul-in-id']);
    assert.deepEqual(traps(notesOf([`data: ${'x'.repeat(40_000)}`, `${'y'.repeat(40_000)}\n\n`]).notes), ['long-line']);
    const last = notesOf(['data: kept\n\n', 'data: {"final":true}\n']);
    assert.deepEqual(last.events, ['kept'], 'the unterminated event is not dispatched');
    assert.deepEqual(traps(last.notes), ['unterminated-final-event']);
    assert.match(last.notes[0]?.detail ?? '', /\{\\"final\\":true\}/);
  });

  test('a note rides on the next event, or on the end when none follows', () => {
    const parserNotes: (FramingNote[] | null)[] = [];
    const parser = createStreamParser({ event: (_m, f) => parserNotes.push(f), id: () => {}, comment: () => {}, retry: () => {}, ignored: () => {}, overflow: () => {} });
    parser.feed('data: a\n\n');
    parser.feed(': x\r');
    parser.feed('data: b\n\n');
    assert.deepEqual(parserNotes.map((n) => n?.map((x) => x.trap) ?? null), [null, ['cr-only']]);
    parser.feed('data:c\n\n');
    assert.deepEqual(parser.drain(), []);
  });
});

describe('a note rides on the event whose bytes carried the trap', () => {
  /** The data of the event each note rode on, with its detail, feeding `chunks`. */
  function carriers(chunks: string[]): { data: string; trap: string; detail: string }[] {
    const out: { data: string; trap: string; detail: string }[] = [];
    const parser = createStreamParser({
      event: (m, framing) => framing?.forEach((n) => out.push({ data: m.data, trap: n.trap, detail: n.detail })),
      id: () => {},
      comment: () => {},
      retry: () => {},
      ignored: () => {},
      overflow: () => {},
    });
    chunks.forEach((c) => parser.feed(c));
    return out;
  }

  const TRAPPED_SECOND: Record<string, string> = {
    'cr-only': 'data: a\n\ndata: b\r\r',
    'no-space': 'data: a\n\ndata:b\n\n',
    'nul-in-id': 'data: a\n\nid: x\u0000y\ndata: b\n\n',
    'long-line': `data: a\n\ndata: b${'z'.repeat(70_000)}\n\n`,
  };
  for (const [trap, chunk] of Object.entries(TRAPPED_SECOND)) {
    test(`${trap} in the second event of a read: the note is on the second event, not the first of the read`, () => {
      const [c, ...rest] = carriers([chunk]);
      assert.deepEqual(rest, []);
      assert.equal(c?.trap, trap);
      assert.equal(c?.data.slice(0, 1), 'b', `rode on ${JSON.stringify(c?.data.slice(0, 10))}`);
      assert.doesNotMatch(c?.detail ?? '', /read/, 'no read to name: the event is the one');
    });
  }

  test('a trap in a comment (no event of its own): the next event carries it and the note says which read it was in', () => {
    const [c] = carriers(['data: a\n\n', ': x\rdata: b\n\n']);
    assert.equal(c?.data, 'b');
    assert.match(c?.detail ?? '', /seen in read 2, in a line before this event/);
  });

  test('a trap at the end of an earlier read: the note names that read', () => {
    const [c] = carriers(['data: a\n\n', ': x\r', 'data: b\n\n']);
    assert.equal(c?.data, 'b');
    assert.match(c?.detail ?? '', /in read 2/);
  });

  test('through the real engine: the evidence is the event whose bytes held the trap, both events in one read', async () => {
    const s = await startRawServer((res) => {
      sseHead(res);
      res.end('id: 1\ndata: one\n\nid:2\ndata:two\n\n');
    });
    try {
      const r = run(config(s.url, { reconnect: { maxAttempts: 1 } }), undefined, 'c-read');
      await r.until((es) => es.some((e) => e.kind === 'attempt-ended'), 'the end of the stream');
      r.connection.close();
      const two = r.events().find((e) => e.data === 'two');
      assert.equal(r.events()[0]?.read, two?.read, 'one read');
      assert.equal(framingFindings(r.entries)[0]?.evidence[0]?.seq, two?.seq);
    } finally {
      await s.close();
    }
  });
});

describe('framing notes on an observed fetch stream (the page hook path)', () => {
  test('reads and traps are noted as the engine notes them; a secret quoted in a note is masked', () => {
    const T0 = 1_800_000_000_000;
    const secret = 'sk-observed-0123456789abcdef';
    const entries: TimelineEntry[] = [];
    const stream = createObservedStream({
      connectionId: 'o-1',
      open: { t: 'open', sid: 's1', api: 'fetch', time: T0, url: 'http://127.0.0.1:9/sse', method: 'GET', headers: [['Authorization', `Bearer ${secret}`]], body: null, bodyCut: false, withCredentials: false, frame: 'http://127.0.0.1:9/' },
      onEntry: (e) => entries.push(e),
    });
    const records: ObservedRecord[] = [
      { t: 'response', sid: 's1', time: T0 + 5, status: 200, statusText: 'OK', headers: [['content-type', 'text/event-stream']], url: '' },
      { t: 'chunk', sid: 's1', time: T0 + 10, text: 'data: a\rdata: b\r\r' },
      { t: 'chunk', sid: 's1', time: T0 + 20, text: 'data: c\n\ndata: d\n\n' },
      { t: 'chunk', sid: 's1', time: T0 + 30, text: `data: {"key":"${secret}"}\n` },
      { t: 'end', sid: 's1', time: T0 + 40, reason: 'done', detail: '' },
    ];
    records.forEach((r) => stream.add(r));
    const events = entries.filter((e) => e.kind === 'event');
    assert.deepEqual(events.map((e) => e.kind === 'event' && e.read), [1, 2, 2]);
    assert.deepEqual(events[0]?.kind === 'event' && events[0].framing?.map((n) => n.trap), ['cr-only']);
    const end = entries.find((e) => e.kind === 'attempt-ended');
    const note = end?.kind === 'attempt-ended' ? end.framing?.[0] : undefined;
    assert.equal(note?.trap, 'unterminated-final-event');
    assert.ok(note && !note.detail.includes(secret), `masked: ${note?.detail}`);
    assert.deepEqual(framingFindings(entries).map((f) => f.code), ['framing-unterminated-final-event', 'framing-cr-only']);
  });
});

test('reads and framing notes cross the wire to the panel (the batch columns keep them)', () => {
  const base = { connectionId: 'c1', attempt: 1, kind: 'event' as const, type: 'message', id: null, lastEventId: '', data: 'x', size: 1 };
  const entries: TimelineEntry[] = [
    { ...base, seq: 1, time: 1, read: 1, framing: [{ trap: 'cr-only', detail: 'a line ends with CR alone' }] },
    { ...base, seq: 2, time: 2 },
    { connectionId: 'c1', attempt: 1, seq: 3, time: 3, kind: 'comment', text: 'hb' },
    { ...base, seq: 4, time: 4, read: 3, framing: [{ trap: 'no-space', detail: '"data:" with no space before its value' }] },
  ];
  const wire = JSON.parse(JSON.stringify(encodeEntries(entries))) as ReturnType<typeof encodeEntries>;
  assert.deepEqual(decodeEntries(wire), entries);
  assert.deepEqual(decodeEntries(wire, 3), entries.slice(3), 'a slice from the middle finds its notes');
});

describe('framing traps from the demo server\'s catalog (/doctor/<trap>) through the real engine', () => {
  let demo: ScenarioServer;
  before(async () => {
    demo = await startScenarioServer();
  });
  after(() => demo.close());

  for (const trap of FRAMING_TRAPS) {
    test(`${trap}: noted by the engine, found by the doctor with a row per client profile`, async () => {
      const r = run(config(`${demo.url}${DOCTOR_PATH}${trap}`, { reconnect: { maxAttempts: 1 } }), undefined, `c-${trap}`);
      await r.until((es) => es.some((e) => e.kind === 'attempt-ended'), 'the end of the stream');
      r.connection.close();
      const found = framingFindings(r.entries);
      assert.deepEqual(
        found.map((f) => f.code),
        [`framing-${trap}`],
      );
      const f = found[0]!;
      assert.equal(f.table?.rows.length, 6, 'one row per client profile');
      const noted = r.entries.find((e) => (e.kind === 'event' || e.kind === 'attempt-ended') && e.framing?.some((n) => n.trap === trap));
      assert.equal(f.evidence[0]?.seq, noted?.seq, 'the evidence is the row that carries the note');
      const row = (id: string) => f.table?.rows.find((x) => x[0]?.includes(id))?.[1];
      if (trap === 'bom') {
        assert.deepEqual([row('okhttp'), row('LDSwift'), row('Chromium'), row('polyfill')], ['no', 'no', 'yes', 'yes']);
        assert.deepEqual(r.events().map((e) => e.data), ['one', 'two'], 'the engine reads it as the spec does');
      }
      if (trap === 'unterminated-final-event') {
        assert.ok(f.table?.rows.every((x) => x[1] === 'no'), 'lost by every client');
        assert.equal(f.severity, 'error');
        assert.deepEqual(r.events().map((e) => e.data), ['one']);
      }
      if (trap === 'nul-in-id') assert.equal(row('polyfill'), 'no');
      if (trap === 'cr-only') assert.deepEqual(r.events().map((e) => e.data), ['one', 'two']);
    });
  }

  test('the demo /events stream: no framing finding', async () => {
    const r = run(config(`${demo.url}/events`, { headers: [['Authorization', 'Bearer demo-token']], reconnect: { maxAttempts: 1 } }));
    await r.until((es) => es.filter((e) => e.kind === 'event').length >= 3, 'three events');
    r.connection.close();
    await r.until((es) => es.some((e) => e.kind === 'attempt-ended'), 'the attempt end');
    assert.deepEqual(framingFindings(r.entries), []);
  });

  test("the demo's garbage scenario (NUL in ids, unknown fields) is noted as a NUL id", async () => {
    const r = run(config(`${demo.url}/events?scenario=garbage&count=3&interval=50`, { headers: [['Authorization', 'Bearer demo-token']], reconnect: { maxAttempts: 1 } }));
    await r.until((es) => es.some((e) => e.kind === 'attempt-ended'), 'the end of the stream');
    r.connection.close();
    assert.ok(framingFindings(r.entries).some((f) => f.code === 'framing-nul-in-id'));
  });
});
