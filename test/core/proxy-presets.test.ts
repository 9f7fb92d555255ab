/** Each proxy preset simulates what the vendor documents: an idle timeout, or a cut at a fixed age. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFault } from '../../src/core/faults.js';
import { presetFault, PROXY_PRESETS } from '../../src/core/proxy-presets.js';

test('idle timeouts are idle timeouts, with their documented defaults', () => {
  const table = Object.fromEntries(PROXY_PRESETS.map((p) => [p.id, [p.simulation, p.ms, p.firstByteMs]]));
  assert.deepEqual(table, {
    'aws-alb': ['proxy-idle-timeout', 60_000, null],
    nginx: ['proxy-idle-timeout', 60_000, null],
    cloudflare: ['proxy-idle-timeout', 120_000, null],
    heroku: ['proxy-idle-timeout', 55_000, 30_000],
    'gcp-lb': ['max-connection-age', 30_000, null],
    'azure-front-door': ['max-connection-age', 30_000, null],
  });
});

test('a preset names itself in the fault-injected row', () => {
  const alb = PROXY_PRESETS.find((p) => p.id === 'aws-alb')!;
  assert.match(describeFault(presetFault(alb)), /^proxy idle timeout set to 60 s \(AWS ALB preset\): .*a heartbeat included, resets it$/);
});
