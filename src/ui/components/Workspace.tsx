/**
 * What the panel and the standalone viewer share: the connection list, channels, reconnect strip,
 * timeline and detail of the selected connection. Live-only parts (simulations, disconnect) come
 * in through `live`; the viewer passes none.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Fault, FaultKind } from '../../core/faults.js';
import type { TimelineEntry } from '../../core/timeline.js';
import type { TimelineStore } from '../store/timeline-store.js';
import type { RevealedSecrets } from '../../protocol/messages.js';
import type { ViewStore } from '../store/view-store.js';
import { SIZES, type LayoutStore, type Pane, type Size } from '../store/layout-store.js';
import { Divider } from './Divider.js';
import { AttemptStrip } from './AttemptStrip.js';
import { ChannelList } from './ChannelList.js';
import { ConnectionList } from './ConnectionList.js';
import { CopyAsCode } from './CopyAsCode.js';
import { DetailPane } from './DetailPane.js';
import { SimulateBar } from './SimulateBar.js';
import { Timeline } from './Timeline.js';
import { TimelineToolbar } from './TimelineToolbar.js';
import { LensPicker } from './LensPicker.js';
import { LensView, type LinkTarget } from './LensView.js';
import { createLensStore, type LensState } from '../store/lens-store.js';
import type { McpCall } from '../../core/lenses/lens.js';
import { createDoctorStore } from '../store/doctor-store.js';
import { openStreamsOfOrigin } from '../store/open-streams.js';
import { HealthView } from './HealthView.js';

export interface LiveActions {
  disconnect(id: string): void;
  reconnect(id: string): void;
  remove(id: string): void;
  fault(id: string, fault: Fault): void;
  stopFault(id: string, kind: FaultKind): void;
  secrets(id: string): Promise<RevealedSecrets>;
  /** An observed connection's request into the connect form. */
  openInLab?(id: string): void;
  /** The tab the panel inspects (null outside DevTools): its observed streams are listed first. */
  tabId?: number | null;
  /** Origin → the HTTP version it answers the inspected tab with, where DevTools' network log told. */
  httpVersions?: ReadonlyMap<string, string>;
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** Follows the element's width as it changes (DevTools docked, undocked, resized). */
function useWidth(ref: { current: HTMLElement | null }, width: LayoutStore['width']): void {
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => (width.value = el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
}

/** Health is a tab when narrow: above the timeline it would leave the timeline (and a lens with it) no room. */
const PANES: readonly { pane: Pane; label: string }[] = [
  { pane: 'connections', label: 'Connections' },
  { pane: 'timeline', label: 'Timeline' },
  { pane: 'detail', label: 'Detail' },
  { pane: 'health', label: 'Health' },
];

const DIVIDERS: Readonly<Record<Size, { orientation: 'vertical' | 'horizontal'; grows: 'before' | 'after'; label: string }>> = {
  sidebar: { orientation: 'vertical', grows: 'before', label: 'Resize the connections list' },
  channels: { orientation: 'vertical', grows: 'before', label: 'Resize the channels list' },
  detail: { orientation: 'horizontal', grows: 'after', label: 'Resize the detail pane' },
};

function PaneDivider({ layout, size }: { layout: LayoutStore; size: Size }) {
  return <Divider {...DIVIDERS[size]} testId={`divider-${size}`} value={layout.sizes[size].value} min={SIZES[size].min} max={SIZES[size].max} onResize={(to, done) => layout.resize(size, to, done)} />;
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

/**
 * The connection of an MCP call's request or response: seqs are per connection, and a session's
 * calls are spread over its POSTs. The call names the request's connection, and the response's when
 * it is another; a call the lens met without its request (its body unknown) is looked for: the
 * member whose entry at that seq carries the call's id.
 */
function connectionOfCall(state: LensState, selectedId: string, call: McpCall, which: 'request' | 'response'): string {
  const seq = which === 'request' ? call.requestSeq : call.responseSeq;
  const named = which === 'request' ? call.requestConnectionId : (call.connectionId ?? call.requestConnectionId);
  if (named !== null && state.members.some((m) => m.info.id === named)) return named;
  if (seq === null) return selectedId;
  const carries = (e: TimelineEntry | null): boolean =>
    e !== null && (e.kind === 'event' ? e.data.includes(call.id) : e.kind === 'attempt-started' ? (e.body ?? '').includes(call.id) : e.kind === 'attempt-ended' ? (e.body?.text ?? '').includes(call.id) : false);
  const own = state.members.find((m) => m.info.id === selectedId);
  if (own && carries(findBySeq(own.entries, seq))) return selectedId;
  return state.members.find((m) => carries(findBySeq(m.entries, seq)))?.info.id ?? selectedId;
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
  layout: LayoutStore;
  live: LiveActions | null;
  showCode: boolean;
  onCloseCode(): void;
  /** Above the connection list: the panel's connect form. */
  sidebarTop?: preact.ComponentChildren;
  empty: string;
  /** What the connection list says with no connection (default: the panel's, which points at its form). */
  emptyConnections?: preact.ComponentChildren;
}

export function Workspace({ store, view, layout, live, showCode, onCloseCode, sidebarTop, empty, emptyConnections }: WorkspaceProps) {
  const now = useNow(1000);
  const main = useRef<HTMLDivElement>(null);
  const lenses = useMemo(createLensStore, []);
  const doctors = useMemo(createDoctorStore, []);
  /** The Health pane by hand, when wide; null: shown when the selected connection has a warning or an error. Narrow, it is a tab, never opened by itself. */
  const [healthOpen, setHealthOpen] = useState<boolean | null>(null);
  /** The rows the lens view pointed at, marked in the timeline until another row is picked. */
  const [link, setLink] = useState<{ connectionId: string; seqs: ReadonlySet<number> } | null>(null);
  const [revealTick, setRevealTick] = useState(0);
  const [, setChoiceTick] = useState(0);
  // Too narrow for panes side by side (docked DevTools), they become tabs; the sizes stay for when it widens.
  useWidth(main, layout.width);
  const narrow = layout.narrow.value;
  const pane = layout.pane.value;
  const revision = store.revision.value;
  const { list, selected } = selectedView(store, view);
  const timeline = selected ? view.timelineFor(selected) : null;
  const selectedEntry = selected && view.detailOpen.value && view.selectedSeq.value !== null ? findBySeq(selected.entries, view.selectedSeq.value) : null;
  // The headers as sent when they are known, else as configured.
  const requestOf = (kind: 'request-sent' | 'attempt-started', attempt: number) => selected?.entries.find((e) => e.kind === kind && e.attempt === attempt);
  const request = selectedEntry?.kind === 'response' ? (requestOf('request-sent', selectedEntry.attempt) ?? requestOf('attempt-started', selectedEntry.attempt) ?? null) : null;
  // A refused response's body is kept on its attempt's end, the entry right after it.
  const next = selected && selectedEntry?.kind === 'response' ? findBySeq(selected.entries, selectedEntry.seq + 1) : null;
  const failedBody = next?.kind === 'attempt-ended' && next.attempt === selectedEntry?.attempt ? (next.body ?? null) : null;
  const eventCount = selected ? [...selected.channels.values()].reduce((n, c) => n + c.count, 0) : 0;
  const isLive = live !== null && selected !== null && selected.imported === null;
  // Folded here, once per render (at most once a frame), with what arrived since the last.
  const lens = selected ? lenses.sync(selected, list) : null;
  // Every connection's, for the badges: each fold costs only what arrived since the last frame.
  // The tab's open streams per origin, for HTTP/1.1's six connections: the count changes as the page opens and closes them.
  const crowd = live ? openStreamsOfOrigin(list) : new Map<string, { origin: string; open: number }>();
  const healths = new Map(
    list.map((v) => {
      const c = crowd.get(v.info.id);
      return [v.info.id, doctors.sync(v, { openStreamsOfOrigin: c?.open ?? null, httpVersion: (c && live?.httpVersions?.get(c.origin)) ?? null })] as const;
    }),
  );
  const health = selected ? (healths.get(selected.info.id) ?? null) : null;
  const worst = health === null ? null : health.counts.error > 0 ? 'error' : health.counts.warning > 0 ? 'warning' : health.counts.info > 0 ? 'info' : null;
  const showHealth = health !== null && (narrow ? pane === 'health' : (healthOpen ?? (worst === 'error' || worst === 'warning')));
  const headerRow = selected?.entries.find((e) => e.kind === 'response')?.seq ?? null;
  const onLink = (t: LinkTarget) => {
    const id = t.connectionId ?? selected?.info.id ?? null;
    if (id === null || t.seqs.length === 0) return;
    if (id !== selected?.info.id) view.selectedConnection.value = id;
    view.selectedSeq.value = t.seqs[0]!;
    setLink({ connectionId: id, seqs: new Set(t.seqs) });
    setRevealTick((n) => n + 1);
    // Narrow, the Health view is a tab of its own: its evidence leads to the timeline's.
    if (narrow) layout.show('timeline');
  };
  const removeConnection = (id: string) => (store.connections.get(id)?.imported != null ? store.removeImported(id) : live?.remove(id));

  /** At narrow width a click on a row, or Enter in the timeline, opens the row's detail; the tabs lead back. */
  const openDetail = (e: MouseEvent | KeyboardEvent) => {
    const target = e.target as Element;
    const opens = e instanceof KeyboardEvent ? e.key === 'Enter' && target.matches('[data-testid="timeline"]') : target.closest('[data-testid="timeline-row"]') !== null;
    if (narrow && opens && view.selectedSeq.value !== null) layout.show('detail');
  };

  return (
    <div
      class={`main ${narrow ? `narrow pane-${pane}` : 'wide'}`}
      ref={main}
      data-revision={revision}
      data-layout={narrow ? 'tabs' : 'columns'}
      style={{ '--sidebar-w': `${layout.sizes.sidebar.value}px`, '--channels-w': `${layout.sizes.channels.value}px`, '--detail-h': `${layout.sizes.detail.value}px` }}
    >
      {narrow && (
        <nav class="pane-tabs" role="tablist" aria-label="Panes">
          {PANES.filter((p) => p.pane !== 'health' || health !== null).map((p) => (
            <button key={p.pane} type="button" role="tab" class={pane === p.pane ? 'on' : ''} aria-selected={pane === p.pane} data-testid={`pane-tab-${p.pane}`} onClick={() => layout.show(p.pane)}>
              {p.label}
              {p.pane === 'connections' && list.length > 0 && <span class="tab-count">{list.length}</span>}
              {p.pane === 'health' && health !== null && health.findings.length > 0 && <span class={`tab-count health-badge ${worst ?? ''}`}>{health.findings.length}</span>}
            </button>
          ))}
        </nav>
      )}
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
            layout.show('timeline');
          }}
          onDisconnect={(id) => live?.disconnect(id)}
          onReconnect={(id) => live?.reconnect(id)}
          onRemove={removeConnection}
          onOpenInLab={live?.openInLab}
          tabId={live?.tabId ?? null}
          health={new Map([...healths].map(([id, h]) => [id, h.counts] as const))}
        />
      </aside>
      {!narrow && <PaneDivider layout={layout} size="sidebar" />}
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
      {!narrow && <PaneDivider layout={layout} size="channels" />}
      <section class="content" onClick={openDetail} onKeyDown={openDetail}>
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
            {isLive && !selected.info.observed && (
              <SimulateBar
                active={selected.info.faults ?? []}
                phase={selected.info.state.phase}
                onStart={(fault) => live.fault(selected.info.id, fault)}
                onStop={(kind) => live.stopFault(selected.info.id, kind)}
              />
            )}
          </>
        )}
        <TimelineToolbar
          view={view}
          timeline={timeline}
          live={isLive && selected.info.state.phase !== 'closed'}
          onPause={() => selected && view.pause(selected)}
          onResume={() => selected && view.resume(selected.info.id)}
          onClear={() => selected && view.clear(selected)}
          onShowCleared={() => selected && view.showCleared(selected.info.id)}
        >
          {selected && lens && (
            <LensPicker
              choice={selected.lensChoice}
              detected={lens.detected}
              note={selected.lensNote}
              onChoose={(choice) => {
                selected.lensChoice = choice;
                setChoiceTick((n) => n + 1);
              }}
            />
          )}
          {selected && health && (
            <button
              type="button"
              class={`small health-toggle ${showHealth ? 'on' : ''}`}
              data-testid="health-toggle"
              aria-pressed={showHealth}
              title={showHealth ? 'Hide the Health view' : 'Show the Health view: what the stream doctor found in this connection'}
              onClick={() => (narrow ? layout.show('health') : setHealthOpen(!showHealth))}
            >
              Health{health.findings.length > 0 ? ` (${health.findings.length})` : ''}
            </button>
          )}
        </TimelineToolbar>
        <div class={`lens-split ${lens?.summary ? 'with-lens' : ''} ${showHealth ? 'with-health' : ''}`}>
          {selected && timeline ? (
            <Timeline
              view={timeline}
              revision={revision}
              profile={selected.info.config.profile ?? null}
              selectedSeq={view.selectedSeq.value}
              detailOpen={view.detailOpen.value}
              gaps={selected.gaps}
              linked={link !== null && link.connectionId === selected.info.id ? link.seqs : undefined}
              revealTick={revealTick}
              onSelect={(seq, open) => {
                setLink(null);
                view.selectedSeq.value = seq;
                if (open) view.detailOpen.value = true;
              }}
              onOpen={() => (view.detailOpen.value = true)}
              onClose={() => (view.detailOpen.value = false)}
            />
          ) : (
            <div class="timeline empty">{empty}</div>
          )}
          {selected && lens?.lens && lens.summary && (
            <section class="lens-pane" data-testid="lens-view" data-lens={lens.lens.name} aria-label="Lens">
              <div class="section-title pad lens-title">
                {lens.lens.title}
                {lens.members.length > 1 && <span class="muted"> · {lens.members.length} connections of this session</span>}
              </div>
              <LensView
                summary={lens.summary}
                title={lens.lens.title}
                // Text the user selected stays selected: it is not redrawn with a mark of the first event.
                selectedSeq={link !== null && link.connectionId === selected.info.id ? null : view.selectedSeq.value}
                onLink={onLink}
                connectionOfCall={(call, which) => connectionOfCall(lens, selected.info.id, call, which)}
              />
            </section>
          )}
          {selected && health && showHealth && (
            <section class="health-pane" data-testid="health-view" aria-label="Health">
              <div class="section-title pad lens-title">Health</div>
              <HealthView health={health} headerRow={headerRow} onLink={onLink} />
            </section>
          )}
        </div>
        {!narrow && selectedEntry && <PaneDivider layout={layout} size="detail" />}
        <DetailPane entry={selectedEntry} request={request} body={failedBody} profile={selected?.info.config.profile ?? null} observed={selected?.info.observed?.mode ?? null} />
      </section>
    </div>
  );
}
