/**
 * One SSE connection, following the WHATWG HTML "Server-sent events" processing model
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html), with fetch so that any header
 * can be sent. This is the coordinator: it keeps what outlives an attempt (the last event ID, the
 * server's retry, the backoff, the timeline's sequence, the simulations in force), starts attempts
 * (attempt.ts) and, when one ends, does what after-attempt.ts decides. Everything that happens
 * becomes an entry; nothing here knows about a UI.
 */
import type { EventSourceMessage } from 'eventsource-parser';
import type { ConnectionConfig } from '../config.js';
import { describeFault, FAULT_KINDS_THAT_STAY_IN_FORCE, faultDurationMs, faultRefusal, type Fault, type FaultKind } from '../faults.js';
import { createMasker, headerSecretValues, knownSecretValues, maskEntryBody, maskHeaders, maskUrl, scrubText, type Masker } from '../secrets.js';
import { LIMITS } from '../limits.js';
import type { ConnectionState, EndReason, EntryBody, EventEntry, FramingNote, HeaderPair, SentHeader, TimelineEntry } from '../timeline.js';
import { utf8Length } from '../utf8.js';
import { decideAfterAttempt, NO_BACKOFF_YET, type Backoff } from './after-attempt.js';
import { Attempt, type AttemptSink } from './attempt.js';
import { CookieJar, withCookies, type KeptCookie } from './cookies.js';
import { realDeps, type EngineDeps } from './deps.js';
import { buildRequest, shownBody } from './request.js';
import { attributeSent, plannedSources } from './sent-headers.js';
import { effectiveSettings, interruption, type FaultInForce, type Settings } from './settings.js';

/** Where to pick up after the host lost its memory (a restarted service worker). */
export interface ResumePoint {
  lastEventId: string;
  /** The server's last `retry:` value, if it sent one. */
  retryMs: number | null;
  nextAttempt: number;
  nextSeq: number;
}

/**
 * A resume point and what the host kept of the connection's secrets. Apart from ResumePoint, which
 * hosts store on disk with the connection's record: cookies are secrets and never go there.
 */
export interface ResumeSeed extends ResumePoint {
  /** The connection's own cookies as `onCookies` last reported them; the expired ones are dropped. */
  cookies?: readonly KeptCookie[];
}

