/**
 * OpenAI Chat Completions, streamed (`POST /v1/chat/completions` with `stream: true`): one
 * `chat.completion.chunk` per token, choices interleaved when `n` > 1, tool calls as an id and name
 * then `arguments` fragments, a usage chunk with empty `choices` when `stream_options.include_usage`
 * is set, and `data: [DONE]`. Shapes as in test/fixtures/lenses/openai-chat-*.sse (docs/lenses.md).
 */
import { isRecord } from '../http-body.js';
import { answerFor, argumentFragments, tokenCount, tokenize, toolArguments } from './answer.js';
import { contentText, dataFrame, lastText, nextId, shortString, type LlmFormat } from './format.js';
import type { Frame } from './token-writer.js';

const MAX_N = 8;

export const openaiChat: LlmFormat = {
  lens: 'openai-chat',
  title: 'OpenAI Chat Completions',
  path: /^\/v1\/chat\/completions$/,
  example: {
    path: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'What is the weather in Zürich?' }] },
  },
  plan(body) {
    if (body['stream'] !== true) return { error: 'this demo server only streams: send "stream": true' };
    const messages = body['messages'];
    if (!Array.isArray(messages) || messages.length === 0) return { error: '"messages" must be a non-empty array' };
    const n = body['n'] ?? 1;
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_N) return { error: `"n" must be a whole number from 1 to ${MAX_N}` };
    const question = lastText(messages, 'user', (m) => contentText(m['content']));
    const includeUsage = isRecord(body['stream_options']) && body['stream_options']['include_usage'] === true;
    const tools = Array.isArray(body['tools']) && body['tools'].length > 0 && body['tool_choice'] !== 'none' ? body['tools'] : null;

    const head = { id: nextId('chatcmpl-'), object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: shortString(body['model'], 'gpt-4o-mini'), system_fingerprint: 'fp_demo' };
    // With include_usage every chunk carries `usage: null` until the last one, as the API does.
    const chunk = (choices: unknown[], token: boolean): Frame => dataFrame({ ...head, choices, ...(includeUsage ? { usage: null } : {}) }, token);
    const choice = (index: number, delta: Record<string, unknown>, finish: string | null = null) => ({ index, delta, logprobs: null, finish_reason: finish });
    const frames: Frame[] = [];
    let completion = 0;

    if (tools !== null) {
      const first = tools[0];
      const fn = isRecord(first) && isRecord(first['function']) ? first['function'] : {};
      const name = shortString(fn['name'], 'get_weather');
      const fragments = argumentFragments(toolArguments(fn['parameters']));
      frames.push(chunk([choice(0, { role: 'assistant', content: null, tool_calls: [{ index: 0, id: nextId('call_'), type: 'function', function: { name, arguments: '' } }] })], true));
      for (const f of fragments) frames.push(chunk([choice(0, { tool_calls: [{ index: 0, function: { arguments: f } }] })], true));
      frames.push(chunk([choice(0, {}, 'tool_calls')], false));
      completion = tokenCount(fragments.join(''));
    } else {
      const answers = Array.from({ length: n as number }, (_, i) => tokenize(answerFor(question, i)));
      answers.forEach((_, i) => frames.push(chunk([choice(i, { role: 'assistant', content: '', refusal: null })], false)));
      const longest = Math.max(...answers.map((a) => a.length));
      for (let t = 0; t < longest; t++) {
        answers.forEach((tokens, i) => {
          const token = tokens[t];
          if (token !== undefined) frames.push(chunk([choice(i, { content: token })], true));
        });
      }
      answers.forEach((_, i) => frames.push(chunk([choice(i, {}, 'stop')], false)));
      completion = answers.reduce((sum, a) => sum + a.length, 0);
    }
    if (includeUsage) {
      const prompt = tokenCount(JSON.stringify(messages)) + 7;
      const completionTokens = completion;
      frames.push(dataFrame({ ...head, choices: [], usage: { prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: prompt + completionTokens } }, false));
    }
    frames.push({ text: 'data: [DONE]\n\n', token: false });
    return {
      frames,
      errorFrame: () => `data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } })}\n\n`,
    };
  },
};
