/**
 * A connection's own cookies: what its server set with Set-Cookie, sent on the connection's later
 * attempts and nowhere else, as a client with its own cookie store (okhttp with a CookieJar, a
 * URLSession) would. One connection talks to one URL, so Domain and Path do not choose among
 * servers here; Max-Age and Expires still end a cookie, as a server that clears one expects.
 */
import { LIMITS } from '../limits.js';
import type { HeaderPair } from '../timeline.js';

/** A hostile server cannot grow the store, nor the Cookie header, without bound. */
const MAX_COOKIES = 50;

/**
 * A cookie as a connection keeps it, for a host that keeps a copy (a service worker that may be
 * stopped): its expiry is a time on the engine's clock (ms since the epoch), never a duration, so
 * a copy restored later expires when the original would have. Null: a session cookie.
 */
export interface KeptCookie {
  name: string;
  value: string;
  expires: number | null;
}

export class CookieJar {
  private readonly cookies = new Map<string, { value: string; expires: number | null }>();

  /** `seed`: what `contents()` gave before the host lost its memory; checked as a server's cookies are. */
  constructor(seed: readonly KeptCookie[] = [], now = 0) {
    for (const c of seed) if (acceptable(c.name, c.value) && (c.expires === null || c.expires > now)) this.put(c.name, c.value, c.expires);
  }

  /**
   * Takes a response's Set-Cookie values (RFC 6265 §5.2, the parts that matter for one server);
   * says whether the jar changed, so a host keeping a copy writes only then.
   */
  store(setCookies: readonly string[], now: number): boolean {
    let changed = false;
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!acceptable(name, value)) continue;
      const expires = expiry(attributes, now);
      if (expires !== null && expires <= now) changed = this.cookies.delete(name) || changed;
      else changed = this.put(name, value, expires) || changed;
    }
    return changed;
  }

  private put(name: string, value: string, expires: number | null): boolean {
    const was = this.cookies.get(name);
    if (was?.value === value && was.expires === expires) return false;
    if (!was && this.cookies.size >= MAX_COOKIES) return false;
    this.cookies.set(name, { value, expires });
    return true;
  }

  /** The Cookie header value for a request now, or null when the connection holds none. */
  header(now: number): string | null {
    const live: string[] = [];
    for (const [name, c] of this.cookies) {
      if (c.expires !== null && c.expires <= now) this.cookies.delete(name);
      else live.push(`${name}=${c.value}`);
    }
    return live.length === 0 ? null : live.join('; ');
  }

  values(): string[] {
    return [...this.cookies.values()].map((c) => c.value);
  }

  contents(): KeptCookie[] {
    return [...this.cookies].map(([name, c]) => ({ name, value: c.value, expires: c.expires }));
  }
}

function acceptable(name: string, value: string): boolean {
  return name !== '' && name.length + value.length <= LIMITS.textChars / 2;
}

/** Max-Age wins over Expires (RFC 6265 §5.3 step 3); null for a session cookie. */
function expiry(attributes: readonly string[], now: number): number | null {
  let expires: number | null = null;
  for (const attribute of attributes) {
    const eq = attribute.indexOf('=');
    const key = (eq < 0 ? attribute : attribute.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : attribute.slice(eq + 1).trim();
    if (key === 'max-age' && /^-?\d+$/.test(value)) return now + Number(value) * 1000;
    if (key === 'expires') {
      const t = Date.parse(value);
      if (Number.isFinite(t)) expires = t;
    }
  }
  return expires;
}

/** The request's headers with the connection's cookies added to any the form set. */
export function withCookies(headers: readonly HeaderPair[], cookies: string | null): HeaderPair[] {
  if (cookies === null) return [...headers];
  const at = headers.findIndex(([n]) => n.toLowerCase() === 'cookie');
  if (at < 0) return [...headers, ['cookie', cookies]];
  return headers.map((h, i) => (i === at ? [h[0], `${h[1]}; ${cookies}`] : h));
}
