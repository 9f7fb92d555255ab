/**
 * The demo and scenario SSE server: real node:http on 127.0.0.1, shared by `npm start`, the CLI's
 * `demo` command, the tests and the benchmarks. Everything a stream can do in production, on demand
 * through query parameters, so a user can point any client at it and watch.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sseComment, sseEvent, sseFieldProblem, sseRetry } from '../core/sse-writer.js';
import { LLM_HELP } from './catalog.js';
import { DOCTOR_HELP, doctorStreamAt, serveDoctorStream } from './doctor/catalog.js';
import { DEMO_CSP, DEMO_CSS, DEMO_ICON, DEMO_SCRIPT, demoPageHtml } from './demo-page/html.js';
import { readBody, sendJson, tooLarge, unauthorized } from './http-body.js';
import { LLM_FORMATS } from './llm/formats.js';
import { serveLlm } from './llm/serve.js';
import { createLegacyMcp, LEGACY_MESSAGES_PATH } from './mcp/legacy.js';
import { originAllowed } from './mcp/origin.js';
import { createStreamableMcp } from './mcp/streamable.js';

export interface ScenarioServerOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** The Bearer token every stream request must carry; null accepts anyone. */
  token?: string | null;
  /** Default for `maxDuration`: the server ends every stream after this long, as a proxy would. 0 never does. */
  maxDurationMs?: number;
  /** Default for `interval`. */
  intervalMs?: number;
  /** Default for `heartbeat`; 0 sends none. */
  heartbeatMs?: number;
}

/** What the server saw of a request: how tests prove what the client sent. */
export interface RecordedRequest {
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Last-Event-ID from the header or from the query parameter, whichever came. */
  lastEventId: string | null;
  lastEventIdVia: 'header' | 'query' | null;
  body: string;
}

export interface ScenarioServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Requests for streams (the paths below /events), the ones tests usually care about. */
  streamRequests(): RecordedRequest[];
  /** How many event streams are open right now (responses not yet ended or cut). */
  openStreams(): number;
  /** Resolves once the next stream request arrives. */
  nextRequest(): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export const DEFAULT_TOKEN = 'demo-token';
const DRIP_MS = 2;
const DEFAULT_CHANNELS = ['price', 'chat', 'status'];
/**
 * What `scenario=` makes a response do wrong. Called scenarios, not faults: a fault is what the
 * client simulates (src/core/faults.ts), and a test may use both at once.
 */
const SCENARIOS = ['hold', '500', '204', 'content-type', 'garbage', 'drip', 'cut'] as const;
type Scenario = (typeof SCENARIOS)[number];

/** Query parameters a client may use to send Last-Event-ID, checked in this order after the header. */
const LAST_EVENT_ID_PARAMS = ['lastEventId', 'Last-Event-ID', 'last-event-id', 'last_event_id'];

export const HELP = `SSE DevTools demo server

GET|POST /events     an authenticated SSE stream (Authorization: Bearer <token>)
GET      /redirect   307 to /events with the same query
GET      /           this text (a browser gets the demo page: a button per format below)

/events query parameters (all optional):
  interval=MS       time between events (default 1000)
  heartbeat=MS      a ": heartbeat" comment this often; 0 for none (default 15000)
  maxDuration=MS    end each response after MS, as a load balancer does; 0 for never
  retry=MS          send "retry: MS" first
  channels=a,b,c    event types to rotate through (default price,chat,status)
  count=N           end the response after N events
  connectDelay=MS   wait before sending response headers
  lastEventIdParam=NAME  also accept the Last-Event-ID from this query parameter
  scenario=hold|500|204|content-type|garbage|drip|cut
      hold          200, then silence: no events, no heartbeats
      500           HTTP 500 with a JSON error body
      204           HTTP 204: clients must stop reconnecting
      content-type  200 with text/html instead of text/event-stream
      garbage       invalid UTF-8, NUL in ids, unknown fields, between real events
      drip          each event sent one byte at a time
      cut           half an event, then the response ends

Ids are consecutive integers; a client that sends Last-Event-ID: N resumes at N+1.

${LLM_HELP}
${DOCTOR_HELP}`;

