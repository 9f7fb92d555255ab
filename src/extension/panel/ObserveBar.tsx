/** The toolbar's "Observe this tab" toggle and, while it is on, what the hook mode sees and does not. */
import { count } from '../../core/limits.js';
import type { ObservedFrame, ObservedIntake } from '../../protocol/messages.js';
import { SafeText } from '../../ui/components/SafeText.js';
import type { Observer } from './observe.js';
import { BeforeObserving } from './BeforeObserving.js';

export function ObserveToggle({ observer }: { observer: Observer }) {
  const on = observer.on.value;
  const title = observer.available
    ? on
      ? 'Stop observing the streams of the inspected page'
      : `See the streams the inspected page opens (fetch, XHR, EventSource)${observer.origin.value ? `; remembered for ${observer.origin.value}` : ''}`
    : 'Observing needs the panel inside DevTools, where there is an inspected tab';
  return (
    <button class={on ? 'on' : ''} data-testid="observe-toggle" aria-pressed={on} disabled={!observer.available} title={title} onClick={() => void observer.setOn(!on)}>
      {on ? '◉' : '○'} Observe this tab
    </button>
  );
}

function describeIntake(intake: ObservedIntake | null): string | null {
  if (!intake) return null;
  const parts = [
    intake.invalid > 0 ? `${count(intake.invalid)} not valid` : '',
    intake.limited > 0 ? `${count(intake.limited)} over the tab's rate limit` : '',
    intake.hookDropped > 0 ? `${count(intake.hookDropped)} dropped by the page's hook (its queue was full)` : '',
    intake.cut > 0 ? `${count(intake.cut)} cut by the panel (a poll returned more than it forwards at once)` : '',
  ].filter(Boolean);
  return parts.length === 0 ? null : `Records from the page dropped: ${parts.join(', ')}.`;
}

/** What each state of an iframe means for the user; `hooked` frames need no word. */
const FRAME_STATE: Record<Exclude<ObservedFrame['state'], 'hooked'>, string> = {
  late: 'the hook came after this frame\'s first script: streams it opened before are not seen (Reload and observe; complete capture sees them all)',
  'no-access': 'not observed: SSE DevTools may not run scripts on this site',
  failed: 'not observed',
};

/** The iframes the hook does not fully cover, each with why, so nothing is lost silently. */
function FrameList({ observer }: { observer: Observer }) {
  const frames = observer.frames.value;
  if (frames === null) return null;
  const uncovered = frames.filter((f) => f.state !== 'hooked');
  return (
    <div class="hint" data-testid="observe-frames">
      {frames.length === 0 ? 'No iframes.' : `${count(frames.length)} iframe${frames.length === 1 ? '' : 's'}, ${count(frames.length - uncovered.length)} observed from their start.`}
      {uncovered.length > 0 && (
        <ul class="observe-frames">
          {uncovered.map((f, i) => (
            <li key={i} data-testid="observe-frame" data-state={f.state}>
              <span class="mono"><SafeText text={f.url} /></span> — {FRAME_STATE[f.state as keyof typeof FRAME_STATE]}
              {f.detail !== '' && (
                <>
                  {' ('}
                  <SafeText text={f.detail} />)
                </>
              )}
              {f.state === 'no-access' && (
                <button class="small" data-testid="allow-frame" onClick={() => observer.allowFrame(f.url)} title="Ask the browser for access to this site, so the hook can run in its frames">
                  Allow
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ObserveBar({ observer, intake }: { observer: Observer; intake: ObservedIntake | null }) {
  const problem = observer.problem.value;
  if (!observer.on.value && problem === null) return null;
  const dropped = describeIntake(intake);
  return (
    <div class="observe-bar" data-testid="observe-bar" role="region" aria-label="Observing this tab">
      <div class="hint">
        Observing {observer.origin.value ?? 'this tab'} with a hook in the page: it sees the page's fetch and XHR streams and the EventSource event types the page listens to (not
        other types, comments, <span class="mono">retry:</span> or an EventSource's request; complete capture sees those), in the page and in its iframes. Streams opened before observing began are invisible.
      </div>
      <div class="row">
        <button class="small" data-testid="reload-and-observe" onClick={() => void observer.reloadAndObserve()} title="Reload the inspected page with the hook running before any of its own scripts">
          Reload and observe
        </button>
        <span class="hint" data-testid="observe-status">{observer.hooked.value ? 'hook active in the page' : 'no hook in the page yet: reload to observe from the start'}</span>
      </div>
      {observer.on.value && <BeforeObserving observer={observer} />}
      <FrameList observer={observer} />
      {problem && (
        <div class="field-error" data-testid="observe-problem" role="alert">
          {problem}
        </div>
      )}
      {dropped && (
        <div class="hint" data-testid="observe-dropped">
          {dropped}
        </div>
      )}
    </div>
  );
}
