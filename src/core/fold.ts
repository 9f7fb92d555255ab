/**
 * What a connection's entries add up to (its counts, where it stands, each attempt at a glance),
 * computed once here and fed one entry at a time. The background's manager, the panel, capture
 * files, the CLI and the viewer all read these numbers from this fold, so a connection shows the
 * same state, counts and bytes live, in a capture, and imported again.
 *
 * Every `add` costs the same however long the history: folds run on the per-event path.
 */
import type { AttemptEndedEntry, ConnectionState, EndReason, HeaderPair, LastEventIdVia, ResponseEntry, TimelineEntry } from './timeline.js';

/**
 * Totals over everything a connection did, including entries a retention cap dropped since.
 *
 * `bytes` is what the timeline knows: every byte an ended attempt received (its attempt-ended entry
 * counts them, field names, heartbeats and line ends included), and for an attempt still open the
 * UTF-8 bytes of its events' data so far, until its end reports the whole. So an exported open
 * connection counts its open attempt as it did live.
 */
export interface ConnectionStats {
  events: number;
  bytes: number;
  attempts: number;
  /** The last event's Last-Event-ID ('' when none yet): what a reconnect sends. */
  lastEventId: string;
}

/** One attempt at a glance, as a capture file holds it (docs/capture-format.md); the entries remain the source of truth. */
export interface AttemptSummary {
  attempt: number;
  startedAt: number;
  method: string;
  url: string;
  requestHeaders: HeaderPair[];
  lastEventId: string | null;
  lastEventIdVia: LastEventIdVia;
  response: Pick<ResponseEntry, 'status' | 'statusText' | 'url' | 'redirected' | 'headers' | 'timeToHeadersMs'> | null;
  end: ({ at: number } & Pick<AttemptEndedEntry, 'reason' | 'status' | 'detail' | 'durationMs' | 'bytes' | 'events'>) | null;
}

/** An attempt as the fold follows it: its summary plus what the reconnect strip shows besides. */
export interface AttemptRecord {
  summary: AttemptSummary;
  /** Events so far; the summary's `end.events` once it ended. */
  events: number;
  /** The delay scheduled after this attempt, if it was to be retried. */
  nextDelayMs: number | null;
}

export interface FoldOptions {
  /**
   * Totals carried over from before (a restarted background's stored record), which already count
   * every entry up to `throughSeq`: those entries, fed again, update state and attempts only.
   */
  resume?: { stats: ConnectionStats; throughSeq: number };
  /** The Last-Event-ID before any event (the config's initial one). */
  lastEventId?: string;
  /** Keep only the latest this many attempt records, so memory stays bounded over a long life; all by default. */
  keepAttempts?: number;
}

export interface ConnectionFold {
  add(entry: TimelineEntry): void;
  readonly stats: Readonly<ConnectionStats>;
  /** Where the connection stands after the last entry; closed (no attempt made) before any. */
  readonly state: ConnectionState;
  /** Attempts oldest first: all of them, or the latest `keepAttempts`. Updated in place. */
  readonly attempts: readonly AttemptRecord[];
}

export function createConnectionFold(options: FoldOptions = {}): ConnectionFold {
  const stats: ConnectionStats = options.resume
    ? { ...options.resume.stats }
    : { events: 0, bytes: 0, attempts: 0, lastEventId: options.lastEventId ?? '' };
  const counted = options.resume?.throughSeq ?? 0;
  const keep = options.keepAttempts ?? Infinity;
  const attempts: AttemptRecord[] = [];
  let state: ConnectionState = { phase: 'closed', why: 'no attempt was made', since: 0 };
  /** The attempt whose events were last counted, and the data bytes counted for it: its end replaces them with every byte it received. */
  let dataAttempt = -1;
  let lastEnd: EndReason | null = null;
  let dataBytes = 0;

  function record(attempt: number): AttemptRecord | null {
    const last = attempts.at(-1);
    return last && last.summary.attempt === attempt ? last : null;
  }

  function add(e: TimelineEntry): void {
    const count = e.seq > counted;
    switch (e.kind) {
      case 'event':
        if (count) {
          stats.events++;
          stats.lastEventId = e.lastEventId;
          if (e.attempt !== dataAttempt) {
            dataAttempt = e.attempt;
            dataBytes = 0;
          }
          dataBytes += e.size;
          stats.bytes += e.size;
        }
        {
          const r = record(e.attempt);
          if (r) r.events++;
        }
        return;
      case 'attempt-started':
        if (count) stats.attempts++;
        attempts.push({
          summary: {
            attempt: e.attempt,
            startedAt: e.time,
            method: e.method,
            url: e.url,
            requestHeaders: e.headers,
            lastEventId: e.lastEventId,
            lastEventIdVia: e.lastEventIdVia,
            response: null,
            end: null,
          },
          events: 0,
          nextDelayMs: null,
        });
        // A bounded splice per attempt, not per event.
        if (attempts.length > keep) attempts.splice(0, attempts.length - keep);
        state = { phase: 'connecting', attempt: e.attempt, since: e.time };
        return;
      case 'response': {
        const r = record(e.attempt);
        if (r) {
          const { status, statusText, url, redirected, headers, timeToHeadersMs } = e;
          r.summary.response = { status, statusText, url, redirected, headers, timeToHeadersMs };
        }
        // A response the engine refuses ends its attempt in the same step, so no one sees it as open.
        state = { phase: 'open', attempt: e.attempt, since: e.time };
        return;
      }
      case 'attempt-ended': {
        if (count) stats.bytes += e.bytes - (e.attempt === dataAttempt ? dataBytes : 0);
        if (e.attempt === dataAttempt) {
          dataAttempt = -1;
          dataBytes = 0;
        }
        const r = record(e.attempt);
        if (r) {
          const { reason, status, detail, durationMs, bytes, events } = e;
          r.summary.end = { at: e.time, reason, status, detail, durationMs, bytes, events };
          r.events = events;
        }
        // Followed at once by a reconnect or a stop; this is what a timeline that ends here says.
        lastEnd = e.reason;
        state = { phase: 'closed', why: `${e.reason}: ${e.detail}`, since: e.time, lastEnd };
        return;
      }
      case 'reconnect-scheduled': {
        const r = record(e.attempt);
        if (r) r.nextDelayMs = e.delayMs;
        state = { phase: 'waiting', attempt: e.nextAttempt, until: e.delayMs === null ? null : e.time + e.delayMs };
        return;
      }
      case 'stopped':
        state = lastEnd === null ? { phase: 'closed', why: e.why, since: e.time } : { phase: 'closed', why: e.why, since: e.time, lastEnd };
        return;
      default:
        return;
    }
  }

  return {
    add,
    get stats() {
      return stats;
    },
    get state() {
      return state;
    },
    attempts,
  };
}

/** Summaries of every attempt the entries start, in order: what a capture file's `attempts` holds. */
export function summarizeAttempts(entries: Iterable<TimelineEntry>): AttemptSummary[] {
  const fold = createConnectionFold();
  for (const e of entries) fold.add(e);
  return fold.attempts.map((a) => a.summary);
}
