/**
 * Lenses are incremental: an entry costs the same at the start of a long answer as at its end, and
 * summary() (read after every batch of 100 entries, as the panel does) costs per change, not per
 * history. An OpenAI Chat Completions and an Anthropic stream of 100 000 deltas go through the
 * fold; every figure is a ratio to a reference measured in the same run (JSON.parse of the same
 * event data, the least any lens must do per event). Figures, not pass/fail.
 * Run: npm run build && node dist/bench/lenses.js
 */
import { performance } from 'node:perf_hooks';
import { anthropicLens } from '../src/core/lenses/anthropic.js';
import type { Lens } from '../src/core/lenses/lens.js';
import { openaiChatLens } from '../src/core/lenses/openai-chat.js';
import type { TimelineEntry } from '../src/core/timeline.js';

const DELTAS = 100_000;
const BATCH = 100;
const WINDOW = 1000;
const ROUNDS = 5;
const URL_OF = { 'openai-chat': 'https://api.openai.com/v1/chat/completions', anthropic: 'https://api.anthropic.com/v1/messages' } as const;

function stream(name: keyof typeof URL_OF): TimelineEntry[] {
  const url = URL_OF[name];
  let seq = 1;
  let time = 1_800_000_000_000;
  const entries: TimelineEntry[] = [];
  const add = (body: Record<string, unknown>): void => {
    entries.push({ connectionId: 'c1', attempt: 1, seq: seq++, time: (time += 7), ...body } as TimelineEntry);
  };
  const event = (type: string, data: unknown): void => {
    const text = JSON.stringify(data);
    add({ kind: 'event', type, id: null, lastEventId: '', data: text, size: text.length });
  };
  add({ kind: 'attempt-started', method: 'POST', url, headers: [], lastEventId: null, lastEventIdVia: 'none' });
  add({ kind: 'response', status: 200, statusText: 'OK', url, redirected: false, headers: [['content-type', 'text/event-stream']], timeToHeadersMs: 5 });
  if (name === 'anthropic') {
    event('message_start', { type: 'message_start', message: { id: 'msg_bench', role: 'assistant', usage: { input_tokens: 10, output_tokens: 1 } } });
    event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  }
  for (let i = 0; i < DELTAS; i++) {
    const token = ` tok${i % 997}`;
    if (name === 'openai-chat') event('message', { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: token }, finish_reason: null }] });
    else event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: token } });
  }
  return entries;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Round {
  /** ms per entry over the first and the last WINDOW deltas (adds and the summaries read among them). */
  first: number;
  last: number;
  /** ms per summary() read right after a batch, at a history of ~WINDOW entries and at the end. */
  summaryEarly: number;
  summaryMid: number;
  summaryLate: number;
  /** The same batch's adds, ms per entry, early and late: what a summary is compared to. */
  parseEarly: number;
  parseLate: number;
}

function round(lens: Lens, entries: readonly TimelineEntry[]): Round {
  const fold = lens.create();
  const n = entries.length;
  const firstEnd = Math.min(n, WINDOW + 4);
  const lastStart = n - WINDOW;
  let t0 = 0;
  let first = NaN;
  let last = NaN;
  const summaryTimes: { at: number; ms: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (i === 0) t0 = performance.now();
    if (i === lastStart) t0 = performance.now();
    fold.add(entries[i] as TimelineEntry);
    if ((i + 1) % BATCH === 0) {
      const s0 = performance.now();
      fold.summary();
      summaryTimes.push({ at: i + 1, ms: performance.now() - s0 });
    }
    if (i + 1 === firstEnd) first = (performance.now() - t0) / firstEnd;
  }
  last = (performance.now() - t0) / (n - lastStart);
  const early = summaryTimes.filter((x) => x.at <= WINDOW * 2).map((x) => x.ms);
  const mid = summaryTimes.filter((x) => x.at > 10_000 && x.at <= 12_000).map((x) => x.ms);
  const late = summaryTimes.slice(-20).map((x) => x.ms);
  // The reference: parsing the same event data, the least a lens does per event.
  const parse = (from: number, to: number): number => {
    const p0 = performance.now();
    for (let i = from; i < to; i++) {
      const e = entries[i];
      if (e?.kind === 'event') JSON.parse(e.data);
    }
    return (performance.now() - p0) / (to - from);
  };
  return { first, last, summaryEarly: median(early), summaryMid: median(mid), summaryLate: median(late), parseEarly: parse(0, firstEnd), parseLate: parse(lastStart, n) };
}

console.log(`lenses: ${DELTAS.toLocaleString('en')} deltas per stream, summary() after every ${BATCH} entries, median of ${ROUNDS} rounds after a warm-up`);
console.log("lens        | per entry, first 1000 | per entry, last 1000 | last/first | summary() at ~1k entries, as a share of its batch's parse | at ~10k | at 100k");
for (const lens of [openaiChatLens, anthropicLens]) {
  const entries = stream(lens.name as keyof typeof URL_OF);
  round(lens, entries);
  const rounds = Array.from({ length: ROUNDS }, () => round(lens, entries));
  const m = (k: keyof Round): number => median(rounds.map((r) => r[k]));
  const first = m('first') / m('parseEarly');
  const last = m('last') / m('parseLate');
  // A summary per batch, as a share of that batch's JSON.parse: what reading it adds per entry.
  const early = m('summaryEarly') / (m('parseEarly') * BATCH);
  const mid = m('summaryMid') / (m('parseLate') * BATCH);
  const late = m('summaryLate') / (m('parseLate') * BATCH);
  console.log(
    `${lens.name.padEnd(11)} | ${`${first.toFixed(2)}× JSON.parse`.padEnd(21)} | ${`${last.toFixed(2)}× JSON.parse`.padEnd(20)} | ${`${(last / first).toFixed(2)}`.padEnd(10)} | ${`${early.toFixed(3)}×`.padEnd(57)} | ${`${mid.toFixed(3)}×`.padEnd(7)} | ${late.toFixed(3)}×`,
  );
}
