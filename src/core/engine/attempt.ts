/**
 * One attempt: a request, its response, and the stream read through eventsource-parser until
 * something ends it. It owns everything that must not outlive it (the fetch's AbortController,
 * its timers, events a latency simulation holds back) and releases all of it in `end()`, which
 * the first caller wins; later ones (an abort's echo, a timer that lost the race) change nothing.
 * What the attempt's events and end mean for the connection is the sink's business.
 */
import type { EventSourceMessage } from 'eventsource-parser';
import type { ConnectionConfig } from '../config.js';
import { proxyCutDetail } from '../faults.js';
import { LIMITS } from '../limits.js';
import { maskHeaders, maskUrl } from '../secrets.js';
import type { EndReason, EntryBody, FramingNote, ResponseBody } from '../timeline.js';
import { sendWithFetch, type EngineDeps, type SentObservation } from './deps.js';
import { describeError } from './describe-error.js';
import { readFailureBody } from './failure-body.js';
import { createStreamParser, type StreamParser } from './stream-parser.js';
import { checkResponse, failureBeforeSending, type RequestPlan } from './request.js';
import type { Settings } from './settings.js';

/** What an attempt tells its connection. */
export interface AttemptSink {
  /** An entry about the attempt; events go through `event`. `time` is when its bytes arrived, for what the stream sent. */
  emit(attempt: number, body: EntryBody, time?: number): void;
  /** An event leaves the attempt: as it arrived, or when a latency simulation lets it go. */
  /** `read`: which network read of the attempt completed the event (EventEntry.read). */
  event(attempt: number, message: EventSourceMessage, time: number, read: number, framing: FramingNote[] | null): void;
  /** A block with an id and no data: WHATWG dispatch step 1 sets the last event ID anyway. */
  lastEventId(id: string): void;
  retry(attempt: number, ms: number, time: number): void;
  /** What the host learnt about the headers that went out; at most once, before the response entry. */
  sent(attempt: number, observation: SentObservation): void;
  /** The response's Set-Cookie values, before its response entry. */
  cookies(attempt: number, setCookies: string[]): void;
  /** The response was accepted: the stream is open. */
  opened(attempt: number, at: number): void;
  /** Called once, after the attempt let go of everything it held. */
  ended(attempt: Attempt, reason: EndReason, status: number | null, detail: string): void;
  /** ConnectionOptions.room: null when the host can take more entries, else when it can. */
  room: (() => Promise<void> | null) | undefined;
}

/**
 * Received, not yet delivered: an event, the id of a block without data, a comment or ignored line,
 * a retry. Whatever the stream sent queues behind a held event, so entries keep the stream's order.
 */
type Held =
  | { dueAt: number; message: EventSourceMessage; read: number; framing: FramingNote[] | null }
  | { dueAt: number; id: string }
  | { dueAt: number; body: EntryBody }
  | { dueAt: number; retry: number };

export class Attempt {
  readonly startedAt: number;
  /** When the response was accepted; null until then. */
  openedAt: number | null = null;
  /** When response headers arrived, accepted or not; null until then. */
  private respondedAt: number | null = null;
  bytes = 0;
  events = 0;
  /** What a response that was not a stream said, for the attempt's end; null when none was read. */
  failureBody: ResponseBody | null = null;
  private lastByteAt = 0;
  private ended = false;
  private readonly controller = new AbortController();
  private connectTimer: unknown = null;
  private idleTimer: unknown = null;
  private proxyIdleTimer: unknown = null;
  private maxAgeTimer: unknown = null;
  private heldTimer: unknown = null;
  /** Oldest first; one timer, for the head. */
  private readonly held: Held[] = [];
  private parser: StreamParser | null = null;
  /** Framing traps noticed after the attempt's last event: its end carries them (AttemptEndedEntry.framing). */
  readonly framing: FramingNote[] = [];
  /** Network reads of the body so far: what a parsed event's `read` counts. */
  private reads = 0;
  /** Resolves a read loop paused by a stall. */
  private wake: (() => void) | null = null;
  /** Reading is paused because the host is full: silence then is ours, not the server's. */
  private readingPaused = false;

  constructor(
    readonly number: number,
    private readonly config: ConnectionConfig,
    private readonly deps: EngineDeps,
    private readonly sink: AttemptSink,
    private settings: Settings,
  ) {
    this.startedAt = deps.now();
  }

