/**
 * The background's Persistence contract kept in memory: the test double the Node tests of the
 * connection manager and port hub store through (the product stores in IndexedDB).
 */
import type { Persistence, Secrets, StoredConnection } from '../../src/extension/background/persistence.js';
import type { TimelineEntry } from '../../src/core/timeline.js';

export function createMemoryPersistence(): Persistence & { stored: Map<string, StoredConnection>; storedEntries: Map<string, TimelineEntry[]> } {
  const stored = new Map<string, StoredConnection>();
  const storedEntries = new Map<string, TimelineEntry[]>();
  const secrets = new Map<string, Secrets>();
  return {
    stored,
    storedEntries,
    async loadConnections() {
      return [...stored.values()].map((c) => structuredClone(c));
    },
    async readHistory(connectionId, fromSeq, onChunk) {
      // Read as one transaction would: what is stored now, in chunks, whatever is written meanwhile.
      const list = (storedEntries.get(connectionId) ?? []).filter((e) => e.seq >= fromSeq);
      await Promise.resolve();
      for (let i = 0; i < list.length; i += 1000) onChunk(list.slice(i, i + 1000));
    },
    async write(batch) {
      for (const c of batch.connections) stored.set(c.id, structuredClone(c));
      for (const e of batch.entries) {
        const list = storedEntries.get(e.connectionId) ?? [];
        list.push(e);
        storedEntries.set(e.connectionId, list);
      }
      for (const t of batch.trims) storedEntries.set(t.connectionId, (storedEntries.get(t.connectionId) ?? []).filter((e) => e.seq >= t.beforeSeq));
      for (const id of batch.removed) {
        stored.delete(id);
        storedEntries.delete(id);
      }
    },
    async loadSecrets(id) {
      return secrets.get(id) ?? null;
    },
    async saveSecrets(id, s) {
      secrets.set(id, s);
    },
    async removeSecrets(id) {
      secrets.delete(id);
    },
  };
}

/** Every record and every stored entry, read through the contract as the background reads them. */
export async function readEverything(p: Persistence): Promise<{ connections: StoredConnection[]; entries: Record<string, TimelineEntry[]> }> {
  const connections = await p.loadConnections();
  const entries: Record<string, TimelineEntry[]> = {};
  for (const c of connections) {
    const list: TimelineEntry[] = [];
    await p.readHistory(c.id, 0, (chunk) => list.push(...chunk));
    entries[c.id] = list;
  }
  return { connections, entries };
}
