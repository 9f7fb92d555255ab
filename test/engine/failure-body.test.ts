/**
 * The body of a response that is not a stream (a 401's JSON, the login page served instead of the
 * stream, a 500's message) is read, bounded and kept on the attempt's end, against real servers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportCapture } from '../../src/core/capture/export.js';
import { serializeCapture } from '../../src/core/capture/format.js';
import { parseCapture } from '../../src/core/capture/schema.js';
import { LIMITS } from '../../src/core/limits.js';
import { REDACTED } from '../../src/core/secrets.js';
import { config, run } from '../helpers/harness.js';
import { madeCapture } from '../helpers/captures.js';
import { sleep, startRawServer, type RawServer } from '../helpers/raw-server.js';

const LOGIN_PAGE = '<!doctype html><html><body><form action="/login"><input name="user"></form><script>alert(1)</script></body></html>';
const HUGE = 1024 * 1024;

let server: RawServer;
before(async () => {
  server = await startRawServer(async (res, req) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/echo-url\/.*/, '/echo-url');
    switch (path) {
      case '/401':
        res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer' });
        res.end(JSON.stringify({ error: 'invalid_token', message: `token ${req.headers.authorization ?? ''} expired` }));
        return;
      case '/echo-url':
        res.writeHead(403, { 'Content-Type': 'text/plain' });
        res.end(`forbidden: ${req.url ?? ''}`);
        return;
      case '/login':
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(LOGIN_PAGE);
        return;
      case '/500':
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('database unavailable: connection refused\n');
        return;
      case '/huge':
        res.writeHead(503, { 'Content-Type': 'text/plain', 'Content-Length': String(HUGE) });
        res.end('x'.repeat(HUGE));
        return;
      case '/trickle':
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.flushHeaders();
        // A byte every 100 ms, for ever: only the deadline ends the read.
        while (!res.destroyed) {
          res.write('.');
          await sleep(100);
        }
        return;
      default:
        res.writeHead(404).end();
    }
  });
});
after(() => server.close());

async function ended(path: string, headers: [string, string][] = []) {
  const r = run(config(`${server.url}${path.slice(1)}`, { headers, reconnect: { maxAttempts: 1 } }));
  await r.untilClosed();
  const end = r.ends()[0];
  assert.ok(end);
  return end;
}

describe('the body of a failed response', () => {
  test("a 401's JSON is kept with its content type and counted in the attempt's bytes", async () => {
    const end = await ended('/401');
    assert.equal(end.reason, 'http-error');
    assert.equal(end.status, 401);
    assert.deepEqual(JSON.parse(end.body?.text ?? 'null'), { error: 'invalid_token', message: 'token  expired' });
    assert.equal(end.body?.contentType, 'application/json');
    assert.equal(end.body?.cut, null);
    assert.equal(end.bytes, end.body?.bytes);
    assert.ok(end.bytes > 0);
  });

  test('a secret the server echoes in the body is masked', async () => {
    const end = await ended('/401', [['Authorization', 'Bearer sekrit-token-123']]);
    assert.doesNotMatch(end.body?.text ?? '', /sekrit/);
    assert.match(end.body?.text ?? '', new RegExp(REDACTED.replace(/[[\]]/g, '\\$&')));
  });

  test('the HTML login page served instead of the stream is kept as text', async () => {
    const end = await ended('/login');
    assert.equal(end.reason, 'bad-content-type');
    assert.equal(end.body?.text, LOGIN_PAGE);
    assert.equal(end.body?.contentType, 'text/html; charset=utf-8');
  });

  test("a 500's message is kept", async () => {
    const end = await ended('/500');
    assert.equal(end.body?.text, 'database unavailable: connection refused\n');
  });

  test('a huge body is cut at the limit, and says of how much', async () => {
    const end = await ended('/huge');
    assert.equal(end.body?.bytes, LIMITS.failureBodyBytes);
    assert.equal(end.body?.text.length, LIMITS.failureBodyBytes);
    assert.equal(end.body?.cut, 'size');
    assert.equal(end.body?.totalBytes, HUGE);
  });

  test('a body that trickles for ever is cut at the deadline and the attempt still ends', async () => {
    const end = await ended('/trickle');
    assert.equal(end.status, 502);
    assert.equal(end.body?.cut, 'deadline');
    assert.match(end.body?.text ?? '', /^\.+$/);
  });

  test('closing the connection while the body is read ends it at once as closed by the user', async () => {
    const r = run(config(`${server.url}trickle`, { reconnect: { maxAttempts: 1 } }));
    await r.until((es) => es.some((e) => e.kind === 'response'), 'the response');
    r.connection.close();
    await r.untilClosed(1000);
    assert.equal(r.ends()[0]?.reason, 'closed-by-user');
  });
});

describe('the body in a capture', () => {
  const TOKEN = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
  test('it is saved and loads again; a token-like URL part it echoes is redacted with the rest on export', async () => {
    const r = run(config(`${server.url}echo-url/${TOKEN}`, { reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    const source = { id: 'test', config: config(`${server.url}echo-url/${TOKEN}`), entries: r.entries };
    const kept = parseCapture(serializeCapture(exportCapture([source], '0.0.0')));
    assert.ok(kept.ok, kept.ok ? '' : kept.errors.join('\n'));
    const body = kept.capture.connections[0]!.entries.find((e) => e.kind === 'attempt-ended')?.body;
    assert.equal(body?.text, `forbidden: /echo-url/${TOKEN}`);
    const redacted = serializeCapture(exportCapture([source], '0.0.0', { redactSecrets: true, redactLastEventIds: false, redactTokenLikeUrlParts: true, channels: null, from: null, to: null }));
    assert.ok(!redacted.includes(TOKEN), 'the token is nowhere in the file, the body included');
  });

  test('a capture from before bodies were kept loads; one whose body passes the limit is refused', () => {
    const old = madeCapture([{ data: 'x' }]);
    assert.ok(parseCapture(serializeCapture(old)).ok);
    const end = old.connections[0]!.entries.at(-1)!;
    assert.equal(end.kind, 'attempt-ended');
    const big = { ...old, connections: [{ ...old.connections[0]!, entries: [...old.connections[0]!.entries.slice(0, -1), { ...end, body: { contentType: null, text: 'x'.repeat(LIMITS.failureBodyBytes + 1), bytes: 1, totalBytes: null, cut: null } }] }] };
    const refused = parseCapture(JSON.stringify(big));
    assert.equal(refused.ok, false);
  });
});
