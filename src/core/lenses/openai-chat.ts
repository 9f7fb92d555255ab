/**
 * OpenAI Chat Completions streaming (`stream: true`): unnamed events whose data is a
 * `chat.completion.chunk`, ended by `data: [DONE]`. Each choice (n > 1) is its own message; each
 * choice's text, refusal and tool calls (`delta.tool_calls[index]`: id and name first, then argument
 * fragments) are parts. Usage arrives in a last chunk with empty `choices` when
 * `stream_options.include_usage` is set; Azure sends a first chunk with empty `choices` and
 * `prompt_filter_results`. An `error` object can arrive after the 200. References: docs/lenses.md.
 */
import type { EventEntry } from '../timeline.js';
import { createAssembly, isRecord, num, parseObject, str } from './assembly.js';
import type { Lens, LensFold } from './lens.js';

const USAGE_NAMES = { input: 'prompt_tokens', output: 'completion_tokens', total: 'total_tokens' };

function createChatFold(): LensFold {
  const assembly = createAssembly('openai-chat');

  function append(message: ReturnType<typeof assembly.message>, key: string, kind: 'text' | 'refusal' | 'reasoning', text: string | null, entry: EventEntry): void {
    if (text === null || text === '') return;
    const part = assembly.part(message, key, kind);
    if (part === null) assembly.skip();
    else assembly.append(part, text, entry);
  }

  function choice(entry: EventEntry, raw: Record<string, unknown>): void {
    const index = num(raw['index']) ?? 0;
    const delta = isRecord(raw['delta']) ? raw['delta'] : {};
    const key = `choice ${index}`;
    const message = assembly.message(key, str(delta['role']) ?? 'assistant');
    append(message, `${key} text`, 'text', str(delta['content']), entry);
    append(message, `${key} refusal`, 'refusal', str(delta['refusal']), entry);
    // Some OpenAI-compatible servers (DeepSeek, vLLM, OpenRouter) stream reasoning beside the answer.
    append(message, `${key} reasoning`, 'reasoning', str(delta['reasoning_content']) ?? str(delta['reasoning']), entry);
    const calls = Array.isArray(delta['tool_calls']) ? (delta['tool_calls'] as unknown[]) : [];
    for (const call of calls) {
      if (!isRecord(call)) continue;
      const part = assembly.part(message, `${key} tool ${num(call['index']) ?? 0}`, 'tool-call');
      if (part === null || part.tool === null) {
        assembly.skip();
        continue;
      }
      const fn = isRecord(call['function']) ? call['function'] : {};
      const id = str(call['id']);
      const name = str(fn['name']);
      if (id !== null && part.tool.id === null) part.tool.id = id;
      if (name !== null && part.tool.name === null) {
        part.tool.name = name;
        assembly.changed(part);
        // The name is the model's first output when it calls a tool: it counts as the first token.
        assembly.token(entry);
      }
      const args = str(fn['arguments']);
      if (args !== null && args !== '') assembly.append(part, args, entry);
    }
    const finish = str(raw['finish_reason']);
    if (finish !== null) {
      message.stopReason = finish;
      assembly.changed(message);
      for (const part of message.parts) assembly.close(part);
    }
  }

  return {
    add(entry) {
      const event = assembly.read(entry);
      if (event === null) return;
      if (event.data.trim() === '[DONE]') {
        assembly.terminal(event);
        assembly.closeAttempt();
        return;
      }
      const chunk = parseObject(event.data);
      if (chunk === null) {
        assembly.skip();
        return;
      }
      if (isRecord(chunk['error'])) {
        const error = chunk['error'];
        // OpenAI's error chunk takes the place of [DONE]: it says why the stream ends.
        assembly.streamError(event, str(error['message']) ?? str(error['code']) ?? str(error['type']) ?? 'unnamed error', true);
        return;
      }
      if (isRecord(chunk['usage'])) assembly.usage(chunk['usage'], USAGE_NAMES);
      const choices = Array.isArray(chunk['choices']) ? (chunk['choices'] as unknown[]) : null;
      if (choices === null) {
        assembly.skip();
        return;
      }
      for (const c of choices) if (isRecord(c)) choice(event, c);
      // Azure's content filter can stop a choice: its verdict rides on the chunk, not on the delta.
      for (const c of choices) {
        if (isRecord(c) && str(c['finish_reason']) === 'content_filter') {
          assembly.find('warning', 'content-filter', `Choice ${num(c['index']) ?? 0} was stopped by the content filter`, event.seq, true);
        }
      }
    },
    summary: () => assembly.summary(),
  };
}

/** Only the first entries are read: detection must not cost per history. */
const DETECT_ENTRIES = 30;

export const openaiChatLens: Lens = {
  name: 'openai-chat',
  title: 'OpenAI Chat Completions',
  detect(entries) {
    let score = 0;
    let urlLooksRight = false;
    let events = 0;
    for (const entry of entries.slice(0, DETECT_ENTRIES)) {
      if (entry.kind === 'attempt-started' && /\/chat\/completions(?:$|[?#])/.test(entry.url)) urlLooksRight = true;
      if (entry.kind !== 'event') continue;
      events++;
      if (entry.type !== 'message') continue;
      const chunk = parseObject(entry.data);
      if (chunk === null) continue;
      if (chunk['object'] === 'chat.completion.chunk') return 1;
      if (Array.isArray(chunk['choices']) && (chunk['choices'] as unknown[]).some((c) => isRecord(c) && isRecord(c['delta']))) score = Math.max(score, 0.8);
    }
    // The URL is a guess worth acting on only until the events can speak: events of another shape win over it.
    return Math.max(score, urlLooksRight ? (events === 0 ? 0.6 : 0.3) : 0);
  },
  create: createChatFold,
};
