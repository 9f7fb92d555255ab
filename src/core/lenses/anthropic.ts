/**
 * Anthropic Messages streaming (https://docs.anthropic.com/en/docs/build-with-claude/streaming):
 * message_start, content blocks by index (text, thinking, tool_use whose input arrives as
 * partial_json pieces), message_delta with the stop reason and cumulative usage, message_stop as
 * the terminal, ping anywhere, and `event: error` even after a 200.
 */
import type { EventEntry, TimelineEntry } from '../timeline.js';
import { BLOCK_DIALECT, createAssembly, headerValue, isRecord, parseJson, str, type Assembly } from './assembly.js';
import type { Lens, LensFold, LensMessage, LensPart, PartKind } from './lens.js';

const USAGE = { input: 'input_tokens', output: 'output_tokens', total: null } as const;

/** content_block.type → the part it becomes; redacted thinking is reasoning with no readable text. */
const BLOCK_KINDS: Record<string, PartKind> = {
  text: 'text',
  thinking: 'reasoning',
  redacted_thinking: 'reasoning',
  tool_use: 'tool-call',
  server_tool_use: 'tool-call',
  mcp_tool_use: 'tool-call',
};

/** delta.type → the field that carries its text and the kind of part it writes (null: read, no text). */
const DELTAS: Record<string, { field: string; kind: PartKind } | null> = {
  text_delta: { field: 'text', kind: 'text' },
  input_json_delta: { field: 'partial_json', kind: 'tool-call' },
  thinking_delta: { field: 'thinking', kind: 'reasoning' },
  // The signature only proves the thinking to the API; it is no text for a reader.
  signature_delta: null,
  citations_delta: null,
};

const EVENT_TYPES = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping', 'error']);

function createFold(): LensFold {
  const a: Assembly = createAssembly('anthropic', BLOCK_DIALECT);
  let current: { message: LensMessage; key: string } | null = null;

  const open = (key: string, role: string): LensMessage => (current = { message: a.message(key, role), key }).message;
  const msg = (): LensMessage => current?.message ?? open('message', 'assistant');
  const blockKey = (index: number): string => `${current?.key ?? 'message'} block ${index}`;
  const block = (index: unknown, kind: PartKind): LensPart | null => (typeof index === 'number' ? a.part(msg(), blockKey(index), kind) : null);

  const handlers: Record<string, (d: Record<string, unknown>, e: EventEntry) => boolean> = {
    message_start(d) {
      const m = isRecord(d['message']) ? d['message'] : {};
      open(str(m['id'])?.slice(0, 200) ?? 'message', str(m['role']) ?? 'assistant');
      if (isRecord(m['usage'])) a.usage(m['usage'], USAGE);
      return true;
    },
    content_block_start(d, e) {
      const cb = isRecord(d['content_block']) ? d['content_block'] : {};
      const kind = BLOCK_KINDS[str(cb['type']) ?? ''];
      const p = block(d['index'], kind ?? 'text');
      if (p === null || kind === undefined) return false;
      if (p.tool !== null) {
        p.tool.id = str(cb['id']);
        p.tool.name = str(cb['name']);
        a.changed(p);
      }
      const initial = str(cb['text']) ?? str(cb['thinking']);
      if (initial !== null && initial !== '') a.append(p, initial, e);
      return true;
    },
    content_block_delta(d, e) {
      const delta = isRecord(d['delta']) ? d['delta'] : {};
      const how = DELTAS[str(delta['type']) ?? ''];
      if (how === undefined) return false;
      if (how === null) return true;
      const text = str(delta[how.field]);
      const p = block(d['index'], how.kind);
      if (p === null || text === null) return false;
      a.append(p, text, e);
      return true;
    },
    content_block_stop(d, e) {
      const p = typeof d['index'] === 'number' ? a.existing(blockKey(d['index'])) : null;
      if (p === null) return false;
      a.close(p, e.seq);
      return true;
    },
    message_delta(d) {
      const delta = isRecord(d['delta']) ? d['delta'] : {};
      const stop = str(delta['stop_reason']);
      if (stop !== null) {
        msg().stopReason = stop;
        a.changed(msg());
      }
      if (isRecord(d['usage'])) a.usage(d['usage'], USAGE);
      return true;
    },
    message_stop(_d, e) {
      a.terminal(e);
      return true;
    },
    ping: () => true,
    error(d, e) {
      const err = isRecord(d['error']) ? d['error'] : {};
      a.streamError(e, `${str(err['type']) ?? 'error'}: ${str(err['message']) ?? ''}`.slice(0, 500), false);
      return true;
    },
  };

  return {
    add(entry: TimelineEntry) {
      if (entry.kind === 'attempt-started') current = null;
      const e = a.read(entry);
      if (e === null) return;
      const d = parseJson(e.data);
      if (!isRecord(d)) return a.skip();
      const type = str(d['type']) ?? e.type;
      const handle = Object.hasOwn(handlers, type) ? handlers[type] : undefined;
      if (handle === undefined || !handle(d, e)) a.skip();
    },
    summary: () => a.summary(),
  };
}

function detect(entries: readonly TimelineEntry[]): number {
  let score = 0;
  for (const e of entries) {
    if (e.kind === 'attempt-started') {
      if (/\/v1\/messages(\?|$)/.test(e.url) || headerValue(e.headers, 'anthropic-version') !== null) score = Math.max(score, 0.8);
    } else if (e.kind === 'response') {
      if (e.headers.some(([n]) => n.toLowerCase().startsWith('anthropic-'))) score = Math.max(score, 0.7);
    } else if (e.kind === 'event') {
      const d = parseJson(e.data);
      const type = isRecord(d) ? str(d['type']) : null;
      if (type === 'message_start' && isRecord(isRecord(d) ? d['message'] : null)) return 1;
      if (type !== null && EVENT_TYPES.has(type) && type === e.type) score = Math.max(score, 0.6);
      return score;
    }
  }
  return score;
}

export const anthropicLens: Lens = { name: 'anthropic', title: 'Anthropic Messages', detect, create: createFold };
