import type { EntryBody, TimelineEntry } from '../../src/core/timeline.js';

/** Entries as an engine writes them: one connection, numbered, each 10 ms after the last unless told otherwise. */
export function entryLog(connectionId = 'c1') {
  const entries: TimelineEntry[] = [];
  let seq = 1;
  let time = 1_800_000_000_000;
  return {
    entries,
    add(attempt: number, body: EntryBody, afterMs = 10): TimelineEntry {
      time += afterMs;
      const e: TimelineEntry = { connectionId, attempt, seq: seq++, time, ...body };
      entries.push(e);
      return e;
    },
  };
}
