/**
 * The demo page's script (served as /demo.js under a strict CSP): one button per imitated format,
 * each running its stream from the page with fetch (POST, Bearer token, JSON body) and showing the
 * text the page received. Run from an inspected tab, these are the streams the SSE panel observes.
 * Everything shown is set as text, never as HTML.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

interface DemoFormat {
  name: string;
  title: string;
  path: string;
  body: Record<string, unknown>;
}

interface DemoData {
  formats: DemoFormat[];
  curl: string[];
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function parse(data: string): Rec {
  try {
    return rec(JSON.parse(data));
  } catch {
    return {};
  }
}

/** The answer's text in one event of each format (the first choice / candidate only). */
const TEXT_OF: Record<string, (e: EventSourceMessage, d: Rec) => string> = {
  'openai-chat': (_, d) => str(rec(rec(arr(d['choices'])[0])['delta'])['content']),
  'openai-responses': (e, d) => (e.event === 'response.output_text.delta' ? str(d['delta']) : ''),
  anthropic: (_, d) => (d['type'] === 'content_block_delta' && rec(d['delta'])['type'] === 'text_delta' ? str(rec(d['delta'])['text']) : ''),
  gemini: (_, d) =>
    arr(rec(rec(arr(d['candidates'])[0])['content'])['parts'])
      .map((p) => (rec(p)['thought'] === true ? '' : str(rec(p)['text'])))
      .join(''),
  'ai-sdk': (_, d) => (d['type'] === 'text-delta' ? str(d['delta']) : ''),
};

const $ = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el;
};
const out = $('out');
const status = $('status');
const token = $('token') as HTMLInputElement;

function show(text: string): void {
  out.textContent = text;
}

/** Reads an SSE response body, calling `onEvent` per event, until it ends. */
async function readEvents(response: Response, onEvent: (e: EventSourceMessage) => void, until: () => boolean = () => false): Promise<void> {
  if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const parser = createParser({ onEvent });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    parser.feed(value);
    if (until()) {
      await reader.cancel();
      return;
    }
  }
}

const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
  Authorization: `Bearer ${token.value}`,
  'Content-Type': 'application/json',
  ...extra,
});

async function runLlm(format: DemoFormat): Promise<void> {
  const textOf = TEXT_OF[format.name];
  let text = '';
  const response = await fetch(format.path, { method: 'POST', headers: headers(), body: JSON.stringify(format.body) });
  await readEvents(response, (e) => {
    if (textOf === undefined || e.data === '[DONE]') return;
    text += textOf(e, parse(e.data));
    show(text);
  });
}

const MCP_VERSION = '2025-11-25';
const toolCall = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get_weather', arguments: { city: 'Zürich' }, _meta: { progressToken: `weather-${id}` } } });
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: MCP_VERSION, capabilities: {}, clientInfo: { name: 'sse-devtools-demo-page', version: '1.0.0' } } };

/** A tool result's text, or the progress line of a notification. */
function mcpLine(message: Rec): string {
  if (message['method'] === 'notifications/progress') return `… ${str(rec(message['params'])['message'])}`;
  if ('error' in message) return `error: ${str(rec(message['error'])['message'])}`;
  return arr(rec(message['result'])['content'])
    .map((c) => str(rec(c)['text']))
    .join('');
}

/** Streamable HTTP: initialize (session id from its answer), initialized, tools/call with progress, then the session is ended. */
async function runMcp(): Promise<void> {
  const accept = { Accept: 'application/json, text/event-stream' };
  const init = await fetch('/mcp', { method: 'POST', headers: headers(accept), body: JSON.stringify(initialize) });
  const session = init.headers.get('mcp-session-id') ?? '';
  await readEvents(init, () => {});
  const inSession = headers({ ...accept, 'Mcp-Session-Id': session, 'MCP-Protocol-Version': MCP_VERSION });
  await fetch('/mcp', { method: 'POST', headers: inSession, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  const lines: string[] = [];
  const call = await fetch('/mcp', { method: 'POST', headers: inSession, body: JSON.stringify(toolCall(2)) });
  await readEvents(call, (e) => {
    if (e.data === '') return;
    lines.push(mcpLine(parse(e.data)));
    show(lines.join('\n'));
  });
  await fetch('/mcp', { method: 'DELETE', headers: inSession });
}

/** The legacy HTTP+SSE transport: the GET stream names where to POST, and every answer comes on it. */
async function runMcpLegacy(): Promise<void> {
  const controller = new AbortController();
  const stream = await fetch('/sse', { headers: headers({ Accept: 'text/event-stream' }), signal: controller.signal });
  const lines: string[] = [];
  let finished = false;
  const post = (message: unknown, endpoint: string): Promise<Response> => fetch(endpoint, { method: 'POST', headers: headers(), body: JSON.stringify(message) });
  await readEvents(
    stream,
    (e) => {
      if (e.event === 'endpoint') {
        void post(initialize, e.data).then(() => post(toolCall(2), e.data));
        return;
      }
      const message = parse(e.data);
      if (message['id'] === 1) return;
      lines.push(mcpLine(message));
      show(lines.join('\n'));
      finished = message['id'] === 2;
    },
    () => finished,
  );
  controller.abort();
}

const data = JSON.parse($('demo-data').textContent ?? '{}') as DemoData;
const RUNNERS: Record<string, (f: DemoFormat) => Promise<void>> = { mcp: runMcp, 'mcp-legacy': runMcpLegacy };
const buttons = $('buttons');
for (const format of data.formats) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = format.title;
  button.dataset['format'] = format.name;
  button.addEventListener('click', () => {
    const run = RUNNERS[format.name] ?? runLlm;
    show('');
    status.textContent = `${format.title}: streaming…`;
    status.dataset['state'] = 'streaming';
    run(format).then(
      () => {
        status.textContent = `${format.title}: done`;
        status.dataset['state'] = 'done';
      },
      (err: unknown) => {
        status.textContent = `${format.title}: ${err instanceof Error ? err.message : String(err)}`;
        status.dataset['state'] = 'failed';
      },
    );
  });
  buttons.append(button);
}
$('curl').textContent = data.curl.join('\n\n');
