/**
 * A real 127.0.0.1 server that answers a request (a POST, as the providers' APIs are) with one of
 * the lens fixtures (test/fixtures/lenses/*.sse) as an SSE stream, one event at a time with small
 * gaps, as a model streams its tokens. The fixture's text is written as is; it is only cut at its
 * blank lines to pace it, never parsed. The demo server's own endpoints per format can replace this
 * by pointing a test at another URL.
 *
 *   /any/path?fixture=NAME        the fixture NAME.sse
 *   &cut=N                        stop after all but the last N events, as a cut connection does
 *   &gap=MS                       the pause between events (default 12 ms)
 *   &tag=T                        the first request of a tag gets the stream, later ones a 204
 *                                 (so a client's reconnect after the end stops there)
 *   /page?fixture=NAME            an app page whose script POSTs for that stream with fetch and reads
 *                                 it to the end, as a chat UI does: a stream to observe
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OutgoingHttpHeaders } from 'node:http';
import { startRawServer, writeChunks, type RawServer } from './raw-server.js';

const FIXTURES = resolve('test/fixtures/lenses');

/** Response headers that a provider of each format sends and a lens may look at. */
const HEADERS: readonly [RegExp, OutgoingHttpHeaders][] = [
  [/^ai-sdk/, { 'x-vercel-ai-ui-message-stream': 'v1' }],
  [/^mcp/, { 'mcp-session-id': '1868a90c-7c3b-4d7a-9d1e-3b8f0c2a5e11' }],
];

/** The fixture's events as written, each with its blank line; `extra` appends events made up by a test (hostile ones). */
function fixtureEvents(name: string): string[] {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`not a fixture name: ${name}`);
  const text = readFileSync(resolve(FIXTURES, `${name}.sse`), 'utf8');
  return text.split(/(?<=\n\n)/).filter((block) => block.trim() !== '');
}

export interface LensFixtureServer extends RawServer {
  /** A URL for `fixture` (and options) with a fresh tag. */
  urlFor(fixture: string, options?: { cut?: number; gap?: number; path?: string }): string;
  /** Events served instead of a fixture's, for streams a test builds (a huge delta, markup). */
  register(name: string, events: string[]): void;
}

export async function startLensFixtureServer(): Promise<LensFixtureServer> {
  const seen = new Set<string>();
  const custom = new Map<string, string[]>();
  let tags = 0;
  const raw = await startRawServer(async (res, req) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/page') {
      const fixture = JSON.stringify(url.searchParams.get('fixture') ?? '');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>chat app</title><p id="out"></p><script>
        const q = new URLSearchParams({ fixture: ${fixture.replace(/</g, '\\u003c')}, tag: 'page-' + Math.random() });
        fetch('/v1/chat/completions?' + q, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-page' }, body: '{"stream":true}' })
          .then((r) => r.text()).then((t) => { document.getElementById('out').textContent = t.length + ' characters'; });
      </script>`);
      return;
    }
    // The body of a POST is read, as a real API does, before the answer starts.
    for await (const _ of req) void _;
    const tag = url.searchParams.get('tag') ?? '';
    if (tag !== '' && seen.has(tag)) {
      res.writeHead(204);
      res.end();
      return;
    }
    seen.add(tag);
    const name = url.searchParams.get('fixture') ?? '';
    let events: string[];
    try {
      events = custom.get(name) ?? fixtureEvents(name);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such fixture');
      return;
    }
    const cut = Number(url.searchParams.get('cut') ?? 0);
    const gap = Number(url.searchParams.get('gap') ?? 12);
    const headers = HEADERS.find(([re]) => re.test(name))?.[1] ?? {};
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    res.flushHeaders();
    await writeChunks(res, events.slice(0, Math.max(0, events.length - cut)), gap);
    res.end();
  });
  return {
    ...raw,
    urlFor(fixture, options = {}) {
      const q = new URLSearchParams({ fixture, tag: `t${++tags}` });
      if (options.cut !== undefined) q.set('cut', String(options.cut));
      if (options.gap !== undefined) q.set('gap', String(options.gap));
      return `${new URL(options.path ?? '/v1/stream', raw.url).href}?${q}`;
    },
    register(name, events) {
      custom.set(name, events);
    },
  };
}
