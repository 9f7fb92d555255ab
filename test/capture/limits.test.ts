/**
 * One set of limits, in and out: hostile files are refused before they can hang or exhaust the tool
 * (times out of range, a HAR that expands past the whole-file budget), what a stream or the form
 * accepts fits in a capture, and what the tool writes it can open again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildCapture, serializeCapture, type CaptureFile } from '../../src/core/capture/format.js';
import { harToCapture } from '../../src/core/capture/har.js';
import { loadCaptureText } from '../../src/core/capture/load.js';
import { parseCapture, validateCapture } from '../../src/core/capture/schema.js';
import { serializeForWriting } from '../../src/core/capture/write.js';
import { defaultConfig, validateConfig } from '../../src/core/config.js';
import { clock, describeEntry, formatBytes, formatDuration, isoTime } from '../../src/core/describe.js';
import { LIMITS } from '../../src/core/limits.js';
import type { TimelineEntry } from '../../src/core/timeline.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { config, run } from '../helpers/harness.js';
import { sseHead, startRawServer, writeChunks, type RawServer } from '../helpers/raw-server.js';

let server: ScenarioServer;
let good: CaptureFile;
const raws: RawServer[] = [];
before(async () => {
  server = await startScenarioServer({ intervalMs: 10, heartbeatMs: 0, token: null });
  const cfg = config(`${server.url}/events?count=3`, { reconnect: { maxAttempts: 1 } });
  const r = run(cfg);
  await r.untilClosed();
  good = buildCapture([{ id: 'test', config: cfg, entries: r.entries }], '1.0.0');
});
after(async () => {
  await server.close();
  await Promise.all(raws.map((r) => r.close()));
});

const clone = (): CaptureFile => JSON.parse(JSON.stringify(good)) as CaptureFile;

function refusedWith(result: ReturnType<typeof validateCapture>, pattern: RegExp): string {
  assert.equal(result.ok, false, 'refused');
  const text = result.ok ? '' : result.errors.join('\n');
  assert.match(text, pattern);
  return text;
}

/** Each piece is its own write, with a pause between, so the client reads them as separate chunks. */
async function rawServer(...pieces: string[]): Promise<RawServer> {
  const s = await startRawServer(async (res) => {
    sseHead(res);
    await writeChunks(res, pieces);
    res.end();
  });
  raws.push(s);
  return s;
}

describe('times from a file are checked against years 2000 to 2200', () => {
  test('an event at 2^54 × 1000 ms (which used to hang the channel rates) is refused, naming the entry and the range', () => {
    const c = clone();
    const i = c.connections[0]!.entries.findIndex((e) => e.kind === 'event');
    c.connections[0]!.entries[i]!.time = 2 ** 54 * 1000;
    refusedWith(validateCapture(c), new RegExp(`connections\\[0\\]\\.entries\\[${i}\\]\\.time: .*2000-01-01.*2200-01-01`));
  });

  test('times Date cannot show, negative times, and attempt times out of range are refused too', () => {
    for (const t of [9e15, -1, 0]) {
      const c = clone();
      c.connections[0]!.entries[0]!.time = t;
      refusedWith(validateCapture(c), /entries\[0\]\.time/);
    }
    const c = clone();
    c.connections[0]!.attempts[0]!.startedAt = 2 ** 60;
    refusedWith(validateCapture(c), /attempts\[0\]\.startedAt/);
    const d = clone();
    const end = d.connections[0]!.entries.find((e) => e.kind === 'attempt-ended');
    if (end?.kind === 'attempt-ended') end.durationMs = 1e300;
    refusedWith(validateCapture(d), /durationMs/);
  });

  test('a capture at the edges of the range is accepted', () => {
    const c = clone();
    const entries = c.connections[0]!.entries;
    entries.forEach((e, i) => (e.time = i === entries.length - 1 ? LIMITS.timeMax : LIMITS.timeMin + i));
    const result = validateCapture(c);
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
  });
});

describe('a total budget across the whole file', () => {
  test('a HAR whose streams are each under the per-connection limit but add up past the file budget is refused, saying how big it would have been', () => {
    const perStream = 700_000;
    const streams = 3;
    const body = 'data:\n\n'.repeat(perStream);
    const entry = (i: number) => ({
      startedDateTime: '2026-01-01T00:00:00.000Z',
      time: 10,
      request: { method: 'GET', url: `http://127.0.0.1/s${i}`, headers: [] },
      response: { status: 200, statusText: 'OK', headers: [], content: { mimeType: 'text/event-stream', text: body } },
      timings: { wait: 1 },
    });
    const har = { log: { entries: Array.from({ length: streams }, (_, i) => entry(i)) } };
    const result = harToCapture(har, '1.0.0');
    const text = refusedWith(result, /2,000,000/);
    // 700 000 events plus 4 lifecycle entries per stream.
    assert.match(text, /would become 2,100,012 timeline entries \(3 streams\)/);
  });

  test('a capture with more entries in all than the file budget is refused before its entries are looked at', () => {
    const c = clone();
    const base = c.connections[0]!;
    const per = Math.ceil(LIMITS.entriesPerFile / 3) + 1;
    const filler = { ...base.entries[0]! };
    c.connections = [0, 1, 2].map((n) => ({ ...base, id: `c${n}`, entries: Array.from({ length: per }, (): TimelineEntry => filler) }));
    refusedWith(validateCapture(c), /entries in all.*2,000,000/);
  });
});

