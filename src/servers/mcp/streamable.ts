/**
 * MCP's Streamable HTTP transport (2025-11-25) at one path, `/mcp`:
 * - POST initialize starts a session: its answer carries `Mcp-Session-Id`;
 * - every later request must carry that id and `MCP-Protocol-Version` (400 without, 404 for an
 *   unknown session); notifications and responses get 202;
 * - a request is answered with its own SSE stream: a priming event (an id, empty data) so the client
 *   can resume, progress notifications, then the response, and the stream ends;
 * - GET opens the session's own stream (a priming event, then a log message now and then); with
 *   `Last-Event-ID` it resumes whichever stream that id belongs to, replaying what came after it;
 * - DELETE ends the session.
 * `?fail=mid` cuts a tools/call stream inside a message; the tool still finishes, so its answer is
 * waiting for a client that resumes. Every stream's events are kept (bounded) for that.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sseEvent } from '../../core/sse-writer.js';
import { sendJson } from '../http-body.js';
import { paceFrom, SSE_HEADERS, type Pace } from '../llm/token-writer.js';
import { answer, initializeResult, readMessage, rpcError, rpcResult, type Outgoing } from './methods.js';
import { later } from './timers.js';

const MAX_SESSIONS = 100;
const MAX_EVENTS_PER_STREAM = 200;
const MAX_STREAMS_PER_SESSION = 200;
/** The session's own stream says something this often unless `?interval=` says otherwise. */
const LOG_INTERVAL_MS = 10_000;

interface McpStream {
  id: string;
  events: { id: string; text: string }[];
  next: number;
  res: ServerResponse | null;
  done: boolean;
}

interface Session {
  id: string;
  version: string;
  streams: Map<string, McpStream>;
  nextStream: number;
  /** The GET stream's id, once one was opened. */
  standalone: string | null;
  timers: Set<NodeJS.Timeout>;
  ticks: number;
}

const header = (req: IncomingMessage, name: string): string | null => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : null;
};

const badRequest = (res: ServerResponse, status: number, message: string): void => sendJson(res, status, rpcError(null, -32000, message));

export interface StreamableMcp {
  handle(req: IncomingMessage, url: URL, body: string, res: ServerResponse): void;
  close(): void;
}

