/** The panel: connections on the left, channels, the timeline and the selected row's detail. */
import { useSignal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import { checkUrl, type ConnectionConfig, type FieldError } from '../../core/config.js';
import type { TimelineEntry } from '../../core/timeline.js';
import { MAX_MAX_ENTRIES, MIN_MAX_ENTRIES } from '../../protocol/messages.js';
import type { Bridge } from '../bridge.js';
import { captureFileName, captureText, download } from '../export.js';
import { requestHostAccess } from '../permissions.js';
import type { TimelineStore } from '../store/timeline-store.js';
import type { ViewStore } from '../store/view-store.js';
import { ChannelList } from './ChannelList.js';
import { ConnectForm } from './ConnectForm.js';
import { ConnectionList } from './ConnectionList.js';
import { DetailPane } from './DetailPane.js';
import { AttemptStrip } from './AttemptStrip.js';
import { CopyAsCode } from './CopyAsCode.js';
import { SimulateBar } from './SimulateBar.js';
import { Timeline } from './Timeline.js';

function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** Binary search: entries are in seq order. */
function findBySeq(entries: readonly TimelineEntry[], seq: number): TimelineEntry | null {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = entries[mid]!.seq;
    if (s === seq) return entries[mid]!;
    if (s < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return null;
}

export function App({ store, view, bridge }: { store: TimelineStore; view: ViewStore; bridge: Bridge }) {
  const now = useNow(1000);
  const showForm = useSignal(true);
  const showCode = useSignal(false);
  const revision = store.revision.value;
  const list = store.list();
  const selectedId = view.selectedConnection.value ?? list.at(-1)?.info.id ?? null;
  const selected = selectedId ? (store.connections.get(selectedId) ?? null) : null;
  const rows = selected ? view.rowsFor(selected) : [];
  const selectedEntry = selected && view.selectedSeq.value !== null ? findBySeq(selected.entries, view.selectedSeq.value) : null;
  const request = selected && selectedEntry?.kind === 'response' ? (selected.entries.find((e) => e.kind === 'attempt-started' && e.attempt === selectedEntry.attempt) ?? null) : null;
  const eventCount = selected ? [...selected.channels.values()].reduce((n, c) => n + c.count, 0) : 0;
  const [capDraft, setCapDraft] = useState<string | null>(null);

  async function connect(config: ConnectionConfig): Promise<FieldError[]> {
    // Asked first, synchronously in the click, or the browser refuses for want of a user gesture.
    const access = checkUrl(config.url) === null ? requestHostAccess(config.url) : Promise.resolve(true);
    if (!(await access)) return [{ field: 'url', message: `Access to ${new URL(config.url).origin} was not granted, so SSE DevTools cannot connect to it.` }];
    const result = await bridge.connect(config);
    if (result.connectionId) {
      view.selectedConnection.value = result.connectionId;
      view.selectedSeq.value = null;
      view.showAll();
    }
    return result.errors;
  }

  const settings = store.settings.value;
  const capError = capDraft !== null && !(Number(capDraft) >= MIN_MAX_ENTRIES && Number(capDraft) <= MAX_MAX_ENTRIES && Number.isInteger(Number(capDraft)));

  return (
    <div class="app" data-revision={revision}>
      <header class="toolbar">
        <button class={showForm.value ? 'on' : ''} data-testid="toggle-form" onClick={() => (showForm.value = !showForm.value)} title="Show or hide the connection form">
          + New connection
        </button>
        <span class="sep" />
        <button data-testid="export-selected" disabled={!selected} onClick={() => selected && download(captureText([selected]), captureFileName())} title="Save the selected connection as a capture file (secrets redacted)">
          Export selected
        </button>
        <button data-testid="export-all" disabled={list.length === 0} onClick={() => download(captureText(list), captureFileName())} title="Save every connection as one capture file (secrets redacted)">
          Export all
        </button>
        <button class={showCode.value ? 'on' : ''} data-testid="copy-as-code-button" disabled={!selected} onClick={() => (showCode.value = !showCode.value)} title="The selected connection as curl, browser, Android or iOS code">
          Copy as code
        </button>
        <span class="spacer" />
        {settings && (
          <label class="cap" title="Entries kept per connection; past it the oldest are dropped and the timeline says how many">
            keep
            <input
              class={`num ${capError ? 'invalid' : ''}`}
              data-testid="cap-input"
              value={capDraft ?? String(settings.maxEntriesPerConnection)}
              onInput={(e) => setCapDraft(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !capError && capDraft !== null) {
                  bridge.setSettings({ maxEntriesPerConnection: Number(capDraft) });
                  setCapDraft(null);
                }
              }}
              onBlur={() => {
                if (!capError && capDraft !== null) bridge.setSettings({ maxEntriesPerConnection: Number(capDraft) });
                setCapDraft(null);
              }}
            />
            entries/connection
            {capError && <span class="field-error inline">{`${MIN_MAX_ENTRIES.toLocaleString('en-US')}–${MAX_MAX_ENTRIES.toLocaleString('en-US')}`}</span>}
          </label>
        )}
        <span class={`status ${store.connected.value ? 'ok' : 'down'}`} data-testid="background-status" title={store.connected.value ? 'Connected to the background' : 'Reconnecting to the background…'}>
          {store.connected.value ? '●' : '○ reconnecting'}
        </span>
      </header>
      <div class="main">
        <aside class="sidebar">
          {showForm.value && <ConnectForm onConnect={connect} />}
          <div class="section-title pad">Connections</div>
          <ConnectionList
            connections={list.map((v) => v.info)}
            selected={selectedId}
            now={Math.max(now, Date.now())}
            onSelect={(id) => {
              view.selectedConnection.value = id;
              view.selectedSeq.value = null;
              view.showAll();
            }}
            onDisconnect={(id) => bridge.send({ type: 'disconnect', connectionId: id })}
            onReconnect={(id) => bridge.send({ type: 'reconnect', connectionId: id })}
            onRemove={(id) => bridge.send({ type: 'remove', connectionId: id })}
          />
        </aside>
        <aside class="channels">
          <div class="section-title pad">Channels</div>
          {selected ? (
            <ChannelList
              channels={[...selected.channels.entries()].sort((a, b) => a[0].localeCompare(b[0]))}
              selected={view.channels.value}
              total={eventCount}
              rate={(stat) => store.rate(stat, now)}
              onToggle={view.toggleChannel}
              onAll={view.showAll}
            />
          ) : (
            <div class="empty">—</div>
          )}
        </aside>
        <section class="content">
          {selected && (
            <>
              {showCode.value && (
                <CopyAsCode config={selected.info.config} channels={[...selected.channels.keys()]} loadSecrets={() => bridge.secrets(selected.info.id)} onClose={() => (showCode.value = false)} />
              )}
              <AttemptStrip attempts={selected.attempts} now={now} />
              <SimulateBar
                active={selected.info.faults ?? []}
                disabled={selected.info.state.phase === 'closed'}
                onStart={(fault) => bridge.send({ type: 'fault', connectionId: selected.info.id, fault })}
                onStop={(kind) => bridge.send({ type: 'stop-fault', connectionId: selected.info.id, kind })}
              />
            </>
          )}
          <div class="filterbar">
            <input class="grow" type="search" data-testid="filter-input" placeholder="Filter data, ids, channels" value={view.text.value} onInput={(e) => (view.text.value = e.currentTarget.value)} aria-label="Filter" />
            <label class="check">
              <input type="checkbox" data-testid="toggle-comments" checked={view.comments.value} onChange={(e) => (view.comments.value = e.currentTarget.checked)} /> heartbeats
            </label>
            <label class="check">
              <input type="checkbox" data-testid="toggle-lifecycle" checked={view.lifecycle.value} onChange={(e) => (view.lifecycle.value = e.currentTarget.checked)} /> lifecycle
            </label>
            <span class="rowcount" data-testid="row-count">
              {rows.length.toLocaleString('en-US')} rows
            </span>
          </div>
          {selected ? (
            <Timeline rows={rows} revision={revision} profile={selected.info.config.profile ?? null} selectedSeq={view.selectedSeq.value} gaps={selected.gaps} onSelect={(seq) => (view.selectedSeq.value = seq)} />
          ) : (
            <div class="timeline empty">Connect to a stream to see its timeline.</div>
          )}
          <DetailPane entry={selectedEntry} request={request} profile={selected?.info.config.profile ?? null} />
        </section>
      </div>
    </div>
  );
}