  /** Sends the request, or fails the attempt (never inside the caller's stack, as a real failed connect would). */
  start(plan: RequestPlan): void {
    const failure = failureBeforeSending(plan, this.settings.offlineUntil, this.deps.now());
    if (failure !== null) {
      this.connectTimer = this.deps.setTimeout(() => this.end('network-error', null, failure), 0);
      return;
    }
    // A proxy counts silence and age from the request, before any response.
    this.lastByteAt = this.startedAt;
    this.armProxyIdle();
    this.armMaxAge();
    const ms = this.settings.connectTimeoutMs;
    if (ms !== null) this.connectTimer = this.deps.setTimeout(() => this.end('connect-timeout', null, `no response headers within ${ms} ms`), ms);
    void this.run(plan);
  }

  /** Simulations changed: a timeout or a proxy's limit applies to the open stream, a stall's end wakes it. */
  applySettings(next: Settings): void {
    const before = this.settings;
    this.settings = next;
    if (this.ended) return;
    if (next.idleTimeoutMs !== before.idleTimeoutMs) this.armIdleTimer();
    if (next.proxyIdle !== before.proxyIdle) this.armProxyIdle();
    if (next.maxAge !== before.maxAge) this.armMaxAge();
    if (next.stallUntil !== before.stallUntil) this.wake?.();
  }

  end(reason: EndReason, status: number | null, detail: string): void {
    if (this.ended) return;
    // First, so that a host closing the connection on an entry below ends nothing twice.
    this.ended = true;
    // Events a latency simulation held back were received: they belong before the end.
    this.deps.clearTimeout(this.heldTimer);
    const now = this.deps.now();
    for (const held of this.held.splice(0)) this.release(held, now);
    this.deps.clearTimeout(this.connectTimer);
    this.deps.clearTimeout(this.idleTimer);
    this.deps.clearTimeout(this.proxyIdleTimer);
    this.deps.clearTimeout(this.maxAgeTimer);
    this.wake?.();
    this.controller.abort();
    if (this.parser) this.framing.push(...this.parser.drain());
    this.sink.ended(this, reason, status, detail);
  }

