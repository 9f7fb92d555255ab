/**
 * Copy as code: a connection's settings as ready-to-paste code for curl and the three client
 * libraries our users ship (current releases: event-source-polyfill 1.0.31, okhttp-eventsource
 * 4.1.1, LDSwiftEventSource 3.3.1). Secrets are masked unless the caller reveals them.
 */
import { checkHeader, HTTP_TOKEN, type ConnectionConfig } from './config.js';
import { HIDDEN_CHARS } from './describe.js';
import { isSecretHeader, maskHeaderValue, maskUrl, REDACTED } from './secrets.js';
import type { ReconnectPolicy } from './policy.js';
import type { HeaderPair } from './timeline.js';

export const SNIPPET_LANGUAGES = ['curl', 'polyfill', 'okhttp', 'swift'] as const;
export type SnippetLanguage = (typeof SNIPPET_LANGUAGES)[number];

export const SNIPPET_LABELS: Record<SnippetLanguage, string> = {
  curl: 'curl',
  polyfill: 'Browser (EventSource polyfill)',
  okhttp: 'Android (okhttp-eventsource, Kotlin)',
  swift: 'iOS (LDSwiftEventSource, Swift)',
};

export interface SnippetOptions {
  /** Show secret values as they are instead of masked. */
  reveal: boolean;
  /** Event types to add listeners for (the channels seen so far). */
  channels?: readonly string[];
}

interface Prepared {
  url: string;
  headers: HeaderPair[];
  body: string | null;
  method: string;
  lastEventId: string | null;
}

function prepare(config: ConnectionConfig, reveal: boolean): Prepared {
  const headers = config.headers
    .filter(([n]) => n.toLowerCase() !== 'accept' && n.toLowerCase() !== 'last-event-id')
    .map(([n, v]): HeaderPair => [n, !reveal && isSecretHeader(n, config.secretHeaders) ? maskHeaderValue(n, v) : v]);
  return {
    url: reveal ? config.url : maskUrl(config.url),
    headers,
    body: !reveal && config.secretBody && config.body !== null && config.body !== '' ? REDACTED : config.body,
    method: config.method,
    lastEventId: config.initialLastEventId,
  };
}