export function startScenarioServer(options: ScenarioServerOptions = {}): Promise<ScenarioServer> {
  const token = options.token === undefined ? DEFAULT_TOKEN : options.token;
  const requests: RecordedRequest[] = [];
  const waiters: ((r: RecordedRequest) => void)[] = [];
  const open = new Set<ServerResponse>();

  const track = (res: ServerResponse): void => {
    open.add(res);
    res.on('close', () => open.delete(res));
  };
  const mcp = createStreamableMcp(track);
  const legacyMcp = createLegacyMcp(track);
  let base = '';

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      if (!body.ok) {
        tooLarge(res);
        return;
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const query = Object.fromEntries(url.searchParams);
      const recorded = record(req, url.pathname, query, body.text);
      requests.push(recorded);
      if (url.pathname === '/events') {
        for (const w of waiters.splice(0)) w(recorded);
      }
      route(req, res, url, recorded);
    });
  });

  /** The demo page and its two files: public, like any page, so a browser can load them. */
  const PAGE_FILES: Record<string, { type: string; body: () => string }> = {
    '/demo.js': { type: 'text/javascript; charset=utf-8', body: () => DEMO_SCRIPT },
    '/demo.css': { type: 'text/css; charset=utf-8', body: () => DEMO_CSS },
    '/favicon.svg': { type: 'image/svg+xml', body: () => DEMO_ICON },
  };

  /** The imitated APIs, all behind the token; null when the path is none of theirs. */
  function apiRoute(req: IncomingMessage, res: ServerResponse, url: URL, body: string): (() => void) | null {
    const format = LLM_FORMATS.find((f) => f.path.test(url.pathname));
    if (format !== undefined) return () => serveLlm(format, req.method ?? 'GET', url, body, res, track);
    if ((url.pathname === '/mcp' || url.pathname === '/sse' || url.pathname === LEGACY_MESSAGES_PATH) && !originAllowed(req.headers.origin, base)) {
      return () => sendJson(res, 403, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Forbidden: this Origin may not use the MCP server' } });
    }
    if (url.pathname === '/mcp') return () => mcp.handle(req, url, body, res);
    if (url.pathname === '/sse' && req.method === 'GET') return () => legacyMcp.open(res);
    if (url.pathname === LEGACY_MESSAGES_PATH && req.method === 'POST') return () => legacyMcp.post(url, body, res);
    return null;
  }

  function record(req: IncomingMessage, path: string, query: Record<string, string>, body: string): RecordedRequest {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
    const param = [query.lastEventIdParam, ...LAST_EVENT_ID_PARAMS].find((p) => p !== undefined && query[p] !== undefined);
    const fromHeader = headers['last-event-id'];
    return {
      time: Date.now(),
      method: req.method ?? 'GET',
      path,
      query,
      headers,
      lastEventId: fromHeader ?? (param ? (query[param] ?? null) : null),
      lastEventIdVia: fromHeader !== undefined ? 'header' : param ? 'query' : null,
      body,
    };
  }

  function route(req: IncomingMessage, res: ServerResponse, url: URL, recorded: RecordedRequest): void {
    if (url.pathname === '/') {
      // A browser asks for HTML and gets the demo page; curl asks for anything and gets the help text.
      if ((req.headers.accept ?? '').includes('text/html')) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': DEMO_CSP, 'Cache-Control': 'no-store' }).end(demoPageHtml(base, token === DEFAULT_TOKEN ? token : '<token>'));
      } else res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(HELP);
      return;
    }
    const file = PAGE_FILES[url.pathname];
    if (file !== undefined) {
      res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).end(file.body());
      return;
    }
    const doctor = doctorStreamAt(url.pathname);
    if (doctor !== null) {
      serveDoctorStream(doctor, res, { lastEventId: recorded.lastEventId, body: recorded.body, track });
      return;
    }
    const api = apiRoute(req, res, url, recorded.body);
    if (api !== null) {
      if (token !== null && req.headers.authorization !== `Bearer ${token}`) unauthorized(res);
      else api();
      return;
    }
    if (url.pathname === '/redirect') {
      res.writeHead(307, { Location: `/events${url.search}` }).end();
      return;
    }
    if (url.pathname !== '/events') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found; see / for the routes\n');
      return;
    }
    if (token !== null && req.headers.authorization !== `Bearer ${token}`) {
      unauthorized(res);
      return;
    }
    const num = (name: string, fallback: number): number => {
      const v = Number(url.searchParams.get(name));
      return url.searchParams.has(name) && Number.isFinite(v) && v >= 0 ? v : fallback;
    };
    const channels = (url.searchParams.get('channels') ?? '').split(',').filter(Boolean);
    // Channel names become `event:` lines: one with a line break would write fields of its own.
    const problem = channels.map((c) => sseFieldProblem('event type', c)).find((p) => p !== null);
    if (problem) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`channels: ${problem}\n`);
      return;
    }
    const scenario = url.searchParams.get('scenario');
    const begin = (): void =>
      stream(res, {
        scenario: (SCENARIOS as readonly string[]).includes(scenario ?? '') ? (scenario as Scenario) : null,
        intervalMs: num('interval', options.intervalMs ?? 1000),
        heartbeatMs: num('heartbeat', options.heartbeatMs ?? 15000),
        maxDurationMs: num('maxDuration', options.maxDurationMs ?? 0),
        retryMs: url.searchParams.has('retry') ? num('retry', 0) : null,
        count: url.searchParams.has('count') ? num('count', 0) : null,
        channels,
        startAfter: Number.parseInt(recorded.lastEventId ?? '0', 10) || 0,
      });
    const delay = num('connectDelay', 0);
    if (delay > 0) {
      const t = setTimeout(begin, delay);
      res.on('close', () => clearTimeout(t));
    } else begin();
  }

  interface StreamPlan {
    scenario: Scenario | null;
    intervalMs: number;
    heartbeatMs: number;
    maxDurationMs: number;
    retryMs: number | null;
    count: number | null;
    channels: string[];
    startAfter: number;
  }

  function stream(res: ServerResponse, plan: StreamPlan): void {
    if (res.destroyed) return;
    switch (plan.scenario) {
      case '500':
        res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"error":"internal server error"}');
        return;
      case '204':
        res.writeHead(204).end();
        return;
      case 'content-type':
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><h1>Login</h1>');
        return;
      default:
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    open.add(res);
    const timers: NodeJS.Timeout[] = [];
    const stop = (): void => {
      timers.forEach((t) => clearTimeout(t));
      open.delete(res);
    };
    res.on('close', stop);
    if (plan.scenario === 'hold') return;
    if (plan.scenario === 'cut') {
      res.write(`id: ${plan.startAfter + 1}\nevent: price\ndata: {"half":`);
      timers.push(setTimeout(() => res.end(), 50));
      return;
    }

    const channels = plan.channels.length > 0 ? plan.channels : DEFAULT_CHANNELS;
    let next = plan.startAfter + 1;
    let sent = 0;
    if (plan.retryMs !== null) res.write(`${sseRetry(Math.trunc(plan.retryMs))}\n`);
    const send = (): void => {
      const text = formatEvent(next, channels);
      next++;
      sent++;
      // A drip takes a while; the next event waits for it, or their bytes would interleave.
      let busyMs = 0;
      if (plan.scenario === 'drip') {
        const bytes = Buffer.from(text, 'utf8');
        bytes.forEach((_, i) => timers.push(setTimeout(() => res.write(bytes.subarray(i, i + 1)), i * DRIP_MS)));
        busyMs = bytes.length * DRIP_MS;
      } else if (plan.scenario === 'garbage' && sent % 2 === 1) {
        res.write(Buffer.from([0xff, 0xfe, 0x80, 0x0a]));
        res.write('bogus-field: not part of SSE\nid: bad\u0000id\ndata: {"broken": \xff}\n\n');
        res.write(text);
      } else {
        res.write(text);
      }
      if (plan.count !== null && sent >= plan.count) {
        timers.push(setTimeout(() => res.end(), busyMs));
        return;
      }
      timers.push(setTimeout(send, busyMs + plan.intervalMs));
    };
    timers.push(setTimeout(send, plan.scenario === 'drip' ? 0 : Math.min(plan.intervalMs, 50)));
    if (plan.heartbeatMs > 0) {
      const beat = (): void => {
        res.write(`${sseComment('heartbeat')}\n`);
        timers.push(setTimeout(beat, plan.heartbeatMs));
      };
      timers.push(setTimeout(beat, plan.heartbeatMs));
    }
    if (plan.maxDurationMs > 0) timers.push(setTimeout(() => res.end(), plan.maxDurationMs));
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      base = `http://127.0.0.1:${port}`;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        requests,
        streamRequests: () => requests.filter((r) => r.path === '/events'),
        openStreams: () => open.size,
        nextRequest: () => new Promise((r) => waiters.push(r)),
        close: () =>
          new Promise((done) => {
            mcp.close();
            legacyMcp.close();
            for (const res of open) res.destroy();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Deterministic content: event N is on channel N mod channels, so tests know what to expect. */
function formatEvent(n: number, channels: readonly string[]): string {
  const channel = channels[n % channels.length] ?? 'message';
  const data = JSON.stringify({ n, channel, value: Math.round(Math.sin(n) * 10000) / 100, at: new Date().toISOString() });
  return sseEvent({ id: String(n), type: channel, data });
}
