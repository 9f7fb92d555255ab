/** Hostile or unusual input found in review: each once broke something, none may again. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { checkUrl } from '../../src/core/config.js';
import { exportCapture } from '../../src/core/capture/export.js';
import { buildCapture } from '../../src/core/capture/format.js';
import { harToCapture } from '../../src/core/capture/har.js';
import { maskUrl } from '../../src/core/secrets.js';
import { startReplayServer } from '../../src/servers/replay-server.js';
import { config, run } from '../helpers/harness.js';
import { sseHead, sleep, startRawServer, type RawServer } from '../helpers/raw-server.js';

const servers: RawServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

test('credentials in the URL are refused up front, and masked wherever a URL is shown', () => {
  assert.match(checkUrl('http://alice:hunter2@127.0.0.1/x') ?? '', /not in the URL/);
  const masked = maskUrl('https://TOKEN@example.com/s?X-Amz-Signature=abc&auth_token=def&authorization=ghi&page=2');
  for (const secret of ['TOKEN', 'abc', 'def', 'ghi']) assert.ok(!masked.includes(secret), `${secret} masked in ${masked}`);
  assert.match(masked, /page=2/);
});

test('a Last-Event-ID outside Latin-1 is sent as UTF-8 bytes and the reconnect goes ahead', async () => {
  const raw = await startRawServer((res) => {
    sseHead(res);
    res.end('id: 事件-1\ndata: x\n\n');
  });
  servers.push(raw);
  const r = run(config(raw.url, { reconnect: { initialDelayMs: 10, maxAttempts: 2 } }));
  await r.untilClosed();
  assert.equal(raw.requests.length, 2);
  assert.equal(Buffer.from(String(raw.requests[1]!.headers['last-event-id']), 'latin1').toString('utf8'), '事件-1');
});

test('a retry: beyond what a timer can hold waits, instead of firing at once in a storm', async () => {
  const raw = await startRawServer((res) => {
    sseHead(res);
    res.end('retry: 3000000000\ndata: x\n\n');
  });
  servers.push(raw);
  const r = run(config(raw.url));
  await r.until((es) => es.some((e) => e.kind === 'reconnect-scheduled'), 'the reconnect to be scheduled');
  await sleep(300);
  assert.equal(raw.requests.length, 1, 'no second request');
  r.connection.close();
});

test('a replayed capture with a status HTTP cannot carry, or a hostile Content-Type, does not crash the server', async () => {
  const cfg = config('http://127.0.0.1:9/');
  const at = Date.now();
  const entries = [
    { connectionId: 'c', attempt: 1, seq: 1, time: at, kind: 'attempt-started', method: 'GET', url: 'http://127.0.0.1:9/', headers: [], lastEventId: null, lastEventIdVia: 'none' },
    { connectionId: 'c', attempt: 1, seq: 2, time: at, kind: 'response', status: 42, statusText: '', url: 'http://127.0.0.1:9/', redirected: false, headers: [['content-type', 'text/html\r\nX-Evil: 1']], timeToHeadersMs: 1 },
  ] as const;
  const capture = buildCapture([{ id: 'c', config: cfg, entries: entries as never }], '1');
  const replay = await startReplayServer({ capture });
  try {
    const res = await fetch(replay.url);
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('x-evil'), null);
    assert.equal((await fetch(replay.url)).status, 204, 'still serving');
  } finally {
    await replay.close();
  }
});

test('a small HAR whose body is millions of empty comments is refused without building them all', () => {
  const har = { log: { entries: [{ request: { url: 'http://x/' }, response: { status: 200, content: { mimeType: 'text/event-stream', text: ':\n'.repeat(1_000_010) } } }] } };
  const result = harToCapture(har, '1');
  assert.ok(!result.ok && /more than 1,000,000/.test(result.errors[0]!));
});

test('export with redaction on masks secrets inside entries of a capture from elsewhere, and ids in query strings', () => {
  const cfg = { ...config('http://127.0.0.1:9/s'), lastEventIdTransport: { mode: 'query' as const, param: 'lastEventId' } };
  const at = Date.now();
  const foreign = buildCapture(
    [
      {
        id: 'c',
        config: cfg,
        entries: [
          { connectionId: 'c', attempt: 1, seq: 1, time: at, kind: 'attempt-started', method: 'GET', url: 'http://127.0.0.1:9/s?lastEventId=user+42&token=RAW', headers: [['authorization', 'Bearer RAWTOKEN']], lastEventId: 'user 42', lastEventIdVia: 'query' },
          { connectionId: 'c', attempt: 1, seq: 2, time: at, kind: 'response', status: 200, statusText: 'OK', url: 'http://127.0.0.1:9/s?lastEventId=user+42', redirected: false, headers: [], timeToHeadersMs: 1 },
        ],
      },
    ],
    '1',
  );
  const out = JSON.stringify(exportCapture(foreign.connections, '1', { redactSecrets: true, redactLastEventIds: true, channels: null, from: null, to: null }));
  for (const secret of ['RAWTOKEN', 'token=RAW', 'user+42', 'user 42']) assert.ok(!out.includes(secret), `${secret} is gone`);
  assert.match(out, /127\.0\.0\.1:9/, 'the host is intact');
});
