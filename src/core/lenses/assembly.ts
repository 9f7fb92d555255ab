/**
 * The bookkeeping every LLM lens shares, once: parts that grow by deltas (with the spans that link
 * text to events), bounded findings, time to first token and gaps, usage, and the life of attempts
 * (a new attempt before the terminal event is a reconnect mid-message: the providers do not resume
 * one, so the new attempt is a new answer, kept apart under its own keys). A lens decides what an
 * event means; this module keeps the result bounded and cheap to read after every batch.
 */
import type { EventEntry, HeaderPair, TimelineEntry } from '../timeline.js';
import { LENS_LIMITS, type FindingSeverity, type LensFinding, type LensMessage, type LensName, type LensPart, type LensSummary, type LensTiming, type LensUsage, type PartKind } from './lens.js';

/** Stream data is hostile: JSON that does not parse is `null`, never a throw. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON that is an object, or null. */
export function parseObject(text: string): Record<string, unknown> | null {
  const value = parseJson(text);
  return isRecord(value) ? value : null;
}

export const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
/** An id from the stream, made into a key: bounded, as keys are kept per part. */
export const idOf = (value: unknown): string | null => (typeof value === 'string' ? value.slice(0, 200) : null);
export const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export function headerValue(headers: readonly HeaderPair[], name: string): string | null {
  for (const h of headers) if (h[0].toLowerCase() === name) return h[1];
  return null;
}

/** Cut to a length a summary can show, so a hostile message cannot grow a finding without bound. */
function short(text: string): string {
  return text.length > LENS_LIMITS.summaryChars ? `${text.slice(0, LENS_LIMITS.summaryChars)}…` : text;
}

/**
 * Tool arguments as the provider closed them: empty is an empty input (a tool with no parameters).
 * Cut before any arrived, they are not: `cut` says so.
 */
function parseArguments(text: string, cut: boolean): NonNullable<NonNullable<LensPart['tool']>['parsed']> {
  if (!cut && text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message.slice(0, 200) : 'invalid JSON' };
  }
}

/** Which of the provider's usage fields are the input, output and total counts. */
export interface UsageNames {
  input: string;
  output: string;
  total: string | null;
}

const OTHER_USAGE = 32;

/** Output tokens per second of generation (first token to end), only from the provider's usage: chunks are not tokens. */
export function tokensPerSecond(summary: Pick<LensSummary, 'usage' | 'timing'>): number | null {
  const out = summary.usage?.outputTokens ?? null;
  const { firstTokenAt, endedAt } = summary.timing;
  if (out === null || firstTokenAt === null || endedAt === null || endedAt <= firstTokenAt) return null;
  return out / ((endedAt - firstTokenAt) / 1000);
}

/**
 * What differs between the lenses in what they name, not in what they do: the key prefix of a
 * later attempt's messages and parts, and the code of a part cut at its character cap. Kept as each
 * lens family named them first, so summaries (and what reads them) stay the same.
 */
export interface Dialect {
  attemptPrefix(attempt: number): string;
  partCapped: string;
}

const OPENAI_DIALECT: Dialect = { attemptPrefix: (n) => `attempt ${n} · `, partCapped: 'part-capped' };

/** Anthropic, Gemini, AI SDK. */
export const BLOCK_DIALECT: Dialect = { attemptPrefix: (n) => `attempt ${n} `, partCapped: 'part-truncated' };

