/**
 * A page that runs its own SSE streams the way apps do, and the real server behind them: for the
 * tests that observe an inspected page (issue 12). The page opens an EventSource (unnamed and named
 * events with ids, a type nobody listens to, a comment, a reconnect with Last-Event-ID), a fetch
 * POST stream with a Bearer token and a JSON body read with getReader(), and an XHR stream; the
 * same page runs again in a same-origin iframe, and with `/?cross` also in a cross-site one
 * (`localhost` instead of 127.0.0.1); with `&on-message` the iframes open theirs when their parent
 * posts them 'start-streams' rather than in their first script (a frame's hook may arrive after
 * that: docs/ARCHITECTURE.md), so a test can start them once the hook is there (asked with 'hooked?', they
 * answer their parent, which keeps the answers in `window.frameHooks`). The page counts what it received
 * (`window.pageStreams`), the server logs what it sent, so a test can say the page was not disturbed.
 *
 * More routes for single cases: `/framing?src=URL` (a page framing URL), `/echo` (what the request carried), `/endless` (never ends; the log says when the client went away),
 * `/frames?n=N` (a page with N idle iframes, every other one cross-site), `/live?scope=S` (a page reading a fetch stream of /endless until it goes,
 * from when a hook is there or after 3 s: an iframe's hook may come after its first script; with `&frame`, the same page in an iframe too),
 * `/json` (not a stream), `/flood?mib=N` (N MiB of events as fast as the socket takes them),
 * `/fast?n=N` (N numbered 100 B events in 64 KiB writes).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const PAGE_TOKEN = 'Bearer page-secret-token-0123456789';
export const PAGE_CHAT_BODY = JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }], stream: true });
export const FETCH_EVENTS = 20;
export const XHR_EVENTS = 15;

/** The EventSource's two connections: what the page hears (it listens to message and price) and one type it ignores. */
export const ES_FIRST = 'retry: 300\n\nid: 1\ndata: hello\n\nevent: price\nid: 2\ndata: 10\n\nevent: ignored\nid: 3\ndata: nobody\n\n: a comment\n\nevent: price\nid: 4\ndata: 11\n\n';
export const ES_SECOND = 'id: 5\ndata: again\n\nevent: price\nid: 6\ndata: 12\n\n';
/** Per connection, the events of types the page listens to, as [type, data, lastEventId]. */
export const ES_HEARD: [string, string, string][] = [
  ['message', 'hello', '1'],
  ['price', '10', '2'],
  ['price', '11', '4'],
  ['message', 'again', '5'],
  ['price', '12', '6'],
];

export const chatText = (): string => {
  let text = '';
  for (let i = 1; i <= FETCH_EVENTS; i++) text += `data: {"token":${i}}\n\n`;
  return `${text}data: [DONE]\n\n`;
};
export const xhrText = (): string => {
  let text = '';
  for (let i = 1; i <= XHR_EVENTS; i++) text += `id: x${i}\ndata: line ${i}\n\n`;
  return text;
};

export interface LoggedStream {
  path: string;
  scope: string;
  method: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Events (blocks ending in a blank line) the server wrote. */
  events: number;
  bytes: number;
  /** The connection went away: the server ended it or the client did. */
  closed: boolean;
  endedByServer: boolean;
}

