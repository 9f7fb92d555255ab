/**
 * The CLI tells a user what to do next: which connections a capture holds, why a capture stopped,
 * the option they meant, every option each command takes; and a closed stdout ends it quietly.
 * Spawned as a user runs it, against real local servers and real files.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildCapture, serializeCapture } from '../../src/core/capture/format.js';
import { parseCapture } from '../../src/core/capture/schema.js';
import { defaultConfig } from '../../src/core/config.js';
import type { TimelineEntry } from '../../src/core/timeline.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { cli } from '../helpers/cli.js';

const CLI = join(process.cwd(), 'dist', 'sse-devtools.js');
const dir = mkdtempSync(join(tmpdir(), 'sse-cli-guidance-'));
const auth = ['-H', 'Authorization: Bearer demo-token'];
let server: ScenarioServer;
before(async () => {
  server = await startScenarioServer({ intervalMs: 10, heartbeatMs: 0 });
});
after(() => server.close());

/** A connection of `events` events over `ms`, as a capture holds it. */
function connection(id: string, url: string, events: number, ms: number): { id: string; config: ReturnType<typeof defaultConfig>; entries: TimelineEntry[] } {
  const t0 = 1_700_000_000_000;
  let seq = 1;
  const at = (dt: number) => ({ connectionId: id, attempt: 1, seq: seq++, time: t0 + dt });
  const entries: TimelineEntry[] = [
    { ...at(0), kind: 'attempt-started', method: 'GET', url, headers: [], lastEventId: null, lastEventIdVia: 'none' },
    { ...at(0), kind: 'response', status: 200, statusText: 'OK', url, redirected: false, headers: [['content-type', 'text/event-stream']], timeToHeadersMs: 1 },
  ];
  for (let i = 1; i <= events; i++) entries.push({ ...at((i * ms) / events), kind: 'event', type: 'message', id: String(i), lastEventId: String(i), data: `e${i}`, size: 2 });
  entries.push({ ...at(ms), kind: 'attempt-ended', reason: 'closed-by-server', status: null, detail: 'the server ended the response', durationMs: ms, bytes: 0, events });
  return { id, config: defaultConfig(url), entries };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Runs `sh -c` with a real pipe, as a user's shell does. Resolves once the shell has exited and its
 * output has closed, or shortly after the exit if a leftover process still holds the output open.
 */
function shell(command: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { env: { ...env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = () => {
      // A leftover process may hold these open; the test must not wait for it.
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code: child.exitCode, stdout, stderr });
    };
    child.on('close', done);
    child.on('exit', () => setTimeout(done, 2000).unref());
  });
}

describe('replay names the connections it could play', () => {
  const file = join(dir, 'two.json');
  before(() => {
    const capture = buildCapture([connection('c-7f3a', 'http://127.0.0.1:1/prices', 12, 4_000), connection('c-91bd', 'http://127.0.0.1:1/chat?room=a', 3, 65_000)], '0.0.0');
    writeFileSync(file, serializeCapture(capture));
  });

  test('without --connection, a capture of several connections lists id, URL, events and duration, and how to pick one', async () => {
    // Stopped if it serves anyway, so a regression fails here instead of hanging.
    const r = await cli(['replay', file, '--port', '0'], { onOutput: (stdout, child) => void (/Replaying/.test(stdout) && child.kill('SIGINT')) });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /c-7f3a +http:\/\/127\.0\.0\.1:1\/prices +12 events +4\.0 s/);
    assert.match(r.stdout, /c-91bd +http:\/\/127\.0\.0\.1:1\/chat\?room=a +3 events +65\.0 s/);
    assert.match(r.stderr, /--connection c-7f3a/);
    assert.doesNotMatch(r.stdout, /Replaying/);
  });

  test('--connection ID replays that one; an unknown id lists the ones there are', async () => {
    let stopped = false;
    const ok = await cli(['replay', file, '--port', '0', '--connection', 'c-91bd'], {
      onOutput: (stdout, child) => {
        if (!stopped && /Replaying/.test(stdout)) {
          stopped = true;
          child.kill('SIGINT');
        }
      },
    });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Replaying c-91bd \(1 attempts?\)/);
    const unknown = await cli(['replay', file, '--port', '0', '--connection', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no connection "nope"/);
    assert.match(unknown.stdout, /c-7f3a +http:\/\/127\.0\.0\.1:1\/prices/);
  });
});

