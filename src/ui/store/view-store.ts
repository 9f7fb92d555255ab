/**
 * What the user looks at: the selected connection, channel and text filters, which row is selected
 * and whether its detail is open, and per connection whether the timeline is paused or cleared.
 * The filtered view of a connection's entries is cached and extended incrementally while only new
 * entries arrive, so a batch costs work proportional to the batch, not to 100 000 retained rows.
 *
 * Pause and Clear are the view's, not the background's: a paused timeline keeps taking entries in
 * (counted, shown on resume), and Clear hides the rows received so far in this panel while every
 * entry stays retained, counted and exported ("Show cleared" brings them back).
 */
import { computed, signal } from '@preact/signals';
import { describeEntry } from '../../core/describe.js';
import type { TimelineEntry } from '../../core/timeline.js';
import { matchesTerms, parseFilter, type FilterTerm } from '../filter-query.js';
import { countUpTo } from './seq-index.js';
import type { ConnView } from './timeline-store.js';

export interface Filters {
  channels: ReadonlySet<string>;
  terms: readonly FilterTerm[];
  comments: boolean;
  lifecycle: boolean;
  /** Entries up to this seq were cleared from the view; -1 for none. */
  clearedSeq: number;
}

/** One connection's timeline as shown. */
export interface TimelineView {
  /** The rows the filters let through, in seq order. */
  rows: readonly TimelineEntry[];
  /** How many of them are on screen: all, unless paused. */
  shown: number;
  /** Rows that arrived since the pause, shown on resume. */
  waiting: number;
  paused: boolean;
  /** Retained entries hidden by Clear. */
  cleared: number;
  /** Why the text filter is not applied, or null when it is. */
  filterError: string | null;
}


const withEntry = (map: ReadonlyMap<string, number>, id: string, seq: number) => new Map(map).set(id, seq);
const without = (map: ReadonlyMap<string, number>, id: string) => {
  const next = new Map(map);
  next.delete(id);
  return next;
};

export function createViewStore() {
  const selectedConnection = signal<string | null>(null);
  const selectedSeq = signal<number | null>(null);
  const detailOpen = signal(false);
  const channels = signal<ReadonlySet<string>>(new Set());
  const text = signal('');
  const query = computed(() => parseFilter(text.value));
  const comments = signal(true);
  const lifecycle = signal(true);
  /** Connection id -> the seq of the last entry shown when it was paused. */
  const paused = signal<ReadonlyMap<string, number>>(new Map());
  /** Connection id -> entries up to this seq are hidden by Clear. */
  const cleared = signal<ReadonlyMap<string, number>>(new Map());

  let cache: { id: string; key: string; trims: number; scanned: number; rows: TimelineEntry[] } | null = null;

  function matches(e: TimelineEntry, f: Filters): boolean {
    if (e.seq <= f.clearedSeq) return false;
    if (e.kind === 'event') {
      if (f.channels.size > 0 && !f.channels.has(e.type)) return false;
      return matchesTerms(f.terms, [e.type, e.id ?? '', e.data]);
    }
    if (e.kind === 'comment') return f.comments && matchesTerms(f.terms, [e.text]);
    return f.lifecycle && (f.terms.length === 0 || matchesTerms(f.terms, [describeEntry(e)]));
  }

  /** The rows to show for a connection under the current filters (a text filter that does not parse filters nothing). */
  function rowsFor(v: ConnView): TimelineEntry[] {
    const q = query.value;
    const f: Filters = { channels: channels.value, terms: q.ok ? q.terms : [], comments: comments.value, lifecycle: lifecycle.value, clearedSeq: cleared.value.get(v.info.id) ?? -1 };
    const key = JSON.stringify([[...f.channels].sort(), q.ok ? text.value : '', f.comments, f.lifecycle, f.clearedSeq]);
    if (!cache || cache.id !== v.info.id || cache.key !== key || cache.trims !== v.trims || cache.scanned > v.entries.length) {
      cache = { id: v.info.id, key, trims: v.trims, scanned: countUpTo(v.entries, f.clearedSeq), rows: [] };
    }
    const unfiltered = f.channels.size === 0 && f.terms.length === 0 && f.comments && f.lifecycle && f.clearedSeq < 0;
    if (unfiltered) {
      cache.rows = v.entries;
      cache.scanned = v.entries.length;
      return cache.rows;
    }
    for (let i = cache.scanned; i < v.entries.length; i++) {
      const e = v.entries[i]!;
      if (matches(e, f)) cache.rows.push(e);
    }
    cache.scanned = v.entries.length;
    return cache.rows;
  }

  function timelineFor(v: ConnView): TimelineView {
    const rows = rowsFor(v);
    const pausedAt = paused.value.get(v.info.id);
    const shown = pausedAt === undefined ? rows.length : countUpTo(rows, pausedAt);
    const clearedSeq = cleared.value.get(v.info.id);
    const q = query.value;
    return { rows, shown, waiting: rows.length - shown, paused: pausedAt !== undefined, cleared: clearedSeq === undefined ? 0 : countUpTo(v.entries, clearedSeq), filterError: q.ok ? null : q.error };
  }

  const lastSeq = (v: ConnView) => v.entries.at(-1)?.seq ?? -1;

  function toggleChannel(name: string, additive: boolean): void {
    const next = new Set(additive ? channels.value : []);
    if (additive && channels.value.has(name)) next.delete(name);
    else if (!additive && channels.value.size === 1 && channels.value.has(name)) next.clear();
    else next.add(name);
    channels.value = next;
  }

  return {
    selectedConnection,
    selectedSeq,
    detailOpen,
    channels,
    text,
    comments,
    lifecycle,
    rowsFor,
    timelineFor,
    toggleChannel,
    showAll: () => (channels.value = new Set()),
    /** Freezes what is shown; entries keep arriving and are counted. */
    pause: (v: ConnView) => (paused.value = withEntry(paused.value, v.info.id, lastSeq(v))),
    resume: (id: string) => (paused.value = without(paused.value, id)),
    /** Hides every row received so far from this view; a paused view stays paused, from now. */
    clear(v: ConnView): void {
      const seq = lastSeq(v);
      cleared.value = withEntry(cleared.value, v.info.id, seq);
      if (paused.value.has(v.info.id)) paused.value = withEntry(paused.value, v.info.id, seq);
      if (selectedSeq.value !== null && selectedSeq.value <= seq) {
        selectedSeq.value = null;
        detailOpen.value = false;
      }
    },
    showCleared: (id: string) => (cleared.value = without(cleared.value, id)),
  };
}

export type ViewStore = ReturnType<typeof createViewStore>;
