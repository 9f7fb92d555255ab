/**
 * One timeline entry in words, for the CLI's terminal lines and the panel's lifecycle rows alike.
 * Stream content is untrusted, so control characters are shown escaped: a server must not be able
 * to move the cursor or recolour a terminal, nor break a one-line row.
 */
import { END_TONES, type EndTone } from './end-tone.js';
import type { ResponseBody, TimelineEntry } from './timeline.js';

export interface Style {
  dim(s: string): string;
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  magenta(s: string): string;
}

const identity = (s: string): string => s;
export const plain: Style = { dim: identity, bold: identity, red: identity, green: identity, yellow: identity, cyan: identity, magenta: identity };

/**
 * What a terminal or a one-line row must not receive raw, and what the panel shows as an escape:
 * C0 and C1 controls and DEL (escape sequences move the cursor, clear the screen, recolour), bidi
 * controls (they reorder what follows, so a line reads other than it is: "Trojan Source" and
 * "\u202egnp.exe" posing as "exe.png"), the Unicode line and paragraph separators, and the
 * characters that take no room (zero-width, word joiners, BOM, soft hyphen, tags) or are a lone
 * half of a surrogate pair, so two ids that look the same can be told apart. The same set as the
 * snippets' quoting.
 */
export const HIDDEN_CHARS = String.raw`[\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]|\p{Cs}`;
const UNSAFE_CHARS = new RegExp(HIDDEN_CHARS, 'gu');

