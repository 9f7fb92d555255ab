/**
 * One imitated LLM API: where it listens, what a request must hold, and the frames its stream is
 * made of. Each provider is one module of data and small builders; the server routes by this shape
 * and the token writer paces the frames, so no format knows about sockets or timers.
 */
import { isRecord } from '../http-body.js';
import type { Frame } from './token-writer.js';

export interface StreamPlan {
  frames: Frame[];
  /** The format's own error event, sent in place of frame `at` when the request asks for `fail=error`. */
  errorFrame(at: number): string;
  /** Response headers besides the SSE ones (the AI SDK's protocol header, a request id). */
  headers?: Record<string, string>;
}

export interface LlmFormat {
  /** The lens that reads this format (src/core/lenses). */
  lens: string;
  title: string;
  /** Matched against the URL's path. */
  path: RegExp;
  /** A request that works, for the help text, the demo page and the tests. */
  example: { path: string; body: Record<string, unknown> };
  /** The stream for a request body (one JSON object, not yet checked), or why the request is refused (400). */
  plan(body: Record<string, unknown>, url: URL): StreamPlan | { error: string };
}

/** The text of a message's content: a string, or the text of its parts (`{type:'text', text}` and friends). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part === 'string' ? part : isRecord(part) && typeof part['text'] === 'string' ? part['text'] : ''))
    .filter((t) => t !== '')
    .join('\n');
}

/** The last message whose role is `role`, read by `text`; '' when there is none. */
export function lastText(messages: readonly unknown[], role: string, text: (m: Record<string, unknown>) => string): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (isRecord(m) && m['role'] === role) return text(m);
  }
  return '';
}

/** A short string field of the request (a model name), or the fallback: never echo a megabyte back. */
export function shortString(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.length > 0 && value.length <= 100 ? value : fallback;
}

export const dataFrame = (value: unknown, token: boolean): Frame => ({ text: `data: ${JSON.stringify(value)}\n\n`, token });
export const namedFrame = (type: string, value: unknown, token: boolean): Frame => ({ text: `event: ${type}\ndata: ${JSON.stringify(value)}\n\n`, token });

let counter = 0;
/** Ids that look like the provider's, different per response. */
export const nextId = (prefix: string): string => `${prefix}${Date.now().toString(36)}${(++counter).toString(36).padStart(4, '0')}`;
