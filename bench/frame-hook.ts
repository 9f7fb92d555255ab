/**
 * How often the page hook reaches an iframe before the iframe's first script (issue 12, hook mode
 * in frames, Chromium). `inspectedWindow.reload({ injectedScript })` runs in the top frame only, so
 * a frame's hook has to come another way; each route is measured over reloads of a page with a
 * same-origin, a cross-site and a srcdoc iframe whose first inline script looks for the hook:
 *
 * - `eval`: the panel hears `devtools.inspectedWindow.onResourceAdded` for a document and runs the
 *   hook there with `inspectedWindow.eval(hook, { frameURL })` (no permission);
 * - `commit`: the background runs it with `scripting.executeScript({ target: { tabId, frameIds },
 *   world: 'MAIN', injectImmediately: true })` at `webNavigation.onCommitted` (scripting,
 *   webNavigation and host access to the frame).
 *
 * Figures, not pass/fail; docs/ARCHITECTURE.md has the last ones. Run: node src/tooling/build.mjs &&
 * node dist/bench/frame-hook.js [reloads] [eval,commit]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Frame } from 'puppeteer-core';
import { devtoolsLaunchOptions, openPanelInDevtools } from '../src/tooling/chromium/devtools-panel.js';

const RELOADS = Number(process.argv[2] ?? '20');
const FRAMES = ['same-origin', 'cross-site', 'srcdoc'] as const;

// The frame's first script: is the hook there already?
const PROBE = `<script>window.hookAtFirstScript = !!globalThis[Symbol.for('sse-devtools.observe')];</script>`;

function startServer(): Promise<{ port: number; close(): void }> {
  const server = createServer((req, res) => {
    const { port } = server.address() as AddressInfo;
    const html = (s: string) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(s);
    if (req.url?.startsWith('/frame')) return void html(`<!doctype html><title>frame</title>${PROBE}<p>frame</p>`);
    html(`<!doctype html><title>top</title>${PROBE}
<iframe name="same-origin" src="/frame?same"></iframe>
<iframe name="cross-site" src="http://localhost:${port}/frame?cross"></iframe>
<iframe name="srcdoc" srcdoc="${PROBE.replaceAll('"', '&quot;')}<p>srcdoc</p>"></iframe>`);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ port: (server.address() as AddressInfo).port, close: () => server.close() })));
}

type Route = 'eval' | 'commit';

/** The few extension APIs the routes use, in the panel and in the worker. */
interface Ext {
  runtime: { getURL(path: string): string };
  devtools: {
    inspectedWindow: {
      tabId: number;
      eval(code: string, options: { frameURL: string }): void;
      reload(options: { injectedScript: string }): void;
      onResourceAdded: { addListener(f: (r: { type: string; url: string }) => void): void };
    };
  };
  webNavigation: { onCommitted: { addListener(f: (d: { tabId: number; frameId: number }) => void): void } };
  scripting: { executeScript(o: object): Promise<unknown> };
}

async function measure(route: Route, url: string): Promise<Record<string, { first: number; late: number; never: number }>> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'sse-frame-bench-'));
  const browser = await puppeteer.launch(devtoolsLaunchOptions({ headless: true, userDataDir, width: 1280, height: 900 }));
  const tally = Object.fromEntries(FRAMES.map((f) => [f, { first: 0, late: 0, never: 0 }]));
  try {
    const { inspected, panel } = await openPanelInDevtools(browser, 'SSE', 30_000);
    await inspected.goto(url);
    const tabId = await panel.evaluate(() => (globalThis as unknown as { chrome: Ext }).chrome.devtools.inspectedWindow.tabId);
    if (route === 'eval') {
      await panel.evaluate(async () => {
        const c = (globalThis as unknown as { chrome: Ext }).chrome;
        const hook = await (await fetch(c.runtime.getURL('page-hook.js'))).text();
        c.devtools.inspectedWindow.onResourceAdded.addListener((r: { type: string; url: string }) => {
          if (r.type === 'document') c.devtools.inspectedWindow.eval(hook, { frameURL: r.url });
        });
      });
    } else {
      const worker = await (await browser.waitForTarget((t) => t.type() === 'service_worker')).worker();
      await worker?.evaluate((tab: number) => {
        const c = (globalThis as unknown as { chrome: Ext }).chrome;
        c.webNavigation.onCommitted.addListener((d: { tabId: number; frameId: number }) => {
          if (d.tabId === tab && d.frameId !== 0) void c.scripting.executeScript({ target: { tabId: tab, frameIds: [d.frameId] }, world: 'MAIN', injectImmediately: true, files: ['page-hook.js'] }).catch(() => undefined);
        });
      }, tabId);
    }
    for (let i = 0; i < RELOADS; i++) {
      await inspected.evaluate(() => void ((window as unknown as { stale: boolean }).stale = true));
      await panel.evaluate(async () => {
        const c = (globalThis as unknown as { chrome: Ext }).chrome;
        c.devtools.inspectedWindow.reload({ injectedScript: await (await fetch(c.runtime.getURL('page-hook.js'))).text() });
      });
      await inspected.waitForFunction(() => !(window as unknown as { stale?: boolean }).stale && document.readyState === 'complete', { timeout: 30_000 });
      await new Promise((r) => setTimeout(r, 1000));
      for (const name of FRAMES) {
        const frame: Frame | undefined = inspected.frames().find((f) => f.name() === name && !f.detached);
        const got = frame ? await frame.evaluate(() => [(window as unknown as { hookAtFirstScript?: boolean }).hookAtFirstScript === true, !!(globalThis as unknown as Record<symbol, unknown>)[Symbol.for('sse-devtools.observe')]]) : [false, false];
        tally[name]![got[0] ? 'first' : got[1] ? 'late' : 'never']++;
      }
    }
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  return tally;
}

const server = await startServer();
try {
  for (const route of (process.argv[3]?.split(',') ?? ['eval', 'commit']) as Route[]) {
    const tally = await measure(route, `http://127.0.0.1:${server.port}/`);
    console.log(`${route}: ${FRAMES.map((f) => `${f} before its first script ${tally[f]!.first}/${RELOADS}, later ${tally[f]!.late}, never ${tally[f]!.never}`).join('; ')}`);
  }
} finally {
  server.close();
}
