/**
 * Export with choices: which connections, which channels, which time range, what to redact. The
 * capture is built first and its `redactions` list is the preview a user sees before saving.
 */
import type { ConnectionConfig } from '../config.js';
import { isoTime } from '../describe.js';
import { maskHeaders, maskUrl, REDACTED } from '../secrets.js';
import type { TimelineEntry } from '../timeline.js';
import { buildCapture, type CaptureFile, type CaptureSource, type Redaction } from './format.js';

export interface ExportOptions {
  /** Mask secret headers and URL credentials (default). Off keeps the values the sources carry. */
  redactSecrets: boolean;
  /** Also replace every Last-Event-ID and event id with the redaction marker. */
  redactLastEventIds: boolean;
  /** Keep only events of these channels (lifecycle entries stay); null keeps all. */
  channels: readonly string[] | null;
  /** Keep only entries with from ≤ time ≤ to; null for no bound. */
  from: number | null;
  to: number | null;
}

export const DEFAULT_EXPORT: ExportOptions = { redactSecrets: true, redactLastEventIds: false, channels: null, from: null, to: null };

function keep(e: TimelineEntry, o: ExportOptions): boolean {
  if (o.from !== null && e.time < o.from) return false;
  if (o.to !== null && e.time > o.to) return false;
  if (e.kind === 'event' && o.channels !== null && !o.channels.includes(e.type)) return false;
  return true;
}

const marked = (id: string | null): string | null => (id === null || id === '' ? id : REDACTED);

/** The Last-Event-ID query parameter, parsed rather than searched for: URL encoding varies. */
function withoutQueryId(url: string, config: ConnectionConfig): string {
  if (config.lastEventIdTransport.mode !== 'query') return url;
  try {
    const u = new URL(url);
    if (!u.searchParams.has(config.lastEventIdTransport.param)) return url;
    u.searchParams.set(config.lastEventIdTransport.param, REDACTED);
    return u.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED);
  } catch {
    return url;
  }
}

/** Ids are not secrets by default, but they can carry user or tenant data; this removes them all. */
function withoutIds(e: TimelineEntry, config: ConnectionConfig): TimelineEntry {
  switch (e.kind) {
    case 'event':
      return { ...e, id: marked(e.id), lastEventId: marked(e.lastEventId) ?? '' };
    case 'attempt-started':
      return {
        ...e,
        lastEventId: marked(e.lastEventId),
        headers: e.headers.map(([n, v]) => [n, n.toLowerCase() === 'last-event-id' ? REDACTED : v]),
        url: withoutQueryId(e.url, config),
      };
    case 'response':
      return { ...e, url: withoutQueryId(e.url, config) };
    case 'reconnect-scheduled':
      return { ...e, lastEventId: marked(e.lastEventId) };
    case 'worker-restarted':
      return { ...e, detail: e.detail.replace(/Last-Event-ID .*$/, `Last-Event-ID ${REDACTED}`) };
    default:
      return e;
  }
}

/**
 * Entries written by our engine hold no secret, but a capture from elsewhere (imported, hand-made)
 * may: with redaction on, request and response headers and URLs are masked again.
 */
function masked(e: TimelineEntry, config: ConnectionConfig): TimelineEntry {
  if (e.kind !== 'attempt-started' && e.kind !== 'response') return e;
  return { ...e, url: maskUrl(e.url), headers: maskHeaders(e.headers, config.secretHeaders) };
}

export function exportCapture(sources: readonly CaptureSource[], toolVersion: string, options: ExportOptions = DEFAULT_EXPORT, now = new Date()): CaptureFile {
  const filtered = sources.map((s) => {
    let entries = s.entries.filter((e) => keep(e, options));
    if (options.redactSecrets) entries = entries.map((e) => masked(e, s.config));
    if (options.redactLastEventIds) entries = entries.map((e) => withoutIds(e, s.config));
    const config = options.redactLastEventIds ? { ...s.config, initialLastEventId: marked(s.config.initialLastEventId) } : s.config;
    return { ...s, config, entries };
  });
  const capture = buildCapture(filtered, toolVersion, now, { redactSecrets: options.redactSecrets });
  const extra: Redaction[] = [];
  if (options.redactLastEventIds) {
    capture.connections.forEach((_, i) => extra.push({ where: `connections[${i}].entries`, what: `event ids and Last-Event-IDs, shown as ${REDACTED}` }));
  }
  if (options.channels !== null) extra.push({ where: 'connections[*].entries', what: `only the channels ${options.channels.join(', ')} were exported (a filter, not a redaction)` });
  if (options.from !== null || options.to !== null) {
    extra.push({ where: 'connections[*].entries', what: `only entries from ${options.from === null ? 'the start' : isoTime(options.from)} to ${options.to === null ? 'the end' : isoTime(options.to)} were exported` });
  }
  return { ...capture, redactions: [...capture.redactions, ...extra] };
}
