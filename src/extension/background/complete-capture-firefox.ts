/**
 * Complete capture in Firefox (issue 12, the opt-in mode): `webRequest.filterResponseData` on the
 * inspected tab's responses whose Content-Type is text/event-stream, written as the same observed
 * records (mode 'complete') as Chromium's debugger route. Every byte is passed through to the page
 * unchanged and at once (`filter.write` in `ondata`), and reported as text; the request's headers as
 * they left come from `onSendHeaders`, a POST's body from `onBeforeRequest`'s `requestBody`.
 *
 * The trap (measured, shared/recipes/page-observation.md): while a filter is attached, the page's
 * `reader.cancel()` no longer closes the connection (`abort()` and `EventSource.close()` still do).
 * So switching off disconnects every filter of the tab at once, and the panel says so before the
 * mode is switched on; and when the page's hook reports that the page cancelled a fetch reader,
 * that request's filter is disconnected (`pageCancelled`), after which Firefox closes it.
 *
 * What the browser reports about a page's requests is the page's doing: cut to the records' limits
 * here, checked again by the intake.
 */
import type { WebRequest } from 'webextension-polyfill';
import type { ObservedApi, ObservedDrain, ObservedRecord } from '../../protocol/observed.js';
import { LIMITS } from '../../core/limits.js';
import { createRecordBatch, type RecordBatch } from './record-batch.js';
import { createOverdueAlarm, createReconnectBook, RECONNECT_WAIT, type OverdueAlarm, retryWatcher, type ReconnectBook, type ReconnectWait } from './es-reconnects.js';

/** The part of `browser.webRequest` used here. */
export interface FilterApi {
  filterResponseData(requestId: string): WebRequest.StreamFilter;
  onBeforeRequest: { addListener(cb: (d: WebRequest.OnBeforeRequestDetailsType) => void, filter: WebRequest.RequestFilter, spec: 'requestBody'[]): void; removeListener(cb: (d: WebRequest.OnBeforeRequestDetailsType) => void): void };
  onSendHeaders: { addListener(cb: (d: WebRequest.OnSendHeadersDetailsType) => void, filter: WebRequest.RequestFilter, spec: 'requestHeaders'[]): void; removeListener(cb: (d: WebRequest.OnSendHeadersDetailsType) => void): void };
  onHeadersReceived: {
    addListener(cb: (d: WebRequest.OnHeadersReceivedDetailsType) => void, filter: WebRequest.RequestFilter, spec: ('blocking' | 'responseHeaders')[]): void;
    removeListener(cb: (d: WebRequest.OnHeadersReceivedDetailsType) => void): void;
  };
  onCompleted: { addListener(cb: (d: WebRequest.OnCompletedDetailsType) => void, filter: WebRequest.RequestFilter): void; removeListener(cb: (d: WebRequest.OnCompletedDetailsType) => void): void };
  onErrorOccurred: { addListener(cb: (d: WebRequest.OnErrorOccurredDetailsType) => void, filter: WebRequest.RequestFilter): void; removeListener(cb: (d: WebRequest.OnErrorOccurredDetailsType) => void): void };
}

export interface FilterCaptureOptions {
  api: FilterApi;
  now(): number;
  report(tabId: number, pageUrl: string, drain: ObservedDrain): void;
  state(tabId: number, on: boolean, why: string | null): void;
  forget(tabId: number, why: string): void;
  /** How long an EventSource's reconnect is waited for (es-reconnects.ts); Firefox's by default. */
  reconnectWait?: ReconnectWait;
}

const MAX_PENDING = 2000;
/** How long a stopped filter waits for webRequest to say how its request ended before it takes the server's end. */
const OUTCOME_WAIT_MS = 2000;
const MAX_STREAMS = 500;
const BODY_CHARS = 64 * 1024;

interface Pending {
  headers: [string, string][];
  body: string | null;
  bodyCut: boolean;
}

/** A filtered response: what tells it apart when the page's hook reports a cancel, and how to end its record. */
interface Filtered {
  filter: WebRequest.StreamFilter;
  url: string;
  api: ObservedApi;
  time: number;
  end(reason: Outcome['reason'], detail: string): void;
}

