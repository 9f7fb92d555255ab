/**
 * Copy as code: a connection's settings as ready-to-paste code for curl and the three client
 * libraries our users ship (current releases: event-source-polyfill 1.0.31, okhttp-eventsource
 * 4.1.1, LDSwiftEventSource 3.3.1). Secrets are masked unless the caller reveals them.
 */
import type { ConnectionConfig } from './config.js';
import { isSecretHeader, maskHeaderValue, maskUrl, REDACTED } from './secrets.js';
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

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** JSON string literals are valid JavaScript, Kotlin-compatible after escaping `$`, and Swift-compatible. */
const js = (s: string) => JSON.stringify(s);
const kotlin = (s: string) => JSON.stringify(s).replace(/\$/g, '\\$');
const swift = (s: string) => JSON.stringify(s).replace(/\\u([0-9a-f]{4})/gi, '\\u{$1}');
const seconds = (ms: number) => (ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(3));

export function curlSnippet(config: ConnectionConfig, options: SnippetOptions): string {
  const p = prepare(config, options.reveal);
  const lines = ['curl -N', `-H ${shellQuote('Accept: text/event-stream')}`];
  for (const [n, v] of p.headers) lines.push(`-H ${shellQuote(`${n}: ${v}`)}`);
  let url = p.url;
  if (p.lastEventId) {
    if (config.lastEventIdTransport.mode === 'query') url = withQueryId(url, config.lastEventIdTransport.param, p.lastEventId);
    else lines.push(`-H ${shellQuote(`Last-Event-ID: ${p.lastEventId}`)}`);
  }
  if (p.method !== 'GET') lines.push(`-X ${p.method}`);
  if (p.body !== null) lines.push(`--data-raw ${shellQuote(p.body)}`);
  if (config.connectTimeoutMs !== null) lines.push(`--connect-timeout ${seconds(config.connectTimeoutMs)}`);
  // curl has no idle timeout; "slower than 1 byte/s for N s" is the same thing for a stream.
  if (config.idleTimeoutMs !== null) lines.push(`--speed-limit 1 --speed-time ${Math.max(1, Math.round(config.idleTimeoutMs / 1000))}`);
  lines.push(shellQuote(url));
  return `${lines.join(' \\\n  ')}\n`;
}

export function polyfillSnippet(config: ConnectionConfig, options: SnippetOptions): string {
  const p = prepare(config, options.reveal);
  const param = config.lastEventIdTransport.mode === 'query' ? config.lastEventIdTransport.param : 'lastEventId';
  // The polyfill has no option for a first Last-Event-ID: it goes in the URL, as it would on reconnect.
  const url = p.lastEventId ? withQueryId(p.url, param, p.lastEventId) : p.url;
  const out: string[] = [];
  out.push(`import { EventSourcePolyfill } from 'event-source-polyfill';`, '');
  if (p.method !== 'GET') out.push(`// The polyfill always sends GET: this stream's ${p.method} request and body cannot be reproduced with it.`);
  if (config.lastEventIdTransport.mode === 'header') out.push('// The polyfill sends Last-Event-ID only as a query parameter (lastEventIdQueryParameterName), never as a header.');
  out.push(`const eventSource = new EventSourcePolyfill(${js(url)}, {`);
  if (p.headers.length > 0) {
    out.push('  headers: {');
    for (const [n, v] of p.headers) out.push(`    ${js(n)}: ${js(v)},`);
    out.push('  },');
  }
  out.push(`  lastEventIdQueryParameterName: ${js(param)},`);
  if (config.idleTimeoutMs !== null) out.push(`  heartbeatTimeout: ${config.idleTimeoutMs},`);
  out.push('});', '');
  const channels = options.channels && options.channels.length > 0 ? options.channels : ['message'];
  for (const channel of channels) {
    out.push(`eventSource.addEventListener(${js(channel)}, (event) => {`, '  console.log(event.type, event.lastEventId, event.data);', '});');
  }
  out.push('eventSource.onerror = (event) => {', "  console.warn('SSE error', event);", '};');
  return `${out.join('\n')}\n`;
}

