/**
 * The connect form's state and its mapping to and from a ConnectionConfig, apart from the component
 * so it can be tested without a DOM. Fields hold text as typed: a number that is not one becomes NaN
 * in the config, and core's validateConfig (the CLI's checks too) names the field.
 */
import { checkHeader, defaultConfig, validateConfig, type ConnectionConfig, type FieldError } from '../core/config.js';
import { applyProfile, profileById } from '../core/profiles.js';
import { isSecretHeader, REDACTED } from '../core/secrets.js';

export interface HeaderRow {
  name: string;
  value: string;
  secret: boolean;
  revealed: boolean;
  /** A row the form offers rather than one the user made: not sent while its value is empty. */
  offered?: boolean;
}

export interface FormState {
  url: string;
  method: string;
  headers: HeaderRow[];
  body: string;
  /** The body holds credentials: masked in the timeline, storage and exports like a secret header. */
  bodySecret: boolean;
  lastEventId: string;
  /** How the Last-Event-ID travels: the `Last-Event-ID` header, or the query parameter lastEventIdParam. */
  lastEventIdAs: 'header' | 'query';
  /** Kept while the header is chosen, so switching back to the query parameter does not lose it. */
  lastEventIdParam: string;
  connectTimeout: string;
  idleTimeout: string;
  initialDelay: string;
  backoffFactor: string;
  maxDelay: string;
  jitter: string;
  maxAttempts: string;
  retryHttpErrors: boolean;
  /** The client profile chosen last; timeouts and reconnect fields start from it. */
  profile: string | null;
  /** Send the browser's cookies for this origin rather than the connection's own (ConnectionConfig.sendBrowserCookies). */
  browserCookies: boolean;
}

/** The EventSource polyfill's default name for the parameter, the client that sends it this way. */
const DEFAULT_LAST_EVENT_ID_PARAM = 'lastEventId';

export const EMPTY_FORM: FormState = {
  url: '',
  method: 'GET',
  // Most streams worth debugging need a token; the row is ready and already secret.
  headers: [{ name: 'Authorization', value: '', secret: true, revealed: false, offered: true }],
  body: '',
  bodySecret: false,
  lastEventId: '',
  lastEventIdAs: 'header',
  lastEventIdParam: DEFAULT_LAST_EVENT_ID_PARAM,
  connectTimeout: '',
  idleTimeout: '',
  initialDelay: '3000',
  backoffFactor: '1',
  maxDelay: '30000',
  jitter: '0',
  maxAttempts: '',
  retryHttpErrors: false,
  profile: null,
  browserCookies: false,
};

export function formFromConfig(c: ConnectionConfig): FormState {
  return {
    url: c.url,
    method: c.method,
    headers: c.headers.map(([name, value]) => ({ name, value, secret: isSecretHeader(name, c.secretHeaders), revealed: false })),
    body: c.body ?? '',
    bodySecret: c.secretBody,
    lastEventId: c.initialLastEventId ?? '',
    lastEventIdAs: c.lastEventIdTransport.mode,
    lastEventIdParam: c.lastEventIdTransport.mode === 'query' ? c.lastEventIdTransport.param : DEFAULT_LAST_EVENT_ID_PARAM,
    connectTimeout: c.connectTimeoutMs?.toString() ?? '',
    idleTimeout: c.idleTimeoutMs?.toString() ?? '',
    initialDelay: String(c.reconnect.initialDelayMs),
    backoffFactor: String(c.reconnect.backoffFactor),
    maxDelay: String(c.reconnect.maxDelayMs),
    jitter: String(c.reconnect.jitter),
    maxAttempts: c.reconnect.maxAttempts?.toString() ?? '',
    retryHttpErrors: c.reconnect.retryOnHttpError,
    profile: c.profile ?? null,
    browserCookies: c.sendBrowserCookies === true,
  };
}

/**
 * A row the user left empty is not sent, not checked: neither name nor value, or the offered
 * Authorization row still without a value. A named row the user made with an empty value is a
 * header with an empty value, which HTTP allows, and is sent.
 */
