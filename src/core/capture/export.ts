/**
 * Export with choices: which connections, which channels, which time range, what to redact. The
 * capture is built first and its `redactions` list is the preview a user sees before saving.
 */
import type { ConnectionConfig } from '../config.js';
import { isoTime } from '../describe.js';
import { createMasker, maskEntryBody, maskHeaders, maskUrl, REDACTED } from '../secrets.js';
import type { TimelineEntry } from '../timeline.js';
import { buildCapture, redactConfig, type CaptureFile, type CaptureSource, type Redaction } from './format.js';
import { describeFinding, redactConfigTokens, redactEntryTokens, scanForTokens, type TokenKind, type TokenScan } from './token-scan.js';

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
  /** Also mask the URL parts tokenLikeUrlParts finds, wherever they appear (default: only listed). */
  redactTokenLikeUrlParts?: boolean;
  /** Replace the token-looking values scanForTokens finds, of these kinds (default: none). */
  redactTokenKinds?: readonly TokenKind[];
}

const DEFAULT_EXPORT: ExportOptions = { redactSecrets: true, redactLastEventIds: false, channels: null, from: null, to: null };

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
    case 'request-sent':
      return { ...e, headers: e.headers.map(([n, v, source]) => [n, n.toLowerCase() === 'last-event-id' ? REDACTED : v, source]) };
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
  if (e.kind === 'request-sent') {
    const secret = config.secretHeaders;
    return { ...e, headers: e.headers.map(([n, v, source]) => [...maskHeaders([[n, v]], secret)[0]!, source]), dropped: maskHeaders(e.dropped, secret) };
  }
  if (e.kind === 'attempt-started' && e.body !== undefined && e.body !== '' && config.secretBody) {
    return { ...e, url: maskUrl(e.url), headers: maskHeaders(e.headers, config.secretHeaders), body: REDACTED };
  }
  if (e.kind !== 'attempt-started' && e.kind !== 'response') return e;
  return { ...e, url: maskUrl(e.url), headers: maskHeaders(e.headers, config.secretHeaders) };
}

/** A part of a URL that looks like a credential although nothing marked it secret. */
export interface TokenLikePart {
  /** Index of the source it was found in. */
  connection: number;
  /** "path segment" or "query parameter NAME". */
  part: string;
  /** As it appears in the URL (percent-encoded where the URL encodes it). */
  value: string;
  shape: 'JWT' | 'hex' | 'base64url';
}

const JWT = /^eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$/;
const HEX = /^[0-9a-f]{20,}$/i;
const BASE64URL = /^[A-Za-z0-9_+/-]{20,}={0,2}$/;

/**
 * JWT-shaped, or 20+ characters of hex or base64(url) mixing letters and digits (base64 also both
 * cases): random enough to be a key. Words, dates, numbers and UUIDs do not qualify.
 */
function tokenShape(value: string): TokenLikePart['shape'] | null {
  if (JWT.test(value)) return 'JWT';
  const digits = /[0-9]/.test(value);
  if (HEX.test(value) && digits && /[a-f]/i.test(value)) return 'hex';
  if (BASE64URL.test(value) && digits && /[a-z]/.test(value) && /[A-Z]/.test(value)) return 'base64url';
  return null;
}