export interface ConnectionOptions {
  id: string;
  config: ConnectionConfig;
  onEntry: (entry: TimelineEntry) => void;
  /** Called whenever `state` changes, after the entry that caused it. */
  onState?: (state: ConnectionState) => void;
  deps?: Partial<EngineDeps>;
  resume?: ResumeSeed;
  /**
   * Called with all of the connection's own cookies whenever a response changes them, for a host
   * that must keep them across its own restart (they are secrets: keep them in memory or session
   * storage only). Never called when the browser's cookies are sent instead.
   */
  onCookies?: (cookies: KeptCookie[]) => void;
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
   * `why` is what the attempt's end and the stopped entry say (default: closed by the user); a
   * host that stops on its own (the CLI's --duration) says so, so no one reads it as a person.
   */
  close(why?: string): void;
  /**
   * Starts a simulation (src/core/faults.ts); a lasting one replaces any of its kind. Returns why
   * it cannot apply now (a drop while waiting to reconnect), recording nothing; else null.
   */
  inject(fault: Fault): string | null;
  /** Stops a lasting simulation; the connection goes back to its configured behaviour. */
  stopFault(kind: FaultKind): void;
  /** The lasting simulations in force. */
  readonly faults: Fault[];
  /** Appends an entry that the host, not the stream, knows about (a fault injected, the worker restarted). */
  note(body: EntryBody): void;
}

/** Where the connection is; each phase holds exactly what exists in it, so no timer or attempt outlives its phase. */
type Lifecycle =
  | { phase: 'idle' }
  | { phase: 'attempting'; attempt: Attempt }
  | { phase: 'waiting'; timer: unknown }
  | { phase: 'closed' };

export function createConnection(options: ConnectionOptions): Connection {
  const { id, config, onEntry } = options;
  const deps: EngineDeps = { ...realDeps, ...options.deps };

  let lifecycle: Lifecycle = { phase: 'idle' };
  // What the host is told (onState); set at the same moments as the lifecycle, with its times.
  let state: ConnectionState = { phase: 'connecting', attempt: options.resume?.nextAttempt ?? 1, since: deps.now() };

  // What outlives an attempt.
  let seq = options.resume?.nextSeq ?? 1;
  let nextAttemptNumber = options.resume?.nextAttempt ?? 1;
  const firstAttemptNumber = nextAttemptNumber;
  let lastEventId = options.resume?.lastEventId ?? config.initialLastEventId ?? '';
  let retryMs: number | null = options.resume?.retryMs ?? null;
  let backoff: Backoff = NO_BACKOFF_YET;
  /** Set by close(): why the connection was closed, for the attempt it ends. */
  let closedBecause: string | null = null;
  let bytesOfEndedAttempts = 0;

  // Simulations in force (src/core/faults.ts), the timers that end them, and the result.
  const faults = new Map<FaultKind, FaultInForce>();
  const faultTimers = new Map<FaultKind, unknown>();
  let settings: Settings = effectiveSettings(config, []);

  // The connection's own cookies; with the browser's cookies on, the browser's jar keeps them instead.
  const jar = new CookieJar(config.sendBrowserCookies ? [] : options.resume?.cookies, deps.now());

  // Every secret value the engine knows is masked wherever a server echoes it, before the entry
  // exists: entries are stored, sent to panels and exported as they are.
  const secretValues = [...knownSecretValues(config), ...jar.values()];
  let mask: Masker | null = createMasker(secretValues);

  /** Per attempt, what was asked for (masked later, with the entry) and which names are secret. */
  const planned = new Map<number, { headers: SentHeader[]; secret: string[] }>();

  /** The attempt entries belong to: the open one, else the last one (0 before any). */
  const latestAttempt = (): number => Math.max(0, nextAttemptNumber - 1);

  // Times never go backwards within a connection, even when the wall clock steps back (NTP).
  let lastTime = 0;
  const stamp = (time: number): number => (lastTime = Math.max(lastTime, time));

  function emit(attempt: number, body: EntryBody, time = deps.now()): void {
    onEntry({ connectionId: id, attempt, seq: seq++, time: stamp(time), ...(mask === null ? body : maskEntryBody(body, mask)) });
  }

  function setState(next: ConnectionState): void {
    state = next;
    options.onState?.(next);
  }

  /** A note may quote event data, where secrets are masked as in the data itself. */
  function maskNotes(notes: FramingNote[]): FramingNote[] {
    const m = mask;
    return m === null ? notes : notes.map((n) => ({ trap: n.trap, detail: m(n.detail) }));
  }

  function deliver(attempt: number, message: EventSourceMessage, time: number, read: number, framing: FramingNote[] | null): void {
    if (message.id !== undefined) lastEventId = message.id;
    // Built in place rather than through emit(): this runs once per event, and the spread in
    // emit() costs a measurable share of throughput here (see bench/engine.ts).
    const entry: EventEntry = {
      connectionId: id,
      attempt,
      seq: seq++,
      time: stamp(time),
      kind: 'event',
      type: message.event ?? 'message',
      id: message.id ?? null,
      lastEventId,
      data: message.data,
      size: utf8Length(message.data),
      read,
    };
    if (framing !== null) entry.framing = maskNotes(framing);
    if (mask !== null) {
      // In place rather than through maskEntryBody's copy: no one has seen this entry yet.
      entry.type = mask(entry.type);
      entry.id = entry.id === null ? null : mask(entry.id);
      entry.lastEventId = mask(entry.lastEventId);
      entry.data = mask(entry.data);
    }
    onEntry(entry);
  }

  const sink: AttemptSink = {
    emit,
    event: deliver,
    lastEventId: (blockId) => {
      lastEventId = blockId;
    },
    retry: (attempt, ms, time) => {
      retryMs = ms;
      emit(attempt, { kind: 'retry-changed', delayMs: ms }, time);
    },
    sent: (attempt, observation) => {
      const asked = planned.get(attempt);
      if (!asked) return;
      const { headers, dropped } = attributeSent(asked.headers, observation.headers?.slice(0, LIMITS.headers) ?? null);
      const secret = (pairs: readonly HeaderPair[]) => maskHeaders(pairs, asked.secret);
      emit(attempt, {
        kind: 'request-sent',
        observed: observation.headers !== null,
        headers: secret(headers.map(([n, v]): HeaderPair => [n, v])).map(([n, v], i): SentHeader => [n, v, headers[i]![2]]),
        dropped: secret(dropped),
        detail: observation.detail,
      });
    },
    cookies: (_attempt, setCookies) => {
      if (config.sendBrowserCookies || setCookies.length === 0) return;
      if (!jar.store(setCookies, deps.now())) return;
      options.onCookies?.(jar.contents());
      // A server may echo a cookie's value later; entries never show it.
      const fresh = jar.values().filter((v) => !secretValues.includes(v));
      if (fresh.length === 0) return;
      secretValues.push(...fresh);
      mask = createMasker(secretValues);
    },
    opened: (attempt, at) => setState({ phase: 'open', attempt, since: at }),
    ended: attemptEnded,
    room: options.room,
  };

  function beginAttempt(): void {
    const plan = buildRequest(config, lastEventId, settings.headerOverride);
    if (!config.sendBrowserCookies) plan.headers = withCookies(plan.headers, jar.header(deps.now()));
    planned.clear();
    planned.set(nextAttemptNumber, { headers: plannedSources(plan.headers, config.headers), secret: plan.secretHeaders });
    const attempt = new Attempt(nextAttemptNumber++, config, deps, sink, settings);
    lifecycle = { phase: 'attempting', attempt };
    setState({ phase: 'connecting', attempt: attempt.number, since: attempt.startedAt });
    emit(attempt.number, {
      kind: 'attempt-started',
      method: config.method,
      url: maskUrl(plan.url),
      headers: maskHeaders(plan.headers, plan.secretHeaders),
      lastEventId: plan.lastEventIdVia === 'none' ? null : lastEventId,
      lastEventIdVia: plan.lastEventIdVia,
      ...shownBody(config),
    });
    attempt.start(plan);
  }

  function attemptEnded(attempt: Attempt, reason: EndReason, status: number | null, detail: string): void {
    bytesOfEndedAttempts += attempt.bytes;
    const endedAt = deps.now();
    const ended: EntryBody = {
      kind: 'attempt-ended',
      reason,
      status,
      // Error messages may quote the URL or a header; entries never hold a secret.
      detail: scrubText(detail, [config.url]),
      durationMs: endedAt - attempt.startedAt,
      bytes: attempt.bytes,
      events: attempt.events,
      ...(attempt.failureBody === null ? {} : { body: attempt.failureBody }),
      ...(attempt.framing.length === 0 ? {} : { framing: attempt.framing }),
    };
    const attemptsMade = attempt.number - firstAttemptNumber + 1;
    const decision = decideAfterAttempt(config.reconnect, { reason, attemptsMade, openedAt: attempt.openedAt, endedAt }, backoff, retryMs, deps.random);
    if (decision.next === 'stop') {
      lifecycle = { phase: 'closed' };
      emit(attempt.number, ended);
      stopped(attempt.number, reason === 'closed-by-user' && closedBecause !== null ? closedBecause : decision.why);
      return;
    }
    backoff = decision.backoff;
    const waiting: Lifecycle = { phase: 'waiting', timer: deps.setTimeout(beginAttempt, decision.delayMs) };
    lifecycle = waiting;
    emit(attempt.number, ended);
    // The host may have closed the connection on seeing the end.
    if (lifecycle !== waiting) return;
    emit(attempt.number, {
      kind: 'reconnect-scheduled',
      delayMs: decision.delayMs,
      why: decision.why,
      nextAttempt: nextAttemptNumber,
      lastEventId: lastEventId === '' ? null : lastEventId,
    });
    setState({ phase: 'waiting', attempt: nextAttemptNumber, until: endedAt + decision.delayMs });
  }

  /** The last step of every path to closed; the lifecycle is closed already. */
  function stopped(attempt: number, why: string): void {
    // A stopped connection keeps no timer alive, simulations included.
    for (const timer of faultTimers.values()) deps.clearTimeout(timer);
    faultTimers.clear();
    faults.clear();
    settings = effectiveSettings(config, []);
    emit(attempt, { kind: 'stopped', why });
    setState({ phase: 'closed', why, since: deps.now() });
  }

  /** Recomputes what the connection does and tells the open attempt. */
  function settingsChanged(): void {
    settings = effectiveSettings(config, faults.values());
    if (lifecycle.phase === 'attempting') lifecycle.attempt.applySettings(settings);
  }

  function stopFault(kind: FaultKind, how: string): void {
    if (!faults.delete(kind)) return;
    deps.clearTimeout(faultTimers.get(kind));
    faultTimers.delete(kind);
    settingsChanged();
    emit(latestAttempt(), { kind: 'fault-injected', fault: kind, detail: `${kind} simulation ${how}` });
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
      return bytesOfEndedAttempts + (lifecycle.phase === 'attempting' ? lifecycle.attempt.bytes : 0);
    },
    start() {
      if (lifecycle.phase === 'idle') beginAttempt();
    },
    close(why = 'closed by the user') {
      switch (lifecycle.phase) {
        case 'closed':
          return;
        case 'attempting':
          closedBecause = why;
          lifecycle.attempt.end('closed-by-user', null, why === 'closed by the user' ? 'the user closed the connection' : why);
          return;
        case 'waiting':
          deps.clearTimeout(lifecycle.timer);
          lifecycle = { phase: 'closed' };
          stopped(latestAttempt(), why);
          return;
        case 'idle':
          lifecycle = { phase: 'closed' };
          stopped(latestAttempt(), why);
          return;
      }
    },
    inject(fault) {
      // Before the first attempt there is nothing in progress, as while waiting to reconnect.
      const refusal = faultRefusal(fault.kind, lifecycle.phase === 'idle' ? 'waiting' : state.phase);
      if (refusal !== null) return refusal;
      if (fault.kind === 'token-expiry') {
        // Known from now on, even after the simulation stops: a server may echo them later.
        secretValues.push(...headerSecretValues(fault.headers));
        mask = createMasker(secretValues);
      }
      emit(latestAttempt(), { kind: 'fault-injected', fault: fault.kind, detail: describeFault(fault) });
      if (FAULT_KINDS_THAT_STAY_IN_FORCE.has(fault.kind)) {
        // A second one of a kind replaces the first, duration included.
        faults.set(fault.kind, { fault, since: deps.now() });
        deps.clearTimeout(faultTimers.get(fault.kind));
        faultTimers.delete(fault.kind);
        const ms = faultDurationMs(fault);
        if (ms !== null) faultTimers.set(fault.kind, deps.setTimeout(() => stopFault(fault.kind, 'ended after its duration'), ms));
        settingsChanged();
      }
      const cut = interruption(fault);
      if (cut !== null && lifecycle.phase === 'attempting') lifecycle.attempt.end(cut.reason, null, cut.detail);
      return null;
    },
    stopFault(kind) {
      stopFault(kind, 'stopped');
    },
    get faults() {
      return [...faults.values()].map((f) => f.fault);
    },
    note(body) {
      emit(latestAttempt(), body);
    },
  };
}
