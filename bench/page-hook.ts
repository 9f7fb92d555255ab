/**
 * What the page hook (extension/page-hook.js) costs the page it observes: one headless Chromium, a
 * page reading a 100,000-event fetch stream (100 B events, 64 KiB server writes) with getReader() +
 * TextDecoder, with and without the hook, in pairs of runs, in one run of the bench. Two pages: one
 * that only decodes and splits the events (the least an app does, so the hook's largest share) and
 * one that also JSON.parses each event's data. With the hook, the bench drains it every 100 ms and
 * at the end, from outside the page as the panel does. Two figures per page: events/s on the page's
 * own clock (fetch() to the last event), and events per CPU-second of the page's main thread
 * (Chromium's ThreadTime: unmoved by other load on a shared machine; the drains count). Figures,
 * not pass/fail; the goal is a ratio ≥ 0.90 (issue 12: the hook costs the page at most 10%).
 * Run: npm run bench (or node dist/bench/page-hook.js after a build)
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { OBSERVE_GLOBAL } from '../src/protocol/observed.js';
import { CHROMIUM_FLAGS, chromiumPath } from '../src/tooling/chromium/chromium.js';
import { startObservedPageServer } from '../test/helpers/observed-page.js';

const EVENTS = 100_000;
const ROUNDS = 11;
const HOOK = readFileSync(resolve('extension/page-hook.js'), 'utf8');

/**
 * Runs in the page: reads the stream as an app would. `parse`: also JSON.parse each event's data,
 * as most apps do; without it the page does the least an app can (decode and split), where the
 * hook's share is the largest.
 */
async function consume([url, parse]: [string, boolean]): Promise<{ events: number; ms: number }> {
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
      if (parse) {
        const data = text.indexOf('data: ', at);
        if ((JSON.parse(text.slice(data + 6, end)) as { n: number }).n > 0) events++;
      } else events++;
      at = end + 2;
    }
    rest = text.slice(at);
  }
  return { events, ms: performance.now() - started };
}

interface Tab {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
}

/** CPU seconds of the page's main thread (Chromium's own count, unmoved by other load on the machine): what the page paid. */
async function mainThreadSeconds(tab: Tab): Promise<number> {
  const { metrics } = await tab.cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN;
}

const drainOnce = (page: Page) =>
  page.evaluate((key) => (globalThis as unknown as Record<symbol, { drain(n: number): { records: unknown[] } } | undefined>)[Symbol.for(key)]?.drain(5000).records.length ?? 0, OBSERVE_GLOBAL);

/** Events/s as the page saw them (wall clock) and per second of its main thread, hook drains included. */
async function run(tab: Tab, url: string, drain: boolean, parse: boolean): Promise<{ wall: number; cpu: number }> {
  const before = await mainThreadSeconds(tab);
  let draining = drain;
  const drained = (async () => {
    while (draining) {
      await drainOnce(tab.page);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const { events, ms } = await tab.page.evaluate(consume, [url, parse] as [string, boolean]);
  draining = false;
  await drained;
  // What the panel would still take: its cost is the hook's too.
  if (drain) while ((await drainOnce(tab.page)) === 5000);
  const cpu = (await mainThreadSeconds(tab)) - before;
  if (events !== EVENTS) throw new Error(`the page counted ${events} events, expected ${EVENTS}`);
  return { wall: events / (ms / 1000), cpu: events / cpu };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const server = await startObservedPageServer();
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_FLAGS });
try {
  const open = async (hook: boolean): Promise<Tab> => {
    const context = await browser.newContext();
    if (hook) await context.addInitScript({ content: HOOK });
    const page = await context.newPage();
    await page.goto(`${server.url}/blank`);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    return { context, page, cdp };
  };
  const bare = await open(false);
  const hooked = await open(true);
  const url = `${server.url}/fast?n=${EVENTS}`;
  const k = (x: number) => `${Math.round(x / 1000)}k/s`;
  console.log(`page hook: a page reading ${EVENTS.toLocaleString('en')} × 100 B events over fetch in Chromium, ${ROUNDS} runs each, in pairs; medians`);
  console.log('page                   | figure                                | without hook | with hook | ratio (median of pairs; goal ≥ 0.90)');
  for (const [name, parse] of [
    ['decodes and splits', false],
    ['+ JSON.parse per event', true],
  ] as const) {
    // Warm-up: the first run of each pays for compiling.
    await run(bare, url, false, parse);
    await run(hooked, url, true, parse);
    const wall = { bare: [] as number[], hooked: [] as number[], ratios: [] as number[] };
    const cpu = { bare: [] as number[], hooked: [] as number[], ratios: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      // Pairs run back to back, in turns first and second, so drift in machine load hits both
      // alike; a ratio is the median of the pairs' ratios.
      const hookFirst = i % 2 === 0;
      const h1 = hookFirst ? await run(hooked, url, true, parse) : null;
      const b = await run(bare, url, false, parse);
      const h = h1 ?? (await run(hooked, url, true, parse));
      for (const [into, key] of [
        [wall, 'wall'],
        [cpu, 'cpu'],
      ] as const) {
        into.bare.push(b[key]);
        into.hooked.push(h[key]);
        into.ratios.push(h[key] / b[key]);
      }
    }
    const row = (figure: string, f: typeof wall) =>
      console.log(`${name.padEnd(22)} | ${figure.padEnd(37)} | ${k(median(f.bare)).padEnd(12)} | ${k(median(f.hooked)).padEnd(9)} | ${median(f.ratios).toFixed(2)} (pairs ${Math.min(...f.ratios).toFixed(2)}–${Math.max(...f.ratios).toFixed(2)})`);
    row("events/s, the page's clock", wall);
    row(`events per CPU-s of its main thread`, cpu);
  }
  console.log("(with the hook: drained every 100 ms and at the end, as the panel does; drains count as the page's thread time)");
  await bare.context.close();
  await hooked.context.close();
} finally {
  await browser.close();
  await server.close();
}
