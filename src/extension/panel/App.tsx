/** The panel: the toolbar and connect form around the shared Workspace, wired to the background. */
import { useSignal, type Signal } from '@preact/signals';
import { useState } from 'preact/hooks';
import type { CaptureFile, CaptureSource } from '../../core/capture/format.js';
import { checkUrl, type ConnectionConfig, type FieldError } from '../../core/config.js';
import { retentionProblem } from '../../core/settings.js';
import type { Bridge } from './bridge.js';
import { ObserveBar, ObserveToggle } from './ObserveBar.js';
import { CompleteBar, CompleteToggle } from './CompleteCapture.js';
import type { CompleteControl } from './complete.js';
import type { Observer } from './observe.js';
import { requestHostAccess } from './permissions.js';
import type { ConnView, TimelineStore } from '../../ui/store/timeline-store.js';
import type { ViewStore } from '../../ui/store/view-store.js';
import type { LayoutStore } from '../../ui/store/layout-store.js';
import { ConnectForm, type PendingConnect } from '../../ui/components/ConnectForm.js';
import { ExportDialog } from '../../ui/components/ExportDialog.js';
import { FileOpener } from '../../ui/components/FileOpener.js';
import { selectedView, Workspace, type LiveActions } from '../../ui/components/Workspace.js';

/**
 * The toolbar's buttons that depend on the connections. They read the store's revision here, not in
 * App, so a frame of new entries re-renders them and the Workspace but never the connect form.
 */
function SelectionActions({ store, view, showCode, onExport, onOpen }: { store: TimelineStore; view: ViewStore; showCode: Signal<boolean>; onExport(views: ConnView[]): void; onOpen(capture: CaptureFile, name: string): void }) {
  const { list, selected } = selectedView(store, view);
  return (
    <>
      <button data-testid="export-selected" disabled={!selected} onClick={() => selected && onExport([selected])} title="Save the selected connection as a capture file">
        Export selected
      </button>
      <button data-testid="export-all" disabled={list.length === 0} onClick={() => onExport(list)} title="Save every connection as one capture file">
        Export all
      </button>
      <FileOpener onOpen={onOpen} />
      <button class={showCode.value ? 'on' : ''} data-testid="copy-as-code-button" disabled={!selected} onClick={() => (showCode.value = !showCode.value)} title="The selected connection as curl, browser, Android or iOS code">
        Copy as code
      </button>
    </>
  );
}

/** Puts the menu right under the ⚙, wherever a narrow panel's toolbar wrapped it to. */
function placeUnder(menu: HTMLElement): void {
  const button = document.querySelector('[popovertarget="settings-menu"]')?.getBoundingClientRect();
  if (!button) return;
  menu.style.top = `${Math.round(button.bottom + 4)}px`;
  menu.style.right = `${Math.max(6, Math.round(innerWidth - button.right))}px`;
}

/** The retention setting, in the settings menu: it is set once, not every minute, so it stays out of the toolbar. */
function SettingsMenu({ store, bridge }: { store: TimelineStore; bridge: Bridge }) {
  const [capDraft, setCapDraft] = useState<string | null>(null);
  const settings = store.settings.value;
  const capError = capDraft === null ? null : retentionProblem(capDraft);
  const saveCap = () => {
    if (!capError && capDraft !== null) bridge.setSettings({ maxEntriesPerConnection: Number(capDraft) });
    setCapDraft(null);
  };
  return (
    <>
      <button class="icon settings-button" data-testid="settings-button" popovertarget="settings-menu" title="Settings" aria-label="Settings">
        ⚙
      </button>
      <div id="settings-menu" class="menu" popover="auto" data-testid="settings-menu" role="dialog" aria-label="Settings" onBeforeToggle={(e) => e.newState === 'open' && placeUnder(e.currentTarget)}>
        <div class="section-title">Settings</div>
        {settings ? (
          <label class="cap" title="Entries kept per connection; past it the oldest are dropped and the timeline says how many">
            Keep
            <input
              class={`num ${capError ? 'invalid' : ''}`}
              data-testid="cap-input"
              value={capDraft ?? String(settings.maxEntriesPerConnection)}
              onInput={(e) => setCapDraft(e.currentTarget.value)}
              onKeyDown={(e) => e.key === 'Enter' && saveCap()}
              onBlur={saveCap}
              aria-label="Entries kept per connection"
            />
            entries per connection
          </label>
        ) : (
          <div class="hint">Waiting for the background…</div>
        )}
        {capError && <div class="field-error">{capError}</div>}
        <div class="hint">Past it, the oldest tenth is dropped and the timeline says how many.</div>
      </div>
    </>
  );
}

