/**
 * OpenAI Responses API streaming: named `response.*` events, each data a JSON object with the same
 * `type` and a `sequence_number`. Output items (messages, function calls, reasoning) are added and
 * done; their text, refusal, reasoning and function-call arguments arrive as deltas keyed by
 * `item_id` (and `content_index` / `summary_index`). `response.completed`, `response.failed` and
 * `response.incomplete` end the stream; there is no `[DONE]`. References: docs/lenses.md.
 */
import type { EventEntry } from '../timeline.js';
import { createAssembly, idOf, isRecord, num, parseObject, str } from './assembly.js';
import type { Lens, LensFold, LensMessage, PartKind } from './lens.js';

const USAGE_NAMES = { input: 'input_tokens', output: 'output_tokens', total: 'total_tokens' };

/** Which delta events write which kind of part, and the index that tells parts of one item apart. */
const DELTAS: Record<string, { kind: PartKind; index: string | null }> = {
  'response.output_text.delta': { kind: 'text', index: 'content_index' },
  'response.refusal.delta': { kind: 'refusal', index: 'content_index' },
  'response.reasoning_summary_text.delta': { kind: 'reasoning', index: 'summary_index' },
  'response.reasoning_text.delta': { kind: 'reasoning', index: 'content_index' },
  'response.function_call_arguments.delta': { kind: 'tool-call', index: null },
};

/** The `.done` twin of each delta, with the field that carries the full text. */
const DONES: Record<string, { kind: PartKind; index: string | null; field: string }> = {
  'response.output_text.done': { kind: 'text', index: 'content_index', field: 'text' },
  'response.refusal.done': { kind: 'refusal', index: 'content_index', field: 'refusal' },
  'response.reasoning_summary_text.done': { kind: 'reasoning', index: 'summary_index', field: 'text' },
  'response.reasoning_text.done': { kind: 'reasoning', index: 'content_index', field: 'text' },
  'response.function_call_arguments.done': { kind: 'tool-call', index: null, field: 'arguments' },
};

const TERMINALS = new Set(['response.completed', 'response.failed', 'response.incomplete']);

/** Events the lens knows and that carry nothing to assemble. */
const QUIET = new Set([
  'response.created', 'response.in_progress', 'response.queued', 'response.content_part.added', 'response.content_part.done',
  'response.reasoning_summary_part.added', 'response.reasoning_summary_part.done', 'response.output_text.annotation.added',
]);

