/**
 * The timeline: what one connection did, as an append-only list of entries.
 * This is the product's vocabulary; the panel, the CLI and capture files all speak it.
 */

/** Why an attempt ended. One fixed set; docs/capture-format.md maps each to what the seed clients call it. */
export const END_REASONS = [
  'closed-by-server',
  'idle-timeout',
  'connect-timeout',
  'http-error',
  'bad-content-type',
  'no-content',
  'network-error',
  /** An observed EventSource's stream ended and it reconnects: its page sees only `error`, the same for the server's end and a lost network. */
  'lost-or-closed',
  'closed-by-user',
  'fault',
] as const;
export type EndReason = (typeof END_REASONS)[number];

/** How the Last-Event-ID travelled with a request. `none` when there was no id to send. */
export type LastEventIdVia = 'header' | 'query' | 'none';

export type HeaderPair = [name: string, value: string];

/** Fields every entry carries. `seq` only grows within a connection; `time` is epoch milliseconds. */
export interface EntryBase {
  connectionId: string;
  /** 1 for the first attempt; 0 for entries that belong to no attempt (e.g. worker restarted). */
  attempt: number;
  seq: number;
  time: number;
}

export interface AttemptStartedEntry extends EntryBase {
  kind: 'attempt-started';
  method: string;
  /** Query-string secrets already masked. */
  url: string;
  /** Secret values already masked. */
  headers: HeaderPair[];
  lastEventId: string | null;
  lastEventIdVia: LastEventIdVia;
  /**
   * The request's body as sent (secrets masked), when the host knows it: what an MCP POST asked
   * (the JSON-RPC request the MCP lens pairs with its response). Absent when there was none or it
   * is not known (observed streams, older captures).
   */
  body?: string;
}

/** Who put a header in a request: the user's form (or CLI options), SSE DevTools, or the HTTP client. */
export const HEADER_SOURCES = ['form', 'sse-devtools', 'browser'] as const;
export type HeaderSource = (typeof HEADER_SOURCES)[number];
export type SentHeader = [name: string, value: string, source: HeaderSource];

/**
 * The request's headers as they went out, once known: observed on the wire where the host can see
 * them (the browser's webRequest), else as handed to the HTTP client, which may add its own.
 */
export interface RequestSentEntry extends EntryBase {
  kind: 'request-sent';
  /** True when the host saw the headers leave; false when these are only what was configured. */
  observed: boolean;
  /** Secret values already masked; in the order they were sent. */
  headers: SentHeader[];
  /** Headers the request asked for that did not go out. */
  dropped: HeaderPair[];
  /** How these were learnt, or why they could not be observed. */
  detail: string;
}

export interface ResponseEntry extends EntryBase {
  kind: 'response';
  status: number;
  statusText: string;
  /** The final URL after redirects (secrets masked). */
  url: string;
  redirected: boolean;
  headers: HeaderPair[];
  timeToHeadersMs: number;
}

/**
 * Framing the spec allows but some clients parse differently, as the parsing path noticed it in the
 * stream's text (the doctor's framing check reads them). Each at most once per attempt.
 */
export const FRAMING_TRAPS = ['cr-only', 'bom', 'no-space', 'multi-line-json', 'unterminated-final-event', 'nul-in-id', 'long-line'] as const;
export type FramingTrap = (typeof FRAMING_TRAPS)[number];
export interface FramingNote {
  trap: FramingTrap;
  /** What was seen, in words (bounded): "a line of 70,000 characters", the lost event's data, cut. */
  detail: string;
}

export interface EventEntry extends EntryBase {
  kind: 'event';
  /** The event type, "message" when the stream named none: the channel. */
  type: string;
  /** The event's own `id:` field, null when it had none ('' when it had an empty one). */
  id: string | null;
  /** The connection's last event ID after this event: what a reconnect would send. */
  lastEventId: string;
  data: string;
  /** UTF-8 bytes of data. */
  size: number;
  /**
   * Which network read of its attempt (1, 2, …) carried the event's last byte: events with the same
   * read arrived together, which timestamps alone cannot tell apart from a fast stream (the doctor's
   * buffering check). Absent where reads are not seen (an observed EventSource, HAR, older captures).
   */
  read?: number;
  /** Framing traps first noticed since the attempt's previous event; absent when none (and in older captures). */
  framing?: FramingNote[];
}

