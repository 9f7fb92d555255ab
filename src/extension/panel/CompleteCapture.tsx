/** The toolbar's "Complete capture" switch and its explanation: what it sees, and what it costs. */
import type { ComponentChildren } from 'preact';
import type { CompleteControl, CompleteKind } from './complete.js';
import { StatusLine } from './StatusLine.js';

/** What each browser's complete capture is called where the panel speaks of it. */
const WORDS: Record<Exclude<CompleteKind, 'none'>, { stop: string; on: string }> = {
  debugger: { stop: 'Stop complete capture (detaches the debugger from this tab)', on: 'the debugger is attached to this tab' },
  filter: { stop: 'Stop complete capture (lets go of every filtered stream of this tab)', on: 'this tab\'s event-stream responses are filtered' },
};

export function CompleteToggle({ complete }: { complete: CompleteControl }) {
  const on = complete.on.value;
  const title = !complete.available
    ? complete.kind === 'none'
      ? 'Complete capture needs Chromium\'s debugger API or Firefox\'s response filters, which this browser lacks'
      : 'Complete capture needs the panel inside DevTools, where there is an inspected tab'
    : on
      ? WORDS[complete.kind as keyof typeof WORDS].stop
      : 'See every stream of this tab from the network layer: every event type, raw bytes, the requests as sent';
  return (
    <button class={on ? 'on' : ''} data-testid="complete-toggle" aria-pressed={on} aria-expanded={complete.explaining.value} disabled={!complete.available || complete.pending.value} title={title} onClick={() => complete.toggle()}>
      {on ? '◉' : '○'} Complete capture
    </button>
  );
}

export function CompleteBar({ complete }: { complete: CompleteControl }) {
  const why = complete.why.value;
  const explaining = complete.explaining.value;
  const on = complete.on.value;
  if (!explaining && !on && why === null) return null;
  const words = complete.kind === 'none' ? null : WORDS[complete.kind];
  const explanation = complete.kind === 'filter' ? <FilterExplanation /> : <DebuggerExplanation />;
  const problem = why !== null && (
    <div class="field-error" data-testid="complete-problem" role="alert">
      {why}
    </div>
  );
  if (on && words && !explaining) {
    return (
      <StatusLine
        testId="complete-bar"
        label="Complete capture"
        detailsTitle="What complete capture sees, and what it costs"
        head={
          <>
            <span class="status-mode">Complete capture</span>
            <span class="status-tally ok" data-testid="complete-status" title={words.on}>
              on: {words.on}
            </span>
          </>
        }
        after={problem}
      >
        {explanation}
      </StatusLine>
    );
  }
  return (
    <div class="observe-bar" data-testid="complete-bar" role="region" aria-label="Complete capture">
      {explaining && explanation}
      {explaining && (
        <div class="row">
          <button class="small primary" data-testid="complete-confirm" onClick={() => complete.confirm()}>
            Switch on complete capture
          </button>
          <button class="small" data-testid="complete-cancel" onClick={() => complete.cancel()}>
            Not now
          </button>
        </div>
      )}
      {problem}
    </div>
  );
}

function Explanation({ children }: { children: ComponentChildren }) {
  return (
    <ul class="hint explain" data-testid="complete-explanation">
      {children}
    </ul>
  );
}

function DebuggerExplanation() {
  return (
    <Explanation>
      <li>
        <b>Sees</b> every stream this tab opens from now on, in every frame, through Chrome's debugger (the <span class="mono">debugger</span> permission): every event type, also types the page
        does not listen to, with ids, <span class="mono">retry:</span> and comments as sent; the requests as they left the browser (cookies, an EventSource's <span class="mono">Last-Event-ID</span>);
        an EventSource's reconnects as attempts of one connection.
      </li>
      <li>
        <b>Costs</b>: while it is on, Chrome shows the bar "SSE DevTools started debugging this browser" above the page (the page gets a little less room); Cancel there stops the capture.
      </li>
      <li>The page is not changed and nothing is requested again. "Observe this tab" needs no bar but sees only the event types the page listens to.</li>
    </Explanation>
  );
}

function FilterExplanation() {
  return (
    <Explanation>
      <li>
        <b>Sees</b> every event-stream response of this tab (<span class="mono">webRequest.filterResponseData</span>): each byte is passed on to the page unchanged and copied here, so every
        event type shows, also types the page does not listen to, with ids, <span class="mono">retry:</span> and comments as sent, and the requests' headers as they left (an EventSource's{' '}
        <span class="mono">Last-Event-ID</span> on each reconnect). No bar is shown.
      </li>
      <li>
        <b>Permissions</b>: <span class="mono">webRequest</span>, <span class="mono">webRequestBlocking</span> and <span class="mono">webRequestFilterResponse</span> (asked at install) and access to
        the page's site: for a site not allowed yet, a tab opens where Firefox asks once.
      </li>
      <li>
        <b>The catch</b>: while a stream is filtered, the page's <span class="mono">reader.cancel()</span> does not close it (<span class="mono">abort()</span> and{' '}
        <span class="mono">EventSource.close()</span> still do), unless "Observe this tab" is on too: its hook reports the cancel and that stream's filter steps aside. Switching off lets go of every
        stream at once.
      </li>
    </Explanation>
  );
}
