/**
 * The demo MCP server's behaviour, apart from any transport: what it answers to each JSON-RPC
 * message, and when. Both transports (Streamable HTTP and the legacy HTTP+SSE) deliver these
 * answers their own way. Shapes follow the MCP specification (2025-11-25; docs/lenses.md).
 */
import type { ServerResponse } from 'node:http';
import { isRecord, sendJson } from '../http-body.js';
import type { Pace } from '../llm/token-writer.js';

export const LATEST_VERSION = '2025-11-25';
const PROTOCOL_VERSIONS: readonly string[] = [LATEST_VERSION, '2025-06-18', '2025-03-26', '2024-11-05'];

type Id = string | number;
export type Incoming =
  | { kind: 'request'; id: Id; method: string; params: Record<string, unknown> }
  | { kind: 'notification'; method: string }
  | { kind: 'response' }
  | { kind: 'invalid'; why: string };

/** What one JSON-RPC message is; batches are not part of 2025-11-25 (nor of 2025-06-18). */
function classify(value: unknown): Incoming {
  if (!isRecord(value) || value['jsonrpc'] !== '2.0') return { kind: 'invalid', why: 'a JSON-RPC 2.0 message is an object with "jsonrpc": "2.0"' };
  const id = value['id'];
  const method = value['method'];
  const params = isRecord(value['params']) ? value['params'] : {};
  if (typeof method === 'string') {
    if (id === undefined) return { kind: 'notification', method };
    if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return { kind: 'request', id, method, params };
    return { kind: 'invalid', why: 'a request id is a string or a number' };
  }
  if ('result' in value || 'error' in value) return { kind: 'response' };
  return { kind: 'invalid', why: 'the message has no method and is not a response' };
}

export const rpcResult = (id: Id | null, result: unknown) => ({ jsonrpc: '2.0', id, result });
export const rpcError = (id: Id | null, code: number, message: string) => ({ jsonrpc: '2.0', id, error: { code, message } });

/** A POST body as one JSON-RPC message; null once a 400 with the JSON-RPC error has answered a body that is not one. */
export function readMessage(body: string, res: ServerResponse): Exclude<Incoming, { kind: 'invalid' }> | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    sendJson(res, 400, rpcError(null, -32700, 'Parse error: the body is not JSON'));
    return null;
  }
  const message = classify(value);
  if (message.kind === 'invalid') {
    sendJson(res, 400, rpcError(null, -32600, `Invalid Request: ${message.why}`));
    return null;
  }
  return message;
}

/** One message the server sends, `afterMs` after the previous one (before `speed` divides it). */
export interface Outgoing {
  afterMs: number;
  message: unknown;
}

interface Tool {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  /** Progress messages, one per step, while the tool "works". */
  steps: (args: Record<string, unknown>) => string[];
  result: (args: Record<string, unknown>) => { text: string; structured: Record<string, unknown> };
}

const argText = (args: Record<string, unknown>, name: string, fallback: string): string => {
  const v = args[name];
  return typeof v === 'string' && v.length > 0 ? v.slice(0, 200) : fallback;
};

const TOOLS: readonly Tool[] = [
  {
    name: 'get_weather',
    title: 'Weather',
    description: 'Current weather for a city',
    inputSchema: { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] },
    steps: (a) => [`Looking up ${argText(a, 'city', 'Zürich')}`, 'Reading the latest observations', 'Writing the summary'],
    result: (a) => {
      const city = argText(a, 'city', 'Zürich');
      return { text: `${city}: 14 °C, light rain, wind 9 km/h.`, structured: { city, temperatureC: 14, conditions: 'light rain', windKmh: 9 } };
    },
  },
  {
    name: 'echo',
    title: 'Echo',
    description: 'Returns the text it is given',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    steps: () => ['Echoing'],
    result: (a) => {
      const text = argText(a, 'text', '');
      return { text, structured: { text } };
    },
  },
];

/** Realistic for a tool that calls a remote service: a few hundred milliseconds per step. */
const STEP_MS = 300;
const INSTANT_MS = 5;

export function initializeResult(requested: unknown): { version: string; result: Record<string, unknown> } {
  const version = typeof requested === 'string' && PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_VERSION;
  return {
    version,
    result: {
      protocolVersion: version,
      capabilities: { tools: { listChanged: false }, logging: {} },
      serverInfo: { name: 'sse-devtools-demo', title: 'SSE DevTools demo MCP server', version: '1.0.0' },
      instructions: 'A demo server: call get_weather with a city, or echo with a text.',
    },
  };
}

/** The messages that answer `request`, progress first; `initialize` is the transport's, which keeps the session. */
export function answer(request: Extract<Incoming, { kind: 'request' }>, pace: Pace): Outgoing[] {
  const { id, method, params } = request;
  if (method === 'ping') return [{ afterMs: INSTANT_MS, message: rpcResult(id, {}) }];
  if (method === 'tools/list') {
    return [{ afterMs: INSTANT_MS, message: rpcResult(id, { tools: TOOLS.map(({ name, title, description, inputSchema }) => ({ name, title, description, inputSchema })) }) }];
  }
  if (method !== 'tools/call') return [{ afterMs: INSTANT_MS, message: rpcError(id, -32601, `Method not found: ${method.slice(0, 100)}`) }];
  const tool = TOOLS.find((t) => t.name === params['name']);
  if (tool === undefined) return [{ afterMs: INSTANT_MS, message: rpcError(id, -32602, `Unknown tool: ${String(params['name']).slice(0, 100)}`) }];
  const args = isRecord(params['arguments']) ? params['arguments'] : {};
  const meta = isRecord(params['_meta']) ? params['_meta'] : {};
  const token = meta['progressToken'];
  const steps = tool.steps(args);
  // Progress is only sent against a token the request gave (the specification's rule).
  const progress: Outgoing[] =
    typeof token === 'string' || typeof token === 'number'
      ? steps.map((message, i) => ({ afterMs: STEP_MS, message: { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress: i + 1, total: steps.length + 1, message } } }))
      : [];
  const waited = progress.length > 0 ? STEP_MS : STEP_MS * steps.length;
  if (pace.fail === 'error') return [...progress, { afterMs: waited, message: rpcError(id, -32603, `Internal error: ${tool.title.toLowerCase()} service did not answer`) }];
  const { text, structured } = tool.result(args);
  return [...progress, { afterMs: waited, message: rpcResult(id, { content: [{ type: 'text', text }], structuredContent: structured, isError: false }) }];
}