export function okhttpSnippet(config: ConnectionConfig, options: SnippetOptions): string {
  const p = prepare(config, options.reveal);
  const url = p.lastEventId && config.lastEventIdTransport.mode === 'query' ? withQueryId(p.url, config.lastEventIdTransport.param, p.lastEventId) : p.url;
  const strategy: string[] = [`ConnectStrategy.http(URL(${kotlin(url)}))`];
  for (const [n, v] of p.headers) strategy.push(`.header(${kotlin(n)}, ${kotlin(v)})`);
  if (p.method !== 'GET') {
    const type = p.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? 'application/json';
    strategy.push(p.body !== null ? `.methodAndBody(${kotlin(p.method)}, ${kotlin(p.body)}.toRequestBody(${kotlin(type)}.toMediaType()))` : `.methodAndBody(${kotlin(p.method)}, null)`);
  }
  if (config.connectTimeoutMs !== null) strategy.push(`.connectTimeout(${config.connectTimeoutMs}, TimeUnit.MILLISECONDS)`);
  // readTimeout is okhttp's idle timeout: set it longer than the server's heartbeat interval.
  if (config.idleTimeoutMs !== null) strategy.push(`.readTimeout(${config.idleTimeoutMs}, TimeUnit.MILLISECONDS)`);
  const builder: string[] = [`.retryDelay(${config.reconnect.initialDelayMs}, TimeUnit.MILLISECONDS)`];
  if (config.reconnect.backoffResetAfterMs !== null) builder.push(`.retryDelayResetThreshold(${config.reconnect.backoffResetAfterMs}, TimeUnit.MILLISECONDS)`);
  if (p.lastEventId && config.lastEventIdTransport.mode === 'header') builder.push(`.lastEventId(${kotlin(p.lastEventId)})`);
  const imports = [
    'import com.launchdarkly.eventsource.ConnectStrategy',
    'import com.launchdarkly.eventsource.EventSource',
    'import com.launchdarkly.eventsource.MessageEvent',
    'import com.launchdarkly.eventsource.background.BackgroundEventHandler',
    'import com.launchdarkly.eventsource.background.BackgroundEventSource',
    'import java.net.URL',
    'import java.util.concurrent.TimeUnit',
    ...(p.body !== null ? ['import okhttp3.MediaType.Companion.toMediaType', 'import okhttp3.RequestBody.Companion.toRequestBody'] : []),
  ];
  return `// implementation("com.launchdarkly:okhttp-eventsource:4.1.1")
${imports.join('\n')}

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

val eventSource = BackgroundEventSource.Builder(
    SseHandler(),
    EventSource.Builder(
        ${strategy.join('\n            ')}
    )
        ${builder.join('\n        ')}
).build()
eventSource.start()
`;
}

export function swiftSnippet(config: ConnectionConfig, options: SnippetOptions): string {
  const p = prepare(config, options.reveal);
  const url = p.lastEventId && config.lastEventIdTransport.mode === 'query' ? withQueryId(p.url, config.lastEventIdTransport.param, p.lastEventId) : p.url;
  const lines = [`var config = EventSource.Config(handler: SseHandler(), url: URL(string: ${swift(url)})!)`];
  if (p.headers.length > 0) lines.push(`config.headers = [${p.headers.map(([n, v]) => `${swift(n)}: ${swift(v)}`).join(', ')}]`);
  if (p.method !== 'GET') lines.push(`config.method = ${swift(p.method)}`);
  if (p.body !== null) lines.push(`config.body = ${swift(p.body)}.data(using: .utf8)`);
  if (p.lastEventId && config.lastEventIdTransport.mode === 'header') lines.push(`config.lastEventId = ${swift(p.lastEventId)}`);
  if (config.idleTimeoutMs !== null) lines.push(`config.idleTimeout = ${seconds(config.idleTimeoutMs)}`);
  lines.push(`config.reconnectTime = ${seconds(config.reconnect.initialDelayMs)}`);
  if (config.reconnect.backoffFactor > 1) lines.push(`config.maxReconnectTime = ${seconds(config.reconnect.maxDelayMs)}`);
  if (config.reconnect.backoffResetAfterMs !== null) lines.push(`config.backoffResetThreshold = ${seconds(config.reconnect.backoffResetAfterMs)}`);
  return `// .package(url: "https://github.com/LaunchDarkly/swift-eventsource.git", .upToNextMajor(from: "3.3.1"))
import Foundation
import LDSwiftEventSource

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

${lines.join('\n')}
let eventSource = EventSource(config: config)
eventSource.start()
`;
}

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
