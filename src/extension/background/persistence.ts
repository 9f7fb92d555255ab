/**
 * What must outlive the background context (Chrome stops an idle service worker; browsers restart):
 * connection records and retained entries in IndexedDB, secret values only in session storage.
 * IndexedDB rather than storage.local: entries are many and small, appended in batches and trimmed
 * by range, which storage.local (one JSON value per key, 10 MB) does badly.
 */
import type { ObservedOrigin } from '../../core/observe/observed-stream.js';
import type { ConnectionConfig } from '../../core/config.js';
import type { KeptCookie, ResumePoint } from '../../core/engine.js';
import type { HeaderPair, TimelineEntry } from '../../core/timeline.js';
import type { ConnectionStats } from '../../protocol/messages.js';

/** A connection as stored: config with secrets masked, and where to resume. */
export interface StoredConnection {
  id: string;
  label: string;
  createdAt: number;
  /** Secrets masked (headers and URL credentials); the real values are in session storage. */
  config: ConnectionConfig;
  /** Was running when last written: resume it after a restart. */
  active: boolean;
  resume: ResumePoint;
  stats: ConnectionStats;
  /** Set for a stream the inspected page opened: where it was seen. Never resumed. */
  observed?: ObservedOrigin;
}

/** The real values behind a stored config's masks. Lives in memory and storage.session only. */
export interface Secrets {
  url: string;
  headers: HeaderPair[];
  /** The body when it is marked secret; absent in secrets saved before bodies could be. */
  body?: string | null;
  /** The connection's own cookies (the engine caps them), with their expiry times. */
  cookies?: KeptCookie[];
}

export interface FlushBatch {
  entries: readonly TimelineEntry[];
  connections: readonly StoredConnection[];
  trims: readonly { connectionId: string; beforeSeq: number }[];
  removed: readonly string[];
}

export interface Persistence {
  /** The stored records, oldest connection first, without their entries. */
  loadConnections(): Promise<StoredConnection[]>;
  /**
   * A connection's stored entries from `fromSeq` on, in order, a chunk at a time, all read in one
   * transaction (no write lands between two chunks). `onChunk` runs synchronously per chunk and must
   * not keep the array past its use if memory matters.
   */
  readHistory(connectionId: string, fromSeq: number, onChunk: (entries: readonly TimelineEntry[]) => void): Promise<void>;
  write(batch: FlushBatch): Promise<void>;
  loadSecrets(id: string): Promise<Secrets | null>;
  saveSecrets(id: string, secrets: Secrets): Promise<void>;
  removeSecrets(id: string): Promise<void>;
}

const DB_NAME = 'sse-devtools';
/**
 * 1: one record per entry (`entries`, keyed [connectionId, seq]). 2: one record per flush per
 * connection (`chunks`); opening a version 1 database moves its entries into chunks.
 */
const DB_VERSION = 2;
const CONNECTIONS = 'connections';
const CHUNKS = 'chunks';
const V1_ENTRIES = 'entries';
/** Chunks the upgrade from version 1 builds: its entries arrive one by one, in order. */
const MIGRATION_CHUNK = 1000;

/**
 * A run of one connection's entries stored together: what one flush wrote for it. One `put` of one
 * structured clone per flush costs a fraction of one `put` per entry (bench/idb-write.ts). Keyed by
 * its last seq, so the chunks wholly before a trim point are one key range below it, and the one
 * chunk that straddles the trim point is the first at or above it.
 */
interface Chunk {
  connectionId: string;
  firstSeq: number;
  lastSeq: number;
  entries: TimelineEntry[];
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/**
 * Moves version 1's per-entry records into chunks, inside the upgrade's transaction, so an update
 * keeps what users retained and the stored records still resume right after their stored entries
 * (dropping the entries would restart their numbering under totals that already count them).
 */
function migrateEntries(tx: IDBTransaction, db: IDBDatabase): void {
  const chunks = tx.objectStore(CHUNKS);
  let run: TimelineEntry[] = [];
  const put = (): void => {
    const first = run[0];
    const last = run.at(-1);
    if (first && last) chunks.put({ connectionId: first.connectionId, firstSeq: first.seq, lastSeq: last.seq, entries: run } satisfies Chunk);
    run = [];
  };
  const cursor = tx.objectStore(V1_ENTRIES).openCursor();
  cursor.onsuccess = () => {
    const c = cursor.result;
    if (!c) {
      put();
      db.deleteObjectStore(V1_ENTRIES);
      return;
    }
    const e = c.value as TimelineEntry;
    if (run.length >= MIGRATION_CHUNK || (run.length > 0 && run[0]!.connectionId !== e.connectionId)) put();
    run.push(e);
    c.continue();
  };
}

function openDb(): Promise<IDBDatabase> {
  const req = indexedDB.open(DB_NAME, DB_VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains(CONNECTIONS)) db.createObjectStore(CONNECTIONS, { keyPath: 'id' });
    if (!db.objectStoreNames.contains(CHUNKS)) db.createObjectStore(CHUNKS, { keyPath: ['connectionId', 'lastSeq'] });
    if (db.objectStoreNames.contains(V1_ENTRIES)) migrateEntries(req.transaction!, db);
  };
  return request(req);
}

