/**
 * HAR to capture: each `text/event-stream` response a browser's Network panel (or Playwright's
 * recorder) saved becomes a connection with one attempt. HAR keeps the body but not when each
 * event arrived, so events carry the response's time, and the attempt says so. Untrusted input:
 * only the fields used are read, each checked, and the result is validated like any capture.
 */
import { createParser } from 'eventsource-parser';
import { defaultConfig, HTTP_TOKEN } from '../config.js';
import { createMasker, knownSecretValues, maskEntryBody, maskHeaders, maskUrl } from '../secrets.js';
import type { EntryBody, HeaderPair, TimelineEntry } from '../timeline.js';
import { utf8Length } from '../utf8.js';
import { count, LIMITS } from '../limits.js';
import { buildCapture, type CaptureFile } from './format.js';
import { FROM_HAR } from './from-har.js';
import { validateCapture, type CaptureResult } from './schema.js';

interface HarHeader {
  name?: unknown;
  value?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function headersOf(list: unknown): HeaderPair[] {
  if (!Array.isArray(list)) return [];
  return (list as HarHeader[])
    .filter((h) => typeof h?.name === 'string' && typeof h.value === 'string' && !h.name.startsWith(':'))
    .slice(0, LIMITS.headers)
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

/** Lifecycle entries each stream gets besides its body's: attempt started, response, ended, stopped. */
const LIFECYCLE = 4;

/**
 * What the whole file may still build, shared by its streams. Once spent, bodies are only counted,
 * not turned into entries: a small hostile body ("\n" × millions), or a few bodies that add up,
 * must not build millions of entries before they are refused; the count says how big it would be.
 */
interface Budget {
  entries: number;
  dataChars: number;
  spent: boolean;
}

/**
 * One HAR entry's SSE body as timeline entries, parsed by eventsource-parser like a live stream.
 * `entries` is the body's whole count, also when the budget ran out and `bodies` stopped short.
 */
function bodyEntries(text: string, budget: Budget): { bodies: EntryBody[]; events: number; entries: number } {
  const bodies: EntryBody[] = [];
  let entries = 0;
  const push = (b: EntryBody, chars: number) => {
    entries++;
    budget.entries++;
    budget.dataChars += chars;
    if (budget.entries > LIMITS.entriesPerFile || budget.dataChars > LIMITS.dataCharsPerFile || entries > LIMITS.entriesPerConnection - LIFECYCLE) {
      budget.spent = true;
      bodies.length = 0;
    }
    if (!budget.spent) bodies.push(b);
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
      if (budget.spent) return push({ kind: 'comment', text: '' }, m.data.length);
      push({ kind: 'event', type: m.event ?? 'message', id: m.id ?? null, lastEventId, data: m.data, size: utf8Length(m.data) }, m.data.length);
    },
    onComment: (c) => push({ kind: 'comment', text: c }, c.length),
    onRetry: (ms) => push({ kind: 'retry-changed', delayMs: ms }, 0),
    onError: (e) => {
      if (e.type === 'unknown-field' || e.type === 'invalid-retry') push({ kind: 'ignored-line', why: e.type, line: (e.line ?? '').slice(0, 512) }, 0);
    },
    // Room for the field name and line ending around the largest event the schema accepts.
    maxBufferSize: LIMITS.eventDataChars + 64,
  });
  parser.feed(text);
  return { bodies, events, entries };
}

