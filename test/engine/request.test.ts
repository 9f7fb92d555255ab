/** The request an attempt sends and the checks on its response: pure, no server needed. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultConfig, type ConnectionConfig } from '../../src/core/config.js';
import { buildRequest, checkResponse, failureBeforeSending } from '../../src/core/engine/request.js';

const cfg = (patch: Partial<ConnectionConfig> = {}): ConnectionConfig => ({ ...defaultConfig('https://api.example.com/events?topic=a'), ...patch });
const header = (headers: [string, string][], name: string) => headers.find(([n]) => n === name)?.[1];

describe('buildRequest', () => {
  test('without a last event ID nothing is sent for it, and Accept: text/event-stream is added', () => {
    const plan = buildRequest(cfg(), '', null);
    assert.equal(plan.url, 'https://api.example.com/events?topic=a');
    assert.deepEqual(plan.headers, [['accept', 'text/event-stream']]);
    assert.equal(plan.lastEventIdVia, 'none');
    assert.equal(plan.error, null);
  });

  test("the user's own Accept header is kept", () => {
    const plan = buildRequest(cfg({ headers: [['Accept', 'text/event-stream, */*']] }), '', null);
    assert.equal(header(plan.headers, 'accept'), 'text/event-stream, */*');
  });

  test('the last event ID goes in the Last-Event-ID header as its UTF-8 bytes', () => {
    const plan = buildRequest(cfg(), 'café-7', null);
    assert.equal(plan.lastEventIdVia, 'header');
    assert.equal(header(plan.headers, 'last-event-id'), 'cafÃ©-7');
    assert.equal(plan.url, 'https://api.example.com/events?topic=a');
  });

  test('a client that sends it as a query parameter keeps the rest of the query and sends no header', () => {
    const plan = buildRequest(cfg({ lastEventIdTransport: { mode: 'query', param: 'lastEventId' } }), 'a b', null);
    assert.equal(plan.lastEventIdVia, 'query');
    assert.equal(plan.url, 'https://api.example.com/events?topic=a&lastEventId=a+b');
    assert.equal(header(plan.headers, 'last-event-id'), undefined);
  });

  test("a simulation's headers replace the configured ones of the same name and count as secrets", () => {
    const plan = buildRequest(cfg({ headers: [['Authorization', 'Bearer good']], secretHeaders: ['X-Key'] }), '', [['authorization', 'Bearer expired'], ['X-Session', 's']]);
    assert.equal(header(plan.headers, 'authorization'), 'Bearer expired');
    assert.equal(header(plan.headers, 'x-session'), 's');
    assert.deepEqual(plan.secretHeaders, ['X-Key', 'authorization', 'X-Session']);
  });

  test('a header the platform refuses leaves a request that says why, with only Accept', () => {
    const plan = buildRequest(cfg({ headers: [['Authorization', 'Bearer good']] }), '42', [['Authorization', 'bad\nvalue']]);
    assert.notEqual(plan.error, null);
    assert.deepEqual(plan.headers, [['accept', 'text/event-stream']]);
    assert.equal(plan.lastEventIdVia, 'none');
    assert.equal(plan.url, 'https://api.example.com/events?topic=a');
    assert.deepEqual(plan.secretHeaders, ['Authorization']);
  });
});

describe('failureBeforeSending', () => {
  const sendable = buildRequest(cfg(), '', null);

  test('a request that could not be built fails with its reason', () => {
    const refused = buildRequest(cfg(), '', [['X', 'a\r\nb']]);
    assert.match(failureBeforeSending(refused, 0, 1000) ?? '', /^the request could not be built: /);
  });

  test('while offline the attempt fails and says how long the outage lasts, in whole seconds up', () => {
    assert.equal(failureBeforeSending(sendable, 3500, 1000), 'simulated offline: no network for another 3 s');
  });

  test('once the outage is over, or with none, the request may go', () => {
    assert.equal(failureBeforeSending(sendable, 1000, 1000), null);
    assert.equal(failureBeforeSending(sendable, 0, 1000), null);
  });
});

describe('checkResponse', () => {
  const response = (status: number, contentType: string | null, statusText = '') => ({
    status,
    statusText,
    headers: new Headers(contentType === null ? {} : { 'Content-Type': contentType }),
  });

  test('200 with text/event-stream, whatever its parameters and case, may be read', () => {
    assert.equal(checkResponse(response(200, 'text/event-stream')), null);
    assert.equal(checkResponse(response(200, 'Text/Event-Stream; charset=utf-8')), null);
  });

  test('204 asks the client to stop', () => {
    assert.equal(checkResponse(response(204, null))?.reason, 'no-content');
  });

  test('any other status is an HTTP error, with its status text when there is one', () => {
    assert.deepEqual(checkResponse(response(401, 'text/event-stream', 'Unauthorized')), { reason: 'http-error', detail: 'HTTP 401 Unauthorized' });
    assert.deepEqual(checkResponse(response(502, null)), { reason: 'http-error', detail: 'HTTP 502' });
  });

  test('a wrong or missing Content-Type fails the connection and says what came instead', () => {
    assert.deepEqual(checkResponse(response(200, 'application/json')), { reason: 'bad-content-type', detail: 'Content-Type is "application/json", not text/event-stream' });
    assert.deepEqual(checkResponse(response(200, null)), { reason: 'bad-content-type', detail: 'the response has no Content-Type; expected text/event-stream' });
  });
});
