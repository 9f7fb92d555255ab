/**
 * What the user looks at: the selected connection, channel and text filters, which row is selected.
 * The filtered view of a connection's entries is cached and extended incrementally while only new
 * entries arrive, so a batch costs work proportional to the batch, not to 100 000 retained rows.
 */
import { signal } from '@preact/signals';
import { describeEntry } from '../../core/describe.js';
import type { TimelineEntry } from '../../core/timeline.js';
import type { ConnView } from './timeline-store.js';

export interface Filters {
  channels: ReadonlySet<string>;
  text: string;
  comments: boolean;
  lifecycle: boolean;
}

export function createViewStore() {
  const selectedConnection = signal<string | null>(null);
  const selectedSeq = signal<number | null>(null);
  const channels = signal<ReadonlySet<string>>(new Set());
  const text = signal('');
  const comments = signal(true);
  const lifecycle = signal(true);

  let cache: { id: string; key: string; trims: number; scanned: number; rows: TimelineEntry[] } | null = null;

  function matches(e: TimelineEntry, f: Filters, needle: string): boolean {
    if (e.kind === 'event') {
      if (f.channels.size > 0 && !f.channels.has(e.type)) return false;
      return needle === '' || e.type.toLowerCase().includes(needle) || (e.id ?? '').toLowerCase().includes(needle) || e.data.toLowerCase().includes(needle);
    }
    if (e.kind === 'comment') return f.comments && (needle === '' || e.text.toLowerCase().includes(needle));
    return f.lifecycle && (needle === '' || describeEntry(e).toLowerCase().includes(needle));
  }

  /** The rows to show for a connection under the current filters. */
  function rowsFor(v: ConnView): TimelineEntry[] {
    const f: Filters = { channels: channels.value, text: text.value, comments: comments.value, lifecycle: lifecycle.value };
    const key = JSON.stringify([[...f.channels].sort(), f.text, f.comments, f.lifecycle]);
    if (!cache || cache.id !== v.info.id || cache.key !== key || cache.trims !== v.trims || cache.scanned > v.entries.length) {
      cache = { id: v.info.id, key, trims: v.trims, scanned: 0, rows: [] };
    }
    const needle = f.text.trim().toLowerCase();
    const unfiltered = f.channels.size === 0 && needle === '' && f.comments && f.lifecycle;
    if (unfiltered) {
      cache.rows = v.entries;
      cache.scanned = v.entries.length;
      return cache.rows;
    }
    for (let i = cache.scanned; i < v.entries.length; i++) {
      const e = v.entries[i]!;
      if (matches(e, f, needle)) cache.rows.push(e);
    }
    cache.scanned = v.entries.length;
    return cache.rows;
  }

  function toggleChannel(name: string, additive: boolean): void {
    const next = new Set(additive ? channels.value : []);
    if (additive && channels.value.has(name)) next.delete(name);
    else if (!additive && channels.value.size === 1 && channels.value.has(name)) next.clear();
    else next.add(name);
    channels.value = next;
  }

  return { selectedConnection, selectedSeq, channels, text, comments, lifecycle, rowsFor, toggleChannel, showAll: () => (channels.value = new Set()) };
}

export type ViewStore = ReturnType<typeof createViewStore>;
