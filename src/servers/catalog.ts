/**
 * The demo server's imitated APIs as a user meets them: the help text's routes, a curl line for each
 * format, and the requests the demo page's buttons send. One list, so the page, the help, the README
 * and the tests name the same paths.
 */
import { LLM_FORMATS } from './llm/formats.js';
import { LATEST_VERSION } from './mcp/methods.js';

export interface DemoRequest {
  /** The lens that reads it, or the page's runner (`mcp`, `mcp-legacy`). */
  name: string;
  title: string;
  path: string;
  body: Record<string, unknown>;
}

const MCP_INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LATEST_VERSION, capabilities: {}, clientInfo: { name: 'curl', version: '1' } } };
const MCP_TOOLS_CALL = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_weather', arguments: { city: 'Zürich' }, _meta: { progressToken: 'p1' } } };

export const DEMO_REQUESTS: readonly DemoRequest[] = [
  ...LLM_FORMATS.map((f) => ({ name: f.lens, title: f.title, path: f.example.path, body: f.example.body })),
  { name: 'mcp', title: 'MCP (Streamable HTTP)', path: '/mcp', body: MCP_TOOLS_CALL },
  { name: 'mcp-legacy', title: 'MCP (legacy HTTP+SSE)', path: '/sse', body: MCP_INITIALIZE },
];

/** What the panel's lab can open in one request each (npm start puts them in its Recent list): an MCP tools/call needs a session first, so MCP is represented by initialize and the legacy GET. */
export const LAB_REQUESTS: readonly { method: 'GET' | 'POST'; path: string; body: Record<string, unknown> | null; accept: string | null }[] = [
  ...LLM_FORMATS.map((f) => ({ method: 'POST' as const, path: f.example.path, body: f.example.body, accept: null })),
  { method: 'POST', path: '/mcp', body: MCP_INITIALIZE, accept: 'application/json, text/event-stream' },
  { method: 'GET', path: '/sse', body: null, accept: null },
];

/** A shell word: single-quoted, with any single quote closed, escaped and reopened. */
const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Copy-and-paste lines for a terminal, one block per format. */
export function curlLines(base: string, token: string | null): string[] {
  const auth = token === null ? '' : ` -H ${sh(`Authorization: Bearer ${token}`)}`;
  const json = ` -H 'Content-Type: application/json'`;
  const mcpAccept = ` -H 'Accept: application/json, text/event-stream'`;
  return [
    ...LLM_FORMATS.map((f) => `# ${f.title}\ncurl -N${auth}${json} -d ${sh(JSON.stringify(f.example.body))} ${sh(base + f.example.path)}`),
    `# MCP (Streamable HTTP): initialize prints the Mcp-Session-Id header to send from then on\ncurl -i -N${auth}${json}${mcpAccept} -d ${sh(JSON.stringify(MCP_INITIALIZE))} ${base}/mcp\ncurl -N${auth}${json}${mcpAccept} -H 'Mcp-Session-Id: <id>' -H 'MCP-Protocol-Version: ${LATEST_VERSION}' -d ${sh(JSON.stringify(MCP_TOOLS_CALL))} ${base}/mcp`,
    `# MCP (legacy HTTP+SSE): the first event names the URL to POST messages to\ncurl -N${auth} ${base}/sse`,
  ];
}

export const LLM_HELP = `Imitated LLM and MCP streams (POST, JSON body, Authorization: Bearer <token>):
POST     /v1/chat/completions        OpenAI Chat Completions ("stream": true; n, stream_options.include_usage, tools)
POST     /v1/responses               OpenAI Responses ("stream": true; reasoning, tools)
POST     /v1/messages                Anthropic Messages ("stream": true; thinking, tools)
POST     /v1beta/models/M:streamGenerateContent?alt=sse   Gemini (thinkingConfig.includeThoughts, tools)
POST     /api/chat                   Vercel AI SDK UI message stream
POST|GET|DELETE /mcp                 MCP Streamable HTTP (initialize, tools/list, tools/call with progress;
                                     GET for the session's stream, Last-Event-ID to resume)
GET      /sse, POST /messages        MCP legacy HTTP+SSE
  speed=N           N times faster than a real model (default 1; e.g. 50 for tests)
  fail=mid          the connection is cut inside a message, halfway through
  fail=error        the format's error event halfway through, after the 200
  interval=MS       (GET /mcp) a log message this often (default 10000)
The answer replies to the last user message (canned). Open / in a browser for buttons that run each one.
`;
