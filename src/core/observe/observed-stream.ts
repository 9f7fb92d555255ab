/**
 * One stream a page opened (fetch, XHR or EventSource), as a hook in the page reported it, turned
 * into the timeline entries our own connections have: the same vocabulary, the same end reasons,
 * the same parser (engine/stream-parser.ts) with the WHATWG semantics, so ids, lastEventId, retry
 * and comments read exactly as for a lab connection. Records arrive checked (records.ts); this
 * fold never throws and never re-requests anything: it only says what the page saw.
 *
 * What a hook cannot see is said in the rows, not guessed: an EventSource's request (so the
 * Last-Event-ID it sent on a reconnect), its comments, `retry:`, and events of types the page does
 * not listen to; the delay before its reconnect.
 */
import type { EventSourceMessage } from 'eventsource-parser';
import type { ObservedApi, ObservedMode, ObservedRecord } from '../../protocol/observed.js';
import { defaultConfig, type ConnectionConfig } from '../config.js';
import { unsendableHeader } from '../forbidden-headers.js';
import { checkResponse, shownBody } from '../engine/request.js';
import { createStreamParser, type StreamParser } from '../engine/stream-parser.js';
import { createMasker, knownSecretValues, maskEntryBody, maskHeaders, maskUrl, type Masker } from '../secrets.js';
import type { EndReason, EntryBody, EventEntry, FramingNote, HeaderPair, SentHeader, TimelineEntry } from '../timeline.js';
import { utf8Length } from '../utf8.js';

/** Where an observed connection came from: saved with it, shown beside it. URLs masked. */
export interface ObservedOrigin {
  api: ObservedApi;
  /** How it was observed: a hook in the page's main world, or the background's complete capture. */
  mode: ObservedMode;
  tabId: number;
  pageUrl: string;
  frameUrl: string;
  /** EventSource's withCredentials; false for fetch and XHR. */
  withCredentials: boolean;
}

const ES_NOT_SEEN =
  'EventSource: the browser made this request, and a hook in the page sees neither its headers nor its response headers; it sees only the events of types the page listens to (no comments, no retry:, no other types)';

const ES_RECONNECT_NOT_SEEN = 'the browser reconnects after its own delay (its default or the server\'s retry:), which a hook in the page cannot see';

export interface ObservedStreamOptions {
  connectionId: string;
  /** The stream's first record. */
  open: Extract<ObservedRecord, { t: 'open' }>;
  /**
   * 'complete': the records come from below the page (the browser's network layer): the request's
   * real headers and the raw bytes of every response, an EventSource's included, so its bytes are
   * parsed like a fetch stream's (ids, retry and comments exact, every event type). An
   * EventSource's reconnect arrives as another `open` of the same stream: its next attempt, with
   * the headers it was sent with (its Last-Event-ID). Default 'hook'.
   */
  mode?: ObservedMode;
  onEntry(entry: TimelineEntry): void;
  /** Entries numbered from here (a restored connection goes on after its stored ones). */
  firstSeq?: number;
}

export interface ObservedStream {
  /** The request as the page made it, secrets included: what "Open in lab" starts from. */
  readonly request: ConnectionConfig;
  add(record: ObservedRecord): void;
  /** Records that were lost before reaching this fold (invalid, over a rate limit, dropped by the hook). */
  lost(count: number, why: string, streamDataLost: boolean, time: number): void;
  readonly stopped: boolean;
  /**
   * What opened the stream is gone (its document, its tab) and took the stream with it, without an
   * end the reporter could see: the attempt in progress ends as the page's doing, and the stream stops.
   * `what`: how it went, for the attempt's end; `why`: the stop's whole sentence.
   */
  gone(what: string, why: string, time: number): void;
  /** An entry the host knows about (a retention cap's drop), numbered in the stream's sequence. */
  note(body: EntryBody, time: number): void;
}