/** `\xNN` for a character of Latin-1, `\uNNNN` for one of the BMP, `\u{NNNNN}` beyond. */
export const escapeChar = (c: string): string => {
  const code = c.codePointAt(0) ?? 0;
  const hex = code.toString(16);
  return code <= 0xff ? `\\x${hex.padStart(2, '0')}` : code <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\u{${hex}}`;
};

/** Newlines as ⏎ keep one entry on one line; other unsafe characters become \xNN or \uNNNN. */
export function safeText(s: string): string {
  return s.replace(UNSAFE_CHARS, (c) => (c === '\n' ? '⏎' : escapeChar(c)));
}

/** A message of several lines (errors that list problems): each line made safe, its line breaks kept. */
export function safeLines(s: string): string {
  return s.split('\n').map(safeText).join('\n');
}

/**
 * One JSON line for a terminal: JSON.stringify escapes C0 controls but leaves C1, DEL, bidi
 * controls and U+2028/9 raw; those are written as \uNNNN too, which is the same JSON value.
 */
export function safeJson(value: unknown): string {
  const unit = (c: string, i: number): string => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
  // A tag character is two UTF-16 units: each is written, or the JSON would hold half a character.
  return JSON.stringify(value).replace(UNSAFE_CHARS, (c) => (c.length === 2 ? unit(c, 0) + unit(c, 1) : unit(c, 0)));
}

/**
 * Formatting never throws and never shows NaN: validation keeps times in range, but a value that
 * slips through (a live clock gone wrong, a future bug) must cost one odd cell, not the whole view.
 */
const showable = (time: number): boolean => Number.isFinite(time) && Math.abs(time) <= 8.64e15;
const unshowable = (n: number): string => (Number.isNaN(n) ? 'not a number' : String(n));

export function clock(time: number): string {
  if (!showable(time)) return '--:--:--.---';
  const d = new Date(time);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** ISO 8601 UTC, or what the value is when no date can show it (Date's range is ±8.64e15 ms). */
export function isoTime(time: number): string {
  return showable(time) ? new Date(time).toISOString() : `not a time (${unshowable(time)})`;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '? B' : `${n} B`;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A failed response's body size: "57 B", or "cut at 64.0 KB of 1.0 MB" when the read stopped early. */
export function describeBodySize(body: ResponseBody): string {
  if (body.cut === 'size') return `cut at ${formatBytes(body.bytes)}${body.totalBytes === null ? '' : ` of ${formatBytes(body.totalBytes)}`}`;
  if (body.cut === 'deadline') return `${formatBytes(body.bytes)}, cut: the server was still sending`;
  return formatBytes(body.bytes);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return Number.isNaN(ms) ? '? ms' : `${ms} ms`;
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const MAX_DATA_CHARS = 400;

/** The terminal's colour for each tone of an attempt end: the panel's language in ANSI. */
const TONE_STYLE: Readonly<Record<EndTone, (s: Style) => (text: string) => string>> = {
  normal: (s) => s.green,
  error: (s) => s.red,
  simulated: (s) => s.yellow,
  user: (s) => s.dim,
};

/**
 * The entry without its time and attempt number, styled by `s` (`plain` for no styling). Untrusted
 * text goes through `text`: escaped for a terminal by default; the panel keeps it raw and escapes it
 * as it renders, so its escapes are styled tokens that no server can forge with a literal "\u202e".
 */
export function describeEntry(e: TimelineEntry, s: Style = plain, text: (raw: string) => string = safeText): string {
  switch (e.kind) {
    case 'attempt-started': {
      const id = e.lastEventId === null ? '' : s.dim(`  Last-Event-ID ${text(e.lastEventId)} (${e.lastEventIdVia})`);
      return `${s.cyan('→')} ${s.bold(e.method)} ${text(e.url)}${id}`;
    }
    case 'request-sent': {
      const count = `${e.headers.length} header${e.headers.length === 1 ? '' : 's'}`;
      const dropped = e.dropped.length === 0 ? '' : s.red(`, ${e.dropped.length} dropped (${e.dropped.map(([n]) => text(n)).join(', ')})`);
      return `${s.cyan('↑')} ${e.observed ? `sent ${count}` : `${count} as configured (not observed)`}${dropped}`;
    }
    case 'response': {
      const ok = e.status === 200;
      const type = e.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? 'no content-type';
      const redirect = e.redirected ? s.dim(` via redirect to ${text(e.url)}`) : '';
      const status = `${e.status}${e.statusText ? ` ${text(e.statusText)}` : ''}`;
      return `${s.cyan('←')} ${ok ? s.green(status) : s.red(status)} ${s.dim(`${text(type)}, ${formatDuration(e.timeToHeadersMs)}`)}${redirect}`;
    }
    case 'event': {
      const data = e.data.length > MAX_DATA_CHARS ? `${e.data.slice(0, MAX_DATA_CHARS)}…` : e.data;
      const id = e.id === null ? '' : ` ${s.dim('id=')}${text(e.id)}`;
      return `  ${s.magenta(`[${text(e.type)}]`)}${id} ${text(data)} ${s.dim(`(${formatBytes(e.size)})`)}`;
    }
    case 'comment':
      return `  ${s.dim(`: ${text(e.text)}`)}`;
    case 'retry-changed':
      return `  ${s.yellow(`retry: ${e.delayMs} ms`)} ${s.dim('(reconnection delay set by the server)')}`;
    case 'ignored-line':
      return `  ${s.yellow(`ignored ${e.why}:`)} ${text(e.line)}`;
    case 'attempt-ended': {
      const stats = s.dim(`(${formatDuration(e.durationMs)}, ${formatBytes(e.bytes)}, ${e.events} event${e.events === 1 ? '' : 's'})`);
      const tone = TONE_STYLE[END_TONES[e.reason]](s);
      return `${tone('✕')} ${tone(e.reason)}${e.status !== null ? ` ${e.status}` : ''} — ${text(e.detail)} ${stats}`;
    }
    case 'reconnect-scheduled': {
      const id = e.lastEventId === null ? 'no Last-Event-ID' : `Last-Event-ID ${text(e.lastEventId)}`;
      const when = e.delayMs === null ? 'reconnect after an unknown delay' : `reconnect in ${formatDuration(e.delayMs)}`;
      return `${s.yellow('↻')} ${when} as #${e.nextAttempt} with ${id} ${s.dim(`(${e.why})`)}`;
    }
    case 'stopped':
      // A why that says "stopped …" itself (the CLI's --duration) is not prefixed twice.
      return /^stopped\b/.test(e.why) ? `${s.bold('■')} ${text(e.why)}` : `${s.bold('■ stopped:')} ${text(e.why)}`;
    case 'fault-injected':
      return `${s.red('⚡ fault')} ${text(e.fault)}: ${text(e.detail)}`;
    case 'worker-restarted':
      return `${s.yellow('⟳ worker restarted')} ${text(e.detail)}`;
    case 'reading-paused':
      return `${s.yellow(`‖ reading paused ${formatDuration(e.durationMs)}`)} ${text(e.detail)}`;
    case 'entries-dropped':
      return `${s.yellow(`… ${e.count} entries dropped`)} ${text(e.detail)}`;
  }
}
