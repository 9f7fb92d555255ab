/**
 * Complete capture in Chromium (issue 12, the opt-in mode): the `debugger` API's Network domain
 * attached to the inspected tab, turned into the same ObservedRecords a page's hook writes, so the
 * same intake (checks, per-tab rate limits), fold and display apply. What it sees that a hook
 * cannot: the request as it left (the browser's own headers, cookies, an EventSource's
 * Last-Event-ID on a reconnect), and the raw bytes of every event stream, an EventSource's
 * included, so ids, `retry:`, comments and event types nobody listens to read exactly as sent.
 *
 * Why raw bytes for an EventSource rather than `Network.eventSourceMessageReceived`: that event
 * carries the type, the data and the connection's last event ID after the event, but not whether
 * the event itself had an `id:` field, nor `retry:` or comments. `Network.streamResourceContent`
 * works on EventSource requests too (measured in Chromium 156: its buffered data, then each
 * `dataReceived.data`), so the bytes are parsed by our own parser. The message events are the
 * fallback when streaming a request's content is refused.
 *
 * Measured (shared/recipes/page-observation.md): cross-site iframes are separate targets, reached
 * with `Target.setAutoAttach { flatten: true }`; Chrome shows the bar "… started debugging this
 * browser" while attached, and `onDetach` fires when the user presses its Cancel or the tab goes.
 *
 * Everything the debugger reports about a page is the page's doing (URLs, headers, bodies, bytes):
 * it is cut to the limits here so that records stay valid, and checked again by the intake.
 */
import type { ObservedApi, ObservedDrain, ObservedRecord } from '../../protocol/observed.js';
import { LIMITS } from '../../core/limits.js';
import { createRecordBatch, type RecordBatch } from './record-batch.js';
import { createOverdueAlarm, createReconnectBook, RECONNECT_WAIT, type OverdueAlarm, retryWatcher, type ReconnectBook, type ReconnectWait } from './es-reconnects.js';

/** chrome.debugger's target: a tab, or a session inside it (an iframe's, from auto-attach). */
export interface Debuggee {
  tabId?: number;
  sessionId?: string;
}

/** The part of `chrome.debugger` used here (MV3: promise-returning). */
export interface DebuggerApi {
  attach(target: Debuggee, version: string): Promise<void>;
  detach(target: Debuggee): Promise<void>;
  sendCommand(target: Debuggee, method: string, params?: object): Promise<unknown>;
  onEvent: { addListener(cb: (source: Debuggee, method: string, params?: unknown) => void): void };
  onDetach: { addListener(cb: (source: Debuggee, reason: string) => void): void };
}

export function chromeDebugger(): DebuggerApi | null {
  const api = (globalThis as { chrome?: { debugger?: DebuggerApi } }).chrome?.debugger;
  return api && typeof api.attach === 'function' ? api : null;
}

export interface CompleteCaptureOptions {
  api: DebuggerApi;
  now(): number;
  /** Records for a tab, as a hook's drain would hand them over. */
  report(tabId: number, pageUrl: string, drain: ObservedDrain): void;
  /** The capture of a tab went on or off; `why` says why it went off when the user did not ask. */
  state(tabId: number, on: boolean, why: string | null): void;
  /** The streams of this tab are no longer followed (capture off): say so in their timelines. */
  forget(tabId: number, why: string): void;
  /** How long an EventSource's reconnect is waited for (es-reconnects.ts); Chromium's by default. */
  reconnectWait?: ReconnectWait;
}

/** Requests remembered between their start and their response, per tab: the page decides how many it makes. */
const MAX_PENDING = 2000;
/** Streams followed per tab at once; the intake caps how many a tab opens in all. */
const MAX_STREAMS = 500;
/** A body kept for the `open` record: the same cap as a hook's. */
const BODY_CHARS = 64 * 1024;

interface Pending {
  url: string;
  method: string;
  headers: [string, string][];
  body: string | null;
  bodyCut: boolean;
  frame: string;
  type: string;
}

