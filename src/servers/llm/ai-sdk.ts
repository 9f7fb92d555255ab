/**
 * The Vercel AI SDK's UI message stream (`POST /api/chat`, what `useChat` talks to; the response says
 * `x-vercel-ai-ui-message-stream: v1`): start, start-step, reasoning-* when `reasoning` is asked for,
 * text-start/delta/end, finish-step, finish with usage in its message metadata, `[DONE]`.
 * Shapes as in test/fixtures/lenses/ai-sdk-*.sse (docs/lenses.md).
 */
import { isRecord } from '../http-body.js';
import { answerFor, reasoningFor, tokenCount, tokenize } from './answer.js';
import { contentText, dataFrame, lastText, nextId, type LlmFormat } from './format.js';
import type { Frame } from './token-writer.js';

/** A UIMessage's text is in its parts; older clients send `content`. */
const messageText = (m: Record<string, unknown>): string => contentText(Array.isArray(m['parts']) ? m['parts'].filter((p) => isRecord(p) && p['type'] === 'text') : m['content']);

export const aiSdk: LlmFormat = {
  lens: 'ai-sdk',
  title: 'Vercel AI SDK UI message stream',
  path: /^\/api\/chat$/,
  example: { path: '/api/chat', body: { id: 'chat-demo', messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'How do I stream a chat answer?' }] }] } },
  plan(body) {
    const messages = body['messages'];
    if (!Array.isArray(messages) || messages.length === 0) return { error: '"messages" must be a non-empty array' };
    const question = lastText(messages, 'user', messageText);
    const frames: Frame[] = [];
    const part = (value: Record<string, unknown>, token = false): void => {
      frames.push(dataFrame(value, token));
    };
    part({ type: 'start', messageId: nextId('msg-') });
    part({ type: 'start-step' });
    let outputTokens = 0;
    if (body['reasoning'] === true) {
      const tokens = tokenize(reasoningFor(question));
      part({ type: 'reasoning-start', id: 'reasoning-1' });
      for (const t of tokens) part({ type: 'reasoning-delta', id: 'reasoning-1', delta: t }, true);
      part({ type: 'reasoning-end', id: 'reasoning-1' });
      outputTokens += tokens.length;
    }
    const tokens = tokenize(answerFor(question));
    part({ type: 'text-start', id: 'text-1' });
    for (const t of tokens) part({ type: 'text-delta', id: 'text-1', delta: t }, true);
    part({ type: 'text-end', id: 'text-1' });
    outputTokens += tokens.length;
    const inputTokens = tokenCount(JSON.stringify(messages));
    part({ type: 'finish-step' });
    part({ type: 'finish', finishReason: 'stop', messageMetadata: { usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens } } });
    frames.push({ text: 'data: [DONE]\n\n', token: false });
    return {
      frames,
      headers: { 'x-vercel-ai-ui-message-stream': 'v1' },
      errorFrame: () => `data: ${JSON.stringify({ type: 'error', errorText: 'Overloaded' })}\n\n`,
    };
  },
};
