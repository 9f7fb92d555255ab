/**
 * The demo server's imitated LLM APIs, each run through the real engine over real HTTP and read by
 * the lens the panel would pick: the lens is the right one, and assembles the answer the server
 * meant, with usage, stop reason and the terminal event; broken on purpose, the lens says so.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startScenarioServer, type ScenarioServer } from '../../src/servers/scenario-server.js';
import { answerFor } from '../../src/servers/llm/answer.js';
import { JSON_BODY, lensOf, post, textOf } from '../helpers/demo-streams.js';

interface Case {
  lens: string;
  path: string;
  body: Record<string, unknown>;
  question: string;
  stopReason: string;
  /** The format carries usage (all of ours do). */
  usage: boolean;
}

const ask = (q: string) => [{ role: 'user', content: 'Be brief.' }, { role: 'assistant', content: 'Sure.' }, { role: 'user', content: q }];

const CASES: Case[] = [
  { lens: 'openai-chat', path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: ask('What is the weather in Zürich?') }, question: 'What is the weather in Zürich?', stopReason: 'stop', usage: true },
  { lens: 'openai-responses', path: '/v1/responses', body: { model: 'gpt-5-mini', stream: true, input: 'Tell me a joke' }, question: 'Tell me a joke', stopReason: 'completed', usage: true },
  { lens: 'anthropic', path: '/v1/messages', body: { model: 'claude-sonnet-4-5', max_tokens: 512, stream: true, messages: ask('What are Server-Sent Events?') }, question: 'What are Server-Sent Events?', stopReason: 'end_turn', usage: true },
  { lens: 'gemini', path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', body: { contents: [{ role: 'user', parts: [{ text: 'Hello there' }] }] }, question: 'Hello there', stopReason: 'STOP', usage: true },
  { lens: 'ai-sdk', path: '/api/chat', body: { id: 'c', messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'How do I stream a chat answer?' }] }] }, question: 'How do I stream a chat answer?', stopReason: 'stop', usage: true },
];

const FAST = 'speed=200';
const withQuery = (path: string, query: string) => `${path}${path.includes('?') ? '&' : '?'}${query}`;

