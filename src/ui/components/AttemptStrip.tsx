/**
 * Attempts over time, one bar each: where it started, how long it lived, coloured by why it ended,
 * with the reconnect delay after it as a gap. A reconnect storm or a cut every 60 s shows at a
 * glance; each bar's numbers are on hover.
 */
import { clock, formatDuration, safeText } from '../../core/describe.js';
import { END_TONES, TONE_LEGEND } from '../../core/end-tone.js';
import type { AttemptRecord } from '../../core/fold.js';

const HEIGHT = 18;

export function AttemptStrip({ attempts: records, now }: { attempts: readonly AttemptRecord[]; now: number }) {
  if (records.length === 0) return null;
  const attempts = records.map(({ summary: s, events, nextDelayMs }) => ({
    attempt: s.attempt,
    startedAt: s.startedAt,
    status: s.response?.status ?? null,
    endedAt: s.end?.at ?? null,
    reason: s.end?.reason ?? null,
    detail: s.end?.detail ?? '',
    events,
    nextDelayMs,
  }));
  const from = attempts[0]!.startedAt;
  const to = Math.max(now, ...attempts.map((a) => a.endedAt ?? now));
  const span = Math.max(1, to - from);
  const x = (t: number) => ((t - from) / span) * 100;
  const lifetimes = attempts.filter((a) => a.endedAt !== null).map((a) => a.endedAt! - a.startedAt);
  const median = lifetimes.length > 0 ? [...lifetimes].sort((a, b) => a - b)[Math.floor(lifetimes.length / 2)]! : null;
  return (
    <div class="attempt-strip" data-testid="attempt-strip">
      <span class="strip-label" title="Each bar is one attempt, from its request to its end; colour: why it ended">
        {attempts.length} attempt{attempts.length === 1 ? '' : 's'}
        {median !== null ? ` · median life ${formatDuration(median)}` : ''}
      </span>
      <svg class="strip" viewBox="0 0 100 18" preserveAspectRatio="none" height={HEIGHT} role="img" aria-label="Attempts over time">
        {attempts.map((a) => {
          const end = a.endedAt ?? now;
          const left = x(a.startedAt);
          const width = Math.max(0.25, x(end) - left);
          const title = [
            `Attempt #${a.attempt} at ${clock(a.startedAt)}`,
            a.status !== null ? `HTTP ${a.status}` : 'no response yet',
            a.endedAt !== null ? `lived ${formatDuration(a.endedAt - a.startedAt)}, ended ${a.reason}: ${safeText(a.detail)}` : `open for ${formatDuration(now - a.startedAt)}`,
            `${a.events} events`,
            a.nextDelayMs !== null ? `next attempt after ${formatDuration(a.nextDelayMs)}` : '',
          ]
            .filter(Boolean)
            .join('\n');
          return (
            <g key={a.attempt} data-testid="attempt-bar" data-attempt={a.attempt} data-reason={a.reason ?? 'open'} data-tone={a.reason ? END_TONES[a.reason] : 'open'}>
              <title>{title}</title>
              <rect class={`bar tone-${a.reason ? END_TONES[a.reason] : 'open'}`} x={left} y={3} width={width} height={12} />
              {a.nextDelayMs !== null && a.endedAt !== null && <rect class="delay" x={x(a.endedAt)} y={8} width={Math.max(0.1, x(a.endedAt + a.nextDelayMs) - x(a.endedAt))} height={2} />}
            </g>
          );
        })}
      </svg>
      <details class="end-legend" data-testid="end-legend">
        <summary title="What the colours of the bars and of the timeline's attempt-ended rows mean">Legend</summary>
        <ul>
          {TONE_LEGEND.map(({ tone, label, reasons }) => (
            <li key={tone} data-tone={tone}>
              <span class={`swatch tone-${tone}`} aria-hidden="true" />
              <span class="legend-label">{label}</span> <span class="reasons">{reasons}</span>
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
