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

/** Replaces every occurrence of `secret` values in free text (error messages quote URLs). */
export function scrubText(text: string, rawUrls: readonly string[], secretValues: readonly string[]): string {
  let out = text;
  for (const url of rawUrls) if (url) out = out.split(url).join(maskUrl(url));
  for (const value of secretValues) if (value.length >= 4) out = out.split(value).join(REDACTED);
  return out;
}
