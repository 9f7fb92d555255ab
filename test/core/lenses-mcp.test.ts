/**
 * The MCP lens, fed the entries of every connection of one session (POSTs, the GET stream, resuming
 * GETs) as they interleave: requests paired with responses by id across connections, progress by
 * token, latency per call, and what a client or server got wrong said as findings.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LensSummary, McpCall } from '../../src/core/lenses/lens.js';
import { mcpLens } from '../../src/core/lenses/mcp.js';
import type { TimelineEntry } from '../../src/core/timeline.js';
import { legacySession } from '../fixtures/lenses/mcp/legacy.js';
import { missingSessionIdSession } from '../fixtures/lenses/mcp/missing-session.js';
import { cutUnprimedSession, resumedSession } from '../fixtures/lenses/mcp/resumed.js';
import { SESSION, session } from '../fixtures/lenses/mcp/session.js';
import { toolsCallSession } from '../fixtures/lenses/mcp/tools-call.js';

function fold(entries: readonly TimelineEntry[]): LensSummary {
  const f = mcpLens.create();
  for (const e of entries) f.add(e);
  return f.summary();
}

const call = (s: LensSummary, method: string, id: string): McpCall => {
  const found = s.calls.find((c) => c.method === method && c.id === id);
  assert.ok(found, `${method} ${id} in ${s.calls.map((c) => `${c.method} ${c.id}`).join(', ')}`);
  return found;
};
const codes = (s: LensSummary): string[] => s.findings.map((f) => f.code);

describe('the MCP lens', () => {
  test('pairs initialize, tools/list (a JSON answer) and tools/call with their responses, each with its latency', () => {
    const s = fold(toolsCallSession());
    assert.deepEqual(s.calls.map((c) => [c.method, c.id, c.outcome]), [
      ['initialize', '0', 'result'],
      ['tools/list', '1', 'result'],
      ['tools/call', '2', 'result'],
      ['tools/call', '3', 'error'],
    ]);
    assert.equal(call(s, 'initialize', '0').summary, 'protocol 2025-11-25');
    assert.equal(call(s, 'tools/list', '1').summary, '1 tools');
    // A JSON answer is read whole when its attempt ends: 18 ms to headers, 1 ms to the end.
    assert.equal(call(s, 'tools/list', '1').latencyMs, 19);
    // 3 ms to headers, then 10 + 5 + 10 + 17 ms of events: "tools/call 45 ms".
    assert.equal(call(s, 'tools/call', '2').latencyMs, 45);
    assert.equal(call(s, 'tools/call', '2').summary, 'Sunny, 24 °C');
    assert.equal(call(s, 'tools/call', '2').sessionId, SESSION);
    assert.equal(call(s, 'tools/call', '2').connectionId, null, 'answered on its own POST stream');
    assert.equal(call(s, 'tools/call', '3').summary, '-32602 Unknown tool: nope');
    assert.equal(s.terminal, true, 'nothing pending');
    assert.deepEqual(s.findings, []);
  });

  test('attaches notifications/progress to its request by the progressToken of its _meta', () => {
    const s = fold(toolsCallSession());
    assert.deepEqual(call(s, 'tools/call', '2').progress.map((p) => [p.progress, p.total, p.message]), [
      [1, 2, 'looking up'],
      [2, 2, null],
    ]);
    assert.deepEqual(call(s, 'tools/call', '3').progress, []);
  });

  test('keeps the server\'s other notifications as text linked to their events', () => {
    const s = fold(toolsCallSession());
    const parts = s.messages.flatMap((m) => m.parts);
    assert.deepEqual(parts.map((p) => p.text), ['notification notifications/message {"level":"info","data":"cache miss"}']);
    assert.equal(parts[0]?.spans[0]?.seq, 4);
  });

  test('a primed stream cut before its response is resumed by a GET with Last-Event-ID, which brings the response and the rest of the progress', () => {
    const s = fold(resumedSession());
    const c = call(s, 'tools/call', '7');
    assert.equal(c.outcome, 'result');
    assert.equal(c.connectionId, 'g2', 'the response came on the resuming GET, not the POST');
    assert.deepEqual(c.progress.map((p) => p.progress), [10, 100]);
    assert.ok(!codes(s).includes('unexpected-stream'), 'a resuming GET may carry the response');
    assert.ok(!codes(s).includes('awaiting-resume'), 'answered since');
  });

  test('while not yet resumed, the cut primed stream is said to be resumable; an unprimed one is an error', () => {
    const resumed = resumedSession();
    const cutAt = resumed.findIndex((e) => e.connectionId === 'g2');
    const waiting = fold(resumed.slice(0, cutAt));
    assert.deepEqual(waiting.findings.map((f) => [f.severity, f.code]), [['info', 'awaiting-resume']]);
    assert.equal(waiting.terminal, false);
    const lost = fold(cutUnprimedSession());
    assert.deepEqual(lost.findings.map((f) => [f.severity, f.code]), [['error', 'ended-without-response']]);
  });

  test('the legacy transport: the endpoint event names the POST URL, responses come on the SSE stream, and a 2024-11-05 batch is read', () => {
    const s = fold(legacySession());
    assert.deepEqual(s.calls.map((c) => [c.method, c.id, c.outcome, c.connectionId]), [
      ['initialize', '1', 'result', 'g1'],
      ['tools/list', '2', 'result', 'g1'],
      ['prompts/list', '3', 'result', 'g1'],
      ['ping', '4', 'pending', null],
    ]);
    assert.equal(call(s, 'tools/list', '2').latencyMs, 3 + 1 + 30);
    assert.equal(s.messages[0]?.parts[0]?.text, 'endpoint /messages?sessionId=abc123');
    assert.deepEqual(codes(s), ['post-not-to-endpoint'], 'no batch finding: 2024-11-05 allows batches; no session-header findings on the legacy transport');
  });

  test('flags requests sent without Mcp-Session-Id or MCP-Protocol-Version after initialize, a response on the wrong stream, and a batch under 2025-11-25', () => {
    const s = fold(missingSessionIdSession());
    assert.deepEqual(s.findings.map((f) => [f.severity, f.code]), [
      ['error', 'missing-session-id'],
      ['warning', 'missing-protocol-version'],
      ['error', 'missing-session-id'],
      ['warning', 'unexpected-stream'],
      ['warning', 'batch-not-allowed'],
    ]);
    assert.match(s.findings[0]?.message ?? '', /tools\/list \(id 1\) was sent without Mcp-Session-Id/);
    assert.match(s.findings[3]?.message ?? '', /resources\/list \(id 2\) arrived on the GET stream, though its POST got an SSE stream of its own/);
    assert.equal(call(s, 'tools/list', '1').sessionId, null);
    assert.equal(call(s, 'resources/list', '2').connectionId, 'g1');
  });

  test('pairs by the POST stream when the request body was not recorded', () => {
    const s = session();
    s.post('p1', null, []);
    s.sseResponse('p1');
    s.event('p1', { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'x', progress: 1 } }, null, 10);
    s.event('p1', { jsonrpc: '2.0', id: 'a', result: {} }, null, 10);
    const out = fold(s.entries);
    // Unknown token and no known request on that POST: said, not guessed.
    assert.deepEqual(out.calls.map((c) => [c.method, c.id, c.latencyMs]), [['?', '"a"', 23]]);
    assert.deepEqual(codes(out), ['progress-unknown-token']);
  });

  test('hostile data is counted and said, never thrown: not JSON, a response to nothing twice', () => {
    const s = session();
    s.get('g1', []);
    s.sseResponse('g1');
    s.event('g1', '{"jsonrpc":"2.0","id":1,"result":', null);
    s.event('g1', { jsonrpc: '2.0', id: 9, result: 1 }, null);
    s.event('g1', { jsonrpc: '2.0', id: 9, result: 1 }, null);
    s.event('g1', { jsonrpc: '2.0', id: null }, null);
    const out = fold(s.entries);
    assert.equal(out.unread, 2);
    assert.deepEqual(codes(out), ['not-json-rpc', 'unexpected-stream', 'duplicate-response']);
  });

  test('detects MCP from its headers, its endpoint event or JSON-RPC data, and not a plain stream', () => {
    assert.ok(mcpLens.detect(toolsCallSession()) >= 0.8);
    assert.ok(mcpLens.detect(legacySession()) >= 0.8);
    const plain = session();
    plain.get('g', []);
    plain.sseResponse('g');
    plain.event('g', '{"type":"content_block_delta"}');
    assert.equal(mcpLens.detect(plain.entries), 0);
  });

  test('the same summary whether fed at once or read after every entry', () => {
    const entries = toolsCallSession();
    const f = mcpLens.create();
    for (const e of entries) {
      f.add(e);
      f.summary();
    }
    assert.deepEqual(f.summary(), fold(entries));
  });
});

describe('the MCP lens names the connection of every seq it cites (seq numbers are per connection)', () => {
  const onConnection = (entries: readonly TimelineEntry[], connectionId: string | null, seq: number | null) =>
    entries.find((e) => e.connectionId === connectionId && e.seq === seq);

  test('findings: each seq is found on the connection the finding names', () => {
    const entries = missingSessionIdSession();
    const s = fold(entries);
    assert.ok(s.findings.length > 0);
    for (const f of s.findings) {
      assert.notEqual(f.connectionId, null, f.code);
      assert.ok(onConnection(entries, f.connectionId, f.seq), `${f.code}: #${f.seq} on ${f.connectionId}`);
    }
    assert.equal(s.findings.find((f) => f.code === 'unexpected-stream')?.connectionId, 'g1', 'the GET stream the response arrived on');
  });

  test("calls: the request's connection beside its seq; server messages' spans name theirs", () => {
    const entries = legacySession();
    const s = fold(entries);
    for (const c of s.calls.filter((x) => x.requestSeq !== null)) {
      const request = onConnection(entries, c.requestConnectionId, c.requestSeq);
      assert.equal(request?.kind, 'attempt-started', `${c.method} ${c.id}`);
    }
    const spans = s.messages.flatMap((m) => m.parts).flatMap((p) => p.spans);
    assert.ok(spans.length > 0);
    for (const span of spans) assert.equal(onConnection(entries, span.connectionId ?? null, span.seq)?.kind, 'event');
  });

  test('findings of the lens itself (not of an entry) name no connection', () => {
    const s = fold(cutUnprimedSession());
    for (const f of s.findings) assert.equal(f.connectionId === null, f.seq === null, f.code);
  });
});
