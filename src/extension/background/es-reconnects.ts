/**
 * An EventSource's reconnects, told apart from new EventSources, for complete capture (Chromium's
 * debugger, Firefox's response filters). From the network layer each reconnect is a request of its
 * own; the browser makes it to the same URL from the same frame once the previous request ended,
 * and the page cannot: a new EventSource after the page's close() follows a request the page
 * cancelled, which is never waiting here. So a request that matches a stream whose last request
 * ended (not by the page) continues that stream as its next attempt. What cannot be told apart: a
 * page that opens a second EventSource to the same URL while the first waits to reconnect; the
 * first one's reconnect then starts a connection of its own.
 */

/** Streams waiting for their reconnect, per tab: the page decides how many EventSources it opens. */
const MAX_WAITING = 500;

export function createReconnectBook() {
  /** By `scope|frame|url`: the stream whose request ended there, in the order they ended. */
  const waiting = new Map<string, string>();
  const key = (scope: string, frame: string, url: string) => `${scope}\n${frame}\n${url}`;
  return {
    /** The stream this EventSource request continues, if any; it is no longer waiting. */
    take(scope: string, frame: string, url: string): string | null {
      const k = key(scope, frame, url);
      const sid = waiting.get(k) ?? null;
      waiting.delete(k);
      return sid;
    },
    /** The stream's request ended in a way after which the browser reconnects. */
    ended(scope: string, frame: string, url: string, sid: string): void {
      const k = key(scope, frame, url);
      waiting.delete(k);
      if (waiting.size >= MAX_WAITING) {
        const oldest = waiting.keys().next();
        if (!oldest.done) waiting.delete(oldest.value);
      }
      waiting.set(k, sid);
    },
  };
}

export type ReconnectBook = ReturnType<typeof createReconnectBook>;
