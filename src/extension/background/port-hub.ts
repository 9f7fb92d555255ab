/**
 * Batches what the manager reports, persists it, then relays it to every open panel: one message
 * per flush (about a frame, or sooner when many entries wait), never one per event.
 *
 * What the hub guarantees (test/background/port-hub-invariant.test.ts checks it under random
 * interleavings of joins, leaves, batches, trims, removals and restarts):
 *
 * 1. An entry is posted only after it is stored, so whatever a panel shows survives a restart of
 *    the background. A flush's batch is "not stored" from the moment the flush takes it until its
 *    write ends, queued behind another write included.
 * 2. A panel gets every stored entry exactly once, in order, with no gap: from its join on, for each
 *    connection, history (what was stored when it joined, after its own flush) then live batches
 *    (what is stored later). After a restart the panel joins the new background afresh, and the same
 *    holds from that join.
 * 3. The stored record never resumes ahead of the stored entries: each write carries the records as
 *    they stood when its entries were taken, so a restart resumes right after the last stored entry,
 *    with the Last-Event-ID it carried, and the stream's ids run on without a gap.
 */
import { estimateEntryBytes } from '../../core/settings.js';
import type { TimelineEntry } from '../../core/timeline.js';
import { encodeEntries, type BackgroundMessage, type ConnectionInfo } from '../../protocol/messages.js';
import type { ConnectionManager, Sink } from './connection-manager.js';
import type { Persistence, StoredConnection } from './persistence.js';

export interface PanelPort {
  postMessage(message: BackgroundMessage): void;
}

export interface HubOptions {
  persistence: Persistence;
  frameMs?: number;
  /** Flush at once past this many waiting entries. */
  maxBatch?: number;
  /** Entries are posted to a panel in messages of at most this many (history and live alike). */
  historyChunk?: number;
  /**
   * Entries waiting to be stored, past which engines stop reading until the backlog has halved:
   * storage slower than the stream must not turn into unbounded memory. Bytes estimate event data.
   */
  maxBacklog?: { entries: number; bytes: number };
  onError?: (error: unknown) => void;
}

export interface PortHub extends Sink {
  /** The manager is created after the hub (it reports to it); attach it before the first flush. */
  attach(manager: ConnectionManager): void;
  /** Sends the new panel everything retained (read from storage), then live batches; no gap, no duplicate. */
  addPort(port: PanelPort): Promise<void>;
  /** Every retained entry, as a panel joining now would get it: stores what waits, then reads storage. */
  history(): Promise<TimelineEntry[]>;
  removePort(port: PanelPort): void;
  post(port: PanelPort, message: BackgroundMessage): void;
  broadcast(message: BackgroundMessage): void;
  flush(): Promise<void>;
}

/**
 * About 2 s of a 10 000 events/s stream, or a few seconds of 2 KB events: enough to ride out a slow
 * write without pausing, small enough that the worker's memory stays far from trouble.
 */
const DEFAULT_MAX_BACKLOG = { entries: 20_000, bytes: 32 * 1024 * 1024 };

/**
 * A panel parses each message in one go, before any of our code can yield, so a message is kept
 * to about this many estimated bytes (some 4 000 events of 100 B, 500 of 2 KB): a few ms to parse.
 */
const MESSAGE_BYTES = 1024 * 1024;

