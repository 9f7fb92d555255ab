/**
 * MCP's legacy HTTP+SSE transport (2024-11-05), still what many servers speak: `GET /sse` opens the
 * stream, whose first event, `endpoint`, names the URL to POST messages to; each POST is answered
 * 202 and its answer arrives on the stream as a `message` event. The session lives as long as the
 * GET stream.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sseComment, sseEvent } from '../../core/sse-writer.js';
import { sendJson } from '../http-body.js';
import { paceFrom, SSE_HEADERS } from '../llm/token-writer.js';
import { answer, initializeResult, readMessage, rpcError, rpcResult } from './methods.js';
import { later } from './timers.js';

const MAX_SESSIONS = 100;
const KEEPALIVE_MS = 15_000;
export const LEGACY_MESSAGES_PATH = '/messages';

interface LegacySession {
  res: ServerResponse;
  timers: Set<NodeJS.Timeout>;
}

export interface LegacyMcp {
  /** GET /sse */
  open(res: ServerResponse): void;
  /** POST /messages?sessionId=… */
  post(url: URL, body: string, res: ServerResponse): void;
  close(): void;
}

export function createLegacyMcp(track: (res: ServerResponse) => void): LegacyMcp {
  const sessions = new Map<string, LegacySession>();

  function end(id: string): void {
    const session = sessions.get(id);
    if (session === undefined) return;
    session.timers.forEach((t) => clearTimeout(t));
    sessions.delete(id);
    session.res.end();
  }

  const send = (session: LegacySession, message: unknown): void => {
    if (!session.res.destroyed) session.res.write(sseEvent({ type: 'message', data: JSON.stringify(message) }));
  };

  return {
    open(res) {
      const id = randomUUID();
      const session: LegacySession = { res, timers: new Set() };
      sessions.set(id, session);
      for (const old of sessions.keys()) {
        if (sessions.size <= MAX_SESSIONS) break;
        end(old);
      }
      res.writeHead(200, SSE_HEADERS);
      track(res);
      res.on('close', () => end(id));
      res.write(sseEvent({ type: 'endpoint', data: `${LEGACY_MESSAGES_PATH}?sessionId=${id}` }));
      const keepAlive = (): void =>
        later(session, KEEPALIVE_MS, () => {
          res.write(sseComment('keep-alive'));
          keepAlive();
        });
      keepAlive();
    },
    post(url, body, res) {
      const session = sessions.get(url.searchParams.get('sessionId') ?? '');
      if (session === undefined) {
        sendJson(res, 404, rpcError(null, -32000, 'Session not found: open GET /sse first and POST to the endpoint it names'));
        return;
      }
      const pace = paceFrom(url.searchParams);
      if (typeof pace === 'string') {
        sendJson(res, 400, rpcError(null, -32000, pace));
        return;
      }
      const message = readMessage(body, res);
      if (message === null) return;
      res.writeHead(202, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Accepted');
      if (message.kind !== 'request') return;
      if (message.method === 'initialize') {
        later(session, 5, () => send(session, rpcResult(message.id, initializeResult(message.params['protocolVersion']).result)));
        return;
      }
      let at = 0;
      for (const o of answer(message, pace)) {
        at += o.afterMs / pace.speed;
        later(session, at, () => send(session, o.message));
      }
    },
    close() {
      for (const id of [...sessions.keys()]) end(id);
    },
  };
}
