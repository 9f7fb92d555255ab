/** The selected row in full: data pretty-printed when it is JSON, headers for lifecycle rows, copy buttons. */
import { useState } from 'preact/hooks';
import { clock, formatBytes, isoTime } from '../../core/describe.js';
import { clientError, profileById } from '../../core/profiles.js';
import type { HeaderPair, TimelineEntry } from '../../core/timeline.js';
import { copyText } from '../clipboard.js';
import { JsonTree, tryParseJson } from './JsonTree.js';
import { EntryText, SafeText } from './SafeText.js';

function CopyButton({ label, text, testid }: { label: string; text: () => string; testid: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      class="small"
      data-testid={testid}
      onClick={() =>
        void copyText(text()).then((ok) => {
          setDone(ok);
          setTimeout(() => setDone(false), 1200);
        })
      }
    >
      {done ? 'Copied' : label}
    </button>
  );
}

function Headers({ title, headers }: { title: string; headers: readonly HeaderPair[] }) {
  return (
    <>
      <div class="section-title">{title}</div>
      <table class="headers mono" data-testid="detail-headers">
        <tbody>
          {headers.map(([n, v], i) => (
            <tr key={i}>
              <th>
                <SafeText text={n} />
              </th>
              <td>
                <SafeText text={v} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Field({ name, value }: { name: string; value: string }) {
  return (
    <div class="field">
      <span class="fname">{name}</span>{' '}
      <span class="mono">
        <SafeText text={value} />
      </span>
    </div>
  );
}

export function DetailPane({ entry, request, profile }: { entry: TimelineEntry | null; request: TimelineEntry | null; profile: string | null }) {
  const [raw, setRaw] = useState(false);
  if (!entry) return <div class="detail empty">Select a row to see it in full.</div>;
  const asJson = () => JSON.stringify(entry, null, 2);
  return (
    <div class="detail" data-testid="detail-pane">
      <div class="detail-bar">
        <span class="title">
          {entry.kind === 'event' ? (
            <>
              Event on <SafeText text={entry.type} />
            </>
          ) : (
            <EntryText entry={entry} />
          )}
        </span>
        <span class="spacer" />
        {entry.kind === 'event' && <CopyButton label="Copy data" testid="copy-data" text={() => entry.data} />}
        <CopyButton label="Copy as JSON" testid="copy-json" text={asJson} />
      </div>
      <div class="detail-body">
        <Field name="time" value={`${isoTime(entry.time)} (${clock(entry.time)} local)`} />
        <Field name="attempt" value={`#${entry.attempt} · seq ${entry.seq}`} />
        {entry.kind === 'event' && <EventDetail entry={entry} raw={raw} setRaw={setRaw} />}
        {entry.kind === 'attempt-started' && <Headers title="Request headers" headers={entry.headers} />}
        {entry.kind === 'response' && (
          <>
            <Field name="status" value={`${entry.status} ${entry.statusText}`} />
            <Field name="url" value={entry.url} />
            <Field name="time to headers" value={`${entry.timeToHeadersMs} ms`} />
            {request?.kind === 'attempt-started' && <Headers title="Request headers" headers={request.headers} />}
            <Headers title="Response headers" headers={entry.headers} />
          </>
        )}
        {entry.kind === 'attempt-ended' && (
          <>
            <Field name="reason" value={entry.reason + (entry.status !== null ? ` ${entry.status}` : '')} />
            <Field name="detail" value={entry.detail} />
            <Field name="lived" value={`${entry.durationMs} ms, ${formatBytes(entry.bytes)}, ${entry.events} events`} />
            {profile && <Field name={profileById(profile)?.name ?? profile} value={clientError(profile, entry.reason, entry.status) ?? ''} />}
          </>
        )}
        {entry.kind === 'reconnect-scheduled' && (
          <>
            <Field name="delay" value={`${entry.delayMs} ms`} />
            <Field name="why" value={entry.why} />
            <Field name="will send Last-Event-ID" value={entry.lastEventId ?? '(none)'} />
          </>
        )}
        {entry.kind === 'comment' && <pre class="data mono" data-testid="detail-data">
            <SafeText text={entry.text} lines />
          </pre>}
        {entry.kind === 'ignored-line' && <pre class="data mono" data-testid="detail-data">
            <SafeText text={entry.line} lines />
          </pre>}
      </div>
    </div>
  );
}

function EventDetail({ entry, raw, setRaw }: { entry: Extract<TimelineEntry, { kind: 'event' }>; raw: boolean; setRaw(v: boolean): void }) {
  const parsed = tryParseJson(entry.data);
  return (
    <>
      <Field name="channel" value={entry.type} />
      <Field name="id" value={entry.id === null ? '(no id field)' : entry.id === '' ? '(empty: resets the last event id)' : entry.id} />
      <Field name="last event id" value={entry.lastEventId} />
      <Field name="size" value={formatBytes(entry.size)} />
      <div class="section-title">
        Data
        {parsed.ok && (
          <button class="link" data-testid="toggle-raw" onClick={() => setRaw(!raw)}>
            {raw ? 'pretty' : 'raw'}
          </button>
        )}
      </div>
      {parsed.ok && !raw ? <JsonTree value={parsed.value} /> : <pre class="data mono" data-testid="detail-data">
          <SafeText text={entry.data} lines />
        </pre>}
    </>
  );
}
