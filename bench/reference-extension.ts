/**
 * The reference pipeline for bench/chromium.ts: the least an extension can do to bring an SSE stream
 * into a page. Its service worker fetches the URL a page names over a runtime Port, decodes with
 * TextDecoder, parses with eventsource-parser (the product's own parser), and posts the events in
 * batches of about 16 ms; the page counts them, keeps them in an array (so its memory per retained
 * event is the floor of "keeping a parsed event") and records when each batch arrived.
 *
 * Both contexts are written here as functions, type-checked with the bench, and shipped as their
 * source text (`Function.prototype.toString`): they may use nothing from outside their own body but
 * their parameters. The worker is bundled with esbuild's JS API (for eventsource-parser).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { createParser as CreateParser } from 'eventsource-parser';

interface RefEvent {
  id: string | null;
  type: string;
  data: string;
}

interface RefPort {
  postMessage(message: unknown): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

interface RefRuntime {
  connect(info: { name: string }): RefPort;
  onConnect: { addListener(listener: (port: RefPort) => void): void };
}

/** What the reference page exposes to the bench as `window.__ref`. */
export interface ReferencePage {
  count: number;
  /** [Date.now(), count after this batch] per batch received. */
  arrivals: [number, number][];
  start(url: string): void;
  stop(): void;
}

/** The service worker: fetch -> TextDecoder -> eventsource-parser -> batches over the Port. */
function serviceWorkerMain(createParser: typeof CreateParser): void {
  const runtime = (globalThis as unknown as { chrome: { runtime: RefRuntime } }).chrome.runtime;
  runtime.onConnect.addListener((port) => {
    let controller: AbortController | null = null;
    let batch: RefEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = (): void => {
      timer = null;
      if (batch.length === 0) return;
      const events = batch;
      batch = [];
      port.postMessage({ events });
    };
    const stop = (): void => {
      controller?.abort();
      controller = null;
      batch = [];
    };
    port.onDisconnect.addListener(stop);
    port.onMessage.addListener((message) => {
      const m = message as { type: 'start'; url: string } | { type: 'stop' };
      stop();
      if (m.type === 'stop') return;
      const c = new AbortController();
      controller = c;
      const parser = createParser({
        onEvent: (e) => {
          batch.push({ id: e.id ?? null, type: e.event ?? 'message', data: e.data });
          timer ??= setTimeout(flush, 16);
        },
      });
      void (async () => {
        try {
          const res = await fetch(m.url, { headers: { Accept: 'text/event-stream' }, signal: c.signal });
          const reader = res.body!.getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            parser.feed(decoder.decode(value, { stream: true }));
          }
        } catch {
          // Stopped by the bench (aborted), or the server went away at the end of the run.
        }
      })();
    });
  });
}

/** The page: counts, keeps, and records arrival times. */
function pageMain(): void {
  const runtime = (globalThis as unknown as { chrome: { runtime: RefRuntime } }).chrome.runtime;
  const port = runtime.connect({ name: 'reference' });
  const shown = document.getElementById('count')!;
  let kept: RefEvent[] = [];
  const state: ReferencePage = {
    count: 0,
    arrivals: [],
    start(url) {
      port.postMessage({ type: 'start', url });
    },
    stop() {
      port.postMessage({ type: 'stop' });
      kept = [];
      state.count = 0;
      state.arrivals = [];
      shown.textContent = '0';
    },
  };
  port.onMessage.addListener((message) => {
    const { events } = message as { events: RefEvent[] };
    for (const e of events) kept.push(e);
    state.count += events.length;
    state.arrivals.push([Date.now(), state.count]);
    shown.textContent = String(state.count);
  });
  (window as unknown as { __ref: ReferencePage }).__ref = state;
}

const MANIFEST = {
  manifest_version: 3,
  name: 'SSE bench reference',
  version: '1.0.0',
  description: 'fetch + TextDecoder + eventsource-parser, batched over a Port to a page that counts',
  background: { service_worker: 'sw.js', type: 'module' },
  host_permissions: ['http://127.0.0.1/*'],
};

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>reference</title></head>
<body><p>events: <span id="count">0</span></p><script type="module" src="page.js"></script></body></html>
`;

/** Writes the unpacked reference extension to a new temp dir and returns its path; the page is `page.html`. */
export async function buildReferenceExtension(): Promise<string> {
  // Imported by name at run time: esbuild's JS API refuses to be bundled into the bench itself.
  const esbuildName: string = 'esbuild';
  const esbuild = (await import(esbuildName)) as typeof import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-reference-'));
  await esbuild.build({
    stdin: {
      contents: `import { createParser } from 'eventsource-parser';\n(${serviceWorkerMain.toString()})(createParser);\n`,
      resolveDir: resolve('.'),
      loader: 'js',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(dir, 'sw.js'),
    logLevel: 'warning',
  });
  writeFileSync(join(dir, 'page.js'), `(${pageMain.toString()})();\n`);
  writeFileSync(join(dir, 'page.html'), PAGE_HTML);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(MANIFEST, null, 2));
  return dir;
}
