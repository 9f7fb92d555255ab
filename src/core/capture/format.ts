/**
 * The capture file, version 1: what a connection did, as one JSON document that can be shared.
 * docs/capture-format.md describes it for people; schema.ts checks it; this module builds it.
 */
import type { ConnectionConfig } from '../config.js';
import { isSecretHeader, maskHeaderValue, maskUrl, REDACTED } from '../secrets.js';
import { summarizeAttempts, type AttemptSummary } from '../fold.js';
import type { HeaderPair, TimelineEntry } from '../timeline.js';
import type { ObservedOrigin } from '../observe/observed-stream.js';

// The summaries are the connection fold's: derived once, in one place, for every reader.
export { summarizeAttempts };

export const CAPTURE_FORMAT = 'sse-devtools-capture';
export const CAPTURE_VERSION = 1;
export const TOOL_NAME = 'sse-devtools';

export interface CaptureFile {
  format: typeof CAPTURE_FORMAT;
  version: typeof CAPTURE_VERSION;
  tool: { name: string; version: string };
  /** ISO 8601. */
  createdAt: string;
  /** Every value that was removed, so a reader knows the capture is not verbatim. */
  redactions: Redaction[];
  connections: CapturedConnection[];
}

export interface Redaction {
  /** Where, e.g. "connections[0].config.headers[1]" or "connections[0].entries[*] header authorization". */
  where: string;
  what: string;
}

export interface CapturedConnection {
  id: string;
  config: ConnectionConfig;
  attempts: AttemptSummary[];
  entries: TimelineEntry[];
  /** A stream the inspected page opened, observed (read-only): where it was seen. Absent for the lab's own. */
  observed?: ObservedOrigin;
  /** The lens the user picked by hand (a lens name, or "none"); absent when it was detected. Untrusted on read: unknown names are ignored. */
  lens?: string;
}

/**
 * A config fit to leave the machine: secret header values, credential query parameters and a body
 * marked secret masked. Entries need no such pass: the engine masks every secret value it knows
 * before it writes an entry.
 */
export function redactConfig(config: ConnectionConfig, where: string, redactions: Redaction[]): ConnectionConfig {
  const headers = config.headers.map(([name, value], i): HeaderPair => {
    if (!isSecretHeader(name, config.secretHeaders) || value === '') return [name, value];
    redactions.push({ where: `${where}.headers[${i}]`, what: `value of ${name}` });
    return [name, maskHeaderValue(name, value)];
  });
  let body = config.body;
  if (config.secretBody && body !== null && body !== '') {
    redactions.push({ where: `${where}.body`, what: 'the request body, marked secret' });
    body = REDACTED;
  }
  const url = maskUrl(config.url);
  // A URL masked before it got here (the panel only ever holds masked ones) still counts.
  if (url.includes(REDACTED)) redactions.push({ where: `${where}.url`, what: 'credentials in the URL (query parameters or password)' });
  return { ...config, url, headers, body, reconnect: { ...config.reconnect } };
}

/** Any text of the entry, headers included: the engine masks echoed secrets in data, ids and details too. */
export function hasMaskedValue(e: TimelineEntry): boolean {
  for (const value of Object.values(e)) {
    if (typeof value === 'string' ? value.includes(REDACTED) : Array.isArray(value) && value.some((pair) => Array.isArray(pair) && pair.some((v) => typeof v === 'string' && v.includes(REDACTED)))) return true;
  }
  return false;
}

export interface CaptureSource {
  id: string;
  config: ConnectionConfig;
  entries: readonly TimelineEntry[];
  observed?: ObservedOrigin;
  lens?: string;
}

/**
 * `redactSecrets: false` keeps the config's values as given: only for a user who opted in, with
 * configs that carry the real values (the panel asks the background for them).
 */
export function buildCapture(sources: readonly CaptureSource[], toolVersion: string, now = new Date(), options: { redactSecrets: boolean } = { redactSecrets: true }): CaptureFile {
  const redactions: Redaction[] = [];
  const connections = sources.map((source, i): CapturedConnection => {
    const where = `connections[${i}]`;
    const entries = [...source.entries];
    if (entries.some(hasMaskedValue)) {
      redactions.push({ where: `${where}.entries`, what: `secret header values, URL credentials and known secret values echoed by the server, shown as ${REDACTED}` });
    }
    const config = options.redactSecrets ? redactConfig(source.config, `${where}.config`, redactions) : { ...source.config, reconnect: { ...source.config.reconnect } };
    const observed = source.observed && { ...source.observed, pageUrl: maskUrl(source.observed.pageUrl), frameUrl: maskUrl(source.observed.frameUrl) };
    return { id: source.id, config, attempts: summarizeAttempts(entries), entries, ...(observed ? { observed } : {}), ...(source.lens !== undefined ? { lens: source.lens } : {}) };
  });
  return {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    tool: { name: TOOL_NAME, version: toolVersion },
    createdAt: now.toISOString(),
    redactions,
    connections,
  };
}

export function serializeCapture(capture: CaptureFile): string {
  return `${JSON.stringify(capture, null, 2)}\n`;
}
