/** In the observe bar's details: the page's streams that started before observing, which only a reload lets the hook see. */
import { count } from '../../core/limits.js';
import type { StreamBefore } from '../../core/observe/before-observing.js';
import { SafeText } from '../../ui/components/SafeText.js';
import type { BeforeObservingStore } from './before-observing.js';

const FRAME = 'Opened by a frame of the page: after a reload the frame gets its hook as it loads, usually before its first script; a stream it opens before that is seen by complete capture only.';

function clock(time: number): string {
  return new Date(time).toLocaleTimeString('en-GB', { hour12: false });
}

function Stream({ s, frame, onReload }: { s: StreamBefore; frame: string | null; onReload(): void }) {
  const seen = s.events > 0 ? `${count(s.events)} event${s.events === 1 ? '' : 's'} so far${s.lastEventId === null ? '' : `, last id ${s.lastEventId}`}` : 'no event seen yet';
  return (
    <li class="before-item" data-testid="before-observing-item">
      <div class="before-line">
        <span class="badge before-badge">opened before observing</span>
        <span class="mono before-request" title={s.url}>
          {s.method} <SafeText text={s.url} />
        </span>
        <button class="small" data-testid="before-reload" onClick={onReload} title="Reload the inspected page with the hook running before its scripts: the page opens this stream again, observed">
          Reload and observe
        </button>
      </div>
      <div class="hint">
        {s.type} · {s.status === 0 ? 'no response yet' : `status ${s.status}`} · started {clock(s.startedAt)} by <SafeText text={s.initiator} /> · {seen}
      </div>
      {frame !== null && (
        <div class="hint" data-testid="before-observing-frame">
          {frame}
        </div>
      )}
      {s.headers.length > 0 && (
        <details class="before-headers">
          <summary class="hint">request headers ({s.headers.length}, secrets masked)</summary>
          <table class="headers mono">
            <tbody>
              {s.headers.map(([n, v], i) => (
                <tr key={i}>
                  <td>
                    <SafeText text={n} />
                  </td>
                  <td>
                    <SafeText text={v} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </li>
  );
}

export function BeforeObserving({ before, onReload }: { before: BeforeObservingStore; onReload(): void }) {
  if (!before.available) return null;
  const r = before.result.value;
  return (
    <div class="before-observing" data-testid="before-observing" aria-label="Streams opened before observing">
      <div class="row">
        <span class="hint" data-testid="before-observing-status">
          {r === null
            ? 'Looking in DevTools\' network log for streams opened before observing…'
            : r.streams.length === 0
              ? 'No stream of this page is open from before observing (DevTools\' network log lists requests since DevTools opened).'
              : `Opened before observing, so the hook cannot see them; from DevTools' network log${r.more > 0 ? ` (${count(r.more)} more not listed)` : ''}:`}
        </span>
        <button class="small" data-testid="before-look-again" disabled={before.looking.value} onClick={() => void before.look()} title="Read DevTools' network log again">
          Look again
        </button>
      </div>
      {r?.note && (
        <div class="hint" data-testid="before-observing-note">
          {r.note}
        </div>
      )}
      {r !== null && r.streams.length > 0 && (
        <ul class="before-list">
          {r.streams.map((s, i) => (
            <Stream key={i} s={s} frame={r.inFrame.has(s) ? FRAME : null} onReload={onReload} />
          ))}
        </ul>
      )}
    </div>
  );
}
