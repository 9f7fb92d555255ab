/**
 * The connection form. Bad input gets a message next to its field and nothing is sent; the checks
 * are core's validateConfig, the same the CLI uses.
 */
import { useState } from 'preact/hooks';
import { checkHeader, checkUrl, defaultConfig, validateConfig, type ConnectionConfig, type FieldError } from '../../core/config.js';
import { isSecretHeader, REDACTED } from '../../core/secrets.js';
import { applyProfile, profileById, PROFILES } from '../../core/profiles.js';
import { loadRecent, rememberRecent, type Recent } from '../recent.js';

/** Inline icons: DevTools has no emoji font on every platform, and these must render everywhere. */
function LockIcon() {
  return (
    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
      <rect x="2" y="5" width="8" height="6" rx="1" fill="currentColor" />
      <path d="M4 5V3.5a2 2 0 0 1 4 0V5" fill="none" stroke="currentColor" stroke-width="1.3" />
    </svg>
  );
}

export function EyeIcon({ crossed }: { crossed: boolean }) {
  return (
    <svg width="14" height="12" viewBox="0 0 14 12" aria-hidden="true">
      <path d="M1 6s2.2-4 6-4 6 4 6 4-2.2 4-6 4-6-4-6-4z" fill="none" stroke="currentColor" stroke-width="1.2" />
      <circle cx="7" cy="6" r="1.8" fill="currentColor" />
      {crossed && <path d="M2 11L12 1" stroke="currentColor" stroke-width="1.3" />}
    </svg>
  );
}

interface HeaderRow {
  name: string;
  value: string;
  secret: boolean;
  revealed: boolean;
}

interface FormState {
  url: string;
  method: string;
  headers: HeaderRow[];
  body: string;
  /** The body holds credentials: masked in the timeline, storage and exports like a secret header. */
  bodySecret: boolean;
  lastEventId: string;
  leidMode: 'header' | 'query';
  leidParam: string;
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
}

const EMPTY: FormState = {
  url: '',
  method: 'GET',
  headers: [{ name: 'Authorization', value: '', secret: true, revealed: false }],
  body: '',
  bodySecret: false,
  lastEventId: '',
  leidMode: 'header',
  leidParam: 'lastEventId',
  connectTimeout: '',
  idleTimeout: '',
  initialDelay: '3000',
  backoffFactor: '1',
  maxDelay: '30000',
  jitter: '0',
  maxAttempts: '',
  retryHttpErrors: false,
  profile: null,
};

function fromConfig(c: ConnectionConfig): FormState {
  return {
    url: c.url,
    method: c.method,
    headers: c.headers.map(([name, value]) => ({ name, value, secret: isSecretHeader(name, c.secretHeaders), revealed: false })),
    body: c.body ?? '',
    bodySecret: c.secretBody,
    lastEventId: c.initialLastEventId ?? '',
    leidMode: c.lastEventIdTransport.mode,
    leidParam: c.lastEventIdTransport.mode === 'query' ? c.lastEventIdTransport.param : 'lastEventId',
    connectTimeout: c.connectTimeoutMs?.toString() ?? '',
    idleTimeout: c.idleTimeoutMs?.toString() ?? '',
    initialDelay: String(c.reconnect.initialDelayMs),
    backoffFactor: String(c.reconnect.backoffFactor),
    maxDelay: String(c.reconnect.maxDelayMs),
    jitter: String(c.reconnect.jitter),
    maxAttempts: c.reconnect.maxAttempts?.toString() ?? '',
    retryHttpErrors: c.reconnect.retryOnHttpError,
    profile: c.profile ?? null,
  };
}

