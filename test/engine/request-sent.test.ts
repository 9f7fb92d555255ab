/**
 * The request as sent, in Node (the CLI's engine), against a real server: a connection keeps the
 * cookies its server set and sends them on its own later attempts only; headers a browser's fetch
 * forbids go out as given; the request-sent entry says honestly that Node's headers were not
 * observed; and a Set-Cookie is shown in the response, masked.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createConnection, type KeptCookie } from '../../src/core/engine.js';
import type { ConnectionOptions } from '../../src/core/engine/connection.js';
import { CookieJar, withCookies } from '../../src/core/engine/cookies.js';
import { attributeSent, plannedSources } from '../../src/core/engine/sent-headers.js';
import type { RequestSentEntry, ResponseEntry } from '../../src/core/timeline.js';
import { config, run } from '../helpers/harness.js';
import { startRawServer, type RawServer } from '../helpers/raw-server.js';

const servers: RawServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

/** One event per request and the end; a request without `sid` is given one naming its `tag`. */
async function cookieServer(): Promise<RawServer> {
  const server = await startRawServer((res, req) => {
    const tag = new URL(req.url ?? '/', 'http://x').searchParams.get('tag');
    const setCookie = /\bsid=/.test(req.headers.cookie ?? '') ? {} : { 'Set-Cookie': [`sid=from-${tag}-abcdefgh; Path=/`, 'gone=1; Max-Age=0'] };
    res.writeHead(200, { 'Content-Type': 'text/event-stream', ...setCookie });
    res.end('data: x\n\n');
  });
  servers.push(server);
  return server;
}

describe('the request as sent, in Node', () => {
  test("a Set-Cookie of attempt 1 goes with attempt 2 of the same connection, after the form's cookie, and not with another connection", async () => {
    const server = await cookieServer();
    const a = run(config(`${server.url}?tag=a`, { headers: [['Cookie', 'manual=1'], ['User-Agent', 'MyApp/1.0']], reconnect: { initialDelayMs: 10, maxDelayMs: 10 } }));
    await a.until((es) => es.filter((e) => e.kind === 'attempt-ended').length >= 2, 'two attempts');
    a.connection.close();
    const b = run(config(`${server.url}?tag=b`));
    await b.until((es) => es.some((e) => e.kind === 'attempt-ended'), 'one attempt');
    b.connection.close();

    const [first, second, other] = server.requests;
    assert.equal(first!.headers.cookie, 'manual=1');
    assert.equal(first!.headers['user-agent'], 'MyApp/1.0', "Node's fetch sends the form's User-Agent");
    assert.equal(second!.headers.cookie, 'manual=1; sid=from-a-abcdefgh', 'the expired cookie is not sent');
    assert.equal(other!.headers.cookie, undefined);

    const sent = a.entries.filter((e): e is RequestSentEntry => e.kind === 'request-sent');
    assert.equal(sent.length, 2);
    assert.equal(sent[0]!.observed, false);
    assert.match(sent[0]!.detail, /as configured \(not observed\)/);
    assert.deepEqual(sent[1]!.headers.find(([n]) => n === 'cookie'), ['cookie', '[redacted]', 'sse-devtools']);
    assert.deepEqual(sent[0]!.headers.find(([n]) => n === 'user-agent'), ['user-agent', 'MyApp/1.0', 'form']);
    const response = a.entries.find((e): e is ResponseEntry => e.kind === 'response')!;
    assert.deepEqual(response.headers.filter(([n]) => n === 'set-cookie'), [['set-cookie', '[redacted]'], ['set-cookie', '[redacted]']]);
    assert.doesNotMatch(JSON.stringify(a.entries), /from-a-abcdefgh/, "the connection's cookie is a secret everywhere");
  });

  test('a connection resumed with the cookies it reported sends them on its first attempt, the expired ones not', async () => {
    const server = await cookieServer();
    const url = `${server.url}?tag=a`;
    const reported: KeptCookie[][] = [];
    /** One attempt of a fresh engine, to its end. */
    const once = (options: Partial<ConnectionOptions>) =>
      new Promise<void>((resolve) => {
        createConnection({ id: 'a', config: config(url, { reconnect: { maxAttempts: 1 } }), onEntry: () => {}, onState: (s) => s.phase === 'closed' && resolve(), ...options }).start();
      });
    const before = Date.now();
    await once({ onCookies: (c) => reported.push(c) });
    // The Max-Age=0 of a cookie the jar never held changes nothing: one report.
    assert.deepEqual(reported, [[{ name: 'sid', value: 'from-a-abcdefgh', expires: null }]]);

    const seed = [...reported[0]!, { name: 'old', value: 'gone', expires: before - 1000 }, { name: 'later', value: 'kept', expires: before + 3_600_000 }];
    await once({ resume: { lastEventId: '', retryMs: null, nextAttempt: 2, nextSeq: 10, cookies: seed } });
    assert.equal(server.requests[1]!.headers.cookie, 'sid=from-a-abcdefgh; later=kept');
  });

  test('with the browser\'s cookies chosen, the connection keeps none of its own (the browser would)', async () => {
    const server = await cookieServer();
    const a = run(config(`${server.url}?tag=a`, { sendBrowserCookies: true, reconnect: { initialDelayMs: 10, maxDelayMs: 10 } }));
    await a.until((es) => es.filter((e) => e.kind === 'attempt-ended').length >= 2, 'two attempts');
    a.connection.close();
    assert.equal(server.requests[1]!.headers.cookie, undefined);
  });
});