export function harToCapture(json: unknown, toolVersion: string): CaptureResult {
  if (!isHar(json)) return { ok: false, errors: ['Not a HAR file: there is no log.entries list'] };
  const entries = (json as { log: { entries: unknown[] } }).log.entries;
  const sources: { id: string; config: ReturnType<typeof defaultConfig>; entries: TimelineEntry[] }[] = [];
  const budget: Budget = { entries: 0, dataChars: 0, spent: false };
  let streams = 0;
  let tooBig: string | null = null;
  let badTime: string | null = null;
  let badMethod: string | null = null;
  entries.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null) return;
    const e = raw as Record<string, unknown>;
    const request = (e.request ?? {}) as Record<string, unknown>;
    const response = (e.response ?? {}) as Record<string, unknown>;
    const content = (response.content ?? {}) as Record<string, unknown>;
    const responseHeaders = headersOf(response.headers);
    const type = str(content.mimeType) ?? responseHeaders.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
    if (!type.toLowerCase().startsWith('text/event-stream')) return;
    const url = str(request.url);
    if (url === null || streams >= LIMITS.connectionsPerFile) return;
    streams++;
    const id = `har-${index + 1}`;
    const started = Date.parse(str(e.startedDateTime) ?? '');
    if (!(started >= LIMITS.timeMin && started <= LIMITS.timeMax)) {
      badTime ??= `HAR entry ${index + 1}: startedDateTime ${JSON.stringify(str(e.startedDateTime)?.slice(0, 40) ?? null)} is not a time between 2000 and 2200`;
    }
    // Converting goes on regardless, so that a file too big is reported as such first.
    const t0 = badTime === null ? started : LIMITS.timeMin;
    const timings = (e.timings ?? {}) as Record<string, unknown>;
    const toHeaders = ['blocked', 'dns', 'connect', 'send', 'wait'].reduce((sum, k) => sum + Math.max(0, num(timings[k]) ?? 0), 0);
    const total = Math.max(toHeaders, num(e.time) ?? toHeaders);
    const method = str(request.method) ?? 'GET';
    if (!HTTP_TOKEN.test(method) || method.length > 16) {
      badMethod ??= `HAR entry ${index + 1}: request.method is not an HTTP method (a token of letters, digits and !#$%&'*+-.^_\`|~, at most 16)`;
      return;
    }
    const requestHeaders = headersOf(request.headers);
    const config = { ...defaultConfig(url), method, headers: requestHeaders, body: str((request.postData as Record<string, unknown> | undefined)?.text) };
    const status = num(response.status) ?? 0;
    const body = decodeBody(content);
    let seq = 1;
    const out: TimelineEntry[] = [];
    // The request's secrets, wherever the saved response echoes them: as the engine does live.
    const mask = createMasker(knownSecretValues(config));
    const push = (time: number, b: EntryBody) => out.push({ connectionId: id, attempt: 1, seq: seq++, time, ...(mask === null ? b : maskEntryBody(b, mask)) });
    const lastEventIdHeader = requestHeaders.find(([n]) => n.toLowerCase() === 'last-event-id')?.[1] ?? null;
    push(t0, { kind: 'attempt-started', method, url: maskUrl(url), headers: maskHeaders(requestHeaders), lastEventId: lastEventIdHeader, lastEventIdVia: lastEventIdHeader === null ? 'none' : 'header' });
    push(t0 + toHeaders, { kind: 'response', status, statusText: str(response.statusText) ?? '', url: maskUrl(url), redirected: false, headers: maskHeaders(responseHeaders), timeToHeadersMs: toHeaders });
    budget.entries += LIFECYCLE;
    const parsed = body === null ? { bodies: [], events: 0, entries: 0 } : bodyEntries(body, budget);
    if (parsed.entries + LIFECYCLE > LIMITS.entriesPerConnection) {
      tooBig ??= `HAR entry ${index + 1} holds more than ${count(LIMITS.entriesPerConnection)} events, comments and fields, the limit for one connection: it would become ${count(parsed.entries + LIFECYCLE)} timeline entries`;
    }
    // Past the budget only the counting goes on: nothing more is built or kept.
    if (budget.spent) {
      sources.length = 0;
      return;
    }
    for (const b of parsed.bodies) push(t0 + toHeaders, b);
    const detail =
      FROM_HAR +
      (body === null
        ? 'the browser saved no content for this stream, so its events are unknown'
        : 'the body as the browser saved it; HAR does not record when each event arrived, so events carry the response time');
    push(t0 + total, { kind: 'attempt-ended', reason: 'closed-by-server', status: null, detail, durationMs: total, bytes: body === null ? 0 : utf8Length(body), events: parsed.events });
    push(t0 + total, { kind: 'stopped', why: 'imported from a HAR file: one request, as recorded' });
    sources.push({ id, config, entries: out });
  });
  if (budget.spent) {
    const errors: string[] = tooBig === null ? [] : [tooBig];
    if (budget.entries > LIMITS.entriesPerFile) {
      errors.push(`This HAR would become ${count(budget.entries)} timeline entries (${count(streams)} streams); SSE DevTools opens at most ${count(LIMITS.entriesPerFile)} entries per file. Save a HAR of fewer or shorter streams.`);
    }
    if (budget.dataChars > LIMITS.dataCharsPerFile) {
      errors.push(`This HAR would hold ${count(budget.dataChars)} characters of event data; SSE DevTools opens at most ${count(LIMITS.dataCharsPerFile)} per file.`);
    }
    return { ok: false, errors };
  }
  if (badMethod !== null) return { ok: false, errors: [badMethod] };
  if (badTime !== null) return { ok: false, errors: [badTime] };
  if (sources.length === 0) return { ok: false, errors: ['This HAR file has no text/event-stream responses'] };
  const capture: CaptureFile = buildCapture(sources, toolVersion);
  return validateCapture(capture);
}
