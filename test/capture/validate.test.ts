/** Capture files are untrusted: good ones load exactly, bad ones are refused with a precise reason. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { buildCapture, serializeCapture, type CaptureFile } from '../../src/core/capture/format.js';
import { captureJsonSchema, JSON_SCHEMA_PATH } from '../../src/core/capture/json-schema.js';
import { parseCapture, validateCapture } from '../../src/core/capture/schema.js';
import { LIMITS } from '../../src/core/limits.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { config, run } from '../helpers/harness.js';

let server: ScenarioServer;
let good: CaptureFile;
before(async () => {
  server = await startScenarioServer({ intervalMs: 10, heartbeatMs: 0 });
  const cfg = config(`${server.url}/events?maxDuration=80&token=qs-secret`, {
    headers: [['Authorization', 'Bearer demo-token']],
    reconnect: { initialDelayMs: 10, maxAttempts: 2 },
  });
  // The scenario server wants the header token; the query token is there to be redacted.
  const r = run(cfg);
  await r.untilClosed();
  good = buildCapture([{ id: 'test', config: cfg, entries: r.entries }], '1.2.3');
});
after(() => server.close());

const clone = (): CaptureFile => JSON.parse(JSON.stringify(good)) as CaptureFile;
function refused(input: unknown, pattern: RegExp): void {
  const result = typeof input === 'string' ? parseCapture(input) : validateCapture(input);
  assert.equal(result.ok, false, 'refused');
  if (!result.ok) assert.match(result.errors.join('\n'), pattern);
}

describe('a real capture', () => {
  test('serializes, parses and validates to the same document', () => {
    const result = parseCapture(serializeCapture(good));
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    assert.deepEqual(result.capture, good);
  });

  test('summarizes each attempt with its request, response and end', () => {
    const [c] = good.connections;
    assert.equal(c?.attempts.length, 2);
    assert.equal(c?.attempts[0]?.response?.status, 200);
    assert.equal(c?.attempts[0]?.end?.reason, 'closed-by-server');
    assert.equal(c?.attempts[1]?.lastEventIdVia, 'header');
  });

  test('holds no secret: the token and the query-string token are redacted and the redactions listed', () => {
    const text = serializeCapture(good);
    assert.ok(!text.includes('demo-token'), 'no bearer token');
    assert.ok(!text.includes('qs-secret'), 'no query token');
    assert.match(good.connections[0]!.config.url, /token=\[redacted\]/);
    assert.deepEqual(good.connections[0]!.config.headers, [['Authorization', 'Bearer [redacted]']]);
    const wheres = good.redactions.map((r) => r.where);
    assert.ok(wheres.includes('connections[0].config.headers[0]'));
    assert.ok(wheres.includes('connections[0].config.url'));
  });

  test('markup in stream data is valid content and stays a plain string', () => {
    const c = clone();
    const event = c.connections[0]!.entries.find((e) => e.kind === 'event')!;
    if (event.kind === 'event') event.data = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const result = validateCapture(c);
    assert.ok(result.ok);
    const back = result.ok && result.capture.connections[0]!.entries.find((e) => e.kind === 'event');
    assert.equal(back && back.kind === 'event' && back.data, '<img src=x onerror=alert(1)><script>alert(2)</script>');
  });

  test('the published JSON Schema is the one generated from the validator (run `npm run schema` if not)', () => {
    assert.deepEqual(JSON.parse(readFileSync(JSON_SCHEMA_PATH, 'utf8')), captureJsonSchema());
  });
});

describe('broken and hostile captures are refused with a precise message', () => {
  test('not JSON', () => refused('<html>not a capture</html>', /Not valid JSON/));
  test('truncated JSON', () => refused(serializeCapture(good).slice(0, 500), /Not valid JSON.*truncated/s));
  test('a JSON array, or null', () => {
    refused([], /must be a JSON object/);
    refused(null, /must be a JSON object/);
  });
  test('another format', () => refused({ format: 'har', version: 1 }, /Not an SSE DevTools capture: "format" is "har"/));
  test('a newer version', () => refused({ ...clone(), version: 2 }, /version 2 is newer than this tool understands/));
  test('an unknown version', () => refused({ ...clone(), version: '1' }, /Unknown capture version "1"/));
  test('a wrong type, with the path to it', () => {
    const c = clone() as unknown as { connections: { entries: { seq: unknown }[] }[] };
    c.connections[0]!.entries[3]!.seq = 'four';
    refused(c, /connections\[0\]\.entries\[3\]\.seq: .*number/);
  });
  test('a missing required field', () => {
    const c = clone() as unknown as { connections: { config: Record<string, unknown> }[] };
    delete c.connections[0]!.config.url;
    refused(c, /connections\[0\]\.config\.url/);
  });
  test('an unknown entry kind', () => {
    const c = clone() as unknown as { connections: { entries: { kind: string }[] }[] };
    c.connections[0]!.entries[0]!.kind = 'exploit';
    refused(c, /connections\[0\]\.entries\[0\]\.kind/);
  });
  test('an unknown end reason', () => {
    const c = clone();
    const end = c.connections[0]!.entries.find((e) => e.kind === 'attempt-ended');
    if (end?.kind === 'attempt-ended') (end as { reason: string }).reason = 'hacked';
    refused(c, /reason/);
  });
  test('absurd sizes: data over the limit, too many connections', () => {
    const c = clone();
    const event = c.connections[0]!.entries.find((e) => e.kind === 'event');
    if (event?.kind === 'event') event.data = 'x'.repeat(LIMITS.eventDataChars + 1);
    refused(c, /data: .*(too big|<=)/i);
    const many = clone();
    many.connections = Array.from({ length: LIMITS.connectionsPerFile + 1 }, (_, i) => ({ ...good.connections[0]!, id: `c${i}` }));
    refused(many, /connections: .*(too big|<=)/i);
  });
  test('negative counts and non-finite numbers', () => {
    const c = clone() as unknown as { connections: { entries: { time: unknown; attempt: unknown }[] }[] };
    c.connections[0]!.entries[0]!.attempt = -1;
    refused(c, /entries\[0\]\.attempt/);
  });
  test('entries out of order or belonging to another connection', () => {
    const c = clone();
    const entries = c.connections[0]!.entries;
    [entries[1], entries[2]] = [entries[2]!, entries[1]!];
    refused(c, /seq: \d+ does not follow/);
    const d = clone();
    d.connections[0]!.entries[0]!.connectionId = 'other';
    refused(d, /is not this connection/);
  });
  test('__proto__ keys do not pollute objects', () => {
    const text = serializeCapture(good).replace('"tool": {', '"tool": { "__proto__": { "polluted": true },');
    const result = parseCapture(text);
    assert.ok(result.ok);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('docs/capture-format.md', () => {
  test('its complete example is a valid capture', () => {
    const doc = readFileSync('docs/capture-format.md', 'utf8');
    const example = /## Example[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(example, 'the doc has a JSON example');
    const result = parseCapture(example);
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    assert.ok(result.capture.connections[0]!.entries.some((e) => e.kind === 'reconnect-scheduled'));
  });
});
