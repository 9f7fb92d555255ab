/**
 * One timeline entry in words, for the CLI's terminal lines and the panel's lifecycle rows alike.
 * Stream content is untrusted, so control characters are shown escaped: a server must not be able
 * to move the cursor or recolour a terminal, nor break a one-line row.
 */
import type { TimelineEntry } from './timeline.js';

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
 * What a terminal or a one-line row must not receive raw: C0 and C1 controls and DEL (escape
 * sequences move the cursor, clear the screen, recolour), bidi controls (they reorder what follows,
 * so a line reads other than it is: "Trojan Source") and the Unicode line and paragraph separators.
 */
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

const escapeChar = (c: string): string => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
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
  return JSON.stringify(value).replace(UNSAFE_CHARS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return Number.isNaN(ms) ? '? ms' : `${ms} ms`;
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const MAX_DATA_CHARS = 400;

/** The entry without its time and attempt number, styled by `s` (`plain` for no styling). */
export function describeEntry(e: TimelineEntry, s: Style = plain): string {
  switch (e.kind) {
    case 'attempt-started': {
      const id = e.lastEventId === null ? '' : s.dim(`  Last-Event-ID ${safeText(e.lastEventId)} (${e.lastEventIdVia})`);
      return `${s.cyan('→')} ${s.bold(e.method)} ${safeText(e.url)}${id}`;
    }
    case 'response': {
      const ok = e.status === 200;
      const type = e.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? 'no content-type';
      const redirect = e.redirected ? s.dim(` via redirect to ${safeText(e.url)}`) : '';
      const status = `${e.status}${e.statusText ? ` ${safeText(e.statusText)}` : ''}`;
      return `${s.cyan('←')} ${ok ? s.green(status) : s.red(status)} ${s.dim(`${safeText(type)}, ${formatDuration(e.timeToHeadersMs)}`)}${redirect}`;
    }
    case 'event': {
      const data = e.data.length > MAX_DATA_CHARS ? `${e.data.slice(0, MAX_DATA_CHARS)}…` : e.data;
      const id = e.id === null ? '' : ` ${s.dim('id=')}${safeText(e.id)}`;
      return `  ${s.magenta(`[${safeText(e.type)}]`)}${id} ${safeText(data)} ${s.dim(`(${formatBytes(e.size)})`)}`;
    }
    case 'comment':
      return `  ${s.dim(`: ${safeText(e.text)}`)}`;
    case 'retry-changed':
      return `  ${s.yellow(`retry: ${e.delayMs} ms`)} ${s.dim('(reconnection delay set by the server)')}`;
    case 'ignored-line':
      return `  ${s.yellow(`ignored ${e.why}:`)} ${safeText(e.line)}`;
    case 'attempt-ended': {
      const stats = s.dim(`(${formatDuration(e.durationMs)}, ${formatBytes(e.bytes)}, ${e.events} event${e.events === 1 ? '' : 's'})`);
      const reason = e.reason === 'closed-by-server' || e.reason === 'closed-by-user' ? s.yellow(e.reason) : s.red(e.reason);
      return `${s.red('✕')} ${reason}${e.status !== null ? ` ${e.status}` : ''} — ${safeText(e.detail)} ${stats}`;
    }
    case 'reconnect-scheduled': {
      const id = e.lastEventId === null ? 'no Last-Event-ID' : `Last-Event-ID ${safeText(e.lastEventId)}`;
      return `${s.yellow('↻')} reconnect in ${formatDuration(e.delayMs)} as #${e.nextAttempt} with ${id} ${s.dim(`(${e.why})`)}`;
    }
    case 'stopped':
      // A why that says "stopped …" itself (the CLI's --duration) is not prefixed twice.
      return /^stopped\b/.test(e.why) ? `${s.bold('■')} ${safeText(e.why)}` : `${s.bold('■ stopped:')} ${safeText(e.why)}`;
    case 'fault-injected':
      return `${s.red('⚡ fault')} ${safeText(e.fault)}: ${safeText(e.detail)}`;
    case 'worker-restarted':
      return `${s.yellow('⟳ worker restarted')} ${safeText(e.detail)}`;
    case 'reading-paused':
      return `${s.yellow(`‖ reading paused ${formatDuration(e.durationMs)}`)} ${safeText(e.detail)}`;
    case 'entries-dropped':
      return `${s.yellow(`… ${e.count} entries dropped`)} ${safeText(e.detail)}`;
  }
}
