/**
 * The two ends of one attempt's HTTP exchange, as pure functions: the request to send (the spec's
 * Last-Event-ID rules, a client's query-parameter variant, a simulation's headers) and whether
 * the response may be read as an event stream (the spec's "fail the connection" checks).
 */
import type { ConnectionConfig } from '../config.js';
import { LIMITS } from '../limits.js';
import { REDACTED } from '../secrets.js';
import type { EndReason, HeaderPair, LastEventIdVia } from '../timeline.js';
import { describeError } from './describe-error.js';

export interface RequestPlan {
  url: string;
  /** As fetch normalises them (lower-case names): what is sent and what the attempt-started entry shows, masked. */
  headers: HeaderPair[];
  lastEventIdVia: LastEventIdVia;
  /** Header names whose values are secrets in this request: the config's, plus a simulation's whatever their names. */
  secretHeaders: string[];
  /** Why the platform refuses this request (a simulation's header value, say); null when it can be sent. */
  error: string | null;
}

export function buildRequest(config: ConnectionConfig, lastEventId: string, headerOverride: readonly HeaderPair[] | null): RequestPlan {
  const secretHeaders = headerOverride === null ? config.secretHeaders : [...config.secretHeaders, ...headerOverride.map(([n]) => n)];
  try {
    const headers = new Headers(config.headers);
    for (const [name, value] of headerOverride ?? []) headers.set(name, value);
    if (!headers.has('accept')) headers.set('Accept', 'text/event-stream');
    let url = config.url;
    let via: LastEventIdVia = 'none';
    // The spec sends Last-Event-ID only when the string is non-empty.
    if (lastEventId !== '') {
      if (config.lastEventIdTransport.mode === 'query') {
        const u = new URL(config.url);
        u.searchParams.set(config.lastEventIdTransport.param, lastEventId);
        url = u.toString();
        via = 'query';
      } else {
        // Header values are byte strings: send the id's UTF-8 bytes, as browsers do.
        headers.set('Last-Event-ID', byteString(lastEventId));
        via = 'header';
      }
    }
    return { url, headers: [...headers.entries()], lastEventIdVia: via, secretHeaders, error: null };
  } catch (err) {
    // The attempt is still recorded, with what would have been sent at least.
    return { url: config.url, headers: [['accept', 'text/event-stream']], lastEventIdVia: 'none', secretHeaders, error: describeError(err) };
  }
}

/**
 * The request body as an attempt-started entry shows it: absent when there is none, the marker
 * when it is marked secret (as the capture, the snippets and the recent list mask it), cut at
 * LIMITS.requestBodyChars. Other known secrets in it are masked with the rest of the entry.
 */
export function shownBody(config: Pick<ConnectionConfig, 'method' | 'body' | 'secretBody'>): { body?: string } {
  const { body } = config;
  if (body === null || config.method === 'GET' || config.method === 'HEAD') return {};
  if (config.secretBody && body !== '') return { body: REDACTED };
  return { body: body.length > LIMITS.requestBodyChars ? body.slice(0, LIMITS.requestBodyChars) : body };
}

/** Why the attempt fails before anything leaves the machine, or null when the request may go. */
export function failureBeforeSending(plan: RequestPlan, offlineUntil: number, now: number): string | null {
  if (plan.error !== null) return `the request could not be built: ${plan.error}`;
  const offlineLeft = offlineUntil - now;
  if (offlineLeft > 0) return `simulated offline: no network for another ${Math.ceil(offlineLeft / 1000)} s`;
  return null;
}

/** The spec's checks before a response is read as a stream; null when it may be read. */
export function checkResponse(response: { status: number; statusText: string; headers: Pick<Headers, 'get'> }): { reason: EndReason; detail: string } | null {
  if (response.status === 204) return { reason: 'no-content', detail: 'HTTP 204 No Content: the server asked the client to stop reconnecting' };
  if (response.status !== 200) {
    return { reason: 'http-error', detail: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}` };
  }
  const contentType = response.headers.get('content-type');
  const essence = contentType?.split(';')[0]?.trim().toLowerCase();
  if (essence !== 'text/event-stream') {
    return {
      reason: 'bad-content-type',
      detail: contentType ? `Content-Type is "${contentType}", not text/event-stream` : 'the response has no Content-Type; expected text/event-stream',
    };
  }
  return null;
}

/** A string's UTF-8 bytes as a string of chars 0-255: what a header value can carry. */
function byteString(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) out += String.fromCharCode(byte);
  return out;
}
