/**
 * The background's IndexedDB layout in real Chromium: entries stored in chunks (one per flush per
 * connection) load back exactly as the Persistence contract says (the in-memory double the Node
 * tests use is the reference), through trims that cut chunks in two and removals; and a database
 * written by version 1 (one record per entry) opens with every entry moved into chunks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlushBatch, Persistence, StoredConnection } from '../../src/extension/background/persistence.js';
import type { TimelineEntry } from '../../src/core/timeline.js';
import { openIdbPage, type IdbPage } from '../helpers/idb-page.js';
import { createMemoryPersistence, readEverything } from '../helpers/memory-persistence.js';

declare const window: { persistence: Persistence };

function record(id: string, nextSeq: number): StoredConnection {
  return {
    id,
    label: `GET ${id}`,
    createdAt: id.charCodeAt(0),
    config: { url: `http://127.0.0.1/${id}` } as StoredConnection['config'],
    active: true,
    resume: { lastEventId: String(nextSeq - 1), retryMs: null, nextAttempt: 2, nextSeq },
    stats: { events: nextSeq - 1, bytes: 0, attempts: 1, lastEventId: String(nextSeq - 1) },
  };
}

function event(connectionId: string, seq: number): TimelineEntry {
  const data = `{"n":${seq},"pad":"${'x'.repeat(64)}"}`;
  return { connectionId, attempt: 1, seq, time: 1_700_000_000_000 + seq, kind: 'event', type: 'tick', id: String(seq), lastEventId: String(seq), data, size: data.length };
}

/** A fixed pseudo-random sequence of flushes: several connections, trims anywhere (mid-chunk, inside the batch itself), one removal. */
function batches(): FlushBatch[] {
  let x = 12345;
  const rand = (n: number) => ((x = (x * 1103515245 + 12345) % 2 ** 31) % n);
  const next = new Map([['a', 1], ['b', 1], ['c', 1]]);
  const out: FlushBatch[] = [];
  for (let i = 0; i < 60; i++) {
    const entries: TimelineEntry[] = [];
    const trims: FlushBatch['trims'][number][] = [];
    for (const id of next.keys()) {
      if (rand(3) === 0) continue;
      for (let n = 1 + rand(250); n > 0; n--) {
        const seq = next.get(id)!;
        entries.push(event(id, seq));
        next.set(id, seq + 1);
      }
      if (rand(5) === 0) trims.push({ connectionId: id, beforeSeq: Math.max(1, next.get(id)! - 200 - rand(600)) });
      if (rand(9) === 0) trims.push({ connectionId: id, beforeSeq: Math.max(1, next.get(id)! - rand(400)) });
    }
    const removed = i === 40 ? ['c'] : [];
    if (i === 40) next.delete('c');
    const ids = [...new Set(entries.map((e) => e.connectionId))];
    out.push({ entries, connections: ids.map((id) => record(id, next.get(id) ?? 1)), trims, removed });
  }
  return out;
}


async function withPage(run: (p: IdbPage) => Promise<void>): Promise<void> {
  const page = await openIdbPage();
  try {
    await run(page);
  } finally {
    await page.close();
  }
}

test('chunks load back what was written, through trims that cut a chunk and a removal', () =>
  withPage(async ({ page }) => {
    const all = batches();
    const reference = createMemoryPersistence();
    for (const b of all) await reference.write(b);
    const expected = await readEverything(reference);
    assert.ok(expected.entries.a!.length > 100 && expected.entries.a![0]!.seq > 1, 'the sequence trims and still retains');

    const got = await page.evaluate(async (list) => {
      for (const b of list) await window.persistence.write(b);
      // readEverything (test/helpers/memory-persistence.ts), inside the page.
      const connections = await window.persistence.loadConnections();
      const entries: Record<string, unknown[]> = {};
      for (const c of connections) {
        const list: unknown[] = [];
        await window.persistence.readHistory(c.id, 0, (chunk) => list.push(...chunk));
        entries[c.id] = list;
      }
      return { connections, entries };
    }, all);
    assert.deepEqual(got, expected);
  }));

test('a version 1 database (one record per entry) opens with its entries in chunks', () =>
  withPage(async ({ page }) => {
    const records = [record('a', 2501), record('b', 11)];
    const entries = [...Array.from({ length: 2500 }, (_, i) => event('a', i + 1)), ...Array.from({ length: 10 }, (_, i) => event('b', i + 1))];
    await page.evaluate(
      ({ records, entries }) =>
        new Promise<void>((resolve, reject) => {
          // Version 1's layout, as src/extension/background/persistence.ts wrote it.
          const req = indexedDB.open('sse-devtools', 1);
          req.onupgradeneeded = () => {
            req.result.createObjectStore('connections', { keyPath: 'id' });
            req.result.createObjectStore('entries', { keyPath: ['connectionId', 'seq'] });
          };
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const tx = req.result.transaction(['connections', 'entries'], 'readwrite');
            for (const r of records) tx.objectStore('connections').put(r);
            for (const e of entries) tx.objectStore('entries').put(e);
            tx.oncomplete = () => {
              req.result.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
        }),
      { records, entries },
    );
    const got = await page.evaluate(async () => {
      // readEverything (test/helpers/memory-persistence.ts), inside the page.
      const connections = await window.persistence.loadConnections();
      const entries: Record<string, unknown[]> = {};
      for (const c of connections) {
        const list: unknown[] = [];
        await window.persistence.readHistory(c.id, 0, (chunk) => list.push(...chunk));
        entries[c.id] = list;
      }
      return { connections, entries };
    });
    assert.deepEqual(got.connections, records);
    assert.deepEqual(got.entries, { a: entries.slice(0, 2500), b: entries.slice(2500) });
    const stores = await page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const req = indexedDB.open('sse-devtools');
          req.onsuccess = () => resolve([...req.result.objectStoreNames]);
        }),
    );
    assert.deepEqual(stores, ['chunks', 'connections'], 'the per-entry store is gone');
  }));
