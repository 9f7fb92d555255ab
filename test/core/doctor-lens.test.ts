/**
 * Lens-level findings in the doctor (issue 14, item 7): the demo server's imitated LLM APIs through
 * the real engine; cut mid-answer or failing after the 200, the doctor says so with the lens's row
 * as evidence; complete, it raises nothing above info.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { lensOf, post } from '../helpers/demo-streams.js';
import { healthOf } from '../helpers/doctor.js';

const CHAT = { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'What is the weather in Zürich?' }] } };
const ANTHROPIC = { path: '/v1/messages', body: { model: 'claude-sonnet-4-5', max_tokens: 512, stream: true, messages: [{ role: 'user', content: 'What are Server-Sent Events?' }] } };

describe('doctor: lens-level findings from the demo server’s LLM streams', () => {
  let server: ScenarioServer;
  before(async () => {
    server = await startScenarioServer();
  });
  after(() => server.close());

  for (const c of [CHAT, ANTHROPIC]) {
    test(`${c.path}: a complete answer has no warning or error`, async () => {
      const r = await post(`${server.url}${c.path}?speed=200`, c.body);
      const h = healthOf(r.entries);
      assert.deepEqual(h.findings.filter((f) => f.severity !== 'info'), [], JSON.stringify(h.findings));
    });

    test(`${c.path}: cut mid-answer, the lens's no-terminal becomes an error with its row`, async () => {
      const r = await post(`${server.url}${c.path}?speed=200&fail=mid`, c.body);
      const lens = lensOf(r.entries).summary?.findings.find((f) => f.code === 'no-terminal');
      assert.ok(lens);
      const f = healthOf(r.entries).findings.find((x) => x.code === 'no-terminal');
      assert.ok(f);
      assert.equal(f.check, 'lens');
      assert.equal(f.severity, 'error');
      assert.deepEqual(f.evidence[0], { connectionId: 'c1', seq: lens.seq, header: null, note: lens.message });
      assert.match(f.title, /terminal event/);
    });

    test(`${c.path}: an error event after the 200 becomes an error-after-200 finding`, async () => {
      const r = await post(`${server.url}${c.path}?speed=200&fail=error`, c.body);
      const lens = lensOf(r.entries).summary?.findings.find((f) => f.code === 'error-after-200');
      assert.ok(lens);
      const f = healthOf(r.entries).findings.find((x) => x.code === 'error-after-200');
      assert.ok(f, JSON.stringify(healthOf(r.entries).findings));
      assert.equal(f.evidence[0]?.seq, lens.seq);
    });
  }
});
