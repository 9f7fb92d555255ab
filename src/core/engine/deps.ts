import { MAX_TIMER_MS } from '../config.js';

/** Everything the engine takes from its host; injectable so reconnect rules can be tested with a fake clock. */
export interface EngineDeps {
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  random: () => number;
}

export const realDeps: EngineDeps = {
  // Wrapped: a service worker's fetch throws "Illegal invocation" when called detached from globalThis.
  fetch: (input, init) => fetch(input, init),
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(ms, MAX_TIMER_MS)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};
