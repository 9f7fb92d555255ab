/**
 * The OpenAI lenses (Chat Completions and Responses) and the registry that picks one: fixtures built
 * from the public API references (docs/lenses.md), parsed by the same SSE parser as the engine, fed
 * as the timeline entries an engine writes. Cut streams are made by ending the attempt after every
 * prefix of a complete fixture, so every kind of boundary is covered.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { createParser } from 'eventsource-parser';
import { tokensPerSecond } from '../../src/core/lenses/assembly.js';
import { LENS_LIMITS, type Lens, type LensSummary } from '../../src/core/lenses/lens.js';
import { openaiChatLens } from '../../src/core/lenses/openai-chat.js';
import { openaiResponsesLens } from '../../src/core/lenses/openai-responses.js';
import { detectLens, LENSES, lensByName } from '../../src/core/lenses/registry.js';
import type { EntryBody, TimelineEntry } from '../../src/core/timeline.js';
import { entryLog } from '../helpers/entries.js';

type EventBody = Extract<EntryBody, { kind: 'event' }>;

/** A fixture's events, as the engine's parser reads them. */
function fixture(name: string): EventBody[] {
  const events: EventBody[] = [];
  const parser = createParser({
    onEvent(e) {
      events.push({ kind: 'event', type: e.event ?? 'message', id: e.id ?? null, lastEventId: e.id ?? '', data: e.data, size: Buffer.byteLength(e.data) });
    },
  });
  parser.feed(readFileSync(resolve('test/fixtures/lenses', name), 'utf8'));
  return events;
}

/** Entries as an engine writes them, with an LLM POST's start and end. */
function timeline() {
  const t = {
    ...entryLog(),
    start(attempt: number, url: string, status = 200): void {
      t.add(attempt, { kind: 'attempt-started', method: 'POST', url, headers: [['authorization', 'Bearer •••']], lastEventId: null, lastEventIdVia: 'none' }, 0);
      t.add(attempt, { kind: 'response', status, statusText: 'OK', url, redirected: false, headers: [['content-type', 'text/event-stream']], timeToHeadersMs: 300 }, 300);
    },
    end(attempt: number): void {
      t.add(attempt, { kind: 'attempt-ended', reason: 'closed-by-server', status: null, detail: 'the server ended the response', durationMs: 1000, bytes: 1000, events: 1 });
    },
  };
  return t;
}

const CHAT_URL = 'https://api.openai.com/v1/chat/completions';
const RESPONSES_URL = 'https://api.openai.com/v1/responses';

function stream(url: string, events: readonly EventBody[], ended = true) {
  const t = timeline();
  t.start(1, url);
  for (const e of events) t.add(1, e);
  if (ended) t.end(1);
  return t;
}

function fold(lens: Lens, entries: readonly TimelineEntry[]): LensSummary {
  const f = lens.create();
  for (const e of entries) f.add(e);
  return f.summary();
}

const codes = (s: LensSummary): string[] => s.findings.map((f) => f.code);
const part = (s: LensSummary, key: string) => {
  const p = s.messages.flatMap((m) => m.parts).find((x) => x.key === key);
  assert.ok(p, `part "${key}" in ${JSON.stringify(s.messages.flatMap((m) => m.parts.map((x) => x.key)))}`);
  return p;
};

/** Every character of a part was written by one of its spans, in order, by events that exist. */
function assertSpansCover(s: LensSummary, entries: readonly TimelineEntry[]): void {
  const events = new Map(entries.filter((e) => e.kind === 'event').map((e) => [e.seq, e]));
  for (const p of s.messages.flatMap((m) => m.parts)) {
    const length = (p.tool?.arguments ?? p.text).length;
    let at = 0;
    for (const span of p.spans) {
      assert.equal(span.from, at, `${p.key}: spans are contiguous`);
      assert.ok(events.has(span.seq), `${p.key}: span points at an event`);
      at = span.to;
    }
    assert.equal(at, length, `${p.key}: spans cover the text`);
  }
}

