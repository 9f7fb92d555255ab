/**
 * Values that look like credentials in what a capture holds, although nothing marked them secret:
 * Bearer tokens, JWTs, API keys with a well-known prefix, JSON fields and URL parameters named like
 * secrets, in event data, ids, comments, URLs, headers, details and any other text of an entry.
 * Masking (secrets.ts) knows only the values it was told about; this is what a person should see
 * before sharing a file, counted by kind and place, and removed if they choose.
 *
 * Every text is untrusted and may be megabytes: no pattern here can backtrack over a whole text.
 * A text is cut into runs of token characters by one character class (each character is looked at
 * once), and a run is classified by anchored tests; the two patterns that look at context (a JSON
 * key, a query parameter) start only at a quote or a `?`/`&` and have bounded repetitions. Only the
 * first SCAN_CHARS of a text are searched; the caller is told how many texts were longer.
 */
import type { ConnectionConfig } from '../config.js';
import { isSecretParam, REDACTED } from '../secrets.js';
import type { FramingNote, TimelineEntry } from '../timeline.js';

export const TOKEN_KINDS = ['bearer', 'jwt', 'api-key', 'secret-field', 'secret-param'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export const TOKEN_KIND_LABELS: Record<TokenKind, string> = {
  bearer: 'Bearer token',
  jwt: 'JWT',
  'api-key': 'API key (sk-, ghp_, xoxb-, AKIA… prefix)',
  'secret-field': 'value of a JSON field named like a secret',
  'secret-param': 'URL parameter named like a secret',
};

/** Per text: longer texts are searched in this many first characters only, and counted as such. */
export const SCAN_CHARS = 1024 * 1024;
/** A run longer than this is data, not a credential (JWTs with big claims stay well under it). */
const MAX_TOKEN_CHARS = 16 * 1024;
/** Shorter values are not reported: too many words and ids would be. */
const MIN_TOKEN_CHARS = 8;

/** No `=`: it joins a name to its value (`key=sk-…`); a Bearer credential's padding is added after. */
const RUN = /[A-Za-z0-9_\-.~+/]+/g;
const JWT = /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const API_KEY = /^(?:sk-(?:proj-|live-|test-|ant-)?[A-Za-z0-9_-]{20,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abposr]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20,})$/;
/** Token characters a Bearer credential may hold (RFC 6750 b64token). */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** `"key": "` with a short key: starts only at a quote, key length bounded. */
const JSON_KEY = /"([A-Za-z0-9_.-]{1,64})"\s{0,16}:\s{0,16}"/g;
/** `?name=value` / `&name=value`, name and value bounded. */
const QUERY_PARAM = /[?&]([A-Za-z0-9_.-]{1,64})=([^&\s"'#<>\\]{8,4096})/g;
const SECRET_FIELD = /token|secret|passw(?:or)?d|api[-_]?key|apikey|credential|private[-_]?key|client[-_]?secret|session[-_]?id/i;

export interface TokenSpan {
  start: number;
  end: number;
  kind: TokenKind;
}

/** The token-looking spans of one text, in order, not overlapping; `limited` when the text was cut. */
export function findTokens(text: string): { spans: TokenSpan[]; limited: boolean } {
  const limited = text.length > SCAN_CHARS;
  const t = limited ? text.slice(0, SCAN_CHARS) : text;
  const found: TokenSpan[] = [];
  const add = (start: number, end: number, kind: TokenKind) => {
    const value = t.slice(start, end);
    if (end - start >= MIN_TOKEN_CHARS && !value.includes(REDACTED)) found.push({ start, end, kind });
  };

  for (const m of t.matchAll(RUN)) {
    if (m[0].length > MAX_TOKEN_CHARS) continue;
    // A sentence's full stop is not part of the key (a loop: /\.+$/ would backtrack over a run of dots).
    let length = m[0].length;
    while (length > 0 && m[0].charCodeAt(length - 1) === 0x2e) length--;
    const run = m[0].slice(0, length);
    const start = m.index;
    const end = start + length;
    if (JWT.test(run)) add(start, end, 'jwt');
    else if (API_KEY.test(run)) add(start, end, 'api-key');
    else if (/Bearer\s+$/i.test(t.slice(Math.max(0, start - 16), start)) && B64TOKEN.test(run)) {
      let padded = end;
      while (padded < t.length && padded - end < 2 && t.charCodeAt(padded) === 0x3d) padded++;
      add(start, padded, 'bearer');
    }
  }
  for (const m of t.matchAll(JSON_KEY)) {
    if (!SECRET_FIELD.test(m[1]!)) continue;
    const start = m.index + m[0].length;
    const end = stringEnd(t, start);
    // A value with spaces is prose ("token": " world" in an LLM stream), not a credential.
    if (end !== null && !/\s/.test(t.slice(start, end))) add(start, end, 'secret-field');
  }
  for (const m of t.matchAll(QUERY_PARAM)) {
    if (!isSecretParam(m[1]!)) continue;
    const end = m.index + m[0].length;
    add(end - m[2]!.length, end, 'secret-param');
  }
  return { spans: withoutOverlaps(found), limited };
}

/** Where a JSON string starting at `from` ends (its closing quote), within MAX_TOKEN_CHARS; null if it does not. */
function stringEnd(t: string, from: number): number | null {
  const stop = Math.min(t.length, from + MAX_TOKEN_CHARS);
  for (let i = from; i < stop; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return null;
}

/** Of overlapping spans the earliest wins, then the kind listed first: a JWT in a token field is a JWT. */
function withoutOverlaps(spans: TokenSpan[]): TokenSpan[] {
  spans.sort((a, b) => a.start - b.start || TOKEN_KINDS.indexOf(a.kind) - TOKEN_KINDS.indexOf(b.kind));
  const out: TokenSpan[] = [];
  for (const s of spans) if (out.length === 0 || s.start >= out[out.length - 1]!.end) out.push(s);
  return out;
}

/** The text with the spans of the chosen kinds replaced by the marker. */
function redactTokens(text: string, kinds: ReadonlySet<TokenKind>): string {
  if (kinds.size === 0 || text.length < MIN_TOKEN_CHARS) return text;
  const { spans } = findTokens(text);
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (!kinds.has(s.kind)) continue;
    out += text.slice(at, s.start) + REDACTED;
    at = s.end;
  }
  return at === 0 ? text : out + text.slice(at);
}

/** Fields that name, not say: never searched or rewritten (a kind or a reason must stay what it is). */
const STRUCTURAL = new Set(['kind', 'connectionId', 'reason', 'lastEventIdVia', 'fault', 'method']);

/** How the preview names a field; any other field (one added later) is named as it is. */
const PLACES: Readonly<Record<string, string>> = {
  data: 'event data',
  framing: 'framing notes',
  id: 'event ids',
  lastEventId: 'event ids',
  type: 'channel names',
  text: 'comments',
  line: 'ignored lines',
  url: 'URLs',
  headers: 'headers',
  detail: 'details',
  why: 'details',
  statusText: 'status text',
};

/**
 * Each searched text of an entry, with the place it is shown under: every string field and every
 * header name and value, whatever the kind, so a text field added to an entry is searched too.
 */
function* textsOf(e: TimelineEntry): Generator<[place: string, text: string]> {
  for (const [field, value] of Object.entries(e)) {
    if (STRUCTURAL.has(field)) continue;
    const place = PLACES[field] ?? field;
    if (typeof value === 'string') yield [place, value];
    else if (Array.isArray(value)) for (const pair of value) if (Array.isArray(pair)) for (const v of pair) if (typeof v === 'string') yield [place, v];
    // Framing notes: their detail may quote event data.
    if (field === 'framing' && Array.isArray(value)) for (const note of value as FramingNote[]) yield [place, note.detail];
  }
}

/** The entry with the chosen kinds redacted in the same texts textsOf searches. */
export function redactEntryTokens(e: TimelineEntry, kinds: ReadonlySet<TokenKind>): TimelineEntry {
  if (kinds.size === 0) return e;
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(e)) {
    if (STRUCTURAL.has(field)) out[field] = value;
    else if (typeof value === 'string') out[field] = redactTokens(value, kinds);
    else if (field === 'framing' && Array.isArray(value)) out[field] = (value as FramingNote[]).map((n) => ({ trap: n.trap, detail: redactTokens(n.detail, kinds) }));
    else if (Array.isArray(value)) out[field] = value.map((pair: unknown) => (Array.isArray(pair) ? pair.map((v: unknown) => (typeof v === 'string' ? redactTokens(v, kinds) : v)) : pair));
    else out[field] = value;
  }
  return out as unknown as TimelineEntry;
}

export function redactConfigTokens(config: ConnectionConfig, kinds: ReadonlySet<TokenKind>): ConnectionConfig {
  if (kinds.size === 0) return config;
  const r = (s: string) => redactTokens(s, kinds);
  return {
    ...config,
    url: r(config.url),
    headers: config.headers.map(([n, v]) => [n, r(v)]),
    body: config.body === null ? null : r(config.body),
    initialLastEventId: config.initialLastEventId === null ? null : r(config.initialLastEventId),
  };
}

export interface TokenFinding {
  kind: TokenKind;
  /** "event data", "URLs", "connection settings", … */
  where: string;
  count: number;
}

export interface TokenScan {
  /** By kind, then by place, most found first. */
  findings: TokenFinding[];
  /** Texts longer than SCAN_CHARS: only their beginning was searched. */
  limitedTexts: number;
}

/** Counts what findTokens finds in the sources' settings and entries. Linear in their text. */
export function scanForTokens(sources: readonly { config: ConnectionConfig; entries: readonly TimelineEntry[] }[]): TokenScan {
  const counts = new Map<string, TokenFinding>();
  let limitedTexts = 0;
  const scan = (where: string, text: string) => {
    if (text.length < MIN_TOKEN_CHARS) return;
    const { spans, limited } = findTokens(text);
    if (limited) limitedTexts++;
    for (const s of spans) {
      const key = `${s.kind}\u0000${where}`;
      const finding = counts.get(key);
      if (finding) finding.count++;
      else counts.set(key, { kind: s.kind, where, count: 1 });
    }
  };
  for (const { config, entries } of sources) {
    for (const text of [config.url, config.body ?? '', config.initialLastEventId ?? '', ...config.headers.map(([, v]) => v)]) scan('connection settings', text);
    for (const e of entries) for (const [where, text] of textsOf(e)) scan(where, text);
  }
  const findings = [...counts.values()].sort((a, b) => TOKEN_KINDS.indexOf(a.kind) - TOKEN_KINDS.indexOf(b.kind) || b.count - a.count);
  return { findings, limitedTexts };
}

/** "JWT in event data ×12". */
export const describeFinding = (f: TokenFinding): string => `${TOKEN_KIND_LABELS[f.kind]} in ${f.where} ×${f.count}`;
