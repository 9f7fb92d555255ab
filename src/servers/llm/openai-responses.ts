/**
 * OpenAI Responses API, streamed (`POST /v1/responses` with `stream: true`): named `response.*`
 * events, each with a `sequence_number`; a reasoning summary when `reasoning` is asked for, a
 * function call when `tools` are given, otherwise one message; `response.completed` with usage, and
 * no `[DONE]`. Shapes as in test/fixtures/lenses/openai-responses-*.sse (docs/lenses.md).
 */
import { isRecord } from '../http-body.js';
import { answerFor, argumentFragments, reasoningFor, tokenCount, tokenize, toolArguments } from './answer.js';
import { contentText, lastText, namedFrame, nextId, shortString, type LlmFormat } from './format.js';
import type { Frame } from './token-writer.js';

export const openaiResponses: LlmFormat = {
  lens: 'openai-responses',
  title: 'OpenAI Responses',
  path: /^\/v1\/responses$/,
  example: { path: '/v1/responses', body: { model: 'gpt-5-mini', stream: true, input: 'Tell me a joke about streams.' } },
  plan(body) {
    if (body['stream'] !== true) return { error: 'this demo server only streams: send "stream": true' };
    const input = body['input'];
    const question = typeof input === 'string' ? input : Array.isArray(input) ? lastText(input, 'user', (m) => contentText(m['content'])) : null;
    if (question === null) return { error: '"input" must be a string or an array of input items' };
    const tools = Array.isArray(body['tools']) ? body['tools'].filter((t) => isRecord(t) && t['type'] === 'function') : [];
    const model = shortString(body['model'], 'gpt-5-mini');
    const response = { id: nextId('resp_'), object: 'response', created_at: Math.floor(Date.now() / 1000), model, error: null, incomplete_details: null };

    const frames: Frame[] = [];
    // Every event is numbered in order, so frame i carries sequence_number i (the error event too).
    const ev = (type: string, payload: Record<string, unknown>, token = false): void => {
      frames.push(namedFrame(type, { type, sequence_number: frames.length, ...payload }, token));
    };
    const output: unknown[] = [];
    ev('response.created', { response: { ...response, status: 'in_progress', output: [], usage: null } });
    ev('response.in_progress', { response: { ...response, status: 'in_progress', output: [], usage: null } });

    let reasoningTokens = 0;
    if (isRecord(body['reasoning'])) {
      const index = output.length;
      const text = reasoningFor(question);
      const item = { id: nextId('rs_'), type: 'reasoning' };
      const at = { item_id: item.id, output_index: index, summary_index: 0 };
      ev('response.output_item.added', { output_index: index, item: { ...item, summary: [] } });
      ev('response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } });
      for (const t of tokenize(text)) ev('response.reasoning_summary_text.delta', { ...at, delta: t }, true);
      ev('response.reasoning_summary_text.done', { ...at, text });
      ev('response.reasoning_summary_part.done', { ...at, part: { type: 'summary_text', text } });
      const done = { ...item, summary: [{ type: 'summary_text', text }] };
      ev('response.output_item.done', { output_index: index, item: done });
      output.push(done);
      reasoningTokens = tokenCount(text);
    }

    let outputTokens = 0;
    const tool = tools[0];
    if (isRecord(tool)) {
      const index = output.length;
      const fragments = argumentFragments(toolArguments(tool['parameters']));
      const args = fragments.join('');
      const item = { id: nextId('fc_'), type: 'function_call', call_id: nextId('call_'), name: shortString(tool['name'], 'get_weather') };
      ev('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } });
      for (const f of fragments) ev('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta: f }, true);
      ev('response.function_call_arguments.done', { item_id: item.id, output_index: index, arguments: args });
      const done = { ...item, status: 'completed', arguments: args };
      ev('response.output_item.done', { output_index: index, item: done });
      output.push(done);
      outputTokens = tokenCount(args);
    } else {
      const index = output.length;
      const text = answerFor(question);
      const item = { id: nextId('msg_'), type: 'message', role: 'assistant' };
      const at = { item_id: item.id, output_index: index, content_index: 0 };
      ev('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', content: [] } });
      ev('response.content_part.added', { ...at, part: { type: 'output_text', text: '', annotations: [] } });
      const tokens = tokenize(text);
      for (const t of tokens) ev('response.output_text.delta', { ...at, delta: t, logprobs: [] }, true);
      ev('response.output_text.done', { ...at, text, logprobs: [] });
      const part = { type: 'output_text', text, annotations: [] };
      ev('response.content_part.done', { ...at, part });
      const done = { ...item, status: 'completed', content: [part] };
      ev('response.output_item.done', { output_index: index, item: done });
      output.push(done);
      outputTokens = tokens.length;
    }
    const inputTokens = tokenCount(JSON.stringify(input)) + 5;
    const out = outputTokens + reasoningTokens;
    ev('response.completed', {
      response: {
        ...response,
        status: 'completed',
        output,
        usage: { input_tokens: inputTokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: out, output_tokens_details: { reasoning_tokens: reasoningTokens }, total_tokens: inputTokens + out },
      },
    });
    return {
      frames,
      errorFrame: (at) => `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: at, code: 'server_error', message: 'The server had an error processing your request.', param: null })}\n\n`,
    };
  },
};
