/**
 * The hook that runs in the inspected page's main world (issue 12): it watches the page's own
 * fetch, XMLHttpRequest and EventSource streams and keeps what it saw as `ObservedRecord`s in a
 * bounded queue until the panel drains it (`globalThis[Symbol.for(OBSERVE_GLOBAL)].drain(max)`).
 *
 * The page is hostile and must not notice us. So: every builtin the hook calls is taken before the
 * page's scripts run (the page may replace or poison them later); the page's own arguments are
 * converted once, exactly as the native function would, and handed on already converted; every
 * observation runs in try/catch and falls back to the untouched native behaviour; bytes pass
 * through as the page reads them (nothing is re-requested or buffered ahead of the page). The hook
 * does not parse SSE: it reports raw text; the background parses it with the engine's parser.
 *
 * Built as an IIFE (extension/page-hook.js) that works both as a plain script and as the body of a
 * function (Chromium wraps `inspectedWindow.reload({ injectedScript })` in one).
 */
import { OBSERVE_GLOBAL, type ObservedApi, type ObservedDrain, type ObservedRecord } from '../../protocol/observed.js';

/** Records and characters of text the queue holds before it drops (and counts) new ones. */
const MAX_RECORDS = 20_000;
const MAX_TEXT = 32 * 1024 * 1024;
/** Opens, responses and ends are small and say what the dropped text belonged to: room kept for them. */
const CONTROL_RESERVE = 1_000;
/** Request bodies are reported up to this many bytes. */
const MAX_BODY_BYTES = 64 * 1024;
/** An XHR keeps its whole text in `responseText`; past this we stop reading it. */
const MAX_XHR_TEXT = 64 * 1024 * 1024;
/** The background accepts chunks up to 16 Mi characters; an XHR increment can be bigger. */
const MAX_CHUNK = 1024 * 1024;

type AnyFunction = (...args: never[]) => unknown;
type Getter<T, R> = (self: T) => R;

const { apply, construct, defineProperty, getOwnPropertyDescriptor, getPrototypeOf, setPrototypeOf } = Reflect;

/** `f` as a plain function of its receiver, immune to later changes of Function.prototype.call. */
function uncurry<T, A extends unknown[], R>(f: (this: T, ...args: A) => R): (self: T, ...args: A) => R {
  return (self: T, ...args: A) => apply(f, self, args);
}

function getter<T, R>(proto: object, key: string): Getter<T, R> {
  const get = getOwnPropertyDescriptor(proto, key)?.get;
  if (get === undefined) throw new TypeError(`no getter ${key}`);
  return (self: T) => apply(get, self, []) as R;
}

