/**
 * The bookkeeping every lens repeats: parts that grow by deltas (with the spans that link text to
 * events), bounded findings, timing and usage. A lens decides what a delta means; this module keeps
 * the result bounded and cheap to read.
 */
import type { TimelineEntry } from '../timeline.js';
import { LENS_LIMITS, type LensFinding, type LensMessage, type LensPart, type LensSummary, type LensTiming, type LensUsage, type PartKind } from './lens.js';

/** Stream data is hostile: JSON that does not parse, or is not an object, is `null`, never a throw. */
export function parseObject(data: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(data);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
/** An id from the stream, made into a key: bounded, as keys are kept per part. */
export const idOf = (value: unknown): string | null => (typeof value === 'string' ? value.slice(0, 200) : null);
export const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Cut to a length a summary can show, so a hostile message cannot grow a finding without bound. */
function short(text: string): string {
  return text.length > LENS_LIMITS.summaryChars ? `${text.slice(0, LENS_LIMITS.summaryChars)}…` : text;
}

function parseArguments(text: string): NonNullable<NonNullable<LensPart['tool']>['parsed']> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Usage as the provider named it: the three common figures, and any other numbers (nested ones dotted) apart. */
export function readUsage(raw: Record<string, unknown>, names: { input: string; output: string; total: string }): LensUsage {
  const other: [string, number][] = [];
  const walk = (obj: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const [key, value] of Object.entries(obj)) {
      if (other.length >= 32) return;
      const name = prefix + key;
      if (prefix === '' && (key === names.input || key === names.output || key === names.total)) continue;
      const n = num(value);
      if (n !== null) other.push([name, n]);
      else if (isRecord(value) && depth < 2) walk(value, `${name}.`, depth + 1);
    }
  };
  walk(raw, '', 0);
  return { inputTokens: num(raw[names.input]), outputTokens: num(raw[names.output]), totalTokens: num(raw[names.total]), other };
}

/** Output tokens per second of generation (first token to end), only from the provider's usage: chunks are not tokens. */
export function tokensPerSecond(summary: Pick<LensSummary, 'usage' | 'timing'>): number | null {
  const out = summary.usage?.outputTokens ?? null;
  const { firstTokenAt, endedAt } = summary.timing;
  if (out === null || firstTokenAt === null || endedAt === null || endedAt <= firstTokenAt) return null;
  return out / ((endedAt - firstTokenAt) / 1000);
}

/** Parts and messages of one summary, growing by deltas, each bounded. */
export function createAssembly() {
  const messages: LensMessage[] = [];
  const messageByKey = new Map<string, LensMessage>();
  const partByKey = new Map<string, LensPart>();
  const findings: LensFinding[] = [];
  const findingCodes = new Set<string>();
  const timing: LensTiming = { startedAt: null, firstTokenAt: null, endedAt: null, gaps: [] };
  let lastDeltaAt: number | null = null;
  let partCount = 0;
  const reportedTools = new Set<string>();
  /** Messages the current attempt wrote: what its terminal event closes and its end may cut. */
  const attemptMessages = new Set<LensMessage>();
  const reportBadJson = (p: LensPart, why: string): void => {
    if (p.tool?.parsed == null || p.tool.parsed.ok || reportedTools.has(p.key)) return;
    reportedTools.add(p.key);
    assembly.find('error', 'truncated-tool-json', `Tool call ${p.tool.name ?? '?'} (${p.key}): its arguments ${why} (${p.tool.parsed.error})`, p.spans.at(-1)?.seq ?? null);
  };
  let unread = 0;

  const assembly = {
    messages,
    findings,
    timing,
    get unread(): number {
      return unread;
    },
    skip(): void {
      unread++;
    },
    /** The message, created on first use; null past the cap (a hostile stream could name a million choices). */
    message(key: string, role: string): LensMessage | null {
      let m = messageByKey.get(key);
      if (m === undefined) {
        if (messages.length >= LENS_LIMITS.partsPerSummary) {
          assembly.find('warning', 'parts-capped', `More than ${LENS_LIMITS.partsPerSummary} messages or parts: the rest are not assembled`, null, true);
          return null;
        }
        m = { key, role, parts: [], stopReason: null };
        messageByKey.set(key, m);
        messages.push(m);
      }
      attemptMessages.add(m);
      return m;
    },
    /** The part, created in its message on first use; null past the cap (the delta is then counted as unread). */
    part(message: LensMessage, key: string, kind: PartKind): LensPart | null {
      let p = partByKey.get(key);
      if (p === undefined) {
        if (partCount >= LENS_LIMITS.partsPerSummary) {
          assembly.find('warning', 'parts-capped', `More than ${LENS_LIMITS.partsPerSummary} parts: the rest are not assembled`, null, true);
          return null;
        }
        partCount++;
        p = { kind, key, text: '', tool: kind === 'tool-call' ? { id: null, name: null, arguments: '', parsed: null } : null, spans: [], done: false };
        partByKey.set(key, p);
        message.parts.push(p);
      }
      return p;
    },
    existingPart(key: string): LensPart | null {
      return partByKey.get(key) ?? null;
    },
    /** Appends a delta to the part's text (or its tool arguments), remembering which event wrote it. */
    append(part: LensPart, text: string, entry: TimelineEntry): void {
      if (text === '') return;
      const current = part.tool === null ? part.text : part.tool.arguments;
      const room = LENS_LIMITS.partChars - current.length;
      if (text.length > room) assembly.find('warning', 'part-capped', `"${part.key}" is longer than ${LENS_LIMITS.partChars} characters: the rest is not kept`, entry.seq, true);
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
      // Past the cap the newest span absorbs the rest: still true (these characters came at or before it), just coarser.
      if (last !== undefined && (last.seq === entry.seq || part.spans.length >= LENS_LIMITS.spansPerPart)) last.to = to;
      else part.spans.push({ seq: entry.seq, from, to });
      assembly.token(entry);
    },
    /** A content or tool delta arrived: the first one is the time to first token; the others make the gaps. */
    token(entry: TimelineEntry): void {
      timing.firstTokenAt ??= entry.time;
      if (lastDeltaAt !== null) {
        if (timing.gaps.length >= LENS_LIMITS.gaps) timing.gaps.shift();
        timing.gaps.push(Math.max(0, entry.time - lastDeltaAt));
      }
      lastDeltaAt = entry.time;
    },
    /** Parses a tool call's arguments once, when it is complete; a part still growing is left unparsed. */
    close(part: LensPart): void {
      part.done = true;
      if (part.tool !== null && part.tool.parsed === null) part.tool.parsed = parseArguments(part.tool.arguments);
      reportBadJson(part, 'are not valid JSON');
    },
    /** The provider ended this attempt's answer: every part it wrote is complete; messages with no stop reason of their own get `stopReason`. */
    closeAttempt(stopReason: string | null = null): void {
      for (const m of attemptMessages) {
        m.stopReason ??= stopReason;
        for (const p of m.parts) assembly.close(p);
      }
    },
    /** The attempt ended: tool calls it left open are cut wherever their arguments do not parse. */
    cutAttempt(): void {
      for (const m of attemptMessages) {
        for (const p of m.parts) {
          if (p.tool === null || p.done) continue;
          p.tool.parsed ??= parseArguments(p.tool.arguments);
          reportBadJson(p, 'were cut before they were complete');
        }
      }
    },
    newAttempt(): void {
      attemptMessages.clear();
    },
    /** `once`: one finding per code (a capped stream should not fill the list with the same warning). */
    find(severity: LensFinding['severity'], code: string, message: string, seq: number | null, once = false): void {
      if (once && findingCodes.has(code)) return;
      if (findings.length >= LENS_LIMITS.findings) return;
      findingCodes.add(code);
      findings.push({ severity, code, message: short(message), seq });
    },
    has(code: string): boolean {
      return findingCodes.has(code);
    },
    /** A copy the reader may keep: later deltas do not change it. */
    snapshot(): { messages: LensMessage[]; timing: LensTiming; findings: LensFinding[] } {
      return {
        messages: messages.map((m) => ({
          ...m,
          parts: m.parts.map((p) => ({ ...p, tool: p.tool === null ? null : { ...p.tool }, spans: p.spans.map((s) => ({ ...s })) })),
        })),
        timing: { ...timing, gaps: timing.gaps.slice() },
        findings: findings.slice(),
      };
    },
  };
  return assembly;
}