  private async run(plan: RequestPlan): Promise<void> {
    let response: Response;
    const request = {
      url: plan.url,
      headers: plan.headers,
      init: {
        method: this.config.method,
        body: this.config.body ?? undefined,
        redirect: 'follow',
        cache: 'no-store',
        // Explicit: fetch's default sends the browser's cookies and stores what the server sets.
        credentials: this.config.sendBrowserCookies ? 'include' : 'omit',
        signal: this.controller.signal,
      } as const,
    };
    const exchange = this.deps.send ? this.deps.send(request) : sendWithFetch(this.deps.fetch, request);
    let sentShown = false;
    const showSent = (observation: SentObservation): void => {
      if (sentShown || this.ended) return;
      sentShown = true;
      this.sink.sent(this.number, observation);
    };
    // As soon as known: a request that never gets a response was still sent.
    void exchange.sent.then(showSent, () => {});
    let setCookies: string[];
    let respondedAt: number;
    try {
      response = await exchange.response;
      respondedAt = this.deps.now();
      // Still under the connect timeout: a host that never learns about the request cannot hold the attempt.
      const learnt = await this.unlessEnded(Promise.all([exchange.sent, exchange.setCookies(response)]));
      if (learnt === null) {
        void response.body?.cancel().catch(() => {});
        return;
      }
      showSent(learnt[0]);
      setCookies = learnt[1].slice(0, LIMITS.headers);
    } catch (err) {
      this.end('network-error', null, describeError(err));
      return;
    }
    if (this.ended) {
      void response.body?.cancel().catch(() => {});
      return;
    }
    this.deps.clearTimeout(this.connectTimer);
    this.sink.cookies(this.number, setCookies);
    const received = [...response.headers.entries()];
    // A browser's Headers hide Set-Cookie; the host found them: shown like any other header.
    if (!received.some(([n]) => n === 'set-cookie')) received.push(...setCookies.map((v): [string, string] => ['set-cookie', v]));
    this.respondedAt = this.lastByteAt = this.deps.now();
    this.sink.emit(this.number, {
      kind: 'response',
      status: response.status,
      statusText: response.statusText,
      url: maskUrl(response.url || plan.url),
      redirected: response.redirected,
      // A capture holds at most LIMITS.headers; a hostile server may send more.
      headers: maskHeaders(received.slice(0, LIMITS.headers), this.config.secretHeaders),
      timeToHeadersMs: respondedAt - this.startedAt,
    });
    const failure = checkResponse(response);
    if (failure) {
      const body = await readFailureBody(response, this.controller.signal, this.deps);
      if (this.ended) return;
      this.failureBody = body;
      this.bytes += body?.bytes ?? 0;
      this.end(failure.reason, response.status, failure.detail);
      return;
    }
    if (!response.body) {
      this.end('closed-by-server', null, 'the response had no body');
      return;
    }
    const openedAt = this.deps.now();
    this.openedAt = openedAt;
    this.lastByteAt = openedAt;
    // Armed first: the host may close the connection from the state change, and end() clears them.
    this.armIdleTimer();
    this.sink.opened(this.number, openedAt);
    await this.read(response.body);
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    // The BOM is left in for the framing scan to see; eventsource-parser drops it, as the spec asks.
    // Invalid sequences become U+FFFD.
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    // Once the attempt has ended, the rest of a chunk being parsed is not the connection's any more.
    const parser = (this.parser = createStreamParser({
      id: (id) => {
        if (!this.ended) this.onId(id);
      },
      event: (message, framing) => {
        if (!this.ended) this.onEvent(message, framing);
      },
      comment: (text) => {
        if (!this.ended) this.fromStream({ body: { kind: 'comment', text } });
      },
      retry: (ms) => {
        if (!this.ended) this.fromStream({ retry: ms });
      },
      ignored: (why, line) => {
        if (!this.ended) this.fromStream({ body: { kind: 'ignored-line', why, line } });
      },
      overflow: (detail) => {
        if (!this.ended) this.end('network-error', null, `${detail}; SSE DevTools aborted the stream`);
      },
    }));
    const reader = body.getReader();
    try {
      for (;;) {
        while (!this.ended && this.settings.stallUntil !== 0 && this.deps.now() < this.settings.stallUntil) await this.stalled();
        const full = this.sink.room?.();
        if (full) await this.holdReading(full);
        if (this.ended) return;
        const { done, value } = await reader.read();
        if (this.ended) return;
        if (done) break;
        this.bytes += value.byteLength;
        this.reads++;
        this.lastByteAt = this.deps.now();
        parser.feed(decoder.decode(value, { stream: true }));
      }
      // A trailing event without its blank line is not dispatched (the spec discards it at end of stream): finish() notes it.
      parser.feed(decoder.decode());
      this.framing.push(...parser.finish());
      this.end('closed-by-server', null, 'the server ended the response');
    } catch (err) {
      this.end('network-error', null, describeError(err));
    } finally {
      reader.releaseLock();
    }
  }

  /**
   * What the stream sent besides events: stamped with its chunk's arrival, as events are, so a
   * comment parsed before an event in the same chunk is never stamped after it.
   */
  private fromStream(item: { body: EntryBody } | { retry: number }): void {
    if (this.settings.latencyMs !== 0 || this.held.length !== 0) {
      this.hold({ dueAt: this.deps.now() + this.settings.latencyMs, ...item });
      return;
    }
    this.deliverNow(item, this.lastByteAt);
  }

  private deliverNow(item: { body: EntryBody } | { retry: number }, time: number): void {
    if ('retry' in item) this.sink.retry(this.number, item.retry, time);
    else this.sink.emit(this.number, item.body, time);
  }

  private onEvent(message: EventSourceMessage, framing: FramingNote[] | null): void {
    if (this.settings.latencyMs !== 0 || this.held.length !== 0) {
      this.hold({ dueAt: this.deps.now() + this.settings.latencyMs, message, read: this.reads, framing });
      return;
    }
    this.events++;
    // Events parsed from one chunk arrived together: they share its arrival time.
    this.sink.event(this.number, message, this.lastByteAt, this.reads, framing);
  }

  /** The parser reports a block's id before the block's event, if there is one. */
  private onId(id: string): void {
    // Behind held-back events, or they would show an id that arrived after them.
    if (this.settings.latencyMs !== 0 || this.held.length !== 0) {
      this.hold({ dueAt: this.deps.now() + this.settings.latencyMs, id });
      return;
    }
    this.sink.lastEventId(id);
  }

  private hold(held: Held): void {
    this.held.push(held);
    if (this.held.length === 1) this.armHeldTimer();
  }