describe('a connection\'s cookie jar', () => {
  test('Max-Age wins over Expires, a past expiry removes, a later Set-Cookie replaces', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    const jar = new CookieJar();
    jar.store(['a=1', 'b=2; Expires=Thu, 01 Jan 2099 00:00:00 GMT; Max-Age=1', 'c=3; Expires=Thu, 01 Jan 1970 00:00:01 GMT', 'bad', '=x'], now);
    assert.equal(jar.header(now), 'a=1; b=2');
    assert.equal(jar.header(now + 1000), 'a=1', 'b expired after its Max-Age');
    jar.store(['a=9', 'c=4'], now + 1000);
    assert.equal(jar.header(now + 1000), 'a=9; c=4');
    jar.store(['a=; Max-Age=0'], now + 1000);
    assert.equal(jar.header(now + 1000), 'c=4');
  });

  test('a hostile server cannot grow it without bound', () => {
    const jar = new CookieJar();
    jar.store(Array.from({ length: 500 }, (_, i) => `k${i}=v`), 0);
    assert.equal(jar.header(0)?.split('; ').length, 50);
  });

  test("its cookies join the form's Cookie header rather than sending a second one", () => {
    assert.deepEqual(withCookies([['Cookie', 'm=1'], ['accept', 'x']], 's=2'), [['Cookie', 'm=1; s=2'], ['accept', 'x']]);
    assert.deepEqual(withCookies([['accept', 'x']], 's=2'), [['accept', 'x'], ['cookie', 's=2']]);
    assert.deepEqual(withCookies([['accept', 'x']], null), [['accept', 'x']]);
  });
});

describe('who put each header in the request', () => {
  const planned = plannedSources(
    [['user-agent', 'MyApp/1.0'], ['accept', 'text/event-stream'], ['x-gone', '1']],
    [['User-Agent', 'MyApp/1.0'], ['X-Gone', '1']],
  );

  test('observed: as asked keeps its source, anything else is the browser\'s, and what did not go out is dropped', () => {
    const { headers, dropped } = attributeSent(planned, [['User-Agent', 'MyApp/1.0'], ['accept', 'text/event-stream'], ['Sec-Fetch-Mode', 'cors']]);
    assert.deepEqual(headers, [['User-Agent', 'MyApp/1.0', 'form'], ['accept', 'text/event-stream', 'sse-devtools'], ['Sec-Fetch-Mode', 'cors', 'browser']]);
    assert.deepEqual(dropped, [['x-gone', '1']]);
  });

  test('a value the browser changed is the browser\'s, not the form\'s', () => {
    const { headers } = attributeSent(planned, [['user-agent', 'Chrome/156'], ['accept', 'text/event-stream'], ['x-gone', '1']]);
    assert.deepEqual(headers[0], ['user-agent', 'Chrome/156', 'browser']);
  });

  test('not observed: the planned headers, as they are', () => {
    assert.deepEqual(attributeSent(planned, null), { headers: planned, dropped: [] });
  });
});
