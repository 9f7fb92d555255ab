/**
 * Memory of `sse-devtools replay` with 1 client against N clients, on one large capture, in one
 * run: the server's resident set after loading, and its peak while the clients play. Figures, not
 * pass/fail. Run: npm run bench:replay-memory   (EVENTS=… CLIENTS=… SECONDS=… to change the shape,
 * SSE_DEVTOOLS_CLI=path/to/sse-devtools.js to measure another build)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../src/core/config.js';

const EVENTS = Number(process.env.EVENTS ?? 900_000);
const MANY = Number(process.env.CLIENTS ?? 20);
const SECONDS = Number(process.env.SECONDS ?? 5);
/** Another build of the CLI to compare against, e.g. one from before a change. */
const CLI = process.env.SSE_DEVTOOLS_CLI ?? join(process.cwd(), 'dist', 'sse-devtools.js');

/** A capture of one attempt with EVENTS events 1 ms apart, written line by line (it is large). */
function writeCapture(file: string): number {
  const fd = openSync(file, 'w');
  const t0 = 1_700_000_000_000;
  const c = 'c1';
  const url = 'http://127.0.0.1:1/events';
  const line = (o: object, last = false) => writeSync(fd, `${JSON.stringify(o)}${last ? '' : ','}\n`);
  writeSync(fd, `{"format":"sse-devtools-capture","version":1,"tool":{"name":"bench","version":"0"},"createdAt":"2024-01-01T00:00:00Z","redactions":[],"connections":[{"id":"c1","config":${JSON.stringify(defaultConfig(url))},"attempts":[],"entries":[\n`);
  line({ connectionId: c, attempt: 1, seq: 1, time: t0, kind: 'attempt-started', method: 'GET', url, headers: [], lastEventId: null, lastEventIdVia: 'none' });
  line({ connectionId: c, attempt: 1, seq: 2, time: t0, kind: 'response', status: 200, statusText: 'OK', url, redirected: false, headers: [['content-type', 'text/event-stream']], timeToHeadersMs: 1 });
  for (let i = 1; i <= EVENTS; i++) {
    const data = `{"n":${i},"channel":"price","value":${(i % 1000) / 10}}`;
    line({ connectionId: c, attempt: 1, seq: i + 2, time: t0 + i, kind: 'event', type: 'price', id: String(i), lastEventId: String(i), data, size: data.length });
  }
  line({ connectionId: c, attempt: 1, seq: EVENTS + 3, time: t0 + EVENTS + 1, kind: 'attempt-ended', reason: 'closed-by-server', status: null, detail: 'end', durationMs: EVENTS + 1, bytes: 0, events: EVENTS }, true);
  writeSync(fd, ']}]}\n');
  closeSync(fd);
  return EVENTS;
}

const rssMiB = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

async function startReplay(file: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'replay', file, '--port', '0', '--loop'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`replay exited with ${code} before serving`)));
  });
  child.stdout.resume();
  return { child, url };
}

/** Clients that read everything they are sent and discard it. */
function play(url: string, clients: number): { received: () => number; stop: () => void } {
  let bytes = 0;
  const reqs = Array.from({ length: clients }, () => {
    const req = request(url, { headers: { Accept: 'text/event-stream' } }, (res) => res.on('data', (d: Buffer) => (bytes += d.length)));
    req.on('error', () => {});
    req.end();
    return req;
  });
  return { received: () => bytes, stop: () => reqs.forEach((r) => r.destroy()) };
}

async function measure(file: string, clients: number): Promise<{ loaded: number; peak: number; mib: number }> {
  const { child, url } = await startReplay(file);
  const pid = child.pid!;
  const loaded = rssMiB(pid);
  const session = play(url, clients);
  let peak = loaded;
  for (let t = 0; t < SECONDS * 10; t++) {
    await new Promise((r) => setTimeout(r, 100));
    if (child.exitCode !== null) break;
    peak = Math.max(peak, rssMiB(pid));
  }
  session.stop();
  const died = child.exitCode !== null;
  child.kill('SIGINT');
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  return { loaded, peak: died ? NaN : peak, mib: session.received() / 1024 / 1024 };
}

const dir = mkdtempSync(join(tmpdir(), 'sse-replay-bench-'));
const file = join(dir, 'large.capture.json');
try {
  writeCapture(file);
  console.log(`replay of a ${EVENTS.toLocaleString('en')}-event capture at speed 1 with --loop (every client plays it), ${SECONDS} s per row`);
  console.log('clients | RSS loaded MiB | RSS peak MiB | peak - loaded | MiB sent to clients');
  for (const clients of [1, MANY]) {
    const r = await measure(file, clients);
    const peak = Number.isNaN(r.peak) ? 'died' : r.peak.toFixed(0);
    console.log(`${String(clients).padStart(7)} | ${r.loaded.toFixed(0).padStart(14)} | ${peak.padStart(12)} | ${(r.peak - r.loaded).toFixed(0).padStart(13)} | ${r.mib.toFixed(1).padStart(8)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