function createResponsesFold(): LensFold {
  const assembly = createAssembly('openai-responses');
  let lastSequence: number | null = null;
  /** The role and kind of each output item of this attempt, learnt from output_item.added, so deltas land in the right message. */
  let items = new Map<string, { message: LensMessage; type: string }>();

  const messageFor = (itemId: string): LensMessage => items.get(itemId)?.message ?? assembly.message('response', 'assistant');
  const partKey = (itemId: string, kind: PartKind, index: number | null): string => `item ${itemId}${kind === 'tool-call' ? '' : ` ${kind} ${index ?? 0}`}`;

  function item(entry: EventEntry, raw: Record<string, unknown>, done: boolean): void {
    const it = isRecord(raw['item']) ? raw['item'] : null;
    const id = it === null ? null : idOf(it['id']);
    if (it === null || id === null) {
      assembly.skip();
      return;
    }
    const type = str(it['type']) ?? 'message';
    if (!items.has(id)) {
      const role = str(it['role']) ?? (type === 'message' ? 'assistant' : type);
      items.set(id, { message: assembly.message(`${type} ${id}`, role), type });
    }
    const message = messageFor(id);
    if (type === 'function_call') {
      const part = assembly.part(message, partKey(id, 'tool-call', null), 'tool-call');
      if (part?.tool) {
        part.tool.id ??= str(it['call_id']);
        if (part.tool.name === null && str(it['name']) !== null) {
          part.tool.name = str(it['name']);
          assembly.changed(part);
          assembly.token(entry);
        }
        // output_item.done carries the whole call: trust it when the deltas were lost.
        const args = str(it['arguments']);
        if (done && args !== null && args !== part.tool.arguments) {
          part.tool.arguments = '';
          part.tool.parsed = null;
          assembly.append(part, args, entry);
        }
      }
    }
    if (done) {
      message.stopReason = str(it['status']);
      assembly.changed(message);
      const base = assembly.key(partKey(id, 'tool-call', null));
      for (const part of message.parts) if (part.key === base || part.key.startsWith(`${base} `)) assembly.close(part);
    }
  }

  return {
    add(raw) {
      if (raw.kind === 'attempt-started') items = new Map();
      const entry = assembly.read(raw);
      if (entry === null) return;
      const data = parseObject(entry.data);
      if (data === null) {
        assembly.skip();
        return;
      }
      const type = str(data['type']) ?? entry.type;
      const sequence = num(data['sequence_number']);
      if (sequence !== null) {
        if (lastSequence !== null && sequence > lastSequence + 1) {
          assembly.find('warning', 'sequence-gap', `Events ${lastSequence + 1}–${sequence - 1} of the sequence never arrived`, entry.seq);
        }
        lastSequence = sequence;
      }
      const delta = DELTAS[type];
      const itemId = idOf(data['item_id']);
      if (delta !== undefined && itemId !== null) {
        const text = str(data['delta']) ?? '';
        const part = assembly.part(messageFor(itemId), partKey(itemId, delta.kind, delta.index === null ? null : num(data[delta.index])), delta.kind);
        if (part === null) assembly.skip();
        else assembly.append(part, text, entry);
        return;
      }
      const done = DONES[type];
      if (done !== undefined && itemId !== null) {
        const part = assembly.existing(partKey(itemId, done.kind, done.index === null ? null : num(data[done.index])));
        const full = str(data[done.field]);
        // The done event repeats the whole text: it fills a part whose deltas were never seen.
        if (part === null && full !== null && full !== '') {
          const created = assembly.part(messageFor(itemId), partKey(itemId, done.kind, done.index === null ? null : num(data[done.index])), done.kind);
          if (created !== null) {
            assembly.append(created, full, entry);
            assembly.close(created);
          }
        } else if (part !== null) assembly.close(part);
        return;
      }
      if (type === 'response.output_item.added' || type === 'response.output_item.done') {
        item(entry, data, type === 'response.output_item.done');
        return;
      }
      if (TERMINALS.has(type)) {
        const response = isRecord(data['response']) ? data['response'] : {};
        if (isRecord(response['usage'])) assembly.usage(response['usage'], USAGE_NAMES);
        assembly.closeAttempt(str(response['status']));
        assembly.terminal(entry);
        if (type === 'response.failed') {
          const error = isRecord(response['error']) ? response['error'] : {};
          assembly.streamError(entry, str(error['message']) ?? str(error['code']) ?? 'response.failed', true);
        } else if (type === 'response.incomplete') {
          const details = isRecord(response['incomplete_details']) ? response['incomplete_details'] : {};
          assembly.find('warning', 'incomplete', `The response is incomplete: ${str(details['reason']) ?? 'no reason given'}`, entry.seq);
        }
        return;
      }
      if (type === 'error') {
        assembly.streamError(entry, str(data['message']) ?? str(data['code']) ?? 'unnamed error', true);
        return;
      }
      if (!QUIET.has(type)) assembly.skip();
    },
    summary: () => assembly.summary(),
  };
}

const DETECT_ENTRIES = 30;

export const openaiResponsesLens: Lens = {
  name: 'openai-responses',
  title: 'OpenAI Responses',
  detect(entries) {
    let score = 0;
    let urlLooksRight = false;
    let events = 0;
    for (const entry of entries.slice(0, DETECT_ENTRIES)) {
      if (entry.kind === 'attempt-started' && /\/responses(?:$|[?#])/.test(entry.url)) urlLooksRight = true;
      if (entry.kind !== 'event') continue;
      events++;
      if (entry.type.startsWith('response.')) {
        const data = parseObject(entry.data);
        if (data !== null && str(data['type']) === entry.type) return 1;
        score = Math.max(score, 0.7);
      }
    }
    // The URL is a guess worth acting on only until the events can speak: events of another shape win over it.
    return Math.max(score, urlLooksRight ? (events === 0 ? 0.6 : 0.3) : 0);
  },
  create: createResponsesFold,
};