  /** Delivers held-back events as they fall due; one timer for the head of the queue. */
  private armHeldTimer(): void {
    const head = this.held[0];
    if (!head) return;
    this.heldTimer = this.deps.setTimeout(() => {
      const now = this.deps.now();
      while (this.held[0] && this.held[0].dueAt <= now) this.release(this.held.shift()!, now);
      this.armHeldTimer();
    }, Math.max(0, head.dueAt - this.deps.now()));
  }

  private release(held: Held, time: number): void {
    if ('id' in held) {
      this.sink.lastEventId(held.id);
      return;
    }
    if ('message' in held) {
      this.events++;
      this.sink.event(this.number, held.message, time, held.read, held.framing);
      return;
    }
    this.deliverNow(held, time);
  }

  /** The promise's value, or null once the attempt ends first (its abort). */
  private async unlessEnded<T>(promise: Promise<T>): Promise<T | null> {
    const signal = this.controller.signal;
    let onAbort = (): void => {};
    const aborted = new Promise<null>((resolve) => signal.addEventListener('abort', (onAbort = () => resolve(null)), { once: true }));
    try {
      return this.ended ? null : await Promise.race([promise, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async holdReading(full: Promise<void>): Promise<void> {
    const since = this.deps.now();
    this.readingPaused = true;
    // The attempt may end meanwhile (closed by the user, a fault): stop waiting then.
    const signal = this.controller.signal;
    let onAbort = (): void => {};
    await Promise.race([full, new Promise<void>((resolve) => signal.addEventListener('abort', (onAbort = () => resolve()), { once: true }))]);
    signal.removeEventListener('abort', onAbort);
    this.readingPaused = false;
    if (this.ended) return;
    this.lastByteAt = this.deps.now();
    const ms = this.lastByteAt - since;
    this.sink.emit(this.number, {
      kind: 'reading-paused',
      durationMs: ms,
      detail: `SSE DevTools stopped reading for ${ms} ms because storing entries fell behind the stream; the server's TCP window held the bytes meanwhile, so nothing was lost`,
    });
  }

  private stalled(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.deps.setTimeout(() => resolve(), Math.max(0, this.settings.stallUntil - this.deps.now()));
      this.wake = () => {
        this.deps.clearTimeout(timer);
        resolve();
      };
    }).then(() => {
      this.wake = null;
    });
  }

  private armMaxAge(): void {
    this.deps.clearTimeout(this.maxAgeTimer);
    const age = this.settings.maxAge;
    if (age === null || this.ended) return;
    this.maxAgeTimer = this.deps.setTimeout(() => this.end('fault', null, proxyCutDetail(age, false)), Math.max(0, this.startedAt + age.ms - this.deps.now()));
  }

  private armProxyIdle(): void {
    this.deps.clearTimeout(this.proxyIdleTimer);
    const proxy = this.settings.proxyIdle;
    if (proxy === null || this.ended) return;
    this.watchSilence(
      () => (this.respondedAt === null ? (proxy.firstByteMs ?? proxy.ms) : proxy.ms),
      () => this.end('fault', null, proxyCutDetail(proxy, this.respondedAt === null)),
      (timer) => (this.proxyIdleTimer = timer),
    );
  }

  private armIdleTimer(): void {
    this.deps.clearTimeout(this.idleTimer);
    const ms = this.settings.idleTimeoutMs;
    if (ms === null || this.openedAt === null) return;
    this.watchSilence(
      () => ms,
      () => this.end('idle-timeout', null, `no bytes for ${ms} ms`),
      (timer) => (this.idleTimer = timer),
    );
  }

  /**
   * Calls `fire` once `window()` ms pass without a byte. One timer per period, not per chunk: on
   * firing it re-arms for whatever is left. Silence while the host holds reading is ours, not the server's.
   */
  private watchSilence(window: () => number, fire: () => void, keep: (timer: unknown) => void): void {
    const check = (): void => {
      const ms = window();
      if (this.readingPaused) {
        keep(this.deps.setTimeout(check, ms));
        return;
      }
      const idle = this.deps.now() - this.lastByteAt;
      if (idle >= ms) fire();
      else keep(this.deps.setTimeout(check, ms - idle));
    };
    keep(this.deps.setTimeout(check, Math.max(0, window() - (this.deps.now() - this.lastByteAt))));
  }
}
