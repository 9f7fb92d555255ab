/**
 * What counts as a secret, and how it is masked. Entries, logs and captures only ever hold masked
 * values, so a timeline can be persisted or shared without leaking a token.
 */
import type { HeaderPair } from './timeline.js';

/** Marks every removed value, so a reader of a capture knows something was there. */
export const REDACTED = '[redacted]';

export const ALWAYS_SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'] as const;

/** Query parameters that commonly carry credentials. Compared case-insensitively. */
export const SECRET_QUERY_PARAMS = [
  'access_token',
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

/** Masks credential-like query parameters; leaves anything that is not an absolute URL unchanged. */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  for (const key of [...parsed.searchParams.keys()]) {
    if ((SECRET_QUERY_PARAMS as readonly string[]).includes(key.toLowerCase()) && parsed.searchParams.get(key) !== REDACTED) {
      parsed.searchParams.set(key, REDACTED);
      changed = true;
    }
  }
  if (parsed.password) {
    parsed.password = REDACTED;
    changed = true;
  }
  // URL serialisation percent-encodes the marker; keep it readable, it is for people.
  return changed ? parsed.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED) : url;
}