describe('one set of limits on the way in and on the way out', () => {
  test('an event whose last line takes it over the limit ends the attempt with a clear detail, and never reaches the timeline', async () => {
    // The parser's buffer check runs at the end of each network chunk: a last small chunk that both
    // completes a line and dispatches the event used to slip 17 MiB events past it.
    const s = await rawServer(`data: ${'x'.repeat(LIMITS.eventDataChars - 100)}\n`, `data: ${'y'.repeat(200)}\n\ndata: after\n\n`);
    const r = run(config(s.url, { reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    assert.deepEqual(r.events(), []);
    assert.equal(r.ends()[0]?.reason, 'network-error');
    // Whichever check sees it first (the parser's buffer or the per-event check), the detail says why.
    assert.match(r.ends()[0]!.detail, /an event('s data)? exceeded 16,777,216 characters/);
  });

  test('a 70 000-character id ends the attempt instead of being kept for a capture that could not be opened', async () => {
    const s = await rawServer(`id: ${'7'.repeat(70_000)}\ndata: x\n\n`);
    const r = run(config(s.url, { reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    assert.deepEqual(r.events(), []);
    assert.match(r.ends()[0]!.detail, /event's id exceeded 65,536 characters/);
  });

  test('the largest accepted values round-trip: captured from a real server, written, opened again', async () => {
    const data = 'x'.repeat(LIMITS.eventDataChars);
    const id = 'i'.repeat(LIMITS.textChars);
    const type = 't'.repeat(LIMITS.textChars);
    const s = await rawServer(`id: ${id}\nevent: ${type}\ndata: ${data}\n\n: ${'c'.repeat(LIMITS.eventDataChars)}\n`);
    const r = run(config(s.url, { reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    assert.equal(r.events().length, 1, r.ends()[0]?.detail);
    // The largest config the form accepts, beside the real timeline.
    const form = {
      ...defaultConfig(`http://127.0.0.1/${'p'.repeat(LIMITS.formUrlChars - 18)}`),
      method: 'POST',
      body: 'b'.repeat(LIMITS.eventDataChars),
      headers: Array.from({ length: LIMITS.formHeaders }, (_, i): [string, string] => [`x-h${i}`, 'v'.repeat(LIMITS.textChars)]),
      initialLastEventId: 'l'.repeat(LIMITS.textChars),
    };
    assert.deepEqual(validateConfig(form), []);
    const capture = buildCapture([{ id: 'test', config: form, entries: r.entries }], '1.0.0');
    const written = serializeForWriting(capture);
    assert.ok(written.ok, written.ok ? '' : written.errors.join('\n'));
    const again = loadCaptureText(written.text, '1.0.0');
    assert.ok(again.ok, again.ok ? '' : again.errors.join('\n'));
    assert.deepEqual(again.capture, capture);
  });

  test('an export the importer would refuse is refused on the way out, with the reason', () => {
    const c = clone();
    const event = c.connections[0]!.entries.find((e) => e.kind === 'event');
    if (event?.kind === 'event') event.data = 'x'.repeat(LIMITS.eventDataChars + 1);
    const written = serializeForWriting(c);
    assert.equal(written.ok, false);
    assert.match(written.ok ? '' : written.errors.join('\n'), /could not open it again[\s\S]*data: Too big/);
    // And what it does write, it opens.
    const fine = serializeForWriting(good);
    assert.ok(fine.ok && parseCapture(fine.text).ok);
    assert.equal(fine.ok && fine.text, serializeCapture(good));
  });

  test('the connect form refuses what a capture could not hold', () => {
    const base = defaultConfig('http://127.0.0.1/events');
    const fields = (c: typeof base) => validateConfig(c).map((e) => e.field);
    assert.deepEqual(fields({ ...base, initialLastEventId: '7'.repeat(70_000) }), ['initialLastEventId']);
    assert.deepEqual(fields({ ...base, url: `http://127.0.0.1/${'p'.repeat(LIMITS.formUrlChars)}` }), ['url']);
    assert.deepEqual(fields({ ...base, headers: Array.from({ length: LIMITS.formHeaders + 1 }, (_, i): [string, string] => [`x-${i}`, 'v']) }), ['headers']);
    assert.deepEqual(fields({ ...base, headers: [['x-big', 'v'.repeat(LIMITS.textChars + 1)]] }), ['headers.0']);
    assert.deepEqual(fields({ ...base, method: 'POST', body: 'b'.repeat(LIMITS.eventDataChars + 1) }), ['body']);
  });
});

describe('formatting a value never throws and never shows NaN', () => {
  test('times, sizes and durations out of any range', () => {
    for (const v of [2 ** 54 * 1000, 9e15, -9e15, Number.NaN, Number.POSITIVE_INFINITY]) {
      for (const text of [clock(v), isoTime(v), formatBytes(v), formatDuration(v)]) {
        assert.equal(typeof text, 'string');
        assert.doesNotMatch(text, /NaN/, `${v}: ${text}`);
      }
    }
    const entry = { connectionId: 'c', attempt: 1, seq: 1, time: 9e15, kind: 'attempt-ended', reason: 'fault', status: null, detail: '', durationMs: Number.NaN, bytes: Number.NaN, events: 0 } as const;
    assert.doesNotMatch(describeEntry(entry), /NaN/);
  });
});
