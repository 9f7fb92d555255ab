/**
 * HAR to capture: each `text/event-stream` response a browser's Network panel (or Playwright's
 * recorder) saved becomes a connection with one attempt. HAR keeps the body but not when each
 * event arrived, so events carry the response's time, and the attempt says so. Untrusted input:
 * only the fields used are read, each checked, and the result is validated like any capture.
 */
import { createParser } from 'eventsource-parser';
import { defaultConfig } from '../config.js';
import { createMasker, knownSecretValues, maskEntryBody, maskHeaders, maskUrl } from '../secrets.js';
import type { EntryBody, HeaderPair, TimelineEntry } from '../timeline.js';
import { utf8Length } from '../utf8.js';
import { buildCapture, type CaptureFile } from './format.js';
import { CAPTURE_LIMITS, validateCapture, type CaptureResult } from './schema.js';

interface HarHeader {
  name?: unknown;
  value?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function headersOf(list: unknown): HeaderPair[] {
  if (!Array.isArray(list)) return [];
  return (list as HarHeader[])
    .filter((h) => typeof h?.name === 'string' && typeof h.value === 'string' && !(h.name as string).startsWith(':'))
    .slice(0, CAPTURE_LIMITS.headers)
    .map((h) => [h.name as string, h.value as string]);
}

export function isHar(json: unknown): boolean {
  return typeof json === 'object' && json !== null && Array.isArray((json as { log?: { entries?: unknown } }).log?.entries);
}

function decodeBody(content: Record<string, unknown>): string | null {
  const text = str(content.text);
  if (text === null) return null;
  if (content.encoding === 'base64') {
    try {
      return new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
    } catch {
      return null;
    }
  }
  return text;
}

class TooManyEntries extends Error {}

/**
 * One HAR entry's SSE body as timeline entries, parsed by eventsource-parser like a live stream.
 * Stops at the capture limit while parsing: a small hostile body ("\n" × millions) must not build
 * millions of entries before validation refuses them.
 */
function bodyEntries(text: string, budget: number): { bodies: EntryBody[]; events: number } {
  const bodies: EntryBody[] = [];
  const push = (b: EntryBody) => {
    if (bodies.length >= budget) throw new TooManyEntries();
    bodies.push(b);
  };
  let lastEventId = '';
  let events = 0;
  const parser = createParser({
    // A block with an id and no data still sets the last event ID (WHATWG dispatch step 1).
    onId: (id) => {
      lastEventId = id;
    },
    onEvent: (m) => {
      if (m.id !== undefined) lastEventId = m.id;
      events++;
      push({ kind: 'event', type: m.event ?? 'message', id: m.id ?? null, lastEventId, data: m.data, size: utf8Length(m.data) });
    },
    onComment: (c) => push({ kind: 'comment', text: c }),
    onRetry: (ms) => push({ kind: 'retry-changed', delayMs: ms }),
    onError: (e) => {
      if (e.type === 'unknown-field' || e.type === 'invalid-retry') push({ kind: 'ignored-line', why: e.type, line: (e.line ?? '').slice(0, 512) });
    },
    maxBufferSize: CAPTURE_LIMITS.dataChars,
  });
  parser.feed(text);
  return { bodies, events };
}

export function harToCapture(json: unknown, toolVersion: string): CaptureResult {
  if (!isHar(json)) return { ok: false, errors: ['Not a HAR file: there is no log.entries list'] };
  const entries = (json as { log: { entries: unknown[] } }).log.entries;
  const sources: { id: string; config: ReturnType<typeof defaultConfig>; entries: TimelineEntry[] }[] = [];
  let tooBig: string | null = null;
  entries.forEach((raw, index) => {
    if (tooBig !== null || typeof raw !== 'object' || raw === null) return;
    const e = raw as Record<string, Record<string, unknown> | unknown>;
    const request = (e.request ?? {}) as Record<string, unknown>;
    const response = (e.response ?? {}) as Record<string, unknown>;
    const content = (response.content ?? {}) as Record<string, unknown>;
    const responseHeaders = headersOf(response.headers);
    const type = str(content.mimeType) ?? responseHeaders.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
    if (!type.toLowerCase().startsWith('text/event-stream')) return;
    const url = str(request.url);
    if (url === null || sources.length >= CAPTURE_LIMITS.connections) return;
    const id = `har-${index + 1}`;
    const started = Date.parse(str(e.startedDateTime) ?? '');
    const t0 = Number.isFinite(started) ? started : 0;
    const timings = (e.timings ?? {}) as Record<string, unknown>;
    const toHeaders = ['blocked', 'dns', 'connect', 'send', 'wait'].reduce((sum, k) => sum + Math.max(0, num(timings[k]) ?? 0), 0);
    const total = Math.max(toHeaders, num(e.time) ?? toHeaders);
    const method = str(request.method) ?? 'GET';
    const requestHeaders = headersOf(request.headers);
    const config = { ...defaultConfig(url), method, headers: requestHeaders, body: str((request.postData as Record<string, unknown> | undefined)?.text) };
    const status = num(response.status) ?? 0;
    const body = decodeBody(content);
    let seq = 1;
    const out: TimelineEntry[] = [];
    // The request's secrets, wherever the saved response echoes them: as the engine does live.
    const mask = createMasker(knownSecretValues(config));
    const push = (time: number, b: EntryBody) => out.push({ connectionId: id, attempt: 1, seq: seq++, time, ...(mask === null ? b : maskEntryBody(b, mask)) } as TimelineEntry);
    const lastEventIdHeader = requestHeaders.find(([n]) => n.toLowerCase() === 'last-event-id')?.[1] ?? null;
    push(t0, { kind: 'attempt-started', method, url: maskUrl(url), headers: maskHeaders(requestHeaders), lastEventId: lastEventIdHeader, lastEventIdVia: lastEventIdHeader === null ? 'none' : 'header' });
    push(t0 + toHeaders, { kind: 'response', status, statusText: str(response.statusText) ?? '', url: maskUrl(url), redirected: false, headers: maskHeaders(responseHeaders), timeToHeadersMs: toHeaders });
    let parsed: { bodies: EntryBody[]; events: number };
    try {
      parsed = body === null ? { bodies: [], events: 0 } : bodyEntries(body, CAPTURE_LIMITS.entriesPerConnection - 4);
    } catch (err) {
      if (!(err instanceof TooManyEntries)) throw err;
      tooBig = `HAR entry ${index + 1} holds more than ${CAPTURE_LIMITS.entriesPerConnection.toLocaleString('en-US')} events, comments and fields, the limit for one connection`;
      return;
    }
    for (const b of parsed.bodies) push(t0 + toHeaders, b);
    const detail =
      body === null
        ? 'imported from HAR: the browser saved no content for this stream, so its events are unknown'
        : 'imported from HAR: the body as the browser saved it; HAR does not record when each event arrived, so events carry the response time';
    push(t0 + total, { kind: 'attempt-ended', reason: 'closed-by-server', status: null, detail, durationMs: total, bytes: body === null ? 0 : utf8Length(body), events: parsed.events });
    push(t0 + total, { kind: 'stopped', why: 'imported from a HAR file: one request, as recorded' });
    sources.push({ id, config, entries: out });
  });
  if (tooBig !== null) return { ok: false, errors: [tooBig] };
  if (sources.length === 0) return { ok: false, errors: ['This HAR file has no text/event-stream responses'] };
  const capture: CaptureFile = buildCapture(sources, toolVersion);
  return validateCapture(capture);
}
