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
import { EntryText, SafeText } from './SafeText.js';

const ROW_HEIGHT = 20;
const BUFFER_ROWS = 20;
const PREVIEW_CHARS = 300;

export interface TimelineProps {
  rows: readonly TimelineEntry[];
  /** Changes whenever rows may have changed (rows can be the same array, appended to). */
  revision: number;
  selectedSeq: number | null;
  gaps: ReadonlyMap<number, number>;
  /** The client profile whose error names attempt ends are shown with. */
  profile: string | null;
  onSelect(seq: number): void;
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

function Row({ e, prev, top, selected, gap, profile, onSelect }: { e: TimelineEntry; prev: TimelineEntry | undefined; top: number; selected: boolean; gap: number | undefined; profile: string | null; onSelect(seq: number): void }) {
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
      class={`trow ${rowClass(e)} ${selected ? 'selected' : ''}`}
      style={{ top: `${top}px` }}
      data-testid="timeline-row"
      data-kind={e.kind}
      data-seq={e.seq}
      data-channel={e.kind === 'event' ? e.type : undefined}
      data-tone={e.kind === 'attempt-ended' ? END_TONES[e.reason] : undefined}
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

export function Timeline({ rows, revision, selectedSeq, gaps, profile, onSelect }: TimelineProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
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

  // While following, the window is worked out for the bottom in this same render, and the scroll
  // position is only written, never read back: reading it would force a layout, and setting state
  // from it a second render of every new frame.
  const bottom = Math.max(0, rows.length * ROW_HEIGHT - height);
  const top = following.current ? bottom : scrollTop;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && following.current && placed.current !== bottom) {
      placed.current = bottom;
      el.scrollTop = bottom;
    }
  }, [revision, rows.length, bottom]);

  function onScroll(): void {
    const el = scroller.current;
    if (!el) return;
    if (following.current && el.scrollTop === placed.current) return;
    placed.current = null;
    following.current = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT;
    setScrollTop(el.scrollTop);
  }

  function onKeyDown(e: KeyboardEvent): void {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const index = rows.findIndex((r) => r.seq === selectedSeq);
    const next = rows[Math.max(0, Math.min(rows.length - 1, index + (e.key === 'ArrowDown' ? 1 : -1)))];
    if (!next) return;
    onSelect(next.seq);
    const el = scroller.current;
    const i = rows.indexOf(next);
    if (el && (i * ROW_HEIGHT < el.scrollTop || (i + 1) * ROW_HEIGHT > el.scrollTop + el.clientHeight)) {
      el.scrollTop = i * ROW_HEIGHT - el.clientHeight / 2;
    }
  }

  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - BUFFER_ROWS);
  const last = Math.min(rows.length, Math.ceil((top + height) / ROW_HEIGHT) + BUFFER_ROWS);
  // Rows are keyed by a slot that a row index keeps while it stays in the window, so a window that
  // moves (following a fast stream, or scrolling) updates the text of the rows it reuses instead of
  // removing and creating their elements. The window never holds more rows than there are slots.
  const slots = Math.ceil(height / ROW_HEIGHT) + 2 * BUFFER_ROWS + 2;
  const visible: preact.JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const e = rows[i]!;
    visible.push(<Row key={i % slots} e={e} prev={rows[i - 1]} top={i * ROW_HEIGHT} selected={e.seq === selectedSeq} gap={e.kind === 'event' ? gaps.get(e.seq) : undefined} profile={profile} onSelect={onSelect} />);
  }

  return (
    <div class="timeline" ref={scroller} onScroll={onScroll} tabIndex={0} onKeyDown={onKeyDown} data-testid="timeline" data-rows={rows.length} role="grid" aria-rowcount={rows.length}>
      <div class="timeline-inner" style={{ height: `${rows.length * ROW_HEIGHT}px` }}>
        {visible}
      </div>
      {rows.length === 0 && <div class="empty">No entries match.</div>}
    </div>
  );
}
