/**
 * Every size, count and range the tool accepts, in one place. The same numbers are checked on the
 * way in (a stream, the connect form, a file) and on the way out (an export), so whatever the tool
 * writes it can open again. docs/capture-format.md states them for people.
 */

const MiB = 1024 * 1024;
const KiB = 1024;

export const LIMITS = {
  /** The largest capture (or HAR) file the importer accepts, in bytes: also the largest the tool may write. */
  captureFileBytes: 256 * MiB,
  connectionsPerFile: 1000,
  entriesPerConnection: 1_000_000,
  /**
   * Entries in a whole file, however they are split between connections: what an import may build
   * in memory. A HAR's few bodies can expand into tens of millions of entries.
   */
  entriesPerFile: 2_000_000,
  /** Characters of event data and comment text in a whole file (a HAR's bodies are decoded first). */
  dataCharsPerFile: 256 * MiB,
  /**
   * One event's data (or one comment), in characters (UTF-16 code units, what eventsource-parser
   * buffers and what a string's length counts).
   */
  eventDataChars: 16 * MiB,
  /** An event's id and type, and every other short text: header names and values, details, reasons. */
  textChars: 64 * KiB,
  /**
   * A request body as an attempt-started entry shows it (an MCP POST's JSON-RPC message): cut
   * beyond, as the page hook cuts what it reports. The connection's config keeps the whole body.
   */
  requestBodyChars: 64 * KiB,
  /** A URL the user enters. */
  formUrlChars: 16 * KiB,
  /**
   * A URL in a capture: the entered one plus a Last-Event-ID sent as a query parameter
   * (percent-encoded, up to 9 characters per character of the id), or a redirect's target.
   */
  urlChars: 1 * MiB,
  /** Headers of one request or response in a capture. */
  headers: 256,
  /** Headers the user may enter: room is left for Accept and Last-Event-ID, which the engine adds. */
  formHeaders: 250,
  redactions: 100_000,
  /** Bytes kept of a response that is not a stream (a 401's JSON, an HTML login page): enough to read, too little to hurt. */
  failureBodyBytes: 64 * KiB,
  /** How long such a body may take to arrive (ms), so a server that trickles cannot hold an attempt open. */
  failureBodyMs: 3000,
  /** Times (epoch ms) a capture may hold: any real clock, and far from where Date and float seconds break. */
  timeMin: Date.UTC(2000, 0, 1),
  timeMax: Date.UTC(2200, 0, 1),
} as const;

/** The longest duration a capture may hold (ms): the whole accepted time range. */
export const MAX_SPAN_MS = LIMITS.timeMax - LIMITS.timeMin;

export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB`;
}

export const count = (n: number): string => n.toLocaleString('en-US');

/** Why a dispatched event cannot be kept, for the attempt's end detail. */
export function eventTooLarge(message: { data: string; id?: string | undefined; event?: string | undefined }): string {
  if (message.data.length > LIMITS.eventDataChars) return `an event's data exceeded ${count(LIMITS.eventDataChars)} characters (${mib(LIMITS.eventDataChars)})`;
  if ((message.id?.length ?? 0) > LIMITS.textChars) return `an event's id exceeded ${count(LIMITS.textChars)} characters`;
  return `an event's type exceeded ${count(LIMITS.textChars)} characters`;
}