interface Stream {
  sid: string;
  api: ObservedApi;
  decoder: TextDecoder;
  /** Data events that came while the buffered content was being fetched, in order. */
  early: string[] | null;
  /** Streaming the content was refused: an EventSource's events come from its message events. */
  fallback: boolean;
  /** The request ended while its buffered content was still being fetched: end it after that. */
  endAfter: { reason: 'done' | 'cancel' | 'error'; detail: string } | null;
  /** An EventSource's: where its reconnect will come from, whether the browser reconnects (a 200 event stream), and its `retry:`. */
  es: { scope: string; frame: string; url: string; resumes: boolean; retry: { feed(text: string): void } } | null;
}

interface TabCapture {
  tabId: number;
  pageUrl: string;
  mainFrameId: string | null;
  pending: Map<string, Pending>;
  extraHeaders: Map<string, [string, string][]>;
  streams: Map<string, Stream>;
  batch: RecordBatch;
  /** Our own detach is not the user's Cancel. */
  detaching: boolean;
  reconnects: ReconnectBook;
  /** Ends the EventSources whose reconnect did not come: the page closed them while they waited, most likely. */
  overdue: OverdueAlarm;
}

/** A request that carries a Last-Event-ID: only an EventSource's reconnect does. */
const resumes = (headers: readonly [string, string][]): boolean => headers.some(([n, v]) => n.toLowerCase() === 'last-event-id' && v !== '');

const cut = (s: unknown, max: number): string => (typeof s === 'string' ? s.slice(0, max) : '');

/** A CDP headers object (page-controlled names and values) as pairs within the limits. */
function headerPairs(value: unknown): [string, string][] {
  if (typeof value !== 'object' || value === null) return [];
  const out: [string, string][] = [];
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (out.length >= LIMITS.headers) break;
    // Chromium joins repeated headers with a newline in one value.
    for (const one of String(v).split('\n')) {
      if (out.length >= LIMITS.headers) break;
      out.push([cut(name, LIMITS.textChars), cut(one, LIMITS.textChars)]);
    }
  }
  return out;
}

function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function apiOf(type: string): ObservedApi {
  if (type === 'EventSource') return 'eventsource';
  if (type === 'XHR') return 'xhr';
  return 'fetch';
}

function decodeBase64(b64: string): Uint8Array {
  try {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  } catch {
    return new Uint8Array(0);
  }
}

/** Why Chrome detached, in the panel's words. */
export function detachReason(reason: string): string {
  if (reason === 'canceled_by_user') return 'Complete capture stopped: Cancel was pressed on Chrome\'s "started debugging this browser" bar.';
  if (reason === 'target_closed') return 'Complete capture stopped: the tab was closed or went to a page Chrome does not let extensions debug.';
  return `Complete capture stopped: Chrome detached its debugger (${reason.slice(0, 200)}).`;
}

