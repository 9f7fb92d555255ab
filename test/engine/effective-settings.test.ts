/** What simulations change, and what comes back when they stop: one pure function over the config. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultConfig } from '../../src/core/config.js';
import { effectiveSettings, interruption, type FaultInForce, type Settings } from '../../src/core/engine/settings.js';
import { FAULT_KINDS_THAT_STAY_IN_FORCE, faultDurationMs, type Fault } from '../../src/core/faults.js';

const config = { ...defaultConfig('http://127.0.0.1:9/'), idleTimeoutMs: 45_000, connectTimeoutMs: 10_000 };
const at = (since: number, ...faults: Fault[]): FaultInForce[] => faults.map((fault) => ({ fault, since }));

const CONFIGURED: Settings = {
  idleTimeoutMs: 45_000,
  connectTimeoutMs: 10_000,
  proxyIdle: null,
  maxAge: null,
  stallUntil: 0,
  latencyMs: 0,
  offlineUntil: 0,
  headerOverride: null,
};

describe('effectiveSettings', () => {
  test('without simulations the connection does what it was configured to', () => {
    assert.deepEqual(effectiveSettings(config, []), CONFIGURED);
  });

  test('each simulation changes its own setting and nothing else', () => {
    const cases: [Fault, Partial<Settings>][] = [
      [{ kind: 'idle-timeout', ms: 500 }, { idleTimeoutMs: 500 }],
      [{ kind: 'connect-timeout', ms: 700 }, { connectTimeoutMs: 700 }],
      [{ kind: 'proxy-idle-timeout', ms: 60_000, firstByteMs: null, preset: 'AWS ALB' }, { proxyIdle: { kind: 'proxy-idle-timeout', ms: 60_000, firstByteMs: null, preset: 'AWS ALB' } }],
      [{ kind: 'max-connection-age', ms: 30_000, preset: null }, { maxAge: { kind: 'max-connection-age', ms: 30_000, preset: null } }],
      [{ kind: 'latency', ms: 300 }, { latencyMs: 300 }],
      [{ kind: 'token-expiry', headers: [['Authorization', 'Bearer expired']] }, { headerOverride: [['Authorization', 'Bearer expired']] }],
    ];
    for (const [fault, change] of cases) assert.deepEqual(effectiveSettings(config, at(1000, fault)), { ...CONFIGURED, ...change }, fault.kind);
  });

  test('a stall and an outage last from when they began', () => {
    assert.deepEqual(effectiveSettings(config, at(1000, { kind: 'stall', ms: 2000 }, { kind: 'offline', ms: 5000 })), { ...CONFIGURED, stallUntil: 3000, offlineUntil: 6000 });
  });

  test('a drop changes no setting: it is over at once', () => {
    assert.deepEqual(effectiveSettings(config, at(1000, { kind: 'drop' })), CONFIGURED);
  });

  test('simulations combine; stopping one gives back only what it changed', () => {
    const idle: Fault = { kind: 'idle-timeout', ms: 500 };
    const latency: Fault = { kind: 'latency', ms: 300 };
    assert.deepEqual(effectiveSettings(config, at(0, idle, latency)), { ...CONFIGURED, idleTimeoutMs: 500, latencyMs: 300 });
    assert.deepEqual(effectiveSettings(config, at(0, latency)), { ...CONFIGURED, latencyMs: 300 });
  });

  test('a configured "wait forever" comes back as null once a timeout simulation stops', () => {
    const forever = { ...config, idleTimeoutMs: null, connectTimeoutMs: null };
    assert.equal(effectiveSettings(forever, at(0, { kind: 'idle-timeout', ms: 1 })).idleTimeoutMs, 1);
    assert.deepEqual([effectiveSettings(forever, []).idleTimeoutMs, effectiveSettings(forever, []).connectTimeoutMs], [null, null]);
  });
});

describe('what a simulation does at once', () => {
  test('a drop and an outage end the open attempt, each as its real failure would look', () => {
    assert.equal(interruption({ kind: 'drop' })?.reason, 'fault');
    assert.equal(interruption({ kind: 'offline', ms: 1000 })?.reason, 'network-error');
  });

  test('the others wait for the stream or the next attempt', () => {
    for (const fault of [
      { kind: 'idle-timeout', ms: 1 },
      { kind: 'connect-timeout', ms: 1 },
      { kind: 'proxy-idle-timeout', ms: 1, firstByteMs: null, preset: null },
      { kind: 'max-connection-age', ms: 1, preset: null },
      { kind: 'stall', ms: 1 },
      { kind: 'latency', ms: 1 },
      { kind: 'token-expiry', headers: [] },
    ] as Fault[]) {
      assert.equal(interruption(fault), null, fault.kind);
    }
  });

  test('everything but a drop stays in force; a stall and an outage stop by themselves', () => {
    assert.deepEqual([...FAULT_KINDS_THAT_STAY_IN_FORCE].sort(), ['connect-timeout', 'idle-timeout', 'latency', 'max-connection-age', 'offline', 'proxy-idle-timeout', 'stall', 'token-expiry']);
    assert.equal(faultDurationMs({ kind: 'stall', ms: 400 }), 400);
    assert.equal(faultDurationMs({ kind: 'offline', ms: 900 }), 900);
    assert.equal(faultDurationMs({ kind: 'latency', ms: 300 }), null);
  });
});