const END_DETAIL: Record<'done' | 'cancel' | 'abort' | 'close' | 'error', { reason: EndReason; detail: string }> = {
  done: { reason: 'closed-by-server', detail: 'the server ended the response' },
  cancel: { reason: 'closed-by-user', detail: 'the page cancelled it' },
  abort: { reason: 'closed-by-user', detail: 'the page aborted it' },
  close: { reason: 'closed-by-user', detail: 'the page closed it' },
  error: { reason: 'network-error', detail: 'the page\'s request failed' },
};

/** In a stop row (a hook's EventSource and a complete capture's end otherwise). */
const STREAM_NAMES: Record<ObservedApi, string> = { fetch: 'fetch stream', xhr: 'XHR stream', eventsource: 'EventSource request' };

const headerValue = (headers: readonly HeaderPair[], lowerName: string): string | undefined => headers.find(([n]) => n.toLowerCase() === lowerName)?.[1];

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** The request as the page made it, as a lab connection's config: secrets included. */
export function observedRequest(open: ObservedStreamOptions['open']): ConnectionConfig {
  const base = defaultConfig(open.url);
  const method = open.api === 'eventsource' ? 'GET' : open.method.toUpperCase();
  // A complete capture reports the request as it left, framing headers (Host, Content-Length) and
  // HTTP/2 pseudo-headers included: the lab's form refuses those, and its HTTP client sets them.
  const headers: HeaderPair[] = open.headers.filter(([n]) => !n.startsWith(':') && unsendableHeader(n) === null).map(([n, v]) => [n, v]);
  const leid = headers.find(([n]) => n.toLowerCase() === 'last-event-id');
  return {
    ...base,
    method,
    // The lab adds Accept and Last-Event-ID itself.
    headers: headers.filter(([n]) => n.toLowerCase() !== 'last-event-id'),
    body: method === 'GET' || method === 'HEAD' ? null : open.body,
    initialLastEventId: leid ? leid[1] : null,
    // An EventSource sends the page's cookies (same origin, or withCredentials); fetch and XHR we cannot tell.
    sendBrowserCookies: open.api === 'eventsource' ? open.withCredentials || sameOrigin(open.url, open.frame) : false,
  };
}