/** Form text to a config; numbers that are not numbers become NaN and validateConfig names them. */
function toConfig(f: FormState): ConnectionConfig {
  const num = (s: string) => (s.trim() === '' ? null : Number(s));
  const c = defaultConfig(f.url.trim());
  c.method = f.method;
  c.headers = f.headers.filter((h) => h.name.trim() !== '' || h.value.trim() !== '').map((h) => [h.name.trim(), h.value]);
  c.secretHeaders = f.headers.filter((h) => h.secret && h.name.trim() !== '').map((h) => h.name.trim());
  c.body = f.method === 'GET' || f.body === '' ? null : f.body;
  c.secretBody = c.body !== null && f.bodySecret;
  c.initialLastEventId = f.lastEventId === '' ? null : f.lastEventId;
  c.lastEventIdTransport = f.leidMode === 'query' ? { mode: 'query', param: f.leidParam.trim() } : { mode: 'header' };
  c.connectTimeoutMs = num(f.connectTimeout);
  c.idleTimeoutMs = num(f.idleTimeout);
  const initial = num(f.initialDelay) ?? 3000;
  const factor = num(f.backoffFactor) ?? 1;
  // The profile's knobs that have no field of their own (jitter model, 204, caps) come with it.
  const base = profileById(f.profile)?.reconnect;
  c.profile = f.profile;
  c.reconnect = {
    ...base,
    initialDelayMs: initial,
    backoffFactor: factor,
    maxDelayMs: factor > 1 ? (num(f.maxDelay) ?? 30000) : initial,
    jitter: num(f.jitter) ?? 0,
    backoffResetAfterMs: base?.backoffResetAfterMs ?? null,
    maxAttempts: num(f.maxAttempts),
    retryOnHttpError: f.retryHttpErrors,
  };
  return c;
}

/** Errors for the header rows as the user numbered them (blank rows are not sent, so not checked). */
function headerErrors(f: FormState): FieldError[] {
  return f.headers.flatMap((h, i) => {
    if (h.name.trim() === '' && h.value.trim() === '') return [];
    const message = checkHeader(h.name.trim(), h.value);
    return message ? [{ field: `headers.${i}`, message }] : [];
  });
}

export interface ConnectFormProps {
  onConnect(config: ConnectionConfig): Promise<FieldError[]>;
}

