/**
 * The port hub's invariant (written down in src/extension/background/port-hub.ts) under random
 * interleavings: panels join and leave, several connections stream from a real server through the
 * real engine, the retention cap trims, connections are stopped, resumed and removed, and the
 * background restarts (a new hub and manager restored from the same store, as after Chrome stopped
 * the worker) while a slow store is still writing. A seeded generator picks the steps; the seed is
 * printed on failure and SEED=… replays the same steps (the stream's timing still varies).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { defaultConfig } from '../../src/core/config.js';
import type { TimelineEntry } from '../../src/core/timeline.js';
import { createConnectionManager, type ConnectionManager } from '../../src/extension/background/connection-manager.js';
import type { Persistence } from '../../src/extension/background/persistence.js';
import { createPortHub, type PanelPort, type PortHub } from '../../src/extension/background/port-hub.js';
import { decodeEntries, type BackgroundMessage } from '../../src/protocol/messages.js';
import { startFastServer, type FastServer } from '../helpers/fast-server.js';
import { createMemoryPersistence } from '../helpers/memory-persistence.js';
import { sleep } from '../helpers/raw-server.js';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function seeded(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
type Random = ReturnType<typeof seeded>;

const key = (e: Pick<TimelineEntry, 'connectionId' | 'seq'>): string => `${e.connectionId}#${e.seq}`;

let servers: FastServer[] = [];
before(async () => {
  // Streams that end (the server then answers 204) and one that outlasts any run, at different rates.
  servers = await Promise.all([
    startFastServer({ total: 400, perSecond: 4000 }),
    startFastServer({ total: 3000, perSecond: 20_000 }),
    startFastServer({ total: 1_000_000, perSecond: 2000 }),
  ]);
});
after(() => Promise.all(servers.map((s) => s.close())));

/** The one store every background generation shares, checking each write as a restart would read it. */
function createStore(random: Random, problems: string[]) {
  const inner = createMemoryPersistence();
  /** Everything ever written, by key: a panel may be shown an entry only once it is here. */
  const written = new Map<string, TimelineEntry>();

  function checkRecords(): void {
    for (const record of inner.stored.values()) {
      const entries = inner.storedEntries.get(record.id) ?? [];
      const last = entries.at(-1);
      if (record.resume.nextSeq !== (last?.seq ?? 0) + 1) problems.push(`${record.id}: stored record resumes at seq ${record.resume.nextSeq}, stored entries end at ${last?.seq ?? 'none'}`);
      const lastEvent = entries.filter((e) => e.kind === 'event').at(-1);
      if (lastEvent?.kind === 'event' && record.resume.lastEventId !== lastEvent.lastEventId) {
        problems.push(`${record.id}: stored record resumes with Last-Event-ID ${record.resume.lastEventId}, stored events end at ${lastEvent.lastEventId}`);
      }
    }
  }

  /** One background generation's view of the store: slow like IndexedDB under load, and silent once its worker is gone. */
  function generation(): { persistence: Persistence; kill(): void } {
    let alive = true;
    return {
      persistence: {
        ...inner,
        async write(batch) {
          await sleep(random.int(4) === 0 ? random.int(40) : random.int(3));
          // A stopped worker's unfinished transaction never lands.
          if (!alive) return;
          await inner.write(batch);
          for (const e of batch.entries) written.set(key(e), structuredClone(e));
          checkRecords();
        },
      },
      kill: () => {
        alive = false;
      },
    };
  }

  return { inner, written, generation };
}

/**
 * A panel's one stay on one background (from its join until it leaves or the background stops):
 * checks every message as it arrives and keeps what the panel's store would show.
 */