export function createObservedStream(options: ObservedStreamOptions): ObservedStream {
  const { connectionId: id, open } = options;
  const request = observedRequest(open);
  // What a hook reports of an EventSource is its events, not its bytes; a complete capture reports bytes.
  const isEs = open.api === 'eventsource' && options.mode !== 'complete';
  /** An EventSource seen from the network layer: its requests are its attempts, and the browser reconnects after an end. */
  const esComplete = open.api === 'eventsource' && options.mode === 'complete';
  /** The last `retry:` the stream sent: the delay the browser waits before its reconnect. */
  let retryMs: number | null = null;
  const mask: Masker | null = createMasker(knownSecretValues(request));
  const secretHeaders = request.secretHeaders;

  let seq = options.firstSeq ?? 1;
  let lastTime = 0;
  let attempt = 0;
  /** The attempt in progress: since when, whether its stream opened, what it received. */
  /** `failure`: WHATWG fails an EventSource (no reconnect) on this response, with why; null: it reconnects after the end. */
  let current: { startedAt: number; opened: boolean; bytes: number; events: number; status: number; failure: { reason: EndReason; detail: string } | null } | null = null;
  let stopped = false;
  /**
   * Complete capture: the EventSource's reconnect did not come in time and the stream stopped
   * (es-reconnects.ts); a reconnect that still comes continues it.
   */
  let overdue = false;
  let lastEventId = request.initialLastEventId ?? '';
  let parser: StreamParser | null = null;
  /** Set once the parser met something past the limits: the rest of the stream is not followed. */
  let parserBroken = false;
  /** The arrival time of the chunk being parsed: events parsed from it share it, as in the engine. */
  let chunkTime = 0;
  /** The attempt's chunks so far: a fetch or XHR hook reports each network read as one (EventEntry.read). */
  let chunkIndex = 0;

  const stamp = (time: number): number => (lastTime = Math.max(lastTime, time));

  function emit(body: EntryBody, time: number): void {
    options.onEntry({ connectionId: id, attempt, seq: seq++, time: stamp(time), ...(mask === null ? body : maskEntryBody(body, mask)) });
  }

  function event(type: string, eventId: string | null, data: string, time: number, read?: number, framing?: FramingNote[] | null): void {
    const entry: EventEntry = { connectionId: id, attempt, seq: seq++, time: stamp(time), kind: 'event', type, id: eventId, lastEventId, data, size: utf8Length(data), ...(read === undefined ? {} : { read }), ...(framing ? { framing } : {}) };
    if (current) {
      current.events++;
      if (isEs) current.bytes += entry.size;
    }
    options.onEntry(mask === null ? entry : { ...entry, ...maskEntryBody({ kind: 'event', type, id: eventId, lastEventId, data, size: entry.size, ...(framing ? { framing } : {}) }, mask) });
  }

  function newParser(): StreamParser {
    // Once the stream went past the limits, the rest of a chunk being parsed is not followed either.
    return createStreamParser({
      id: (blockId) => {
        if (!parserBroken) lastEventId = blockId;
      },
      event: (m: EventSourceMessage, framing) => {
        if (parserBroken) return;
        if (m.id !== undefined) lastEventId = m.id;
        event(m.event ?? 'message', m.id ?? null, m.data, chunkTime, chunkIndex, framing);
      },
      comment: (text) => {
        if (!parserBroken) emit({ kind: 'comment', text }, chunkTime);
      },
      retry: (ms) => {
        if (parserBroken) return;
        retryMs = ms;
        emit({ kind: 'retry-changed', delayMs: ms }, chunkTime);
      },
      ignored: (why, line) => {
        if (!parserBroken) emit({ kind: 'ignored-line', why, line }, chunkTime);
      },
      overflow: (detail) => {
        if (parserBroken) return;
        parserBroken = true;
        emit({ kind: 'entries-dropped', count: 1, detail: `${detail}; SSE DevTools stopped following this stream (the page still received it)` }, chunkTime);
      },
    });
  }

  /** `headers`: the request's as reported; a complete capture reports each reconnect's own (its Last-Event-ID). */
  function startAttempt(time: number, headers: readonly HeaderPair[] = open.headers): void {
    attempt++;
    chunkIndex = 0;
    current = { startedAt: time, opened: false, bytes: 0, events: 0, status: 0, failure: null };
    // A hook never sees an EventSource's request: the id it sends on a reconnect is the last one the page received.
    const hookGuess = (attempt > 1 && lastEventId !== '') || request.initialLastEventId !== null ? lastEventId : null;
    const sent = isEs ? hookGuess : (headerValue(headers, 'last-event-id') ?? null);
    emit(
      {
        kind: 'attempt-started',
        method: request.method,
        url: maskUrl(open.url),
        headers: maskHeaders(headers, secretHeaders),
        lastEventId: sent,
        lastEventIdVia: sent !== null ? 'header' : 'none',
        ...shownBody(request),
      },
      time,
    );
    const reconnect = isEs && attempt > 1 && lastEventId !== '';
    if (isEs) {
      emit(
        {
          kind: 'request-sent',
          observed: false,
          headers: reconnect ? [['Last-Event-ID', lastEventId, 'browser']] : [],
          dropped: [],
          detail: reconnect ? `${ES_NOT_SEEN}. The Last-Event-ID shown is the id of the last event the page received, which the browser sends on a reconnect; the request itself was not seen` : ES_NOT_SEEN,
        },
        time,
      );
    } else if (open.bodyCut && attempt === 1) {
      // The hook holds a stream's records for its request body only a little (64 records, or a
      // body past its 64 KiB cap), then reports what it had read: say so where the request is
      // shown, since "Open in lab" can only send that part.
      emit(
        {
          kind: 'request-sent',
          observed: false,
          headers: maskHeaders(open.headers, secretHeaders).map(([n, v]): SentHeader => [n, v, 'form']),
          dropped: [],
          detail: `the headers the page set; its request body was cut: the hook read ${utf8Length(open.body ?? '').toLocaleString('en-US')} bytes of it (a body past 64 KiB, or one still being sent when the response began), so "Open in lab" sends only that part`,
        },
        time,
      );
    }
    parser = isEs ? null : newParser();
    parserBroken = false;
  }

  function endAttempt(reason: EndReason, detail: string, time: number, status: number | null = null): void {
    if (!current) return;
    const a = current;
    current = null;
    // Only a response that ended as it should had a last event to lose; anything else only hands over what was noticed.
    const notes = parser === null || parserBroken ? [] : reason === 'closed-by-server' ? parser.finish() : parser.drain();
    emit({ kind: 'attempt-ended', reason, status, detail, durationMs: Math.max(0, time - a.startedAt), bytes: a.bytes, events: a.events, ...(notes.length === 0 ? {} : { framing: notes }) }, time);
  }

  function stop(why: string, time: number): void {
    stopped = true;
    emit({ kind: 'stopped', why }, time);
  }

  /**
   * A complete capture's EventSource request ended: WHATWG fails the EventSource on a status other
   * than 200 or a wrong Content-Type (204 included), and reconnects after any other end.
   */
  function esCompleteEnd(r: Extract<ObservedRecord, { t: 'end' }>, detail: string): void {
    if (!current) {
      // Waiting to reconnect, and the reconnect did not come: the capture says why, and a late one continues the stream.
      if (r.reason === 'close' && attempt > 0) {
        stop(r.detail, r.time);
        overdue = true;
      }
      return;
    }
    if (r.reason === 'cancel' || r.reason === 'abort' || r.reason === 'close') {
      endAttempt('closed-by-user', 'the page closed it (EventSource.close())', r.time);
      stop('the page closed the EventSource', r.time);
      return;
    }
    const failed = current.failure;
    if (failed) {
      endAttempt(failed.reason, failed.detail, r.time, current.status);
      stop('the browser gave up on the EventSource', r.time);
      return;
    }
    if (r.reason === 'done') endAttempt('closed-by-server', 'the server ended the response', r.time);
    else endAttempt('network-error', current.opened ? detail : `no response: ${detail}`, r.time);
    const why = retryMs !== null ? `retry: ${retryMs} ms from the stream; the browser waits about that long` : 'the browser\'s own default (Chromium 3 s, Firefox 5 s): the stream sent no retry:';
    emit({ kind: 'reconnect-scheduled', delayMs: retryMs, why, nextAttempt: attempt + 1, lastEventId: lastEventId === '' ? null : lastEventId }, r.time);
  }

  function esError(readyState: number, time: number): void {
    const opened = current?.opened ?? false;
    // A failed reconnect: the browser tried, and the hook saw only the error.
    if (!current) startAttempt(time);
    if (readyState === 2) {
      endAttempt('network-error', opened ? 'the EventSource fired error and gave up' : 'the EventSource gave up: the request failed or its response was not a 200 text/event-stream (a hook in the page cannot see which)', time);
      stop('the browser gave up on the EventSource', time);
      return;
    }
    if (opened) endAttempt('lost-or-closed', 'connection lost or closed by the server — the page\'s EventSource cannot tell which', time);
    else endAttempt('network-error', 'the EventSource could not connect (a hook in the page cannot see why)', time);
    emit({ kind: 'reconnect-scheduled', delayMs: null, why: ES_RECONNECT_NOT_SEEN, nextAttempt: attempt + 1, lastEventId: lastEventId === '' ? null : lastEventId }, time);
  }

  startAttempt(open.time);

  return {
    request,
    get stopped() {
      return stopped;
    },
    add(r) {
      if (stopped && !(overdue && r.t === 'open')) return;
      switch (r.t) {
        case 'open':
          // Complete capture: the EventSource's reconnect (the capture grouped it with this stream), also one that came late.
          if (esComplete && !current) {
            stopped = overdue = false;
            startAttempt(r.time, r.headers);
          }
          return;
        case 'response':
          if (!current || isEs) return;
          current.opened = true;
          current.status = r.status;
          current.failure = checkResponse({ status: r.status, statusText: r.statusText, headers: { get: (name: string) => headerValue(r.headers, name) ?? null } });
          emit(
            {
              kind: 'response',
              status: r.status,
              statusText: r.statusText,
              url: maskUrl(r.url || open.url),
              redirected: r.url !== '' && r.url !== open.url,
              headers: maskHeaders(r.headers, secretHeaders),
              timeToHeadersMs: Math.max(0, r.time - current.startedAt),
            },
            r.time,
          );
          return;
        case 'chunk':
          if (!current || isEs || parserBroken || !parser) return;
          current.bytes += utf8Length(r.text);
          chunkTime = r.time;
          chunkIndex++;
          parser.feed(r.text);
          return;
        case 'es-open':
          if (!isEs) return;
          if (!current || current.opened) {
            if (current) endAttempt('network-error', 'the EventSource opened again without an error in between', r.time);
            startAttempt(r.time);
          }
          current!.opened = true;
          // WHATWG: an EventSource announces open only for a 200 text/event-stream; the rest of the response is not seen.
          emit({ kind: 'response', status: 200, statusText: '', url: maskUrl(open.url), redirected: false, headers: [['content-type', 'text/event-stream']], timeToHeadersMs: Math.max(0, r.time - current!.startedAt) }, r.time);
          return;
        case 'es-message': {
          if (!isEs) return;
          // The hook sees the connection's last event ID after the event, not the event's own id field:
          // an id that changed came with this event; one that did not may or may not have.
          const changed = r.lastEventId !== lastEventId;
          lastEventId = r.lastEventId;
          event(r.type, changed ? r.lastEventId : null, r.data, r.time);
          return;
        }
        case 'es-error':
          if (isEs) esError(r.readyState, r.time);
          return;
        case 'end': {
          const end = END_DETAIL[r.reason];
          const detail = r.detail === '' ? end.detail : `${end.detail}: ${r.detail}`;
          if (isEs) {
            // The hook follows an `error` with readyState 2 by an `end` with reason error; the
            // es-error usually stopped the fold already, but if it was lost the end must not say
            // the page closed it.
            if (r.reason === 'error') {
              endAttempt('network-error', 'the EventSource gave up (a hook in the page cannot see why)', r.time);
              stop('the browser gave up on the EventSource', r.time);
              return;
            }
            endAttempt('closed-by-user', 'the page closed it (EventSource.close())', r.time);
            stop('the page closed the EventSource', r.time);
            return;
          }
          if (esComplete) return esCompleteEnd(r, detail);
          endAttempt(end.reason, detail, r.time);
          stop(`the page's ${STREAM_NAMES[open.api]} ended; a new request from the page is a new observed connection`, r.time);
          return;
        }
      }
    },
    note(body, time) {
      emit(body, time);
    },
    gone(what, why, time) {
      if (stopped) return;
      endAttempt('closed-by-user', what, time);
      stop(why, time);
    },
    lost(count, why, streamDataLost, time) {
      if (count <= 0) return;
      let detail = `${count.toLocaleString('en-US')} record${count === 1 ? '' : 's'} from the page ${count === 1 ? 'was' : 'were'} dropped: ${why}`;
      if (streamDataLost && parser && current) {
        // The parser would join text across the gap; starting afresh may split one event, never merge two.
        parser = newParser();
        detail += '; the stream\'s text has a gap here, so the next event may be cut';
      }
      emit({ kind: 'entries-dropped', count, detail }, time);
    },
  };
}
