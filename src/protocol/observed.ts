/**
 * What the hook in an inspected page reports about the page's own streams (issue 12: observe the
 * inspected tab). The hook runs in the page's main world, so everything here is hostile input once
 * it leaves the page: the panel and the background validate each record (shape, sizes, rates)
 * before it becomes timeline entries of an observed connection. The hook keeps records in a bounded
 * queue until the panel drains it (`inspectedWindow.eval`), so nothing is lost to the order in
 * which the page, the hook and the panel start.
 *
 * Times are the page's `Date.now()` at the moment the hook saw the thing happen. Stream ids (`sid`)
 * are unique per page load; `frame` is the URL of the document the stream was opened from.
 */

/**
 * Who reported the records: a hook in the page's main world (the default: it sees what the page's
 * APIs expose), or the background's complete capture (Chromium's debugger Network domain, Firefox's
 * filterResponseData: the request as it left, the raw bytes, every event type). Both write the
 * same records, so one intake, fold and display serve both.
 */
export type ObservedMode = 'hook' | 'complete';

/** How the page opened the stream. */
export type ObservedApi = 'fetch' | 'xhr' | 'eventsource';

export type ObservedRecord =
  /** A stream the page opened (fetch/XHR: reported once its response says text/event-stream). */
  | {
      t: 'open';
      sid: string;
      api: ObservedApi;
      time: number;
      url: string;
      method: string;
      /** Headers the page set (fetch/XHR); the browser adds others the hook cannot see. */
      headers: [string, string][];
      /** The request body as text, cut at the hook's cap; null when none or not text. */
      body: string | null;
      bodyCut: boolean;
      /** EventSource only. */
      withCredentials: boolean;
      frame: string;
    }
  /** fetch/XHR: the response's status and headers, as the page's API exposes them. */
  | { t: 'response'; sid: string; time: number; status: number; statusText: string; headers: [string, string][]; url: string }
  /** fetch/XHR: decoded text of the body as the page received it, in order. */
  | { t: 'chunk'; sid: string; time: number; text: string }
  /** EventSource: `open` fired (a new attempt). */
  | { t: 'es-open'; sid: string; time: number }
  /** EventSource: a message of a type the page listens to (a hook sees no other type). */
  | { t: 'es-message'; sid: string; time: number; type: string; data: string; lastEventId: string }
  /** EventSource: `error` fired; readyState 0 means the browser will reconnect, 2 that it gave up. */
  | { t: 'es-error'; sid: string; time: number; readyState: number }
  /** The stream ended: done (server ended it), cancel/abort/close (the page ended it), error. */
  | { t: 'end'; sid: string; time: number; reason: 'done' | 'cancel' | 'abort' | 'close' | 'error'; detail: string };

/** What one drain of the hook returns. `dropped`: records the hook's bounded queue had to drop since the previous drain. */
export interface ObservedDrain {
  records: ObservedRecord[];
  dropped: number;
}

/**
 * The hook installs itself as `globalThis[Symbol.for(OBSERVE_GLOBAL)]`: a frozen, non-enumerable
 * `{ version: 1, drain(max?: number): ObservedDrain, since: number, late: boolean, watch(on: boolean): void }`;
 * installing it twice is a no-op. `watch(false)`: the panel switched observing off: nothing more is
 * recorded, the queue is freed, and the streams open then are not reported again after `watch(true)`. `since`: the page's `Date.now()` when the hook began watching. `late`: the
 * document had run a script before the hook came, so streams it opened before are not seen (the
 * page's word, shown as a warning only).
 */
export const OBSERVE_GLOBAL = 'sse-devtools.observe';
