/**
 * Streams the inspected page opened before observation began, which no hook can see any more: read
 * from DevTools' own network log (a HAR, `devtools.network.getHAR()`) so the panel can list them
 * as "opened before observing" and offer to reload and observe. The log is what the page's traffic
 * was: hostile input, read field by field, cut to small sizes, secrets masked like ours (the log
 * carries Authorization and cookies unmasked).
 *
 * Whether a stream is still open the log does not say (an open request's `time` is only its last
 * data so far). A finished request has a resource timing entry in its page
 * (`performance.getEntriesByType('resource')`, written when a response ends, also when it fails or
 * is cancelled; measured in Chromium 156): a stream without one is taken to be open.
 */
import { maskHeaders, maskUrl } from '../secrets.js';
import type { HeaderPair } from '../timeline.js';

/** Streams listed at most; past it the list says how many more. */
export const MAX_LISTED = 50;
/** Log entries read at most: the log holds every request since DevTools opened. */
const MAX_ENTRIES = 20_000;
/** Candidates kept (the latest): each is matched against the page's finished requests. */
const MAX_CANDIDATES = 500;
const URL_CHARS = 2048;
const TEXT_CHARS = 200;
const HEADERS = 64;
/** A request and its resource timing entry start within this of each other (two clocks, rounded). */
const SAME_START_MS = 250;

export interface StreamBefore {
  /** The full URL, to match with the page's resource timing; never shown (it may carry a token). */
  rawUrl: string;
  /** The Referer it was sent with (the frame that asked, when same-origin), to ask that frame; never shown. */
  referer: string;
  url: string;
  method: string;
  /** How the page opened it, as DevTools' log says: EventSource, fetch, XHR, or what the log called it. */
  type: string;
  /** Who started it: "script http://…/app.js:12", "parser …", "other". */
  initiator: string;
  startedAt: number;
  status: number;
  /** The request's headers as they left, secrets masked. */
  headers: HeaderPair[];
  /** Events DevTools saw on it so far (its EventStream tab), and the last id among them. */
  events: number;
  lastEventId: string | null;
}

export interface HarStreams {
  streams: StreamBefore[];
  /** Open streams past MAX_LISTED, counted. */
  more: number;
}

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const text = (v: unknown, max: number): string => (typeof v === 'string' ? v.slice(0, max) : '');

const TYPES: Record<string, string> = { eventsource: 'EventSource', fetch: 'fetch', xhr: 'XHR' };

function initiatorOf(value: unknown): string {
  const i = obj(value);
  const type = text(i.type, 40) || 'other';
  const frames = obj(i.stack).callFrames;
  const top = Array.isArray(frames) && frames.length > 0 ? obj(frames[0]) : {};
  const url = text(i.url, URL_CHARS) || text(top.url, URL_CHARS);
  const line = typeof i.lineNumber === 'number' ? i.lineNumber : typeof top.lineNumber === 'number' ? top.lineNumber : null;
  return url === '' ? type : `${type} ${maskUrl(url)}${line === null ? '' : `:${line + 1}`}`;
}

function headersOf(value: unknown): HeaderPair[] {
  if (!Array.isArray(value)) return [];
  const out: HeaderPair[] = [];
  for (const h of value.slice(0, HEADERS)) {
    const name = text(obj(h).name, TEXT_CHARS);
    if (name !== '' && !name.startsWith(':')) out.push([name, text(obj(h).value, TEXT_CHARS * 4)]);
  }
  return maskHeaders(out);
}

/**
 * The event streams in `har` (a getHAR result: `{ entries }`, or a whole HAR `{ log: { entries } }`)
 * that started in the current page (at or after `pageStart`) and before `since` (when the hook
 * began watching; null: no hook, so none is seen), and did not fail: candidates, before the
 * page's resource timing says which have ended. Never throws.
 */
export function streamsInHar(har: unknown, pageStart: number, since: number | null): StreamBefore[] {
  const h = obj(har);
  const entries = Array.isArray(h.entries) ? h.entries : Array.isArray(obj(h.log).entries) ? (obj(h.log).entries as unknown[]) : [];
  const out: StreamBefore[] = [];
  for (const raw of entries.slice(-MAX_ENTRIES)) {
    const e = obj(raw);
    const response = obj(e.response);
    const type = text(e._resourceType, 40).toLowerCase();
    const mime = text(obj(response.content).mimeType, TEXT_CHARS).split(';')[0]!.trim().toLowerCase();
    if (mime !== 'text/event-stream' && type !== 'eventsource') continue;
    // A failed or cancelled request (the page's close() among them) is over.
    if (response._error !== null && response._error !== undefined && response._error !== '') continue;
    const startedAt = Date.parse(text(e.startedDateTime, 64));
    if (!Number.isFinite(startedAt) || startedAt < pageStart - SAME_START_MS || (since !== null && startedAt >= since)) continue;
    const request = obj(e.request);
    const rawUrl = text(request.url, URL_CHARS);
    if (rawUrl === '') continue;
    const messages = Array.isArray(e._eventSourceMessages) ? e._eventSourceMessages : [];
    const last = messages.length > 0 ? obj(messages[messages.length - 1]) : {};
    const status = typeof response.status === 'number' && Number.isInteger(response.status) ? response.status : 0;
    const referer = Array.isArray(request.headers) ? (request.headers as unknown[]).map(obj).find((x) => typeof x.name === 'string' && x.name.toLowerCase() === 'referer') : undefined;
    out.push({
      rawUrl,
      referer: text(referer?.value, URL_CHARS),
      url: maskUrl(rawUrl),
      method: text(request.method, 16) || 'GET',
      type: TYPES[type] ?? (type || 'other'),
      initiator: initiatorOf(e._initiator),
      startedAt,
      status,
      headers: headersOf(request.headers),
      events: messages.length,
      lastEventId: typeof last.eventId === 'string' && last.eventId !== '' ? last.eventId.slice(0, TEXT_CHARS) : null,
    });
  }
  return out.slice(-MAX_CANDIDATES);
}

/**
 * The candidates that have no finished resource timing entry: `finished` is `[url, start]` (epoch
 * ms) as the page reported them, the page's word, so only matched against, never shown. Each
 * finished entry accounts for one request, the one of the same URL that started nearest to it.
 */
export function stillOpen(candidates: readonly StreamBefore[], finished: unknown): HarStreams {
  const ends = Array.isArray(finished) ? finished.filter((f): f is [string, number] => Array.isArray(f) && typeof f[0] === 'string' && typeof f[1] === 'number') : [];
  const open = new Set(candidates);
  for (const [url, start] of ends) {
    let best: StreamBefore | null = null;
    for (const c of open) if (c.rawUrl === url && Math.abs(c.startedAt - start) <= SAME_START_MS && (!best || Math.abs(c.startedAt - start) < Math.abs(best.startedAt - start))) best = c;
    if (best) open.delete(best);
  }
  const streams = [...open];
  return { streams: streams.slice(0, MAX_LISTED), more: Math.max(0, streams.length - MAX_LISTED) };
}
