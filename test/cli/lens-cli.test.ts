/**
 * `capture --lens`: the assembled answer printed as a real 127.0.0.1 server streams the lens
 * fixtures (test/fixtures/lenses), the summary at the end, `--json`'s lens line, and stream data
 * that tries to drive the terminal printed quoted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { LENS_NAMES } from '../../src/core/lenses/lens.js';
import { cli } from '../helpers/cli.js';
import { startRawServer, writeChunks, type RawServer } from '../helpers/raw-server.js';

const servers: RawServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

/** Terminal controls, bidi controls and line separators; a plain newline is allowed (the answer's own line breaks). */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

const wire = (name: string): string => readFileSync(resolve('test/fixtures/lenses', name), 'utf8');

/** Serves `body` as an event stream, one SSE event per write, with extra response headers. */
async function serve(body: string, headers: Record<string, string> = {}): Promise<RawServer> {
  const s = await startRawServer(async (res, req) => {
    for await (const _ of req) {
      // The request body is read and dropped: the fixtures answer whatever was asked.
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', ...headers });
    res.flushHeaders();
    await writeChunks(res, body.split(/(?<=\n\n)/), 2);
    res.end();
  });
  servers.push(s);
  return s;
}

const post = ['-d', '{"model":"m","stream":true}', '--max-reconnects', '0'];

describe('capture --lens', () => {
  test('auto on an OpenAI Chat Completions stream: the answer as it streams, then stop reason, usage, timing, no finding', async () => {
    const s = await serve(wire('openai-chat-complete.sse'));
    const r = await cli(['capture', `${s.url}v1/chat/completions`, ...post, '--lens', 'auto']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /lens: OpenAI Chat Completions \(openai-chat\), detected/);
    assert.match(r.stdout, /\[choice 0 text\] Bonjour, Zürich 🌍!\n/);
    assert.doesNotMatch(r.stdout, /chat\.completion\.chunk/, 'the events are read by the lens, not printed');
    assert.match(r.stdout, /── OpenAI Chat Completions \(openai-chat, detected\) ──/);
    assert.match(r.stdout, /stop reason: stop\n/);
    assert.match(r.stdout, /terminal event: seen/);
    assert.match(r.stdout, /usage: input 19, output 10, total 29/);
    assert.match(r.stdout, /time to first token \d+ ms · duration [\d.]+ m?s/);
    assert.match(r.stdout, /findings: none/);
    assert.match(r.stdout, /attempt-ended|closed by the server|server ended/i, 'lifecycle lines are still printed');
  });

  test('anthropic by name: reasoning apart, tool calls once complete with their arguments, stop reason and usage', async () => {
    const s = await serve(wire('anthropic-complete.sse'));
    const r = await cli(['capture', `${s.url}v1/messages`, ...post, '--lens', 'anthropic']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\[msg_01Fix block 0 · reasoning\] The user asks for weather in two cities\.\n/);
    assert.match(r.stdout, /\] Let me check Paris and Zürich 🌦\.\n/);
    assert.match(r.stdout, /⚙ tool get_weather \(toolu_01A\) \{"city":"Paris","note":"café \\"ok\\""\}\n/);
    assert.match(r.stdout, /⚙ tool get_weather \(toolu_01B\) \{"city":"Zürich"\}\n/);
    assert.match(r.stdout, /Anthropic Messages \(anthropic, named\)/);
    assert.match(r.stdout, /stop reason: tool_use/);
    assert.match(r.stdout, /usage: input 472, output 89/);
  });

  test('an error event after a 200: the finding as it appears and in the summary; the exit status is the stream\'s', async () => {
    const s = await serve(wire('anthropic-error-after-200.sse'));
    const r = await cli(['capture', `${s.url}v1/messages`, ...post, '--lens', 'auto']);
    assert.equal(r.code, 0, 'the server ended the stream: findings do not change the exit status');
    assert.match(r.stdout, /! error error-after-200: .*overloaded_error.* \(#\d+ on c1\)\n/);
    assert.match(r.stdout, /terminal event: missing/);
    assert.match(r.stdout, /findings: 2\n/);
  });

  test('MCP: a tools/call POST answered on its own stream; the call with its latency and result, and the call table', async () => {
    const events = [
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p1', progress: 1, total: 2 } },
      { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'Sunny, 24 °C' }] } },
    ];
    const s = await serve(events.map((e, i) => `id: ${i + 1}\ndata: ${JSON.stringify(e)}\n\n`).join(''), { 'Mcp-Session-Id': 'sess-9' });
    const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_weather', arguments: { city: 'Lisbon' }, _meta: { progressToken: 'p1' } } });
    const r = await cli(['capture', `${s.url}mcp`, '-d', body, '-H', 'Mcp-Session-Id: sess-9', '-H', 'MCP-Protocol-Version: 2025-11-25', '--max-reconnects', '0', '--lens', 'auto']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /lens: MCP .*\(mcp\), detected/);
    assert.match(r.stdout, /↔ tools\/call \(id 2\) \d+ ms result: Sunny, 24 °C\n/);
    assert.match(r.stdout, /calls:\n +method +id +latency +outcome +result\n +tools\/call +2 +\d+ ms +result +Sunny, 24 °C\n/);
  });

  test('stream data with escape sequences, bidi controls and line separators in a delta is printed quoted', async () => {
    const hostile = '\u001b[2J\u001b[31mRED\u202eevil\u2028FAKE\r\n$ ok';
    const chunk = (content: string) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;
    const s = await serve(`${chunk('safe ')}${chunk(hostile)}${chunk(' end')}data: [DONE]\n\n`);
    const r = await cli(['capture', `${s.url}v1/chat/completions`, ...post, '--lens', 'openai-chat']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, UNSAFE);
    assert.doesNotMatch(r.stdout, /^\$ ok/m, 'no line of stream text starts where the tool\'s own lines do');
    assert.match(r.stdout, /\[choice 0 text\] safe \\x1b\[2J\\x1b\[31mRED\\u202eevil\\u2028FAKE\\x0d\n  \$ ok end\n/, 'a line break of the answer is kept, the next line indented');
  });

  test('--json: entries as JSON lines, then one line with the lens summary', async () => {
    const s = await serve(wire('openai-chat-complete.sse'));
    const r = await cli(['capture', `${s.url}v1/chat/completions`, ...post, '--lens', 'auto', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.slice(0, -1).every((l) => typeof l['kind'] === 'string'));
    const last = lines.at(-1) as { lensSummary: { title: string; picked: string; tokensPerSecond: number | null; summary: { lens: string; terminal: boolean; messages: { parts: { text: string }[] }[] } } };
    assert.equal(last.lensSummary.summary.lens, 'openai-chat');
    assert.equal(last.lensSummary.picked, 'detected');
    assert.equal(last.lensSummary.summary.terminal, true);
    assert.equal(last.lensSummary.summary.messages[0]?.parts[0]?.text, 'Bonjour, Zürich 🌍!');
  });

  test('auto on a stream of no known format says so and prints the timeline; --json ends with a null summary', async () => {
    const s = await serve('data: {"price":3}\n\ndata: {"price":4}\n\n');
    const r = await cli(['capture', `${s.url}prices`, '--max-reconnects', '0', '--lens', 'auto']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /lens: no known format detected in the first 2 events; the timeline is printed as without --lens/);
    assert.match(r.stdout, /\{"price":3\}[\s\S]*\{"price":4\}/);
    const json = await cli(['capture', `${s.url}prices`, '--max-reconnects', '0', '--lens', 'auto', '--json']);
    assert.deepEqual(JSON.parse(json.stdout.trimEnd().split('\n').at(-1) ?? ''), { lensSummary: null });
    // Without --lens, a stream of no known format prints its entries only.
    const plain = await cli(['capture', `${s.url}prices`, '--max-reconnects', '0', '--json']);
    assert.ok(plain.stdout.trimEnd().split('\n').every((l) => typeof (JSON.parse(l) as { kind?: unknown }).kind === 'string'));
  });

  test('capture --json without --lens ends with the detected lens summary', async () => {
    const s = await serve(wire('anthropic-complete.sse'));
    const r = await cli(['capture', `${s.url}v1/messages`, ...post, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const last = JSON.parse(r.stdout.trimEnd().split('\n').at(-1) ?? '') as { lensSummary: { picked: string; summary: { lens: string; terminal: boolean } } | null };
    assert.equal(last.lensSummary?.summary.lens, 'anthropic');
    assert.equal(last.lensSummary?.picked, 'detected');
    assert.equal(last.lensSummary?.summary.terminal, true);
  });

  test('an unknown lens is a usage error that lists the names (exit 2)', async () => {
    const r = await cli(['capture', 'http://127.0.0.1:9/x', '--lens', 'gpt']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`unknown lens "gpt"; one of auto, ${LENS_NAMES.join(', ')}`));
  });
});
