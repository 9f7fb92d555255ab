/**
 * What the panel and the standalone viewer share: the connection list, channels, reconnect strip,
 * timeline and detail of the selected connection. Live-only parts (simulations, disconnect) come
 * in through `live`; the viewer passes none.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Fault, FaultKind } from '../../core/faults.js';
import type { TimelineEntry } from '../../core/timeline.js';
import type { TimelineStore } from '../store/timeline-store.js';
import type { RevealedSecrets } from '../../protocol/messages.js';
import type { ViewStore } from '../store/view-store.js';
import { AttemptStrip } from './AttemptStrip.js';
import { ChannelList } from './ChannelList.js';
import { ConnectionList } from './ConnectionList.js';
import { CopyAsCode } from './CopyAsCode.js';
import { DetailPane } from './DetailPane.js';
import { SimulateBar } from './SimulateBar.js';
import { Timeline } from './Timeline.js';

export interface LiveActions {
  disconnect(id: string): void;
  reconnect(id: string): void;
  remove(id: string): void;
  fault(id: string, fault: Fault): void;
  stopFault(id: string, kind: FaultKind): void;
  secrets(id: string): Promise<RevealedSecrets>;
}

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

/** The connections and the selected one; reading `revision` makes the caller re-render as they change. */
export function selectedView(store: TimelineStore, view: ViewStore) {
  void store.revision.value;
  const list = store.list();
  // A removed connection's id falls back to the newest, like no choice at all.
  const chosen = view.selectedConnection.value;
  const selected = (chosen !== null ? store.connections.get(chosen) : undefined) ?? list.at(-1) ?? null;
  return { list, selected };
}

export interface WorkspaceProps {
  store: TimelineStore;
  view: ViewStore;
  live: LiveActions | null;
  showCode: boolean;
  onCloseCode(): void;
  /** Above the connection list: the panel's connect form. */
  sidebarTop?: preact.ComponentChildren;
  empty: string;
  /** What the connection list says with no connection (default: the panel's, which points at its form). */
  emptyConnections?: preact.ComponentChildren;
}

export function Workspace({ store, view, live, showCode, onCloseCode, sidebarTop, empty, emptyConnections }: WorkspaceProps) {
  const now = useNow(1000);
  const revision = store.revision.value;
  const { list, selected } = selectedView(store, view);
  const rows = selected ? view.rowsFor(selected) : [];
  const selectedEntry = selected && view.selectedSeq.value !== null ? findBySeq(selected.entries, view.selectedSeq.value) : null;
  const request = selected && selectedEntry?.kind === 'response' ? (selected.entries.find((e) => e.kind === 'attempt-started' && e.attempt === selectedEntry.attempt) ?? null) : null;
  const eventCount = selected ? [...selected.channels.values()].reduce((n, c) => n + c.count, 0) : 0;
  const isLive = live !== null && selected !== null && selected.imported === null;
  const removeConnection = (id: string) => (store.connections.get(id)?.imported != null ? store.removeImported(id) : live?.remove(id));

  return (
    <div class="main" data-revision={revision}>
      <aside class="sidebar">
        {sidebarTop}
        <div class="section-title pad">Connections</div>
        <ConnectionList
          empty={emptyConnections}
          connections={list.map((v) => v.info)}
          readOnly={new Set(list.filter((v) => v.imported !== null || live === null).map((v) => v.info.id))}
          capturedAt={new Map(list.flatMap((v) => (v.capturedAt === null ? [] : [[v.info.id, v.capturedAt] as const])))}
          selected={selected?.info.id ?? null}
          now={Math.max(now, Date.now())}
          onSelect={(id) => {
            view.selectedConnection.value = id;
            view.selectedSeq.value = null;
            view.showAll();
          }}
          onDisconnect={(id) => live?.disconnect(id)}
          onReconnect={(id) => live?.reconnect(id)}
          onRemove={removeConnection}
        />
      </aside>
      <aside class="channels">
        <div class="section-title pad">Channels</div>
        {selected ? (
          <ChannelList
            channels={[...selected.channels.entries()].sort((a, b) => a[0].localeCompare(b[0]))}
            selected={view.channels.value}
            total={eventCount}
            // A capture's rates are those at its end, not now, long after.
            rate={(stat) => store.rate(stat, selected.imported === null ? now : (selected.entries.at(-1)?.time ?? now) + 1000)}
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
            {showCode && (
              <CopyAsCode
                key={selected.info.id}
                config={selected.info.config}
                channels={[...selected.channels.keys()]}
                loadSecrets={isLive ? () => live.secrets(selected.info.id) : null}
                onClose={onCloseCode}
              />
            )}
            <AttemptStrip attempts={selected.attempts} now={selected.imported === null ? now : (selected.entries.at(-1)?.time ?? now)} />
            {isLive && (
              <SimulateBar
                active={selected.info.faults ?? []}
                disabled={selected.info.state.phase === 'closed'}
                onStart={(fault) => live.fault(selected.info.id, fault)}
                onStop={(kind) => live.stopFault(selected.info.id, kind)}
              />
            )}
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
          <div class="timeline empty">{empty}</div>
        )}
        <DetailPane entry={selectedEntry} request={request} profile={selected?.info.config.profile ?? null} />
      </section>
    </div>
  );
}
