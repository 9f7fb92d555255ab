/** Every connection with its live state and counts; selecting one shows its timeline. */
import { formatBytes, formatDuration, safeText } from '../../core/describe.js';
import { END_TONES } from '../../core/end-tone.js';
import type { ConnectionState } from '../../core/timeline.js';
import type { ConnectionInfo } from '../../protocol/messages.js';
import type { DoctorSeverity } from '../../core/doctor/check.js';
import { SafeText } from './SafeText.js';

/**
 * A page's stream that ended says so in its first clause ("the page's fetch stream ended"); the
 * rest of the reason, and the whole of any long one, is in the line's title.
 */
function describeState(state: ConnectionState, now: number, observed: boolean): string {
  if (observed && state.phase === 'closed') return `ended · ${state.why.split('; ')[0]}`;
  switch (state.phase) {
    case 'connecting':
      // A page's request with no response for a while is often queued (six connections per origin): the wait is what to see.
      return observed ? `waiting for its response for ${formatDuration(Math.max(0, now - state.since))} (attempt ${state.attempt})` : `connecting (attempt ${state.attempt})`;
    case 'open':
      return `open for ${formatDuration(Math.max(0, now - state.since))}`;
    case 'waiting':
      return state.until === null ? `reconnecting when the browser does (attempt ${state.attempt})` : `reconnecting in ${formatDuration(Math.max(0, state.until - now))} (attempt ${state.attempt})`;
    case 'closed':
      return `closed: ${state.why}`;
  }
}

/** An imported connection that was still running when captured is not running now: it says so. */
function describeCaptured(state: ConnectionState, capturedAt: number | null, now: number, observed: boolean): string {
  if (capturedAt === null) return describeState(state, now, observed);
  const text = describeState(state, capturedAt, observed);
  return state.phase === 'closed' ? text : `${text} when captured`;
}

export interface ConnectionListProps {
  connections: ConnectionInfo[];
  /** Imported or viewer connections: nothing to disconnect or reconnect. */
  readOnly: ReadonlySet<string>;
  /** When each imported connection was captured: its state is told as of then, not now. */
  capturedAt: ReadonlyMap<string, number>;
  selected: string | null;
  now: number;
  onSelect(id: string): void;
  onDisconnect(id: string): void;
  onReconnect(id: string): void;
  onRemove(id: string): void;
  /** What an empty list says: the panel points at its form, the viewer at opening a file. */
  empty?: preact.ComponentChildren;
  /** Observed connections: fill the connect form with the page's request. Absent where there is no lab (the viewer). */
  onOpenInLab?(id: string): void;
  /** The tab this panel inspects, to tell its observed streams from other tabs'; null outside DevTools. */
  tabId?: number | null;
  /** The doctor's findings per connection, counted by severity (absent: not shown). */
  health?: ReadonlyMap<string, Readonly<Record<DoctorSeverity, number>>>;
}

const API_NAMES = { fetch: 'fetch', xhr: 'XHR', eventsource: 'EventSource' } as const;

/** Worst first; info alone is shown too, but muted: a healthy stream may still have something worth knowing. */
const BADGE: readonly { severity: DoctorSeverity; icon: string; word: [string, string] }[] = [
  { severity: 'error', icon: '✖', word: ['error', 'errors'] },
  { severity: 'warning', icon: '⚠', word: ['warning', 'warnings'] },
  { severity: 'info', icon: 'ℹ', word: ['note', 'notes'] },
];

function HealthBadge({ counts }: { counts: Readonly<Record<DoctorSeverity, number>> }) {
  const shown = BADGE.filter((b) => counts[b.severity] > 0);
  if (shown.length === 0) return null;
  const title = `Health: ${shown.map((b) => `${counts[b.severity]} ${b.word[counts[b.severity] === 1 ? 0 : 1]}`).join(', ')} from the stream doctor. Select the connection to see them in the Health view.`;
  return (
    <span class={`badge health-badge ${shown[0]!.severity}`} data-testid="health-badge" data-severity={shown[0]!.severity} title={title} aria-label={title} role="img">
      {shown.map((b) => `${b.icon} ${counts[b.severity]}`).join(' · ')}
    </span>
  );
}