export function ConnectForm({ onConnect }: ConnectFormProps) {
  const [form, setForm] = useState<FormState>(EMPTY);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [recent, setRecent] = useState<Recent[]>(loadRecent);
  const [busy, setBusy] = useState(false);
  const [advanced, setAdvanced] = useState(false);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const setHeader = (i: number, patch: Partial<HeaderRow>) =>
    setForm((f) => ({
      ...f,
      headers: f.headers.map((h, j) => {
        if (j !== i) return h;
        const next = { ...h, ...patch };
        if (patch.name !== undefined) next.secret = h.secret || isSecretHeader(patch.name);
        return next;
      }),
    }));
  const errorFor = (field: string) => errors.find((e) => e.field === field || e.field.startsWith(`${field}.`))?.message;

  async function submit(form: FormState): Promise<void> {
    const config = toConfig(form);
    const found = [...validateConfig(config).filter((x) => !x.field.startsWith('headers.')), ...headerErrors(form)];
    if (form.url.includes(REDACTED)) found.push({ field: 'url', message: `Replace ${REDACTED} in the URL with the real value` });
    form.headers.forEach((h, i) => {
      if (h.value.includes(REDACTED)) found.push({ field: `headers.${i}`, message: `Enter the real value of ${h.name}` });
    });
    if (config.body?.includes(REDACTED)) found.push({ field: 'body', message: 'Enter the real body' });
    setErrors(found);
    if (found.length > 0) return;
    setBusy(true);
    try {
      const rejected = await onConnect(config);
      setErrors(rejected);
      if (rejected.length === 0) setRecent(rememberRecent(config));
    } finally {
      setBusy(false);
    }
  }

  /** One click: connect again at once, unless a secret value must be typed in first. */
  function useRecent(r: Recent): void {
    const next = fromConfig(r.config);
    setForm(next);
    const missing = next.headers.findIndex((h) => h.secret && h.value === '');
    const asks: FieldError[] = [];
    if (missing >= 0) asks.push({ field: `headers.${missing}`, message: `Enter the value of ${next.headers[missing]!.name}: secrets are not remembered` });
    if (next.bodySecret && next.body === '') asks.push({ field: 'body', message: 'Enter the body: a secret body is not remembered' });
    if (asks.length > 0) {
      setErrors(asks);
      return;
    }
    void submit(next);
  }

  const valueProps = (h: HeaderRow, i: number) => ({
    class: 'mono grow',
    'data-testid': 'header-value',
    placeholder: h.name.toLowerCase() === 'authorization' ? 'Bearer …' : 'Value',
    value: h.value,
    onInput: (e: Event) => setHeader(i, { value: (e.currentTarget as HTMLInputElement).value }),
    'aria-label': `Header ${i + 1} value`,
    spellcheck: false,
    autocomplete: 'off',
  });

  const err = (field: string) => {
    const message = errorFor(field);
    return message ? (
      <div class="field-error" data-testid="field-error" data-field={field} role="alert">
        {message}
      </div>
    ) : null;
  };

  return (
    <form class="connect-form" data-testid="connect-form" onSubmit={(e) => (e.preventDefault(), void submit(form))} novalidate>
      <div class="row">
        <select data-testid="method-select" value={form.method} onChange={(e) => set('method', e.currentTarget.value)} aria-label="Method">
          {['GET', 'POST', 'PUT', 'PATCH'].map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
        <input
          class="grow mono"
          data-testid="url-input"
          placeholder="https://api.example.com/stream"
          value={form.url}
          onInput={(e) => set('url', e.currentTarget.value)}
          onBlur={() => form.url && setErrors((es) => [...es.filter((x) => x.field !== 'url'), ...(checkUrl(form.url.trim()) ? [{ field: 'url', message: checkUrl(form.url.trim())! }] : [])])}
          aria-label="URL"
          spellcheck={false}
        />
      </div>
      {err('url')}
      <div class="section-title">Headers</div>
      {form.headers.map((h, i) => (
        <div key={i}>
          <div class="row" data-testid="header-row">
            <input class="mono hname" data-testid="header-name" placeholder="Name" value={h.name} onInput={(e) => setHeader(i, { name: e.currentTarget.value })} aria-label={`Header ${i + 1} name`} spellcheck={false} />
            {h.secret && !h.revealed ? <input type="password" {...valueProps(h, i)} /> : <input type="text" {...valueProps(h, i)} />}
            <button type="button" class={`icon ${h.secret ? 'on' : ''}`} title={h.secret ? 'Secret: masked in the timeline and exports. Click to unmark' : 'Mark as secret'} data-testid="header-secret" onClick={() => setHeader(i, { secret: !h.secret })}>
              <LockIcon />
            </button>
            {h.secret && (
              <button type="button" class="icon" title={h.revealed ? 'Hide value' : 'Reveal value'} data-testid="header-reveal" onClick={() => setHeader(i, { revealed: !h.revealed })}>
                <EyeIcon crossed={h.revealed} />
              </button>
            )}
            <button type="button" class="icon" title="Remove header" onClick={() => set('headers', form.headers.filter((_, j) => j !== i))}>
              ✕
            </button>
          </div>
          {err(`headers.${i}`)}
        </div>
      ))}
      <button type="button" class="link" data-testid="add-header" onClick={() => set('headers', [...form.headers, { name: '', value: '', secret: false, revealed: false }])}>
        + Add header
      </button>
      {form.method !== 'GET' && (
        <>
          <div class="row">
            <span class="section-title inline">Body</span>
            <button type="button" class={`icon ${form.bodySecret ? 'on' : ''}`} title={form.bodySecret ? 'Secret: masked in the timeline, storage and exports. Click to unmark' : 'Mark the body as secret'} data-testid="body-secret" aria-pressed={form.bodySecret} onClick={() => set('bodySecret', !form.bodySecret)}>
              <LockIcon />
            </button>
          </div>
          <textarea class="mono" data-testid="body-input" rows={3} value={form.body} onInput={(e) => set('body', e.currentTarget.value)} aria-label="Body" />
          {err('body')}
        </>
      )}
      <div class="section-title">Last-Event-ID</div>
      <div class="row">
        <input class="mono grow" data-testid="last-event-id-input" placeholder="initial id (optional)" value={form.lastEventId} onInput={(e) => set('lastEventId', e.currentTarget.value)} aria-label="Initial Last-Event-ID" />
        <select data-testid="leid-mode" value={form.leidMode} onChange={(e) => set('leidMode', e.currentTarget.value as 'header' | 'query')} aria-label="Send Last-Event-ID as">
          <option value="header">as header</option>
          <option value="query">as query param</option>
        </select>
        {form.leidMode === 'query' && <input class="mono short" data-testid="leid-param" value={form.leidParam} onInput={(e) => set('leidParam', e.currentTarget.value)} aria-label="Query parameter name" />}
      </div>
      {err('initialLastEventId')}
      {err('lastEventIdTransport')}
      <div class="section-title">Client profile</div>
      <select
        class="grow"
        data-testid="profile-select"
        value={form.profile ?? ''}
        title={profileById(form.profile)?.summary ?? 'Set timeouts and reconnect behaviour yourself'}
        onChange={(e) => {
          const profile = profileById(e.currentTarget.value);
          // Keep what identifies the stream; take timeouts, reconnect and Last-Event-ID handling from the client.
          setForm((f) => (profile ? { ...fromConfig(applyProfile(toConfig(f), profile)), url: f.url, headers: f.headers, body: f.body, lastEventId: f.lastEventId } : { ...f, profile: null }));
        }}
        aria-label="Client profile"
      >
        <option value="">Custom</option>
        {PROFILES.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      {form.profile && <div class="hint" data-testid="profile-summary">{profileById(form.profile)?.summary}</div>}
      <div class="section-title">Timeouts (ms)</div>
      <div class="row">
        <label>
          connect <input class="num" data-testid="connect-timeout" placeholder="none" value={form.connectTimeout} onInput={(e) => set('connectTimeout', e.currentTarget.value)} />
        </label>
        <label>
          idle <input class="num" data-testid="idle-timeout" placeholder="none" value={form.idleTimeout} onInput={(e) => set('idleTimeout', e.currentTarget.value)} />
        </label>
      </div>
      {err('connectTimeoutMs')}
      {err('idleTimeoutMs')}
      <button type="button" class="link" onClick={() => setAdvanced(!advanced)} data-testid="toggle-reconnect">
        {advanced ? '▾' : '▸'} Reconnect policy
      </button>
      {advanced && (
        <div class="grid2">
          <label>
            delay <input class="num" data-testid="reconnect-delay" value={form.initialDelay} onInput={(e) => set('initialDelay', e.currentTarget.value)} />
          </label>
          <label>
            backoff × <input class="num" data-testid="backoff-factor" value={form.backoffFactor} onInput={(e) => set('backoffFactor', e.currentTarget.value)} />
          </label>
          <label>
            max delay <input class="num" data-testid="max-delay" value={form.maxDelay} onInput={(e) => set('maxDelay', e.currentTarget.value)} />
          </label>
          <label>
            jitter 0–1 <input class="num" data-testid="jitter" value={form.jitter} onInput={(e) => set('jitter', e.currentTarget.value)} />
          </label>
          <label>
            max attempts <input class="num" data-testid="max-attempts" placeholder="∞" value={form.maxAttempts} onInput={(e) => set('maxAttempts', e.currentTarget.value)} />
          </label>
          <label class="check">
            <input type="checkbox" data-testid="retry-http-errors" checked={form.retryHttpErrors} onChange={(e) => set('retryHttpErrors', e.currentTarget.checked)} /> retry HTTP errors
          </label>
        </div>
      )}
      {errors
        .filter((e) => e.field.startsWith('reconnect.') || ['method', 'permission', 'headers', 'secretHeaders'].includes(e.field))
        .map((e) => (
          <div class="field-error" data-testid="field-error" data-field={e.field} role="alert" key={e.field}>
            {e.message}
          </div>
        ))}
      <div class="row actions">
        <button type="submit" class="primary" data-testid="connect-button" disabled={busy}>
          {busy ? 'Connecting…' : 'Connect'}
        </button>
        <button type="button" onClick={() => (setForm(EMPTY), setErrors([]))}>
          Clear
        </button>
      </div>
      {recent.length > 0 && (
        <div class="recent">
          <div class="section-title">Recent</div>
          {recent.map((r) => (
            <button type="button" class="recent-item mono" data-testid="recent-item" title="Fill the form with this connection (secret values are not kept)" key={`${r.config.method} ${r.config.url}`} onClick={() => useRecent(r)}>
              {r.config.method} {r.config.url}
            </button>
          ))}
        </div>
      )}
    </form>
  );
}
