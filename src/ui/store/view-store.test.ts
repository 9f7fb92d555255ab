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