export function createAssembly(lens: LensName, dialect: Dialect = OPENAI_DIALECT) {
  const messages: LensMessage[] = [];
  /** A message past the cap: parts asked of it are refused, and it is in no summary. */
  const OVERFLOW: LensMessage = { key: '', role: '', parts: [], stopReason: null };
  const messageByKey = new Map<string, LensMessage>();
  const partByKey = new Map<string, LensPart>();
  const findings: LensFinding[] = [];
  const onceCodes = new Set<string>();
  const reported = new Set<LensPart>();
  const capped = new Set<LensPart>();
  const timing: LensTiming = { startedAt: null, firstTokenAt: null, endedAt: null, gaps: [] };
  let usage: LensUsage | null = null;
  let lastDeltaAt: number | null = null;
  let partCount = 0;
  let unread = 0;
  /** The connection of the entry being read: a single-connection lens's findings are all on it. */
  let connectionId: string | null = null;

  // The current attempt.
  let attempt = 0;
  let firstEventAttempt: number | null = null;
  let status: number | null = null;
  let terminal = false;
  /** The provider said it failed: that explains a missing terminal event, one finding not two. */
  let errored = false;
  let content = false;
  let ended = true;
  /** Messages the current attempt wrote: what its terminal closes and its end may cut. */
  const attemptMessages = new Set<LensMessage>();

  /** What summary() hands out, rebuilt only where something changed since the last call. */
  let dirty = true;
  const dirtyMessages = new Set<LensMessage>();
  const snapshots = new Map<LensMessage, LensMessage>();
  let cached: Omit<LensSummary, 'lens' | 'calls'> | null = null;

  const touch = (m: LensMessage | null): void => {
    dirty = true;
    if (m !== null && m !== OVERFLOW) dirtyMessages.add(m);
  };
  const messageOf = new Map<LensPart, LensMessage>();

  function find(severity: FindingSeverity, code: string, message: string, seq: number | null, once = false): void {
    if (once && onceCodes.has(code)) return;
    if (findings.length >= LENS_LIMITS.findings) return;
    onceCodes.add(code);
    findings.push({ severity, code, message: short(message), seq, connectionId: seq === null ? null : connectionId });
    dirty = true;
  }

  function reportBad(p: LensPart, code: string, why: string, seq: number | null): void {
    if (p.tool?.parsed == null || p.tool.parsed.ok || reported.has(p)) return;
    reported.add(p);
    find('error', code, `Tool call ${p.tool.name ?? '?'} (${p.key}): its arguments ${why} (${p.tool.parsed.error})`, seq ?? p.spans.at(-1)?.seq ?? null);
  }

  /** The attempt ended (or gave way to another): tool calls it left open are cut, a missing terminal reported. */
  function endAttempt(seq: number): void {
    if (ended) return;
    ended = true;
    for (const m of attemptMessages) {
      for (const p of m.parts) {
        if (p.tool === null || p.done) continue;
        p.tool.parsed ??= parseArguments(p.tool.arguments, true);
        touch(m);
        reportBad(p, 'truncated-tool-json', 'were cut before they were complete', seq);
      }
    }
    // Decided here, when the attempt ends, never when a summary is read: live and replayed folds must agree.
    // A request that got no stream (a network error, a 401, a 204 "do not reconnect") has no answer to be incomplete: the timeline says why.
    const streamed = status !== null && status >= 200 && status < 300 && status !== 204;
    if (streamed && !terminal && !errored) find('error', 'no-terminal', `Attempt ${attempt} ended without the ${lens} stream's terminal event: the answer may be incomplete`, seq);
  }

  const prefix = (): string => (firstEventAttempt === null || attempt === firstEventAttempt ? '' : dialect.attemptPrefix(attempt));

  const assembly = {
    /** Reads the entries every lens treats alike; returns the events for the lens to interpret. */
    read(entry: TimelineEntry): EventEntry | null {
      connectionId = entry.connectionId;
      switch (entry.kind) {
        case 'attempt-started':
          if (content && !terminal && !errored) {
            find('error', 'reconnect-mid-message', `Attempt ${entry.attempt} started before the answer of attempt ${attempt} was complete: the provider does not resume it, the new attempt is a new answer`, entry.seq);
          }
          endAttempt(entry.seq);
          timing.startedAt ??= entry.time;
          attempt = entry.attempt;
          status = null;
          terminal = false;
          errored = false;
          content = false;
          ended = false;
          attemptMessages.clear();
          dirty = true;
          return null;
        case 'response':
          status = entry.status;
          return null;
        case 'attempt-ended':
        case 'stopped':
          if (ended) return null;
          if (!terminal) timing.endedAt = entry.time;
          endAttempt(entry.seq);
          dirty = true;
          return null;
        case 'event':
          firstEventAttempt ??= entry.attempt;
          attempt = entry.attempt;
          return entry;
        default:
          return null;
      }
    },
    /** The current attempt's message under `key`, created on first use; past the cap a message no summary shows. */
    message(key: string, role: string): LensMessage {
      const k = prefix() + key;
      let m = messageByKey.get(k);
      if (m === undefined) {
        if (messages.length >= LENS_LIMITS.partsPerSummary) {
          find('warning', 'parts-capped', `More than ${LENS_LIMITS.partsPerSummary} messages or parts: the rest are not assembled`, null, true);
          return OVERFLOW;
        }
        m = { key: k, role, parts: [], stopReason: null };
        messageByKey.set(k, m);
        messages.push(m);
        touch(m);
      }
      attemptMessages.add(m);
      return m;
    },
    /** The current attempt's part under `key` (unique in the summary), created in `message` on first use; null past the cap. */
    part(message: LensMessage, key: string, kind: PartKind): LensPart | null {
      if (message === OVERFLOW) return null;
      const k = prefix() + key;
      let p = partByKey.get(k);
      if (p === undefined) {
        if (partCount >= LENS_LIMITS.partsPerSummary) {
          find('warning', 'parts-capped', `More than ${LENS_LIMITS.partsPerSummary} parts: the rest are not assembled`, null, true);
          return null;
        }
        partCount++;
        p = { kind, key: k, text: '', tool: kind === 'tool-call' ? { id: null, name: null, arguments: '', parsed: null } : null, spans: [], done: false };
        partByKey.set(k, p);
        messageOf.set(p, message);
        message.parts.push(p);
        touch(message);
      }
      return p;
    },
    /** The key a part or message asked for as `key` has in the current attempt. */
    key: (key: string): string => prefix() + key,
    /** The current attempt's part under `key` if it was opened: an end for a part never started opens nothing. */
    existing(key: string): LensPart | null {
      return partByKey.get(prefix() + key) ?? null;
    },
    /** Tell the summary a lens changed a message or part by hand (a stop reason, a tool's name, an output). */
    changed(target: LensMessage | LensPart): void {
      touch('parts' in target ? target : (messageOf.get(target) ?? null));
    },
    /** A delta: text written by `entry` to the part (or its tool arguments); it counts for first token and gaps even when empty. */
    append(part: LensPart, text: string, entry: EventEntry): void {
      assembly.token(entry);
      if (text === '') return;
      const current = part.tool === null ? part.text : part.tool.arguments;
      const room = LENS_LIMITS.partChars - current.length;
      if (text.length > room && !capped.has(part)) {
        capped.add(part);
        find('warning', dialect.partCapped, `"${part.key}" is longer than ${LENS_LIMITS.partChars} characters: the rest is not kept`, entry.seq);
      }
      if (room <= 0) return;
      const piece = text.length > room ? text.slice(0, room) : text;
      if (part.tool === null) part.text += piece;
      else {
        part.tool.arguments += piece;
        part.tool.parsed = null;
      }
      const from = current.length;
      const to = from + piece.length;
      const last = part.spans.at(-1);
      // Spans are replaced, never changed, so a summary already handed out stays as it was.
      // Past the cap the newest span absorbs the rest: still true (these characters came at or before it), just coarser.
      if (last !== undefined && (last.seq === entry.seq || part.spans.length >= LENS_LIMITS.spansPerPart)) part.spans[part.spans.length - 1] = { seq: last.seq, from: last.from, to };
      else part.spans.push({ seq: entry.seq, from, to });
      assembly.changed(part);
    },
    /** A content or tool delta arrived: the first is the time to first token; the others make the gaps. */
    token(entry: EventEntry): void {
      content = true;
      timing.firstTokenAt ??= entry.time;
      if (lastDeltaAt !== null) {
        if (timing.gaps.length >= LENS_LIMITS.gaps) timing.gaps.shift();
        timing.gaps.push(Math.max(0, entry.time - lastDeltaAt));
      }
      lastDeltaAt = entry.time;
      dirty = true;
    },
    /** The provider closed the part: a tool call's arguments are parsed here, JSON that does not parse reported. */
    close(part: LensPart, seq: number | null = null): void {
      if (part.done && part.tool?.parsed !== null) return;
      part.done = true;
      if (part.tool !== null) {
        part.tool.parsed ??= parseArguments(part.tool.arguments, false);
        reportBad(part, 'invalid-tool-json', 'are not valid JSON', seq);
      }
      assembly.changed(part);
    },
    /** The provider ended this attempt's answer: every part it wrote is complete; messages with no stop reason of their own get `stopReason`. */
    closeAttempt(stopReason: string | null = null): void {
      for (const m of attemptMessages) {
        m.stopReason ??= stopReason;
        touch(m);
        for (const p of m.parts) assembly.close(p);
      }
    },
    /** The terminal event ([DONE], message_stop, …): the answer is complete. */
    terminal(entry: EventEntry): void {
      terminal = true;
      timing.endedAt = entry.time;
      dirty = true;
    },
    /** More of the answer after what looked like its end (Gemini: a candidate not seen before). */
    reopen(): void {
      terminal = false;
      dirty = true;
    },
    /**
     * The provider reported an error in the stream. `explainsEnd`: its error replaces the terminal
     * event (OpenAI), so no `no-terminal` finding follows; otherwise (Anthropic, Gemini, AI SDK) the
     * missing terminal is reported too.
     */
    streamError(entry: EventEntry, what: string, explainsEnd: boolean): void {
      if (explainsEnd) {
        errored = true;
        timing.endedAt = entry.time;
      }
      const ok = status !== null && status >= 200 && status < 300;
      find('error', ok ? 'error-after-200' : 'stream-error', ok ? `The stream reported an error after a ${status} response: ${what}` : `The stream reported an error: ${what}`, entry.seq);
    },
    find,
    has(code: string): boolean {
      return onceCodes.has(code);
    },
    /** Usage as the provider named it, merged into what earlier events said: the three common figures, other numbers (nested ones dotted) apart. */
    usage(raw: Record<string, unknown>, names: UsageNames): void {
      const u: LensUsage = usage === null ? { inputTokens: null, outputTokens: null, totalTokens: null, other: [] } : { ...usage, other: usage.other.slice() };
      const walk = (obj: Record<string, unknown>, path: string, depth: number): void => {
        for (const [key, value] of Object.entries(obj)) {
          const name = (path + key).slice(0, 80);
          const n = num(value);
          if (n !== null) {
            if (path === '' && key === names.input) u.inputTokens = n;
            else if (path === '' && key === names.output) u.outputTokens = n;
            else if (path === '' && key === names.total) u.totalTokens = n;
            else {
              const i = u.other.findIndex(([k]) => k === name);
              if (i >= 0) u.other[i] = [name, n];
              else if (u.other.length < OTHER_USAGE) u.other.push([name, n]);
            }
          } else if (isRecord(value) && depth < 2) walk(value, `${name}.`, depth + 1);
        }
      };
      walk(raw, '', 0);
      usage = u;
      dirty = true;
    },
    /** An event the lens read and could not place. */
    skip(): void {
      unread++;
      dirty = true;
    },
    /** The HTTP status of the current attempt's response, when seen. */
    status: (): number | null => status,
    /**
     * What the stream means so far. A copy the reader may keep (later deltas do not change it),
     * built only where something changed since the last call: a live panel reading it after every
     * batch pays for the batch, not for the history.
     */
    summary(): LensSummary {
      if (dirty || cached === null) {
        for (const m of dirtyMessages) snapshots.set(m, { ...m, parts: m.parts.map((p) => ({ ...p, tool: p.tool === null ? null : { ...p.tool }, spans: p.spans.slice() })) });
        dirtyMessages.clear();
        cached = {
          messages: messages.map((m) => snapshots.get(m) ?? m),
          timing: { ...timing, gaps: timing.gaps.slice() },
          usage: usage === null ? null : { ...usage, other: usage.other.slice() },
          terminal,
          findings: findings.slice(),
          unread,
        };
        dirty = false;
      }
      return { lens, ...cached, calls: [] };
    },
  };
  return assembly;
}

export type Assembly = ReturnType<typeof createAssembly>;
