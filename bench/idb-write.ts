/**
 * What storing costs per entry in real Chromium's IndexedDB, in one run: version 1's layout (one
 * `put` per entry, the reference) against the chunks the background writes now (one `put` per flush
 * per connection, src/extension/background/persistence.ts, the real module), for flushes of the
 * sizes the port hub cuts: about a frame of a 10 000 events/s stream, and its maxBatch.
 * Figures, not pass/fail. Run: node src/tooling/build.mjs && node dist/bench/idb-write.js
 */
import type { FlushBatch, Persistence, StoredConnection } from '../src/extension/background/persistence.js';
import type { TimelineEntry } from '../src/core/timeline.js';
import { openIdbPage } from '../test/helpers/idb-page.js';

declare const window: { persistence: Persistence };

const ENTRIES = Number(process.env.ENTRIES ?? 40_000);
const ROUNDS = 3;

function batches(perFlush: number, round: number): FlushBatch[] {
  const id = `c${perFlush}-${round}`;
  const out: FlushBatch[] = [];
  for (let seq = 1; seq <= ENTRIES; seq += perFlush) {
    const entries: TimelineEntry[] = [];
    for (let s = seq; s < seq + perFlush && s <= ENTRIES; s++) {
      // 100 B of data, as the fast test server sends.
      const data = `{"n":${s},"pad":"${'x'.repeat(80 - String(s).length)}"}`;
      entries.push({ connectionId: id, attempt: 1, seq: s, time: 1_700_000_000_000 + s, kind: 'event', type: 'tick', id: String(s), lastEventId: String(s), data, size: data.length });
    }
    const last = entries.at(-1)!.seq;
    const record = {
      id,
      label: `GET ${id}`,
      createdAt: 0,
      config: { url: 'http://127.0.0.1/fast' },
      active: true,
      resume: { lastEventId: String(last), retryMs: null, nextAttempt: 2, nextSeq: last + 1 },
      stats: { events: last, bytes: 0, attempts: 1, lastEventId: String(last) },
    } as unknown as StoredConnection;
    out.push({ entries, connections: [record], trims: [], removed: [] });
  }
  return out;
}

const { page, close } = await openIdbPage();
try {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`IndexedDB writes in Chromium, ${ENTRIES.toLocaleString('en-US')} entries of 100 B data per run, median of ${ROUNDS}`);
  console.log('entries per flush | per-entry puts (v1) | chunks (now)   | chunks cost');
  for (const perFlush of [160, 2000]) {
    const times = { perEntry: [] as number[], chunks: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const list = batches(perFlush, round);
      // Alternate, so drift in machine load hits both alike.
      times.perEntry.push(
        await page.evaluate(async (list) => {
          // Version 1's write, as it was: one put per entry beside the record, one transaction per flush.
          const db = await new Promise<IDBDatabase>((resolve, reject) => {
            const req = indexedDB.open('v1-layout', 1);
            req.onupgradeneeded = () => {
              req.result.createObjectStore('connections', { keyPath: 'id' });
              req.result.createObjectStore('entries', { keyPath: ['connectionId', 'seq'] });
            };
            req.onsuccess = () => resolve(req.result);
            req.onerror = () => reject(req.error);
          });
          const t0 = performance.now();
          for (const b of list) {
            const tx = db.transaction(['connections', 'entries'], 'readwrite');
            for (const c of b.connections) tx.objectStore('connections').put(c);
            for (const e of b.entries) tx.objectStore('entries').put(e);
            await new Promise<void>((resolve, reject) => {
              tx.oncomplete = () => resolve();
              tx.onerror = () => reject(tx.error);
            });
          }
          const ms = performance.now() - t0;
          db.close();
          return ms;
        }, list),
      );
      times.chunks.push(
        await page.evaluate(async (list) => {
          const t0 = performance.now();
          for (const b of list) await window.persistence.write(b);
          return performance.now() - t0;
        }, list),
      );
    }
    const perEntry = median(times.perEntry) / ENTRIES;
    const chunks = median(times.chunks) / ENTRIES;
    console.log(
      `${String(perFlush).padEnd(17)} | ${`${(perEntry * 1000).toFixed(1)} µs/entry`.padEnd(19)} | ${`${(chunks * 1000).toFixed(1)} µs/entry`.padEnd(14)} | ${(chunks / perEntry).toFixed(2)} of per-entry`,
    );
  }
} finally {
  await close();
}