interface TabCapture {
  tabId: number;
  pageUrl: string;
  pending: Map<string, Pending>;
  filters: Map<string, Filtered>;
  batch: RecordBatch;
  reconnects: ReconnectBook;
  /** Ends the EventSources whose reconnect did not come: the page closed them while they waited, most likely. */
  overdue: OverdueAlarm;
  /** Filtered requests whose filter stopped, waiting for webRequest's word on how they ended. */
  waiting: Map<string, (outcome: Outcome) => void>;
  /** webRequest's word that came before the filter stopped, for filtered requests only. */
  outcomes: Map<string, Outcome>;
}

/** How a request ended, as webRequest says: a filter's `onstop` also fires when the page closes its EventSource (measured in Firefox ESR 153). */
interface Outcome {
  reason: 'done' | 'cancel' | 'error';
  detail: string;
}

const cut = (s: unknown, max: number): string => (typeof s === 'string' ? s.slice(0, max) : '');

function pairs(headers: WebRequest.HttpHeaders | undefined): [string, string][] {
  return (headers ?? []).slice(0, LIMITS.headers).map((h) => [cut(h.name, LIMITS.textChars), cut(h.value ?? '', LIMITS.textChars)]);
}

/** The request body as text when it is text (form data or raw bytes that decode), within the cap. */
function bodyOf(d: WebRequest.OnBeforeRequestDetailsType): { body: string | null; bodyCut: boolean } {
  const raw = d.requestBody?.raw;
  if (!raw || raw.length === 0) return { body: null, bodyCut: false };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    let text = '';
    for (const part of raw) {
      if (!part.bytes) return { body: null, bodyCut: false };
      text += decoder.decode(part.bytes as ArrayBuffer, { stream: true });
      if (text.length > BODY_CHARS) return { body: text.slice(0, BODY_CHARS), bodyCut: true };
    }
    return { body: text + decoder.decode(), bodyCut: false };
  } catch {
    return { body: null, bodyCut: false };
  }
}


