/**
 * Every message between a panel and the background, in one place. Panels connect a runtime Port
 * named PANEL_PORT; the background answers `hello` with a snapshot of its connections, then sends
 * their retained entries in batches, then batches of new entries (by time, about a frame, and by
 * count), never one message per event.
 */
import type { ConnectionConfig, FieldError } from '../core/config.js';
import type { Fault, FaultKind } from '../core/faults.js';
import type { Settings } from '../core/settings.js';
import type { ConnectionStats } from '../core/fold.js';
import type { ConnectionState, HeaderPair, TimelineEntry } from '../core/timeline.js';

export type { ConnectionStats };

export const PANEL_PORT = 'sse-devtools-panel';

/** What a panel knows about a connection besides its entries. Secret header values are masked. */
export interface ConnectionInfo {
  id: string;
  label: string;
  config: ConnectionConfig;
  state: ConnectionState;
  stats: ConnectionStats;
  createdAt: number;
  /** Simulations in force; header values of token-expiry masked like any secret. */
  faults: Fault[];
}

/** The real values behind a connection's masks; url null when the background does not know the connection. */
export interface RevealedSecrets {
  url: string | null;
  headers: HeaderPair[];
  body: string | null;
}

export type PanelMessage =
  | { type: 'hello' }
  | { type: 'connect'; requestId: string; config: ConnectionConfig }
  | { type: 'disconnect'; connectionId: string }
  | { type: 'reconnect'; connectionId: string }
  | { type: 'remove'; connectionId: string }
  | { type: 'fault'; connectionId: string; fault: Fault }
  | { type: 'stop-fault'; connectionId: string; kind: FaultKind }
  /** The real URL and header values behind the masks, for "reveal" in copy as code. */
  | { type: 'get-secrets'; requestId: string; connectionId: string }
  | { type: 'settings'; settings: Settings };

export type BackgroundMessage =
  /** The connections; their retained entries follow as batches. */
  | { type: 'snapshot'; connections: ConnectionInfo[]; settings: Settings }
  | {
      type: 'batch';
      entries: TimelineEntry[];
      /** Connections whose state or stats changed since the last batch. */
      connections: ConnectionInfo[];
      /** Entries with seq below `beforeSeq` were dropped by the retention cap. */
      trims: { connectionId: string; beforeSeq: number }[];
    }
  | { type: 'connect-result'; requestId: string; connectionId: string | null; errors: FieldError[] }
  | { type: 'removed'; connectionId: string }
  | ({ type: 'secrets'; requestId: string } & RevealedSecrets)
  | { type: 'settings'; settings: Settings };

export function isPanelMessage(value: unknown): value is PanelMessage {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
