/**
 * The toolbar's "Observe this tab" toggle and, while it is on, one status line: the mode, whether
 * the hook is in the page, and a count for each thing not observed (streams opened before, iframes
 * hooked late or not at all, records dropped), each with a warning mark. What the mode sees, and
 * the lists behind each count, are behind the line's disclosure.
 */
import { useEffect, useMemo } from 'preact/hooks';
import { count } from '../../core/limits.js';
import type { ObservedFrame, ObservedIntake } from '../../protocol/messages.js';
import { SafeText } from '../../ui/components/SafeText.js';
import type { Observer } from './observe.js';
import { BeforeObserving } from './BeforeObserving.js';
import { createBeforeObserving } from './before-observing.js';
import { StatusLine, type Tally } from './StatusLine.js';

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

const INTAKE_PARTS: [keyof Pick<ObservedIntake, 'invalid' | 'limited' | 'hookDropped' | 'cut'>, string][] = [
  ['invalid', 'not valid'],
  ['limited', 'over the tab\'s rate limit'],
  ['hookDropped', 'dropped by the page\'s hook (its queue was full)'],
  ['cut', 'cut by the panel (a poll returned more than it forwards at once)'],
];

function dropped(intake: ObservedIntake | null): { total: number; text: string | null } {
  const parts = intake ? INTAKE_PARTS.filter(([k]) => intake[k] > 0).map(([k, what]) => ({ n: intake[k], text: `${count(intake[k])} ${what}` })) : [];
  const total = parts.reduce((sum, p) => sum + p.n, 0);
  return { total, text: parts.length === 0 ? null : `Records from the page dropped: ${parts.map((p) => p.text).join(', ')}.` };
}

/** What each state of an iframe means for the user; `hooked` frames need no word. */
const FRAME_STATE: Record<Exclude<ObservedFrame['state'], 'hooked'>, string> = {
  late: 'the hook came after this frame\'s first script: streams it opened before are not seen (Reload and observe; complete capture sees them all)',
  'no-access': 'not observed: SSE DevTools may not run scripts on this site',
  failed: 'not observed',
};

/** The iframes the hook does not fully cover, each with why, so nothing is lost silently. */
function FrameList({ observer, frames }: { observer: Observer; frames: ObservedFrame[] }) {
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

const HOOK_SEES =
  'A hook in the page sees its fetch and XHR streams and the EventSource event types the page listens to, in the page and its iframes; not other event types, comments, retry: or an EventSource\'s request (complete capture sees those). Streams opened before observing began are invisible to it.';

export function ObserveBar({ observer, intake }: { observer: Observer; intake: ObservedIntake | null }) {
  const on = observer.on.value;
  const before = useMemo(() => createBeforeObserving(), []);
  useEffect(() => {
    if (!on) return;
    before.start();
    return () => before.stop();
  }, [before, on]);
  const problem = observer.problem.value;
  if (!on && problem === null) return null;
  const lost = dropped(intake);
  const frames = observer.frames.value;
  const late = frames?.filter((f) => f.state !== 'hooked').length ?? 0;
  const opened = before.result.value;
  const tallies: Tally[] = [
    ...(on && opened && opened.streams.length > 0
      ? [{ key: 'before', text: `${count(opened.streams.length + opened.more)} stream${opened.streams.length + opened.more === 1 ? '' : 's'} from before observing`, warn: true, title: 'Streams the page opened before the hook: it cannot see them. Reload and observe opens them again, observed.' }]
      : []),
    ...(frames && frames.length > 0
      ? [{ key: 'frames', text: `iframes ${count(frames.length - late)}/${count(frames.length)} from start`, warn: late > 0, title: late > 0 ? `${count(late)} iframe${late === 1 ? '' : 's'} hooked late or not at all: see the details` : 'Every iframe is observed from its start' }]
      : []),
    ...(lost.text ? [{ key: 'dropped', text: `${count(lost.total)} dropped`, warn: true, title: lost.text }] : []),
  ];
  const hooked = observer.hooked.value;
  return (
    <StatusLine
      testId="observe-bar"
      label="Observing this tab"
      detailsTitle="What the hook sees, the streams opened before observing, the iframes"
      head={
        <>
          <span class="status-mode" title={`${observer.origin.value ?? 'This tab'}: ${HOOK_SEES}`}>
            Observing
          </span>
          <span class={`status-tally${hooked ? ' ok' : ' warn'}`} data-testid="observe-status" title={hooked ? 'The hook is in the page and reports its streams' : 'No hook in the page yet: streams the page opened before are not seen; Reload and observe to see them from the start'}>
            {hooked ? 'hook active' : '⚠ no hook in the page yet'}
          </span>
        </>
      }
      tallies={tallies}
      actions={
        <button class="small" data-testid="reload-and-observe" onClick={() => void observer.reloadAndObserve()} title="Reload the inspected page with the hook running before any of its own scripts">
          Reload and observe
        </button>
      }
      after={
        problem && (
          <div class="field-error" data-testid="observe-problem" role="alert">
            {problem}
          </div>
        )
      }
    >
      <div class="hint">{HOOK_SEES}</div>
      {on && <BeforeObserving before={before} onReload={() => void observer.reloadAndObserve()} />}
      {frames !== null && <FrameList observer={observer} frames={frames} />}
      {lost.text && (
        <div class="hint" data-testid="observe-dropped">
          {lost.text}
        </div>
      )}
    </StatusLine>
  );
}
