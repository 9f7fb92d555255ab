/**
 * OpenAI Chat Completions streaming (`stream: true`): unnamed events whose data is a
 * `chat.completion.chunk`, ended by `data: [DONE]`. Each choice (n > 1) is its own message; each
 * choice's text, refusal and tool calls (`delta.tool_calls[index]`: id and name first, then argument
 * fragments) are parts. Usage arrives in a last chunk with empty `choices` when
 * `stream_options.include_usage` is set; Azure sends a first chunk with empty `choices` and
 * `prompt_filter_results`. An `error` object can arrive after the 200. References: docs/lenses.md.
 */
import type { TimelineEntry } from '../timeline.js';
import { createAssembly, createLifecycle, isRecord, num, parseObject, readUsage, str } from './assembly.js';
import type { Lens, LensFold, LensSummary, LensUsage } from './lens.js';

const USAGE_NAMES = { input: 'prompt_tokens', output: 'completion_tokens', total: 'total_tokens' };

function createChatFold(): LensFold {
  const assembly = createAssembly();
  const life = createLifecycle(assembly);
  let usage: LensUsage | null = null;

  function choice(entry: TimelineEntry, raw: Record<string, unknown>): void {
    const index = num(raw['index']) ?? 0;
    const delta = isRecord(raw['delta']) ? raw['delta'] : {};
    const key = `${life.prefix()}choice ${index}`;
    const message = assembly.message(key, str(delta['role']) ?? 'assistant');
    if (message === null) {
      assembly.skip();
      return;
    }
    const content = str(delta['content']);
    if (content !== null && content !== '') {
      const part = assembly.part(message, `${key} text`, 'text');
      if (part === null) assembly.skip();
      else assembly.append(part, content, entry);
    }
    const refusal = str(delta['refusal']);
    if (refusal !== null && refusal !== '') {
      const part = assembly.part(message, `${key} refusal`, 'refusal');
      if (part === null) assembly.skip();
      else assembly.append(part, refusal, entry);
    }
    // Some OpenAI-compatible servers (DeepSeek, vLLM, OpenRouter) stream reasoning beside the answer.
    const reasoning = str(delta['reasoning_content']) ?? str(delta['reasoning']);
    if (reasoning !== null && reasoning !== '') {
      const part = assembly.part(message, `${key} reasoning`, 'reasoning');
      if (part === null) assembly.skip();
      else assembly.append(part, reasoning, entry);
    }
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
        // The name is the model's first output when it calls a tool: it counts as the first token.
        assembly.token(entry);
      }
      const args = str(fn['arguments']);
      if (args !== null) assembly.append(part, args, entry);
    }
    const finish = str(raw['finish_reason']);
    if (finish !== null) {
      message.stopReason = finish;
      for (const part of message.parts) assembly.close(part);
    }
  }

  return {
    add(entry) {
      if (life.lifecycle(entry) || entry.kind !== 'event') return;
      life.event(entry);
      if (entry.data.trim() === '[DONE]') {
        life.end(entry);
        assembly.closeAttempt();
        return;
      }
      const chunk = parseObject(entry.data);
      if (chunk === null) {
        assembly.skip();
        return;
      }
      if (isRecord(chunk['error'])) {
        const error = chunk['error'];
        life.error(entry, str(error['message']) ?? str(error['code']) ?? str(error['type']) ?? 'unnamed error');
        return;
      }
      if (isRecord(chunk['usage'])) usage = readUsage(chunk['usage'], USAGE_NAMES);
      const choices = Array.isArray(chunk['choices']) ? (chunk['choices'] as unknown[]) : null;
      if (choices === null) {
        assembly.skip();
        return;
      }
      for (const c of choices) if (isRecord(c)) choice(entry, c);
      // Azure's content filter can stop a choice: its verdict rides on the chunk, not on the delta.
      for (const c of choices) {
        if (isRecord(c) && str(c['finish_reason']) === 'content_filter') {
          assembly.find('warning', 'content-filter', `Choice ${num(c['index']) ?? 0} was stopped by the content filter`, entry.seq, true);
        }
      }
    },
    summary(): LensSummary {
      return { lens: 'openai-chat', ...assembly.snapshot(), usage, terminal: life.terminal, calls: [], unread: assembly.unread };
    },
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
