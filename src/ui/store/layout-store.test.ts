/** Divider sizes as the panel keeps them: remembered when a drag ends, held to their range, and never broken by what storage holds. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLayoutStore, SIZES } from './layout-store.js';

/** The few Storage calls the store makes, over a Map; `failing` throws as a full or blocked storage does. */
function memoryStorage(initial: Record<string, string> = {}, failing = false): Storage & { writes: number } {
  const items = new Map(Object.entries(initial));
  return {
    writes: 0,
    get length() {
      return items.size;
    },
    key: (i: number) => [...items.keys()][i] ?? null,
    getItem: (k: string) => items.get(k) ?? null,
    setItem(k: string, v: string) {
      if (failing) throw new DOMException('quota', 'QuotaExceededError');
      this.writes++;
      items.set(k, v);
    },
    removeItem: (k: string) => void items.delete(k),
    clear: () => items.clear(),
  };
}

describe('the layout store', () => {
  test('a size set when a drag ends is there for the next panel; sizes during the drag are not written', () => {
    const storage = memoryStorage();
    const first = createLayoutStore(storage);
    first.resize('sidebar', 333.4, false);
    first.resize('sidebar', 360.6, false);
    assert.equal(storage.writes, 0);
    first.resize('sidebar', 380);
    assert.equal(storage.writes, 1);
    assert.equal(createLayoutStore(storage).sizes.sidebar.value, 380);
  });

  test('sizes are held to their range, from a drag and from storage', () => {
    const layout = createLayoutStore(memoryStorage());
    layout.resize('detail', -50);
    assert.equal(layout.sizes.detail.value, SIZES.detail.min);
    layout.resize('channels', 1e9);
    assert.equal(layout.sizes.channels.value, SIZES.channels.max);
    const stored = createLayoutStore(memoryStorage({ 'sse-devtools.layout.v1': JSON.stringify({ sidebar: 5, channels: 'wide', detail: null, extra: 1 }) }));
    assert.equal(stored.sizes.sidebar.value, SIZES.sidebar.min);
    assert.equal(stored.sizes.channels.value, SIZES.channels.initial);
    assert.equal(stored.sizes.detail.value, SIZES.detail.initial);
  });

  test('broken JSON, no storage, or a storage that throws leave the defaults and keep working', () => {
    for (const storage of [memoryStorage({ 'sse-devtools.layout.v1': '{not json' }), null, memoryStorage({}, true)]) {
      const layout = createLayoutStore(storage);
      assert.equal(layout.sizes.sidebar.value, SIZES.sidebar.initial);
      layout.resize('sidebar', 420);
      assert.equal(layout.sizes.sidebar.value, 420);
    }
  });

  test('narrow below 760 px, where the panes become tabs', () => {
    const layout = createLayoutStore(null);
    layout.width.value = 760;
    assert.equal(layout.narrow.value, false);
    layout.width.value = 759;
    assert.equal(layout.narrow.value, true);
  });
});
