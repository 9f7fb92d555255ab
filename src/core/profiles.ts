/**
 * Client profiles: what a real client does with a stream, as data the engine runs. Every number
 * comes from the client's own source or documentation; docs/profiles.md cites each one. Where a
 * client behaves like the spec, the profile says so by using the spec's values.
 */
import type { ConnectionConfig, LastEventIdTransport } from './config.js';
import { SPEC_POLICY, type ReconnectPolicy } from './policy.js';
import type { EndReason } from './timeline.js';

export interface ClientProfile {
  id: string;
  name: string;
  /** The library and the release the numbers were read from. */
  client: string;
  summary: string;
  connectTimeoutMs: number | null;
  idleTimeoutMs: number | null;
  reconnect: ReconnectPolicy;
  lastEventIdTransport: LastEventIdTransport;
  /** What the client raises or reports when an attempt ends so; `{status}` is replaced. */
  errors: Record<EndReason, string>;
}

/** Only an observed page's EventSource ends so (it cannot tell these two apart); a client of its own knows which it was. */
const LOST_OR_CLOSED = 'as closed-by-server or network-error, whichever it was';

const browserErrors = (closed: string): Record<EndReason, string> => ({
  'closed-by-server': 'error event, readyState CONNECTING: reconnects',
  'idle-timeout': 'no idle timeout in browsers: the stream would stay open',
  'connect-timeout': 'no connect timeout in browsers: it would keep waiting',
  'http-error': `error event, readyState CLOSED (${closed})`,
  'bad-content-type': `error event, readyState CLOSED (${closed})`,
  'no-content': `error event, readyState CLOSED (${closed})`,
  'network-error': 'error event, readyState CONNECTING: reconnects',
  'lost-or-closed': 'error event, readyState CONNECTING: reconnects',
  'closed-by-user': 'close()',
  fault: 'error event, readyState CONNECTING: reconnects',
});

/** Browsers differ only in their reconnection delay and their words for a failed connection. */
function browserProfile(id: string, name: string, client: string, summary: string, delayMs: number, closed: string): ClientProfile {
  return {
    id,
    name,
    client,
    summary,
    connectTimeoutMs: null,
    idleTimeoutMs: null,
    reconnect: { ...SPEC_POLICY, initialDelayMs: delayMs, maxDelayMs: delayMs },
    lastEventIdTransport: { mode: 'header' },
    errors: browserErrors(closed),
  };
}

