/**
 * What counts as a secret, and how it is masked. Entries, logs and captures only ever hold masked
 * values, so a timeline can be persisted or shared without leaking a token.
 */
import type { ConnectionConfig } from './config.js';
import type { EntryBody, FramingNote, HeaderPair } from './timeline.js';

/** Marks every removed value, so a reader of a capture knows something was there. */
export const REDACTED = '[redacted]';

/**
 * Known secret values shorter than this are not searched for in free text (event data, ids, other
 * headers, error text): masking every "1234" in a stream would destroy it. Header values are still
 * masked by header name whatever their length.
 */
export const MIN_SECRET_CHARS = 8;

const ALWAYS_SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'] as const;

/** Query parameters that commonly carry credentials. Compared case-insensitively. */
const SECRET_QUERY_PARAMS = [
  'access_token',
  'access-token',
  'auth_token',
  'authorization',
  'api-key',
  'token',
  'key',
  'api_key',
  'apikey',
  'auth',
  'password',
  'secret',
  'client_secret',
  'signature',
  'sig',
  'jwt',
  'id_token',
  'refresh_token',
] as const;

export function isSecretHeader(name: string, extraSecretNames: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  return (
    (ALWAYS_SECRET_HEADERS as readonly string[]).includes(lower) ||
    extraSecretNames.some((n) => n.toLowerCase() === lower)
  );
}

/** Keeps the auth scheme ("Bearer") because which scheme was sent is often the bug; drops the credential. */
export function maskHeaderValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === 'authorization' || lower === 'proxy-authorization') {
    const scheme = /^([A-Za-z][A-Za-z0-9._~+/-]*)\s+\S/.exec(value);
    if (scheme) return `${scheme[1]} ${REDACTED}`;
  }
  return value === '' ? '' : REDACTED;
}

export function maskHeaders(headers: readonly HeaderPair[], extraSecretNames: readonly string[] = []): HeaderPair[] {
  return headers.map(([name, value]) =>
    isSecretHeader(name, extraSecretNames) ? [name, maskHeaderValue(name, value)] : [name, value],
  );
}

/** Names that say "credential" whatever the exact spelling (X-Amz-Signature, X-Amz-Security-Token, …). */
const SECRET_PARAM_PATTERN = /token|secret|signature|password|credential|api[-_]?key/i;

export const isSecretParam = (key: string): boolean => (SECRET_QUERY_PARAMS as readonly string[]).includes(key.toLowerCase()) || SECRET_PARAM_PATTERN.test(key);

/** Masks credential-like query parameters and userinfo; leaves anything that is not an absolute URL unchanged. */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  for (const key of [...parsed.searchParams.keys()]) {
    if (isSecretParam(key) && parsed.searchParams.get(key) !== REDACTED) {
      parsed.searchParams.set(key, REDACTED);
      changed = true;
    }
  }
  // A token is often passed as the user name (https://TOKEN@host), so both parts go.
  if (parsed.password) {
    parsed.password = REDACTED;
    changed = true;
  }
  if (parsed.username && parsed.username !== encodeURIComponent(REDACTED)) {
    parsed.username = REDACTED;
    changed = true;
  }
  // URL serialisation percent-encodes the marker; keep it readable, it is for people.
  return changed ? parsed.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED) : url;
}

/** Replaces every raw URL in free text by its masked form (error messages quote URLs). */
export function scrubText(text: string, rawUrls: readonly string[]): string {
  let out = text;
  for (const url of rawUrls) if (url) out = out.split(url).join(maskUrl(url));
  return out;
}

/**
 * What a secret header value could be echoed as: the whole value, an Authorization credential
 * without its scheme, each cookie's value.
 */
function echoesOfHeader(name: string, value: string): string[] {
  const lower = name.toLowerCase();
  const out = [value];
  if (lower === 'authorization' || lower === 'proxy-authorization') {
    const credential = /^[A-Za-z][A-Za-z0-9._~+/-]*\s+(\S.*)$/.exec(value);
    if (credential) out.push(credential[1]!);
  } else if (lower === 'cookie') {
    for (const pair of value.split(';')) out.push(pair.slice(pair.indexOf('=') + 1).trim());
  }
  return out;
}

/** Every value of these headers, as secrets (a token-expiry simulation's headers are all secret). */
export function headerSecretValues(headers: readonly HeaderPair[]): string[] {
  return headers.flatMap(([name, value]) => echoesOfHeader(name, value));
}

/**
 * The secret values a config carries, wherever they would be masked by name: secret headers,
 * credential query parameters and URL userinfo, and the body when it is marked secret.
 */
