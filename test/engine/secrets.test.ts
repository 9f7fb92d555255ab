/**
 * Secrets the engine knows (secret header values, credential query parameters, a body marked
 * secret, token-expiry values) never reach an entry, wherever a hostile or careless server echoes
 * them: event data, ids, event names, comments, unlisted response headers, error text.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { MIN_SECRET_CHARS } from '../../src/core/secrets.js';
import { config, countOf, run } from '../helpers/harness.js';
import { sseHead, startRawServer, writeChunks, type RawServer } from '../helpers/raw-server.js';

const servers: RawServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

const TOKEN = 'tok-4f9a2c81e7d3b6';

async function server(script: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const s = await startRawServer(script);
  servers.push(s);
  return s;
}

const everything = (r: ReturnType<typeof run>) => JSON.stringify(r.entries);

describe('secrets never reach an entry', () => {
  test('a token the server echoes in data, ids, event names, comments and an unlisted response header is masked', async () => {
    const s = await server(async (res, req, index) => {
      const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'X-Echo-Token': token, 'X-Echo-Auth': String(req.headers.authorization) });
      res.flushHeaders();
      if (index === 0) await writeChunks(res, [`: hello ${token}\n`, `id: ${token}\nevent: for-${token}\ndata: {"you":"${token}"}\n\n`]);
      res.end();
    });
    const r = run(config(s.url, { headers: [['Authorization', `Bearer ${TOKEN}`]], reconnect: { initialDelayMs: 20, maxAttempts: 2 } }));
    await r.untilClosed();
    assert.ok(!everything(r).includes(TOKEN), `the token is in an entry:\n${everything(r)}`);
    const event = r.events()[0]!;
    assert.equal(event.data, '{"you":"[redacted]"}');
    assert.equal(event.id, '[redacted]');
    assert.equal(event.type, 'for-[redacted]');
    const response = r.entries.find((e) => e.kind === 'response');
    assert.ok(response?.kind === 'response' && response.headers.some(([n, v]) => n === 'x-echo-token' && v === '[redacted]'));
    // Masked in what it records, not in what it does: the reconnect resumes with the real id.
    assert.equal(s.requests[1]?.headers['last-event-id'], TOKEN);
  });

  test('credential query values and a body marked secret are masked where the server echoes them', async () => {
    const s = await server(async (res, req) => {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      const query = new URL(req.url ?? '/', 'http://x').searchParams.get('access_token');
      sseHead(res);
      await writeChunks(res, [`data: body=${body}\n\n`, `data: query=${query}\n\n`]);
      res.end();
    });
    const body = '{"password":"hunter2-correct-horse"}';
    const r = run(config(`${s.url}?access_token=qs-8c1d93aa77`, { method: 'POST', body, secretBody: true, reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    assert.deepEqual(r.events().map((e) => e.data), ['body=[redacted]', 'query=[redacted]']);
    assert.ok(!everything(r).includes('hunter2') && !everything(r).includes('qs-8c1d93aa77'));
  });

  test(`values shorter than ${MIN_SECRET_CHARS} characters are masked by header name only, not searched for in text`, async () => {
    const s = await server(async (res) => {
      sseHead(res);
      await writeChunks(res, ['data: a short 1234\n\n']);
      res.end();
    });
    const r = run(config(s.url, { headers: [['X-Pin', '1234']], secretHeaders: ['X-Pin'], reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    assert.equal(r.events()[0]?.data, 'a short 1234');
    const started = r.entries.find((e) => e.kind === 'attempt-started');
    assert.ok(started?.kind === 'attempt-started' && started.headers.some(([n, v]) => n === 'x-pin' && v === '[redacted]'));
  });

  test('token-expiry values are secrets: masked in the fault entry, in later requests and where the server echoes them', async () => {
    const expired = 'expired-key-55aa77bb';
    const s = await server(async (res, req, index) => {
      sseHead(res);
      await writeChunks(res, [`data: attempt ${index} key=${String(req.headers['x-api-key'])}\n\n`]);
      // The first stream stays open until the simulation is in force; the test ends it by closing.
      if (index === 0) await new Promise((r) => req.socket.once('close', r));
      res.end();
    });
    const r = run(config(s.url, { headers: [['X-Api-Key', 'valid-key-0011223344']], reconnect: { initialDelayMs: 20, maxAttempts: 2 } }));
    await r.until((es) => countOf('event')(es) >= 1, 'the first event');
    r.connection.inject({ kind: 'token-expiry', headers: [['X-Api-Key', expired]] });
    r.connection.inject({ kind: 'drop' });
    await r.untilClosed();
    assert.equal(s.requests[1]?.headers['x-api-key'], expired, 'the simulation sends the value it was given');
    assert.ok(!everything(r).includes(expired), `the expiry value is in an entry:\n${everything(r)}`);
    const second = r.entries.find((e) => e.kind === 'attempt-started' && e.attempt === 2);
    assert.ok(second?.kind === 'attempt-started' && second.headers.some(([n, v]) => n === 'x-api-key' && v === '[redacted]'));
    assert.equal(r.events().at(-1)?.data, 'attempt 1 key=[redacted]');
  });
});
