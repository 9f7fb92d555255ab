/**
 * The connect form's mapping between what the user typed and the ConnectionConfig it sends: a
 * config shown in the form comes back unchanged, the empty form sends the spec's defaults, and the
 * checks are core's, with messages placed by the form's own rows.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultConfig, validateConfig, type ConnectionConfig } from '../core/config.js';
import { applyProfile, PROFILES } from '../core/profiles.js';
import { REDACTED } from '../core/secrets.js';
import { checkForm, configFromForm, EMPTY_FORM, formFromConfig, missingSecrets, withProfile, type FormState } from './connect-form-state.js';

const URL = 'https://api.example.com/stream';

function fullConfig(): ConnectionConfig {
  const c = defaultConfig(URL);
  c.method = 'POST';
  c.headers = [
    ['Authorization', 'Bearer abc.def'],
    ['X-Api-Key', 'k-123456789'],
    ['Accept-Language', 'en'],
  ];
  c.secretHeaders = ['Authorization', 'X-Api-Key'];
  c.body = '{"password":"hunter2hunter2"}';
  c.secretBody = true;
  c.initialLastEventId = '41';
  c.lastEventIdTransport = { mode: 'query', param: 'since' };
  c.connectTimeoutMs = 5000;
  c.idleTimeoutMs = 45000;
  c.reconnect = { ...c.reconnect, initialDelayMs: 1000, backoffFactor: 2, maxDelayMs: 60000, jitter: 0.5, maxAttempts: 7, retryOnHttpError: true };
  return c;
}

const form = (patch: Partial<FormState>): FormState => ({ ...EMPTY_FORM, url: URL, ...patch });

describe('connect form state', () => {
  test('a config shown in the form comes back unchanged', () => {
    const c = fullConfig();
    assert.deepEqual(configFromForm(formFromConfig(c)), c);
  });

  test('a profile config shown in the form comes back unchanged, its extra reconnect knobs included', () => {
    for (const profile of PROFILES) {
      const c = applyProfile(defaultConfig(URL), profile);
      assert.deepEqual(configFromForm(formFromConfig(c)), c, profile.id);
    }
  });

  test('the empty form sends the spec defaults: the offered Authorization row goes only once it has a value', () => {
    const expected = defaultConfig(URL);
    expected.secretHeaders = ['Authorization'];
    assert.deepEqual(configFromForm(form({})), expected, 'no empty authorization header');
    const typed = configFromForm(form({ headers: [{ ...EMPTY_FORM.headers[0]!, value: 'Bearer t' }] }));
    assert.deepEqual(typed.headers, [['Authorization', 'Bearer t']]);
  });

  test('a named row the user added with an empty value is a header with an empty value, and is sent', () => {
    const c = configFromForm(form({ headers: [{ name: 'X-Empty', value: '', secret: false, revealed: false }] }));
    assert.deepEqual(c.headers, [['X-Empty', '']]);
  });

  test('validation messages name the fields as the form labels them', () => {
    const { errors } = checkForm(form({ connectTimeout: 'soon', idleTimeout: '-1', initialDelay: '1.5', backoffFactor: '0.5', jitter: '2', maxAttempts: '0' }));
    const messages = errors.map((e) => e.message).join('\n');
    for (const label of ['Connect timeout', 'Idle timeout', 'Reconnect delay', 'Backoff factor', 'Jitter', 'Max attempts']) assert.match(messages, new RegExp(`^${label} must`, 'm'));
    assert.doesNotMatch(messages, /Ms\b|reconnect\./, messages);
  });

  test('a header no client lets anyone choose is refused with the reason; one fetch forbids is accepted (it is sent by a rule)', () => {
    const refused = checkForm(form({ headers: [{ name: 'Host', value: 'evil', secret: false, revealed: false }] })).errors;
    assert.match(refused.find((e) => e.field === 'headers.0')?.message ?? '', /Host comes from the URL/);
    const accepted = checkForm(form({ headers: [{ name: 'User-Agent', value: 'MyApp/1.0', secret: false, revealed: false }, { name: 'Cookie', value: 'a=1', secret: true, revealed: false }] })).errors;
    assert.deepEqual(accepted, []);
  });

  test('blank header rows are not sent; names are trimmed, values kept as typed', () => {
    const c = configFromForm(
      form({
        headers: [
          { name: '  ', value: ' ', secret: true, revealed: false },
          { name: ' X-Trace ', value: ' a b ', secret: false, revealed: false },
        ],
      }),
    );
    assert.deepEqual(c.headers, [['X-Trace', ' a b ']]);
    assert.deepEqual(c.secretHeaders, []);
  });

  test('the Last-Event-ID goes as a query parameter only when chosen, with its name trimmed', () => {
    assert.deepEqual(configFromForm(form({ lastEventIdAs: 'query', lastEventIdParam: ' after ' })).lastEventIdTransport, { mode: 'query', param: 'after' });
    assert.deepEqual(configFromForm(form({ lastEventIdAs: 'header', lastEventIdParam: 'after' })).lastEventIdTransport, { mode: 'header' });
    assert.equal(formFromConfig(defaultConfig(URL)).lastEventIdParam, 'lastEventId', 'the query field starts with the polyfill default');
    assert.equal(configFromForm(form({ lastEventId: '' })).initialLastEventId, null);
    assert.equal(configFromForm(form({ lastEventId: '7' })).initialLastEventId, '7');
  });

  test('a body is sent only with a method that has one, and is secret only when there is one', () => {
    assert.equal(configFromForm(form({ method: 'GET', body: 'x', bodySecret: true })).body, null);
    assert.equal(configFromForm(form({ method: 'GET', body: 'x', bodySecret: true })).secretBody, false);
    assert.equal(configFromForm(form({ method: 'POST', body: '', bodySecret: true })).secretBody, false);
    const sent = configFromForm(form({ method: 'POST', body: 'token=x', bodySecret: true }));
    assert.equal(sent.body, 'token=x');
    assert.equal(sent.secretBody, true);
  });

  test('secret header rows stay secret in the form, by name or by the config marking them', () => {
    const rows = formFromConfig(fullConfig()).headers;
    assert.deepEqual(
      rows.map((h) => [h.name, h.secret, h.revealed]),
      [
        ['Authorization', true, false],
        ['X-Api-Key', true, false],
        ['Accept-Language', false, false],
      ],
    );
  });

  test('without backoff the delay is constant: max delay follows the delay', () => {
    const c = configFromForm(form({ initialDelay: '500', backoffFactor: '1', maxDelay: '9000' }));
    assert.equal(c.reconnect.maxDelayMs, 500);
    assert.equal(configFromForm(form({ initialDelay: '500', backoffFactor: '2', maxDelay: '9000' })).reconnect.maxDelayMs, 9000);
  });

  test("core's messages pass through, each for its field", () => {
    const f = form({ url: 'ftp://x', connectTimeout: 'soon', jitter: '2', backoffFactor: '0.5', maxAttempts: '0', lastEventIdAs: 'query', lastEventIdParam: ' ' });
    const { config, errors } = checkForm(f);
    const core = validateConfig(config);
    assert.ok(core.length >= 6);
    for (const e of core) assert.ok(errors.some((x) => x.field === e.field && x.message === e.message), `${e.field}: ${e.message}`);
  });

  test('header errors are numbered by the form rows, blank rows included', () => {
    const { errors } = checkForm(
      form({
        headers: [
          { name: '', value: '', secret: false, revealed: false },
          { name: 'Bad Name', value: 'v', secret: false, revealed: false },
        ],
      }),
    );
    assert.deepEqual(
      errors.map((e) => e.field),
      ['headers.1'],
    );
  });

  test('masked values cannot be sent as if they were the real ones', () => {
    const { errors } = checkForm(
      form({
        url: `${URL}?token=${REDACTED}`,
        method: 'POST',
        body: `{"password":"${REDACTED}"}`,
        headers: [{ name: 'Authorization', value: `Bearer ${REDACTED}`, secret: true, revealed: false }],
      }),
    );
    assert.deepEqual(errors.map((e) => e.field).sort(), ['body', 'headers.0', 'url']);
  });

  test('a valid form has no errors and its config is the one mapped', () => {
    const f = formFromConfig(fullConfig());
    const { config, errors } = checkForm(f);
    assert.deepEqual(errors, []);
    assert.deepEqual(config, fullConfig());
  });

  test('a remembered connection asks for the secrets it was stored without', () => {
    const stored = fullConfig();
    stored.headers = stored.headers.map(([n, v]) => [n, n === 'Accept-Language' ? v : '']);
    stored.body = '';
    const asks = missingSecrets(formFromConfig(stored));
    assert.deepEqual(
      asks.map((a) => a.field),
      ['headers.0', 'body'],
    );
    assert.deepEqual(missingSecrets(formFromConfig(fullConfig())), []);
  });

  test('choosing a profile keeps what identifies the stream and takes the rest from the client', () => {
    const typed = formFromConfig(fullConfig());
    for (const profile of PROFILES) {
      const next = withProfile(typed, profile.id);
      assert.equal(next.profile, profile.id);
      assert.equal(next.url, typed.url);
      assert.equal(next.headers, typed.headers);
      assert.equal(next.body, typed.body);
      assert.equal(next.lastEventId, typed.lastEventId);
      const sent = configFromForm(next);
      assert.deepEqual(sent.reconnect, profile.reconnect, profile.id);
      assert.deepEqual(sent.lastEventIdTransport, profile.lastEventIdTransport, profile.id);
      assert.equal(sent.connectTimeoutMs, profile.connectTimeoutMs, profile.id);
      assert.equal(sent.idleTimeoutMs, profile.idleTimeoutMs, profile.id);
    }
    assert.deepEqual(withProfile(withProfile(typed, PROFILES[0]!.id), null).profile, null);
  });
});
