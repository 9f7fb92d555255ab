/** The selected row in full: data pretty-printed when it is JSON, headers for lifecycle rows, copy buttons. */
import { useState } from 'preact/hooks';
import { clock, describeBodySize, formatBytes, isoTime } from '../../core/describe.js';
import { clientError, profileById } from '../../core/profiles.js';
import type { HeaderPair, HeaderSource, RequestSentEntry, ResponseBody, TimelineEntry } from '../../core/timeline.js';
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

/** One header, escaped as text; with where it came from when that is known. */
function HeaderRow({ name, value, source }: { name: string; value: string; source?: HeaderSource }) {
  return (
    <tr data-source={source}>
      <th>
        <SafeText text={name} />
      </th>
      <td>
        <SafeText text={value} />
      </td>
      {source && (
        <td class={`source source-${source}`} title={SOURCE_LABEL[source].title}>
          {SOURCE_LABEL[source].text}
        </td>
      )}
    </tr>
  );
}

function Headers({ title, headers }: { title: string; headers: readonly HeaderPair[] }) {
  return (
    <>
      <div class="section-title">{title}</div>
      <table class="headers mono" data-testid="detail-headers">
        <tbody>
          {headers.map(([n, v], i) => (
            <HeaderRow key={i} name={n} value={v} />
          ))}
        </tbody>
      </table>
    </>
  );
}

const SOURCE_LABEL: Record<HeaderSource, { text: string; title: string }> = {
  form: { text: 'form', title: 'As typed in the connection form' },
  'sse-devtools': { text: 'SSE DevTools', title: "Added by SSE DevTools: Accept, Last-Event-ID, the connection's own cookies, a simulation's headers" },
  browser: { text: 'browser', title: 'Added or changed by the browser (or the HTTP client), not asked for' },
};

/** The request as it went out, each header with where it came from; what was asked for but not sent, apart. */
function SentHeaders({ entry }: { entry: RequestSentEntry }) {
  return (
    <>
      <div class="section-title">{entry.observed ? 'Request headers as sent' : 'Request headers as configured (not observed)'}</div>
      <div class="hint" data-testid="sent-detail">{entry.detail}</div>
      <table class="headers mono" data-testid="sent-headers">
        <tbody>
          {entry.headers.map(([n, v, source], i) => (
            <HeaderRow key={i} name={n} value={v} source={source} />
          ))}
        </tbody>
      </table>
      {entry.dropped.length > 0 && <Headers title="Asked for but not sent" headers={entry.dropped} />}
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

const REQUEST_TITLES = {
  lab: 'Request headers as configured',
  hook: 'Request headers the page set (the browser adds others a hook cannot see)',
  complete: 'Request headers as the browser sent them',
} as const;

export interface DetailPaneProps {
  entry: TimelineEntry | null;
  /** For a response: its request. */
  request: TimelineEntry | null;
  /** For a refused response: its body, kept on the attempt's end. */
  body?: ResponseBody | null;
  profile: string | null;
  /**
   * The connection is a stream the page opened, seen by its hook (the headers the page set, not the
   * browser's) or by complete capture (the headers as they left); null for the lab's own.
   */
  observed?: 'hook' | 'complete' | null;
}

export function DetailPane({ entry, request, body = null, profile, observed = null }: DetailPaneProps) {
  const [raw, setRaw] = useState(false);
  const requestTitle = REQUEST_TITLES[observed ?? 'lab'];
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
        {entry.kind === 'attempt-started' && <Headers title={requestTitle} headers={entry.headers} />}
        {entry.kind === 'request-sent' && <SentHeaders entry={entry} />}
        {entry.kind === 'response' && (
          <>
            <Field name="status" value={`${entry.status} ${entry.statusText}`} />
            <Field name="url" value={entry.url} />
            <Field name="time to headers" value={`${entry.timeToHeadersMs} ms`} />
            {request?.kind === 'attempt-started' && <Headers title={requestTitle} headers={request.headers} />}
            {request?.kind === 'request-sent' && <SentHeaders entry={request} />}
            <Headers title="Response headers" headers={entry.headers} />
            {body && <Body body={body} raw={raw} setRaw={setRaw} />}
          </>
        )}
        {entry.kind === 'attempt-ended' && (
          <>
            <Field name="reason" value={entry.reason + (entry.status !== null ? ` ${entry.status}` : '')} />
            <Field name="detail" value={entry.detail} />
            <Field name="lived" value={`${entry.durationMs} ms, ${formatBytes(entry.bytes)}, ${entry.events} events`} />
            {profile && <Field name={profileById(profile)?.name ?? profile} value={clientError(profile, entry.reason, entry.status) ?? ''} />}
            {entry.body && <Body body={entry.body} raw={raw} setRaw={setRaw} />}
          </>
        )}
        {entry.kind === 'reconnect-scheduled' && (
          <>
            <Field name="delay" value={entry.delayMs === null ? 'not known (the browser\'s own)' : `${entry.delayMs} ms`} />
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
  return (
    <>
      <Field name="channel" value={entry.type} />
      <Field name="id" value={entry.id === null ? '(no id field)' : entry.id === '' ? '(empty: resets the last event id)' : entry.id} />
      <Field name="last event id" value={entry.lastEventId} />
      <Field name="size" value={formatBytes(entry.size)} />
      <TextOrJson title="Data" text={entry.data} raw={raw} setRaw={setRaw} />
    </>
  );
}

/** What a refused response said: JSON as a tree, anything else (an HTML login page included) as text, never rendered. */
function Body({ body, raw, setRaw }: { body: ResponseBody; raw: boolean; setRaw(v: boolean): void }) {
  const note = (
    <span class="section-note" data-testid="detail-response-body-size">
      {body.contentType ?? 'no content-type'}, {describeBodySize(body)}
    </span>
  );
  return (
    <div data-testid="detail-response-body">
      <TextOrJson title="Response body" note={note} text={body.text} raw={raw} setRaw={setRaw} />
    </div>
  );
}

/** Untrusted text: a JSON tree when it parses (with a switch to the raw text), otherwise escaped text. */
function TextOrJson({ title, note, text, raw, setRaw }: { title: string; note?: preact.ComponentChildren; text: string; raw: boolean; setRaw(v: boolean): void }) {
  const parsed = tryParseJson(text);
  return (
    <>
      <div class="section-title">
        {title}
        {note}
        {parsed.ok && (
          <button class="link" data-testid="toggle-raw" onClick={() => setRaw(!raw)}>
            {raw ? 'pretty' : 'raw'}
          </button>
        )}
      </div>
      {parsed.ok && !raw ? <JsonTree value={parsed.value} /> : <pre class="data mono" data-testid="detail-data">
          <SafeText text={text} lines />
        </pre>}
    </>
  );
}