const isBlank = (h: HeaderRow): boolean => (h.name.trim() === '' || h.offered === true) && h.value.trim() === '';

export function configFromForm(f: FormState): ConnectionConfig {
  const num = (s: string) => (s.trim() === '' ? null : Number(s));
  const c = defaultConfig(f.url.trim());
  c.method = f.method;
  c.headers = f.headers.filter((h) => !isBlank(h)).map((h) => [h.name.trim(), h.value]);
  c.secretHeaders = f.headers.filter((h) => h.secret && h.name.trim() !== '').map((h) => h.name.trim());
  c.body = f.method === 'GET' || f.body === '' ? null : f.body;
  c.secretBody = c.body !== null && f.bodySecret;
  c.initialLastEventId = f.lastEventId === '' ? null : f.lastEventId;
  c.lastEventIdTransport = f.lastEventIdAs === 'query' ? { mode: 'query', param: f.lastEventIdParam.trim() } : { mode: 'header' };
  c.connectTimeoutMs = num(f.connectTimeout);
  c.idleTimeoutMs = num(f.idleTimeout);
  const initial = num(f.initialDelay) ?? 3000;
  const factor = num(f.backoffFactor) ?? 1;
  // The profile's knobs that have no field of their own (jitter model, 204, caps) come with it.
  const base = profileById(f.profile)?.reconnect;
  c.profile = f.profile;
  c.sendBrowserCookies = f.browserCookies;
  c.reconnect = {
    ...base,
    initialDelayMs: initial,
    backoffFactor: factor,
    // The max delay field only means something with backoff; without it the delay is constant.
    maxDelayMs: factor > 1 ? (num(f.maxDelay) ?? 30000) : initial,
    jitter: num(f.jitter) ?? 0,
    backoffResetAfterMs: base?.backoffResetAfterMs ?? null,
    maxAttempts: num(f.maxAttempts),
    retryOnHttpError: f.retryHttpErrors,
  };
  return c;
}

/**
 * The form after choosing a client profile (null: Custom): timeouts, reconnect and Last-Event-ID
 * handling come from the client, what identifies the stream stays as typed.
 */
export function withProfile(f: FormState, profileId: string | null): FormState {
  const profile = profileById(profileId);
  if (!profile) return { ...f, profile: null };
  return { ...formFromConfig(applyProfile(configFromForm(f), profile)), url: f.url, headers: f.headers, body: f.body, lastEventId: f.lastEventId };
}

/**
 * The config to send and every reason not to send it. Header errors are numbered by the form's
 * rows (blank rows included), not by the config's headers, so each lands next to its row.
 */
export function checkForm(f: FormState): { config: ConnectionConfig; errors: FieldError[] } {
  const config = configFromForm(f);
  const errors = validateConfig(config).filter((x) => !x.field.startsWith('headers.'));
  f.headers.forEach((h, i) => {
    if (isBlank(h)) return;
    const message = checkHeader(h.name.trim(), h.value);
    if (message) errors.push({ field: `headers.${i}`, message });
  });
  // A remembered or imported connection shows masked values; sending the mask would fail confusingly.
  if (f.url.includes(REDACTED)) errors.push({ field: 'url', message: `Replace ${REDACTED} in the URL with the real value` });
  f.headers.forEach((h, i) => {
    if (h.value.includes(REDACTED)) errors.push({ field: `headers.${i}`, message: `Enter the real value of ${h.name}` });
  });
  if (config.body?.includes(REDACTED)) errors.push({ field: 'body', message: 'Enter the real body' });
  return { config, errors };
}

/** What a recent connection needs typed in before it can connect again: secrets are not remembered. */
export function missingSecrets(f: FormState): FieldError[] {
  const asks: FieldError[] = [];
  const missing = f.headers.findIndex((h) => h.secret && h.value === '');
  if (missing >= 0) asks.push({ field: `headers.${missing}`, message: `Enter the value of ${f.headers[missing]!.name}: secrets are not remembered` });
  if (f.bodySecret && f.body === '') asks.push({ field: 'body', message: 'Enter the body: a secret body is not remembered' });
  return asks;
}
