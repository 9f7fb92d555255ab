/**
 * An EventSource's reconnects, told apart from new EventSources, for complete capture (Chromium's
 * debugger, Firefox's response filters). From the network layer each reconnect is a request of its
 * own; the browser makes it to the same URL from the same frame once the previous request ended,
 * and the page cannot: a new EventSource after the page's close() follows a request the page
 * cancelled, which is never waiting here. So a request that matches a stream whose last request
 * ended (not by the page) continues that stream as its next attempt. What cannot be told apart: a
 * page that opens a second EventSource to the same URL while the first waits to reconnect; the
 * first one's reconnect then starts a connection of its own.
 *
 * A page that closes its EventSource while it waits to reconnect makes no request at all, so the
 * network layer never says so: a stream whose reconnect does not come within the wait it announced
 * (its `retry:`, else the browser's default) and a margin is overdue, and the capture ends it
 * saying so. Its reconnect may still come (a throttled or frozen tab): one that carries a
 * Last-Event-ID continues it, as a new EventSource's first request never carries one; one without
 * is taken for a new EventSource.
 */
import { createParser } from 'eventsource-parser';

/** Streams waiting for their reconnect, per tab: the page decides how many EventSources it opens. */
const MAX_WAITING = 500;
/** An overdue stream's late reconnect is looked for this long, then it is forgotten. */
const LATE_KEEP_MS = 5 * 60_000;

/** How long the browser waits before a reconnect when the stream set no `retry:`, and how much longer the capture waits for it. */
export interface ReconnectWait {
  defaultMs: number;
  marginMs: number;
}

/** Chromium waits 3 s, Firefox 5 s (its dom.server-events.default-reconnection-time) when a stream sent no `retry:`. */
export const RECONNECT_WAIT = {
  chromium: { defaultMs: 3_000, marginMs: 2_000 },
  firefox: { defaultMs: 5_000, marginMs: 2_000 },
} as const satisfies Record<string, ReconnectWait>;

export interface Overdue {
  sid: string;
  /** What the capture waited: the browser's wait and the margin. */
  waitedMs: number;
  retryMs: number | null;
}

interface Waiting {
  sid: string;
  endedAt: number;
  retryMs: number | null;
  deadline: number;
  /** Reported overdue: only a request with a Last-Event-ID continues it now. */
  late: boolean;
}

/** Follows the `retry:` of an EventSource's bytes with the parser the engine uses: the wait before its reconnect. */
export function retryWatcher(onRetry: (ms: number) => void): { feed(text: string): void } {
  const parser = createParser({ onEvent: () => {}, onRetry });
  return { feed: (text) => parser.feed(text) };
}

export function createReconnectBook(wait: ReconnectWait) {
  /** By `scope|frame|url`: the stream whose request ended there, in the order they ended. */
  const waiting = new Map<string, Waiting>();
  /** The last `retry:` per stream: it holds across the stream's reconnects, as in the browser. */
  const retries = new Map<string, number>();
  const key = (scope: string, frame: string, url: string) => `${scope}\n${frame}\n${url}`;
  const waitOf = (retryMs: number | null) => {
    const ms = retryMs ?? wait.defaultMs;
    return ms + Math.max(wait.marginMs, ms / 2);
  };
  return {
    /**
     * The stream this EventSource request continues, if any; it is no longer waiting.
     * `resumes`: the request carries a Last-Event-ID, which only a reconnect does.
     */
    take(scope: string, frame: string, url: string, resumes: boolean): string | null {
      const k = key(scope, frame, url);
      const w = waiting.get(k);
      if (!w || (w.late && !resumes)) return null;
      waiting.delete(k);
      return w.sid;
    },
    /** The stream's request ended in a way after which the browser reconnects. */
    ended(scope: string, frame: string, url: string, sid: string, now: number): void {
      const k = key(scope, frame, url);
      waiting.delete(k);
      if (waiting.size >= MAX_WAITING) {
        const oldest = waiting.keys().next();
        if (!oldest.done) waiting.delete(oldest.value);
      }
      const retryMs = retries.get(sid) ?? null;
      waiting.set(k, { sid, endedAt: now, retryMs, deadline: now + waitOf(retryMs), late: false });
    },
    /** The stream sent `retry:`. */
    retry(sid: string, ms: number): void {
      retries.delete(sid);
      if (retries.size >= MAX_WAITING) {
        const oldest = retries.keys().next();
        if (!oldest.done) retries.delete(oldest.value);
      }
      retries.set(sid, ms);
    },
    /** Streams whose reconnect did not come in time, each reported once; late ones long past are forgotten. */
    overdue(now: number): Overdue[] {
      const out: Overdue[] = [];
      for (const [k, w] of waiting) {
        if (w.late) {
          if (now - w.deadline > LATE_KEEP_MS) waiting.delete(k);
        } else if (now >= w.deadline) {
          w.late = true;
          out.push({ sid: w.sid, waitedMs: w.deadline - w.endedAt, retryMs: w.retryMs });
        }
      }
      return out;
    },
    /** When the next stream becomes overdue; null when none waits. */
    next(): number | null {
      let next: number | null = null;
      for (const w of waiting.values()) if (!w.late && (next === null || w.deadline < next)) next = w.deadline;
      return next;
    },
    /** What an overdue stream's end says. */
    describe(o: Overdue): string {
      const announced = o.retryMs !== null ? `its retry: of ${o.retryMs} ms` : `the browser's default of ${wait.defaultMs / 1000} s`;
      return `no reconnect request within ${(o.waitedMs / 1000).toFixed(1)} s (${announced}, and a margin): the page closed the EventSource while it waited to reconnect, or its reconnect was not seen; a reconnect that still comes with a Last-Event-ID continues here`;
    },
  };
}

export type ReconnectBook = ReturnType<typeof createReconnectBook>;

/**
 * Wakes when the book's next waiting EventSource is overdue and ends each overdue one through `end`,
 * with the book's words for why: the network layer never says that the page closed an EventSource
 * while it waited. `schedule()` after the book changes; `stop()` when the tab's capture stops.
 */
export function createOverdueAlarm(book: ReconnectBook, now: () => number, end: (sid: string, time: number, detail: string) => void) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const stop = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const schedule = (): void => {
    stop();
    const next = book.next();
    if (next !== null) timer = setTimeout(wake, Math.max(0, next - now()));
  };
  const wake = (): void => {
    timer = null;
    const time = now();
    for (const o of book.overdue(time)) end(o.sid, time, book.describe(o));
    schedule();
  };
  return { schedule, stop };
}

export type OverdueAlarm = ReturnType<typeof createOverdueAlarm>;