describe('demo server: imitated LLM streams read by their lens', () => {
  let server: ScenarioServer;
  before(async () => {
    server = await startScenarioServer();
  });
  after(() => server.close());

  for (const c of CASES) {
    describe(c.lens, () => {
      test('a complete stream: the right lens, the assembled answer, usage, stop reason, the terminal event', async () => {
        const r = await post(server.url + withQuery(c.path, FAST), c.body);
        const { name, summary } = lensOf(r.entries);
        assert.equal(name, c.lens);
        assert.ok(summary);
        assert.equal(textOf(summary), answerFor(c.question));
        assert.equal(summary.terminal, true);
        assert.deepEqual(summary.findings.filter((f) => f.severity === 'error'), []);
        assert.equal(summary.messages.at(-1)?.stopReason, c.stopReason);
        if (c.usage) {
          assert.ok((summary.usage?.outputTokens ?? 0) > 0, 'output tokens');
          assert.ok((summary.usage?.inputTokens ?? 0) > 0, 'input tokens');
        }
        assert.notEqual(summary.timing.firstTokenAt, null);
        assert.equal(r.ends()[0]?.reason, 'closed-by-server');
      });

      test('fail=mid: the connection is cut inside a message, and the lens says the terminal event never came', async () => {
        const r = await post(server.url + withQuery(c.path, `${FAST}&fail=mid`), c.body);
        const { name, summary } = lensOf(r.entries);
        assert.equal(name, c.lens);
        assert.ok(summary);
        assert.equal(summary.terminal, false);
        assert.ok(summary.findings.some((f) => f.code === 'no-terminal'), JSON.stringify(summary.findings));
        const text = textOf(summary);
        assert.ok(text.length > 0 && answerFor(c.question).startsWith(text) && text !== answerFor(c.question), `half an answer: ${text}`);
      });

      test('fail=error: the format’s error event after the 200, which the lens reports', async () => {
        const r = await post(server.url + withQuery(c.path, `${FAST}&fail=error`), c.body);
        const { name, summary } = lensOf(r.entries);
        assert.equal(name, c.lens);
        assert.ok(summary);
        assert.equal(summary.terminal, false);
        assert.ok(summary.findings.some((f) => f.code === 'error-after-200'), JSON.stringify(summary.findings));
      });

      test('without the Bearer token: 401 with a JSON error', async () => {
        const r = await post(server.url + withQuery(c.path, FAST), c.body, [JSON_BODY]);
        const end = r.ends()[0];
        assert.equal(end?.reason, 'http-error');
        assert.equal(end?.status, 401);
        assert.match(end?.body?.text ?? '', /"error"/);
      });
    });
  }

  test('OpenAI: n=2 streams two interleaved choices, each assembled apart', async () => {
    const r = await post(`${server.url}/v1/chat/completions?${FAST}`, { model: 'gpt-4o-mini', stream: true, n: 2, messages: ask('hello') });
    const { summary } = lensOf(r.entries);
    assert.ok(summary);
    const texts = summary.messages.map((m) => m.parts.filter((p) => p.kind === 'text').map((p) => p.text).join(''));
    assert.deepEqual(texts, [answerFor('hello', 0), answerFor('hello', 1)]);
    assert.equal(summary.usage, null, 'no usage chunk unless stream_options.include_usage is set');
  });

  const weatherTool = { type: 'object', properties: { city: { type: 'string' } } };
  const TOOL_REQUESTS: [string, string, Record<string, unknown>][] = [
    ['openai-chat', '/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: ask('weather?'), tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool } }] }],
    ['openai-responses', '/v1/responses', { model: 'gpt-5-mini', stream: true, input: 'weather?', tools: [{ type: 'function', name: 'get_weather', parameters: weatherTool }] }],
    ['anthropic', '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: ask('weather?'), tools: [{ name: 'get_weather', input_schema: weatherTool }] }],
  ];
  test('gemini: a tools request ends with a whole functionCall part, read as a tool call', async () => {
    const r = await post(`${server.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&${FAST}`, { contents: [{ role: 'user', parts: [{ text: 'weather?' }] }], tools: [{ functionDeclarations: [{ name: 'get_weather', parameters: weatherTool }] }] });
    const call = lensOf(r.entries).summary?.messages.flatMap((m) => m.parts).find((p) => p.kind === 'tool-call');
    assert.equal(call?.tool?.name, 'get_weather');
    assert.deepEqual(call?.tool?.parsed, { ok: true, value: { city: 'Zürich' } });
  });

  for (const [lens, path, body] of TOOL_REQUESTS) {
    test(`${lens}: a tools request streams a tool call whose arguments, split inside an escape, assemble and parse`, async () => {
      const r = await post(`${server.url}${path}?${FAST}`, body);
      const { name, summary } = lensOf(r.entries);
      assert.equal(name, lens);
      const call = summary?.messages.flatMap((m) => m.parts).find((p) => p.kind === 'tool-call');
      assert.equal(call?.tool?.name, 'get_weather');
      assert.deepEqual(call?.tool?.parsed, { ok: true, value: { city: 'Zürich' } });
      assert.ok(r.entries.some((e) => e.kind === 'event' && /\\\\u00"|\\\\u00fc?"?$|Z\\\\u00/.test(e.data)), 'one fragment ends inside the \\u00fc escape');
    });
  }

  test('thinking and reasoning, when asked for, stream apart from the answer', async () => {
    const anthropic = await post(`${server.url}/v1/messages?${FAST}`, { model: 'm', max_tokens: 100, stream: true, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: ask('hello') });
    const a = lensOf(anthropic.entries).summary;
    assert.ok(a && textOf(a, 'reasoning').length > 0);
    assert.equal(a && textOf(a), answerFor('hello'));
    const responses = await post(`${server.url}/v1/responses?${FAST}`, { model: 'm', stream: true, reasoning: { effort: 'low', summary: 'auto' }, input: 'hello' });
    const s = lensOf(responses.entries).summary;
    assert.ok(s && textOf(s, 'reasoning').length > 0);
    assert.equal(s && textOf(s), answerFor('hello'));
    const gemini = await post(`${server.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&${FAST}`, { contents: [{ role: 'user', parts: [{ text: 'hello' }] }], generationConfig: { thinkingConfig: { includeThoughts: true } } });
    const g = lensOf(gemini.entries).summary;
    assert.ok(g && textOf(g, 'reasoning').length > 0);
    assert.equal(g && textOf(g), answerFor('hello'));
    const aiSdk = await post(`${server.url}/api/chat?${FAST}`, { reasoning: true, messages: [{ id: 'm', role: 'user', parts: [{ type: 'text', text: 'hello' }] }] });
    const v = lensOf(aiSdk.entries).summary;
    assert.ok(v && textOf(v, 'reasoning').length > 0);
    assert.equal(v && textOf(v), answerFor('hello'));
  });

  test('bad requests: not JSON, the wrong shape, or over 1 MiB are refused with a JSON error', async () => {
    const headers = { Authorization: 'Bearer demo-token', 'Content-Type': 'application/json' };
    const notJson = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers, body: '{"stream": tru' });
    assert.equal(notJson.status, 400);
    assert.match(((await notJson.json()) as { error: { message: string } }).error.message, /not JSON/);
    const notStreaming = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ messages: ask('hi') }) });
    assert.equal(notStreaming.status, 400);
    assert.match(((await notStreaming.json()) as { error: { message: string } }).error.message, /stream/);
    const huge = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers, body: 'x'.repeat(1024 * 1024 + 1) });
    assert.equal(huge.status, 413);
    // Chunked, with no Content-Length to refuse it by: counted as it comes.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/v1/chat/completions`, { method: 'POST', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const piece = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 17; i++) req.write(piece);
      req.end();
    });
    assert.equal(chunked, 413);
    const badSpeed = await fetch(`${server.url}/v1/messages?speed=0`, { method: 'POST', headers, body: '{}' });
    assert.equal(badSpeed.status, 400);
  });
});
