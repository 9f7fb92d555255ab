/**
 * What a user asks for when they open a connection, and the checks that turn bad input into a
 * clear message before anything is sent. Shared by the CLI and the panel's form.
 */
import { unsendableHeader } from './forbidden-headers.js';
import { count, LIMITS } from './limits.js';
import { SPEC_POLICY, type ReconnectPolicy } from './policy.js';
import type { HeaderPair } from './timeline.js';

export type LastEventIdTransport = { mode: 'header' } | { mode: 'query'; param: string };

export interface ConnectionConfig {
  url: string;
  method: string;
  /** Sent as given; `Accept: text/event-stream` is added when absent. */
  headers: HeaderPair[];
  body: string | null;
  /** The body is a secret (credentials in a login or token request): masked like a secret header's value. */
  secretBody: boolean;
  /** Header names whose values are masked in entries besides Authorization, Cookie and friends. */
  secretHeaders: string[];
  /** The Last-Event-ID for the first attempt; null sends none. */
  initialLastEventId: string | null;
  lastEventIdTransport: LastEventIdTransport;
  /** No response headers within this long ends the attempt as connect-timeout; null waits forever. */
  connectTimeoutMs: number | null;
  /** No bytes at all within this long ends the attempt as idle-timeout; null waits forever. */
  idleTimeoutMs: number | null;
  reconnect: ReconnectPolicy;
  /** The client profile (src/core/profiles.ts) whose behaviour this config reproduces; null for none. */
  profile: string | null;
  /**
   * Send the browser's cookies for this origin (fetch's `credentials: 'include'`), and let a
   * Set-Cookie land in the browser's jar. Off: the connection keeps its own cookies, sent only on
   * its own later attempts, and the browser's jar is neither read nor written.
   */
  sendBrowserCookies: boolean;
}

export function defaultConfig(url: string): ConnectionConfig {
  return {
    url,
    method: 'GET',
    headers: [],
    body: null,
    secretBody: false,
    secretHeaders: [],
    initialLastEventId: null,
    lastEventIdTransport: { mode: 'header' },
    connectTimeoutMs: null,
    idleTimeoutMs: null,
    reconnect: { ...SPEC_POLICY },
    profile: null,
    sendBrowserCookies: false,
  };
}

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9110 token (1*tchar): the grammar of header names and of methods, what fetch accepts for both. */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** No CR, LF or NUL; fetch rejects them and they would split the request. */
const BAD_HEADER_VALUE = /[\r\n\0]/;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

export function checkUrl(url: string): string | null {
  if (url.trim() === '') return 'Enter a URL, e.g. https://api.example.com/stream';
  if (url.length > LIMITS.formUrlChars) return `The URL is ${count(url.length)} characters long; at most ${count(LIMITS.formUrlChars)} are accepted`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `Not a valid absolute URL: "${url}"`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `Only http and https URLs can be streamed, not ${parsed.protocol.replace(/:$/, '')}`;
  }
  if (parsed.username || parsed.password) {
    return 'Put credentials in a header (Authorization), not in the URL: fetch refuses URLs with user:password@';
  }
  return null;
}

/** setTimeout's limit: a longer delay fires at once, which would turn a long wait into a storm. */
export const MAX_TIMER_MS = 2 ** 31 - 1;


export function checkHeader(name: string, value: string): string | null {
  if (name === '') return 'Header name is empty';
  if (name.length > LIMITS.textChars || value.length > LIMITS.textChars) return `Header "${name.slice(0, 40)}" is too long: names and values are limited to ${count(LIMITS.textChars)} characters`;
  if (!HTTP_TOKEN.test(name)) return `Invalid header name "${name}": only letters, digits and !#$%&'*+-.^_\`|~ are allowed`;
  const unsendable = unsendableHeader(name);
  if (unsendable) return unsendable;
  if (BAD_HEADER_VALUE.test(value)) return `Header "${name}" has a line break or NUL in its value`;
  if (/[^\u0000-\u00ff]/.test(value)) return `Header "${name}" has characters outside Latin-1, which HTTP cannot send`;
  return null;
}

/** Fields as the form labels them: a message names what the user sees, not a property. */
const FIELD_LABELS = {
  connectTimeoutMs: 'Connect timeout',
  idleTimeoutMs: 'Idle timeout',
  'reconnect.initialDelayMs': 'Reconnect delay',
  'reconnect.maxDelayMs': 'Max delay',
  'reconnect.maxAttempts': 'Max attempts',
  'reconnect.backoffFactor': 'Backoff factor',
  'reconnect.jitter': 'Jitter',
} as const;
type LabelledField = keyof typeof FIELD_LABELS;

