/**
 * The Vercel AI SDK UI message stream, protocol v1 (https://ai-sdk.dev/docs/ai-sdk-ui/stream-protocol),
 * announced by the response header `x-vercel-ai-ui-message-stream: v1`: JSON parts typed
 * start / text-* / reasoning-* / tool-* / finish-step / finish / error, ended by `data: [DONE]`.
 * A tool part's text is its output, once the tool ran.
 */
import type { EventEntry, TimelineEntry } from '../timeline.js';
import { BLOCK_DIALECT, createAssembly, headerValue, isRecord, parseJson, str } from './assembly.js';
import type { Lens, LensFold, LensMessage, LensPart, PartKind } from './lens.js';

/** Parts the lens understands and has nothing to assemble from (sources, files, custom data, steps). */
const KNOWN_QUIET = new Set(['start-step', 'finish-step', 'source-url', 'source-document', 'file', 'message-metadata', 'tool-approval-request', 'tool-output-denied']);

const OUTPUT_CHARS = 20_000;

function createFold(): LensFold {
  const a = createAssembly('ai-sdk', BLOCK_DIALECT);
  let current: { message: LensMessage; key: string } | null = null;
  const open = (key: string): LensMessage => (current = { message: a.message(key, 'assistant'), key }).message;
  const msg = (): LensMessage => current?.message ?? open('message');
  const keyOf = (prefix: string, id: string): string => `${current?.key ?? 'message'} ${prefix} ${id.slice(0, 200)}`;
  const part = (id: unknown, prefix: string, kind: PartKind): LensPart | null => {
    const s = str(id);
    if (s === null) return null;
    const m = msg();
    return a.part(m, keyOf(prefix, s), kind);
  };
  const delta = (prefix: string, kind: PartKind, idField: string, textField: string) => (d: Record<string, unknown>, e: EventEntry): boolean => {
    const p = part(d[idField], prefix, kind);
    const text = str(d[textField]);
    if (p === null || text === null) return false;
    a.append(p, text, e);
    return true;
  };
  const end = (prefix: string) => (d: Record<string, unknown>, e: EventEntry): boolean => {
    const id = str(d['id']);
    const p = id === null ? null : a.existing(keyOf(prefix, id));
    if (p === null) return false;
    a.close(p, e.seq);
    return true;
  };
  const tool = (d: Record<string, unknown>): LensPart | null => {
    const p = part(d['toolCallId'], 'tool', 'tool-call');
    if (p?.tool != null) {
      p.tool.id ??= str(d['toolCallId']);
      p.tool.name ??= str(d['toolName']);
      a.changed(p);
    }
    return p;
  };

  const handlers: Record<string, (d: Record<string, unknown>, e: EventEntry) => boolean> = {
    start(d) {
      open(str(d['messageId'])?.slice(0, 200) ?? 'message');
      return true;
    },
    'text-start': (d) => part(d['id'], 'text', 'text') !== null,
    'text-delta': delta('text', 'text', 'id', 'delta'),
    'text-end': end('text'),
    'reasoning-start': (d) => part(d['id'], 'reasoning', 'reasoning') !== null,
    'reasoning-delta': delta('reasoning', 'reasoning', 'id', 'delta'),
    'reasoning-end': end('reasoning'),
    'tool-input-start': (d) => tool(d) !== null,
    'tool-input-delta': (d, e) => {
      const p = tool(d);
      const text = str(d['inputTextDelta']);
      if (p === null || text === null) return false;
      a.append(p, text, e);
      return true;
    },
    'tool-input-available': (d, e) => {
      const p = tool(d);
      if (p === null || p.tool === null) return false;
      // Without streamed input (a tool call not streamed) the input arrives here whole.
      if (p.tool.arguments === '' && d['input'] !== undefined) a.append(p, JSON.stringify(d['input']), e);
      a.close(p, e.seq);
      return true;
    },
    'tool-output-available': (d) => {
      const p = tool(d);
      if (p === null) return false;
      p.text = JSON.stringify(d['output'] ?? null).slice(0, OUTPUT_CHARS);
      a.changed(p);
      return true;
    },
    'tool-input-error': (d, e) => {
      const p = tool(d);
      if (p === null) return false;
      a.close(p, e.seq);
      a.find('warning', 'tool-error', `the input of tool call ${p.tool?.name ?? p.key} was refused: ${(str(d['errorText']) ?? '').slice(0, 500)}`, e.seq);
      return true;
    },
    'tool-output-error': (d, e) => {
      const p = tool(d);
      if (p === null) return false;
      p.text = (str(d['errorText']) ?? 'error').slice(0, OUTPUT_CHARS);
      a.changed(p);
      a.find('warning', 'tool-error', `tool call ${p.tool?.name ?? p.key} failed: ${p.text.slice(0, 500)}`, e.seq);
      return true;
    },
    abort(d, e) {
      a.find('warning', 'aborted', `the stream was aborted${str(d['reason']) === null ? '' : `: ${str(d['reason'])?.slice(0, 500)}`}`, e.seq);
      return true;
    },
    finish(d, e) {
      const m = msg();
      m.stopReason = str(d['finishReason']) ?? 'finish';
      a.changed(m);
      for (const p of m.parts) if (p.tool === null) a.close(p, e.seq);
      const meta = isRecord(d['messageMetadata']) ? d['messageMetadata'] : null;
      const usage = meta !== null && isRecord(meta['usage']) ? meta['usage'] : null;
      if (usage !== null) a.usage(usage, { input: 'inputTokens', output: 'outputTokens', total: 'totalTokens' });
      return true;
    },
    error(d, e) {
      a.streamError(e, (str(d['errorText']) ?? 'error').slice(0, 500), false);
      return true;
    },
  };

  return {
    add(entry: TimelineEntry) {
      if (entry.kind === 'attempt-started') current = null;
      const e = a.read(entry);
      if (e === null) return;
      if (e.data.trim() === '[DONE]') {
        a.terminal(e);
        return;
      }
      const d = parseJson(e.data);
      const type = isRecord(d) ? str(d['type']) : null;
      if (!isRecord(d) || type === null) {
        a.skip();
        return;
      }
      const handle = Object.hasOwn(handlers, type) ? handlers[type] : undefined;
      if (handle !== undefined ? handle(d, e) : KNOWN_QUIET.has(type) || type.startsWith('data-')) return;
      a.skip();
    },
    summary: () => a.summary(),
  };
}

const FIRST_TYPES = new Set(['start', 'start-step', 'text-start', 'reasoning-start', 'tool-input-start', 'error']);

function detect(entries: readonly TimelineEntry[]): number {
  let score = 0;
  for (const e of entries) {
    if (e.kind === 'response') {
      if (headerValue(e.headers, 'x-vercel-ai-ui-message-stream') === 'v1') return 1;
    } else if (e.kind === 'event') {
      const d = parseJson(e.data);
      const type = isRecord(d) ? str(d['type']) : null;
      if (type !== null && FIRST_TYPES.has(type) && e.type === 'message') score = Math.max(score, type === 'start' ? 0.7 : 0.5);
      return score;
    }
  }
  return score;
}

export const aiSdkLens: Lens = { name: 'ai-sdk', title: 'Vercel AI SDK UI message stream', detect, create: createFold };