function createSession(name: string, written: Map<string, TimelineEntry>, removed: ReadonlySet<string>, problems: string[]) {
  let open = true;
  let joined = false;
  const known = new Set<string>();
  const view = new Map<string, TimelineEntry[]>();
  const seen = new Set<string>();
  const lastSeq = new Map<string, number>();
  const port: PanelPort = {
    postMessage(message: BackgroundMessage) {
      // A disconnected runtime Port throws; the hub must cope.
      if (!open) throw new Error('port disconnected');
      switch (message.type) {
        case 'snapshot':
          if (joined) problems.push(`${name}: a second snapshot`);
          joined = true;
          for (const c of message.connections) known.add(c.id);
          break;
        case 'batch':
          if (!joined) problems.push(`${name}: a batch before the snapshot`);
          for (const c of message.connections) known.add(c.id);
          for (const e of decodeEntries(message.entries)) {
            const k = key(e);
            // A batch taken just before its connection was removed goes out without the record
            // (there is none left); the panel's store drops such entries, and 'removed' follows.
            const unknown = !known.has(e.connectionId);
            if (unknown && !removed.has(e.connectionId)) problems.push(`${name}: ${k} of a connection the panel was never told about`);
            if (seen.has(k)) problems.push(`${name}: ${k} twice`);
            seen.add(k);
            const before = lastSeq.get(e.connectionId);
            if (before !== undefined && e.seq !== before + 1) problems.push(`${name}: ${k} after seq ${before}`);
            lastSeq.set(e.connectionId, e.seq);
            if (!isDeepStrictEqual(written.get(k), e)) problems.push(`${name}: ${k} posted before it was stored${written.has(k) ? ` (stored differently: ${JSON.stringify(written.get(k))} vs ${JSON.stringify(e)})` : ""}`);
            if (!unknown) {
              const list = view.get(e.connectionId);
              if (list) list.push(e);
              else view.set(e.connectionId, [e]);
            }
          }
          // As the panel's store does: entries of the batch first, then its trims.
          for (const t of message.trims) view.set(t.connectionId, (view.get(t.connectionId) ?? []).filter((e) => e.seq >= t.beforeSeq));
          break;
        case 'removed':
          known.delete(message.connectionId);
          view.delete(message.connectionId);
          break;
        default:
          break;
      }
    },
  };
  return {
    name,
    port,
    view,
    get joined() {
      return joined;
    },
    close: () => {
      open = false;
    },
  };
}
type Session = ReturnType<typeof createSession>;

interface Background {
  hub: PortHub;
  manager: ConnectionManager;
  kill(): void;
}

