/**
 * The product in real, headless Chromium beside a reference pipeline built here, on the same local
 * stream, in one run: server -> service worker -> panel store, with the panel opened as a tab and
 * following. The reference (bench/reference-extension.ts) is the least an extension can do: fetch +
 * TextDecoder + eventsource-parser in a service worker, batched over a Port to a page that counts.
 * One browser each, same flags, one after the other, same server. Figures beside the reference and
 * the goal; never pass/fail. Run: npm run bench:chromium
 *
 * Method, per figure (also printed with the results):
 * - events/s into the panel: N events written at once (one write); from the server seeing the
 *   request until the page holds all N. The panel's count is the channel list's "All" total (counted
 *   by the panel store from the entries it holds, not the connection's stats from the background),
 *   read by a MutationObserver after each render; the reference page's is its own counter.
 * - longest task: PerformanceObserver('longtask') in the page from before it loads, whole run.
 * - CPU: utime+stime of every process under this one (the browser and all its children) from
 *   /proc, sampled every 500 ms; at 10 000 events/s: CPU time from the stream's start until all
 *   80 000 events are in the page, over the stream's 8 s; idle: 5 s with the stream open but silent.
 * - latency: the server writes 1 000 events/s, each stamped with the time it was due; an event's
 *   latency is the first time the page's count covered it minus that time (first second skipped).
 * - memory: JS heap used (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage) of the page and
 *   of the service worker (reached through Target.attachToTarget from the page's CDP session),
 *   after the 100 B burst minus before it, per event retained.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, chromiumPath, EXTENSION_DIR, extensionFlags } from '../src/tooling/chromium/chromium.js';
import { buildReferenceExtension, type ReferencePage } from './reference-extension.js';

const BURST_SMALL = { size: 100, n: 90_000 };
const BURST_LARGE = { size: 2048, n: 20_000 };
const STEADY = { size: 100, rate: 10_000, seconds: 8 };
const LATENCY = { size: 100, rate: 1_000, seconds: 6, skipSeconds: 1 };
const IDLE_S = 5;
/** How long a burst may take before the bench gives up on it and says how far it got. */
const BURST_LIMIT_S = { small: 45, large: 30 };
/** After a paced stream ends, how long the page may still take to catch up. */
const CATCH_UP_LIMIT_S = 12;

// ---------------------------------------------------------------------------------------------
// The server: bursts written at once, and paced streams stamped with each event's due time.

/** One event of exactly `size` bytes on the wire. */
function eventText(n: number, t: number, size: number): string {
  const head = `id: ${n}\nevent: tick\ndata: {"n":${n},"t":${t},"p":"`;
  const tail = '"}\n\n';
  return head + 'x'.repeat(Math.max(0, size - head.length - tail.length)) + tail;
}

interface StreamRecord {
  /** When the server saw the request (epoch ms). */
  requestedAt: number;
  /** Paced streams: when event 1 was due; event i is due at t0 + (i - 1) * 1000 / rate. */
  t0: number;
}

interface BenchServer {
  url: string;
  streams: Map<string, StreamRecord>;
  close(): Promise<void>;
}

