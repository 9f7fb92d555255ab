/**
 * The path from the engine to storage under a stream faster than storage: the background's real
 * manager and port hub, the real engine against a real fast server, and a store that takes its
 * time the way IndexedDB does under load.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createConnectionManager } from '../../src/extension/background/connection-manager.js';
import type { FlushBatch, Persistence } from '../../src/extension/background/persistence.js';
import { createMemoryPersistence } from '../helpers/memory-persistence.js';
import { createPortHub } from '../../src/extension/background/port-hub.js';
import { defaultConfig } from '../../src/core/config.js';
import type { EventEntry, TimelineEntry } from '../../src/core/timeline.js';
import { startFastServer, type FastServer } from '../helpers/fast-server.js';
import { sleep } from '../helpers/raw-server.js';

const servers: FastServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

/** A store as slow as `writeMs` per write, that checks each write the way a restart would read it. */
function slowStore(writeMs: number, onWrite: (batch: FlushBatch, stored: TimelineEntry[]) => void) {
  const inner = createMemoryPersistence();
  const persistence: Persistence = {
    ...inner,
    async write(batch) {
      await sleep(writeMs);
      await inner.write(batch);
      for (const c of batch.connections) onWrite(batch, inner.storedEntries.get(c.id) ?? []);
    },
  };
  return { persistence, inner };
}

type Manager = ReturnType<typeof createConnectionManager>;

async function run(
  options: { total: number; perSecond: number; writeMs: number; maxBacklog?: { entries: number; bytes: number } },
  onWrite: (batch: FlushBatch, stored: TimelineEntry[], manager: Manager) => void,
) {
  const server = await startFastServer({ total: options.total, perSecond: options.perSecond });
  servers.push(server);
  let manager: Manager | null = null;
  const { persistence, inner } = slowStore(options.writeMs, (batch, stored) => onWrite(batch, stored, manager!));
  const hub = createPortHub({ persistence, maxBacklog: options.maxBacklog });
  manager = createConnectionManager({ persistence, sink: hub, settings: { maxEntriesPerConnection: 1_000_000 } });
  hub.attach(manager);
  const config = defaultConfig(server.url);
  config.reconnect.initialDelayMs = 50;
  const { id } = manager.open(config);
  assert.ok(id);
  for (let i = 0; i < 2000 && manager.info(id)?.state.phase !== 'closed'; i++) await sleep(20);
  await hub.flush();
  return { id, manager, stored: inner.storedEntries.get(id) ?? [], record: inner.stored.get(id)!, server };
}

const events = (entries: readonly TimelineEntry[]) => entries.filter((e): e is EventEntry => e.kind === 'event');

test('every stored record resumes exactly where the stored entries end, though storage lags the stream', async () => {
  const problems: string[] = [];
  await run({ total: 20_000, perSecond: 20_000, writeMs: 40 }, (batch, stored) => {
    for (const record of batch.connections) {
      const last = stored.at(-1);
      const lastEvent = events(stored).at(-1);
      if (record.resume.nextSeq !== (last?.seq ?? 0) + 1) problems.push(`resume at seq ${record.resume.nextSeq}, stored up to ${last?.seq}`);
      if (record.resume.lastEventId !== (lastEvent?.lastEventId ?? '')) problems.push(`resume with id ${record.resume.lastEventId}, stored up to ${lastEvent?.lastEventId}`);
      if (record.stats.events !== events(stored).length) problems.push(`record counts ${record.stats.events} events, ${events(stored).length} stored`);
    }
  });
  assert.deepEqual(problems.slice(0, 5), [], `${problems.length} writes stored a record ahead of their entries`);
});

test('a stream faster than storage pauses reading instead of queueing in memory, and loses nothing', async () => {
  const bound = 2000;
  let worst = 0;
  const total = 100_000;
  const result = await run({ total, perSecond: 100_000, writeMs: 50, maxBacklog: { entries: bound, bytes: 64 * 1024 * 1024 } }, (batch, stored, manager) => {
    // Received but not yet stored: what the background holds only in memory.
    const received = manager.info(batch.connections[0]!.id)?.stats.events ?? 0;
    worst = Math.max(worst, received - events(stored).length);
  });
  const ids = events(result.stored).map((e) => Number(e.id));
  assert.deepEqual(ids, Array.from({ length: total }, (_, i) => i + 1), 'every event stored once, in order');
  const paused = result.stored.filter((e) => e.kind === 'reading-paused');
  assert.ok(paused.length > 0, 'the timeline says reading was paused');
  assert.match(paused[0]!.kind === 'reading-paused' ? paused[0]!.detail : '', /stopped reading for \d+ ms/);
  // One network read may hold a few hundred events past the bound; never the whole stream.
  assert.ok(worst > 0 && worst < bound * 2, `at most ${worst} entries waited in memory (bound ${bound})`);
});
