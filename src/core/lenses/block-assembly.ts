/**
 * (Written beside the OpenAI lenses' assembly.ts at the same time; the two are to become one.)
 * The bookkeeping the Anthropic, Gemini and AI SDK lenses share: parts with their source spans,
 * time to first token and gaps, findings, and the life of attempts (a new attempt before the
 * terminal is a reconnect mid-message; the providers do not resume, so its parts start afresh).
 * Each lens reads its own events and tells the assembly what they mean; the rest is here once.
 */
import type { EventEntry, TimelineEntry } from '../timeline.js';
import { LENS_LIMITS, type FindingSeverity, type LensMessage, type LensName, type LensPart, type LensSummary, type LensUsage, type PartKind } from './lens.js';

export interface Assembly {
  /** Reads the entries every lens treats alike; returns the events for the lens to interpret. */
  read(entry: TimelineEntry): EventEntry | null;
  /** The current attempt's message under `key`, created on first use. */
  message(key: string, role: string): LensMessage;
  /** The current attempt's part under `key`, created on first use; null past the bound. */
  part(message: LensMessage, key: string, kind: PartKind): LensPart | null;
  /** The current attempt's part under `key` if it was opened; an end for a part never started opens nothing. */
  existing(message: LensMessage, key: string): LensPart | null;
  /** A content or tool delta: text written by event `entry`, which counts for first token and gaps. */
  append(part: LensPart, text: string, entry: EventEntry): void;
  /** Closes a part; a tool call's arguments are parsed here, a parse error reported. */
  close(part: LensPart, seq: number | null): void;
  finding(severity: FindingSeverity, code: string, message: string, seq: number | null): void;
  usage(fields: Record<string, unknown>, names: UsageNames): void;
  terminal(entry: EventEntry): void;
  /** More of the message after what looked like its end (Gemini: a candidate not seen before). */
  reopen(): void;
  /** An `error` event from the provider: after a 200, the finding every lens must show. */
  streamError(text: string, entry: EventEntry): void;
  unread(): void;
  /** The HTTP status of the current attempt's response, when seen. */
  status(): number | null;
  summary(): LensSummary;
}

/** Which of the provider's usage fields are the input, output and total counts. */
export interface UsageNames {
  input: string;
  output: string;
  total: string | null;
}

const OTHER_USAGE = 32;

/** JSON of hostile data: a value or null, never a throw. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function headerValue(headers: readonly (readonly [string, ...string[]])[], name: string): string | null {
  for (const h of headers) if (h[0].toLowerCase() === name) return h[1] ?? null;
  return null;
}

/** Tool arguments as the provider sent them: an empty string is an empty object (a tool with no input). */
function parseArguments(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message.slice(0, 200) : 'invalid JSON' };
  }
}

