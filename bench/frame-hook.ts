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
 * And what observing iframes costs the page (`cost`): while a tab is observed, each poll of the panel
 * (10 a second) makes the background list the tab's frames and run a drain in every iframe
 * (frame-hooks.ts). A page with 4 idle iframes (2 same-origin, sharing its main thread; 2 cross-site)
 * reads a 100,000-event fetch stream (as bench/page-hook.ts), with the background polled as the
 * panel polls it and without, in pairs; the same page without iframes is the reference.
 *
 * Figures, not pass/fail; docs/ARCHITECTURE.md has the last ones. Run: node src/tooling/build.mjs &&
 * node dist/bench/frame-hook.js [reloads] [eval,commit,cost] [pairs for cost]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Frame } from 'puppeteer-core';
import { PANEL_PORT } from '../src/protocol/messages.js';
import { OBSERVE_GLOBAL } from '../src/protocol/observed.js';
import { devtoolsLaunchOptions, openPanelInDevtools } from '../src/tooling/chromium/devtools-panel.js';
import { startObservedPageServer } from '../test/helpers/observed-page.js';

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

type Route = 'eval' | 'commit' | 'cost';

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

const COST_EVENTS = 100_000;
const COST_ROUNDS = Number(process.argv[4] ?? '15');

/** Runs in the page: reads the stream as an app would (decode and split: the least an app does). */
async function consume(url: string): Promise<{ events: number; ms: number }> {
  const started = performance.now();
  const reader = ((await fetch(url)).body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let events = 0;
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = rest + decoder.decode(value, { stream: true });
    let at = 0;
    for (let end = text.indexOf('\n\n', at); end >= 0; end = text.indexOf('\n\n', at)) {
      events++;
      at = end + 2;
    }
    rest = text.slice(at);
  }
  return { events, ms: performance.now() - started };
}

interface PanelPoll {
  runtime: { connect(o: { name: string }): { postMessage(m: unknown): void } };
  devtools: { inspectedWindow: { tabId: number } };
}