export function createStreamableMcp(track: (res: ServerResponse) => void): StreamableMcp {
  const sessions = new Map<string, Session>();

  function newStream(session: Session): McpStream {
    const stream: McpStream = { id: `s${++session.nextStream}`, events: [], next: 0, res: null, done: false };
    session.streams.set(stream.id, stream);
    // Old finished streams go first: a long session keeps only the recent ones resumable.
    for (const [id, s] of session.streams) {
      if (session.streams.size <= MAX_STREAMS_PER_SESSION) break;
      if (s.done && s.res === null) session.streams.delete(id);
    }
    return stream;
  }

  function attach(stream: McpStream, res: ServerResponse): void {
    if (stream.res !== null && stream.res !== res) stream.res.end();
    stream.res = res;
    track(res);
    res.on('close', () => {
      if (stream.res === res) stream.res = null;
    });
  }

  /** Sends (when a client is attached) and keeps one event, null being the priming event; `cut` writes half of it and drops the connection instead. */
  function emit(stream: McpStream, message: unknown, cut = false): void {
    const id = `${stream.id}-${stream.next++}`;
    const text = sseEvent({ id, data: message === null ? '' : JSON.stringify(message) });
    stream.events.push({ id, text });
    if (stream.events.length > MAX_EVENTS_PER_STREAM) stream.events.shift();
    const res = stream.res;
    if (res === null || res.destroyed) return;
    if (!cut) {
      res.write(text);
      return;
    }
    stream.res = null;
    const bytes = Buffer.from(text, 'utf8');
    res.write(bytes.subarray(0, Math.ceil(bytes.length / 2)), () => res.destroy());
  }

  function finish(stream: McpStream): void {
    stream.done = true;
    stream.res?.end();
    stream.res = null;
  }

  function openSse(res: ServerResponse, headers: Record<string, string> = {}): void {
    res.writeHead(200, { ...SSE_HEADERS, ...headers });
    res.flushHeaders();
  }

  /** Plays `outgoing` on `stream` at the asked pace, cutting the middle message for `fail=mid`, then ends the stream. */
  function play(session: Session, stream: McpStream, outgoing: Outgoing[], pace: Pace): void {
    const cutAt = pace.fail === 'mid' && outgoing.length > 1 ? Math.floor(outgoing.length / 2) : -1;
    let at = 0;
    outgoing.forEach((o, i) => {
      at += o.afterMs / pace.speed;
      later(session, at, () => {
        emit(stream, o.message, i === cutAt);
        if (i === outgoing.length - 1) finish(stream);
      });
    });
  }

  function tick(session: Session, stream: McpStream, everyMs: number): void {
    later(session, everyMs, () => {
      if (stream.res === null) return;
      session.ticks++;
      emit(stream, { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', logger: 'demo', data: `tick ${session.ticks}: the server is still here` } });
      tick(session, stream, everyMs);
    });
  }

  function endSession(session: Session): void {
    session.timers.forEach((t) => clearTimeout(t));
    session.timers.clear();
    for (const s of session.streams.values()) s.res?.end();
    sessions.delete(session.id);
  }

  /** The session a non-initialize request belongs to, or null once an error is sent. */
  function sessionOf(req: IncomingMessage, res: ServerResponse): Session | null {
    const id = header(req, 'mcp-session-id');
    if (id === null) {
      badRequest(res, 400, 'Bad Request: the Mcp-Session-Id header is required after initialize');
      return null;
    }
    const session = sessions.get(id);
    if (session === undefined) {
      badRequest(res, 404, 'Session not found: initialize again');
      return null;
    }
    const version = header(req, 'mcp-protocol-version');
    if (version === null) {
      badRequest(res, 400, 'Bad Request: the MCP-Protocol-Version header is required after initialize');
      return null;
    }
    if (version !== session.version) {
      badRequest(res, 400, `Bad Request: this session speaks MCP-Protocol-Version ${session.version}, not ${version.slice(0, 40)}`);
      return null;
    }
    return session;
  }

  function post(req: IncomingMessage, body: string, res: ServerResponse, pace: Pace): void {
    const message = readMessage(body, res);
    if (message === null) return;
    if (message.kind === 'request' && message.method === 'initialize') {
      const { version, result } = initializeResult(message.params['protocolVersion']);
      const session: Session = { id: randomUUID(), version, streams: new Map(), nextStream: 0, standalone: null, timers: new Set(), ticks: 0 };
      sessions.set(session.id, session);
      for (const old of sessions.values()) {
        if (sessions.size <= MAX_SESSIONS) break;
        endSession(old);
      }
      const stream = newStream(session);
      openSse(res, { 'Mcp-Session-Id': session.id });
      attach(stream, res);
      emit(stream, null);
      emit(stream, rpcResult(message.id, result));
      finish(stream);
      return;
    }
    const session = sessionOf(req, res);
    if (session === null) return;
    if (message.kind !== 'request') {
      res.writeHead(202).end();
      return;
    }
    const stream = newStream(session);
    openSse(res);
    attach(stream, res);
    emit(stream, null);
    play(session, stream, answer(message, pace), pace);
  }

  function get(req: IncomingMessage, url: URL, res: ServerResponse, pace: Pace): void {
    const session = sessionOf(req, res);
    if (session === null) return;
    const lastEventId = header(req, 'last-event-id');
    if (lastEventId !== null) {
      const streamId = lastEventId.split('-')[0] ?? '';
      const stream = session.streams.get(streamId);
      const from = stream?.events.findIndex((e) => e.id === lastEventId) ?? -1;
      if (stream === undefined || from < 0) {
        badRequest(res, 404, 'Last-Event-ID names no event this session can resume from');
        return;
      }
      openSse(res);
      for (const e of stream.events.slice(from + 1)) res.write(e.text);
      if (stream.done) {
        res.end();
        return;
      }
      attach(stream, res);
      if (stream.id === session.standalone) tick(session, stream, intervalOf(url, pace));
      return;
    }
    const previous = session.standalone === null ? undefined : session.streams.get(session.standalone);
    if (previous !== undefined) finish(previous);
    const stream = newStream(session);
    session.standalone = stream.id;
    openSse(res);
    attach(stream, res);
    emit(stream, null);
    tick(session, stream, intervalOf(url, pace));
  }

  const intervalOf = (url: URL, pace: Pace): number => {
    const v = Number(url.searchParams.get('interval'));
    return url.searchParams.has('interval') && v >= 10 ? v : LOG_INTERVAL_MS / pace.speed;
  };

  return {
    handle(req, url, body, res) {
      const pace = paceFrom(url.searchParams);
      if (typeof pace === 'string') {
        badRequest(res, 400, pace);
        return;
      }
      if (req.method === 'POST') post(req, body, res, pace);
      else if (req.method === 'GET') get(req, url, res, pace);
      else if (req.method === 'DELETE') {
        const session = sessionOf(req, res);
        if (session === null) return;
        endSession(session);
        res.writeHead(204).end();
      } else sendJson(res, 405, rpcError(null, -32000, 'Method not allowed: POST, GET or DELETE'), { Allow: 'POST, GET, DELETE' });
    },
    close() {
      for (const s of sessions.values()) endSession(s);
    },
  };
}
