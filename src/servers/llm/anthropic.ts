/**
 * Anthropic Messages, streamed (`POST /v1/messages` with `stream: true`): message_start, a ping,
 * content blocks (thinking when `thinking` is enabled, text, tool_use whose input arrives as
 * input_json_delta pieces when `tools` are given), message_delta with the stop reason and usage,
 * message_stop. Shapes as in test/fixtures/lenses/anthropic-*.sse (docs/lenses.md).
 */
import { isRecord } from '../http-body.js';
import { answerFor, argumentFragments, reasoningFor, tokenCount, tokenize, toolArguments } from './answer.js';
import { contentText, lastText, namedFrame, nextId, shortString, type LlmFormat } from './format.js';
import type { Frame } from './token-writer.js';

export const anthropic: LlmFormat = {
  lens: 'anthropic',
  title: 'Anthropic Messages',
  path: /^\/v1\/messages$/,
  example: {
    path: '/v1/messages',
    body: { model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'What are Server-Sent Events?' }] },
  },
  plan(body) {
    if (body['stream'] !== true) return { error: 'this demo server only streams: send "stream": true' };
    const messages = body['messages'];
    if (!Array.isArray(messages) || messages.length === 0) return { error: 'messages: must be a non-empty array' };
    if (!Number.isInteger(body['max_tokens'])) return { error: 'max_tokens: Field required' };
    const question = lastText(messages, 'user', (m) => contentText(m['content']));
    const thinking = isRecord(body['thinking']) && body['thinking']['type'] === 'enabled';
    const tool = Array.isArray(body['tools']) ? body['tools'].find(isRecord) : undefined;
    const inputTokens = tokenCount(JSON.stringify(messages)) + 8;

    const frames: Frame[] = [];
    const ev = (type: string, payload: Record<string, unknown>, token = false): void => {
      frames.push(namedFrame(type, { type, ...payload }, token));
    };
    const message = { id: nextId('msg_01'), type: 'message', role: 'assistant', model: shortString(body['model'], 'claude-sonnet-4-5'), content: [], stop_reason: null, stop_sequence: null };
    ev('message_start', { message: { ...message, usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } });
    ev('ping', {});
    let index = 0;
    let outputTokens = 0;
    const block = (start: Record<string, unknown>, deltas: Record<string, unknown>[], tokens: boolean): void => {
      ev('content_block_start', { index, content_block: start });
      deltas.forEach((delta, i) => {
        // Anthropic's pings arrive anywhere, between deltas too.
        if (i === 3 && deltas.length > 6) ev('ping', {});
        ev('content_block_delta', { index, delta }, tokens && delta['type'] !== 'signature_delta');
      });
      ev('content_block_stop', { index });
      index++;
    };
    if (thinking) {
      const tokens = tokenize(reasoningFor(question));
      block({ type: 'thinking', thinking: '', signature: '' }, [...tokens.map((t) => ({ type: 'thinking_delta', thinking: t })), { type: 'signature_delta', signature: 'EqQBCgIYAhIMZGVtby1zaWduYXR1cmU=' }], true);
      outputTokens += tokens.length;
    }
    const text = tool === undefined ? answerFor(question) : 'Let me look that up for you.';
    const tokens = tokenize(text);
    block({ type: 'text', text: '' }, tokens.map((t) => ({ type: 'text_delta', text: t })), true);
    outputTokens += tokens.length;
    if (tool !== undefined) {
      const fragments = argumentFragments(toolArguments(tool['input_schema']));
      block({ type: 'tool_use', id: nextId('toolu_01'), name: shortString(tool['name'], 'get_weather'), input: {} }, ['', ...fragments].map((p) => ({ type: 'input_json_delta', partial_json: p })), true);
      outputTokens += tokenCount(fragments.join(''));
    }
    ev('message_delta', { delta: { stop_reason: tool === undefined ? 'end_turn' : 'tool_use', stop_sequence: null }, usage: { output_tokens: outputTokens } });
    ev('message_stop', {});
    return {
      frames,
      headers: { 'request-id': nextId('req_01'), 'anthropic-organization-id': 'demo-organization' },
      errorFrame: () => `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`,
    };
  },
};
