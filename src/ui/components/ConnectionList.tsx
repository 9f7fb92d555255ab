/** Every connection with its live state and counts; selecting one shows its timeline. */
import { formatBytes, formatDuration, safeText } from '../../core/describe.js';
import { END_TONES } from '../../core/end-tone.js';
import type { ConnectionState } from '../../core/timeline.js';
import type { ConnectionInfo } from '../../protocol/messages.js';
import { SafeText } from './SafeText.js';

function describeState(state: ConnectionState, now: number): string {
  switch (state.phase) {
    case 'connecting':
      return `connecting (attempt ${state.attempt})`;
    case 'open':
      return `open for ${formatDuration(Math.max(0, now - state.since))}`;
    case 'waiting':
      return `reconnecting in ${formatDuration(Math.max(0, state.until - now))} (attempt ${state.attempt})`;
    case 'closed':
      return `closed: ${state.why}`;
  }
}

/** An imported connection that was still running when captured is not running now: it says so. */
function describeCaptured(state: ConnectionState, capturedAt: number | null, now: number): string {
  if (capturedAt === null) return describeState(state, now);
  const text = describeState(state, capturedAt);
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
}

export function ConnectionList(p: ConnectionListProps) {
  if (p.connections.length === 0) {
    return <div class="empty">{p.empty ?? 'No connections yet. Fill in the form above and press Connect.'}</div>;
  }
  return (
    <ul class="connection-list" role="listbox" aria-label="Connections">
      {p.connections.map((c) => (
        <li
          key={c.id}
          class={`connection-item phase-${c.state.phase} ${p.selected === c.id ? 'selected' : ''}`}
          data-testid="connection-item"
          data-id={c.id}
          data-phase={c.state.phase}
          role="option"
          aria-selected={p.selected === c.id}
          onClick={() => p.onSelect(c.id)}
        >
          <div class="row">
            <span class={`dot ${c.state.phase}${c.state.phase === 'closed' && c.state.lastEnd ? ` tone-${END_TONES[c.state.lastEnd]}` : ''}`} aria-hidden="true" />
            <span class="label mono" title={safeText(c.config.url)}>
              <SafeText text={c.label} />
            </span>
          </div>
          <div class="state" data-testid="connection-state">
            <SafeText text={describeCaptured(c.state, p.capturedAt.get(c.id) ?? null, p.now)} />
          </div>
          <div class="row stats">
            <span>
              {c.stats.events.toLocaleString('en-US')} event{c.stats.events === 1 ? '' : 's'} · {formatBytes(c.stats.bytes)} · {c.stats.attempts} attempt{c.stats.attempts === 1 ? '' : 's'}
            </span>
            <span class="spacer" />
            {p.readOnly.has(c.id) ? (
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
            <button class="small icon" data-testid="remove-button" title="Remove this connection and its timeline" onClick={(e) => (e.stopPropagation(), p.onRemove(c.id))}>
              ✕
            </button>
          </div>
        </li>
      ))}
    </ul>
  );
}
