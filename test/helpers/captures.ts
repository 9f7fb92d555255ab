/** Captures made up for a test: one attempt of events, ended by the server, as a real capture file. */
import { buildCapture, type CaptureFile } from '../../src/core/capture/format.js';
import { defaultConfig } from '../../src/core/config.js';
import type { TimelineEntry } from '../../src/core/timeline.js';

export interface MadeEvent {
  type?: string;
  id?: string | null;
  data: string;
}

/** `spacingMs` apart from the response on; the attempt ends right after the last event. */
export function madeCapture(events: readonly MadeEvent[], spacingMs = 0): CaptureFile {
  const c = 'c1';
  const t0 = 1_700_000_000_000;
  let seq = 1;
  const entries: TimelineEntry[] = [
    { connectionId: c, attempt: 1, seq: seq++, time: t0, kind: 'attempt-started', method: 'GET', url: 'http://127.0.0.1:1/events', headers: [], lastEventId: null, lastEventIdVia: 'none' },
    { connectionId: c, attempt: 1, seq: seq++, time: t0, kind: 'response', status: 200, statusText: 'OK', url: 'http://127.0.0.1:1/events', redirected: false, headers: [['content-type', 'text/event-stream']], timeToHeadersMs: 1 },
  ];
  let lastEventId = '';
  events.forEach((e, i) => {
    if (e.id !== undefined && e.id !== null) lastEventId = e.id;
    entries.push({ connectionId: c, attempt: 1, seq: seq++, time: t0 + (i + 1) * spacingMs, kind: 'event', type: e.type ?? 'message', id: e.id ?? null, lastEventId, data: e.data, size: Buffer.byteLength(e.data) });
  });
  const end = t0 + (events.length + 1) * spacingMs;
  entries.push({ connectionId: c, attempt: 1, seq: seq++, time: end, kind: 'attempt-ended', reason: 'closed-by-server', status: null, detail: 'the server ended the response', durationMs: end - t0, bytes: 0, events: events.length });
  return buildCapture([{ id: c, config: defaultConfig('http://127.0.0.1:1/events'), entries }], '0.0.0');
}

/** `count` events with ids 1…count and `dataBytes` of data each. */
export function bulkCapture(count: number, dataBytes: number, spacingMs = 0): CaptureFile {
  const data = 'x'.repeat(dataBytes);
  return madeCapture(Array.from({ length: count }, (_, i) => ({ type: 'tick', id: String(i + 1), data })), spacingMs);
}