/** Whether the panel reaches the background, where the connections run: a word, not only a coloured dot. */
function BackgroundStatus({ connected }: { connected: boolean }) {
  const text = connected ? 'Connected to the background, where the connections run' : 'Reconnecting to the background…';
  return (
    <span class={`status ${connected ? 'ok' : 'down'}`} data-testid="background-status" role="status" title={text} aria-label={text}>
      <span aria-hidden="true">{connected ? '●' : '○'}</span> {connected ? 'live' : 'reconnecting…'}
    </span>
  );
}

const utf8Bytes = (text: string): number => new TextEncoder().encode(text).byteLength;

function bodyCutNotice(bytes: number): string {
  return `This body is cut: the page's request body was longer, and only its first ${bytes.toLocaleString('en-US')} bytes were captured (the hook reads up to 64 KiB, and no more of a body still being sent when the response began). Connect sends only this part; paste the whole body to send the page's request as it was.`;
}

export function App({
  store,
  view,
  layout,
  bridge,
  observer,
  complete,
  httpVersions,
}: {
  store: TimelineStore;
  view: ViewStore;
  layout: LayoutStore;
  bridge: Bridge;
  observer: Observer;
  complete: CompleteControl;
  /** Origin → HTTP version, from DevTools' network log (http-versions.ts). */
  httpVersions: Signal<ReadonlyMap<string, string>>;
}) {
  const showForm = useSignal(true);
  const fill = useSignal<ConnectionConfig | null>(null);
  /** Said beside the body while it is the one filled: the page's body was captured only in part. */
  const bodyNotice = useSignal<string | null>(null);
  const pending = useSignal<PendingConnect | null>(null);
  const showCode = useSignal(false);
  const exporting = useSignal<ConnView[] | null>(null);

  const live: LiveActions = {
    disconnect: (id) => bridge.send({ type: 'disconnect', connectionId: id }),
    reconnect: (id) => bridge.send({ type: 'reconnect', connectionId: id }),
    remove: (id) => bridge.send({ type: 'remove', connectionId: id }),
    fault: (id, fault) => bridge.send({ type: 'fault', connectionId: id, fault }),
    stopFault: (id, kind) => bridge.send({ type: 'stop-fault', connectionId: id, kind }),
    secrets: (id) => bridge.secrets(id),
    openInLab: (id) => void openInLab(id),
    tabId: observer.tabId,
    httpVersions: httpVersions.value,
  };

  /** The page's request, its secrets revealed by the background, into the form: one click from Connect. */
  async function openInLab(id: string): Promise<void> {
    const v = store.connections.get(id);
    if (!v) return;
    const secrets = await bridge.secrets(id);
    const c = v.info.config;
    fill.value = {
      ...c,
      url: secrets.url ?? c.url,
      headers: secrets.url === null ? c.headers : secrets.headers,
      body: secrets.url === null ? c.body : secrets.body,
      // The last id the page saw: the lab picks the stream up where the page was.
      initialLastEventId: v.info.stats.lastEventId !== '' ? v.info.stats.lastEventId : c.initialLastEventId,
    };
    bodyNotice.value = secrets.bodyCut ? bodyCutNotice(utf8Bytes(fill.value.body ?? '')) : null;
    showForm.value = true;
    layout.show('connections');
  }

  async function unmasked(v: ConnView): Promise<CaptureSource | null> {
    if (v.imported !== null) return null;
    const secrets = await bridge.secrets(v.info.id);
    if (secrets.url === null) return null;
    return { id: v.info.id, config: { ...v.info.config, url: secrets.url, headers: secrets.headers, body: secrets.body }, entries: v.entries, ...(v.info.observed ? { observed: v.info.observed } : {}), ...(v.lensChoice !== null ? { lens: v.lensChoice } : {}) };
  }

  /** Null when the user cancelled: nothing was connected and nothing is wrong. */
  async function connect(config: ConnectionConfig): Promise<FieldError[] | null> {
    if (checkUrl(config.url) === null) {
      // Asked first, synchronously in the click, or the browser refuses for want of a user gesture.
      const access = requestHostAccess(config.url);
      const granted = await waitForAccess(new URL(config.url).origin, access.granted, access.held);
      if (granted === null) return null;
      if (!granted) return [{ field: 'url', message: `Access to ${new URL(config.url).origin} was not granted, so SSE DevTools cannot connect to it.` }];
    }
    const result = await bridge.connect(config);
    if (result.connectionId) {
      select(result.connectionId);
      // The form has done its job: the connection list, not the form, is what to look at now.
      showForm.value = false;
    }
    return result.errors;
  }

  /** Resolves with the browser's answer, or null if the user stops waiting for one (a prompt may never show). */
  function waitForAccess(origin: string, granted: Promise<boolean>, held: Promise<boolean>): Promise<boolean | null> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (answer: boolean | null) => {
        if (settled) return;
        settled = true;
        pending.value = null;
        resolve(answer);
      };
      void granted.then(finish);
      void held.then((has) => {
        if (!has && !settled) pending.value = { message: `Waiting for permission for ${origin}…`, cancel: () => finish(null) };
      });
    });
  }

  function select(id: string): void {
    view.selectedConnection.value = id;
    view.selectedSeq.value = null;
    view.showAll();
    layout.show('timeline');
  }

  /** At narrow width the form lives on the Connections tab: the button opens both. */
  function toggleForm(): void {
    const hidden = layout.narrow.value && layout.pane.value !== 'connections';
    showForm.value = hidden || !showForm.value;
    if (showForm.value) layout.show('connections');
  }

  return (
    <div class="app">
      <header class="toolbar">
        <button class={showForm.value ? 'on' : ''} data-testid="toggle-form" aria-pressed={showForm.value} onClick={toggleForm} title="Show or hide the connection form">
          + New connection
        </button>
        <ObserveToggle observer={observer} />
        <CompleteToggle complete={complete} />
        <span class="sep" />
        <SelectionActions store={store} view={view} showCode={showCode} onExport={(views) => (exporting.value = views)} onOpen={(capture, name) => store.addCapture(capture, name).slice(0, 1).forEach(select)} />
        <span class="spacer" />
        <BackgroundStatus connected={store.connected.value} />
        <SettingsMenu store={store} bridge={bridge} />
      </header>
      <ObserveBar observer={observer} intake={bridge.intake.value} />
      <CompleteBar complete={complete} />
      <Workspace
        store={store}
        view={view}
        layout={layout}
        live={live}
        showCode={showCode.value}
        onCloseCode={() => (showCode.value = false)}
        // Hidden, not removed: what was typed is still there when the form is opened again.
        sidebarTop={
          <div class="form-slot" hidden={!showForm.value}>
            <ConnectForm onConnect={connect} pending={pending.value} fill={fill.value} bodyNotice={bodyNotice.value} />
          </div>
        }
        empty="Connect to a stream, or open a capture, to see its timeline."
      />
      {exporting.value && <ExportDialog views={exporting.value} unmasked={unmasked} onClose={() => (exporting.value = null)} />}
    </div>
  );
}