async function run(seed: number, steps: number): Promise<void> {
  const random = seeded(seed);
  const problems: string[] = [];
  const log: string[] = [];
  const store = createStore(random, problems);
  let cap = 300;
  const ids: string[] = [];
  const removed = new Set<string>();
  let sessionCount = 0;
  let sessions: Session[] = [];
  let joins: Promise<void>[] = [];

  function start(): Background {
    const { persistence, kill } = store.generation();
    const hub = createPortHub({ persistence, frameMs: random.pick([0, 4, 16]), maxBatch: random.pick([50, 2000]), historyChunk: random.pick([7, 5000]), maxBacklog: { entries: 500, bytes: 1 << 24 } });
    const manager = createConnectionManager({ persistence, sink: hub, settings: { maxEntriesPerConnection: cap } });
    hub.attach(manager);
    return { hub, manager, kill };
  }

  function stopAll(bg: Background): void {
    for (const c of bg.manager.snapshot().connections) bg.manager.disconnect(c.id);
  }

  function join(bg: Background): void {
    const session = createSession(`panel ${++sessionCount}`, store.written, removed, problems);
    sessions.push(session);
    joins.push(bg.hub.addPort(session.port));
  }

  let bg = start();
  try {
    for (let step = 0; step < steps; step++) {
      const roll = random.int(100);
      if (roll < 14 && sessions.length < 4) {
        join(bg);
        log.push('join');
      } else if (roll < 20 && sessions.length > 0) {
        const session = random.pick(sessions);
        bg.hub.removePort(session.port);
        session.close();
        sessions = sessions.filter((s) => s !== session);
        log.push(`leave ${session.name}`);
      } else if (roll < 34 && ids.length < 6) {
        const config = defaultConfig(random.pick(servers).url);
        config.reconnect.initialDelayMs = random.pick([0, 5, 30]);
        config.reconnect.maxDelayMs = config.reconnect.initialDelayMs;
        const { id } = bg.manager.open(config);
        assert.ok(id);
        ids.push(id);
        log.push(`open ${id}`);
      } else if (roll < 40 && ids.length > 0) {
        const id = random.pick(ids);
        bg.manager.remove(id);
        removed.add(id);
        ids.splice(ids.indexOf(id), 1);
        log.push(`remove ${id}`);
      } else if (roll < 46 && ids.length > 0) {
        const id = random.pick(ids);
        bg.manager.disconnect(id);
        log.push(`disconnect ${id}`);
      } else if (roll < 52 && ids.length > 0) {
        const id = random.pick(ids);
        bg.manager.reconnect(id);
        log.push(`reconnect ${id}`);
      } else if (roll < 60) {
        cap = random.pick([40, 120, 300, 2000]);
        bg.manager.setSettings({ ...bg.manager.settings, maxEntriesPerConnection: cap });
        log.push(`cap ${cap}`);
      } else if (roll < 68) {
        // The worker stops: its fetches and timers die, its memory and unfinished writes are lost,
        // its panels see their ports disconnect and join the new worker once it has restored.
        const open = sessions.length;
        bg.kill();
        for (const s of sessions) s.close();
        stopAll(bg);
        sessions = [];
        joins = [];
        bg = start();
        await bg.manager.restore();
        // A removal whose write had not landed is undone: the connection comes back from the store.
        ids.splice(0, ids.length, ...bg.manager.snapshot().connections.map((c) => c.id));
        for (const id of ids) removed.delete(id);
        for (let i = 0; i < open; i++) join(bg);
        log.push(`restart (${open} panels rejoin)`);
      } else {
        await bg.hub.flush();
        log.push('flush');
      }
      await sleep(random.int(4) === 0 ? random.int(60) : random.int(8));
      if (problems.length > 0) break;
    }

    stopAll(bg);
    await Promise.all(joins);
    // Closing writes entries of its own; two flushes see the last of them stored and posted.
    await bg.hub.flush();
    await bg.hub.flush();

    const stored = new Map([...store.inner.storedEntries].map(([id, entries]) => [id, entries.map((e) => e.seq)]));
    const retained = new Map<string, number[]>();
    for (const e of await bg.hub.history()) retained.set(e.connectionId, [...(retained.get(e.connectionId) ?? []), e.seq]);
    assert.deepEqual(retained, stored, 'the background retains exactly what is stored');
    for (const session of sessions) {
      assert.ok(session.joined, `${session.name} got its snapshot`);
      const shown = new Map([...session.view].filter(([, entries]) => entries.length > 0).map(([id, entries]) => [id, entries.map((e) => e.seq)]));
      assert.deepEqual(shown, stored, `${session.name} shows every stored entry, once, in order`);
    }
    // Resuming after a restart asks for what follows the last stored event: the ids never skip.
    for (const [id, entries] of store.inner.storedEntries) {
      const eventIds = entries.flatMap((e) => (e.kind === 'event' ? [Number(e.id)] : []));
      const skip = eventIds.findIndex((n, i) => i > 0 && n !== eventIds[i - 1]! + 1);
      assert.equal(skip, -1, `${id}: stored event ids run on without a gap (${eventIds.slice(Math.max(0, skip - 2), skip + 2).join(', ')})`);
    }
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} violations`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`seed ${seed} (replay with SEED=${seed}); steps: ${log.join(', ')}\n${message}`, { cause: err });
  } finally {
    stopAll(bg);
    await bg.hub.flush();
  }
}

test('every panel gets every stored entry exactly once, in order, across joins, trims, removals and restarts', async () => {
  const fixed = process.env.SEED;
  const seeds = fixed ? [Number(fixed)] : Array.from({ length: 4 }, () => Math.floor(Math.random() * 2 ** 32));
  for (const seed of seeds) await run(seed, 80);
});
