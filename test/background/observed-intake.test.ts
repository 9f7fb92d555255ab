/**
 * Drains of a page's hook entering the background: what a page reports becomes read-only observed
 * connections on the same path as the lab's (stored, then posted to panels), its tokens masked;
 * hostile drains (wrong shapes, huge strings, floods) are bounded and counted, and never throw.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createConnectionManager } from '../../src/extension/background/connection-manager.js';
import { createPortHub } from '../../src/extension/background/port-hub.js';
import { decodeEntries, type BackgroundMessage } from '../../src/protocol/messages.js';
import type { ObservedRecord } from '../../src/protocol/observed.js';
import type { TimelineEntry } from '../../src/core/timeline.js';
import { createMemoryPersistence } from '../helpers/memory-persistence.js';

const TOKEN = 'Bearer page-secret-0123456789';

function background(start = Date.now()) {
  let clock = start;
  const persistence = createMemoryPersistence();
  const hub = createPortHub({ persistence, frameMs: 5 });
  const manager = createConnectionManager({ persistence, sink: hub, now: () => clock });
  hub.attach(manager);
  const messages: BackgroundMessage[] = [];
  const port = { postMessage: (m: BackgroundMessage) => void messages.push(structuredClone(m)) };
  return {
    hub,
    manager,
    persistence,
    port,
    messages,
    tick: (ms: number) => (clock += ms),
    now: () => clock,
    entries: (): TimelineEntry[] => messages.flatMap((m) => (m.type === 'batch' ? decodeEntries(m.entries) : [])),
  };
}

const open = (sid: string, time: number): ObservedRecord => ({
  t: 'open',
  sid,
  api: 'fetch',
  time,
  url: 'http://127.0.0.1:9/chat',
  method: 'POST',
  headers: [['Authorization', TOKEN]],
  body: '{"q":1}',
  bodyCut: false,
  withCredentials: false,
  frame: 'http://127.0.0.1:9/',
});

describe('drains from an observed tab', () => {
  test('become a read-only observed connection, stored then posted, the token masked, the real one kept for the lab', async () => {
    const b = background();
    await b.hub.addPort(b.port);
    const t = b.now();
    const intake = b.manager.observe(7, 'http://127.0.0.1:9/', {
      records: [
        open('a', t),
        { t: 'response', sid: 'a', time: t + 1, status: 200, statusText: 'OK', headers: [['content-type', 'text/event-stream']], url: '' },
        { t: 'chunk', sid: 'a', time: t + 2, text: 'id: 1\ndata: one\n\nid: 2\ndata: two\n\n' },
      ],
      dropped: 0,
    });
    assert.deepEqual(intake, { tabId: 7, accepted: 3, invalid: 0, limited: 0, hookDropped: 0, cut: 0 });
    await b.hub.flush();
    const info = b.manager.snapshot().connections[0]!;
    assert.match(info.id, /^o-7-/);
    assert.deepEqual(info.observed, { api: 'fetch', mode: 'hook', tabId: 7, pageUrl: 'http://127.0.0.1:9/', frameUrl: 'http://127.0.0.1:9/', withCredentials: false });
    assert.equal(info.state.phase, 'open');
    const events = b.entries().filter((e) => e.kind === 'event');
    assert.deepEqual(events.map((e) => e.kind === 'event' && e.id), ['1', '2']);
    assert.ok(!JSON.stringify(b.messages).includes('page-secret'), 'no message to the panel holds the token');
    assert.ok(!JSON.stringify([...b.persistence.stored.values(), ...b.persistence.storedEntries.values()]).includes('page-secret'), 'storage does not either');
    assert.equal(b.manager.secrets(info.id)?.headers[0]![1], TOKEN);
    assert.equal(b.persistence.stored.get(info.id)?.observed?.tabId, 7);
    // The page's stream is not ours to stop, restart or break.
    assert.match(b.manager.inject(info.id, { kind: 'drop' }) ?? '', /belongs to the page/);
    b.manager.reconnect(info.id);
    b.manager.disconnect(info.id);
    await b.hub.flush();
    assert.equal(b.manager.info(info.id)?.state.phase, 'open');
    b.manager.remove(info.id);
    assert.equal(b.manager.snapshot().connections.length, 0);
  });

  test('hostile shapes and sizes are counted and dropped, never thrown', async () => {
    const b = background();
    const t = b.now();
    const hostile: unknown[] = [null, undefined, 1, 'x', [], {}, { records: null }, { records: {} }, { records: [1, null, 'x', []] }, { records: [{ t: 'open', sid: 'z'.repeat(10_000) }] }];
    for (const drain of hostile) assert.doesNotThrow(() => b.manager.observe(1, 'http://127.0.0.1/', drain));
    const huge = 'x'.repeat(17 * 1024 * 1024);
    b.manager.observe(1, 'http://127.0.0.1/', { records: [open('s', t)], dropped: 0 });
    const intake = b.manager.observe(1, 'http://127.0.0.1/', {
      records: [
        { t: 'chunk', sid: 's', time: t, text: huge },
        { t: 'chunk', sid: 's', time: 'soon', text: 'data: x\n\n' },
        { t: 'chunk', sid: 'unknown', time: t, text: 'data: x\n\n' },
        { t: 'es-message', sid: 's', time: t, type: '<b>', data: '<img src=x onerror=alert(1)>', lastEventId: '' },
      ],
      dropped: -5,
    });
    assert.equal(intake.hookDropped, 0);
    assert.ok(intake.invalid >= 1, 'a record for a stream never opened is counted');
    await b.hub.flush();
    const id = b.manager.snapshot().connections[0]!.id;
    const rows = b.persistence.storedEntries.get(id) ?? [];
    const dropped = rows.filter((e) => e.kind === 'entries-dropped');
    assert.ok(dropped.some((e) => e.kind === 'entries-dropped' && e.count === 2 && /not records a hook writes/.test(e.detail)), JSON.stringify(dropped));
  });

  test('an iframe\'s records that are not records a hook writes are counted in that frame\'s stream, as the top frame\'s are', async () => {
    const b = background();
    const t = b.now();
    b.manager.observe(4, 'http://127.0.0.1:9/', { records: [open('s', t)], dropped: 0 }, { scope: 'f7:' });
    b.manager.observe(4, 'http://127.0.0.1:9/', { records: [{ t: 'chunk', sid: 's', time: 'soon', text: 'data: x\n\n' }], dropped: 0 }, { scope: 'f7:' });
    await b.hub.flush();
    const id = b.manager.snapshot().connections[0]!.id;
    const dropped = (b.persistence.storedEntries.get(id) ?? []).filter((e) => e.kind === 'entries-dropped');
    assert.ok(dropped.some((e) => e.kind === 'entries-dropped' && e.count === 1 && /not records a hook writes/.test(e.detail)), JSON.stringify(dropped));
  });

  test('an iframe\'s drain cannot write into the top frame\'s stream, nor another iframe\'s, even naming its stream id', async () => {
    const b = background();
    const t = b.now();
    const chunk = (text: string): ObservedRecord => ({ t: 'chunk', sid: 's', time: t, text });
    const response: ObservedRecord = { t: 'response', sid: 's', time: t, status: 200, statusText: 'OK', headers: [['content-type', 'text/event-stream']], url: '' };
    b.manager.observe(3, 'http://127.0.0.1:9/', { records: [open('s', t), response, chunk('data: top\n\n')], dropped: 0 });
    b.manager.observe(3, 'http://127.0.0.1:9/', { records: [open('s', t), response, chunk('data: frame 5\n\n')], dropped: 0 }, { scope: 'f5:' });
    // Frame 6 writes to stream "s" without opening one of its own: it belongs to no stream of frame 6.
    const forged = b.manager.observe(3, 'http://127.0.0.1:9/', { records: [chunk('data: forged\n\n')], dropped: 0 }, { scope: 'f6:' });
    assert.equal(forged.invalid, 1, 'counted as belonging to no known stream');
    await b.hub.flush();
    const data = b.manager.snapshot().connections.map((c) => (b.persistence.storedEntries.get(c.id) ?? []).map((e) => (e.kind === 'event' ? e.data : '')).filter(Boolean));
    assert.deepEqual(data.map((d) => d.join()).sort((x, y) => x.localeCompare(y)), ['frame 5', 'top']);
  });

  test('a flood is cut at the tab\'s rate, with a row saying how many records were dropped', async () => {
    const b = background();
    const t = b.now();
    b.manager.observe(2, 'http://127.0.0.1/', { records: [open('f', t)], dropped: 0 });
    let limited = 0;
    let accepted = 0;
    // Twenty drains of 5 000 events each, 100 ms apart: 100 000 records in 2 s, five times the rate.
    for (let d = 0; d < 20; d++) {
      const records = Array.from({ length: 5000 }, (_, i): ObservedRecord => ({ t: 'chunk', sid: 'f', time: t + d * 100, text: `data: ${d}-${i}\n\n` }));
      const intake = b.manager.observe(2, 'http://127.0.0.1/', { records, dropped: 0 });
      limited = intake.limited;
      accepted = intake.accepted;
      b.tick(100);
    }
    assert.ok(limited > 0, 'records over the rate were dropped');
    assert.ok(accepted <= 40_000 + 20_000 * 2 + 1, `at most a burst plus the rate over 2 s were accepted (${accepted})`);
    await b.hub.flush();
    const id = b.manager.snapshot().connections[0]!.id;
    const rows = b.persistence.storedEntries.get(id) ?? [];
    const droppedRows = rows.filter((e) => e.kind === 'entries-dropped');
    assert.ok(droppedRows.length > 0);
    const lost = droppedRows.reduce((n, e) => n + (e.kind === 'entries-dropped' ? e.count : 0), 0);
    assert.equal(lost, limited, 'every record dropped is counted in a row');
    assert.equal(rows.filter((e) => e.kind === 'event').length + lost, 100_000, 'every record is either an event or counted as dropped');
  });
});

test('past the retention cap an observed connection drops its oldest with a row numbered in its own sequence', async () => {
  const persistence = createMemoryPersistence();
  const hub = createPortHub({ persistence, frameMs: 5 });
  const manager = createConnectionManager({ persistence, sink: hub, settings: { maxEntriesPerConnection: 100 } });
  hub.attach(manager);
  const t = Date.now();
  const records = Array.from({ length: 300 }, (_, i): ObservedRecord => ({ t: 'chunk', sid: 'c', time: t, text: `data: ${i}\n\n` }));
  manager.observe(4, 'http://127.0.0.1/', { records: [open('c', t), ...records], dropped: 0 });
  await hub.flush();
  const id = manager.snapshot().connections[0]!.id;
  const seqs = (persistence.storedEntries.get(id) ?? []).map((e) => e.seq);
  assert.equal(new Set(seqs).size, seqs.length, 'no two entries share a seq');
  assert.ok((persistence.storedEntries.get(id) ?? []).some((e) => e.kind === 'entries-dropped' && /retention cap/.test(e.detail)));
});

describe('a tab over a long session', () => {
  const openMany = (b: ReturnType<typeof background>, tabId: number, prefix: string, n: number, page = 'http://127.0.0.1:9/') =>
    b.manager.observe(tabId, page, { records: Array.from({ length: n }, (_, i) => open(`${prefix}${i}`, b.now())), dropped: 0 });

  test('its stream cap counts the observed rows still there: once the user removes some, the next streams are followed again', () => {
    const b = background();
    // 500 streams is the most one tab keeps (reload after reload, they add up): the 501st is counted, not followed.
    assert.equal(openMany(b, 5, 'first-', 500).accepted, 500);
    assert.equal(openMany(b, 5, 'late-', 1).limited, 1);
    for (const c of b.manager.snapshot().connections.slice(0, 10)) b.manager.remove(c.id);
    assert.equal(openMany(b, 5, 'next-', 10).limited, 1, 'none of the ten was refused');
    assert.equal(b.manager.snapshot().connections.length, 500);
  });

  test('another page in the tab is counted afresh: the status the panel shows is that page\'s', () => {
    const b = background();
    openMany(b, 5, 'a-', 3, 'http://127.0.0.1:9/one');
    b.manager.observe(5, 'http://127.0.0.1:9/one', { records: [{ t: 'chunk', sid: 'nobody', time: b.now(), text: 'x' }], dropped: 4 });
    assert.deepEqual(openMany(b, 5, 'b-', 2, 'http://127.0.0.1:9/two'), { tabId: 5, accepted: 2, invalid: 0, limited: 0, hookDropped: 0, cut: 0 });
  });

  test('a closed tab leaves nothing behind: its open streams say so and take no more records; a report under its id starts from zero', async () => {
    const b = background();
    openMany(b, 6, 'a-', 500);
    b.manager.observe(6, 'http://127.0.0.1:9/', { records: [{ t: 'chunk', sid: 'nobody', time: b.now(), text: 'x' }], dropped: 7 });
    b.manager.tabClosed(6);
    const late = b.manager.observe(6, 'http://127.0.0.1:9/', { records: [{ t: 'chunk', sid: 'a-0', time: b.now(), text: 'data: late\n\n' }], dropped: 0 });
    assert.deepEqual([late.invalid, late.limited, late.hookDropped], [1, 0, 0], 'counted afresh: the record of a stream no longer followed, and nothing else');
    assert.equal(openMany(b, 6, 'b-', 1).limited, 0);
    await b.hub.flush();
    const rows = b.persistence.storedEntries.get(b.manager.snapshot().connections[0]!.id) ?? [];
    assert.ok(rows.some((e) => e.kind === 'stopped' && /tab was closed/.test(e.why)), JSON.stringify(rows.map((e) => e.kind)));
    assert.ok(!rows.some((e) => e.kind === 'event'));
  });
});

test('records the panel cut from an oversized drain are said in their stream\'s timeline; a hostile cut list is bounded', async () => {
  const b = background();
  b.manager.observe(8, 'http://127.0.0.1:9/', { records: [open('k', b.now())], dropped: 0 });
  const intake = b.manager.observe(8, 'http://127.0.0.1:9/', { records: [], dropped: 0 }, { cut: [['k', 41], ['unknown', 2], ['k', -1], 'x', [1, 2], ['z'.repeat(500), 3]] });
  assert.equal(intake.cut, 43);
  await b.hub.flush();
  const rows = b.persistence.storedEntries.get(b.manager.snapshot().connections[0]!.id) ?? [];
  assert.ok(rows.some((e) => e.kind === 'entries-dropped' && e.count === 41 && /cut by the panel/.test(e.detail)), JSON.stringify(rows));
  assert.doesNotThrow(() => b.manager.observe(8, 'http://127.0.0.1:9/', { records: [] }, { cut: Array.from({ length: 100_000 }, () => ['k', 1]) }));
});

describe('a document that goes away takes its streams with it (its hook went too and never says how they ended)', () => {
  const response = (sid: string, time: number): ObservedRecord => ({ t: 'response', sid, time, status: 200, statusText: 'OK', headers: [['content-type', 'text/event-stream']], url: '' });
  const live = (b: ReturnType<typeof background>, tabId: number, sid: string, from: { scope?: string; doc?: number } = {}) =>
    b.manager.observe(tabId, 'http://127.0.0.1:9/', { records: [open(sid, b.now()), response(sid, b.now())], dropped: 0 }, from);
  const byLabel = (b: ReturnType<typeof background>) => b.manager.snapshot().connections.map((c) => c.state.phase);
  const rowsOf = (b: ReturnType<typeof background>, i: number) => b.persistence.storedEntries.get(b.manager.snapshot().connections[i]!.id) ?? [];

  test('the page reloads: the old document\'s stream ends, saying so, and the new one\'s stays live; pushState ends nothing', async () => {
    const b = background();
    live(b, 1, 'old', { doc: 1000 });
    // A same-document change (pushState) changes the page's URL, not its document.
    b.manager.observe(1, 'http://127.0.0.1:9/other-path', { records: [], dropped: 0 }, { doc: 1000 });
    b.manager.observedDocument(1, '', 1000);
    assert.deepEqual(byLabel(b), ['open']);
    b.tick(50);
    live(b, 1, 'new', { doc: 2000 });
    assert.deepEqual(byLabel(b), ['closed', 'open']);
    await b.hub.flush();
    const rows = rowsOf(b, 0);
    const ended = rows.find((e) => e.kind === 'attempt-ended');
    assert.ok(ended?.kind === 'attempt-ended' && ended.reason === 'closed-by-user' && /navigated away or was reloaded/.test(ended.detail), JSON.stringify(rows));
    assert.ok(rows.some((e) => e.kind === 'stopped' && /could not see how this one ended/.test(e.why)));
    assert.ok(!rowsOf(b, 1).some((e) => e.kind === 'attempt-ended' || e.kind === 'stopped'));
  });

  test('a page with no hook now (a plain reload, another page) ends the streams of the hooked one before it', () => {
    const b = background();
    live(b, 2, 's', { doc: 1000 });
    b.manager.observedDocument(2, '', null);
    assert.deepEqual(byLabel(b), ['closed']);
  });

  test('an iframe that navigates or goes away ends its own streams only; a late drain of a gone document opens a stream already ended', () => {
    const b = background();
    live(b, 3, 'top', { doc: 1 });
    live(b, 3, 'a', { scope: 'f5:', doc: 10 });
    live(b, 3, 'b', { scope: 'f6:', doc: 20 });
    b.manager.observedDocument(3, 'f5:', 11);
    assert.deepEqual(byLabel(b), ['open', 'closed', 'open']);
    b.manager.observedFrames(3, new Set(['f5:']));
    assert.deepEqual(byLabel(b), ['open', 'closed', 'closed']);
    // A drain of frame 5's old document that was still on its way, and one of the removed frame 6.
    live(b, 3, 'late', { scope: 'f5:', doc: 10 });
    live(b, 3, 'late', { scope: 'f6:', doc: 20 });
    assert.deepEqual(byLabel(b), ['open', 'closed', 'closed', 'closed', 'closed']);
    live(b, 3, 'c', { scope: 'f5:', doc: 11 });
    assert.deepEqual(byLabel(b).at(-1), 'open', 'the frame\'s new document is live');
  });

  test('a stream that ended by itself keeps its own end when its document goes', async () => {
    const b = background();
    b.manager.observe(4, 'http://127.0.0.1:9/', { records: [open('s', b.now()), response('s', b.now()), { t: 'end', sid: 's', time: b.now(), reason: 'done', detail: '' }], dropped: 0 }, { doc: 1 });
    b.manager.observedDocument(4, '', 2);
    await b.hub.flush();
    const ends = rowsOf(b, 0).filter((e) => e.kind === 'attempt-ended' || e.kind === 'stopped');
    assert.equal(ends.length, 2);
    assert.ok(ends[0]?.kind === 'attempt-ended' && ends[0].reason === 'closed-by-server');
  });
});
