/**
 * The connection form. Bad input gets a message next to its field and nothing is sent; the checks
 * are core's validateConfig, the same the CLI uses.
 */
import { useEffect, useState } from 'preact/hooks';
import { checkUrl, type ConnectionConfig, type FieldError } from '../../core/config.js';
import { isForbiddenRequestHeader } from '../../core/forbidden-headers.js';
import { isSecretHeader } from '../../core/secrets.js';
import { profileById, PROFILES } from '../../core/profiles.js';
import { checkForm, EMPTY_FORM, formFromConfig, missingSecrets, withProfile, type FormState, type HeaderRow } from '../connect-form-state.js';
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

/** A numeric field kept as typed text: checkForm, not the input, says what is wrong with it. */
function NumberField({ label, testId, value, placeholder, onValue }: { label: string; testId: string; value: string; placeholder?: string; onValue: (value: string) => void }) {
  return (
    <label>
      {label} <input class="num" data-testid={testId} placeholder={placeholder} value={value} onInput={(e) => onValue(e.currentTarget.value)} />
    </label>
  );
}

/** What Connect waits for that is out of the panel's hands (the browser's permission prompt), and how to stop waiting. */
export interface PendingConnect {
  message: string;
  cancel(): void;
}

export interface ConnectFormProps {
  /** Resolves with what is wrong, or null when the user cancelled: nothing was connected and nothing is wrong. */
  onConnect(config: ConnectionConfig): Promise<FieldError[] | null>;
  pending?: PendingConnect | null;
  /** A config to fill the form with (Open in lab); a new object fills it again. */
  fill?: ConnectionConfig | null;
  /** Said beside the body while it is still the one `fill` brought (e.g. a page's body captured only in part). */
  bodyNotice?: string | null;
}

export function ConnectForm({ onConnect, pending = null, fill = null, bodyNotice = null }: ConnectFormProps) {
  const [form, setForm] = useState<FormState>(EMPTY_FORM);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [recent, setRecent] = useState<Recent[]>(loadRecent);
  const [busy, setBusy] = useState(false);
  const [advanced, setAdvanced] = useState(false);

  useEffect(() => {
    if (fill === null) return;
    setForm(formFromConfig(fill));
    setErrors([]);
  }, [fill]);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const setHeader = (i: number, patch: Partial<HeaderRow>) =>
    setForm((f) => ({
      ...f,
      headers: f.headers.map((h, j) => {
        if (j !== i) return h;
        const next = { ...h, ...patch };
        if (patch.name !== undefined) {
          next.secret = h.secret || isSecretHeader(patch.name);
          // Renamed, the offered row is the user's own.
          next.offered = false;
        }
        return next;
      }),
    }));
  const errorFor = (field: string) => errors.find((e) => e.field === field || e.field.startsWith(`${field}.`))?.message;

  async function submit(form: FormState): Promise<void> {
    const { config, errors: found } = checkForm(form);
    setErrors(found);
    if (found.length > 0) return;
    setBusy(true);
    try {
      const rejected = await onConnect(config);
      setErrors(rejected ?? []);
      if (rejected?.length === 0) setRecent(rememberRecent(config));
    } finally {
      setBusy(false);
    }
  }

  /** One click: connect again at once, unless a secret value must be typed in first. */
  function useRecent(r: Recent): void {
    const next = formFromConfig(r.config);
    setForm(next);
    const asks = missingSecrets(next);
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
          {err(`headers.${i}`) ?? (isForbiddenRequestHeader(h.name.trim()) && h.value !== '' && (
            <div class="hint" data-testid="header-hint">
              fetch cannot set {h.name.trim()}: sent by a browser rule on this connection's requests only
            </div>
          ))}
        </div>
      ))}
      <button type="button" class="link" data-testid="add-header" onClick={() => set('headers', [...form.headers, { name: '', value: '', secret: false, revealed: false }])}>
        + Add header
      </button>
      <label class="check" title="Off: this connection keeps its own cookies (what its server set), sends them on its own reconnects only, and leaves the browser's cookie jar alone">
        <input type="checkbox" data-testid="browser-cookies" checked={form.browserCookies} onChange={(e) => set('browserCookies', e.currentTarget.checked)} /> Send the browser's cookies for this origin
      </label>
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
          {bodyNotice !== null && fill !== null && form.body === (fill.body ?? '') && (
            <div class="field-warning" data-testid="body-cut-notice" role="note">
              {bodyNotice}
            </div>
          )}
        </>
      )}
      <div class="section-title">Last-Event-ID</div>
      <div class="row">
        <input class="mono grow" data-testid="last-event-id-input" placeholder="initial id (optional)" value={form.lastEventId} onInput={(e) => set('lastEventId', e.currentTarget.value)} aria-label="Initial Last-Event-ID" />
        <select data-testid="leid-mode" value={form.lastEventIdAs} onChange={(e) => set('lastEventIdAs', e.currentTarget.value === 'query' ? 'query' : 'header')} aria-label="Send Last-Event-ID as">
          <option value="header">as header</option>
          <option value="query">as query param</option>
        </select>
        {form.lastEventIdAs === 'query' && <input class="mono short" data-testid="leid-param" value={form.lastEventIdParam} onInput={(e) => set('lastEventIdParam', e.currentTarget.value)} aria-label="Query parameter name" />}
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
          const id = e.currentTarget.value;
          setForm((f) => withProfile(f, id));
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
        <NumberField label="connect" testId="connect-timeout" placeholder="none" value={form.connectTimeout} onValue={(v) => set('connectTimeout', v)} />
        <NumberField label="idle" testId="idle-timeout" placeholder="none" value={form.idleTimeout} onValue={(v) => set('idleTimeout', v)} />
      </div>
      {err('connectTimeoutMs')}
      {err('idleTimeoutMs')}
      <button type="button" class="link" onClick={() => setAdvanced(!advanced)} data-testid="toggle-reconnect">
        {advanced ? '▾' : '▸'} Reconnect policy
      </button>
      {advanced && (
        <div class="grid2">
          <NumberField label="delay" testId="reconnect-delay" value={form.initialDelay} onValue={(v) => set('initialDelay', v)} />
          <NumberField label="backoff ×" testId="backoff-factor" value={form.backoffFactor} onValue={(v) => set('backoffFactor', v)} />
          <NumberField label="max delay" testId="max-delay" value={form.maxDelay} onValue={(v) => set('maxDelay', v)} />
          <NumberField label="jitter 0–1" testId="jitter" value={form.jitter} onValue={(v) => set('jitter', v)} />
          <NumberField label="max attempts" testId="max-attempts" placeholder="∞" value={form.maxAttempts} onValue={(v) => set('maxAttempts', v)} />
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
        {pending ? (
          <button type="button" data-testid="permission-cancel" onClick={pending.cancel}>
            Cancel
          </button>
        ) : (
          <button type="button" data-testid="form-clear" onClick={() => (setForm(EMPTY_FORM), setErrors([]))}>
            Clear
          </button>
        )}
      </div>
      {pending && (
        <div class="hint pending" data-testid="permission-wait" role="status">
          {pending.message}
        </div>
      )}
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
