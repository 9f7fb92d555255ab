/**
 * Simulations: the ways production streams fail, on demand, per connection. Each is data; the
 * engine applies it at one hook (before a request, on open, per chunk, per event) and records a
 * fault-injected entry when it starts and when it stops, so a capture shows what was simulated.
 */
import { checkHeader } from './config.js';
import type { ConnectionState, HeaderPair } from './timeline.js';

export type Fault =
  /** The client gives up after this long without bytes; applies to the open attempt too. */
  | { kind: 'idle-timeout'; ms: number }
  /** Give up when response headers take longer than this; from the next attempt. */
  | { kind: 'connect-timeout'; ms: number }
  /**
   * An intermediary cuts the connection after this long without a byte from the server (a
   * heartbeat comment resets it, as at an AWS ALB or nginx); `firstByteMs` is the window before
   * the response's first byte when it differs (Heroku's router).
   */
  | { kind: 'proxy-idle-timeout'; ms: number; firstByteMs: number | null; preset: string | null }
  /** An intermediary cuts every connection this long after it was made, whatever flows. */
  | { kind: 'max-connection-age'; ms: number; preset: string | null }
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
export const FAULT_KINDS_THAT_STAY_IN_FORCE: ReadonlySet<FaultKind> = new Set(['idle-timeout', 'connect-timeout', 'proxy-idle-timeout', 'max-connection-age', 'stall', 'latency', 'token-expiry', 'offline']);

type Phase = ConnectionState['phase'];
const RUNNING: readonly Phase[] = ['connecting', 'open', 'waiting'];
const IN_AN_ATTEMPT: readonly Phase[] = ['connecting', 'open'];

/**
 * Where each simulation means something. A drop cuts an attempt and a stall stops reading one, so
 * both need one in progress; the rest change the open attempt or the next one.
 */
const APPLIES_IN: Record<FaultKind, readonly Phase[]> = {
  'idle-timeout': RUNNING,
  'connect-timeout': RUNNING,
  'proxy-idle-timeout': RUNNING,
  'max-connection-age': RUNNING,
  drop: IN_AN_ATTEMPT,
  stall: IN_AN_ATTEMPT,
  latency: RUNNING,
  'token-expiry': RUNNING,
  offline: RUNNING,
};

const PHASE_WORDS: Record<Phase, string> = {
  connecting: 'connecting',
  open: 'open',
  waiting: 'waiting to reconnect',
  closed: 'closed',
};

/** Why this simulation cannot apply to a connection in this phase; null when it can. */
export function faultRefusal(kind: FaultKind, phase: Phase): string | null {
  return APPLIES_IN[kind].includes(phase) ? null : `${kind} needs ${APPLIES_IN[kind] === IN_AN_ATTEMPT ? 'an attempt in progress' : 'a running connection'}; the connection is ${PHASE_WORDS[phase]}`;
}

/** How long a simulation lasts before it stops by itself; null when it lasts until stopped. */
export function faultDurationMs(fault: Fault): number | null {
  return fault.kind === 'stall' || fault.kind === 'offline' ? fault.ms : null;
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
const presetWords = (preset: string | null) => (preset ? ` (${preset} preset)` : '');

/** Why the proxy cut the attempt, for its attempt-ended entry. */
export function proxyCutDetail(fault: Extract<Fault, { kind: 'proxy-idle-timeout' | 'max-connection-age' }>, beforeFirstByte: boolean): string {
  if (fault.kind === 'max-connection-age') return `maximum connection age ${seconds(fault.ms)}${presetWords(fault.preset)}`;
  return beforeFirstByte
    ? `proxy idle timeout: no response within ${seconds(fault.firstByteMs ?? fault.ms)}${presetWords(fault.preset)}`
    : `proxy idle timeout: no byte for ${seconds(fault.ms)}${presetWords(fault.preset)}`;
}

/** What a fault does, in words, for its timeline entry. Header values are the caller's to mask. */
export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'idle-timeout':
      return `idle timeout set to ${seconds(fault.ms)}: the attempt ends after that long without a byte`;
    case 'connect-timeout':
      return `connect timeout set to ${seconds(fault.ms)} from the next attempt`;
    case 'proxy-idle-timeout':
      return `proxy idle timeout set to ${seconds(fault.ms)}${fault.firstByteMs === null ? '' : ` (${seconds(fault.firstByteMs)} for the first byte)`}${presetWords(fault.preset)}: a connection is cut after that long without a byte from the server; every byte, a heartbeat included, resets it`;
    case 'max-connection-age':
      return `maximum connection age set to ${seconds(fault.ms)}${presetWords(fault.preset)}: every connection is cut that long after it was made, whatever flows`;
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

const presetName = (preset: string | null): string | null => (preset === null || (preset.length > 0 && preset.length <= 100) ? null : 'a preset name has 1 to 100 characters');

export function validateFault(fault: Fault): string | null {
  const positive = (ms: number, what: string) => (Number.isInteger(ms) && ms > 0 && ms <= 24 * 3600_000 ? null : `${what} must be a whole number of milliseconds between 1 and 86400000`);
  switch (fault.kind) {
    case 'idle-timeout':
    case 'connect-timeout':
    case 'stall':
    case 'latency':
    case 'offline':
      return positive(fault.ms, fault.kind);
    case 'proxy-idle-timeout':
      return positive(fault.ms, fault.kind) ?? (fault.firstByteMs === null ? null : positive(fault.firstByteMs, 'first-byte window')) ?? presetName(fault.preset);
    case 'max-connection-age':
      return positive(fault.ms, fault.kind) ?? presetName(fault.preset);
    case 'drop':
      return null;
    case 'token-expiry':
      return fault.headers.map(([n, v]) => checkHeader(n, v)).find((m) => m !== null) ?? null;
  }
}
