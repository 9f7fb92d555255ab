/**
 * What a connection does right now: its config with the simulations in force laid over it. One
 * pure function, so "what does this fault change, and what comes back when it stops" is answered
 * in one place instead of by a pair of mirrored switches.
 */
import type { ConnectionConfig } from '../config.js';
import type { Fault } from '../faults.js';
import type { EndReason, HeaderPair } from '../timeline.js';

/** A lasting simulation and when it began: durations count from there. */
export interface FaultInForce {
  fault: Fault;
  since: number;
}

export type ProxyIdleTimeout = Extract<Fault, { kind: 'proxy-idle-timeout' }>;
export type MaxConnectionAge = Extract<Fault, { kind: 'max-connection-age' }>;

export interface Settings {
  /** No bytes for this long ends the open attempt; null waits forever. */
  idleTimeoutMs: number | null;
  /** No response headers within this long ends the attempt; null waits forever. */
  connectTimeoutMs: number | null;
  /** An intermediary cuts the connection after silence (reset by every byte); null for none. */
  proxyIdle: ProxyIdleTimeout | null;
  /** An intermediary cuts each connection this long after it was made, whatever flows; null for none. */
  maxAge: MaxConnectionAge | null;
  /** Reading stops until this time (epoch ms); 0 when not stalled. */
  stallUntil: number;
  /** Each event is delivered this much later than it arrived. */
  latencyMs: number;
  /** Every attempt fails as a network error until this time (epoch ms); 0 when online. */
  offlineUntil: number;
  /** Headers sent instead of the configured ones with the same names; null sends the config's. */
  headerOverride: readonly HeaderPair[] | null;
}

export function effectiveSettings(config: ConnectionConfig, faults: Iterable<FaultInForce>): Settings {
  const settings: Settings = {
    idleTimeoutMs: config.idleTimeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    proxyIdle: null,
    maxAge: null,
    stallUntil: 0,
    latencyMs: 0,
    offlineUntil: 0,
    headerOverride: null,
  };
  for (const { fault, since } of faults) {
    switch (fault.kind) {
      case 'idle-timeout':
        settings.idleTimeoutMs = fault.ms;
        break;
      case 'connect-timeout':
        settings.connectTimeoutMs = fault.ms;
        break;
      case 'proxy-idle-timeout':
        settings.proxyIdle = fault;
        break;
      case 'max-connection-age':
        settings.maxAge = fault;
        break;
      case 'stall':
        settings.stallUntil = since + fault.ms;
        break;
      case 'latency':
        settings.latencyMs = fault.ms;
        break;
      case 'token-expiry':
        settings.headerOverride = fault.headers;
        break;
      case 'offline':
        settings.offlineUntil = since + fault.ms;
        break;
      case 'drop':
        // Instant (see interruption): nothing stays in force.
        break;
    }
  }
  return settings;
}

/** How a fault ends the open attempt the moment it is injected, if it does. */
export function interruption(fault: Fault): { reason: EndReason; detail: string } | null {
  switch (fault.kind) {
    case 'drop':
      return { reason: 'fault', detail: 'simulated network drop: a real client sees the connection fail as a network error' };
    case 'offline':
      return { reason: 'network-error', detail: 'simulated offline: the network went down' };
    default:
      return null;
  }
}
