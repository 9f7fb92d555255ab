/** The scenario server's broken streams: the engine keeps what is valid and says what was not. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { config, run } from '../helpers/harness.js';

const AUTH: [string, string] = ['Authorization', 'Bearer demo-token'];
let server: ScenarioServer;
before(async () => {
  server = await startScenarioServer({ intervalMs: 20, heartbeatMs: 0 });
});
after(() => server.close());

const once = (query: string) => run(config(`${server.url}/events?${query}`, { headers: [AUTH], reconnect: { maxAttempts: 1 } }));

test('garbage bytes, NUL in ids and unknown fields between real events: every real event arrives intact', async () => {
  const r = once('scenario=garbage&count=4');
  await r.untilClosed();
  const real = r.events().filter((e) => e.id !== null);
  assert.deepEqual(real.map((e) => e.id), ['1', '2', '3', '4']);
  assert.ok(real.every((e) => JSON.parse(e.data).n === Number(e.id)));
  assert.ok(r.entries.some((e) => e.kind === 'ignored-line' && e.why === 'unknown-field'));
  // The broken event's data shows its replacement characters and keeps the id that NUL did not replace.
  const broken = r.events().find((e) => e.id === null);
  assert.ok(broken, 'the broken event is shown');
});

test('a slow drip, one byte at a time, yields the same events as a normal stream', async () => {
  const r = once('scenario=drip&count=3&channels=a,b');
  await r.untilClosed();
  assert.deepEqual(r.events().map((e) => [e.type, e.id]), [['b', '1'], ['a', '2'], ['b', '3']]);
  assert.equal(r.ends()[0]?.reason, 'closed-by-server');
});

test('a stream cut in the middle of an event drops the half event and reports the server close', async () => {
  const r = once('scenario=cut');
  await r.untilClosed();
  assert.equal(r.events().length, 0);
  assert.equal(r.ends()[0]?.reason, 'closed-by-server');
  assert.ok(r.ends()[0]!.bytes > 0);
});