export function createCompleteCapture(options: CompleteCaptureOptions) {
  const { api } = options;
  const tabs = new Map<number, TabCapture>();

  function push(t: TabCapture, record: ObservedRecord): void {
    t.batch.push(record);
  }

  function pushText(t: TabCapture, sid: string, text: string): void {
    // One chunk record holds at most an event's worth of text; a larger piece goes as several.
    for (let i = 0; i < text.length; i += LIMITS.eventDataChars) push(t, { t: 'chunk', sid, time: options.now(), text: text.slice(i, i + LIMITS.eventDataChars) });
  }

  function bytes(t: TabCapture, s: Stream, b64: string): void {
    streamText(t, s, s.decoder.decode(decodeBase64(b64), { stream: true }));
  }

  function streamText(t: TabCapture, s: Stream, text: string): void {
    if (text === '') return;
    s.es?.retry.feed(text);
    pushText(t, s.sid, text);
  }

  /** The browser reconnects this stream: until its reconnect comes, it waits (and may become overdue). */
  function waitForReconnect(t: TabCapture, scope: string, frame: string, url: string, sid: string): void {
    t.reconnects.ended(scope, frame, url, sid, options.now());
    t.overdue.schedule();
  }

  function bounded<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= MAX_PENDING && !map.has(key)) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
    map.set(key, value);
  }

  function end(t: TabCapture, key: string, reason: 'done' | 'cancel' | 'error', detail: string): void {
    const request = t.pending.get(key);
    const sent = t.extraHeaders.get(key);
    t.pending.delete(key);
    t.extraHeaders.delete(key);
    const s = t.streams.get(key);
    if (!s) {
      if (request?.type === 'EventSource' && reason === 'error') failedReconnect(t, key, request, sent ?? request.headers, detail);
      return;
    }
    // A short response can finish before its buffered content arrives: its bytes come first.
    if (s.early !== null) {
      s.endAfter = { reason, detail };
      return;
    }
    finish(t, key, s, reason, detail);
  }

  /** An EventSource's reconnect that got no response (the server down): an attempt of its stream that failed; the browser tries again. */
  function failedReconnect(t: TabCapture, key: string, request: Pending, headers: [string, string][], detail: string): void {
    const scope = key.slice(0, key.indexOf('|'));
    const frame = request.frame || t.pageUrl;
    const sid = t.reconnects.take(scope, frame, request.url, resumes(headers));
    if (sid === null) return;
    const time = options.now();
    push(t, { t: 'open', sid, api: 'eventsource', time, url: request.url, method: request.method, headers, body: null, bodyCut: false, withCredentials: false, frame });
    push(t, { t: 'end', sid, time, reason: 'error', detail: cut(detail, LIMITS.textChars) });
    waitForReconnect(t, scope, frame, request.url, sid);
  }

  function finish(t: TabCapture, key: string, s: Stream, reason: 'done' | 'cancel' | 'error', detail: string): void {
    t.streams.delete(key);
    // The browser reconnects unless the page closed it or the response failed the EventSource.
    if (s.es?.resumes && reason !== 'cancel') waitForReconnect(t, s.es.scope, s.es.frame, s.es.url, s.sid);
    const rest = s.decoder.decode();
    if (rest !== '') pushText(t, s.sid, rest);
    push(t, { t: 'end', sid: s.sid, time: options.now(), reason, detail: cut(detail, LIMITS.textChars) });
  }

  async function startStreaming(t: TabCapture, target: Debuggee, key: string, requestId: string, s: Stream): Promise<void> {
    try {
      const result = obj(await api.sendCommand(target, 'Network.streamResourceContent', { requestId }));
      if (t.streams.get(key) !== s) return;
      if (typeof result.bufferedData === 'string') bytes(t, s, result.bufferedData);
      for (const b64 of s.early ?? []) bytes(t, s, b64);
    } catch {
      // Refused (the request already ended, or its content was evicted): a finished response's
      // body may still be there; else what is left is an EventSource's message events.
      if (s.endAfter !== null) {
        try {
          const body = obj(await api.sendCommand(target, 'Network.getResponseBody', { requestId }));
          if (typeof body.body === 'string') {
            if (body.base64Encoded === true) bytes(t, s, body.body);
            else streamText(t, s, body.body);
          }
        } catch {
          // Gone: the stream ends with what was seen.
        }
      } else s.fallback = true;
    } finally {
      s.early = null;
      if (s.endAfter !== null && t.streams.get(key) === s) finish(t, key, s, s.endAfter.reason, s.endAfter.detail);
    }
  }

  function onResponse(t: TabCapture, target: Debuggee, key: string, requestId: string, p: Record<string, unknown>): void {
    const response = obj(p.response);
    const type = cut(p.type, 64);
    const mime = cut(response.mimeType, 200).toLowerCase();
    if (mime !== 'text/event-stream' && type !== 'EventSource') return;
    if (t.streams.has(key) || t.streams.size >= MAX_STREAMS) return;
    const request = t.pending.get(key);
    const api0 = apiOf(type || request?.type || '');
    const url = cut(response.url, LIMITS.urlChars) || request?.url || '';
    const frame = request?.frame || t.pageUrl;
    const status = typeof response.status === 'number' && Number.isInteger(response.status) && response.status >= 0 && response.status <= 999 ? response.status : 0;
    // The headers as they left (cookies, the browser's own) when Chromium reported them; else those the request was made with.
    const headers = t.extraHeaders.get(key) ?? request?.headers ?? [];
    const scope = target.sessionId ?? '';
    // An EventSource's reconnect goes on as the next attempt of the stream it continues.
    const continues = api0 === 'eventsource' ? t.reconnects.take(scope, frame, request?.url || url, resumes(headers)) : null;
    const sid = continues ?? `${target.sessionId ?? 'top'}:${cut(requestId, 150)}`;
    const es = api0 === 'eventsource' ? { scope, frame, url: request?.url || url, resumes: status === 200 && mime === 'text/event-stream', retry: retryWatcher((ms) => t.reconnects.retry(sid, ms)) } : null;
    const time = options.now();
    push(t, {
      t: 'open',
      sid,
      api: api0,
      time,
      url,
      method: (request?.method ?? 'GET').slice(0, 16),
      headers,
      body: request?.body ?? null,
      bodyCut: request?.bodyCut ?? false,
      withCredentials: false,
      frame,
    });
    push(t, { t: 'response', sid, time, status, statusText: cut(response.statusText, LIMITS.textChars), headers: headerPairs(response.headers), url });
    const s: Stream = { sid, api: api0, decoder: new TextDecoder(), early: [], fallback: false, endAfter: null, es };
    t.streams.set(key, s);
    void startStreaming(t, target, key, requestId, s);
  }

  function onEvent(t: TabCapture, target: Debuggee, method: string, params: unknown): void {
    const p = obj(params);
    const requestId = cut(p.requestId, 200);
    const key = `${target.sessionId ?? ''}|${requestId}`;
    switch (method) {
      case 'Network.requestWillBeSent': {
        const request = obj(p.request);
        const type = cut(p.type, 64);
        const url = cut(request.url, LIMITS.urlChars);
        if (type === 'Document' && target.sessionId === undefined && p.frameId === t.mainFrameId) t.pageUrl = url;
        const postData = typeof request.postData === 'string' ? request.postData : null;
        bounded(t.pending, key, {
          url,
          method: cut(request.method, 16) || 'GET',
          headers: headerPairs(request.headers),
          body: postData === null ? null : postData.slice(0, BODY_CHARS),
          bodyCut: postData !== null && postData.length > BODY_CHARS,
          frame: cut(p.documentURL, LIMITS.urlChars),
          type,
        });
        return;
      }
      case 'Network.requestWillBeSentExtraInfo':
        bounded(t.extraHeaders, key, headerPairs(p.headers));
        return;
      case 'Network.responseReceived':
        onResponse(t, target, key, requestId, p);
        return;
      case 'Network.dataReceived': {
        const s = t.streams.get(key);
        if (!s || typeof p.data !== 'string') return;
        if (s.early) s.early.push(p.data);
        else bytes(t, s, p.data);
        return;
      }
      case 'Network.eventSourceMessageReceived': {
        const s = t.streams.get(key);
        if (!s?.fallback) return;
        // The fallback: one message as SSE text; its id is the connection's last event ID after it.
        const data = cut(p.data, LIMITS.eventDataChars);
        const lines = [`event: ${cut(p.eventName, LIMITS.textChars).replace(/[\r\n]/g, ' ')}`, `id: ${cut(p.eventId, LIMITS.textChars).replace(/[\r\n]/g, ' ')}`, ...data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`)];
        pushText(t, s.sid, `${lines.join('\n')}\n\n`);
        return;
      }
      case 'Network.loadingFinished':
        end(t, key, 'done', '');
        return;
      case 'Network.loadingFailed':
        end(t, key, p.canceled === true ? 'cancel' : 'error', cut(p.errorText, 500));
        return;
      case 'Target.attachedToTarget':
        void attachChild(t, p);
        return;
      case 'Target.detachedFromTarget': {
        const sessionId = cut(p.sessionId, 200);
        for (const k of [...t.streams.keys()]) if (k.startsWith(`${sessionId}|`)) end(t, k, 'error', 'the frame that opened it went away');
        return;
      }
    }
  }

  /** A frame or worker of the tab in its own target (a cross-site iframe): the same Network events, and its own children. */
  async function attachChild(t: TabCapture, p: Record<string, unknown>): Promise<void> {
    const sessionId = cut(p.sessionId, 200);
    if (sessionId === '') return;
    const child: Debuggee = { tabId: t.tabId, sessionId };
    try {
      await api.sendCommand(child, 'Network.enable', {});
      await api.sendCommand(child, 'Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
    } catch {
      // A target that went away meanwhile, or one without a Network domain.
    } finally {
      // It waits for us (so its first requests are seen): never leave it waiting.
      if (p.waitingForDebugger === true) await api.sendCommand(child, 'Runtime.runIfWaitingForDebugger', {}).catch(() => {});
    }
  }

  function stopTab(t: TabCapture, why: string): void {
    tabs.delete(t.tabId);
    t.overdue.stop();
    t.batch.flush();
    options.forget(t.tabId, why);
  }

  api.onEvent.addListener((source, method, params) => {
    const t = source.tabId === undefined ? undefined : tabs.get(source.tabId);
    if (t) onEvent(t, source, method, params);
  });

  api.onDetach.addListener((source, reason) => {
    const t = source.tabId === undefined ? undefined : tabs.get(source.tabId);
    if (!t || t.detaching) return;
    stopTab(t, 'complete capture stopped (Chrome detached its debugger): SSE DevTools no longer sees this stream; the page still receives it');
    options.state(t.tabId, false, detachReason(reason));
  });

  return {
    /** Whether any tab is captured: the worker keeps itself alive meanwhile. */
    active(): boolean {
      return tabs.size > 0;
    },
    isOn(tabId: number): boolean {
      return tabs.has(tabId);
    },
    async start(tabId: number, pageUrl: string): Promise<void> {
      if (tabs.has(tabId)) {
        options.state(tabId, true, null);
        return;
      }
      const reconnects = createReconnectBook(options.reconnectWait ?? RECONNECT_WAIT.chromium);
      const t: TabCapture = { tabId, pageUrl, mainFrameId: null, pending: new Map(), extraHeaders: new Map(), streams: new Map(), batch: createRecordBatch((drain) => options.report(t.tabId, t.pageUrl, drain)), detaching: false, reconnects, overdue: createOverdueAlarm(reconnects, options.now, (sid, time, detail) => push(t, { t: 'end', sid, time, reason: 'close', detail: cut(detail, LIMITS.textChars) })) };
      const target: Debuggee = { tabId };
      try {
        await api.attach(target, '1.3');
      } catch (err) {
        options.state(tabId, false, `Complete capture could not start: ${String(err instanceof Error ? err.message : err).slice(0, 300)}`);
        return;
      }
      tabs.set(tabId, t);
      try {
        const tree = obj(obj(await api.sendCommand(target, 'Page.getFrameTree', {})).frameTree);
        const frame = obj(tree.frame);
        t.mainFrameId = typeof frame.id === 'string' ? frame.id : null;
        // The browser's word on the page's URL: the panel's may be stale (read while the tab was still navigating).
        if (typeof frame.url === 'string' && frame.url !== '') t.pageUrl = cut(frame.url, LIMITS.urlChars);
        await api.sendCommand(target, 'Network.enable', {});
        await api.sendCommand(target, 'Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
      } catch (err) {
        t.detaching = true;
        tabs.delete(tabId);
        await api.detach(target).catch(() => {});
        options.state(tabId, false, `Complete capture could not start: ${String(err instanceof Error ? err.message : err).slice(0, 300)}`);
        return;
      }
      options.state(tabId, true, null);
    },
    async stop(tabId: number): Promise<void> {
      const t = tabs.get(tabId);
      if (!t) {
        options.state(tabId, false, null);
        return;
      }
      t.detaching = true;
      stopTab(t, 'complete capture was switched off: SSE DevTools no longer sees this stream; the page still receives it');
      await api.detach({ tabId }).catch(() => {});
      options.state(tabId, false, null);
    },
  };
}
