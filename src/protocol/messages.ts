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
import type { ConnectionState, EventEntry, FramingNote, HeaderPair, TimelineEntry } from '../core/timeline.js';
import type { ObservedOrigin } from '../core/observe/observed-stream.js';

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
  /** Set for a stream the inspected page opened (observed, read-only): where it was seen. */
  observed?: ObservedOrigin;
}

/** What the background made of a tab's drains so far: records accepted, not valid, over the tab's rate, dropped by the hook. */
export interface ObservedIntake {
  tabId: number;
  accepted: number;
  invalid: number;
  limited: number;
  hookDropped: number;
  /** Cut by the panel from drains too large to forward. */
  cut: number;
}

/** The real values behind a connection's masks; url null when the background does not know the connection. */
export interface RevealedSecrets {
  url: string | null;
  headers: HeaderPair[];
  body: string | null;
  /** An observed request whose body the page's hook read only in part: `body` is that part. */
  bodyCut: boolean;
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
  | { type: 'settings'; settings: Settings }
  /**
   * A drain of the hook in the inspected tab's page, forwarded by that tab's panel. `drain` is
   * the page's, so hostile: the background checks it (src/core/observe/records.ts).
   */
  /**
   * `cut`: records the panel cut from an oversized drain, per stream id (src/extension/panel/drain-cap.ts).
   * `doc`: the hook's `since`, which names the document the drain came from.
   */
  | { type: 'observed'; tabId: number; pageUrl: string; drain: unknown; cut?: [string, number][]; doc?: number }
  /**
   * The inspected tab's top document is another one now (the panel's poll saw the hook's `since`
   * change, or no hook where there was one: null): the streams of the one before end with it.
   */
  | { type: 'observed-document'; tabId: number; doc: number | null }
  /** Complete capture of the inspected tab on or off (Chromium: the debugger; the panel explained the bar first). */
  | { type: 'complete-capture'; tabId: number; on: boolean; pageUrl: string }
  /**
   * The hook in the inspected tab's iframes: `on`, sent with every poll, drains them (and puts the
   * hook into frames that lack it, and into each frame as it commits); off stops both.
   */
  | { type: 'observe-frames'; tabId: number; pageUrl: string; on: boolean }
  /** Firefox: open the grant tab for an iframe's site (a Firefox panel cannot ask for permissions). */
  | { type: 'grant-frame-access'; url: string };

/**
 * One iframe of the observed tab, as the background's last drain found it: `hooked` from its start,
 * `late` (the hook came after the frame's first script: streams opened before it are not seen),
 * `no-access` (the extension may not run scripts there: `detail` says why), `failed` (the drain threw).
 */
export interface ObservedFrame {
  url: string;
  state: 'hooked' | 'late' | 'no-access' | 'failed';
  detail: string;
}

export type BackgroundMessage =
  /** The connections; their retained entries follow as batches. */
  | { type: 'snapshot'; connections: ConnectionInfo[]; settings: Settings }
  | {
      type: 'batch';
      entries: EntryColumns;
      /** Connections whose state or stats changed since the last batch. */
      connections: ConnectionInfo[];
      /** Entries with seq below `beforeSeq` were dropped by the retention cap. */
      trims: { connectionId: string; beforeSeq: number }[];
    }
  | { type: 'connect-result'; requestId: string; connectionId: string | null; errors: FieldError[] }
  | { type: 'removed'; connectionId: string }
  | ({ type: 'secrets'; requestId: string } & RevealedSecrets)
  | { type: 'settings'; settings: Settings }
  | ({ type: 'observed-intake' } & ObservedIntake)
  /** Complete capture of a tab is on or off; `why` when it went off without being asked (Cancel on Chrome's bar) or could not start. */
  | { type: 'complete-capture-state'; tabId: number; on: boolean; why: string | null }
  /** The observed tab's iframes, sent when what the drains found changes. */
  | { type: 'observed-frames'; tabId: number; frames: ObservedFrame[] };

export function isPanelMessage(value: unknown): value is PanelMessage {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/**
 * A batch's entries on the wire: events as one array per field, the rarer lifecycle entries whole.
 *
 * Chrome's runtime Port serializes every message with JSON.stringify and parses it in the panel
 * (the MV3 default; structured clone only for extensions that opt in, from Chrome 148), so what a
 * batch costs is its JSON. As objects, each 100 B event repeats ten key names and its connection id,
 * about as many bytes as its data; as columns it carries its values and an index into `strings`
 * for those that repeat (connection ids, channels). The panel then allocates what it keeps, one
 * entry object per row, rather than parse objects it would rebuild. One JSON string per batch was
 * the slowest of all: Chrome stringifies it again, escaping every quote of every event.
 */
export interface EntryColumns {
  count: number;
  /** Strings the columns below point into. */
  strings: string[];
  connection: number[];
  type: number[];
  attempt: number[];
  seq: number[];
  time: number[];
  id: (string | null)[];
  /** null when the same as the event's id, as it is whenever the event has one. */
  lastEventId: (string | null)[];
  data: string[];
  size: number[];
  /** The read that brought each event (the doctor tells bursts by it); null when not known. */
  read: (number | null)[];
  /** Framing notes, rare: each with the position of its event among all the batch's entries. */
  framing: [at: number, notes: FramingNote[]][];
  /** Entries other than events, each with its position among all the batch's entries, in order. */
  others: [at: number, entry: Exclude<TimelineEntry, EventEntry>][];
}

export function encodeEntries(entries: readonly TimelineEntry[]): EntryColumns {
  const c: EntryColumns = { count: entries.length, strings: [], connection: [], type: [], attempt: [], seq: [], time: [], id: [], lastEventId: [], data: [], size: [], read: [], framing: [], others: [] };
  const index = new Map<string, number>();
  const intern = (value: string): number => {
    let i = index.get(value);
    if (i === undefined) {
      i = c.strings.push(value) - 1;
      index.set(value, i);
    }
    return i;
  };
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.kind !== 'event') {
      c.others.push([i, e]);
      continue;
    }
    c.connection.push(intern(e.connectionId));
    c.type.push(intern(e.type));
    c.attempt.push(e.attempt);
    c.seq.push(e.seq);
    c.time.push(e.time);
    c.id.push(e.id);
    c.lastEventId.push(e.lastEventId === e.id ? null : e.lastEventId);
    c.data.push(e.data);
    c.size.push(e.size);
    c.read.push(e.read ?? null);
    if (e.framing) c.framing.push([i, e.framing]);
  }
  return c;
}

