/**
 * What happens once an attempt has ended: stop, or reconnect after how long. Pure: the policy, the
 * attempt's outcome and the backoff so far in, a decision out (src/core/policy.ts computes delays).
 */
import { nextDelay, type ReconnectPolicy } from '../policy.js';
import type { EndReason } from '../timeline.js';

/** Reasons after which the spec (and the engine by default) does not reconnect. */
const FINAL_REASONS: ReadonlySet<EndReason> = new Set(['no-content', 'bad-content-type', 'closed-by-user']);

export interface EndedAttempt {
  reason: EndReason;
  /** Attempts this engine has made, the ended one included (a resumed connection counts from its first). */
  attemptsMade: number;
  /** When the stream opened (response accepted); null if it never did. */
  openedAt: number | null;
  endedAt: number;
}

export interface Backoff {
  /** Consecutive attempts since the backoff was last reset, the last ended one included. */
  failures: number;
  /** Whether a long-lived attempt has reset the backoff since the connection began. */
  everReset: boolean;
}

export const NO_BACKOFF_YET: Backoff = { failures: 0, everReset: false };

export type AfterAttempt =
  | { next: 'stop'; why: string }
  | { next: 'reconnect'; delayMs: number; why: string; backoff: Backoff };

/**
 * `retryMs` is the server's last `retry:` value (null if none); `random` is drawn at most once,
 * for jitter.
 */
export function decideAfterAttempt(
  policy: ReconnectPolicy,
  ended: EndedAttempt,
  backoff: Backoff,
  retryMs: number | null,
  random: () => number,
): AfterAttempt {
  const why = reasonToStop(policy, ended.reason, ended.attemptsMade);
  if (why !== null) return { next: 'stop', why };
  // Only an attempt that opened and lived long enough resets the backoff.
  const reset = ended.openedAt !== null && policy.backoffResetAfterMs !== null && ended.endedAt - ended.openedAt >= policy.backoffResetAfterMs;
  const next: Backoff = { failures: reset ? 1 : backoff.failures + 1, everReset: backoff.everReset || reset };
  const delay = nextDelay(policy, { baseDelayMs: retryMs ?? policy.initialDelayMs, fromServer: retryMs !== null, failures: next.failures, everReset: next.everReset }, random);
  return { next: 'reconnect', delayMs: delay.delayMs, why: delay.why, backoff: next };
}

/** Why the connection stops after an attempt that ended so, or null when it reconnects. */
export function reasonToStop(policy: ReconnectPolicy, reason: EndReason, attemptsMade: number): string | null {
  if (reason === 'closed-by-user') return 'closed by the user';
  if (FINAL_REASONS.has(reason) && !(reason === 'no-content' && policy.retryOnNoContent)) return `${reason}: the spec does not reconnect after this`;
  if (reason === 'http-error' && !policy.retryOnHttpError) return 'http-error: the spec does not reconnect after a non-200 status';
  if (policy.maxAttempts !== null && attemptsMade >= policy.maxAttempts) {
    return `gave up after ${attemptsMade} attempt${attemptsMade === 1 ? '' : 's'} (the maximum)`;
  }
  return null;
}