const range = (id: string, beforeSeq = Number.MAX_SAFE_INTEGER) => IDBKeyRange.bound([id, 0], [id, beforeSeq], false, true);

/** One chunk per connection, in the batch's order (each connection's entries arrive in seq order). */
function chunksOf(entries: readonly TimelineEntry[]): Chunk[] {
  const byId = new Map<string, TimelineEntry[]>();
  for (const e of entries) {
    const list = byId.get(e.connectionId);
    if (list) list.push(e);
    else byId.set(e.connectionId, [e]);
  }
  return [...byId].map(([connectionId, list]) => ({ connectionId, firstSeq: list[0]!.seq, lastSeq: list.at(-1)!.seq, entries: list }));
}

/** Session storage as the browser offers it: `storage.session` (Chrome 102+, Firefox 115+). */
export interface SessionArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(key: string): Promise<void>;
}

export function createIdbPersistence(session: SessionArea): Persistence {
  let dbPromise: Promise<IDBDatabase> | null = null;
  const db = () => (dbPromise ??= openDb());
  const secretKey = (id: string) => `secrets:${id}`;

  return {
    async loadConnections() {
      const d = await db();
      const connections = await request(d.transaction(CONNECTIONS, 'readonly').objectStore(CONNECTIONS).getAll() as IDBRequest<StoredConnection[]>);
      return connections.sort((a, b) => a.createdAt - b.createdAt);
    },
    async readHistory(connectionId, fromSeq, onChunk) {
      const d = await db();
      const tx = d.transaction(CHUNKS, 'readonly');
      // Chunks are keyed by their last seq: the first one holding fromSeq is the first at or above it.
      const cursor = tx.objectStore(CHUNKS).openCursor(IDBKeyRange.bound([connectionId, fromSeq], [connectionId, Number.MAX_SAFE_INTEGER]));
      await new Promise<void>((resolve, reject) => {
        cursor.onerror = () => reject(cursor.error ?? new Error('IndexedDB cursor failed'));
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (!c) {
            resolve();
            return;
          }
          const chunk = c.value as Chunk;
          try {
            onChunk(chunk.firstSeq >= fromSeq ? chunk.entries : chunk.entries.filter((e) => e.seq >= fromSeq));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
            return;
          }
          c.continue();
        };
      });
    },
    async write(batch) {
      const d = await db();
      const tx = d.transaction([CONNECTIONS, CHUNKS], 'readwrite');
      const connStore = tx.objectStore(CONNECTIONS);
      const chunkStore = tx.objectStore(CHUNKS);
      for (const c of batch.connections) connStore.put(c);
      for (const chunk of chunksOf(batch.entries)) chunkStore.put(chunk);
      // One trim per connection, the furthest: each rewrites the chunk it cuts through, and two
      // rewrites of one chunk in a transaction would race. A removed connection needs none.
      const trims = new Map<string, number>();
      for (const t of batch.trims) if (!batch.removed.includes(t.connectionId)) trims.set(t.connectionId, Math.max(t.beforeSeq, trims.get(t.connectionId) ?? 0));
      for (const [id, beforeSeq] of trims) {
        chunkStore.delete(range(id, beforeSeq));
        // The first chunk left may begin before the trim point: keep only its entries from there.
        // Its key (its last seq) stays, so the put replaces it. Rare: once per tenth of the cap.
        const straddling = chunkStore.get(IDBKeyRange.bound([id, beforeSeq], [id, Number.MAX_SAFE_INTEGER]));
        straddling.onsuccess = () => {
          const chunk = straddling.result as Chunk | undefined;
          if (!chunk || chunk.firstSeq >= beforeSeq) return;
          const kept = chunk.entries.filter((e) => e.seq >= beforeSeq);
          chunkStore.put({ ...chunk, firstSeq: kept[0]?.seq ?? beforeSeq, entries: kept } satisfies Chunk);
        };
      }
      for (const id of batch.removed) {
        connStore.delete(id);
        chunkStore.delete(range(id));
      }
      await done(tx);
    },
    async loadSecrets(id) {
      const got = await session.get(secretKey(id));
      return (got[secretKey(id)] as Secrets | undefined) ?? null;
    },
    saveSecrets: (id, secrets) => session.set({ [secretKey(id)]: secrets }),
    removeSecrets: (id) => session.remove(secretKey(id)),
  };
}
