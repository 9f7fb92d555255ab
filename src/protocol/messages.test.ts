/**
 * Entries cross from the background to the panel as columns: every field of an event comes back as
 * it was, the optional ones too (the doctor reads `read` for bursts and `framing` for its table).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TimelineEntry } from '../core/timeline.js';
import { decodeEntries, encodeEntries } from './messages.js';

test('events keep their read number and framing notes through the port encoding', () => {
  const base = { connectionId: 'c1', attempt: 1, kind: 'event', type: 'message', id: null, lastEventId: '', data: 'x', size: 1 } as const;
  const entries: TimelineEntry[] = [
    { ...base, seq: 1, time: 10, read: 1, framing: [{ trap: 'no-space', detail: '"data:" with no space before its value' }] },
    { connectionId: 'c1', attempt: 1, seq: 2, time: 11, kind: 'comment', text: 'hb' },
    { ...base, seq: 3, time: 12, read: 2 },
    { ...base, seq: 4, time: 13 },
  ];
  const wire = JSON.parse(JSON.stringify(encodeEntries(entries))) as ReturnType<typeof encodeEntries>;
  assert.deepEqual(decodeEntries(wire), entries);
  assert.deepEqual(decodeEntries(wire, 2, 4), entries.slice(2, 4));
});