function Item({ c, p }: { c: ConnectionInfo; p: ConnectionListProps }) {
  const observed = c.observed;
  const shown = describeCaptured(c.state, p.capturedAt.get(c.id) ?? null, p.now, observed !== undefined);
  const full = c.state.phase === 'closed' ? `${observed ? 'ended' : 'closed'}: ${c.state.why}` : shown;
  return (
    <li
      class={`connection-item phase-${c.state.phase} ${p.selected === c.id ? 'selected' : ''} ${observed ? 'observed' : ''}`}
      data-testid="connection-item"
      data-id={c.id}
      data-phase={c.state.phase}
      data-observed={observed ? 'true' : undefined}
      role="option"
      aria-selected={p.selected === c.id}
      onClick={() => p.onSelect(c.id)}
    >
      <div class="row">
        <span class={`dot ${c.state.phase}${c.state.phase === 'closed' && c.state.lastEnd ? ` tone-${END_TONES[c.state.lastEnd]}` : ''}`} aria-hidden="true" />
        <span class="label mono" title={safeText(c.config.url)}>
          <SafeText text={c.label} />
        </span>
        <span class="spacer" />
        {p.health?.get(c.id) && <HealthBadge counts={p.health.get(c.id)!} />}
        <button class="small icon remove" data-testid="remove-button" title="Remove this connection and its timeline" aria-label="Remove this connection and its timeline" onClick={(e) => (e.stopPropagation(), p.onRemove(c.id))}>
          ✕
        </button>
      </div>
      {observed && (
        <div class="row origin" data-testid="observed-origin">
          <span
            class="badge observed-badge"
            data-testid="observed-badge"
            data-mode={observed.mode}
            title={`A stream the inspected page opened itself, seen by ${observed.mode === 'complete' ? 'complete capture (the browser\'s network layer: the request as sent, the raw bytes)' : 'a hook in the page'}: read-only`}
          >
            observed · {API_NAMES[observed.api]}
            {observed.mode === 'complete' ? ' · complete' : ''}
          </span>
          <span class="mono origin-url" title={`page ${safeText(observed.pageUrl)}\nframe ${safeText(observed.frameUrl)}`}>
            <SafeText text={observed.frameUrl === observed.pageUrl ? observed.pageUrl : `${observed.frameUrl} in ${observed.pageUrl}`} />
          </span>
        </div>
      )}
      <div class="state" data-testid="connection-state" title={safeText(full)}>
        <SafeText text={shown} />
      </div>
      <div class="row stats">
        <span class="counts" title={`${c.stats.events.toLocaleString('en-US')} event${c.stats.events === 1 ? '' : 's'}, ${formatBytes(c.stats.bytes)}, ${c.stats.attempts} attempt${c.stats.attempts === 1 ? '' : 's'}`}>
          {c.stats.events.toLocaleString('en-US')} event{c.stats.events === 1 ? '' : 's'} · {formatBytes(c.stats.bytes)}
          {/* One attempt is the usual case; a reconnect is what is worth a word here. */}
          {c.stats.attempts > 1 && ` · ${c.stats.attempts} attempts`}
        </span>
        <span class="spacer" />
        {observed ? (
          p.onOpenInLab && !p.readOnly.has(c.id) ? (
            <button class="small" data-testid="open-in-lab" title="Fill the connect form with this request (its headers and body included), ready to Connect as a connection of our own" onClick={(e) => (e.stopPropagation(), p.onOpenInLab?.(c.id))}>
              Open in lab
            </button>
          ) : (
            <span class="badge" data-testid="read-only">read-only</span>
          )
        ) : p.readOnly.has(c.id) ? (
          <span class="badge" data-testid="read-only">read-only</span>
        ) : c.state.phase === 'closed' ? (
          <button class="small" data-testid="reconnect-button" title="Connect again with the same settings and the last event id" onClick={(e) => (e.stopPropagation(), p.onReconnect(c.id))}>
            Reconnect
          </button>
        ) : (
          <button class="small" data-testid="disconnect-button" onClick={(e) => (e.stopPropagation(), p.onDisconnect(c.id))}>
            Disconnect
          </button>
        )}
      </div>
    </li>
  );
}

/** Observed streams are the page's, not the lab's: listed apart, this tab's first. */
function groups(p: ConnectionListProps): { title: string | null; testId: string; list: ConnectionInfo[] }[] {
  const lab = p.connections.filter((c) => !c.observed);
  const observed = p.connections.filter((c) => c.observed);
  const here = observed.filter((c) => p.tabId == null || c.observed!.tabId === p.tabId);
  const elsewhere = observed.filter((c) => !here.includes(c));
  return [
    { title: null, testId: 'lab-group', list: lab },
    { title: p.tabId == null ? 'Observed in pages' : 'Observed in this tab', testId: 'observed-group', list: here },
    { title: 'Observed in other tabs', testId: 'observed-elsewhere-group', list: elsewhere },
  ].filter((g) => g.list.length > 0);
}

export function ConnectionList(p: ConnectionListProps) {
  if (p.connections.length === 0) {
    return <div class="empty">{p.empty ?? 'No connections yet. Fill in the form above and press Connect.'}</div>;
  }
  return (
    <div class="connection-groups">
      {groups(p).map((g) => (
        <div key={g.testId} data-testid={g.testId}>
          {g.title && <div class="section-title pad group-title">{g.title}</div>}
          <ul class="connection-list" role="listbox" aria-label={g.title ?? 'Connections'}>
            {g.list.map((c) => (
              <Item key={c.id} c={c} p={p} />
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}