export type Assembly = ReturnType<typeof createAssembly>;

/**
 * What the requests around the events say: when the request started, whether it answered 200, when
 * the stream ended, and whether a reconnect cut a message in the middle (the providers do not
 * resume one: a new attempt is a new answer, kept apart under its own keys).
 */
export function createLifecycle(assembly: Assembly) {
  let status: number | null = null;
  let over = false;
  let terminal = false;
  let errored = false;
  let eventsThisAttempt = 0;
  let firstEventAttempt: number | null = null;
  let attempt = 0;
  const state = {
    get status(): number | null {
      return status;
    },
    get terminal(): boolean {
      return terminal;
    },
    /** Keys of messages from a later attempt than the first one with events carry its number. */
    prefix(): string {
      return firstEventAttempt === null || attempt === firstEventAttempt ? '' : `attempt ${attempt} · `;
    },
    /** Handles the entries that are not events; true when it did. */
    lifecycle(entry: TimelineEntry): boolean {
      switch (entry.kind) {
        case 'attempt-started':
          assembly.timing.startedAt ??= entry.time;
          if (eventsThisAttempt > 0 && !terminal && !errored) {
            assembly.find('error', 'reconnect-mid-message', `Attempt ${entry.attempt} started before the answer of attempt ${attempt} was complete: the provider does not resume it, the new attempt is a new answer`, entry.seq);
          }
          attempt = entry.attempt;
          eventsThisAttempt = 0;
          over = false;
          status = null;
          assembly.newAttempt();
          return true;
        case 'response':
          status = entry.status;
          return true;
        case 'attempt-ended':
        case 'stopped':
          if (over) return true;
          over = true;
          if (!terminal) assembly.timing.endedAt = entry.time;
          // Decided here, when the attempt ends, never when a summary is read: live and replayed folds must agree.
          if (eventsThisAttempt > 0 && !terminal && !errored) {
            assembly.find('error', 'no-terminal', `Attempt ${attempt} ended without its terminal event: the answer may be incomplete`, entry.seq);
          }
          assembly.cutAttempt();
          return true;
        default:
          return entry.kind !== 'event';
      }
    },
    /** An event of this attempt: a later attempt's first event starts a new answer. */
    event(entry: TimelineEntry): void {
      if (eventsThisAttempt++ === 0) {
        terminal = false;
        errored = false;
      }
      firstEventAttempt ??= entry.attempt;
      attempt = entry.attempt;
    },
    end(entry: TimelineEntry): void {
      terminal = true;
      assembly.timing.endedAt = entry.time;
    },
    /** The provider said it failed (an error object, response.failed) after the stream had started. */
    error(entry: TimelineEntry, what: string): void {
      errored = true;
      assembly.timing.endedAt = entry.time;
      const after = status === 200 ? ' after a 200 response' : '';
      assembly.find('error', status === 200 ? 'error-after-200' : 'stream-error', `The stream reported an error${after}: ${what}`, entry.seq);
    },
  };
  return state;
}