function install(): void {
  const G = globalThis as typeof globalThis & Record<PropertyKey, unknown>;
  const KEY = Symbol.for(OBSERVE_GLOBAL);
  if (getOwnPropertyDescriptor(G, KEY) !== undefined) return;

  // A hook that finds a script element already parsed came after the document's first script
  // (an iframe's hook arrives as the frame commits, racing its parser): streams opened before it
  // are not seen, and the panel says so rather than lose them silently.
  let late = false;
  try {
    late = typeof document === 'object' && document.getElementsByTagName('script').length > 0;
  } catch {
    // no document (a worker) or one the page broke: nothing to say
  }

  const dateNow = Date.now;
  const now = (): number => dateNow();
  const since = now();
  const random = Math.random;
  const floor = Math.floor;
  const strSlice = uncurry(String.prototype.slice);
  const strIndexOf = uncurry(String.prototype.indexOf);
  const strTrim = uncurry(String.prototype.trim);
  const strLower = uncurry(String.prototype.toLowerCase);
  const numToString = uncurry(Number.prototype.toString);
  const WeakMapCtor = WeakMap;
  const wmGet = uncurry(WeakMap.prototype.get);
  const wmSet = uncurry(WeakMap.prototype.set);
  const promiseThen = uncurry(Promise.prototype.then) as <T, R>(p: Promise<T>, ok: (v: T) => R | PromiseLike<R>, fail?: (e: unknown) => R | PromiseLike<R>) => Promise<R>;
  const Decoder = TextDecoder;
  const decode = uncurry(TextDecoder.prototype.decode);
  const STREAMING: TextDecodeOptions = { stream: true };
  const isView = ArrayBuffer.isView;
  const bufferByteLength = getter<ArrayBuffer, number>(ArrayBuffer.prototype, 'byteLength');
  const Bytes = Uint8Array;
  const listen = uncurry(EventTarget.prototype.addEventListener) as (target: EventTarget, type: string, listener: (e: Event) => void) => void;
  const eventType = getter<Event, string>(Event.prototype, 'type');
  const domExceptionName = getter<DOMException, string>(DOMException.prototype, 'name');
  const domExceptionMessage = getter<DOMException, string>(DOMException.prototype, 'message');
  const locationHref = (): string => {
    try {
      return location.href;
    } catch {
      return '';
    }
  };

  // ── the queue ────────────────────────────────────────────────────────────────────────────────
  const queue: ObservedRecord[] = [];
  let head = 0;
  let queuedText = 0;
  let dropped = 0;
  const weight = (r: ObservedRecord): number => (r.t === 'chunk' ? r.text.length : r.t === 'es-message' ? r.data.length : 0);

  // Switched off by the panel (`watch(false)`): nothing more is recorded and the queue is freed.
  // Streams open then are never reported again, even once on again (their bytes were not followed
  // meanwhile, so what came after would read as a corrupt stream); streams opened later are.
  let watching = true;
  let epoch = 0;
  const newDict = Object.create;
  let live: Record<string, true> = newDict(null) as Record<string, true>;
  function watch(on: unknown): void {
    if (on === true) {
      watching = true;
      return;
    }
    watching = false;
    epoch++;
    live = newDict(null) as Record<string, true>;
    queue.length = 0;
    head = 0;
    queuedText = 0;
    dropped = 0;
  }

  function emit(record: ObservedRecord): void {
    if (!watching) return;
    if (record.t === 'open') live[record.sid] = true;
    else if (live[record.sid] !== true) return;
    const pending = queue.length - head;
    const text = weight(record);
    const full = text === 0 && record.t !== 'es-message' ? pending >= MAX_RECORDS + CONTROL_RESERVE : pending >= MAX_RECORDS || queuedText + text > MAX_TEXT;
    if (full) {
      dropped++;
      return;
    }
    queue[queue.length] = record;
    queuedText += text;
  }

  function drain(max?: number): ObservedDrain {
    let n = queue.length - head;
    if (typeof max === 'number' && max >= 0 && max < n) n = floor(max);
    const records: ObservedRecord[] = [];
    for (let i = 0; i < n; i++) {
      const r = queue[head + i] as ObservedRecord;
      records[i] = r;
      queuedText -= weight(r);
    }
    head += n;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head > 4096 && head * 2 > queue.length) {
      // Drains take from the front; compact now and then rather than shift per drain.
      const rest = queue.length - head;
      for (let i = 0; i < rest; i++) queue[i] = queue[head + i] as ObservedRecord;
      queue.length = rest;
      head = 0;
    }
    const lost = dropped;
    dropped = 0;
    return { records, dropped: lost };
  }

  const prefix = strSlice(numToString(random(), 36), 2, 8);
  let streams = 0;
  const newSid = (): string => `${prefix}-${++streams}`;

  /** Reads what an error or cancel reason says without running page code (no getters, no toString). */
  function describe(reason: unknown): { abort: boolean; detail: string } {
    if (typeof reason === 'string') return { abort: false, detail: strSlice(reason, 0, 1000) };
    if (reason === undefined) return { abort: false, detail: '' };
    try {
      const name = domExceptionName(reason as DOMException);
      return { abort: name === 'AbortError', detail: strSlice(`${name}: ${domExceptionMessage(reason as DOMException)}`, 0, 1000) };
    } catch {
      // not a DOMException
    }
    if (typeof reason === 'object' && reason !== null) {
      const message = getOwnPropertyDescriptor(reason, 'message')?.value as unknown;
      if (typeof message === 'string') return { abort: false, detail: strSlice(message, 0, 1000) };
    }
    return { abort: false, detail: typeof reason };
  }

  function isEventStream(contentType: string | null): boolean {
    if (contentType === null) return false;
    const semi = strIndexOf(contentType, ';');
    return strLower(strTrim(semi < 0 ? contentType : strSlice(contentType, 0, semi))) === 'text/event-stream';
  }

  /** Long texts (an XHR's increment) in pieces the background accepts. */
  function emitText(sid: string, text: string): void {
    for (let at = 0; at < text.length; at += MAX_CHUNK) emit({ t: 'chunk', sid, time: now(), text: strSlice(text, at, at + MAX_CHUNK) });
  }

  interface RequestBody {
    body: string | null;
    bodyCut: boolean;
  }
  const NO_BODY: RequestBody = { body: null, bodyCut: false };
  interface BodyRead {
    done(): boolean;
    now(): RequestBody;
  }
  /** Records of a fetch stream held back until its request body is read, so `open` comes first. */
  const MAX_HELD = 64;

  /** A request body as text, cut at MAX_BODY_BYTES; null when it is not UTF-8 text. */
  function bodyText(bytes: Uint8Array, total: number): RequestBody {
    try {
      return { body: decode(new Decoder('utf-8', { fatal: true }), bytes, STREAMING), bodyCut: total > bytes.byteLength };
    } catch {
      return NO_BODY;
    }
  }

  // ── toString: wrappers read as the natives they replace ─────────────────────────────────────
  const disguised = new WeakMapCtor<object, AnyFunction>();
  const nativeToString = Function.prototype.toString;
  const toString = {
    toString(this: unknown): string {
      const original = typeof this === 'function' ? wmGet(disguised, this) : undefined;
      return apply(nativeToString, original ?? this, []);
    },
  }.toString;
  wmSet(disguised, toString, nativeToString);

  /** Puts `wrapper` where `key` was, with the same property attributes. */
  function replace(target: object, key: PropertyKey, wrapper: AnyFunction): AnyFunction | null {
    const desc = getOwnPropertyDescriptor(target, key);
    if (desc === undefined || typeof desc.value !== 'function') return null;
    const original = desc.value as AnyFunction;
    wmSet(disguised, wrapper, original);
    defineProperty(target, key, { value: wrapper, writable: desc.writable, enumerable: desc.enumerable, configurable: desc.configurable });
    return original;
  }

  const attempt = (part: () => void): void => {
    try {
      part();
    } catch {
      // One part missing (an old browser, a frozen global) leaves the others working.
    }
  };

  attempt(() => replace(Function.prototype, 'toString', toString));
  attempt(hookFetch);
  attempt(hookXhr);
  attempt(hookEventSource);

  // `since`: streams the page opened before it are not seen (the panel lists them from DevTools' network log).
  defineProperty(G, KEY, { value: Object.freeze({ version: 1, drain, since, late, watch }), enumerable: false, writable: false, configurable: false });

  // ── fetch ──────────────────────────────────────────────────────────────────────────────────
  function hookFetch(): void {
    const nativeFetch = G.fetch;
    const NativeRequest = Request;
    const NativeResponse = Response;
    const NativeReadableStream = ReadableStream;
    const requestUrl = getter<Request, string>(Request.prototype, 'url');
    const requestMethod = getter<Request, string>(Request.prototype, 'method');
    const requestHeaders = getter<Request, Headers>(Request.prototype, 'headers');
    // Firefox has no Request.prototype.body (checked in ESR 153): its request bodies are read whole
    // with arrayBuffer() instead; without this the whole fetch hook failed to install there.
    const requestBody = getOwnPropertyDescriptor(Request.prototype, 'body')?.get ? getter<Request, ReadableStream<Uint8Array> | null>(Request.prototype, 'body') : null;
    const requestArrayBuffer = uncurry(Request.prototype.arrayBuffer);
    const requestSignal = getter<Request, AbortSignal>(Request.prototype, 'signal');
    const requestClone = uncurry(Request.prototype.clone);
    const responseHeaders = getter<Response, Headers>(Response.prototype, 'headers');
    const responseBody = getter<Response, ReadableStream<Uint8Array> | null>(Response.prototype, 'body');
    const responseStatus = getter<Response, number>(Response.prototype, 'status');
    const responseStatusText = getter<Response, string>(Response.prototype, 'statusText');
    const responseUrl = getter<Response, string>(Response.prototype, 'url');
    const responseRedirected = getter<Response, boolean>(Response.prototype, 'redirected');
    const responseType = getter<Response, ResponseType>(Response.prototype, 'type');
    const responseClone = uncurry(Response.prototype.clone);
    const responseBodyUsed = getter<Response, boolean>(Response.prototype, 'bodyUsed');
    const streamLocked = getter<ReadableStream, boolean>(ReadableStream.prototype, 'locked');
    const headersGet = uncurry(Headers.prototype.get);
    const headersForEach = uncurry(Headers.prototype.forEach) as (h: Headers, f: (value: string, name: string) => void) => void;
    const getReader = uncurry(ReadableStream.prototype.getReader) as (s: ReadableStream<Uint8Array>) => ReadableStreamDefaultReader<Uint8Array>;
    const streamCancel = uncurry(ReadableStream.prototype.cancel);
    const read = uncurry(ReadableStreamDefaultReader.prototype.read) as (r: ReadableStreamDefaultReader<Uint8Array>) => Promise<ReadableStreamReadResult<Uint8Array>>;
    const readerCancel = uncurry(ReadableStreamDefaultReader.prototype.cancel);
    const Controller = ReadableByteStreamController.prototype;
    const enqueue = uncurry(Controller.enqueue);
    const close = uncurry(Controller.close);
    const fail = uncurry(Controller.error);
    const byobRequest = getter<ReadableByteStreamController, ReadableStreamBYOBRequest | null>(Controller, 'byobRequest');
    const respond = uncurry(ReadableStreamBYOBRequest.prototype.respond);
    const signalReason = getter<AbortSignal, unknown>(AbortSignal.prototype, 'reason');

    const list = (headers: Headers): [string, string][] => {
      const out: [string, string][] = [];
      headersForEach(headers, (value, name) => {
        out[out.length] = [name, value];
      });
      return out;
    };

    /**
     * Starts reading at most MAX_BODY_BYTES of a clone of the page's request, then lets it go;
     * `whenDone` runs once it has. `now()` says what it has so far: a body still being sent (an
     * upload stream) as far as read, as cut. Nothing here may reject unhandled (the page would see
     * an unhandledrejection).
     */
    function readBody(request: Request, whenDone: () => void): BodyRead {
      let result: RequestBody | null = null;
      const settle = (body: RequestBody): void => {
        if (result !== null) return;
        result = body;
        whenDone();
      };
      const gaveUp = (): void => settle(NO_BODY);
      const reader = getReader((requestBody as NonNullable<typeof requestBody>)(requestClone(request)) as ReadableStream<Uint8Array>);
      const bytes = new Bytes(MAX_BODY_BYTES);
      let filled = 0;
      const step = (r: ReadableStreamReadResult<Uint8Array>): Promise<void> | undefined => {
        try {
          if (r.done) {
            settle(bodyText(bytes.subarray(0, filled), filled));
            return undefined;
          }
          const chunk = r.value;
          const room = MAX_BODY_BYTES - filled;
          if (chunk.byteLength > room) {
            bytes.set(chunk.subarray(0, room), filled);
            settle(bodyText(bytes, MAX_BODY_BYTES + 1));
            return promiseThen(readerCancel(reader), () => undefined, () => undefined);
          }
          bytes.set(chunk, filled);
          filled += chunk.byteLength;
          return promiseThen(read(reader), step, gaveUp);
        } catch {
          gaveUp();
          return undefined;
        }
      };
      void promiseThen(read(reader), step, gaveUp);
      return {
        done: () => result !== null,
        now: () => result ?? { body: bodyText(bytes.subarray(0, filled), filled).body, bodyCut: true },
      };
    }

    /** Where a Request has no body stream (Firefox): its clone read whole, then reported up to MAX_BODY_BYTES. */
    function readWholeBody(request: Request, whenDone: () => void): BodyRead {
      let result: RequestBody | null = null;
      const settle = (body: RequestBody): void => {
        if (result !== null) return;
        result = body;
        whenDone();
      };
      void promiseThen(
        requestArrayBuffer(requestClone(request)),
        (buffer) => {
          try {
            const total = bufferByteLength(buffer);
            settle(total === 0 ? NO_BODY : bodyText(new Bytes(buffer, 0, total > MAX_BODY_BYTES ? MAX_BODY_BYTES : total), total));
          } catch {
            settle(NO_BODY);
          }
        },
        () => settle(NO_BODY),
      );
      return { done: () => result !== null, now: () => result ?? { body: null, bodyCut: true } };
    }

    /**
     * The page's new body: a byte stream (so BYOB readers keep working, as on a native body) that
     * reads the real body only when the page reads, and cancels it when the page cancels (a
     * TransformStream has no cancel hook everywhere; `tee()` would keep the connection open).
     */
    function observedBody(original: Response, sid: string, signal: AbortSignal, report: (r: ObservedRecord) => void): ReadableStream<Uint8Array> {
      let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
      const decoder = new Decoder();
      const born = epoch;
      let ended = false;
      const end = (reason: 'done' | 'cancel' | 'abort' | 'error', detail: string): void => {
        if (ended) return;
        ended = true;
        try {
          const tail = decode(decoder);
          if (tail !== '') report({ t: 'chunk', sid, time: now(), text: tail });
          report({ t: 'end', sid, time: now(), reason, detail });
        } catch {
          // keep the page's stream going whatever happens here
        }
      };
      attempt(() =>
        listen(signal, 'abort', () => {
          try {
            if (ended) return;
            end('abort', describe(signalReason(signal)).detail);
          } catch {
            end('abort', '');
          }
        }),
      );
      const pull = (controller: ReadableByteStreamController): Promise<void> => {
        // Read from the response at the first pull: a clone made before (see `disguise`) replaced its body.
        reader ??= getReader(responseBody(original) as ReadableStream<Uint8Array>);
        return promiseThen(
          read(reader),
          (r): Promise<void> | undefined => {
            if (r.done) {
              end('done', '');
              close(controller);
              const pending = byobRequest(controller);
              if (pending !== null) respond(pending, 0);
              return undefined;
            }
            const chunk = r.value;
            // A byte stream refuses empty chunks; and a pull that enqueues nothing is not called again.
            if (chunk.byteLength === 0) return pull(controller);
            if (watching && born === epoch) {
              try {
                // Decoded now, chunk by chunk: enqueue() hands the chunk's buffer to the page, so
                // keeping the bytes to decode at drain time means copying them, which measured no
                // cheaper for the page than this decode (nor did decoding 64 KiB views of a 1 MiB chunk).
                const text = decode(decoder, chunk, STREAMING);
                if (text !== '') report({ t: 'chunk', sid, time: now(), text });
              } catch {
                // the page's bytes still go through
              }
            }
            enqueue(controller, chunk as Uint8Array<ArrayBuffer>);
            return undefined;
          },
          (error: unknown) => {
            const d = describe(error);
            end(d.abort ? 'abort' : 'error', d.detail);
            fail(controller, error);
          },
        );
      };
      return new NativeReadableStream({
        type: 'bytes',
        pull,
        cancel(reason: unknown) {
          end('cancel', describe(reason).detail);
          return reader === null ? streamCancel(responseBody(original), reason) : readerCancel(reader, reason);
        },
      });
    }

    /** What the page reads on a native response, shown by `copy` too, so it cannot tell them apart. */
    function disguise(copy: Response, original: Response): Response {
      const own = (key: string, value: unknown) => defineProperty(copy, key, { value, configurable: true });
      own('url', responseUrl(original));
      own('redirected', responseRedirected(original));
      own('type', responseType(original));
      // The native headers object: immutable, as the page expects of a fetched response.
      own('headers', responseHeaders(original));
      const clone = {
        clone(this: Response): Response {
          // Untouched, the copy is cloned as the native response (its clone then behaves natively:
          // cancelling one branch resolves at once, unlike a tee of our stream). Read or locked,
          // cloning throws, as it would natively.
          if (this !== copy || responseBodyUsed(copy) || streamLocked(responseBody(copy) as ReadableStream<Uint8Array>)) return responseClone(this);
          return responseClone(original);
        },
      }.clone;
      wmSet(disguised, clone, Response.prototype.clone);
      own('clone', clone);
      return copy;
    }

    function observe(res: Response, request: Request, frame: string, started: number, body: BodyRead | null, whenBodyRead: (then: () => void) => void): Response {
      try {
        if (!isEventStream(headersGet(responseHeaders(res), 'content-type'))) return res;
        if (responseBody(res) === null) return res;
        const sid = newSid();
        // The body is almost always read by now; if not, records wait for it a little, bounded:
        // past MAX_HELD records or at the end, `open` goes with what was read.
        let held: ObservedRecord[] | null = [];
        const open = (): void => {
          if (held === null) return;
          const waiting = held;
          held = null;
          try {
            const b = body === null ? NO_BODY : body.now();
            emit({ t: 'open', sid, api: 'fetch', time: started, url: requestUrl(request), method: requestMethod(request), headers: list(requestHeaders(request)), body: b.body, bodyCut: b.bodyCut, withCredentials: false, frame });
          } catch {
            // the stream's other records still go
          }
          for (let i = 0; i < waiting.length; i++) emit(waiting[i] as ObservedRecord);
        };
        const report = (r: ObservedRecord): void => {
          if (held === null) return emit(r);
          held[held.length] = r;
          if (held.length >= MAX_HELD || r.t === 'end') open();
        };
        const time = now();
        const copy = construct(NativeResponse, [observedBody(res, sid, requestSignal(request), report), { status: responseStatus(res), statusText: responseStatusText(res), headers: responseHeaders(res) }]);
        disguise(copy, res);
        report({ t: 'response', sid, time, status: responseStatus(res), statusText: responseStatusText(res), headers: list(responseHeaders(res)), url: responseUrl(res) });
        whenBodyRead(open);
        return copy;
      } catch {
        return res;
      }
    }

    const wrapper = {
      fetch(this: unknown, input: RequestInfo | URL): Promise<Response> {
        // The page's arguments become a Request once, here, as fetch itself does first: their getters
        // run once, and what we read is exactly what is sent.
        let request: Request;
        try {
          // Refused natively before anything is converted: no arguments, or another `this`.
          if (arguments.length === 0 || (this !== undefined && this !== null && this !== G)) throw new TypeError();
          request = construct(NativeRequest, arguments.length === 1 ? [input] : [input, arguments[1] as unknown]) as Request;
        } catch {
          // The native fetch refuses the same arguments with its own message. (A page getter that
          // threw now runs twice: the one way left for a page to tell, and only when it throws.)
          return apply(nativeFetch, this, arguments) as Promise<Response>;
        }
        const frame = locationHref();
        const started = now();
        let body: BodyRead | null = null;
        let waiter: (() => void) | null = null;
        try {
          if (requestBody === null) {
            const method = requestMethod(request);
            if (method !== 'GET' && method !== 'HEAD') body = readWholeBody(request, () => waiter?.());
          } else if (requestBody(request) !== null) body = readBody(request, () => waiter?.());
        } catch {
          // reported without its body
        }
        const pending = apply(nativeFetch, this, [request]);
        try {
          return promiseThen(pending, (res) =>
            observe(res, request, frame, started, body, (then) => {
              if (body === null || body.done()) then();
              else waiter = then;
            }),
          );
        } catch {
          return pending;
        }
      },
    }.fetch;
    if (typeof nativeFetch === 'function') replace(G, 'fetch', wrapper);
  }

  // ── XMLHttpRequest ─────────────────────────────────────────────────────────────────────────
  function hookXhr(): void {
    const proto = XMLHttpRequest.prototype;
    const readyState = getter<XMLHttpRequest, number>(proto, 'readyState');
    const status = getter<XMLHttpRequest, number>(proto, 'status');
    const statusText = getter<XMLHttpRequest, string>(proto, 'statusText');
    const responseURL = getter<XMLHttpRequest, string>(proto, 'responseURL');
    const responseType = getter<XMLHttpRequest, string>(proto, 'responseType');
    const responseText = getter<XMLHttpRequest, string>(proto, 'responseText');
    const getResponseHeader = uncurry(proto.getResponseHeader);
    const getAllResponseHeaders = uncurry(proto.getAllResponseHeaders);
    const strSplit = uncurry(String.prototype.split) as unknown as (s: string, sep: string) => string[];
    const NativeURL = URL;
    const urlHref = getter<URL, string>(URL.prototype, 'href');
    const baseURI = getter<Node, string>(Node.prototype, 'baseURI');
    const uspToString = uncurry(URLSearchParams.prototype.toString);

    interface XhrState {
      method: string;
      url: string;
      headers: [string, string][];
      body: string | null;
      bodyCut: boolean;
      frame: string;
      /** Set once the response says text/event-stream. */
      sid: string | null;
      decided: boolean;
      seen: number;
      ended: boolean;
    }
    const states = new WeakMapCtor<XMLHttpRequest, XhrState>();

    const end = (s: XhrState, reason: 'done' | 'abort' | 'error', detail: string): void => {
      if (s.sid === null || s.ended) return;
      s.ended = true;
      emit({ t: 'end', sid: s.sid, time: now(), reason, detail });
    };

    function readText(xhr: XMLHttpRequest, s: XhrState): void {
      if (s.sid === null || s.ended) return;
      const kind = responseType(xhr);
      if (kind !== '' && kind !== 'text') return;
      const text = responseText(xhr);
      if (text.length <= s.seen) return;
      const upTo = text.length > MAX_XHR_TEXT ? MAX_XHR_TEXT : text.length;
      if (upTo > s.seen) emitText(s.sid, strSlice(text, s.seen, upTo));
      s.seen = upTo;
      if (text.length > MAX_XHR_TEXT) end(s, 'error', 'observation cap');
    }

    function onEvent(xhr: XMLHttpRequest, e: Event): void {
      try {
        const s = wmGet(states, xhr);
        if (s === undefined) return;
        if (!s.decided && readyState(xhr) >= 2) {
          s.decided = true;
          if (isEventStream(getResponseHeader(xhr, 'content-type'))) {
            const sid = newSid();
            s.sid = sid;
            const time = now();
            emit({ t: 'open', sid, api: 'xhr', time, url: s.url, method: s.method, headers: s.headers, body: s.body, bodyCut: s.bodyCut, withCredentials: false, frame: s.frame });
            emit({ t: 'response', sid, time, status: status(xhr), statusText: statusText(xhr), headers: parseHeaders(getAllResponseHeaders(xhr)), url: responseURL(xhr) });
          }
        }
        if (s.sid === null) return;
        const type = eventType(e);
        if (type !== 'abort' && type !== 'timeout') readText(xhr, s);
        if (type === 'load') end(s, 'done', '');
        else if (type === 'abort') end(s, 'abort', '');
        else if (type === 'error') end(s, 'error', 'network error');
        else if (type === 'timeout') end(s, 'error', 'timeout');
      } catch {
        // the page's XHR is unaffected
      }
    }

    function parseHeaders(raw: string): [string, string][] {
      const out: [string, string][] = [];
      const lines = strSplit(raw, '\r\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] as string;
        const colon = strIndexOf(line, ':');
        if (colon > 0) out[out.length] = [strSlice(line, 0, colon), strTrim(strSlice(line, colon + 1))];
      }
      return out;
    }

    const EVENTS = ['readystatechange', 'progress', 'load', 'abort', 'error', 'timeout'];

    /**
     * A copy of the arguments when we may convert the first two ourselves; null when the native
     * method must see them as they are, because it refuses them before converting anything (not an
     * XMLHttpRequest, too few arguments) or with its own message (a symbol).
     */
    function convertible(self: unknown, args: IArguments): unknown[] | null {
      if (args.length < 2 || typeof args[0] === 'symbol' || typeof args[1] === 'symbol') return null;
      try {
        readyState(self as XMLHttpRequest);
      } catch {
        return null;
      }
      const copy: unknown[] = [];
      for (let i = 0; i < args.length; i++) copy[i] = args[i] as unknown;
      return copy;
    }

    const nativeOpen = proto.open;
    const open = {
      open(this: XMLHttpRequest, method: string, url: string | URL): void {
        const args = convertible(this, arguments);
        if (args === null) return apply(nativeOpen, this, arguments) as undefined;
        // Converted once, as open() would (a throw is the page's own, as natively), so the page's
        // toString runs once and we see what is sent.
        args[0] = `${method}`;
        args[1] = `${url as string}`;
        const result = apply(nativeOpen, this, args) as undefined;
        try {
          const previous = wmGet(states, this);
          if (previous !== undefined) end(previous, 'abort', 'reopened');
          else {
            const watch = (xhr: XMLHttpRequest): void => {
              for (let i = 0; i < EVENTS.length; i++) listen(xhr, EVENTS[i] as string, (e) => onEvent(xhr, e));
            };
            watch(this);
          }
          let resolved = args[1] as string;
          try {
            resolved = urlHref(new NativeURL(resolved, baseURI(document)));
          } catch {
            // keep it as given
          }
          wmSet(states, this, { method: args[0] as string, url: resolved, headers: [], body: null, bodyCut: false, frame: locationHref(), sid: null, decided: false, seen: 0, ended: false });
        } catch {
          // not observed
        }
        return result;
      },
    }.open;

    const nativeSetRequestHeader = proto.setRequestHeader;
    const setRequestHeader = {
      setRequestHeader(this: XMLHttpRequest, name: string, value: string): void {
        const args = convertible(this, arguments);
        if (args === null) return apply(nativeSetRequestHeader, this, arguments) as undefined;
        const n = `${name}`;
        const v = `${value}`;
        args[0] = n;
        args[1] = v;
        const result = apply(nativeSetRequestHeader, this, args) as undefined;
        try {
          const s = wmGet(states, this);
          if (s !== undefined) s.headers[s.headers.length] = [n, v];
        } catch {
          // not observed
        }
        return result;
      },
    }.setRequestHeader;

    const nativeSend = proto.send;
    const send = {
      send(this: XMLHttpRequest): void {
        try {
          const s = wmGet(states, this);
          const body = arguments[0] as unknown;
          if (s !== undefined && s.method !== 'GET' && s.method !== 'HEAD' && body !== undefined && body !== null) {
            let text: string | null = null;
            if (typeof body === 'string') text = body;
            else if (isView(body)) {
              const bytes = new Bytes(body.buffer, body.byteOffset, body.byteLength);
              const b = bodyText(bytes.subarray(0, MAX_BODY_BYTES), bytes.byteLength);
              s.body = b.body;
              s.bodyCut = b.bodyCut;
            } else {
              try {
                text = uspToString(body);
              } catch {
                try {
                  const length = bufferByteLength(body as ArrayBuffer);
                  const b = bodyText(new Bytes(body as ArrayBuffer, 0, length > MAX_BODY_BYTES ? MAX_BODY_BYTES : length), length);
                  s.body = b.body;
                  s.bodyCut = b.bodyCut;
                } catch {
                  // a Blob, FormData or Document: not reported as text
                }
              }
            }
            if (text !== null) {
              // Cut by characters: near enough to the byte cap for a report.
              s.bodyCut = text.length > MAX_BODY_BYTES;
              s.body = s.bodyCut ? strSlice(text, 0, MAX_BODY_BYTES) : text;
            }
          }
        } catch {
          // not observed
        }
        return apply(nativeSend, this, arguments) as undefined;
      },
    }.send;

    replace(proto, 'open', open);
    replace(proto, 'setRequestHeader', setRequestHeader);
    replace(proto, 'send', send);
  }

  // ── EventSource ────────────────────────────────────────────────────────────────────────────
  function hookEventSource(): void {
    const NativeEventSource = G.EventSource as typeof EventSource | undefined;
    if (typeof NativeEventSource !== 'function') return;
    const proto = NativeEventSource.prototype;
    const esUrl = getter<EventSource, string>(proto, 'url');
    const esWithCredentials = getter<EventSource, boolean>(proto, 'withCredentials');
    const esReadyState = getter<EventSource, number>(proto, 'readyState');
    const messageData = getter<MessageEvent, unknown>(MessageEvent.prototype, 'data');
    const messageLastEventId = getter<MessageEvent, string>(MessageEvent.prototype, 'lastEventId');
    const currentTarget = getter<Event, EventTarget | null>(Event.prototype, 'currentTarget');
    const create = Object.create;

    interface EsState {
      sid: string;
      /** Event types we listen to on this instance: each reported once, whoever else listens. */
      types: Record<string, true>;
      ended: boolean;
    }
    const states = new WeakMapCtor<EventSource, EsState>();

    function onMessage(e: Event): void {
      try {
        // Only what the browser dispatched: the page may dispatch its own events on the object.
        if (!e.isTrusted) return;
        const s = wmGet(states, currentTarget(e) as EventSource);
        if (s === undefined) return;
        const data = messageData(e as MessageEvent);
        emit({ t: 'es-message', sid: s.sid, time: now(), type: eventType(e), data: typeof data === 'string' ? data : '', lastEventId: messageLastEventId(e as MessageEvent) });
      } catch {
        // the page's listeners still run
      }
    }

    function watchType(es: EventSource, s: EsState, type: string): void {
      if (type === 'open' || type === 'error' || s.types[type] === true) return;
      s.types[type] = true;
      listen(es, type, onMessage);
    }

    function observe(es: EventSource): void {
      const sid = newSid();
      const s: EsState = { sid, types: create(null) as Record<string, true>, ended: false };
      wmSet(states, es, s);
      emit({ t: 'open', sid, api: 'eventsource' satisfies ObservedApi, time: now(), url: esUrl(es), method: 'GET', headers: [], body: null, bodyCut: false, withCredentials: esWithCredentials(es), frame: locationHref() });
      listen(es, 'open', (e) => {
        try {
          if (e.isTrusted) emit({ t: 'es-open', sid, time: now() });
        } catch {
          // ignore
        }
      });
      listen(es, 'error', (e) => {
        try {
          if (!e.isTrusted) return;
          const state = esReadyState(es);
          emit({ t: 'es-error', sid, time: now(), readyState: state });
          // CLOSED after an error: the browser gave up and will not reconnect.
          if (state === 2 && !s.ended) {
            s.ended = true;
            emit({ t: 'end', sid, time: now(), reason: 'error', detail: 'the browser stopped reconnecting' });
          }
        } catch {
          // ignore
        }
      });
      // `message` is what onmessage and most pages use: always watched.
      watchType(es, s, 'message');
    }

    // A function (not a class) so that its prototype is the native one: the page sees the same
    // prototype chain, constants and methods as without us, and subclasses still work.
    const EventSourceHooked = function EventSource(this: unknown, url: string | URL): EventSource {
      if (new.target === undefined) return apply(NativeEventSource, this, arguments) as EventSource;
      const es = construct(NativeEventSource, arguments, new.target) as EventSource;
      try {
        observe(es);
      } catch {
        // not observed
      }
      void url;
      return es;
    };
    for (const key of ['length', 'name', 'CONNECTING', 'OPEN', 'CLOSED']) {
      const desc = getOwnPropertyDescriptor(NativeEventSource, key);
      if (desc !== undefined) defineProperty(EventSourceHooked, key, desc);
    }
    defineProperty(EventSourceHooked, 'prototype', { value: proto, writable: false, enumerable: false, configurable: false });
    setPrototypeOf(EventSourceHooked, getPrototypeOf(NativeEventSource));
    const ctor = getOwnPropertyDescriptor(proto, 'constructor');
    if (ctor !== undefined) defineProperty(proto, 'constructor', { ...ctor, value: EventSourceHooked });

    const nativeAdd = EventTarget.prototype.addEventListener;
    const addEventListener = {
      addEventListener(this: EventTarget, type: string, listener: unknown): void {
        try {
          // One WeakMap lookup for any other target: cheap on the page's hottest DOM path.
          const target = this as EventSource;
          const s = wmGet(states, target);
          if (s !== undefined && typeof type === 'string') watchType(target, s, type);
        } catch {
          // not observed
        }
        void listener;
        return apply(nativeAdd, this, arguments) as undefined;
      },
    }.addEventListener;

    const nativeClose = proto.close;
    const close = {
      close(this: EventSource): void {
        const result = apply(nativeClose, this, arguments) as undefined;
        try {
          const s = wmGet(states, this);
          if (s !== undefined && !s.ended) {
            s.ended = true;
            emit({ t: 'end', sid: s.sid, time: now(), reason: 'close', detail: '' });
          }
        } catch {
          // not observed
        }
        return result;
      },
    }.close;

    replace(G, 'EventSource', EventSourceHooked);
    replace(EventTarget.prototype, 'addEventListener', addEventListener);
    replace(proto, 'close', close);
  }
}

try {
  install();
} catch {
  // The page must never see the hook fail.
}