describe('the OpenAI Chat Completions lens', () => {
  test('a complete stream: the assembled answer, stop reason, usage, [DONE], no finding', () => {
    const t = stream(CHAT_URL, fixture('openai-chat-complete.sse'));
    const s = fold(openaiChatLens, t.entries);
    assert.equal(s.messages.length, 1);
    assert.equal(s.messages[0]?.role, 'assistant');
    assert.equal(s.messages[0]?.stopReason, 'stop');
    assert.equal(part(s, 'choice 0 text').text, 'Bonjour, Zürich 🌍!');
    assert.equal(part(s, 'choice 0 text').done, true);
    assert.equal(s.terminal, true);
    assert.deepEqual(s.findings, []);
    assert.equal(s.unread, 0);
    assert.equal(s.usage?.inputTokens, 19);
    assert.equal(s.usage?.outputTokens, 10);
    assert.equal(s.usage?.totalTokens, 29);
    assert.ok(s.usage?.other.some(([name, n]) => name === 'completion_tokens_details.reasoning_tokens' && n === 0));
    assertSpansCover(s, t.entries);
  });

  test('time to first token is the first content, not the role-only chunk; spans link text to its events', () => {
    const t = stream(CHAT_URL, fixture('openai-chat-complete.sse'));
    const s = fold(openaiChatLens, t.entries);
    const events = t.entries.filter((e) => e.kind === 'event');
    assert.equal(s.timing.startedAt, t.entries[0]?.time);
    assert.equal(s.timing.firstTokenAt, events[1]?.time, 'the role chunk (content "") is not a token');
    assert.equal(s.timing.endedAt, events.at(-1)?.time, '[DONE] ends it');
    assert.equal(s.timing.gaps.length, 3, 'four content deltas, three gaps');
    const p = part(s, 'choice 0 text');
    assert.deepEqual(p.spans.map((x) => p.text.slice(x.from, x.to)), ['Bonjour', ', Zü', 'rich 🌍', '!']);
    assert.deepEqual(p.spans.map((x) => x.seq), events.slice(1, 5).map((e) => e.seq));
    const tps = tokensPerSecond(s);
    assert.ok(tps !== null && tps > 0, 'tokens/s from usage');
  });

  test('tokens per second is unknown without usage: chunks are not tokens', () => {
    const events = fixture('openai-chat-complete.sse').filter((e) => !e.data.includes('"usage"'));
    const s = fold(openaiChatLens, stream(CHAT_URL, events).entries);
    assert.equal(s.usage, null);
    assert.equal(tokensPerSecond(s), null);
  });

  test('parallel tool calls: id and name first, argument fragments concatenated per index, JSON split mid-escape parses', () => {
    const t = stream(CHAT_URL, fixture('openai-chat-parallel-tools.sse'));
    const s = fold(openaiChatLens, t.entries);
    const a = part(s, 'choice 0 tool 0');
    const b = part(s, 'choice 0 tool 1');
    assert.deepEqual([a.tool?.id, a.tool?.name, b.tool?.id, b.tool?.name], ['call_zrh', 'get_weather', 'call_par', 'get_weather']);
    assert.deepEqual(a.tool?.parsed, { ok: true, value: { city: 'Zürich', note: 'say "hi"' } });
    assert.deepEqual(b.tool?.parsed, { ok: true, value: { city: 'Paris' } });
    assert.equal(s.messages[0]?.stopReason, 'tool_calls');
    assert.equal(s.terminal, true);
    assert.deepEqual(s.findings, []);
    assert.equal(s.timing.firstTokenAt, t.entries.find((e) => e.kind === 'event')?.time, 'a tool call name is the first token');
    assertSpansCover(s, t.entries);
  });

  test('n > 1: each choice is its own message with its own text and stop reason', () => {
    const s = fold(openaiChatLens, stream(CHAT_URL, fixture('openai-chat-multi-choice.sse')).entries);
    assert.deepEqual(s.messages.map((m) => [m.key, m.stopReason]), [['choice 0', 'stop'], ['choice 1', 'length']]);
    assert.equal(part(s, 'choice 0 text').text, 'Red sun');
    assert.equal(part(s, 'choice 1 text').text, 'Blue sky');
    assert.equal(s.usage?.outputTokens, 4);
    assert.deepEqual(s.findings, []);
  });

  test("Azure's first chunk with empty choices and prompt_filter_results is read, not counted as unknown", () => {
    const t = stream('https://x.openai.azure.com/openai/deployments/chat/chat/completions?api-version=2024-10-21', fixture('openai-chat-azure.sse'));
    const s = fold(openaiChatLens, t.entries);
    assert.equal(part(s, 'choice 0 text').text, 'A private endpoint.');
    assert.equal(s.unread, 0);
    assert.equal(s.terminal, true);
    assert.deepEqual(s.findings, []);
    assert.equal(detectLens(t.entries)?.name, 'openai-chat', 'the empty first chunk does not hide the format');
  });

  test('an error object after a 200 is said loudly, and the text so far is kept', () => {
    const s = fold(openaiChatLens, stream(CHAT_URL, fixture('openai-chat-error-after-200.sse')).entries);
    assert.equal(part(s, 'choice 0 text').text, 'The answer is');
    const error = s.findings.find((f) => f.code === 'error-after-200');
    assert.ok(error);
    assert.equal(error.severity, 'error');
    assert.match(error.message, /The server had an error/);
    assert.ok(!codes(s).includes('no-terminal'), 'the error says why the terminal is missing: one finding, not two');
    assert.equal(s.terminal, false);
  });

  test('a refusal is a part of its own, apart from the answer', () => {
    const s = fold(openaiChatLens, stream(CHAT_URL, fixture('openai-chat-refusal.sse')).entries);
    const p = part(s, 'choice 0 refusal');
    assert.equal(p.kind, 'refusal');
    assert.equal(p.text, "I'm sorry, I can't help with that.");
    assert.equal(s.messages[0]?.parts.length, 1, 'no empty text part');
  });

  for (const name of ['openai-chat-complete.sse', 'openai-chat-parallel-tools.sse', 'openai-chat-multi-choice.sse']) {
    test(`${name} cut after every event: no-terminal unless [DONE] came; truncated-tool-json exactly when arguments were cut`, () => {
      const events = fixture(name);
      for (let k = 1; k <= events.length; k++) {
        const s = fold(openaiChatLens, stream(CHAT_URL, events.slice(0, k)).entries);
        const complete = k === events.length;
        assert.equal(s.terminal, complete, `cut after ${k}`);
        assert.equal(codes(s).includes('no-terminal'), !complete, `cut after ${k}: ${JSON.stringify(s.findings)}`);
        const cutTools = s.messages.flatMap((m) => m.parts).filter((p) => p.tool !== null && !isJson(p.tool.arguments));
        assert.equal(codes(s).filter((c) => c === 'truncated-tool-json').length, cutTools.length, `cut after ${k}: ${JSON.stringify(s.findings)}`);
      }
    });
  }

  test("a reconnect answered 204 (the server's \"do not reconnect\") is not an answer cut short", () => {
    const t = stream(CHAT_URL, fixture('openai-chat-complete.sse'));
    t.start(2, CHAT_URL, 204);
    t.end(2);
    assert.deepEqual(codes(fold(openaiChatLens, t.entries)), []);
  });

  test('a stream still open has no no-terminal finding yet, and a tool call still growing is not an error yet', () => {
    const events = fixture('openai-chat-parallel-tools.sse');
    const s = fold(openaiChatLens, stream(CHAT_URL, events.slice(0, 4), false).entries);
    assert.deepEqual(s.findings, []);
    assert.equal(part(s, 'choice 0 tool 0').tool?.parsed, null);
  });

  test('a reconnect in the middle of the answer is flagged; the new attempt is a new answer, kept apart', () => {
    const events = fixture('openai-chat-complete.sse');
    const t = timeline();
    t.start(1, CHAT_URL);
    for (const e of events.slice(0, 3)) t.add(1, e);
    t.end(1);
    t.start(2, CHAT_URL);
    const restart = t.entries.at(-2);
    for (const e of events) t.add(2, e);
    t.end(2);
    const s = fold(openaiChatLens, t.entries);
    const finding = s.findings.find((f) => f.code === 'reconnect-mid-message');
    assert.ok(finding);
    assert.equal(finding.seq, restart?.seq);
    assert.equal(part(s, 'choice 0 text').text, 'Bonjour, Zü');
    assert.equal(part(s, 'attempt 2 · choice 0 text').text, 'Bonjour, Zürich 🌍!');
    assert.equal(s.terminal, true, 'the last attempt ended with [DONE]');
    assert.deepEqual(s.findings.filter((f) => f.code === 'no-terminal').map((f) => f.seq), [t.entries.find((e) => e.kind === 'attempt-ended')?.seq], 'the first attempt, not the second');
  });

  test('a reconnect after [DONE] is not mid-message', () => {
    const events = fixture('openai-chat-complete.sse');
    const t = stream(CHAT_URL, events);
    t.start(2, CHAT_URL);
    const s = fold(openaiChatLens, t.entries);
    assert.deepEqual(s.findings, []);
  });

  test('hostile data: not JSON, not objects, wrong types: counted as unread, never a throw', () => {
    const t = timeline();
    t.start(1, CHAT_URL);
    for (const data of ['not json', '[1,2]', 'null', '{"choices":"x"}', '{"choices":[{"index":"0","delta":{"content":5,"tool_calls":[null,{"function":7}]}}]}']) {
      t.add(1, { kind: 'event', type: 'message', id: null, lastEventId: '', data, size: data.length });
    }
    t.end(1);
    const s = fold(openaiChatLens, t.entries);
    assert.equal(s.unread, 4);
    assert.ok(codes(s).includes('no-terminal'));
  });

  test('bounded: a part past its character cap and a stream naming too many choices are capped, and say so', () => {
    const t = timeline();
    t.start(1, CHAT_URL);
    const big = 'x'.repeat(LENS_LIMITS.partChars - 3);
    for (const content of [big, 'abcdef']) {
      const data = JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] });
      t.add(1, { kind: 'event', type: 'message', id: null, lastEventId: '', data, size: data.length });
    }
    const choices = Array.from({ length: LENS_LIMITS.partsPerSummary + 50 }, (_, i) => ({ index: i + 1, delta: { content: 'y' } }));
    const data = JSON.stringify({ object: 'chat.completion.chunk', choices });
    t.add(1, { kind: 'event', type: 'message', id: null, lastEventId: '', data, size: data.length });
    const s = fold(openaiChatLens, t.entries);
    assert.equal(part(s, 'choice 0 text').text.length, LENS_LIMITS.partChars);
    assert.ok(part(s, 'choice 0 text').text.endsWith('xxxabc'));
    assert.ok(codes(s).includes('part-capped'));
    assert.ok(codes(s).includes('parts-capped'));
    assert.ok(s.messages.flatMap((m) => m.parts).length <= LENS_LIMITS.partsPerSummary);
    assert.ok(s.messages.length <= LENS_LIMITS.partsPerSummary);
  });

  test('a summary is a copy: later deltas do not change one already read', () => {
    const events = fixture('openai-chat-complete.sse');
    const t = stream(CHAT_URL, events, false);
    const f = openaiChatLens.create();
    for (const e of t.entries.slice(0, 4)) f.add(e);
    const before = f.summary();
    const text = part(before, 'choice 0 text').text;
    const spans = part(before, 'choice 0 text').spans.length;
    for (const e of t.entries.slice(4)) f.add(e);
    assert.equal(part(before, 'choice 0 text').text, text);
    assert.equal(part(before, 'choice 0 text').spans.length, spans);
  });
});