/** A URL with the Last-Event-ID query parameter added, as the polyfill and query mode send it. */
function withQueryId(url: string, param: string, id: string): string {
  try {
    const u = new URL(url);
    u.searchParams.set(param, id);
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * Every value in a snippet comes from a server, a page or someone else's file, so each is written
 * through one of the quoting functions below and nowhere else. Each is tested by parsing its output
 * as its language does (test/snippets/injection.test.ts).
 */

/**
 * A word no POSIX shell reads specially stays bare (as Python's shlex.quote has it); anything else
 * goes in single quotes, which keep every character literal except `'` itself: that one closes,
 * is escaped and reopens.
 */
export function shellQuote(s: string): string {
  // A C string ends at NUL: no shell can pass one in an argument, so no quoting can be right.
  if (s.includes('\0')) throw new Error('A NUL character cannot be passed on a command line');
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Characters that change how code reads without being seen: line breaks (U+2028 ends a `//` comment
 * in JS), other controls, bidi overrides (Trojan Source), zero-width and tag characters, and lone
 * surrogates; the same set the panel and the terminal show as escapes. The literals write them as
 * escapes, so the snippet shows what it sends.
 */
const INVISIBLE = HIDDEN_CHARS;

function quoted(s: string, special: RegExp, escapes: Readonly<Record<string, string>>, escape: (c: string) => string): string {
  return `"${s.replace(special, (c) => escapes[c] ?? escape(c))}"`;
}

/** `\uXXXX` per UTF-16 unit, the one escape JavaScript and Kotlin share for any character. */
const utf16Escape = (c: string) => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');

const JS_SPECIAL = new RegExp(String.raw`["\\]|${INVISIBLE}`, 'gu');
const JS_ESCAPES = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
/** A JavaScript string literal. */
export const jsString = (s: string): string => quoted(s, JS_SPECIAL, JS_ESCAPES, utf16Escape);

// Kotlin has no \f, \v or \0, and `$` starts a template.
const KOTLIN_SPECIAL = new RegExp(String.raw`["\\$]|${INVISIBLE}`, 'gu');
const KOTLIN_ESCAPES = { '"': '\\"', '\\': '\\\\', $: '\\$', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b' };
/** A Kotlin string literal. */
export const kotlinString = (s: string): string => quoted(s, KOTLIN_SPECIAL, KOTLIN_ESCAPES, utf16Escape);

// Swift has no \b or \f, writes any scalar as \u{…}, and `\(` interpolates (escaping `\` covers it).
const SWIFT_SPECIAL = new RegExp(String.raw`["\\]|${INVISIBLE}`, 'gu');
const SWIFT_ESCAPES = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };
/** A Swift string literal. A lone surrogate, which no Swift string can hold, is written as U+FFFD, as UTF-8 sends it. */
export const swiftString = (s: string): string =>
  quoted(s, SWIFT_SPECIAL, SWIFT_ESCAPES, (c) => `\\u{${(/\p{Cs}/u.test(c) ? 0xfffd : c.codePointAt(0)!).toString(16)}}`);

const js = jsString;
const kotlin = kotlinString;
const swift = swiftString;

/**
 * What no HTTP client could send is refused rather than written: the snippet would not be this
 * connection, and curl would read some of it as an option or a file (a URL starting with `-`, a
 * header starting with `@`). The reason names the field, never the value.
 */
function isHttpUrl(url: string): boolean {
  // Not the form's checkUrl: an imported capture may hold a URL longer than the form accepts.
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function unsendable(config: ConnectionConfig): string | null {
  if (!HTTP_TOKEN.test(config.method)) return 'its method is not an HTTP method (RFC 9110 token)';
  if (!isHttpUrl(config.url)) return 'its URL is not an absolute http(s) URL';
  const header = config.headers.findIndex(([n, v]) => checkHeader(n, v) !== null);
  if (header >= 0) return `its header ${header} has a name or value that HTTP cannot carry`;
  if (config.initialLastEventId !== null && /[\r\n\0]/.test(config.initialLastEventId)) return 'its Last-Event-ID contains a line break or NUL';
  return null;
}

const refusal = (comment: string, reason: string) => `${comment} Cannot write this connection as code: ${reason}.\n`;

const seconds = (ms: number) => (ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(3));

export function curlSnippet(config: ConnectionConfig, options: SnippetOptions): string {
  const refused = unsendable(config);
  if (refused) return refusal('#', refused);
  const p = prepare(config, options.reveal);
  const lines = ['curl -N', `-H ${shellQuote('Accept: text/event-stream')}`];
  for (const [n, v] of p.headers) lines.push(`-H ${shellQuote(`${n}: ${v}`)}`);
  let url = p.url;
  if (p.lastEventId) {
    if (config.lastEventIdTransport.mode === 'query') url = withQueryId(url, config.lastEventIdTransport.param, p.lastEventId);
    else lines.push(`-H ${shellQuote(`Last-Event-ID: ${p.lastEventId}`)}`);
  }
  const nul = url.includes('\0') ? 'URL' : p.body?.includes('\0') ? 'body' : null;
  if (nul) return `# Cannot write this connection as a curl command: its ${nul} contains a NUL character, which a command line cannot carry.\n`;
  if (p.method !== 'GET') lines.push(`-X ${shellQuote(p.method)}`);
  if (p.body !== null) lines.push(`--data-raw ${shellQuote(p.body)}`);
  if (config.connectTimeoutMs !== null) lines.push(`--connect-timeout ${seconds(config.connectTimeoutMs)}`);
  // curl has no idle timeout; "slower than 1 byte/s for N s" is the same thing for a stream.
  if (config.idleTimeoutMs !== null) lines.push(`--speed-limit 1 --speed-time ${Math.max(1, Math.round(config.idleTimeoutMs / 1000))}`);
  lines.push(shellQuote(url));
  return `${lines.join(' \\\n  ')}\n`;
}

/** The panel's reconnect schedule in words, for the comments that say where a library differs. */
function describeSchedule(r: ReconnectPolicy): string {
  if (r.backoffFactor <= 1) return `a constant ${seconds(r.initialDelayMs)} s`;
  const jitter = r.jitter > 0 ? `, up to ${Math.round(r.jitter * 100)} % less at random` : ', no jitter';
  return `${seconds(r.initialDelayMs)} s, × ${r.backoffFactor} per failure up to ${seconds(r.maxDelayMs)} s${jitter}`;
}

/** A Kotlin Float literal (`2f`, `0.5f`). */
const kotlinFloat = (n: number) => `${n}f`;

export function polyfillSnippet(config: ConnectionConfig, options: SnippetOptions): string {
  const refused = unsendable(config);
  if (refused) return refusal('//', refused);
  const p = prepare(config, options.reveal);
  const param = config.lastEventIdTransport.mode === 'query' ? config.lastEventIdTransport.param : 'lastEventId';
  // The polyfill has no option for a first Last-Event-ID: it goes in the URL, as it would on reconnect.
  const url = p.lastEventId ? withQueryId(p.url, param, p.lastEventId) : p.url;
  const r = config.reconnect;
  const out: string[] = [];
  out.push(`import { EventSourcePolyfill } from 'event-source-polyfill';`, '');
  if (p.method !== 'GET') out.push(`// The polyfill always sends GET: this stream's ${js(p.method)} request and body cannot be reproduced with it.`);
  if (config.lastEventIdTransport.mode === 'header') out.push('// The polyfill sends Last-Event-ID only as a query parameter (lastEventIdQueryParameterName), never as a header.');
  if (!(r.initialDelayMs === 1000 && r.backoffFactor === 2 && r.maxDelayMultiple === 16 && r.jitter === 0)) {
    out.push(`// The polyfill's reconnect delay cannot be set: it starts at 1 s (or the server's retry:) and doubles up to 16 ×; the panel waited ${describeSchedule(r)}.`);
  }
  if (config.connectTimeoutMs !== null && config.connectTimeoutMs !== config.idleTimeoutMs) {
    out.push(`// The polyfill has no connect timeout of its own: heartbeatTimeout also bounds the wait for headers (the panel's was ${seconds(config.connectTimeoutMs)} s).`);
  }
  out.push(`const eventSource = new EventSourcePolyfill(${js(url)}, {`);
  if (p.headers.length > 0) {
    out.push('  headers: {');
    // A plain "__proto__" key would set the object's prototype instead of adding a header.
    for (const [n, v] of p.headers) out.push(`    ${n === '__proto__' ? `[${js(n)}]` : js(n)}: ${js(v)},`);
    out.push('  },');
  }
  out.push(`  lastEventIdQueryParameterName: ${js(param)},`);
  // Unset, the polyfill reconnects after 45 s without a byte; it cannot be turned off, so "none" is its maximum.
  if (config.idleTimeoutMs !== null) out.push(`  heartbeatTimeout: ${config.idleTimeoutMs},`);
  else out.push(`  heartbeatTimeout: ${POLYFILL_MAX_DURATION_MS}, // no idle timeout was tested; the polyfill cannot turn it off (default 45 s): 5 h is its maximum`);
  out.push('});', '');
  const channels = options.channels && options.channels.length > 0 ? options.channels : ['message'];
  for (const channel of channels) {
    out.push(`eventSource.addEventListener(${js(channel)}, (event) => {`, '  console.log(event.type, event.lastEventId, event.data);', '});');
  }
  out.push('eventSource.onerror = (event) => {', "  console.warn('SSE error', event);", '};');
  return `${out.join('\n')}\n`;
}

/** event-source-polyfill clamps every duration to [1 s, 5 h] (`MAXIMUM_DURATION = 18000000`). */
const POLYFILL_MAX_DURATION_MS = 18_000_000;

/**
 * okhttp-eventsource 4.1.1: every setting the panel tested is written out, defaults included, so
 * the snippet does what was tested even where the library's default differs (its read timeout is
 * 5 s; 0 turns an OkHttp timeout off). What the library cannot do is said in a comment.
 */
export function okhttpSnippet(config: ConnectionConfig, options: SnippetOptions): string {
  const refused = unsendable(config);
  if (refused) return refusal('//', refused);
  const p = prepare(config, options.reveal);
  const r = config.reconnect;
  const url = p.lastEventId && config.lastEventIdTransport.mode === 'query' ? withQueryId(p.url, config.lastEventIdTransport.param, p.lastEventId) : p.url;
  const notes: string[] = [];
  const strategy: string[] = [`ConnectStrategy.http(URL(${kotlin(url)}))`];
  for (const [n, v] of p.headers) strategy.push(`.header(${kotlin(n)}, ${kotlin(v)})`);
  if (p.method !== 'GET') {
    const type = p.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? 'application/json';
    strategy.push(p.body !== null ? `.methodAndBody(${kotlin(p.method)}, ${kotlin(p.body)}.toRequestBody(${kotlin(type)}.toMediaType()))` : `.methodAndBody(${kotlin(p.method)}, null)`);
  }
  strategy.push(config.connectTimeoutMs !== null ? `.connectTimeout(${config.connectTimeoutMs}, TimeUnit.MILLISECONDS)` : '.connectTimeout(0, TimeUnit.MILLISECONDS) // 0: none, as tested (the library waits 10 s)');
  // readTimeout is okhttp's idle timeout: set it longer than the server's heartbeat interval.
  strategy.push(config.idleTimeoutMs !== null ? `.readTimeout(${config.idleTimeoutMs}, TimeUnit.MILLISECONDS)` : '.readTimeout(0, TimeUnit.MILLISECONDS) // 0: no idle timeout, as tested (the library gives up after 5 s without a byte)');

  const builder: string[] = [`.retryDelay(${r.initialDelayMs}, TimeUnit.MILLISECONDS)`];
  const constant = r.backoffFactor <= 1;
  builder.push(
    '.retryDelayStrategy(',
    '    RetryDelayStrategy.defaultStrategy()',
    `        .backoffMultiplier(${kotlinFloat(constant ? 1 : r.backoffFactor)})${constant ? ' // 1: a constant delay, as tested' : ''}`,
    `        .maxDelay(${constant ? r.initialDelayMs : r.maxDelayMs}, TimeUnit.MILLISECONDS)`,
    `        .jitterMultiplier(${kotlinFloat(r.jitter)})`,
    ')',
  );
  // Long.MAX_VALUE: the panel never reset its backoff; with a constant delay there is nothing to reset.
  if (!constant) builder.push(`.retryDelayResetThreshold(${r.backoffResetAfterMs ?? 'Long.MAX_VALUE'}, TimeUnit.MILLISECONDS)`);
  if (r.maxDelayMultiple != null) notes.push(`The panel also capped the delay at ${r.maxDelayMultiple} × the initial one; okhttp-eventsource caps it at maxDelay only.`);
  if (r.backoffStartsDoubled) notes.push("The panel's first retry was already doubled (as LDSwiftEventSource's is); okhttp-eventsource's first retry waits retryDelay.");
  if (p.lastEventId && config.lastEventIdTransport.mode === 'header') builder.push(`.lastEventId(${kotlin(p.lastEventId)})`);
  if (config.lastEventIdTransport.mode === 'query') notes.push('okhttp-eventsource sends Last-Event-ID as a header on reconnects; the panel sent it as a query parameter (the first request carries it in the URL).');
  if (!r.retryOnNoContent) notes.push('The panel stops on 204 No Content, as the spec says; okhttp-eventsource reads a 204 as an empty stream and reconnects.');

  // BackgroundEventSource retries every error; the panel stops where the spec (or a limit) says.
  const stops: string[] = [];
  if (!r.retryOnHttpError) stops.push('t is StreamHttpErrorException -> ConnectionErrorHandler.Action.SHUTDOWN // no reconnect after an HTTP error, as tested');
  if (r.maxAttempts !== null) stops.push(`attemptsEnded.incrementAndGet() >= ${r.maxAttempts} -> ConnectionErrorHandler.Action.SHUTDOWN // ${r.maxAttempts} attempt${r.maxAttempts === 1 ? '' : 's'} in all, as tested`);
  const handler =
    stops.length === 0
      ? []
      : [
          '.connectionErrorHandler(object : ConnectionErrorHandler {',
          '    override fun onConnectionError(t: Throwable): ConnectionErrorHandler.Action =',
          '        when {',
          ...stops.map((line) => `            ${line}`),
          '            else -> ConnectionErrorHandler.Action.PROCEED',
          '        }',
          '})',
        ];
  const imports = [
    'import com.launchdarkly.eventsource.ConnectStrategy',
    'import com.launchdarkly.eventsource.EventSource',
    'import com.launchdarkly.eventsource.MessageEvent',
    'import com.launchdarkly.eventsource.RetryDelayStrategy',
    ...(!r.retryOnHttpError ? ['import com.launchdarkly.eventsource.StreamHttpErrorException'] : []),
    'import com.launchdarkly.eventsource.background.BackgroundEventHandler',
    'import com.launchdarkly.eventsource.background.BackgroundEventSource',
    ...(handler.length > 0 ? ['import com.launchdarkly.eventsource.background.ConnectionErrorHandler'] : []),
    'import java.net.URL',
    'import java.util.concurrent.TimeUnit',
    ...(r.maxAttempts !== null ? ['import java.util.concurrent.atomic.AtomicInteger'] : []),
    ...(p.body !== null ? ['import okhttp3.MediaType.Companion.toMediaType', 'import okhttp3.RequestBody.Companion.toRequestBody'] : []),
  ];
  return `// implementation("com.launchdarkly:okhttp-eventsource:4.1.1")
${imports.join('\n')}
${notes.map((n) => `\n// ${n}`).join('')}

class SseHandler : BackgroundEventHandler {
    override fun onOpen() {}
    override fun onClosed() {}
    override fun onMessage(event: String, messageEvent: MessageEvent) {
        println("$event \${messageEvent.lastEventId} \${messageEvent.data}")
    }
    override fun onComment(comment: String) {}
    override fun onError(t: Throwable) {
        // e.g. StreamHttpErrorException (HTTP 401), StreamIOException (read timeout), StreamClosedByServerException
        println("SSE error: $t")
    }
}

fun main() {
${r.maxAttempts !== null ? '    val attemptsEnded = AtomicInteger()\n' : ''}    val eventSource = BackgroundEventSource.Builder(
        SseHandler(),
        EventSource.Builder(
            ${strategy.join('\n                ')}
        )
            ${builder.join('\n            ')}
    )
${handler.map((line) => `        ${line}\n`).join('')}        .build()
    eventSource.start()
    // It reads on its own threads; in an app, keep eventSource and close() it when done.
    Thread.currentThread().join()
}
`;
}

/**
 * LDSwiftEventSource 3.3.1, as a complete program. It always backs off with jitter and has no
 * separate connect timeout; where the panel did otherwise, a comment says what the library will do.
 */
export function swiftSnippet(config: ConnectionConfig, options: SnippetOptions): string {
  const refused = unsendable(config);
  if (refused) return refusal('//', refused);
  const p = prepare(config, options.reveal);
  const r = config.reconnect;
  const url = p.lastEventId && config.lastEventIdTransport.mode === 'query' ? withQueryId(p.url, config.lastEventIdTransport.param, p.lastEventId) : p.url;
  const notes: string[] = [];
  const lines = [`var config = EventSource.Config(handler: SseHandler(), url: URL(string: ${swift(url)})!)`];
  if (p.headers.length > 0) lines.push(`config.headers = [${p.headers.map(([n, v]) => `${swift(n)}: ${swift(v)}`).join(', ')}]`);
  if (p.method !== 'GET') lines.push(`config.method = ${swift(p.method)}`);
  if (p.body !== null) lines.push(`config.body = ${swift(p.body)}.data(using: .utf8)`);
  if (p.lastEventId && config.lastEventIdTransport.mode === 'header') lines.push(`config.lastEventId = ${swift(p.lastEventId)}`);
  if (config.lastEventIdTransport.mode === 'query') notes.push('LDSwiftEventSource sends Last-Event-Id as a header on reconnects; the panel sent it as a query parameter (the first request carries it in the URL).');
  if (config.idleTimeoutMs !== null) lines.push(`config.idleTimeout = ${seconds(config.idleTimeoutMs)}`);
  else lines.push(`config.idleTimeout = ${SWIFT_NO_IDLE_TIMEOUT_S} // no idle timeout was tested; it cannot be turned off (default 300 s): a year`);
  if (config.connectTimeoutMs !== null && config.connectTimeoutMs !== config.idleTimeoutMs) {
    notes.push(`LDSwiftEventSource has no connect timeout of its own: idleTimeout also bounds the wait for headers (the panel's connect timeout was ${seconds(config.connectTimeoutMs)} s).`);
  }
  const constant = r.backoffFactor <= 1;
  lines.push(`config.reconnectTime = ${seconds(r.initialDelayMs)}`);
  lines.push(`config.maxReconnectTime = ${seconds(constant ? r.initialDelayMs : r.maxDelayMs)}`);
  if (!constant) lines.push(`config.backoffResetThreshold = ${r.backoffResetAfterMs === null ? `${SWIFT_NEVER_S} // the panel never reset its backoff: a year` : seconds(r.backoffResetAfterMs)}`);
  const libraryLike = r.backoffFactor === 2 && r.jitter === 0.5 && r.backoffStartsDoubled === true;
  if (!libraryLike) {
    notes.push(
      `LDSwiftEventSource always doubles its delay from the first retry and waits a random time between half and all of it; it cannot wait ${describeSchedule(r)} as the panel did.` +
        (constant ? ` With maxReconnectTime = reconnectTime each wait is between ${r.initialDelayMs / 2000} and ${r.initialDelayMs / 1000} s.` : ''),
    );
  }
  if (r.maxDelayMultiple != null) notes.push(`The panel also capped the delay at ${r.maxDelayMultiple} × the initial one; LDSwiftEventSource caps it at maxReconnectTime only.`);

  // The library's own handler shuts down on 204 and proceeds otherwise; the panel also stops where the spec (or a limit) says.
  const stops: string[] = [];
  if (!r.retryOnHttpError) stops.push('if error is UnsuccessfulResponseError { return .shutdown } // no reconnect after an HTTP error (204 included), as tested');
  else if (!r.retryOnNoContent) stops.push('if (error as? UnsuccessfulResponseError)?.responseCode == 204 { return .shutdown }');
  if (r.retryOnNoContent) notes.push('The panel reconnected after 204 No Content; this handler does too, unlike the library default.');
  if (r.maxAttempts !== null) stops.push(`attemptsEnded += 1`, `if attemptsEnded >= ${r.maxAttempts} { return .shutdown } // ${r.maxAttempts} attempt${r.maxAttempts === 1 ? '' : 's'} in all, as tested`);
  const body = [
    ...(r.maxAttempts !== null ? ['var attemptsEnded = 0'] : []),
    ...lines,
    'config.connectionErrorHandler = { error in',
    ...stops.map((line) => `    ${line}`),
    '    return .proceed',
    '}',
    'let eventSource = EventSource(config: config)',
    'eventSource.start()',
    '// It reads on its own queue; in an app, keep eventSource and stop() it when done.',
    'RunLoop.main.run()',
  ];
  return `// .package(url: "https://github.com/LaunchDarkly/swift-eventsource.git", .upToNextMajor(from: "3.3.1"))
// A complete program (@main: save it in a file not named main.swift).
import Foundation
import LDSwiftEventSource
${notes.map((n) => `\n// ${n}`).join('')}

final class SseHandler: EventHandler {
    func onOpened() {}
    func onClosed() {}
    func onMessage(eventType: String, messageEvent: MessageEvent) {
        print(eventType, messageEvent.lastEventId, messageEvent.data)
    }
    func onComment(comment: String) {}
    func onError(error: Error) {
        // e.g. UnsuccessfulResponseError (error.responseCode == 401)
        print("SSE error:", error)
    }
}

@main
struct SseMain {
    static func main() {
${body.map((line) => `        ${line}`).join('\n')}
    }
}
`;
}

/** Seconds in a year: what stands for "never" where LDSwiftEventSource has no off switch. */
const SWIFT_NO_IDLE_TIMEOUT_S = 31_536_000;
const SWIFT_NEVER_S = SWIFT_NO_IDLE_TIMEOUT_S;

export function snippet(language: SnippetLanguage, config: ConnectionConfig, options: SnippetOptions): string {
  switch (language) {
    case 'curl':
      return curlSnippet(config, options);
    case 'polyfill':
      return polyfillSnippet(config, options);
    case 'okhttp':
      return okhttpSnippet(config, options);
    case 'swift':
      return swiftSnippet(config, options);
  }
}
