import { MAX_TIMER_MS } from '../config.js';
import type { HeaderPair } from '../timeline.js';

/** One request as the engine wants it sent; `headers` includes those a browser's fetch would drop. */
export interface OutgoingRequest {
  url: string;
  headers: HeaderPair[];
  init: RequestInit & { credentials: RequestCredentials };
}

/** What the host learnt about the headers that went out. */
export interface SentObservation {
  /** As sent, in order; null when the host could not see them (then `detail` says why). */
  headers: HeaderPair[] | null;
  detail: string;
}

/** A request in flight, and what the host can tell about it beyond fetch's Response. */
export interface Exchange {
  response: Promise<Response>;
  /** Settles once the host knows, before or after the response; it must settle for every request that got a response. */
  sent: Promise<SentObservation>;
  /** The response's Set-Cookie values, which a browser's fetch hides from `response.headers`. */
  setCookies(response: Response): Promise<string[]>;
}

/** Everything the engine takes from its host; injectable so reconnect rules can be tested with a fake clock. */
export interface EngineDeps {
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  random: () => number;
  /**
   * How a request is sent. A browser host sends what fetch forbids by its own means and observes
   * the headers that really went out; without one, fetch gets every header and the entry says the
   * headers are as configured, not observed.
   */
  send?: (request: OutgoingRequest) => Exchange;
}

/** Node's fetch sends forbidden headers as given but adds its own, which no one here can see. */
const NOT_OBSERVED = "headers as configured (not observed): the HTTP client may add its own (Node's fetch adds user-agent, accept-language, sec-fetch-mode, accept-encoding)";

/** `send` for a host that has only fetch. */
export function sendWithFetch(fetchFn: EngineDeps['fetch'], request: OutgoingRequest): Exchange {
  return {
    response: fetchFn(request.url, { ...request.init, headers: request.headers }),
    sent: Promise.resolve({ headers: null, detail: NOT_OBSERVED }),
    // Node's Headers keeps each Set-Cookie apart (getSetCookie); a browser's hides them all.
    setCookies: (response) => Promise.resolve(response.headers.getSetCookie?.() ?? []),
  };
}

export const realDeps: EngineDeps = {
  // Wrapped: a service worker's fetch throws "Illegal invocation" when called detached from globalThis.
  fetch: (input, init) => fetch(input, init),
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(ms, MAX_TIMER_MS)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};
