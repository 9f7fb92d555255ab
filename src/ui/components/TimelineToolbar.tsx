/**
 * Above the timeline: the text filter (substrings, /regex/flags, -negation; a filter that does not
 * parse says why next to it and filters nothing), the heartbeat and lifecycle toggles, and Pause
 * and Clear as the Network panel has them. Both act on this panel's view only: a paused timeline
 * keeps receiving and counts what waits; Clear hides the rows so far, which stay retained and
 * exported, and can be shown again.
 */
import type { TimelineView, ViewStore } from '../store/view-store.js';

const n = (count: number) => count.toLocaleString('en-US');

export function TimelineToolbar({ view, timeline, live, onPause, onResume, onClear, onShowCleared, children }: { view: ViewStore; timeline: TimelineView | null; live: boolean; onPause(): void; onResume(): void; onClear(): void; onShowCleared(): void; children?: preact.ComponentChildren }) {
  const t = timeline;
  return (
    <div class="filterbar">
      <input
        class={`grow ${t?.filterError ? 'invalid' : ''}`}
        type="search"
        data-testid="filter-input"
        placeholder="Filter: text, /regex/i, -exclude"
        title="Space-separated terms that must all match: a substring (case ignored), a /regular expression/ with flags i, m, s, or either with a leading - to hide what matches"
        value={view.text.value}
        onInput={(e) => (view.text.value = e.currentTarget.value)}
        aria-label="Filter"
        aria-invalid={t?.filterError ? true : undefined}
      />
      {t?.filterError && (
        <span class="field-error inline filter-error" data-testid="filter-error" role="alert" title={t.filterError}>
          {t.filterError} — not filtering
        </span>
      )}
      <label class="check">
        <input type="checkbox" data-testid="toggle-comments" checked={view.comments.value} onChange={(e) => (view.comments.value = e.currentTarget.checked)} /> heartbeats
      </label>
      <label class="check">
        <input type="checkbox" data-testid="toggle-lifecycle" checked={view.lifecycle.value} onChange={(e) => (view.lifecycle.value = e.currentTarget.checked)} /> lifecycle
      </label>
      {t && (live || t.paused) && (
        <button class={`small ${t.paused ? 'on' : ''}`} data-testid="pause-button" aria-pressed={t.paused} onClick={t.paused ? onResume : onPause} title={t.paused ? 'Show the rows that arrived while paused, and follow new ones' : 'Freeze the rows on screen; new entries are still received and counted'}>
          {t.paused ? '▶ Resume' : '❚❚ Pause'}
        </button>
      )}
      {t && (
        <button class="small" data-testid="clear-button" onClick={onClear} disabled={t.rows.length === 0} title="Hide the rows received so far from this view. They stay retained and are still exported; “Show cleared” brings them back.">
          Clear
        </button>
      )}
      {t?.paused && (
        <span class="paused-note" data-testid="paused-note">
          paused, {n(t.waiting)} new
        </span>
      )}
      {t !== null && t.cleared > 0 && (
        <span class="cleared-note" data-testid="cleared-note">
          {n(t.cleared)} cleared{' '}
          <button class="link" data-testid="show-cleared" onClick={onShowCleared}>
            show
          </button>
        </span>
      )}
      {children}
      <span class="rowcount" data-testid="row-count">
        {n(t?.shown ?? 0)} rows
      </span>
    </div>
  );
}
