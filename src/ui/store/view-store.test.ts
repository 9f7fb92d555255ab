/** The timeline's filters as a user drives them: channel clicks, the text box, and rows arriving while filtered. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TimelineEntry } from '../../core/timeline.js';
import type { ConnView } from './timeline-store.js';
import { createViewStore } from './view-store.js';

let seq = 0;
const event = (type: string, id: string, data: string): TimelineEntry => ({ connectionId: 'c1', attempt: 1, seq: ++seq, time: 1_800_000_000_000, kind: 'event', type, id, lastEventId: id, data, size: data.length });
const comment = (text: string): TimelineEntry => ({ connectionId: 'c1', attempt: 1, seq: ++seq, time: 1_800_000_000_000, kind: 'comment', text });
const stopped = (why: string): TimelineEntry => ({ connectionId: 'c1', attempt: 1, seq: ++seq, time: 1_800_000_000_000, kind: 'stopped', why });

/** Only what rowsFor reads: the connection's id, its entries and its trim counter. */
function view(entries: TimelineEntry[]): ConnView {
  return { info: { id: 'c1' }, entries, trims: 0 } as unknown as ConnView;
}

describe('the view store', () => {
  test('a channel click shows only that channel; clicking it again shows all; Ctrl-click adds and removes', () => {
    const store = createViewStore();
    const v = view([event('price', '1', 'a'), event('chat', '2', 'b'), event('news', '3', 'c')]);
    store.toggleChannel('price', false);
    assert.deepEqual(store.rowsFor(v).map((e) => e.seq), [v.entries[0]!.seq]);
    store.toggleChannel('chat', true);
    assert.equal(store.rowsFor(v).length, 2);
    store.toggleChannel('chat', true);
    assert.equal(store.rowsFor(v).length, 1);
    store.toggleChannel('price', false);
    assert.equal(store.rowsFor(v).length, 3, 'clicking the only selected channel again shows all');
  });

  test('the text filter searches data, ids, channels, comments and lifecycle rows, ignoring case', () => {
    const store = createViewStore();
    const v = view([event('price', '41', '{"sym":"ACME"}'), event('chat', '42', 'hello'), comment('heartbeat'), stopped('closed by the user')]);
    const shown = (text: string) => {
      store.text.value = text;
      return store.rowsFor(v).map((e) => e.kind);
    };
    assert.deepEqual(shown('acme'), ['event']);
    assert.deepEqual(shown('42'), ['event']);
    assert.deepEqual(shown('CHAT'), ['event']);
    assert.deepEqual(shown('heart'), ['comment']);
    assert.deepEqual(shown('by the user'), ['stopped']);
  });

  test('hiding heartbeats and lifecycle rows leaves the events', () => {
    const store = createViewStore();
    const v = view([event('price', '1', 'a'), comment('ping'), stopped('done')]);
    store.comments.value = false;
    store.lifecycle.value = false;
    assert.deepEqual(store.rowsFor(v).map((e) => e.kind), ['event']);
  });

  test('rows arriving while a filter is on are matched as they come, and a new filter starts over', () => {
    const store = createViewStore();
    const entries = [event('price', '1', 'a')];
    const v = view(entries);
    store.toggleChannel('price', false);
    assert.equal(store.rowsFor(v).length, 1);
    entries.push(event('chat', '2', 'b'), event('price', '3', 'c'));
    assert.deepEqual(store.rowsFor(v).map((e) => e.kind === 'event' && e.id), ['1', '3']);
    store.toggleChannel('chat', false);
    assert.deepEqual(store.rowsFor(v).map((e) => e.kind === 'event' && e.id), ['2']);
  });
});

describe('the view store: regular expressions, negation, pause and clear', () => {
  test('a filter takes regular expressions and negation; one that does not parse filters nothing and says why', () => {
    const store = createViewStore();
    const v = view([event('token', '1', 'abc'), event('heartbeat', '2', 'beat'), event('content_block_delta', '3', '{"text":"Tok"}'), comment('keepalive')]);
    store.text.value = '/tok(en)?/i';
    assert.deepEqual(store.rowsFor(v).map((e) => e.seq), [v.entries[0]!.seq, v.entries[2]!.seq]);
    store.text.value = '-heartbeat -keepalive';
    assert.deepEqual(store.rowsFor(v).map((e) => e.kind === 'event' && e.type), ['token', 'content_block_delta']);
    store.text.value = '/tok(en/';
    const shown = store.timelineFor(v);
    assert.equal(shown.rows.length, 4, 'nothing is filtered');
    assert.match(shown.filterError ?? '', /missing closing \)/);
  });

  test('a paused timeline keeps what it showed, counts what arrives, and shows it all on resume', () => {
    const store = createViewStore();
    const entries = [event('a', '1', 'x'), event('a', '2', 'y')];
    const v = view(entries);
    store.pause(v);
    entries.push(event('a', '3', 'z'), comment('ping'));
    let t = store.timelineFor(v);
    assert.equal(t.paused, true);
    assert.equal(t.shown, 2);
    assert.equal(t.waiting, 2);
    store.text.value = 'z';
    t = store.timelineFor(v);
    assert.deepEqual([t.shown, t.waiting], [0, 1], 'filters apply to what waits, too');
    store.text.value = '';
    store.resume('c1');
    t = store.timelineFor(v);
    assert.deepEqual([t.paused, t.shown, t.waiting], [false, 4, 0]);
  });

  test('clear hides the rows received so far, keeps the entries, shows new rows, and can be undone', () => {
    const store = createViewStore();
    const entries = [event('a', '1', 'x'), event('a', '2', 'y')];
    const v = view(entries);
    store.selectedSeq.value = entries[1]!.seq;
    store.detailOpen.value = true;
    store.clear(v);
    assert.equal(store.selectedSeq.value, null, 'a cleared row is no longer selected');
    assert.equal(store.detailOpen.value, false);
    let t = store.timelineFor(v);
    assert.deepEqual([t.rows.length, t.cleared], [0, 2]);
    entries.push(event('a', '3', 'z'));
    t = store.timelineFor(v);
    assert.deepEqual(t.rows.map((e) => e.kind === 'event' && e.id), ['3']);
    assert.equal(v.entries.length, 3, 'the entries themselves are kept');
    store.showCleared('c1');
    assert.equal(store.timelineFor(v).rows.length, 3);
  });
});
