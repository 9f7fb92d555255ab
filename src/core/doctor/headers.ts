/**
 * The response headers of an event stream (issue 14, item 3): what tells proxies and clients it is
 * a stream (Content-Type, Cache-Control), what makes it end or wait (Content-Length, Connection:
 * close), and HTTP/1.1's six connections per origin, which silently queues a seventh stream.
 */
import type { ResponseEntry } from '../timeline.js';
import type { DoctorCheck, DoctorContext, DoctorFinding, DoctorFold } from './check.js';
import { createFindingSet, evidenceOf, headerValue, type FindingText } from './finding-set.js';

/** Browsers open at most six HTTP/1.1 connections per origin; warn one before the limit, while a stream can still be moved. */
const OPEN_STREAMS_WARNING = 5;

const TEXTS = {
  'content-type': {
    severity: 'error',
    title: 'The response is not text/event-stream: EventSource fails the connection and does not reconnect',
    why: 'Browsers (and the clients that follow the WHATWG spec) accept a stream only with Content-Type text/event-stream; anything else fails the connection for good. Proxies and compression middleware also treat other types as documents to buffer and compress.',
    fix: 'Send `Content-Type: text/event-stream` on the stream\'s 200 response (set it before the first write; some frameworks default to text/html or application/json).',
  },
  charset: {
    severity: 'warning',
    title: 'The stream declares a charset other than UTF-8: clients decode it as UTF-8 anyway',
    why: 'An event stream is always UTF-8 (WHATWG HTML); the charset parameter is ignored, so text the server encoded in another charset arrives garbled (U+FFFD) in every conforming client.',
    fix: 'Encode the stream as UTF-8 and send `Content-Type: text/event-stream; charset=utf-8` (or no charset).',
  },
  'cache-control': {
    severity: 'warning',
    title: 'No Cache-Control: no-cache (or no-store) on the stream: caches and proxies may store or hold it',
    why: 'Without no-cache a cache or CDN may keep the response, serve it again to another client, or buffer it to store it; a stream is always live.',
    fix: 'Send `Cache-Control: no-cache` (add `no-transform` so proxies do not compress it): nginx `add_header Cache-Control "no-cache, no-transform"`, or set it in the handler.',
  },
  'content-length': {
    severity: 'warning',
    title: 'The stream has a Content-Length: it ends after that many bytes, and proxies may wait for all of them',
    why: 'A Content-Length makes the response a fixed-size document: the client stops reading at that size (a cut stream, then a reconnect), and buffering proxies may hold the body until it is complete.',
    fix: 'Do not set Content-Length on an event stream; let the server use chunked transfer encoding (HTTP/1.1) or DATA frames (HTTP/2). Frameworks set it when the whole body is written at once: write events as they happen and flush.',
  },
  'connection-close': {
    severity: 'info',
    title: 'The response says Connection: close: every reconnect opens a new TCP (and TLS) connection',
    why: 'Connection: close is harmless while the stream is open, but it means the body is delimited by the connection\'s end (old HTTP/1.0 proxies answer this way and may buffer such bodies), and each reconnect pays a new handshake.',
    fix: 'Let the server keep the connection alive (remove Connection: close; check the proxy\'s `proxy_http_version 1.1` and keepalive settings).',
  },
  'six-connections': {
    severity: 'warning',
    title: 'Many open streams to this origin: over HTTP/1.1 a page gets six connections per origin, and the seventh request waits',
    why: 'Browsers open at most six HTTP/1.1 connections per origin, shared by every tab of the browser. Each open event stream holds one for as long as it lives, so the next stream, fetch or image to that origin queues silently until one closes.',
    fix: 'Serve the streams over HTTP/2 or HTTP/3 (many streams share one connection), or share one stream between the page\'s parts (one EventSource, a SharedWorker or a BroadcastChannel across tabs), or put streams on another origin.',
  },
} as const satisfies Record<string, FindingText>;

const hasDirective = (value: string, names: readonly string[]): boolean => value.split(',').some((d) => names.includes(d.trim().split('=')[0]!.toLowerCase()));

/** HTTP/2 and /3 multiplex streams over one connection; unknown is treated as HTTP/1.1, the common case for proxies. */
const multiplexed = (version: string | null | undefined): boolean => /^(h2|h3|http\/2|http\/3)/i.test(version ?? '');

export const headersCheck: DoctorCheck = {
  name: 'headers',
  create(context: DoctorContext): DoctorFold {
    const set = createFindingSet('headers');
    let lastResponse: ResponseEntry | null = null;
    /** The latest attempt's request: a stream queued behind the limit has no response to point at. */
    let lastRequest: { connectionId: string; seq: number; attempt: number } | null = null;
    return {
      add(entry) {
        if (entry.kind === 'attempt-started') lastRequest = { connectionId: entry.connectionId, seq: entry.seq, attempt: entry.attempt };
        if (entry.kind !== 'response' || entry.status !== 200) return;
        lastResponse = entry;
        const h = entry.headers;
        const at = (name: string, note: string) => evidenceOf(entry.connectionId, entry.seq, `${note} (attempt ${entry.attempt})`, name);
        const type = headerValue(h, 'content-type');
        const mime = type?.value.split(';')[0]!.trim().toLowerCase() ?? null;
        // Where not every header is seen, only what is there is judged: a missing header is unknown.
        const complete = context.headersSeen !== 'some';
        if (mime !== 'text/event-stream' && (complete || type !== null)) set.report('content-type', TEXTS['content-type'], at(type?.name ?? 'Content-Type', type ? `Content-Type: ${type.value}` : 'no Content-Type'));
        const charset = type === null ? null : /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type.value)?.[1] ?? null;
        if (charset !== null && !/^utf-?8$/i.test(charset)) set.report('charset', TEXTS.charset, at(type!.name, `Content-Type: ${type!.value}`));
        const cache = headerValue(h, 'cache-control');
        if ((cache === null && complete) || (cache !== null && !hasDirective(cache.value, ['no-cache', 'no-store']))) set.report('cache-control', TEXTS['cache-control'], at(cache?.name ?? 'Cache-Control', cache ? `Cache-Control: ${cache.value}` : 'no Cache-Control'));
        const length = headerValue(h, 'content-length');
        if (length !== null) set.report('content-length', TEXTS['content-length'], at(length.name, `Content-Length: ${length.value}`));
        const connection = headerValue(h, 'connection');
        if (connection !== null && hasDirective(connection.value, ['close'])) set.report('connection-close', TEXTS['connection-close'], at(connection.name, `Connection: ${connection.value}`));
      },
      findings(): DoctorFinding[] {
        const found = set.findings();
        // Read at every call: the host updates the count as the tab opens and closes streams.
        const open = context.openStreamsOfOrigin;
        if (open !== null && open >= OPEN_STREAMS_WARNING && !multiplexed(context.httpVersion)) {
          const version = context.httpVersion ? `over ${context.httpVersion}` : 'HTTP version unknown';
          const counted = `${open} streams of this origin are open or waiting in the tab (${version}); the limit is 6`;
          const answered = lastResponse !== null && (lastRequest === null || lastResponse.attempt >= lastRequest.attempt);
          const evidence = answered
            ? [evidenceOf(lastResponse!.connectionId, lastResponse!.seq, counted)]
            : lastRequest !== null
              ? [evidenceOf(lastRequest.connectionId, lastRequest.seq, `${counted}; this request has no response yet: it may be the one waiting for a connection`)]
              : [];
          found.push({
            check: 'headers',
            code: 'six-connections',
            ...TEXTS['six-connections'],
            evidence,
            table: null,
          });
        }
        return found;
      },
    };
  },
};
