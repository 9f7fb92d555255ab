/**
 * `sse-devtools doctor`, spawned as a user runs it: against the demo stream (no findings, exit 0),
 * misbehaving real servers on 127.0.0.1 (findings, exit 1 with --fail-on), a capture file written
 * by `capture -o` (findings computed from its entries), JSON output, and hostile ids kept off the
 * terminal's control sequences.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DOCTOR_PATH } from '../../src/servers/doctor/catalog.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { cli } from '../helpers/cli.js';
import { sseHead, startRawServer, writeChunks, type RawServer } from '../helpers/raw-server.js';

const dir = mkdtempSync(join(tmpdir(), 'sse-doctor-cli-'));
const auth = ['-H', 'Authorization: Bearer demo-token'];

interface DoctorJson {
  format: string;
  failOn: string | null;
  failed: boolean;
  connections: { id: string; answered: boolean; counts: Record<string, number>; findings: { code: string; severity: string; evidence: { seq: number | null; note: string }[] }[] }[];
}

describe('sse-devtools doctor', () => {
  let demo: ScenarioServer;
  /** No ids, no Cache-Control: two warnings. */
  let noIds: RawServer;
  /** Starts over at id 1 whatever Last-Event-ID it is sent: an error after a reconnect. */
  let ignoresLastEventId: string;
  before(async () => {
    demo = await startScenarioServer({ intervalMs: 20, heartbeatMs: 0 });
    noIds = await startRawServer(async (res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      await writeChunks(res, ['data: a\n\n', 'data: b\n\n']);
      res.end();
    });
    ignoresLastEventId = `${demo.url}${DOCTOR_PATH}ignores-last-event-id`;
  });
  after(async () => {
    await demo.close();
    await noIds.close();
  });

  test('the demo stream: no findings, exit 0 even with --fail-on warning', async () => {
    const r = await cli(['doctor', `${demo.url}/events`, ...auth, '--duration', '400', '--fail-on', 'warning']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^Health of c1 http:\/\/127\.0\.0\.1:\d+\/events: 0 errors, 0 warnings, 0 info\n {2}no findings\n$/);
    assert.match(r.stderr, /checking http/);
  });

  test('a stream without ids or Cache-Control: the findings with evidence, why and fix; exit 1 at --fail-on warning, 0 at error', async () => {
    const args = ['doctor', noIds.url, '--max-reconnects', '0'];
    const warn = await cli([...args, '--fail-on', 'warning']);
    assert.equal(warn.code, 1, warn.stderr + warn.stdout);
    assert.match(warn.stdout, /0 errors, 2 warnings/);
    assert.match(warn.stdout, /^WARNING Events carry no id: .* \[resumability\/no-ids\]$/m);
    assert.match(warn.stdout, /^ {4}row \d+ +attempt 1: from this message event on, no event has had an id$/m);
    assert.match(warn.stdout, /^ {4}row \d+ +no Cache-Control \(attempt 1\)$/m);
    assert.match(warn.stdout, /^ {2}why: /m);
    assert.match(warn.stdout, /^ {2}fix: .*Cache-Control: no-cache/m);
    const err = await cli([...args, '--fail-on', 'error']);
    assert.equal(err.code, 0, err.stdout);
    const none = await cli(args);
    assert.equal(none.code, 0, 'without --fail-on findings do not fail');
  });

  test('--json prints the findings as one JSON object', async () => {
    const r = await cli(['doctor', noIds.url, '--max-reconnects', '0', '--json', '--fail-on', 'warning']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as DoctorJson;
    assert.equal(out.format, 'sse-devtools-doctor');
    assert.equal(out.failed, true);
    assert.equal(out.failOn, 'warning');
    assert.deepEqual(out.connections[0]?.findings.map((f) => f.code).sort(), ['cache-control', 'no-ids']);
    assert.deepEqual(out.connections[0]?.counts, { error: 0, warning: 2, info: 0 });
  });

  test('doctor FILE: a capture written by capture -o, its findings computed from its entries', async () => {
    const file = join(dir, 'ignores.capture.json');
    const cap = await cli(['capture', ignoresLastEventId, '--reconnect-delay', '50', '--max-reconnects', '1', '-o', file]);
    assert.equal(cap.code, 0, cap.stderr);
    const r = await cli(['doctor', file, '--fail-on', 'error']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^ERROR {3}The server ignores Last-Event-ID: .*\[resumability\/last-event-id-ignored\]$/m);
    assert.match(r.stdout, /row \d+ +attempt 2 sent Last-Event-ID: 2; its first event has id 1$/m);
    // A finding written into the file is not read: the doctor judges the entries.
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const forged = join(dir, 'forged.capture.json');
    writeFileSync(forged, JSON.stringify({ ...doc, health: { findings: [] }, findings: [] }));
    const again = await cli(['doctor', forged, '--json', '--fail-on', 'error']);
    assert.equal(again.code, 1, again.stderr);
    assert.equal((JSON.parse(again.stdout) as DoctorJson).connections[0]?.findings.some((f) => f.code === 'last-event-id-ignored'), true);
  });

  // No server can make a client reconnect early: this finding comes from a client's own capture
  // (another tool's, a hand-rolled retry loop's) whose attempts start before the delay it scheduled.
  test('doctor FILE: a capture whose reconnect started before its scheduled delay is reconnect-too-fast; the same capture on schedule is not', async () => {
    const file = join(dir, 'on-schedule.capture.json');
    const cap = await cli(['capture', `${demo.url}${DOCTOR_PATH}no-space`, '--reconnect-delay', '300', '--max-reconnects', '1', '-o', file]);
    assert.equal(cap.code, 0, cap.stderr);
    const onSchedule = await cli(['doctor', file, '--json']);
    const codes = (JSON.parse(onSchedule.stdout) as DoctorJson).connections[0]?.findings.map((f) => f.code) ?? [];
    assert.ok(!codes.includes('reconnect-too-fast'), `on schedule: ${codes.join(', ')}`);

    interface Entry { kind: string; attempt: number; time: number; delayMs?: number | null }
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { connections: { entries: Entry[] }[] };
    const entries = doc.connections[0]!.entries;
    const scheduled = entries.find((e) => e.kind === 'reconnect-scheduled');
    assert.ok(scheduled?.delayMs === 300, 'the capture scheduled a reconnect in 300 ms');
    // The client went at once: attempt 2 and everything after it move to 20 ms after the schedule.
    const second = entries.findIndex((e) => e.kind === 'attempt-started' && e.attempt === 2);
    const shift = entries[second]!.time - (scheduled.time + 20);
    for (const e of entries.slice(second)) e.time -= shift;
    const early = join(dir, 'early.capture.json');
    writeFileSync(early, JSON.stringify(doc));
    const r = await cli(['doctor', early, '--fail-on', 'warning']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /\[resumability\/reconnect-too-fast\]$/m);
    assert.match(r.stdout, /attempt 2 started 20 ms after a reconnect was scheduled in 300 ms/);
  });

  test('a stream that never answers 200 fails the check: nothing could be checked', async () => {
    const r = await cli(['doctor', `${demo.url}/events`, '--max-reconnects', '0']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /never answered with a 200/);
  });

  test('hostile ids in evidence reach the terminal escaped', async () => {
    const s = await startRawServer(async (res) => {
      sseHead(res);
      await writeChunks(res, ['id: \u001b]0;pwned\u0007\u001b[2J\ndata: a\n\n', 'id: \u001b]0;pwned\u0007\u001b[2J\ndata: b\n\n']);
      res.end();
    });
    try {
      const r = await cli(['doctor', s.url, '--max-reconnects', '0', '--color']);
      assert.match(r.stdout, /id \\x1b\]0;pwned\\x07\\x1b\[2J again, right after itself/);
      assert.doesNotMatch(r.stdout.replace(/\u001b\[[0-9;]*m/g, ''), /[\u0000-\u0009\u000b-\u001f]/, 'no control character but colour codes');
    } finally {
      await s.close();
    }
  });

  test('bad arguments exit 2: an unknown --fail-on, connection options with a file', async () => {
    const bad = await cli(['doctor', `${demo.url}/events`, '--fail-on', 'info']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--fail-on takes warning or error, not "info"/);
    const file = join(dir, 'x.json');
    writeFileSync(file, '{}');
    const mixed = await cli(['doctor', file, '-H', 'A: b']);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /--header is for a URL/);
    const notCapture = await cli(['doctor', file]);
    assert.equal(notCapture.code, 2);
    const help = await cli(['help', 'doctor']);
    assert.match(help.stdout, /--fail-on warning\|error {2}exit 1 when/);
    const overview = await cli(['help']);
    assert.match(overview.stdout, /^ {2}sse-devtools doctor URL\|FILE \[options\] +say why a stream misbehaves/m);
  });
});