function checkMs(field: LabelledField, value: number | null, errors: FieldError[], min = 1): void {
  if (value === null) return;
  if (!Number.isFinite(value) || !Number.isInteger(value) || value < min || value > MAX_TIMER_MS) {
    errors.push({ field, message: `${FIELD_LABELS[field]} must be a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}` });
  }
}

/** Every problem with a config, each tied to the field it belongs to; empty when the config can be used. */
export function validateConfig(config: ConnectionConfig): FieldError[] {
  const errors: FieldError[] = [];
  const urlError = checkUrl(config.url);
  if (urlError) errors.push({ field: 'url', message: urlError });
  if (!METHODS.includes(config.method)) {
    errors.push({ field: 'method', message: `Unsupported method "${config.method}"; use one of ${METHODS.join(', ')}` });
  }
  if (config.body !== null && (config.method === 'GET' || config.method === 'HEAD')) {
    errors.push({ field: 'body', message: `A ${config.method} request cannot have a body; use POST` });
  }
  if (config.body !== null && config.body.length > LIMITS.eventDataChars) {
    errors.push({ field: 'body', message: `The body is ${count(config.body.length)} characters long; at most ${count(LIMITS.eventDataChars)} are accepted` });
  }
  // Limits a capture holds too (src/core/limits.ts): a connection the form accepts can be exported and opened again.
  if (config.headers.length > LIMITS.formHeaders) {
    errors.push({ field: 'headers', message: `${count(config.headers.length)} headers; at most ${LIMITS.formHeaders} are accepted` });
  } else {
    config.headers.forEach(([name, value], i) => {
      const message = checkHeader(name, value);
      if (message) errors.push({ field: `headers.${i}`, message });
    });
  }
  if (config.secretHeaders.length > LIMITS.formHeaders || config.secretHeaders.some((n) => n.length > LIMITS.textChars)) {
    errors.push({ field: 'secretHeaders', message: `At most ${LIMITS.formHeaders} secret header names of up to ${count(LIMITS.textChars)} characters` });
  }
  if (config.initialLastEventId !== null && /[\r\n\0]/.test(config.initialLastEventId)) {
    errors.push({ field: 'initialLastEventId', message: 'Last-Event-ID cannot contain line breaks or NUL' });
  } else if (config.initialLastEventId !== null && config.initialLastEventId.length > LIMITS.textChars) {
    errors.push({ field: 'initialLastEventId', message: `Last-Event-ID is ${count(config.initialLastEventId.length)} characters long; at most ${count(LIMITS.textChars)} are accepted` });
  }
  if (config.lastEventIdTransport.mode === 'query' && config.lastEventIdTransport.param.trim() === '') {
    errors.push({ field: 'lastEventIdTransport', message: 'Name the query parameter that carries the Last-Event-ID' });
  } else if (config.lastEventIdTransport.mode === 'query' && config.lastEventIdTransport.param.length > LIMITS.textChars) {
    errors.push({ field: 'lastEventIdTransport', message: `The query parameter name is limited to ${count(LIMITS.textChars)} characters` });
  }
  checkMs('connectTimeoutMs', config.connectTimeoutMs, errors);
  checkMs('idleTimeoutMs', config.idleTimeoutMs, errors);
  const r = config.reconnect;
  checkMs('reconnect.initialDelayMs', r.initialDelayMs, errors, 0);
  checkMs('reconnect.maxDelayMs', r.maxDelayMs, errors, 0);
  if (r.maxAttempts !== null && (!Number.isInteger(r.maxAttempts) || r.maxAttempts < 1)) {
    errors.push({ field: 'reconnect.maxAttempts', message: `${FIELD_LABELS['reconnect.maxAttempts']} must be a whole number ≥ 1` });
  }
  if (!(r.backoffFactor >= 1)) errors.push({ field: 'reconnect.backoffFactor', message: `${FIELD_LABELS['reconnect.backoffFactor']} must be a number ≥ 1` });
  if (!(r.jitter >= 0 && r.jitter <= 1)) errors.push({ field: 'reconnect.jitter', message: `${FIELD_LABELS['reconnect.jitter']} must be a number from 0 to 1` });
  return errors;
}

/** The host permission pattern that lets the extension fetch from this URL's host (any port). */
export function originPattern(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}/*`;
}

/** How a connection is named in lists: method, host, path and query (streams often differ only there). */
export function labelFor(config: Pick<ConnectionConfig, 'method' | 'url'>): string {
  try {
    const u = new URL(config.url);
    return `${config.method} ${u.host}${u.pathname}${u.search}`;
  } catch {
    return `${config.method} ${config.url}`;
  }
}
