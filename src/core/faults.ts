/**
 * Simulations: the ways production streams fail, on demand, per connection. Each is data; the
 * engine applies it at one hook (before a request, on open, per chunk, per event) and records a
 * fault-injected entry when it starts and when it stops, so a capture shows what was simulated.
 */
import { checkHeader } from './config.js';
import type { HeaderPair } from './timeline.js';

export type Fault =
  /** The client gives up after this long without bytes; applies to the open attempt too. */
  | { kind: 'idle-timeout'; ms: number }
  /** Give up when response headers take longer than this; from the next attempt. */
  | { kind: 'connect-timeout'; ms: number }
  /** An intermediary cuts every connection this long after it opened. */
  | { kind: 'proxy-cut'; afterMs: number; preset: string | null }
  /** Cut the open connection now, as a network failure would. Instant: nothing to stop. */
  | { kind: 'drop' }
  /** Stop reading for this long: the server sees backpressure, the idle timeout may fire. */
  | { kind: 'stall'; ms: number }
  /** Deliver each event this much later than it arrived. */
  | { kind: 'latency'; ms: number }
  /** From the next reconnect on, send these headers instead of the configured ones with the same names. */
  | { kind: 'token-expiry'; headers: HeaderPair[] }
  /** Every attempt fails as a network error until this much time has passed. */
  | { kind: 'offline'; ms: number };

export type FaultKind = Fault['kind'];

/** Fault kinds that keep changing the connection until stopped (or until their duration passes); a drop is over at once. */
export const FAULT_KINDS_THAT_STAY_IN_FORCE: ReadonlySet<FaultKind> = new Set(['idle-timeout', 'connect-timeout', 'proxy-cut', 'stall', 'latency', 'token-expiry', 'offline']);

/** How long a simulation lasts before it stops by itself; null when it lasts until stopped. */
export function faultDurationMs(fault: Fault): number | null {
  return fault.kind === 'stall' || fault.kind === 'offline' ? fault.ms : null;
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/** What a fault does, in words, for its timeline entry. Header values are the caller's to mask. */
export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'idle-timeout':
      return `idle timeout set to ${seconds(fault.ms)}: the attempt ends after that long without a byte`;
    case 'connect-timeout':
      return `connect timeout set to ${seconds(fault.ms)} from the next attempt`;
    case 'proxy-cut':
      return `every connection is cut ${seconds(fault.afterMs)} after it opened${fault.preset ? ` (${fault.preset})` : ''}`;
    case 'drop':
      return 'the connection was cut as a network failure would';
    case 'stall':
      return `reading stopped for ${seconds(fault.ms)}`;
    case 'latency':
      return `each event is delivered ${seconds(fault.ms)} late`;
    case 'token-expiry':
      return `from the next reconnect on, the request sends ${fault.headers.map(([n]) => n).join(', ') || 'no'} header${fault.headers.length === 1 ? '' : 's'} changed`;
    case 'offline':
      return `the network is down for ${seconds(fault.ms)}: every attempt fails as a network error`;
  }
}

export function validateFault(fault: Fault): string | null {
  const positive = (ms: number, what: string) => (Number.isInteger(ms) && ms > 0 && ms <= 24 * 3600_000 ? null : `${what} must be a whole number of milliseconds between 1 and 86400000`);
  switch (fault.kind) {
    case 'idle-timeout':
    case 'connect-timeout':
    case 'stall':
    case 'latency':
    case 'offline':
      return positive(fault.ms, fault.kind);
    case 'proxy-cut':
      return positive(fault.afterMs, 'proxy cut');
    case 'drop':
      return null;
    case 'token-expiry':
      return fault.headers.map(([n, v]) => checkHeader(n, v)).find((m) => m !== null) ?? null;
  }
}