/**
 * Entries `from` (inclusive) to `to` (exclusive) of a batch, as the objects they were, so a large
 * batch can be turned into entries a slice at a time.
 */
export function decodeEntries(c: EntryColumns, from = 0, to = c.count): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  let other = 0;
  while (other < c.others.length && c.others[other]![0] < from) other++;
  // Events before `from` are the positions before it that are not other entries.
  let event = from - other;
  let framing = 0;
  while (framing < c.framing.length && c.framing[framing]![0] < from) framing++;
  for (let at = from; at < to; at++) {
    const next = c.others[other];
    if (next && next[0] === at) {
      out.push(next[1]);
      other++;
      continue;
    }
    const id = c.id[event] ?? null;
    const read = c.read[event] ?? null;
    const notes = c.framing[framing]?.[0] === at ? c.framing[framing++]![1] : null;
    const entry: EventEntry = {
      connectionId: c.strings[c.connection[event]!]!,
      attempt: c.attempt[event]!,
      seq: c.seq[event]!,
      time: c.time[event]!,
      kind: 'event',
      type: c.strings[c.type[event]!]!,
      id,
      lastEventId: c.lastEventId[event] ?? id ?? '',
      data: c.data[event]!,
      size: c.size[event]!,
    };
    // Set in place, not spread: this runs once per event of every batch.
    if (read !== null) entry.read = read;
    if (notes !== null) entry.framing = notes;
    out.push(entry);
    event++;
  }
  return out;
}