export interface ObservedPageServer {
  url: string;
  streams: LoggedStream[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The page's script; `scope` tells top and iframe apart in the server's log. */
function pageScript(scope: string): string {
  return `
const results = { es: { message: 0, price: 0, opens: 0, errors: 0, closed: false }, fetch: { events: 0, text: '', done: false }, xhr: { events: 0, text: '', done: false }, done: false };
window.pageStreams = results;
const events = (text) => text.split('\\n\\n').length - 1;
const check = () => { results.done = results.es.closed && results.fetch.done && results.xhr.done; };

const es = new EventSource('/es?scope=${scope}');
es.onopen = () => results.es.opens++;
es.onerror = () => results.es.errors++;
es.onmessage = () => { results.es.message++; heard(); };
// Two listeners for one type: the hook must report each event once.
es.addEventListener('price', () => { results.es.price++; heard(); });
es.addEventListener('price', () => {});
function heard() {
  if (results.es.message + results.es.price === ${ES_HEARD.length}) { es.close(); results.es.closed = true; check(); }
}

(async () => {
  const res = await fetch('/chat?scope=${scope}', { method: 'POST', headers: { Authorization: '${PAGE_TOKEN}', 'Content-Type': 'application/json' }, body: ${JSON.stringify(PAGE_CHAT_BODY)} });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    results.fetch.text += decoder.decode(value, { stream: true });
  }
  results.fetch.events = events(results.fetch.text);
  results.fetch.done = true;
  check();
})();

const xhr = new XMLHttpRequest();
xhr.open('GET', '/xhr?scope=${scope}');
xhr.setRequestHeader('X-Trace', 'abc');
xhr.onprogress = () => { results.xhr.text = xhr.responseText; };
xhr.onload = () => { results.xhr.text = xhr.responseText; results.xhr.events = events(xhr.responseText); results.xhr.done = true; check(); };
xhr.send();
`;
}

/** `frames`: the iframes' URLs, each the same page run in a frame. */
function page(scope: string, frames: string[], onMessage = false): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>streams ${scope}</title></head><body>
<h1>A page with its own streams (${scope})</h1>
${frames.map((src) => `<iframe src="${src}" width="400" height="200"></iframe>`).join('\n')}
<script>${onMessage ? `addEventListener('message', (e) => { if (e.data === 'hooked?') parent.postMessage({ scope: '${scope}', hooked: Symbol.for('sse-devtools.observe') in globalThis }, '*'); if (e.data === 'start-streams' && !window.pageStreams) {${pageScript(scope)}} });` : pageScript(scope)}</script>
${frames.length > 0 ? `<script>window.frameHooks = {}; addEventListener('message', (e) => { if (typeof e.data === 'object' && e.data !== null && 'hooked' in e.data) window.frameHooks[e.data.scope] = e.data.hooked; });</script>` : ''}
</body></html>`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
  });
}

/** One numbered event of 100 bytes, its data JSON (for n < 10,000,000). */
const fastEvent = (n: number): string => `id: ${String(n).padStart(7, '0')}\ndata: {"n":${n},"p":"${'x'.repeat(67 - String(n).length)}"}\n\n`;

export async function startObservedPageServer(): Promise<ObservedPageServer> {
  const streams: LoggedStream[] = [];
  const server = createServer((req, res) => void route(req, res));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const html = (text: string) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(text);
    // The cross-site iframe is the same server under another host name: localhost is not 127.0.0.1's site.
    const crossSite = `http://localhost:${(server.address() as AddressInfo).port}/frame?scope=cross`;
    const onMessage = url.searchParams.has('on-message') ? '&on-message' : '';
    if (url.pathname === '/') return void html(page('top', url.searchParams.has('cross') ? [`/frame?scope=frame${onMessage}`, crossSite + onMessage] : ['/frame']));
    if (url.pathname === '/frame') return void html(page(url.searchParams.get('scope') === 'cross' ? 'cross' : 'frame', [], onMessage !== ''));
    // A page framing any URL the test names (an origin the extension has no access to).
    if (url.pathname === '/framing') return void html(`<!doctype html><title>framing</title><iframe src="${(url.searchParams.get('src') ?? '').replaceAll('&', '&amp;').replaceAll('"', '&quot;')}"></iframe>`);
    if (url.pathname === '/live') {
      const scope = (url.searchParams.get('scope') ?? 'top').replace(/[^a-z]/g, '');
      const frame = url.searchParams.has('frame') ? '<iframe src="/live?scope=frame" width="300" height="80"></iframe>' : '';
      return void html(`<!doctype html><title>live ${scope}</title><p>reading /endless (${scope})</p>${frame}<script>window.liveChunks = 0; const read = () => fetch('/endless?scope=${scope}').then(async (res) => { const r = res.body.getReader(); for (;;) { const { done } = await r.read(); if (done) break; window.liveChunks++; } }); const start = (n) => (Symbol.for('sse-devtools.observe') in globalThis || n >= 60 ? read() : setTimeout(() => start(n + 1), 50)); start(0);</script>`);
    }
    if (url.pathname === '/frames') {
      const n = Math.min(16, Number(url.searchParams.get('n') ?? '0') || 0);
      const src = (i: number) => (i % 2 === 0 ? '/blank' : crossSite.replace('/frame?scope=cross', '/blank'));
      return void html(`<!doctype html><title>${n} iframes</title>${Array.from({ length: n }, (_, i) => `<iframe src="${src(i)}" width="200" height="60"></iframe>`).join('')}`);
    }
    if (url.pathname === '/blank') return void html('<!doctype html><title>blank</title><p>blank</p>');
    if (url.pathname === '/json') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    const body = await readBody(req);
    if (url.pathname === '/echo') {
      const h = req.headers;
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ method: req.method, type: h['content-type'] ?? null, length: h['content-length'] ?? null, chunked: h['transfer-encoding'] ?? null, body }));
    }
    const log: LoggedStream = { path: url.pathname, scope: url.searchParams.get('scope') ?? '', method: req.method ?? '', headers: req.headers, body, events: 0, bytes: 0, closed: false, endedByServer: false };
    streams.push(log);
    // res 'close', not req 'close': on Node 20 the request's fires once its body is read.
    res.on('close', () => (log.closed = true));
    const write = (text: string): boolean => {
      log.events += text.split('\n\n').length - 1;
      log.bytes += Buffer.byteLength(text);
      return res.write(text);
    };
    const end = () => {
      log.endedByServer = true;
      res.end();
    };
    const head = (extra: Record<string, string> = {}) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', ...extra });
      res.flushHeaders();
    };
    switch (url.pathname) {
      case '/es': {
        head();
        const resumed = req.headers['last-event-id'] === '4';
        for (const block of (resumed ? ES_SECOND : ES_FIRST).split(/(?<=\n\n)/)) {
          write(block);
          await sleep(10);
        }
        // The first connection ends (the browser reconnects); the second stays until the page closes it.
        if (!resumed) end();
        return;
      }
      case '/chat': {
        if (req.headers.authorization !== PAGE_TOKEN || body !== PAGE_CHAT_BODY) return void res.writeHead(401).end();
        head();
        for (const block of chatText().split(/(?<=\n\n)/)) {
          if (res.destroyed) return;
          write(block);
          await sleep(5);
        }
        return end();
      }
      case '/xhr': {
        head({ 'X-Content-Type-Options': 'nosniff' });
        for (const block of xhrText().split(/(?<=\n\n)/)) {
          if (res.destroyed) return;
          write(block);
          await sleep(5);
        }
        return end();
      }
      case '/endless': {
        head();
        while (!res.destroyed) {
          write(': still here\n\n');
          await sleep(50);
        }
        return;
      }
      case '/flood': {
        head();
        const mib = Number(url.searchParams.get('mib') ?? '1');
        const block = `data: ${'f'.repeat(1010)}\n\n`.repeat(64);
        for (let i = 0; i < mib * 16 && !res.destroyed; i++) {
          if (!write(block)) await new Promise((r) => res.once('drain', r));
        }
        return end();
      }
      case '/fast': {
        head();
        const n = Number(url.searchParams.get('n') ?? '1000');
        let text = '';
        for (let i = 1; i <= n && !res.destroyed; i++) {
          text += fastEvent(i);
          if (text.length >= 65536 || i === n) {
            const ok = write(text);
            text = '';
            if (!ok) await new Promise((r) => res.once('drain', r));
          }
        }
        return end();
      }
      default:
        res.writeHead(404).end();
    }
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    streams,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
