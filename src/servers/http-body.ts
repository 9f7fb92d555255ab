/**
 * What every route of the demo server does with a request before its own work: the body read up to
 * a bound (a client may send anything, forever), JSON bodies parsed once, and the answers for a
 * missing token or a bad body, all as JSON a client can show.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Past this a request body is refused with 413, unread: no endpoint here needs more. */
const MAX_BODY_BYTES = 1024 * 1024;

export type BodyRead = { ok: true; text: string } | { ok: false; tooLarge: true };

/** Reads the body as UTF-8, or stops at MAX_BODY_BYTES (Content-Length is checked first, but a chunked body is counted as it comes). */
export function readBody(req: IncomingMessage): Promise<BodyRead> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      req.resume();
      resolve({ ok: false, tooLarge: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        done = true;
        chunks.length = 0;
        resolve({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    });
    req.on('error', () => {
      if (done) return;
      done = true;
      resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(value));
}

/** The error shape the providers share, near enough: `{"error":{"type":…,"message":…}}`. */
export function sendError(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { type, message } }, headers);
}

export function tooLarge(res: ServerResponse): void {
  // The rest of the body is read and dropped (Node's requestTimeout bounds how long): closing at
  // once would reset a client still sending, which may then lose this answer before reading it.
  sendError(res, 413, 'request_too_large', `the request body is larger than ${MAX_BODY_BYTES} bytes`);
}

export function unauthorized(res: ServerResponse): void {
  sendJson(res, 401, { error: 'unauthorized', hint: 'send Authorization: Bearer <token>' }, { 'WWW-Authenticate': 'Bearer' });
}

export type JsonBody = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** A request body that must be one JSON object. */
export function parseJsonObject(text: string): JsonBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `the body is not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'the body must be a JSON object' };
  return { ok: true, value: value as Record<string, unknown> };
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
