/**
 * Lenses (issue 13): what an LLM or MCP stream means, assembled from its timeline entries. Each lens
 * is a pure, incremental fold: `add` costs per new entry, never per history, and `summary()` is
 * cheap enough to call after every batch. Lenses know nothing of browsers or UI; the panel, the
 * viewer and the CLI all read the same summary. Input is hostile (a stream's data): every size kept
 * here is bounded, and JSON that does not parse is a finding, never a throw.
 */
import type { TimelineEntry } from '../timeline.js';

export const LENS_NAMES = ['openai-chat', 'openai-responses', 'anthropic', 'gemini', 'ai-sdk', 'mcp'] as const;
export type LensName = (typeof LENS_NAMES)[number];

export type FindingSeverity = 'error' | 'warning' | 'info';

/** Something the reader must not miss ("ended without message_stop", "error after 200"). */
export interface LensFinding {
  severity: FindingSeverity;
  /** Stable, for tests and the doctor (issue 14): 'no-terminal', 'error-after-200', 'truncated-tool-json', 'reconnect-mid-message', … */
  code: string;
  message: string;
  /** The entry that shows it, when one does. */
  seq: number | null;
  /** The connection `seq` is on (seq numbers are per connection; the MCP lens folds several); null when `seq` is. */
  connectionId: string | null;
}

/** Where a piece of assembled text came from: characters [from, to) of the part's text, written by event `seq`. */
export interface SourceSpan {
  seq: number;
  from: number;
  to: number;
  /** The connection `seq` is on, where a lens folds several (MCP); absent: the stream's one connection. */
  connectionId?: string;
}

export type PartKind = 'text' | 'reasoning' | 'refusal' | 'tool-call';

export interface ToolCallInfo {
  id: string | null;
  name: string | null;
  /** The arguments as assembled; `parsed` once the call is complete (or the stream ended). */
  arguments: string;
  parsed: { ok: true; value: unknown } | { ok: false; error: string } | null;
}

/** One content block / choice's text / tool call, assembled. */
export interface LensPart {
  kind: PartKind;
  /** Unique within the summary (e.g. "choice 0", "block 2", "item msg_…"). */
  key: string;
  text: string;
  tool: ToolCallInfo | null;
  /** Bounded: past MAX_SPANS per part the rest is merged into the last span. */
  spans: SourceSpan[];
  /** False while the provider has not closed it (content_block_stop, output_item.done, finish_reason…). */
  done: boolean;
}

export interface LensMessage {
  key: string;
  role: string;
  parts: LensPart[];
  stopReason: string | null;
}

export interface LensTiming {
  /** The request's start (attempt-started), ms epoch. */
  startedAt: number | null;
  /** The first content or tool-call delta (not a role-only chunk, not `created`). */
  firstTokenAt: number | null;
  endedAt: number | null;
  /** Gaps between consecutive content deltas, ms; bounded (MAX_GAPS, the newest kept). */
  gaps: number[];
}

export interface LensUsage {
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  /** Other numeric usage fields as the provider named them (reasoning_tokens, cached…), bounded. */
  other: [string, number][];
}

/** MCP: one JSON-RPC request paired with its response (issue 13, item 6). */
export interface McpCall {
  id: string;
  method: string;
  requestSeq: number | null;
  /** The connection `requestSeq` is on (the POST that carried the request), when known. */
  requestConnectionId: string | null;
  responseSeq: number | null;
  latencyMs: number | null;
  outcome: 'pending' | 'result' | 'error';
  /** A short text of the result or error, bounded. */
  summary: string;
  progress: { seq: number; progress: number; total: number | null; message: string | null }[];
  sessionId: string | null;
  /** Which connection the response (`responseSeq`) came on, when not the request's own. */
  connectionId: string | null;
}

export interface LensSummary {
  lens: LensName;
  messages: LensMessage[];
  timing: LensTiming;
  usage: LensUsage | null;
  /** The provider's terminal event was seen ([DONE], message_stop, response.completed, …). */
  terminal: boolean;
  findings: LensFinding[];
  /** MCP only. */
  calls: McpCall[];
  /** Counts of events the lens read and could not place (unknown types, bad JSON), for honesty. */
  unread: number;
}

export interface LensFold {
  add(entry: TimelineEntry): void;
  summary(): LensSummary;
}

export interface Lens {
  name: LensName;
  /** Shown in the lens picker: "OpenAI Chat Completions". */
  title: string;
  /** How sure this lens is that the stream is its format, 0..1, from the first entries (request, response headers, the first events). */
  detect(entries: readonly TimelineEntry[]): number;
  create(): LensFold;
}

export const LENS_LIMITS = {
  /** Characters of assembled text kept per part. */
  partChars: 1_000_000,
  partsPerSummary: 512,
  spansPerPart: 4096,
  gaps: 2048,
  findings: 200,
  calls: 2000,
  progressPerCall: 200,
  summaryChars: 2000,
} as const;