describe('the OpenAI Responses lens', () => {
  test('a complete stream: reasoning, a function call and the answer, each assembled; usage from response.completed', () => {
    const t = stream(RESPONSES_URL, fixture('openai-responses-complete.sse'));
    const s = fold(openaiResponsesLens, t.entries);
    assert.deepEqual(s.messages.map((m) => m.key), ['reasoning rs_1', 'function_call fc_1', 'message msg_1']);
    const reasoning = part(s, 'item rs_1 reasoning 0');
    assert.equal(reasoning.kind, 'reasoning');
    assert.equal(reasoning.text, 'Checking the weather.');
    const call = part(s, 'item fc_1');
    assert.deepEqual([call.tool?.id, call.tool?.name, call.tool?.parsed], ['call_zrh', 'get_weather', { ok: true, value: { city: 'Zürich' } }]);
    assert.equal(part(s, 'item msg_1 text 0').text, 'It is sunny in Zürich.');
    assert.ok(s.messages.flatMap((m) => m.parts).every((p) => p.done));
    assert.equal(s.terminal, true);
    assert.deepEqual(s.findings, []);
    assert.equal(s.unread, 0);
    assert.deepEqual([s.usage?.inputTokens, s.usage?.outputTokens, s.usage?.totalTokens], [52, 37, 89]);
    assert.ok(s.usage?.other.some(([name, n]) => name === 'output_tokens_details.reasoning_tokens' && n === 12));
    const events = t.entries.filter((e) => e.kind === 'event');
    assert.equal(s.timing.firstTokenAt, events[4]?.time, 'created, in_progress and item/part added are not tokens');
    assert.equal(s.timing.endedAt, events.at(-1)?.time);
    assertSpansCover(s, t.entries);
  });

  test('parallel function calls: arguments keyed by item, interleaved deltas assembled apart', () => {
    const s = fold(openaiResponsesLens, stream(RESPONSES_URL, fixture('openai-responses-parallel-tools.sse')).entries);
    assert.deepEqual(part(s, 'item fc_a').tool?.parsed, { ok: true, value: { city: 'Paris "15e"' } });
    assert.deepEqual(part(s, 'item fc_b').tool?.parsed, { ok: true, value: { tz: 'Europe/Paris' } });
    assert.equal(part(s, 'item fc_b').tool?.name, 'get_time');
    assert.deepEqual(s.findings, []);
  });

  test('response.failed after a 200 is an error-after-200 with its message; the text so far is kept', () => {
    const s = fold(openaiResponsesLens, stream(RESPONSES_URL, fixture('openai-responses-failed.sse')).entries);
    assert.equal(part(s, 'item msg_f text 0').text, 'Partial');
    const f = s.findings.find((x) => x.code === 'error-after-200');
    assert.match(f?.message ?? '', /failed to generate/);
    assert.equal(s.terminal, true, 'response.failed is a terminal event');
  });

  test('an error event mid-stream is an error-after-200, not also a missing terminal', () => {
    const s = fold(openaiResponsesLens, stream(RESPONSES_URL, fixture('openai-responses-error-event.sse')).entries);
    assert.deepEqual(codes(s), ['error-after-200']);
    assert.match(s.findings[0]?.message ?? '', /Rate limit/);
    assert.equal(part(s, 'item msg_e text 0').text, 'Hel');
  });

  test('refusal deltas make a refusal part; response.incomplete ends the stream with its reason', () => {
    const s = fold(openaiResponsesLens, stream(RESPONSES_URL, fixture('openai-responses-refusal-incomplete.sse')).entries);
    const p = part(s, 'item msg_r refusal 0');
    assert.equal(p.kind, 'refusal');
    assert.equal(p.text, "I can't help with that.");
    assert.equal(s.terminal, true);
    assert.deepEqual(codes(s), ['incomplete']);
    assert.match(s.findings[0]?.message ?? '', /max_output_tokens/);
    assert.equal(s.usage?.outputTokens, 6);
  });

  for (const name of ['openai-responses-complete.sse', 'openai-responses-parallel-tools.sse']) {
    test(`${name} cut after every event: no-terminal unless response.completed came; truncated-tool-json exactly when arguments were cut`, () => {
      const events = fixture(name);
      for (let k = 1; k <= events.length; k++) {
        const s = fold(openaiResponsesLens, stream(RESPONSES_URL, events.slice(0, k)).entries);
        const complete = k === events.length;
        assert.equal(s.terminal, complete, `cut after ${k}`);
        assert.equal(codes(s).includes('no-terminal'), !complete, `cut after ${k}: ${JSON.stringify(s.findings)}`);
        const cutTools = s.messages.flatMap((m) => m.parts).filter((p) => p.tool !== null && !isJson(p.tool.arguments));
        assert.equal(codes(s).filter((c) => c === 'truncated-tool-json').length, cutTools.length, `cut after ${k}: ${JSON.stringify(s.findings)}`);
      }
    });
  }

  test('a .done event fills a part whose deltas never came (its full text is in it)', () => {
    const events = fixture('openai-responses-complete.sse').filter((e) => e.type !== 'response.output_text.delta');
    const s = fold(openaiResponsesLens, stream(RESPONSES_URL, events).entries);
    assert.equal(part(s, 'item msg_1 text 0').text, 'It is sunny in Zürich.');
    assert.equal(part(s, 'item msg_1 text 0').done, true);
  });

  test('a lost event is a sequence gap', () => {
    const events = fixture('openai-responses-complete.sse');
    const s = fold(openaiResponsesLens, stream(RESPONSES_URL, [...events.slice(0, 16), ...events.slice(17)]).entries);
    assert.ok(codes(s).includes('sequence-gap'));
    assert.equal(part(s, 'item msg_1 text 0').text, ' in Zürich.', 'the deltas that came');
  });

  test('a reconnect mid-response is flagged and the new attempt kept apart', () => {
    const events = fixture('openai-responses-complete.sse');
    const t = timeline();
    t.start(1, RESPONSES_URL);
    for (const e of events.slice(0, 17)) t.add(1, e);
    t.end(1);
    t.start(2, RESPONSES_URL);
    for (const e of events) t.add(2, e);
    t.end(2);
    const s = fold(openaiResponsesLens, t.entries);
    assert.ok(codes(s).includes('reconnect-mid-message'));
    assert.equal(s.terminal, true);
    assert.equal(part(s, 'attempt 2 · item msg_1 text 0').text, 'It is sunny in Zürich.');
  });
});

