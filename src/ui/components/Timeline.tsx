/**
 * The timeline: fixed-height rows, only the visible ones (plus a buffer) in the DOM, so 100 000
 * retained entries scroll as smoothly as 100. It follows new rows only while the user is at the
 * bottom; scrolling up stops following, scrolling back down resumes it.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { clock, formatBytes, safeText } from '../../core/describe.js';
import { END_TONES } from '../../core/end-tone.js';
import { clientError, profileById } from '../../core/profiles.js';
import type { TimelineEntry } from '../../core/timeline.js';
import { loadWidths, saveWidths, type ColumnKey } from '../column-widths.js';
import type { TimelineView } from '../store/view-store.js';
import { EntryText, SafeText } from './SafeText.js';
import { TimelineHeader } from './TimelineHeader.js';

const ROW_HEIGHT = 20;
/** The sticky column headers at the top of the scroller. */
const HEADER_HEIGHT = 20;
const BUFFER_ROWS = 20;
const PREVIEW_CHARS = 300;

export interface TimelineProps {
  /** The rows and how many of them are shown (fewer while paused). */
  view: Pick<TimelineView, 'rows' | 'shown'>;
  /** Changes whenever rows may have changed (rows can be the same array, appended to). */
  revision: number;
  selectedSeq: number | null;
  /** Whether the selected row's detail is open: the row is then kept in view. */
  detailOpen: boolean;
  gaps: ReadonlyMap<number, number>;
  /** The client profile whose error names attempt ends are shown with. */
  profile: string | null;
  /** A row was chosen: by a click (which opens its detail) or by the keyboard (which moves the selection). */
  onSelect(seq: number, open: boolean): void;
  /** Rows the lens view points at (the events that wrote the selected text), marked. */
  linked?: ReadonlySet<number>;
  /** Changes when the lens view asks for the selected row to be scrolled into view. */
  revealTick?: number;
  onOpen(): void;
  onClose(): void;
}

function delta(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms < 1000) return `+${ms}ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(1)}s`;
  return `+${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

function rowClass(e: TimelineEntry): string {
  if (e.kind === 'event') return 'event';
  if (e.kind === 'comment') return 'comment';
  if (e.kind === 'attempt-ended') return `lifecycle ended tone-${END_TONES[e.reason]}`;
  if (e.kind === 'response') return `lifecycle response ${e.status === 200 ? 'ok' : 'bad'}`;
  return `lifecycle ${e.kind}`;
}

function Row({ e, prev, top, selected, linked, gap, profile, onSelect }: { e: TimelineEntry; prev: TimelineEntry | undefined; top: number; selected: boolean; linked: boolean; gap: number | undefined; profile: string | null; onSelect(seq: number): void }) {
  const client = e.kind === 'attempt-ended' ? clientError(profile, e.reason, e.status) : null;
  const cells =
    e.kind === 'event' ? (
      <>
        <span class="c-channel mono" title={safeText(e.type)}>
          <SafeText text={e.type} />
        </span>
        <span class="c-id mono" title={e.id === null ? 'no id field' : safeText(e.id)}>
          {e.id !== null && <SafeText text={e.id} />}
          {gap !== undefined && (
            <span class="gap" data-testid="gap-flag" title={`${gap} id${gap === 1 ? '' : 's'} missing before this one`}>
              ⚠{gap}
            </span>
          )}
        </span>
        <span class="c-data mono">
          <SafeText text={e.data.length > PREVIEW_CHARS ? `${e.data.slice(0, PREVIEW_CHARS)}…` : e.data} />
        </span>
        <span class="c-size">{formatBytes(e.size)}</span>
      </>
    ) : e.kind === 'comment' ? (
      <span class="c-wide mono">
        : <SafeText text={e.text} />
      </span>
    ) : (
      <span class="c-wide">
        <EntryText entry={e} />
        {client && <span class="client-error" data-testid="client-error">{` · ${profileById(profile)?.name}: ${client}`}</span>}
      </span>
    );
  return (
    <div
      class={`trow ${rowClass(e)} ${selected ? 'selected' : ''} ${linked ? 'linked' : ''}`}
      style={{ top: `${top}px` }}
      data-testid="timeline-row"
      data-kind={e.kind}
      data-seq={e.seq}
      data-channel={e.kind === 'event' ? e.type : undefined}
      data-tone={e.kind === 'attempt-ended' ? END_TONES[e.reason] : undefined}
      data-linked={linked ? 'true' : undefined}
      onClick={() => onSelect(e.seq)}
      role="row"
      aria-selected={selected}
    >
      <span class="c-time mono">{clock(e.time)}</span>
      <span class="c-delta mono">{prev ? delta(e.time - prev.time) : ''}</span>
      <span class="c-attempt mono">{e.attempt > 0 ? `#${e.attempt}` : ''}</span>
      {cells}
    </div>
  );
}

