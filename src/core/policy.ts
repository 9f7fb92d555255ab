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
  /** Reconnect after 204 No Content (the spec stops; okhttp-eventsource treats 204 as an empty stream). */
  retryOnNoContent?: boolean;
  /** Cap the backed-off delay at this multiple of the base delay too (the EventSource polyfill: 16). */
  maxDelayMultiple?: number | null;
  /**
   * The first run of backoff, before any reset, starts one doubling in (LDSwiftEventSource counts
   * the attempt before computing the delay, so its first retry is already doubled).
   */
  backoffStartsDoubled?: boolean;
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
  /** Whether a long-lived attempt has reset the backoff since the connection began. */
  everReset?: boolean;
}

export interface Delay {
  delayMs: number;
  why: string;
}

export function nextDelay(policy: ReconnectPolicy, input: DelayInput, random: () => number): Delay {
  const source = input.fromServer ? `retry: ${input.baseDelayMs} ms from the server` : `initial delay ${input.baseDelayMs} ms`;
  let delay = input.baseDelayMs;
  let why = source;
  const exponent = input.failures - 1 + (policy.backoffStartsDoubled && !input.everReset ? 1 : 0);
  if (policy.backoffFactor > 1 && exponent > 0) {
    const raw = input.baseDelayMs * policy.backoffFactor ** exponent;
    const cap = Math.min(policy.maxDelayMs, policy.maxDelayMultiple ? input.baseDelayMs * policy.maxDelayMultiple : Infinity);
    delay = Math.min(raw, cap);
    why += ` × ${policy.backoffFactor}^${exponent} backoff`;
    if (raw > cap) why += `, capped at ${cap} ms`;
  }
  if (policy.jitter > 0) {
    const jittered = delay - delay * policy.jitter * random();
    why += `, jittered ${Math.round(delay)} → ${Math.round(jittered)} ms`;
    delay = jittered;
  }
  return { delayMs: Math.max(0, Math.round(delay)), why };
}
