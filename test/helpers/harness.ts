/** Runs a real engine connection and lets a test wait for what it should see. */
import { defaultConfig, type ConnectionConfig } from '../../src/core/config.js';
import { createConnection, type Connection, type EngineDeps } from '../../src/core/engine.js';
import type { ReconnectPolicy } from '../../src/core/policy.js';
import type { AttemptEndedEntry, EventEntry, TimelineEntry } from '../../src/core/timeline.js';

export interface Run {
  connection: Connection;
  entries: TimelineEntry[];
  /** Resolves when pred holds over the entries so far; rejects with the timeline if it never does. */
  until(pred: (entries: TimelineEntry[]) => boolean, what: string, guardMs?: number): Promise<void>;
  untilClosed(guardMs?: number): Promise<void>;
  events(): EventEntry[];
  ends(): AttemptEndedEntry[];
}

export type ConfigPatch = Omit<Partial<ConnectionConfig>, 'reconnect'> & { reconnect?: Partial<ReconnectPolicy> };

export function config(url: string, patch: ConfigPatch = {}): ConnectionConfig {
  const base = defaultConfig(url);
  return { ...base, ...patch, reconnect: { ...base.reconnect, ...patch.reconnect } };
}

export function run(cfg: ConnectionConfig, deps?: Partial<EngineDeps>, id = 'test'): Run {
  const entries: TimelineEntry[] = [];
  const listeners = new Set<() => void>();
  const connection = createConnection({
    id,
    config: cfg,
    deps,
    onEntry: (e) => {
      entries.push(e);
      listeners.forEach((l) => l());
    },
  });
  const until = (pred: (entries: TimelineEntry[]) => boolean, what: string, guardMs = 15000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pred(entries)) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve();
      };
      // A guard, not a timing assertion: it turns a hang into a readable failure.
      const timer = setTimeout(() => {
        listeners.delete(check);
        connection.close();
        reject(new Error(`never saw ${what}; timeline:\n${entries.map((e) => JSON.stringify(e)).join('\n')}`));
      }, guardMs);
      listeners.add(check);
      check();
    });
  connection.start();
  return {
    connection,
    entries,
    until,
    untilClosed: (guardMs) => until((es) => es.some((e) => e.kind === 'stopped'), 'the connection stop', guardMs),
    events: () => entries.filter((e): e is EventEntry => e.kind === 'event'),
    ends: () => entries.filter((e): e is AttemptEndedEntry => e.kind === 'attempt-ended'),
  };
}

export const countOf = (kind: TimelineEntry['kind']) => (es: TimelineEntry[]) => es.filter((e) => e.kind === kind).length;