export function knownSecretValues(config: Pick<ConnectionConfig, 'url' | 'headers' | 'secretHeaders' | 'body' | 'secretBody'>): string[] {
  const out = headerSecretValues(config.headers.filter(([name]) => isSecretHeader(name, config.secretHeaders)));
  try {
    const u = new URL(config.url);
    for (const [key, value] of u.searchParams) if (isSecretParam(key)) out.push(value);
    if (u.username) out.push(decodeURIComponent(u.username));
    if (u.password) out.push(decodeURIComponent(u.password));
  } catch {
    // Not an absolute URL: nothing in it was masked by name either.
  }
  if (config.secretBody && config.body !== null) out.push(config.body);
  return out;
}

/** Replaces every known secret value in a string; see createMasker. */
export type Masker = (text: string) => string;

/**
 * A function that replaces every occurrence of `values` (those of at least MIN_SECRET_CHARS) with
 * the marker, or null when there is nothing to look for: the caller's fast path. It runs once per
 * string of every entry, so the common case (no secret in the text) is one `includes` per distinct
 * credential: a value that contains another can only occur where that other one does.
 */
export function createMasker(values: Iterable<string>): Masker | null {
  // Longest first, so "Bearer abc…" becomes one marker rather than "Bearer [redacted]".
  const all = [...new Set(values)].filter((v) => v.length >= MIN_SECRET_CHARS && !v.includes(REDACTED)).sort((a, b) => b.length - a.length);
  if (all.length === 0) return null;
  const probes = all.filter((v) => !all.some((w) => w.length < v.length && v.includes(w)));
  const shortest = probes[probes.length - 1]!.length;
  const replace = (text: string): string => {
    let out = text;
    for (const v of all) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  };
  const [only] = probes;
  // One credential is the usual case; it skips the loop over probes.
  if (probes.length === 1) return (text) => (text.length < shortest || !text.includes(only!) ? text : replace(text));
  return (text) => (text.length < shortest || !probes.some((p) => text.includes(p)) ? text : replace(text));
}

const maskPairs = (headers: readonly HeaderPair[], mask: Masker): HeaderPair[] => headers.map(([n, v]) => [mask(n), mask(v)]);

/**
 * An entry with every known secret value masked in each of its texts. By kind, not by walking the
 * object: a secret that happens to spell "response" must not change what kind an entry is.
 */
/** A framing note may quote event data. */
function maskFraming(notes: FramingNote[] | undefined, mask: Masker): { framing?: FramingNote[] } {
  return notes === undefined ? {} : { framing: notes.map((n) => ({ trap: n.trap, detail: mask(n.detail) })) };
}

export function maskEntryBody<T extends EntryBody>(body: T, mask: Masker): T {
  const b: EntryBody = body;
  switch (b.kind) {
    case 'attempt-started':
      return { ...b, url: mask(b.url), headers: maskPairs(b.headers, mask), lastEventId: b.lastEventId === null ? null : mask(b.lastEventId), ...(b.body === undefined ? {} : { body: mask(b.body) }) } as T;
    case 'request-sent':
      return { ...b, headers: b.headers.map(([n, v, source]) => [mask(n), mask(v), source]), dropped: maskPairs(b.dropped, mask), detail: mask(b.detail) } as T;
    case 'response':
      return { ...b, statusText: mask(b.statusText), url: mask(b.url), headers: maskPairs(b.headers, mask) } as T;
    case 'event':
      return { ...b, type: mask(b.type), id: b.id === null ? null : mask(b.id), lastEventId: mask(b.lastEventId), data: mask(b.data), ...maskFraming(b.framing, mask) } as T;
    case 'comment':
      return { ...b, text: mask(b.text) } as T;
    case 'ignored-line':
      return { ...b, line: mask(b.line) } as T;
    case 'reconnect-scheduled':
      return { ...b, why: mask(b.why), lastEventId: b.lastEventId === null ? null : mask(b.lastEventId) } as T;
    case 'stopped':
      return { ...b, why: mask(b.why) } as T;
    case 'attempt-ended':
      return { ...b, detail: mask(b.detail), ...(b.body ? { body: { ...b.body, text: mask(b.body.text) } } : {}), ...maskFraming(b.framing, mask) } as T;
    case 'fault-injected':
    case 'worker-restarted':
    case 'reading-paused':
    case 'entries-dropped':
      return { ...b, detail: mask(b.detail) } as T;
    case 'retry-changed':
      return body;
  }
}