export function createFilterCapture(options: FilterCaptureOptions) {
  const { api } = options;
  const tabs = new Map<number, TabCapture>();

  function push(t: TabCapture, record: ObservedRecord): void {
    t.batch.push(record);
  }

  function bounded(t: TabCapture, key: string, update: (p: Pending) => void): void {
    let p = t.pending.get(key);
    if (!p) {
      if (t.pending.size >= MAX_PENDING) {
        const oldest = t.pending.keys().next();
        if (!oldest.done) t.pending.delete(oldest.value);
      }
      p = { headers: [], body: null, bodyCut: false };
      t.pending.set(key, p);
    }
    update(p);
  }

  const onBeforeRequest = (d: WebRequest.OnBeforeRequestDetailsType): void => {
    const t = tabs.get(d.tabId);
    if (!t) return;
    if (d.type === 'main_frame') t.pageUrl = cut(d.url, LIMITS.urlChars);
    if (d.method === 'GET' || d.method === 'HEAD') return;
    const b = bodyOf(d);
    bounded(t, d.requestId, (p) => Object.assign(p, b));
  };

  const onSendHeaders = (d: WebRequest.OnSendHeadersDetailsType): void => {
    const t = tabs.get(d.tabId);
    if (!t) return;
    bounded(t, d.requestId, (p) => (p.headers = pairs(d.requestHeaders)));
  };

  const onHeadersReceived = (d: WebRequest.OnHeadersReceivedDetailsType): void => {
    const t = tabs.get(d.tabId);
    if (!t) return;
    const pending = t.pending.get(d.requestId);
    t.pending.delete(d.requestId);
    const contentType = (d.responseHeaders ?? []).find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '';
    if (contentType.split(';')[0]!.trim().toLowerCase() !== 'text/event-stream' || t.filters.size >= MAX_STREAMS) return;
    const headers = pending?.headers ?? [];
    const accept = headers.find(([n]) => n.toLowerCase() === 'accept')?.[1] ?? '';
    // Firefox reports fetch, XHR and EventSource requests alike as xmlhttprequest (measured): an
    // EventSource is told by the Accept it always sends; fetch and XHR cannot be told apart, so both read as fetch.
    const kind: ObservedApi = accept === 'text/event-stream' && d.method === 'GET' ? 'eventsource' : 'fetch';
    const time = options.now();
    const url = cut(d.url, LIMITS.urlChars);
    const frame = cut(d.documentUrl ?? '', LIMITS.urlChars) || t.pageUrl;
    // An EventSource's reconnect goes on as the next attempt of the stream it continues.
    const resumes = headers.some(([n, v]) => n.toLowerCase() === 'last-event-id' && v !== '');
    const sid = (kind === 'eventsource' && t.reconnects.take('', frame, url, resumes)) || `ff:${cut(d.requestId, 150)}`;
    const reconnects = kind === 'eventsource' && d.statusCode === 200;
    const retry = kind === 'eventsource' ? retryWatcher((ms) => t.reconnects.retry(sid, ms)) : null;
    push(t, {
      t: 'open',
      sid,
      api: kind,
      time,
      url,
      method: cut(d.method, 16) || 'GET',
      headers,
      body: pending?.body ?? null,
      bodyCut: pending?.bodyCut ?? false,
      withCredentials: false,
      frame,
    });
    const statusLine = cut(d.statusLine, LIMITS.textChars);
    push(t, { t: 'response', sid, time, status: Number.isInteger(d.statusCode) && d.statusCode >= 0 && d.statusCode <= 999 ? d.statusCode : 0, statusText: statusLine.replace(/^\S+\s+\d+\s*/, ''), headers: pairs(d.responseHeaders), url });
    let filter: WebRequest.StreamFilter;
    try {
      filter = api.filterResponseData(d.requestId);
    } catch {
      // Refused (a request Firefox does not let extensions filter): the page's stream is untouched.
      return;
    }
    const decoder = new TextDecoder();
    let ended = false;
    const end = (reason: Outcome['reason'], detail: string) => {
      if (ended) return;
      ended = true;
      t.filters.delete(d.requestId);
      // Switched off meanwhile: the stream was already told it is no longer followed.
      if (tabs.get(t.tabId) !== t) return;
      const rest = decoder.decode();
      if (rest !== '') push(t, { t: 'chunk', sid, time: options.now(), text: rest });
      push(t, { t: 'end', sid, time: options.now(), reason, detail: cut(detail, LIMITS.textChars) });
      // The browser reconnects after the server's end or a network error, not after the page's close().
      if (reconnects && reason !== 'cancel') {
        t.reconnects.ended('', frame, url, sid, options.now());
        t.overdue.schedule();
      }
    };
    filter.ondata = (e) => {
      // The page's bytes first, unchanged; then what we make of them.
      filter.write(e.data);
      if (ended) return;
      const text = decoder.decode(e.data, { stream: true });
      retry?.feed(text);
      for (let i = 0; i < text.length; i += LIMITS.eventDataChars) push(t, { t: 'chunk', sid, time: options.now(), text: text.slice(i, i + LIMITS.eventDataChars) });
    };
    // The page's close() stops the filter as the server's end does: webRequest tells them apart (completed, or an error such as NS_BINDING_ABORTED).
    const settle = (fallback: Outcome) => {
      const known = t.outcomes.get(d.requestId);
      t.outcomes.delete(d.requestId);
      if (known) return end(known.reason, known.detail);
      const timer = setTimeout(() => decide(fallback), OUTCOME_WAIT_MS);
      const decide = (o: Outcome) => {
        clearTimeout(timer);
        t.waiting.delete(d.requestId);
        end(o.reason, o.detail);
      };
      t.waiting.set(d.requestId, decide);
    };
    filter.onstop = () => {
      filter.close();
      settle({ reason: 'done', detail: '' });
    };
    filter.onerror = () => settle({ reason: 'error', detail: cut(filter.error, 500) });
    t.filters.set(d.requestId, { filter, url: cut(d.url, LIMITS.urlChars), api: kind, time, end });
  };

  const outcome = (tabId: number, requestId: string, o: Outcome): void => {
    const t = tabs.get(tabId);
    if (!t) return;
    const waiter = t.waiting.get(requestId);
    if (waiter) return waiter(o);
    if (!t.filters.has(requestId)) return;
    if (t.outcomes.size >= MAX_STREAMS) t.outcomes.clear();
    t.outcomes.set(requestId, o);
  };
  const onCompleted = (d: WebRequest.OnCompletedDetailsType): void => outcome(d.tabId, d.requestId, { reason: 'done', detail: '' });
  const onErrorOccurred = (d: WebRequest.OnErrorOccurredDetailsType): void => {
    const error = cut(d.error, 500);
    outcome(d.tabId, d.requestId, /ABORT/i.test(error) ? { reason: 'cancel', detail: error } : { reason: 'error', detail: error });
  };

  function listen(on: boolean): void {
    if (on) {
      const filter: WebRequest.RequestFilter = { urls: ['<all_urls>'] };
      api.onBeforeRequest.addListener(onBeforeRequest, filter, ['requestBody']);
      api.onSendHeaders.addListener(onSendHeaders, filter, ['requestHeaders']);
      api.onHeadersReceived.addListener(onHeadersReceived, filter, ['blocking', 'responseHeaders']);
      api.onCompleted.addListener(onCompleted, filter);
      api.onErrorOccurred.addListener(onErrorOccurred, filter);
    } else {
      api.onBeforeRequest.removeListener(onBeforeRequest);
      api.onSendHeaders.removeListener(onSendHeaders);
      api.onHeadersReceived.removeListener(onHeadersReceived);
      api.onCompleted.removeListener(onCompleted);
      api.onErrorOccurred.removeListener(onErrorOccurred);
    }
  }

  return {
    active(): boolean {
      return tabs.size > 0;
    },
    start(tabId: number, pageUrl: string): void {
      if (!tabs.has(tabId)) {
        if (tabs.size === 0) listen(true);
        const reconnects = createReconnectBook(options.reconnectWait ?? RECONNECT_WAIT.firefox);
        const t: TabCapture = { tabId, pageUrl, pending: new Map(), filters: new Map(), batch: createRecordBatch((drain) => options.report(t.tabId, t.pageUrl, drain)), reconnects, overdue: createOverdueAlarm(reconnects, options.now, (sid, time, detail) => push(t, { t: 'end', sid, time, reason: 'close', detail: cut(detail, LIMITS.textChars) })), waiting: new Map(), outcomes: new Map() };
        tabs.set(tabId, t);
      }
      options.state(tabId, true, null);
    },
    /**
     * The page cancelled its reader of a fetch stream to `url` (its hook says so; `openedAt` on the
     * page's clock): the filter of that request, the one opened nearest that time among those to the
     * same URL, steps aside, so that Firefox closes the connection as it would without us.
     */
    pageCancelled(tabId: number, url: string, openedAt: number): void {
      const t = tabs.get(tabId);
      if (!t) return;
      let best: [string, Filtered] | null = null;
      for (const entry of t.filters) {
        const f = entry[1];
        if (f.url !== url || f.api !== 'fetch') continue;
        if (best === null || Math.abs(f.time - openedAt) < Math.abs(best[1].time - openedAt)) best = entry;
      }
      if (best === null) return;
      const [requestId, f] = best;
      t.filters.delete(requestId);
      try {
        f.filter.disconnect();
      } catch {
        // Already finished.
      }
      f.end('cancel', 'the page cancelled its reader (its hook said so): the filter stepped aside so that Firefox closes the connection');
    },
    stop(tabId: number): void {
      const t = tabs.get(tabId);
      if (t) {
        tabs.delete(tabId);
        if (tabs.size === 0) listen(false);
        // The page's streams go on: the filter steps out of the way (and the page's cancel() works again).
        for (const f of t.filters.values()) {
          try {
            f.filter.disconnect();
          } catch {
            // Already finished.
          }
        }
        t.filters.clear();
        t.overdue.stop();
        t.batch.flush();
        options.forget(tabId, 'complete capture was switched off: SSE DevTools no longer sees this stream; the page still receives it');
      }
      options.state(tabId, false, null);
    },
  };
}