export interface CommentEntry extends EntryBase {
  kind: 'comment';
  text: string;
}

export interface RetryChangedEntry extends EntryBase {
  kind: 'retry-changed';
  delayMs: number;
}

/** A line the parser skipped (unknown field, retry that is not all digits): invisible in clients, worth seeing here. */
export interface IgnoredLineEntry extends EntryBase {
  kind: 'ignored-line';
  why: 'unknown-field' | 'invalid-retry';
  line: string;
}

export interface AttemptEndedEntry extends EntryBase {
  kind: 'attempt-ended';
  reason: EndReason;
  /** HTTP status for http-error, no-content and bad-content-type; null otherwise. */
  status: number | null;
  detail: string;
  durationMs: number;
  bytes: number;
  events: number;
  /** What a response that was not a stream said (a 401's JSON, a login page); absent when it had no body. */
  body?: ResponseBody;
  /** Framing traps noticed after the attempt's last event, the unterminated final event among them; absent when none. */
  framing?: FramingNote[];
}

/** The body of a non-stream response, as far as it was read (LIMITS.failureBodyBytes, LIMITS.failureBodyMs). */
export interface ResponseBody {
  /** The response's Content-Type, null when it had none. */
  contentType: string | null;
  /** Decoded as UTF-8 (invalid bytes become U+FFFD); secrets masked. Text, never markup to render. */
  text: string;
  /** Bytes read. */
  bytes: number;
  /** The body's whole size when the server said it (Content-Length); null otherwise. */
  totalBytes: number | null;
  /** Why reading stopped before the end: at the size limit, at the deadline; null when read whole. */
  cut: 'size' | 'deadline' | null;
}

export interface ReconnectScheduledEntry extends EntryBase {
  kind: 'reconnect-scheduled';
  /** null: the delay is not ours to know (an observed page's browser waits its own default or the stream's retry:). */
  delayMs: number | null;
  /** How the delay was arrived at, in words: "retry: 5000 from the server", "backoff 2^3 × 1000 ms, jittered". */
  why: string;
  nextAttempt: number;
  lastEventId: string | null;
}

/** The connection will not reconnect any more. */
export interface StoppedEntry extends EntryBase {
  kind: 'stopped';
  why: string;
}

export interface FaultInjectedEntry extends EntryBase {
  kind: 'fault-injected';
  fault: string;
  detail: string;
}

export interface WorkerRestartedEntry extends EntryBase {
  kind: 'worker-restarted';
  detail: string;
}

/** The host could not keep up (storage fell behind); reading stopped and the server's TCP window held the stream. */
export interface ReadingPausedEntry extends EntryBase {
  kind: 'reading-paused';
  durationMs: number;
  detail: string;
}

export interface EntriesDroppedEntry extends EntryBase {
  kind: 'entries-dropped';
  count: number;
  detail: string;
}

export type TimelineEntry =
  | AttemptStartedEntry
  | RequestSentEntry
  | ResponseEntry
  | EventEntry
  | CommentEntry
  | RetryChangedEntry
  | IgnoredLineEntry
  | AttemptEndedEntry
  | ReconnectScheduledEntry
  | StoppedEntry
  | FaultInjectedEntry
  | WorkerRestartedEntry
  | ReadingPausedEntry
  | EntriesDroppedEntry;

/** Distributes Omit over the union so each variant keeps its own fields. */
export type EntryBody<E extends TimelineEntry = TimelineEntry> = E extends TimelineEntry
  ? Omit<E, keyof EntryBase>
  : never;

/** Where a connection stands now; derived from its entries, kept by the engine for convenience. */
export type ConnectionState =
  | { phase: 'connecting'; attempt: number; since: number }
  | { phase: 'open'; attempt: number; since: number }
  /** `until` null: when the next attempt starts is the browser's to decide (an observed EventSource). */
  | { phase: 'waiting'; attempt: number; until: number | null }
  /** `lastEnd`: how the last attempt ended, so a closed connection reads in the same colours as its attempts. */
  | { phase: 'closed'; why: string; since: number; lastEnd?: EndReason };
