/**
 * The MCP lens: JSON-RPC over Streamable HTTP (spec revision 2025-11-25,
 * https://modelcontextprotocol.io/specification/2025-11-25/basic/transports) and over the legacy
 * HTTP+SSE transport (2024-11-05, https://modelcontextprotocol.io/specification/2024-11-05/basic/transports).
 *
 * One MCP session is several HTTP connections: a POST per client message (answered by JSON or by an
 * SSE stream of its own), a GET stream for what the server says unasked, and GETs that resume a cut
 * stream with Last-Event-ID. So this fold is fed the entries of every connection of a session, in
 * time order, and pairs requests with responses by JSON-RPC id across them; per-connection state is
 * only what tells which stream a message arrived on. docs/lenses.md (MCP) says what is checked and why.
 */
import type { AttemptStartedEntry, EventEntry, HeaderPair, ResponseEntry, TimelineEntry } from '../timeline.js';
import { LENS_LIMITS, type Lens, type LensFinding, type LensFold, type LensMessage, type LensPart, type LensSummary, type McpCall } from './lens.js';

/** JSON-RPC batches: allowed in 2024-11-05 and 2025-03-26, removed in 2025-06-18 (changelog, PR #416). */
const BATCHLESS_FROM = '2025-06-18';
/** MCP-Protocol-Version is required on every request after initialize from this revision on. */
const VERSION_HEADER_FROM = '2025-06-18';
const MAX_BATCH = 1000;
const MAX_CONNECTIONS = 10_000;

/** An entry, as findings cite it: seq numbers are per connection. */
interface At {
  connectionId: string;
  seq: number;
}

type StreamKind = 'post' | 'get' | 'legacy-get' | 'other';

interface Attempt {
  kind: StreamKind;
  startedAt: number;
  /** Keys of the client requests this POST carried (empty when its body is not known). */
  requestKeys: string[];
  bodyKnown: boolean;
  resumedFrom: string | null;
  /** The last priming event's id: the server promised this stream can be resumed. */
  primedId: string | null;
  url: string;
  sseAnswer: boolean;
}