async function cost(): Promise<void> {
  const app = await startObservedPageServer();
  const userDataDir = mkdtempSync(join(tmpdir(), 'sse-frame-cost-'));
  const browser = await puppeteer.launch(devtoolsLaunchOptions({ headless: true, userDataDir, width: 1280, height: 900 }));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  try {
    const { inspected, panel } = await openPanelInDevtools(browser, 'SSE', 30_000);
    const cdp = await inspected.createCDPSession();
    await cdp.send('Performance.enable');
    const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN;
    // In the panel's frame, the panel's own message: 'observe-frames' every 100 ms while observed (observe.ts).
    await panel.evaluate((name: string) => {
      const c = (globalThis as unknown as { chrome: PanelPoll }).chrome;
      const port = c.runtime.connect({ name });
      let timer: ReturnType<typeof setInterval> | null = null;
      (globalThis as unknown as { benchPoll(on: boolean, pageUrl: string): void }).benchPoll = (on, pageUrl) => {
        if (timer !== null) clearInterval(timer);
        timer = null;
        const tabId = c.devtools.inspectedWindow.tabId;
        if (on) timer = setInterval(() => port.postMessage({ type: 'observe-frames', tabId, pageUrl, on: true }), 100);
        else port.postMessage({ type: 'observe-frames', tabId, pageUrl, on: false });
      };
    }, PANEL_PORT);
    const poll = (on: boolean, pageUrl: string) => panel.evaluate((o: boolean, u: string) => (globalThis as unknown as { benchPoll(on: boolean, pageUrl: string): void }).benchPoll(o, u), on, pageUrl);
    const stream = `${app.url}/fast?n=${COST_EVENTS}`;
    const run = async (pageUrl: string, observed: boolean) => {
      await poll(observed, pageUrl);
      await new Promise((r) => setTimeout(r, 300));
      const before = await threadTime();
      const { events, ms } = await inspected.evaluate(consume, stream);
      const cpu = (await threadTime()) - before;
      await poll(false, pageUrl);
      if (events !== COST_EVENTS) throw new Error(`the page counted ${events} events`);
      return { wall: events / (ms / 1000), cpu: events / cpu };
    };
    const k = (x: number) => `${Math.round(x / 1000)}k/s`;
    console.log(`cost: a page reading ${COST_EVENTS.toLocaleString('en')} × 100 B events over fetch, the background polled as the panel polls an observed tab (10/s) or not; ${COST_ROUNDS} pairs each, medians`);
    console.log('page                   | figure                              | not observed | observed | ratio of medians (pairs: median, range)');
    for (const n of [0, 4]) {
      const pageUrl = `${app.url}/frames?n=${n}`;
      await inspected.goto(pageUrl);
      // Warm-up, and the first observed poll hooks the iframes that lack the hook.
      await run(pageUrl, true);
      await run(pageUrl, false);
      const hooked = await Promise.all(inspected.frames().filter((f) => f !== inspected.mainFrame()).map((f: Frame) => f.evaluate((key: string) => Symbol.for(key) in globalThis, OBSERVE_GLOBAL).catch(() => false)));
      const wall = { off: [] as number[], on: [] as number[], ratios: [] as number[] };
      const cpu = { off: [] as number[], on: [] as number[], ratios: [] as number[] };
      for (let i = 0; i < COST_ROUNDS; i++) {
        const onFirst = i % 2 === 0;
        const a = onFirst ? await run(pageUrl, true) : null;
        const off = await run(pageUrl, false);
        const on = a ?? (await run(pageUrl, true));
        for (const [into, key] of [
          [wall, 'wall'],
          [cpu, 'cpu'],
        ] as const) {
          into.off.push(off[key]);
          into.on.push(on[key]);
          into.ratios.push(on[key] / off[key]);
        }
      }
      const name = n === 0 ? 'no iframe (reference)' : `${n} iframes (${hooked.filter(Boolean).length} hooked)`;
      const row = (figure: string, f: typeof wall) =>
        console.log(`${name.padEnd(22)} | ${figure.padEnd(35)} | ${k(median(f.off)).padEnd(12)} | ${k(median(f.on)).padEnd(8)} | ${(median(f.on) / median(f.off)).toFixed(2)} (pairs ${median(f.ratios).toFixed(2)}, ${Math.min(...f.ratios).toFixed(2)}–${Math.max(...f.ratios).toFixed(2)})`);
      row("events/s, the page's clock", wall);
      row('events per CPU-s of its main thread', cpu);
      // The page idle (no stream): what the polls alone cost its main thread, which its same-origin iframes share.
      const idle = { off: [] as number[], on: [] as number[] };
      for (let i = 0; i < 3; i++) {
        for (const observed of [false, true]) {
          await poll(observed, pageUrl);
          await new Promise((r) => setTimeout(r, 300));
          const before = await threadTime();
          await new Promise((r) => setTimeout(r, 3000));
          idle[observed ? 'on' : 'off'].push(((await threadTime()) - before) / 3);
          await poll(false, pageUrl);
        }
      }
      const ms = (x: number) => `${(x * 1000).toFixed(1)} ms/s`;
      console.log(`${name.padEnd(22)} | ${'idle: CPU of its main thread'.padEnd(35)} | ${ms(median(idle.off)).padEnd(12)} | ${ms(median(idle.on)).padEnd(8)} |`);
    }
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
    await app.close();
  }
}

const server = await startServer();
try {
  for (const route of (process.argv[3]?.split(',') ?? ['eval', 'commit', 'cost']) as Route[]) {
    if (route === 'cost') {
      await cost();
      continue;
    }
    const tally = await measure(route, `http://127.0.0.1:${server.port}/`);
    console.log(`${route}: ${FRAMES.map((f) => `${f} before its first script ${tally[f]!.first}/${RELOADS}, later ${tally[f]!.late}, never ${tally[f]!.never}`).join('; ')}`);
  }
} finally {
  server.close();
}
