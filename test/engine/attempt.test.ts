/**
 * One attempt on its own, against a real local server: it lets go of everything it holds when it
 * ends, and it ends once, however many things try to end it.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { defaultConfig } from '../../src/core/config.js';
import { Attempt, type AttemptSink } from '../../src/core/engine/attempt.js';
import { realDeps, type EngineDeps } from '../../src/core/engine/deps.js';
import { buildRequest } from '../../src/core/engine/request.js';
import { effectiveSettings } from '../../src/core/engine/settings.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { sleep, sseHead, startRawServer, type RawServer } from '../helpers/raw-server.js';

const servers: RawServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

function recorder(): { sink: AttemptSink; heard: string[] } {
  const heard: string[] = [];
  const sink: AttemptSink = {
    emit: (_attempt, body) => void heard.push(body.kind),
    event: (_attempt, message) => void heard.push(`event ${message.data}`),
    lastEventId: (id) => void heard.push(`id ${id}`),
    retry: (_attempt, ms) => void heard.push(`retry ${ms}`),
    sent: () => void heard.push('sent'),
    cookies: () => undefined,
    opened: () => void heard.push('opened'),
    ended: (_attempt, reason) => void heard.push(`ended ${reason}`),
    room: undefined,
  };
  return { sink, heard };
}

describe('an attempt', () => {
  test('ends once: the first reason wins, held events come before the end, and no timer is left', async () => {
    const server = await startRawServer((res) => {
      sseHead(res);
      res.write('id: 1\ndata: a\n\n');
    });
    servers.push(server);
    const clock = fakeClock();
    const deps: EngineDeps = { ...realDeps, ...clock.deps };
    const config = { ...defaultConfig(server.url), idleTimeoutMs: 5000, connectTimeoutMs: 5000 };
    const faults = [
      { fault: { kind: 'latency', ms: 1000 } as const, since: 0 },
      { fault: { kind: 'proxy-idle-timeout', ms: 5000, firstByteMs: null, preset: null } as const, since: 0 },
      { fault: { kind: 'max-connection-age', ms: 5000, preset: null } as const, since: 0 },
    ];
    const { sink, heard } = recorder();
    const attempt = new Attempt(1, config, deps, sink, effectiveSettings(config, faults));
    attempt.start(buildRequest(config, '', null));
    // A guard, not a timing assertion: the event arrives over loopback, held by the latency.
    for (let i = 0; i < 1000 && attempt.bytes === 0; i++) await sleep(5);
    assert.deepEqual(heard, ['sent', 'response', 'opened']);

    attempt.end('closed-by-user', null, 'the user closed the connection');
    attempt.end('fault', null, 'a cut that lost the race');
    await sleep(20); // the aborted read's own error, if any, arrives meanwhile
    assert.deepEqual(heard, ['sent', 'response', 'opened', 'id 1', 'event a', 'ended closed-by-user']);
    assert.equal(attempt.events, 1);
    assert.equal(clock.pending(), 0, 'connect, idle, proxy and latency timers all cleared');
  });

  test('a request that cannot go fails after start() returns, as a failed connect would', async () => {
    const clock = fakeClock();
    const deps: EngineDeps = { ...realDeps, ...clock.deps, fetch: () => assert.fail('nothing is sent while offline') };
    const config = defaultConfig('http://127.0.0.1:9/');
    const { sink, heard } = recorder();
    const offline = effectiveSettings(config, [{ fault: { kind: 'offline', ms: 3000 }, since: clock.deps.now!() }]);
    new Attempt(1, config, deps, sink, offline).start(buildRequest(config, '', null));
    assert.deepEqual(heard, []);
    await clock.advance(0);
    assert.deepEqual(heard, ['ended network-error']);
    assert.equal(clock.pending(), 0);
  });
});