export function createPortHub(options: HubOptions): PortHub {
  const frameMs = options.frameMs ?? 16;
  const maxBatch = options.maxBatch ?? 2000;
  const historyChunk = options.historyChunk ?? 5000;
  const maxBacklog = options.maxBacklog ?? DEFAULT_MAX_BACKLOG;
  /** Per panel, the highest seq it has of each connection: a flush already under way when it joined must not repeat what its snapshot held. */
  const ports = new Map<PanelPort, Map<string, number>>();
  let manager: ConnectionManager | null = null;
  let pending: TimelineEntry[] = [];
  let pendingBytes = 0;
  let changed = new Set<string>();
  /** The connection of the latest entry, already in `changed`: a stream's entries come in runs, so most skip the Set. */
  let lastChanged: string | null = null;
  let trims: { connectionId: string; beforeSeq: number }[] = [];
  let removed: string[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  // Flushes run one after another; a panel joining waits for the chain so it sees each entry once.
  let chain: Promise<void> = Promise.resolve();
  /** Accepted but not yet stored (pending plus batches queued on the chain), and their rough size. */
  let backlog = 0;
  let backlogBytes = 0;
  /** While the backlog is full: the one promise every engine waits on, and what resolves it. */
  let room: { promise: Promise<void>; resolve: () => void } | null = null;

  function stored(entries: readonly TimelineEntry[], bytes: number): void {
    backlog -= entries.length;
    backlogBytes -= bytes;
    if (room && backlog <= maxBacklog.entries / 2 && backlogBytes <= maxBacklog.bytes / 2) {
      room.resolve();
      room = null;
    }
  }

  function schedule(): void {
    if (pending.length >= maxBatch) {
      void flush();
      return;
    }
    timer ??= setTimeout(() => void flush(), frameMs);
  }

  function send(port: PanelPort, message: BackgroundMessage): void {
    try {
      port.postMessage(message);
    } catch {
      // The panel went away between its disconnect and our noticing; it will get a snapshot on return.
      ports.delete(port);
    }
  }

  /**
   * Posts entries as one or more batch messages: the connections' records go with the first (a
   * panel learns of a connection before its entries), the trims with the last (they may name
   * entries of this very batch).
   */
  function sendEntries(port: PanelPort, entries: readonly TimelineEntry[], connections: ConnectionInfo[], batchTrims: { connectionId: string; beforeSeq: number }[]): void {
    let from = 0;
    do {
      let to = from;
      let bytes = 0;
      while (to < entries.length && to - from < historyChunk) {
        const size = estimateEntryBytes(entries[to]!);
        if (to > from && bytes + size > MESSAGE_BYTES) break;
        bytes += size;
        to++;
      }
      const last = to >= entries.length;
      send(port, { type: 'batch', entries: encodeEntries(from === 0 && last ? entries : entries.slice(from, to)), connections: from === 0 ? connections : [], trims: last ? batchTrims : [] });
      from = to;
    } while (from < entries.length);
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const entries = pending;
    const bytes = pendingBytes;
    pendingBytes = 0;
    const ids = changed;
    const batchTrims = trims;
    const batchRemoved = removed;
    pending = [];
    changed = new Set();
    lastChanged = null;
    trims = [];
    removed = [];
    const live = [...ids].filter((id) => !batchRemoved.includes(id));
    // The records are read now, while the manager stands exactly at the last entry of this batch:
    // read when the write begins (later, if writes queue up), they would carry the resume point of
    // entries received since, and a restart would resume past entries that were never stored.
    const records = live.map((id) => manager?.stored(id)).filter((c): c is StoredConnection => c != null);
    chain = chain.then(async () => {
      if (entries.length === 0 && ids.size === 0 && batchTrims.length === 0 && batchRemoved.length === 0) return;
      try {
        await options.persistence.write({ entries, connections: records, trims: batchTrims, removed: batchRemoved });
      } catch (err) {
        options.onError?.(err);
      } finally {
        stored(entries, bytes);
      }
      const infos = live.map((id) => manager?.info(id)).filter((c): c is ConnectionInfo => c != null);
      const current = entries.filter((e) => !batchRemoved.includes(e.connectionId));
      for (const [port, seen] of ports) {
        const fresh = current.filter((e) => e.seq > (seen.get(e.connectionId) ?? 0));
        for (const e of fresh) seen.set(e.connectionId, e.seq);
        if (fresh.length > 0 || infos.length > 0 || batchTrims.length > 0) {
          sendEntries(port, fresh, infos, batchTrims);
        }
        for (const id of batchRemoved) send(port, { type: 'removed', connectionId: id });
      }
    });
    return chain;
  }

  /**
   * Stores what waits, then, on the chain behind that write and before any later one, reads each
   * connection's stored entries in order and hands them on in messages' worth (at most
   * `historyChunk` entries at a time): the background keeps no entry once it is stored.
   */
  async function joinChain(
    begin: (connections: ConnectionInfo[], settings: ConnectionManager['settings']) => (entries: TimelineEntry[]) => void,
    end: (seen: Map<string, number>) => void,
  ): Promise<void> {
    void flush();
    const m = manager;
    if (!m) throw new Error('port hub used before a manager was attached');
    const read = chain.then(async () => {
      const { connections } = m.snapshot();
      const out = begin(connections, m.settings);
      const seen = new Map<string, number>();
      let buffer: TimelineEntry[] = [];
      const emit = (): void => {
        if (buffer.length > 0) out(buffer);
        buffer = [];
      };
      try {
        for (const c of connections) {
          await options.persistence.readHistory(c.id, 0, (entries) => {
            for (const e of entries) buffer.push(e);
            const last = entries.at(-1);
            if (last) seen.set(c.id, last.seq);
            if (buffer.length >= historyChunk) emit();
          });
        }
        emit();
      } catch (err) {
        options.onError?.(err);
      }
      end(seen);
    });
    chain = read.catch((err: unknown) => options.onError?.(err));
    await read;
  }

  return {
    attach(m) {
      manager = m;
    },
    entry(e, size) {
      pending.push(e);
      pendingBytes += size;
      backlog++;
      backlogBytes += size;
      // A batch holding a connection's entries always carries its record, so the stored resume
      // point and the stored entries move together.
      if (e.connectionId !== lastChanged) {
        changed.add(e.connectionId);
        lastChanged = e.connectionId;
      }
      schedule();
    },
    changed(id) {
      changed.add(id);
      schedule();
    },
    trimmed(connectionId, beforeSeq) {
      trims.push({ connectionId, beforeSeq });
      schedule();
    },
    removed(id) {
      removed.push(id);
      schedule();
    },
    room() {
      if (room) return room.promise;
      if (backlog < maxBacklog.entries && backlogBytes < maxBacklog.bytes) return null;
      let resolve = (): void => {};
      const promise = new Promise<void>((r) => (resolve = r));
      room = { promise, resolve };
      return promise;
    },
    async addPort(port) {
      await joinChain((connections, settings) => {
        // Everything stored goes to this panel as history, read while no write can land; what is
        // not stored yet (taken after this flush) reaches it live, after it is stored, like
        // everyone else's: the port is registered before the next write's batch is posted.
        send(port, { type: 'snapshot', connections, settings });
        return (entries) => sendEntries(port, entries, [], []);
      }, (seen) => ports.set(port, seen));
    },
    async history() {
      const all: TimelineEntry[] = [];
      await joinChain(
        () => (entries) => void all.push(...entries),
        () => {},
      );
      return all;
    },
    removePort(port) {
      ports.delete(port);
    },
    post: send,
    broadcast(message) {
      for (const port of ports.keys()) send(port, message);
    },
    flush,
  };
}
