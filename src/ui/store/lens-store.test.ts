/**
 * The panel's lens store: entries that arrive in batches (one sync per frame) give the same summary
 * as one fold over the whole stream; an MCP session spread over several connections is folded as
 * one; a lens picked by hand replaces the detected one; a capture's lens name is never trusted.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openaiChatLens } from '../../core/lenses/openai-chat.js';
import { mcpLens } from '../../core/lenses/mcp.js';
import type { TimelineEntry } from '../../core/timeline.js';
import { toolsCallSession } from '../../../test/fixtures/lenses/mcp/tools-call.js';
import { choiceFromFile, createLensStore } from './lens-store.js';
import type { ConnView } from './timeline-store.js';

/** Only what the lens store reads: id, URL, entries, whether imported, the hand-picked lens. */
function view(id: string, url: string): ConnView {
  return { info: { id, config: { url } }, entries: [], imported: null, lensChoice: null, lensNote: null } as unknown as ConnView;
}

function foldAll(entries: readonly TimelineEntry[], lens = openaiChatLens) {
  const fold = lens.create();
  for (const e of entries) fold.add(e);
  return fold.summary();
}

const CHAT = 'https://api.openai.com/v1/chat/completions';
function chatEntries(): TimelineEntry[] {
  let seq = 0;
  let time = 1_800_000_000_000;
  const at = (body: Record<string, unknown>) => ({ connectionId: 'c1', attempt: 1, seq: ++seq, time: (time += 10), ...body }) as TimelineEntry;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => {
    const data = JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] });
    return at({ kind: 'event', type: 'message', id: null, lastEventId: '', data, size: data.length });
  };
  const entries = [
    at({ kind: 'attempt-started', method: 'POST', url: CHAT, headers: [], lastEventId: null, lastEventIdVia: 'none' }),
    at({ kind: 'response', status: 200, statusText: 'OK', url: CHAT, redirected: false, headers: [['content-type', 'text/event-stream']], timeToHeadersMs: 5 }),
    chunk({ role: 'assistant', content: '' }),
  ];
  for (let i = 0; i < 500; i++) entries.push(chunk({ content: `w${i} ` }));
  entries.push(chunk({}, 'stop'), at({ kind: 'event', type: 'message', id: null, lastEventId: '', data: '[DONE]', size: 6 }));
  return entries;
}

describe('the lens store', () => {
  test('entries that come in batches, synced after each, give the summary of one fold over them all', () => {
    const store = createLensStore();
    const v = view('c1', CHAT);
    const all = chatEntries();
    for (let i = 0; i < all.length; i += 37) {
      v.entries.push(...all.slice(i, i + 37));
      store.sync(v, [v]);
      // A frame with nothing new is a no-op, not a second add of the same entries.
      store.sync(v, [v]);
    }
    const state = store.sync(v, [v]);
    assert.equal(state.lens?.name, 'openai-chat');
    assert.deepEqual(state.summary, foldAll(all));
    assert.equal(state.summary?.messages[0]?.parts[0]?.text.length, Array.from({ length: 500 }, (_, i) => `w${i} `).join('').length);
  });

  test('an MCP session over several connections of one endpoint is one fold, fed in time order', () => {
    const entries = toolsCallSession();
    const ids = [...new Set(entries.map((e) => e.connectionId))];
    const views = ids.map((id) => view(id, 'http://127.0.0.1:3000/mcp'));
    const other = view('elsewhere', 'http://127.0.0.1:3000/other');
    const byId = new Map(views.map((v) => [v.info.id, v]));
    const store = createLensStore();
    const p3 = byId.get('p3')!;
    // Entries arrive per connection as the background batches them: a few at a time, sync between.
    for (let i = 0; i < entries.length; i += 3) {
      for (const e of entries.slice(i, i + 3)) byId.get(e.connectionId)!.entries.push(e);
      if (p3.entries.length > 0) store.sync(p3, [...views, other]);
    }
    const state = store.sync(p3, [...views, other]);
    assert.equal(state.lens?.name, 'mcp');
    assert.equal(state.members.length, ids.length, 'every connection of the endpoint, none of another');
    assert.deepEqual(state.summary?.calls, foldAll(entries, mcpLens).calls);
    assert.equal(state.summary?.calls.find((c) => c.method === 'tools/call')?.progress.length, 2);
  });

  test('a lens picked by hand replaces the detected one, None hides it, Auto gives it back', () => {
    const store = createLensStore();
    const v = view('c1', CHAT);
    v.entries.push(...chatEntries());
    assert.equal(store.sync(v, [v]).lens?.name, 'openai-chat');
    v.lensChoice = 'none';
    const none = store.sync(v, [v]);
    assert.equal(none.lens, null);
    assert.equal(none.detected?.name, 'openai-chat', 'the picker still says what was detected');
    v.lensChoice = 'anthropic';
    assert.equal(store.sync(v, [v]).summary?.lens, 'anthropic', 'folded again, by the lens picked');
    v.lensChoice = null;
    assert.deepEqual(store.sync(v, [v]).summary, foldAll(v.entries));
  });

  test("a capture's lens name is taken only when it is a known lens or none", () => {
    assert.deepEqual(choiceFromFile(undefined), { choice: null, note: null });
    assert.deepEqual(choiceFromFile('gemini'), { choice: 'gemini', note: null });
    assert.deepEqual(choiceFromFile('none'), { choice: 'none', note: null });
    for (const hostile of ['<img src=x onerror=alert(1)>', '__proto__', 'constructor', 'OPENAI-CHAT', 'x'.repeat(100)]) {
      const read = choiceFromFile(hostile);
      assert.equal(read.choice, null, hostile);
      assert.match(read.note ?? '', /does not know .* ignored/);
      assert.ok((read.note ?? '').length < 300, 'the note quotes a bounded piece of the name');
    }
  });
});
