/**
 * Copy as code: each snippet uses the documented API of the library's current release, carries the
 * connection's settings, masks the token unless revealed, and the curl one really runs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { defaultConfig, type ConnectionConfig } from '../../src/core/config.js';
import { applyProfile, profileById } from '../../src/core/profiles.js';
import { curlSnippet, okhttpSnippet, polyfillSnippet, swiftSnippet } from '../../src/core/snippets.js';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';

const run = promisify(execFile);
let server: ScenarioServer;
before(async () => {
  server = await startScenarioServer({ intervalMs: 20, heartbeatMs: 0 });
});
after(() => server.close());

function config(patch: Partial<ConnectionConfig> = {}): ConnectionConfig {
  return { ...defaultConfig('https://api.example.com/stream?topic=a'), headers: [['Authorization', 'Bearer s3cr3t-token'], ['X-Client', "o'brien"]], ...patch };
}

describe('copy as code', () => {
  test('the token is masked unless revealed, in every language', () => {
    for (const make of [curlSnippet, polyfillSnippet, okhttpSnippet, swiftSnippet]) {
      const masked = make(config(), { reveal: false });
      assert.ok(!masked.includes('s3cr3t-token'), make.name);
      assert.match(masked, /Bearer \[redacted\]/, make.name);
      assert.ok(make(config(), { reveal: true }).includes('Bearer s3cr3t-token'), make.name);
    }
  });

  test('curl: the seed form, with Last-Event-ID, timeouts and shell-safe quoting', () => {
    const s = curlSnippet(config({ initialLastEventId: '41', connectTimeoutMs: 3000, idleTimeoutMs: 600_000 }), { reveal: true });
    assert.match(s, /^curl -N \\\n {2}-H 'Accept: text\/event-stream' \\\n {2}-H 'Authorization: Bearer s3cr3t-token'/);
    assert.match(s, /-H 'X-Client: o'\\''brien'/);
    assert.match(s, /-H 'Last-Event-ID: 41'/);
    assert.match(s, /--connect-timeout 3/);
    assert.match(s, /--speed-limit 1 --speed-time 600/);
    const post = curlSnippet(config({ method: 'POST', body: '{"a":1}' }), { reveal: true });
    assert.match(post, /-X POST/);
    assert.match(post, /--data-raw '\{"a":1\}'/);
  });

  test('the curl snippet runs against the demo server and receives the stream', async () => {
    const c = defaultConfig(`${server.url}/events?count=3`);
    c.headers = [['Authorization', 'Bearer demo-token']];
    c.initialLastEventId = '10';
    const command = curlSnippet(c, { reveal: true });
    const { stdout } = await run('sh', ['-c', command], { timeout: 15_000 });
    assert.match(stdout, /id: 11\nevent: \w+\ndata: \{"n":11/);
    assert.match(stdout, /id: 13\n/);
    const seen = server.streamRequests().at(-1)!;
    assert.equal(seen.lastEventId, '10');
    assert.equal(seen.headers.accept, 'text/event-stream');
  });

  test('the polyfill snippet uses EventSourcePolyfill with headers, lastEventIdQueryParameterName and heartbeatTimeout', () => {
    const c = applyProfile(config({ initialLastEventId: '7' }), profileById('polyfill')!);
    const s = polyfillSnippet(c, { reveal: false, channels: ['price', 'chat'] });
    assert.match(s, /import \{ EventSourcePolyfill \} from 'event-source-polyfill';/);
    assert.match(s, /new EventSourcePolyfill\("https:\/\/api\.example\.com\/stream\?topic=a&lastEventId=7", \{/);
    assert.match(s, /headers: \{\n {4}"Authorization": "Bearer \[redacted\]",/);
    assert.match(s, /lastEventIdQueryParameterName: "lastEventId",/);
    assert.match(s, /heartbeatTimeout: 45000,/);
    assert.match(s, /addEventListener\("price"/);
    assert.match(s, /addEventListener\("chat"/);
    assert.match(polyfillSnippet(config({ method: 'POST', body: 'x' }), { reveal: false }), /always sends GET/);
  });

  test('the okhttp-eventsource snippet uses the 4.x builders with the chosen timeouts', () => {
    const c = applyProfile(config({ initialLastEventId: '7', method: 'POST', body: '{"a":1}' }), profileById('okhttp')!);
    c.idleTimeoutMs = 600_000;
    const s = okhttpSnippet(c, { reveal: false });
    for (const api of [
      'implementation("com.launchdarkly:okhttp-eventsource:4.1.1")',
      'import com.launchdarkly.eventsource.background.BackgroundEventSource',
      'BackgroundEventSource.Builder(',
      'EventSource.Builder(',
      'ConnectStrategy.http(URL("https://api.example.com/stream?topic=a"))',
      '.header("Authorization", "Bearer [redacted]")',
      '.methodAndBody("POST", "{\\"a\\":1}".toRequestBody("application/json".toMediaType()))',
      '.connectTimeout(10000, TimeUnit.MILLISECONDS)',
      '.readTimeout(600000, TimeUnit.MILLISECONDS)',
      '.retryDelay(1000, TimeUnit.MILLISECONDS)',
      '.retryDelayResetThreshold(60000, TimeUnit.MILLISECONDS)',
      '.lastEventId("7")',
      'override fun onMessage(event: String, messageEvent: MessageEvent)',
      '.build()\n    eventSource.start()',
    ]) {
      assert.ok(s.includes(api), `has ${api}`);
    }
    assert.ok(!s.includes('.addHeader('), 'HttpConnectStrategy has no addHeader');
  });

  test('the LDSwiftEventSource snippet uses EventSource.Config with the chosen settings', () => {
    const c = applyProfile(config({ initialLastEventId: '7' }), profileById('swift')!);
    c.idleTimeoutMs = 600_000;
    const s = swiftSnippet(c, { reveal: true });
    for (const api of [
      '.upToNextMajor(from: "3.3.1")',
      'import LDSwiftEventSource',
      'final class SseHandler: EventHandler {',
      'func onMessage(eventType: String, messageEvent: MessageEvent)',
      'var config = EventSource.Config(handler: SseHandler(), url: URL(string: "https://api.example.com/stream?topic=a")!)',
      'config.headers = ["Authorization": "Bearer s3cr3t-token", "X-Client": "o\'brien"]',
      'config.lastEventId = "7"',
      'config.idleTimeout = 600',
      'config.reconnectTime = 1',
      'config.maxReconnectTime = 30',
      'config.backoffResetThreshold = 60',
      'let eventSource = EventSource(config: config)\n        eventSource.start()',
    ]) {
      assert.ok(s.includes(api), `has ${api}`);
    }
  });

  test('hostile values cannot break out of the string literals', () => {
    const c = config({ headers: [['X-Evil', '"); rm -rf / //'], ['X-Dollar', '${danger}']] });
    assert.ok(okhttpSnippet(c, { reveal: true }).includes('.header("X-Dollar", "\\${danger}")'));
    assert.ok(polyfillSnippet(c, { reveal: true }).includes('"X-Evil": "\\"); rm -rf / //",'));
    assert.ok(curlSnippet(c, { reveal: true }).includes(`-H 'X-Evil: "); rm -rf / //'`));
  });
});