export function createAssembly(lens: LensName): Assembly {
  const messages: LensMessage[] = [];
  const findings: LensSummary['findings'] = [];
  const gaps: number[] = [];
  let byKey = new Map<string, LensMessage>();
  let partsByKey = new Map<string, LensPart>();
  let partCount = 0;
  let usage: LensUsage | null = null;
  let attempt = 0;
  let attemptTerminal = false;
  let attemptContent = false;
  let attemptEnded = false;
  let lastStatus: number | null = null;
  let startedAt: number | null = null;
  let firstTokenAt: number | null = null;
  let lastDeltaAt: number | null = null;
  let endedAt: number | null = null;
  let unread = 0;
  const truncatedParts = new Set<LensPart>();

  function finding(severity: FindingSeverity, code: string, message: string, seq: number | null): void {
    if (findings.length < LENS_LIMITS.findings) findings.push({ severity, code, message: message.slice(0, LENS_LIMITS.summaryChars), seq });
  }

  /** The attempt ended (or gave way to another): what was left open is reported, not guessed at. */
  function endAttempt(seq: number | null): void {
    if (attemptEnded) return;
    attemptEnded = true;
    if (attempt === 0) return;
    for (const part of partsByKey.values()) {
      if (part.done || part.tool === null) continue;
      part.tool.parsed = parseArguments(part.tool.arguments);
      if (!part.tool.parsed.ok) finding('error', 'truncated-tool-json', `the stream ended inside the arguments of tool call ${part.tool.name ?? part.key}: ${part.tool.parsed.error}`, seq);
    }
    if (!attemptTerminal) finding('error', 'no-terminal', `attempt ${attempt} ended without the ${lens} stream's terminal event`, seq);
  }

  function read(entry: TimelineEntry): EventEntry | null {
    switch (entry.kind) {
      case 'attempt-started':
        if (attempt > 0 && !attemptTerminal && attemptContent) finding('warning', 'reconnect-mid-message', `attempt ${entry.attempt} started before attempt ${attempt}'s message ended; the provider does not resume it, the answer starts again`, entry.seq);
        if (attempt > 0) endAttempt(entry.seq);
        attempt = entry.attempt;
        attemptTerminal = false;
        attemptContent = false;
        attemptEnded = false;
        lastStatus = null;
        byKey = new Map();
        partsByKey = new Map();
        startedAt ??= entry.time;
        return null;
      case 'response':
        lastStatus = entry.status;
        return null;
      case 'attempt-ended':
      case 'stopped':
        endAttempt(entry.seq);
        endedAt = entry.time;
        return null;
      case 'event':
        return entry;
      default:
        return null;
    }
  }

  function message(key: string, role: string): LensMessage {
    const k = attempt > 1 ? `attempt ${attempt} ${key}` : key;
    let m = byKey.get(k);
    if (m === undefined) {
      m = { key: k, role, parts: [], stopReason: null };
      byKey.set(k, m);
      messages.push(m);
    }
    return m;
  }

  function part(m: LensMessage, key: string, kind: PartKind): LensPart | null {
    const k = `${m.key} ${key}`;
    let p = partsByKey.get(k);
    if (p === undefined) {
      if (partCount >= LENS_LIMITS.partsPerSummary) return null;
      partCount++;
      p = { kind, key: k, text: '', tool: kind === 'tool-call' ? { id: null, name: null, arguments: '', parsed: null } : null, spans: [], done: false };
      partsByKey.set(k, p);
      m.parts.push(p);
    }
    return p;
  }

  function append(p: LensPart, text: string, entry: EventEntry): void {
    attemptContent = true;
    firstTokenAt ??= entry.time;
    if (lastDeltaAt !== null) {
      if (gaps.length >= LENS_LIMITS.gaps) gaps.shift();
      gaps.push(entry.time - lastDeltaAt);
    }
    lastDeltaAt = entry.time;
    if (text === '') return;
    const current = p.tool === null ? p.text : p.tool.arguments;
    const room = LENS_LIMITS.partChars - current.length;
    if (text.length > room && !truncatedParts.has(p)) {
      truncatedParts.add(p);
      finding('warning', 'part-truncated', `${p.key} passed ${LENS_LIMITS.partChars} characters; the rest is not kept`, entry.seq);
    }
    if (room <= 0) return;
    const piece = text.length > room ? text.slice(0, room) : text;
    if (p.tool === null) p.text += piece;
    else p.tool.arguments += piece;
    const from = current.length;
    const to = from + piece.length;
    const last = p.spans.at(-1);
    if (last !== undefined && (last.seq === entry.seq || p.spans.length >= LENS_LIMITS.spansPerPart)) last.to = to;
    else p.spans.push({ seq: entry.seq, from, to });
  }

  function close(p: LensPart, seq: number | null): void {
    if (p.done) return;
    p.done = true;
    if (p.tool === null) return;
    p.tool.parsed = parseArguments(p.tool.arguments);
    if (!p.tool.parsed.ok) finding('error', 'invalid-tool-json', `the arguments of tool call ${p.tool.name ?? p.key} are not JSON: ${p.tool.parsed.error}`, seq);
  }

  function setUsage(fields: Record<string, unknown>, names: UsageNames): void {
    const u: LensUsage = usage ?? { inputTokens: null, outputTokens: null, totalTokens: null, other: [] };
    for (const [name, value] of Object.entries(fields)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      if (name === names.input) u.inputTokens = value;
      else if (name === names.output) u.outputTokens = value;
      else if (name === names.total) u.totalTokens = value;
      else {
        const i = u.other.findIndex(([n]) => n === name);
        if (i >= 0) u.other[i] = [name, value];
        else if (u.other.length < OTHER_USAGE) u.other.push([name.slice(0, 80), value]);
      }
    }
    usage = u;
  }

  return {
    read,
    message,
    part,
    existing: (m, key) => partsByKey.get(`${m.key} ${key}`) ?? null,
    append,
    close,
    finding,
    usage: setUsage,
    terminal(entry) {
      attemptTerminal = true;
      endedAt ??= entry.time;
    },
    reopen() {
      attemptTerminal = false;
    },
    streamError(text, entry) {
      const ok = lastStatus !== null && lastStatus >= 200 && lastStatus < 300;
      finding('error', ok ? 'error-after-200' : 'stream-error', ok ? `error event after a ${lastStatus} response: ${text}` : `error event: ${text}`, entry.seq);
    },
    unread() {
      unread++;
    },
    status: () => lastStatus,
    summary() {
      const u = usage === null ? null : { ...usage, other: usage.other.map(([n, v]): [string, number] => [n, v]) };
      return {
        lens,
        messages: messages.map((m) => ({ ...m, parts: m.parts.map((p) => ({ ...p, tool: p.tool === null ? null : { ...p.tool }, spans: p.spans.map((s) => ({ ...s })) })) })),
        timing: { startedAt, firstTokenAt, endedAt, gaps: [...gaps] },
        usage: u,
        terminal: attemptTerminal,
        findings: [...findings],
        calls: [],
        unread,
      };
    },
  };
}
