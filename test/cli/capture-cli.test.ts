/** The CLI end to end: spawned as a user runs it, against real local servers. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCapture } from '../../src/core/capture/schema.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { sseHead, startRawServer } from '../helpers/raw-server.js';

const CLI = join(process.cwd(), 'dist', 'sse-devtools.js');
const dir = mkdtempSync(join(tmpdir(), 'sse-cli-'));
let server: ScenarioServer;
before(async () => {
  server = await startScenarioServer({ intervalMs: 20, heartbeatMs: 50 });
});
after(() => server.close());

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onOutput` may act on what it printed so far (e.g. send Ctrl-C). */
function cli(args: string[], onOutput?: (stdout: string, kill: (s: NodeJS.Signals) => void) => void): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onOutput?.(stdout, (s) => child.kill(s));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const auth = ['-H', 'Authorization: Bearer demo-token'];

describe('sse-devtools capture', () => {
  test('prints the annotated timeline and writes a valid capture on --duration, exiting 0', async () => {
    const out = join(dir, 'duration.json');
    // Long enough for two attempts on a loaded machine (one run saw the first response after 600 ms).
    const r = await cli(['capture', `${server.url}/events?maxDuration=150`, ...auth, '--reconnect-delay', '30', '--duration', '3000', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /#1 +→ GET http:\/\/127\.0\.0\.1:\d+\/events\?maxDuration=150/);
    assert.match(r.stdout, /#1 +← 200 OK text\/event-stream/);
    assert.match(r.stdout, /\[chat\] id=1 \{"n":1,"channel":"chat"/);
    assert.match(r.stdout, /✕ closed-by-server — the server ended the response/);
    assert.match(r.stdout, /↻ reconnect in 30 ms as #2 with Last-Event-ID \d+/);
    assert.match(r.stdout, /#2 +→ GET .* Last-Event-ID \d+ \(header\)/);
    assert.match(r.stdout, /: heartbeat/);
    assert.doesNotMatch(r.stdout, /demo-token/);
    const parsed = parseCapture(readFileSync(out, 'utf8'));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n'));
    assert.ok(parsed.capture.connections[0]!.attempts.length >= 2);
    assert.ok(!readFileSync(out, 'utf8').includes('demo-token'));
  });

  test('Ctrl-C ends the stream, writes the capture and exits 130', async () => {
    const out = join(dir, 'sigint.json');
    let sent = false;
    const r = await cli(['capture', `${server.url}/events`, ...auth, '-o', out], (stdout, kill) => {
      if (!sent && /id=3 /.test(stdout)) {
        sent = true;
        kill('SIGINT');
      }
    });
    assert.equal(r.code, 130);
    assert.match(r.stdout, /closed-by-user/);
    const parsed = parseCapture(readFileSync(out, 'utf8'));
    assert.ok(parsed.ok);
    assert.ok(parsed.capture.connections[0]!.entries.filter((e) => e.kind === 'event').length >= 3);
  });

  test('a 401 is reported as http-error 401, is not retried, and exits 1', async () => {
    const r = await cli(['capture', `${server.url}/events`, '-H', 'Authorization: Bearer expired']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /← 401 Unauthorized/);
    assert.match(r.stdout, /✕ http-error 401/);
    assert.doesNotMatch(r.stdout, /reconnect in/);
    // What the server said, under the end line: the reason a developer needs.
    assert.match(r.stdout, /✕ http-error 401 .*\n +body \(application\/json, \d+ B\):\n +\{"error":"unauthorized","hint":"send Authorization: Bearer <token>"\}/);
  });

  test("a failed response's body is shown a few lines at a time, escaped; --json has all of it", async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    const raw = await startRawServer((res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`\u001b[2J${lines}`);
    });
    try {
      const r = await cli(['capture', raw.url]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /body \(text\/plain, \d+ B\):\n +\\x1b\[2Jline 1\n +line 2\n/);
      assert.match(r.stdout, /line 5\n +… 25 more lines \(--json shows the whole body\)/);
      assert.doesNotMatch(r.stdout, /line 6\n/);
      assert.ok(!r.stdout.includes('\u001b'), 'no escape sequence reaches the terminal');
      const json = await cli(['capture', raw.url, '--json']);
      const end = json.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; body?: { text: string } }).find((e) => e.kind === 'attempt-ended');
      assert.equal(end?.body?.text, `\u001b[2J${lines}`);
    } finally {
      await raw.close();
    }
  });

  test('the stream ends as the server chose after --max-reconnects: exit 0; idle timeouts: exit 1', async () => {
    const ok = await cli(['capture', `${server.url}/events?count=2`, ...auth, '--max-reconnects', '1', '--reconnect-delay', '10']);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /gave up after 2 attempts/);
    const idle = await cli(['capture', `${server.url}/events?scenario=hold`, ...auth, '--idle-timeout', '100', '--max-reconnects', '0']);
    assert.equal(idle.code, 1);
    assert.match(idle.stdout, /✕ idle-timeout — no bytes for 100 ms/);
  });

  test('--proxy-idle-timeout cuts a silent stream and names itself; --proxy-preset picks a vendor default', async () => {
    // The window counts from the request, as a proxy's does: wide enough that a loaded machine's slow
    // response headers are not taken for silence, which would end the attempt before its response.
    const silent = await cli(['capture', `${server.url}/events?scenario=hold`, ...auth, '--proxy-idle-timeout', '1500', '--max-reconnects', '0']);
    assert.equal(silent.code, 1);
    assert.match(silent.stdout, /✕ fault — proxy idle timeout: no byte for 1500 ms/);
    const alive = await cli(['capture', `${server.url}/events?interval=100000&heartbeat=50`, ...auth, '--proxy-idle-timeout', '1500', '--duration', '2500']);
    assert.equal(alive.code, 0, 'heartbeats keep the proxy from cutting');
    assert.doesNotMatch(alive.stdout, /✕ fault/);
    const preset = await cli(['capture', `${server.url}/events?count=1`, ...auth, '--proxy-preset', 'aws-alb', '--max-reconnects', '0']);
    assert.match(preset.stdout, /proxy idle timeout set to 60 s \(AWS ALB preset\)/);
    const unknown = await cli(['capture', `${server.url}/events`, '--proxy-preset', 'alb']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown proxy preset "alb"; one of aws-alb, nginx/);
  });

  test('--last-event-id-param sends the id as a query parameter; --json prints entries as JSON lines', async () => {
    const r = await cli(['capture', `${server.url}/events?count=1&lastEventIdParam=lid`, ...auth, '--last-event-id', '9', '--last-event-id-param', 'lid', '--max-reconnects', '0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const entries = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; url?: string; id?: string });
    assert.match(entries[0]!.url!, /lid=9/);
    assert.equal(entries.find((e) => e.kind === 'event')?.id, '10');
    const seen = server.streamRequests().find((q) => q.query.lid === '9');
    assert.equal(seen?.lastEventIdVia, 'query');
  });

  test('control characters from the stream are shown escaped, never sent to the terminal', async () => {
    const raw = await startRawServer((res) => {
      sseHead(res);
      res.end('data: \u001b[2J\u001b[31mred\u0007\n\n');
    });
    const r = await cli(['capture', raw.url, '--max-reconnects', '0', '--color']);
    await raw.close();
    assert.match(r.stdout, /\\x1b\[2J\\x1b\[31mred\\x07/);
    assert.doesNotMatch(r.stdout, /\u001b\[2J/);
  });

  test('--secret-body keeps the body out of the output and the capture, also where the server echoes it', async () => {
    const body = '{"refresh_token":"rt-cli-8d7c6b5a"}';
    const raw = await startRawServer(async (res, req) => {
      let got = '';
      for await (const chunk of req) got += String(chunk);
      sseHead(res);
      res.end(`data: you sent ${got}\n\n`);
    });
    const out = join(dir, 'secret-body.json');
    const r = await cli(['capture', raw.url, '-d', body, '--secret-body', '--max-reconnects', '0', '--json', '-o', out]);
    await raw.close();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /you sent \[redacted\]/);
    const file = readFileSync(out, 'utf8');
    assert.ok(!r.stdout.includes('rt-cli-8d7c6b5a') && !file.includes('rt-cli-8d7c6b5a'));
    const parsed = parseCapture(file);
    assert.ok(parsed.ok && parsed.capture.connections[0]!.config.body === '[redacted]' && parsed.capture.connections[0]!.config.secretBody);
  });

  test('bad arguments get a clear message and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['capture'], /capture needs a URL/],
      [['capture', 'not a url'], /Not a valid absolute URL/],
      [['capture', 'ftp://example.com/x'], /Only http and https/],
      [['capture', 'http://127.0.0.1:1/', '-H', 'Bad Name: x'], /Invalid header name "Bad Name"/],
      [['capture', 'http://127.0.0.1:1/', '-H', 'no-colon'], /-H takes 'Name: value'/],
      [['capture', 'http://127.0.0.1:1/', '--idle-timeout', 'soon'], /--idle-timeout takes a whole number/],
      [['capture', 'http://127.0.0.1:1/', '--frobnicate'], /Unknown option '--frobnicate'/],
      [['capture', 'http://127.0.0.1:1/', '-X', 'GET', '-d', 'x'], /cannot have a body/],
      [['explode'], /unknown command "explode"/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')} exits 2`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Run 'sse-devtools help/);
    }
  });

  test('--help documents every option', async () => {
    const r = await cli(['capture', '--help']);
    assert.equal(r.code, 0);
    for (const option of ['--header', '--request', '--data', '--last-event-id', '--last-event-id-param', '--connect-timeout', '--idle-timeout', '--max-reconnects', '--duration', '--output', '--json', '--secret-header', '--secret-body', '--retry-http-errors', '--reconnect-delay', '--proxy-idle-timeout', '--max-connection-age', '--proxy-preset']) {
      assert.ok(r.stdout.includes(option), `help mentions ${option}`);
    }
  });
});

describe('sse-devtools demo', () => {
  test('serves the authenticated demo stream until stopped', async () => {
    let url = '';
    let events = '';
    const r = await cli(['demo', '--port', '0', '--interval', '20'], (stdout, kill) => {
      const m = /SSE demo server on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m && !url) {
        url = m[1]!;
        void (async () => {
          const denied = await fetch(`${url}/events`);
          events += `status ${denied.status}\n`;
          const res = await fetch(`${url}/events?count=2`, { headers: { Authorization: 'Bearer demo-token' } });
          events += await res.text();
          kill('SIGINT');
        })();
      }
    });
    assert.equal(r.code, 0);
    assert.match(events, /status 401/);
    assert.match(events, /id: 1\nevent: chat\ndata: \{"n":1/);
  });
});