interface CallState {
  call: McpCall;
  requestTime: number | null;
  requestConnection: string | null;
  progressToken: string | null;
  /** The stream the response was due on ended; null while open or not known. */
  streamEnded: { primed: boolean; at: At } | null;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const idKey = (id: Json | undefined): string | null => (typeof id === 'string' ? `s${id}` : typeof id === 'number' ? `n${id}` : null);
const idText = (id: string | number): string => (typeof id === 'string' ? JSON.stringify(id) : String(id));
const header = (headers: readonly HeaderPair[], name: string): string | null => headers.find(([n]) => n.toLowerCase() === name)?.[1] ?? null;
const bounded = (s: string): string => (s.length > LENS_LIMITS.summaryChars ? `${s.slice(0, LENS_LIMITS.summaryChars - 1)}…` : s);

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function resultSummary(result: Json | undefined): string {
  if (isObject(result) && Array.isArray(result.tools)) return `${result.tools.length} tools`;
  if (isObject(result) && Array.isArray(result.content)) {
    const texts = result.content.filter(isObject).map((c) => (typeof c.text === 'string' ? c.text : `[${typeof c.type === 'string' ? c.type : 'content'}]`));
    return `${result.isError === true ? 'tool error: ' : ''}${texts.join(' ')}`;
  }
  if (isObject(result) && typeof result.protocolVersion === 'string') return `protocol ${result.protocolVersion}`;
  return JSON.stringify(result ?? null);
}

function createMcpFold(): LensFold {
  const calls = new Map<string, CallState>();
  const order: CallState[] = [];
  const attempts = new Map<string, Attempt>();
  const findings: LensFinding[] = [];
  const serverMessages: LensPart[] = [];
  let findingsDropped = 0;
  let callsDropped = 0;
  let unread = 0;
  let startedAt: number | null = null;
  let firstResponseAt: number | null = null;
  let endedAt: number | null = null;
  let sessionId: string | null = null;
  let negotiated: string | null = null;
  let legacyEndpoint: string | null = null;
  const progressTokens = new Map<string, CallState>();

  /** `at`: the entry that shows it; seq numbers are per connection, so the finding names both. */
  function find(severity: LensFinding['severity'], code: string, message: string, at: At | null): void {
    if (findings.length < LENS_LIMITS.findings - 1) findings.push({ severity, code, message: bounded(message), seq: at?.seq ?? null, connectionId: at?.connectionId ?? null });
    else findingsDropped++;
  }

  function newCall(key: string, id: string | number, method: string, seq: number | null, time: number | null, connectionId: string | null, sid: string | null): CallState | null {
    if (order.length >= LENS_LIMITS.calls) {
      callsDropped++;
      return null;
    }
    const state: CallState = {
      call: { id: idText(id), method, requestSeq: seq, requestConnectionId: seq === null ? null : connectionId, responseSeq: null, latencyMs: null, outcome: 'pending', summary: '', progress: [], sessionId: sid, connectionId: null },
      requestTime: time,
      requestConnection: connectionId,
      progressToken: null,
      streamEnded: null,
    };
    calls.set(key, state);
    order.push(state);
    return state;
  }

  const label = (s: CallState): string => `${s.call.method} (id ${s.call.id})`;

  function serverText(e: EventEntry, text: string): void {
    if (serverMessages.length >= LENS_LIMITS.partsPerSummary) return;
    const t = bounded(text);
    serverMessages.push({ kind: 'text', key: `${e.connectionId} #${e.seq}`, text: t, tool: null, spans: [{ seq: e.seq, from: 0, to: t.length, connectionId: e.connectionId }], done: true });
  }

  /** Messages in a body or in event data: one object, or a batch where the revision allows it. */
  function messagesOf(value: unknown, at: At): JsonObject[] {
    if (!Array.isArray(value)) return isObject(value) ? [value] : [];
    if (negotiated !== null && negotiated >= BATCHLESS_FROM) find('warning', 'batch-not-allowed', `A JSON-RPC batch of ${value.length} messages; protocol ${negotiated} removed batching (2025-06-18)`, at);
    return value.slice(0, MAX_BATCH).filter(isObject);
  }

  function onAttempt(e: AttemptStartedEntry): void {
    startedAt ??= e.time;
    const method = e.method.toUpperCase();
    const a: Attempt = {
      kind: method === 'POST' ? 'post' : method === 'GET' ? 'get' : 'other',
      startedAt: e.time,
      requestKeys: [],
      bodyKnown: e.body !== undefined,
      resumedFrom: e.lastEventId,
      primedId: null,
      url: e.url,
      sseAnswer: false,
    };
    if (attempts.size < MAX_CONNECTIONS || attempts.has(e.connectionId)) attempts.set(e.connectionId, a);
    const sid = header(e.headers, 'mcp-session-id');
    let isInitialize = false;
    if (e.body !== undefined) {
      const parsed = parseJson(e.body);
      for (const m of parsed.ok ? messagesOf(parsed.value, e) : []) {
        const key = idKey(m.id);
        if (typeof m.method !== 'string') continue;
        if (m.method === 'initialize') isInitialize = true;
        if (m.method === 'notifications/cancelled' && isObject(m.params)) {
          const target = calls.get(`c${idKey(m.params.requestId) ?? ''}`);
          if (target !== undefined) target.call.summary = bounded(`cancelled by the client${typeof m.params.reason === 'string' ? `: ${m.params.reason}` : ''}`);
        }
        if (key === null || (typeof m.id !== 'string' && typeof m.id !== 'number')) continue;
        if (calls.has(`c${key}`)) find('warning', 'duplicate-request-id', `Request id ${idText(m.id)} reused by ${m.method} while an earlier request has it`, e);
        const state = newCall(`c${key}`, m.id, m.method, e.seq, e.time, e.connectionId, sid);
        if (state === null) continue;
        a.requestKeys.push(`c${key}`);
        const meta = isObject(m.params) && isObject(m.params._meta) ? m.params._meta : null;
        const token = meta === null ? null : idKey(meta.progressToken);
        if (token !== null) {
          state.progressToken = token;
          progressTokens.set(token, state);
        }
      }
    }
    if (legacyEndpoint !== null && a.kind === 'post') {
      if (!sameTarget(e.url, legacyEndpoint)) find('warning', 'post-not-to-endpoint', `A POST to ${e.url}, not to the endpoint the server named (${legacyEndpoint})`, e);
      return;
    }
    // Streamable HTTP: after initialize assigned a session, every request carries it and the version.
    if (isInitialize || legacyEndpoint !== null) return;
    const what = a.requestKeys.length > 0 ? a.requestKeys.map((k) => label(calls.get(k) as CallState)).join(', ') : `${method} ${e.url}`;
    if (sessionId !== null && sid === null) find('error', 'missing-session-id', `${what} was sent without Mcp-Session-Id; the server assigned ${sessionId} at initialize and may answer 400`, e);
    else if (sessionId !== null && sid !== sessionId) find('warning', 'other-session-id', `${what} carries Mcp-Session-Id ${sid ?? ''}, not the ${sessionId} assigned at initialize`, e);
    const version = header(e.headers, 'mcp-protocol-version');
    if (negotiated !== null && negotiated >= VERSION_HEADER_FROM && version === null) find('warning', 'missing-protocol-version', `${what} was sent without MCP-Protocol-Version (negotiated ${negotiated}); the server may assume 2025-03-26`, e);
    else if (negotiated !== null && version !== null && version !== negotiated) find('warning', 'other-protocol-version', `${what} says MCP-Protocol-Version ${version}, but ${negotiated} was negotiated`, e);
  }

  function onResponse(e: ResponseEntry): void {
    const a = attempts.get(e.connectionId);
    if (a !== undefined) a.sseAnswer = (header(e.headers, 'content-type') ?? '').toLowerCase().startsWith('text/event-stream');
    const sid = header(e.headers, 'mcp-session-id');
    if (sid !== null && sessionId === null) sessionId = sid;
  }

  function onMessage(m: JsonObject, e: { connectionId: string; seq: number; time: number }, event: EventEntry | null): void {
    const a = attempts.get(e.connectionId);
    const key = idKey(m.id);
    if (typeof m.method === 'string') {
      if (m.method === 'notifications/progress' && isObject(m.params)) return onProgress(m.params, e, a);
      if (event !== null) serverText(event, `${key === null ? 'notification' : `request ${idText(m.id as string | number)}`} ${m.method}${m.params === undefined ? '' : ` ${JSON.stringify(m.params)}`}`);
      return;
    }
    if (key === null || (!('result' in m) && !('error' in m))) {
      unread++;
      return;
    }
    let state = calls.get(`c${key}`);
    // The request's body was not recorded: a POST's own stream answers that POST, so its start is the request's.
    if (state === undefined) state = newCall(`c${key}`, m.id as string | number, '?', null, a?.kind === 'post' && !a.bodyKnown ? a.startedAt : null, a?.kind === 'post' ? e.connectionId : null, null) ?? undefined;
    if (state === undefined) return;
    if (state.call.outcome !== 'pending') {
      find('warning', 'duplicate-response', `A second response to ${label(state)}`, e);
      return;
    }
    firstResponseAt ??= e.time;
    state.call.responseSeq = e.seq;
    state.call.latencyMs = state.requestTime === null ? null : e.time - state.requestTime;
    state.call.connectionId = state.requestConnection === e.connectionId ? null : e.connectionId;
    const error = m.error;
    if (error !== undefined) {
      state.call.outcome = 'error';
      state.call.summary = bounded(isObject(error) ? `${typeof error.code === 'number' ? error.code : '?'} ${typeof error.message === 'string' ? error.message : ''}`.trim() : JSON.stringify(error));
    } else {
      state.call.outcome = 'result';
      state.call.summary = bounded(resultSummary(m.result));
      if (isObject(m.result) && typeof m.result.protocolVersion === 'string' && isObject(m.result.capabilities)) negotiated = m.result.protocolVersion;
    }
    checkStream(state, a, e);
  }

  /** Where the spec lets a response travel: its POST's own stream, a GET that resumes one, the legacy SSE stream. */
  function checkStream(state: CallState, a: Attempt | undefined, e: { connectionId: string; seq: number }): void {
    if (a === undefined || a.kind === 'legacy-get' || a.kind === 'other') return;
    if (a.kind === 'get' && a.resumedFrom === null) {
      const own = state.requestConnection === null ? undefined : attempts.get(state.requestConnection);
      const why = own?.sseAnswer === true ? ', though its POST got an SSE stream of its own' : '';
      find('warning', 'unexpected-stream', `The response to ${label(state)} arrived on the GET stream${why}; responses belong there only when resuming a POST's stream`, e);
    } else if (a.kind === 'post' && a.bodyKnown && !a.requestKeys.some((k) => calls.get(k) === state)) {
      find('warning', 'unexpected-stream', `The response to ${label(state)} arrived on the stream of another POST (${e.connectionId})`, e);
    }
  }

  function onProgress(params: JsonObject, e: { connectionId: string; seq: number }, a: Attempt | undefined): void {
    const token = idKey(params.progressToken);
    let state = token === null ? undefined : progressTokens.get(token);
    // Unknown token, body not recorded: a POST's stream speaks of that POST's one request.
    if (state === undefined && a?.kind === 'post' && a.requestKeys.length === 1) state = calls.get(a.requestKeys[0] as string);
    if (state === undefined) {
      find('info', 'progress-unknown-token', `Progress for token ${JSON.stringify(params.progressToken ?? null)}, which no request carried`, e);
      return;
    }
    if (typeof params.progress !== 'number' || state.call.progress.length >= LENS_LIMITS.progressPerCall) return;
    state.call.progress.push({
      seq: e.seq,
      progress: params.progress,
      total: typeof params.total === 'number' ? params.total : null,
      message: typeof params.message === 'string' ? bounded(params.message) : null,
    });
  }

  function onEvent(e: EventEntry): void {
    const a = attempts.get(e.connectionId);
    // 2025-11-25: an event with an id and empty data primes the client to resume this stream.
    if (e.data === '') {
      if (e.id !== null && a !== undefined) a.primedId = e.id;
      else unread++;
      return;
    }
    if (e.type === 'endpoint') {
      legacyEndpoint = resolve(e.data, a?.url ?? null);
      if (a !== undefined) a.kind = 'legacy-get';
      serverText(e, `endpoint ${e.data}`);
      return;
    }
    const parsed = parseJson(e.data);
    const list = parsed.ok ? messagesOf(parsed.value, e) : [];
    if (list.length === 0) {
      unread++;
      find('warning', 'not-json-rpc', `Event data that is not a JSON-RPC message: ${e.data.slice(0, 80)}`, e);
    }
    for (const m of list) onMessage(m, e, e);
  }

  function onEnded(e: TimelineEntry & { kind: 'attempt-ended' }): void {
    endedAt = e.time;
    const a = attempts.get(e.connectionId);
    if (a === undefined) return;
    // A POST answered with plain JSON: its message is the body the engine kept.
    if (e.body !== undefined && (e.body.contentType ?? '').toLowerCase().startsWith('application/json') && e.body.cut === null) {
      const parsed = parseJson(e.body.text);
      for (const m of parsed.ok ? messagesOf(parsed.value, e) : []) onMessage(m, e, null);
    }
    // Only a POST's own SSE stream owed the response; a 202 or a JSON answer owes nothing more.
    if (!a.sseAnswer) return;
    for (const k of a.requestKeys) {
      const state = calls.get(k);
      if (state !== undefined && state.call.outcome === 'pending') state.streamEnded = { primed: a.primedId !== null, at: { connectionId: e.connectionId, seq: e.seq } };
    }
  }

  return {
    add(entry) {
      switch (entry.kind) {
        case 'attempt-started':
          return onAttempt(entry);
        case 'response':
          return onResponse(entry);
        case 'event':
          return onEvent(entry);
        case 'attempt-ended':
          return onEnded(entry);
        default:
          return;
      }
    },
    summary(): LensSummary {
      const all = [...findings];
      for (const s of order) {
        if (s.call.outcome !== 'pending' || s.streamEnded === null || all.length >= LENS_LIMITS.findings) continue;
        all.push(
          s.streamEnded.primed
            ? { severity: 'info', code: 'awaiting-resume', message: `The stream of ${label(s)} ended before its response; it was primed, so a GET with Last-Event-ID can resume it`, seq: s.streamEnded.at.seq, connectionId: s.streamEnded.at.connectionId }
            : { severity: 'error', code: 'ended-without-response', message: `The stream of ${label(s)} ended without its response and without a priming event id to resume from`, seq: s.streamEnded.at.seq, connectionId: s.streamEnded.at.connectionId },
        );
      }
      if (callsDropped > 0) all.push({ severity: 'info', code: 'calls-capped', message: `${callsDropped} more requests past ${LENS_LIMITS.calls} not listed`, seq: null, connectionId: null });
      if (findingsDropped > 0) all.push({ severity: 'info', code: 'findings-capped', message: `${findingsDropped} more findings not listed`, seq: null, connectionId: null });
      const messages: LensMessage[] = serverMessages.length === 0 ? [] : [{ key: 'server', role: 'server', parts: [...serverMessages], stopReason: null }];
      return {
        lens: 'mcp',
        messages,
        timing: { startedAt, firstTokenAt: firstResponseAt, endedAt, gaps: [] },
        usage: null,
        terminal: order.length > 0 && order.every((s) => s.call.outcome !== 'pending'),
        findings: all.slice(0, LENS_LIMITS.findings),
        calls: order.map((s) => ({ ...s.call, progress: [...s.call.progress] })),
        unread,
      };
    },
  };
}

function resolve(target: string, base: string | null): string {
  try {
    return new URL(target, base ?? undefined).href;
  } catch {
    return target;
  }
}

function sameTarget(url: string, endpoint: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(endpoint);
    return a.origin === b.origin && a.pathname === b.pathname;
  } catch {
    return url === endpoint;
  }
}

function detect(entries: readonly TimelineEntry[]): number {
  let score = 0;
  for (const e of entries.slice(0, 20)) {
    if (e.kind === 'attempt-started' && (header(e.headers, 'mcp-session-id') !== null || header(e.headers, 'mcp-protocol-version') !== null)) score = Math.max(score, 0.9);
    else if (e.kind === 'response' && header(e.headers, 'mcp-session-id') !== null) score = Math.max(score, 0.9);
    else if (e.kind === 'event' && e.type === 'endpoint') score = Math.max(score, 0.8);
    else if (e.kind === 'event' && /^\s*[[{]\s*"jsonrpc"\s*:\s*"2\.0"/.test(e.data.slice(0, 64))) score = Math.max(score, 0.8);
    else if (e.kind === 'attempt-started' && e.body !== undefined && e.body.slice(0, 64).includes('"jsonrpc"')) score = Math.max(score, 0.7);
  }
  return score;
}

export const mcpLens: Lens = { name: 'mcp', title: 'MCP (JSON-RPC over Streamable HTTP or HTTP+SSE)', detect, create: createMcpFold };
