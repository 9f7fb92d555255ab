/**
 * The Anthropic, Gemini and AI SDK lenses, fed fixtures built from the providers' references
 * (test/fixtures/lenses/*.sse) as the engine would write them: parsed by eventsource-parser into
 * timeline entries of one or more attempts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createParser } from 'eventsource-parser';
import { aiSdkLens } from '../../src/core/lenses/ai-sdk.js';
import { anthropicLens } from '../../src/core/lenses/anthropic.js';
import { geminiLens } from '../../src/core/lenses/gemini.js';
import type { Lens, LensPart, LensSummary } from '../../src/core/lenses/lens.js';
import type { EntryBody, HeaderPair, TimelineEntry } from '../../src/core/timeline.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/lenses/${name}`, import.meta.url), 'utf8');

interface Request {
  url: string;
  requestHeaders?: HeaderPair[];
  responseHeaders?: HeaderPair[];
  status?: number;
}

const ANTHROPIC: Request = { url: 'https://api.anthropic.com/v1/messages', requestHeaders: [['anthropic-version', '2023-06-01']] };
const GEMINI: Request = { url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse' };
const AI_SDK: Request = { url: 'http://127.0.0.1:3000/api/chat', responseHeaders: [['x-vercel-ai-ui-message-stream', 'v1']] };

/** Entries as the engine writes them: one attempt per wire text, each event 10 ms after the last. */
function entries(request: Request, ...attempts: string[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  let seq = 1;
  let time = 1_800_000_000_000;
  const add = (attempt: number, body: EntryBody, afterMs = 10): void => {
    time += afterMs;
    out.push({ connectionId: 'c1', attempt, seq: seq++, time, ...body });
  };
  attempts.forEach((wire, i) => {
    const attempt = i + 1;
    add(attempt, { kind: 'attempt-started', method: 'POST', url: request.url, headers: request.requestHeaders ?? [], lastEventId: null, lastEventIdVia: 'none' });
    add(attempt, { kind: 'response', status: request.status ?? 200, statusText: 'OK', url: request.url, redirected: false, headers: [['content-type', 'text/event-stream'], ...(request.responseHeaders ?? [])], timeToHeadersMs: 5 }, 300);
    const parser = createParser({
      onEvent: (e) => add(attempt, { kind: 'event', type: e.event ?? 'message', id: e.id ?? null, lastEventId: e.id ?? '', data: e.data, size: Buffer.byteLength(e.data) }),
    });
    parser.feed(wire);
    add(attempt, { kind: 'attempt-ended', reason: 'closed-by-server', status: null, detail: 'the server ended the response', durationMs: 100, bytes: Buffer.byteLength(wire), events: 0 });
  });
  return out;
}

function fold(lens: Lens, list: readonly TimelineEntry[]): LensSummary {
  const f = lens.create();
  for (const e of list) f.add(e);
  return f.summary();
}

const codes = (s: LensSummary): string[] => s.findings.map((f) => f.code);
const parts = (s: LensSummary): LensPart[] => s.messages.flatMap((m) => m.parts);
const textOf = (s: LensSummary, kind: LensPart['kind']): string => parts(s).filter((p) => p.kind === kind).map((p) => p.text).join('|');

/** Every span points at the event whose delta wrote exactly those characters. */
function assertSpans(s: LensSummary, list: readonly TimelineEntry[]): void {
  for (const p of parts(s)) {
    const text = p.tool === null ? p.text : p.tool.arguments;
    let at = 0;
    for (const span of p.spans) {
      assert.equal(span.from, at, `${p.key} spans are contiguous`);
      const entry = list.find((e) => e.seq === span.seq);
      assert.ok(entry?.kind === 'event', `${p.key} span points at an event`);
      assert.ok(entry.data.includes(JSON.stringify(text.slice(span.from, span.to)).slice(1, -1)) || p.kind === 'tool-call', `event ${span.seq} carries ${text.slice(span.from, span.to)}`);
      at = span.to;
    }
    if (p.kind !== 'tool-call' || p.spans.length > 0) assert.equal(at, text.length, `${p.key} spans cover its text`);
  }
}

/** Every prefix of the wire cut at an event boundary and inside an event: the fold never throws, what it has assembled is a prefix of the whole, and only the whole is terminal. */
function assertCuts(lens: Lens, request: Request, wire: string, whole: LensSummary): void {
  const cuts = new Set<number>();
  for (let i = wire.indexOf('\n\n'); i >= 0; i = wire.indexOf('\n\n', i + 1)) cuts.add(i + 2);
  for (let i = 0; i < wire.length; i += 37) cuts.add(i);
  for (const cut of cuts) {
    const s = fold(lens, entries(request, wire.slice(0, cut)));
    const complete = cut >= wire.trimEnd().length + 2;
    assert.equal(s.terminal, complete, `cut at ${cut}: terminal only when whole`);
    assert.equal(codes(s).includes('no-terminal'), !complete, `cut at ${cut}: no-terminal finding`);
    assert.equal(s.unread, 0, `cut at ${cut}: nothing unread`);
    for (const p of parts(s)) {
      const full = parts(whole).find((w) => w.key === p.key);
      assert.ok(full !== undefined, `cut at ${cut}: ${p.key} is in the whole`);
      assert.ok(full.text.startsWith(p.text), `cut at ${cut}: ${p.key} text is a prefix`);
      if (p.tool !== null && full.tool !== null) assert.ok(full.tool.arguments.startsWith(p.tool.arguments), `cut at ${cut}: ${p.key} arguments are a prefix`);
    }
  }
}

describe('the Anthropic Messages lens', () => {
  const wire = fixture('anthropic-complete.sse');
  const list = entries(ANTHROPIC, wire);
  const s = fold(anthropicLens, list);

  test('assembles thinking apart from the answer, and parallel tool calls split mid-escape', () => {
    assert.equal(s.terminal, true);
    assert.deepEqual(s.findings, []);
    assert.equal(s.unread, 0, 'pings and signature deltas are read, not unread');
    assert.equal(s.messages.length, 1);
    assert.equal(s.messages[0]?.key, 'msg_01Fix');
    assert.equal(s.messages[0]?.stopReason, 'tool_use');
    assert.equal(textOf(s, 'reasoning'), 'The user asks for weather in two cities.');
    assert.equal(textOf(s, 'text'), 'Let me check Paris and Zürich 🌦.');
    const tools = parts(s).filter((p) => p.kind === 'tool-call').map((p) => p.tool);
    assert.deepEqual(tools.map((t) => [t?.id, t?.name, t?.parsed]), [
      ['toolu_01A', 'get_weather', { ok: true, value: { city: 'Paris', note: 'café "ok"' } }],
      ['toolu_01B', 'get_weather', { ok: true, value: { city: 'Zürich' } }],
    ]);
    assert.ok(parts(s).every((p) => p.done));
    assertSpans(s, list);
  });

  test('usage is the start input and the cumulative output; first token is the first delta', () => {
    assert.equal(s.usage?.inputTokens, 472);
    assert.equal(s.usage?.outputTokens, 89);
    assert.deepEqual(s.usage?.other, [['cache_read_input_tokens', 0]]);
    const firstDelta = list.find((e) => e.kind === 'event' && e.data.includes('thinking_delta'));
    assert.equal(s.timing.firstTokenAt, firstDelta?.time);
    assert.equal(s.timing.startedAt, list[0]?.time);
    assert.ok(s.timing.gaps.length > 0);
  });

  test('cut at every boundary: never throws, text so far, no-terminal until message_stop', () => {
    assertCuts(anthropicLens, ANTHROPIC, wire, s);
  });

  test('cut inside a tool input: the truncated JSON is a finding', () => {
    const cut = wire.indexOf('u00e9');
    const r = fold(anthropicLens, entries(ANTHROPIC, wire.slice(0, wire.lastIndexOf('\n\n', cut) + 2)));
    assert.ok(codes(r).includes('truncated-tool-json'));
    const tool = parts(r).find((p) => p.tool?.id === 'toolu_01A')?.tool;
    assert.equal(tool?.parsed?.ok, false);
  });

  test('an error event after a 200', () => {
    const r = fold(anthropicLens, entries(ANTHROPIC, fixture('anthropic-error-after-200.sse')));
    assert.deepEqual(codes(r), ['error-after-200', 'no-terminal']);
    assert.match(r.findings[0]?.message ?? '', /overloaded_error/);
    assert.equal(textOf(r, 'text'), 'Once upon');
  });

  test('a reconnect mid-message starts the answer again', () => {
    const r = fold(anthropicLens, entries(ANTHROPIC, fixture('anthropic-error-after-200.sse'), wire));
    assert.ok(codes(r).includes('reconnect-mid-message'));
    assert.equal(r.terminal, true);
    assert.deepEqual(r.messages.map((m) => m.key), ['msg_02Err', 'attempt 2 msg_01Fix']);
  });

  test('bad tool JSON closed by the provider is shown as a parse error', () => {
    const bad = wire.replace('ok\\\\\\"\\"}', 'ok');
    const r = fold(anthropicLens, entries(ANTHROPIC, bad));
    assert.ok(codes(r).includes('invalid-tool-json'));
    assert.equal(parts(r).find((p) => p.tool?.id === 'toolu_01A')?.tool?.parsed?.ok, false);
  });
});

describe('the Gemini lens', () => {
  const wire = fixture('gemini-complete.sse');
  const list = entries(GEMINI, wire);
  const s = fold(geminiLens, list);

  test('assembles each candidate, thoughts apart, function calls whole', () => {
    assert.equal(s.terminal, true);
    assert.deepEqual(s.findings, []);
    assert.equal(s.unread, 0);
    assert.deepEqual(s.messages.map((m) => [m.key, m.stopReason]), [['candidate 0', 'STOP'], ['candidate 1', 'STOP']]);
    const [c0, c1] = s.messages;
    assert.deepEqual(c0?.parts.map((p) => [p.kind, p.text]), [['reasoning', 'Weighing both cities.'], ['text', 'Paris is mild.'], ['tool-call', ''], ['tool-call', '']]);
    assert.deepEqual(c0?.parts.filter((p) => p.tool !== null).map((p) => p.tool?.parsed), [{ ok: true, value: { city: 'Paris' } }, { ok: true, value: { city: 'Zürich' } }]);
    assert.equal(c1?.parts.map((p) => p.text).join(''), 'Paris is cool, Zürich 🌦 is wet.');
    assertSpans(s, list);
  });

  test('usage from usageMetadata, the last one winning', () => {
    assert.deepEqual(s.usage, { inputTokens: 9, outputTokens: 31, totalTokens: 52, other: [['thoughtsTokenCount', 12]] });
  });

  test('terminal only once every candidate has finished', () => {
    assertCuts(geminiLens, GEMINI, wire, s);
  });

  test('an error object after a 200', () => {
    const r = fold(geminiLens, entries(GEMINI, fixture('gemini-error-after-200.sse')));
    assert.deepEqual(codes(r), ['error-after-200', 'no-terminal']);
    assert.match(r.findings[0]?.message ?? '', /UNAVAILABLE/);
  });

  test('a reconnect mid-message', () => {
    const r = fold(geminiLens, entries(GEMINI, fixture('gemini-error-after-200.sse'), wire));
    assert.ok(codes(r).includes('reconnect-mid-message'));
    assert.equal(r.terminal, true);
  });
});

describe('the AI SDK UI message stream lens', () => {
  const wire = fixture('ai-sdk-complete.sse');
  const list = entries(AI_SDK, wire);
  const s = fold(aiSdkLens, list);

  test('assembles reasoning, text, interleaved tool inputs split mid-escape, and tool outputs', () => {
    assert.equal(s.terminal, true);
    assert.deepEqual(s.findings, []);
    assert.equal(s.unread, 0);
    assert.equal(s.messages[0]?.key, 'msg-fix1');
    assert.equal(s.messages[0]?.stopReason, 'tool-calls');
    assert.equal(textOf(s, 'reasoning'), 'Two cities, two calls.');
    assert.equal(textOf(s, 'text'), 'Checking Paris and Zürich 🌦.');
    const tools = parts(s).filter((p) => p.kind === 'tool-call');
    assert.deepEqual(tools.map((p) => [p.tool?.id, p.tool?.parsed, p.text]), [
      ['call_A', { ok: true, value: { city: 'Paris' } }, '{"tempC":14}'],
      ['call_B', { ok: true, value: { city: 'Zürich' } }, '{"tempC":9}'],
    ]);
    assertSpans(s, list);
  });

  test('cut at every boundary: no-terminal until [DONE]', () => {
    assertCuts(aiSdkLens, AI_SDK, wire, s);
  });

  test('an error part after a 200', () => {
    const r = fold(aiSdkLens, entries(AI_SDK, fixture('ai-sdk-error-after-200.sse')));
    assert.deepEqual(codes(r), ['error-after-200', 'no-terminal']);
  });

  test('a reconnect mid-message', () => {
    const r = fold(aiSdkLens, entries(AI_SDK, fixture('ai-sdk-error-after-200.sse'), wire));
    assert.ok(codes(r).includes('reconnect-mid-message'));
    assert.deepEqual(r.messages.map((m) => m.key), ['msg-fix2', 'attempt 2 msg-fix1']);
  });
});

describe('detection', () => {
  const cases: [string, Request, string][] = [
    ['anthropic', ANTHROPIC, 'anthropic-complete.sse'],
    ['gemini', GEMINI, 'gemini-complete.sse'],
    ['ai-sdk', AI_SDK, 'ai-sdk-complete.sse'],
  ];
  const ranked = (list: readonly TimelineEntry[]): (readonly [string, number])[] => [anthropicLens, geminiLens, aiSdkLens].map((l) => [l.name, l.detect(list)] as const).sort((a, b) => b[1] - a[1]);
  for (const [name, request, file] of cases) {
    test(`${name} wins from the request and the first events`, () => {
      const list = entries(request, fixture(file)).slice(0, 5);
      const scores = ranked(list);
      assert.equal(scores[0]?.[0], name);
      assert.ok((scores[0]?.[1] ?? 0) >= 0.8);
      assert.ok((scores[1]?.[1] ?? 0) < 0.5);
    });
    test(`${name} is recognised from the events alone, behind an unknown URL`, () => {
      const list = entries({ url: 'http://127.0.0.1/proxy' }, fixture(file)).slice(0, 5);
      const scores = ranked(list);
      assert.equal(scores[0]?.[0], name);
      assert.ok((scores[1]?.[1] ?? 0) < (scores[0]?.[1] ?? 0));
    });
  }
});

describe('hostile input', () => {
  const junk = ['not json', '[]', 'null', '{"type":"__proto__"}', '{"type":"constructor"}', '{"type":"content_block_delta","index":"0","delta":{"type":"text_delta","text":5}}', '{"type":"text-delta","id":{},"delta":"x"}', '{"candidates":"nope"}', '{"candidates":[null,{"content":{"parts":[{"text":7}]}}]}'];
  const wire = junk.map((d) => `data: ${d}\n\n`).join('');
  for (const lens of [anthropicLens, geminiLens, aiSdkLens]) {
    test(`${lens.name}: events it cannot place are counted as unread, never thrown on`, () => {
      const s = fold(lens, entries({ url: 'http://127.0.0.1/x' }, wire));
      assert.ok(s.unread > 0);
      assert.deepEqual(parts(s).filter((p) => p.text !== ''), []);
      assert.ok(lens.detect(entries({ url: 'http://127.0.0.1/x' }, wire)) < 0.5);
    });
  }

  test('assembled text is bounded, and saying so is a finding', () => {
    const big = 'x'.repeat(300_000);
    const deltas = Array.from({ length: 4 }, () => `data: {"type":"text-delta","id":"t","delta":"${big}"}\n\n`).join('');
    const s = fold(aiSdkLens, entries(AI_SDK, `data: {"type":"text-start","id":"t"}\n\n${deltas}data: [DONE]\n\n`));
    assert.equal(parts(s)[0]?.text.length, 1_000_000);
    assert.deepEqual(codes(s), ['part-truncated']);
  });
});

test('AI SDK: failed tool input and output are findings, the error text the tool part shows', () => {
  const wire = [
    '{"type":"start"}',
    '{"type":"tool-input-start","toolCallId":"c1","toolName":"search"}',
    '{"type":"tool-input-delta","toolCallId":"c1","inputTextDelta":"{\\"q\\":1}"}',
    '{"type":"tool-input-available","toolCallId":"c1","toolName":"search","input":{"q":1}}',
    '{"type":"tool-output-error","toolCallId":"c1","errorText":"rate limited"}',
    '{"type":"tool-input-error","toolCallId":"c2","toolName":"search","input":"{oops","errorText":"bad input"}',
    '{"type":"tool-approval-request","approvalId":"a1","toolCallId":"c1"}',
    '{"type":"data-weather","data":{"t":1}}',
    '{"type":"finish"}',
    '[DONE]',
  ].map((d) => `data: ${d}\n\n`).join('');
  const s = fold(aiSdkLens, entries(AI_SDK, wire));
  assert.equal(s.unread, 0);
  assert.deepEqual(codes(s), ['tool-error', 'tool-error']);
  assert.equal(parts(s).find((p) => p.tool?.id === 'c1')?.text, 'rate limited');
  assert.equal(s.messages[0]?.stopReason, 'finish');
});

test('an end for a block never started opens nothing and is unread', () => {
  const a = fold(anthropicLens, entries(ANTHROPIC, 'event: content_block_stop\ndata: {"type":"content_block_stop","index":4}\n\n'));
  const b = fold(aiSdkLens, entries(AI_SDK, 'data: {"type":"text-end","id":"nope"}\n\n'));
  for (const s of [a, b]) {
    assert.deepEqual(parts(s), []);
    assert.equal(s.unread, 1);
  }
});

test('Gemini: a candidate first seen after the others finished keeps the stream open until it finishes', () => {
  const chunk = (index: number, text: string, finish: boolean): string => `data: ${JSON.stringify({ candidates: [{ index, content: { role: 'model', parts: [{ text }] }, ...(finish ? { finishReason: 'STOP' } : {}) }] })}\n\n`;
  const open = fold(geminiLens, entries(GEMINI, chunk(0, 'a', true) + chunk(1, 'b', false)));
  assert.equal(open.terminal, false);
  assert.ok(codes(open).includes('no-terminal'));
  const done = fold(geminiLens, entries(GEMINI, chunk(0, 'a', true) + chunk(1, 'b', false) + chunk(1, 'c', true)));
  assert.equal(done.terminal, true);
  assert.deepEqual(codes(done), []);
});

test("a single-connection lens's findings name its connection beside the seq", () => {
  const r = fold(anthropicLens, entries(ANTHROPIC, fixture('anthropic-error-after-200.sse')));
  assert.ok(r.findings.length > 0);
  for (const f of r.findings) assert.equal(f.connectionId, 'c1');
});
