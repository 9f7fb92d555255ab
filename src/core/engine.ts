/**
 * One SSE connection's lifecycle, following the WHATWG HTML "Server-sent events" processing model
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html), with fetch so that any header
 * can be sent: fetch -> TextDecoder(stream) -> eventsource-parser -> timeline entries, then the
 * reconnect loop. Everything that happens becomes an entry; nothing here knows about a UI.
 */
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import { MAX_TIMER_MS, type ConnectionConfig } from './config.js';
import { describeFault, LASTING, type Fault, type FaultKind } from './faults.js';
import { eventTooLarge, LIMITS } from './limits.js';
import { nextDelay } from './policy.js';
import { createMasker, headerSecretValues, knownSecretValues, maskEntryBody, maskHeaders, maskUrl, scrubText, type Masker } from './secrets.js';
import type {
  ConnectionState,
  EndReason,
  EntryBody,
  EventEntry,
  HeaderPair,
  LastEventIdVia,
  TimelineEntry,
} from './timeline.js';
import { utf8Length } from './utf8.js';

/** Everything the engine takes from its host; injectable so reconnect rules can be tested with a fake clock. */
export interface EngineDeps {
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  random: () => number;
}

export const realDeps: EngineDeps = {
  // Wrapped: a service worker's fetch throws "Illegal invocation" when called detached from globalThis.
  fetch: (input, init) => fetch(input, init),
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(ms, MAX_TIMER_MS)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

/** Where to pick up after the host lost its memory (a restarted service worker). */
export interface ResumePoint {
  lastEventId: string;
  /** The server's last `retry:` value, if it sent one. */
  retryMs: number | null;
  nextAttempt: number;
  nextSeq: number;
}

export interface ConnectionOptions {
  id: string;
  config: ConnectionConfig;
  onEntry: (entry: TimelineEntry) => void;
  /** Called whenever `state` changes, after the entry that caused it. */
  onState?: (state: ConnectionState) => void;
  deps?: Partial<EngineDeps>;
  resume?: ResumePoint;
  /**
   * Asked before each read: null when the host can take more entries, else a promise that resolves
   * when it can. Until then the engine does not read, so the server's TCP window, not our memory,
   * absorbs a stream that outruns the host (storage, say).
   */
  room?: () => Promise<void> | null;
}

export interface Connection {
  readonly id: string;
  readonly state: ConnectionState;
  /** The spec's "last event ID string": '' when there is none. */
  readonly lastEventId: string;
  readonly retryMs: number | null;
  /** Bytes received over all attempts of this engine instance. */
  readonly bytesReceived: number;
  /** Begins the first attempt. */
  start(): void;
  /**
   * Stops everything at once: the open attempt ends as closed-by-user and nothing reconnects.
   * `why` is what the stopped entry says when no attempt was open (default: closed by the user).
   */
  close(why?: string): void;
  /** Starts a simulation (src/core/faults.ts); a lasting one replaces any of its kind. */
  inject(fault: Fault): void;
  /** Stops a lasting simulation; the connection goes back to its configured behaviour. */
  stopFault(kind: FaultKind): void;
  /** The lasting simulations in force. */
  readonly faults: Fault[];
  /** Appends an entry that the host, not the stream, knows about (a fault injected, the worker restarted). */
  note(body: EntryBody): void;
}

/**
 * Hostile streams can send one endless line; past this the parser gives up rather than grow
 * without bound. It checks only at the end of each chunk, so every dispatched event is checked too
 * (onEvent): the buffer bound leaves room for a field name and line ending around the largest event.
 */
const MAX_BUFFER_CHARS = LIMITS.eventDataChars + 64;
const MAX_IGNORED_LINE_CHARS = 512;

/** Reasons after which the spec (and the engine by default) does not reconnect. */
const FINAL_REASONS: ReadonlySet<EndReason> = new Set(['no-content', 'bad-content-type', 'closed-by-user']);

type Held = { dueAt: number; message: EventSourceMessage } | { dueAt: number; id: string };

interface Attempt {
  number: number;
  startedAt: number;
  openedAt: number | null;
  controller: AbortController;
  bytes: number;
  events: number;
  lastByteAt: number;
  connectTimer: unknown;
  idleTimer: unknown;
  cutTimer: unknown;
  /** Events (and ids of blocks without data) held back by a latency simulation, oldest first. */
  delayed: Held[];
  delayTimer: unknown;
  /** Resolves a read loop paused by a stall. */
  wake: (() => void) | null;
  /** Reading is paused because the host is full: silence then is ours, not the server's. */
  readingPaused: boolean;
  ended: boolean;
}

export function createConnection(options: ConnectionOptions): Connection {
  const { id, config, onEntry } = options;
  const deps: EngineDeps = { ...realDeps, ...options.deps };
  const policy = config.reconnect;

  let seq = options.resume?.nextSeq ?? 1;
  let nextAttemptNumber = options.resume?.nextAttempt ?? 1;
  const firstAttempt = nextAttemptNumber;
  let lastEventId = options.resume?.lastEventId ?? config.initialLastEventId ?? '';
  let retryMs: number | null = options.resume?.retryMs ?? null;
  let failures = 0;
  let everReset = false;
  let bytesBefore = 0;
  let current: Attempt | null = null;
  let reconnectTimer: unknown = null;
  let state: ConnectionState = { phase: 'connecting', attempt: nextAttemptNumber, since: deps.now() };
  let started = false;

  // Simulations in force (src/core/faults.ts) and what they change.
  const faults = new Map<FaultKind, Fault>();
  const faultTimers = new Map<FaultKind, unknown>();
  let idleMs = config.idleTimeoutMs;
  let connectMs = config.connectTimeoutMs;
  let cutAfterMs: number | null = null;
  let stallUntil = 0;
  let latencyMs = 0;
  let offlineUntil = 0;
  let headerOverride: HeaderPair[] | null = null;

  // Every secret value the engine knows is masked wherever a server echoes it, before the entry
  // exists: entries are stored, sent to panels and exported as they are.
  const secretValues = knownSecretValues(config);
  let mask: Masker | null = createMasker(secretValues);
  const scrub = (text: string) => scrubText(text, [config.url]);

  function emit(attempt: number, body: EntryBody): void {
    onEntry({ connectionId: id, attempt, seq: seq++, time: deps.now(), ...(mask === null ? body : maskEntryBody(body, mask)) } as TimelineEntry);
  }

  function setState(next: ConnectionState): void {
    state = next;
    options.onState?.(next);
  }

  function requestFor(): { url: string; headers: Headers; via: LastEventIdVia; error?: string } {
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
    return { url, headers, via };
  }

  function beginAttempt(): void {
    reconnectTimer = null;
    const number = nextAttemptNumber++;
    let request: ReturnType<typeof requestFor>;
    try {
      request = requestFor();
    } catch (err) {
      // A header the platform refuses (a simulation's value, say): this attempt cannot be sent.
      request = { url: config.url, headers: new Headers({ Accept: 'text/event-stream' }), via: 'none', error: describeError(err) };
    }
    const { url, headers, via } = request;
    const sentHeaders: HeaderPair[] = [...headers.entries()];
    const attempt: Attempt = {
      number,
      startedAt: deps.now(),
      openedAt: null,
      controller: new AbortController(),
      bytes: 0,
      events: 0,
      lastByteAt: 0,
      connectTimer: null,
      idleTimer: null,
      cutTimer: null,
      delayed: [],
      delayTimer: null,
      wake: null,
      readingPaused: false,
      ended: false,
    };
    current = attempt;
    setState({ phase: 'connecting', attempt: number, since: attempt.startedAt });
    emit(number, {
      kind: 'attempt-started',
      method: config.method,
      url: maskUrl(url),
      // A token-expiry simulation's headers are secrets whatever their names.
      headers: maskHeaders(sentHeaders, headerOverride === null ? config.secretHeaders : [...config.secretHeaders, ...headerOverride.map(([n]) => n)]),
      lastEventId: via === 'none' ? null : lastEventId,
      lastEventIdVia: via,
    });
    if (request.error !== undefined) {
      const message = request.error;
      attempt.connectTimer = deps.setTimeout(() => endAttempt(attempt, 'network-error', null, `the request could not be built: ${message}`), 0);
      return;
    }
    const offlineLeft = offlineUntil - deps.now();
    if (offlineLeft > 0) {
      // Asynchronously, as a real failed connect would be: never inside the caller's stack.
      attempt.connectTimer = deps.setTimeout(
        () => endAttempt(attempt, 'network-error', null, `simulated offline: no network for another ${Math.ceil(offlineLeft / 1000)} s`),
        0,
      );
      return;
    }
    if (connectMs !== null) {
      const ms = connectMs;
      attempt.connectTimer = deps.setTimeout(
        () => endAttempt(attempt, 'connect-timeout', null, `no response headers within ${ms} ms`),
        ms,
      );
    }
    void run(attempt, url, headers);
  }

  async function run(attempt: Attempt, url: string, headers: Headers): Promise<void> {
    let response: Response;
    try {
      response = await deps.fetch(url, {
        method: config.method,
        headers,
        body: config.body ?? undefined,
        redirect: 'follow',
        cache: 'no-store',
        signal: attempt.controller.signal,
      });
    } catch (err) {
      endAttempt(attempt, 'network-error', null, describeError(err));
      return;
    }
    if (attempt.ended) {
      void response.body?.cancel().catch(() => {});
      return;
    }
    deps.clearTimeout(attempt.connectTimer);
    emit(attempt.number, {
      kind: 'response',
      status: response.status,
      statusText: response.statusText,
      url: maskUrl(response.url || url),
      redirected: response.redirected,
      // A capture holds at most LIMITS.headers; a hostile server may send more.
      headers: maskHeaders([...response.headers.entries()].slice(0, LIMITS.headers), config.secretHeaders),
      timeToHeadersMs: deps.now() - attempt.startedAt,
    });

    const failure = checkResponse(response);
    if (failure) {
      void response.body?.cancel().catch(() => {});
      endAttempt(attempt, failure.reason, response.status, failure.detail);
      return;
    }
    if (!response.body) {
      endAttempt(attempt, 'closed-by-server', null, 'the response had no body');
      return;
    }

    attempt.openedAt = deps.now();
    attempt.lastByteAt = attempt.openedAt;
    setState({ phase: 'open', attempt: attempt.number, since: attempt.openedAt });
    armIdleTimer(attempt);
    armCut(attempt);
    await read(attempt, response.body);
  }

  function checkResponse(response: Response): { reason: EndReason; detail: string } | null {
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

  async function read(attempt: Attempt, body: ReadableStream<Uint8Array>): Promise<void> {
    // The decoder drops one leading BOM, as the spec asks; invalid sequences become U+FFFD.
    const decoder = new TextDecoder('utf-8');
    const parser = createParser({
      onId: (blockId) => onId(attempt, blockId),
      onEvent: (message) => onEvent(attempt, message),
      onComment: (text) => onComment(attempt, text),
      onRetry: (ms) => {
        retryMs = ms;
        emit(attempt.number, { kind: 'retry-changed', delayMs: ms });
      },
      onError: (error) => onParseError(attempt, error),
      maxBufferSize: MAX_BUFFER_CHARS,
    });
    const reader = body.getReader();
    try {
      for (;;) {
        if (stallUntil !== 0 && deps.now() < stallUntil) await stalled(attempt);
        const full = options.room?.();
        if (full) await holdReading(attempt, full);
        if (attempt.ended) return;
        const { done, value } = await reader.read();
        if (attempt.ended) return;
        if (done) break;
        attempt.bytes += value.byteLength;
        attempt.lastByteAt = deps.now();
        parser.feed(decoder.decode(value, { stream: true }));
      }
      // A trailing event without its blank line is not dispatched (the spec discards it at end of stream).
      parser.feed(decoder.decode());
      endAttempt(attempt, 'closed-by-server', null, 'the server ended the response');
    } catch (err) {
      endAttempt(attempt, 'network-error', null, describeError(err));
    } finally {
      reader.releaseLock();
    }
  }

  function onEvent(attempt: Attempt, message: EventSourceMessage): void {
    if (attempt.ended) return;
    // Three length checks per event; what passes fits in a capture the tool can open again.
    if (message.data.length > LIMITS.eventDataChars || (message.id?.length ?? 0) > LIMITS.textChars || (message.event?.length ?? 0) > LIMITS.textChars) {
      endAttempt(attempt, 'network-error', null, `${eventTooLarge(message)}; SSE DevTools aborted the stream`);
      return;
    }
    if (latencyMs !== 0 || attempt.delayed.length !== 0) {
      attempt.delayed.push({ dueAt: deps.now() + latencyMs, message });
      if (attempt.delayed.length === 1) armDelay(attempt);
      return;
    }
    deliver(attempt, message, attempt.lastByteAt);
  }

  /**
   * WHATWG dispatch step 1 sets the last event ID for every block with an id field, even one with
   * no data and so no event. The parser reports it before the block's event, if there is one.
   */
  function onId(attempt: Attempt, blockId: string): void {
    if (attempt.ended) return;
    // Behind held-back events, or they would show an id that arrived after them.
    if (latencyMs !== 0 || attempt.delayed.length !== 0) {
      attempt.delayed.push({ dueAt: deps.now() + latencyMs, id: blockId });
      if (attempt.delayed.length === 1) armDelay(attempt);
      return;
    }
    lastEventId = blockId;
  }

  function release(attempt: Attempt, held: Held, time: number): void {
    if ('id' in held) lastEventId = held.id;
    else deliver(attempt, held.message, time);
  }

  function deliver(attempt: Attempt, message: EventSourceMessage, time: number): void {
    if (message.id !== undefined) lastEventId = message.id;
    attempt.events++;
    // Built in place rather than through emit(): this runs once per event, and the spread in
    // emit() costs a measurable share of throughput here (see bench/engine.ts).
    const entry: EventEntry = {
      connectionId: id,
      attempt: attempt.number,
      seq: seq++,
      // Events parsed from one chunk arrived together: they share its arrival time.
      time,
      kind: 'event',
      type: message.event ?? 'message',
      id: message.id ?? null,
      lastEventId,
      data: message.data,
      size: utf8Length(message.data),
    };
    if (mask !== null) {
      // In place rather than through maskEntryBody's copy: no one has seen this entry yet.
      entry.type = mask(entry.type);
      entry.id = entry.id === null ? null : mask(entry.id);
      entry.lastEventId = mask(entry.lastEventId);
      entry.data = mask(entry.data);
    }
    onEntry(entry);
  }

  function onComment(attempt: Attempt, text: string): void {
    if (text.length > LIMITS.eventDataChars) {
      endAttempt(attempt, 'network-error', null, `a comment exceeded ${LIMITS.eventDataChars.toLocaleString('en-US')} characters; SSE DevTools aborted the stream`);
      return;
    }
    emit(attempt.number, { kind: 'comment', text });
  }

  function onParseError(attempt: Attempt, error: ParseError): void {
    if (attempt.ended) return;
    if (error.type === 'max-buffer-size-exceeded') {
      // eventsource-parser 4 may see the overflow while the event is still being read, before onEvent.
      endAttempt(attempt, 'network-error', null, `an event exceeded ${LIMITS.eventDataChars.toLocaleString('en-US')} characters; SSE DevTools aborted the stream`);
      return;
    }
    const line = error.line ?? '';
    emit(attempt.number, {
      kind: 'ignored-line',
      why: error.type === 'invalid-retry' ? 'invalid-retry' : 'unknown-field',
      line: line.length > MAX_IGNORED_LINE_CHARS ? `${line.slice(0, MAX_IGNORED_LINE_CHARS)}…` : line,
    });
  }

  /** Delivers held-back events as they fall due; one timer for the head of the queue. */
  function armDelay(attempt: Attempt): void {
    const head = attempt.delayed[0];
    if (!head) return;
    attempt.delayTimer = deps.setTimeout(() => {
      const now = deps.now();
      while (attempt.delayed[0] && attempt.delayed[0].dueAt <= now) release(attempt, attempt.delayed.shift()!, now);
      armDelay(attempt);
    }, Math.max(0, head.dueAt - deps.now()));
  }

  async function holdReading(attempt: Attempt, full: Promise<void>): Promise<void> {
    const since = deps.now();
    attempt.readingPaused = true;
    // The attempt may end meanwhile (closed by the user, a fault): stop waiting then.
    const signal = attempt.controller.signal;
    let onAbort = (): void => {};
    await Promise.race([full, new Promise<void>((resolve) => signal.addEventListener('abort', (onAbort = () => resolve()), { once: true }))]);
    signal.removeEventListener('abort', onAbort);
    attempt.readingPaused = false;
    if (attempt.ended) return;
    attempt.lastByteAt = deps.now();
    const ms = attempt.lastByteAt - since;
    emit(attempt.number, {
      kind: 'reading-paused',
      durationMs: ms,
      detail: `SSE DevTools stopped reading for ${ms} ms because storing entries fell behind the stream; the server's TCP window held the bytes meanwhile, so nothing was lost`,
    });
  }

  function stalled(attempt: Attempt): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = deps.setTimeout(() => resolve(), Math.max(0, stallUntil - deps.now()));
      attempt.wake = () => {
        deps.clearTimeout(timer);
        resolve();
      };
    }).then(() => {
      attempt.wake = null;
    });
  }

  function armCut(attempt: Attempt): void {
    deps.clearTimeout(attempt.cutTimer);
    if (cutAfterMs === null || attempt.openedAt === null || attempt.ended) return;
    const after = cutAfterMs;
    attempt.cutTimer = deps.setTimeout(
      () => endAttempt(attempt, 'fault', null, `simulated proxy cut ${after / 1000} s after the connection opened`),
      Math.max(0, attempt.openedAt + after - deps.now()),
    );
  }

  function armIdleTimer(attempt: Attempt): void {
    deps.clearTimeout(attempt.idleTimer);
    const ms = idleMs;
    if (ms === null || attempt.openedAt === null || attempt.ended) return;
    // One timer per idle period, not per chunk: on firing it re-arms for whatever is left.
    const check = (): void => {
      if (attempt.ended) return;
      if (attempt.readingPaused) {
        attempt.idleTimer = deps.setTimeout(check, ms);
        return;
      }
      const idle = deps.now() - attempt.lastByteAt;
      if (idle >= ms) endAttempt(attempt, 'idle-timeout', null, `no bytes for ${ms} ms`);
      else attempt.idleTimer = deps.setTimeout(check, ms - idle);
    };
    attempt.idleTimer = deps.setTimeout(check, Math.max(0, ms - (deps.now() - attempt.lastByteAt)));
  }

  /** The one place an attempt ends; the first reason wins, later ones (an abort's echo) are ignored. */
  function endAttempt(attempt: Attempt, reason: EndReason, status: number | null, detail: string): void {
    if (attempt.ended) return;
    // Events a latency simulation held back were received: they belong before the end.
    deps.clearTimeout(attempt.delayTimer);
    const now = deps.now();
    for (const held of attempt.delayed.splice(0)) release(attempt, held, now);
    attempt.ended = true;
    bytesBefore += attempt.bytes;
    deps.clearTimeout(attempt.connectTimer);
    deps.clearTimeout(attempt.idleTimer);
    deps.clearTimeout(attempt.cutTimer);
    attempt.wake?.();
    attempt.controller.abort();
    if (current === attempt) current = null;
    const endedAt = deps.now();
    emit(attempt.number, {
      kind: 'attempt-ended',
      reason,
      status,
      // Error messages may quote the URL or a header; entries never hold a secret.
      detail: scrub(detail),
      durationMs: endedAt - attempt.startedAt,
      bytes: attempt.bytes,
      events: attempt.events,
    });
    afterAttempt(attempt, reason, endedAt);
  }

  function afterAttempt(attempt: Attempt, reason: EndReason, endedAt: number): void {
    const stopWhy = whyStop(attempt, reason);
    if (stopWhy !== null) {
      stop(attempt.number, stopWhy);
      return;
    }
    // Only an attempt that opened and lived long enough resets the backoff.
    const reset = attempt.openedAt !== null && policy.backoffResetAfterMs !== null && endedAt - attempt.openedAt >= policy.backoffResetAfterMs;
    if (reset) everReset = true;
    failures = reset ? 1 : failures + 1;
    const base = retryMs ?? policy.initialDelayMs;
    const { delayMs, why } = nextDelay(policy, { baseDelayMs: base, fromServer: retryMs !== null, failures, everReset }, deps.random);
    emit(attempt.number, {
      kind: 'reconnect-scheduled',
      delayMs,
      why,
      nextAttempt: nextAttemptNumber,
      lastEventId: lastEventId === '' ? null : lastEventId,
    });
    setState({ phase: 'waiting', attempt: nextAttemptNumber, until: endedAt + delayMs });
    reconnectTimer = deps.setTimeout(beginAttempt, delayMs);
  }

  function whyStop(attempt: Attempt, reason: EndReason): string | null {
    if (reason === 'closed-by-user') return 'closed by the user';
    if (FINAL_REASONS.has(reason) && !(reason === 'no-content' && policy.retryOnNoContent)) return `${reason}: the spec does not reconnect after this`;
    if (reason === 'http-error' && !policy.retryOnHttpError) return 'http-error: the spec does not reconnect after a non-200 status';
    // Counted from this engine's first attempt: a resumed or reconnected connection gets its full allowance.
    const made = attempt.number - firstAttempt + 1;
    if (policy.maxAttempts !== null && made >= policy.maxAttempts) {
      return `gave up after ${made} attempt${made === 1 ? '' : 's'} (the maximum)`;
    }
    return null;
  }

  /** Turns a simulation on: the one place each fault kind changes the engine's behaviour. */
  function applyFault(fault: Fault): void {
    switch (fault.kind) {
      case 'idle-timeout':
        idleMs = fault.ms;
        if (current) armIdleTimer(current);
        return;
      case 'connect-timeout':
        connectMs = fault.ms;
        return;
      case 'proxy-cut':
        cutAfterMs = fault.afterMs;
        if (current) armCut(current);
        return;
      case 'drop':
        if (current) endAttempt(current, 'fault', null, 'simulated network drop: a real client sees the connection fail as a network error');
        return;
      case 'stall':
        stallUntil = deps.now() + fault.ms;
        endLater('stall', fault.ms);
        return;
      case 'latency':
        latencyMs = fault.ms;
        return;
      case 'token-expiry':
        headerOverride = fault.headers.map(([n, v]) => [n, v]);
        return;
      case 'offline':
        offlineUntil = deps.now() + fault.ms;
        endLater('offline', fault.ms);
        if (current) endAttempt(current, 'network-error', null, 'simulated offline: the network went down');
        return;
    }
  }

  function undoFault(kind: FaultKind): void {
    deps.clearTimeout(faultTimers.get(kind));
    faultTimers.delete(kind);
    switch (kind) {
      case 'idle-timeout':
        idleMs = config.idleTimeoutMs;
        if (current) armIdleTimer(current);
        return;
      case 'connect-timeout':
        connectMs = config.connectTimeoutMs;
        return;
      case 'proxy-cut':
        cutAfterMs = null;
        if (current) deps.clearTimeout(current.cutTimer);
        return;
      case 'stall':
        stallUntil = 0;
        current?.wake?.();
        return;
      case 'latency':
        latencyMs = 0;
        return;
      case 'token-expiry':
        headerOverride = null;
        return;
      case 'offline':
        offlineUntil = 0;
        return;
      case 'drop':
        return;
    }
  }

  /** Simulations with a duration stop by themselves, and say so. */
  function endLater(kind: FaultKind, ms: number): void {
    deps.clearTimeout(faultTimers.get(kind));
    faultTimers.set(kind, deps.setTimeout(() => stopFault(kind, 'ended after its duration'), ms));
  }

  function stopFault(kind: FaultKind, how = 'stopped'): void {
    if (!faults.delete(kind)) return;
    undoFault(kind);
    emit(current?.number ?? Math.max(0, nextAttemptNumber - 1), { kind: 'fault-injected', fault: kind, detail: `${kind} simulation ${how}` });
  }

  function stop(attemptNumber: number, why: string): void {
    // A stopped connection keeps no timer alive, simulations included.
    for (const kind of [...faults.keys()]) undoFault(kind);
    faults.clear();
    emit(attemptNumber, { kind: 'stopped', why });
    setState({ phase: 'closed', why, since: deps.now() });
  }

  return {
    id,
    get state() {
      return state;
    },
    get lastEventId() {
      return lastEventId;
    },
    get retryMs() {
      return retryMs;
    },
    get bytesReceived() {
      return bytesBefore + (current?.bytes ?? 0);
    },
    start() {
      if (started) return;
      started = true;
      beginAttempt();
    },
    close(why = 'closed by the user') {
      if (state.phase === 'closed') return;
      started = true;
      if (current) {
        endAttempt(current, 'closed-by-user', null, 'the user closed the connection');
      } else {
        deps.clearTimeout(reconnectTimer);
        reconnectTimer = null;
        stop(Math.max(0, nextAttemptNumber - 1), why);
      }
    },
    inject(fault) {
      if (state.phase === 'closed') return;
      if (fault.kind === 'token-expiry') {
        // Known from now on, even after the simulation stops: a server may echo them later.
        secretValues.push(...headerSecretValues(fault.headers));
        mask = createMasker(secretValues);
      }
      emit(current?.number ?? Math.max(0, nextAttemptNumber - 1), { kind: 'fault-injected', fault: fault.kind, detail: describeFault(fault) });
      if (LASTING.has(fault.kind)) {
        if (faults.has(fault.kind)) undoFault(fault.kind);
        faults.set(fault.kind, fault);
      }
      applyFault(fault);
    },
    stopFault(kind) {
      stopFault(kind);
    },
    get faults() {
      return [...faults.values()];
    },
    note(body) {
      emit(current?.number ?? Math.max(0, nextAttemptNumber - 1), body);
    },
  };
}

/** A string's UTF-8 bytes as a string of chars 0-255: what a header value can carry. */
function byteString(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) out += String.fromCharCode(byte);
  return out;
}

/** Node's fetch hides the useful part ("ECONNREFUSED") in `cause`. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: string }).code;
    return `${err.message}: ${code ? `${code} ` : ''}${cause.message}`.trim();
  }
  return err.message;
}