describe('both OpenAI lenses', () => {
  /** A stream cut mid-tool-call, reconnected, then complete: every finding kind but errors in one timeline. */
  function cutThenComplete(url: string, name: string, cutAt: number) {
    const events = fixture(name);
    const t = timeline();
    t.start(1, url);
    for (const e of events.slice(0, cutAt)) t.add(1, e);
    t.end(1);
    t.start(2, url);
    for (const e of events) t.add(2, e);
    t.end(2);
    return t;
  }
  const cases: [Lens, string, string, number][] = [
    [openaiChatLens, CHAT_URL, 'openai-chat-parallel-tools.sse', 5],
    [openaiResponsesLens, RESPONSES_URL, 'openai-responses-parallel-tools.sse', 5],
  ];
  for (const [lens, url, name, cutAt] of cases) {
    test(`${lens.name}: the same findings whether the summary is read after every entry (live) or once (a capture)`, () => {
      const t = cutThenComplete(url, name, cutAt);
      const live = lens.create();
      for (const e of t.entries) {
        live.add(e);
        live.summary();
      }
      const once = fold(lens, t.entries);
      assert.deepEqual(live.summary().findings, once.findings);
      assert.deepEqual(codes(once).sort(), ['no-terminal', 'reconnect-mid-message', 'truncated-tool-json', 'truncated-tool-json']);
    });
  }
});

