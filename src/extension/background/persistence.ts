/**
 * What must outlive the background context (Chrome stops an idle service worker; browsers restart):
 * connection records and retained entries in IndexedDB, secret values only in session storage.
 * IndexedDB rather than storage.local: entries are many and small, appended in batches and trimmed
 * by range, which storage.local (one JSON value per key, 10 MB) does badly.
 */
import type { ConnectionConfig } from '../../core/config.js';
import type { ResumePoint } from '../../core/engine.js';
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
}

/** The real values behind a stored config's masks. Lives in memory and storage.session only. */
export interface Secrets {
  url: string;
  headers: HeaderPair[];
  /** The body when it is marked secret; absent in secrets saved before bodies could be. */
  body?: string | null;
}

export interface FlushBatch {
  entries: readonly TimelineEntry[];
  connections: readonly StoredConnection[];
  trims: readonly { connectionId: string; beforeSeq: number }[];
  removed: readonly string[];
}

export interface Persistence {
  load(): Promise<{ connections: StoredConnection[]; entries: Map<string, TimelineEntry[]> }>;
  write(batch: FlushBatch): Promise<void>;
  loadSecrets(id: string): Promise<Secrets | null>;
  saveSecrets(id: string, secrets: Secrets): Promise<void>;
  removeSecrets(id: string): Promise<void>;
}

const DB_NAME = 'sse-devtools';
const DB_VERSION = 1;
const CONNECTIONS = 'connections';
const ENTRIES = 'entries';

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

function openDb(): Promise<IDBDatabase> {
  const req = indexedDB.open(DB_NAME, DB_VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains(CONNECTIONS)) db.createObjectStore(CONNECTIONS, { keyPath: 'id' });
    if (!db.objectStoreNames.contains(ENTRIES)) db.createObjectStore(ENTRIES, { keyPath: ['connectionId', 'seq'] });
  };
  return request(req);
}

const range = (id: string, beforeSeq = Number.MAX_SAFE_INTEGER) => IDBKeyRange.bound([id, 0], [id, beforeSeq], false, true);

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
    async load() {
      const d = await db();
      const tx = d.transaction([CONNECTIONS, ENTRIES], 'readonly');
      const connections = await request(tx.objectStore(CONNECTIONS).getAll() as IDBRequest<StoredConnection[]>);
      const entries = new Map<string, TimelineEntry[]>();
      for (const c of connections) {
        entries.set(c.id, await request(tx.objectStore(ENTRIES).getAll(range(c.id)) as IDBRequest<TimelineEntry[]>));
      }
      connections.sort((a, b) => a.createdAt - b.createdAt);
      return { connections, entries };
    },
    async write(batch) {
      const d = await db();
      const tx = d.transaction([CONNECTIONS, ENTRIES], 'readwrite');
      const connStore = tx.objectStore(CONNECTIONS);
      const entryStore = tx.objectStore(ENTRIES);
      for (const c of batch.connections) connStore.put(c);
      for (const e of batch.entries) entryStore.put(e);
      for (const t of batch.trims) entryStore.delete(range(t.connectionId, t.beforeSeq));
      for (const id of batch.removed) {
        connStore.delete(id);
        entryStore.delete(range(id));
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