export const PROFILES: readonly ClientProfile[] = [
  browserProfile('spec', 'WHATWG spec (SSE DevTools default)', 'HTML Living Standard, Server-sent events', 'Constant 3 s reconnection delay (Chromium’s default), no timeouts, fail on any status but 200 and on a wrong Content-Type.', 3000, 'the spec fails the connection'),
  browserProfile('chromium', 'Browser EventSource — Chromium', 'Chromium Blink EventSource (event_source.cc)', 'kDefaultReconnectDelay = 3000 ms, constant; only status 200 with text/event-stream opens; Last-Event-ID header.', 3000, 'Chromium cancels the load'),
  browserProfile('firefox', 'Browser EventSource — Firefox', 'Gecko dom/base/EventSource.cpp', 'dom.serverEvents.defaultReconnectionTime = 5000 ms, constant; non-200 or a wrong Content-Type fails the connection.', 5000, 'Firefox fails the connection'),
  {
    id: 'polyfill',
    name: 'EventSource polyfill (Yaffle, custom headers)',
    client: 'event-source-polyfill 1.0.31 (Yaffle/EventSource src/eventsource.js)',
    summary:
      'heartbeatTimeout 45 s (no byte for that long → reconnect); retry starts at 1 s and doubles up to 16 × the initial delay, reset when a connection opens; Last-Event-ID only as the lastEventId query parameter; non-200 or a wrong Content-Type closes for good.',
    // The heartbeat timer also runs while connecting, so it bounds the wait for headers too.
    connectTimeoutMs: 45_000,
    idleTimeoutMs: 45_000,
    reconnect: {
      initialDelayMs: 1000,
      backoffFactor: 2,
      maxDelayMs: 18_000_000,
      maxDelayMultiple: 16,
      jitter: 0,
      backoffResetAfterMs: 0,
      maxAttempts: null,
      retryOnHttpError: false,
    },
    lastEventIdTransport: { mode: 'query', param: 'lastEventId' },
    errors: {
      'closed-by-server': 'error event, readyState CONNECTING: reconnects after `retry`',
      'idle-timeout': 'Error "No activity within 45000 milliseconds. Reconnecting."',
      'connect-timeout': 'Error "No activity within 45000 milliseconds. Reconnecting."',
      'http-error': 'Error "EventSource\'s response has a status {status} … that is not 200. Aborting the connection." then close()',
      'bad-content-type': 'Error "EventSource\'s response has a Content-Type specifying an unsupported type: … Aborting the connection." then close()',
      'no-content': 'Error "EventSource\'s response has a status 204 … that is not 200. Aborting the connection." then close()',
      'network-error': 'error event, readyState CONNECTING: reconnects after `retry`',
      'lost-or-closed': LOST_OR_CLOSED,
      'closed-by-user': 'close()',
      fault: 'error event, readyState CONNECTING: reconnects after `retry`',
    },
  },
  {
    id: 'okhttp',
    name: 'okhttp-eventsource (Android)',
    client: 'com.launchdarkly:okhttp-eventsource 4.1.1, BackgroundEventSource with defaults',
    summary:
      'connectTimeout 10 s, readTimeout 5000 ms (the constant; its javadoc says 5 minutes); retryDelay 1 s doubling to 30 s with 50 % jitter, reset after 60 s connected; BackgroundEventSource retries every error, HTTP errors included; 204 counts as success and ends as a closed stream.',
    connectTimeoutMs: 10_000,
    idleTimeoutMs: 5_000,
    reconnect: {
      initialDelayMs: 1000,
      backoffFactor: 2,
      maxDelayMs: 30_000,
      jitter: 0.5,
      backoffResetAfterMs: 60_000,
      maxAttempts: null,
      retryOnHttpError: true,
      retryOnNoContent: true,
    },
    lastEventIdTransport: { mode: 'header' },
    errors: {
      'closed-by-server': 'StreamClosedByServerException: Stream closed by server',
      'idle-timeout': 'StreamIOException wrapping java.net.SocketTimeoutException: timeout (readTimeout)',
      'connect-timeout': 'StreamIOException wrapping java.net.SocketTimeoutException (connectTimeout/readTimeout)',
      'http-error': 'StreamHttpErrorException: Server returned HTTP error {status}',
      'bad-content-type': 'okhttp-eventsource does not check Content-Type; it would try to parse the body',
      'no-content': 'StreamClosedByServerException: Stream closed by server (204 is a success to OkHttp)',
      'network-error': 'StreamIOException wrapping the IOException',
      'lost-or-closed': LOST_OR_CLOSED,
      'closed-by-user': 'StreamClosedByCallerException: Stream closed by client',
      fault: 'StreamIOException wrapping the IOException',
    },
  },
  {
    id: 'swift',
    name: 'LDSwiftEventSource (iOS)',
    client: 'LDSwiftEventSource 3.3.1',
    summary:
      'idleTimeout 300 s (URLRequest timeoutInterval); reconnectTime 1 s doubling to maxReconnectTime 30 s, the delay drawn from [half, full], reset after 60 s connected; the default connectionErrorHandler shuts down on 204 and reconnects on every other error, HTTP errors included.',
    connectTimeoutMs: 300_000,
    idleTimeoutMs: 300_000,
    reconnect: {
      initialDelayMs: 1000,
      backoffFactor: 2,
      maxDelayMs: 30_000,
      jitter: 0.5,
      backoffResetAfterMs: 60_000,
      backoffStartsDoubled: true,
      maxAttempts: null,
      retryOnHttpError: true,
    },
    lastEventIdTransport: { mode: 'header' },
    errors: {
      'closed-by-server': 'stream ended: onClosed(), then reconnects',
      'idle-timeout': 'URLError .timedOut (idleTimeout is the request timeout interval)',
      'connect-timeout': 'URLError .timedOut',
      'http-error': 'UnsuccessfulResponseError(responseCode: {status}); default handler: .proceed (reconnect)',
      'bad-content-type': 'LDSwiftEventSource does not check Content-Type; it would try to parse the body',
      'no-content': 'UnsuccessfulResponseError(responseCode: 204); default handler: .shutdown',
      'network-error': 'URLError from URLSession, then reconnects',
      'lost-or-closed': LOST_OR_CLOSED,
      'closed-by-user': 'stop()',
      fault: 'URLError from URLSession, then reconnects',
    },
  },
];

export function profileById(id: string | null | undefined): ClientProfile | null {
  return PROFILES.find((p) => p.id === id) ?? null;
}

/** A config that behaves as the profile's client does; URL, headers and body are kept. */
export function applyProfile(config: ConnectionConfig, profile: ClientProfile): ConnectionConfig {
  return {
    ...config,
    profile: profile.id,
    connectTimeoutMs: profile.connectTimeoutMs,
    idleTimeoutMs: profile.idleTimeoutMs,
    reconnect: { ...profile.reconnect },
    lastEventIdTransport: { ...profile.lastEventIdTransport },
  };
}

/** What the profile's client would raise for an attempt that ended so; null without a profile. */
export function clientError(profileId: string | null | undefined, reason: EndReason, status: number | null): string | null {
  const profile = profileById(profileId);
  if (!profile) return null;
  return profile.errors[reason].replace('{status}', status === null ? '' : String(status));
}