/** The index of the row with `seq`, or -1 (rows are in seq order). */
function indexOfSeq(rows: readonly TimelineEntry[], count: number, seq: number | null): number {
  if (seq === null) return -1;
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = rows[mid]!.seq;
    if (s === seq) return mid;
    if (s < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function Timeline({ view, revision, selectedSeq, detailOpen, gaps, profile, onSelect, linked, revealTick, onOpen, onClose }: TimelineProps) {
  const { rows, shown: count } = view;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const [widths, setWidths] = useState(loadWidths);
  const following = useRef(true);
  /** The scrollTop this component last set itself: its scroll event is no news. */
  const placed = useRef<number | null>(null);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  // The sticky header takes the top of the scroller: rows are laid out below it.
  const viewport = Math.max(ROW_HEIGHT, height - HEADER_HEIGHT);
  // While following, the window is worked out for the bottom in this same render, and the scroll
  // position is only written, never read back: reading it would force a layout, and setting state
  // from it a second render of every new frame.
  const bottom = Math.max(0, count * ROW_HEIGHT - viewport);
  const top = following.current ? bottom : scrollTop;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && following.current && placed.current !== bottom) {
      placed.current = bottom;
      el.scrollTop = bottom;
    }
  }, [revision, count, bottom]);

  /** Scrolls row `i` into the middle of the view unless it is wholly visible already. */
  function reveal(i: number): void {
    const el = scroller.current;
    if (!el || i < 0) return;
    if (i * ROW_HEIGHT >= el.scrollTop && (i + 1) * ROW_HEIGHT <= el.scrollTop + viewport) return;
    following.current = false;
    placed.current = null;
    el.scrollTop = Math.max(0, i * ROW_HEIGHT - (viewport - ROW_HEIGHT) / 2);
    setScrollTop(el.scrollTop);
  }

  /** To the end, following new rows from there. */
  function follow(): void {
    const el = scroller.current;
    following.current = true;
    placed.current = bottom;
    if (el) el.scrollTop = bottom;
  }

  // The detail pane opening (or the panel shrinking) can hide the selected row: bring it back.
  const selectedIndex = indexOfSeq(rows, count, selectedSeq);
  useLayoutEffect(() => {
    if (detailOpen) reveal(selectedIndex);
  }, [detailOpen, selectedSeq, height]);
  useLayoutEffect(() => {
    if (revealTick !== undefined) reveal(selectedIndex);
  }, [revealTick]);

  function onScroll(): void {
    const el = scroller.current;
    if (!el) return;
    if (following.current && el.scrollTop === placed.current) return;
    placed.current = null;
    following.current = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT;
    setScrollTop(el.scrollTop);
  }

  const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
  /** Where each key moves the selection from row `i` (-1: none selected). */
  const moves: Readonly<Record<string, (i: number) => number>> = {
    ArrowDown: (i) => (i < 0 ? 0 : i + 1),
    ArrowUp: (i) => (i < 0 ? count - 1 : i - 1),
    PageDown: (i) => i + page,
    PageUp: (i) => (i < 0 ? count - 1 : i - page),
    Home: () => 0,
    End: () => count - 1,
  };

  function onKeyDown(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      const i = Math.max(0, Math.min(count - 1, move(selectedIndex)));
      const next = rows[i];
      if (!next || i >= count) return;
      onSelect(next.seq, false);
      if (e.key === 'End') follow();
      else reveal(i);
    } else if (e.key === 'Enter' && selectedIndex >= 0) {
      e.preventDefault();
      onOpen();
    } else if (e.key === 'Escape' && detailOpen) {
      // Kept from DevTools, where Escape would also toggle the console drawer.
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  }

  /** The widest cell of a column among the rows in the DOM, for a double-click on its divider. */
  function fit(key: ColumnKey): number | null {
    const cells = scroller.current?.querySelectorAll<HTMLElement>(`.trow .c-${key}`);
    if (!cells || cells.length === 0) return null;
    let widest = 0;
    for (const c of cells) widest = Math.max(widest, c.scrollWidth);
    return widest + 2;
  }

  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - BUFFER_ROWS);
  const last = Math.min(count, Math.ceil((top + viewport) / ROW_HEIGHT) + BUFFER_ROWS);
  // Rows are keyed by a slot that a row index keeps while it stays in the window, so a window that
  // moves (following a fast stream, or scrolling) updates the text of the rows it reuses instead of
  // removing and creating their elements. The window never holds more rows than there are slots.
  const slots = Math.ceil(viewport / ROW_HEIGHT) + 2 * BUFFER_ROWS + 2;
  const visible: preact.JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const e = rows[i]!;
    visible.push(<Row key={i % slots} e={e} prev={rows[i - 1]} top={i * ROW_HEIGHT} selected={e.seq === selectedSeq} linked={linked?.has(e.seq) ?? false} gap={e.kind === 'event' ? gaps.get(e.seq) : undefined} profile={profile} onSelect={(seq) => onSelect(seq, true)} />);
  }
  const columnVars = Object.fromEntries(Object.entries(widths).map(([k, w]) => [`--w-${k}`, `${w}px`]));

  return (
    <div class="timeline" ref={scroller} onScroll={onScroll} tabIndex={0} onKeyDown={onKeyDown} data-testid="timeline" data-rows={count} role="grid" aria-rowcount={count} style={columnVars}>
      <TimelineHeader widths={widths} onResize={(key, w) => setWidths((old) => ({ ...old, [key]: w }))} onResized={() => setWidths((now) => (saveWidths(now), now))} fit={fit} />
      <div class="timeline-inner" style={{ height: `${count * ROW_HEIGHT}px` }}>
        {visible}
      </div>
      {count === 0 && <div class="empty">No entries match.</div>}
    </div>
  );
}