describe('the lens registry', () => {
  const cases: [string, string, string | null][] = [
    ['openai-chat-complete.sse', CHAT_URL, 'openai-chat'],
    ['openai-chat-parallel-tools.sse', 'http://127.0.0.1:8787/anything', 'openai-chat'],
    ['openai-responses-complete.sse', 'http://127.0.0.1:8787/anything', 'openai-responses'],
    ['openai-responses-failed.sse', RESPONSES_URL, 'openai-responses'],
  ];
  for (const [name, url, expected] of cases) {
    test(`detects ${expected} in ${name}`, () => {
      assert.equal(detectLens(stream(url, fixture(name)).entries)?.name ?? null, expected);
    });
  }

  test('a stream of no known format has no lens; the URL is a guess only until events arrive', () => {
    const t = timeline();
    t.start(1, CHAT_URL);
    assert.equal(detectLens(t.entries)?.name, 'openai-chat', 'a POST to /chat/completions before its first event');
    t.add(1, { kind: 'event', type: 'message', id: '1', lastEventId: '1', data: '{"price":3}', size: 11 });
    assert.equal(detectLens(t.entries), null);
    assert.equal(detectLens([]), null);
  });

  test('lenses by name, unknown names are null', () => {
    assert.equal(lensByName('openai-chat'), openaiChatLens);
    assert.equal(lensByName('openai-responses'), openaiResponsesLens);
    assert.equal(lensByName('constructor'), null);
    assert.equal(new Set(LENSES.map((l) => l.name)).size, LENSES.length);
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
