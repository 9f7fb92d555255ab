/** The toolbar's "Complete capture" switch and its explanation: what it sees, and what it costs. */
import type { CompleteControl } from './complete.js';

export function CompleteToggle({ complete }: { complete: CompleteControl }) {
  const on = complete.on.value;
  const title = !complete.available
    ? complete.kind === 'none'
      ? 'Complete capture needs Chromium\'s debugger API or Firefox\'s response filters, which this browser lacks'
      : 'Complete capture needs the panel inside DevTools, where there is an inspected tab'
    : on
      ? 'Stop complete capture (detaches the debugger from this tab)'
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
  return (
    <div class="observe-bar" data-testid="complete-bar" role="region" aria-label="Complete capture">
      {(explaining || on) && (complete.kind === 'filter' ? <FilterExplanation /> : <DebuggerExplanation />)}
      {explaining && (
        <div class="row">
          <button class="small" data-testid="complete-confirm" onClick={() => complete.confirm()}>
            Switch on complete capture
          </button>
          <button class="small" data-testid="complete-cancel" onClick={() => complete.cancel()}>
            Not now
          </button>
        </div>
      )}
      {on && (
        <span class="hint" data-testid="complete-status">
          complete capture on: the debugger is attached to this tab
        </span>
      )}
      {why !== null && (
        <div class="field-error" data-testid="complete-problem" role="alert">
          {why}
        </div>
      )}
    </div>
  );
}

function DebuggerExplanation() {
  return (
    <div class="hint" data-testid="complete-explanation">
      Complete capture reads this tab's traffic through Chrome's debugger (the <span class="mono">debugger</span> permission): every stream the page opens from now on, in every frame, with
      the request as it left the browser (its cookies and the headers the browser adds, an EventSource's <span class="mono">Last-Event-ID</span> on each reconnect) and the raw bytes of the
      response, so every event type shows, also types the page does not listen to, with ids, <span class="mono">retry:</span> and comments exactly as sent. An EventSource's reconnects are
      attempts of one connection, each with why it ended and the <span class="mono">Last-Event-ID</span> it sent. The page is not changed and nothing is requested again. While it is on, Chrome shows the bar "SSE DevTools started debugging this browser" above the
      page (the page gets a little less room); pressing Cancel there stops the capture. "Observe this tab" (a hook in the page) needs no bar but sees only what the page's own code sees: the event
      types it listens to.
    </div>
  );
}

function FilterExplanation() {
  return (
    <div class="hint" data-testid="complete-explanation">
      Complete capture filters this tab's event-stream responses (<span class="mono">webRequest.filterResponseData</span>; Firefox asks once for the permissions and the site): every byte is
      passed on to the page unchanged and copied here, so every event type shows, also types the page does not listen to, with ids, <span class="mono">retry:</span> and comments exactly as
      sent, and the requests' headers as they left (an EventSource's <span class="mono">Last-Event-ID</span> on each reconnect); an EventSource's reconnects are attempts of one connection. No bar
      is shown. The catch: while a stream is filtered, the page's <span class="mono">reader.cancel()</span> no longer closes it (<span class="mono">abort()</span> and{' '}
      <span class="mono">EventSource.close()</span> still do), unless "Observe this tab" is on too: its hook in the page reports the cancel and that stream's filter steps aside. Switching complete
      capture off lets go of every stream at once. "Observe this tab" alone has no such catch but sees only the event types the page listens to.
    </div>
  );
}
