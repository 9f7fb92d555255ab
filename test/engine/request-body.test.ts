/**
 * The request body in attempt-started: what an MCP POST asked, so the MCP lens can pair the
 * JSON-RPC request with the response its stream carries. Bounded, and masked like every other
 * place that shows a body marked secret.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { mcpLens } from '../../src/core/lenses/mcp.js';
import { LIMITS } from '../../src/core/limits.js';
import type { TimelineEntry } from '../../src/core/timeline.js';
import { config, run } from '../helpers/harness.js';
import { startRawServer, writeChunks, type RawServer } from '../helpers/raw-server.js';

const servers: RawServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

/** An MCP server's answer to a POST: the JSON-RPC response to the request it read, on an SSE stream of its own. */
async function mcpServer(): Promise<RawServer> {
  const s = await startRawServer(async (res, req) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const id = (() => {
      try {
        return (JSON.parse(body) as { id?: unknown }).id ?? null;
      } catch {
        return null;
      }
    })();
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Mcp-Session-Id': 'sess-1' });
    res.flushHeaders();
    await writeChunks(res, [`id: 1\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'sunny' }] } })}\n\n`]);
    res.end();
  });
  servers.push(s);
  return s;
}

const started = (entries: readonly TimelineEntry[]) => entries.filter((e) => e.kind === 'attempt-started');

describe('the request body in attempt-started', () => {
  test('a POST with a JSON-RPC body: attempt-started carries it, and the MCP lens pairs the call with its response', async () => {
    const s = await mcpServer();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'weather', arguments: { city: 'Zürich' } } });
    const r = run(config(s.url, { method: 'POST', body, headers: [['Content-Type', 'application/json'], ['Mcp-Session-Id', 'sess-1'], ['MCP-Protocol-Version', '2025-11-25']], reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    const [first] = started(r.entries);
    assert.ok(first?.kind === 'attempt-started');
    assert.equal(first.body, body);
    const fold = mcpLens.create();
    for (const e of r.entries) fold.add(e);
    const [call] = fold.summary().calls;
    assert.ok(call);
    assert.deepEqual([call.method, call.id, call.outcome, call.summary], ['tools/call', '7', 'result', 'sunny']);
    assert.equal(call.requestSeq, first.seq);
    assert.equal(call.requestConnectionId, 'test');
    assert.notEqual(call.latencyMs, null);
  });

  test('a body marked secret is the marker, as everywhere else; a GET has none', async () => {
    const s = await mcpServer();
    const r = run(config(s.url, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"login","params":{"password":"hunter2-horse"}}', secretBody: true, reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    const [first] = started(r.entries);
    assert.ok(first?.kind === 'attempt-started');
    assert.equal(first.body, '[redacted]');
    assert.ok(!JSON.stringify(r.entries).includes('hunter2'));
    const get = run(config(s.url, { reconnect: { maxAttempts: 1 } }));
    await get.untilClosed();
    const [none] = started(get.entries);
    assert.ok(none?.kind === 'attempt-started');
    assert.equal('body' in none, false);
  });

  test('a secret header value the body repeats is masked in it; a body past the bound is cut', async () => {
    const s = await mcpServer();
    const token = 'tok-91be02c4aa7f33';
    const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'echo', params: { token, pad: 'x'.repeat(LIMITS.requestBodyChars) } });
    const r = run(config(s.url, { method: 'POST', body, headers: [['Authorization', `Bearer ${token}`]], reconnect: { maxAttempts: 1 } }));
    await r.untilClosed();
    const [first] = started(r.entries);
    assert.ok(first?.kind === 'attempt-started' && first.body !== undefined);
    assert.ok(first.body.startsWith('{"jsonrpc":"2.0","id":2,"method":"echo","params":{"token":"[redacted]"'), first.body.slice(0, 100));
    assert.ok(first.body.length <= LIMITS.requestBodyChars);
  });
});
