/** Answers one request to an imitated LLM API: checks it as the provider would, then streams the plan at the asked pace. */
import type { ServerResponse } from 'node:http';
import { parseJsonObject, sendError } from '../http-body.js';
import type { LlmFormat } from './format.js';
import { paceFrom, SSE_HEADERS, writeFrames } from './token-writer.js';

export function serveLlm(format: LlmFormat, method: string, url: URL, body: string, res: ServerResponse, track: (res: ServerResponse) => void): void {
  if (method !== 'POST') {
    sendError(res, 405, 'invalid_request_error', `${format.title} takes POST with a JSON body`, { Allow: 'POST' });
    return;
  }
  const pace = paceFrom(url.searchParams);
  if (typeof pace === 'string') {
    sendError(res, 400, 'invalid_request_error', pace);
    return;
  }
  const json = parseJsonObject(body);
  if (!json.ok) {
    sendError(res, 400, 'invalid_request_error', json.message);
    return;
  }
  const plan = format.plan(json.value, url);
  if ('error' in plan) {
    sendError(res, 400, 'invalid_request_error', plan.error);
    return;
  }
  res.writeHead(200, { ...SSE_HEADERS, ...plan.headers });
  res.flushHeaders();
  track(res);
  writeFrames(res, plan.frames, pace, plan.errorFrame);
}
