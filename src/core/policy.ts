/**
 * Reconnect rules as data. The engine asks `nextDelay` what to wait before the next attempt;
 * client profiles (browser, polyfill, okhttp-eventsource, LDSwiftEventSource) are values of
 * ReconnectPolicy, not branches in the engine.
 */

export interface ReconnectPolicy {
  /** Delay before the first reconnect, until the server sends `retry:`. */
  initialDelayMs: number;
  /** Multiplier per consecutive failed attempt; 1 means a constant delay (the spec's behaviour). */
  backoffFactor: number;
  /** Upper bound of the backed-off delay. */
  maxDelayMs: number;
  /**
   * Fraction of the delay that is random: the delay is drawn from [d × (1 − jitter), d].
   * 0 gives exact delays; okhttp-eventsource uses 0.5.
   */
  jitter: number;
  /** An attempt that stayed open at least this long resets the backoff; null never resets. */
  backoffResetAfterMs: number | null;
  /** Give up after this many attempts in all (the first one included); null retries forever. */
  maxAttempts: number | null;
  /** Reconnect after a non-200 status other than 204 (the spec fails the connection instead). */
  retryOnHttpError: boolean;
}

/** WHATWG semantics: constant delay, no jitter, retry forever, fail on HTTP errors. Chromium's initial delay is 3 s. */
export const SPEC_POLICY: ReconnectPolicy = {
  initialDelayMs: 3000,
  backoffFactor: 1,
  maxDelayMs: 3000,
  jitter: 0,
  backoffResetAfterMs: null,
  maxAttempts: null,
  retryOnHttpError: false,
};

export interface DelayInput {
  /** The base delay now: the server's latest `retry:` or the policy's initial delay. */
  baseDelayMs: number;
  /** Whether baseDelayMs came from the server's `retry:` field. */
  fromServer: boolean;
  /** Consecutive attempts since the backoff was last reset, counting the one that just ended (≥ 1). */
  failures: number;
}

export interface Delay {
  delayMs: number;
  why: string;
}

export function nextDelay(policy: ReconnectPolicy, input: DelayInput, random: () => number): Delay {
  const source = input.fromServer ? `retry: ${input.baseDelayMs} ms from the server` : `initial delay ${input.baseDelayMs} ms`;
  let delay = input.baseDelayMs;
  let why = source;
  if (policy.backoffFactor > 1 && input.failures > 1) {
    const exponent = input.failures - 1;
    const raw = input.baseDelayMs * policy.backoffFactor ** exponent;
    delay = Math.min(raw, policy.maxDelayMs);
    why += ` × ${policy.backoffFactor}^${exponent} backoff`;
    if (raw > policy.maxDelayMs) why += `, capped at ${policy.maxDelayMs} ms`;
  }
  if (policy.jitter > 0) {
    const jittered = delay - delay * policy.jitter * random();
    why += `, jittered ${Math.round(delay)} → ${Math.round(jittered)} ms`;
    delay = jittered;
  }
  return { delayMs: Math.max(0, Math.round(delay)), why };
}
