/**
 * Entries keep the order the stream sent them in, and their times never go backwards, however
 * the bytes are split into chunks: a property over random chunkings, against a real server that
 * writes each piece as its own chunk.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TimelineEntry } from '../../src/core/timeline.js';
import { config, run } from '../helpers/harness.js';
import { sseHead, startRawServer, writeChunks, type RawServer } from '../helpers/raw-server.js';

/** A small seeded generator, so a failing chunking can be replayed from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Item = { kind: 'event'; data: string } | { kind: 'comment'; text: string } | { kind: 'retry-changed'; ms: number };

function stream(random: () => number, count: number): { items: Item[]; bytes: Buffer } {
  const items: Item[] = [];
  let text = '';
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.45) {
      // Multi-byte characters too, so some cuts fall inside a UTF-8 sequence.
      const data = `e${i} ${'é€'.repeat(Math.floor(random() * 4))}`;
      items.push({ kind: 'event', data });
      text += `id: ${i}\ndata: ${data}\n\n`;
    } else if (r < 0.9) {
      items.push({ kind: 'comment', text: `hb ${i}` });
      text += `: hb ${i}\n`;
    } else {
      items.push({ kind: 'retry-changed', ms: 1000 + i });
      text += `retry: ${1000 + i}\n\n`;
    }
  }
  return { items, bytes: Buffer.from(text) };
}

function chunk(random: () => number, bytes: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * 40);
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

const streamed = (e: TimelineEntry): Item | null =>
  e.kind === 'event' ? { kind: 'event', data: e.data } : e.kind === 'comment' ? { kind: 'comment', text: e.text } : e.kind === 'retry-changed' ? { kind: 'retry-changed', ms: e.delayMs } : null;

function backwards(entries: TimelineEntry[]): string | null {
  for (let i = 1; i < entries.length; i++) {
    const [a, b] = [entries[i - 1]!, entries[i]!];
    if (b.time < a.time) return `seq ${b.seq} (${b.kind}) is stamped ${a.time - b.time} ms before seq ${a.seq} (${a.kind})`;
  }
  return null;
}

const SEEDS = Array.from({ length: 10 }, (_, i) => 1 + i * 7919);
const pieces = new Map<string, Buffer[]>();
let server: RawServer;
before(async () => {
  server = await startRawServer(async (res, req) => {
    sseHead(res);
    await writeChunks(res, pieces.get(new URL(req.url ?? '/', 'http://x').searchParams.get('seed') ?? '') ?? [], 2);
    res.end();
  });
});
after(() => server.close());

describe('arrival order and times', () => {
  for (const seed of SEEDS) {
    test(`random chunking (seed ${seed}): entries in stream order, times never going backwards`, async () => {
      const random = prng(seed);
      const { items, bytes } = stream(random, 40);
      pieces.set(String(seed), chunk(random, bytes));
      // The clock moves while the engine works, as a real one does between a chunk's arrival and its last entry.
      let clock = Date.now();
      const r = run(config(`${server.url}?seed=${seed}`, { reconnect: { maxAttempts: 1 } }), { now: () => clock++ });
      await r.untilClosed();
      assert.deepEqual(r.entries.map(streamed).filter((x) => x !== null), items);
      assert.equal(backwards(r.entries), null);
    });
  }

  test('with a latency simulation, comments and retries wait behind the events held before them', async () => {
    const random = prng(42);
    const { items, bytes } = stream(random, 40);
    pieces.set('latency', chunk(random, bytes));
    const r = run(config(`${server.url}?seed=latency`, { reconnect: { maxAttempts: 1 } }));
    r.connection.inject({ kind: 'latency', ms: 30 });
    await r.untilClosed();
    assert.deepEqual(r.entries.map(streamed).filter((x) => x !== null), items);
    assert.equal(backwards(r.entries), null);
  });
});