function decoded(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * Path segments and query values that look like tokens, in every URL of the sources (settings,
 * requests, redirects), once per connection and value. Masking only knows the secrets it was told
 * about; these are for the user to judge before sharing a file.
 */
export function tokenLikeUrlParts(sources: readonly CaptureSource[]): TokenLikePart[] {
  const found: TokenLikePart[] = [];
  sources.forEach((source, connection) => {
    const seen = new Set<string>();
    const idParam = source.config.lastEventIdTransport.mode === 'query' ? source.config.lastEventIdTransport.param : null;
    const urls = new Set([source.config.url]);
    for (const e of source.entries) if (e.kind === 'attempt-started' || e.kind === 'response') urls.add(e.url);
    for (const url of urls) {
      let u: URL;
      try {
        // Credential parameters are the "redact secrets" choice's; these are the ones nothing knew.
        u = new URL(maskUrl(url));
      } catch {
        continue;
      }
      const parts: [string, string][] = u.pathname.split('/').map((s) => ['path segment', s]);
      for (const pair of u.search.slice(1).split('&')) {
        const eq = pair.indexOf('=');
        if (eq < 0) continue;
        const name = decoded(pair.slice(0, eq));
        // The Last-Event-ID travels there: an id, which the "redact event ids" choice covers.
        if (name !== idParam) parts.push([`query parameter ${name}`, pair.slice(eq + 1)]);
      }
      for (const [part, value] of parts) {
        const shape = value.includes(REDACTED) || value.includes(encodeURIComponent(REDACTED)) ? null : tokenShape(decoded(value));
        if (shape === null || seen.has(value)) continue;
        seen.add(value);
        found.push({ connection, part, value, shape });
      }
    }
  });
  return found;
}

/** How the preview names a token-like part without printing it whole. */
export function describeTokenLike(t: TokenLikePart): string {
  return `${t.part} ${t.value.slice(0, 6)}… (${t.value.length} characters, ${t.shape}-shaped)`;
}

export function exportCapture(sources: readonly CaptureSource[], toolVersion: string, options: ExportOptions = DEFAULT_EXPORT, now = new Date()): CaptureFile {
  return prepareExport(sources, toolVersion, options, now).capture;
}

/**
 * The capture to write, and the token-looking values found in what it exports (after the chosen
 * filters and secret masking, before their own redaction): the export preview shows both.
 */
export function prepareExport(sources: readonly CaptureSource[], toolVersion: string, options: ExportOptions = DEFAULT_EXPORT, now = new Date()): { capture: CaptureFile; tokens: TokenScan } {
  const tokenLike = tokenLikeUrlParts(sources);
  const tokenKinds = new Set(options.redactTokenKinds ?? []);
  const scanned: CaptureSource[] = [];
  const filtered = sources.map((s, i) => {
    let entries = s.entries.filter((e) => keep(e, options));
    let config = s.config;
    const mask = options.redactTokenLikeUrlParts ? createMasker(tokenLike.filter((t) => t.connection === i).flatMap((t) => [t.value, decoded(t.value)])) : null;
    if (mask !== null) {
      entries = entries.map((e) => maskEntryBody(e, mask));
      config = { ...config, url: mask(config.url) };
    }
    if (options.redactSecrets) entries = entries.map((e) => masked(e, s.config));
    if (options.redactLastEventIds) entries = entries.map((e) => withoutIds(e, s.config));
    if (options.redactLastEventIds) config = { ...config, initialLastEventId: marked(config.initialLastEventId) };
    scanned.push({ ...s, config: options.redactSecrets ? redactConfig(config, '', []) : config, entries });
    if (tokenKinds.size > 0) {
      entries = entries.map((e) => redactEntryTokens(e, tokenKinds));
      config = redactConfigTokens(config, tokenKinds);
    }
    return { ...s, config, entries };
  });
  const tokens = scanForTokens(scanned);
  const capture = buildCapture(filtered, toolVersion, now, { redactSecrets: options.redactSecrets });
  const extra: Redaction[] = [];
  if (options.redactLastEventIds) {
    capture.connections.forEach((_, i) => extra.push({ where: `connections[${i}].entries`, what: `event ids and Last-Event-IDs, shown as ${REDACTED}` }));
  }
  if (options.redactTokenLikeUrlParts) {
    for (const t of tokenLike) extra.push({ where: `connections[${t.connection}]`, what: `${describeTokenLike(t)} that looks like a token, wherever it appears` });
  }
  for (const f of tokens.findings) if (tokenKinds.has(f.kind)) extra.push({ where: 'connections[*]', what: `${describeFinding(f)}, shown as ${REDACTED}` });
  if (options.channels !== null) extra.push({ where: 'connections[*].entries', what: `only the channels ${options.channels.join(', ')} were exported (a filter, not a redaction)` });
  if (options.from !== null || options.to !== null) {
    extra.push({ where: 'connections[*].entries', what: `only entries from ${options.from === null ? 'the start' : isoTime(options.from)} to ${options.to === null ? 'the end' : isoTime(options.to)} were exported` });
  }
  return { capture: { ...capture, redactions: [...capture.redactions, ...extra] }, tokens };
}
