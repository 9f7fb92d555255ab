/**
 * What the background holds per retained event, measured in the real service worker: its JS heap
 * (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage on the worker's target) with no connection,
 * with one connection that received ENTRIES events of about 100 B (the fast test server's: 82
 * characters of data) and retains them all, and after removing it. Beside it, in the same worker
 * and run, the reference: the same count of plain objects shaped like event entries, with fresh
 * strings. Figures, not pass/fail. Run: node src/tooling/build.mjs && node dist/bench/worker-memory.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type CDPSession } from 'puppeteer-core';
import { defaultConfig } from '../src/core/config.js';
import { PANEL_PORT } from '../src/protocol/messages.js';
import { CHROMIUM_FLAGS, chromiumPath, extensionFlags } from '../src/tooling/chromium/chromium.js';
import { startFastServer } from '../test/helpers/fast-server.js';

/** The extension page's runtime API, as much of it as this uses. */
interface Port {
  postMessage(message: unknown): void;
  onMessage: { addListener(listener: (message: { type: string; connectionId?: string | null; connections?: { state: { phase: string } }[] }) => void): void };
}
declare const chrome: { runtime: { connect(options: { name: string }): Port } };

/** Under the default entry cap (100 000), so nothing is dropped. */
const ENTRIES = Number(process.env.ENTRIES ?? 90_000);

const userDataDir = mkdtempSync(join(tmpdir(), 'sse-bench-'));
const server = await startFastServer({ total: ENTRIES, perSecond: 1_000_000 });
const browser = await puppeteer.launch({
  executablePath: chromiumPath(),
  headless: true,
  userDataDir,
  ignoreDefaultArgs: ['--disable-extensions'],
  args: [...extensionFlags(), ...CHROMIUM_FLAGS],
});
try {
  const target = await browser.waitForTarget((t) => t.type() === 'service_worker');
  const extensionId = new URL(target.url()).host;
  const worker: CDPSession = await target.createCDPSession();
  const heap = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) await worker.send('HeapProfiler.collectGarbage');
    return (await worker.send('Runtime.getHeapUsage')).usedSize;
  };
  const page = await browser.newPage();
  await page.goto(`chrome-extension://${extensionId}/devtools.html`);
  // A port of our own, as a panel has: connect, then wait for the connection to close.
  await page.evaluate((name) => {
    const w = window as unknown as { port: Port; phase: string; connectionId: string | null };
    w.port = chrome.runtime.connect({ name });
    w.phase = '';
    w.port.onMessage.addListener((m) => {
      if (m.type === 'connect-result') w.connectionId = m.connectionId ?? null;
      const last = m.connections?.at(-1);
      if (last) w.phase = last.state.phase;
    });
    w.port.postMessage({ type: 'hello' });
  }, PANEL_PORT);
  await new Promise((r) => setTimeout(r, 500));
  const empty = await heap();
  const config = defaultConfig(server.url);
  config.reconnect.initialDelayMs = 50;
  await page.evaluate((config) => (window as unknown as { port: Port }).port.postMessage({ type: 'connect', requestId: 'r1', config }), config);
  await page.waitForFunction(() => (window as unknown as { phase: string }).phase === 'closed', { timeout: 120_000, polling: 100 });
  const full = await heap();
  await page.evaluate(() => {
    const w = window as unknown as { port: Port; connectionId: string };
    w.port.postMessage({ type: 'remove', connectionId: w.connectionId });
  });
  await new Promise((r) => setTimeout(r, 500));
  const removed = await heap();
  // The reference: plain objects with an event entry's fields and fresh strings, held by the worker.
  await worker.send('Runtime.evaluate', {
    expression: `globalThis.__bench = Array.from({ length: ${ENTRIES} }, (_, i) => ({ connectionId: 'c1', attempt: 1, seq: i + 1, time: Date.now(), kind: 'event', type: 'tick'.slice(0) + '', id: String(i + 1), lastEventId: '', data: '{"n":' + (i + 1) + ',"pad":"' + 'x'.repeat(64) + '"}', size: 82 })); for (const e of globalThis.__bench) e.lastEventId = e.id; 0`,
  });
  const reference = await heap();
  await worker.send('Runtime.evaluate', { expression: 'delete globalThis.__bench; 0' });
  const per = (bytes: number) => `${Math.round(bytes / ENTRIES)} B/entry`;
  console.log(`service worker JS heap, ${ENTRIES.toLocaleString('en-US')} events of 82 characters of data retained`);
  console.log(`no connection                 ${(empty / 1024 / 1024).toFixed(1)} MiB`);
  console.log(`connection retaining them     ${(full / 1024 / 1024).toFixed(1)} MiB   ${per(full - empty)}`);
  console.log(`after removing it             ${(removed / 1024 / 1024).toFixed(1)} MiB`);
  console.log(`reference: plain objects      ${(reference / 1024 / 1024).toFixed(1)} MiB   ${per(reference - removed)} (same fields, fresh strings)`);
} finally {
  await browser.close();
  await server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
