/**
 * Request headers a page's fetch may not set (WHATWG Fetch, "forbidden request-header"), and what
 * SSE DevTools does about each: most it sends by other means (a declarativeNetRequest rule in the
 * extension; Node's fetch sends them as given), the few that frame the HTTP message it refuses,
 * because no client lets anyone choose them and a wrong one breaks the exchange rather than
 * testing the server.
 */

/** Set by the HTTP client from the request itself. The value is why, in the form's words. */
const FRAMING: ReadonlyMap<string, string> = new Map(Object.entries({
  host: 'comes from the URL: put the host there',
  'content-length': 'is worked out from the body',
  connection: 'belongs to the connection, which the HTTP client manages',
  'keep-alive': 'belongs to the connection, which the HTTP client manages',
  'transfer-encoding': 'is chosen by the HTTP client for the body',
  te: 'belongs to the connection, which the HTTP client manages',
  trailer: 'is chosen by the HTTP client for the body',
  upgrade: 'would switch protocols; an event stream is plain HTTP',
  expect: 'changes how the HTTP client sends the body',
}));

/** Forbidden by the Fetch standard, plus User-Agent, which Chromium still drops when a page sets it. */
const FORBIDDEN = new Set([
  ...FRAMING.keys(),
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'access-control-request-private-network',
  'cookie',
  'date',
  'dnt',
  'origin',
  'referer',
  'set-cookie',
  'via',
  'user-agent',
]);

/** True when a browser's fetch would drop this header silently. */
export function isForbiddenRequestHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return FORBIDDEN.has(lower) || lower.startsWith('proxy-') || lower.startsWith('sec-');
}

/** Why this header cannot be chosen by the user at all, or null when it can be sent. */
export function unsendableHeader(name: string): string | null {
  const lower = name.toLowerCase();
  // A Map, not an object: a header named __proto__ must find nothing.
  const why = FRAMING.get(lower);
  if (why !== undefined) return `${name} ${why}; it cannot be set here`;
  if (lower === 'set-cookie') return 'Set-Cookie is a response header; to send a cookie use a Cookie header';
  return null;
}
