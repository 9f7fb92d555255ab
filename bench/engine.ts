/**
 * Engine throughput against the bare pipeline it is built on (fetch + TextDecoder +
 * eventsource-parser), on the same loopback stream, in one run. Figures, not pass/fail.
 * Run: npm run bench
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createParser } from 'eventsource-parser';
import { defaultConfig } from '../src/core/config.js';
import { createConnection } from '../src/core/engine.js';
import { createConnectionManager } from '../src/extension/background/connection-manager.js';
import { createPortHub } from '../src/extension/background/port-hub.js';
import type { Persistence } from '../src/extension/background/persistence.js';

const ROUNDS = 5;
const TARGET_BYTES = 40 * 1024 * 1024;

function payload(eventBytes: number): { body: Buffer; events: number } {
  const data = 'x'.repeat(Math.max(1, eventBytes - 'id: 0000000\nevent: price\ndata: \n\n'.length));
  const events = Math.floor(TARGET_BYTES / eventBytes);
  const parts: string[] = [];
  for (let i = 0; i < events; i++) parts.push(`id: ${String(i).padStart(7, '0')}\nevent: price\ndata: ${data}\n\n`);
  return { body: Buffer.from(parts.join(''), 'utf8'), events };
}

async function serve(body: Buffer): Promise<{ url: string; close: () => void }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    // 64 KiB writes, like a busy server's socket buffer would deliver.
    for (let i = 0; i < body.length; i += 65536) res.write(body.subarray(i, i + 65536));
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

async function bare(url: string): Promise<number> {
  let events = 0;
  const parser = createParser({ onEvent: () => void events++ });
  const res = await fetch(url, { headers: { Accept: 'text/event-stream' } });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  return events;
}

/** With `secret`, the connection sends a token the engine must mask wherever it appears in entries. */
function engine(url: string, secret = false): Promise<number> {
  return new Promise((resolve) => {
    let events = 0;
    const config = defaultConfig(url);
    config.reconnect.maxAttempts = 1;
    if (secret) config.headers = [['Authorization', 'Bearer bench-token-0123456789abcdef']];
    const connection = createConnection({
      id: 'bench',
      config,
      onEntry: (e) => {
        if (e.kind === 'event') events++;
      },
      onState: (s) => {
        if (s.phase === 'closed') resolve(events);
      },
    });
    connection.start();
  });
}

/**
 * The service worker's path without the browser: the engine under the background's connection
 * manager (retention, fold) and port hub (batching, backlog), with a store that keeps nothing (what
 * IndexedDB costs is bench/idb-write.ts's figure). What it costs beyond `engine` is the background's
 * own per-event work: the fold, the retention counts, batching; entries live only until stored.
 */
async function background(url: string): Promise<number> {
  const persistence: Persistence = {
    loadConnections: () => Promise.resolve([]),
    readHistory: () => Promise.resolve(),
    write: () => Promise.resolve(),
    loadSecrets: () => Promise.resolve(null),
    saveSecrets: () => Promise.resolve(),
    removeSecrets: () => Promise.resolve(),
  };
  const hub = createPortHub({ persistence });
  const manager = createConnectionManager({ persistence, sink: hub });
  hub.attach(manager);
  const config = defaultConfig(url);
  config.reconnect.maxAttempts = 1;
  const { id } = manager.open(config);
  while (id && manager.info(id)?.state.phase !== 'closed') await new Promise((r) => setTimeout(r, 2));
  await hub.flush();
  return id ? (manager.info(id)?.stats.events ?? 0) : 0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(run: (url: string) => Promise<number>, url: string, expected: number): Promise<number> {
  const t0 = performance.now();
  const got = await run(url);
  const ms = performance.now() - t0;
  if (got !== expected) throw new Error(`expected ${expected} events, got ${got}`);
  return ms;
}

console.log(`engine vs bare fetch + TextDecoder + eventsource-parser, loopback, ~${TARGET_BYTES / 1024 / 1024} MB per run, median of ${ROUNDS}`);
console.log('event size | pipeline | events/s   | MB/s   | ratio');
for (const size of [100, 2048]) {
  const { body, events } = payload(size);
  const server = await serve(body);
  const times = { bare: [] as number[], engine: [] as number[], secret: [] as number[], background: [] as number[] };
  await bare(server.url); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate, so drift in machine load hits both alike.
    times.bare.push(await measure(bare, server.url, events));
    times.engine.push(await measure(engine, server.url, events));
    times.secret.push(await measure((u) => engine(u, true), server.url, events));
    times.background.push(await measure(background, server.url, events));
  }
  server.close();
  const row = (name: string, ms: number, ratio: string) =>
    console.log(
      `${`${size} B`.padEnd(10)} | ${name.padEnd(8)} | ${String(Math.round(events / (ms / 1000))).padEnd(10)} | ${(body.length / 1024 / 1024 / (ms / 1000)).toFixed(1).padEnd(6)} | ${ratio}`,
    );
  const b = median(times.bare);
  const e = median(times.engine);
  row('bare', b, '');
  row('engine', e, `${(b / e).toFixed(2)} of bare (target ≥ 0.80)`);
  const s = median(times.secret);
  row('+secret', s, `${(b / s).toFixed(2)} of bare (with an Authorization token to mask)`);
  const g = median(times.background);
  row('+bg', g, `${(b / g).toFixed(2)} of bare, ${(e / g).toFixed(2)} of engine (+ manager + port hub, store keeps nothing)`);
}