describe('export', () => {
  test('token-looking values in event data are redacted by default and listed; --keep-token-like keeps them', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJlLWJ5dGVz';
    const source = connection('c1', 'http://127.0.0.1:1/events', 2, 100);
    for (const e of source.entries) if (e.kind === 'event') e.data = `{"jwt":"${jwt}"}`;
    const file = join(dir, 'tokens.json');
    writeFileSync(file, serializeCapture(buildCapture([source], '0.0.0')));
    const out = join(dir, 'tokens-out.json');
    const r = await cli(['export', file, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /JWT in event data ×2, shown as \[redacted\]/);
    assert.ok(!readFileSync(out, 'utf8').includes(jwt));
    const kept = await cli(['export', file, '-o', out, '--keep-token-like']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.ok(readFileSync(out, 'utf8').includes(jwt));
  });
});

describe('capture', () => {
  test('when --duration ends the capture, the output and the file say so, not "closed by the user"', async () => {
    const out = join(dir, 'duration.json');
    const r = await cli(['capture', `${server.url}/events`, ...auth, '--duration', '1500', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /stopped after --duration 1\.5 s/);
    assert.doesNotMatch(r.stdout, /closed by the user|the user closed/);
    const parsed = parseCapture(readFileSync(out, 'utf8'));
    assert.ok(parsed.ok);
    const end = parsed.capture.connections[0]!.entries.find((e) => e.kind === 'attempt-ended');
    assert.ok(end?.kind === 'attempt-ended' && /--duration 1\.5 s/.test(end.detail), JSON.stringify(end));
  });

  test('piped into head -3, --json ends quietly: 3 lines, no stack trace, exit 141; with -o the file is complete', async () => {
    const out = join(dir, 'head.json');
    const url = `${server.url}/events?interval=2`;
    const quiet = await shell(`"${process.execPath}" "${CLI}" capture '${url}' -H 'Authorization: Bearer demo-token' --json | head -3`);
    assert.equal(quiet.stdout.trim().split('\n').length, 3);
    assert.equal(quiet.stderr, '');
    const piped = await shell(`"${process.execPath}" "${CLI}" capture '${url}' -H 'Authorization: Bearer demo-token' --json -o '${out}' | head -3 >/dev/null; echo done`);
    assert.doesNotMatch(piped.stderr, /Error|EPIPE|\n\s+at /);
    assert.match(piped.stderr, /capture written to/);
    const parsed = parseCapture(readFileSync(out, 'utf8'));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n'));
    assert.ok(parsed.capture.connections[0]!.entries.some((e) => e.kind === 'event'));
  });

  test('npm start without a display, piped into head -3, ends quietly and leaves no demo server running', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    // --no-build: a build would rewrite dist/ under the other test files running now.
    const r = await shell(`"${process.execPath}" src/tooling/start.mjs --no-build | head -3 >/dev/null`, env);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|\n\s+at /, r.stderr);
    // Its demo server is stopped with it, not left holding the port.
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      refused = await fetch(`http://127.0.0.1:${port}/`).then(
        (res) => (void res.body?.cancel(), false),
        () => true,
      );
      if (!refused) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(refused, `nothing listens on ${port} any more`);
  });

  test('a spawned CLI whose stdout pipe is destroyed after 3 lines exits 141 with nothing on stderr', async () => {
    let closed = false;
    const r = await cli(['capture', `${server.url}/events?interval=2`, ...auth, '--json'], {
      onOutput: (stdout, child) => {
        if (!closed && stdout.split('\n').length > 3) {
          closed = true;
          child.stdout.destroy();
        }
      },
    });
    assert.equal(r.signal, null);
    assert.equal(r.code, 141);
    assert.equal(r.stderr, '');
  });
});

describe('options', () => {
  test('a mistyped option gets the nearest one suggested', async () => {
    const r = await cli(['capture', 'http://127.0.0.1:1/', '--jsno']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown option '--jsno'.*did you mean --json\?/s);
    const replay = await cli(['replay', 'x.json', '--conection', 'c1']);
    assert.match(replay.stderr, /did you mean --connection\?/);
    const far = await cli(['capture', 'http://127.0.0.1:1/', '--frobnicate']);
    assert.doesNotMatch(far.stderr, /did you mean/);
  });

  test('every option a command accepts is in its help, long and short', async () => {
    for (const command of COMMANDS) {
      const r = await cli(['help', command.name]);
      assert.equal(r.code, 0);
      for (const [name, spec] of Object.entries(command.options)) {
        assert.ok(r.stdout.includes(`--${name}`), `${command.name} help lists --${name}`);
        if (spec.short) assert.ok(new RegExp(`(^|[\\s\\[])-${spec.short}\\b`).test(r.stdout), `${command.name} help lists -${spec.short}`);
      }
      const usage = r.stdout.split('\n\n')[0]!;
      if (!usage.includes('[options]')) {
        for (const [name, spec] of Object.entries(command.options)) {
          const listed = usage.includes(`--${name}`) || (spec.short !== undefined && usage.includes(`-${spec.short} `)) || name === 'help';
          assert.ok(listed, `${command.name}'s usage line lists --${name}`);
        }
      }
    }
  });
});
