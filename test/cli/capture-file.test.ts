/**
 * `capture -o FILE` writes the file while capturing: memory stays bounded however long the stream
 * runs, and the file is a valid capture however the CLI ends (stream over, size limit, closed stdout).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { summarizeAttempts } from '../../src/core/capture/format.js';
import { parseCapture } from '../../src/core/capture/schema.js';
import { startScenarioServer } from '../../src/servers/scenario-server.js';
import { cli } from '../helpers/cli.js';
import { sseHead, sleep, startRawServer } from '../helpers/raw-server.js';

const dir = mkdtempSync(join(tmpdir(), 'sse-capture-file-'));

function load(file: string) {
  const parsed = parseCapture(readFileSync(file, 'utf8'));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n'));
  return parsed.capture;
}

describe('capture -o FILE', () => {
  test('a long fast stream is captured whole in a small heap, and the file opens in the importer', async () => {
    const EVENTS = 400_000;
    const raw = await startRawServer(async (res) => {
      sseHead(res);
      // As fast as the client takes it: the server only waits when the socket is full.
      for (let n = 1; n <= EVENTS; ) {
        let chunk = '';
        for (const end = Math.min(EVENTS, n + 2000); n <= end; n++) chunk += `id: ${n}\ndata: {"n":${n}}\n\n`;
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    });
    const out = join(dir, 'fast.json');
    // 64 MB of heap: the timeline of this stream alone takes about 100 MB as objects. (48 MB left
    // too little headroom for the garbage collector when the machine was heavily loaded.)
    const r = await cli(['capture', raw.url, '--max-reconnects', '0', '-o', out], { nodeArgs: ['--max-old-space-size=64'], keepStdout: 10_000 });
    await raw.close();
    assert.equal(r.code, 0, r.stderr);
    const capture = load(out);
    const events = capture.connections[0]!.entries.filter((e) => e.kind === 'event');
    assert.equal(events.length, EVENTS);
    assert.equal(events.at(-1)?.kind === 'event' && events.at(-1)?.id, String(EVENTS));
  });

  test('when stdout closes (piped into head), the capture stops and the file is written, valid', async () => {
    const raw = await startRawServer(async (res) => {
      sseHead(res);
      for (let n = 1; !res.destroyed && n < 100_000; n++) {
        res.write(`id: ${n}\ndata: tick ${n}\n\n`);
        await sleep(2);
      }
      res.end();
    });
    const out = join(dir, 'epipe.json');
    let closed = false;
    const r = await cli(['capture', raw.url, '-o', out], {
      onOutput: (stdout, child) => {
        if (!closed && /id=3 /.test(stdout)) {
          closed = true;
          child.stdout.destroy();
        }
      },
    });
    await raw.close();
    assert.equal(r.signal, null);
    assert.equal(r.code, 141, r.stderr);
    const capture = load(out);
    assert.ok(capture.connections[0]!.entries.filter((e) => e.kind === 'event').length >= 3);
    assert.ok(capture.connections[0]!.entries.some((e) => e.kind === 'attempt-ended' && e.reason === 'closed-by-user'));
  });

  test('at the size limit it stops writing entries, says so, and the file stays valid, summarised like an export', async () => {
    const server = await startScenarioServer({ intervalMs: 0, heartbeatMs: 0 });
    const out = join(dir, 'limit.json');
    const limit = 100_000;
    const r = await cli(['capture', `${server.url}/events?count=3000&token=qs-secret-1234`, '-H', 'Authorization: Bearer demo-token', '--max-reconnects', '0', '--max-file-bytes', String(limit), '-o', out]);
    await server.close();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /reached its size limit/);
    assert.ok(statSync(out).size <= limit, `${statSync(out).size} bytes`);
    const text = readFileSync(out, 'utf8');
    assert.doesNotMatch(text, /demo-token|qs-secret-1234/);
    const capture = load(out);
    const c = capture.connections[0]!;
    const last = c.entries.at(-1)!;
    assert.equal(last.kind, 'entries-dropped');
    assert.ok(last.kind === 'entries-dropped' && last.count > 0);
    assert.ok(c.entries.filter((e) => e.kind === 'event').length > 100);
    // The summary parts written at the end are what an export computes from the same entries.
    assert.deepEqual(c.attempts, summarizeAttempts(c.entries));
    assert.deepEqual(capture.redactions.map((x) => x.where).sort(), ['connections[0].config.headers[0]', 'connections[0].config.url', 'connections[0].entries']);
  });
});