async function startServer(): Promise<BenchServer> {
  const streams = new Map<string, StreamRecord>();
  const bursts = new Map<string, Buffer>();
  const open = new Set<ServerResponse>();
  const burstBody = (size: number, n: number): Buffer => {
    const key = `${size}:${n}`;
    let body = bursts.get(key);
    if (!body) {
      const t = Date.now();
      const parts: string[] = [];
      for (let i = 1; i <= n; i++) parts.push(eventText(i, t, size));
      bursts.set(key, (body = Buffer.from(parts.join(''), 'latin1')));
    }
    return body;
  };
  // Built before any browser runs, so building costs neither pipeline.
  burstBody(BURST_SMALL.size, BURST_SMALL.n);
  burstBody(BURST_LARGE.size, BURST_LARGE.n);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const param = (name: string) => Number(url.searchParams.get(name));
    const record: StreamRecord = { requestedAt: Date.now(), t0: 0 };
    streams.set(url.searchParams.get('tag') ?? '', record);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    open.add(res);
    let timer: NodeJS.Timeout | null = null;
    res.on('close', () => {
      open.delete(res);
      if (timer) clearTimeout(timer);
    });
    // Every stream stays open (silent) after its last event, so no pipeline reconnects.
    if (url.pathname === '/burst') {
      res.write(burstBody(param('size'), param('n')));
      return;
    }
    const size = param('size');
    const rate = param('rate');
    const total = rate * param('seconds');
    const tickMs = rate >= 2000 ? 10 : 1;
    const t0 = (record.t0 = Date.now());
    let sent = 0;
    const pump = (): void => {
      timer = null;
      if (res.destroyed) return;
      const due = Math.min(total, Math.floor(((Date.now() - t0) * rate) / 1000) + 1);
      let text = '';
      for (; sent < due; sent++) text += eventText(sent + 1, Math.round(t0 + (sent * 1000) / rate), size);
      const ok = text === '' || res.write(text);
      if (sent >= total) return;
      if (ok) timer = setTimeout(pump, tickMs);
      else res.once('drain', pump);
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    streams,
    close: () =>
      new Promise((done) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// CPU of the browser: every process under this one, from /proc.

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function readStat(pid: number): { ppid: number; ticks: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

/** utime+stime (ticks) of every live descendant of this process. */
function browserTicks(): Map<number, number> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) stats.set(Number(name), s);
  }
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  const out = new Map<number, number>();
  const frontier = [...(children.get(process.pid) ?? [])];
  while (frontier.length > 0) {
    const pid = frontier.pop()!;
    out.set(pid, stats.get(pid)!.ticks);
    frontier.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** What a Chromium process is, from its command line: where CPU goes, not only how much. */
function processKind(pid: number): string {
  try {
    // Chromium rewrites its process title, so the arguments may be joined by spaces, not NULs.
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const type = args.find((a) => a.startsWith('--type='))?.slice('--type='.length);
    if (type === undefined) return 'browser';
    if (type === 'renderer') return args.includes('--extension-process') ? 'extension renderer' : 'renderer';
    const sub = args.find((a) => a.startsWith('--utility-sub-type='))?.split('.').at(-2);
    return sub ? `${type} (${sub})` : type;
  } catch {
    return 'exited';
  }
}

/** CPU seconds the browser spends between start() and the returned stop(); sampled so exiting processes still count (to their last sample). */
function cpuWindow(): { stop(): number; processes(): number; byKind(): Map<string, number> } {
  const first = browserTicks();
  const last = new Map(first);
  const kinds = new Map<number, string>();
  const sample = () => {
    for (const [pid, ticks] of browserTicks()) {
      last.set(pid, ticks);
      if (!kinds.has(pid)) kinds.set(pid, processKind(pid));
    }
  };
  const timer = setInterval(sample, 500);
  return {
    stop() {
      clearInterval(timer);
      sample();
      let ticks = 0;
      // A process born inside the window counts from 0; pids are not reused within seconds here.
      for (const [pid, t] of last) ticks += t - (first.get(pid) ?? 0);
      return ticks / CLK_TCK;
    },
    processes: () => last.size,
    /** CPU seconds per kind of process (after stop()). */
    byKind() {
      const out = new Map<string, number>();
      for (const [pid, t] of last) {
        const kind = kinds.get(pid) ?? 'exited';
        out.set(kind, (out.get(kind) ?? 0) + (t - (first.get(pid) ?? 0)) / CLK_TCK);
      }
      return out;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (at most `limitMs`) for the browser to settle below 10% of a core, so leftovers of one phase do not land in the next. */
async function quiesce(limitMs = 6000): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    const w = cpuWindow();
    await sleep(500);
    if (w.stop() / 0.5 < 0.1) return;
  }
}

// ---------------------------------------------------------------------------------------------
// In every page before it loads: long tasks, and (in the panel) the store's event count per render.

interface BenchGlobal {
  /** [epoch ms start, duration ms] */
  longtasks: [number, number][];
  /** [Date.now(), count] whenever the panel's count changed. */
  arrivals: [number, number][];
  count: number;
}

function benchRecorder(): void {
  const b: BenchGlobal = { longtasks: [], arrivals: [], count: 0 };
  (window as unknown as { __bench: BenchGlobal }).__bench = b;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longtasks.push([performance.timeOrigin + e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  if (!location.pathname.endsWith('/panel.html')) return;
  // The channel list's "All" total: events the panel store holds for the selected connection.
  const read = (): void => {
    const el = document.querySelector('[data-testid="channel-all"] .count');
    const n = el ? Number((el.textContent ?? '').replace(/\D/g, '')) : 0;
    if (n !== b.count) {
      b.count = n;
      b.arrivals.push([Date.now(), n]);
    }
  };
  // The document itself: at this point it may have no documentElement yet.
  new MutationObserver(read).observe(document, { subtree: true, childList: true, characterData: true });
}

// ---------------------------------------------------------------------------------------------
// The two pipelines behind one interface.

interface Pipeline {
  name: string;
  context: BrowserContext;
  page: Page;
  version: string;
  connect(url: string): Promise<void>;
  /** Stops the stream and forgets what it retained. */
  stop(): Promise<void>;
  progress(): Promise<{ count: number; arrivals: [number, number][] }>;
  /** JS heap used after GC: the page and the extension's service worker. */
  heap(): Promise<{ page: number; worker: number }>;
  close(): Promise<void>;
}

async function launch(extensionDir: string): Promise<{ context: BrowserContext; extensionId: string; userDataDir: string }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'sse-bench-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    headless: true,
    executablePath: chromiumPath(),
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [...extensionFlags(extensionDir), ...CHROMIUM_FLAGS],
    viewport: { width: 1280, height: 760 },
  });
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
    await context.addInitScript(benchRecorder);
    return { context, extensionId: new URL(worker.url()).host, userDataDir };
  } catch (error) {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Heap of the page, and of the extension's service worker through a non-flattened target session. */
async function heaps(cdp: CDPSession, extensionId: string): Promise<{ page: number; worker: number }> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const page = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  const { targetInfos } = await cdp.send('Target.getTargets');
  const sw = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId}/`));
  if (!sw) return { page, worker: NaN };
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: sw.targetId, flatten: false });
  let next = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  const onMessage = (e: { sessionId?: string; message: string }) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message) as { id?: number; result?: unknown };
    if (m.id !== undefined) waiting.get(m.id)?.(m.result);
  };
  cdp.on('Target.receivedMessageFromTarget', onMessage);
  const call = (method: string) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => reject(new Error(`${method} on the service worker timed out`)), 20_000);
      waiting.set(id, (result) => (clearTimeout(timer), resolve(result)));
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params: {} }) });
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const usage = (await call('Runtime.getHeapUsage')) as { usedSize: number };
    return { page, worker: usage.usedSize };
  } finally {
    cdp.off('Target.receivedMessageFromTarget', onMessage);
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
  }
}

async function productPipeline(): Promise<Pipeline> {
  const { context, extensionId, userDataDir } = await launch(EXTENSION_DIR);
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/panel.html`);
  await page.getByTestId('connect-form').waitFor({ timeout: 20_000 });
  const cdp = await context.newCDPSession(page);
  const items = page.getByTestId('connection-item');
  return {
    name: 'product',
    context,
    page,
    version: context.browser()?.version() ?? '?',
    async connect(url) {
      await page.evaluate(() => {
        const b = (window as unknown as { __bench: BenchGlobal }).__bench;
        b.arrivals = [];
      });
      if (!(await page.getByTestId('connect-form').isVisible())) await page.getByTestId('toggle-form').click();
      await page.getByTestId('url-input').fill(url);
      await page.getByTestId('header-value').first().fill('Bearer bench');
      const before = await items.count();
      await page.getByTestId('connect-button').click();
      await items.nth(before).waitFor({ timeout: 20_000 });
    },
    async stop() {
      const item = items.first();
      if ((await items.count()) === 0) return;
      const disconnect = item.getByTestId('disconnect-button');
      if ((await disconnect.count()) > 0) await disconnect.click();
      await item.getByTestId('remove-button').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="connection-item"]').length === 0, undefined, { timeout: 30_000 });
    },
    progress: () =>
      page.evaluate(() => {
        const b = (window as unknown as { __bench: BenchGlobal }).__bench;
        return { count: b.count, arrivals: b.arrivals };
      }),
    heap: () => heaps(cdp, extensionId),
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

async function referencePipeline(): Promise<Pipeline> {
  const dir = await buildReferenceExtension();
  const { context, extensionId, userDataDir } = await launch(dir);
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/page.html`);
  await page.waitForFunction(() => '__ref' in window, undefined, { timeout: 20_000 });
  const cdp = await context.newCDPSession(page);
  return {
    name: 'reference',
    context,
    page,
    version: context.browser()?.version() ?? '?',
    async connect(url) {
      await page.evaluate((u) => (window as unknown as { __ref: ReferencePage }).__ref.start(u), url);
    },
    async stop() {
      await page.evaluate(() => (window as unknown as { __ref: ReferencePage }).__ref.stop());
    },
    progress: () =>
      page.evaluate(() => {
        const r = (window as unknown as { __ref: ReferencePage }).__ref;
        return { count: r.count, arrivals: r.arrivals };
      }),
    heap: () => heaps(cdp, extensionId),
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The measurements.

interface Results {
  small: Burst | null;
  large: Burst | null;
  steady: { cpuPct: number; lagMs: number; done: boolean; got: number } | null;
  idlePct: number | null;
  latency: { p50: number; p99: number; got: number; done: boolean; interval: number; batch: number } | null;
  memory: { perEntry: number; page: number; worker: number } | null;
  longest: { max: number; over50: number; perPhase: Map<string, number> } | null;
  /** Browser processes seen in the 10k/s CPU window. */
  processes: number;
  /** The 10k/s CPU split by kind of process, % of one core. */
  cpuByKind: string;
  /** Why the run stopped early, if it did. */
  error: string | null;
}

const emptyResults = (): Results => ({ small: null, large: null, steady: null, idlePct: null, latency: null, memory: null, longest: null, processes: 0, cpuByKind: '', error: null });

interface Burst {
  n: number;
  got: number;
  ms: number;
  done: boolean;
}

let tagNo = 0;
const nextTag = () => `s${++tagNo}`;

/** Polls the page until it holds `n` events or `limitS` passes; the arrival time comes from the page's own record. */
async function waitForCount(p: Pipeline, n: number, limitS: number): Promise<{ done: boolean; got: number; at: number; arrivals: [number, number][] }> {
  const until = Date.now() + limitS * 1000;
  for (;;) {
    const { count, arrivals } = await p.progress();
    if (count >= n) return { done: true, got: count, at: arrivals.find(([, c]) => c >= n)?.[0] ?? Date.now(), arrivals };
    if (Date.now() > until) return { done: false, got: count, at: Date.now(), arrivals };
    await sleep(100);
  }
}

async function burst(p: Pipeline, server: BenchServer, spec: { size: number; n: number }, limitS: number): Promise<Burst> {
  const tag = nextTag();
  await p.connect(`${server.url}/burst?size=${spec.size}&n=${spec.n}&tag=${tag}`);
  const r = await waitForCount(p, spec.n, limitS);
  const start = server.streams.get(tag)?.requestedAt ?? r.at;
  return { n: spec.n, got: r.got, ms: r.at - start, done: r.done };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Fills `results` as it goes, so a failure part-way still leaves the figures measured before it. */
async function run(p: Pipeline, server: BenchServer, results: Results): Promise<void> {
  const phases: [string, number][] = [];
  const mark = (name: string) => phases.push([name, Date.now()]);
  try {
    await measure(p, server, results, mark);
  } finally {
    const longtasks = await p.page.evaluate(() => (window as unknown as { __bench: BenchGlobal }).__bench.longtasks).catch(() => []);
    const perPhase = new Map<string, number>();
    for (const [start, duration] of longtasks) {
      const phase = [...phases].reverse().find(([, at]) => at <= start)?.[0] ?? 'panel load';
      perPhase.set(phase, Math.max(perPhase.get(phase) ?? 0, duration));
    }
    results.longest = { max: Math.max(0, ...longtasks.map(([, d]) => d)), over50: longtasks.filter(([, d]) => d > 50).length, perPhase };
  }
}

async function measure(p: Pipeline, server: BenchServer, results: Results, mark: (phase: string) => void): Promise<void> {
  await quiesce();

  // 100 B burst, and memory per retained entry around it.
  const before = await p.heap();
  mark('100 B burst');
  results.small = await burst(p, server, BURST_SMALL, BURST_LIMIT_S.small);
  if (results.small.done) {
    await quiesce();
    const after = await p.heap();
    const page = after.page - before.page;
    const worker = after.worker - before.worker;
    results.memory = { page: page / BURST_SMALL.n, worker: worker / BURST_SMALL.n, perEntry: (page + worker) / BURST_SMALL.n };
  } else results.memory = null;
  mark('stop');
  await p.stop();
  await quiesce();

  mark('2 KB burst');
  results.large = await burst(p, server, BURST_LARGE, BURST_LIMIT_S.large);
  mark('stop');
  await p.stop();
  await quiesce();

  // 10 000 events/s for 8 s, then idle with the stream open and silent.
  mark('10k/s stream');
  const steadyTag = nextTag();
  const steadyN = STEADY.rate * STEADY.seconds;
  const cpu = cpuWindow();
  await p.connect(`${server.url}/rate?size=${STEADY.size}&rate=${STEADY.rate}&seconds=${STEADY.seconds}&tag=${steadyTag}`);
  const t0 = server.streams.get(steadyTag)?.t0 ?? Date.now();
  await sleep(Math.max(0, t0 + STEADY.seconds * 1000 - Date.now()));
  const steady = await waitForCount(p, steadyN, CATCH_UP_LIMIT_S);
  const cpuSeconds = cpu.stop();
  results.processes = cpu.processes();
  results.cpuByKind = [...cpu.byKind()].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]).map(([kind, s]) => `${kind} ${((s / STEADY.seconds) * 100).toFixed(0)}%`).join(', ');
  results.steady = { cpuPct: (cpuSeconds / STEADY.seconds) * 100, lagMs: Math.max(0, steady.at - (t0 + STEADY.seconds * 1000)), done: steady.done, got: steady.got };
  mark('idle');
  await sleep(1000);
  const idle = cpuWindow();
  await sleep(IDLE_S * 1000);
  results.idlePct = (idle.stop() / IDLE_S) * 100;
  mark('stop');
  await p.stop();
  await quiesce();

  // Latency at 1 000 events/s.
  mark('1k/s stream');
  const latencyTag = nextTag();
  const latencyN = LATENCY.rate * LATENCY.seconds;
  await p.connect(`${server.url}/rate?size=${LATENCY.size}&rate=${LATENCY.rate}&seconds=${LATENCY.seconds}&tag=${latencyTag}`);
  const lt0 = server.streams.get(latencyTag)?.t0 ?? Date.now();
  await sleep(Math.max(0, lt0 + LATENCY.seconds * 1000 - Date.now()));
  const lat = await waitForCount(p, latencyN, CATCH_UP_LIMIT_S);
  const latencies: number[] = [];
  let a = 0;
  for (let i = LATENCY.rate * LATENCY.skipSeconds + 1; i <= lat.got; i++) {
    while (a < lat.arrivals.length && lat.arrivals[a]![1] < i) a++;
    if (a >= lat.arrivals.length) break;
    latencies.push(lat.arrivals[a]![0] - (lt0 + ((i - 1) * 1000) / LATENCY.rate));
  }
  latencies.sort((x, y) => x - y);
  // How the events came: the median gap between the page's updates, and events per update.
  const steps = lat.arrivals.slice(1).map(([t, c], k) => [t - lat.arrivals[k]![0], c - lat.arrivals[k]![1]] as const);
  const median = (xs: number[]) => (xs.length > 0 ? percentile([...xs].sort((x, y) => x - y), 0.5) : NaN);
  results.latency =
    latencies.length > 0
      ? { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), got: lat.got, done: lat.done, interval: median(steps.map(([dt]) => dt)), batch: median(steps.map(([, dc]) => dc)) }
      : null;
  mark('stop');
  await p.stop();
}

// ---------------------------------------------------------------------------------------------
// Printing.

const int = (x: number) => Math.round(x).toLocaleString('en-US');

function burstText(b: Burst | null): string {
  if (!b) return '—';
  if (!b.done) return `did not finish in ${int(b.ms / 1000)} s: ${int(b.got)} of ${int(b.n)} events`;
  return `${int(b.n / (b.ms / 1000))}/s (${(b.ms / 1000).toFixed(2)} s)`;
}

function longestText(r: Results): string {
  return r.longest ? `${int(r.longest.max)} ms (${r.longest.over50})` : '—';
}

function kb(bytes: number): string {
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(2)} KB` : `${Math.round(bytes)} B`;
}

function print(product: Results, reference: Results, env: string[]): void {
  const rows: [string, string, string, string][] = [
    [`${int(BURST_SMALL.n)} × 100 B at once: events/s into the page`, burstText(product.small), burstText(reference.small), '≥ 250,000/s'],
    [`${int(BURST_LARGE.n)} × 2 KB at once: events/s into the page`, burstText(product.large), burstText(reference.large), '≥ 25,000/s'],
    ['longest task in the page (count over 50 ms)', longestText(product), longestText(reference), 'no task over 50 ms'],
    [
      '10,000 × 100 B events/s for 8 s: CPU, % of one core',
      product.steady ? `${product.steady.cpuPct.toFixed(0)}%${product.steady.done ? '' : ` (did not finish: ${int(product.steady.got)} of ${int(STEADY.rate * STEADY.seconds)})`}${product.steady.lagMs > 100 ? `, last event ${(product.steady.lagMs / 1000).toFixed(1)} s late` : ''}` : '—',
      reference.steady ? `${reference.steady.cpuPct.toFixed(0)}%` : '—',
      product.steady && reference.steady ? `≤ 2× reference (now ${(product.steady.cpuPct / reference.steady.cpuPct).toFixed(1)}×)` : '≤ 2× reference',
    ],
    ['idle, stream open and silent: CPU, % of one core', product.idlePct === null ? '—' : `${product.idlePct.toFixed(1)}%`, reference.idlePct === null ? '—' : `${reference.idlePct.toFixed(1)}%`, 'about 0'],
    [
      'latency server → page at 1,000/s: p50 / p99',
      product.latency ? `${int(product.latency.p50)} / ${int(product.latency.p99)} ms${product.latency.done ? '' : ` (only ${int(product.latency.got)} events arrived)`}` : '—',
      reference.latency ? `${int(reference.latency.p50)} / ${int(reference.latency.p99)} ms` : '—',
      'p50 < 20 ms, p99 < 50 ms',
    ],
    [
      'JS heap per retained 100 B event (worker + page)',
      product.memory ? `${kb(product.memory.perEntry)} (${kb(product.memory.worker)} + ${kb(product.memory.page)})` : '— (burst did not finish)',
      reference.memory ? `${kb(reference.memory.perEntry)} (${kb(reference.memory.worker)} + ${kb(reference.memory.page)})` : '—',
      '< 1 KB',
    ],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['figure', 'product', 'reference', 'goal'][i]!.length));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  console.log();
  for (const e of env) console.log(e);
  console.log();
  console.log(line(['figure', 'product', 'reference', 'goal']));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
  const phaseText = (r: Results) => [...(r.longest?.perPhase ?? [])].map(([k, v]) => `${k} ${int(v)} ms`).join(', ') || 'none';
  console.log();
  console.log(`longest task per phase: product: ${phaseText(product)}; reference: ${phaseText(reference)}`);
  const cadence = (r: Results) => (r.latency ? `every ${int(r.latency.interval)} ms, ${int(r.latency.batch)} events each` : '—');
  console.log(`page updates at 1,000/s (medians): product ${cadence(product)}; reference ${cadence(reference)}`);
  console.log(`browser processes counted for CPU: product ${product.processes}, reference ${reference.processes}`);
  console.log(`CPU at 10,000 events/s by process: product ${product.cpuByKind || '—'}; reference ${reference.cpuByKind || '—'}`);
  for (const [name, r] of [['product', product], ['reference', reference]] as const) {
    if (r.error) console.log(`${name} stopped early: ${r.error}`);
  }
}

const server = await startServer();
const env = [
  `real Chromium (headless), panel opened as a tab and following, vs reference extension; same server, same flags, one after the other`,
  `machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start; Node ${process.version}`,
];
const results: Results[] = [];
// The whole run is bounded: past this, print what was measured and stop.
const WATCHDOG_S = 300;
setTimeout(() => {
  const r = results.at(-1);
  if (r) r.error = `the bench gave up after ${WATCHDOG_S} s`;
  print(results[0] ?? emptyResults(), results[1] ?? emptyResults(), env);
  process.exit(1);
}, WATCHDOG_S * 1000).unref();
for (const make of [productPipeline, referencePipeline]) {
  const r = emptyResults();
  results.push(r);
  let p: Pipeline | null = null;
  try {
    p = await make();
    if (results.length === 1) env.push(`Chromium ${p.version}`);
    console.log(`running ${p.name}…`);
    await run(p, server, r);
  } catch (error) {
    r.error = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  } finally {
    await p?.close().catch(() => undefined);
  }
}
await server.close();
print(results[0]!, results[1]!, env);
