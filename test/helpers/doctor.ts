/** Timeline entries written by hand for the doctor's checks, and the doctor run over a list of them. */
import { createDoctor, type Doctor, type Health } from '../../src/core/doctor/doctor.js';
import type { DoctorContext } from '../../src/core/doctor/check.js';
import type { EndReason, EntryBody, HeaderPair, TimelineEntry } from '../../src/core/timeline.js';

export const STREAM_HEADERS: HeaderPair[] = [
  ['content-type', 'text/event-stream; charset=utf-8'],
  ['cache-control', 'no-cache'],
];

/** Entries of one connection, numbered and timed in order; `at` sets the time of the next ones (ms from 0). */
export function timeline(connectionId = 'c1') {
  const entries: TimelineEntry[] = [];
  let seq = 0;
  let attempt = 0;
  let time = 1_000_000;
  const push = (body: EntryBody): TimelineEntry => {
    const e: TimelineEntry = { connectionId, attempt, seq: ++seq, time, ...body };
    entries.push(e);
    return e;
  };
  const api = {
    entries,
    at(ms: number) {
      time = 1_000_000 + ms;
      return api;
    },
    attempt(lastEventId: string | null = null, headers: HeaderPair[] = []) {
      attempt++;
      push({ kind: 'attempt-started', method: 'GET', url: 'http://127.0.0.1/events', headers, lastEventId, lastEventIdVia: lastEventId === null ? 'none' : 'header' });
      return api;
    },
    response(headers: HeaderPair[] = STREAM_HEADERS, status = 200) {
      push({ kind: 'response', status, statusText: 'OK', url: 'http://127.0.0.1/events', redirected: false, headers, timeToHeadersMs: 5 });
      return api;
    },
    event(id: string | null, data = '{}', lastEventId?: string) {
      const last = lastEventId ?? id ?? [...entries].reverse().find((e) => e.kind === 'event')?.lastEventId ?? '';
      push({ kind: 'event', type: 'message', id, lastEventId: id ?? last, data, size: data.length });
      return api;
    },
    retry(delayMs: number) {
      push({ kind: 'retry-changed', delayMs });
      return api;
    },
    comment(text = 'ping') {
      push({ kind: 'comment', text });
      return api;
    },
    end(reason: EndReason = 'closed-by-server', detail = '') {
      push({ kind: 'attempt-ended', reason, status: null, detail, durationMs: 0, bytes: 0, events: 0 });
      return api;
    },
    fault(fault: string) {
      push({ kind: 'fault-injected', fault, detail: `${fault} simulation` });
      return api;
    },
    reconnect(delayMs: number | null, lastEventId: string | null = null) {
      push({ kind: 'reconnect-scheduled', delayMs, why: delayMs === null ? 'browser default' : `${delayMs} ms`, nextAttempt: attempt + 1, lastEventId });
      return api;
    },
  };
  return api;
}

export function healthOf(entries: readonly TimelineEntry[], context: DoctorContext = { openStreamsOfOrigin: null }): Health {
  const doctor: Doctor = createDoctor(context);
  entries.forEach((e) => doctor.add(e));
  return doctor.health();
}

export const codes = (h: Health): string[] => h.findings.map((f) => f.code).sort();
